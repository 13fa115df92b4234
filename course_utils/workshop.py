"""The executive workshop page (notebooks/workshop.ipynb, served by Voilà): its logic, out of sight.

    app = WorkshopApp()          # builds the widgets only: nothing heavy runs until a button is pressed
    display(app.studio)          # portrait, driving clip, "Make it talk", driver | learned animator | warp | GAN
    display(app.quiz_box)        # "spot the fake": a few rounds, a running score, an explanation each time

Pieces a test can call without a browser:
    CLIPS, clips(), clip_by_label(label)        the driving clips (FaceWorld people talking; clips() adds the real
                                                person fetched at setup, python -m course_utils.fetch, when present)
    load_portrait(name), add_upload(value)      portraits; an upload is checked and kept (CourseError if bad)
    Quiz(seed, n_rounds, kinds)                 the quiz's rounds, answers and score (no pictures)
    round_images(round) -> (A, B)               the two pictures of one round, (192, 192, 3) uint8 each
    one_sentence(error)                         what the page shows for an error: one sentence, never a traceback

Starting it: `make workshop` (voila notebooks/workshop.ipynb), or on Binder with
`?urlpath=voila%2Frender%2Fnotebooks%2Fworkshop.ipynb`.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import output_dir
from .errors import CourseError

DISPLAY = 240           # px: every animation and quiz picture is shown this wide
QUIZ_SIZE = 192         # px: quiz pictures are delivered at this size
FINE_TUNE_SECONDS = 20  # the GAN's personalisation (K = 1 fine-tuning) stops after at most this long
FINE_TUNE_STEPS = 60
FPS = 20
FRAME_SIZE = 256        # px: the portrait's face is framed once, at this size, for the warp and the GAN


# ----------------------------------------------------------------------------------------- driving clips

@dataclass(frozen=True)
class Clip:
    """A driving clip: a FaceWorld person (seed) talking for n_frames, head turns scaled by head_motion; or, with
    `video`, the first n_frames of a real video file (tracked by course_utils.driving)."""

    label: str
    seed: int
    head_motion: float = 0.5
    n_frames: int = 40
    video: str = ""


CLIPS = (
    Clip("Speaker 1 — calm, head still", seed=3, head_motion=0.2),
    Clip("Speaker 2 — lively, head moving", seed=7, head_motion=0.8),
    Clip("Speaker 3 — talking, a little head motion", seed=12, head_motion=0.5),
)


REAL_CLIP_LABEL = "A real person — NASA astronaut interview (public domain)"


def clips() -> tuple[Clip, ...]:
    """The clips the page offers: CLIPS, then the real talking clip when the setup could fetch it."""
    from .driving import real_driver_path

    path = real_driver_path()
    return CLIPS + ((Clip(REAL_CLIP_LABEL, seed=-1, n_frames=50, video=str(path)),) if path.exists() else ())


def clip_by_label(label: str) -> Clip:
    offered = clips()
    for clip in offered:
        if clip.label == label:
            return clip
    raise CourseError(f"There is no driving clip called {label!r}; choose one of: {', '.join(c.label for c in offered)}.")


@functools.lru_cache(maxsize=len(CLIPS) + 1)
def driving_clip(clip: Clip):
    """(driver images (T, 128, 128, 3) uint8, landmarks (T, 68, 2), neutral landmarks (68, 2)) of one clip."""
    if clip.video:
        from .driving import load_video

        video = load_video(clip.video, max_seconds=clip.n_frames / 25)
        return video.face_frames(128), video.points, video.reference_points
    from .faces.drivers import faceworld_driver

    return faceworld_driver(n_frames=clip.n_frames, seed=clip.seed, head_motion=clip.head_motion, size=128)


# ----------------------------------------------------------------------------------------------- portraits

def load_portrait(name: str):
    """images.Portrait for a name of images.available_portraits(); never downloads (a page must not wait)."""
    from . import images

    if name == "mona_lisa":
        return images.mona_lisa(allow_download=False)
    return images.portrait(name)


def upload_content(value) -> tuple[bytes, str]:
    """(bytes, file name) of a FileUpload widget's value (ipywidgets 8: a tuple of dicts; 7: a dict)."""
    from .uploads import upload_bytes, upload_name

    data = upload_bytes(value)
    if not isinstance(data, bytes):
        raise CourseError("Nothing was uploaded; choose a picture file (JPEG or PNG) with the Upload button.")
    return data, upload_name(value)


def add_upload(value) -> str:
    """Check an upload and keep it with the portraits; returns its portrait name. CourseError for a bad file."""
    from . import images

    data, name = upload_content(value)
    return images.save_upload(data, name)


