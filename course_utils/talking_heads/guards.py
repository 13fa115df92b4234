"""Guards against what went wrong in public re-implementations of the talking-head GAN.

Each is a small check the training loop runs (and a test in tests/test_talking_heads.py):

    check_psi_slices(G)     every AdaIN layer has its own slice of ψ; together they tile ψ exactly
    check_collapse(images)  generated images with almost no variance -> a TalkingHeadWarning naming the
                            likely causes
    check_finite(terms)     a NaN or infinite loss stops training with the last finite losses named
"""

from __future__ import annotations

import math
import warnings

import torch

from ..errors import CourseError


class TalkingHeadWarning(UserWarning):
    """Something in a talking-head run looks wrong but need not stop it (collapse, stand-in networks)."""


class TrainingDiverged(CourseError):
    """A loss became NaN or infinite; the message names the last finite values."""


def check_psi_slices(generator) -> list[tuple[int, int]]:
    """Raise ValueError unless the generator's ψ slices are one per AdaIN layer, each 2·C long, in order,
    non-overlapping and covering [0, psi_dim) exactly. Returns the slices."""
    slices = generator.psi_slices()
    if len(slices) != len(generator.adains):
        raise ValueError(f"{len(slices)} ψ slices for {len(generator.adains)} AdaIN layers")
    edge = 0
    for (a, b), layer in zip(slices, generator.adains):
        if a != edge:
            raise ValueError(f"ψ slice ({a}, {b}) of AdaIN slot {layer.slot} {'overlaps' if a < edge else 'leaves a gap'}")
        if b - a != layer.n_params:
            raise ValueError(f"AdaIN slot {layer.slot} has {layer.channels} channels and needs {layer.n_params} numbers, "
                             f"not {b - a}")
        edge = b
    if edge != generator.psi_dim:
        raise ValueError(f"ψ slices cover {edge} of {generator.psi_dim} numbers")
    if sorted(layer.slot for layer in generator.adains) != list(range(len(generator.adains))):
        raise ValueError("two AdaIN layers share a slot (they would read the same slice of ψ)")
    return slices


COLLAPSE_CAUSES = ("learning rates too high for this batch size (try halving lr_g and lr_d)",
                   "a perceptual-loss scale far larger than the pixel and adversarial terms (see the logged terms)",
                   "a sigmoid before the hinge loss (the discriminator's score must be a raw number)",
                   "spectral normalisation missing from a layer (config.spectral_norm)")


def collapse_stats(images: torch.Tensor) -> tuple[float, float]:
    """(mean per-image standard deviation, mean across-batch standard deviation) of (B, 3, H, W) images
    in [-1, 1]: how much each picture varies within itself, and how much the pictures differ."""
    x = images.detach().float()
    per_image = x.flatten(1).std(1).mean().item()
    across = x.std(0).mean().item() if len(x) > 1 else float("nan")
    return per_image, across


def check_collapse(images: torch.Tensor, tol: float = 0.02, step: int | None = None) -> bool:
    """Warn (TalkingHeadWarning) when generated images (B, 3, H, W) in [-1, 1] have collapsed: each one
    nearly a single colour (per-image std < tol, i.e. about 2.5 grey levels), or all of them the same
    picture (across-batch std < tol). Returns True when it warned."""
    per_image, across = collapse_stats(images)
    where = f" at step {step}" if step is not None else ""
    problems = []
    if per_image < tol:
        problems.append(f"each generated image is nearly one colour (per-image std {per_image:.4f})")
    if len(images) > 1 and across < tol:
        problems.append(f"the generated images are nearly all the same (across-batch std {across:.4f})")
    if problems:
        warnings.warn(f"Collapse{where}: {' and '.join(problems)}. Likely causes: " + "; ".join(COLLAPSE_CAUSES) + ".",
                      TalkingHeadWarning, stacklevel=2)
        return True
    return False


def check_finite(values: dict[str, float], last_finite: dict[str, float] | None = None, step: int | None = None) -> None:
    """Raise TrainingDiverged when any loss value is NaN or infinite, naming it and the last finite losses."""
    bad = [k for k, v in values.items() if not math.isfinite(float(v))]
    if bad:
        last = ", ".join(f"{k} = {v:.4g}" for k, v in (last_finite or {}).items()) or "none logged yet"
        where = f" at step {step}" if step is not None else ""
        raise TrainingDiverged(
            f"Training diverged{where}: {', '.join(bad)} became NaN or infinite (last finite losses: {last}); "
            "lower the learning rates or the loss scales, then resume from the last checkpoint with --resume.")
