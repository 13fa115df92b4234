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
# # 02 · Pixels, blur and de-blur
#
# A photo is an array of numbers, and blurring it is a simple rule applied to those numbers: replace
# each one by a weighted average of its neighbours. Undoing the blur is harder — the lost numbers must
# be *guessed* — and a learned de-blurrer makes that guess from the thousands of images it has seen:
# **a de-blurred picture is no more "real" than a deepfake; both are generated data.**
#
# > **For leaders.** This chapter shows that a learned model that sharpens a blurred photo does not recover what
# > was lost: it fills in detail that it guessed from other images. An "enhanced" image can look sharper and more
# > convincing than the original while showing detail that was never in it, and the model gives no warning when its
# > guess is poor. Ask whether, when an enhanced image reaches us as evidence, we keep the original beside it and
# > check that our decision would stand on the original alone.
#
# **Learning objectives.** By the end of this notebook you can
#
# - read an image as an array: its shape, its colour channels, its number type (`uint8` 0–255 or
#   float 0–1), and avoid the classic overflow trap;
# - blur an image by **convolution** with a box, a Gaussian and a motion kernel, and compute one
#   blurred pixel by hand;
# - undo a known blur with **Wiener–Hunt** and **Richardson–Lucy** deconvolution written from scratch, check
#   them against scikit-image, see why plain division blows up in the presence of noise, and compare
#   Hunt's roughness penalty with the classical Wiener filter;
# - use a small **learned de-blurrer** that was never told the blur, and compare all methods with
#   **PSNR** and **SSIM** on images none of them was tuned or trained on;
# - show, with a difference image, that the restored detail is *new numbers* the model generated.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 20 s): the shipped de-blurrer, a 6-second training demo, 6 test faces | 30 min, reading and moving the sliders |
# | standard (default) | ≤ 10 min (about 2 min): a 90-second training demo, 24 test faces | 60–90 min with the exercises |
# | full | about 15 min: retrains the de-blurrer (10 min), 48 test faces | 60–90 min |
#
# **Needs from earlier chapters:** chapter 00's setup; chapter 01's ideas that an image is an array of
# 0–255 numbers and that a network is a learned function. It uses the course's de-blurrer checkpoint
# (`checkpoints/deblur.pt`) when it is shipped, and trains one when it is not.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from ipywidgets import Dropdown, FloatSlider, interact
from skimage import restoration

from course_utils import deblur, deblur_net
from course_utils.checkpoints import load_or_train, read_manifest
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.exercises import Test, run_check
from course_utils.images import portrait
from course_utils.viz import save_figure, show_images, show_source

CHAPTER = "02_pixels_blur_deblur"
seed_everything(0)
print("figures from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. An image is an array of numbers
#
# The astronaut Eileen Collins (NASA, public domain) ships with scikit-image. To the computer she is
# a block of numbers: **rows × columns × 3 colour channels** (red, green, blue), each number a
# brightness from 0 (none) to 255 (full), stored as `uint8` — an unsigned 8-bit integer.

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
astronaut = portrait("astronaut").image
print("shape:", astronaut.shape, " (rows, columns, channels)")
print("dtype:", astronaut.dtype, " smallest:", astronaut.min(), " largest:", astronaut.max())
print("the top-left pixel (R, G, B):", astronaut[0, 0])
print("numbers in the whole picture:", astronaut.size)

# %% [markdown] slideshow={"slide_type": "notes"}
# Zoom into a small square (her right eye) and every pixel is a coloured tile with three numbers. Below,
# the green channel of an 8 × 8 patch with its numbers printed on the tiles:

# %% slideshow={"slide_type": "subslide"}
y0, x0 = 92, 178                   # top-left corner of the zoomed square
patch = astronaut[y0:y0 + 8, x0:x0 + 8]
fig, axes = plt.subplots(1, 3, figsize=(13, 4.4))
axes[0].imshow(astronaut)
axes[0].add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), 8, 8, fill=False, ec="yellow", lw=2))
axes[0].set_title("The astronaut, 512 × 512 × 3")
axes[1].imshow(patch, interpolation="nearest")
axes[1].set_title("The yellow square, 8 × 8 pixels")
axes[2].imshow(patch[..., 1], cmap="Greens_r", vmin=0, vmax=255, interpolation="nearest")
for (r, c), v in np.ndenumerate(patch[..., 1]):
    axes[2].text(c, r, str(v), ha="center", va="center", fontsize=8, color="white" if v < 110 else "black")
axes[2].set_title("Its green channel: the numbers")
for ax in axes:
    ax.set(xlabel="column", ylabel="row")
    ax.grid(False)
