"""course_utils.driving: a real video file drives the portrait. FaceWorld clips give exact ground truth; the real
clips in ../shared/real_faces/ are used when present. Every bad input ends in one sentence (CourseError)."""

from __future__ import annotations

import hashlib
import subprocess

import imageio.v2 as imageio
import imageio_ffmpeg
import numpy as np
import pytest

from course_utils import driving, faces
from course_utils.config import REPO_ROOT
from course_utils.errors import CourseError
from course_utils.judge import mouth_opening, pearson

REAL = REPO_ROOT.parent / "shared" / "real_faces"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()  # the binary inside the imageio-ffmpeg wheel


def _write(path, frames, fps=25):
    imageio.mimwrite(str(path), list(frames), fps=fps, codec="libx264", quality=8, macro_block_size=2)
    return path


def _lavfi(path, *args):
    subprocess.run([FFMPEG, "-v", "error", "-y", *args, str(path)], check=True, timeout=120)
    return path


@pytest.fixture(scope="module")
def talking(tmp_path_factory):
    """A FaceWorld person talking, 60 frames at 256 px, with its true landmarks."""
    images, points, _ = faces.faceworld_driver(60, seed=3, head_motion=0.5, size=256)
    path = _write(tmp_path_factory.mktemp("clips") / "talking.mp4", images)
    return path, images, points * (256 / faces.REF_SIZE)


def test_a_faceworld_clip_is_tracked_close_to_the_truth(talking, isolated_cache):
    path, images, truth = talking
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    video = driving.load_video(path)
    assert video.frames.shape == (60, 256, 256, 3) and video.points.shape == (60, 68, 2) and video.fps == 25
    assert video.found.mean() >= 0.9
    iod = np.linalg.norm(truth[:, 36:42].mean(1) - truth[:, 42:48].mean(1), axis=1)
    nme = (np.linalg.norm(video.points - truth, axis=2).mean(1) / iod).mean()
    assert nme < 0.15, nme  # dlib on a rendered face; the real clips below hold it to photographs
    r = pearson([mouth_opening(p) for p in video.points], [mouth_opening(p) for p in truth])
    assert r > 0.8, r
    # the neutral frame has a closed mouth: among the fifth of frames with the smallest opening
    opening = np.array([mouth_opening(p) for p in video.points])
    assert opening[video.reference] <= np.quantile(opening, 0.2)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "the learner's file must never change"


def test_landmarks_are_cached_once_per_file(talking, isolated_cache, monkeypatch):
    path = talking[0]
    first = driving.load_video(path)
    assert len(list((isolated_cache / "drivers").glob("*.npz"))) == 1
    monkeypatch.setattr(driving, "track", lambda frames: pytest.fail("the cache was not used"))
    second = driving.load_video(path)
    np.testing.assert_array_equal(first.points, second.points)


def test_smoothing_removes_jitter_without_lag():
    t = np.arange(100)
    clean = np.stack([np.stack([10 * np.sin(t / 3.0), np.zeros(100)], 1)] * 68, 1).astype(np.float32)
    noisy = clean + np.random.default_rng(0).normal(0, 1.0, clean.shape).astype(np.float32)
    smooth = driving.smooth(noisy)
    assert np.abs(smooth - clean).mean() < 0.7 * np.abs(noisy - clean).mean()
    lags = [np.abs(np.roll(smooth[:, 0, 0], k) - clean[:, 0, 0])[5:-5].mean() for k in (-2, -1, 0, 1, 2)]
    assert int(np.argmin(lags)) == 2, "a centred filter has no lag"


def test_several_faces_follow_the_most_confident_and_say_so(tmp_path, isolated_cache):
    a, _, _ = faces.faceworld_driver(20, seed=3, head_motion=0.3, size=192)
    b, _, _ = faces.faceworld_driver(20, seed=8, head_motion=0.3, size=192)
    video = driving.load_video(_write(tmp_path / "two.mp4", np.concatenate([a, b], axis=2)))
    assert any("faces are in view" in n for n in video.notes), video.notes
    xs = video.points[:, :, 0].mean(1)
    assert xs.std() < 10, "it must keep following one face, not jump between them"


