"""Talking-head videos: smooth, seeded trajectories of pose and expression that look like speech.

Speech moves the jaw in syllables of about 0.2 to 0.3 s (3 to 5 per second) grouped in phrases
with pauses; people blink every few seconds (a blink lasts about 0.15 to 0.25 s); the head sways
slowly and nods a little with stressed syllables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .identity import Expression, Frame, Identity, Pose, light_from_angles
from .renderer import render


def _smooth_noise(rng, t, freqs, amp):
    """A sum of sinusoids with random phases: smooth, zero-mean, amplitude about `amp`."""
    out = np.zeros_like(t)
    for f in freqs:
        out += np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) * rng.uniform(0.5, 1.0)
    return amp * out / np.sqrt(len(freqs) / 2)


def _speech(rng, t):
    """Jaw opening: phrases of syllables (sin^2 bumps of 0.18-0.32 s) separated by pauses."""
    jaw = np.zeros_like(t)
    stress = np.zeros_like(t)
    now = rng.uniform(0, 0.4)
    talking = True
    while now < t[-1] + 1:
        if talking:
            end = now + rng.uniform(1.2, 3.0)
            while now < end:
                d = rng.uniform(0.18, 0.32)
                a = rng.uniform(0.25, 0.85)
                inside = (t >= now) & (t < now + d)
                bump = np.sin(np.pi * (t[inside] - now) / d) ** 2
                jaw[inside] = np.maximum(jaw[inside], a * bump)
                if a > 0.7:
                    stress[inside] = np.maximum(stress[inside], bump)
                now += d
        else:
            now += rng.uniform(0.25, 0.8)
        talking = not talking
    return jaw, stress


def _blinks(rng, t, rate=0.3):
    """Eyelid closure in [0, 1]: blinks at random times (about `rate` per second)."""
    b = np.zeros_like(t)
    now = rng.exponential(1 / rate) * 0.5
    while now < t[-1]:
        d = rng.uniform(0.15, 0.25)
        x = (t - now) / d
        close = np.clip(x / 0.35, 0, 1)  # fast down
        open_ = np.clip((1 - x) / 0.65, 0, 1)  # slower up
        b = np.maximum(b, np.where((x >= 0) & (x <= 1), np.minimum(close, open_), 0.0))
        now += d + rng.exponential(1 / rate)
    return np.clip(b * 1.1, 0, 1)


@dataclass
class TalkingStyle:
    """How lively a talking head moves (degrees for the head)."""

    yaw: float = 12.0
    pitch: float = 6.0
    roll: float = 4.0
    smile: float = 0.35
    blink_rate: float = 0.3  # per second
    base_yaw: float = 0.0


def talking_frames(n: int, fps: float = 25.0, seed: int = 0, style: TalkingStyle | None = None,
                   light: tuple[float, float, float] | None = None) -> list[Frame]:
    """n Frames of someone talking, sampled at `fps`; the same seed gives the same motion."""
    style = style or TalkingStyle()
    rng = np.random.default_rng([int(seed), 0x7A1C])
    t = np.arange(n) / fps
    jaw, stress = _speech(rng, t)
    blink = _blinks(rng, t, style.blink_rate)
    wink = rng.uniform(0, 0.08)  # eyes rarely close exactly together
    smile = np.clip(style.smile * (0.5 + _smooth_noise(rng, t, [0.05, 0.11, 0.23], 0.6)), 0, 1)
    brow = np.clip(0.5 * stress + _smooth_noise(rng, t, [0.13, 0.31], 0.12), 0, 1)
    yaw = style.base_yaw + _smooth_noise(rng, t, [0.07, 0.17, 0.37], style.yaw)
    pitch = _smooth_noise(rng, t, [0.09, 0.21, 0.43], style.pitch) + 3.0 * stress
    roll = _smooth_noise(rng, t, [0.05, 0.13, 0.29], style.roll)
    light = light or light_from_angles(rng.uniform(-40, 10), rng.uniform(15, 45))
    frames = []
    for i in range(n):
        e = Expression(jaw_open=float(jaw[i]), smile=float(smile[i]), blink_left=float(np.clip(blink[i] - wink, 0, 1)),
                       blink_right=float(blink[i]), brow_raise=float(brow[i]))
        p = Pose(yaw=float(np.clip(yaw[i], -35, 35)), pitch=float(np.clip(pitch[i], -20, 20)),
                 roll=float(np.clip(roll[i], -20, 20)))
        frames.append(Frame(pose=p, expression=e, light=light))
    return frames


def render_video(identity: Identity, frames: list[Frame], size: int = 128):
    """Render frames: (images (T, H, W, 3) uint8, landmarks (T, 68, 2) float32, visible (T, 68) bool)."""
    outs = [render(identity, f, size) for f in frames]
    return (np.stack([o.image for o in outs]), np.stack([o.landmarks for o in outs]),
            np.stack([o.visible for o in outs]))
