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
# # 01 · From calculator to learning
#
# A calculator applies rules that a person wrote down in advance; a learning machine writes its own
# rules from examples, and as the rules multiply, **an infinite collection of rules becomes a general
# function**. A photo is nothing but a grid of numbers, so a deepfake is one such learned function: its
# output is new numbers — pixels.
#
# > **For leaders.** This chapter shows the difference between a system that follows rules people wrote and one
# > that writes its own rules from examples, and that a photo is only a grid of numbers such a system can produce.
# > A learned system can fit its examples perfectly and still do worse on new cases, and nobody wrote its rules
# > down, so its mistakes are harder to foresee and to explain. Ask who answers for a learned system's harmful
# > mistake, and how we would find out why it happened.
#
# **Learning objectives.** By the end of this notebook you can
#
# - explain why a table of if-then rules is a step function, and measure how its error shrinks as the
#   rules multiply;
# - grow a regression tree from scratch and read the rule table it wrote for itself;
# - train a tiny neural network and see it as a sum of *soft* rules that it placed itself;
# - treat an image as an array of numbers from 0 to 255, and make new images from old ones — with a
#   fixed rule (a blend) and with a learned one (a tiny generative model that writes pixel rows);
# - say, in one sentence, what a deepfake generator computes.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 10 s) | 30 min, reading and moving the slider |
# | standard (default) | ≤ 10 min (about 10 s) | 60–90 min with the exercises |
# | full | about 1 min: only the tiny network trains longer | 60–90 min |
#
# **Needs from earlier chapters:** only chapter 00's setup (the course environment, `course_utils`
# importable). No checkpoint, no download: every image here ships with scikit-image.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from ipywidgets import IntSlider, interact
from skimage import color, data

from course_utils.calculator import annotate_pixels, mark_box
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.viz import save_figure, show_images

CHAPTER = "01_calculator_to_learning"
seed_everything(0)
print("figures from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. A calculator follows fixed rules
#
# Press `7 × 6 =` and a calculator answers `42`. Nothing in it learned that; an engineer wrote the rule
# for `×` once, and the machine applies it to whatever numbers you key in. Every answer it will ever
# give was already implied by its rules. Here is a four-key calculator, written as what it is — a
# table of rules:

# %% slideshow={"slide_type": "skip"}
RULES = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "×": lambda a, b: a * b,
    "÷": lambda a, b: a / b,
}


def calculator(a, key, b):
    """Apply the fixed rule behind `key` to the numbers a and b."""
    return RULES[key](a, b)


print("7 × 6 =", calculator(7, "×", 6), "|  1 ÷ 8 =", calculator(1, "÷", 8))

# %% [markdown] slideshow={"slide_type": "notes"}
# A rule does not have to be arithmetic. It can be a plain *if-then*: "if the input lies between 0.25
# and 0.5, answer 0.88". With a table of such rules a calculator can answer questions for which it has
# no key — for instance, the value of this curve, which stands in for anything we would like a machine
# to compute (how wide a mouth opens a quarter of a second into a word, how bright the pixel at a given
# spot of a face should be):

# %% slideshow={"slide_type": "skip"}
def curve(x):
    """The function we want to compute, on inputs x in [0, 1]: no calculator has a key for it."""
    return np.sin(2 * np.pi * x) + 0.5 * x * np.cos(5 * np.pi * x)


GRID = np.linspace(0, 1, 2001)  # where we measure errors: 2001 evenly spaced inputs

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A table of if-then rules is a step function
#
# Cut the inputs from 0 to 1 into `n` equal intervals and write one rule per interval: *if x falls in
# this interval, answer the curve's value at the interval's middle*. Two short functions: one writes
# the table, the other looks an input up in it.

# %% slideshow={"slide_type": "skip"}
def make_rules(f, n_rules, lo=0.0, hi=1.0):
    """Write a table of n_rules if-then rules for f on [lo, hi]: interval edges (n+1,) and answers (n,)."""
    edges = np.linspace(lo, hi, n_rules + 1)
    answers = f((edges[:-1] + edges[1:]) / 2)  # each rule answers f at the middle of its interval
    return edges, answers


def apply_rules(edges, answers, x):
    """Look each input up in the table: the answer of the interval it falls in (inputs outside use the end rules)."""
    which = np.searchsorted(edges, x, side="right") - 1
    return answers[np.clip(which, 0, len(answers) - 1)]


# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
edges, answers = make_rules(curve, 4)
for lo, hi, answer in zip(edges[:-1], edges[1:], answers):
    print(f"if {lo:.2f} ≤ x < {hi:.2f}: answer {answer:+.3f}")

# %% [markdown] slideshow={"slide_type": "-"}
# Four rules, four flat steps. Drawn as a graph, a rule table is a **step function**: flat within each
# interval, jumping at the edges. The shaded area is where the table is wrong.

