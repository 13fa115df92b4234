"""Part windows: the mouth and the eyes painted again, at a higher resolution than the animator's working size.

At 64 px a framed face's mouth is 9–13 px wide and an eye 5 px: the painter can place an opened mouth or a closing
lid there, but up-sampled to 256 px it is a soft blob that a landmark detector (or a viewer) reads as half open.
The bi-layer model's answer for fine texture (Zakharov et al., ECCV 2020) is a second, high-resolution layer; for
the small parts that carry speech and blinks we do the same where it matters only: a window is cut from the
display-size composite around each part of the *target* (mouth 96 px, each eye 48 px at 256 px display, sampled
at 64 and 32 px: 1.5 display px per window px, 2.7x finer than the animator's 4), a small network repaints it, and
it is pasted back with a soft edge.

    window input  (B, 10, W, W)   the composite, the warped portrait (its own pixels), the visibility and the
                                  target's landmark image, all cut around the part
    refined       (B, 3, W, W)    composite + a learned correction (zero at the start: the window begins as a copy)

Trained (python -m course_utils.animator parts ...) with the animator frozen, on the same pairs at 256 px:
L1 and a patch critic with hinge loss, spectral norm and feature matching, per window. One painter serves every
window; which windows the course's animator uses is DISPLAY_GROUPS (below), chosen by the portraits bench.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .model import PatchDiscriminator, conv_block

DISPLAY = 256          # the display size the windows are measured at; other sizes scale them
PIXEL = 1.5            # display px per window px at DISPLAY
# part: (landmark indices whose mean is the window's centre, window size W in px)
PARTS = {"mouth": (tuple(range(48, 60)), 64), "eye_l": (tuple(range(36, 42)), 32), "eye_r": (tuple(range(42, 48)), 32)}


@dataclass(frozen=True)
class Window:
    """One part's window in a display frame: display px (x, y) -> window px ((x + .5 - x0) / step - .5)."""
    x0: float
    y0: float
    step: float   # display px per window px
    size: int     # W

    def to_window(self, points: np.ndarray) -> np.ndarray:
        return ((np.asarray(points, np.float32) + 0.5 - [self.x0, self.y0]) / self.step - 0.5).astype(np.float32)


def windows(target: np.ndarray, display: int) -> dict[str, Window]:
    """The three windows of one target (68, 2) in display px."""
    step = PIXEL * display / DISPLAY
    out = {}
    for name, (idx, size) in PARTS.items():
        c = np.asarray(target, np.float32)[list(idx)].mean(0)
        x0, y0 = c + 0.5 - size * step / 2  # so that the window's middle, (size - 1) / 2, falls on c
        out[name] = Window(float(x0), float(y0), step, size)
    return out


def _grid(win: Window, display: int, n: int = 1) -> torch.Tensor:
    """grid_sample's (n, W, W, 2) grid that cuts `win` from a (display, display) picture."""
    i = torch.arange(win.size, dtype=torch.float32)
    x = win.x0 + (i + 0.5) * win.step - 0.5
    y = win.y0 + (i + 0.5) * win.step - 0.5
    gy, gx = torch.meshgrid((2 * y + 1) / display - 1, (2 * x + 1) / display - 1, indexing="ij")
    return torch.stack([gx, gy], -1)[None].expand(n, -1, -1, -1)


def cut(images, wins: list[Window]) -> torch.Tensor:
    """(B, C, H, H) pictures and one window each -> (B, C, W, W) (bilinear; windows of one size). `images` may be
    a sequence of such layers: each is cut with the same grid and the cuts are stacked on the channels."""
    layers = [images] if torch.is_tensor(images) else list(images)
    h = layers[0].shape[-1]
    grid = torch.cat([_grid(w, h) for w in wins])
    return torch.cat([F.grid_sample(t, grid, mode="bilinear", padding_mode="border", align_corners=False)
                      for t in layers], 1)


def taper(size: int) -> torch.Tensor:
    """(size, size) in [0, 1]: 1 in the middle half, falling smoothly to 0 at the window's edge."""
    t = torch.linspace(-1, 1, size).abs()
    ramp = ((1 - t) / 0.5).clamp(0, 1)
    ramp = ramp * ramp * (3 - 2 * ramp)
    return ramp[:, None] * ramp[None, :]


