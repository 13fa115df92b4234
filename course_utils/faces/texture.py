"""Paint one identity's texture atlas: skin, brows, lashes, lips, nostrils, beard, hair, irises,
teeth, mouth, ears, neck and shirt. Painted once per identity (cached), in canonical face
coordinates, so every feature lands where the mesh expects it.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from scipy.interpolate import CubicSpline, PchipInterpolator

from . import head as H
from .identity import Identity
from .mesh import ATLAS, ATLAS_SIZE, V_HAIR_BOTTOM, V_HEAD_BOTTOM, V_TOP, hair_bottom
from .template import CANONICAL_LANDMARKS as LM

AA = cv2.LINE_AA


def _noise(rng, shape, scale, octaves=3):
    """Smooth value noise in [-1, 1] roughly: a few upsampled random grids."""
    h, w = shape
    out = np.zeros(shape, np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        s = max(1, int(scale / 2 ** o))
        g = rng.standard_normal((h // s + 2, w // s + 2)).astype(np.float32)
        out += amp * cv2.resize(g, (w + 2 * s, h + 2 * s), interpolation=cv2.INTER_CUBIC)[s:s + h, s:s + w]
        total += amp
        amp *= 0.5
    return out / total


def _head_grid():
    _, _, w, h = ATLAS["head"]
    s = (np.arange(w) - 2.0) / (w - 5.0)
    t = (np.arange(h) - 2.0) / (h - 5.0)
    phi = s * 2 * np.pi - np.pi
    v = V_TOP + t * (V_HEAD_BOTTOM - V_TOP)
    q = H._chart_q(v)
    PHI, Q = np.meshgrid(phi, q)
    return PHI, Q


@lru_cache(maxsize=1)
def _head_maps():
    """Per texel of the head region: canonical X, Y of the bare surface, frontness, under-jaw flag."""
    PHI, Q = _head_grid()
    yb = H.fold_y(PHI)
    Y = np.minimum(Q, yb)
    X, _ = H.slice_point(PHI, Y)
    return X.astype(np.float32), Y.astype(np.float32), np.cos(PHI).astype(np.float32), (Q - yb).astype(np.float32)


def _to_head_texels(pts):
    """Canonical (X, Y) face points -> pixel coordinates inside the head region (front only)."""
    pts = np.asarray(pts, dtype=np.float64)
    phi = H.phi_of_x(pts[:, 0], pts[:, 1])
    _, _, w, h = ATLAS["head"]
    s = (phi + np.pi) / (2 * np.pi)
    t = (H._chart_v(pts[:, 1]) - V_TOP) / (V_HEAD_BOTTOM - V_TOP)
    return np.stack([2.0 + s * (w - 5.0), 2.0 + t * (h - 5.0)], 1)


def _poly_mask(shape, polys, blur=0.0, closed=True, thickness=None):
    """Anti-aliased mask (float32 0..1) of polygons (filled) or polylines (given thickness)."""
    m = np.zeros(shape, np.uint8)
    shift = 4
    for p in polys:
        ip = np.round(np.asarray(p) * (1 << shift)).astype(np.int32)
        if thickness is None:
            cv2.fillPoly(m, [ip], 255, AA, shift)
        else:
            cv2.polylines(m, [ip], closed, 255, max(1, int(round(thickness))), AA, shift)
    m = m.astype(np.float32) / 255.0
    if blur > 0:
        m = cv2.GaussianBlur(m, (0, 0), blur)
    return m


def _blend(img, color, alpha):
    """img <- img * (1 - alpha) + color * alpha, in place, only inside alpha's bounding box."""
    rows = np.flatnonzero(alpha.max(axis=1) > 1e-3)
    if rows.size == 0:
        return
    cols = np.flatnonzero(alpha[rows[0]:rows[-1] + 1].max(axis=0) > 1e-3)
    ys, xs = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
    a = alpha[ys, xs][..., None]
    sub = img[ys, xs]
    c = color[ys, xs] if np.ndim(color) == 3 else np.asarray(color, np.float32)
    sub += a * (c - sub)


