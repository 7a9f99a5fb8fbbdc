"""The builder's parts, each turning fetched facts into the data files it owns.

One function per `--only` part, with the same signature, so `build.py` stays a plain loop and each
part can be rebuilt alone. The heavy lifting lives in the `build_*` modules.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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

    write_json(out, "atlas.json", build_atlas(fetcher, pool))
    write_json(out, "keras3_removed.json", curated.KERAS3_REMOVED)


def weights_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge.build_weights import build_weights

    write_json(out, "weights.json", build_weights(fetcher, pool))
