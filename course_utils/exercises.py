"""Exercise checks that answer with a hint, not just "wrong".

Authoring convention (the student version is generated from the same source):

    def my_answer(x):
        ### BEGIN SOLUTION
        return 2 * x
        ### END SOLUTION

A check runs a list of small tests; the first failing one prints its hint. Checks never raise, so a
notebook with an unfinished exercise still runs top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass
class Test:
    """One thing to check: `passes()` returns True when the answer is right; `hint` says what to try."""

    __test__ = False  # not a pytest test class, despite the name

    description: str
    passes: Callable[[], bool]
    hint: str


def run_check(title: str, tests: Sequence[Test]) -> None:
    """Run the tests in order and print ✔ for each passed one; stop at the first failure and print its hint.

    Returns nothing, so a notebook cell shows only the printed verdict; `passed(title)` tells afterwards."""
    for test in tests:
        try:
            ok = bool(test.passes())
        except NotImplementedError:
            print(f"✎ {title}: not attempted yet — replace the `raise NotImplementedError` with your code.")
            _RESULTS[title] = False
            return
        except Exception as err:  # noqa: BLE001 - a learner's bug: show it as a hint, not a traceback
            print(f"✘ {title}: checking '{test.description}' raised {type(err).__name__}: {err}")
            print(f"  Hint: {test.hint}")
            _RESULTS[title] = False
            return
        if not ok:
            print(f"✘ {title}: {test.description} — not yet.")
            print(f"  Hint: {test.hint}")
            _RESULTS[title] = False
            return
        print(f"✔ {test.description}")
    print(f"🎉 {title}: all {len(tests)} checks passed.")
    _RESULTS[title] = True


_RESULTS: dict[str, bool] = {}


def passed(title: str) -> bool:
    """Whether the last run of the check with this title passed (False if it never ran)."""
    return _RESULTS.get(title, False)
