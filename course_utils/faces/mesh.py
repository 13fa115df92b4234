"""One identity as a triangle mesh: head, eyeballs, mouth, ears, neck, shoulders, hair, glasses.

Built once per identity (and cached): neutral vertex positions, one displacement field per
expression (smile, blinks, brow raise; the jaw opens by a weighted rotation), normals, texture
coordinates into the identity's texture atlas, and the vertex of each of the 68 landmarks.
Landmarks are mesh vertices, so they move exactly with pose and expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.interpolate import PchipInterpolator, RBFInterpolator
from scipy.spatial import Delaunay

from . import head as H
from .identity import Identity
from .template import CANONICAL_LANDMARKS as LM

# ---- materials (shading) and regions (masks) ----
SKIN, EYE, TEETH, MOUTH, HAIR, CLOTH, GLASS = range(7)
R_FACE, R_HEAD, R_HAIR, R_NECK, R_BODY, R_ACCESSORY = range(6)
# ---- groups (how a vertex moves with the pose) ----
G_HEAD, G_NECK, G_BODY = range(3)

# ---- texture atlas: name -> (x0, y0, width, height) in texels ----
ATLAS_SIZE = 1024
ATLAS = {
    "head": (0, 0, 1024, 512),
    "hair": (0, 512, 1024, 256),
    "neck": (0, 768, 512, 128),
    "body": (0, 896, 512, 128),
    "eye": (768, 768, 128, 128),
    "ear": (896, 768, 128, 128),
    "teeth_upper": (512, 768, 256, 48),
    "teeth_lower": (512, 816, 256, 48),
    "mouth": (512, 864, 256, 96),
    "glasses": (512, 960, 64, 64),
}
V_TOP = float(H._chart_v(H.Y_CROWN))
V_HEAD_BOTTOM = 1.75
V_HAIR_BOTTOM = 2.15
# blend shapes; jaw_open also rotates the jaw (its blend shape only narrows the mouth's corners)
EXPRESSIONS = ("jaw_open", "smile", "blink_left", "blink_right", "brow_raise")
JAW_MAX_DEG = 14.0


def atlas_xy(name: str, s, t, margin: float = 2.0):
    """Texel coordinates (for cv2.remap) of relative position (s, t) in [0, 1]^2 of an atlas region."""
    x0, y0, w, h = ATLAS[name]
    return np.stack([x0 + margin + np.asarray(s) * (w - 1 - 2 * margin),
                     y0 + margin + np.asarray(t) * (h - 1 - 2 * margin)], axis=-1)


def head_st(phi, q):
    """Relative atlas position of head (or hair) parameters."""
    return (np.asarray(phi) + np.pi) / (2 * np.pi), (H._chart_v(np.asarray(q)) - V_TOP) / (V_HEAD_BOTTOM - V_TOP)


def hair_st(phi, q):
    return (np.asarray(phi) + np.pi) / (2 * np.pi), (H._chart_v(np.asarray(q)) - V_TOP) / (V_HAIR_BOTTOM - V_TOP)


@dataclass
class Part:
    name: str
    verts: np.ndarray  # (V, 3) canonical
    tris: np.ndarray  # (T, 3)
    uv: np.ndarray  # (V, 2) atlas texels
    material: int
    region: int
    group: int = G_HEAD
    jaw: np.ndarray | None = None  # (V,) jaw weights
    warp: bool = True  # follows the identity's feature layout (eyes, nose, mouth)
    warp_xy: np.ndarray | None = None  # (V, 2) where to read the layout warp (default: x, y)


def _grid_tris(rows: int, cols: int) -> np.ndarray:
    idx = np.arange(rows * cols).reshape(rows, cols)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    return np.concatenate([np.stack([a, c, b], 1), np.stack([b, c, d], 1)]).astype(np.int32)


def _orient(P, tris, towards):
    """Flip triangles so their normal (p1-p0)x(p2-p0) has a positive dot with towards(centroid)."""
    n = np.cross(P[tris[:, 1]] - P[tris[:, 0]], P[tris[:, 2]] - P[tris[:, 0]])
    want = towards(P[tris].mean(1))
    flip = (n * want).sum(1) < 0
    tris = tris.copy()
    tris[flip] = tris[flip][:, ::-1]
    return tris


def _two_sided(tris):
    return np.concatenate([tris, tris[:, ::-1]])


# ----------------------------------------------------------------------------------------------
# Identity layout: where this person's features sit


def identity_landmarks(ident: Identity) -> np.ndarray:
    """The identity's neutral 68 landmarks in canonical units (before overall width and length)."""
    lm = LM.copy()
    for eye, sign in ((slice(36, 42), -1), (slice(42, 48), 1)):
        c = lm[eye].mean(0)
        a = np.radians(ident.eye_tilt) * sign * -1  # outer corners up
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        d = (lm[eye] - c) * np.array([ident.eye_size, ident.eye_size * 1.05])
        lm[eye] = c + d @ rot.T + np.array([sign * ident.eye_spacing, 0])
    for brow, sign in ((slice(17, 22), -1), (slice(22, 27), 1)):
        lm[brow, 0] += sign * ident.eye_spacing * 0.6
        lm[brow, 1] -= ident.brow_height
        lm[brow, 1] -= (ident.brow_arch - 0.5) * 0.04 * np.array([0.0, 0.6, 1.0, 0.6, 0.0])
    # nose: length moves tip and nostrils, width spreads the nostrils
    dy = (ident.nose_length - 1) * 0.45
    lm[28:31, 1] += dy * np.array([0.33, 0.66, 1.0])
    lm[31:36, 1] += dy
    lm[31:36, 0] *= ident.nose_width
    # mouth: width about the midline, full lips
    m = slice(48, 68)
    lm[m, 0] *= ident.mouth_width
    lm[m, 1] += dy * 0.6
    f = ident.lip_fullness - 1
    lm[[49, 50, 51, 52, 53], 1] -= f * np.array([0.02, 0.03, 0.03, 0.03, 0.02])
    lm[[55, 56, 57, 58, 59], 1] += f * np.array([0.03, 0.045, 0.045, 0.045, 0.03])
    return lm


