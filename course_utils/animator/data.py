"""Training pairs for the learned animator, with their provenance.

Two sources, mixed in every batch:

- **FaceWorld** pairs (flow.pairs.training_pairs): one synthetic person at two moments, with the exact backward
  flow and the pixels visible in both frames (`valid`): the motion and the mask are supervised where the truth
  is known, and the mouth opens onto teeth the source never showed.
- **Real** pairs, self-supervised: a source and a target frame of one real clip (`../shared/real_faces/`, read
  through course_utils.driving: decoded at 25 fps, dlib's landmarks tracked and smoothed). Each clip is framed
  once, like a FaceWorld render, from its neutral frame, so the head's own motion stays in the crop. Their
  file names and SHA-256 go into the checkpoint's manifest.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..checkpoints import sha256_of
from ..config import REPO_ROOT, data_dir, save_npz

REAL_CLIPS_DIR = REPO_ROOT.parent / "shared" / "real_faces"
# four clips train; speaker_d12 and speaker_d20 are held out, so two of the bench's six drivers were never seen
TRAIN_CLIPS = ("speaker_d3", "speaker_d6", "speaker_d10", "speaker_d18")
REAL_CLIPS_SOURCE = ("LivePortrait demo driving clips (github.com/KwaiVGI/LivePortrait, assets/examples/driving/, "
                     "MIT licence, commit 1986663be3b6902605d32200c01f4bfd36cda83d), renamed speaker_<name>.mp4")


def faceworld_data(n_identities: int, per_identity: int, size: int, seed: int = 0, verbose: bool = True) -> dict:
    """FlowPairs of the first n FaceWorld train identities as arrays (source, target, flow, valid, points),
    rendered once and cached in the data cache."""
    from ..faces.splits import split_seeds
    from ..flow.pairs import stack_pairs, training_pairs

    path = Path(data_dir()) / f"animator_faceworld_{n_identities}x{per_identity}_s{seed}_{size}.npz"
    if path.exists():
        with np.load(path) as z:
            return dict(z)
    if verbose:
        print(f"rendering {n_identities} FaceWorld identities x {per_identity} pairs at {size} px -> {path}", flush=True)
    data = stack_pairs(training_pairs(split_seeds("train", n_identities), per_identity, size, seed, verbose=verbose))
    data["flow"] = data["flow"].astype(np.float16)
    save_npz(path, **data)
    return data


def frame_clip(frames: np.ndarray, points: np.ndarray, reference: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(crops (T, size, size, 3) uint8, points (T, 68, 2) px in them): every frame cut with the one similarity that
    frames the reference frame's face like a FaceWorld render."""
    import cv2

    from ..faces.drivers import faceworld_five_points
    from ..faces.framing import crop_with_matrix, five_points, move_points, similarity_transform

    matrix = similarity_transform(five_points(points[reference]), faceworld_five_points(size))
    crops = np.stack([crop_with_matrix(f, matrix, size, cv2.INTER_AREA, cv2.BORDER_REPLICATE) for f in frames])
    return crops, np.stack([move_points(p, matrix) for p in points]).astype(np.float32)


def real_data(names=TRAIN_CLIPS, size: int = 64, folder: Path = REAL_CLIPS_DIR, verbose: bool = True) -> dict | None:
    """The real clips as training frames: {'frames' (N, size, size, 3), 'points' (N, 68, 2), 'clip' (N,) index,
    'files': [{'file', 'sha256', 'frames'}]}; None when the folder is absent (training then uses FaceWorld only)."""
    from ..driving import load_video

    paths = [folder / f"{n}.mp4" for n in names]
    if not all(p.exists() for p in paths):
        return None
    frames, points, clip, files = [], [], [], []
    t0 = time.time()
    for i, path in enumerate(paths):
        video = load_video(path, size=max(256, 2 * size))
        crops, pts = frame_clip(video.frames, video.points, video.reference, size)
        frames.append(crops)
        points.append(pts)
        clip.append(np.full(len(crops), i))
        files.append({"file": path.name, "sha256": sha256_of(path), "frames": len(crops)})
        if verbose:
            print(f"  {path.name}: {len(crops)} frames ({time.time() - t0:.0f} s)", flush=True)
    return {"frames": np.concatenate(frames), "points": np.concatenate(points), "clip": np.concatenate(clip),
            "files": files}


def real_pairs(real: dict, n: int, rng: np.random.Generator, max_gap: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """n (source index, target index) pairs of frames of one clip, at most max_gap frames (4 s) apart."""
    src = rng.integers(0, len(real["frames"]), n)
    clip = real["clip"]
    tgt = np.clip(src + rng.integers(-max_gap, max_gap + 1, n), 0, len(clip) - 1)
    same = clip[tgt] == clip[src]
    tgt = np.where(same, tgt, src)  # a pair that crossed into the next clip keeps the source as its target
    return src, tgt
