"""python -m course_utils.talking_heads train --config small --data faceworld [--steps N] [--k K] [--batch B]
    [--run NAME] [--resume] [--time-limit S] [--ship]        (also under torchrun --nproc_per_node N)
python -m course_utils.talking_heads curves --run NAME         the run's training curves, for the notebook
python -m course_utils.talking_heads evaluate [--identities N] [--ft-steps S] [--out PATH]
    the paper's Table 1 on held-out FaceWorld people, written with its provenance (evaluate.py)
python -m course_utils.talking_heads ft-init [--identities N] [--shots 1 8] [--steps 0 10 …] [--out PATH]
    the initialisation ablation: FT from the person (ψ′ = P·ê) vs from ē, curves by step (ablation.py)"""

from __future__ import annotations

import argparse
import shlex
import sys


def main(argv: list[str] | None = None) -> int:
    from .config import CONFIGS

    ap = argparse.ArgumentParser(prog="python -m course_utils.talking_heads", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="meta-learn E, G and D; logs and checkpoints in the data cache")
    t.add_argument("--config", choices=sorted(CONFIGS), default="small")
    t.add_argument("--data", default="faceworld", help="'faceworld' or a folder of talking-head videos (.mp4)")
    t.add_argument("--steps", type=int, default=3000, help="total steps (a resumed run counts those already done)")
    t.add_argument("--k", type=int, help="frames per episode for the embedder (default: the config's)")
    t.add_argument("--batch", type=int, help="episodes per step, per process (default: the config's)")
    t.add_argument("--videos", type=int, help="FaceWorld training videos (default: the config's n_videos)")
    t.add_argument("--run", "--name", dest="run",
                   help="run name (folder under <data cache>/talking_heads/runs); under torchrun write --name")
    t.add_argument("--resume", action="store_true", help="continue the run from its last checkpoint")
    t.add_argument("--time-limit", type=float, help="stop (and save) after this many seconds")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=1,
                   help="torch threads per process (1: on a shared 2-core machine, more threads often run slower)")
    t.add_argument("--checkpoint-every", type=int)
    t.add_argument("--log-every", type=int)
    t.add_argument("--no-pretrained-losses", action="store_true",
                   help="random feature networks in the content loss (plumbing tests only)")
    t.add_argument("--no-progress", action="store_true")
    t.add_argument("--ship", action="store_true", help="also write checkpoints/talking_heads_<config>.pt + manifest")
    t.add_argument("--dump-rank-weights", help="debug: every process saves its final weights to DIR/rank<N>.pt")
    ev = sub.add_parser("evaluate", help="the paper's Table 1 on FaceWorld people never seen in meta-learning")
    ev.add_argument("--identities", type=int, default=24, help="held-out FaceWorld test people")
    ev.add_argument("--targets", type=int, default=8, help="frames rendered per person (from the video's last 40 %%)")
    ev.add_argument("--ft-steps", default="auto",
                    help="fine-tuning steps, or 'auto' (the default): chosen on validation people among "
                         "evaluate.FT_CANDIDATES, never on the test people")
    ev.add_argument("--run", help="evaluate a training run's latest checkpoint instead of the shipped one")
    ev.add_argument("--threads", type=int, default=1, help="torch threads (with --workers 1)")
    ev.add_argument("--workers", type=int, default=1, help="people evaluated in parallel processes")
    ev.add_argument("--pixel-only", action="store_true",
                    help="fine-tune with the pixel loss only (default: the full content loss, as in meta-learning)")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--out", help="results file (default: checkpoints/talking_heads_small_eval.json)")
    ev.add_argument("--record", action="store_true",
                    help="also write the headline figures into the shipped checkpoint's manifest entry (same file)")
    ev.add_argument("--no-progress", action="store_true")
    ab = sub.add_parser("ft-init", help="fine-tuning from the person vs from a generic embedding: curves by step")
    ab.add_argument("--identities", type=int, default=8, help="held-out FaceWorld test people (the Table-1 people)")
    ab.add_argument("--shots", type=int, nargs="+", default=[1, 8], help="K: frames of each person to fine-tune on")
    ab.add_argument("--steps", type=int, nargs="+", help="fine-tuning steps at which to measure (default ablation.STEPS)")
    ab.add_argument("--threads", type=int, default=1, help="torch threads")
    ab.add_argument("--seed", type=int, default=0)
    ab.add_argument("--out", help="results file (default: docs/bench/ft-init-standard.json)")
    ab.add_argument("--no-progress", action="store_true")
    cu = sub.add_parser("curves", help="write a run's training curves beside the shipped checkpoint")
    cu.add_argument("--run", required=True)
    cu.add_argument("--every", type=int, default=50, help="average over windows of this many steps")
    a = ap.parse_args(argv)
    if a.cmd == "curves":
        from .train import export_curves

        print("written", export_curves(a.run, a.every))
        return 0
    command = "python -m course_utils.talking_heads " + " ".join(shlex.quote(x) for x in (argv or sys.argv[1:]))
    if a.cmd == "evaluate":
        return _evaluate(a, command)
    if a.cmd == "ft-init":
        return _ft_init(a, command)

    from .config import get_config
    from .losses import perceptual_nets
    from .train import train

    config = get_config(a.config, n_videos=a.videos)
    nets = perceptual_nets(pretrained=False, width=4) if a.no_pretrained_losses else None
    info = train(config, a.data, a.steps, k=a.k, batch=a.batch, run=a.run, resume=a.resume, time_limit=a.time_limit,
                 seed=a.seed, threads=a.threads, nets=nets, checkpoint_every=a.checkpoint_every, log_every=a.log_every,
                 progress=not a.no_progress, dump_rank_weights=a.dump_rank_weights,
                 ship_command=command if a.ship else None)
    if info["rank"] == 0:
        last = info["history"][-1] if info["history"] else {}
        print(f"{info['steps']} steps ({info['start_step']} before this session) in {info['seconds']:.0f} s; "
              f"last loss G {last.get('loss_g', float('nan')):.4f} D {last.get('loss_d', float('nan')):.4f}; "
              f"run folder {info['run']}" + (f"; shipped {info['shipped']}" if info.get("shipped") else ""))
    return 0


