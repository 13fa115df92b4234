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
# # 05 · Two views to 3D
#
# In the 1990s, new views of a face were made without any learning at all: from two photos of the same
# head, a few lines of matrix algebra predict where every point goes in a third view, recover its depth,
# and warp a photo into a pose nobody photographed. One photo alone is not enough for that algebra —
# depth is lost — and today's deepfakes fill that gap with a *learned prior*: knowledge of what faces in
# general look like.
#
# > **For leaders.** This chapter shows that two photos of the same head, taken from different angles, are enough
# > to recover its depth and make new views without any learning, while one photo is enough only with knowledge
# > learned from many other faces. So a 3-D face built from a single photo, such as an ID picture, takes its depth
# > mostly from other people's faces and can be wrong for someone who looks unlike them. Ask any supplier who
# > builds 3-D faces from one photo which faces its system learned from, and how large its errors are for people
# > who look different.
#
# **Learning objectives.** By the end of this notebook you can
#
# - write down the camera that turns a 3-D head into a picture, and say what an *orthographic* camera
#   leaves out;
# - predict a third view from two by the **linear combination of views** (Ullman & Basri 1991), fitted by
#   least squares, and say when it is exact;
# - explain why **one view cannot give depth** and recover it from **two** by triangulation;
# - compute the **fundamental matrix** with the 8-point algorithm, draw epipolar lines, and say in words
#   what the **trilinear tensor** of three views adds;
# - synthesise a **novel view** by warping a stored photo with predicted correspondences, and measure it
#   against the truth;
# - explain how a **learned shape prior** lets a single image suffice — the bridge to chapter 08.
#
# **Expected time** (set `COURSE_MODE` before starting Jupyter; chapter 00 shows how):
#
# | mode | running the notebook (2 CPU cores) | working through it |
# | --- | --- | --- |
# | quick | ≤ 60 s (about 10 s): a shape prior from 40 faces, a 12-frame turning head | 45 min, reading and moving the slider |
# | standard (default) | ≤ 10 min (about 10 s): a prior from 200 faces, 24 frames | 60–90 min with the exercises |
# | full | 1–2 min: a prior from 400 faces | 60–90 min |
#
# **Needs from earlier chapters:** chapter 03's 68 landmarks (the matching points between views) and
# chapter 04's idea of warping an image along correspondences. No network is trained here: everything is
# least squares and one singular value decomposition (SVD) after another.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook

MODE = setup_notebook()

# %% slideshow={"slide_type": "skip"}
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
from ipywidgets import FloatSlider, interact

from course_utils import faces, views
from course_utils.config import by_mode, output_dir, seed_everything
from course_utils.exercises import Test, run_check
from course_utils.faces import split_seeds
from course_utils.faces.gallery import plot_points
from course_utils.faces.renderer import lod_for
from course_utils.viz import animation, save_figure, show_source

CHAPTER = "05_two_views_to_3d"
seed_everything(0)
print("figures from this notebook are saved in", output_dir(CHAPTER))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. One head, two photos
#
# FaceWorld draws its faces the way a camera sees a real head: every point $X = (X, Y, Z)$ of the head's
# surface is turned with the head's pose (a rotation $R$ about the neck and a shift $t$) and then divided
# by its distance from the camera — a **perspective** (pinhole) camera. In one line, with homogeneous
# coordinates (a trailing 1 that lets a shift be a matrix product):
#
# $$\lambda \begin{pmatrix} x \\ y \\ 1 \end{pmatrix} = P \begin{pmatrix} X \\ 1 \end{pmatrix},
# \qquad P = K\,[\,R \mid t\,], \qquad K = \begin{pmatrix} f & 0 & c_x \\ 0 & f & c_y \\ 0 & 0 & 1 \end{pmatrix},$$
#
# where $\lambda$ is the point's depth, $f$ the focal length in pixels and $(c_x, c_y)$ the image centre.
# The $3 \times 4$ matrix $P$ *is* the camera. `views.camera_matrix` builds exactly the one FaceWorld's
# renderer uses, and `views.head_points` gives the 68 landmarks as 3-D points, so we can check the whole
# chain: project the 3-D landmarks ourselves and compare with the landmarks the renderer reports.

# %% slideshow={"slide_type": "skip"}
SIZE = 128
person = faces.sample_identity(split_seeds("test", 3)[2])


def render(yaw=0.0, pitch=0.0, expression=None, size=SIZE):
    """A FaceWorld frame of `person`; the light turns with the head so a surface point keeps its colour."""
    return faces.render(person, faces.Frame(faces.Pose(yaw=yaw, pitch=pitch), expression or faces.Expression(),
                                            light_follows_head=True), size=size)


YAW_A, YAW_B = -25.0, 25.0
view_a, view_b = render(YAW_A), render(YAW_B)
P_a, P_b = views.camera_matrix(YAW_A, size=SIZE), views.camera_matrix(YAW_B, size=SIZE)
X68 = views.head_points(person, lod=lod_for(SIZE))  # (68, 3) in head units
for name, view, P in [("view A", view_a, P_a), ("view B", view_b, P_b)]:
    gap = np.abs(views.project(X68, P) - view.landmarks).max()
    print(f"{name}: our projection of the 3-D landmarks vs the renderer's landmarks: largest gap {gap:.5f} px")

# %% slideshow={"slide_type": "subslide"}
show_points = partial(plot_points, color="lime", size=10, edge=0.3)  # an image with points on it and a title

fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1, 1, 1.15]})
show_points(axes[0], view_a.image, view_a.landmarks, f"view A: yaw {YAW_A:.0f}°")
show_points(axes[1], view_b.image, view_b.landmarks, f"view B: yaw {YAW_B:.0f}°")
axes[2].scatter(X68[:, 0], X68[:, 2], s=14, label="68 landmarks")
axes[2].scatter(X68[27:36, 0], X68[27:36, 2], s=20, c="#c0392b", label="nose (27–35)")
axes[2].set_title("the same 68 points in 3-D, seen from above", fontsize=10)
axes[2].set_xlabel("X: left → right (head units)")
axes[2].set_ylabel("Z: depth (head units; camera ↑)")
axes[2].legend(fontsize=8, loc="lower center")
axes[2].invert_yaxis()
axes[2].set_aspect("equal")
fig.suptitle("Two photos of one head, and the 3-D points behind them", fontweight="bold")
fig.tight_layout()
save_figure(fig, "two_views", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Notice on the right that the face is not flat: seen from above (the camera is at the top), the nose
# tip stands about 0.8 head units in front of the jaw's ends. Each photo
# flattens that depth away; the point of this chapter is how much of it two photos give back.
#
# A simpler camera forgets the division by depth: the **orthographic** camera just drops $Z$ after the
# rotation, $x = s\,(r_1 \cdot X) + c_x$, $y = s\,(r_2 \cdot X) + c_y$, where $r_1, r_2$ are the first
# two rows of $R$ and $s$ the pixels per head unit. The head is small next to its distance from the
# camera (about 2 head units across, 12 away: FaceWorld's portrait lens), so it is off by only a pixel
# or two at this size:

# %% slideshow={"slide_type": "skip"}
ortho = views.project(X68, views.camera_matrix(YAW_A, size=SIZE, camera="orthographic"))
print(f"orthographic vs perspective, view A: mean gap {np.linalg.norm(ortho - view_a.landmarks, axis=1).mean():.2f} px,"
      f" largest {np.linalg.norm(ortho - view_a.landmarks, axis=1).max():.2f} px")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A third view as a linear combination of two
#
# **Ullman & Basri (1991).** Under orthographic projection, the coordinates of a point in a new view
# are a linear function of its coordinates in two stored views:
#
# $$x_3 = a_1 x_1 + a_2 y_1 + a_3 x_2 + a_4, \qquad y_3 = b_1 x_1 + b_2 y_1 + b_3 x_2 + b_4 .$$
#
# *Why.* Each orthographic coordinate is a linear function of the 3-D point: $(x_1, y_1, x_2)$ are three
# such functions of $X$. When the two views differ by a turn, those three are independent, so $X$ can be
# solved back from $(x_1, y_1, x_2)$ linearly — and $x_3, y_3$, themselves linear in $X$, become linear
# in $(x_1, y_1, x_2, 1)$. The 3-D model is never needed: it is hidden in the eight numbers $a, b$.
# (The fourth coordinate $y_2$ adds nothing: it is a combination of the other three.)
#
# *Fitting.* Four matching points give four equations per coordinate; with more we take the least
# squares solution $a = \arg\min \lVert M a - x_3 \rVert^2$, where row $n$ of $M$ is
# $(x_1^n, y_1^n, x_2^n, 1)$. That is all of `views.lcv_fit`:

# %% slideshow={"slide_type": "skip"}
show_source(views.lcv_fit)

# %% [markdown] slideshow={"slide_type": "-"}
# First, the claim itself: orthographic views of random 3-D points, three random head poses. The fit
# should reproduce the third view to the last digit.

# %% slideshow={"slide_type": "skip"}
rng = np.random.default_rng(1)
cloud = rng.normal(size=(200, 3))
ortho_cams = [views.camera_matrix(*rng.uniform(-35, 35, 3), size=SIZE, camera="orthographic") for _ in range(3)]
o1, o2, o3 = (views.project(cloud, P) for P in ortho_cams)
coeffs = views.lcv_fit(o1[:4], o2[:4], o3[:4])  # 4 points fit ...
err = np.abs(views.lcv_predict(coeffs, o1, o2) - o3).max()  # ... all 200 follow
print("coefficients (x row, y row):\n", np.round(coeffs, 4))
print(f"orthographic: largest error over 200 points, fitted on 4: {err:.1e} px")

# %% [markdown] slideshow={"slide_type": "-"}
# Exact, from four points. Now FaceWorld's real (perspective) photos: we take the landmarks of views A
# and B and, in a third photo, only **10 of its 68 landmarks** — the rest must be predicted.

# %% slideshow={"slide_type": "subslide"}
YAW_C, PITCH_C = 8.0, 12.0
view_c = render(YAW_C, PITCH_C)
known = np.array([0, 8, 16, 19, 24, 30, 36, 45, 48, 54])  # jaw ends, chin, brows, nose tip, eye and mouth corners
coeffs_c = views.lcv_fit(view_a.landmarks[known], view_b.landmarks[known], view_c.landmarks[known])
pred_c = views.lcv_predict(coeffs_c, view_a.landmarks, view_b.landmarks)
unknown = np.setdiff1d(np.arange(68), known)
lcv_err = np.linalg.norm(pred_c - view_c.landmarks, axis=1)[unknown]
print(f"perspective photos: 58 predicted landmarks, mean error {lcv_err.mean():.2f} px, largest {lcv_err.max():.2f} px")

fig, axes = plt.subplots(1, 3, figsize=(11, 4))
show_points(axes[0], view_a.image, view_a.landmarks, "view A (all 68 known)")
show_points(axes[1], view_b.image, view_b.landmarks, "view B (all 68 known)")
show_points(axes[2], view_c.image, view_c.landmarks[known], "view C: 10 known (yellow), 58 predicted (red)",
            color="yellow", size=28)
axes[2].scatter(*pred_c[unknown].T, s=10, c="red", edgecolors="black", linewidths=0.3)
fig.suptitle(f"Linear combination of views: view C (yaw {YAW_C:.0f}°, pitch {PITCH_C:.0f}°) from A and B",
             fontweight="bold")
fig.tight_layout()
save_figure(fig, "lcv_landmarks", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The red points sit on the face's parts although view C has a pitch neither stored view has: the
# eight coefficients turned the head up. The error is a fraction of a pixel — not zero, because
# FaceWorld's camera divides by depth. How far does that approximation carry as the new view moves away
# from the stored ones?
#
# > **Think!** The next plot fits the eight coefficients again for new views from yaw −45° to +45°; the stored
# > views are at −25° and +25°. For the orthographic camera, should the error change with the angle at all? For
# > FaceWorld's perspective camera, where do you expect it to be smallest, and where largest?

# %% slideshow={"slide_type": "subslide"}
yaws = np.arange(-45, 46, 5.0)
curve = {"orthographic camera (exact model)": [], "FaceWorld's perspective camera": []}
for yaw in yaws:
    truth_persp = views.project(X68, views.camera_matrix(yaw, 10, size=SIZE))
    cams = [views.camera_matrix(y, p, size=SIZE, camera="orthographic") for y, p in [(YAW_A, 0), (YAW_B, 0), (yaw, 10)]]
    o = [views.project(X68, P) for P in cams]
    p = [view_a.landmarks, view_b.landmarks, truth_persp]
    for key, (v1, v2, v3) in zip(curve, [o, p]):
        c = views.lcv_fit(v1[known], v2[known], v3[known])
        curve[key].append(np.linalg.norm(views.lcv_predict(c, v1, v2) - v3, axis=1)[unknown].mean())

fig, ax = plt.subplots(figsize=(7.5, 3.8))
for key, values in curve.items():
    ax.semilogy(yaws, np.maximum(values, 1e-14), "o-", label=key)
ax.axvspan(YAW_A, YAW_B, color="grey", alpha=0.12, label="between the stored views")
ax.set_xlabel("yaw of the new view (degrees; pitch 10°)")
ax.set_ylabel("mean error of 58 predicted points (px)")
ax.set_title("Predicting a third view from two: exact, or nearly")
ax.legend(fontsize=9)
save_figure(fig, "lcv_vs_yaw", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# For an orthographic camera the error is rounding noise (about $10^{-13}$ px) at every angle: the
# formula is exact. For the real camera it stays under a pixel over the whole range — smallest near and
# between the stored views, growing as the new view leaves them behind: what is left is the perspective
# division, which the linear model does not have. Shashua's trilinear tensor (section 4) removes that limit.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Depth: ambiguous from one view, fixed by two
#
# One photo fixes, for each point, only the **ray** from the camera through its pixel: every 3-D point on
# that ray lands on the same pixel. So one picture is consistent with infinitely many shapes. Below, the
# true landmarks seen from above, and three impostors built by sliding each point along its own ray: a
# flat cut-out, a face twice as deep, and a random crumple. All four take exactly the same photo.

# %% slideshow={"slide_type": "skip"}
view_0 = render(0.0)
P_0 = views.camera_matrix(0.0, size=SIZE)
z_true = views.depth(X68, P_0)
impostors = {"flat cut-out": np.full(68, z_true.mean()),
             "twice as deep": z_true.mean() + 2 * (z_true - z_true.mean()),
             "random crumple": z_true + rng.uniform(-0.5, 0.5, 68)}
shapes = {"true head": X68} | {k: views.backproject(view_0.landmarks, z, P_0) for k, z in impostors.items()}
for name, S in shapes.items():
    gap = np.abs(views.project(S, P_0) - view_0.landmarks).max()
    print(f"{name:15s} re-projected: largest gap to the photo's landmarks {gap:.1e} px")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1, 2.2]})
