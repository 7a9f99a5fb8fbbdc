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
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union, get_args, get_origin, get_type_hints

SCHEMA_VERSION = 1

# Platform names a target can be stated as (`--platform`), with the OS and CPU they mean.
PLATFORMS: Dict[str, tuple] = {
    "macos-arm64": ("Darwin", "arm64"),
    "macos-x86_64": ("Darwin", "x86_64"),
    "linux-x86_64": ("Linux", "x86_64"),
    "linux-aarch64": ("Linux", "arm64"),
    "windows-amd64": ("Windows", "x86_64"),
}


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


@dataclass
class KernelSpec:
    name: str
    path: str
    argv0: Optional[str] = None  # the interpreter the kernel starts


@dataclass
class KerasConfig:
    path: str
    exists: bool
    content: Optional[Dict[str, Any]] = None
    error: Optional[str] = None  # invalid JSON, unreadable


@dataclass
class ConfigFacts:
    env: Dict[str, str] = field(default_factory=dict)  # the variables that matter, when set
    keras_json: Optional[KerasConfig] = None
    path_tools: List[PathTool] = field(default_factory=list)
    kernel_specs: List[KernelSpec] = field(default_factory=list)


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
class CacheFacts:
    dirs: List[CacheDir] = field(default_factory=list)
    keras_home: Optional[str] = None
    weights: List[WeightsFile] = field(default_factory=list)


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
        return to_plain(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> Facts:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise FactsFormatError(
                f"facts schema_version {version!r} is not supported (this keras-doctor reads "
                f"{SCHEMA_VERSION})"
            )
        try:
            return _from_plain(cls, data)
        except (KeyError, TypeError, ValueError) as exc:
            raise FactsFormatError(f"facts do not match schema {SCHEMA_VERSION}: {exc}") from exc


class FactsFormatError(ValueError):
    """A facts document that this version cannot read."""


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


_HINTS: Dict[type, Dict[str, Any]] = {}


def _from_plain(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(tp)
    if origin is Union:
        inner = [a for a in get_args(tp) if a is not type(None)]
        return _from_plain(inner[0], value)
    if origin in (list, List):
        (item,) = get_args(tp)
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        return [_from_plain(item, v) for v in value]
    if origin in (dict, Dict):
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        return dict(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {tp.__name__}, got {type(value).__name__}")
        hints = _HINTS.get(tp)
        if hints is None:
            hints = _HINTS[tp] = get_type_hints(tp, vars(sys.modules[tp.__module__]))
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in value:
                kwargs[f.name] = _from_plain(hints[f.name], value[f.name])
        return tp(**kwargs)
    return value
