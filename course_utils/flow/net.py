"""A small learned flow network: where should each pixel of a portrait come from, given where its
landmarks are now and where they should be?

Input, at 64 × 64 (11 channels): the source image, the source's landmark image and the target's landmark
image (each in [-1, 1]), and the landmark thin-plate-spline flow between the two sets of points
(course_utils.warps.tps_flow, a function of the landmarks alone). Output: the backward flow from the
target to the source in pixels, the course's convention (`target(x, y) ≈ source(x + fx, y + fy)`), so
warping the source by it renders the source person with the target's pose and expression. The network
predicts a *correction* to the spline: the spline already moves the face between its landmarks well;
what it cannot know is how the hair, the ears, the neck and the background behave, and where a moving
edge hides or shows the backdrop. That the network learns from thousands of FaceWorld pairs.

Unlike Horn–Schunck or OpenCV's methods it never sees the target image: it must *predict* the motion
from the landmarks. That is exactly the job a talking-head model has: the driving frame is somebody else.

Trained with the ground-truth flow of FaceWorld: end-point error on pixels visible in both frames,
counted four times inside the face (the landmarks' outline), plus a small photometric term (the warped
source against the target, all pixels), which gives sensible flow where the truth is undefined.

    python -m course_utils.flow train [--steps N] [--time-limit S]   # writes checkpoints/flow_net.pt
    python -m course_utils.flow eval                                 # EPE of the shipped checkpoint
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..tensors import image_to_tensor, n_params
from ..training import continued, half_state, optimise, train_arguments

CHECKPOINT_NAME = "flow_net"
SIZE = 64
FLOW_SCALE = 4.0  # the last layer's output times this is the flow in pixels: keeps early outputs small
PHOTOMETRIC = 0.2  # weight of the photometric term against the end-point error
FACE_WEIGHT = 4.0  # end-point error inside the landmarks' outline counts this many times
IN_CHANNELS = 11  # source RGB, source landmark image, target landmark image, spline flow (x, y)


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.GroupNorm(8, cout), nn.LeakyReLU(0.1, inplace=True),
                         nn.Conv2d(cout, cout, 3, 1, 1), nn.GroupNorm(8, cout), nn.LeakyReLU(0.1, inplace=True))


class FlowNet(nn.Module):
    """A U-Net: (B, 11, 64, 64) input (make_input) -> flow (B, 2, 64, 64) in pixels (x then y): the spline
    flow carried in the input plus the network's correction."""

    def __init__(self, width: int = 16):
        super().__init__()
        w = width
        self.width = width
        self.e0, self.e1 = _conv(IN_CHANNELS, w), _conv(w, 2 * w, 2)           # 64, 32
        self.e2, self.e3 = _conv(2 * w, 4 * w, 2), _conv(4 * w, 8 * w, 2)  # 16, 8
        self.d2, self.d1 = _conv(12 * w, 4 * w), _conv(6 * w, 2 * w)
        self.d0 = _conv(3 * w, w)
        self.out = nn.Conv2d(w, 2, 3, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        """The U-Net's last feature map (B, width, 64, 64), before the flow layer."""
        up = lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)  # noqa: E731
        h0 = self.e0(x)
        h1 = self.e1(h0)
        h2 = self.e2(h1)
        h3 = self.e3(h2)
        d = self.d2(torch.cat([up(h3), h2], 1))
        d = self.d1(torch.cat([up(d), h1], 1))
        return self.d0(torch.cat([up(d), h0], 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x[:, 9:11] + self.out(self.trunk(x))) * FLOW_SCALE


# ----------------------------------------------------------------------------- inputs and warping

def spline_flows(source_points: np.ndarray, target_points: np.ndarray, size: int = SIZE) -> np.ndarray:
    """(N, size, size, 2) float32: the landmark thin-plate-spline flow of each pair of (68, 2) px point sets."""
    from ..warps import tps_flow

    return np.stack([tps_flow(s, t, (size, size)) for s, t in zip(source_points, target_points)]).astype(np.float32)


def make_input(sources: np.ndarray, source_points: np.ndarray, target_points: np.ndarray,
               splines: np.ndarray | None = None) -> torch.Tensor:
    """(N, R, R, 3) uint8 images and (N, 68, 2) px points -> the network's (N, 11, R, R) input (R = 64 for FlowNet;
    the learned animator of chapter 09 uses other sizes too). `splines`: their spline_flows, when already computed."""
    from ..faces import landmark_image

    r = sources.shape[1]
    ls = np.stack([landmark_image(p, r) for p in source_points])
    lt = np.stack([landmark_image(p, r) for p in target_points])
    if splines is None:
        splines = spline_flows(source_points, target_points, r)
    prior = torch.from_numpy(np.ascontiguousarray(splines, dtype=np.float32)).permute(0, 3, 1, 2) / FLOW_SCALE
    return torch.cat([image_to_tensor(sources), image_to_tensor(ls), image_to_tensor(lt), prior], 1)


def face_masks(target_points: np.ndarray, size: int = SIZE) -> np.ndarray:
    """(N, size, size) bool: inside the convex outline of each target's 68 landmarks (the face)."""
    out = np.zeros((len(target_points), size, size), np.uint8)
    for m, p in zip(out, target_points):
        cv2.fillConvexPoly(m, cv2.convexHull(np.round(p).astype(np.int32)).reshape(-1, 2), 1)
    return out.astype(bool)


def warp_tensor(images: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Backward-warp (N, C, H, W) images by (N, 2, H, W) pixel flow with grid_sample (bilinear, border): the torch
    twin of the course's numpy warp (faces.flow.warp, and faces.flow.warp_torch with the same grid as
    faces.flow.flow_to_grid), same convention: out(x, y) = image(x + flow_x, y + flow_y), pixel centres at
    integers. It stays on tensors so the loss can be differentiated through it."""
    n, _, h, w = flow.shape
    ys, xs = torch.meshgrid(torch.arange(h, dtype=flow.dtype, device=flow.device),
                            torch.arange(w, dtype=flow.dtype, device=flow.device), indexing="ij")
    gx = (2 * (xs + flow[:, 0]) + 1) / w - 1
    gy = (2 * (ys + flow[:, 1]) + 1) / h - 1
    return F.grid_sample(images, torch.stack([gx, gy], -1), mode="bilinear", padding_mode="border", align_corners=False)


def loss_terms(model: FlowNet, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """{'epe': end-point error on valid pixels (px; face pixels weighted FACE_WEIGHT times when the batch
    has 'face'), 'photometric': mean |warp(source) - target|}."""
    pred = model(batch["input"])
    err = (pred - batch["flow"]).pow(2).sum(1, keepdim=True).add(1e-6).sqrt()
    valid = batch["valid"]
    if "face" in batch:
        valid = valid * (1 + (FACE_WEIGHT - 1) * batch["face"])
    epe = (err * valid).sum() / valid.sum().clamp(min=1)
    photo = (warp_tensor(batch["input"][:, :3], pred) - batch["target"]).abs().mean()
    return {"epe": epe, "photometric": photo}


# ----------------------------------------------------------------------------- using it

def predict_flow(model: FlowNet, source_images: np.ndarray, source_points: np.ndarray, target_points: np.ndarray,
                 batch: int = 64) -> np.ndarray:
    """Flow (N, H, W, 2) float32 px (target -> source) for (N, H, W, 3) uint8 sources of any square size H
    and their (N, 68, 2) source / target landmarks in those pixels. A single image (no N axis) works too.
    Other sizes are resized to 64 px for the network and the flow scaled back up."""
    src = np.asarray(source_images)
    single = src.ndim == 3
    if single:
        src, source_points, target_points = src[None], np.asarray(source_points)[None], np.asarray(target_points)[None]
    h, w = src.shape[1:3]
    if h != w:
        from ..errors import CourseError

        raise CourseError(f"predict_flow needs square images, not {w} × {h}; crop the face first (faces.framing.frame_face).")
    k = SIZE / h
    to64 = lambda p: ((np.asarray(p, np.float32) + 0.5) * k - 0.5)  # noqa: E731 - pixel centres
    small = src if h == SIZE else np.stack([cv2.resize(im, (SIZE, SIZE), interpolation=cv2.INTER_AREA) for im in src])
    out = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(small), batch):
            x = make_input(small[i:i + batch], to64(source_points[i:i + batch]), to64(target_points[i:i + batch]))
            out.append(model(x).permute(0, 2, 3, 1).numpy())
    flow = np.concatenate(out).astype(np.float32)
    if h != SIZE:
        flow = np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR) for f in flow]) / k
    return flow[0] if single else flow


def load_flow_net(name: str = CHECKPOINT_NAME) -> FlowNet:
    """The shipped flow network (checkpoints/flow_net.pt), float32, in eval mode; one clear sentence if missing."""
    from ..checkpoints import load_checkpoint

    state = load_checkpoint(name)
    width = int(state.pop("_width", torch.tensor(16)))
    model = FlowNet(width=width)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()


def evaluate(model: FlowNet, pairs) -> dict[str, float]:
    """Mean EPE (px, valid pixels) of the network on FlowPairs, and of zero flow for reference."""
    src = np.stack([p.source for p in pairs])
    flow = predict_flow(model, src, np.stack([p.source_points for p in pairs]), np.stack([p.target_points for p in pairs]))
    epe = [float(np.linalg.norm(f - p.flow, axis=-1)[p.valid].mean()) for f, p in zip(flow, pairs)]
    zero = [float(np.linalg.norm(p.flow, axis=-1)[p.valid].mean()) for p in pairs]
    return {"epe": float(np.mean(epe)), "epe_zero_flow": float(np.mean(zero)), "n": len(pairs)}


# ----------------------------------------------------------------------------- data and training

def training_data(n_identities: int = 400, per_identity: int = 10, seed: int = 0, verbose: bool = True) -> dict:
    """FlowPairs of the first n FaceWorld train identities as arrays, rendered once and cached in the data cache."""
    from ..config import data_dir, save_npz
    from ..faces.splits import split_seeds
    from .pairs import stack_pairs, training_pairs

    path = Path(data_dir()) / f"flow_net_train_{n_identities}x{per_identity}_s{seed}_{SIZE}.npz"
    if path.exists():
        return dict(np.load(path))
    if verbose:
        print(f"rendering {n_identities} identities x {per_identity} pairs -> {path}", flush=True)
    data = stack_pairs(training_pairs(split_seeds("train", n_identities), per_identity, SIZE, seed, verbose=verbose))
    data["flow"] = data["flow"].astype(np.float16)
    save_npz(path, **data)
    return data


def with_splines(data: dict, verbose: bool = True) -> dict:
    """The training arrays plus their spline flows ('spline') and face masks ('face'), computed once."""
    if "spline" not in data:
        t0 = time.time()
        data["spline"] = np.concatenate([spline_flows(data["source_points"][i:i + 500], data["target_points"][i:i + 500])
                                         for i in range(0, len(data["source_points"]), 500)])
        if verbose:
            print(f"spline flows of {len(data['spline'])} pairs in {time.time() - t0:.0f} s", flush=True)
    if "face" not in data:
        data["face"] = face_masks(data["target_points"])
    return data


def _batch(data: dict, idx: np.ndarray, rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """A training batch; half the time source and target swap roles is not possible (the flow is one-way),
    so augmentation is a small brightness/contrast jitter of both images alike."""
    src, tgt = data["source"][idx].astype(np.float32), data["target"][idx].astype(np.float32)
    gain = rng.uniform(0.8, 1.2, (len(idx), 1, 1, 1)).astype(np.float32)
    bias = rng.uniform(-20, 20, (len(idx), 1, 1, 1)).astype(np.float32)
    src = np.clip(src * gain + bias, 0, 255).astype(np.uint8)
    tgt = np.clip(tgt * gain + bias, 0, 255).astype(np.uint8)
    x = make_input(src, data["source_points"][idx], data["target_points"][idx], data["spline"][idx])
    return {"input": x, "target": image_to_tensor(tgt),
            "flow": torch.from_numpy(data["flow"][idx].astype(np.float32)).permute(0, 3, 1, 2),
            "valid": torch.from_numpy(data["valid"][idx]).float()[:, None],
            "face": torch.from_numpy(data["face"][idx]).float()[:, None]}


def train(steps: int = 6000, batch: int = 16, seed: int = 0, lr: float = 2e-3, n_identities: int = 400,
          per_identity: int = 10, width: int = 16, threads: int | None = 1, time_limit: float | None = None,
          save: bool = False, log_every: int = 100, eval_n: int = 100, data: dict | None = None, verbose: bool = True,
          init: str | None = None):
    """Train FlowNet on FaceWorld train pairs, evaluate on held-out test identities; save only when asked.
    Returns (model, info) with info['losses'] ({'epe': [...], 'photometric': [...]}, one per step).
    `init`: a checkpoint name to continue from (its warm-up is skipped)."""
    from .pairs import faceworld_pairs

    t_start = time.time()
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    data = with_splines(data if data is not None else training_data(n_identities, per_identity), verbose)
    model = FlowNet(width)
    if init:
        model = load_flow_net(init)
        width = model.width
        model.train()
    warm = 0.01 if init else 0.03
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    model.train()
    n = len(data["source"])

    def step(_):
        terms = loss_terms(model, _batch(data, rng.integers(0, n, batch), rng))
        return terms["epe"] + PHOTOMETRIC * terms["photometric"], {k: float(v.detach()) for k, v in terms.items()}

    def report(h):
        return f"epe {np.mean(h['epe'][-log_every:]):.3f} px photometric {np.mean(h['photometric'][-log_every:]):.4f}"

    losses = {"epe": [], "photometric": []} | optimise(opt, steps, lr, warm, step, report, t_start=t_start,
                                                       time_limit=time_limit, verbose=verbose, log_every=log_every)
    model.eval()
    info = {"losses": losses, "steps": len(losses["epe"]), "wall_seconds": time.time() - t_start}
    if eval_n:
        info.update(evaluate(model, faceworld_pairs(eval_n, SIZE, split="test")))
        if verbose:
            print(f"held-out EPE {info['epe']:.3f} px (zero flow {info['epe_zero_flow']:.3f}, n={info['n']})", flush=True)
    if save:
        from ..checkpoints import save_checkpoint

        cmd = " ".join(["python -m course_utils.flow"] + sys.argv[1:]) if __package__ and sys.argv[0].endswith("__main__.py") \
            else f"course_utils.flow.net.train(steps={steps}, seed={seed})"
        state = half_state(model, _width=torch.tensor(width))
        cmd, wall, steps_total = continued(init, cmd, info["wall_seconds"], info["steps"])
        metrics = {"epe_test": round(info.get("epe", float("nan")), 4),
                   "epe_zero_flow_test": round(info.get("epe_zero_flow", float("nan")), 4),
                   "test_pairs": info.get("n", 0), "params": n_params(model), "steps": steps_total,
                   "train_identities": n_identities, "train_pairs": int(n)}
        save_checkpoint(state, CHECKPOINT_NAME, command=cmd, seed=seed, metrics=metrics, wall_seconds=wall,
                        notes="FlowNet: U-Net on (source, source landmark image, target landmark image, landmark spline "
                              "flow) at 64 px -> backward flow (spline + learned correction); loss = EPE on valid pixels "
                              "(x4 inside the face) + 0.2 x photometric L1; FaceWorld train identities; EPE on all valid "
                              "pixels of test identities (faceworld_pairs default motion); weights float16.")
        info["metrics"] = metrics
    return model, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m course_utils.flow", description="The chapter-04 learned flow network.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = train_arguments(sub, "train on FaceWorld, evaluate on held-out identities, save checkpoint 'flow_net'",
                        CHECKPOINT_NAME, 6000)
    t.add_argument("--identities", type=int, default=400)
    t.add_argument("--pairs", type=int, default=10, help="pairs per identity")
    e = sub.add_parser("eval", help="EPE of the shipped checkpoint on held-out FaceWorld pairs")
    e.add_argument("--n", type=int, default=100)
    a = ap.parse_args(argv)
    if a.cmd == "train":
        train(a.steps, a.batch, a.seed, a.lr, a.identities, a.pairs, threads=a.threads, time_limit=a.time_limit, save=True,
              init=a.init)
    else:
        from .pairs import faceworld_pairs

        print(evaluate(load_flow_net(), faceworld_pairs(a.n, SIZE, split="test")))
    return 0