@lru_cache(maxsize=1)
def _warp_anchors():
    a = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    ring = np.stack([1.25 * np.cos(a), 0.45 + 1.35 * np.sin(a)], 1)
    ring2 = np.stack([2.0 * np.cos(a), 0.45 + 2.2 * np.sin(a)], 1)
    return np.concatenate([ring, ring2, LM[:17]])


def layout_warp(ident: Identity):
    """A smooth 2-D map (canonical X, Y) -> displacement that moves the canonical features to the
    identity's. Thin-plate spline through the landmarks, pinned to zero around the face."""
    src_anchor = _warp_anchors()
    src = np.concatenate([LM[17:], src_anchor])
    dst = np.concatenate([identity_landmarks(ident)[17:] - LM[17:], np.zeros_like(src_anchor)])
    rbf = RBFInterpolator(src, dst, kernel="thin_plate_spline")

    def warp(xy):
        xy = np.asarray(xy, dtype=np.float64)
        r = np.sqrt(xy[:, 0] ** 2 + ((xy[:, 1] - 0.45) / 1.1) ** 2)
        return rbf(xy) * (1 - H._smoothstep(1.1, 1.6, r))[:, None]

    return warp


def overall_shape(ident: Identity, P: np.ndarray) -> np.ndarray:
    """Width of the head and jaw, length of the lower face."""
    P = P.copy()
    y = P[:, 1]
    P[:, 0] *= ident.head_width * (1 + (ident.jaw_width - 1) * H._smoothstep(0.3, 1.2, y))
    d = y - 0.3
    g = np.where(d < 0, 0.0, np.where(d < 0.3, d * d / 0.6, d - 0.15))
    P[:, 1] = y + (ident.face_length - 1) * g
    return P


def shape_amps(ident: Identity) -> H.ShapeAmps:
    return H.ShapeAmps(nose=ident.nose_size, brow_ridge=0.6 + 0.4 * ident.brow_thickness,
                       cheekbones=ident.cheekbones, lips=ident.lip_fullness, chin=ident.chin)


# ----------------------------------------------------------------------------------------------
# Expressions, as displacements of canonical frontal positions (X, Y) on the face


def _lid_gap(side):
    (up, ux0, ux1), (low, _, _) = H.lid_curves(side)

    def gap(X):
        inside = (X > ux0) & (X < ux1)
        Xc = np.clip(X, ux0, ux1)
        return np.where(inside, np.maximum(low(Xc) - up(Xc), 0.0), 0.0), up(Xc), low(Xc)

    return gap


