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
# # 06 · Transfer and multi-task learning
#
# A network that has learned from thousands of faces already knows what makes a face *this* person's, so a
# new task about faces — recognising someone new, detecting a smile — needs only a handful of labelled
# photos instead of thousands. That is why the Mona Lisa can move: knowledge learned on other faces
# transfers to her, and one painting is enough.
#
# > **For leaders.** This chapter shows that a face-recognition system trained on many people can learn a new
# > person or a new task from a handful of labelled photos, and that this head start shrinks when the new photos
# > differ from the ones it learned on. Reusing a ready-made (pretrained) model can save the cost of labelling
# > thousands of examples, but a model built on one kind of data may help much less on yours. The question to ask
# > is whether anyone has measured how far our data are from the data the model learned on before we commit a
# > budget.
#
# **Learning objectives.** By the end of this notebook you can
#
# - explain what an **identity embedding** is and read a similarity matrix of faces;
# - compare three ways to learn a new task from K labelled examples — **from scratch**, on **frozen
#   features**, **fine-tuned** — with learning curves over K that show their spread over repeated draws;
# - measure a **domain gap**: how much less a network trained on synthetic faces helps on real photos;
# - state **regularised multi-task learning** (Evgeniou & Pontil, 2004), $w_t = w_0 + v_t$, solve it in
#   closed form, and say when it beats one model per task and one model for all;
# - recognise the same shared-plus-own shape, $W_i + w_0$, in chapter 08's deepfake discriminator.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 15 s): 10 people, K up to 8, 2 draws per point | 30 min, reading and discussing |
# | standard (default) | ≤ 10 min (about 1.5 min): 20 people, K up to 64, 5 draws per point | 60–90 min with the exercises |
# | full | as standard | 60–90 min |
#
# The first run also renders the FaceWorld photos it needs (about 15 s in quick mode, 1–2 min in standard)
# and keeps them in the data cache for the next run.
#
# **Needs from earlier chapters:** chapter 01's idea that a network is a learned function trained by
# gradient descent; chapter 03's aligned faces and FaceWorld. It uses the course's identity network
# (`checkpoints/identity.pt`) when it is shipped, and trains a rough one briefly when it is not.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils import identity_net, landmarks, transfer
from course_utils.checkpoints import read_manifest
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.errors import CourseError
from course_utils.exercises import Test, run_check
from course_utils.images import portrait
from course_utils.tensors import n_params
from course_utils.viz import save_figure, show_images, show_source

