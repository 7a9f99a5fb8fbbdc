"""Weight file names and hashes of a Keras application module, found by evaluating its source.

Each application downloads its weights with `get_file(file_name, origin, file_hash=…)`, but the
arguments are computed: `model_name + "_weights_tf_dim_ordering_tf_kernels.h5"` with the hash from
`WEIGHTS_HASHES[model_name][0]`, where `model_name` is whatever `ResNet50()` passed to `ResNet()`.
This is a small symbolic evaluator over `ast`: it follows straight-line assignments, forks at every
`if` (both branches), and binds the function's parameters from each call site in the module
(`ResNet(..., "resnet50")` inside `ResNet50`), or from the constants the function compares them
with. Only fully evaluated calls are reported; nothing is imported or executed.
"""

from __future__ import annotations

import ast
import contextlib
from typing import Any, Dict, Iterator, List, Optional, Tuple

MAX_PATHS = 256
_STR_METHODS = ("split", "replace", "lower", "upper", "strip")


class _Unknown(Exception):
    """An expression that cannot be evaluated statically."""


class _Free(_Unknown):
    """An unbound name; `names` runs from it out through the locals computed from it."""

    def __init__(self, name: str):
        super().__init__(name)
        self.names = [name]


_OPAQUE = object()  # a local assigned from something we cannot evaluate


class _Lazy:
    """A local whose value depends on a parameter: evaluated again once parameters are bound."""

    def __init__(self, node: ast.AST):
        self.node = node


def evaluate(node: ast.AST, env: Dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise _Free(node.id)
        value = env[node.id]
        if isinstance(value, _Lazy):  # computed from parameters: evaluate now, without recursion
            try:
                return evaluate(value.node, {**env, node.id: _OPAQUE})
            except _Free as free:
                free.names.append(node.id)
                raise
        if value is _OPAQUE:
            raise _Free(node.id)  # may still be enumerated from the constants it is compared with
        return value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(evaluate(e, env) for e in node.elts)
    if isinstance(node, ast.Dict):
        return {evaluate(k, env): evaluate(v, env) for k, v in zip(node.keys, node.values) if k}
    if isinstance(node, ast.BinOp):
        left, right = evaluate(node.left, env), evaluate(node.right, env)
        try:
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Mod):
                return left % right
        except (TypeError, ValueError) as exc:
            raise _Unknown(str(exc)) from exc
        raise _Unknown("operator")
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
            raise _Unknown(str(exc)) from exc
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STR_METHODS
    ):
        target = evaluate(node.func.value, env)
        if not isinstance(target, str):
            raise _Unknown("method of a non-string")
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
    raise _Unknown(type(node).__name__)


def module_constants(tree: ast.Module) -> Dict[str, Any]:
    env: Dict[str, Any] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            with contextlib.suppress(_Unknown):
                env[node.targets[0].id] = evaluate(node.value, env)
    return env


def _paths(
    statements: List[ast.stmt], env: Dict[str, Any]
) -> Iterator[Tuple[ast.Call, Dict[str, Any]]]:
    """(get_file call, environment) for every path through `statements` that reaches one."""
    envs = [env]
    for statement in statements:
        next_envs: List[Dict[str, Any]] = []
        for current in envs:
            if isinstance(statement, ast.If):
                assigns = any(
                    isinstance(n, (ast.Assign, ast.AugAssign)) for n in ast.walk(statement)
                )
                for branch in (statement.body, statement.orelse):
                    branch_env = dict(current)
                    yield from _paths(branch, branch_env)
                    if assigns:
                        next_envs.append(branch_env)
                if not assigns:
                    next_envs.append(current)
                continue
            if isinstance(statement, (ast.For, ast.While, ast.With, ast.Try)):
                yield from _paths(statement.body, current)
                next_envs.append(current)
                continue
            for node in ast.walk(statement):
                if isinstance(node, ast.Call) and _is_get_file(node):
                    yield node, current
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        try:
                            current[target.id] = evaluate(statement.value, current)
                        except _Free:
                            current[target.id] = _Lazy(statement.value)
                        except _Unknown:
                            current[target.id] = _OPAQUE
            next_envs.append(current)
        envs = next_envs[:MAX_PATHS]


def _is_get_file(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "get_file"


def weight_calls(source: bytes) -> List[Dict[str, Any]]:
    """Every fully evaluated `get_file` call: {function, file_name, file_hash, origin}."""
    tree = ast.parse(source)
    constants = module_constants(tree)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    found: Dict[Tuple[str, Optional[str]], Dict[str, Any]] = {}
    for function in functions.values():
        choices = _choices(function, constants)
        for caller, binding in _bindings(function, functions):
            for call, path_env in _paths(function.body, {**constants, **binding}):
                for result in _evaluate_call(call, path_env, choices):
                    found.setdefault(
                        (result["file_name"], result["file_hash"]), {**result, "function": caller}
                    )
    hashes: Dict[str, set] = {}
    for file_name, file_hash in found:
        hashes.setdefault(file_name, set()).add(file_hash)
    # A file name paired with several hashes came from a guessed binding: report none of them.
    return sorted(
        (r for (name, _), r in found.items() if len(hashes[name]) == 1),
        key=lambda r: r["file_name"],
    )


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
                    with contextlib.suppress(_Unknown):
                        binding[param] = evaluate(value, caller_defaults)
                yield caller.name, binding
    yield function.name, {}  # parameters then range over the constants in `_choices`


def _defaults(function: ast.FunctionDef) -> Dict[str, Any]:
    args = function.args.args
    out = {}
    for arg, default in zip(
        args[len(args) - len(function.args.defaults) :], function.args.defaults
    ):
        with contextlib.suppress(_Unknown):
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
            except _Unknown:
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
    except _Free as free:
        bindable = [n for n in free.names if choices.get(n)]
        for value in dict.fromkeys(choices[bindable[0]] if bindable else ()):
            yield from _evaluate_call(call, {**env, bindable[0]: value}, choices, depth + 1)
        return
    except _Unknown:
        return
    if isinstance(result["file_name"], str):
        yield result


def _try(node: Optional[ast.AST], env: Dict[str, Any]) -> Optional[str]:
    if node is None:
        return None
    try:
        value = evaluate(node, env)
    except _Unknown:
        return None
    return value if isinstance(value, str) else None