def expression_offsets(name: str, X: np.ndarray, Y: np.ndarray, phi: np.ndarray):
    """(dX, dY, dz) at canonical positions for expression `name` at full strength."""
    dX = np.zeros_like(X)
    dY = np.zeros_like(Y)
    dz = np.zeros_like(Y)
    front = H.front_weight(phi)
    if name in ("blink_left", "blink_right"):
        side = 1 if name == "blink_left" else 0
        gap, yu, yl = _lid_gap(side)(X)
        above = Y <= yu + 1e-6
        below = Y >= yl - 1e-6
        dY += np.where(above, 0.86 * gap * (1 - H._smoothstep(0.0, 0.16, yu - Y)), 0.0)
        dY -= np.where(below & ~above, 0.12 * gap * (1 - H._smoothstep(0.0, 0.09, Y - yl)), 0.0)
    elif name == "smile":
        for sx in (-1, 1):
            g = np.exp(-0.5 * (((X - sx * 0.32) / 0.13) ** 2 + ((Y - 0.8) / 0.12) ** 2))
            dX += sx * 0.065 * g
            dY -= 0.085 * g
            cheek = np.exp(-0.5 * (((X - sx * 0.45) / 0.14) ** 2 + ((Y - 0.55) / 0.14) ** 2))
            dY -= 0.04 * cheek
            dz -= 0.07 * cheek
            lid = np.exp(-0.5 * (((X - sx * 0.36) / 0.12) ** 2 + ((Y - 0.06) / 0.04) ** 2))
            dY -= 0.012 * lid
        dY -= 0.018 * np.exp(-0.5 * ((X / 0.16) ** 2 + ((Y - 0.77) / 0.05) ** 2))  # upper lip up: teeth show
    elif name == "jaw_open":
        for sx in (-1, 1):
            g = np.exp(-0.5 * (((X - sx * 0.31) / 0.1) ** 2 + ((Y - 0.81) / 0.1) ** 2))
            dX -= sx * 0.04 * g
        dY -= 0.012 * np.exp(-0.5 * ((X / 0.2) ** 2 + ((Y - 0.77) / 0.05) ** 2))
    elif name == "brow_raise":
        fall = np.exp(-(((Y + 0.2) / 0.17) ** 2)) * (1 - H._smoothstep(0.65, 0.9, np.abs(X)))
        dY -= 0.075 * np.where(Y < 0.0, fall, fall * (1 - H._smoothstep(0.0, 0.05, Y)))
    return dX * front, dY * front, dz * front


def _jaw_weight_xy(X, Y):
    """How much a face point follows the jaw: 0 above the mouth line; below it, the lower lip's
    middle follows fully and its corners not at all (so the mouth opens as a lens), and everything
    further down (chin, jaw) follows fully."""
    up = PchipInterpolator(*_sorted_xy(LM[[60, 61, 62, 63, 64]]))
    low = PchipInterpolator(*_sorted_xy(LM[[64, 65, 66, 67, 60]]))
    xc = LM[64, 0]
    ax = np.abs(X)
    mid = 0.5 * (up(np.clip(X, -xc, xc)) + low(np.clip(X, -xc, xc)))
    line = np.where(ax <= xc, mid, LM[64, 1] - 0.2 * (ax - xc))
    d = Y - line
    lens = np.clip(1 - (X / xc) ** 2, 0, 1) ** 1.3
    return np.where(d > 0, np.clip(lens + d / 0.25, 0.0, 1.0), 0.0)


def _sorted_xy(p):
    o = np.argsort(p[:, 0])
    return p[o, 0], p[o, 1]


# ----------------------------------------------------------------------------------------------
# Parts


def _head_part(amps, lod):
    hm = H.canonical_head(lod)
    P = H.surface(hm.phi, hm.q, amps)
    s, t = head_st(hm.phi, hm.q)
    # (points under the jaw line carry the XY of the jaw line above them: they move with it)
    jaw = _jaw_weight_xy(hm.XY[:, 0], hm.XY[:, 1]) * H._smoothstep(-0.1, 0.35, np.cos(hm.phi))
    # the face: in front of the ears, below the forehead's hairline, above the jaw's fold
    cen_phi = np.arctan2(np.sin(hm.phi[hm.tris]).mean(1), np.cos(hm.phi[hm.tris]).mean(1))
    cen_q = hm.q[hm.tris].mean(1)
    face = (np.abs(cen_phi) < np.radians(80)) & (cen_q > -0.62) & (cen_q <= H.fold_y(cen_phi) + 0.02)
    region = np.where(face, R_FACE, R_HEAD)
    part = Part("head", P, hm.tris, atlas_xy("head", s, t), SKIN, R_FACE, G_HEAD, jaw, True, hm.XY)
    return part, region


