"""The three networks of the few-shot talking-head GAN (Zakharov et al. 2019).

    E(x, y)       embedder:       a frame and its landmark image -> a d-dim vector; ê = mean over K frames
    G(y, ê)       generator:      a landmark image -> a picture of the person ê describes; ψ̂ = P·ê drives
                                  every AdaIN layer
    D(x, y, i)    discriminator:  "is x a real frame of video i, posed as y?" -> a real-valued score r
                                  (a projection discriminator, r = V(x, y)ᵀ(W_i + w₀) + b)

All images are (B, 3, S, S) float in [-1, 1]; S = config.size.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import CourseError
from ..tensors import n_params
from .blocks import AdaIN, AdaINResBlock, AdaINResUp, ResBlock, ResDown, SelfAttention, conv, sn
from .config import TalkingHeadConfig, get_config


class Trunk(nn.Module):
    """Residual downsampling blocks without normalisation (the embedder's and the discriminator's body):
    (B, 6, S, S) -> list of every block's output, the last (B, channels[-1], S / 2^n, S / 2^n)."""

    def __init__(self, channels: tuple[int, ...], size: int, attention: tuple[int, ...], use_sn: bool):
        super().__init__()
        blocks, cin, side = [], 6, size
        for i, c in enumerate(channels):
            side //= 2
            blocks.append(ResDown(cin, c, norm=False, first=i == 0, use_sn=use_sn))
            if side in attention:
                blocks.append(SelfAttention(c, use_sn))
            cin = c
        self.blocks = nn.ModuleList(blocks)

    def forward(self, h: torch.Tensor) -> list[torch.Tensor]:
        out = []
        for block in self.blocks:
            h = block(h)
            out.append(h)
        return out


class Embedder(nn.Module):
    """E(x, y). The paper, paraphrased: the embedder reads a video frame and its landmark image concatenated
    on channels, through residual downsampling blocks, then ReLU and global sum pooling -> (B, d).

    forward(x, y): x, y (B, 3, S, S) -> (B, d)
    embed(frames, landmark_images): (B, K, 3, S, S) each -> ê (B, d), the mean over the K frames."""

    def __init__(self, config: TalkingHeadConfig):
        super().__init__()
        if config.e_channels[-1] != config.embed_dim:
            raise CourseError(f"The embedder's last block has {config.e_channels[-1]} channels but embed_dim is "
                              f"{config.embed_dim}: make the last of e_channels equal to embed_dim.")
        self.trunk = Trunk(config.e_channels, config.size, config.attention_down, config.spectral_norm)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.relu(self.trunk(torch.cat([x, y], 1))[-1]).sum((2, 3))

    def embed(self, frames: torch.Tensor, landmark_images: torch.Tensor) -> torch.Tensor:
        b, k = frames.shape[:2]
        e = self(frames.flatten(0, 1), landmark_images.flatten(0, 1))
        return e.view(b, k, -1).mean(1)


