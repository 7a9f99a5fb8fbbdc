"""Build the message atlas: what TensorFlow, Keras, numpy, pip… can print, and which releases do.

    python -m keras_doctor.knowledge.build.messages [--out DIR] [--jobs N]

A user pastes an error keras-doctor has never seen in a report; if the package itself prints that
message, explain still knows who printed it, from which file, in which releases, and (through the
curated map in `knowledge/message_causes.json`) what usually makes it print. So this reads real
wheels of a sample of releases of each package, statically, never importing them:

- Python: the message of every `raise X(...)`, `warnings.warn(...)` and `logger.warning/error(...)`
  call: literal strings, f-strings, `%` and `.format` templates (their holes become wildcards), and
  a message built in a local variable just before the raise or bound once at module level (a
  name bound once is read into an f-string; one bound twice stays a hole); what an exception class
  says in `__str__` or hands its base's `__init__`; `sys.exit(text)`; the message a "reporter"
  (`def _ReportVersionError(msg): raise VersionError(msg)`, protobuf's runtime_version.py) prints,
  filled in by each caller's text; rich's console markup (`[green]…[/]`, pip) taken out;
- C/C++ sources and headers shipped in the wheel: `PyErr_Format` / `PyErr_SetString` literals
  (numpy's `import_array` ABI checks live in a header every extension compiles in), and the
  warnings `PyErr_WarnEx` / `PyErr_WarnFormat` issue;
- native libraries (.so, .dylib, .pyd): printable strings that read like messages (several words,
  an error-ish keyword), the way `strings(1)` would list them.

Huge wheels (TensorFlow, torch) are not downloaded: their Python members under a few prefixes are
read by HTTP range requests, and their native libraries are read from an installed copy when one is
given with `--installed` (an unpacked wheel, such as uv's cache). Output: `data/messages.json`,
interned and compact: every message once, with the spans of sampled releases of each package that
print it.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.knowledge import paths
from keras_doctor.knowledge.atlas import format_spans
from keras_doctor.knowledge.build import syntax
from keras_doctor.knowledge.build.fetch import Fetcher, progress_to_stderr
from keras_doctor.knowledge.build.lazy_wheel import RemoteZip
from keras_doctor.knowledge.build.output import write_json
from keras_doctor.knowledge.build.releases import select_files

HOLE = "\u2026"  # a template's hole: any text


@dataclass(frozen=True)
class Package:
    distribution: str  # as on the index
    roots: Tuple[str, ...]  # top-level folders to read
    versions: Tuple[str, ...]  # the sample
    lazy_prefixes: Tuple[str, ...] = ()  # huge wheels: only Python files under these
    native: bool = True  # read native libraries' strings
    native_keywords: Optional[str] = None  # stricter filter for very large libraries
    native_files: Optional[str] = None  # only these native libraries (pattern on the path)
    # read the binary wheel even where a pure-Python one exists: it is what pip installs on every
    # common platform, and its extension prints what the pure-Python fallback never does
    binary_first: bool = False


# The sample: releases that span each package's eras (APIs, ABIs, layouts) without reading them all.
PACKAGES: Tuple[Package, ...] = (
    Package("keras", ("keras",), ("2.0.8", "2.1.6", "2.2.4", "2.2.5", "2.3.1", "2.4.3", "2.8.0",
                                  "2.12.0", "2.15.0", "3.0.5", "3.5.0", "3.10.0", "3.15.1")),
    Package("tf-keras", ("tf_keras",), ("2.15.1", "2.19.0")),
    Package("tensorflow", ("tensorflow",), ("1.15.5", "2.4.4", "2.8.4", "2.12.0", "2.15.1",
                                            "2.21.0"),
            # TF 1.15 and 2.0 keep their code in `tensorflow_core/` behind a `tensorflow/` shim
            lazy_prefixes=("tensorflow_core/python/pywrap_tensorflow.py",
                           "tensorflow_core/python/platform/", "tensorflow_core/python/framework/",
                           "tensorflow_core/python/util/", "tensorflow_core/python/keras/saving/",
                           "tensorflow/__init__.py", "tensorflow/python/__init__.py",
                           "tensorflow/python/pywrap_tensorflow.py",
                           "tensorflow/python/platform/", "tensorflow/python/framework/",
                           "tensorflow/python/util/", "tensorflow/python/eager/context.py",
                           "tensorflow/python/saved_model/load.py",
                           "tensorflow/python/keras/saving/", "tensorflow/api/",
                           "tensorflow/python/client/"),
            native_keywords=r"(?i)compiled to use|aren't available|CPU instructions|GLIBC|"
                            r"dlopen|shared object|undefined symbol|dynamic librar|plugin|"
                            r"pluggable|not built with|version mismatch|protobuf|"
                            r"could not (?:load|find|open)|failed to load",
            native_files=r"libtensorflow_framework|_pywrap_tensorflow_internal|"
                         r"_pywrap_tfe|_pywrap_device_lib|libtensorflow_cc"),
    Package("tensorflow-metal", ("tensorflow-plugins",), ("0.6.0", "1.0.0", "1.1.0", "1.2.0")),
    Package("tensorflow-hub", ("tensorflow_hub",), ("0.12.0", "0.16.1")),
    Package("numpy", ("numpy",), ("1.19.5", "1.21.6", "1.26.4", "2.1.3", "2.4.6"),
            native_keywords=r"(?i)version|compiled|import|\bABI\b|\bAPI\b|module|numpy"),
    Package("h5py", ("h5py",), ("2.10.0", "3.11.0", "3.16.0"),
            native_keywords=r"(?i)signature|truncated|\beof\b|version|locking|open file|"
                            r"library|superblock"),
    Package("protobuf", ("google",), ("3.19.6", "3.20.3", "4.21.12", "4.25.9", "5.29.5",
                                         "7.36.2"), binary_first=True),
    Package("ml-dtypes", ("ml_dtypes",), ("0.2.0", "0.3.2", "0.6.0")),
    Package("pip", ("pip",), ("19.3.1", "20.3.4", "23.3.2", "26.3")),
    Package("jax", ("jax",), ("0.4.30", "0.6.2"),
            lazy_prefixes=("jax/__init__.py", "jax/_src/lib/", "jax/_src/xla_bridge.py",
                           "jax/_src/config.py", "jax/version.py")),
    Package("torch", ("torch",), ("2.2.2", "2.8.0"),
            lazy_prefixes=("torch/__init__.py", "torch/_utils_internal.py",
                           "torch/utils/_import_utils.py", "torch/cuda/__init__.py",
                           "torch/backends/mps/__init__.py"),
            native=False),
)
MAX_WHOLE_WHEEL = 60_000_000  # bytes: larger wheels are read by ranges
MIN_LITERAL = 12  # a template must keep this many literal characters to be matchable
MAX_TEMPLATE = 240  # longer messages are kept by their beginning, which is what a match needs
_MESSAGE_WORDS = re.compile(
    r"(?i)\b(?:not|cannot|can't|could not|failed|unable|error|invalid|requires?|required|must|"
    r"expected|unsupported|mismatch|missing|incompatible|too old|newer|deprecated|removed|"
    r"no longer|found|unknown|unrecognized|only|(?:un)?available|aren't|isn't|doesn't|"
    r"compiled to use)\b"
)
_NATIVE_STRING = re.compile(rb"[\x20-\x7e]{24,400}")
# A C string literal, a line continuation inside it included; the compiler joins adjacent
# literals, across whitespace, backslash-newline continuations (inside a macro) and macros that
# expand to literals (`"(NumPy " NPY_FEATURE_VERSION_STRING ")"`: a hole).
_C_STRING = rb"\"(?:[^\"\\\n]|\\(?:.|\r?\n))*\""
_C_GAP = rb"(?:\s|\\\r?\n)*"
_C_MACRO = rb"\b[A-Z_][A-Z0-9_]*\b"
_C_LITERALS = (rb"(" + _C_STRING
               + rb"(?:" + _C_GAP + rb"(?:" + _C_MACRO + _C_GAP + rb")?" + _C_STRING + rb")*)")
_C_ERROR = re.compile(rb"PyErr_(?:Format|SetString)\s*\(\s*[\w.]+\s*,\s*" + _C_LITERALS)
# CPython's C warnings: PyErr_WarnEx(category, message, stack_level) and
# PyErr_WarnFormat(category, stack_level, format, ...), which put the text one argument later
# (https://docs.python.org/3/c-api/exceptions.html#issuing-warnings)
_C_WARNING = re.compile(
    rb"PyErr_(?:WarnEx\s*\(\s*[\w.]+|WarnFormat\s*\(\s*[\w.]+\s*,\s*[\w.+-]+)\s*,\s*"
    + _C_LITERALS
)
_C_PIECE = re.compile(rb"\"((?:[^\"\\\n]|\\(?:.|\r?\n))*)\"|(" + _C_MACRO + rb")")
_PRINTF = re.compile(
    r"%(?:\([\w]+\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlLqjzt]*[diouxXeEfFgGcrsaAp%]"
    r"|\{[^{}]*\}"
)
_LOG_METHODS = {"warning", "warn", "error", "critical", "exception", "fatal"}


# -- reading one release ---------------------------------------------------------------------------


def _wheel_for(fetcher: Fetcher, package: Package, version: str) -> Optional[dict]:
    """The wheel to read: pure Python if there is one (unless the package is `binary_first`), else
    manylinux, else macOS arm64."""
    files = select_files(fetcher.simple_index(package.distribution), None).get(Version(version))
    wheels = [f for f in files or () if f["filename"].endswith(".whl")]

    def rank(f: dict) -> Tuple[int, int]:
        name = f["filename"]
        order: Tuple[str, ...] = ("-none-any", "manylinux", "macosx_11_0_arm64",
                                  "macosx_12_0_arm64", "macosx")
        if package.binary_first:
            order = order[1:] + order[:1]
        place = next((i for i, key in enumerate(order) if key in name), len(order))
        newest_python = max((int(m) for m in re.findall(r"cp3(\d+)", name)), default=0)
        return place, -newest_python if newest_python <= 11 else newest_python

    return min(wheels, key=rank) if wheels else None


def _members(fetcher: Fetcher, package: Package, wheel: dict) -> Iterator[Tuple[str, bytes]]:
    """(path, bytes) of the wheel's files worth reading."""
    size = int(wheel.get("size") or 0)
    lazy = bool(package.lazy_prefixes) and size > MAX_WHOLE_WHEEL
    if lazy:
        remote = RemoteZip(fetcher, wheel["url"], size)
        archive = zipfile.ZipFile(remote)  # type: ignore[arg-type]
        wanted = [i for i in archive.infolist()
                  if i.filename.endswith(".py") and i.filename.startswith(package.lazy_prefixes)]
        _prefetch(remote, wanted)
    else:
        archive = zipfile.ZipFile(fetcher.download(wheel["url"]))
        wanted = [i for i in archive.infolist() if _worth_reading(i.filename, package)]
    for info in wanted:
        yield info.filename, archive.read(info)


