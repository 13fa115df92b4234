"""The building blocks of the talking-head networks, each a small nn.Module (shapes as B, C, H, W).

The paper, paraphrased: residual downsampling and upsampling blocks as in BigGAN, spectral
normalisation (Miyato et al.) in the convolutional and fully connected layers, self-attention blocks as
in SAGAN at one middle resolution.

One change for CPU speed, in every size: a downsampling block pools *between* its two convolutions
(BigGAN pools after both), so its second convolution runs on a quarter of the pixels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


def sn(module: nn.Module, on: bool = True) -> nn.Module:
    """Spectral normalisation: the layer's weight divided by its largest singular value (one power
    iteration per training forward), so no layer can amplify its input by more than 1."""
    return spectral_norm(module) if on else module


def conv(cin: int, cout: int, k: int = 3, use_sn: bool = True) -> nn.Module:
    return sn(nn.Conv2d(cin, cout, k, 1, k // 2), use_sn)


class AdaIN(nn.Module):
    """Adaptive instance normalisation: normalise each channel of each image, then scale and shift it
    with numbers that come from outside — here a slice of ψ = P·ê.

        x (B, C, H, W), params (B, 2C) = [γ | β]  ->  (1 + γ) · (x − μ(x)) / σ(x) + β

    (The 1 + γ is the course's choice: an untrained P then starts near the plain instance norm.)
    `slot` is this layer's position in the generator's list of AdaIN layers, i.e. which slice of ψ."""

    def __init__(self, channels: int, slot: int):
        super().__init__()
        self.channels, self.slot = channels, slot

    @property
    def n_params(self) -> int:
        return 2 * self.channels

    def forward(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        gamma, beta = params.view(params.shape[0], 2, self.channels, 1, 1).unbind(1)
        return F.instance_norm(x, eps=1e-5) * (1 + gamma) + beta


class SelfAttention(nn.Module):
    """SAGAN self-attention: every position looks at every other one.
    (B, C, H, W) -> (B, C, H, W); γ starts at 0, so the block starts as the identity."""

    def __init__(self, channels: int, use_sn: bool = True):
        super().__init__()
        self.q = conv(channels, max(1, channels // 8), 1, use_sn)
        self.k = conv(channels, max(1, channels // 8), 1, use_sn)
        self.v = conv(channels, channels, 1, use_sn)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q = self.q(x).flatten(2).transpose(1, 2)            # (B, HW, C/8)
        k = self.k(x).flatten(2)                            # (B, C/8, HW)
        attn = torch.softmax(q @ k, dim=-1)                 # (B, HW, HW)
        out = (self.v(x).flatten(2) @ attn.transpose(1, 2)).view(b, c, h, w)
        return x + self.gamma * out


class ResDown(nn.Module):
    """Residual downsampling block: (B, cin, H, W) -> (B, cout, H/2, W/2).

        main: [norm] → ReLU → conv3 → avgpool → [norm] → ReLU → conv3
        skip: avgpool → conv1
    norm=True: instance norm with learned affine (the generator's encoder); False: none (E and D).
    first=True leaves out the opening norm and ReLU (the block reads an image, not features)."""

    def __init__(self, cin: int, cout: int, norm: bool = False, first: bool = False, use_sn: bool = True):
        super().__init__()
        self.first = first
        self.norm1 = nn.InstanceNorm2d(cin, affine=True) if norm and not first else nn.Identity()
        self.norm2 = nn.InstanceNorm2d(cout, affine=True) if norm else nn.Identity()
        self.conv1 = conv(cin, cout, 3, use_sn)
        self.conv2 = conv(cout, cout, 3, use_sn)
        self.skip = conv(cin, cout, 1, use_sn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else F.relu(self.norm1(x))
        h = F.avg_pool2d(self.conv1(h), 2)
        h = self.conv2(F.relu(self.norm2(h)))
        return h + self.skip(F.avg_pool2d(x, 2))


class ResBlock(nn.Module):
    """Plain residual block, no resampling, no normalisation: (B, C, H, W) -> (B, C, H, W).
    The discriminator's extra block at the bottom of its trunk."""

    def __init__(self, channels: int, use_sn: bool = True):
        super().__init__()
        self.conv1 = conv(channels, channels, 3, use_sn)
        self.conv2 = conv(channels, channels, 3, use_sn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class AdaINResBlock(nn.Module):
    """Residual block with two AdaIN layers: (B, C, H, W), two ψ slices -> (B, C, H, W).

        AdaIN → ReLU → conv3 → AdaIN → ReLU → conv3, plus the input."""

    def __init__(self, channels: int, slots: tuple[int, int], use_sn: bool = True):
        super().__init__()
        self.adain1, self.adain2 = AdaIN(channels, slots[0]), AdaIN(channels, slots[1])
        self.conv1 = conv(channels, channels, 3, use_sn)
        self.conv2 = conv(channels, channels, 3, use_sn)

    def forward(self, x: torch.Tensor, psi: list[torch.Tensor]) -> torch.Tensor:
        h = self.conv1(F.relu(self.adain1(x, psi[self.adain1.slot])))
        h = self.conv2(F.relu(self.adain2(h, psi[self.adain2.slot])))
        return x + h


class AdaINResUp(nn.Module):
    """Residual upsampling block with AdaIN: (B, cin, H, W), two ψ slices -> (B, cout, 2H, 2W).

        main: AdaIN → ReLU → upsample ×2 (nearest) → conv3 → AdaIN → ReLU → conv3
        skip: conv1 → upsample ×2 (the 1×1 conv first: same result, a quarter of the work)"""

    def __init__(self, cin: int, cout: int, slots: tuple[int, int], use_sn: bool = True):
        super().__init__()
        self.adain1, self.adain2 = AdaIN(cin, slots[0]), AdaIN(cout, slots[1])
        self.conv1 = conv(cin, cout, 3, use_sn)
        self.conv2 = conv(cout, cout, 3, use_sn)
        self.skip = conv(cin, cout, 1, use_sn)

    def forward(self, x: torch.Tensor, psi: list[torch.Tensor]) -> torch.Tensor:
        h = F.relu(self.adain1(x, psi[self.adain1.slot]))
        h = self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.conv2(F.relu(self.adain2(h, psi[self.adain2.slot])))
        return h + F.interpolate(self.skip(x), scale_factor=2, mode="nearest")
