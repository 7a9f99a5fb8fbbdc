"""`db update`: rebuild the knowledge base into the user cache dir, atomically.

The new snapshot starts as a copy of the data in use (so unchanged wheels are not read again and
the atlas need not be rebuilt), is refreshed from the index in a temporary folder beside the
target, checked by loading it, and only then swapped in with renames. Any failure removes the
temporary folder and leaves the old data untouched: `check` never depends on the network.

`keras-doctor db update` runs this as its own program
(`python -m keras_doctor.knowledge.build.update`), so the command that diagnoses never loads the
builder: progress goes to stderr as it happens, and one JSON line on stdout says how it ended.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from keras_doctor.knowledge import KnowledgeBase, KnowledgeError, load, paths
from keras_doctor.knowledge.build import build
from keras_doctor.knowledge.build.fetch import progress_to_stderr

QUICK = ("releases", "metal")
FULL = ("releases", "metal", "atlas", "weights")


class UpdateError(RuntimeError):
    """The update did not complete; the previous data is still in place."""


def update(
    full: bool = False,
    jobs: int = 8,
    target: Optional[Path] = None,
    progress: Callable[[str], None] = progress_to_stderr,
    parts: Optional[Sequence[str]] = None,
) -> Dict[str, Any]:
    target = Path(target or paths.user_data_dir())
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix=".knowledge-update-", dir=target.parent))
    try:
        try:
            seed = load().directory
        except KnowledgeError:
            seed = None
        if seed is not None:
            shutil.copytree(seed, staging, dirs_exist_ok=True)
        build(
            staging, parts or (FULL if full else QUICK), refresh=True, jobs=jobs, progress=progress
        )
        _check_not_shrunk(KnowledgeBase(staging, "user"), seed)
        _swap(staging, target)
    except (RuntimeError, OSError, ValueError, KeyError) as exc:  # FetchError, KnowledgeError too
        shutil.rmtree(staging, ignore_errors=True)
        raise UpdateError(f"{type(exc).__name__}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    kb = KnowledgeBase(target, "user")
    return {
        "path": str(target),
        "generated_at": kb.manifest["generated_at"],
        "bytes": sum(f["bytes"] for f in kb.manifest["files"].values()),
        "seconds": round(time.monotonic() - started, 1),
    }


def _check_not_shrunk(fresh: KnowledgeBase, seed: Optional[Path]) -> None:
    """Refuse a snapshot that lost releases: the index never deletes them, so a shorter table
    means a truncated or wrong index response, not news."""
    old = KnowledgeBase(seed) if seed is not None else None
    for project in fresh.projects():
        count = len(fresh.releases(project))
        before = len(old.releases(project)) if old is not None and project in old.projects() else 0
        if count == 0 or count < before:
            raise ValueError(f"the index listed {count} {project} releases (the data in use has "
                             f"{before}); keeping the data in use")


def _swap(staging: Path, target: Path) -> None:
    """Put `staging` at `target` with renames; the old copy is removed only afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Run an update; print its result (or why it failed) as one JSON object on stdout."""
    parser = argparse.ArgumentParser(prog="python -m keras_doctor.knowledge.build.update")
    parser.add_argument("--full", action="store_true", help="also rebuild the atlas and weights")
    parser.add_argument("--jobs", type=int, default=8, help="concurrent requests (default 8)")
    args = parser.parse_args(argv)
    try:
        result = update(full=args.full, jobs=max(1, args.jobs))
    except UpdateError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}))
        return 3
    print(json.dumps({"ok": True, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
