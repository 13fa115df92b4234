from course_utils import envcheck
from course_utils.fetch import FACE_ALIGNMENT_WEIGHTS


def test_dlib_model_found_offline():
    from course_utils.models_dlib import dlib_model_path

    path = dlib_model_path()
    assert path is not None and path.name == "shape_predictor_68_face_landmarks.dat" and path.stat().st_size > 50e6


def _face_alignment_row():
    return next(r for r in envcheck.detector_rows() if r.what.startswith("face-alignment"))


def test_face_alignment_weights_absent_then_present(isolated_cache):
    row = _face_alignment_row()
    assert row.ok is False and "python -m course_utils.fetch" in row.detail
    folder = isolated_cache / "torch-hub" / "checkpoints"
    folder.mkdir(parents=True)
    for item in FACE_ALIGNMENT_WEIGHTS:
        (folder / item.filename).write_bytes(b"x")
    row = _face_alignment_row()
    assert row.ok is True and str(folder) in row.detail


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
