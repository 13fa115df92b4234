"""Optical flow from scratch (Lucas–Kanade, Horn–Schunck), OpenCV's for comparison, warping and pictures.

Flow convention (the course's, as in course_utils.faces.flow): backward, from the second image to the
first. Every method is called `method(first, second)` and returns `flow` (H, W, 2) float32 pixels with

    second(x, y) ≈ first(x + flow_x, y + flow_y)        so   warp(first, flow) ≈ second.

Brightness constancy, linearised around the current estimate f0 (first_w = first warped by f0):

    first_w(x) + Ix·du + Iy·dv − second(x) = 0     i.e.   Ix·du + Iy·dv + It = 0,   It = first_w − second,

where (Ix, Iy) is the image gradient (the mean of both images' gradients: accurate at the midpoint of
the motion). Sign check: if the picture moves d pixels to the right, second(x) = first(x − d), the
flow is −d, and It = first − second ≈ Ix·d > 0 on a rising edge, so du = −It/Ix = −d. ✓

Both from-scratch methods work coarse to fine: solve on a small copy of the images, double the flow,
warp the first image by it at the next finer level and solve only for the remaining correction.
"""

from __future__ import annotations

import time
from typing import Callable

import cv2
import numpy as np

from ..errors import CourseError
from ..faces.flow import flow_to_color, flow_to_grid
from ..faces.flow import warp as warp_cv2  # cv2.remap
from ..faces.flow import warp_torch as warp  # torch's grid_sample: the same convention

# 5-tap central derivative (Simoncelli-like; used by the Middlebury flow code): accurate to 4th order
_DERIV = np.array([[1, -8, 0, 8, -1]], np.float32) / 12
# Horn & Schunck's neighbourhood average: 1/6 for the 4 neighbours, 1/12 for the 4 diagonals
_HS_AVG = np.array([[1, 2, 1], [2, 0, 2], [1, 2, 1]], np.float32) / 12


# --------------------------------------------------------------------------------------------------
# Images and gradients


