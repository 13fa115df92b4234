"""FaceWorld: identities, rendering, landmarks, visibility, masks, landmark images, trajectories."""

import numpy as np
import pytest

from course_utils import CourseError
from course_utils import faces
from course_utils.faces.template import MIRROR, PARTS

ID = faces.sample_identity(3)
FRONT = faces.Frame()


@pytest.fixture(scope="module")
def front128():
    return faces.render(ID, FRONT, 128)


def test_same_seed_and_frame_give_the_same_pixels():
    frame = faces.Frame(faces.Pose(yaw=12, pitch=-5, roll=4), faces.Expression(jaw_open=0.4, smile=0.5))
    a = faces.render(faces.sample_identity(11), frame, 96)
    faces.clear_caches()  # rebuilt from scratch: mesh, texture, background
    b = faces.render(faces.sample_identity(11), frame, 96)
    assert faces.sample_identity(11) == faces.sample_identity(11)
    assert np.array_equal(a.image, b.image)
    assert np.array_equal(a.landmarks, b.landmarks) and np.array_equal(a.mask, b.mask)


def test_identities_differ():
    people = [faces.sample_identity(s) for s in range(40)]
    assert len({p.hair_style for p in people}) >= 4
    assert len({p.skin for p in people}) == 40
    assert any(p.glasses != "none" for p in people) and any(p.beard != "none" for p in people)
    a = faces.render(people[0], FRONT, 64).image.astype(int)
    b = faces.render(people[1], FRONT, 64).image.astype(int)
    assert np.abs(a - b).mean() > 10


@pytest.mark.parametrize("size", [32, 45, 64, 100, 128, 256])
def test_outputs_have_documented_types(size):
    out = faces.render(ID, faces.Frame(faces.Pose(yaw=10)), size)
    assert out.image.shape == (size, size, 3) and out.image.dtype == np.uint8
    assert out.landmarks.shape == (68, 2) and out.landmarks.dtype == np.float32
    assert out.visible.shape == (68,) and out.visible.dtype == bool
    assert out.mask.shape == (size, size) and out.mask.dtype == bool
    assert (out.landmarks >= 0).all() and (out.landmarks <= size - 1).all()
    assert 0.04 < out.mask.mean() < 0.4
    assert not (out.mask & ~out.foreground).any()  # the face is part of the person
    assert out.image.std() > 20  # not a blank picture


def test_landmarks_follow_the_pixel_convention_across_sizes():
    a = faces.render(ID, FRONT, 64).landmarks
    b = faces.render(ID, FRONT, 128).landmarks
    # pixel centres at integers: x_128 = (x_64 + 0.5) * 2 - 0.5
    np.testing.assert_allclose((a + 0.5) * 2 - 0.5, b, atol=1e-3)


def test_landmarks_have_ibug_semantics(front128):
    lm = front128.landmarks
    x, y = lm[:, 0], lm[:, 1]
    assert front128.visible.all()
    assert x[0] < x[8] < x[16] and y[8] == y[:17].max()  # jaw from image-left ear, round the chin
    assert x[36] < x[39] < x[42] < x[45]  # outer and inner corners of both eyes
    assert y[17:27].max() < y[36:48].min()  # brows above the eyes
    assert y[27] < y[28] < y[29] < y[30]  # nose bridge runs down to the tip
    assert y[30] < y[33] < y[51] < y[62] < y[66] < y[57] < y[8]  # nose, lips, chin, in order
    assert x[48] < x[51] < x[54] and x[60] < x[64]
    # the frontal face is symmetric: mirrored landmarks match within a pixel
    mirrored = lm[MIRROR].copy()
    mirrored[:, 0] = 127 - mirrored[:, 0]
    assert np.abs(mirrored - lm).max() < 4.0
    # each part is where a face has it: eyes about a third of the face width apart
    iod = faces.inter_ocular(lm)
    assert 0.5 < iod / (x[16] - x[0]) < 0.7


