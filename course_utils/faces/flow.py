"""Ground-truth optical flow between two frames of one identity.

Convention (backward flow, as used for warping):

    flow[y, x] = (x_A - x, y_A - y)

where (x_A, y_A) is where, in frame A, the surface point seen at pixel (x, y) of frame B is;
all in pixels, pixel centres at integer coordinates. So B(x, y) ~ A(x + flow_x, y + flow_y):
`warp(A, flow)` (or `warp_torch`: torch's grid_sample with `flow_to_grid(flow)`, align_corners=False)
reproduces B wherever `valid` is True. `valid[y, x]` is False where that surface point is hidden in
A (occluded, or outside the image) and on edges where one output pixel mixes surfaces that move
differently. The static background and shoulders have zero flow.

Brightness: FaceWorld's light is fixed to the camera by default, so a turning head changes its
own shading and warping cannot reproduce it exactly. Set `Frame.light_follows_head=True` on both
frames to make shading travel with the surface: brightness constancy then holds up to what
expressions change (a smile or an open jaw turns some normals; the inside of the mouth gets more
light as it opens). The flow itself is the same either way. With that setting, warping A by the
flow reproduces B to within about 1 grey level (mean) on the valid pixels for moderate changes of
pose and expression at 128 px (tests/test_faces_flow.py asks for <= 3).
"""

from __future__ import annotations

import cv2
import numpy as np

from . import mesh as M
from .identity import Frame, Identity
from .renderer import SUPERSAMPLE, check_size, lod_for, pose_mesh, principal_point, raster_for

DEPTH_TOL = 0.05  # canonical units: how far apart two depths may be and still be the same surface
EDGE_FLOW = 1.0  # pixels: flow spread inside one output pixel above which it straddles a motion edge
EDGE_DEPTH = 0.15  # canonical units: depth spread inside one output pixel above which it straddles a depth edge


def ground_truth_flow(identity: Identity, frame_a: Frame, frame_b: Frame, size: int = 128):
    """(flow, valid): flow (H, W, 2) float32 pixels from B back to A (see module notes), valid
    (H, W) bool. Both frames rendered at `size` by `render`."""
    size = check_size(size)
    ss = SUPERSAMPLE
    model = M.face_model(identity, lod_for(size))
    pa = pose_mesh(model, frame_a, size, normals=False)
    pb = pose_mesh(model, frame_b, size, normals=False)
    ra = raster_for(model, pa, size, ss)
    rb = raster_for(model, pb, size, ss)
    n = size * ss
    # output-pixel coordinates of every raster sample of B
    grid = (np.arange(n, dtype=np.float64) + 0.5) / ss - 0.5
    gx, gy = np.meshgrid(grid, grid)
    xa = gx.ravel().copy()  # background: a static point stays where it is
    ya = gy.ravel().copy()
    za = np.full(n * n, np.inf)
    # surface points: the same barycentric combination of the triangle's corners in A's camera space
    tri = model.tris[rb.face]
    b = rb.bary
    P = (b[0][:, None] * pa.P[tri[:, 0]] + b[1][:, None] * pa.P[tri[:, 1]] + b[2][:, None] * pa.P[tri[:, 2]])
    cx, cy = principal_point(frame_a.pose, size)
    xa[rb.pix] = cx + pa.focal * P[:, 0] / P[:, 2]
    ya[rb.pix] = cy + pa.focal * P[:, 1] / P[:, 2]
    za[rb.pix] = P[:, 2]
    valid = _seen_in_a(ra.depth, xa, ya, za, size, ss)
    fx = (xa - gx.ravel()).reshape(n, n)
    fy = (ya - gy.ravel()).reshape(n, n)
    valid = valid.reshape(n, n)
    # down to output pixels: mean flow; valid only where every sample is valid and they agree
    blocks = lambda a: a.reshape(size, ss, size, ss)  # noqa: E731
    flow = np.stack([blocks(fx).mean(axis=(1, 3)), blocks(fy).mean(axis=(1, 3))], axis=-1)
    spread = np.maximum(np.ptp(blocks(fx), axis=(1, 3)), np.ptp(blocks(fy), axis=(1, 3)))
    db = blocks(rb.depth)
    with np.errstate(invalid="ignore"):
        depth_spread = np.nan_to_num(db.max(axis=(1, 3)) - db.min(axis=(1, 3)), nan=0.0, posinf=np.inf)
    ok = blocks(valid).all(axis=(1, 3)) & (spread <= EDGE_FLOW) & (depth_spread <= EDGE_DEPTH)
    return flow.astype(np.float32), ok


