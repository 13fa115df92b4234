"""viz.animation: an inline GIF that plays anywhere (JupyterLab, exported HTML, Voilà)."""

import base64
import io
import re

import imageio.v3 as iio
import numpy as np


def test_animation_embeds_every_frame_as_a_gif_and_saves_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path / "out"))
    from course_utils import viz
    from course_utils.config import output_dir

    frames = [np.full((10, 12, 3), 40 * i, np.uint8) for i in range(5)]
    shown = viz.animation(frames, fps=10, name="demo", chapter="99_test", width=120)
    html = shown.data
    assert html.startswith("<img") and 'width="120"' in html
    gif = base64.b64decode(re.search(r'base64,([^"]+)"', html).group(1))
    decoded = iio.imread(io.BytesIO(gif), extension=".gif", index=None)
    assert decoded.shape[0] == 5 and decoded.shape[1:3] == (10, 12)
    assert (output_dir("99_test") / "demo.gif").read_bytes() == gif


def test_gif_frames_keep_smooth_one_hue_pictures_free_of_bands():
    from course_utils import viz
    from course_utils.images import mona_lisa_stand_in

    sepia = mona_lisa_stand_in().image[:256, :256]
    back = np.asarray(viz.gif_frame(sepia).convert("RGB")).astype(float)
    assert np.abs(back - sepia).mean() < 0.6, "the sepia portrait lost its shades to a coarse palette"
    ramp = np.repeat(np.linspace(0, 255, 256, dtype=np.uint8)[None, :, None], 32, 0).repeat(3, 2)
    assert len(np.unique(np.asarray(viz.gif_frame(ramp)))) > 200, "a grey ramp must keep (nearly) every level"
    rng = np.random.default_rng(0)
    colourful = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    assert viz.gif_frame(colourful).mode == "P"


def test_shown_titles_do_not_overlap_the_row_above_and_wide_pictures_get_short_rows():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils.viz import show_images

    square = [np.full((64, 64, 3), 128, np.uint8)] * 8
    fig = show_images(square, [f"a title {i}" for i in range(8)], ncols=4, suptitle="two rows")
    fig.canvas.draw()
    axes = [ax for ax in fig.axes if ax.images]
    renderer = fig.canvas.get_renderer()
    for top, below in zip(axes[:4], axes[4:]):
        picture_bottom = top.get_window_extent(renderer).y0          # display px, y up
        title_top = below.title.get_window_extent(renderer).y1
        assert title_top < picture_bottom, (title_top, picture_bottom)
    wide = show_images([np.zeros((32, 128, 3), np.uint8)] * 4, ["w"] * 4, ncols=2)
    assert wide.get_size_inches()[1] < 0.6 * fig.get_size_inches()[1]
    plt.close("all")
