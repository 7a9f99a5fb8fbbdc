"""`--deep`: can each tensorflow-metal release load against each macOS arm64 TensorFlow build?

Apple's table is prose; the binaries are the truth. For every (metal release, TensorFlow build)
pair this downloads both wheels (cached under the builder cache), unpacks the plugin and TF's
shared libraries into a scratch folder, and asks `facts.macho_linkage.check_linkage` the questions
dyld will ask: is every `@rpath` library the plugin links found, and does TF export every symbol
the plugin binds to it. TensorFlow wheels that carry no binaries (the 2.13–2.15.0 `tensorflow`
arm64 shims, metadata-only `tensorflow-macos` 2.15.1+) are skipped: the build they pull in is
checked under its own name.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from packaging.utils import parse_wheel_filename
from packaging.version import Version

from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.lazy_wheel import RemoteZip
from keras_doctor.knowledge.build.releases import select_files

# Flat-namespace imports that can only come from TensorFlow (as in tests/facts/test_macho_symbols).
TF_NAMES = ("_TF_", "_TFE_", "__ZN10tensorflow", "__ZN3tsl", "__ZN3xla", "__ZN6google8protobuf")
PLUGIN = "tensorflow-plugins/libmetal_plugin.dylib"  # early wheels: under *.data/purelib/
PYTHON_PREFERENCE = ("cp311", "cp310", "cp39", "cp312", "cp38")
TF_PROJECTS = ("tensorflow-macos", "tensorflow")


def _arm64_wheel(files: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The macOS arm64 wheel of a release, for the most common Python."""
    candidates = []
    for entry in files:
        if not entry["filename"].endswith(".whl"):
            continue
        tags = parse_wheel_filename(entry["filename"])[3]
        if any(t.platform.startswith("macosx") and t.platform.endswith("arm64") for t in tags):
            pythons = {t.interpreter for t in tags}
            rank = min(
                (PYTHON_PREFERENCE.index(p) for p in pythons if p in PYTHON_PREFERENCE),
                default=len(PYTHON_PREFERENCE),
            )
            candidates.append((rank, entry["filename"], entry))
    return min(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def _has_binaries(fetcher: Fetcher, wheel: Dict[str, Any]) -> bool:
    remote = RemoteZip(fetcher, wheel["url"], int(wheel["size"]))
    with zipfile.ZipFile(remote) as archive:  # type: ignore[arg-type]
        return any(_is_tf_library(n) for n in archive.namelist())


def _installed(member: str) -> str:
    """Where a wheel member lands in site-packages (`pkg-1.0.data/purelib/x` installs as `x`)."""
    parts = member.split("/")
    if len(parts) > 2 and parts[0].endswith(".data") and parts[1] in ("purelib", "platlib"):
        return "/".join(parts[2:])
    return member


def _is_tf_library(member: str) -> bool:
    return _installed(member).startswith("tensorflow/") and member.endswith((".so", ".dylib"))


def _unpack(path: Path, into: Path, wanted: Callable[[str], bool]) -> List[Path]:
    with zipfile.ZipFile(path) as archive:
        return [Path(archive.extract(name, into)) for name in archive.namelist() if wanted(name)]


def verdict(plugin: Path, libraries: List[Path]) -> Dict[str, Any]:
    """{"loads": bool, …why not} for one plugin file against one TensorFlow build's libraries."""
    from keras_doctor.facts.macho_linkage import check_linkage

    result = check_linkage(plugin, libraries, flat_prefixes=TF_NAMES)
    out: Dict[str, Any] = {"loads": result.loads}
    if not result.loads:
        out["libraries_not_found"] = list(result.libraries_not_found)
        out["missing_count"] = len(result.missing)
        out["missing"] = list(result.missing[:3])
    return out


def unpack_plugin(fetcher: Fetcher, wheel: Dict[str, Any], into: Path) -> Optional[Path]:
    found = _unpack(fetcher.download(wheel["url"]), into, lambda n: _installed(n) == PLUGIN)
    return found[0] if found else None


def unpack_tf_libraries(fetcher: Fetcher, wheel: Dict[str, Any], into: Path) -> List[Path]:
    return _unpack(fetcher.download(wheel["url"]), into, _is_tf_library)


def tf_builds(fetcher: Fetcher) -> List[Tuple[str, str, Dict[str, Any]]]:
    """(project, version, wheel) of every macOS arm64 TensorFlow release that carries binaries."""
    builds = []
    for project in TF_PROJECTS:
        for version, files in select_files(fetcher.simple_index(project), None).items():
            if version < Version("2.5"):
                continue
            wheel = _arm64_wheel(files)
            if wheel is not None and _has_binaries(fetcher, wheel):
                builds.append((project, str(version), wheel))
    return builds


def compute_verdicts(
    fetcher: Fetcher,
    pool: ThreadPoolExecutor,
    metal_files: Dict[Version, List[Dict[str, Any]]],
    previous: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """Verdicts for every pair; pairs of the same wheels in `previous` are reused as they are."""
    metal = {str(v): w for v, files in metal_files.items() if (w := _arm64_wheel(files))}
    builds = tf_builds(fetcher)
    wheels = sorted([w["filename"] for w in (*metal.values(), *(b[2] for b in builds))])
    known = {}
    if previous and set(previous.get("wheels", ())) <= set(wheels):
        known = {(p["metal"], p["tensorflow_project"], p["tensorflow_version"]): p
                 for p in previous.get("pairs", ())}
    fetcher.progress(f"metal --deep: {len(metal)} plugin releases x {len(builds)} TensorFlow "
                     f"builds, {len(known)} pairs known already")
    scratch = Path(tempfile.mkdtemp(prefix="kd-metal-"))
    pairs: List[Dict[str, Any]] = []
    try:
        plugins = {}
        for version, wheel in metal.items():
            plugin = unpack_plugin(fetcher, wheel, scratch / f"metal-{version}")
            if plugin is not None:
                plugins[version] = plugin
        for project, version, wheel in builds:
            todo = [m for m in plugins if (m, project, version) not in known]
            if todo:
                site = scratch / f"{project}-{version}"
                libraries = unpack_tf_libraries(fetcher, wheel, site)
                fetcher.progress(f"metal --deep: {project} {version}: {len(libraries)} libraries")
                for metal_version in todo:
                    key = {"metal": metal_version, "tensorflow_project": project,
                           "tensorflow_version": version}
                    known[(metal_version, project, version)] = {
                        **key, **verdict(plugins[metal_version], libraries)}
                shutil.rmtree(site, ignore_errors=True)
            pairs.extend(known[(m, project, version)] for m in plugins)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "method": (
            "Static link check of tensorflow-plugins/libmetal_plugin.dylib against every "
            ".so/.dylib under tensorflow/ of the TF wheel "
            "(keras_doctor.facts.macho_linkage.check_linkage: @rpath libraries found, two-level "
            f"imports exported by their library, flat imports named {', '.join(TF_NAMES)} "
            "exported by some TF library). A pair that links can still fail at run time (C++ "
            "ABI, kernels): `loads` is necessary, not sufficient."
        ),
        "wheels": wheels,
        "pairs": pairs,
    }
