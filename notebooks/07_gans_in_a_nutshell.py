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
# # 07 · GANs in a nutshell
#
# A **generative adversarial network** (GAN) is two networks playing a game: a *generator* (the forger)
# turns random numbers into samples, and a *critic* (the detective) scores how real a sample looks.
# Each trains against the other — the critic to tell real from fake, the forger to fool the critic — and
# when the game goes well, the forgeries become hard to tell from the real thing.
#
# > **For leaders.** This chapter shows how a forger program and a detective program train against each other until
# > the forgeries become hard to tell from the real thing, and how the forger can end up making only some kinds of
# > output well. In this game every detector is also the forger's teacher, so a fake-detection tool whose verdicts
# > a forger can see may help the forger improve. The question to ask is who can see the verdicts of the detectors
# > we rely on.
#
# **Learning objectives.** By the end of this notebook you can
#
# - write the GAN game as two losses — the **non-saturating** loss and the **hinge** loss — and say
#   which network minimises which;
# - watch a GAN learn a simple target (eight blobs of points on a ring), and **count** how many of the
#   blobs it covers: **mode collapse** made measurable;
# - explain **spectral norm** as a speed limit on the critic, and measure what it does;
# - explain the **projection discriminator**, the critic that knows *whose* face it should be looking
#   at, and connect it to chapter 08's $D(x, y, i) = V(x, y)^\top (W_i + w_0) + b$;
# - read GAN training curves, and scrub through a training run snapshot by snapshot.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 15 s): three 2-D GANs of 800 steps; the face GAN loads its checkpoint | 30 min, reading and moving the sliders |
# | standard (default) | ≤ 10 min (about 3.5 min): 2-D GANs of 3000 steps; a 3-minute face GAN trained live | 60–90 min with the exercises |
# | full | about 12 min: 2-D GANs of 6000 steps; a 9-minute face GAN | 60–90 min |
#
# **Needs from earlier chapters:** chapter 01's idea of a network as a learned function trained by
# gradient descent; chapter 02's convolution; FaceWorld faces (chapter 03). The face GAN comes as a
# checkpoint (`checkpoints/gan_faces.pt`); in quick mode it is trained for 15 s only if that is missing.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np
import torch
from ipywidgets import IntSlider, interact

from course_utils import gans
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.errors import CourseError
from course_utils.exercises import Test, run_check
from course_utils.viz import animation, save_figure, show_images, show_source

CHAPTER = "07_gans_in_a_nutshell"
seed_everything(0)
torch.set_num_threads(1)  # these networks are too small to share between cores: one thread is faster
POINT_STEPS = by_mode(800, 3000, 6000)  # training steps of each 2-D GAN
SNAP_EVERY = by_mode(100, 250, 500)  # a snapshot of the generator's points every this many steps
FACE_SECONDS = by_mode(15, 180, 540)  # face GAN training time when it is trained here
print("figures and animations from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. A forger and a detective
#
# The generator $G$ takes a random vector $z$ (plain noise, a fresh one per sample) and outputs a sample
# $G(z)$. The critic $D$ takes a sample and outputs a **score**: high means "looks real", low means
# "looks fake". Training alternates two small steps, each on a batch of real samples $x$ and fakes $G(z)$:
#
# **The original, non-saturating GAN** (Goodfellow et al. 2014) reads the score through a sigmoid
# $\sigma(D) = 1/(1 + e^{-D})$ as a probability "real", and uses cross-entropy:
#
# $$L_D = -\log \sigma(D(x)) - \log\bigl(1 - \sigma(D(G(z)))\bigr), \qquad L_G = -\log \sigma(D(G(z))).$$
#
# **The hinge GAN** (used by spectral-norm GANs, BigGAN, and the talking-head paper of chapter 08) uses
# the raw score and a margin of 1:
#
# $$L_D = \max(0,\, 1 - D(x)) + \max(0,\, 1 + D(G(z))), \qquad L_G = -D(G(z)).$$
#
# Read the hinge loss aloud: the critic is satisfied once real samples score at least $+1$ and fakes at
# most $-1$ — beyond that it stops pushing; the generator simply wants its fakes to score higher.
# ("Non-saturating" names the generator's loss: $-\log\sigma(D)$ still has a strong gradient when the
# critic is winning, unlike the $\log(1-\sigma(D))$ of the original minimax game.) In code, each is a line:

# %% slideshow={"slide_type": "skip"}
show_source(gans.d_hinge_loss)
show_source(gans.g_hinge_loss)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The target: eight blobs on a ring
#
# Faces are too big to see a GAN's mistakes clearly, so we start in two dimensions. The "real data" are
# points from a mixture of **8 Gaussians** on a circle of radius 2, each with standard deviation
# σ = 0.05. A perfect generator puts one eighth of its points on each blob. The generator is a small
# multilayer network from 8 random numbers to 2 coordinates; the critic, one from 2 coordinates to a score.

# %% slideshow={"slide_type": "subslide"}
real_points = gans.ring_of_gaussians(1000, generator=torch.Generator().manual_seed(0)).numpy()
centers = gans.ring_centers()
fig, ax = plt.subplots(figsize=(4.6, 4.6))
ax.scatter(real_points[:, 0], real_points[:, 1], s=3, alpha=0.5, label="real samples")
ax.scatter(centers[:, 0], centers[:, 1], marker="x", color="k", s=40, label="the 8 modes' centres")
ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
       title="The target: a ring of 8 Gaussians")
