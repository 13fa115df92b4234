"""Transfer and multi-task learning: reuse what was learned on many faces for a new task with few labels.

Chapter 06. Each experiment is a plain function returning plain dicts of arrays:

- `run_transfer_curves`: **recognising new people** (FaceWorld test people the network never saw) from
  K labelled photos of each (K = 1 … 64), three ways: from scratch (a small CNN, random start), frozen
  features (a logistic regression on the identity network's embedding) and fine-tuned (that regression,
  then the network's last block and embedding layer trained with it at a small learning rate);
- `run_domain_gap`: the same question on real photos (scikit-image's `lfw_subset`: faces vs not faces)
  and on FaceWorld faces made to look as poor, plus how alike different people look to the network — the
  domain gap, measured;
- regularised multi-task learning (Evgeniou & Pontil, KDD 2004), w_t = w₀ + v_t in closed form
  (`multitask_fit`, `multitask_kernel`), against one model per task (independent) and one for all
  (pooled): on related tasks with known truth built on real features (`run_related_tasks`) and on real
  personal smile detectors, one per person (`run_multitask`).

The identity network (`identity_net`) stands in for a real face-recognition network trained on
millions of photos. Every fit here is short (seconds or less) so that curves over several seeds fit in
a notebook. Shapes: crops (N, 64, 64, 3) uint8 aligned faces; labels (N,) ints.

    python -m course_utils.transfer [--mode quick|standard]   # prints every curve
    python -m course_utils.transfer --tune                      # the smile detectors' λs, on validation people
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .errors import CourseError

KS = (1, 2, 4, 8, 16, 32, 64)  # labelled photos per person (per class) in the learning curves
LEARNERS = ("scratch", "frozen", "finetuned")
SMILE_ON = 0.5  # a face "smiles" when its smile weight is above this


# ----------------------------------------------------------------------------- photos of new people, half smiling

def smile_frame(rng: np.random.Generator, smiling: bool, max_yaw: float = 25.0):
    """A random FaceWorld frame (pose, light, jaw, blinks, brows) whose smile is clearly on (0.55 … 1) or
    clearly off (0, or up to 0.3): the label is never a coin toss."""
    from . import faces

    frame = faces.random_frame(rng, max_yaw=max_yaw)
    smile = rng.uniform(0.55, 1.0) if smiling else float(rng.choice([0.0, rng.uniform(0.0, 0.3)]))
    return faces.with_expression(frame, smile=float(smile))


def render_smile_crops(n_identities: int, per_identity: int, seed: int = 0, split: str = "test") -> dict:
    """Aligned crops of the first `n_identities` people of a FaceWorld split, half of each person's frames
    smiling: {"crops": (N, 64, 64, 3) uint8, "person": (N,) int, "smile": (N,) float32 0 … 1,
    "label": (N,) int 1 = smiling}, rendered at 128 px. The background is replaced by random noise, as in
    the identity network's training, so that nobody is recognised by the wall behind them."""
    from . import faces
    from .faces.splits import split_seeds
    from .identity_net import noise_background, align

    rng = np.random.default_rng([int(seed), 0x5A11E])
    crops, person, smile = [], [], []
    for i, s in enumerate(split_seeds(split, n_identities)):
        ident = faces.sample_identity(int(s))
        for j in range(per_identity):
            frame = smile_frame(rng, smiling=j % 2 == 0)
            out = faces.render(ident, frame, 128)
            image = np.where(out.foreground[..., None], out.image, noise_background(rng, 128))
            crops.append(align(image, out.landmarks))
            person.append(i)
            smile.append(frame.expression.smile)
    faces.clear_caches()
    smile = np.array(smile, np.float32)
    return {"crops": np.stack(crops), "person": np.array(person), "smile": smile,
            "label": (smile > SMILE_ON).astype(np.int64)}