show_points(axes[0], view_0.image, view_0.landmarks, "the one photo (yaw 0°)")
ax = axes[1]
for i in (0, 8, 16, 30, 36, 45):  # a few rays: from the camera (x = 0, z = 0) through each point
    xc, _, zc = views.camera_coordinates(X68[i:i + 1], P_0)[0]
    ax.plot([xc * 9.5 / zc, xc * 15 / zc], [9.5, 15], color="grey", lw=0.8, alpha=0.7)
for (name, S), marker in zip(shapes.items(), "o^sD"):
    C = views.camera_coordinates(S, P_0)
    ax.scatter(C[:, 0], C[:, 2], s=14 if name == "true head" else 10, marker=marker, label=name)
ax.set_ylim(12.7, 10.3)
ax.set_xlabel("x in the camera's frame (head units)")
ax.set_ylabel("depth from the camera (head units)")
ax.set_title("Four shapes, one photo: points slide along their rays (grey)", fontsize=11)
ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
fig.suptitle("One view cannot tell depth", fontweight="bold")
fig.tight_layout()
save_figure(fig, "one_view_ambiguity", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The grey lines are rays (they fan out only slightly: the camera is far away). The photo says which ray
# each point is on and nothing about how far along it. A second photo from another angle gives a second
# ray per point, and two rays that are not parallel meet in one point.
#
# **Triangulation.** With cameras $P_1, P_2$ known, each view's equation $\lambda\,\tilde x = P X$ says
# that $\tilde x$ and $P X$ are parallel: $\tilde x \times P \tilde X = 0$. Two of those three equations are
# independent, linear in the homogeneous point $\tilde X = (X, 1)$:
#
# $$\begin{pmatrix} x_1 p_1^{3\top} - p_1^{1\top} \\ y_1 p_1^{3\top} - p_1^{2\top} \\ x_2 p_2^{3\top} - p_2^{1\top} \\
# y_2 p_2^{3\top} - p_2^{2\top} \end{pmatrix} \tilde X = 0,$$
#
# where $p^{k\top}$ is row $k$ of a camera. The least-squares solution with $\lVert \tilde X \rVert = 1$ is the last
# right singular vector of that $4 \times 4$ matrix (the *direct linear transform*, DLT):

# %% slideshow={"slide_type": "skip"}
show_source(views.triangulate)

# %% slideshow={"slide_type": "skip"}
X_tri = views.triangulate(P_a, P_b, view_a.landmarks, view_b.landmarks)
print(f"from the two photos' landmarks: largest 3-D error {np.abs(X_tri - X68).max():.1e} head units")

# %% [markdown] slideshow={"slide_type": "-"}
# Exact (the landmarks are stored as 32-bit floats, hence the tiny error). Real landmarks come from a
# detector and are off by a pixel or so. How much that matters depends on the angle between the two
# views — two nearly parallel rays meet far from where they should:
#
# > **Think!** The dashed line in the next plot is the depth error of not measuring depth at all: guessing that
# > the face is flat. With landmarks off by 1 pixel, can two real views ever do *worse* than that guess? If so,
# > below which angle between the views?

# %% slideshow={"slide_type": "subslide"}
NOISE_PX = 1.0
angles = np.array([2, 5, 10, 20, 30, 50, 70.0])
depth_err = []
for angle in angles:
    Pl, Pr = views.camera_matrix(-angle / 2, size=SIZE), views.camera_matrix(angle / 2, size=SIZE)
    errs = []
    for _ in range(20):
        xl = views.project(X68, Pl) + rng.normal(0, NOISE_PX, (68, 2))
        xr = views.project(X68, Pr) + rng.normal(0, NOISE_PX, (68, 2))
        errs.append(np.sqrt(np.mean((views.depth(views.triangulate(Pl, Pr, xl, xr), P_0) - z_true) ** 2)))
    depth_err.append(np.mean(errs))
flat_err = np.sqrt(np.mean((z_true - z_true.mean()) ** 2))

fig, ax = plt.subplots(figsize=(7.5, 3.8))
ax.loglog(angles, depth_err, "o-", label=f"two views, landmarks off by {NOISE_PX:.0f} px (σ)")
ax.set_xticks(angles, [f"{a:.0f}°" for a in angles])
ax.minorticks_off()
ax.axhline(flat_err, ls="--", color="grey", label="one view, guessing 'flat'")
ax.set_xlabel("angle between the two views (degrees)")
ax.set_ylabel("RMS depth error (head units)")
ax.set_title("Triangulated depth: wider apart is better")
ax.legend(fontsize=9)
save_figure(fig, "triangulation_vs_angle", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# With views 2° apart, one pixel of noise makes the depth worse than not knowing it at all (the dashed
# line); from 30° on it falls below a tenth of a head unit, and to a few hundredths — a few millimetres
# on a real head — at 50–70°. This is why stereo cameras are set apart, and why a person turning their
# head in a video gives away its 3-D shape.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The relation between views: the fundamental matrix and the trilinear tensor
#
# Without knowing the cameras, can two photos tell us where to look for a match? Yes: the point's ray
# from camera 1, seen by camera 2, is a line — the **epipolar line**. All such lines are captured by one
# $3\times3$ matrix $F$, the **fundamental matrix**:
#
# $$\tilde x_2^\top F\, \tilde x_1 = 0 \quad \text{for every matching pair}, \qquad \ell_2 = F \tilde x_1 \ \text{is the epipolar line of } x_1 .$$
#
# Each match gives one equation linear in the nine entries of $F$; eight matches fix $F$ up to scale (the
# *8-point algorithm*). Two details make it work in practice: normalise the points first (centre them,
# scale to mean distance $\sqrt2$, Hartley 1997) so the equations are balanced, and force $F$ to rank 2
# (zero its smallest singular value) so all epipolar lines meet in one point, the *epipole*:

# %% slideshow={"slide_type": "skip"}
show_source(views.fundamental_matrix)

# %% [markdown] slideshow={"slide_type": "notes"}
# We fit $F$ on 20 landmarks of views A and B, and test it on the other 48 and on about a thousand dense
# surface points seen in both views — points it never saw. OpenCV's `cv2.findFundamentalMat` does the
# same job (with robust options for real, outlier-ridden matches); we compare.

# %% slideshow={"slide_type": "skip"}
import cv2

fit_idx = rng.choice(68, 20, replace=False)
rest_idx = np.setdiff1d(np.arange(68), fit_idx)
F = views.fundamental_matrix(view_a.landmarks[fit_idx], view_b.landmarks[fit_idx])
F_cv, _ = cv2.findFundamentalMat(view_a.landmarks[fit_idx], view_b.landmarks[fit_idx], cv2.FM_8POINT)
F_cv = F_cv / np.linalg.norm(F_cv) * np.sign(F_cv[2, 2])

X_dense = views.head_points(person, dense=True, lod=lod_for(SIZE))
seen_ab = views.visible_vertices(person, YAW_A, size=SIZE) & views.visible_vertices(person, YAW_B, size=SIZE)
dense_a, dense_b = views.project(X_dense[seen_ab], P_a), views.project(X_dense[seen_ab], P_b)
print("singular values of F:", np.round(np.linalg.svd(F)[1], 6), " (rank 2: the last is 0)")
print(f"largest difference from OpenCV's F: {np.abs(F - F_cv).max():.1e}")
print(f"distance of held-out matches to their epipolar lines: landmarks "
      f"{views.epipolar_residuals(F, view_a.landmarks[rest_idx], view_b.landmarks[rest_idx]).max():.3f} px, "
      f"{len(dense_a)} dense points {views.epipolar_residuals(F, dense_a, dense_b).max():.3f} px (largest)")

# %% slideshow={"slide_type": "subslide"}
show_idx = [8, 30, 36, 45, 48, 19]
lines = views.epipolar_lines(F, view_a.landmarks[show_idx])
fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
colors = plt.cm.tab10(np.arange(len(show_idx)))
show_points(axes[0], view_a.image, view_a.landmarks[show_idx], "view A: six points", color=colors, size=36)
show_points(axes[1], view_b.image, view_b.landmarks[show_idx], "view B: their epipolar lines", color=colors, size=36)
xs = np.array([0, SIZE - 1.0])
for (a, b, c), col in zip(lines, colors):
    axes[1].plot(xs, -(a * xs + c) / b, color=col, lw=1.2)
axes[1].set_xlim(0, SIZE - 1)
axes[1].set_ylim(SIZE - 1, 0)
fig.suptitle("The fundamental matrix: a point in A must lie on its line in B", fontweight="bold")
fig.tight_layout()
save_figure(fig, "epipolar_lines", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Each coloured point of view B sits on the line of its own colour: a search for the match of a point
# becomes a search along one line instead of over the whole image. The lines are nearly horizontal and
# nearly parallel because the head turns about a vertical axis and the camera is far away.
#
# What $F$ cannot do is *place* the point on the line: two views constrain a third only through two
# lines that cross — and where the lines are nearly parallel, that crossing is ill-defined.
#
# **The trilinear tensor (Shashua).** Three views of the same points are tied by one $3\times3\times3$
# array $T$, 27 numbers: matching points $p, p', p''$ satisfy
#
# $$p^i\, s_j\, r_k\, T_i^{\,jk} = 0$$
#
# for every line $s$ through $p'$ and every line $r$ through $p''$ (indices summed). In words: *the ray
# of $p$, the plane that line $s$ cuts out of view 2 and the plane of line $r$ in view 3 all meet in the
# 3-D point.* It holds for perspective cameras, with no approximation. Four of these equations are
# independent per point triplet, so **seven** triplets fix $T$ linearly; then, given $p$ and $p'$, the
# same equations are linear in $p''$ — **point transfer**: the third view's point, computed from the
# first two. Avidan & Shashua went further: a virtual camera's tensor built from a rotation and a
# translation, and new views re-projected from two reference photos. Avidan, Evgeniou, Shashua & Poggio
# (1997) then joined this geometry to learning: a chain of tensors moves the camera, and an interpolation
# function learned from a few example images adds the object's own non-rigid motion. Two closely spaced
# example images were enough for a wide cone of new views. Views learned from examples are where
# chapter 06 begins, and its multi-task learning (section 4) is Evgeniou's later work with Pontil (2004).
#
# The demo: a third, perspective view (yaw 8°, pitch 12°), the tensor estimated from only 7 landmark
# triplets, then every dense surface point seen in A and B transferred into view C.
#
# > **Think!** The tensor gets 7 landmark triplets; the linear combination of views, for comparison, gets all 68.
# > Which of the two will place the dense points in view C more accurately, and what does one of them model
# > that the other leaves out?

# %% slideshow={"slide_type": "skip"}
P_c = views.camera_matrix(YAW_C, PITCH_C, size=SIZE)
seven = [0, 8, 16, 30, 36, 45, 48]
T = views.trilinear_tensor(view_a.landmarks[seven], view_b.landmarks[seven], view_c.landmarks[seven])
dense_c = views.project(X_dense[seen_ab], P_c)
transfer = views.trilinear_transfer(T, dense_a, dense_b)
lcv_dense = views.lcv_predict(views.lcv_fit(view_a.landmarks, view_b.landmarks, view_c.landmarks), dense_a, dense_b)
print(f"{len(dense_c)} dense points transferred into view C:")
for name, pred in [("trilinear tensor from 7 triplets", transfer), ("linear combination of views from all 68", lcv_dense)]:
    print(f"  {name:40s} mean error {np.linalg.norm(pred - dense_c, axis=1).mean():.4f} px")

# %% [markdown] slideshow={"slide_type": "notes"}
# The tensor's transfer is right to a few thousandths of a pixel (what is left is the landmarks' 32-bit
# storage), better than the linear combination of views with ten times the points: the trilinear model
# includes the perspective division that the orthographic one drops. Under orthographic cameras the
# tensor's equations reduce to Ullman & Basri's linear ones. Where the points land:

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(4.6, 4.6))
show_points(ax, view_c.image, transfer[::3], "view C with a third of the transferred points", color="cyan", size=3)
fig.suptitle("Trilinear point transfer: A + B → C", fontweight="bold")
fig.tight_layout()
save_figure(fig, "trilinear_transfer", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# The cyan points cover the face and the hair of view C, each one placed from its positions in A and B
# alone. Knowing where every point goes is half of a new picture; the other half is moving the pixels.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. A novel view: warp a stored photo along predicted correspondences
#
# The recipe of the 1990s view-synthesis papers, in three steps:
#
# 1. **Correspondences between the stored views** — which pixel of B shows the same surface point as a
#    pixel of A. In practice optical flow (chapter 04) provides them; here FaceWorld gives them exactly for
#    the ~1,300 surface points visible in both photos.
# 2. **Predict their positions in the new view** — with the linear combination of views. The coefficients
#    either come from a few known points of the new view (the 68 landmarks of a driving face, exactly the
#    input of chapter 08's generator), or, for a *virtual* camera, from the rotation alone:
#    `views.lcv_from_cameras` solves for them from the three orthographic cameras, no third photo needed.
# 3. **Warp** the nearer stored photo so its points move to their predicted places: cut the new view into
#    triangles between the predicted points (a Delaunay triangulation) and move each triangle's pixels by
#    the affine map between its two positions.
#
# Beymer, Shashua & Poggio (1993) built example-based faces from the same ingredient: images in pixel
# correspondence, then an RBF network $y(x) = \sum_i c_i\, G(\lVert x - x_i \rVert)$ mapping pose and
# expression parameters to images.

# %% slideshow={"slide_type": "skip"}
show_source(views.warp_to_points)

# %% slideshow={"slide_type": "subslide"}
def synthesise(yaw, pitch=0.0, coeffs=None):
    """A new view of `person` at (yaw, pitch), warped from the nearer of views A and B.
    coeffs: LCV coefficients (2, 4); by default those of a virtual orthographic camera at that pose."""
    if coeffs is None:
        coeffs = views.lcv_from_cameras(*(views.camera_matrix(y, p, size=SIZE, camera="orthographic")
                                          for y, p in [(YAW_A, 0), (YAW_B, 0), (yaw, pitch)]))
    target = views.lcv_predict(coeffs, dense_a, dense_b)
    source, pts = (view_a.image, dense_a) if yaw < (YAW_A + YAW_B) / 2 else (view_b.image, dense_b)
    return views.warp_to_points(source, pts, target)


def face_error(image, truth):
    """Mean absolute difference (grey levels 0–255) over the face's pixels of the true view."""
    return float(np.abs(image.astype(float) - truth.image)[truth.mask].mean())


targets = [(-10.0, 0.0), (5.0, 0.0), (15.0, 10.0)]
rows = []
for yaw, pitch in targets:
    truth = render(yaw, pitch)
    from_landmarks = views.lcv_fit(view_a.landmarks, view_b.landmarks, truth.landmarks)
    rows.append((truth, synthesise(yaw, pitch), synthesise(yaw, pitch, from_landmarks)))

fig, axes = plt.subplots(len(targets), 5, figsize=(12.5, 2.7 * len(targets)))
for r, ((yaw, pitch), (truth, virtual, driven)) in enumerate(zip(targets, rows)):
    nearer = view_a.image if yaw < 0 else view_b.image
    panels = [(nearer, f"nearer stored view\nerror {face_error(nearer, truth):.1f}"),
              (virtual, f"virtual camera (rotation only)\nerror {face_error(virtual, truth):.1f}"),
              (driven, f"driven by the true 68 landmarks\nerror {face_error(driven, truth):.1f}"),
              (truth.image, f"truth: yaw {yaw:.0f}°, pitch {pitch:.0f}°"),
              (np.abs(driven.astype(int) - truth.image).max(-1), "|driven − truth| (black = 0)")]
    for ax, (img, title) in zip(axes[r], panels):
        ax.imshow(img, cmap="magma" if img.ndim == 2 else None, vmin=0, vmax=80 if img.ndim == 2 else None)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
fig.suptitle("Novel views synthesised from two photos (error: mean |difference| on the face, 0–255)",
             fontweight="bold")
fig.tight_layout()
save_figure(fig, "novel_views", CHAPTER);

# %% [markdown] slideshow={"slide_type": "-"}
# Compare the first column with the next two: without moving pixels, the nearer photo is wrong by tens of
# grey levels on the face; after the warp, by a few. The bright patches of the difference panel sit at
# edges — hair against background, the beard's outline — and on the neck, which turns only half as much
# as the head and so is not one rigid object with it. The virtual camera, given nothing but a rotation,
# does almost as well as the version that peeks at the true landmarks. Pixels never seen in either photo
# (a cheek that turns into view) cannot be invented by warping — the limit every purely geometric method
# has.
#
# **Turn the head yourself.** The slider sets the virtual camera's yaw; the panels show the synthesised
# view, FaceWorld's true render and their difference; the figure first shows yaw 35°, beyond view B. Below
# it, the head turning by itself, every frame synthesised from photos A and B only.

# %% slideshow={"slide_type": "subslide"}
def compare_view(yaw=5.0):
    """Synthesised view at `yaw` (virtual camera) next to the truth."""
    truth = render(yaw)
    made = synthesise(yaw)
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
    for ax, img, title in [(axes[0], made, "synthesised from A and B"), (axes[1], truth.image, "FaceWorld's render"),
                           (axes[2], np.abs(made.astype(int) - truth.image).max(-1), "|difference|")]:
        ax.imshow(img, cmap="magma" if img.ndim == 2 else None, vmin=0, vmax=80 if img.ndim == 2 else None)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.suptitle(f"yaw {yaw:.0f}° · face error {face_error(made, truth):.1f} grey levels", fontweight="bold")
    fig.tight_layout()
    plt.show()


compare_view(35.0)  # drawn once for readers without a live notebook; the slider below redraws it

# %% slideshow={"slide_type": "skip"}
interact(compare_view, yaw=FloatSlider(value=5, min=-40, max=40, step=5, description="yaw °",
                                       continuous_update=False));

# %% slideshow={"slide_type": "subslide"}
n_frames = by_mode(12, 24, 36)
there = np.linspace(YAW_A, YAW_B, n_frames // 2 + 1)
turn = np.concatenate([there, there[-2:0:-1]])  # there and back, no frame twice
animation([synthesise(y) for y in turn], fps=8, name="turning_head", chapter=CHAPTER, width=256)

# %% [markdown] slideshow={"slide_type": "-"}
# The head turns smoothly between the two photos although no frame in between was ever rendered: every
# frame is one of two photos, warped. (Move the slider beyond ±25° to see extrapolation: the far cheek
# stretches and the error grows, as the curve in section 2 predicted.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Why one image suffices today: a learned prior
#
# Section 3 showed that one photo leaves each point's depth free. Yet today's systems — chapter 08's
# talking heads among them — animate a face from **one** photo. They break the ambiguity with knowledge
# of what faces look like in general: among all the shapes that take the same photo, a face-shaped one is
# far more likely than a flat cut-out or a crumple.
#
# The simplest such prior is linear, a *3-D morphable model* (Blanz & Vetter 1999, who built theirs from
# textured 3-D scans of real heads, shape and colour together, and fitted it to single photos). Here, a
# version with shape only: measure the 3-D landmarks of many faces,
# and keep their average $\bar S$ and the main directions in which faces differ (principal component
# analysis, the top right singular vectors $B_k$ of the centred shapes). A new face is
# $S = \bar S + \sum_k c_k B_k$ with a few coefficients $c$. Given one photo's landmarks $x_n$ and its camera,
# each landmark gives two equations linear in $c$:
#
# $$\big(p^{1} - x_n\, p^{3}\big)^\top \tilde S_n = 0, \qquad \big(p^{2} - y_n\, p^{3}\big)^\top \tilde S_n = 0,$$
#
# (rows $p^k$ of $P$, $\tilde S_n$ the $n$-th point with a 1 appended) — 136 equations, a handful of
# unknowns: least squares again, with a small penalty $\lambda \lVert c \rVert^2$ that keeps $c$ plausible.
#
# > **Think!** The next cell compares three depth guesses for faces it never saw, each from one photo: one depth
# > for every point (flat), the average face, and the prior fitted to the photo's landmarks. All three re-project
# > exactly onto the photo. Rank them by depth error, and guess how many times better the average face is than
# > flat: twice, ten times, more?

# %% slideshow={"slide_type": "subslide"}
n_train = by_mode(40, 200, 400)
train_shapes = np.stack([views.head_points(faces.sample_identity(s), lod=2) for s in split_seeds("train", n_train)])
test_people = [faces.sample_identity(s) for s in split_seeds("test", 12)]
test_shapes = np.stack([views.head_points(p, lod=2) for p in test_people])
mean_shape, basis = views.shape_model(train_shapes, k=10)
print(f"shape prior from {n_train} FaceWorld faces: mean + 10 directions")

P_one = views.camera_matrix(20.0, -5.0, size=SIZE)  # the one photo: yaw 20°, looking slightly up
P_new = views.camera_matrix(-30.0, 5.0, size=SIZE)  # a view we want to predict
results = {"flat (one depth for all)": [], "average face": [], "fitted prior": []}
new_view_err = {k: [] for k in results}
for S in test_shapes:
    photo = views.project(S, P_one)  # the photo's 68 landmarks
    guesses = {"flat (one depth for all)": np.full(68, views.depth(mean_shape, P_one).mean()),
               "average face": views.depth(mean_shape, P_one),
               "fitted prior": views.depth(views.fit_shape(photo, P_one, mean_shape, basis), P_one)}
    for k, z in guesses.items():
        guess3d = views.backproject(photo, z, P_one)  # every guess agrees with the photo exactly
        results[k].append(np.sqrt(np.mean((z - views.depth(S, P_one)) ** 2)))
        new_view_err[k].append(np.linalg.norm(views.project(guess3d, P_new) - views.project(S, P_new), axis=1).mean())

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, data, ylabel in [(axes[0], results, "RMS depth error (head units)"),
                         (axes[1], new_view_err, "landmark error in a new view (px)")]:
    means = [np.mean(v) for v in data.values()]
    ax.bar(range(3), means, color=["#c0392b", "#e07a1f", "#3a9a5b"])
    ax.set_xticks(range(3), list(data), fontsize=9)
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    for i, m in enumerate(means):
        ax.annotate(f"{m:.3f}", (i, m), ha="center", va="bottom", fontsize=9)
axes[0].set_title("Depth from one photo (yaw 20°)", fontsize=11)
axes[1].set_title("…and the view at yaw −30° it predicts", fontsize=11)
fig.suptitle(f"One photo + a prior learned from {n_train} faces (12 unseen test faces)", fontweight="bold")
fig.tight_layout()
save_figure(fig, "one_view_prior", CHAPTER);

# %% [markdown] slideshow={"slide_type": "notes"}
# All three guesses take exactly the same photo, yet they are far apart in 3-D: the flat guess misses the
# depth by more than a quarter of a head unit and throws the new view's landmarks off by several pixels;
# the average face alone is already roughly twenty times better, and fitting the prior's coefficients to
# this photo's landmarks halves what is left. The information did not come from the photo — it came from the other
# faces. A deep network is this idea with a much richer prior (appearance as well as shape, learned from
# thousands of real videos) and a much less linear fit. Chapter 08's generator is a small step that way,
# and no further: from a few frames of a person (few-shot) and a landmark image, it draws that person at
# 64 px with a new expression and a small head motion. It meta-learned on FaceWorld heads only, which in
# their training videos mostly turn less than 15°; it has never seen a real head or a profile, and it
# cannot turn the Mona Lisa's head to the side.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap
#
# - A camera is a $3\times4$ matrix: $\lambda \tilde x = P \tilde X$. Perspective divides by depth;
#   orthographic does not, and is a good approximation for a head far from the lens.
# - **Linear combination of views** (Ullman & Basri 1991): under orthography a third view is exactly
#   $x_3 = a_1x_1 + a_2y_1 + a_3x_2 + a_4$ (likewise $y_3$), 8 coefficients fitted from 4+ points by least
#   squares; on FaceWorld's perspective photos it is off by a fraction of a pixel between the stored views.
# - **One view** fixes only rays: infinitely many shapes take the same photo. **Two views** fix depth by
#   triangulation (DLT: an SVD per point), the better the wider apart they are.
# - The **fundamental matrix** $F$ ($\tilde x_2^\top F \tilde x_1 = 0$, rank 2, 8-point algorithm on normalised
#   points) turns the search for a match into a search along a line. The **trilinear tensor** of three
#   views (27 numbers, 7 triplets) transfers points into the third view exactly, perspective included.
# - A **novel view** = correspondences + predicted positions + a piecewise-affine warp of a stored photo;
#   it cannot show what neither photo saw.
# - **One image suffices** only with a **prior** learned from many faces: among the shapes consistent with the
#   photo, pick the face-like one.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises
#
# Each exercise asks for one function. Write it in place of the solution, run the cell, then run the
# check below it: it says ✔ or gives you a hint.
#
# ### Exercise 1 · Your own linear combination of views
#
# Write `my_lcv(view1, view2, view3)`: the `(2, 4)` coefficients of section 2 by least squares, using
# `np.linalg.lstsq`. Row 0 predicts $x_3$, row 1 predicts $y_3$, each from the columns $(x_1, y_1, x_2, 1)$.

# %% slideshow={"slide_type": "skip"}
def my_lcv(view1, view2, view3):
    """(2, 4) coefficients a with view3 ≈ [x1, y1, x2, 1] @ a.T, for three (N, 2) arrays."""
    ### BEGIN SOLUTION
    M = np.column_stack([view1[:, 0], view1[:, 1], view2[:, 0], np.ones(len(view1))])
    a, *_ = np.linalg.lstsq(M, view3, rcond=None)
    return a.T
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 1", [
    Test("returns a (2, 4) array", lambda: np.shape(my_lcv(o1, o2, o3)) == (2, 4),
         "Solve for both coordinates at once: lstsq(M, view3) gives a (4, 2) answer; transpose it."),
    Test("exact on the orthographic point cloud", lambda: np.allclose(
        np.column_stack([o1, o2[:, :1], np.ones(len(o1))]) @ my_lcv(o1, o2, o3).T, o3, atol=1e-6),
         "The columns are x1, y1, x2 and a column of ones, in that order."),
    Test("agrees with views.lcv_fit on the FaceWorld photos",
         lambda: np.allclose(my_lcv(view_a.landmarks, view_b.landmarks, view_c.landmarks),
                             views.lcv_fit(view_a.landmarks, view_b.landmarks, view_c.landmarks), atol=1e-6),
         "Use view2's x column (view2[:, 0]), not its y column."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 2 · Triangulate one point
#
# Write `my_triangulate(P1, P2, p1, p2)` for a single point: build the $4\times4$ matrix of section 3 from
# the two cameras (`(3, 4)` arrays) and the two pixels `p1 = (x1, y1)`, `p2 = (x2, y2)`; take the last row
# of `Vt` from `np.linalg.svd`; divide by its fourth entry; return the 3-D point.

# %% slideshow={"slide_type": "skip"}
def my_triangulate(P1, P2, p1, p2):
    """(3,) 3-D point seen at pixel p1 by camera P1 and at p2 by P2 (linear triangulation)."""
    ### BEGIN SOLUTION
    A = np.array([p1[0] * P1[2] - P1[0], p1[1] * P1[2] - P1[1], p2[0] * P2[2] - P2[0], p2[1] * P2[2] - P2[1]])
    X = np.linalg.svd(A)[2][-1]
    return X[:3] / X[3]
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 2", [
    Test("returns three numbers",
         lambda: np.shape(my_triangulate(P_a, P_b, view_a.landmarks[30], view_b.landmarks[30])) == (3,),
         "Return X[:3] / X[3], the homogeneous point divided by its last entry."),
    Test("the nose tip (landmark 30) lands on the 3-D nose tip",
         lambda: np.allclose(my_triangulate(P_a, P_b, view_a.landmarks[30], view_b.landmarks[30]), X68[30], atol=1e-3),
         "Row 1 is x1 * P1[2] − P1[0], row 2 is y1 * P1[2] − P1[1], then the same with P2; "
         "the answer is the LAST row of Vt."),
    Test("every landmark agrees with views.triangulate", lambda: np.allclose(
        [my_triangulate(P_a, P_b, p, q) for p, q in zip(view_a.landmarks, view_b.landmarks)], X_tri, atol=1e-6),
         "Check that you use the row P[2] (the depth row) of each camera in all four equations."),
])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 3 · Same photo, other shape
#
# Write `deeper(points, P, factor)`: the shape whose depth differences from its mean depth are `factor`
# times those of `points` ((68, 3) array), every point staying on its own ray of camera `P` — so the photo
# does not change. Use `views.depth` and `views.backproject`.

# %% slideshow={"slide_type": "skip"}
def deeper(points, P, factor):
    """(68, 3): points slid along their rays of P so that depth − mean depth is multiplied by factor."""
    ### BEGIN SOLUTION
    z = views.depth(points, P)
    return views.backproject(views.project(points, P), z.mean() + factor * (z - z.mean()), P)
    ### END SOLUTION


# %% slideshow={"slide_type": "skip"}
run_check("Exercise 3", [
    Test("factor 1 changes nothing", lambda: np.allclose(deeper(X68, P_0, 1.0), X68, atol=1e-9),
         "New depth = mean depth + factor × (depth − mean depth); with factor 1 it is the old depth."),
    Test("the photo stays the same", lambda: np.allclose(views.project(deeper(X68, P_0, 3.0), P_0),
                                                         views.project(X68, P_0), atol=1e-6),
         "Back-project the ORIGINAL pixels (views.project(points, P)) at the new depths."),
    Test("the depth spread grows by the factor", lambda: np.isclose(
        np.ptp(views.depth(deeper(X68, P_0, 3.0), P_0)), 3 * np.ptp(z_true)),
         "Scale the differences from the mean depth, not the depths themselves."),
])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions (no code needed)
#
# 1. In the 1990s, "two photos are enough for 3-D" meant: two photos of *the same* head, from angles far
#    enough apart, with matching points found between them. Today, "one photo is enough" means: one photo,
#    plus a model that has seen thousands of other faces. What changed — the mathematics, the data, or
#    both? Which of the two would you rather rely on in a court of law, and why?
# 2. **Executive angle.** A vendor claims their system "reconstructs a 3-D face from a single ID photo".
#    After this chapter you know that the depth in that reconstruction comes mostly from *other people's
#    faces*. What questions would you ask about whose faces those were, and about how wrong the result can
#    be for someone unlike them?
# 3. A video of a person turning their head contains many views — enough, in principle, for triangulation.
#    What does that mean for how much of someone's 3-D likeness is published when they post a short video?
# 4. The synthesised views in section 5 were convincing between the two photos and broke down beyond them.
#    Where would you look first in a suspected fake of someone turning their head?

# %% [markdown] slideshow={"slide_type": "-"}
# **Next:** chapter 06 asks how knowledge learned from many faces transfers to a new one — the prior of
# section 6, learned by a network instead of by PCA.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# Open copies are linked where one was checked; the others are listed with their venue.
#
# - Shimon Ullman, Ronen Basri (1991). Recognition by Linear Combinations of Models. *IEEE TPAMI* 13(10).
# - Amnon Shashua (1995). Algebraic Functions for Recognition. *IEEE TPAMI* 17(8).
# - Shai Avidan, Amnon Shashua (1998). Novel View Synthesis by Cascading Trilinear Tensors. *IEEE Transactions on Visualization and Computer Graphics* 4(4).
# - Shai Avidan, Theodoros Evgeniou, Amnon Shashua, Tomaso Poggio (1997). Image-Based View Synthesis. *MIT AI Memo 1603*.
# - David Beymer, Amnon Shashua, Tomaso Poggio (1993). Example Based Image Analysis and Synthesis. *MIT AI Memo 1431*.
# - Richard I. Hartley (1997). In Defense of the Eight-Point Algorithm. *IEEE TPAMI* 19(6). [author's copy (ANU)](https://users.cecs.anu.edu.au/~hartley/Papers/fundamental/fundamental.pdf) · [doi:10.1109/34.601246](https://doi.org/10.1109/34.601246)
# - Volker Blanz, Thomas Vetter (1999). A Morphable Model for the Synthesis of 3D Faces. *ACM SIGGRAPH 1999*. [doi:10.1145/311535.311556](https://doi.org/10.1145/311535.311556)
