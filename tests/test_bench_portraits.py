"""Suite `portraits` end to end on a small case (one portrait, one FaceWorld driver, 4 frames, FT 2 steps): every
animator is judged, every figure the issue names is there, and the contact sheet is written."""

import numpy as np
import pytest
import torch

from course_utils.animator.model import LearnedAnimator
from course_utils.bench import portraits as suite
from course_utils.errors import CourseError


def test_portraits_suite_names_every_figure_and_draws_the_contact_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(suite, "REAL_CLIPS", tmp_path / "absent")      # FaceWorld drivers, as outside the workplace
    monkeypatch.setattr(suite, "CONTACT_SHEET", tmp_path / "sheet.png")
    monkeypatch.setattr(suite, "FT_STEPS", 2)
    monkeypatch.setattr(suite, "portraits", lambda quick: [("astronaut", suite_image())])
    monkeypatch.setattr(suite, "drivers", lambda quick, frames: (suite_drivers(frames), "FaceWorld"))
    monkeypatch.setattr(suite, "FW_IDENTITIES", {True: 2, False: 2})
    torch.manual_seed(0)
    plumbing = LearnedAnimator("tiny").eval()  # random weights: this test checks the plumbing, not the model
    result = suite.run("quick", frames=4, animator=plumbing)
    methods = ("tps_warp", "piecewise_warp", "flow_warp", "gan_ff", "gan_ft", "animator")
    for m in methods:
        for key in suite.FIGURES:
            assert f"{key}_{m}" in result.figures
        assert result.figures[f"fps_{m}_256"] > 0
    # the warps keep the astronaut herself; the 64-px GAN, enlarged, is far less sharp than her photo
    assert result.figures["same_person_tps_warp"] >= 0.75
    assert result.figures["sharpness_ratio_gan_ff"] < result.figures["sharpness_ratio_tps_warp"]
    assert (tmp_path / "sheet.png").stat().st_size > 10_000
    # the Table-1 protocol at K = 1: moving the shot to the target's landmarks beats not moving it
    fw = {m: result.figures[f"ssim_{m}_fw_k1"] for m in ("animator", "flow_warp", "landmark_warp", "copy", "ft")}
    assert all(0 < v < 1 for v in fw.values()) and fw["flow_warp"] > fw["copy"]
    assert any("learned animator: given by the caller" in n for n in result.notes)
    assert "part windows: none (the animator's 64-px painting alone)" in result.notes  # a caller's animator: none
    assert [r["method"] for r in result.rows] == list(methods)
    assert any(n.startswith("mouth r is averaged over") for n in result.notes)
    # every mean can be traced to its cases (one per portrait × driver × method), nan written as null
    assert [(c["method"], c["portrait"], c["driver"]) for c in result.cases] == [(m, "astronaut", "faceworld_1")
                                                                             for m in methods]
    for c in result.cases:
        figure = result.figures[f"same_person_{c['method']}"]
        assert c["same_person"] == round(figure, 4)  # one case per method here, so the mean is the case
        assert all(v is None or np.isfinite(v) for v in c.values() if not isinstance(v, str))
    # a subset, for comparing training stages without re-running every animator
    two = suite.run("quick", frames=4, animator=plumbing, methods=("piecewise_warp", "animator"),
                    animator_note="learned animator: stage x")
    assert [r["method"] for r in two.rows] == ["piecewise_warp", "animator"]
    assert two.figures["mouth_r_piecewise_warp"] == result.figures["mouth_r_piecewise_warp"] or (
        np.isnan(two.figures["mouth_r_piecewise_warp"]) and np.isnan(result.figures["mouth_r_piecewise_warp"]))
    assert "learned animator: stage x" in two.notes
    with pytest.raises(CourseError, match="Unknown animator"):
        suite.run("quick", frames=4, methods=("morph",))


def suite_image():
    from course_utils import images

    return images.portrait("astronaut").image


def suite_drivers(frames):
    from course_utils import faces

    images, points, neutral = faces.faceworld_driver(frames, seed=1, head_motion=0.5, size=256)
    return [("faceworld_1", points, neutral, images)]


def test_the_upload_path_and_real_portraits_are_offered():
    names = [label for label, image in suite.portraits(quick=False)]
    assert names[:3] == ["mona_lisa", "astronaut", "grace_hopper"] and names[3].startswith("upload")
    assert all(isinstance(image, np.ndarray) for _, image in suite.portraits(quick=True))
