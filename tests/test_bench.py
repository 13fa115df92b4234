import json

import nbformat
import pytest

from course_utils import bench
from course_utils.bench import notebooks as nb_suite
from course_utils.tools import notebooks


def _write_notebook(folder, name, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def tiny_notebooks(tmp_path, monkeypatch):
    _write_notebook(tmp_path, "00_fine", "import os\nprint(os.environ['COURSE_MODE'])", "x = bytearray(200 * 2**20)")
    _write_notebook(tmp_path, "01_broken", "raise ValueError('boom')")
    monkeypatch.setattr(notebooks, "NOTEBOOK_DIR", tmp_path)
    monkeypatch.setattr(nb_suite, "notebook_paths", lambda: notebooks.notebook_paths(tmp_path))
    return tmp_path


def test_json_has_figures_rows_and_verdicts(tiny_notebooks, tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = bench.main(["notebooks", "--mode", "quick", "--json", str(out)])
    assert code == 1, "a failing notebook makes the bench exit non-zero"
    data = json.loads(out.read_text())
    assert data["suite"] == "notebooks" and data["mode"] == "quick" and data["ok"] is False
    figures = data["figures"]
    assert figures["pass_00_fine"] == 1.0 and figures["pass_01_broken"] == 0.0
    assert figures["notebooks_failed"] == 1.0
    assert 0 < figures["wall_s_00_fine"] < 60
    assert figures["peak_mb_00_fine"] > 200, "peak memory must include the 200 MB the notebook allocated"
    rows = {r["notebook"]: r for r in data["rows"]}
    assert rows["01_broken"]["result"] == "FAIL" and "ValueError: boom" in rows["01_broken"]["error"]
    assert data["machine"]["torch"].startswith("2.13")
    printed = capsys.readouterr().out
    assert "00_fine" in printed and "FAIL" in printed and "peak MB" in printed


def test_only_filters_and_passes(tiny_notebooks, tmp_path):
    out = tmp_path / "b.json"
    assert bench.main(["notebooks", "--only", "00", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert set(r["notebook"] for r in data["rows"]) == {"00_fine"} and data["ok"] is True


def test_over_budget_is_reported(tiny_notebooks, monkeypatch):
    monkeypatch.setitem(nb_suite.BUDGETS, "quick", (60.0, 50.0))
    result = nb_suite.run("quick", only=["00"])
    assert not result.ok and result.rows[0]["result"] == "OVER BUDGET"


def test_course_mode_reaches_the_kernel(tiny_notebooks):
    run = notebooks.execute_notebook(tiny_notebooks / "00_fine.ipynb", "standard")
    assert run.ok and run.executed.cells[0].outputs[0]["text"].strip() == "standard"


def test_format_table_aligns_columns():
    text = bench.format_table([{"a": "x", "b": 1.234}, {"a": "longer", "b": 12.5}], ["a", "b"])
    lines = text.splitlines()
    assert lines[0].startswith("a") and len({len(line) for line in lines}) == 1
    assert "1.23" in text and "12.5" in text


def test_notebook_peak_memory_does_not_count_the_kernel_twice(tmp_path):
    """A child process started from a big kernel (ffmpeg writing an MP4, say) is charged the kernel's memory in
    ru_maxrss; the bench's peak must still be about one kernel, and must see a real allocation."""
    import nbformat

    from course_utils.tools.notebooks import execute_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np, subprocess\nx = np.ones(400 * 2**20 // 8)\n"
                                          "subprocess.run(['true'])")]
    path = tmp_path / "big.ipynb"
    nbformat.write(nb, path)
    run = execute_notebook(path, "quick", timeout=120)
    assert run.ok, run.error
    assert 400 < run.peak_mb < 750, run.peak_mb


def test_a_suite_s_cases_reach_the_json_and_other_suites_write_none(tiny_notebooks, tmp_path, monkeypatch):
    from course_utils.bench.result import SuiteResult

    cases = [{"method": "m", "portrait": "p", "driver": "d", "mouth_r": None}]
    fake = SuiteResult(figures={"x": 1.0}, rows=[{"figure": "x"}], columns=["figure"], ok=True, cases=cases)
    monkeypatch.setitem(bench.SUITES, "notebooks", (bench.SUITES["notebooks"][0], lambda mode, args: fake))
    out = tmp_path / "cases.json"
    assert bench.main(["notebooks", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["cases"] == cases
    fake.cases = []
    assert bench.main(["notebooks", "--json", str(out)]) == 0
    assert "cases" not in json.loads(out.read_text())
