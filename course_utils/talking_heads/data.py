"""Where episodes come from: FaceWorld videos, or a folder of real talking-head .mp4 files.

An episode (Zakharov et al. 2019, paraphrased): pick a video i, sample K frames of it for the embedder
and one more target frame t — afresh every time it is drawn. Both sources below give the same dict as
course_utils.talking_heads.episodes.EpisodeDataset:

    frames (K, 3, S, S), landmark_images (K, 3, S, S), target (3, S, S), target_landmark_image (3, S, S)
    float32 in [-1, 1]; target_landmarks (68, 2) float32 px; index (int: the video's column of W);
    seed; times (K + 1,) the frames drawn, target last.

What re-implementations got wrong, and what is done here instead: landmarks are extracted ONCE per
video and cached (never inside the training loop), and the K + 1 frames are redrawn on every access
(never fixed at preprocessing time). The landmark images are drawn on the fly (cv2.polylines, ~0.1 ms).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..errors import CourseError
from ..faces.splits import split_seeds
from ..config import save_npz
from ..tensors import image_to_tensor, landmark_tensor
from .episodes import EpisodeDataset


def cache_dir() -> Path:
    """<data cache>/talking_heads/cache: rendered FaceWorld frame banks and extracted video landmarks."""
    from ..config import data_dir

    path = data_dir() / "talking_heads" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def draw_episode(images: np.ndarray, landmarks: np.ndarray, k: int, index: int, seed: int = -1) -> dict:
    """An episode from one video's frames (F, S, S, 3) uint8 and landmarks (F, 68, 2): K + 1 distinct frames
    drawn with torch's random generator (so draws follow torch.manual_seed and differ every time)."""
    n, size = len(images), images.shape[1]
    if n < k + 1:
        raise CourseError(f"Video {index} has {n} usable frames; an episode with K = {k} needs {k + 1}.")
    times = torch.randperm(n)[: k + 1]
    ims = [image_to_tensor(images[t]) for t in times.tolist()]
    marks = [landmark_tensor(landmarks[t], size) for t in times.tolist()]
    return {"frames": torch.stack(ims[:-1]), "landmark_images": torch.stack(marks[:-1]), "target": ims[-1],
            "target_landmark_image": marks[-1], "target_landmarks": torch.from_numpy(np.float32(landmarks[times[-1]])),
            "index": index, "seed": seed, "times": times}


def collate(episodes: list[dict]) -> dict:
    """Stack a list of episodes into a batch: tensors gain a leading B; index becomes a (B,) long tensor."""
    out = {}
    for key in episodes[0]:
        vals = [e[key] for e in episodes]
        out[key] = torch.stack(vals) if torch.is_tensor(vals[0]) else torch.as_tensor(vals, dtype=torch.long)
    return out


class FrameBankEpisodes(torch.utils.data.Dataset):
    """Episodes from pre-extracted videos: images (N, F, S, S, 3) uint8, landmarks (N, F, 68, 2) float32."""

    def __init__(self, images: np.ndarray, landmarks: np.ndarray, k: int, seeds=None):
        self.images, self.landmarks, self.k = images, landmarks, k
        self.seeds = list(seeds) if seeds is not None else [-1] * len(images)
        self.size = images.shape[2]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < len(self):
            raise IndexError(index)
        return draw_episode(self.images[index], self.landmarks[index], self.k, index, int(self.seeds[index]))


def faceworld_bank(split: str = "train", n_videos: int = 100, size: int = 64, frames_per_video: int = 64,
                   video_length: int = 250, progress: bool = True) -> tuple[np.ndarray, np.ndarray, range]:
    """Render `frames_per_video` evenly spaced moments of each of the first n FaceWorld videos of a split
    (EpisodeDataset's identities and talking trajectories), once, cached in the data cache.
    Returns (images (N, F, S, S, 3) uint8, landmarks (N, F, 68, 2) float32, seeds)."""
    from .. import faces

    seeds = split_seeds(split, n_videos)
    path = cache_dir() / f"faceworld_{split}_n{n_videos}_s{size}_f{frames_per_video}_l{video_length}.npz"
    if path.exists():
        with np.load(path) as d:
            return d["images"], d["landmarks"], seeds
    live = EpisodeDataset(split, n_videos, k=1, size=size, video_length=video_length)
    times = np.linspace(0, video_length - 1, frames_per_video).round().astype(int)
    images = np.empty((n_videos, frames_per_video, size, size, 3), np.uint8)
    points = np.empty((n_videos, frames_per_video, 68, 2), np.float32)
    from tqdm.auto import tqdm

    for i in tqdm(range(n_videos), desc=f"rendering FaceWorld {split} videos (once)", disable=not progress):
        person, trajectory = live.video(i)
        for j, t in enumerate(times):
            out = faces.render(person, trajectory[t], size)
            images[i, j], points[i, j] = out.image, out.landmarks
        live._videos.clear()
    faces.clear_caches()
    save_npz(path, images=images, landmarks=points)
    return images, points, seeds


def faceworld_episodes(split: str = "train", n_videos: int = 100, k: int = 8, size: int = 64,
                       frames_per_video: int | None = 64, progress: bool = True) -> torch.utils.data.Dataset:
    """FaceWorld episodes. frames_per_video=None: EpisodeDataset itself (renders every draw, ~8 ms a frame at
    64 px); a number: that many moments per video rendered once and cached, episodes redrawn from them."""
    if frames_per_video is None:
        return EpisodeDataset(split, n_videos, k=k, size=size)
    images, points, seeds = faceworld_bank(split, n_videos, size, frames_per_video, progress=progress)
    return FrameBankEpisodes(images, points, k, seeds)


