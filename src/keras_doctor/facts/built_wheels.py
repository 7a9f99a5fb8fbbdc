"""The wheels pip and uv built from source on this machine and keep for reuse, with the CPUs (and
macOS releases) their native files were built for.

Why: an installer reuses a wheel it built once without ever looking inside it. pip keeps each wheel
it builds from an sdist at `<pip cache>/wheels/<2>/<2>/<2>/<rest of a sha224>/NAME-VER-TAGS.whl`
(pip's src/pip/_internal/cache.py: `SimpleWheelCache.get_path_for_link` and
`Cache._get_cache_path_parts`, whose key is the sdist's URL with the interpreter's name and X.Y,
not its CPU) and reuses one whenever its file name's tags are supported (`SimpleWheelCache.get`:
`wheel.supported(supported_tags)`). uv keeps the wheels it builds under
`<uv cache>/sdists-v*/{pypi,index,url,path,git}/…/<revision>/NAME-VER-TAGS.whl` (uv-cache's
`CacheBucket::SourceDistributions`; `built-wheels-v*` in early uv), beside the unpacked source in
`src/`, and picks them by tags too. So a wheel built under Rosetta, or with `ARCHFLAGS` naming one
CPU, by a universal2 Python keeps its `universal2` tag while its binary holds one slice, and every
later `pip install` on the other CPU installs it again and the import fails.

Only the wheels of the packages keras-doctor judges are read, newest first and at most
`MAX_WHEELS`, each only as far as its zip directory and the first bytes of at most
`MAX_BINARIES_PER_WHEEL` native members (decompressed in memory, never extracted); the walk visits
at most `MAX_WALKED_ENTRIES` folder entries, enters uv's registry folders of judged names only, and
never its unpacked sources or editable builds. A listing cut short says so
(`built_wheels_complete`).
"""

from __future__ import annotations

import os
import re
import stat
from typing import TYPE_CHECKING, List, Optional, Tuple

from keras_doctor.facts.binaries import is_binary_name
from keras_doctor.facts.binfmt import HEAD_SIZE, Header, parse_header
from keras_doctor.facts.model import Binary, CachedWheel

if TYPE_CHECKING:
    import zipfile

# The stack whose locally built wheels break TensorFlow and Keras imports (canonical names); any
# name starting with "tensorflow" or "tf-" counts too (tensorflow-io-gcs-filesystem, tf-nightly).
JUDGED = frozenset({
    "keras", "tf-keras", "keras-nightly", "h5py", "numpy", "grpcio", "ml-dtypes", "protobuf",
    "scipy", "wrapt", "jax", "jaxlib", "dm-tree", "optree", "opt-einsum",
})
MAX_WHEELS = 64
MAX_BINARIES_PER_WHEEL = 8
MAX_WALKED_ENTRIES = 50_000
# Deeper than any wheel in either layout (pip: wheels/ab/cd/ef/<rest>/x.whl; uv:
# sdists-vN/pypi/<name>/<version>/<revision>/x.whl).
MAX_DEPTH = 6
# A fat Mach-O's later slice starts past its earlier ones: read no further into a member than this.
MAX_MEMBER_BYTES = 16 << 20
_UV_BUCKET = re.compile(r"(?:sdists|built-wheels)-v\d+")


def judged(canonical: str) -> bool:
    return canonical in JUDGED or canonical.startswith(("tensorflow", "tf-"))


def read_built_wheels(pip_cache: Optional[str],
                      uv_cache: Optional[str]) -> Tuple[List[CachedWheel], bool]:
    """The built wheels of the judged packages in both caches, newest first, and whether the
    listing is complete."""
    budget = [MAX_WALKED_ENTRIES]
    found: List[Tuple[float, str, str]] = []  # (mtime, tool, path)
    if pip_cache:
        found += [(m, "pip", p) for m, p in _wheel_files(os.path.join(pip_cache, "wheels"), budget)]
    if uv_cache:
        for bucket in _listdir(uv_cache):
            if _UV_BUCKET.fullmatch(bucket):
                for root in _uv_roots(os.path.join(uv_cache, bucket)):
                    found += [(m, "uv", p) for m, p in _wheel_files(root, budget)]
    complete = budget[0] > 0 and len(found) <= MAX_WHEELS
    found.sort(key=lambda item: (-item[0], item[2]))
    return [_read_wheel(tool, path) for _, tool, path in found[:MAX_WHEELS]], complete


