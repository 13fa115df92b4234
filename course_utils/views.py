"""Geometry of several views: cameras, the linear combination of views, triangulation, the
fundamental matrix, the trilinear tensor, and a novel view warped from a stored one (chapter 05).

Coordinates. 3-D points are in FaceWorld's canonical head space (units of the head; x right, y down,
z away from the camera when the head faces it). A camera is a (3, 4) matrix P: a point X maps to
the pixel (u / w, v / w) with (u, v, w) = P @ (X, 1). `camera_matrix` builds the camera that
FaceWorld's renderer uses for a head pose (perspective), or its orthographic twin (w = 1 always).
Pixels follow the renderer: the centre of pixel (row i, column j) is at (x=j, y=i).
"""

from __future__ import annotations

import numpy as np

from .errors import CourseError
from .faces import mesh as M
from .faces.identity import Expression, Frame, Identity, Pose
from .faces.renderer import (CAM_DIST, NECK_PIVOT, VIEW_HEIGHT, Y_CENTER, lod_for, pose_mesh, principal_point,
                             raster_for, rotation)

# ----------------------------------------------------------------------------------------------
# 3-D points and cameras


def head_points(identity: Identity, expression: Expression | None = None, dense: bool = False,
                lod: int = 1) -> np.ndarray:
    """(68, 3) landmarks, or with dense=True (V, 3) every vertex that turns with the head, in head
    space. Use lod=faces.renderer.lod_for(size) to match a render of that size exactly."""
    model = M.face_model(identity, lod)
    posed = pose_mesh(model, Frame(Pose(), expression or Expression()), 128, normals=False)
    P = posed.P + np.array([0.0, Y_CENTER, -CAM_DIST])  # undo the camera shift: back to head space
    return P[model.group_slices[M.G_HEAD]] if dense else P[model.landmark_vertex]


def camera_matrix(yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0, size: int = 128,
                  camera: str = "perspective", distance: float = CAM_DIST) -> np.ndarray:
    """(3, 4) camera of FaceWorld's renderer for a head pose (degrees) and image size (pixels).
    'orthographic' keeps the image scale at the head's depth; `distance` (head units) sets how
    strong the perspective is (the renderer uses CAM_DIST; the pixel scale stays the same)."""
    if camera not in ("perspective", "orthographic"):
        raise CourseError(f"camera must be 'perspective' or 'orthographic', not {camera!r}.")
    R = rotation(yaw, pitch, roll)
    t = NECK_PIVOT - R @ NECK_PIVOT + np.array([0.0, -Y_CENTER, distance])  # head turns about the neck
    f = size * CAM_DIST / VIEW_HEIGHT * distance / CAM_DIST
    cx, cy = principal_point(Pose(), size)
    K = np.array([[f, 0, cx], [0, f, cy], [0, 0, 1.0]])
    Rt = np.hstack([R, t[:, None]])
    if camera == "perspective":
        return K @ Rt
    s = f / distance  # pixels per head unit at the head's depth
    return np.vstack([s * Rt[:2] + np.array([[0, 0, 0, cx], [0, 0, 0, cy]]), [0, 0, 0, 1.0]])


def project(points3d: np.ndarray, P: np.ndarray) -> np.ndarray:
    """(N, 3) points through a (3, 4) camera -> (N, 2) pixels."""
    h = np.asarray(points3d, float) @ P[:, :3].T + P[:, 3]
    return h[:, :2] / h[:, 2:]


def depth(points3d: np.ndarray, P: np.ndarray) -> np.ndarray:
    """(N,) depth of each point along the camera's axis (head units) for a camera from camera_matrix."""
    return np.asarray(points3d, float) @ P[2, :3] + P[2, 3]


