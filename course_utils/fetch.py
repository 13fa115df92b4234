"""Fill the data cache when the network allows: face-alignment's weights and a public-domain Mona Lisa.

    python -m course_utils.fetch            # what Binder's postBuild runs; never fails the build
    python -m course_utils.fetch --check    # only say what is cached

Each item is downloaded to a temporary file, checked (hash prefix for the weights, "is it a picture"
for the painting) and only then moved into place, so an interrupted download leaves nothing half-done.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .config import data_dir, torch_hub_dir

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
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return sha.hexdigest()


def fetch_item(item: Item, dest: Path, timeout: float = 30.0) -> str:
    """Download one item into dest unless present; returns a one-line report. Never raises on network trouble."""
    if dest.exists():
        return f"✔ {item.name}: already cached at {dest}"
    part = dest.with_name(dest.name + ".part")
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
        else:
            part.rename(dest)
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


def fetch_all(timeout: float = 30.0) -> list[str]:
    reports = [fetch_item(item, path, timeout) for item, path in zip(FACE_ALIGNMENT_WEIGHTS, face_alignment_weight_paths())]
    reports.append(fetch_item(MONA_LISA, mona_lisa_path(), timeout))
    return reports


def check_all() -> list[str]:
    paths = face_alignment_weight_paths() + [mona_lisa_path()]
    items = list(FACE_ALIGNMENT_WEIGHTS) + [MONA_LISA]
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
