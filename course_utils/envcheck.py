"""The environment report of chapter 00: what this machine can run right now, and why.

    python -m course_utils.envcheck
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass

from .config import course_mode, data_dir


@dataclass
class Row:
    """One line of the report: `ok` is True (ready), False (not usable) or None (information)."""

    what: str
    ok: bool | None
    detail: str

    @property
    def mark(self) -> str:
        return {True: "✔", False: "✘", None: "·"}[self.ok]


DETECTOR_NAMES = {
    "face_alignment": "face-alignment (detector of record)",
    "dlib": "dlib 68-point detector (offline)",
    "course": "course landmark detector",
}


def detector_rows() -> list[Row]:
    """One row per landmark backend of course_utils.landmarks, with the reason it can run or not."""
    from .landmarks import usable_backends

    return [Row(DETECTOR_NAMES[name], why.startswith("ready"), why.removeprefix("ready: "))
            for name, why in usable_backends().items()]


def environment_rows() -> list[Row]:
    """Everything chapter 00 reports, in display order."""
    import torch

    rows = [
        Row("Python", None, f"{platform.python_version()} ({sys.executable})"),
        Row("PyTorch", torch.__version__.startswith("2.13."), f"{torch.__version__}, {torch.get_num_threads()} CPU threads"),
    ]
    if torch.cuda.is_available():
        rows.append(Row("GPU", True, torch.cuda.get_device_name(0)))
    else:
        rows.append(Row("GPU", None, "none: everything runs on the CPU (the course is built for that)"))
    try:
        import psutil

        mem = psutil.virtual_memory()
        rows.append(Row("Memory", mem.total >= 1.9e9, f"{mem.total / 1e9:.1f} GB total, {mem.available / 1e9:.1f} GB free"))
    except ImportError:
        pass
    rows.append(Row("COURSE_MODE", None,
                    f"{course_mode()}  (quick ≈ 1 min per notebook, standard ≤ 10 min, full = reproduce checkpoints)"))
    rows.extend(detector_rows())
    cache = data_dir()
    rows.append(Row("Data cache", os.access(cache, os.W_OK), f"{cache} (set COURSE_DATA_DIR to move it)"))
    from .fetch import mona_lisa_path

    mona = mona_lisa_path()
    rows.append(
        Row("Mona Lisa image", mona.exists(),
            f"cached at {mona}" if mona.exists()
            else ("not cached: later chapters use a labelled stand-in until "
                  "`python -m course_utils.fetch` runs online"))
    )
    return rows


def as_text(rows: list[Row]) -> str:
    width = max(len(r.what) for r in rows)
    return "\n".join(f"{r.mark} {r.what:<{width}}  {r.detail}" for r in rows)


def as_html(rows: list[Row]) -> str:
    import html

    colour = {True: "#2e7d32", False: "#c62828", None: "#555"}
    body = "".join(
        f"<tr><td style='color:{colour[r.ok]};font-weight:bold;text-align:center'>{r.mark}</td>"
        f"<td style='text-align:left'><b>{html.escape(r.what)}</b></td>"
        f"<td style='text-align:left'>{html.escape(r.detail)}</td></tr>"
        for r in rows
    )
    return ("<table><thead><tr><th></th><th style='text-align:left'>component</th>"
            f"<th style='text-align:left'>status</th></tr></thead><tbody>{body}</tbody></table>")


def show_report() -> list[Row]:
    """Display the report as a table in a notebook (text elsewhere); returns the rows."""
    rows = environment_rows()
    try:
        from IPython.display import HTML, display

        display(HTML(as_html(rows)))
    except ImportError:
        print(as_text(rows))
    return rows


if __name__ == "__main__":
    print(as_text(environment_rows()))
