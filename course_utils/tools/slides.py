"""Slides from the notebooks: one reveal.js deck per chapter, and one for the workshop page.

    python -m course_utils.tools.slides tag               # write slide types into the notebooks' .py sources
    python -m course_utils.tools.slides tag --check       # list sources whose slide types are missing or stale (exit 1)
    python -m course_utils.tools.slides build [--out slides] [--only 00 05 workshop] [--no-execute] [--fresh]

What a deck shows. The slide types live in the .py sources (jupytext writes them into the cell header,
`# %% [markdown] slideshow={"slide_type": "slide"}`; JupyterLab shows them as the cell's "Slide Type"). They are not
chosen by hand: `tag` derives them from the cells by the rules of `slide_types` below, so a reviewer reads the rules
once instead of every header, and `tag --check` (a test) says when a notebook changed and its tags did not:

- the opening cell starts the deck; every `## ` section starts a slide, a `### ` one a sub-slide; exercises are left out;
- a code cell that draws a figure or an animation starts a (vertical) sub-slide showing its output, never its code;
  every other code cell is left out;
- other markdown continues the current slide ("-") or, when it is all long prose, becomes speaker notes ("notes").

`build` then refines each markdown cell (the cell stays the unit of the tags, the deck splits it): the opening cell
gives a title slide, a slide with the leaders' box and one with the learning objectives; headings, lists, tables,
quotes, formulas and short paragraphs stay on the slide; long paragraphs go to the speaker notes (press S), and a
slide left with a bare heading, or a figure's caption, keeps the first sentence. Formulas are drawn with matplotlib's
mathtext (no MathJax). A "> **Think!**" prompt appears on a click.

Where the figures come from: `build` runs each notebook in quick mode (6-40 s each, about 4 minutes for all on
2 cores) and keeps the executed copy in <out>/.executed/, reused while the notebook and course_utils are unchanged.
The workshop page shows widgets, which a static deck cannot run: its deck runs the page's own functions once
(WORKSHOP_STILLS) and shows the pictures they make. `--no-execute` builds text-only decks in seconds.

The decks open from disk with no network: reveal.js (MIT licence) is copied from the sphinx-revealjs package into
<out>/reveal.js/, and nothing else is loaded.
"""

from __future__ import annotations

import argparse
import base64
import copy
import functools
import hashlib
import html
import importlib.util
import io
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT
from ..errors import CourseError

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
DEFAULT_OUT = REPO_ROOT / "slides"
TEMPLATE_DIR = Path(__file__).parent / "slides_template"
REVEAL_DIR = "reveal.js"  # the folder beside the decks that holds reveal.js

# a code cell that draws: its output is a figure, an animation or a table of results
FIGURE_CALL = re.compile(r"\b(show_images|animation|save_figure|show_points|plot_points|plot_curves|imshow)\s*\("
                         r"|\bplt\.show\s*\(|\bdisplay\(\s*Markdown\(")
# ... unless it is an exercise, a live slider or an upload button (nothing a static slide can show)
NOT_A_FIGURE = re.compile(r"### BEGIN SOLUTION|\brun_check\s*\(|\binteract\s*\(|upload_widget\s*\(")
EXERCISE_HEADING = re.compile(r"^##\s+Exercises?\b", re.I)
REFERENCES_HEADING = re.compile(r"^##\s+References\b", re.I)
LEADERS = "> **For leaders.**"
THINK = "> **Think!**"
SHORT = 220           # characters: a paragraph this short stays on the slide
LEAD_MAX = 300        # characters: the longest first sentence a slide keeps of a long paragraph

