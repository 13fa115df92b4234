"""The landmark image y of Zakharov et al. (2019): the 68 points drawn as coloured polylines on a
black image, one colour per facial part. It is the talking-head generator's input."""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import CourseError
from .template import CLOSED_PARTS, PARTS

# one colour per part (RGB), far apart so a network can tell the parts apart
PART_COLORS: dict[str, tuple[int, int, int]] = {
    "jaw": (255, 255, 255),
    "right_brow": (255, 160, 0),
    "left_brow": (255, 80, 0),
    "nose_bridge": (0, 160, 255),
    "nostrils": (0, 255, 255),
    "right_eye": (0, 255, 0),
    "left_eye": (120, 255, 120),
    "outer_lips": (255, 0, 120),
    "inner_lips": (200, 0, 255),
}
_SHIFT = 4  # sub-pixel precision of cv2's drawing: coordinates in 1/16 pixel


def landmark_image(landmarks: np.ndarray, size: int | tuple[int, int], thickness: int | None = None,
                   antialias: bool = True, out: np.ndarray | None = None) -> np.ndarray:
    """Draw 68 landmarks ((68, 2) pixel coordinates, iBUG 300-W order) as the GAN's landmark image:
    (H, W, 3) uint8 RGB, black background, one colour per part, eyes and lips closed.
    `size` is an int (square) or (height, width); thickness defaults to about size / 64."""
    lm = np.asarray(landmarks, dtype=np.float64)
    if lm.shape != (68, 2):
        raise CourseError(f"landmarks must have shape (68, 2), not {lm.shape}.")
    h, w = (size, size) if np.isscalar(size) else size
    if out is None:
        out = np.zeros((h, w, 3), np.uint8)
    t = thickness or max(1, int(round(max(h, w) / 64)))
    pts = np.round(lm * (1 << _SHIFT)).astype(np.int32)
    line = cv2.LINE_AA if antialias else cv2.LINE_8
    for name, (a, b) in PARTS.items():
        cv2.polylines(out, [pts[a:b]], name in CLOSED_PARTS, PART_COLORS[name], t, line, _SHIFT)
    return out
