"""The course's one exception type, and a notebook hook that shows it as one sentence."""

from __future__ import annotations


class CourseError(Exception):
    """A problem a learner can cause or fix: the message is one sentence saying what happened
    and what to do (for example, which command rebuilds a checkpoint)."""


def install_friendly_errors() -> bool:
    """In IPython, print a CourseError as its sentence instead of a traceback. Returns True if installed."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: tracebacks as usual
        return False
    ip = get_ipython()
    if ip is None:
        return False

    def _show(shell, etype, evalue, tb, tb_offset=None):
        print(f"⚠ {evalue}")
        return None

    ip.set_custom_exc((CourseError,), _show)
    return True
