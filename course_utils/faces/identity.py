"""Who is in the picture and what they do: Identity, Pose, Expression and Frame (plain dataclasses).

An Identity is sampled from a seed (`sample_identity(seed)`): same seed, same person. A Frame is one
moment: a head Pose, an Expression and a light direction. Angles are in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import CourseError

HAIR_STYLES = ("bald", "buzz", "short", "medium", "long", "curly")
BEARDS = ("none", "stubble", "moustache", "goatee", "full")
GLASSES = ("none", "round", "rectangular")

RGB = tuple[float, float, float]  # each channel in [0, 1]


@dataclass(frozen=True)
class Identity:
    """One synthetic person. Shape factors are 1.0 for the average face; colours are RGB in [0, 1]."""

    seed: int
    # overall shape
    head_width: float = 1.0
    face_length: float = 1.0  # length of the lower face (nose to chin)
    jaw_width: float = 1.0
    chin: float = 1.0  # how far the chin stands out
    cheekbones: float = 1.0
    # features
    eye_spacing: float = 0.0  # extra half-distance between the eyes (canonical units)
    eye_size: float = 1.0
    eye_tilt: float = 0.0  # degrees, outer corners up
    brow_height: float = 0.0  # canonical units; positive raises the brows
    brow_thickness: float = 1.0
    brow_arch: float = 0.5
    nose_length: float = 1.0
    nose_width: float = 1.0
    nose_size: float = 1.0  # how far the nose stands out
    mouth_width: float = 1.0
    lip_fullness: float = 1.0
    # appearance
    skin: RGB = (0.80, 0.62, 0.50)
    eye_color: RGB = (0.35, 0.22, 0.12)
    hair_style: str = "short"
    hair_color: RGB = (0.18, 0.12, 0.08)
    brow_color: RGB = (0.15, 0.10, 0.07)
    lip_color: RGB = (0.70, 0.38, 0.36)
    beard: str = "none"
    glasses: str = "none"
    glasses_color: RGB = (0.08, 0.08, 0.09)
    shirt_color: RGB = (0.25, 0.35, 0.55)
    background: tuple[RGB, RGB] = ((0.55, 0.60, 0.65), (0.30, 0.33, 0.38))
    background_style: int = 0

    def __post_init__(self):
        if self.hair_style not in HAIR_STYLES:
            raise CourseError(f"hair_style {self.hair_style!r} is not one of {', '.join(HAIR_STYLES)}.")
        if self.beard not in BEARDS:
            raise CourseError(f"beard {self.beard!r} is not one of {', '.join(BEARDS)}.")
        if self.glasses not in GLASSES:
            raise CourseError(f"glasses {self.glasses!r} is not one of {', '.join(GLASSES)}.")


@dataclass(frozen=True)
class Pose:
    """Head pose in degrees. yaw > 0 turns the face towards the image's right, pitch > 0 tilts the
    chin down (looking down), roll > 0 tilts the head clockwise in the image. tx, ty move the person
    in front of the backdrop (fractions of the image size, right and down); scale > 1 zooms in."""

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    tx: float = 0.0
    ty: float = 0.0
    scale: float = 1.0


@dataclass(frozen=True)
class Expression:
    """Expression weights in [0, 1]. Left and right are the subject's own: blink_left closes the eye
    on the image's right (landmarks 42-47)."""

    jaw_open: float = 0.0
    smile: float = 0.0
    blink_left: float = 0.0
    blink_right: float = 0.0
    brow_raise: float = 0.0

    def as_array(self) -> np.ndarray:
        return np.array([self.jaw_open, self.smile, self.blink_left, self.blink_right, self.brow_raise],
                        dtype=np.float64)


@dataclass(frozen=True)
class Frame:
    """One moment of a video: pose, expression and where the light comes from.

    `light` is the direction towards the light in camera coordinates (x right, y down, z away from
    the camera; so (0, 0, -1) is a light at the camera). With `light_follows_head=True` the same
    vector is read in head coordinates instead: the light turns with the head, so shading is carried
    by the surface and a moving head keeps the brightness of each of its points."""

    pose: Pose = field(default_factory=Pose)
    expression: Expression = field(default_factory=Expression)
    light: tuple[float, float, float] = (-0.45, -0.55, -1.0)
    light_follows_head: bool = False


def light_from_angles(azimuth: float, elevation: float) -> tuple[float, float, float]:
    """Direction towards a light `azimuth` degrees to the right of the camera and `elevation` above."""
    a, e = np.radians(azimuth), np.radians(elevation)
    return (float(np.sin(a) * np.cos(e)), float(-np.sin(e)), float(-np.cos(a) * np.cos(e)))


# ----------------------------------------------------------------------------------------------
# Sampling


