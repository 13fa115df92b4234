"""The part windows of the learned animator (course_utils.animator.parts): geometry, the painter, the checkpoint."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.animator import parts as P


def _target(display: int = 256) -> np.ndarray:
    """A plausible (68, 2) face in display px: eyes at y ≈ 100, mouth at y ≈ 150."""
    rng = np.random.default_rng(0)
    pts = rng.uniform(60, 200, (68, 2)).astype(np.float32)
    pts[36:42] = [100, 100] + rng.normal(0, 4, (6, 2))
    pts[42:48] = [150, 100] + rng.normal(0, 4, (6, 2))
    pts[48:68] = [128, 150] + rng.normal(0, 8, (20, 2))
    return pts * display / 256


def test_a_window_is_centred_on_its_part_and_sized_in_display_pixels():
    t = _target()
    wins = P.windows(t, 256)
    for name, (idx, size) in P.PARTS.items():
        w = wins[name]
        assert w.size == size and w.step == pytest.approx(P.PIXEL)
        centre = w.to_window(t[list(idx)].mean(0)[None])[0]
        np.testing.assert_allclose(centre, [(size - 1) / 2] * 2, atol=1e-4)
    assert P.windows(_target(512), 512)["mouth"].step == pytest.approx(2 * P.PIXEL)  # same part of the face


def test_cutting_a_window_samples_the_picture_where_to_window_says():
    h = 256
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(h, dtype=torch.float32), indexing="ij")
    picture = torch.stack([xs / h, ys / h, torch.zeros_like(xs)])[None]  # channel 0 = x / h, channel 1 = y / h
    w = P.windows(_target(), h)["mouth"]
    win = P.cut(picture, [w])[0]
    # window pixel (i, j) sits at display px x0 + (j + .5) * step - .5
    j, i = 10, 40
    assert float(win[0, i, j]) == pytest.approx((w.x0 + (j + 0.5) * w.step - 0.5) / h, abs=1e-4)
    assert float(win[1, i, j]) == pytest.approx((w.y0 + (i + 0.5) * w.step - 0.5) / h, abs=1e-4)


def test_pasting_adds_the_tapered_correction_inside_the_window_only():
    picture = torch.zeros(1, 3, 256, 256)
    w = P.windows(_target(), 256)["mouth"]
    assert torch.equal(P.paste(picture, torch.zeros(1, 3, w.size, w.size), w), picture)
    out = P.paste(picture, torch.ones(1, 3, w.size, w.size), w)
    cx, cy = int(w.x0 + w.size * w.step / 2), int(w.y0 + w.size * w.step / 2)
    assert float(out[0, 0, cy, cx]) == pytest.approx(1.0, abs=1e-3)   # the middle: the full correction
    assert float(out[0, 0, cy, int(w.x0) - 2]) == 0.0                  # outside the window: untouched
    edge = float(out[0, 0, cy, int(w.x0) + 1])
    assert 0.0 <= edge < 0.2                                          # the edge: faded out, no seam


def test_an_untrained_painter_changes_nothing_and_the_shapes_are_as_documented():
    painter = P.PartPainter(width=8)
    comp = torch.rand(1, 3, 256, 256) * 2 - 1
    vis = torch.rand(1, 1, 256, 256)
    t = _target()
    x, wins = P.window_inputs(comp, comp, vis, t[None], "mouth")
    assert x.shape == (1, 10, 64, 64)
    assert P.window_inputs(comp, comp, vis, t[None], "eye_l")[0].shape == (1, 10, 32, 32)
    assert torch.equal(P.refine(painter, comp, comp, vis, t), comp)


def test_training_lowers_the_window_error_on_what_it_trains_on():
    rng = np.random.default_rng(0)
    n = 8
    y = torch.rand(n, 3, 64, 64) * 2 - 1
    x = torch.cat([y.clamp(-0.5, 0.5), y, torch.ones(n, 1, 64, 64), torch.zeros(n, 3, 64, 64)], 1)
    ye = torch.rand(n, 3, 32, 32) * 2 - 1
    xe = torch.cat([ye.clamp(-0.5, 0.5), ye, torch.ones(n, 1, 32, 32), torch.zeros(n, 3, 32, 32)], 1)
    data = {"mouth_x": x.half(), "mouth_y": y.half(), "eyes_x": xe.half(), "eyes_y": ye.half(),
            "mouth_m": torch.ones(n, 1, 64, 64, dtype=torch.bool), "eyes_m": torch.zeros(n, 1, 32, 32, dtype=torch.bool)}
    res = P.train_parts(data, steps=60, batch=4, lr=2e-3, darkest=1.0, verbose=False, seed=int(rng.integers(9)))
    first = np.mean([h["l1_mouth"] for h in res["history"][:5]])
    last = np.mean([h["l1_mouth"] for h in res["history"][-5:]])
    assert last < 0.8 * first, (first, last)
    assert all(k in res["history"][0] for k in ("l1_mouth", "l1_eyes", "adv_mouth", "adv_eyes", "d"))


def test_a_share_of_the_mouth_windows_comes_from_the_wide_openings():
    rng = np.random.default_rng(1)
    pool = np.arange(90, 100)  # 10 of 100 windows open wide
    drawn = np.concatenate([P.pick(rng, 100, 16, pool, 0.5) for _ in range(50)])
    assert np.isin(drawn, pool).mean() > 0.5  # half from the pool, plus the pool's own tenth of the rest
    plain = np.concatenate([P.pick(rng, 100, 16) for _ in range(50)])
    assert np.isin(plain, pool).mean() < 0.2 and plain.max() < 100


def test_composite_layers_give_the_composite_and_the_layers_it_was_made_of():
    from course_utils.animator.model import composite, composite_layers, scaled_flow
    from course_utils.flow.net import warp_tensor

    torch.manual_seed(0)
    hr = torch.rand(2, 3, 128, 128) * 2 - 1
    flow, vis, painted = torch.randn(2, 2, 32, 32), torch.rand(2, 1, 32, 32), torch.rand(2, 3, 32, 32) * 2 - 1
    out, warped, visible = composite_layers(hr, flow, vis, painted)
    assert torch.equal(out, composite(hr, flow, vis, painted))
    assert torch.allclose(warped, warp_tensor(hr, scaled_flow(flow, 128)))
    assert visible.shape == (2, 1, 128, 128) and torch.allclose(visible.mean(), vis.mean(), atol=0.02)


def test_a_damaged_or_foreign_part_windows_file_is_left_out_with_one_sentence(tmp_path):
    from course_utils.bench.portraits import load_part_windows
    from course_utils.errors import CourseError

    bad = tmp_path / "parts.pt"
    bad.write_bytes(b"not a checkpoint")
    painter, note = load_part_windows(bad)
    assert painter is False and note.startswith("part windows left out:") and "python -m course_utils.animator parts" in note
    torch.save({"something": torch.zeros(2)}, bad)
    with pytest.raises(CourseError, match="does not hold a part painter"):
        P.load_parts(path=bad)
    assert load_part_windows("none")[0] is False
    good = tmp_path / "good.pt"
    torch.save(P.PartPainter(8).state_dict() | {"_width": torch.tensor(8)}, good)
    painter, note = load_part_windows(good)
    assert isinstance(painter, P.PartPainter) and painter.width == 8 and f"{good} (sha256 " in note


MANIFEST = __import__("course_utils.checkpoints", fromlist=["read_manifest"]).read_manifest()


@pytest.mark.skipif(P.CHECKPOINT_NAME not in MANIFEST, reason="no part windows are shipped yet")
def test_the_shipped_windows_are_small_name_their_data_and_lower_the_error_on_unseen_people():
    from course_utils.checkpoints import CHECKPOINT_DIR, sha256_of

    entry = MANIFEST[P.CHECKPOINT_NAME]
    assert entry["size"] < 5 * 2**20 and entry["command"].startswith("python -m course_utils.animator parts")
    assert entry["data"]["animator"]["sha256"] == sha256_of(CHECKPOINT_DIR / "animator.pt")  # made on this animator
    assert entry["data"]["faceworld"]["identities"] > 0 and entry["wall_seconds"] > 0 and entry["metrics"]["steps"] > 0
    for f in entry["data"].get("real_clips", {}).get("files", []):
        assert f["file"].startswith("speaker_") and len(f["sha256"]) == 64
    m = entry["metrics"]
    for kind in ("mouth", "eyes"):  # on FaceWorld people it never saw, the windows bring the picture closer to the truth
        assert m[f"l1_{kind}_fw_refined"] < m[f"l1_{kind}_fw_composite"]
    painter = P.load_parts()
    assert isinstance(painter, P.PartPainter) and not painter.training


def test_only_the_chosen_windows_are_repainted():
    painter = P.PartPainter(width=8)
    torch.nn.init.constant_(painter.rgb.bias, 0.5)  # a painter that changes every pixel of its windows
    comp = torch.zeros(1, 3, 256, 256)
    t = _target()
    eyes = P.refine(painter, comp, comp, torch.ones(1, 1, 256, 256), t, groups=("eyes",))
    both = P.refine(painter, comp, comp, torch.ones(1, 1, 256, 256), t)
    mouth = np.round(t[48:60].mean(0)).astype(int)
    eye = np.round(t[36:42].mean(0)).astype(int)
    assert float(eyes[0, 0, eye[1], eye[0]]) > 0.5 and float(eyes[0, 0, mouth[1], mouth[0]]) == 0.0
    assert float(both[0, 0, mouth[1], mouth[0]]) > 0.5
    assert P.DISPLAY_GROUPS and set(P.DISPLAY_GROUPS) <= set(P.GROUPS)