def one_sentence(err: BaseException, doing: str = "working") -> str:
    """What the page says about an error: a CourseError's own sentence; anything else, one short line."""
    if isinstance(err, CourseError):
        return str(err).strip()
    detail = " ".join(str(err).split())[:160]
    return (f"Something went wrong while {doing} ({type(err).__name__}{': ' + detail if detail else ''}); "
            "try another picture or clip.")


def upscale(frame: np.ndarray, size: int = 256) -> np.ndarray:
    """(h, w, 3) uint8 -> (size, size, 3) uint8, bicubic (for showing the GAN's 64 px frames)."""
    import cv2

    return cv2.resize(np.asarray(frame, np.uint8), (size, size), interpolation=cv2.INTER_CUBIC)


def gif_html(frames, caption: str, fps: float = FPS, width: int = DISPLAY) -> str:
    """HTML: the frames as a looping GIF (a data-URI <img>) with a caption underneath."""
    from . import viz

    img = viz.animation(frames, fps=fps, width=width).data
    return (f'<figure style="margin:0">{img}'
            f'<figcaption style="max-width:{width}px;line-height:1.35;font-size:13px;margin-top:4px">'
            f'{caption}</figcaption></figure>')


def still_html(image, caption: str, width: int = DISPLAY, caption_width: int | None = None) -> str:
    """HTML: one picture (PNG data URI) with a caption."""
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(image, np.uint8)).save(buf, format="PNG")
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return (f'<figure style="margin:0"><img src="{src}" width="{width}" alt="{caption}">'
            f'<figcaption style="max-width:{caption_width or width}px;line-height:1.35;font-size:13px;margin-top:4px">'
            f'{caption}</figcaption></figure>')


def placeholder_html(text: str, width: int = DISPLAY) -> str:
    return (f'<div style="width:{width}px;height:{width}px;border:1px dashed #bbb;display:flex;align-items:center;'
            f'justify-content:center;text-align:center;color:#777;padding:8px;box-sizing:border-box">{text}</div>')


@functools.lru_cache(maxsize=1)
def talking_head_gan():
    """The shipped talking-head GAN (checkpoints/talking_heads_small.pt); CourseError when it is missing."""
    from .talking_heads.train import load_talking_heads

    return load_talking_heads()


@functools.lru_cache(maxsize=1)
def learned_animator():
    """The shipped learned animator (checkpoints/animator.pt, chapter 09); CourseError when it is missing."""
    from .animator.train import load_animator

    return load_animator()


def talking_head_available() -> bool:
    try:
        talking_head_gan()
        return True
    except CourseError:
        return False


# ---------------------------------------------------------------------------------------------------- quiz

QUIZ_PHOTOS = ("astronaut", "grace_hopper")  # real photographs (they ship with scikit-image and matplotlib)
WATERMARK_KEY = 2019                          # the key the quiz's fakes are marked with
WATERMARK_TEXT = "fake"
WATERMARK_STRENGTH = 3.0                      # grey levels (RMS): invisible, and read reliably at 192 px
EXPLANATIONS = {
    "warp": "The fake is the real photograph with its face moved to a new expression by a hand-made rule (chapter "
            "04): the pixels are the photo's own, pushed along the 68 landmarks. Tells, when you can see them: the "
            "inside of an opened mouth is painted in, and the skin does not fold the way muscles fold it.",
    "animator": "The fake is the real photograph moved to a new expression by the learned animator (chapter 09): it "
                "moves the photo's own pixels and paints only what is new — the inside of the mouth, closing lids. "
                "Tells, when you can see them: a softer mouth, stretched teeth.",
    "detector": "The fake was made by the learned animator (chapter 09). Below: what a detector from chapter 10 said.",
    "watermark": "The fake was made by the learned animator and carries an invisible watermark (chapter 10). Below: "
                 "what the watermark reader found.",
}
KIND_NAMES = {"warp": "landmark warp of a real photo", "animator": "learned animator on a real photo",
              "detector": "learned animator, shown to a detector", "watermark": "learned animator, watermarked"}
KINDS = ("warp", "animator", "detector", "watermark")


@dataclass(frozen=True)
class Round:
    """One quiz round: what kind of fake, on which side ('A' or 'B') it is, the seed of its pictures and the
    photograph both pictures come from."""

    kind: str
    fake_side: str
    seed: int
    photo: str = "astronaut"

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self.kind]


@dataclass
class Feedback:
    correct: bool
    message: str


