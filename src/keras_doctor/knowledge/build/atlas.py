"""Build the Keras symbol atlas from real wheels of keras and tf-keras (see `static_modules`).

Sample: the newest patch of every minor with a wheel - keras 2.0 … 2.15 (the multi-backend Keras
of 2017 and 2018 too: old code meets it still), every Keras 3 minor, every tf-keras minor. Keras
1 published source archives only and is not sampled. Wheels are downloaded whole (a few MB
each) into the builder cache and read with `zipfile` and `ast`; nothing is imported. The result
interns every name once and stores, per module, the spans of sampled versions in which each name
exists (see `atlas.py` for the reader).
"""

from __future__ import annotations

import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

from packaging.version import Version

from keras_doctor.knowledge.atlas import format_spans
from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.releases import select_files
from keras_doctor.knowledge.build.static_modules import WheelSource

DISTRIBUTIONS = {"keras": "keras", "tf-keras": "tf_keras"}  # distribution → import root
OLDEST = {"keras": Version("2.0"), "tf-keras": Version("2.0")}
# Source modules people import from, in layouts without a generated API tree (prefix match).
SOURCE_MODULES = (
    "applications",
    "preprocessing",
    "layers",
    "utils",
    "optimizers",
    "callbacks",
    "models",
    "losses",
    "metrics",
    "backend",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
    "datasets",
    "wrappers",
    "engine",
    "saving",
    "mixed_precision",
    "legacy",
)

METHOD = (
    "Static reading of each sampled wheel with ast (never imported): a module is the file `import "
    "module` would load (following Keras 3's `keras/api` __path__ extension); its names are what "
    "the "
    "file binds at top level: defs, classes, assignments, imports from inside the package (or "
    "keras_applications/keras_preprocessing, or tensorflow.keras for Keras 2.4), `__all__` when "
    "literal, plus its submodules. Every generated API module is listed; in layouts without one "
    "(Keras <= 2.12) source modules under common public prefixes are. A module whose star import "
    "leaves the wheel (Keras 2.4 forwards to tensorflow.keras) is `unresolved` in that version. "
    "`stubs` lists names that import but are placeholders raising on use (Keras 3's "
    "keras.optimizers.legacy.* = LegacyOptimizerWarning)."
)


def sample(fetcher: Fetcher, distribution: str) -> List[Tuple[Version, Dict[str, Any]]]:
    """(version, wheel file) for the newest patch of every minor that has a wheel."""
    newest: Dict[Tuple[int, int], Tuple[Version, Dict[str, Any]]] = {}
    for version, files in select_files(fetcher.simple_index(distribution), None).items():
        wheel = next((f for f in files if f["filename"].endswith(".whl")), None)
        if wheel is None or version < OLDEST[distribution]:
            continue
        newest[(version.major, version.minor)] = (version, wheel)
    return [newest[k] for k in sorted(newest)]


def read_version(
    fetcher: Fetcher, distribution: str, wheel: Dict[str, Any]
) -> Tuple[Dict[str, Any], Dict[str, Dict[str, str]]]:
    """({module: (names, resolved)}, {module: {placeholder name: stub}}) for one wheel."""
    root = DISTRIBUTIONS[distribution]
    with zipfile.ZipFile(fetcher.download(wheel["url"])) as archive:
        source = WheelSource(archive, root)
    modules = {module: source.names(module) for module in source.public_modules(SOURCE_MODULES)}
    return modules, source.placeholders


def build_atlas(fetcher: Fetcher, pool: ThreadPoolExecutor) -> Dict[str, Any]:
    versions: Dict[str, List[str]] = {}
    per_module: Dict[str, Dict[str, List[int]]] = {}
    present: Dict[str, List[int]] = {}
    unresolved: Dict[str, List[int]] = {}
    stubs: Dict[str, Dict[str, List[int]]] = {}
    wheels: List[str] = []
    for distribution in DISTRIBUTIONS:
        picked = sample(fetcher, distribution)
        versions[distribution] = [str(v) for v, _ in picked]
        fetcher.progress(f"atlas: {distribution} {', '.join(versions[distribution])}")
        readings = pool.map(read_version, [fetcher] * len(picked), [distribution] * len(picked),
                            [wheel for _, wheel in picked])
        for index, ((_version, wheel), (reading, placeholders)) in enumerate(zip(picked, readings)):
            wheels.append(wheel["filename"])
            for module, found in placeholders.items():
                for name in found:
                    stubs.setdefault(module, {}).setdefault(name, []).append(index)
            for module, (names, resolved) in reading.items():
                present.setdefault(module, []).append(index)
                if not resolved:
                    unresolved.setdefault(module, []).append(index)
                slot = per_module.setdefault(module, {})
                for name in names:
                    slot.setdefault(name, []).append(index)
    interned = sorted({n for slot in per_module.values() for n in slot})
    number = {n: i for i, n in enumerate(interned)}
    modules: Dict[str, Any] = {}
    for module in sorted(per_module):
        entry: Dict[str, Any] = {
            "in": format_spans(present[module]),
            "names": [
                [number[n], format_spans(idx)] for n, idx in sorted(per_module[module].items())
            ],
        }
        if module in unresolved:
            entry["unresolved"] = format_spans(unresolved[module])
        if module in stubs:
            entry["stubs"] = [
                [number[n], format_spans(i)] for n, i in sorted(stubs[module].items())
            ]
        modules[module] = entry
    return {
        "sources": [
            f"https://pypi.org/simple/{d}/ wheels: "
            + ", ".join(w for w in wheels if w.lower().startswith(r))
            for d, r in DISTRIBUTIONS.items()
        ],
        "method": METHOD,
        "versions": versions,
        "names": interned,
        "modules": modules,
    }
