"""Render a Frame of an Identity: image, 68 landmarks, their visibility and a face mask.

Pipeline: pose the identity's mesh (expression blend shapes, jaw rotation, head rotation), project
it with a pinhole camera, rasterise at SUPERSAMPLE times the size with a z-buffer, look up the
texture at each pixel's surface point, shade (ambient from above + Lambert + a little Blinn-Phong),
put it over the background and average down to the requested size.

Pixel convention (as OpenCV and dlib): the centre of pixel (row i, column j) is at (x=j, y=i).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from ..errors import CourseError
from . import mesh as M
from .identity import Frame, Identity, Pose
from .raster import Raster, rasterize
from .texture import clear_texture_cache, texture_level

SUPERSAMPLE = 2  # render at 2x and average down: smooth edges
VIEW_HEIGHT = 4.2  # canonical units seen from top to bottom of the image at the head's depth
CAM_DIST = 12.0  # camera distance in canonical units (a mild, portrait-lens perspective)
Y_CENTER = 0.45  # canonical height at the image centre
NECK_PIVOT = np.array([0.0, 0.62, 0.15])  # the head turns about this point (top of the neck)
MIN_SIZE, MAX_SIZE = 16, 512
TOL_VISIBLE = 0.04  # a landmark is hidden when a surface lies this far (canonical units) in front

# shading per material: ambient, diffuse, specular strength, specular exponent
_SHADE = np.array([
    [0.36, 0.80, 0.07, 12.0],  # skin
    [0.55, 0.55, 0.7, 40.0],  # eye (wet: a highlight)
    [0.45, 0.55, 0.25, 40.0],  # teeth
    [0.6, 0.3, 0.05, 10.0],  # mouth interior
    [0.40, 0.75, 0.22, 12.0],  # hair
    [0.45, 0.65, 0.03, 8.0],  # cloth
    [0.45, 0.55, 0.6, 60.0],  # glasses
], dtype=np.float32)


@dataclass
class RenderedFrame:
    """A rendered frame. image (H, W, 3) uint8 RGB; landmarks (68, 2) float32 pixel coordinates in
    the iBUG 300-W order; visible (68,) bool (False where the head itself hides the point or it
    falls outside the image); mask (H, W) bool, the face (skin of the face, eyes, mouth: not hair,
    ears, neck or background); foreground (H, W) bool, the person."""

    image: np.ndarray
    landmarks: np.ndarray
    visible: np.ndarray
    mask: np.ndarray
    foreground: np.ndarray
    frame: Frame = field(repr=False, default=None)
    identity: Identity = field(repr=False, default=None)


# ----------------------------------------------------------------------------------------------
# Geometry of a frame


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """3x3 head rotation (degrees) in camera axes x right, y down, z away from the camera."""
    a, b, c = np.radians([yaw, pitch, roll])
    ry = np.array([[np.cos(a), 0, -np.sin(a)], [0, 1, 0], [np.sin(a), 0, np.cos(a)]])  # nose to the right
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])  # chin down
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])  # clockwise
    return rz @ rx @ ry


def _jaw_rotation(alpha_deg: float) -> np.ndarray:
    a = np.radians(alpha_deg)
    return np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])


@dataclass
class Posed:
    """The mesh of one frame in camera space and on the image."""

    P: np.ndarray  # (V, 3) camera space (z = depth from the camera)
    N: np.ndarray  # (V, 3) unit normals, camera space
    xy: np.ndarray  # (V, 2) output pixel coordinates
    focal: float
    head_rotation: np.ndarray
    group_rotations: tuple  # rotation of the head, the neck and the body (identity)


def pose_mesh(model: M.FaceModel, frame: Frame, size: int, normals: bool = True) -> Posed:
    """Apply expression, jaw, head pose and camera to the identity's mesh."""
    e = frame.expression
    w = e.as_array()  # in the order of mesh.EXPRESSIONS
    hs = model.part_slices["head"]
    V = model.verts.copy()
    N = model.normals.copy() if normals else None
    for k in np.nonzero(w)[0]:
        V[hs] += w[k] * model.blend[k, hs]
        if normals:
            N[hs] += w[k] * model.blend_normals[k, hs]
    if e.jaw_open != 0:
        Rj = _jaw_rotation(e.jaw_open * M.JAW_MAX_DEG)
        j = np.nonzero(model.jaw > 0)[0]
        wj = model.jaw[j, None]
        d = V[j] - model.jaw_pivot
        V[j] += wj * (d @ Rj.T - d)
        if normals:
            N[j] += wj * (N[j] @ Rj.T - N[j])
    p = frame.pose
    R = rotation(p.yaw, p.pitch, p.roll)
    Rn = rotation(p.yaw * 0.5, p.pitch * 0.5, p.roll * 0.5)  # the neck turns half as much
    rots = (R, Rn, np.eye(3))
    P = np.empty_like(V)
    for g, sl in enumerate(model.group_slices):
        if g == M.G_BODY:
            P[sl] = V[sl]
            continue
        P[sl] = (V[sl] - NECK_PIVOT) @ rots[g].T + NECK_PIVOT
        if normals:
            N[sl] = N[sl] @ rots[g].T
    if normals:
        N /= np.linalg.norm(N, axis=1, keepdims=True) + 1e-12
    P[:, 1] -= Y_CENTER
    P[:, 2] += CAM_DIST
    f = size * CAM_DIST / VIEW_HEIGHT * p.scale
    cx, cy = principal_point(p, size)
    xy = np.stack([cx + f * P[:, 0] / P[:, 2], cy + f * P[:, 1] / P[:, 2]], axis=1)
    return Posed(P, N, xy, f, R, rots)


