"""The paper's Table 1, reproduced on FaceWorld people never seen in meta-learning.

Zakharov et al. (2019) evaluate on held-out videos: fine-tune on T frames of a person, then render other frames
of the same video from their landmarks and compare with the true frames. Here the same protocol runs on
FaceWorld test identities, where the true frame and its exact landmarks are known:

    methods   landmark_warp  chapter 04's thin-plate-spline warp of the nearest shot to the driving landmarks
              flow_warp      chapter 04's learned flow network, same source frame
              ff             feed-forward: ψ = P·ê from the K shots, nothing trained
              ft             fine-tuned: ψ′ and G (and D′) trained on the K shots
              (copy          the nearest shot, unmoved: what "no motion model at all" scores; a reference row)
    shots     K = 1, 8, 32 frames of the person (nested: the first K of 32 spread over the video's first 60 %)
    targets   frames from the video's last 40 % (never among the shots)
    metrics   ssim, psnr   against the true frame (whole 64 px image; scikit-image)
              id           identity similarity of output and true frame (chapter 06's network; the stand-in for
                           the paper's CSIM, which used a face-recognition network the same way)
              id_dlib      the same cosine similarity with dlib's face-recognition ResNet (course_utils.judge),
                           trained on real photographs and never used by any of the course's losses: the CSIM
                           analogue that FT cannot have optimised (FT's content loss uses chapter 06's network)
              lmk          landmark error of the output: the course detector (chapter 03) on the output against
                           the driving landmarks, normalised by the outer-eye-corner distance (NME)
              fd           Fréchet distance between the identity network's features of all outputs and of all true
                           frames: an *analogue* of FID (same formula, another feature network), not FID

    python -m course_utils.talking_heads evaluate [--identities 24] [--out checkpoints/talking_heads_small_eval.json]

The results file carries its provenance: the command, the checkpoint's sha256, the code revision, the machine,
the time it took.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..errors import CourseError
from ..tensors import image_to_tensor, landmark_tensor, tensor_to_image

METHODS = ("landmark_warp", "flow_warp", "ff", "ft")
REFERENCE = ("copy",)
SHOTS = (1, 8, 32)
METRICS = ("ssim", "psnr", "id", "id_dlib", "lmk", "fd")
NAMES = {"ssim": "SSIM", "psnr": "PSNR", "id": "ID-SIM", "id_dlib": "ID-SIM (dlib)", "lmk": "LMK", "fd": "FD"}
LOWER_IS_BETTER = {"lmk", "fd"}
LABELS = {"landmark_warp": "landmark warp (ch. 04)", "flow_warp": "learned-flow warp (ch. 04)",
          "ff": "FF (feed-forward)", "ft": "FT (fine-tuned)", "copy": "nearest shot, unmoved"}
RESULTS_FILE = "talking_heads_small_eval.json"
# fine-tuning steps in the evaluation when none are chosen: `evaluate --ft-steps auto` (the default of the
# command) chooses them on validation people instead (choose_ft_steps), never on the test people
FT_STEPS = 600
FT_CANDIDATES = (150, 300, 600, 900)
VALIDATION_IDENTITIES = 6
VIDEO_LENGTH = 250


# ----------------------------------------------------------------------------- the test videos

@dataclass
class TestVideo:
    """One held-out person: shots (32, S, S, 3) uint8 and their landmarks (32, 68, 2) px; targets (N, S, S, 3)
    and their landmarks (N, 68, 2); the FaceWorld seed."""

    seed: int
    shots: np.ndarray
    shot_points: np.ndarray
    targets: np.ndarray
    target_points: np.ndarray


def test_videos(n_identities: int = 24, n_targets: int = 8, size: int = 64, max_shots: int = max(SHOTS),
                seed: int = 0, offset: int = 0, split: str = "test") -> list[TestVideo]:
    """Render n held-out FaceWorld people (identity seeds from the test split, never used in meta-learning; the
    validation split for choices such as FT's steps): `max_shots` frames spread over the first 60 % of a talking
    video, `n_targets` from the last 40 %."""
    from .. import faces
    from ..faces.splits import split_seeds

    seeds = split_seeds(split, offset + n_identities)[offset:]
    rng = np.random.default_rng([seed, 0x7AB1E1])
    cut = int(VIDEO_LENGTH * 0.6)
    out = []
    for s in seeds:
        person, trajectory = faces.sample_identity(s), faces.talking_frames(VIDEO_LENGTH, seed=s)
        shot_t = rng.permutation(cut)[:max_shots]
        target_t = np.sort(rng.permutation(np.arange(cut, VIDEO_LENGTH))[:n_targets])
        shots = [faces.render(person, trajectory[t], size) for t in shot_t]
        targets = [faces.render(person, trajectory[t], size) for t in target_t]
        out.append(TestVideo(int(s), np.stack([r.image for r in shots]), np.stack([r.landmarks for r in shots]),
                             np.stack([r.image for r in targets]), np.stack([r.landmarks for r in targets])))
    faces.clear_caches()
    return out


def nearest_shot(shot_points: np.ndarray, target_points: np.ndarray) -> np.ndarray:
    """For each target (N, 68, 2), the index of the shot (K, 68, 2) whose landmarks are closest (mean distance
    after removing the centroid): the best source frame for a warp. (N,) int."""
    a = shot_points - shot_points.mean(1, keepdims=True)
    b = target_points - target_points.mean(1, keepdims=True)
    d = np.linalg.norm(a[None] - b[:, None], axis=-1).mean(-1)   # (N, K)
    return d.argmin(1)


# ----------------------------------------------------------------------------- the methods

def warp_outputs(video: TestVideo, k: int, method: str, flow_net=None, animator=None) -> np.ndarray:
    """(N, S, S, 3) uint8: the nearest of the first k shots moved to each target's landmarks; method
    'landmark_warp' (thin-plate spline), 'flow_warp' (the learned flow network), 'animator' (the learned animator,
    course_utils.animator, at its working size) or 'copy' (not moved)."""
    from ..flow.classical import warp
    from ..flow.net import predict_flow
    from ..warps import landmark_warp

    idx = nearest_shot(video.shot_points[:k], video.target_points)
    src, src_pts = video.shots[idx], video.shot_points[idx]
    if method == "copy":
        return src.copy()
    if method == "landmark_warp":
        return np.stack([landmark_warp(s, p, t, method="tps")[0] for s, p, t in zip(src, src_pts, video.target_points)])
    if method == "flow_warp":
        flows = predict_flow(flow_net, src, src_pts, video.target_points)
        return np.stack([warp(s, f) for s, f in zip(src, flows)])
    if method == "animator":
        import cv2

        from ..animator.model import composite
        from ..animator.train import motion_input

        r, size = animator.config.size, src.shape[1]
        k_ = r / size
        small = src if size == r else np.stack([cv2.resize(s, (r, r), interpolation=cv2.INTER_AREA) for s in src])
        with torch.no_grad():
            res = animator(image_to_tensor(small), motion_input(small, (src_pts + 0.5) * k_ - 0.5,
                                                                (video.target_points + 0.5) * k_ - 0.5))
            out = composite(image_to_tensor(src), res["flow"], res["visible"], res["painted"])
        return tensor_to_image(out)
    raise CourseError(f"Unknown warp method {method!r}: choose 'landmark_warp', 'flow_warp', 'animator' or 'copy'.")


def _tensors(images: np.ndarray, points: np.ndarray):
    size = images.shape[1]
    return torch.stack([image_to_tensor(im) for im in images]), landmark_tensor(points, size)


def gan_outputs(gan, video: TestVideo, k: int, method: str, *, ft_steps: int | None = None, nets=None,
                seed: int = 0) -> np.ndarray:
    """(N, S, S, 3) uint8 from the talking-head GAN given the first k shots: 'ff' or 'ft'."""
    from .finetune import feed_forward, fine_tune

    frames, marks = _tensors(video.shots[:k], video.shot_points[:k])
    _, target_marks = _tensors(video.targets, video.target_points)
    torch.manual_seed(seed)
    if method == "ff":
        puppet = feed_forward(gan, frames, marks)
    elif method == "ft":
        puppet, _ = fine_tune(gan, frames, marks, steps=ft_steps, nets=nets, seed=seed)
    else:
        raise CourseError(f"Unknown talking-head method {method!r}: choose 'ff' (feed-forward) or 'ft' (fine-tuned).")
    return np.stack([tensor_to_image(t) for t in puppet.animate(target_marks)])


# ----------------------------------------------------------------------------- the metrics

def ssim_psnr(outputs: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-image SSIM and PSNR (dB) of (N, S, S, 3) uint8 outputs against the true frames."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    ssim = [structural_similarity(a, b, channel_axis=2, data_range=255) for a, b in zip(outputs, truth)]
    with np.errstate(divide="ignore"):   # identical images: infinite PSNR, capped at 60 dB below
        psnr = [peak_signal_noise_ratio(b, a, data_range=255) for a, b in zip(outputs, truth)]
    return np.array(ssim), np.minimum(np.array(psnr), 60.0)


def identity_features(id_net, images: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(N, 128) unit identity embeddings of (N, S, S, 3) uint8 faces aligned by their (N, 68, 2) landmarks."""
    from ..identity_net import align, embed

    return embed(id_net, np.stack([align(im, p) for im, p in zip(images, points)]))


def dlib_identity(outputs: np.ndarray, truth: np.ndarray, points: np.ndarray, size: int = 256) -> np.ndarray:
    """Per-image cosine similarity of dlib's face descriptors (course_utils.judge.describe) of output and true
    frame, both enlarged to `size` px (bicubic) with the driving landmarks placing the face."""
    import cv2

    from ..judge import describe

    k = size / truth.shape[1]
    out = []
    for a, b, p in zip(outputs, truth, points):
        big = [cv2.resize(im, (size, size), interpolation=cv2.INTER_CUBIC) for im in (a, b)]
        da, db = (describe(im, (p + 0.5) * k - 0.5) for im in big)
        out.append(float(da @ db / (np.linalg.norm(da) * np.linalg.norm(db) + 1e-12)))
    return np.array(out)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, d): ‖μa − μb‖² +
    tr(Σa + Σb − 2 (Σa Σb)^½) — FID's formula, here on the identity network's features."""
    from scipy import linalg

    mu = a.mean(0) - b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = np.real(linalg.sqrtm(ca @ cb))
    return float(mu @ mu + np.trace(ca + cb - 2 * root))


def landmark_error(detector, outputs: np.ndarray, driving_points: np.ndarray) -> np.ndarray:
    """Per-image NME of the course detector's landmarks on the outputs against the driving landmarks."""
    from ..landmark_net import nme, predict

    return nme(predict(detector, outputs).numpy(), driving_points)