ax.legend(loc="center", fontsize=9)
save_figure(fig, "target_ring", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Notice how empty the plane is: all the real data sit in eight tiny spots. A generator that puts its
# points between the spots, or on only a few of them, is easy to spot by eye — and, as section 4 shows,
# easy to count.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Two losses, same start
#
# We train the same generator and critic twice from the **same random start** (same seed, same batches
# of noise), once with each loss: one critic step, then one generator step, Adam with learning rate
# $10^{-3}$. Every few steps we keep a snapshot: where the generator sends the same 1000 noise vectors.
#
# > **Think!** Both runs start from the same weights and see the same batches of noise; only the loss differs.
# > Will their points follow the same path and end on the same blobs? Decide before you look at the snapshots.

# %% slideshow={"slide_type": "skip"}
runs = {}
for loss in ["nonsat", "hinge"]:
    runs[loss] = gans.train_points(loss, steps=POINT_STEPS, snapshot_every=SNAP_EVERY, seed=0)
    print(f"{runs[loss].label:>15}: {POINT_STEPS} steps in {runs[loss].seconds:.1f} s; "
          f"modes covered at the end {runs[loss].modes[-1]}/8, high-quality share {runs[loss].quality[-1]:.0%}")


# %% slideshow={"slide_type": "subslide"}
def snapshot_grid(runs_to_show, n_cols=5, name=None):
    """Rows: runs; columns: evenly spaced snapshots; each panel the generator's points over the target."""
    first = next(iter(runs_to_show.values()))
    cols = np.linspace(0, len(first.steps) - 1, n_cols).round().astype(int)
    fig, axes = plt.subplots(len(runs_to_show), n_cols, figsize=(2.6 * n_cols, 2.7 * len(runs_to_show)), squeeze=False)
    for row, run in zip(axes, runs_to_show.values()):
        for ax, i in zip(row, cols):
            ax.scatter(real_points[:, 0], real_points[:, 1], s=2, color="0.8")
            ax.scatter(run.samples[i][:, 0], run.samples[i][:, 1], s=2, color="C1")
            ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", xticks=[], yticks=[])
            ax.set_title(f"step {run.steps[i]}: {run.modes[i]}/8 modes", fontsize=9, fontweight="normal")
        row[0].set_ylabel(run.label, fontsize=10)
    fig.suptitle("Generated points (orange) over the target (grey), during training", fontweight="bold")
    fig.tight_layout()
    if name:
        save_figure(fig, name, CHAPTER)
    return fig


snapshot_grid(runs, name="points_snapshots");

# %% [markdown] slideshow={"slide_type": "-"}
# Each row is one run, left to right in time. At step 0 the untrained generator squeezes all its points
# into a small smudge near the middle. Then the critic's verdicts push them about — first as a cloud or an
# arc that sweeps across the plane, then onto the ring — and only late do they gather into the blobs.
# Notice that the blobs do not fill evenly or all at once: the titles count how many of the eight modes
# each snapshot covers, and the two runs, though they start identically, take different paths.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Mode collapse, counted
#
# **Mode collapse** is the GAN's best-known failure: the generator finds a few kinds of sample the
# critic accepts and produces only those — one blob instead of eight, one face instead of a crowd. The
# critic could in principle notice ("too many samples here, none there") but it judges samples one at a
# time, so the hint comes slowly, and the generator then hops to another mode instead of spreading out.
#
# We measure it with the two numbers used in the GAN literature for this toy problem (Srivastava et al.
# 2017, Metz et al. 2017): a sample is **high quality** if it lies within 3σ of some mode's centre, and a
# mode is **covered** if at least 2 % of all samples are high-quality samples of that mode.

# %% slideshow={"slide_type": "skip"}
show_source(gans.mode_stats)

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for run in runs.values():
    axes[0].plot(run.steps, run.modes, marker="o", ms=3, label=run.label)
    axes[1].plot(run.steps, np.array(run.quality) * 100, marker="o", ms=3, label=run.label)
axes[0].set(xlabel="training step", ylabel="modes covered (of 8)", ylim=(-0.3, 8.5), title="Modes covered")
axes[1].set(xlabel="training step", ylabel="high-quality samples (%)", ylim=(0, 100), title="High-quality share")
axes[0].legend()
fig.tight_layout()
save_figure(fig, "modes_covered", CHAPTER);
for run in runs.values():
    print(f"{run.label:>15}: modes covered per snapshot {run.modes}")

# %% [markdown] slideshow={"slide_type": "-"}
# Read both curves together: the share of high-quality samples climbs as points settle into blobs, and
# the number of covered modes climbs in jumps — while it is below 8 the generator is *partly collapsed*.
# The printed counts are this run's real numbers; with a different seed the two losses can swap places,
# and a run can sit at a few modes for a long time. That is the honest state of the art for this toy:
# neither loss *guarantees* against collapse. What helps in practice is what section 6 adds to the
# critic, and (for faces) a critic that knows which person a picture should show (section 7).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Scrub through training
#
# Move the slider to replay both runs side by side (the same noise vectors at every step). Watch how the
# points travel: they do not move independently — the generator is one function, so neighbouring noise
# vectors move together, and a whole cluster of points can jump from one blob to the next.

# %% slideshow={"slide_type": "skip"}
def show_point_snapshot(snapshot=len(runs["hinge"].steps) - 1):
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 4.2))
    for ax, run in zip(axes, runs.values()):
        ax.scatter(real_points[:, 0], real_points[:, 1], s=2, color="0.8")
        ax.scatter(run.samples[snapshot][:, 0], run.samples[snapshot][:, 1], s=3, color="C1")
        ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
               title=f"{run.label}: {run.modes[snapshot]}/8 modes")
    fig.suptitle(f"step {runs['hinge'].steps[snapshot]}", fontweight="bold")
    fig.tight_layout()
    plt.show()