def test_a_face_that_leaves_is_held_and_reported(talking, tmp_path, isolated_cache):
    images = talking[1].copy()
    images[45:] = 128  # the last quarter: nobody in view
    video = driving.load_video(_write(tmp_path / "leaves.mp4", images))
    assert not video.found[50:].any() and any("lost in" in n for n in video.notes)
    np.testing.assert_allclose(video.raw_points[59], video.raw_points[44], atol=1e-4)
    images[10:] = 128  # then most of the clip has no face: refused in one sentence
    with pytest.raises(CourseError, match="found in only"):
        driving.load_video(_write(tmp_path / "gone.mp4", images))


def test_huge_and_long_and_variable_rate_videos(talking, tmp_path, isolated_cache, monkeypatch):
    # 4K: read at 512 px for the landmarks, handed out at 256
    big = np.stack([np.pad(np.repeat(np.repeat(f, 4, 0), 4, 1), ((56, 56), (1408, 1408), (0, 0)), constant_values=90)
                    for f in talking[1][:10]])
    assert big.shape[1:3] == (1136, 3840)
    video = driving.load_video(_write(tmp_path / "wide.mp4", big))
    assert video.frames.shape[1:3] == (76, 256) and any("read at 512" in n for n in video.notes)
    # ten minutes long: only the first MAX_SECONDS are decoded, and the note says so
    long = _lavfi(tmp_path / "long.mp4", "-f", "lavfi", "-i", "color=c=gray:s=64x64:r=25:d=600", "-c:v", "libx264",
                  "-preset", "ultrafast")
    _, small, notes = driving.decode(long)
    assert len(small) == int(driving.MAX_SECONDS * driving.FPS) and any("lasts 600 s" in n for n in notes)
    # a variable frame rate (frames dropped irregularly) is read at a constant 25 fps
    vfr = _lavfi(tmp_path / "vfr.mp4", "-f", "lavfi", "-i", "testsrc=s=64x64:r=30:d=4",
                 "-vf", r"select='not(mod(n\,3))+eq(mod(n\,7)\,1)'", "-fps_mode", "vfr", "-c:v", "libx264")
    _, small, notes = driving.decode(vfr)
    assert abs(len(small) - 100) <= 2, len(small)
    # a file over the size limit is refused before decoding
    monkeypatch.setattr(driving, "MAX_BYTES", 1000)
    with pytest.raises(CourseError, match="MB"):
        driving.load_video(talking[0])


@pytest.mark.parametrize("kind, match", [
    ("text", "not a video"), ("empty", "empty"), ("sound", "no video picture"), ("noface", "No face"),
    ("missing", "no file"), ("folder", "folder"),
])
def test_bad_videos_get_one_sentence(kind, match, tmp_path, isolated_cache):
    path = tmp_path / "clip.mp4"
    if kind == "text":
        path.write_text("this is my essay, not a video")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "sound":
        path = _lavfi(tmp_path / "sound.m4a", "-f", "lavfi", "-i", "sine=frequency=440:duration=1")
    elif kind == "noface":
        _lavfi(path, "-f", "lavfi", "-i", "color=c=gray:s=128x128:r=25:d=1", "-c:v", "libx264")
    elif kind == "folder":
        path.mkdir()
    with pytest.raises(CourseError, match=match) as err:
        driving.load_video(path)
    assert "\n" not in str(err.value) and str(err.value).endswith(".")


@pytest.mark.skipif(not REAL.exists(), reason="../shared/real_faces/ is absent (outside the course's workplace)")
@pytest.mark.parametrize("clip", ["speaker_d18.mp4", "speaker_d20.mp4"])
def test_real_clips_are_tracked(clip, isolated_cache):
    video = driving.load_video(REAL / clip)
    assert video.found.mean() > 0.95
    opening = np.array([mouth_opening(p) for p in video.points])
    assert opening.max() - opening.min() > 0.2, "people talking open their mouths"
    assert opening[video.reference] <= np.quantile(opening, 0.2)


# ----------------------------------------------------------------------------- which video drives, and the fetched clip

def test_offline_with_nothing_uploaded_faceworld_drives_and_says_so(isolated_cache):
    video, said = driving.course_driver(2)
    assert video is None
    assert "FaceWorld person drives" in said and "offline" in said


