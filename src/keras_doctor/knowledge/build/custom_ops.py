"""Build the table of TensorFlow ops that add-on packages register, read from their wheels.

    python -m keras_doctor.knowledge.build --only ops

Loading a SavedModel or a graph that uses an op this process has not registered ends in
TensorFlow's `Op type not registered 'CaseFoldUTF8' in binary running on …` (OpRegistry::LookUp,
tensorflow/core/framework/op.cc). TensorFlow registers its own ops as it starts; an add-on's ops
(tensorflow-text's `CaseFoldUTF8`, TensorFlow Addons' `Addons>ImageProjectiveTransformV2`, Decision
Forests' `SimpleMLCreateModelResource`) only once its package is imported, so the line names the
add-on to install, or to import before the model is loaded. Which package registers an op, its
wheels say: this reads, never imports, sampled Linux x86_64 wheels of each add-on by HTTP range
requests (the shared libraries and Python files, never the whole wheel):

- an op's name is a string in the shared library that registers it
  (`REGISTER_OP("CaseFoldUTF8")`), among many strings that are not ops. A namespaced one
  (`Addons>Gelu`, `IO>AudioDecodeWAV`) is an op's: nothing else takes that form. Any other string
  is kept as an op when the package's own Python calls it by the name TensorFlow's wrapper
  generator gives it (`case_fold_utf8`, from GenerateLowerCaseOpName in
  tensorflow/python/framework/python_op_gen_internal.cc: a `_` where a lower-case letter meets an
  upper-case one or an upper-case run ends, `>` read as `_`), or by its own name on an op
  library's handle (`training_op.SimpleMLShowModel(…)`). This lets a few helper
  names through (`IsInt64`, which TensorFlow I/O's Python calls as `is_int64`): no op error names
  them, so they mislead nothing;
- TensorFlow's own ops, which an add-on's library names when it builds graphs (`ExpandDims`), are
  left out: those its generated wrappers (`gen_*.py`) pass to `_apply_op_helper` in 1.15 and today;
- single words and all-capitals strings are left out (`Array`, `BATCH` are not ops there), as are
  the protocol-buffer modules (`*_pb2.py`), whose serialized descriptors hold message names.

Output: `data/custom_ops.json` — per op name, the distributions whose sampled wheels register it,
with the import name and the releases read.
"""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import AbstractSet, Any, Dict, List, Optional, Set, Tuple

from packaging.version import Version

from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.lazy_wheel import RemoteZip, read_whole
from keras_doctor.knowledge.build.releases import linux_x86_64, select_files
from keras_doctor.knowledge.build.tf_api import linux_wheel

# The add-ons that ship TensorFlow ops in shared libraries of their own, with their import names.
ADD_ONS = {
    "tensorflow-text": "tensorflow_text",
    "tensorflow-addons": "tensorflow_addons",
    "tensorflow-io": "tensorflow_io",
    "tensorflow-decision-forests": "tensorflow_decision_forests",
    "tensorflow-recommenders-addons": "tensorflow_recommenders_addons",
    "tensorflow-compression": "tensorflow_compression",
    "struct2tensor": "struct2tensor",
    "scann": "scann",
    "tf-sentencepiece": "tf_sentencepiece",
}
SAMPLES = 3  # the oldest, the middle and the newest release with a Linux x86_64 wheel
# TensorFlow releases whose own ops are left out (the last 1.x and today's)
CORE_FROM = ("1.15.5", "2.21.0")
# A C string in the library: an optional namespace (`Addons>`), then a CamelCase name
_CANDIDATE = re.compile(rb"(?<![\w>])((?:[A-Z][A-Za-z0-9]*>)?[A-Z][A-Za-z0-9]{2,})\x00")
_WORDS = re.compile(r"[A-Z][a-z0-9]+|[A-Z]+(?![a-z])")
METHOD = (
    "Static reading (never imported) of sampled Linux x86_64 wheels of each add-on, by HTTP range "
    "requests: the C strings of its shared libraries namespaced as op names are (`Addons>…`), "
    "and those that look like op names (CamelCase, two words or more) that the package's own "
    "Python (protocol buffer modules left out) calls by TensorFlow's generated wrapper name "
    "(GenerateLowerCaseOpName, "
    "tensorflow/python/framework/python_op_gen_internal.cc) or by the op's own name on an op "
    "library's handle; TensorFlow 1.15.5's and 2.21.0's own ops (gen_*.py) left out."
)


def wrapper_name(op: str) -> str:
    """The Python function TensorFlow's op wrapper generator names an op: `CaseFoldUTF8` ->
    `case_fold_utf8`, `Addons>GatherTree` -> `addons_gather_tree`."""
    out: List[str] = []
    last = len(op) - 1
    for i, c in enumerate(op):
        if c == ">":
            out.append("_")
            continue
        if c.isupper() and i > 0 and op[i - 1] != ">" and (
                op[i - 1].islower() or (i < last and op[i + 1].islower())):
            out.append("_")
        out.append(c.lower())
    return "".join(out)