# The workshop page is widgets; its deck shows what they make, run once at build time. Key: the source of the page's
# cell that shows the widget; value: code run right after it, whose output (HTML) is that cell's slide.
WORKSHOP_STILLS = {
    "app.studio": """\
from IPython.display import HTML
app.make_it_talk("mona_lisa", workshop.CLIPS[0], fine_tune=False)
HTML('<div class="deck-row">' + "".join(v.value for v in (app.driver_view, app.learned_view, app.warp_view,
                                                          app.gan_view)) + "</div>")""",
    "app.quiz_box": """\
from IPython.display import HTML
_round = workshop.Quiz(seed=1, n_rounds=1, kinds=("animator",)).current
_a, _b, _ = workshop.round_pictures(_round)
HTML('<div class="deck-row">' + workshop.still_html(_a, "<b>A</b>") + workshop.still_html(_b, "<b>B</b>")
     + f'</div><p class="fragment deck-answer">{_round.fake_side} is the fake: {_round.explanation}</p>')""",
}


# ----------------------------------------------------------------------------------------------- markdown blocks

@dataclass
class Block:
    """One block of a markdown cell: heading, paragraph, list, table, quote, math (a $$ paragraph) or code."""

    kind: str
    text: str

    @property
    def plain(self) -> str:
        return self.text.strip()


_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s+")


def _kind_of(line: str) -> str:
    s = line.lstrip()
    if s.startswith("```") or s.startswith("~~~"):
        return "code"
    if re.match(r"#{1,6}\s", s):
        return "heading"
    if s.startswith(">"):
        return "quote"
    if s.startswith("|"):
        return "table"
    if _LIST_ITEM.match(line):
        return "list"
    if s.startswith("$$"):
        return "math"
    return "paragraph"


def blocks(source: str) -> list[Block]:
    """Split markdown into blocks; a list keeps its items, continuation lines and blank lines between items."""
    lines = source.splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        kind = _kind_of(line)
        chunk = [line]
        i += 1
        if kind == "code":
            fence = line.lstrip()[:3]
            while i < len(lines):
                chunk.append(lines[i])
                i += 1
                if lines[i - 1].lstrip().startswith(fence):
                    break
        elif kind == "heading":
            pass
        elif kind == "math" and not (line.strip().endswith("$$") and len(line.strip()) > 2):
            while i < len(lines):
                chunk.append(lines[i])
                i += 1
                if lines[i - 1].rstrip().endswith("$$"):
                    break
        elif kind in ("quote", "table"):
            while i < len(lines) and lines[i].strip() and _kind_of(lines[i]) == kind:
                chunk.append(lines[i])
                i += 1
        elif kind == "list":
            while i < len(lines):
                nxt = lines[i]
                if nxt.strip():
                    if _LIST_ITEM.match(nxt) or nxt.startswith((" ", "\t")) or _kind_of(nxt) == "paragraph":
                        chunk.append(nxt)
                        i += 1
                        continue
                    break
                # a blank line: the list goes on only if an item or an indented line follows
                j = i
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j < len(lines) and (_LIST_ITEM.match(lines[j]) or lines[j].startswith((" ", "\t"))):
                    chunk.extend(lines[i:j])
                    i = j
                    continue
                break
        else:  # paragraph: up to a blank line or the start of another kind of block
            while i < len(lines) and lines[i].strip() and _kind_of(lines[i]) == "paragraph":
                chunk.append(lines[i])
                i += 1
        out.append(Block(kind, "\n".join(chunk)))
    return out


_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "cf.", "vs.", "Fig.", "fig.", "approx.", "Eq.", "No.", "St.")


def first_sentence(paragraph: str) -> str:
    """The paragraph's first sentence (abbreviations such as "et al." and "e.g." do not end it)."""
    text = " ".join(paragraph.split())
    for m in re.finditer(r"[.!?](?=\s+[A-Z*_“\"(`$\[])", text):
        end = m.end()
        before = text[:end]
        if before.endswith(_ABBREVIATIONS) or re.search(r"(^|\s)[A-Z]\.$", before):
            continue
        return before
    return text


# ----------------------------------------------------------------------------------------------- the tagging rules

def heading_of(source: str) -> str | None:
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    return first.strip() if re.match(r"##\s", first) else None


def is_figure_cell(source: str) -> bool:
    """A code cell whose output a slide shows: it draws a figure, an animation or a table, and is no exercise."""
    return bool(FIGURE_CALL.search(source)) and not NOT_A_FIGURE.search(source)


