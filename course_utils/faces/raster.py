"""A small vectorised z-buffer rasteriser: triangles in, (triangle id, barycentrics, depth) per pixel out.

No Python loop runs over pixels or triangles. Triangles are grouped by the size of their bounding
box; each group tests all the pixel centres of its boxes at once with edge functions, and
`np.minimum.at` keeps the nearest candidate per pixel (the key packs the depth's float bits above
the candidate's index, so an integer minimum is a depth test).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EMPTY = np.iinfo(np.int64).max


@dataclass
class Raster:
    """What a camera sees of a mesh. Pixel centres sit at integer coordinates. For each covered
    pixel (flat index `pix`, row-major) the front-most triangle `face` and the perspective-correct
    barycentrics `bary` of the surface point seen there; `tri` and `depth` as images too."""

    tri: np.ndarray  # (H, W) int32, -1 where no triangle covers the pixel
    depth: np.ndarray  # (H, W) float32 view depth, +inf where empty
    pix: np.ndarray  # (N,) int64 flat indices of the covered pixels
    face: np.ndarray  # (N,) int32 triangle ids there
    bary: np.ndarray  # (3, N) float32 weights of the triangle's three corners there

    @property
    def covered(self) -> np.ndarray:
        return self.tri >= 0


def _expand(counts: np.ndarray):
    """For counts (n,): the owner index of each of the counts.sum() items, and its rank in its owner."""
    owner = np.repeat(np.arange(counts.size), counts)
    start = np.cumsum(counts) - counts
    rank = np.arange(owner.size) - np.repeat(start, counts)
    return owner, rank


def rasterize(xy: np.ndarray, z: np.ndarray, tris: np.ndarray, height: int, width: int,
              cull_backfaces: bool = True) -> Raster:
    """Rasterise triangles. xy (V, 2) pixel coordinates, z (V,) positive view depth, tris (T, 3) int.
    A front face has its normal (p1 - p0) x (p2 - p0) towards the camera (-z): in pixel coordinates
    (x right, y down) its signed area (x1-x0)(y2-y0) - (x2-x0)(y1-y0) is negative.

    Scanline style, vectorised: each triangle is cut into pixel rows; each row's run of covered
    pixel centres comes from the three edge inequalities; the runs are expanded into pixels."""
    xy = np.asarray(xy, dtype=np.float64)
    x = np.ascontiguousarray(xy[:, 0])
    y = np.ascontiguousarray(xy[:, 1])
    t0, t1, t2 = (np.ascontiguousarray(tris[:, k]) for k in range(3))
    x0, x1, x2 = np.take(x, t0), np.take(x, t1), np.take(x, t2)
    y0, y1, y2 = np.take(y, t0), np.take(y, t1), np.take(y, t2)
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    keep = area < -1e-8 if cull_backfaces else np.abs(area) > 1e-8
    bx0 = np.maximum(np.ceil(np.minimum(np.minimum(x0, x1), x2)), 0)
    bx1 = np.minimum(np.floor(np.maximum(np.maximum(x0, x1), x2)), width - 1)
    by0 = np.maximum(np.ceil(np.minimum(np.minimum(y0, y1), y2)), 0)
    by1 = np.minimum(np.floor(np.maximum(np.maximum(y0, y1), y2)), height - 1)
    keep &= (bx0 <= bx1) & (by0 <= by1)
    ids = np.flatnonzero(keep)
    x0, x1, x2, y0, y1, y2, area, bx0, bx1, by0, by1 = (
        np.take(v, ids) for v in (x0, x1, x2, y0, y1, y2, area, bx0, bx1, by0, by1))
    inv = 1.0 / area
    # barycentric i = A_i (x - xr_i) + B_i (y - yr_i), with (xr, yr) a vertex on edge i
    A = np.stack([(y1 - y2) * inv, (y2 - y0) * inv, (y0 - y1) * inv])
    B = np.stack([(x2 - x1) * inv, (x0 - x2) * inv, (x1 - x0) * inv])
    XR = np.stack([x1, x2, x0])
    YR = np.stack([y1, y2, y0])

    # rows
    tri_of_row, rank = _expand((by1 - by0 + 1).astype(np.int64))
    py = np.take(by0, tri_of_row) + rank
    a = np.take(A, tri_of_row, axis=1)
    b = np.take(B, tri_of_row, axis=1)
    k = b * (py - np.take(YR, tri_of_row, axis=1))  # B_i (y - yr_i)
    xr_ = np.take(XR, tri_of_row, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = xr_ - k / a  # where barycentric i crosses zero on this row
    lo = np.where(a > 0, bound, -np.inf).max(axis=0)
    hi = np.where(a < 0, bound, np.inf).min(axis=0)
    flat_ok = np.where(a == 0, k >= 0, True).all(axis=0)
    lo = np.maximum(np.ceil(lo - 1e-6), np.take(bx0, tri_of_row))
    hi = np.minimum(np.floor(hi + 1e-6), np.take(bx1, tri_of_row))
    n = np.where(flat_ok, np.maximum(hi - lo + 1, 0), 0).astype(np.int64)

    # pixels
    _, rank = _expand(n)
    px = np.repeat(lo, n) + rank
    pyy = np.repeat(py, n)
    ar = np.repeat(a[0], n), np.repeat(a[1], n)
    kr = np.repeat(k[0] - a[0] * xr_[0], n), np.repeat(k[1] - a[1] * xr_[1], n)
    b0 = (ar[0] * px + kr[0]).astype(np.float32)
    b1 = (ar[1] * px + kr[1]).astype(np.float32)
    for b in (b0, b1):  # (in place; np.clip's wrapper is slow on small arrays)
        np.maximum(b, 0.0, out=b)
        np.minimum(b, 1.0, out=b)
    b2 = 1.0 - b0 - b1
    np.maximum(b2, 0.0, out=b2)
    tri = np.take(ids, np.repeat(tri_of_row, n))
    pix = pyy.astype(np.int64) * width + px.astype(np.int64)

    tri_img = np.full(height * width, -1, dtype=np.int32)
    depth = np.full(height * width, np.inf, dtype=np.float32)
    hit = np.zeros(0, dtype=np.int64)
    face = np.zeros(0, dtype=np.int32)
    bary = np.zeros((3, 0), dtype=np.float32)
    if pix.size:
        # perspective-correct interpolation: 1/z is linear on screen
        iz = (1.0 / np.asarray(z, dtype=np.float64)).astype(np.float32)
        b0 *= np.take(np.take(iz, t0), tri)
        b1 *= np.take(np.take(iz, t1), tri)
        b2 *= np.take(np.take(iz, t2), tri)
        d = (1.0 / (b0 + b1 + b2)).astype(np.float32)
        key = (d.view(np.int32).astype(np.int64) << 32) | np.arange(d.size, dtype=np.int64)
        buf = np.full(height * width, _EMPTY, dtype=np.int64)
        np.minimum.at(buf, pix, key)
        hit = np.flatnonzero(buf != _EMPTY)
        win = np.take(buf, hit) & 0xFFFFFFFF
        face = np.take(tri, win).astype(np.int32)
        tri_img[hit] = face
        dw = np.take(d, win)
        depth[hit] = dw
        bary = np.stack([np.take(b0, win) * dw, np.take(b1, win) * dw, np.take(b2, win) * dw])
    return Raster(tri_img.reshape(height, width), depth.reshape(height, width), hit, face, bary)