CHAPTER = "06_transfer_learning"
seed_everything(0)
torch.set_num_threads(1)  # small networks on a small shared machine: one thread is usually fastest
print("figures from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. A network that already knows faces
#
# Real face-recognition systems (FaceNet, ArcFace) are networks trained on millions of photos of hundreds
# of thousands of people. They turn a face into a short list of numbers, an **embedding**, such that two
# photos of the same person give nearly the same numbers and photos of different people do not. The
# course cannot ship such a network, so it uses a **stand-in**: the *identity network*, a small residual
# network trained the same way on 1,000 FaceWorld people (10 photos each, backgrounds replaced by noise so
# it must look at the person). It maps an aligned 64 × 64 face to 128 numbers of length one:

# %% slideshow={"slide_type": "skip"}
show_source(identity_net.IdentityNet)

# %% slideshow={"slide_type": "skip"}
try:
    net = identity_net.load_identity_net()
    shipped = read_manifest()["identity"]
    print(f"Loaded the shipped identity network: {n_params(net):,} numbers, trained with "
          f"{shipped['metrics'].get('steps', '?')} steps on {shipped['metrics'].get('train_identities', '?')} FaceWorld people;")
    print(f"on pairs of people it never saw it says 'same' or 'different' correctly "
          f"{shipped['metrics'].get('accuracy', float('nan')):.1%} of the time.")
except CourseError as err:
    print("✘", err)
    print("So we train a rough one now, for a few seconds: expect every curve below to be worse.")
    n_train = by_mode(40, 200)
    net, _ = identity_net.train(steps=by_mode(60, 400), n_identities=n_train, per_identity=6, eval_after=False,
                                time_limit=by_mode(15, 180), data=identity_net.cached_crops("train", n_train, 6))

# %% [markdown] slideshow={"slide_type": "-"}
# The people below are FaceWorld **test** people: the network has never seen them. Each is shown in
# three photos (different pose, light and expression; half of the photos smile). The matrix holds the
# **similarity** of every pair of photos — the cosine of their embeddings: 1 means the same direction,
# 0 unrelated.
#
# > **Think!** The network has never seen these people. Sketch the 18 × 18 matrix before you run the cell: where
# > will it be bright, where dark? Will a smiling photo of one person be closer to her own unsmiling photo, or to
# > another person's smiling one?

# %% slideshow={"slide_type": "subslide"}
POOL = by_mode((10, 24), (20, 80))  # people, photos per person
pool = transfer.smile_crops(*POOL)  # aligned 64 px crops of test people, rendered once then cached
print(f"{len(pool['crops'])} photos of {POOL[0]} test people; {pool['label'].mean():.0%} of them smile")

shown = np.concatenate([np.flatnonzero(pool["person"] == p)[:3] for p in range(6)])
emb = identity_net.embed(net, pool["crops"][shown])
sim = emb @ emb.T

fig, axes = plt.subplots(1, 2, figsize=(13, 5.6), gridspec_kw={"width_ratios": [1, 1.25]})
axes[0].imshow(np.concatenate([np.concatenate(list(pool["crops"][shown[3 * p:3 * p + 3]]), 1) for p in range(6)], 0))
axes[0].set_yticks(32 + 64 * np.arange(6), [f"person {p + 1}" for p in range(6)])
axes[0].set_xticks([])
axes[0].set_title("Six new people, three photos each")
axes[0].grid(False)
im = axes[1].imshow(sim, vmin=-0.2, vmax=1, cmap="viridis")
axes[1].set_xticks(1 + 3 * np.arange(6), [f"p{p + 1}" for p in range(6)])
axes[1].set_yticks(1 + 3 * np.arange(6), [f"p{p + 1}" for p in range(6)])
axes[1].set_title("Identity similarity of every pair of photos")
axes[1].grid(False)
fig.colorbar(im, ax=axes[1], label="cosine similarity")
fig.tight_layout()
save_figure(fig, "similarity_matrix", CHAPTER);

same = np.equal.outer(np.repeat(np.arange(6), 3), np.repeat(np.arange(6), 3))
off_diagonal = ~np.eye(len(shown), dtype=bool)
print(f"mean similarity, same person: {sim[same & off_diagonal].mean():.2f}; different people: {sim[~same].mean():.2f}")

# %% [markdown] slideshow={"slide_type": "-"}
# The bright 3 × 3 squares on the diagonal are the same person in different photos; everything else is
# darker. The network was never told who these six are: it learned *what makes a face someone's own* on
# other people, and that knowledge carries over to strangers. Chapter 08 uses this network as its
# stand-in for the face-recognition network of the talking-head paper (its *CSIM* score).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A new task from K photos: scratch, frozen, fine-tuned
#
# The new task: **recognise 20 new people** (10 in quick mode) from **K labelled photos of each**, and
# name each of 16 other photos of them. Three learners get the same K photos:
#
# - **from scratch** — a small convolutional network (about 30,000 numbers), started at random and trained
#   only on the K photos per person (with mirror flips);
# - **frozen features** — the identity network is left untouched; a logistic regression learns from the
#   embeddings of the K photos (the network *describes*, the small model *decides*);
# - **fine-tuned** — start from the frozen-feature model, then train the identity network's last block,
#   its embedding layer and the new classifier together, with a small learning rate.
#
# Each point is repeated with different draws of the K photos (the *seeds*): the band shows ± one standard
# deviation, so you can see which differences are real and which are luck of the draw.
#
# > **Think!** Guessing names one photo in 20 correctly (one in 10 in quick mode). With a single labelled photo per
# > person, roughly where do you expect each learner to start: from scratch, frozen features, fine-tuned? Will
# > fine-tuning beat frozen features at K = 1?

# %% slideshow={"slide_type": "skip"}
KS = by_mode((1, 2, 4, 8), (1, 2, 4, 8, 16, 32, 64))
SEEDS = by_mode(2, 5)
t0 = time.perf_counter()
curves = transfer.run_transfer_curves(net, pool, ks=KS, seeds=SEEDS, n_test=16, finetune_steps=by_mode(8, 20),
                                      batch=by_mode(16, 32), verbose=True)
print(f"{curves['n_way']} people, {curves['n_test']} test photos each; {time.perf_counter() - t0:.0f} s")

# %% slideshow={"slide_type": "subslide"}
STYLE = {"scratch": ("from scratch", "tab:red"), "frozen": ("frozen features", "tab:blue"),
         "finetuned": ("fine-tuned", "tab:green")}


def plot_curves(ax, x, results, style, ylabel, chance=None):
    """Mean ± one standard deviation over seeds, one line per learner, log-2 x axis."""
    for name, (label, color) in style.items():
        m, sd = results[name].mean(0), results[name].std(0)
        ax.plot(x, m, "o-", color=color, label=label)
        ax.fill_between(x, m - sd, m + sd, color=color, alpha=0.2)
    if chance is not None:
        ax.axhline(chance, color="gray", ls="--", lw=1, label="chance")
    ax.set_xscale("log", base=2)
    ax.set_xticks(x, [str(v) for v in x])
    ax.set_ylabel(ylabel)
    ax.legend()


fig, ax = plt.subplots(figsize=(8, 4.5))
plot_curves(ax, KS, curves, STYLE, "accuracy on other photos", chance=1 / curves["n_way"])
ax.set(title=f"Recognising {curves['n_way']} new people from K photos each", xlabel="K, labelled photos per person",
       ylim=(0, 1.02))
fig.tight_layout()
save_figure(fig, "learning_curves", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Read the curves from the left. With **one photo per person** the network trained from scratch names only a
# few photos correctly, while frozen features already name almost all of them: the knowledge came from the
# 1,000 other people, not from the one labelled photo. Fine-tuning starts from the frozen model and
# moves the network a little; with a handful of photos it has little to learn from, stays close to the
# frozen model and can even lose a little (every step fits the few photos a bit more) — it pays when there
# are more labels, or when the new task is further from the old one. From scratch climbs slowly and, even
# with the most photos here, stays behind. In the real world, labelled photos are the expensive part.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Real photos: the domain gap
#
# The identity network has only ever seen FaceWorld faces. Does its knowledge carry over to **real
# photographs**? scikit-image ships 200 tiny photos from the *Labeled Faces in the Wild* collection: 100
# faces and 100 patches that are not faces (25 × 25 pixels, grey). The task: tell faces from not-faces
# from K labelled examples of each, with frozen features or from scratch; 50 + 50 are kept for testing.
# For comparison, the same task with FaceWorld faces made to look exactly as poor (grey, 25 pixels)
# against the same non-faces.

# %% slideshow={"slide_type": "subslide"}
real = transfer.lfw_faces()
fw_look = transfer.to_lfw_look(pool["crops"][np.unique(pool["person"], return_index=True)[1][:6]])
show_images(list(real["crops"][:6]) + list(real["crops"][100:106]) + list(fw_look),
            ["real face"] * 6 + ["not a face"] * 6 + ["FaceWorld, same look"] * 6, ncols=6, size=1.7,
            suptitle="The domain gap: real photos (lfw_subset) and FaceWorld faces at the same poor quality")
save_figure(plt.gcf(), "lfw_examples", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# > **Think!** In section 2, at K = 1, frozen features beat training from scratch by a wide margin. The identity
# > network learned on sharp, colour, 64-pixel faces. On these 25-pixel grey pictures, will its frozen features
# > still beat training from scratch, and by as much? Does it matter whether the faces are real or FaceWorld's?

# %% slideshow={"slide_type": "subslide"}
GAP_KS = by_mode((1, 4, 16), (1, 2, 4, 8, 16, 32))
t0 = time.perf_counter()
gap = transfer.run_domain_gap(net, ks=GAP_KS, seeds=by_mode(2, 3), faceworld=pool, verbose=True)
print(f"{time.perf_counter() - t0:.0f} s")

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), gridspec_kw={"width_ratios": [1, 1, 0.8]})
for ax, dom, title in zip(axes, ("faceworld", "real"), ("FaceWorld faces (at lfw quality)", "Real faces (lfw_subset)")):
    plot_curves(ax, GAP_KS, {k: gap[f"{dom}_{k}"] for k in ("frozen", "scratch")},
                {k: STYLE[k] for k in ("frozen", "scratch")}, "accuracy, faces vs not-faces", chance=0.5)
    ax.set(title=title, xlabel="K, labelled examples per class", ylim=(0.4, 1.02))
names = {"faceworld": "FaceWorld,\nsharp colour", "faceworld_low": "FaceWorld,\ngrey 25 px", "real_low": "real faces,\ngrey 25 px"}
axes[2].bar([names[k] for k in names], [gap["strangers"][k] for k in names], color=["tab:blue", "tab:cyan", "tab:orange"])
axes[2].set(title="How alike different people look", ylabel="mean similarity of different people", ylim=(0, 1))
fig.suptitle("Does knowledge learned on FaceWorld transfer to real photos?", fontweight="bold")
fig.tight_layout()
save_figure(fig, "domain_gap", CHAPTER);

# %% slideshow={"slide_type": "skip"}
for dom in ("faceworld", "real"):
    gain = gap[f"{dom}_frozen"].mean(0) - gap[f"{dom}_scratch"].mean(0)
    print(f"{dom:9s} frozen minus scratch: " + ", ".join(f"K={k}: {g:+.2f}" for k, g in zip(GAP_KS, gain)))
print(f"for comparison, section 2 at K=1 (sharp colour FaceWorld faces): "
      f"{curves['frozen'][:, 0].mean() - curves['scratch'][:, 0].mean():+.2f}")

# %% [markdown] slideshow={"slide_type": "-"}
# Read the figure from the right. To the identity network, different FaceWorld people in sharp colour are
# unrelated (similarity near 0); at 25 grey pixels everybody starts to look alike, and real faces at that
# size look at least as alike. The network's knowledge lives in pictures like the ones it learned from —
# sharp, colour, 64 pixels — so on tiny grey photos, real or synthetic, its frozen features are worth far
# less than in section 2: compare the frozen-minus-scratch gains printed above with section 2's. This is
# a **domain gap**: here mostly a gap in picture quality, plus whatever makes real faces differ from
# FaceWorld's (real skin, hair, lighting, cameras). It is the honest limit of the course's stand-in: it
# transfers well to more faces like its training faces and much less to anything else. Real
# face-recognition networks are trained on millions of real photos of every quality for exactly this reason.
#
# One real face at good quality: the astronaut's photo, aligned by a landmark detector as in chapter 03.
# Small edits leave a person recognisable; does the network agree, for a real face as it does for
# FaceWorld faces?

# %% slideshow={"slide_type": "subslide"}
astronaut = portrait("astronaut").image
EDITS = {"mirror": lambda c: c[:, ::-1], "darker": lambda c: (c * 0.7).astype(np.uint8),
         "shifted 3 px": lambda c: np.roll(c, 3, axis=1)}
try:
    astro = identity_net.align(astronaut, landmarks.detect(astronaut).faces[0].points)
    fw_faces = pool["crops"][np.unique(pool["person"], return_index=True)[1]]
    rows = []
    for name, edit in EDITS.items():
        real_sim = identity_net.similarity(net, astro[None], edit(astro)[None])[0]
        fw_sim = identity_net.similarity(net, fw_faces, np.stack([edit(c) for c in fw_faces])).mean()
        rows.append((name, real_sim, fw_sim))
    show_images([astro] + [EDITS[n](astro) for n, _, _ in rows], ["the astronaut, aligned"] +
                [f"{n}: similarity {r:.2f}" for n, r, _ in rows], ncols=4, size=2.4,
                suptitle="A real face and three edits of it, through the FaceWorld-trained network")
    for name, real_sim, fw_sim in rows:
        print(f"{name:13s} astronaut {real_sim:.2f}   FaceWorld people (mean) {fw_sim:.2f}")
    to_people = identity_net.similarity(net, np.repeat(astro[None], len(fw_faces), 0), fw_faces)
    print(f"astronaut vs {len(fw_faces)} FaceWorld people: mean {to_people.mean():.2f}, highest {to_people.max():.2f}")
except CourseError as err:
    print("✘ no landmark detector could find the astronaut's face here:", err)

# %% [markdown] slideshow={"slide_type": "-"}
# Compare each edit's two numbers: where the astronaut's similarity to her own edited photo is as high as
# the FaceWorld people's, the network handles this real face as it handles its own kind; where it is lower,
# it is less sure a real face is still itself. One photo proves little either way — a real test needs many
# real people photographed many times, which is what face-recognition benchmarks are. And she resembles no
# FaceWorld person: to the network she is a stranger to everyone it knows.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Many related tasks at once: multi-task learning
#
# Now suppose we want a **personal smile detector for each person** — one *task* per person — with
# only a few labelled photos of each. People smile differently, so one detector for everybody (**pooled**)
# is a compromise; but a detector per person (**independent**) learns from a handful of photos and
# overfits. Evgeniou and Pontil (KDD 2004) proposed the middle road: each task's weights are a **shared
# part plus a small personal part**,
#
# $$w_t = w_0 + v_t ,$$
#
# learned together by minimising, over $w_0, v_1, \dots, v_T$,
#
# $$\sum_{t=1}^{T} \sum_{i} \bigl(y_{it} - (w_0 + v_t)\cdot x_{it}\bigr)^2
#   \;+\; \frac{\lambda_1}{T} \sum_{t=1}^{T} \lVert v_t \rVert^2 \;+\; \lambda_2 \lVert w_0 \rVert^2 .$$
#
# The paper uses the hinge loss of a support vector machine; with the squared loss used here the problem
# has a closed form. $\lambda_1$ says how much the personal parts cost: very large, and every $v_t = 0$ —
# the pooled model; with $\lambda_2$ very large, $w_0 = 0$ — independent models. The paper shows it is one
# ordinary kernel method with the kernel
#
# $$K\bigl((x, s), (z, t)\bigr) = \Bigl(\frac{1}{\mu} + \delta_{st}\Bigr)\, x \cdot z,
#   \qquad \mu = \frac{T \lambda_2}{\lambda_1},$$
#
# (up to a constant factor), where $\delta_{st}$ is 1 when both examples come from the same task: examples of
# the same person count more for each other than examples of others. The course's solver is ten lines:

# %% slideshow={"slide_type": "skip"}
show_source(transfer.multitask_fit)

# %% [markdown] slideshow={"slide_type": "-"}
# **First, where the truth is known.** The inputs $x$ are real: the identity network's activations of the
# FaceWorld photos above (its block-3 activations, reduced to their 8 main directions, plus a constant 1).
# The tasks are made up, so that we know how related they are: person $t$'s target is
# $y = (w_0 + v_t)\cdot x$ plus noise, with a shared $w_0$ and personal parts $v_t$ about half its size, drawn
# afresh for every seed. Each method gets $n$ labelled photos per person and is scored on other photos of
# the same person by its squared error divided by the targets' variance (0 is perfect; 1 is no better than
# guessing the average). The penalties are the ones the way the tasks were made calls for.
#
# > **Think!** Each person's model has 9 weights. With only 2 labelled photos per person, rank the three methods —
# > independent, pooled, multi-task — from best to worst. As the photos per person grow, which one will stop
# > improving, and why?

# %% slideshow={"slide_type": "skip"}
NS = by_mode((2, 4, 8), (2, 4, 8, 16))
MTL_SEEDS = by_mode(10, 20)
feats = transfer.frozen_features(net, pool["crops"])
X64 = transfer.multitask_features(feats, 64)  # 64 main directions of the block-3 activations
X8 = X64[:, :8]                               # the 8 largest of them
t0 = time.perf_counter()
related = transfer.run_related_tasks(X8, pool["person"], ns=NS, seeds=MTL_SEEDS,
                                     n_test=by_mode(8, 16), verbose=True)
wins = related["multitask"] < np.minimum(related["independent"], related["pooled"])
print("multi-task beats both in", ", ".join(f"{w} of {MTL_SEEDS} draws at n={n}" for n, w in zip(NS, wins.sum(0))))
print(f"{related['tasks']} people = tasks; {time.perf_counter() - t0:.1f} s")

# %% slideshow={"slide_type": "subslide"}
MTL_STYLE = {"independent": ("independent (one per person)", "tab:red"), "pooled": ("pooled (one for all)", "tab:blue"),
             "multitask": ("multi-task  w₀ + v_t", "tab:green")}
fig, ax = plt.subplots(figsize=(8, 4.5))
plot_curves(ax, NS, related, MTL_STYLE, "error (squared error / variance)")
ax.axhline(related["noise_floor"], color="gray", ls=":", lw=1, label="noise floor")
ax.legend()
ax.set(title="Related tasks: multi-task vs independent vs pooled", xlabel="n, labelled photos per person",
       ylim=(0, 1))
fig.tight_layout()
save_figure(fig, "multitask_related", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# With 2 or 4 photos per person, **independent** models cannot pin down 9 weights from so few examples.
# **Pooled** learns from everybody's photos but gives everybody the same model, so it stays stuck however
# many photos it gets: it cannot learn the personal parts. **Multi-task** is best when photos are few:
# $w_0$ learns from everybody, and each $v_t$ corrects it a little for its person. As $n$ grows, independent
# models catch up: with enough photos of you, nobody else's are needed. The bands are wide because every
# draw makes up new tasks, some easier than others; the count printed above compares the methods draw by
# draw, on the same tasks and photos.
#
# **Then, real tasks: a personal smile detector for each person**, with FaceWorld's labels (smiling or
# not) and the same three methods as least-squares classifiers, on 64 main directions of the block-3
# activations (the embedding itself was trained to *ignore* expressions; one block earlier the mouth is
# still visible). Their penalties were chosen once on *validation* people, never on these.

# %% slideshow={"slide_type": "subslide"}
t0 = time.perf_counter()
smile = transfer.run_multitask(X64, pool["person"], pool["label"], ns=NS,
                               seeds=MTL_SEEDS, n_test=by_mode(8, 16), verbose=True)
fig, ax = plt.subplots(figsize=(8, 4.5))
plot_curves(ax, NS, smile, MTL_STYLE, "error rate on the person's other photos", chance=0.5)
ax.set(title="Personal smile detectors (real labels)", xlabel="n, labelled photos per person", ylim=(0, 0.6))
fig.tight_layout()
save_figure(fig, "multitask_smiles", CHAPTER);
print(f"{time.perf_counter() - t0:.1f} s")

# %% [markdown] slideshow={"slide_type": "-"}
# Here the honest picture is different: FaceWorld people smile in much the same way, so the personal parts
# have little to add. Pooled and multi-task are close when photos are few (multi-task can always fall back
# on its shared part: make $\lambda_1$ large and it *is* pooled), and both are far better than a detector per
# person. Multi-task learning pays when tasks are related **but differ** — worth checking before building
# one model per customer, or one for all.
#
# How big are the personal parts in the related tasks? The ratio $\lVert v_t \rVert / \lVert w_0 \rVert$ per
# person, learned by one multi-task fit with the most photos per person, and the true one:

# %% slideshow={"slide_type": "skip"}
y_rel, w_true = transfer.related_tasks(X8, pool["person"], seed=0)
X8_1 = np.hstack([X8, np.ones((len(X8), 1))])  # the constant 1: a personal bias too
rows = np.concatenate([np.flatnonzero(pool["person"] == p)[:NS[-1]] for p in range(POOL[0])])
w0, V = transfer.multitask_fit(X8_1[rows], y_rel[rows], pool["person"][rows], POOL[0], *related["lambdas"]["multitask"])
w_mean = w_true.mean(0)
print("learned ‖v_t‖ / ‖w₀‖:", np.round(np.linalg.norm(V, axis=1) / np.linalg.norm(w0), 2))
print("true    ‖v_t‖ / ‖w₀‖:", np.round(np.linalg.norm(w_true - w_mean, axis=1) / np.linalg.norm(w_mean), 2),
      "(each person's true weights against their average)")

# %% [markdown] slideshow={"slide_type": "-"}
# Each person's model is mostly the shared one plus a personal correction. The learned corrections are
# smaller than the true ones: with few photos the penalty $\lambda_1$ shrinks them towards zero, trusting
# the shared part where a person's own evidence is thin.
#
# ## 5. The same shape in chapter 08: $W_i + w_0$
#
# The talking-head GAN's **discriminator** (Zakharov et al., 2019) judges whether a frame is a real
# frame of training video $i$. Its score is $r = V(x, y)^\top (W_i + w_0) + b$: a shared trunk $V$ reads the
# frame and its landmarks, then **one column $W_i$ per training video plus a shared $w_0$**. In the paper's
# data one person appears in several videos, and each video gets its own column; in the course's FaceWorld
# data each person has one video, so there a video and a person are the same. It is multi-task learning
# with one task per video — "is this a real frame of *this* video?" — exactly the $w_0 + v_t$ above. And
# for a **new** person (the Mona Lisa) the paper starts from $w' = w_0 + \hat e_{\text{new}}$:
# the shared part everybody taught, plus a personal part read from her few photos by the embedder —
# then fine-tunes, as in section 2. Transfer (section 2) and multi-task learning (section 4) are the two
# halves of how one painting can be enough.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - An **embedding** network turns a face into numbers that are close for the same person; trained on
#   many people, it works on people it never saw. The course's identity network is a small stand-in for
#   real face-recognition networks trained on millions of photos.
# - From K labelled examples, **frozen features** (a small model on top of a pretrained network) beat a
#   network trained **from scratch** by far when K is small; **fine-tuning** starts from them and helps
#   when there are enough labels to move the network without overfitting.
# - Knowledge transfers best within its **domain**: features learned on sharp FaceWorld faces help much
#   less on tiny grey photos, real or synthetic, and real faces add a gap of their own. The gap is
#   measurable, and worth measuring before trusting a transfer.
# - **Regularised multi-task learning** shares strength across related tasks: $w_t = w_0 + v_t$, penalties
#   $\lambda_1/T \sum \lVert v_t\rVert^2 + \lambda_2 \lVert w_0\rVert^2$, one kernel method with kernel
#   $(1/\mu + \delta_{st})\, x\cdot z$. With few examples per task it beats both one model per task and one
#   model for all.
# - Chapter 08's discriminator has the same shape: $W_i + w_0$, one task per training video.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each exercise asks for one function. Write it in place of the solution, run the cell, then run the
# check below it: it says ✔ or gives you a hint.
#
# ### Exercise 1 · One photo per person: the nearest average
#
# The simplest few-shot learner needs no training at all: average the embeddings of each person's K
# photos (a *prototype*), and name a new photo after the prototype it is most similar to. Write
# `prototype_predict(train_emb, train_labels, test_emb)`, returning a label for every test row, with numpy
# only. (This is what the talking-head embedder does: its person vector ê is the average over K frames.)

# %% slideshow={"slide_type": "skip"}
def prototype_predict(train_emb, train_labels, test_emb):
    """Labels (M,) for test_emb (M, D): the label whose mean training embedding has the highest cosine."""
    ### BEGIN SOLUTION
    classes = np.unique(train_labels)
    protos = np.stack([train_emb[train_labels == c].mean(0) for c in classes])
    protos /= np.linalg.norm(protos, axis=1, keepdims=True)
    return classes[np.argmax(test_emb @ protos.T, axis=1)]
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_tr, _te = transfer.few_shot_people(pool["person"], curves["n_way"], 1, 16, np.random.default_rng(0))
_emb = feats["embedding"]
_toy = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.2, 0.8]])
_scaled = _toy[:2] * np.array([[10.0], [1.0]])  # person 7's photo 10 times longer: same direction
run_check("Exercise 1", [
    Test("two toy people, one photo each: nearby points get their label",
         lambda: list(prototype_predict(_toy[:2], np.array([7, 3]), _toy[2:])) == [7, 3],
         "Return the LABEL of the closest prototype (np.unique(train_labels)[argmax]), not its position."),
    Test("only directions count: a longer embedding does not win by its length",
         lambda: list(prototype_predict(_scaled, np.array([7, 3]), _toy[2:])) == [7, 3],
         "Normalise each prototype to length 1 (divide by np.linalg.norm(..., axis=1, keepdims=True))."),
    Test("with K = 1 on FaceWorld's new people it does much better than chance",
         lambda: np.mean(prototype_predict(_emb[_tr], pool["person"][_tr], _emb[_te]) == pool["person"][_te])
         > 3 / curves["n_way"],
         "Average each person's embeddings (train_emb[train_labels == c].mean(0)), then compare by dot product."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · The multi-task kernel
#
# Write `my_multitask_kernel(x, task, z, task_z, n_tasks, lam_task, lam_shared)`: the (N, M) array
# $K_{ij} = (1/\lambda_2 + [t_i = t_j]\, T/\lambda_1)\, x_i \cdot z_j$ of section 4. Then the check verifies that
# kernel ridge regression with it, $\alpha = (K + I)^{-1} y$, predicts exactly what `multitask_fit` predicts.

# %% slideshow={"slide_type": "skip"}
def my_multitask_kernel(x, task, z, task_z, n_tasks, lam_task, lam_shared):
    """(N, M): (1/lam_shared + n_tasks/lam_task * [task_i == task_z_j]) * x_i·z_j."""
    ### BEGIN SOLUTION
    same = task[:, None] == task_z[None, :]
    return (x @ z.T) * (1.0 / lam_shared + (n_tasks / lam_task) * same)
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_rng = np.random.default_rng(1)
_x, _t, _y = _rng.normal(size=(12, 3)), np.arange(12) % 3, _rng.normal(size=12)
_z, _tz = _rng.normal(size=(5, 3)), np.array([0, 1, 2, 0, 1])


def _kernel_matches_fit(kernel):
    """Kernel ridge with `kernel` against the closed-form weights of transfer.multitask_fit, on new points."""
    alpha = np.linalg.solve(kernel(_x, _t, _x, _t, 3, 2.0, 0.5) + np.eye(len(_y)), _y)
    w0, v = transfer.multitask_fit(_x, _y, _t, 3, 2.0, 0.5)
    return np.allclose(kernel(_z, _tz, _x, _t, 3, 2.0, 0.5) @ alpha, np.sum((w0 + v[_tz]) * _z, axis=1))

run_check("Exercise 2", [
    Test("the shape is (N, M)", lambda: my_multitask_kernel(_x, _t, _z, _tz, 3, 2.0, 0.5).shape == (12, 5),
         "x @ z.T is (N, M); the same-task indicator is task[:, None] == task_z[None, :]."),
    Test("equals the course's kernel", lambda: np.allclose(my_multitask_kernel(_x, _t, _z, _tz, 3, 2.0, 0.5),
                                                           transfer.multitask_kernel(_x, _t, _z, _tz, 3, 2.0, 0.5)),
         "The factor is 1/lam_shared for every pair, plus n_tasks/lam_task only where the tasks match."),
    Test("kernel ridge with it predicts what multitask_fit predicts", lambda: _kernel_matches_fit(my_multitask_kernel),
         "α = np.linalg.solve(K(x, x) + I, y); predictions K(z, x) @ α — K(z, x) is your kernel with z first."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · The two limits
#
# Use `transfer.multitask_fit` (don't write a solver). Write `pooled_via_multitask(x, y, task, T)` that returns
# the weights $w_0 + v_t$ (a (T, D) array) of multi-task learning set so that it **behaves like the pooled
# model** with penalty 1, and `independent_via_multitask(x, y, task, T)` set so that it behaves like
# **independent** ridge regressions with penalty 1 each. Hint: which λ must become huge, and what must the
# other be so that the remaining penalty is 1?

# %% slideshow={"slide_type": "skip"}
def pooled_via_multitask(x, y, task, T):
    """(T, D): multi-task weights with the personal parts priced out (every row the pooled ridge, penalty 1)."""
    ### BEGIN SOLUTION
    w0, v = transfer.multitask_fit(x, y, task, T, lam_task=1e9, lam_shared=1.0)
    return w0 + v
    ### END SOLUTION


def independent_via_multitask(x, y, task, T):
    """(T, D): multi-task weights with the shared part priced out (row t: ridge on task t alone, penalty 1)."""
    ### BEGIN SOLUTION
    w0, v = transfer.multitask_fit(x, y, task, T, lam_task=T * 1.0, lam_shared=1e9)
    return w0 + v
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 3", [
    Test("pooled: every task gets the pooled ridge", lambda: np.allclose(
        pooled_via_multitask(_x, _y, _t, 3), np.tile(transfer.pooled_fit(_x, _y, 1.0), (3, 1)), atol=1e-5),
         "A huge lam_task (say 1e9) forces every v_t to zero; lam_shared is then the pooled penalty."),
    Test("independent: task t gets the ridge on its own examples", lambda: np.allclose(
        independent_via_multitask(_x, _y, _t, 3), transfer.independent_fit(_x, _y, _t, 3, 1.0), atol=1e-5),
         "A huge lam_shared removes w₀; each v_t is then penalised by lam_task / T, so set lam_task = T."),
])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. The identity network learned on 1,000 synthetic people and then recognised new people from one photo
#    each. What did it actually *transfer*? Where in your organisation does a model trained for one purpose
#    hold knowledge another team could reuse — and who owns that knowledge?
# 2. **Transfer across domains as a business capability.** The curves showed that transfer is strong
#    within a domain and weaker across a gap (sharp synthetic faces → tiny grey photos, real faces). An
#    organisation that can reuse what it learned in one market, product or data source in the next one
#    moves faster than one that starts from scratch each time. Before buying or building on a pretrained
#    model, which questions would you ask about the data it was trained on, and how would you *measure* the
#    gap to your own data before committing a budget?
# 3. Labels are the expensive part: the frozen-feature learner reached with a handful of photos what
#    training from scratch needed tens for. Which of your processes are limited by labelled examples, and
#    what would a pretrained starting point be worth there?
# 4. Multi-task learning gave each person a personal detector that borrows from everybody. Where would
#    "shared model + small personal correction" fit your business (per customer, per branch, per country)?
#    What could go wrong if one group's data dominates the shared part?
# 5. The same ability — learn a new face from a few photos — makes the talking Mona Lisa possible, and
#    makes impersonating a colleague from their public photos possible. Which photos of your executives
#    are public, and what would you change knowing that a few are enough?

# %% [markdown] slideshow={"slide_type": "-"}
# **Next:** chapter 07 puts a generator and a critic into a game — the GAN — and chapter 08 combines it
# with this chapter's embedding and its $W_i + w_0$ to make the Mona Lisa talk.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Theodoros Evgeniou, Massimiliano Pontil (2004). Regularized Multi-Task Learning. *KDD 2004*. [doi:10.1145/1014052.1014067](https://doi.org/10.1145/1014052.1014067)
# - Florian Schroff, Dmitry Kalenichenko, James Philbin (2015). FaceNet: A Unified Embedding for Face Recognition and Clustering. *CVPR 2015*. [arXiv:1503.03832](https://arxiv.org/abs/1503.03832)
# - Jiankang Deng, Jia Guo, Niannan Xue, Stefanos Zafeiriou (2019). ArcFace: Additive Angular Margin Loss for Deep Face Recognition. *CVPR 2019*. [arXiv:1801.07698](https://arxiv.org/abs/1801.07698)
# - Egor Zakharov, Aliaksandra Shysheya, Egor Burkov, Victor Lempitsky (2019). Few-Shot Adversarial Learning of Realistic Neural Talking Head Models. *ICCV 2019*. [arXiv:1905.08233](https://arxiv.org/abs/1905.08233)