def _fetched(monkeypatch, path):
    """fetch.REAL_DRIVER pointed at a local file (urllib reads file:// addresses), fetched into the cache."""
    from course_utils import fetch

    item = fetch.Item(fetch.REAL_DRIVER.name, fetch.REAL_DRIVER.filename, (path.resolve().as_uri(),))
    monkeypatch.setattr(fetch, "REAL_DRIVER", item)
    return fetch.fetch_item(item, fetch.real_driver_path(), timeout=5), fetch.real_driver_path()


def test_the_fetched_clip_is_checked_kept_with_its_provenance_and_drives(talking, isolated_cache, monkeypatch):
    import json

    report, dest = _fetched(monkeypatch, talking[0])
    assert report.startswith("✔") and dest.exists(), report
    record = json.loads(dest.with_suffix(".json").read_text())
    assert record["sha256"] == hashlib.sha256(talking[0].read_bytes()).hexdigest()
    assert "public domain" in record["licence"] and record["url"].startswith("file:")
    video, said = driving.course_driver(2)
    assert video is not None and len(video) == 50 and "NASA" in said
    assert video.face_frames(96).shape == (50, 96, 96, 3)


@pytest.mark.parametrize("kind", ["text", "no_face"])
def test_a_fetched_file_that_cannot_drive_is_not_kept(kind, tmp_path, isolated_cache, monkeypatch):
    if kind == "text":
        bad = tmp_path / "page.webm"
        bad.write_text("<html>rate limited</html>")
    else:
        bad = _write(tmp_path / "grey.mp4", np.full((30, 128, 128, 3), 128, np.uint8))
    report, dest = _fetched(monkeypatch, bad)
    assert report.startswith("✘") and "not a usable driving video" in report, report
    assert not dest.exists() and not list(dest.parent.glob("*.part*")) and not dest.with_suffix(".json").exists()


def test_the_learners_upload_drives_first_and_is_never_overwritten(talking, isolated_cache, monkeypatch):
    _fetched(monkeypatch, talking[0])
    data = talking[0].read_bytes()
    first = driving.save_video_upload(data, "Me Talking.mp4")
    second = driving.save_video_upload(b"not a video at all", "Me Talking.mp4")
    assert first.name == "me_talking.mp4" and second.name == "me_talking_2.mp4"
    assert first.read_bytes() == data, "an earlier upload must never be overwritten"
    # the newest upload is broken: the sentence says so and the fetched clip drives
    video, said = driving.course_driver(2)
    assert video is not None and "me_talking_2.mp4 cannot drive" in said and "NASA" in said
    second.unlink()
    video, said = driving.course_driver(2)
    assert video is not None and said == "Driver: your video me_talking.mp4."


def test_uploads_that_are_not_videos_or_too_big_get_one_sentence(isolated_cache, monkeypatch):
    with pytest.raises(CourseError, match="not named as a video"):
        driving.save_video_upload(b"x", "holiday.jpg")
    monkeypatch.setattr(driving, "MAX_BYTES", 10)
    with pytest.raises(CourseError, match="cut a shorter clip"):
        driving.save_video_upload(b"x" * 11, "long.mp4")
    assert not driving.video_uploads_dir().exists() or not list(driving.video_uploads_dir().iterdir())


def test_the_video_upload_widget_keeps_reads_and_reports(talking, isolated_cache, capsys):
    import datetime

    def file(name, content):  # what ipywidgets 8 puts in FileUpload.value for one file
        return ({"name": name, "type": "video/mp4", "size": len(content), "content": memoryview(content),
                 "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},)

    seen = []
    box = driving.video_upload_widget(seen.append)
    box.upload.value = file("clip.mp4", talking[0].read_bytes())
    assert len(seen) == 1 and len(seen[0]) == 60
    assert (driving.video_uploads_dir() / "clip.mp4").read_bytes() == talking[0].read_bytes()
    box.upload.value = file("notes.txt", b"hello")
    assert len(seen) == 1 and capsys.readouterr().out.endswith("✘ notes.txt is not named as a video; upload one of: "
                                                               + ", ".join(driving.VIDEO_TYPES) + ".\n")
    box.upload.value = file("broken.mp4", b"not really a video")
    assert len(seen) == 1 and "✘ broken.mp4 is not a video that can be read" in capsys.readouterr().out
    assert sorted(p.name for p in driving.video_uploads_dir().iterdir()) == ["clip.mp4"], "only what drives is kept"
