"""course_utils.animator: the learned animator (dense motion + occlusion mask + painter, composited at display size).
Guards as for the 2019 model: no sigmoid before the hinge, loss terms logged separately, a collapse check, a mask
that is not stuck; two processes under torchrun end with the same weights; the shipped checkpoint carries its data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from course_utils.animator import data as adata
from course_utils.animator.model import CONFIGS, LearnedAnimator, MultiScaleDiscriminator, composite, scaled_flow
from course_utils.animator.train import (Weights, animator_terms, check_mask, critic_loss, init_motion_from_flow_net,
                                         make_batch, motion_input)
from course_utils.checkpoints import sha256_of
from course_utils.config import REPO_ROOT
from course_utils.tensors import image_to_tensor
from course_utils.talking_heads.guards import TalkingHeadWarning


def _neutral():
    from course_utils.faces.drivers import AVERAGE_PERSON, faceworld_landmarks

    return faceworld_landmarks(AVERAGE_PERSON)


_NEUTRAL = _neutral()


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def fw(tmp_path_factory):
    """A few FaceWorld training pairs at 64 px (rendered once for the module)."""
    path = tmp_path_factory.mktemp("anim_cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_DATA_DIR", str(path))
        yield adata.faceworld_data(4, 2, 64, verbose=False)


def test_shapes_at_the_working_size_and_at_display_size(fw):
    torch.manual_seed(0)
    model = LearnedAnimator("tiny")
    b = make_batch(fw, None, 4, np.random.default_rng(0))
    assert b["input"].shape == (4, 11, 64, 64) and b["source"].shape == (4, 3, 64, 64)
    res = model(b["source"], b["input"])
    assert res["flow"].shape == (4, 2, 64, 64) and res["visible"].shape == (4, 1, 64, 64)
    assert res["painted"].shape == res["out"].shape == (4, 3, 64, 64)
    assert 0 <= float(res["visible"].detach().min()) and float(res["visible"].detach().max()) <= 1
    hr = torch.rand(4, 3, 256, 256) * 2 - 1
    assert composite(hr, res["flow"], res["visible"], res["painted"]).shape == (4, 3, 256, 256)


@pytest.mark.parametrize("size", [128, 256])
def test_bigger_working_sizes_for_gpus_run_the_same_code(size):
    from course_utils.animator.model import AnimatorConfig

    torch.manual_seed(0)
    model = LearnedAnimator(AnimatorConfig("test", size, 8, 8))
    src = np.full((1, size, size, 3), 120, np.uint8)
    pts = np.random.default_rng(0).uniform(size * 0.3, size * 0.7, (1, 68, 2)).astype(np.float32)
    with torch.no_grad():
        res = model(image_to_tensor(src), motion_input(src, pts, pts + 1))
    assert res["out"].shape == (1, 3, size, size) and res["flow"].shape == (1, 2, size, size)
    assert CONFIGS["large"].size == 256 and CONFIGS["medium"].size == 128


def test_the_composite_keeps_the_portraits_own_pixels_where_visible_and_paints_elsewhere():
    hr = torch.rand(1, 3, 128, 128) * 2 - 1
    painted = torch.rand(1, 3, 32, 32) * 2 - 1
    zero = torch.zeros(1, 2, 32, 32)
    kept = composite(hr, zero, torch.ones(1, 1, 32, 32), painted)
    assert torch.allclose(kept, hr, atol=1e-5), "visible everywhere and no motion: the portrait itself, at full size"
    shifted = composite(hr, torch.full((1, 2, 32, 32), 1.0) * torch.tensor([1.0, 0.0])[None, :, None, None],
                        torch.ones(1, 1, 32, 32), painted)
    # one working pixel to the right is four display pixels: out(x) = source(x + 4)
    assert torch.allclose(shifted[..., :, 10:100], hr[..., :, 14:104], atol=1e-4)
    new = composite(hr, zero, torch.zeros(1, 1, 32, 32), painted)
    assert not torch.allclose(new, hr) and new.shape == hr.shape
    assert torch.allclose(scaled_flow(torch.ones(1, 2, 32, 32), 128), torch.full((1, 2, 128, 128), 4.0))


def test_where_it_paints_the_composite_keeps_the_portraits_fine_detail_on_top_of_the_coarse_painting():
    import torch.nn.functional as F

    torch.manual_seed(0)
    hr = torch.rand(1, 3, 128, 128) * 2 - 1  # pure fine detail: noise
    coarse = F.interpolate(hr, size=(32, 32), mode="area")  # a painting that got everything a 32-px picture can hold
    zero, paint_all = torch.zeros(1, 2, 32, 32), torch.zeros(1, 1, 32, 32)
    sharp = composite(hr, zero, paint_all, coarse)
    soft = composite(hr, zero, paint_all, coarse, detail=False)
    assert torch.allclose(sharp, hr, atol=1e-4), "coarse painting + the warped portrait's fine layer = the portrait"
    assert (soft - hr).abs().mean() > 0.3, "without the fine layer the painted part is only as sharp as 32 px"
    # the painting still decides the coarse picture: a darker painting gives a darker result, detail and all
    darker = composite(hr, zero, paint_all, coarse - 0.5)
    assert torch.allclose(darker, hr - 0.5, atol=1e-4)


def test_the_critic_has_no_sigmoid_and_spectral_norm_everywhere():
    D = MultiScaleDiscriminator(width=8)
    assert not any(isinstance(m, torch.nn.Sigmoid) for m in D.modules())
    convs = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(hasattr(m, "parametrizations") and "weight" in m.parametrizations for m in convs)
    torch.manual_seed(0)
    with torch.no_grad():
        x = torch.randn(8, 3, 64, 64) * 3
        scores = [s for s, _ in D(x, x)]
    assert len(scores) == 2 and scores[1].shape[-1] == scores[0].shape[-1] // 2  # two scales
    # raw scores: a sigmoid would keep them in (0, 1)
    assert any(float(s.min()) < 0 for s in scores)


def test_every_loss_term_is_logged_separately_and_all_of_them_train(fw):
    torch.manual_seed(0)
    model, D = LearnedAnimator("tiny"), MultiScaleDiscriminator(width=8)
    real = {"frames": np.concatenate([fw["source"], fw["target"]]),
            "points": np.concatenate([fw["source_points"], fw["target_points"]]),
            "clip": np.repeat([0, 1], len(fw["source"]))}
    b = make_batch(fw, real, 4, np.random.default_rng(1))
    assert int(b["n_fw"]) == 2
    res = model(b["source"], b["input"])
    assert float(critic_loss(D, res["out"], b["target"], b["input"][:, 6:9]).detach()) > 0
    terms = animator_terms(res, b, D, None, Weights())
    opened = float(b["new_mouth"].sum()) > 0
    assert set(terms) == {"pixel", "paint", "adv", "fm", "flow", "mask", "keep", "parts"} | (
        {"mouth", "inside"} if opened else set())
    assert all(v.ndim == 0 and torch.isfinite(v) for _, v in terms.values())
    sum(w * v for w, v in terms.values()).backward()
    for part in (model.motion, model.encoder, model.painter):
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in part.parameters()), part
    assert model.motion.mask.weight.grad.abs().sum() > 0, "the mask head learns"


def test_a_mouth_that_opens_wider_is_left_to_the_painter():
    from course_utils.animator.train import new_mouth_masks
    from course_utils.warps import expression_points

    closed = expression_points(np.array(_NEUTRAL, np.float32), jaw_open=0.0)
    opened = expression_points(np.array(_NEUTRAL, np.float32), jaw_open=1.0)
    m = new_mouth_masks(np.stack([closed, opened]), np.stack([opened, closed]), 256)
    assert m[0].sum() > 50, "closed -> open: the inside of the opened mouth is new"
    assert m[1].sum() == 0, "open -> closed: nothing new inside the lips"


def test_the_mask_guard_warns_when_stuck_and_is_quiet_otherwise():
    with pytest.warns(TalkingHeadWarning, match="paints nearly every pixel"):
        assert check_mask(torch.full((2, 1, 8, 8), 0.01))
    with pytest.warns(TalkingHeadWarning, match="one constant value"):
        assert check_mask(torch.full((2, 1, 8, 8), 0.7))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not check_mask(torch.rand(2, 1, 8, 8) * 0.5 + 0.5)


def test_the_motion_starts_from_chapter_04s_flow_network():
    from course_utils.flow.net import load_flow_net

    model = LearnedAnimator("small")
    assert init_motion_from_flow_net(model)
    flow = load_flow_net()
    x = motion_input(np.full((1, 64, 64, 3), 128, np.uint8), np.zeros((1, 68, 2), np.float32) + 32,
                     np.zeros((1, 68, 2), np.float32) + 32)
    with torch.no_grad():
        assert torch.allclose(model.motion(x)[0], flow(x), atol=1e-5)
    assert not init_motion_from_flow_net(LearnedAnimator("tiny")), "another width: nothing to start from"


def test_real_clips_are_framed_once_per_clip(tmp_path, isolated_cache):
    from course_utils import faces

    images, points, _ = faces.faceworld_driver(8, seed=3, head_motion=0.5, size=256)
    crops, pts = adata.frame_clip(images, points * (256 / faces.REF_SIZE), 0, 64)
    assert crops.shape == (8, 64, 64, 3) and pts.shape == (8, 68, 2)
    # the same similarity for every frame: the head's own motion stays in the crop
    scale = np.linalg.norm(pts[:, 36] - pts[:, 45], axis=1) / np.linalg.norm(points[:, 36] - points[:, 45], axis=1)
    assert np.allclose(scale, scale[0], rtol=1e-4)
    real = {"frames": crops, "points": pts, "clip": np.array([0] * 4 + [1] * 4)}
    a, b = adata.real_pairs(real, 200, np.random.default_rng(0), max_gap=3)
    assert (real["clip"][a] == real["clip"][b]).all() and (np.abs(a - b) <= 3).all()


def test_two_process_ddp_ends_with_identical_weights(tmp_path):
    dump = tmp_path / "ranks"
    env = dict(os.environ, COURSE_DATA_DIR=str(tmp_path / "cache"), OMP_NUM_THREADS="1", COURSE_DEVICE="cpu")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--standalone",
           "-m", "course_utils.animator", "train", "--config", "tiny", "--steps", "3", "--batch", "2",
           "--identities", "2", "--pairs", "2", "--no-real", "--no-pretrained-losses", "--no-flow-init",
           "--eval-n", "0", "--log-every", "1", "--dump-rank-weights", str(dump)]
    out = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    r0 = torch.load(dump / "rank0.pt", weights_only=True)
    r1 = torch.load(dump / "rank1.pt", weights_only=True)
    assert r0.keys() == r1.keys()
    for k in r0:
        assert torch.equal(r0[k], r1[k]), f"{k} differs between the two ranks"
    torch.manual_seed(0)
    init = LearnedAnimator(CONFIGS["tiny"]).state_dict()
    assert not torch.equal(init["painter.rgb.bias"], r0["painter.rgb.bias"])  # it did train
    assert out.stdout.count("step 3/3") == 1, "only rank 0 logs"


def test_training_continues_from_an_earlier_checkpoint_and_says_which(tmp_path):
    from course_utils.animator.train import _state, init_from
    from course_utils.errors import CourseError

    torch.manual_seed(1)
    earlier = LearnedAnimator("tiny")
    path = tmp_path / "stage1.pt"
    torch.save(_state(earlier, earlier.config), path)
    torch.manual_seed(2)
    later = LearnedAnimator("tiny")
    stage = init_from(later, path)
    assert stage == {"file": "stage1.pt", "sha256": sha256_of(path)}  # not the shipped one: no manifest entry
    for (k, a), b in zip(earlier.state_dict().items(), later.state_dict().values()):
        assert torch.allclose(a.half().float(), b) if a.is_floating_point() else torch.equal(a, b), k
    with pytest.raises(CourseError, match="widths must match"):
        init_from(LearnedAnimator("small"), path)
    # the same widths at a larger working size: the stage continues, and says from which size
    small = LearnedAnimator("small")
    torch.save(_state(small, small.config), tmp_path / "small.pt")
    bigger = LearnedAnimator("small-128")
    assert init_from(bigger, tmp_path / "small.pt")["size_from"] == 64 and bigger.config.size == 128
    assert torch.allclose(bigger.painter.rgb.weight, small.painter.rgb.weight.half().float())
    (tmp_path / "broken.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CourseError, match="not a readable checkpoint"):
        init_from(LearnedAnimator("tiny"), tmp_path / "broken.pt")


def test_the_command_sets_single_loss_weights_and_refuses_unknown_ones(monkeypatch):
    from course_utils.animator import __main__ as cli
    from course_utils.animator import train as train_module

    seen = {}
    monkeypatch.setattr(train_module, "train", lambda *a, **k: seen.update(k))
    assert cli.main(["train", "--weight", "parts=0", "--weight", "inside=0"]) == 0
    assert seen["weights"].parts == 0 and seen["weights"].inside == 0 and seen["weights"].pixel == Weights().pixel
    assert "--weight parts=0" in seen["command"], "the manifest's command must reproduce the weights"
    for bad in ("bogus=1", "parts=lots", "parts"):
        with pytest.raises(SystemExit):
            cli.main(["train", "--weight", bad])


# ----------------------------------------------------------------------------- the shipped checkpoint

MANIFEST = json.loads((REPO_ROOT / "checkpoints" / "manifest.json").read_text())


@pytest.mark.skipif("animator" not in MANIFEST, reason="no learned animator is shipped yet")
def test_the_shipped_checkpoint_is_small_loads_safely_and_names_its_data():
    from course_utils.animator.train import load_animator

    entry = MANIFEST["animator"]
    assert entry["size"] <= 20 * 2**20
    assert entry["command"].startswith(("python -m course_utils.animator train", "torchrun"))
    for key in ("seed", "wall_seconds", "sha256"):
        assert entry.get(key) is not None, key
    assert entry["metrics"]["steps"] > 0 and "ssim_out" in entry["metrics"]
    fw_data = entry["data"]["faceworld"]
    assert fw_data["identities"] > 0 and fw_data["split"] == "train"
    files = entry["data"]["real_clips"]["files"]
    assert {f["file"] for f in files} == {f"{n}.mp4" for n in adata.TRAIN_CLIPS}
    if adata.REAL_CLIPS_DIR.exists():  # the hashes are those of the clips beside the project
        for f in files:
            assert sha256_of(adata.REAL_CLIPS_DIR / f["file"]) == f["sha256"], f["file"]
    model = load_animator()
    assert not model.training and sum(p.numel() for p in model.parameters()) == entry["metrics"]["params"]
    # trained in stages: each earlier stage's command and hash are kept, and the steps add up
    stage, steps = entry, 0
    while "continued_from" in stage.get("data", {}):
        steps += stage["metrics"]["steps"]
        stage = stage["data"]["continued_from"]
        assert stage["command"].startswith("torchrun") and len(stage["sha256"]) == 64
    if stage is not entry:
        assert entry["metrics"]["steps_total"] == steps + stage["metrics"]["steps"]


@pytest.mark.skipif("animator" not in MANIFEST, reason="no learned animator is shipped yet")
def test_every_training_stage_was_benchmarked_on_the_real_portraits():
    """Chapter 09's stage table: each stage in the manifest's chain has a committed portraits-bench run, matched by
    the checkpoint's hash (the last stage's is docs/bench/portraits-standard.json)."""
    chain, stage = [], MANIFEST["animator"]
    while stage:
        chain.append(stage)
        stage = stage.get("data", {}).get("continued_from")
    runs = sorted((REPO_ROOT / "docs" / "bench" / "animator-stages").glob("stage*.json"))
    runs.append(REPO_ROOT / "docs" / "bench" / "portraits-standard.json")
    measured = {}
    for path in runs:
        bench = json.loads(path.read_text())
        note = next(n for n in bench["notes"] if n.startswith("learned animator:"))
        measured[note.split("sha256 ")[1][:12]] = bench["figures"]
    for st in chain:
        f = measured.get(st["sha256"][:12])
        assert f is not None, f"no benchmark of the stage made by {st['command']}"
        assert 0 <= f["same_person_animator"] <= 1 and "mouth_r_animator" in f
    assert chain[0]["sha256"][:12] in measured and MANIFEST["animator"]["sha256"][:12] in measured


def test_chapter_09s_words_match_the_committed_benchmark():
    """Chapter 09 says, in words, that the shipped animator keeps the person, is the most faithful on FaceWorld's
    unseen people, is as sharp as the warps, and on real portraits follows the mouth closely but less than the
    better warp, the blinks better than the piecewise warp and the landmarks closer than the warp's. Those words
    must stay true of docs/bench/portraits-standard.json; re-run the bench and rewrite them together."""
    bench = json.loads((REPO_ROOT / "docs" / "bench" / "portraits-standard.json").read_text())
    f = bench["figures"]
    assert "animator" in [r["method"] for r in bench["rows"]]
    warp = max(("tps_warp", "piecewise_warp"), key=lambda m: f[f"mouth_r_{m}"])
    assert f["same_person_animator"] >= 0.95
    assert f["ssim_animator_fw_k1"] > max(f["ssim_flow_warp_fw_k1"], f["ssim_ft_fw_k1"])
    assert f["sharpness_ratio_animator"] >= max(f["sharpness_ratio_tps_warp"], f["sharpness_ratio_piecewise_warp"])
    assert 0.8 <= f["mouth_r_animator"] < f[f"mouth_r_{warp}"]
    assert f["blink_r_animator"] > f["blink_r_piecewise_warp"]
    assert f["follow_nme_animator"] <= f[f"follow_nme_{warp}"]
    text = (REPO_ROOT / "notebooks" / "09_learned_animator.py").read_text()
    for words in ("it is as sharp as the warps", "its mouth follows the driver closely, but *less*\n# closely than the "
                  "hand-made warp's, while its blinks now follow better than the piecewise warp's and its\n# "
                  "landmarks land closer to their targets"):
        assert words in text, words
    # section 4's stage table, in words: "the mouth figure rose with each stage, the blinks rose and then fell back";
    # the last row (the windows on stage 3): "raised the blinks above the piecewise warp's, lowered the landmark
    # error below the warp's, and left the mouth about where it was"
    stages = [json.loads(p.read_text())["figures"]
              for p in sorted((REPO_ROOT / "docs" / "bench" / "animator-stages").glob("stage*.json"))]
    assert any(n.startswith("part windows: checkpoints/animator_parts.pt") and n.endswith("windows used: mouth, eyes")
               for n in bench["notes"])
    assert f["blink_r_animator"] > max(stages[-1]["blink_r_animator"], f["blink_r_piecewise_warp"])
    assert f["follow_nme_animator"] < stages[-1]["follow_nme_animator"]
    assert abs(f["mouth_r_animator"] - stages[-1]["mouth_r_animator"]) < 0.02
    for words in ("the windows raised the blinks above the piecewise warp's, lowered the landmark error below the",
                  "left the mouth about where it was"):
        assert words in text, words
    # section 2: the mouth window — the photographs' mouths as close as the warp's, the Mona Lisa's less close than
    # without it; the windows' second stage moved her figure "only from 0.72 to 0.73"
    stage_dir = REPO_ROOT / "docs" / "bench" / "animator-stages"
    eyes = json.loads((stage_dir / "windows-eyes.json").read_text())
    first = json.loads((stage_dir / "windows-first-stage.json").read_text())
    assert any(n.endswith("windows used: eyes") for n in eyes["notes"])
    assert any(n.endswith("windows used: mouth, eyes") for n in first["notes"])
    stage3 = json.loads((stage_dir / "stage3.json").read_text())

    def mouth(cases, method, mona):
        values = [c["mouth_r"] for c in cases if c["method"] == method and c["mouth_r"] is not None
                  and (c["portrait"] == "mona_lisa") == mona]
        return sum(values) / len(values)

    assert mouth(bench["cases"], "animator", False) >= mouth(bench["cases"], "piecewise_warp", False) - 0.01
    assert mouth(bench["cases"], "animator", True) < min(mouth(stage3["cases"], "animator", True),
                                                         mouth(eyes["cases"], "animator", True))
    assert "mouth window made the three photographs' mouths follow their drivers as closely as the hand-made warp does" in text
    assert f"her mouth figure only from {mouth(first['cases'], 'animator', True):.2f} to " \
           f"{mouth(bench['cases'], 'animator', True):.2f}" in text
    mouth, blink = [s["mouth_r_animator"] for s in stages], [s["blink_r_animator"] for s in stages]
    assert all(a < b for a, b in zip(mouth, mouth[1:])), mouth
    assert blink[1] > blink[0] and blink[-1] < blink[-2], blink
    assert "the mouth figure rose with each stage, the blinks rose and then fell back" in text
