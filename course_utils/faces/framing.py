"""Framing a face: the one place that cuts a face out of a picture with a 2 × 3 matrix.

Every crop of the course is the same two steps: a matrix from image pixels to crop pixels, then
`crop_with_matrix`, which shrinks a big photo with area averaging first (so it does not alias) and
then warps. The face framing finds the matrix from five points of the 68 landmarks (eye centres,
nose tip, mouth corners) and where they should land:

    crop, points, matrix = frame_face(image, landmarks, canonical_points(256), 256)     # the course's framing
    crop, points, matrix = frame_face(image, landmarks, drivers.faceworld_five_points(64), 64,
                                      interpolation=cv2.INTER_AREA, border=cv2.BORDER_REPLICATE)  # FaceWorld's

Pixel convention (as OpenCV and dlib, and FaceWorld): pixel centres at integer coordinates.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import CourseError

__all__ = ["CANONICAL_POINTS", "five_points", "similarity_transform", "canonical_points", "crop_with_matrix",
           "move_points", "frame_face", "SHRINK_BELOW"]

# Canonical framing, as fractions of the crop's side: where the eye centres, the nose tip and the mouth
# corners go. The head fills the middle, with room for hair above and chin below.
CANONICAL_POINTS = np.array(
    [[0.385, 0.42], [0.615, 0.42], [0.50, 0.545], [0.415, 0.65], [0.585, 0.65]], dtype=np.float32
)
SHRINK_BELOW = 0.7  # a matrix that shrinks more than this first resizes the picture with area averaging


def five_points(landmarks: np.ndarray) -> np.ndarray:
    """(68, 2) iBUG landmarks -> (5, 2): eye centres, nose tip, mouth corners."""
    pts = np.asarray(landmarks, dtype=np.float32)
    if pts.shape != (68, 2):
        raise CourseError(f"Framing a face needs the 68 landmarks as a (68, 2) array, but got {pts.shape}.")
    return np.stack([pts[36:42].mean(0), pts[42:48].mean(0), pts[30], pts[48], pts[54]])


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2x3 rotation + uniform scale + translation that best maps src points onto dst (least squares)."""
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    # complex-number form: d ≈ z · s with z = a + ib  (rotation and scale)
    denom = (s**2).sum()
    if denom < 1e-12:
        raise CourseError("The landmarks are all at one point, so no face can be aligned from them.")
    a = (s[:, 0] * d[:, 0] + s[:, 1] * d[:, 1]).sum() / denom
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum() / denom
    rot = np.array([[a, -b], [b, a]])
    return np.hstack([rot, (mu_d - rot @ mu_s)[:, None]]).astype(np.float32)


def canonical_points(size: int, zoom: float = 1.0) -> np.ndarray:
    """(5, 2) float32 px in a size × size crop: CANONICAL_POINTS, zoomed about the crop's centre (zoom > 1:
    a tighter crop, the face larger)."""
    if zoom == 1.0:
        return CANONICAL_POINTS * size
    return (0.5 + (CANONICAL_POINTS - 0.5) * zoom) * size


def crop_with_matrix(image: np.ndarray, matrix: np.ndarray, size: int, interpolation: int = cv2.INTER_LINEAR,
                     border: int = cv2.BORDER_REFLECT, scale: float | None = None) -> np.ndarray:
    """(size, size[, C]) crop of image through the 2x3 matrix from image to crop pixels: shrink-then-warp.
    When the matrix shrinks by more than SHRINK_BELOW (`scale`: its scale factor, read from the matrix when
    None), the image is first resized by that factor with area averaging, so a big photo does not alias,
    then cv2.warpAffine with `interpolation` and `border`."""
    image = np.asarray(image)
    source, warp = image, np.array(matrix, np.float32)
    if scale is None:
        scale = float(np.hypot(warp[0, 0], warp[1, 0]))
    if scale < SHRINK_BELOW:
        h, w = image.shape[:2]
        source = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        warp[:, :2] /= scale
    return cv2.warpAffine(source, warp, (size, size), flags=interpolation, borderMode=border)


def move_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(N, 2) float32: points moved by a 2x3 matrix (image pixels -> crop pixels)."""
    matrix = np.asarray(matrix)
    return (np.asarray(points, np.float32) @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def frame_face(image: np.ndarray, landmarks: np.ndarray, target: np.ndarray, size: int,
               interpolation: int = cv2.INTER_LINEAR, border: int = cv2.BORDER_REFLECT):
    """Frame a face: (crop (size, size, 3), its landmarks in the crop (68, 2) float32, the 2x3 matrix from image
    to crop pixels), with the face's five points (five_points) sent as close as a similarity allows to
    `target` (5, 2) crop px — canonical_points(size, zoom) for the course's framing, or
    drivers.faceworld_five_points(size) for FaceWorld's. image (H, W, 3), as it is (convert it first with
    images.array_to_rgb)."""
    matrix = similarity_transform(five_points(landmarks), target)
    crop = crop_with_matrix(image, matrix, size, interpolation, border)
    return crop, move_points(landmarks, matrix), matrix
