"""What a learner uploads: where it is kept, what it is called, and the bytes inside an upload widget's value.

    uploads_dir()            <data cache>/uploads (pictures; videos in its videos/ folder)
    upload_bytes(value)      the file's bytes in an ipywidgets FileUpload value (anything else is returned as is)
    upload_name(value)       the file's name in that value ("upload" when it has none)
    new_path(folder, name, suffix)
                             a path for a new upload: a safe lower-case stem, numbered so that an earlier upload
                             of the same name is never overwritten
"""

from __future__ import annotations

import re
from pathlib import Path

from .config import data_dir


def uploads_dir() -> Path:
    return data_dir() / "uploads"


def safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(name).stem).strip("_").lower()
    return stem or "upload"


def new_path(folder: Path, name: str, suffix: str) -> Path:
    """folder/<safe stem of name><suffix>, or …_2, _3 … when that exists; the folder is made."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = base = safe_stem(name)
    n = 2
    while (folder / f"{stem}{suffix}").exists():
        stem, n = f"{base}_{n}", n + 1
    return folder / f"{stem}{suffix}"


def upload_bytes(value):
    """ipywidgets.FileUpload values: a tuple of dicts (v8) or a dict of dicts (v7) with 'content' -> bytes."""
    if isinstance(value, dict) and "content" in value:
        return bytes(value["content"])
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return upload_bytes(next(iter(value.values())))
    if isinstance(value, (tuple, list)) and value and isinstance(value[0], dict):
        return upload_bytes(value[0])
    return value


def upload_name(value) -> str:
    """The file name in a FileUpload widget's value (ipywidgets 8: a tuple of dicts; 7: a dict of dicts)."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        name, item = next(iter(value.items()))
        return str(item.get("metadata", {}).get("name", name))
    if isinstance(value, (tuple, list)) and value and isinstance(value[0], dict):
        return str(value[0].get("name", "upload"))
    return "upload"


def upload_box(accept: str, description: str, handle):
    """An upload button and the output area under it, for a notebook: each upload's widget value is handed to
    handle(value) inside the area (so what it prints appears there); a CourseError it raises is printed as one
    sentence ("✘ …"). Returns the box to display; its .upload and .output are the button and the area."""
    import ipywidgets as W

    from .errors import CourseError

    upload = W.FileUpload(accept=accept, multiple=False, description=description)
    output = W.Output()

    def on_change(change):
        value = change["new"]
        if not value:
            return
        output.clear_output()
        with output:
            try:
                handle(value)
            except CourseError as err:
                print("✘", err)

    upload.observe(on_change, names="value")
    box = W.VBox([upload, output])
    box.upload, box.output = upload, output
    return box
