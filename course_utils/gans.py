"""GANs in a nutshell (chapter 07): a generator and a critic play a game, on 2-D points and on small faces.

Two worlds, the same game:

- **2-D points.** The target is a ring of 8 Gaussians; `PointGenerator` and `PointCritic` are tiny MLPs;
  `train_points` trains them with the non-saturating or the hinge loss (optionally with spectral norm on
  the critic) and keeps snapshots; `mode_stats` counts how many of the 8 modes the samples cover.
- **Faces.** `face_dataset` renders K FaceWorld people at 32 px once (cached in the data cache);
  `FaceGenerator` is a small conv net conditioned on the person; `ProjectionCritic` is a projection
  discriminator (Miyato & Koyama 2018): score = ψ(φ(x)) + ⟨embed(y), φ(x)⟩ = φ(x)ᵀ(w₀ + W_y) + b.

Command line (writes the shipped checkpoint):

    python -m course_utils.gans train-faces [--minutes 10] [--seed 0]
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from .tensors import image_to_tensor, n_params, tensor_to_image

# ----------------------------------------------------------------------------------------------- losses


def d_hinge_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Critic's hinge loss: mean max(0, 1 − D(x)) + mean max(0, 1 + D(G(z))); scores are raw (no sigmoid)."""
    return F.relu(1.0 - real_scores).mean() + F.relu(1.0 + fake_scores).mean()


def g_hinge_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """Generator's hinge loss: −mean D(G(z))."""
    return -fake_scores.mean()


def d_nonsat_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Critic's cross-entropy loss: −log σ(D(x)) − log(1 − σ(D(G(z)))), written stably with softplus."""
    return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()


def g_nonsat_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """Generator's non-saturating loss: −log σ(D(G(z))) = softplus(−D(G(z)))."""
    return F.softplus(-fake_scores).mean()


LOSSES = {"hinge": (d_hinge_loss, g_hinge_loss), "nonsat": (d_nonsat_loss, g_nonsat_loss)}

# ------------------------------------------------------------------------------------------- 2-D points


def ring_centers(k: int = 8, radius: float = 2.0) -> np.ndarray:
    """(k, 2) float32: the centres of k Gaussians evenly spaced on a circle."""
    angles = 2 * np.pi * np.arange(k) / k
    return (radius * np.stack([np.cos(angles), np.sin(angles)], 1)).astype(np.float32)


def ring_of_gaussians(n: int, k: int = 8, radius: float = 2.0, sigma: float = 0.05,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """(n, 2) float32 samples of the target: a mixture of k Gaussians (std `sigma`) on a ring."""
    centers = torch.from_numpy(ring_centers(k, radius))
    which = torch.randint(0, k, (n,), generator=generator)
    return centers[which] + sigma * torch.randn(n, 2, generator=generator)


def mode_stats(samples, centers=None, sigma: float = 0.05, min_share: float = 0.02) -> tuple[int, float]:
    """(modes covered, high-quality share) of (n, 2) samples: a sample is high quality when it lies within
    3σ of a centre; a mode is covered when at least `min_share` of all samples are high quality near it."""
    x = np.asarray(samples, dtype=np.float64)
    c = ring_centers() if centers is None else np.asarray(centers, dtype=np.float64)
    dist = np.linalg.norm(x[:, None, :] - c[None, :, :], axis=-1)  # (n, k)
    nearest, d = dist.argmin(1), dist.min(1)
    good = d <= 3 * sigma
    counts = np.bincount(nearest[good], minlength=len(c))
    return int((counts >= min_share * len(x)).sum()), float(good.mean())


class PointGenerator(nn.Module):
    """z (n, z_dim) standard normal -> points (n, 2): a 3-layer MLP."""

    def __init__(self, z_dim: int = 8, hidden: int = 128):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class PointCritic(nn.Module):
    """points (n, 2) -> raw scores (n,): a 3-layer MLP; `spectral=True` wraps every linear layer in
    spectral norm so each has largest singular value ≈ 1, and multiplies the output by `lipschitz`: the
    critic's slope is then bounded by `lipschitz` (a speed limit), not left free. With a bound of 1 this
    small critic cannot lift its scores to the hinge margins ±1 between clusters 0.05 wide, and learns
    nothing (try it: lipschitz=1)."""

    def __init__(self, hidden: int = 128, spectral: bool = False, lipschitz: float = 10.0):
        super().__init__()
        self.scale = float(lipschitz) if spectral else 1.0
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden),
                                 nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))
        if spectral:  # wrapped after all weights exist, so a seed gives the same starting weights either way
            for i, layer in enumerate(self.net):
                if isinstance(layer, nn.Linear):
                    self.net[i] = spectral_norm(layer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1) * self.scale


