"""Keep every file of the distributions a plan touches, so rollback needs no network.

Re-downloading old versions is not a rollback: the index may be unreachable, the release yanked,
the wheel rebuilt. Like pip during an upgrade, the snapshot keeps the removed files themselves: each
file listed in a touched distribution's RECORD (plus its dist-info folder and bytecode caches) is
hard-linked into the transaction's stash (copied across file systems), with its sha256 and mode.
Hard links are safe here because installers replace files (unlink, then write), never edit in place;
the hashes prove it at restore time.

`restore` is idempotent: run it again after an interrupted rollback and it converges.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from keras_doctor.apply.inventory import (
    InstalledDist,
    TargetInfo,
    read_site,
    versions,
    with_pyc_companions,
    within,
)

MANIFEST = "snapshot.json"
STASH = "stash"
_WORKERS = min(8, (os.cpu_count() or 1))


class SnapshotError(RuntimeError):
    pass


def take(target: TargetInfo, names: List[str], folder: Path) -> Dict[str, Any]:
    """Stash the files of every installed distribution in `names`; write and return the manifest."""
    dists = read_site(target.site_dirs)
    touched = set(names)
    stash = folder / STASH
    stash.mkdir(exist_ok=True)
    paths: Dict[str, None] = {}
    kept = []
    for dist in dists:
        if dist.name not in touched:
            continue
        if not dist.has_record:
            raise SnapshotError(
                f"{dist.name} {dist.version} has no RECORD file, so its files cannot be kept for "
                f"rollback ({dist.dist_info})")
        for path in _dist_paths(dist):
            if within(path, _roots(target)):
                paths.setdefault(path, None)
        kept.append({"name": dist.name, "version": dist.version, "dist_info": dist.dist_info})
    ordered = list(paths)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:  # hashing releases the GIL
        entries = pool.map(lambda item: _stash_one(item[1], stash, item[0]), enumerate(ordered))
        files = {path: entry for path, entry in zip(ordered, entries) if entry is not None}
    manifest = {
        "prefix": target.prefix,
        "site_dirs": target.site_dirs,
        "before": versions(dists),
        "before_dist_infos": sorted(d.dist_info for d in dists),
        "touched": sorted(touched),
        "dists": kept,
        "files": files,
    }
    _write_json(folder / MANIFEST, manifest)
    return manifest


def load(folder: Path) -> Dict[str, Any]:
    manifest: Dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    return manifest


def restore(manifest: Dict[str, Any], folder: Path) -> List[str]:
    """Put the touched distributions back exactly as snapshotted; return what could not be."""
    roots = [*manifest["site_dirs"], manifest["prefix"]]
    touched = set(manifest["touched"])
    before_infos = set(manifest["before_dist_infos"])
    stashed: Dict[str, Dict[str, Any]] = manifest["files"]
    current = read_site(manifest["site_dirs"])
    leaving = [d for d in current if d.name in touched or d.dist_info not in before_infos]
    protected: Set[str] = set()
    for dist in current:
        if dist not in leaving:
            protected.update(dist.files)
    removed_parents: Set[str] = set()
    for dist in leaving:
        for path in _dist_paths(dist):
            if path in protected or path in stashed or not within(path, roots):
                continue
            if os.path.lexists(path) and not os.path.isdir(path):
                os.remove(path)
                removed_parents.add(os.path.dirname(path))
        shutil.rmtree(dist.dist_info, ignore_errors=True)
    stash = folder / STASH
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        outcomes = pool.map(lambda item: _put_back(item[0], item[1], stash), stashed.items())
        problems = [problem for problem in outcomes if problem]
    _remove_empty_dirs(removed_parents, roots)
    after = versions(read_site(manifest["site_dirs"], with_files=False))
    if after != manifest["before"]:
        changed = sorted(
            n for n in set(after) | set(manifest["before"])
            if after.get(n) != manifest["before"].get(n))
        problems.append("distributions differ from the snapshot after restore: " + ", ".join(
            f"{n} {manifest['before'].get(n)} -> {after.get(n)}" for n in changed))
    return problems


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _roots(target: TargetInfo) -> List[str]:
    return [*target.site_dirs, target.prefix]


def _dist_paths(dist: InstalledDist) -> List[str]:
    paths = with_pyc_companions(dist.files)
    for dirpath, _dirs, names in os.walk(dist.dist_info):
        paths.extend(os.path.normpath(os.path.join(dirpath, n)) for n in names)
    return list(dict.fromkeys(paths))


def _stash_one(path: str, stash: Path, index: int) -> Optional[Dict[str, Any]]:
    if os.path.islink(path):
        return {"symlink": os.readlink(path)}
    if not os.path.isfile(path):
        return None  # listed in RECORD but absent (a removed .pyc): nothing to bring back
    kept = stash / f"{index:07d}"
    try:
        os.link(path, kept)
    except OSError:
        shutil.copy2(path, kept)
    info = os.stat(kept)
    return {"stash": kept.name, "sha256": sha256_file(str(kept)), "mode": info.st_mode & 0o7777,
            "stamp": _stamp(info)}


def _put_back(path: str, entry: Dict[str, Any], stash: Path) -> Optional[str]:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if "symlink" in entry:
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(entry["symlink"], path)
        return None
    kept = stash / entry["stash"]
    if not kept.exists():
        return f"{path}: its stashed copy is missing"
    linked = os.path.exists(path) and os.path.samefile(path, kept)
    if not linked:
        if os.path.lexists(path):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
        try:
            os.link(kept, path)
            linked = True
        except OSError:
            shutil.copy2(kept, path)
        os.chmod(path, entry["mode"])
    # The stash's own inode, untouched since the snapshot (same size, same mtime): its content is
    # the hashed one. Anything else, a copy or an inode written to in place, is hashed again.
    if linked and _stamp(os.stat(path)) == entry.get("stamp"):
        return None
    if sha256_file(path) != entry["sha256"]:
        return f"{path}: content differs from the snapshot (sha256)"
    return None


def _stamp(info: os.stat_result) -> List[int]:
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def _remove_empty_dirs(folders: Set[str], roots: List[str]) -> None:
    stop = {os.path.realpath(r) for r in roots}
    for folder in sorted(folders, key=lambda p: -p.count(os.sep)):
        current = folder
        while within(current, roots) and os.path.realpath(current) not in stop:
            pycache = os.path.join(current, "__pycache__")
            if os.path.isdir(pycache) and not os.listdir(pycache):
                os.rmdir(pycache)
            try:
                os.rmdir(current)
            except OSError:
                break
            current = os.path.dirname(current)


def _write_json(path: Path, data: Dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
