"""course_utils.flow.classical: optical flow from scratch and OpenCV's, in the course's convention.

Convention: second(x) ≈ first(x + flow), so warp(first, flow) ≈ second."""

import cv2
import numpy as np
import pytest

from course_utils import flow as F

N = 96


@pytest.fixture(scope="module")
def texture():
    """A smooth random texture (N, N) float32 in [0, 1]: every window has gradients in both directions."""
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.normal(size=(N, N)).astype(np.float32), (0, 0), 3)
    return (img - img.min()) / (img.max() - img.min())


def interior(margin=14):
    mask = np.zeros((N, N), bool)
    mask[margin:-margin, margin:-margin] = True
    return mask


def shifted(image, dx, dy):
    """The picture moved dx pixels right and dy down, and its true backward flow (−dx, −dy)."""
    truth = np.zeros(image.shape[:2] + (2,), np.float32)
    truth[..., 0], truth[..., 1] = -dx, -dy
    return F.warp_cv2(image, truth), truth


def rotation_flow(degrees):
    """Backward flow of a rotation by `degrees` about the image centre: second(p) = first(R⁻¹ p)."""
    c = (N - 1) / 2
    ys, xs = np.mgrid[0:N, 0:N].astype(np.float32)
    t = np.radians(degrees)
    x, y = xs - c, ys - c
    xa = np.cos(t) * x + np.sin(t) * y  # R(−t) applied to (x, y)
    ya = -np.sin(t) * x + np.cos(t) * y
    return np.stack([xa - x, ya - y], -1).astype(np.float32)


@pytest.mark.parametrize("method", [F.lucas_kanade, F.horn_schunck])
@pytest.mark.parametrize("dx, dy", [(0.4, -0.3), (2.5, -1.5)])
def test_scratch_methods_recover_a_translation(texture, method, dx, dy):
    second, truth = shifted(texture, dx, dy)
    flow = method(texture, second)
    assert flow.shape == (N, N, 2) and flow.dtype == np.float32
    assert F.endpoint_error(flow, truth, interior()) < 0.05


@pytest.mark.parametrize("method", [F.lucas_kanade, F.horn_schunck])
def test_scratch_methods_recover_a_rotation(texture, method):
    truth = rotation_flow(3.0)  # up to 2.4 px at the corners
    second = F.warp_cv2(texture, truth)
    flow = method(texture, second)
    assert F.endpoint_error(flow, truth, interior()) < 0.1


def test_brightness_constancy_signs(texture):
    """It = first − second and (Ix, Iy) make Ix·u + Iy·v + It ≈ 0 for the true (backward) flow."""
    second, truth = shifted(texture, 0.3, 0.2)
    ix, iy, it = F.gradients(texture, second)
    residual = ix * truth[..., 0] + iy * truth[..., 1] + it
    assert np.abs(residual[interior()]).mean() < 0.25 * np.abs(it[interior()]).mean()  # bilinear shift: not exact
    wrong = ix * -truth[..., 0] + iy * -truth[..., 1] + it  # the forward flow does not satisfy it
    assert np.abs(wrong[interior()]).mean() > 1.5 * np.abs(it[interior()]).mean()


def test_to_gray_ranges():
    rgb = np.full((4, 5, 3), 255, np.uint8)
    assert F.to_gray(rgb).shape == (4, 5) and F.to_gray(rgb).dtype == np.float32
    assert np.allclose(F.to_gray(rgb), 1.0)
    assert np.allclose(F.to_gray(np.full((4, 5), 0.25, np.float64)), 0.25)


@pytest.mark.parametrize("warper", [F.warp, F.warp_cv2])
def test_zero_flow_warp_is_identity(texture, warper):
    zero = np.zeros((N, N, 2), np.float32)
    assert np.allclose(warper(texture, zero), texture, rtol=0, atol=1e-6)  # float: exact up to rounding
    rgb = (np.stack([texture] * 3, -1) * 255).astype(np.uint8)
    out = warper(rgb, zero)
    assert out.dtype == np.uint8 and np.array_equal(out, rgb)


def test_grid_sample_warp_agrees_with_remap(texture):
    rng = np.random.default_rng(1)
    flow = cv2.GaussianBlur(rng.normal(0, 4, size=(N, N, 2)).astype(np.float32), (0, 0), 5) * 5
    assert np.abs(flow).max() > 3  # a real warp, reaching over the border somewhere
    a, b = F.warp(texture, flow), F.warp_cv2(texture, flow)
    assert np.abs(a - b).max() < 2e-3  # cv2.remap interpolates with 5-bit weights


@pytest.mark.parametrize("method", [F.farneback, F.dis])
def test_opencv_wrappers_follow_the_course_convention(texture, method):
    second, truth = shifted(texture, 2.0, 1.0)  # moved right and down: flow ≈ (−2, −1)
    flow = method(texture, second)
    mean = flow[interior()].mean(axis=0)
    assert mean[0] < -1.5 and mean[1] < -0.6
    assert F.endpoint_error(flow, truth, interior()) < 0.3


def test_endpoint_error():
    rng = np.random.default_rng(2)
    truth = rng.normal(size=(10, 12, 2)).astype(np.float32)
    valid = rng.random((10, 12)) > 0.3
    assert F.endpoint_error(truth, truth) == 0.0
    magnitude = np.linalg.norm(truth, axis=-1)
    assert np.isclose(F.endpoint_error(np.zeros_like(truth), truth, valid), magnitude[valid].mean())
    assert F.epe_map(truth, truth).shape == (10, 12)


def test_pictures():
    wheel = F.color_wheel(64)
    assert wheel.shape == (64, 64, 3) and wheel.dtype == np.uint8
    assert (wheel[0, 0] == 255).all()  # outside the disc
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    flow = np.zeros((32, 32, 2), np.float32)
    flow[..., 0] = -3  # moved right by 3: arrows start at x − 3 and point right
    q = F.draw_arrows(ax, flow, step=8)
    assert len(q.U) == 16 and np.allclose(q.U, 3) and np.allclose(q.X, np.tile([1, 9, 17, 25], 4))
    plt.close(fig)


def test_every_method_beats_zero_flow_on_faceworld():
    pairs = F.faceworld_pairs(4, 64, split="test")
    rows = F.compare(pairs)
    assert set(rows) == {"zero flow"} | set(F.METHODS)
    for name in F.METHODS:
        assert rows[name]["epe"] < 0.8 * rows["zero flow"]["epe"], (name, rows)
