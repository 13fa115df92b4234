"""Suite `live`: the webcam path without a camera — a recorded clip played frame by frame through
live.LiveSession.process, the same code the webcam widget runs on each camera frame.

Each clip frame is made what the browser sends (320 x 240, JPEG at quality 80); the Mona Lisa is the portrait;
the frames arrive one at a time, as the widget sends them (one in flight). Per animator (the warp; the learned
animator when its checkpoint ships):

    live_fps_256_<animator>          end-to-end frames/s at 256 px: frames / the time to process them all, on this
                                     machine's cores as the kernel uses them (torch on one thread, dlib on one)
    live_latency_ms_<animator>       median ms from a frame's arrival (its JPEG bytes) to its portrait frame (JPEG)
    live_ms_<stage>_<animator>       median ms per stage: decode, track, animate, encode
    live_mouth_r_<animator>          Pearson r of the portrait's mouth opening (dlib, on the frames made) with the
                                     clip's (tracked offline, driving.load_video): the live path keeps the motion
                                     (real clips; drivers whose mouth moves)
    live_mouth_r_faceworld_<animator>   the same with a FaceWorld person talking (4 s), against its exact landmarks

and the headline figures for the best animator available (the learned one when shipped): live_fps_256 (bar ≥ 15),
live_latency_ms (bar ≤ 120). Clips: the real ones in ../shared/real_faces when present (quick: one), else a
FaceWorld person talking.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from ..errors import CourseError
from .result import SuiteResult, check_bars

CAMERA = (320, 240)
BARS = {"live_fps_256": (">=", 15.0), "live_latency_ms": ("<=", 120.0)}


def camera_picture(frame: np.ndarray) -> np.ndarray:
    """A clip frame as the camera's picture, CAMERA (320 x 240): scaled to its height, centred, the sides filled
    with the frame's left-edge colour."""
    w, h = CAMERA
    s = h / frame.shape[0]
    f = cv2.resize(frame, (max(1, round(frame.shape[1] * s)), h), interpolation=cv2.INTER_AREA)
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = f[:, :1].mean((0, 1)).astype(np.uint8)
    x = (w - f.shape[1]) // 2
    canvas[:, max(x, 0):max(x, 0) + min(w, f.shape[1])] = f[:, max(-x, 0):max(-x, 0) + w]
    return canvas


def camera_frames(frames: np.ndarray) -> list[bytes]:
    """Frames (T, H, W, 3) -> what the widget sends: camera_picture, JPEG quality 80."""
    from ..live import encode_frame

    return [encode_frame(camera_picture(f), quality=80) for f in frames]


def clips(quick: bool, seconds: float) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """[(name, frames (T, H, W, 3), offline-tracked driver points or None)]."""
    from ..driving import load_video
    from .portraits import REAL_CLIPS

    real = sorted(REAL_CLIPS.glob("speaker_*.mp4"))
    if real:
        chosen = [p for p in real if p.stem == "speaker_d18"] or real[:1]
        if not quick:
            chosen = real
        out = []
        for path in chosen:
            v = load_video(path, size=256, max_seconds=seconds)
            out.append((path.stem, v.frames, v.points))
        return out
    return [faceworld_clip(seconds)]


def faceworld_clip(seconds: float) -> tuple[str, np.ndarray, np.ndarray]:
    """FaceWorld person 3 talking (head turns halved), with its exact landmarks."""
    from ..faces.drivers import faceworld_driver

    images, points, _ = faceworld_driver(int(25 * seconds), seed=3, head_motion=0.5, size=240)
    return "faceworld_3", images, points


def measure(kind: str, image: np.ndarray, clip_frames: np.ndarray, driver_points=None) -> dict[str, float]:
    from .. import judge
    from ..faces.measures import mouth_opening
    from ..judge import MIN_MOTION_SD
    from ..live import STAGES, LiveSession

    session = LiveSession(image, animator=kind)
    data = camera_frames(clip_frames)
    session.process(data[0])  # warm-up (first-call allocations), not counted; then tracking starts afresh
    session.tracker.reset()
    session.recenter()
    latency, stages, made = [], {s: [] for s in STAGES}, []
    t0 = time.perf_counter()
    for i, jpeg in enumerate(data):
        t = time.perf_counter()
        out = session.process(jpeg, now=i / 25)
        latency.append(1000 * (time.perf_counter() - t))
        for s, v in out.ms.items():
            stages[s].append(v)
        made.append(out.image)
    total = time.perf_counter() - t0
    res = {"fps": len(data) / total, "latency": float(np.median(latency)), "found": float(np.mean([m is not None for m in made]))}
    res |= {s: float(np.median(v)) for s, v in stages.items() if v}
    if driver_points is not None:
        drv = np.array([mouth_opening(p) for p in driver_points[:len(made)]])
        seen = [judge.look(m) if m is not None else None for m in made]
        mine = np.array([mouth_opening(x.points) if x is not None else np.nan for x in seen])
        ok = np.isfinite(mine)
        if ok.sum() > 10 and drv[ok].std() >= MIN_MOTION_SD:
            res["mouth_r"] = float(np.corrcoef(mine[ok], drv[ok])[0, 1])
    return res


def run(mode: str) -> SuiteResult:
    from .. import images
    from ..webcam import available_animators

    quick = mode == "quick"
    seconds = 4.0 if quick else 8.0
    cv2.setNumThreads(1)
    image = images.portrait("mona_lisa").image
    kinds = [k for k, _ in available_animators()]
    figures: dict[str, float] = {}
    notes = []
    clip_list = clips(quick, seconds)
    notes.append("clips: " + ", ".join(f"{n} ({len(f)} frames)" for n, f, _ in clip_list) + "; portrait: Mona Lisa")
    for kind in kinds:
        runs = [measure(kind, image, f, p) for _, f, p in clip_list]
        figures[f"live_fps_256_{kind}"] = float(np.mean([r["fps"] for r in runs]))
        figures[f"live_latency_ms_{kind}"] = float(np.median([r["latency"] for r in runs]))
        for s in ("decode", "track", "animate", "encode"):
            figures[f"live_ms_{s}_{kind}"] = float(np.mean([r[s] for r in runs if s in r]))
        rs = [r["mouth_r"] for r in runs if "mouth_r" in r]
        if rs:
            figures[f"live_mouth_r_{kind}"] = float(np.mean(rs))
        fw = measure(kind, image, *faceworld_clip(4.0)[1:])
        figures[f"live_mouth_r_faceworld_{kind}"] = fw.get("mouth_r", float("nan"))
        if min(r["found"] for r in runs) < 0.5:
            raise CourseError(f"The live path lost the face in most frames with the {kind}; see the clips.")
    best = kinds[0]
    figures["live_fps_256"] = figures[f"live_fps_256_{best}"]
    figures["live_latency_ms"] = figures[f"live_latency_ms_{best}"]
    notes.append(f"live_fps_256 and live_latency_ms are the {best}'s (the best animator this machine has)")
    notes.append("frames arrive one at a time, as the widget sends them; the learned animator runs on one torch thread")
    return check_bars(figures, BARS, notes)
