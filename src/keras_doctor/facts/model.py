"""The facts snapshot: everything the checks may know about an environment, as plain data.

This is the seam between the live machine and the rules. Readers in `keras_doctor.facts` fill it;
checks only read it; `keras-doctor facts` writes it as JSON and `check --facts` reads it back, so an
environment saved on a Mac can be diagnosed anywhere. The schema is documented in
docs/facts-schema.md; bump SCHEMA_VERSION on any incompatible change.

`None` always means "not known for this target" (for example CPU flags of a folder checked with
`--path`), never "false".
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union, get_args, get_origin, get_type_hints

from keras_doctor.facts.platforms import PLATFORMS as PLATFORMS  # re-exported from its old home

SCHEMA_VERSION = 1



@dataclass
class Target:
    """What was examined and how: the running interpreter, another one, or a stated folder."""

    mode: str  # "running" | "python" | "path" | "facts"
    platform: str  # one of PLATFORMS
    python_version: str  # "3.11" or "3.11.7"
    path: Optional[str] = None  # --python executable or --path folder


@dataclass
class PlatformFacts:
    system: str  # "Darwin" | "Linux" | "Windows"
    machine: str  # canonical CPU of the running process: "arm64", "x86_64", …
    release: Optional[str] = None  # kernel release
    os_version: Optional[str] = None  # macOS product version ("14.4.1"), Windows version, distro
    apple_silicon: Optional[bool] = None  # hw.optional.arm64
    rosetta_translated: Optional[bool] = None  # sysctl.proc_translated of the *target* process
    cpu_brand: Optional[str] = None
    cpu_flags: Optional[List[str]] = None  # lower-case flags relevant to TF: avx, avx2, fma, …
    libc: Optional[str] = None  # "glibc 2.36", "musl", …


@dataclass
class InterpreterFacts:
    version: str  # "3.11.7"
    implementation: str = "cpython"
    executable: Optional[str] = None
    executable_format: Optional[str] = None  # "mach-o" | "elf" | "pe"
    executable_archs: Optional[List[str]] = None  # every slice of the executable's header
    running_arch: Optional[str] = None  # the slice that runs (differs from machine under Rosetta)
    bits: Optional[int] = None
    # venv | conda | pyenv | homebrew | python.org | uv | microsoft-store | system | unknown
    kind: Optional[str] = None
    base_kind: Optional[str] = None  # for a venv: the kind of interpreter it was made from
    prefix: Optional[str] = None
    base_prefix: Optional[str] = None
    in_venv: Optional[bool] = None
    externally_managed: Optional[str] = None  # path of the EXTERNALLY-MANAGED marker
    sys_path: List[str] = field(default_factory=list)
    site_packages: List[str] = field(default_factory=list)  # the environment's own site dirs
    user_site: Optional[str] = None
    user_site_enabled: Optional[bool] = None
    cwd: Optional[str] = None
    marker_environment: Dict[str, str] = field(default_factory=dict)  # PEP 508 marker values
    platform_tag: Optional[str] = None  # sysconfig.get_platform()
    ext_suffix: Optional[str] = None
    installers: Dict[str, str] = field(default_factory=dict)  # {"pip": "24.0", "uv": "0.4.1"}
    ssl: Optional[Dict[str, Any]] = None  # default verify paths and whether they exist
    # Which environment the executable belongs to: its venv folder (resolved), else the real
    # binary. Two interpreters are the same environment when these are equal.
    environment: Optional[str] = None


@dataclass
class Distribution:
    name: str  # as the metadata spells it
    canonical_name: str
    version: str
    location: str  # the site dir it was found in
    metadata_dir: str  # the .dist-info / .egg-info path
    metadata_kind: str = "dist-info"  # "dist-info" | "egg-info"
    requires_dist: List[str] = field(default_factory=list)
    requires_python: Optional[str] = None
    installer: Optional[str] = None
    wheel_tags: List[str] = field(default_factory=list)
    files: Optional[List[str]] = None  # RECORD paths relative to `location`; None without RECORD
    editable: bool = False
    error: Optional[str] = None  # set when the metadata could not be read


@dataclass
class Leftover:
    """A `~xxx` folder that pip leaves when an uninstall or upgrade is interrupted."""

    path: str
    location: str


@dataclass
class Binary:
    path: str
    location: str  # site dir
    format: str  # "mach-o" | "elf" | "pe" | "unknown"
    archs: List[str] = field(default_factory=list)
    min_macos: Dict[str, str] = field(default_factory=dict)  # arch -> minimum macOS of that slice
    owner: Optional[str] = None  # canonical name of the distribution whose RECORD lists it
    error: Optional[str] = None


@dataclass
class Shadow:
    """A module or package named like a real dependency, found before the real one on sys.path."""

    name: str  # the top-level import name it hides ("keras")
    path: str  # the file or folder
    sys_path_entry: str  # the sys.path entry it was found in ("" = the working directory)
    position: int  # index of that entry in sys.path


@dataclass
class PathTool:
    name: str  # "pip", "python", "python3", "jupyter"
    path: str
    interpreter: Optional[str] = None  # for scripts: the interpreter its shebang names
    # The Python environment the tool runs in (see `InterpreterFacts.environment`): of the
    # interpreter a script names, else of the tool itself.
    environment: Optional[str] = None


@dataclass
class KernelSpec:
    name: str
    path: str
    argv0: Optional[str] = None  # the interpreter the kernel starts
    argv0_exists: Optional[bool] = None  # whether that file exists (null: argv0 not a full path)


@dataclass
class KerasConfig:
    path: str
    exists: bool
    content: Optional[Dict[str, Any]] = None
    error: Optional[str] = None  # invalid JSON, unreadable


@dataclass
class ScriptName:
    """A TensorFlow name a script or notebook in the working directory uses, where it first does."""

    path: str
    line: int
    name: str  # relative to tensorflow: "placeholder", "train.AdamOptimizer", "contrib"


@dataclass
class ModelFile:
    """A model or weights file in the working directory, as its first bytes show it."""

    path: str
    size_bytes: int
    content: str  # "hdf5", "zip", "git-lfs-pointer", "html", "empty", "other"
    hdf5_end: Optional[int] = None  # the length the HDF5 superblock declares (facts/hdf5.py)
    zip_complete: Optional[bool] = None  # a zip's end record is there (None: not a zip)


@dataclass
class CondaRecord:
    """A conda-meta record of HDF5 or of a package built against it (facts/conda.py)."""

    name: str
    version: str
    build: str
    depends: List[str] = field(default_factory=list)  # conda match specs: "hdf5 >=1.14.3,<1.14.4"
    path: str = ""


@dataclass
class ConfigFacts:
    env: Dict[str, str] = field(default_factory=dict)  # the variables that matter, when set
    keras_json: Optional[KerasConfig] = None
    path_tools: List[PathTool] = field(default_factory=list)
    kernel_specs: List[KernelSpec] = field(default_factory=list)
    tensorflow_names: List[ScriptName] = field(default_factory=list)  # the working directory's
    model_files: List[ModelFile] = field(default_factory=list)  # the working directory's
    long_paths_enabled: Optional[bool] = None  # Windows LongPathsEnabled; None elsewhere/unknown
    conda_hdf5: List[CondaRecord] = field(default_factory=list)  # conda-meta: HDF5 and its users


@dataclass
class CacheDir:
    tool: str  # "pip" | "uv"
    path: str
    exists: bool
    size_bytes: Optional[int] = None  # None: not measured (`check` never measures)
    size_complete: bool = False  # True when size_bytes counts every file


@dataclass
class WeightsFile:
    name: str
    path: str
    size_bytes: int
    hdf5_signature: bool
    sha256: Optional[str] = None  # only when asked for (hashing weights costs seconds)
    hdf5_end: Optional[int] = None  # the length the HDF5 superblock declares (facts/hdf5.py)


@dataclass
class CachedWheel:
    """A wheel pip or uv built from source here and keeps for reuse (facts/built_wheels.py)."""

    tool: str  # "pip" | "uv"
    path: str
    name: str  # the distribution part of the file name, as spelled there ("ml_dtypes")
    version: str  # as spelled in the file name
    tags: str  # the file name's tag part: "cp311-cp311-macosx_10_9_universal2"
    # The native members read (at most MAX_BINARIES_PER_WHEEL): `path` is the member's name inside
    # the wheel, `location` the wheel file.
    binaries: List[Binary] = field(default_factory=list)
    error: Optional[str] = None  # the wheel could not be read as a zip


@dataclass
class CacheFacts:
    dirs: List[CacheDir] = field(default_factory=list)
    keras_home: Optional[str] = None
    weights: List[WeightsFile] = field(default_factory=list)
    # Built wheels of the packages keras-doctor judges, newest first; None: not looked for.
    built_wheels: Optional[List[CachedWheel]] = None
    built_wheels_complete: bool = True  # False when the listing stopped at its limits


@dataclass
class Facts:
    target: Target
    platform: PlatformFacts
    interpreter: InterpreterFacts
    distributions: List[Distribution] = field(default_factory=list)
    leftovers: List[Leftover] = field(default_factory=list)
    binaries: List[Binary] = field(default_factory=list)
    shadows: List[Shadow] = field(default_factory=list)
    config: Optional[ConfigFacts] = None  # None for a --path target: no shell, no HOME
    caches: Optional[CacheFacts] = None
    errors: List[str] = field(default_factory=list)  # what could not be read, and why
    collected_at: Optional[str] = None
    doctor_version: Optional[str] = None
    schema_version: int = SCHEMA_VERSION

    # -- serialisation ---------------------------------------------------------------------------

    def to_dict(self) -> Dict[str, Any]:
        plain: Dict[str, Any] = to_plain(self)
        return plain

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> Facts:
        """Facts from their JSON form; FactsFormatError naming the first field that is wrong.

        Every value is checked against its declared type, and every version against PEP 440: a
        check that cannot read a version treats the package as absent, so a bad value would
        otherwise hide a finding instead of being reported.
        """
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise FactsFormatError(
                f"facts schema_version {version!r} is not supported (this keras-doctor reads "
                f"{SCHEMA_VERSION})"
            )
        try:
            facts: Facts = _from_plain(cls, data, "facts")
        except (KeyError, TypeError, ValueError) as exc:
            raise FactsFormatError(f"facts do not match schema {SCHEMA_VERSION}: {exc}") from exc
        problem = vocabulary_problem(facts) or version_problem(facts)
        if problem:
            raise FactsFormatError(f"facts do not match schema {SCHEMA_VERSION}: {problem}")
        return facts


class FactsFormatError(ValueError):
    """A facts document that this version cannot read."""


_PYTHON_VERSION = re.compile(r"([23])\.(\d{1,2})(\.\d{1,4})?")


def python_version_problem(text: str) -> Optional[str]:
    """Why `text` is not a Python version a target can have (3.11, 3.11.7), or None.

    Only 2.x and 3.x up to 3.99 exist or could: wheel-tag enumeration grows with the minor
    version, so 3.9999 would cost minutes and a gigabyte before anything was checked.
    """
    digits = re.match(r"[0-9.]*", text)  # "3.14.0a1+" and "3.13.0rc1" count as 3.14.0, 3.13.0
    head = digits.group(0).rstrip(".") if digits else ""
    if not _PYTHON_VERSION.fullmatch(head):
        return f"{text!r} is not a Python version like 3.11 or 3.11.7"
    return None


# Fields whose values come from a fixed vocabulary, which checks look up in tables.
_VOCABULARIES = {
    "format": ("mach-o", "elf", "pe", "unknown"),
    "mode": ("running", "python", "path", "facts"),
    "metadata_kind": ("dist-info", "egg-info"),
}


def vocabulary_problem(facts: Facts) -> Optional[str]:
    """The first field whose value is outside its vocabulary, as `where: why`; None if none."""
    fields = [("target.mode", "mode", facts.target.mode)]
    fields += [(f"binaries[{i}].format", "format", b.format) for i, b in enumerate(facts.binaries)]
    fields += [(f"caches.built_wheels[{i}].binaries[{j}].format", "format", b.format)
               for i, w in enumerate(_built_wheels(facts)) for j, b in enumerate(w.binaries)]
    fields += [(f"distributions[{i}].metadata_kind", "metadata_kind", d.metadata_kind)
               for i, d in enumerate(facts.distributions)]
    if facts.interpreter.executable_format is not None:
        fields.append(("interpreter.executable_format", "format",
                       facts.interpreter.executable_format))
    for where, vocabulary, value in fields:
        if value not in _VOCABULARIES[vocabulary]:
            return f"{where}: {value!r} is not one of {', '.join(_VOCABULARIES[vocabulary])}"
    return None


def _built_wheels(facts: Facts) -> List[CachedWheel]:
    return (facts.caches.built_wheels or []) if facts.caches is not None else []


def version_problem(facts: Facts) -> Optional[str]:
    """The first version field that checks could not read, as `where: why`; None when all can."""
    from packaging.version import InvalidVersion, Version

    for where, text in (("target.python_version", facts.target.python_version),
                        ("interpreter.version", facts.interpreter.version)):
        problem = python_version_problem(text)
        if problem:
            return f"{where}: {problem}"
    candidates = [(f"distributions[{i}].version", d.version)
                  for i, d in enumerate(facts.distributions) if d.error is None]
    candidates += [(f"binaries[{i}].min_macos[{arch!r}]", minos)
                   for i, b in enumerate(facts.binaries) for arch, minos in b.min_macos.items()]
    candidates += [(f"caches.built_wheels[{i}].binaries[{j}].min_macos[{arch!r}]", minos)
                   for i, w in enumerate(_built_wheels(facts)) for j, b in enumerate(w.binaries)
                   for arch, minos in b.min_macos.items()]
    if facts.platform.system == "Darwin" and facts.platform.os_version:
        candidates.append(("platform.os_version", facts.platform.os_version))
    for where, text in candidates:
        try:
            Version(text)
        except InvalidVersion:
            return f"{where}: {text!r} is not a valid version"
    return None


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


@functools.cache
def _hints(tp: type) -> Dict[str, Any]:
    """A dataclass's resolved field types, read once per class (a facts file has thousands)."""
    return get_type_hints(tp, vars(sys.modules[tp.__module__]))


