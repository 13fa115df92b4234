"""What a learner sees when they pass the wrong thing: the public, learner-facing API called with bad arguments
(a non-image, a wrong shape, an unknown method or name, an empty list, a missing or damaged file) must raise
CourseError, whose message is one sentence (errors.install_friendly_errors shows it instead of a traceback),
never a ValueError, TypeError, RuntimeError or IndexError from deep inside NumPy, OpenCV or torch."""

from __future__ import annotations

import hashlib
import importlib
import json

import numpy as np
import pytest

from course_utils.errors import CourseError

RNG = np.random.default_rng(0)
PICTURE = RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)
POINTS = (RNG.random((68, 2)) * 40 + 12).astype(np.float32)
KERNEL = np.full((3, 3), 1 / 9)


def _m(name: str):
    """course_utils.<name>, imported when a case runs (so one broken module fails its own cases only)."""
    return importlib.import_module(f"course_utils.{name}")


# ----------------------------------------------------------------------------- small stand-ins for the networks

def _landmark_net():
    from course_utils import landmark_net

    return landmark_net.LandmarkNet(width=8)


def _identity_net():
    from course_utils import identity_net

    return identity_net.IdentityNet()


def _tiny_gan():
    import torch

    from course_utils.talking_heads import TalkingHeadGAN, get_config

    torch.manual_seed(0)
    return TalkingHeadGAN(get_config("tiny", size=32)).eval()


def _test_video():
    from course_utils.talking_heads import evaluate as ev

    pts = np.stack([POINTS * 0.5] * 3)
    return ev.TestVideo(101_000, np.stack([PICTURE[:32, :32]] * 3), pts, np.stack([PICTURE[:32, :32]] * 2), pts[:2])


def _portrait():
    from course_utils.talking_heads.portrait import TalkingPortrait

    return TalkingPortrait(PICTURE, points=POINTS, gan=_tiny_gan())


