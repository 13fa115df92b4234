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

# %% [markdown]
# # 08 · Few-shot talking heads: the talking Mona Lisa
#
# Zakharov, Shysheya, Burkov and Lempitsky (ICCV 2019) made the Mona Lisa talk from **one** picture. Their
# trick: spend a long time *learning how to learn faces* on thousands of talking videos (meta-learning), so
# that a new face needs only a few frames — or one — and a minute of fine-tuning. This notebook reads the
# paper as an annotated paper: a sentence of the paper, then the few lines of code that do it, at a scale a
# laptop can run.
#
# > **For leaders.** This chapter shows how a published 2019 method makes a person in a single picture talk, after
# > long training on many other people's videos. Because one picture is enough, any public photo of a person is raw
# > material for a fake, which weakens identity checks by video call and raises questions of consent. The question
# > to ask is which of our decisions rely on seeing a person's face on a video call.
#
# **Learning objectives.** By the end of this notebook you can
#
# - say what each of the paper's three networks does — the **embedder** E, the **generator** G with
#   **AdaIN**, the **projection discriminator** D — and read their tensor shapes;
# - write down the losses (content, adversarial with feature matching, embedding match) and run one
#   **meta-learning step** by hand;
# - tell **feed-forward** (FF) from **fine-tuned** (FT) few-shot learning, and see what more shots buy;
# - read an evaluation table shaped like the paper's Table 1 — SSIM, PSNR, identity similarity, landmark
#   error, a Fréchet distance — and say what each number does and does not capture;
# - make a real portrait talk two ways (warp and GAN), and explain honestly why, at this scale, the warp
#   looks better on a real face, and what would close the gap.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 30 s): loads the meta-trained checkpoint; fine-tunes K = 1 and 8 for 40 steps | 45 min, reading and playing with the puppet |
# | standard (default) | ≤ 10 min (about 1.5 min): longer fine-tuning, a small live re-run of the evaluation | 90 min with the exercises |
# | full | about 30 min: the full evaluation (`python -m course_utils.talking_heads evaluate`) | 2 h |
#
# **Needs from earlier chapters:** landmarks and the landmark image (03), warps and flow (04), the identity
# network (06), GANs, the hinge loss and the projection discriminator (07). The meta-trained networks come
# as a checkpoint (`checkpoints/talking_heads_small.pt`), made by the course's own training command.

# %%
from course_utils import setup_notebook

MODE = setup_notebook()

# %%
import textwrap
import time

import cv2
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from course_utils import faces, images
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.errors import CourseError
from course_utils.exercises import Test, run_check
from course_utils.talking_heads import (TalkingHeadGAN, feed_forward, fine_tune, get_config, load_curves,
                                        load_talking_heads, perceptual_nets)
from course_utils.talking_heads import evaluate as ev
from course_utils.talking_heads import losses
from course_utils.talking_heads.episodes import EpisodeDataset
from course_utils.talking_heads.portrait import TalkingPortrait
from course_utils.tensors import image_to_tensor, landmark_tensor, tensor_to_image
from course_utils.viz import animation, save_figure, show_images, show_source

