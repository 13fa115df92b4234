"""The course's shared measures, torch-free (numpy only): one home each.

    psnr(reference, image)              peak signal-to-noise ratio in dB (chapters 02 and 10)
    auc(negative_scores, positive_scores)   area under the ROC curve (chapters 06 and 10)
    fit_logistic(X, y) / predict_logistic   a two-class logistic regression, written out (chapter 10)

Chapter 06's linear probe (transfer.logistic_regression) is a different model — multinomial (several
people), on torch with L-BFGS — and stays with its chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import CourseError

__all__ = ["psnr", "auc", "Logistic", "fit_logistic", "predict_logistic"]


# ----------------------------------------------------------------------------- pictures

def psnr(reference, image) -> float:
    """Peak signal-to-noise ratio in dB of `image` against `reference` (higher: more alike; ∞ if identical).

    Two integer (uint8) pictures are compared in grey levels with a peak of 255. Otherwise both are read as
    pictures in [0, 1] (uint8 divided by 255, floats as they are) with a peak of 1, and `image` is clipped
    to [0, 1] first, as a picture would be shown."""
    a, b = np.asarray(reference), np.asarray(image)
    if a.shape != b.shape:
        raise CourseError(f"psnr needs two images of the same size, not {a.shape} and {b.shape}.")
    if np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer):
        a, b, peak = a.astype(np.float64), b.astype(np.float64), 255.0
    else:
        a, b, peak = _unit_float(a), np.clip(_unit_float(b), 0, 1), 1.0
    mse = np.mean((a - b) ** 2, dtype=np.float64)
    return float("inf") if mse == 0 else float(10 * np.log10(peak ** 2 / mse))


def _unit_float(image: np.ndarray) -> np.ndarray:
    """uint8 in 0–255 or float in [0, 1] -> float64 in [0, 1]."""
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    return image.astype(np.float64, copy=False)


# ----------------------------------------------------------------------------- scores

def auc(negative_scores, positive_scores) -> float:
    """Area under the ROC curve: the chance that a random positive (a fake, the same person) scores higher than
    a random negative (a real picture, two different people), ties counting half. 1 perfect, 0.5 guessing.
    The pairs are counted by sorting (no N × M table), so thousands of scores cost nothing."""
    neg = np.sort(np.asarray(negative_scores, float).ravel())
    pos = np.asarray(positive_scores, float).ravel()
    if len(neg) == 0 or len(pos) == 0:
        raise CourseError("auc needs at least one score of each kind (negative and positive).")
    below = np.searchsorted(neg, pos, side="left")  # negatives strictly lower than each positive
    tied = np.searchsorted(neg, pos, side="right") - below
    pairs = len(neg) * len(pos)
    return float(below.sum() / pairs + 0.5 * (tied.sum() / pairs))


# ----------------------------------------------------------------------------- logistic regression

@dataclass
class Logistic:
    """p(fake | x) = σ(w · (x − mean) / std + b); mean, std from the training features."""

    w: np.ndarray
    b: float
    mean: np.ndarray
    std: np.ndarray


def fit_logistic(X, y, l2: float = 1e-3, steps: int = 300) -> Logistic:
    """Logistic regression, written out: X (N, D) features, y (N,) 0/1. Features standardised; the two
    classes weighted equally whatever their counts; L2 penalty l2·|w|²/2; Newton's method (each step
    solves a D × D system, so a few dozen steps converge)."""
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64).ravel()
    if X.ndim != 2 or len(X) != len(y) or not np.all((y == 0) | (y == 1)):
        raise CourseError(f"fit_logistic needs X (N, D) and labels y (N,) of 0s and 1s; got X {X.shape} and y {y.shape}.")
    if y.min() == y.max():
        raise CourseError("fit_logistic needs examples of both classes (real = 0 and fake = 1).")
    mean, std = X.mean(0), X.std(0) + 1e-8
    Z = np.hstack([(X - mean) / std, np.ones((len(X), 1))])
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean())) / len(y)
    theta = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(Z @ theta, -30, 30)))
        grad = Z.T @ (weight * (p - y)) + reg * theta
        hess = (Z * (weight * p * (1 - p))[:, None]).T @ Z + np.diag(reg + 1e-9)
        delta = np.linalg.solve(hess, grad)
        theta -= delta
        if np.abs(delta).max() < 1e-8:
            break
    return Logistic(theta[:-1], float(theta[-1]), mean, std)


def predict_logistic(model: Logistic, X) -> np.ndarray:
    """(N,) probabilities of 'fake' in [0, 1] for features X (N, D)."""
    z = ((np.asarray(X, np.float64) - model.mean) / model.std) @ model.w + model.b
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))
