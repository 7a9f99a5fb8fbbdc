"""Weight file names and hashes of a Keras application module, found by evaluating its source.

Each application downloads its weights with `get_file(file_name, origin, file_hash=…)`, but the
arguments are computed: `model_name + "_weights_tf_dim_ordering_tf_kernels.h5"` with the hash from
`WEIGHTS_HASHES[model_name][0]`, where `model_name` is whatever `ResNet50()` passed to `ResNet()`.
This runs each function symbolically (expressions by `static_eval`): it follows straight-line
assignments, forks at every `if` (both branches), and binds the function's parameters from each
call site in the module (`ResNet(..., "resnet50")` inside `ResNet50`), or from the constants the
function compares them with. Only fully evaluated calls are reported; nothing is imported or run.
"""

from __future__ import annotations

import ast
import contextlib
from typing import Any, Dict, Iterator, List, Optional, Tuple

from keras_doctor.knowledge.build import syntax
from keras_doctor.knowledge.build.static_eval import (
    OPAQUE,
    Free,
    Lazy,
    Unknown,
    evaluate,
    module_constants,
)

MAX_PATHS = 256


def _paths(
    statements: List[ast.stmt], env: Dict[str, Any]
) -> List[Tuple[ast.Call, Dict[str, Any]]]:
    """(get_file call, environment) for every path through `statements` that reaches one."""
    return _run(statements, [env])[0]


def _run(
    statements: List[ast.stmt], envs: List[Dict[str, Any]]
) -> Tuple[List[Tuple[ast.Call, Dict[str, Any]]], List[Dict[str, Any]]]:
    """Execute `statements` on every environment: (calls reached, environments at the end)."""
    calls: List[Tuple[ast.Call, Dict[str, Any]]] = []
    for statement in statements:
        next_envs: List[Dict[str, Any]] = []
        for current in envs:
            if isinstance(statement, ast.If):
                assigns = any(
                    isinstance(n, (ast.Assign, ast.AugAssign)) for n in ast.walk(statement)
                )
                for branch in (statement.body, statement.orelse):
                    reached, ends = _run(branch, [dict(current)])
                    calls.extend(reached)
                    if assigns:
                        next_envs.extend(ends)
                if not assigns:  # neither branch changes a name: one path continues
                    next_envs.append(current)
                continue
            if isinstance(statement, (ast.For, ast.While, ast.With, ast.Try)):
                reached, ends = _run(statement.body, [current])
                calls.extend(reached)
                next_envs.extend(ends)
                continue
            calls.extend(
                (node, current)
                for node in ast.walk(statement)
                if isinstance(node, ast.Call) and _is_get_file(node)
            )
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        current[target.id] = _assigned(statement.value, current)
            next_envs.append(current)
        envs = next_envs[:MAX_PATHS]
    return calls, envs


def _assigned(value: ast.expr, env: Dict[str, Any]) -> Any:
    try:
        return evaluate(value, env)
    except Free:
        return Lazy(value)
    except Unknown:
        return OPAQUE


def _is_get_file(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "get_file"


def weight_calls(source: bytes) -> List[Dict[str, Any]]:
    """Every fully evaluated `get_file` call: {function, file_name, file_hash, origin}."""
    tree = syntax.parse(source)
    constants = module_constants(tree)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    # file name → (bound by a call site?) → {hash: result}
    found: Dict[str, Dict[bool, Dict[Optional[str], Dict[str, Any]]]] = {}
    for function in functions.values():
        choices = _choices(function, constants)
        for caller, binding in _bindings(function, functions):
            for call, path_env in _paths(function.body, {**constants, **binding}):
                for result in _evaluate_call(call, path_env, choices):
                    by_kind = found.setdefault(result["file_name"], {})
                    by_hash = by_kind.setdefault(bool(binding), {})
                    by_hash.setdefault(result["file_hash"], {**result, "function": caller})
    out: List[Dict[str, Any]] = []
    for by_kind in found.values():
        # What call sites bind beats what guessed parameter values give; a file name still paired
        # with several hashes came from a guess: report none of them.
        by_hash = by_kind.get(True) or by_kind[False]
        if len(by_hash) == 1:
            out.extend(by_hash.values())
    return sorted(out, key=lambda r: r["file_name"])


def _bindings(
    function: ast.FunctionDef, functions: Dict[str, ast.FunctionDef]
) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """(caller, parameter values) for each call of `function` in the module, then unbound."""
    params = [a.arg for a in function.args.args]
    for caller in functions.values():
        caller_defaults = _defaults(caller)
        for node in ast.walk(caller):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function.name:
                binding: Dict[str, Any] = {}
                pairs = [
                    *zip(params, node.args),
                    *((k.arg, k.value) for k in node.keywords if k.arg),
                ]
                for param, value in pairs:
                    with contextlib.suppress(Unknown):
                        binding[param] = evaluate(value, caller_defaults)
                yield caller.name, binding
    yield function.name, {}  # parameters then range over the constants in `_choices`


def _defaults(function: ast.FunctionDef) -> Dict[str, Any]:
    args = function.args.args
    out = {}
    for arg, default in zip(
        args[len(args) - len(function.args.defaults) :], function.args.defaults
    ):
        with contextlib.suppress(Unknown):
            out[arg.arg] = evaluate(default, {})
    return out


def _choices(function: ast.FunctionDef, constants: Dict[str, Any]) -> Dict[str, List[Any]]:
    """Values a free name can take: constants it is compared with, keys of tables it indexes."""
    out: Dict[str, List[Any]] = {}
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and isinstance(node.slice, ast.Name)
            and isinstance(constants.get(node.value.id), dict)
        ):
            out.setdefault(node.slice.id, []).extend(constants[node.value.id])
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Name)
            and len(node.comparators) == 1
        ):
            try:
                value = evaluate(node.comparators[0], {})
            except Unknown:
                continue
            values = list(value) if isinstance(value, tuple) else [value]
            out.setdefault(node.left.id, []).extend(v for v in values if v is not None)
    return out


def _evaluate_call(
    call: ast.Call, env: Dict[str, Any], choices: Dict[str, List[Any]], depth: int = 0
) -> Iterator[Dict[str, Any]]:
    args = {k.arg: k.value for k in call.keywords if k.arg}
    positional = dict(zip(("fname", "origin"), call.args))
    fname = positional.get("fname") or args.get("fname")
    origin = positional.get("origin") or args.get("origin")
    file_hash = args.get("file_hash") or args.get("md5_hash")
    if fname is None or depth > 4:  # bind at most four free names
        return
    try:
        result = {
            "file_name": evaluate(fname, env),
            "file_hash": evaluate(file_hash, env) if file_hash is not None else None,
            "origin": _try(origin, env),
        }
    except Free as free:
        bindable = [n for n in free.names if choices.get(n)]
        for value in dict.fromkeys(choices[bindable[0]] if bindable else ()):
            yield from _evaluate_call(call, {**env, bindable[0]: value}, choices, depth + 1)
        return
    except Unknown:
        return
    if isinstance(result["file_name"], str):
        yield result


def _try(node: Optional[ast.AST], env: Dict[str, Any]) -> Optional[str]:
    if node is None:
        return None
    try:
        value = evaluate(node, env)
    except Unknown:
        return None
    return value if isinstance(value, str) else None
