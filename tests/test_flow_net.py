"""The learned flow network, the FaceWorld pairs it learns from, and the bench suite that compares flows."""

import numpy as np
import pytest
import torch

from course_utils.checkpoints import CHECKPOINT_DIR, read_manifest
from course_utils.errors import CourseError
from course_utils.faces import warp
from course_utils.flow import net
from course_utils.flow.pairs import faceworld_pairs, stack_pairs


@pytest.fixture(scope="module")
def pairs():
    return faceworld_pairs(6, 64, split="validation")


def test_pairs_are_reproducible_and_their_flow_warps_source_onto_target(pairs):
    again = faceworld_pairs(2, 64, split="validation")
    np.testing.assert_array_equal(again[1].flow, pairs[1].flow)
    for p in pairs:
        assert p.valid.mean() > 0.7
        moved = np.abs(warp(p.source, p.flow).astype(float) - p.target)[p.valid].mean()
        still = np.abs(p.source.astype(float) - p.target)[p.valid].mean()
        assert moved < 3.0 and moved < still


def test_untrained_network_predicts_the_landmark_spline(pairs):
    from course_utils.warps import tps_flow

    model = net.FlowNet()
    flow = net.predict_flow(model, np.stack([p.source for p in pairs]), np.stack([p.source_points for p in pairs]),
                            np.stack([p.target_points for p in pairs]))
    assert flow.shape == (len(pairs), 64, 64, 2) and flow.dtype == np.float32
    spline = tps_flow(pairs[0].source_points, pairs[0].target_points, (64, 64))
    np.testing.assert_allclose(flow[0], spline, atol=1e-4)
    assert np.abs(spline).max() > 0.5


def test_flow_for_a_bigger_image_is_scaled_to_its_pixels(pairs):
    model = net.FlowNet()
    with torch.no_grad():
        model.out.bias.copy_(torch.tensor([0.25, -0.5]))  # a constant flow of (1, -2) px at 64 px
    p = pairs[0]
    big = np.repeat(np.repeat(p.source, 2, 0), 2, 1)
    still = (p.source_points + 0.5) * 2 - 0.5  # no landmark motion: the spline is zero, only the bias is left
    flow = net.predict_flow(model, big, still, still)
    assert flow.shape == (128, 128, 2)
    np.testing.assert_allclose(flow[..., 0], 2.0, atol=1e-4)
    np.testing.assert_allclose(flow[..., 1], -4.0, atol=1e-4)
    with pytest.raises(CourseError, match="square"):
        net.predict_flow(model, big[:100], p.source_points, p.target_points)


def test_end_point_error_counts_each_pair_on_its_own_valid_pixels(pairs):
    data = net.with_splines(stack_pairs(pairs[:3]), verbose=False)
    data["valid"][0] = False
    data["valid"][0, :4, :4] = True  # the first pair counts on 16 pixels only
    batch = net._batch(data, np.arange(3), np.random.default_rng(0))
    batch["input"][:, 9:11] = 0  # no spline: an untrained network predicts zero flow
    face = batch.pop("face")
    lengths = np.linalg.norm(data["flow"], axis=-1)
    with torch.no_grad():
        terms = net.loss_terms(net.FlowNet(), batch)  # zero flow: the error is the true flow's length
    expected = sum(lengths[i][data["valid"][i]].sum() for i in range(3)) / data["valid"].sum()
    assert float(terms["epe"]) == pytest.approx(expected, rel=1e-3)
    # inside the face each pixel counts FACE_WEIGHT times
    batch["face"] = face
    weights = data["valid"] * (1 + (net.FACE_WEIGHT - 1) * data["face"])
    with torch.no_grad():
        weighted = float(net.loss_terms(net.FlowNet(), batch)["epe"])
    assert weighted == pytest.approx((lengths * weights).sum() / weights.sum(), rel=1e-3)
    assert data["face"][1].mean() > 0.1


