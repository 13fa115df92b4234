"""Suite `judge_noise`: how much the judge's mouth and blink readings move under changes nobody can see.

    python -m course_utils.bench judge_noise [--mode quick|standard|full] [--json PATH]

The `portraits` suite compares animators by the correlation of dlib's mouth (and eye) readings with the driver's.
dlib's 68-point predictor was trained on photographs; on a painting its reading of an opened mouth can flip
between the lip and the teeth. This suite measures that noise: the piecewise warp and the learned animator move
the same portraits by the same drivers as in `portraits` (same frames), and the judge reads each frame as it is
and after each of CHANGES, none of which a viewer would notice: the whole frame shifted by one pixel, saved as JPEG
at quality 90 (about 2-3 grey levels on average on these faces), blurred by 0.5 px (about 1-2), zoomed out by 3 %
(the face's points move by at most 4 px).

Figures, per method m and change c: mouth_r_<m>_<c>, blink_r_<m>_<c> (means over portraits × drivers, as in
`portraits`), and mouth_r_<m>_spread, blink_r_<m>_spread (the largest minus the smallest of the changes'
means). The table gives mouth r per portrait and change. No bars: the figures say how far apart two methods'
figures must be before the judge can tell them apart.
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import judge as J
from .result import SuiteResult

METHODS = ("piecewise_warp", "animator")
CHANGES = ("none", "shift_1px", "jpeg_90", "blur_0.5px", "zoom_0.97")


def change(frame: np.ndarray, kind: str) -> np.ndarray:
    """(H, W, 3) uint8 -> the same frame after one of CHANGES (a new array; 'none' returns a copy)."""
    f = np.ascontiguousarray(frame)
    if kind == "none":
        return f.copy()
    if kind == "shift_1px":   # one pixel to the right, the first column repeated
        return np.concatenate([f[:, :1], f[:, :-1]], 1)
    if kind == "jpeg_90":
        ok, data = cv2.imencode(".jpg", f[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
        return np.ascontiguousarray(cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1])
    if kind == "blur_0.5px":
        return cv2.GaussianBlur(f, (0, 0), 0.5)
    if kind == "zoom_0.97":   # 3 % smaller about the centre, the edge reflected
        h, w = f.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, 0.97)
        return cv2.warpAffine(f, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    raise ValueError(f"unknown change {kind!r}; choose from {CHANGES}")


def run(mode: str, frames: int | None = None, changes=CHANGES, methods=METHODS, animator=None,
        parts=None) -> SuiteResult:
    """The suite; `animator`: a LearnedAnimator instead of the shipped one, `parts`: its part windows (a PartPainter,
    or False for none; None: the shipped windows with the shipped animator, none with a caller's)."""
    import torch

    from ..landmarks import detect
    from ..warps import transfer_motion
    from .portraits import animators_for, drivers, load_learned_animator, load_part_windows, portraits

    quick = mode == "quick"
    frames = frames or (16 if quick else 32)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        drvs, note = drivers(quick, frames)
        animator_note = parts_note = None
        if animator is None and "animator" in methods:
            animator, animator_note = load_learned_animator()
            if parts is None and animator is not None:
                parts, parts_note = load_part_windows()
        parts = parts or False
        # (method, portrait, change) -> [Verdict per driver]
        verdicts: dict[tuple[str, str, str], list[J.Verdict]] = {}
        for label, image in portraits(quick):
            points = detect(image, backend="dlib").faces[0].points
            for anim in animators_for(image, points, None, None, animator, methods, parts):
                for _clip, drv_points, reference, _ in drvs:
                    targets = transfer_motion(anim.points, drv_points, reference)
                    out = anim.render(targets)
                    for kind in changes:
                        seen = np.stack([change(f, kind) for f in out])
                        verdicts.setdefault((anim.name, label, kind), []).append(
                            J.judge(anim.source, seen, targets=targets, driver_points=drv_points))
    finally:
        torch.set_num_threads(threads)
    figures, rows = {}, []
    names = [m for m in methods if any(k[0] == m for k in verdicts)]
    labels = list(dict.fromkeys(k[1] for k in verdicts))
    for m in names:
        for key in ("mouth_r", "blink_r"):
            means = {c: J.mean_verdict([v for (mm, _, cc), vs in verdicts.items() if mm == m and cc == c
                                        for v in vs])[key] for c in changes}
            figures |= {f"{key}_{m}_{c}": float(means[c]) for c in changes}
            finite = [x for x in means.values() if np.isfinite(x)]
            figures[f"{key}_{m}_spread"] = float(max(finite) - min(finite)) if finite else float("nan")
        for label in labels + ["all portraits"]:
            row = {"method": m, "portrait": label}
            for c in changes:
                vs = [v for (mm, lab, cc), vv in verdicts.items() if mm == m and cc == c
                      and (lab == label or label == "all portraits") for v in vv]
                row[c] = J.mean_verdict(vs)["mouth_r"]
            rows.append(row)
    notes = [note, "table: mouth r (mean over the drivers whose mouth moves) for each change of the frames"]
    notes += [n for n in (animator_note, parts_note) if n]
    return SuiteResult(figures=figures, rows=rows, columns=["method", "portrait", *changes], ok=bool(rows), notes=notes)
