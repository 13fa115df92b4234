"""Suite `talking_heads`: how fast the chapter-08 GAN runs on a CPU (course_utils.talking_heads).

Figures (small config, 64 px, one torch thread unless said otherwise):
    puppet_fps          generator forward at batch 1 with a fixed ψ (the live portrait puppet), frames/s;
                        bar ≥ 25 (spectral norms cached, inference mode)
    train_step_s        one full meta-learning step (E + G + D, content loss with both stand-in networks)
                        at the config's batch and K, median wall seconds; train_step_cpu_s the CPU seconds
                        of the same steps (on a shared machine wall time includes waiting for a core)
    finetune_s_k1       fine-tuning (FT) on K = 1 frame for the config's ft_steps, wall seconds
    finetune_s_k8       the same on K = 8 frames (finetune_cpu_s_k*: their CPU seconds)
    params_*            parameter counts of E, G (with P), D (with W for 100 videos)

Random weights: speed does not depend on what the weights learned. Quality comes from the shipped
checkpoint (checkpoints/talking_heads_small.pt), through the Table-1 evaluation (talking_heads.evaluate):
    ssim_<method>_k<K>, id_<method>_k<K>   (also psnr_, lmk_, fd_) for methods landmark_warp, flow_warp, ff, ft
                        and the reference "copy", K = 1, 8, 32, on held-out FaceWorld people: 4 in quick mode,
                        12 in standard, 24 in full (full = the committed results file's protocol)
    ssim_ft_minus_landmark_warp_k8   bar ≥ 0: FT beats the landmark warp at K = 8
    ssim_ft_k8_minus_k1, ssim_ft_k32_minus_k8   bars ≥ 0: for FT more shots are at least as good
                        (these three are judged in full mode, on the committed 24-person protocol; on 4 or 12
                        people they are reported, not judged: a difference of a few thousandths is noise there)
    eval_s              wall seconds of the evaluation
"""

from __future__ import annotations

import statistics
import time
import warnings

from .result import SuiteResult, check_bars

BARS = {"puppet_fps": (">=", 25.0), "ssim_ft_minus_landmark_warp_k8": (">=", 0.0),
        "ssim_ft_k8_minus_k1": (">=", 0.0), "ssim_ft_k32_minus_k8": (">=", 0.0)}
EVAL_IDENTITIES = {"quick": 4, "standard": 12, "full": 24}


def run(mode: str, config: str = "small", evaluation: bool | None = None) -> SuiteResult:
    """evaluation: run chapter 08's evaluation of the shipped checkpoint (default: when config is the shipped
    checkpoint's, 'small')."""
    import torch
    from torch.nn.utils import parametrize

    from ..talking_heads.episodes import EpisodeDataset
    from ..talking_heads import TalkingHeadGAN, TalkingHeadWarning, feed_forward, fine_tune, get_config, perceptual_nets
    from ..talking_heads.train import meta_step, optimizers

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    bars = dict(BARS)
    notes = [f"config {config}, 1 torch thread, random weights (speed only; quality comes with chapter 08's checkpoint)"]
    figures: dict[str, float] = {}
    try:
        torch.manual_seed(0)
        cfg = get_config(config)
        gan = TalkingHeadGAN(cfg, 100)
        for part, n in gan.param_counts().items():
            figures[f"params_{part}"] = n
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TalkingHeadWarning)
            nets = perceptual_nets(pretrained=True)
        notes += [f"content loss: {w.message}" for w in caught]
        S = cfg.size
        ds = EpisodeDataset("test", 1, k=8, size=S)
        ep = ds[0]

        # the puppet: G with a fixed ψ, one frame at a time
        puppet = feed_forward(gan, ep["frames"], ep["landmark_images"])
        y = ep["target_landmark_image"][None]
        with torch.inference_mode(), parametrize.cached():
            for _ in range(10):
                puppet(y)
            best = 0.0
            for _ in range(3):
                n, t = 0, time.perf_counter()
                while time.perf_counter() - t < (0.5 if mode == "quick" else 2.0):
                    puppet(y)
                    n += 1
                best = max(best, n / (time.perf_counter() - t))
        figures["puppet_fps"] = best

        # one meta-learning step at the config's batch and K (fixed synthetic batch: data is cached in training)
        B, K = cfg.batch, cfg.k
        batch = {"frames": ep["frames"][:K].expand(B, -1, -1, -1, -1).contiguous(),
                 "landmark_images": ep["landmark_images"][:K].expand(B, -1, -1, -1, -1).contiguous(),
                 "target": ep["target"].expand(B, -1, -1, -1).contiguous(),
                 "target_landmark_image": ep["target_landmark_image"].expand(B, -1, -1, -1).contiguous(),
                 "index": torch.arange(B) % 100}
        opt_g, opt_d = optimizers(gan, cfg)
        gan.train()
        walls, cpus = [], []
        for i in range(3 if mode == "quick" else 8):
            t, c = time.perf_counter(), time.process_time()
            meta_step(gan.embedder, gan.generator, gan.discriminator, nets, batch, opt_g, opt_d, cfg)
            if i:   # the first step pays one-off allocations
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
        figures["train_step_s"] = statistics.median(walls)
        figures["train_step_cpu_s"] = statistics.median(cpus)
        notes.append(f"train step: batch {B} episodes × K = {K} frames, {S} px")

        for k in (1, 8):
            t, c = time.perf_counter(), time.process_time()
            fine_tune(gan, ep["frames"][:k], ep["landmark_images"][:k], nets=nets)
            figures[f"finetune_s_k{k}"] = time.perf_counter() - t
            figures[f"finetune_cpu_s_k{k}"] = time.process_time() - c
        notes.append(f"fine-tuning: {cfg.ft_steps} steps, minibatch min({cfg.ft_batch}, K), content loss with both stand-ins")
        if evaluation if evaluation is not None else config == "small":
            figures.update(_evaluation(mode, notes))
        else:
            notes.append("evaluation not run (it evaluates the shipped small checkpoint)")
        if mode != "full" or "ssim_ft_k8" not in figures:
            bars = {k: v for k, v in bars.items() if not k.startswith("ssim_ft_")}
    finally:
        torch.set_num_threads(threads)
    return check_bars(figures, bars, notes)


def _evaluation(mode: str, notes: list[str]) -> dict[str, float]:
    """The Table-1 figures from the shipped checkpoint (none, with a note, when it is missing)."""
    from ..errors import CourseError
    from ..talking_heads import evaluate as ev
    from ..talking_heads import load_talking_heads

    try:
        gan = load_talking_heads()
    except CourseError as err:
        notes.append(f"evaluation skipped: {err}")
        return {}
    n = EVAL_IDENTITIES[mode]
    t = time.perf_counter()
    results = ev.evaluate(gan, n_identities=n, progress=False, workers=2)
    f = ev.figures(results)
    f["ssim_ft_minus_landmark_warp_k8"] = f["ssim_ft_k8"] - f["ssim_landmark_warp_k8"]
    f["ssim_ft_k8_minus_k1"] = f["ssim_ft_k8"] - f["ssim_ft_k1"]
    f["ssim_ft_k32_minus_k8"] = f["ssim_ft_k32"] - f["ssim_ft_k8"]
    f["eval_s"] = time.perf_counter() - t
    notes.append(f"evaluation: {n} held-out FaceWorld people × {results['settings']['targets_per_identity']} frames, "
                 f"FT {results['settings']['ft_steps']} steps (the committed table uses 24 people: "
                 "python -m course_utils.talking_heads evaluate)")
    return f
