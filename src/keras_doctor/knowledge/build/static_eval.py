"""A tiny evaluator of Python expressions over `ast`, for reading constants out of source code.

The weights table needs values that Keras application modules compute from constants (file names
built by `+`, `%`, f-strings and `str.format`, hashes picked from dict tables). This evaluates only
such pure expressions; anything else (calls, attributes of objects) raises `Unknown`. An unbound
name raises `Free`, so a caller can bind it to candidate values and try again. Nothing is imported
or executed.
"""

from __future__ import annotations

import ast
import contextlib
from typing import Any, Dict

STR_METHODS = ("split", "replace", "lower", "upper", "strip")
BUILTINS = {"str": str, "float": float, "int": int}


class Unknown(Exception):
    """An expression that cannot be evaluated statically."""


class Free(Unknown):
    """An unbound name; `names` runs from it out through the locals computed from it."""

    def __init__(self, name: str):
        super().__init__(name)
        self.names = [name]


OPAQUE = object()  # a local assigned from something we cannot evaluate


class Lazy:
    """A local whose value depends on a parameter: evaluated again once parameters are bound."""

    def __init__(self, node: ast.AST):
        self.node = node


def evaluate(node: ast.AST, env: Dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise Free(node.id)
        value = env[node.id]
        if isinstance(value, Lazy):  # computed from parameters: evaluate now, without recursion
            try:
                return evaluate(value.node, {**env, node.id: OPAQUE})
            except Free as free:
                free.names.append(node.id)
                raise
        if value is OPAQUE:
            raise Free(node.id)  # may still be enumerated from the constants it is compared with
        return value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(evaluate(e, env) for e in node.elts)
    if isinstance(node, ast.Dict):
        return {evaluate(k, env): evaluate(v, env) for k, v in zip(node.keys, node.values) if k}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = evaluate(node.operand, env)
        if not isinstance(value, (int, float)):
            raise Unknown("sign of a non-number")
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in BUILTINS and node.args:
        return BUILTINS[node.func.id](evaluate(node.args[0], env))  # type: ignore[attr-defined]
    if isinstance(node, ast.BinOp):
        left, right = evaluate(node.left, env), evaluate(node.right, env)
        try:
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Mod):
                return left % right
        except (TypeError, ValueError) as exc:
            raise Unknown(str(exc)) from exc
        raise Unknown("operator")
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            inner = value.value if isinstance(value, ast.FormattedValue) else value
            parts.append(str(evaluate(inner, env)))
        return "".join(parts)
    if isinstance(node, ast.Subscript):
        container = evaluate(node.value, env)
        index = node.slice
        try:
            if isinstance(index, ast.Slice):
                bounds = [evaluate(b, env) if b else None for b in (index.lower, index.upper)]
                return container[bounds[0] : bounds[1]]
            return container[evaluate(index, env)]
        except (KeyError, IndexError, TypeError) as exc:
            raise Unknown(str(exc)) from exc
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in STR_METHODS
    ):
        target = evaluate(node.func.value, env)
        if not isinstance(target, str):
            raise Unknown("method of a non-string")
        args = [evaluate(a, env) for a in node.args]
        return getattr(target, node.func.attr)(*args)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        template = evaluate(node.func.value, env)
        args = [evaluate(a, env) for a in node.args]
        return template.format(
            *args, **{k.arg: evaluate(k.value, env) for k in node.keywords if k.arg}
        )
    raise Unknown(type(node).__name__)


def module_constants(tree: ast.Module) -> Dict[str, Any]:
    env: Dict[str, Any] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            with contextlib.suppress(Unknown):
                env[node.targets[0].id] = evaluate(node.value, env)
    return env
