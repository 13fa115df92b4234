from course_utils import envcheck
from course_utils.fetch import FACE_ALIGNMENT_WEIGHTS


def test_dlib_model_found_offline():
    path = envcheck.dlib_model_path()
    assert path is not None and path.name == "shape_predictor_68_face_landmarks.dat" and path.stat().st_size > 50e6


def test_face_alignment_weights_absent_then_present(isolated_cache):
    ok, why = envcheck.face_alignment_weights()
    assert not ok and "python -m course_utils.fetch" in why
    folder = isolated_cache / "torch-hub" / "checkpoints"
    folder.mkdir(parents=True)
    for item in FACE_ALIGNMENT_WEIGHTS:
        (folder / item.filename).write_bytes(b"x")
    ok, why = envcheck.face_alignment_weights()
    assert ok and str(folder) in why


def test_report_rows_name_each_detector(isolated_cache):
    rows = {r.what: r for r in envcheck.environment_rows()}
    assert rows["dlib 68-point detector (offline)"].ok is True
    assert rows["face-alignment (detector of record)"].ok is False
    assert rows["Mona Lisa image"].ok is False
    assert str(isolated_cache) in rows["Data cache"].detail
    text = envcheck.as_text(list(rows.values()))
    assert "✔" in text and "✘" in text
    html = envcheck.as_html(list(rows.values()))
    assert html.count("<tr>") == len(rows) + 1
