"""Read the files of a broken environment without letting any one of them stop the diagnosis.

Every file facts/ reads lives where anything can have been left: a FIFO named `keras.json` blocks a
plain `open()` forever, a device named `METADATA` never ends, a RECORD of a gigabyte fills memory, a
JSON document nested ten thousand deep overflows the parser's stack. So configuration and metadata
files are read only when they are regular files, without ever blocking, up to a size far above
anything an installer or Keras writes; JSON is refused past a depth no real file reaches. Each
refusal is an `OSError` (or `ValueError` for JSON) with a one-line reason, so callers that already
handle an unreadable file handle these the same way.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from typing import Any

# Far above what installers and Keras write (TensorFlow's RECORD is ~2 MB, its METADATA ~5 kB).
METADATA_LIMIT = 64 << 20
CONFIG_LIMIT = 1 << 20  # keras.json, kernel.json
JSON_DEPTH_LIMIT = 64

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0))


class NotRegularFile(OSError):
    """A FIFO, device, socket or folder where a file was expected."""


class FileTooLarge(OSError):
    """A file larger than any real one of its kind."""


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def _check_regular(path: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for is_kind, name in _KINDS if is_kind(mode)), None)
    reason = f"{kind}, not a regular file" if kind else "not a regular file"
    raise NotRegularFile(errno.EINVAL, reason, path)


def _stat_regular(path: str) -> None:
    """Refuse what is not a regular file before opening it: opening a device can have effects."""
    try:
        mode = os.stat(path).st_mode
    except ValueError as exc:  # an embedded NUL byte
        raise OSError(errno.EINVAL, str(exc), path) from exc
    _check_regular(path, mode)


def read_regular_file(path: str, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them, never blocking.

    FileNotFoundError when absent; NotRegularFile, FileTooLarge or another OSError otherwise.
    A file named by a path with a NUL byte is reported as an OSError too.
    """
    _stat_regular(path)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        _check_regular(path, info.st_mode)  # it may have been swapped since the stat
        if info.st_size > limit:
            raise FileTooLarge(errno.EFBIG, f"larger than {limit} bytes", path)
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileTooLarge(errno.EFBIG, f"larger than {limit} bytes", path)
    return data


def read_regular_head(path: str, length: int) -> bytes:
    """The first `length` bytes of the regular file at `path`, never blocking (see above)."""
    _stat_regular(path)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        _check_regular(path, os.fstat(fd).st_mode)
        return os.read(fd, length)
    finally:
        os.close(fd)


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is depth 0)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONTooDeep(ValueError):
    """JSON nested deeper than any document keras-doctor reads."""


def loads_json(text: str, depth_limit: int = JSON_DEPTH_LIMIT) -> Any:
    """`json.loads`, refusing documents nested deeper than `depth_limit` with a ValueError."""
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise JSONTooDeep(f"nested deeper than {depth_limit} levels") from exc
    if json_depth(value) > depth_limit:
        raise JSONTooDeep(f"nested deeper than {depth_limit} levels")
    return value
