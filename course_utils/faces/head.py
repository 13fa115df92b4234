"""The head surface: a generalised cylinder around a vertical axis, with a face carved on its front.

A point of the head is named by two numbers: phi, the angle around the vertical axis (0 = straight
ahead, +90 degrees = the image's right side of the head), and q, the height (the same units and
direction as canonical Y: down, 0 at the eye corners, the crown at Y_CROWN). Each horizontal slice is
a superellipse (flat-ish in front, round at the back); facial features are smooth depth bumps
(nose, brows, cheekbones, lips, chin) pushed towards the camera; the eyelids are a shell over the
eyeball; below the jaw line the surface folds under the chin and runs into the neck.

Coordinates (canonical head space): x right, y down, z away from the camera. The face looks
towards -z. Units: the distance between the outer eye corners is 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.interpolate import CubicSpline, PchipInterpolator
from scipy.spatial import Delaunay

from .template import CANONICAL_LANDMARKS as LM

Y_CROWN = -1.22  # top of the skull
Y_SKULL = -0.30  # above this height the slices shrink towards the crown
BAND = 0.30  # param length of the strip under the jaw line that folds into the neck
NECK_Z = 0.18  # the neck's axis (x = 0, z = NECK_Z)

# Eyeballs (ellipsoids; the lids are a shell LID_GAP in front of them)
EYE_CENTER = np.array([[-0.355, -0.005, -0.715], [0.355, -0.005, -0.715]])
EYE_RADII = np.array([0.165, 0.135, 0.15])
LID_GAP = 0.022


@dataclass(frozen=True)
class ShapeAmps:
    """Per-identity strengths of the facial relief (1 = the canonical face)."""

    nose: float = 1.0
    nose_width: float = 1.0
    brow_ridge: float = 1.0
    cheekbones: float = 1.0
    lips: float = 1.0
    chin: float = 1.0
    sockets: float = 1.0


# ----------------------------------------------------------------------------------------------
# Slices


def _smoothstep(e0, e1, x):
    t = np.clip((np.asarray(x, dtype=np.float64) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def profile(Y):
    """Half-width a, front depth cf, back depth cb and front exponent n of the slice at height Y."""
    Y = np.asarray(Y, dtype=np.float64)
    t = np.clip((Y_SKULL - Y) / (Y_SKULL - Y_CROWN), 0.0, 1.0)
    k_side = (1 - t ** 2.2) ** (1 / 2.2)
    k_front = (1 - t ** 2.8) ** (1 / 2.8)  # the forehead stands more upright than the back
    a = np.interp(Y, [-0.3, 0.0, 0.23, 0.46, 0.68, 0.9, 1.2, 1.7],
                  [0.875, 0.852, 0.846, 0.828, 0.81, 0.775, 0.73, 0.68]) * k_side
    cf = np.interp(Y, [-0.9, -0.5, -0.22, 0.0, 0.4, 0.8, 1.2, 1.45, 1.7],
                   [0.97, 1.0, 1.02, 0.95, 0.95, 1.0, 0.98, 0.92, 0.85]) * k_front
    cb = np.interp(Y, [-0.3, 0.3, 0.6, 0.9], [1.15, 1.05, 0.9, 0.8]) * k_side
    n = np.interp(Y, [0.3, 0.9, 1.35], [2.6, 2.2, 2.0])
    return a, cf, cb, n


def slice_point(phi, Y):
    """(x, z) of the bare slice (no features) at angle phi and height Y."""
    a, cf, cb, n = profile(Y)
    s, c = np.sin(phi), np.cos(phi)
    front = c >= 0
    nn = np.where(front, n, 2.0)
    cc = np.where(front, cf, cb)
    with np.errstate(divide="ignore"):
        r = (np.abs(c / np.maximum(cc, 1e-9)) ** nn + np.abs(s / np.maximum(a, 1e-9)) ** nn) ** (-1 / nn)
    r = np.where(np.isfinite(r), r, 0.0)
    return r * s, -r * c


def phi_of_x(X, Y, iters: int = 26):
    """The angle phi (front half) at which the bare slice at height Y reaches x = X."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.broadcast_to(np.asarray(Y, dtype=np.float64), X.shape)
    lo = np.zeros(X.shape)
    hi = np.full(X.shape, np.pi / 2)
    ax = np.abs(X)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        x, _ = slice_point(mid, Y)
        big = x > ax
        hi = np.where(big, mid, hi)
        lo = np.where(big, lo, mid)
    return np.sign(X) * 0.5 * (lo + hi)


