"""FaceWorld people as drivers: their landmarks without rendering, and a FaceWorld person talking.

Chapter 04's warps and chapter 08's talking heads both move a portrait by the motion of a FaceWorld face:

    faceworld_landmarks(person, smile=0.5, yaw=10)       # (68, 2) at REF_SIZE px, from the posed mesh (~1 ms)
    driver_points(person, frame)                         # the same for a Frame
    images, points, neutral = faceworld_driver(50, seed=0, head_motion=0.5)   # a person talking
    faceworld_five_points(64)                            # where FaceWorld's average face has its five points

AVERAGE_PERSON (seed 0) is the face whose expressions every portrait borrows, and whose framing the
talking-head GAN saw.
"""

from __future__ import annotations

import functools

import numpy as np

from .framing import five_points
from .identity import Expression, Frame, Identity, Pose
from .renderer import render

__all__ = ["AVERAGE_PERSON", "REF_SIZE", "faceworld_landmarks", "driver_points", "faceworld_five_points",
           "faceworld_driver"]

AVERAGE_PERSON = Identity(seed=0)
REF_SIZE = 256  # px: the image size faceworld_landmarks' points are in


@functools.lru_cache(maxsize=4096)
def faceworld_landmarks(identity: Identity = AVERAGE_PERSON, smile=0.0, jaw_open=0.0, brow_raise=0.0,
                        blink_left=0.0, blink_right=0.0, yaw=0.0, pitch=0.0, roll=0.0) -> np.ndarray:
    """(68, 2) float32 landmarks of a FaceWorld person at 256 px, from the posed mesh alone (no pixels
    rendered; about 1 ms, memoised). Read-only."""
    from . import mesh as M
    from . import renderer as R

    frame = Frame(Pose(yaw=yaw, pitch=pitch, roll=roll),
                  Expression(jaw_open=jaw_open, smile=smile, blink_left=blink_left,
                             blink_right=blink_right, brow_raise=brow_raise))
    model = M.face_model(identity, R.lod_for(REF_SIZE))
    posed = R.pose_mesh(model, frame, REF_SIZE, normals=False)
    out = posed.xy[model.landmark_vertex].astype(np.float32)
    out.setflags(write=False)
    return out


def driver_points(identity: Identity, frame: Frame) -> np.ndarray:
    """(68, 2) float32 landmarks at REF_SIZE px of `identity` in `frame` (its expression and pose, rounded
    so that the memo of faceworld_landmarks is reused). Read-only."""
    e, p = frame.expression, frame.pose
    return faceworld_landmarks(identity, round(e.smile, 4), round(e.jaw_open, 4), round(e.brow_raise, 4),
                               round(e.blink_left, 4), round(e.blink_right, 4),
                               round(p.yaw, 3), round(p.pitch, 3), round(p.roll, 3))


@functools.lru_cache(maxsize=4)
def faceworld_five_points(size: int) -> np.ndarray:
    """(5, 2) px where FaceWorld's average person has its eye centres, nose tip and mouth corners in a
    size × size render: the framing the talking-head GAN was trained on (framing.frame_face's target)."""
    return (five_points(faceworld_landmarks()) + 0.5) * (size / REF_SIZE) - 0.5


def faceworld_driver(n_frames: int = 50, seed: int = 0, head_motion: float = 1.0, size: int = 128,
                     fps: float = 25.0):
    """FaceWorld person `seed` talking (faces.talking_frames(n_frames, fps, seed)), head rotations scaled by
    head_motion (a 2-D warp cannot turn a head far): (driver images (T, size, size, 3) uint8, or None when
    size is 0; landmarks (T, 68, 2) at REF_SIZE px; the person's neutral landmarks (68, 2) at REF_SIZE px —
    the reference motion is measured from)."""
    from .identity import sample_identity
    from .video import talking_frames

    person = sample_identity(seed)
    frames = talking_frames(n_frames, fps, seed)
    frames = [Frame(Pose(yaw=f.pose.yaw * head_motion, pitch=f.pose.pitch * head_motion,
                         roll=f.pose.roll * head_motion), f.expression, f.light) for f in frames]
    points = np.stack([driver_points(person, f) for f in frames])
    images = np.stack([render(person, f, size).image for f in frames]) if size else None
    return images, points, faceworld_landmarks(person)
