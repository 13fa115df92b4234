"""The talking-head losses (Zakharov et al. 2019), each a separate named term.

    L(E, G)  = L_CNT + L_ADV + L_MCH
      L_CNT  content: L1 between perceptual features of x̂ and x. The paper uses VGG19 (trained on
             ImageNet) and VGGFace (trained on faces). Offline, the course stands in two small
             networks trained on FaceWorld only — say so whenever a number depends on them:
               'vgg19'   -> the trunk of the course's landmark network (landmark_net, chapter 03)
               'vggface' -> the blocks of the course's identity network (identity_net, chapter 06)
             plus an L1 on the pixels themselves (the course's addition: it carries small CPU runs).
      L_ADV  −D(x̂) + 10 · feature matching (L1 between D's block outputs for x̂ and for x)
      L_MCH  80 · ‖W_i − ê_i‖₁ (mean over the d numbers)
    L(D)     = max(0, 1 + D(x̂)) + max(0, 1 − D(x))     hinge: D's raw score, never a sigmoid of it

`Terms` keeps every term with its scale, so the log shows each one separately.
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import CourseError
from .guards import TalkingHeadWarning


class Terms(dict):
    """{name: (scale, value)} with value a scalar tensor; total() = Σ scale · value.
    log() -> {name: {'scale': s, 'value': v}} in plain floats."""

    def add(self, name: str, scale: float, value: torch.Tensor) -> None:
        self[name] = (float(scale), value)

    def total(self) -> torch.Tensor:
        return sum(s * v for s, v in self.values() if s)

    def log(self) -> dict[str, dict[str, float]]:
        return {k: {"scale": s, "value": float(v.detach())} for k, (s, v) in self.items()}


# ----------------------------------------------------------------------------- the basic terms

def l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a - b).abs().mean()


def hinge_d_real(r_real: torch.Tensor) -> torch.Tensor:
    """max(0, 1 − r) averaged: real frames must score above +1. r is D's raw score."""
    return F.relu(1.0 - r_real).mean()


def hinge_d_fake(r_fake: torch.Tensor) -> torch.Tensor:
    """max(0, 1 + r) averaged: generated frames must score below −1."""
    return F.relu(1.0 + r_fake).mean()


def adversarial_g(r_fake: torch.Tensor) -> torch.Tensor:
    """The generator's adversarial term, −D(x̂) averaged."""
    return -r_fake.mean()


def feature_matching(fake_feats: list[torch.Tensor], real_feats: list[torch.Tensor]) -> torch.Tensor:
    """Σ over D's blocks of the L1 between its outputs for x̂ and for x (real ones as fixed targets)."""
    return sum(l1(f, r.detach()) for f, r in zip(fake_feats, real_feats))


def embedding_match(w_i: torch.Tensor, e_hat: torch.Tensor) -> torch.Tensor:
    """‖W_i − ê_i‖₁, as a mean over the batch and the d numbers."""
    return l1(w_i, e_hat)


# ----------------------------------------------------------------------------- perceptual stand-ins

class PerceptualNets(nn.Module):
    """Frozen feature extractors for the content loss: 'vgg19' (landmark net trunk: 3 maps) and 'vggface'
    (identity net: 4 maps). Images (B, 3, S, S) in [-1, 1] are resized to the nets' 64 px first.
    `pretrained` says whether shipped weights were loaded (False: random weights, for tests)."""

    SIZE = 64

    def __init__(self, landmark_net: nn.Module, identity_net: nn.Module, pretrained: dict[str, bool]):
        super().__init__()
        self.landmark_net, self.identity_net, self.pretrained = landmark_net, identity_net, pretrained
        self.eval().requires_grad_(False)

    def train(self, mode: bool = True):  # always eval: BatchNorm keeps its running statistics
        return super().train(False)

    def _resize(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] == self.SIZE:
            return x
        mode = "area" if x.shape[-1] > self.SIZE else "bilinear"
        return F.interpolate(x, size=(self.SIZE, self.SIZE), mode=mode, **({} if mode == "area" else {"align_corners": False}))

    def vgg19(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Stand-in for VGG19: the landmark network's stem and two downsampling stages (32, 16, 8 px)."""
        m = self.landmark_net
        a = m.stem(self._resize(x))
        b = m.d16(a)
        return [a, b, m.d8(b)]

    def vggface(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Stand-in for VGGFace: the identity network's four blocks (32, 16, 8, 4 px)."""
        return self.identity_net.features(self._resize(x))


def perceptual_nets(pretrained: bool = True, width: int | None = None) -> PerceptualNets:
    """The content loss's feature networks. pretrained=True loads the shipped landmark and identity
    networks, falling back to random weights with a TalkingHeadWarning where one is missing;
    pretrained=False builds random ones (`width` channels; tests use a small width for speed)."""
    from ..identity_net import IdentityNet, load_identity_net
    from ..landmark_net import LandmarkNet, load_detector

    nets, ok = {}, {}
    for key, load, build in (("vgg19", load_detector, LandmarkNet), ("vggface", load_identity_net, IdentityNet)):
        ok[key] = False
        if pretrained:
            try:
                nets[key], ok[key] = load(), True
            except CourseError as err:
                warnings.warn(f"The content loss's {key} stand-in uses random weights: {err}", TalkingHeadWarning,
                              stacklevel=2)
        if key not in nets:
            nets[key] = build(width=width) if width else build()
    return PerceptualNets(nets["vgg19"], nets["vggface"], ok)


STANDINS = ("vgg19", "vggface")


@torch.no_grad()
def content_targets(real: torch.Tensor, nets: PerceptualNets | None, config) -> list[torch.Tensor]:
    """The stand-in networks' features of real frames, flattened into one list (vgg19's maps, then
    vggface's) — for fine-tuning, where the same T frames are the targets at every step."""
    if nets is None:
        return []
    return [f for key in STANDINS if getattr(config, f"w_{key}") for f in getattr(nets, key)(real)]


def content_terms(terms: Terms, fake: torch.Tensor, real: torch.Tensor, nets: PerceptualNets | None, config,
                  targets: list[torch.Tensor] | None = None) -> None:
    """Add the content terms comparing x̂ to x: 'cnt_pixel' (L1 on pixels), 'cnt_vgg19_standin' and
    'cnt_vggface_standin' (Σ over each network's maps of the L1 between features). `targets`: the real
    frames' features from content_targets, when already known."""
    terms.add("cnt_pixel", config.w_pixel, l1(fake, real))
    if nets is None:
        return
    if targets is None:
        targets = content_targets(real, nets, config)
    targets = iter(targets)
    for key in STANDINS:
        scale = getattr(config, f"w_{key}")
        if scale:
            feats = getattr(nets, key)(fake)
            terms.add(f"cnt_{key}_standin", scale, sum(l1(f, next(targets)) for f in feats))