def _eyeball_parts(lod):
    rings = np.linspace(0, 1, 6 - lod)
    pts = [np.zeros((1, 2))]
    for r in rings[1:]:
        n = max(8, int(round((30 - 6 * lod) * r)))
        a = np.linspace(0, 2 * np.pi, n, endpoint=False) + r
        pts.append(np.stack([r * np.cos(a), r * np.sin(a)], 1))
    st = np.concatenate(pts)
    tris = Delaunay(st).simplices.astype(np.int32)
    parts = []
    for side in (0, 1):
        c = H.EYE_CENTER[side]
        P = np.stack([c[0] + H.EYE_RADII[0] * st[:, 0], c[1] + H.EYE_RADII[1] * st[:, 1],
                      c[2] - H.EYE_RADII[2] * np.sqrt(np.clip(1 - (st ** 2).sum(1), 0, 1))], 1)
        t = _orient(P, tris, lambda x, c=c: x - c)
        uv = atlas_xy("eye", 0.5 + 0.5 * st[:, 0], 0.5 + 0.5 * st[:, 1])
        parts.append(Part(f"eye{side}", P, t, uv, EYE, R_FACE))
    return parts


def _mouth_parts(amps, lod):
    def lip_z(X, Y):
        return H.surface(H.phi_of_x(X, Y), Y, amps)[:, 2]

    parts = []
    specs = [("teeth_upper", -0.245, 0.245, 0.70, 0.832, 0.05, 0.0, TEETH),
             ("teeth_lower", -0.215, 0.215, 0.828, 0.95, 0.07, 1.0, TEETH)]
    for name, x0, x1, y0, y1, back, jaw, mat in specs:
        cols, rows = (15, 12, 9)[lod], (4, 3, 3)[lod]
        X, Y = np.meshgrid(np.linspace(x0, x1, cols), np.linspace(y0, y1, rows))
        X, Y = X.ravel(), Y.ravel()
        z = lip_z(X, np.full_like(X, 0.81)) + back + 0.35 * X ** 2
        P = np.stack([X, Y, z], 1)
        tris = _orient(P, _grid_tris(rows, cols), lambda x: np.tile([0, 0, -1.0], (len(x), 1)))
        uv = atlas_xy(name, (X - x0) / (x1 - x0), (Y - y0) / (y1 - y0))
        parts.append(Part(name, P, tris, uv, mat, R_FACE, G_HEAD, np.full(len(X), jaw)))
    cols, rows = (13, 11, 9)[lod], (8, 7, 6)[lod]
    x0, x1, y0, y1 = -0.44, 0.44, 0.62, 1.12
    X, Y = np.meshgrid(np.linspace(x0, x1, cols), np.linspace(y0, y1, rows))
    X, Y = X.ravel(), Y.ravel()
    depth = 0.04 + 0.2 * np.clip(1 - (X / 0.46) ** 2, 0, 1) * np.clip(1 - ((Y - 0.86) / 0.3) ** 2, 0, 1)
    z = lip_z(X, np.clip(Y, 0.7, 0.95)) + depth
    P = np.stack([X, Y, z], 1)
    tris = _orient(P, _grid_tris(rows, cols), lambda x: np.tile([0, 0, -1.0], (len(x), 1)))
    uv = atlas_xy("mouth", (X - x0) / (x1 - x0), (Y - y0) / (y1 - y0))
    parts.append(Part("mouth", P, tris, uv, MOUTH, R_FACE, G_HEAD, H._smoothstep(0.79, 0.9, Y)))
    return parts


def _ear_parts(lod):
    rows, cols = (11, 8, 6)[lod], (7, 5, 4)[lod]
    t, s = np.meshgrid(np.linspace(0, 1, rows), np.linspace(0, 1, cols), indexing="ij")
    t, s = t.ravel(), s.ravel()
    height, y0 = 0.66, -0.15
    width = 0.36 * np.sin(np.pi * (0.04 + 0.92 * t)) ** 0.55 * (1 - 0.35 * t ** 1.5)
    cup = (-0.05 * np.exp(-0.5 * (((s - 0.35) / 0.22) ** 2 + ((t - 0.55) / 0.2) ** 2))
           + 0.025 * s ** 4 - 0.015 * np.exp(-0.5 * (((s - 0.55) / 0.2) ** 2 + ((t - 0.3) / 0.12) ** 2)))
    tris = _grid_tris(rows, cols)
    parts = []
    for side, sign in ((0, -1), (1, 1)):
        phi = sign * np.radians(94)
        base = H.surface(np.full(rows, phi), y0 + height * np.linspace(0, 1, rows))
        base = np.repeat(base, cols, axis=0)
        a = np.radians(20)
        d = np.array([sign * np.sin(a), 0, np.cos(a)])
        n = np.array([sign * np.cos(a), 0, -np.sin(a)])
        P = base - np.array([sign * 0.01, 0, 0]) + (s * width)[:, None] * d + cup[:, None] * n
        uv = atlas_xy("ear", s, t)
        parts.append(Part(f"ear{side}", P, _two_sided(tris), uv, SKIN, R_HEAD, G_HEAD, None, False))
    return parts


