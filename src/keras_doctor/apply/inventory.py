"""What is installed where, read straight from the site folders the target installs into.

The engine must know, before and after every change, exactly which distributions and files exist,
and it must know it offline and without importing anything from the target. The target interpreter
is asked only for what it alone knows (its install folders, whether it has pip, whether it is
externally managed); the metadata is then read here as files: `METADATA` headers and `RECORD` rows.
"""

from __future__ import annotations

import csv
import email.parser
import functools
import io
import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

from packaging.utils import canonicalize_name

# Runs inside the target interpreter: stdlib only, Python 3.7+.
_PROBE = r"""
import importlib.util, json, os, site, sys, sysconfig
dirs = []
for key in ("purelib", "platlib"):
    dirs.append(sysconfig.get_paths()[key])
try:
    dirs.extend(site.getsitepackages())
except AttributeError:
    pass
marker = os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")
in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "prefix": sys.prefix,
    "in_venv": in_venv,
    "site_dirs": dirs,
    "has_pip": importlib.util.find_spec("pip") is not None,
    "externally_managed": marker if (not in_venv and os.path.exists(marker)) else None,
}))
"""


@dataclass
class TargetInfo:
    executable: str
    version: str
    prefix: str
    in_venv: bool
    site_dirs: List[str]
    has_pip: bool
    externally_managed: Optional[str] = None


class ProbeError(RuntimeError):
    pass


def probe(python: str, timeout: float = 60) -> TargetInfo:
    try:
        proc = subprocess.run([python, "-I", "-c", _PROBE], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProbeError(f"cannot run {python}: {exc}") from exc
    if proc.returncode != 0:
        raise ProbeError(f"{python} failed: {proc.stderr.strip()[-500:]}")
    data = json.loads(proc.stdout)
    seen: Dict[str, None] = {}
    for folder in data["site_dirs"]:
        if os.path.isdir(folder):
            seen.setdefault(os.path.realpath(folder), None)
    data["site_dirs"] = list(seen)
    return TargetInfo(**data)


@dataclass
class InstalledDist:
    name: str  # canonical
    version: str
    site_dir: str
    dist_info: str
    files: List[str] = field(default_factory=list)  # absolute paths from RECORD (may not exist)
    has_record: bool = True


def read_site(site_dirs: List[str], with_files: bool = True) -> List[InstalledDist]:
    found = []
    for site_dir in site_dirs:
        try:
            entries = sorted(os.listdir(site_dir))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith(".dist-info"):
                continue
            dist = read_dist(os.path.join(site_dir, entry), site_dir, with_files)
            if dist is not None:
                found.append(dist)
    return found


def read_dist(dist_info: str, site_dir: str, with_files: bool = True) -> Optional[InstalledDist]:
    try:
        with open(os.path.join(dist_info, "METADATA"), encoding="utf-8", errors="replace") as fh:
            headers = email.parser.HeaderParser().parse(fh)
    except OSError:
        return None
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        return None
    dist = InstalledDist(canonicalize_name(name), version.strip(), site_dir, dist_info)
    if with_files:
        record = os.path.join(dist_info, "RECORD")
        try:
            with open(record, encoding="utf-8", errors="replace") as fh:
                rows = list(csv.reader(io.StringIO(fh.read())))
        except OSError:
            dist.has_record = False
            rows = []
        dist.files = [os.path.normpath(os.path.join(site_dir, row[0])) for row in rows if row]
    return dist


def versions(dists: List[InstalledDist]) -> Dict[str, List[str]]:
    """{canonical name: [versions]}: a list, because a broken environment can hold two."""
    table: Dict[str, List[str]] = {}
    for dist in dists:
        table.setdefault(dist.name, []).append(dist.version)
    return {name: sorted(vs) for name, vs in sorted(table.items())}


def within(path: str, roots: List[str]) -> bool:
    """Whether `path` (its folder's links resolved) lies inside one of `roots`."""
    folder, base = os.path.split(os.path.abspath(path))
    real = os.path.join(_real_folder(folder), base)
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep)
               for r in (_real_folder(root) for root in roots))


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def with_pyc_companions(paths: List[str]) -> List[str]:
    """`paths` plus the bytecode caches of its source files (`__pycache__/name.*.pyc`).

    Each `__pycache__` folder is listed once, however many sources it serves.
    """
    stems: Dict[str, Set[str]] = {}
    for path in paths:
        if path.endswith(".py"):
            folder, base = os.path.split(path)
            stems.setdefault(folder, set()).add(base[:-3])
    found = list(paths)
    for folder, names in stems.items():
        cache = os.path.join(folder, "__pycache__")
        try:
            entries = os.listdir(cache)
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".pyc") and entry.split(".", 1)[0] in names:
                found.append(os.path.join(cache, entry))
    return found
