"""FaceWorld's ground-truth flow: warping frame A by it reproduces frame B where both see the surface."""

import numpy as np
import pytest

from course_utils import faces

SIZE = 128
HEAD_LIGHT = dict(light_follows_head=True)  # shading travels with the surface: brightness constancy
PAIRS = [
    (faces.Frame(faces.Pose(yaw=-8, pitch=3), **HEAD_LIGHT),
     faces.Frame(faces.Pose(yaw=7, pitch=-4, roll=5), faces.Expression(jaw_open=0.5, smile=0.3), **HEAD_LIGHT)),
    (faces.Frame(faces.Pose(yaw=10, tx=-0.02), **HEAD_LIGHT),
     faces.Frame(faces.Pose(yaw=20, roll=-6, ty=0.02), faces.Expression(blink_left=1.0, brow_raise=0.8), **HEAD_LIGHT)),
]


def _warp_torch(image, flow):
    return faces.warp_torch(image.astype(np.float32), flow)


@pytest.mark.parametrize("pair", range(len(PAIRS)))
def test_warping_a_by_the_flow_reproduces_b(pair):
    person = faces.sample_identity(20 + pair)
    fa, fb = PAIRS[pair]
    a = faces.render(person, fa, SIZE).image
    b = faces.render(person, fb, SIZE).image.astype(np.float32)
    flow, valid = faces.ground_truth_flow(person, fa, fb, SIZE)
    assert flow.shape == (SIZE, SIZE, 2) and flow.dtype == np.float32 and valid.dtype == bool
    assert valid.mean() > 0.7
    err = np.abs(_warp_torch(a, flow) - b).mean(axis=-1)
    assert err[valid].mean() <= 3.0
    # the flow is doing the work: without it (zero flow) the same pixels differ much more
    still = np.abs(a.astype(np.float32) - b).mean(axis=-1)
    head = valid & (np.abs(flow).max(-1) > 1)
    assert still[head].mean() > 3 * err[head].mean()
    # OpenCV's remap gives the same warp as torch's grid_sample with flow_to_grid
    np.testing.assert_allclose(faces.warp(a.astype(np.float32), flow)[valid], _warp_torch(a, flow)[valid], atol=0.05)


def test_same_frame_gives_zero_flow_everywhere():
    person = faces.sample_identity(20)
    f = faces.Frame(faces.Pose(yaw=5), faces.Expression(smile=0.4))
    flow, valid = faces.ground_truth_flow(person, f, f, 64)
    assert np.abs(flow).max() < 1e-3
    assert valid.mean() > 0.88  # only pixels on depth edges (outlines) may be flagged
    inner = faces.render(person, f, 64).mask
    inner = inner & np.roll(inner, 2, 0) & np.roll(inner, -2, 0) & np.roll(inner, 2, 1) & np.roll(inner, -2, 1)
    assert valid[inner].mean() > 0.97


def test_background_is_static_and_occlusions_are_flagged():
    person = faces.sample_identity(21)
    fa = faces.Frame(faces.Pose(yaw=-20))
    fb = faces.Frame(faces.Pose(yaw=20))
    out_b = faces.render(person, fb, SIZE)
    flow, valid = faces.ground_truth_flow(person, fa, fb, SIZE)
    bg = ~out_b.foreground
    assert np.abs(flow[bg & valid]).max() < 1e-3 and valid[bg].mean() > 0.8
    # turning from left to right: the side of the head that comes into view in B (the image-left
    # cheek, in front of the ear) was hidden in A
    lm = out_b.landmarks
    x, y = np.round((lm[0] * 0.6 + lm[36] * 0.4)).astype(int)
    assert not valid[y - 1:y + 2, x - 1:x + 2].all()
    # and points on the nose move right by several pixels
    x, y = np.round(lm[30]).astype(int)
    assert valid[y, x] and flow[y, x, 0] < -5  # backward flow: B's nose was further left in A


def test_flow_to_grid_normalises_with_align_corners_false():
    flow = np.zeros((4, 8, 2), np.float32)
    g = faces.flow_to_grid(flow)[0].numpy()
    assert np.allclose(g[0, 0], [-1 + 1 / 8, -1 + 1 / 4])
    assert np.allclose(g[-1, -1], [1 - 1 / 8, 1 - 1 / 4])
    img = np.random.default_rng(0).random((4, 8, 3)).astype(np.float32)
    shift = np.zeros((4, 8, 2), np.float32)
    shift[..., 0] = 1.0
    warped = faces.warp(img, shift)
    assert np.allclose(warped[:, :-1], img[:, 1:])
