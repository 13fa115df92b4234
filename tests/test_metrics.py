"""The shared measures: PSNR (chapters 02, 10), the ROC AUC (06, 10), the two-class logistic regression (10)."""

import numpy as np
import pytest

from course_utils import deblur, fakes, metrics, watermark
from course_utils.errors import CourseError


def test_chapters_use_the_one_home():
    assert deblur.psnr is metrics.psnr and watermark.psnr is metrics.psnr
    assert fakes.auc is metrics.auc and fakes.fit_logistic is metrics.fit_logistic
    assert fakes.predict_logistic is metrics.predict_logistic


# ----------------------------------------------------------------------------- psnr

def test_psnr_of_float_pictures_matches_scikit_image_bit_for_bit():
    from skimage.metrics import peak_signal_noise_ratio

    rng = np.random.default_rng(0)
    ref = rng.random((40, 50, 3))
    noisy = ref + rng.normal(0, 0.05, ref.shape)  # beyond [0, 1]: clipped, as a picture is shown
    assert metrics.psnr(ref, noisy) == float(peak_signal_noise_ratio(ref, np.clip(noisy, 0, 1), data_range=1.0))
    grey = (ref[..., 0] * 255).astype(np.uint8)  # uint8 against float: the uint8 read as 0–1
    assert metrics.psnr(grey, ref[..., 0]) == float(peak_signal_noise_ratio(grey / 255.0, ref[..., 0], data_range=1.0))


def test_psnr_of_uint8_pictures_counts_grey_levels():
    a = np.full((32, 32, 3), 100, np.uint8)
    b = a.copy()
    b[0, 0, 0] += 10  # MSE = 100 / 3072
    assert metrics.psnr(a, b) == pytest.approx(10 * np.log10(255 ** 2 * 3072 / 100))
    assert metrics.psnr(a, a) == float("inf")
    assert metrics.psnr(a / 255.0, b / 255.0) == pytest.approx(metrics.psnr(a, b))


def test_psnr_refuses_pictures_of_different_sizes():
    with pytest.raises(CourseError, match="same size"):
        metrics.psnr(np.zeros((4, 4)), np.zeros((4, 5)))


# ----------------------------------------------------------------------------- auc

def test_auc_counts_pairs():
    from scipy.stats import mannwhitneyu

    assert metrics.auc([0.1, 0.2], [0.8, 0.9]) == 1.0
    assert metrics.auc([0.8, 0.9], [0.1, 0.2]) == 0.0
    assert metrics.auc([0.5], [0.5]) == 0.5
    rng = np.random.default_rng(2)
    r, f = rng.normal(size=30), rng.normal(0.5, 1, size=40)
    u = mannwhitneyu(f, r).statistic
    assert metrics.auc(r, f) == pytest.approx(u / (30 * 40))
    with pytest.raises(CourseError):
        metrics.auc([], [0.3])


def test_auc_is_the_chance_a_positive_outranks_a_negative_ties_half():
    rng = np.random.default_rng(0)
    scores = np.round(rng.normal(size=60), 1)  # rounded: many ties
    pos = rng.random(60) < 0.4
    pairs_table = ((scores[pos][:, None] > scores[~pos][None]).mean()
                   + 0.5 * (scores[pos][:, None] == scores[~pos][None]).mean())  # the N × M way, as chapter 10 had it
    assert metrics.auc(scores[~pos], scores[pos]) == float(pairs_table)


# ----------------------------------------------------------------------------- logistic regression

def test_logistic_regression_separates_a_separable_set():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = (X[:, 2] - 0.5 * X[:, 0] > 0.1).astype(int)
    model = metrics.fit_logistic(X, y, l2=1e-4)
    p = metrics.predict_logistic(model, X)
    assert ((p >= 0.5) == y).mean() == 1.0
    assert np.argmax(np.abs(model.w)) == 2 and model.w[2] > 0


def test_logistic_regression_weights_classes_equally():
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(-1, 1, (190, 1)), rng.normal(1, 1, (10, 1))])
    y = np.r_[np.zeros(190), np.ones(10)]
    p = metrics.predict_logistic(metrics.fit_logistic(X, y), np.array([[0.0]]))
    assert abs(p[0] - 0.5) < 0.1  # halfway between the classes, not pulled towards the big one


def test_logistic_regression_refuses_bad_labels():
    with pytest.raises(CourseError):
        metrics.fit_logistic(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(CourseError):
        metrics.fit_logistic(np.zeros((4, 2)), np.array([0, 1, 2, 1]))
