"""Suite `landmarks`: the detectors side by side on one FaceWorld test set, and on the astronaut photo.

Figures:
    course_nme, course_fps   the course's heatmap network on 64 px renders of held-out identities:
                             mean error / outer inter-ocular distance (bar ≤ 0.03) and faces/s in
                             batches of 64 on 2 threads (bar ≥ 200)
    dlib_nme, dlib_fps       dlib (face box + shape predictor) on the same renders at 128 px; dlib_found
                             is the share of faces it found (the error is over those)
    fa_nme, fa_fps           face-alignment, only where its weights are present (else skipped, with why)
    astronaut_<a>_vs_<b>     on the astronaut photo, where no truth is known: how far two detectors'
                             points are apart, in inter-ocular distances
"""

from __future__ import annotations

import time

import numpy as np

from .result import SuiteResult, check_bars

BARS = {"course_nme": ("<=", 0.03), "course_fps": (">=", 200.0)}


def _test_renders(n_identities: int, frames: int, size: int, seed: int = 7):
    from .. import faces
    from ..faces.splits import split_seeds

    rng = np.random.default_rng(seed)
    images, points = [], []
    for s in split_seeds("test", n_identities):
        person = faces.sample_identity(s)
        for _ in range(frames):
            out = faces.render(person, faces.random_frame(rng, max_yaw=35), size)
            images.append(out.image)
            points.append(out.landmarks)
    return np.stack(images), np.stack(points)


def _nme(pred, truth) -> float:
    from ..faces import inter_ocular

    return float(np.mean([np.linalg.norm(p - t, axis=1).mean() / inter_ocular(t) for p, t in zip(pred, truth)]))


def _detector_on(images, points, backend: str):
    """(nme over found faces, faces/s, share found) of landmarks.detect with one backend."""
    from ..errors import CourseError
    from ..landmarks import detect

    found, preds, truths = 0, [], []
    start = time.perf_counter()
    for img, pts in zip(images, points):
        try:
            preds.append(detect(img, backend=backend).faces[0].points)
            truths.append(pts)
            found += 1
        except CourseError:
            pass
    seconds = time.perf_counter() - start
    return (_nme(preds, truths) if preds else float("nan")), len(images) / seconds, found / len(images)


def run(mode: str) -> SuiteResult:
    import cv2
    import torch
    from skimage import data

    from ..errors import CourseError
    from ..landmarks import detect, usable_backends

    n_id, frames = (50, 2) if mode == "quick" else (100, 2)
    images, points = _test_renders(n_id, frames, 128)
    figures: dict[str, float] = {}
    notes = [f"FaceWorld test set: {len(images)} renders of {n_id} held-out identities (|yaw| ≤ 35°), 128 px"]
    status = usable_backends()

    if status["course"].startswith("ready"):
        from ..landmark_net import load_detector, measure_fps, predict

        model = load_detector()
        small = np.stack([cv2.resize(im, (64, 64), interpolation=cv2.INTER_AREA) for im in images])
        with torch.no_grad():
            pred = predict(model, small).numpy()
        figures["course_nme"] = _nme((pred + 0.5) * 2 - 0.5, points)  # 64 px pixel centres -> 128 px
        figures["course_fps"] = measure_fps(model, batch=64, threads=2)
    else:
        notes.append(f"course detector skipped: {status['course']}")

    for backend, prefix in (("dlib", "dlib"), ("face_alignment", "fa")):
        if status[backend].startswith("ready"):
            nme, fps, found = _detector_on(images, points, backend)
            figures[f"{prefix}_nme"], figures[f"{prefix}_fps"], figures[f"{prefix}_found"] = nme, fps, found
        else:
            notes.append(f"{backend} skipped: {status[backend]}")

    astronaut = {}
    for backend in ("face_alignment", "dlib", "course"):
        if status[backend].startswith("ready"):
            try:
                astronaut[backend] = detect(data.astronaut(), backend=backend).faces[0].points
            except CourseError as err:
                notes.append(f"astronaut, {backend}: {err}")
    names = sorted(astronaut)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            figures[f"astronaut_{a}_vs_{b}"] = _nme([astronaut[a]], [astronaut[b]])

    return check_bars(figures, BARS, notes)