CHAPTER = "08_few_shot_talking_heads"
seed_everything(0)
torch.set_num_threads(1)   # small networks: one thread is faster on 2 shared cores (and on Binder's one)
print("figures and animations from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown]
# ## 1 · The problem
#
# > "In order to create a personalized talking head model, these works require training on a large dataset of
# > images of a single person. However, in many practical scenarios, such personalized talking head models need
# > to be learned from a few image views of a person, potentially even a single image." — Zakharov et al. 2019
#
# The task, written as a function: given **K frames of a person** $x_1 … x_K$ and the **landmarks of the
# frame we want** $y_t$ (taken from anyone — the *driver*), produce the frame $\hat x_t$: this person,
# in that pose, with that expression. Below: a FaceWorld person (never seen in training), K = 4 of her
# frames, and the frame we would like the network to produce.

# %%
video = ev.test_videos(n_identities=1, n_targets=4, max_shots=32, seed=0, offset=3)[0]
fig = show_images(list(video.shots[:4]) + [video.targets[1]],
                  ["shot 1", "shot 2", "shot 3", "shot 4", "wanted: frame t"], ncols=5, size=2.0,
                  suptitle="K = 4 frames of a new person, and the frame to produce (64 px)")
save_figure(fig, "the_task", CHAPTER);

# %% [markdown]
# ## 2 · The landmark image y
#
# > "…the landmarks … are rasterized into three-channel images using a predefined set of colors to connect
# > certain landmarks with line segments."
#
# The generator never sees numbers: it sees a *picture* of the 68 landmarks (chapter 03), one colour per
# part. The same drawing works for any face, so the driver can be someone else.

# %%
y_pic = faces.landmark_image(video.target_points[1], 64)
overlay = cv2.addWeighted(video.targets[1], 0.55, y_pic, 0.9, 0)
fig = show_images([video.targets[1], y_pic, overlay], ["frame x_t", "landmark image y_t", "both"], ncols=3,
                  size=2.4, suptitle="What the generator reads (y) and what it must produce (x)")
save_figure(fig, "landmark_image", CHAPTER);
show_source(faces.landmark_image)

# %% [markdown]
# ## 3 · Three networks, built in the open
#
# We build the course's **small** configuration (64 px) and push one episode through it, printing every
# shape. The paper's configuration (`get_config("paper")`, 256 px) has the same three networks. The small
# one differs from it in more than width:
#
# - **size and depth**: 64 px, three down and three up blocks in G (16–64 channels), two residual blocks,
#   a 128-d embedding; `paper` has 256 px, four blocks each way (up to 512 channels), five residual blocks
#   and a 512-d embedding;
# - **no self-attention**; the paper's networks have self-attention layers (`paper` puts them at 32 × 32
#   going down and 64 × 64 going up);
# - **K = 4** frames per meta-learning episode; the paper uses K = 8;
# - **learning rates four times the paper's**: 2e-4 for E and G and 8e-4 for D, where the paper uses 5e-5
#   and 2e-4 (the same 1 : 4 ratio), because a CPU run has a few thousand steps, not hundreds of thousands;
# - **a different content loss**: an L1 on pixels (× 10) that the paper does not have, and the stand-in
#   networks at weights 1 and 0.5 (`paper`: no pixel term, 0.15 and 0.025);
# - **batch 8** episodes per step (`paper`: 48, a guess, not a quote).

# %%
config = get_config("small")
demo = TalkingHeadGAN(config, n_videos=400)
for part, n in demo.param_counts().items():
    print(f"{part:>14}: {n:>9,} parameters")

episodes = EpisodeDataset("train", n_identities=2, k=4, size=config.size)
batch = [episodes[i] for i in range(2)]
frames = torch.stack([b["frames"] for b in batch])                   # (B, K, 3, S, S)
marks = torch.stack([b["landmark_images"] for b in batch])
target = torch.stack([b["target"] for b in batch])                   # (B, 3, S, S)
y_t = torch.stack([b["target_landmark_image"] for b in batch])
index = torch.tensor([b["index"] for b in batch])
print("frames", tuple(frames.shape), " landmark images", tuple(marks.shape), " target", tuple(target.shape))

# %% [markdown]
# ### The embedder E(x, y)
#
# > "The embedder E(x_i(s), y_i(s); φ) takes a video frame x_i(s), an associated landmark image y_i(s), and maps
# > these inputs into an N-dimensional vector ê_i(s)." The person's embedding ê_i is the **mean** over the K frames.
#
# Frame and landmark image are stacked on channels (6 channels), then residual downsampling blocks without
# normalisation, ReLU and a sum over all positions.

# %%
show_source(type(demo.embedder).forward)
h = torch.cat([frames.flatten(0, 1), marks.flatten(0, 1)], 1)
print("input (B·K, 6, S, S):", tuple(h.shape))
with torch.no_grad():
    for i, block in enumerate(demo.embedder.trunk.blocks):
        h = block(h)
        print(f"  after down block {i + 1}: {tuple(h.shape)}")
    e_hat = demo.embedder(frames.flatten(0, 1), marks.flatten(0, 1)).view(2, 4, -1).mean(1)
print("ê (B, d) =", tuple(e_hat.shape), "— one vector per person")

# %% [markdown]
# ### The generator G(y, ê) and AdaIN
#
# > "…the generator … takes the landmark image … and the embedding vector ê … and outputs a synthesized video
# > frame. … all normalization layers in the up-sampling part use adaptive instance normalization … whose
# > parameters are predicted from ê" — through one learned matrix, ψ̂ = P·ê.
#
# AdaIN is the whole trick of identity: normalise each channel of each picture, then scale and shift it with
# numbers that come from the *person*:
#
# $$\mathrm{AdaIN}(h; \gamma, \beta) = (1 + \gamma)\,\frac{h - \mu(h)}{\sigma(h)} + \beta, \qquad [\gamma \,|\, \beta] = \text{a slice of } \hat\psi = P\,\hat e .$$
#
# (The paper writes γ where the course writes 1 + γ, so that an untrained P starts as a plain normalisation.)
# The landmark image sets *where* things are; AdaIN sets *what they look like*.

# %%
from course_utils.talking_heads.blocks import AdaIN

show_source(AdaIN.forward)
G = demo.generator
print("ψ̂ = P·ê has", G.psi_dim, "numbers, one slice per AdaIN layer:",
      [b - a for a, b in G.psi_slices()])
shapes = []
hooks = [m.register_forward_hook(lambda mod, inp, out, name=name: shapes.append((name, tuple(out.shape))))
         for name, m in [*((f"down {i + 1}", b) for i, b in enumerate(G.down)),
                         *((f"AdaIN res {i + 1}", b) for i, b in enumerate(G.res)),
                         *((f"AdaIN up {i + 1}", b) for i, b in enumerate(G.up))]]
with torch.no_grad():
    fake = G(y_t, e_hat)
for hk in hooks:
    hk.remove()
for name, shape in shapes:
    print(f"  {name:>12}: {shape}")
print("x̂ = G(y_t, ê):", tuple(fake.shape), f"values in [{fake.min():.2f}, {fake.max():.2f}] (tanh)")

# %% [markdown]
# ### The projection discriminator D(x, y, i)
#
# > "…the discriminator … maps its inputs to an N-dimensional vector V(x, y). … the realism score r = V(x, y)ᵀ
# > (W_i + w_0) + b", with one column W_i **per training video** — chapter 07's projection critic, and
# > chapter 06's multi-task $w_t = w_0 + v_t$: a shared part plus a part per person.

# %%
D = demo.discriminator
with torch.no_grad():
    v, feats = D.features(target, y_t)
    r, _ = D(target, y_t, index)
print("V(x, y):", tuple(v.shape), "  W:", tuple(D.W.shape), "(d × videos)   w₀:", tuple(D.w0.shape))
print("blocks whose outputs feature matching compares:", [tuple(f.shape[1:]) for f in feats])
print("realism scores r (B,):", [round(float(x), 2) for x in r])

# %% [markdown]
# ## 4 · The losses
#
# The generator and embedder minimise, for a generated frame $\hat x = G(y_t, \hat e_i)$ of video $i$:
#
# $$\mathcal L = \underbrace{\mathcal L_\text{CNT}(x_t, \hat x)}_{\text{looks like the real frame}}
# + \underbrace{-D(\hat x, y_t, i) + 10\,\mathcal L_\text{FM}}_{\text{fools the critic}}
# + \underbrace{80\,\lVert W_i - \hat e_i \rVert_1}_{\text{embedding match}}$$
#
# and the discriminator the hinge loss $\max(0, 1 + D(\hat x)) + \max(0, 1 - D(x))$ (chapter 07).
# **Content**: the paper compares VGG19 and VGGFace features; those weights need a download, so the course
# uses its own offline networks as stand-ins — chapter 03's landmark network for VGG19, chapter 06's identity
# network for VGGFace — plus a pixel L1 (the course's addition, it steadies a small model).
# **Embedding match** ties E's ê to D's W_i: the two networks must agree on who this person is — which is
# what later lets fine-tuning start D′ from w′ = w₀ + ê.

# %%
show_source(losses.hinge_d_real)
show_source(losses.embedding_match)

# %% [markdown]
# ## 5 · One meta-learning step, by hand
#
# > "…we randomly draw a training video sequence i and a single frame t from that sequence. In addition …
# > we randomly draw additional K frames s_1 … s_K from the same sequence … The parameters of all three
# > networks are trained in an adversarial fashion."
#
# Here is one such step on the batch above, written out — the same arithmetic as the course's trainer
# (`course_utils.talking_heads.train.meta_step`), whose logs follow below.

# %%
nets = perceptual_nets(pretrained=True)
E, G, D = demo.embedder, demo.generator, demo.discriminator
opt_g = torch.optim.Adam([*E.parameters(), *G.parameters()], lr=config.lr_g, betas=config.betas)
opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=config.betas)

