"""Read every installed distribution's metadata from site-packages folders, statically.

Reads `.dist-info` and `.egg-info` the way installers write them, without importing anything from
the target and without `importlib.metadata` (which can only see the running interpreter). Unreadable
metadata is recorded on the distribution (`error`), never raised: a broken environment is the normal
input here.

Only the five header fields the checks use are read (Name, Version, Requires-Dist, Requires-Python,
and WHEEL's Tag), from the header block of the core-metadata format: `Key: value` lines, folded
values continued on indented lines. The values themselves are parsed by `packaging`. The stdlib
email parser would do the same work but costs more to import than the whole scan of a TensorFlow
environment, which is why it is not used here.
"""

from __future__ import annotations

import csv
import os
from typing import Dict, Iterable, List, Optional, Tuple

from packaging.utils import canonicalize_name

from keras_doctor.facts.model import Distribution, Leftover


def unique_site_dirs(paths: Iterable[str]) -> List[str]:
    """Existing folders in order, each once by real path (venvs can reach one site twice: lib64)."""
    seen = set()
    result = []
    for path in paths:
        if not path:
            continue
        try:
            real = os.path.realpath(path)
        except OSError:
            continue
        if real in seen or not os.path.isdir(real):
            continue
        seen.add(real)
        result.append(path)
    return result


def scan(site_dirs: Iterable[str]) -> Tuple[List[Distribution], List[Leftover]]:
    distributions: List[Distribution] = []
    leftovers: List[Leftover] = []
    for location in unique_site_dirs(site_dirs):
        try:
            entries = sorted(os.listdir(location))
        except OSError:
            continue
        for name in entries:
            path = os.path.join(location, name)
            if name.startswith("~"):
                leftovers.append(Leftover(path=path, location=location))
            elif name.endswith(".dist-info"):
                distributions.append(read_dist_info(path, location))
            elif name.endswith(".egg-info"):
                distributions.append(read_egg_info(path, location))
    return distributions, leftovers


def _read_text(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


_WANTED = frozenset(("name", "version", "requires-dist", "requires-python", "tag"))


class Headers:
    """The wanted header fields of a core-metadata (or WHEEL) file: first value, or all values."""

    def __init__(self, text: str):
        self._fields: Dict[str, List[str]] = {}
        head = text.replace("\r\n", "\n").partition("\n\n")[0]
        current: Optional[List[str]] = None
        for line in head.split("\n"):
            if line[:1] in (" ", "\t"):
                if current:
                    current[-1] += " " + line.strip()  # a folded continuation
                continue
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if sep and key in _WANTED:
                current = self._fields.setdefault(key, [])
                current.append(value.strip())
            else:
                current = None

    def get(self, key: str) -> Optional[str]:
        values = self._fields.get(key.lower())
        return values[0] if values else None

    def get_all(self, key: str) -> List[str]:
        return list(self._fields.get(key.lower(), ()))


def _headers(text: str) -> Headers:
    return Headers(text)


def _name_from_folder(folder: str) -> Tuple[str, str]:
    stem = os.path.basename(folder).rsplit(".", 1)[0]
    name, _, version = stem.partition("-")
    return name, version.split("-")[0] or "unknown"


def _broken(path: str, location: str, kind: str, error: str) -> Distribution:
    name, version = _name_from_folder(path)
    return Distribution(
        name=name, canonical_name=canonicalize_name(name), version=version, location=location,
        metadata_dir=path, metadata_kind=kind, error=error,
    )


def read_dist_info(path: str, location: str) -> Distribution:
    text = _read_text(os.path.join(path, "METADATA"))
    if text is None:
        return _broken(path, location, "dist-info", "METADATA is missing or unreadable")
    headers = _headers(text)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        return _broken(path, location, "dist-info", "METADATA has no Name or Version")
    installer = _read_text(os.path.join(path, "INSTALLER"))
    wheel = _read_text(os.path.join(path, "WHEEL"))
    direct_url = _read_text(os.path.join(path, "direct_url.json")) or ""
    return Distribution(
        name=name,
        canonical_name=canonicalize_name(name),
        version=version,
        location=location,
        metadata_dir=path,
        metadata_kind="dist-info",
        requires_dist=headers.get_all("Requires-Dist"),
        requires_python=headers.get("Requires-Python"),
        installer=installer.strip() if installer else None,
        wheel_tags=_headers(wheel).get_all("Tag") if wheel else [],
        files=read_record(os.path.join(path, "RECORD")),
        editable='"editable": true' in direct_url or '"editable":true' in direct_url,
    )


def read_record(path: str) -> Optional[List[str]]:
    """The paths a RECORD lists. Its last two fields (hash, size) never hold a comma, so a line
    without quotes splits from the right; quoted paths go through the csv module."""
    text = _read_text(path)
    if text is None:
        return None
    if '"' not in text:
        return [line.rsplit(",", 2)[0] for line in text.splitlines() if line]
    return [row[0] for row in csv.reader(text.splitlines()) if row and row[0]]


def read_egg_info(path: str, location: str) -> Distribution:
    is_dir = os.path.isdir(path)
    text = _read_text(os.path.join(path, "PKG-INFO") if is_dir else path)
    if text is None:
        return _broken(path, location, "egg-info", "PKG-INFO is missing or unreadable")
    headers = _headers(text)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        return _broken(path, location, "egg-info", "PKG-INFO has no Name or Version")
    requires: List[str] = []
    files: Optional[List[str]] = None
    if is_dir:
        requires = requires_from_requires_txt(_read_text(os.path.join(path, "requires.txt")) or "")
        installed = _read_text(os.path.join(path, "installed-files.txt"))
        if installed is not None:
            rel = os.path.relpath(path, location)
            files = [
                os.path.normpath(os.path.join(rel, line.strip()))
                for line in installed.splitlines()
                if line.strip()
            ]
    return Distribution(
        name=name,
        canonical_name=canonicalize_name(name),
        version=version,
        location=location,
        metadata_dir=path,
        metadata_kind="egg-info",
        requires_dist=requires,
        requires_python=headers.get("Requires-Python"),
        files=files,
    )


def requires_from_requires_txt(text: str) -> List[str]:
    """Turn setuptools' requires.txt (`[extra:marker]` sections) into Requires-Dist strings."""
    result: List[str] = []
    extra, marker = "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})")
        if extra:
            conditions.append(f'extra == "{extra}"')
        result.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return result
