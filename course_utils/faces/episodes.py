"""Meta-learning episodes from FaceWorld, as in Zakharov et al. (2019): K frames of one person for the
embedder, plus one more target frame of the same person for the generator — drawn afresh every time.

Identities are split by seed ranges that never overlap, so a model meta-trained on `train` meets the
people of `validation` and `test` for the first time:

    train       seeds        0 … 99 999
    validation  seeds  100 000 … 100 999
    test        seeds  101 000 … 101 999

Each identity has one "video": a talking trajectory (talking_frames) of `video_length` frames seeded by
the identity. An episode samples K + 1 distinct moments of it with torch's random generator, so draws
follow torch.manual_seed and DataLoader worker seeding, and two draws of one person differ.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import CourseError
from .identity import sample_identity
from .landmark_drawing import landmark_image
from .renderer import render
from .video import talking_frames

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


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, H, W) float32 in [-1, 1], the GAN's range."""
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div_(127.5).sub_(1.0)


def to_image(tensor: torch.Tensor) -> np.ndarray:
    """(3, H, W) in [-1, 1] -> (H, W, 3) uint8, the inverse of to_tensor."""
    t = tensor.detach().float().clamp(-1, 1).add(1).mul(127.5).round().byte()
    return t.permute(1, 2, 0).cpu().numpy()


class EpisodeDataset(torch.utils.data.Dataset):
    """Item i is an episode of identity i of the split: a dict of
    frames (K, 3, S, S) and landmark_images (K, 3, S, S), float32 in [-1, 1];
    target and target_landmark_image (3, S, S); target_landmarks (68, 2) float32 pixels;
    index (int, the identity's column in the discriminator's W), seed (its FaceWorld seed) and
    times (K + 1,) the moments drawn, target last."""

    def __init__(self, split: str = "train", n_identities: int = 100, k: int = 8, size: int = 64,
                 video_length: int = 250, fps: float = 25.0):
        if k < 1:
            raise CourseError(f"An episode needs at least one frame for the embedder (k ≥ 1), not k = {k}.")
        if video_length < k + 1:
            raise CourseError(f"A video of {video_length} frames cannot give {k} + 1 different moments.")
        self.seeds = split_seeds(split, n_identities)
        self.split, self.k, self.size, self.video_length, self.fps = split, k, size, video_length, fps
        self._videos: dict[int, list] = {}

    def __len__(self) -> int:
        return len(self.seeds)

    def video(self, index: int):
        """The identity and its talking trajectory (built once per identity, then reused)."""
        seed = self.seeds[index]
        if seed not in self._videos:
            self._videos[seed] = talking_frames(self.video_length, self.fps, seed=seed)
        return sample_identity(seed), self._videos[seed]

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < len(self):
            raise IndexError(index)
        person, frames = self.video(index)
        times = torch.randperm(self.video_length)[: self.k + 1]
        images, marks, points = [], [], []
        for t in times.tolist():
            out = render(person, frames[t], self.size)
            images.append(to_tensor(out.image))
            marks.append(to_tensor(landmark_image(out.landmarks, self.size)))
            points.append(out.landmarks)
        return {
            "frames": torch.stack(images[:-1]),
            "landmark_images": torch.stack(marks[:-1]),
            "target": images[-1],
            "target_landmark_image": marks[-1],
            "target_landmarks": torch.from_numpy(points[-1]),
            "index": index,
            "seed": self.seeds[index],
            "times": times,
        }
