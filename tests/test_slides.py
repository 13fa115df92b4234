"""The slides (course_utils.tools.slides): the tagging rules, what a deck shows of a cell, the tags in the notebooks'
.py sources, and one real deck built from chapter 00 that opens offline. (tests/test_browser.py opens a deck in
headless Chromium.)"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nbformat
import pytest

from course_utils.config import REPO_ROOT
from course_utils.tools import slides
from course_utils.tools.notebooks import pair_problems

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell

LONG = ("FaceWorld draws its faces the way a camera sees a real head, and every point of the surface is turned into "
        "a pixel by one small matrix. The rest of this paragraph is long on purpose: it explains, in several more "
        "sentences than a slide can hold, why the matrix has twelve numbers and what each of them does to the picture.")
TITLE = ("# 99 · A test chapter\n\nThe idea in one short paragraph.\n\n"
         "> **For leaders.** A box for leaders: what this means for an organisation.\n\n"
         "**In this notebook you will**\n- learn one thing;\n- learn another.\n\n"
         "| mode | time |\n| --- | --- |\n| quick | 5 s |\n\n**Needs:** nothing.")


def _chapter():
    """A small chapter with one cell of each kind the rules tell apart, and the slide type each must get."""
    cells = [
        (md(TITLE), "slide"),
        (code("from course_utils import setup_notebook\n\nMODE = setup_notebook()"), "skip"),
        (md("## 1. A section\n\nA short introduction."), "slide"),
        (code("fig, ax = plt.subplots()\nax.plot([1, 2])\nsave_figure(fig, 'line');"), "subslide"),
        (md(LONG), "-"),                                   # a figure's caption: its first sentence stays
        (code("x = 1\nprint(x)"), "skip"),
        (md(LONG), "notes"),                               # long prose, no figure before it: speaker notes
        (md("### A sub-section\n\nShort text."), "subslide"),
        (md("> **Think!** Which of the two curves is the orthographic camera?"), "-"),
        (code("show_images([a, b], ['a', 'b'])\ninteract(f, k=(1, 5));"), "skip"),  # a live slider: nothing static
        (md("## Exercises\n\nWrite `f`."), "skip"),
        (code("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"), "skip"),
        (code("show_images([f()], ['mine'])"), "skip"),   # a figure, but inside the exercises
        (md("### Exercise 2 · More\n\nWrite `g`."), "skip"),
        (md("## For discussion (no code needed)\n\n1. Who decides?"), "slide"),
        (md("## References\n\n- Someone (2019). A paper."), "slide"),
    ]
    nb = nbformat.v4.new_notebook(cells=[c for c, _ in cells])
    return nb, [t for _, t in cells]


def test_tagging_rules_on_a_small_chapter():
    nb, want = _chapter()
    assert slides.slide_types(nb.cells) == want


def test_a_section_after_the_exercises_in_the_same_cell_is_kept():
    cells = [md("# T\n\nIdea."), md("## Exercises\n\nWrite f."), md("### Exercise 1\n\nf.\n\n## For discussion\n\n1. Why?")]
    assert slides.slide_types(cells) == ["slide", "skip", "slide"]
    pieces = slides.split_markdown(cells[2].source, "text", in_exercises=True)
    assert [p[0] for p in pieces] == ["slide"] and "Exercise" not in pieces[0][1]


def test_a_sentence_that_introduces_what_follows_stays_with_it():
    kept = slides.split_markdown("## S\n\nThe scores:\n\n| a | b |\n| --- | --- |\n| 1 | 2 |", "text")
    assert kept == [("screen", "## S\n\nThe scores:\n\n| a | b |\n| --- | --- |\n| 1 | 2 |", {})]
    dangling = slides.split_markdown("## S\n\nFirst one pixel by hand, a 3 × 3 patch:", "text")
    assert dangling == [("screen", "## S", {}), ("notes", "First one pixel by hand, a 3 × 3 patch:", {})]


def test_first_sentence_skips_abbreviations():
    assert slides.first_sentence("Zakharov et al. (2019) made her talk. Then more.") == "Zakharov et al. (2019) made her talk."
    assert slides.first_sentence("Blur, e.g. a box. It averages.") == "Blur, e.g. a box."
    assert slides.first_sentence("No full stop here") == "No full stop here"


def test_math_is_drawn_or_shown_as_tex_that_no_renderer_picks_up():
    drawn = slides.render_math(r"A camera is a $3\times4$ matrix; keep `$HOME` as code.")
    assert drawn.count('<img class="math"') == 1 and "data:image/svg+xml;base64," in drawn
    assert "`$HOME`" in drawn, "code spans keep their dollars"
    matrix = slides.render_math(r"$$\begin{pmatrix} a & b \end{pmatrix}$$")
    assert '<code class="math display">' in matrix and "\\" not in matrix and "$" not in matrix


def _outputs():
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    text = nbformat.v4.new_output("stream", name="stdout", text="a number: 3\n")
    return png, text


def test_the_deck_shows_title_leaders_figures_and_no_code():
    nb, _ = _chapter()
    png, text = _outputs()
    nb.cells[3].outputs = [text, png]
    deck = slides.deck_notebook(nb)
    kinds = [(c.cell_type, c.metadata["slideshow"]["slide_type"], c.metadata["slideshow"].get("data", {}).get("kind"))
             for c in deck.cells]
    assert kinds[:4] == [("markdown", "slide", "title"), ("markdown", "subslide", "leaders"),
                         ("markdown", "subslide", "objectives"), ("markdown", "notes", None)]
    assert deck.cells[1].source.startswith("> **For leaders.**")
    assert "| quick | 5 s |" in deck.cells[3].source and "| quick" not in deck.cells[0].source
    figures = [c for c in deck.cells if c.cell_type == "code"]
    assert len(figures) == 1 and figures[0].metadata["slideshow"]["slide_type"] == "subslide"
    assert [list(o["data"]) for o in figures[0].outputs] == [["image/png"]], "printed text and text/plain are dropped"
    after = deck.cells[deck.cells.index(figures[0]) + 1]
    assert after.metadata["slideshow"]["slide_type"] == "-" and after.source.endswith("…")
    assert after.source.startswith("FaceWorld draws its faces") and len(after.source) < len(LONG)
    notes = [c.source for c in deck.cells if c.metadata["slideshow"]["slide_type"] == "notes"]
    assert sum(LONG in n for n in notes) == 2, "both long paragraphs are whole in the speaker notes"
    think = [c for c in deck.cells if "**Think!**" in c.source]
    assert len(think) == 1 and think[0].metadata["slideshow"]["slide_type"] == "fragment"
    text_all = "\n".join(c.source for c in deck.cells)
    assert "BEGIN SOLUTION" not in text_all and "Exercise" not in text_all and "Write `f`" not in text_all
    refs = [c for c in deck.cells if c.source.startswith("## References")]
    assert refs[0].metadata["slideshow"]["data"] == {"kind": "references"}


def test_a_figure_cell_without_a_picture_hands_its_slide_on():
    _, text = _outputs()
    nb = nbformat.v4.new_notebook(cells=[md("# T\n\nIdea."), md("## S\n\nText."),
                                         code("show_images([a], ['a'])", outputs=[text]), md("A short caption.")])
    assert slides.slide_types(nb.cells) == ["slide", "slide", "subslide", "-"]
    deck = slides.deck_notebook(nb)
    assert not [c for c in deck.cells if c.cell_type == "code"], "printed text only: nothing for a slide"
    assert deck.cells[-1].source == "A short caption."
    assert deck.cells[-1].metadata["slideshow"]["slide_type"] == "subslide"


def _strip_tags(py: Path) -> None:
    nb = jupytext.read(py)
    for cell in nb.cells:
        cell.metadata.pop("slideshow", None)
    jupytext.write(nb, py, fmt="py:percent")


def test_tag_writes_headers_that_jupytext_keeps_and_check_sees(tmp_path, capsys):
    for suffix in (".py", ".ipynb"):
        shutil.copy(REPO_ROOT / "notebooks" / f"00_welcome{suffix}", tmp_path / f"00_welcome{suffix}")
    py = tmp_path / "00_welcome.py"
    _strip_tags(py)
    assert slides.main(["tag", "--check", str(py)]) == 1
    assert "slide types missing or stale" in capsys.readouterr().out
    assert slides.tag(py) > 0
    assert slides.main(["tag", "--check", str(py)]) == 0
    text = py.read_text()
    assert text.count('# %% [markdown] slideshow={"slide_type": "slide"}') >= 5
    assert '# %% slideshow={"slide_type": "skip"}' in text
    assert pair_problems(tmp_path / "00_welcome.ipynb") == [], "the pair stays in sync"
    ipynb = nbformat.read(tmp_path / "00_welcome.ipynb", as_version=4)
    assert [c.metadata.get("slideshow", {}).get("slide_type") for c in ipynb.cells] == \
        slides.slide_types(jupytext.read(py).cells), "jupytext --sync carried the tags into the .ipynb"
    assert slides.tag(py) == 0, "tagging twice changes nothing"


def test_the_notebooks_slide_types_are_current():
    """Fails when a notebook changed and its slide types did not: run `python -m course_utils.tools.slides tag`."""
    stale = {p.name: cells for p in slides.deck_sources() if (cells := slides.stale_tags(p))}
    assert not stale, (f"slide types missing or stale (cell indices): {stale}; "
                       "run `python -m course_utils.tools.slides tag` and commit the .py and .ipynb files")


def test_every_workshop_still_belongs_to_a_cell_of_the_page():
    page = jupytext.read(REPO_ROOT / "notebooks" / "workshop.py")
    sources = {c.source.strip() for c in page.cells if c.cell_type == "code"}
    assert set(slides.WORKSHOP_STILLS) <= sources, "a still would never be made: the workshop page changed"


# ----------------------------------------------------------------------------------------------- a real deck

class _Refs(HTMLParser):
    """The URLs a page loads: scripts, style sheets, pictures."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "source", "iframe", "video", "audio") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"])