def principal_point(pose: Pose, size: int):
    """Where the camera's axis meets the image (pixels): the centre, shifted by the pose's tx, ty
    (the whole person moves in front of the backdrop)."""
    c = (size - 1) / 2.0
    return c + pose.tx * size, c + pose.ty * size


def check_size(size) -> int:
    """size as an int, or a CourseError when it is not a whole number of pixels the renderer supports."""
    if not isinstance(size, (int, np.integer)) or not (MIN_SIZE <= int(size) <= MAX_SIZE):
        raise CourseError(f"size must be an integer number of pixels between {MIN_SIZE} and {MAX_SIZE}, "
                          f"not {size!r}.")
    return int(size)


def raster_for(model: M.FaceModel, posed: Posed, size: int, ss: int = SUPERSAMPLE) -> Raster:
    """Rasterise a posed mesh at ss times the output size."""
    xr = (posed.xy + 0.5) * ss - 0.5
    return rasterize(xr, posed.P[:, 2], model.tris, size * ss, size * ss)


# ----------------------------------------------------------------------------------------------
# Appearance


def clear_caches() -> None:
    """Forget every cached mesh, texture and background (they are rebuilt on demand)."""
    M.clear_model_cache()
    clear_texture_cache()
    background.cache_clear()


@lru_cache(maxsize=64)
def background(ident: Identity, size: int) -> np.ndarray:
    """The identity's backdrop, (size, size, 3) float32 in [0, 1]: a lit wall, soft shapes."""
    rng = np.random.default_rng([ident.seed, 99])
    light, dark = (np.asarray(c, np.float32) for c in ident.background)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / max(size - 1, 1)
    cx, cy = rng.uniform(0.1, 0.9), rng.uniform(0.0, 0.5)
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    t = np.clip(d / 1.1, 0, 1)[..., None]
    img = light * (1 - t) + dark * t
    if ident.background_style >= 1:  # a few blurred shapes: a room out of focus
        small = np.zeros((32, 32, 3), np.float32)
        for _ in range(int(rng.integers(3, 7))):
            col = np.clip(light * rng.uniform(0.5, 1.3, 3), 0, 1).astype(np.float32)
            x0, y0 = rng.integers(0, 32, 2)
            x1, y1 = x0 + rng.integers(4, 16), y0 + rng.integers(4, 20)
            small[y0:y1, x0:x1] = col
        mask = (small.sum(-1, keepdims=True) > 0).astype(np.float32)
        big = cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR)
        bm = cv2.resize(mask, (size, size), interpolation=cv2.INTER_LINEAR)[..., None]
        k = max(1.0, size / 24)
        big = cv2.GaussianBlur(big, (0, 0), k)
        bm = cv2.GaussianBlur(bm, (0, 0), k)[..., None] if bm.ndim == 2 else cv2.GaussianBlur(bm, (0, 0), k)
        bm = bm.reshape(size, size, 1)
        img = img * (1 - 0.6 * bm) + 0.6 * big
    if ident.background_style == 2:  # a vertical edge: a door frame or window
        x = rng.uniform(0.05, 0.3) if rng.random() < 0.5 else rng.uniform(0.7, 0.95)
        edge = 1 / (1 + np.exp(-(xx - x) * 60))
        img = img * (1 - 0.25 * edge[..., None])
    return np.ascontiguousarray(img.astype(np.float32))


