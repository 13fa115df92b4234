"""The course's identity network: a face in, 128 numbers out, close together for the same person.

Trained on FaceWorld identities with a metric-learning loss (a cosine-margin softmax, "CosFace":
the embedding of a face must point towards its own person's direction on the sphere by a margin),
on aligned face crops whose background is replaced by noise, so it has to look at the person and not
at the wall behind them. Later chapters reuse it in two ways, and always say it is a stand-in:

- **identity similarity** (`similarity`): the cosine of two embeddings — the course's stand-in for the
  CSIM of the talking-head paper, which uses a real face-recognition network;
- **perceptual features** (`features`): the activations of its blocks — the course's stand-in for
  VGGFace in the talking-head content loss.

    python -m course_utils.identity_net train [--time-limit S]   # writes checkpoints/identity.pt
    python -m course_utils.identity_net eval                     # verification on held-out people
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

from .errors import CourseError
from .metrics import auc
from .tensors import image_to_tensor, n_params
from .training import continued, half_state, optimise, train_arguments

CHECKPOINT_NAME = "identity"
SIZE = 64  # aligned crop, pixels
DIM = 128  # embedding length
MARGIN, SCALE = 0.25, 24.0  # CosFace: cos(θ_own) - margin must beat every other cos(θ), logits × scale


# ----------------------------------------------------------------------------- the network

class _Res(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.skip = nn.Sequential() if stride == 1 and cin == cout else \
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return F.relu(self.body(x) + self.skip(x))


class IdentityNet(nn.Module):
    """(B, 3, 64, 64) aligned crops in [-1, 1] -> (B, 128) unit-length embeddings."""

    def __init__(self, width: int = 32, dim: int = DIM):
        super().__init__()
        w = width
        self.width = width
        self.stem = nn.Sequential(nn.Conv2d(3, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True))
        self.blocks = nn.ModuleList([_Res(w, w, 2), _Res(w, 2 * w, 2), _Res(2 * w, 4 * w, 2), _Res(4 * w, 8 * w, 2)])
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(8 * w * 4 * 4, dim), nn.BatchNorm1d(dim))

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The four blocks' activations: (B, 32, 32, 32), (B, 64, 16, 16), (B, 128, 8, 8), (B, 256, 4, 4)."""
        out, h = [], self.stem(x)
        for block in self.blocks:
            h = block(h)
            out.append(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.head(self.features(x)[-1]), dim=1)


class CosFaceHead(nn.Module):
    """One learned unit direction per training person; logits = scale · (cos θ − margin on the true class)."""

    def __init__(self, n_classes: int, dim: int = DIM):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_classes, dim) * 0.01)

    def forward(self, emb: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        cos = emb @ F.normalize(self.weight, dim=1).T
        cos = cos - MARGIN * F.one_hot(labels, cos.shape[1])
        return F.cross_entropy(SCALE * cos, labels)


# ----------------------------------------------------------------------------- faces in

ZOOM = 1.45  # tighter than the course's canonical framing (faces.framing): forehead to chin, little hair, no shirt


def align(image: np.ndarray, landmarks: np.ndarray, size: int = SIZE) -> np.ndarray:
    """The face crop the network reads: (size, size, 3) uint8 from any (H, W, 3) uint8 image and its (68, 2)
    px landmarks, with the eyes, nose tip and mouth corners at fixed places (faces.framing.canonical_points,
    zoomed by ZOOM; faces.framing.frame_face with its default bilinear sampling and reflected edges)."""
    from .faces.framing import canonical_points, frame_face
    from .images import array_to_rgb

    return frame_face(array_to_rgb(np.asarray(image)), landmarks, canonical_points(size, ZOOM), size)[0]


def to_input(crops: np.ndarray) -> torch.Tensor:
    """(N, 64, 64, 3) or (64, 64, 3) uint8 crops -> (N, 3, 64, 64) float in [-1, 1] (tensors.image_to_tensor),
    after checking they are the network's aligned crops."""
    crops = np.asarray(crops)
    if crops.ndim == 3:
        crops = crops[None]
    if crops.shape[1:] != (SIZE, SIZE, 3):
        raise CourseError(f"The identity network reads aligned {SIZE} × {SIZE} colour crops (identity_net.align), "
                          f"not arrays of shape {crops.shape[1:]}.")
    return image_to_tensor(crops)


def embed(model: IdentityNet, crops: np.ndarray, batch: int = 256) -> np.ndarray:
    """(N, 128) float32 unit embeddings of (N, 64, 64, 3) uint8 aligned crops."""
    model.eval()
    x = to_input(crops)
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)]).numpy()


def similarity(model: IdentityNet, crops_a: np.ndarray, crops_b: np.ndarray) -> np.ndarray:
    """Identity similarity (cosine of embeddings, −1 … 1) of matching rows of two sets of aligned crops: the
    course's stand-in for the paper's CSIM."""
    return np.sum(embed(model, crops_a) * embed(model, crops_b), axis=1)


