"""Tests for course_utils.calculator: drawing an image patch as the numbers it is made of."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.calculator import annotate_pixels, mark_box
from course_utils.errors import CourseError


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_grey_patch_gets_one_label_per_pixel_at_its_centre(ax):
    patch = np.array([[0, 50, 100], [150, 200, 255]], dtype=np.uint8)
    texts = annotate_pixels(ax, patch)
    assert len(texts) == patch.size
    labels = {(t.get_position(), t.get_text()) for t in texts}
    expected = {((c, r), str(int(patch[r, c]))) for r in range(2) for c in range(3)}
    assert labels == expected


def test_text_colour_contrasts_with_the_pixel(ax):
    patch = np.array([[10, 240]], dtype=np.uint8)
    dark, light = annotate_pixels(ax, patch)
    assert matplotlib.colors.to_hex(dark.get_color()) == "#ffffff"
    assert matplotlib.colors.to_hex(light.get_color()) == "#000000"


def test_colour_pixel_label_lists_red_green_blue(ax):
    patch = np.array([[[255, 0, 7], [0, 255, 0]]], dtype=np.uint8)
    red, green = annotate_pixels(ax, patch)
    assert [red.get_text(), green.get_text()] == ["255\n0\n7", "0\n255\n0"]
    # brightness as the eye sees it, not the plain average: red looks dark, green looks light
    assert matplotlib.colors.to_hex(red.get_color()) == "#ffffff"
    assert matplotlib.colors.to_hex(green.get_color()) == "#000000"


def test_patch_is_drawn_unchanged_with_fixed_grey_range(ax):
    patch = np.array([[3, 4], [5, 6]], dtype=np.uint8)
    annotate_pixels(ax, patch)
    image = ax.images[0]
    assert np.array_equal(np.asarray(image.get_array()), patch)
    assert image.get_clim() == (0, 255)  # a dark patch must not be stretched to look bright


@pytest.mark.parametrize("shape", [(4,), (2, 2, 4), (2, 2, 3, 1)])
def test_wrong_shape_is_a_course_error(ax, shape):
    with pytest.raises(CourseError, match="shape"):
        annotate_pixels(ax, np.zeros(shape, dtype=np.uint8))


def test_too_large_patch_is_refused(ax):
    with pytest.raises(CourseError, match="crop"):
        annotate_pixels(ax, np.zeros((21, 21), dtype=np.uint8))


def test_mark_box_outlines_exactly_the_chosen_pixels(ax):
    ax.imshow(np.zeros((50, 60)))
    rect = mark_box(ax, top=10, left=20, height=5, width=8)
    assert rect in ax.patches
    assert rect.get_xy() == (19.5, 9.5)  # pixel (row 10, col 20) spans 19.5..20.5 horizontally
    assert (rect.get_width(), rect.get_height()) == (8, 5)
    assert not rect.get_fill()