def ops_in(libraries: List[bytes], python: str, core: AbstractSet[str] = frozenset()) -> Set[str]:
    """The op names among the libraries' strings that the Python calls (see the module doc),
    less TensorFlow's own (`core`), which an add-on's library names when it builds graphs."""
    calls = set(re.findall(r"\.(\w+)\(", python))
    # an op called by its own name, on an op library's handle (`training_op.SimpleMLShowModel(`)
    own = set(re.findall(r"\b\w*[Oo]ps?\w*\.([A-Z]\w+)\(", python))
    found = set()
    for library in libraries:
        for match in _CANDIDATE.finditer(library):
            name = match.group(1).decode()
            if ">" in name:  # `Addons>Gelu`: only an op's name takes TensorFlow's namespace form
                found.add(name)
            elif len(_WORDS.findall(name)) < 2 or name.isupper() or name in core:
                continue
            elif wrapper_name(name) in calls or name in own:
                found.add(name)
    return found


def core_ops(fetcher: Fetcher, version: str) -> Set[str]:
    """The ops a TensorFlow release registers itself: the names its generated wrappers
    (`tensorflow/python/ops/gen_*.py`) pass to `_apply_op_helper`."""
    wheel = linux_wheel(fetcher, version)
    if wheel is None:
        raise RuntimeError(f"tensorflow {version}: no Linux x86_64 wheel on the index")
    remote = RemoteZip(fetcher, wheel["url"], int(wheel["size"]))
    names: Set[str] = set()
    with zipfile.ZipFile(remote) as archive:  # type: ignore[arg-type]
        for info in archive.infolist():
            if re.search(r"/python/ops/gen_\w+\.py$", info.filename):
                source = read_whole(remote, archive, info).decode("utf-8", "replace")
                names |= set(re.findall(r"_apply_op_helper\(\s*\"(\w+)\"", source))
    return names


def sampled_releases(fetcher: Fetcher, project: str) -> List[Tuple[str, Dict[str, Any]]]:
    """(version, Linux x86_64 wheel) of the oldest, middle and newest release that has one."""
    linux = []
    for version, files in sorted(select_files(fetcher.simple_index(project), None).items()):
        wheels = linux_x86_64(files)
        if wheels:
            linux.append((str(version), wheels[0]))
    if len(linux) <= SAMPLES:
        return linux
    picks = sorted({round(i * (len(linux) - 1) / (SAMPLES - 1)) for i in range(SAMPLES)})
    return [linux[i] for i in picks]


def read_wheel(fetcher: Fetcher, wheel: Dict[str, Any], core: Set[str]) -> Set[str]:
    """The ops one wheel registers."""
    remote = RemoteZip(fetcher, wheel["url"], int(wheel["size"]))
    with zipfile.ZipFile(remote) as archive:  # type: ignore[arg-type]
        libraries, python = [], []
        for info in archive.infolist():
            if info.filename.endswith(".so") or ".so." in info.filename:
                libraries.append(read_whole(remote, archive, info))
            elif info.filename.endswith(".py") and not info.filename.endswith("_pb2.py"):
                python.append(read_whole(remote, archive, info).decode("utf-8", "replace"))
    return ops_in(libraries, "\n".join(python), core)


def build_custom_ops(fetcher: Fetcher, pool: ThreadPoolExecutor,
                     projects: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    projects = projects or ADD_ONS
    jobs = [(project, version, wheel) for project in projects
            for version, wheel in sampled_releases(fetcher, project)]
    core = set().union(*pool.map(lambda v: core_ops(fetcher, v), CORE_FROM))
    read = list(pool.map(lambda job: read_wheel(fetcher, job[2], core), jobs))
    ops: Dict[str, Dict[str, Any]] = {}
    releases: Dict[str, List[str]] = {}
    for (project, version, _), names in zip(jobs, read):
        fetcher.progress(f"{project} {version}: {len(names)} ops")
        releases.setdefault(project, []).append(version)
        for name in names:
            entry = ops.setdefault(name, {})
            entry.setdefault(project, []).append(version)
    return {
        "method": METHOD,
        "add_ons": {project: {"import": projects[project], "read": releases.get(project, [])}
                    for project in projects},
        "ops": {name: {project: sorted(versions, key=Version)
                       for project, versions in sorted(by.items())}
                for name, by in sorted(ops.items())},
        "sources": ["https://pypi.org/project/<add-on>/ (the wheels of the releases read)",
                    "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/"
                    "framework/op.cc (OpRegistry::LookUp: \"Op type not registered '…' in binary "
                    "running on …\")",
                    "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/"
                    "framework/python_op_gen_internal.cc (GenerateLowerCaseOpName)"],
    }


def ops_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Any, deep: bool) -> None:
    from keras_doctor.knowledge.build.output import write_json

    write_json(out, "custom_ops.json", build_custom_ops(fetcher, pool))
