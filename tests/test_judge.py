"""course_utils.judge: the independent judge (dlib's face-recognition ResNet and 68-point predictor, trained on real
photographs). Its figures must tell apart what they claim to tell apart, and no training loss may use it."""

from __future__ import annotations

import ast

import cv2
import matplotlib.cbook
import numpy as np
import pytest
from PIL import Image
from skimage import data

from course_utils import faces, judge
from course_utils.config import REPO_ROOT
from course_utils.errors import CourseError


@pytest.fixture(scope="module")
def astronaut():
    return data.astronaut()[:300, 80:380].copy()


@pytest.fixture(scope="module")
def hopper():
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        return np.asarray(Image.open(f).convert("RGB"))


def test_same_person_and_another_person(astronaut, hopper):
    a = judge.look(astronaut)
    moved = judge.look(cv2.resize(astronaut, (330, 330))[10:310, 20:320])  # zoomed and shifted: the same photo
    h = judge.look(hopper)
    assert a and moved and h
    assert np.linalg.norm(a.descriptor - moved.descriptor) < 0.3
    assert np.linalg.norm(a.descriptor - h.descriptor) > judge.SAME_PERSON


def test_a_verdict_separates_a_faithful_animation_from_a_broken_one():
    images, points, _ = faces.faceworld_driver(40, seed=3, head_motion=0.3, size=256)
    points = points * (256 / faces.REF_SIZE)
    good = judge.judge(images[0], images, targets=points, driver_points=points, seconds=2.0)
    assert good.found_rate > 0.9 and good.mouth_r > 0.6 and good.follow_nme < 0.15 and good.fps == 20
    # (dlib reads rendered mouths less surely than photographed ones, hence 0.6)
    # the same frames against a driver played backwards: the mouth no longer follows it
    assert judge.judge(images[0], images, driver_points=points[::-1]).mouth_r < good.mouth_r - 0.5
    # blurred frames are less sharp than the source; shimmering frames flicker
    blurred = np.stack([cv2.GaussianBlur(f, (0, 0), 3) for f in images])
    assert judge.judge(images[0], blurred).sharpness_ratio < 0.5 * good.sharpness_ratio
    noise = np.random.default_rng(0).integers(-20, 21, images.shape)
    shimmer = np.clip(images + noise * (np.arange(len(images)) % 2 * 2 - 1)[:, None, None, None], 0, 255).astype(np.uint8)
    assert judge.judge(images[0], shimmer).flicker > 3 * good.flicker


def test_a_driver_that_does_not_move_its_mouth_or_blink_gives_no_correlation():
    images, points, _ = faces.faceworld_driver(30, seed=3, head_motion=0.3, size=256)
    points = points * (256 / faces.REF_SIZE)
    still = np.repeat(points[:1], len(points), 0)
    still = still + np.random.default_rng(0).normal(0, 0.05, still.shape).astype(np.float32)  # landmark jitter only
    v = judge.judge(images[0], images, driver_points=still)
    assert np.isnan(v.mouth_r) and np.isnan(v.blink_r), "a correlation with a still mouth would be a correlation with noise"
    moving = judge.judge(images[0], images, driver_points=points)
    assert np.isfinite(moving.mouth_r)
    assert np.std([judge.mouth_opening(p) for p in points]) >= judge.MIN_MOTION_SD


def test_mouth_and_eye_measures_on_faceworld_expressions():
    closed = faces.faceworld_landmarks(jaw_open=0.0)
    opened = faces.faceworld_landmarks(jaw_open=1.0)
    blink = faces.faceworld_landmarks(blink_left=1.0, blink_right=1.0)
    assert judge.mouth_opening(opened) > judge.mouth_opening(closed) + 0.2
    assert judge.eye_openness(blink) < 0.5 * judge.eye_openness(closed)


def test_bad_input_gets_one_sentence(astronaut):
    with pytest.raises(CourseError, match="no frames"):
        judge.judge(astronaut, [])
    with pytest.raises(CourseError, match="uint8"):
        judge.judge(astronaut, [astronaut.astype(np.float32)])
    with pytest.raises(CourseError, match="no face in the source"):
        judge.judge(np.full((200, 200, 3), 128, np.uint8), [astronaut])


def _imports(path):
    """Names of course_utils modules that a file imports (relative or absolute), as dotted paths."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_training_loss_uses_the_judge():
    """A module that trains (calls .backward()) must not reach the judge or dlib's recognition network, even
    through the modules it imports."""
    modules = {".".join(p.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (REPO_ROOT / "course_utils").rglob("*.py")}
    graph = {m: {i for i in _imports(p) if i in modules} for m, p in modules.items()}
    forbidden = {"course_utils.judge"}
    for m, p in modules.items():
        if m not in ("course_utils.judge", "course_utils.models_dlib") and "face_recognition_model_v1" in p.read_text():
            forbidden.add(m)
    trainers = [m for m, p in modules.items() if ".backward(" in p.read_text()]
    assert len(trainers) >= 5, trainers  # the scan sees the course's training code
    for m in trainers:
        seen, todo = set(), [m]
        while todo:
            cur = todo.pop()
            for nxt in graph.get(cur, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert not (seen | {m}) & forbidden, f"{m} trains and reaches {sorted((seen | {m}) & forbidden)}"