def _evaluate(a, command: str) -> int:
    import json
    import time
    from pathlib import Path

    import torch

    from . import evaluate as ev
    from .train import load_run, load_talking_heads

    torch.set_num_threads(a.threads)
    gan = load_run(a.run) if a.run else load_talking_heads()
    revision = ev._git_revision()     # the code as it is now, not after edits made while the evaluation runs
    t = time.perf_counter()
    choice = None
    if str(a.ft_steps) == "auto":
        choice = ev.choose_ft_steps(gan, seed=a.seed, workers=a.workers, progress=not a.no_progress)
        print(f"FT steps chosen on {choice['identities']} validation people at K = {choice['k']}: {choice['chosen']} "
              f"(mean SSIM by steps: {choice['ssim']})", flush=True)
        ft_steps = choice["chosen"]
    else:
        ft_steps = int(a.ft_steps)
    results = ev.evaluate(gan, a.identities, a.targets, ft_steps=ft_steps, seed=a.seed, progress=not a.no_progress,
                          content_nets=not a.pixel_only, workers=a.workers)
    if choice is not None:
        results["settings"]["ft_steps_choice"] = choice
    results["bars"] = ev.bars(results)
    results["provenance"] = ev.provenance(command, f"talking_heads_{gan.config.name}", time.perf_counter() - t, revision)
    if a.run:
        results["provenance"]["checkpoint"] = f"run {a.run} (not the shipped checkpoint)"
        results["provenance"]["checkpoint_sha256"] = None
    out = Path(a.out) if a.out else ev.results_path()
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(ev.table(results))
    print("bars:", ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in results["bars"].items()))
    print(f"written {out} in {results['provenance']['seconds']:.0f} s")
    if a.record and not a.run:
        _record(results, gan)
    return 0


def _ft_init(a, command: str) -> int:
    import json
    import time
    from pathlib import Path

    import torch

    from . import ablation
    from . import evaluate as ev
    from .train import load_talking_heads

    torch.set_num_threads(a.threads)
    gan = load_talking_heads()
    revision = ev._git_revision()
    t = time.perf_counter()
    results = ablation.run(gan, a.identities, tuple(a.shots), tuple(a.steps or ablation.STEPS), seed=a.seed,
                           progress=not a.no_progress)
    results["provenance"] = ev.provenance(command, f"talking_heads_{gan.config.name}", time.perf_counter() - t, revision)
    out = Path(a.out) if a.out else ablation.RESULTS_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    steps = results["steps"]
    for k, paired in results["paired"].items():
        s = results["summary"]
        print(f"{k}: SSIM person  " + " ".join(f"{v:.3f}" for v in s[f"person_{k}"]["ssim"]["mean"]))
        print(f"{k}: SSIM generic " + " ".join(f"{v:.3f}" for v in s[f"generic_{k}"]["ssim"]["mean"]))
        print(f"{k}: person - generic at steps {steps}: " + ", ".join(
            f"{m:+.3f}±{se or float('nan'):.3f} ({w}/{paired['ssim']['n']})" for m, se, w in
            zip(paired["ssim"]["mean"], paired["ssim"]["se"], paired["ssim"]["wins"])))
    print(f"written {out} in {results['provenance']['seconds']:.0f} s")
    return 0


EVAL_NOTE = "eval_* figures:"


def _record(results: dict, gan) -> None:
    """The evaluation's headline figures into the manifest entry of the checkpoint it evaluated."""
    from ..checkpoints import annotate, read_manifest
    from . import evaluate as ev

    name = f"talking_heads_{gan.config.name}"
    f = ev.figures(results)
    keys = [f"{m}_{method}_k{k}" for method in ("ft", "ff", "landmark_warp") for k in ev.SHOTS for m in ("ssim", "id")]
    metrics = {f"eval_{k}": round(f[k], 4) for k in keys if k in f}
    # the training notes written by --ship stay; only this command's sentence is added (or replaced)
    shipped = read_manifest()[name].get("notes", "").split(EVAL_NOTE)[0].rstrip(". ")
    notes = (f"{shipped}. {EVAL_NOTE} `python -m course_utils.talking_heads evaluate --record` "
             f"({results['settings']['identities']} held-out people, FT {results['settings']['ft_steps']} steps), "
             f"full table in {ev.RESULTS_FILE}.")
    annotate(name, metrics, notes)
    print(f"recorded {len(metrics)} figures in the manifest entry {name}")


if __name__ == "__main__":
    sys.exit(main())
