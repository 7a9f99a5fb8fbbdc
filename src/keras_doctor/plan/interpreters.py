"""Find an interpreter on this machine that a fresh environment can be built from.

When the interpreter itself is the problem (an x86_64 Python under Rosetta, a Python with no
TensorFlow wheels, a system Python that forbids installs), no package change helps: the fix is a new
environment from a suitable interpreter. Each candidate is asked (in a subprocess, stdlib only) for
its version and the CPU it runs as; the newest that is native and has wheels wins. When none fits,
the plan says exactly which Python to install.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

_ASK = ("import json, platform, sys; print(json.dumps({"
        "'version': '%d.%d.%d' % sys.version_info[:3], 'machine': platform.machine(),"
        " 'executable': sys.executable,"
        " 'in_venv': sys.prefix != getattr(sys, 'base_prefix', sys.prefix)}))")

_NATIVE_MACHINES = {"macos-arm64": {"arm64"}, "macos-x86_64": {"x86_64"},
                    "linux-x86_64": {"x86_64", "amd64"}, "linux-aarch64": {"aarch64", "arm64"},
                    "windows-amd64": {"amd64", "x86_64"}, "windows-32": {"x86", "i386", "i686"}}


@dataclass(frozen=True)
class Interpreter:
    executable: str
    version: str  # X.Y.Z
    machine: str

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


def candidate_paths(root: str = "") -> List[str]:
    """Interpreters in the usual places: PATH, Homebrew, python.org, pyenv, uv-managed, the
    system's. `root` is the folder the machine-wide places are under (this machine's own: "")."""
    names = ["python3"] + [f"python3.{minor}" for minor in range(9, 15)]
    found = [shutil.which(name) for name in names]
    home = str(Path.home())
    patterns = [
        f"{root}/opt/homebrew/bin/python3.*", f"{root}/usr/local/bin/python3.*",
        f"{root}/Library/Frameworks/Python.framework/Versions/3.*/bin/python3",
        f"{home}/.pyenv/versions/3.*/bin/python3",
        f"{home}/.local/share/uv/python/cpython-3.*/bin/python3",
        f"{root}/usr/bin/python3.*",
    ]
    for pattern in patterns:
        found.extend(p for p in glob.glob(pattern) if not p.endswith("-config"))
    unique: Dict[str, str] = {}
    for path in found:
        # pyenv shims only dispatch to the versions folders, which are listed themselves.
        if path and os.access(path, os.X_OK) and f"{os.sep}shims{os.sep}" not in path:
            unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


@functools.cache
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


def native_interpreters(platform: str, paths: Optional[Iterable[str]] = None,
                        oldest: str = "3.9") -> List[Interpreter]:
    """Interpreters of the platform's own CPU, Python `oldest` or newer, newest first."""
    native = _NATIVE_MACHINES.get(platform, set())
    paths = list(paths if paths is not None else candidate_paths())
    with ThreadPoolExecutor(max_workers=8) as pool:
        described = [d for d in pool.map(describe, paths) if d is not None]
    floor = _key_of(oldest)
    unique = {os.path.realpath(d.executable): d for d in described
              if d.machine in native and _key(d)[:2] >= floor}
    return sorted(unique.values(), key=_key, reverse=True)


# How a plan looks for the interpreter of a new environment (a fake in tests, for live OS calls).
InterpreterFinder = Callable[[str, Callable[[str], bool]], Optional[Interpreter]]


def find_interpreter(platform: str, has_wheels: Callable[[str], bool],
                     paths: Optional[Iterable[str]] = None) -> Optional[Interpreter]:
    """The newest native interpreter whose Python version `has_wheels` accepts ("3.11")."""
    verdicts: Dict[str, bool] = {}
    for found in native_interpreters(platform, paths):
        if found.minor not in verdicts:
            verdicts[found.minor] = has_wheels(found.minor)
        if verdicts[found.minor]:
            return found
    return None


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


def _key(interpreter: Interpreter) -> Tuple[int, ...]:
    return _key_of(interpreter.version)


def _key_of(version: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:3] if p.isdigit())
