"""The initialisation ablation: does fine-tuning gain from starting at the person?

The paper's abstract credits its few-shot speed to one choice: G′ and D′ start "in a person-specific way". To test
it, fine-tune the same held-out people from the same frames, with the same seeds, from two starts —

    person    ψ′ = P·ê_new, w′ = w₀ + ê_new    the paper; at step 0 this is feed-forward (FF)
    generic   ψ′ = P·ē,     w′ = w₀ + ē        ē: the embedder's mean over FaceWorld training people
                                               (finetune.mean_embedding), which knows nothing of this person

— and measure the held-out target frames along the way: SSIM against the true frame, and identity similarity
(chapter 06's network, cosine of output and true frame, as in evaluate.py's ID-SIM; FT's content loss uses the
same network, so this column is partly what FT optimises). The people, shots and targets are the Table-1
protocol's (evaluate.test_videos): shots from the first 60 % of a test person's talking video, targets from
the last 40 %.

    python -m course_utils.talking_heads ft-init [--identities 8] [--shots 1 8] [--out PATH]

writes docs/bench/ft-init-standard.json with its provenance (command, checkpoint sha256, code revision, machine).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch

from ..config import REPO_ROOT
from ..errors import CourseError
from ..tensors import tensor_to_image
from . import evaluate as ev

STEPS = (0, 10, 25, 50, 100, 200, 300)
INITS = ("person", "generic")
METRICS = ("ssim", "id")
RESULTS_FILE = REPO_ROOT / "docs" / "bench" / "ft-init-standard.json"


def init_curves(gan, videos: list, shots=(1, 8), steps=STEPS, inits=INITS, *, nets=None, id_net=None,
                e_generic: torch.Tensor | None = None, seed: int = 0, progress: bool = False) -> dict:
    """Fine-tune every video's first k shots (k in `shots`) from each init, measuring the video's targets at each of
    `steps`. Person j uses seed + j for both inits (the same minibatches). Returns {"steps": [...], "per_person":
    {f"{init}_k{k}": {"ssim": [[one value per step] per person], "id": [...]}}, "seconds": {...}}."""
    from tqdm.auto import tqdm

    from ..identity_net import load_identity_net
    from .finetune import fine_tune, mean_embedding

    steps = sorted(set(int(s) for s in steps))
    id_net = id_net or load_identity_net()
    if "generic" in inits and e_generic is None:
        e_generic = mean_embedding(gan)
    per_person = {f"{init}_k{k}": {m: [] for m in METRICS} for init in inits for k in shots}
    seconds = dict.fromkeys(per_person, 0.0)
    bar = tqdm(total=len(videos) * len(shots) * len(inits), desc="fine-tuning runs", disable=not progress)
    for j, video in enumerate(videos):
        truth_feats = ev.identity_features(id_net, video.targets, video.target_points)
        _, target_marks = ev._tensors(video.targets, video.target_points)
        for k in shots:
            frames, marks = ev._tensors(video.shots[:k], video.shot_points[:k])
            for init in inits:
                curve = {m: [] for m in METRICS}

                def measure(step, g_new, curve=curve):
                    if step in steps:
                        out = np.stack([tensor_to_image(t) for t in g_new.animate(target_marks)])
                        curve["ssim"].append(float(ev.ssim_psnr(out, video.targets)[0].mean()))
                        feats = ev.identity_features(id_net, out, video.target_points)
                        curve["id"].append(float(np.sum(feats * truth_feats, axis=1).mean()))

                t = time.perf_counter()
                fine_tune(gan, frames, marks, steps=max(steps), init=init, e_generic=e_generic, nets=nets,
                          seed=seed + j, callback=measure)
                seconds[f"{init}_k{k}"] += time.perf_counter() - t
                for m in METRICS:
                    per_person[f"{init}_k{k}"][m].append(curve[m])
                bar.update(1)
    bar.close()
    return {"steps": steps, "per_person": per_person, "seconds": {k: round(v, 1) for k, v in seconds.items()}}


def summarise(results: dict) -> dict:
    """Mean and standard deviation over people at each step, per init and K; and the paired difference person −
    generic (the same people, frames and seeds): its mean, standard error and how many people person init wins
    for. Adds "summary" and "paired" to `results` and returns it."""
    per = results["per_person"]
    results["summary"] = {key: {m: {"mean": np.mean(v[m], 0).round(4).tolist(), "std": np.std(v[m], 0).round(4).tolist()}
                                for m in METRICS} for key, v in per.items()}
    results["paired"] = {}
    for key in per:
        if not key.startswith("person_") or key.replace("person_", "generic_") not in per:
            continue
        k = key.removeprefix("person_")
        results["paired"][k] = {}
        for m in METRICS:
            d = np.asarray(per[key][m]) - np.asarray(per[f"generic_{k}"][m])       # (people, steps)
            se = (d.std(0, ddof=1) / np.sqrt(len(d))).round(4).tolist() if len(d) > 1 else [None] * d.shape[1]
            results["paired"][k][m] = {"mean": d.mean(0).round(4).tolist(), "se": se,
                                       "wins": (d > 0).sum(0).tolist(), "n": int(len(d))}
    return results


def first_step_reaching(results: dict, key: str, level: float, metric: str = "ssim") -> int | None:
    """The first measured step at which the mean curve `key` (e.g. "generic_k1") reaches `level`; None if never."""
    mean = results["summary"][key][metric]["mean"]
    return next((s for s, v in zip(results["steps"], mean) if v >= level), None)


def statements(results: dict) -> dict[str, tuple[str, bool]]:
    """Statements one can make about the curves, each checked against them: key -> (text, holds). "Clearly" means by
    more than two standard errors of the paired per-person difference (the same people, frames and seeds)."""
    out = {}
    for k, paired in results["paired"].items():
        K = k.removeprefix("k")
        for m, name in (("ssim", "SSIM"), ("id", "identity similarity")):
            d = paired[m]
            out[f"person_ahead_{m}_{k}"] = (f"At K = {K} the person start has the higher mean {name} at every measured step",
                                          all(x > 0 for x in d["mean"]))
            out[f"person_clearly_ahead_{m}_end_{k}"] = (
                f"At K = {K} the person start is still clearly ahead on {name} at the last step",
                d["se"][-1] is not None and d["mean"][-1] > 2 * d["se"][-1])
        d = paired["ssim"]
        out[f"gap_shrinks_{k}"] = (f"At K = {K} the SSIM gap at the last step is less than a fifth of the gap at step 0",
                                   abs(d["mean"][-1]) < abs(d["mean"][0]) / 5)
        ff = results["summary"][f"person_{k}"]["ssim"]["mean"][0]
        generic_end = results["summary"][f"generic_{k}"]["ssim"]["mean"][-1]
        for steps in (50, 200):
            out[f"generic_reaches_ff_at_{steps}_{k}"] = (
                f"At K = {K} the generic start first reaches FF's SSIM (the person start's step 0) at step {steps}",
                first_step_reaching(results, f"generic_{k}", ff) == steps)
            out[f"person_reaches_generic_end_at_{steps}_{k}"] = (
                f"At K = {K} the person start reaches the generic start's last-step SSIM at step {steps}",
                first_step_reaching(results, f"person_{k}", generic_end) == steps)
    return out


# what chapter 08's text says about the committed curves (a test requires each to hold for them)
STATED = ("person_ahead_ssim_k1", "person_ahead_ssim_k8", "person_ahead_id_k1", "person_ahead_id_k8",
          "person_clearly_ahead_ssim_end_k1", "person_clearly_ahead_ssim_end_k8",
          "person_clearly_ahead_id_end_k1", "person_clearly_ahead_id_end_k8", "gap_shrinks_k1", "gap_shrinks_k8",
          "generic_reaches_ff_at_50_k1", "generic_reaches_ff_at_50_k8",
          "person_reaches_generic_end_at_50_k1", "person_reaches_generic_end_at_200_k8")


def claims(results: dict, keys=None) -> list[tuple[str, bool]]:
    """The statements chapter 08's text makes about the curves (STATED), each checked: (text, holds)."""
    made = statements(results)
    return [made[k] for k in (STATED if keys is None else keys) if k in made]