def _prefetch(remote: RemoteZip, infos: Sequence[zipfile.ZipInfo]) -> None:
    """Fetch the wanted members in few requests: neighbours closer than 1 MB share one range."""
    spans: List[List[int]] = []
    for info in sorted(infos, key=lambda i: i.header_offset):
        start = info.header_offset
        end = start + 30 + len(info.filename.encode()) + 1024 + info.compress_size
        if spans and start - spans[-1][1] < 1_000_000:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end in spans:
        remote.ensure(start, min(remote.size, end))


# Inside the packages: vendored libraries, build tooling and type stubs print nothing a Keras user
# meets at run time.
_SKIPPED = re.compile(
    r"/_vendor/|/distutils/|/f2py/|/testing/|/typing/|/_pyinstaller/|/benchmarks?/"
)


def _worth_reading(name: str, package: Package) -> bool:
    if not name.startswith(tuple(r + "/" for r in package.roots)) or _SKIPPED.search(name):
        return False
    prefixes = package.lazy_prefixes
    if name.endswith(".py") and prefixes and not name.startswith(prefixes):
        return False
    if "/tests/" in name or "/test/" in name or name.endswith("_test.py"):
        return False
    if name.endswith((".py", ".h", ".c", ".cpp", ".cc", ".pyx")):
        return True
    return package.native and bool(re.search(r"\.(?:so(?:\.\d+)*|dylib|pyd|dll)$", name))