def _neck_part(ident: Identity, lod: int):
    rows, cols = (11, 8, 6)[lod], (25, 19, 15)[lod]
    Y, phi = np.meshgrid(np.linspace(0.45, 3.4, rows), np.linspace(-np.pi, np.pi, cols), indexing="ij")
    Y, phi = Y.ravel(), phi.ravel()
    w = 0.97 + 0.06 * (ident.jaw_width - 1) * 2
    flare = H._smoothstep(1.45, 2.45, Y)
    top = 1 - H._smoothstep(0.5, 1.25, Y)
    rx = (0.58 + 0.06 * top + 0.5 * flare) * w
    rz = 0.47 + 0.05 * top + 0.1 * flare
    P = np.stack([rx * np.sin(phi), Y, H.NECK_Z + 0.05 * flare - rz * np.cos(phi)], 1)
    tris = _orient(P, _grid_tris(rows, cols), lambda x: x - np.stack([np.zeros(len(x)), x[:, 1], np.full(len(x), H.NECK_Z)], 1))
    uv = atlas_xy("neck", (phi + np.pi) / (2 * np.pi), (Y - 0.45) / 2.95)
    return Part("neck", P, tris, uv, SKIN, R_NECK, G_NECK, None, False)


def _collar_y(X):
    ax = np.abs(X)
    return np.interp(ax, [0.0, 0.3, 0.66, 1.0, 1.5, 2.1, 2.8], [2.2, 2.12, 1.93, 1.9, 1.99, 2.25, 2.7])


def _body_part(ident: Identity, lod: int):
    cols, rows = (29, 19, 13)[lod], (9, 7, 5)[lod]
    X = np.linspace(-2.8, 2.8, cols)
    tt = np.linspace(0, 1, rows) ** 1.7
    Xg, T = np.meshgrid(X, tt)
    top = _collar_y(Xg)
    Y = top + T * (3.9 - top)
    z = 0.35 - 0.85 * np.sqrt(np.clip(1 - (Xg / 2.9) ** 2, 0, 1)) + 0.5 * (1 - H._smoothstep(0, 0.45, Y - top))
    P = np.stack([Xg.ravel(), Y.ravel(), z.ravel()], 1)
    tris = _orient(P, _grid_tris(rows, cols), lambda x: np.tile([0, 0, -1.0], (len(x), 1)))
    uv = atlas_xy("body", (Xg.ravel() + 2.8) / 5.6, T.ravel())
    return Part("body", P, tris, uv, CLOTH, R_BODY, G_BODY, None, False)


# hair: the lowest parameter q the hair reaches at each angle |phi| (degrees), per style
_HAIR_BOTTOM = {
    "short": ([0, 30, 50, 68, 78, 83, 88, 92, 104, 120, 150, 180],
              [-0.74, -0.72, -0.6, -0.4, -0.1, 0.16, 0.16, -0.17, -0.12, 0.15, 0.45, 0.55]),
    "medium": ([0, 30, 52, 70, 80, 92, 110, 140, 180], [-0.77, -0.74, -0.58, -0.3, 0.1, 0.6, 0.8, 0.9, 0.92]),
    "long": ([0, 30, 52, 70, 80, 92, 110, 140, 180], [-0.77, -0.74, -0.58, -0.3, 0.3, 1.6, 1.95, 2.0, 2.0]),
    "curly": ([0, 35, 60, 75, 88, 110, 140, 180], [-0.8, -0.74, -0.5, -0.2, 0.35, 0.62, 0.72, 0.75]),
}
_HAIR_THICK = {"short": 0.09, "medium": 0.13, "long": 0.12, "curly": 0.26}


def hair_bottom(ident: Identity, phi):
    """The lowest head parameter q the hair reaches at angle phi: the hairline on the forehead,
    sideburns, around the ears, the nape (or lower for long hair). A little uneven, per identity."""
    knots, qs = _HAIR_BOTTOM[ident.hair_style]
    rng = np.random.default_rng([ident.seed, 7])
    recede = rng.uniform(-0.02, 0.08)
    qs = np.array(qs) + recede * np.exp(-((np.array(knots) / 60.0) ** 2))
    phi = np.asarray(phi, dtype=np.float64)
    base = PchipInterpolator(np.radians(knots), qs)(np.minimum(np.abs(phi), np.pi))
    waves = sum(a * np.sin(k * phi + p) for k, a, p in zip((5, 9, 17), rng.uniform(0.005, 0.02, 3),
                                                            rng.uniform(0, 2 * np.pi, 3)))
    # tufts: a finer ripple, strongest away from the middle of the forehead
    tufts = rng.uniform(0.01, 0.03) * np.sin(29 * phi + rng.uniform(0, 6)) * (0.4 + 0.6 * np.abs(np.sin(phi)))
    return base + waves + tufts