interact(show_point_snapshot, snapshot=IntSlider(value=len(runs["hinge"].steps) - 1, min=0,
                                                 max=len(runs["hinge"].steps) - 1, description="snapshot",
                                                 continuous_update=False));

# %% [markdown] slideshow={"slide_type": "-"}
# (Without widgets — in a static copy of this notebook — you see the last snapshot only; the grid in
# section 3 shows five of them.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Spectral norm: a speed limit for the critic
#
# A critic can become *too* sharp: a score that jumps from −100 to +100 across a hair's width gives the
# generator gradients that are either huge or zero, and training lurches. **Spectral norm** (Miyato et al.
# 2018) divides each layer's weight matrix by its largest singular value — the most that layer can
# stretch any input — so every layer stretches by at most 1, and the whole critic is **1-Lipschitz**:
# moving a sample by a distance $d$ changes its score by at most $d$.
#
# Two approximations hide in that. First, a convolution's kernel is not a matrix. Miyato et al. reshape
# it to one (one row per output channel; input channels × kernel height × kernel width columns) and
# normalise that. The reshaped kernel's largest singular value only approximates the spectral norm of the
# convolution itself, so for a convolutional critic "at most 1" is approximate. (The point critic below
# has linear layers only; there the matrix is the layer.) Second, the largest singular value is not
# computed exactly: it is estimated by power iteration. Miyato et al. run one step of it per training
# update and carry the estimate over to the next update.
#
# In PyTorch it is one wrapper per layer, `torch.nn.utils.parametrizations.spectral_norm(layer)`. It
# reshapes a convolution's kernel the same way and runs one step of power iteration each time the layer
# is used in training mode. What matters is that the slope has a *bound*, not that the bound is 1: our
# critic multiplies its spectrally normalised output by 10, so its score may change by at most 10 per unit
# of distance. (With a bound of 1 this small critic
# cannot lift its scores to the hinge margins ±1 between clusters only 0.05 wide, and learns nothing — try
# `lipschitz=1` in exercise 4.) We retrain the hinge GAN from the same start with spectral norm on the critic.
#
# > **Think!** The next cell prints each critic layer's largest singular value. For the two critics trained
# > *without* spectral norm, do you expect values below 1, near 1, or well above 1? And for the one with it?

# %% slideshow={"slide_type": "skip"}
runs["hinge_sn"] = gans.train_points("hinge", spectral=True, steps=POINT_STEPS, snapshot_every=SNAP_EVERY, seed=0)
for run in runs.values():
    critic = run.critic.eval()
    sig = gans.largest_singular_values(critic)
    grid = torch.stack(torch.meshgrid(torch.linspace(-3, 3, 121), torch.linspace(-3, 3, 121), indexing="xy"), -1)
    with torch.no_grad():
        scores = critic(grid.reshape(-1, 2)).reshape(121, 121)
    slope = float(torch.cat([scores.diff(dim=0).abs().flatten(), scores.diff(dim=1).abs().flatten()]).max() / 0.05)
    run.landscape = scores.numpy()
    print(f"{run.label:>28}: {run.seconds:4.1f} s; modes {run.modes[-1]}/8, high-quality {run.quality[-1]:.0%}; "
          f"layers' largest singular values {np.round(sig, 2)}; steepest score slope {slope:.1f} per unit")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 3, figsize=(14, 4.3))
for ax, run in zip(axes, runs.values()):
    lim = np.abs(run.landscape).max()
    im = ax.imshow(run.landscape, extent=(-3, 3, -3, 3), origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.scatter(real_points[:, 0], real_points[:, 1], s=1, color="k", alpha=0.4)
    ax.scatter(run.samples[-1][:, 0], run.samples[-1][:, 1], s=1, color="C1", alpha=0.5)
    ax.set(xlim=(-3, 3), ylim=(-3, 3), xlabel="$x_1$", ylabel="$x_2$", title=f"critic of the {run.label} run")
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.8, label="critic score")
fig.suptitle("What each critic believes at the end: red = 'real', blue = 'fake' (black: real, orange: generated)",
             fontweight="bold")
