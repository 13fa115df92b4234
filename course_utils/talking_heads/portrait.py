"""A real portrait made to talk by the meta-trained GAN: the one-shot (K = 1) case of the paper's fine-tuning.

    tp = TalkingPortrait(images.portrait("mona_lisa").image)        # find the face, crop it as FaceWorld frames
    tp.fine_tune(steps=60)                                          # FT on the one picture (FF before this call)
    frames = tp.drive(driver_points, driver_reference)              # (T, 64, 64, 3) uint8
    frame = tp.pose(smile=0.6, jaw_open=0.3, yaw=10)                 # the live puppet: one frame, a few ms

The portrait's face is cropped to the framing FaceWorld renders use (the GAN saw nothing else), at the GAN's
64 px. The driver's motion is transferred relative to its own neutral frame (warps.transfer_motion), so a
FaceWorld driver of another face shape moves the portrait without reshaping it.
"""

from __future__ import annotations

import time

import cv2
import numpy as np
import torch
from torch.nn.utils import parametrize

from ..errors import CourseError
from ..faces.drivers import faceworld_five_points
from ..faces.framing import frame_face
from ..tensors import image_to_tensor, landmark_tensor, tensor_to_image


def crop_like_faceworld(image: np.ndarray, points: np.ndarray, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(crop (size, size, 3) uint8, its landmarks (68, 2) px): the face framed like a FaceWorld render
    (faces.framing.frame_face onto faces.drivers.faceworld_five_points, area-averaged, edges replicated)."""
    from ..images import array_to_rgb

    crop, pts, _ = frame_face(array_to_rgb(np.asarray(image)), points, faceworld_five_points(size), size,
                              cv2.INTER_AREA, cv2.BORDER_REPLICATE)
    return crop, pts


class TalkingPortrait:
    """One portrait, its face cropped like a FaceWorld frame, and a personalised generator G′ for it.

    image (H, W, 3) uint8 (or anything images.load_image reads); points (68, 2) px in it (detected when None:
    landmarks.detect, dlib offline); gan: a TalkingHeadGAN (the shipped checkpoint when None)."""

    def __init__(self, image, points=None, gan=None, backend: str = "auto"):
        from ..images import array_to_rgb
        from . import feed_forward

        image = array_to_rgb(np.asarray(image))
        if points is None:
            from .. import landmarks

            found = landmarks.detect(image, backend=backend).faces
            if not found:
                raise CourseError("No face was found in this picture; try a clearer, frontal portrait.")
            points = found[0].points
        if gan is None:
            from .train import load_talking_heads

            gan = load_talking_heads()
        self.gan, self.size = gan, gan.config.size
        self.image, self.source_points = image, np.asarray(points, np.float32)
        self.crop, self.points = crop_like_faceworld(image, points, self.size)
        self.frames, self.marks = self._tensors([self.crop], [self.points])
        self.puppet = feed_forward(gan, self.frames, self.marks)
        self.tuned = False
        self.history: list[dict] = []

    def warp_animator(self, size: int = 192):
        """Chapter 04's PortraitAnimator on the same framing as the GAN's frames, at `size` px: for side-by-side
        comparisons."""
        from ..warps import PortraitAnimator

        crop, points = crop_like_faceworld(self.image, self.source_points, size)
        return PortraitAnimator(crop, points=points, crop=False)

    def _tensors(self, images, points):
        return torch.stack([image_to_tensor(np.asarray(im)) for im in images]), landmark_tensor(points, self.size)

    def fine_tune(self, steps: int = 60, nets=None, seed: int = 0, time_limit: float | None = None,
                  progress: bool = False) -> "TalkingPortrait":
        """FT on the one portrait (K = 1): ψ′ and G′ trained for `steps` steps. Returns self."""
        from . import fine_tune

        t = time.perf_counter()
        self.puppet, self.history = fine_tune(self.gan, self.frames, self.marks, steps=steps, nets=nets, seed=seed,
                                              time_limit=time_limit, progress=progress)
        self.seconds = time.perf_counter() - t
        self.tuned = True
        return self

    def render(self, points_seq: np.ndarray, batch: int = 16) -> np.ndarray:
        """(T, S, S, 3) uint8 frames for target landmarks (T, 68, 2) in crop px."""
        points_seq = np.asarray(points_seq, np.float32)
        if points_seq.shape[-2:] != (68, 2):
            raise CourseError(f"render needs target landmarks (T, 68, 2) or (68, 2), not an array of shape {points_seq.shape}.")
        marks = landmark_tensor(points_seq.reshape(-1, 68, 2), self.size)
        return np.stack([tensor_to_image(t) for t in self.puppet.animate(marks, batch)])

    def drive(self, driver_points: np.ndarray, driver_reference: np.ndarray) -> np.ndarray:
        """Frames (T, S, S, 3) uint8 following a driver's landmarks (T, 68, 2), relative to its neutral
        driver_reference (68, 2)."""
        from ..warps import transfer_motion

        return self.render(transfer_motion(self.points, driver_points, driver_reference))

    def target_points(self, smile=0., jaw_open=0., brow_raise=0., blink=0., yaw=0., pitch=0., roll=0.) -> np.ndarray:
        from ..warps import expression_points

        return expression_points(self.points, smile, jaw_open, brow_raise, blink, yaw, pitch, roll)

    @torch.inference_mode()
    def pose(self, smile=0., jaw_open=0., brow_raise=0., blink=0., yaw=0., pitch=0., roll=0.) -> np.ndarray:
        """One frame (S, S, 3) uint8 for an expression (weights 0–1) and head angles (degrees): the live puppet."""
        y = landmark_tensor(self.target_points(smile, jaw_open, brow_raise, blink, yaw, pitch, roll), self.size)[None]
        self.puppet.eval()
        with parametrize.cached():
            return tensor_to_image(self.puppet(y)[0])

    def frames_per_second(self, seconds: float = 1.0) -> float:
        """Puppet frames per second, landmark drawing included, over about `seconds` of varied poses."""
        rng = np.random.default_rng(0)
        self.pose()
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            self.pose(smile=rng.uniform(), jaw_open=rng.uniform(), yaw=rng.uniform(-15, 15))
            n += 1
        return n / (time.perf_counter() - t)