# %% slideshow={"slide_type": "subslide"}
def plot_rules(n_rules):
    """The curve, the step function of an n-rule table, and the error between them."""
    edges, answers = make_rules(curve, n_rules)
    steps = apply_rules(edges, answers, GRID)
    error = np.abs(steps - curve(GRID)).max()
    fig, ax = plt.subplots(figsize=(7.5, 4))
    ax.plot(GRID, curve(GRID), color="0.2", lw=2, label="the curve we want")
    ax.plot(GRID, steps, color="C1", lw=2, label=f"{n_rules} if-then rules")
    ax.fill_between(GRID, curve(GRID), steps, color="C1", alpha=0.2, label="error")
    ax.set(xlabel="input x", ylabel="answer y", ylim=(-1.6, 1.6),
           title=f"{n_rules} rules: largest error {error:.3f}")
    ax.legend(loc="lower left")


plot_rules(8)
save_figure(plt.gcf(), "rule_table_8", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Eight rules catch the overall shape, but every step is wrong almost everywhere except at its middle.
# Move the slider: what happens to the steps, and to the largest error, as you add rules?

# %% slideshow={"slide_type": "skip"}
interact(plot_rules, n_rules=IntSlider(value=8, min=1, max=200, step=1, description="rules"));

# %% [markdown] slideshow={"slide_type": "-"}
# Let us measure it: the largest error on our 2001 test inputs, for tables of 1 to 2000 rules.
#
# > **Think!** A rule is wrong by at most half its interval times the slope of the curve there. If you give the
# > table ten times as many rules, how much smaller do you expect the largest error to get: ten times, a hundred
# > times, or does it level off at some point?

# %% slideshow={"slide_type": "subslide"}
n_values = np.unique(np.logspace(0, np.log10(2000), 60).astype(int))
max_errors = [np.abs(apply_rules(*make_rules(curve, n), GRID) - curve(GRID)).max() for n in n_values]

fig, ax = plt.subplots()
ax.loglog(n_values, max_errors, "o-", ms=3, label="largest error of the rule table")
ax.loglog(n_values, 5 / n_values, "--", color="0.5", label="reference: 5 / n")
ax.set(xlabel="number of rules n", ylabel="largest error (log scale)",
       title="More rules, smaller error — without end")
ax.legend()
save_figure(fig, "error_vs_rules", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# On logarithmic axes the error falls along the straight line `5 / n`: ten times more rules, ten times
# smaller error. (Why 5? A rule is wrong by at most half its interval, 1 / 2n, times the steepest slope of
# the curve, about 10.) The first few tables are too coarse to follow the line. The same numbers as a
# table:

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
for n in [1, 4, 16, 64, 256, 1024]:
    err = np.abs(apply_rules(*make_rules(curve, n), GRID) - curve(GRID)).max()
    print(f"{n:5d} rules: largest error {err:.4f}")

# %% [markdown] slideshow={"slide_type": "-"}
# No finite table is exact, yet the error goes to zero as the rules multiply. In the limit,
# **an infinite collection of rules becomes a general function**: any continuous curve can be
# reproduced as closely as you like by a large enough table of if-then rules. This is an old idea
# (step functions are how mathematicians define the integral), and it is the seed of the *universal
# approximation theorem* for neural networks (Cybenko 1989; Hornik, Stinchcombe & White 1989), which
# you will see at work in section 4.
#
# Two catches keep rule tables from being the end of the story:
#
# 1. **Someone had to know the answers.** `make_rules` called `curve` to fill in each answer. For
#    "what does this person's face look like when she says *o*" there is no `curve` to call.
# 2. **Tables explode with more inputs.** One input cut into 100 intervals needs 100 rules. A
#    function of two inputs needs 100 × 100 = 10,000; a function of a small 64 × 64 grey image
#    (4,096 inputs) would need 100^4096 rules — a number with 8,193 digits.
#
# So the rules must be *written from data*, and written sparingly: only where the data says they are
# needed.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. A model that writes its own rules: a regression tree
#
# Suppose we no longer know the curve. All we have are 80 measurements of it, each with some noise — the
# usual situation. We also keep 400 further measurements aside, to test the rules on inputs they have not
# seen.

# %% slideshow={"slide_type": "skip"}
rng = np.random.default_rng(0)
NOISE = 0.15
x_train = rng.uniform(0, 1, 80)
y_train = curve(x_train) + rng.normal(0, NOISE, x_train.shape)
x_test = rng.uniform(0, 1, 400)
y_test = curve(x_test) + rng.normal(0, NOISE, x_test.shape)


def rmse(prediction, target):
    """Root-mean-square error: the typical size of a mistake, in the units of y."""
    return float(np.sqrt(np.mean((np.asarray(prediction) - np.asarray(target)) ** 2)))

# %% [markdown] slideshow={"slide_type": "notes"}
# A **regression tree** writes a rule table by asking one question over and over: *where should I cut
# the inputs in two so that each side is as uniform as possible?* "Uniform" means a small sum of
# squared differences from the side's average. It tries every cut halfway between two neighbouring
# measurements and keeps the best.

# %% slideshow={"slide_type": "skip"}
def sse(y):
    """Sum of squared differences from the mean: how far a group is from being all one value."""
    return float(((y - y.mean()) ** 2).sum()) if len(y) else 0.0


def best_split(x, y):
    """The cut t that leaves {x ≤ t} and {x > t} most uniform, or None if no cut helps."""
    xs = np.unique(x)
    best_t, best_cost = None, sse(y)
    for t in (xs[:-1] + xs[1:]) / 2:  # candidates: halfway between neighbouring inputs
        left = x <= t
        cost = sse(y[left]) + sse(y[~left])
        if cost < best_cost:
            best_t, best_cost = t, cost
    return best_t

# %% [markdown] slideshow={"slide_type": "-"}
# Then it does the same inside each half, and inside each quarter, down to a chosen **depth**. A tree
# of depth d has at most 2^d leaves, and each leaf answers the average of the measurements that reached it.

# %% slideshow={"slide_type": "skip"}
def grow_tree(x, y, depth):
    """A regression tree as nested dicts: {'value': v} at a leaf, else {'threshold', 'left', 'right'}."""
    t = best_split(x, y) if depth > 0 else None
    if t is None:
        return {"value": float(y.mean())}
    left = x <= t
    return {"threshold": float(t),
            "left": grow_tree(x[left], y[left], depth - 1),
            "right": grow_tree(x[~left], y[~left], depth - 1)}


# %% slideshow={"slide_type": "skip"}
def predict_tree(tree, x):
    """Send each input down the tree: left if x ≤ threshold, else right, until a leaf answers."""
    x = np.asarray(x, dtype=float)
    if "value" in tree:
        return np.full(x.shape, tree["value"])
    left = x <= tree["threshold"]
    out = np.empty(x.shape)
    out[left] = predict_tree(tree["left"], x[left])
    out[~left] = predict_tree(tree["right"], x[~left])
    return out

# %% [markdown] slideshow={"slide_type": "notes"}
# A tree *is* a rule table: every path from the top to a leaf reads "if x lies between this cut and
# that cut, answer this". This function walks the tree and writes the table out:

# %% slideshow={"slide_type": "skip"}
def tree_rules(tree, lo=-np.inf, hi=np.inf):
    """The tree as a rule table: a list of (lo, hi, answer), meaning 'if lo < x ≤ hi, answer'."""
    if "value" in tree:
        return [(lo, hi, tree["value"])]
    t = tree["threshold"]
    return tree_rules(tree["left"], lo, t) + tree_rules(tree["right"], t, hi)


# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
tree2 = grow_tree(x_train, y_train, depth=2)
for lo, hi, answer in tree_rules(tree2):
    print(f"if {lo:6.3f} < x ≤ {hi:6.3f}: answer {answer:+.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Nobody told the tree where to cut: it found four intervals of very different widths, placed where
# the measurements change level. Deeper trees write more rules:

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 4, figsize=(15, 3.6), sharey=True)
for ax, depth in zip(axes, [1, 2, 4, 8]):
    tree = grow_tree(x_train, y_train, depth)
    ax.plot(GRID, curve(GRID), color="0.6", lw=1.5, label="true curve")
    ax.plot(x_train, y_train, "o", color="C0", ms=3, alpha=0.7, label="80 measurements")
    ax.plot(GRID, predict_tree(tree, GRID), color="C1", lw=2, label="tree's rules")
    n_rules = len(tree_rules(tree))
    ax.set(title=f"depth {depth}: {n_rules} rules", xlabel="input x")
axes[0].set_ylabel("answer y")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle("A regression tree writes its own rule table from the measurements", fontweight="bold")
fig.tight_layout()
save_figure(fig, "tree_depths", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Depth 4 (about 16 rules) already follows the curve; depth 8 starts chasing individual noisy points —
# look for the spikes. Is more always better? The 400 held-out measurements answer that:
#
# > **Think!** A tree of depth 10 can write up to 1,024 rules for only 80 measurements. Sketch the two curves
# > before running the cell: the error on the 80 measurements it learned from, and the error on 400 new ones,
# > as the depth goes from 0 to 10. Where do you expect the error on new data to be lowest?

# %% slideshow={"slide_type": "subslide"}
depths = range(0, 11)
trees = [grow_tree(x_train, y_train, d) for d in depths]
train_err = [rmse(predict_tree(t, x_train), y_train) for t in trees]
test_err = [rmse(predict_tree(t, x_test), y_test) for t in trees]

fig, ax = plt.subplots()
ax.plot(depths, train_err, "o-", label="on the 80 measurements it learned from")
ax.plot(depths, test_err, "s-", label="on 400 new measurements")
ax.axhline(NOISE, color="0.5", ls="--", label=f"the noise itself ({NOISE})")
ax.set(xlabel="tree depth (up to 2^depth rules)", ylabel="typical error (RMSE)",
       title="Rules written from data: more is not always better")
ax.legend()
save_figure(fig, "tree_overfitting", CHAPTER);
best_depth = int(depths[int(np.argmin(test_err))])
print(f"best depth on new data: {best_depth} ({len(tree_rules(trees[best_depth]))} rules)")

# %% [markdown] slideshow={"slide_type": "-"}
# On the data it learned from, the error keeps falling to zero: a deep enough tree writes one rule per
# measurement and memorises the noise. On new data the error falls, bottoms out near the noise level,
# then rises again. That gap is called **overfitting**, and every model in this course — up to the
# talking-head GAN — has to be checked on data it has not seen.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. A tiny neural network: soft rules it places itself
#
# A tree's rules switch abruptly at each cut. A neural network uses *soft* rules. The building block is
# `tanh(w · (x − b))`: about −1 left of `b`, about +1 right of it, with a smooth switch whose sharpness
# is set by `w`. Make `w` large and the soft rule becomes a hard if-then:

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots()
for w in [2, 10, 50]:
    ax.plot(GRID, np.tanh(w * (GRID - 0.5)), lw=2, label=f"w = {w}")
ax.set(xlabel="input x", ylabel="tanh(w · (x − 0.5))",
       title="A soft rule: 'if x > 0.5 then +1 else −1', smoothed")
ax.legend()
save_figure(fig, "soft_rule", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The larger `w`, the closer the soft rule comes to a step at `b = 0.5`. A network with one hidden layer
# of H units adds up H such soft rules:
#
# $$ y(x) = c + \sum_{i=1}^{H} v_i \tanh(w_i x + b_i) $$
#
# Each unit's switch point (at x = −bᵢ/wᵢ), sharpness wᵢ and height vᵢ are *learned*: gradient descent
# nudges all of them, step after step, to shrink the squared error on the measurements. In PyTorch:

# %% slideshow={"slide_type": "skip"}
class SoftRules(torch.nn.Module):
    """y = c + Σ v_i tanh(w_i x + b_i): a table of n_rules soft rules; input and output (N, 1) float32."""

    def __init__(self, n_rules=32):
        super().__init__()
        self.hidden = torch.nn.Linear(1, n_rules)  # w_i and b_i: where each rule switches, how sharply
        self.out = torch.nn.Linear(n_rules, 1)  # v_i and c: how much each rule adds

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


# %% slideshow={"slide_type": "skip"}
def fit(net, x, y, steps, lr=0.01):
    """Gradient descent (Adam) on the mean squared error; returns the training loss after every step."""
    X = torch.tensor(x, dtype=torch.float32)[:, None]
    Y = torch.tensor(y, dtype=torch.float32)[:, None]
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = ((net(X) - Y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# %% slideshow={"slide_type": "skip"}
def predict_net(net, x):
    """The network's answers for a NumPy array of inputs, as a NumPy array."""
    with torch.no_grad():
        return net(torch.tensor(x, dtype=torch.float32)[:, None])[:, 0].numpy()


# %% [markdown] slideshow={"slide_type": "-"}
# Training takes a few seconds: 32 soft rules, 97 numbers to learn, fitted to the same 80 measurements
# the tree saw.

# %% slideshow={"slide_type": "skip"}
torch.set_num_threads(1)  # 97 numbers are too few to share between cores: one thread is faster here
seed_everything(0)
net = SoftRules(n_rules=32)
steps = by_mode(quick=2000, standard=6000, full=20000)
start = time.perf_counter()
losses = fit(net, x_train, y_train, steps)
print(f"{steps} steps in {time.perf_counter() - start:.1f} s; "
      f"{sum(p.numel() for p in net.parameters())} learned numbers; "
      f"error on the measurements {losses[-1] ** 0.5:.3f}")

# %% slideshow={"slide_type": "subslide"}
best_tree = trees[best_depth]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4))
ax1.plot(np.sqrt(losses))
ax1.set(xlabel="training step", ylabel="error on the measurements (RMSE)", title="The network learning")
ax2.plot(GRID, curve(GRID), color="0.6", lw=2, label="true curve")
ax2.plot(x_train, y_train, "o", color="C0", ms=3, alpha=0.6, label="measurements")
ax2.plot(GRID, predict_tree(best_tree, GRID), color="C1", lw=1.5, label=f"tree, depth {best_depth}")
ax2.plot(GRID, predict_net(net, GRID), color="C2", lw=2.5, label="network, 32 soft rules")
ax2.set(xlabel="input x", ylabel="answer y", title="Two models, one set of measurements")
ax2.legend(loc="lower left", fontsize=9)
fig.tight_layout()
save_figure(fig, "net_vs_tree", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Left: after a first drop the error stalls on a plateau (the network answers with little more than an
# average), then falls steeply once its soft rules line up with the big swing of the curve, then creeps
# down. Right: the tree answers in steps; the network answers with a smooth curve, because its rules are
# soft. Neither model ever saw the true curve — only noisy
# points. How well do they do on the 400 new measurements?
#
# > **Think!** Rank the four answers below from best to worst on the new measurements before you run the cell:
# > 16 rules written by someone who knew the curve, the tree, the network, and the true curve itself. Can the
# > true curve's error be zero, when every new measurement carries noise of about 0.15?

# %% slideshow={"slide_type": "skip"}
predictions = {
    "16 hand-written rules (knew the curve!)": apply_rules(*make_rules(curve, 16), x_test),
    f"regression tree, {len(tree_rules(best_tree))} learned rules": predict_tree(best_tree, x_test),
    "network, 32 learned soft rules": predict_net(net, x_test),
    "the true curve itself (the best possible)": curve(x_test),
}
for name, prediction in predictions.items():
    print(f"{name:<42} error on new data {rmse(prediction, y_test):.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Even the true curve misses the new measurements by about the noise, so that is the floor. The network
# gets close to it, and does better than a 16-rule table written by someone who *knew* the curve: rules
# learned from 80 noisy points rival rules written from the answer.

# %% [markdown] slideshow={"slide_type": "-"}
# Let us open the network and look at the rules it wrote. Each thin line is one unit's contribution
# `vᵢ tanh(wᵢ x + bᵢ)`; their sum (plus the constant `c`) is the thick line.

# %% slideshow={"slide_type": "subslide"}
with torch.no_grad():
    X = torch.tensor(GRID, dtype=torch.float32)[:, None]
    parts = torch.tanh(net.hidden(X)) * net.out.weight[0]  # (2001, 32): each unit's contribution
    total = parts.sum(1) + net.out.bias
fig, ax = plt.subplots()
ax.plot(GRID, parts.numpy(), lw=0.8, alpha=0.6)
ax.plot(GRID, total.numpy(), color="black", lw=3, label="their sum = the network's answer")
ax.set(xlabel="input x", ylabel="contribution to y", title="The 32 soft rules the network wrote for itself")
ax.legend(loc="upper right")
save_figure(fig, "soft_rules_inside", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# A handful of rules do most of the work — large ones that switch near the middle and partly cancel
# each other — while many others stay nearly flat. No single rule means much; only their sum does. That is
# typical of learned models: the rules exist, but they were not written for a human to read. Still, the
# principle is section 2's: a general function built from many simple rules, here with their places
# learned from data instead of dictated by a person.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. An image is a grid of numbers from 0 to 255
#
# Everything above used one input and one output. A photo is the same material, at scale. scikit-image
# ships this portrait of astronaut Eileen Collins (NASA, public domain):

# %% slideshow={"slide_type": "skip"}
# NBVAL_CHECK_OUTPUT
astronaut = data.astronaut()
print("shape:", astronaut.shape, "= rows × columns × colour channels (red, green, blue)")
print("type:", astronaut.dtype, "| smallest value:", astronaut.min(), "| largest value:", astronaut.max())
print("numbers in this photo:", f"{astronaut.size:,}")
print("the pixel at row 102, column 205 (red, green, blue):", astronaut[102, 205])

# %% [markdown] slideshow={"slide_type": "-"}
# Zoom in three times, down to single pixels, and the photo turns out to be just that: numbers. Each
# pixel is three whole numbers from 0 (none of that colour) to 255 (full strength).

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 3, figsize=(16, 6), width_ratios=[1, 1, 1.5])
axes[0].imshow(astronaut)
mark_box(axes[0], 70, 175, 64, 64)
axes[0].set(title="The photo: 512 × 512 pixels")
axes[1].imshow(astronaut[70:134, 175:239], extent=(174.5, 238.5, 133.5, 69.5), interpolation="nearest")
mark_box(axes[1], 97, 200, 8, 8)
axes[1].set(title="Zoom: 64 × 64 pixels around an eye")
annotate_pixels(axes[2], astronaut[97:105, 200:208], fontsize=8)
axes[2].set(title="8 × 8 pixels = 192 numbers (R, G, B)",
            xticks=range(8), xticklabels=range(200, 208), yticks=range(8), yticklabels=range(97, 105))
for ax in axes:
    ax.set(xlabel="column", ylabel="row")
    ax.grid(False)
fig.tight_layout()
save_figure(fig, "image_is_numbers", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The dark iris is small numbers, the skin below it larger ones, with red the largest of the three; the
# two light pixels in the middle are the reflection of the studio light in the eye. A colour photo is
# three grids stacked: one for red, one for green, one for blue.

# %% slideshow={"slide_type": "subslide"}
fig = show_images([astronaut[..., 0], astronaut[..., 1], astronaut[..., 2]],
                  ["red channel", "green channel", "blue channel"], ncols=3, size=3.2,
                  suptitle="One photo = three grids of numbers (bright = close to 255)")
save_figure(fig, "rgb_channels", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The orange suit is bright in red and dark in blue; the white shuttle is bright in all three.
# For a computer, then, this photo is a single point described by 786,432 numbers — and any function
# that outputs 786,432 numbers between 0 and 255 outputs a photo. A **deepfake generator** is such a
# function.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Generating new numbers
#
# ### 6a. A fixed rule: blending two images
#
# The simplest way to make an image that never existed is a calculator rule applied pixel by pixel:
# `new = (1 − α) · first + α · second`. Every number in the result is new; none of it was learned.

# %% slideshow={"slide_type": "subslide"}
def blend(a, b, alpha):
    """Pixel-wise (1 − alpha)·a + alpha·b of two uint8 images of the same shape, rounded back to uint8."""
    mixed = (1 - alpha) * a.astype(float) + alpha * b.astype(float)
    return np.clip(np.round(mixed), 0, 255).astype(np.uint8)


face = astronaut[30:270, 130:370]  # 240 × 240 around the face
cat = data.chelsea()[30:270, 120:360]  # 240 × 240 around the cat's face
alphas = [0, 0.25, 0.5, 0.75, 1]
fig = show_images([blend(face, cat, a) for a in alphas], [f"α = {a}" for a in alphas], ncols=5,
                  suptitle="New images from old ones: a blend, pixel by pixel")
save_figure(fig, "blend", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The middle images never existed, yet nobody would take them for photos: two faces show through each
# other (a "ghost"), because a blend mixes numbers *in place* — it does not move the eyes of one face
# onto the eyes of the other. Moving pixels along paths is chapter 04's subject. (Try other values in
# `alphas`, or other pictures from `skimage.data` such as `coffee()` or `rocket()`.)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 6b. A learned rule: a tiny generative model that writes pixel rows
#
# Now let a model write pixels with rules it learned. Its whole knowledge: *predict each pixel from the
# four neighbours already written* — left, up-left, up, up-right — as a weighted sum,
#
# $$ \text{pixel} \approx w_1 \cdot \text{left} + w_2 \cdot \text{up-left} + w_3 \cdot \text{up} + w_4 \cdot \text{up-right} + c, $$
#
# with the five numbers fitted by least squares on the grey astronaut (shrunk to 128 × 128 pixels).
# Then erase the bottom half of the photo and let the model write it back, row by row, left to right.

# %% slideshow={"slide_type": "skip"}
grey = color.rgb2gray(astronaut) * 255  # (512, 512) floats, 0–255
grey = grey.reshape(128, 4, 128, 4).mean(axis=(1, 3))  # average 4 × 4 blocks: (128, 128)


def neighbours(img):
    """For every pixel not on the top row or side columns: its 4 already-written neighbours, (N, 4)."""
    left, up_left, up, up_right = img[1:, :-2], img[:-1, :-2], img[:-1, 1:-1], img[:-1, 2:]
    return np.stack([left, up_left, up, up_right], axis=-1).reshape(-1, 4)


# %% slideshow={"slide_type": "skip"}
A = np.column_stack([neighbours(grey), np.ones(126 * 127)])  # the 4 neighbours and a 1 (for c)
target = grey[1:, 1:-1].reshape(-1)
weights = np.linalg.lstsq(A, target, rcond=None)[0]
spread = np.std(target - A @ weights)  # the typical size of its mistakes
print("learned w1..w4, c:", np.round(weights, 2), f"| typical mistake: {spread:.1f} grey levels")

# %% [markdown] slideshow={"slide_type": "-"}
# Roughly "left + up − up-left": continue the brightness slope of the neighbourhood. (Lossless JPEG
# offers nearly the same rule, `a + b − c`, for predicting pixels; here it was *learned* from the photo.)
# Its typical mistake is the spread of what it cannot predict. To *generate* rather than merely predict,
# the model adds a random mistake of that size at every pixel: **sampling**, the way every generative
# model in this course makes something new.
#
# > **Think!** The model only ever sees the four pixels next to the one it writes. Run without randomness, will it
# > write back the astronaut's suit and hands, a flat grey, or something else? With the random mistakes added,
# > will two samples write the same bottom half?

# %% slideshow={"slide_type": "skip"}
def write_rows(img, first_row, weights, spread, rng):
    """Rewrite rows first_row.. of img, pixel by pixel, from the pixels already written; returns a copy."""
    out = img.astype(float).copy()
    for i in range(first_row, out.shape[0]):
        for j in range(1, out.shape[1] - 1):
            context = np.array([out[i, j - 1], out[i - 1, j - 1], out[i - 1, j], out[i - 1, j + 1], 1.0])
            out[i, j] = np.clip(context @ weights + spread * rng.normal(), 0, 255)
        out[i, 0], out[i, -1] = out[i, 1], out[i, -2]  # side columns: copy their neighbour
    return out


# %% slideshow={"slide_type": "subslide"}
erased = grey.copy()
erased[64:] = 0
no_noise = write_rows(grey, 64, weights, 0.0, np.random.default_rng(0))
sample1 = write_rows(grey, 64, weights, spread, np.random.default_rng(1))
sample2 = write_rows(grey, 64, weights, spread, np.random.default_rng(2))
fig = show_images([grey, erased, no_noise, sample1, sample2],
                  ["original", "bottom half erased", "no randomness", "with randomness, 1",
                   "with randomness, 2"], ncols=5, size=2.8,
                  suptitle="A 5-number model writes the bottom half back, one pixel at a time")
save_figure(fig, "pixel_rows_model", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Without randomness the model smears the last real row downwards: the flag's stripes and the collar's
# edges carry on as streaks, with nothing new. With randomness it invents texture — different in every
# sample — that has the grain of a photo but none of its content: no collar, no helmet, no hands. Five
# learned numbers only know that neighbouring pixels are alike.
#
# This is the whole course in miniature. A deepfake generator is the same kind of object — **a learned
# function whose output is new numbers, pixels** — with millions of learned numbers instead of five,
# and a far better input than the row above: a drawing of where the face's landmarks are (chapter 03)
# and a few photos of the person (chapter 08).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - A calculator applies **fixed rules** written by a person; its answers are all implied by its rules.
# - A table of if-then rules is a **step function**. As the rules multiply, its error falls (here like
#   1/n) towards zero: **an infinite collection of rules becomes a general function**.
# - Hand-written tables need someone who knows the answers, and they explode with the number of inputs.
# - A **regression tree** writes its own rule table from data, placing the cuts where the data changes;
#   too many rules memorise the noise (**overfitting**), which only data held aside reveals.
# - A **neural network** adds up *soft* rules, `vᵢ tanh(wᵢ x + bᵢ)`, and learns where to put them by
#   gradient descent.
# - An **image is a grid of numbers** from 0 to 255 (three grids for colour): 786,432 numbers for the
#   astronaut.
# - New images can come from a fixed rule (a blend: ghosts) or from a learned model that **samples**
#   new pixels. A deepfake generator is a learned function that outputs new pixels.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each exercise asks for one function. Write it in place of the solution, run the cell, then run the
# check below it: it says ✔ or gives you a hint.
#
# ### Exercise 1 · How many rules are enough?
#
# Write `rules_needed(f, tolerance)`: the **smallest** number of rules `n` for which the table
# `make_rules(f, n)` has a largest error at most `tolerance`, measured on `GRID` (as in section 2).

# %% slideshow={"slide_type": "skip"}
def rules_needed(f, tolerance, lo=0.0, hi=1.0):
    """Smallest n such that max |apply_rules(*make_rules(f, n, lo, hi), x) − f(x)| ≤ tolerance on x = GRID."""
    ### BEGIN SOLUTION
    x = np.linspace(lo, hi, len(GRID))
    n = 1
    while np.abs(apply_rules(*make_rules(f, n, lo, hi), x) - f(x)).max() > tolerance:
        n += 1
    return n
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
from course_utils.exercises import Test, run_check


def _table_error(f, n):
    return np.abs(apply_rules(*make_rules(f, n), GRID) - f(GRID)).max()


run_check("Exercise 1", [
    Test("returns a whole number", lambda: isinstance(rules_needed(lambda x: 3 * x, 0.0302), (int, np.integer)),
         "Return the count n itself (an int), not the table or the error."),
    Test("a straight line y = 3x needs 50 rules for an error of 0.0302",
         lambda: rules_needed(lambda x: 3 * x, 0.0302) == 50,
         "For y = 3x each rule is wrong by at most 3 / (2n) at its interval's ends, so n = 49 is not enough "
         "(0.0306) and n = 50 is (0.0300). Start at n = 1 and add one rule at a time until the error is ≤ tolerance."),
    Test("for the course's curve, n rules are enough and n − 1 are not (tolerance 0.05)",
         lambda: _table_error(curve, rules_needed(curve, 0.05)) <= 0.05 < _table_error(curve, rules_needed(curve, 0.05) - 1),
         "Return the FIRST n that meets the tolerance; measure with np.abs(apply_rules(*make_rules(f, n), GRID) - f(GRID)).max()."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · Read a tree's rule table
#
# `tree_rules` turns a tree into a list of rules `(lo, hi, answer)`, meaning *if lo < x ≤ hi, answer*.
# Write `predict_from_rules(rules, x)`, which answers for an array of inputs **using only the list** —
# no tree. If your answers agree with `predict_tree`, you have shown that a tree is just a rule table.

# %% slideshow={"slide_type": "skip"}
def predict_from_rules(rules, x):
    """Answers (same shape as x) of a rule list [(lo, hi, answer), ...] where each rule covers lo < x ≤ hi."""
    x = np.asarray(x, dtype=float)
    ### BEGIN SOLUTION
    out = np.full(x.shape, np.nan)
    for lo, hi, answer in rules:
        out[(x > lo) & (x <= hi)] = answer
    return out
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
_two_rules = [(-np.inf, 0.5, 1.0), (0.5, np.inf, 2.0)]
_tree5 = grow_tree(x_train, y_train, 5)
_cuts = np.array([lo for lo, _, _ in tree_rules(_tree5)[1:]])  # inputs exactly on a cut
run_check("Exercise 2", [
    Test("two hand-made rules answer 1, 1, 2 at x = 0.2, 0.5, 0.9",
         lambda: np.array_equal(predict_from_rules(_two_rules, np.array([0.2, 0.5, 0.9])), [1.0, 1.0, 2.0]),
         "Each rule covers lo < x ≤ hi: x = 0.5 belongs to the FIRST rule (x ≤ 0.5), as in the tree (x ≤ threshold goes left)."),
    Test("agrees with predict_tree on 2001 inputs for a depth-5 tree",
         lambda: np.allclose(predict_from_rules(tree_rules(_tree5), GRID), predict_tree(_tree5, GRID)),
         "Loop over the rules; for each, select the inputs with (x > lo) & (x <= hi) and give them that answer."),
    Test("agrees with predict_tree on inputs that sit exactly on a cut",
         lambda: np.allclose(predict_from_rules(tree_rules(_tree5), _cuts), predict_tree(_tree5, _cuts)),
         "Check the ends: use x > lo and x <= hi (strictly greater on the left, at most on the right)."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · Brighten a photo without breaking it
#
# Write `brighten(img, amount)`: add `amount` (possibly negative) to every number of a uint8 image and
# return a uint8 image of the same shape, where values that would go above 255 stay at 255 and values
# that would go below 0 stay at 0.

# %% slideshow={"slide_type": "skip"}
def brighten(img, amount):
    """img (H, W) or (H, W, 3) uint8 plus amount, clipped to 0–255; returns uint8 of the same shape."""
    ### BEGIN SOLUTION
    return np.clip(img.astype(int) + amount, 0, 255).astype(np.uint8)
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 3", [
    Test("returns a uint8 array of the same shape",
         lambda: brighten(astronaut, 40).dtype == np.uint8 and brighten(astronaut, 40).shape == astronaut.shape,
         "Finish with .astype(np.uint8) so the result is again an image of whole numbers 0–255."),
    Test("250 brightened by 10 gives 255, not 4",
         lambda: brighten(np.array([[250]], dtype=np.uint8), 10)[0, 0] == 255,
         "uint8 numbers wrap around: 250 + 10 becomes 4. Convert to a wider type first (img.astype(int)), "
         "add, then np.clip(..., 0, 255)."),
    Test("10 darkened by 20 gives 0, not 246",
         lambda: brighten(np.array([[10]], dtype=np.uint8), -20)[0, 0] == 0,
         "Negative amounts wrap around too; clip at 0 as well as at 255."),
    Test("matches an independent computation on the astronaut",
         lambda: np.array_equal(brighten(astronaut, 40), np.minimum(astronaut.astype(np.int64) + 40, 255)),
         "Every pixel value should go up by exactly 40 unless that passes 255."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 4 · A cross-fade video
#
# Write `cross_fade(a, b, n_frames)`: a stack of `n_frames` images (shape `(n_frames, H, W, 3)`, uint8)
# that goes from `a` (first frame) to `b` (last frame) by blends at evenly spaced α from 0 to 1. The
# `blend` function of section 6a helps.

# %% slideshow={"slide_type": "skip"}
def cross_fade(a, b, n_frames):
    """(n_frames, H, W, 3) uint8: blend(a, b, α) for α evenly spaced from 0 (= a) to 1 (= b)."""
    ### BEGIN SOLUTION
    return np.stack([blend(a, b, alpha) for alpha in np.linspace(0, 1, n_frames)])
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 4", [
    Test("shape (n_frames, H, W, 3) and type uint8",
         lambda: cross_fade(face, cat, 5).shape == (5, 240, 240, 3) and cross_fade(face, cat, 5).dtype == np.uint8,
         "Build a list of n_frames images and np.stack them; blend already returns uint8."),
    Test("the first frame is a and the last is b",
         lambda: np.array_equal(cross_fade(face, cat, 7)[0], face) and np.array_equal(cross_fade(face, cat, 7)[-1], cat),
         "Use np.linspace(0, 1, n_frames) for α, so it starts at exactly 0 and ends at exactly 1."),
    Test("the middle of 3 frames is the average of a and b (to within rounding)",
         lambda: np.abs(cross_fade(face, cat, 3)[1].astype(int) - (face.astype(int) + cat.astype(int)) / 2).max() <= 0.5,
         "Frame k should use α = k / (n_frames − 1); with 3 frames the middle one is α = 0.5."),
])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. A rule-based system does exactly what its authors wrote; a learned system follows rules nobody
#    wrote or can easily read (section 4's 32 soft rules). When such a system makes a harmful mistake,
#    who in your organisation should answer for it, and how would they find out why it happened?
# 2. The deepest tree was perfect on the data it learned from and worse on new data. Where might one of
#    your own models, forecasts or dashboards be "memorising the noise", and what data held aside would
#    reveal it?
# 3. A photo is only 786,432 numbers, and section 6 made new ones with a line of arithmetic. What does
#    that mean for images used as evidence — in insurance claims, news, courts or identity checks?
# 4. The tiny pixel model could only smear and add grain; a deepfake generator has millions of learned
#    numbers and a few photos of its target. What would you need to know about a supplier's model, and
#    the data it learned from, before letting it generate images of real people on your behalf?

# %% [markdown] slideshow={"slide_type": "-"}
# **Next:** chapter 02 shows that a de-blurred photo is generated data too — new numbers that a model
# believes were there.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - George Cybenko (1989). Approximation by Superpositions of a Sigmoidal Function. *Mathematics of Control, Signals and Systems* 2(4). [author's copy (Dartmouth)](https://www.dartmouth.edu/~gvc/Cybenko_MCSS.pdf) · [doi:10.1007/BF02551274](https://doi.org/10.1007/BF02551274)
# - Kurt Hornik, Maxwell Stinchcombe, Halbert White (1989). Multilayer Feedforward Networks are Universal Approximators. *Neural Networks* 2(5). [doi:10.1016/0893-6080(89)90020-8](https://doi.org/10.1016/0893-6080%2889%2990020-8)
# - Leo Breiman, Jerome Friedman, Richard Olshen, Charles Stone (1984). Classification and Regression Trees. *Wadsworth (book)*. [doi:10.1201/9781315139470](https://doi.org/10.1201/9781315139470) (the CRC reissue)
# - Diederik P. Kingma, Jimmy Ba (2015). Adam: A Method for Stochastic Optimization. *ICLR 2015*. [arXiv:1412.6980](https://arxiv.org/abs/1412.6980)