fig.suptitle("An image is an array of numbers", fontweight="bold")
fig.tight_layout()
save_figure(fig, "pixels_as_numbers", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Notice that a smooth-looking region (the skin) is a field of slowly changing numbers, and an edge (the
# eyelid) is a jump between neighbours. Blur smooths out exactly those jumps.
#
# **Two number types.** `uint8` holds only whole numbers from 0 to 255 and *wraps round* when a sum
# goes past 255 — a classic bug. For computing, the course converts to **floats in [0, 1]**
# (divide by 255), works there, and converts back at the end:

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
a = np.array([200], dtype=np.uint8)
print("uint8:  200 + 100 =", (a + np.uint8(100))[0], "  (wrapped round: 300 − 256)")
print("float:  200/255 + 100/255 =", round(float(deblur.as_float(a)[0] + 100 / 255), 3), " (above 1.0: clip it to 1.0)")
f = deblur.as_float(astronaut)
print("as float:", f.dtype, f.shape, "from", f.min(), "to", f.max())
print("back to uint8 unchanged:", np.array_equal(deblur.to_uint8(f), astronaut))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Blur is convolution
#
# To blur, replace every pixel by a **weighted average of its neighbours**. The weights form a small
# array, the **kernel** $k$, and the operation is a **convolution**:
#
# $$b(x, y) = \sum_{i, j} k(i, j)\; s(x - i,\, y - j)$$
#
# where $s$ is the sharp image and $b$ the blurred one. The kernel's weights add up to 1, so a flat
# grey area stays the same grey. At the picture's border the neighbours are missing; `deblur.blur`
# pretends the image is mirrored there (…c b a | a b c…), as if the scene went on. Three kernels:
#
# - **box**: equal weights over a square (a crude lens);
# - **Gaussian**: weights falling off like a bell curve (an out-of-focus lens, a soft filter);
# - **motion**: weights along a line (the camera moved while the shutter was open).
#
# First one pixel by hand — a 3 × 3 grey patch and a 3 × 3 box kernel:
#
# > **Think!** In the patch below the centre pixel is 50, its neighbours run from 10 to 80, and one corner
# > is 250. Before running the cell, work out the centre's value after the 3 × 3 box blur (nine weights of 1/9).

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
tiny = np.array([[10, 20, 30],
                 [40, 50, 60],
                 [70, 80, 250]], dtype=float)
box3 = deblur.box_kernel(3)
print("kernel weights:", box3[0, 0].round(4), "each, sum", box3.sum())
centre = (box3 * tiny[::-1, ::-1]).sum()   # the convolution at the centre pixel: flip, multiply, add
print("centre pixel before:", tiny[1, 1], " after the box blur:", round(centre, 3))
print("same from deblur.blur:", round(255 * deblur.blur(tiny / 255, box3)[1, 1], 3))

# %% [markdown] slideshow={"slide_type": "notes"}
# The nine values add up to 610, so the centre becomes 610/9 ≈ 67.8 (the 67.778 printed above). The
# bright corner (250) pulls it up from 50: its brightness has been *spread* onto its neighbours. Now the
# three kernels on the astronaut's face (each kernel drawn to scale at the left):

# %% slideshow={"slide_type": "subslide"}
face_crop = deblur.as_float(astronaut[30:230, 130:330])       # a 200 × 200 crop of her face
kernels = {"box 7 × 7": deblur.box_kernel(7), "Gaussian σ = 2.5": deblur.gaussian_kernel(2.5),
           "motion 15 px at 30°": deblur.motion_kernel(15, 30)}
fig, axes = plt.subplots(2, 4, figsize=(13, 6.6), gridspec_kw={"height_ratios": [1, 3]})
axes[0, 0].axis("off")
axes[1, 0].imshow(face_crop)
axes[1, 0].set_title("sharp")
for (name, k), ax_k, ax in zip(kernels.items(), axes[0, 1:], axes[1, 1:]):
    ax_k.imshow(np.pad(k, (17 - k.shape[0]) // 2), cmap="magma", interpolation="nearest")
    ax_k.set_title(f"kernel: {name}", fontsize=10)
    ax.imshow(deblur.blur(face_crop, k))
    ax.set_title(f"blurred by {name}", fontsize=10)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
fig.suptitle("Three blurs, three kernels (kernels shown enlarged, 17 × 17 pixels)", fontweight="bold")
fig.tight_layout()
save_figure(fig, "three_kernels", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The box leaves faint blocky echoes, the Gaussian is the smooth blur of a defocused lens, and the
# motion kernel smears every edge along one direction — look at the stripes of the flag on her
# sleeve and at the eyelids. **Play with it:** pick a kernel and move the strength and angle.

# %% slideshow={"slide_type": "subslide"}
def show_blur(kind="motion", strength=9.0, angle=30.0, noise=0.0):
    """Blur the face crop with a kernel of this kind and strength (pixels); show kernel and result."""
    k = {"box": lambda: deblur.box_kernel(int(strength) | 1),
         "gaussian": lambda: deblur.gaussian_kernel(strength / 3),
         "motion": lambda: deblur.motion_kernel(strength, angle)}[kind]()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1, 2, 2]})
    axes[0].imshow(k, cmap="magma", interpolation="nearest")
    axes[0].set_title(f"kernel {k.shape[0]} × {k.shape[1]}", fontsize=10)
    axes[1].imshow(face_crop)
    axes[1].set_title("sharp", fontsize=10)
    axes[2].imshow(deblur.blur(face_crop, k, noise, np.random.default_rng(0)))
    axes[2].set_title(f"{kind} blur, strength {strength:.0f} px" + (f", noise {noise:.2f}" if noise else ""),
                      fontsize=10)
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    plt.show()


show_blur()

# %% slideshow={"slide_type": "skip"}
interact(show_blur, kind=Dropdown(options=["box", "gaussian", "motion"], value="motion"),
         strength=FloatSlider(value=9, min=1, max=25, step=1, continuous_update=False, description="strength px"),
         angle=FloatSlider(value=30, min=0, max=180, step=5, continuous_update=False, description="angle °"),
         noise=FloatSlider(value=0, min=0, max=0.1, step=0.01, continuous_update=False, description="noise"));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Undoing a blur: deconvolution
#
# Convolution has a neat property: in the **Fourier domain** — the image written as a sum of waves of
# every frequency — it becomes a plain multiplication, frequency by frequency. With capital letters
# for the Fourier transforms and $N$ for the camera's noise:
#
# $$B = K \cdot S + N$$
#
# The kernel's transform $K$ says how much of each wave survives the blur: 1 for slow waves (large
# flat areas), close to 0 for fast ones (fine detail). So why not just divide, $S \approx B / K$? Without
# noise it works. With noise of 1 % (2.5 grey levels, invisible to the eye) the division amplifies the
# noise by $1/K$ — a million-fold where $K$ is nearly zero. (For this demonstration the blur *wraps
# round* — the right edge continues at the left — which is exactly what the Fourier transform
# assumes, so that without noise the division is exact.)

# %% slideshow={"slide_type": "subslide"}
g15 = deblur.gaussian_kernel(1.5)
wrap_clean = deblur.blur(face_crop, g15, boundary="wrap")
wrap_noisy = deblur.blur(face_crop, g15, noise_sigma=0.01, rng=np.random.default_rng(1), boundary="wrap")
naive_clean = deblur.naive_inverse(wrap_clean, g15)
naive_noisy = deblur.naive_inverse(wrap_noisy, g15)
print(f"largest pixel value after dividing — without noise: {np.abs(naive_clean).max():.3f}, "
      f"with 1 % noise: {np.abs(naive_noisy).max():.3g}   (a valid image stays within 0…1)")
show_images([wrap_clean, np.clip(naive_clean, 0, 1), wrap_noisy, np.clip(naive_noisy, 0, 1)],
            ["blurred, no noise", f"÷ K: PSNR {deblur.psnr(face_crop, naive_clean):.0f} dB",
             "blurred + 1 % noise", f"÷ K: PSNR {deblur.psnr(face_crop, naive_noisy):.1f} dB"],
            ncols=4, size=3.0, suptitle="Naive inversion: perfect without noise, an explosion with it")
save_figure(plt.gcf(), "naive_inversion", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Without noise, dividing gives the face back perfectly (a PSNR above 100 dB means identical to many
# decimals); with noise the result is pure static (PSNR, the quality score explained in section 5, drops
# far below the blurred image's).
# Every real photo has noise, so deconvolution must refuse to amplify what it cannot trust.
#
# ### Wiener–Hunt deconvolution (Wiener 1949; Hunt 1973)
#
# A filter of this kind divides where $K$ is large and backs off where it is small, by adding a term to
# the denominator. The classical Wiener filter (Wiener 1949) adds the **noise-to-signal power ratio**
# $P_N / P_S$: at each frequency, the power of the noise divided by the power of the sharp image. Both
# must be known or guessed:
#
# $$\hat S = \frac{\overline{K}}{|K|^2 + P_N / P_S}\; B$$
#
# The course uses Hunt's **constrained least squares** filter (Hunt 1973) instead. It needs no power
# spectra; it adds a penalty on roughness:
#
# $$\hat S = \frac{\overline{K}}{|K|^2 + \lambda\,|L|^2}\; B$$
#
# $\overline{K}$ is the complex conjugate of $K$; $L$ is the transform of the Laplacian (a kernel that
# measures roughness), so the penalty grows with frequency; $\lambda$, the **balance**, trades sharpness
# for noise. With $\lambda = 0$ (or, in Wiener's filter, with no noise) this is the naive division
# again. scikit-image calls this filter *Wiener–Hunt* deconvolution. Its function and the course's
# keep the short name `wiener`, and "Wiener" below means this filter. From scratch it is a few lines
# of numpy:

# %% slideshow={"slide_type": "skip"}
g2 = deblur.gaussian_kernel(2.0)                # from here on: a Gaussian blur of σ = 2 pixels
clean_blur = deblur.blur(face_crop, g2)         # mirror boundary, as in a real photo
noisy_blur = deblur.blur(face_crop, g2, noise_sigma=0.01, rng=np.random.default_rng(1))

# %% slideshow={"slide_type": "skip"}
show_source(deblur.wiener)

# %% [markdown] slideshow={"slide_type": "notes"}
# (The helper `_extend` pads the picture by mirroring and fades the padding to its average colour, because the
# Fourier transform treats an image as if it wrapped round from right to left edge.) scikit-image's
# `restoration.wiener` implements the same formula, with the Laplacian as its default penalty; on an
# image that really does wrap round the two agree to rounding error:

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
from scipy.ndimage import convolve

grey = face_crop.mean(-1)
wrapped = convolve(grey, g2, mode="wrap")        # a blur that wraps round, as skimage assumes
ours = deblur.wiener(wrapped, g2, balance=0.02, boundary="periodic")
theirs = np.clip(restoration.wiener(wrapped, g2, balance=0.02), 0, 1)
diff = np.abs(ours - theirs).max()  # about 1e-15: the last digit differs between machines, so say "below 1e-12"
print(f"largest difference, ours vs scikit-image: {'below 1e-12 (rounding error)' if diff < 1e-12 else f'{diff:.1e}'}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The balance matters. Too small and noise explodes as above; too large and the result stays blurred.
# The course picked $\lambda$ = `deblur.DEFAULT_BALANCE` by trying values on *validation* images (never
# the test images of section 5). Here is that trade-off on the noisy face:

# %% slideshow={"slide_type": "subslide"}
balances = [1e-4, 1e-3, 5e-3, 2e-2, 0.1, 0.5]
scores = [deblur.psnr(face_crop, deblur.wiener(noisy_blur, g2, b)) for b in balances]
fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.semilogx(balances, scores, "o-", label="Wiener")
ax.axhline(deblur.psnr(face_crop, noisy_blur), color="gray", ls="--", label="blurred, not repaired")
ax.axvline(deblur.DEFAULT_BALANCE, color="tab:orange", ls=":", label=f"course default {deblur.DEFAULT_BALANCE}")
ax.set(title="Wiener's balance: noise versus blur", xlabel="balance λ (log scale)", ylabel="PSNR (dB, higher is better)")
ax.legend(fontsize=9)
fig.tight_layout()
save_figure(fig, "wiener_balance", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The curve rises, peaks and falls: the peak is the best compromise for this noise level.
#
# ### Classical Wiener or Wiener–Hunt?
#
# The two filters differ only in the term added to $|K|^2$, that is, in how much each frequency is held back.
# Hunt's filter answers a different question from Wiener's: among all images whose blur differs from the
# photo by as much as the noise does, it returns the *smoothest*, the one with the least Laplacian energy
# (Hunt 1973); he set $\lambda$ to meet that condition, the course tunes it instead. Here are both filters
# on the same blurred, noisy face. The blur wraps round, as for the naive division above, so both filters
# see $B = K S + N$ as their formulas assume, and neither gains from how it treats the borders. Three versions:
#
# - **classical Wiener, flat NSR**: one number for every frequency — what you can use when you know
#   roughly how noisy the photo is but not the power spectrum of the sharp image;
# - **classical Wiener, oracle**: the true ratio $P_N / P_S$ at each frequency, from the noise we added
#   ($P_N = \sigma^2 H W$, the same at every frequency, for numpy's unnormalised Fourier transform) and the
#   power $|S|^2$ of the *sharp* face. Only we, who made the blur, can compute it: it is a yardstick, not
#   a method you could use on a real photo;
# - **Wiener–Hunt**: $\lambda |L|^2$, the chapter's filter.
#
# The flat NSR and $\lambda$ are each the best of the same 17 values ($10^{-4}$ to 1) by PSNR on this very
# face. That flatters both equally; on real photos one tunes on other images, as the course did for its
# default. All three are the same few lines with a different `penalty`:

# %% slideshow={"slide_type": "skip"}
def fourier_restore(blurred, kernel, penalty):
    """conj(K) B / (|K|² + penalty) for a blur that wraps round: (H, W, 3) float in [0, 1] -> same, clipped.
    `penalty`: one number, or one per frequency of rfft2, shape (H, W // 2 + 1, 1 or 3)."""
    H, W = blurred.shape[:2]
    K = deblur.transfer_function(kernel, (H, W))[..., None]
    G = np.conj(K) / (np.abs(K) ** 2 + penalty)
    return np.clip(np.fft.irfft2(G * np.fft.rfft2(blurred, axes=(0, 1)), s=(H, W), axes=(0, 1)), 0, 1)


crop_h, crop_w = face_crop.shape[:2]
lap2 = np.abs(deblur.transfer_function(deblur.LAPLACIAN, (crop_h, crop_w)))[..., None] ** 2  # |L|²: 0 for the flat wave
sharp_power = np.abs(np.fft.rfft2(face_crop, axes=(0, 1))) ** 2                # |S|², per channel: known only to us
settings = np.logspace(-4, 0, 17)                      # the grid: 1e-4 … 1, each a factor 10^¼ above the last
penalty_of = {"classical Wiener, flat NSR": lambda v: v, "Wiener–Hunt, λ·|L|²": lambda v: v * lap2}
wrap_blur = {s: deblur.blur(face_crop, g2, s, np.random.default_rng(1), boundary="wrap") for s in (0.01, 0.03)}
print("the Wiener–Hunt penalty gives the same as deblur.wiener on a wrapped image:",
      np.allclose(fourier_restore(wrap_blur[0.01], g2, 0.02 * lap2),
                  deblur.wiener(wrap_blur[0.01], g2, 0.02, boundary="periodic")))

# %% [markdown] slideshow={"slide_type": "-"}
# > **Think!** A flat NSR holds back every frequency by the same amount; Hunt's penalty is zero for the
# > slowest waves and grows for the fast ones, where the blur left little but noise. Each at its best
# > setting, which will leave more noise in the picture — and will the gap grow or shrink when the noise
# > triples from 1 % to 3 %?

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
restored, best = {}, {}
lines = [f"{'noise':5s}  {'filter':32s} {'best at':>8s} {'PSNR dB':>8s} {'SSIM':>6s}   within 1 dB of its best from … to"]
for sigma, b in wrap_blur.items():
    restored[sigma] = {"blurred, not repaired": b}
    for name, penalty in penalty_of.items():
        psnrs = np.array([deblur.psnr(face_crop, fourier_restore(b, g2, penalty(v))) for v in settings])
        best[sigma, name] = settings[psnrs.argmax()]
        restored[sigma][name] = fourier_restore(b, g2, penalty(best[sigma, name]))
        near = settings[psnrs > psnrs.max() - 1]
        lines.append(f"{sigma * 100:3.0f} %  {name:32s} {best[sigma, name]:8.4f} {psnrs.max():8.2f} "
                     f"{deblur.ssim(face_crop, restored[sigma][name]):6.3f}   {near.min():.4f} … {near.max():.4f}")
    oracle = sigma ** 2 * crop_h * crop_w / sharp_power                        # P_N / P_S at each frequency
    restored[sigma]["classical Wiener, oracle P_N/P_S"] = fourier_restore(b, g2, oracle)
    for name in ("classical Wiener, oracle P_N/P_S", "blurred, not repaired"):
        img = restored[sigma][name]
        lines.append(f"{sigma * 100:3.0f} %  {name:32s} {'':>8s} {deblur.psnr(face_crop, img):8.2f} "
                     f"{deblur.ssim(face_crop, img):6.3f}")
print("\n".join(lines))

# %% [markdown] slideshow={"slide_type": "notes"}
# With 1 % noise the two filters almost tie on PSNR (27.19 dB flat, 27.29 dB Wiener–Hunt), but Wiener–Hunt
# scores higher on SSIM (0.804 against 0.782). With 3 % noise the gap grows: 25.34 against 25.93 dB, SSIM
# 0.658 against 0.733. At both noise levels Wiener–Hunt comes within 0.3 dB of the oracle, which was given
# the sharp face's spectrum. It is also more forgiving of a badly chosen setting: its PSNR stays within 1 dB
# of its best over a 56-fold range of $\lambda$, while the flat NSR's range is 10-fold at 1 % noise and
# about 3-fold at 3 %. The pictures (her face, enlarged):

# %% slideshow={"slide_type": "subslide"}
order = ["blurred, not repaired", "classical Wiener, flat NSR", "classical Wiener, oracle P_N/P_S", "Wiener–Hunt, λ·|L|²"]
short = {"blurred, not repaired": "blurred", "classical Wiener, flat NSR": "Wiener, flat NSR",
         "classical Wiener, oracle P_N/P_S": "Wiener, oracle P_N/P_S", "Wiener–Hunt, λ·|L|²": "Wiener–Hunt"}
fig, axes = plt.subplots(2, 4, figsize=(13, 7.4), layout="constrained")
for row, sigma in zip(axes, restored):
    for ax, name in zip(row, order):
        img = restored[sigma][name]
        ax.imshow(img[40:140, 40:140], interpolation="nearest")          # her face, 100 × 100 pixels
        ax.set_title(f"{short[name]}, {sigma * 100:.0f} % noise\n"
                     f"{deblur.psnr(face_crop, img):.2f} dB, SSIM {deblur.ssim(face_crop, img):.3f}", fontsize=10)
        ax.axis("off")
fig.suptitle("Same blur, same noise: classical Wiener and Wiener–Hunt", fontweight="bold")
save_figure(fig, "wiener_vs_wiener_hunt", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# What to notice: the flat NSR leaves a fine, blotchy grain over her skin and the background, plain at 3 %
# noise; Wiener–Hunt and the oracle leave the skin smoother, while the eyes and the mouth look much the same
# in all three. Why: below, each penalty is drawn against frequency (averaged over rings of equal
# frequency, for 1 % noise), with $|K|^2$ for comparison. Where a penalty is above $|K|^2$, the filter holds
# that frequency back; where it is below, the filter divides by $K$.

# %% slideshow={"slide_type": "subslide"}
fy, fx = np.meshgrid(np.fft.fftfreq(crop_h), np.fft.rfftfreq(crop_w), indexing="ij")
radius = np.hypot(fy, fx)                                  # cycles per pixel; 0.5 is the finest wave
edges = np.linspace(0, 0.5, 26)
rings = [(radius >= lo) & (radius < hi) for lo, hi in zip(edges[:-1], edges[1:])]
ring_freq = (edges[:-1] + edges[1:]) / 2
flat, lam = best[0.01, "classical Wiener, flat NSR"], best[0.01, "Wiener–Hunt, λ·|L|²"]
curves = [("|K|²: what the blur lets through", np.abs(deblur.transfer_function(g2, (crop_h, crop_w))) ** 2, "k-"),
          (f"flat NSR = {flat:.4f}", np.full(radius.shape, flat), "C0--"),
          ("oracle P_N / P_S", None, "C2-"),
          (f"Wiener–Hunt λ·|L|², λ = {lam:.4f}", lam * lap2[..., 0], "C1-")]
fig, ax = plt.subplots(figsize=(7, 3.8))
for label, values, style in curves:
    if values is None:                                    # noise power over the face's mean power in the ring
        ring_values = [0.01 ** 2 * crop_h * crop_w / sharp_power.mean(-1)[r].mean() for r in rings]
    else:
        ring_values = [values[r].mean() for r in rings]
    ax.semilogy(ring_freq, ring_values, style, label=label)
ax.set(title="What each filter holds back (1 % noise)", xlabel="frequency (cycles per pixel; 0.5 = finest)",
       ylabel="power ratio (log scale)", ylim=(1e-6, 1e1))
ax.legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "wiener_penalties", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# What to notice: the oracle's ratio rises steeply with frequency, because the face has much less power in
# fine detail than in broad shapes, and Hunt's $\lambda |L|^2$ follows nearly the same curve without being
# told the face. The flat NSR lies above the other two for the slow waves, where it matters little because
# $|K|^2$ is far larger there, and below them for the fast ones: above about 0.2 cycles per pixel, where
# $|K|^2$ has fallen below every penalty and what remains is mostly noise, it holds back 2 to 27 times less
# than $\lambda |L|^2$, so more of that noise comes through: the grain in the pictures.
#
# ### Richardson–Lucy (Richardson 1972; Lucy 1974)
#
# Richardson–Lucy, invented for telescope images, works in pixels instead of waves. It starts from a
# flat grey guess $u$ and repeatedly asks: *if $u$ were the sharp image, what would its blur look like?*
# Where the guess's blur is too dark compared with the photo, brighten the guess; where too bright, darken:
#
# $$u \leftarrow u \cdot \Big(\tilde k * \frac{b}{k * u}\Big)$$
#
# with $\tilde k$ the kernel flipped. Each pass sharpens more — and, with noise, amplifies more noise,
# so the number of passes plays the role of Wiener's balance:

# %% slideshow={"slide_type": "skip"}
show_source(deblur.richardson_lucy)

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
ours = deblur.richardson_lucy(clean_blur.mean(-1), g2, 20, boundary="zero")
theirs = np.clip(restoration.richardson_lucy(clean_blur.mean(-1), g2, num_iter=20), 0, 1)
print(f"largest difference, ours vs scikit-image (20 iterations): {np.abs(ours - theirs).max():.1e}")

# %% slideshow={"slide_type": "subslide"}
iterations = by_mode([1, 3, 6, 12, 25, 50], [1, 3, 6, 12, 25, 50, 100, 150])
rl_clean = [deblur.psnr(face_crop, deblur.richardson_lucy(clean_blur, g2, it)) for it in iterations]
very_noisy = deblur.blur(face_crop, g2, noise_sigma=0.03, rng=np.random.default_rng(2))
rl_noisy = [deblur.psnr(face_crop, deblur.richardson_lucy(very_noisy, g2, it)) for it in iterations]
fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.semilogx(iterations, rl_clean, "o-", label="no noise")
ax.semilogx(iterations, rl_noisy, "s-", label="3 % noise")
ax.axvline(deblur.DEFAULT_RL_ITERATIONS, color="tab:orange", ls=":", label=f"course default {deblur.DEFAULT_RL_ITERATIONS}")
ax.set(title="Richardson–Lucy: more passes, sharper — until noise wins", xlabel="iterations (log scale)",
       ylabel="PSNR (dB)")
ax.legend(fontsize=9)
fig.tight_layout()
save_figure(fig, "rl_iterations", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Without noise, every pass brings the image closer to the truth; with 3 % noise the score peaks after
# a dozen or two passes and then falls as speckles grow (with 1 % noise the peak comes later). Both methods are **non-blind**: they must be told the
# exact kernel. In a real photo nobody knows it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. A learned de-blurrer
#
# A network can learn to de-blur from examples: show it pairs *(blurred patch, sharp patch)* and nudge
# its weights until its output matches the sharp one (chapter 01's gradient descent). The course's
# `DeblurNet` is a small U-Net: it folds the picture into a half-size stack of 12 channels, processes it
# at half and quarter size (where each small filter sees a wide neighbourhood), and outputs only a
# **correction** that is added to its input. A blur is the same all over the picture, so the network also
# pools a summary of the *whole* picture and uses it to adjust its features everywhere — that is how,
# blind, it can work out which blur it is facing. About 190,000 weights:

# %% slideshow={"slide_type": "skip"}
show_source(deblur_net)

# %% [markdown] slideshow={"slide_type": "notes"}
# **What it learned from.** 64 × 64 patches of FaceWorld faces of *train* identities and of the photos
# that ship with scikit-image (a cameraman, a cat, a rocket, coins, a page of text, gravel, the Moon…) —
# every one except the **astronaut, kept out for testing**. Each patch is blurred by a kernel drawn at
# random — a Gaussian (σ from 0.8 to 2.5 pixels) or a motion blur (3 to 13 pixels, any angle) — plus a
# little noise. The network is **blind**: it never sees the kernel, only the blurred picture. A
# training batch:

# %% slideshow={"slide_type": "subslide"}
t0 = time.perf_counter()
photo_names = by_mode(("camera", "chelsea", "coins", "page", "gravel"), deblur.TRAIN_PHOTOS)
train_photos = deblur.train_photos(names=photo_names)
n_ids, n_frames = by_mode((3, 3), (30, 4), (120, 4))
train_faces = deblur.face_renders("train", n_ids, n_frames, seed=0)
print(f"{len(train_faces)} FaceWorld train renders and {len(train_photos)} photos ready "
      f"({time.perf_counter() - t0:.1f} s)")
blurred_batch, sharp_batch = deblur.make_batch(train_faces, train_photos, 6, np.random.default_rng(0))
show_images([t.permute(1, 2, 0).numpy() for t in list(sharp_batch) + list(blurred_batch)],
            [f"sharp {i}" for i in range(6)] + [f"blurred {i}" for i in range(6)], ncols=6, size=1.8,
            suptitle="Training pairs: the network sees the bottom row and must produce the top one")
save_figure(plt.gcf(), "training_pairs", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# **Load if present, else train.** The shipped checkpoint was trained for about 24 minutes on a busy
# 2-core CPU (its commands and scores are in `checkpoints/manifest.json`). `load_or_train` loads it when it is
# here and intact; otherwise — or in full mode — it runs the training function below, which is the
# very code that made the shipped file. When it is used, `deblur_learned` runs it on the picture and on
# its 7 flipped and quarter-turned copies and averages the 8 answers — a standard restoration trick that
# gains a few tenths of a dB, because each copy's small mistakes differ.

# %% slideshow={"slide_type": "skip"}
def train_deblurrer(model):
    """Train `model` in place on the patches above; return the numbers it reached."""
    _, info = deblur.train(steps=by_mode(40, 400, 4000), model=model, data=(train_faces, train_photos),
                           time_limit=by_mode(15, 120, 600), eval_n=0, save=False, log_every=100)
    return {"steps": info["steps"], "final_l1": float(np.mean(info["losses"][-50:]))}


model = deblur_net.DeblurNet()
how = load_or_train(model, deblur.CHECKPOINT_NAME, train_deblurrer,
                    command="notebook 02: deblur.train(...) via load_or_train")
model.eval()
if deblur.CHECKPOINT_NAME in read_manifest():
    m = read_manifest()[deblur.CHECKPOINT_NAME]["metrics"]
    print(f"The shipped de-blurrer: {m['steps']} training steps; on {m['test_images']} held-out images "
          f"PSNR {m['psnr_learned']:.2f} dB (Wiener with the true kernel: {m['psnr_wiener']:.2f} dB).")

# %% [markdown] slideshow={"slide_type": "notes"}
# **Watch one learn.** Whatever was loaded, here is a fresh, untrained `DeblurNet` learning for a few
# seconds (a minute and a half in standard mode), so you can see the loss — the average pixel error
# between its output and the sharp patch — go down. It starts as "change nothing", because its last
# layer begins at zero.

# %% slideshow={"slide_type": "subslide"}
seed_everything(0)
fresh, info = deblur.train(steps=by_mode(400, 4000), batch=8, model=deblur_net.DeblurNet(), data=(train_faces, train_photos),
                           time_limit=by_mode(6, 90), eval_n=0, save=False, log_every=by_mode(10, 100))
losses = np.array(info["losses"])
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(losses, lw=0.8, alpha=0.5, label="each step")
w = max(1, len(losses) // 8)
ax.plot(np.arange(w - 1, len(losses)), np.convolve(losses, np.ones(w) / w, "valid"), lw=2, label=f"average of {w} steps")
ax.set(title=f"A fresh de-blurrer learning ({info['steps']} steps, {info['wall_seconds']:.0f} s)",
       xlabel="training step", ylabel="mean |output − sharp| (0–1 scale)")
ax.legend(fontsize=9)
fig.tight_layout()
save_figure(fig, "training_loss", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# Each step's loss jumps about (every batch has different pictures and different blurs), so judge it on
# one fixed batch of 32 patches, drawn once with its own seed — the untrained network, the one that
# just trained, and the shipped one:

# %% slideshow={"slide_type": "skip"}
check_blurred, check_sharp = deblur.make_batch(train_faces, train_photos, 32, np.random.default_rng(123))
with torch.no_grad():
    for name, net in [("untrained (output = input)", deblur_net.DeblurNet()),
                      (f"trained {info['steps']} steps just now", fresh), ("shipped", model)]:
        err = (net.eval()(check_blurred) - check_sharp).abs().mean()
        print(f"{name:32s} mean |output − sharp| = {err:.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# A few seconds of training already lower the error a little — the easy part is learning to sharpen
# edges slightly. The shipped network ran the same loop for thousands of steps.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Who de-blurs best? PSNR and SSIM on held-out images
#
# Two standard scores compare a result $\hat s$ with the true sharp image $s$ (both from scikit-image):
#
# - **PSNR** (peak signal-to-noise ratio), in decibels: $\text{PSNR} = 10 \log_{10} \frac{1}{\text{MSE}}$
#   with MSE the mean squared pixel error on the 0–1 scale. +3 dB means the error's energy halved.
# - **SSIM** (structural similarity, Wang et al. 2004), from 0 to 1: compares local brightness,
#   contrast and structure in small windows, closer to what the eye notices.
#
# The test set: FaceWorld faces of **test** identities (never used in training) and the **astronaut**
# (kept out of training), each blurred by a kernel drawn from the same family, with 1 % noise. Wiener
# and Richardson–Lucy get the **true kernel** and their tuned settings; the learned model gets
# **only the blurred image**. The notebook calls the same `deblur.compare` that the course's
# benchmark and the checkpoint's manifest use. The table keeps the two kinds of test picture apart: the mean
# over the FaceWorld faces, and the astronaut, the only real photo.
#
# > **Think!** Wiener and Richardson–Lucy are told the true kernel; the learned model is not, but it trained
# > on FaceWorld faces like the test faces. Predict which of the three restorers scores best on the faces, and
# > which on the astronaut.

# %% slideshow={"slide_type": "subslide"}
t0 = time.perf_counter()
result = deblur.compare(n=by_mode(6, 24, 48), seed=0, model=model, keep_images=True)
print(f"{result['n']} held-out images compared in {time.perf_counter() - t0:.1f} s")

LABELS = {"blurred": "blurred (no repair)", "wiener": "Wiener (true kernel)",
          "richardson_lucy": "Richardson–Lucy (true kernel)", "learned": "learned (blind)"}
astro = result["names"].index("astronaut")
faces = [i for i in range(result["n"]) if i != astro]
on_faces = {key: result["psnr"][key][faces].mean() for key in LABELS}
on_astro = {key: result["psnr"][key][astro] for key in LABELS}
restorers = ["wiener", "richardson_lucy", "learned"]
rows = [f"| method | mean PSNR (dB), {len(faces)} FaceWorld faces | mean SSIM, faces "
        "| astronaut (real photo) PSNR (dB) | astronaut SSIM |", "| --- | ---: | ---: | ---: | ---: |"]
for key, label in LABELS.items():
    bf = "**" if key == max(restorers, key=on_faces.get) else ""     # bold: the best restorer in each column
    ba = "**" if key == max(restorers, key=on_astro.get) else ""
    rows.append(f"| {label} | {bf}{on_faces[key]:.2f}{bf} | {result['ssim'][key][faces].mean():.3f} "
                f"| {ba}{on_astro[key]:.2f}{ba} | {result['ssim'][key][astro]:.3f} |")
display(Markdown("\n".join(rows)))
place = {1: "first", 2: "second", 3: "last"}
rank = lambda scores: 1 + sum(scores[k] > scores["learned"] for k in restorers)  # noqa: E731
ahead = int((result["psnr"]["learned"][faces] > result["psnr"]["wiener"][faces]).sum())
print(f"The learned model, by PSNR among the three restorers: {place[rank(on_faces)]} on the faces' mean "
      f"(ahead of Wiener on {ahead} of {len(faces)} faces), {place[rank(on_astro)]} on the astronaut.")

# %% [markdown] slideshow={"slide_type": "-"}
# Read the table row by row. Blurring costs a lot of PSNR; Wiener and Richardson–Lucy win some of it
# back *with the help of the true kernel*; on the FaceWorld faces the learned model, which had to work out
# the blur by itself, wins back more on average — it has seen what such faces look like, and puts back
# detail of that kind.
#
# **Mind what that average rests on.** The test faces are new identities, but they come from the same
# FaceWorld renderer as the faces it trained on. On the one real photo it comes **last** of the three by
# PSNR: with the shipped model, 28.87 dB on the astronaut against Wiener's 29.44 and Richardson–Lucy's
# 30.22 (the blurred photo scores 27.28), and by SSIM it is second, 0.910 between Wiener's 0.924 and
# Richardson–Lucy's 0.909. One photo is not a test set, so this does not show that it does worse on real
# photos in general; it shows that "best on average" was measured on pictures like its training data. The
# network trained on 480 face renders and only 16 real photos (`checkpoints/manifest.json`), and blind
# motion blur is its hardest case; an average can hide the picture you care about. (The shipped model's
# scores on 48 test faces + the astronaut are in the manifest, printed in section 4.) Here are the
# pictures behind the numbers:

# %% slideshow={"slide_type": "subslide"}
order = ["sharp", "blurred", "wiener", "richardson_lucy", "learned"]
titles = {"sharp": "sharp (truth)", **LABELS}
picks = [astro, 0, 1]
panels, names = [], []
for i in picks:
    for key in order:
        img = result["images"][key][i]
        if i == astro:
            img = img[40:168, 64:192]          # the astronaut's face, 128 × 128
        panels.append(img)
        score = "" if key == "sharp" else f"\n{result['psnr'][key][i]:.1f} dB"
        names.append(f"{titles[key]}{score}")
show_images(panels, names, ncols=5, size=2.6,
            suptitle="Held-out images: " + " · ".join(f"{result['names'][i]} ({result['kernels'][i]})" for i in picks))
save_figure(plt.gcf(), "comparison_images", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Look at the eyes, the hairline and the plain backgrounds. Wiener leaves faint ripples around edges
# and in flat areas (its penalty and the noise fight); Richardson–Lucy leaves speckles; the learned
# result is smooth where the picture is smooth and crisp at edges — it *looks* the most confident.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Restoring is generating new numbers
#
# Where did the learned model's sharp detail come from? Not from the blurred photo: the blur destroyed
# the fine waves (their $K$ was almost 0), and the noise drowned what was left. Two difference
# images make this visible:
#
# - **restored − blurred**: everything the model *added* — numbers that were not in its input;
# - **restored − sharp**: the model's remaining error — where its guess differs from the truth.

# %% slideshow={"slide_type": "subslide"}
i = astro
sharp_i, blurred_i, learned_i = (result["images"][k][i][40:168, 64:192] for k in ("sharp", "blurred", "learned"))
added = learned_i - blurred_i
error = learned_i - sharp_i
lim = 0.15
fig, axes = plt.subplots(1, 4, figsize=(14, 4.0), layout="constrained")
for ax, img, title in zip(axes, [blurred_i, learned_i], ["blurred input", "learned restoration"]):
    ax.imshow(img)
    ax.set_title(title, fontsize=10)
for ax, d, title in zip(axes[2:], [added, error], ["added: restored − blurred", "still wrong: restored − sharp"]):
    im = ax.imshow(d.mean(-1), cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(title, fontsize=10)
fig.colorbar(im, ax=axes[2:], shrink=0.85, label="difference (0–1 scale; red brighter, blue darker)")
for ax in axes:
    ax.axis("off")
fig.suptitle("The astronaut's face: what the de-blurrer added, and how far it still is from the truth",
             fontweight="bold")
save_figure(fig, "new_numbers", CHAPTER);
changed = np.mean(np.abs(added) > 4 / 255) * 100
print(f"{changed:.0f} % of the face's numbers were changed by more than 4 grey levels; "
      f"typical size of a change: {np.abs(added).mean() * 255:.1f} grey levels, "
      f"typical remaining error: {np.abs(error).mean() * 255:.1f} grey levels.")

# %% [markdown] slideshow={"slide_type": "-"}
# The "added" map is the outline of the face: the model drew edges back in. The error map is not
# zero — on this real photo it is as large as what was added — and it is largest exactly on those
# edges, where the model had to guess. Its guess is
# *plausible* (it looks like a face because the network has seen faces) but it is a guess: a
# de-blurrer trained only on cats would have put back cat-like texture. A de-blurred picture is
# **generated data**, like a deepfake — the difference is one of degree, not of kind.
#
# One more test: a blur far stronger than anything in training (a Gaussian of σ = 5; training went up
# to 2.5):

# %% slideshow={"slide_type": "subslide"}
strong = deblur.blur(face_crop, deblur.gaussian_kernel(5.0), 0.01, np.random.default_rng(3))
guess = deblur.deblur_learned(model, strong)
show_images([face_crop, strong, guess],
            ["sharp (truth)", f"σ = 5 blur: {deblur.psnr(face_crop, strong):.1f} dB",
             f"learned: {deblur.psnr(face_crop, guess):.1f} dB"], ncols=3, size=3.2,
            suptitle="Outside its training: a σ = 5 blur")
save_figure(plt.gcf(), "outside_training", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# It improves the picture only a little. Nothing it saw in training looked like this, so it has no
# good guess to offer — and nothing in its output warns you that it is out of its depth. A learned
# restorer is only as good as the examples it learned from, and a restored look (sharp or not) is
# not evidence of what was really there.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - An image is an array: `(rows, columns, 3)` of `uint8` 0–255, or floats 0–1 for computing; `uint8`
#   sums wrap round, so convert first.
# - **Blur is convolution** with a kernel whose weights sum to 1: box, Gaussian, motion. In the Fourier
#   domain it multiplies each frequency by $K$, nearly erasing the fine detail.
# - **Deconvolution** divides by $K$. Plain division explodes with noise; **Wiener–Hunt** adds a
#   roughness penalty weighted by a balance, **Richardson–Lucy** iterates and stops early. Both need
#   the true kernel; ours agree with scikit-image's. On our noisy face, Hunt's penalty, which grows with
#   frequency, left less grain than the classical Wiener filter with one flat noise-to-signal ratio.
# - A **learned de-blurrer**, blind to the kernel, beats both on average over held-out FaceWorld faces by
#   **PSNR** and **SSIM** — faces like those it learned from — but comes last by PSNR on the one real
#   photo (the astronaut): an average says little about pictures unlike the training data.
# - The detail it restores is **generated**: the difference images show numbers that were not in its
#   input; outside its training it has no good guess, and does not say so.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each exercise asks for one function. Write it in place of the solution, run the cell, then run the
# check below it: it says ✔ or gives you a hint.
#
# ### Exercise 1 · Brighten without wrapping round
#
# Write `brighten(image, amount)`: add `amount` grey levels (0–255 scale, may be negative) to a `uint8`
# image and return a `uint8` image in which values stop at 0 and 255 instead of wrapping round.

# %% slideshow={"slide_type": "skip"}
def brighten(image, amount):
    """uint8 image + amount grey levels, clipped to 0–255, returned as uint8."""
    ### BEGIN SOLUTION
    return np.clip(image.astype(np.int16) + amount, 0, 255).astype(np.uint8)
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 1", [
    Test("200 + 100 gives 255, not 44", lambda: brighten(np.array([200], np.uint8), 100)[0] == 255,
         "Convert to a wider type first (image.astype(np.int16) or float), add, then np.clip(…, 0, 255)."),
    Test("10 − 50 gives 0, not 216", lambda: brighten(np.array([10], np.uint8), -50)[0] == 0,
         "Clip at both ends: np.clip(x, 0, 255)."),
    Test("the result is uint8 with the image's shape",
         lambda: brighten(astronaut, 30).dtype == np.uint8 and brighten(astronaut, 30).shape == astronaut.shape,
         "Convert back at the end with .astype(np.uint8)."),
    Test("mid-range values simply move", lambda: np.array_equal(brighten(astronaut[:4, :4], 0), astronaut[:4, :4])
         and brighten(np.array([100], np.uint8), 20)[0] == 120, "Add `amount` to every pixel."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · Convolution by hand
#
# Write `my_blur(image, kernel)` for a grey image `(H, W)` and an odd-sized kernel `(k, k)`, with two
# loops over the kernel's offsets (no library convolution): mirror-pad the image by `k // 2` pixels
# (`np.pad(image, r, mode="symmetric")`), then add up shifted copies of the padded image, each times
# its weight. Remember that convolution *flips* the kernel.

# %% slideshow={"slide_type": "skip"}
def my_blur(image, kernel):
    """(H, W) float image convolved with an odd (k, k) kernel, mirror boundary -> (H, W)."""
    ### BEGIN SOLUTION
    r = kernel.shape[0] // 2
    padded = np.pad(image, r, mode="symmetric")
    H, W = image.shape
    out = np.zeros((H, W))
    for i in range(kernel.shape[0]):
        for j in range(kernel.shape[1]):
            # flipped kernel: weight k[i, j] multiplies s(x − (i − r), y − (j − r))
            out += kernel[i, j] * padded[2 * r - i:2 * r - i + H, 2 * r - j:2 * r - j + W]
    return out
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_grey = face_crop[:40, :50].mean(-1)
_delta = np.zeros((3, 3))
_delta[1, 1] = 1
_shift = np.zeros((3, 3))
_shift[1, 2] = 1                      # moves the picture one pixel to the right
run_check("Exercise 2", [
    Test("a delta kernel leaves the image unchanged", lambda: np.allclose(my_blur(_grey, _delta), _grey),
         "With only the centre weight, out should equal the padded image cropped back by r on each side."),
    Test("the output has the input's shape", lambda: my_blur(_grey, box3).shape == _grey.shape,
         "Pad by r = k // 2 and slice H × W windows out of the padded image."),
    Test("a 3 × 3 box agrees with deblur.blur", lambda: np.allclose(my_blur(_grey, box3), deblur.blur(_grey, box3)),
         "Each output pixel is the average of its 3 × 3 neighbourhood; check your slice offsets."),
    Test("a one-sided kernel moves the picture the right way (convolution flips the kernel)",
         lambda: np.allclose(my_blur(_grey, _shift), deblur.blur(_grey, _shift)),
         "Weight k[i, j] belongs to the neighbour at offset (r − i, r − j), not (i − r, j − r)."),
    Test("a motion kernel agrees with deblur.blur",
         lambda: np.allclose(my_blur(_grey, deblur.motion_kernel(7, 30)), deblur.blur(_grey, deblur.motion_kernel(7, 30))),
         "Loop over both axes of the kernel."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · PSNR by hand
#
# Write `my_psnr(reference, image)` for float images in [0, 1]: $10 \log_{10}(1 / \text{MSE})$, with MSE
# the mean of the squared differences. Then use it in `find_best_balance()`: which of Wiener's balances in
# `balances` scores best on the noisy face of section 3?

# %% slideshow={"slide_type": "skip"}
def my_psnr(reference, image):
    """PSNR in dB of `image` against `reference`, both floats in [0, 1]."""
    ### BEGIN SOLUTION
    mse = np.mean((np.asarray(reference, float) - np.asarray(image, float)) ** 2)
    return float(10 * np.log10(1.0 / mse))
    ### END SOLUTION


def find_best_balance():
    """The balance b in `balances` for which my_psnr(face_crop, deblur.wiener(noisy_blur, g2, b)) is highest."""
    ### BEGIN SOLUTION
    return max(balances, key=lambda b: my_psnr(face_crop, deblur.wiener(noisy_blur, g2, b)))
    ### END SOLUTION

# %% slideshow={"slide_type": "skip"}
run_check("Exercise 3", [
    Test("an error of 0.1 everywhere gives 20 dB", lambda: np.isclose(my_psnr(np.zeros(10), np.full(10, 0.1)), 20.0),
         "MSE = 0.01 here, and 10 · log10(1 / 0.01) = 20."),
    Test("agrees with scikit-image's (deblur.psnr) on the blurred face",
         lambda: np.isclose(my_psnr(face_crop, noisy_blur), deblur.psnr(face_crop, noisy_blur)),
         "Average the squared differences over all pixels and channels: np.mean((a − b) ** 2)."),
    Test("find_best_balance() gives the peak of the curve in section 3",
         lambda: find_best_balance() == balances[int(np.argmax(scores))],
         "Score deblur.wiener(noisy_blur, g2, b) for each b in balances and keep the b with the highest PSNR."),
])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. The de-blurrer put back eyelashes and edges that were not in the blurred photo. Is the restored
#    picture a *better record* of the scene, or a *better-looking guess*? Does your answer change if it
#    is a holiday photo, a medical scan, or a number plate?
# 2. **For decision makers.** A police force, an insurer or a newsroom receives a photo "enhanced" by
#    AI. When can it be evidence? Consider: who enhanced it, with which model trained on what, whether
#    the original is kept next to it, and whether the decision would stand on the original alone.
#    Which of these would you write into your organisation's policy?
# 3. Phone cameras sharpen, de-noise and "enhance" every photo before you see it. Is any phone photo
#    unprocessed? Where would you draw the line between processing and fabrication?
# 4. The learned model won on PSNR over the FaceWorld faces even though Wiener was told the true blur,
#    and lost on the astronaut. What did the network know that Wiener didn't, and what happens when a
#    picture is unlike anything in its training data (sections 5 and 6)?

# %% [markdown] slideshow={"slide_type": "-"}
# **Next:** chapter 03 describes a face with 68 numbered points — the skeleton the deepfake generator
# will later dress in skin.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Norbert Wiener (1949). Extrapolation, Interpolation, and Smoothing of Stationary Time Series. *MIT Press / Wiley (book)*. [doi:10.7551/mitpress/2946.001.0001](https://doi.org/10.7551/mitpress/2946.001.0001)
# - B. R. Hunt (1973). The Application of Constrained Least Squares Estimation to Image Restoration by Digital Computer. *IEEE Transactions on Computers* C-22(9).
# - William Hadley Richardson (1972). Bayesian-Based Iterative Method of Image Restoration. *Journal of the Optical Society of America* 62(1). [doi:10.1364/JOSA.62.000055](https://doi.org/10.1364/JOSA.62.000055)
# - L. B. Lucy (1974). An Iterative Technique for the Rectification of Observed Distributions. *The Astronomical Journal* 79. [full text (NASA ADS)](https://adsabs.harvard.edu/pdf/1974AJ.....79..745L) · [doi:10.1086/111605](https://doi.org/10.1086/111605)
# - Zhou Wang, Alan C. Bovik, Hamid R. Sheikh, Eero P. Simoncelli (2004). Image Quality Assessment: From Error Visibility to Structural Similarity. *IEEE Transactions on Image Processing* 13(4). [authors' copy (NYU)](https://www.cns.nyu.edu/pub/lcv/wang03-reprint.pdf) · [doi:10.1109/TIP.2003.819861](https://doi.org/10.1109/TIP.2003.819861)
# - Olaf Ronneberger, Philipp Fischer, Thomas Brox (2015). U-Net: Convolutional Networks for Biomedical Image Segmentation. *MICCAI 2015*. [arXiv:1505.04597](https://arxiv.org/abs/1505.04597)
