"""Find an interpreter on this machine that a fresh environment can be built from.

When the interpreter itself is the problem (an x86_64 Python under Rosetta, a Python with no
TensorFlow wheels, a system Python that forbids installs), no package change helps: the fix is a new
environment from a suitable interpreter. Each candidate is asked (in a subprocess, stdlib only) for
its version and the CPU it runs as; the newest that is native and has wheels wins. When none fits,
the plan says exactly which Python to install.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

_ASK = ("import json, platform, sys; print(json.dumps({"
        "'version': '%d.%d.%d' % sys.version_info[:3], 'machine': platform.machine(),"
        " 'executable': sys.executable,"
        " 'in_venv': sys.prefix != getattr(sys, 'base_prefix', sys.prefix)}))")

_NATIVE_MACHINES = {"macos-arm64": {"arm64"}, "macos-x86_64": {"x86_64"},
                    "linux-x86_64": {"x86_64", "amd64"}, "linux-aarch64": {"aarch64", "arm64"},
                    "windows-amd64": {"amd64", "x86_64"}}


@dataclass(frozen=True)
class Interpreter:
    executable: str
    version: str  # X.Y.Z
    machine: str

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


def candidate_paths() -> List[str]:
    """Interpreters in the usual places: PATH, Homebrew, python.org, pyenv, uv-managed."""
    names = ["python3"] + [f"python3.{minor}" for minor in range(9, 15)]
    found = [shutil.which(name) for name in names]
    home = str(Path.home())
    patterns = [
        "/opt/homebrew/bin/python3.*", "/usr/local/bin/python3.*",
        "/Library/Frameworks/Python.framework/Versions/3.*/bin/python3",
        f"{home}/.pyenv/versions/3.*/bin/python3",
        f"{home}/.local/share/uv/python/cpython-3.*/bin/python3",
        "/usr/bin/python3.*",
    ]
    for pattern in patterns:
        found.extend(p for p in glob.glob(pattern) if not p.endswith("-config"))
    unique: Dict[str, str] = {}
    for path in found:
        if path and os.access(path, os.X_OK):
            unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def describe(executable: str, timeout: float = 10) -> Optional[Interpreter]:
    try:
        proc = subprocess.run([executable, "-I", "-c", _ASK], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        data = json.loads(proc.stdout) if proc.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    if not data or data.get("in_venv"):
        return None  # a venv's interpreter is not a base to build another venv from
    return Interpreter(executable, data["version"], data["machine"].lower())


def find_interpreter(platform: str, has_wheels: Callable[[str], bool],
                     paths: Optional[Iterable[str]] = None) -> Optional[Interpreter]:
    """The newest native interpreter whose Python version `has_wheels` accepts ("3.11")."""
    native = _NATIVE_MACHINES.get(platform, set())
    best: Optional[Interpreter] = None
    for path in paths if paths is not None else candidate_paths():
        found = describe(path)
        if found is None or found.machine not in native or not has_wheels(found.minor):
            continue
        if best is None or _key(found) > _key(best):
            best = found
    return best


def install_advice(platform: str, minors: List[str]) -> List[str]:
    """What to install when no suitable interpreter exists, most specific first."""
    if not minors:
        return ["Install a Python version that TensorFlow publishes wheels for"]
    want = minors[-1]
    advice = [f"uv python install {want}   (then rerun with --new-venv PATH)"]
    if platform == "macos-arm64":
        advice.append(f"or the python.org universal2 installer for Python {want}, or arm64 "
                      f"Homebrew (/opt/homebrew/bin/brew install python@{want}); not an Intel "
                      "(/usr/local) Homebrew or Miniconda")
    return advice


def _key(interpreter: Interpreter):
    return tuple(int(p) for p in interpreter.version.split(".")[:3])