# ----------------------------------------------------------------------------- the table

_WORKER: dict = {}


def _worker_init(config: dict, state: dict, content_nets: bool, threads: int) -> None:
    """A worker process rebuilds the networks once (spawned processes share nothing)."""
    from ..flow.net import load_flow_net
    from .config import TalkingHeadConfig
    from .losses import perceptual_nets
    from .models import TalkingHeadGAN

    torch.set_num_threads(threads)
    cfg = TalkingHeadConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})
    gan = TalkingHeadGAN(cfg, state["discriminator.W"].shape[1])
    gan.load_state_dict(state)
    _WORKER.update(gan=gan.eval(), flow_net=load_flow_net(),
                   nets=perceptual_nets(pretrained=True) if content_nets else None)


def _video_outputs(video: TestVideo, jobs, ft_steps: int, seed: int, gan=None, flow_net=None, nets=None):
    """{(method, k): (N, S, S, 3) uint8 outputs, "seconds": {(method, k): s}} for one person."""
    gan, flow_net, nets = gan or _WORKER["gan"], flow_net or _WORKER.get("flow_net"), nets or _WORKER.get("nets")
    out, seconds = {}, {}
    for method, k in jobs:
        t = time.perf_counter()
        if method in ("ff", "ft"):
            out[method, k] = gan_outputs(gan, video, k, method, ft_steps=ft_steps, nets=nets, seed=seed)
        else:
            out[method, k] = warp_outputs(video, k, method, flow_net)
        seconds[method, k] = time.perf_counter() - t
    return out, seconds


