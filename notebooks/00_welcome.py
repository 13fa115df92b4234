# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 00 · Welcome to Artificial Imagination
#
# This course shows, by building it, how one still portrait — the Mona Lisa — can be made to move
# and talk, and how such "deepfakes" are spotted. You start from a pocket calculator and end with a
# scaled-down version of the few-shot talking-head GAN of Zakharov et al. (2019).
#
# > **For leaders.** This opening chapter sets out a course that builds, on an ordinary laptop, the tools that make
# > a still portrait move and talk, and then shows how such fakes are spotted. If these tools run on a laptop,
# > faking a photo or video of your people needs no large budget, so trusting an image becomes a risk to manage.
# > Ask which of our decisions rest on a photo or video that nobody has checked is genuine.
#
# **In this notebook you will**
# - learn how the course is organised and what the three *modes* mean;
# - check what this machine can run right now (PyTorch, GPU, the face detectors, the data cache);
# - meet FaceWorld, the course's own world of synthetic talking heads;
# - see how the course reports a problem: one clear sentence, never a wall of red text;
# - learn the one habit that avoids most notebook trouble: *restart and run all*.
#
# | mode | expected time for this notebook |
# | --- | --- |
# | quick | about 5 s |
# | standard | about 5 s |
# | full | about 15 s |
#
# **Needs:** nothing — this is where everything starts.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How the course is organised
#
# Every chapter is a notebook. Each one tells one story, runs top to bottom on an ordinary laptop
# CPU, and ends with a recap, exercises with hints, and questions for discussion.
#
# | # | chapter | the idea |
# | --- | --- | --- |
# | 00 | welcome | how to use the course (you are here) |
# | 01 | from calculator to learning | rules versus learned functions; images are numbers |
# | 02 | pixels, blur and de-blur | a de-blurred photo is also generated data |
# | 03 | facial landmarks | the 68 points a deepfake "sees" |
# | 04 | pixel flow | the paths pixels take when a face moves |
# | 05 | two views to 3D | the 1990s: new views from matrix algebra |
# | 06 | transfer learning | knowledge learned on many faces, reused for one |
# | 07 | GANs in a nutshell | a forger and a detective train each other |
# | 08 | few-shot talking heads | the talking Mona Lisa |
# | 09 | learned animator | move the pixels, paint only what is new: the real Mona Lisa talks |
# | 10 | spotting fakes | detection, provenance and governance |
#
# Chapters that are not in your copy yet are being written; each one arrives complete.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three modes: how long do you want to wait?
#
# Training neural networks takes time. The course lets you choose how much of it you watch, with the
# environment variable `COURSE_MODE`:
#
# | mode | for | what happens |
# | --- | --- | --- |
# | `quick` | workshops, automated tests | loads the course's ready-trained models; at most a few seconds of training you can watch; every notebook in about a minute |
# | `standard` (default) | classrooms, self-study | short, real trainings; every notebook within 10 minutes on a laptop |
# | `full` | reproducing the course's models, GPU owners | the full training runs that produced the shipped models |
#
# To choose a mode, set it *before* the course is imported — start Jupyter with
# `COURSE_MODE=quick make lab`, or put `%env COURSE_MODE=quick` in the first cell of a notebook and
# restart the kernel.
#
# The next cell is the first cell of every notebook: it sets the look of the plots, makes the
# course's error messages short and readable, and tells you the mode and the device it will use.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What can this machine do right now?
#
# The report below checks, without downloading anything:
# - **PyTorch** — the deep-learning library the course is built on, and whether a GPU is present
#   (none is needed: every notebook is designed for a CPU);
# - **the three face-landmark detectors** of chapter 03:
#   *face-alignment*, the detector of record, needs weight files that download at first use — so it
#   only works where those were cached or a network is available; *dlib* ships a detector trained on
#   photographs that works offline; the *course's own* detector is a small network trained in
#   chapter 03. Whenever a later notebook detects a face it says which of them answered, and why;
# - **the data cache** — one folder for downloads and for models *you* train, kept outside the
#   notebooks so nothing you make is ever overwritten by an update of the course.

# %% slideshow={"slide_type": "skip"}
from course_utils.envcheck import show_report

report = show_report()

# %% [markdown] slideshow={"slide_type": "-"}
# A ✘ is not an error: it says what is missing and the course works around it. For example, without
# face-alignment's weights chapter 03 uses dlib and the course's own detector, and says so.
#
# How fast is this computer for the kind of arithmetic neural networks do? Multiplying two large
# matrices is most of the work in deep learning, so we time a few of them.
#
# > **Think!** One product of two 1024 × 1024 matrices takes about 2 billion multiplications and additions.
# > Guess before you run the cell: does it take a thousandth of a second, a hundredth, a tenth, or a whole second?

