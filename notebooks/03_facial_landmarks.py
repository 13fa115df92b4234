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
# # 03 · Facial landmarks
#
# A face can be described by 68 numbered points — the outline of the jaw, the brows, the nose, the eyes
# and the lips — and a detector is a learned function that finds them in a photo. These 68 points, drawn
# as a coloured sketch, are exactly what the talking-head generator of chapter 08 receives as its
# instructions: *put the face's parts here*.
#
# > **For leaders.** This chapter shows how software finds 68 points on a face in a photo, how to measure its
# > accuracy on faces it has never seen, and where it fails, such as on a turned head or a painting. The same
# > points are the instructions a deepfake generator follows, they can be measured from photos without the person
# > knowing, and a detector trained on one kind of face works worse on others. Ask, before we buy or run
# > face-analysis software, which faces it learned from and how its errors differ between groups of people.
#
# **Learning objectives.** By the end of this notebook you can
#
# - name the parts of the 68-point (iBUG 300-W) scheme and pick any part out of an array of points;
# - run the landmark detectors this machine has on a real photo, and say which were skipped and why;
# - explain how a *heatmap network* finds a point, and read a point off a heatmap yourself (soft-argmax);
# - measure a detector with the **normalised mean error** (NME) on faces it has never seen, and find
#   where it fails (a turned head, closed eyes, a painting);
# - draw the **landmark image** that the deepfake generator of chapter 08 takes as its input.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 15 s): a 12-second fine-tune, 24 test faces | 30 min, reading and moving the sliders |
# | standard (default) | ≤ 10 min (about 1.5 min): a 2-minute fine-tune, 200 test faces | 60–90 min with the exercises |
# | full | about 12 min: a 10-minute fine-tune | 60–90 min |
#
# **Needs from earlier chapters:** chapter 00's setup; chapter 01's idea that a network is a learned
# function and that an image is an array of numbers. It uses the course's detector checkpoint
# (`checkpoints/landmarks.pt`) when it is shipped, and trains a small one briefly when it is not.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display
from ipywidgets import FloatSlider, interact
from skimage import data

from course_utils import faces, landmark_net, landmarks
from course_utils.checkpoints import read_manifest
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.errors import CourseError
from course_utils.exercises import Test, run_check
from course_utils.faces import split_seeds
from course_utils.faces.gallery import plot_points
from course_utils.images import mona_lisa_stand_in, portrait, upload_widget
from course_utils.tensors import n_params
from course_utils.viz import save_figure, show_images

