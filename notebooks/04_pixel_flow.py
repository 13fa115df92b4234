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
# # 04 · Pixel flow
#
# When a face turns or smiles, every pixel of it travels along a short path to a new place; the field
# of those paths is the **optical flow**, and a computer can estimate it from two pictures alone. Turn
# the idea around — *choose* the paths, then move the pixels along them — and a still portrait smiles,
# opens its mouth and talks: the oldest trick of face animation, and still a part of today's deepfakes.
#
# > **For leaders.** This chapter shows that a single still portrait can be made to smile and talk by moving its
# > pixels along chosen paths, an old trick of face animation that today's deepfakes still use. One public photo of
# > a person, such as a picture on a staff page, is enough raw material, so the risk does not depend on stolen data
# > or special equipment. Ask which photos of our people are public, and what consent or policy covers animating
# > them.
#
# **Learning objectives.** By the end of this notebook you can
#
# - state **brightness constancy** and explain why one equation per pixel cannot give two unknowns
#   (the *aperture problem*);
# - write **Lucas–Kanade** and **Horn–Schunck** flow yourself, and say how each one fills in what the
#   equation leaves open;
# - measure flow with the **end-point error** (EPE) against FaceWorld's exact flow, and compare your
#   methods with OpenCV's in accuracy and speed;
# - **warp** an image backwards along a flow, and explain why backward warping leaves no holes;
# - make a real portrait smile, talk and **morph** between two expressions (MikeTalk, 1998), and say
#   what a warp cannot do;
# - explain what a **learned** flow network does differently: it predicts the paths from landmarks alone.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 15 s): 6 test pairs, a 1-second talking clip | 30 min, reading and moving the sliders |
# | standard (default) | ≤ 10 min (about 2 min): 60 test pairs, a 4-second clip | 60–90 min with the exercises |
# | full | about 3 min: 200 test pairs, an 8-second clip | 60–90 min |
#
# **Needs from earlier chapters:** chapter 01's picture of an image as an array of numbers; chapter 02's
# convolution (a weighted average of neighbours); chapter 03's 68 landmarks and landmark image. Nothing
# trains here: the learned flow network of section 10 comes as a checkpoint (`checkpoints/flow_net.pt`).

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
import time

import cv2
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from ipywidgets import Dropdown, FloatSlider, interact
from skimage import data

from course_utils import driving, warps
from course_utils import flow as fl
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.errors import CourseError
from course_utils.exercises import Test, run_check
from course_utils.faces import split_seeds
from course_utils.images import available_portraits, load_image, portrait, save_upload, upload_widget
from course_utils.tensors import n_params
from course_utils.viz import animation, save_figure, show_images, show_source

CHAPTER = "04_pixel_flow"
seed_everything(0)
N_PAIRS = by_mode(6, 60, 200)  # FaceWorld test pairs for the comparisons (64 px; half as many at 128 px)
TALK_FRAMES = by_mode(25, 100, 200)  # frames of the talking portrait, at 25 per second
print("figures and animations from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The paths pixels take
#
# Here are two frames of a FaceWorld person a moment apart: the head turns a little and the expression
# changes. Because FaceWorld builds the face from a 3-D mesh, it knows, for every pixel of the second
# frame, exactly where that bit of skin was in the first: the **true flow**. Every method in this
# notebook is graded against it.
#
# The course's convention, everywhere: the flow is stored on the **second** image's pixels and points
# **back** to where each pixel came from,
#
# $$\text{second}(x, y) \approx \text{first}(x + u,\; y + v), \qquad \text{flow}[y, x] = (u, v)\ \text{pixels}.$$
#
# It looks backwards, but it is exactly what drawing the second picture needs: *for each pixel I must
# paint, where do I fetch its colour?* (Section 6 shows why.)

# %% slideshow={"slide_type": "skip"}
pair = fl.make_pair(split_seeds("test", 3)[2], np.random.default_rng(4), size=128)
mag = np.linalg.norm(pair.flow, axis=-1)
print(f"the true flow: up to {mag[pair.valid].max():.1f} px, {mag[pair.valid].mean():.2f} px on average; "
      f"{(~pair.valid).mean():.0%} of the pixels have no answer (hidden in the first frame, or on an edge)")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 5, figsize=(16, 3.7), gridspec_kw={"width_ratios": [1, 1, 1, 1, 0.6]})
for ax, img, title in zip(axes, [pair.source, pair.target], ["first frame (source)", "second frame (target)"]):
    ax.imshow(img)
    ax.set_title(title, fontsize=10)
axes[2].imshow(fl.flow_to_color(pair.flow, pair.valid))
axes[2].set_title("true flow as colour (black: no answer)", fontsize=10)
axes[3].imshow(pair.target)
fl.draw_arrows(axes[3], pair.flow, step=8, scale=2.0, valid=pair.valid)
axes[3].set_title("true motion, arrows 2× long", fontsize=10)
axes[4].imshow(fl.color_wheel(128))
axes[4].set_title("colour key: direction\nof the flow vector", fontsize=10)
for ax in axes:
    ax.axis("off")
