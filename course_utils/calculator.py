"""Chapter 01 plumbing: drawing an image as the grid of numbers it is.

The chapter's ideas (rule tables, the regression tree, the tiny network, the pixel model) live in
the notebook itself; this module only holds the drawing code that would clutter it.
"""

from __future__ import annotations

import numpy as np

from .errors import CourseError


def _luminance(patch: np.ndarray) -> np.ndarray:
    """(h, w) brightness in 0–255 of an (h, w) or (h, w, 3) patch, to pick a readable text colour."""
    p = np.asarray(patch, dtype=float)
    if p.ndim == 3:
        p = p @ np.array([0.2126, 0.7152, 0.0722])
    return p


def annotate_pixels(ax, patch: np.ndarray, fontsize: float | None = None) -> list:
    """Draw a small (h, w) or (h, w, 3) uint8 patch enlarged, each pixel labelled with its value(s).

    Colour pixels get three lines (red, green, blue). Text is white on dark pixels and black on light
    ones. Pixel centres sit at integer coordinates (column, row), as with ax.imshow. Returns the texts.
    """
    patch = np.asarray(patch)
    if patch.ndim not in (2, 3) or (patch.ndim == 3 and patch.shape[2] != 3):
        raise CourseError(f"annotate_pixels needs an (h, w) or (h, w, 3) array, but got shape {patch.shape}.")
    h, w = patch.shape[:2]
    if h * w > 400:
        raise CourseError(f"A {h} × {w} patch has too many pixels to label readably; crop it to at most 20 × 20.")
    if patch.ndim == 2:
        ax.imshow(patch, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    else:
        ax.imshow(patch.astype(np.uint8), interpolation="nearest")
    lum = _luminance(patch)
    if fontsize is None:
        fontsize = max(5.0, min(11.0, 70.0 / max(h, w))) * (0.8 if patch.ndim == 3 else 1.0)
    texts = []
    for r in range(h):
        for c in range(w):
            value = patch[r, c]
            label = "\n".join(str(int(v)) for v in value) if patch.ndim == 3 else str(int(value))
            color = "white" if lum[r, c] < 128 else "black"
            texts.append(ax.text(c, r, label, ha="center", va="center", fontsize=fontsize, color=color, linespacing=1.0))
    ax.grid(False)
    return texts


def mark_box(ax, top: int, left: int, height: int, width: int, color: str = "#e07a1f", linewidth: float = 2.0):
    """Outline the pixels rows top..top+height-1, columns left..left+width-1 of an image drawn with imshow."""
    from matplotlib.patches import Rectangle

    rect = Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color, linewidth=linewidth)
    ax.add_patch(rect)
    return rect