# E embeds the K frames; their mean is the person; G renders the target pose
e_hat = E(frames.flatten(0, 1), marks.flatten(0, 1)).view(2, 4, -1).mean(1)
fake = G(y_t, e_hat)
# D first: hinge loss on the real and the generated frame; its W_i pulled towards ê_i
r_real, real_feats = D(target, y_t, index)
r_fake, _ = D(fake.detach(), y_t, index)
loss_d = (losses.hinge_d_real(r_real) + losses.hinge_d_fake(r_fake)
          + config.w_mch * losses.embedding_match(D.W[:, index].T, e_hat.detach()))
opt_d.zero_grad(); loss_d.backward(); opt_d.step()
# then E and G: content + adversarial (with feature matching) + E's half of the embedding match
r_fake, fake_feats = D(fake, y_t, index)
terms = losses.Terms()
losses.content_terms(terms, fake, target, nets, config)
terms.add("adv", config.w_adv, losses.adversarial_g(r_fake))
terms.add("fm", config.w_fm, losses.feature_matching(fake_feats, [f.detach() for f in real_feats]))
terms.add("mch_e", config.w_mch, losses.embedding_match(D.W[:, index].T.detach(), e_hat))
opt_g.zero_grad(); terms.total().backward(); opt_g.step()

print(f"D's loss {loss_d.item():.3f}")
for name, (scale, value) in terms.items():
    print(f"  G term {name:>18}: {scale:>5g} × {value.item():.4f}")

# %% [markdown]
# One step teaches nothing visible. The course's trainer repeats it for hours, with logs, checkpoints and
# resuming, on one CPU or many GPUs (`torchrun`):
#
# ```
# python -m course_utils.talking_heads train --config small --data faceworld --videos 400 --run meta_small_v1
# ```
#
# ## 6 · The meta-trained networks
#
# The checkpoint below was made by exactly that command on a 2-core CPU, using one thread, over several
# sessions continued with `--resume`; its manifest says how long it ran and what it reached, and its training
# curves come with it.

# %%
try:
    gan = load_talking_heads()
    from course_utils.checkpoints import read_manifest

    entry = read_manifest()["talking_heads_small"]
    print("loaded checkpoints/talking_heads_small.pt —", entry["command"])
    print(f"  {entry['metrics'].get('steps')} meta-learning steps, {entry.get('wall_seconds', 0) / 3600:.1f} h on a CPU; "
          f"{entry['size'] / 1e6:.1f} MB")
    print(textwrap.fill(entry["notes"], 110, initial_indent="  ", subsequent_indent="  "))
except CourseError as err:
    print(err)
    fallback_seconds = by_mode(20, 120, 600)
    print(f"So this notebook meta-learns for {fallback_seconds} s instead: expect blurs, not the chapter's results.")
    from course_utils.talking_heads import meta_train

    gan = meta_train(get_config("small", n_videos=20), "faceworld-live", steps=100_000, run="notebook08_fallback",
                     resume=True, time_limit=fallback_seconds, progress=False)["gan"]