def to_gray(image: np.ndarray) -> np.ndarray:
    """(H, W) float32 in [0, 1] from an (H, W, 3) RGB or (H, W) image, uint8 (0–255) or float (0–1)."""
    img = np.asarray(image)
    scale = 1 / 255 if img.dtype == np.uint8 else 1.0
    img = img.astype(np.float32) * scale
    if img.ndim == 3:
        img = img[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.ascontiguousarray(img, dtype=np.float32)


def _dx(img: np.ndarray) -> np.ndarray:
    return cv2.filter2D(img, cv2.CV_32F, _DERIV, borderType=cv2.BORDER_REPLICATE)


def _dy(img: np.ndarray) -> np.ndarray:
    return cv2.filter2D(img, cv2.CV_32F, _DERIV.T, borderType=cv2.BORDER_REPLICATE)


def gradients(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Ix, Iy, It), each (H, W) float32, of two (H, W) float32 images, such that a backward flow
    (u, v) with second(x) ≈ first(x + u, y + v) satisfies Ix·u + Iy·v + It ≈ 0 (It = first − second)."""
    ix = 0.5 * (_dx(first) + _dx(second))
    iy = 0.5 * (_dy(first) + _dy(second))
    return ix, iy, first - second


COARSEST = 32  # pixels: a smaller level has too little of the face left to say how it moves


def _pyramid(img: np.ndarray, levels: int) -> list[np.ndarray]:
    """Finest first, each level half the size of the one before; never smaller than COARSEST pixels."""
    pyr = [img]
    for _ in range(levels - 1):
        if min(pyr[-1].shape[:2]) < 2 * COARSEST:
            break
        pyr.append(cv2.pyrDown(pyr[-1]))
    return pyr


def _resize_flow(flow: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Flow of a coarser level brought to `shape` (H, W): resized, and its vectors scaled with it."""
    h, w = shape
    out = cv2.resize(flow, (w, h), interpolation=cv2.INTER_LINEAR)
    out[..., 0] *= w / flow.shape[1]
    out[..., 1] *= h / flow.shape[0]
    return out


def _check_pair(first, second) -> None:
    """CourseError unless first and second are two pictures (H, W) or (H, W, 3) of numbers of the same size."""
    a, b = np.asarray(first), np.asarray(second)
    for im in (a, b):
        if im.ndim not in (2, 3) or not np.issubdtype(im.dtype, np.number):
            raise CourseError(f"Optical flow needs two pictures (H, W) or (H, W, 3) of numbers, not an array of shape "
                              f"{im.shape} and type {im.dtype}.")
    if a.shape[:2] != b.shape[:2]:
        raise CourseError(f"Optical flow needs two pictures of the same size, not {a.shape[1]} × {a.shape[0]} and "
                          f"{b.shape[1]} × {b.shape[0]}: resize one to match the other.")


def _coarse_to_fine(first, second, levels, solve_level) -> np.ndarray:
    """Run `solve_level(first_l, second_l, flow_init) -> flow` from the coarsest level to the finest."""
    _check_pair(first, second)
    p1, p2 = _pyramid(to_gray(first), levels), _pyramid(to_gray(second), levels)
    flow = np.zeros(p1[-1].shape + (2,), np.float32)
    for a, b in zip(reversed(p1), reversed(p2)):
        if flow.shape[:2] != a.shape:
            flow = _resize_flow(flow, a.shape)
        flow = solve_level(a, b, flow)
    return flow.astype(np.float32)


# --------------------------------------------------------------------------------------------------
# Lucas–Kanade (1981): the flow is constant in a small window; least squares there


def lucas_kanade(first: np.ndarray, second: np.ndarray, window: int = 5, levels: int = 3, iterations: int = 5,
                 min_eigen: float = 1e-4, median: int = 5) -> np.ndarray:
    """Dense Lucas–Kanade: (H, W, 2) float32 backward flow (second(x) ≈ first(x + flow)) of two images
    (H, W[, 3]), assuming the flow constant in a Gaussian-weighted window×window neighbourhood; solved
    coarse to fine over `levels` pyramid levels with `iterations` warp-and-refine steps per level.
    Where the window has too little texture (smallest eigenvalue of its 2×2 matrix below `min_eigen`)
    the flow is not updated; a `median`×`median` median filter after each step (0: none) removes outliers."""

    def blur(a):
        return cv2.GaussianBlur(a, (window, window), 0, borderType=cv2.BORDER_REPLICATE)

    def solve_level(a, b, flow):
        for _ in range(iterations):
            ix, iy, it = gradients(warp_cv2(a, flow), b)
            # the 2×2 system, summed over each pixel's window:  [sxx sxy; sxy syy] (du, dv) = −(sxt, syt)
            sxx, sxy, syy = blur(ix * ix), blur(ix * iy), blur(iy * iy)
            sxt, syt = blur(ix * it), blur(iy * it)
            det = sxx * syy - sxy ** 2
            half_trace = 0.5 * (sxx + syy)
            lam_min = half_trace - np.sqrt(np.maximum(half_trace ** 2 - det, 0))
            ok = lam_min > min_eigen
            safe = np.where(ok, det, 1.0)
            du = np.where(ok, (-syy * sxt + sxy * syt) / safe, 0.0)
            dv = np.where(ok, (sxy * sxt - sxx * syt) / safe, 0.0)
            flow = flow + np.stack([du, dv], -1).astype(np.float32)
            if median:  # knocks out the odd wild vector before the next level magnifies it
                flow = cv2.medianBlur(flow, median)
        return flow

    return _coarse_to_fine(first, second, levels, solve_level)


# --------------------------------------------------------------------------------------------------
# Horn–Schunck (1981): brightness constancy everywhere + a smoothness penalty alpha²·|∇flow|²


def horn_schunck(first: np.ndarray, second: np.ndarray, alpha: float = 0.005, iterations: int = 10,
                 levels: int = 3, warps: int = 3, median: int = 5) -> np.ndarray:
    """Horn–Schunck: (H, W, 2) float32 backward flow (second(x) ≈ first(x + flow)) of two images
    (H, W[, 3]) minimising Σ (Ix·u + Iy·v + It)² + alpha²·(|∇u|² + |∇v|²), intensities in [0, 1];
    `iterations` Jacobi updates per warp, `warps` warps per level, over `levels` pyramid levels, and a
    `median`×`median` median filter of the flow after each warp (0: none; Sun, Roth & Black 2010's trick).
    The defaults are tuned on FaceWorld validation pairs: more iterations let the face's motion leak
    into the still background, because the smoothness term does not know where the face ends."""

    def solve_level(a, b, flow):
        for _ in range(warps):
            ix, iy, it = gradients(warp_cv2(a, flow), b)
            u0, v0 = flow[..., 0].copy(), flow[..., 1].copy()
            it = it - ix * u0 - iy * v0  # so that the equation is Ix·u + Iy·v + It = 0 in the total flow
            denom = alpha ** 2 + ix ** 2 + iy ** 2
            u, v = u0, v0
            for _ in range(iterations):
                u_avg = cv2.filter2D(u, -1, _HS_AVG, borderType=cv2.BORDER_REPLICATE)
                v_avg = cv2.filter2D(v, -1, _HS_AVG, borderType=cv2.BORDER_REPLICATE)
                step = (ix * u_avg + iy * v_avg + it) / denom
                u, v = u_avg - ix * step, v_avg - iy * step
            flow = np.stack([u, v], -1).astype(np.float32)
            if median:
                flow = cv2.medianBlur(flow, median)
        return flow

    return _coarse_to_fine(first, second, levels, solve_level)


# --------------------------------------------------------------------------------------------------
# OpenCV's methods, in the course's convention


def _u8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(to_gray(image) * 255), 0, 255).astype(np.uint8)


