"""Build the TensorFlow 1 → 2 API table: the names and modules TF 1.x had that no TF 2 has.

    python -m keras_doctor.knowledge.build --only tf1

`module 'tensorflow' has no attribute 'placeholder'` is TensorFlow 1 code running under TensorFlow
2; `module 'tensorflow' has no attribute 'placeholders'` is a typo, and `… no attribute 'keras'`
is something else again. Which one a name is, the wheels themselves say: this reads, never
imports, the generated public API of sampled TensorFlow 1.x and 2.x wheels by HTTP range requests
(a TensorFlow wheel is hundreds of MB; its table of contents and a few `__init__.py` files are a
few MB):

- the top-level names (`tensorflow_core/__init__.py` in 1.15/2.0/2.1, `tensorflow/__init__.py`
  elsewhere): what its imports, assignments and `setattr(_current_module, …)` calls bind, less
  what it deletes, underscore names left out;
- the API's first-level modules (`tf.train`, `tf.nn`, `tf.summary`, … from the generated
  `_api/v1` and `_api/v2` trees), so `module 'tensorflow._api.v2.train' has no attribute
  'AdamOptimizer'` is known too;
- `tf.keras.backend` (the same trees; TF 2.6+ takes Keras from the keras distribution, whose
  `keras.backend` the symbol atlas already holds);
- the importable packages (folders with an `__init__.py`), so `No module named 'tensorflow.contrib'`
  is known as a TensorFlow 1 module too (a leftover folder under a name the 2.x API dropped,
  like 2.0's stub `contrib/util`, does not count as the module being there);
- the internals old code imports (`tensorflow.python.keras.engine`,
  `tensorflow.python.ops.collective_ops`), packages and modules alike, from the file lists of
  every 1.x minor from 1.3 on besides the sample, so one that came in a release and never left is
  dated: missing, the installed TensorFlow predates it.

Output: `data/tf1_api.json` — per namespace, the names some sampled 1.x has and no sampled 2.x has
(`tf1_only`), and for the top level the names of the sampled 2.x releases (`tf2`), so a name in
neither is known as neither, and those every sampled release has (`every_release`: `tf.constant`
missing means the module imported is not TensorFlow, or not all of it).
"""

from __future__ import annotations

import ast
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from packaging.version import Version

from keras_doctor.knowledge.build import syntax
from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.lazy_wheel import RemoteZip
from keras_doctor.knowledge.build.releases import linux_x86_64, select_files

# 1.13 is the first release whose top level is a generated API file (older ones star-import
# tensorflow.python, which a static reading cannot follow); 1.15 is the last 1.x.
TF1_SAMPLE = ("1.13.1", "1.14.0", "1.15.5")
TF2_SAMPLE = ("2.0.0", "2.2.3", "2.4.4", "2.6.5", "2.9.3", "2.12.0", "2.15.1", "2.16.1", "2.21.0")
# Releases read for `tf.compat` alone, from before the sample: in 1.11 `tf.compat` is the module
# `tensorflow.python.util.compat` itself (`tensorflow/python/__init__.py` imports it by that
# name), in 1.12 the generated `_api/v1/compat`; neither has `tf.compat.v1`, which 1.13 added.
COMPAT_EARLIER = ("1.11.0", "1.12.0")
# Packages inside the wheel that are not public API (internals move in every release).
PRIVATE_PACKAGES = {"python", "core", "compiler", "include", "_api", "tools", "tsl", "security",
                    "lite", "libtensorflow_framework", "xla_aot_runtime_src", "dtensor"}
# Releases read for their file list alone, to date the internals old code imports
# (`tensorflow.python.keras` first ships in 1.4, its `engine` in 1.9): a file list needs no
# static reading, so the releases before 1.13 serve, every minor of them.
INTERNALS_EARLIER = ("1.3.0", "1.4.0", "1.5.0", "1.6.0", "1.7.0", "1.8.0", "1.9.0", "1.10.0",
                     "1.11.0", "1.12.0")