def hair_surface(ident: Identity, phi, q):
    """Points of the hair's outer surface at head parameters (phi, q); q beyond the jaw line hangs."""
    thick = _HAIR_THICK[ident.hair_style]
    bottom = hair_bottom(ident, phi)
    yb = H.fold_y(phi)
    qa = np.minimum(q, yb - 0.02)
    base = H.surface(phi, qa)
    c = np.array([0.0, -0.25, 0.1])
    n = base - c
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    edge = H._smoothstep(0.0, 0.16, bottom - q)
    top = 1 + 0.7 * H._smoothstep(-0.3, -1.1, q) + 0.3 * H._smoothstep(0.0, -0.7, np.cos(phi))
    rng = np.random.default_rng([ident.seed, 8])
    lumps = 0.0
    for _ in range(4):  # a few smooth lumps so the outline is not a perfect shell
        f = rng.uniform(2, 6)
        lumps = lumps + rng.uniform(0.03, 0.08) * np.sin(f * phi + rng.uniform(0, 6)) * np.sin(f * 0.8 * q + rng.uniform(0, 6))
    if ident.hair_style == "curly":
        lumps = lumps * 3
    T = 0.012 + thick * edge * top * (1 + lumps)
    P = base + T[:, None] * n
    hang = np.clip(q - qa, 0, None)
    out = np.stack([np.sin(phi), np.zeros_like(phi), -np.cos(phi) * 0.3], 1)
    P = P + np.stack([np.zeros_like(q), hang, np.zeros_like(q)], 1) + (0.08 * hang)[:, None] * out
    return P


def _hair_part(ident: Identity, lod: int):
    """The hair: a shell over the skull, as a grid whose rows run from the crown down to the
    hair's edge (so the hairline is a smooth row of vertices); long hair hangs below the jaw line."""
    if ident.hair_style in ("bald", "buzz"):
        return None
    n_cols = (96, 64, 44)[lod]
    n_rows = (16, 12, 9)[lod]
    phi = np.linspace(-np.pi, np.pi, n_cols + 1)
    s = 1 - (1 - np.linspace(0, 1, n_rows)) ** 1.3  # rows closer together towards the edge
    PHI, S = np.meshgrid(phi, s)
    v_bottom = H._chart_v(hair_bottom(ident, PHI))
    q = H._chart_q(V_TOP + S * (v_bottom - V_TOP))
    PHI, q = PHI.ravel(), q.ravel()
    P = hair_surface(ident, PHI, q)
    tris = _grid_tris(n_rows, n_cols + 1)
    c = np.array([0.0, -0.25, 0.1])
    tris = _orient(P, tris, lambda x: x - c)
    hanging = q[tris].max(1) > H.fold_y(PHI[tris].mean(1)) - 0.05
    tris = np.concatenate([tris, tris[hanging][:, ::-1]])
    st = hair_st(PHI, q)
    y = np.minimum(q, H.fold_y(PHI))
    return Part("hair", P, tris, atlas_xy("hair", *st), HAIR, R_HAIR, G_HEAD, None, True,
                np.stack([H.slice_point(PHI, y)[0], y], 1))


