"""Read the installer caches (their folders, and the wheels they built: facts/built_wheels.py)
and the Keras weights cache.

Cache sizes are measured only when asked (`keras-doctor facts`), under a time budget: a warm uv
cache holds hundreds of thousands of files and no check needs its size, so `check` never pays for
it. Weights files get a size and an HDF5 signature check always, a sha256 only on request: hashing
a 500 MB VGG16 file costs seconds.
"""

from __future__ import annotations

import os
import time
from typing import Dict, List, Optional, Tuple

from keras_doctor.facts import built_wheels, hdf5
from keras_doctor.facts.bounded_read import read_regular_head
from keras_doctor.facts.model import CacheDir, CacheFacts, WeightsFile

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _cache_home(env: Dict[str, str]) -> str:
    home = env.get("HOME") or os.path.expanduser("~")
    return env.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")


def pip_cache_dir(env: Dict[str, str], system: str) -> str:
    if env.get("PIP_CACHE_DIR"):
        return env["PIP_CACHE_DIR"]
    home = env.get("HOME") or os.path.expanduser("~")
    if system == "Darwin":
        return os.path.join(home, "Library", "Caches", "pip")
    if system == "Windows":
        return os.path.join(env.get("LOCALAPPDATA", home), "pip", "Cache")
    return os.path.join(_cache_home(env), "pip")


def uv_cache_dir(env: Dict[str, str], system: str) -> str:
    if env.get("UV_CACHE_DIR"):
        return env["UV_CACHE_DIR"]
    if system == "Windows":
        home = env.get("HOME") or os.path.expanduser("~")
        return os.path.join(env.get("LOCALAPPDATA", home), "uv", "cache")
    return os.path.join(_cache_home(env), "uv")


def tree_size(root: str, budget_seconds: Optional[float]) -> Tuple[int, bool]:
    deadline = None if budget_seconds is None else time.perf_counter() + budget_seconds
    total, stack = 0, [root]
    while stack:
        if deadline is not None and time.perf_counter() > deadline:
            return total, False
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total, True


def weights_files(models_dir: str, hash_weights: bool) -> List[WeightsFile]:
    try:
        names = sorted(os.listdir(models_dir))
    except OSError:
        return []
    files = []
    for name in names:
        path = os.path.join(models_dir, name)
        if not os.path.isfile(path):
            continue
        try:
            size = os.path.getsize(path)
            header = read_regular_head(path, hdf5.HEADER_BYTES)
            signature = header[:8] == HDF5_SIGNATURE
        except OSError:
            continue
        digest = _sha256(path) if hash_weights else None
        files.append(WeightsFile(name, path, size, signature, digest, hdf5.end_of_file(header)))
    return files


def _sha256(path: str) -> Optional[str]:
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def read_caches(
    env: Dict[str, str],
    system: str,
    keras_home: str,
    measure_sizes: bool = False,
    size_budget: Optional[float] = None,
    hash_weights: bool = False,
) -> CacheFacts:
    dirs = []
    pip_dir, uv_dir = pip_cache_dir(env, system), uv_cache_dir(env, system)
    for tool, path in (("pip", pip_dir), ("uv", uv_dir)):
        exists = os.path.isdir(path)
        size: Optional[int] = None
        complete = False
        if exists and measure_sizes:
            size, complete = tree_size(path, size_budget)
        dirs.append(CacheDir(tool=tool, path=path, exists=exists, size_bytes=size,
                             size_complete=complete))
    wheels, complete = built_wheels.read_built_wheels(pip_dir, uv_dir)
    return CacheFacts(
        dirs=dirs,
        built_wheels=wheels,
        built_wheels_complete=complete,
        keras_home=keras_home,
        weights=weights_files(os.path.join(keras_home, "models"), hash_weights),
    )


