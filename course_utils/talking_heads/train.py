"""Meta-learning the talking-head GAN (Zakharov et al. 2019), with progress, logs,
checkpoints, resuming, and DistributedDataParallel under torchrun.

The paper, paraphrased: in each episode draw a training video i, one target frame t of it and K more
frames s_1 … s_K; E embeds the K frames, ê_i is their mean, G renders
x̂ = G(y_t, ê_i), and E, G and D update together — E and G on L_CNT + L_ADV + L_MCH, D on the hinge loss.

    python -m course_utils.talking_heads train --config small --data faceworld --steps 3000
    torchrun --nproc_per_node 2 -m course_utils.talking_heads train --config small --data faceworld --name NAME

(Under torchrun, name the run with --name: torchrun's own parser reads --run as its --run-path.)
Within a step, D updates first on the x̂ that E and G just rendered; then E and G update against the new D.

A run lives in <data cache>/talking_heads/runs/<name>/: config.json, log.jsonl (one line per logged step,
every loss term with its scale), checkpoint.pt (the latest periodic checkpoint: weights, optimiser states,
random-number states, step — tensors and plain values only). `--resume` continues from checkpoint.pt with
the same step counter; an interrupted run (Ctrl-C, --time-limit) saves first, a killed one loses at most
`checkpoint_every` steps. The shipped checkpoint (checkpoints/) is written only by `--ship`.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from ..errors import CourseError
from .config import TalkingHeadConfig, get_config
from .guards import check_collapse, check_finite, check_psi_slices
from .losses import (Terms, adversarial_g, content_terms, embedding_match, feature_matching, hinge_d_fake,
                     hinge_d_real, perceptual_nets)
from .models import TalkingHeadGAN

CHECKPOINT_FILE = "checkpoint.pt"
ARCHITECTURE = ("size", "g_down", "g_res_blocks", "g_up", "e_channels", "embed_dim", "attention_down", "attention_up",
                "spectral_norm", "n_videos")


def _raw(module):
    return module.module if isinstance(module, DDP) else module


# ----------------------------------------------------------------------------- one meta-learning step

def meta_step(E, G, D, nets, batch: dict, opt_g, opt_d, config: TalkingHeadConfig):
    """One episode batch: E and G render, D updates, then E and G update. E, G, D may be
    DistributedDataParallel wrappers. Returns (G's Terms, D's Terms, x̂ (B, 3, S, S), r_real (B,), r_fake (B,)),
    the scores being those of D's update."""
    frames, marks = batch["frames"], batch["landmark_images"]          # (B, K, 3, S, S)
    x, y, i = batch["target"], batch["target_landmark_image"], batch["index"]
    b, k = frames.shape[:2]
    d = _raw(D)

    # E and G render: ê_i = mean of E over the K frames, x̂ = G(y_t, ê_i)
    e_hat = E(frames.flatten(0, 1), marks.flatten(0, 1)).view(b, k, -1).mean(1)   # ê_i (B, d)
    fake = G(y, e_hat)                                                           # x̂ (B, 3, S, S)

    # D first: hinge on real and generated frames in one forward; W_i pulled towards ê_i (D's half of L_MCH)
    r, feats = D(torch.cat([x, fake.detach()]), torch.cat([y, y]), torch.cat([i, i]))
    dt = Terms()
    dt.add("d_real", 1.0, hinge_d_real(r[:b]))
    dt.add("d_fake", 1.0, hinge_d_fake(r[b:]))
    dt.add("mch_w", config.w_mch, embedding_match(d.W[:, i].T, e_hat.detach()))
    opt_d.zero_grad(set_to_none=True)
    dt.total().backward()
    opt_d.step()
    real_feats = [f[:b].detach() for f in feats]      # targets for feature matching

    # then E and G: content + adversarial (with feature matching) + embedding match (E's half of L_MCH).
    # D's weights get gradients here too; they are thrown away (and, under DDP, not all-reduced: no_sync)
    with D.no_sync() if isinstance(D, DDP) else contextlib.nullcontext():
        r_fake, fake_feats = D(fake, y, i)
        g = Terms()
        content_terms(g, fake, x, nets, config)
        g.add("adv", config.w_adv, adversarial_g(r_fake))
        g.add("fm", config.w_fm, feature_matching(fake_feats, real_feats))
        g.add("mch_e", config.w_mch, embedding_match(d.W[:, i].T.detach(), e_hat))
        opt_g.zero_grad(set_to_none=True)
        g.total().backward()
    opt_g.step()
    return g, dt, fake.detach(), r[:b].detach(), r[b:].detach()


