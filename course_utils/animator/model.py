"""The learned animator: move the portrait's own pixels along a learned dense motion, paint only what is new.

After the 2019 talking-head GAN, its authors (Zakharov et al., "Fast Bi-layer Neural Synthesis of One-Shot
Realistic Head Avatars", ECCV 2020) and Siarohin et al. ("First Order Motion Model for Image Animation",
NeurIPS 2019) stopped drawing every pixel. A network predicts, from the source and where its landmarks should
go, a dense backward motion and an occlusion mask; the source is warped along the motion, and a decoder paints
only where the warp has nothing to show (the inside of an opened mouth, a closing lid, uncovered background).

Shapes, at the network's working size R (64 px for the shipped model; --config sizes it up to 256):

    motion input  (B, 11, R, R)   source RGB, source and target landmark images (all in [-1, 1]) and the
                                  landmark thin-plate-spline flow / FLOW_SCALE (flow.net.make_input)
    flow          (B, 2, R, R)    backward motion in px: out(x, y) = source(x + fx, y + fy)
    visible       (B, 1, R, R)    in [0, 1]: 1 = the warped source is right here, 0 = paint it
    painted       (B, 3, R, R)    in [-1, 1]: the decoder's picture, from the warped source features
    out           (B, 3, R, R)    visible · warp(source, flow) + (1 − visible) · painted

At display size (256 px and up) `composite` applies the same recipe to the full-resolution portrait: the motion,
the mask and the painting are up-sampled, the portrait's own pixels are warped, so what it keeps stays sharp; the
painted parts get the warped portrait's fine detail on top (the bi-layer model's high-frequency layer).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..flow.net import FLOW_SCALE, IN_CHANNELS, FlowNet, warp_tensor


@dataclass(frozen=True)
class AnimatorConfig:
    """Sizes of the learned animator. 'small' is what the CPU-trained checkpoint uses."""

    name: str = "small"
    size: int = 64          # R: the networks' working size
    motion_width: int = 16  # the dense-motion U-Net (chapter 04's FlowNet, plus a mask head)
    width: int = 24         # the source encoder and the painter

    def to_dict(self) -> dict:
        return asdict(self)


CONFIGS = {
    "tiny": AnimatorConfig("tiny", 64, 8, 8),          # tests
    "small": AnimatorConfig("small", 64, 16, 24),      # the shipped checkpoint (CPU)
    "small-96": AnimatorConfig("small-96", 96, 16, 24),     # small's networks at 96 px: continues small (init_from)
    "small-128": AnimatorConfig("small-128", 128, 16, 24),  # ... at 128 px
    "medium": AnimatorConfig("medium", 128, 16, 32),   # a GPU for an hour
    "large": AnimatorConfig("large", 256, 24, 48),     # a GPU for a day
}


def conv_block(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.GroupNorm(min(8, cout), cout),
                         nn.LeakyReLU(0.1, inplace=True))


class DenseMotion(FlowNet):
    """Chapter 04's FlowNet (spline flow + learned correction) with a second head: the visibility mask's logit.
    Works at any R divisible by 8 (the U-Net has three down-samplings)."""

    def __init__(self, width: int = 16):
        super().__init__(width)
        self.mask = nn.Conv2d(width, 1, 3, 1, 1)
        nn.init.zeros_(self.mask.weight)
        nn.init.constant_(self.mask.bias, 2.0)  # start trusting the warp (sigmoid(2) = 0.88) everywhere

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        d = self.trunk(x)
        return (x[:, 9:11] + self.out(d)) * FLOW_SCALE, self.mask(d)


class SourceEncoder(nn.Module):
    """source (B, 3, R, R) -> features at R, R/2, R/4 with w, 2w, 4w channels: computed once per portrait."""

    def __init__(self, width: int):
        super().__init__()
        w = width
        self.e0 = nn.Sequential(conv_block(3, w), conv_block(w, w))
        self.e1 = nn.Sequential(conv_block(w, 2 * w, 2), conv_block(2 * w, 2 * w))
        self.e2 = nn.Sequential(conv_block(2 * w, 4 * w, 2), conv_block(4 * w, 4 * w))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        f0 = self.e0(x)
        f1 = self.e1(f0)
        return [f0, f1, self.e2(f1)]


class Painter(nn.Module):
    """Warped features (masked by visibility) + the target's landmark image + the mask -> a picture (B, 3, R, R)
    in [-1, 1]. It sees where the landmarks go (to place the teeth and the lids) and what the warp could keep."""

    def __init__(self, width: int):
        super().__init__()
        w = width
        self.d2 = nn.Sequential(conv_block(4 * w + 4, 4 * w), conv_block(4 * w, 4 * w))
        self.d1 = nn.Sequential(conv_block(4 * w + 2 * w + 4, 2 * w), conv_block(2 * w, 2 * w))
        self.d0 = nn.Sequential(conv_block(2 * w + w + 4, w), conv_block(w, w))
        self.rgb = nn.Conv2d(w, 3, 3, 1, 1)

    def forward(self, warped: list[torch.Tensor], landmarks: torch.Tensor, visible: torch.Tensor) -> torch.Tensor:
        up = lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)  # noqa: E731
        extra = [torch.cat([F.interpolate(landmarks, size=f.shape[-2:], mode="area"),
                            F.interpolate(visible, size=f.shape[-2:], mode="area")], 1) for f in warped]
        d = self.d2(torch.cat([warped[2], extra[2]], 1))
        d = self.d1(torch.cat([up(d), warped[1], extra[1]], 1))
        d = self.d0(torch.cat([up(d), warped[0], extra[0]], 1))
        return torch.tanh(self.rgb(d))


def scaled_flow(flow: torch.Tensor, size: int) -> torch.Tensor:
    """A (B, 2, R, R) px flow resampled to (B, 2, size, size) px of that size (pixel centres kept aligned)."""
    r = flow.shape[-1]
    if size == r:
        return flow
    mode = "area" if size < r else "bilinear"
    out = F.interpolate(flow, size=(size, size), mode=mode, **({} if mode == "area" else {"align_corners": False}))
    return out * (size / r)


class LearnedAnimator(nn.Module):
    """DenseMotion + SourceEncoder + Painter (see the module docstring for the shapes)."""

    def __init__(self, config: AnimatorConfig | str = "small"):
        super().__init__()
        self.config = CONFIGS[config] if isinstance(config, str) else config
        self.motion = DenseMotion(self.config.motion_width)
        self.encoder = SourceEncoder(self.config.width)
        self.painter = Painter(self.config.width)

    def encode(self, source: torch.Tensor) -> list[torch.Tensor]:
        return self.encoder(source)

    def animate(self, source: torch.Tensor, features: list[torch.Tensor], motion_input: torch.Tensor) -> dict:
        """{'flow', 'visible', 'warped' (the warped source), 'painted', 'out'} at R (see the module docstring)."""
        assert motion_input.shape[1] == IN_CHANNELS
        flow, logit = self.motion(motion_input)
        visible = torch.sigmoid(logit)
        warped_feats = []
        for f in features:
            s = f.shape[-1]
            v = F.interpolate(visible, size=(s, s), mode="area") if s != visible.shape[-1] else visible
            warped_feats.append(warp_tensor(f, scaled_flow(flow, s)) * v)
        painted = self.painter(warped_feats, motion_input[:, 6:9], visible)
        warped = warp_tensor(source, flow)
        out = visible * warped + (1 - visible) * painted
        return {"flow": flow, "visible": visible, "logit": logit, "warped": warped, "painted": painted, "out": out}

    def forward(self, source: torch.Tensor, motion_input: torch.Tensor) -> dict:
        return self.animate(source, self.encode(source), motion_input)


def composite(source_hr: torch.Tensor, flow: torch.Tensor, visible: torch.Tensor, painted: torch.Tensor,
              detail: bool = True) -> torch.Tensor:
    """The bi-layer step at display size: (B, 3, H, H) source in [-1, 1], and the network's (B, ·, R, R) flow,
    mask and painting -> (B, 3, H, H): the portrait's own pixels warped where visible, the painting elsewhere.

    The painting is only R px across, so where it shows it would be soft. As in the bi-layer model (Zakharov et
    al., ECCV 2020: a coarse image from the network plus a warped high-frequency texture), the painted parts get
    the warped portrait's fine detail — what the working size R cannot hold — on top (`detail=False`: the
    painting alone, as the network sees it in training):

        warped = warp(source_hr, flow↑)           fine = warped − (warped ↓R)↑
        out    = visible↑ · warped + (1 − visible↑) · (painted↑ + fine)
    """
    return composite_layers(source_hr, flow, visible, painted, detail)[0]


def composite_layers(source_hr: torch.Tensor, flow: torch.Tensor, visible: torch.Tensor, painted: torch.Tensor,
                     detail: bool = True) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """composite's output and the two display-size layers it was made of: (out, warped portrait, visible↑), each
    (B, ·, H, H) — what the part windows (animator/parts.py) read, so they need not warp a second time."""
    h, r = source_hr.shape[-1], flow.shape[-1]
    up = lambda t: F.interpolate(t, size=(h, h), mode="bilinear", align_corners=False)  # noqa: E731
    v = up(visible) if visible.shape[-1] != h else visible
    p = up(painted) if painted.shape[-1] != h else painted
    warped = warp_tensor(source_hr, scaled_flow(flow, h))
    if detail and h > r:
        p = p + warped - up(F.interpolate(warped, size=(r, r), mode="area"))
    return v * warped + (1 - v) * p, warped, v


# ----------------------------------------------------------------------------- the critic

class PatchDiscriminator(nn.Module):
    """A patch critic with spectral norm on every layer: (B, 6, S, S) (picture + the target's landmark image)
    -> raw scores (B, 1, S/8, S/8) and the block outputs for feature matching. No sigmoid: the hinge needs the
    raw score."""

    def __init__(self, width: int = 32, in_channels: int = 6):
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm
        w = width
        chans = [in_channels, w, 2 * w, 4 * w]
        self.blocks = nn.ModuleList(nn.Sequential(sn(nn.Conv2d(a, b, 4, 2, 1)), nn.LeakyReLU(0.2, inplace=True))
                                    for a, b in zip(chans[:-1], chans[1:]))
        self.score = sn(nn.Conv2d(chans[-1], 1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        feats = []
        for block in self.blocks:
            x = block(x)
            feats.append(x)
        return self.score(x), feats


class MultiScaleDiscriminator(nn.Module):
    """Two patch critics: one at R, one at R/2 (the pix2pixHD recipe): fine texture and overall shape."""

    def __init__(self, width: int = 32, scales: int = 2):
        super().__init__()
        self.critics = nn.ModuleList(PatchDiscriminator(width) for _ in range(scales))

    def forward(self, image: torch.Tensor, landmarks: torch.Tensor) -> list[tuple[torch.Tensor, list[torch.Tensor]]]:
        x = torch.cat([image, landmarks], 1)
        out = []
        for i, critic in enumerate(self.critics):
            out.append(critic(x if i == 0 else F.avg_pool2d(x, 2 ** i)))
        return out
