"""An invisible watermark, written from scratch: spread-spectrum bits in the mid frequencies of a picture.

    marked = embed(image, "AI!?", key=42)          # (H, W, 3) uint8, PSNR about 42 dB at strength 2
    found = read(marked, key=42)                   # MarkReading(found=True, p_value≈0, bits=..., ...)
    bits_to_text(found.bits)                       # 'AI!?'

How it works (Cox, Kilian, Leighton and Shamoon 1997 spread the same way):
1. Luminance Y of the image (0–255); its 2-D discrete cosine transform (DCT) over the whole picture.
2. The key seeds a random generator that picks, among the mid-frequency coefficients (not the coarse
   ones that carry the picture's look, not the finest ones that JPEG and resizing throw away), which
   coefficients carry which bit, and a random ±1 'chip' for each.
3. Embedding adds amplitude × chip × (±1 for the bit) to each of a bit's coefficients, scaled so that
   `strength` is (about) the root-mean-square change of Y in grey levels, and first removes the
   picture's own chance correlation with those chips ('improved spread spectrum'); inverse DCT; RGB.
4. Reading correlates each bit's coefficients with its chips, each coefficient weighted by 1 / the
   picture's power at its frequency (fine frequencies hide the mark less). Half the coefficients carry a
   'pilot' that is always +1. Without the key the chips are random, so for an unmarked picture the
   pilot's normalised correlation z is standard normal: the threshold for a chosen false-positive rate
   comes from that law, not from tuning. The sign of each bit's z is the bit.

Real systems: Digimarc and the open-source invisible-watermark package (DWT-DCT), Google DeepMind's
SynthID (a learned watermark); signed provenance metadata is C2PA content credentials. A watermark
only says "this key marked this picture"; its absence proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft, stats

from .errors import CourseError
from .metrics import psnr  # the one PSNR; chapter 10 calls it watermark.psnr

BAND = (0.06, 0.30)  # normalised DCT radius: 0 the average colour, 1 the finest detail (Nyquist)
N_BITS = 32
DEFAULT_FPR = 1e-4


def _as_rgb(image, what: str = "image") -> np.ndarray:
    if isinstance(image, (str, bytes)) or image is None:
        raise CourseError(f"The {what} must be an image array (H, W, 3) uint8, not {type(image).__name__}.")
    arr = np.asarray(image)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise CourseError(f"The {what} must be an array of numbers (H, W, 3) uint8, not {arr.dtype}.")
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or min(arr.shape[:2]) < 32:
        raise CourseError(f"The {what} must be (H, W, 3) with sides of at least 32 pixels, not shape {arr.shape}.")
    arr = arr[..., :3]
    if arr.dtype != np.uint8:
        arr = np.clip(np.rint(arr * 255.0 if arr.max() <= 1.0 else arr), 0, 255).astype(np.uint8)
    return arr


def _ycbcr(rgb: np.ndarray):
    x = rgb.astype(np.float64)
    y = 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]
    return y, x - y[..., None]  # luminance, and each channel's difference from it


def text_to_bits(text: str, n_bits: int = N_BITS) -> np.ndarray:
    """A short message as (n_bits,) 0/1 int array: 8 bits per character, padded with zeros."""
    data = text.encode("utf-8")
    if len(data) * 8 > n_bits:
        raise CourseError(f"The message {text!r} needs {len(data) * 8} bits but the watermark carries {n_bits}; "
                          f"shorten it to {n_bits // 8} characters.")
    bits = np.unpackbits(np.frombuffer(data, np.uint8)) if data else np.zeros(0, np.uint8)
    return np.concatenate([bits, np.zeros(n_bits - len(bits), np.uint8)]).astype(np.int64)


def bits_to_text(bits) -> str:
    """The inverse of text_to_bits (undecodable bytes shown as �)."""
    b = np.asarray(bits, np.uint8)
    return np.packbits(b[: len(b) // 8 * 8]).tobytes().rstrip(b"\0").decode("utf-8", errors="replace")


def carrier(shape: tuple[int, int], key: int, n_bits: int = N_BITS):
    """The key's secret: (index (M,) flat positions in the DCT of an (H, W) picture, within BAND;
    bit (M,) which bit each carries, n_bits for the pilot; chip (M,) ±1). Half of the coefficients carry
    the pilot (a mark that is always +1: it says 'this key was here'), the other half the message bits,
    every bit the same number."""
    h, w = shape
    v, u = np.meshgrid(np.arange(h) / h, np.arange(w) / w, indexing="ij")
    radius = np.hypot(v, u)
    band = np.flatnonzero((radius >= BAND[0]) & (radius <= BAND[1]))
    per_bit = len(band) // (2 * n_bits)
    if per_bit < 8:
        raise CourseError(f"A {w} × {h} picture has too few mid frequencies for {n_bits} bits; use a picture of at "
                          f"least about 128 × 128 pixels or fewer bits.")
    rng = np.random.default_rng([int(key) & 0xFFFFFFFF, h, w, n_bits])
    index = rng.permutation(band)[: 2 * per_bit * n_bits]
    bit = np.concatenate([np.repeat(np.arange(n_bits), per_bit), np.full(per_bit * n_bits, n_bits)])
    chip = rng.choice([-1.0, 1.0], size=len(index))
    return index, bit, chip


def _weights(coeffs: np.ndarray, shape: tuple[int, int], index: np.ndarray, rings: int = 16) -> np.ndarray:
    """(M,) weight of each carrier coefficient: 1 / the picture's mean power at that frequency radius.
    Pictures have far more power at coarse frequencies than at fine ones, while the mark has the same
    amplitude everywhere, so a fine coefficient is a more reliable witness: the matched filter weights
    each by 1 / its expected power. Computed from the picture only, so a random key still gives z ~ N(0, 1)."""
    h, w = shape
    v, u = np.divmod(index, w)
    radius = np.hypot(v / h, u / w)
    ring = np.minimum(((radius - BAND[0]) / (BAND[1] - BAND[0]) * rings).astype(int), rings - 1)
    power = np.bincount(ring, weights=coeffs[index] ** 2, minlength=rings) / np.maximum(np.bincount(ring, minlength=rings), 1)
    return 1.0 / (power[ring] + 1.0)


def embed(image, message: str | np.ndarray, key: int, strength: float = 2.0, n_bits: int = N_BITS) -> np.ndarray:
    """Mark an (H, W, 3) uint8 image with a message (text up to n_bits / 8 characters, or n_bits 0/1 bits)
    under a secret integer key. strength: RMS change of the luminance in grey levels (0–255 scale).
    Returns the marked (H, W, 3) uint8 image."""
    rgb = _as_rgb(image)
    bits = text_to_bits(message, n_bits) if isinstance(message, str) else np.asarray(message, np.int64).ravel()
    if len(bits) != n_bits or not np.all((bits == 0) | (bits == 1)):
        raise CourseError(f"The message must be text or exactly {n_bits} bits of 0s and 1s.")
    if not strength > 0:
        raise CourseError(f"strength must be a positive number of grey levels, not {strength}.")
    y, rest = _ycbcr(rgb)
    coeffs = fft.dctn(y, norm="ortho").ravel()
    index, bit, chip = carrier(y.shape, key, n_bits)
    # orthonormal DCT: the squared change of the coefficients equals that of the pixels
    amplitude = strength * np.sqrt(y.size / len(index))
    # 'improved spread spectrum' (Malvar and Florêncio 2003): also cancel the picture's own correlation with
    # each bit's chips, so an unattacked mark reads back exactly; this costs little extra change
    w = _weights(coeffs, y.shape, index)
    groups = n_bits + 1
    host = np.bincount(bit, weights=w * coeffs[index] * chip, minlength=groups) / np.bincount(bit, weights=w, minlength=groups)
    sign = 2 * np.append(bits, 1)[bit] - 1  # the pilot's 'bit' is always 1
    coeffs[index] += chip * (amplitude * sign - host[bit])
    y_marked = fft.idctn(coeffs.reshape(y.shape), norm="ortho")
    return np.clip(np.rint(y_marked[..., None] + rest), 0, 255).astype(np.uint8)


@dataclass
class MarkReading:
    """found: the pilot's z above the threshold for the false-positive rate asked for; p_value: how likely
    a picture without this key's mark scores at least this high; score: the pilot's normalised
    correlation z (about N(0, 1) on unmarked pictures); bits (n_bits,) the sign of each bit's z;
    z (n_bits,) the bits' normalised correlations."""

    found: bool
    p_value: float
    score: float
    bits: np.ndarray
    z: np.ndarray

    def bit_accuracy(self, bits) -> float:
        """Share of the given message bits (text or 0/1 array) read back correctly."""
        ref = text_to_bits(bits, len(self.bits)) if isinstance(bits, str) else np.asarray(bits)
        return float((self.bits == ref).mean())


