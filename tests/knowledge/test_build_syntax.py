"""The builders parse Python only through `knowledge.build.syntax`, which never parses two sources
at once: on CPython ≤ 3.11.7 concurrent `ast.parse` calls from the builders' thread pools failed a
rebuild now and then with "AST constructor recursion depth mismatch" (python/cpython#106905)."""

from __future__ import annotations

import ast
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from keras_doctor.knowledge.build import syntax

BUILD = Path(syntax.__file__).parent


def _direct_parses(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "parse" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "ast"]


def test_no_builder_calls_ast_parse_but_the_serialised_parser():
    direct = {path.name: lines for path in sorted(BUILD.glob("*.py"))
              if path.name != "syntax.py" and (lines := _direct_parses(path))}
    assert direct == {}
    assert _direct_parses(BUILD / "syntax.py"), "the scan finds an ast.parse call where one is"


def test_parses_from_many_threads_never_overlap(monkeypatch):
    inside, most = 0, 0
    guard = threading.Lock()
    real = ast.parse

    def counting(source):
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        try:
            threading.Event().wait(0.002)
            return real(source)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(syntax.ast, "parse", counting)
    with ThreadPoolExecutor(8) as pool:
        trees = list(pool.map(syntax.parse, [f"x{i} = {i}" for i in range(40)]))
    assert most == 1
    assert [t.body[0].targets[0].id for t in trees] == [f"x{i}" for i in range(40)]
