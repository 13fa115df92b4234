"""The learned, blind de-blurrer of chapter 02 (the network only; blur, deconvolution, data and training
live in course_utils.deblur, which stays free of torch until a network is needed)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """A 3 × 3 convolution and a leaky ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.LeakyReLU(0.1, inplace=True))


class DeblurNet(nn.Module):
    """A small residual U-Net: (B, 3, H, W) blurred in [0, 1] -> (B, 3, H, W) sharp estimate,
    H and W multiples of 4. It predicts only the *correction* added to its input. The image is first
    folded into 12 channels at half size (pixel unshuffle) — cheap, and nothing is thrown away —
    then processed at 1/2 and 1/4 size, where each 3 × 3 filter sees a wide neighbourhood. A
    global summary of the whole picture (its average features) rescales the 1/4-size features:
    the blur is the same everywhere, so evidence about it is pooled from everywhere."""

    def __init__(self, width: int = 32):
        super().__init__()
        w = width
        self.down = nn.PixelUnshuffle(2)
        self.enc1 = nn.Sequential(conv(12, w), conv(w, w))                       # 1/2 size
        self.enc2 = nn.Sequential(conv(w, 2 * w, 2), conv(2 * w, 2 * w))          # 1/4 size
        self.summary = nn.Sequential(nn.Linear(2 * w, 2 * w), nn.LeakyReLU(0.1, inplace=True),
                                     nn.Linear(2 * w, 4 * w))
        self.mid = nn.Sequential(conv(2 * w, 2 * w), conv(2 * w, 2 * w))
        self.up = nn.Conv2d(2 * w, w, 1)
        self.dec1 = nn.Sequential(conv(2 * w, w), conv(w, w))
        self.out = nn.Conv2d(w, 12, 3, 1, 1)
        self.shuffle = nn.PixelShuffle(2)
        for layer in (self.out, self.summary[-1]):   # start as the identity: output = input
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        a = self.enc1(self.down(x - 0.5))
        b = self.enc2(a)
        scale, shift = self.summary(b.mean((2, 3))).chunk(2, dim=1)
        b = self.mid(b * (1 + scale[..., None, None]) + shift[..., None, None])
        b = F.interpolate(self.up(b), scale_factor=2, mode="bilinear", align_corners=False)
        a = self.dec1(torch.cat([a, b], 1))
        return x + self.shuffle(self.out(a))