fig.tight_layout()
save_figure(fig, "critic_landscapes", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Compare the printed singular values: without spectral norm the layers stretch freely (values well
# above 1); with it, every layer sits at 1 and the critic's steepest slope stays under its bound of 10.
# Its landscape is smoother: hills around the clusters rather than cliffs. Compare the mode counts too —
# on this small ring the speed limit costs little or helps, and in runs with a larger learning rate
# (exercise 4) it is what keeps training steady. (Small networks whose every layer is held to stretch at
# most 1 bend their score far less than the bound allows — the printed slope is below 10; Anil et al. 2019
# study this loss of expressiveness.) The payoff is largest with images: there an unconstrained critic with
# millions of weights quickly grows cliffs, its gradients explode, and training collapses to a single
# colour or to NaNs (chapter 08's training checks for both; see `course_utils/talking_heads/guards.py`).
# Every image critic from here on — the face GAN below and chapter 08's — uses it.

# %% slideshow={"slide_type": "skip"}
snapshot_grid({"hinge": runs["hinge"], "hinge_sn": runs["hinge_sn"]}, name="points_snapshots_sn");

# %% [markdown] slideshow={"slide_type": "-"}
# The same start, with the critic on a speed limit: compare how the two rows' points spread over the ring
# and settle into the clusters.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. A conditional GAN on faces
#
# Now the real thing, scaled down: 32 × 32 FaceWorld faces of **8 people**, each in many poses,
# expressions and lights. The GAN is **conditional**: the generator receives the person's number $y$
# along with the noise ($G(z, y)$: "draw person 3, in some pose"), and the critic judges the pair
# ($D(x, y)$: "is this a real picture *of person 3*?"). Noise decides pose, expression and light;
# the condition decides who.

# %% slideshow={"slide_type": "subslide"}
face_images, face_labels = gans.face_dataset(n_people=8, per_person=by_mode(16, 256, 256))
examples = [face_images[face_labels == k][j] for j in range(3) for k in range(8)]
show_images(examples, ncols=8, size=1.3, suptitle=f"Real training faces: 8 people (columns), {len(face_images)} images");

# %% [markdown] slideshow={"slide_type": "-"}
# Each column is one person; notice what stays (hair, skin, background colour) and what changes (pose,
# mouth, light). A good conditional generator has to learn both: the column's constants from $y$, the
# rest from the noise.
#
# ### The projection discriminator
#
# How should the critic use $y$? Gluing $y$ onto the image as an extra input works poorly. Miyato &
# Koyama (2018) proposed the **projection discriminator**: a network $\varphi$ turns the picture into a
# feature vector; one learned vector $w_0$ scores "does this look like a real face at all"; and one
# learned vector $W_y$ *per class* scores "does it look like **this** person":
#
# $$D(x, y) = \underbrace{w_0^\top \varphi(x) + b}_{\psi(\varphi(x)):\ \text{real?}} + \underbrace{W_y^\top \varphi(x)}_{\langle \text{embed}(y),\, \varphi(x)\rangle:\ \text{right person?}} = \varphi(x)^\top (W_y + w_0) + b.$$
#
# The last form is **exactly chapter 08's talking-head discriminator**
# $D(x, y, i) = V(x, y)^\top (W_i + w_0) + b$, with one column $W_i$ per video (person) and a shared $w_0$ —
# there $V$ also sees the landmark image $y$ and the condition is the person $i$. It is the same
# shared-plus-personal shape as chapter 06's multi-task weights $w_t = w_0 + v_t$. Here is the code; the
# whole conditioning is one dot product:

# %% slideshow={"slide_type": "skip"}
show_source(gans.ProjectionCritic.forward)

# %% [markdown] slideshow={"slide_type": "notes"}
# The generator is the mirror image: the person's learned embedding is concatenated to the noise, then a
# linear layer makes a 4 × 4 feature map and three upsampling convolutions grow it to 32 × 32. Both use the
# hinge loss of section 1; the critic has spectral norm on every layer.
#
# **Training.** In quick mode the notebook loads the shipped checkpoint, made by
# `python -m course_utils.gans train-faces` (its training record — losses and snapshots — ships with it).
# In standard mode it trains for three minutes here, in full mode nine; on two CPU cores even nine minutes
# is a short time for a GAN, so expect **blurry** faces: the right person's colours and layout, not crisp
# detail.

# %% slideshow={"slide_type": "skip"}
if MODE == "quick":
    try:
        face_gen, face_run, entry = gans.load_face_gan()
        print(f"Loaded the shipped face GAN ({entry.get('command')}): {len(face_run.d_loss)} steps, "
              f"{face_run.seconds / 60:.1f} min of training on 2 CPU cores.")
    except CourseError as err:
        print(f"⚠ {err}\nTraining a small one for {FACE_SECONDS} s instead: expect blurry blobs.")
        face_gen = None
else:
    face_gen = None
if face_gen is None:
    torch.manual_seed(0)
    face_gen, face_critic = gans.FaceGenerator(), gans.ProjectionCritic()
    face_run = gans.train_faces(face_gen, face_critic, face_images, face_labels, seconds=FACE_SECONDS, seed=0)
    print(f"Trained for {face_run.seconds:.0f} s: {len(face_run.d_loss)} steps of batch 32.")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training curves
#
# GAN losses do not fall to zero the way a classifier's loss does: the two networks are opponents, so when
# one improves the other's loss goes up. What to look for is **balance** — neither loss running away.
#
# > **Think!** A critic that cannot tell real from fake at all might give every sample the score 0. What is its
# > hinge loss $L_D$? Work it out from section 1's formula, then find that value in the left plot.

# %% slideshow={"slide_type": "subslide"}
def smooth(values, k=25):
    values = np.asarray(values, dtype=float)
    k = max(1, min(k, len(values) // 5))
    return np.convolve(values, np.ones(k) / k, mode="valid")


fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
axes[0].plot(smooth(face_run.d_loss), label="critic $L_D$ (hinge)")
axes[0].plot(smooth(face_run.g_loss), label="generator $L_G = -D(G(z))$")
axes[0].axhline(2.0, color="0.5", ls=":", lw=1)
axes[0].text(0, 2.03, "critic guessing: $L_D$ = 2", fontsize=8, color="0.4")
axes[0].set(xlabel="training step", ylabel="loss (moving average)", title="Face GAN losses")
axes[0].legend(fontsize=9)
axes[1].plot(face_run.steps, face_run.diversity, marker="o", ms=3)
axes[1].set(xlabel="training step", ylabel="mean pairwise RMS distance",
            title="Diversity of the 16 snapshot faces")
fig.tight_layout()
save_figure(fig, "face_gan_curves", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Both curves swing in the first few hundred steps, then settle. Look where the critic's loss settles:
# between 0 (a critic that always wins) and the dotted 2 (one that cannot tell anything apart) — each
# player keeps the other busy, a tug-of-war rather than a finish line. On the right, the diversity of the
# snapshot faces: zero at step 0 (the untrained generator draws the same grey smudge for everyone), a jump
# within the first few hundred steps as the people get their own colours, then roughly flat — later
# training sharpens the faces, which this crude number hardly sees.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Faces per person

# %% slideshow={"slide_type": "subslide"}
z, y = gans.fixed_inputs(n_classes=8, cols=6, z_dim=face_gen.z_dim, seed=7)
fakes = gans.sample_faces(face_gen, z, y)
fig, axes = plt.subplots(8, 8, figsize=(8, 8.6))
for k in range(8):
    row = [face_images[face_labels == k][0], None] + list(fakes[6 * k:6 * k + 6])
    for ax, img in zip(axes[k], row):
        ax.axis("off")
        if img is not None:
            ax.imshow(img)
    axes[k, 0].set_title(f"person {k}: real" if k == 0 else "", fontsize=8, fontweight="normal")
axes[0, 4].set_title("six generated faces (new noise each) →", fontsize=8, fontweight="normal")
fig.suptitle("Conditional GAN: one row per person $y$", fontweight="bold")
fig.tight_layout()
save_figure(fig, "faces_per_person", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Compare each row with its real face on the left. The condition works if each row takes on its person's
# hair colour, skin, clothes and background; the noise works if the six faces of a row differ in pose and
# light. With the shipped checkpoint the condition clearly works, while the six faces of a row differ
# less than real photos of that person do — few turned heads. And expect blur and smeared eyes and mouths:
# at this size and training time the generator learns the *layout* of a face, not its details.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Scrub through the face GAN's training

# %% slideshow={"slide_type": "skip"}
def snapshot_picture(i, cols=2):
    """One snapshot as a single picture: 8 people across, 2 noise vectors down, 3× enlarged."""
    s = face_run.snapshots[i].reshape(8, cols, 32, 32, 3)
    grid = np.concatenate([np.concatenate(list(s[:, c]), axis=1) for c in range(cols)], axis=0)
    return grid.repeat(3, axis=0).repeat(3, axis=1)


def show_face_snapshot(snapshot=len(face_run.steps) - 1):
    fig, ax = plt.subplots(figsize=(9, 2.6))
    ax.imshow(snapshot_picture(snapshot))
    ax.axis("off")
    ax.set_title(f"step {face_run.steps[snapshot]}: person 0 … 7 across, two fixed noise vectors down")
    plt.show()


interact(show_face_snapshot, snapshot=IntSlider(value=len(face_run.steps) - 1, min=0, max=len(face_run.steps) - 1,
                                                description="snapshot", continuous_update=False));

# %% slideshow={"slide_type": "subslide"}
picks = np.linspace(0, len(face_run.steps) - 1, 4).round().astype(int)
fig, axes = plt.subplots(4, 1, figsize=(8, 8.4))
for ax, i in zip(axes, picks):
    ax.imshow(snapshot_picture(i))
    ax.axis("off")
    ax.set_title(f"step {face_run.steps[i]}", fontsize=10, fontweight="normal")
fig.suptitle("Four snapshots of the face GAN (same noise; person 0 … 7 across)", fontweight="bold")
fig.tight_layout()
save_figure(fig, "face_snapshots", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# The whole run as an animation (three snapshots a second, looping):

# %% slideshow={"slide_type": "subslide"}
animation([snapshot_picture(i) for i in range(len(face_run.steps))], fps=3, name="face_gan_training", chapter=CHAPTER,
          width=720)

# %% [markdown] slideshow={"slide_type": "-"}
# The same 16 noise vectors at every snapshot: at step 0 a uniform grey; soon each person has their own
# background, clothes and hair colour; later snapshots sharpen the face itself, slowly. Notice that the
# big, flat areas that differ a lot between people come first; eyes and mouths last, if at all.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Mode collapse on faces?
#
# The 2-D measure needs known modes; faces have none we can list. A cheap stand-in is **diversity**: the
# average distance between two generated faces of one person, compared with the same for real faces of
# that person. A collapsed generator would score near 0.
#
# > **Think!** Look back at the six generated faces per person above. Will the generated faces of one person
# > differ from each other more or less than that person's real photos do? Guess the ratio, generated over real.

# %% slideshow={"slide_type": "subslide"}
real_div = [gans.diversity(face_images[face_labels == k][:16]) for k in range(8)]
z, y = gans.fixed_inputs(n_classes=8, cols=16, z_dim=face_gen.z_dim, seed=11)
many = gans.sample_faces(face_gen, z, y)
fake_div = [gans.diversity(many[16 * k:16 * k + 16]) for k in range(8)]
fig, ax = plt.subplots(figsize=(8, 3.4))
ax.bar(np.arange(8) - 0.2, real_div, 0.4, label="real faces")
ax.bar(np.arange(8) + 0.2, fake_div, 0.4, label="generated faces")
ax.set(xlabel="person $y$", ylabel="mean pairwise RMS distance", title="Diversity within each person",
       ylim=(0, 1.35 * max(real_div + fake_div)))
ax.legend(ncol=2, loc="upper center")
save_figure(fig, "face_diversity", CHAPTER);
print(f"mean diversity: real {np.mean(real_div):.3f}, generated {np.mean(fake_div):.3f} "
      f"(ratio {np.mean(fake_div) / np.mean(real_div):.2f})")

# %% [markdown] slideshow={"slide_type": "-"}
# A ratio well below 1 would mean the generator varies a person less than reality does — partial
# collapse. A ratio near 1 (as the shipped checkpoint gives) does **not** prove the opposite: look back at
# the rows of generated faces, which turn their heads far less than the real ones. Pixel distance counts
# smears, blotches and flickering background as "variety" too, so a number can miss a collapse your eyes
# see. That is why GAN researchers use several metrics, and why the 2-D toy, with modes we can count, is
# the cleaner lesson.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - A GAN is a **game**: the critic learns to score real samples high and fakes low; the generator learns
#   to raise its fakes' scores. Non-saturating loss: $-\log\sigma(D(G(z)))$ for $G$; hinge loss:
#   $\max(0, 1 - D(x)) + \max(0, 1 + D(G(z)))$ for $D$ and $-D(G(z))$ for $G$.
# - **Mode collapse** — covering only some of what the data contain — is measurable when the modes are
#   known: count modes covered and the high-quality share. Neither loss prevents it by itself.
# - **Spectral norm** divides each layer by its largest singular value, so the critic's slope is bounded
#   (here by 10): gentler, steadier feedback — useful on the ring, a necessity for image critics.
# - A **conditional GAN** feeds the class to both players; the **projection discriminator** scores
#   $\varphi(x)^\top (W_y + w_0) + b$: a shared "real?" vector plus one per class — chapter 08's
#   discriminator, with one column per person.
# - GAN losses are a tug-of-war, not a descent to zero; snapshots and sample grids tell you more than the
#   loss curves.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# ### Exercise 1 · The hinge losses
#
# Write `my_d_hinge(real_scores, fake_scores)` and `my_g_hinge(fake_scores)` for 1-D tensors of raw
# critic scores, averaging over the batch, using only `torch.clamp` (or `torch.relu`) and `.mean()`.

# %% slideshow={"slide_type": "skip"}
def my_d_hinge(real_scores, fake_scores):
    """Critic's hinge loss: mean max(0, 1 − real) + mean max(0, 1 + fake)."""
    ### BEGIN SOLUTION
    return torch.clamp(1 - real_scores, min=0).mean() + torch.clamp(1 + fake_scores, min=0).mean()
    ### END SOLUTION


def my_g_hinge(fake_scores):
    """Generator's hinge loss: −mean fake."""
    ### BEGIN SOLUTION
    return -fake_scores.mean()
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_real, _fake = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([-2.0, 0.0, 1.5])
_r, _f = torch.randn(50, generator=torch.Generator().manual_seed(1)) * 3, torch.randn(50) * 3
run_check("Exercise 1", [
    Test("a confident critic (real ≥ 1, fake ≤ −1) has zero loss",
         lambda: float(my_d_hinge(torch.tensor([1.5, 3.0]), torch.tensor([-1.0, -4.0]))) == 0.0,
         "Each term is max(0, ...): beyond the margin of 1 the critic gets no more reward, and no penalty."),
    Test("the worked example gives 0.8333 + 1.1667 = 2.0",
         lambda: abs(float(my_d_hinge(_real, _fake)) - 2.0) < 1e-4,
         "Real term: max(0, 1 − real) → [0, 0.5, 2]; fake term: max(0, 1 + fake) → [0, 1, 2.5]; average each."),
    Test("agrees with gans.d_hinge_loss on random scores",
         lambda: torch.isclose(my_d_hinge(_r, _f), gans.d_hinge_loss(_r, _f)),
         "Average each term separately over its own batch, then add the two averages."),
    Test("the generator's loss is minus the fakes' mean score",
         lambda: torch.isclose(my_g_hinge(_f), -_f.mean()),
         "The generator wants high scores on its fakes, so its loss is −D(G(z)), averaged; no clamp here."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · Count the modes
#
# Write `my_modes_covered(samples, centers, sigma, min_share)`: for `(n, 2)` samples and `(k, 2)` centres,
# assign each sample to its nearest centre, keep only samples within `3 * sigma` of it, and count the
# centres that kept at least `min_share * n` samples.

# %% slideshow={"slide_type": "skip"}
def my_modes_covered(samples, centers, sigma=0.05, min_share=0.02):
    """Number of centres with at least min_share of all samples within 3σ of them."""
    ### BEGIN SOLUTION
    dist = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)
    nearest, close = dist.argmin(axis=1), dist.min(axis=1) <= 3 * sigma
    counts = np.bincount(nearest[close], minlength=len(centers))
    return int((counts >= min_share * len(samples)).sum())
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_one_blob = centers[2] + 0.05 * np.random.default_rng(0).standard_normal((500, 2))
run_check("Exercise 2", [
    Test("all 8 modes for real samples", lambda: my_modes_covered(real_points, centers) == 8,
         "Distances of every sample to every centre: np.linalg.norm(samples[:, None] - centers[None], axis=-1)."),
    Test("1 mode for samples from one blob", lambda: my_modes_covered(_one_blob, centers) == 1,
         "A mode counts only when enough samples are near it: compare the counts with min_share * len(samples)."),
    Test("0 modes for points at the centre of the ring", lambda: my_modes_covered(np.zeros((100, 2)), centers) == 0,
         "Keep only samples within 3 * sigma of their nearest centre before counting."),
    Test("agrees with gans.mode_stats on every snapshot of the hinge run",
         lambda: all(my_modes_covered(s, centers) == m for s, m in zip(runs["hinge"].samples, runs["hinge"].modes)),
         "np.bincount(nearest[close], minlength=len(centers)) counts the kept samples per centre."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · Spectral norm by power iteration
#
# Section 6 said that spectral norm estimates each layer's largest singular value σ by *power iteration*.
# Write `my_largest_singular_value(W, steps=50)` for a 2-D tensor `W` of shape (out, in): start from a random
# vector `v` of length 1, then repeat `steps` times $u = Wv / \lVert Wv \rVert$, $v = W^\top u / \lVert W^\top u \rVert$;
# after the loop, $\lVert Wv \rVert$ is the estimate of σ. Each repetition turns `v` further towards the
# direction that `W` stretches most. Then write `my_spectral_normalise(W)`, which divides `W` by that estimate.
# The check compares your σ with `torch.linalg.matrix_norm(W, ord=2)`, which computes it exactly from the
# singular value decomposition, and with `gans.largest_singular_values` on the hinge run's critic.

# %% slideshow={"slide_type": "skip"}
def my_largest_singular_value(W, steps=50):
    """Power-iteration estimate of the largest singular value of a 2-D tensor W (out, in)."""
    ### BEGIN SOLUTION
    v = torch.randn(W.shape[1], generator=torch.Generator().manual_seed(0))
    v = v / v.norm()
    for _ in range(steps):
        u = W @ v
        u = u / u.norm()
        v = W.T @ u
        v = v / v.norm()
    return (W @ v).norm()
    ### END SOLUTION


def my_spectral_normalise(W):
    """W divided by its largest singular value, so that it stretches any vector by at most 1."""
    ### BEGIN SOLUTION
    return W / my_largest_singular_value(W)
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_W = torch.randn(16, 8, generator=torch.Generator().manual_seed(3))
_layers = [m.weight.detach() for m in runs["hinge"].critic.modules() if isinstance(m, torch.nn.Linear)]
run_check("Exercise 3", [
    Test("σ of diag(3, 1) is 3: it stretches one axis by 3, the other by 1",
         lambda: abs(float(my_largest_singular_value(torch.diag(torch.tensor([3.0, 1.0])))) - 3.0) < 1e-4,
         "Start from a random v of length 1 (not zeros), repeat the two lines `steps` times, then return how far "
         "W stretches the final v: (W @ v).norm()."),
    Test("agrees with torch.linalg.matrix_norm(W, ord=2) on a random 16 × 8 matrix",
         lambda: abs(float(my_largest_singular_value(_W)) / float(torch.linalg.matrix_norm(_W, ord=2)) - 1) < 1e-3,
         "v has W.shape[1] entries and u has W.shape[0]: alternate u = W @ v and v = W.T @ u, dividing each by its norm."),
    Test("agrees with gans.largest_singular_values on the four layers of the hinge run's critic",
         lambda: np.allclose([float(my_largest_singular_value(w)) for w in _layers],
                             gans.largest_singular_values(runs["hinge"].critic), rtol=1e-3),
         "Repeat the two lines `steps` times (not once): a trained layer's top two singular values can be close, "
         "and then v turns slowly."),
    Test("the normalised matrix stretches by at most 1",
         lambda: abs(float(torch.linalg.matrix_norm(my_spectral_normalise(_W), ord=2)) - 1) < 1e-3,
         "Divide W by your estimate of σ, not by its largest entry or by W.norm() (the Frobenius norm, which is larger)."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# PyTorch's `spectral_norm` runs this loop with one step per training forward pass, and keeps `u` from one
# pass to the next. The weights change only a little per update, so that one step starts close to the answer
# (Miyato et al. 2018).

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 4 · (open) Break it, then fix it
#
# Retrain the 2-D GAN with `gans.train_points("nonsat", steps=POINT_STEPS, seed=s)` for seeds 1, 2 and 3,
# and with `lr=3e-3`. Which settings leave modes uncovered at the end? Does `spectral=True` change the
# count for the same seeds? Then set the speed limit too tight, `spectral=True, lipschitz=1`: why does the
# critic no longer teach the generator anything? Write down the counts: a GAN result from a single seed is
# an anecdote.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. **Why do a forger and a detective make each other better?** Each one's mistakes are the other's
#    training signal: every fake the detective catches shows the forger what gives it away, and every
#    fake that slips through shows the detective what it missed. Where in your organisation (fraud
#    checks, phishing filters, content moderation) is such a game already being played, and who is
#    learning faster?
# 2. A GAN's generator is trained *against* a detector. What does that mean for buying a deepfake
#    detector: if its weights or even its verdicts are public, what can a forger do with it? Why might a
#    detector that is excellent today be useless within months?
# 3. Mode collapse means a generator can be very convincing on *some* kinds of faces and never produce
#    others. If synthetic faces were used to train or test another system (a face-ID product, say), who
#    would be left out, and how would you find out?
# 4. The projection discriminator scores "is this a real face?" and "is this *that person*?" separately.
#    Which of the two questions matters more for a fraudster impersonating your CEO on a video call —
#    and which one do people watching the call actually check?

# %% [markdown] slideshow={"slide_type": "-"}
# **Next:** chapter 08 puts every piece together — landmarks (03), a personal-plus-shared critic
# (06, 07), hinge loss and spectral norm (07) — into the few-shot talking-head GAN that animates the
# Mona Lisa.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Ian Goodfellow, Jean Pouget-Abadie, Mehdi Mirza, Bing Xu, David Warde-Farley, Sherjil Ozair, Aaron Courville, Yoshua Bengio (2014). Generative Adversarial Nets. *NeurIPS 2014*. [arXiv:1406.2661](https://arxiv.org/abs/1406.2661)
# - Luke Metz, Ben Poole, David Pfau, Jascha Sohl-Dickstein (2017). Unrolled Generative Adversarial Networks. *ICLR 2017*. [arXiv:1611.02163](https://arxiv.org/abs/1611.02163)
# - Akash Srivastava, Lazar Valkov, Chris Russell, Michael U. Gutmann, Charles Sutton (2017). VEEGAN: Reducing Mode Collapse in GANs Using Implicit Variational Learning. *NeurIPS 2017*. [arXiv:1705.07761](https://arxiv.org/abs/1705.07761)
# - Jae Hyun Lim, Jong Chul Ye (2017). Geometric GAN. *arXiv preprint*. [arXiv:1705.02894](https://arxiv.org/abs/1705.02894)
# - Takeru Miyato, Toshiki Kataoka, Masanori Koyama, Yuichi Yoshida (2018). Spectral Normalization for Generative Adversarial Networks. *ICLR 2018*. [arXiv:1802.05957](https://arxiv.org/abs/1802.05957)
# - Takeru Miyato, Masanori Koyama (2018). cGANs with Projection Discriminator. *ICLR 2018*. [arXiv:1802.05637](https://arxiv.org/abs/1802.05637)
# - Andrew Brock, Jeff Donahue, Karen Simonyan (2019). Large Scale GAN Training for High Fidelity Natural Image Synthesis. *ICLR 2019*. [arXiv:1809.11096](https://arxiv.org/abs/1809.11096)
# - Cem Anil, James Lucas, Roger Grosse (2019). Sorting Out Lipschitz Function Approximation. *ICML 2019*. [arXiv:1811.05381](https://arxiv.org/abs/1811.05381)
