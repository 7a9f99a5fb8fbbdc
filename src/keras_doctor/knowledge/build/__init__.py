"""Build the knowledge base from the real package index: `python -m keras_doctor.knowledge.build`.

This subpackage holds the generators; nothing that runs at diagnosis time imports it (the layer
test holds that): `check`, `explain` and `fix` read only the data files it writes.

    python -m keras_doctor.knowledge.build [--deep] [--out DIR]
        [--only releases,metal,atlas,weights,tf1,ops] [--refresh] [--jobs N]

Every fact shipped in `knowledge/data/` is produced here from public sources (the index's JSON API,
wheel METADATA read by range requests, wheel contents read statically) or from `curated.py`, where
each hand-kept fact carries its source. Progress goes to stderr; downloads are cached under
$KERAS_DOCTOR_BUILD_CACHE (default: the user cache dir), so a rerun needs no network: index pages
are reused for a day unless `--refresh` asks for fresh ones, wheel bytes forever. Building into a
folder that already holds data is incremental: wheels already described there are not read again
(this is how `db update` stays cheap). `--deep` adds the tensorflow-metal load verdicts, which
download whole TensorFlow wheels (minutes, gigabytes): a maintainer's step, not a CI one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from keras_doctor.knowledge import FORMAT, MANIFEST, paths
from keras_doctor.knowledge.build.custom_ops import ops_step
from keras_doctor.knowledge.build.fetch import Fetcher, progress_to_stderr
from keras_doctor.knowledge.build.output import now_iso
from keras_doctor.knowledge.build.steps import atlas_step, metal_step, releases_step, weights_step
from keras_doctor.knowledge.build.tf_api import tf1_step
from keras_doctor.version import __version__

PARTS = ("releases", "metal", "atlas", "weights", "tf1", "ops")


def write_manifest(out_dir: Path) -> Dict[str, Any]:
    """List every data file with its size, hash and age: the loader compares copies by this."""
    files: Dict[str, Any] = {}
    stamps: List[str] = []
    for path in sorted(out_dir.rglob("*.json")):
        relative = path.relative_to(out_dir).as_posix()
        if relative == MANIFEST:
            continue
        data = path.read_bytes()
        stamp = json.loads(data).get("generated_at", "")
        stamps.append(stamp)
        files[relative] = {
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "generated_at": stamp,
        }
    manifest = {
        "format": FORMAT,
        "generated_at": now_iso(),  # when this snapshot was assembled: what `load` compares
        "oldest_file": min(stamps) if stamps else None,
        "builder": f"keras-doctor {__version__}",
        "files": files,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def build(
    out_dir: Path,
    only: Sequence[str] = PARTS,
    deep: bool = False,
    refresh: bool = False,
    jobs: int = 8,
    cache_dir: Optional[Path] = None,
    progress: Callable[[str], None] = progress_to_stderr,
) -> Dict[str, Any]:
    """Run the chosen builders into `out_dir` and rewrite its manifest; returns the manifest."""
    fetcher = Fetcher(cache_dir or paths.build_cache_dir(), refresh=refresh, progress=progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: Dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for part in PARTS:
            if part not in only:
                continue
            started = time.monotonic()
            progress(f"building {part}")
            STEPS[part](fetcher, pool, out_dir, deep)
            timings[part] = round(time.monotonic() - started, 1)
            progress(f"{part} done in {timings[part]} s ({fetcher.requests} requests so far)")
    manifest = write_manifest(out_dir)
    total = sum(f["bytes"] for f in manifest["files"].values())
    progress(
        f"wrote {len(manifest['files'])} files ({total / 1e6:.2f} MB) after "
        f"{fetcher.requests} requests ({fetcher.bytes_received / 1e6:.1f} MB received)"
    )
    return manifest


STEPS: Dict[str, Callable[..., None]] = {
    "releases": releases_step, "metal": metal_step, "atlas": atlas_step, "weights": weights_step,
    "tf1": tf1_step, "ops": ops_step,
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m keras_doctor.knowledge.build", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=paths.EMBEDDED_DIR,
        help="output folder (default: the package's embedded data)",
    )
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts to build: {','.join(PARTS)}"
    )
    parser.add_argument(
        "--deep",
        action="store_true",
        help="also compute tensorflow-metal load verdicts (downloads whole wheels)",
    )
    parser.add_argument("--refresh", action="store_true", help="refetch index pages")
    parser.add_argument("--jobs", type=int, default=8, help="concurrent requests (default 8)")
    parser.add_argument("--cache", type=Path, default=None, help="builder cache folder")
    args = parser.parse_args(argv)
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in only if p not in PARTS]
    if unknown:
        print(
            f"error: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}",
            file=sys.stderr,
        )
        return 2
    build(
        args.out,
        only,
        deep=args.deep,
        refresh=args.refresh,
        jobs=max(1, args.jobs),
        cache_dir=args.cache,
    )
    return 0

