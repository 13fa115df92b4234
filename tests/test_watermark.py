"""Chapter 10's invisible watermark: round trip, false positives, cost, robustness, learner mistakes."""

import numpy as np
import pytest
from skimage import data as skdata

from course_utils import watermark
from course_utils.errors import CourseError


@pytest.fixture(scope="module")
def photos():
    import cv2

    return [cv2.resize(np.ascontiguousarray(p[:, :, :3]), (256, 256), interpolation=cv2.INTER_AREA)
            for p in (skdata.astronaut(), skdata.coffee(), skdata.chelsea())]


def test_round_trip_recovers_the_message(photos):
    for key, photo in enumerate(photos):
        marked = watermark.embed(photo, "AI!?", key=key)
        assert marked.shape == photo.shape and marked.dtype == np.uint8
        found = watermark.read(marked, key=key)
        assert found.found and found.p_value < watermark.DEFAULT_FPR
        assert watermark.bits_to_text(found.bits) == "AI!?"
        assert found.bit_accuracy("AI!?") == 1.0


def test_unmarked_pictures_and_wrong_keys_are_not_flagged(photos):
    flags = [watermark.read(p, key).found for p in photos for key in range(60)]
    assert sum(flags) <= 1  # designed for 1 in 10 000
    marked = watermark.embed(photos[0], "hi", key=5)
    assert not any(watermark.read(marked, key).found for key in range(6, 30))


def test_unmarked_scores_follow_the_standard_normal(photos):
    z = np.array([watermark.read(p, key).score for p in photos for key in range(100)])
    assert abs(z.mean()) < 0.2 and 0.8 < z.std() < 1.2


def test_cost_is_invisible_and_grows_with_strength(photos):
    p = [watermark.psnr(photos[1], watermark.embed(photos[1], "x", 3, strength=s)) for s in (1.0, 2.0, 4.0)]
    assert p[1] >= 38.0
    assert p[0] > p[1] > p[2]


@pytest.mark.parametrize("attack", [lambda im: watermark.jpeg(im, 75), lambda im: watermark.jpeg(im, 50),
                                    lambda im: watermark.resize_back(im, 0.5),
                                    lambda im: watermark.resize_back(im, 1.5)])
def test_survives_jpeg_and_resizing(photos, attack):
    rng = np.random.default_rng(0)
    for key, photo in enumerate(photos):
        bits = rng.integers(0, 2, watermark.N_BITS)
        found = watermark.read(attack(watermark.embed(photo, bits, key)), key)
        assert found.found
        assert found.bit_accuracy(bits) >= 0.9


def test_a_mirror_image_hides_it(photos):
    marked = watermark.embed(photos[0], "AI", key=1)
    assert not watermark.read(np.ascontiguousarray(marked[:, ::-1]), key=1).found


def test_robustness_table_has_one_row_per_attack(photos):
    rows = watermark.robustness(photos[:2], qualities=(90, 40), factors=(0.5,))
    assert [(r["attack"], r["param"]) for r in rows] == [("none", None), ("jpeg", 90), ("jpeg", 40), ("resize", 0.5)]
    assert rows[0]["detected"] == 1.0 and rows[0]["bit_accuracy"] == 1.0
    assert all(0 <= r["detected"] <= 1 and 0 <= r["bit_accuracy"] <= 1 for r in rows)


def test_text_bits_round_trip():
    bits = watermark.text_to_bits("Hé", 32)
    assert bits.shape == (32,) and set(np.unique(bits)) <= {0, 1}
    assert watermark.bits_to_text(bits) == "Hé"


def test_learner_mistakes_give_course_errors(photos):
    with pytest.raises(CourseError):
        watermark.embed("astronaut.png", "hi", 1)
    with pytest.raises(CourseError):
        watermark.embed(np.zeros((16, 16, 3), np.uint8), "hi", 1)
    with pytest.raises(CourseError):
        watermark.embed(photos[0], "a message far too long", 1)
    with pytest.raises(CourseError):
        watermark.embed(photos[0], "hi", 1, strength=0)
    with pytest.raises(CourseError):
        watermark.read(photos[0], 1, fpr=2.0)
    with pytest.raises(CourseError):
        watermark.psnr(photos[0], photos[0][:128])
