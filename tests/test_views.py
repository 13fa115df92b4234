"""Geometry of several views (course_utils.views): each test checks a property that fails when the maths is wrong."""

import cv2
import numpy as np
import pytest

from course_utils import faces, views
from course_utils.errors import CourseError
from course_utils.faces.renderer import lod_for


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def _cameras(rng, n, **kw):
    return [views.camera_matrix(*rng.uniform(-35, 35, 3), **kw) for _ in range(n)]


def _relative_residual(v1, v2, v3):
    pred = views.lcv_predict(views.lcv_fit(v1, v2, v3), v1, v2)
    return np.linalg.norm(pred - v3) / np.linalg.norm(v3 - v3.mean(0))


def test_lcv_is_exact_for_orthographic_views(rng):
    for _ in range(5):
        X = rng.normal(size=(40, 3))
        v1, v2, v3 = (views.project(X, P) for P in _cameras(rng, 3, camera="orthographic"))
        assert _relative_residual(v1, v2, v3) < 1e-8


def test_lcv_is_not_exact_under_strong_perspective(rng):
    X = rng.normal(size=(40, 3)) * 0.6
    v1, v2, v3 = (views.project(X, P) for P in _cameras(rng, 3, distance=2.5))
    assert _relative_residual(v1, v2, v3) > 1e-3


def test_lcv_coefficients_from_cameras_match_the_fit(rng):
    X = rng.normal(size=(30, 3))
    Ps = _cameras(rng, 3, camera="orthographic")
    v1, v2, v3 = (views.project(X, P) for P in Ps)
    np.testing.assert_allclose(views.lcv_predict(views.lcv_from_cameras(*Ps), v1, v2), v3, atol=1e-8)


def test_lcv_needs_four_points():
    with pytest.raises(CourseError):
        views.lcv_fit(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 2)))


def test_triangulation_recovers_points_from_two_perspective_views(rng):
    X = rng.normal(size=(50, 3)) * 0.7
    P1, P2 = views.camera_matrix(-20, 5, 0), views.camera_matrix(25, -5, 3)
    Xt = views.triangulate(P1, P2, views.project(X, P1), views.project(X, P2))
    np.testing.assert_allclose(Xt, X, atol=1e-8)


def test_one_view_cannot_tell_depth(rng):
    X = rng.normal(size=(20, 3)) * 0.7
    P = views.camera_matrix(10, 0, 0)
    px = views.project(X, P)
    other = views.backproject(px, views.depth(X, P) * rng.uniform(0.7, 1.3, 20), P)
    assert np.abs(other - X).max() > 0.1  # a different shape ...
    np.testing.assert_allclose(views.project(other, P), px, atol=1e-9)  # ... with the same picture


def test_eight_point_fundamental_matrix(rng):
    X = rng.normal(size=(60, 3)) * 0.7
    P1, P2 = views.camera_matrix(-20, 5, 0), views.camera_matrix(25, -5, 3)
    x1, x2 = views.project(X, P1), views.project(X, P2)
    F = views.fundamental_matrix(x1[:20], x2[:20])
    assert np.linalg.matrix_rank(F, tol=1e-10) == 2
    held_out = np.einsum("ni,ij,nj->n", np.column_stack([x2[20:], np.ones(40)]), F,
                         np.column_stack([x1[20:], np.ones(40)]))
    assert np.abs(held_out).max() < 1e-9
    assert views.epipolar_residuals(F, x1[20:], x2[20:]).max() < 1e-6  # pixels
    # and the epipolar lines of wrong matches miss them
    assert views.epipolar_residuals(F, x1[20:], x2[20:][::-1]).mean() > 1.0
    Fcv, _ = cv2.findFundamentalMat(x1[:20], x2[:20], cv2.FM_8POINT)
    Fcv = Fcv / np.linalg.norm(Fcv) * np.sign(Fcv[2, 2])
    np.testing.assert_allclose(F, Fcv, atol=1e-5)