def _cell_sections(cells) -> list[str]:
    """For each cell, the `## ` heading of the section it starts in ('' before the first)."""
    section, out = "", []
    for cell in cells:
        own = heading_of(cell.source) if cell.cell_type == "markdown" else None
        out.append(own or section)
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if re.match(r"##\s", line):
                    section = line.strip()
    return out


def slide_types(cells) -> list[str]:
    """The slide type of every cell (see the module's docstring): 'slide', 'subslide', '-', 'notes' or 'skip'."""
    first_md = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), None)
    sections = _cell_sections(cells)
    types: list[str] = []
    for i, cell in enumerate(cells):
        in_exercises = bool(EXERCISE_HEADING.match(sections[i]))
        if cell.cell_type == "code":
            kind = "subslide" if is_figure_cell(cell.source) and not in_exercises else "skip"
        elif i == first_md:
            kind = "slide"
        elif in_exercises:  # skipped, unless a later section of the cell is no exercise
            kind = "slide" if any(t == "slide" for t, _, _ in split_markdown(cell.source, "text", True)) else "skip"
        elif heading_of(cell.source):
            kind = "slide"
        elif re.match(r"###\s", cell.source.lstrip()):
            kind = "subslide"
        else:
            caption = i > 0 and types[-1] == "subslide" and cells[i - 1].cell_type == "code"
            kind = "-" if any(t != "notes" for t, _, _ in split_markdown(cell.source, "caption" if caption else "text")) \
                else "notes"
        types.append(kind)
    return types


# ----------------------------------------------------------------------------------------------- markdown -> slide pieces

def _join(parts: list[Block]) -> str:
    return "\n\n".join(b.text for b in parts)


def split_markdown(source: str, role: str, in_exercises: bool = False) -> list[tuple[str, str, dict]]:
    """One markdown cell -> [(slide_type, markdown, data)]: what its slide shows, what goes to the speaker notes
    ('notes'), Think! prompts ('fragment'), later `## ` sections ('slide'), and for the opening cell ('title') the
    leaders' box and the objectives as slides of their own. The type 'screen' means: the cell's own type."""
    bs = blocks(source)
    if role == "title":
        return _split_title(bs)
    # pieces: [slide type, blocks shown, blocks for the notes, data]
    pieces: list[list] = [["screen" if not in_exercises else "skip", [], [], {}]]
    skipping, lead_done = in_exercises, False
    for k, b in enumerate(bs):
        if b.kind == "heading" and re.match(r"##\s", b.plain):
            skipping = bool(EXERCISE_HEADING.match(b.plain))
            data = {"kind": "references"} if REFERENCES_HEADING.match(b.plain) else {}
            if len(pieces) == 1 and not pieces[0][1] and not pieces[0][2] and not in_exercises:
                pieces[0] = ["screen" if not skipping else "skip", [b], [], data]
            elif not skipping:
                pieces.append(["slide", [b], [], data])
            lead_done = False
            continue
        if skipping:
            continue
        if b.kind == "heading" and re.match(r"###\s", b.plain) and any(x.kind != "heading" for x in pieces[-1][1]):
            pieces.append(["subslide", [b], [], {}])  # a sub-section starts a sub-slide of its own
            lead_done = False
            continue
        if b.kind == "quote" and b.plain.startswith(THINK):
            pieces.append(["fragment", [b], [], {}])
            continue
        _, screen, notes, _ = pieces[-1]
        # a paragraph that ends in a colon introduces what follows; on a slide it dangles unless a list, a table or a
        # formula of the same cell follows it
        dangling = b.kind == "paragraph" and b.plain.endswith(":") and (
            k + 1 == len(bs) or bs[k + 1].kind not in ("list", "table", "math"))
        if b.kind == "code" or dangling or (b.kind == "math" and not math_renders(b.plain.strip("$"))):
            notes.append(b)
        elif role == "caption" and (lead_done or b.kind != "paragraph") and b.kind != "quote":
            notes.append(b)  # a figure's caption: its first sentence or short paragraph; the rest is for the notes
        elif role == "caption" and len(b.plain) <= SHORT:
            screen.append(b)
            lead_done = True
        elif b.kind == "paragraph" and len(b.plain) > SHORT:
            notes.append(b)
            notice = b.plain.startswith("**What to notice")
            bare = bool(screen) and all(x.kind == "heading" for x in screen)
            if (role == "caption" or bare or notice) and not lead_done:
                text = " ".join(b.plain.split())
                lead = first_sentence(text)
                if notice and len(lead) < 120 and text[len(lead):].strip():
                    lead += " " + first_sentence(text[len(lead):].strip())
                if len(lead) <= LEAD_MAX and not lead.endswith(":"):
                    screen.append(Block("paragraph", lead + (" …" if len(lead) < len(text) else "")))
                    lead_done = True
        else:
            screen.append(b)
    out = []
    for kind, screen, notes, data in pieces:
        if kind == "skip":
            continue
        if screen:
            out.append((kind, _join(screen), data))
        if notes:
            out.append(("notes", _join(notes), {}))
    return out


