"""The live path (course_utils.live), the webcam widget's kernel side (course_utils.webcam) and the `live` bench suite,
without a browser or a camera: a FaceWorld person talking, sent as the widget sends camera frames."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from course_utils import images, live, webcam
from course_utils.bench import live as bench_live
from course_utils.errors import CourseError
from course_utils.faces.measures import mouth_opening


@pytest.fixture(scope="module")
def talking():
    """(camera JPEG frames, the driver's true landmarks): FaceWorld person 3 talking for 2 s."""
    from course_utils.faces.drivers import faceworld_driver

    frames, points, _ = faceworld_driver(50, seed=3, head_motion=0.5, size=240)
    return bench_live.camera_frames(frames), points


@pytest.fixture(scope="module")
def mona():
    return images.portrait("mona_lisa").image


def test_a_talking_driver_through_the_live_path_opens_and_closes_the_portraits_mouth(talking, mona):
    from course_utils import judge

    data, truth = talking
    session = live.LiveSession(mona, animator="warp")
    outs = [session.process(d, now=i / 25) for i, d in enumerate(data)]
    assert all(o.image is not None and o.image.shape == (live.SIZE, live.SIZE, 3) for o in outs)
    assert all(set(o.ms) == set(live.STAGES) for o in outs)
    made = np.array([mouth_opening(judge.look(o.image).points) for o in outs])
    true = np.array([mouth_opening(p) for p in truth])
    r = np.corrcoef(made, true)[0, 1]
    print(f"portrait's mouth vs the driver's true mouth: r = {r:.2f}; driver's range {true.min():.2f}-{true.max():.2f}")
    assert true.std() > 0.03 and r > 0.7
    jpeg = outs[0].jpeg
    assert jpeg[:2] == b"\xff\xd8" and np.array_equal(live.decode_frame(jpeg).shape, (live.SIZE, live.SIZE, 3))


def test_no_face_in_view_says_looking_for_a_face_and_the_session_goes_on(talking, mona):
    data, _ = talking
    session = live.LiveSession(mona, animator="warp")
    wall = bench_live.camera_frames(np.full((3, 240, 320, 3), 110, np.uint8))
    for i, d in enumerate(wall):
        out = session.process(d, now=i / 25)
        assert out.image is None and out.jpeg is None and out.status == live.LOOKING
        assert "track" in out.ms
    out = session.process(data[0], now=0.2)
    assert out.image is not None and out.status == ""


def test_a_camera_frame_that_is_not_a_picture_gets_one_sentence_and_is_skipped(talking, mona):
    data, _ = talking
    session = live.LiveSession(mona, animator="warp")
    for bad in (b"", b"not a jpeg at all", np.zeros((4, 4), np.uint8)):
        out = session.process(bad)
        assert out.image is None and out.status.endswith(".") and out.status.count(". ") == 0, out.status
    assert session.process(data[0]).image is not None


def test_a_portrait_without_a_face_is_refused_in_one_sentence():
    with pytest.raises(CourseError, match="No face"):
        live.LiveSession(np.full((200, 200, 3), 128, np.uint8))


def test_recording_writes_the_portraits_frames_to_a_new_mp4_and_never_overwrites(talking, mona, tmp_path):
    from course_utils.talking_heads.data import read_video

    data, _ = talking
    session = live.LiveSession(mona, animator="warp")
    saved = []
    for take in range(2):
        session.record(0.4, folder=tmp_path, name="me")
        assert session.recording
        for i, d in enumerate(data[:15]):
            out = session.process(d, now=10 * take + i / 25)
            if out.saved:
                saved.append(out.saved)
                break
        assert not session.recording
        if take == 0:
            first = hashlib.sha256(saved[0].read_bytes()).hexdigest()
    assert [p.name for p in saved] == ["me.mp4", "me_2.mp4"]
    assert hashlib.sha256(saved[0].read_bytes()).hexdigest() == first  # the first take is untouched
    video = read_video(saved[1])
    assert video.shape[1:] == (live.SIZE, live.SIZE, 3) and 8 <= len(video) <= 12  # 0.4 s at 25 fps


def test_a_recording_with_no_face_says_so_instead_of_writing_an_empty_file(mona, tmp_path):
    session = live.LiveSession(mona, animator="warp")
    session.record(0.2, folder=tmp_path)
    wall = bench_live.camera_frames(np.full((8, 240, 320, 3), 110, np.uint8))
    statuses = [session.process(d, now=i / 25).status for i, d in enumerate(wall)]
    assert any("Nothing was recorded" in s for s in statuses) and not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------- the widget's kernel side

def _puppet(mona, monkeypatch, animator="warp"):
    puppet = webcam.WebcamPuppet(mona, animator=animator)
    sent = []
    monkeypatch.setattr(puppet, "send", lambda content, buffers=None: sent.append((content, buffers or [])))
    return puppet, sent


def test_the_webcam_widget_answers_each_camera_frame_with_the_portrait_frame(talking, mona, monkeypatch):
    data, _ = talking
    puppet, sent = _puppet(mona, monkeypatch)
    assert puppet.animators and puppet.animators[-1][0] == "warp"
    puppet._on_msg(puppet, {"type": "camera", "on": True}, [])
    assert puppet.camera_on
    for i, d in enumerate(data[:3]):
        puppet._on_msg(puppet, {"type": "frame", "id": i}, [memoryview(d)])
    assert [c["id"] for c, _ in sent] == [0, 1, 2] and puppet.frames == 3
    content, buffers = sent[-1]
    assert content["type"] == "portrait" and "track" in content["stages"] and len(buffers) == 1
    assert live.decode_frame(bytes(buffers[0])).shape == (live.SIZE, live.SIZE, 3)
    puppet._on_msg(puppet, {"type": "frame", "id": 9}, [b"garbage"])
    assert sent[-1][1] == [] and "not a picture" in sent[-1][0]["status"]


def test_without_the_learned_animators_checkpoint_the_widget_says_so_and_uses_the_warp(mona, monkeypatch):
    import course_utils.animator.train as train

    def missing(*a, **k):
        raise CourseError("The learned animator's checkpoint is missing.")

    monkeypatch.setattr(train, "load_animator", missing)
    puppet, _ = _puppet(mona, monkeypatch)
    puppet.animator = "animator"
    assert puppet.animator == "warp" and "missing" in puppet.status and puppet.session.kind == "warp"


# ----------------------------------------------------------------------------- the bench suite

def test_the_live_suite_measures_every_animator_and_checks_its_bars(talking, monkeypatch):
    from course_utils.faces.drivers import faceworld_driver

    frames, points, _ = faceworld_driver(50, seed=3, head_motion=0.5, size=240)
    monkeypatch.setattr(bench_live, "clips", lambda quick, seconds: [("faceworld_3", frames[:30], None)])
    monkeypatch.setattr(bench_live, "faceworld_clip", lambda seconds: ("faceworld_3", frames, points))
    res = bench_live.run("quick")
    kinds = [k for k, _ in webcam.available_animators()]
    for kind in kinds:
        for name in ("live_fps_256", "live_latency_ms", "live_ms_decode", "live_ms_track", "live_ms_animate",
                     "live_ms_encode"):
            assert res.figures[f"{name}_{kind}"] > 0
        assert -1 <= res.figures[f"live_mouth_r_faceworld_{kind}"] <= 1
    assert res.figures["live_fps_256"] == res.figures[f"live_fps_256_{kinds[0]}"]
    assert res.budgets == {"live_fps_256": ">= 15", "live_latency_ms": "<= 120"}
    assert res.ok == (res.figures["live_fps_256"] >= 15 and res.figures["live_latency_ms"] <= 120)


def test_the_widgets_record_button_saves_the_portraits_frames_and_says_where(talking, mona, monkeypatch, tmp_path):
    data, _ = talking
    puppet, sent = _puppet(mona, monkeypatch)
    puppet.folder = tmp_path
    puppet._on_msg(puppet, {"type": "record", "seconds": 0.3}, [])
    for i, d in enumerate(data):
        puppet._on_msg(puppet, {"type": "frame", "id": i}, [d])
        if "Saved" in sent[-1][0]["status"]:
            break
    saved = list(tmp_path.glob("*.mp4"))
    assert len(saved) == 1 and str(saved[0]) in sent[-1][0]["status"]
    assert any(c["status"] == "Recording the portrait …" for c, _ in sent[:-1])
    puppet._on_msg(puppet, {"type": "frame", "id": 99}, [data[-1]])
    assert "Saved" in sent[-1][0]["status"]  # the message stays a few seconds, not one frame


def test_a_video_of_yourself_drives_the_portrait_into_a_new_mp4(mona, tmp_path):
    from course_utils.faces.drivers import faceworld_driver
    from course_utils.talking_heads.data import read_video, write_video

    frames, _, _ = faceworld_driver(30, seed=3, head_motion=0.5, size=240)
    me = write_video(tmp_path / "me.mp4", frames)
    out = tmp_path / "out"
    first, made = live.animate_video(mona, me, animator="warp", folder=out, name="me_portrait")
    second, _ = live.animate_video(mona, me, animator="warp", folder=out, name="me_portrait")
    assert (first.name, second.name) == ("me_portrait.mp4", "me_portrait_2.mp4")
    assert made.shape == (30, live.SIZE, live.SIZE, 3) and len(read_video(first)) == 30
    (tmp_path / "notes.mp4").write_bytes(b"not a video")
    with pytest.raises(CourseError):
        live.animate_video(mona, tmp_path / "notes.mp4", folder=out)
    assert sorted(p.name for p in out.iterdir()) == ["me_portrait.mp4", "me_portrait_2.mp4"]


def test_recentre_takes_the_next_second_as_the_neutral_face(talking, mona, monkeypatch):
    data, truth = talking
    puppet, sent = _puppet(mona, monkeypatch)
    opened = int(np.argmax([mouth_opening(p) for p in truth]))
    puppet.session.process(data[opened], now=0.0)       # the first face seen has its mouth open
    first = puppet.session.reference.copy()
    puppet._on_msg(puppet, {"type": "recenter"}, [])
    assert puppet.session.reference is None
    closed = int(np.argmin([mouth_opening(p) for p in truth]))
    puppet._on_msg(puppet, {"type": "frame", "id": 1}, [data[closed]])
    assert "Re-centred" in sent[-1][0]["status"]
    assert mouth_opening(puppet.session.reference) < mouth_opening(first)