def _glasses_part(ident: Identity, lod: int):
    if ident.glasses == "none":
        return None
    a = np.linspace(0, 2 * np.pi, (36, 28, 20)[lod], endpoint=False)
    if ident.glasses == "round":
        hx, hy, p = 0.2, 0.19, 2.0
    else:
        hx, hy, p = 0.25, 0.155, 4.0
    ca, sa = np.cos(a), np.sin(a)
    ex = np.abs(ca) ** (2 / p) * np.sign(ca)
    ey = np.abs(sa) ** (2 / p) * np.sign(sa)
    verts, tris, uvs = [], [], []
    thick = 0.028
    zg = -1.09

    def add(P, T):
        off = sum(len(v) for v in verts)
        verts.append(P)
        tris.append(T + off)
        uvs.append(np.tile([0.5, 0.5], (len(P), 1)))

    for cx in (-0.37, 0.37):
        outer = np.stack([cx + hx * ex, 0.01 + hy * ey], 1)
        inner = np.stack([cx + (hx - thick) * ex, 0.01 + (hy - thick) * ey], 1)
        ring = np.concatenate([outer, inner])
        z = zg + 0.2 * ring[:, 0] ** 2
        P = np.concatenate([ring, z[:, None]], 1)
        n = len(a)
        i = np.arange(n)
        j = (i + 1) % n
        T = np.concatenate([np.stack([i, j, i + n], 1), np.stack([j, j + n, i + n], 1)])
        add(P, T)
    # bridge and temples: thin quads
    bx = np.linspace(-0.37 + hx - 0.01, 0.37 - hx + 0.01, 6)
    by = -0.035 - 0.02 * np.cos(np.pi * bx / (bx[-1] - bx[0]))
    top = np.stack([bx, by - 0.012, zg + 0.2 * bx ** 2], 1)
    bot = np.stack([bx, by + 0.012, zg + 0.2 * bx ** 2], 1)
    n = len(bx)
    i = np.arange(n - 1)
    add(np.concatenate([top, bot]), np.concatenate([np.stack([i, i + 1, i + n], 1), np.stack([i + 1, i + 1 + n, i + n], 1)]))
    for sx in (-1, 1):
        x0 = sx * (0.37 + hx - 0.01)
        xs = np.linspace(x0, sx * 0.9, 6)
        zs = np.linspace(zg + 0.2 * x0 ** 2, 0.15, 6)
        top = np.stack([xs, np.full(6, -0.02), zs], 1)
        bot = np.stack([xs, np.full(6, 0.005), zs], 1)
        i = np.arange(5)
        add(np.concatenate([top, bot]), np.concatenate([np.stack([i, i + 1, i + 6], 1), np.stack([i + 1, i + 7, i + 6], 1)]))
    P = np.concatenate(verts)
    T = np.concatenate(tris)
    uv = atlas_xy("glasses", *np.concatenate(uvs).T)
    return Part("glasses", P, _two_sided(T), uv, GLASS, R_ACCESSORY, G_HEAD, None, True)


# ----------------------------------------------------------------------------------------------
# The identity's model


@dataclass
class FaceModel:
    """Everything needed to pose and render one identity."""

    verts: np.ndarray  # (V, 3) neutral, canonical head space
    normals: np.ndarray  # (V, 3)
    blend: np.ndarray  # (K, V, 3) displacement of each expression in EXPRESSIONS at full strength
    blend_normals: np.ndarray  # (K, V, 3) normal change at full strength
    jaw: np.ndarray  # (V,) how much each vertex follows the jaw
    jaw_pivot: np.ndarray  # (3,)
    group: np.ndarray  # (V,) G_HEAD / G_NECK / G_BODY
    tris: np.ndarray  # (T, 3) int32
    uv: np.ndarray  # (V, 2) float32 atlas texels
    material: np.ndarray  # (T,) int8
    region: np.ndarray  # (T,) int8
    landmark_vertex: np.ndarray  # (68,)
    part_slices: dict  # part name -> slice of vertices
    vertex_material: np.ndarray  # (V,) material of each vertex's part
    tri_cols: tuple  # three contiguous (T,) arrays: the corners of each triangle
    tri_uv: np.ndarray  # (T, 6) float32: u0 u1 u2 v0 v1 v2 of each triangle
    group_slices: tuple  # vertices of G_HEAD, G_NECK, G_BODY (parts are stored in that order)
    mouth_vertices: slice  # the teeth and the inside of the mouth (stored one after the other)


