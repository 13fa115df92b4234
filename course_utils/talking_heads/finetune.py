"""A new person from a few frames: feed-forward (FF) and fine-tuned (FT) talking heads.

The paper, paraphrased: ψ′ is initialised to P·ê_new and becomes a free parameter; the discriminator's
W column is replaced by w′ = w₀ + ê_new, with b′ = b; then G′ and D′ train on the T frames of the new person with the
content and adversarial losses (no embedding match: there is no W_i any more). Feed-forward skips the
training: ψ = P·ê_new as it is.

    puppet = feed_forward(gan, frames, landmark_images)           # FF
    puppet, history = fine_tune(gan, frames, landmark_images)      # FT from the person (the paper)
    puppet, history = fine_tune(gan, frames, landmark_images, init="generic")   # FT from nobody in particular
    x̂ = puppet(y)                                                  # (B, 3, S, S) for landmark images y

frames and landmark_images are (T, 3, S, S) float in [-1, 1] (T = K shots of one person).

The ablation (init="generic"). The paper's abstract credits the person-specific start of G′ and D′ for
fine-tuning that needs few images and little time. To test that, the same fine-tuning can start from ē, the
embedder's mean over FaceWorld *training* people (mean_embedding): ψ′ = P·ē, w′ = w₀ + ē. ē was chosen over
zeros because it is an embedding the meta-learned networks have seen the like of (E's outputs are
non-negative sums, ‖ê‖ ≈ 8 for the shipped small checkpoint; a zero vector is far from all of them), and over
one particular training person because it favours nobody: what it does not carry is this person.
"""

from __future__ import annotations

import copy
import time

import torch
from torch import nn
from torch.nn.utils import parametrize

from ..errors import CourseError
from .losses import (Terms, adversarial_g, content_targets, content_terms, feature_matching, hinge_d_fake,
                     hinge_d_real)
from .models import Discriminator, Generator, TalkingHeadGAN

# ē for init="generic": 16 training people × 4 frames. Measured on the shipped small checkpoint: this ē lies 0.34
# from the mean over 64 people × 8 frames, where held-out test people lie 1.1-2.1 from it (‖ê‖ ≈ 8).
GENERIC_PEOPLE, GENERIC_FRAMES = 16, 4


class PersonalisedGenerator(nn.Module):
    """G′(y) = G(y, ψ′): a copy of the generator whose AdaIN parameters are ψ′ (psi_dim,), initialised to
    P·ê. trainable=False (feed-forward) freezes everything."""

    def __init__(self, generator: Generator, e_hat: torch.Tensor, trainable: bool = True):
        super().__init__()
        self.generator = copy.deepcopy(generator).eval()    # eval: reading P must not move its spectral norm
        with torch.no_grad():
            psi = self.generator.project(e_hat.view(1, -1))[0]
        self.psi = nn.Parameter(psi.clone(), requires_grad=trainable)
        self.generator.requires_grad_(trainable)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.generator(y, psi=self.psi.expand(len(y), -1))

    @torch.inference_mode()
    def animate(self, landmark_images: torch.Tensor, batch: int = 16) -> torch.Tensor:
        """Frames for a sequence of landmark images (T, 3, S, S), without gradients, spectral norms cached."""
        was = self.training
        self.eval()
        with parametrize.cached():
            out = torch.cat([self(landmark_images[i:i + batch]) for i in range(0, len(landmark_images), batch)])
        self.train(was)
        return out


class PersonalisedDiscriminator(nn.Module):
    """D′(x, y) = V(x, y)ᵀ w′ + b′ with w′ = w₀ + ê (d,) and b′ = b: the trunk copied, W left behind."""

    def __init__(self, discriminator: Discriminator, e_hat: torch.Tensor):
        super().__init__()
        W = discriminator.W
        try:    # copy everything but W (one column per training video: no use to a new person, and large)
            discriminator.W = None
            self.discriminator = copy.deepcopy(discriminator)
        finally:
            discriminator.W = W
        self.discriminator.requires_grad_(True)
        self.discriminator.w0.requires_grad_(False)        # replaced by w′ below
        self.discriminator.b.requires_grad_(False)         # replaced by b′ below
        with torch.no_grad():
            self.w = nn.Parameter((discriminator.w0 + e_hat.view(-1)).clone())    # w′ = w₀ + ê
            self.b = nn.Parameter(discriminator.b.clone())                         # b′ = b

    def forward(self, x: torch.Tensor, y: torch.Tensor):
        return self.discriminator(x, y, w=self.w, b=self.b)


@torch.no_grad()
def embed_person(gan: TalkingHeadGAN, frames: torch.Tensor, landmark_images: torch.Tensor) -> torch.Tensor:
    """ê_new (d,): the embedder's mean over the T frames (T, 3, S, S)."""
    was = gan.embedder.training
    gan.embedder.eval()
    e = gan.embedder(frames, landmark_images).mean(0)
    gan.embedder.train(was)
    return e