def camera_coordinates(points3d: np.ndarray, P: np.ndarray) -> np.ndarray:
    """(N, 3) points in a perspective camera's own frame (x right, y down, z = depth; head units),
    for a camera P = K [R | t] from camera_matrix."""
    r3 = P[2, :3]
    c = P[:2, :3] @ r3  # the principal point (cx, cy): P's first rows are f R_i + c_i R_3
    f = np.linalg.norm(P[0, :3] - c[0] * r3)
    z = depth(points3d, P)
    return np.column_stack([(project(points3d, P) - c) * z[:, None] / f, z])


def backproject(pixels: np.ndarray, depths: np.ndarray | float, P: np.ndarray) -> np.ndarray:
    """(N, 3) points that a perspective (3, 4) camera sees at (N, 2) pixels, at the given depths: one
    image fixes each point's ray, not where on the ray it lies."""
    x = np.column_stack([pixels, np.ones(len(pixels))]) * np.broadcast_to(depths, (len(pixels),))[:, None]
    return np.linalg.solve(P[:, :3], (x - P[:, 3]).T).T


def visible_vertices(identity: Identity, yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0,
                     size: int = 128, tol: float = 0.04) -> np.ndarray:
    """(V,) bool over head_points(dense=True, lod=lod_for(size)): which vertices the renderer's
    z-buffer shows (nothing in front of them) in a view of that pose."""
    model = M.face_model(identity, lod_for(size))
    posed = pose_mesh(model, Frame(Pose(yaw, pitch, roll)), size, normals=False)
    raster = raster_for(model, posed, size)
    hs = model.group_slices[M.G_HEAD]
    xy, z = posed.xy[hs], posed.P[hs, 2]
    n = raster.depth.shape[0]
    ss = n // size
    j = np.clip(np.round((xy[:, 0] + 0.5) * ss - 0.5).astype(int), 0, n - 1)
    i = np.clip(np.round((xy[:, 1] + 0.5) * ss - 0.5).astype(int), 0, n - 1)
    return z <= raster.depth[i, j] + tol


# ----------------------------------------------------------------------------------------------
# Linear combination of views (Ullman & Basri 1991)


def _lcv_design(view1: np.ndarray, view2: np.ndarray) -> np.ndarray:
    return np.column_stack([view1[:, 0], view1[:, 1], view2[:, 0], np.ones(len(view1))])


def lcv_fit(view1: np.ndarray, view2: np.ndarray, view3: np.ndarray) -> np.ndarray:
    """(2, 4) coefficients a: x3 = a[0] @ (x1, y1, x2, 1), y3 = a[1] @ (x1, y1, x2, 1), least squares
    over N >= 4 matching points (three (N, 2) arrays of pixels)."""
    if len(view1) < 4:
        raise CourseError("The linear combination of views needs at least 4 matching points to fit 4 coefficients.")
    a, *_ = np.linalg.lstsq(_lcv_design(view1, view2), view3, rcond=None)
    return a.T


def lcv_predict(coeffs: np.ndarray, view1: np.ndarray, view2: np.ndarray) -> np.ndarray:
    """(N, 2) pixels in the third view predicted from (N, 2) pixels in views 1 and 2 and (2, 4) coefficients."""
    return _lcv_design(view1, view2) @ coeffs.T


def lcv_from_cameras(P1: np.ndarray, P2: np.ndarray, P3: np.ndarray) -> np.ndarray:
    """(2, 4) coefficients for three orthographic cameras, with no third image at all: a virtual view."""
    A = np.vstack([P1[0], P1[1], P2[0], [0, 0, 0, 1.0]])  # (x1, y1, x2, 1) = A @ (X, 1)
    return P3[:2] @ np.linalg.inv(A)


# ----------------------------------------------------------------------------------------------
# Two views: triangulation and the fundamental matrix


def _homogeneous(pts: np.ndarray) -> np.ndarray:
    return np.column_stack([pts, np.ones(len(pts))])