def _split_title(bs: list[Block]) -> list[tuple[str, str, dict]]:
    """The opening cell: title slide (title and the idea), the leaders' box, the learning objectives; the rest
    (running times, what it needs) goes to the speaker notes."""
    title, leaders, objectives, notes = [], [], [], []
    stage = "title"
    for b in bs:
        if b.kind == "quote" and b.plain.startswith(LEADERS):
            leaders.append(b)
            stage = "objectives"
            continue
        if stage == "title" and (b.kind == "list" or re.match(r"\*\*(In this notebook|Learning objectives)", b.plain)):
            stage = "objectives"
        if stage == "title":
            (title if b.kind in ("heading", "paragraph") else notes).append(b)
        elif stage == "objectives":
            if b.kind == "list" or (b.kind == "paragraph" and not objectives):
                objectives.append(b)
                if b.kind == "list":
                    stage = "rest"
            else:
                notes.append(b)
                stage = "rest"
        else:
            notes.append(b)
    out = [("screen", _join(title), {"kind": "title"})]
    if leaders:
        out.append(("subslide", _join(leaders), {"kind": "leaders"}))
    if objectives:
        out.append(("subslide", _join(objectives), {"kind": "objectives"}))
    if notes:
        out.append(("notes", _join(notes), {}))
    return out


# ----------------------------------------------------------------------------------------------- formulas as pictures

_MATH_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_MATH_INLINE = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\w$])")
_CODE_SPAN = re.compile(r"`[^`\n]+`")
# TeX that matplotlib's mathtext lacks, said in TeX it has
_TEX_FIXES = [(r"\lVert", r"\Vert"), (r"\rVert", r"\Vert"), (r"\text{", r"\mathrm{"), (r"\operatorname{", r"\mathrm{"),
              (r"\bigl", ""), (r"\bigr", ""), (r"\Bigl", ""), (r"\Bigr", ""), (r"\big", ""), (r"\Big", ""),
              (r"\tfrac", r"\frac"), (r"\dfrac", r"\frac"), (r"\arg\min", r"\mathrm{arg\,min}")]


def _mathtext(tex: str) -> str:
    """TeX as matplotlib's mathtext understands it (it lacks \\lVert, \\text, \\big and a few more)."""
    cleaned = " ".join(tex.split())
    cleaned = re.sub(r"\\(?:text|textrm|operatorname)\{([^{}]*)\}",
                     lambda m: r"\mathrm{" + m.group(1).replace(" ", r"\ ") + "}", cleaned)
    for a, b in _TEX_FIXES:
        cleaned = cleaned.replace(a, b)
    return re.sub(r"\\sqrt(\d)", r"\\sqrt{\1}", cleaned)


