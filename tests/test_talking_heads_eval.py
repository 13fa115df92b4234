"""Chapter 08's evaluation (the paper's Table 1 on FaceWorld), training curves, and the talking portrait."""

import json

import numpy as np
import pytest
import torch

from course_utils import faces
from course_utils.errors import CourseError
from course_utils.talking_heads import TalkingHeadGAN
from course_utils.talking_heads import evaluate as ev
from course_utils.faces import faceworld_driver
from course_utils.talking_heads.portrait import TalkingPortrait, crop_like_faceworld
from course_utils.talking_heads.train import export_curves, load_curves


@pytest.fixture(scope="module")
def video():
    return ev.test_videos(n_identities=1, n_targets=3, max_shots=4, seed=0)[0]


@pytest.fixture(scope="module")
def random_gan():
    torch.manual_seed(0)
    return TalkingHeadGAN("small", 10).eval()


def test_test_videos_are_held_out_and_disjoint_in_time(video):
    from course_utils.faces import SPLITS

    assert video.seed in SPLITS["test"]
    assert video.shots.shape == (4, 64, 64, 3) and video.shots.dtype == np.uint8
    assert video.targets.shape == (3, 64, 64, 3) and video.target_points.shape == (3, 68, 2)
    # shots and targets are different moments: no target equals a shot
    assert all(np.abs(t.astype(int) - s.astype(int)).mean() > 0.5 for t in video.targets for s in video.shots)


def test_nearest_shot_finds_the_matching_pose():
    rng = np.random.default_rng(0)
    shots = rng.normal(size=(5, 68, 2)) * 10
    targets = shots[[3, 0]] + 100.0 + rng.normal(size=(2, 68, 2)) * 0.01   # same shapes, moved
    assert ev.nearest_shot(shots, targets).tolist() == [3, 0]


def test_frechet_distance_is_zero_for_equal_sets_and_grows_with_a_shift():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2000, 3))
    assert abs(ev.frechet_distance(a, a)) < 1e-8
    shifted = ev.frechet_distance(a, a + np.array([2.0, 0, 0]))
    assert shifted == pytest.approx(4.0, abs=1e-6)
    wider = ev.frechet_distance(a, rng.normal(size=(2000, 3)) * 2)
    assert wider == pytest.approx(3.0, abs=0.3)     # per axis (σ1 − σ2)² = 1


def test_ssim_psnr_rank_a_copy_above_noise(video):
    noisy = np.clip(video.targets + np.random.default_rng(0).normal(0, 20, video.targets.shape), 0, 255).astype(np.uint8)
    s_same, p_same = ev.ssim_psnr(video.targets, video.targets)
    s_noisy, p_noisy = ev.ssim_psnr(noisy, video.targets)
    assert np.allclose(s_same, 1.0) and np.all(p_same == 60.0)
    assert np.all(s_noisy < 0.9) and np.all(p_noisy < 30)


def test_warps_move_the_source_towards_the_target(video):
    copy = ev.warp_outputs(video, 4, "copy")
    warp = ev.warp_outputs(video, 4, "landmark_warp")
    assert warp.shape == copy.shape == video.targets.shape
    s_copy, _ = ev.ssim_psnr(copy, video.targets)
    s_warp, _ = ev.ssim_psnr(warp, video.targets)
    assert s_warp.mean() > s_copy.mean()       # moving the pixels along the landmarks helps


def test_evaluate_fills_every_row_and_the_bars(video, random_gan):
    res = ev.evaluate(random_gan, shots=(1, 2), methods=("landmark_warp", "ff", "ft", "copy"), ft_steps=2,
                      progress=False, videos=[video])
    assert [(r["method"], r["k"]) for r in res["rows"]] == [(m, k) for m in ("landmark_warp", "ff", "ft", "copy")
                                                             for k in (1, 2)]
    for r in res["rows"]:
        assert all(np.isfinite(r[m]) for m in ev.METRICS) and r["n"] == 3
    warp = next(r for r in res["rows"] if r["method"] == "landmark_warp")
    ff = next(r for r in res["rows"] if r["method"] == "ff")
    assert warp["ssim"] > ff["ssim"]           # random weights draw no face: the warp must win
    assert 0 < res["reference"]["lmk_real"] < 0.2
    figs = ev.figures(res)
    assert "ssim_ft_k2" in figs and "id_landmark_warp_k1" in figs
    assert "| landmark warp (ch. 04) | 1 |" in ev.table(res)


def test_bars_read_the_figures():
    def rows(ft, warp):
        return {"rows": [{"method": "ft", "k": k, **dict.fromkeys(ev.METRICS, 0.0), "ssim": s} for k, s in zip((1, 8, 32), ft)]
                + [{"method": "landmark_warp", "k": 8, **dict.fromkeys(ev.METRICS, 0.0), "ssim": warp}]}

    assert ev.bars(rows((0.8, 0.85, 0.9), 0.84)) == {"ft_beats_landmark_warp_ssim_k8": True, "ft_ssim_k32_ge_k8_ge_k1": True}
    assert ev.bars(rows((0.8, 0.85, 0.84), 0.86)) == {"ft_beats_landmark_warp_ssim_k8": False,
                                                     "ft_ssim_k32_ge_k8_ge_k1": False}


