"""Plot styling and small display helpers, kept out of the notebooks' way."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import CourseError

COURSE_COLORS = ["#1f5f8b", "#e07a1f", "#3a9a5b", "#c0392b", "#7d5ba6", "#8c6d31", "#d35d9b", "#5f6b73"]


def use_course_style() -> None:
    """One look for every figure: readable fonts on a projector, light grid, no top/right spines."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (7.5, 4.2),
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "savefig.bbox": "tight",
            "font.size": 11,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.prop_cycle": mpl.cycler(color=COURSE_COLORS),
            "legend.frameon": False,
            "image.cmap": "gray",
            "animation.html": "jshtml",
        }
    )


def show_images(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    size: float = 2.4,
    suptitle: str | None = None,
    cmap: str | None = None,
):
    """Show (H, W) or (H, W, 3) arrays in a grid, without axes; returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    images = [np.asarray(im) for im in images]   # each picture converted once
    n = len(images)
    ncols = ncols or min(n, 6)
    nrows = int(np.ceil(n / ncols))
    aspect = max(im.shape[0] / max(im.shape[1], 1) for im in images) if n else 1.0
    room = 0.3 * nrows if titles is not None else 0.0   # each row's titles need their own height (or they overlap)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,   # rows as tall as the tallest picture needs
                             figsize=(size * ncols, size * min(aspect, 1.0) * nrows + room + (0.4 if suptitle else 0)))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = images[i]
        ax.imshow(img, cmap=cmap or ("gray" if img.ndim == 2 else None), interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=10, fontweight="normal")
    if suptitle:
        fig.suptitle(suptitle, fontweight="bold")
    fig.tight_layout()
    return fig


def save_figure(fig, name: str, chapter: str | None = None) -> Path:
    """Save a figure as PNG into the course's output folder; returns the path."""
    from .config import output_dir

    path = output_dir(chapter) / (name if name.endswith(".png") else f"{name}.png")
    fig.savefig(path)
    return path


def show_source(obj) -> None:
    """Display the source code of a course_utils function or class, highlighted, in a notebook."""
    src = inspect.getsource(obj)
    try:
        from IPython.display import Code, display

        display(Code(src, language="python"))
    except ImportError:
        print(src)


def gif_frame(frame: np.ndarray):
    """One (H, W, 3) uint8 frame as a 256-colour palette image for a GIF. Fast octree quantisation (under 1 ms
    at 256 px, ~90x faster than median cut on a colourful face) — except where it wastes the palette: on
    nearly one-hue pictures (sepia, greys) it uses few colours and shows bands, so median cut (8 ms) is used."""
    from PIL import Image

    picture = Image.fromarray(np.asarray(frame, dtype=np.uint8))
    fast = picture.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    if len(fast.getcolors(256) or ()) >= 200:
        return fast
    return picture.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def animation(frames: Sequence[np.ndarray], fps: float = 25.0, name: str | None = None, chapter: str | None = None,
              width: int | None = 256):
    """Show (H, W, 3) uint8 frames as a looping animated GIF inline (it plays by itself: no buttons to
    press), displayed `width` pixels wide; with `name`, also save it as <name>.gif in the output folder.
    Returns the IPython display object (or the GIF bytes outside IPython). The GIF is embedded as an HTML
    <img> with a data URI, so it plays in JupyterLab, in exported HTML and on a Voilà page alike."""
    import base64
    import io

    frames = [np.asarray(f, dtype=np.uint8) for f in frames]
    if not frames:
        raise CourseError("animation got no frames: pass a list of at least one (H, W, 3) picture.")
    pictures = [gif_frame(f) for f in frames]
    buf = io.BytesIO()
    pictures[0].save(buf, format="GIF", save_all=True, append_images=pictures[1:], duration=1000.0 / fps, loop=0)
    data = buf.getvalue()
    if name:
        from .config import output_dir

        (output_dir(chapter) / (name if name.endswith(".gif") else f"{name}.gif")).write_bytes(data)
    try:
        from IPython.display import HTML
    except ImportError:
        return data
    size = f' width="{int(width)}"' if width else ""
    alt = f' alt="{name}"' if name else ' alt="animation"'
    return HTML(f'<img src="data:image/gif;base64,{base64.b64encode(data).decode()}"{size}{alt}>')

