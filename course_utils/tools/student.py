"""Student versions of the notebooks: solutions removed, checks kept; generated, never edited by hand.

    python -m course_utils.tools.student [--out DIR] [NOTEBOOK ...]   # write them (default: all, to student/)
    python -m course_utils.tools.student --check   # student/ up to date, no solution left in it

Exercises are authored once, with their solution, between `### BEGIN SOLUTION` and `### END SOLUTION`
(see course_utils.exercises); this replaces each block by `raise NotImplementedError("Exercise: ...")`
at the block's indentation and keeps the checks, which report an unfinished exercise as "not attempted yet".
A block belongs inside a function: at module level it stops its cell (tagged `raises-exception`).
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT
from .notebooks import NOTEBOOK_DIR, is_checked, notebook_paths

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
        f"> `python -m course_utils.tools.student`; do not edit (edit the instructor notebook and regenerate).\n"
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
            problems += [f"{t.name}: missing or out of date in {out} (run `python -m course_utils.tools.student`)"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Student versions: solutions removed, checks kept.")
    parser.add_argument("notebooks", nargs="*", help="only these .ipynb files (default: all)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the student versions (default: student/ at the repository root)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; check the student versions are up to date and solution-free")
    args = parser.parse_intermixed_args(argv)  # options may come after the notebooks, or between
    problems = write_student_versions([Path(p) for p in args.notebooks] or None, args.out, check_only=args.check)
    for p in problems:
        print("✘", p)
    if not problems and args.check:
        print(f"✔ student versions up to date in {args.out or STUDENT_DIR}, no solution left in them")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