def _mix(a, b, t):
    return tuple(float(x) for x in (np.asarray(a) * (1 - t) + np.asarray(b) * t))


def _jitter(rng, rgb, amount):
    return tuple(float(np.clip(c + rng.normal(0, amount), 0, 1)) for c in rgb)


# skin tones along a light-to-dark line (sRGB), roughly the range of human skin
_SKIN = [(0.96, 0.82, 0.72), (0.90, 0.72, 0.60), (0.80, 0.60, 0.46), (0.66, 0.46, 0.33),
         (0.50, 0.33, 0.22), (0.36, 0.23, 0.15), (0.26, 0.17, 0.12)]
_HAIR = {"black": (0.06, 0.05, 0.05), "dark brown": (0.17, 0.11, 0.07), "brown": (0.33, 0.21, 0.12),
         "light brown": (0.52, 0.37, 0.22), "blond": (0.82, 0.68, 0.45), "red": (0.56, 0.24, 0.10),
         "grey": (0.58, 0.57, 0.56), "white": (0.88, 0.87, 0.85)}
_EYES = {"brown": (0.30, 0.17, 0.08), "dark brown": (0.17, 0.10, 0.05), "hazel": (0.45, 0.34, 0.16),
         "green": (0.32, 0.45, 0.28), "blue": (0.32, 0.48, 0.68), "grey": (0.48, 0.52, 0.55)}
_SHIRTS = [(0.15, 0.20, 0.35), (0.55, 0.10, 0.12), (0.85, 0.85, 0.82), (0.12, 0.12, 0.13),
           (0.25, 0.45, 0.30), (0.60, 0.55, 0.45), (0.35, 0.50, 0.70), (0.45, 0.30, 0.50),
           (0.80, 0.60, 0.20), (0.40, 0.40, 0.42)]