def test_warp_tensor_agrees_with_the_course_warp(pairs):
    p = pairs[2]
    x = torch.from_numpy(p.source).permute(2, 0, 1)[None].float()
    f = torch.from_numpy(p.flow).permute(2, 0, 1)[None]
    ours = net.warp_tensor(x, f)[0].permute(1, 2, 0).numpy()
    assert np.abs(ours - warp(p.source.astype(np.float32), p.flow))[2:-2, 2:-2].max() < 1e-2


def test_a_few_training_steps_lower_the_error(pairs):
    data = stack_pairs(pairs)
    model, info = net.train(steps=30, batch=6, lr=3e-3, data=data, eval_n=0, verbose=False)
    assert "spline" in data and "face" in data
    epe = info["losses"]["epe"]
    assert len(epe) == 30 and np.mean(epe[-5:]) < np.mean(epe[:5])


def test_shipped_network_beats_doing_nothing_on_held_out_faces():
    entry = read_manifest(CHECKPOINT_DIR)["flow_net"]
    assert entry["metrics"]["epe_test"] < entry["metrics"]["epe_zero_flow_test"]
    model = net.load_flow_net()
    result = net.evaluate(model, faceworld_pairs(8, 64, split="test", seed=3))
    assert result["epe"] < 0.6 * result["epe_zero_flow"]


def test_face_mask_is_the_landmark_outline_where_the_flow_is_known():
    from course_utils.flow.pairs import face_mask

    p = faceworld_pairs(1, 64, split="test")[0]
    mask = face_mask(p)
    lo, hi = p.target_points.min(0), p.target_points.max(0)
    ys, xs = np.nonzero(mask)
    assert 0.1 < mask.mean() < 0.6 and not (mask & ~p.valid).any()
    assert xs.min() >= lo[0] - 1 and xs.max() <= hi[0] + 1 and ys.min() >= lo[1] - 1 and ys.max() <= hi[1] + 1


def test_bench_suite_compares_against_the_better_opencv_method(monkeypatch):
    from course_utils.bench import flow as suite

    p = faceworld_pairs(1, 64, split="test")[0]
    fake = {"farneback": lambda q: np.zeros_like(q.flow), "dis": lambda q: q.flow * 0.5,
            "landmark_tps": lambda q: q.flow * 0.9, "learned": RuntimeError("no checkpoint")}
    monkeypatch.setattr(suite, "_methods", lambda: fake)
    monkeypatch.setattr("course_utils.flow.pairs.faceworld_pairs", lambda n, size, split: [p])
    result = suite.run("quick")
    figs = result.figures
    assert figs["epe_dis"] == pytest.approx(0.5 * figs["epe_zero"], rel=1e-5)
    assert figs["epe_image_dis"] == pytest.approx(0.5 * figs["epe_image_zero"], rel=1e-5)
    assert figs["epe_zero"] > 1.5 * figs["epe_image_zero"]  # the face moves; most of the background does not
    assert figs["landmark_tps_vs_opencv"] == pytest.approx(0.1 / 0.5, rel=1e-4)
    rows = {r["figure"]: r["result"] for r in result.rows}
    assert rows["landmark_tps_vs_opencv"] == "pass" and rows["learned_vs_opencv"] == "SKIPPED"
    assert not result.ok and any("learned skipped: no checkpoint" in n for n in result.notes)