@functools.lru_cache(maxsize=None)
def _draw_math(tex: str) -> tuple[bytes, float] | None:
    """(SVG, depth below the baseline in points at 12 pt) of a formula, or None where mathtext cannot draw it."""
    import matplotlib
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    buf = io.BytesIO()
    try:
        with matplotlib.rc_context({"mathtext.fontset": "dejavusans", "svg.fonttype": "path", "svg.hashsalt": "deck"}):
            depth = mathtext.math_to_image(f"${_mathtext(tex)}$", buf, prop=FontProperties(size=12), dpi=72,
                                           format="svg")
    except Exception:  # noqa: BLE001 - mathtext raises several kinds of error on TeX it lacks; all mean "cannot"
        return None
    return buf.getvalue(), float(depth or 0)


def math_renders(tex: str) -> bool:
    return _draw_math(tex.strip()) is not None


def math_html(tex: str, display: bool = False) -> str:
    """TeX -> an <img> of it (SVG drawn by matplotlib's mathtext, sized in em to sit in the text); TeX it cannot
    draw (matrices, for instance) is shown as TeX, in a <code> that no math renderer picks up."""
    drawn = _draw_math(tex.strip())
    cls = "math display" if display else "math"
    if drawn is None:
        shown = html.escape(" ".join(tex.split())).replace("\\", "&#92;").replace("$", "&#36;")
        return f'<code class="{cls}">{shown}</code>'
    svg, depth = drawn
    height = float(re.search(r'height="([\d.]+)pt"', svg.decode()).group(1))
    style = f"height:{height / 12:.2f}em" + ("" if display else f";vertical-align:-{depth / 12:.2f}em")
    data = base64.b64encode(svg).decode()
    alt = html.escape(" ".join(tex.split()), quote=True).replace("\\", "&#92;").replace("$", "&#36;")
    return f'<img class="{cls}" alt="{alt}" style="{style}" src="data:image/svg+xml;base64,{data}">'


def render_math(markdown: str) -> str:
    """Replace $$…$$ and $…$ (outside code spans) with pictures of the formulas."""
    spans: list[str] = []

    def hold(m):
        spans.append(m.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE_SPAN.sub(hold, markdown)
    text = _MATH_DISPLAY.sub(lambda m: math_html(m.group(1), True), text)
    text = _MATH_INLINE.sub(lambda m: math_html(m.group(1)), text)
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)


# ----------------------------------------------------------------------------------------------- the deck notebook

def _shown_outputs(outputs: list) -> list:
    """What a slide shows of a code cell: pictures, animations (HTML with an <img>), tables of results (markdown);
    not printed text, code, errors or widgets (a static page cannot run them)."""
    keep = []
    for out in outputs:
        if out.get("output_type") not in ("display_data", "execute_result"):
            continue
        data = out.get("data", {})
        if any(k.startswith("image/") for k in data):
            kept = {k: v for k, v in data.items() if k.startswith("image/")}
        elif "<img" in str(data.get("text/html", "")):
            kept = {"text/html": data["text/html"]}
        elif "text/markdown" in data:
            kept = {"text/markdown": data["text/markdown"]}
        else:
            continue
        o = copy.deepcopy(out)
        o["data"] = kept
        o["metadata"] = {k: v for k, v in o.get("metadata", {}).items() if k.startswith("image/")}
        keep.append(o)
    return keep


def _title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return re.sub(r"[*_`]", "", line[2:]).strip()
    return "Slides"