INTERNALS_DEPTH = 6  # tensorflow.python.keras.layers.preprocessing.image_preprocessing
COMPAT = "tensorflow.compat"
MAX_DEPTH = 4  # tensorflow.examples.tutorials.mnist
# API modules not compared: compat keeps both APIs, raw_ops lists every op, keras moved out of
# the TensorFlow wheel in 2.6 (keras.backend is read on its own below).
SUBMODULES_SKIPPED = {"compat", "raw_ops", "keras", "v1", "v2"}

METHOD = (
    "Static reading (ast, never imported) of sampled TensorFlow wheels fetched by HTTP range "
    "requests: the top-level __init__ (tensorflow_core/ in 1.15, 2.0, 2.1; tensorflow/ elsewhere) "
    "— names bound by imports, assignments and setattr(_current_module, name, …), less `del`, "
    "underscore names excluded; first-level API modules (tf.train, tf.nn, …) and keras.backend "
    "from the generated _api/v1 and _api/v2 trees (keras.backend in TF <= 2.5; later TF takes "
    "Keras from the keras wheel); packages from the wheel's file list. "
    "`tf1_only`: in some sampled 1.x, in no sampled 2.x. `tf2`: in some sampled 2.x. "
    "`every_release`: in every sampled release. `tf2_removed`: per namespace, names some sampled "
    "2.x has and the newest sampled release (and every sampled one after the name's last) lacks. "
    "`introduced`: per namespace the newest sampled release has, names the earliest release read "
    "lacks and every sampled release from their first on has (tf.compat also read in 1.11, where "
    "it is tensorflow/python/util/compat.py, and 1.12). `internals_introduced`: the "
    "tensorflow.python packages and modules (up to six parts, tests left out) the earliest "
    "release read lacks and every "
    "release read from their first on has, read from the file lists of 1.3.0 to 1.12.0 besides "
    "the sample."
)


def linux_wheel(fetcher: Fetcher, version: str) -> Optional[Dict[str, Any]]:
    """A Linux x86_64 wheel of the TensorFlow release (every release has one; all share the
    API)."""
    files = select_files(fetcher.simple_index("tensorflow"), None).get(Version(version)) or []
    linux = linux_x86_64(files)
    return linux[0] if linux else None


@contextmanager
def _opened_wheel(fetcher: Fetcher, version: str) -> Iterator[Tuple[Dict[str, Any], Any]]:
    """The release's Linux x86_64 wheel and its archive, read by range requests."""
    wheel = linux_wheel(fetcher, version)
    if wheel is None:
        raise RuntimeError(f"tensorflow {version}: no Linux x86_64 wheel on the index")
    with zipfile.ZipFile(RemoteZip(fetcher, wheel["url"], int(wheel["size"]))) as archive:
        yield wheel, archive


def _package_root(members: Set[str]) -> str:
    """Where the package lives in the wheel: `tensorflow_core/` (1.15, 2.0, 2.1) or `tensorflow/`,
    at the top or, in 1.13/1.14 wheels, under `tensorflow-1.13.1.data/purelib/`."""
    for package in ("tensorflow_core", "tensorflow"):
        found = sorted((m for m in members if m == f"{package}/__init__.py"
                        or m.endswith(f".data/purelib/{package}/__init__.py")
                        or m.endswith(f".data/platlib/{package}/__init__.py")), key=len)
        if found:
            return found[0][: -len("/__init__.py")]
    raise RuntimeError("no tensorflow package in the wheel")