def load_identity_net(name: str = CHECKPOINT_NAME) -> IdentityNet:
    """The shipped identity network (checkpoints/identity.pt), float32, in eval mode."""
    from .checkpoints import load_checkpoint

    state = load_checkpoint(name)
    width = int(state.pop("_width", torch.tensor(32)))
    state.pop("_head", None)
    model = IdentityNet(width=width)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()


# ----------------------------------------------------------------------------- data

def noise_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random smooth colour field: what the network sees instead of the person's own backdrop."""
    small = rng.uniform(0, 255, (4, 4, 3)).astype(np.float32)
    field = cv2.resize(small, (size, size), interpolation=cv2.INTER_CUBIC)
    return np.clip(field + rng.normal(0, 12, (size, size, 3)), 0, 255).astype(np.uint8)


def render_crops(seeds, per_identity: int, seed: int = 0, max_yaw: float = 30.0, replace_background: bool = True,
                 verbose: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Aligned crops of random frames of each FaceWorld identity: (crops (N, 64, 64, 3) uint8, labels (N,) int,
    the index of the identity in `seeds`). Rendered at 128 px, background replaced by noise."""
    from . import faces

    rng = np.random.default_rng([int(seed), 0x1D])
    crops, labels, t0 = [], [], time.time()
    seeds = list(seeds)
    for i, s in enumerate(seeds):
        person = faces.sample_identity(int(s))
        for _ in range(per_identity):
            out = faces.render(person, faces.random_frame(rng, max_yaw=max_yaw), 128)
            image = out.image
            if replace_background:
                image = np.where(out.foreground[..., None], image, noise_background(rng, 128))
            crops.append(align(image, out.landmarks))
            labels.append(i)
        if verbose and (i + 1) % 100 == 0:
            print(f"  {i + 1}/{len(seeds)} identities ({time.time() - t0:.0f} s)", flush=True)
    faces.clear_caches()
    return np.stack(crops), np.array(labels)


def cached_crops(split: str, n_identities: int, per_identity: int, seed: int = 0, verbose: bool = True):
    """render_crops of the first n identities of a FaceWorld split, cached in the data cache."""
    from .config import data_dir, save_npz
    from .faces.splits import split_seeds

    path = Path(data_dir()) / f"identity_{split}_{n_identities}x{per_identity}_s{seed}.npz"
    if path.exists():
        d = np.load(path)
        return d["crops"], d["labels"]
    if verbose:
        print(f"rendering {n_identities} {split} identities x {per_identity} -> {path}", flush=True)
    crops, labels = render_crops(split_seeds(split, n_identities), per_identity, seed, verbose=verbose)
    save_npz(path, crops=crops, labels=labels)
    return crops, labels


def augment(crops: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random flips, small shifts and colour jitter (brightness, contrast): a person is still themself."""
    out = crops.astype(np.float32)
    flip = rng.random(len(out)) < 0.5
    out[flip] = out[flip, :, ::-1]
    gain = rng.uniform(0.75, 1.25, (len(out), 1, 1, 1))
    bias = rng.uniform(-25, 25, (len(out), 1, 1, 1))
    tint = rng.uniform(0.92, 1.08, (len(out), 1, 1, 3))
    out = out * gain * tint + bias
    shifted = np.empty_like(out)
    for i, (dx, dy) in enumerate(rng.integers(-3, 4, (len(out), 2))):
        m = np.float32([[1, 0, dx], [0, 1, dy]])
        shifted[i] = cv2.warpAffine(out[i], m, (SIZE, SIZE), borderMode=cv2.BORDER_REFLECT)
    return np.clip(shifted, 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------- evaluation

def verification(model: IdentityNet, crops: np.ndarray, labels: np.ndarray, n_pairs: int = 2000, seed: int = 0,
                 threshold: float | None = None) -> dict[str, float]:
    """Face verification on held-out people: half the pairs the same person, half different. Returns the
    accuracy at `threshold` (or at the best threshold when None), the threshold, the ROC AUC and the mean
    similarity of same and different pairs."""
    rng = np.random.default_rng(seed)
    emb = embed(model, crops)
    by_label = {lab: np.flatnonzero(labels == lab) for lab in np.unique(labels)}
    keys = list(by_label)
    a, b, same = [], [], []
    for k in range(n_pairs):
        if k % 2 == 0:
            idx = by_label[keys[rng.integers(len(keys))]]
            i, j = rng.choice(idx, 2, replace=False)
        else:
            p, q = rng.choice(len(keys), 2, replace=False)
            i, j = rng.choice(by_label[keys[p]]), rng.choice(by_label[keys[q]])
        a.append(i)
        b.append(j)
        same.append(k % 2 == 0)
    sims = np.sum(emb[a] * emb[b], axis=1)
    same = np.array(same)
    if threshold is None:
        cands = np.unique(sims)
        accs = [np.mean((sims >= t) == same) for t in cands]
        threshold = float(cands[int(np.argmax(accs))])
    return {"accuracy": float(np.mean((sims >= threshold) == same)), "threshold": float(threshold),
            "auc": auc(sims[~same], sims[same]), "same_mean": float(sims[same].mean()),
            "different_mean": float(sims[~same].mean()), "pairs": int(n_pairs)}


def evaluate(model: IdentityNet, n_identities: int = 200, per_identity: int = 6) -> dict[str, float]:
    """Threshold chosen on validation people, accuracy reported on test people (never seen in training)."""
    val = cached_crops("validation", n_identities, per_identity, seed=1, verbose=False)
    test = cached_crops("test", n_identities, per_identity, seed=2, verbose=False)
    thr = verification(model, *val)["threshold"]
    result = verification(model, *test, threshold=thr)
    return result | {"test_identities": n_identities}


# ----------------------------------------------------------------------------- training

def train(steps: int = 4000, identities_per_batch: int = 16, images_per_identity: int = 4, seed: int = 0,
          lr: float = 2e-3, n_identities: int = 1000, per_identity: int = 10, width: int = 32,
          threads: int | None = 1, time_limit: float | None = None, save: bool = False, log_every: int = 100,
          eval_after: bool = True, data=None, verbose: bool = True, init: str | None = None):
    """Train IdentityNet with the CosFace loss on FaceWorld train people; evaluate verification on held-out
    people; save only when asked. Batches hold `identities_per_batch` people × `images_per_identity` crops.
    `init`: a checkpoint name to continue from (network and per-person directions; no warm-up)."""
    t_start = time.time()
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    crops, labels = data if data is not None else cached_crops("train", n_identities, per_identity)
    n_classes = int(labels.max()) + 1
    by_label = [np.flatnonzero(labels == k) for k in range(n_classes)]
    model, head = IdentityNet(width), CosFaceHead(n_classes)
    if init:
        from .checkpoints import load_checkpoint

        state = load_checkpoint(init)
        width = int(state.pop("_width", torch.tensor(width)))
        centres = state.pop("_head", None)
        model = IdentityNet(width)
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
        if centres is not None and centres.shape[0] == n_classes:
            head.weight.data.copy_(centres.float())
    warm = 0.01 if init else 0.03
    opt = torch.optim.AdamW(list(model.parameters()) + list(head.parameters()), lr=lr, weight_decay=5e-4)
    model.train()

    def step(_):
        people = rng.choice(n_classes, identities_per_batch, replace=False)
        idx = np.concatenate([rng.choice(by_label[p], images_per_identity, replace=len(by_label[p]) < images_per_identity)
                              for p in people])
        loss = head(model(to_input(augment(crops[idx], rng))), torch.from_numpy(labels[idx]).long())
        return loss, {"loss": float(loss.detach())}

    losses = optimise(opt, steps, lr, warm, step, lambda h: f"loss {np.mean(h['loss'][-log_every:]):.3f}",
                      t_start=t_start, time_limit=time_limit, verbose=verbose, log_every=log_every).get("loss", [])
    model.eval()
    info = {"losses": losses, "steps": len(losses), "wall_seconds": time.time() - t_start}
    if eval_after:
        info.update(evaluate(model))
        if verbose:
            print(f"held-out verification accuracy {info['accuracy']:.3f} (AUC {info['auc']:.3f}; same "
                  f"{info['same_mean']:.2f}, different {info['different_mean']:.2f})", flush=True)
    if save:
        from .checkpoints import save_checkpoint

        cmd = " ".join(["python -m course_utils.identity_net"] + sys.argv[1:]) if __name__ == "__main__" else \
            f"course_utils.identity_net.train(steps={steps}, seed={seed})"
        # _head: the training people's directions, for --continue
        state = half_state(model, _width=torch.tensor(width), _head=head.weight.detach().half())
        cmd, wall, steps_total = continued(init, cmd, info["wall_seconds"], info["steps"])
        metrics = {k: round(float(info[k]), 4) for k in ("accuracy", "auc", "threshold", "same_mean", "different_mean")
                   if k in info}
        metrics |= {"test_identities": info.get("test_identities", 0), "params": n_params(model),
                    "steps": steps_total, "train_identities": n_classes, "train_crops": int(len(crops))}
        save_checkpoint(state, CHECKPOINT_NAME, command=cmd, seed=seed, metrics=metrics, wall_seconds=wall,
                        notes="IdentityNet: small ResNet on aligned 64 px crops -> 128-d unit embedding; CosFace loss "
                              "(margin 0.25, scale 24) over FaceWorld train people, backgrounds replaced by noise; "
                              "verification accuracy on test people at the threshold chosen on validation people; "
                              "weights float16. A stand-in for a real face-recognition network (CSIM, VGGFace).")
        info["metrics"] = metrics
    return model, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m course_utils.identity_net", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = train_arguments(sub, "train on FaceWorld people, evaluate on held-out people, save checkpoint 'identity'",
                        CHECKPOINT_NAME, 4000, batch=None)
    t.add_argument("--identities", type=int, default=1000)
    t.add_argument("--per-identity", type=int, default=10)
    sub.add_parser("eval", help="verification accuracy of the shipped checkpoint on held-out people")
    a = ap.parse_args(argv)
    if a.cmd == "train":
        train(a.steps, seed=a.seed, lr=a.lr, n_identities=a.identities, per_identity=a.per_identity,
              threads=a.threads, time_limit=a.time_limit, save=True, init=a.init)
    else:
        print(evaluate(load_identity_net()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