def exposure(ident: Identity) -> float:
    """A camera's auto-exposure: darker skin gets a brighter exposure (of the whole picture), as a
    camera metering on the face would give."""
    lum = 0.3 * ident.skin[0] + 0.59 * ident.skin[1] + 0.11 * ident.skin[2]
    return float(np.clip((0.62 / max(lum, 1e-3)) ** 0.5, 1.0, 1.45))


def _sample(texture: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear texture lookup at N texel coordinates (u, v) -> (N, 3) float32 in [0, 1]."""
    n = len(u)
    cols = 512
    rows = (n + cols - 1) // cols
    mu = np.zeros(rows * cols, np.float32)
    mv = np.zeros(rows * cols, np.float32)
    mu[:n] = u
    mv[:n] = v
    out = cv2.remap(texture, mu.reshape(rows, cols), mv.reshape(rows, cols), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(-1, 3)[:n].astype(np.float32) * (1.0 / 255.0)


def _light_vector(frame: Frame, head_rotation: np.ndarray) -> np.ndarray:
    L = np.asarray(frame.light, dtype=np.float64)
    n = np.linalg.norm(L)
    if not np.isfinite(n) or n == 0:
        raise CourseError(f"light must be a non-zero direction (x, y, z), not {frame.light!r}.")
    L = L / n
    if frame.light_follows_head:
        L = head_rotation @ L
    return L


def vertex_light(model: M.FaceModel, posed: Posed, frame: Frame):
    """Per-vertex (light, specular): ambient (brighter from above) + Lambert, and Blinn-Phong.
    With light_follows_head, light, 'above' and viewer turn with each rigid part (head, neck), so
    every surface point keeps its brightness whatever the pose: shading carried by the surface."""
    L = _light_vector(frame, np.eye(3))
    p = _SHADE[model.vertex_material]
    N = posed.N
    light = np.empty(len(N), np.float32)
    spec = np.empty(len(N), np.float32)
    rots = posed.group_rotations if frame.light_follows_head else (np.eye(3),) * 3
    for g, sl in enumerate(model.group_slices):
        R = rots[g]
        Lg = R @ L
        view = R @ np.array([0.0, 0.0, -1.0])
        Hv = (Lg + view) / np.linalg.norm(Lg + view)
        up = R @ np.array([0.0, -1.0, 0.0])
        n, pg = N[sl], p[sl]
        ndl = np.minimum(np.maximum(n @ Lg, 0.0), 1.0)
        light[sl] = pg[:, 0] * (0.8 + 0.3 * (n @ up)) + pg[:, 1] * ndl
        spec[sl] = pg[:, 2] * np.maximum(n @ Hv, 0.0) ** pg[:, 3] * np.minimum(ndl * 4, 1.0)
    # little light gets into a nearly closed mouth
    e = frame.expression
    inside = 0.25 + 0.75 * float(np.clip((e.jaw_open + 0.5 * e.smile) / 0.35, 0.0, 1.0))
    light[model.mouth_vertices] *= inside
    spec[model.mouth_vertices] *= inside
    return light, spec


def shade(model: M.FaceModel, posed: Posed, raster: Raster, frame: Frame, texture: np.ndarray,
          atlas_level: int) -> np.ndarray:
    """Colour (N, 3) float32 of each covered pixel of the raster: texture x light + specular,
    lighting computed at the vertices and interpolated (Gouraud; triangles are a few pixels)."""
    light, spec = vertex_light(model, posed, frame)
    table = np.empty((len(model.tris), 12), np.float32)
    table[:, :6] = model.tri_uv
    for k in range(3):
        table[:, 6 + k] = np.take(light, model.tri_cols[k])
        table[:, 9 + k] = np.take(spec, model.tri_cols[k])
    G = np.take(table, raster.face, axis=0)
    b0, b1, b2 = raster.bary
    u = G[:, 0] * b0 + G[:, 1] * b1 + G[:, 2] * b2
    v = G[:, 3] * b0 + G[:, 4] * b1 + G[:, 5] * b2
    li = G[:, 6] * b0 + G[:, 7] * b1 + G[:, 8] * b2
    sp = G[:, 9] * b0 + G[:, 10] * b1 + G[:, 11] * b2
    scale = 0.5 ** atlas_level
    albedo = _sample(texture, u * scale + (0.5 * scale - 0.5), v * scale + (0.5 * scale - 0.5))
    col = albedo * li[:, None]
    col += (0.9 * sp)[:, None]
    return col


def atlas_level_for(focal: float, ss: int = SUPERSAMPLE) -> int:
    """Which mip level of the atlas matches the raster's resolution (0 = full)."""
    texels_per_unit = M.ATLAS_SIZE / (2 * np.pi * 0.95)
    pixels_per_unit = focal * ss / CAM_DIST
    return int(np.clip(np.floor(np.log2(max(texels_per_unit / pixels_per_unit, 1e-6))), 0, 2))


# ----------------------------------------------------------------------------------------------
# Public entry point


def lod_for(size: int) -> int:
    """Mesh level of detail for an output size: about 3 raster pixels per triangle edge."""
    return 0 if size > 160 else (1 if size > 96 else 2)


_NB = np.mgrid[-1:2, -1:2].reshape(2, 9)


def landmarks_and_visibility(posed: Posed, model: M.FaceModel, raster: Raster, size: int,
                             ss: int = SUPERSAMPLE):
    lm = posed.xy[model.landmark_vertex].astype(np.float32)
    z = posed.P[model.landmark_vertex, 2]
    xr = np.round((lm[:, 0] + 0.5) * ss - 0.5).astype(int)
    yr = np.round((lm[:, 1] + 0.5) * ss - 0.5).astype(int)
    n = size * ss
    inside = (lm[:, 0] > -0.5) & (lm[:, 1] > -0.5) & (lm[:, 0] < size - 0.5) & (lm[:, 1] < size - 0.5)
    # the point counts as seen if, in its 3x3 raster neighbourhood, nothing lies clearly in front of
    # it somewhere: landmarks sit on rims and outlines, where depth jumps between neighbours
    ys = np.minimum(np.maximum(yr[:, None] + _NB[0], 0), n - 1)
    xs = np.minimum(np.maximum(xr[:, None] + _NB[1], 0), n - 1)
    far = raster.depth[ys, xs].max(axis=1)
    vis = inside & (z <= far + TOL_VISIBLE)
    return lm, vis


def _downsample(img: np.ndarray, ss: int) -> np.ndarray:
    if ss == 1:
        return img
    h, w = img.shape[:2]
    return cv2.resize(img, (w // ss, h // ss), interpolation=cv2.INTER_AREA)


def render(identity: Identity, frame: Frame | None = None, size: int = 128) -> RenderedFrame:
    """Render `frame` of `identity` as a size x size picture (16 to 512 px; 32 to 256 recommended).
    Same identity, frame and size -> the same pixels."""
    size = check_size(size)
    frame = frame or Frame()
    model = M.face_model(identity, lod_for(size))
    posed = pose_mesh(model, frame, size)
    ss = SUPERSAMPLE
    raster = raster_for(model, posed, size, ss)
    level = atlas_level_for(posed.focal, ss)
    col = shade(model, posed, raster, frame, texture_level(identity, level), level)
    img = background(identity, size * ss).copy()
    img.reshape(-1, 3)[raster.pix] = col
    small = _downsample(img, ss)
    image = cv2.convertScaleAbs(small, alpha=255.0 * exposure(identity))  # rounds and saturates
    region = np.zeros(raster.tri.size, np.float32)
    region[raster.pix] = (model.region[raster.face] == M.R_FACE)
    fg = np.zeros(raster.tri.size, np.float32)
    fg[raster.pix] = 1.0
    mask = _downsample(region.reshape(raster.tri.shape), ss) >= 0.5
    foreground = _downsample(fg.reshape(raster.tri.shape), ss) >= 0.5
    lm, vis = landmarks_and_visibility(posed, model, raster, size, ss)
    return RenderedFrame(image, lm, vis, mask, foreground, frame, identity)