def load_results(path: Path | None = None) -> dict:
    """The committed curves (docs/bench/ft-init-standard.json); one clear sentence if missing."""
    path = Path(path or RESULTS_FILE)
    if not path.exists():
        raise CourseError(f"No initialisation curves at {path}; make them with "
                          "`python -m course_utils.talking_heads ft-init`.")
    return json.loads(path.read_text())


def run(gan, n_identities: int = 8, shots=(1, 8), steps=STEPS, *, n_targets: int = 8, seed: int = 0,
        content_nets: bool = True, progress: bool = False) -> dict:
    """The whole measurement on n held-out FaceWorld test people (the first n of the Table-1 people, with the
    evaluation's shots and targets), with the full content loss as in evaluate.py; summarised."""
    from .finetune import GENERIC_FRAMES, GENERIC_PEOPLE, mean_embedding
    from .losses import perceptual_nets

    videos = ev.test_videos(n_identities, n_targets, gan.config.size, max(ev.SHOTS), seed)
    e_generic = mean_embedding(gan)
    res = init_curves(gan, videos, shots, steps, nets=perceptual_nets(pretrained=True) if content_nets else None,
                      e_generic=e_generic, seed=seed, progress=progress)
    res["settings"] = {"identities": len(videos), "targets_per_identity": n_targets, "shots": list(shots),
                       "ft_batch": gan.config.ft_batch, "content_nets": content_nets, "seed": seed,
                       "size": gan.config.size, "test_seeds": [v.seed for v in videos],
                       "generic": {"training_people": GENERIC_PEOPLE, "frames_each": GENERIC_FRAMES, "seed": 0,
                                   "norm": round(float(e_generic.norm()), 3),
                                   "distance_to_test_people": {f"k{k}": [round(float((_embed(gan, v, k) - e_generic).norm()), 3)
                                                                         for v in videos] for k in shots}}}
    return summarise(res)


def _embed(gan, video, k: int) -> torch.Tensor:
    from .finetune import embed_person

    return embed_person(gan, *ev._tensors(video.shots[:k], video.shot_points[:k]))
