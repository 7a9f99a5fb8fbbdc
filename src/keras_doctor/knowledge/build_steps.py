"""The builder's parts, each turning fetched facts into the data files it owns.

One function per `--only` part, with the same signature, so `build.py` stays a plain loop and each
part can be rebuilt alone. The heavy lifting lives in the `build_*` modules.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict

from keras_doctor.knowledge.build import read_previous, write_json
from keras_doctor.knowledge.fetch import Fetcher


def releases_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge import curated
    from keras_doctor.knowledge.build_releases import PROJECTS, build_project

    for project in PROJECTS:
        relative = f"releases/{project}.json"
        previous = read_previous(out / relative)
        write_json(out, relative, build_project(fetcher, pool, project, previous))
    write_json(out, "numpy_abi.json", curated.NUMPY_ABI)


def metal_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge.build_metal import build_metal

    write_json(
        out, "metal.json", build_metal(fetcher, pool, deep=deep, previous=out / "metal.json")
    )


def atlas_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge import curated
    from keras_doctor.knowledge.build_atlas import build_atlas

    atlas = build_atlas(fetcher, pool)
    write_json(out, "atlas.json", atlas)
    write_json(out, "keras3_removed.json", dated_removals(curated.KERAS3_REMOVED, atlas))


def dated_removals(removals: Dict[str, Any], atlas_data: Dict[str, Any]) -> Dict[str, Any]:
    """The curated removals, each dated by the atlas: last keras release with it, first without."""
    from keras_doctor.knowledge.atlas import Atlas

    atlas = Atlas(atlas_data)
    dated = []
    for entry in removals["removed"]:
        module, name = entry["module"], entry["name"]
        last_seen = gone_from = None
        for version in atlas.sampled("keras"):
            if name is None:  # a module made only of stubs (Keras 3's optimizers.legacy) is gone
                present = atlas.has_module(module, version)
                names = atlas.names(module, version) or []
                if present and names and all(atlas.is_stub(module, n, version) for n in names):
                    present = False
            else:
                present = atlas.lookup(module, name, version)
                if present and atlas.is_stub(module, name, version):
                    present = False
            if present:
                last_seen, gone_from = version, None
            elif present is False and last_seen and gone_from is None:
                gone_from = version
        dated.append({**entry, "last_seen": last_seen, "gone_from": gone_from})
    return {**removals, "removed": dated}


def weights_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge.build_weights import build_weights

    write_json(out, "weights.json", build_weights(fetcher, pool))