@dataclass
class Quiz:
    """"Spot the fake": n_rounds rounds of two pictures made from one real photograph — the photograph itself
    (moved a little, as a camera would) and a fake with a new expression; the same seed gives the same rounds.
    answer('A' or 'B') scores the current round once; next_round() moves on. notes[i]: what a detector or the
    watermark reader said about round i (filled when its pictures are made), shown after the answer."""

    seed: int = 0
    n_rounds: int = 8
    kinds: tuple[str, ...] = KINDS
    photos: tuple[str, ...] = QUIZ_PHOTOS
    rounds: list[Round] = field(init=False)
    index: int = field(default=0, init=False)
    score: int = field(default=0, init=False)
    answers: list[str] = field(default_factory=list, init=False)
    notes: dict[int, str] = field(default_factory=dict, init=False)

    def __post_init__(self):
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise CourseError(f"Quiz kinds must be some of {', '.join(KINDS)}, not {sorted(unknown) or 'none'}.")
        if not 1 <= self.n_rounds <= 20:
            raise CourseError(f"A quiz has 1 to 20 rounds, not {self.n_rounds}.")
        if not self.photos:
            raise CourseError("The quiz needs at least one real photograph.")
        rng = np.random.default_rng([int(self.seed), 0x0F4CE])
        # every kind comes up about equally often, in a seeded order; the photographs take turns
        kinds = [self.kinds[i % len(self.kinds)] for i in range(self.n_rounds)]
        order = rng.permutation(self.n_rounds)
        sides = rng.integers(0, 2, self.n_rounds)
        seeds = rng.integers(0, 2**31 - 1, self.n_rounds)
        photos = [self.photos[i % len(self.photos)] for i in rng.permutation(self.n_rounds)]
        self.rounds = [Round(kinds[o], "AB"[s], int(k), ph) for o, s, k, ph in zip(order, sides, seeds, photos)]

    @property
    def finished(self) -> bool:
        return self.index >= self.n_rounds

    @property
    def current(self) -> Round:
        if self.finished:
            raise CourseError("The quiz is over; start a new one to play again.")
        return self.rounds[self.index]

    @property
    def answered(self) -> bool:
        """Whether the current round has been answered (answers are kept in order, one per round)."""
        return len(self.answers) > self.index

    def answer(self, side: str) -> Feedback:
        side = str(side).strip().upper()
        if side not in ("A", "B"):
            raise CourseError(f"Answer 'A' or 'B', not {side!r}.")
        rnd = self.current
        if self.answered:
            raise CourseError("This round is already answered; go on to the next one.")
        self.answers.append(side)
        correct = side == rnd.fake_side
        self.score += int(correct)
        head = "✔ Right:" if correct else f"✘ Not this time — {rnd.fake_side} was the fake."
        note = self.notes.get(self.index, "")
        return Feedback(correct, f"{head} {rnd.explanation}" + (f" {note}" if note else ""))

    def next_round(self) -> None:
        if not self.answered:
            raise CourseError("Answer this round first: which picture is the fake, A or B?")
        self.index += 1

    def score_line(self) -> str:
        return f"Score: {self.score} / {len(self.answers)}" + (f" · round {self.index + 1} of {self.n_rounds}"
                                                                 if not self.finished else "")

    def summary(self) -> str:
        n, s = self.n_rounds, self.score
        p = chance_of_at_least(s, n)
        verdict = (f"Guessing would spot {n / 2:g} on average, and {s} or more in {p:.0%} of tries"
                   + (" — so this score could well be luck." if p > 0.05 else " — better than luck."))
        return f"You spotted {s} of {n} fakes. {verdict}"


def chance_of_at_least(score: int, n: int) -> float:
    """P(at least `score` right of n by tossing a coin each round)."""
    from math import comb

    return sum(comb(n, k) for k in range(int(score), n + 1)) / 2 ** n


def quiz_kinds() -> tuple[str, ...]:
    """The kinds of fakes this installation can make: all but the warp need the learned animator's checkpoint."""
    try:
        learned_animator()
        return KINDS
    except CourseError:
        return ("warp",)


@functools.lru_cache(maxsize=8)
def _photo_face(name: str):
    """(the photograph's face framed at FRAME_SIZE like a FaceWorld frame, its 68 landmarks)."""
    from . import landmarks
    from .talking_heads.portrait import crop_like_faceworld

    image = load_portrait(name).image
    found = landmarks.detect(image, backend="dlib").faces
    if not found:
        raise CourseError(f"No face was found in the photograph {name!r}; it cannot be used in the quiz.")
    return crop_like_faceworld(image, found[0].points, FRAME_SIZE)


def _camera_move(rng: np.random.Generator) -> np.ndarray:
    """A small 2x3 similarity about the frame's centre: what a head or a camera moves between two shots."""
    import cv2

    c = (FRAME_SIZE - 1) / 2
    m = cv2.getRotationMatrix2D((c, c), float(rng.uniform(-4, 4)), float(rng.uniform(0.97, 1.03)))
    m[:, 2] += rng.uniform(-4, 4, 2)
    return m.astype(np.float32)


