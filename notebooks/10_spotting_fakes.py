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
# # 10 · Spotting fakes
#
# Every chapter so far made pictures that never happened. This one turns round: can a computer tell
# them from real ones? We build two fake detectors — one from a single physical clue (how much fine
# detail a picture has at each scale), one a small neural network — measure how well they do, and then
# measure how badly they do on a generator they have never seen. Then we try the other approach, marking
# genuine or generated pictures at the source with an invisible **watermark**, and end with the question
# no algorithm answers: who in an organisation decides what synthetic media may be used for.
#
# > **For leaders.** This chapter builds two fake detectors, shows that they work on the kinds of fakes they were
# > trained on and do worse on a kind they never saw, and tests invisible watermarks that mark pictures at the
# > source. A detector can miss a new kind of fake and wrongly flag genuine pictures, and a watermark proves only
# > what was marked, so no tool replaces a decision about how the organisation uses and checks synthetic media. The
# > question to ask is who in our organisation has the authority to decide what computer-made (synthetic) media may
# > be used for.
#
# **Learning objectives.** By the end of this notebook you can
#
# - explain why generators and warps leave traces in a picture's **frequency spectrum**, and compute the
#   azimuthally averaged power spectrum that shows them (Durall et al. 2020; Dzanic et al. 2020);
# - train a **logistic-regression** detector on those spectra and a **small CNN** on the pixels, and read
#   their accuracy and AUC per generator on people they never saw;
# - measure the **generalisation gap**: a detector trained on some generators, tested on one it never
#   saw — and explain why detection is an arms race;
# - embed and detect an **invisible watermark**, and measure its cost (PSNR), its false-positive rate and
#   its robustness to JPEG and resizing; say what a watermark and signed **content credentials** (C2PA)
#   can and cannot prove;
# - run a **governance exercise**: risks and legitimate uses of synthetic media, who decides, and what an
#   "AI ethics board" needs.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 25 s): 10 people × 8 frames per source, three 6-s CNNs, 7 watermark pictures | 30–45 min, reading and the governance exercise |
# | standard (default) | ≤ 10 min (about 3.5 min): 40 people × 10 frames, three 60-s CNNs, 12 pictures | 90 min with the exercises |
# | full | about 8 min: 80 people × 10 frames, three 2-minute CNNs, 16 pictures | 90 min |
#
# **Needs from earlier chapters:** the fakes themselves — chapter 04's landmark warps and learned flow
# (`checkpoints/flow_net.pt`), chapter 07's face GAN (`checkpoints/gan_faces.pt`), chapter 08's
# talking-head GAN (`checkpoints/talking_heads_small.pt`, left out with a note when it is not shipped) and
# chapter 02's de-blurrer; chapter 01's idea of a classifier trained by gradient descent; chapter 02's
# convolution. Nothing is downloaded.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from course_utils import fakes, governance, watermark
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.exercises import Test, run_check
from course_utils.tensors import n_params
from course_utils.viz import save_figure, show_source

