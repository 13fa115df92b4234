"""dlib's face detector and 68-point shape predictor: where the model file is, and loading them once.

A bottom-layer module (it needs nothing of the course but CourseError), so chapter 00's environment
report, chapter 03's landmarks and FaceWorld's dlib check all find dlib the same way without importing
each other.

    dlib_model_path()      Path of face-recognition-models' 68-point file, or None
    dlib_models()          (HOG frontal face detector, 68-point shape predictor), loaded once
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from .errors import CourseError

__all__ = ["dlib_model_path", "dlib_models"]


def dlib_model_path(name: str = "shape_predictor_68_face_landmarks.dat") -> Path | None:
    """Path of a model file shipped by face-recognition-models, found without importing the package
    (its __init__ needs pkg_resources, which new setuptools no longer provides)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "models" / name
    return path if path.exists() else None


@functools.lru_cache(maxsize=1)
def dlib_models():
    """(HOG frontal face detector, 68-point shape predictor), loaded once."""
    try:
        import dlib
    except ImportError:
        raise CourseError("dlib is not installed; `pip install dlib-bin` provides it (`make lab` does).") from None
    path = dlib_model_path()
    if path is None:
        raise CourseError("dlib's 68-point model is missing; install face-recognition-models (`make lab` does).")
    return dlib.get_frontal_face_detector(), dlib.shape_predictor(str(path))
