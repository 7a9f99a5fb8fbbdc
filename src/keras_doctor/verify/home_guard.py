"""Leave the user's Keras folder as it was: importing Keras writes `keras.json` when it is missing.

The doctor process (never the driver, which may crash or be killed) records what existed before
the run and puts it back afterwards: a `keras.json` that was not there is removed, one that was
rewritten gets its old bytes back, and folders that Keras created are removed again when empty.
Weight files a `--download` run fetched on purpose are kept (their folder is then not empty).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator, List, Mapping, Optional


def keras_home(environ: Optional[Mapping[str, str]] = None) -> Path:
    from keras_doctor.facts.config import keras_home as configured_home

    variables = os.environ if environ is None else environ
    return Path(os.path.expanduser(configured_home(dict(variables))))


@contextlib.contextmanager
def keras_home_preserved(environ: Optional[Mapping[str, str]] = None) -> Iterator[Path]:
    """Snapshot `$KERAS_HOME` (and `~/.keras`) before the block and restore them after it."""
    homes = _unique([keras_home(environ), Path(os.path.expanduser(os.path.join("~", ".keras")))])
    folders = [home / "models" for home in homes] + homes  # children first, for removal
    existed = {folder: folder.exists() for folder in folders}
    configs = {config: (os.path.lexists(config), _read(config))
               for config in (home / "keras.json" for home in homes)}
    try:
        yield homes[0]
    finally:
        for path, (existed_before, before) in configs.items():
            _restore(path, existed_before, before)
        for folder in folders:
            if not existed[folder]:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty: anything else in it is not ours to delete


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _restore(path: Path, existed: bool, before: Optional[bytes]) -> None:
    with contextlib.suppress(OSError):
        if not existed:
            if path.is_file():
                path.unlink()
        elif before is not None and _read(path) != before:  # unreadable before: not ours to touch
            path.write_bytes(before)


def _unique(paths: List[Path]) -> List[Path]:
    seen: List[Path] = []
    for path in paths:
        if path not in seen:
            seen.append(path)
    return seen
