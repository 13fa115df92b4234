"""Blur and de-blur: kernels, convolution, Wiener and Richardson–Lucy against scikit-image, the shipped
learned de-blurrer against Wiener, and the one-sentence error for a damaged checkpoint."""

import json
import shutil

import numpy as np
import pytest
from scipy.ndimage import convolve
from skimage import data, restoration

from course_utils import CourseError
from course_utils import deblur as D
from course_utils.checkpoints import CHECKPOINT_DIR, read_manifest


@pytest.fixture(scope="module")
def camera():
    return D.as_float(data.camera())[::4, ::4]          # (128, 128) float in [0, 1]


def test_kernels_sum_to_one_and_are_centred():
    kernels = [D.box_kernel(5), D.gaussian_kernel(1.3), D.gaussian_kernel(0.7, 9),
               D.motion_kernel(9, 0), D.motion_kernel(6.5, 37), D.motion_kernel(12, 90)]
    for k in kernels:
        assert np.isclose(k.sum(), 1.0) and k.min() >= 0
        assert k.shape[0] == k.shape[1] and k.shape[0] % 2 == 1
        assert np.allclose(k, k[::-1, ::-1]), "family kernels are point-symmetric about their centre"
    assert D.gaussian_kernel(2.0).shape == (13, 13)
    horizontal = D.motion_kernel(5, 0)
    c = horizontal.shape[0] // 2
    assert np.isclose(horizontal[c].sum(), 1.0) and np.count_nonzero(horizontal) == 5   # 5 pixels in a row
    vertical = D.motion_kernel(5, 90)
    assert np.isclose(vertical[:, c].sum(), 1.0)


def test_delta_kernel_is_the_identity(camera):
    delta = np.zeros((5, 5))
    delta[2, 2] = 1.0
    colour = D.as_float(data.coffee()[:64, :80])
    assert np.abs(D.blur(camera, delta) - camera).max() < 1e-6
    assert D.blur(colour, delta).shape == colour.shape
    assert np.abs(D.blur(colour, delta) - colour).max() < 1e-6


def test_blur_is_convolution_with_mirror_boundary(camera):
    k = D.motion_kernel(7, 30)
    ours = D.blur(camera, k)
    ref = convolve(camera, k, mode="reflect")      # scipy's 'reflect' is the mirror …c b a | a b c…
    assert np.abs(ours - ref).max() < 1e-5


def test_wiener_inverts_noise_free_gaussian_blur(camera):
    k = D.gaussian_kernel(1.5)
    blurred = D.blur(camera, k)
    restored = D.wiener(blurred, k, balance=1e-9)
    assert D.psnr(camera, restored) > D.psnr(camera, blurred) + 5.0


def test_wiener_matches_skimage(camera):
    k = D.gaussian_kernel(2.0)
    wrapped = convolve(camera, k, mode="wrap")     # skimage assumes a periodic image
    for balance in (0.002, 0.05):
        ours = D.wiener(wrapped, k, balance, boundary="periodic")
        theirs = np.clip(restoration.wiener(wrapped, k, balance), 0, 1)
        assert np.abs(ours - theirs).max() < 1e-6


def test_richardson_lucy_improves_over_iterations_and_matches_skimage(camera):
    k = D.gaussian_kernel(1.5)
    blurred = D.blur(camera, k)
    scores = [D.psnr(camera, D.richardson_lucy(blurred, k, it)) for it in (2, 10, 40)]
    assert scores[0] < scores[1] < scores[2] and scores[2] > D.psnr(camera, blurred) + 1.5
    ours = D.richardson_lucy(blurred, k, 15, boundary="zero")
    theirs = np.clip(restoration.richardson_lucy(blurred, k, num_iter=15), 0, 1)
    assert np.abs(ours - theirs).max() < 1e-6


def test_naive_inversion_explodes_with_noise(camera):
    k = D.gaussian_kernel(2.0)
    noisy = D.blur(camera, k, noise_sigma=0.01, rng=np.random.default_rng(0))
    assert np.abs(D.naive_inverse(noisy, k)).max() > 100       # pixel values far outside [0, 1]
    assert D.psnr(camera, D.wiener(noisy, k)) > D.psnr(camera, noisy)