# ----------------------------------------------------------------------------- real videos

def write_video(path: str | Path, frames, fps: float = 25.0) -> Path:
    """Write (T, H, W, 3) uint8 frames as an .mp4 (imageio with ffmpeg; OpenCV's mp4v as a fallback)."""
    path = Path(path)
    frames = np.asarray(frames, np.uint8)
    try:
        import imageio.v3 as iio

        iio.imwrite(path, frames, fps=fps, codec="libx264", macro_block_size=1, quality=9)
    except Exception:  # noqa: BLE001 - no ffmpeg backend: OpenCV writes MPEG-4 part 2 without any download
        import cv2

        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, frames.shape[2:0:-1])
        for f in frames:
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        writer.release()
    return path


def read_video(path: str | Path, max_frames: int | None = None) -> np.ndarray:
    """(T, H, W, 3) uint8 RGB frames of a video file, at most max_frames evenly spaced ones."""
    frames = []
    try:
        import imageio.v3 as iio

        frames = [np.asarray(f)[..., :3] for f in iio.imiter(path)]
    except Exception:  # noqa: BLE001 - no ffmpeg backend: OpenCV reads it
        import cv2

        cap = cv2.VideoCapture(str(path))
        while True:
            ok, f = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
        cap.release()
    if not frames:
        raise CourseError(f"No frames could be read from {Path(path).name}; is it a video file?")
    if max_frames and len(frames) > max_frames:
        keep = np.linspace(0, len(frames) - 1, max_frames).round().astype(int)
        frames = [frames[i] for i in keep]
    return np.stack(frames)


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:20]


def crop_video(frames: np.ndarray, points: np.ndarray, size: int, margin: float = 1.8):
    """One square crop for the whole video around all its landmarks (so head motion stays in the picture):
    side = margin × the landmarks' largest extent, centred on their box. Returns (frames (T, size, size, 3)
    uint8, points (T, 68, 2) in the crop's pixels)."""
    import cv2

    lo, hi = points.reshape(-1, 2).min(0), points.reshape(-1, 2).max(0)
    centre, side = (lo + hi) / 2, float((hi - lo).max()) * margin
    scale = size / side
    # image point p -> crop point (p - (centre - side / 2)) * scale, with pixel centres at integers
    m = np.float32([[scale, 0, (side / 2 - centre[0]) * scale + 0.5 * scale - 0.5],
                    [0, scale, (side / 2 - centre[1]) * scale + 0.5 * scale - 0.5]])
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    out = np.stack([cv2.warpAffine(f, m, (size, size), flags=interp, borderMode=cv2.BORDER_REPLICATE) for f in frames])
    return out, (points @ m[:, :2].T + m[:, 2]).astype(np.float32)


class VideoFolderDataset(torch.utils.data.Dataset):
    """Episodes from a folder of talking-head videos (*.mp4, *.avi, *.mov, *.webm): item i is an episode of
    video i (its column of the discriminator's W), with K + 1 frames redrawn on every access.

    Each video is read once: up to `max_frames` evenly spaced frames, the 68 landmarks of each found with
    `detector` (default course_utils.landmarks.detect with `backend`; frames with no face are dropped), one
    square crop around the face resized to `size`; frames and landmarks are cached as .npz in the data cache,
    keyed by the file's SHA-256, and reused by every later construction. `detections` counts detector calls."""

    EXTENSIONS = (".mp4", ".avi", ".mov", ".webm", ".mkv")

    def __init__(self, folder: str | Path, size: int = 64, k: int = 8, backend: str = "auto", max_frames: int = 64,
                 detector: Callable[[np.ndarray], np.ndarray] | None = None, progress: bool = True):
        folder = Path(folder)
        self.paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in self.EXTENSIONS) if folder.is_dir() else []
        if not self.paths:
            raise CourseError(f"No videos ({', '.join(self.EXTENSIONS)}) were found in {folder}; "
                              "put talking-head clips there, one person per clip.")
        self.size, self.k, self.backend, self.max_frames = size, k, backend, max_frames
        self._detector = detector
        self.detections = 0
        self.cache_hits = 0
        from tqdm.auto import tqdm

        self.images, self.landmarks = [], []
        for path in tqdm(self.paths, desc="videos (landmarks extracted once)", disable=not progress):
            images, points = self._load(path)
            self.images.append(images)
            self.landmarks.append(points)

    def detect(self, frame: np.ndarray) -> np.ndarray:
        self.detections += 1
        if self._detector is not None:
            return np.asarray(self._detector(frame), np.float32)
        from ..landmarks import detect

        return detect(frame, backend=self.backend).faces[0].points

    def _load(self, path: Path):
        key = hashlib.sha256(json.dumps([file_hash(path), self.size, self.max_frames,
                                         "custom" if self._detector else self.backend]).encode()).hexdigest()[:20]
        cached = cache_dir() / f"video_{key}.npz"
        if cached.exists():
            self.cache_hits += 1
            with np.load(cached) as d:
                return d["images"], d["landmarks"]
        frames = read_video(path, self.max_frames)
        kept, points = [], []
        for f in frames:
            try:
                points.append(self.detect(f))
                kept.append(f)
            except CourseError:   # no face in this frame: leave it out
                pass
        if len(kept) < self.k + 1:
            raise CourseError(f"Only {len(kept)} frames of {path.name} show a face; an episode needs K + 1 = {self.k + 1}.")
        images, pts = crop_video(np.stack(kept), np.stack(points), self.size)
        save_npz(cached, images=images, landmarks=pts, source=np.array(str(path.name)))
        return images, pts

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < len(self):
            raise IndexError(index)
        return draw_episode(self.images[index], self.landmarks[index], self.k, index)
