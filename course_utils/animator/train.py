"""Training the learned animator, under one process or torchrun (DistributedDataParallel, gloo on CPUs).

    python -m course_utils.animator train [--config small] [--steps N] [--time-limit S] [--ship]
    torchrun --nproc_per_node 2 -m course_utils.animator train ...

Every step draws half its pairs from FaceWorld and half from the real clips (FaceWorld only where those are
absent) and takes one critic step and one animator step. The animator's loss, each term logged on its own:

    pixel    L1(out, target), the mouth and the eyes counted 5 times        all pairs
    vgg19 / vggface   L1 of the course's stand-in feature networks (chapter 08's content loss; trained on
                      FaceWorld, never the judge's dlib networks)
    adv      −D(out), two patch critics (R and R/2), hinge, spectral norm, no sigmoid
    fm       feature matching: L1 between the critics' block outputs for out and for the target
    paint    L1(painted, target), weighted alike: the painter learns the whole picture, so it is ready wherever the
             mask calls it
    flow     end-point error against FaceWorld's exact flow (valid pixels, ×4 inside the face)   FaceWorld pairs
    mask     binary cross-entropy of the visibility against FaceWorld's `valid`                     FaceWorld pairs
    keep     mean(1 − visible): the mask's regularisation, paint no more than needed               real pairs
    mouth    binary cross-entropy of the visibility against 0 inside a target mouth opened wider than the
             source's (teeth the source never showed must be painted)                              all pairs
    parts    L1(out, target) averaged over the mouth and the eyes only: a few dozen of the 4,096 pixels at 64 px,
             which the whole-picture terms barely see, yet they carry speech and blinks              all pairs
    inside   L1(painted, target) averaged over the newly opened mouth only (its dark inside, the teeth)  all pairs

`--init PATH` continues from an earlier checkpoint of this command (its SHA-256 and manifest entry go into the
new manifest), so a long training can be run in stages.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import CourseError
from ..flow.net import FACE_WEIGHT, face_masks
from ..flow.net import make_input as motion_input  # chapter 04's flow-network input, at any size R
from ..talking_heads.guards import TalkingHeadWarning, check_collapse, check_finite
from ..talking_heads.losses import hinge_d_fake, hinge_d_real, l1
from ..tensors import image_to_tensor, n_params
from ..training import half_state, learning_rate, set_learning_rate
from .model import CONFIGS, AnimatorConfig, LearnedAnimator, MultiScaleDiscriminator

CHECKPOINT_NAME = "animator"


@dataclass(frozen=True)
class Weights:
    pixel: float = 10.0
    vgg19: float = 1.0
    vggface: float = 0.5
    adv: float = 0.5
    fm: float = 2.0
    paint: float = 2.0
    flow: float = 1.0
    mask: float = 0.5
    keep: float = 0.05
    mouth: float = 0.5
    parts: float = 5.0
    inside: float = 3.0
    detail: float = 5.0  # the reconstruction terms count the mouth and the eyes this many times (not a loss term)


# ----------------------------------------------------------------------------- inputs

def detail_masks(points: np.ndarray, size: int) -> np.ndarray:
    """(B, size, size) float32: 1 on the mouth (outer lips) and the eyes of each (68, 2) point set, a pixel wider:
    the small regions that carry speech and blinks, weighted up in the reconstruction terms."""
    import cv2

    out = np.zeros((len(points), size, size), np.uint8)
    for m, p in zip(out, points):
        for part in (p[48:60], p[36:42], p[42:48]):
            cv2.fillConvexPoly(m, cv2.convexHull(np.round(part).astype(np.int32)).reshape(-1, 2), 1)
    out = np.stack([cv2.dilate(m, np.ones((3, 3), np.uint8)) for m in out])
    return out.astype(np.float32)


def new_mouth_masks(source_points: np.ndarray, target_points: np.ndarray, size: int, more: float = 1.0) -> np.ndarray:
    """(B, size, size) float32: inside the target's inner lips (points 60-67) where its mouth is open wider than the
    source's by more than `more` px — teeth and mouth the source did not show, which the mask must leave to the
    painter. Zero where the mouth did not open further."""
    import cv2

    from ..warps import mouth_gap

    out = np.zeros((len(target_points), size, size), np.uint8)
    for m, s, t in zip(out, source_points, target_points):
        if mouth_gap(t) > mouth_gap(s) + more:
            cv2.fillPoly(m, [np.round(t[60:68]).astype(np.int32)], 1)
    return out.astype(np.float32)


def make_batch(fw: dict, real: dict | None, n: int, rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """n pairs: the first `n_fw` from FaceWorld (with flow, valid, face), the rest real (n_fw = n when real is None).
    Both images of a pair get the same brightness and contrast jitter."""
    n_fw = n if real is None else n // 2
    i = rng.integers(0, len(fw["source"]), n_fw)
    src, tgt = [fw["source"][i]], [fw["target"][i]]
    sp, tp = [fw["source_points"][i]], [fw["target_points"][i]]
    if real is not None:
        from .data import real_pairs

        a, b = real_pairs(real, n - n_fw, rng)
        src.append(real["frames"][a])
        tgt.append(real["frames"][b])
        sp.append(real["points"][a])
        tp.append(real["points"][b])
    src, tgt, sp, tp = (np.concatenate(x) for x in (src, tgt, sp, tp))
    gain = rng.uniform(0.8, 1.2, (n, 1, 1, 1)).astype(np.float32)
    bias = rng.uniform(-20, 20, (n, 1, 1, 1)).astype(np.float32)
    src = np.clip(src * gain + bias, 0, 255).astype(np.uint8)
    tgt = np.clip(tgt * gain + bias, 0, 255).astype(np.uint8)
    size = src.shape[1]
    return {"source": image_to_tensor(src), "target": image_to_tensor(tgt), "input": motion_input(src, sp, tp),
            "flow": torch.from_numpy(fw["flow"][i].astype(np.float32)).permute(0, 3, 1, 2),
            "valid": torch.from_numpy(fw["valid"][i]).float()[:, None],
            "face": torch.from_numpy(face_masks(fw["target_points"][i], size).astype(np.float32))[:, None],
            "detail": torch.from_numpy(detail_masks(tp, size))[:, None],
            "new_mouth": torch.from_numpy(new_mouth_masks(sp, tp, size))[:, None],
            "n_fw": torch.tensor(n_fw)}


# ----------------------------------------------------------------------------- the losses

def critic_loss(D, out: torch.Tensor, target: torch.Tensor, landmarks: torch.Tensor) -> torch.Tensor:
    """Hinge loss of the critics (raw scores: max(0, 1 − D(real)) + max(0, 1 + D(fake)), summed over scales)."""
    real = D(target, landmarks)
    fake = D(out.detach(), landmarks)
    return sum(hinge_d_real(r) + hinge_d_fake(f) for (r, _), (f, _) in zip(real, fake))


def animator_terms(res: dict, batch: dict, D, nets, w: Weights) -> dict[str, tuple[float, torch.Tensor]]:
    """{name: (weight, value)}: every term of the animator's loss (module docstring), computed separately."""
    out, target, lt = res["out"], batch["target"], batch["input"][:, 6:9]
    k = int(batch["n_fw"])
    weight = 1 + (w.detail - 1) * batch["detail"]  # the mouth and the eyes count `detail` times
    weighted = lambda a: ((a - target).abs() * weight).sum() / (weight.sum() * 3)  # noqa: E731
    terms = {"pixel": (w.pixel, weighted(out)), "paint": (w.paint, weighted(res["painted"]))}
    if nets is not None:
        with torch.no_grad():
            real19, realface = nets.vgg19(target), nets.vggface(target)
        terms["vgg19"] = (w.vgg19, sum(l1(a, b) for a, b in zip(nets.vgg19(out), real19)))
        terms["vggface"] = (w.vggface, sum(l1(a, b) for a, b in zip(nets.vggface(out), realface)))
    with torch.no_grad():
        real_scores = D(target, lt)
    fake_scores = D(out, lt)
    terms["adv"] = (w.adv, sum(-f.mean() for f, _ in fake_scores))
    terms["fm"] = (w.fm, sum(l1(a, b.detach()) for (_, fa), (_, fb) in zip(fake_scores, real_scores)
                             for a, b in zip(fa, fb)) / len(fake_scores))
    if k:
        valid = batch["valid"] * (1 + (FACE_WEIGHT - 1) * batch["face"])
        err = (res["flow"][:k] - batch["flow"]).pow(2).sum(1, keepdim=True).add(1e-6).sqrt()
        terms["flow"] = (w.flow, (err * valid).sum() / valid.sum().clamp(min=1))
        terms["mask"] = (w.mask, F.binary_cross_entropy_with_logits(res["logit"][:k], batch["valid"]))
    if k < len(out):
        terms["keep"] = (w.keep, (1 - res["visible"][k:]).mean())
    new = batch["new_mouth"]
    if float(new.sum()) > 0:  # teeth the source never showed: paint them
        bce = F.binary_cross_entropy_with_logits(res["logit"], torch.zeros_like(new), reduction="none")
        terms["mouth"] = (w.mouth, (bce * new).sum() / new.sum())
    if w.parts:
        d = batch["detail"]
        terms["parts"] = (w.parts, ((out - target).abs() * d).sum() / (d.sum() * 3).clamp(min=1))
    if w.inside and float(new.sum()) > 0:
        terms["inside"] = (w.inside, ((res["painted"] - target).abs() * new).sum() / (new.sum() * 3))
    return terms