@dataclass
class PointRun:
    """What `train_points` returns: losses per step, and snapshots of the same 1000 z's samples."""

    loss: str
    spectral: bool
    steps: list[int] = field(default_factory=list)       # the snapshot steps
    samples: list[np.ndarray] = field(default_factory=list)  # (1000, 2) float32 per snapshot
    modes: list[int] = field(default_factory=list)        # modes covered per snapshot
    quality: list[float] = field(default_factory=list)    # high-quality share per snapshot
    d_loss: list[float] = field(default_factory=list)     # per step
    g_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    generator: PointGenerator | None = None
    critic: PointCritic | None = None

    @property
    def label(self) -> str:
        return {"hinge": "hinge", "nonsat": "non-saturating"}[self.loss] + (" + spectral norm" if self.spectral else "")


def train_points(loss: str = "hinge", spectral: bool = False, steps: int = 2000, batch: int = 256,
                 snapshot_every: int = 100, seed: int = 0, lr: float = 1e-3, sigma: float = 0.05,
                 hidden: int = 64, d_lr: float | None = None, lipschitz: float = 10.0) -> PointRun:
    """Train a PointGenerator against a PointCritic on the ring of 8 Gaussians (one critic step per
    generator step, Adam β = (0.5, 0.999), the critic at `d_lr` if given); `loss` is 'hinge' or 'nonsat'.
    Same seed -> same start and the same noise batches."""
    d_loss_fn, g_loss_fn = LOSSES[loss]
    torch.manual_seed(seed)
    gen, critic = PointGenerator(hidden=hidden), PointCritic(hidden=hidden, spectral=spectral, lipschitz=lipschitz)
    opt_g = torch.optim.Adam(gen.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(critic.parameters(), lr=d_lr or lr, betas=(0.5, 0.999))
    data_rng, noise_rng = torch.Generator().manual_seed(seed + 1), torch.Generator().manual_seed(seed + 2)
    z_fixed = torch.randn(1000, gen.z_dim, generator=torch.Generator().manual_seed(1234))
    run = PointRun(loss, spectral, generator=gen, critic=critic)
    start = time.perf_counter()
    for step in range(steps + 1):
        if step % snapshot_every == 0:
            with torch.no_grad():
                pts = gen(z_fixed).numpy().astype(np.float32)
            m, q = mode_stats(pts, sigma=sigma)
            run.steps.append(step), run.samples.append(pts), run.modes.append(m), run.quality.append(q)
        if step == steps:
            break
        real = ring_of_gaussians(batch, sigma=sigma, generator=data_rng)
        fake = gen(torch.randn(batch, gen.z_dim, generator=noise_rng))
        d_loss = d_loss_fn(critic(real), critic(fake.detach()))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = g_loss_fn(critic(fake))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        run.d_loss.append(d_loss.item()), run.g_loss.append(g_loss.item())
    run.seconds = time.perf_counter() - start
    return run


def largest_singular_values(model: nn.Module) -> list[float]:
    """The largest singular value of each Linear/Conv2d layer's weight as the forward pass uses it."""
    out = []
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                w = m.weight.reshape(m.weight.shape[0], -1)
                out.append(float(torch.linalg.matrix_norm(w, ord=2)))
    return out

# ------------------------------------------------------------------------------------------------ faces


FACE_SIZE = 32


def face_dataset(n_people: int = 8, per_person: int = 128, size: int = FACE_SIZE, seed: int = 0):
    """(images (N, size, size, 3) uint8, labels (N,) int64): `per_person` random frames (pose, expression,
    light) of each of the first `n_people` FaceWorld training identities; rendered once, then cached."""
    from . import faces
    from .config import data_dir, save_npz
    from .faces.splits import split_seeds

    path = data_dir() / f"gan_faces_{n_people}x{per_person}_s{seed}_{size}px.npz"
    if path.exists():
        with np.load(path) as f:
            return f["images"], f["labels"]
    rng = np.random.default_rng(seed)
    people = [faces.sample_identity(s) for s in split_seeds("train", n_people)]
    images, labels = [], []
    for j in range(per_person):
        for label, person in enumerate(people):
            images.append(faces.render(person, faces.random_frame(rng), size).image)
            labels.append(label)
    images, labels = np.stack(images), np.asarray(labels, dtype=np.int64)
    save_npz(path, images=images, labels=labels)
    return images, labels


class FaceGenerator(nn.Module):
    """(z (n, z_dim), person y (n,)) -> faces (n, 3, 32, 32) in [-1, 1]. The person's learned embedding
    is concatenated to the noise, then a linear layer and three upsampling conv blocks (4 -> 32 px)."""

    def __init__(self, n_classes: int = 8, z_dim: int = 64, width: int = 32):
        super().__init__()
        self.z_dim, self.width = z_dim, width
        self.embed = nn.Embedding(n_classes, 32)
        self.fc = nn.Linear(z_dim + 32, 4 * 4 * 2 * width)

        def up(cin, cout):
            return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(cin, cout, 3, padding=1),
                                 nn.BatchNorm2d(cout), nn.ReLU())

        self.body = nn.Sequential(nn.BatchNorm2d(2 * width), nn.ReLU(), up(2 * width, 2 * width),
                                  up(2 * width, width), up(width, width // 2),
                                  nn.Conv2d(width // 2, 3, 3, padding=1), nn.Tanh())

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.fc(torch.cat([z, self.embed(y)], 1))
        return self.body(h.view(-1, 2 * self.width, 4, 4))


class ProjectionCritic(nn.Module):
    """(faces (n, 3, 32, 32), person y (n,)) -> raw scores (n,), a projection discriminator:

        score = ψ(φ(x)) + ⟨embed(y), φ(x)⟩ = φ(x)ᵀ(w₀ + W_y) + b

    φ: conv trunk, 32 -> 4 px, summed over space to a feature vector; ψ: linear (w₀, b); embed: one row W_y
    per person. Spectral norm on every layer, as in Miyato & Koyama (2018) and the talking-head paper."""

    def __init__(self, n_classes: int = 8, width: int = 32, spectral: bool = True):
        super().__init__()
        wrap = spectral_norm if spectral else (lambda m: m)
        c = [3, width // 2, width, 2 * width, 2 * width]
        layers = []
        for i in range(4):
            layers += [wrap(nn.Conv2d(c[i], c[i + 1], 4 if i < 3 else 3, stride=2 if i < 3 else 1, padding=1)),
                       nn.LeakyReLU(0.2)]
        self.trunk = nn.Sequential(*layers)
        self.psi = wrap(nn.Linear(2 * width, 1))
        self.embed = wrap(nn.Embedding(n_classes, 2 * width))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """φ(x): (n, 2·width)."""
        return self.trunk(x).sum(dim=(2, 3))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        phi = self.features(x)
        return self.psi(phi).squeeze(1) + (self.embed(y) * phi).sum(1)


def diversity(batch: torch.Tensor | np.ndarray) -> float:
    """Mean pairwise RMS distance between the images of a batch, in [-1, 1] units (0: all identical)."""
    x = batch if isinstance(batch, torch.Tensor) else image_to_tensor(batch)
    flat = x.detach().reshape(len(x), -1).float()
    d = torch.cdist(flat, flat) / flat.shape[1] ** 0.5
    n = len(x)
    return float(d.sum() / (n * (n - 1)))


@dataclass
class FaceRun:
    """What `train_faces` returns: per-step losses, snapshots (n_snap, n_classes·cols, 32, 32, 3) uint8 of
    fixed z's, the snapshot steps, and the generated diversity per snapshot."""

    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    snapshots: list[np.ndarray] = field(default_factory=list)
    diversity: list[float] = field(default_factory=list)
    seconds: float = 0.0


def fixed_inputs(n_classes: int = 8, cols: int = 2, z_dim: int = 64, seed: int = 99):
    """The snapshots' inputs: `cols` fixed z's for each person (class-major), the same every run."""
    z = torch.randn(cols, z_dim, generator=torch.Generator().manual_seed(seed)).repeat(n_classes, 1)
    y = torch.arange(n_classes).repeat_interleave(cols)
    return z, y


def sample_faces(gen: FaceGenerator, z: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Generate faces in eval mode (BatchNorm's running statistics): (n, 32, 32, 3) uint8."""
    was = gen.training
    gen.eval()
    with torch.no_grad():
        out = tensor_to_image(gen(z, y))
    gen.train(was)
    return out


def train_faces(gen: FaceGenerator, critic: ProjectionCritic, images: np.ndarray, labels: np.ndarray, *,
                seconds: float = 15.0, max_steps: int | None = None, batch: int = 32,
                snapshot_every_s: float | None = None, seed: int = 0, log=None) -> FaceRun:
    """Train a conditional GAN with the hinge loss (Adam, lr 2e-4 for G and 4e-4 for D, β = (0, 0.9): a
    two-time-scale rule) for `seconds` of wall time (or `max_steps`); 20 snapshots of 2 fixed z's per person."""
    torch.manual_seed(seed)
    data, y_all = image_to_tensor(images), torch.from_numpy(labels)
    n_classes = int(critic.embed.weight.shape[0])
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(critic.parameters(), lr=4e-4, betas=(0.0, 0.9))
    z_fix, y_fix = fixed_inputs(n_classes, 2, gen.z_dim)
    every = snapshot_every_s or seconds / 19.5
    run, start, next_snap, step = FaceRun(), time.perf_counter(), 0.0, 0
    while True:
        elapsed = time.perf_counter() - start
        done = elapsed >= seconds or (max_steps is not None and step >= max_steps)
        if elapsed >= next_snap or done:
            run.steps.append(step)
            snap = sample_faces(gen, z_fix, y_fix)
            run.snapshots.append(snap)
            run.diversity.append(diversity(snap))
            next_snap += every
            if log:
                log(f"step {step}: D {np.mean(run.d_loss[-50:] or [0]):.3f}  G {np.mean(run.g_loss[-50:] or [0]):.3f}")
        if done:
            break
        idx = torch.randint(0, len(data), (batch,))
        real, y = data[idx], y_all[idx]
        # a random horizontal flip doubles the data at no cost
        flip = torch.rand(batch) < 0.5
        real = torch.where(flip[:, None, None, None], real.flip(3), real)
        fake = gen(torch.randn(batch, gen.z_dim), y)
        d_loss = d_hinge_loss(critic(real, y), critic(fake.detach(), y))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = g_hinge_loss(critic(fake, y))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        run.d_loss.append(d_loss.item()), run.g_loss.append(g_loss.item())
        step += 1
    run.seconds = time.perf_counter() - start
    return run


CHECKPOINT = "gan_faces"
COMMAND = "python -m course_utils.gans train-faces"


def _run_state(run: FaceRun) -> dict:
    return {"d_loss": torch.tensor(run.d_loss, dtype=torch.float32), "g_loss": torch.tensor(run.g_loss, dtype=torch.float32),
            "snap_steps": torch.tensor(run.steps), "snapshots": torch.from_numpy(np.stack(run.snapshots)),
            "diversity": torch.tensor(run.diversity, dtype=torch.float32), "seconds": float(run.seconds)}


def _run_from_state(state: dict) -> FaceRun:
    return FaceRun(d_loss=state["d_loss"].tolist(), g_loss=state["g_loss"].tolist(), steps=state["snap_steps"].tolist(),
                   snapshots=list(state["snapshots"].numpy()), diversity=state["diversity"].tolist(),
                   seconds=float(state["seconds"]))


def load_face_gan(directory=None) -> tuple[FaceGenerator, FaceRun, dict]:
    """The shipped conditional face GAN: (generator in eval mode, its training record, manifest entry).
    Raises CourseError (with the rebuild command) when the checkpoint is missing or damaged."""
    from .checkpoints import load_checkpoint, read_manifest

    state = load_checkpoint(CHECKPOINT, directory)
    gen = FaceGenerator(int(state["n_classes"]), int(state["z_dim"]), int(state["width"]))
    gen.load_state_dict({k[4:]: v.float() for k, v in state.items() if k.startswith("gen.")})
    gen.eval()
    run = _run_from_state({k[4:]: v for k, v in state.items() if k.startswith("run.")} | {"seconds": state["run_seconds"]})
    return gen, run, read_manifest(directory).get(CHECKPOINT, {})


def main(argv: list[str] | None = None) -> int:
    """`python -m course_utils.gans train-faces`: train the conditional face GAN and ship it."""
    import argparse

    from .checkpoints import save_checkpoint

    parser = argparse.ArgumentParser(prog="python -m course_utils.gans")
    parser.add_argument("command", choices=["train-faces"])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--per-person", type=int, default=256)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    images, labels = face_dataset(args.people, args.per_person)
    torch.manual_seed(args.seed)
    gen, critic = FaceGenerator(args.people, 64, args.width), ProjectionCritic(args.people, args.width)
    run = train_faces(gen, critic, images, labels, seconds=args.minutes * 60, seed=args.seed, log=print)
    real_div = float(np.mean([diversity(images[labels == k][:32]) for k in range(args.people)]))
    z, y = fixed_inputs(args.people, 32, gen.z_dim, seed=7)
    fake = sample_faces(gen, z, y)
    fake_div = float(np.mean([diversity(fake[k * 32:(k + 1) * 32]) for k in range(args.people)]))
    state = {f"gen.{k}": v.detach().half() if v.is_floating_point() else v for k, v in gen.state_dict().items()}
    state |= {f"run.{k}": v for k, v in _run_state(run).items() if k != "seconds"}
    state |= {"run_seconds": run.seconds, "n_classes": args.people, "z_dim": gen.z_dim, "width": args.width}
    metrics = {"steps": len(run.d_loss), "d_loss_last500": round(float(np.mean(run.d_loss[-500:])), 4),
               "g_loss_last500": round(float(np.mean(run.g_loss[-500:])), 4),
               "diversity_real_per_person": round(real_div, 4), "diversity_fake_per_person": round(fake_div, 4),
               "people": args.people, "train_images": len(images),
               "gen_params": n_params(gen)}
    cmd = COMMAND + (f" --minutes {args.minutes:g}" if args.minutes != 10 else "")
    path = save_checkpoint(state, CHECKPOINT, command=cmd, seed=args.seed, metrics=metrics, wall_seconds=run.seconds,
                           notes="conditional GAN on 32 px FaceWorld faces, 8 people; hinge loss, projection critic "
                                 "with spectral norm; generator weights float16 plus the training record "
                                 "(losses, snapshots of fixed z's).")
    print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB): {metrics}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
