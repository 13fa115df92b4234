"""The timing tables of the instructor guide and the README, written from the bench's measurements in docs/timings/.

    python -m course_utils.tools.timings guide           # rewrite both tables, and each notebook's stated running
                                                         # times (its .py; sync the pairs after), from docs/timings/
    python -m course_utils.tools.timings guide --check   # write nothing; check all match docs/timings/
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import REPO_ROOT
from .notebooks import NOTEBOOK_DIR, notebook_paths

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
        f"the timings in {guide.name} differ from {timings_dir}: run `python -m course_utils.tools.timings guide`"]


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
        f"the chapter times in {readme.name} differ from {timings_dir}: run `python -m course_utils.tools.timings guide`"]


def _stated(cell: str) -> str:
    """The approximate time a header's running-time cell states: "about 35 s", "about 4–5 min", "20–40 s", or ''."""
    import re

    m = re.search(r"\((about [^)]*?|\d+–\d+ (?:s|min))\)", cell) or re.fullmatch(r"(about .+)", cell)
    return m.group(1) if m else ""


def header_times(text: str, runs: dict | None = None, name: str = "") -> tuple[str, list[str]]:
    """A notebook's .py text with the "running the notebook" column of its expected-time table stating the measured
    time of each mode (as "about …", approx_time's rounding), and the rows whose stated time differed."""
    runs = runs if runs is not None else {m: r["figures"] for m, r in measured_runs().items()}
    out, changed, seen = [], [], set()
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        cells = body.split("|")
        mode = cells[1].strip().split(" ")[0] if len(cells) >= 4 and body.startswith("# |") else ""
        wall = runs.get(mode, {}).get(f"wall_s_{name}") if mode in ("quick", "standard") and mode not in seen else None
        if wall is not None and wall == wall:
            seen.add(mode)
            want = "about " + approx_time(wall).removeprefix("≈ ")
            cell = cells[2]
            old = _stated(cell.strip())
            if old != want:
                if old and f"({old})" in cell:
                    cell = cell.replace(f"({old})", f"({want})", 1)
                elif old:
                    cell = cell.replace(old, want, 1)
                elif ":" in cell:
                    cell = cell.replace(":", f" ({want}):", 1)
                else:
                    cell = cell.rstrip() + f" ({want}) "
                changed.append(f"{name} {mode}: stated {old or 'nothing'}, measured {wall:.0f} s")
                cells[2] = cell
                line = "|".join(cells) + ("\n" if line.endswith("\n") else "")
        out.append(line)
    return "".join(out), changed


def header_problems(directory: Path = NOTEBOOK_DIR, timings_dir: Path = TIMINGS_DIR) -> list[str]:
    """Do the notebooks' expected-time tables state the measured running times?"""
    runs = {m: r["figures"] for m, r in measured_runs(timings_dir).items()}
    problems = []
    for ipynb in notebook_paths(directory):
        py = ipynb.with_suffix(".py")
        problems += header_times(py.read_text(), runs, ipynb.stem)[1]
    return [f"{p} (run `python -m course_utils.tools.timings guide`, then sync the notebooks)" for p in problems]


def write_headers(directory: Path = NOTEBOOK_DIR, timings_dir: Path = TIMINGS_DIR) -> None:
    runs = {m: r["figures"] for m, r in measured_runs(timings_dir).items()}
    for ipynb in notebook_paths(directory):
        py = ipynb.with_suffix(".py")
        text, changed = header_times(py.read_text(), runs, ipynb.stem)
        if changed:
            py.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The instructor guide's and the README's timing tables.")
    parser.add_argument("command", choices=["guide"])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; check the instructor guide's and the README's timings match docs/timings/")
    args = parser.parse_intermixed_args(argv)
    # guide: the instructor guide's timing table, from the bench's JSON in docs/timings/
    if not args.check:
        write_guide()
        README.write_text(readme_table(README.read_text()))
        write_headers()
    problems = guide_problems() + readme_problems() + header_problems()
    print("\n".join(f"✘ {p}" for p in problems)
          or f"✔ {GUIDE.name} and {README.name}: timings match {TIMINGS_DIR}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