def optimizers(gan: TalkingHeadGAN, config: TalkingHeadConfig):
    """Adam with β1 = 0 and two time-scales: (E and G at lr_g, D at lr_d)."""
    opt_g = torch.optim.Adam(list(gan.embedder.parameters()) + list(gan.generator.parameters()),
                             lr=config.lr_g, betas=config.betas)
    opt_d = torch.optim.Adam(gan.discriminator.parameters(), lr=config.lr_d, betas=config.betas)
    return opt_g, opt_d


def sample_batch(dataset, batch: int, device) -> dict:
    """`batch` episodes of distinct videos (with repeats only when there are fewer videos), drawn afresh."""
    from .data import collate

    n = len(dataset)
    idx = torch.randperm(n)[:batch] if batch <= n else torch.randint(n, (batch,))
    out = collate([dataset[int(j)] for j in idx])
    return {k: v.to(device) for k, v in out.items()}


# ----------------------------------------------------------------------------- runs, checkpoints, RNG

def runs_dir() -> Path:
    from ..config import data_dir

    return data_dir() / "talking_heads" / "runs"


def _rng_state() -> dict:
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_py = random.getstate()
    state = {"torch": torch.get_rng_state(), "numpy": torch.from_numpy(keys.astype(np.int64)),
             "numpy_pos": int(pos), "numpy_gauss": [int(has_gauss), float(gauss)],
             "python": torch.tensor(internal, dtype=torch.int64), "python_version": int(version)}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(("MT19937", state["numpy"].numpy().astype(np.uint32), state["numpy_pos"],
                         state["numpy_gauss"][0], state["numpy_gauss"][1]))
    random.setstate((state["python_version"], tuple(int(v) for v in state["python"].tolist()), None))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])


def _all_rng_states(world: int) -> list:
    mine = _rng_state()
    if world == 1:
        return [mine]
    states = [None] * world
    dist.all_gather_object(states, mine)
    return [{k: (v.cpu() if torch.is_tensor(v) else v) for k, v in s.items()} for s in states]


def save_training_state(path: Path, gan, opt_g, opt_d, step: int, rng: list, config, seconds: float) -> None:
    """The whole training state as tensors and plain values (torch.load(weights_only=True) reads it), written
    atomically: a crash while saving leaves the previous checkpoint intact."""
    state = {"step": step, "models": gan.state_dict(), "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
             "rng": rng, "config": config.to_dict(), "seconds": float(seconds), "torch": str(torch.__version__)}
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_training_state(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - a damaged or foreign file, whatever the error
        raise CourseError(f"The checkpoint {path} could not be read ({type(err).__name__}); "
                          "delete it to start the run again.") from None


def load_run(run: str | Path, device="cpu") -> TalkingHeadGAN:
    """The networks of a run's latest checkpoint (a run name in the data cache, or a folder), in eval mode."""
    folder = Path(run) if Path(run).is_dir() else runs_dir() / str(run)
    path = folder / CHECKPOINT_FILE
    if not path.exists():
        raise CourseError(f"No checkpoint in {folder}; train with "
                          f"`python -m course_utils.talking_heads train --run {folder.name}` first.")
    state = load_training_state(path)
    config = TalkingHeadConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in state["config"].items()})
    gan = TalkingHeadGAN(config, state["models"]["discriminator.W"].shape[1])
    gan.load_state_dict(state["models"])
    return gan.to(device).eval()


def shipped_name(config) -> str:
    return f"talking_heads_{config.name}"


