"""Keep every file the plan may change, so rollback needs no network and misses nothing.

Re-downloading old versions is not a rollback: the index may be unreachable, the release yanked,
the wheel rebuilt. Like pip during an upgrade, the snapshot keeps the files themselves, hard-linked
into the transaction's stash (copied across file systems), with their sha256 and mode. Hard links
are safe because installers replace files (unlink, then write), never edit in place; the hashes
prove it at restore time.

What is kept is decided per top-level entry of site-packages, not per RECORD line: each folder (or
file) that a touched distribution owns (`numpy/`, `numpy.libs/`, `numpy-2.1.3.dist-info/`) is kept
whole, every file in it, listed or not. An installer killed half-way leaves files that no RECORD
lists yet (pip unpacks before it writes RECORD), and restore must remove those too; so restore
makes each kept tree equal to the snapshot, and removes every top-level entry that appeared since
(pip's `~umpy` stash, a new version's folders, an installer's temporary folder).

Two phases, so that a refusal changes nothing: `survey` only reads (an unreadable folder, a special
file, a read-only folder, a RECORD naming a path outside the environment, a package folder linked
outside it are refused here, before the journal is begun), and `take` then stashes what it found.

`restore` works on one folder at a time, in one thread, never following a link: a folder that has
become a link is replaced by a real folder, not written through. Run again after an interruption, it
converges to the same state.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from keras_doctor.apply.environment import (
    Target,
    inside,
    installed,
    real_parent_inside,
    versions,
)
from keras_doctor.facts.distributions import installed_files

MANIFEST = "snapshot.json"
STASH = "stash"
FORMAT = 2
_WORKERS = min(8, (os.cpu_count() or 1))


class SnapshotError(RuntimeError):
    pass


@dataclass
class Survey:
    """What the snapshot will keep, read without changing anything."""

    target: Target
    touched: List[str]
    before: Dict[str, List[str]]
    before_metadata: List[str]
    trees: Dict[str, str] = field(default_factory=dict)  # top-level entry -> file | dir | symlink
    dirs: Dict[str, int] = field(default_factory=dict)  # every folder inside the trees -> mode
    links: Dict[str, str] = field(default_factory=dict)  # every symlink kept -> its target
    files: List[str] = field(default_factory=list)  # every regular file kept
    listings: Dict[str, List[str]] = field(default_factory=dict)  # watched folder -> its entries


def survey(target: Target, names: List[str]) -> Survey:
    """Find every file to keep; raise SnapshotError for anything that would make restore inexact."""
    roots = target.roots
    if not target.site_dirs:
        raise SnapshotError(f"{target.python} reports no site-packages folder")
    notes: List[str] = []
    try:
        dists, _leftovers = installed(target.site_dirs, notes)
    except Exception as exc:  # a hostile file in site-packages must end in a refusal, not a crash
        raise SnapshotError(f"cannot read the installed distributions: "
                            f"{type(exc).__name__}: {exc}") from exc
    touched = set(names)
    found = Survey(target=target, touched=sorted(touched), before=versions(dists),
                   before_metadata=sorted(d.metadata_dir for d in dists))
    loose: Dict[str, None] = {}
    for dist in dists:
        if dist.canonical_name not in touched:
            continue
        label = f"{dist.name} {dist.version}"
        files = installed_files(dist)
        if dist.error or files is None:
            raise SnapshotError(
                f"{label} has no readable file list ({dist.error or 'no RECORD'} in "
                f"{dist.metadata_dir}), so its files cannot be kept for rollback")
        partial = [n for n in notes if dist.metadata_dir + os.sep in n]
        if partial:
            raise SnapshotError(f"{label}: {partial[0]}, so its files cannot all be kept for "
                                "rollback")
        for path in [*files, os.path.normpath(dist.metadata_dir)]:
            if path in roots or not inside(path, roots):
                raise SnapshotError(
                    f"{label}: its RECORD names {path}, outside the environment {target.prefix}; "
                    "the doctor will not change files there")
            site = _site_of(path, target.site_dirs)
            if site is None:
                if not real_parent_inside(path, roots):
                    raise SnapshotError(f"{label}: {path} lies in a folder linked outside the "
                                        f"environment {target.prefix}; the doctor will not "
                                        "change files there")
                loose[path] = None  # a script in bin/, a header in include/
            else:
                top = os.path.join(site, os.path.relpath(path, site).split(os.sep)[0])
                found.trees[top] = ""
    for top in sorted(found.trees):
        found.trees[top] = _walk(top, found)
    for path in loose:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue  # listed but absent: nothing to bring back
        except OSError as exc:
            raise SnapshotError(f"cannot read {path}: {exc.strerror}") from exc
        _keep_entry(path, info, found)
    watched = [*_changed_site_dirs(target, found.trees),
               *sorted({os.path.dirname(p) for p in loose})]
    for folder in watched:
        if not os.access(folder, os.W_OK):
            raise SnapshotError(f"{folder} is read-only for this user, so nothing in it can be "
                                "changed (or restored); the doctor never uses sudo")
        try:
            found.listings[folder] = sorted(os.listdir(folder))
        except OSError as exc:
            raise SnapshotError(f"cannot list {folder}: {exc.strerror}") from exc
    return found


def take(found: Survey, folder: Path) -> Dict[str, Any]:
    """Stash every surveyed file into `folder`; write and return the manifest."""
    stash = folder / STASH
    stash.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:  # hashing releases the GIL
        entries = list(pool.map(lambda item: _stash_one(item[1], stash, item[0]),
                                enumerate(found.files)))
    files: Dict[str, Dict[str, Any]] = dict(zip(found.files, entries))
    files.update({path: {"symlink": target} for path, target in found.links.items()})
    manifest = {
        "format": FORMAT,
        "prefix": found.target.prefix,
        "site_dirs": found.target.site_dirs,
        "before": found.before,
        "before_metadata": found.before_metadata,
        "touched": found.touched,
        "trees": found.trees,
        "dirs": found.dirs,
        "files": files,
        "listings": found.listings,
    }
    _write_json(folder / MANIFEST, manifest)
    return manifest


def load(folder: Path) -> Dict[str, Any]:
    manifest: Dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    return manifest


def restore(manifest: Dict[str, Any], folder: Path) -> List[str]:
    """Make every kept tree and file equal to the snapshot; return what could not be."""
    if manifest.get("format") != FORMAT:
        return ["this snapshot was written by another version of keras-doctor; restore it with "
                "that version"]
    prefix: str = manifest["prefix"]
    site_dirs: List[str] = manifest["site_dirs"]
    roots = [*site_dirs, prefix]
    for root in roots:
        if os.path.realpath(root) != root or not os.path.isdir(root):
            return [f"{root} is no longer the folder the snapshot was taken from (moved, removed "
                    "or replaced by a link); nothing was restored"]
    problems: List[str] = []
    leftovers = _files_added_outside_trees(manifest, roots, problems)
    for watched, names in manifest["listings"].items():
        if not _real_folder_inside(watched, roots):
            problems.append(f"{watched}: now a link or missing; not restored")
            continue
        for name in sorted(set(_listdir(watched, problems)) - set(names)):
            _remove(os.path.join(watched, name), problems)  # appeared during the transaction
    trees: Dict[str, str] = manifest["trees"]
    by_tree: Dict[str, List[str]] = {top: [] for top in trees}
    loose: List[str] = []
    for path in manifest["files"]:
        top = _tree_of(path, site_dirs)
        by_tree.get(top or "", loose).append(path)
    stash = folder / STASH
    for top, kind in trees.items():
        _reset_tree(top, kind, manifest, by_tree[top], stash, problems)
    for path in leftovers:
        _remove(path, problems)
    _remove_empty_parents(leftovers, roots)
    for path in loose:
        if _real_folder_inside(os.path.dirname(path), roots):
            _note(problems, _put_back(path, manifest["files"][path], stash))
        else:
            problems.append(f"{os.path.dirname(path)}: now a link or missing; {path} not restored")
    try:
        after = versions(installed(site_dirs)[0])
    except Exception as exc:
        problems.append(f"cannot read the distributions after restore: {exc}")
        return problems
    before: Dict[str, List[str]] = manifest["before"]
    if after != before:
        changed = sorted(n for n in set(after) | set(before) if after.get(n) != before.get(n))
        problems.append("distributions differ from the snapshot after restore: " + "; ".join(
            f"{n} {_listed(before.get(n))} -> {_listed(after.get(n))}" for n in changed))
    return problems


def _listed(versions: Optional[List[str]]) -> str:
    """`1.0`, or `1.0 and 2.0` for a broken environment holding both, or `none`."""
    return " and ".join(versions) if versions else "none"


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- survey ---------------------------------------------------------------------------------------

def _site_of(path: str, site_dirs: List[str]) -> Optional[str]:
    matches = [s for s in site_dirs if path.startswith(s.rstrip(os.sep) + os.sep)]
    # nested folders: the innermost, which starts with every other match, so sorts after it
    return max(matches) if matches else None


def _changed_site_dirs(target: Target, trees: Dict[str, str]) -> List[str]:
    """The site folders a fix can change: the environment's own, and any holding a touched
    distribution. A base interpreter's site-packages that a venv merely sees (system site
    packages) is neither, so that it may be read-only."""
    own = [d for d in target.site_dirs
           if inside(d, [target.prefix]) or any(_site_of(t, [d]) for t in trees)]
    return own or list(target.site_dirs)


def _walk(top: str, found: Survey) -> str:
    try:
        info = os.lstat(top)
    except FileNotFoundError:
        return "absent"
    except OSError as exc:
        raise SnapshotError(f"cannot read {top}: {exc.strerror}") from exc
    if stat.S_ISLNK(info.st_mode):
        real = os.path.realpath(top)
        if not inside(real, found.target.roots):
            raise SnapshotError(f"{top} is a link to {real}, outside the environment; the doctor "
                                "will not change files there")
        found.links[top] = os.readlink(top)
        return "symlink"
    if not stat.S_ISDIR(info.st_mode):
        _keep_entry(top, info, found)
        return "file"
    pending = [top]
    while pending:
        current = pending.pop()
        if not os.access(current, os.R_OK | os.W_OK | os.X_OK):
            raise SnapshotError(f"{current} cannot be read or changed by this user (left by "
                                "`sudo pip`?), so it could not be restored: fix its permissions "
                                "first")
        found.dirs[current] = stat.S_IMODE(os.lstat(current).st_mode)
        try:
            with os.scandir(current) as entries:
                children = [(e.path, e.stat(follow_symlinks=False)) for e in entries]
        except OSError as exc:
            raise SnapshotError(f"cannot read {current}: {exc.strerror}") from exc
        for path, child in children:
            if stat.S_ISDIR(child.st_mode):
                pending.append(path)
            else:
                _keep_entry(path, child, found)
    return "dir"


def _keep_entry(path: str, info: os.stat_result, found: Survey) -> None:
    if stat.S_ISLNK(info.st_mode):
        real = os.path.realpath(path)
        if not inside(real, found.target.roots):
            raise SnapshotError(f"{path} is a link to {real}, outside the environment; an "
                                "installer would write through it, so the doctor refuses")
        found.links[path] = os.readlink(path)
    elif stat.S_ISREG(info.st_mode):
        if not os.access(path, os.R_OK):
            raise SnapshotError(f"{path} cannot be read by this user, so it could not be "
                                "restored")
        found.files.append(path)
    else:
        raise SnapshotError(f"{path} is not a regular file, folder or link; the doctor will not "
                            "change a folder that holds it")


def _stash_one(path: str, stash: Path, index: int) -> Dict[str, Any]:
    kept = stash / f"{index:07d}"
    try:
        # macOS's link(2) follows a link, Linux's never does: no test on Linux can tell
        os.link(path, kept, follow_symlinks=False)  # pragma: no mutate
    except OSError:
        try:
            shutil.copy2(path, kept, follow_symlinks=False)
        except OSError as exc:
            raise SnapshotError(f"cannot keep {path}: {exc.strerror or exc}") from exc
    info = os.lstat(kept)
    if not stat.S_ISREG(info.st_mode):  # replaced since the survey: kept as it is, never followed
        raise SnapshotError(f"cannot keep {path}: it is no longer a regular file (changed since "
                            "the survey)")
    return {"stash": kept.name, "sha256": sha256_file(str(kept)), "mode": info.st_mode & 0o7777,
            "stamp": _stamp(info)}


# -- restore --------------------------------------------------------------------------------------

def _files_added_outside_trees(manifest: Dict[str, Any], roots: List[str],
                               problems: List[str]) -> List[str]:
    """Files that distributions installed or changed by the transaction list outside the kept trees
    (a script in bin/, a file of a new distribution in a shared folder), read before restore
    removes their metadata. Nothing outside the environment, nothing another distribution lists."""
    try:
        current, _ = installed(manifest["site_dirs"])
    except Exception as exc:
        problems.append(f"cannot read the current distributions: {exc}")
        return []
    touched = set(manifest["touched"])
    before = set(manifest["before_metadata"])
    leaving = [d for d in current if d.canonical_name in touched or d.metadata_dir not in before]
    protected: Set[str] = set()
    for dist in current:
        if dist not in leaving:
            protected.update(installed_files(dist) or ())
    found = []
    for dist in leaving:
        for path in installed_files(dist) or ():
            if (path in protected or path in manifest["files"] or path in roots
                    or _tree_of(path, manifest["site_dirs"]) in manifest["trees"]
                    or not inside(path, roots) or not real_parent_inside(path, roots)):
                continue
            if os.path.lexists(path) and not os.path.isdir(path):
                found.append(path)
    return found


def _tree_of(path: str, site_dirs: List[str]) -> Optional[str]:
    site = _site_of(path, site_dirs)
    if site is None:
        return None
    return os.path.join(site, os.path.relpath(path, site).split(os.sep)[0])


def _reset_tree(top: str, kind: str, manifest: Dict[str, Any], paths: List[str], stash: Path,
                problems: List[str]) -> None:
    files: Dict[str, Dict[str, Any]] = manifest["files"]
    try:
        if kind == "absent":
            _remove(top, problems)
            return
        if kind in ("file", "symlink"):
            if os.path.isdir(top) and not os.path.islink(top):
                _remove(top, problems)
            _note(problems, _put_back(top, files[top], stash))
            return
        if os.path.lexists(top) and (os.path.islink(top) or not os.path.isdir(top)):
            os.unlink(top)  # a link where the folder was: replaced, never followed
        if not os.path.lexists(top):
            os.mkdir(top, manifest["dirs"][top])
        dirs: Dict[str, int] = manifest["dirs"]
        _prune(top, dirs, files, problems)
        for folder in sorted((d for d in dirs if d.startswith(top + os.sep)),
                             key=lambda d: d.count(os.sep)):
            if os.path.lexists(folder) and (os.path.islink(folder) or not os.path.isdir(folder)):
                os.unlink(folder)
            if not os.path.lexists(folder):
                os.mkdir(folder, dirs[folder])
        for path in paths:
            _note(problems, _put_back(path, files[path], stash))
    except OSError as exc:
        problems.append(f"{top}: {exc}")


def _prune(folder: str, dirs: Dict[str, int], files: Dict[str, Dict[str, Any]],
           problems: List[str]) -> None:
    """Remove from `folder` (recursively, links never followed) everything the snapshot lacks."""
    for path, is_dir, is_link in _entries(folder, problems):
        if is_dir:
            if path in dirs:
                _prune(path, dirs, files, problems)
            else:
                _remove(path, problems)
            continue
        entry = files.get(path)
        if entry is None or ("symlink" in entry) != is_link:
            _remove(path, problems)


def _entries(folder: str, problems: List[str]) -> List[Tuple[str, bool, bool]]:
    try:
        with os.scandir(folder) as it:
            return [(e.path, e.is_dir() and not e.is_symlink(), e.is_symlink()) for e in it]
    except OSError as exc:
        problems.append(f"cannot read {folder}: {exc.strerror}")
        return []


def _listdir(folder: str, problems: List[str]) -> List[str]:
    try:
        return os.listdir(folder)
    except OSError as exc:
        problems.append(f"cannot list {folder}: {exc.strerror}")
        return []


def _remove(path: str, problems: List[str]) -> None:
    if not os.path.isabs(path):
        # every path restore removes is built from the environment's absolute folders; a relative
        # one means a bug upstream, and would delete from whatever folder fix was started in
        problems.append(f"refused to remove {path}: not an absolute path")
        return
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)  # never follows links inside
        elif os.path.lexists(path):
            os.unlink(path)
    except OSError as exc:
        problems.append(f"cannot remove {path}: {exc.strerror or exc}")


def _real_folder_inside(folder: str, roots: List[str]) -> bool:
    return os.path.isdir(folder) and os.path.realpath(folder) == folder and inside(folder, roots)


def _put_back(path: str, entry: Dict[str, Any], stash: Path) -> Optional[str]:
    if "symlink" in entry:
        if os.path.islink(path) and os.readlink(path) == entry["symlink"]:
            return None
        if os.path.lexists(path):
            os.unlink(path)
        os.symlink(entry["symlink"], path)
        return None
    kept = stash / entry["stash"]
    if not kept.exists():
        return f"{path}: its stashed copy is missing"
    linked = False
    if os.path.lexists(path):
        info = os.lstat(path)
        linked = stat.S_ISREG(info.st_mode) and os.path.samefile(path, kept)
        if not linked:
            os.unlink(path)
    if not linked:
        try:
            os.link(kept, path)
            linked = True
        except OSError:
            shutil.copy2(kept, path)
        os.chmod(path, entry["mode"])
    # The stash's own inode, untouched since the snapshot (same size, same mtime): its content is
    # the hashed one. Anything else, a copy or an inode written to in place, is hashed again.
    if linked and _stamp(os.stat(path)) == entry["stamp"]:
        return None
    if sha256_file(path) != entry["sha256"]:
        return f"{path}: content differs from the snapshot (sha256)"
    return None


def _note(problems: List[str], problem: Optional[str]) -> None:
    if problem:
        problems.append(problem)


def _stamp(info: os.stat_result) -> List[int]:
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def _remove_empty_parents(paths: List[str], roots: List[str]) -> None:
    stop = set(roots)
    # In any order: a folder still holding another's leftovers goes when that one climbs past it.
    for folder in sorted({os.path.dirname(p) for p in paths}):
        current = folder
        while current not in stop and _real_folder_inside(current, roots):
            pycache = os.path.join(current, "__pycache__")
            try:
                if os.path.isdir(pycache) and not os.listdir(pycache):
                    os.rmdir(pycache)
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
