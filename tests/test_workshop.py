"""The workshop page's logic (course_utils.workshop), without a browser: clips, uploads, errors, the quiz."""

import io

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

from course_utils import workshop
from course_utils.config import REPO_ROOT
from course_utils.errors import CourseError


def _png_bytes(size=(80, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buf, format="PNG")
    return buf.getvalue()


# ----------------------------------------------------------------------------------------- clips

def test_clips_have_unique_labels_and_seeds_and_are_found_by_label():
    labels = [c.label for c in workshop.CLIPS]
    assert len(workshop.CLIPS) >= 2
    assert len(set(labels)) == len(labels) and len({c.seed for c in workshop.CLIPS}) == len(labels)
    for clip in workshop.CLIPS:
        assert workshop.clip_by_label(clip.label) is clip
        assert 0 <= clip.head_motion <= 1 and clip.n_frames >= 10


def test_unknown_clip_is_one_sentence():
    with pytest.raises(CourseError, match="no driving clip called 'nope'"):
        workshop.clip_by_label("nope")


def test_the_fetched_real_clip_is_offered_and_drives(isolated_cache, tmp_path):
    from course_utils import faces, fetch

    assert workshop.clips() == workshop.CLIPS  # nothing fetched: FaceWorld clips only
    images, _, _ = faces.faceworld_driver(60, seed=3, head_motion=0.5, size=256)
    fetch.real_driver_path().parent.mkdir(parents=True)
    imageio.mimwrite(str(fetch.real_driver_path()), list(images), fps=25, codec="libvpx", quality=8, macro_block_size=2)
    real = workshop.clip_by_label(workshop.REAL_CLIP_LABEL)
    assert workshop.clips()[-1] == real and real.video
    frames, points, reference = workshop.driving_clip(real)
    assert frames.shape == (50, 128, 128, 3) and points.shape == (50, 68, 2) and reference.shape == (68, 2)
    assert workshop.REAL_CLIP_LABEL in workshop.WorkshopApp(background=False).clip.options


def test_driving_clip_shapes():
    clip = workshop.Clip("tiny", seed=5, head_motion=0.3, n_frames=3)
    images, points, reference = workshop.driving_clip(clip)
    assert images.shape == (3, 128, 128, 3) and images.dtype == np.uint8
    assert points.shape == (3, 68, 2) and reference.shape == (68, 2)


# --------------------------------------------------------------------------------------- uploads

def test_upload_value_forms():
    data = _png_bytes()
    v8 = ({"name": "me.png", "type": "image/png", "size": len(data), "content": memoryview(data)},)
    v7 = {"me.png": {"metadata": {"name": "me.png"}, "content": data}}
    assert workshop.upload_content(v8) == (data, "me.png")
    assert workshop.upload_content(v7) == (data, "me.png")
    with pytest.raises(CourseError, match="Nothing was uploaded"):
        workshop.upload_content(())


def test_add_upload_keeps_a_good_picture(isolated_cache):
    data = _png_bytes()
    name = workshop.add_upload(({"name": "My Boss.png", "content": memoryview(data)},))
    assert name == "my_boss"
    assert workshop.load_portrait(name).image.shape == (60, 80, 3)


def test_bad_upload_is_refused_with_one_sentence(isolated_cache):
    with pytest.raises(CourseError) as err:
        workshop.add_upload(({"name": "notes.txt", "content": memoryview(b"this is not a picture")},))
    sentence = workshop.one_sentence(err.value)
    assert sentence and "\n" not in sentence and "Traceback" not in sentence
    assert not (isolated_cache / "uploads").exists() or not list((isolated_cache / "uploads").iterdir())


def test_one_sentence_for_unexpected_errors():
    text = workshop.one_sentence(ValueError("bad\n  shape (3,)\n"), "animating the portrait")
    assert text.startswith("Something went wrong while animating the portrait (ValueError: bad shape (3,))")
    assert "\n" not in text
    assert workshop.one_sentence(CourseError("No face was found.")) == "No face was found."


def test_mona_lisa_never_downloads_on_the_page(isolated_cache, monkeypatch):
    from course_utils import fetch

    def no_network(*args, **kwargs):
        raise AssertionError("the workshop page must not download")

    monkeypatch.setattr(fetch, "fetch_item", no_network)
    portrait = workshop.load_portrait("mona_lisa")  # offline: the painting from the mvtb-data package
    assert not portrait.stand_in and portrait.image.shape == (700, 677, 3)
    from course_utils import images

    monkeypatch.setattr(images, "packaged_mona_lisa_path", lambda: None)  # without the package: still no download
    portrait = workshop.load_portrait("mona_lisa")
    assert portrait.stand_in and portrait.image.ndim == 3


# ------------------------------------------------------------------------------------------ quiz

def test_quiz_is_deterministic_and_mixes_kinds_and_sides():
    a, b = workshop.Quiz(seed=3, n_rounds=8), workshop.Quiz(seed=3, n_rounds=8)
    assert a.rounds == b.rounds
    assert workshop.Quiz(seed=4, n_rounds=8).rounds != a.rounds
    assert {r.kind for r in a.rounds} == set(workshop.KINDS)
    assert len({r.seed for r in a.rounds}) == 8
    sides = [r.fake_side for q in range(5) for r in workshop.Quiz(seed=q, n_rounds=8).rounds]
    assert 0.25 < sides.count("A") / len(sides) < 0.75


def test_quiz_scores_each_round_once():
    quiz = workshop.Quiz(seed=0, n_rounds=3, kinds=("warp", "animator"))
    right = quiz.current.fake_side
    wrong = "B" if right == "A" else "A"
    feedback = quiz.answer(right.lower())
    assert feedback.correct and feedback.message.startswith("✔ Right") and quiz.score == 1
    with pytest.raises(CourseError, match="already answered"):
        quiz.answer(right)
    assert quiz.score == 1
    quiz.next_round()
    with pytest.raises(CourseError, match="Answer this round first"):
        quiz.next_round()
    feedback = quiz.answer("B" if quiz.current.fake_side == "A" else "A")
    assert not feedback.correct and f"{quiz.current.fake_side} was the fake" in feedback.message
    assert quiz.current.explanation in feedback.message
    assert quiz.score_line() == "Score: 1 / 2 · round 2 of 3"
    quiz.next_round()
    quiz.answer(quiz.current.fake_side)
    quiz.next_round()
    assert quiz.finished and quiz.score == 2 and quiz.score_line() == "Score: 2 / 3"
    assert quiz.summary().startswith("You spotted 2 of 3 fakes. Guessing would spot 1.5 on average, and 2 or more in 50%")
    with pytest.raises(CourseError, match="quiz is over"):
        quiz.answer(wrong)


def test_quiz_rejects_bad_answers_and_settings():
    quiz = workshop.Quiz(seed=0, n_rounds=2)
    with pytest.raises(CourseError, match="Answer 'A' or 'B'"):
        quiz.answer("C")
    assert quiz.score == 0 and not quiz.answered
    with pytest.raises(CourseError, match="kinds"):
        workshop.Quiz(kinds=("deepfake9000",))
    with pytest.raises(CourseError, match="1 to 20 rounds"):
        workshop.Quiz(n_rounds=0)


def test_without_the_learned_animator_the_quiz_has_warp_rounds_only(monkeypatch):
    def missing():
        raise CourseError("The learned animator's checkpoint is missing.")

    monkeypatch.setattr(workshop, "learned_animator", missing)
    assert workshop.quiz_kinds() == ("warp",)


def test_chance_of_a_score_by_guessing():
    assert workshop.chance_of_at_least(0, 8) == 1
    assert workshop.chance_of_at_least(8, 8) == 1 / 256
    assert workshop.chance_of_at_least(4, 8) == pytest.approx(163 / 256)


@pytest.mark.parametrize("kind", workshop.KINDS)
def test_round_pictures_are_a_real_photo_and_a_fake_of_it_on_their_sides(kind):
    from course_utils import watermark

    rnd = workshop.Round(kind, "A", seed=11, photo="grace_hopper")
    a, b, note = workshop.round_pictures(rnd)
    assert a.shape == b.shape == (workshop.QUIZ_SIZE, workshop.QUIZ_SIZE, 3) and a.dtype == np.uint8
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 2  # the two pictures differ
    a2, b2, _ = workshop.round_pictures(workshop.Round(kind, "B", seed=11, photo="grace_hopper"))
    assert np.array_equal(a, b2) and np.array_equal(b, a2)  # same pictures, sides swapped, deterministic
    marks = [watermark.read(x, key=workshop.WATERMARK_KEY).found for x in (a, b)]
    assert marks == ([True, False] if kind == "watermark" else [False, False])
    if kind == "watermark":
        assert "A: marked" in note and "B: no mark" in note
    elif kind == "detector":
        assert "detector trained to catch GAN pictures" in note and "A is" in note
    else:
        assert note == ""


def test_pick_the_blurrier_picture_scores_near_chance_on_the_quiz():
    """The quiz is not won by sharpness alone: both pictures are resampled and get their own camera processing."""
    rounds = [r for seed in range(3) for r in workshop.Quiz(seed=seed, n_rounds=8).rounds]
    hits = [("A" if workshop.sharpness(a) < workshop.sharpness(b) else "B") == r.fake_side
            for r in rounds for a, b in [workshop.round_images(r)]]
    print(f"'pick the blurrier' is right in {np.mean(hits):.0%} of {len(hits)} rounds")
    assert 0.3 <= np.mean(hits) <= 0.7


def test_the_gan_detector_of_the_quiz_catches_gan_pictures_it_was_trained_for():
    from course_utils import fakes

    d = fakes.build_image_set(n_train=1, n_test=2, frames=3, sources=("gan07",), verbose=False, seed=5)
    test = d.split == "test"
    said = np.array(workshop.detector_says(list(d.images[test]))) >= 0.5
    assert (said == d.label[test].astype(bool)).mean() >= 0.9


# ------------------------------------------------------------------------------------------- app

def test_app_builds_quickly_without_heavy_work(isolated_cache):
    import time

    t = time.perf_counter()
    app = workshop.WorkshopApp(background=False)
    assert time.perf_counter() - t < 10
    assert [v for _, v in app.portrait.options][:2] == ["astronaut", "mona_lisa"]
    assert list(app.clip.options) == [c.label for c in workshop.CLIPS]
    assert "Make it talk" in app.status.value and "<img" in app.preview.value
    assert "<img" not in app.warp_view.value and "<img" not in app.gan_view.value  # nothing animated yet


def test_app_shows_a_bad_upload_as_one_sentence(isolated_cache):
    app = workshop.WorkshopApp(background=False)
    app._on_upload({"new": ({"name": "x.png", "content": memoryview(b"not an image")},)})
    assert "⚠" in app.status.value and "Traceback" not in app.status.value
    assert app.portrait.value == "mona_lisa"
    app._on_upload({"new": ({"name": "boss.png", "content": memoryview(_png_bytes())},)})
    assert app.portrait.value == "boss" and "⚠" not in app.status.value


def test_app_reports_no_face_as_one_sentence(isolated_cache):
    app = workshop.WorkshopApp(background=False)
    app._on_upload({"new": ({"name": "flat.png", "content": memoryview(_png_bytes((200, 200)))},)})
    assert app.make_it_talk("flat", workshop.Clip("tiny", seed=5, n_frames=2), fine_tune=False) is False
    assert "⚠" in app.status.value and "face" in app.status.value.lower()
    assert "Traceback" not in app.status.value


def test_app_quiz_flow(isolated_cache, monkeypatch):
    monkeypatch.setattr(workshop, "quiz_kinds", lambda: ("warp",))
    app = workshop.WorkshopApp(quiz_rounds=2, background=False)
    app._on_quiz_start()
    assert "data:image/png" in app.picture_a.value and "round 1 of 2" in app.score.value
    app._on_pick(app.quiz.current.fake_side)
    assert "Right" in app.feedback.value and "Score: 1 / 1" in app.score.value
    app._on_next()
    app._on_pick("A")
    app._on_next()
    assert app.quiz.finished and "You spotted" in app.score.value and "Guessing would spot 1" in app.score.value
    assert "The room so far (every quiz finished on this machine): 1 quiz," in app.score.value
    app._on_quiz_start()
    for _ in range(2):
        app._on_pick("A")
        app._on_next()
    assert ": 2 quizzes," in app.score.value and "guessing spots 50%" in app.score.value


def test_workshop_notebook_pair_is_clean():
    from course_utils.tools import notebooks

    assert notebooks.pair_problems(REPO_ROOT / "notebooks" / "workshop.ipynb") == []


def test_app_without_the_gan_checkpoint_still_warps_and_says_why(isolated_cache, monkeypatch):
    def missing():
        raise CourseError("Checkpoint talking_heads_small.pt is missing; rebuild it with `python -m ...`.")

    monkeypatch.setattr(workshop, "talking_head_gan", missing)
    app = workshop.WorkshopApp(background=False)
    ok = app.make_it_talk("astronaut", workshop.Clip("tiny", seed=5, n_frames=2), fine_tune=False)
    assert ok is False
    assert "data:image/gif" in app.warp_view.value and "data:image/gif" in app.driver_view.value
    assert "talking_heads_small.pt is missing" in app.gan_view.value and "<img" not in app.gan_view.value
    assert "⚠" in app.status.value and "Traceback" not in app.status.value


def test_the_learned_animator_is_the_headline_and_a_missing_checkpoint_is_one_sentence(isolated_cache, monkeypatch):
    import torch

    from course_utils.animator.model import LearnedAnimator

    def missing():
        raise CourseError("Checkpoint animator.pt is missing; rebuild it with `python -m course_utils.animator train`.")

    monkeypatch.setattr(workshop, "learned_animator", missing)
    app = workshop.WorkshopApp(background=False)
    panels = app.studio.children[2].children
    assert panels[1] is app.learned_view and "ws-learned" in app.learned_view._dom_classes
    clip = workshop.Clip("tiny", seed=5, n_frames=2)
    assert app.make_it_talk("astronaut", clip, fine_tune=False) is True, "the other panels still play"
    assert "animator.pt is missing" in app.learned_view.value and "<img" not in app.learned_view.value
    assert "data:image/gif" in app.warp_view.value and "data:image/gif" in app.gan_view.value
    torch.manual_seed(0)
    plumbing = LearnedAnimator("tiny").eval()  # random weights: the panel's plumbing, not the model
    monkeypatch.setattr(workshop, "learned_animator", lambda: plumbing)
    app = workshop.WorkshopApp(background=False)
    assert app.make_it_talk("astronaut", clip, fine_tune=False) is True
    assert "data:image/gif" in app.learned_view.value and "Learned animator" in app.learned_view.value
    assert app._models["astronaut"]["learned"].source.shape == (workshop.FRAME_SIZE, workshop.FRAME_SIZE, 3)


def test_app_finds_the_face_once_for_warp_and_gan(isolated_cache, monkeypatch):
    from course_utils import landmarks

    calls = []
    real_detect = landmarks.detect

    def counting(image, *args, **kwargs):
        calls.append(np.asarray(image).shape)
        return real_detect(image, *args, **kwargs)

    monkeypatch.setattr(landmarks, "detect", counting)
    app = workshop.WorkshopApp(background=False)
    clip = workshop.Clip("tiny", seed=5, n_frames=2)
    assert app.make_it_talk("astronaut", clip, fine_tune=False) is True
    assert len(calls) == 1, f"the portrait's face was searched for {len(calls)} times"
    assert "data:image/gif" in app.warp_view.value and "data:image/gif" in app.gan_view.value
    # and framed once: the warp works on the very crop the GAN was given
    models = app._models["astronaut"]
    assert models["face"].shape == (workshop.FRAME_SIZE, workshop.FRAME_SIZE, 3)
    assert models["animator"].crop is models["face"] or np.array_equal(models["animator"].crop, models["face"])
    assert np.allclose(models["talker"].source_points, models["points"])
    assert app.make_it_talk("astronaut", clip, fine_tune=False) is True and len(calls) == 1   # kept for the portrait


def test_the_quiz_bench_suite_reports_the_blurrier_baseline_and_checks_it_is_near_chance():
    from course_utils.bench import quiz as bench_quiz

    res = bench_quiz.run("quick")
    assert res.figures["quiz_rounds"] == 24
    acc = res.figures["quiz_blurrier_accuracy"]
    assert res.figures["quiz_blurrier_gap"] == pytest.approx(abs(acc - 0.5))
    assert res.ok == (abs(acc - 0.5) <= 0.15)
    assert res.figures["quiz_watermark_read_accuracy"] == 1.0
    assert 0 <= res.figures["quiz_detector_caught_rate"] <= 1


def test_app_turns_an_uploaded_video_into_the_portraits_mp4_and_a_bad_one_into_one_sentence(isolated_cache):
    from course_utils.config import output_dir
    from course_utils.faces.drivers import faceworld_driver
    from course_utils.talking_heads.data import write_video

    frames, _, _ = faceworld_driver(20, seed=3, head_motion=0.5, size=200)
    data = write_video(output_dir("test") / "me.mp4", frames).read_bytes()
    app = workshop.WorkshopApp(background=False)
    app._on_video_upload({"new": ({"name": "me.mp4", "content": memoryview(data)},)})
    assert "Saved the portrait's animation as" in app.live_status.value and "⚠" not in app.live_status.value
    assert "data:image/gif" in app.video_view.value
    assert (output_dir("workshop") / "me_portrait.mp4").exists()
    app._on_video_upload({"new": ({"name": "holiday.mp4", "content": memoryview(b"not a video")},)})
    assert "⚠" in app.live_status.value and "Traceback" not in app.live_status.value
    assert (output_dir("workshop") / "me_portrait.mp4").exists() and app.video_upload.value == ()
