import numpy as np

from course_utils.bench import deblur as suite
from course_utils.errors import CourseError


def _fake_compare(learned_psnr):
    def compare(n, model=None):
        psnr = {"blurred": 28.0, "wiener": 31.0, "richardson_lucy": 30.5, "learned": learned_psnr}
        return {"names": ["face_0", "astronaut"], "n": 2,
                "psnr": {m: np.array([v, v - 1]) for m, v in psnr.items()},
                "mean": {m: {"psnr": v - 0.5, "ssim": 0.9} for m, v in psnr.items()}}
    return compare


def test_learned_must_beat_wiener(monkeypatch):
    monkeypatch.setattr("course_utils.deblur.load_deblurrer", lambda: object())
    monkeypatch.setattr("course_utils.deblur.compare", _fake_compare(31.5))
    good = suite.run("quick")
    assert good.ok and good.figures["learned_minus_wiener_psnr"] == 0.5
    assert good.figures["psnr_astronaut_learned"] == 30.5
    monkeypatch.setattr("course_utils.deblur.compare", _fake_compare(30.9))
    assert not suite.run("quick").ok


def test_missing_checkpoint_is_skipped_and_fails(monkeypatch):
    def missing():
        raise CourseError("Checkpoint file deblur.pt is missing.")

    monkeypatch.setattr("course_utils.deblur.load_deblurrer", missing)
    result = suite.run("quick")
    assert not result.ok and result.rows == [{"figure": "learned_minus_wiener_psnr", "value": None,
                                              "bar": ">= 0.001", "result": "SKIPPED"}]
    assert "deblur.pt is missing" in result.notes[0]