# ----------------------------------------------------------------------------------------------
# Facial relief


def _gauss(X, Y, cx, cy, sx, sy):
    return np.exp(-0.5 * (((X - cx) / sx) ** 2 + ((Y - cy) / sy) ** 2))


def relief(X, Y, amps: ShapeAmps = ShapeAmps()):
    """How far (canonical units) the face stands out towards the camera at frontal position (X, Y)."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    ax = np.abs(X)
    # nose: a ridge from between the eyes to the tip, then under the tip back to the lip
    p = np.interp(Y, [-0.14, 0.0, 0.13, 0.28, 0.40, 0.46, 0.52, 0.585, 0.64],
                  [0.0, 0.035, 0.085, 0.155, 0.225, 0.24, 0.185, 0.06, 0.0])
    w = np.interp(Y, [-0.1, 0.0, 0.2, 0.38, 0.48, 0.6], [0.105, 0.095, 0.095, 0.115, 0.125, 0.11])
    w = w * amps.nose_width
    nose = p * np.exp(-((X / w) ** 2)) * amps.nose
    wings = 0.075 * amps.nose * (_gauss(ax, Y, 0.145 * amps.nose_width, 0.505, 0.055, 0.05))
    sockets = -0.08 * amps.sockets * _gauss(ax, Y, 0.36, -0.03, 0.19, 0.12)
    brow = 0.05 * amps.brow_ridge * np.exp(-0.5 * ((Y + 0.20) / 0.075) ** 2) * np.exp(-((X / 0.62) ** 4))
    cheek = 0.06 * amps.cheekbones * _gauss(ax, Y, 0.52, 0.28, 0.16, 0.14)
    hollow = -0.025 * _gauss(ax, Y, 0.56, 0.78, 0.14, 0.16)
    muzzle = 0.06 * _gauss(X, Y, 0.0, 0.86, 0.30, 0.26)
    taper_u = np.clip(1 - (X / 0.35) ** 2, 0, None)
    taper_l = np.clip(1 - (X / 0.31) ** 2, 0, None)
    upper_lip = 0.03 * amps.lips * np.exp(-0.5 * ((Y - 0.765) / 0.034) ** 2) * taper_u
    lower_lip = 0.04 * amps.lips * np.exp(-0.5 * ((Y - 0.875) / 0.045) ** 2) * taper_l
    philtrum = -0.012 * _gauss(X, Y, 0.0, 0.66, 0.03, 0.05)
    sulcus = -0.03 * np.exp(-0.5 * ((Y - 1.0) / 0.035) ** 2) * np.clip(1 - (X / 0.28) ** 2, 0, None)
    chin = 0.065 * amps.chin * _gauss(X, Y, 0.0, 1.2, 0.19, 0.1)
    return (nose + wings + sockets + brow + cheek + hollow + muzzle + upper_lip + lower_lip
            + philtrum + sulcus + chin)


def eye_shell_z(X, Y, gap: float = LID_GAP):
    """Depth of the front of the lid shell (eyeball ellipsoid grown by `gap`); +inf off the eyes."""
    z = np.full(np.shape(X), np.inf)
    for cx, cy, cz in EYE_CENTER:
        rx, ry, rz = EYE_RADII + gap
        u = 1 - ((X - cx) / rx) ** 2 - ((Y - cy) / ry) ** 2
        inside = u > 0
        z = np.where(inside, np.minimum(z, cz - rz * np.sqrt(np.clip(u, 0, None))), z)
    return z


def _smin(a, b, k):
    """Smooth minimum of depths (the nearer surface wins, blended over k)."""
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    fin = np.isfinite(b)
    bb = np.where(fin, b, a)
    mix = bb * (1 - h) + a * h - k * h * (1 - h)
    return np.where(fin, mix, a)


# ----------------------------------------------------------------------------------------------
# Jaw line: where the face folds under


def _jaw_knots():
    idx = [8, 7, 6, 5, 4, 3]
    ys = LM[idx, 1]
    phis = np.abs(phi_of_x(LM[idx, 0], ys))
    phis = np.concatenate([phis, np.radians([84, 100, 130, 180])])
    ys = np.concatenate([ys, [0.66, 0.66, 0.68, 0.70]])
    return phis, ys


_FOLD = None


def fold_y(phi):
    """Height of the jaw line (the fold into the under-chin) at angle phi."""
    global _FOLD
    if _FOLD is None:
        _FOLD = PchipInterpolator(*_jaw_knots())
    return _FOLD(np.minimum(np.abs(np.asarray(phi, dtype=np.float64)), np.pi))


# ----------------------------------------------------------------------------------------------
# The surface


def front_weight(phi):
    return _smoothstep(0.15, 0.5, np.cos(phi))


def jaw_fade(phi):
    """1 on the face and jaw, fading out behind the ears."""
    return _smoothstep(-0.3, 0.2, np.cos(phi))


def surface(phi, q, amps: ShapeAmps = ShapeAmps()):
    """(N, 3) canonical points of the head at params (phi, q), with relief, lids and under-jaw."""
    phi = np.asarray(phi, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    yb = fold_y(phi)
    y = np.minimum(q, yb)
    x, z = slice_point(phi, y)
    z = z - relief(x, y, amps) * front_weight(phi)
    shell = np.where(np.cos(phi) > 0.3, eye_shell_z(x, y), np.inf)  # lids on the front only
    z = _smin(z, shell, 0.03)
    # round the jaw's edge: just above the jaw line the surface turns back towards the neck (the
    # outline seen from the front stays on the jaw line, where the landmarks are)
    near = np.clip(1 - (yb - y) / 0.14, 0.0, 1.0)
    z = z + 0.05 * near ** 2 * jaw_fade(phi)
    f = np.clip((q - yb) / BAND, 0.0, 1.0)
    under = f > 0
    if np.any(under):
        # from the jaw line, run inwards (towards the neck's axis) and slightly down
        tx = x * 0.4
        tz = NECK_Z + (z - NECK_Z) * 0.4
        ty = y + 0.05
        x = np.where(under, x + (tx - x) * f, x)
        z = np.where(under, z + (tz - z) * f, z)
        y = np.where(under, y + (ty - y) * f + 0.03 * np.sin(np.pi * f), y)
    return np.stack([x, y, z], axis=-1)


# ----------------------------------------------------------------------------------------------
# Feature contours in canonical (X, Y)


def _spline_through(idx, n):
    pts = LM[idx]
    order = np.argsort(pts[:, 0])
    pts = pts[order]
    cs = CubicSpline(pts[:, 0], pts[:, 1], bc_type="natural")
    xs = np.linspace(pts[0, 0], pts[-1, 0], n)
    # the landmarks themselves are samples; drop even samples that crowd them
    gap = (pts[-1, 0] - pts[0, 0]) / (n - 1)
    xs = xs[np.min(np.abs(xs[:, None] - pts[None, :, 0]), axis=1) > 0.4 * gap]
    xs = np.sort(np.concatenate([xs, pts[:, 0]]))
    return np.stack([xs, np.where(np.isin(xs, pts[:, 0]), np.interp(xs, pts[:, 0], pts[:, 1]), cs(xs))], axis=1)


def eye_contour(side: int, n_upper: int = 13, n_lower: int = 11):
    """Closed eye outline (upper lid from corner to corner, then lower lid back), (K, 2) canonical.
    side 0 = the subject's right eye (landmarks 36-41), 1 = left eye (42-47)."""
    if side == 0:
        up, low = [36, 37, 38, 39], [39, 40, 41, 36]
    else:
        up, low = [42, 43, 44, 45], [45, 46, 47, 42]
    u = _spline_through(up, n_upper)
    lo = _spline_through(low, n_lower)[1:-1][::-1]
    return np.concatenate([u, lo])