# %%
try:
    curves = load_curves()
    steps = np.array(curves["steps"])
    t = curves["terms"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    for name, label in [("G.cnt_pixel", "pixel L1"), ("G.cnt_vgg19_standin", "'VGG19' stand-in"),
                        ("G.cnt_vggface_standin", "'VGGFace' stand-in")]:
        axes[0].plot(steps, t[name], label=label)
    axes[0].set(title="Content losses fall: the faces get closer", xlabel="meta-learning step", ylabel="loss (unscaled)")
    axes[1].plot(steps, curves["r_real"], label="D on real frames")
    axes[1].plot(steps, curves["r_fake"], label="D on generated frames")
    axes[1].set(title="The critic's scores: the game stays open", xlabel="meta-learning step", ylabel="mean score r")
    axes[2].plot(steps, t["G.mch_e"], color="C4")
    axes[2].set(title="E and D agree more on who is who", xlabel="meta-learning step", ylabel="‖W_i − ê_i‖₁ (mean)")
    for ax in axes[:2]:
        ax.legend(fontsize=8)
    for ax in axes:
        ax.xaxis.set_major_locator(plt.MaxNLocator(4))   # 0, 5000, 10000, 15000: labels that do not collide
    hours = curves["seconds"][-1] / 3600
    fig.suptitle(f"Meta-learning on 400 FaceWorld videos: {steps[-1]:,} steps, {hours:.1f} h on one CPU thread",
                 fontweight="bold")
    fig.tight_layout()
    save_figure(fig, "training_curves", CHAPTER)
    plt.show()
    last, earlier = steps > steps[-1] - 1000, (steps > steps[-1] - 7000) & (steps <= steps[-1] - 6000)
    for name, label in [("G.cnt_pixel", "pixel L1"), ("G.cnt_vggface_standin", "'VGGFace' stand-in")]:
        a, b = np.mean(np.array(t[name])[earlier]), np.mean(np.array(t[name])[last])
        print(f"{label}: {a:.3f} around step {steps[-1] - 6500:,}, {b:.3f} over the last 1,000 steps ({b / a - 1:+.0%})")
except CourseError as err:
    print(err)

# %% [markdown]
# **What to notice:** the content losses fall fast for the first few thousand steps, then slowly: they were
# still falling when the run stopped, but each further hour buys less (the printout compares the last 1,000
# steps with 6,000 steps earlier). On people it never saw, the results of section 8 hardly moved over those
# hours: fine-tuned SSIM at K = 8 went from 0.922 after 8,900 steps to 0.923 after 12,200 (six test people,
# fine-tuning 300 steps), and feed-forward, which depends on meta-learning alone, went from 0.786 to 0.787
# between 8,900 and 15,000 steps on all 24 (its identity similarity from 0.676 to 0.687). That is where this
# CPU run stops; a GPU, a bigger config and real talking-head video are what would move it further. The
# critic keeps scoring real frames above generated ones: the game has not been "won" by either side, which is
# what a healthy GAN run looks like.
#
# ## 7 · A new person from K frames: feed-forward and fine-tuned
#
# > "…the feed-forward … ψ̂ = P ê_NEW … fine-tuning … ψ′ … initialized to P ê_NEW … D′ … w′ = w₀ + ê_NEW."
#
# - **FF** (feed-forward): embed the K frames, ψ = P·ê, done. Instant.
# - **FT** (fine-tuned): start there, then train G′ (and its ψ′) and D′ on the K frames for a few dozen steps.
#
# The person below is a FaceWorld test identity: never seen in meta-learning.

# %%
def to_batch(imgs, pts):
    return torch.stack([image_to_tensor(im) for im in imgs]), landmark_tensor(pts, config.size)

_, wanted = to_batch(video.targets, video.target_points)
ft_steps = by_mode(config.ft_steps, 150, 200)
rows, titles, timings = [video.targets], ["true frames"], {}
for k in (1, 8):
    shots, shot_marks = to_batch(video.shots[:k], video.shot_points[:k])
    ff = feed_forward(gan, shots, shot_marks)
    t0 = time.perf_counter()
    ft, history = fine_tune(gan, shots, shot_marks, steps=ft_steps, seed=0)
    timings[k] = time.perf_counter() - t0
    for name, puppet in (("FF", ff), ("FT", ft)):
        rows.append(np.stack([tensor_to_image(x) for x in puppet.animate(wanted)]))
        titles.append(f"{name}, K = {k}")
    print(f"K = {k}: fine-tuning {ft_steps} steps took {timings[k]:.1f} s")

fig, axes = plt.subplots(len(rows), 4, figsize=(7.2, 1.9 * len(rows)))
for r, (row, title) in enumerate(zip(rows, titles)):
    ssim, _ = ev.ssim_psnr(row, video.targets)
    for c in range(4):
        axes[r, c].imshow(row[c]); axes[r, c].axis("off")
        if r:
            axes[r, c].set_title(f"SSIM {ssim[c]:.2f}", fontsize=8)
    axes[r, 0].text(-8, 32, title, ha="right", va="center", fontsize=10)
fig.suptitle("A new person: feed-forward vs fine-tuned, from 1 and 8 frames", fontweight="bold")
fig.tight_layout()
save_figure(fig, "ff_vs_ft", CHAPTER)
plt.show()

# %% [markdown]
# **What to notice:** FF gets the pose right at once — the landmark image takes care of that — but the person
# only roughly: skin, hair and background drift towards the "average" FaceWorld person. Fine-tuning pulls the
# colours, hair and background to this person, and eight frames do better than one. This is the paper's
# central result in miniature: meta-learning makes fine-tuning fast; fine-tuning buys fidelity.
#
# ## 8 · The evaluation, shaped like the paper's Table 1
#
# The paper fine-tunes on T frames of held-out videos and compares generated frames with the true ones. The
# course does the same on 24 FaceWorld test people (8 target frames each, from the last 40 % of the video;
# shots from the first 60 %), with two chapter-04 warps as baselines, and writes the result with its
# provenance (command, checkpoint hash, code revision, machine) to `checkpoints/talking_heads_small_eval.json`:
#
# ```
# python -m course_utils.talking_heads evaluate
# ```
#
# | metric | what it asks | paper's counterpart |
# | --- | --- | --- |
# | SSIM ↑, PSNR ↑ | does it match the true frame, pixel by pixel / in structure? | SSIM |
# | ID-SIM ↑ | does the chapter-06 identity network think it is the same person? | CSIM (a face-recognition network) |
# | ID-SIM (dlib) ↑ | the same question asked of dlib's face-recognition ResNet, trained on real photographs and used by no loss of the course | CSIM, measured by a network FT cannot have optimised |
# | LMK ↓ | does the course's landmark detector find the face where the driver said? (error / eye distance) | — |
# | FD ↓ | Fréchet distance between identity features of all outputs and all true frames | FID's formula on other features: an *analogue*, not FID |

# %%
try:
    results = ev.load_results()
    display(Markdown(ev.table(results)))
    prov = results["provenance"]
    print(f"made by `{prov['command']}` on {prov['created']} ({prov['seconds'] / 60:.0f} min, {prov['machine']});")
    print(f"checkpoint {prov['checkpoint']} sha256 {str(prov['checkpoint_sha256'])[:12]}…, code {prov['code_revision']}")
    print(f"settings: {results['settings']['identities']} people × {results['settings']['targets_per_identity']} frames, "
          f"FT {results['settings']['ft_steps']} steps; the detector's own error on real frames: "
          f"{results['reference']['lmk_real']:.3f}")
    for bar, met in results["bars"].items():
        print(f"  {'✔' if met else '✘'} {bar.replace('_', ' ')}")
except CourseError as err:
    print(err)
    results = None

# %%
if results:
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for method in ev.METHODS + ev.REFERENCE:
        rows_m = [r for r in results["rows"] if r["method"] == method]
        style = dict(marker="o", label=ev.LABELS[method], ls=":" if method == "copy" else "-")
        for ax, metric in zip(axes, ("ssim", "id", "lmk")):
            ax.plot([r["k"] for r in rows_m], [r[metric] for r in rows_m], **style)
    for ax, metric, title in zip(axes, ("SSIM ↑", "identity similarity ↑", "landmark error (NME) ↓"),
                                 ("Fidelity to the true frame", "Same person?", "Pose and expression followed?")):
        ax.set(xscale="log", xticks=[1, 8, 32], xticklabels=["1", "8", "32"], xlabel="shots K", ylabel=metric, title=title)
    axes[2].axhline(results["reference"]["lmk_real"], color="gray", lw=0.8)
    axes[2].text(1, results["reference"]["lmk_real"], " detector on real frames", fontsize=8, va="bottom", color="gray")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=9, frameon=False)
    fig.suptitle("The Table-1 evaluation on 24 unseen FaceWorld people", fontweight="bold")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    save_figure(fig, "evaluation", CHAPTER)
    plt.show()