def bound_names(source: bytes) -> Set[str]:
    """Public names a generated `__init__.py` binds at top level (statically)."""
    tree = syntax.parse(source)
    names: Set[str] = set()
    deleted: Set[str] = set()

    def visit(body: List[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name != "*":
                        names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names.add(target.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Delete):
                deleted.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                call = node.value
                if (isinstance(call.func, ast.Name) and call.func.id == "setattr"
                        and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant)
                        and isinstance(call.args[1].value, str)):
                    names.add(call.args[1].value)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                for handler in getattr(node, "handlers", ()):
                    visit(handler.body)
                visit(node.orelse)

    visit(tree.body)
    return {n for n in names - deleted if not n.startswith("_")}


def _compat_file(members: Set[str], root: str, generation: str) -> Optional[str]:
    """Where `tf.compat` lives: the generated API module, or before it (<= 1.11) the module
    `tensorflow.python.util.compat`, which `tensorflow/python/__init__.py` imports as `compat`."""
    for path in (f"{root}/_api/{generation}/compat/__init__.py", f"{root}/python/util/compat.py"):
        if path in members:
            return path
    return None


def read_compat(fetcher: Fetcher, version: str) -> Dict[str, Any]:
    """{"namespaces": {"tensorflow.compat": names}, "wheel": file name} of one release."""
    with _opened_wheel(fetcher, version) as (wheel, archive):
        members = set(archive.namelist())
        path = _compat_file(members, _package_root(members), "v1")
        if path is None:
            raise RuntimeError(f"tensorflow {version}: no tf.compat module in the wheel")
        names = bound_names(archive.read(path))
    return {"namespaces": {"tensorflow.compat": names}, "wheel": wheel["filename"]}


def read_release(fetcher: Fetcher, version: str) -> Dict[str, Any]:
    """{"namespaces": {namespace: names}, "packages": dotted names, "wheel": file name}."""
    with _opened_wheel(fetcher, version) as (wheel, archive):
        members = set(archive.namelist())
        root = _package_root(members)
        generation = "v1" if version.startswith("1.") else "v2"
        files = {"tensorflow": f"{root}/__init__.py"}
        for member in members:  # tf.train, tf.nn, tf.summary…: the generated API's modules
            parts = member[len(root) + 1:].split("/") if member.startswith(root + "/") else []
            if (len(parts) == 4 and parts[:2] == ["_api", generation] and parts[3] == "__init__.py"
                    and not parts[2].startswith("_") and parts[2] not in SUBMODULES_SKIPPED):
                files[f"tensorflow.{parts[2]}"] = member
        backend_files = [f"{root}/_api/{generation}/keras/backend/__init__.py",
                         f"{root}/python/keras/api/_{generation}/keras/backend/__init__.py"]
        backend_file = next((f for f in backend_files if f in members), None)
        if backend_file:
            files["tensorflow.keras.backend"] = backend_file
        namespaces = {name: bound_names(archive.read(path)) for name, path in files.items()}
        compat = _compat_file(members, root, generation)
        if compat:
            namespaces[COMPAT] = bound_names(archive.read(compat))
    packages = {p for p in _packages(members, root, MAX_DEPTH)
                if p.split(".")[1] not in PRIVATE_PACKAGES}
    return {"namespaces": namespaces, "packages": packages, "wheel": wheel["filename"],
            "internals": _internals(members, root)}


def read_internals(fetcher: Fetcher, version: str) -> Dict[str, Any]:
    """{"internals": the `tensorflow.python` modules, "wheel": file name} of one release."""
    with _opened_wheel(fetcher, version) as (wheel, archive):
        members = set(archive.namelist())
        return {"internals": _internals(members, _package_root(members)),
                "wheel": wheel["filename"]}


def _packages(members: Set[str], root: str, depth: int) -> Set[str]:
    """The dotted names of the wheel's packages (folders with an `__init__.py`) up to `depth`
    parts, tests and underscore names left out."""
    packages = set()
    for member in members:
        if not member.startswith(root + "/") or not member.endswith("/__init__.py"):
            continue
        dotted = member[len(root) + 1:].split("/")[:-1]
        if not dotted or len(dotted) > depth - 1:
            continue
        if any(p.startswith("_") or p in ("test", "tests", "testdata") for p in dotted):
            continue
        packages.add(".".join(["tensorflow", *dotted]))
    return packages


def _internals(members: Set[str], root: str) -> Set[str]:
    """The dotted names of the wheel's `tensorflow.python` packages and modules (a folder with an
    `__init__.py`, a `.py` file: both are what `import` finds) up to INTERNALS_DEPTH parts, tests
    and underscore names left out."""
    modules = set()
    for member in members:
        if not member.startswith(root + "/python/") or not member.endswith(".py"):
            continue
        dotted = member[len(root) + 1: -len(".py")].split("/")
        if dotted[-1] == "__init__":
            dotted.pop()
        if len(dotted) > INTERNALS_DEPTH - 1 or dotted[-1].endswith("_test"):
            continue
        if any(p.startswith("_") or p in ("test", "tests", "testdata") for p in dotted):
            continue
        modules.add(".".join(["tensorflow", *dotted]))
    return modules


def build_tf1_api(fetcher: Fetcher, pool: ThreadPoolExecutor) -> Dict[str, Any]:
    releases = TF1_SAMPLE + TF2_SAMPLE
    read = dict(zip(releases, pool.map(lambda v: read_release(fetcher, v), releases)))
    for version in releases:
        fetcher.progress(f"tensorflow {version}: "
                         f"{len(read[version]['namespaces']['tensorflow'])} top-level names, "
                         f"{len(read[version]['namespaces'])} API modules, "
                         f"{len(read[version]['packages'])} packages")
    namespaces: Dict[str, Any] = {}
    earlier = dict(zip(COMPAT_EARLIER, pool.map(lambda v: read_compat(fetcher, v),
                                                COMPAT_EARLIER)))
    every = sorted({n for v in releases for n in read[v]["namespaces"]} - {COMPAT})
    for namespace in every:
        tf1 = _union(read[v]["namespaces"].get(namespace) for v in TF1_SAMPLE)
        tf2 = _union(read[v]["namespaces"].get(namespace) for v in TF2_SAMPLE)
        in_2x = [v for v in TF2_SAMPLE if namespace in read[v]["namespaces"]]
        if not (tf1 - tf2) and namespace != "tensorflow":
            continue
        entry: Dict[str, Any] = {
            "tf1_only": sorted(tf1 - tf2),
            "read_in": {"1.x": [v for v in TF1_SAMPLE if namespace in read[v]["namespaces"]],
                        "2.x": in_2x},
        }
        if namespace == "tensorflow":  # what TF 2 has, so a name in neither is known as neither
            entry["tf2"] = sorted(tf2)
            # and what every sampled release has: missing, it says the module is not TensorFlow
            in_all = set.intersection(*(set(read[v]["namespaces"]["tensorflow"])
                                        for v in releases))
            entry["every_release"] = sorted(in_all)
        namespaces[namespace] = entry
    tf1_packages = _union(read[v]["packages"] for v in TF1_SAMPLE)
    # a folder TF 2 left behind under a name its API dropped (2.0 still ships a stub
    # tensorflow_core/contrib/util) does not bring that name back
    dropped = set(namespaces["tensorflow"]["tf1_only"])
    tf2_packages = {p for p in _union(read[v]["packages"] for v in TF2_SAMPLE)
                    if p.split(".")[1] not in dropped}
    gone = sorted(tf1_packages - tf2_packages)
    shallowest = [p for p in gone if not any(p.startswith(q + ".") for q in gone)]
    early = dict(zip(INTERNALS_EARLIER, pool.map(lambda v: read_internals(fetcher, v),
                                                 INTERNALS_EARLIER)))
    internals = {v: r["internals"] for v, r in [*early.items(), *read.items()]}
    return {
        "method": METHOD,
        "tf2_removed": tf2_removed({v: read[v]["namespaces"] for v in TF2_SAMPLE}),
        "introduced": introduced({
            namespace: {v: r["namespaces"][namespace]
                        for v, r in [*earlier.items(), *read.items()]
                        if namespace in r["namespaces"]}
            for namespace in sorted({*every, COMPAT})}),
        "sampled": {"1.x": list(TF1_SAMPLE), "2.x": list(TF2_SAMPLE),
                    "compat_only": list(COMPAT_EARLIER)},
        "internals_introduced": internals_introduced(internals),
        "wheels": {v: r["wheel"] for v, r in sorted(
            [*earlier.items(), *early.items(), *read.items()], key=lambda item: Version(item[0]))},
        "namespaces": namespaces,
        "tf1_only_packages": shallowest,
        "sources": ["https://pypi.org/project/tensorflow/ (the wheels named in `wheels`)"],
    }


def tf2_removed(read: Dict[str, Dict[str, Set[str]]]) -> Dict[str, Dict[str, Dict[str, str]]]:
    """Per namespace, the names a sampled TensorFlow 2.x had that the newest sampled release and
    every sampled release after their last one lack (`tf.estimator`, gone in 2.16): TensorFlow 2
    code that a later TensorFlow 2 removed. Each with the last sampled release that has it and
    the first sampled one that does not. A whole namespace the newest release lacks (keras.backend
    left with Keras in 2.6) is not counted: the module moved, its names did not go."""
    versions = list(read)
    newest = versions[-1]
    out: Dict[str, Dict[str, Dict[str, str]]] = {}
    for namespace in sorted({n for names in read.values() for n in names}):
        if namespace not in read[newest]:
            continue
        for name in sorted(_union(read[v].get(namespace) for v in versions)):
            having = [i for i, v in enumerate(versions) if name in read[v].get(namespace, ())]
            last = having[-1]
            if last == len(versions) - 1 or name.startswith("_"):
                continue
            out.setdefault(namespace, {})[name] = {"last_seen": versions[last],
                                                   "gone_in": versions[last + 1]}
    return out


def introduced(read: Dict[str, Dict[str, Set[str]]]) -> Dict[str, Dict[str, Dict[str, Any]]]:
    """Per namespace ({version: names}, oldest first) the newest release has, the names the oldest
    release read lacks and every release read from their first on has (`tf.compat.v1`, added in
    1.13): missing, the installed TensorFlow is older than the name. Grouped by their first
    release read, with the one before it, which lacks them."""
    out: Dict[str, Dict[str, Dict[str, Any]]] = {}
    newest = max((v for by_version in read.values() for v in by_version), key=Version)
    for namespace, by_version in read.items():
        versions = list(by_version)
        if versions[-1] != newest:  # tf.keras.backend left with Keras in 2.6: moved, not removed
            continue
        for name in sorted(by_version[versions[-1]] - by_version[versions[0]]):
            having = [i for i, v in enumerate(versions) if name in by_version[v]]
            if name.startswith("_") or having != list(range(having[0], len(versions))):
                continue
            first = versions[having[0]]
            group = out.setdefault(namespace, {}).setdefault(
                first, {"absent_in": versions[having[0] - 1], "names": []})
            group["names"].append(name)
    return out


def internals_introduced(read: Dict[str, Set[str]]) -> Dict[str, Dict[str, Any]]:
    """The `tensorflow.python` modules ({version: modules}, any order) the earliest release
    read lacks and every release read from their first on has (`tensorflow.python.keras.engine`,
    first in 1.9): missing, the installed TensorFlow is older than the module. Grouped by their
    first release read, with the one before it, which lacks them; a module whose parent came in
    the same release is left to the parent, which Python names first when both are missing."""
    versions = sorted(read, key=Version)
    groups = introduced({"internals": {v: read[v] for v in versions}}).get("internals", {})
    out: Dict[str, Dict[str, Any]] = {}
    for first in sorted(groups, key=Version):
        absent_in = groups[first]["absent_in"]
        modules = [m for m in groups[first]["names"]
                   if not (m.rsplit(".", 1)[0] in read[versions[-1]]
                           and m.rsplit(".", 1)[0] not in read[absent_in])]
        if modules:
            out[first] = {"absent_in": absent_in, "modules": modules}
    return out


def _union(groups: Any) -> Set[str]:
    out: Set[str] = set()
    for group in groups:
        out |= set(group or ())
    return out


def tf1_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Any, deep: bool) -> None:
    from keras_doctor.knowledge.build.output import write_json

    write_json(out, "tf1_api.json", build_tf1_api(fetcher, pool))


__all__: Tuple[str, ...] = ("bound_names", "build_tf1_api", "tf1_step")