def test_missing_results_file_is_one_clear_sentence(tmp_path):
    with pytest.raises(CourseError, match="talking_heads evaluate"):
        ev.load_results(tmp_path / "nothing.json")


def test_committed_results_carry_their_provenance():
    path = ev.results_path()
    if not path.exists():
        pytest.skip("no committed evaluation yet")
    res = ev.load_results()
    prov = res["provenance"]
    assert prov["command"].startswith("python -m course_utils.talking_heads evaluate")
    from course_utils.checkpoints import read_manifest

    assert prov["checkpoint_sha256"] == read_manifest()["talking_heads_small"]["sha256"], \
        "the results file was made with another checkpoint: re-run the evaluation"
    assert {(r["method"], r["k"]) for r in res["rows"]} >= {(m, k) for m in ev.METHODS for k in ev.SHOTS}
    assert res["bars"] == ev.bars(res)


def test_what_chapter_08_says_about_the_table_holds_for_the_committed_results():
    path = ev.results_path()
    if not path.exists():
        pytest.skip("no committed evaluation yet")
    res = ev.load_results()
    stated = ev.claims(res)
    assert len(stated) == len(ev.STATED) >= 5, "a stated claim cannot be checked against this results file"
    wrong = [text for text, holds in stated if not holds]
    assert not wrong, f"notebook 08's text says what the table no longer shows: {wrong}"


def _synthetic_results(ft_k8):
    """Six people; FT at K = 8 scores ft_k8 (a list of six SSIMs), the landmark warp 0.90 for everyone."""
    per = {"ft_k8": {"ssim": ft_k8}, "landmark_warp_k8": {"ssim": [0.90] * 6}}
    rows = [{"method": "ft", "k": 8, "ssim": float(np.mean(ft_k8)), "psnr": 0, "id": 0, "lmk": 0, "fd": 0},
            {"method": "landmark_warp", "k": 8, "ssim": 0.90, "psnr": 0, "id": 0, "lmk": 0, "fd": 0}]
    return {"rows": rows, "per_identity": per}


def test_statements_tell_a_clear_win_from_a_tie():
    key = "ft_clearly_over_landmark_warp_k8"
    clear = ev.statements(_synthetic_results([0.92, 0.93, 0.91, 0.92, 0.94, 0.92]))
    tie = ev.statements(_synthetic_results([0.95, 0.86, 0.93, 0.88, 0.92, 0.89]))   # mean 0.905, noisy
    assert clear[key][1] and not tie[key][1]
    assert ev.paired(_synthetic_results([0.95, 0.86, 0.93, 0.88, 0.92, 0.89]), "ft_k8", "landmark_warp_k8")["wins"] == 3
    assert not tie["ft_over_landmark_warp_most_k8"][1] and clear["ft_over_landmark_warp_most_k8"][1]
    assert ev.claims(_synthetic_results([0.9] * 6), keys=[key, "not_a_statement"]) == [clear[key][:1] + (False,)]