def messages_of(path: str, data: bytes, package: Package) -> Iterator[Tuple[str, str]]:
    """(kind, template) of each message this file can print. Kinds: the raised exception's name,
    `warning`, `log`, `C` (a C-level exception) or `native` (a string in a binary)."""
    if path.endswith(".py"):
        yield from _python_messages(data)
    elif path.endswith((".h", ".c", ".cpp", ".cc", ".pyx")):
        for match in _C_ERROR.finditer(data):
            yield from _lines_of("C", _c_message(match.group(1)))
        for match in _C_WARNING.finditer(data):
            yield from _lines_of("warning", _c_message(match.group(1)))
    elif package.native_files is None or re.search(package.native_files, path):
        keywords = re.compile(package.native_keywords) if package.native_keywords else None
        for raw in _NATIVE_STRING.findall(data):
            text = raw.decode("ascii", "replace").strip()
            if _reads_like_a_message(text) and (keywords is None or keywords.search(text)):
                yield "native", _normalise(text)


def _c_message(literals: bytes) -> str:
    """The text adjacent C literals make once joined: a macro among them is a hole, and a `%`
    that a macro completes (`"%" PRId64`) is one hole with it."""
    pieces = []
    for literal, macro in _C_PIECE.findall(literals):
        if macro:
            pieces.append(HOLE)
        else:
            pieces.append(_unescape(re.sub(rb"\\\r?\n", b"", literal)))
    return re.sub(f"%[-#0 +.\\d]*{HOLE}", HOLE, "".join(pieces))