CHAPTER = "10_spotting_fakes"
seed_everything(0)
torch.set_num_threads(1)  # a small network on a small shared machine: one thread is usually fastest
PEOPLE = by_mode((6, 4, 8), (28, 12, 10), (56, 24, 10))  # training people, test people, frames per person
CNN_SECONDS = by_mode(6, 60, 120)  # training time of each small network
print("figures from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why detection matters
#
# A fake video call from a "CEO" asking for a transfer, a fabricated clip of a politician the night before
# an election, a fake ID photo that passes an online check: the techniques of chapters 04–08 are cheap,
# and people are poor judges of them — in controlled studies people pick out high-quality synthetic faces
# at about chance level, and often rate them *more* trustworthy than real ones (Nightingale & Farid 2022).
# Two defences exist: **detection** (look at a picture and decide) and **provenance** (mark or sign
# pictures at the source, so their origin can be checked later). We build one of each, then measure
# where each breaks.
#
# ## 2. Real and fake, side by side
#
# The data: FaceWorld frames (real, in the sense that they are exactly what the renderer draws) and, for the
# same people, fakes from the course's own tools. Training and test people are different FaceWorld
# identities, so every score below is on **people the detector never saw**.

# %% slideshow={"slide_type": "skip"}
data = fakes.build_image_set(*PEOPLE)
sources = [fakes.REAL] + data.generators

# %% slideshow={"slide_type": "subslide"}
test = data.split == "test"
fig, axes = plt.subplots(len(sources), 6, figsize=(7.2, 1.3 * len(sources) + 0.4))
for row, src in zip(axes, sources):
    picks = np.flatnonzero(test & (data.source == src))[:6]
    for ax, i in zip(row, picks):
        ax.imshow(data.images[i])
    for ax in row:
        ax.set_xticks([]), ax.set_yticks([]), ax.grid(False)
    row[0].set_ylabel(src, fontsize=9, rotation=0, ha="right", va="center")
fig.suptitle("Held-out test people: real frames (top) and each source of fakes", fontweight="bold")
fig.tight_layout()
save_figure(fig, "real_and_fakes", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Look along each row. The GAN's faces (`gan07`, made at 32 px and enlarged) are blurry and smeared; the
# talking-head GAN's (`talking_heads`) are sharper but soft in the eyes and mouth; the two warps
# (`warp_tps`, `flow_warp`) are real frames whose pixels were moved to make a new expression — at this
# size you may not spot them at all. That is the point: a detector has to see what you cannot.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. What a spectrum shows
#
# Any picture can be written as a sum of stripes (sinusoids) of different fineness — its **spatial
# frequencies** — exactly as chapter 02 did for blur. The **power spectrum** says how much of the picture
# sits at each frequency. Averaging it over all directions gives one curve: power against fineness,
# from coarse (1 cycle across the picture) to the finest a 64-pixel picture can hold (32 cycles).
#
# Why should fakes differ there? A generator builds its picture by **upsampling** small feature maps
# (transposed convolutions, or enlarging and convolving); each upsampling step fills in the finest
# frequencies by interpolation, which either leaves too little power there or a periodic pattern. Durall,
# Keuper & Keuper ("Watch your up-convolution", CVPR 2020) showed that this curve alone separates real from
# GAN faces; Dzanic et al. (NeurIPS 2020) found the same decay at high frequencies across many generators.
# A warp resamples pixels with bilinear interpolation — a small blur — so it too should lose fine power.
# The feature, in full:

# %% slideshow={"slide_type": "skip"}
show_source(fakes.radial_spectrum)

# %% slideshow={"slide_type": "subslide"}
spectra = fakes.radial_spectrum(data.images)  # (N, 32): one curve per picture
freqs = np.arange(1, spectra.shape[1] + 1)
real_mean = spectra[data.source == fakes.REAL].mean(0)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for src in sources:
    curve = spectra[data.source == src].mean(0)
    axes[0].plot(freqs, curve, label=src, lw=2.5 if src == fakes.REAL else 1.5)
    axes[1].plot(freqs, curve - real_mean, label=src, lw=2.5 if src == fakes.REAL else 1.5)
axes[0].set(xlabel="spatial frequency (cycles per 64-px picture)", ylabel="mean log₁₀ power",
            title="Average spectrum of each source")
axes[1].set(xlabel="spatial frequency (cycles per 64-px picture)", ylabel="log₁₀ power minus the real frames'",
            title="Difference from real frames")
axes[1].axhline(0, color="k", lw=0.8)
axes[0].legend(fontsize=9)
fig.tight_layout()
save_figure(fig, "spectra", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# On the left, every source follows the same law — power falls steadily with fineness, as in every natural
# picture. The right-hand plot removes that shared slope: a curve below zero means *less* fine detail than
# the real frames. Notice where the curves leave zero and how: the enlarged GAN faces lose power from about
# a quarter of the way along and fall steeply (a 32-px face enlarged 2× cannot contain the top half of the
# frequencies at all); the warps lose a little, steadily more towards the finest frequencies (the slight
# blur of resampling). Each source has its own **shape** of curve — a fingerprint.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. A detector from one curve: logistic regression
#
# Each picture becomes 32 numbers (its curve); a **logistic regression** learns one weight per frequency
# and says "fake" when the weighted sum is high — the simplest trained classifier there is, and here it is
# written out (Newton's method, classes weighted equally, a little L2 penalty):

# %% slideshow={"slide_type": "skip"}
show_source(fakes.fit_logistic)

# %% slideshow={"slide_type": "skip"}
train = data.split == "train"
spectrum_model = fakes.fit_logistic(spectra[train], data.label[train])
spectrum_scores = fakes.predict_logistic(spectrum_model, spectra)
spectrum_report = fakes.evaluate(spectrum_scores, data, "test")
print("Spectrum + logistic regression, on held-out people:")
print(fakes.format_report(spectrum_report))

# %% [markdown] slideshow={"slide_type": "notes"}
# How to read the table: **detected** is the share of that source's fakes flagged as fake; **accuracy** is
# the balanced accuracy on that source's fakes and the real test frames (chance: 50 %); **AUC** is the
# chance that a random fake scores higher than a random real frame (1 perfect, 0.5 a coin). *Real passed*
# is the share of genuine frames that were *not* accused — the false alarms a real deployment lives with.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. A small network
#
# Instead of choosing the feature ourselves, a **convolutional network** can learn its own from the pixels.
# Ours is small — about 36 000 numbers (chapter 08's generator has millions) — and borrows one idea from
# image forensics: it first subtracts from each pixel the average of its 3 × 3 neighbourhood, so that it
# looks at the fine residue where resampling leaves its traces, not at faces and hair.

# %% slideshow={"slide_type": "skip"}
cnn, info = fakes.train_cnn(data, seconds=CNN_SECONDS)
cnn_scores = fakes.cnn_scores(cnn, data.images)
cnn_report = fakes.evaluate(cnn_scores, data, "test")
print(f"Small CNN ({n_params(cnn):,} parameters, {info['steps']} steps in {info['seconds']:.0f} s), "
      "on held-out people:")
print(fakes.format_report(cnn_report))

# %% slideshow={"slide_type": "subslide"}
gens = data.generators
x = np.arange(len(gens))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for k, (name, rep) in enumerate([("spectrum + logistic", spectrum_report), ("small CNN", cnn_report)]):
    axes[0].bar(x + (k - 0.5) * 0.38, [rep[g]["accuracy"] for g in gens], 0.38, label=name)
    axes[1].bar(x + (k - 0.5) * 0.38, [rep[g]["detected"] for g in gens], 0.38, label=name)
for ax, what in zip(axes, ["balanced accuracy", "share of fakes detected"]):
    ax.axhline(0.5 if what.startswith("bal") else 0, color="k", lw=0.8, ls=":")
    ax.set(xticks=x, ylim=(0, 1.05), ylabel=what)
    ax.set_xticks(x, gens, fontsize=9)
axes[0].set_title("Accuracy per generator (chance = 0.5)")
axes[1].set_title("Fakes caught per generator")
axes[0].legend(loc="lower left", fontsize=9)
fig.tight_layout()
save_figure(fig, "accuracy_per_generator", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Both detectors catch the GANs' fakes more often than the warps': the warps are harder, since most of
# their pixels are real pixels, moved a little. Whether that makes GAN pictures easy to catch is a question
# for the control below. Notice also the *real passed* rate in the tables: a detector that catches more
# fakes by accusing more genuine pictures is not better, just more suspicious. (In quick mode the network
# trains for only a few seconds on a few hundred pictures; standard mode trains longer on more people.)
#
# The **confusion matrix** counts the same verdicts per source for the network:

# %% slideshow={"slide_type": "skip"}
print(f"{'source':<16}{'said real':>10}{'said fake':>10}")
for src in sources:
    said_fake = int((cnn_scores[test & (data.source == src)] >= 0.5).sum())
    n = int((test & (data.source == src)).sum())
    print(f"{src:<16}{n - said_fake:>10}{said_fake:>10}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A control: the GAN, or the resize?
#
# Chapter 07's faces carry a give-away that has nothing to do with being made by a GAN: the GAN draws them
# at 32 px, and they are enlarged 2× to join the others at 64 px. An enlarged picture has almost no power
# in the top half of its frequencies (section 3). So is a detector catching the GAN, or the enlargement?
# A **control** separates the two: give real frames the same treatment — shrink them to 32 px and enlarge
# them with the very function gan07's fakes went through (`fakes.shrink_and_enlarge`) — and show them to
# the two detectors, which never saw such a picture in training.
#
# > **Think!** These resized frames are real: the same held-out people, no generator involved. Will the
# > detectors call about as few of them fake as of the untouched real frames, or about as many as of gan07's fakes?

# %% slideshow={"slide_type": "skip"}
show_source(fakes.shrink_and_enlarge)

# %% slideshow={"slide_type": "skip"}
control = fakes.resize_control_set(data)  # the real frames resized, and gan07's fakes; same people and splits
control_spectra = fakes.radial_spectrum(control.images)
print(f"{'share called fake by':<41}{'real frames':>13}{'resized real frames':>21}{'gan07 fakes':>13}")
verdicts = [("spectrum + logistic", fakes.predict_logistic(spectrum_model, control_spectra), spectrum_report),
            ("small CNN", fakes.cnn_scores(cnn, control.images), cnn_report)]
for name, scores, report in verdicts:
    resized_passed = fakes.evaluate(scores, control, "test")[fakes.REAL]["passed"]
    print(f"{name:<41}{1 - report[fakes.REAL]['passed']:>13.0%}{1 - resized_passed:>21.0%}"
          f"{report['gan07']['detected']:>13.0%}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the middle column. Both detectors call the resized real frames fake about as often as gan07's own
# fakes, and far more often than the untouched real frames. (On the 200 resized real test frames of
# `python -m course_utils.bench fakes --mode standard`, kept in `docs/bench/fakes-standard.json`, neither
# detector passed a single one.) What they learned includes "enlarged from a small picture means fake": a
# rule that would also accuse a genuine thumbnail blown up, a false alarm the usual *real passed* rate,
# measured on untouched frames only, never shows. So gan07's score above partly measures the resize.
#
# The fair question is what is left when both sides went through the same resize. Train each detector
# again, on resized real frames against gan07's fakes, and test on held-out people:

# %% slideshow={"slide_type": "skip"}
control_spectrum_report = fakes.evaluate(fakes.spectrum_scores(control, features=control_spectra), control, "test")
control_cnn, _ = fakes.train_cnn(control, seconds=CNN_SECONDS)
control_cnn_report = fakes.evaluate(fakes.cnn_scores(control_cnn, control.images), control, "test")
print(f"{'balanced accuracy on held-out people':<44}{'spectrum':>10}{'CNN':>8}")
rows = [("gan07 vs real frames (sections 4-5)", spectrum_report["gan07"], cnn_report["gan07"]),
        ("gan07 vs resized real frames (the control)", control_spectrum_report["gan07"], control_cnn_report["gan07"])]
rows += [(f"{g} vs real frames (sections 4-5)", spectrum_report[g], cnn_report[g]) for g in gens if g != "gan07"]
for label, a, b in rows:
    print(f"{label:<44}{a['accuracy']:>10.1%}{b['accuracy']:>8.1%}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The second row is the controlled figure: resized real frames against gan07's fakes, the resize the same
# on both sides. The GAN is still caught about as well as in the first row, so it leaves traces of its own
# that both detectors can learn. In the standard bench the control scores 97.5 % (spectrum) and 100 % (CNN),
# against 97 % and 100 % for gan07 against untouched frames and 92–93 % and 98–99 % for the warps; the
# talking-head GAN, drawn at 64 px and never resized, is caught as often as gan07 (97 %, 100 %). So in this
# course the GANs' pictures are a little easier to catch than the warps' even with the resize controlled —
# but the section-5 detectors' *reason* is partly the enlargement, and they accuse every enlarged real
# picture. (With quick mode's few pictures these accuracies move by several points from run to run.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The generalisation gap: a generator the detector never saw
#
# A detector is trained on the fakes someone had at the time. The question that matters is how it does on
# the **next** generator. We measure it directly. First the harshest version: the spectrum detector trained
# on **one** generator at a time, then tested on every generator (always on people it never saw).
#
# > **Think!** A detector trained only on chapter 07's GAN learns what a picture enlarged from 32 px looks like.
# > Will it catch the warps, whose pixels are real ones moved a little? And the other way round?

# %% slideshow={"slide_type": "subslide"}
cross = fakes.cross_generator(data, features=spectra)
caught = np.array([[cross[a][b]["detected"] for b in gens] for a in gens])
fig, ax = plt.subplots(figsize=(1.6 * len(gens) + 2.6, 1.1 * len(gens) + 1.4))
ax.imshow(caught, vmin=0, vmax=1, cmap="RdYlGn")
for i in range(len(gens)):
    for j in range(len(gens)):
        ax.text(j, i, f"{caught[i, j]:.0%}", ha="center", va="center", fontsize=11,
                fontweight="bold" if i == j else "normal")
ax.set_xticks(range(len(gens)), gens, fontsize=9)
ax.set_yticks(range(len(gens)), gens, fontsize=9)
ax.set(xlabel="tested on fakes from", ylabel="trained on fakes from",
       title="Share of fakes caught: trained on one generator")
ax.grid(False)
save_figure(fig, "generalisation_gap", CHAPTER);
print("real test frames passed by each detector:",
      ", ".join(f"{a} {cross[a][fakes.REAL]['passed']:.0%}" for a in gens))

# %% [markdown] slideshow={"slide_type": "-"}
# The diagonal (bold) is the usual report: test fakes from the generator it trained on. Off the diagonal
# is the gap. Notice the **asymmetry**: a detector trained on a GAN (whose fakes lack a great deal of fine
# detail) draws its line far from the real frames and lets almost every *warp* through — their deficit is
# much smaller. Trained on the subtle warps, it draws the line close to the real frames, so it also catches
# the GANs' cruder fakes — and pays for it in false alarms (the real frames passed, printed above). Even
# from one GAN to the other (when chapter 08's is present) the share caught can drop. What a detector
# learns is "fakes look like *these*", not "fakes look unlike reality".
#
# A gentler version: train on every generator but one, and test on the one left out.

# %% slideshow={"slide_type": "skip"}
gaps = {g: fakes.generalisation_gap(data, g, "spectrum", features=spectra) for g in gens}
print(f"{'left out':<15}{'seen: acc':>10}{'AUC':>7}{'unseen: acc':>13}{'AUC':>7}{'caught':>8}")
for g, r in gaps.items():
    print(f"{g:<15}{r['seen_accuracy']:>10.1%}{r['seen_auc']:>7.3f}{r['unseen_accuracy']:>13.1%}"
          f"{r['unseen_auc']:>7.3f}{r['unseen_detected']:>8.0%}")

# %% [markdown] slideshow={"slide_type": "-"}
# With several generators in the training set, the one left out is caught less often than the others —
# look at the *caught* column — but far better than in the one-generator test above: all of the course's
# fakes *lose* fine detail, so they share much of one fingerprint. Published tests show both sides.
# Among CNN generators, transfer can be good: Wang et al. (2020, "CNN-generated images are surprisingly
# easy to spot… for now") trained a classifier on ProGAN's images only, with careful augmentation, and it
# generalised surprisingly well to ten other CNN generators. Across families it breaks: Ojha, Li and Lee
# (CVPR 2023, "Towards universal fake image detectors that generalize across generative models") found
# that such GAN-trained detectors miss the images of diffusion and autoregressive models and call them
# real. The "for now" in Wang et al.'s title was the point.
#
# The small network shows the harsh case too: trained on the GANs' fakes only, tested on the warps.

# %% slideshow={"slide_type": "skip"}
gan_sources = [g for g in gens if g in ("gan07", "talking_heads")]
warp_sources = [g for g in gens if g not in gan_sources]
cnn_gap = fakes.generalisation_gap(data, warp_sources, "cnn", trained_on=gan_sources, seconds=CNN_SECONDS)
print(f"Small CNN trained on {' + '.join(gan_sources)} only: on those generators accuracy "
      f"{cnn_gap['seen_accuracy']:.1%} (AUC {cnn_gap['seen_auc']:.3f}); on the warps, never seen: accuracy "
      f"{cnn_gap['unseen_accuracy']:.1%} (AUC {cnn_gap['unseen_auc']:.3f}), {cnn_gap['unseen_detected']:.0%} "
      "of them caught")

# %% [markdown] slideshow={"slide_type": "-"}
# Compare with section 5, where the same network had seen warps during training. Note the AUC: the
# network's *scores* may still rank the warps above the real frames somewhat, but its yes/no line, drawn for
# the GANs, lets most warps through.
#
# ### The forger strikes back
#
# A forger who knows the detector looks at spectra needs no new generator: putting back a little fine
# detail is enough. Every photo app has a **sharpen** button (an "unsharp mask": add back half the
# difference between the picture and a blurred copy of it). We sharpen the test fakes, and ask the
# spectrum detector of section 4 again.
#
# > **Think!** Sharpening adds back fine detail, but only detail that is still faintly there. Which fakes will it
# > rescue more: the warps, or the GAN faces enlarged from 32 px?

# %% slideshow={"slide_type": "skip"}
import cv2

blurred = np.stack([cv2.GaussianBlur(im, (0, 0), 1.0) for im in data.images]).astype(float)
sharpened = np.clip(data.images + 0.5 * (data.images - blurred), 0, 255).astype(np.uint8)
attacked = np.where((data.label == 1)[:, None, None, None], sharpened, data.images)  # fakes only
attacked_report = fakes.evaluate(fakes.predict_logistic(spectrum_model, fakes.radial_spectrum(attacked)),
                                     data, "test")
for g in gens:
    print(f"{g:<15} detected before: {spectrum_report[g]['detected']:>5.0%}   after sharpening: "
          f"{attacked_report[g]['detected']:>5.0%}")

# %% [markdown] slideshow={"slide_type": "-"}
# One click of "sharpen" and most warped fakes pass as real; the GANs' faces, which lack far more detail
# than a sharpen filter can paint back, are still caught — a stronger attack would be needed (exercise 4).
# Retraining on sharpened fakes would catch these again, until the forger tries something else. This is
# why detection is an **arms race**: every published detector is also a training signal for the next
# generator (chapter 07's GAN is literally a generator trained against a detector).
#
# ### Real photos vs generated photos
#
# The same test on real photographs: 64-pixel patches of scikit-image's photos, and the same patches after
# blurring and restoring with chapter 02's learned de-blurrer — a restored photo is generated data too. We
# train on patches of four photos and test on the astronaut, which the detector never saw.

# %% slideshow={"slide_type": "skip"}
photos = fakes.photo_set(by_mode(16, 96, 160))
photo_spectra = fakes.radial_spectrum(photos.images)
ptrain = photos.split == "train"
photo_model = fakes.fit_logistic(photo_spectra[ptrain], photos.label[ptrain])
photo_report = fakes.evaluate(fakes.predict_logistic(photo_model, photo_spectra), photos, "test")
print(fakes.format_report(photo_report).replace(fakes.REAL, "photo"))

# %% [markdown] slideshow={"slide_type": "notes"}
# The restored patches are, like the GANs' faces, smoother at the finest scales than a camera's pictures,
# and the detector catches many of them — at the price of false alarms on the astronaut's own smooth areas
# (her suit, the dark background). With a few dozen patches (fewer in quick mode) these numbers move by
# several points from run to run: a reminder to ask how many pictures any accuracy figure rests on.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Provenance: an invisible watermark
#
# Detection guesses after the fact. **Provenance** marks pictures when they are made, so that the maker
# can later say "this one is ours". A watermark hides a short message in the picture itself: invisible to
# people, readable by whoever holds the **key**. Ours, written from scratch, is a classic *spread-spectrum*
# mark (Cox et al. 1997): the key picks a few thousand mid-frequency cosine coefficients of the picture's
# brightness and a random ± sign for each; each message bit nudges its coefficients up or down along those
# signs; a "pilot" half always says +1. Reading it back is a correlation with the same signs.

# %% slideshow={"slide_type": "skip"}
show_source(watermark.embed)

# %% slideshow={"slide_type": "skip"}
photo = watermark.test_pictures(n_faces=0, size=256)[0][1]  # the astronaut, 256 × 256
marked = watermark.embed(photo, "AI!?", key=2024)
found = watermark.read(marked, key=2024)
print(f"PSNR of the marked picture: {watermark.psnr(photo, marked):.1f} dB")
print(f"with the right key: found = {found.found}, pilot z = {found.score:.1f}, message = {watermark.bits_to_text(found.bits)!r}")
wrong = watermark.read(marked, key=2025)
print(f"with a wrong key:   found = {wrong.found}, pilot z = {wrong.score:.1f}")
print(f"unmarked original:  found = {watermark.read(photo, key=2024).found}")

# %% slideshow={"slide_type": "subslide"}
diff = marked.astype(float) - photo
fig, axes = plt.subplots(1, 3, figsize=(11, 3.9))
axes[0].imshow(photo), axes[0].set_title("original")
axes[1].imshow(marked), axes[1].set_title("marked (message 'AI!?')")
axes[2].imshow(np.clip(128 + 20 * diff.mean(-1), 0, 255), cmap="gray", vmin=0, vmax=255)
axes[2].set_title("difference × 20")
for ax in axes:
    ax.set_xticks([]), ax.set_yticks([]), ax.grid(False)
fig.suptitle(f"An invisible watermark: PSNR {watermark.psnr(photo, marked):.1f} dB", fontweight="bold")
fig.tight_layout()
save_figure(fig, "watermark_embed", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# You cannot see the difference between the first two; the third shows it amplified twenty times — a fine,
# even texture of blobs a few pixels across (mid frequencies) spread over the whole picture, fainter only
# where the picture is nearly black and the change is cut off at 0. A PSNR around 40 dB is generally
# invisible.
#
# ### How often does it cry wolf?
#
# Without the key's mark, the pilot's correlation is a random number with a bell-shaped (standard normal)
# spread, whatever the picture. So the threshold comes from arithmetic, not tuning: at 3.7 the chance of
# a false alarm is 1 in 10 000. We check that on unmarked pictures with many keys, and look at marked ones:

# %% slideshow={"slide_type": "subslide"}
pictures = watermark.test_pictures(n_faces=by_mode(1, 6, 10), size=256)
keys = range(by_mode(40, 150, 300))
unmarked_z = np.array([watermark.read(p, k).score for _, p in pictures for k in keys])
marked_z = np.array([watermark.read(watermark.embed(p, "ok", k), k).score for _, p in pictures for k in keys[:5]])
thr = watermark.threshold(watermark.DEFAULT_FPR)
print(f"{len(unmarked_z)} unmarked checks: {np.mean(unmarked_z > thr):.2%} flagged (threshold z > {thr:.2f}, "
      f"designed for {watermark.DEFAULT_FPR:.2%}); {len(marked_z)} marked: {np.mean(marked_z > thr):.0%} found")

fig, ax = plt.subplots(figsize=(8, 3.4))
ax.hist(unmarked_z, bins=40, density=True, alpha=0.7, label="unmarked pictures (many keys)")
ax.hist(marked_z, bins=20, density=True, alpha=0.7, label="marked pictures (their key)")
zz = np.linspace(-4, 4, 200)
ax.plot(zz, np.exp(-zz ** 2 / 2) / np.sqrt(2 * np.pi), "k", lw=1, label="standard normal")
ax.axvline(thr, color="C3", ls="--", label=f"threshold {thr:.2f} (1 false alarm in 10 000)")
ax.set(xlabel="pilot score z", ylabel="density", title="Watermark scores: unmarked vs marked")
ax.legend(fontsize=8)
save_figure(fig, "watermark_scores", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The unmarked scores follow the bell curve, as the arithmetic says they must; the marked ones sit far to
# the right of the dashed threshold.
#
# ### Robustness: JPEG and resizing
#
# A picture on its way through the internet gets re-compressed and resized. We mark each test picture with
# its own random 32-bit message, attack it, and read it back:

# %% slideshow={"slide_type": "skip"}
rows = watermark.robustness(pictures, qualities=(95, 75, 50, 30, 15), factors=(0.35, 0.5, 0.75, 1.25, 1.5))
print(f"{'attack':<8}{'param':>7}{'detected':>10}{'bits right':>12}")
for r in rows:
    print(f"{r['attack']:<8}{str(r['param'] or ''):>7}{r['detected']:>10.0%}{r['bit_accuracy']:>12.1%}")
print(f"mean PSNR of the marked pictures: {rows[0]['psnr']:.1f} dB")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), sharey=True)
for ax, attack, label in [(axes[0], "jpeg", "JPEG quality"), (axes[1], "resize", "resize factor (then back)")]:
    sel = [r for r in rows if r["attack"] == attack]
    ax.plot([r["param"] for r in sel], [r["detected"] for r in sel], "o-", label="watermark found")
    ax.plot([r["param"] for r in sel], [r["bit_accuracy"] for r in sel], "s--", label="message bits right")
    ax.set(xlabel=label, ylim=(0, 1.05), title=f"Robustness to {attack.upper() if attack == 'jpeg' else 'resizing'}")
axes[0].invert_xaxis()
axes[0].set_ylabel("share of pictures / bits")
axes[0].legend(loc="lower left", fontsize=9)
fig.tight_layout()
save_figure(fig, "watermark_robustness", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Read left to right as harsher treatment. The mark survives ordinary JPEG and resizing, because it lives
# in the middle frequencies that both keep; only very low JPEG qualities and strong shrinking (which throw
# those frequencies away) begin to erase it. The message bits hold out longer than the yes/no verdict.
#
# ### What watermarks and credentials can and cannot prove
#
# Real systems work on the same two ideas, engineered much further:
#
# - **Invisible watermarks** — the open-source `invisible-watermark` package (used by Stable Diffusion's
#   reference code; its default method marks DCT blocks of a wavelet (DWT) band, where ours takes one DCT
#   of the whole picture), Digimarc, and Google DeepMind's **SynthID**, a *learned* watermark for images,
#   audio and text. A found mark **proves** that someone with the key marked this content. Its
#   **absence proves nothing**: most open models add none, anyone running a model locally can switch it off,
#   and marks can be weakened or removed (exercise 3 shows one way).
# - **C2PA content credentials** (Adobe, Microsoft, the BBC, camera makers and others): a cryptographically
#   **signed** record attached to the file — which camera or app made it, what edits followed. A valid
#   signature proves who signed the record and that it was not altered since. It cannot prove the scene was
#   real (a camera can photograph a screen), and it is lost when the metadata is stripped — by a screenshot
#   or by many upload pipelines.
#
# So provenance works best **in the positive direction**: it lets honest sources prove what is theirs. It
# cannot, on its own, expose a forger who never opted in. Detection and provenance are complements, and
# neither replaces a human process for what to do when something looks wrong — the subject of the next
# section.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Governance exercise (no code): who decides?
#
# This exercise is for decision makers; it takes 20–30 minutes in a group. The technical sections give you
# the facts to argue from: detectors miss new generators, watermarks prove only what was marked.
#
# **Step 1 · Uses and risks.** For your organisation, fill in a table like this one (the first rows are
# examples to disagree with):
#
# | synthetic media use | who benefits | what could go wrong | who is harmed | likelihood × impact | decision |
# | --- | --- | --- | --- | --- | --- |
# | training videos with a synthetic presenter | staff, L&D budget | presenter mistaken for a real employee | trust in internal comms | low × low | allow, with a label |
# | dubbing the CEO's message into 12 languages | global staff | a fake "CEO" later becomes more believable | employees, shareholders | medium × high | allow with consent, watermark and C2PA |
# | synthetic faces in marketing | marketing | customers feel deceived; bias in who is shown | customers, brand | medium × medium | ? |
# | a voice clone of a customer-service agent | operations | the agent's voice used without consent | the agent | ? | ? |
# | a video call "from the CFO" asking for a payment | a fraudster | money lost | the company | high × high | process: call-back on a known number |
#
# **Step 2 · Who decides?** For each row: who may say yes (the team, legal, a board)? Who must be asked
# (the person whose face or voice it is, the works council, customers)? Who is told afterwards?
#
# **Step 3 · An "AI ethics board".** If your organisation had one, what would it need to work — a mandate
# (advice or veto?), members (only engineers and lawyers, or also the people affected?), a register of
# uses, a way to escalate, a review date, and the power to say no to a profitable project?
#
# The widget below turns your answers into a one-page policy summary to discuss (it runs without editing
# code; change the dropdowns).

# %% slideshow={"slide_type": "skip"}
display(governance.policy_widget())

# %% [markdown] slideshow={"slide_type": "-"}
# (In a static copy of this notebook the dropdowns do not respond; here is the summary for one set of
# answers, to see what it produces.)

# %% slideshow={"slide_type": "subslide"}
display(Markdown(governance.policy_summary(
    "multilingual dubbing of executives", "an AI ethics board", "written consent of every person shown or voiced",
    "watermark only", "call-back on a known number before any payment or data release", "every year")))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - Generators and warps **resample**, and resampling changes how much fine detail a picture has: the
#   azimuthally averaged power spectrum shows it as one curve, and a **logistic regression** on that curve
#   is already a good detector of the fakes it was trained on.
# - A **small CNN** that looks at the high-pass residue learns its own clues; both detectors catch the GANs'
#   pictures more often than the warps', whose pixels are mostly real.
# - A **control** keeps a comparison honest: real frames given gan07's 32 px → 64 px resize are called fake
#   too, so part of what the detectors learned is "enlarged = fake"; with the resize on both sides the
#   GAN's own traces still give it away.
# - Report **per generator**, on **held-out people**, with the **false-alarm rate** next to the hit rate.
# - The **generalisation gap**: a detector does worse on a generator it never saw, and a forger who knows
#   the clue (here, a sharpen filter) defeats it. Detection is an arms race.
# - An **invisible watermark** (spread spectrum in mid frequencies) leaves the marked picture at about 40 dB
#   PSNR, has a false-alarm rate set by arithmetic, survives JPEG and resizing — and proves only what was
#   marked. C2PA credentials sign a file's history; they vanish when metadata is stripped.
# - What an organisation does with synthetic media is a **governance** decision: uses, consent,
#   disclosure, a procedure for suspected fakes, and someone with the mandate to decide.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# ### Exercise 1 · The spectrum curve
#
# Write `my_radial_spectrum(grey)` for one (H, W) float picture: subtract its mean, multiply by a Hann
# window (`np.outer(np.hanning(H), np.hanning(W))`), take `np.fft.fftshift(np.fft.fft2(...))` and the power
# `abs(...)**2`; average the power over each ring of integer (rounded) radius r = 1 … H // 2 around the
# centre, and return `np.log10(ring_mean + 1e-10)`: the (H // 2,) curve.

# %% slideshow={"slide_type": "skip"}
def my_radial_spectrum(grey):
    """(H // 2,) mean log10 power on each ring r = 1 … H // 2 of a (H, W) picture's centred spectrum."""
    ### BEGIN SOLUTION
    h, w = grey.shape
    g = (grey - grey.mean()) * np.outer(np.hanning(h), np.hanning(w))
    power = np.abs(np.fft.fftshift(np.fft.fft2(g))) ** 2
    fy, fx = np.meshgrid(np.arange(h) - h // 2, np.arange(w) - w // 2, indexing="ij")
    r = np.rint(np.hypot(fy, fx)).astype(int)
    return np.log10(np.array([power[r == k].mean() for k in range(1, h // 2 + 1)]) + 1e-10)
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_yy, _xx = np.mgrid[0:64, 0:64]
_stripes = np.cos(2 * np.pi * 10 * _xx / 64)  # 10 cycles across the picture
_face = data.images[0].mean(-1) / 255.0
run_check("Exercise 1", [
    Test("returns 32 numbers for a 64 × 64 picture", lambda: np.shape(my_radial_spectrum(_face)) == (32,),
         "One value per ring r = 1 … H // 2: 32 rings for H = 64; leave out r = 0 (the mean)."),
    Test("stripes with 10 cycles put their peak on ring 10", lambda: int(np.argmax(my_radial_spectrum(_stripes))) + 1 == 10,
         "Centre the spectrum with np.fft.fftshift, then measure each frequency's distance from (H//2, W//2)."),
    Test("agrees with fakes.radial_spectrum on a face",
         lambda: np.allclose(my_radial_spectrum(_face), fakes.radial_spectrum(data.images[0]), atol=1e-6),
         "Same recipe: grey level in [0, 1], mean removed, Hann window, mean power per rounded radius, then log10(... + 1e-10)."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · AUC by counting
#
# Write `my_auc(real_scores, fake_scores)`: the share of all (real, fake) pairs in which the fake scores
# higher, ties counting one half. No library; two nested comparisons via broadcasting are enough.

# %% slideshow={"slide_type": "skip"}
def my_auc(real_scores, fake_scores):
    """Chance that a random fake outscores a random real picture (ties count half)."""
    ### BEGIN SOLUTION
    r, f = np.asarray(real_scores, float), np.asarray(fake_scores, float)
    return float((f[:, None] > r[None, :]).mean() + 0.5 * (f[:, None] == r[None, :]).mean())
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_real_s, _fake_s = spectrum_scores[test & (data.label == 0)], spectrum_scores[test & (data.source == gens[0])]
run_check("Exercise 2", [
    Test("perfect separation gives 1", lambda: my_auc([0.1, 0.2], [0.8, 0.9, 0.7]) == 1.0,
         "Compare every fake with every real score: f[:, None] > r[None, :] is a (fakes × reals) table."),
    Test("reversed scores give 0", lambda: my_auc([0.8, 0.9], [0.1, 0.2]) == 0.0,
         "The AUC counts pairs where the FAKE scores higher."),
    Test("all ties give 0.5", lambda: my_auc([0.5, 0.5], [0.5]) == 0.5,
         "A tie counts one half: add 0.5 × the share of equal pairs."),
    Test("agrees with fakes.auc on this notebook's scores",
         lambda: abs(my_auc(_real_s, _fake_s) - fakes.auc(_real_s, _fake_s)) < 1e-9,
         "Take the mean over all pairs, not a sum."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · Strip the mark
#
# Write `strip(marked)` that returns a picture a person would call the same as `marked` (the check allows a
# mirror image, and an average change of at most 8 grey levels otherwise) but in which `watermark.read`
# no longer finds key 2024's mark. Hint: the key fixes *where* in the spectrum the mark sits.

# %% slideshow={"slide_type": "skip"}
def strip(image):
    """A picture that looks the same as `image` but hides key 2024's watermark from detect()."""
    ### BEGIN SOLUTION
    return np.ascontiguousarray(image[:, ::-1])  # a mirror image: same picture, every coefficient's sign scrambled
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
def _looks_same(a, b):
    return min(np.abs(a.astype(float) - b).mean(), np.abs(a[:, ::-1].astype(float) - b).mean()) <= 8


run_check("Exercise 3", [
    Test("returns a uint8 picture of the same size", lambda: strip(marked).shape == marked.shape and strip(marked).dtype == np.uint8,
         "Return an (H, W, 3) uint8 array, e.g. built with numpy from `image`."),
    Test("a person would call it the same picture", lambda: _looks_same(strip(marked), marked),
         "Change the picture only slightly — or in a way people do not care about."),
    Test("the watermark is no longer found", lambda: not watermark.read(strip(marked), key=2024).found,
         "JPEG and resizing did not work (section 7). The detector expects each coefficient in a fixed place "
         "with a fixed sign: what simple change of geometry moves them all?"),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# (Real watermarks add synchronisation patterns and search over flips, shifts and scales to resist exactly
# this; then attackers average over many keys or train a network to remove marks. Another arms race.)
#
# ### Exercise 4 · (open) Close the gap
#
# Retrain the spectrum detector of section 4 on clean **and** sharpened training fakes (`attacked[train]`
# together with `data.images[train]`). Does it catch the sharpened test fakes again? Does it still catch the
# clean ones, and how many real frames does it now accuse? Then attack the GAN's fakes harder (sharpen
# twice, or add a little noise) until they pass; and try JPEG at quality 70 (`watermark.jpeg`) on every test
# picture, real and fake: what happens to the false alarms?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. A vendor offers a deepfake detector with "99 % accuracy". Using section 6, list the questions you
#    would ask before buying it: accuracy on which generators, measured when, on whose faces, with what
#    false-alarm rate — and what happens next year?
# 2. If a detector flags 1 % of genuine videos as fake, and your platform receives a million genuine videos
#    a day, how many people are wrongly accused daily? Who handles their appeals?
# 3. Watermarks prove what *was* marked; they cannot show that an unmarked video is real. Should your
#    organisation mark everything it publishes (C2PA credentials, invisible marks)? What would it cost, and
#    who would check?
# 4. In the governance exercise, who in your organisation should be able to say "no" to a profitable use
#    of synthetic media — and would they be heard?
# 5. Which is the better defence against the fake CFO on a video call: a detector, or a rule that every
#    payment request is confirmed by calling back a known number? Why do the two age differently?

# %% [markdown] slideshow={"slide_type": "notes"}
# **This is the last chapter.** From a rule table (chapter 01) to a talking portrait (chapter 08), each
# step made synthesis easier; this one showed that detecting it stays hard, that provenance helps the
# honest, and that the decisions that matter most are made by people.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Andreas Rössler, Davide Cozzolino, Luisa Verdoliva, Christian Riess, Justus Thies, Matthias Nießner (2019). FaceForensics++: Learning to Detect Manipulated Facial Images. *ICCV 2019*. [arXiv:1901.08971](https://arxiv.org/abs/1901.08971)
# - Sheng-Yu Wang, Oliver Wang, Richard Zhang, Andrew Owens, Alexei A. Efros (2020). CNN-Generated Images Are Surprisingly Easy to Spot... for Now. *CVPR 2020*. [arXiv:1912.11035](https://arxiv.org/abs/1912.11035)
# - Joel Frank, Thorsten Eisenhofer, Lea Schönherr, Asja Fischer, Dorothea Kolossa, Thorsten Holz (2020). Leveraging Frequency Analysis for Deep Fake Image Recognition. *ICML 2020*. [arXiv:2003.08685](https://arxiv.org/abs/2003.08685)
# - Ricard Durall, Margret Keuper, Janis Keuper (2020). Watch Your Up-Convolution: CNN Based Generative Deep Neural Networks Are Failing to Reproduce Spectral Distributions. *CVPR 2020*. [arXiv:2003.01826](https://arxiv.org/abs/2003.01826)
# - Tarik Dzanic, Karan Shah, Freddie Witherden (2020). Fourier Spectrum Discrepancies in Deep Network Generated Images. *NeurIPS 2020*. [arXiv:1911.06465](https://arxiv.org/abs/1911.06465)
# - Utkarsh Ojha, Yuheng Li, Yong Jae Lee (2023). Towards Universal Fake Image Detectors that Generalize Across Generative Models. *CVPR 2023*. [arXiv:2302.10174](https://arxiv.org/abs/2302.10174)
# - Sophie J. Nightingale, Hany Farid (2022). AI-Synthesized Faces Are Indistinguishable from Real Faces and More Trustworthy. *PNAS* 119(8). [open copy (PubMed Central)](https://pmc.ncbi.nlm.nih.gov/articles/PMC8872790/) · [doi:10.1073/pnas.2120481119](https://doi.org/10.1073/pnas.2120481119)
# - Ingemar J. Cox, Joe Kilian, F. Thomson Leighton, Talal Shamoon (1997). Secure Spread Spectrum Watermarking for Multimedia. *IEEE Transactions on Image Processing* 6(12). [doi:10.1109/83.650120](https://doi.org/10.1109/83.650120)
# - Coalition for Content Provenance and Authenticity (C2PA) (n.d., version 2.2). Content Credentials: C2PA Technical Specification. *C2PA specification*. [spec.c2pa.org, v2.2](https://spec.c2pa.org/specifications/specifications/2.2/specs/C2PA_Specification.html)