def triangulate(P1: np.ndarray, P2: np.ndarray, pts1: np.ndarray, pts2: np.ndarray) -> np.ndarray:
    """(N, 3) points from (N, 2) pixels in two views with (3, 4) cameras: linear (DLT) triangulation,
    each point the least-squares solution of x × (P X) = 0 in both views."""
    A = np.stack([pts1[:, :1] * P1[2] - P1[0], pts1[:, 1:] * P1[2] - P1[1],
                  pts2[:, :1] * P2[2] - P2[0], pts2[:, 1:] * P2[2] - P2[1]], axis=1)  # (N, 4, 4)
    A /= np.linalg.norm(A, axis=2, keepdims=True)
    X = np.linalg.svd(A)[2][:, -1]  # (N, 4) null vectors
    return X[:, :3] / X[:, 3:]


def normalising_transform(pts: np.ndarray) -> np.ndarray:
    """(3, 3) similarity moving (N, 2) points to centroid 0 and mean distance sqrt(2) (Hartley 1997)."""
    c = pts.mean(0)
    s = np.sqrt(2) / np.linalg.norm(pts - c, axis=1).mean()
    return np.array([[s, 0, -s * c[0]], [0, s, -s * c[1]], [0, 0, 1.0]])


def fundamental_matrix(pts1: np.ndarray, pts2: np.ndarray) -> np.ndarray:
    """(3, 3) rank-2 F with x2ᵀ F x1 = 0 for matching (N, 2) pixels, N >= 8: the normalised 8-point
    algorithm (scaled so that ‖F‖ = 1 and F[2, 2] >= 0)."""
    if len(pts1) < 8:
        raise CourseError("The 8-point algorithm needs at least 8 matching points in both views.")
    T1, T2 = normalising_transform(pts1), normalising_transform(pts2)
    x1, x2 = _homogeneous(pts1) @ T1.T, _homogeneous(pts2) @ T2.T
    A = (x2[:, :, None] * x1[:, None, :]).reshape(len(x1), 9)  # row: x2ᵀ F x1 = A_row · vec(F)
    F = np.linalg.svd(A)[2][-1].reshape(3, 3)
    U, S, Vt = np.linalg.svd(F)
    F = U @ np.diag([S[0], S[1], 0.0]) @ Vt  # the closest rank-2 matrix: all epipolar lines meet
    F = T2.T @ F @ T1
    F /= np.linalg.norm(F)
    return F if F[2, 2] >= 0 else -F


def epipolar_residuals(F: np.ndarray, pts1: np.ndarray, pts2: np.ndarray) -> np.ndarray:
    """(N,) distance in pixels from each point of view 2 to the epipolar line F x1 of its match."""
    lines = epipolar_lines(F, pts1)
    return np.abs(np.sum(lines * _homogeneous(pts2), axis=1))


def epipolar_lines(F: np.ndarray, pts1: np.ndarray) -> np.ndarray:
    """(N, 3) lines (a, b, c) in view 2, a x + b y + c = 0 with a² + b² = 1, on which the matches of
    (N, 2) points of view 1 must lie."""
    lines = _homogeneous(pts1) @ F.T
    return lines / np.linalg.norm(lines[:, :2], axis=1, keepdims=True)


# ----------------------------------------------------------------------------------------------
# Three views: the trilinear tensor (Shashua 1995; Hartley & Zisserman's trifocal tensor)

_EPS = np.zeros((3, 3, 3))
_EPS[0, 1, 2] = _EPS[1, 2, 0] = _EPS[2, 0, 1] = 1.0
_EPS[0, 2, 1] = _EPS[2, 1, 0] = _EPS[1, 0, 2] = -1.0


def trilinear_residuals(T: np.ndarray, pts1: np.ndarray, pts2: np.ndarray, pts3: np.ndarray) -> np.ndarray:
    """(N, 3, 3) values of the nine trilinear expressions xⁱ [x']×_js [x'']×_kt T_i^jk per point
    triplet; all zero for a true match (four of them are independent)."""
    x1, x2, x3 = (_homogeneous(p) for p in (pts1, pts2, pts3))
    c2 = np.einsum("nj,jqs->nqs", x2, _EPS)  # skew matrix [x']× of each point
    c3 = np.einsum("nk,krt->nrt", x3, _EPS)
    return np.einsum("ni,nqs,nrt,iqr->nst", x1, c2, c3, T)