def check_mask(visible: torch.Tensor, step: int | None = None) -> bool:
    """Warn (TalkingHeadWarning) when the visibility mask is stuck: painting (nearly) everything, which is the
    2019 GAN again, or one constant value everywhere. Returns True when it warned."""
    v = visible.detach().float()
    where = f" at step {step}" if step is not None else ""
    problem = None
    if v.mean() < 0.05:
        problem = f"it paints nearly every pixel (mean visibility {v.mean():.3f})"
    elif v.std() < 1e-3:
        problem = f"it is one constant value ({v.mean():.3f}) everywhere"
    if problem:
        warnings.warn(f"The visibility mask is stuck{where}: {problem}. Check the mask and keep weights.",
                      TalkingHeadWarning, stacklevel=2)
    return problem is not None


# ----------------------------------------------------------------------------- evaluation

@torch.no_grad()
def evaluate(model: LearnedAnimator, n: int = 48, seed: int = 0) -> dict[str, float]:
    """On FaceWorld test people (never trained on), one source frame each: SSIM and L1 of the animator's output
    against the true target frame, and of the same frame made by warping the source along the animator's own flow
    (what the painting adds), at the working size."""
    from skimage.metrics import structural_similarity

    from ..flow.pairs import faceworld_pairs
    from ..tensors import tensor_to_image

    model.eval()
    pairs = faceworld_pairs(n, model.config.size, split="test", seed=seed)
    src = np.stack([p.source for p in pairs])
    res = model(image_to_tensor(src), motion_input(src, np.stack([p.source_points for p in pairs]),
                                                   np.stack([p.target_points for p in pairs])))
    out = {}
    for key in ("out", "warped"):
        imgs = tensor_to_image(res[key])
        out[f"ssim_{key}"] = float(np.mean([structural_similarity(a, p.target, channel_axis=2) for a, p in zip(imgs, pairs)]))
        out[f"l1_{key}"] = float(np.mean([np.abs(a.astype(np.float32) - p.target).mean() for a, p in zip(imgs, pairs)]))
    out["visible_mean"] = float(res["visible"].mean())
    out["n"] = n
    return out


