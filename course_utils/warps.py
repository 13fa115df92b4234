"""Landmark-driven warps: make a still portrait smile, blink and talk by moving its 68 landmarks.

Every warp here is a *backward* flow, as everywhere in the course: ``flow[y, x] = (dx, dy)`` pixels with
``out(x, y) = image(x + dx, y + dy)``. To move the features at ``src_points`` to ``dst_points`` the flow
must be known at the destinations, pointing back: ``flow(dst_i) = src_i - dst_i``; between the points it
is interpolated, and that interpolation is the whole difference between the two methods:

piecewise affine   cut the destination points (plus fixed points on the image border) into Delaunay
                   triangles; inside each triangle the map back to the source triangle is affine
                   (barycentric coordinates). Exact at the points, fast, but only continuous: its
                   derivative jumps on triangle edges, which can show as kinks in straight lines.
thin-plate spline  the smoothest map through the points: f(p) = a0 + A p + sum_i w_i U(|p - c_i|) with
                   U(r) = r^2 log r^2, the bending energy of a thin metal plate. Smooth everywhere, but
                   global: every point pulls a little on the whole image (fixed anchors keep it local).

Relative motion transfer. To drive a portrait by someone else's face (a FaceWorld person), we do not
copy the driver's landmarks -- that would give the portrait the driver's jaw line, eye spacing and
nose: *identity leakage*. We take only the driver's motion, d_t = driver_t - driver_reference, turn
and scale it into the portrait's frame (the rotation + scale of the similarity from the driver's
reference face to the portrait's face), and add it to the portrait's own landmarks. This is the
"relative" mode of the First Order Motion Model (Siarohin et al. 2019), reduced to landmarks.

    anim = PortraitAnimator(images.portrait("astronaut").image)     # detects the face, crops it
    smile = anim.pose(smile=0.8)                                    # (256, 256, 3) uint8
    frames, driver = anim.talk(50)                                  # a talking, blinking portrait

PortraitAnimator returns the *face crop* (the face box enlarged about 2x, resized to work_size), not the
whole photo: it is what the learner looks at, and it keeps every frame fast.
"""

from __future__ import annotations

import cv2
import numpy as np

from .errors import CourseError
from .faces import warp as warp_image
from .faces.drivers import AVERAGE_PERSON, faceworld_driver, faceworld_landmarks
from .faces.framing import crop_with_matrix, move_points, similarity_transform

__all__ = [
    "border_points", "piecewise_affine_flow", "ThinPlateSpline", "tps_flow", "warp_image", "landmark_warp",
    "transfer_motion", "expression_points", "paint_mouth", "paint_closed_eyes", "face_anchor_points", "PortraitAnimator",
]

INNER_LIPS = list(range(60, 68))
UPPER_INNER = [60, 61, 62, 63, 64]
LOWER_INNER = [60, 67, 66, 65, 64]
MIN_SEPARATION = 0.75  # px: destination points closer than this are merged before a spline is fitted


# --------------------------------------------------------------------------------------------------
# Anchor points


def border_points(shape, per_side: int = 4) -> np.ndarray:
    """(4 * per_side, 2) float32 pixel points on the image border: the four corners and per_side - 1
    evenly spaced points between neighbouring corners. They stay fixed, so the frame does not move."""
    h, w = int(shape[0]), int(shape[1])
    per_side = max(1, int(per_side))
    t = np.linspace(0.0, 1.0, per_side + 1)[:-1]
    x1, y1 = w - 1.0, h - 1.0
    top = np.stack([t * x1, np.zeros_like(t)], 1)
    right = np.stack([np.full_like(t, x1), t * y1], 1)
    bottom = np.stack([x1 - t * x1, np.full_like(t, y1)], 1)
    left = np.stack([np.zeros_like(t), y1 - t * y1], 1)
    return np.concatenate([top, right, bottom, left]).astype(np.float32)


def face_anchor_points(points: np.ndarray, n: int = 20, scale: float = 1.55) -> np.ndarray:
    """(n, 2) float32 points on an ellipse around the face (forehead and hair included), `scale` times the
    landmarks' half extent. Anchoring them keeps an expression's warp on the face: the background,
    hair and shoulders outside the ring do not drag along."""
    p = np.asarray(points, np.float64)
    lo, hi = p.min(0), p.max(0)
    centre = np.array([(lo[0] + hi[0]) / 2, lo[1] + 0.42 * (hi[1] - lo[1])])  # the brows sit low in the box
    r = np.array([(hi[0] - lo[0]) / 2, (hi[1] - lo[1]) * 0.62]) * scale
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.stack([np.cos(a), np.sin(a)], 1) * r
    ring[:, 1] *= np.where(ring[:, 1] > 0, 0.85, 1.0)  # closer under the chin: the neck should not stretch far
    return (centre + ring).astype(np.float32)


