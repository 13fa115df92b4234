"""FaceWorld image pairs with their true flow: the exam every flow method in chapter 04 sits.

A pair is one person at two moments close in time: the head turns a little (up to about 12°), nods,
tilts, and the expression changes (the jaw opens, a smile, a blink, raised brows). The light travels
with the head (`Frame.light_follows_head`), so brightness constancy holds and any error is the
method's, not the lighting's.

Flow convention (the course's, as in course_utils.faces.flow): backward, from target to source,

    target(x, y) ≈ source(x + flow_x, y + flow_y)      flow: (H, W, 2) float32 pixels

so warping the source by the flow gives the target. `valid` marks pixels whose surface point is
visible in both frames; errors are measured there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..faces import Expression, Frame, Pose, ground_truth_flow, light_from_angles, random_expression, render, sample_identity


@dataclass
class FlowPair:
    """source, target (H, W, 3) uint8; flow (H, W, 2) float32 px, target -> source; valid (H, W) bool;
    source_points, target_points (68, 2) float32 px; seed is the identity's."""

    source: np.ndarray
    target: np.ndarray
    flow: np.ndarray
    valid: np.ndarray
    source_points: np.ndarray
    target_points: np.ndarray
    seed: int


def pair_frames(rng: np.random.Generator, max_turn: float = 12.0) -> tuple[Frame, Frame]:
    """Two frames of a face in motion: a random start, then a small turn, nod and tilt and a new expression."""
    light = light_from_angles(rng.uniform(-45, 15), rng.uniform(15, 45))
    a = Pose(yaw=rng.uniform(-25, 25), pitch=rng.uniform(-12, 12), roll=rng.uniform(-12, 12))
    b = Pose(yaw=a.yaw + rng.uniform(-max_turn, max_turn), pitch=a.pitch + rng.uniform(-max_turn, max_turn) * 0.6,
             roll=a.roll + rng.uniform(-max_turn, max_turn) * 0.6,
             tx=rng.uniform(-0.02, 0.02), ty=rng.uniform(-0.02, 0.02))
    ea = random_expression(rng)
    eb = random_expression(rng)
    if rng.random() < 0.5:  # often the same face talking: only the jaw and the smile move
        eb = replace(ea, jaw_open=float(rng.uniform(0, 1)), smile=float(np.clip(ea.smile + rng.normal(0, 0.3), 0, 1)))
    return (Frame(a, ea, light, light_follows_head=True), Frame(b, eb, light, light_follows_head=True))


def make_pair(seed: int, rng: np.random.Generator, size: int = 64, max_turn: float = 12.0) -> FlowPair:
    """One FlowPair of identity `seed` at `size` pixels."""
    person = sample_identity(seed)
    fa, fb = pair_frames(rng, max_turn)
    ra, rb = render(person, fa, size), render(person, fb, size)
    flow, valid = ground_truth_flow(person, fa, fb, size)
    return FlowPair(ra.image, rb.image, flow, valid, ra.landmarks, rb.landmarks, int(seed))


def faceworld_pairs(n: int, size: int = 64, split: str = "test", seed: int = 0, max_turn: float = 12.0) -> list[FlowPair]:
    """n FlowPairs, each of a different identity of `split` (train, validation or test); the same
    arguments always give the same pairs."""
    from ..faces.splits import split_seeds

    rng = np.random.default_rng([int(seed), 0xF10])
    seeds = split_seeds(split, n)
    return [make_pair(s, rng, size, max_turn) for s in seeds]


def training_pairs(seeds, per_identity: int, size: int = 64, seed: int = 0,
                   turns: tuple[float, float] = (4.0, 24.0), verbose: bool = False) -> list[FlowPair]:
    """`per_identity` FlowPairs of each identity seed, the largest turn drawn in `turns` (degrees) per pair
    so a model meets both small and large motions."""
    import time

    from ..faces import clear_caches

    rng = np.random.default_rng([int(seed), 0x7EA])
    out, t0, seeds = [], time.time(), list(seeds)
    for i, s in enumerate(seeds):
        out += [make_pair(s, rng, size, float(rng.uniform(*turns))) for _ in range(per_identity)]
        if verbose and (i + 1) % 50 == 0:
            print(f"  {i + 1}/{len(seeds)} identities ({time.time() - t0:.0f} s)", flush=True)
    clear_caches()
    return out


def face_mask(pair: FlowPair) -> np.ndarray:
    """(H, W) bool: the face — inside the convex outline of the target's 68 landmarks (jaw to brows) — where
    the flow is known (pair.valid). 'Face motion' is measured here; hair and background are outside."""
    import cv2

    mask = np.zeros(pair.valid.shape, np.uint8)
    hull = cv2.convexHull(np.round(pair.target_points).astype(np.int32)).reshape(-1, 2)
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.astype(bool) & pair.valid


def detect_points(image: np.ndarray, backend: str = "dlib", upscale: int = 4) -> np.ndarray | None:
    """(68, 2) float32 landmarks, in the pixels of `image` ((H, W, 3) uint8), found by a landmark detector
    (course_utils.landmarks.detect with `backend`), or None when it finds no face. The image is enlarged
    `upscale` times (bicubic) first: dlib's face finder wants faces about 80 px wide, and a 64 px pair has
    faces about 35 px wide."""
    import cv2

    from ..errors import CourseError
    from ..landmarks import detect

    big = cv2.resize(image, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC) if upscale != 1 else image
    try:
        points = detect(big, backend=backend).faces[0].points
    except CourseError:
        return None
    return ((points + 0.5) / upscale - 0.5).astype(np.float32)  # pixel centres of the enlarged image -> image


def with_detected_landmarks(pairs: list[FlowPair], backend: str = "dlib",
                            upscale: int = 4) -> tuple[list[FlowPair], np.ndarray]:
    """The pairs with the renderer's exact landmarks replaced by a detector's (detect_points), and found,
    (N, 2) bool: whether the detector found the face in the source and in the target. Where it finds one
    frame's face only, both frames get those points (no motion: a landmark method then predicts about zero
    flow); where it finds neither, both get the average FaceWorld face. Images, flow and valid stay the
    truth; score on face_mask of the ORIGINAL pairs (the mask is drawn from the exact target landmarks)."""
    from ..faces import REF_SIZE, faceworld_landmarks

    out, found = [], []
    for p in pairs:
        a, b = detect_points(p.source, backend, upscale), detect_points(p.target, backend, upscale)
        found.append((a is not None, b is not None))
        if a is None and b is None:
            k = p.source.shape[0] / REF_SIZE
            a = b = ((faceworld_landmarks() + 0.5) * k - 0.5).astype(np.float32)
        a, b = (b if a is None else a), (a if b is None else b)
        out.append(replace(p, source_points=a, target_points=b))
    return out, np.array(found, bool).reshape(-1, 2)


def stack_pairs(pairs: list[FlowPair]) -> dict[str, np.ndarray]:
    """Pairs as arrays with a leading batch axis, for saving and training."""
    keys = ("source", "target", "flow", "valid", "source_points", "target_points")
    return {k: np.stack([getattr(p, k) for p in pairs]) for k in keys} | {"seed": np.array([p.seed for p in pairs])}


__all__ = ["FlowPair", "pair_frames", "make_pair", "faceworld_pairs", "training_pairs", "stack_pairs", "face_mask",
           "detect_points", "with_detected_landmarks", "Expression"]