def evaluate(gan, n_identities: int = 24, n_targets: int = 8, shots=SHOTS, methods=METHODS + REFERENCE, *,
             ft_steps: int | None = None, content_nets: bool = True, seed: int = 0, progress: bool = True,
             videos: list[TestVideo] | None = None, workers: int = 1, metrics_only=None) -> dict:
    """Run every method at every K on n held-out people; returns {"rows": [{method, k, ssim, psnr, id, lmk, fd,
    n}], "per_identity": {method_k: {metric: [per-identity means]}}, "settings": ...}. content_nets: FT with
    the full content loss (the stand-in perceptual networks), as in meta-learning; workers > 1: people in
    parallel processes (one torch thread each); metrics_only=("ssim",): SSIM and PSNR alone, for quick choices."""
    from tqdm.auto import tqdm

    from ..flow.net import load_flow_net
    from ..identity_net import load_identity_net
    from ..landmark_net import load_detector
    from .losses import perceptual_nets

    ft_steps = ft_steps or FT_STEPS
    videos = videos or test_videos(n_identities, n_targets, gan.config.size, max(shots), seed)
    jobs = [(m, k) for m in methods for k in shots]
    per_video = [None] * len(videos)
    bar = tqdm(total=len(videos), desc="evaluating people", disable=not progress)
    if workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        state = {k: v.detach().cpu() for k, v in gan.state_dict().items()}
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_worker_init,
                                 initargs=(gan.config.to_dict(), state, content_nets, 1)) as pool:
            futures = {pool.submit(_video_outputs, v, jobs, ft_steps, seed + j): j for j, v in enumerate(videos)}
            for fut in as_completed(futures):
                per_video[futures[fut]] = fut.result()
                bar.update(1)
    else:
        flow_net = load_flow_net() if "flow_warp" in methods else None
        nets = perceptual_nets(pretrained=True) if content_nets else None
        for j, v in enumerate(videos):
            per_video[j] = _video_outputs(v, jobs, ft_steps, seed + j, gan, flow_net, nets)
            bar.update(1)
    bar.close()

    truth = np.concatenate([v.targets for v in videos])
    points = np.concatenate([v.target_points for v in videos])
    rows, per_identity, seconds = [], {}, {}
    if metrics_only:
        for method, k in jobs:
            out = np.concatenate([pv[0][method, k] for pv in per_video])
            ssim, psnr = ssim_psnr(out, truth)
            rows.append({"method": method, "k": k, "ssim": float(ssim.mean()), "psnr": float(psnr.mean()),
                         "n": int(len(out))})
        return {"rows": rows, "settings": {"ft_steps": ft_steps, "identities": len(videos)}}
    id_net, detector = load_identity_net(), load_detector()
    true_feats = identity_features(id_net, truth, points)
    for method, k in jobs:
        out = np.concatenate([pv[0][method, k] for pv in per_video])
        seconds[f"{method}_k{k}"] = round(sum(pv[1][method, k] for pv in per_video), 2)
        ssim, psnr = ssim_psnr(out, truth)
        feats = identity_features(id_net, out, points)
        ident = np.sum(feats * true_feats, axis=1)
        ident_dlib = dlib_identity(out, truth, points)
        lmk = landmark_error(detector, out, points)
        fd = frechet_distance(feats, true_feats)
        rows.append({"method": method, "k": k, "ssim": float(ssim.mean()), "psnr": float(psnr.mean()),
                     "id": float(ident.mean()), "id_dlib": float(ident_dlib.mean()), "lmk": float(lmk.mean()),
                     "fd": fd, "n": int(len(out))})
        per = lambda x: [round(float(x[i:i + n_targets].mean()), 4) for i in range(0, len(x), n_targets)]  # noqa: E731
        per_identity[f"{method}_k{k}"] = {"ssim": per(ssim), "id": per(ident), "id_dlib": per(ident_dlib)}
    reference = {"lmk_real": float(landmark_error(detector, truth, points).mean())}
    return {"rows": rows, "per_identity": per_identity, "reference": reference, "seconds": seconds,
            "settings": {"identities": len(videos), "targets_per_identity": n_targets, "shots": list(shots),
                         "ft_steps": ft_steps, "ft_batch": gan.config.ft_batch,
                         "content_nets": content_nets, "seed": seed, "size": gan.config.size, "workers": workers,
                         "test_seeds": [v.seed for v in videos]}}


