"""faces.framing (one face crop for the whole course) and faces.drivers (FaceWorld people driving a portrait)."""

import cv2
import numpy as np
import pytest

from course_utils import faces
from course_utils.errors import CourseError
from course_utils.faces import drivers, framing


def _template_face(rng):
    canon = np.zeros((68, 2), np.float32)
    canon[36:42] = framing.CANONICAL_POINTS[0]
    canon[42:48] = framing.CANONICAL_POINTS[1]
    canon[30] = framing.CANONICAL_POINTS[2]
    canon[48], canon[54] = framing.CANONICAL_POINTS[3], framing.CANONICAL_POINTS[4]
    canon[~np.isin(np.arange(68), [30, 48, 54] + list(range(36, 48)))] = rng.uniform(0.3, 0.7, (68 - 15, 2))
    return canon


def test_frame_face_puts_points_on_the_template():
    rng = np.random.default_rng(1)
    canon = _template_face(rng)
    # the same face, rotated by 20°, scaled 3x and moved, in a 1000 px photo
    theta = np.deg2rad(20)
    R = 3 * 256 * np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    photo_pts = canon @ R.T + np.array([300, 200])
    photo = rng.integers(0, 255, (1000, 1000, 3), dtype=np.uint8)
    crop, pts, matrix = framing.frame_face(photo, photo_pts, framing.canonical_points(256), 256)
    assert crop.shape == (256, 256, 3) and pts.dtype == np.float32 and matrix.shape == (2, 3)
    assert np.allclose(pts, canon * 256, atol=1e-2)
    with pytest.raises(CourseError, match=r"\(68, 2\)"):
        framing.frame_face(photo, photo_pts[:5], framing.canonical_points(256), 256)


def test_canonical_points_zoom_about_the_centre():
    assert np.array_equal(framing.canonical_points(64), framing.CANONICAL_POINTS * 64)
    zoomed = framing.canonical_points(64, 1.45)
    assert np.allclose(zoomed.mean(0) - 32, (framing.CANONICAL_POINTS.mean(0) * 64 - 32) * 1.45, atol=1e-4)


def test_crop_with_matrix_shrinks_a_big_photo_before_warping():
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 255, (400, 300, 3), dtype=np.uint8)
    m = np.float32([[0.25, 0, 5], [0, 0.25, 7]])
    crop = framing.crop_with_matrix(photo, m, 64, cv2.INTER_LINEAR, cv2.BORDER_REPLICATE)
    small = cv2.resize(photo, (75, 100), interpolation=cv2.INTER_AREA)  # shrunk by the matrix's scale first
    expected = cv2.warpAffine(small, np.float32([[1, 0, 5], [0, 1, 7]]), (64, 64), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
    assert np.array_equal(crop, expected)
    # no shrinking for a matrix that enlarges: one warpAffine with the caller's flags
    m2 = np.float32([[1.5, 0, -10], [0, 1.5, -20]])
    assert np.array_equal(framing.crop_with_matrix(photo, m2, 64, cv2.INTER_AREA, cv2.BORDER_REFLECT),
                          cv2.warpAffine(photo, m2, (64, 64), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT))
    # the caller's own scale decides, when given (PortraitAnimator's)
    assert np.array_equal(framing.crop_with_matrix(photo, m, 64, scale=1.0),
                          cv2.warpAffine(photo, m, (64, 64), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT))


def test_identity_crop_and_faceworld_crop_are_frame_face():
    from course_utils import identity_net
    from course_utils.talking_heads.portrait import crop_like_faceworld

    out = faces.render(faces.sample_identity(5), faces.Frame(faces.Pose(yaw=10, roll=12)), 200)
    crop, pts, _ = framing.frame_face(out.image, out.landmarks, framing.canonical_points(64, identity_net.ZOOM), 64)
    assert np.array_equal(identity_net.align(out.image, out.landmarks), crop)
    crop, pts, _ = framing.frame_face(out.image, out.landmarks, drivers.faceworld_five_points(64), 64,
                                      cv2.INTER_AREA, cv2.BORDER_REPLICATE)
    theirs = crop_like_faceworld(out.image, out.landmarks, 64)
    assert np.array_equal(theirs[0], crop) and np.array_equal(theirs[1], pts)


def test_faceworld_landmarks_are_the_renderers():
    person = faces.sample_identity(3)
    frame = faces.Frame(faces.Pose(yaw=12.0, pitch=-4.0), faces.Expression(smile=0.5, jaw_open=0.25))
    rendered = faces.render(person, frame, drivers.REF_SIZE).landmarks
    assert np.abs(drivers.driver_points(person, frame) - rendered).max() < 1e-3
    assert not drivers.faceworld_landmarks(person).flags.writeable
    five = drivers.faceworld_five_points(64)
    assert five.shape == (5, 2) and np.all((five > 10) & (five < 54))


def test_faceworld_driver_talks_with_scaled_head_motion():
    images, points, neutral = drivers.faceworld_driver(n_frames=4, seed=2, head_motion=0.5, size=32)
    assert images.shape == (4, 32, 32, 3) and images.dtype == np.uint8
    assert points.shape == (4, 68, 2) and neutral.shape == (68, 2)
    none, same, _ = drivers.faceworld_driver(n_frames=4, seed=2, head_motion=0.5, size=0)
    assert none is None and np.array_equal(same, points)
