"""Telling fakes from real: a labelled image set, frequency-artefact features, a logistic classifier,
a small convolutional detector, and the generalisation gap measured.

    data = build_image_set(n_train=16, n_test=8, frames=8)   # FaceWorld frames vs the course's fakes
    X = radial_spectrum(data.images)                         # (N, 32) log power per spatial frequency
    clf = fit_logistic(X[data.split == 'train'], data.label[data.split == 'train'])
    report = evaluate(predict_logistic(clf, X), data, 'test')  # per generator: detected, accuracy, AUC

Sources (all 64 × 64 RGB uint8):
    faceworld       real: FaceWorld frames rendered directly (held-out identities in the test split)
    gan07           chapter 07's conditional face GAN, 32 px, enlarged ×2 (bilinear) to 64 px
    faceworld_resized  (the control for gan07, real) the real frames shrunk to 32 px and enlarged the same
                    way: resize_control_set
    warp_tps        a real frame, its landmarks moved to a new expression, thin-plate-spline warp (chapter 04)
    flow_warp       the same, but warped along the learned flow network's flow (chapter 04)
    talking_heads   chapter 08's few-shot talking-head GAN, feed-forward from 2 frames of the person,
                    driven by the person's own landmarks in other frames (only when its checkpoint ships)

The frequency features follow Durall, Keuper and Keuper, "Watch your up-convolution" (CVPR 2020) and
Dzanic, Shah and Witherden, "Fourier spectrum discrepancies in deep network generated images"
(NeurIPS 2020): generators that upsample (and warps that resample) leave their mark in the power of the
highest spatial frequencies, which an azimuthal average of the spectrum makes visible in one curve.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .errors import CourseError
from .metrics import Logistic, auc, fit_logistic, predict_logistic  # noqa: F401 - chapter 10 calls them fakes.*

SIZE = 64
GAN07_SIZE = 32  # chapter 07's GAN draws 32 px faces
REAL = "faceworld"
RESIZED = "faceworld_resized"  # real frames given gan07's resize: the control that separates the GAN from the resize
REAL_SOURCES = (REAL, RESIZED, "photo")  # sources whose pictures are real
GENERATORS = ("gan07", "warp_tps", "flow_warp", "talking_heads")
LABELS = {REAL: "real FaceWorld frame", "gan07": "chapter 07 GAN", "warp_tps": "landmark warp (TPS)",
          "flow_warp": "learned-flow warp", "talking_heads": "talking-head GAN (08)",
          "photo": "real photo patch", "deblur02": "de-blurred by chapter 02's network",
          RESIZED: "real frame, shrunk to 32 px and enlarged like gan07"}


# ----------------------------------------------------------------------------- the labelled image set

@dataclass
class ImageSet:
    """images (N, 64, 64, 3) uint8; source (N,) str (REAL, 'photo' or a generator's name); identity (N,)
    int (the FaceWorld seed of the person shown; -1 for gan07 and photos); split (N,) str 'train' or 'test'."""

    images: np.ndarray
    source: np.ndarray
    identity: np.ndarray
    split: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> np.ndarray:
        """(N,) int64: 1 for a fake, 0 for a real image."""
        return (~np.isin(self.source, REAL_SOURCES)).astype(np.int64)

    @property
    def generators(self) -> list[str]:
        """The fake sources present, in GENERATORS order."""
        present = set(self.source.tolist())
        return [g for g in GENERATORS if g in present] + sorted(present - set(GENERATORS) - set(REAL_SOURCES))

    def subset(self, mask: np.ndarray) -> "ImageSet":
        return ImageSet(self.images[mask], self.source[mask], self.identity[mask], self.split[mask], self.notes)

    def __len__(self) -> int:
        return len(self.images)


def _check_images(images, what: str = "images") -> np.ndarray:
    """(N, H, W, 3) or (H, W, 3) uint8/float -> (N, H, W, 3) float64 grey-able array; CourseError otherwise."""
    if isinstance(images, (str, bytes)) or images is None:
        raise CourseError(f"{what} must be an image array (H, W, 3) or a stack (N, H, W, 3), not {type(images).__name__}.")
    arr = np.asarray(images)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise CourseError(f"{what} must be numbers (an image array), not {arr.dtype}.")
    if arr.ndim == 2:
        arr = arr[None]
    elif arr.ndim == 3 and arr.shape[-1] in (1, 3, 4) and arr.shape[0] > 4:
        arr = arr[None]
    if arr.ndim not in (3, 4) or arr.shape[1] < 8 or arr.shape[2] < 8:
        raise CourseError(f"{what} must be (H, W, 3) or (N, H, W, 3) with sides of at least 8 pixels, "
                          f"not an array of shape {np.shape(images)}.")
    return arr


def _talking_heads_or_none(notes: list[str]):
    """The shipped talking-head GAN, or None with one sentence in notes (and printed) when it is missing."""
    try:
        from .talking_heads import load_talking_heads

        return load_talking_heads()
    except CourseError as err:
        _leave_out(notes, "The talking-head GAN of chapter 08 is left out of the fakes because its checkpoint "
                          f"could not be loaded: {err}")
        return None


def _leave_out(notes: list[str], message: str) -> None:
    notes.append(message)
    print(message)


def _render_person(seed: int, n: int, rng: np.random.Generator):
    from . import faces

    person = faces.sample_identity(seed)
    return [faces.render(person, faces.random_frame(rng, max_yaw=25.0), SIZE) for _ in range(n)]


def _target_points(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from . import warps

    return warps.expression_points(points, smile=rng.uniform(0, 0.8), jaw_open=rng.uniform(0, 0.7),
                                   yaw=rng.uniform(-12, 12), pitch=rng.uniform(-6, 6))


def build_image_set(n_train: int = 16, n_test: int = 8, frames: int = 8, sources=GENERATORS, seed: int = 0,
                    verbose: bool = True, cache: bool = True) -> ImageSet:
    """Real FaceWorld frames and, per person, as many fakes from each source: `n_train` training and
    `n_test` test identities (FaceWorld's own train and test splits, so test people are never seen),
    `frames` real frames each. gan07 fakes (its 8 people are FaceWorld training identities) get fresh
    noise per split. A source whose model is missing is left out with a note. Rendered in about
    (n_train + n_test) × (0.4 + 0.1 × frames) s, then kept in the data cache (cache=False: always render)."""
    from .faces.splits import split_seeds

    unknown = set(sources) - set(GENERATORS)
    if unknown:
        raise CourseError(f"Unknown fake source(s) {sorted(unknown)}; choose from {', '.join(GENERATORS)}.")
    if min(n_train, n_test, frames) < 1:
        raise CourseError("build_image_set needs at least 1 training identity, 1 test identity and 1 frame each.")
    start = time.perf_counter()
    notes: list[str] = []
    models = {}
    if "gan07" in sources:
        from . import gans

        try:
            models["gan07"] = gans.load_face_gan()[0]
        except CourseError as err:
            _leave_out(notes, f"Chapter 07's face GAN is left out of the fakes because its checkpoint could not be loaded: {err}")
    if "flow_warp" in sources:
        from .flow.net import load_flow_net

        try:
            models["flow_warp"] = load_flow_net()
        except CourseError as err:
            _leave_out(notes, f"The learned-flow warp is left out of the fakes because its checkpoint could not be loaded: {err}")
    if "talking_heads" in sources:
        gan = _talking_heads_or_none(notes)
        if gan is not None:
            models["talking_heads"] = gan

    path = None
    if cache:
        import hashlib

        from .checkpoints import read_manifest
        from .config import data_dir, save_npz

        # new checkpoints make new fakes: the cached file's name depends on the ones used
        manifest = read_manifest()
        shas = "".join(manifest.get(name, {}).get("sha256", "?") for name in ("gan_faces", "flow_net", "talking_heads_small"))
        tag = "-".join(sorted(models) + (["warp_tps"] if "warp_tps" in sources else []))
        tag += "_" + hashlib.sha1(shas.encode()).hexdigest()[:8]
        path = data_dir() / f"fakes_{n_train}_{n_test}_{frames}_s{seed}_{tag}.npz"
        if path.exists():
            with np.load(path) as f:
                data = ImageSet(f["images"], f["source"], f["identity"], f["split"], notes)
            if verbose:
                print(f"{len(data)} images of 64 × 64 from the data cache ({path.name})")
            return data
    images, source, identity, split = [], [], [], []

    def add(ims, src, ident, part):
        images.extend(ims)
        source.extend([src] * len(ims))
        identity.extend([ident] * len(ims))
        split.extend([part] * len(ims))

    for part, n_people in (("train", n_train), ("test", n_test)):
        rng = np.random.default_rng([seed, 0 if part == "train" else 1])
        for person_seed in split_seeds(part, n_people):
            extra = 2 if "talking_heads" in models else 0
            rendered = _render_person(person_seed, frames + extra, rng)
            real = rendered[:frames]
            add([r.image for r in real], REAL, person_seed, part)
            pts = np.stack([r.landmarks for r in real])
            targets = np.stack([_target_points(p, rng) for p in pts])
            if "warp_tps" in sources:
                from . import warps

                add([warps.landmark_warp(r.image, p, t, "tps")[0] for r, p, t in zip(real, pts, targets)],
                    "warp_tps", person_seed, part)
            if "flow_warp" in models:
                from .flow.classical import warp
                from .flow.net import predict_flow

                flow = predict_flow(models["flow_warp"], np.stack([r.image for r in real]), pts, targets)
                add([warp(r.image, f) for r, f in zip(real, flow)], "flow_warp", person_seed, part)
            if "talking_heads" in models:
                add(_talking_head_fakes(models["talking_heads"], rendered[frames:], real), "talking_heads",
                    person_seed, part)
        if "gan07" in models:
            add(*_gan07_fakes(models["gan07"], n_people * frames, seed * 2 + (part == "test")), part)
    data = ImageSet(np.stack(images), np.asarray(source), np.asarray(identity), np.asarray(split), notes)
    if path is not None:
        save_npz(path, images=data.images, source=data.source, identity=data.identity, split=data.split)
    if verbose:
        counts = ", ".join(f"{s} {int((data.source == s).sum())}" for s in [REAL] + data.generators)
        print(f"{len(data)} images of 64 × 64 in {time.perf_counter() - start:.0f} s: {counts}")
    return data


def enlarge(small) -> np.ndarray:
    """(N, h, w, 3) uint8 -> (N, 64, 64, 3) uint8, bilinear: how gan07's 32 px faces become 64 px fakes."""
    import cv2

    return np.stack([cv2.resize(im, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR) for im in small])


def shrink_and_enlarge(images) -> np.ndarray:
    """Real pictures given gan07's resize: (N, 64, 64, 3) uint8 shrunk to 32 px by area averaging (close to a
    32 px render, the kind of picture chapter 07's GAN learned from), then enlarged by `enlarge`, as gan07's
    fakes are. Returns (N, 64, 64, 3) uint8."""
    import cv2

    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != (SIZE, SIZE, 3):
        raise CourseError(f"shrink_and_enlarge needs (N, {SIZE}, {SIZE}, 3) images, not an array of shape {images.shape}.")
    small = [cv2.resize(im, (GAN07_SIZE, GAN07_SIZE), interpolation=cv2.INTER_AREA) for im in images]
    return enlarge(small)


def resize_control_set(data: ImageSet) -> ImageSet:
    """The control for "gan07's fakes are easy to catch": every real FaceWorld frame of `data` through
    shrink_and_enlarge (source RESIZED, still real) and gan07's fakes, same people and splits. Both sides were
    enlarged from 32 px the same way, so a detector can tell them apart only by what the GAN itself did."""
    if "gan07" not in data.generators:
        raise CourseError("resize_control_set needs an image set with chapter 07's GAN fakes (source 'gan07').")
    real, gan = data.source == REAL, data.source == "gan07"
    resized = data.subset(real)
    resized = ImageSet(shrink_and_enlarge(resized.images), np.full(len(resized), RESIZED), resized.identity,
                       resized.split, data.notes)
    fakes = data.subset(gan)
    return ImageSet(np.concatenate([resized.images, fakes.images]), np.concatenate([resized.source, fakes.source]),
                    np.concatenate([resized.identity, fakes.identity]), np.concatenate([resized.split, fakes.split]),
                    data.notes)


def _gan07_fakes(gen, n: int, seed: int):
    """n faces from chapter 07's GAN, classes cycling, enlarged to 64 px: (list of images, 'gan07', -1)."""
    import torch

    from . import gans

    g = torch.Generator().manual_seed(1000 + seed)
    z = torch.randn(n, gen.z_dim, generator=g)
    y = torch.arange(n) % int(gen.embed.weight.shape[0]) if hasattr(gen, "embed") else torch.arange(n) % 8
    small = gans.sample_faces(gen, z, y)
    return list(enlarge(small)), "gan07", -1


def _talking_head_fakes(gan, sources, driving) -> list[np.ndarray]:
    """Feed-forward puppet from the `sources` frames (K ≥ 1 RenderedFrames), driven by the landmarks of
    `driving` frames of the same person: one 64 px fake per driving frame."""
    import torch

    from .talking_heads import feed_forward
    from .tensors import image_to_tensor, landmark_tensor, tensor_to_image

    s = gan.config.size
    frames = torch.stack([image_to_tensor(r.image) for r in sources])
    marks = landmark_tensor(np.stack([r.landmarks * s / SIZE for r in sources]), s)
    drive = landmark_tensor(np.stack([r.landmarks * s / SIZE for r in driving]), s)
    with torch.no_grad():
        out = feed_forward(gan, frames, marks).animate(drive)
    ims = [tensor_to_image(t) for t in out]
    if s != SIZE:
        import cv2

        ims = [cv2.resize(im, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR) for im in ims]
    return ims


def photo_set(n: int = 64, seed: int = 0, verbose: bool = True) -> ImageSet:
    """Real photos vs generated photos: 64 px patches cut from scikit-image's photos ('photo', the
    astronaut kept for the test split) and the same patches blurred and restored by chapter 02's learned
    de-blurrer ('deblur02'): a restored photo is generated data too. n patches per source."""
    from skimage import data as skdata

    from . import deblur

    try:
        model = deblur.load_deblurrer()
    except CourseError as err:
        raise CourseError(f"photo_set needs chapter 02's de-blurrer: {err}") from None
    rng = np.random.default_rng(seed)
    pictures = {"train": [skdata.coffee(), skdata.chelsea(), skdata.rocket(), np.repeat(skdata.camera()[..., None], 3, 2)],
                "test": [skdata.astronaut()]}
    images, source, split = [], [], []
    start = time.perf_counter()
    for part, pics in pictures.items():
        count = n if part == "train" else max(8, n // 2)
        for i in range(count):
            pic = pics[i % len(pics)]
            y, x = rng.integers(0, pic.shape[0] - SIZE), rng.integers(0, pic.shape[1] - SIZE)
            patch = np.ascontiguousarray(pic[y:y + SIZE, x:x + SIZE, :3])
            blurred = deblur.blur(patch, deblur.gaussian_kernel(rng.uniform(0.8, 1.6)), noise_sigma=0.005, rng=rng)
            restored = deblur.to_uint8(deblur.deblur_learned(model, blurred, ensemble=False))
            images += [patch, restored]
            source += ["photo", "deblur02"]
            split += [part, part]
    out = ImageSet(np.stack(images), np.asarray(source), np.full(len(images), -1), np.asarray(split))
    if verbose:
        print(f"{len(out)} photo patches (half restored by the de-blurrer) in {time.perf_counter() - start:.0f} s")
    return out


# ----------------------------------------------------------------------------- frequency artefacts

def radial_spectrum(images) -> np.ndarray:
    """Azimuthally averaged power spectrum, in log10. images (N, H, W, 3) or (H, W, 3) (or grey (N, H, W)),
    uint8 (scaled to [0, 1]) or float; returns (N, H // 2) float64 (or (H // 2,) for one colour image):
    entry r - 1 is log10 of the mean |FFT|² over the ring of spatial frequencies at distance r from zero
    (r = 1 … H/2 cycles per picture; the DC term is left out). Grey level, mean removed, Hann-windowed so
    the picture's border does not smear the spectrum."""
    arr = _check_images(images)
    single = np.asarray(images).ndim == 3 and arr.shape[0] == 1 and np.asarray(images).shape[-1] in (1, 3, 4)
    grey = arr[..., :3].mean(-1) if arr.ndim == 4 else arr
    grey = grey.astype(np.float64)
    grey = grey / 255.0 if np.asarray(images).dtype == np.uint8 else grey
    n, h, w = grey.shape
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    window = np.outer(np.hanning(h), np.hanning(w))
    power = np.abs(np.fft.fftshift(np.fft.fft2(grey * window), axes=(1, 2))) ** 2
    fy, fx = np.meshgrid(np.arange(h) - h // 2, np.arange(w) - w // 2, indexing="ij")
    radius = np.rint(np.hypot(fy, fx)).astype(int).ravel()
    keep = (radius >= 1) & (radius <= min(h, w) // 2)
    rings = min(h, w) // 2 + 1
    counts = np.bincount(radius[keep], minlength=rings)[1:]
    ring_power = np.stack([np.bincount(radius[keep], weights=row, minlength=rings)[1:]
                           for row in power.reshape(n, -1)[:, keep]]) / counts
    profile = np.log10(ring_power + 1e-10)
    return profile[0] if single else profile


# ----------------------------------------------------------------------------- scores (auc, and the logistic regression: metrics)

def evaluate(scores, data: ImageSet, split: str = "test", threshold: float = 0.5) -> dict[str, dict[str, float]]:
    """Per generator, on one split: detected (share of its fakes scored ≥ threshold), accuracy (balanced:
    the mean of 'detected' and the share of real images passed) and auc (its fakes vs the real images).
    Key REAL holds the share of real images passed as 'passed'."""
    scores = np.asarray(scores, float)
    if scores.shape != (len(data),):
        raise CourseError(f"evaluate needs one score per image ({len(data)}), not an array of shape {scores.shape}.")
    part = data.split == split
    real = scores[part & (data.label == 0)]
    passed = float((real < threshold).mean())
    out: dict[str, dict[str, float]] = {REAL: {"passed": passed}}
    for g in data.generators:
        fake = scores[part & (data.source == g)]
        detected = float((fake >= threshold).mean())
        out[g] = {"detected": detected, "accuracy": 0.5 * (detected + passed), "auc": auc(real, fake)}
    return out


def format_report(report: dict[str, dict[str, float]]) -> str:
    """A small text table of evaluate()'s answer."""
    lines = [f"{'source':<16}{'detected':>10}{'accuracy':>10}{'AUC':>8}"]
    for g, r in report.items():
        if g == REAL:
            continue
        lines.append(f"{g:<16}{r['detected']:>10.1%}{r['accuracy']:>10.1%}{r['auc']:>8.3f}")
    lines.append(f"{'(real passed)':<16}{report[REAL]['passed']:>10.1%}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- a small network

def train_cnn(data: ImageSet, seconds: float = 12.0, max_steps: int = 3000, batch: int = 32, lr: float = 2e-3,
              seed: int = 0, sources=None, width: int = 16):
    """Train SmallDetector on the 'train' split (real vs the given fake sources, default all), for
    `seconds` of wall time or max_steps: batches of half real, half fake images, random horizontal flips,
    binary cross-entropy, Adam. Returns (model in eval mode, {'steps', 'seconds', 'loss'})."""
    import torch
    import torch.nn.functional as F

    from .fakes_net import SmallDetector
    from .tensors import image_to_tensor

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    part = data.split == "train"
    sources = list(sources or data.generators)
    real_idx = np.flatnonzero(part & (data.label == 0))
    fake_idx = np.flatnonzero(part & np.isin(data.source, sources))
    if len(real_idx) == 0 or len(fake_idx) == 0:
        raise CourseError(f"train_cnn found no real or no fake training images for sources {sources}.")
    model = SmallDetector(width)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x_all = image_to_tensor(data.images)
    half = batch // 2
    start, step, losses = time.perf_counter(), 0, []
    model.train()
    while step < max_steps and time.perf_counter() - start < seconds:
        idx = np.concatenate([rng.choice(real_idx, half), rng.choice(fake_idx, half)])
        x = x_all[idx]
        flip = torch.from_numpy(rng.random(len(idx)) < 0.5)
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
        y = torch.cat([torch.zeros(half), torch.ones(half)])
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
    model.eval()
    return model, {"steps": step, "seconds": time.perf_counter() - start, "loss": float(np.mean(losses[-50:]))}


def cnn_scores(model, images: np.ndarray, batch: int = 256) -> np.ndarray:
    """(N,) probabilities of 'fake' for (N, 64, 64, 3) uint8 images."""
    import torch

    from .tensors import image_to_tensor

    images = _check_images(images)
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            out.append(torch.sigmoid(model(image_to_tensor(images[i:i + batch]))).numpy())
    return np.concatenate(out)


# ----------------------------------------------------------------------------- the generalisation gap

def spectrum_scores(data: ImageSet, sources=None, features: np.ndarray | None = None) -> np.ndarray:
    """Train the spectrum classifier on the train split (real vs `sources`, default all generators) and
    return its (N,) scores on every image of the set."""
    X = radial_spectrum(data.images) if features is None else features
    sources = list(sources or data.generators)
    train = (data.split == "train") & ((data.label == 0) | np.isin(data.source, sources))
    model = fit_logistic(X[train], data.label[train])
    return predict_logistic(model, X)


def generalisation_gap(data: ImageSet, unseen, method: str = "spectrum", trained_on=None, features=None,
                       seconds: float = 12.0, seed: int = 0) -> dict:
    """Train a detector (method 'spectrum' or 'cnn') on the generators in `trained_on` (default: every one
    not in `unseen`), then test on held-out people. unseen: one generator's name or a list. Returns
    seen_accuracy / seen_auc / seen_detected (means over the generators trained on) and the same for the
    unseen ones (unseen_accuracy, unseen_auc, unseen_detected: the share of never-seen fakes caught),
    with the full per-generator report."""
    unseen = [unseen] if isinstance(unseen, str) else list(unseen)
    missing = [g for g in unseen + list(trained_on or []) if g not in data.generators]
    if missing:
        raise CourseError(f"{', '.join(map(repr, missing))} not among this image set's generators "
                          f"({', '.join(data.generators)}).")
    seen = list(trained_on) if trained_on else [g for g in data.generators if g not in unseen]
    if not seen or set(seen) & set(unseen):
        raise CourseError("The generalisation gap needs generators to train on and different ones to hold out.")
    if method == "spectrum":
        scores = spectrum_scores(data, seen, features)
    elif method == "cnn":
        model, _ = train_cnn(data, seconds=seconds, sources=seen, seed=seed)
        scores = cnn_scores(model, data.images)
    else:
        raise CourseError(f"method must be 'spectrum' or 'cnn', not {method!r}.")
    report = evaluate(scores, data, "test")
    mean = lambda gens, key: float(np.mean([report[g][key] for g in gens]))  # noqa: E731
    return {"unseen": unseen, "seen": seen, "report": report,
            **{f"{side}_{key}": mean(gens, key) for side, gens in (("seen", seen), ("unseen", unseen))
               for key in ("accuracy", "auc", "detected")}}


def cross_generator(data: ImageSet, features=None) -> dict[str, dict[str, dict[str, float]]]:
    """The spectrum detector trained on ONE generator at a time and tested on every generator (held-out
    people): {trained_on: evaluate()'s report}. The diagonal is 'seen'; everything else 'never seen'."""
    X = radial_spectrum(data.images) if features is None else features
    return {g: evaluate(spectrum_scores(data, [g], X), data, "test") for g in data.generators}