def threshold(fpr: float = DEFAULT_FPR) -> float:
    """The pilot score above which read() says 'found': P(z > threshold) = fpr for z ~ N(0, 1)."""
    if not 0 < fpr < 1:
        raise CourseError(f"The false-positive rate must be between 0 and 1, not {fpr}.")
    return float(stats.norm.isf(fpr))


def read(image, key: int, n_bits: int = N_BITS, fpr: float = DEFAULT_FPR) -> MarkReading:
    """Look for `key`'s watermark in an (H, W, 3) image. fpr: the false-positive rate accepted on
    unmarked pictures (the threshold on the pilot's z is set from it). Needs no original and no message."""
    rgb = _as_rgb(image)
    y, _ = _ycbcr(rgb)
    coeffs = fft.dctn(y, norm="ortho").ravel()
    index, bit, chip = carrier(y.shape, key, n_bits)
    c, w = coeffs[index], _weights(coeffs, y.shape, index)
    corr = np.bincount(bit, weights=w * c * chip, minlength=n_bits + 1)
    energy = np.bincount(bit, weights=(w * c) ** 2, minlength=n_bits + 1)
    z = corr / np.sqrt(energy + 1e-12)
    score = float(z[-1])
    return MarkReading(found=score > threshold(fpr), p_value=float(stats.norm.sf(score)), score=score,
                     bits=(z[:-1] > 0).astype(np.int64), z=z[:-1])