def _seen_in_a(depth_a, xa, ya, za, size, ss):
    """True where the point (xa, ya) [output px] at depth za is the front-most surface in A: the
    four raster samples of A around it (its bilinear footprint) all show a surface, and their
    bilinear depth is za (within DEPTH_TOL); background points need background all round."""
    n = size * ss
    xr = (xa + 0.5) * ss - 0.5
    yr = (ya + 0.5) * ss - 0.5
    inside = (xr >= 0) & (yr >= 0) & (xr <= n - 1) & (yr <= n - 1)
    x0 = np.clip(np.floor(xr).astype(np.int64), 0, n - 2)
    y0 = np.clip(np.floor(yr).astype(np.int64), 0, n - 2)
    wx = np.clip(xr - x0, 0, 1)
    wy = np.clip(yr - y0, 0, 1)
    flat = depth_a.ravel()
    d00, d01 = flat[y0 * n + x0], flat[y0 * n + x0 + 1]
    d10, d11 = flat[(y0 + 1) * n + x0], flat[(y0 + 1) * n + x0 + 1]
    corners = np.stack([d00, d01, d10, d11])
    surface = np.isfinite(corners).all(axis=0)
    empty = ~np.isfinite(corners).any(axis=0)
    with np.errstate(invalid="ignore"):
        d = (d00 * (1 - wx) + d01 * wx) * (1 - wy) + (d10 * (1 - wx) + d11 * wx) * wy
        same = surface & (np.abs(d - za) < DEPTH_TOL)
    background = ~np.isfinite(za)
    return inside & np.where(background, empty, same)


def flow_to_grid(flow: np.ndarray):
    """Flow (H, W, 2) or (B, H, W, 2) in pixels -> sampling grid for torch.nn.functional.grid_sample
    with align_corners=False: grid = (2 * (x + flow_x) + 1) / W - 1 (likewise y). Returns a torch
    tensor (B, H, W, 2) float32."""
    import torch

    f = torch.as_tensor(np.asarray(flow, dtype=np.float32))
    if f.ndim == 3:
        f = f[None]
    h, w = f.shape[1:3]
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    gx = (2 * (xs + f[..., 0]) + 1) / w - 1
    gy = (2 * (ys + f[..., 1]) + 1) / h - 1
    return torch.stack([gx, gy], dim=-1)


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward-warp image (H, W[, C]) by flow (H, W, 2): out(x, y) = image(x + fx, y + fy),
    bilinear, edges replicated (cv2.remap). Same dtype as the input. The course's one numpy warp (chapter
    04's flow.warp_cv2, warps.warp_image); warp_torch is the same convention through torch's grid_sample,
    and flow.net.warp_tensor its twin on (N, C, H, W) tensors."""
    h, w = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(image, xs + flow[..., 0], ys + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def warp_torch(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward warp with torch's grid_sample (bilinear, border padding, align_corners=False):
    out(x, y) = image(x + flow_x, y + flow_y). image (H, W[, C]) any dtype, flow (H, W, 2) pixels;
    returns the image's shape and dtype (integers are rounded and clipped). Agrees with `warp` to
    interpolation rounding; torch is imported only when called."""
    import torch
    import torch.nn.functional as F

    img = np.asarray(image)
    x = torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32))
    x = x[None, None] if img.ndim == 2 else x.permute(2, 0, 1)[None]
    out = F.grid_sample(x, flow_to_grid(flow), mode="bilinear", padding_mode="border", align_corners=False)
    out = out[0, 0] if img.ndim == 2 else out[0].permute(1, 2, 0)
    out = out.numpy()
    if np.issubdtype(img.dtype, np.integer):
        info = np.iinfo(img.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(img.dtype)


def flow_to_color(flow: np.ndarray, valid: np.ndarray | None = None, max_mag: float | None = None) -> np.ndarray:
    """The usual colour wheel picture of a flow field: hue = direction, saturation = magnitude.
    (H, W, 3) uint8 RGB; invalid pixels black."""
    fx, fy = flow[..., 0], flow[..., 1]
    mag = np.sqrt(fx ** 2 + fy ** 2)
    ang = (np.degrees(np.arctan2(fy, fx)) + 360) % 360
    m = max_mag if max_mag else max(float(np.percentile(mag, 99)), 1e-6)
    hsv = np.stack([ang / 2, np.clip(mag / m, 0, 1) * 255, np.full_like(mag, 255)], -1).astype(np.uint8)
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    if valid is not None:
        rgb[~valid] = 0
    return rgb
