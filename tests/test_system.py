"""The programs outside Python that the tests run are listed once (course_utils.tools.system) and `make test`
provides them: a test module that starts a program the setup does not provide fails here, not on a fresh machine."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from course_utils.config import REPO_ROOT
from course_utils.tools import system

RUNNERS = {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput", "system",
           "execvp", "execv", "spawnlp"}
BARE_RUNNERS = {"Popen", "check_call", "check_output"}  # as `from subprocess import Popen`; a bare run() is ambiguous
PROVIDER = REPO_ROOT / "course_utils" / "tools" / "system.py"  # runs apt-get, where present, to provide the rest


def programs_started(source: str) -> set[str]:
    """The programs a Python source starts by a literal name: subprocess.*([name, ...]) or ("name ..."),
    os.system("name ..."), shutil.which("name") and system.find("key"); `launch(...)` without executable_path
    (Playwright's own browser download) counts as the program 'playwright-browser'."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
        arg = node.args[0] if node.args else None
        runner = (name in RUNNERS and owner in ("subprocess", "os")) or (name in BARE_RUNNERS and not owner)
        if runner and arg is not None:
            if isinstance(arg, (ast.List, ast.Tuple)) and arg.elts:
                arg = arg.elts[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.strip():
                found.add(os.path.basename(arg.value.split()[0]))
        elif ((name, owner) in (("which", "shutil"), ("which", ""), ("find", "system"))
              and isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            found.add(arg.value)
        elif name == "launch" and not any(k.arg == "executable_path" for k in node.keywords):
            found.add("playwright-browser")
    return found


def _known() -> set[str]:
    return set(system.BASE) | {n.key for n in system.NEEDS} | {name for n in system.NEEDS for name in n.names}


def test_the_scanner_sees_programs_started_in_each_way():
    src = ("import subprocess, shutil, os\n"
           "subprocess.run(['ffmpeg', '-i', 'x'])\nsubprocess.Popen('convert a b', shell=True)\n"
           "os.system('/usr/bin/espeak-ng hi')\nshutil.which('tesseract')\nsystem.find('chromium')\n"
           "p.chromium.launch(headless=True)\nsubprocess.run([sys.executable, '-m', 'x'])\n"
           "'abc'.find('b')\ndetector.run('img', 1)\n")
    assert programs_started(src) == {"ffmpeg", "convert", "espeak-ng", "tesseract", "chromium", "playwright-browser"}
    assert programs_started("p.chromium.launch(executable_path=system.find('chromium'))") == {"chromium"}


@pytest.mark.parametrize("folder", ["tests", "course_utils", "notebooks"])
def test_every_program_the_code_starts_is_provided(folder):
    unlisted = {}
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        if path == PROVIDER:
            continue
        extra = programs_started(path.read_text()) - _known()
        if extra:
            unlisted[str(path.relative_to(REPO_ROOT))] = sorted(extra)
    assert not unlisted, (f"these start programs that the setup does not provide: {unlisted}; list them in "
                          "course_utils/tools/system.py (NEEDS, with their Debian packages) or use a pip package")


def _makefile_prerequisites() -> dict[str, list[str]]:
    rules = {}
    for line in (REPO_ROOT / "Makefile").read_text().splitlines():
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:(?!=)\s*(.*)$", line)
        if m:
            rules[m.group(1)] = m.group(2).split()
    return rules


def test_make_provides_each_program_before_the_targets_that_need_it():
    makefile = (REPO_ROOT / "Makefile").read_text()
    rules = _makefile_prerequisites()
    recipe = makefile.split("\nsystem:", 1)[1].split("\n\n", 1)[0]
    assert "course_utils.tools.system install --for $(SYSTEM_FOR)" in recipe
    default = re.search(r"^SYSTEM_FOR \?= (\w+)$", makefile, re.M).group(1)
    for n in system.NEEDS:
        for target in n.needed_for:
            assert "system" in rules.get(target, []), f"`make {target}` needs {n.key} but does not depend on `system`"
            assert target == default or re.search(rf"^{target}: SYSTEM_FOR := {target}$", makefile, re.M), \
                f"`make {target}` runs `system` for another target"
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\s*$", ci, re.M), ".ci/run must call exactly the README's test command"


def test_a_missing_program_gets_one_sentence_with_what_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert system.find("chromium") is None
    monkeypatch.setattr(system, "_can_apt", lambda: False)
    lines = [line for line in system.install("test") if "chromium" in line]
    assert lines == [f"system: chromium is missing; {system.how_to_install('chromium')}."]
    assert "apt-get install chromium fonts-liberation" in lines[0] and "CHROMIUM=" in lines[0]
    # where it can (root, apt-get), it installs the listed Debian packages
    monkeypatch.setattr(system, "_can_apt", lambda: True)
    assert system.install("test", dry_run=True)[0] == \
        "system: installing chromium fonts-liberation with apt-get (needed by `make test`)"
    assert system.main(["check", "--for", "test"]) == 1


def test_a_missing_library_is_found_missing(monkeypatch):
    assert system.find("opencv-libraries"), "this machine runs the course, so OpenCV's libraries load"
    monkeypatch.setattr(system, "_load", lambda library: library != "libGL.so.1")
    assert system.find("opencv-libraries") is None
    assert "apt-get install libgl1 libglib2.0-0" in system.how_to_install("opencv-libraries")


def test_the_environment_variable_points_at_the_program(monkeypatch, tmp_path):
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(fake))
    assert system.find("chromium") == str(fake)
    assert f"system: chromium: {fake}" in system.install("test")
    with pytest.raises(KeyError, match="list it there first"):
        system.need("ffmpeg")


def test_the_script_runs_with_the_standard_library_alone():
    """`make system` may run before anything is installed: a bare interpreter (-S: no site-packages) suffices."""
    done = subprocess.run([sys.executable, "-S", "-m", "course_utils.tools.system", "check", "--for", "none"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(os.environ.get("CI", "").lower() not in ("1", "true", "yes"), reason="under CI=true only")
def test_under_ci_every_program_is_there():
    missing = [n.key for n in system.NEEDS if system.find(n.key) is None]
    assert not missing, [system.how_to_install(k) for k in missing]


def test_a_failing_apt_get_is_reported_and_the_sentence_follows(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "none"))
    monkeypatch.setattr(system, "_can_apt", lambda: True)
    calls = []

    def fake_run(cmd, **kwargs):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 100, "", "W: Some index files failed\nE: Could not resolve 'deb.debian.org'")

    monkeypatch.setattr(system.subprocess, "run", fake_run)
    lines = system.install("test")
    assert calls == [["apt-get", "update", "-qq"]], "after a failed update it must not try to install"
    assert lines[1] == "system: `apt-get update` failed: W: Some index files failed | E: Could not resolve 'deb.debian.org'"
    assert lines[-2].startswith("system: chromium is missing; install chromium")
