"""Landmark-driven warps: the splines interpolate, zero flow changes nothing, motion transfer is relative."""

import numpy as np
import pytest

from course_utils import faces, warps


def _points(n=30, size=128, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(size * 0.1, size * 0.9, (n, 2))


def _bilinear(field, pt):
    x, y = pt
    x0, y0 = int(np.floor(x)), int(np.floor(y))
    fx, fy = x - x0, y - y0
    f = field.astype(np.float64)
    return ((f[y0, x0] * (1 - fx) + f[y0, x0 + 1] * fx) * (1 - fy)
            + (f[y0 + 1, x0] * (1 - fx) + f[y0 + 1, x0 + 1] * fx) * fy)


def test_thin_plate_spline_passes_through_its_control_points():
    c = _points()
    v = np.random.default_rng(1).normal(0, 5, (len(c), 2))
    tps = warps.ThinPlateSpline(c, v)
    np.testing.assert_allclose(tps(c), v, atol=1e-6)
    scalar = warps.ThinPlateSpline(c, v[:, 0])
    assert scalar(c).shape == (len(c),)
    np.testing.assert_allclose(scalar(c), v[:, 0], atol=1e-6)
    # smoothing trades exactness for less bending
    assert np.abs(warps.ThinPlateSpline(c, v, smoothing=1e3)(c) - v).max() > 0.1


def test_thin_plate_spline_reproduces_an_affine_map_exactly():
    c = _points()
    A, b = np.array([[1.1, 0.2], [-0.3, 0.9]]), np.array([4.0, -2.0])
    tps = warps.ThinPlateSpline(c, c @ A.T + b)
    q = np.random.default_rng(2).uniform(-50, 200, (200, 2))
    np.testing.assert_allclose(tps(q), q @ A.T + b, atol=1e-6)
    np.testing.assert_allclose(tps.weights, 0, atol=1e-8)


def test_warping_by_zero_flow_is_the_identity():
    img = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    assert np.array_equal(warps.warp_image(img, np.zeros((40, 50, 2), np.float32)), img)
    pts = _points(20, 40)
    flow = warps.piecewise_affine_flow(pts, pts, img.shape[:2])
    assert np.abs(flow).max() < 1e-4
    assert np.array_equal(warps.warp_image(img, flow), img)
    assert np.abs(warps.tps_flow(pts, pts, img.shape[:2])).max() < 1e-3


def test_flows_follow_the_course_convention():
    """flow(dst) = src - dst: a pure shift of every point by (+3, -2) gives flow (-3, +2) where it applies."""
    pts = _points(25, 96)
    for fn in (warps.piecewise_affine_flow, warps.tps_flow):
        flow = fn(pts, pts + [3.0, -2.0], (96, 96), border=False)
        np.testing.assert_allclose(flow[48, 48], [-3.0, 2.0], atol=1e-3)


def test_piecewise_affine_flow_maps_destinations_back_to_sources():
    rng = np.random.default_rng(3)
    dst = np.unique(rng.integers(10, 118, (40, 2)), axis=0).astype(np.float64)  # on pixel centres
    src = dst + rng.normal(0, 3, dst.shape)
    flow = warps.piecewise_affine_flow(src, dst, (128, 128))
    got = flow[dst[:, 1].astype(int), dst[:, 0].astype(int)]
    np.testing.assert_allclose(got, src - dst, atol=1e-3)
    # between the points: an affine map is reproduced everywhere inside the hull, so bilinear
    # sampling at any (non-integer) point there is exact too
    A, b = np.array([[0.95, 0.1], [-0.05, 1.05]]), np.array([2.0, -1.5])
    flow = warps.piecewise_affine_flow(dst @ A.T + b, dst, (128, 128), border=False)
    q = np.array([[60.3, 61.7], [50.5, 70.25], [70.8, 55.1]])
    for p in q:
        np.testing.assert_allclose(_bilinear(flow, p), p @ A.T + b - p, atol=0.05)
    # the border stays put, and pixels outside the hull (no border points) have zero flow
    flow_b = warps.piecewise_affine_flow(src, dst, (128, 128))
    assert np.abs(flow_b[[0, 0, -1, -1], [0, -1, 0, -1]]).max() < 1e-4
    assert np.abs(flow[0, 0]).max() == 0


def test_tps_flow_matches_the_spline_at_the_landmarks():
    rng = np.random.default_rng(4)
    dst = np.stack(np.meshgrid(np.arange(40, 220, 30), np.arange(40, 220, 30)), -1).reshape(-1, 2).astype(float)
    dst += rng.uniform(-6, 6, dst.shape)  # spread out like landmarks of a face: at least 18 px apart
    src = dst + rng.normal(0, 2, dst.shape)
    flow = warps.tps_flow(src, dst, (256, 256))
    assert flow.shape == (256, 256, 2) and flow.dtype == np.float32
    err = [np.abs(_bilinear(flow, d) - (s - d)).max() for s, d in zip(src, dst)]
    assert max(err) < 0.5  # evaluated on a coarse grid and upsampled: close, not exact
    assert np.abs(flow[0, 0]).max() < 0.05  # a border point


def test_border_points_include_the_corners():
    b = warps.border_points((60, 80), per_side=4)
    assert b.shape == (16, 2) and b.dtype == np.float32
    for corner in ([0, 0], [79, 0], [79, 59], [0, 59]):
        assert np.min(np.abs(b - corner).sum(1)) == 0
    assert ((b[:, 0] == 0) | (b[:, 0] == 79) | (b[:, 1] == 0) | (b[:, 1] == 59)).all()


def test_transfer_motion_is_relative():
    ref = _points(68, 100, seed=5).astype(np.float32)
    portrait = (ref * 2.0 + [30, 40]).astype(np.float32)  # twice as big, elsewhere
    np.testing.assert_allclose(warps.transfer_motion(portrait, ref, ref), portrait, atol=1e-4)
    moved = warps.transfer_motion(portrait, ref + [1.0, -2.0], ref)
    np.testing.assert_allclose(moved - portrait, np.tile([2.0, -4.0], (68, 1)), atol=1e-3)
    seq = np.stack([ref, ref + [1.0, 0.0], ref + [0.0, 1.0]])
    out = warps.transfer_motion(portrait, seq, ref)
    assert out.shape == (3, 68, 2)
    np.testing.assert_allclose(out[2] - portrait, np.tile([0.0, 2.0], (68, 1)), atol=1e-3)


def test_expression_points_open_the_jaw_and_lips():
    portrait = faces.render(faces.sample_identity(5), faces.Frame(), 128).landmarks
    neutral = warps.expression_points(portrait)
    np.testing.assert_allclose(neutral, portrait, atol=1e-3)
    opened = warps.expression_points(portrait, jaw_open=1.0)
    assert opened[8, 1] > portrait[8, 1] + 2  # the chin goes down
    gap = lambda p: np.linalg.norm(p[66] - p[62])  # noqa: E731
    assert gap(opened) > gap(portrait) + 3
    # not more than a real wide-open mouth: the inner-lip gap stays under the distance between the eyes
    iod = np.linalg.norm(portrait[36:42].mean(0) - portrait[42:48].mean(0))
    assert gap(opened) < 0.8 * iod
    smile = warps.expression_points(portrait, smile=1.0)
    assert np.linalg.norm(smile[54] - smile[48]) > np.linalg.norm(portrait[54] - portrait[48])  # a wider mouth


def test_portrait_animator_moves_the_mouth_not_the_corners():
    out = faces.render(faces.sample_identity(2), faces.Frame(), 160)
    anim = warps.PortraitAnimator(out.image, points=out.landmarks, work_size=128)
    assert anim.crop.shape == (128, 128, 3) and anim.crop.dtype == np.uint8
    assert anim.points.shape == (68, 2)
    neutral, opened = anim.pose(), anim.pose(jaw_open=1.0)
    assert neutral.shape == opened.shape == (128, 128, 3)
    assert np.abs(neutral.astype(int) - anim.crop).mean() < 1.0  # neutral is (almost) the crop itself
    diff = np.abs(opened.astype(int) - neutral).sum(-1)
    mouth = anim.points[48:68]
    x0, y0 = np.floor(mouth.min(0)).astype(int)
    x1, y1 = np.ceil(mouth.max(0)).astype(int)
    assert diff[y0:y1 + 6, x0:x1].mean() > 10
    for sl in (np.s_[:10, :10], np.s_[:10, -10:], np.s_[-10:, :10], np.s_[-10:, -10:]):
        assert diff[sl].max() == 0
    frames = anim.drive(np.stack([faces.render(faces.sample_identity(1), faces.Frame(
        expression=faces.Expression(jaw_open=j)), 128).landmarks for j in (0.0, 0.8)]),
        faces.render(faces.sample_identity(1), faces.Frame(), 128).landmarks)
    assert len(frames) == 2 and frames[0].shape == (128, 128, 3)
    assert np.abs(frames[1].astype(int) - frames[0]).sum() > 0


def test_portrait_animator_talks():
    out = faces.render(faces.sample_identity(2), faces.Frame(), 128)
    anim = warps.PortraitAnimator(out.image, points=out.landmarks, method="piecewise_affine", work_size=96)
    frames, driver = anim.talk(n_frames=6, seed=1, driver_size=64)
    assert len(frames) == len(driver) == 6
    assert frames[0].shape == (96, 96, 3) and driver[0].shape == (64, 64, 3)


def test_unknown_method_is_one_sentence():
    from course_utils.errors import CourseError

    with pytest.raises(CourseError, match="tps"):
        warps.landmark_warp(np.zeros((8, 8, 3), np.uint8), _points(5, 8), _points(5, 8), method="bogus")


def test_portrait_animator_uses_a_ready_crop_as_it_is():
    from course_utils.errors import CourseError
    from course_utils.warps import PortraitAnimator

    out = faces.render(faces.sample_identity(3), faces.Frame(faces.Pose(), faces.Expression()), 96)
    anim = PortraitAnimator(out.image, points=out.landmarks, crop=False)
    assert anim.work_size == 96 and np.array_equal(anim.crop, out.image)
    assert np.allclose(anim.points, out.landmarks)
    assert anim.pose(jaw_open=0.8).shape == (96, 96, 3)
    with pytest.raises(CourseError, match="square"):
        PortraitAnimator(out.image[:, :80], points=out.landmarks, crop=False)
