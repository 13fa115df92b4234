"""The instructor guide's timings are the bench's measurements, for every notebook."""

import json

from course_utils.tools import notebooks
from course_utils.tools import timings as timing_tools


def test_guide_timings_match_the_committed_bench_results():
    assert timing_tools.guide_problems() == []


def test_every_notebook_was_measured_in_each_committed_mode():
    files = sorted(timing_tools.TIMINGS_DIR.glob("notebooks-*.json"))
    assert any(f.name == "notebooks-quick.json" for f in files), "no quick-mode measurement in docs/timings/"
    for path in files:
        mode = path.stem.split("-", 1)[1]
        figures = json.loads(path.read_text())["figures"]
        missing = [p.stem for p in notebooks.notebook_paths() if f"wall_s_{p.stem}" not in figures]
        assert not missing, f"not in docs/timings/notebooks-{mode}.json: {missing}; re-run the bench"


def test_a_changed_measurement_is_caught(tmp_path):
    timings, guide = tmp_path / "timings", tmp_path / "guide.md"
    timings.mkdir()
    for mode in ("quick", "standard"):
        (timings / f"notebooks-{mode}.json").write_text(json.dumps(
            {"created": "x", "figures": {"wall_s_00_welcome": 12.0, "peak_mb_00_welcome": 300.0}}))
    guide.write_text(f"intro\n{timing_tools.GUIDE_START}\n{timing_tools.GUIDE_END}\nrest\n")
    assert timing_tools.guide_problems(guide, timings)            # empty block: differs
    timing_tools.write_guide(guide, timings)
    assert timing_tools.guide_problems(guide, timings) == [] and "| `00_welcome` | 12 | 300 |" in guide.read_text()
    assert guide.read_text().endswith("rest\n")
    (timings / "notebooks-quick.json").write_text(json.dumps({"figures": {"wall_s_00_welcome": 99.0}}))
    assert timing_tools.guide_problems(guide, timings)


def test_working_times_are_read_from_the_notebook_header():
    work = timing_tools.working_times(notebooks.NOTEBOOK_DIR / "07_gans_in_a_nutshell.py")
    assert work["quick"].startswith("30 min") and "exercises" in work["standard"]


def test_readme_chapter_times_match_the_committed_bench_results():
    assert timing_tools.readme_problems() == []


def test_readme_times_are_rewritten_and_a_change_is_caught(tmp_path):
    timings, readme = tmp_path / "timings", tmp_path / "README.md"
    timings.mkdir()
    (timings / "notebooks-quick.json").write_text(json.dumps({"figures": {"wall_s_00_welcome": 12.0}}))
    (timings / "notebooks-standard.json").write_text(json.dumps({"figures": {"wall_s_00_welcome": 151.0}}))
    row = "| 00 | `00_welcome` | how to use it | ≈ 40 s | ≈ 1 min |\n"
    readme.write_text("# title\n| # | notebook | idea | quick | standard |\n" + row + "after | a | b\n")
    assert timing_tools.readme_problems(readme, timings)
    readme.write_text(timing_tools.readme_table(readme.read_text(), timings))
    assert "| 00 | `00_welcome` | how to use it | ≈ 10 s | ≈ 2.5 min |\n" in readme.read_text()
    assert readme.read_text().startswith("# title\n") and readme.read_text().endswith("after | a | b\n")
    assert timing_tools.readme_problems(readme, timings) == []
    (timings / "notebooks-standard.json").unlink()
    assert "| ≈ 10 s | not yet measured |" in timing_tools.readme_table(readme.read_text(), timings)


def test_approximate_times():
    assert [timing_tools.approx_time(s) for s in (1, 12, 57, 58, 89, 91, 600)] == [
        "≈ 5 s", "≈ 10 s", "≈ 55 s", "≈ 1 min", "≈ 1.5 min", "≈ 1.5 min", "≈ 10 min"]
    assert timing_tools.approx_time(None) == "not yet measured" and timing_tools.approx_time(float("nan")) == "not yet measured"


def test_one_core_measurement_is_summarised_under_the_table(tmp_path):
    (tmp_path / "notebooks-quick.json").write_text(json.dumps(
        {"created": "x", "figures": {"wall_s_00_welcome": 10.0, "wall_s_01_calculator_to_learning": 20.0}}))
    assert "Pinned to" not in timing_tools.guide_table(tmp_path)
    (tmp_path / "notebooks-quick-1cpu.json").write_text(json.dumps(
        {"created": "y", "machine": {"cpus_usable": 1},
         "figures": {"wall_s_00_welcome": 15.0, "wall_s_01_calculator_to_learning": 20.0}}))
    text = timing_tools.guide_table(tmp_path)
    assert "Pinned to 1 core" in text and "took 15–20 s per notebook: +25% on average against two cores, +50% at most" in text


def test_each_notebook_header_states_its_measured_running_time():
    assert timing_tools.header_problems() == []


def test_a_header_time_is_rewritten_from_the_measurement_and_a_change_is_caught():
    runs = {"quick": {"wall_s_nb": 24.0}, "standard": {"wall_s_nb": 86.0}}
    text = ("# | mode | running the notebook (2 CPU cores) | working through it |\n"
            "# | quick | ≤ 60 s (about 35 s): 10 people | 30 min |\n"
            "# | standard (default) | ≤ 10 min (about 4–5 min): 20 people | 60–90 min |\n"
            "# | full | as standard | 60–90 min |\n")
    new, changed = timing_tools.header_times(text, runs, "nb")
    assert len(changed) == 2 and "stated about 4–5 min, measured 86 s" in changed[1]
    assert "| quick | ≤ 60 s (about 25 s): 10 people | 30 min |" in new
    assert "| standard (default) | ≤ 10 min (about 1.5 min): 20 people | 60–90 min |" in new
    assert new.splitlines()[0] == text.splitlines()[0] and new.splitlines()[3] == text.splitlines()[3]
    assert timing_tools.header_times(new, runs, "nb")[1] == []          # now it agrees
    bare = "# | quick | ≤ 60 s: loads it | 45 min |\n# | quick | about 15 s |\n"
    new, changed = timing_tools.header_times(bare, runs, "nb")
    assert "| quick | ≤ 60 s (about 25 s): loads it | 45 min |" in new and len(changed) == 1  # one row per mode