def sample_identity(seed: int) -> Identity:
    """A random but reproducible person: the same seed always gives the same Identity."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 0xFACE])

    def u(lo, hi):
        return float(rng.uniform(lo, hi))

    t = float(rng.beta(1.3, 1.6)) * (len(_SKIN) - 1)
    i = min(int(t), len(_SKIN) - 2)
    skin = _jitter(rng, _mix(_SKIN[i], _SKIN[i + 1], t - i), 0.02)
    dark = t / (len(_SKIN) - 1)  # 0 light ... 1 dark

    age = u(0, 1)
    if rng.random() < 0.12 + 0.5 * age ** 3:
        hair_name = str(rng.choice(["grey", "white"]))
    elif dark > 0.45:
        hair_name = str(rng.choice(["black", "dark brown"], p=[0.7, 0.3]))
    else:
        hair_name = str(rng.choice(["black", "dark brown", "brown", "light brown", "blond", "red"],
                                   p=[0.15, 0.3, 0.22, 0.14, 0.13, 0.06]))
    hair_color = _jitter(rng, _HAIR[hair_name], 0.025)
    if hair_name in ("grey", "white", "blond"):
        brow_color = _mix(hair_color, (0.25, 0.2, 0.16), 0.45)
    else:
        brow_color = _mix(hair_color, (0.05, 0.04, 0.03), 0.25)
    # brows stay darker than the skin (grey brows keep some dark hairs)
    lum = lambda c: 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2]  # noqa: E731
    if lum(brow_color) > 0.55 * lum(skin):
        brow_color = tuple(float(c) for c in np.asarray(brow_color) * 0.55 * lum(skin) / lum(brow_color))

    if dark > 0.4:
        eye_name = str(rng.choice(["brown", "dark brown"]))
    else:
        eye_name = str(rng.choice(list(_EYES), p=[0.3, 0.15, 0.15, 0.12, 0.18, 0.10]))
    eye_color = _jitter(rng, _EYES[eye_name], 0.03)

    masculine = rng.random() < 0.5
    style_p = [0.10, 0.14, 0.42, 0.18, 0.06, 0.10] if masculine else [0.0, 0.03, 0.17, 0.32, 0.36, 0.12]
    hair_style = str(rng.choice(HAIR_STYLES, p=style_p))
    beard = str(rng.choice(BEARDS, p=[0.45, 0.22, 0.08, 0.1, 0.15])) if masculine else "none"
    glasses = str(rng.choice(GLASSES, p=[0.78, 0.11, 0.11]))

    lip_base = _mix(skin, (0.62, 0.22, 0.25), (0.35 + 0.2 * rng.random()) * (1 - 0.6 * dark))
    lip_base = _mix(lip_base, (0.0, 0.0, 0.0), 0.1 + 0.15 * dark)
    if not masculine and rng.random() < 0.4:  # lipstick
        lip_base = _mix(lip_base, [(0.65, 0.08, 0.15), (0.72, 0.35, 0.38), (0.5, 0.12, 0.2)][rng.integers(3)], 0.6)
    lip_color = _jitter(rng, lip_base, 0.02)

    bg_hue = rng.random()
    base = np.array([0.5 + 0.3 * np.cos(2 * np.pi * (bg_hue + k / 3)) for k in range(3)])
    grey = base.mean()
    base = grey + (base - grey) * u(0.15, 0.6)  # walls and backdrops are rarely saturated
    bg_light = np.clip(base * u(0.6, 1.25) + u(-0.1, 0.15), 0.05, 0.95)
    bg_dark = np.clip(bg_light * u(0.35, 0.75), 0.02, 0.9)
    shirt = _jitter(rng, _SHIRTS[rng.integers(len(_SHIRTS))], 0.05)

    return Identity(
        seed=int(seed),
        head_width=u(0.93, 1.06) if not masculine else u(0.97, 1.08),
        face_length=u(0.88, 1.12),
        jaw_width=u(0.88, 1.02) if not masculine else u(0.97, 1.12),
        chin=u(0.5, 1.6),
        cheekbones=u(0.5, 1.6),
        eye_spacing=u(-0.03, 0.035),
        eye_size=u(0.9, 1.12) if not masculine else u(0.86, 1.05),
        eye_tilt=u(-3, 6),
        brow_height=u(-0.03, 0.04),
        brow_thickness=u(0.9, 1.5) if masculine else u(0.6, 1.1),
        brow_arch=u(0.1, 0.6) if masculine else u(0.4, 1.0),
        nose_length=u(0.88, 1.14),
        nose_width=u(0.85, 1.2) if dark < 0.5 else u(1.0, 1.3),
        nose_size=u(0.75, 1.3),
        mouth_width=u(0.9, 1.1),
        lip_fullness=u(0.75, 1.25) if dark < 0.5 else u(1.0, 1.4),
        skin=skin,
        eye_color=eye_color,
        hair_style=hair_style,
        hair_color=hair_color,
        brow_color=brow_color,
        lip_color=lip_color,
        beard=beard,
        glasses=glasses,
        glasses_color=_jitter(rng, [(0.06, 0.06, 0.07), (0.35, 0.2, 0.1), (0.7, 0.7, 0.72)][rng.integers(3)], 0.02),
        shirt_color=shirt,
        background=(tuple(float(c) for c in bg_light), tuple(float(c) for c in bg_dark)),
        background_style=int(rng.integers(3)),
    )


def random_pose(rng: np.random.Generator, max_yaw: float = 35.0, max_pitch: float = 20.0,
                max_roll: float = 20.0, max_shift: float = 0.0) -> Pose:
    """A pose drawn uniformly within the given limits (degrees; shift as a fraction of the image)."""
    return Pose(yaw=float(rng.uniform(-max_yaw, max_yaw)), pitch=float(rng.uniform(-max_pitch, max_pitch)),
                roll=float(rng.uniform(-max_roll, max_roll)),
                tx=float(rng.uniform(-max_shift, max_shift)), ty=float(rng.uniform(-max_shift, max_shift)))


def random_expression(rng: np.random.Generator) -> Expression:
    """A plausible expression: often neutral-ish, sometimes talking, smiling, blinking or surprised."""
    jaw = float(rng.choice([0.0, rng.uniform(0, 0.5), rng.uniform(0.3, 1.0)], p=[0.35, 0.4, 0.25]))
    smile = float(rng.choice([0.0, rng.uniform(0, 1)], p=[0.5, 0.5]))
    blink = rng.random()
    if blink < 0.1:
        bl = br = float(rng.uniform(0.7, 1.0))
    elif blink < 0.15:
        bl, br = float(rng.uniform(0.6, 1)), 0.0
    elif blink < 0.2:
        bl, br = 0.0, float(rng.uniform(0.6, 1))
    else:
        bl = br = float(rng.uniform(0, 0.25))
    brow = float(rng.choice([0.0, rng.uniform(0, 1)], p=[0.6, 0.4]))
    return Expression(jaw_open=jaw, smile=smile, blink_left=bl, blink_right=br, brow_raise=brow)


def random_frame(rng: np.random.Generator, max_yaw: float = 35.0, light_jitter: float = 35.0) -> Frame:
    """A random pose, expression and light (the light within `light_jitter` degrees of upper-front-left)."""
    pose = random_pose(rng, max_yaw=max_yaw)
    light = light_from_angles(-25 + rng.uniform(-light_jitter, light_jitter),
                              30 + rng.uniform(-light_jitter / 2, light_jitter / 2))
    return Frame(pose=pose, expression=random_expression(rng), light=light)


def with_expression(frame: Frame, **weights) -> Frame:
    """A copy of `frame` with some expression weights changed: with_expression(f, smile=1)."""
    return replace(frame, expression=replace(frame.expression, **weights))
