"""Student versions: every solution block becomes `raise NotImplementedError`, checks stay, pairs stay in sync."""

import contextlib
import io

import jupytext
import nbformat
import pytest

from course_utils.tools import notebooks
from course_utils.tools import student as student_tools

FUNCTION_CELL = '''\
def double(x):
    """Twice x."""
    y = x
    ### BEGIN SOLUTION
    return 2 * y
    ### END SOLUTION'''

METHOD_CELL = '''\
class Box:
    def area(self, w, h):
        if w < 0:
            ### BEGIN SOLUTION
            raise ValueError("negative width")
            ### END SOLUTION
        return w * h'''

CHECK_CELL = '''\
from course_utils.exercises import Test, run_check

run_check("Ex 1", [Test("doubles 2", lambda: double(2) == 4, "multiply by two")])'''


def _write_pair(directory, name, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    ipynb = directory / name
    nbformat.write(nb, ipynb)
    jupytext.write(nb, ipynb.with_suffix(".py"), fmt="py:percent")
    return ipynb


def _checked(source, text):
    cell = nbformat.v4.new_code_cell(f"{notebooks.CHECK_MARK}\n{source}")
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", text=text)]
    return cell


@pytest.fixture
def instructor(tmp_path):
    """A small instructor notebook: two solution blocks in code, one in markdown, a check, two checked cells."""
    (tmp_path / "notebooks").mkdir()
    return _write_pair(tmp_path / "notebooks", "01_demo.ipynb", [
        nbformat.v4.new_markdown_cell("# 01 · Demo"),
        _checked("print(1 + 1)", "2\n"),
        nbformat.v4.new_code_cell(FUNCTION_CELL),
        nbformat.v4.new_code_cell(METHOD_CELL),
        nbformat.v4.new_code_cell(CHECK_CELL),
        _checked("from course_utils.exercises import passed\nprint(passed('Ex 1'))", "True\n"),
        nbformat.v4.new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause it doubles.\n### END SOLUTION"),
    ])


@pytest.fixture
def student(instructor, tmp_path):
    out = tmp_path / "student"
    assert student_tools.write_student_versions([instructor], out) == []
    return out / instructor.name


def _code(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_solution_becomes_raise_at_the_blocks_indentation(student):
    nb = nbformat.read(student, 4)
    function = next(s for s in _code(nb) if s.startswith("def double"))
    assert function.splitlines() == [
        "def double(x):",
        '    """Twice x."""',
        "    y = x",
        '    raise NotImplementedError("Exercise: write the body of double() here, then run the check below.")',
    ]
    method = next(s for s in _code(nb) if s.startswith("class Box"))
    assert '            raise NotImplementedError("Exercise: write the body of area()' in method
    assert method.rstrip().endswith("        return w * h")


def test_no_solution_text_survives(student):
    text = student.read_text() + student.with_suffix(".py").read_text()
    for leak in ("BEGIN SOLUTION", "END SOLUTION", "return 2 * y", "negative width", "Because it doubles"):
        assert leak not in text
    assert "*Your answer here.*" in nbformat.read(student, 4).cells[-1].source


def test_every_code_cell_compiles(student):
    for i, source in enumerate(_code(nbformat.read(student, 4))):
        compile(source, f"cell {i}", "exec")


def test_checks_kept_and_unfinished_exercise_reported(student):
    nb = nbformat.read(student, 4)
    assert CHECK_CELL in _code(nb)
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in nb.cells:
            if cell.cell_type == "code" and student_tools.RAISES_TAG not in cell.metadata.get("tags", []):
                exec(cell.source, namespace)
    assert "Ex 1: not attempted yet" in printed.getvalue()
    with pytest.raises(NotImplementedError, match="Exercise: write the body of double"):
        namespace["double"](2)


def test_instructor_solution_passes_its_check(instructor):
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        for source in _code(nbformat.read(instructor, 4)):
            exec(source, namespace)
    assert "Ex 1: all 1 checks passed" in printed.getvalue()


def test_checked_outputs_kept_only_where_the_learner_cannot_change_them(student):
    cells = {c.source.split("\n")[-1]: c for c in nbformat.read(student, 4).cells if c.cell_type == "code"}
    fixed = cells["print(1 + 1)"]
    assert notebooks.is_checked(fixed) and fixed.outputs[0].text == "2\n" and fixed.execution_count == 1
    depends = cells["print(passed('Ex 1'))"]
    assert not notebooks.is_checked(depends) and depends.outputs == [] and depends.execution_count is None
    assert notebooks.CHECK_MARK not in depends.source


def test_student_pair_in_sync_with_note_on_top(student):
    assert notebooks.pair_problems(student) == []
    first = nbformat.read(student, 4).cells[0]
    assert first.cell_type == "markdown" and "Student version" in first.source
    assert "notebooks/01_demo.ipynb" in first.source and "course_utils.tools.student" in first.source


def test_idempotent_and_check_mode(instructor, student, capsys):
    out = student.parent
    before = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in out.iterdir()}
    assert student_tools.write_student_versions([instructor], out) == []
    assert "(0 rewritten)" in capsys.readouterr().out
    assert {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in out.iterdir()} == before
    assert student_tools.write_student_versions([instructor], out, check_only=True) == []
    py = instructor.with_suffix(".py")
    nb = jupytext.read(py)
    nb.cells[1].source = "# NBVAL_CHECK_OUTPUT\nprint(3)"
    nbformat.write(nb, instructor)
    problems = student_tools.write_student_versions([instructor], out, check_only=True)
    assert problems == [f"01_demo.{ext}: missing or out of date in {out} (run `python -m course_utils.tools.student`)"
                        for ext in ("ipynb", "py")]


def test_command_line(instructor, tmp_path, capsys):
    out = tmp_path / "handout"
    assert student_tools.main(["--out", str(out), str(instructor)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["01_demo.ipynb", "01_demo.py"]
    assert student_tools.main(["--check", "--out", str(out), str(instructor)]) == 0
    (out / "01_demo.py").write_text("# edited by hand\n")
    assert student_tools.main(["--check", "--out", str(out), str(instructor)]) == 1
    assert "01_demo.py: missing or out of date" in capsys.readouterr().out


def test_all_notebooks_by_default_and_leftovers_removed(instructor, tmp_path, monkeypatch):
    monkeypatch.setattr(student_tools, "NOTEBOOK_DIR", instructor.parent)
    out = tmp_path / "student"
    out.mkdir()
    (out / "02_gone.ipynb").write_text("{}")
    (out / "02_gone.py").write_text("")
    (out / "notes.txt").write_text("mine")
    assert student_tools.write_student_versions(out=out, check_only=True) == [
        "01_demo.ipynb: missing or out of date in " f"{out} (run `python -m course_utils.tools.student`)",
        "01_demo.py: missing or out of date in " f"{out} (run `python -m course_utils.tools.student`)",
        "02_gone.ipynb: no instructor notebook for it any more",
        "02_gone.py: no instructor notebook for it any more"]
    assert student_tools.write_student_versions(out=out) == []
    assert sorted(p.name for p in out.iterdir()) == ["01_demo.ipynb", "01_demo.py", "notes.txt"]


def test_module_level_block_raises_in_a_tagged_cell(tmp_path):
    ipynb = _write_pair(tmp_path, "03_top.ipynb", [
        nbformat.v4.new_code_cell("x = 3\n### BEGIN SOLUTION\nanswer = x * 2\n### END SOLUTION"),
        nbformat.v4.new_code_cell(
            "from course_utils.exercises import Test, run_check\n"
            "run_check('Ex', [Test('six', lambda: answer == 6, 'double x')])"),
    ])
    nb = nbformat.read(ipynb, 4)
    student = student_tools.student_notebook(nb, ipynb.name)
    top = student.cells[1]
    assert top.source == ('x = 3\nraise NotImplementedError("Exercise: replace this line with the code that '
                          'defines answer, then run the check below.")')
    assert top.metadata["tags"] == [student_tools.RAISES_TAG]
    assert student_tools.RAISES_TAG not in student.cells[2].metadata.get("tags", [])
    assert student_tools.student_problems(nb, student) == []


def test_problems_found(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FUNCTION_CELL), nbformat.v4.new_code_cell("y = double(4)")]
    problems = student_tools.student_problems(nb, student_tools.student_notebook(nb, "x.ipynb"))
    assert problems == [
        "has solution blocks but no run_check(...) cell to check them",
        "cell 1 uses the learner's answer (double) outside a check, so the student version stops there: "
        "move that use into a run_check test or a function"]
    # a generator that forgot a block: the leftover solution line and the count are both caught
    leaky = student_tools.student_notebook(nb, "x.ipynb")
    leaky.cells[1].source = FUNCTION_CELL.replace("    ### BEGIN SOLUTION\n", "").replace("\n    ### END SOLUTION", "")
    problems = student_tools.student_problems(nb, leaky)
    assert "cell 0: solution line 'return 2 * y' survives in the student version" in problems
    assert "1 solution blocks in code but 0 exercise raises in the student version" in problems


def test_unbalanced_markers_are_reported(tmp_path):
    ipynb = _write_pair(tmp_path, "04_bad.ipynb", [
        nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n")])
    assert student_tools.write_student_versions([ipynb], tmp_path / "out") == [
        "04_bad.ipynb: cell 0, line 2: ### BEGIN SOLUTION without ### END SOLUTION"]
    with pytest.raises(ValueError, match="without ### BEGIN SOLUTION"):
        student_tools.solution_blocks("x = 1\n### END SOLUTION")


@pytest.mark.parametrize("path", notebooks.notebook_paths(), ids=lambda p: p.stem)
def test_course_notebooks_student_versions(path, tmp_path):
    nb = nbformat.read(path, 4)
    blocks = [b for i, c in enumerate(nb.cells) for b in student_tools.solution_blocks(c.source, i)]
    out = tmp_path / "student"
    assert student_tools.write_student_versions([path], out) == []
    student = out / path.name
    assert notebooks.pair_problems(student) == []
    text = student.read_text() + student.with_suffix(".py").read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    code = _code(nbformat.read(student, 4))
    assert sum(s.count(student_tools.EXERCISE_RAISE) for s in code) == len(blocks)
    for i, source in enumerate(code):
        compile(source, f"{path.name} cell {i}", "exec")
    if blocks:
        assert any("run_check(" in s for s in code), f"{path.name}: exercises without a check"
        assert all(b.function for b in blocks), f"{path.name}: put every solution block inside a function"


def test_uses_guarded_by_try_or_deferred_do_not_stop_the_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FUNCTION_CELL),
                nbformat.v4.new_code_cell("try:\n    y = double(4)\nexcept NotImplementedError:\n    y = None"),
                nbformat.v4.new_code_cell("show = lambda: double(1)\n\ndef later():\n    return double(2)"),
                nbformat.v4.new_code_cell("try:\n    z = later()\nexcept ValueError:\n    z = 0"),
                nbformat.v4.new_code_cell("print(y)"),
                nbformat.v4.new_code_cell("print(1)")]
    cells = student_tools.analyse_student_cells(nb)
    assert [c.raises for c in cells] == [False, False, False, True, False, False]
    assert [c.affected for c in cells] == [True, True, True, True, True, False]