def mouth_contour(n_upper: int = 15, n_lower: int = 13):
    """Closed inner-lip outline (the mouth opening), (K, 2) canonical."""
    u = _spline_through([60, 61, 62, 63, 64], n_upper)
    lo = _spline_through([64, 65, 66, 67, 60], n_lower)[1:-1][::-1]
    return np.concatenate([u, lo])


def outer_lip_contour(n_upper: int = 17, n_lower: int = 15):
    u = _spline_through([48, 49, 50, 51, 52, 53, 54], n_upper)
    lo = _spline_through([54, 55, 56, 57, 58, 59, 48], n_lower)[1:-1][::-1]
    return np.concatenate([u, lo])


def lid_curves(side: int):
    """Functions X -> Y of the upper and lower lid margins of one eye (canonical, open eye)."""
    if side == 0:
        up, low = [36, 37, 38, 39], [39, 40, 41, 36]
    else:
        up, low = [42, 43, 44, 45], [45, 46, 47, 42]

    def make(idx):
        pts = LM[idx]
        o = np.argsort(pts[:, 0])
        return CubicSpline(pts[o, 0], pts[o, 1], bc_type="natural"), pts[o, 0].min(), pts[o, 0].max()

    return make(up), make(low)


def _inside_polygon(pts, poly):
    """Even-odd test, vectorised over points. pts (N, 2), poly (K, 2)."""
    x, y = pts[:, 0][:, None], pts[:, 1][:, None]
    x0, y0 = poly[:, 0][None, :], poly[:, 1][None, :]
    x1, y1 = np.roll(poly[:, 0], -1)[None, :], np.roll(poly[:, 1], -1)[None, :]
    cond = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return (cond & (x < xc)).sum(axis=1) % 2 == 1


