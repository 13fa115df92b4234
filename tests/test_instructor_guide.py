"""The instructor guide's timings are the bench's measurements, for every notebook."""

import json

from course_utils import nbtools


def test_guide_timings_match_the_committed_bench_results():
    assert nbtools.guide_problems() == []


def test_every_notebook_was_measured_in_each_committed_mode():
    files = sorted(nbtools.TIMINGS_DIR.glob("notebooks-*.json"))
    assert any(f.name == "notebooks-quick.json" for f in files), "no quick-mode measurement in docs/timings/"
    for path in files:
        mode = path.stem.split("-", 1)[1]
        figures = json.loads(path.read_text())["figures"]
        missing = [p.stem for p in nbtools.notebook_paths() if f"wall_s_{p.stem}" not in figures]
        assert not missing, f"not in docs/timings/notebooks-{mode}.json: {missing}; re-run the bench"


def test_a_changed_measurement_is_caught(tmp_path):
    timings, guide = tmp_path / "timings", tmp_path / "guide.md"
    timings.mkdir()
    for mode in ("quick", "standard"):
        (timings / f"notebooks-{mode}.json").write_text(json.dumps(
            {"created": "x", "figures": {"wall_s_00_welcome": 12.0, "peak_mb_00_welcome": 300.0}}))
    guide.write_text(f"intro\n{nbtools.GUIDE_START}\n{nbtools.GUIDE_END}\nrest\n")
    assert nbtools.guide_problems(guide, timings)            # empty block: differs
    nbtools.write_guide(guide, timings)
    assert nbtools.guide_problems(guide, timings) == [] and "| `00_welcome` | 12 | 300 |" in guide.read_text()
    assert guide.read_text().endswith("rest\n")
    (timings / "notebooks-quick.json").write_text(json.dumps({"figures": {"wall_s_00_welcome": 99.0}}))
    assert nbtools.guide_problems(guide, timings)


def test_working_times_are_read_from_the_notebook_header():
    work = nbtools.working_times(nbtools.NOTEBOOK_DIR / "07_gans_in_a_nutshell.py")
    assert work["quick"].startswith("30 min") and "exercises" in work["standard"]