def ship(gan: TalkingHeadGAN, info: dict, command: str, seed: int, directory: Path | None = None) -> Path:
    """Write the networks to checkpoints/talking_heads_<config>.pt with a manifest entry (only on request:
    `--ship`). `directory`: another checkpoint folder (tests)."""
    from ..checkpoints import save_checkpoint

    state = {k: v.detach().cpu() for k, v in gan.state_dict().items()}
    state["_config"] = json.dumps(gan.config.to_dict())
    return save_checkpoint(state, shipped_name(gan.config), command=command, seed=seed, metrics=info.get("metrics", {}),
                           notes=f"talking-head GAN (E, G, D), config {gan.config.name}, meta-trained on "
                                 f"{info.get('data')}; content loss stand-ins pretrained: {info.get('perceptual_pretrained')}"
                                 + (f"; a run continued with --resume over several sessions: from scratch the same "
                                    f"{info['steps']} steps are `{info['reproduce']}`" if info.get("start_step") else ""),
                           wall_seconds=info.get("seconds"), directory=directory)


CURVES_SUFFIX = "_curves.json"


def export_curves(run: str | Path, every: int = 50, directory: Path | None = None) -> Path:
    """The run's training curves, averaged over windows of `every` steps, as checkpoints/<shipped name>_curves.json
    (small enough to commit beside the checkpoint): {"run", "steps", "seconds", "terms": {name: [values]},
    "r_real", "r_fake", "image_std"}."""
    from ..checkpoints import CHECKPOINT_DIR

    folder = Path(run) if Path(run).is_dir() else runs_dir() / str(run)
    log = folder / "log.jsonl"
    if not log.exists():
        raise CourseError(f"No training log in {folder}; train with `python -m course_utils.talking_heads train` first.")
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    config = json.loads((folder / "config.json").read_text())
    windows: dict[int, list[dict]] = {}
    for r in rows:
        windows.setdefault((r["step"] - 1) // every, []).append(r)
    out = {"run": folder.name, "every": every, "config": config.get("name"), "steps": [], "seconds": [], "terms": {},
           "r_real": [], "r_fake": [], "image_std": []}
    for _, group in sorted(windows.items()):
        out["steps"].append(group[-1]["step"])
        out["seconds"].append(group[-1]["seconds"])
        for key in ("r_real", "r_fake", "image_std"):
            out[key].append(round(float(np.mean([g[key] for g in group])), 5))
        for name in group[-1]["terms"]:
            vals = [g["terms"][name]["value"] for g in group if name in g["terms"]]
            out["terms"].setdefault(name, []).append(round(float(np.mean(vals)), 5))
    out["scales"] = {name: rows[-1]["terms"][name]["scale"] for name in rows[-1]["terms"]}
    path = Path(directory or CHECKPOINT_DIR) / f"talking_heads_{config.get('name', 'small')}{CURVES_SUFFIX}"
    path.write_text(json.dumps(out) + "\n")
    return path


def load_curves(name: str = "talking_heads_small", directory: Path | None = None) -> dict:
    """The shipped training curves (see export_curves); one clear sentence if missing."""
    from ..checkpoints import CHECKPOINT_DIR

    path = Path(directory or CHECKPOINT_DIR) / f"{name}{CURVES_SUFFIX}"
    if not path.exists():
        raise CourseError(f"No training curves at {path}; write them with "
                          "`python -m course_utils.talking_heads curves --run RUN`.")
    return json.loads(path.read_text())


def load_talking_heads(name: str = "talking_heads_small", directory: Path | None = None) -> TalkingHeadGAN:
    """The shipped talking-head networks (checkpoints/<name>.pt), in eval mode."""
    from ..checkpoints import load_checkpoint

    state = load_checkpoint(name, directory)
    cfg = json.loads(state.pop("_config"))
    config = TalkingHeadConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()})
    gan = TalkingHeadGAN(config, state["discriminator.W"].shape[1])
    gan.load_state_dict(state)
    return gan.eval()


# ----------------------------------------------------------------------------- distributed

def distributed_setup() -> tuple[int, int, torch.device]:
    """(rank, world size, device). Under torchrun (WORLD_SIZE > 1) joins the process group: nccl on GPUs,
    gloo on CPUs. Alone: rank 0 of 1 on course_utils.config.device()."""
    from ..config import device as course_device

    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1, course_device()
    cuda = torch.cuda.is_available() and os.environ.get("COURSE_DEVICE", "").strip().lower() != "cpu"
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank()
    if cuda:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return rank, world, torch.device("cuda", local)
    return rank, world, torch.device("cpu")


def _barrier(world: int) -> None:
    if world > 1:
        dist.barrier()