def test_export_curves_averages_windows(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"name": "tiny"}))
    lines = [{"step": s, "seconds": float(s), "terms": {"G.cnt_pixel": {"scale": 10.0, "value": float(s)}},
              "r_real": 1.0, "r_fake": -1.0, "image_std": 0.3} for s in range(10, 110, 10)]
    (run / "log.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    path = export_curves(run, every=50, directory=tmp_path)
    curves = load_curves("talking_heads_tiny", tmp_path)
    assert path.exists() and curves["steps"] == [50, 100]
    assert curves["terms"]["G.cnt_pixel"] == [30.0, 80.0]      # means of 10..50 and 60..100
    assert curves["scales"]["G.cnt_pixel"] == 10.0
    with pytest.raises(CourseError, match="curves"):
        load_curves("talking_heads_none", tmp_path)


def test_crop_like_faceworld_reproduces_the_training_framing():
    person = faces.sample_identity(101_005)
    frame = faces.Frame(faces.Pose(yaw=5), faces.Expression(smile=0.3))
    big, small = faces.render(person, frame, 256), faces.render(person, frame, 64)
    crop, pts = crop_like_faceworld(big.image, big.landmarks, 64)
    assert crop.shape == (64, 64, 3)
    # the average person's framing, not this person's: close, not equal
    assert np.abs(pts - small.landmarks).mean() < 2.0


def test_talking_portrait_drives_and_poses(random_gan):
    person = faces.sample_identity(101_006)
    out = faces.render(person, faces.Frame(faces.Pose(), faces.Expression()), 200)
    tp = TalkingPortrait(out.image, points=out.landmarks, gan=random_gan)
    assert tp.crop.shape == (64, 64, 3) and not tp.tuned
    _, drv, ref = faceworld_driver(n_frames=3, seed=1, size=0)
    frames = tp.drive(drv, ref)
    assert frames.shape == (3, 64, 64, 3) and frames.dtype == np.uint8
    a, b = tp.pose(), tp.pose(jaw_open=1.0, yaw=15)
    assert a.shape == (64, 64, 3) and np.abs(a.astype(int) - b.astype(int)).mean() > 0.1
    tp.fine_tune(steps=2)
    assert tp.tuned and len(tp.history) == 2


def test_talking_portrait_without_a_face_says_so(random_gan):
    blank = np.full((200, 200, 3), 128, np.uint8)
    with pytest.raises(CourseError):
        TalkingPortrait(blank, gan=random_gan)


def test_evaluate_command_writes_the_table_with_provenance(tmp_path, capsys):
    from course_utils.talking_heads.__main__ import main

    out = tmp_path / "eval.json"
    assert main(["evaluate", "--identities", "1", "--targets", "2", "--ft-steps", "2", "--out", str(out),
                 "--no-progress"]) == 0
    res = json.loads(out.read_text())
    assert {(r["method"], r["k"]) for r in res["rows"]} == {(m, k) for m in ev.METHODS + ev.REFERENCE for k in ev.SHOTS}
    prov = res["provenance"]
    assert prov["command"].startswith("python -m course_utils.talking_heads evaluate --identities 1")
    assert len(prov["checkpoint_sha256"]) == 64 and prov["seconds"] > 0
    assert set(res["bars"]) == {"ft_beats_landmark_warp_ssim_k8", "ft_ssim_k32_ge_k8_ge_k1"}
    assert "| FT (fine-tuned) | 32 |" in capsys.readouterr().out


def test_parallel_workers_give_the_same_table(video, random_gan):
    kw = dict(shots=(1,), methods=("landmark_warp", "ff"), progress=False, videos=[video, video])
    one = ev.evaluate(random_gan, workers=1, **kw)
    two = ev.evaluate(random_gan, workers=2, **kw)
    assert [(r["method"], r["k"]) for r in one["rows"]] == [(r["method"], r["k"]) for r in two["rows"]]
    for a, b in zip(one["rows"], two["rows"]):
        assert a["ssim"] == pytest.approx(b["ssim"], abs=1e-6) and a["id"] == pytest.approx(b["id"], abs=1e-5)


def test_record_keeps_the_training_notes_and_replaces_only_its_own_sentence(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from course_utils import checkpoints as ck
    from course_utils.talking_heads import __main__ as cli

    monkeypatch.setattr(ck, "CHECKPOINT_DIR", tmp_path)
    ck.save_checkpoint({"w": torch.zeros(2)}, "talking_heads_tiny", command="train", seed=0,
                       metrics={"steps": 5}, notes="trained on faceworld; from scratch `train --steps 5`")
    gan = SimpleNamespace(config=SimpleNamespace(name="tiny"))
    rows = [{"method": "ft", "k": k, "ssim": 0.9, "psnr": 0, "id": 0.8, "lmk": 0, "fd": 0} for k in ev.SHOTS]
    for ft_steps in (300, 600):   # recorded twice: the second replaces the first's sentence
        cli._record({"rows": rows, "settings": {"identities": 24, "ft_steps": ft_steps}}, gan)
    entry = ck.read_manifest(tmp_path)["talking_heads_tiny"]
    assert entry["notes"].startswith("trained on faceworld; from scratch `train --steps 5`. eval_* figures:")
    assert entry["notes"].count("eval_* figures:") == 1 and "FT 600 steps" in entry["notes"]
    assert entry["metrics"]["steps"] == 5 and entry["metrics"]["eval_ssim_ft_k8"] == 0.9


def test_dlib_identity_tells_the_same_person_from_another():
    a, b = ev.test_videos(n_identities=2, n_targets=3, max_shots=1, seed=0)
    same = ev.dlib_identity(a.targets, a.targets, a.target_points)
    other = ev.dlib_identity(b.targets, a.targets, a.target_points)
    assert np.allclose(same, 1.0, atol=1e-4)
    assert other.mean() < same.mean() - 0.02


def test_ft_steps_are_chosen_on_validation_people_not_test_people(random_gan):
    choice = ev.choose_ft_steps(random_gan, candidates=(1, 2), n_identities=1, k=1)
    assert choice["chosen"] in (1, 2) and set(choice["ssim"]) == {1, 2} and choice["split"] == "validation"
    test_seeds = {v.seed for v in ev.test_videos(n_identities=24, n_targets=1, max_shots=1)}
    assert not set(choice["seeds"]) & test_seeds