def choose_ft_steps(gan, candidates=FT_CANDIDATES, n_identities: int = VALIDATION_IDENTITIES, k: int = 8,
                    seed: int = 0, workers: int = 1, progress: bool = False) -> dict:
    """FT's number of steps, chosen on validation people (never the test people): FT at K = k with each candidate
    on the same validation videos; the step count with the highest mean SSIM wins (the smaller on a tie).
    Returns {"chosen": steps, "ssim": {steps: mean SSIM}, "split": "validation", "identities": n, "k": k}."""
    videos = test_videos(n_identities, seed=seed, split="validation", size=gan.config.size)
    ssim = {}
    for steps in candidates:
        r = evaluate(gan, shots=(k,), methods=("ft",), ft_steps=steps, seed=seed, progress=progress, videos=videos,
                     workers=workers, metrics_only=("ssim",))
        ssim[int(steps)] = round(r["rows"][0]["ssim"], 4)
    best = max(ssim.values())
    return {"chosen": min(s for s, v in ssim.items() if v == best), "ssim": ssim, "split": "validation",
            "identities": n_identities, "k": k, "seeds": [v.seed for v in videos]}


def figures(results: dict) -> dict[str, float]:
    """The bench's names: ssim_<method>_k<K>, id_<method>_k<K> (and psnr_, id_dlib_, lmk_, fd_)."""
    return {f"{metric}_{r['method']}_k{r['k']}": r[metric] for r in results["rows"] for metric in METRICS
            if metric in r}


