"""The project's one benchmark entry: speed, memory and quality, measured the same way every time.

    python -m course_utils.bench SUITE [--mode quick|standard|full] [--json PATH]

Each suite returns named figures (numbers) with their budgets; the command prints a readable table,
writes JSON {"suite": ..., "mode": ..., "figures": {name: number}, "rows": [...], ...} when asked (with
"cases": [...] too where a suite's figures are means, as `portraits`' are: one entry per portrait × driver ×
method, so a mean can be traced to where it is won or lost), and exits 1 when something failed or missed its
budget. Later chapters add their suites to SUITES.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Callable

from ..config import MODES, REPO_ROOT
from .result import SuiteResult


def _notebooks(mode: str, args: argparse.Namespace) -> SuiteResult:
    from .notebooks import run

    return run(mode, only=args.only, timeout=args.timeout)


def _suite(module: str) -> Callable[[str, argparse.Namespace], SuiteResult]:
    """The runner of a suite whose module has run(mode): imported only when the suite runs."""

    def runner(mode: str, args: argparse.Namespace) -> SuiteResult:
        import importlib

        return importlib.import_module(f".{module}", __name__).run(mode)

    return runner


def _portraits(mode: str, args: argparse.Namespace) -> SuiteResult:
    from . import portraits

    methods = tuple(getattr(args, "methods", None) or portraits.METHODS)
    # --parts given: those windows; else run() decides (the shipped ones with the shipped animator, none with --animator)
    parts, parts_note = portraits.load_part_windows(args.parts) if getattr(args, "parts", None) else (None, None)
    windows = tuple(getattr(args, "windows", None) or ()) or None
    if not getattr(args, "animator", None):
        return portraits.run(mode, methods=methods, parts=parts, parts_note=parts_note, windows=windows)
    animator, note = portraits.load_learned_animator(args.animator)
    return portraits.run(mode, animator=animator, animator_note=note, methods=methods, parts=parts, parts_note=parts_note,
                         windows=windows)


# name -> (description, runner). Runners import lazily so `--help` stays instant.
SUITES: dict[str, tuple[str, Callable[[str, argparse.Namespace], SuiteResult]]] = {
    "notebooks": ("every notebook in a fresh kernel: wall seconds, peak memory, pass/fail", _notebooks),
    "faces": ("FaceWorld: frames/s on one core, dlib's agreement, ground-truth flow accuracy", _suite("faces")),
    "landmarks": ("landmark detectors side by side: error and faces/s on FaceWorld, agreement on a photo", _suite("landmarks")),
    "deblur": ("chapter 02's restorers side by side on held-out blurred pictures: PSNR and SSIM", _suite("deblur")),
    "talking_heads": ("the few-shot talking-head library: puppet frames/s, meta-learning step and fine-tuning seconds",
                      _suite("talking_heads")),
    "transfer": ("chapter 06: identity verification, transfer curves, multi-task vs independent vs pooled", _suite("transfer")),
    "flow": ("flow methods side by side on FaceWorld pairs with true flow: end-point error and ms per pair", _suite("flow")),
    "fakes": ("chapter 10: fake detectors per generator, the generalisation gap, watermark robustness", _suite("fakes")),
    "portraits": ("every animator on real portraits driven by real clips, judged by dlib's networks", _portraits),
    "judge_noise": ("the judge's own noise: the warp's and the learned animator's mouth and blink r under changes "
                    "nobody can see (a 1-px shift, JPEG 90, a 0.5-px blur, a 3 % zoom)", _suite("judge_noise")),
    "quiz": ("the workshop quiz: does 'pick the blurrier picture' win it? (it should score near chance)", _suite("quiz")),
    "live": ("the webcam path with a recorded clip: end-to-end frames/s, latency and ms per stage", _suite("live")),
}


def format_table(rows: list[dict], columns: list[str]) -> str:
    def cell(v):
        if isinstance(v, float):
            return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
        return "" if v is None else str(v)

    text = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(t[i]) for t in text]) for i, c in enumerate(columns)]
    def line(vals):
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(vals, widths)))

    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(t) for t in text])


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info() -> dict:
    import torch

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        # the cores this process may run on (fewer than cpu_count under `taskset`, as on a one-CPU Binder)
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.bench", description="Measure a suite of the course.")
    parser.add_argument("suite", choices=sorted(SUITES), help="; ".join(f"{k}: {v[0]}" for k, v in SUITES.items()))
    parser.add_argument("--mode", choices=MODES, default="quick", help="COURSE_MODE to measure in (default quick)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this path")
    parser.add_argument("--only", nargs="*", help="notebooks suite: only notebooks whose name starts with these (e.g. 00 01)")
    parser.add_argument("--animator", help="portraits suite: measure this learned-animator checkpoint file (an earlier "
                        "training stage, a snapshot) instead of the shipped one")
    parser.add_argument("--parts", help="portraits suite: the learned animator's part windows from this checkpoint file, "
                        "or 'none' (default: the shipped ones with the shipped animator, none with --animator)")
    parser.add_argument("--windows", nargs="*", choices=["mouth", "eyes"],
                        help="portraits suite: which part windows the animator uses (default: the course's choice)")
    parser.add_argument("--methods", nargs="*", help="portraits suite: only these animators (e.g. animator piecewise_warp)")
    parser.add_argument("--timeout", type=int, default=1200, help="notebooks suite: seconds per cell before giving up")
    args = parser.parse_args(argv)

    result = SUITES[args.suite][1](args.mode, args)
    print(f"suite {args.suite} · mode {args.mode}")
    print(format_table(result.rows, result.columns))
    for note in result.notes:
        print(note)
    print("all within budget" if result.ok else "NOT all within budget (see the table)")
    if args.json:
        payload = {
            "suite": args.suite,
            "mode": args.mode,
            "figures": result.figures,
            "budgets": result.budgets,
            "ok": result.ok,
            "rows": result.rows,
            "notes": result.notes,
            **({"cases": result.cases} if result.cases else {}),
            "machine": machine_info(),
            "commit": _git_commit(),
            "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if result.ok else 1
