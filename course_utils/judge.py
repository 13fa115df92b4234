"""An independent judge of animated portraits: networks the course never trains against.

A claim such as "the portrait keeps its identity and its mouth follows the driver" is measured here by dlib's
face-recognition ResNet (128-d descriptors; dlib documents a distance below 0.6 as the same person) and dlib's
68-point shape predictor, both trained by dlib's author on real photographs and shipped by the PyPI package
face-recognition-models. Nothing in the course's training losses may use them (tests/test_judge.py checks),
so an animator cannot learn to please its judge.

    judge(source, frames, targets=..., driver_points=..., seconds=...) -> Verdict

All images are (H, W, 3) uint8 RGB; landmarks are (68, 2) float32 pixels in the iBUG 300-W order.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field

import numpy as np

from .errors import CourseError
from .faces.measures import INNER_LIP_PAIRS, eye_openness, inter_ocular, mouth_opening  # noqa: F401 - the judge's API
from .models_dlib import dlib_model_path, dlib_models

SAME_PERSON = 0.6          # dlib's documented threshold on the descriptor distance
MIN_MOTION_SD = 0.03       # mouth_r / blink_r only where the driver's measure moves (std over the clip) this much
SHARPNESS_SIZE = 128       # faces are compared for sharpness at this size, so resolution does not decide it


@functools.lru_cache(maxsize=1)
def _recogniser():
    import dlib

    path = dlib_model_path("dlib_face_recognition_resnet_model_v1.dat")
    if path is None:
        raise CourseError("dlib's face-recognition model is missing; install face-recognition-models (`make lab` does).")
    return dlib.face_recognition_model_v1(str(path))


@dataclass
class Seen:
    """What the judge sees in one picture: the face's 68 points, its 128-d descriptor and the detector's score."""

    points: np.ndarray      # (68, 2) float32 px
    descriptor: np.ndarray  # (128,) float32
    score: float


def look(image: np.ndarray, upsample: int | None = None) -> Seen | None:
    """The most confident face dlib finds in an (H, W, 3) uint8 image, or None when it finds none.
    upsample: how often dlib doubles the picture while searching (default: once below 400 px, else never)."""
    image = np.ascontiguousarray(image[..., :3], dtype=np.uint8)
    if upsample is None:
        upsample = 1 if max(image.shape[:2]) < 400 else 0
    detector, predictor = dlib_models()
    boxes, scores, _ = detector.run(image, upsample, 0.0)
    if not boxes:
        return None
    best = int(np.argmax(scores))  # by confidence, not by size: a large badge can out-size a face
    shape = predictor(image, boxes[best])
    points = np.array([[p.x, p.y] for p in shape.parts()], np.float32)
    desc = np.array(_recogniser().compute_face_descriptor(image, shape), np.float32)
    return Seen(points, desc, float(scores[best]))


def describe(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """dlib's 128-d descriptor of the face whose landmarks (68, 2) px are known (no detection: the shape predictor
    starts from their box), for pictures too small or too odd for the detector, such as 64 px renders shown at
    256 px. (H, W, 3) uint8 in; (128,) float32 out."""
    import dlib

    image = np.ascontiguousarray(image[..., :3], dtype=np.uint8)
    lo, hi = np.asarray(points, np.float32).min(0), np.asarray(points, np.float32).max(0)
    _, predictor = dlib_models()
    shape = predictor(image, dlib.rectangle(int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])))
    return np.array(_recogniser().compute_face_descriptor(image, shape), np.float32)


def _face_patch(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    import cv2

    lo, hi = points.min(0), points.max(0)
    x0, y0 = np.floor(np.maximum(lo, 0)).astype(int)
    x1, y1 = np.ceil(np.minimum(hi + 1, [image.shape[1], image.shape[0]])).astype(int)
    grey = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1, :3]), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (SHARPNESS_SIZE, SHARPNESS_SIZE), interpolation=cv2.INTER_AREA)


def sharpness(image: np.ndarray, points: np.ndarray) -> float:
    """Variance of the Laplacian over the face (the box of its 68 points, resized to 128 px): higher is sharper."""
    import cv2

    return float(cv2.Laplacian(_face_patch(image, points).astype(np.float64), cv2.CV_64F).var())


def flicker(frames) -> float:
    """Mean |f[t+1] − 2 f[t] + f[t−1]| in grey levels: steady motion scores low, frame-to-frame shimmer high."""
    f = np.asarray(frames, np.float32)
    if len(f) < 3:
        return float("nan")
    return float(np.abs(f[2:] - 2 * f[1:-1] + f[:-2]).mean())


def pearson(a, b) -> float:
    """Pearson correlation of two series; nan when either is constant or shorter than 3."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) < 3 or a.std() < 1e-9 or b.std() < 1e-9:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


