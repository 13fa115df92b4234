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

The pairs: held-out FaceWorld test identities at 64 px (the talking-head model's size), each a turn of
up to 12°, a nod, a tilt and a new expression (course_utils.flow.pairs). The image methods see both
images; the landmark warp and the learned network see the source image and both frames' landmarks
(the true ones: the detector's error is chapter 03's business).
"""

from __future__ import annotations

import time

import numpy as np

from .result import SuiteResult, check_bars

BARS = {"learned_vs_opencv": ("<=", 0.999), "landmark_tps_vs_opencv": ("<=", 0.999)}
SIZE = 64


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
    try:
        for name, method in _methods().items():
            if isinstance(method, Exception):
                notes.append(f"{name} skipped: {method}")
                continue
            method(pairs[0])  # warm-up (first calls build caches and kernels)
            flows, seconds = [], 0.0
            for p in pairs:
                start = time.perf_counter()
                flows.append(method(p))
                seconds += time.perf_counter() - start
            figures[f"epe_{name}"] = epe(flows, faces)
            figures[f"epe_image_{name}"] = epe(flows, [p.valid for p in pairs])
            figures[f"ms_{name}"] = 1000 * seconds / len(pairs)
    finally:
        torch.set_num_threads(threads)
    if "epe_farneback" in figures and "epe_dis" in figures:
        best = min(figures["epe_farneback"], figures["epe_dis"])
        for name in ("learned", "landmark_tps"):
            if f"epe_{name}" in figures:
                figures[f"{name}_vs_opencv"] = figures[f"epe_{name}"] / best
    return check_bars(figures, BARS, notes)
