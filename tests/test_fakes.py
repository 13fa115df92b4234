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


def test_the_resize_control_gives_real_frames_exactly_the_gan07_fakes_resize(monkeypatch):
    import torch

    from course_utils import gans

    rng = np.random.default_rng(5)
    small = rng.integers(0, 256, (3, fakes.GAN07_SIZE, fakes.GAN07_SIZE, 3), dtype=np.uint8)

    class Gen:
        z_dim = 4
        embed = torch.nn.Embedding(8, 1)

    monkeypatch.setattr(gans, "sample_faces", lambda gen, z, y: small[: len(z)])
    gan_fakes, source, _ = fakes._gan07_fakes(Gen(), 3, seed=0)
    assert source == "gan07" and gan_fakes[0].shape == (64, 64, 3)
    # a 64 px picture made of 2 x 2 blocks shrinks back to exactly its 32 px self, so the control must then
    # reproduce the GAN path's enlargement pixel for pixel (a different interpolation on either side fails)
    blocks = np.kron(small, np.ones((1, 2, 2, 1), np.uint8))
    assert np.array_equal(fakes.shrink_and_enlarge(blocks), np.stack(gan_fakes))
    assert not np.array_equal(fakes.shrink_and_enlarge(blocks), blocks)  # it is a real resize, not a copy
    with pytest.raises(CourseError):
        fakes.shrink_and_enlarge(small)


def test_resize_control_set_holds_the_resized_real_frames_as_real_and_gan07_as_fake():
    rng = np.random.default_rng(6)
    images = rng.integers(0, 256, (12, 64, 64, 3), dtype=np.uint8)
    source = np.array(["faceworld"] * 4 + ["gan07"] * 4 + ["warp_tps"] * 4)
    split = np.array(["train", "train", "test", "test"] * 3)
    data = fakes.ImageSet(images, source, np.arange(12), split)
    control = fakes.resize_control_set(data)
    assert list(control.source) == [fakes.RESIZED] * 4 + ["gan07"] * 4  # no warps, no untouched real frames
    assert list(control.label) == [0] * 4 + [1] * 4 and control.generators == ["gan07"]
    assert list(control.split) == list(split[:8]) and list(control.identity) == list(range(8))
    assert np.array_equal(control.images[:4], fakes.shrink_and_enlarge(images[:4]))
    assert np.array_equal(control.images[4:], images[4:8])
    with pytest.raises(CourseError):
        fakes.resize_control_set(data.subset(source != "gan07"))


def test_bench_control_exposes_a_detector_that_learned_only_the_resize(monkeypatch):
    """Fakes that are nothing but resized real-like pictures: caught in the usual test, but the control
    (real frames given the same resize) shows the detectors accuse resized real pictures too, and that with the
    resize on both sides nothing is left to catch."""
    import cv2

    from course_utils import watermark
    from course_utils.bench import fakes as suite

    rng = np.random.default_rng(7)

    def textures(n):
        noise = rng.normal(0, 60, (n, 64, 64, 3)).astype(np.float32)
        return np.clip(128 + np.stack([cv2.GaussianBlur(im, (0, 0), 0.7) for im in noise]), 0, 255).astype(np.uint8)

    n = 60
    real, gan, warp = textures(n), fakes.shrink_and_enlarge(textures(n)), textures(n)
    warp = np.stack([cv2.GaussianBlur(im, (0, 0), 0.8) for im in warp])
    split = np.array((["train"] * 40 + ["test"] * 20) * 3)
    data = fakes.ImageSet(np.concatenate([real, gan, warp]), np.array(["faceworld"] * n + ["gan07"] * n + ["warp_tps"] * n),
                          np.zeros(3 * n, int), split)
    monkeypatch.setattr(fakes, "build_image_set", lambda *a, **k: data)
    monkeypatch.setattr(fakes, "photo_set", lambda *a, **k: (_ for _ in ()).throw(CourseError("no photos here")))
    monkeypatch.setattr(watermark, "test_pictures", lambda n_faces: [])
    monkeypatch.setattr(watermark, "robustness", lambda *a, **k: [{"psnr": 40.0}])
    monkeypatch.setattr(watermark, "false_positive_rate", lambda *a, **k: (0.0, 1))
    monkeypatch.setitem(suite.SIZES, "quick", (0, 0, 0, 2, 0, 0, 0))
    figs = suite.run("quick").figures
    assert figs["acc_spectrum_gan07"] > 0.9 and figs["real_passed_spectrum"] > 0.8  # the usual report: "easy"
    assert figs["resized_real_passed_spectrum"] < 0.3  # ... yet resized real pictures are called fake too
    assert figs["acc_spectrum_gan07_vs_resized"] < 0.75  # and with the resize on both sides little is left
    for key in ("resized_real_passed_cnn", "acc_cnn_gan07_vs_resized", "auc_cnn_gan07_vs_resized"):
        assert 0.0 <= figs[key] <= 1.0