# ----------------------------------------------------------------------------- attacks a picture meets anyway

def jpeg(image, quality: int) -> np.ndarray:
    """The image saved as JPEG at `quality` (1–100) and read back: (H, W, 3) uint8."""
    import cv2

    rgb = _as_rgb(image)
    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])


def resize_back(image, factor: float) -> np.ndarray:
    """The image resized by `factor` (area averaging down, bilinear up), then back to its own size."""
    import cv2

    rgb = _as_rgb(image)
    h, w = rgb.shape[:2]
    size = (max(8, round(w * factor)), max(8, round(h * factor)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def test_pictures(n_faces: int = 4, size: int = 256, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """(name, (size, size, 3) uint8) pictures to measure on: scikit-image's photos, centre-cropped and
    resized, and FaceWorld faces of test identities rendered at `size`."""
    import cv2
    from skimage import data as skdata

    from . import faces
    from .faces.splits import split_seeds

    out = []
    for name in ("astronaut", "coffee", "chelsea", "rocket", "camera", "immunohistochemistry"):
        pic = getattr(skdata, name)()
        pic = np.repeat(pic[..., None], 3, 2) if pic.ndim == 2 else pic[..., :3]
        s = min(pic.shape[:2])
        y0, x0 = (pic.shape[0] - s) // 2, (pic.shape[1] - s) // 2
        out.append((name, cv2.resize(np.ascontiguousarray(pic[y0:y0 + s, x0:x0 + s]), (size, size),
                                     interpolation=cv2.INTER_AREA)))
    rng = np.random.default_rng(seed)
    for s in (split_seeds("test", n_faces) if n_faces else []):
        out.append((f"faceworld_{s}", faces.render(faces.sample_identity(s), faces.random_frame(rng), size).image))
    return out


def robustness(pictures, key: int = 7, strength: float = 2.0, qualities=(95, 75, 50, 30),
               factors=(0.5, 0.75, 1.25, 1.5), fpr: float = DEFAULT_FPR, n_bits: int = N_BITS) -> list[dict]:
    """Mark each picture (a random message each), attack it, detect. One row per attack:
    {'attack': 'none' | 'jpeg' | 'resize', 'param', 'detected' (share found), 'bit_accuracy' (mean),
    'psnr' (dB, of the marked picture before the attack)}."""
    pics = [p[1] if isinstance(p, tuple) else p for p in pictures]
    if not pics:
        raise CourseError("robustness needs at least one picture.")
    rng = np.random.default_rng(key)
    attacks = [("none", None, lambda im: im)]
    attacks += [("jpeg", q, lambda im, q=q: jpeg(im, q)) for q in qualities]
    attacks += [("resize", f, lambda im, f=f: resize_back(im, f)) for f in factors]
    marked, messages, psnrs = [], [], []
    for pic in pics:
        bits = rng.integers(0, 2, n_bits)
        m = embed(pic, bits, key, strength, n_bits)
        marked.append(m)
        messages.append(bits)
        psnrs.append(psnr(pic, m))
    rows = []
    for name, param, attack in attacks:
        found = [read(attack(m), key, n_bits, fpr) for m in marked]
        rows.append({"attack": name, "param": param, "detected": float(np.mean([d.found for d in found])),
                     "bit_accuracy": float(np.mean([d.bit_accuracy(b) for d, b in zip(found, messages)])),
                     "psnr": float(np.mean(psnrs))})
    return rows


def false_positive_rate(pictures, keys=range(50), fpr: float = DEFAULT_FPR, n_bits: int = N_BITS) -> tuple[float, int]:
    """How often read() says 'found' on unmarked pictures over many keys: (share flagged, checks)."""
    pics = [p[1] if isinstance(p, tuple) else p for p in pictures]
    flags = [read(pic, k, n_bits, fpr).found for pic in pics for k in keys]
    return float(np.mean(flags)), len(flags)