def vertex_normals(P: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals, (V, 3) unit vectors."""
    n = np.cross(P[tris[:, 1]] - P[tris[:, 0]], P[tris[:, 2]] - P[tris[:, 0]])
    idx = tris.ravel()
    vn = np.stack([np.bincount(idx, np.repeat(n[:, k], 3), minlength=len(P)) for k in range(3)], 1)
    return vn / (np.linalg.norm(vn, axis=1, keepdims=True) + 1e-12)


def _head_expression_positions(ident, amps, warp, name, lod, neutral=None):
    """Head vertices (canonical space, before overall_shape) with expression `name` at full
    strength (None: neutral). Only the vertices the expression moves are recomputed."""
    hm = H.canonical_head(lod)
    X, Y = hm.XY[:, 0], hm.XY[:, 1]
    if name is None:
        P = H.surface(hm.phi, hm.q, amps)
        P[:, :2] += warp(hm.XY) * H.front_weight(hm.phi)[:, None]
        return P
    band = hm.q > H.fold_y(hm.phi) + 1e-9
    dX, dY, dz = expression_offsets(name, X, Y, hm.phi)
    moved = ((np.abs(dX) + np.abs(dY) + np.abs(dz)) > 1e-7) & ~band
    P = neutral.copy()
    X2, Y2 = X[moved] + dX[moved], Y[moved] + dY[moved]
    phi = H.phi_of_x(X2, Y2)
    Pm = H.surface(phi, Y2, amps)
    Pm[:, 2] += dz[moved]
    Pm[:, :2] += warp(np.stack([X2, Y2], 1)) * H.front_weight(phi)[:, None]
    P[moved] = Pm
    return P


# how many identities to keep per level of detail (a finer mesh takes more memory: about 2 MB at
# level 0, 1 MB at level 1, 0.4 MB at level 2)
CACHE_SIZES = (32, 64, 128)  # at most ~300 MB of meshes and textures: Binder has 2 GB


def face_model(ident: Identity, lod: int = 0) -> "FaceModel":
    """The mesh of one identity at a level of detail (0 finest, 1, 2); built once, then cached."""
    return _MODEL_CACHES[lod](ident)


def clear_model_cache() -> None:
    for c in _MODEL_CACHES:
        c.cache_clear()


def build_face_model(ident: Identity, lod: int = 0) -> FaceModel:
    """Build the mesh of one identity at a level of detail (uncached; see face_model)."""
    amps = shape_amps(ident)
    warp = layout_warp(ident)
    head, head_region = _head_part(amps, lod)
    parts = [head] + _eyeball_parts(lod) + _mouth_parts(amps, lod) + _ear_parts(lod)
    for extra in (_hair_part(ident, lod), _glasses_part(ident, lod)):
        if extra is not None:
            parts.append(extra)
    parts += [_neck_part(ident, lod), _body_part(ident, lod)]

    verts, tris, uv, mat, reg, grp, jaw, slices = [], [], [], [], [], [], [], {}
    off = 0
    for p in parts:
        P = p.verts.copy()
        if p.warp and p.name != "head":
            xy = p.warp_xy if p.warp_xy is not None else P[:, :2]
            P[:, :2] += warp(xy)
        if p.group == G_HEAD and p.name != "head":
            P = overall_shape(ident, P)
        if p.name == "head":
            head_neutral = _head_expression_positions(ident, amps, warp, None, lod)
            P = overall_shape(ident, head_neutral)
        verts.append(P)
        tris.append(p.tris + off)
        uv.append(p.uv)
        mat.append(np.full(len(p.tris), p.material, np.int8))
        reg.append(head_region.astype(np.int8) if p.name == "head" else np.full(len(p.tris), p.region, np.int8))
        grp.append(np.full(len(P), p.group, np.int8))
        jaw.append(p.jaw if p.jaw is not None else np.zeros(len(P)))
        slices[p.name] = slice(off, off + len(P))
        off += len(P)
    V = np.concatenate(verts)
    T = np.concatenate(tris).astype(np.int32)
    normals = vertex_normals(V, T)
    blend = np.zeros((len(EXPRESSIONS), len(V), 3))
    blend_n = np.zeros_like(blend)
    hs = slices["head"]
    head_tris = T[(T[:, 0] >= hs.start) & (T[:, 0] < hs.stop)] - hs.start
    for k, name in enumerate(EXPRESSIONS):
        Pk = overall_shape(ident, _head_expression_positions(ident, amps, warp, name, lod, head_neutral))
        blend[k, hs] = Pk - V[hs]
        blend_n[k, hs] = vertex_normals(Pk, head_tris) - normals[hs]
    pivot = overall_shape(ident, np.array([[0.0, 0.12, 0.15]]))[0]
    lm_v = H.canonical_head(lod).landmark_vertex + hs.start
    uv = np.concatenate(uv).astype(np.float32)
    vmat = np.zeros(len(V), np.int8)
    for p in parts:
        vmat[slices[p.name]] = p.material
    cols = tuple(np.ascontiguousarray(T[:, k]) for k in range(3))
    tri_uv = np.concatenate([uv[T, 0], uv[T, 1]], axis=1).astype(np.float32)
    grp = np.concatenate(grp)
    assert np.all(np.diff(grp) >= 0), "parts must be ordered head, neck, body"
    gsl = tuple(slice(int(np.searchsorted(grp, g)), int(np.searchsorted(grp, g, side="right"))) for g in range(3))
    mouth = slice(slices["teeth_upper"].start, slices["mouth"].stop)
    blend, blend_n = blend.astype(np.float32), blend_n.astype(np.float32)
    return FaceModel(V, normals, blend, blend_n, np.concatenate(jaw), pivot, grp, T,
                     uv, np.concatenate(mat), np.concatenate(reg), lm_v.astype(np.int64), slices,
                     vmat, cols, tri_uv, gsl, mouth)


_MODEL_CACHES = tuple(lru_cache(maxsize=m)(lambda ident, lod=lod: build_face_model(ident, lod))
                      for lod, m in enumerate(CACHE_SIZES))