def trilinear_tensor(pts1: np.ndarray, pts2: np.ndarray, pts3: np.ndarray) -> np.ndarray:
    """(3, 3, 3) tensor T_i^jk from N >= 7 matching (N, 2) pixels in three views, linearly (all 9
    trilinear equations per triplet, points normalised first), scaled to ‖T‖ = 1."""
    if len(pts1) < 7:
        raise CourseError("The trilinear tensor needs at least 7 point triplets (27 unknowns, 4 equations each).")
    H = [normalising_transform(p) for p in (pts1, pts2, pts3)]
    n = [(_homogeneous(p) @ h.T)[:, :2] for p, h in zip((pts1, pts2, pts3), H)]
    x1, x2, x3 = (_homogeneous(p) for p in n)
    c2 = np.einsum("nj,jqs->nqs", x2, _EPS)
    c3 = np.einsum("nk,krt->nrt", x3, _EPS)
    A = np.einsum("ni,nqs,nrt->nstiqr", x1, c2, c3).reshape(-1, 27)  # rows: (point, s, t); cols: T_iqr
    Tn = np.linalg.svd(A)[2][-1].reshape(3, 3, 3)
    # undo the normalisation: the first index is covariant, the two others contravariant
    T = np.einsum("ri,jq,ks,rqs->ijk", H[0], np.linalg.inv(H[1]), np.linalg.inv(H[2]), Tn)
    return T / np.linalg.norm(T)


def trilinear_transfer(T: np.ndarray, pts1: np.ndarray, pts2: np.ndarray) -> np.ndarray:
    """(N, 2) pixels in view 3 predicted from matching (N, 2) pixels in views 1 and 2: for each point
    the x'' that best satisfies the nine trilinear equations (they are linear in x'')."""
    x1, x2 = _homogeneous(pts1), _homogeneous(pts2)
    c2 = np.einsum("nj,jqs->nqs", x2, _EPS)
    # equations (s, t): x''ᵏ Σ_r ε_krt (xⁱ [x']×_qs T_iqr) = 0 -> a (N, 9, 3) system in x''
    L = np.einsum("ni,nqs,iqr->nsr", x1, c2, T)
    B = np.einsum("nsr,krt->nstk", L, _EPS).reshape(len(x1), 9, 3)
    x3 = np.linalg.svd(B)[2][:, -1]
    return x3[:, :2] / x3[:, 2:]


def trilinear_from_cameras(P1: np.ndarray, P2: np.ndarray, P3: np.ndarray) -> np.ndarray:
    """(3, 3, 3) tensor of three (3, 4) cameras (any scale), from the cameras alone: a virtual camera's
    tensor, as Avidan & Shashua build it from a rotation and a translation."""
    H = np.linalg.inv(np.vstack([P1, np.linalg.svd(P1)[2][-1]]))  # maps P1 to [I | 0]
    A, B = P2 @ H, P3 @ H
    T = np.einsum("ji,k->ijk", A[:, :3], B[:, 3]) - np.einsum("j,ki->ijk", A[:, 3], B[:, :3])
    return T / np.linalg.norm(T)


# ----------------------------------------------------------------------------------------------
# A new view from a stored one: piecewise-affine warp over predicted correspondences