def _dist_to_polyline(pts, poly, closed=True):
    a = poly
    b = np.roll(poly, -1, axis=0) if closed else poly[1:]
    a = a if closed else poly[:-1]
    ab = b - a
    ap = pts[:, None, :] - a[None]
    t = np.clip((ap * ab[None]).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12)[None], 0, 1)
    d = ap - t[..., None] * ab[None]
    return np.sqrt((d ** 2).sum(-1)).min(axis=1)


# ----------------------------------------------------------------------------------------------
# The canonical head mesh

PHI_SCALE = 0.9  # chart u = PHI_SCALE * phi: roughly arc length on the slices


def _chart_v(q):
    """Vertical chart coordinate: equal to q below the skull line, a latitude above it."""
    L = Y_SKULL - Y_CROWN
    t = np.clip((Y_SKULL - q) / L, 0, 1)
    return np.where(q >= Y_SKULL, q, Y_SKULL - L * np.arcsin(t))


def _chart_q(v):
    L = Y_SKULL - Y_CROWN
    return np.where(v >= Y_SKULL, v, Y_SKULL - L * np.sin(np.clip((Y_SKULL - v) / L, 0, np.pi / 2)))


@dataclass
class HeadMesh:
    """The head's topology in parameter space, shared by every identity."""

    phi: np.ndarray  # (V,) angle around the axis
    q: np.ndarray  # (V,) height parameter
    tris: np.ndarray  # (T, 3) int32
    landmark_vertex: np.ndarray  # (68,) vertex index of each landmark
    XY: np.ndarray  # (V, 2) canonical frontal position (x, y of the bare surface)
    eye_holes: list  # two (K, 2) canonical polygons
    mouth_hole: np.ndarray  # (K, 2)
    hole_vertex_sets: dict  # name -> vertex indices on each hole's rim


# levels of detail: grid spacings (fine face, mid front, coarse back), samples on the eye and
# mouth rims and the outer lips, and the spacing of points on the jaw line (degrees)
LODS = {
    0: dict(fine=0.032, mid=0.065, coarse=0.14, eye=(13, 11), mouth=(15, 13), lips=(17, 15), fold=2.5),
    1: dict(fine=0.048, mid=0.09, coarse=0.18, eye=(11, 9), mouth=(13, 11), lips=(13, 11), fold=3.5),
    2: dict(fine=0.07, mid=0.12, coarse=0.24, eye=(9, 7), mouth=(11, 9), lips=(11, 9), fold=5.0),
}