def _gauss(X, Y, cx, cy, sx, sy):
    return np.exp(-0.5 * (((X - cx) / sx) ** 2 + ((Y - cy) / sy) ** 2)).astype(np.float32)


def _spline_pts(idx, n=40):
    """n points along a smooth curve through canonical landmarks idx (by arc length)."""
    p = LM[idx]
    t = np.concatenate([[0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
    cs = CubicSpline(t, p, bc_type="natural")
    return cs(np.linspace(0, t[-1], n))


def _paint_head(ident: Identity, rng) -> np.ndarray:
    X, Y, front, under = _head_maps()
    h, w = X.shape
    skin = np.asarray(ident.skin, np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = skin
    # large-scale tone variation and fine pores
    n1 = _noise(rng, (h, w), 64)
    n2 = _noise(rng, (h, w), 6, octaves=2)
    img *= (1 + 0.05 * n1 + 0.025 * n2)[..., None]
    ax = np.abs(X)
    is_front = front > 0.05
    # warmth: cheeks, nose, ears' neighbourhood, chin
    red = (0.55 * _gauss(ax, Y, 0.47, 0.42, 0.16, 0.14) + 0.45 * _gauss(X, Y, 0, 0.38, 0.09, 0.14)
           + 0.25 * _gauss(X, Y, 0, 1.2, 0.2, 0.12)) * is_front
    _blend(img, skin * np.array([1.02, 0.80, 0.78], np.float32), 0.35 * red)
    # cooler, darker around the eyes; eyelid crease
    peri = sum(_gauss(X, Y, sx * 0.37, 0.07, 0.13, 0.07) for sx in (-1, 1)) * is_front
    _blend(img, skin * np.array([0.85, 0.78, 0.8], np.float32), 0.3 * peri)
    # soft shadows that a single light does not produce: crevices (ambient occlusion)
    ao = np.zeros((h, w), np.float32)
    for sx in (-1, 1):
        ao += 0.35 * _gauss(X, Y, sx * 0.205, 0.03, 0.05, 0.05)  # inner eye corners
        ao += 0.18 * _gauss(X, Y, sx * 0.175, 0.545, 0.035, 0.03)  # the crease round the nose wings
        ao += 0.3 * _gauss(X, Y, sx * 0.345, 0.81, 0.035, 0.035)  # mouth corners
        t = np.clip((Y - 0.56) / 0.3, 0, 1)
        line_x = sx * (0.21 + 0.15 * t)
        ao += 0.1 * np.exp(-0.5 * ((X - line_x) / 0.03) ** 2) * ((Y > 0.52) & (Y < 0.9)) * np.sin(np.pi * t)
    ao += 0.25 * _gauss(X, Y, 0, 1.0, 0.2, 0.03)  # under the lower lip
    ao += 0.15 * _gauss(X, Y, 0, 0.6, 0.07, 0.02)  # under the nose
    ao = ao * is_front
    ao += 0.15 * np.clip(under / H.BAND, 0, 1)
    img *= (1 - np.clip(ao, 0, 0.7))[..., None]

    # lips (painted at the canonical landmarks: the identity's layout warp moves them with the mesh)
    lips = np.concatenate([_spline_pts([48, 49, 50, 51, 52, 53, 54]), _spline_pts([54, 55, 56, 57, 58, 59, 48])])
    lip_mask = _poly_mask((h, w), [_to_head_texels(lips)], blur=1.2)
    lip_col = np.asarray(ident.lip_color, np.float32)
    lip_shade = (1 - 0.3 * _gauss(X, Y, 0, 0.815, 0.3, 0.018) - 0.12 * (Y < 0.81)
                 + 0.1 * _gauss(X, Y, 0, 0.88, 0.1, 0.025))
    lipimg = lip_col[None, None] * lip_shade[..., None] * (1 + 0.04 * n2[..., None])
    a = lip_mask[..., None]
    img = img * (1 - a) + lipimg * a
    # nostrils
    nos = []
    for sx in (-1, 1):
        c = np.array([sx * 0.07, 0.553])
        t = np.linspace(0, 2 * np.pi, 24)
        nos.append(_to_head_texels(c + np.stack([0.04 * np.cos(t), 0.018 * np.sin(t)], 1)))
    _blend(img, skin * 0.25, 0.85 * _poly_mask((h, w), nos, blur=1.5))
    # brows: a tapered band under the landmark line, with hair strokes
    px_per_unit = (w - 5.0) / (2 * np.pi * 0.95)
    brow_col = np.asarray(ident.brow_color, np.float32)
    for idx in ([17, 18, 19, 20, 21], [22, 23, 24, 25, 26]):
        p = _spline_pts(idx, 30)
        taper = np.linspace(0.045, 0.085, 30)  # thin at the outer end, fuller towards the nose
        thick = (taper if idx[0] == 17 else taper[::-1]) * ident.brow_thickness
        upper = p + np.array([0, -0.008])
        lower = p + np.stack([np.zeros(30), thick], 1)
        poly = np.concatenate([upper, lower[::-1]])
        m = _poly_mask((h, w), [_to_head_texels(poly)], blur=1.8)
        strokes = np.clip(0.55 + 0.7 * _noise(rng, (h, w), 1.5, octaves=1), 0, 1)
        _blend(img, brow_col, np.clip(m * (0.6 + 0.4 * strokes), 0, 1) * 0.9)
    # eyelashes and lid margins (drawn on the lids' rims, which move with blinks)
    for up_idx, low_idx in (([36, 37, 38, 39], [39, 40, 41, 36]), ([42, 43, 44, 45], [45, 46, 47, 42])):
        up = H._spline_through(up_idx, 13)
        low = H._spline_through(low_idx, 11)
        lash = _poly_mask((h, w), [_to_head_texels(up + [0, -0.006])], closed=False,
                          thickness=max(2.0, 0.018 * px_per_unit), blur=0.8)
        _blend(img, np.asarray(ident.brow_color, np.float32) * 0.4, 0.95 * lash)
        crease = _poly_mask((h, w), [_to_head_texels(up + [0, -0.05])], closed=False,
                            thickness=max(2.0, 0.02 * px_per_unit), blur=2.5)
        img *= (1 - 0.18 * crease)[..., None]
        lowl = _poly_mask((h, w), [_to_head_texels(low + [0, 0.006])], closed=False,
                          thickness=max(1.0, 0.01 * px_per_unit), blur=1.0)
        _blend(img, skin * np.array([0.75, 0.5, 0.5], np.float32), 0.5 * lowl)
    # beard
    if ident.beard != "none":
        col = np.asarray(ident.hair_color, np.float32)
        # the cheek line runs from the sideburn down to the corner of the mouth
        cheek_line = np.clip(0.78 - 1.1 * (ax - 0.33), 0.15, 0.78)
        chin_and_jaw = H._smoothstep(cheek_line - 0.03, cheek_line + 0.1, Y) * H._smoothstep(-0.1, 0.2, front)
        under_jaw = np.clip(under / 0.1, 0, 1) * (front > -0.2)
        moustache = _gauss(X, Y, 0, 0.68, 0.26, 0.05) * (Y < 0.745)
        if ident.beard == "stubble":
            region = np.maximum(chin_and_jaw, under_jaw)
            dots = np.clip(0.5 + 0.8 * _noise(rng, (h, w), 1.5, octaves=1), 0, 1)
            _blend(img, col * 0.6 + skin * 0.1, 0.45 * region * (1 - lip_mask) * dots)
        else:
            if ident.beard == "moustache":
                region = moustache
            elif ident.beard == "goatee":
                region = _gauss(X, Y, 0, 1.1, 0.2, 0.25) + moustache
            else:  # full
                region = np.maximum(np.maximum(chin_and_jaw, moustache), under_jaw)
            region = np.clip(region * 1.6, 0, 1) * (1 - lip_mask)
            strands = np.clip(0.5 + 0.9 * _noise(rng, (h, w), 1.5, octaves=2), 0, 1)
            _blend(img, col * (0.7 + 0.4 * strands[..., None]), 0.92 * region)
    # scalp: hair colour under the hair (so thin spots read as hair), stubble for buzz cuts
    if ident.hair_style != "bald":
        PHI, Q = _head_grid()
        if ident.hair_style == "buzz":
            bottom = _buzz_bottom(ident, PHI)
            alpha = 0.7
        else:
            bottom = hair_bottom(ident, PHI) - 0.02
            alpha = 0.92
        scalp = H._smoothstep(0.0, 0.05, bottom - Q).astype(np.float32)
        dots = np.clip(0.5 + 0.8 * _noise(rng, (h, w), 1.5, octaves=1), 0, 1)
        _blend(img, np.asarray(ident.hair_color, np.float32) * 0.8, alpha * scalp * (0.6 + 0.4 * dots))
    return np.clip(img, 0, 1)


def _buzz_bottom(ident, phi):
    """Where a buzz cut ends (like 'short', painted on the scalp instead of a shell)."""
    knots = [0, 30, 50, 68, 78, 88, 92, 104, 120, 150, 180]
    qs = [-0.74, -0.72, -0.6, -0.4, -0.1, 0.12, -0.17, -0.12, 0.15, 0.45, 0.55]
    return PchipInterpolator(np.radians(knots), qs)(np.minimum(np.abs(phi), np.pi))


def _paint_hair(ident: Identity, rng) -> np.ndarray:
    """Strands along the hair's length (down the head), darker at the roots and at the edge where
    hair meets skin, with a lighter sheen across the top."""
    _, _, w, h = ATLAS["hair"]
    col = np.asarray(ident.hair_color, np.float32)
    base = rng.standard_normal((h, w)).astype(np.float32)
    if ident.hair_style == "curly":
        tex = _noise(rng, (h, w), 5, octaves=3)
        tex = np.sin(tex * 9.0) * 0.5 + 0.5
    else:
        streak = cv2.GaussianBlur(base, (0, 0), sigmaX=1.0, sigmaY=14.0)
        streak2 = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigmaX=4.0, sigmaY=30.0)
        tex = 0.5 + 2.2 * streak + 1.5 * streak2
    tex = np.clip(tex, 0, 1)
    img = col[None, None] * (0.55 + 0.75 * tex[..., None])
    # where each texel sits on the head: angle phi (columns) and height q (rows)
    phi = (np.arange(w) - 2.0) / (w - 5.0) * 2 * np.pi - np.pi
    q = H._chart_q(V_TOP + (np.arange(h) - 2.0) / (h - 5.0) * (V_HAIR_BOTTOM - V_TOP))
    if ident.hair_style in ("bald", "buzz"):  # no hair mesh: the region is unused
        return img
    edge = hair_bottom(ident, phi)[None, :] - q[:, None]  # distance above the hair's edge
    shade = 0.72 + 0.28 * np.clip(edge / 0.12, 0, 1)  # the edge sits in the hair's own shadow
    sheen = 1 + 0.22 * np.exp(-0.5 * ((q[:, None] + 0.8) / 0.12) ** 2) * np.clip(np.cos(phi)[None, :] + 0.3, 0, 1)
    img *= (shade * sheen).astype(np.float32)[..., None]
    return np.clip(img, 0, 1)


def _paint_eye(ident: Identity, rng) -> np.ndarray:
    _, _, w, h = ATLAS["eye"]
    s, t = np.meshgrid((np.arange(w) - 2.0) / (w - 5.0) * 2 - 1, (np.arange(h) - 2.0) / (h - 5.0) * 2 - 1)
    rx, ry, _ = H.EYE_RADII
    r_iris = 0.066
    d = np.sqrt((s * rx) ** 2 + (t * ry) ** 2) / r_iris  # 1 at the iris edge
    sclera = np.array([0.90, 0.87, 0.84], np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = sclera
    pink = np.clip((np.abs(s) - 0.45) / 0.5, 0, 1)
    _blend(img, np.array([0.85, 0.62, 0.6], np.float32), (0.5 * pink).astype(np.float32))
    ang = np.arctan2(t * ry, s * rx)
    streaks = np.sin(ang * 23 + 3 * _noise(rng, (h, w), 8, 1)) * 0.5 + 0.5
    iris_col = np.asarray(ident.eye_color, np.float32)
    iris = iris_col * (0.75 + 0.45 * streaks[..., None]) * (1 - 0.45 * np.clip((d - 0.75) / 0.25, 0, 1))[..., None]
    iris = iris * (1 + 0.35 * np.clip(1 - d / 0.5, 0, 1))[..., None]
    a = np.clip((1.0 - d) / 0.06 + 0.5, 0, 1).astype(np.float32)
    img = img * (1 - a[..., None]) + iris * a[..., None]
    pupil = np.clip((0.38 - d) / 0.05 + 0.5, 0, 1).astype(np.float32)
    _blend(img, np.array([0.02, 0.02, 0.025], np.float32), pupil)
    shadow = np.clip((-t - 0.2) / 0.6, 0, 1).astype(np.float32)  # the upper lid shades the ball
    img *= (1 - 0.3 * shadow)[..., None]
    return np.clip(img, 0, 1)


def _paint_teeth(w, h, upper: bool) -> np.ndarray:
    x0, x1 = (-0.245, 0.245) if upper else (-0.215, 0.215)
    y0, y1 = (0.70, 0.832) if upper else (0.828, 0.95)
    X, Y = np.meshgrid(np.linspace(x0, x1, w), np.linspace(y0, y1, h))
    edges = np.array([0.0, 0.094, 0.169, 0.254]) if upper else np.array([0.0, 0.06, 0.12, 0.19])
    ax = np.abs(X)
    dist = np.min(np.abs(ax[..., None] - edges[None, None]), axis=-1)
    shade = 0.75 + 0.25 * np.clip(dist / 0.03, 0, 1)
    col = np.array([0.93, 0.90, 0.82], np.float32)
    img = col * shade[..., None] * (1 - 0.35 * np.clip((ax - 0.12) / 0.15, 0, 1))[..., None]
    gum = np.array([0.75, 0.38, 0.38], np.float32)
    if upper:
        g = np.clip((0.745 - Y) / 0.01 + 0.5, 0, 1)
    else:
        g = np.clip((Y - 0.905) / 0.01 + 0.5, 0, 1)
    img = img * (1 - g[..., None]) + gum * g[..., None]
    return img.astype(np.float32)


def _paint_mouth(w, h) -> np.ndarray:
    X, Y = np.meshgrid(np.linspace(-0.44, 0.44, w), np.linspace(0.62, 1.12, h))
    img = np.empty((h, w, 3), np.float32)
    img[:] = (0.22, 0.05, 0.05)
    tongue = np.clip((Y - 0.9) / 0.04, 0, 1) * np.clip(1 - (X / 0.3) ** 2, 0, 1)
    _blend(img, np.array([0.55, 0.22, 0.22], np.float32), (0.8 * tongue).astype(np.float32))
    dark = np.clip(np.abs(X) / 0.44, 0, 1) ** 2
    img *= (1 - 0.8 * dark)[..., None]
    return img


def _paint_ear(ident, rng, w, h) -> np.ndarray:
    s, t = np.meshgrid(np.linspace(0, 1, w), np.linspace(0, 1, h))
    skin = np.asarray(ident.skin, np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = skin * np.array([1.0, 0.9, 0.88], np.float32)
    concha = np.exp(-0.5 * (((s - 0.35) / 0.17) ** 2 + ((t - 0.55) / 0.16) ** 2))
    img *= (1 - 0.45 * concha)[..., None]
    rim = np.clip((s - 0.8) / 0.2, 0, 1)
    img *= (1 + 0.1 * rim)[..., None]
    return img


def _paint_neck(ident, rng, w, h) -> np.ndarray:
    s, t = np.meshgrid(np.linspace(0, 1, w), np.linspace(0, 1, h))
    skin = np.asarray(ident.skin, np.float32) * 0.93
    img = np.empty((h, w, 3), np.float32)
    img[:] = skin
    img *= (1 + 0.04 * _noise(rng, (h, w), 16))[..., None]
    Y = 0.45 + t * 2.95  # the neck's height parameter (see mesh._neck_part)
    front = np.cos(s * 2 * np.pi - np.pi)
    chin = np.clip(1 - (Y - 1.2) / 0.8, 0, 1) ** 1.5 * np.clip(front + 0.3, 0, 1)  # the jaw's shadow
    img *= (1 - 0.3 * chin)[..., None]
    return img


def _paint_body(ident, rng, w, h) -> np.ndarray:
    col = np.asarray(ident.shirt_color, np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = col
    weave = _noise(rng, (h, w), 2, 1)
    folds = _noise(rng, (h, w), 24, 2)
    img *= (1 + 0.05 * weave + 0.12 * folds)[..., None]
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    collar = np.clip(1 - t / 0.06, 0, 1)
    img *= (1 - 0.25 * collar)[..., None]
    return img


@lru_cache(maxsize=4)
def texture_atlas(ident: Identity) -> np.ndarray:
    """The identity's texture atlas: (ATLAS_SIZE, ATLAS_SIZE, 3) uint8 RGB, regions as in mesh.ATLAS."""
    rng = np.random.default_rng([ident.seed, 1234])
    atlas = np.zeros((ATLAS_SIZE, ATLAS_SIZE, 3), np.float32)

    def put(name, img):
        x0, y0, w, h = ATLAS[name]
        atlas[y0:y0 + h, x0:x0 + w] = img

    put("head", _paint_head(ident, rng))
    put("hair", _paint_hair(ident, rng))
    put("eye", _paint_eye(ident, rng))
    for name, upper in (("teeth_upper", True), ("teeth_lower", False)):
        put(name, _paint_teeth(ATLAS[name][2], ATLAS[name][3], upper))
    put("mouth", _paint_mouth(ATLAS["mouth"][2], ATLAS["mouth"][3]))
    put("ear", _paint_ear(ident, rng, ATLAS["ear"][2], ATLAS["ear"][3]))
    put("neck", _paint_neck(ident, rng, ATLAS["neck"][2], ATLAS["neck"][3]))
    put("body", _paint_body(ident, rng, ATLAS["body"][2], ATLAS["body"][3]))
    x0, y0, w, h = ATLAS["glasses"]
    atlas[y0:y0 + h, x0:x0 + w] = ident.glasses_color
    return (np.clip(atlas, 0, 1) * 255 + 0.5).astype(np.uint8)


def _level(ident: Identity, level: int) -> np.ndarray:
    a = texture_atlas(ident)
    for _ in range(level):
        a = cv2.pyrDown(a)
    return a


# identities kept per mip level (3 MB, 0.8 MB, 0.2 MB each)
_LEVEL_CACHES = tuple(lru_cache(maxsize=m)(lambda ident, level=level: _level(ident, level))
                      for level, m in enumerate((32, 64, 128)))


def texture_level(ident: Identity, level: int) -> np.ndarray:
    """The atlas at 1/2**level resolution (a poor man's mipmap against shimmering), cached."""
    return _LEVEL_CACHES[level](ident)


def clear_texture_cache() -> None:
    texture_atlas.cache_clear()
    for c in _LEVEL_CACHES:
        c.cache_clear()
