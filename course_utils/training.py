"""What every training command of the course shares: the learning-rate schedule with its time limit, the
optimisation loop, float16 weights for shipping, and the provenance of a run that continued a shipped checkpoint."""

from __future__ import annotations

import time

import numpy as np


def learning_rate(step: int, steps: int, lr: float, warm: float, t_start: float | None = None,
                  time_limit: float | None = None) -> float | None:
    """The learning rate at `step`: a linear warm-up over the first `warm` fraction of training, then a cosine
    decay, never below lr / 1000. Progress counts steps or wall time (`time_limit` seconds since `t_start`),
    whichever is further along; None once training is over."""
    frac = step / steps
    if time_limit:
        frac = max(frac, (time.time() - t_start) / time_limit)
    if frac >= 1:
        return None
    cur = lr * (frac / warm if frac < warm else 0.5 * (1 + np.cos(np.pi * (frac - warm) / (1 - warm))))
    return max(float(cur), lr * 1e-3)


def set_learning_rate(optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def optimise(optimizer, steps: int, lr: float, warm: float, step, report, *, t_start: float,
             time_limit: float | None = None, verbose: bool = True, log_every: int = 100) -> dict[str, list[float]]:
    """The loop of every training command. Each step: the scheduled learning rate (learning_rate; the loop ends early
    at the time limit), then `step(i)` -> (loss tensor, {name: float} to log), then zero_grad / backward / optimizer
    step. Every `log_every` steps it prints `report(history)` with the learning rate and the elapsed seconds.
    Returns the history {name: [one float per step]}."""
    history: dict[str, list[float]] = {}
    for i in range(steps):
        cur = learning_rate(i, steps, lr, warm, t_start, time_limit)
        if cur is None:
            if verbose:
                print(f"time limit reached after {i} steps", flush=True)
            break
        set_learning_rate(optimizer, cur)
        loss, logged = step(i)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        for name, value in logged.items():
            history.setdefault(name, []).append(value)
        if verbose and (i + 1) % log_every == 0:
            print(f"step {i + 1}/{steps} {report(history)} lr {cur:.2e} ({time.time() - t_start:.0f} s)", flush=True)
    return history


def half_state(model, **extras) -> dict:
    """The model's state dict with floating-point tensors in float16 (half the bytes to ship), plus `extras`."""
    return {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()} | extras


def continued(name: str | None, command: str, wall_seconds: float, steps: int) -> tuple[str, float, int]:
    """(command, wall seconds, steps) of the whole chain when this run continued checkpoint `name`: the
    earlier commands joined by '&&', their time and steps added from the manifest. Unchanged when name is None."""
    if not name:
        return command, wall_seconds, steps
    from .checkpoints import read_manifest

    prior = read_manifest().get(name, {})
    return (f"{prior.get('command', '?')} && {command}", wall_seconds + float(prior.get("wall_seconds") or 0),
            steps + int(prior.get("metrics", {}).get("steps", 0)))


def train_arguments(subparsers, help: str, checkpoint: str, steps: int, batch: int | None = 16, lr: float = 2e-3):
    """The `train` sub-command every training CLI of the course has: --steps, --seed, --batch (when batch is
    given), --lr, --threads, --time-limit and --continue (from `checkpoint`). Returns the parser for more."""
    t = subparsers.add_parser("train", help=help)
    t.add_argument("--steps", type=int, default=steps)
    t.add_argument("--seed", type=int, default=0)
    if batch is not None:
        t.add_argument("--batch", type=int, default=batch)
    t.add_argument("--lr", type=float, default=lr)
    t.add_argument("--threads", type=int, default=1,
                   help="torch threads (1: on a shared 2-core machine, 2 threads spin-wait and run far slower)")
    t.add_argument("--time-limit", type=float, default=None, help="stop training after this many seconds")
    t.add_argument("--continue", dest="init", action="store_const", const=checkpoint,
                   help="start from the shipped checkpoint instead of from scratch")
    return t
