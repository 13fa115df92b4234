import datetime
import io

import numpy as np
import pytest
from PIL import Image

from course_utils import CourseError, images


def _png(im, fmt="PNG", **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _rgb(h=40, w=60):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_path_bytes_file_and_upload_value_agree(tmp_path):
    arr = _rgb()
    data = _png(Image.fromarray(arr))
    path = tmp_path / "x.png"
    path.write_bytes(data)
    for source in (path, str(path), data, io.BytesIO(data), ({"name": "x.png", "content": memoryview(data)},),
                   {"x.png": {"content": data}}):
        out = images.load_image(source)
        assert out.dtype == np.uint8 and out.shape == (40, 60, 3) and np.array_equal(out, arr)


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "LA", "1", "CMYK", "I;16"])
def test_every_mode_becomes_rgb_uint8(mode):
    base = Image.fromarray(_rgb())
    if mode == "I;16":
        im = Image.fromarray((np.linspace(0, 65535, 40 * 60).reshape(40, 60)).astype(np.uint16))
    else:
        im = base.convert(mode)
    fmt = "JPEG" if mode == "CMYK" else ("TIFF" if mode == "LA" else "PNG")
    out = images.load_image(_png(im, fmt))
    assert out.shape == (40, 60, 3) and out.dtype == np.uint8
    if mode == "I;16":
        assert out.max() == 255 and out.min() == 0, "16-bit range is scaled to 0-255, not clipped"


def test_transparent_pixels_become_white():
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 200
    out = images.load_image(_png(Image.fromarray(rgba, "RGBA")))
    assert (out == 255).all()


def test_exif_rotation_is_applied():
    arr = np.zeros((30, 80, 3), np.uint8)
    arr[:, :10] = 255  # a white stripe on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    out = images.load_image(_png(Image.fromarray(arr), "JPEG", exif=exif, quality=95))
    assert out.shape == (80, 30, 3)
    assert out[:10].mean() > 200 and out[-10:].mean() < 50, "the stripe ends up on top"


def test_huge_image_is_downscaled_while_loading():
    big = Image.fromarray(np.full((3000, 4000, 3), 90, np.uint8))
    out = images.load_image(_png(big, "JPEG"))
    assert max(out.shape[:2]) == images.MAX_SIDE and out.shape[:2] == (768, 1024)


@pytest.mark.parametrize(
    "source, message",
    [
        (b"this is a text file, not a picture", "not a picture the course can read"),
        (b"", "empty"),
        ("/nonexistent/photo.jpg", "There is no file"),
        (3.14, "not a float"),
    ],
)
def test_bad_inputs_give_one_sentence(source, message):
    with pytest.raises(CourseError, match=message) as info:
        images.load_image(source)
    assert "\n" not in str(info.value)


