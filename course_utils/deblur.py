"""Blur and its undoing: blur kernels, convolution, Wiener and Richardson–Lucy deconvolution written
from scratch (and compared with scikit-image's), and a small learned, *blind* de-blurrer.

Images are float arrays in [0, 1], (H, W) or (H, W, C); uint8 inputs are divided by 255. Kernels are
small (k, k) float arrays that sum to 1, odd-sized, centred on their middle pixel.

    kernels      box_kernel(size), gaussian_kernel(sigma), motion_kernel(length, angle_deg),
                 random_kernel(rng): one draw from the blur family the learned model is trained on
    blur         blur(image, kernel, noise_sigma, rng): convolution per channel, mirror boundary
    undo         wiener(image, kernel, balance), richardson_lucy(image, kernel, iterations) — non-blind:
                 both are given the true kernel
    learned      deblur_net.DeblurNet (a small residual U-Net), load_deblurrer(), deblur_learned(model, image) —
                 blind: it only ever sees the blurred image
    measure      psnr (metrics.psnr), ssim (scikit-image), compare(n, seed): the chapter's table on held-out images

The learned model trains on 64 px patches of FaceWorld renders of *train* identities and of the
photos that ship with scikit-image — all but the astronaut, which is kept out for testing — each
blurred by a random Gaussian (sigma 0.8–2.5 px) or motion kernel (3–13 px, any angle) plus mild noise:

    # how the shipped checkpoint was made (1 torch thread on a busy, shared 2-core CPU, 24 min in all):
    python -m course_utils.deblur train --loss mse --time-limit 840        # writes checkpoints/deblur.pt
    python -m course_utils.deblur train --continue --loss mse --seed 1 --lr 1e-3 --time-limit 600
    python -m course_utils.deblur eval --record    # re-scores it into the manifest (8-view ensemble)
    python -m course_utils.deblur eval             # the comparison table for the shipped model
    python -m course_utils.deblur tune             # how DEFAULT_BALANCE and DEFAULT_RL_ITERATIONS were picked

Held-out test set (compare): FaceWorld *test* identities rendered at 128 px, and the astronaut
downscaled to 256 px, each blurred by a kernel drawn from the family with noise sigma 0.01.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from .errors import CourseError
from .metrics import psnr  # the one PSNR; chapter 02 calls it deblur.psnr
from .training import continued, optimise, train_arguments

CHECKPOINT_NAME = "deblur"
SIGMA_RANGE = (0.8, 2.5)      # Gaussian blur, pixels
MOTION_RANGE = (3.0, 13.0)    # motion blur length, pixels
NOISE_RANGE = (0.0, 0.02)     # training noise sigma (images in [0, 1])
TEST_NOISE = 0.01             # noise sigma of the held-out comparison (2.55 grey levels of 255)
FACE_SIZE = 128               # FaceWorld renders, train and test
ASTRONAUT_SIZE = 256          # the astronaut, downscaled for the comparison
PATCH = 64
# Tuned on FaceWorld *validation* faces and two training photos at TEST_NOISE (see tune_defaults):
DEFAULT_BALANCE = 0.02        # Wiener: weight of the Laplacian (smoothness) penalty
DEFAULT_RL_ITERATIONS = 12    # Richardson–Lucy: more iterations sharpen more and amplify more noise

# Real photos for training: every offline scikit-image photo except the astronaut (kept for testing).
TRAIN_PHOTOS = ("camera", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
                "retina", "brick", "grass", "gravel", "moon", "coins", "clock", "page", "text", "cell")


# ----------------------------------------------------------------------------- images and kernels

def as_float(image) -> np.ndarray:
    """uint8 in 0–255 or float in [0, 1] -> float64 in [0, 1], same shape."""
    given = image
    image = np.asarray(image)
    if not (np.issubdtype(image.dtype, np.number) or image.dtype == bool):
        what = f"an array of {image.dtype}" if isinstance(given, np.ndarray) else f"a {type(given).__name__}"
        raise CourseError(f"Expected a picture (an array of numbers), not {what}: load it first with images.load_image.")
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    return image.astype(np.float64, copy=False)


def to_uint8(image) -> np.ndarray:
    """float in [0, 1] -> uint8 in 0–255 (clipped, rounded)."""
    return np.clip(np.rint(np.asarray(image) * 255.0), 0, 255).astype(np.uint8)


def box_kernel(size: int) -> np.ndarray:
    """(size, size) kernel of equal weights 1/size² (a plain average over a square)."""
    return np.full((size, size), 1.0 / size ** 2)


def gaussian_kernel(sigma: float, size: int | None = None) -> np.ndarray:
    """(size, size) Gaussian of std `sigma` pixels, sum 1; size defaults to 2·ceil(3σ) + 1."""
    size = size or 2 * int(np.ceil(3 * sigma)) + 1
    r = np.arange(size) - (size - 1) / 2
    g = np.exp(-r ** 2 / (2 * sigma ** 2))
    k = np.outer(g, g)
    return k / k.sum()


def motion_kernel(length: float, angle_deg: float = 0.0) -> np.ndarray:
    """(k, k) straight-line blur `length` pixels long at `angle_deg` (counter-clockwise from
    horizontal), centred, anti-aliased by bilinear splatting, sum 1. A camera moving while the shutter
    is open spreads each point of light along such a line."""
    length = max(float(length), 1.0)
    half = int(np.ceil((length - 1) / 2)) + 1
    size = 2 * half + 1
    k = np.zeros((size, size))
    a = np.deg2rad(angle_deg)
    t = np.linspace(-(length - 1) / 2, (length - 1) / 2, max(2, int(np.ceil(length * 8))))
    xs, ys = half + t * np.cos(a), half - t * np.sin(a)      # image rows grow downwards
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = xs - x0, ys - y0
    for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        np.add.at(k, (y0 + dy, x0 + dx), w)
    return k / k.sum()


def random_kernel(rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """One blur from the family: Gaussian (sigma in SIGMA_RANGE) or motion (MOTION_RANGE, any angle),
    half and half. Returns (kernel, a short description)."""
    if rng.random() < 0.5:
        sigma = rng.uniform(*SIGMA_RANGE)
        return gaussian_kernel(sigma), f"Gaussian σ={sigma:.1f}"
    length, angle = rng.uniform(*MOTION_RANGE), rng.uniform(0, 180)
    return motion_kernel(length, angle), f"motion {length:.0f} px at {angle:.0f}°"


def blur(image, kernel: np.ndarray, noise_sigma: float = 0.0, rng: np.random.Generator | None = None,
         boundary: str = "mirror") -> np.ndarray:
    """(H, W[, C]) float in [0, 1] convolved with `kernel` per channel, plus Gaussian noise of std
    noise_sigma, clipped to [0, 1] -> same shape, float64. Boundary 'mirror': the image is mirrored at
    its edges (…c b a | a b c…), as if the scene went on beyond the frame; 'wrap': the right edge
    continues at the left and the bottom at the top (what the Fourier transform assumes)."""
    import cv2
    from scipy.ndimage import convolve

    img = as_float(image)
    if boundary == "wrap":
        k = kernel.reshape(kernel.shape + (1,) * (img.ndim - 2))
        out = convolve(img, k, mode="wrap")
    elif boundary == "mirror":
        # cv2.filter2D correlates; flipping the kernel makes it a true convolution
        out = cv2.filter2D(img, -1, np.ascontiguousarray(kernel[::-1, ::-1], np.float64), borderType=cv2.BORDER_REFLECT)
    else:
        raise CourseError(f"blur's boundary must be 'mirror' or 'wrap', not {boundary!r}: pick one of the two.")
    if out.ndim < img.ndim:
        out = out[..., None]
    if noise_sigma:
        rng = rng if rng is not None else np.random.default_rng()
        out = out + rng.normal(0.0, noise_sigma, out.shape)
    return np.clip(out, 0.0, 1.0)


# ----------------------------------------------------------------------------- deconvolution, from scratch

LAPLACIAN = np.array([[0.0, -1.0, 0.0], [-1.0, 4.0, -1.0], [0.0, -1.0, 0.0]])


def transfer_function(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """rfft2 of `kernel` placed on an (H, W) grid with its centre at pixel (0, 0): (H, W // 2 + 1) complex."""
    padded = np.zeros(shape)
    kh, kw = kernel.shape
    padded[:kh, :kw] = kernel
    padded = np.roll(padded, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    return np.fft.rfft2(padded)


def _extend(y: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, int]:
    """Mirror-pad (H, W[, C]) by P = 4 kernel widths and fade the padding to the image's mean, so that
    the padded image wraps round smoothly (the FFT treats images as periodic). Returns (padded, P)."""
    P = 4 * max(kernel.shape)
    H, W = y.shape[:2]
    extra = ((0, 0),) * (y.ndim - 2)
    padded = np.pad(y, ((P, P), (P, P)) + extra, mode="symmetric")
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(P) / P)
    ry = np.concatenate([ramp, np.ones(H), ramp[::-1]])
    rx = np.concatenate([ramp, np.ones(W), ramp[::-1]])
    fade = np.minimum(ry[:, None], rx[None, :]).reshape(ry.shape + rx.shape + (1,) * (y.ndim - 2))
    mean = y.mean(axis=(0, 1))
    return mean + (padded - mean) * fade, P


def wiener(image, kernel: np.ndarray, balance: float = DEFAULT_BALANCE, boundary: str = "mirror") -> np.ndarray:
    """Wiener–Hunt deconvolution in the Fourier domain, X = conj(K) Y / (|K|² + balance·|L|²), L the
    Laplacian: (H, W[, C]) float in [0, 1] -> same, clipped to [0, 1]. boundary='mirror' first pads
    the image by mirroring, fading to its mean (see _extend); 'periodic' treats the image as wrapping
    round, as skimage.restoration.wiener does."""
    y = as_float(image)
    H, W = y.shape[:2]
    P = 0
    if boundary == "mirror":
        y, P = _extend(y, kernel)
    elif boundary != "periodic":
        raise CourseError(f"wiener's boundary must be 'mirror' or 'periodic', not {boundary!r}: pick one of the two.")
    K = transfer_function(kernel, y.shape[:2])
    L = transfer_function(LAPLACIAN, y.shape[:2])
    G = np.conj(K) / (np.abs(K) ** 2 + balance * np.abs(L) ** 2)
    if y.ndim == 3:
        G = G[..., None]
    x = np.fft.irfft2(G * np.fft.rfft2(y, axes=(0, 1)), s=y.shape[:2], axes=(0, 1))
    return np.clip(x[P:P + H, P:P + W], 0.0, 1.0)


def naive_inverse(image, kernel: np.ndarray, boundary: str = "periodic") -> np.ndarray:
    """Plain division by the kernel's spectrum, X = Y / K (Wiener with balance 0), NOT clipped:
    (H, W[, C]) float -> same. Shows how noise explodes where K is nearly zero. Exact (without noise)
    for a blur with boundary='wrap'; 'mirror' pads as wiener() does."""
    y = as_float(image)
    H, W = y.shape[:2]
    y, P = _extend(y, kernel) if boundary == "mirror" else (y, 0)
    K = transfer_function(kernel, y.shape[:2])
    K = np.where(np.abs(K) < 1e-12, 1e-12, K)
    G = 1.0 / K
    if y.ndim == 3:
        G = G[..., None]
    return np.fft.irfft2(G * np.fft.rfft2(y, axes=(0, 1)), s=y.shape[:2], axes=(0, 1))[P:P + H, P:P + W]


def richardson_lucy(image, kernel: np.ndarray, iterations: int = DEFAULT_RL_ITERATIONS,
                    boundary: str = "mirror") -> np.ndarray:
    """Richardson–Lucy: start grey, then repeat u ← u · (K̃ ⊛ (y / (K ⊛ u))), K̃ the flipped kernel:
    (H, W[, C]) float in [0, 1] -> same, clipped to [0, 1]. boundary='mirror' pads the image by
    mirroring first; 'zero' pads with zeros, as skimage.restoration.richardson_lucy does."""
    from scipy.signal import fftconvolve

    y = as_float(image)
    H, W = y.shape[:2]
    p = max(kernel.shape)
    if boundary == "mirror":
        y = np.pad(y, ((p, p), (p, p)) + ((0, 0),) * (y.ndim - 2), mode="symmetric")
    elif boundary != "zero":
        raise CourseError(f"richardson_lucy's boundary must be 'mirror' or 'zero', not {boundary!r}: pick one of the two.")
    k = kernel.reshape(kernel.shape + (1,) * (y.ndim - 2))
    k_flipped = k[::-1, ::-1]
    u = np.full_like(y, 0.5)
    for _ in range(iterations):
        estimate = fftconvolve(u, k, mode="same", axes=(0, 1)) + 1e-12
        u = u * fftconvolve(y / estimate, k_flipped, mode="same", axes=(0, 1))
    if boundary == "mirror":
        u = u[p:p + H, p:p + W]
    return np.clip(u, 0.0, 1.0)


# ----------------------------------------------------------------------------- metrics (psnr: metrics.psnr)

def ssim(reference, image) -> float:
    """Structural similarity (scikit-image), 1 = identical; colour images per channel, averaged."""
    from skimage.metrics import structural_similarity

    ref = as_float(reference)
    return float(structural_similarity(ref, np.clip(as_float(image), 0, 1), data_range=1.0,
                                       channel_axis=-1 if ref.ndim == 3 else None))


# ----------------------------------------------------------------------------- the learned de-blurrer

def _torch():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    return torch, nn, F


def deblur_learned(model, image, ensemble: bool = True, threads: int | None = 1) -> np.ndarray:
    """Apply the learned de-blurrer to any (H, W[, 3]) image, float in [0, 1] or uint8 -> (H, W[, 3])
    float in [0, 1]. Fully convolutional: the image is mirror-padded to a multiple of 4 and run whole.
    ensemble: average the answers for the 8 flips and quarter turns of the picture (a standard
    restoration trick: each view's errors differ, their average is closer to the truth). threads: torch
    threads while it runs (1 is fastest for one picture on a busy CPU; None leaves the setting alone)."""
    torch, _, F = _torch()
    y = as_float(image)
    grey = y.ndim == 2
    if grey:
        y = np.repeat(y[..., None], 3, axis=2)
    H, W = y.shape[:2]
    ph, pw = (-H) % 4 + 8, (-W) % 4 + 8        # 4 px of margin each side, for the edges
    x = torch.from_numpy(np.ascontiguousarray(y.transpose(2, 0, 1), np.float32))[None]
    x = F.pad(x, (4, pw - 4, 4, ph - 4), mode="reflect")
    views = [(k, f) for k in range(4) for f in (False, True)] if ensemble else [(0, False)]
    model.eval()
    out = 0
    old_threads = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            for k, flip in views:
                v = torch.rot90(x, k, (2, 3))
                v = v.flip(3) if flip else v
                r = model(v)
                r = r.flip(3) if flip else r
                out = out + torch.rot90(r, -k, (2, 3))
    finally:
        torch.set_num_threads(old_threads)
    out = (out / len(views))[0, :, 4:4 + H, 4:4 + W].clamp(0, 1).numpy().transpose(1, 2, 0).astype(np.float64)
    return out.mean(-1) if grey else out


def load_deblurrer(name: str = CHECKPOINT_NAME, directory=None):
    """The shipped learned de-blurrer (checkpoints/deblur.pt), float32, eval mode; CourseError if
    missing or damaged."""
    from .checkpoints import load_checkpoint
    from .deblur_net import DeblurNet

    state = {k: v for k, v in load_checkpoint(name, directory).items() if not k.startswith("_")}
    model = DeblurNet(width=int(state["enc1.0.0.weight"].shape[0]))
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.eval()


# ----------------------------------------------------------------------------- data

def train_photos(max_side: int = 512, names=TRAIN_PHOTOS) -> list[np.ndarray]:
    """The offline scikit-image photos used for training (TRAIN_PHOTOS; never the astronaut), each
    (H, W, 3) float32 in [0, 1], longest side at most max_side (grey photos repeated to 3 channels)."""
    import cv2
    from skimage import data

    if "astronaut" in names:
        raise CourseError("The astronaut is kept out of training because it is a test image: leave 'astronaut' out of names.")
    photos = []
    for name in names:
        img = np.asarray(getattr(data, name)())
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        img = img[..., :3].astype(np.float32) / 255.0
        s = max_side / max(img.shape[:2])
        if s < 1:
            img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        photos.append(np.ascontiguousarray(img))
    return photos


def face_renders(split: str, n_identities: int, frames: int, seed: int, size: int = FACE_SIZE) -> np.ndarray:
    """FaceWorld renders of the first n identities of `split`, `frames` random frames each:
    (n · frames, size, size, 3) uint8. Train renders are cached in the data cache."""
    from . import faces
    from .config import data_dir
    from .faces.splits import split_seeds

    path = Path(data_dir()) / f"deblur_{split}_{n_identities}x{frames}_s{seed}_{size}px.npy"
    if path.exists():
        return np.load(path)
    rng = np.random.default_rng(seed)
    images = []
    for s in split_seeds(split, n_identities):
        person = faces.sample_identity(int(s))
        images += [faces.render(person, faces.random_frame(rng), size=size).image for _ in range(frames)]
    faces.clear_caches()
    images = np.stack(images)
    if split == "train":
        tmp = path.with_name(path.stem + ".tmp.npy")
        np.save(tmp, images)
        tmp.replace(path)
    return images


def make_batch(faces_u8: np.ndarray, photos: list[np.ndarray], batch: int, rng: np.random.Generator,
               patch: int = PATCH, face_share: float = 0.5):
    """(blurred, sharp) training pairs, each (batch, 3, patch, patch) float32 tensors in [0, 1]: random
    patches of faces and photos, random flips and 90° turns, each blurred by its own random kernel
    plus noise of a random sigma in NOISE_RANGE."""
    import cv2
    import torch

    margin = 12                      # blur a larger crop, keep the centre: no boundary effects
    big = patch + 2 * margin
    sharp = np.empty((batch, patch, patch, 3), np.float32)
    blurred = np.empty_like(sharp)
    for i in range(batch):
        if rng.random() < face_share:
            img = faces_u8[rng.integers(len(faces_u8))]
            y, x = rng.integers(0, img.shape[0] - big + 1), rng.integers(0, img.shape[1] - big + 1)
            crop = img[y:y + big, x:x + big].astype(np.float32) / 255.0
        else:
            img = photos[rng.integers(len(photos))]
            y, x = rng.integers(0, img.shape[0] - big + 1), rng.integers(0, img.shape[1] - big + 1)
            crop = img[y:y + big, x:x + big]
        crop = np.rot90(crop, rng.integers(4))
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        crop = np.ascontiguousarray(crop)
        kernel, _ = random_kernel(rng)
        b = cv2.filter2D(crop, -1, np.ascontiguousarray(kernel[::-1, ::-1], np.float32), borderType=cv2.BORDER_REFLECT)
        b = b + rng.normal(0, rng.uniform(*NOISE_RANGE), b.shape).astype(np.float32)
        sharp[i] = crop[margin:margin + patch, margin:margin + patch]
        blurred[i] = np.clip(b[margin:margin + patch, margin:margin + patch], 0, 1)
    to_t = lambda a: torch.from_numpy(a).permute(0, 3, 1, 2).contiguous()  # noqa: E731
    return to_t(blurred), to_t(sharp)


# ----------------------------------------------------------------------------- the comparison

def test_images(n: int, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """Held-out images as (name, (H, W, 3) float in [0, 1]): n FaceWorld *test* identities at 128 px,
    then the astronaut at 256 px (never used in training)."""
    import cv2

    from .images import portrait

    out = []
    if n:
        faces_u8 = face_renders("test", n, 1, seed=10_000 + seed)
        out += [(f"test face {i}", f.astype(np.float64) / 255) for i, f in enumerate(faces_u8)]
    astro = cv2.resize(portrait("astronaut").image, (ASTRONAUT_SIZE, ASTRONAUT_SIZE), interpolation=cv2.INTER_AREA)
    out.append(("astronaut", astro.astype(np.float64) / 255))
    return out


METHODS = ("blurred", "wiener", "richardson_lucy", "learned")


def compare(n: int = 24, seed: int = 0, model=None, noise_sigma: float = TEST_NOISE, keep_images: bool = False,
            balance: float = DEFAULT_BALANCE, iterations: int = DEFAULT_RL_ITERATIONS) -> dict:
    """PSNR and SSIM of blurred / Wiener / Richardson–Lucy / learned on n held-out FaceWorld test faces
    plus the astronaut, each blurred by a kernel drawn from the family (seeded) with noise.

    Returns {"names", "kernels", "psnr": {method: (n+1,) array}, "ssim": {...}, "mean": {method:
    {"psnr", "ssim"}}, "n"} and, with keep_images, "images": {"sharp" or method: list of arrays}.
    Wiener and RL get the true kernel; the learned model (default: the shipped one) does not."""
    model = model if model is not None else load_deblurrer()
    names, kernels = [], []
    scores = {m: {"psnr": [], "ssim": []} for m in METHODS}
    images = {k: [] for k in ("sharp",) + METHODS}
    for i, (name, sharp) in enumerate(test_images(n, seed)):
        # each image draws its blur and noise from its own stream: the astronaut's does not depend on n
        rng = np.random.default_rng([seed, 999_999 if name == "astronaut" else i])
        kernel, what = random_kernel(rng)
        blurred = blur(sharp, kernel, noise_sigma, rng)
        results = {"blurred": blurred, "wiener": wiener(blurred, kernel, balance),
                   "richardson_lucy": richardson_lucy(blurred, kernel, iterations),
                   "learned": deblur_learned(model, blurred)}
        names.append(name)
        kernels.append(what)
        for m, img in results.items():
            scores[m]["psnr"].append(psnr(sharp, img))
            scores[m]["ssim"].append(ssim(sharp, img))
            if keep_images:
                images[m].append(img)
        if keep_images:
            images["sharp"].append(sharp)
    out = {"names": names, "kernels": kernels, "n": len(names),
           "psnr": {m: np.array(s["psnr"]) for m, s in scores.items()},
           "ssim": {m: np.array(s["ssim"]) for m, s in scores.items()}}
    out["mean"] = {m: {"psnr": float(out["psnr"][m].mean()), "ssim": float(out["ssim"][m].mean())} for m in METHODS}
    if keep_images:
        out["images"] = images
    return out


def format_table(result: dict) -> str:
    """The comparison as a plain-text table: method, mean PSNR (dB), mean SSIM, and the astronaut's."""
    labels = {"blurred": "blurred (no repair)", "wiener": "Wiener (true kernel)",
              "richardson_lucy": "Richardson–Lucy (true kernel)", "learned": "learned (blind)"}
    astro = result["names"].index("astronaut") if "astronaut" in result["names"] else None
    lines = [f"{'method':32s} {'PSNR dB':>8s} {'SSIM':>7s}"
             + (f" {'astronaut PSNR':>15s} {'SSIM':>6s}" if astro is not None else ""),
             "-" * (49 + (23 if astro is not None else 0))]
    for m in METHODS:
        row = f"{labels[m]:32s} {result['mean'][m]['psnr']:8.2f} {result['mean'][m]['ssim']:7.3f}"
        if astro is not None:
            row += f" {result['psnr'][m][astro]:15.2f} {result['ssim'][m][astro]:6.3f}"
        lines.append(row)
    lines.append(f"({result['n']} held-out images: {result['n'] - (astro is not None)} FaceWorld test faces"
                 + (" + the astronaut" if astro is not None else "") + ")")
    return "\n".join(lines)


def tune_defaults(n: int = 12, seed: int = 1) -> dict:
    """Pick Wiener's balance and RL's iterations by mean PSNR on validation images (FaceWorld
    validation identities and two training photos) at TEST_NOISE; prints and returns the grid."""
    import cv2
    from skimage import data

    rng = np.random.default_rng(seed)
    imgs = [f.astype(np.float64) / 255 for f in face_renders("validation", n, 1, seed=seed)]
    for name in ("camera", "coffee"):
        img = np.asarray(getattr(data, name)())
        img = np.repeat(img[..., None], 3, 2) if img.ndim == 2 else img
        imgs.append(cv2.resize(img, (256, 256), interpolation=cv2.INTER_AREA).astype(np.float64) / 255)
    cases = []
    for img in imgs:
        k, _ = random_kernel(rng)
        cases.append((img, k, blur(img, k, TEST_NOISE, rng)))
    grid = {"balance": {}, "iterations": {}}
    for b in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1):
        grid["balance"][b] = float(np.mean([psnr(s, wiener(y, k, b)) for s, k, y in cases]))
    for it in (5, 8, 12, 20, 30, 50):
        grid["iterations"][it] = float(np.mean([psnr(s, richardson_lucy(y, k, it)) for s, k, y in cases]))
    for what, g in grid.items():
        print(what, " ".join(f"{k}: {v:.2f}" for k, v in g.items()))
    return grid


# ----------------------------------------------------------------------------- training

def train(steps: int = 4000, batch: int = 16, seed: int = 0, lr: float = 2e-3, width: int = 32,
          n_identities: int = 120, frames: int = 4, threads: int | None = 1, time_limit: float | None = None,
          model=None, data=None, save: bool = False, eval_n: int = 48, log_every: int = 100, verbose: bool = True,
          loss: str = "l1", init: str | None = None):
    """Train DeblurNet (L1 loss) on blurred/sharp patch pairs of FaceWorld train faces and the
    training photos; evaluate with compare(eval_n) on held-out images. Returns (model, info).

    `model`: continue from this module instead of a fresh one; `init`: continue from this shipped
    checkpoint. `data`: (faces uint8, photos) instead of the cached renders. `loss`: 'l1' or 'mse' (what
    PSNR measures). Only `save=True` (the command) writes checkpoints/deblur.pt."""
    from .deblur_net import DeblurNet

    torch, _, F = _torch()
    t_start = time.time()
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    faces_u8, photos = data if data is not None else (face_renders("train", n_identities, frames, seed=seed),
                                                      train_photos())
    if init:
        model = load_deblurrer(init)
        width = int(model.enc1[0][0].out_channels)
    model = model if model is not None else DeblurNet(width)
    model.train()
    loss_fn = {"l1": F.l1_loss, "mse": F.mse_loss}[loss]
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    warm = 0.03

    def step(_):
        x, y = make_batch(faces_u8, photos, batch, rng)
        value = loss_fn(model(x), y)
        return value, {"loss": float(value.detach())}

    losses = optimise(opt, steps, lr, warm, step, lambda h: f"{loss} {np.mean(h['loss'][-log_every:]):.5f}",
                      t_start=t_start, time_limit=time_limit, verbose=verbose, log_every=log_every).get("loss", [])
    model.eval()
    info = {"losses": losses, "steps": len(losses), "wall_seconds": time.time() - t_start}
    if eval_n:
        result = compare(eval_n, seed=0, model=model)
        info["compare"] = result
        if verbose:
            print(format_table(result), flush=True)
    if save:
        _save(model, info, width, seed, n_identities, frames, init)
    return model, info


def _metrics(result: dict) -> dict:
    """The manifest's scores from a compare() result: mean PSNR/SSIM per method, the astronaut's PSNR."""
    metrics = {f"{q}_{m}": round(result["mean"][m][q], 4) for m in METHODS for q in ("psnr", "ssim")}
    astro = result["names"].index("astronaut")
    metrics.update({f"astronaut_psnr_{m}": round(float(result["psnr"][m][astro]), 3) for m in METHODS})
    metrics.update({"test_images": result["n"], "test_noise_sigma": TEST_NOISE})
    return metrics


NOTES = ("DeblurNet: residual U-Net (pixel-unshuffle, 1/2 and 1/4 size, global summary), blind; trained on 64 px "
         "patches of FaceWorld train renders and scikit-image photos (not the astronaut); metrics: compare(48, "
         "seed=0) on FaceWorld test faces + the astronaut, learned with the 8-view ensemble; float16 weights.")


def record_metrics(n: int = 48) -> dict:
    """Re-score the shipped checkpoint with compare(n, seed=0) and rewrite its manifest metrics (the
    same weights, command and wall time): for when the evaluation code changed after training."""
    import torch

    from .checkpoints import load_checkpoint, read_manifest, save_checkpoint
    from .deblur_net import DeblurNet

    entry = read_manifest()[CHECKPOINT_NAME]
    state = {k: v for k, v in load_checkpoint(CHECKPOINT_NAME).items() if not k.startswith("_")}
    model = DeblurNet(width=int(state["enc1.0.0.weight"].shape[0]))
    model.load_state_dict({k: v.float() for k, v in state.items()})
    result = compare(n, seed=0, model=model)
    metrics = {**entry.get("metrics", {}), **_metrics(result)}
    save_checkpoint({k: v.to(torch.float16) for k, v in state.items()}, CHECKPOINT_NAME, command=entry["command"],
                    seed=entry.get("seed"), metrics=metrics, notes=NOTES + " Scores re-recorded by "
                    "`python -m course_utils.deblur eval --record`.", wall_seconds=entry.get("wall_seconds"))
    print(format_table(result))
    return metrics


def _save(model, info: dict, width: int, seed: int, n_identities: int, frames: int, init: str | None) -> None:
    from .checkpoints import save_checkpoint
    from .tensors import n_params

    metrics = _metrics(info["compare"])
    cmd = " ".join(["python -m course_utils.deblur"] + sys.argv[1:])
    wall, steps = info["wall_seconds"], info["steps"]
    cmd, wall, steps = continued(init, cmd, wall, steps)
    metrics.update({"steps": steps,
                    "params": n_params(model), "width": width, "train_identities": n_identities,
                    "train_renders": n_identities * frames,
                    "train_photos": len(TRAIN_PHOTOS)})
    state = {k: v.half() for k, v in model.state_dict().items()}   # plain state dict: load_or_train can use it
    save_checkpoint(state, CHECKPOINT_NAME, command=cmd, seed=seed, metrics=metrics, notes=NOTES, wall_seconds=wall)
    print(f"saved checkpoints/{CHECKPOINT_NAME}.pt ({n_params(model)} parameters)", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m course_utils.deblur", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = train_arguments(sub, "train, compare on held-out images, save checkpoint 'deblur'", CHECKPOINT_NAME, 4000)
    t.add_argument("--width", type=int, default=32)
    t.add_argument("--loss", choices=["l1", "mse"], default="l1")
    e = sub.add_parser("eval", help="the comparison table for the shipped checkpoint")
    e.add_argument("--n", type=int, default=48)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--record", action="store_true", help="write the scores into the manifest (same weights)")
    sub.add_parser("tune", help="tune Wiener's balance and RL's iterations on validation images")
    a = ap.parse_args(argv)
    if a.cmd == "train":
        train(a.steps, a.batch, a.seed, a.lr, a.width, threads=a.threads, time_limit=a.time_limit, save=True,
              loss=a.loss, init=a.init)
    elif a.cmd == "eval" and a.record:
        record_metrics(a.n)
    elif a.cmd == "eval":
        print(format_table(compare(a.n, a.seed)))
    else:
        tune_defaults()


if __name__ == "__main__":
    main()