def _uv_roots(bucket: str) -> List[str]:
    """The folders of a uv bucket that can hold a judged project's wheels: registry builds sit
    under `pypi/<name>/` and `index/<index>/<name>/`, so only judged names are entered; builds of
    URLs, paths and git checkouts are walked whole; editable builds (the user's own projects,
    never what `pip install NAME` reuses) are not."""
    roots: List[str] = []
    for kind in _listdir(bucket):
        folder = os.path.join(bucket, kind)
        if kind == "pypi":
            roots += [os.path.join(folder, n) for n in _listdir(folder) if judged(_canonical(n))]
        elif kind == "index":
            for index in _listdir(folder):
                inner = os.path.join(folder, index)
                roots += [os.path.join(inner, n) for n in _listdir(inner)
                          if judged(_canonical(n))]
        elif kind != "editable" and os.path.isdir(folder):
            roots.append(folder)
    return roots


def _listdir(folder: str) -> List[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _wheel_files(root: str, budget: List[int]) -> List[Tuple[float, str]]:
    """(mtime, path) of the judged `.whl` files under `root`, spending budget[0] on entries."""
    out: List[Tuple[float, str]] = []
    stack = [(root, 0)]
    while stack and budget[0] > 0:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    budget[0] -= 1
                    if budget[0] <= 0:
                        return out
                    if entry.is_dir(follow_symlinks=False):
                        # uv's unpacked source trees hold no cached wheel
                        if depth < MAX_DEPTH and entry.name != "src":
                            stack.append((entry.path, depth + 1))
                        continue
                    if not entry.name.endswith(".whl") or \
                            not judged(_canonical(entry.name.split("-", 1)[0])):
                        continue
                    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

                    try:
                        name = parse_wheel_filename(entry.name)[0]
                        info = entry.stat(follow_symlinks=False)
                    except (InvalidWheelFilename, OSError):
                        continue
                    if judged(name) and stat.S_ISREG(info.st_mode):
                        out.append((info.st_mtime, entry.path))
        except OSError:
            continue
    return out


def _canonical(name: str) -> str:
    """A project name's canonical form, cheaply (most cached wheels are of other projects: they
    are never parsed)."""
    return name.lower().replace("_", "-").replace(".", "-")


def _read_wheel(tool: str, path: str) -> CachedWheel:
    import zipfile  # only when a judged wheel is cached: `check` mostly finds none

    from packaging.utils import canonicalize_name

    stem = os.path.basename(path)[: -len(".whl")]
    name, version, *rest = stem.split("-")
    wheel = CachedWheel(tool=tool, path=path, name=name, version=version,
                        tags="-".join(rest[-3:]))
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist()
                       if not i.is_dir() and is_binary_name(i.filename)]
            for info in members[:MAX_BINARIES_PER_WHEEL]:
                header = _member_header(archive, info)
                wheel.binaries.append(Binary(
                    path=info.filename, location=path, format=header.format,
                    archs=list(header.archs), min_macos=dict(header.min_macos),
                    owner=canonicalize_name(name), error=header.error))
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        wheel.error = f"cannot read the wheel: {exc}"
    return wheel


def _member_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Header:
    """The binary header of one member, decompressing only as far as its header needs."""
    import zipfile
    import zlib

    try:
        with archive.open(info) as member:
            head = member.read(HEAD_SIZE)

            def read_at(offset: int, length: int) -> bytes:
                if offset + length > MAX_MEMBER_BYTES:
                    raise ValueError(f"a slice past the first {MAX_MEMBER_BYTES >> 20} MiB")
                member.seek(offset)
                return member.read(length)

            return parse_header(head, read_at, info.file_size)
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError,
            EOFError, zlib.error) as exc:  # RuntimeError: an encrypted member
        return Header("unknown", error=f"cannot read {info.filename}: {exc}")
