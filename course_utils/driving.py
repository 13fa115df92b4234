"""A real video as the driver: decode it, track the face's 68 landmarks frame by frame, smooth, pick a neutral frame.

    video = driving.load_video("me_talking.mp4")     # mp4, webm, mov, … (anything ffmpeg reads)
    video.frames      (T, S, S', 3) uint8, long side `size` px, at a constant `video.fps`
    video.points      (T, 68, 2) float32 px in those frames, smoothed without lag
    video.reference   the index of the most neutral frame (mouth closed, eyes open, facing the camera)

    video, said = driving.course_driver()            # the learner's upload, else Binder's fetched clip, else None

Tracking: dlib's detector finds the face in the first frame where it sees one (the most confident face, not the
largest); after that each frame is searched only near the previous frame's face, and the whole frame again when
the face is lost. Frames where it stays lost hold the last landmarks, and the video says so in `notes`.
Smoothing: the whole clip is known in advance, so a centred Savitzky–Golay filter removes the detector's jitter
without the lag a causal filter would add to the mouth. The landmarks are cached once per file (by its SHA-256)
in the data cache; the learner's file is only ever read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checkpoints import sha256_of
from .config import data_dir, save_npz
from .errors import CourseError
from .faces.measures import eye_openness, inter_ocular, mouth_opening
from .models_dlib import dlib_models

MAX_BYTES = 500 * 2**20      # a bigger upload is refused before decoding
MAX_SECONDS = 20.0           # longer videos are cut, and the video says so
FPS = 25.0                   # every video is read at this constant rate (variable frame rates included)
DETECT_SIDE = 512            # landmarks are found on frames at most this big
CACHE_VERSION = 1


@dataclass
class DrivingVideo:
    """A tracked driving video (see the module docstring for the shapes)."""

    frames: np.ndarray
    points: np.ndarray
    raw_points: np.ndarray            # before smoothing
    found: np.ndarray                 # (T,) bool: dlib saw the face in this frame
    fps: float
    reference: int
    name: str
    notes: list[str] = field(default_factory=list)

    @property
    def reference_points(self) -> np.ndarray:
        return self.points[self.reference]

    def __len__(self) -> int:
        return len(self.frames)

    def face_frames(self, size: int = 192) -> np.ndarray:
        """(T, size, size, 3) uint8: one still square around where the face is in the whole clip, for showing the
        driver beside a portrait (the camera does not follow the head, so head motion stays visible)."""
        import cv2

        lo, hi = np.percentile(self.points.reshape(-1, 2), [2, 98], axis=0)
        centre, side = (lo + hi) / 2, 1.6 * float(max(hi - lo))
        h, w = self.frames.shape[1:3]
        side = min(side, h, w)
        x0 = int(np.clip(centre[0] - side / 2, 0, w - side))
        y0 = int(np.clip(centre[1] - side / 2, 0, h - side))
        s = int(side)
        return np.stack([cv2.resize(f[y0:y0 + s, x0:x0 + s], (size, size), interpolation=cv2.INTER_AREA)
                         for f in self.frames])

    def __str__(self) -> str:
        t = len(self) / self.fps
        return (f"{self.name}: {len(self)} frames ({t:.1f} s at {self.fps:g} fps), face found in "
                f"{self.found.mean():.0%} of them, neutral frame {self.reference}"
                + "".join(f"\n  note: {n}" for n in self.notes))


def _has_only_sound(path: Path) -> bool:
    """ffmpeg's own description of the file lists an audio stream and no video stream."""
    import subprocess

    import imageio_ffmpeg

    try:
        info = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                              capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return False
    return "Audio:" in info and "Video:" not in info


def _probe(path: Path) -> dict:
    import imageio.v2 as imageio

    try:
        reader = imageio.get_reader(str(path), "ffmpeg")
        meta = reader.get_meta_data()
        reader.close()
    except Exception:  # noqa: BLE001 - any decoder failure means the same thing to the learner
        if _has_only_sound(path):
            raise CourseError(f"{path.name} has no video picture in it, only sound; choose a video file.") from None
        raise CourseError(f"{path.name} is not a video that can be read (ffmpeg cannot decode it); "
                          "try an .mp4, .webm or .mov file.") from None
    if not meta.get("size") or not meta.get("fps"):
        raise CourseError(f"{path.name} has no video picture in it (is it a sound file?); choose a video file.")
    return meta


