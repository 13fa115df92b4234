"""Notebook plumbing for maintainers: pairs, hygiene, expected outputs, execution.

    python -m course_utils.nbtools sync     # jupytext --sync every notebooks/NN_name.py <-> .ipynb pair
    python -m course_utils.nbtools check    # pairs in sync, no stray outputs (what the tests check)
    python -m course_utils.nbtools record   # run in quick mode, store outputs of NBVAL_CHECK_OUTPUT cells
    python -m course_utils.nbtools student  # write student versions (solutions removed, checks kept) to student/
    python -m course_utils.nbtools student --check   # student/ up to date, no solution left in it

Authoring rule: the .py (percent format) is what reviewers read. The .ipynb holds no outputs, except
the expected output (and an execution count, which nbval needs) of cells whose first line is
`# NBVAL_CHECK_OUTPUT`: nbval (lax mode) compares exactly those cells' printed output with what is stored.

Exercises are authored once, with their solution, between `### BEGIN SOLUTION` and `### END SOLUTION`
(see course_utils.exercises); `student` replaces each block by `raise NotImplementedError("Exercise: ...")`
at the block's indentation and keeps the checks, which report an unfinished exercise as "not attempted yet".
A block belongs inside a function: at module level it stops its cell (tagged `raises-exception`).
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from .config import REPO_ROOT

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"

_PEAK_CELL = """\
import json as _j, resource as _r, sys as _s
_k = 1 if _s.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print("__BENCH__" + _j.dumps({"self_mb": _r.getrusage(_r.RUSAGE_SELF).ru_maxrss * _k / 2**20,
                              "children_mb": _r.getrusage(_r.RUSAGE_CHILDREN).ru_maxrss * _k / 2**20}))
"""


class _TreeSampler:
    """Samples the kernel's process tree (the kernel and every descendant) ten times a second: the largest
    sum of their proportional set sizes (PSS: shared pages split between the processes sharing them).
    Why not the kernel's ru_maxrss of its children: a child started by (v)fork, e.g. ffmpeg writing an MP4,
    is charged the kernel's whole resident memory before it execs, so self + children counts the kernel twice."""

    def __init__(self, client, every: float = 0.1):
        import threading

        self.client, self.every, self.peak_mb, self._stop = client, every, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _pid(self):
        km = getattr(self.client, "km", None)
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def _run(self):
        import psutil

        root = None
        while not self._stop.wait(self.every):
            try:
                if root is None:
                    pid = self._pid()
                    if pid is None:
                        continue
                    root = psutil.Process(pid)
                total = 0
                for p in [root, *root.children(recursive=True)]:
                    try:
                        mem = p.memory_full_info()
                        total += getattr(mem, "pss", mem.rss)
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
                self.peak_mb = max(self.peak_mb, total / 2**20)
            except psutil.NoSuchProcess:
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=2)