def warp_to_points(image: np.ndarray, src_pts: np.ndarray, dst_pts: np.ndarray) -> np.ndarray:
    """Warp an (H, W[, 3]) image so that (N, 2) pixels src_pts land on dst_pts: piecewise affine over
    the Delaunay triangles of dst_pts; outside them (and the image's border) nothing moves."""
    import cv2
    from scipy.spatial import Delaunay

    h, w = image.shape[:2]
    border = np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1], [(w - 1) / 2, 0], [(w - 1) / 2, h - 1],
                       [0, (h - 1) / 2], [w - 1, (h - 1) / 2]], float)
    dst = np.vstack([dst_pts, border])
    src = np.vstack([src_pts, border])
    tri = Delaunay(dst)
    # which destination triangle covers each pixel: paint the triangles' numbers (much faster than
    # Delaunay.find_simplex for a whole image), 4 bits of sub-pixel precision
    label = np.full((h, w), -1, np.int32)
    corners = np.round(dst[tri.simplices] * 16).astype(np.int32)
    for k, c in enumerate(corners):
        cv2.fillConvexPoly(label, c, int(k), lineType=cv2.LINE_8, shift=4)
    yy, xx = np.mgrid[0:h, 0:w]
    q = np.column_stack([xx.ravel(), yy.ravel()]).astype(float)
    simplex = label.ravel()
    inside = simplex >= 0
    s = simplex[inside]
    # barycentric coordinates of each pixel in its destination triangle, reused in the source triangle
    V = dst[tri.simplices]  # (T, 3, 2) corners
    e1, e2 = V[:, 0] - V[:, 2], V[:, 1] - V[:, 2]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    det = np.where(np.abs(det) < 1e-12, np.inf, det)  # a flat sliver: every pixel goes to one corner
    inv = np.stack([np.stack([e2[:, 1], -e2[:, 0]], 1), np.stack([-e1[:, 1], e1[:, 0]], 1)], 1) / det[:, None, None]
    b = np.einsum("nij,nj->ni", inv[s], q[inside] - V[s, 2])
    bary = np.column_stack([b, 1 - b.sum(1)])
    mapped = q.copy()
    mapped[inside] = np.einsum("ni,nij->nj", bary, src[tri.simplices[s]])
    mx = mapped[:, 0].reshape(h, w).astype(np.float32)
    my = mapped[:, 1].reshape(h, w).astype(np.float32)
    return cv2.remap(image, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# ----------------------------------------------------------------------------------------------
# One view and a learned prior: a linear 3-D shape model


def shape_model(shapes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean (68, 3), basis (k, 68, 3)) of (n, 68, 3) example shapes by PCA, each basis vector
    scaled by its standard deviation over the examples."""
    mean = shapes.mean(0)
    X = (shapes - mean).reshape(len(shapes), -1)
    _, S, Vt = np.linalg.svd(X, full_matrices=False)
    sd = S[:k] / np.sqrt(max(len(shapes) - 1, 1))
    return mean, (Vt[:k] * sd[:, None]).reshape(k, *mean.shape)


def fit_shape(pixels: np.ndarray, P: np.ndarray, mean: np.ndarray, basis: np.ndarray,
              reg: float = 1.0) -> np.ndarray:
    """(68, 3) shape mean + Σ c_k basis_k whose projection through the known (3, 4) camera P best
    matches (68, 2) pixels: linear least squares (`reg` pulls the coefficients c towards 0)."""
    k = len(basis)
    w = depth(mean, P)[:, None, None]  # scales the algebraic error to about pixels
    # u = (P0 X + p03) / (P2 X + p23)  <=>  (P0 - u P2) X = u p23 - p03: linear in X, hence in c
    rows = (P[None, :2, :3] - pixels[:, :, None] * P[None, 2:, :3]) / w  # (68, 2, 3)
    rhs = (pixels * P[2, 3] - P[:2, 3]) / w[:, :, 0] - np.einsum("nad,nd->na", rows, mean)
    A = np.einsum("nad,knd->nak", rows, basis).reshape(-1, k)
    c = np.linalg.solve(A.T @ A + reg * np.eye(k), A.T @ rhs.reshape(-1))
    return mean + np.einsum("k,knd->nd", c, basis)