def _lines_of(kind: str, message: str) -> Iterator[Tuple[str, str]]:
    """A message as a paste shows it: whole, and, when it spans several lines, each line too, since
    a pasted traceback keeps the line breaks and a line is what the matcher compares."""
    yield kind, _normalise(message)
    lines = [line for line in message.splitlines() if line.strip()]
    if len(lines) > 1:
        for line in lines:
            yield kind, _normalise(line)


def _unescape(literal: bytes) -> str:
    try:
        return literal.decode("unicode_escape")
    except UnicodeDecodeError:
        return literal.decode("latin-1")


_OPTION_HELP = re.compile(r"^(?:Enable|Disable|Do not|Don't|Controls?|Allow|Use|Print|Emit|Run|"
                          r"Generate|Specify|Force|Maximum|Minimum|Number of|Whether|If set|"
                          r"Turn|Show|Set|Assume)\b")


def _reads_like_a_message(text: str) -> bool:
    if text.count(" ") < 3 or not text[0].isalpha() or "  " in text.strip():
        return False
    if _OPTION_HELP.match(text):  # compiler option help (LLVM inside TensorFlow), not messages
        return False
    if re.search(r"[{};]\s*$|^[A-Z_]+$|\bfunc\b|::|->|\\x|==|&&|\|\|", text):
        return False  # code, mangled names, format tables
    letters = sum(c.isalpha() for c in text)
    return letters > len(text) * 0.6 and bool(_MESSAGE_WORDS.search(text))


# rich's console markup (`[green]…[/]`, pip's own error messages), which the terminal never shows
_RICH_MARKUP = re.compile(r"\[(?:/|/?(?:bold|dim|italic|underline|red|green|yellow|blue|magenta|"
                          r"cyan|white)(?: (?:bold|dim|italic|underline))*)\]")


def _normalise(template: str) -> str:
    """Holes of every templating style become one wildcard; whitespace is folded."""
    template = _PRINTF.sub(HOLE, _RICH_MARKUP.sub("", template))
    template = re.sub(r"\s+", " ", template).strip()
    return re.sub(f"(?:{HOLE}\\s*)+{HOLE}", HOLE, template)