def test_truncated_file():
    data = _png(Image.fromarray(_rgb(200, 200)), "JPEG")
    with pytest.raises(CourseError, match="damaged or incomplete"):
        images.load_image(data[: len(data) // 3])


def test_pixel_bomb_refused_before_decoding():
    # 100 million pixels (a 1-bit PNG of a few kB): refused from the header, before decoding
    im = Image.new("1", (10000, 10000))
    with pytest.raises(CourseError, match="too many pixels|too large"):
        images.load_image(_png(im))


@pytest.mark.parametrize("arr, expected", [
    (np.ones((4, 5)), 255), (np.full((4, 5, 1), 0.5), 128), (np.full((4, 5), 300, np.uint16), 1),
    (np.ones((4, 5), bool), 255), (np.full((4, 5, 3), 77, np.uint8), 77)])
def test_arrays(arr, expected):
    out = images.array_to_rgb(arr)
    assert out.shape == (4, 5, 3) and out.dtype == np.uint8 and int(out[0, 0, 0]) == expected


def test_bad_arrays():
    with pytest.raises(CourseError, match=r"\(H, W\)"):
        images.array_to_rgb(np.zeros((4, 5, 2)))
    with pytest.raises(CourseError, match="NaN"):
        images.array_to_rgb(np.full((4, 5), np.nan))


def test_portraits_registry_and_uploads(isolated_cache, monkeypatch):
    monkeypatch.setenv("CI", "true")
    astro = images.portrait("astronaut")
    assert astro.image.shape == (512, 512, 3) and not astro.stand_in
    mona = images.portrait("mona_lisa")  # offline, in CI: the painting from the mvtb-data package
    assert not mona.stand_in and mona.image.shape == (700, 677, 3) and "mvtb-data" in mona.source
    hopper = images.portrait("grace_hopper")
    assert hopper.image.shape == (600, 512, 3) and "public domain" in hopper.source
    data = _png(Image.fromarray(_rgb()))
    first = images.save_upload(data, "My Photo.png")
    second = images.save_upload(_png(Image.fromarray(_rgb()[::-1])), "my photo.jpg")
    assert (first, second) == ("my_photo", "my_photo_2"), "a second upload never overwrites the first"
    assert images.available_portraits() == ["astronaut", "mona_lisa", "grace_hopper", "my_photo", "my_photo_2"]
    assert np.array_equal(images.portrait("my_photo").image, _rgb())
    with pytest.raises(CourseError, match="no portrait called 'nobody'"):
        images.portrait("nobody")
    with pytest.raises(CourseError, match="not a picture"):
        images.save_upload(b"nope", "bad.png")
    assert images.available_portraits()[3:] == ["my_photo", "my_photo_2"]


def test_upload_widget_reads_hands_over_keeps_and_explains(isolated_cache, capsys):
    seen = []
    widget = images.upload_widget(seen.append, "Upload a photo")
    assert widget.upload.description == "Upload a photo" and widget.children == (widget.upload, widget.output)

    def file(name, content):  # what ipywidgets 8 puts in FileUpload.value for one file
        return ({"name": name, "type": "image/png", "size": len(content), "content": memoryview(content),
                 "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},)

    def upload(name, content):
        widget.upload.value = file(name, content)

    upload("Me.png", _png(Image.fromarray(_rgb())))
    upload("me.png", _png(Image.fromarray(_rgb()[::-1])))
    assert len(seen) == 2 and np.array_equal(seen[0], _rgb()) and np.array_equal(seen[1], _rgb()[::-1])
    assert images.available_portraits()[3:] == ["me", "me_2"], "kept, and never overwritten"
    upload("notes.png", b"these bytes are not a picture")
    # (outside a notebook, the area's clear_output prints terminal codes first)
    assert len(seen) == 2 and "\r✘ The uploaded data is not a picture" in capsys.readouterr().out

    def no_face(image):
        raise CourseError("No face was found in this picture.")

    images.upload_widget(no_face).upload.value = file("x.png", _png(Image.fromarray(_rgb())))
    assert capsys.readouterr().out.endswith("\r✘ No face was found in this picture.\n")
    assert images.available_portraits()[3:] == ["me", "me_2"], "a picture on_image refused is not kept"
    assert images.upload_name({"photo.jpg": {"content": b"", "metadata": {"name": "photo.jpg"}}}) == "photo.jpg"


def test_the_real_painting_is_found_by_dlib():
    mona = images.mona_lisa()
    assert not mona.stand_in
    from course_utils import landmarks

    faces = landmarks.detect(mona.image, backend="dlib").faces
    assert len(faces) == 1
    lo, hi = faces[0].points.min(0), faces[0].points.max(0)
    assert 200 < (lo[0] + hi[0]) / 2 < 450 and 100 < (lo[1] + hi[1]) / 2 < 350, "her face, in the upper middle"


def test_without_the_package_a_cached_scan_then_a_labelled_stand_in(isolated_cache, monkeypatch):
    from course_utils.fetch import mona_lisa_path

    monkeypatch.setattr(images, "packaged_mona_lisa_path", lambda: None)
    monkeypatch.setenv("CI", "true")
    stand_in = images.portrait("mona_lisa")
    assert stand_in.stand_in and "mvtb-data package is not installed" in stand_in.source
    path = mona_lisa_path()
    path.parent.mkdir(parents=True)
    Image.fromarray(_rgb(300, 200)).save(path)
    mona = images.portrait("mona_lisa")
    assert not mona.stand_in and mona.image.shape == (300, 200, 3) and "public domain" in mona.source
    forced = images.mona_lisa_stand_in("dlib found no face on it")
    assert forced.stand_in and forced.source.startswith("STAND-IN: dlib found no face on it, so this is")


def test_messages_start_like_sentences():
    for source in (b"", b"not an image"):
        with pytest.raises(CourseError) as info:
            images.load_image(source)
        assert str(info.value)[0].isupper()
