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
