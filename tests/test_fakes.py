"""Chapter 10's fake detector: the spectrum feature, the logistic classifier, scores, the image set, the CNN."""

import numpy as np
import pytest

from course_utils import fakes
from course_utils.errors import CourseError


def _stripes(cy: int, cx: int, size: int = 64) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    return np.cos(2 * np.pi * (cy * yy + cx * xx) / size)


@pytest.mark.parametrize("cy, cx, radius", [(0, 10, 10), (7, 0, 7), (6, 8, 10), (15, 20, 25)])
def test_a_cosine_puts_its_power_on_its_ring(cy, cx, radius):
    curve = fakes.radial_spectrum(_stripes(cy, cx)[None])[0]
    assert curve.shape == (32,)
    assert int(np.argmax(curve)) + 1 == radius


def test_spectrum_shapes_for_one_image_and_a_stack():
    rng = np.random.default_rng(0)
    stack = rng.integers(0, 256, (5, 64, 64, 3), dtype=np.uint8)
    assert fakes.radial_spectrum(stack).shape == (5, 32)
    assert fakes.radial_spectrum(stack[0]).shape == (32,)
    np.testing.assert_allclose(fakes.radial_spectrum(stack[0]), fakes.radial_spectrum(stack)[0])


def test_blurring_removes_fine_frequencies_but_not_coarse_ones():
    import cv2

    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    blurred = cv2.GaussianBlur(image, (0, 0), 1.0)
    sharp, soft = fakes.radial_spectrum(image), fakes.radial_spectrum(blurred)
    assert soft[-8:].mean() < sharp[-8:].mean() - 1.0  # at least 10× less power at the finest frequencies
    assert abs(soft[0] - sharp[0]) < 0.3


def test_spectrum_rejects_what_is_not_an_image():
    with pytest.raises(CourseError):
        fakes.radial_spectrum("face.png")
    with pytest.raises(CourseError):
        fakes.radial_spectrum(np.zeros((2, 3)))


def _tiny_set(scores_real, scores_fake):
    n_r, n_f = len(scores_real), len(scores_fake)
    return fakes.ImageSet(np.zeros((n_r + n_f, 64, 64, 3), np.uint8),
                               np.array(["faceworld"] * n_r + ["gan07"] * n_f), np.zeros(n_r + n_f, int),
                               np.array(["test"] * (n_r + n_f)))


def test_evaluate_reports_detection_false_alarms_and_balanced_accuracy():
    data = _tiny_set([0.1, 0.2, 0.7, 0.3], [0.9, 0.6, 0.4])
    report = fakes.evaluate(np.array([0.1, 0.2, 0.7, 0.3, 0.9, 0.6, 0.4]), data)
    assert report["faceworld"]["passed"] == pytest.approx(0.75)
    assert report["gan07"]["detected"] == pytest.approx(2 / 3)
    assert report["gan07"]["accuracy"] == pytest.approx(0.5 * (0.75 + 2 / 3))
    with pytest.raises(CourseError):
        fakes.evaluate(np.zeros(3), data)


def test_image_set_has_labels_splits_and_unseen_test_people(isolated_cache):
    data = fakes.build_image_set(2, 1, 2, sources=("gan07", "warp_tps"), verbose=False)
    assert data.images.shape[1:] == (64, 64, 3) and data.images.dtype == np.uint8
    assert len(data) == (2 + 1) * 2 * 3  # per person: real, warp, and as many gan07 faces
    assert set(data.source) == {"faceworld", "gan07", "warp_tps"}
    assert data.generators == ["gan07", "warp_tps"]
    assert (data.label == (data.source != "faceworld")).all()
    real = data.source == "faceworld"
    train_people = set(data.identity[real & (data.split == "train")])
    test_people = set(data.identity[real & (data.split == "test")])
    assert len(train_people) == 2 and len(test_people) == 1 and not train_people & test_people
    for part in ("train", "test"):
        n_real = (real & (data.split == part)).sum()
        assert all(((data.source == g) & (data.split == part)).sum() == n_real for g in data.generators)
    again = fakes.build_image_set(2, 1, 2, sources=("gan07", "warp_tps"), verbose=False)  # from the cache
    np.testing.assert_array_equal(again.images, data.images)


def test_image_set_refuses_unknown_sources():
    with pytest.raises(CourseError):
        fakes.build_image_set(1, 1, 1, sources=("stylegan",))


def test_missing_talking_heads_is_left_out_with_one_sentence(monkeypatch, capsys):
    def missing(*args, **kwargs):
        raise CourseError("Checkpoint file checkpoints/talking_heads_small.pt is missing.")

    import course_utils.talking_heads.train as th_train

    monkeypatch.setattr(th_train, "load_talking_heads", missing)
    notes = []
    assert fakes._talking_heads_or_none(notes) is None
    assert len(notes) == 1 and "left out" in notes[0] and "left out" in capsys.readouterr().out


def test_small_cnn_is_small_and_learns_an_easy_difference():
    import torch

    from course_utils.fakes_net import SmallDetector
    from course_utils.tensors import n_params

    torch.manual_seed(0)
    model = SmallDetector()
    assert 10_000 < n_params(model) < 100_000
    rng = np.random.default_rng(0)
    smooth = np.clip(128 + rng.normal(0, 2, (40, 64, 64, 3)), 0, 255).astype(np.uint8)
    noisy = np.clip(128 + rng.normal(0, 30, (40, 64, 64, 3)), 0, 255).astype(np.uint8)
    data = fakes.ImageSet(np.concatenate([smooth, noisy]), np.array(["faceworld"] * 40 + ["gan07"] * 40),
                              np.zeros(80, int), np.array((["train"] * 30 + ["test"] * 10) * 2))
    model, info = fakes.train_cnn(data, seconds=5, max_steps=30)
    assert info["steps"] > 0
    report = fakes.evaluate(fakes.cnn_scores(model, data.images), data)
    assert report["gan07"]["accuracy"] == 1.0


def test_generalisation_gap_needs_a_known_generator():
    data = _tiny_set([0.1, 0.2], [0.9])
    with pytest.raises(CourseError):
        fakes.generalisation_gap(data, "talking_heads")


def test_a_detector_trained_on_crude_fakes_misses_subtle_ones():
    import cv2

    rng = np.random.default_rng(3)

    def pictures(n):
        return np.clip(128 + rng.normal(0, 40, (n, 64, 64, 3)), 0, 255).astype(np.uint8)

    real, crude, subtle = pictures(40), pictures(40), pictures(40)
    crude = np.stack([cv2.GaussianBlur(im, (0, 0), 2.0) for im in crude])
    subtle = np.stack([cv2.GaussianBlur(im, (0, 0), 0.5) for im in subtle])
    split = np.array((["train"] * 30 + ["test"] * 10) * 3)
    data = fakes.ImageSet(np.concatenate([real, crude, subtle]),
                              np.array(["faceworld"] * 40 + ["gan07"] * 40 + ["warp_tps"] * 40),
                              np.zeros(120, int), split)
    gap = fakes.generalisation_gap(data, "warp_tps", trained_on=["gan07"])
    assert gap["seen_detected"] == 1.0 and gap["unseen_detected"] < 0.5
    cross = fakes.cross_generator(data)
    assert cross["warp_tps"]["gan07"]["detected"] == 1.0  # trained on the subtle ones, it catches the crude ones
