"""The builder's parts, each turning fetched facts into the data files it owns.

One function per `--only` part, with the same signature, so the driver (`__init__.py`) stays a
plain loop and each part can be rebuilt alone. The heavy lifting lives in `releases`, `metal`,
`atlas` and `weights` beside it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict

from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.output import read_previous, write_json


def releases_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge.build import curated
    from keras_doctor.knowledge.build.releases import PROJECTS, build_project

    tables: Dict[str, Dict[str, Any]] = {}
    for project in PROJECTS:
        relative = f"releases/{project}.json"
        tables[project] = build_project(fetcher, pool, project, read_previous(out / relative))
        write_json(out, relative, tables[project])
    declared = declared_numpy(tables["tensorflow"])
    write_json(out, "numpy_abi.json", {**curated.NUMPY_ABI, "declared": declared})


def declared_numpy(table: Dict[str, Any]) -> Dict[str, Any]:
    """What TensorFlow's wheels themselves say about numpy 2, to set beside the curated rules:
    the first release whose Requires-Dist admits numpy 2.0, and the numpy-1 builds that admit it
    by declaring no upper bound at all."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    admits: Dict[str, bool] = {}
    for version, record in table["releases"].items():
        specs = [Requirement(r).specifier for group in record.get("requires", ())
                 for r in group["requires_dist"] if Requirement(r).name == "numpy"]
        if specs:
            admits[version] = any(spec.contains("2.0.0") for spec in specs)
    ordered = sorted(admits, key=Version)
    first = next((v for v in ordered if admits[v] and Version(v) >= Version("2.18")), None)
    uncapped = [v for v in ordered if admits[v] and Version(v) < Version("2.18")]
    return {"first_release_admitting_numpy_2": first,
            "numpy_1_builds_admitting_numpy_2": uncapped}


def metal_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge.build.metal import build_metal

    write_json(
        out, "metal.json", build_metal(fetcher, pool, deep=deep, previous=out / "metal.json")
    )


def atlas_step(fetcher: Fetcher, pool: ThreadPoolExecutor, out: Path, deep: bool) -> None:
    from keras_doctor.knowledge.build import curated
    from keras_doctor.knowledge.build.atlas import build_atlas

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
    from keras_doctor.knowledge.build.weights import build_weights

    write_json(out, "weights.json", build_weights(fetcher, pool))
