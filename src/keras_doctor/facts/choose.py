"""Which interpreter a bare `keras-doctor check` examines: the environment the user means.

keras-doctor is often installed on its own (`pipx install`, `uv tool install`), in a private
environment that holds no TensorFlow; examining that interpreter answers a question nobody asked
and says "No problems found" about an environment the user never uses. So without `--python`:

1. an activated virtualenv (`VIRTUAL_ENV`) is the target;
2. else an activated conda environment (`CONDA_PREFIX`);
3. else, when keras-doctor runs from a tool environment of its own (pipx, uv tool), the `python3`
   on PATH — what `python3 train.py` would run;
4. else the interpreter running keras-doctor (installed into the environment it examines).

Reading the environment variables, PATH and the tool markers is reading the machine, so it lives
here in facts/; the choice and its reason travel with the report so every format can say which
interpreter was examined and why.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional

# Files that pipx and uv write into the environments they make for a tool.
TOOL_MARKERS = {"pipx_metadata.json": "pipx", "uv-receipt.toml": "uv tool"}


@dataclass(frozen=True)
class TargetChoice:
    python: Optional[str]  # None: the interpreter running keras-doctor
    reason: str  # how it was chosen, for a person: "the active virtualenv (VIRTUAL_ENV)"
    source: str  # "virtualenv" | "conda" | "path" | "running"


def env_python(prefix: str, windows: bool = os.name == "nt") -> Path:
    """The interpreter of a virtualenv or conda prefix."""
    root = Path(prefix)
    if windows:
        candidates = [root / "Scripts" / "python.exe", root / "python.exe"]
    else:
        candidates = [root / "bin" / "python", root / "bin" / "python3"]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[0]


def tool_environment(prefix: str) -> Optional[str]:
    """"pipx" or "uv tool" when `prefix` is an environment such a tool made for itself."""
    for marker, tool in TOOL_MARKERS.items():
        if (Path(prefix) / marker).is_file():
            return tool
    parts = Path(prefix).parts
    if "pipx" in parts and "venvs" in parts:
        return "pipx"
    if "uv" in parts and "tools" in parts:
        return "uv tool"
    return None


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def default_target(
    environ: Mapping[str, str] = os.environ,
    running_prefix: str = sys.prefix,
    which: Callable[[str], Optional[str]] = shutil.which,
) -> TargetChoice:
    for variable, source, what in (("VIRTUAL_ENV", "virtualenv", "the active virtualenv"),
                                   ("CONDA_PREFIX", "conda", "the active conda environment")):
        prefix = environ.get(variable)
        if not prefix or not os.path.isdir(prefix):
            continue
        if _same(prefix, running_prefix):
            return TargetChoice(None, f"{what} (${variable}), which runs keras-doctor", "running")
        return TargetChoice(str(env_python(prefix)), f"{what} (${variable})", source)
    tool = tool_environment(running_prefix)
    if tool:
        found = which("python3") or which("python")
        if found and not _inside(found, running_prefix):
            return TargetChoice(
                found, f"the python3 on PATH (keras-doctor runs from its own {tool} "
                       "environment; --python chooses another)", "path")
        return TargetChoice(None, f"the Python running keras-doctor: its own {tool} "
                                  "environment, as no other python3 is on PATH", "running")
    return TargetChoice(None, "the Python running keras-doctor (no virtualenv is active)",
                        "running")


def _inside(path: str, prefix: str) -> bool:
    try:
        return Path(path).resolve().is_relative_to(Path(prefix).resolve()) or \
            Path(path).absolute().is_relative_to(Path(prefix).absolute())
    except (OSError, ValueError):
        return False


def host_platform() -> str:
    """This machine's platform name (facts.model.PLATFORMS), as the facts of it would say."""
    import platform as platform_module

    from keras_doctor.facts.binfmt import canonical_arch
    from keras_doctor.facts.collect import platform_name

    return platform_name(platform_module.system(), canonical_arch(platform_module.machine()))
