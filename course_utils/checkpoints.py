"""Small, hash-checked checkpoints with a manifest saying how each was made and what it reached.

The manifest (checkpoints/manifest.json) has one entry per checkpoint:

    {"file": "name.pt", "sha256": "...", "size": 123456, "command": "python -m ...", "seed": 0,
     "metrics": {...}, "created": "2026-11-23T21:00:00Z", "torch": "2.13.0", "notes": "..."}

Loading checks that the file exists, has the recorded size and hash, and contains only tensors and
plain values (torch.load with weights_only=True). Anything else raises CourseError with one sentence
naming the problem and the command that rebuilds the file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from .config import REPO_ROOT, course_mode, data_dir
from .errors import CourseError

CHECKPOINT_DIR = REPO_ROOT / "checkpoints"
MANIFEST = "manifest.json"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(directory: Path | str | None = None) -> dict[str, dict]:
    """The manifest of a checkpoint folder as {name: entry}; empty when there is none yet."""
    path = Path(directory or CHECKPOINT_DIR) / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        raise CourseError(
            f"The checkpoint manifest {path} is not valid JSON; restore it with `git checkout -- {path.name}`."
        ) from None


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_checkpoint(
    state: dict[str, Any],
    name: str,
    *,
    command: str,
    seed: int | None,
    metrics: dict[str, float] | None = None,
    directory: Path | str | None = None,
    notes: str = "",
    wall_seconds: float | None = None,
    data: dict | None = None,
) -> Path:
    """Save a state dict (tensors and plain values only) as <name>.pt and record it in the manifest
    (`data`: what it was trained on, with hashes for external files)."""
    import io

    import torch

    directory = Path(directory or CHECKPOINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    torch.save(state, buf)
    path = directory / f"{name}.pt"
    _write_atomic(path, buf.getvalue())
    entry = {
        "file": path.name,
        "sha256": sha256_of(path),
        "size": path.stat().st_size,
        "command": command,
        "seed": seed,
        "metrics": dict(metrics or {}),
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "torch": torch.__version__.split("+")[0],
        "notes": notes,
    }
    if wall_seconds is not None:
        entry["wall_seconds"] = round(float(wall_seconds), 1)
    if data is not None:
        entry["data"] = data
    manifest = read_manifest(directory)
    manifest[name] = entry
    _write_atomic(directory / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return path


def annotate(name: str, metrics: dict | None = None, notes: str | None = None,
             directory: Path | str | None = None) -> dict:
    """Add metrics (merged) and notes (replaced) to a manifest entry without touching the file or its hash: for
    measurements made after training (an evaluation). Returns the entry."""
    directory = Path(directory or CHECKPOINT_DIR)
    manifest = read_manifest(directory)
    if name not in manifest:
        raise CourseError(f"No checkpoint {name!r} in {directory / MANIFEST}.")
    entry = manifest[name]
    entry["metrics"] = {**entry.get("metrics", {}), **(metrics or {})}
    if notes is not None:
        entry["notes"] = notes
    _write_atomic(directory / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return entry


def _shown(path: Path) -> str:
    """A path as a learner reads it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _rebuild(entry: dict | None, name: str) -> str:
    cmd = (entry or {}).get("command")
    return f"`{cmd}`" if cmd else f"the training command of {name!r} (see checkpoints/manifest.json)"


def verify_checkpoint(name: str, directory: Path | str | None = None) -> Path:
    """Check that checkpoint `name` is present, complete and unchanged; returns its path or raises CourseError."""
    directory = Path(directory or CHECKPOINT_DIR)
    manifest = read_manifest(directory)
    entry = manifest.get(name)
    if entry is None:
        known = ", ".join(sorted(manifest)) or "none yet"
        raise CourseError(
            f"No checkpoint named {name!r} is listed in {_shown(directory / MANIFEST)} (listed: {known}); "
            "check the name, or run the training command of the chapter that makes it."
        )
    path = directory / entry["file"]
    rebuild = _rebuild(entry, name)
    if not path.exists():
        raise CourseError(f"Checkpoint file {_shown(path)} is missing; rebuild it with {rebuild}.")
    size = path.stat().st_size
    if size != entry["size"]:
        raise CourseError(
            f"Checkpoint file {path.name} is {size} bytes but should be {entry['size']} (truncated or incomplete); "
            f"rebuild it with {rebuild}."
        )
    if sha256_of(path) != entry["sha256"]:
        raise CourseError(
            f"Checkpoint file {path.name} has been changed since it was made (its SHA-256 does not match the manifest); "
            f"rebuild it with {rebuild}."
        )
    return path