@pytest.fixture(scope="module")
def deck_00(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    built = slides.build(out, only=["00"])
    assert len(built) == 1 and built[0].ok, built
    return out, built[0]


def test_built_deck_opens_offline_and_shows_the_leaders_box(deck_00):
    out, built = deck_00
    page = built.html.read_text(encoding="utf-8")
    refs = _Refs()
    refs.feed(page)
    assert any(r.endswith("reveal.js/dist/reveal.js") for r in refs.loads)
    for ref in refs.loads:
        if ref.startswith("data:"):
            continue
        assert not re.match(r"^(https?:)?//", ref), f"the deck loads {ref} from the network"
        assert (out / ref).is_file(), f"the deck loads {ref}, which is not beside it"
    assert not re.search(r"""@import\s+url\(\s*['"]?(https?:)?//""", page)
    for rel in ("dist/reveal.css", "dist/theme/white.css", "plugin/notes/notes.js", "LICENSE",
                "dist/theme/fonts/source-sans-pro/source-sans-pro.css"):
        assert (out / "reveal.js" / rel).is_file(), rel
    css = (out / "reveal.js/dist/theme/white.css").read_text()
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "the theme would fetch a font"
    # what a teacher needs: the leaders' box, on a slide of its own; figures and the animation; no code
    leaders = next(b.plain for b in slides.blocks(jupytext.read(built.source).cells[0].source)
                   if b.plain.startswith(slides.LEADERS))
    words = " ".join(leaders.split())[len(slides.LEADERS):].strip()[:60]
    assert re.search(r'<section data-kind="leaders"[^>]*>', page)
    assert words in " ".join(page.split())
    assert page.count("data:image/png") >= 2 and "data:image/gif" in page
    assert not re.search(r'class="[^"]*(jp-InputArea-editor|highlight)', page), "code is shown"
    assert built.slides >= 8 and page.count("<section") >= built.slides
    assert (out / "index.html").read_text().count(f"href=\"{built.html.name}\"") == 1
