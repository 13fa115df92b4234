"""python -m course_utils.animator train [--config small] [--steps N] [--time-limit S] [--ship]
    (also under torchrun --nproc_per_node N)
python -m course_utils.animator eval      the shipped checkpoint on held-out FaceWorld people
python -m course_utils.animator parts [--time-limit S] [--ship]   the mouth and eye windows (animator/parts.py)"""

from __future__ import annotations

import argparse
import json
import shlex
import sys


def main(argv: list[str] | None = None) -> int:
    from .model import CONFIGS

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["parts"]:
        from .parts import main as parts_main

        return parts_main(args[1:])

    ap = argparse.ArgumentParser(prog="python -m course_utils.animator", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train on FaceWorld and the real clips; --ship writes checkpoints/animator.pt")
    t.add_argument("--config", choices=sorted(CONFIGS), default="small")
    t.add_argument("--steps", type=int, default=6000)
    t.add_argument("--batch", type=int, default=16, help="pairs per step, per process")
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--lr-d", type=float, default=4e-4)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--identities", type=int, default=400, help="FaceWorld training identities")
    t.add_argument("--pairs", type=int, default=10, help="FaceWorld pairs per identity")
    t.add_argument("--no-real", action="store_true", help="FaceWorld pairs only")
    t.add_argument("--no-pretrained-losses", action="store_true", help="no perceptual terms (plumbing tests only)")
    t.add_argument("--no-flow-init", action="store_true", help="do not start the motion from chapter 04's flow_net")
    t.add_argument("--weight", action="append", default=[], metavar="NAME=VALUE",
                   help="set one loss weight (train.Weights), e.g. --weight parts=0 --weight inside=0 as in stage 1")
    t.add_argument("--init", help="continue from this checkpoint of the same --config (e.g. checkpoints/animator.pt)")
    t.add_argument("--time-limit", type=float, help="stop after this many seconds")
    t.add_argument("--threads", type=int, default=1, help="torch threads per process")
    t.add_argument("--log-every", type=int, default=100)
    t.add_argument("--eval-n", type=int, default=48)
    t.add_argument("--ship", action="store_true", help="write checkpoints/animator.pt and its manifest entry")
    t.add_argument("--dump-rank-weights", help="debug: every process saves its final weights to DIR/rank<N>.pt")
    sub.add_parser("eval", help="the shipped checkpoint on held-out FaceWorld people")
    sub.add_parser("parts", help="train the mouth and eye windows on the shipped animator (see parts --help)")
    a = ap.parse_args(argv)
    if a.cmd == "eval":
        from .train import evaluate, load_animator

        print(json.dumps(evaluate(load_animator()), indent=1))
        return 0
    from dataclasses import fields, replace

    from .train import Weights, train

    import os

    names = {f.name for f in fields(Weights)}
    changes = {}
    for item in a.weight:
        name, _, value = item.partition("=")
        try:
            changes[name] = float(value)
        except ValueError:
            name = ""
        if name not in names:
            ap.error(f"--weight {item!r}: give NAME=VALUE with NAME one of {sorted(names)}")

    world = int(os.environ.get("WORLD_SIZE", "1"))
    runner = f"torchrun --nproc_per_node {world} -m course_utils.animator" if world > 1 else "python -m course_utils.animator"
    command = runner + " " + " ".join(shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    train(a.config, a.steps, a.batch, a.seed, a.lr, a.lr_d, a.time_limit, a.threads, a.identities, a.pairs,
          real=not a.no_real, pretrained_losses=not a.no_pretrained_losses, init_motion=not a.no_flow_init,
          log_every=a.log_every, eval_n=a.eval_n, ship=a.ship, command=command, dump_rank_weights=a.dump_rank_weights,
          init=a.init, weights=replace(Weights(), **changes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
