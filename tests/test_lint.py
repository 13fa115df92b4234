"""The linter (ruff, configured in pyproject.toml) passes on the package, the tests and the notebooks' .py sources, so
every `noqa` in them silences a rule that is on (RUF100 fails a noqa that silences nothing)."""

import subprocess
import sys

from course_utils.config import REPO_ROOT


def _ruff(*args, cwd=REPO_ROOT):
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_ruff_passes():
    done = _ruff(".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_ruff_can_fail(tmp_path):
    """With the project's configuration, an unused import and a noqa that silences nothing are both reported."""
    (tmp_path / "pyproject.toml").write_text((REPO_ROOT / "pyproject.toml").read_text())
    (tmp_path / "bad.py").write_text("import os\n\nx = 1  # noqa: E731\n")
    done = _ruff(".", cwd=tmp_path)
    assert done.returncode == 1 and "F401" in done.stdout and "RUF100" in done.stdout, done.stdout