def feed_forward(gan: TalkingHeadGAN, frames: torch.Tensor, landmark_images: torch.Tensor) -> PersonalisedGenerator:
    """FF: the meta-learned generator with ψ = P·ê_new, nothing trained."""
    return PersonalisedGenerator(gan.generator, embed_person(gan, frames, landmark_images), trainable=False).eval()


@torch.no_grad()
def mean_embedding(gan: TalkingHeadGAN, n_people: int = GENERIC_PEOPLE, k: int = GENERIC_FRAMES, seed: int = 0) -> torch.Tensor:
    """ē (d,): the embedder's mean over the first `n_people` FaceWorld training people (meta-learning saw them),
    each embedded from k frames drawn with `seed` — an embedding of nobody in particular, for init="generic"."""
    from .episodes import EpisodeDataset

    people = EpisodeDataset("train", n_people, k=k, size=gan.config.size)
    with torch.random.fork_rng():         # the draws follow `seed` and leave the caller's random state alone
        torch.manual_seed(seed)
        episodes = [people[i] for i in range(n_people)]
    return torch.stack([embed_person(gan, ep["frames"], ep["landmark_images"]) for ep in episodes]).mean(0)


def fine_tune(gan: TalkingHeadGAN, frames: torch.Tensor, landmark_images: torch.Tensor, steps: int | None = None,
              *, init: str = "person", e_generic: torch.Tensor | None = None, nets=None, batch: int | None = None,
              lr_g: float | None = None, lr_d: float | None = None, seed: int = 0, progress: bool = False,
              time_limit: float | None = None, callback=None):
    """FT: train G′ (ψ′ and G's weights) and D′ (trunk, w′, b′) on the T frames for `steps` steps
    (config.ft_steps by default), minibatches of min(batch, T) frames (config.ft_batch by default).
    Returns (G′, history), history a list of {step, terms: {name: {scale, value}}}.

    init: where G′ and D′ start. "person" (the paper): e = ê_new, the embedder's mean over the T frames.
    "generic" (the ablation): e = ē, e_generic or mean_embedding(gan). Then ψ′ = P·e and w′ = w₀ + e.
    nets: the content loss's feature networks (None: pixel L1 only — pass losses.perceptual_nets() for the full
    content loss). callback(step, G′): called before the first step (step 0) and after every step, to measure
    G′ on the way (G′.animate does not disturb the training)."""
    config = gan.config
    steps = config.ft_steps if steps is None else steps
    batch = batch or config.ft_batch
    if init == "person":
        e = embed_person(gan, frames, landmark_images)                 # ê_new
    elif init == "generic":
        e = mean_embedding(gan) if e_generic is None else e_generic    # ē: knows nothing of this person
    else:
        raise CourseError(f"init must be 'person' (start from ê of the frames) or 'generic' (from ē), not {init!r}.")
    g_new = PersonalisedGenerator(gan.generator, e).train()           # ψ′ = P·e, trainable
    d_new = PersonalisedDiscriminator(gan.discriminator, e).train()   # w′ = w₀ + e, b′ = b
    opt_g = torch.optim.Adam(g_new.parameters(), lr=lr_g or config.ft_lr_g, betas=config.betas)
    opt_d = torch.optim.Adam([p for p in d_new.parameters() if p.requires_grad], lr=lr_d or config.ft_lr_d,
                             betas=config.betas)
    gen = torch.Generator().manual_seed(seed)
    history, t0 = [], time.perf_counter()
    n = len(frames)
    targets = content_targets(frames, nets, config)    # the T real frames never change: their features once
    if callback:
        callback(0, g_new)
    from tqdm.auto import tqdm

    for step in tqdm(range(1, steps + 1), desc="fine-tuning", disable=not progress):
        idx = torch.randperm(n, generator=gen)[:min(batch, n)]
        x, y = frames[idx], landmark_images[idx]
        fake = g_new(y)
        # D′ first: hinge on the real frames and the generated ones, in one forward
        r, feats = d_new(torch.cat([x, fake.detach()]), torch.cat([y, y]))
        d = Terms()
        d.add("d_real", 1.0, hinge_d_real(r[:len(x)]))
        d.add("d_fake", 1.0, hinge_d_fake(r[len(x):]))
        opt_d.zero_grad(set_to_none=True)
        d.total().backward()
        opt_d.step()
        # then G′ (ψ′ and the generator's weights): content + adversarial + feature matching
        r_fake, fake_feats = d_new(fake, y)
        g = Terms()
        content_terms(g, fake, x, nets, config, targets=[t[idx] for t in targets] if targets else None)
        g.add("adv", config.w_adv, adversarial_g(r_fake))
        g.add("fm", config.w_fm, feature_matching(fake_feats, [f[:len(x)] for f in feats]))
        opt_g.zero_grad(set_to_none=True)
        g.total().backward()
        opt_g.step()
        history.append({"step": step, "terms": {f"G.{k}": v for k, v in g.log().items()} |
                        {f"D.{k}": v for k, v in d.log().items()}})
        if callback:
            callback(step, g_new)
        if time_limit and time.perf_counter() - t0 > time_limit:
            break
    return g_new.eval(), history