def bars(results: dict) -> dict[str, bool]:
    """The issue's bars: FT beats the landmark warp on SSIM at K = 8; for FT, SSIM at K = 32 ≥ K = 8 ≥ K = 1."""
    f = figures(results)
    out = {}
    if {"ssim_ft_k8", "ssim_landmark_warp_k8"} <= f.keys():
        out["ft_beats_landmark_warp_ssim_k8"] = f["ssim_ft_k8"] > f["ssim_landmark_warp_k8"]
    if {"ssim_ft_k1", "ssim_ft_k8", "ssim_ft_k32"} <= f.keys():
        out["ft_ssim_k32_ge_k8_ge_k1"] = f["ssim_ft_k32"] >= f["ssim_ft_k8"] >= f["ssim_ft_k1"]
    return out


def paired(results: dict, a: str, b: str, metric: str = "ssim") -> dict:
    """Method-and-K `a` against `b` (keys like "ft_k8", "landmark_warp_k8") on the same people and frames:
    how many people `a` is better for, the mean per-person difference (a - b, signed so that > 0 is better)
    and its standard error."""
    per = results["per_identity"]
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    d = sign * (np.asarray(per[a][metric], float) - np.asarray(per[b][metric], float))
    se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("nan")
    return {"wins": int((d > 0).sum()), "n": int(len(d)), "mean": float(d.mean()), "se": se}