def make_dataset(data: str, config: TalkingHeadConfig, rank: int = 0, world: int = 1, progress: bool = True):
    """'faceworld' (the first config.n_videos train identities) or a folder of videos. Rank 0 builds the
    cache first; the others then read it."""
    from .data import VideoFolderDataset, faceworld_episodes

    def build(show):
        if data == "faceworld":
            return faceworld_episodes("train", config.n_videos, config.k, config.size, config.frames_per_video, show)
        if data == "faceworld-live":
            return faceworld_episodes("train", config.n_videos, config.k, config.size, None, show)
        return VideoFolderDataset(data, config.size, config.k, progress=show)

    if rank == 0:
        ds = build(progress)
        _barrier(world)
    else:
        _barrier(world)
        ds = build(False)
    return ds


# ----------------------------------------------------------------------------- the training loop

def train(config: str | TalkingHeadConfig = "small", data: str = "faceworld", steps: int = 1000, *,
          k: int | None = None, batch: int | None = None, run: str | None = None, resume: bool = False,
          time_limit: float | None = None, seed: int = 0, threads: int | None = 1, nets=None,
          checkpoint_every: int | None = None, log_every: int | None = None, progress: bool = True,
          dump_rank_weights: str | Path | None = None, callback=None, ship_command: str | None = None) -> dict:
    """Meta-learn E, G and D for `steps` steps in total (a resumed run counts the steps already done).

    data: 'faceworld' or a folder of videos. nets: the content loss's feature networks (default: the
    shipped ones, random stand-ins with a warning where missing). callback(step, record) runs after every
    step (notebooks plot with it). Returns {'run': folder, 'steps': done, 'history': [records], ...}."""
    config = get_config(config, k=k, batch=batch, checkpoint_every=checkpoint_every, log_every=log_every)
    rank, world, device = distributed_setup()
    threads_before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        return _train(config, data, steps, rank, world, device, run=run, resume=resume, time_limit=time_limit,
                      seed=seed, nets=nets, progress=progress, dump_rank_weights=dump_rank_weights,
                      callback=callback, ship_command=ship_command)
    finally:
        torch.set_num_threads(threads_before)


