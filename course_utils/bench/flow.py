"""Suite `flow`: every flow method of chapter 04 on the same FaceWorld pairs with their true flow.

Figures, for each method (horn_schunck, lucas_kanade, farneback, dis, landmark_tps, learned):
    epe_<method>         mean end-point error in pixels on the face: the pixels inside the target's
                         landmark outline (jaw to brows) that are visible in both frames (lower is better)
    epe_image_<method>   the same over every pixel visible in both frames: hair, neck and the static
                         background too (reported, no bar: landmarks say nothing about hair)
    ms_<method>          milliseconds per pair on one thread (the learned network: a batch of one)
plus epe_zero / epe_image_zero (doing nothing, for scale) and the bar the issue sets, on face motion:
    learned_vs_opencv, landmark_tps_vs_opencv   the method's face EPE over the better of Farnebäck and
                                                DIS; bar < 1: the face-aware methods beat OpenCV's
and the landmark methods again with a detector's landmarks instead of the renderer's (no bars: the cost is
what is measured). Detector d is dlib (trained on photographs: FaceWorld is foreign to it) or course (the
course's network, trained on FaceWorld renders like these, its face box found by dlib): the two bracket it.
    epe_<method>_<d>, epe_image_<method>_<d>, <method>_<d>_vs_opencv    for landmark_tps and learned
    <d>_found           share of frames (source and target) where the detector found the face
    <d>_point_error     mean distance in pixels from its 68 points to the true ones, over found frames
    ms_<d>              milliseconds per frame (the frame enlarged 4x first: flow.pairs.detect_points)

The pairs: held-out FaceWorld test identities at 64 px (the talking-head model's size), each a turn of
up to 12°, a nod, a tilt and a new expression (course_utils.flow.pairs). The image methods see both
images; the landmark warp and the learned network see the source image and both frames' landmarks:
the true ones in the rows without a suffix, a detector's in the _dlib and _course rows.
"""

from __future__ import annotations

import time

import numpy as np

from .result import SuiteResult, check_bars

BARS = {"learned_vs_opencv": ("<=", 0.999), "landmark_tps_vs_opencv": ("<=", 0.999)}
SIZE = 64
LANDMARK_METHODS = ("landmark_tps", "learned")  # the methods that see landmarks, not the target image
DETECTORS = ("dlib", "course")  # independent of FaceWorld, and trained on it


def _methods():
    """name -> f(pair) -> flow. Image methods get (source, target); the others the landmarks."""
    from ..flow import classical
    from ..warps import tps_flow

    out = {name: (lambda p, f=f: f(p.source, p.target)) for name, f in classical.METHODS.items()}
    out["landmark_tps"] = lambda p: tps_flow(p.source_points, p.target_points, p.source.shape[:2])
    try:
        from ..flow.net import load_flow_net, predict_flow

        model = load_flow_net()
        out["learned"] = lambda p: predict_flow(model, p.source, p.source_points, p.target_points)
    except Exception as err:  # noqa: BLE001 - a missing or damaged checkpoint: report, measure the rest
        out["learned"] = err
    return out


def run(mode: str) -> SuiteResult:
    import torch

    from ..flow.pairs import face_mask, faceworld_pairs

    n = {"quick": 24, "standard": 100}.get(mode, 300)
    pairs = faceworld_pairs(n, SIZE, split="test")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    faces = [face_mask(p) for p in pairs]

    def epe(flows, masks):
        return float(np.mean([np.linalg.norm(f - p.flow, axis=-1)[m].mean() for f, p, m in zip(flows, pairs, masks)]))

    zero = [np.zeros_like(p.flow) for p in pairs]
    figures: dict[str, float] = {"epe_zero": epe(zero, faces), "epe_image_zero": epe(zero, [p.valid for p in pairs])}
    notes = [f"{n} FaceWorld test pairs at {SIZE} px (held-out identities); EPE in pixels on the face (epe_) and on "
             f"the whole image (epe_image_); doing nothing scores {figures['epe_zero']:.3f} / {figures['epe_image_zero']:.3f}"]

    def measure(name, method, exam, suffix=""):
        method(exam[0])  # warm-up (first calls build caches and kernels)
        flows, seconds = [], 0.0
        for p in exam:
            start = time.perf_counter()
            flows.append(method(p))
            seconds += time.perf_counter() - start
        figures[f"epe_{name}{suffix}"] = epe(flows, faces)  # the masks of the exact pairs, always
        figures[f"epe_image_{name}{suffix}"] = epe(flows, [p.valid for p in pairs])
        return 1000 * seconds / len(exam)

    try:
        methods = _methods()
        for name, method in methods.items():
            if isinstance(method, Exception):
                notes.append(f"{name} skipped: {method}")
                continue
            figures[f"ms_{name}"] = measure(name, method, pairs)
        for detector in DETECTORS:
            detected = _detected(pairs, detector, figures, notes)
            for name in LANDMARK_METHODS if detected is not None else ():
                if not isinstance(methods.get(name, KeyError(name)), Exception):
                    measure(name, methods[name], detected, f"_{detector}")
    finally:
        torch.set_num_threads(threads)
    if "epe_farneback" in figures and "epe_dis" in figures:
        best = min(figures["epe_farneback"], figures["epe_dis"])
        for name in [f"{m}{d}" for d in ("", *(f"_{d}" for d in DETECTORS)) for m in LANDMARK_METHODS]:
            if f"epe_{name}" in figures:
                figures[f"{name}_vs_opencv"] = figures[f"epe_{name}"] / best
    return check_bars(figures, BARS, notes)


def _detected(pairs, detector: str, figures: dict, notes: list):
    """The pairs with a detector's landmarks (flow.pairs.with_detected_landmarks), its figures added; None
    (and a note) when it cannot run here."""
    from ..flow.pairs import with_detected_landmarks
    from ..landmarks import usable_backends

    status = usable_backends()[detector]
    if not status.startswith("ready"):
        notes.append(f"_{detector} rows skipped: {status}")
        return None
    with_detected_landmarks(pairs[:1], detector)  # warm-up: loads the models
    start = time.perf_counter()
    detected, found = with_detected_landmarks(pairs, detector)
    figures[f"ms_{detector}"] = 1000 * (time.perf_counter() - start) / (2 * len(pairs))
    figures[f"{detector}_found"] = float(found.mean())
    errors = [np.linalg.norm(getattr(d, k) - getattr(p, k), axis=1).mean()
              for p, d, f in zip(pairs, detected, found) for k, ok in zip(("source_points", "target_points"), f) if ok]
    figures[f"{detector}_point_error"] = float(np.mean(errors)) if errors else float("nan")
    notes.append(f"_{detector} rows: the landmark methods given {detector}'s landmarks (frames enlarged 4x); it found "
                 f"{found.sum()} of {found.size} faces, {figures[f'{detector}_point_error']:.2f} px from the true points")
    return detected