# ----------------------------------------------------------------------------- the loop

def init_motion_from_flow_net(model: LearnedAnimator) -> bool:
    """Start the dense motion from chapter 04's shipped flow network (same U-Net; the mask head stays new) when
    sizes match; True when it did."""
    from ..flow.net import load_flow_net

    try:
        flow = load_flow_net()
    except CourseError:
        return False
    if flow.width != model.config.motion_width:
        return False
    missing, unexpected = model.motion.load_state_dict(flow.state_dict(), strict=False)
    assert not unexpected and set(missing) == {"mask.weight", "mask.bias"}, (missing, unexpected)
    return True


def train(config: str | AnimatorConfig = "small", steps: int = 6000, batch: int = 16, seed: int = 0, lr: float = 1e-3,
          lr_d: float = 4e-4, time_limit: float | None = None, threads: int | None = 1, identities: int = 400,
          per_identity: int = 10, real: bool = True, pretrained_losses: bool = True, init_motion: bool = True,
          log_every: int = 100, eval_n: int = 48, weights: Weights = Weights(), ship: bool = False,
          command: str | None = None, verbose: bool = True, dump_rank_weights: str | None = None,
          fw_data: dict | None = None, real_data_: dict | None = None, snapshot_every: int = 500,
          init: str | None = None) -> dict:
    """Train the learned animator (see the module docstring); ship checkpoints/animator.pt with its manifest when
    asked. `init`: a checkpoint file of this command to continue from (init_from). Every snapshot_every steps the
    weights are also written to <data cache>/animator/snapshot.pt (float16) so a long run can be looked at while it
    trains (load_animator(path=...)).
    Returns {'model', 'history', 'steps', 'seconds', 'metrics', ...}."""
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    from ..talking_heads.train import distributed_setup
    from .data import faceworld_data, real_data

    cfg = CONFIGS[config] if isinstance(config, str) else config
    rank, world, device = distributed_setup()
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    t_start = time.time()
    show = verbose and rank == 0
    fw = fw_data if fw_data is not None else faceworld_data(identities, per_identity, cfg.size, verbose=show)
    rd = real_data_ if real_data_ is not None else (real_data(size=cfg.size, verbose=show) if real else None)
    if show:
        print(f"data: {len(fw['source'])} FaceWorld pairs; "
              + (f"{len(rd['frames'])} real frames of {len(rd['files'])} clips" if rd else "no real clips"), flush=True)
    torch.manual_seed(seed)  # the same initial weights on every rank
    model = LearnedAnimator(cfg)
    started_from_flow = init_motion and init is None and init_motion_from_flow_net(model)
    stage = init_from(model, init) if init else None
    D = MultiScaleDiscriminator(width=2 * cfg.width)
    nets = None
    if pretrained_losses:
        from ..talking_heads.losses import perceptual_nets

        nets = perceptual_nets(pretrained=True).to(device)
    model.to(device)
    D.to(device)
    G_run, D_run = (DDP(model), DDP(D)) if world > 1 else (model, D)
    opt_g = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=(0.5, 0.999))
    rng = np.random.default_rng([seed, rank])
    history: list[dict] = []
    last_finite: dict[str, float] = {}
    t0 = time.time()
    step = 0
    try:
        for step in range(1, steps + 1):
            cur = learning_rate(step - 1, steps, 1.0, 0.02, t0, time_limit)
            if world > 1 and time_limit is not None:  # every rank stops at the same step
                flag = torch.tensor([float(cur is None)])
                dist.all_reduce(flag)
                cur = None if flag.item() else cur
            if cur is None:
                step -= 1
                break
            set_learning_rate(opt_g, lr * cur)
            set_learning_rate(opt_d, lr_d * cur)
            b = {k: v.to(device) for k, v in make_batch(fw, rd, batch, rng).items()}
            res = G_run(b["source"], b["input"])
            loss_d = critic_loss(D_run, res["out"], b["target"], b["input"][:, 6:9])
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            D.requires_grad_(False)
            terms = animator_terms(res, b, D, nets, weights)
            loss_g = sum(wt * v for wt, v in terms.values())
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            D.requires_grad_(True)
            values = {f"G.{k}": float(v.detach()) for k, (_, v) in terms.items()} | {"D.hinge": float(loss_d.detach())}
            check_finite(values, last_finite, step)
            last_finite = values
            if step % log_every == 0 or step == steps:
                record = {"step": step, "seconds": round(time.time() - t0, 1), "lr": lr * cur,
                          "terms": {k: {"weight": wt, "value": float(v.detach())} for k, (wt, v) in terms.items()},
                          "loss_g": float(loss_g.detach()), "loss_d": float(loss_d.detach()),
                          "visible_mean": float(res["visible"].detach().mean())}
                history.append(record)
                if show:
                    print(f"step {step}/{steps} " + " ".join(f"{k} {v['value']:.4f}" for k, v in record["terms"].items())
                          + f" D {record['loss_d']:.3f} vis {record['visible_mean']:.2f} ({record['seconds']:.0f} s)",
                          flush=True)
                if rank == 0:
                    check_collapse(res["out"], step=step)
                    check_mask(res["visible"], step=step)
            if rank == 0 and snapshot_every and step % snapshot_every == 0:
                save_snapshot(model, cfg, step, history)
    finally:
        torch.set_num_threads(before)
    seconds = time.time() - t_start
    model.eval()
    info = {"model": model, "history": history, "steps": step, "seconds": seconds, "world_size": world, "rank": rank,
            "started_from_flow_net": started_from_flow, "params": n_params(model), "params_d": n_params(D),
            "init": stage}
    if dump_rank_weights:
        from pathlib import Path

        out = Path(dump_rank_weights)
        out.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, out / f"rank{rank}.pt")
    if rank == 0 and eval_n:
        info["metrics"] = evaluate(model.cpu(), eval_n)
        if show:
            print("held-out FaceWorld:", json.dumps(info["metrics"]), flush=True)
    if ship and rank == 0:
        info["shipped"] = str(ship_checkpoint(model, info, cfg, fw, rd, seed, command or " ".join(sys.argv), device,
                                              identities, per_identity, weights))
    return info