# %% slideshow={"slide_type": "skip"}
import time

import torch

torch.manual_seed(0)
a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
a @ b  # warm-up
start = time.perf_counter()
for _ in range(10):
    a @ b
seconds = (time.perf_counter() - start) / 10
gflops = 2 * 1024**3 / seconds / 1e9
print(f"one 1024×1024 matrix product: {seconds * 1000:.1f} ms → about {gflops:.0f} billion operations per second")
print("A typical 2-core cloud notebook reaches 20–100; a laptop 100–500; a GPU 10 000 or more.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Meet FaceWorld: the course's own talking heads
#
# To learn how a face is made to talk, we need many videos of faces talking — and for each frame the
# exact position of every facial feature and the path every pixel takes. No such data set ships with
# Python, and real ones are large, licensed and come without ground truth. So the course builds its
# own: **FaceWorld**, a small 3-D head renderer. Every person is a *seed* number: the seed picks the face
# shape, skin, hair, eyes, nose, lips, glasses, beard, clothes and background. Every frame is a head pose,
# an expression and a light. Because FaceWorld drew the face itself, it knows the truth exactly.
#
# > **Think!** The next picture shows six seeds, each in the same five moments. Which features do you expect
# > to stay the same along a row, and which to change from column to column?

# %% slideshow={"slide_type": "subslide"}
from course_utils import faces
from course_utils.viz import show_images

looks = {
    "neutral": faces.Frame(),
    "turned": faces.Frame(faces.Pose(yaw=25, pitch=5)),
    "mouth open": faces.Frame(faces.Pose(yaw=-15, roll=8), faces.Expression(jaw_open=0.8)),
    "smile": faces.Frame(faces.Pose(pitch=-8), faces.Expression(smile=1.0)),
    "eyes shut, brows up": faces.Frame(faces.Pose(yaw=10),
                                       faces.Expression(blink_left=1, blink_right=1, brow_raise=1)),
}
people = [faces.sample_identity(seed) for seed in (1, 2, 3, 5, 8, 13)]
tiles = [faces.render(person, frame, size=128).image for person in people for frame in looks.values()]
titles = [f"seed {p.seed}: {name}" if j == 0 else name for p in people for j, name in enumerate(looks)]
show_images(tiles, titles, ncols=5, size=2.1,
            suptitle="Six FaceWorld people (rows), five moments each (columns)");

# %% [markdown] slideshow={"slide_type": "-"}
# Each row is one synthetic person, each column one pose and expression. Notice that identity stays
# put while pose and expression change — exactly the separation the talking-head model of chapter 08
# has to learn. These are not photographs: FaceWorld faces are plainly synthetic, and chapter 08
# measures honestly what a model trained on them can and cannot do with a real portrait.
#
# What FaceWorld knows that a photo does not: the 68 *landmarks* (chapter 03) of every frame, exactly.
# Drawn as coloured lines on black, they become the "landmark image" that tells the generator of
# chapter 08 which expression to paint.

# %% slideshow={"slide_type": "subslide"}
from course_utils.faces.gallery import draw_points

shot = faces.render(people[1], looks["mouth open"], size=192)
show_images([shot.image, draw_points(shot.image, shot.landmarks, shot.visible), faces.landmark_image(shot.landmarks, 192)],
            ["the frame", "its 68 landmarks", "the landmark image (the GAN's input)"], size=3.2);

# %% [markdown] slideshow={"slide_type": "-"}
# And FaceWorld talks: a seeded trajectory of speech-like jaw movement (3–5 syllables a second, in
# phrases), blinks, small head sways and nods. Here are two seconds of it (the clip loops; it is also
# saved as a GIF in your output folder).

# %% slideshow={"slide_type": "subslide"}
from course_utils.viz import animation

clip = [faces.render(people[3], f, size=128).image for f in faces.talking_frames(50, fps=25, seed=7)]
animation(clip, fps=25, name="faceworld_talking", chapter="00_welcome")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Same seed, same numbers
#
# Training starts from random numbers. The course fixes the *seed* of every random generator with
# one call, so a cell gives the same result every time it runs — on your machine and on ours. The
# output below is checked by the course's automated tests: if it ever changed, they would fail.
#
# > **Think!** The cell seeds, draws four numbers, seeds again and draws four more. Will the two draws be
# > identical? And what would `second` hold if the second `seed_everything(2019)` line were deleted?

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
from course_utils.config import seed_everything

seed_everything(2019)
first = torch.rand(4)
seed_everything(2019)
second = torch.rand(4)
print("first draw: ", [round(v, 4) for v in first.tolist()])
print("second draw:", [round(v, 4) for v in second.tolist()])
print("identical:", torch.equal(first, second))
print("next draw:  ", [round(v, 4) for v in torch.rand(4).tolist()])

# %% [markdown] slideshow={"slide_type": "notes"}
# The two seeded draws are identical. The last line draws four more numbers without seeding again: the
# generator carries on along its sequence, so they differ. They are exactly what `second` would hold
# without the second `seed_everything(2019)`. A seed fixes where the sequence starts, not each draw.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## When something goes wrong, you get one sentence
#
# Learners upload photos without faces, lose network connections, or end up with a damaged file.
# The course answers each of these with one sentence that says what happened and what to do — and the
# notebook keeps working. Here we ask for a trained model that does not exist:

# %% slideshow={"slide_type": "skip"}
from course_utils import CourseError
from course_utils.checkpoints import load_checkpoint

try:
    load_checkpoint("a_model_nobody_trained")
except CourseError as problem:
    print("⚠", problem)

# %% [markdown] slideshow={"slide_type": "notes"}
# Every such problem is a `CourseError`. The course's own functions catch it where a learner's input
# is involved and print its sentence, so *Run All* never stops halfway; if you call a function
# yourself and it raises one, you see the sentence, not a long traceback. Ready-trained models ("checkpoints") shipped with the course are also protected
# by a fingerprint (a SHA-256 hash): if a file is damaged or has been tampered with, the course
# refuses to load it and names the command that rebuilds it. Here is what this copy ships:

# %% slideshow={"slide_type": "skip"}
from course_utils.checkpoints import read_manifest

shipped = read_manifest()
if not shipped:
    print("No checkpoints shipped yet: they arrive with the chapters that train them.")
for name, entry in sorted(shipped.items()):
    print(f"{name:<24} {entry['size'] / 1e6:6.2f} MB  made by: {entry['command']}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The one habit: restart and run all
#
# A notebook remembers everything you ran, in the order you ran it — not the order on the page. After
# editing cells out of order it can show results that no longer follow from the code. The cure:
#
# - **JupyterLab:** menu *Kernel → Restart Kernel and Run All Cells…*
# - **Binder:** the same; if the page stops answering, your session may have been idle too long — reload
#   the Binder link (your own files there are not kept, so download anything you want to keep).
# - **Colab:** *Runtime → Restart session and run all*.
#
# Every notebook of the course is tested exactly this way, top to bottom, in a fresh kernel.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - The course is a path of numbered notebooks, from a calculator to a talking Mona Lisa, ending with
#   how to spot fakes.
# - `COURSE_MODE` (quick, standard, full) sets how much training you watch; quick loads ready-made models.
# - The environment report tells you which face detectors this machine can use, and why.
# - FaceWorld makes synthetic talking people from seed numbers, and knows the exact truth of every frame.
# - Problems arrive as one sentence; shipped models are fingerprinted; your own work lives in the data
#   cache, never overwritten by the course.
#
# ## Exercises
#
# ### Exercise 1 · Steps for each mode
#
# Later chapters choose how long to train with `by_mode(quick=..., standard=..., full=...)`, which
# returns the value for the current mode. Write `steps_for_mode()` so that it returns 20 training steps
# in quick mode, 200 in standard mode and 2000 in full mode.

# %% slideshow={"slide_type": "skip"}
from course_utils.config import by_mode


def steps_for_mode():
    ### BEGIN SOLUTION
    return by_mode(quick=20, standard=200, full=2000)
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
import os

from course_utils.exercises import Test, run_check


def _steps_in(mode):
    saved = os.environ.get("COURSE_MODE")
    os.environ["COURSE_MODE"] = mode
    try:
        return steps_for_mode()
    finally:
        if saved is None:
            os.environ.pop("COURSE_MODE")
        else:
            os.environ["COURSE_MODE"] = saved


run_check(
    "Exercise 1",
    [
        Test("quick mode gives 20 steps", lambda: _steps_in("quick") == 20, "call by_mode with quick=20"),
        Test("standard mode gives 200 steps", lambda: _steps_in("standard") == 200, "pass standard=200 to by_mode"),
        Test("full mode gives 2000 steps", lambda: _steps_in("full") == 2000,
             "without full=..., by_mode falls back to the standard value; pass full=2000"),
    ],
)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · Your own seeded noise
#
# `seed_everything` resets the random generator that all cells share, so it changes every later draw in
# the notebook too. Often you want numbers of your own that are the same every time, without disturbing
# anyone else's: chapter 07 does this to give its GANs the same noise batches in every run. Write
# `my_noise(seed, n)` that returns `n` uniform random numbers (a tensor) fixed by `seed`, drawn with a
# private `torch.Generator` so that the shared generator is left alone.

# %% slideshow={"slide_type": "skip"}
def my_noise(seed, n):
    """(n,) float32 tensor of uniform numbers in [0, 1), the same for the same seed; the shared generator is untouched."""
    ### BEGIN SOLUTION
    return torch.rand(n, generator=torch.Generator().manual_seed(seed))
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
def _shared_sequence_untouched():
    seed_everything(0)
    expected = torch.rand(3)
    seed_everything(0)
    my_noise(5, 4)
    return torch.equal(torch.rand(3), expected)


run_check("Exercise 2", [
    Test("returns n numbers in [0, 1)",
         lambda: my_noise(1, 6).shape == (6,) and bool(((my_noise(1, 6) >= 0) & (my_noise(1, 6) < 1)).all()),
         "torch.rand(n, ...) draws n uniform numbers in [0, 1)."),
    Test("the same seed gives the same numbers", lambda: torch.equal(my_noise(3, 5), my_noise(3, 5)),
         "Make a fresh generator in every call and seed it: torch.Generator().manual_seed(seed)."),
    Test("different seeds give different numbers", lambda: not torch.equal(my_noise(3, 5), my_noise(4, 5)),
         "Seed your generator with the `seed` argument, not with a fixed number."),
    Test("the shared generator's sequence is left alone", _shared_sequence_untouched,
         "Do not call seed_everything or torch.manual_seed inside: pass your generator to torch.rand "
         "(generator=...), so that only it advances."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · Fingerprint a file
#
# The course refuses a checkpoint whose SHA-256 fingerprint differs from the one in its manifest. Write
# `my_fingerprint(path)` that returns the SHA-256 of a file's bytes as a 64-character hexadecimal string,
# using Python's `hashlib`. The check hashes a small text file, then the smallest checkpoint shipped with
# this copy (listed above) and compares it with the manifest; last, it changes one byte of a copy.

# %% slideshow={"slide_type": "skip"}
import hashlib
from pathlib import Path


def my_fingerprint(path):
    """The hex SHA-256 (64 characters) of the file at `path`."""
    ### BEGIN SOLUTION
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
import tempfile

from course_utils.checkpoints import CHECKPOINT_DIR, sha256_of

_scratch = Path(tempfile.mkdtemp())
(_scratch / "hello.txt").write_bytes(b"Mona Lisa\n")
_smallest = min(shipped.values(), key=lambda entry: entry["size"]) if shipped else None


def _one_byte_changed():
    data = bytearray((CHECKPOINT_DIR / _smallest["file"]).read_bytes())
    data[len(data) // 2] ^= 1  # flip one bit in the middle of the file
    (_scratch / "changed.pt").write_bytes(bytes(data))
    return my_fingerprint(_scratch / "changed.pt") != _smallest["sha256"]


run_check("Exercise 3", [
    Test("returns 64 hexadecimal characters",
         lambda: len(my_fingerprint(_scratch / "hello.txt")) == 64
         and all(ch in "0123456789abcdef" for ch in my_fingerprint(_scratch / "hello.txt")),
         "Return hashlib.sha256(data).hexdigest(), where data are the file's bytes (open it with 'rb'); "
         ".digest() gives 32 raw bytes instead of 64 characters."),
    Test("a small text file gets its SHA-256",
         lambda: my_fingerprint(_scratch / "hello.txt") == sha256_of(_scratch / "hello.txt"),
         "Hash the file's contents with hashlib.sha256: not its name, and not another hash such as md5."),
    Test("a shipped checkpoint matches its manifest entry",
         lambda: my_fingerprint(CHECKPOINT_DIR / _smallest["file"]) == _smallest["sha256"],
         "Hash the whole file, not just its first chunk: Path(path).read_bytes() reads all of it."),
    Test("a copy with one byte changed no longer matches", _one_byte_changed,
         "Compute the fingerprint from the file's bytes on every call; looking it up by file name (in the "
         "manifest, say) cannot notice a change."),
])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## For discussion (no code needed)
#
# 1. The course trains its models on a laptop's CPU in minutes. What does it tell you about the cost
#    of making a convincing fake today, compared with ten years ago?
# 2. The course fingerprints its models so a tampered file is refused. Where else in your organisation
#    would "is this file exactly the one we approved?" be worth checking automatically?
# 3. Who in your organisation should be able to run a tool like the one this course builds, and who
#    should decide that?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Theodoros Evgeniou (2019). AI = Artificial Imagination? *INSEAD Knowledge*.
# - Egor Zakharov, Aliaksandra Shysheya, Egor Burkov, Victor Lempitsky (2019). Few-Shot Adversarial Learning of Realistic Neural Talking Head Models. *ICCV 2019*. [arXiv:1905.08233](https://arxiv.org/abs/1905.08233)
# - Adam Paszke, Sam Gross, Francisco Massa, Adam Lerer, et al. (2019). PyTorch: An Imperative Style, High-Performance Deep Learning Library. *NeurIPS 2019*. [arXiv:1912.01703](https://arxiv.org/abs/1912.01703)