# %%
if results:   # the comparisons the text below discusses, read from the table
    f = ev.figures(results)
    for k in ev.SHOTS:
        print(f"K = {k:>2}: SSIM  FT {f[f'ssim_ft_k{k}']:.3f} | FF {f[f'ssim_ff_k{k}']:.3f} | "
              f"landmark warp {f[f'ssim_landmark_warp_k{k}']:.3f} | learned-flow warp {f[f'ssim_flow_warp_k{k}']:.3f} | "
              f"unmoved {f[f'ssim_copy_k{k}']:.3f}")
    for k in ev.SHOTS:
        print(f"K = {k:>2}: ID-SIM FT {f[f'id_ft_k{k}']:.3f} | FF {f[f'id_ff_k{k}']:.3f} | "
              f"landmark warp {f[f'id_landmark_warp_k{k}']:.3f}   (dlib: FT {f[f'id_dlib_ft_k{k}']:.3f} | "
              f"FF {f[f'id_dlib_ff_k{k}']:.3f} | landmark warp {f[f'id_dlib_landmark_warp_k{k}']:.3f} | "
              f"unmoved {f[f'id_dlib_copy_k{k}']:.3f})")
    per = results["per_identity"]
    for k in ev.SHOTS:   # a paired look: the same people, the same frames
        d = np.array(per[f"ft_k{k}"]["ssim"]) - np.array(per[f"landmark_warp_k{k}"]["ssim"])
        print(f"K = {k:>2}: FT beats the landmark warp for {(d > 0).sum()} of {len(d)} people; "
              f"mean SSIM difference {d.mean():+.4f} ± {d.std(ddof=1) / np.sqrt(len(d)):.4f} (standard error)")
    print("\nWhat the text below says, checked against this table:")
    for text, holds in ev.claims(results):
        print(f"  {'✔' if holds else '✘'} {text}")

# %% [markdown]
# **How to read it.** Each comparison below is one of the checked statements printed above. Three things
# match the paper's shape. **Fine-tuning buys fidelity**: FT beats FF on SSIM, PSNR, identity and the Fréchet
# distance at every K (FF's SSIM is about 0.79, FT's 0.88–0.93) — though FF, which changed no weights,
# follows the driving landmarks a little more precisely with one or eight shots (lower LMK). **More shots
# help FT**: its SSIM and identity rise from K = 1 to 8 to 32. **FF hardly changes with K**: ê is a mean of K
# embeddings, and at this training length the embedder encodes little beyond colours, so averaging more
# frames changes ψ = P·ê very little.
#
# Against the warps the honest summary is *a contest that depends on K*. With eight shots FT beats the
# landmark warp on SSIM clearly — by more than two standard errors, on the same people and frames (the paired
# numbers above); with one shot it wins for most people but not clearly; with 32 the two tie. FT has the
# highest PSNR of all methods at every K. The learned-flow warp, chapter 04's best, has the highest SSIM of all
# at every K, and the warps place the landmarks more precisely. The dotted "unmoved" row — the nearest shot,
# not moved at all — scores below both warps on SSIM at every K: moving the pixels is what earns the warps
# their place. What the warps cannot do — open a mouth onto teeth it never saw, turn a head — SSIM on a
# 64-pixel frame barely measures; that is why the paper also ran a user study.
#
# **An independent judge.** FT's content loss uses chapter 06's identity network, so its ID-SIM column is
# partly what FT was trained to raise. The ID-SIM (dlib) column asks dlib's face-recognition ResNet, trained on
# real photographs and used in no loss of the course. It agrees that FT keeps the person better than FF at
# every K — but it puts the landmark warp above FT at every K, where the course's own network (from K = 8 on)
# ranks FT first. A generator can learn to please the network it is trained against; judge it with another.
#
# (The fine-tuning length was chosen on six *validation* people, never the test people: `evaluate` tries
# 150, 300, 600 and 900 steps at K = 8 and keeps the best mean SSIM — 0.896, 0.904, 0.912, 0.914 — so 900.
# SSIM was still rising at the largest step count tried.)
#
# In standard and full modes the cell below re-runs the evaluation live on a few people, to show that the
# numbers come from the command and not from a file.

# %%
if MODE != "quick":
    n_live = by_mode(2, 3, 24)
    live = ev.evaluate(gan, n_identities=n_live, ft_steps=by_mode(40, 100, None), shots=(1, 8),
                       methods=("landmark_warp", "ff", "ft"), progress=True)
    display(Markdown(f"Live re-run on {n_live} people (noisier than the 24-person table):\n\n" + ev.table(live)))

# %% [markdown]
# ## 9 · The Mona Lisa, the astronaut, and your own portrait
#
# > "…we show … talking head models … from a single photograph … even a painting."
#
# Now a *real* portrait. The face is found (chapter 03's detector, offline), cropped the way FaceWorld frames
# are framed, and driven by a FaceWorld person talking, two ways:
#
# - **warp** (chapter 04): move the portrait's own pixels along the driver's landmark motion;
# - **GAN**: the meta-trained generator, fine-tuned on the one portrait (K = 1), rendering the driver's landmarks.

# %%
drv_images, drv_points, drv_ref = faces.faceworld_driver(n_frames=by_mode(30, 50, 75), seed=5, head_motion=0.6, size=192)
ft_portrait_steps = by_mode(50, 150, 300)