def statements(results: dict) -> dict[str, tuple[str, bool]]:
    """Statements one can make about an evaluation, each checked against its numbers: key -> (text, holds).
    "Clearly" means by more than two standard errors of the per-person difference (the same people and frames)."""
    f = figures(results)
    ks = [k for k in SHOTS if f"ssim_ft_k{k}" in f]

    def has(*keys):
        return all(k in f for k in keys)

    def clearly(a, b, metric="ssim"):
        p = paired(results, a, b, metric)
        return p["mean"] > 2 * p["se"]

    def most(a, b, metric="ssim"):
        p = paired(results, a, b, metric)
        return p["wins"] > p["n"] / 2

    out = {}
    if has(*(f"{m}_{g}_k{k}" for m in ("ssim", "psnr", "id", "fd") for g in ("ft", "ff") for k in ks)):
        out["ft_over_ff"] = ("FT beats FF on SSIM, PSNR, identity similarity and the Fréchet distance at every K",
                             all(f[f"{m}_ft_k{k}"] > f[f"{m}_ff_k{k}"] for m in ("ssim", "psnr", "id") for k in ks)
                             and all(f[f"fd_ft_k{k}"] < f[f"fd_ff_k{k}"] for k in ks))
        for k in ks:
            out[f"ff_lmk_k{k}"] = (f"At K = {k} FF follows the driving landmarks more precisely than FT (lower LMK)",
                                   f[f"lmk_ff_k{k}"] < f[f"lmk_ft_k{k}"])
    if has("ssim_ff_k1", "ssim_ff_k32"):
        out["ff_flat"] = ("FF's SSIM changes by less than 0.02 from K = 1 to K = 32",
                          abs(f["ssim_ff_k32"] - f["ssim_ff_k1"]) < 0.02)
    if has("ssim_ft_k1", "ssim_ft_k8", "ssim_ft_k32", "id_ft_k1", "id_ft_k8", "id_ft_k32"):
        out["ft_shots"] = ("FT's SSIM and identity similarity rise with the shots: K = 1 < 8 < 32",
                           f["ssim_ft_k1"] < f["ssim_ft_k8"] < f["ssim_ft_k32"]
                           and f["id_ft_k1"] < f["id_ft_k8"] < f["id_ft_k32"])
    for k in ks:
        if has(f"ssim_landmark_warp_k{k}"):
            out[f"ft_clearly_over_landmark_warp_k{k}"] = (
                f"At K = {k} FT beats the landmark warp on SSIM clearly (by more than two standard errors, "
                "paired over people)", clearly(f"ft_k{k}", f"landmark_warp_k{k}"))
            out[f"ft_over_landmark_warp_most_k{k}"] = (
                f"At K = {k} FT beats the landmark warp on SSIM for most people",
                most(f"ft_k{k}", f"landmark_warp_k{k}"))
            out[f"landmark_warp_clearly_over_ft_k{k}"] = (
                f"At K = {k} the landmark warp beats FT on SSIM clearly",
                clearly(f"landmark_warp_k{k}", f"ft_k{k}"))
        if has(f"ssim_flow_warp_k{k}"):
            out[f"flow_warp_best_k{k}"] = (
                f"At K = {k} the learned-flow warp has the highest SSIM of the four methods",
                all(f[f"ssim_flow_warp_k{k}"] >= f[f"ssim_{m}_k{k}"] for m in METHODS if f"ssim_{m}_k{k}" in f))
            out[f"ft_psnr_over_warps_k{k}"] = (
                f"At K = {k} FT has a higher PSNR than both warps",
                f[f"psnr_ft_k{k}"] > max(f[f"psnr_landmark_warp_k{k}"], f[f"psnr_flow_warp_k{k}"]))
    for k in ks:
        if has(f"ssim_copy_k{k}", f"ssim_landmark_warp_k{k}", f"ssim_flow_warp_k{k}"):
            out[f"copy_below_warps_ssim_k{k}"] = (
                f"At K = {k} the unmoved nearest shot scores below both warps on SSIM",
                f[f"ssim_copy_k{k}"] < min(f[f"ssim_landmark_warp_k{k}"], f[f"ssim_flow_warp_k{k}"]))
        if has(*(f"id_dlib_{m}_k{k}" for m in METHODS + REFERENCE)):
            best = max(METHODS + REFERENCE, key=lambda m: f[f"id_dlib_{m}_k{k}"])
            out[f"copy_best_id_dlib_k{k}"] = (
                f"At K = {k} the unmoved nearest shot keeps the person best by dlib's measure",
                best == "copy")
            out[f"ft_over_ff_id_dlib_k{k}"] = (
                f"At K = {k} FT keeps the person better than FF by dlib's measure too",
                f[f"id_dlib_ft_k{k}"] > f[f"id_dlib_ff_k{k}"])
            out[f"warp_over_ft_id_dlib_k{k}"] = (
                f"At K = {k} the landmark warp keeps the person better than FT by dlib's measure",
                f[f"id_dlib_landmark_warp_k{k}"] > f[f"id_dlib_ft_k{k}"])
            out[f"ft_id_rank_differs_k{k}"] = (
                f"At K = {k} the course's identity network ranks FT above the landmark warp, dlib the other way",
                f[f"id_ft_k{k}"] > f[f"id_landmark_warp_k{k}"] and f[f"id_dlib_ft_k{k}"] < f[f"id_dlib_landmark_warp_k{k}"])
    return out