fig.suptitle("A FaceWorld pair and its exact flow", fontweight="bold")
fig.tight_layout()
save_figure(fig, "true_flow", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Read the colour picture with the key on the right: the hue is the direction of the flow vector (the
# way back to the first frame), the strength of the colour its length; white is "no motion" (the
# background). The arrows show the **motion** itself: each starts where a pixel was in the first frame
# and ends where it is in the second (so they point the opposite way to the flow vector). Notice that
# the whole head moves as one piece, while the mouth and the jaw add motion of their own — and that the
# black rims, where one frame shows something the other hides, have no true flow at all.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Brightness constancy, and why it is not enough
#
# How could a program find these paths from the two pictures alone? The classic assumption: **a bit of
# skin keeps its brightness while it moves**. For a small motion, a first-order Taylor expansion of
# $\text{second}(x) = \text{first}(x + u, y + v)$ turns that into one linear equation per pixel,
#
# $$I_x\,u + I_y\,v + I_t = 0, \qquad I_t = \text{first} - \text{second},$$
#
# where $I_x, I_y$ are the image's slopes (how fast brightness changes to the right and downwards) and
# $I_t$ is the change between the frames. (The sign of $I_t$ follows from our backward convention: if the
# picture moves $d$ pixels to the right, the flow is $-d$ and $I_t \approx I_x d$.) Here are the three
# ingredients for our pair:

# %% slideshow={"slide_type": "subslide"}
first, second = fl.to_gray(pair.source), fl.to_gray(pair.target)
ix, iy, it = fl.gradients(first, second)
residual_true = ix * pair.flow[..., 0] + iy * pair.flow[..., 1] + it

fig, axes = plt.subplots(1, 4, figsize=(15, 3.9))
for ax, img, title in zip(axes, [ix, iy, it, residual_true],
                          ["$I_x$: slope to the right", "$I_y$: slope downwards", "$I_t$: first − second",
                           "$I_x u + I_y v + I_t$ with the true flow"]):
    lim = np.percentile(np.abs(it), 99.5)
    im = ax.imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
fig.colorbar(im, ax=axes, fraction=0.015, label="brightness per pixel (0–1 scale)")
fig.suptitle("The brightness-constancy equation, term by term", fontweight="bold")
save_figure(fig, "brightness_constancy", CHAPTER);
valid = pair.valid
print(f"doing nothing,            mean |first − second|:           {np.abs(it[valid]).mean():.4f}")
print(f"brightness constancy,     mean |first(x + flow) − second|: "
      f"{np.abs(fl.warp_cv2(first, pair.flow) - second)[valid].mean():.4f}")
print(f"its linear version,       mean |Ix·u + Iy·v + It|:         {np.abs(residual_true[valid]).mean():.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# The printout says two things. Brightness constancy itself holds almost perfectly here: fetching each
# pixel from where the true flow says it came from reproduces the second frame to a fraction of a grey
# level. Its *linear* version is much rougher: the last panel is pale on the smooth skin but not at the
# sharp edges of the eyes, the mouth and the head, where the motion (up to several pixels) is larger
# than the distance over which a slope stays the same. The equation is only good for small motions —
# remember that for section 3.
#
# **The aperture problem.** Look at the slope pictures: across most of the cheeks and the forehead they
# are almost zero, and along an edge only the slope *across* the edge is large. One equation cannot fix
# two unknowns $(u, v)$: it only tells the motion *across* an edge, never the motion *along* it, and on
# flat skin it tells nothing at all. Every flow method is a choice of what to add:
#
# - **Lucas–Kanade** (1981): assume the flow is the same for all pixels of a small window, and solve the
#   window's many equations by least squares;
# - **Horn–Schunck** (1981): assume the flow changes smoothly, and trade the equation's error against
#   the flow's roughness everywhere at once.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Lucas–Kanade by hand
#
# In a window around a pixel, every neighbour $k$ gives one equation $I_{x,k}\,u + I_{y,k}\,v = -I_{t,k}$.
# Least squares over the window gives a 2 × 2 system,
#
# $$\begin{pmatrix} \sum I_x^2 & \sum I_x I_y \\ \sum I_x I_y & \sum I_y^2 \end{pmatrix}
# \begin{pmatrix} u \\ v \end{pmatrix} = -\begin{pmatrix} \sum I_x I_t \\ \sum I_y I_t \end{pmatrix},$$
#
# which we solve in closed form at every pixel at once. The sums over a window are a blur (chapter 02's
# convolution) of the products. Where the window has no texture, or only an edge, the matrix is
# (nearly) singular — its smaller eigenvalue is (nearly) zero — and we refuse to answer.

# %% slideshow={"slide_type": "skip"}
def lucas_kanade_step(first, second, window=5, min_eigen=1e-4):
    """One Lucas–Kanade solve at every pixel: flow (H, W, 2) for a small motion, 0 where the window is flat."""
    ix, iy, it = fl.gradients(first, second)
    window_sum = lambda a: cv2.GaussianBlur(a, (window, window), 0)  # noqa: E731 - a weighted sum over each window
    sxx, sxy, syy = window_sum(ix * ix), window_sum(ix * iy), window_sum(iy * iy)
    sxt, syt = window_sum(ix * it), window_sum(iy * it)
    det = sxx * syy - sxy ** 2
    smaller_eigenvalue = (sxx + syy) / 2 - np.sqrt(((sxx - syy) / 2) ** 2 + sxy ** 2)
    ok = smaller_eigenvalue > min_eigen
    det = np.where(ok, det, 1.0)
    u = np.where(ok, (-syy * sxt + sxy * syt) / det, 0.0)
    v = np.where(ok, (sxy * sxt - sxx * syt) / det, 0.0)
    return np.stack([u, v], -1).astype(np.float32)


# %% [markdown] slideshow={"slide_type": "notes"}
# On our pair, this single step already moves in the right direction, but it falls short where the
# motion is larger than a pixel or two: the Taylor expansion only holds for small steps. The remedy is
# the same in every serious flow method, **coarse to fine**: solve on a half- and a quarter-size copy of
# the images first (where every motion is small), enlarge that flow, warp the first image by it, and
# solve only for the small correction that is left — repeating the step a few times per level.

# %% slideshow={"slide_type": "subslide"}
one_step = lucas_kanade_step(first, second)
full_lk = fl.lucas_kanade(pair.source, pair.target)
show_images([fl.flow_to_color(pair.flow, valid), fl.flow_to_color(one_step, valid, mag[valid].max()),
             fl.flow_to_color(full_lk, valid, mag[valid].max())],
            ["true flow", f"one step: EPE {fl.endpoint_error(one_step, pair.flow, valid):.2f} px",
             f"coarse to fine: EPE {fl.endpoint_error(full_lk, pair.flow, valid):.2f} px"],
            size=3.2, suptitle="Lucas–Kanade: one step vs coarse to fine (same colour scale)")
save_figure(plt.gcf(), "lucas_kanade", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# The **end-point error** (EPE) in the titles is the yardstick of this chapter: at each pixel, the length
# of the arrow from the estimated flow vector to the true one, averaged over the pixels that have a
# true flow. Zero would be perfect; "do nothing" (zero flow) scores the mean length of the true flow.
# Notice how pale the one-step answer is — it underestimates the motion — and how the coarse-to-fine
# version reaches the true colours. Here is the course's full version; the loop inside `solve_level` is
# the step above, applied to the first image warped by the flow found so far:

# %% slideshow={"slide_type": "skip"}
show_source(fl.lucas_kanade)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Horn–Schunck by hand
#
# Horn and Schunck ask for the flow that makes the brightness equation *and* smoothness hold as well as
# possible together, over the whole image:
#
# $$E(u, v) = \sum_{\text{pixels}} (I_x u + I_y v + I_t)^2 + \alpha^2 \left(|\nabla u|^2 + |\nabla v|^2\right).$$
#
# Setting the derivative of $E$ to zero gives, at each pixel, a formula in terms of the average
# $\bar u, \bar v$ of the neighbours' flow — so the flow is found by repeating
#
# $$u \leftarrow \bar u - I_x \frac{I_x \bar u + I_y \bar v + I_t}{\alpha^2 + I_x^2 + I_y^2}, \qquad
#   v \leftarrow \bar v - I_y \frac{I_x \bar u + I_y \bar v + I_t}{\alpha^2 + I_x^2 + I_y^2}.$$
#
# Read it as: *take your neighbours' opinion, then correct it along the slope just enough to satisfy the
# brightness equation.* On flat skin ($I_x = I_y = 0$) the pixel simply copies its neighbours, so motion
# measured at the eyes and mouth spreads over the cheeks: the aperture problem is solved by gossip.

# %% slideshow={"slide_type": "skip"}
NEIGHBOURS = np.array([[1, 2, 1], [2, 0, 2], [1, 2, 1]], np.float32) / 12  # Horn & Schunck's average


def horn_schunck_step(first, second, alpha=0.01, iterations=100):
    """Horn–Schunck at one scale, from zero flow: `iterations` Jacobi updates; flow (H, W, 2)."""
    ix, iy, it = fl.gradients(first, second)
    u, v = np.zeros_like(first), np.zeros_like(first)
    for _ in range(iterations):
        u_avg, v_avg = cv2.filter2D(u, -1, NEIGHBOURS), cv2.filter2D(v, -1, NEIGHBOURS)
        correction = (ix * u_avg + iy * v_avg + it) / (alpha ** 2 + ix ** 2 + iy ** 2)
        u, v = u_avg - ix * correction, v_avg - iy * correction
    return np.stack([u, v], -1)


# %% [markdown] slideshow={"slide_type": "notes"}
# The weight $\alpha$ sets how much smoothness counts against the brightness equation (our images run
# from 0 to 1, so slopes are small numbers and $\alpha$ is too). Which value is right? Let us measure,
# on a few FaceWorld *validation* pairs, with the course's coarse-to-fine version (`fl.horn_schunck`, which
# runs the step above on warped images, level by level). We try it plain, as in 1981, and with one
# modern trick: a 5 × 5 **median filter** of the flow after each warp, which replaces every flow vector
# by the median of its neighbourhood and so throws out the wild ones (Sun, Roth & Black, *Secrets of
# optical flow*, 2010).

# %% slideshow={"slide_type": "subslide"}
alphas = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1]
variants = {"plain (1981), 10 iterations": dict(median=0, iterations=10),
            "+ median filter, 10 iterations (course default)": dict(median=5, iterations=10),
            "+ median filter, 100 iterations": dict(median=5, iterations=100)}
tuning_pairs = fl.faceworld_pairs(3, 128, split="validation")


def mean_epe(method, pairs, **settings):
    return np.mean([fl.endpoint_error(method(p.source, p.target, **settings), p.flow, p.valid) for p in pairs])


fig, ax = plt.subplots(figsize=(7, 3.9))
for label, settings in variants.items():
    ax.semilogx(alphas, [mean_epe(fl.horn_schunck, tuning_pairs, alpha=a, **settings) for a in alphas], "o-",
                label=label)
ax.axhline(np.mean([np.linalg.norm(p.flow, axis=-1)[p.valid].mean() for p in tuning_pairs]), ls="--",
           color="gray", label="zero flow (do nothing)")
ax.set_xlabel("smoothness weight α")
ax.set_ylabel("mean EPE, 3 validation pairs (px)")
ax.set_title("Tuning Horn–Schunck at 128 px")
ax.legend(fontsize=9)
save_figure(fig, "hs_tuning", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Three lessons in one plot. **Plain Horn–Schunck** has a sweet spot: with a tiny $\alpha$ it believes
# every noisy slope and its errors explode, with a large one it smooths the motion away; at its best it
# beats doing nothing, but not by much. **The median filter** removes the wild vectors before the next
# warp magnifies them, so a much smaller $\alpha$ (more trust in the image) becomes safe, and the error
# drops by half. And **more iterations are worse**, not better: the smoothness term does not know where
# the face ends, so given time the gossip carries the head's motion out into the still background.
# FaceWorld's faces move against a static backdrop — a *motion boundary* all around the head — and the
# smoothness of 1981 smears across it; robust penalties and image-guided smoothing, decades of later
# work, are all attempts at "smooth, except at the edges". The course's defaults (`alpha=0.005`, 10
# iterations, 3 warps per level, median filter) were chosen on validation pairs; the exam below uses
# *test* pairs nobody tuned on.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Against OpenCV
#
# Optical flow is a solved engineering problem in OpenCV, the computer-vision library of record: it
# ships **Farnebäck**'s method (2003, fits a quadratic surface to each neighbourhood) and **DIS**,
# *dense inverse search* (2016: fast patch matching, then a Horn–Schunck-like smoothing). The course's
# wrappers call them in our convention. Every method sits the same exam: FaceWorld test pairs, EPE on the
# pixels with a true answer, and the time per pair on this machine.
#
# > **Think!** Your Lucas–Kanade and Horn–Schunck are about twenty lines each, with settings tuned on
# > validation pairs; Farnebäck and DIS are OpenCV's engineered methods. Rank the four by EPE before you run the cell.

# %% slideshow={"slide_type": "skip"}
exam = {64: fl.faceworld_pairs(N_PAIRS, 64, split="test"), 128: fl.faceworld_pairs(N_PAIRS // 2, 128, split="test")}
results = {size: fl.compare(pairs) for size, pairs in exam.items()}
print(f"{'method':14s}" + "".join(f"{f'EPE @{s} px':>13s}{f'ms @{s} px':>11s}" for s in exam))
for name in results[64]:
    print(f"{name:14s}" + "".join(f"{results[s][name]['epe']:13.3f}{results[s][name]['ms']:11.1f}" for s in exam))
print(f"(test pairs: {len(exam[64])} at 64 px, {len(exam[128])} at 128 px; times are noisy on a shared machine)")

# %% slideshow={"slide_type": "subslide"}
names = list(results[64])
fig, ax = plt.subplots(figsize=(7.5, 3.8))
for k, size in enumerate(exam):
    ax.bar(np.arange(len(names)) + (k - 0.5) * 0.38, [results[size][n]["epe"] for n in names], 0.38,
           label=f"{size} × {size} px")
ax.set_xticks(range(len(names)), names)
ax.set_ylabel("mean end-point error (px)")
ax.set_xlabel("method")
ax.set_title("Flow methods on FaceWorld test pairs (lower is better)")
ax.legend()
save_figure(fig, "epe_table", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# All four methods beat doing nothing by a wide margin, and the twenty-line methods you just wrote (with
# their tuned settings) even beat OpenCV's Farnebäck, a more elaborate method. DIS wins clearly: it matches small *patches* rather than
# single slopes, so it copes with larger motions and with edges, and its final smoothing respects the
# image. It was built for speed: its authors report 300 to 600 flow fields a second on one CPU core,
# depending on the setting (Kroeger et al. 2016). Where do they go wrong? The error maps of one pair say it:

# %% slideshow={"slide_type": "subslide"}
shown = exam[128][0]
flows = {name: method(shown.source, shown.target) for name, method in fl.METHODS.items()}
top = np.percentile(np.linalg.norm(shown.flow, axis=-1)[shown.valid], 99)

fig, axes = plt.subplots(2, 5, figsize=(14, 6.2))
axes[0, 0].imshow(fl.flow_to_color(shown.flow, shown.valid, top))
axes[0, 0].set_title("true flow", fontsize=10)
axes[1, 0].imshow(shown.target)
axes[1, 0].set_title("second frame", fontsize=10)
for col, (name, f) in enumerate(flows.items(), start=1):
    axes[0, col].imshow(fl.flow_to_color(f, None, top))
    axes[0, col].set_title(f"{name}: EPE {fl.endpoint_error(f, shown.flow, shown.valid):.2f} px", fontsize=10)
    error = axes[1, col].imshow(np.where(shown.valid, fl.epe_map(f, shown.flow), np.nan), cmap="magma", vmin=0, vmax=3)
    axes[1, col].set_title(f"{name}: error", fontsize=10)
for ax in axes.flat:
    ax.axis("off")
fig.colorbar(error, ax=axes, fraction=0.02, label="end-point error (px; white: no truth)")
fig.suptitle("Estimated flows (top, same colours as the truth) and their errors (bottom) on one test pair",
             fontweight="bold")
save_figure(fig, "flows_and_errors", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# The errors gather in the same places for every method: along the outline of the head (the motion
# boundary), inside the mouth and the eyes (a jaw that opens or an eyelid that closes shows pixels that
# were not there before — brightness constancy simply fails), and on large flat areas of skin or hair
# where there is nothing to lock on to.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Warping: moving pixels along a flow
#
# A flow tells each pixel of the *new* picture where to fetch its colour in the *old* one; fetching it is
# **backward warping**. The fetch position is rarely a whole pixel, so the colour is interpolated from
# the four nearest pixels (bilinear). The course has two implementations that agree: OpenCV's
# `cv2.remap` and PyTorch's `grid_sample` — the second is differentiable, which is how a neural network
# can learn to warp (section 10, and chapter 08).

# %% slideshow={"slide_type": "skip"}
warped = fl.warp(pair.source, pair.flow)  # torch grid_sample
warped_cv2 = fl.warp_cv2(pair.source, pair.flow)  # cv2.remap
print("largest difference between the two warps:", np.abs(warped.astype(int) - warped_cv2).max(), "grey levels")
print(f"mean |warped − target| on pixels with a true flow: "
      f"{np.abs(warped.astype(int) - pair.target)[pair.valid].mean():.2f} grey levels (of 255)")

# %% [markdown] slideshow={"slide_type": "-"}
# Why backwards? The obvious alternative, **forward warping**, pushes each pixel of the first image to
# where it goes. Pushing lands between pixels, and where the picture stretches, some pixels of the new
# picture receive nothing at all — holes; where it shrinks, several pixels land on one. Backward warping
# asks every output pixel for its colour, so nothing is left empty.
#
# > **Think!** The last two panels below put the first frame, warped along the *true* flow, beside the second
# > frame. The flow is exact, so where can the two still differ?

# %% slideshow={"slide_type": "subslide"}
def forward_splat(image, motion):
    """Push each pixel of `image` to its nearest pixel at x + motion (motion (H, W, 2) px); holes stay black."""
    h, w = image.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    tx = np.rint(xs + motion[..., 0]).astype(int)
    ty = np.rint(ys + motion[..., 1]).astype(int)
    inside = (tx >= 0) & (tx < w) & (ty >= 0) & (ty < h)
    out = np.zeros_like(image)
    out[ty[inside], tx[inside]] = image[inside]
    return out


zoom = 1.3  # enlarge the first frame by 30 % around its centre
c = (pair.source.shape[0] - 1) / 2
ys, xs = np.mgrid[0:128, 0:128].astype(np.float32)
zoom_backward = np.stack([(xs - c) / zoom + c - xs, (ys - c) / zoom + c - ys], -1)  # where to fetch from
zoom_forward = np.stack([(xs - c) * zoom + c - xs, (ys - c) * zoom + c - ys], -1)  # where to push to
show_images([pair.source, forward_splat(pair.source, zoom_forward), fl.warp(pair.source, zoom_backward),
             warped, pair.target],
            ["first frame", "zoom by pushing: holes", "zoom by fetching: none", "first warped by true flow",
             "second frame"], size=2.8, suptitle="Forward vs backward warping")
save_figure(plt.gcf(), "warping", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The black grid of holes in the second panel is what forward warping leaves; the third panel, warped
# backwards, is complete. The last two panels show the true flow at work: the warped first frame matches
# the second almost everywhere — except inside the mouth and the eyes, where the second frame shows
# things (teeth, the inside of an eyelid) that the first frame never had. **A warp can only move pixels
# that exist.** Remember that sentence: it is why chapter 08 needs a *generator*.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Make the portrait smile
#
# Now turn the problem around. Instead of *measuring* the flow between two photos, **choose** it: detect
# the portrait's 68 landmarks (chapter 03), move them to where a smiling face would have them, and let a
# smooth function of the image plane carry every other pixel along. Two classic choices for that
# function (`course_utils.warps`):
#
# - **piecewise affine**: cut the face into triangles between the landmarks and move each triangle by
#   its own affine map — exact at the points, but with kinks along the triangle edges. An affine map is
#   not rigid: a rigid map only rotates and translates, a similarity map adds a uniform scale, and an
#   affine map adds shear and a different scale along each direction. It keeps straight lines straight
#   and parallel lines parallel, and that is all a triangle needs to land on any other triangle;
# - **thin-plate spline** (TPS): the smoothest surface through all the points, like bending a thin metal
#   plate — no kinks, but every point pulls a little on the whole image.
#
# Where should a smiling astronaut's landmarks go? We borrow the *motion* of a FaceWorld face (how its
# points move from neutral to smiling) and add it to the astronaut's own points — *relative motion
# transfer*, so she keeps her own face shape.

# %% slideshow={"slide_type": "skip"}
astronaut = portrait("astronaut")
print(astronaut.source)
anim = warps.PortraitAnimator(astronaut.image)
smile_points = warps.expression_points(anim.points, smile=0.9)
tps_image, tps_flow = warps.landmark_warp(anim.crop, anim.points, smile_points, method="tps")
pa_image, pa_flow = warps.landmark_warp(anim.crop, anim.points, smile_points, method="piecewise_affine")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 4, figsize=(15, 4.1))
axes[0].imshow(anim.crop)
axes[0].scatter(*anim.points.T, s=6, c="cyan", label="detected")
axes[0].scatter(*smile_points.T, s=6, c="red", label="smiling")
axes[0].legend(loc="lower left", fontsize=8, frameon=True)
axes[0].set_title("her landmarks, and where they go", fontsize=10)
for ax, img, f, title in [(axes[1], pa_image, pa_flow, "piecewise affine"), (axes[2], tps_image, tps_flow, "thin-plate spline")]:
    ax.imshow(img)
    fl.draw_arrows(ax, f, step=12, scale=3.0, color="yellow")
    ax.set_title(f"{title} (motion ×3)", fontsize=10)
axes[3].imshow(anim.pose(smile=0.9))
axes[3].set_title("the course's animator", fontsize=10)
for ax in axes:
    ax.axis("off")
fig.suptitle("Make the portrait smile: move 68 points, carry the pixels along", fontweight="bold")
fig.tight_layout()
save_figure(fig, "portrait_smile", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Both warps lift the corners of the mouth and push the cheeks up; look closely at the mouth corners to
# see piecewise affine's kinks where TPS bends smoothly. The animator (last panel) adds three things a
# bare warp lacks: fixed points around the face so the background stays still, a fade of the flow
# outside the face, and *painting* what a warp cannot invent — the inside of an opening mouth and a
# closed eyelid.
#
# **Your turn.** The sliders drive the animator; pick a portrait (the Mona Lisa, or your own upload
# below). The figure under the sliders is drawn once for readers without a live notebook.

# %% slideshow={"slide_type": "subslide"}
animators = {"astronaut": anim}


def animator_for(name):
    """The PortraitAnimator of a portrait, made once (it detects the face and crops it)."""
    if name not in animators:
        animators[name] = warps.PortraitAnimator(portrait(name).image)
    return animators[name]


def show_expression(name="astronaut", smile=0.6, jaw_open=0.0, brow_raise=0.0):
    """The chosen portrait warped to this expression, next to the original."""
    try:
        a = animator_for(name)
    except CourseError as err:
        print("✘", err)
        return
    show_images([a.crop, a.pose(smile=smile, jaw_open=jaw_open, brow_raise=brow_raise)],
                [f"{name}: as photographed", f"smile {smile:.1f} · jaw {jaw_open:.1f} · brows {brow_raise:.1f}"],
                size=3.6)
    plt.show()


show_expression("astronaut", smile=0.8, jaw_open=0.4, brow_raise=0.5)

# %% slideshow={"slide_type": "skip"}
def _slider(description, value=0.0):
    return FloatSlider(value=value, min=0, max=1, step=0.1, description=description, continuous_update=False)


portrait_menu = Dropdown(options=available_portraits(), value="astronaut", description="portrait")
interact(show_expression, name=portrait_menu, smile=_slider("smile", 0.6), jaw_open=_slider("jaw open"),
         brow_raise=_slider("brows up"));

# %% [markdown] slideshow={"slide_type": "-"}
# Push the sliders to the end and the illusion breaks: a wide-open jaw stretches the chin, and the
# painted mouth is a guess. Warping is convincing for small motions of what is already visible. (If the
# Mona Lisa shows **STAND-IN**, the painting is not in the data cache and could not be downloaded; run
# `python -m course_utils.fetch` once while online.)
#
# **Your own portrait.** Upload a photo with one face looking roughly at the camera; it is kept in the
# data cache (not in the notebook) and added to the menu above.

# %% slideshow={"slide_type": "skip"}
def add_portrait(source):
    """Check an uploaded picture (it must show a face), keep it, add it to the menu; returns its name."""
    image = load_image(source)
    animator = warps.PortraitAnimator(image)  # finds the face now, so a picture without one fails here
    name = save_upload(image, "my_portrait")
    animators[name] = animator
    portrait_menu.options = available_portraits()
    portrait_menu.value = name
    return name


# add_portrait keeps the picture itself, once it has found a face: keep=False
display(upload_widget(lambda image: print(f"✔ added {add_portrait(image)!r} to the portrait menu above"),
                      "Upload a portrait", keep=False))

# %% [markdown] slideshow={"slide_type": "notes"}
# Without a browser nobody can upload anything, so here is what happens to two bad uploads: a file that
# is not a picture, and a photo with no face in it (scikit-image's cup of coffee). Each gets one
# sentence, and the notebook carries on.

# %% slideshow={"slide_type": "skip"}
for what, thing in {"a text file": b"these bytes are not a picture", "a cup of coffee": data.coffee()}.items():
    try:
        add_portrait(thing)
    except CourseError as err:
        print(f"{what:16s} → CourseError: {err}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. MikeTalk: morphing between two expressions along the flow
#
# In 1998 Tony Ezzat and Tomaso Poggio at MIT built **MikeTalk**, a talking face made from a few dozen
# photos of one person, one for each mouth shape (*viseme*). To go from one viseme image $I_0$ to the next
# $I_1$ they did not fade one picture into the other: they computed the optical flow between them and
# **morphed** — moved the pixels part of the way along the flow from both ends and blended:
#
# $$I_\alpha = (1-\alpha)\,\mathrm{warp}(I_0,\ \alpha\, C_{1\to 0}) + \alpha\,\mathrm{warp}(I_1,\ (1-\alpha)\, C_{0\to 1}),
# \qquad 0 \le \alpha \le 1.$$
#
# In our convention $C_{1\to 0}$ = `flow(I0, I1)` fetches from $I_0$ for each pixel of $I_1$, so
# fetching along $\alpha C_{1\to0}$ moves $I_0$ the first $\alpha$ of the way, and fetching from $I_1$
# along $(1-\alpha) C_{0\to1}$ brings $I_1$ back the remaining $1-\alpha$. (Using the flow at the
# intermediate pixel instead of the one it came from is an approximation; for smooth flows it is
# invisible.) Our two "visemes": the astronaut closed-mouthed and neutral, and the astronaut saying "ah".

# %% slideshow={"slide_type": "subslide"}
I0 = anim.pose()
I1 = anim.pose(jaw_open=0.7, smile=0.3, brow_raise=0.4)
C10 = fl.dis(I0, I1)  # I1(x) ≈ I0(x + C10): fetch from I0
C01 = fl.dis(I1, I0)  # I0(x) ≈ I1(x + C01): fetch from I1


def morph(alpha):
    """MikeTalk's morph at 0 ≤ alpha ≤ 1: both images moved along the flow, then blended."""
    a = fl.warp(I0, alpha * C10).astype(np.float32)
    b = fl.warp(I1, (1 - alpha) * C01).astype(np.float32)
    return np.clip((1 - alpha) * a + alpha * b, 0, 255).astype(np.uint8)


def dissolve(alpha):
    """A plain cross-dissolve: no motion, only a blend of the two pictures."""
    return np.clip((1 - alpha) * I0.astype(np.float32) + alpha * I1, 0, 255).astype(np.uint8)


alphas = np.linspace(0, 1, 5)
mouth = (slice(130, 230), slice(70, 190))  # the mouth region of the 256 px crop
show_images([dissolve(a)[mouth] for a in alphas] + [morph(a)[mouth] for a in alphas],
            [f"dissolve α={a:.2f}" for a in alphas] + [f"morph α={a:.2f}" for a in alphas], ncols=5, size=2.6,
            suptitle="Cross-dissolve (top) vs MikeTalk morph along the flow (bottom), mouth region")
save_figure(plt.gcf(), "morph_vs_dissolve", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# Look at the middle column. The dissolve shows **two mouths at once**, a ghost of the closed one over
# the open one; the morph shows **one mouth, half open** — the lips travel. That is the whole point of
# computing the flow. Played forwards and back, at 25 frames a second:

# %% slideshow={"slide_type": "subslide"}
small = lambda image: cv2.resize(image, (192, 192), interpolation=cv2.INTER_AREA)  # noqa: E731 - smaller GIF
steps = np.concatenate([np.linspace(0, 1, 9), np.linspace(1, 0, 9)[1:-1]])  # there and back again
loop = [np.concatenate([small(dissolve(a)), small(morph(a))], axis=1) for a in steps]
animation(loop, fps=8, name="morph_vs_dissolve", chapter=CHAPTER, width=512)

# %% [markdown] slideshow={"slide_type": "-"}
# (Left: cross-dissolve; right: morph.) MikeTalk chained such morphs through a sequence of visemes, timed by
# a text-to-speech synthesiser (Ezzat & Poggio 1998). Its successor, Mary101, learned the mouth's motion
# from a recorded video; in its perceptual tests, viewers could not tell its synthetic sentences from real
# recordings of the same sentences better than chance (Ezzat, Geiger & Poggio 2002; the tests in full:
# Geiger, Ezzat & Poggio 2003).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. The talking portrait
#
# Instead of a handful of visemes, let a FaceWorld person **drive** the portrait: each frame, take the
# driver's landmark *motion* (relative to its neutral face), add it to the portrait's landmarks, and warp.
# This is motion transfer in its simplest form — the same recipe as the First Order Motion Model (2019)
# with the learned parts taken out.

# %% slideshow={"slide_type": "subslide"}
t0 = time.perf_counter()
talking, driver = anim.talk(n_frames=TALK_FRAMES, seed=0)
print(f"{len(talking)} frames in {time.perf_counter() - t0:.1f} s")
side_by_side = [np.concatenate([small(d), small(t)], axis=1) for d, t in zip(driver, talking)]
animation(side_by_side, fps=25, name="talking_portrait", chapter=CHAPTER, width=512)

# %% [markdown] slideshow={"slide_type": "-"}
# The driver (left) talks, blinks and nods; the portrait (right) follows with her own face. Watch the
# mouth: the lips and jaw move convincingly, but the inside of the mouth is painted, not seen, and a
# large nod bends the background. A warp moves what is there; it cannot show what is not.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A real person drives the real Mona Lisa
#
# FaceWorld people are cartoons of a talking face. The same recipe works with a **real video**:
# `course_utils.driving` decodes it, finds the face with dlib (a detector trained on photographs) and
# follows its 68 landmarks frame by frame, smooths their jitter, and picks the most neutral frame as the
# reference the motion is measured from. Which video? Yours, if you upload one below; otherwise the public-domain
# NASA clip that the course fetches when it is set up with a network (Binder does); otherwise — offline — a
# FaceWorld person drives, and the cell says so.

# %% slideshow={"slide_type": "subslide"}
mona = warps.PortraitAnimator(portrait("mona_lisa").image)
video, said = driving.course_driver(max_seconds=TALK_FRAMES / 25)
print(said)
if video is not None:
    print(video)
    mona_frames, driver_frames = mona.drive(video.points, video.reference_points), list(video.face_frames(192))
else:
    mona_frames, driver_frames = mona.talk(n_frames=TALK_FRAMES, seed=3)
animation([np.concatenate([small(d), small(t)], axis=1) for d, t in zip(driver_frames, mona_frames)], fps=25,
          name="mona_lisa_driven", chapter=CHAPTER, width=512)

# %% [markdown] slideshow={"slide_type": "-"}
# Left, the driver; right, Leonardo's painting following the driver's landmark motion, with her own face
# shape. How well it does this on real faces — is she still the same person to a face-recognition network,
# does her mouth open when the driver's does — is measured by chapter 08's independent judge
# (`python -m course_utils.bench portraits`).
#
# **Your turn.** Upload a short video of a face talking to the camera (yours, or one you have the right to
# use: a portrait moved by someone else's motion is a kind of fake; the last chapter comes back to that). It is kept
# in the course's data folder, never changed; run the cell above again to drive the Mona Lisa with it.

# %% slideshow={"slide_type": "skip"}
display(driving.video_upload_widget(lambda v: print(f"✔ {v}\nRun the cell above again: your video drives now.")))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. A learned flow network
#
# Everything so far either *measured* the flow between two existing pictures (Lucas–Kanade, DIS) or
# *designed* it from landmarks (thin-plate spline). A deepfake system has a third option: **learn** it.
# The course's `FlowNet` (a small U-Net, `course_utils.flow.net`) works at 64 × 64 and sees the source
# image, the source's and the target's landmark images (chapter 03), and the thin-plate-spline flow
# between the two sets of landmarks; it outputs the flow. It never sees the target image: it must
# *predict* how the pixels move from where the landmarks go. The spline already moves the face between
# its landmarks; what the network adds, learned from thousands of FaceWorld pairs with exact flow, is
# everything the spline cannot know — that the background stays put, how hair, ears and neck follow the
# head, where a moving edge uncovers the backdrop. That is the job of the warping part of a talking-head
# model, where the target frame belongs to someone else.

# %% slideshow={"slide_type": "skip"}
from course_utils.flow import net

try:
    flow_net = net.load_flow_net()
    print(f"loaded the shipped flow network: {n_params(flow_net):,} parameters")
except CourseError as err:
    flow_net = None
    print("✘", err, "\nThe rest of this section then shows only the methods that need no checkpoint.")

# %% slideshow={"slide_type": "skip"}
test64 = exam[64]


def flows_from_landmarks(pairs):
    """{method: list of flows} for the two methods that see landmarks (each pair's source_points, target_points)."""
    out = {"landmark TPS warp": [warps.tps_flow(p.source_points, p.target_points, p.source.shape[:2]) for p in pairs]}
    if flow_net is not None:
        out["flow network"] = list(net.predict_flow(flow_net, np.stack([p.source for p in pairs]),
                                                    np.stack([p.source_points for p in pairs]),
                                                    np.stack([p.target_points for p in pairs])))
    return out


landmark_flows = flows_from_landmarks(test64)
image_methods = {name: fl.METHODS[name] for name in ("lucas_kanade", "horn_schunck", "farneback", "dis")}
all_flows = {"zero flow": [np.zeros_like(p.flow) for p in test64]}
all_flows |= {name: [f(p.source, p.target) for p in test64] for name, f in image_methods.items()}
all_flows |= landmark_flows
faces_ = [fl.face_mask(p) for p in test64]  # always the exact pairs' face: the exam does not move


def show_table(flows_by_method, sees):
    print(f"{'method':32s}{'sees':>27s}{'EPE face':>10s}{'EPE image':>11s}   (px, 64 px test pairs)")
    for name, flows_ in flows_by_method.items():
        face = np.mean([fl.endpoint_error(f, p.flow, m) for f, p, m in zip(flows_, test64, faces_)])
        whole = np.mean([fl.endpoint_error(f, p.flow, p.valid) for f, p in zip(flows_, test64)])
        print(f"{name:32s}{sees(name):>27s}{face:10.3f}{whole:11.3f}")


show_table(all_flows, lambda name: {"zero flow": "nothing", "flow network": "image + both landmark sets",
                                    "landmark TPS warp": "both landmark sets"}.get(name, "both images"))

# %% slideshow={"slide_type": "subslide"}
k = 0
p = test64[k]
panels = [p.source, p.target, fl.flow_to_color(p.flow, p.valid)]
titles = ["source", "target (unseen by the last two)", "true flow"]
top = np.percentile(np.linalg.norm(p.flow, axis=-1)[p.valid], 99)
for name, f in [("DIS (sees the target)", fl.dis(p.source, p.target))] + [(n, v[k]) for n, v in landmark_flows.items()]:
    panels.append(fl.flow_to_color(f, None, top))
    titles.append(f"{name}\nEPE {fl.endpoint_error(f, p.flow, p.valid):.2f} px")
show_images(panels, titles, ncols=len(panels), size=2.5, suptitle="Flows from images vs flows from landmarks")
save_figure(plt.gcf(), "learned_flow", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Compare the rows of the table by what each method is allowed to see, and where the error is counted:
# on the **face** (inside the landmarks' outline, jaw to brows) and on the **whole image** (hair, neck
# and the still background too). The classical methods compare the two *images*; the TPS warp and the
# network see only *landmarks* for the target — yet on the face they beat every image method, because
# 68 points pin the motion of a face down better than brightness does on smooth skin. On the whole
# image the TPS warp falls behind: it knows nothing beyond its points and bends everything smoothly,
# background included (look at the haze of colour around the head). The network (where its checkpoint is
# shipped) starts from that spline and corrects it with what it *learned* about faces, hair and
# backgrounds — knowledge no formula wrote down — and wins on both counts. `python -m course_utils.bench
# flow` measures the same table on more pairs.
#
# One thing in that table is too generous: the TPS warp and the network were given the renderer's **exact**
# landmarks. A deepfake system has only what a detector finds (chapter 03). Here are the same two methods
# again, the same pairs and the same exam, with landmarks from two detectors: **dlib**, trained on
# photographs (to it FaceWorld is a new kind of picture), and the **course's** network of chapter 03,
# trained on FaceWorld renders like these (its face box found by dlib). Each frame is enlarged 4× first,
# since dlib looks for faces about 80 pixels wide (`fl.detect_points`).

# %% [markdown] slideshow={"slide_type": "-"}
# > **Think!** Both detectors put their points within about a pixel of the true ones, and the face moves
# > about 2.5 px between the two frames. Predict: with detected landmarks, do the TPS warp and the network
# > still beat DIS on the face?

# %% slideshow={"slide_type": "skip"}
from course_utils.landmarks import usable_backends

detected_flows = {}
for detector in ("course", "dlib"):
    if not usable_backends()[detector].startswith("ready"):
        print(f"✘ {detector} skipped: {usable_backends()[detector]}")
        continue
    found_pairs, found = fl.with_detected_landmarks(test64, detector)
    off = np.mean([np.linalg.norm(getattr(q, k) - getattr(p, k), axis=1).mean()
                   for p, q in zip(test64, found_pairs) for k in ("source_points", "target_points")])
    print(f"{detector}: found {found.sum()} of {found.size} faces; its points are {off:.2f} px from the true ones on average")
    detected_flows |= {f"{name}, {detector}'s points": v for name, v in flows_from_landmarks(found_pairs).items()}
show_table({"DIS": all_flows["dis"]} | landmark_flows | detected_flows,
           lambda name: "both images" if name == "DIS" else "detected landmarks" if "'s points" in name else "exact landmarks")

# %% [markdown] slideshow={"slide_type": "notes"}
# Not reliably. Read each method down the table: with a detector's landmarks its error on the face
# grows, and its lead over DIS, which needs no landmarks, shrinks or is gone. On 100 pairs
# (`python -m course_utils.bench flow --mode standard`, kept in `docs/bench/flow-standard.json`) the face
# error of the TPS warp goes from 0.20 px with exact landmarks to 0.46 px with the course detector's and
# 0.84 px with dlib's, the network's from 0.16 to 0.44 and 0.81 px, while DIS scores 0.36 px: both fall
# behind DIS with either detector. (On quick mode's 6 pairs the course detector's rows and DIS can come out
# in either order.) The detectors' errors on these renders (0.43 px per point for the course's, 1.16 px for
# dlib's) are not small next to a motion of 2.5 px, and the flow follows the points, their errors
# included. So the win above is a win *given exact landmarks*: a landmark-driven warp is only as good as its
# landmark detector, one reason section 9 smooths the detected landmarks' jitter before warping. In
# chapter 08 the same idea, grown up, drives the Mona Lisa.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - **Optical flow** is the field of paths pixels take between two frames. The course stores it
#   *backwards*: for each pixel of the second image, where to fetch it in the first
#   (`second(x) ≈ first(x + flow)`).
# - **Brightness constancy** gives one equation per pixel, $I_x u + I_y v + I_t = 0$, for two unknowns:
#   the **aperture problem**. **Lucas–Kanade** adds "constant in a window" (a 2 × 2 least-squares solve);
#   **Horn–Schunck** adds "smooth everywhere" (neighbour averages, corrected along the slope). Both work
#   **coarse to fine**, warping as they go.
# - The **end-point error** against FaceWorld's exact flow grades them: all beat doing nothing; among the
#   methods that compare images OpenCV's DIS is best; every one fails where the equation fails — motion
#   boundaries, an opening mouth, flat skin.
# - **Backward warping** (`cv2.remap`, `grid_sample`) fetches a colour for every output pixel, so it leaves
#   no holes; `grid_sample` is differentiable, so networks can learn to warp.
# - **Choosing** the flow from moved landmarks (piecewise affine, thin-plate spline) makes a portrait smile
#   and talk; **MikeTalk's morph** moves pixels along the flow instead of cross-dissolving. A warp can
#   only move pixels that exist: new content (teeth, a closed eyelid) must be painted or generated.
# - A **learned flow network** predicts the flow from landmarks alone, with what it learned about faces;
#   given the renderer's exact landmarks, it and even the plain landmark spline beat the general-purpose
#   image methods on face motion. Given a detector's landmarks they fall behind DIS (on 100 test pairs):
#   a landmark-driven warp is only as good as its landmarks.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each exercise asks for one function. Write it in place of the solution, run the cell, then run the
# check below it: it says ✔ or gives you a hint.
#
# ### Exercise 1 · The brightness-constancy residual
#
# Write `constancy_residual(ix, iy, it, flow)`: the array $I_x u + I_y v + I_t$ for a flow `(H, W, 2)`
# whose last axis holds $(u, v)$. The check moves a smooth pattern by a known amount and asks your
# residual to be small for the true (backward) flow — and large for the flow with the wrong sign.

# %% slideshow={"slide_type": "skip"}
def constancy_residual(ix, iy, it, flow):
    """Ix·u + Iy·v + It at every pixel; ix, iy, it (H, W), flow (H, W, 2) with flow[..., 0] = u."""
    ### BEGIN SOLUTION
    return ix * flow[..., 0] + iy * flow[..., 1] + it
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_rng = np.random.default_rng(0)
_pattern = cv2.GaussianBlur(_rng.random((64, 64)).astype(np.float32), (0, 0), 3)
_shift = np.zeros((64, 64, 2), np.float32)
_shift[..., 0] = -0.5  # the pattern moves half a pixel to the right, so the flow points left
_moved = fl.warp_cv2(_pattern, _shift)
_gx, _gy, _gt = fl.gradients(_pattern, _moved)
_inner = (slice(8, -8), slice(8, -8))
run_check("Exercise 1", [
    Test("zero flow leaves It itself", lambda: np.allclose(constancy_residual(_gx, _gy, _gt, 0 * _shift), _gt),
         "With u = v = 0 only the It term remains; check you add it (not subtract it)."),
    Test("the true flow explains most of the change",
         lambda: np.abs(constancy_residual(_gx, _gy, _gt, _shift)[_inner]).mean() < 0.3 * np.abs(_gt[_inner]).mean(),
         "u is flow[..., 0] (x, columns) and v is flow[..., 1] (y, rows): multiply Ix by u and Iy by v."),
    Test("the flow with the wrong sign does not",
         lambda: np.abs(constancy_residual(_gx, _gy, _gt, -_shift)[_inner]).mean() > np.abs(_gt[_inner]).mean(),
         "The residual is Ix·u + Iy·v + It with It = first − second, as fl.gradients returns it."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · Lucas–Kanade in one window, and the aperture problem
#
# Write `lk_window(ix, iy, it)`: given the slopes and the change inside **one** window (three arrays of
# the same shape), return the least-squares flow `(u, v)` of the equations $I_x u + I_y v = -I_t$ — or
# `None` when the window cannot tell (the smaller eigenvalue of the 2 × 2 matrix below `1e-6` times the
# number of pixels). `np.linalg.solve` and `np.linalg.eigvalsh` do the algebra.

# %% slideshow={"slide_type": "skip"}
def lk_window(ix, iy, it):
    """(u, v) solving the window's equations Ix·u + Iy·v = −It by least squares; None if ill-posed."""
    ### BEGIN SOLUTION
    a = np.array([[np.sum(ix * ix), np.sum(ix * iy)], [np.sum(ix * iy), np.sum(iy * iy)]])
    b = -np.array([np.sum(ix * it), np.sum(iy * it)])
    if np.linalg.eigvalsh(a).min() < 1e-6 * ix.size:
        return None
    return tuple(np.linalg.solve(a, b))
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_win = (slice(24, 37), slice(24, 37))
_edge = np.tile(np.linspace(0, 1, 13, dtype=np.float32), (13, 1))  # brightness rises to the right only
run_check("Exercise 2", [
    Test("it finds the half-pixel motion of the exercise-1 pattern",
         lambda: np.allclose(lk_window(_gx[_win], _gy[_win], _gt[_win]), (-0.5, 0.0), atol=0.05),
         "Build A = [[ΣIx², ΣIxIy], [ΣIxIy, ΣIy²]] and b = −[ΣIxIt, ΣIyIt], then np.linalg.solve(A, b)."),
    Test("a flat window gives None", lambda: lk_window(0 * _edge, 0 * _edge, 0 * _edge) is None,
         "Compute np.linalg.eigvalsh(A).min() and return None when it is below 1e-6 * ix.size."),
    Test("a window with a single straight edge gives None (the aperture problem)",
         lambda: lk_window(np.full_like(_edge, 0.08), 0 * _edge, 0.04 + 0 * _edge) is None,
         "With Iy = 0 everywhere the matrix has a zero row: its smaller eigenvalue is 0, so no unique answer."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · Grade a flow
#
# Write `my_epe(flow, truth, valid)`: the mean, over the pixels where `valid` is True, of the length of
# `flow − truth` at each pixel. Then use it in `best_method(flows, truth, valid)`: the name (a key of
# the dictionary `flows`) of the flow with the lowest EPE — as for section 5's pair `shown`.

# %% slideshow={"slide_type": "skip"}
def my_epe(flow, truth, valid):
    """Mean end-point error (px) of flow vs truth, both (H, W, 2), over the (H, W) bool `valid` pixels."""
    ### BEGIN SOLUTION
    return float(np.sqrt(((flow - truth) ** 2).sum(-1))[valid].mean())
    ### END SOLUTION


def best_method(flows, truth, valid):
    """The key of the dictionary `flows` (name -> (H, W, 2) flow) whose flow has the lowest EPE."""
    ### BEGIN SOLUTION
    return min(flows, key=lambda name: my_epe(flows[name], truth, valid))
    ### END SOLUTION

# %% slideshow={"slide_type": "skip"}
run_check("Exercise 3", [
    Test("a flow against itself has error 0", lambda: my_epe(shown.flow, shown.flow, shown.valid) == 0,
         "Subtract, square, sum over the last axis, take the square root: the length of each difference."),
    Test("zero flow scores the mean length of the true flow",
         lambda: np.isclose(my_epe(0 * shown.flow, shown.flow, shown.valid),
                            np.linalg.norm(shown.flow, axis=-1)[shown.valid].mean()),
         "Average only over the valid pixels: index the (H, W) error map with valid before .mean()."),
    Test("agrees with fl.endpoint_error on every method's flow",
         lambda: all(np.isclose(my_epe(f, shown.flow, shown.valid), fl.endpoint_error(f, shown.flow, shown.valid),
                                rtol=1e-4) for f in flows.values()),
         "The length is over the last axis (u, v), not over rows or columns."),
    Test("best_method picks the method with the lowest EPE on `shown`",
         lambda: best_method(flows, shown.flow, shown.valid)
         == min(flows, key=lambda n: fl.endpoint_error(flows[n], shown.flow, shown.valid)),
         "Loop over flows.items() and keep the name whose my_epe(...) is smallest (min with a key works)."),
    Test("… and on a made-up pair of flows", lambda: best_method({"a": np.ones((2, 2, 2)), "b": np.zeros((2, 2, 2))},
                                                                  np.zeros((2, 2, 2)), np.ones((2, 2), bool)) == "b",
         "Return the NAME (the dictionary key), not the flow or its error."),
])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. MikeTalk (1998) made a convincing talking face from a few dozen photos of one person and optical
#    flow — no neural network, on a 1990s computer. What does that tell you about how *new* the threat of
#    "deepfakes" really is, and what has changed since: the quality, the cost, or who can do it?
# 2. A warp can only move pixels that exist; the inside of the mouth and a closed eyelid had to be
#    painted. Where in a suspicious video would you look first, and why might the next generation of
#    fakes (chapter 08) no longer show these tell-tale signs?
# 3. Animating a single photo of someone needs nothing but that photo — a profile picture, a staff page,
#    a museum portrait. Which photos of your organisation's people and customers are public, who could
#    make them talk, and what consent or policy covers "animating" a photo (for a memorial, an
#    advertisement, a training video)?
# 4. *Executive angle.* A vendor offers "live photo" animation for your marketing, and another offers to
#    detect manipulated video of your executives. For each, what evidence would you ask for — on which
#    test material, with which error measure, against which baseline (remember "zero flow" here)? Who in
#    your organisation owns the decision if it goes wrong?

# %% [markdown] slideshow={"slide_type": "-"}
# **Next:** chapter 05 asks what two photos of a face, taken from two angles, reveal about its depth —
# and why one photo alone is ambiguous without learned knowledge of faces.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Berthold K. P. Horn, Brian G. Schunck (1981). Determining Optical Flow. *Artificial Intelligence* 17 (first released as MIT AI Memo 572, 1980). [AI Memo 572 (MIT DSpace)](https://dspace.mit.edu/handle/1721.1/6337) · [doi:10.1016/0004-3702(81)90024-2](https://doi.org/10.1016/0004-3702%2881%2990024-2)
# - Bruce D. Lucas, Takeo Kanade (1981). An Iterative Image Registration Technique with an Application to Stereo Vision. *IJCAI 1981*. [open copy (IJCAI)](https://www.ijcai.org/Proceedings/81-2/Papers/017.pdf)
# - Deqing Sun, Stefan Roth, Michael J. Black (2010). Secrets of Optical Flow Estimation and Their Principles. *CVPR 2010*. [author's copy (Brown)](https://cs.brown.edu/people/dqsun/pubs/cvpr_2010_flow.pdf)
# - Gunnar Farnebäck (2003). Two-Frame Motion Estimation Based on Polynomial Expansion. *SCIA 2003, LNCS 2749*. [author's paper page (Linköping)](https://www.ida.liu.se/ext/WITAS-ev/Computer_Vision_Technologies/PaperInfo/farneback03.html)
# - Till Kroeger, Radu Timofte, Dengxin Dai, Luc Van Gool (2016). Fast Optical Flow Using Dense Inverse Search. *ECCV 2016*. [arXiv:1603.03590](https://arxiv.org/abs/1603.03590)
# - Fred L. Bookstein (1989). Principal Warps: Thin-Plate Splines and the Decomposition of Deformations. *IEEE TPAMI* 11(6). [doi:10.1109/34.24792](https://doi.org/10.1109/34.24792)
# - Tony Ezzat, Tomaso Poggio (1998). MikeTalk: A Talking Facial Display Based on Morphing Visemes. *Computer Animation 1998 (IEEE)*.
# - Tony Ezzat, Gadi Geiger, Tomaso Poggio (2002). Trainable Videorealistic Speech Animation. *ACM SIGGRAPH 2002 (ACM TOG 21(3))*.
# - Aliaksandr Siarohin, Stéphane Lathuilière, Sergey Tulyakov, Elisa Ricci, Nicu Sebe (2019). First Order Motion Model for Image Animation. *NeurIPS 2019*. [arXiv:2003.00196](https://arxiv.org/abs/2003.00196)
