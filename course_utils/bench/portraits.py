"""Suite `portraits`: every animator of the course on real portraits driven by real people, judged independently.

    python -m course_utils.bench portraits [--mode quick|standard|full] [--json PATH]

Portraits: the Mona Lisa, the astronaut, Grace Hopper, and a picture that goes through the upload path
(images.save_upload, then images.load_image). Drivers: the real clips in ../shared/real_faces/ (FaceWorld people
talking where that folder is absent; the notes say which). Each animator moves each portrait by each driver's
landmarks (relative motion from the driver's neutral frame, warps.transfer_motion); course_utils.judge scores
the frames with networks the course never trains against.

Methods: tps_warp, piecewise_warp, flow_warp, gan_ff, gan_ft and, once its checkpoint is shipped, animator (the
learned animator: dense motion, occlusion mask, painting; course_utils.animator).
Figures per method: same_person_<m>, id_dist_<m>, mouth_r_<m>, blink_r_<m>, follow_nme_<m>, sharpness_ratio_<m>,
flicker_<m>, fps_<m>_256 (the per-frame work at 256 px on one core). mouth_r and blink_r average only the
drivers whose mouth (eyes) move in the clip (judge.MIN_MOTION_SD; the notes name them): a correlation with a
still mouth is a correlation with landmark noise. A contact sheet of each method's worst and
best frames (by identity distance) is written to .bench/portraits-contact-sheet.png.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from .. import judge as J
from ..config import REPO_ROOT
from ..errors import CourseError
from .result import SuiteResult

REAL_CLIPS = REPO_ROOT.parent / "shared" / "real_faces"
SIZE = 256
FT_STEPS = 50
FW_IDENTITIES = {True: 6, False: 24}  # FaceWorld test people for the Table-1 figures at K = 1 (quick, other modes)
CONTACT_SHEET = REPO_ROOT / ".bench" / "portraits-contact-sheet.png"
FIGURES = ("same_person", "id_dist", "mouth_r", "blink_r", "follow_nme", "sharpness_ratio", "flicker")


# ----------------------------------------------------------------------------- the animators, one interface

class Animator:
    """source (256, 256, 3) uint8: the portrait's face as the animator frames it; points (68, 2) px in it;
    render(targets (T, 68, 2) in source px) -> (T, 256, 256, 3) uint8."""

    name = ""
    source: np.ndarray
    points: np.ndarray

    def render(self, targets: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class WarpAnimator(Animator):
    def __init__(self, image, points, method):
        from ..warps import PortraitAnimator

        self.name = {"tps": "tps_warp", "piecewise_affine": "piecewise_warp"}[method]
        self.anim = PortraitAnimator(image, points=points, method=method, work_size=SIZE)
        self.source, self.points = self.anim.crop, self.anim.points

    def render(self, targets):
        return np.stack([self.anim.render(t) for t in targets])


class FlowAnimator(Animator):
    """Chapter 04's learned flow network: the portrait's pixels moved along its predicted flow."""

    name = "flow_warp"

    def __init__(self, image, points, net):
        from ..talking_heads.portrait import crop_like_faceworld

        self.net = net
        self.source, self.points = crop_like_faceworld(image, points, SIZE)

    def render(self, targets):
        from ..faces.flow import warp
        from ..flow.net import predict_flow

        flows = predict_flow(self.net, np.repeat(self.source[None], len(targets), 0),
                             np.repeat(self.points[None], len(targets), 0), targets)
        return np.stack([warp(self.source, f) for f in flows])


class GanAnimator(Animator):
    """The 2019 talking-head GAN at its 64 px, shown at 256 px (bicubic), feed-forward or fine-tuned (FT_STEPS)."""

    def __init__(self, image, points, gan, tuned: bool):
        from ..talking_heads.portrait import TalkingPortrait, crop_like_faceworld

        self.name = "gan_ft" if tuned else "gan_ff"
        self.tp = TalkingPortrait(image, points=points, gan=gan)
        if tuned:
            self.tp.fine_tune(steps=FT_STEPS, seed=0)
        self.source, self.points = crop_like_faceworld(image, points, SIZE)
        self.k = self.tp.size / SIZE

    def render(self, targets):
        small = self.tp.render((np.asarray(targets, np.float32) + 0.5) * self.k - 0.5)
        return np.stack([cv2.resize(f, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC) for f in small])


class LearnedAnimatorBench(Animator):
    """The learned animator (course_utils.animator): the portrait's own pixels warped at 256 px along a learned
    motion, only what the warp cannot show painted."""

    name = "animator"

    def __init__(self, image, points, model, parts=False, windows=None):
        from ..animator.portrait import PortraitAnimator

        self.anim = PortraitAnimator(image, points=points, model=model, size=SIZE, parts=parts, windows=windows)
        self.source, self.points = self.anim.source, self.anim.points

    def render(self, targets):
        return self.anim.render(targets)


# ----------------------------------------------------------------------------- inputs

def portraits(quick: bool):
    """[(label, (H, W, 3) uint8)]: real portraits, and one read back through the upload path."""
    import io

    from PIL import Image

    from .. import images

    out = [(name, images.portrait(name).image) for name in ("mona_lisa", "astronaut", "grace_hopper")]
    if quick:
        return out[:2]
    upload = io.BytesIO()  # what a learner's upload widget hands over: the file's bytes
    Image.fromarray(np.ascontiguousarray(images.portrait("grace_hopper").image[:, ::-1])).save(upload, "JPEG", quality=85)
    out.append(("upload (mirrored JPEG)", images.load_image(upload.getvalue())))
    return out


def drivers(quick: bool, frames: int):
    """[(label, points (T, 68, 2), reference (68, 2), driver frames)] and a note saying where they came from."""
    from .. import driving, faces

    clips = sorted(REAL_CLIPS.glob("*.mp4")) if REAL_CLIPS.exists() else []
    out = []
    if clips:
        for clip in clips[:2] if quick else clips:
            v = driving.load_video(clip)
            start = max(0, min(len(v) - frames, len(v) // 3))
            out.append((clip.stem, v.points[start:start + frames], v.reference_points, v.frames[start:start + frames]))
        note = f"drivers: {len(out)} real clips from {REAL_CLIPS} ({', '.join(c for c, *_ in out)})"
    else:
        for seed in (1, 2) if quick else range(1, 7):
            images, points, neutral = faces.faceworld_driver(frames, seed=seed, head_motion=0.5, size=SIZE)
            out.append((f"faceworld_{seed}", points, neutral, images))
        note = f"drivers: FaceWorld people talking ({REAL_CLIPS} is absent: no real clips here)"
    return out, note


METHODS = ("tps_warp", "piecewise_warp", "flow_warp", "gan_ff", "gan_ft", "animator")


def animators_for(image, points, flow_net, gan, animator=None, methods=METHODS, parts=False, windows=None):
    """The animators for one portrait, those named in `methods`; the networks are loaded once for all portraits
    (FT works on a copy). The learned animator joins when its checkpoint is shipped."""
    import torch

    def tuned():
        torch.manual_seed(0)  # FT's fine-tuning draws from it
        return GanAnimator(image, points, gan, tuned=True)

    makers = {"tps_warp": lambda: WarpAnimator(image, points, "tps"),
              "piecewise_warp": lambda: WarpAnimator(image, points, "piecewise_affine"),
              "flow_warp": lambda: FlowAnimator(image, points, flow_net),
              "gan_ff": lambda: GanAnimator(image, points, gan, tuned=False),
              "gan_ft": tuned}
    if animator is not None:
        makers["animator"] = lambda: LearnedAnimatorBench(image, points, animator, parts, windows)
    return [make() for name, make in makers.items() if name in methods]


def load_learned_animator(path=None):
    """(the shipped learned animator, or the checkpoint file at `path`, or None; a note saying which, with the
    file's hash, so a run can be matched to a training stage)."""
    from ..animator.train import load_animator
    from ..checkpoints import CHECKPOINT_DIR, sha256_of

    try:
        model = load_animator(path=path)
    except CourseError as err:
        return None, f"learned animator left out: {err}"
    shown = "checkpoints/animator.pt" if path is None else str(path)
    digest = sha256_of(Path(path) if path is not None else CHECKPOINT_DIR / "animator.pt")
    return model, f"learned animator: {shown} (sha256 {digest[:12]}…)"


def load_part_windows(path=None, shipped: bool = True):
    """(the learned animator's part windows — a PartPainter — or False; a note saying which, with the file's hash).
    path: a checkpoint file, or 'none'; when None, the shipped windows if `shipped` and they are there (they were
    trained on the shipped animator, so an earlier stage given with --animator runs without them)."""
    from ..animator.parts import CHECKPOINT_NAME, load_parts, shipped_parts
    from ..checkpoints import CHECKPOINT_DIR, sha256_of

    none = False, "part windows: none (the animator's 64-px painting alone)"
    if path == "none" or (path is None and not shipped):
        return none
    try:
        painter = load_parts(path=path) if path is not None else shipped_parts()
    except CourseError as err:
        return False, f"part windows left out: {err}"
    if painter is None:
        return none
    file = CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.pt" if path is None else Path(path)
    shown = f"checkpoints/{file.name}" if path is None else str(path)
    return painter, f"part windows: {shown} (sha256 {sha256_of(file)[:12]}…)"


# ----------------------------------------------------------------------------- the suite

def run(mode: str, frames: int | None = None, animator=None, animator_note: str | None = None,
        methods=METHODS, parts=None, parts_note: str | None = None, windows=None) -> SuiteResult:
    """The suite; `animator`: a LearnedAnimator to measure instead of the shipped one (a training snapshot, an
    earlier stage: load_learned_animator(path) gives it and its `animator_note`); `methods`: a subset of METHODS;
    `parts`: the animator's part windows (a PartPainter, or False for none; None: load_part_windows decides);
    `windows`: which of them it uses ('mouth', 'eyes'; None: animator.parts.DISPLAY_GROUPS)."""
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise CourseError(f"Unknown animator(s) {sorted(unknown)} for the portraits suite; choose from {list(METHODS)}.")
    import torch

    from ..flow.net import load_flow_net
    from ..landmarks import detect
    from ..talking_heads.train import load_talking_heads
    from ..warps import transfer_motion

    quick = mode == "quick"
    frames = frames or (16 if quick else 32)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # fps is per core
    cv2.setNumThreads(1)
    try:
        drvs, note = drivers(quick, frames)
        verdicts: dict[str, list[tuple[str, J.Verdict]]] = {}  # method -> [(driver clip, verdict)]
        cases: list[dict] = []  # one per portrait × driver × method: where a mean is won or lost
        seconds: dict[str, float] = {}
        counted: dict[str, int] = {}
        sheet: dict[str, list] = {}
        flow_net, gan = load_flow_net(), load_talking_heads()
        if parts is None:
            parts, parts_note = load_part_windows(shipped=animator is None) if "animator" in methods else (False, None)
        if animator is None and "animator" in methods:
            animator, animator_note = load_learned_animator()
        animator_note = animator_note or f"learned animator: {'given by the caller' if animator else 'not run'}"
        parts_note = parts_note or ("part windows: given by the caller" if parts else "part windows: none")
        if parts:
            from ..animator.parts import DISPLAY_GROUPS

            parts_note += f"; windows used: {', '.join(windows or DISPLAY_GROUPS)}"
        for label, image in portraits(quick):
            points = detect(image, backend="dlib").faces[0].points
            for anim in animators_for(image, points, flow_net, gan, animator, methods, parts, windows):
                for clip, drv_points, reference, drv_frames in drvs:
                    targets = transfer_motion(anim.points, drv_points, reference)
                    t = time.perf_counter()
                    out = anim.render(targets)
                    dt = time.perf_counter() - t
                    v = J.judge(anim.source, out, targets=targets, driver_points=drv_points, seconds=dt)
                    verdicts.setdefault(anim.name, []).append((clip, v))
                    cases.append({"method": anim.name, "portrait": label, "driver": clip} | _case(v))
                    seconds[anim.name] = seconds.get(anim.name, 0.0) + dt
                    counted[anim.name] = counted.get(anim.name, 0) + len(out)
                    for i, d in enumerate(v.distances):
                        sheet.setdefault(anim.name, []).append((d, f"{label} × {clip}", out[i], drv_frames[i]))
    finally:
        torch.set_num_threads(threads)
        cv2.setNumThreads(-1)
    figures, rows = {}, []
    for method, vs in verdicts.items():
        mean = J.mean_verdict([v for _, v in vs])
        for key in FIGURES:
            figures[f"{key}_{method}"] = mean[key]
        figures[f"fps_{method}_256"] = counted[method] / seconds[method]
        rows.append({"method": method, "pairs": len(vs), "frames": int(mean["frames"]),
                     "same person": mean["same_person"], "id dist": mean["id_dist"], "mouth r": mean["mouth_r"],
                     "blink r": mean["blink_r"], "follow NME": mean["follow_nme"],
                     "sharpness": mean["sharpness_ratio"], "flicker": mean["flicker"],
                     "fps@256": figures[f"fps_{method}_256"]})
    fw_figures, fw_note = faceworld_k1(animator, flow_net, FW_IDENTITIES[quick])
    figures |= fw_figures
    contact_sheet(sheet, CONTACT_SHEET)
    counted_r = {key: sorted({clip for vs in verdicts.values() for clip, v in vs if np.isfinite(getattr(v, key))})
                 for key in ("mouth_r", "blink_r")}
    notes = [note, animator_note] + ([parts_note] if animator is not None else []) + [fw_note,
             f"mouth r is averaged over the drivers whose mouth moves, blink r over those whose eyes move (std of the "
             f"measure ≥ {J.MIN_MOTION_SD} over the clip; a correlation with a still mouth is one with noise): mouth "
             f"{', '.join(counted_r['mouth_r']) or 'none'}; eyes {', '.join(counted_r['blink_r']) or 'none'}",
             f"judge: dlib's face-recognition ResNet and 68-point predictor (same person: distance < {J.SAME_PERSON}); "
             f"GAN FT: {FT_STEPS} steps on the one portrait; fps on one core",
             f"contact sheet (worst and best frame per method, by identity distance): {CONTACT_SHEET}"]
    return SuiteResult(figures=figures, rows=rows, columns=list(rows[0]) if rows else ["method"], ok=bool(rows),
                       notes=notes, cases=cases)


def _case(v: J.Verdict) -> dict:
    """One animation's figures for the JSON's `cases` (null where the judge could not measure one)."""
    return {key: (round(float(getattr(v, key)), 4) if np.isfinite(getattr(v, key)) else None)
            for key in ("same_person", "mouth_r", "blink_r", "follow_nme", "sharpness_ratio", "flicker")}


def faceworld_k1(animator, flow_net, n_identities: int) -> tuple[dict[str, float], str]:
    """Chapter 08's Table-1 protocol at K = 1 (talking_heads.evaluate: FaceWorld test people never trained on, the
    one shot moved to 8 later frames of the same video): SSIM of the learned animator, both warps and the copy
    baseline, computed here on the first n people; FT's SSIM read from the committed table for the same people
    (checkpoints/talking_heads_small_eval.json, checked to be the same seeds), since fine-tuning every person
    takes an hour. ({figure: value}, a note)."""
    import json

    from ..checkpoints import CHECKPOINT_DIR
    from ..talking_heads.evaluate import RESULTS_FILE, ssim_psnr, test_videos, warp_outputs

    committed = json.loads((CHECKPOINT_DIR / RESULTS_FILE).read_text())
    settings = committed["settings"]
    videos = test_videos(n_identities, settings["targets_per_identity"], settings["size"], max(settings["shots"]),
                         settings["seed"])
    if [v.seed for v in videos] != settings["test_seeds"][:n_identities]:
        raise RuntimeError("the committed Table-1 evaluation was made on other people; re-run it first")
    truth = np.concatenate([v.targets for v in videos])
    figures = {}
    for method in ("animator", "flow_warp", "landmark_warp", "copy"):
        if method == "animator" and animator is None:
            continue
        out = np.concatenate([warp_outputs(v, 1, method, flow_net, animator) for v in videos])
        figures[f"ssim_{method}_fw_k1"] = float(ssim_psnr(out, truth)[0].mean())
    figures["ssim_ft_fw_k1"] = float(np.mean(committed["per_identity"]["ft_k1"]["ssim"][:n_identities]))
    return figures, (f"FaceWorld Table-1 protocol at K = 1: {n_identities} test people x {settings['targets_per_identity']} "
                     f"frames at {settings['size']} px; ssim_ft_fw_k1 from the committed table (same people)")


def contact_sheet(sheet: dict[str, list], path: Path) -> Path:
    """A PNG: one row per method — its worst frame and its best frame (by identity distance), each beside its
    driver frame, labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = list(sheet)
    fig, axes = plt.subplots(len(methods), 4, figsize=(10, 2.7 * len(methods)), squeeze=False)
    for row, method in zip(axes, methods):
        entries = sorted(sheet[method], key=lambda e: (np.isnan(e[0]), e[0]))
        best, worst = entries[0], entries[-1]
        for ax, (title, (d, pair, frame, driver)) in zip(row, [("worst", worst), ("driver", worst), ("best", best),
                                                                ("driver", best)]):
            ax.imshow(frame if title != "driver" else driver)
            ax.set_xticks([]), ax.set_yticks([])
            dist = "no face found" if np.isnan(d) else f"distance {d:.2f}"
            ax.set_title(f"{method}: {title}\n{pair}\n{dist}" if title != "driver" else "its driver frame", fontsize=7)
    fig.suptitle("bench portraits: each animator's worst and best frame (dlib identity distance to the portrait; "
                 f"< {J.SAME_PERSON} = same person)", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.25 / len(methods)))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