# what chapter 08's text says about the committed table (a test requires each to hold for it)
STATED = ("ft_over_ff", "ff_lmk_k1", "ff_lmk_k8", "ft_shots", "ff_flat",
          "ft_over_landmark_warp_most_k1", "ft_clearly_over_landmark_warp_k8",
          "ft_psnr_over_warps_k1", "ft_psnr_over_warps_k8", "ft_psnr_over_warps_k32",
          "flow_warp_best_k1", "flow_warp_best_k8", "flow_warp_best_k32",
          "copy_below_warps_ssim_k1", "copy_below_warps_ssim_k8", "copy_below_warps_ssim_k32",
          "ft_over_ff_id_dlib_k1", "ft_over_ff_id_dlib_k8", "ft_over_ff_id_dlib_k32",
          "warp_over_ft_id_dlib_k1", "warp_over_ft_id_dlib_k8", "warp_over_ft_id_dlib_k32",
          "ft_id_rank_differs_k8", "ft_id_rank_differs_k32")


def claims(results: dict, keys=None) -> list[tuple[str, bool]]:
    """The statements chapter 08's text makes about the table (STATED), each checked: (text, holds)."""
    made = statements(results)
    return [made[k] for k in (STATED if keys is None else keys) if k in made]


def table(results: dict, metrics=METRICS) -> str:
    """The results as a Markdown table shaped like the paper's Table 1 (one row per method and K)."""
    arrows = {m: "↓" if m in LOWER_IS_BETTER else "↑" for m in metrics}
    metrics = [m for m in metrics if all(m in r for r in results["rows"])]
    head = "| method | K | " + " | ".join(f"{NAMES.get(m, m.upper())} {arrows[m]}" for m in metrics) + " |"
    lines = [head, "|" + " --- |" * (len(metrics) + 2)]
    for r in results["rows"]:
        cells = [f"{r[m]:.2f}" if m in ("psnr", "fd") else f"{r[m]:.3f}" for m in metrics]
        lines.append(f"| {LABELS.get(r['method'], r['method'])} | {r['k']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _git_revision() -> str:
    from ..config import REPO_ROOT

    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (rev + ("+changes" if dirty else "")) or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance(command: str, checkpoint: str, seconds: float, revision: str | None = None) -> dict:
    """Where a results file came from: command, checkpoint file and sha256, code revision (as it was when the run
    started, when given), machine, date."""
    from ..checkpoints import read_manifest

    entry = read_manifest().get(checkpoint, {})
    return {"command": command, "checkpoint": entry.get("file", checkpoint), "checkpoint_sha256": entry.get("sha256"),
            "checkpoint_steps": entry.get("metrics", {}).get("steps"), "code_revision": revision or _git_revision(),
            "machine": f"{platform.machine()}, {platform.processor() or platform.system()}, "
                       f"{__import__('os').cpu_count()} cores, torch {torch.__version__}, "
                       f"{torch.get_num_threads()} threads",
            "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds": round(seconds, 1)}


def results_path(directory: Path | None = None) -> Path:
    from ..checkpoints import CHECKPOINT_DIR

    return Path(directory or CHECKPOINT_DIR) / RESULTS_FILE


def load_results(path: Path | None = None) -> dict:
    """The committed evaluation (checkpoints/talking_heads_small_eval.json); one clear sentence if missing."""
    from ..errors import CourseError

    path = Path(path or results_path())
    if not path.exists():
        raise CourseError(f"No evaluation results at {path}; make them with "
                          "`python -m course_utils.talking_heads evaluate`.")
    return json.loads(path.read_text())