def decode(path, size: int = 256, max_seconds: float = MAX_SECONDS, fps: float = FPS):
    """(frames at DETECT_SIDE, frames at `size`, notes): the first max_seconds of a video at a constant fps."""
    import cv2
    import imageio.v2 as imageio

    path = Path(path)
    meta = _probe(path)
    notes = []
    w, h = meta["size"]
    scale = min(1.0, DETECT_SIDE / max(w, h))
    dw, dh = max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2)
    if scale < 1:
        notes.append(f"the video is {w} × {h}; it is read at {dw} × {dh}")
    duration = float(meta.get("duration") or 0)
    if duration > max_seconds:
        notes.append(f"the video lasts {duration:.0f} s; its first {max_seconds:.0f} s are used")
    if abs(float(meta["fps"]) - fps) > 0.01:
        notes.append(f"the video runs at {float(meta['fps']):g} fps; it is read at a constant {fps:g} fps")
    big, small = [], []
    s_scale = size / max(dw, dh)
    sw, sh = max(1, round(dw * s_scale)), max(1, round(dh * s_scale))
    try:
        reader = imageio.get_reader(str(path), "ffmpeg", fps=fps, size=(dw, dh),
                                    output_params=["-t", f"{max_seconds:g}"])
        for frame in reader:
            frame = np.ascontiguousarray(frame[..., :3])
            big.append(frame)
            small.append(cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA))
            if len(big) >= int(max_seconds * fps):
                break
        reader.close()
    except Exception:  # noqa: BLE001 - a truncated file fails part way: keep what was read
        if not big:
            raise CourseError(f"{path.name} could not be decoded; it may be damaged. Try another video.") from None
        notes.append(f"the video is damaged after frame {len(big)}; the frames before it are used")
    if not big:
        raise CourseError(f"{path.name} has no frames to read; choose another video.")
    return np.stack(big), np.stack(small), notes


def _search(image: np.ndarray, around: np.ndarray | None):
    """dlib's most confident face box in `image`, near `around` (68, 2) points when given; (box, score) or None."""
    import dlib

    detector, _ = dlib_models()
    h, w = image.shape[:2]
    x0 = y0 = 0
    sub = image
    if around is not None:
        lo, hi = around.min(0), around.max(0)
        pad = 0.6 * float(max(hi - lo))
        x0, y0 = int(max(0, lo[0] - pad)), int(max(0, lo[1] - pad))
        x1, y1 = int(min(w, hi[0] + pad)), int(min(h, hi[1] + pad))
        if x1 - x0 < 40 or y1 - y0 < 40:
            return None
        sub = np.ascontiguousarray(image[y0:y1, x0:x1])
    up = 1 if max(sub.shape[:2]) < 300 else 0
    boxes, scores, _ = detector.run(sub, up, 0.0)
    if not boxes:
        return None
    if around is not None:  # near the previous face: the box closest to it, not a second person
        centre = (around.mean(0) - [x0, y0])
        best = int(np.argmin([np.hypot((b.left() + b.right()) / 2 - centre[0], (b.top() + b.bottom()) / 2 - centre[1])
                              for b in boxes]))
    else:
        best = int(np.argmax(scores))
    b = boxes[best]
    return dlib.rectangle(b.left() + x0, b.top() + y0, b.right() + x0, b.bottom() + y0), float(scores[best]), len(boxes)


class FaceTracker:
    """dlib's 68 landmarks followed frame to frame, one frame at a time (a recorded video or a live camera).

    The first frame, and any frame after the face was lost, is searched whole (the most confident face); after
    that only the neighbourhood of the last face is searched, which is faster and keeps to the same person. A
    found face that jumps more than two eye distances in one frame is taken for another face and ignored.

        tracker = FaceTracker()
        points = tracker.update(frame)     # (68, 2) float32 px, or None: no face in this frame
    """

    def __init__(self):
        self.last: np.ndarray | None = None
        self.faces_in_view = 0  # faces seen by the last whole-picture search

    def reset(self) -> None:
        self.last = None

    def update(self, frame: np.ndarray) -> np.ndarray | None:
        _, predictor = dlib_models()
        hit = _search(frame, self.last) if self.last is not None else None
        if hit is None:  # lost, or the first frame: search the whole picture
            hit = _search(frame, None)
            if hit is not None:
                self.faces_in_view = hit[2]
        if hit is None:  # the last face stays the one to look near, and to compare the next face with
            return None
        shape = predictor(frame, hit[0])
        pts = np.array([[p.x, p.y] for p in shape.parts()], np.float32)
        if self.last is not None and np.linalg.norm(pts.mean(0) - self.last.mean(0)) > 2 * inter_ocular(self.last):
            # a jump of a face width in 1/25 s is another face, not this one moving
            return None
        self.last = pts
        return pts