def test_mask_covers_face_not_background(front128):
    m = front128.mask
    for i in (30, 33, 51, 8 - 1, 27):  # nose, lips, near the chin, between the eyes
        px, py = np.round(front128.landmarks[i]).astype(int)
        assert m[py, px]
    assert not m[:5].any() and not m[:, :5].any()  # the corners are background
    assert front128.foreground[-1].any()  # shoulders reach the bottom


def test_pose_moves_the_head_the_documented_way(front128):
    base = front128.landmarks
    mid = lambda lm: (lm[36] + lm[45]) / 2  # noqa: E731
    right = faces.render(ID, faces.Frame(faces.Pose(yaw=25)), 128).landmarks
    down = faces.render(ID, faces.Frame(faces.Pose(pitch=15)), 128).landmarks
    tilt = faces.render(ID, faces.Frame(faces.Pose(roll=15)), 128).landmarks
    assert (right[30] - mid(right))[0] > (base[30] - mid(base))[0] + 3  # nose turns right
    assert (down[30] - mid(down))[1] > (base[30] - mid(base))[1] + 1  # nose tip drops
    assert tilt[45, 1] - tilt[36, 1] > 5  # clockwise: the image-right eye goes down
    moved = faces.render(ID, faces.Frame(faces.Pose(tx=0.1, ty=-0.05)), 128).landmarks
    np.testing.assert_allclose(moved - base, np.tile([12.8, -6.4], (68, 1)), atol=0.6)


def test_far_side_of_the_jaw_is_hidden_when_the_head_turns():
    out = faces.render(ID, faces.Frame(faces.Pose(yaw=35)), 128)
    assert not out.visible[[15, 16]].all()  # yaw > 0: the image-right cheek turns away
    assert out.visible[[0, 1, 2, 30, 36, 48]].all()


def _dist(lm, i, j):
    return float(np.linalg.norm(lm[i] - lm[j]))


def test_expressions_move_the_right_landmarks(front128):
    base = front128.landmarks
    def lm(**w):
        return faces.render(ID, faces.Frame(expression=faces.Expression(**w)), 128).landmarks

    closed = lm(blink_left=1.0, blink_right=1.0)
    for up, low in ((37, 41), (38, 40), (43, 47), (44, 46)):
        assert _dist(closed, up, low) < 0.2 * _dist(base, up, low)
    wink = lm(blink_left=1.0)  # the subject's left eye = landmarks 42-47, on the image's right
    assert _dist(wink, 43, 47) < 0.2 * _dist(base, 43, 47) and _dist(wink, 37, 41) > 0.9 * _dist(base, 37, 41)
    opened = lm(jaw_open=1.0)
    assert _dist(opened, 62, 66) > _dist(base, 62, 66) + 0.15 * faces.inter_ocular(base)
    assert opened[8, 1] > base[8, 1] + 3  # the chin drops
    smiling = lm(smile=1.0)
    assert smiling[48, 1] < base[48, 1] - 1 and smiling[54, 1] < base[54, 1] - 1  # corners up
    assert _dist(smiling, 48, 54) > _dist(base, 48, 54) + 1  # and out
    raised = lm(brow_raise=1.0)
    assert (raised[17:27, 1] < base[17:27, 1] - 1).all()


def test_expressions_change_the_pixels_where_they_should(front128):
    opened = faces.render(ID, faces.Frame(expression=faces.Expression(jaw_open=1.0)), 128)
    x, y = np.round((front128.landmarks[62] + front128.landmarks[66]) / 2 + [0, 3]).astype(int)
    # inside the opened mouth it is dark (teeth or the mouth's inside), not lip-coloured skin
    assert opened.image[y - 1:y + 2, x - 1:x + 2].mean() < front128.image[y - 1:y + 2, x - 1:x + 2].mean() - 20
    same = np.abs(opened.image[:40].astype(int) - front128.image[:40].astype(int)).max()
    assert same == 0  # the top of the head does not move