def _with_border(src, dst, shape, border):
    src = np.asarray(src, np.float64).reshape(-1, 2)
    dst = np.asarray(dst, np.float64).reshape(-1, 2)
    if src.shape != dst.shape:
        raise CourseError(f"The source and destination points must match, but got {src.shape} and {dst.shape}.")
    if border:
        b = border_points(shape).astype(np.float64)
        src, dst = np.concatenate([src, b]), np.concatenate([dst, b])
    return src, dst


# --------------------------------------------------------------------------------------------------
# Piecewise affine


def piecewise_affine_flow(src_points, dst_points, shape, border: bool = True) -> np.ndarray:
    """(H, W, 2) float32 backward flow moving src_points (N, 2) px to dst_points (N, 2) px: Delaunay
    triangles of the destination points (+ fixed border points), each pixel mapped back into its source
    triangle with its barycentric coordinates. Zero flow outside the triangles."""
    from scipy.spatial import Delaunay

    h, w = int(shape[0]), int(shape[1])
    src, dst = _with_border(src_points, dst_points, shape, border)
    tri = Delaunay(dst)
    ys, xs = np.mgrid[0:h, 0:w]
    pix = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float64)
    simplex = tri.find_simplex(pix)
    inside = simplex >= 0
    s = simplex[inside]
    T = tri.transform[s]  # (M, 3, 2): rows 0-1 the inverse of the triangle's edge matrix, row 2 its origin
    b01 = np.einsum("mij,mj->mi", T[:, :2], pix[inside] - T[:, 2])
    bary = np.concatenate([b01, 1 - b01.sum(1, keepdims=True)], 1)  # (M, 3)
    corners = src[tri.simplices[s]]  # (M, 3, 2)
    back = np.einsum("mk,mkd->md", bary, corners)
    flow = np.zeros((h * w, 2), np.float32)
    flow[inside] = back - pix[inside]
    return flow.reshape(h, w, 2)


# --------------------------------------------------------------------------------------------------
# Thin-plate spline


def _tps_kernel(r2: np.ndarray) -> np.ndarray:
    """U = r^2 log r^2, with U(0) = 0."""
    return r2 * np.log(np.maximum(r2, 1e-30))


class ThinPlateSpline:
    """f: R^2 -> R^d through `values` (N, d) or (N,) at `control` (N, 2):
    f(p) = a0 + A p + sum_i w_i U(|p - c_i|), U(r) = r^2 log r^2. With smoothing 0 it interpolates
    exactly; smoothing > 0 trades exactness for less bending (K + smoothing * I)."""

    def __init__(self, control, values, smoothing: float = 0.0):
        c = np.asarray(control, np.float64).reshape(-1, 2)
        v = np.asarray(values, np.float64)
        self._squeeze = v.ndim == 1
        v = v.reshape(len(c), -1)
        n = len(c)
        if n < 3:
            raise CourseError(f"A thin-plate spline needs at least 3 control points, but got {n}.")
        K = _tps_kernel(np.square(c[:, None, 0] - c[:, 0]) + np.square(c[:, None, 1] - c[:, 1])) + float(smoothing) * np.eye(n)
        P = np.hstack([np.ones((n, 1)), c])
        L = np.zeros((n + 3, n + 3))
        L[:n, :n], L[:n, n:], L[n:, :n] = K, P, P.T
        rhs = np.zeros((n + 3, v.shape[1]))
        rhs[:n] = v
        try:
            sol = np.linalg.solve(L, rhs)
        except np.linalg.LinAlgError:  # repeated or collinear control points: the least-squares answer
            sol = np.linalg.lstsq(L, rhs, rcond=None)[0]
        self.control, self.weights, self.affine = c, sol[:n], sol[n:]

    def __call__(self, points) -> np.ndarray:
        """(M, 2) points -> (M, d) values ((M,) if the values were given as (N,))."""
        p = np.asarray(points, np.float64).reshape(-1, 2)
        out = np.empty((len(p), self.weights.shape[1]))
        cx, cy = self.control[:, 0], self.control[:, 1]
        for i in range(0, len(p), 8192):  # chunks keep the (chunk, N) kernel matrix small
            q = p[i:i + 8192]
            r2 = np.square(q[:, :1] - cx) + np.square(q[:, 1:] - cy)
            out[i:i + 8192] = _tps_kernel(r2) @ self.weights + self.affine[0] + q @ self.affine[1:]
        return out[:, 0] if self._squeeze else out


