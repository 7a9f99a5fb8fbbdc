"""The layers of docs/architecture.md, held by reading every module's imports with `ast`.

Every import counts, including those deferred into functions and those under `TYPE_CHECKING`: a
deferred import hides a dependency from a reader, not from the design. `from a import b` is an edge
to `a.b` when that is a module, else to `a`; importing a submodule does not count as importing its
package's `__init__`.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Set, Tuple

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"
ROOT = "keras_doctor"

# What each part of keras-doctor may import from keras-doctor (besides itself). The pipeline runs
# facts → checks → plan → apply; each layer knows only those before it and the shared vocabulary
# (findings, causes). Unlisted parts fail the test, so a new one has to be placed here first.
VOCABULARY = frozenset({"findings", "causes", "version"})
MAY_IMPORT: Dict[str, FrozenSet[str]] = {
    "version": frozenset(),
    "findings": frozenset(),
    "causes": frozenset({"findings"}),
    "requirements": frozenset({"knowledge"}),  # marker evaluation; TensorFlow's shims
    "facts": VOCABULARY,
    "knowledge": frozenset(),  # at run time: its own data readers only
    "knowledge.build": VOCABULARY | {"knowledge", "facts"},  # the generators
    "remedies": VOCABULARY | {"facts"},  # the fix steps checks attach to findings
    "checks": VOCABULARY | {"facts", "knowledge", "remedies", "requirements"},
    "plan": VOCABULARY | {"facts", "knowledge", "requirements", "remedies", "checks"},
    "apply": VOCABULARY | {"facts", "knowledge", "requirements", "remedies", "checks", "plan"},
    "explain": VOCABULARY | {"facts", "knowledge", "checks"},
    "verify": VOCABULARY | {"facts", "knowledge", "explain"},
    "render": VOCABULARY | {"plan"},  # it shows findings and the plan that fixes them
    # The front ends put the pipeline together.
    "cli": None,  # type: ignore[dict-item]
    "ipython": None,  # type: ignore[dict-item]
    "hook": None,  # type: ignore[dict-item]
    "__main__": None,  # type: ignore[dict-item]
    "": None,  # type: ignore[dict-item]  # the package's __init__: IPython extension hooks
}

# Standard-library modules that reach the machine: processes, network, native calls, the platform,
# the installed distributions. None of them belongs in a pure layer.
MACHINE_MODULES = ("subprocess", "socket", "ctypes", "platform", "glob", "sysconfig", "site",
                   "tempfile", "shutil", "urllib.request", "http", "importlib.metadata",
                   "multiprocessing", "pkg_resources", "getpass", "pwd", "winreg")
# `os` and `os.path` functions that ask the machine (the string functions — join, dirname,
# basename, splitext, isabs, normpath — are pure and allowed).
MACHINE_OS = {"stat", "lstat", "listdir", "scandir", "walk", "access", "readlink", "getcwd",
              "remove", "unlink", "rename", "replace", "makedirs", "mkdir", "rmdir", "system",
              "popen", "getenv", "uname", "cpu_count", "chdir", "environ", "getpid", "kill"}
MACHINE_OS_PATH = {"exists", "lexists", "isfile", "isdir", "islink", "ismount", "realpath",
                   "getsize", "getmtime", "getatime", "getctime", "samefile", "abspath",
                   "expanduser", "expandvars"}
# Methods of pathlib.Path that touch the file system.
MACHINE_METHODS = {"exists", "is_file", "is_dir", "is_symlink", "stat", "lstat", "iterdir",
                   "read_text", "read_bytes", "write_text", "write_bytes", "glob", "rglob",
                   "samefile", "home", "cwd", "touch", "readlink", "expanduser"}
# Reads of the machine that a pure layer may still make, each with the reason.
ALLOWED_MACHINE_READS = {
    # Colour and width follow the terminal the report is shown on, not the diagnosed machine.
    ("render.styled", "os.environ"), ("render.styled", "shutil"),
    # The knowledge loader finds and reads its own data files (package data or the user's copy).
    ("knowledge", "is_file"), ("knowledge", "read_text"),
    # Where the user's copy lives follows HOME and XDG_CACHE_HOME.
    ("knowledge.paths", "os.environ"), ("knowledge.paths", "home"),
}


@cache
def modules() -> Dict[str, Tuple[Path, bool]]:
    """{dotted name: (file, is package)} of every module of keras-doctor."""
    found = {}
    for path in sorted((SOURCE / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name][0].read_text(encoding="utf-8"))


def imports(name: str) -> List[Tuple[str, int]]:
    """(imported module, line) for every import in `name`, wherever it sits."""
    is_package = modules()[name][1]
    found = []
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((full if full in modules() else base, node.lineno))
    return found


def internal_edges() -> Dict[str, Set[str]]:
    edges: Dict[str, Set[str]] = {name: set() for name in modules()}
    for name in modules():
        for target, _ in imports(name):
            if target in modules() and target != name:
                edges[name].add(target)
    return edges


def part_of(name: str) -> str:
    """The part of keras-doctor a module belongs to ("checks", "knowledge.build", …)."""
    rest = name.split(".")[1:]
    if rest[:2] == ["knowledge", "build"]:
        return "knowledge.build"
    return rest[0] if rest else ""


def cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def machine_reads(name: str) -> Iterator[Tuple[str, int]]:
    """(what, line) for each way module `name` reaches the machine it runs on."""
    for target, line in imports(name):
        if any(target == m or target.startswith(m + ".") for m in MACHINE_MODULES):
            yield target, line
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "open":
            yield "open", node.lineno
        if not isinstance(node, ast.Attribute):
            continue
        owner = ast.unparse(node.value)
        if owner == "os" and node.attr in MACHINE_OS:
            yield f"os.{node.attr}", node.lineno
        elif owner in ("os.path", "path") and node.attr in MACHINE_OS_PATH:
            yield f"os.path.{node.attr}", node.lineno
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in MACHINE_METHODS \
                and ast.unparse(node.func.value) not in ("os", "os.path"):
            yield node.func.attr, node.lineno


def test_the_scanner_sees_every_kind_of_import_and_machine_read(tmp_path, monkeypatch):
    """The rules below are only as good as this reading of the source: prove it on a sample."""
    package = tmp_path / ROOT
    (package / "checks").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "checks" / "__init__.py").write_text("")
    (package / "plan.py").write_text("")
    (package / "checks" / "sample.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import other\n"
        "if TYPE_CHECKING:\n    from keras_doctor import plan\n"
        "def f(p):\n"
        "    import subprocess\n"
        "    from keras_doctor.plan import x\n"
        "    return os.path.exists(p) or p.is_file() or open(p) or os.environ['A']\n"
    )
    (package / "checks" / "other.py").write_text("from keras_doctor.checks import sample\n")
    monkeypatch.setattr(sys.modules[__name__], "SOURCE", tmp_path)
    modules.cache_clear()
    tree.cache_clear()
    try:
        found = imports("keras_doctor.checks.sample")
        assert [t for t, _ in found] == ["typing", "keras_doctor.checks.other",
                                         "keras_doctor.plan", "subprocess", "keras_doctor.plan"]
        assert {w for w, _ in machine_reads("keras_doctor.checks.sample")} == {
            "subprocess", "os.path.exists", "is_file", "open", "os.environ"}
        assert cycles(internal_edges()) == [["keras_doctor.checks.other",
                                             "keras_doctor.checks.sample"]]
    finally:
        modules.cache_clear()
        tree.cache_clear()


def test_no_import_circles_even_through_deferred_imports():
    assert cycles(internal_edges()) == []


def test_every_part_imports_only_the_layers_below_it():
    unplaced = sorted({part_of(name) for name in modules()} - set(MAY_IMPORT))
    assert unplaced == [], f"place these parts in MAY_IMPORT: {unplaced}"
    wrong = []
    for name, targets in internal_edges().items():
        part = part_of(name)
        allowed = MAY_IMPORT[part]
        if allowed is None:
            continue
        for target in targets:
            other = part_of(target)
            if other != part and other not in allowed:
                line = next(line for t, line in imports(name) if t == target)
                wrong.append(f"{name}:{line} imports {target} ({part} may not import {other})")
    assert wrong == []


def test_nothing_that_runs_at_diagnosis_time_imports_the_generators():
    wrong = [f"{name} imports {target}"
             for name, targets in internal_edges().items() if part_of(name) != "knowledge.build"
             for target in targets if part_of(target) == "knowledge.build"]
    assert wrong == []


@pytest.mark.parametrize("part", ["checks", "render", "knowledge"])
def test_pure_layers_do_not_read_the_machine(part):
    """Checks are functions of a facts snapshot (saved facts diagnose the same anywhere); render
    shows findings; run-time knowledge reads its own data files. Only facts/ reads the machine."""
    wrong = []
    for name in modules():
        if part_of(name) != part:
            continue
        short = name.split(".", 1)[1]
        for what, line in machine_reads(name):
            if (short, what) in ALLOWED_MACHINE_READS:
                continue
            wrong.append(f"{name}:{line} {what}")
    assert wrong == []



def test_every_allowed_machine_read_is_still_made():
    """An allowance nobody uses any more lets the next read in silently: keep the list exact."""
    made = {(name.split(".", 1)[1], what) for name in modules()
            if part_of(name) in ("checks", "render", "knowledge")
            for what, _ in machine_reads(name)}
    assert sorted(ALLOWED_MACHINE_READS - made) == []
