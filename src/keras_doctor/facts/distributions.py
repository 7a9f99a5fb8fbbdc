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
from packaging.version import InvalidVersion, Version

from keras_doctor.facts.bounded_read import METADATA_LIMIT, loads_json, read_regular_file
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
        except (OSError, ValueError):  # ValueError: a NUL byte, which no folder can have
            continue
        if real in seen or not os.path.isdir(real):
            continue
        seen.add(real)
        result.append(path)
    return result


def scan(site_dirs: Iterable[str], notes: Optional[List[str]] = None,
         ) -> Tuple[List[Distribution], List[Leftover]]:
    """Every distribution and install leftover in `site_dirs`. What could be read only in part
    (a RECORD line no installer writes, a RECORD that is a FIFO) is added to `notes`."""
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
            elif name.endswith((".dist-info", ".egg-info")):
                distributions.append(_read_one(path, location, notes))
    return distributions, leftovers


def _read_one(path: str, location: str, notes: Optional[List[str]]) -> Distribution:
    kind = "dist-info" if path.endswith(".dist-info") else "egg-info"
    try:
        if kind == "dist-info":
            return read_dist_info(path, location, notes)
        return read_egg_info(path, location, notes)
    except Exception as exc:  # one distribution's odd metadata must not hide all the others
        return _broken(path, location, kind, f"unreadable metadata: {type(exc).__name__}: {exc}")


class _Unreadable(Exception):
    """A metadata file that exists but cannot be read; the message says why."""


def _read_text(path: str) -> Optional[str]:
    """The file's text; None when it does not exist; _Unreadable when it cannot be read."""
    try:
        return read_regular_file(path, METADATA_LIMIT).decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        if not os.path.lexists(path):
            return None  # a dangling symlink, or a folder above that is missing
        raise _Unreadable(f"{os.path.basename(path)} is {_reason(exc)}") from exc


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text if text.startswith(("a ", "not ", "larger ")) else f"unreadable ({text})"


def _read_optional(path: str, notes: Optional[List[str]]) -> Optional[str]:
    """A file the checks can do without: when it cannot be read, say so in `notes`."""
    try:
        return _read_text(path)
    except _Unreadable as exc:
        if notes is not None:
            notes.append(f"could not read {path}: {exc}")
        return None


_WANTED = frozenset(("name", "version", "requires-dist", "requires-python", "tag"))


class Headers:
    """The wanted header fields of a core-metadata (or WHEEL) file: first value, or all values."""

    def __init__(self, text: str):
        # Each value is gathered as its parts and joined once: appending to a string per folded
        # line is quadratic, and a crafted METADATA of a million continuation lines never ends.
        parts: Dict[str, List[List[str]]] = {}
        head = text.replace("\r\n", "\n").partition("\n\n")[0]
        current: Optional[List[str]] = None
        for line in head.split("\n"):
            if line[:1] in (" ", "\t"):
                if current is not None:
                    current.append(line.strip())  # a folded continuation
                continue
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if sep and key in _WANTED:
                current = [value.strip()]
                parts.setdefault(key, []).append(current)
            else:
                current = None
        self._fields: Dict[str, List[str]] = {
            key: [" ".join(value) for value in values] for key, values in parts.items()
        }

    # Fields are looked up by their lower-case names: header names are case-insensitive.
    def get(self, key: str) -> Optional[str]:
        values = self._fields.get(key)
        return values[0] if values else None

    def get_all(self, key: str) -> List[str]:
        return list(self._fields.get(key, ()))


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


def _version_error(version: str, source: str) -> Optional[str]:
    """Why `version` cannot be used: checks compare versions, so one that is not PEP 440 would
    silently hide the distribution from every check that asks how new it is."""
    try:
        Version(version)
    except InvalidVersion:
        return f"{source} Version {version!r} is not a valid version (PEP 440)"
    return None