def _python_messages(data: bytes) -> Iterator[Tuple[str, str]]:
    try:
        tree = syntax.parse(data)
    except (SyntaxError, ValueError):
        return
    functions = [n for n in ast.walk(tree)
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    exceptions = _exception_methods(tree)
    # the module's own strings first: a function may raise a message the module binds at top level
    module_once = _bound_once(tree)
    module_strings = Texts(stable=module_once)
    for _ in _sites(tree, module_strings, {}, ""):
        pass
    # a reporter (`def _ReportVersionError(msg): raise VersionError(msg)`) prints what its callers
    # pass it: its parameters are markers, and each call site's argument fills them in
    reporters = _imported_reporters(tree)
    defined: Dict[str, int] = {}
    for function in functions:
        defined[function.name] = defined.get(function.name, 0) + 1
    for function in functions:
        markers = _parameter_markers(function)
        exception = exceptions.get(id(function), "")
        strings = Texts({**module_strings, **markers}, stable=_stable(function, module_once))
        for kind, text in _sites(function, strings, reporters, exception):
            index = _marker_index(text)
            if index is not None and defined[function.name] == 1 and not (
                    function.name.startswith("__")):  # a name defined twice is ambiguous
                method = bool(markers) and next(iter(markers)) in ("self", "cls")
                reporters[function.name] = Reporter(kind, text, index, method)
    found = list(_sites(tree, Texts(stable=module_once), reporters, ""))
    for function in functions:
        parameters = _parameter_markers(function)  # a parameter hides the module's name
        strings = Texts({k: v for k, v in module_strings.items() if k not in parameters},
                        stable=_stable(function, module_once))
        found.extend(_sites(function, strings, reporters, exceptions.get(id(function), "")))
    for kind, text in found:
        if _marker_index(text) is None:
            yield from _lines_of(kind, text)


class Texts(Dict[str, str]):
    """The texts a scope's variables hold, and which of them are bound only once there: only
    those are read into an f-string (`f"… {error_prompt}"`), since a name bound twice may hold
    another branch's value (`padding = "VALID"` before `raise ValueError(f"… {padding}")`)."""

    def __init__(self, *args: Dict[str, str], stable: Iterable[str] = ()):
        super().__init__(*args)
        self.stable = frozenset(stable)


def _bound_once(scope: ast.AST) -> set:
    """The names the scope's own code binds exactly once (a parameter counts as a binding)."""
    counts: Dict[str, int] = {}
    names = [n.id for n in _walk_in_order(scope)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        names.extend(_parameter_markers(scope))
        names.extend(a.arg for a in (scope.args.vararg, scope.args.kwarg, *scope.args.kwonlyargs)
                     if a is not None)
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return {name for name, count in counts.items() if count == 1}


def _stable(function: ast.AST, module_once: set) -> set:
    """Names bound once in the function, or once in the module and never in the function."""
    bound = {n.id for n in _walk_in_order(function)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound.update(_parameter_markers(function))
    return _bound_once(function) | (module_once - bound)


@dataclass(frozen=True)
class Reporter:
    """A function that prints a message one of its parameters completes."""

    kind: str
    template: str  # with the parameter's marker where the caller's text goes
    index: int  # the parameter's position, `self` counted
    method: bool  # called as `self.name(…)`, so the caller's arguments start one later


_MARKER = "\ue000"  # a reporter's parameter, followed by its position as a private-use character


def _imported_reporters(tree: ast.Module) -> Dict[str, Reporter]:
    """`from warnings import warn as _warn` (h5py's `__init__.py`): the name prints its first
    argument as a warning."""
    found: Dict[str, Reporter] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "warnings":
            for alias in node.names:
                if alias.name == "warn":
                    found[alias.asname or alias.name] = Reporter(
                        "warning", f"{_MARKER}{chr(0xE100)}", 0, False)
    return found


def _parameter_markers(function: ast.AST) -> Dict[str, str]:
    arguments = function.args  # type: ignore[attr-defined]
    names = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
    return {name: f"{_MARKER}{chr(0xE100 + i)}" for i, name in enumerate(names)}


def _marker_index(text: str) -> Optional[int]:
    at = text.find(_MARKER)
    return ord(text[at + 1]) - 0xE100 if 0 <= at < len(text) - 1 else None


_EXCEPTION_NAME = re.compile(r"(?:Error|Exception|Warning|Exit)$")


def _exception_methods(tree: ast.Module) -> Dict[int, str]:
    """{id of an `__init__`/`__str__`: its exception class's name}, for the classes whose bases
    name an exception (by name, or a class of the same file that does)."""
    known: set = set()
    methods: Dict[int, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
        if not any(_EXCEPTION_NAME.search(b) or b in known for b in bases):
            continue
        known.add(node.name)
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name in ("__init__", "__str__"):
                methods[id(item)] = node.name
    return methods


def _sites(function: ast.AST, strings: Dict[str, str], reporters: Dict[str, Reporter],
           exception: str) -> Iterator[Tuple[str, str]]:
    """(kind, text) of every message the function's own code prints, updating `strings` with the
    texts its variables hold as it goes; `exception` names the class whose `__init__`/`__str__`
    this is."""
    for node in _walk_in_order(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                text = _template(node.value, strings)
                if text is not None:
                    strings[target.id] = text
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.target.id in strings and isinstance(node.op, ast.Add):
                more = _template(node.value, strings)
                strings[node.target.id] += more if more is not None else HOLE
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            text = _template(node.exc.args[0], strings)
            if text is not None:
                yield _callee(node.exc.func), text
        elif isinstance(node, ast.Return) and exception and node.value is not None:
            text = _template(node.value, strings)  # what the exception's `__str__` says
            if text is not None:
                yield exception, text
        elif isinstance(node, ast.Call):
            yield from _call_site(node, strings, reporters, exception)


def _call_site(node: ast.Call, strings: Dict[str, str], reporters: Dict[str, Reporter],
               exception: str) -> Iterator[Tuple[str, str]]:
    """A warning, a log record, `sys.exit(text)`, an exception class's message to its base, or a
    call to a reporter."""
    kind = _warning_kind(node.func)
    name = _callee(node.func)
    argument: Optional[ast.AST] = None
    if kind:
        argument = node.args[0] if node.args else None
    elif exception and name == "__init__" and _is_base_call(node.func):
        kind = exception
        argument = node.args[0] if node.args else _keyword(node, ("message", "msg"))
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            # `Base.__init__(self, text)` or `Base.__init__(self, message=text)`
            argument = (node.args[1] if len(node.args) > 1
                        else _keyword(node, ("message", "msg")))
    elif name in reporters and _calls_reporter(node.func, reporters[name]):
        reporter = reporters[name]
        position = reporter.index - (1 if reporter.method else 0)
        if 0 <= position < len(node.args):
            text = _template(node.args[position], strings)
            if text is not None and _marker_index(text) is None:
                marker = f"{_MARKER}{chr(0xE100 + reporter.index)}"
                yield reporter.kind, reporter.template.replace(marker, text)
        return
    text = _template(argument, strings) if argument is not None else None
    if kind and text is not None:
        yield kind, text


def _calls_reporter(func: ast.AST, reporter: Reporter) -> bool:
    """`name(…)` calls a module's function, `self.name(…)` / `cls.name(…)` a class's own method:
    any other `obj.name(…)` may be another class's method of the same name."""
    if reporter.method:
        return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("self", "cls"))
    return isinstance(func, ast.Name)


def _keyword(node: ast.Call, names: Tuple[str, ...]) -> Optional[ast.AST]:
    return next((k.value for k in node.keywords if k.arg in names), None)


def _is_base_call(func: ast.AST) -> bool:
    """`super().__init__` or `SomeError.__init__` (the base class named)."""
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    if isinstance(owner, ast.Call):
        return getattr(owner.func, "id", "") == "super"
    return isinstance(owner, ast.Name) and _EXCEPTION_NAME.search(owner.id) is not None


def _walk_in_order(function: ast.AST) -> Iterator[ast.AST]:
    """The function's own statements and expressions in source order, not nested functions'."""
    stack = list(reversed(list(ast.iter_child_nodes(function))))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _callee(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return "Exception"


def _warning_kind(func: ast.AST) -> str:
    if isinstance(func, ast.Name):  # `exit(text)` / `sys.exit(text)` prints its text to stderr
        return "SystemExit" if func.id == "exit" else ""
    if isinstance(func, ast.Attribute):
        owner = func.value
        if func.attr == "warn" and isinstance(owner, ast.Name) and owner.id == "warnings":
            return "warning"
        if func.attr == "exit" and isinstance(owner, ast.Name) and owner.id == "sys":
            return "SystemExit"
        if func.attr in _LOG_METHODS:
            if isinstance(owner, ast.Call):  # `logging.getLogger(__name__).warning(…)`
                return "log" if _callee(owner.func) == "getLogger" else ""
            if isinstance(owner, (ast.Name, ast.Attribute)):
                name = owner.id if isinstance(owner, ast.Name) else owner.attr
                if re.search(r"(?i)log", name):
                    return "log"
    return ""


def _template(node: ast.AST, strings: Dict[str, str]) -> Optional[str]:
    """The text an expression builds, holes for what only runtime knows; None if not text."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif (isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name)
                  and value.value.id in strings and value.format_spec is None
                  and value.conversion == -1
                  and value.value.id in getattr(strings, "stable", ())):
                parts.append(strings[value.value.id])  # f"… {error_prompt}" of a known text
            else:
                parts.append(HOLE)
        return "".join(parts)
    if isinstance(node, ast.Name):
        return strings.get(node.id)
    if isinstance(node, ast.BinOp):
        left = _template(node.left, strings)
        if isinstance(node.op, ast.Mod) and left is not None:
            return left  # `%` placeholders are turned into holes by _normalise
        if isinstance(node.op, ast.Add):
            right = _template(node.right, strings)
            if left is None and right is None:
                return None
            return (left if left is not None else HOLE) + (right if right is not None else HOLE)
    if isinstance(node, ast.Call) and _keeps_text(node.func) and len(node.args) == 1:
        return _template(node.args[0], strings)  # textwrap.dedent(f"""…""")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("strip", "rstrip", "lstrip") and not node.args:
            return _template(node.func.value, strings)
        if node.func.attr == "format":
            return _template(node.func.value, strings)
        if node.func.attr == "join" and node.args:
            return HOLE
    return None


def _keeps_text(func: ast.AST) -> bool:
    """`textwrap.dedent` / `dedent` / `textwrap.fill`: they change only a message's whitespace."""
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    owner = func.value if isinstance(func, ast.Attribute) else None
    if owner is not None and not (isinstance(owner, ast.Name) and owner.id == "textwrap"):
        return False
    return name in ("dedent", "fill")


def read_release(fetcher: Fetcher, package: Package, version: str,
                 installed: Sequence[Path]) -> Tuple[str, Dict[Tuple[str, str], str]]:
    """(what was read, {(kind, template): file}) for one release."""
    found: Dict[Tuple[str, str], str] = {}
    local = _installed_copy(package, version, installed)
    if local is not None:
        source = f"installed {package.distribution} {version} ({local.name})"
        files: Iterable[Tuple[str, bytes]] = _local_members(local, package)
    else:
        wheel = _wheel_for(fetcher, package, version)
        if wheel is None:
            return f"{package.distribution} {version}: no wheel", found
        source = wheel["filename"]
        files = _members(fetcher, package, wheel)
    for path, data in files:
        for kind, template in messages_of(path, data, package):
            if _matchable(template):
                found.setdefault((kind, template[:MAX_TEMPLATE]), path)
    return source, found


@cache
def _generic() -> Tuple[re.Pattern, ...]:
    """CPython's own messages (listed in knowledge/message_causes.json) name no printer."""
    document = json.loads((paths.EMBEDDED_DIR.parent / "message_causes.json").read_text("utf-8"))
    return tuple(re.compile(p) for p in document.get("generic_templates", ()))


def literal_of(template: str) -> str:
    """The longest literal stretch of a template: what a matching line must contain verbatim."""
    return max(template.split(HOLE), key=len).strip()


def anchor(template: str) -> str:
    """The word a matcher looks the template up by: the longest whole word inside its literal."""
    literal = literal_of(template)
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]{4,}", literal)
    inner = words[1:-1] if len(words) > 2 else words
    if literal and not literal[0].isalnum() and words:
        inner = words[:-1] or words
    return max(inner or words or [""], key=len)


def _matchable(template: str) -> bool:
    if any(p.search(template) for p in _generic()):
        return False
    literal = literal_of(template)
    return (len(literal) >= MIN_LITERAL and len(template) <= 600 and " " in literal
            and bool(anchor(template)))


def _installed_copy(package: Package, version: str, installed: Sequence[Path]) -> Optional[Path]:
    """A folder holding an unpacked copy of this exact release (its .dist-info RECORD)."""
    name = canonicalize_name(package.distribution).replace("-", "_")
    variants = {name, name.replace("tensorflow", "tensorflow_cpu")}
    for root in installed:
        for variant in variants:
            for record in root.glob(f"*/{variant}-{version}.dist-info/RECORD"):
                return record.parent.parent
    return None


def _local_members(folder: Path, package: Package) -> Iterator[Tuple[str, bytes]]:
    record = next(folder.glob("*.dist-info/RECORD"))
    for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
        rel = line.split(",", 1)[0]
        if _worth_reading(rel, package):
            path = folder / rel
            if path.is_file():
                yield rel, path.read_bytes()


# -- the atlas -------------------------------------------------------------------------------------


def build_messages(fetcher: Fetcher, pool: ThreadPoolExecutor,
                   installed: Sequence[Path]) -> Dict[str, object]:
    kinds: List[str] = []
    files: List[str] = []
    sources: List[str] = []
    entries: Dict[str, Dict[str, object]] = {}  # template → {kind, file, spans per package}
    versions: Dict[str, List[str]] = {}
    for package in PACKAGES:
        versions[package.distribution] = list(package.versions)
        fetcher.progress(f"messages: {package.distribution} {', '.join(package.versions)}")
        readings = pool.map(lambda v, p=package: read_release(fetcher, p, v, installed),
                            package.versions)
        for index, (source, found) in enumerate(readings):
            sources.append(source)
            for (kind, template), path in found.items():
                entry = entries.setdefault(template, {"kind": kind, "file": path, "in": {}})
                spans = entry["in"]
                assert isinstance(spans, dict)
                spans.setdefault(package.distribution, []).append(index)
    packages = [p.distribution for p in PACKAGES]
    rows = []
    for template in sorted(entries):
        entry = entries[template]
        kind, path = str(entry["kind"]), str(entry["file"])
        if kind not in kinds:
            kinds.append(kind)
        if path not in files:
            files.append(path)
        spans = entry["in"]
        assert isinstance(spans, dict)
        where = ";".join(f"{packages.index(d)}:{format_spans(i)}" for d, i in sorted(spans.items()))
        rows.append([anchor(template), template, kinds.index(kind), files.index(path), where])
    return {
        "method": __doc__.split("\n\n")[2].strip() if __doc__ else "",
        "sources": sources,
        "hole": HOLE,
        "packages": packages,
        "versions": versions,
        "kinds": kinds,
        "files": files,
        "messages": rows,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_doctor.knowledge.build.messages",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=paths.EMBEDDED_DIR)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--installed", type=Path, action="append", default=[],
                        help="a folder of unpacked wheels (one sub-folder each, like uv's "
                             "archive cache) to read huge native libraries from")
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)
    fetcher = Fetcher(args.cache or paths.build_cache_dir(), progress=progress_to_stderr)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        document = build_messages(fetcher, pool, args.installed)
    path = write_json(args.out, "messages.json", document)
    from keras_doctor.knowledge.build import write_manifest

    write_manifest(args.out)
    rows = document["messages"]
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, "
          f"{len(rows) if isinstance(rows, list) else 0} messages)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