def test_light_direction_changes_shading():
    left = faces.render(ID, faces.Frame(light=faces.light_from_angles(-60, 10)), 64).image.astype(float)
    right = faces.render(ID, faces.Frame(light=faces.light_from_angles(60, 10)), 64).image.astype(float)
    lm = faces.render(ID, FRONT, 64).landmarks
    cx = int(lm[30, 0])
    # the lit side of the face is brighter
    assert left[20:45, cx - 12:cx - 4].mean() > right[20:45, cx - 12:cx - 4].mean() + 10
    assert right[20:45, cx + 4:cx + 12].mean() > left[20:45, cx + 4:cx + 12].mean() + 10


def test_bad_arguments_raise_course_errors():
    with pytest.raises(CourseError, match="size"):
        faces.render(ID, FRONT, 8)
    with pytest.raises(CourseError, match="hair_style"):
        faces.Identity(seed=0, hair_style="mohawk")
    with pytest.raises(CourseError, match="light"):
        faces.render(ID, faces.Frame(light=(0, 0, 0)), 64)


def test_landmark_image_draws_each_part_in_its_colour(front128):
    img = faces.landmark_image(front128.landmarks, 128)
    assert img.shape == (128, 128, 3) and img.dtype == np.uint8
    colors = {tuple(c) for c in img.reshape(-1, 3)}
    for name, c in faces.PART_COLORS.items():
        assert tuple(c) in colors, name
    # eyes and lips are closed polylines (last point joined to the first); the jaw is not
    exact = faces.landmark_image(front128.landmarks, 128, antialias=False)

    def colour_near(i, j):
        x, y = np.round((front128.landmarks[i] + front128.landmarks[j]) / 2).astype(int)
        return {tuple(int(v) for v in c) for c in exact[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3)}

    assert faces.PART_COLORS["left_eye"] in colour_near(47, 42)
    assert faces.PART_COLORS["outer_lips"] in colour_near(59, 48)
    assert faces.PART_COLORS["inner_lips"] in colour_near(67, 60)
    assert faces.PART_COLORS["jaw"] not in colour_near(16, 0)
    empty = faces.landmark_image(front128.landmarks, (64, 96))
    assert empty.shape == (64, 96, 3)
    with pytest.raises(CourseError):
        faces.landmark_image(np.zeros((5, 2)), 64)
    assert set(PARTS) == set(faces.PART_COLORS)


def test_talking_trajectory_looks_like_speech():
    fps = 25
    frames = faces.talking_frames(250, fps=fps, seed=4)
    jaw = np.array([f.expression.jaw_open for f in frames])
    blink = np.array([f.expression.blink_right for f in frames])
    yaw = np.array([f.pose.yaw for f in frames])
    assert frames == faces.talking_frames(250, fps=fps, seed=4)  # seeded
    assert 0.05 < jaw.mean() < 0.5 and jaw.max() <= 1 and jaw.min() >= 0
    spectrum = np.abs(np.fft.rfft(jaw - jaw.mean()))
    freqs = np.fft.rfftfreq(len(jaw), 1 / fps)
    peak = freqs[np.argmax(spectrum[1:]) + 1]
    assert 2.5 <= peak <= 6.0  # syllable rhythm
    closed = blink > 0.8
    assert 1 <= np.sum(closed[1:] & ~closed[:-1]) <= 8  # a few blinks in 10 s
    assert np.abs(np.diff(yaw)).max() < 2.0 and yaw.std() > 2  # the head sways, smoothly
    imgs, lms, vis = faces.render_video(ID, frames[:3], 64)
    assert imgs.shape == (3, 64, 64, 3) and lms.shape == (3, 68, 2) and vis.shape == (3, 68)


def test_measure_fps_reports_a_rate():
    fps = faces.measure_fps(48, n=10, identities=1, repeats=1)
    assert np.isfinite(fps) and fps > 1