def test_model_is_small_and_fully_convolutional():
    import torch

    from course_utils.deblur_net import DeblurNet
    from course_utils.tensors import n_params

    model = DeblurNet().eval()
    assert n_params(model) * 2 < 2e6, "stored float16 it must fit in 2 MB"
    img = np.random.default_rng(0).random((37, 50, 3))
    out = D.deblur_learned(model, img)                  # odd sizes: padded and cropped back
    assert out.shape == img.shape and out.min() >= 0 and out.max() <= 1
    assert np.abs(out - img).max() < 1e-6, "an untrained model starts as the identity"
    assert D.deblur_learned(model, img[..., 0]).shape == (37, 50)
    x, y = D.make_batch((img[:32, :32] * 255).astype(np.uint8)[None].repeat(2, 0).repeat(4, 1).repeat(4, 2),
                        [np.ones((100, 100, 3), np.float32) * 0.5], 4, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 3, D.PATCH, D.PATCH) and x.dtype == torch.float32


def test_shipped_model_beats_wiener_on_held_out_images():
    assert D.CHECKPOINT_NAME in read_manifest(), "checkpoints/deblur.pt is not shipped"
    assert (CHECKPOINT_DIR / "deblur.pt").stat().st_size < 2_000_000
    model = D.load_deblurrer()
    # 12 held-out pictures: 4 frames each of 3 FaceWorld *test* identities, blurred from the family + noise
    rng = np.random.default_rng(0)
    scores = {"blurred": [], "wiener": [], "learned": []}
    for face in D.face_renders("test", 3, 4, seed=7):
        sharp = face / 255.0
        kernel, _ = D.random_kernel(rng)
        blurred = D.blur(sharp, kernel, D.TEST_NOISE, rng)
        scores["blurred"].append(D.psnr(sharp, blurred))
        scores["wiener"].append(D.psnr(sharp, D.wiener(blurred, kernel)))      # told the true kernel
        scores["learned"].append(D.psnr(sharp, D.deblur_learned(model, blurred)))  # blind
    mean = {k: np.mean(v) for k, v in scores.items()}
    assert mean["learned"] > mean["wiener"] > mean["blurred"], mean


def test_compare_table_has_every_method():
    from course_utils.deblur_net import DeblurNet

    result = D.compare(n=1, seed=0, model=DeblurNet(), keep_images=True)   # an untrained model: the identity
    assert result["names"] == ["test face 0", "astronaut"] and set(result["mean"]) == set(D.METHODS)
    assert np.allclose(result["psnr"]["learned"], result["psnr"]["blurred"], atol=1e-3)
    assert result["mean"]["wiener"]["psnr"] > result["mean"]["blurred"]["psnr"]
    assert result["images"]["sharp"][1].shape == (D.ASTRONAUT_SIZE, D.ASTRONAUT_SIZE, 3)
    assert "Wiener (true kernel)" in D.format_table(result)


def _copy_shipped(tmp_path):
    entry = read_manifest()[D.CHECKPOINT_NAME]
    shutil.copy(CHECKPOINT_DIR / entry["file"], tmp_path / entry["file"])
    (tmp_path / "manifest.json").write_text(json.dumps({D.CHECKPOINT_NAME: entry}))
    return tmp_path / entry["file"]


def test_damaged_or_missing_checkpoint_is_one_sentence(tmp_path):
    path = _copy_shipped(tmp_path)
    D.load_deblurrer(directory=tmp_path)                # the copy loads
    data_ = bytearray(path.read_bytes())
    data_[len(data_) // 2] ^= 0xFF
    path.write_bytes(bytes(data_))
    with pytest.raises(CourseError, match=r"has been changed.*python -m course_utils.deblur train") as info:
        D.load_deblurrer(directory=tmp_path)
    message = str(info.value)
    assert "\n" not in message and message.endswith(".")
    path.unlink()
    with pytest.raises(CourseError, match=r"missing; rebuild it with `python -m course_utils.deblur train"):
        D.load_deblurrer(directory=tmp_path)