def track(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(points (T, 68, 2) float32, found (T,) bool, notes): dlib's landmarks, tracked frame to frame (FaceTracker)."""
    tracker = FaceTracker()
    points = np.zeros((len(frames), 68, 2), np.float32)
    found = np.zeros(len(frames), bool)
    notes, several = [], 0
    for t, frame in enumerate(frames):
        first = not found.any()
        pts = tracker.update(frame)
        if pts is None:
            continue
        if first and tracker.faces_in_view > 1:
            several = tracker.faces_in_view
        points[t], found[t] = pts, True
    if not found.any():
        raise CourseError("No face was found in the video; film a face looking at the camera, in good light.")
    if several:
        notes.append(f"{several} faces are in view; the most confident one is followed")
    if found.mean() < 0.5:
        raise CourseError(f"The face was found in only {found.mean():.0%} of the frames (it leaves the picture or "
                          "turns away); choose a video where the face stays in view.")
    missing = int((~found).sum())
    if missing:
        notes.append(f"the face was lost in {missing} of {len(frames)} frames; the nearest tracked landmarks stand in")
        idx = np.flatnonzero(found)
        nearest = idx[np.abs(np.arange(len(frames))[:, None] - idx[None]).argmin(1)]
        points = points[nearest]
    return points, found, notes


def smooth(points: np.ndarray, window: int = 5) -> np.ndarray:
    """Centred Savitzky–Golay smoothing over time (order 2): less jitter, no lag, mouth peaks kept."""
    from scipy.signal import savgol_filter

    if len(points) < window:
        return points.copy()
    return savgol_filter(points, window, 2, axis=0).astype(np.float32)


def neutral_frame(points: np.ndarray) -> int:
    """The index of the most neutral frame: mouth closed, eyes open, the nose midway between the eyes."""
    mouth = np.array([mouth_opening(p) for p in points])
    eyes = np.array([eye_openness(p) for p in points])
    iod = np.array([inter_ocular(p) for p in points])
    turn = np.abs(points[:, 30, 0] - (points[:, 36:42, 0].mean(1) + points[:, 42:48, 0].mean(1)) / 2) / iod
    score = mouth + 2 * np.maximum(0, np.median(eyes) - eyes) + turn
    return int(np.argmin(score))


def load_video(path, size: int = 256, max_seconds: float = MAX_SECONDS, cache: bool = True) -> DrivingVideo:
    """Read and track a driving video (see the module docstring). Bad input raises CourseError with one sentence."""
    path = Path(str(path))
    if not path.exists():
        raise CourseError(f"There is no file {path.name} here; check the name or upload the video again.")
    if path.is_dir():
        raise CourseError(f"{path.name} is a folder, not a video file.")
    n_bytes = path.stat().st_size
    if n_bytes == 0:
        raise CourseError(f"{path.name} is empty (0 bytes); upload the video again.")
    if n_bytes > MAX_BYTES:
        raise CourseError(f"{path.name} is {n_bytes / 2**20:.0f} MB; the course reads videos up to "
                          f"{MAX_BYTES / 2**20:.0f} MB — cut a shorter clip first.")
    big, small, notes = decode(path, size, max_seconds)
    key = f"{sha256_of(path)[:24]}-{max_seconds:g}-v{CACHE_VERSION}"
    cached = data_dir() / "drivers" / f"{key}.npz"
    if cache and cached.exists():
        with np.load(cached) as z:
            raw, found, extra = z["raw"], z["found"], json.loads(str(z["notes"]))
    else:
        raw, found, extra = track(big)
        if cache:
            save_npz(cached, compressed=True, raw=raw, found=found, notes=json.dumps(extra))
    if len(raw) != len(big):
        raise CourseError(f"The cached landmarks of {path.name} do not match the video; delete {cached} and retry.")
    scale = small.shape[2] / big.shape[2]
    raw = (raw + 0.5) * scale - 0.5  # pixel centres at integer coordinates in both sizes
    points = smooth(raw)
    return DrivingVideo(frames=small, points=points, raw_points=raw.astype(np.float32), found=found, fps=FPS,
                        reference=neutral_frame(points), name=path.name, notes=notes + list(extra))


# ----------------------------------------------------------------------------- which real video drives

VIDEO_TYPES = (".mp4", ".webm", ".mov", ".mkv", ".avi", ".ogv", ".m4v")
# The course's default real driver, fetched by `python -m course_utils.fetch` where the network allows (Binder's
# build runs it): a NASA interview on Wikimedia Commons, the addresses are in fetch.REAL_DRIVER.
REAL_DRIVER_SOURCE = {
    "title": "Everything About Living in Space (NASA, 2015)",
    "page": "https://commons.wikimedia.org/wiki/File:Everything_About_Living_in_Space.ogv",
    "licence": "public domain (a work of NASA, the US government)",
}


def real_driver_path() -> Path:
    """Where the fetched real talking clip is kept; its provenance (address, SHA-256, licence) is the .json beside it."""
    return data_dir() / "videos" / "real_driver.webm"


def video_uploads_dir() -> Path:
    from .uploads import uploads_dir

    return uploads_dir() / "videos"


def save_video_upload(data: bytes, name: str = "my_video.mp4") -> Path:
    """Keep an uploaded video's bytes in the data cache; returns its path. An earlier upload of the same name is
    never overwritten (the new one gets a number); a file too big or not named as a video is refused."""
    from .uploads import new_path

    suffix = Path(name).suffix.lower()
    if suffix not in VIDEO_TYPES:
        raise CourseError(f"{Path(name).name} is not named as a video; upload one of: {', '.join(VIDEO_TYPES)}.")
    if len(data) > MAX_BYTES:
        raise CourseError(f"{Path(name).name} is {len(data) / 2**20:.0f} MB; the course reads videos up to "
                          f"{MAX_BYTES / 2**20:.0f} MB — cut a shorter clip first.")
    path = new_path(video_uploads_dir(), name, suffix)
    path.write_bytes(data)
    return path


def course_driver(max_seconds: float = MAX_SECONDS) -> tuple[DrivingVideo | None, str]:
    """The real video that drives the portraits, and one sentence saying which: the learner's newest uploaded
    video, else the clip Binder's build fetched (python -m course_utils.fetch), else None — then a FaceWorld
    person drives, and the sentence says so."""
    folder = video_uploads_dir()
    uploads = sorted((p for p in folder.glob("*") if p.suffix.lower() in VIDEO_TYPES), key=lambda p: p.stat().st_mtime,
                     reverse=True) if folder.exists() else []
    problems = []
    for path in uploads[:1]:
        try:
            return load_video(path, max_seconds=max_seconds), f"Driver: your video {path.name}."
        except CourseError as err:
            problems.append(f"your newest video {path.name} cannot drive ({err.args[0].rstrip('.')})")
    said = "".join(f"{p[:1].upper()}{p[1:]}. " for p in problems)
    fetched = real_driver_path()
    if fetched.exists():
        try:
            return (load_video(fetched, max_seconds=max_seconds),
                    f"{said}Driver: {REAL_DRIVER_SOURCE['title']}, {REAL_DRIVER_SOURCE['licence']}, fetched when "
                    "the course was set up.")
        except CourseError as err:
            said += f"The fetched clip cannot drive ({err.args[0].rstrip('.')}). "
    return None, (f"{said}No real driving video to use here (none uploaded that drives, and the course's real clip "
                  "was not fetched: offline), so a FaceWorld person drives instead.")


def video_upload_widget(on_video, description: str = "Upload a video"):
    """An upload button for a driving video and the area under it: the file is kept (save_video_upload, never
    overwriting), read with load_video and handed to on_video(video); a video that cannot drive is not kept, and
    what is wrong is printed as one sentence."""
    from .uploads import upload_box, upload_bytes, upload_name

    def handle(value):
        path = save_video_upload(bytes(upload_bytes(value)), upload_name(value))
        print(f"reading and tracking {path.name} (about a second per second of video) …")
        try:
            video = load_video(path)
        except CourseError:
            path.unlink(missing_ok=True)  # the course's copy of a video that cannot drive is not kept
            raise
        on_video(video)

    return upload_box("video/*", description, handle)
