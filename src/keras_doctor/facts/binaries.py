"""Find every native binary in site-packages and read its header: format, architectures, minimum OS.

The installed-file lists (RECORD) already name almost every binary, so they are read from there
instead of walking TensorFlow's thousands of folders; only top-level entries that no distribution
owns (copied-in folders, leftovers of broken installs) are walked. Only headers are read, never
whole files. The work is bounded: a crafted RECORD can list a million `.so` paths and a folder
can hold a million files, so past limits no real environment reaches the scan stops and says so.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, Iterable, List, Optional, Set

from keras_doctor.facts.binfmt import Header, read_header
from keras_doctor.facts.model import Binary, Distribution

BINARY_SUFFIXES = (".so", ".dylib", ".pyd", ".dll")
# A large TensorFlow + PyTorch + JAX environment holds ~3,000 binaries in ~100,000 files.
MAX_BINARIES = 50_000
MAX_WALKED_ENTRIES = 1_000_000


def is_binary_name(name: str) -> bool:
    return name.endswith(BINARY_SUFFIXES) or ".so." in name  # libhdf5.so.310.4.0


def _walk(root: str, found: List[str], budget: List[int]) -> None:
    """Add the binaries under `root` to `found`, visiting at most budget[0] entries (spent)."""
    stack = [root]
    while stack and budget[0] > 0:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    budget[0] -= 1
                    if budget[0] <= 0:
                        return
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            stack.append(entry.path)
                    elif is_binary_name(entry.name):
                        found.append(entry.path)
        except OSError:
            continue


def scan(site_dirs: Iterable[str], distributions: List[Distribution],
         notes: Optional[List[str]] = None) -> List[Binary]:
    """The binaries of `site_dirs`; a scan cut short by its limits is said in `notes`."""
    owners: Dict[str, str] = {}
    owned_tops: Dict[str, Set[str]] = {}
    for dist in distributions:
        files = dist.files or ()
        # RECORD paths use "/" on every platform (the wheel spec), so the first part is top-level.
        owned_tops.setdefault(dist.location, set()).update({rel.partition("/")[0] for rel in files})
        for rel in [r for r in files if r.endswith(BINARY_SUFFIXES) or ".so." in r]:
            owners.setdefault(os.path.normpath(os.path.join(dist.location, rel)),
                              dist.canonical_name)

    paths = list(owners)
    budget = [MAX_WALKED_ENTRIES]
    for location in site_dirs:
        tops = owned_tops.get(location, set())
        try:
            entries = list(os.scandir(location))
        except OSError:
            continue
        for entry in entries:
            if entry.name in tops or entry.name.endswith((".dist-info", ".egg-info")):
                continue
            if entry.is_dir(follow_symlinks=False):
                _walk(entry.path, paths, budget)
            elif is_binary_name(entry.name):
                paths.append(entry.path)
    if budget[0] <= 0 and notes is not None:
        notes.append(f"stopped looking for binaries in folders no RECORD lists after "
                     f"{MAX_WALKED_ENTRIES} entries")
    if len(paths) > MAX_BINARIES:
        if notes is not None:
            notes.append(f"read the headers of the first {MAX_BINARIES} of {len(paths)} binaries "
                         "only")
        paths = paths[:MAX_BINARIES]

    binaries = []
    location_of = _location_index(site_dirs)
    for path in paths:
        try:
            header = read_header(path)
        except Exception as exc:  # one crafted file is a note on that file, not the loss of all
            header = Header("unknown", error=f"cannot read: {type(exc).__name__}: {exc}")
        if header.error and header.format == "unknown" and not os.path.exists(path):
            continue  # listed in RECORD but deleted: not a binary on disk
        binaries.append(
            Binary(
                path=path,
                location=location_of(path),
                format=header.format,
                archs=list(header.archs),
                min_macos=dict(header.min_macos),
                owner=owners.get(path),
                error=header.error,
            )
        )
    return binaries


def _location_index(site_dirs: Iterable[str]) -> Callable[[str], str]:
    roots = sorted((os.path.normpath(d) for d in site_dirs), key=len, reverse=True)

    def location_of(path: str) -> str:
        for root in roots:
            if path.startswith(root + os.sep):
                return root
        return os.path.dirname(path)

    return location_of