def _fake_and_real(rnd: Round) -> tuple[np.ndarray, np.ndarray]:
    """(fake, real) at FRAME_SIZE from one photograph. Both are resampled once along a small camera move, so
    neither is sharper for having been resampled less: the real one is the photograph moved, the fake one is
    the photograph moved *and* given a new expression."""
    import cv2

    from .faces.framing import move_points
    from .warps import expression_points

    face, points = _photo_face(rnd.photo)
    rng = np.random.default_rng([rnd.seed, 0x9A])
    real = cv2.warpAffine(face, _camera_move(rng), (FRAME_SIZE, FRAME_SIZE), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
    move = _camera_move(rng)
    # half the fakes keep the photo's mouth as it is and change the smile, the brows and the pose only, so an
    # opened mouth is no giveaway (the bench suite `quiz` measures that rule too)
    jaw = float(rng.uniform(0.1, 0.35)) if rng.random() < 0.5 else 0.0
    expr = expression_points(points, smile=float(rng.uniform(0.0, 0.6)), jaw_open=jaw,
                             brow_raise=float(rng.uniform(0, 0.5)), yaw=float(rng.uniform(-8, 8)),
                             pitch=float(rng.uniform(-5, 5)))
    target = move_points(expr, move)
    if rnd.kind == "warp":
        from .warps import PortraitAnimator

        return PortraitAnimator(face, points=points, crop=False).render(target), real
    from .animator.portrait import PortraitAnimator as Learned

    fake = Learned(face, points=points, model=learned_animator(), size=FRAME_SIZE).render(target[None])[0]
    return fake, real


@functools.lru_cache(maxsize=1)
def gan_detector():
    """Chapter 10's frequency detector, trained here in seconds on what it can know: real FaceWorld frames
    against chapter 07's GAN pictures. (logistic model, SIZE) — it never sees a warp or the learned animator."""
    from . import fakes

    data = fakes.build_image_set(n_train=8, n_test=1, frames=4, sources=("gan07",), verbose=False)
    train = data.split == "train"
    return fakes.fit_logistic(fakes.radial_spectrum(data.images[train]), data.label[train]), fakes.SIZE


def detector_says(pictures) -> list[float]:
    """The GAN-trained detector's probability of 'fake' for each (H, W, 3) picture (seen at 64 px)."""
    import cv2

    from . import fakes

    clf, size = gan_detector()
    small = np.stack([cv2.resize(p, (size, size), interpolation=cv2.INTER_AREA) for p in pictures])
    return [float(x) for x in fakes.predict_logistic(clf, fakes.radial_spectrum(small))]


def camera_processing(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """What cameras and websites do to every picture, drawn at random for each: a little softening or sharpening,
    then JPEG at quality 75-95. Both pictures of a round get their own draw, so neither is told by its sharpness."""
    import cv2

    img = image.astype(np.float32)
    soft = cv2.GaussianBlur(img, (0, 0), 1.0)
    amount = float(rng.uniform(-0.6, 0.9))  # < 0 softens (towards the blurred copy), > 0 sharpens (unsharp mask)
    img = np.clip(img + amount * (img - soft), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(75, 96))])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def round_pictures(rnd: Round, size: int = QUIZ_SIZE) -> tuple[np.ndarray, np.ndarray, str]:
    """The two pictures (A, B) of a round, (size, size, 3) uint8, both resized the same way, and what a detector
    or the watermark reader says of them ('' for the other kinds)."""
    import cv2

    from . import watermark

    rng = np.random.default_rng([rnd.seed, 0x5C])
    fake, real = (camera_processing(cv2.resize(np.asarray(x, np.uint8), (size, size), interpolation=cv2.INTER_AREA), rng)
                  for x in _fake_and_real(rnd))
    note = ""
    if rnd.kind == "watermark":
        fake = watermark.embed(fake, WATERMARK_TEXT, key=WATERMARK_KEY, strength=WATERMARK_STRENGTH)
    a, b = (fake, real) if rnd.fake_side == "A" else (real, fake)
    if rnd.kind == "detector":
        pa, pb = detector_says([a, b])
        calls = lambda p: "fake" if p >= 0.5 else "real"  # noqa: E731
        caught = calls(pa if rnd.fake_side == "A" else pb) == "fake"
        note = (f"A detector trained to catch GAN pictures (chapter 07's) says A is {pa:.0%} likely fake ({calls(pa)}) "
                f"and B {pb:.0%} ({calls(pb)}): "
                + ("it caught this one, though it never saw this generator." if caught else
                   "it missed the fake — it never saw this generator, and detectors catch what they were trained on."))
    if rnd.kind == "watermark":
        ra, rb = (watermark.read(x, key=WATERMARK_KEY) for x in (a, b))
        said = lambda r: (f"marked (reads “{watermark.bits_to_text(r.bits)}”)" if r.found  # noqa: E731
                          else "no mark")
        note = (f"The watermark reader, with the key, finds A: {said(ra)}; B: {said(rb)}. The mark changes the "
                "picture by about 3 grey levels — invisible, yet it settles the question where the eye cannot.")
    return a, b, note


