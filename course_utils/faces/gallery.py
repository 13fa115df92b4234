"""Contact sheets of FaceWorld: several identities in several poses and expressions, with the
landmarks drawn on a second copy, to look at (and to show learners what the data is)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .identity import Expression, Frame, Pose, sample_identity
from .renderer import render

GALLERY_FRAMES = (
    Frame(),
    Frame(Pose(yaw=25, pitch=5)),
    Frame(Pose(yaw=-20, roll=10), Expression(jaw_open=0.8)),
    Frame(Pose(pitch=-10), Expression(smile=1.0)),
    Frame(Pose(yaw=10), Expression(blink_left=1.0, blink_right=1.0, brow_raise=1.0)),
)


def draw_points(image: np.ndarray, landmarks: np.ndarray, visible: np.ndarray | None = None) -> np.ndarray:
    """A copy of image with landmarks as dots: green where visible, red where hidden."""
    out = image.copy()
    r = max(1, image.shape[0] // 128)
    for i, (x, y) in enumerate(landmarks):
        seen = True if visible is None else bool(visible[i])
        cv2.circle(out, (int(round(x)), int(round(y))), r, (0, 255, 0) if seen else (255, 0, 0), -1)
    return out


def part_colors() -> np.ndarray:
    """(68, 3) float RGB in [0, 1]: each landmark in its part's colour (landmark_drawing.PART_COLORS)."""
    from .landmark_drawing import PART_COLORS
    from .template import PARTS

    rgb = np.zeros((68, 3))
    for name, (start, end) in PARTS.items():
        rgb[start:end] = np.array(PART_COLORS[name]) / 255
    return rgb


def plot_points(ax, image: np.ndarray, points: np.ndarray, title: str | None = None, numbers: bool = False,
                color=None, size: float = 18, edge: float = 0.5, label: str | None = None) -> None:
    """draw_points on a matplotlib axis: the image with points (N, 2) px as dots outlined in black (`edge` wide),
    coloured by face part (68 points, color None) or all in `color`; numbers=True writes each point's index
    beside it; then the title, and no pixel axes."""
    ax.imshow(image)
    ax.scatter(points[:, 0], points[:, 1], s=size, c=part_colors() if color is None else color,
               edgecolors="black", linewidths=edge, label=label)
    if numbers:
        for i, (x, y) in enumerate(points):
            ax.annotate(str(i), (x, y), xytext=(3, -3), textcoords="offset points", fontsize=7.5,
                        color="black", bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.6))
    if title is not None:
        ax.set_title(title, fontsize=10)
    ax.axis("off")


def gallery(seeds=range(6), frames=GALLERY_FRAMES, size: int = 128, landmarks: bool = True) -> np.ndarray:
    """One row per identity: its frames, then (if landmarks) the same frames with the 68 points.
    (rows * size, n * size, 3) uint8 RGB."""
    rows = []
    for s in seeds:
        person = sample_identity(int(s))
        outs = [render(person, f, size) for f in frames]
        row = [o.image for o in outs]
        if landmarks:
            row += [draw_points(o.image, o.landmarks, o.visible) for o in outs]
        rows.append(np.concatenate(row, axis=1))
    return np.concatenate(rows, axis=0)


def save_gallery(path: str | Path, **kwargs) -> Path:
    """Write gallery(**kwargs) to a PNG file; returns the path."""
    path = Path(path)
    cv2.imwrite(str(path), cv2.cvtColor(gallery(**kwargs), cv2.COLOR_RGB2BGR))
    return path