def test_bench_suite_measures_the_landmark_methods_again_with_a_detectors_landmarks(monkeypatch):
    from dataclasses import replace

    from course_utils.bench import flow as suite

    p = faceworld_pairs(1, 64, split="test")[0]
    asked = []

    def shifted_by_one_pixel(pairs, backend):
        asked.append(backend)
        moved = [replace(q, source_points=q.source_points + 1, target_points=q.target_points + 1) for q in pairs]
        return moved, np.ones((len(pairs), 2), bool)

    exact = lambda q: np.array_equal(q.target_points, p.target_points)  # noqa: E731
    fake = {"farneback": lambda q: np.zeros_like(q.flow), "dis": lambda q: q.flow * 0.5,
            "landmark_tps": lambda q: q.flow * (0.9 if exact(q) else 0.2),
            "learned": lambda q: q.flow * (0.95 if exact(q) else 0.4)}
    monkeypatch.setattr(suite, "_methods", lambda: fake)
    monkeypatch.setattr("course_utils.flow.pairs.faceworld_pairs", lambda n, size, split: [p])
    monkeypatch.setattr("course_utils.flow.pairs.with_detected_landmarks", shifted_by_one_pixel)
    monkeypatch.setattr("course_utils.landmarks.usable_backends", lambda: {"dlib": "ready", "course": "not shipped"})
    result = suite.run("quick")
    figs = result.figures
    zero = figs["epe_zero"]
    assert figs["epe_landmark_tps"] == pytest.approx(0.1 * zero, rel=1e-4)  # the exact landmarks' rows stay
    assert figs["epe_landmark_tps_dlib"] == pytest.approx(0.8 * zero, rel=1e-4)  # ... and the detector's are new
    assert figs["epe_learned_dlib"] == pytest.approx(0.6 * zero, rel=1e-4)
    assert "epe_dis_dlib" not in figs  # the image methods see no landmarks: nothing to re-measure
    assert figs["dlib_found"] == 1.0 and figs["dlib_point_error"] == pytest.approx(np.sqrt(2), rel=1e-5)
    assert set(asked) == {"dlib"} and "epe_learned_course" not in figs
    assert any("_course rows skipped: not shipped" in n for n in result.notes)
    assert figs["landmark_tps_dlib_vs_opencv"] == pytest.approx(0.8 / 0.5, rel=1e-4)  # behind DIS: reported ...
    assert result.ok  # ... but the detected rows carry no bars


def test_detected_landmarks_come_from_the_detector_and_a_missed_face_means_no_motion(monkeypatch):
    from course_utils import landmarks
    from course_utils.flow.pairs import detect_points, with_detected_landmarks

    pairs = faceworld_pairs(2, 64, split="test")
    if not landmarks.usable_backends()["dlib"].startswith("ready"):
        pytest.skip("dlib is not installed here")
    detected, found = with_detected_landmarks(pairs, "dlib")
    assert found.shape == (2, 2) and found.all()
    for p, d in zip(pairs, detected):
        assert d.source is p.source and d.flow is p.flow  # only the landmarks change
        off = np.linalg.norm(d.target_points - p.target_points, axis=1).mean()
        assert 0.05 < off < 3.0  # a detector's points: near the truth, never exactly on it
        motion_err = np.linalg.norm((d.target_points - d.source_points) - (p.target_points - p.source_points), axis=1)
        assert motion_err.mean() < 2.0
    assert np.allclose(detect_points(pairs[0].target, "dlib"), detected[0].target_points)



def test_a_frame_the_detector_misses_takes_the_other_frames_points(monkeypatch):
    from course_utils.flow import pairs as P

    pairs = faceworld_pairs(2, 64, split="test")
    targets = [p.target for p in pairs]
    truth = {id(p.source): p.source_points for p in pairs}
    monkeypatch.setattr(P, "detect_points", lambda image, backend, upscale: (
        None if any(image is t for t in targets) else truth[id(image)] + 0.5))
    detected, found = P.with_detected_landmarks(pairs, "dlib")
    assert found[:, 0].all() and not found[:, 1].any()
    for p, d in zip(pairs, detected):
        assert np.array_equal(d.source_points, p.source_points + 0.5)
        assert np.array_equal(d.target_points, d.source_points)  # no face found: no motion, not the truth

    monkeypatch.setattr(P, "detect_points", lambda image, backend, upscale: None)
    detected, found = P.with_detected_landmarks(pairs[:1], "dlib")
    d = detected[0]
    assert not found.any() and np.array_equal(d.source_points, d.target_points)
    assert np.linalg.norm(d.source_points - pairs[0].source_points, axis=1).mean() > 0.5  # the average face
    assert 10 < np.ptp(d.source_points[:, 0]) < 64  # ... at the pair's 64 px