def smile_crops(n_identities: int, per_identity: int, seed: int = 0, split: str = "test", verbose: bool = True) -> dict:
    """render_smile_crops, cached in the data cache (rendering costs about 1.5 s per person, then 40 ms a frame)."""
    from .config import data_dir, save_npz

    path = Path(data_dir()) / f"transfer_faces_{split}_{n_identities}x{per_identity}_s{seed}.npz"
    if path.exists():
        with np.load(path) as d:
            return {k: d[k] for k in d.files}
    if verbose:
        print(f"rendering {n_identities} {split} people × {per_identity} frames (once; cached in {path.parent})", flush=True)
    data = render_smile_crops(n_identities, per_identity, seed, split)
    save_npz(path, **data)
    return data


def few_shot_split(labels: np.ndarray, pool: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of k examples of each class (0 and 1), drawn without replacement from where `pool` is True."""
    out = []
    for c in (0, 1):
        idx = np.flatnonzero(pool & (labels == c))
        if len(idx) < k:
            raise CourseError(f"Only {len(idx)} examples of class {c} to draw {k} from; render more faces.")
        out.append(rng.choice(idx, k, replace=False))
    return np.concatenate(out)


# ----------------------------------------------------------------------------- learner 1: from scratch

class SmallCNN(nn.Module):
    """A small convolutional classifier, the right size for a few examples: (B, 3, 64, 64) in [-1, 1] ->
    (B, n_classes) logits. It looks at the crop at 32 × 32 (enough for who and for a smile) to stay fast."""

    def __init__(self, n_classes: int = 2, width: int = 16):
        super().__init__()
        w = width
        self.body = nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(3, w, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(w, 2 * w, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(2 * w, 4 * w, 3, 1, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten())
        self.head = nn.Linear(4 * w * 4, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


def _flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Mirror a random half of a batch: a person (or a smile) is still themself in the mirror."""
    flip = torch.rand(len(x), generator=gen) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def scratch_steps(n_examples: int, batch: int = 32, epochs: int = 10, least: int = 40, most: int = 200) -> int:
    """Training steps for a SmallCNN: about `epochs` passes over the examples, within [least, most]."""
    return int(np.clip(round(epochs * n_examples / batch), least, most))


def train_scratch(crops: np.ndarray, labels: np.ndarray, steps: int | None = None, lr: float = 3e-3, seed: int = 0,
                  batch: int = 32, n_classes: int | None = None) -> SmallCNN:
    """A SmallCNN trained from a random start on the labelled crops only (AdamW, mirror flips); steps
    default to scratch_steps(len(crops), batch)."""
    from .identity_net import to_input

    steps = steps or scratch_steps(len(crops), batch)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = SmallCNN(n_classes or int(labels.max()) + 1)
    x, y = to_input(crops), torch.as_tensor(labels, dtype=torch.long)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-2)
    model.train()
    for _ in range(steps):
        idx = torch.randperm(len(x), generator=gen)[:batch]
        loss = F.cross_entropy(model(_flip(x[idx], gen)), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return model.eval()


def predict_scratch(model: SmallCNN, crops: np.ndarray) -> np.ndarray:
    """(N, n_classes) logits; the prediction is the argmax."""
    from .identity_net import to_input

    with torch.no_grad():
        return model(to_input(crops)).numpy()


# ----------------------------------------------------------------------------- learner 2: frozen features

def frozen_features(model, crops: np.ndarray, batch: int = 256) -> dict[str, np.ndarray]:
    """The identity network's activations of crops, computed once (the network is not changed):
    {"block3": (N, 128, 8, 8), "block4": (N, 4096) flattened 256 × 4 × 4, "embedding": (N, 128) unit length}."""
    from .identity_net import to_input

    model.eval()
    x = to_input(crops)
    out = {"block3": [], "block4": [], "embedding": []}
    with torch.no_grad():
        for i in range(0, len(x), batch):
            f = model.features(x[i:i + batch])
            out["block3"].append(f[2])
            out["block4"].append(f[3].flatten(1))
            out["embedding"].append(F.normalize(model.head(f[3]), dim=1))
    return {k: torch.cat(v).numpy() for k, v in out.items()}


def logistic_regression(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 100, n_classes: int | None = None):
    """L2-regularised (multinomial) logistic regression on standardised features, by L-BFGS.
    Returns (W (D, C), b (C,), mean (D,), scale (D,)): logits(z) = ((z − mean) / scale) @ W + b.
    (Not metrics.fit_logistic: that one is two-class, class-balanced and solved by Newton's method in numpy;
    this probe is multinomial, on torch, and its numbers are the chapter's.)"""
    n_classes = n_classes or int(np.max(y)) + 1
    mean, scale = x.mean(0), x.std(0) + 1e-3
    a = torch.as_tensor((x - mean) / scale, dtype=torch.float32)
    t = torch.as_tensor(y, dtype=torch.long)
    w = torch.zeros(a.shape[1], n_classes, requires_grad=True)
    b = torch.zeros(n_classes, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=iters, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(a @ w + b, t) + l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy(), b.detach().numpy(), mean, scale


def probe_scores(fit, x: np.ndarray) -> np.ndarray:
    """Logits (N, C) of a logistic_regression fit on new features; the prediction is the argmax."""
    w, b, mean, scale = fit
    return ((x - mean) / scale) @ w + b


# ----------------------------------------------------------------------------- learner 3: fine-tuned

class FineTuned(nn.Module):
    """A copy of the identity network's last block and embedding layer, plus a new linear classifier on the
    embedding. It reads block-3 activations, computed once by the first blocks, which stay frozen."""

    def __init__(self, identity_model, n_classes: int, probe=None):
        super().__init__()
        import copy

        self.block = copy.deepcopy(identity_model.blocks[3])
        self.embed = copy.deepcopy(identity_model.head)
        self.classify = nn.Linear(self.embed[-1].num_features, n_classes)
        if probe is not None:  # start where the linear probe on the frozen embedding ended ("LP-FT")
            w, b, mean, scale = probe
            self.classify.weight.data = torch.as_tensor((w / scale[:, None]).T, dtype=torch.float32)
            self.classify.bias.data = torch.as_tensor(b - (mean / scale) @ w, dtype=torch.float32)

    def forward(self, block3: torch.Tensor) -> torch.Tensor:
        return self.classify(F.normalize(self.embed(self.block(block3)), dim=1))


def fine_tune(identity_model, block3: np.ndarray, labels: np.ndarray, steps: int = 20, lr: float = 3e-4,
              seed: int = 0, batch: int = 32, l2: float = 1e-2, n_classes: int | None = None) -> FineTuned:
    """Fine-tuning in two stages: a linear probe on the frozen embedding, then the last block, the embedding
    layer and the probe trained together with a small learning rate (batch-norm statistics kept from
    pretraining: a handful of photos cannot re-estimate them)."""
    n_classes = n_classes or int(labels.max()) + 1
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(block3)
    y = torch.as_tensor(labels, dtype=torch.long)
    identity_model.eval()
    with torch.no_grad():
        emb = F.normalize(identity_model.head(identity_model.blocks[3](x)), dim=1).numpy()
    model = FineTuned(identity_model, n_classes, logistic_regression(emb, labels, l2, n_classes=n_classes)).eval()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        idx = torch.randperm(len(x), generator=gen)[:batch]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return model


def predict_finetuned(model: FineTuned, block3: np.ndarray) -> np.ndarray:
    """(N, n_classes) logits of a fine-tuned model on block-3 activations."""
    with torch.no_grad():
        return model(torch.as_tensor(block3)).numpy()


# ----------------------------------------------------------------------------- the learning curves

def few_shot_people(person: np.ndarray, n_way: int, k: int, n_test: int, rng: np.random.Generator):
    """(train indices, test indices, labels 0 … n_way−1 of all rows): k crops of each of the first n_way
    people drawn from all but their last n_test crops; the test set is those last n_test crops."""
    train, test = [], []
    for p in range(n_way):
        idx = np.flatnonzero(person == p)
        if len(idx) < k + n_test:
            raise CourseError(f"Person {p} has {len(idx)} crops; {k} to learn from and {n_test} to test need more.")
        train.append(rng.choice(idx[:-n_test], k, replace=False))
        test.append(idx[-n_test:])
    return np.concatenate(train), np.concatenate(test)


def run_transfer_curves(identity_model, data: dict, ks=KS, seeds: int = 5, learners=LEARNERS, n_way: int = 20,
                        n_test: int = 16, epochs: int = 10, finetune_steps: int = 20, batch: int = 32,
                        verbose: bool = False) -> dict:
    """Recognising n_way new people (test-split people the identity network never saw) from k labelled
    photos of each: accuracy on n_test other photos of each, for every k in ks, `seeds` draws each.
    `data` is smile_crops(...) (its person labels). Chance is 1 / n_way.
    Returns {"k": (n_k,), learner: (seeds, n_k) accuracy 0 … 1, "seconds": {learner: s}, "n_way", "n_test"}."""
    person, crops = data["person"], data["crops"]
    n_way = min(n_way, int(person.max()) + 1)
    keep = person < n_way
    person, crops = person[keep], crops[keep]
    feats = frozen_features(identity_model, crops)
    out = {"k": np.array(ks), "seconds": {}, "n_way": n_way, "n_test": n_test}
    for name in learners:
        acc = np.zeros((seeds, len(ks)))
        start = time.perf_counter()
        for s in range(seeds):
            for j, k in enumerate(ks):
                tr, te = few_shot_people(person, n_way, k, n_test, np.random.default_rng([s, k]))
                if name == "scratch":
                    steps = scratch_steps(len(tr), batch, epochs)
                    scores = predict_scratch(train_scratch(crops[tr], person[tr], steps, seed=s, batch=batch,
                                                           n_classes=n_way), crops[te])
                elif name == "frozen":
                    scores = probe_scores(logistic_regression(feats["embedding"][tr], person[tr], n_classes=n_way),
                                          feats["embedding"][te])
                elif name == "finetuned":
                    model = fine_tune(identity_model, feats["block3"][tr], person[tr], finetune_steps, seed=s,
                                      batch=batch, n_classes=n_way)
                    scores = predict_finetuned(model, feats["block3"][te])
                else:
                    raise CourseError(f"Unknown learner {name!r}; use one of {', '.join(LEARNERS)}.")
                acc[s, j] = np.mean(scores.argmax(1) == person[te])
        out[name] = acc
        out["seconds"][name] = time.perf_counter() - start
        if verbose:
            print(f"{name:10s} " + "  ".join(f"k={k}: {m:.3f}±{sd:.3f}" for k, m, sd in
                                             zip(ks, acc.mean(0), acc.std(0))), f"({out['seconds'][name]:.1f} s)", flush=True)
    return out


# ----------------------------------------------------------------------------- real photos: the domain gap

def lfw_faces(size: int = 64) -> dict:
    """scikit-image's lfw_subset as the identity network reads it: {"crops": (200, size, size, 3) uint8 (the
    25 × 25 grey photos enlarged, grey in all three channels), "label": (200,) 1 = face, 0 = not a face}."""
    import cv2
    from skimage import data

    gray = (data.lfw_subset() * 255).round().astype(np.uint8)
    big = np.stack([cv2.resize(g, (size, size), interpolation=cv2.INTER_CUBIC) for g in gray])
    return {"crops": np.repeat(big[..., None], 3, axis=3), "label": (np.arange(len(gray)) < 100).astype(np.int64)}


def to_lfw_look(crops: np.ndarray) -> np.ndarray:
    """FaceWorld crops made to look like lfw_subset: grey, shrunk to 25 × 25 and enlarged back."""
    import cv2

    out = []
    for c in crops:
        g = cv2.cvtColor(c, cv2.COLOR_RGB2GRAY)
        g = cv2.resize(cv2.resize(g, (25, 25), interpolation=cv2.INTER_AREA), c.shape[:2][::-1], interpolation=cv2.INTER_CUBIC)
        out.append(np.repeat(g[..., None], 3, axis=2))
    return np.stack(out)


def mean_similarity_of_strangers(identity_model, crops: np.ndarray) -> float:
    """Mean identity similarity (cosine of embeddings) over all pairs of different rows of crops: near 0 when the
    network tells these faces apart, near 1 when to it they all look alike."""
    from .identity_net import embed

    e = embed(identity_model, crops)
    s = e @ e.T
    return float(s[~np.eye(len(e), dtype=bool)].mean())


def run_domain_gap(identity_model, ks=(1, 2, 4, 8, 16, 32), seeds: int = 5, faceworld: dict | None = None,
                   verbose: bool = False) -> dict:
    """Faces vs not-faces from k labelled examples per class, with a logistic regression on the identity
    network's frozen embedding and with a SmallCNN from scratch, on real photos (lfw_subset) — and, given
    `faceworld` (smile_crops), on FaceWorld faces made to look the same (grey, 25 px) against the same
    non-faces. Half of each class is held out. Also how alike different people look to the network:
    "strangers" = {"faceworld": sharp colour crops, "faceworld_low": the same at lfw quality, "real_low": lfw
    faces}, each the mean similarity of pairs of different people (mean_similarity_of_strangers).
    Returns {"k": (n_k,), "real_frozen", "real_scratch"[, "faceworld_frozen", "faceworld_scratch"]: (seeds, n_k),
    "strangers": {...}}."""
    real = lfw_faces()
    domains = {"real": real}
    out = {"k": np.array(ks), "strangers": {"real_low": mean_similarity_of_strangers(identity_model, real["crops"][:100])}}
    if faceworld is not None:
        first = np.unique(faceworld["person"], return_index=True)[1]  # one photo of each person
        fw = to_lfw_look(faceworld["crops"][np.random.default_rng(0).choice(len(faceworld["crops"]), 100, replace=False)])
        domains["faceworld"] = {"crops": np.concatenate([fw, real["crops"][100:]]), "label": real["label"]}
        out["strangers"]["faceworld"] = mean_similarity_of_strangers(identity_model, faceworld["crops"][first])
        out["strangers"]["faceworld_low"] = mean_similarity_of_strangers(identity_model,
                                                                         to_lfw_look(faceworld["crops"][first]))
    half = np.zeros(200, bool)
    half[np.r_[0:50, 100:150]] = True  # labelled pool: the first half of each class; test: the second half
    for dom, d in domains.items():
        feats = frozen_features(identity_model, d["crops"])["embedding"]
        for name in ("frozen", "scratch"):
            acc = np.zeros((seeds, len(ks)))
            for s in range(seeds):
                for j, k in enumerate(ks):
                    idx = few_shot_split(d["label"], half, k, np.random.default_rng([s, k, 7]))
                    if name == "frozen":
                        scores = probe_scores(logistic_regression(feats[idx], d["label"][idx], n_classes=2), feats[~half])
                    else:
                        scores = predict_scratch(train_scratch(d["crops"][idx], d["label"][idx], seed=s,
                                                               n_classes=2), d["crops"][~half])
                    acc[s, j] = np.mean(scores.argmax(1) == d["label"][~half])
            out[f"{dom}_{name}"] = acc
            if verbose:
                print(f"{dom:9s} {name:8s} " + "  ".join(f"k={k}: {m:.3f}±{sd:.3f}" for k, m, sd in
                                                       zip(ks, acc.mean(0), acc.std(0))), flush=True)
    if verbose:
        print("similarity of different people:", {k: round(v, 2) for k, v in out["strangers"].items()})
    return out


# ----------------------------------------------------------------------------- multi-task learning

def ridge(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """argmin_w ‖y − x w‖² + lam ‖w‖²: (D,) weights, solved in whichever of the two forms is smaller."""
    n, d = x.shape
    if n < d:
        return x.T @ np.linalg.solve(x @ x.T + lam * np.eye(n), y)
    return np.linalg.solve(x.T @ x + lam * np.eye(d), x.T @ y)


def multitask_kernel(x: np.ndarray, task: np.ndarray, z: np.ndarray, task_z: np.ndarray, n_tasks: int,
                     lam_task: float, lam_shared: float) -> np.ndarray:
    """Evgeniou & Pontil's kernel K((x, s), (z, t)) = (1/λ₂ + T/λ₁ · [s = t]) x·z, an (N, M) array: the
    regularised multi-task problem below is ordinary kernel ridge regression with it."""
    same = task[:, None] == task_z[None, :]
    return (x @ z.T) * (1.0 / lam_shared + (n_tasks / lam_task) * same)


def multitask_fit(x: np.ndarray, y: np.ndarray, task: np.ndarray, n_tasks: int, lam_task: float = 1.0,
                  lam_shared: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Regularised multi-task learning with the squared loss, in closed form:

        min over w₀, v_1 … v_T of  Σ_t Σ_i (y_it − (w₀ + v_t)·x_it)² + (λ₁/T) Σ_t ‖v_t‖² + λ₂ ‖w₀‖²

    x (N, D) features, y (N,) targets, task (N,) ints 0 … T−1. Returns (w₀ (D,), V (T, D)); task t's weights
    are w₀ + V[t]. Solved as kernel ridge regression: α = (K + I)⁻¹ y with multitask_kernel, then
    w₀ = Σ α_i x_i / λ₂ and v_t = (T/λ₁) Σ_{i in t} α_i x_i."""
    task = np.asarray(task)
    k = multitask_kernel(x, task, x, task, n_tasks, lam_task, lam_shared)
    alpha = np.linalg.solve(k + np.eye(len(y)), y)
    w0 = x.T @ alpha / lam_shared
    v = np.zeros((n_tasks, x.shape[1]))
    np.add.at(v, task, (n_tasks / lam_task) * alpha[:, None] * x)
    return w0, v


def multitask_objective(w0, v, x, y, task, lam_task, lam_shared) -> float:
    """The value of the multi-task objective (for checking a solution)."""
    r = y - np.sum((w0 + v[task]) * x, axis=1)
    return float(r @ r + lam_task / len(v) * np.sum(v ** 2) + lam_shared * w0 @ w0)


def independent_fit(x, y, task, n_tasks: int, lam: float = 1.0) -> np.ndarray:
    """One ridge regression per task, on that task's examples only: (T, D) weights."""
    return np.stack([ridge(x[task == t], y[task == t], lam) for t in range(n_tasks)])


def pooled_fit(x, y, lam: float = 1.0) -> np.ndarray:
    """One ridge regression for all tasks together, as if they were one: (D,) weights."""
    return ridge(x, y, lam)


# chosen on validation-split people with the shipped identity network (`python -m course_utils.transfer --tune`),
# then kept fixed for the test-split people
MTL_LAMBDAS = {"multitask": (1000.0, 10.0), "independent": 100.0, "pooled": 100.0}
MTL_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0)


def multitask_features(feats: dict, dim: int = 64) -> np.ndarray:
    """Features for the per-person smile detectors: the identity network's block-3 activations (where the
    mouth's shape is still visible; the embedding was trained to ignore it), reduced to their `dim` main
    directions (PCA, fitted without labels) and standardised: (N, dim) float64."""
    x = feats["block3"].reshape(len(feats["block3"]), -1).astype(np.float64)
    x = x - x.mean(0)
    if len(x) <= x.shape[1]:  # fewer photos than numbers: the eigenvectors of the small (N, N) Gram matrix
        vals, vecs = np.linalg.eigh(x @ x.T)
        z = vecs[:, ::-1][:, :dim] * np.sqrt(np.maximum(vals[::-1][:dim], 0))
    else:
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        z = x @ vt[:dim].T
    return z / z.std(0)


def _task_features(feats: np.ndarray) -> np.ndarray:
    """Features for the linear per-person detectors: the given features plus a constant 1 (the bias)."""
    return np.hstack([feats, np.ones((len(feats), 1), feats.dtype)])


def _fit_all(x, y, task, n_tasks, lambdas) -> dict[str, np.ndarray]:
    """(T, D) weights of each method: multi-task (w₀ + v_t), independent, pooled (the same row for every task)."""
    w0, v = multitask_fit(x, y, task, n_tasks, *lambdas["multitask"])
    return {"multitask": w0 + v, "independent": independent_fit(x, y, task, n_tasks, lambdas["independent"]),
            "pooled": np.tile(pooled_fit(x, y, lambdas["pooled"]), (n_tasks, 1))}


def run_multitask(features: np.ndarray, person: np.ndarray, label: np.ndarray, ns=(2, 4, 8, 16), seeds: int = 10,
                  n_test: int = 8, lambdas: dict | None = None, verbose: bool = False) -> dict:
    """One smile detector per person (a task per person), from n labelled crops of that person (n/2 smiling),
    tested on `n_test` other crops of the same person: error rates of multi-task (w₀ + v_t), independent and
    pooled least-squares classifiers on ±1 labels. Returns {"n": (n_n,), method: (seeds, n_n) error 0 … 1}."""
    lambdas = {**MTL_LAMBDAS, **(lambdas or {})}
    x = _task_features(features.astype(np.float64))
    y = np.where(label == 1, 1.0, -1.0)
    people = np.unique(person)
    out = {"n": np.array(ns), "tasks": len(people)}
    errs = {m: np.zeros((seeds, len(ns))) for m in ("multitask", "independent", "pooled")}
    for s in range(seeds):
        rng = np.random.default_rng([s, 0x3A5])
        order = {}
        for p in people:  # per person: a test set and a shuffled pool of labelled candidates, balanced
            pos, neg = (rng.permutation(np.flatnonzero((person == p) & (label == c))) for c in (1, 0))
            order[p] = (np.r_[pos[:n_test // 2], neg[:n_test // 2]], pos[n_test // 2:], neg[n_test // 2:])
        test = np.concatenate([order[p][0] for p in people])
        t_test = np.searchsorted(people, person[test])
        for j, n in enumerate(ns):
            tr = np.concatenate([np.r_[order[p][1][:n // 2], order[p][2][:n - n // 2]] for p in people])
            weights = _fit_all(x[tr], y[tr], np.searchsorted(people, person[tr]), len(people), lambdas)
            for m, w in weights.items():
                errs[m][s, j] = np.mean(np.sign(np.sum(w[t_test] * x[test], 1)) != y[test])
    out.update(errs)
    if verbose:
        for m in errs:
            print(f"{m:12s} " + "  ".join(f"n={n}: {e:.3f}±{sd:.3f}" for n, e, sd in
                                          zip(ns, errs[m].mean(0), errs[m].std(0))), flush=True)
    return out


def related_tasks(features: np.ndarray, person: np.ndarray, spread: float = 0.5, noise: float = 0.5,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic related tasks on real features, where the truth is known: person t's target is
    y = (w₀ + v_t)·x + noise, w₀ ~ N(0, I), v_t ~ N(0, spread² I). Returns (y (N,), true weights (T, D))."""
    rng = np.random.default_rng([seed, 0x7A5C])
    x = _task_features(features.astype(np.float64))
    n_tasks = int(person.max()) + 1
    w = rng.normal(size=x.shape[1]) + spread * rng.normal(size=(n_tasks, x.shape[1]))
    return np.sum(w[person] * x, axis=1) + noise * rng.normal(size=len(x)), w


def run_related_tasks(features: np.ndarray, person: np.ndarray, ns=(2, 4, 8, 16), seeds: int = 10, n_test: int = 16,
                      spread: float = 0.5, noise: float = 0.5, verbose: bool = False) -> dict:
    """Multi-task vs independent vs pooled ridge regression on related_tasks, new task weights every seed:
    n training crops per person, error on n_test others = mean squared error / variance of the targets
    (0 perfect, 1 no better than predicting the mean). The λs are those the way the tasks were made calls
    for (the Bayes choice): multi-task λ₂ = noise², λ₁ = T·noise²/spread²; independent noise²/(1 + spread²);
    pooled noise². Returns {"n", method: (seeds, n_n) error, "lambdas", "noise_floor"}."""
    x = _task_features(features.astype(np.float64))
    n_tasks = int(person.max()) + 1
    lambdas = {"multitask": (n_tasks * noise ** 2 / spread ** 2, noise ** 2),
               "independent": noise ** 2 / (1 + spread ** 2), "pooled": noise ** 2}
    out = {"n": np.array(ns), "tasks": n_tasks, "lambdas": lambdas}
    errs = {m: np.zeros((seeds, len(ns))) for m in ("multitask", "independent", "pooled")}
    floor = []
    for s in range(seeds):
        y, _ = related_tasks(features, person, spread, noise, s)
        rng = np.random.default_rng([s, 0x3A6])
        order = [rng.permutation(np.flatnonzero(person == p)) for p in range(n_tasks)]
        test = np.concatenate([o[:n_test] for o in order])
        scale = y[test].var()
        floor.append(noise ** 2 / scale)
        for j, n in enumerate(ns):
            tr = np.concatenate([o[n_test:n_test + n] for o in order])
            for m, w in _fit_all(x[tr], y[tr], person[tr], n_tasks, lambdas).items():
                errs[m][s, j] = np.mean((np.sum(w[person[test]] * x[test], 1) - y[test]) ** 2) / scale
    out.update(errs)
    out["noise_floor"] = float(np.mean(floor))
    if verbose:
        for m in errs:
            print(f"{m:12s} " + "  ".join(f"n={n}: {e:.3f}±{sd:.3f}" for n, e, sd in
                                          zip(ns, errs[m].mean(0), errs[m].std(0))), flush=True)
    return out


def tune_multitask(features: np.ndarray, person: np.ndarray, label: np.ndarray, ns=(2, 4, 8), seeds: int = 5,
                   n_test: int = 8, grid=MTL_GRID) -> dict:
    """The λs of each method that give the lowest mean error over `ns` on these people (use validation-split
    people, never the test people): {"multitask": (λ₁, λ₂), "independent": λ, "pooled": λ}."""
    best = {}
    for method in ("multitask", "independent", "pooled"):
        options = [(a, b) for a in grid for b in grid] if method == "multitask" else list(grid)
        errors = [run_multitask(features, person, label, ns, seeds, n_test, {method: lam})[method].mean()
                  for lam in options]
        best[method] = options[int(np.argmin(errors))]
    return best


def main(argv: list[str] | None = None) -> int:
    """Print every curve of chapter 06 with the shipped identity network."""
    from .identity_net import load_identity_net

    ap = argparse.ArgumentParser(prog="python -m course_utils.transfer", description=main.__doc__)
    ap.add_argument("--mode", choices=("quick", "standard"), default="standard")
    ap.add_argument("--tune", action="store_true", help="choose the smile detectors' λs on validation people")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    quick = a.mode == "quick"
    try:
        model = load_identity_net()
    except CourseError as err:
        print("✘", err)
        return 1
    if a.tune:
        val = smile_crops(20, 32, split="validation")
        print("λs chosen on validation people:", tune_multitask(multitask_features(frozen_features(model, val["crops"])),
                                                                 val["person"], val["label"]))
        return 0
    data = smile_crops(*((10, 24) if quick else (20, 80)))
    print("recognising new people from K photos each (accuracy):")
    run_transfer_curves(model, data, ks=(1, 2, 4, 8) if quick else KS, seeds=2 if quick else 5, verbose=True)
    print("faces vs not-faces, FaceWorld at lfw quality and real lfw_subset (accuracy):")
    run_domain_gap(model, ks=(1, 4, 16), seeds=2 if quick else 5, faceworld=data, verbose=True)
    x64 = multitask_features(frozen_features(model, data["crops"]), 64)
    ns, n_test = ((2, 4, 8), 8) if quick else ((2, 4, 8, 16), 16)
    print("related tasks on real features (squared error / variance):")
    run_related_tasks(x64[:, :8], data["person"], ns=ns, seeds=10 if quick else 20, n_test=n_test, verbose=True)
    print("personal smile detectors (error rate):")
    run_multitask(x64, data["person"], data["label"], ns=ns, seeds=10 if quick else 20, n_test=n_test, verbose=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