def read_dist_info(path: str, location: str, notes: Optional[List[str]] = None) -> Distribution:
    try:
        text = _read_text(os.path.join(path, "METADATA"))
    except _Unreadable as exc:
        return _broken(path, location, "dist-info", str(exc))
    if text is None:
        return _broken(path, location, "dist-info", "METADATA is missing or unreadable")
    headers = _headers(text)
    name, version = headers.get("name"), headers.get("version")
    if not name or not version:
        return _broken(path, location, "dist-info", "METADATA has no Name or Version")
    installer = _read_optional(os.path.join(path, "INSTALLER"), notes)
    wheel = _read_optional(os.path.join(path, "WHEEL"), notes)
    direct_url = _read_optional(os.path.join(path, "direct_url.json"), notes) or ""
    return Distribution(
        name=name,
        canonical_name=canonicalize_name(name),
        version=version,
        location=location,
        metadata_dir=path,
        metadata_kind="dist-info",
        requires_dist=headers.get_all("requires-dist"),
        requires_python=headers.get("requires-python"),
        installer=installer.strip() if installer else None,
        wheel_tags=_headers(wheel).get_all("tag") if wheel else [],
        files=read_record(os.path.join(path, "RECORD"), notes),
        editable=_installed_editable(direct_url),
        error=_version_error(version, "METADATA"),
    )


def _installed_editable(direct_url: str) -> bool:
    """Whether direct_url.json (PEP 610) says the project was installed in editable mode; a file
    that is not that document (cut short, another shape) says nothing."""
    try:
        return loads_json(direct_url)["dir_info"]["editable"] is True
    except (ValueError, LookupError, TypeError):
        return False


def read_record(path: str, notes: Optional[List[str]] = None) -> Optional[List[str]]:
    """The paths a RECORD lists. Its last two fields (hash, size) never hold a comma, so a line
    without quotes splits from the right; quoted paths go through the csv module. A line the csv
    module refuses (longer than its field limit: no real path is) is left out and noted."""
    text = _read_optional(path, notes)
    if text is None:
        return None
    paths: List[str] = []
    skipped: List[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        if '"' not in line:
            paths.append(line.rsplit(",", 2)[0])
            continue
        try:
            row = next(csv.reader([line]))  # one line that is not empty: always one row
        except csv.Error as exc:
            skipped.append(f"line {number} ({exc})")
            continue
        if row[0]:
            paths.append(row[0])
    if skipped and notes is not None:
        more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        shown = ", ".join(skipped[:3]) + more
        notes.append(f"could not read every line of {path}: {shown}")
    return paths


def installed_files(dist: Distribution) -> Optional[List[str]]:
    """The absolute, normalised paths of the files `dist`'s RECORD (or installed-files.txt) lists;
    None when it has no such list. Not checked against anything: a hostile RECORD can name
    `../../x` or an absolute path, and callers that write decide what to do with those."""
    if dist.files is None:
        return None
    return [os.path.normpath(os.path.join(dist.location, rel)) for rel in dist.files]


def read_egg_info(path: str, location: str, notes: Optional[List[str]] = None) -> Distribution:
    is_dir = os.path.isdir(path)
    try:
        text = _read_text(os.path.join(path, "PKG-INFO") if is_dir else path)
    except _Unreadable as exc:
        return _broken(path, location, "egg-info", str(exc))
    if text is None:
        return _broken(path, location, "egg-info", "PKG-INFO is missing or unreadable")
    headers = _headers(text)
    name, version = headers.get("name"), headers.get("version")
    if not name or not version:
        return _broken(path, location, "egg-info", "PKG-INFO has no Name or Version")
    requires: List[str] = []
    files: Optional[List[str]] = None
    if is_dir:
        requires = requires_from_requires_txt(
            _read_optional(os.path.join(path, "requires.txt"), notes) or "")
        installed = _read_optional(os.path.join(path, "installed-files.txt"), notes)
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
        requires_python=headers.get("requires-python"),
        files=files,
        error=_version_error(version, "PKG-INFO"),
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