def paste(picture: torch.Tensor, correction: torch.Tensor, win: Window) -> torch.Tensor:
    """Add a window's (1, 3, W, W) correction, tapered, to a (1, 3, H, H) picture (returns a new tensor)."""
    h = picture.shape[-1]
    side = win.size * win.step
    a, b = int(np.floor(win.x0)), int(np.ceil(win.x0 + side))
    c, d = int(np.floor(win.y0)), int(np.ceil(win.y0 + side))
    a, c = max(a, 0), max(c, 0)
    b, d = min(b, h), min(d, h)
    if b <= a or d <= c:
        return picture
    xs = (torch.arange(a, b, dtype=torch.float32) + 0.5 - win.x0) / win.step - 0.5   # window px of display px
    ys = (torch.arange(c, d, dtype=torch.float32) + 0.5 - win.y0) / win.step - 0.5
    gy, gx = torch.meshgrid((2 * ys + 1) / win.size - 1, (2 * xs + 1) / win.size - 1, indexing="ij")
    grid = torch.stack([gx, gy], -1)[None]
    weighted = correction * taper(win.size).to(correction)
    patch = F.grid_sample(weighted, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    out = picture.clone()
    out[..., c:d, a:b] = out[..., c:d, a:b] + patch
    return out


class PartPainter(nn.Module):
    """(B, 10, W, W) window input -> (B, 3, W, W) correction, added to the composite. A small U-Net (two
    down-samplings); its last layer starts at zero, so an untrained window changes nothing."""

    def __init__(self, width: int = 24):
        super().__init__()
        self.width = w = width
        self.e0 = nn.Sequential(conv_block(10, w), conv_block(w, w))
        self.e1 = nn.Sequential(conv_block(w, 2 * w, 2), conv_block(2 * w, 2 * w))
        self.e2 = nn.Sequential(conv_block(2 * w, 4 * w, 2), conv_block(4 * w, 4 * w), conv_block(4 * w, 4 * w))
        self.d1 = nn.Sequential(conv_block(4 * w + 2 * w, 2 * w), conv_block(2 * w, 2 * w))
        self.d0 = nn.Sequential(conv_block(2 * w + w, w), conv_block(w, w))
        self.rgb = nn.Conv2d(w, 3, 3, 1, 1)
        nn.init.zeros_(self.rgb.weight)
        nn.init.zeros_(self.rgb.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        up = lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)  # noqa: E731
        f0 = self.e0(x)
        f1 = self.e1(f0)
        d = self.e2(f1)
        d = self.d1(torch.cat([up(d), f1], 1))
        d = self.d0(torch.cat([up(d), f0], 1))
        return 2 * torch.tanh(self.rgb(d))


def window_inputs(composite: torch.Tensor, warped: torch.Tensor, visible: torch.Tensor, targets: np.ndarray,
                  part: str) -> tuple[torch.Tensor, list[Window]]:
    """(B, 10, W, W) inputs of one part for a batch of display-size layers (B, ·, H, H) and targets (B, 68, 2) px."""
    from ..faces import landmark_image
    from ..tensors import image_to_tensor

    h = composite.shape[-1]
    wins = [windows(t, h)[part] for t in targets]
    lms = np.stack([landmark_image(w.to_window(t), w.size) for w, t in zip(wins, targets)])
    x = torch.cat([cut((composite, warped, visible), wins), image_to_tensor(lms)], 1)
    return x, wins


GROUPS = {"mouth": ("mouth",), "eyes": ("eye_l", "eye_r")}  # windows of one size, repainted in one pass
# The windows the course's animator uses: both. On the real portraits the windows raised the blinks above the
# piecewise warp's and brought the landmarks closer to their targets than the warp's (follow NME); the mouth window
# made the three photographs' mouths follow as closely as the warp does, but by the judge's reading the Mona Lisa's
# less closely than without it (chapter 09 shows both). refine(..., groups=("eyes",)) uses the eye windows alone.
DISPLAY_GROUPS = ("mouth", "eyes")


def refine(painter: PartPainter, composite: torch.Tensor, warped: torch.Tensor, visible: torch.Tensor,
           target: np.ndarray, groups=tuple(GROUPS)) -> torch.Tensor:
    """One display frame (1, 3, H, H) with the windows of `groups` ('mouth', 'eyes') repainted by `painter`."""
    target = np.asarray(target, np.float32)[None]
    out = composite
    for group in (GROUPS[g] for g in groups):
        xs, wins = zip(*(window_inputs(composite, warped, visible, target, part) for part in group))
        corrections = painter(torch.cat(xs))
        for c, w in zip(corrections, wins):
            out = paste(out, c[None], w[0])
    return out


def critic() -> PatchDiscriminator:
    return PatchDiscriminator(width=32, in_channels=6)


# ----------------------------------------------------------------------------- training

def display_layers(model, source: np.ndarray, source_points: np.ndarray, target_points: np.ndarray
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The frozen animator on a batch at display size: sources (B, H, H, 3) uint8, points (B, 68, 2) display px ->
    (composite, warped portrait, visibility), each (B, ·, H, H)."""
    import cv2

    from ..flow.net import make_input
    from ..tensors import image_to_tensor
    from .model import composite_layers

    h, r = source.shape[1], model.config.size
    k = r / h
    small = np.stack([cv2.resize(s, (r, r), interpolation=cv2.INTER_AREA) for s in source])
    to_small = lambda p: ((np.asarray(p, np.float32) + 0.5) * k - 0.5).astype(np.float32)  # noqa: E731
    with torch.no_grad():
        res = model(image_to_tensor(small), make_input(small, to_small(source_points), to_small(target_points)))
        comp, warped, visible = composite_layers(image_to_tensor(source), res["flow"], res["visible"], res["painted"])
    return comp, warped, visible


def part_masks(points_win: np.ndarray, size: int, part: str) -> np.ndarray:
    """(B, size, size) float32: 1 on the part itself (the lips and what they hold; the eye), a pixel wider, in
    window px: where the reconstruction counts `detail` times."""
    import cv2

    idx = list(range(48, 60)) if part == "mouth" else list(PARTS[part][0])
    out = np.zeros((len(points_win), size, size), np.uint8)
    for m, p in zip(out, points_win):
        cv2.fillConvexPoly(m, cv2.convexHull(np.round(p[idx]).astype(np.int32)).reshape(-1, 2), 1)
    return np.stack([cv2.dilate(m, np.ones((3, 3), np.uint8)) for m in out]).astype(np.float32)


def part_batches(model, source, target, source_points, target_points):
    """{'mouth' | 'eyes': (inputs (B', 10, W, W), target windows (B', 3, W, W), part masks (B', 1, W, W))} for one
    batch at display size."""
    from ..tensors import image_to_tensor

    comp, warped, visible = display_layers(model, source, source_points, target_points)
    tgt = image_to_tensor(target)
    out = {}
    for group, parts in (("mouth", ("mouth",)), ("eyes", ("eye_l", "eye_r"))):
        xs, ys, ms = [], [], []
        for part in parts:
            x, wins = window_inputs(comp, warped, visible, target_points, part)
            xs.append(x)
            ys.append(cut(tgt, wins))
            pw = np.stack([w.to_window(t) for w, t in zip(wins, target_points)])
            ms.append(torch.from_numpy(part_masks(pw, wins[0].size, part))[:, None])
        out[group] = (torch.cat(xs), torch.cat(ys), torch.cat(ms))
    return out


def window_data(model, fw: dict, real: dict | None, n_real: int, seed: int = 0, chunk: int = 16,
                verbose: bool = True) -> dict[str, torch.Tensor]:
    """Every FaceWorld pair and n_real real pairs, run once through the frozen animator and cut into windows:
    {'mouth_x', 'mouth_y', 'mouth_m', 'eyes_x', 'eyes_y', 'eyes_m'} (inputs, targets float16; part masks bool;
    the eyes two per pair) and 'mouth_wider' (B,): how much wider the target's mouth opens than the source's
    (faces.measures.mouth_opening, inter-ocular units)."""
    import time

    from ..faces.measures import mouth_opening
    from .data import real_pairs

    rng = np.random.default_rng(seed)
    jobs = [(fw["source"], fw["target"], fw["source_points"], fw["target_points"], np.arange(len(fw["source"])),
             np.arange(len(fw["source"])))]
    if real is not None and n_real:
        a, b = real_pairs(real, n_real, rng)
        jobs.append((real["frames"], real["frames"], real["points"], real["points"], a, b))
    out: dict[str, list] = {}
    t0 = time.time()
    for src, tgt, sp, tp, ia, ib in jobs:
        for k in range(0, len(ia), chunk):
            a, b = ia[k:k + chunk], ib[k:k + chunk]
            for g, (x, y, m) in part_batches(model, src[a], tgt[b], sp[a], tp[b]).items():
                out.setdefault(f"{g}_x", []).append(x.half())
                out.setdefault(f"{g}_y", []).append(y.half())
                out.setdefault(f"{g}_m", []).append(m.bool())
            wider = [mouth_opening(q) - mouth_opening(p) for p, q in zip(sp[a], tp[b])]
            out.setdefault("mouth_wider", []).append(torch.tensor(wider, dtype=torch.float32))
        if verbose:
            print(f"windows of {len(ia)} pairs ({time.time() - t0:.0f} s)", flush=True)
    return {k: torch.cat(v) for k, v in out.items()}


WIDER = 0.15  # inter-ocular units: a target mouth this much wider open than the source's is a "wide opening"


def pick(rng: np.random.Generator, total: int, n: int, pool=(), share: float = 0.0) -> np.ndarray:
    """n indices below `total` drawn at random, round(share · n) of them from `pool` (when it is not empty)."""
    i = rng.integers(0, total, n)
    k = int(round(share * n)) if len(pool) else 0
    i[:k] = rng.choice(np.asarray(pool), k)
    return i


def train_parts(data: dict, steps: int = 100000, batch: int = 16, lr: float = 2e-4, time_limit: float | None = None,
                seed: int = 0, log_every: int = 50, pixel: float = 10.0, adv: float = 0.5, fm: float = 2.0,
                detail: float = 5.0, darkest: float = 0.6, wide: float = 0.0, init=None, out_path=None,
                verbose: bool = True) -> dict:
    """Train a PartPainter on window_data (see the module docstring). Each window gets a brightness and contrast
    jitter (composite, warped portrait and target alike; gains from `darkest` to 1.2); the part itself counts
    `detail` times in the L1 (part_masks). `wide`: the share of each batch's mouth windows drawn from the pairs
    whose target mouth opens more than WIDER wider than the source's (the openings the window under-drew).
    `init`: a PartPainter to continue."""
    import time

    from ..talking_heads.losses import hinge_d_fake, hinge_d_real

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    painter, D = (init if init is not None else PartPainter()), critic()
    opt_g = torch.optim.Adam(painter.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2 * lr, betas=(0.5, 0.999))
    history, t0, step = [], time.time(), 0

    wide_pool = np.flatnonzero(data["mouth_wider"].numpy() > WIDER) if wide and "mouth_wider" in data else []
    if verbose and wide:
        print(f"{len(wide_pool)} of {len(data['mouth_x'])} mouth windows open wider by > {WIDER}", flush=True)

    def draw(g: str, n: int):
        i = torch.from_numpy(pick(rng, len(data[f"{g}_x"]), n, wide_pool if g == "mouth" else (), wide))
        x, y = data[f"{g}_x"][i].float(), data[f"{g}_y"][i].float()
        m = data[f"{g}_m"][i].float() if f"{g}_m" in data else torch.zeros_like(y[:, :1])
        gain = torch.from_numpy(rng.uniform(darkest, 1.2, (n, 1, 1, 1)).astype(np.float32))
        bias = torch.from_numpy(rng.uniform(-0.15, 0.15, (n, 1, 1, 1)).astype(np.float32))
        jit = lambda t: (((t + 1) * gain + bias).clamp(0, 2) - 1)  # noqa: E731  (in [-1, 1] units)
        return torch.cat([jit(x[:, :6]), x[:, 6:]], 1), jit(y), m

    for step in range(1, steps + 1):
        if time_limit and time.time() - t0 > time_limit:
            step -= 1
            break
        groups = {"mouth": draw("mouth", batch), "eyes": draw("eyes", batch)}
        log = {"step": step}
        loss_g, loss_d = 0.0, 0.0
        outs = {}
        for g, (x, y, _) in groups.items():
            refined = x[:, :3] + painter(x)
            outs[g] = refined
            lm = x[:, 7:10]
            real_s, _ = D(torch.cat([y, lm], 1))
            fake_s, _ = D(torch.cat([refined.detach(), lm], 1))
            loss_d = loss_d + hinge_d_real(real_s) + hinge_d_fake(fake_s)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        for g, (x, y, m) in groups.items():
            refined, lm = outs[g], x[:, 7:10]
            fake_s, fa = D(torch.cat([refined, lm], 1))
            with torch.no_grad():
                _, fb = D(torch.cat([y, lm], 1))
            weight = 1 + (detail - 1) * m
            l1 = ((refined - y).abs() * weight).sum() / (weight.sum() * 3)
            base = ((x[:, :3] - y).abs() * weight).sum() / (weight.sum() * 3)
            feat = sum((a - b).abs().mean() for a, b in zip(fa, fb))
            loss_g = loss_g + pixel * l1 + adv * (-fake_s.mean()) + fm * feat
            log |= {f"l1_{g}": float(l1.detach()), f"base_{g}": float(base), f"adv_{g}": float(-fake_s.detach().mean())}
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        log["d"] = float(loss_d.detach())
        history.append(log)
        if verbose and step % log_every == 0:
            recent = history[-log_every:]
            mean = {k: np.mean([h[k] for h in recent]) for k in recent[0] if k != "step"}
            print(f"step {step} {time.time() - t0:.0f}s " + " ".join(f"{k} {v:.4f}" for k, v in mean.items()), flush=True)
            if out_path:
                torch.save({"painter": painter.state_dict(), "step": step}, out_path)
    if out_path:
        torch.save({"painter": painter.state_dict(), "step": step}, out_path)
    return {"painter": painter, "history": history, "steps": step, "seconds": time.time() - t0}


# ----------------------------------------------------------------------------- held-out figures, the checkpoint

CHECKPOINT_NAME = "animator_parts"
HELD_OUT_CLIPS = ("speaker_d12", "speaker_d20")  # the clips the animator never trained on


@torch.no_grad()
def evaluate_parts(painter: PartPainter, model, n: int = 48, seed: int = 0) -> dict[str, float]:
    """Mean L1 (grey levels, 0–255) of the windows against the true target, before (the composite) and after
    the part painter: on FaceWorld test people and on pairs of the held-out real clips (when present)."""
    from ..flow.pairs import faceworld_pairs
    from .data import real_data, real_pairs

    painter.eval()
    pairs = faceworld_pairs(n, DISPLAY, split="test", seed=seed)
    sets = {"fw": (np.stack([p.source for p in pairs]), np.stack([p.target for p in pairs]),
                   np.stack([p.source_points for p in pairs]), np.stack([p.target_points for p in pairs]))}
    real = real_data(HELD_OUT_CLIPS, size=DISPLAY, verbose=False)
    if real is not None:
        a, b = real_pairs(real, n, np.random.default_rng(seed))
        sets["real"] = (real["frames"][a], real["frames"][b], real["points"][a], real["points"][b])
    out = {}
    for name, (src, tgt, sp, tp) in sets.items():
        for g, (x, y, _) in part_batches(model, src, tgt, sp, tp).items():
            out[f"l1_{g}_{name}_composite"] = float((x[:, :3] - y).abs().mean() * 127.5)
            out[f"l1_{g}_{name}_refined"] = float((x[:, :3] + painter(x) - y).abs().mean() * 127.5)
    return out


def load_parts(name: str = CHECKPOINT_NAME, path=None) -> PartPainter:
    """The shipped part painter (checkpoints/animator_parts.pt), float32, eval mode; one clear sentence if missing."""
    from ..checkpoints import load_checkpoint

    from ..errors import CourseError

    if path is None:
        state = dict(load_checkpoint(name))
    else:
        try:
            state = dict(torch.load(path, map_location="cpu", weights_only=True))
        except Exception as err:  # noqa: BLE001 - missing, damaged, not a checkpoint, Python objects
            raise CourseError(f"{path} is not a part-painter checkpoint that can be read ({type(err).__name__}); "
                              "make one with python -m course_utils.animator parts.") from None
    try:
        width = int(state.pop("_width"))
        state.pop("_step", None)
        painter = PartPainter(width)
        painter.load_state_dict({k: v.float() for k, v in state.items()})
    except (KeyError, RuntimeError):
        raise CourseError(f"{path or name} does not hold a part painter's weights; make one with "
                          "python -m course_utils.animator parts.") from None
    return painter.eval()


def shipped_parts() -> PartPainter | None:
    """The course's part painter (checkpoints/animator_parts.pt) when the manifest lists it, else None; a damaged
    file raises CourseError (load_parts)."""
    from ..checkpoints import read_manifest

    return load_parts() if CHECKPOINT_NAME in read_manifest() else None


def main(argv: list[str] | None = None) -> int:
    """python -m course_utils.animator parts [--time-limit S] [--ship]: train the part painter on the shipped animator."""
    import argparse
    import os
    import shlex
    import sys
    import time

    from ..checkpoints import CHECKPOINT_DIR, save_checkpoint, sha256_of
    from ..training import half_state
    from .data import REAL_CLIPS_SOURCE, faceworld_data, real_data
    from .train import load_animator

    ap = argparse.ArgumentParser(prog="python -m course_utils.animator parts", description=main.__doc__)
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--time-limit", type=float, help="stop after this many seconds of training")
    ap.add_argument("--batch", type=int, default=16, help="windows of each kind per step")
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--identities", type=int, default=200, help="FaceWorld training identities (10 pairs each)")
    ap.add_argument("--real-pairs", type=int, default=3000, help="pairs drawn from the real clips")
    ap.add_argument("--detail", type=float, default=5.0, help="how many times the part itself counts in the L1")
    ap.add_argument("--darkest", type=float, default=0.6, help="the darkest brightness gain of the jitter")
    ap.add_argument("--wide", type=float, default=0.0,
                    help=f"share of mouth windows drawn from openings over {WIDER} inter-ocular distances wider")
    ap.add_argument("--init", help="continue from this part-painter checkpoint (e.g. checkpoints/animator_parts.pt)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ship", action="store_true", help="write checkpoints/animator_parts.pt and its manifest entry")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    t0 = time.time()
    model = load_animator()
    fw = faceworld_data(a.identities, 10, DISPLAY)
    real = real_data(size=DISPLAY)
    data = window_data(model, fw, real, a.real_pairs if real is not None else 0, seed=a.seed)
    start, earlier = None, None
    if a.init:
        from pathlib import Path

        from ..checkpoints import read_manifest

        start = load_parts(path=a.init)
        digest = sha256_of(Path(a.init))
        entry = read_manifest().get(CHECKPOINT_NAME, {})
        earlier = entry if entry.get("sha256") == digest else {"file": Path(a.init).name, "sha256": digest}
    res = train_parts(data, steps=a.steps, batch=a.batch, lr=a.lr, time_limit=a.time_limit, seed=a.seed,
                      detail=a.detail, darkest=a.darkest, wide=a.wide, init=start)
    metrics = {k: round(v, 3) for k, v in evaluate_parts(res["painter"], model).items()}
    metrics |= {"steps": res["steps"], "params": sum(p.numel() for p in res["painter"].parameters())}
    before = (earlier or {}).get("metrics", {})
    if "steps" in before:
        metrics["steps_total"] = int(before.get("steps_total", before["steps"])) + res["steps"]
    print(json.dumps(metrics, indent=1))
    if a.ship:
        data_note = {"faceworld": {"split": "train", "identities": a.identities, "pairs_per_identity": 10,
                                   "pairs": int(len(fw["source"])), "render_seed": 0, "size": DISPLAY},
                     "animator": {"file": "animator.pt", "sha256": sha256_of(CHECKPOINT_DIR / "animator.pt")}}
        if earlier is not None:
            data_note["continued_from"] = earlier  # the earlier stage: run its command first
        if real is not None:
            data_note["real_clips"] = {"source": REAL_CLIPS_SOURCE, "files": real["files"],
                                       "frames": int(len(real["frames"])), "pairs": a.real_pairs}
        command = "python -m course_utils.animator parts " + " ".join(
            shlex.quote(x) for x in (argv if argv is not None else sys.argv[2:]))
        save_checkpoint(half_state(res["painter"], _width=torch.tensor(res["painter"].width)), CHECKPOINT_NAME,
                        command=command, seed=a.seed, metrics=metrics, wall_seconds=time.time() - t0, data=data_note,
                        notes=f"Part painter (mouth and eye windows at {PIXEL} display px per px, display {DISPLAY}) on "
                              f"the frozen animator.pt; trained on cpu ({os.cpu_count()} cores), one process; "
                              "metrics: window L1 in grey levels on FaceWorld test people and held-out real clips.")
    return 0