def load_checkpoint(name: str, directory: Path | str | None = None, map_location: str = "cpu") -> dict[str, Any]:
    """Verify, then load a checkpoint with torch.load(weights_only=True): tensors and plain values only."""
    import torch

    path = verify_checkpoint(name, directory)
    rebuild = _rebuild(read_manifest(directory or CHECKPOINT_DIR).get(name), name)
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        raise CourseError(
            f"Checkpoint file {path.name} holds Python objects, not just tensors, and was refused for safety; "
            f"rebuild it with {rebuild}."
        ) from None
    except Exception as err:  # noqa: BLE001 - zip damaged despite a matching hash, a newer format, ...
        raise CourseError(
            f"Checkpoint file {path.name} could not be read ({type(err).__name__}); rebuild it with {rebuild}."
        ) from None


def learner_checkpoint_dir() -> Path:
    """Where checkpoints a learner trains go: the data cache, never the shipped checkpoints/ folder."""
    return data_dir() / "checkpoints"


def load_or_train(
    model,
    name: str,
    train: Callable[[Any], dict[str, float]],
    *,
    command: str,
    seed: int | None = 0,
    retrain: bool | None = None,
) -> str:
    """Fill `model` (an nn.Module) from checkpoint `name` if it is shipped and intact, else train it.

    `train(model)` trains in place and returns the metrics it reached. A model the learner trains is
    saved to the data cache (never over a shipped file) and reused next time. Full mode (or
    retrain=True) always trains. Returns what happened: 'shipped', 'cached' or 'trained'.
    """
    retrain = course_mode() == "full" if retrain is None else retrain
    if not retrain:
        for source, directory in (("shipped", CHECKPOINT_DIR), ("cached", learner_checkpoint_dir())):
            if name not in read_manifest(directory):
                continue
            try:
                model.load_state_dict(load_checkpoint(name, directory))
                print(f"Loaded the {source} checkpoint {name!r} ({directory / (name + '.pt')}).")
                return source
            except CourseError as err:
                print(f"⚠ {err}")
        print(f"No usable checkpoint {name!r}: training it now.")
    start = time.perf_counter()
    metrics = train(model)
    seconds = time.perf_counter() - start
    path = save_checkpoint(
        {k: v.detach().cpu() for k, v in model.state_dict().items()},
        name,
        command=command,
        seed=seed,
        metrics=metrics,
        directory=learner_checkpoint_dir(),
        notes=f"trained in a notebook in {course_mode()} mode",
        wall_seconds=seconds,
    )
    print(f"Trained in {seconds:.1f} s; saved your checkpoint to {path}.")
    return "trained"


def main(argv: list[str] | None = None) -> int:
    """`python -m course_utils.checkpoints [verify] [NAME ...]`: check shipped checkpoints, one line each."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_utils.checkpoints", description="Verify shipped checkpoints.")
    parser.add_argument("command", nargs="?", choices=["verify", "list"], default="verify")
    parser.add_argument("names", nargs="*", help="checkpoints to check (default: all in the manifest)")
    args = parser.parse_args(argv)
    manifest = read_manifest()
    names = args.names or sorted(manifest)
    if not names:
        print("No checkpoints are listed in checkpoints/manifest.json yet.")
        return 0
    bad = 0
    for name in names:
        entry = manifest.get(name, {})
        if args.command == "list":
            print(f"{name:<28} {entry.get('size', 0) / 1e6:7.2f} MB  seed {entry.get('seed')}  "
                  f"{entry.get('command')}  {entry.get('metrics')}")
            continue
        try:
            load_checkpoint(name)
            print(f"✔ {name}: intact ({entry['size'] / 1e6:.2f} MB, sha256 {entry['sha256'][:12]}…)")
        except CourseError as err:
            bad += 1
            print(f"✘ {err}")
    return 1 if bad else 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