def _image_set():
    from course_utils import fakes

    n = 12
    return fakes.ImageSet(RNG.integers(0, 256, (n, 64, 64, 3), dtype=np.uint8),
                              np.array(["faceworld", "gan07", "warp_tps"] * (n // 3)), np.zeros(n, int),
                              np.array(["train"] * (n // 2) + ["test"] * (n // 2)))


def _damaged_checkpoint(tmp_path):
    """A checkpoints folder whose manifest lists a file of garbage (size and hash match, so it gets to torch.load)."""
    data = b"this is not a torch checkpoint"
    (tmp_path / "broken.pt").write_bytes(data)
    (tmp_path / "manifest.json").write_text(json.dumps({"broken": {
        "file": "broken.pt", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "command": "python -m x"}}))
    return tmp_path


def _unreadable_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text("{ this is not json")
    return tmp_path


# ----------------------------------------------------------------------------- the cases

CASES = {
    # images
    "images.load_image: a number": lambda t: _m("images").load_image(12345),
    "images.load_image: a missing file": lambda t: _m("images").load_image(t / "nowhere.png"),
    "images.load_image: bytes that are no picture": lambda t: _m("images").load_image(b"not a png"),
    "images.array_to_rgb: 7 channels": lambda t: _m("images").array_to_rgb(np.zeros((8, 8, 7))),
    "images.portrait: unknown name": lambda t: _m("images").portrait("nobody_at_all"),
    # viz
    "viz.animation: no frames": lambda t: _m("viz").animation([]),
    # deblur
    "deblur.blur: unknown boundary": lambda t: _m("deblur").blur(PICTURE, KERNEL, boundary="zero"),
    "deblur.wiener: unknown boundary": lambda t: _m("deblur").wiener(PICTURE, KERNEL, boundary="wrap"),
    "deblur.richardson_lucy: unknown boundary": lambda t: _m("deblur").richardson_lucy(PICTURE, KERNEL, boundary="wrap"),
    "deblur.train_photos: the test photo": lambda t: _m("deblur").train_photos(names=("astronaut",)),
    "deblur.blur: text instead of a picture": lambda t: _m("deblur").blur("photo.png", KERNEL),
    # flow.classical
    "flow.classical.dis: unknown preset": lambda t: _m("flow.classical").dis(PICTURE, PICTURE, preset="slow"),
    "flow.classical.horn_schunck: pictures of different sizes":
        lambda t: _m("flow.classical").horn_schunck(PICTURE, PICTURE[:32]),
    # landmark_net
    "landmark_net.predict: wrong picture size": lambda t: _m("landmark_net").predict(_landmark_net(), PICTURE[:32, :40]),
    "landmark_net.predict: a grey picture": lambda t: _m("landmark_net").predict(_landmark_net(), PICTURE[..., 0]),
    # landmarks
    "landmarks.detect: unknown backend": lambda t: _m("landmarks").detect(PICTURE, backend="magic"),
    "landmarks.detect: a tiny picture": lambda t: _m("landmarks").detect(PICTURE[:4, :4]),
    # warps
    "warps.landmark_warp: unknown method": lambda t: _m("warps").landmark_warp(PICTURE, POINTS, POINTS, method="bend"),
    "warps.expression_points: wrong number of points": lambda t: _m("warps").expression_points(POINTS[:10], smile=1),
    # identity_net
    "identity_net.to_input: wrong crop size": lambda t: _m("identity_net").to_input(np.zeros((2, 32, 32, 3), np.uint8)),
    "identity_net.embed: a grey picture": lambda t: _m("identity_net").embed(_identity_net(), PICTURE[..., 0]),
    # gans
    "gans.load_face_gan: missing checkpoint": lambda t: _m("gans").load_face_gan(t),
    # fakes (chapter 10)
    "fakes.radial_spectrum: text": lambda t: _m("fakes").radial_spectrum("faces.png"),
    "fakes.build_image_set: unknown source": lambda t: _m("fakes").build_image_set(sources=["deepfake9000"]),
    "fakes.generalisation_gap: unknown method":
        lambda t: _m("fakes").generalisation_gap(_image_set(), "gan07", method="svm"),
    "fakes.cnn_scores: grey pictures": lambda t: _m("fakes").cnn_scores(None, np.zeros((2, 64, 64))),
    # watermark
    "watermark.embed: text instead of a picture": lambda t: _m("watermark").embed("photo.png", "hi", key=1),
    "watermark.embed: a message too long": lambda t: _m("watermark").embed(PICTURE, "x" * 500, key=1),
    "watermark.read: a grey 1-D array": lambda t: _m("watermark").read(np.zeros(10), key=1),
    # talking heads
    "talking_heads.get_config: unknown size": lambda t: _m("talking_heads").get_config("huge"),
    "talking_heads.get_config: embedder width": lambda t: _m("talking_heads").TalkingHeadGAN(
        _m("talking_heads").get_config("tiny", embed_dim=7)),
    "talking_heads.evaluate.gan_outputs: unknown method":
        lambda t: _m("talking_heads.evaluate").gan_outputs(_tiny_gan(), _test_video(), 1, "magic"),
    "talking_heads.evaluate.warp_outputs: unknown method":
        lambda t: _m("talking_heads.evaluate").warp_outputs(_test_video(), 1, "magic"),
    "talking_heads.portrait: text instead of a picture":
        lambda t: _m("talking_heads.portrait").TalkingPortrait("me.jpg", points=POINTS, gan=_tiny_gan()),
    "talking_heads.portrait.render: no frames": lambda t: _portrait().render(np.zeros((0, 68, 2))),
    "talking_heads.portrait.render: wrong points": lambda t: _portrait().render(np.zeros((5, 2))),
    # tensors
    "tensors.image_to_tensor: a grey picture": lambda t: _m("tensors").image_to_tensor(PICTURE[..., 0]),
    "tensors.landmark_tensor: no points": lambda t: _m("tensors").landmark_tensor(np.zeros((0, 68, 2)), 32),
    # faces
    "faces.split_seeds: unknown split": lambda t: _m("faces").split_seeds("holdout"),
    "faces.landmark_image: wrong number of points": lambda t: _m("faces").landmark_image(POINTS[:5], 64),
    # checkpoints
    "checkpoints.load_checkpoint: unknown name": lambda t: _m("checkpoints").load_checkpoint("no_such_model", t),
    "checkpoints.load_checkpoint: a damaged file": lambda t: _m("checkpoints").load_checkpoint("broken", _damaged_checkpoint(t)),
    "checkpoints.read_manifest: not JSON": lambda t: _m("checkpoints").read_manifest(_unreadable_manifest(t)),
    "deblur.load_deblurrer: a damaged file": lambda t: _m("deblur").load_deblurrer("broken", _damaged_checkpoint(t)),
}


def assert_one_sentence(err: BaseException) -> None:
    message = str(err)
    assert message.strip(), "an empty message"
    assert "\n" not in message, f"more than one line: {message!r}"
    assert "Traceback" not in message and 'File "' not in message, f"traceback text: {message!r}"


@pytest.mark.parametrize("case", list(CASES))
def test_a_learner_mistake_is_one_sentence(case, tmp_path):
    try:
        CASES[case](tmp_path)
    except CourseError as err:
        assert_one_sentence(err)
    except Exception as err:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{case}: raised {type(err).__name__} instead of CourseError: {err}")
    else:
        pytest.fail(f"{case}: accepted a bad argument without a word")


def test_there_are_enough_cases():
    modules = {name.split(":")[0].split(".")[0] for name in CASES}
    assert len(CASES) >= 25 and {"images", "viz", "deblur", "flow", "landmark_net", "landmarks", "warps", "identity_net",
                                 "gans", "fakes", "watermark", "talking_heads", "checkpoints"} <= modules