def _merge_close(dst, src, min_sep=MIN_SEPARATION):
    """Merge destination points closer than min_sep px (their source points averaged): two different
    values at one place would make the spline swing wildly, as when an eyelid closes onto the other."""
    d = np.hypot(dst[:, None, 0] - dst[:, 0], dst[:, None, 1] - dst[:, 1])
    close = d < min_sep
    if close.sum() == len(dst):  # only each point with itself: nothing to merge
        return dst, src
    keep_d, keep_s = [], []
    used = np.zeros(len(dst), bool)
    alone = close.sum(1) == 1  # near nothing but itself: kept as it is (the common case, no search needed)
    for i in range(len(dst)):
        if used[i]:
            continue
        if alone[i]:
            keep_d.append(dst[i])
            keep_s.append(src[i])
            continue
        near = np.nonzero(~used & close[i])[0]
        used[near] = True
        keep_d.append(dst[near].mean(0))
        keep_s.append(src[near].mean(0))
    return np.array(keep_d), np.array(keep_s)


def tps_flow(src_points, dst_points, shape, border: bool = True, smoothing: float = 0.0) -> np.ndarray:
    """(H, W, 2) float32 backward flow moving src_points (N, 2) px to dst_points (N, 2) px: a thin-plate
    spline from destination to source positions (+ fixed border points), evaluated on a grid every
    max(H, W) / 96 pixels and upsampled bilinearly (a smooth field: under 0.1 px lost for 99% of pixels)."""
    h, w = int(shape[0]), int(shape[1])
    src, dst = _with_border(src_points, dst_points, shape, border)
    dst, src = _merge_close(dst, src)
    tps = ThinPlateSpline(dst, src - dst, smoothing)
    step = max(1, int(np.ceil(max(h, w) / 96)))
    gy = np.arange(0, h - 1 + step, step, dtype=np.float64)
    gx = np.arange(0, w - 1 + step, step, dtype=np.float64)
    X, Y = np.meshgrid(gx, gy)
    coarse = tps(np.stack([X.ravel(), Y.ravel()], 1)).reshape(len(gy), len(gx), 2).astype(np.float32)
    if step == 1:
        return np.ascontiguousarray(coarse[:h, :w])
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32) / step, np.arange(h, dtype=np.float32) / step)
    return cv2.remap(coarse, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def landmark_warp(image, src_points, dst_points, method: str = "tps", border: bool = True):
    """Move the image's features from src_points to dst_points (N, 2) px. method 'tps' or
    'piecewise_affine'. Returns (warped image, same shape and dtype; flow (H, W, 2) float32)."""
    image = np.asarray(image)
    if method == "tps":
        flow = tps_flow(src_points, dst_points, image.shape[:2], border)
    elif method in ("piecewise_affine", "pa"):
        flow = piecewise_affine_flow(src_points, dst_points, image.shape[:2], border)
    else:
        raise CourseError(f"Unknown warp method {method!r}; use 'tps' or 'piecewise_affine'.")
    return warp_image(image, flow), flow


# --------------------------------------------------------------------------------------------------
# Motion transfer


def transfer_motion(portrait_points, driver_points, driver_reference) -> np.ndarray:
    """Relative motion transfer: portrait (68, 2) + R (driver - driver_reference), R the rotation and
    scale of the similarity from driver_reference (68, 2) to the portrait. driver_points (T, 68, 2) or
    (68, 2); returns the same shape, float32 px in the portrait's image."""
    portrait = np.asarray(portrait_points, np.float32)
    ref = np.asarray(driver_reference, np.float32)
    drv = np.asarray(driver_points, np.float32)
    if portrait.shape != (68, 2) or ref.shape != (68, 2) or drv.shape[-2:] != (68, 2):
        raise CourseError(f"Motion transfer needs 68 landmarks (68, 2) for the portrait and the driver's reference and "
                          f"(T, 68, 2) or (68, 2) for the driver, not {portrait.shape}, {ref.shape} and {drv.shape}.")
    lin = similarity_transform(ref, portrait)[:, :2]
    return (portrait + (drv - ref) @ lin.T).astype(np.float32)


def expression_points(portrait_points, smile=0., jaw_open=0., brow_raise=0., blink=0., yaw=0., pitch=0.,
                      roll=0.) -> np.ndarray:
    """(68, 2) float32 target landmarks: the portrait's own points (68, 2) px moved as FaceWorld's average
    person moves from neutral to this expression and pose (relative motion transfer). Expression
    weights in [0, 1]; angles in degrees."""
    ref = faceworld_landmarks(AVERAGE_PERSON)
    drv = faceworld_landmarks(AVERAGE_PERSON, float(smile), float(jaw_open), float(brow_raise), float(blink),
                              float(blink), float(yaw), float(pitch), float(roll))
    return transfer_motion(portrait_points, drv, ref)


# --------------------------------------------------------------------------------------------------
# Painting what a warp cannot invent: the inside of an open mouth


def _lip_frame(points):
    """Origin, unit axis along the mouth (60 -> 64) and its normal (pointing down the face)."""
    p = np.asarray(points, np.float64)
    o = p[60]
    u = p[64] - p[60]
    width = max(np.linalg.norm(u), 1e-6)
    u = u / width
    n = np.array([-u[1], u[0]])
    return o, u, n, width


def mouth_gap(points) -> float:
    """Mean distance (px) between the upper and lower inner lip (61-67, 62-66, 63-65)."""
    p = np.asarray(points, np.float64)
    return float(np.mean([np.linalg.norm(p[a] - p[b]) for a, b in ((61, 67), (62, 66), (63, 65))]))


def paint_mouth(image, points, strength: float = 1.0, teeth: float = 1.0, keep_top: float = 0.0) -> np.ndarray:
    """Paint the inside of the inner lips (points 60-67 of (68, 2) px) as an open mouth: a dark red-brown
    cavity, darkest in the middle, with a band of upper teeth under the upper lip, soft-edged, opacity
    `strength` in [0, 1]. Colours follow the skin around the mouth, so a sepia portrait stays sepia.
    keep_top > 0 leaves a band of that many px under the upper lip as it is (the portrait's own teeth,
    carried there by the warp) and paints no teeth. Returns a new (H, W, 3) uint8 image."""
    img = np.asarray(image)
    strength = float(np.clip(strength, 0, 1))
    p = np.asarray(points, np.float64)
    if strength <= 0 or mouth_gap(p) < 1.0:
        return img.copy()
    h, w = img.shape[:2]
    o, u, n, width = _lip_frame(p)
    x0, y0 = np.floor(p[INNER_LIPS].min(0) - 4).astype(int)
    x1, y1 = np.ceil(p[INNER_LIPS].max(0) + 4).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w - 1), min(y1, h - 1)
    if x1 <= x0 or y1 <= y0:
        return img.copy()
    sub = img[y0:y1 + 1, x0:x1 + 1].astype(np.float32)
    sh, sw = sub.shape[:2]
    # where each pixel lies between the lips: s along the mouth (0..1), v across it; the lips as smooth
    # (monotone cubic) curves through their points, so the mouth is not a polygon
    from scipy.interpolate import PchipInterpolator

    ys, xs = np.mgrid[y0:y1 + 1, x0:x1 + 1].astype(np.float64)
    rel = np.stack([xs - o[0], ys - o[1]], -1)
    s = (rel @ u) / width
    v = rel @ n

    def curve(idx):
        cs, cv = ((p[idx] - o) @ u) / width, (p[idx] - o) @ n
        order = np.argsort(cs)
        cs, cv = cs[order], cv[order]
        keep = np.concatenate([[True], np.diff(cs) > 1e-6])
        if keep.sum() < 2:
            return np.interp(s, cs, cv)
        return PchipInterpolator(cs[keep], cv[keep])(np.clip(s, cs[keep][0], cs[keep][-1]))

    v_up, v_lo = curve(UPPER_INNER), curve(LOWER_INNER)
    gap = np.maximum(v_lo - v_up, 1e-3)
    t = np.clip((v - v_up) / gap, 0, 1)
    mask = (np.clip(v - v_up + 0.5, 0, 1) * np.clip(v_lo - v + 0.5, 0, 1) * (v_lo > v_up)
            * np.clip(np.minimum(s, 1 - s) * width + 0.5, 0, 1)).astype(np.float32)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.6, width / 50))
    # colours from the skin just around the mouth
    ring = cv2.dilate((mask > 0.05).astype(np.uint8), np.ones((5, 5), np.uint8)) - (mask > 0.05).astype(np.uint8)
    skin = sub[ring > 0].mean(0) if ring.any() else np.array([180, 130, 110], np.float32)
    tint = skin / max(skin.mean(), 1.0)  # the picture's colour cast
    cavity = np.array([0.55, 0.28, 0.25]) * tint  # dark red-brown, in the picture's colours
    edge = np.clip(np.abs(s - 0.5) * 2, 0, 1) ** 2  # 0 in the middle, 1 at the corners
    depth = 1 - 0.55 * np.sin(np.pi * t) * (1 - edge)  # darkest at the centre
    colour = (cavity * 100)[None, None] * depth[..., None]
    # upper teeth: a light band under the upper lip, about 1/7 of the mouth width, at most half the gap
    band = min(0.14 * width, 0.5 * float(np.median(gap[mask > 0.5])) if (mask > 0.5).any() else 0.0)
    dist = v - v_up
    if keep_top > 0:
        mask = mask * np.clip((dist - keep_top) / 1.5, 0, 1)
    elif teeth > 0 and band > 0.8:
        tooth = np.clip((0.55 * skin.mean() + 130) * (0.85 + 0.15 * tint), 0, 245)  # off-white, the picture's cast
        tb = np.clip((band - dist) / 1.2, 0, 1) * np.clip(1 - 1.8 * edge, 0, 1) * float(teeth)
        colour = colour * (1 - tb[..., None]) + tooth * tb[..., None] * (0.85 + 0.15 * (1 - edge))[..., None]
    a = (mask * strength)[..., None]
    out = img.copy()
    out[y0:y1 + 1, x0:x1 + 1] = np.clip(sub * (1 - a) + colour * a, 0, 255).astype(np.uint8)
    return out