FARNEBACK_DEFAULTS = dict(pyr_scale=0.5, levels=3, winsize=5, iterations=3, poly_n=5, poly_sigma=1.1, flags=0)


def farneback(first: np.ndarray, second: np.ndarray, **params) -> np.ndarray:
    """OpenCV's Farnebäck (2003) polynomial-expansion flow: (H, W, 2) float32, course convention
    (second(x) ≈ first(x + flow)); `params` override FARNEBACK_DEFAULTS (cv2.calcOpticalFlowFarneback's)."""
    # OpenCV's flow goes from prev to next with prev(x) ≈ next(x + flow): prev = second, next = first
    _check_pair(first, second)
    return cv2.calcOpticalFlowFarneback(_u8(second), _u8(first), None, **(FARNEBACK_DEFAULTS | params))


DIS_PRESETS = {"ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST, "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
               "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}


def dis(first: np.ndarray, second: np.ndarray, preset: str = "medium", finest_scale: int | None = 0,
        patch_size: int | None = 4, patch_stride: int | None = 2) -> np.ndarray:
    """OpenCV's DIS flow (Kroeger et al. 2016, dense inverse search): (H, W, 2) float32, course
    convention; `preset` one of DIS_PRESETS; the three settings (None keeps the preset's) default to
    values that suit faces of 64–256 px (the presets are tuned for 1024 px video)."""
    if preset not in DIS_PRESETS:
        raise CourseError(
            f"The DIS preset must be one of {', '.join(map(repr, DIS_PRESETS))}, not {preset!r}: pick one of those."
        )
    _check_pair(first, second)
    method = cv2.DISOpticalFlow_create(DIS_PRESETS[preset])
    if finest_scale is not None:
        method.setFinestScale(finest_scale)
    if patch_size is not None:
        method.setPatchSize(patch_size)
    if patch_stride is not None:
        method.setPatchStride(patch_stride)
    return method.calc(_u8(second), _u8(first), None)


# --------------------------------------------------------------------------------------------------
# Warping (faces.flow.warp_torch and faces.flow.warp, imported above as warp and warp_cv2) and errors


def epe_map(flow: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(H, W) float32 end-point error: the length of flow − truth at each pixel, in pixels."""
    return np.linalg.norm(np.asarray(flow, np.float32) - np.asarray(truth, np.float32), axis=-1)


def endpoint_error(flow: np.ndarray, truth: np.ndarray, valid: np.ndarray | None = None) -> float:
    """Mean end-point error in pixels over the `valid` (H, W) bool pixels (all where None)."""
    err = epe_map(flow, truth)
    return float(err[valid].mean() if valid is not None else err.mean())


# --------------------------------------------------------------------------------------------------
# Pictures


def color_wheel(size: int = 128) -> np.ndarray:
    """(size, size, 3) uint8 legend of flow_to_color: the colour of a flow vector pointing from the
    centre to each pixel, full saturation at the rim; white outside the disc."""
    c = (size - 1) / 2
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    flow = np.stack([xs - c, ys - c], -1)
    inside = np.hypot(xs - c, ys - c) <= c
    rgb = flow_to_color(flow, max_mag=c)
    rgb[~inside] = 255
    return rgb


def draw_arrows(ax, flow: np.ndarray, step: int = 8, scale: float = 1.0, color: str = "yellow",
                valid: np.ndarray | None = None, min_length: float = 0.25, **quiver_kw):
    """Draw a backward flow (H, W, 2) as arrows on an image axis, one per `step` pixels. Each arrow shows
    the MOTION: it starts where the pixel was in the first image (x + flow) and points to where it is in
    the second (x), i.e. it is −flow, drawn `scale` times its length. Skips invalid and shorter vectors."""
    h, w = flow.shape[:2]
    ys, xs = np.mgrid[step // 2:h:step, step // 2:w:step]
    f = flow[ys, xs]
    keep = np.hypot(f[..., 0], f[..., 1]) >= min_length
    if valid is not None:
        keep &= valid[ys, xs]
    fx, fy = f[..., 0][keep], f[..., 1][keep]
    x0, y0 = xs[keep] + fx, ys[keep] + fy
    kw = dict(angles="xy", scale_units="xy", scale=1 / scale, color=color, width=0.004, headwidth=4) | quiver_kw
    return ax.quiver(x0, y0, -fx, -fy, **kw)


# --------------------------------------------------------------------------------------------------
# The methods, side by side

FlowMethod = Callable[[np.ndarray, np.ndarray], np.ndarray]

METHODS: dict[str, FlowMethod] = {
    "horn_schunck": horn_schunck,
    "lucas_kanade": lucas_kanade,
    "farneback": farneback,
    "dis": dis,
}


def compare(pairs, methods: dict[str, FlowMethod] | None = None) -> dict[str, dict[str, float]]:
    """Run each method on FlowPairs; per method the mean EPE (px, over valid pixels), its EPE per pair
    and the mean milliseconds per pair. 'zero flow' (doing nothing) is the baseline to beat."""
    methods = dict(METHODS if methods is None else methods)
    zero = [endpoint_error(np.zeros_like(p.flow), p.flow, p.valid) for p in pairs]
    rows = {"zero flow": {"epe": float(np.mean(zero)), "ms": 0.0, "per_pair": zero}}
    for name, method in methods.items():
        errors, seconds = [], 0.0
        for p in pairs:
            t = time.perf_counter()
            flow = method(p.source, p.target)
            seconds += time.perf_counter() - t
            errors.append(endpoint_error(flow, p.flow, p.valid))
        rows[name] = {"epe": float(np.mean(errors)), "ms": 1000 * seconds / max(len(pairs), 1), "per_pair": errors}
    return rows


__all__ = [
    "to_gray", "gradients", "lucas_kanade", "horn_schunck", "farneback", "dis", "FARNEBACK_DEFAULTS", "DIS_PRESETS",
    "warp", "warp_cv2", "flow_to_grid", "epe_map", "endpoint_error", "flow_to_color", "color_wheel", "draw_arrows",
    "METHODS", "FlowMethod", "compare",
]