def round_images(rnd: Round, size: int = QUIZ_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The two pictures (A, B) of a round (round_pictures without the note)."""
    return round_pictures(rnd, size)[:2]


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of the grey picture: higher is sharper."""
    import cv2

    grey = cv2.cvtColor(np.asarray(image, np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def room_line(quiz: Quiz) -> str:
    """Keep this quiz's score with the others played on this machine (one file in the workshop's output folder:
    everyone in a room using one `make workshop` server shares it) and say how the room compares with chance."""
    import json

    path = output_dir("workshop") / "quiz_scores.jsonl"
    try:
        with open(path, "a") as f:
            f.write(json.dumps({"score": quiz.score, "rounds": quiz.n_rounds, "seed": quiz.seed}) + "\n")
        rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    except (OSError, ValueError):
        return "(The room's scores could not be kept on this machine.)"
    right, total = sum(r["score"] for r in rows), sum(r["rounds"] for r in rows)
    return (f"The room so far (every quiz finished on this machine): {len(rows)} quiz{'zes' if len(rows) > 1 else ''}, "
            f"{right} of {total} fakes spotted ({right / total:.0%}); guessing spots 50%.")


# ---------------------------------------------------------------------------------------------- the app

class WorkshopApp:
    """The page's widgets and what its buttons do. Building it is cheap; the work starts on a click."""

    def __init__(self, quiz_rounds: int = 8, background: bool = True):
        import ipywidgets as W

        from . import images

        self.background = background
        self._lock = threading.Lock()
        self._models: dict[str, dict] = {}
        names = images.available_portraits()
        self.portrait = W.Dropdown(options=[(self._nice(n), n) for n in names], value="mona_lisa",
                                   description="Portrait", layout=W.Layout(width="360px"),
                                   style={"description_width": "90px"})
        self.portrait.add_class("ws-portrait")
        self.upload = W.FileUpload(accept="image/*", multiple=False, description="Upload a portrait",
                                   layout=W.Layout(width="180px", margin="2px 2px 2px 96px"))
        self.upload.add_class("ws-upload")
        self.clip = W.Dropdown(options=[c.label for c in clips()], value=CLIPS[0].label, description="Driving clip",
                               layout=W.Layout(width="360px"), style={"description_width": "90px"})
        self.clip.add_class("ws-clip")
        self.talk = W.Button(description="Make it talk", button_style="primary", icon="play",
                             layout=W.Layout(width="180px", margin="2px 2px 2px 96px"))
        self.talk.add_class("ws-talk")
        self.status = W.HTML(self._status_text("Choose a portrait and a driving clip, then press <b>Make it talk</b>."))
        self.status.add_class("ws-status")
        self.preview = W.HTML()
        self.preview.add_class("ws-preview")
        self.driver_view = W.HTML(placeholder_html("the driving clip"))
        self.driver_view.add_class("ws-driver")
        self.learned_view = W.HTML(placeholder_html("the learned animator (chapter 09)"))
        self.learned_view.add_class("ws-learned")
        self.warp_view = W.HTML(placeholder_html("the warp (chapter 04)"))
        self.warp_view.add_class("ws-warp")
        self.gan_view = W.HTML(placeholder_html("the talking-head GAN (chapter 08)"))
        self.gan_view.add_class("ws-gan")
        controls = W.VBox([self.portrait, self.upload, self.clip, self.talk],
                          layout=W.Layout(justify_content="space-between", min_height="150px"))
        self.studio = W.VBox([
            W.HBox([controls, self.preview], layout=W.Layout(align_items="flex-start", grid_gap="24px")),
            self.status,
            W.HBox([self.driver_view, self.learned_view, self.warp_view, self.gan_view],
                   layout=W.Layout(grid_gap="16px", flex_flow="row wrap", align_items="flex-start")),
        ], layout=W.Layout(grid_gap="10px"))
        self.studio.add_class("ws-studio")
        self.portrait.observe(self._on_portrait, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.talk.on_click(self._on_talk)
        self._show_preview(self.portrait.value)
        self._build_live()
        self._build_quiz(quiz_rounds)

    # ----- live: your own face drives the portrait
    def _build_live(self) -> None:
        import ipywidgets as W

        self.puppet = None
        self.live_open = W.Button(description="Use my camera", button_style="primary", icon="video-camera",
                                  layout=W.Layout(width="180px"))
        self.live_open.add_class("ws-live-open")
        self.live_status = W.HTML(self._status_text(
            "Press <b>Use my camera</b>, then <b>Start camera</b>: your face drives the portrait chosen above, live. "
            "The camera stays off until you start it, and nothing from it is kept."))
        self.live_status.add_class("ws-live-status")
        self.video_upload = W.FileUpload(accept="video/*", multiple=False, description="Upload a video of yourself",
                                         layout=W.Layout(width="240px"))
        self.video_upload.add_class("ws-video-upload")
        self.video_view = W.HTML()
        self.video_view.add_class("ws-video-view")
        self.live = W.VBox([W.HBox([self.live_open, self.video_upload], layout=W.Layout(grid_gap="12px")),
                            self.live_status, self.video_view], layout=W.Layout(grid_gap="8px"))
        self.live.add_class("ws-live")
        self.live_open.on_click(self._on_live_open)
        self.video_upload.observe(self._on_video_upload, names="value")

    def _on_video_upload(self, change) -> None:
        """No camera? A video of yourself drives the chosen portrait; the animation is saved as an MP4."""
        if not change["new"]:
            return
        try:
            from .driving import save_video_upload
            from .live import animate_video
            from .webcam import available_animators

            data, name = upload_content(change["new"])
            self.live_status.value = self._status_text("Reading your video and finding your face in every frame …")
            video = save_video_upload(data, name)
            kind = available_animators()[0][0]
            path, frames = animate_video(load_portrait(self.portrait.value).image, video, animator=kind,
                                         folder=output_dir("workshop"), name=f"{Path(name).stem}_portrait")
        except Exception as err:  # noqa: BLE001 - the page shows one sentence, never a traceback
            self.live_status.value = self._status_text(one_sentence(err, "reading the video"), error=True)
            return
        finally:
            self.video_upload.value = ()
        self.video_view.value = gif_html(frames[:75:2], f"<b>Your video drives {self._nice(self.portrait.value)}</b> "
                                         f"(the first 3 s; {len(frames)} frames saved)", fps=FPS / 2)
        self.live_status.value = self._status_text(f"Saved the portrait's animation as {path}.")

    def _on_live_open(self, _button=None) -> None:
        """Build the webcam puppet for the portrait chosen above (once; later portraits are handed to it)."""
        try:
            p = load_portrait(self.portrait.value)
            if self.puppet is None:
                from .webcam import WebcamPuppet

                self.puppet = WebcamPuppet(p.image, folder=output_dir("workshop"))
                self.puppet.add_class("ws-camera")
                self.live.children = [self.puppet, self.live_status]
            else:
                self.puppet.set_portrait(p.image)
        except Exception as err:  # noqa: BLE001 - the page shows one sentence, never a traceback
            self.live_status.value = self._status_text(one_sentence(err, "setting up the live camera"), error=True)
            return
        self.live_status.value = self._status_text(
            f"Live portrait: {self._nice(self.portrait.value)}. Press <b>Start camera</b>; your browser asks first. "
            "Choose another portrait above and it is used at once.")

    # ----- studio
    @staticmethod
    def _nice(name: str) -> str:
        return {"mona_lisa": "Mona Lisa", "astronaut": "Astronaut (photo)"}.get(name, f"Upload: {name}")

    @staticmethod
    def _status_text(text: str, error: bool = False) -> str:
        colour, back = ("#b00020", "#fdecee") if error else ("#1f3a5f", "#eef3f9")
        return (f'<div style="color:{colour};background:{back};padding:6px 10px;border-radius:4px;'
                f'max-width:760px;line-height:1.4">{"⚠ " if error else ""}{text}</div>')

    def say(self, text: str, error: bool = False) -> None:
        self.status.value = self._status_text(text, error)

    def _show_preview(self, name: str) -> None:
        try:
            p = load_portrait(name)
        except Exception as err:  # noqa: BLE001 - the page shows one sentence, never a traceback
            self.preview.value = ""
            self.say(one_sentence(err, "loading the portrait"), error=True)
            return
        import cv2

        h, w = p.image.shape[:2]
        small = cv2.resize(p.image, (max(1, round(140 * w / h)), 140), interpolation=cv2.INTER_AREA)
        note = " (a stand-in: the real painting is not in the data cache)" if p.stand_in else ""
        self.preview.value = still_html(small, f"{self._nice(name)}{note}", width=small.shape[1],
                                        caption_width=max(small.shape[1], 260))

    def _on_portrait(self, change) -> None:
        self._show_preview(change["new"])
        if self.puppet is not None:
            self._on_live_open()

    def _on_upload(self, change) -> None:
        if not change["new"]:
            return
        try:
            name = add_upload(change["new"])
        except Exception as err:  # noqa: BLE001
            self.say(one_sentence(err, "reading the upload"), error=True)
            return
        finally:
            self.upload.value = ()  # ready for the next file (the button shows no stale count)
        options = list(self.portrait.options)
        if name not in [v for _, v in options]:
            self.portrait.options = options + [(self._nice(name), name)]
        self.portrait.value = name
        self.say(f"Your picture is ready as “{self._nice(name)}”; press <b>Make it talk</b>.")

    def _on_talk(self, _button=None) -> None:
        if not self._lock.acquire(blocking=False):
            self.say("Still working on the last one — a moment, please.")
            return
        self.talk.disabled = True
        if self.background:
            threading.Thread(target=self._talk_then_release, daemon=True).start()
        else:
            self._talk_then_release()

    def _talk_then_release(self) -> None:
        try:
            self.make_it_talk(self.portrait.value, clip_by_label(self.clip.value))
        finally:
            self.talk.disabled = False
            self._lock.release()

    def make_it_talk(self, name: str, clip: Clip, fine_tune: bool = True) -> bool:
        """Fill the panels for one portrait and clip — the driver, the learned animator (the headline), the warp and
        the GAN; False (and one sentence in the status) on error. A missing animator or GAN checkpoint leaves its
        panel with one sentence, the others still play."""
        t0 = time.perf_counter()
        models = self._models.setdefault(name, {})
        try:
            self.say("Preparing the driving clip …")
            drv_images, drv_points, drv_ref = driving_clip(clip)
            kind = "a real video" if clip.video else "FaceWorld"
            self.driver_view.value = gif_html(drv_images, f"<b>Driving clip</b>: {clip.label} ({kind}, 128 px)")
            self.say("Finding the face and warping the portrait (chapter 04) …")
            if "animator" not in models:
                from . import landmarks
                from .talking_heads.portrait import crop_like_faceworld
                from .warps import PortraitAnimator

                image = load_portrait(name).image
                points = landmarks.detect(image).faces[0].points
                # found once and framed once (as FaceWorld frames are, at 256 px): the warp and the GAN see one crop
                models["face"], models["points"] = crop_like_faceworld(image, points, FRAME_SIZE)
                models["animator"] = PortraitAnimator(models["face"], points=models["points"], crop=False)
            self._show_learned(models, drv_points, drv_ref)
            warp = models["animator"].drive(drv_points, drv_ref)
            self.warp_view.value = gif_html(warp, "<b>Warp</b> (chapter 04): the portrait's own pixels pushed "
                                                  "along the driver's landmark motion by a hand-made rule (256 px)")
        except Exception as err:  # noqa: BLE001
            self.say(one_sentence(err, "animating the portrait"), error=True)
            return False
        try:
            self.say("Generating with the talking-head GAN (chapter 08) …")
            if "talker" not in models:
                from .talking_heads.portrait import TalkingPortrait

                models["talker"] = TalkingPortrait(models["face"], points=models["points"], gan=talking_head_gan())
            tp = models["talker"]
            self._show_gan(tp, drv_points, drv_ref)
            if fine_tune and not tp.tuned:
                self.say(f"Warp and GAN ready in {time.perf_counter() - t0:.0f} s. Now personalising the GAN to this "
                         f"portrait (fine-tuning, up to {FINE_TUNE_SECONDS} s) …")
                tp.fine_tune(steps=FINE_TUNE_STEPS, time_limit=FINE_TUNE_SECONDS)
                self._show_gan(tp, drv_points, drv_ref)
        except Exception as err:  # noqa: BLE001
            self.gan_view.value = placeholder_html(one_sentence(err, "running the GAN"))
            self.say(one_sentence(err, "running the GAN"), error=True)
            return False
        self.say(f"Done in {time.perf_counter() - t0:.0f} s. Try another clip or portrait — or test your eye in the "
                 f"quiz below.")
        return True

    def _show_learned(self, models: dict, drv_points, drv_ref) -> None:
        """The headline panel: the learned animator (chapter 09), or one sentence when its checkpoint is missing."""
        self.say("Animating with the learned animator (chapter 09) …")
        try:
            if "learned" not in models:
                from .animator.portrait import PortraitAnimator as LearnedPortrait

                models["learned"] = LearnedPortrait(models["face"], points=models["points"], model=learned_animator(),
                                                    size=FRAME_SIZE)
            frames = models["learned"].drive(drv_points, drv_ref)
        except CourseError as err:
            self.learned_view.value = placeholder_html(one_sentence(err, "loading the learned animator"))
            return
        self.learned_view.value = gif_html(frames, "<b>Learned animator</b> (chapter 09): a network learned how faces "
                                                   "move; it moves the portrait's own pixels and paints only what is "
                                                   "new, such as the inside of the mouth (256 px)")

    def _show_gan(self, tp, drv_points, drv_ref) -> None:
        frames = [upscale(f, 256) for f in tp.drive(drv_points, drv_ref)]
        how = ("fine-tuned on this one portrait" if tp.tuned else
               "one-shot, before fine-tuning")
        self.gan_view.value = gif_html(frames, f"<b>GAN</b> (chapter 08): every pixel generated, {how}; "
                                               f"made at 64 px, shown enlarged")

    # ----- quiz
    def _build_quiz(self, n_rounds: int) -> None:
        import ipywidgets as W

        self.quiz_rounds = n_rounds
        self.quiz: Quiz | None = None
        self.quiz_start = W.Button(description=f"Start the quiz ({n_rounds} rounds)", button_style="success",
                                   layout=W.Layout(width="220px"))
        self.quiz_start.add_class("ws-quiz-start")
        self.pick_a = W.Button(description="A is the fake", layout=W.Layout(width=f"{QUIZ_SIZE}px"))
        self.pick_b = W.Button(description="B is the fake", layout=W.Layout(width=f"{QUIZ_SIZE}px"))
        self.pick_a.add_class("ws-pick-a")
        self.pick_b.add_class("ws-pick-b")
        self.next_button = W.Button(description="Next round", layout=W.Layout(width="160px"))
        self.next_button.add_class("ws-next")
        self.picture_a, self.picture_b = W.HTML(), W.HTML()
        self.feedback = W.HTML()
        self.feedback.add_class("ws-feedback")
        self.score = W.HTML()
        self.score.add_class("ws-score")
        self.rounds_box = W.VBox([
            self.score,
            W.HBox([W.VBox([self.picture_a, self.pick_a]), W.VBox([self.picture_b, self.pick_b])],
                   layout=W.Layout(grid_gap="24px")),
            self.feedback, self.next_button,
        ], layout=W.Layout(display="none", grid_gap="8px"))
        self.quiz_box = W.VBox([self.quiz_start, self.rounds_box])
        self.quiz_box.add_class("ws-quiz")
        self.quiz_start.on_click(self._on_quiz_start)
        self.pick_a.on_click(lambda _b: self._on_pick("A"))
        self.pick_b.on_click(lambda _b: self._on_pick("B"))
        self.next_button.on_click(self._on_next)

    def start_quiz(self, seed: int = 0) -> None:
        from . import images

        uploads = []
        for name in (v for _, v in self.portrait.options if v not in images.available_portraits()):
            try:  # an uploaded photograph joins the quiz when a face is found in it
                _photo_face(name)
                uploads.append(name)
            except CourseError:
                pass
        uploads = tuple(uploads)
        self.quiz = Quiz(seed=seed, n_rounds=self.quiz_rounds, kinds=quiz_kinds(), photos=QUIZ_PHOTOS + uploads)
        self.rounds_box.layout.display = "flex"
        self.quiz_start.description = "Play again (new pictures)"
        self._show_round()

    def _on_quiz_start(self, _b=None) -> None:
        seed = 0 if self.quiz is None else self.quiz.seed + 1
        try:
            self.start_quiz(seed)
        except Exception as err:  # noqa: BLE001
            self.feedback.value = self._status_text(one_sentence(err, "making the quiz"), error=True)

    def _show_round(self) -> None:
        quiz = self.quiz
        self.feedback.value = ""
        self.next_button.layout.display = "none"
        if quiz.finished:
            self.picture_a.value = self.picture_b.value = ""
            self.pick_a.layout.display = self.pick_b.layout.display = "none"
            self.score.value = f"<h3>{quiz.summary()}</h3><p>{room_line(quiz)}</p>"
            return
        self.pick_a.layout.display = self.pick_b.layout.display = None
        self.pick_a.disabled = self.pick_b.disabled = False
        self.score.value = f"<b>{quiz.score_line()}</b> — one picture is real, one is fake. Which is the fake?"
        try:
            a, b, quiz.notes[quiz.index] = round_pictures(quiz.current)
        except Exception as err:  # noqa: BLE001
            self.feedback.value = self._status_text(one_sentence(err, "making the pictures"), error=True)
            return
        self.picture_a.value = still_html(a, "A", width=QUIZ_SIZE)
        self.picture_b.value = still_html(b, "B", width=QUIZ_SIZE)

    def _on_pick(self, side: str) -> None:
        if self.quiz is None or self.quiz.finished or self.quiz.answered:
            return
        fb = self.quiz.answer(side)
        self.pick_a.disabled = self.pick_b.disabled = True
        colour = "#1b7f3b" if fb.correct else "#b00020"
        kind = KIND_NAMES[self.quiz.current.kind]
        self.feedback.value = (f'<div style="color:{colour};max-width:{2 * QUIZ_SIZE + 24}px;line-height:1.4">{fb.message} '
                               f'<i>(kind of fake: {kind})</i></div>')
        self.score.value = f"<b>{self.quiz.score_line()}</b>"
        self.next_button.description = "See your score" if self.quiz.index + 1 >= self.quiz.n_rounds else "Next round"
        self.next_button.layout.display = None

    def _on_next(self, _b=None) -> None:
        if self.quiz is None or not self.quiz.answered:
            return
        self.quiz.next_round()
        self._show_round()