def deck_notebook(nb):
    """A notebook (executed or not) -> the notebook nbconvert turns into the deck: one cell per piece of slide, each
    with its slideshow metadata (the cell's own, or the rules' when it has none)."""
    import nbformat

    rules = slide_types(nb.cells)
    sections = _cell_sections(nb.cells)
    first_md = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), None)
    deck = nbformat.v4.new_notebook(metadata={"title": _title_of(nb), "language_info": {"name": "python"}})
    carry = None  # the slide type of a dropped cell that started a slide, handed to the next cell shown
    previous = None

    def add(cell, kind, data=None):
        nonlocal carry
        if carry and kind in ("-", "fragment"):
            kind = carry
        if kind in ("slide", "subslide"):
            carry = None
        cell.metadata["slideshow"] = {"slide_type": kind, **({"data": data} if data else {})}
        deck.cells.append(cell)

    for i, cell in enumerate(nb.cells):
        kind = cell.metadata.get("slideshow", {}).get("slide_type") or rules[i]
        if kind == "skip":
            continue
        if cell.cell_type == "code":
            outputs = _shown_outputs(cell.get("outputs", []))
            if not outputs:
                if kind in ("slide", "subslide"):
                    carry = kind if carry != "slide" else carry
                previous = "dropped"
                continue
            add(nbformat.v4.new_code_cell(cell.source, outputs=outputs), kind)
            previous = "figure"
            continue
        caption = previous == "figure" and not cell.source.lstrip().startswith("#")
        role = "title" if i == first_md else ("caption" if caption else "text")
        in_exercises = bool(EXERCISE_HEADING.match(sections[i]))
        for j, (piece_kind, text, data) in enumerate(split_markdown(cell.source, role, in_exercises)):
            if piece_kind == "screen":
                piece_kind = kind if j == 0 else "-"
            if kind == "notes":
                piece_kind = "notes"
            add(nbformat.v4.new_markdown_cell(render_math(text)), piece_kind, data)
        previous = "markdown"
    if deck.cells:
        deck.cells[0].metadata["slideshow"]["slide_type"] = "slide"
    return deck


def count_slides(deck) -> int:
    return sum(c.metadata["slideshow"]["slide_type"] in ("slide", "subslide") for c in deck.cells)


# ----------------------------------------------------------------------------------------------- sources and tags