_SCALARS = {str: "a string", int: "an integer", bool: "true or false", float: "a number"}


def _from_plain(tp: Any, value: Any, where: str) -> Any:
    if value is None:
        if tp is Any or get_origin(tp) is Union:
            return None
        raise TypeError(f"{where}: expected {_describe(tp)}, got null")
    origin = get_origin(tp)
    if origin is Union:
        inner = [a for a in get_args(tp) if a is not type(None)]
        return _from_plain(inner[0], value, where)
    if origin in (list, List):
        (item,) = get_args(tp)
        if not isinstance(value, list):
            raise TypeError(f"{where}: expected a list, got {_json_type(value)}")
        return [_from_plain(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin in (dict, Dict):
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object, got {_json_type(value)}")
        _, item = get_args(tp)
        return {k: _from_plain(item, v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object, got {_json_type(value)}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in value:
                kwargs[f.name] = _from_plain(hints[f.name], value[f.name], f"{where}.{f.name}")
            elif (f.default is dataclasses.MISSING
                  and f.default_factory is dataclasses.MISSING):  # type: ignore[misc]
                raise TypeError(f"{where}: missing {f.name!r}")
        return tp(**kwargs)
    wrong_scalar = tp in _SCALARS and (
        not isinstance(value, tp) or (tp is not bool and isinstance(value, bool)))
    if wrong_scalar:
        raise TypeError(f"{where}: expected {_SCALARS[tp]}, got {_json_type(value)}")
    return value


def _describe(tp: Any) -> str:
    if tp in _SCALARS:
        return _SCALARS[tp]
    if get_origin(tp) in (list, List):
        return "a list"
    return "an object"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"[:60]
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # not JSON: a caller passed Python objects (null is said above)
