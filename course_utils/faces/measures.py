"""Measures of a face read off its 68 landmarks alone (no network): the eye distance, the mouth's opening and the
eyes' openness. The judge (course_utils.judge) and the driving videos (course_utils.driving) both use them."""

from __future__ import annotations

import numpy as np

INNER_LIP_PAIRS = ((61, 67), (62, 66), (63, 65))


def inter_ocular(points: np.ndarray) -> float:
    """Distance between the two eye centres of (68, 2) points, the usual landmark-error normaliser."""
    p = np.asarray(points, np.float32)
    return float(np.linalg.norm(p[36:42].mean(0) - p[42:48].mean(0)))


def mouth_opening(points: np.ndarray) -> float:
    """Gap between the inner lips, in units of the inter-ocular distance (0 closed, about 0.5 wide open)."""
    p = np.asarray(points, np.float32)
    gap = np.mean([np.linalg.norm(p[a] - p[b]) for a, b in INNER_LIP_PAIRS])
    return float(gap / max(inter_ocular(p), 1e-6))


def eye_openness(points: np.ndarray) -> float:
    """Eye aspect ratio averaged over both eyes (Soukupová & Čech 2016): about 0.3 open, under 0.15 closed."""
    p = np.asarray(points, np.float32)
    ears = []
    for e in (p[36:42], p[42:48]):
        ears.append((np.linalg.norm(e[1] - e[5]) + np.linalg.norm(e[2] - e[4])) / (2 * max(np.linalg.norm(e[0] - e[3]), 1e-6)))
    return float(np.mean(ears))