def notebook_paths(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The course notebooks, NN_name.ipynb, in chapter order."""
    return sorted(p for p in directory.glob("[0-9][0-9]_*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def is_checked(cell) -> bool:
    return cell.get("cell_type") == "code" and cell.get("source", "").lstrip().startswith(CHECK_MARK)


def pair_problems(ipynb: Path) -> list[str]:
    """What is wrong with one pair: missing .py, cell sources that differ, stored outputs outside checked cells."""
    import jupytext
    import nbformat

    problems = []
    py = ipynb.with_suffix(".py")
    if not py.exists():
        return [f"{ipynb.name}: no paired {py.name}"]
    nb = nbformat.read(ipynb, as_version=4)
    text = jupytext.read(py)
    ours = [(c.cell_type, c.source.strip()) for c in nb.cells]
    theirs = [(c.cell_type, c.source.strip()) for c in text.cells]
    if ours != theirs:
        where = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        problems.append(f"{ipynb.name} and {py.name} differ from cell {where} on (run `python -m course_utils.nbtools sync`)")
    formats = nb.metadata.get("jupytext", {}).get("formats", "")
    if "py:percent" not in formats:
        problems.append(f"{ipynb.name}: jupytext formats are {formats!r}, expected 'ipynb,py:percent'")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None and not is_checked(cell):
            problems.append(f"{ipynb.name}: cell {i} has an execution count (strip it)")
        if cell.get("outputs") and not is_checked(cell):
            problems.append(f"{ipynb.name}: cell {i} holds outputs but is not a {CHECK_MARK} cell")
        if is_checked(cell):
            kinds = {o.get("output_type") for o in cell.get("outputs", [])}
            if kinds - {"stream", "execute_result"}:
                problems.append(f"{ipynb.name}: checked cell {i} stores {sorted(kinds)}; only printed text belongs there")
    return problems


def all_problems(directory: Path = NOTEBOOK_DIR) -> list[str]:
    problems = []
    for py in sorted(directory.glob("[0-9][0-9]_*.py")):
        if not py.with_suffix(".ipynb").exists():
            problems.append(f"{py.name}: no paired .ipynb (run `jupytext --set-formats ipynb,py:percent {py}`)")
    for ipynb in notebook_paths(directory):
        problems.extend(pair_problems(ipynb))
    return problems


@dataclass
class Execution:
    """One notebook run in a fresh kernel."""

    notebook: Path
    mode: str
    ok: bool
    wall_s: float
    peak_mb: float | None
    error: str = ""
    executed: object = None  # the executed nbformat notebook


def _sliced(original, slice_s: float = 1.0):
    """Wrap an async channel's get_msg so it polls in short slices. With pyzmq 27 + nbclient 0.11 a
    reply can arrive without waking the poll (seen after ipywidgets cells); a fresh poll sees it, so a
    lost wake-up costs about a second instead of the whole cell timeout (or forever, with no timeout)."""
    from queue import Empty
    from time import monotonic

    async def get_msg(timeout=None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = slice_s if deadline is None else max(0.0, min(slice_s, deadline - monotonic()))
            try:
                return await original(timeout=left)
            except Empty:
                if deadline is not None and monotonic() >= deadline:
                    raise

    return get_msg


def _client_class():
    from nbclient import NotebookClient

    class SlicedPollClient(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            for channel in (kc.shell_channel, kc.iopub_channel):
                channel.get_msg = _sliced(channel.get_msg)
            return kc

    return SlicedPollClient


def execute_notebook(path: Path, mode: str = "quick", timeout: int = 900, extra_env: dict | None = None) -> Execution:
    """Run a notebook top to bottom in a fresh kernel with COURSE_MODE=mode; measure wall time and peak memory: the
    kernel's ru_maxrss, or the sampled PSS of the kernel and its child processes together when that is larger."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PEAK_CELL))
    env = dict(os.environ, COURSE_MODE=mode, **(extra_env or {}))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    client = _client_class()(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = ""
    sampler = _TreeSampler(client)
    try:
        with sampler:
            client.execute(env=env)
    except CellExecutionError as err:
        error = f"{err.ename}: {err.evalue}"[:300]
    except (CellTimeoutError, DeadKernelError) as err:
        error = f"{type(err).__name__}: {str(err).strip().splitlines()[0] if str(err).strip() else ''}"[:300]
    wall = time.perf_counter() - start
    peak = None
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if "__BENCH__" in text:   # the peak: the kernel's own high-water mark, or the sampled tree if larger
            peak = max(json.loads(text.split("__BENCH__", 1)[1])["self_mb"], sampler.peak_mb)
    nb.cells.pop()
    return Execution(path, mode, not error, wall, peak, error, nb)


def sync(directory: Path = NOTEBOOK_DIR) -> None:
    for py in sorted(directory.glob("[0-9][0-9]_*.py")):
        subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--sync", str(py)], check=True)


def record(paths: list[Path]) -> None:
    """Execute each notebook in quick mode; keep outputs only in NBVAL_CHECK_OUTPUT cells, strip the rest."""
    import nbformat

    for path in paths:
        run = execute_notebook(path, "quick")
        if not run.ok:
            raise SystemExit(f"{path.name} failed in quick mode, nothing recorded: {run.error}")
        original = nbformat.read(path, as_version=4)
        for cell, done in zip(original.cells, run.executed.cells):
            if cell.cell_type != "code":
                continue
            cell.execution_count = None
            cell.outputs = []
            if is_checked(cell):
                # nbval compares only cells whose reference ran, i.e. has an execution count
                cell.execution_count = 1
                outs = [copy.deepcopy(o) for o in done.outputs if o.output_type in ("stream", "execute_result")]
                for o in outs:
                    if o.output_type == "execute_result":
                        o.execution_count = 1
                        o.data = {k: v for k, v in o.data.items() if k == "text/plain"}
                cell.outputs = outs
        nbformat.write(original, path)
        print(f"recorded {sum(is_checked(c) for c in original.cells)} checked cells of {path.name} ({run.wall_s:.1f} s)")


def export_html(path: Path, out: Path, mode: str = "quick") -> Execution:
    """Run a notebook (the stall-proof client) and write the executed copy as HTML to `out`, for looking
    at what it shows; the notebook itself is left untouched."""
    from nbconvert import HTMLExporter

    run = execute_notebook(path, mode)
    body, _ = HTMLExporter().from_notebook_node(run.executed)
    Path(out).write_text(body, encoding="utf-8")
    return run


# ---------------------------------------------------------------------------------------------------
# Student versions: solutions authored once, in the instructor notebooks; the student copy is generated.

STUDENT_DIR = REPO_ROOT / "student"
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
EXERCISE_RAISE = 'raise NotImplementedError("Exercise: '
NOTE_CELL_ID = "student-version-note"
RAISES_TAG = "raises-exception"
_MARKDOWN_ANSWER = "*Your answer here.*"
_CHECK_CALLS = {"run_check", "passed"}  # their printed verdict depends on the learner's answers
_DEF_LINE = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)\s*\(")


@dataclass
class SolutionBlock:
    """One `### BEGIN SOLUTION` … `### END SOLUTION` block: cell index, marker line numbers (0-based,
    inclusive) in the cell, its indentation, and the enclosing function (None: module level)."""

    cell: int
    begin: int
    end: int
    indent: str
    function: str | None
    lines: list[str]


def solution_blocks(cell_source: str, cell_index: int = 0) -> list[SolutionBlock]:
    """The solution blocks of one cell's source; ValueError on a marker without its partner."""
    lines = cell_source.splitlines()
    blocks, begin = [], None
    for i, line in enumerate(lines):
        mark = line.strip()
        if mark.startswith(BEGIN_SOLUTION):
            if begin is not None:
                raise ValueError(f"cell {cell_index}, line {i + 1}: {BEGIN_SOLUTION} inside another solution block")
            begin = i
        elif mark.startswith(END_SOLUTION):
            if begin is None:
                raise ValueError(f"cell {cell_index}, line {i + 1}: {END_SOLUTION} without {BEGIN_SOLUTION}")
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            function = None
            for above in reversed(lines[:begin]):
                m = _DEF_LINE.match(above)
                if m and len(m.group(1)) < len(indent):
                    function = m.group(2)
                    break
            blocks.append(SolutionBlock(cell_index, begin, i, indent, function, lines[begin + 1:i]))
            begin = None
    if begin is not None:
        raise ValueError(f"cell {cell_index}, line {begin + 1}: {BEGIN_SOLUTION} without {END_SOLUTION}")
    return blocks


def _assigned_names(code_lines: list[str]) -> list[str]:
    """Names a (module-level) solution block defines, in order, for the learner's message."""
    try:
        tree = ast.parse(textwrap.dedent("\n".join(code_lines)))
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.append(sub.id)
    return list(dict.fromkeys(names))


def exercise_message(block: SolutionBlock) -> str:
    """What the learner reads in place of the solution."""
    if block.function:
        return f"Exercise: write the body of {block.function}() here, then run the check below."
    names = _assigned_names(block.lines)
    what = f"the code that defines {', '.join(names)}" if names else "your code"
    return f"Exercise: replace this line with {what}, then run the check below."


def strip_solutions(source: str, cell_type: str = "code", cell_index: int = 0) -> str:
    """The cell's source with every solution block replaced: by `raise NotImplementedError("Exercise: …")`
    at the block's indentation in code, by an answer placeholder in markdown."""
    blocks = solution_blocks(source, cell_index)
    if not blocks:
        return source
    lines = source.splitlines()
    for block in reversed(blocks):
        if cell_type == "code":
            replacement = f'{block.indent}raise NotImplementedError("{exercise_message(block)}")'
        else:
            replacement = f"{block.indent}{_MARKDOWN_ANSWER}"
        lines[block.begin:block.end + 1] = [replacement]
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


def _parse_cell(source: str):
    """The cell's AST with IPython magics and shell escapes blanked out; None if it still doesn't parse."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


class _CellNames(ast.NodeVisitor):
    """Names one cell stores at top level, loads anywhere, loads and calls while the cell runs unguarded
    (not inside a def or a lambda, which run later, nor in a `try` that catches NotImplementedError), and,
    per top-level def, its line span and what its body loads."""

    _CATCH_ALL = {"NotImplementedError", "RuntimeError", "Exception", "BaseException"}

    def __init__(self):
        self.stored, self.loaded, self.loaded_now, self.called_now = set(), set(), set(), set()
        self.functions: dict[str, tuple[int, int, set[str]]] = {}
        self._deferred = 0  # inside a def or lambda: runs later, its names are local
        self._guarded = 0  # inside a try that would catch the learner's NotImplementedError

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store):
            if not self._deferred:
                self.stored.add(node.id)
        else:
            self.loaded.add(node.id)
            if not self._deferred and not self._guarded:
                self.loaded_now.add(node.id)

    def visit_Call(self, node):
        if not self._deferred and not self._guarded and isinstance(node.func, ast.Name):
            self.called_now.add(node.func.id)
        self.generic_visit(node)

    def _deferred_body(self, node):
        self._deferred += 1
        self.generic_visit(node)
        self._deferred -= 1

    def visit_FunctionDef(self, node):
        if not self._deferred:
            self.stored.add(node.name)
            inner = _CellNames()
            for child in node.body:
                inner.visit(child)
            self.functions[node.name] = (node.lineno, node.end_lineno, inner.loaded)
        self._deferred_body(node)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = _deferred_body

    def visit_ClassDef(self, node):
        if not self._deferred:
            self.stored.add(node.name)
        self._deferred_body(node)  # methods run later; a class's own statements rarely matter here

    def visit_Try(self, node):
        caught = {n.id for h in node.handlers for n in ast.walk(h.type or ast.Name("BaseException"))
                  if isinstance(n, ast.Name)}
        guarded = bool(caught & self._CATCH_ALL)
        self._guarded += guarded
        for child in node.body:
            self.visit(child)
        self._guarded -= guarded
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(child)

    visit_TryStar = visit_Try

    def visit_Import(self, node):
        if not self._deferred:
            self.stored.update((a.asname or a.name).split(".")[0] for a in node.names)

    visit_ImportFrom = visit_Import


@dataclass
class StudentCell:
    """How one cell fares in the student version."""

    index: int
    blocks: list[SolutionBlock]
    affected: bool  # its output may differ from the instructor version's
    raises: bool  # it stops with an exception in the student version
    uses: set[str]  # the learner-dependent names it loads


def analyse_student_cells(nb) -> list[StudentCell]:
    """Follow the learner's unfinished answers through the notebook, cell by cell (static, conservative):
    a function holding a solution block raises NotImplementedError when called; a module-level block
    raises where it stands, leaving its names undefined; anything computed from those is affected."""
    broken: set[str] = set()  # calling it raises NotImplementedError
    undefined: set[str] = set()  # never assigned, since its cell raised
    changed: set[str] = set()  # assigned, maybe to something else than in the instructor version
    result = []
    for index, cell in enumerate(nb.cells):
        blocks = solution_blocks(cell.source, index)
        if cell.cell_type != "code":
            result.append(StudentCell(index, blocks, bool(blocks), False, set()))
            continue
        tree = _parse_cell(cell.source)
        if tree is None:  # can't read it: affected if it mentions anything the learner influences
            words = set(re.findall(r"[A-Za-z_]\w*", cell.source))
            uses = words & (broken | undefined | changed)
            result.append(StudentCell(index, blocks, bool(blocks or uses or words & _CHECK_CALLS), False, uses))
            continue
        names = _CellNames()
        names.visit(tree)
        block_lines = [b.begin + 1 for b in blocks]  # 1-based, as ast's line numbers
        for name, (first, last, body_loads) in names.functions.items():
            if any(first <= line <= last for line in block_lines) or body_loads & (broken | undefined):
                broken.add(name)
        module_level = any(b.function is None for b in blocks)
        uses = names.loaded & (broken | undefined | changed)
        raises = module_level or bool(names.called_now & broken) or bool(names.loaded_now & undefined)
        affected = bool(blocks or uses or raises or names.called_now & _CHECK_CALLS)
        if raises:
            undefined |= names.stored - broken
        elif affected:
            changed |= names.stored - broken
        result.append(StudentCell(index, blocks, affected, raises, uses))
    return result


def student_notebook(nb, source_name: str):
    """The student version of an instructor notebook (nbformat node; the argument is left untouched)."""
    import nbformat

    student = copy.deepcopy(nb)
    cells = analyse_student_cells(nb)
    for cell, info in zip(student.cells, cells):
        if info.blocks:
            cell.source = strip_solutions(cell.source, cell.cell_type, info.index)
        if cell.cell_type != "code":
            continue
        tags = [t for t in cell.metadata.get("tags", []) if t != RAISES_TAG]
        if info.raises:
            tags.append(RAISES_TAG)
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        if info.affected and is_checked(cell):
            # its recorded output belongs to the solved notebook: no longer an expected output here
            cell.source = cell.source.lstrip().split("\n", 1)[1] if "\n" in cell.source.lstrip() else ""
            cell.outputs, cell.execution_count = [], None
    note = nbformat.v4.new_markdown_cell(
        f"> **Student version** — generated from `notebooks/{source_name}` by\n"
        f"> `python -m course_utils.nbtools student`; do not edit (edit the instructor notebook and regenerate).\n"
        f"> In each exercise, replace the line `raise NotImplementedError(...)` with your code, run the cell,\n"
        f"> then run the check below it.")
    note.id = NOTE_CELL_ID
    student.cells.insert(0, note)
    student.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
    return student


def _student_texts(ipynb: Path) -> tuple[object, object, str, str]:
    """(instructor nb, student nb, student .ipynb text, student .py text) for one instructor notebook."""
    import jupytext
    import nbformat

    nb = nbformat.read(ipynb, as_version=4)
    student = student_notebook(nb, ipynb.name)
    return nb, student, nbformat.writes(student) + "\n", jupytext.writes(student, fmt="py:percent")


def student_problems(nb, student) -> list[str]:
    """What is wrong with a student version: solution text left in it, a block not replaced, no check to
    run, or a cell without a solution block that stops (it uses the learner's answer outside a check)."""
    problems = []
    cells = analyse_student_cells(nb)
    blocks = [b for c in cells for b in c.blocks]
    code_blocks = [b for b in blocks if nb.cells[b.cell].cell_type == "code"]
    if not blocks:
        return problems
    if not any(c.cell_type == "code" and "run_check(" in c.source for c in nb.cells):
        problems.append("has solution blocks but no run_check(...) cell to check them")
    other_lines = set()  # lines of the instructor notebook outside any solution block
    for c, info in zip(nb.cells, cells):
        inside = {k for b in info.blocks for k in range(b.begin, b.end + 1)}
        other_lines |= {line.strip() for k, line in enumerate(c.source.splitlines()) if k not in inside}
    student_text = "\n".join(c.source for c in student.cells)
    student_lines = {line.strip() for line in student_text.splitlines()}
    if BEGIN_SOLUTION in student_text or END_SOLUTION in student_text:
        problems.append("a solution marker survives in the student version")
    for b in blocks:
        leaked = sorted(line.strip() for line in b.lines
                        if line.strip() and line.strip() not in other_lines and line.strip() in student_lines)
        if leaked:
            problems.append(f"cell {b.cell}: solution line {leaked[0]!r} survives in the student version")
    raised = sum(c.cell_type == "code" and c.source.count(EXERCISE_RAISE) for c in student.cells)
    if raised != len(code_blocks):
        problems.append(f"{len(code_blocks)} solution blocks in code but {raised} exercise raises "
                        f"in the student version")
    for c in cells:
        if c.raises and not c.blocks:
            problems.append(f"cell {c.index} uses the learner's answer ({', '.join(sorted(c.uses)) or '?'}) "
                            f"outside a check, so the student version stops there: move that use into a "
                            f"run_check test or a function")
    return problems


def write_student_versions(paths: list[Path] | None = None, out: Path | None = None,
                           check_only: bool = False) -> list[str]:
    """Write (or, with check_only, verify) out/NN_name.ipynb + .py for each instructor notebook; returns problems.

    Files are rewritten only when their text changes, so a second run writes nothing. With no paths,
    every notebook is done and student copies whose instructor notebook is gone are removed."""
    out = Path(out) if out is not None else STUDENT_DIR
    everything = paths is None
    paths = [Path(p) for p in paths] if paths is not None else notebook_paths(NOTEBOOK_DIR)
    problems, written = [], 0
    if not check_only:
        out.mkdir(parents=True, exist_ok=True)
    for ipynb in paths:
        try:
            nb, student, ipynb_text, py_text = _student_texts(ipynb)
        except ValueError as err:  # unbalanced markers
            problems.append(f"{ipynb.name}: {err}")
            continue
        problems += [f"{ipynb.name}: {p}" for p in student_problems(nb, student)]
        targets = [(out / ipynb.name, ipynb_text), (out / ipynb.with_suffix(".py").name, py_text)]
        stale = [t for t, text in targets if not t.exists() or t.read_text(encoding="utf-8") != text]
        if check_only:
            problems += [f"{t.name}: missing or out of date in {out} (run `python -m course_utils.nbtools student`)"
                         for t in stale]
        elif stale:
            for target, text in targets:  # .ipynb first, so that the .py is the newer of the pair (jupytext)
                target.write_text(text, encoding="utf-8")
            written += 1
    if everything and out.exists():
        wanted = {p.stem for p in paths}
        for leftover in sorted(out.glob("[0-9][0-9]_*")):
            if leftover.suffix in (".ipynb", ".py") and leftover.stem not in wanted:
                if check_only:
                    problems.append(f"{leftover.name}: no instructor notebook for it any more")
                else:
                    leftover.unlink()
    if not check_only:
        print(f"student versions of {len(paths)} notebooks in {out} ({written} rewritten)")
    return problems


# ----------------------------------------------------------------------------- the instructor guide's timings

GUIDE = REPO_ROOT / "docs" / "instructor_guide.md"
TIMINGS_DIR = REPO_ROOT / "docs" / "timings"
GUIDE_START, GUIDE_END = "<!-- timings:start -->", "<!-- timings:end -->"


def working_times(py: Path) -> dict[str, str]:
    """{'quick': ..., 'standard': ...}: the "working through it" column of a notebook's expected-time table."""
    out = {}
    for line in py.read_text().splitlines():
        cells = [c.strip() for c in line.lstrip("# ").strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].split(" ")[0] in ("quick", "standard") and cells[0].split(" ")[0] not in out:
            out[cells[0].split(" ")[0]] = cells[2]
    return out


def measured_runs(timings_dir: Path = TIMINGS_DIR) -> dict[str, dict]:
    """{"quick": bench result, "standard": bench result} from docs/timings/ (an empty {"figures": {}} when a mode
    was not measured)."""
    runs = {}
    for mode in ("quick", "standard"):
        path = timings_dir / f"notebooks-{mode}.json"
        runs[mode] = json.loads(path.read_text()) if path.exists() else {"figures": {}}
    return runs


def guide_table(timings_dir: Path = TIMINGS_DIR, directory: Path = NOTEBOOK_DIR) -> str:
    """The guide's timing table, from the bench's JSON (notebooks-quick.json, notebooks-standard.json) and each
    notebook's stated working time. A notebook missing from a measurement shows "not measured"."""
    runs = measured_runs(timings_dir)
    lines = ["| notebook | quick: wall s | quick: peak MB | standard: wall s | standard: peak MB | working through it |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]

    def cell(mode, kind, name, fmt):
        v = runs[mode]["figures"].get(f"{kind}_{name}")
        return "not measured" if v is None or v != v else fmt.format(v)

    for ipynb in notebook_paths(directory):
        name, work = ipynb.stem, working_times(ipynb.with_suffix(".py"))
        lines.append(f"| `{name}` | {cell('quick', 'wall_s', name, '{:.0f}')} | {cell('quick', 'peak_mb', name, '{:.0f}')} | "
                     f"{cell('standard', 'wall_s', name, '{:.0f}')} | {cell('standard', 'peak_mb', name, '{:.0f}')} | "
                     f"{work.get('standard') or work.get('quick') or ''} |")
    dates = ", ".join(f"{m} mode {runs[m]['created']}" for m in runs if runs[m].get("created")) or "never"
    machine = runs["quick"].get("machine") or {}
    where = f"{machine.get('cpu_count', '?')} CPU cores, torch {machine.get('torch', '?')}, {machine.get('platform', '?')}"
    text = "\n".join(lines) + f"\n\nMeasured ({dates}) on {where}."
    one = timings_dir / "notebooks-quick-1cpu.json"
    if one.exists():   # the same quick run pinned to one core, as on a one-CPU Binder
        single = json.loads(one.read_text())
        pairs = [(single["figures"][k], runs["quick"]["figures"][k]) for k in single["figures"]
                 if k.startswith("wall_s_") and runs["quick"]["figures"].get(k)]
        if pairs:
            ratios = [a / b for a, b in pairs]
            cores = (single.get("machine") or {}).get("cpus_usable", "?")
            text += (f" Pinned to {cores} core (`taskset -c 0 python -m course_utils.bench notebooks --mode quick "
                     f"--json docs/timings/notebooks-quick-1cpu.json`, {single.get('created', '?')}), quick mode took "
                     f"{min(a for a, _ in pairs):.0f}–{max(a for a, _ in pairs):.0f} s per notebook: "
                     f"{sum(ratios) / len(ratios) - 1:+.0%} on average against two cores, "
                     f"{max(ratios) - 1:+.0%} at most.")
    return text


def guide_problems(guide: Path = GUIDE, timings_dir: Path = TIMINGS_DIR) -> list[str]:
    """Does the guide's table say what the measurements say?"""
    text = guide.read_text()
    if GUIDE_START not in text or GUIDE_END not in text:
        return [f"{guide.name} has no {GUIDE_START} … {GUIDE_END} block"]
    inside = text.split(GUIDE_START, 1)[1].split(GUIDE_END, 1)[0].strip()
    return [] if inside == guide_table(timings_dir) else [
        f"the timings in {guide.name} differ from {timings_dir}: run `python -m course_utils.nbtools guide`"]


def write_guide(guide: Path = GUIDE, timings_dir: Path = TIMINGS_DIR) -> None:
    head, rest = guide.read_text().split(GUIDE_START, 1)
    guide.write_text(head + GUIDE_START + "\n" + guide_table(timings_dir) + "\n" + GUIDE_END + rest.split(GUIDE_END, 1)[1])


README = REPO_ROOT / "README.md"


def approx_time(seconds: float | None) -> str:
    """How the README's chapter table gives a measured time: "≈ 15 s" (to 5 s) under a minute, else "≈ 2.5 min"."""
    if seconds is None or seconds != seconds:
        return "not yet measured"
    if seconds < 57.5:
        return f"≈ {max(5, 5 * round(seconds / 5))} s"
    minutes = round(seconds / 30) / 2
    return f"≈ {minutes:g} min"


def readme_table(text: str, timings_dir: Path = TIMINGS_DIR) -> str:
    """README text with the quick and standard columns of the chapter table (rows `| NN | `NN_name` | … |`)
    rewritten from the bench's JSON; every other line, and the "idea" column, left as written."""
    runs = {mode: run["figures"] for mode, run in measured_runs(timings_dir).items()}
    out = []
    for line in text.splitlines(keepends=True):
        cells = line.rstrip("\n").split("|")
        # "| 00 | `00_welcome` | idea | quick | standard |" splits into 7 parts, empty at both ends
        if len(cells) >= 7 and cells[1].strip().isdigit() and cells[2].strip().startswith("`"):
            name = cells[2].strip().strip("`")
            cells[-3] = f" {approx_time(runs['quick'].get(f'wall_s_{name}'))} "
            cells[-2] = f" {approx_time(runs['standard'].get(f'wall_s_{name}'))} "
            line = "|".join(cells) + ("\n" if line.endswith("\n") else "")
        out.append(line)
    return "".join(out)


def readme_problems(readme: Path = README, timings_dir: Path = TIMINGS_DIR) -> list[str]:
    """Do the README chapter table's times say what the measurements say?"""
    text = readme.read_text()
    return [] if readme_table(text, timings_dir) == text else [
        f"the chapter times in {readme.name} differ from {timings_dir}: run `python -m course_utils.nbtools guide`"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Notebook pairs, hygiene, expected outputs and student versions.")
    parser.add_argument("command", choices=["sync", "check", "record", "html", "student", "guide"])
    parser.add_argument("notebooks", nargs="*", help="record, student: only these .ipynb files (default: all); "
                                                     "html: NOTEBOOK OUT.html")
    parser.add_argument("--mode", default="quick", help="html: COURSE_MODE to run in (default quick)")
    parser.add_argument("--out", type=Path, default=None,
                        help="student: where to write the student versions (default: student/ at the repository root)")
    parser.add_argument("--check", action="store_true",
                        help="student: write nothing; check the student versions are up to date and solution-free; "
                             "guide: check the instructor guide's and the README's timings match docs/timings/")
    args = parser.parse_intermixed_args(argv)  # options may come after the notebooks, or between
    if args.command == "guide":   # the instructor guide's timing table, from the bench's JSON in docs/timings/
        if not args.check:
            write_guide()
            README.write_text(readme_table(README.read_text()))
        problems = guide_problems() + readme_problems()
        print("\n".join(f"✘ {p}" for p in problems)
              or f"✔ {GUIDE.name} and {README.name}: timings match {TIMINGS_DIR}")
        return 1 if problems else 0
    if args.command == "student":
        problems = write_student_versions([Path(p) for p in args.notebooks] or None, args.out, check_only=args.check)
        for p in problems:
            print("✘", p)
        if not problems and args.check:
            print(f"✔ student versions up to date in {args.out or STUDENT_DIR}, no solution left in them")
        return 1 if problems else 0
    if args.command == "html":
        if len(args.notebooks) != 2:
            parser.error("html needs NOTEBOOK and OUT.html")
        run = export_html(Path(args.notebooks[0]), Path(args.notebooks[1]), args.mode)
        print(f"{'ran' if run.ok else 'FAILED: ' + run.error} in {run.wall_s:.1f} s; wrote {args.notebooks[1]}")
        return 0 if run.ok else 1
    if args.command == "sync":
        sync()
    elif args.command == "record":
        record([Path(p) for p in args.notebooks] or notebook_paths())
        sync()
    problems = all_problems()
    for p in problems:
        print("✘", p)
    if not problems:
        print(f"✔ {len(notebook_paths())} notebook pairs in sync, no stray outputs")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
