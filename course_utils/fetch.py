"""Fill the data cache when the network allows: face-alignment's weights, a public-domain Mona Lisa and a
public-domain real talking clip (the course's default real driver).

    python -m course_utils.fetch            # what Binder's postBuild runs; never fails the build
    python -m course_utils.fetch --check    # only say what is cached

Each item is downloaded to a temporary file, checked (hash prefix for the weights, "is it a picture"
for the painting, "does dlib follow a face in it" for the clip) and only then moved into place, so an
interrupted download leaves nothing half-done. The clip's provenance (address, SHA-256 of what arrived,
licence) is written beside it, since its bytes cannot be pinned in advance from an offline machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .config import data_dir, torch_hub_dir
from .driving import REAL_DRIVER_SOURCE, real_driver_path

USER_AGENT = "artificial-imagination-course/0.1 (educational; python urllib)"


@dataclass(frozen=True)
class Item:
    name: str
    filename: str
    urls: tuple[str, ...]
    hash_prefix: str | None = None  # leading hex digits of the file's SHA-256, as in torch hub names


# face-alignment 1.5.0 looks for these names in <torch hub>/checkpoints.
FACE_ALIGNMENT_WEIGHTS = (
    Item("face-alignment 2D-FAN-4 landmark network", "2DFAN4-11f355bf06.pth.tar",
         ("https://www.adrianbulat.com/downloads/python-fan/2DFAN4-11f355bf06.pth.tar",), "11f355bf06"),
    Item("face-alignment S3FD face detector", "s3fd-619a316812.pth",
         ("https://www.adrianbulat.com/downloads/python-fan/s3fd-619a316812.pth",), "619a316812"),
)

# Leonardo da Vinci, Mona Lisa (c. 1503-1519), public domain; Wikimedia Commons, C2RMF retouched scan.
_MONA = "Mona_Lisa%2C_by_Leonardo_da_Vinci%2C_from_C2RMF_retouched.jpg"
MONA_LISA = Item(
    "Mona Lisa (public domain, Wikimedia Commons)",
    "mona_lisa.jpg",
    tuple(f"https://upload.wikimedia.org/wikipedia/commons/thumb/e/ec/{_MONA}/{w}px-{_MONA}" for w in (960, 800, 640, 500)),
)

# NASA, "Everything About Living in Space" (2015): astronaut Reid Wiseman answers questions at the Johnson Space
# Center, talking to the camera. A work of the US government, public domain; Wikimedia Commons hosts it with
# smaller WebM transcodes (tried first: a few MB instead of the original's size).
_CLIP = "Everything_About_Living_in_Space.ogv"
_CLIP_DIR = "5/5f"  # Commons stores a file under the first 1 and 2 hex digits of the MD5 of its name
REAL_DRIVER = Item(
    "a real person talking (NASA, public domain, Wikimedia Commons)",
    real_driver_path().name,
    tuple(f"https://upload.wikimedia.org/wikipedia/commons/transcoded/{_CLIP_DIR}/{_CLIP}/{_CLIP}.{v}"
          for v in ("480p.vp9.webm", "480p.webm", "360p.vp9.webm", "360p.webm"))
    + (f"https://upload.wikimedia.org/wikipedia/commons/{_CLIP_DIR}/{_CLIP}",),
)
CLIP_BYTES = 200 * 2**20  # a bigger download is not what this item expects


def face_alignment_weight_paths() -> list[Path]:
    """Where the course keeps face-alignment's weight files (they may or may not exist)."""
    return [torch_hub_dir() / "checkpoints" / item.filename for item in FACE_ALIGNMENT_WEIGHTS]


def mona_lisa_path() -> Path:
    return data_dir() / "images" / MONA_LISA.filename


def _download(url: str, part: Path, timeout: float) -> str:
    """Stream url into `part`; returns the SHA-256 of what arrived."""
    import hashlib

    part.parent.mkdir(parents=True, exist_ok=True)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    sha = hashlib.sha256()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as out:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                sha.update(chunk)
                out.write(chunk)
                if out.tell() > CLIP_BYTES:
                    raise OSError(f"the download is larger than {CLIP_BYTES // 2**20} MB")
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return sha.hexdigest()


def fetch_item(item: Item, dest: Path, timeout: float = 30.0) -> str:
    """Download one item into dest unless present; returns a one-line report. Never raises on network trouble."""
    if dest.exists():
        return f"✔ {item.name}: already cached at {dest}"
    part = dest.with_name(f"{dest.stem}.part{dest.suffix}")  # keeps the type ending: ffmpeg reads by it
    problem = "no address"
    for url in item.urls:
        try:
            digest = _download(url, part, timeout)
        except Exception as err:  # noqa: BLE001 - no network, HTTP error, timeout: try the next address
            problem = f"{type(err).__name__}: {err}"
            continue
        if item.hash_prefix and not digest.startswith(item.hash_prefix):
            problem = f"its SHA-256 {digest[:10]}… does not start with {item.hash_prefix}"
        elif dest.suffix.lower() in {".jpg", ".jpeg", ".png"} and not _is_picture(part):
            problem = "the download is not a readable picture"
        elif dest.suffix.lower() in {".webm", ".mp4", ".ogv"} and (why := _not_a_driver(part)):
            problem = why
        else:
            part.rename(dest)
            if item is REAL_DRIVER:
                record = dict(REAL_DRIVER_SOURCE, url=url, sha256=digest, bytes=dest.stat().st_size)
                dest.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
            return f"✔ {item.name}: downloaded to {dest}"
        part.unlink(missing_ok=True)
    return f"✘ {item.name}: not downloaded ({problem}); the course runs without it."


def _is_picture(path: Path) -> bool:
    try:
        from PIL import Image

        with Image.open(path) as im:
            im.verify()
            return min(im.size) >= 100
    except Exception:  # noqa: BLE001 - anything that is not a readable picture
        return False


def _not_a_driver(path: Path) -> str:
    """'' when dlib follows one face through the video's first seconds (its landmarks are then cached for the
    notebooks), else why not."""
    from .driving import load_video
    from .errors import CourseError

    try:
        load_video(path)
    except CourseError as err:
        return f"the download is not a usable driving video ({err})"
    return ""


def _items() -> list[tuple[Item, Path]]:
    return (list(zip(FACE_ALIGNMENT_WEIGHTS, face_alignment_weight_paths()))
            + [(MONA_LISA, mona_lisa_path()), (REAL_DRIVER, real_driver_path())])


def fetch_all(timeout: float = 30.0) -> list[str]:
    return [fetch_item(item, path, timeout) for item, path in _items()]


def check_all() -> list[str]:
    items, paths = zip(*_items())
    return [f"{'✔' if p.exists() else '·'} {it.name}: {p if p.exists() else 'not cached'}" for it, p in zip(items, paths)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is cached")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per connection attempt")
    args = parser.parse_args(argv)
    print(f"Data cache: {data_dir()}")
    for line in check_all() if args.check else fetch_all(args.timeout):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