def init_from(model: LearnedAnimator, path) -> dict:
    """Load an earlier checkpoint of this command into `model` and say what it was: {'file', 'sha256'} and, when
    it is the shipped one, its manifest entry (command, steps, wall time, data), so the new manifest records every
    stage of the training. The widths must match; the working size R may differ (the networks are convolutional,
    so the same weights run at any R divisible by 8: a stage at a larger R continues a smaller one, as progressive
    training does), and then the stage says so: 'size_from'."""
    import pickle
    from pathlib import Path

    from ..checkpoints import read_manifest, sha256_of

    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError):
        raise CourseError(f"Cannot continue from {path}: it is not a readable checkpoint.") from None
    state, dims = _unpack(state)
    cfg = model.config
    if dims[1:] != (cfg.motion_width, cfg.width):
        raise CourseError(f"Cannot continue from {path}: it was trained as size/motion/width {dims}, not "
                          f"{(cfg.size, cfg.motion_width, cfg.width)} ('{cfg.name}'); the widths must match.")
    model.load_state_dict(state)
    digest = sha256_of(path)
    out = {"file": path.name, "sha256": digest} | ({"size_from": dims[0]} if dims[0] != cfg.size else {})
    entry = read_manifest().get(CHECKPOINT_NAME, {})
    if entry.get("sha256") == digest:
        out |= {k: entry[k] for k in ("command", "created", "wall_seconds", "seed", "metrics", "data") if k in entry}
    return out


