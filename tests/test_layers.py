"""Layers that only point down: course_utils' import graph, read from the source (no imports run).

(a) no import cycle (module-level and function-level imports both count);
(b) FaceWorld (course_utils.faces) imports no chapter module: only faces/, config, errors and the bottom modules;
(c) the torch-free modules stay torch-free: importing them leaves torch out of sys.modules;
(d) no module imports a private name (`_name`) from another module.

Each checker is also run on a small synthetic case, so the tests are seen to be able to fail.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import course_utils

PACKAGE = Path(course_utils.__file__).resolve().parent
ROOT = "course_utils"
# what FaceWorld may import outside faces/: the package's own root, config, errors, and the bottom modules
FACES_MAY_IMPORT = {"course_utils", "course_utils.config", "course_utils.errors", "course_utils.models_dlib"}
# torch-free today (each checked); keep them so — torch is imported inside the functions that need it
TORCH_FREE = [
    "course_utils", "course_utils.config", "course_utils.errors", "course_utils.models_dlib", "course_utils.metrics",
    "course_utils.images", "course_utils.viz", "course_utils.checkpoints", "course_utils.fetch",
    "course_utils.exercises", "course_utils.faces", "course_utils.faces.framing", "course_utils.faces.drivers",
    "course_utils.faces.flow", "course_utils.faces.gallery", "course_utils.faces.dlib_check", "course_utils.warps",
    "course_utils.views", "course_utils.landmarks", "course_utils.envcheck", "course_utils.flow",
    "course_utils.flow.classical", "course_utils.flow.pairs", "course_utils.watermark", "course_utils.workshop",
]


# ----------------------------------------------------------------------------- reading the graph

def modules(root: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """{dotted name: (file, is a package __init__)} of every module under root."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


def imports_of(name: str, source: str, package: bool, known) -> list[tuple[str, str, bool, int]]:
    """(imported module, imported name or '', inside a function?, line) for each course_utils import in source."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            lazy = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = name.split(".") if package else name.split(".")[:-1]
                    base = base[:len(base) - (child.level - 1)]
                    origin = ".".join(base + ([child.module] if child.module else []))
                else:
                    origin = child.module or ""
                if origin == ROOT or origin.startswith(ROOT + "."):
                    for alias in child.names:
                        sub = f"{origin}.{alias.name}"
                        # `from . import faces` imports a module; `from .images import load_image` a name
                        found.append((sub, "", in_function, child.lineno) if sub in known
                                     else (origin, alias.name, in_function, child.lineno))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                        found.append((alias.name, "", in_function, child.lineno))
            visit(child, lazy)

    visit(ast.parse(source), False)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """{module: the course_utils modules it imports}, imports inside functions included."""
    mods = modules(root)
    graph = {}
    for name, (path, package) in mods.items():
        edges = set()
        for target, _, lazy, _ in imports_of(name, path.read_text(encoding="utf-8"), package, mods):
            if target == name or target not in mods:
                continue
            edges.add(target)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, …, a], or None when there is none (depth-first search)."""
    state, stack = {}, []

    def dfs(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := dfs(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := dfs(node)):
            return cycle
    return None


def faces_reach_out(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """{faces module: what it imports outside faces/ and FACES_MAY_IMPORT}, empty when FaceWorld stays in its layer."""
    faces = f"{ROOT}.faces"
    out = {}
    for name, edges in graph.items():
        if name == faces or name.startswith(faces + "."):
            bad = {t for t in edges if not (t == faces or t.startswith(faces + ".")) and t not in FACES_MAY_IMPORT}
            if bad:
                out[name] = bad
    return out


def private_imports(root: Path = PACKAGE) -> list[str]:
    """'module:line imports _name from other' for every import of a private name from another module."""
    mods = modules(root)
    out = []
    for name, (path, package) in mods.items():
        for origin, imported, _, line in imports_of(name, path.read_text(encoding="utf-8"), package, mods):
            last = (imported or origin.rsplit(".", 1)[-1])
            if last.startswith("_") and not (last.startswith("__") and last.endswith("__")) and origin != name:
                out.append(f"{name}:{line} imports {last} from {origin}")
    return out


# ----------------------------------------------------------------------------- the checks

def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 50 and "course_utils.faces.framing" in graph["course_utils.warps"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_faceworld_imports_no_chapter_module():
    assert faces_reach_out(import_graph()) == {}


def test_torch_free_modules_stay_torch_free():
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in TORCH_FREE) + \
           "print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    if result.stdout.strip() != "False":  # name the culprit(s)
        culprits = [m for m in TORCH_FREE if subprocess.run(
            [sys.executable, "-c", f"import sys, {m}; sys.exit('torch' in sys.modules)"], timeout=120).returncode]
        raise AssertionError(f"importing these pulls in torch: {culprits}")


def test_no_module_imports_a_private_name_from_another():
    assert private_imports() == []


# ----------------------------------------------------------------------------- the checkers can fail

def test_checkers_catch_a_synthetic_cycle_a_reach_and_a_private_import(tmp_path):
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    assert faces_reach_out({"course_utils.faces.x": {"course_utils.landmarks", "course_utils.errors"}}) == \
        {"course_utils.faces.x": {"course_utils.landmarks"}}
    # a tiny package on disk: p/__init__ imports p.b inside a function (it counts), p/a imports p.b,
    # p/b imports p.a._secret
    pkg = tmp_path / "course_utils"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("def run():\n    from .b import go\n")
    (pkg / "a.py").write_text("from .b import go\n")
    (pkg / "b.py").write_text("def go():\n    from .a import _secret\n")
    graph = import_graph(pkg)
    assert graph == {"course_utils": {"course_utils.b"}, "course_utils.a": {"course_utils.b"},
                     "course_utils.b": {"course_utils.a"}}
    cycle = find_cycle(graph)
    assert cycle[0] == cycle[-1] and sorted(cycle[:-1]) == ["course_utils.a", "course_utils.b"], cycle
    assert private_imports(pkg) == ["course_utils.b:2 imports _secret from course_utils.a"]
