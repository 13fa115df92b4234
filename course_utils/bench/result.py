"""What a bench suite returns: named figures, the table rows people read, and whether every figure met its bar."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SuiteResult:
    """What a suite measured: figures by name, table rows for people, and whether all met their budgets."""

    figures: dict[str, float]
    rows: list[dict]
    columns: list[str]
    ok: bool
    budgets: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)  # per-case figures behind the means (JSON only, when given)


def check_bars(figures: dict[str, float], bars: dict[str, tuple[str, float]], notes: list[str]) -> SuiteResult:
    """A SuiteResult for figures checked against bars {name: ('>=' or '<=', bar)}: one row per figure
    (pass, MISSED, or info when it has no bar) and a SKIPPED row for a barred figure not measured."""
    rows, ok = [], True
    for name, value in figures.items():
        op, bar = bars.get(name, (None, None))
        met = None if op is None else (value >= bar if op == ">=" else value <= bar)
        ok &= met is not False
        rows.append({"figure": name, "value": round(float(value), 4), "bar": f"{op} {bar:g}" if op else "",
                     "result": {True: "pass", False: "MISSED", None: "info"}[met]})
    for name, (op, bar) in bars.items():
        if name not in figures:
            ok = False
            rows.append({"figure": name, "value": None, "bar": f"{op} {bar:g}", "result": "SKIPPED"})
    return SuiteResult(figures={k: float(v) for k, v in figures.items()}, rows=rows,
                       columns=["figure", "value", "bar", "result"], ok=ok,
                       budgets={k: f"{op} {bar:g}" for k, (op, bar) in bars.items()}, notes=notes)