LID_PAIRS = ((37, 41), (38, 40), (43, 47), (44, 46))  # (upper, lower) eyelid points
EYES = (list(range(36, 42)), list(range(42, 48)))


def _lid_gaps(points) -> np.ndarray:
    """(4,) px: how far each upper eyelid point is above its lower partner."""
    p = np.asarray(points, np.float64)
    return np.array([p[lo, 1] - p[up, 1] for up, lo in LID_PAIRS])


def paint_closed_eyes(image, points, closure) -> np.ndarray:
    """Paint each eye (points 36-41, 42-47 of (68, 2) px) as a closed lid: skin from just above the eye
    and a dark lash line along the lower lid, opacity closure (2,) in [0, 1] (left of the image first).
    Returns a new (H, W, 3) uint8 image."""
    out = np.asarray(image).copy()
    p = np.asarray(points, np.float64)
    h, w = out.shape[:2]
    for idx, c in zip(EYES, np.broadcast_to(np.asarray(closure, np.float64), (2,))):
        if c <= 0.01:
            continue
        e = p[idx]
        width = float(np.linalg.norm(e[3] - e[0]))
        pad = max(2.0, 0.35 * width)
        x0, y0 = np.floor(e.min(0) - pad).astype(int)
        x1, y1 = np.ceil(e.max(0) + pad).astype(int)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w - 1), min(y1, h - 1)
        if x1 <= x0 or y1 <= y0:
            continue
        sub = out[y0:y1 + 1, x0:x1 + 1].astype(np.float32)
        sh, sw = sub.shape[:2]
        up = 4
        poly = np.round((e - [x0, y0] + 0.5) * up - 0.5).astype(np.int32)
        big = np.zeros((sh * up, sw * up), np.uint8)
        cv2.fillPoly(big, [poly], 255, lineType=cv2.LINE_AA)
        grow = 2 * max(1, int(round(up * width / 9))) + 1  # cover the squashed lashes of the open eye too
        big = cv2.dilate(big, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
        mask = cv2.resize(big, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        mask = cv2.GaussianBlur(mask, (0, 0), max(0.7, width / 14))
        # lid skin: the band just above the eye, a quarter of an eye width up
        shift = int(round(0.45 * width))
        lid = np.roll(sub, shift, axis=0)
        lid = cv2.GaussianBlur(lid, (0, 0), max(0.8, width / 12))
        # the lash line along the lower lid
        lash = np.zeros((sh * up, sw * up), np.uint8)
        lower = e[[0, 5, 4, 3]]  # corner, lower lid, corner: a smooth curve through them
        xs = np.linspace(lower[0, 0], lower[-1, 0], 16)
        ys = np.polyval(np.polyfit(lower[:, 0], lower[:, 1], 2), xs)
        line = np.round((np.stack([xs, ys], 1) - [x0, y0] + 0.5) * up - 0.5).astype(np.int32)
        cv2.polylines(lash, [line], False, 255, thickness=max(1, int(round(up * width / 14))), lineType=cv2.LINE_AA)
        lash = cv2.resize(lash, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        painted = lid * (1 - 0.6 * cv2.GaussianBlur(lash, (0, 0), 0.6)[..., None])
        a = (mask * float(np.clip(c, 0, 1)))[..., None]
        out[y0:y1 + 1, x0:x1 + 1] = np.clip(sub * (1 - a) + painted * a, 0, 255).astype(np.uint8)
    return out


# --------------------------------------------------------------------------------------------------
# The animator


def _polygon_mask(poly, shape, blur: float = 0.0) -> np.ndarray:
    """(H, W) float32 in [0, 1]: the polygon (K, 2) px, anti-aliased, optionally blurred by `blur` px."""
    up = 4
    big = np.zeros((shape[0] * up, shape[1] * up), np.uint8)
    cv2.fillPoly(big, [np.round((np.asarray(poly) + 0.5) * up - 0.5).astype(np.int32)], 255, lineType=cv2.LINE_AA)
    mask = cv2.resize(big, (shape[1], shape[0]), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    return cv2.GaussianBlur(mask, (0, 0), blur) if blur > 0 else mask


def _head_motion(src, dst):
    """The 2x3 similarity that best moves the rigid part of the face (nose bridge, eye corners, ears'
    level of the jaw line) from src to dst."""
    rigid = [0, 1, 15, 16, 27, 28, 29, 30, 31, 35, 36, 39, 42, 45]
    return similarity_transform(np.asarray(src)[rigid], np.asarray(dst)[rigid])


def _blend_matrix(m, amount):
    """The similarity `m` (2x3) scaled back towards the identity by `amount` in [0, 1]."""
    return (np.hstack([np.eye(2), np.zeros((2, 1))]) * (1 - amount) + m * amount).astype(np.float32)


class PortraitAnimator:
    """Animate one portrait by moving its landmarks. It works on (and returns) the face crop: the box
    around the landmarks enlarged about 2x, resized to work_size x work_size.

    image (H, W, 3) uint8; points (68, 2) px in `image` (detected with landmarks.detect when None);
    method 'tps' or 'piecewise_affine'. crop=False: the image is already a square face crop (for instance
    framed like chapter 08's GAN frames); it is used as it is and work_size is its side."""

    def __init__(self, image, points=None, backend: str = "auto", method: str = "tps", work_size: int = 256,
                 crop: bool = True):
        from .images import array_to_rgb

        image = array_to_rgb(np.asarray(image))
        if points is None:
            from . import landmarks

            points = landmarks.detect(image, backend=backend).faces[0].points
        points = np.asarray(points, np.float32)
        if points.shape != (68, 2):
            raise CourseError(f"PortraitAnimator needs 68 landmarks as a (68, 2) array, but got {points.shape}.")
        if method not in ("tps", "piecewise_affine"):
            raise CourseError(f"Unknown warp method {method!r}; use 'tps' or 'piecewise_affine'.")
        self.method, self.work_size = method, int(work_size)
        if not crop:
            if image.shape[0] != image.shape[1]:
                raise CourseError(f"crop=False needs a square face crop, not a {image.shape[1]} × {image.shape[0]} picture.")
            self.work_size, scale = image.shape[0], 1.0
            self.matrix = np.array([[1, 0, 0], [0, 1, 0]], np.float32)
        else:
            lo, hi = points.min(0), points.max(0)
            side = 1.9 * float(max(hi - lo))
            cx, cy = (lo[0] + hi[0]) / 2, lo[1] + 0.40 * (hi[1] - lo[1])
            scale = self.work_size / side
            # image -> crop: crop pixel centres at integer coordinates
            c = (self.work_size - 1) / 2
            self.matrix = np.array([[scale, 0, c - scale * cx], [0, scale, c - scale * cy]], np.float32)
        self.crop = crop_with_matrix(image, self.matrix, self.work_size, cv2.INTER_LINEAR, cv2.BORDER_REPLICATE, scale)
        self.points = move_points(points, self.matrix)
        inset = 0.03 * self.work_size  # anchors stay inside the crop, clear of the fixed border points
        self.anchors = np.clip(face_anchor_points(self.points), inset, self.work_size - 1 - inset)
        # the warp fades out past the ring of anchors, so a spline's far-reaching bend leaves the background be
        inside = (_polygon_mask(self.anchors, self.crop.shape[:2]) > 0.5).astype(np.uint8)
        dist = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5)
        fade = np.clip(1 - dist / (0.1 * self.work_size), 0, 1)
        self._falloff = (fade * fade * (3 - 2 * fade)).astype(np.float32)[..., None]
        self._gap = mouth_gap(self.points)
        self._face = float(np.linalg.norm(self.points[36:42].mean(0) - self.points[42:48].mean(0)))

    # one frame from target landmarks
    def render(self, target) -> np.ndarray:
        """The crop with its landmarks moved to `target` (68, 2) crop px: (H, W, 3) uint8."""
        target = np.array(target, np.float32)
        # eyelids: a 2-D warp cannot fold the upper lid over the eye, so it stops at 40% of the open gap
        # and the closed lid is painted instead
        own, gaps = _lid_gaps(self.points), _lid_gaps(target)
        closure = np.clip(1 - gaps / np.maximum(own, 1e-3), 0, 1)
        for (up, lo), g0, g in zip(LID_PAIRS, own, gaps):
            if g < 0.4 * g0:
                target[up, 1] = target[lo, 1] - 0.4 * g0
        head = _blend_matrix(_head_motion(self.points, target), 0.6)  # hair and collar follow the head a little
        anchors_dst = self.anchors @ head[:, :2].T + head[:, 2]
        src = np.concatenate([self.points, self.anchors])
        dst = np.concatenate([target, anchors_dst])
        if self.method == "tps":
            flow = tps_flow(src, dst, self.crop.shape[:2])
        else:
            flow = piecewise_affine_flow(src, dst, self.crop.shape[:2])
        flow *= self._falloff
        opened = mouth_gap(target) - self._gap
        teeth_shown = self._gap > 0.06 * self._face  # the portrait shows its teeth already: keep them
        if opened > 0 and teeth_shown:
            # inside the open mouth the picture moves with the upper lip, so the upper teeth stay whole
            m = _polygon_mask(target[INNER_LIPS], flow.shape[:2], blur=0.5)[..., None]
            ride = self.points[61:64].mean(0) - target[61:64].mean(0)
            flow = flow * (1 - m) + ride * m
        out = warp_image(self.crop, flow)
        if opened > 0.02 * self._face:
            strength = float(np.clip(opened / (0.12 * self._face), 0, 1))
            out = paint_mouth(out, target, strength=strength, keep_top=self._gap if teeth_shown else 0.0)
        eye_closure = np.array([closure[:2].mean(), closure[2:].mean()])
        if eye_closure.max() > 0.45:
            out = paint_closed_eyes(out, target, np.clip((eye_closure - 0.45) / 0.4, 0, 1))
        return out

    def pose(self, smile=0., jaw_open=0., brow_raise=0., blink=0., yaw=0., pitch=0., roll=0.) -> np.ndarray:
        """One posed frame (work_size, work_size, 3) uint8; expression weights in [0, 1], angles in degrees."""
        return self.render(expression_points(self.points, smile, jaw_open, brow_raise, blink, yaw, pitch, roll))

    def drive(self, driver_points, driver_reference) -> list[np.ndarray]:
        """Frames following a driver's landmarks (T, 68, 2) relative to its neutral driver_reference (68, 2)."""
        targets = transfer_motion(self.points, np.asarray(driver_points, np.float32).reshape(-1, 68, 2),
                                  driver_reference)
        return [self.render(t) for t in targets]

    def talk(self, n_frames: int = 50, seed: int = 0, fps: float = 25, head_motion: float = 0.5,
             driver_size: int = 128):
        """(portrait frames, FaceWorld driver images): drive the portrait by a FaceWorld person talking
        (faces.talking_frames(n_frames, fps, seed)); head rotations scaled by head_motion, since a 2-D
        warp cannot turn a head far."""
        images, drv, ref = faceworld_driver(n_frames, seed, head_motion, driver_size, fps)
        return self.drive(drv, ref), list(images) if driver_size else []