def talk_both_ways(image, label):
    """(side-by-side frames, the TalkingPortrait, warp frames) for one portrait driven by the FaceWorld clip."""
    tp = TalkingPortrait(image, gan=gan)             # finds the face, crops it like a FaceWorld frame
    tp.fine_tune(steps=ft_portrait_steps, seed=0)     # FT with K = 1
    gan_frames = tp.drive(drv_points, drv_ref)        # (T, 64, 64, 3)
    side = 192
    warp_frames = np.stack(tp.warp_animator(side).drive(drv_points, drv_ref))   # chapter 04, same framing
    big = lambda f: cv2.resize(f, (side, side), interpolation=cv2.INTER_CUBIC)  # noqa: E731
    cols = [("driver (FaceWorld)", drv_images), ("warp (ch. 04)", warp_frames), ("GAN, FT on 1 picture", gan_frames)]
    out = []
    for i in range(len(drv_points)):
        row = np.concatenate([big(frames[i]) for _, frames in cols], 1)
        band = np.full((22, row.shape[1], 3), 255, np.uint8)
        for j, (title, _) in enumerate(cols):
            cv2.putText(band, title, (j * side + 6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (20, 20, 20), 1, cv2.LINE_AA)
        out.append(np.concatenate([band, row], 0))
    print(f"{label}: fine-tuned on one picture in {tp.seconds:.1f} s ({ft_portrait_steps} steps)")
    return out, tp, warp_frames


clips = {}
for name in ("mona_lisa", "astronaut"):
    p = images.portrait(name)
    print(p.source)
    try:
        clips[name] = talk_both_ways(p.image, name + (" (a stand-in picture)" if p.stand_in else ""))
    except CourseError as err:
        print(f"{name}: {err}")

# %%
if "mona_lisa" in clips:
    display(animation(clips["mona_lisa"][0], fps=12, name="mona_lisa_talks", chapter=CHAPTER, width=576))

# %%
if "astronaut" in clips:
    display(animation(clips["astronaut"][0], fps=12, name="astronaut_talks", chapter=CHAPTER, width=576))

# %%
from course_utils.talking_heads.data import write_video

for name, (frames_, _, _) in clips.items():
    path = write_video(output_dir(CHAPTER) / f"{name}_talks.mp4", frames_, fps=12)
    print("saved", path.name, "and", f"{name}_talks.gif", "in", path.parent)

# %% [markdown]
# ### The gap, measured
#
# On FaceWorld the fine-tuned GAN follows the person well (section 8). On a real portrait it is visibly worse
# than the warp. The identity network measures it: how much does each animation still look like the portrait?

# %%
from course_utils.identity_net import load_identity_net
from course_utils.warps import transfer_motion

id_net = load_identity_net()
for name, (_, tp, warp_frames) in clips.items():
    gan_frames = tp.drive(drv_points, drv_ref)
    warp64 = np.stack([cv2.resize(f, (64, 64), interpolation=cv2.INTER_AREA) for f in warp_frames])  # same framing
    own = ev.identity_features(id_net, tp.crop[None], tp.points[None])
    sims = {}
    pts = transfer_motion(tp.points, drv_points, drv_ref)      # where the driver put the portrait's landmarks
    for label, fr in (("GAN", gan_frames), ("warp", warp64)):
        feats = ev.identity_features(id_net, fr, pts)
        sims[label] = float((feats @ own.T).mean())
    print(f"{name:>10}: identity similarity to the portrait — warp {sims['warp']:.2f}, GAN {sims['GAN']:.2f}")

# %% [markdown]
# **Why the GAN loses here, honestly:**
#
# 1. **It has never seen a real face.** It meta-learned on 400 FaceWorld people. A painted or photographed
#    face is far outside that world (chapter 06 measured the same domain gap for the identity network).
#    Fine-tuning on one picture has to bridge it in a few dozen steps.
# 2. **Scale.** 64 × 64 pixels and under a million parameters per network, trained for hours on two CPU
#    cores. The paper's models work at 256 px, were meta-trained on real talking-head videos for days on
#    GPUs, and use VGG19 and VGGFace in the content loss. Their largest training set, VoxCeleb2, holds
#    150,480 YouTube videos of 6,112 people, over a million utterances (Chung, Nagrani & Zisserman 2018;
#    145,569 videos of 5,994 people in its development split).
# 3. **One frame, one view.** With K = 1 nothing shows the model the portrait's teeth or its profile; the
#    paper's one-shot results show the same softness, to a lesser degree.
#
# **What would close the gap, and what the course's code still lacks.** Meta-learn on real talking-head
# videos (`--data path/to/videos`: the trainer extracts landmarks once with face-alignment and caches them),
# at the paper's size (`--config paper`), on GPUs (`torchrun --nproc_per_node 8 -m course_utils.talking_heads
# train …`). Those three parts exist. The content loss does not match the paper yet: even `--config paper`
# uses the stand-ins trained on FaceWorld only (chapter 03's landmark network, chapter 06's identity
# network, both at 64 px), and there is no option for VGG19 and VGGFace. `paper`'s loss weights, 0.15 and
# 0.025, are the VGG scales of public re-implementations, put on networks they were never set for. Its
# batch size and number of residual blocks are guesses, and `paper` has been built in the tests, never
# trained.
# The warp, meanwhile, is sharp because it copies real pixels — and for the same reason it cannot open a mouth
# it never saw (chapter 04 had to paint one in).
#
# ### Your own portrait
#
# Upload a photo of a face (JPEG or PNG). It stays on this computer (in the course's data folder) and is only
# read, never changed. Nothing happens until you upload.

# %%
import ipywidgets as widgets


def upload_talks(image):
    frames_, _, _ = talk_both_ways(image, "your portrait")
    display(animation(frames_, fps=12, name="upload_talks", chapter=CHAPTER, width=576))


display(images.upload_widget(upload_talks, "Upload a portrait"))

# %% [markdown]
# ## 10 · The live puppet
#
# Once fine-tuned, G′ is a function from a landmark image to a frame — about a millisecond or two on a CPU at
# 64 px. So the sliders below move the portrait's landmarks (chapter 04's expression model) and the generator
# draws every frame from scratch, live. (The course's budget: at least 25 frames per second.)
#
# Beside it, the same sliders drive **chapter 09's learned animator**, which moves the portrait's own pixels
# along a learned motion and paints only what is new — a preview of the next chapter, where it is built.

# %%
puppet_name = "mona_lisa" if "mona_lisa" in clips else next(iter(clips), None)
if puppet_name:
    tp = clips[puppet_name][1]
    fps = tp.frames_per_second(by_mode(0.5, 1.0, 2.0))
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < 0.5:
        cv2.imencode(".png", cv2.resize(tp.pose(smile=0.5), (256, 256), interpolation=cv2.INTER_CUBIC))
        n += 1
    print(f"puppet: {fps:.0f} frames/s for the generator and the landmark drawing; "
          f"{n / (time.perf_counter() - t0):.0f} frames/s including upscaling and PNG encoding for display")

# %%
learned_puppet = None
if puppet_name:
    from course_utils.animator.portrait import PortraitAnimator as LearnedPortrait
    from course_utils.warps import expression_points

    try:
        learned_puppet = LearnedPortrait(images.portrait(puppet_name).image)
    except CourseError as err:
        print("✘ chapter 09's learned animator is left out:", err)

# %%
if puppet_name:
    view = widgets.Image(format="png", width=256, height=256)
    learned_view = widgets.Image(format="png", width=256, height=256)
    sliders = {name: widgets.FloatSlider(value=0.0, min=lo, max=hi, step=step, description=name,
                                         continuous_update=True)
               for name, lo, hi, step in [("smile", 0, 1, 0.05), ("jaw_open", 0, 1, 0.05), ("brow_raise", 0, 1, 0.05),
                                          ("blink", 0, 1, 0.05), ("yaw", -20, 20, 1), ("pitch", -15, 15, 1),
                                          ("roll", -15, 15, 1)]}

    def redraw(_=None):
        pose = {k: s.value for k, s in sliders.items()}
        big = cv2.resize(tp.pose(**pose), (256, 256), interpolation=cv2.INTER_CUBIC)
        view.value = cv2.imencode(".png", big[..., ::-1])[1].tobytes()
        if learned_puppet is not None:
            frame = learned_puppet.render(expression_points(learned_puppet.points, **pose))[0]
            learned_view.value = cv2.imencode(".png", frame[..., ::-1])[1].tobytes()

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    panels = [widgets.VBox([widgets.HTML("<b>2019 GAN</b> (this chapter)"), view])]
    if learned_puppet is not None:
        panels.append(widgets.VBox([widgets.HTML("<b>learned animator</b> (chapter 09)"), learned_view]))
    display(widgets.HBox(panels + [widgets.VBox(list(sliders.values()))]))

# %%
if puppet_name:   # the same puppet as an animation: a smile, then a word, then a look to the side
    script = ([dict(smile=a) for a in np.linspace(0, 1, 8)] + [dict(smile=1 - a, jaw_open=0.8 * np.sin(np.pi * a))
                                                                for a in np.linspace(0, 1, 10)]
              + [dict(yaw=15 * np.sin(np.pi * a), blink=float(a > 0.45 and a < 0.6)) for a in np.linspace(0, 1, 12)])
    puppet_frames = [cv2.resize(tp.pose(**s), (192, 192), interpolation=cv2.INTER_CUBIC) for s in script]
    if learned_puppet is not None:  # left: the GAN; right: chapter 09's learned animator
        puppet_frames = [np.concatenate([f, cv2.resize(learned_puppet.render(expression_points(learned_puppet.points, **s))[0],
                                                       (192, 192), interpolation=cv2.INTER_AREA)], 1)
                         for f, s in zip(puppet_frames, script)]
    display(animation(puppet_frames, fps=10, name="puppet", chapter=CHAPTER, width=192 * (1 + (learned_puppet is not None))))

# %% [markdown]
# ## Recap
#
# - The paper splits the job: **meta-learning** (long, on many people) learns how faces move and how a person
#   is encoded; **few-shot learning** (short, on one person) adapts to someone new.
# - **E** turns K frames into one vector ê; **G** draws the landmark image's pose in that person's looks via
#   **AdaIN** (ψ = P·ê); **D** judges realism *for this person*, V(x, y)ᵀ(W_i + w₀) + b.
# - **FF** is instant; **FT** takes seconds and buys fidelity. More shots help FT (SSIM 0.877 → 0.924 →
#   0.935 at K = 1, 8, 32); FF stays flat (0.785 → 0.787).
# - Measuring a fake takes several numbers: fidelity (SSIM, PSNR), identity, pose, and a distribution-level
#   distance; each misses something.
# - At classroom scale, on real faces, a warp still looks better than the GAN — the GAN's advantage (painting
#   what the picture never showed) needs real training data and compute.
#
# ## Exercises
#
# ### Exercise 1 · AdaIN
#
# Write `my_adain(h, gamma, beta)` for `h` of shape (B, C, H, W) and `gamma`, `beta` of shape (B, C):
# normalise each channel of each image to mean 0 and standard deviation 1 (use `eps = 1e-5` inside the square
# root, and the *biased* variance, `unbiased=False`), then return `(1 + gamma) * normalised + beta`.

# %%
def my_adain(h, gamma, beta):
    """(1 + γ) · (h − μ) / σ + β, per image and channel. h (B, C, H, W); gamma, beta (B, C)."""
    ### BEGIN SOLUTION
    mu = h.mean(dim=(2, 3), keepdim=True)
    var = h.var(dim=(2, 3), keepdim=True, unbiased=False)
    return (1 + gamma[..., None, None]) * (h - mu) / torch.sqrt(var + 1e-5) + beta[..., None, None]
    ### END SOLUTION


# %%
def _adain_reference(h, gamma, beta):
    return AdaIN(h.shape[1], 0)(h, torch.cat([gamma, beta], 1))


_h, _g, _b = torch.randn(2, 3, 5, 5) * 3 + 1, torch.randn(2, 3), torch.randn(2, 3)
run_check("AdaIN", [
    Test("returns a tensor of the input's shape", lambda: tuple(my_adain(_h, _g, _b).shape) == (2, 3, 5, 5),
         "Normalise h, then scale and shift: the shape should not change."),
    Test("with γ = β = 0 every channel has mean 0 and std 1",
         lambda: torch.allclose(my_adain(_h, 0 * _g, 0 * _b).mean((2, 3)), torch.zeros(2, 3), atol=1e-4),
         "Subtract the mean over the spatial dimensions (2, 3) of each image and channel."),
    Test("matches the course's AdaIN", lambda: torch.allclose(my_adain(_h, _g, _b), _adain_reference(_h, _g, _b), atol=1e-4),
         "gamma and beta are (B, C): add two axes (gamma[..., None, None]) so they broadcast over H and W; "
         "use the biased variance and eps = 1e-5 inside the square root."),
])

# %% [markdown]
# ### Exercise 2 · The projection score
#
# Write `my_realism_score(v, W, w0, b, index)`: `v` (B, d) are V(x, y) for a batch, `W` (d, videos), `w0` (d,),
# `b` a number, `index` (B,) the video of each row. Return r (B,) with r = vᵀ(W_i + w₀) + b.

# %%
def my_realism_score(v, W, w0, b, index):
    """r = V(x, y)ᵀ (W_i + w₀) + b for each row of v (B, d); returns (B,)."""
    ### BEGIN SOLUTION
    return (v * (W[:, index].T + w0)).sum(-1) + b
    ### END SOLUTION


# %%
_D = gan.discriminator
_x, _y = torch.stack([image_to_tensor(im) for im in video.targets[:3]]), wanted[:3]
_idx = torch.tensor([0, 5, 7])
with torch.no_grad():
    _v, _ = _D.features(_x, _y)
    _r, _ = _D(_x, _y, _idx)
run_check("Projection score", [
    Test("returns one score per row", lambda: tuple(my_realism_score(_v, _D.W, _D.w0, _D.b, _idx).shape) == (3,),
         "Sum over the d axis: (v * w).sum(-1)."),
    Test("matches the discriminator", lambda: torch.allclose(my_realism_score(_v, _D.W, _D.w0, _D.b, _idx), _r, atol=1e-4),
         "W[:, index] is (d, B): transpose it to (B, d) before adding w0 and multiplying by v; don't forget b."),
])

# %% [markdown]
# ### Exercise 3 · A Fréchet distance
#
# FID compares two *sets* of images by fitting a Gaussian to each set's features. Write
# `my_frechet(a, b)` for feature sets (N, d): ‖μ_a − μ_b‖² + tr(Σ_a + Σ_b − 2 (Σ_a Σ_b)^½). Use `np.cov(…,
# rowvar=False)` and `scipy.linalg.sqrtm` (keep its real part).

# %%
def my_frechet(a, b):
    """Fréchet distance between Gaussians fitted to feature sets a (N, d) and b (M, d)."""
    ### BEGIN SOLUTION
    from scipy import linalg

    mu = a.mean(0) - b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    return float(mu @ mu + np.trace(ca + cb - 2 * np.real(linalg.sqrtm(ca @ cb))))
    ### END SOLUTION


# %%
_rng = np.random.default_rng(0)
_a, _b2 = _rng.normal(size=(400, 3)), _rng.normal(size=(400, 3)) + np.array([2.0, 0, 0])
run_check("Fréchet distance", [
    Test("a set against itself is 0", lambda: abs(my_frechet(_a, _a)) < 1e-6,
         "With a = b the means cancel and tr(2Σ − 2Σ) = 0; check the signs."),
    Test("a shift of 2 along one axis costs about 4", lambda: abs(my_frechet(_a, _b2) - ev.frechet_distance(_a, _b2)) < 1e-6,
         "The mean term is the *squared* distance between the means: mu @ mu."),
])

# %% [markdown]
# ## Discussion (no code)
#
# 1. **One photo is enough.** This method needs a single picture of a person. Whose pictures of you exist
#    publicly? What does that change for identity checks by video call in your organisation?
# 2. **The Mona Lisa is in the public domain; your colleague is not.** Who should consent before a likeness is
#    animated — the person, the owner of the picture, the platform? Does it matter whether the result is
#    labelled?
# 3. **Numbers vs eyes.** The warp scored well on SSIM and looked better on a real face, yet cannot invent a
#    profile; the GAN can, but blurs. If you had to certify "this avatar is good enough" for a product, which
#    measurements would you insist on, and would you add people watching?
# 4. **Cost.** The course meta-learned for a few CPU hours; the paper used days on GPUs and a large video
#    dataset. What does the falling cost of that compute mean for who can make convincing fakes, and for
#    chapter 10's detectors?

# %% [markdown]
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Egor Zakharov, Aliaksandra Shysheya, Egor Burkov, Victor Lempitsky (2019). Few-Shot Adversarial Learning of Realistic Neural Talking Head Models. *ICCV 2019*. [arXiv:1905.08233](https://arxiv.org/abs/1905.08233)
# - Theodoros Evgeniou (2019). AI = Artificial Imagination? *INSEAD Knowledge*.
# - Xun Huang, Serge Belongie (2017). Arbitrary Style Transfer in Real-Time with Adaptive Instance Normalization. *ICCV 2017*. [arXiv:1703.06868](https://arxiv.org/abs/1703.06868)
# - Takeru Miyato, Masanori Koyama (2018). cGANs with Projection Discriminator. *ICLR 2018*. [arXiv:1802.05637](https://arxiv.org/abs/1802.05637)
# - Justin Johnson, Alexandre Alahi, Li Fei-Fei (2016). Perceptual Losses for Real-Time Style Transfer and Super-Resolution. *ECCV 2016*. [arXiv:1603.08155](https://arxiv.org/abs/1603.08155)
# - Karen Simonyan, Andrew Zisserman (2015). Very Deep Convolutional Networks for Large-Scale Image Recognition. *ICLR 2015*. [arXiv:1409.1556](https://arxiv.org/abs/1409.1556)
# - Omkar M. Parkhi, Andrea Vedaldi, Andrew Zisserman (2015). Deep Face Recognition. *BMVC 2015*.
# - Joon Son Chung, Arsha Nagrani, Andrew Zisserman (2018). VoxCeleb2: Deep Speaker Recognition. *Interspeech 2018*. [arXiv:1806.05622](https://arxiv.org/abs/1806.05622)
