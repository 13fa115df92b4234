"""Who is seen in training and who is held out: FaceWorld identities split by seed ranges that never overlap,
so a model trained on `train` meets the people of `validation` and `test` for the first time:

    train       seeds        0 … 99 999
    validation  seeds  100 000 … 100 999
    test        seeds  101 000 … 101 999
"""

from __future__ import annotations

from ..errors import CourseError

SPLITS: dict[str, range] = {
    "train": range(0, 100_000),
    "validation": range(100_000, 101_000),
    "test": range(101_000, 102_000),
}


def split_seeds(split: str, n: int | None = None) -> range:
    """The first n identity seeds of a split (all of them when n is None)."""
    if split not in SPLITS:
        raise CourseError(f"split must be one of {', '.join(SPLITS)}, not {split!r}.")
    seeds = SPLITS[split]
    if n is not None:
        if not 0 < n <= len(seeds):
            raise CourseError(f"The {split} split has {len(seeds)} identities; ask for 1 to {len(seeds)}, not {n}.")
        seeds = seeds[:n]
    return seeds