def _train(config, data, steps, rank, world, device, *, run, resume, time_limit, seed, nets, progress,
           dump_rank_weights, callback, ship_command) -> dict:
    name = run or f"{config.name}_{'faceworld' if data.startswith('faceworld') else Path(data).name}_s{seed}"
    folder = runs_dir() / name
    ckpt = folder / CHECKPOINT_FILE
    if rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
        if ckpt.exists() and not resume:
            raise CourseError(f"The run {name!r} already has a checkpoint ({ckpt}); add --resume to continue it, "
                              "or choose another --run name.")
    _barrier(world)

    dataset = make_dataset(data, config, rank, world, progress)
    config = get_config(config, n_videos=len(dataset))
    torch.manual_seed(seed)                       # the same initial weights on every rank
    gan = TalkingHeadGAN(config, len(dataset)).to(device)
    check_psi_slices(gan.generator)
    if nets is None:
        nets = perceptual_nets(pretrained=True)
    nets = nets.to(device) if nets is not None else None
    opt_g, opt_d = optimizers(gan, config)

    start_step, seconds_before = 0, 0.0
    if resume and ckpt.exists():
        state = load_training_state(ckpt)
        changed = [k for k in ARCHITECTURE if json.dumps(state["config"].get(k)) != json.dumps(config.to_dict()[k])]
        if changed:
            raise CourseError(f"The run {name!r} was trained with another network ({', '.join(changed)} differ); "
                              "resume it with its own --config, or start a new --run.")
        gan.load_state_dict(state["models"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        start_step, seconds_before = int(state["step"]), float(state["seconds"])
        if len(state["rng"]) == world:
            _set_rng_state(state["rng"][rank])
        else:   # another number of processes: a fresh, still reproducible, stream per rank
            torch.manual_seed(seed + 7919 * rank + 104729 * start_step)
    else:
        torch.manual_seed(seed + 7919 * rank)    # different episodes on every rank
        np.random.seed(seed + 7919 * rank)
        random.seed(seed + 7919 * rank)

    if world > 1:
        E, G, D = (DDP(m, device_ids=[device.index] if device.type == "cuda" else None)
                   for m in (gan.embedder, gan.generator, gan.discriminator))
    else:
        E, G, D = gan.embedder, gan.generator, gan.discriminator
    gan.train()

    log_path = folder / "log.jsonl"
    if rank == 0:
        (folder / "config.json").write_text(json.dumps(config.to_dict() | {"data": data, "seed": seed, "world_size": world,
                                                                           "steps": steps}, indent=2) + "\n")
        if start_step and log_path.exists():   # drop log lines past the checkpoint: those steps are redone
            kept = [ln for ln in log_path.read_text().splitlines() if ln and json.loads(ln)["step"] <= start_step]
            log_path.write_text("".join(ln + "\n" for ln in kept))
        elif not start_step:
            log_path.write_text("")

    from tqdm.auto import tqdm

    bar = tqdm(total=steps, initial=start_step, desc=f"meta-learning {config.name}", disable=not progress or rank != 0,
               dynamic_ncols=True)
    history, last_finite = [], {}
    t0 = time.perf_counter()
    step = start_step

    def save():
        rng = _all_rng_states(world)
        if rank == 0:
            save_training_state(ckpt, gan, opt_g, opt_d, step, rng, config, seconds_before + time.perf_counter() - t0)

    stopped = None
    try:
        while step < steps:
            b = sample_batch(dataset, config.batch, device)
            g, dt, fake, r_real, r_fake = meta_step(E, G, D, nets, b, opt_g, opt_d, config)
            step += 1
            values = {f"G.{n}": float(v.detach()) for n, (s, v) in g.items()} | \
                     {f"D.{n}": float(v.detach()) for n, (s, v) in dt.items()}
            check_finite(values, last_finite, step)
            last_finite = values
            record = None
            if rank == 0 and (step % config.log_every == 0 or step == steps):
                record = {"step": step, "seconds": round(seconds_before + time.perf_counter() - t0, 3),
                          "terms": {f"G.{n}": v for n, v in g.log().items()} | {f"D.{n}": v for n, v in dt.log().items()},
                          "loss_g": float(g.total().detach()), "loss_d": float(dt.total().detach()),
                          "r_real": float(r_real.mean()), "r_fake": float(r_fake.mean()),
                          "image_std": float(fake.flatten(1).std(1).mean())}
                with open(log_path, "a") as f:
                    f.write(json.dumps(record) + "\n")
                history.append(record)
                bar.set_postfix(G=f"{record['loss_g']:.3f}", D=f"{record['loss_d']:.3f}", refresh=False)
            if rank == 0 and step % config.collapse_every == 0:
                check_collapse(fake, step=step)
            bar.update(1)
            if callback is not None:
                callback(step, record)
            out_of_time = time_limit is not None and time.perf_counter() - t0 >= time_limit
            if world > 1 and time_limit is not None:   # every rank stops at the same step
                flag = torch.tensor([float(out_of_time)], device=device)
                dist.all_reduce(flag)
                out_of_time = bool(flag.item())
            if step % config.checkpoint_every == 0 or step == steps or out_of_time:
                save()
            if out_of_time:
                stopped = "time limit"
                break
    except KeyboardInterrupt:
        if world == 1:
            save()
            print(f"\nInterrupted at step {step}; saved {ckpt}. Continue with --resume.", file=sys.stderr)
        raise
    finally:
        bar.close()

    if dump_rank_weights:
        out = Path(dump_rank_weights)
        out.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.cpu() for k, v in gan.state_dict().items()}, out / f"rank{rank}.pt")
    seconds = seconds_before + time.perf_counter() - t0
    info = {"run": str(folder), "steps": step, "start_step": start_step, "stopped": stopped, "history": history,
            "seconds": seconds, "world_size": world, "rank": rank, "data": data, "config": config.name,
            "params": gan.param_counts(), "perceptual_pretrained": getattr(nets, "pretrained", None)}
    if ship_command and rank == 0:
        info["reproduce"] = (f"python -m course_utils.talking_heads train --config {config.name} --data {data} "
                             f"--videos {config.n_videos} --steps {step} --seed {seed}")
        last = history[-1] if history else {}
        info["metrics"] = {"steps": step, "loss_g": last.get("loss_g"), "loss_d": last.get("loss_d"),
                           "world_size": world, "seconds": round(seconds, 1)}
        info["shipped"] = str(ship(gan.cpu(), info, ship_command, seed))
    gan.eval()
    info["gan"] = gan
    return info