CHAPTER = "03_facial_landmarks"
seed_everything(0)
print("figures from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Sixty-eight points describe a face
#
# The 68-point markup comes from the Multi-PIE face database (Gross et al. 2010). In 2013 the iBUG
# group at Imperial College used it to re-annotate three existing sets of face photos — LFPW, HELEN and
# AFW — and 135 harder photos of their own (the iBUG set), for the *300-W* challenge (Sagonas et al.
# 2013). A semi-automatic tool placed the points and people corrected them. This course calls the
# markup the iBUG 300-W scheme: 68 points, always in the same order. Because every face gets the same
# numbered points, point 36 is always the outer corner of the subject's right eye and point 8 is always
# the chin — so faces can be compared, averaged and moved point by point. Here is a face from
# **FaceWorld**, the course's generator of synthetic faces, with its 68 exact points numbered and
# coloured by part:

# %% slideshow={"slide_type": "subslide"}
PART_RGB = {name: np.array(rgb) / 255 for name, rgb in faces.PART_COLORS.items()}


person = faces.sample_identity(split_seeds("test", 1)[0])
neutral = faces.render(person, faces.Frame(faces.Pose(), faces.Expression()), size=256)

fig, axes = plt.subplots(1, 2, figsize=(13, 6.5), gridspec_kw={"width_ratios": [1, 1.3]})
plot_points(axes[0], neutral.image, neutral.landmarks, "A FaceWorld face and its 68 points")
plot_points(axes[1], np.full_like(neutral.image, 255), neutral.landmarks, "The same points, numbered (zoomed in)",
            numbers=True, size=30)
(x0, y0), (x1, y1) = neutral.landmarks.min(0) - 6, neutral.landmarks.max(0) + 6
axes[1].set_xlim(x0, x1)
axes[1].set_ylim(y1, y0)
axes[1].legend(handles=[plt.Line2D([], [], marker="o", ls="", mfc=PART_RGB[n], mec="black", label=n)
                        for n in faces.PARTS], loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8,
               frameon=True)
fig.suptitle("The 68-point iBUG 300-W scheme, coloured by part", fontweight="bold")
fig.tight_layout()
save_figure(fig, "scheme_68", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# Notice the order: the jaw runs 0 → 16 from the image's left to its right with the chin at 8; each
# brow has 5 points; the nose is a bridge (27–30) and a row under it (31–35); each eye is a ring of 6
# starting at its outer (right eye) or inner (left eye) corner; the lips are an outer ring of 12 and an
# inner ring of 8. "Right" and "left" are the **subject's own**, so the right eye is on the image's left.
# The part names and their index ranges are all a program needs:

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
for name, (start, end) in faces.PARTS.items():
    print(f"{name:12s} points {start:2d}–{end - 1:2d}  ({end - start:2d} points)")
print("total:", sum(end - start for start, end in faces.PARTS.values()), "points")

# %% [markdown] slideshow={"slide_type": "-"}
# A face is therefore an array of shape `(68, 2)`: 136 numbers, `(x, y)` in pixels. Python slices
# `points[start:end]` pick a part out; `points[36:42]` is the right eye.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Finding the points in a real photo
#
# A landmark **detector** takes a photo and returns those 136 numbers. The course knows three, best
# first:
#
# - **face-alignment** (Bulat & Tzimiropoulos, 2017): the detector of record, a deep heatmap network
#   trained on thousands of annotated photos; its weights (about 100 MB) download on first use;
# - **dlib** (Kazemi & Sullivan, 2014): a fast *ensemble of regression trees* — chapter 01's trees again —
#   trained on photos; it ships with the course and works offline;
# - **course**: the small heatmap network built in this notebook, trained only on FaceWorld faces.
#
# Which of them can run here, and why not where not:

# %% slideshow={"slide_type": "skip"}
STATUS = landmarks.usable_backends()
for name, why in STATUS.items():
    print(f"{'✔ ready  ' if why.startswith('ready') else '✘ skipped'}  {name:15s} {why}")

# %% [markdown] slideshow={"slide_type": "-"}
# Every usable detector on the same photo — the astronaut Eileen Collins (NASA, public domain), which
# ships with scikit-image. Skipped detectors get an empty panel saying why, so nothing is hidden.

# %% slideshow={"slide_type": "subslide"}
astronaut = portrait("astronaut").image
results = {}
for name, why in STATUS.items():
    if why.startswith("ready"):
        results[name] = landmarks.detect(astronaut, backend=name)
        print(results[name])


def crop_box(points, image, margin=0.35):
    """(x0, x1, y0, y1) of a square around the points, `margin` of their size on each side."""
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    side = max(x1 - x0, y1 - y0) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    h, w = image.shape[:2]
    return max(0, cx - side / 2), min(w, cx + side / 2), min(h, cy + side / 2), max(0, cy - side / 2)


fig, axes = plt.subplots(1, len(STATUS), figsize=(4.2 * len(STATUS), 4.6))
for ax, (name, why) in zip(axes, STATUS.items()):
    if name in results:
        r = results[name]
        plot_points(ax, astronaut, r.faces[0].points, f"{name}: {r.seconds * 1000:.0f} ms", size=14)
        x0, x1, y1, y0 = crop_box(r.faces[0].points, astronaut)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y1, y0)
    else:
        ax.text(0.5, 0.5, f"{name}\nskipped:\n" + why.split(";")[0].split("(")[0], ha="center", va="center",
                wrap=True, fontsize=10, transform=ax.transAxes)
        ax.set_title(f"{name}: skipped", fontsize=10)
        ax.axis("off")
fig.suptitle("The astronaut's landmarks, by every detector that can run here", fontweight="bold")
fig.tight_layout()
save_figure(fig, "astronaut_backends", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Notice how closely the points hug the jaw, the eyelids and the lips of a real photo when the
# detector learned from real photos. Where two detectors ran, compare them around the jaw: the jaw
# line has no sharp corner to lock on to, so it is where detectors disagree most.
#
# **Try your own photo.** Upload a picture below (it stays on this machine). The detector that runs is
# the best usable one; anything that is not a photo of a face gets a one-sentence explanation instead
# of a crash.

# %% slideshow={"slide_type": "skip"}
def show_landmarks(image):
    """Detect the landmarks in a picture and draw them (no face: a CourseError, said in one sentence)."""
    result = landmarks.detect(image)
    fig, ax = plt.subplots(figsize=(5, 5))
    plot_points(ax, image, result.faces[0].points, f"Your photo: {result.backend}", size=10)
    plt.show()
    print(result)


display(upload_widget(show_landmarks, "Upload a photo"))

# %% [markdown] slideshow={"slide_type": "notes"}
# Without a browser nobody can upload anything, so here is what the handler does with three bad
# inputs: a photo with no face in it (scikit-image's cup of coffee), a picture too small to hold a face,
# and a file that is not a picture at all.

# %% slideshow={"slide_type": "skip"}
bad_inputs = {"a cup of coffee": data.coffee(),
              "a 20 × 20 image": np.zeros((20, 20, 3), np.uint8),
              "a text file": b"these bytes are not a picture"}
for what, thing in bad_inputs.items():
    try:
        landmarks.detect(thing)
        print(f"{what}: a face was found?!")
    except CourseError as err:
        print(f"{what:16s} → CourseError: {err}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. How a heatmap network finds a point
#
# The best detectors (face-alignment among them) do not output 136 numbers directly. For every point
# they paint a **heatmap**: a small image that is bright where the point probably is and dark
# elsewhere. Training shows the network, for each of thousands of faces, the target heatmaps — a small
# Gaussian blob centred on each true point — and it learns to paint them. Here are the targets for
# five of the 68 points of a 64-pixel FaceWorld face (the network's input size); its heatmaps have
# 32 × 32 cells, one cell per 2 × 2 pixels.

# %% slideshow={"slide_type": "subslide"}
small = faces.render(person, faces.Frame(faces.Pose(yaw=10), faces.Expression(smile=0.4)), size=64)
targets = landmark_net.make_heatmaps(torch.tensor(small.landmarks)[None])[0]  # (68, 32, 32)
SHOWN = {8: "chin (8)", 30: "nose tip (30)", 36: "right eye, outer (36)", 45: "left eye, outer (45)",
         48: "mouth corner (48)"}
show_images([small.image] + [targets[i].numpy() for i in SHOWN] + [targets.amax(0).numpy()],
            ["the 64 px input"] + list(SHOWN.values()) + ["all 68, overlaid"], ncols=7, size=2.0,
            cmap="magma", suptitle="Target heatmaps: one 32 × 32 map per landmark")
save_figure(plt.gcf(), "target_heatmaps", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Each map is dark except for one blob; overlaid, the 68 blobs sketch the face. The network's output is
# 68 such maps, and the only remaining question is how to turn a blob back into a point.
#
# **Reading a point off a heatmap.** The simplest answer, the *argmax* (the brightest cell), can only
# land on whole cells — here, steps of 2 pixels. The **soft-argmax** takes a *weighted average* of the
# cell coordinates instead, each cell weighted by how bright it is:
#
# $$x = \frac{\sum_{\text{cells}} h_{ij}\, j}{\sum_{\text{cells}} h_{ij}}, \qquad y = \frac{\sum_{\text{cells}} h_{ij}\, i}{\sum_{\text{cells}} h_{ij}}$$
#
# where $h_{ij}$ is the brightness of the cell in row $i$, column $j$. It lands between cells (sub-pixel),
# and it is differentiable, so training can push on the final point too. Textbook soft-argmax weights
# every cell by $e^{\beta h_{ij}}$; the course's network uses the brightness itself, only within 3 cells
# of the brightest one, so that a faint second blob far away cannot pull the point. A tiny example,
# computed by hand:
#
# > **Think!** In the 4 × 4 heatmap below the brightest cell, 0.9, is in column 2, row 1. Look at the numbers
# > around it: will the soft-argmax land left or right of that cell, above or below it?

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
tiny = np.array([[0.0, 0.1, 0.1, 0.0],
                 [0.1, 0.6, 0.9, 0.2],
                 [0.0, 0.3, 0.5, 0.1],
                 [0.0, 0.0, 0.1, 0.0]])
rows, cols = np.indices(tiny.shape)
row, col = np.unravel_index(tiny.argmax(), tiny.shape)
print(f"argmax:      x = {col}, y = {row}  (whole cells only)")
print(f"soft-argmax: x = {(tiny * cols).sum() / tiny.sum():.3f}, y = {(tiny * rows).sum() / tiny.sum():.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The brightest cell is (2, 1), but the mass to its left (0.6) and below it (0.5) pulls the soft-argmax
# to (1.700, 1.300). The course's read-out does the same on real heatmaps; on an exact Gaussian target
# it returns the true point to a hundredth of a pixel:

# %% slideshow={"slide_type": "skip"}
true_points = torch.tensor(small.landmarks)[None]
read_back = landmark_net.heatmaps_to_points(landmark_net.make_heatmaps(true_points))
print(f"largest read-out error over 68 points: {(read_back - true_points).norm(dim=-1).max():.4f} pixels")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The course's detector
#
# `LandmarkNet` is a small *hourglass* network in the spirit of face-alignment: convolutions shrink the
# 64 × 64 face to a coarse summary and grow it back to 68 heatmaps of 32 × 32, with shortcuts that carry
# fine detail across. Its whole definition is about forty lines:

# %% slideshow={"slide_type": "skip"}
from course_utils.viz import show_source

show_source(landmark_net.LandmarkNet)

# %% [markdown] slideshow={"slide_type": "-"}
# The course ships it trained (thousands of steps on 4,800 FaceWorld renders — far too long to wait
# for here). If the checkpoint is here we load it; if not, we say so and train a small one from
# scratch in the time we have.

# %% slideshow={"slide_type": "skip"}
HAVE_CHECKPOINT = "landmarks" in read_manifest()
if HAVE_CHECKPOINT:
    shipped = read_manifest()["landmarks"]
    print("Loaded the shipped detector:", n_params(landmark_net.load_detector()), "parameters,",
          shipped.get("metrics", {}).get("steps", "?"), "training steps, held-out NME",
          shipped.get("metrics", {}).get("nme_test", "?"))
else:
    print("The detector's checkpoint is not shipped in this copy of the course, so below we train one "
          "from scratch, briefly; its points will be rough (a high NME), which is expected.")

# %% [markdown] slideshow={"slide_type": "notes"}
# **A fine-tune you can watch.** Whichever way it started, the detector now trains for a few more
# seconds on faces rendered fresh for this run (random poses, expressions and lights; random small
# shifts, turns, blur and colour changes on top). Each step shows it 16 faces, compares its heatmaps
# with the targets and nudges its 750,000 numbers downhill — chapter 01's gradient descent at scale.

# %% slideshow={"slide_type": "skip"}
TRAIN_SECONDS = by_mode(12, 120, 600)
n_ids, n_frames = by_mode((8, 4), (60, 6), (200, 10))
t0 = time.perf_counter()
train_images, train_points = landmark_net.render_set(split_seeds("train", n_ids), n_frames, seed=3)
print(f"rendered {len(train_images)} training faces in {time.perf_counter() - t0:.1f} s")

torch.manual_seed(0)
model, info = landmark_net.train(
    steps=by_mode(60, 600, 3000), batch=16, lr=5e-4 if HAVE_CHECKPOINT else 2e-3,
    data=(train_images, train_points), init="landmarks" if HAVE_CHECKPOINT else None,
    time_limit=TRAIN_SECONDS, save=False, eval_n=0, log_every=by_mode(20, 100, 500), threads=1)
print(f"{info['steps']} steps in {info['wall_seconds']:.1f} s")

# %% slideshow={"slide_type": "subslide"}
losses = np.array(info["losses"])
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(losses, lw=0.8, alpha=0.5, label="each step")
k = max(1, len(losses) // 10)
ax.plot(np.arange(k - 1, len(losses)), np.convolve(losses, np.ones(k) / k, "valid"), lw=2,
        label=f"average of {k} steps")
ax.set(title=("Fine-tuning the shipped detector" if HAVE_CHECKPOINT else "Training a detector from scratch")
       + f" ({info['steps']} steps)", xlabel="training step", ylabel="loss (heatmap error + point error)")
ax.legend()
fig.tight_layout()
save_figure(fig, "training_loss", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The loss jumps from step to step — each batch holds different faces — but its average is what to
# watch. A shipped detector starts low and moves little (there is little left to learn); a detector
# trained from scratch falls fast at first and would need thousands of steps more.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. How good is it? The normalised mean error
#
# A detector is judged on faces it **never saw in training** — here, FaceWorld's *test* identities.
# For each face, average the distances (in pixels) between the predicted and the true points, then
# divide by the distance between the outer eye corners (points 36 and 45), the **inter-ocular
# distance**:
#
# $$\text{NME} = \frac{\frac{1}{68}\sum_{k=0}^{67} \lVert \hat p_k - p_k \rVert}{\lVert p_{45} - p_{36} \rVert}$$
#
# Dividing makes the number independent of the photo's size: an NME of 0.05 means "on average 5 % of
# the eye distance off", whether the face is 60 or 600 pixels wide. On a toy example: every point
# predicted one pixel to the right of a face whose eye corners are 40 pixels apart.

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
toy_true = 40 * faces.CANONICAL_LANDMARKS + [100.0, 100.0]  # eye corners 40 px apart
toy_pred = toy_true + [1.0, 0.0]                              # every point 1 px too far right
distances = np.linalg.norm(toy_pred - toy_true, axis=1)
eye_distance = np.linalg.norm(toy_true[45] - toy_true[36])
print(f"mean distance {distances.mean():.3f} px, inter-ocular distance {eye_distance:.3f} px, "
      f"NME {distances.mean() / eye_distance:.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# Now the detector, on faces of held-out test identities:
#
# > **Think!** The cell also scores a *blind baseline* that never looks at the picture: it always answers the
# > average training face. Guess its mean NME before the cell prints it: a few percent of the eye distance, like
# > a good detector, or ten times more?

# %% slideshow={"slide_type": "skip"}
n_test_ids = by_mode(12, 100, 100)
t0 = time.perf_counter()
if n_test_ids == 100:
    test_images, test_points = landmark_net.test_set(100, 2)  # cached after the first run
else:
    test_images, test_points = landmark_net.render_set(split_seeds("test", n_test_ids), 2, seed=12345)
test_pred = landmark_net.predict(model, test_images).numpy()
test_nme = landmark_net.nme(test_pred, test_points)
# a baseline that does not look at the picture at all: always answer the average training face
mean_shape = train_points.mean(0)
baseline_nme = landmark_net.nme(np.broadcast_to(mean_shape, test_points.shape), test_points)
print(f"{len(test_images)} held-out faces ({time.perf_counter() - t0:.1f} s)")
print(f"  detector:                         mean NME {test_nme.mean():.3f}, median {np.median(test_nme):.3f}")
print(f"  blind baseline (the average face): mean NME {baseline_nme.mean():.3f}, median {np.median(baseline_nme):.3f}")

# %% slideshow={"slide_type": "subslide"}
order = np.argsort(test_nme)
picks = [order[0], order[len(order) // 2], order[-1]]
fig, axes = plt.subplots(1, 4, figsize=(13, 3.5), gridspec_kw={"width_ratios": [1.4, 1, 1, 1]})
axes[0].hist(test_nme, bins=20, color="tab:blue", label="detector")
axes[0].axvline(baseline_nme.mean(), color="tab:orange", lw=2, ls="--", label="blind baseline (mean)")
axes[0].legend(fontsize=8)
axes[0].set(title="NME on held-out faces", xlabel="NME (fraction of eye distance)", ylabel="faces")
for ax, i, label in zip(axes[1:], picks, ["best", "median", "worst"]):
    plot_points(ax, test_images[i], test_points[i], f"{label}: NME {test_nme[i]:.3f}", color="lime", size=6)
    ax.scatter(test_pred[i, :, 0], test_pred[i, :, 1], s=6, c="red", edgecolors="none")
fig.suptitle("The course detector on test identities (green: truth, red: prediction)", fontweight="bold")
fig.tight_layout()
save_figure(fig, "test_nme", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# First compare the detector with the **blind baseline**, which answers "the average face" whatever the
# picture shows: a detector is only worth its name if it lands well to the left of that dashed line.
# Training from scratch for seconds or even a couple of minutes does not get there — its points are
# scattered, worse than the blind guess — which is why the course ships a detector trained for
# thousands of steps.
# Then look at the spread: the worst face usually has something unusual about it (a strong turn, a
# wide-open mouth, glasses). Published detectors reach an NME of about 0.03–0.05 on the real photos of
# the 300-W benchmark.
#
# ### Where detectors fail
#
# Three hard cases: the head turned 35° (half the jaw hides behind the cheek), both eyes closed (the
# eyelid points must collapse onto one line), and a painting — not a FaceWorld face at all.
#
# > **Think!** Of the two FaceWorld cases, the turned head and the closed eyes, which do you expect to raise the
# > course detector's NME more above the face looking at the camera, and why? And on the painting, which of
# > dlib (trained on photos) and the course detector (trained only on FaceWorld) will follow her face better?

# %% slideshow={"slide_type": "skip"}
hard_frames = {
    "facing the camera": faces.Frame(faces.Pose(), faces.Expression()),
    "turned 35°": faces.Frame(faces.Pose(yaw=35), faces.Expression()),
    "eyes closed": faces.Frame(faces.Pose(), faces.Expression(blink_left=1.0, blink_right=1.0)),
}
hard = {name: faces.render(person, frame, size=64) for name, frame in hard_frames.items()}
hard_pred = landmark_net.predict(model, np.stack([h.image for h in hard.values()])).numpy()
hard_nme = landmark_net.nme(hard_pred, np.stack([h.landmarks for h in hard.values()]))

mona = portrait("mona_lisa")
try:
    mona_result = landmarks.detect(mona.image, backend="dlib")
except CourseError as err:   # an unusual scan in the data cache: say so, and go on with the stand-in
    print(f"On the painting in the data cache: {err}")
    mona = mona_lisa_stand_in("dlib found no face on the painting in the data cache")
    mona_result = landmarks.detect(mona.image, backend="dlib")
print(mona.source)
crop, to_image = landmarks.crop_for_box(mona.image, mona_result.faces[0].box)  # FaceWorld-like 64 px framing
mona_course = landmark_net.predict(model, crop)[0].numpy() @ to_image[:, :2].T + to_image[:, 2]

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 5, figsize=(15, 3.6))
for ax, (name, h), pred, e in zip(axes, hard.items(), hard_pred, hard_nme):
    plot_points(ax, h.image, h.landmarks, f"{name}\nNME {e:.3f}", color="lime", size=7)
    ax.scatter(pred[:, 0], pred[:, 1], s=7, c="red", edgecolors="none")
label = "Mona Lisa STAND-IN" if mona.stand_in else "Mona Lisa"
for ax, pts, who in zip(axes[3:], [mona_result.faces[0].points, mona_course], ["dlib", "course detector"]):
    plot_points(ax, mona.image, pts, f"{label}\n{who}", color="red", size=7)
    x0, x1, y1, y0 = crop_box(mona_result.faces[0].points, mona.image)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)
fig.suptitle("Hard cases for the course detector (green: truth where known, red: prediction)", fontweight="bold")
fig.tight_layout(rect=(0, 0, 1, 0.95))
save_figure(fig, "hard_cases", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Compare each hard case with the face looking at the camera. With a trained detector the NME rises
# when the head turns (the far half of the jaw is hidden, yet the scheme still wants 17 jaw points) and
# when the eyes close; with one trained for a few seconds every case is bad and the differences are
# noise. On
# the painting there is no truth to measure against, only your eye: the detector trained on photos
# (dlib) follows the real face; the course's detector, which has seen nothing but FaceWorld, is further
# off — it has never met varnished skin, real hair or brush strokes. A detector is only as good as the
# faces it learned from.
#
# (The painting comes with the course: the `mvtb-data` package that `make lab` installs holds it. If the cell
# above printed **STAND-IN**, that package is missing and no scan is cached: what you see is the astronaut
# painted in sepia, and the line says what to install.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The landmark image: what the generator will see
#
# Zakharov et al. (2019) do not give their generator 136 numbers. They **draw** the landmarks: each part
# as a line of its own colour on a black picture the size of the photo. A convolutional network
# understands pictures better than lists, and the colours tell it which line is the mouth and which the
# brow. This *landmark image* is the instruction the deepfake generator turns into a face in chapter 08.
#
# > **Think!** The landmark image has no skin, hair or colour of the person. Shown only the landmark images of
# > the astronaut and the Mona Lisa, could you still tell the two faces apart? What, if anything, about *who* the
# > person is survives?

# %% slideshow={"slide_type": "subslide"}
astro_points = next(iter(results.values())).faces[0].points if results else None
sketches = [neutral.image, faces.landmark_image(neutral.landmarks, 256)]
titles = ["FaceWorld face", "its landmark image"]
for name, image, pts in [("astronaut", astronaut, astro_points), (label, mona.image, mona_result.faces[0].points)]:
    if pts is None:
        continue
    x0, x1, y1, y0 = (int(round(v)) for v in crop_box(pts, image, margin=0.3))
    sketches += [image[y0:y1, x0:x1], faces.landmark_image(pts, image.shape[:2])[y0:y1, x0:x1]]
    titles += [name, f"{name}: landmark image"]
show_images(sketches, titles, ncols=6, size=2.6, suptitle="Landmark images: the generator's input (chapter 08)")
save_figure(plt.gcf(), "landmark_images", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Skin, hair, eye colour and the painting's varnish have gone. What is left is *where* each part is —
# the pose and the expression — but also the *shape* of the face: the width of the jaw, the distance
# between the eyes, the length of the nose. Face shape is biometric (discussion question 2), so a
# landmark image still says something about *who*. The talking-head GAN splits the two as well as it
# can: the landmark image says *where*, a few photos of the target say *who*. Drive the Mona Lisa with
# someone else's landmark images and she makes their expressions — and takes on some of their face
# shape. Zakharov et al. (2019) name this as a limit of their method: landmarks from a different person
# give a visible mismatch of identity, and the landmarks would have to be adapted to the target first.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Move a face, watch its landmarks
#
# The sliders set the pose and the expression of a FaceWorld face; the three panels show the picture,
# its points and its landmark image. The figure below is the starting position, drawn once for readers
# without a live notebook; in Jupyter the sliders redraw it when you let go.

# %% slideshow={"slide_type": "subslide"}
def show_face(yaw=0.0, pitch=0.0, roll=0.0, jaw_open=0.0, smile=0.0, blink=0.0, brow_raise=0.0):
    """Render the test person with this pose and expression; show picture, points, landmark image."""
    frame = faces.Frame(faces.Pose(yaw=yaw, pitch=pitch, roll=roll),
                        faces.Expression(jaw_open=jaw_open, smile=smile, blink_left=blink, blink_right=blink,
                                         brow_raise=brow_raise))
    out = faces.render(person, frame, size=160)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
    axes[0].imshow(out.image)
    axes[0].set_title("FaceWorld frame", fontsize=10)
    axes[0].axis("off")
    plot_points(axes[1], out.image, out.landmarks, "its 68 landmarks", size=10)
    axes[2].imshow(faces.landmark_image(out.landmarks, 160))
    axes[2].set_title("its landmark image", fontsize=10)
    axes[2].axis("off")
    fig.suptitle(f"yaw {yaw:.0f}°, pitch {pitch:.0f}°, roll {roll:.0f}° · jaw {jaw_open:.1f}, smile {smile:.1f}, "
                 f"blink {blink:.1f}, brows {brow_raise:.1f}", fontweight="bold")
    fig.tight_layout()
    plt.show()


show_face(yaw=20, jaw_open=0.5, smile=0.6)

# %% slideshow={"slide_type": "skip"}
def _slider(lo, hi, step, description, value=0.0):
    return FloatSlider(value=value, min=lo, max=hi, step=step, description=description, continuous_update=False)


interact(show_face, yaw=_slider(-45, 45, 5, "yaw °", 20), pitch=_slider(-25, 25, 5, "pitch °"),
         roll=_slider(-30, 30, 5, "roll °"), jaw_open=_slider(0, 1, 0.1, "jaw open", 0.5),
         smile=_slider(0, 1, 0.1, "smile", 0.6), blink=_slider(0, 1, 0.1, "blink"),
         brow_raise=_slider(0, 1, 0.1, "brows up"));

# %% [markdown] slideshow={"slide_type": "notes"}
# Things to notice while you play: opening the jaw moves the chin points 6–10 *and* the inner lips;
# blinking collapses each eye ring to a line; turning the head squeezes the far half of the jaw and the
# far eye together — the positions still exist in the scheme, but the picture no longer shows them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - A face is described by **68 numbered points** in a fixed order (iBUG 300-W): jaw 0–16, brows 17–26,
#   nose 27–35, eyes 36–47, lips 48–67. A part is a slice of a `(68, 2)` array.
# - A **detector** finds them in a photo. Here: face-alignment when its weights are available, dlib
#   offline, and the course's own network; `landmarks.detect` says which ran and why, and answers bad
#   input with one sentence.
# - A **heatmap network** paints one blob per point; the **soft-argmax** (a brightness-weighted average of
#   cell coordinates) turns each blob into a sub-pixel point.
# - Detectors are measured by the **NME**: mean point error divided by the eye-corner distance, on faces
#   never seen in training. They fail on turned heads, closed eyes and on kinds of face they never saw
#   (a painting for a detector trained on synthetic faces).
# - The **landmark image** — the points drawn as coloured lines on black — keeps *where* and drops skin,
#   hair and colour, but it keeps the face's shape, which is biometric; it is the generator's input in
#   chapter 08.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each exercise asks for one function. Write it in place of the solution, run the cell, then run the
# check below it: it says ✔ or gives you a hint.
#
# ### Exercise 1 · The inter-ocular distance and the NME
#
# Write `inter_ocular_distance(points)` (the distance between points 36 and 45 of a `(68, 2)` array)
# and `my_nme(pred, true)` (the mean distance between matching points, divided by the inter-ocular
# distance of the **true** points), using only numpy.

# %% slideshow={"slide_type": "skip"}
def inter_ocular_distance(points):
    """Distance between the outer eye corners, points 36 and 45, of a (68, 2) array."""
    ### BEGIN SOLUTION
    return float(np.linalg.norm(points[45] - points[36]))
    ### END SOLUTION


def my_nme(pred, true):
    """Normalised mean error of one face: mean |pred_k − true_k| over 68 points / inter-ocular(true)."""
    ### BEGIN SOLUTION
    return float(np.linalg.norm(pred - true, axis=1).mean() / inter_ocular_distance(true))
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 1", [
    Test("the toy face's eye corners are 40 px apart", lambda: np.isclose(inter_ocular_distance(toy_true), 40.0),
         "Take the two rows points[36] and points[45], subtract, and use np.linalg.norm for the length."),
    Test("agrees with faces.inter_ocular on the test faces",
         lambda: all(np.isclose(inter_ocular_distance(p), faces.inter_ocular(p)) for p in test_points[:10]),
         "Outer corners are 36 (image left) and 45 (image right), not the inner ones 39 and 42."),
    Test("the 1-pixel toy shift gives NME 1/40", lambda: np.isclose(my_nme(toy_pred, toy_true), 1 / 40),
         "Distances per point: np.linalg.norm(pred - true, axis=1); then .mean(), then divide."),
    Test("agrees with landmark_net.nme on the detector's test predictions",
         lambda: np.allclose([my_nme(p, t) for p, t in zip(test_pred[:10], test_points[:10])], test_nme[:10]),
         "Divide by the inter-ocular distance of the TRUE points, not of the prediction."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · Pick a part
#
# Write `part_points(points, name)`: the rows of a `(68, 2)` array that belong to part `name`, using the
# index ranges in `faces.PARTS` (do not type the numbers in). Then `jaw_width(points)`: the distance
# between the two ends of the jaw line.

# %% slideshow={"slide_type": "skip"}
def part_points(points, name):
    """The (n, 2) rows of `points` belonging to faces.PARTS[name] = (start, end), end excluded."""
    ### BEGIN SOLUTION
    start, end = faces.PARTS[name]
    return points[start:end]
    ### END SOLUTION


def jaw_width(points):
    """Distance between the first and the last point of the jaw."""
    ### BEGIN SOLUTION
    jaw = part_points(points, "jaw")
    return float(np.linalg.norm(jaw[-1] - jaw[0]))
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 2", [
    Test("the jaw has 17 points, the first being point 0",
         lambda: part_points(neutral.landmarks, "jaw").shape == (17, 2)
         and np.array_equal(part_points(neutral.landmarks, "jaw")[0], neutral.landmarks[0]),
         "start, end = faces.PARTS['jaw'] gives (0, 17); points[start:end] keeps rows 0…16."),
    Test("the inner lips are the last 8 points",
         lambda: np.array_equal(part_points(neutral.landmarks, "inner_lips"), neutral.landmarks[60:68]),
         "Python slices exclude their end: points[60:68] is rows 60…67."),
    Test("jaw_width is the distance from point 0 to point 16",
         lambda: np.isclose(jaw_width(neutral.landmarks), np.linalg.norm(neutral.landmarks[16] - neutral.landmarks[0])),
         "Take the jaw's first row jaw[0] and last row jaw[-1]."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · A soft-argmax of your own
#
# Write `soft_argmax(h)`: for a 2-D array `h` of non-negative brightness values, return `(x, y)`, the
# brightness-weighted average of the column index (x) and of the row index (y), as in section 3.

# %% slideshow={"slide_type": "skip"}
def soft_argmax(h):
    """(x, y): sum(h * column) / sum(h), sum(h * row) / sum(h) for a 2-D non-negative array h."""
    ### BEGIN SOLUTION
    rows, cols = np.indices(h.shape)
    return float((h * cols).sum() / h.sum()), float((h * rows).sum() / h.sum())
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_spike = np.zeros((5, 7))
_spike[1, 4] = 3.0
run_check("Exercise 3", [
    Test("a single bright cell in row 1, column 4 gives (4, 1)", lambda: np.allclose(soft_argmax(_spike), (4, 1)),
         "x is the COLUMN index and y the ROW index: np.indices(h.shape) returns (rows, cols)."),
    Test("section 3's tiny heatmap gives (1.7, 1.3)", lambda: np.allclose(soft_argmax(tiny), (1.7, 1.3)),
         "Weight each coordinate by h and divide by h.sum(), so that the weights add up to one."),
    Test("on an exact 32 × 32 target heatmap it finds the cell the course's read-out finds",
         lambda: np.allclose(soft_argmax(targets[30].numpy()),
                             ((small.landmarks[30] + 0.5) / 2 - 0.5), atol=0.02),
         "A full Gaussian inside the map should give back its centre; check you divide by the total brightness."),
])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. The course's detector learned that the chin lies below the mouth and the eyes sit on a line above
#    the nose — *relationships between landmarks*, not just what a corner of an eye looks like. Where did
#    that knowledge come from, and why does it break on a face turned 35° or on a painting?
# 2. 136 numbers describe a face's geometry well enough to drive a deepfake, and faces in photos can be
#    measured without their owner knowing. European law counts face geometry used to identify someone
#    as *biometric data* (GDPR article 9). Which of your organisation's photos, videos or camera feeds
#    would that cover, and who may run a landmark detector on them?
# 3. A detector trained on one kind of face (synthetic, or mostly one age or skin tone) is worse on
#    others, as the painting showed. If your organisation bought a face-analysis product, which
#    question about its training data and its NME *per group of people* would you insist on?
# 4. The landmark image keeps *where* the face's parts are and drops skin, hair and colour, but not the
#    shape of the face. What does that make possible — for animation and accessibility, and for fraud?
#    And what does a video that drives a portrait give away about the person in it?

# %% [markdown] slideshow={"slide_type": "-"}
# **Next:** chapter 04 follows the *paths* the pixels take when a face moves — and uses moving landmarks
# to make a portrait smile.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Christos Sagonas, Georgios Tzimiropoulos, Stefanos Zafeiriou, Maja Pantic (2013). 300 Faces in-the-Wild Challenge: The First Facial Landmark Localization Challenge. *ICCV 2013 Workshops*. [authors' copy (iBUG, Imperial)](https://ibug.doc.ic.ac.uk/media/uploads/documents/sagonas_iccv_2013_300_w.pdf) · [doi:10.1109/ICCVW.2013.59](https://doi.org/10.1109/ICCVW.2013.59)
# - Ralph Gross, Iain Matthews, Jeffrey Cohn, Takeo Kanade, Simon Baker (2010). Multi-PIE. *Image and Vision Computing* 28(5). [open copy (PubMed Central)](https://www.ncbi.nlm.nih.gov/pmc/articles/PMC2873597/) · [doi:10.1016/j.imavis.2009.08.002](https://doi.org/10.1016/j.imavis.2009.08.002)
# - Adrian Bulat, Georgios Tzimiropoulos (2017). How Far Are We from Solving the 2D & 3D Face Alignment Problem? (and a Dataset of 230,000 3D Facial Landmarks). *ICCV 2017*. [arXiv:1703.07332](https://arxiv.org/abs/1703.07332)
# - Vahid Kazemi, Josephine Sullivan (2014). One Millisecond Face Alignment with an Ensemble of Regression Trees. *CVPR 2014*. [open copy (CVF)](https://www.cv-foundation.org/openaccess/content_cvpr_2014/papers/Kazemi_One_Millisecond_Face_2014_CVPR_paper.pdf)
# - Alejandro Newell, Kaiyu Yang, Jia Deng (2016). Stacked Hourglass Networks for Human Pose Estimation. *ECCV 2016*. [arXiv:1603.06937](https://arxiv.org/abs/1603.06937)
# - Egor Zakharov, Aliaksandra Shysheya, Egor Burkov, Victor Lempitsky (2019). Few-Shot Adversarial Learning of Realistic Neural Talking Head Models. *ICCV 2019*. [arXiv:1905.08233](https://arxiv.org/abs/1905.08233)
