"""One portrait animated by the learned animator: framed and encoded once, then each frame is one small network
pass at the working size and one warp of the full-resolution portrait.

    anim = PortraitAnimator(image)                 # finds the face (dlib offline), frames it at 256 px
    frames = anim.drive(driver_points, driver_reference)     # a driver's landmark motion -> (T, 256, 256, 3) uint8
    frames = anim.render(targets)                  # targets (T, 68, 2) in anim.source's pixels
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from ..errors import CourseError
from ..tensors import image_to_tensor
from .model import composite_layers
from .parts import DISPLAY_GROUPS, refine, shipped_parts
from .train import load_animator, motion_input


def _shipped_parts():
    """The shipped part painter, or False when there is none; a damaged file is one warning, not a stop: the
    animator then runs without its windows."""
    import warnings

    try:
        return shipped_parts() or False
    except CourseError as err:
        warnings.warn(f"{err} The animator runs without its mouth and eye windows.", stacklevel=3)
        return False


class PortraitAnimator:
    """image (H, W, 3) uint8 (anything images.load_image reads); points (68, 2) px in it, detected when None;
    model: a LearnedAnimator (the shipped checkpoint when None); size: display size (px) of the framed face;
    parts: a PartPainter that repaints the mouth and the eyes at display size (animator/parts.py): None = the
    shipped one when its checkpoint is there, False = none (the animator alone); windows: which of them to use
    (parts.GROUPS keys; parts.DISPLAY_GROUPS when None)."""

    def __init__(self, image, points=None, model=None, size: int = 256, parts=None, windows=None):
        from ..images import array_to_rgb
        from ..talking_heads.portrait import crop_like_faceworld

        image = array_to_rgb(np.asarray(image))
        if points is None:
            from .. import landmarks

            found = landmarks.detect(image).faces
            if not found:
                raise CourseError("No face was found in this picture; try a clearer, frontal portrait.")
            points = found[0].points
        self.model = model if model is not None else load_animator()
        if parts is None:
            parts = _shipped_parts()
        self.parts = parts or None
        # channels-last weights: the same convolutions, 16-22 % faster on one CPU core for the part painter, a frame
        # about 12 % faster in all (Module.to works in place: a model passed in stays channels-last; it trains and
        # answers as before, to a grey level)
        for net in (self.model, self.parts):
            if net is not None:
                net.to(memory_format=torch.channels_last)
        self.windows = tuple(windows or DISPLAY_GROUPS)
        self.size = size
        self.r = self.model.config.size
        self.source, self.points = crop_like_faceworld(image, points, size)
        self.k = self.r / size
        small = cv2.resize(self.source, (self.r, self.r), interpolation=cv2.INTER_AREA)
        self._small = small[None]
        self._small_points = self._to_small(self.points)[None]
        with torch.no_grad():
            self._src_small = image_to_tensor(self._small)
            self._src_full = image_to_tensor(self.source[None])
            self._features = self.model.encode(self._src_small)

    def _to_small(self, points) -> np.ndarray:
        return ((np.asarray(points, np.float32) + 0.5) * self.k - 0.5).astype(np.float32)

    @torch.no_grad()
    def layers(self, target) -> dict:
        """The network's layers for one target (68, 2) in display px: flow, visible, painted, warped, out at R."""
        x = motion_input(self._small, self._small_points, self._to_small(target)[None])
        return self.model.animate(self._src_small, self._features, x)

    @torch.no_grad()
    def render(self, targets) -> np.ndarray:
        """targets (T, 68, 2) px in self.source -> (T, size, size, 3) uint8."""
        frames = []
        for t in np.asarray(targets, np.float32).reshape(-1, 68, 2):
            res = self.layers(t)
            out, warped, visible = composite_layers(self._src_full, res["flow"], res["visible"], res["painted"])
            if self.parts is not None:
                out = refine(self.parts, out, warped, visible, t, groups=self.windows)
            frames.append(((out[0].permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).round().byte().numpy())
        return np.stack(frames)

    def drive(self, driver_points, driver_reference) -> np.ndarray:
        """Frames following a driver's landmarks (T, 68, 2) relative to its neutral driver_reference (68, 2)."""
        from ..warps import transfer_motion

        return self.render(transfer_motion(self.points, np.asarray(driver_points, np.float32).reshape(-1, 68, 2),
                                           driver_reference))
