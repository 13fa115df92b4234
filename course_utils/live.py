"""Your own face drives a portrait, live: one camera frame in, one portrait frame out, each stage timed.

    session = live.LiveSession(image)                   # a portrait: found, framed at 256 px (like FaceWorld)
    frame = session.process(jpeg_bytes)                 # a camera frame (JPEG/PNG bytes, or an (H, W, 3) array)
    frame.jpeg, frame.image, frame.status, frame.ms     # the portrait frame, what to say, ms per stage
    session.record(5.0)                                 # the next 5 s of portrait frames -> an MP4 (never overwriting)
    path, frames = live.animate_video(image, "me.mp4")   # the same from a video of yourself, instead of the camera

The four stages, each timed (`frame.ms`): **decode** the camera frame; **track** the face (dlib: the whole
picture is searched until a face is found, then only around the last face, and the whole picture again when it
is lost — driving.FaceTracker); **animate**: move the portrait's landmarks by the driver's motion relative to
its neutral face (warps.transfer_motion) and render (the warp of chapter 04, or the learned animator of
chapter 09); **encode** the portrait frame as JPEG for the browser.

The neutral face is the most neutral of the first second of tracked frames (mouth closed, eyes open, facing the
camera: driving.neutral_frame); `recenter()` starts that second again. Nothing is stored: the camera frame is
dropped once its landmarks are read; only `record` keeps anything, and it keeps the *portrait's* frames.

Used by the webcam widget (course_utils.webcam), and by the bench suite `live`, which plays a recorded clip
through this same code path: `python -m course_utils.bench live`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import CourseError

SIZE = 256                 # the portrait frame's side (px)
TRACK_SIDE = 320           # camera frames are tracked at most this wide (the widget sends 320 x 240)
NEUTRAL_SECONDS = 1.0      # the neutral face is picked from this first stretch of tracked frames
SMOOTH = 0.6               # landmarks: new = SMOOTH * tracked + (1 - SMOOTH) * previous (less jitter, a little lag)
JPEG_QUALITY = 85
RECORD_FPS = 25.0
ANIMATORS = {"warp": "Warp (chapter 04)", "animator": "Learned animator (chapter 09)"}
LOOKING = "Looking for a face — face the camera, in good light."
STAGES = ("decode", "track", "animate", "encode")


@dataclass
class LiveFrame:
    """One camera frame's result: the portrait frame (None while no face is tracked), what to tell the learner,
    the driver's landmarks (in the camera frame's px, None when not found) and ms per stage."""

    image: np.ndarray | None
    jpeg: bytes | None
    status: str
    points: np.ndarray | None = None
    ms: dict[str, float] = field(default_factory=dict)
    saved: Path | None = None   # set on the frame that finished a recording: the MP4 written


def decode_frame(data) -> np.ndarray:
    """Camera frame -> (H, W, 3) uint8 RGB, at most TRACK_SIDE wide. data: JPEG/PNG bytes or an array."""
    import cv2

    if isinstance(data, (bytes, bytearray, memoryview)):
        buf = np.frombuffer(bytes(data), np.uint8)
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR) if buf.size else None
        if img is None:
            raise CourseError("This camera frame is not a picture the course can read; it was skipped.")
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    else:
        img = np.asarray(data)
        if img.ndim != 3 or img.shape[2] < 3 or img.dtype != np.uint8:
            raise CourseError("A camera frame must be an (H, W, 3) uint8 picture; this one was skipped.")
        img = img[..., :3]
    if img.shape[1] > TRACK_SIDE:
        h = round(img.shape[0] * TRACK_SIDE / img.shape[1])
        img = cv2.resize(img, (TRACK_SIDE, h), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(img)


def encode_frame(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    assert ok
    return buf.tobytes()


def make_animator(kind: str, face: np.ndarray, points: np.ndarray):
    """An object with .render(targets (T, 68, 2)) -> frames, for the framed portrait `face` (SIZE px) and its points."""
    if kind == "warp":
        from .warps import PortraitAnimator

        anim = PortraitAnimator(face, points=points, crop=False)
        return _WarpFrames(anim)
    if kind == "animator":
        from .animator.portrait import PortraitAnimator as Learned
        from .animator.train import load_animator

        return _OneThread(Learned(face, points=points, model=load_animator(), size=SIZE))
    raise CourseError(f"Unknown animator {kind!r}; choose one of {', '.join(ANIMATORS)}.")


class _OneThread:
    """The learned animator on one torch thread: the other core tracks the next face (and runs the browser)."""

    def __init__(self, anim):
        self.anim = anim

    def render(self, targets) -> np.ndarray:
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self.anim.render(targets)
        finally:
            torch.set_num_threads(before)


class _WarpFrames:
    def __init__(self, anim):
        self.anim = anim

    def render(self, targets) -> np.ndarray:
        return np.stack([self.anim.render(t) for t in np.asarray(targets, np.float32).reshape(-1, 68, 2)])


class LiveSession:
    """A portrait driven frame by frame (see the module docstring).

    image: the portrait (H, W, 3) uint8; points: its 68 landmarks (found with dlib when None);
    animator: 'warp' or 'animator' (the learned one; one clear sentence when its checkpoint is missing)."""

    def __init__(self, image, points=None, animator: str = "warp", smooth: float = SMOOTH):
        from . import landmarks
        from .driving import FaceTracker
        from .images import array_to_rgb
        from .talking_heads.portrait import crop_like_faceworld

        image = array_to_rgb(np.asarray(image))
        if points is None:
            found = landmarks.detect(image, backend="dlib").faces
            if not found:
                raise CourseError("No face was found in this portrait; choose a clear, front-facing picture.")
            points = found[0].points
        self.face, self.points = crop_like_faceworld(image, np.asarray(points, np.float32), SIZE)
        self._animators: dict = {}
        self.kind = ""
        self.use(animator)
        self.smooth = float(smooth)
        self.tracker = FaceTracker()
        self.frames_seen = 0
        self._recording: list | None = None
        self._record_seconds = 0.0
        self._record_start: float | None = None
        self._record_folder: Path | None = None
        self._record_name = "live"
        self.recenter()

    # --- choices
    def render(self, targets) -> np.ndarray:
        """Portrait frames (T, SIZE, SIZE, 3) for target landmarks (T, 68, 2) in self.face, with the chosen animator."""
        return self._animators[self.kind].render(targets)

    def use(self, animator: str) -> None:
        """Switch animator ('warp' or 'animator'); a missing checkpoint raises CourseError and keeps the current one."""
        if animator not in self._animators:
            self._animators[animator] = make_animator(animator, self.face, self.points)
        self.kind = animator

    def recenter(self) -> None:
        """Pick the neutral face again from the next second of tracked frames."""
        self._candidates: list[np.ndarray] = []
        self._started: float | None = None
        self.reference: np.ndarray | None = None
        self._smoothed: np.ndarray | None = None

    # --- recording the portrait
    def record(self, seconds: float = 5.0, folder=None, name: str = "live") -> None:
        """Keep the portrait frames of the next `seconds` s; the MP4 is written when they are done (LiveFrame.saved,
        self.saved) in `folder` (the course's output folder by default), named name.mp4, name_2.mp4, … never
        overwriting a file."""
        from .config import output_dir

        self._recording = []
        self._record_seconds, self._record_start = float(seconds), None
        self._record_folder = Path(folder) if folder is not None else output_dir("live")
        self._record_name = name

    @property
    def recording(self) -> bool:
        return self._recording is not None

    def _finish_recording(self) -> Path | None:
        from .talking_heads.data import write_video
        from .uploads import new_path

        frames, self._recording = self._recording or [], None
        if len(frames) < 2:
            raise CourseError("Nothing was recorded: no face was tracked while recording; face the camera and try again.")
        t = np.array([s for s, _ in frames]) - frames[0][0]
        ticks = np.arange(0, t[-1] + 1e-9, 1 / RECORD_FPS)   # a constant frame rate: the latest frame at each tick
        idx = np.searchsorted(t, ticks, side="right") - 1
        path = new_path(self._record_folder, self._record_name, ".mp4")
        write_video(path, np.stack([frames[i][1] for i in idx]), fps=RECORD_FPS)
        return path

    # --- one frame
    def _neutral(self, pts: np.ndarray, now: float) -> np.ndarray:
        from .driving import neutral_frame

        if self.reference is None or (self._started is not None and now - self._started < NEUTRAL_SECONDS):
            if self._started is None:
                self._started = now
            self._candidates.append(pts)
            self.reference = self._candidates[neutral_frame(np.stack(self._candidates))]
        return self.reference

    def process(self, data, now: float | None = None) -> LiveFrame:
        """One camera frame -> LiveFrame. A frame that cannot be read, or shows no face, gives a LiveFrame with one
        sentence in .status and no image; the session keeps going. now: the frame's time in s (perf_counter)."""
        from .warps import transfer_motion

        now = time.perf_counter() if now is None else now
        ms: dict[str, float] = {}
        t = time.perf_counter()
        try:
            frame = decode_frame(data)
        except CourseError as err:
            return LiveFrame(None, None, str(err), ms={"decode": 1000 * (time.perf_counter() - t)})
        ms["decode"] = 1000 * (time.perf_counter() - t)
        t = time.perf_counter()
        pts = self.tracker.update(frame)
        ms["track"] = 1000 * (time.perf_counter() - t)
        self.frames_seen += 1
        if pts is None:
            self._smoothed = None
            out = LiveFrame(None, None, LOOKING, ms=ms)
            self._keep(out, now)
            return out
        t = time.perf_counter()
        if self._smoothed is not None and self.smooth < 1:
            pts = (self.smooth * pts + (1 - self.smooth) * self._smoothed).astype(np.float32)
        self._smoothed = pts
        ref = self._neutral(pts, now)
        target = transfer_motion(self.points, pts, ref)
        image = self.render(target[None])[0]
        ms["animate"] = 1000 * (time.perf_counter() - t)
        t = time.perf_counter()
        jpeg = encode_frame(image)
        ms["encode"] = 1000 * (time.perf_counter() - t)
        out = LiveFrame(image, jpeg, "", points=pts, ms=ms)
        self._keep(out, now)
        return out

    def _keep(self, out: LiveFrame, now: float) -> None:
        """While recording: keep the portrait frame; when the time is up, write the MP4 (or say why not)."""
        if self._recording is None:
            return
        if self._record_start is None:
            self._record_start = now
        if out.image is not None:
            self._recording.append((now, out.image))
        if now - self._record_start >= self._record_seconds:
            try:
                out.saved = self.saved = self._finish_recording()
            except CourseError as err:
                out.status = str(err)

    saved: Path | None = None


def animate_video(image, video, animator: str = "warp", folder=None, name: str = "my_video_portrait",
                  points=None) -> tuple[Path, np.ndarray]:
    """A video of yourself (a file path, any format ffmpeg reads) drives the portrait, as the camera does, and the
    portrait's animation is saved as an MP4 in `folder` (the course's output folder 'live' by default), never
    overwriting a file. The video is tracked whole first (driving.load_video: smoothed without lag, neutral
    frame chosen from the whole clip). Returns (the MP4's path, the frames (T, SIZE, SIZE, 3)); a video that is not
    one, or shows no face, raises CourseError with one sentence."""
    from .config import output_dir
    from .driving import load_video
    from .talking_heads.data import write_video
    from .uploads import new_path
    from .warps import transfer_motion

    session = LiveSession(image, points=points, animator=animator)
    clip = load_video(video)
    targets = transfer_motion(session.points, clip.points, clip.reference_points)
    frames = session.render(targets)
    path = new_path(Path(folder) if folder is not None else output_dir("live"), name, ".mp4")
    write_video(path, frames, fps=clip.fps)
    return path, frames
