"""The 68-point iBUG 300-W landmark layout: part names, index ranges and a neutral canonical face.

Canonical units: the distance between the outer eye corners (landmarks 36 and 45) is 1.
X points to the image's right, Y down; Y = 0 is the line of the eye corners, X = 0 the face's midline.
The subject's right eye (36-41) therefore sits at negative X, on the image's left, as in a photo.
"""

from __future__ import annotations

import numpy as np

# Landmark index ranges of the iBUG 300-W / dlib / face-alignment 68-point scheme.
PARTS: dict[str, tuple[int, int]] = {
    "jaw": (0, 17),  # 0 = image-left ear level, 8 = chin, 16 = image-right ear level
    "right_brow": (17, 22),  # the subject's right brow, on the image's left
    "left_brow": (22, 27),
    "nose_bridge": (27, 31),  # 27 between the eyes (nasion) ... 30 nose tip
    "nostrils": (31, 36),  # 31 and 35 wings of the nose, 33 under the tip
    "right_eye": (36, 42),  # 36 outer corner, 37-38 upper lid, 39 inner corner, 40-41 lower lid
    "left_eye": (42, 48),  # 42 inner corner, 43-44 upper lid, 45 outer corner, 46-47 lower lid
    "outer_lips": (48, 60),  # 48 and 54 mouth corners, 51 top of the upper lip, 57 bottom of the lower lip
    "inner_lips": (60, 68),  # 60 and 64 inner corners, 61-63 upper, 65-67 lower
}

# Parts drawn as closed polylines in the landmark image (Zakharov et al. 2019).
CLOSED_PARTS = ("right_eye", "left_eye", "outer_lips", "inner_lips")

# Left half (and midline) of a neutral face with a closed mouth, in canonical units.
# Proportions follow the mean shape of dlib's 68-point model (as published with OpenFace's
# alignment template), symmetrised and rescaled to canonical units; the mouth is closed here.
_HALF = {
    0: (-0.841, -0.07), 1: (-0.837, 0.16), 2: (-0.815, 0.39), 3: (-0.770, 0.615),
    4: (-0.684, 0.825), 5: (-0.551, 1.01), 6: (-0.389, 1.165), 7: (-0.206, 1.29), 8: (0.0, 1.325),
    17: (-0.666, -0.158), 18: (-0.561, -0.241), 19: (-0.420, -0.262), 20: (-0.276, -0.238),
    21: (-0.139, -0.180),
    27: (0.0, -0.014), 28: (0.0, 0.132), 29: (0.0, 0.278), 30: (0.0, 0.428),
    31: (-0.150, 0.535), 32: (-0.080, 0.565), 33: (0.0, 0.59),
    36: (-0.500, 0.000), 37: (-0.412, -0.052), 38: (-0.305, -0.050), 39: (-0.215, 0.019),
    40: (-0.313, 0.039), 41: (-0.418, 0.038),
    48: (-0.305, 0.800), 49: (-0.195, 0.752), 50: (-0.082, 0.730), 51: (0.0, 0.744),
    57: (0.0, 0.925), 58: (-0.088, 0.918), 59: (-0.197, 0.882),
    60: (-0.262, 0.802), 61: (-0.085, 0.806), 62: (0.0, 0.811),
    66: (0.0, 0.819), 67: (-0.085, 0.814),
}

# i -> the index of the mirror-image landmark (left <-> right of the face).
MIRROR = np.array(
    list(range(16, -1, -1)) + list(range(26, 16, -1)) + [27, 28, 29, 30] + [35, 34, 33, 32, 31]
    + [45, 44, 43, 42, 47, 46] + [39, 38, 37, 36, 41, 40]
    + [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55] + [64, 63, 62, 61, 60, 67, 66, 65]
)


def _canonical() -> np.ndarray:
    pts = np.full((68, 2), np.nan)
    for i, (x, y) in _HALF.items():
        pts[i] = (x, y)
        pts[MIRROR[i]] = (-x, y)
    assert not np.isnan(pts).any()
    return pts.astype(np.float64)


CANONICAL_LANDMARKS = _canonical()  # (68, 2) float64, canonical units


def part_slices() -> dict[str, slice]:
    """{part name: slice of landmark indices}, in drawing order."""
    return {name: slice(a, b) for name, (a, b) in PARTS.items()}


def inter_ocular(landmarks: np.ndarray) -> float:
    """Distance between the outer eye corners (36, 45): the usual normaliser of landmark errors."""
    lm = np.asarray(landmarks, dtype=np.float64)
    return float(np.linalg.norm(lm[45] - lm[36]))
