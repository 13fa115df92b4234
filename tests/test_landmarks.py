"""course_utils.landmarks: one detection call over three backends, with honest choices and one-sentence errors."""

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data

from course_utils import CourseError, landmarks

ASTRONAUT = data.astronaut()


@pytest.fixture(autouse=True)
def no_cached_face_alignment(isolated_cache, monkeypatch):
    """Every test starts where face-alignment's weights are absent and nothing may be downloaded."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(landmarks, "_FA_MODEL", None)


def test_auto_falls_back_to_dlib_and_says_why():
    name, why = landmarks.choose_backend("auto")
    assert name == "dlib"
    assert "face_alignment: weights not cached" in why


def test_dlib_contract_on_a_real_photo():
    result = landmarks.detect(ASTRONAUT, backend="dlib")
    assert result.backend == "dlib" and len(result.faces) == 1 and result.seconds > 0
    face = result.faces[0]
    assert face.points.shape == (68, 2) and face.points.dtype == np.float32
    x0, y0, x1, y1 = face.box
    # the eyes sit inside the face box, the chin (8) below the nose tip (30)
    eyes = face.points[36:48]
    assert (eyes[:, 0] > x0).all() and (eyes[:, 0] < x1).all() and (eyes[:, 1] > y0).all()
    assert face.points[8, 1] > face.points[30, 1] > face.points[27, 1]
    assert "dlib" in str(result)


def test_several_faces_largest_first():
    small = np.asarray(Image.fromarray(ASTRONAUT).resize((256, 256)))
    canvas = np.full((600, 900, 3), 200, np.uint8)
    canvas[20:532, 380:892] = ASTRONAUT
    canvas[300:556, 20:276] = small
    result = landmarks.detect(canvas, backend="dlib")
    assert len(result.faces) == 2
    assert result.faces[0].area > result.faces[1].area
    assert result.faces[0].points[:, 0].mean() > 380, "the large face is the one on the right"


def test_points_are_in_the_coordinates_of_the_image_given():
    small = landmarks.detect(ASTRONAUT, backend="dlib").faces[0].points
    big_img = np.asarray(Image.fromarray(ASTRONAUT).resize((2048, 2048), Image.BICUBIC))  # downscaled inside
    big = landmarks.detect(big_img, backend="dlib").faces[0].points
    iod = np.linalg.norm(small[36] - small[45])
    assert np.abs(big / 4 - small).mean() < 0.05 * iod


@pytest.mark.parametrize("convert", ["L", "RGBA"])
def test_grey_and_rgba_photos(convert):
    im = Image.fromarray(ASTRONAUT).convert(convert)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    assert len(landmarks.detect(buf.getvalue(), backend="dlib").faces) == 1
    assert len(landmarks.detect(np.asarray(im), backend="dlib").faces) == 1


@pytest.mark.parametrize("source, message", [
    (b"%PDF-1.4 not an image", "not a picture"),
    (np.zeros((20, 20, 3), np.uint8), "at least 32 pixels"),
    (data.coffee(), "No face was found by dlib"),
    (np.full((200, 300), 128, np.uint8), "No face was found"),
])
def test_bad_inputs_give_one_sentence(source, message):
    with pytest.raises(CourseError, match=message) as info:
        landmarks.detect(source, backend="auto")
    assert "\n" not in str(info.value)


def test_unknown_backend():
    with pytest.raises(CourseError, match="backend must be 'auto' or one of"):
        landmarks.detect(ASTRONAUT, backend="magic")


def test_face_alignment_without_weights_in_ci_is_one_sentence():
    with pytest.raises(CourseError, match="CI downloads nothing"):
        landmarks.detect(ASTRONAUT, backend="face_alignment")


def test_crop_for_box_maps_crop_pixels_back_to_the_image():
    ramp = np.zeros((600, 800, 3), np.uint8)
    ramp[..., 0] = (np.arange(800) / 800 * 255).astype(np.uint8)[None]
    ramp[..., 1] = (np.arange(600) / 600 * 255).astype(np.uint8)[:, None]
    crop, back = landmarks.crop_for_box(ramp, (300, 200, 400, 300))
    assert crop.shape == (64, 64, 3)
    for u, v in [(0, 0), (32, 32), (63, 10)]:
        x, y = back @ np.array([u, v, 1.0])
        assert np.abs(crop[v, u, :2].astype(int) - ramp[int(round(y)), int(round(x)), :2]).max() <= 2


def test_face_alignment_wiring_offline_with_stand_in_weights(isolated_cache, monkeypatch):
    """WIRING ONLY, NOT ACCURACY: random weights saved under face-alignment's file names let its
    constructor and forward pass run offline. The points it returns mean nothing."""
    import torch
    from face_alignment.detection.sfd.net_s3fd import s3fd
    from face_alignment.models import FAN

    from course_utils.fetch import FACE_ALIGNMENT_WEIGHTS

    folder = isolated_cache / "torch-hub" / "checkpoints"
    folder.mkdir(parents=True)
    torch.manual_seed(0)
    torch.save(FAN(4).state_dict(), folder / FACE_ALIGNMENT_WEIGHTS[0].filename)
    torch.save(s3fd().state_dict(), folder / FACE_ALIGNMENT_WEIGHTS[1].filename)
    assert landmarks.usable_backends()["face_alignment"].startswith("ready")
    assert landmarks.choose_backend("auto")[0] == "face_alignment"
    model = landmarks.face_alignment_model()
    box = np.array([[180, 60, 300, 210, 1.0]])
    points = model.get_landmarks_from_image(ASTRONAUT, detected_faces=box)
    assert len(points) == 1 and points[0].shape == (68, 2)


def test_course_backend_contract_on_a_real_photo():
    """The course's network (trained only on FaceWorld) on the astronaut: points in the image's
    coordinates, near dlib's (no truth is known; a loose agreement bar)."""
    landmarks_dlib = landmarks.detect(ASTRONAUT, backend="dlib").faces[0].points
    result = landmarks.detect(ASTRONAUT, backend="course")
    assert result.backend == "course" and result.faces[0].points.shape == (68, 2)
    pts = result.faces[0].points
    iod = np.linalg.norm(landmarks_dlib[36] - landmarks_dlib[45])
    assert np.linalg.norm(pts - landmarks_dlib, axis=1).mean() < 0.35 * iod


def test_the_face_is_chosen_by_confidence_and_shape_not_by_size():
    """In the greyscale astronaut dlib also takes her mission patch for a face, and the patch's box is larger than
    her face's: ranking by area animated the badge. Both pictures must put her face first."""
    from skimage import color, data

    grey = np.repeat((color.rgb2gray(data.astronaut()) * 255).astype(np.uint8)[..., None], 3, axis=2)
    found = landmarks.detect(grey, backend="dlib").faces
    assert len(found) == 2 and found[1].area > found[0].area, "the badge is found, and it is larger"
    face = found[0].points.mean(0)
    assert 180 < face[0] < 270 and 80 < face[1] < 180, f"the first face is not hers: centre {face}"
    assert found[0].shape_error < landmarks.IMPLAUSIBLE_SHAPE < found[1].shape_error
    two = landmarks.detect(np.concatenate([grey, grey], axis=1), backend="dlib").faces
    assert two[0].points.mean(0)[1] < 180 and two[1].points.mean(0)[1] < 180, "two astronauts: two faces first"
    assert two[-1].points.mean(0)[1] > 300, "the badge last"
