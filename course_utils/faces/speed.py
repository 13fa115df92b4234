"""How fast FaceWorld renders (image + landmarks + visibility + mask), on one CPU core."""

from __future__ import annotations

import time

import numpy as np

from .identity import random_frame, sample_identity
from .renderer import render


def measure_fps(size: int, n: int = 200, identities: int = 4, seed: int = 0, repeats: int = 3) -> float:
    """Frames per second of `render` at `size` on one thread (torch, OpenCV; set OMP_NUM_THREADS=1
    before starting Python for NumPy's BLAS too). Identities are built and cached first (building
    one costs about half a second, once); the best of `repeats` runs of n frames is returned."""
    import cv2

    try:
        import torch
        torch_threads = torch.get_num_threads()
        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        torch = None
    cv_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        rng = np.random.default_rng(seed)
        people = [sample_identity(int(s)) for s in rng.integers(0, 1 << 30, identities)]
        frames = [random_frame(rng) for _ in range(n)]
        for p in people:  # build and cache meshes and textures
            render(p, frames[0], size)
        best = np.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            for i, f in enumerate(frames):
                render(people[i % identities], f, size)
            best = min(best, time.perf_counter() - t0)
        return n / best
    finally:
        cv2.setNumThreads(cv_threads)
        if torch is not None:
            torch.set_num_threads(torch_threads)


