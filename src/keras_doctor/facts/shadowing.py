"""Find modules or packages that hide a real dependency because they come first on sys.path.

A user's own `keras.py` next to their notebook is the classic: Python imports the first match on
`sys.path`, and the working directory (or script folder) is searched before site-packages. Only
entries ahead of the environment's site-packages are looked at, and only for the names of the
packages this tool cares about, so this costs a few `stat` calls.
"""

from __future__ import annotations

import os
from typing import Iterable, List, Set

from keras_doctor.facts.model import Shadow

WATCHED_NAMES = (
    "keras", "tensorflow", "tf_keras", "numpy", "h5py", "google", "ml_dtypes", "jax", "jaxlib",
    "torch", "scipy", "absl", "tensorboard", "optree", "keras_hub", "keras_cv", "keras_nlp",
    "tensorflow_hub", "tensorflow_datasets", "grpc", "wrapt", "opt_einsum", "flatbuffers",
)

_MODULE_SUFFIXES = (".py", ".pyc")
_EXTENSION_MARKERS = (".so", ".pyd")


def _shadowing_path(folder: str, name: str, entries: Set[str]) -> str:
    if name in entries:
        package = os.path.join(folder, name)
        if os.path.isfile(os.path.join(package, "__init__.py")) or os.path.isfile(
            os.path.join(package, "__init__.pyc")
        ):
            return package
    for suffix in _MODULE_SUFFIXES:
        if name + suffix in entries:
            return os.path.join(folder, name + suffix)
    for entry in entries:
        if entry.startswith(name + ".") and entry.endswith(_EXTENSION_MARKERS):
            return os.path.join(folder, entry)
    return ""


def find_shadows(sys_path: List[str], site_packages: Iterable[str], cwd: str) -> List[Shadow]:
    sites = {os.path.realpath(p) for p in site_packages if p}
    shadows: List[Shadow] = []
    for position, entry in enumerate(sys_path):
        folder = entry or cwd
        try:
            real = os.path.realpath(folder)
        except (OSError, ValueError):  # ValueError: a NUL byte, which no folder can have
            continue
        if real in sites:
            break  # everything after the environment's site-packages cannot hide it
        try:
            names = set(os.listdir(folder))
        except (OSError, ValueError):
            continue  # zip files, missing folders
        for name in WATCHED_NAMES:
            hit = _shadowing_path(folder, name, names)
            if hit:
                shadows.append(Shadow(name=name, path=hit, sys_path_entry=entry, position=position))
    return shadows
