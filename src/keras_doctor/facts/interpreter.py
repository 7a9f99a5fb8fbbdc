"""Turn the probe's answer into interpreter facts: what kind of install, which architecture runs.

The kind of install decides the fix (a Homebrew or python.org Python is replaced differently from a
conda one; a system Python is never touched). The executable's own header tells which CPU slices it
has; the probe's `platform.machine()` tells which one runs (x86_64 under Rosetta on an arm64 Mac).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple

from keras_doctor.facts.binfmt import canonical_arch, read_header
from keras_doctor.facts.config import environment_of
from keras_doctor.facts.model import InterpreterFacts


def install_kind(prefix: str) -> str:
    p = prefix.replace("\\", "/")
    if os.path.isdir(os.path.join(prefix, "conda-meta")):
        return "conda"
    if "/uv/python/" in p or "/.local/share/uv/" in p:
        return "uv"
    if "/.pyenv/versions/" in p or "/pyenv-win/versions/" in p:
        return "pyenv"
    if p.startswith("/opt/homebrew") or "/Cellar/" in p or p.startswith("/usr/local/opt/python"):
        return "homebrew"
    if p.startswith("/Library/Frameworks/Python.framework"):
        return "python.org"
    if "WindowsApps" in p:
        return "microsoft-store"
    if p.startswith(("/usr", "/System/Library/", "/Library/Developer/CommandLineTools")):
        return "system"
    return "unknown"


def externally_managed_marker(stdlib: Optional[str], in_venv: bool) -> Optional[str]:
    if in_venv or not stdlib:
        return None
    marker = os.path.join(stdlib, "EXTERNALLY-MANAGED")
    return marker if os.path.isfile(marker) else None


def executable_header(executable: Optional[str]) -> Tuple[Optional[str], Optional[List[str]]]:
    if not executable:
        return None, None
    header = read_header(os.path.realpath(executable))
    if header.format == "unknown":
        return None, None
    return header.format, list(header.archs)


def from_probe(probe: Dict[str, Any], installers: Dict[str, str]) -> InterpreterFacts:
    prefix, base_prefix = probe["prefix"], probe["base_prefix"]
    in_venv = prefix != base_prefix or os.path.isfile(os.path.join(prefix, "pyvenv.cfg"))
    base_kind = install_kind(base_prefix)
    kind = "conda" if os.path.isdir(os.path.join(prefix, "conda-meta")) else (
        "venv" if in_venv else base_kind
    )
    fmt, archs = executable_header(probe.get("executable"))  # read through its links, here
    return InterpreterFacts(
        version=probe["version"],
        implementation=probe.get("implementation", "cpython"),
        executable=probe.get("executable"),
        executable_format=fmt,
        executable_archs=archs,
        running_arch=canonical_arch(probe.get("machine") or ""),
        bits=probe.get("bits"),
        kind=kind,
        base_kind=base_kind,
        prefix=prefix,
        base_prefix=base_prefix,
        in_venv=in_venv,
        externally_managed=externally_managed_marker(probe.get("stdlib"), in_venv),
        sys_path=list(probe.get("sys_path") or []),
        site_packages=list(probe.get("site_packages") or []),
        user_site=probe.get("user_site"),
        user_site_enabled=probe.get("user_site_enabled"),
        cwd=probe.get("cwd"),
        marker_environment=dict(probe.get("marker_environment") or {}),
        platform_tag=probe.get("platform_tag"),
        ext_suffix=probe.get("ext_suffix"),
        installers=installers,
        ssl=probe.get("ssl"),
        environment=environment_of(probe.get("executable")),
    )