@dataclass
class Verdict:
    """The judge's figures for one animation (nan where a figure could not be measured)."""

    frames: int
    found_rate: float        # frames in which dlib found a face at all
    same_person: float       # frames judged the source's person (descriptor distance < 0.6; a missed face counts as not)
    id_dist: float           # mean descriptor distance to the source, over frames with a face
    mouth_r: float           # Pearson r of the output's mouth opening with the driver's, over time (nan when the
                             # driver's mouth barely moves: std < MIN_MOTION_SD, a correlation with noise)
    blink_r: float           # Pearson r of the output's eye openness with the driver's (nan alike)
    follow_nme: float        # dlib's points on the output vs the intended target points, / inter-ocular distance
    sharpness_ratio: float   # face sharpness of the output / of the source portrait
    flicker: float           # temporal second difference, grey levels
    fps: float               # frames per second of the animator (when `seconds` is given)
    distances: list = field(default_factory=list, repr=False)  # per frame (nan: no face found), for contact sheets

    def as_dict(self) -> dict:
        """The figures (without the per-frame distances)."""
        return {k: v for k, v in asdict(self).items() if k != "distances"}


def judge(source: np.ndarray, frames, targets=None, driver_points=None, seconds: float | None = None) -> Verdict:
    """Judge an animation of `source` (H, W, 3) uint8 given as `frames` (T, H', W', 3) uint8.

    targets (T, 68, 2) px in the frames: where the animator meant the landmarks to go (for follow_nme);
    driver_points (T, 68, 2) px in the driver's own frames: what the driver did (for mouth_r and blink_r);
    seconds: the animator's time for all T frames (for fps)."""
    frames = [np.asarray(f) for f in frames]
    if not frames:
        raise CourseError("There are no frames to judge; animate at least one frame first.")
    if any(f.ndim != 3 or f.shape[2] < 3 or f.dtype != np.uint8 for f in [np.asarray(source)] + frames):
        raise CourseError("The judge reads (H, W, 3) uint8 pictures; convert the frames with images.array_to_rgb first.")
    src = look(np.asarray(source))
    if src is None:
        raise CourseError("dlib finds no face in the source portrait, so there is no identity to compare with.")
    seen = [look(f) for f in frames]
    found = [s is not None for s in seen]
    dists = np.array([np.linalg.norm(s.descriptor - src.descriptor) if s else np.nan for s in seen])
    idx = [i for i, s in enumerate(seen) if s]

    def corr(measure, reference):
        if reference is None or len(idx) < 3:
            return float("nan")
        ref = np.asarray(reference, np.float32).reshape(len(frames), 68, 2)
        driver = [measure(ref[i]) for i in idx]
        if np.std(driver) < MIN_MOTION_SD:  # a still mouth (or no blink): nothing to follow, r would be noise
            return float("nan")
        return pearson([measure(seen[i].points) for i in idx], driver)

    nme = float("nan")
    if targets is not None and idx:
        tgt = np.asarray(targets, np.float32).reshape(len(frames), 68, 2)
        nme = float(np.mean([np.linalg.norm(seen[i].points - tgt[i], axis=1).mean() / max(inter_ocular(tgt[i]), 1e-6)
                             for i in idx]))
    sharp_src = sharpness(np.asarray(source), src.points)
    sharp = [sharpness(frames[i], seen[i].points) for i in idx]
    return Verdict(
        frames=len(frames),
        found_rate=float(np.mean(found)),
        same_person=float(np.mean(np.nan_to_num(dists, nan=np.inf) < SAME_PERSON)),
        id_dist=float(np.nanmean(dists)) if idx else float("nan"),
        mouth_r=corr(mouth_opening, driver_points),
        blink_r=corr(eye_openness, driver_points),
        follow_nme=nme,
        sharpness_ratio=float(np.mean(sharp) / max(sharp_src, 1e-9)) if sharp else float("nan"),
        flicker=flicker([f.astype(np.float32).mean(-1) for f in frames]) if len({f.shape for f in frames}) == 1
        else float("nan"),
        fps=len(frames) / seconds if seconds else float("nan"),
        distances=[float(d) for d in dists],
    )


def mean_verdict(verdicts: list[Verdict]) -> dict:
    """Figure by figure, the mean over several animations (nan-aware; frames summed)."""
    if not verdicts:
        raise CourseError("There are no verdicts to average.")
    out = {}
    for key in verdicts[0].as_dict():
        values = np.array([getattr(v, key) for v in verdicts], np.float64)
        out[key] = float(values.sum()) if key == "frames" else (float(np.nanmean(values)) if np.isfinite(values).any()
                                                              else math.nan)
    return out