def test_trilinear_transfer_predicts_the_third_view(rng):
    X = rng.normal(size=(60, 3)) * 0.7
    Ps = [views.camera_matrix(-20, 5, 0), views.camera_matrix(25, -5, 3), views.camera_matrix(5, 20, -10)]
    x1, x2, x3 = (views.project(X, P) for P in Ps)
    T = views.trilinear_tensor(x1[:7], x2[:7], x3[:7])
    np.testing.assert_allclose(views.trilinear_transfer(T, x1[7:], x2[7:]), x3[7:], atol=1e-6)
    assert np.abs(views.trilinear_residuals(T, x1, x2, x3)).max() < 1e-8
    assert np.abs(views.trilinear_residuals(T, x1, x2, x3[::-1])).max() > 1e-4  # wrong triplets break it
    Tc = views.trilinear_from_cameras(*Ps)
    assert min(np.abs(T - Tc).max(), np.abs(T + Tc).max()) < 1e-6  # same tensor, up to sign


def test_fundamental_matrix_stays_rank_two_with_noisy_matches(rng):
    X = rng.normal(size=(40, 3)) * 0.7
    P1, P2 = views.camera_matrix(-20, 5, 0), views.camera_matrix(25, -5, 3)
    x1 = views.project(X, P1) + rng.normal(0, 0.5, (40, 2))
    x2 = views.project(X, P2) + rng.normal(0, 0.5, (40, 2))
    F = views.fundamental_matrix(x1, x2)
    s = np.linalg.svd(F)[1]
    assert s[2] < 1e-12 * s[0]  # noise alone would make it rank 3: the algorithm must force rank 2
    assert np.median(views.epipolar_residuals(F, x1, x2)) < 1.0


@pytest.mark.parametrize("yaw, pitch, roll, size", [(0, 0, 0, 128), (25, -10, 8, 96), (-30, 15, -5, 200)])
def test_projected_landmarks_match_the_renderer(yaw, pitch, roll, size):
    person = faces.sample_identity(3)
    expression = faces.Expression(jaw_open=0.5, smile=0.3)
    rendered = faces.render(person, faces.Frame(faces.Pose(yaw, pitch, roll), expression), size=size)
    X = views.head_points(person, expression, lod=lod_for(size))
    pred = views.project(X, views.camera_matrix(yaw, pitch, roll, size))
    assert np.abs(pred - rendered.landmarks).max() < 0.01
    ortho = views.project(X, views.camera_matrix(yaw, pitch, roll, size, camera="orthographic"))
    assert np.abs(ortho - rendered.landmarks).max() > 0.3  # the renderer is a perspective camera


def test_novel_view_warp_beats_the_stored_view():
    person = faces.sample_identity(11)
    a, b, c = (faces.render(person, faces.Frame(faces.Pose(yaw=y), light_follows_head=True), size=96)
               for y in (-25, 25, -5))
    X = views.head_points(person, dense=True, lod=lod_for(96))
    seen = views.visible_vertices(person, -25, size=96) & views.visible_vertices(person, 25, size=96)
    xa, xb = (views.project(X[seen], views.camera_matrix(y, size=96)) for y in (-25, 25))
    pred = views.lcv_predict(views.lcv_fit(a.landmarks, b.landmarks, c.landmarks), xa, xb)
    warped = views.warp_to_points(a.image, xa, pred)
    err = lambda im: np.abs(im.astype(float) - c.image)[c.mask].mean()  # noqa: E731
    assert err(warped) < 0.3 * err(a.image)


def test_warp_with_identical_points_changes_nothing(rng):
    image = rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)
    pts = rng.uniform(5, 35, (12, 2))
    np.testing.assert_array_equal(views.warp_to_points(image, pts, pts), image)


def test_a_shape_prior_recovers_depth_from_one_view():
    shapes = np.stack([views.head_points(faces.sample_identity(s), lod=2) for s in range(20)])
    mean, basis = views.shape_model(shapes, 8)
    truth = views.head_points(faces.sample_identity(1000), lod=2)
    P = views.camera_matrix(20, -5, 0)
    fit = views.fit_shape(views.project(truth, P), P, mean, basis)
    err = lambda S: np.sqrt(np.mean((views.depth(S, P) - views.depth(truth, P)) ** 2))  # noqa: E731
    flat = np.full(68, views.depth(mean, P).mean())
    assert err(fit) < err(mean) < np.sqrt(np.mean((flat - views.depth(truth, P)) ** 2)) / 5