def deck_sources(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The notebooks that get a deck: the chapters NN_name.py, then the workshop page."""
    chapters = sorted(directory.glob("[0-9][0-9]_*.py"))
    workshop = directory / "workshop.py"
    return chapters + ([workshop] if workshop.exists() else [])


def stale_tags(py: Path) -> list[int]:
    """Indices of the cells whose slide type in the .py is missing or differs from the rules."""
    import jupytext

    nb = jupytext.read(py)
    want = slide_types(nb.cells)
    return [i for i, (c, t) in enumerate(zip(nb.cells, want)) if c.metadata.get("slideshow", {}).get("slide_type") != t]


def tag(py: Path, sync: bool = True) -> int:
    """Write the rules' slide types into one .py source (other cell metadata kept); then refresh its paired .ipynb
    with `jupytext --sync` for that file alone. Returns how many cells changed."""
    import subprocess

    import jupytext

    nb = jupytext.read(py)
    changed = 0
    for cell, kind in zip(nb.cells, slide_types(nb.cells)):
        show = cell.metadata.get("slideshow", {})
        if show.get("slide_type") != kind:
            cell.metadata["slideshow"] = {**show, "slide_type": kind}
            changed += 1
    if changed:
        jupytext.write(nb, py, fmt="py:percent")
        if sync and py.with_suffix(".ipynb").exists():
            subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--sync", str(py)], check=True)
    return changed


# ----------------------------------------------------------------------------------------------- running and building

def reveal_assets() -> Path:
    """reveal.js as the sphinx-revealjs package ships it (found without importing Sphinx)."""
    spec = importlib.util.find_spec("sphinx_revealjs")
    if spec is None or not spec.submodule_search_locations:
        raise CourseError("reveal.js was not found: install the course's environment (make setup), which brings "
                          "sphinx-revealjs==3.2.1.")
    root = Path(list(spec.submodule_search_locations)[0]) / "_static" / "revealjs"
    if not (root / "dist" / "reveal.js").exists():
        raise CourseError(f"reveal.js was not found in {root}: reinstall sphinx-revealjs==3.2.1.")
    return root


def copy_reveal(out: Path) -> Path:
    """Copy what the decks load (reveal.js, its style sheet, the white theme and its font, the notes plugin, the
    licence) into out/reveal.js/."""
    src, dst = reveal_assets(), out / REVEAL_DIR
    for rel in ("LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "plugin/notes/notes.js"):
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / rel, dst / rel)
    shutil.copytree(src / "dist/theme/fonts/source-sans-pro", dst / "dist/theme/fonts/source-sans-pro", dirs_exist_ok=True)
    return dst


def _code_fingerprint() -> str:
    """Changes when course_utils or the shipped checkpoints' manifest changes (then the figures may too)."""
    h = hashlib.sha256()
    package = REPO_ROOT / "course_utils"
    for p in sorted(package.rglob("*.py")):
        h.update(p.relative_to(package).as_posix().encode())
        h.update(p.read_bytes())
    manifest = REPO_ROOT / "checkpoints" / "manifest.json"
    if manifest.exists():
        h.update(manifest.read_bytes())
    return h.hexdigest()


def with_stills(nb):
    """The workshop page plus, after each widget cell of WORKSHOP_STILLS, a cell that shows what the widget makes."""
    import nbformat

    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        still = WORKSHOP_STILLS.get(cell.source.strip()) if cell.cell_type == "code" else None
        if still:
            cell.metadata["slideshow"] = {"slide_type": "skip"}
            cells.append(nbformat.v4.new_code_cell(still, metadata={"slideshow": {"slide_type": "subslide"}}))
    nb.cells = cells
    return nb


@dataclass
class Run:
    nb: object
    seconds: float = 0.0
    cached: bool = False
    error: str = ""


def executed(py: Path, cache: Path, fresh: bool = False) -> Run:
    """Run the notebook of `py` in quick mode (in a scratch folder; the repository's notebooks are not touched), or
    take the copy kept in `cache` when the notebook and course_utils are unchanged."""
    import jupytext
    import nbformat

    from .notebooks import execute_notebook

    nb = jupytext.read(py)
    if py.stem == "workshop":
        nb = with_stills(nb)
    key = hashlib.sha256((nbformat.writes(nb) + _code_fingerprint() + "quick").encode()).hexdigest()
    kept, kept_key = cache / f"{py.stem}.ipynb", cache / f"{py.stem}.key"
    if not fresh and kept.exists() and kept_key.exists() and kept_key.read_text().strip() == key:
        return Run(nbformat.read(kept, as_version=4), cached=True)
    with tempfile.TemporaryDirectory(prefix="course-slides-") as tmp:
        path = Path(tmp) / f"{py.stem}.ipynb"
        nbformat.write(nb, path)
        run = execute_notebook(path, "quick")
    result = run.executed
    result.metadata.pop("widgets", None)
    if run.ok:
        cache.mkdir(parents=True, exist_ok=True)
        nbformat.write(result, kept)
        kept_key.write_text(key)
    return Run(result, run.wall_s, False, run.error)


def export_deck(deck, out_html: Path) -> int:
    """Write the deck notebook as a reveal.js page that loads reveal.js from ./reveal.js/; returns its size."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(extra_template_basedirs=[str(TEMPLATE_DIR.parent)], template_name=TEMPLATE_DIR.name,
                              reveal_url_prefix=REVEAL_DIR, exclude_input=True, exclude_input_prompt=True,
                              exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(deck, resources={"metadata": {"name": out_html.stem}})
    out_html.write_text(body, encoding="utf-8")
    return len(body.encode())


@dataclass
class Built:
    source: Path
    html: Path
    title: str
    slides: int
    figures: int
    seconds: float
    note: str = ""
    ok: bool = True


def build_one(py: Path, out: Path, execute: bool = True, fresh: bool = False) -> Built:
    import jupytext

    t0 = time.perf_counter()
    note, ok = "text only (--no-execute)", True
    if execute:
        run = executed(py, out / ".executed", fresh)
        nb = run.nb
        note = "executed copy reused" if run.cached else f"ran in quick mode in {run.seconds:.0f} s"
        if run.error:
            ok, note = False, f"the quick run failed ({run.error}); the deck has the outputs made before it"
    else:
        nb = jupytext.read(py)
    deck = deck_notebook(nb)
    html_path = out / f"{py.stem}.html"
    export_deck(deck, html_path)
    figures = sum(c.cell_type == "code" for c in deck.cells)
    return Built(py, html_path, deck.metadata["title"], count_slides(deck), figures, time.perf_counter() - t0, note, ok)


def write_index(out: Path) -> Path:
    """out/index.html: a link to every deck in `out` (built now or earlier), with its title."""
    rows = []
    for deck in sorted(out.glob("*.html")):
        if deck.name != "index.html":
            m = re.search(r"<title>(.*?)</title>", deck.read_text(encoding="utf-8", errors="replace"))
            rows.append(f'<li><a href="{deck.name}">{m.group(1) if m else deck.stem}</a></li>')
    page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Artificial Imagination: slides</title>'
            '<style>body{font-family:sans-serif;max-width:44em;margin:2em auto;line-height:1.6}</style></head><body>'
            '<h1>Artificial Imagination: slides</h1><p>One deck per chapter, and one for the workshop. The arrow keys '
            'move; <kbd>S</kbd> opens the speaker notes, <kbd>Esc</kbd> the overview.</p><ul>\n'
            + "\n".join(rows) + "\n</ul></body></html>\n")
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def build(out: Path = DEFAULT_OUT, only: list[str] | None = None, execute: bool = True, fresh: bool = False,
          sources: list[Path] | None = None) -> list[Built]:
    """Build the decks (all, or those whose file name starts with one of `only`) into `out`."""
    sources = sources or deck_sources()
    if only:
        sources = [p for p in sources if any(p.stem.startswith(o) for o in only)]
        if not sources:
            raise CourseError(f"no notebook matches {' '.join(only)}: give the start of a file name, such as 05 or workshop.")
    out.mkdir(parents=True, exist_ok=True)
    copy_reveal(out)
    built = []
    for py in sources:
        b = build_one(py, out, execute, fresh)
        print(f"{'✔' if b.ok else '✘'} {b.html.name}: {b.slides} slides, {b.figures} figures, "
              f"{b.html.stat().st_size / 1e6:.1f} MB, {b.seconds:.0f} s ({b.note})", flush=True)
        built.append(b)
    write_index(out)
    return built


# ----------------------------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="reveal.js decks from the notebooks.")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tag", help="write slide types into the notebooks' .py sources")
    t.add_argument("sources", nargs="*", type=Path, help="the .py sources (default: every chapter and the workshop)")
    t.add_argument("--check", action="store_true", help="only list sources whose tags are missing or stale (exit 1)")
    t.add_argument("--no-sync", action="store_true", help="do not refresh the paired .ipynb")
    b = sub.add_parser("build", help="build the decks")
    b.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: slides/)")
    b.add_argument("--only", nargs="*", help="only these notebooks (the start of their names: 00 05 workshop)")
    b.add_argument("--no-execute", action="store_true", help="do not run the notebooks: decks without figures")
    b.add_argument("--fresh", action="store_true", help="run the notebooks again even when a kept copy is current")
    args = parser.parse_args(argv)

    if args.command == "tag":
        sources = args.sources or deck_sources()
        if args.check:
            stale = {p: stale_tags(p) for p in sources}
            stale = {p: v for p, v in stale.items() if v}
            for p, cells in stale.items():
                where = p.resolve().relative_to(REPO_ROOT) if p.resolve().is_relative_to(REPO_ROOT) else p
                print(f"✘ {p.name}: slide types missing or stale in {len(cells)} cells (first: cell {cells[0]}); "
                      f"run `python -m course_utils.tools.slides tag {where}`")
            if not stale:
                print(f"✔ slide types current in {len(sources)} notebooks")
            return 1 if stale else 0
        for p in sources:
            n = tag(p, sync=not args.no_sync)
            print(f"{p.name}: {n} cells re-tagged" if n else f"{p.name}: tags current")
        return 0

    try:
        built = build(args.out, args.only, not args.no_execute, args.fresh)
    except CourseError as err:
        print(f"✘ {err}")
        return 1
    print(f"decks in {args.out}/ (open {args.out / 'index.html'})")
    return 0 if all(b.ok for b in built) else 1


if __name__ == "__main__":
    sys.exit(main())