def _unpack(state: dict) -> tuple[dict, tuple[int, int, int]]:
    """A saved state (_state, save_snapshot) -> (float32 weights, (size, motion_width, width))."""
    state = dict(state)
    state.pop("_step", None)
    dims = tuple(int(state.pop(k)) for k in ("_size", "_motion_width", "_width"))
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}, dims


def _state(model, cfg) -> dict:
    return half_state(model, _size=torch.tensor(cfg.size), _motion_width=torch.tensor(cfg.motion_width),
                      _width=torch.tensor(cfg.width))


def snapshot_path():
    from ..config import data_dir

    return data_dir() / "animator" / "snapshot.pt"


def save_snapshot(model, cfg, step: int, history: list) -> None:
    path = snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(_state(model, cfg) | {"_step": torch.tensor(step)}, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").replace(path)
    path.with_suffix(".json").write_text(json.dumps(history) + "\n")


def ship_checkpoint(model, info, cfg, fw, rd, seed, command, device, identities, per_identity, weights):
    from ..checkpoints import save_checkpoint

    state = _state(model, cfg)
    data = {"faceworld": {"split": "train", "identities": identities, "pairs_per_identity": per_identity,
                          "pairs": int(len(fw["source"])), "render_seed": 0}}
    if rd is not None:
        from .data import REAL_CLIPS_SOURCE

        data["real_clips"] = {"source": REAL_CLIPS_SOURCE, "files": rd["files"], "frames": int(len(rd["frames"]))}
    if info.get("init"):
        data["continued_from"] = info["init"]  # the earlier stage: run its command first
    metrics = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in info.get("metrics", {}).items()}
    metrics |= {"steps": info["steps"], "params": info["params"], "world_size": info["world_size"]}
    earlier = (info.get("init") or {}).get("metrics", {})
    if "steps_total" in earlier or "steps" in earlier:
        metrics["steps_total"] = int(earlier.get("steps_total", earlier.get("steps", 0))) + info["steps"]
    notes = (f"Learned animator '{cfg.name}' ({cfg.size} px): dense motion (chapter 04's FlowNet U-Net + mask head"
             f"{', started from flow_net' if info['started_from_flow_net'] else ''}), source encoder, painter"
             + (f"; continued from {info['init']['file']} (sha256 {info['init']['sha256'][:12]}…, its command in "
                "data.continued_from)" if info.get("init") else "") + "; output "
             "= visible * warp(source) + (1 - visible) * painted. Losses " + json.dumps(asdict(weights)) +
             f". Trained on {device}, {info['world_size']} process(es); metrics on FaceWorld test people at {cfg.size} px.")
    return save_checkpoint(state, CHECKPOINT_NAME, command=command, seed=seed, metrics=metrics,
                           wall_seconds=info["seconds"], notes=notes, data=data)


def load_animator(name: str = CHECKPOINT_NAME, path=None) -> LearnedAnimator:
    """The shipped learned animator (checkpoints/animator.pt), float32, eval mode; one clear sentence if missing.
    `path`: a training snapshot instead (save_snapshot), for looking at a run that is still going."""
    from ..checkpoints import load_checkpoint

    state, dims = _unpack(load_checkpoint(name) if path is None
                          else torch.load(path, map_location="cpu", weights_only=True))
    cfg = next((c for c in CONFIGS.values() if (c.size, c.motion_width, c.width) == dims), AnimatorConfig("custom", *dims))
    model = LearnedAnimator(cfg)
    model.load_state_dict(state)
    return model.eval()

