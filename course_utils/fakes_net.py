"""Chapter 10's small convolutional fake detector (the network only; the labelled image set, the spectrum
features, training and scoring live in course_utils.fakes, which stays free of torch until a network
is needed)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SmallDetector(nn.Module):
    """A fixed high-pass filter (the picture minus its 3 × 3 local mean), five 3 × 3 convolutions
    (16, 16, 32, 32, 64 channels; the last four halve the size), then the
    average and maximum over the picture of each channel, then one linear score: about 36 k numbers
    (width 16). Input (N, 3, 64, 64) in [-1, 1]; output (N,) scores (logits: > 0 means 'fake')."""

    def __init__(self, width: int = 16):
        super().__init__()
        w = width
        layers, cin = [], 3
        for cout, stride in ((w, 1), (w, 2), (2 * w, 2), (2 * w, 2), (4 * w, 2)):
            layers += [nn.Conv2d(cin, cout, 3, stride, 1), nn.LeakyReLU(0.2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.score = nn.Linear(2 * cin, 1)

    def forward(self, x):
        # a fixed high-pass first step, as in image forensics (Fridrich's 'rich models'): what is left
        # after subtracting the local average is where resampling and upsampling leave their traces
        x = x - F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
        h = self.features(x * 4.0)
        return self.score(torch.cat([h.mean((2, 3)), h.amax((2, 3))], 1)).squeeze(1)
