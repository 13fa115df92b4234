"""Real images: load anything a learner brings as (H, W, 3) uint8 RGB, and the course's portraits.

    load_image(source)          a path, bytes, a file object, an upload widget's value, a PIL image or
                                an array -> (H, W, 3) uint8; grey, RGBA, 16-bit, palette and EXIF-rotated
                                images are normalised; huge ones are downscaled while decoding
    portrait(name)              'astronaut' (ships with scikit-image), 'mona_lisa' (data cache, download
                                where the network allows, else a labelled stand-in) or an uploaded name
    save_upload(data, name)     keep a learner's upload in the data cache (never overwriting one)
    upload_widget(on_image)     an upload button for a notebook: each picture read, handed to on_image,
                                anything wrong said in one sentence

Framing a face from its landmarks lives in faces.framing (frame_face).

Everything a learner can get wrong raises CourseError with one sentence.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import CourseError
from .uploads import new_path, safe_stem, upload_box, upload_bytes, upload_name, uploads_dir

# Longest side kept after loading: enough for every chapter, small enough for Binder's 2 GB.
MAX_SIDE = 1024
# Refuse to decode more pixels than this at all (a 20 000 x 20 000 PNG would need 1.2 GB as RGB).
MAX_PIXELS = 120_000_000
MAX_FILE_BYTES = 60 * 2**20


def _describe(source) -> str:
    """How a sentence names the input; it starts sentences, so it starts with a capital or a quote."""
    if isinstance(source, (str, Path)):
        return f"'{Path(source).name}'"
    return "The uploaded data" if isinstance(source, (bytes, bytearray, memoryview)) else "The input"


def load_image(source, max_side: int | None = MAX_SIDE) -> np.ndarray:
    """Any image a learner brings -> (H, W, 3) uint8 RGB with the longest side at most max_side."""
    from PIL import Image

    source = upload_bytes(source)
    if isinstance(source, np.ndarray):
        return _downscale(array_to_rgb(source), max_side)
    if isinstance(source, Image.Image):
        return _downscale(_pil_to_rgb(source, max_side, "The image"), max_side)
    what = _describe(source)
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.exists():
            raise CourseError(f"There is no file at {path}; check the name and the folder.")
        if path.is_dir():
            raise CourseError(f"{path} is a folder, not an image file; pick one picture inside it.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CourseError(f"{what} is {path.stat().st_size / 2**20:.0f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                              "the course accepts; save a smaller copy (for example 2000 pixels wide) and try again.")
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
    else:
        raise CourseError(f"load_image needs a file path, bytes, an upload or an array, not a {type(source).__name__}.")
    if not data:
        raise CourseError(f"{what} is empty (0 bytes); upload the picture again.")
    if len(data) > MAX_FILE_BYTES:
        raise CourseError(f"{what} is {len(data) / 2**20:.0f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                          "the course accepts; save a smaller copy and try again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            return _downscale(_pil_to_rgb(im, max_side, what), max_side)
    except CourseError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise CourseError(f"{what} has too many pixels to open safely; save a smaller copy and try again.") from None
    except Image.UnidentifiedImageError:
        raise CourseError(f"{what} is not a picture the course can read; use a PNG, JPEG, GIF, BMP, TIFF or WebP file.") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise CourseError(f"{what} is damaged or incomplete ({_short(err)}); download or export it again.") from None


def _short(err: Exception) -> str:
    text = str(err).strip().rstrip(".") or type(err).__name__
    return text[:80]


def _pil_to_rgb(im, max_side: int | None, what: str) -> np.ndarray:
    from PIL import Image, ImageOps

    w, h = im.size
    if w * h > MAX_PIXELS:
        raise CourseError(f"{what} is {w} × {h} pixels, too large to open safely; save a smaller copy and try again.")
    if max_side and im.format == "JPEG":
        im.draft("RGB", (max_side, max_side))  # decode at a reduced scale: fast and light on memory
    im.load()  # raises OSError on truncated data
    im = ImageOps.exif_transpose(im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        return array_to_rgb(arr if im.mode == "F" else arr.astype(np.uint32 if im.mode == "I" else np.uint16))
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa"):
        im = im.convert("RGBA")
        background = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, im)
    return np.ascontiguousarray(np.asarray(im.convert("RGB"), dtype=np.uint8))


def array_to_rgb(arr: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1), (H, W, 3) or (H, W, 4) of bool, integer or float -> (H, W, 3) uint8.

    Floats are read as 0–1 when their maximum is at most 1, else as 0–255; 16-bit and wider integers
    are scaled by their range; transparency is composited on white."""
    arr = np.asarray(arr)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)) or min(arr.shape[:2]) < 1:
        raise CourseError(f"An image array must be (H, W), (H, W, 3) or (H, W, 4), but this one is {arr.shape}.")
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise CourseError("The image array contains NaN or infinite values; fix them before showing it.")
        scale = 255.0 if arr.max(initial=0) <= 1.0 else 1.0
        arr = np.clip(np.rint(arr * scale), 0, 255).astype(np.uint8)
    elif arr.dtype != np.uint8:
        if not np.issubdtype(arr.dtype, np.integer):
            raise CourseError(f"An image array must hold numbers, not {arr.dtype}.")
        top = 65535 if arr.max(initial=0) > 255 else 255
        arr = np.clip(arr.astype(np.float64) * (255.0 / top), 0, 255).round().astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.shape[2] == 4:
        alpha = arr[..., 3:4].astype(np.float32) / 255.0
        arr = np.rint(arr[..., :3] * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    return np.ascontiguousarray(arr)


def _downscale(img: np.ndarray, max_side: int | None) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    if not max_side or max(h, w) <= max_side:
        return img
    s = max_side / max(h, w)
    return cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


# --------------------------------------------------------------------------------------------------
# Portraits


@dataclass
class Portrait:
    """A portrait to animate: the picture, and a sentence saying where it came from."""

    name: str
    image: np.ndarray  # (H, W, 3) uint8
    source: str
    stand_in: bool = False


def save_upload(data, name: str = "upload") -> str:
    """Check and keep an uploaded picture in the data cache as PNG; returns the name it is registered under.
    An existing upload of the same name is never overwritten: the new one gets a number."""
    from PIL import Image

    image = load_image(data)
    path = new_path(uploads_dir(), name, ".png")
    Image.fromarray(image).save(path)
    return path.stem


def upload_widget(on_image, description: str = "Upload a photo", keep: bool = True):
    """An upload button for a notebook, with the area under it where its results appear: one call.

    Each picture a learner uploads is read with load_image and handed to on_image(image) ((H, W, 3) uint8),
    inside the output area, so what on_image prints or shows appears there. When that works and `keep` is
    True, the picture is kept in the data cache (save_upload: never overwriting an earlier upload). A file
    that is not a picture, or a CourseError from on_image (no face, say), is printed as one sentence ("✘ …").
    Returns the widget to display; its .upload and .output are the button and the area."""
    def handle(value):
        image = load_image(value)
        on_image(image)
        if keep:
            save_upload(image, upload_name(value))

    return upload_box("image/*", description, handle)

BUILT_IN = ("astronaut", "mona_lisa", "grace_hopper")
MONA_LISA_CREDIT = "Leonardo da Vinci, Mona Lisa (c. 1503–1519, Louvre; public domain)"


def available_portraits() -> list[str]:
    """Names portrait() accepts: the built-in ones, then the learner's uploads."""
    uploads = sorted(p.stem for p in uploads_dir().glob("*.png")) if uploads_dir().exists() else []
    return list(BUILT_IN) + [u for u in uploads if u not in BUILT_IN]


def packaged_mona_lisa_path() -> Path | None:
    """The painting inside the mvtb-data package (the Machine Vision Toolbox's data, MIT licence; installed by
    `make lab`): 677 × 700 px, offline. None where the package is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("mvtbdata")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "images" / "monalisa.png"
    return path if path.exists() else None


def mona_lisa(allow_download: bool | None = None) -> Portrait:
    """The real painting: from the installed mvtb-data package (offline, the same everywhere); where that
    package is missing, the Wikimedia Commons scan from the data cache (downloaded where the network allows,
    never in CI); only as a last resort a clearly labelled stand-in that says why."""
    from .fetch import MONA_LISA, fetch_item, mona_lisa_path

    packaged = packaged_mona_lisa_path()
    if packaged is not None:
        try:
            return Portrait("mona_lisa", load_image(packaged), f"{MONA_LISA_CREDIT}; image from the mvtb-data package")
        except CourseError:
            pass  # a damaged install: try the cache next
    path = mona_lisa_path()
    if allow_download is None:
        allow_download = not os.environ.get("CI")
    if not path.exists() and allow_download:
        fetch_item(MONA_LISA, path, timeout=10)
    if path.exists():
        try:
            return Portrait("mona_lisa", load_image(path), f"{MONA_LISA_CREDIT}; Wikimedia Commons scan")
        except CourseError:
            pass  # a damaged cache file: fall through to the stand-in, say so
    return mona_lisa_stand_in("the mvtb-data package is not installed and no scan of the painting is cached")


def mona_lisa_stand_in(why: str = "the Mona Lisa is not in the data cache and could not be downloaded here") -> Portrait:
    """The clearly labelled stand-in for the painting: the astronaut photo painted in sepia."""
    return Portrait(
        "mona_lisa",
        _stand_in(),
        f"STAND-IN: {why}, so this is the astronaut photo painted in sepia; "
        "install the course with `make lab` (it brings mvtb-data, which holds the painting), or run "
        "`python -m course_utils.fetch` once when online",
        stand_in=True,
    )


def _stand_in() -> np.ndarray:
    """A labelled stand-in portrait: the astronaut's head and shoulders in the Mona Lisa's sepia tones."""
    import cv2
    from skimage import data

    face = data.astronaut()[0:380, 90:370].astype(np.float32) / 255.0
    grey = face @ np.array([0.299, 0.587, 0.114], np.float32)
    sepia = np.stack([0.25 + 0.62 * grey, 0.18 + 0.55 * grey, 0.08 + 0.35 * grey], axis=2)
    img = np.clip(cv2.GaussianBlur(sepia, (0, 0), 1.2) * 255, 0, 255).astype(np.uint8)
    cv2.rectangle(img, (0, img.shape[0] - 34), (img.shape[1], img.shape[0]), (40, 30, 20), -1)
    cv2.putText(img, "STAND-IN (no Mona Lisa cached)", (8, img.shape[0] - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                (240, 225, 190), 1, cv2.LINE_AA)
    return img


def portrait(name: str) -> Portrait:
    """One of available_portraits(): 'astronaut', 'mona_lisa', 'grace_hopper', or an uploaded name."""
    key = safe_stem(name)
    if key == "astronaut":
        from skimage import data

        return Portrait("astronaut", data.astronaut(), "Eileen Collins, NASA portrait (public domain; ships with scikit-image)")
    if key == "mona_lisa":
        return mona_lisa()
    if key == "grace_hopper":
        import matplotlib.cbook

        with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
            return Portrait("grace_hopper", load_image(f.read()),
                            "Grace Hopper, US Navy portrait (public domain; ships with matplotlib)")
    path = uploads_dir() / f"{key}.png"
    if not path.exists():
        raise CourseError(f"There is no portrait called {name!r}; choose one of: {', '.join(available_portraits())}.")
    return Portrait(key, load_image(path), f"your upload ({path.name})")
