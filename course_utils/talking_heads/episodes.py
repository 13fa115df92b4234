"""Meta-learning episodes from FaceWorld, as in Zakharov et al. (2019): K frames of one person for the
embedder, plus one more target frame of the same person for the generator — drawn afresh every time.

Identities come from FaceWorld's splits (course_utils.faces.splits: seed ranges that never overlap), so
a model meta-trained on `train` meets the people of `validation` and `test` for the first time.

Each identity has one "video": a talking trajectory (talking_frames) of `video_length` frames seeded by
the identity. An episode samples K + 1 distinct moments of it with torch's random generator, so draws
follow torch.manual_seed and DataLoader worker seeding, and two draws of one person differ.
"""

from __future__ import annotations

import torch

from ..errors import CourseError
from ..faces.identity import sample_identity
from ..faces.renderer import render
from ..faces.splits import split_seeds
from ..faces.video import talking_frames
from ..tensors import image_to_tensor, landmark_tensor


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
            images.append(image_to_tensor(out.image))
            marks.append(landmark_tensor(out.landmarks, self.size))
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