@lru_cache(maxsize=len(LODS))
def canonical_head(lod: int = 0) -> HeadMesh:
    """Triangulate the head's parameter domain at a level of detail (0 = finest). Cached: every
    identity shares this topology; the 68 landmarks are vertices at every level."""
    cfg = LODS[lod]
    fine, mid, coarse = cfg["fine"], cfg["mid"], cfg["coarse"]
    pts_uv = []  # chart coordinates (u, v)
    v_top = float(_chart_v(Y_CROWN))

    def add_grid(u0, u1, v0, v1, step):
        us = np.arange(u0, u1 + 1e-9, step)
        vs = np.arange(v0, v1 + 1e-9, step)
        U, V = np.meshgrid(us, vs)
        return np.stack([U.ravel(), V.ravel()], axis=1)

    def q_max(phi):
        return fold_y(phi) + BAND

    # 1. coarse all around, 2. medium on the front half, 3. fine over the face (in X, Y)
    g = add_grid(-np.pi * PHI_SCALE, np.pi * PHI_SCALE, v_top, 2.0, coarse)
    g_phi = g[:, 0] / PHI_SCALE
    g_q = _chart_q(g[:, 1])
    in_mid = (np.abs(g_phi) < np.radians(105)) & (g_q > -1.0)
    g = g[~in_mid & (g_q <= q_max(g_phi) - 0.3 * coarse)]
    pts_uv.append(g)

    m = add_grid(-np.radians(105) * PHI_SCALE, np.radians(105) * PHI_SCALE, float(_chart_v(-1.0)), 2.0, mid)
    m_phi = m[:, 0] / PHI_SCALE
    m_q = _chart_q(m[:, 1])
    m_xy = np.stack(slice_point(m_phi, np.minimum(m_q, fold_y(m_phi))), 1)[:, 0]
    in_fine = (np.abs(m_xy) < 0.62) & (m_q > -0.42) & (m_q < 1.12)
    m = m[~in_fine & (m_q <= q_max(m_phi) - 0.3 * mid)]
    pts_uv.append(m)

    fx, fy = np.meshgrid(np.arange(-0.62, 0.62 + 1e-9, fine), np.arange(-0.42, 1.12 + 1e-9, fine))
    f_xy = np.stack([fx.ravel(), fy.ravel()], 1)
    eye_holes = [eye_contour(0, *cfg["eye"]), eye_contour(1, *cfg["eye"])]
    mouth_hole = mouth_contour(*cfg["mouth"])
    lips = outer_lip_contour(*cfg["lips"])
    contours = eye_holes + [mouth_hole]
    near = np.zeros(len(f_xy), bool)
    for c in contours:
        near |= _inside_polygon(f_xy, c) | (_dist_to_polyline(f_xy, c) < 0.55 * fine)
    near |= _dist_to_polyline(f_xy, lips) < 0.45 * fine
    f_xy = f_xy[~near]
    f_xy = f_xy[f_xy[:, 1] < fold_y(phi_of_x(f_xy[:, 0], f_xy[:, 1])) - 0.3 * fine]

    # feature points: hole rims, outer lips, landmarks (not already on a rim)
    feat = np.concatenate(contours + [lips])
    lm_pts = LM.copy()
    jaw = np.arange(17)
    others = np.setdiff1d(np.arange(68), np.concatenate([jaw, np.arange(36, 48), np.arange(48, 68)]))
    feat = np.concatenate([feat, lm_pts[others]])
    feat_phi = phi_of_x(np.concatenate([f_xy[:, 0], feat[:, 0]]), np.concatenate([f_xy[:, 1], feat[:, 1]]))
    feat_q = np.concatenate([f_xy[:, 1], feat[:, 1]])
    # jaw landmarks: 0-2 on the cheek (X, Y); 3-13 on the fold line; plus dense fold-line points
    jaw_phi = phi_of_x(LM[jaw, 0], LM[jaw, 1])
    jaw_q = LM[jaw, 1].copy()
    fold_phi = np.radians(np.arange(-178, 179, cfg["fold"]))
    fold_phi = fold_phi[np.min(np.abs(fold_phi[:, None] - jaw_phi[None]), axis=1) > np.radians(cfg["fold"] / 2)]
    fold_q = fold_y(fold_phi)
    # the band's bottom edge
    bot_phi = np.radians(np.arange(-180, 180.1, 1.6 * cfg["fold"]))
    bot_q = q_max(bot_phi)
    # the crown: one point
    crown_phi, crown_q = np.array([0.0]), np.array([Y_CROWN])

    all_phi = np.concatenate([p[:, 0] / PHI_SCALE for p in pts_uv] + [feat_phi, jaw_phi, fold_phi, bot_phi, crown_phi])
    all_q = np.concatenate([_chart_q(p[:, 1]) for p in pts_uv] + [feat_q, jaw_q, fold_q, bot_q, crown_q])
    # drop grid points that crowd the fold line or the band's bottom edge
    n_grid = sum(len(p) for p in pts_uv) + len(f_xy)
    dq_fold = np.abs(all_q - fold_y(all_phi))
    dq_bot = np.abs(all_q - q_max(all_phi))
    keep = np.ones(len(all_phi), bool)
    keep[:n_grid] = (dq_fold[:n_grid] > 0.02) & (dq_bot[:n_grid] > 0.03) & (all_q[:n_grid] > Y_CROWN + 0.01)
    all_phi, all_q = all_phi[keep], all_q[keep]
    # dedupe (feature points can coincide)
    uv = np.stack([all_phi * PHI_SCALE, _chart_v(all_q)], 1)
    _, first = np.unique(np.round(uv, 5), axis=0, return_index=True)
    first = np.sort(first)
    all_phi, all_q, uv = all_phi[first], all_q[first], uv[first]

    tri = Delaunay(uv).simplices.astype(np.int32)
    # remove triangles in the holes (eyes, mouth) and outside the domain
    XY = np.stack(slice_point(all_phi, np.minimum(all_q, fold_y(all_phi))), 1)
    XY = np.stack([XY[:, 0], np.minimum(all_q, fold_y(all_phi))], 1)
    cen_phi = all_phi[tri].mean(1)
    cen_q = all_q[tri].mean(1)
    cen_xy = XY[tri].mean(1)
    drop = cen_q > q_max(cen_phi) + 1e-6
    for c in contours:
        drop |= _inside_polygon(cen_xy, c) & (np.cos(cen_phi) > 0.5)
    # slivers spanning the back seam (phi = +-pi) are outside the domain
    drop |= (all_phi[tri].max(1) - all_phi[tri].min(1)) > np.pi
    tri = tri[~drop]

    # orient triangles so that the outward normal faces the viewer: check with the bare surface
    P = surface(all_phi, all_q)
    n = np.cross(P[tri[:, 1]] - P[tri[:, 0]], P[tri[:, 2]] - P[tri[:, 0]])
    out = P[tri].mean(1) - np.array([0.0, -0.2, NECK_Z * 0.5])
    flip = (n * out).sum(1) < 0
    tri[flip] = tri[flip][:, ::-1]

    # landmark vertices
    lm_phi = phi_of_x(LM[:, 0], LM[:, 1])
    lm_q = LM[:, 1].copy()
    d = (all_phi[None, :] - lm_phi[:, None]) ** 2 + (all_q[None, :] - lm_q[:, None]) ** 2
    lm_v = np.argmin(d, axis=1)
    miss = np.nonzero(np.sqrt(d[np.arange(68), lm_v]) > 1e-4)[0]
    assert miss.size == 0, f"landmarks {miss} are not mesh vertices"

    rims = {}
    for name, c in (("right_eye", contours[0]), ("left_eye", contours[1]), ("mouth", contours[2])):
        dd = _dist_to_polyline(np.stack([XY[:, 0], XY[:, 1]], 1), c)
        rims[name] = np.nonzero((dd < 1e-4) & (np.cos(all_phi) > 0.5))[0]
    return HeadMesh(all_phi, all_q, tri, lm_v.astype(np.int32), XY, eye_holes, mouth_hole, rims)
