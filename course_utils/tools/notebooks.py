"""Notebook pairs for maintainers: hygiene, sync, expected outputs, execution.

    python -m course_utils.tools.notebooks sync     # jupytext --sync every notebooks/NN_name.py <-> .ipynb pair
    python -m course_utils.tools.notebooks check    # pairs in sync, no stray outputs (what the tests check)
    python -m course_utils.tools.notebooks record   # run in quick mode, store outputs of NBVAL_CHECK_OUTPUT cells
    python -m course_utils.tools.notebooks html NOTEBOOK OUT.html [--mode quick]   # run one, write it as HTML

Authoring rule: the .py (percent format) is what reviewers read. The .ipynb holds no outputs, except
the expected output (and an execution count, which nbval needs) of cells whose first line is
`# NBVAL_CHECK_OUTPUT`: nbval (lax mode) compares exactly those cells' printed output with what is stored.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT

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
        problems.append(
            f"{ipynb.name} and {py.name} differ from cell {where} on (run `python -m course_utils.tools.notebooks sync`)"
        )
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



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Notebook pairs, hygiene and expected outputs.")
    parser.add_argument("command", choices=["sync", "check", "record", "html"])
    parser.add_argument("notebooks", nargs="*", help="record: only these .ipynb files (default: all); "
                                                     "html: NOTEBOOK OUT.html")
    parser.add_argument("--mode", default="quick", help="html: COURSE_MODE to run in (default quick)")
    args = parser.parse_intermixed_args(argv)  # options may come after the notebooks, or between
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
