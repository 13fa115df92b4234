"""The course's own 68-point landmark detector: a small heatmap network in the spirit of FAN.

FAN (Bulat & Tzimiropoulos, 2017) predicts one heatmap per landmark and reads each point off its
heatmap. LandmarkNet does the same at toy scale, trained only on FaceWorld renders:

    input   (B, 3, 64, 64) float in [-1, 1]  -- the whole 64 px FaceWorld render (its usual framing)
    output  (B, 68, 32, 32) heatmaps         -- one per iBUG point, stride 2 w.r.t. the input

Coordinates. Points are in input pixel coordinates with pixel *centres* at integer coordinates
(pixel (0, 0) covers [-0.5, 0.5]^2), the convention of FaceWorld's landmarks. Heatmap cell j (of a
map with stride s = 64 / map size) is centred on input coordinate (j + 0.5) * s - 0.5.

Read-out (`heatmaps_to_points`): the argmax cell of each heatmap, then the centroid of the
non-negative heatmap values in a (2r+1) x (2r+1) window around it (r = 3 cells). For a Gaussian
blob that is accurate to ~0.01 cell -- sub-pixel -- and it is differentiable in the heatmap values,
so training adds an L1 loss on the read-out points to the heatmap MSE (as in integral regression).

    # how the shipped checkpoint was made (1 torch thread, ~19 min of a shared 2-core CPU):
    python -m course_utils.landmark_net train --steps 6000 --seed 0 --time-limit 840
    python -m course_utils.landmark_net train --continue --steps 3000 --seed 1 --lr 5e-4 --time-limit 290
    python -m course_utils.landmark_net eval                          # evaluates the shipped checkpoint

The first run renders and caches its data (240 train identities x 20 frames, 100 test identities
x 2 frames) in the course data cache, ~5 min once. `--time-limit` ends training by wall time (the
learning-rate schedule follows whichever of steps or time runs out first); `--continue` starts from
the shipped checkpoint and records the chained command in the manifest.

    >>> from course_utils import landmark_net
    >>> model = landmark_net.load_detector()
    >>> pts = landmark_net.predict(model, out.image)     # (1, 68, 2) for one (64, 64, 3) uint8 image
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .errors import CourseError
from .tensors import image_to_tensor, n_params
from .training import continued, half_state, optimise, train_arguments

INPUT_SIZE = 64
MAP_SIZE = 32
N_POINTS = 68
SIGMA = 1.0          # target Gaussian width, in heatmap cells
WINDOW = 3           # read-out window radius, in heatmap cells
CHECKPOINT_NAME = "landmarks"
MAX_YAW = 35.0


# ----------------------------------------------------------------------------- heatmaps and read-out

def _stride(size: int) -> float:
    return INPUT_SIZE / size


def make_heatmaps(points: torch.Tensor, size: int = MAP_SIZE, sigma: float = SIGMA) -> torch.Tensor:
    """Gaussian target heatmaps (B, K, size, size), peak 1, for points (B, K, 2) in input pixels."""
    points = torch.as_tensor(points, dtype=torch.float32)
    s = _stride(size)
    u = (points + 0.5) / s - 0.5                     # heatmap-cell coordinates
    grid = torch.arange(size, dtype=torch.float32, device=points.device)
    gx = torch.exp(-(grid.view(1, 1, -1) - u[..., 0:1]) ** 2 / (2 * sigma ** 2))   # (B, K, size)
    gy = torch.exp(-(grid.view(1, 1, -1) - u[..., 1:2]) ** 2 / (2 * sigma ** 2))
    return gy.unsqueeze(-1) * gx.unsqueeze(-2)       # (B, K, y, x)


def heatmaps_to_points(h: torch.Tensor, window: int = WINDOW) -> torch.Tensor:
    """Sub-pixel points (B, K, 2) as (x, y) in input pixels from heatmaps (B, K, S, S).

    Argmax cell, then the centroid of relu(h) inside a (2*window+1)^2 box around it; the box is
    chosen without gradient, the centroid is differentiable. Cell (i, j) -> pixel ((j+.5)s-.5, (i+.5)s-.5).
    """
    B, K, S, S2 = h.shape
    flat = h.reshape(B, K, -1)
    idx = flat.argmax(-1)
    iy = torch.div(idx, S2, rounding_mode="floor").to(h.dtype)
    ix = (idx % S2).to(h.dtype)
    gy = torch.arange(S, dtype=h.dtype, device=h.device).view(1, 1, S, 1)
    gx = torch.arange(S2, dtype=h.dtype, device=h.device).view(1, 1, 1, S2)
    mask = ((gy - iy.view(B, K, 1, 1)).abs() <= window) & ((gx - ix.view(B, K, 1, 1)).abs() <= window)
    w = F.relu(h) * mask
    total = w.sum((2, 3)).clamp_min(1e-6)
    cx = (w * gx).sum((2, 3)) / total
    cy = (w * gy).sum((2, 3)) / total
    # fall back to the argmax where the window holds no positive mass
    empty = w.sum((2, 3)) <= 1e-6
    cx = torch.where(empty, ix, cx)
    cy = torch.where(empty, iy, cy)
    s = INPUT_SIZE / S2
    return torch.stack([(cx + 0.5) * s - 0.5, (cy + 0.5) * s - 0.5], dim=-1)


def landmark_loss(h: torch.Tensor, points: torch.Tensor, coord_weight: float = 0.1) -> torch.Tensor:
    """Heatmap MSE (x100, so it is O(1)) plus coord_weight x L1 (in pixels) of the read-out points."""
    target = make_heatmaps(points, h.shape[-1])
    loss = 100.0 * F.mse_loss(h, target)
    if coord_weight:
        loss = loss + coord_weight * (heatmaps_to_points(h) - points).abs().mean()
    return loss


# ----------------------------------------------------------------------------- the network

class _Res(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.skip is None else self.skip(x)))


class LandmarkNet(nn.Module):
    """A small one-stack hourglass: 64 -> 32 -> 16 -> 8 and back up to 32, skip connections added.

    Most of the work happens at 16x16 and 8x8; the 32x32 stage is thin, only sharpening the maps.
    (B, 3, 64, 64) in [-1, 1] -> (B, 68, 32, 32) heatmaps. ~0.75 M parameters at width 32.
    """

    def __init__(self, width: int = 32, n_points: int = N_POINTS):
        super().__init__()
        w = width
        self.stem = nn.Sequential(nn.Conv2d(3, w, 3, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True))  # 32
        self.d16 = nn.Sequential(_Res(w, 2 * w, 2), _Res(2 * w, 2 * w))                  # 16
        self.d8 = nn.Sequential(_Res(2 * w, 4 * w, 2), _Res(4 * w, 4 * w))              # 8
        self.u16 = nn.Sequential(nn.Conv2d(4 * w, 2 * w, 1, bias=False), nn.BatchNorm2d(2 * w))
        self.m16 = _Res(2 * w, 2 * w)
        self.u32 = nn.Sequential(nn.Conv2d(2 * w, w, 1, bias=False), nn.BatchNorm2d(w))
        self.head = nn.Sequential(nn.Conv2d(w, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
                                  nn.Conv2d(w, n_points, 1))

    def forward(self, x):
        a = self.stem(x)
        b = self.d16(a)
        c = self.d8(b)
        b = self.m16(b + F.interpolate(self.u16(c), scale_factor=2, mode="bilinear", align_corners=False))
        a = F.relu(a + F.interpolate(self.u32(b), scale_factor=2, mode="bilinear", align_corners=False))
        return self.head(a)


# ----------------------------------------------------------------------------- data

def render_set(seeds, frames_per_identity: int, seed: int, size: int = INPUT_SIZE, max_yaw: float = MAX_YAW,
               verbose: bool = False):
    """Render `frames_per_identity` random frames (|yaw| <= max_yaw, random expressions) of each
    identity seed: (images uint8 (N, size, size, 3), landmarks float32 (N, 68, 2))."""
    from . import faces

    rng = np.random.default_rng(seed)
    images, points = [], []
    t0 = time.time()
    seeds = list(seeds)
    for i, s in enumerate(seeds):
        person = faces.sample_identity(int(s))
        for _ in range(frames_per_identity):
            out = faces.render(person, faces.random_frame(rng, max_yaw=max_yaw), size=size)
            images.append(out.image)
            points.append(out.landmarks)
        if verbose and (i + 1) % 50 == 0:
            print(f"  rendered {i + 1}/{len(seeds)} identities ({time.time() - t0:.0f} s)", flush=True)
    faces.clear_caches()
    return np.stack(images), np.stack(points).astype(np.float32)


def _cached_set(tag: str, seeds, frames_per_identity: int, seed: int, verbose: bool = True):
    from .config import data_dir, save_npz

    seeds = list(seeds)
    path = Path(data_dir()) / f"landmark_net_{tag}_{seeds[0]}-{seeds[-1]}_x{frames_per_identity}_s{seed}.npz"
    if path.exists():
        d = np.load(path)
        return d["images"], d["points"]
    if verbose:
        print(f"rendering {len(seeds)} identities x {frames_per_identity} frames -> {path}", flush=True)
    images, points = render_set(seeds, frames_per_identity, seed, verbose=verbose)
    save_npz(path, images=images, points=points)
    return images, points


def train_set(n_identities: int = 240, frames: int = 20, seed: int = 0):
    """Cached renders of the first n train identities (FaceWorld split 'train')."""
    from .faces.splits import SPLITS

    return _cached_set("train", SPLITS["train"][:n_identities], frames, seed)


def test_set(n_identities: int = 100, frames: int = 2, seed: int = 12345):
    """Cached renders of held-out test identities (split 'test'; never seen in training)."""
    from .faces.splits import SPLITS

    return _cached_set("test", SPLITS["test"][:n_identities], frames, seed)


def augment(images: np.ndarray, points: np.ndarray, rng: np.random.Generator, strength: float = 1.0):
    """Random small similarity warp (scale, rotation, shift) of images and points, colour jitter,
    occasional blur and noise. Returns float images (B, 3, 64, 64) in [-1, 1] and points tensor."""
    import cv2

    B, H, W, _ = images.shape
    out = np.empty((B, H, W, 3), np.float32)
    pts = np.empty_like(points)
    c = np.array([(W - 1) / 2, (H - 1) / 2])
    for i in range(B):
        ang = rng.uniform(-12, 12) * strength
        sc = np.exp(rng.uniform(-0.1, 0.1) * strength)
        sh = rng.uniform(-3, 3, size=2) * strength
        M = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), ang, sc)
        M[:, 2] += sh
        img = cv2.warpAffine(images[i], M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        pts[i] = points[i] @ M[:, :2].T + M[:, 2]
        img = img.astype(np.float32)
        if rng.random() < 0.3 * strength:
            img = cv2.GaussianBlur(img, (3, 3), rng.uniform(0.3, 1.0))
        gain = rng.uniform(0.75, 1.25, size=3) if strength else np.ones(3)
        img = img * gain + rng.uniform(-20, 20) * strength
        gray = img.mean(-1, keepdims=True)
        sat = rng.uniform(0.7, 1.3) if strength else 1.0
        img = gray + (img - gray) * sat
        if rng.random() < 0.3 * strength:
            img = img + rng.normal(0, rng.uniform(2, 8), img.shape)
        out[i] = img
    x = image_to_tensor(np.clip(out, 0, 255))
    return x.contiguous(), torch.from_numpy(pts.astype(np.float32))


# ----------------------------------------------------------------------------- use

@torch.no_grad()
def predict(model: nn.Module, images: np.ndarray, batch: int = 256) -> torch.Tensor:
    """Points (B, 68, 2) in pixels for uint8 images (B, 64, 64, 3) or one (64, 64, 3)."""
    images = np.asarray(images)
    x = image_to_tensor(images[None] if images.ndim == 3 else images)
    if x.shape[-1] != INPUT_SIZE or x.shape[-2] != INPUT_SIZE:
        raise CourseError(f"LandmarkNet reads {INPUT_SIZE} × {INPUT_SIZE} FaceWorld-framed pictures, not "
                          f"{x.shape[-2]} × {x.shape[-1]}: crop the face first (landmarks.crop_for_box).")
    model.eval()
    return torch.cat([heatmaps_to_points(model(x[i:i + batch])) for i in range(0, len(x), batch)])


def nme(pred, target) -> np.ndarray:
    """Per-face normalised mean error: mean point distance / outer-eye-corner distance."""
    from .faces import inter_ocular

    pred = np.asarray(pred, np.float64)
    target = np.asarray(target, np.float64)
    err = np.linalg.norm(pred - target, axis=-1).mean(-1)
    return err / np.array([inter_ocular(t) for t in target])


def measure_fps(model: nn.Module, batch: int = 64, threads: int = 2, repeats: int = 5) -> float:
    """Faces per second of predict() on uint8 64 px batches of `batch`, with `threads` torch threads."""
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        images = np.random.default_rng(0).integers(0, 256, (batch, INPUT_SIZE, INPUT_SIZE, 3), dtype=np.uint8)
        predict(model, images)
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            predict(model, images)
            best = min(best, time.perf_counter() - t)
        return batch / best
    finally:
        torch.set_num_threads(old)


def evaluate(model: nn.Module, n: int = 200, seed: int = 12345, n_identities: int | None = None) -> dict:
    """NME on n renders of held-out test identities (2 random frames each by default) and faces/s."""
    n_id = n_identities or max(1, (n + 1) // 2)
    frames = max(1, -(-n // n_id))
    if n_id == 100 and frames == 2:
        images, points = test_set(100, 2, seed)
    else:
        from .faces.splits import SPLITS
        images, points = render_set(SPLITS["test"][:n_id], frames, seed)
    images, points = images[:n], points[:n]
    e = nme(predict(model, images).numpy(), points)
    return {"nme": float(e.mean()), "nme_median": float(np.median(e)), "n": int(len(e)), "fps": measure_fps(model)}


def load_detector(name: str = CHECKPOINT_NAME) -> LandmarkNet:
    """The shipped detector (checkpoints/landmarks.pt), float32, in eval mode."""
    from .checkpoints import load_checkpoint

    state = load_checkpoint(name)
    width = int(state.pop("_width", torch.tensor(32)))
    model = LandmarkNet(width=width)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()


# ----------------------------------------------------------------------------- training

def train(steps: int = 3000, batch: int = 16, seed: int = 0, lr: float = 2e-3, n_identities: int = 240,
          frames: int = 20, width: int = 32, threads: int | None = 1, init: str | None = None,
          save: bool = False, log_every: int = 100, eval_n: int = 200, data=None, time_limit: float | None = None,
          verbose: bool = True):
    """Train LandmarkNet on FaceWorld train identities; evaluate on held-out test identities; save.

    Returns (model, info) with info['losses'] (one per step) and, when eval_n, the test metrics.
    `init`: a checkpoint name to continue from. `data`: (images, points) to use instead of the cache.
    """
    t_start = time.time()
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    images, points = data if data is not None else train_set(n_identities, frames)
    model = LandmarkNet(width=width)
    if init:
        model = load_detector(init)
        model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    warm = 0.05 if not init else 0.01
    model.train()
    last = {}   # the latest batch's heatmaps and true points, for the progress line

    def step(_):
        idx = rng.integers(0, len(images), batch)
        x, p = augment(images[idx], points[idx], rng)
        last["h"], last["p"] = model(x), p
        loss = landmark_loss(last["h"], p)
        return loss, {"loss": float(loss.detach())}

    def report(hist):
        with torch.no_grad():
            px = (heatmaps_to_points(last["h"]) - last["p"]).norm(dim=-1).mean()
        return f"loss {np.mean(hist['loss'][-log_every:]):.4f} train px err {px:.3f}"

    losses = optimise(opt, steps, lr, warm, step, report, t_start=t_start, time_limit=time_limit, verbose=verbose,
                      log_every=log_every).get("loss", [])
    model.eval()
    info = {"losses": losses, "steps": len(losses), "wall_seconds": time.time() - t_start}
    if eval_n:
        info.update(evaluate(model, eval_n))
        if verbose:
            print(f"held-out NME {info['nme']:.4f} (median {info['nme_median']:.4f}, n={info['n']}), "
                  f"{info['fps']:.0f} faces/s", flush=True)
    if save:
        cmd = " ".join(["python -m course_utils.landmark_net"] + sys.argv[1:]) if __name__ == "__main__" else \
            f"course_utils.landmark_net.train(steps={steps}, seed={seed})"
        state = half_state(model, _width=torch.tensor(width))
        from .checkpoints import save_checkpoint

        cmd, wall, steps_total = continued(init, cmd, info["wall_seconds"], len(losses))

        metrics = {"nme_test": round(info.get("nme", float("nan")), 5),
                   "nme_test_median": round(info.get("nme_median", float("nan")), 5),
                   "test_renders": info.get("n", 0),
                   "fps_64_batch": round(info.get("fps", float("nan")), 1),
                   "params": n_params(model), "steps": steps_total,
                   "train_identities": n_identities, "train_renders": int(len(images))}
        save_checkpoint(state, CHECKPOINT_NAME, command=cmd, seed=seed, metrics=metrics,
                        notes="LandmarkNet: one-stack hourglass, 32x32 heatmaps, windowed-centroid read-out; "
                              "trained on FaceWorld train identities, NME on test identities (|yaw|<=35); "
                              "weights stored float16, loaded as float32.",
                        wall_seconds=round(wall, 1))
        info["metrics"] = metrics
    return model, info


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m course_utils.landmark_net", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = train_arguments(sub, "train, evaluate on held-out identities, save checkpoint 'landmarks'", CHECKPOINT_NAME, 3000)
    t.add_argument("--identities", type=int, default=240)
    t.add_argument("--frames", type=int, default=20)
    e = sub.add_parser("eval", help="NME and faces/s of the shipped checkpoint")
    e.add_argument("--n", type=int, default=200)
    a = ap.parse_args(argv)
    if a.cmd == "train":
        # only the command writes the shipped checkpoint; train() from a notebook never does
        train(a.steps, a.batch, a.seed, a.lr, a.identities, a.frames, threads=a.threads, init=a.init,
              time_limit=a.time_limit, save=True)
    else:
        print(evaluate(load_detector(), a.n))


if __name__ == "__main__":
    main()
