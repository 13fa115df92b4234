"""Every notebook pair is in sync, and no .ipynb stores outputs except the expected ones of checked cells."""


import jupytext
import nbformat
import pytest

from course_utils.config import REPO_ROOT
from course_utils.tools import notebooks


def test_every_pair_in_repository_is_clean():
    assert notebooks.notebook_paths(), "no notebooks found"
    assert notebooks.all_problems() == []


@pytest.fixture
def pair(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1\nprint(x)"),
                nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)")]
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    ipynb = tmp_path / "01_demo.ipynb"
    nbformat.write(nb, ipynb)
    jupytext.write(nb, tmp_path / "01_demo.py", fmt="py:percent")
    return ipynb


def test_clean_pair_has_no_problems(pair):
    assert notebooks.pair_problems(pair) == []


def test_detects_out_of_sync_pair(pair):
    py = pair.with_suffix(".py")
    py.write_text(py.read_text().replace("x = 1", "x = 2"))
    assert any("differ from cell 1" in p for p in notebooks.pair_problems(pair))


def test_detects_missing_py(pair):
    pair.with_suffix(".py").unlink()
    assert notebooks.pair_problems(pair) == [f"{pair.name}: no paired 01_demo.py"]


def test_detects_stored_outputs_outside_checked_cells(pair):
    nb = nbformat.read(pair, 4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nbformat.write(nb, pair)
    assert any("cell 1 holds outputs" in p for p in notebooks.pair_problems(pair))


def test_allows_text_outputs_in_checked_cells_but_not_images(pair):
    nb = nbformat.read(pair, 4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="2\n")]
    nbformat.write(nb, pair)
    assert notebooks.pair_problems(pair) == []
    nb.cells[2].outputs.append(nbformat.v4.new_output("display_data", data={"image/png": "AAAA"}))
    nbformat.write(nb, pair)
    assert any("only printed text" in p for p in notebooks.pair_problems(pair))


def test_detects_execution_counts_outside_checked_cells(pair):
    nb = nbformat.read(pair, 4)
    nb.cells[2].execution_count = 1
    nbformat.write(nb, pair)
    assert notebooks.pair_problems(pair) == []
    nb.cells[1].execution_count = 3
    nbformat.write(nb, pair)
    assert any("cell 1 has an execution count" in p for p in notebooks.pair_problems(pair))


def test_checked_cells_have_recorded_outputs():
    """A NBVAL_CHECK_OUTPUT cell with nothing stored would make nbval compare against nothing."""
    for path in notebooks.notebook_paths():
        nb = nbformat.read(path, 4)
        for i, cell in enumerate(nb.cells):
            if notebooks.is_checked(cell):
                assert cell.outputs and cell.execution_count is not None, (
                    f"{path.name} cell {i}: run `make record` to store its expected output")


def test_notebooks_open_with_setup_and_end_with_discussion():
    for path in notebooks.notebook_paths():
        nb = nbformat.read(path, 4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "setup_notebook()" in code[0], f"{path.name}: the first code cell must call setup_notebook()"
        first = nb.cells[0].source
        assert first.startswith(f"# {path.stem[:2]} · "), f"{path.name}: title must read '# NN · ...'"
        assert "quick" in first and "standard" in first, f"{path.name}: expected time per mode at the top"
        assert "Recap" in markdown and "discussion" in markdown.lower(), f"{path.name}: recap and discussion at the end"


def reference_problems(text: str) -> list[str]:
    """What is wrong with a chapter's closing reference list (its .py text): [] when it ends with one."""
    import re

    cells = re.split(r"^# %% \[markdown\].*$", text, flags=re.M)
    last = cells[-1].strip().splitlines() if len(cells) > 1 else []
    if not last or last[0].strip() != "# ## References":
        return ["the chapter does not end with a '## References' markdown cell"]
    entries = [line[2:] for line in last if line.startswith("# - ")]
    problems = [] if len(entries) >= 3 else [f"only {len(entries)} references (at least 3)"]
    for e in entries:
        if not re.search(r"\((\d{4}|n\.d\.)[^)]*\)\. .+[.?!] \*.+\*", e):  # a standard may have no year
            problems.append(f"not 'Authors (year). Title. *Venue*': {e[:80]}")
        for url in re.findall(r"\]\(([^)]*)\)", e):
            if not url.startswith("https://"):
                problems.append(f"a link that is not https: {url}")
    return problems


def test_every_chapter_ends_with_its_references():
    chapters = sorted(p for p in (REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert len(chapters) >= 11
    for path in chapters:
        assert reference_problems(path.read_text()) == [], path.name
    seed = (REPO_ROOT / "notebooks" / "00_welcome.py").read_text()
    assert "AI = Artificial Imagination?" in seed and "arxiv.org/abs/1905.08233" in seed


def test_the_reference_check_can_fail():
    good = "# %% [markdown]\n# ## References\n#\n" + "".join(
        f"# - A. Author (200{i}). A title. *A venue*. [arXiv](https://arxiv.org/abs/0000.000{i})\n" for i in range(3))
    assert reference_problems(good) == []
    assert reference_problems(good + "\n# %%\nx = 1\n# %% [markdown]\n# ## Exercises\n")[0].startswith("the chapter does not end")
    assert "only 1 references" in " ".join(reference_problems("# %% [markdown]\n# ## References\n# - A (2001). T. *V*.\n"))
    assert any("https" in p for p in reference_problems(good.replace("https://", "http://")))
    assert any("not 'Authors" in p for p in reference_problems(good.replace("(2000). ", "")))


def leaders_box_problems(text: str) -> list[str]:
    """The chapter's first markdown cell must hold a '> **For leaders.**' box of exactly three sentences."""
    import re

    first = text.split("# %% [markdown]")[1] if "# %% [markdown]" in text else ""
    box = [line[4:] for line in first.splitlines() if line.startswith("# > ")]
    if not box or not box[0].startswith("**For leaders.**"):
        return ["no '> **For leaders.**' box in the first markdown cell"]
    body = " ".join(box).removeprefix("**For leaders.**").strip()
    sentences = [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z])", body) if s]
    return [] if len(sentences) == 3 else [f"the leaders' box has {len(sentences)} sentences, not 3"]


def test_every_chapter_opens_with_a_three_sentence_box_for_leaders():
    for path in sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        assert leaders_box_problems(path.read_text()) == [], path.name


def test_the_leaders_box_check_can_fail():
    head = "# %% [markdown]\n# # 01 · Title\n#\n# Intro.\n#\n"
    good = head + "# > **For leaders.** One thing. Two things,\n# > still two. Three?\n"
    assert leaders_box_problems(good) == []
    assert leaders_box_problems(head + "# > **For leaders.** One. Two.\n") == ["the leaders' box has 2 sentences, not 3"]
    assert leaders_box_problems(head)[0].startswith("no '> **For leaders.**'")
