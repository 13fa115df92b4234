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
# # Workshop · Make a portrait talk — then spot the fake
#
# One still picture, a few seconds of someone else talking, and two ways to combine them: **bending the
# picture's own pixels** (a warp) and **generating every pixel anew** (a GAN, the technique behind "deepfakes").
# Then drive a portrait with your own face, live, and test your eye: can you tell which pictures are fake?
#
# *No code needed: use the menus and buttons. Each step takes seconds on an ordinary computer.*

# %% slideshow={"slide_type": "skip"}
from course_utils import setup_notebook, workshop

setup_notebook(quiet=True)
app = workshop.WorkshopApp()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Make it talk
#
# 1. **Choose a portrait** — or upload your own (a clear, front-facing photo works best).
# 2. **Choose a driving clip** — a person talking; their movements will be copied onto the portrait.
# 3. Press **Make it talk**. The warp appears first; the GAN follows, and then improves itself on your portrait.

# %% slideshow={"slide_type": "skip"}
app.studio

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you are seeing**, left to right. The **driving clip**: a synthetic person from the course's own face
# renderer, or a real person (a public-domain NASA interview, where the course could fetch it when it was set up).
# The **learned animator** (the headline): a network that *learned* how faces move — from thousands of synthetic
# faces and a few real videos — moves the portrait's own pixels and paints only what is new, such as the inside
# of an opening mouth; that is why she stays herself, sharp. The **warp**: the same idea with a hand-made rule
# instead of a learned one — sharp too, but the mouth's inside has to be painted in by another rule. The **GAN**
# (2019): it draws every pixel itself from 68 face points after seeing your portrait once — small and soft here
# (64 pixels, trained on a laptop); to keep a face that way takes the paper's millions of real videos and GPUs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · Your own face, live
#
# Press **Use my camera**, then **Start camera**: the portrait chosen above moves with *your* face as you talk,
# blink and nod. Your browser asks permission first; the camera stays off until you start it, a red light shows
# while it is on, and nothing from it is kept — each frame goes to this page's own Python process, is turned into
# landmarks and dropped. **Record 5 s** keeps the *portrait's* animation as a video file. Camera pages work only
# over `https://` or on `localhost`; without a camera, the clips above tell the same story.

# %% slideshow={"slide_type": "skip"}
app.live

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · Spot the fake
#
# Each round shows two pictures made from one **real photograph**: the photograph itself, and a fake in which a
# model gave the same face a new expression — by the hand-made warp or by the learned animator. Both went through
# the same kind of camera processing, so sharpness gives nothing away. Click the one you think is fake; after each
# answer you see what it was, and in some rounds what a **detector** trained on other fakes said about the two
# pictures, or what the **invisible watermark** reader found. The score page compares you — and everyone who
# played on this computer — with guessing.

# %% slideshow={"slide_type": "skip"}
app.quiz_box

# %% [markdown] slideshow={"slide_type": "slide"}
# ## For discussion
#
# - Which was more convincing to you — the learned animator, the warp or the GAN — and why? Which would be easier to
#   detect automatically? Did the detector in the quiz help?
# - It took one photo and seconds of computing. Who in your organisation has enough public photos and video to be imitated?
# - If people cannot reliably tell by looking, what should a process rely on instead (call-backs, provenance
#   signatures, watermarks, detectors)? Who decides, and who is accountable?

# %% slideshow={"slide_type": "skip"}
# A silent self-check for the course's tests (it shows nothing): the quiz's logic answers without a browser.
_check = workshop.Quiz(seed=0, n_rounds=2, kinds=("warp",))
assert _check.answer(_check.current.fake_side).correct and _check.score == 1
