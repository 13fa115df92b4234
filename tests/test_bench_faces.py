import numpy as np

from course_utils.bench import faces as suite


def test_flow_warp_mae_is_small_with_head_light_and_larger_without():
    with_head = suite.flow_warp_mae(pairs=2, size=64, light_follows_head=True, seed=3)
    camera = suite.flow_warp_mae(pairs=2, size=64, light_follows_head=False, seed=3)
    assert 0 < with_head <= 3.0
    assert camera > with_head, "a light fixed to the camera changes shading: the warp cannot reproduce it"


def test_bars_decide_the_verdict(monkeypatch):
    class Agreement:
        detect_rate, mean_nme = 0.95, 0.12  # nme misses its bar

    monkeypatch.setattr(suite, "_one_core_figures", lambda: {"fps_64": 250.0, "fps_128": 60.0,
                                                              "landmark_image_per_s_64": 5000.0})
    monkeypatch.setattr("course_utils.faces.dlib_check.dlib_agreement", lambda **kw: Agreement())
    monkeypatch.setattr(suite, "plain_dlib_detect_rate", lambda n: 0.8)
    monkeypatch.setattr(suite, "flow_warp_mae", lambda pairs, light_follows_head=True: 1.0 if light_follows_head else 5.0)
    result = suite.run("quick")
    rows = {r["figure"]: r["result"] for r in result.rows}
    assert rows["dlib_nme"] == "MISSED" and rows["fps_64"] == "pass" and rows["flow_warp_mae_camera_light"] == "info"
    assert rows["dlib_detect_rate_plain"] == "info"
    assert not result.ok
    assert set(result.figures) >= {"fps_64", "fps_128", "dlib_detect_rate", "dlib_nme", "flow_warp_mae"}
    assert all(np.isfinite(v) for v in result.figures.values())
