import numpy as np

from course_utils.bench import landmarks as suite


def test_nme_is_relative_to_inter_ocular_distance():
    truth = np.zeros((68, 2), np.float32)
    truth[36], truth[45] = (10, 20), (50, 20)  # inter-ocular distance 40
    assert suite._nme([truth + [4, 0]], [truth]) == 0.1


def test_missing_course_detector_is_skipped_and_fails_the_bars(monkeypatch):
    monkeypatch.setattr("course_utils.landmarks.usable_backends",
                        lambda: {"face_alignment": "weights not cached", "dlib": "missing", "course": "not shipped"})
    monkeypatch.setattr(suite, "_test_renders", lambda n, f, s: (np.zeros((2, 128, 128, 3), np.uint8), np.zeros((2, 68, 2))))
    result = suite.run("quick")
    assert not result.ok
    assert {r["figure"]: r["result"] for r in result.rows} == {"course_nme": "SKIPPED", "course_fps": "SKIPPED"}
    assert any("course detector skipped: not shipped" in n for n in result.notes)
