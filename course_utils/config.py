"""How much each notebook trains (COURSE_MODE), which device runs it, seeding, and the data cache.

Environment variables:
    COURSE_MODE       quick | standard | full (default: standard)
    COURSE_DEVICE     cpu | cuda | cuda:N (default: cuda when available, else cpu)
    COURSE_DATA_DIR   the data cache (default: ~/.cache/artificial-imagination); never inside notebooks/
    COURSE_OUTPUT_DIR where notebooks save figures and animations (default: <data dir>/outputs)
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from .errors import CourseError

MODES = ("quick", "standard", "full")
DEFAULT_MODE = "standard"
REPO_ROOT = Path(__file__).resolve().parent.parent


def course_mode() -> str:
    """The mode from COURSE_MODE: 'quick' (CI, workshops), 'standard' (classroom) or 'full'."""
    mode = os.environ.get("COURSE_MODE", DEFAULT_MODE).strip().lower() or DEFAULT_MODE
    if mode not in MODES:
        raise CourseError(
            f"COURSE_MODE is {mode!r}, but it must be one of {', '.join(MODES)}; "
            f"unset it to use the default ({DEFAULT_MODE})."
        )
    return mode


def _mode_at_import() -> str:
    try:
        return course_mode()
    except CourseError:  # reported by course_mode() at the first real use, not at import
        return DEFAULT_MODE


# Read once at import for convenience in notebooks; functions re-read the environment.
MODE = _mode_at_import()


def by_mode(quick, standard, full=None):
    """Pick a value by the current mode: by_mode(quick=50, standard=500, full=5000)."""
    mode = course_mode()
    if mode == "quick":
        return quick
    if mode == "full" and full is not None:
        return full
    return standard


def device() -> "torch.device":  # noqa: F821 - torch imported lazily
    """torch.device to compute on: COURSE_DEVICE if set, else CUDA when present, else CPU."""
    import torch

    wanted = os.environ.get("COURSE_DEVICE", "").strip().lower()
    if wanted:
        if wanted.startswith("cuda") and not torch.cuda.is_available():
            raise CourseError(
                f"COURSE_DEVICE asks for {wanted!r} but this machine has no usable CUDA GPU; "
                "unset COURSE_DEVICE to run on the CPU."
            )
        try:
            return torch.device(wanted)
        except RuntimeError as err:
            raise CourseError(f"COURSE_DEVICE={wanted!r} is not a device torch knows ({err}).") from None
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int = 0) -> int:
    """Seed Python's random, NumPy and torch (CPU and CUDA) so a cell gives the same numbers each run."""
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:
        pass
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass
    return seed


def _inside(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def save_npz(path: Path, compressed: bool = False, **arrays) -> Path:
    """Write `arrays` to the .npz file `path` atomically: first into a temporary file of this writer's own beside
    it, then renamed. A reader never sees half a file, and two processes filling the same cache at once (torchrun's
    ranks each render the training data) do not trip over one shared temporary name; the last rename wins."""
    import tempfile

    import numpy as np

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp.npz")
    try:
        with os.fdopen(fd, "wb") as f:
            (np.savez_compressed if compressed else np.savez)(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def data_dir(create: bool = True) -> Path:
    """The course's data cache (downloads, weights, the learner's own checkpoints): COURSE_DATA_DIR or
    ~/.cache/artificial-imagination. Never inside notebooks/, so notebooks stay clean and shareable."""
    raw = os.environ.get("COURSE_DATA_DIR", "").strip()
    if raw:
        path = Path(raw).expanduser()
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", "") or Path.home() / ".cache")
        path = base / "artificial-imagination"
    if _inside(path, REPO_ROOT / "notebooks"):
        raise CourseError(
            f"The data cache {path} is inside notebooks/; point COURSE_DATA_DIR somewhere else "
            "(for example ~/.cache/artificial-imagination)."
        )
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def torch_hub_dir(create: bool = False) -> Path:
    """The course's torch-hub folder in the data cache; face-alignment's weights live in its checkpoints/."""
    path = data_dir(create) / "torch-hub"
    if create:
        (path / "checkpoints").mkdir(parents=True, exist_ok=True)
    return path


def output_dir(chapter: str | None = None, create: bool = True) -> Path:
    """Where notebooks save figures, GIFs and MP4s: COURSE_OUTPUT_DIR or <data dir>/outputs[/chapter]."""
    raw = os.environ.get("COURSE_OUTPUT_DIR", "").strip()
    path = Path(raw).expanduser() if raw else data_dir(create) / "outputs"
    if chapter:
        path = path / chapter
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
