"""Suite `notebooks`: each notebook run top to bottom in a fresh kernel, timed, its peak memory read."""

from __future__ import annotations

from .result import SuiteResult
from ..tools.notebooks import execute_notebook, notebook_paths

# Budgets from COURSE_DESIGN.md: (wall seconds, peak MB) per notebook; None = no budget.
BUDGETS = {"quick": (60.0, 1500.0), "standard": (600.0, 1500.0), "full": (None, None)}


def run(mode: str, only: list[str] | None = None, timeout: int = 1200) -> SuiteResult:
    max_s, max_mb = BUDGETS[mode]
    paths = [p for p in notebook_paths() if not only or any(p.stem.startswith(o) for o in only)]
    figures: dict[str, float] = {}
    rows = []
    all_ok = bool(paths)
    for path in paths:
        ex = execute_notebook(path, mode, timeout=timeout)
        name = path.stem
        in_time = max_s is None or ex.wall_s <= max_s
        in_mem = max_mb is None or (ex.peak_mb is not None and ex.peak_mb <= max_mb)
        verdict = "pass" if ex.ok and in_time and in_mem else ("FAIL" if not ex.ok else "OVER BUDGET")
        all_ok &= verdict == "pass"
        figures[f"wall_s_{name}"] = round(ex.wall_s, 2)
        figures[f"peak_mb_{name}"] = round(ex.peak_mb, 1) if ex.peak_mb is not None else float("nan")
        figures[f"pass_{name}"] = 1.0 if ex.ok else 0.0
        rows.append(
            {
                "notebook": name,
                "result": verdict,
                "wall s": round(ex.wall_s, 2),
                "budget s": max_s,
                "peak MB": round(ex.peak_mb, 1) if ex.peak_mb is not None else None,
                "budget MB": max_mb,
                "error": ex.error,
            }
        )
        print(f"  {name}: {verdict} in {ex.wall_s:.1f} s" + (f" — {ex.error}" if ex.error else ""), flush=True)
    figures["notebooks_failed"] = float(sum(r["result"] == "FAIL" for r in rows))
    figures["notebooks_over_budget"] = float(sum(r["result"] == "OVER BUDGET" for r in rows))
    notes = [f"{r['notebook']}: {r['error']}" for r in rows if r["error"]]
    if not paths:
        notes.append("no notebook matched")
    return SuiteResult(
        figures=figures,
        rows=rows,
        columns=["notebook", "result", "wall s", "budget s", "peak MB", "budget MB"],
        ok=all_ok,
        budgets={"wall_s_*": f"<= {max_s}", "peak_mb_*": f"<= {max_mb}"},
        notes=notes,
    )
