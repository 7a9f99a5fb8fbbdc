"""Which installer changes an environment, and the exact argv it is given.

A plan is shown before it runs, so its commands are built here, once, as argv lists: the dry run
prints exactly what `--apply` executes. Every name and version in them comes from validated data
(canonical names, parsed versions), never from text read out of the environment.
uv is used when it is available; otherwise the environment's own `python -m pip`, or, for an
environment without pip (the way uv builds them), keras-doctor's own pip through `--python`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from packaging.utils import canonicalize_name
from packaging.version import Version


def find_uv() -> Optional[str]:
    """The uv installed beside keras-doctor (its own environment's bin folder), else uv on PATH.

    Beside comes first: it is the one installed with this tool, and a PATH entry may be a version
    manager's shim that costs a process start on every call.
    """
    beside = os.pathsep.join(str(folder) for folder in (Path(sys.executable).parent,
                                                         Path(sys.prefix) / "bin"))
    return shutil.which("uv", path=beside) or shutil.which("uv")


def choose_installer(has_pip: bool, uv: Optional[str]) -> str:
    """uv when it is at hand (a fraction of pip's time, and it needs nothing inside the target);
    else the environment's own pip; else this process's pip acting on the target through pip's
    `--python` option (pip 22.3+), so an environment made without pip is still repaired by a
    command that runs as printed."""
    if uv:
        return "uv"
    if has_pip:
        return "pip"
    if own_pip_can_target():
        return "pip-python"
    return "pip"


def own_pip_can_target() -> bool:
    """Whether the pip beside keras-doctor has `--python` (22.3+) to install into another env."""
    try:
        from importlib.metadata import version

        return Version(version("pip")) >= Version("22.3")
    except Exception:  # no pip here, or metadata unreadable
        return False


def pin(name: str, version: str) -> str:
    """`name==version` from a name and version that must parse: the only way a pin is written."""
    return f"{valid_name(name)}=={Version(version)}"


_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)  # PEP 508 names


def valid_name(name: str) -> str:
    """The canonical form of a distribution name, or ValueError when it is not a valid name."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"not a valid distribution name: {name!r}")
    return canonicalize_name(name)


def install_argv(installer: str, python: str, pins: Sequence[str], uv: Optional[str],
                 reinstall: bool = False) -> List[str]:
    """Install exactly `pins` and nothing else: the set was resolved as a whole beforehand."""
    if installer == "uv":
        argv = [_need(uv), "pip", "install", "--python", python, "--no-deps"]
        if reinstall:
            argv += ["--reinstall", "--no-cache"]
    else:
        argv = [*_pip(installer, python), "install", "--no-deps", "--disable-pip-version-check"]
        if reinstall:
            argv += ["--force-reinstall", "--no-cache-dir"]
    return argv + list(pins)


def uninstall_argv(installer: str, python: str, names: Sequence[str],
                   uv: Optional[str]) -> List[str]:
    if installer == "uv":
        return [_need(uv), "pip", "uninstall", "--python", python, *names]
    return [*_pip(installer, python), "uninstall", "-y", "--disable-pip-version-check", *names]


def purge_cache_argv(installer: str, python: str, name: str, uv: Optional[str]) -> List[str]:
    if installer == "uv":
        return [_need(uv), "cache", "clean", name]
    return [*_pip(installer, python), "cache", "remove", name]


def new_venv_argv(uv: Optional[str], base_python: str, dest: str) -> List[str]:
    if uv:
        return [uv, "venv", "--python", base_python, dest]
    return [base_python, "-m", "venv", dest]


def venv_python(dest: str) -> str:
    return str(Path(dest) / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def _pip(installer: str, python: str) -> List[str]:
    if installer == "pip-python":
        return [sys.executable, "-m", "pip", "--python", python]
    return [python, "-m", "pip"]


def _need(uv: Optional[str]) -> str:
    if not uv:
        raise ValueError("uv was chosen as installer but is not available")
    return uv