class Generator(nn.Module):
    """G(y, ψ): an image-to-image network from the landmark image y to a frame.

    The paper, paraphrased: downsampling residual blocks with instance normalisation, then residual
    blocks and upsampling blocks with adaptive instance normalisation (AdaIN) whose parameters all come
    from the embedding, ψ̂ = P·ê; then AdaIN → ReLU → conv → tanh.

    forward(y, e=None, psi=None): y (B, 3, S, S); e (B, d) or psi (B, psi_dim) -> (B, 3, S, S) in [-1, 1].
    Every AdaIN layer reads its own slice of ψ: `psi_slices()` lists them, (start, end) per layer."""

    def __init__(self, config: TalkingHeadConfig):
        super().__init__()
        use_sn, slot = config.spectral_norm, itertools.count()
        down, cin, side = [], 3, config.size
        for i, c in enumerate(config.g_down):
            side //= 2
            down.append(ResDown(cin, c, norm=True, first=i == 0, use_sn=use_sn))
            if side in config.attention_down:
                down.append(SelfAttention(c, use_sn))
            cin = c
        self.down = nn.ModuleList(down)
        self.res = nn.ModuleList([AdaINResBlock(cin, (next(slot), next(slot)), use_sn)
                                  for _ in range(config.g_res_blocks)])
        up = []
        for c in config.g_up:
            side *= 2
            up.append(AdaINResUp(cin, c, (next(slot), next(slot)), use_sn))
            if side in config.attention_up:
                up.append(SelfAttention(c, use_sn))
            cin = c
        self.up = nn.ModuleList(up)
        self.out_adain = AdaIN(cin, next(slot))
        self.out_conv = conv(cin, 3, 3, use_sn)
        self.adains: list[AdaIN] = sorted((m for m in self.modules() if isinstance(m, AdaIN)), key=lambda m: m.slot)
        edges = [0, *itertools.accumulate(a.n_params for a in self.adains)]
        self._slices = list(zip(edges[:-1], edges[1:]))
        self.psi_dim = edges[-1]
        self.project = sn(nn.Linear(config.embed_dim, self.psi_dim), use_sn)   # P: ψ̂ = P·ê

    def psi_slices(self) -> list[tuple[int, int]]:
        """(start, end) of the ψ slice of each AdaIN layer, in slot order; together they tile [0, psi_dim)."""
        return list(self._slices)

    def forward(self, y: torch.Tensor, e: torch.Tensor | None = None, psi: torch.Tensor | None = None) -> torch.Tensor:
        if psi is None:
            psi = self.project(e)
        chunks = [psi[:, a:b] for a, b in self._slices]
        h = y
        for block in self.down:
            h = block(h)
        for block in self.res:
            h = block(h, chunks)
        for block in self.up:
            h = block(h) if isinstance(block, SelfAttention) else block(h, chunks)
        h = F.relu(self.out_adain(h, chunks[self.out_adain.slot]))
        return torch.tanh(self.out_conv(h))


class Discriminator(nn.Module):
    """D(x, y, i): a projection discriminator. Its trunk V(x, y) is built like the embedder, plus one extra
    residual block at the end; the score is r = V(x, y)ᵀ(W_i + w₀) + b, with one column W_i per
    training video. No sigmoid: the hinge loss reads r as it is.

    forward(x, y, index=None, w=None) -> (r (B,), features [each block's output]).
    Give `index` (B,) long (meta-learning) or `w` (B, d) / (d,) (fine-tuning: w′ = w₀ + ê_new)."""

    def __init__(self, config: TalkingHeadConfig, n_videos: int | None = None):
        super().__init__()
        use_sn, d = config.spectral_norm, config.embed_dim
        self.trunk = Trunk(config.e_channels, config.size, config.attention_down, use_sn)
        self.extra = ResBlock(config.e_channels[-1], use_sn)
        # One column per training video. They start as distinct non-negative codes on the scale of ê (which is
        # non-negative: ReLU, then sum pooling). Near-zero columns (e.g. N(0, 0.02²)) let the ×80 match loss
        # drag every ê_i to ~0 within a hundred steps, and ψ̂ = P·ê then carries no identity at all.
        self.W = nn.Parameter(torch.randn(d, n_videos or config.n_videos).abs() * config.w_init)
        self.w0 = nn.Parameter(torch.zeros(d))
        self.b = nn.Parameter(torch.zeros(1))

    def features(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """(V(x, y) (B, d), every block's output)."""
        feats = self.trunk(torch.cat([x, y], 1))
        feats.append(self.extra(feats[-1]))
        return F.relu(feats[-1]).sum((2, 3)), feats

    def forward(self, x, y, index=None, w=None, b=None):
        v, feats = self.features(x, y)
        if w is None:
            w = self.W[:, index].T + self.w0               # (B, d): W_i + w₀
        r = (v * w).sum(-1) + (self.b if b is None else b)
        return r, feats


class TalkingHeadGAN(nn.Module):
    """The three networks together, so one state dict holds them: .embedder, .generator, .discriminator."""

    def __init__(self, config: TalkingHeadConfig | str = "small", n_videos: int | None = None):
        super().__init__()
        self.config = get_config(config)
        self.embedder = Embedder(self.config)
        self.generator = Generator(self.config)
        self.discriminator = Discriminator(self.config, n_videos)

    def param_counts(self) -> dict[str, int]:
        """{'embedder': …, 'generator': …, 'projection_P': …, 'discriminator': …, 'W': …}."""
        return {"embedder": n_params(self.embedder), "generator": n_params(self.generator),
                "projection_P": n_params(self.generator.project), "discriminator": n_params(self.discriminator),
                "W": self.discriminator.W.numel()}
