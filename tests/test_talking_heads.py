"""course_utils.talking_heads: shapes, the guards from the paper notes' "what went wrong" list, fine-tuning's
initialisation, resuming, two-process DistributedDataParallel, the video-folder cache, an overfit check."""

import ast
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils.errors import CourseError
from course_utils.talking_heads import (TalkingHeadGAN, TalkingHeadWarning, TrainingDiverged, check_collapse,
                                        check_finite, check_psi_slices, feed_forward, fine_tune, get_config,
                                        perceptual_nets)
from course_utils.talking_heads import data as th_data
from course_utils.talking_heads import losses
from course_utils.talking_heads.models import Generator
from course_utils.talking_heads.train import meta_step, optimizers, train

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "course_utils" / "talking_heads"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One data cache for the module (the tiny FaceWorld frame bank is rendered once, ~3 s)."""
    path = tmp_path_factory.mktemp("th_cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_DATA_DIR", str(path))
        th_data.faceworld_bank("train", 4, 32, 8, progress=False)
        yield path


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def tiny_nets():
    torch.manual_seed(0)
    return perceptual_nets(pretrained=False, width=4)


def tiny_batch(b=2, k=2, s=32, n_videos=4):
    g = torch.Generator().manual_seed(1)

    def r(*shape):
        return torch.rand(*shape, generator=g) * 2 - 1

    return {"frames": r(b, k, 3, s, s), "landmark_images": r(b, k, 3, s, s), "target": r(b, 3, s, s),
            "target_landmark_image": r(b, 3, s, s), "index": torch.arange(b) % n_videos}


# ----------------------------------------------------------------------------- shapes

def test_tiny_shapes_through_every_module():
    torch.manual_seed(0)
    gan = TalkingHeadGAN("tiny", n_videos=5).eval()     # eval: spectral norms do no power iteration
    cfg = gan.config
    b = tiny_batch()
    e_hat = gan.embedder.embed(b["frames"], b["landmark_images"])
    assert e_hat.shape == (2, cfg.embed_dim)
    psi = gan.generator.project(e_hat)
    assert psi.shape == (2, gan.generator.psi_dim)
    fake = gan.generator(b["target_landmark_image"], e_hat)
    assert fake.shape == (2, 3, 32, 32) and fake.abs().max() <= 1
    assert torch.equal(fake, gan.generator(b["target_landmark_image"], psi=psi))
    r, feats = gan.discriminator(fake, b["target_landmark_image"], b["index"])
    assert r.shape == (2,)
    assert [f.shape[-1] for f in feats] == [16, 8, 8, 4, 2, 2]     # 4 down blocks, attention at 8, extra block
    assert gan.discriminator.W.shape == (cfg.embed_dim, 5)
    counts = gan.param_counts()
    assert set(counts) == {"embedder", "generator", "projection_P", "discriminator", "W"}
    assert 10_000 < counts["generator"] < 200_000


def test_small_and_paper_configs_build_and_run():
    torch.manual_seed(0)
    small = TalkingHeadGAN("small")
    assert small.config.size == 64 and small.generator.psi_dim == sum(b - a for a, b in small.generator.psi_slices())
    paper = TalkingHeadGAN("paper", n_videos=3)
    assert paper.config.embed_dim == 512 and paper.config.lr_g == 5e-5 and paper.config.lr_d == 2e-4
    x = torch.zeros(1, 3, 256, 256)
    with torch.no_grad():
        e = paper.embedder(x, x)
        out = paper.generator(x, e)
        r, _ = paper.discriminator(x, x, torch.tensor([0]))
    assert e.shape == (1, 512) and out.shape == (1, 3, 256, 256) and r.shape == (1,)


def test_config_errors_are_course_errors():
    with pytest.raises(CourseError):
        get_config("huge")
    with pytest.raises(CourseError):
        get_config("tiny", no_such_setting=1)
    assert get_config("tiny", k=5).k == 5


# ----------------------------------------------------------------------------- guard: AdaIN slices

def test_every_adain_layer_reads_its_own_slice_of_psi():
    torch.manual_seed(0)
    gen = Generator(get_config("tiny"))
    slices = check_psi_slices(gen)
    # one slice per AdaIN layer, 2C long, disjoint, tiling [0, psi_dim) exactly
    assert len(slices) == len(gen.adains) == 2 * 1 + 2 * 3 + 1
    covered = np.zeros(gen.psi_dim, int)
    for (a, b), layer in zip(slices, gen.adains):
        assert b - a == 2 * layer.channels
        covered[a:b] += 1
    assert (covered == 1).all()
    # and at run time each layer really receives exactly psi[:, a:b]
    seen = {}
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.__setitem__(mod.slot, inp[1])) for m in gen.adains]
    psi = torch.randn(2, gen.psi_dim)
    gen(torch.zeros(2, 3, 32, 32), psi=psi)
    for h in hooks:
        h.remove()
    assert sorted(seen) == list(range(len(gen.adains)))
    for layer, (a, b) in zip(gen.adains, slices):
        assert torch.equal(seen[layer.slot], psi[:, a:b]), f"AdaIN slot {layer.slot} read the wrong part of ψ"


def test_psi_slice_guard_rejects_a_reused_slice():
    gen = Generator(get_config("tiny"))
    gen._slices[2] = gen._slices[1]          # the re-implementations' bug: two layers share a slice
    with pytest.raises(ValueError):
        check_psi_slices(gen)


# ----------------------------------------------------------------------------- guard: no sigmoid before the hinge

def test_no_sigmoid_before_the_hinge():
    torch.manual_seed(0)
    gan = TalkingHeadGAN("tiny", n_videos=2)
    d = gan.discriminator
    x = torch.rand(3, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        d.W.zero_()
        d.w0.zero_()
        d.b.fill_(-3.0)
        r, _ = d(x, x, torch.tensor([0, 1, 0]))
    assert torch.allclose(r, torch.full((3,), -3.0)), "D's score must be the raw projection, outside [0, 1]"
    assert losses.hinge_d_real(r).item() == pytest.approx(4.0)      # max(0, 1 − r) exactly
    assert losses.hinge_d_fake(-r).item() == pytest.approx(4.0)     # max(0, 1 + r)
    with torch.no_grad():
        d.W.fill_(1.0)
        r, _ = d(x, x, torch.tensor([0, 1, 0]))
    assert (r > 1).all()
    t = torch.tensor([-2.0, 0.5, 3.0])
    assert torch.equal(losses.hinge_d_real(t), torch.clamp(1 - t, min=0).mean())
    assert torch.equal(losses.hinge_d_fake(t), torch.clamp(1 + t, min=0).mean())
    assert torch.equal(losses.adversarial_g(t), -t.mean())


def test_no_sigmoid_anywhere_in_the_gan_code():
    for name in ("models.py", "blocks.py", "losses.py", "train.py", "finetune.py"):
        tree = ast.parse((PACKAGE / name).read_text())
        calls = {n.attr if isinstance(n, ast.Attribute) else n.id for n in ast.walk(tree)
                 if isinstance(n, (ast.Attribute, ast.Name))}
        assert not calls & {"sigmoid", "Sigmoid", "logsigmoid", "binary_cross_entropy",
                            "binary_cross_entropy_with_logits", "BCELoss", "BCEWithLogitsLoss"}, name


# ----------------------------------------------------------------------------- guard: episodes resampled

def _differ(a, b):
    return not torch.equal(a["times"], b["times"]) and not torch.equal(a["frames"], b["frames"])


def test_episodes_differ_between_draws(cache):
    bank = th_data.faceworld_episodes("train", 4, k=2, size=32, frames_per_video=8, progress=False)
    torch.manual_seed(0)
    draws = [bank[1] for _ in range(4)]
    assert all(d["frames"].shape == (2, 3, 32, 32) and d["index"] == 1 for d in draws)
    assert sum(_differ(draws[0], d) for d in draws[1:]) >= 2, "two draws of one person must differ"
    assert len({tuple(d["times"].tolist()) for d in draws}) >= 3
    for d in draws:     # K + 1 distinct moments, target last
        assert len(set(d["times"].tolist())) == 3
    # the sampler used in training draws fresh episodes every step too
    from course_utils.talking_heads.train import sample_batch

    b1, b2 = sample_batch(bank, 2, "cpu"), sample_batch(bank, 2, "cpu")
    assert not torch.equal(b1["target"], b2["target"])


# ----------------------------------------------------------------------------- guard: losses logged separately

EXPECTED_TERMS = {"G.cnt_pixel": "w_pixel", "G.cnt_vgg19_standin": "w_vgg19", "G.cnt_vggface_standin": "w_vggface",
                  "G.adv": "w_adv", "G.fm": "w_fm", "G.mch_e": "w_mch", "D.d_real": None, "D.d_fake": None,
                  "D.mch_w": "w_mch"}


def test_loss_terms_are_logged_separately_with_their_scales(cache, tiny_nets):
    info = train("tiny", "faceworld", 2, run="logs", nets=tiny_nets, progress=False, seed=0)
    cfg = get_config("tiny")
    lines = [json.loads(ln) for ln in (Path(info["run"]) / "log.jsonl").read_text().splitlines()]
    assert [ln["step"] for ln in lines] == [1, 2]
    for ln in lines:
        assert set(ln["terms"]) == set(EXPECTED_TERMS)
        for name, field in EXPECTED_TERMS.items():
            term = ln["terms"][name]
            assert term["scale"] == (getattr(cfg, field) if field else 1.0), name
            assert np.isfinite(term["value"])
        g = sum(t["scale"] * t["value"] for n, t in ln["terms"].items() if n.startswith("G."))
        assert ln["loss_g"] == pytest.approx(g, rel=1e-5)
    assert cfg.w_fm == 10 and cfg.w_mch == 80    # the paper's scales


# ----------------------------------------------------------------------------- guard: collapse, NaN

def test_collapse_warns_for_a_constant_batch_and_not_for_faces(cache):
    constant = torch.full((4, 3, 32, 32), 0.3)
    with pytest.warns(TalkingHeadWarning, match="sigmoid before the hinge"):
        assert check_collapse(constant, step=7)
    same = torch.rand(1, 3, 32, 32).expand(4, -1, -1, -1) * 2 - 1      # every output the same picture
    with pytest.warns(TalkingHeadWarning, match="nearly all the same"):
        check_collapse(same)
    bank = th_data.faceworld_episodes("train", 4, k=2, size=32, frames_per_video=8, progress=False)
    faces = torch.stack([bank[i]["target"] for i in range(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not check_collapse(faces)


def test_training_loop_runs_the_collapse_check(cache, tiny_nets, monkeypatch):
    import course_utils.talking_heads.train as th_train

    calls = []
    monkeypatch.setattr(th_train, "check_collapse", lambda images, step=None: calls.append(step))
    train("tiny", "faceworld", 4, run="collapse", nets=tiny_nets, progress=False)
    assert calls == [2, 4]          # tiny: collapse_every = 2


def test_nan_guard_names_the_last_finite_losses(cache, tiny_nets):
    with pytest.raises(TrainingDiverged, match="last finite losses: a = 1"):
        check_finite({"a": float("nan")}, {"a": 1.0}, step=3)
    check_finite({"a": 1.0, "b": -2.0})
    cfg = get_config("tiny", w_pixel=float("nan"))
    with pytest.raises(TrainingDiverged, match="G.cnt_pixel"):
        train(cfg, "faceworld", 2, run="nan", nets=tiny_nets, progress=False)


# ----------------------------------------------------------------------------- fine-tuning

def test_fine_tuning_starts_from_the_papers_initialisation(tiny_nets):
    from course_utils.talking_heads import PersonalisedDiscriminator, PersonalisedGenerator, embed_person

    torch.manual_seed(0)
    gan = TalkingHeadGAN("tiny", n_videos=3).eval()
    b = tiny_batch(b=1, k=3)
    frames, marks = b["frames"][0], b["landmark_images"][0]
    e_new = embed_person(gan, frames, marks)
    assert torch.allclose(e_new, gan.embedder(frames, marks).mean(0))
    g_new = PersonalisedGenerator(gan.generator, e_new)
    d_new = PersonalisedDiscriminator(gan.discriminator, e_new)
    assert isinstance(g_new.psi, torch.nn.Parameter) and g_new.psi.requires_grad
    assert torch.allclose(g_new.psi, gan.generator.project(e_new[None])[0])        # ψ′ = P·ê
    assert torch.allclose(d_new.w, gan.discriminator.w0 + e_new)                   # w′ = w₀ + ê
    assert torch.equal(d_new.b, gan.discriminator.b)                               # b′ = b
    y = marks[:2]
    assert torch.allclose(g_new(y), gan.generator(y, e_new.expand(2, -1)), atol=1e-5)
    ff = feed_forward(gan, frames, marks)
    assert not any(p.requires_grad for p in ff.parameters())
    before = {k: v.clone() for k, v in gan.state_dict().items()}
    ft, history = fine_tune(gan, frames, marks, steps=3, nets=tiny_nets)
    assert len(history) == 3 and "G.cnt_vggface_standin" in history[0]["terms"]
    assert not torch.allclose(ft.psi, g_new.psi)                                   # ψ′ is free, and trained
    assert all(torch.equal(v, gan.state_dict()[k]) for k, v in before.items())     # the meta-learned nets untouched
    assert ft.animate(marks).shape == (3, 3, 32, 32)


def test_generic_initialisation_starts_from_the_mean_embedding_and_person_init_is_unchanged(monkeypatch, tiny_nets):
    from course_utils.talking_heads import PersonalisedDiscriminator, embed_person
    from course_utils.talking_heads import finetune as ft_module

    torch.manual_seed(0)
    gan = TalkingHeadGAN("tiny", n_videos=3).eval()
    b = tiny_batch(b=1, k=3)
    frames, marks = b["frames"][0], b["landmark_images"][0]
    e_new, e_bar = embed_person(gan, frames, marks), torch.rand(gan.config.embed_dim) * 3
    made = []       # every D′ fine_tune builds, to read its w′
    monkeypatch.setattr(ft_module, "PersonalisedDiscriminator",
                        lambda d, e: made.append(PersonalisedDiscriminator(d, e)) or made[-1])
    starts = {}

    def at_step_0(init):
        return lambda step, g: starts.setdefault(init, g.psi.detach().clone()) if step == 0 else None

    project = lambda e: gan.generator.project(e[None])[0]  # noqa: E731  ψ = P·e
    fine_tune(gan, frames, marks, steps=0, init="person", callback=at_step_0("person"))
    assert torch.allclose(starts["person"], project(e_new))                          # person: ψ′ = P·ê, as before
    assert torch.allclose(made[-1].w.detach(), gan.discriminator.w0 + e_new)         # w′ = w₀ + ê
    fine_tune(gan, frames, marks, steps=0, init="generic", e_generic=e_bar, callback=at_step_0("generic"))
    assert torch.allclose(starts["generic"], project(e_bar))                         # generic: ψ′ = P·ē
    assert torch.allclose(made[-1].w.detach(), gan.discriminator.w0 + e_bar)         # w′ = w₀ + ē
    assert not torch.allclose(starts["generic"], starts["person"], atol=1e-3)
    with pytest.raises(CourseError, match="init must be"):
        fine_tune(gan, frames, marks, steps=1, init="average")


def test_fine_tuning_calls_back_at_every_step_and_measuring_changes_nothing(tiny_nets):
    torch.manual_seed(0)
    gan = TalkingHeadGAN("tiny", n_videos=3).eval()
    b = tiny_batch(b=1, k=3)
    frames, marks = b["frames"][0], b["landmark_images"][0]
    seen = []

    def measure(step, g):
        seen.append(step)
        g.animate(marks)            # what the ablation's curves do at each measured step

    quiet, _ = fine_tune(gan, frames, marks, steps=3, nets=tiny_nets, seed=5)
    watched, _ = fine_tune(gan, frames, marks, steps=3, nets=tiny_nets, seed=5, callback=measure)
    assert seen == [0, 1, 2, 3]
    assert torch.equal(quiet.psi, watched.psi)
    assert all(torch.equal(a, b) for a, b in zip(quiet.state_dict().values(), watched.state_dict().values()))


def test_mean_embedding_averages_training_people_and_leaves_the_random_state_alone():
    from course_utils.talking_heads import embed_person
    from course_utils.talking_heads.episodes import EpisodeDataset
    from course_utils.talking_heads.finetune import mean_embedding

    torch.manual_seed(0)
    gan = TalkingHeadGAN("tiny", n_videos=3).eval()
    state = torch.get_rng_state()
    e_bar = mean_embedding(gan, n_people=3, k=2, seed=4)
    assert torch.equal(torch.get_rng_state(), state)
    people = EpisodeDataset("train", 3, k=2, size=32)
    torch.manual_seed(4)
    eps = [people[i] for i in range(3)]
    by_hand = torch.stack([embed_person(gan, ep["frames"], ep["landmark_images"]) for ep in eps]).mean(0)
    assert torch.allclose(e_bar, by_hand)
    assert not torch.allclose(e_bar, mean_embedding(gan, n_people=3, k=2, seed=5))   # the draws follow the seed


# ----------------------------------------------------------------------------- resume

def _weights(info):
    return {k: v.clone() for k, v in info["gan"].state_dict().items()}


def test_resume_after_an_interruption_loses_nothing(cache, tiny_nets):
    full = _weights(train("tiny", "faceworld", 6, run="straight", nets=tiny_nets, progress=False, seed=3))

    class Crash(Exception):
        pass

    def crash_at(n, exc):
        def callback(step, record):
            if step == n:
                raise exc
        return callback

    # a crash after step 5: the periodic checkpoint of step 4 survives, step 5 is redone
    with pytest.raises(Crash):
        train("tiny", "faceworld", 6, run="crash", nets=tiny_nets, progress=False, seed=3, callback=crash_at(5, Crash()))
    with pytest.raises(CourseError, match="--resume"):
        train("tiny", "faceworld", 6, run="crash", nets=tiny_nets, progress=False, seed=3)
    info = train("tiny", "faceworld", 6, run="crash", nets=tiny_nets, progress=False, seed=3, resume=True)
    assert info["start_step"] == 4 and info["steps"] == 6
    resumed = _weights(info)
    assert all(torch.equal(full[k], resumed[k]) for k in full), "resumed run differs from the uninterrupted one"
    steps = [json.loads(ln)["step"] for ln in (Path(info["run"]) / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]

    # a time limit stops after the step that ran out of time, and saves it
    info = train("tiny", "faceworld", 6, run="timed", nets=tiny_nets, progress=False, seed=3, time_limit=0.0)
    assert info["stopped"] == "time limit" and info["steps"] == 1
    assert torch.load(Path(info["run"]) / "checkpoint.pt", weights_only=True)["step"] == 1

    # Ctrl-C after step 3 saves on the spot: resuming starts at 3
    with pytest.raises(KeyboardInterrupt):
        train("tiny", "faceworld", 6, run="ctrlc", nets=tiny_nets, progress=False, seed=3,
              callback=crash_at(3, KeyboardInterrupt()))
    info = train("tiny", "faceworld", 6, run="ctrlc", nets=tiny_nets, progress=False, seed=3, resume=True)
    assert info["start_step"] == 3
    assert all(torch.equal(full[k], v) for k, v in _weights(info).items())


def test_runs_live_in_the_data_cache_and_ship_only_on_request(cache, tiny_nets, tmp_path):
    from course_utils.config import data_dir
    from course_utils.talking_heads.train import load_run, load_talking_heads, ship

    info = train("tiny", "faceworld", 1, run="where", nets=tiny_nets, progress=False)
    folder = Path(info["run"])
    assert folder.parent == data_dir() / "talking_heads" / "runs" and "shipped" not in info
    assert sorted(p.name for p in folder.iterdir()) == ["checkpoint.pt", "config.json", "log.jsonl"]
    with pytest.raises(CourseError, match="another network"):
        train(get_config("tiny", g_res_blocks=2), "faceworld", 2, run="where", nets=tiny_nets, progress=False, resume=True)
    gan = load_run("where")
    assert all(torch.equal(v, info["gan"].state_dict()[k]) for k, v in gan.state_dict().items())
    path = ship(gan, info, "test", 0, directory=tmp_path)
    assert path.parent == tmp_path
    again = load_talking_heads("talking_heads_tiny", directory=tmp_path)
    assert all(torch.equal(v, gan.state_dict()[k]) for k, v in again.state_dict().items())


# ----------------------------------------------------------------------------- two processes

def test_two_process_ddp_ends_with_identical_weights(cache, tmp_path):
    dump = tmp_path / "ranks"
    env = dict(os.environ, COURSE_DATA_DIR=str(cache), OMP_NUM_THREADS="1", COURSE_DEVICE="cpu")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--standalone",
           "-m", "course_utils.talking_heads", "train", "--config", "tiny", "--data", "faceworld", "--steps", "3",
           "--name", "ddp", "--no-pretrained-losses", "--no-progress", "--dump-rank-weights", str(dump)]
    out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    r0 = torch.load(dump / "rank0.pt", weights_only=True)
    r1 = torch.load(dump / "rank1.pt", weights_only=True)
    assert r0.keys() == r1.keys()
    for k in r0:
        assert torch.equal(r0[k], r1[k]), f"{k} differs between the two ranks"
    torch.manual_seed(0)
    init = TalkingHeadGAN("tiny", 4).state_dict()
    assert not torch.equal(init["generator.out_conv.bias"], r0["generator.out_conv.bias"])    # it did train
    cfg = json.loads((cache / "talking_heads" / "runs" / "ddp" / "config.json").read_text())
    assert cfg["world_size"] == 2
    log = (cache / "talking_heads" / "runs" / "ddp" / "log.jsonl").read_text().splitlines()
    assert [json.loads(ln)["step"] for ln in log] == [1, 2, 3]        # only rank 0 writes


# ----------------------------------------------------------------------------- real videos

def test_video_folder_extracts_landmarks_once_and_reuses_the_cache(tmp_path, monkeypatch):
    from course_utils import faces

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "videos"
    folder.mkdir()
    truth = []
    for n, seed in enumerate((101_000, 101_001)):
        images, points, _ = faces.render_video(faces.sample_identity(seed), faces.talking_frames(6, seed=seed), 64)
        th_data.write_video(folder / f"clip{n}.mp4", images)
        truth.extend(points)
    assert len(th_data.read_video(folder / "clip0.mp4")) == 6
    calls = iter(truth)     # an injected detector: FaceWorld's true landmarks, in reading order
    ds = th_data.VideoFolderDataset(folder, size=32, k=2, detector=lambda image: next(calls), progress=False)
    assert ds.detections == 12 and ds.cache_hits == 0 and len(ds) == 2
    ep = ds[1]
    assert ep["frames"].shape == (2, 3, 32, 32) and ep["target_landmark_image"].shape == (3, 32, 32)
    assert ep["index"] == 1 and ep["target_landmarks"].shape == (68, 2)
    assert (ep["target_landmarks"] >= 0).all() and (ep["target_landmarks"] < 32).all()
    assert sum(_differ(ds[0], ds[0]) for _ in range(4)) >= 2

    def no_detection(image):
        raise AssertionError("landmarks must come from the cache")

    again = th_data.VideoFolderDataset(folder, size=32, k=2, detector=no_detection, progress=False)
    assert again.detections == 0 and again.cache_hits == 2
    assert np.array_equal(again.images[0], ds.images[0])
    with pytest.raises(CourseError):
        th_data.VideoFolderDataset(tmp_path / "empty", size=32)


# ----------------------------------------------------------------------------- it learns

def test_a_few_steps_reduce_the_content_loss_on_one_episode(cache, tiny_nets):
    from course_utils.talking_heads.train import sample_batch

    bank = th_data.faceworld_episodes("train", 4, k=2, size=32, frames_per_video=8, progress=False)
    torch.manual_seed(0)
    batch = sample_batch(bank, 2, "cpu")          # one episode batch, shown again and again
    cfg = get_config("tiny", lr_g=2e-3, lr_d=2e-3)
    gan = TalkingHeadGAN(cfg, n_videos=4).train()
    opt_g, opt_d = optimizers(gan, cfg)
    pixel = []
    for _ in range(20):
        g, *_ = meta_step(gan.embedder, gan.generator, gan.discriminator, tiny_nets, batch, opt_g, opt_d, cfg)
        pixel.append(g["cnt_pixel"][1].item())
    assert np.mean(pixel[-3:]) < 0.7 * np.mean(pixel[:3]), pixel


def test_shipped_stand_ins_warn_when_missing(monkeypatch):
    import course_utils.identity_net as idn

    def missing(*a, **k):
        raise CourseError("no identity checkpoint")

    monkeypatch.setattr(idn, "load_identity_net", missing)
    with pytest.warns(TalkingHeadWarning, match="vggface stand-in uses random weights"):
        nets = perceptual_nets(pretrained=True)
    assert nets.pretrained["vggface"] is False
