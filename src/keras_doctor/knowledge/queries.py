"""The questions checks ask of the knowledge base, answered from its data files.

Kept apart from the loader (`__init__.py`), which only finds and reads files: this module turns them
into answers: wheels for a platform, numpy ABI facts, metal pairings, weights hashes. Heavier parts
of `packaging` (requirements, specifiers, tags) are imported by the questions that need them, so
importing the knowledge base costs `check` almost nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from keras_doctor.knowledge.releases import Release, Wheel


@dataclass(frozen=True)
class NumpyAbi:
    project: str
    version: str
    built_against: Optional[int]  # numpy major the binaries were compiled with
    runtime: Optional[str]  # numpy specifier the binaries can import with
    declared: Optional[str]  # the numpy requirement the wheels state (None when they state none)
    sources: Tuple[str, ...]

    def allows(self, numpy_version: str) -> Optional[bool]:
        from packaging.specifiers import SpecifierSet

        if self.runtime is None:
            return None
        return SpecifierSet(self.runtime).contains(numpy_version, prereleases=True)


@dataclass(frozen=True)
class MetalPairing:
    tensorflow: str
    table_metal: Optional[str]  # Apple's table: the metal release for this TF minor
    table_row: Optional[str]  # the row verbatim
    loads: Tuple[str, ...]  # metal releases whose binaries resolve against this TF build (--deep)
    fails: Tuple[str, ...]  # metal releases that cannot load against it
    trusted: Optional[str]  # the metal release checks should recommend
    basis: str  # "verdicts" | "apple_table" | "none"


@dataclass(frozen=True)
class WeightFile:
    application: str
    module: str
    file_name: str
    file_hash: Optional[str]
    url: Optional[str]
    keras_versions: Tuple[str, ...]


class KnowledgeQueries:
    def __init__(self) -> None:
        self._releases: Dict[str, List[Release]] = {}
        self._atlas: Any = None

    def file(self, relative: str) -> Dict[str, Any]:  # provided by KnowledgeBase
        raise NotImplementedError

    # -- releases --------------------------------------------------------------------------------

    def projects(self) -> List[str]:
        files = self.manifest["files"]  # type: ignore[attr-defined]
        return sorted(
            f[len("releases/") : -len(".json")] for f in files if f.startswith("releases/")
        )

    def releases(self, project: str) -> List[Release]:
        from keras_doctor.knowledge.releases import release_from_json

        project = canonicalize(project)
        found = self._releases.get(project)
        if found is None:
            data = self.file(f"releases/{project}.json")["releases"]
            found = sorted(
                (release_from_json(project, v, d) for v, d in data.items()), key=lambda r: r.version
            )
            self._releases[project] = found
        return found

    def release(self, project: str, version: str) -> Optional[Release]:
        try:
            wanted = Version(version)
        except InvalidVersion:
            return None
        return next((r for r in self.releases(project) if r.version == wanted), None)

    def wheel_for(
        self,
        project: str,
        version: str,
        platform: str,
        python: str,
        os_version: Optional[str] = None,
    ) -> Optional[Wheel]:
        release = self.release(project, version)
        return release.wheel_for(platform, python, os_version) if release else None

    def requires_for(
        self,
        project: str,
        version: str,
        platform: str,
        python: str,
        os_version: Optional[str] = None,
    ) -> Optional[List[str]]:
        """Requires-Dist of the wheel an installer picks there; None when there is no such wheel."""
        wheel = self.wheel_for(project, version, platform, python, os_version)
        return list(wheel.requires_dist) if wheel else None

    def newest_release(
        self, project: str, platform: str, python: str, os_version: Optional[str] = None
    ) -> Optional[Release]:
        """The newest non-yanked release with a wheel for this platform and Python."""
        for release in reversed(self.releases(project)):
            if not release.yanked and release.wheel_for(platform, python, os_version):
                return release
        return None

    # -- numpy -----------------------------------------------------------------------------------

    def tf_numpy_abi(self, tf_version: str, project: str = "tensorflow") -> Optional[NumpyAbi]:
        from packaging.specifiers import SpecifierSet

        data = self.file("numpy_abi.json")
        project = canonicalize(project)
        for rule in data["rules"]:
            if project in rule["projects"] and SpecifierSet(rule["versions"]).contains(tf_version):
                return NumpyAbi(
                    project,
                    tf_version,
                    rule["built_against"],
                    rule["runtime"],
                    self._declared_numpy(project, tf_version),
                    tuple(data["sources"]),
                )
        return None

    def _declared_numpy(self, project: str, version: str) -> Optional[str]:
        release = self.release(project, version) if project in self.projects() else None
        if release is None:
            return None
        from packaging.requirements import InvalidRequirement, Requirement

        for wheel in release.wheels:
            for requirement in wheel.requires_dist:
                try:
                    parsed = Requirement(requirement)
                except InvalidRequirement:
                    continue
                if canonicalize(parsed.name) == "numpy":
                    return requirement
        return None

    # -- tensorflow-metal ------------------------------------------------------------------------

    def metal_release(self, version: str) -> Optional[Dict[str, Any]]:
        return self.file("metal.json")["releases"].get(version)

    def metal_for_tf(self, tf_version: str) -> MetalPairing:
        data = self.file("metal.json")
        minor = ".".join(tf_version.split(".")[:2])
        rows = [r for r in data["apple_table"] if minor in r["tensorflow_minors"]]
        row = rows[-1] if rows else None
        verdicts = [
            v
            for v in data.get("verdicts", {}).get("pairs", ())
            if v["tensorflow_version"] == tf_version
        ]
        loads = tuple(sorted({v["metal"] for v in verdicts if v["loads"]}, key=Version))
        fails = tuple(sorted({v["metal"] for v in verdicts if not v["loads"]}, key=Version))
        if loads:  # Apple's pick when the binaries confirm it links, else the newest that links
            table_pick = row["metal"] if row is not None else None
            trusted, basis = (table_pick if table_pick in loads else loads[-1]), "verdicts"
        elif row is not None and row["metal"] not in fails:
            trusted, basis = row["metal"], "apple_table"
        else:
            trusted, basis = None, "verdicts" if verdicts else "none"
        return MetalPairing(
            tf_version,
            row["metal"] if row else None,
            row["row"] if row else None,
            loads,
            fails,
            trusted,
            basis,
        )

    # -- Keras -----------------------------------------------------------------------------------

    @property
    def atlas(self) -> Any:
        if self._atlas is None:
            from keras_doctor.knowledge.atlas import Atlas

            self._atlas = Atlas(self.file("atlas.json"))
        return self._atlas

    def keras3_removed(self, module: str, name: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """The curated Keras 3 removal for `module.name` (or the whole module), with its source."""
        entries = self.file("keras3_removed.json")["removed"]
        for entry in entries:
            if entry["module"] == module and entry["name"] == name:
                return entry
        for entry in sorted(entries, key=lambda e: -len(e["module"])):
            if entry["name"] is None and (
                module == entry["module"] or module.startswith(entry["module"] + ".")
            ):
                return entry
        return None

    def weights(self, application: str) -> List[WeightFile]:
        """Known weight files of a Keras application ("ResNet50", "resnet50", "VGG16")."""
        key = application.lower()
        return [
            _weight_file(entry, application)
            for entry in self.file("weights.json")["files"]
            if key in (entry["module"].lower(), *(a.lower() for a in entry["applications"]))
        ]

    def weight_file(self, file_name: str) -> Optional[WeightFile]:
        """The known entry for a file found in ~/.keras/models, by its name."""
        for entry in self.file("weights.json")["files"]:
            if entry["file_name"] == file_name:
                return _weight_file(entry, entry["applications"][0] if entry["applications"]
                                    else "")
        return None


def _weight_file(entry: Dict[str, Any], application: str) -> WeightFile:
    return WeightFile(application, entry["module"], entry["file_name"], entry.get("file_hash"),
                      entry.get("url"), tuple(entry.get("keras_versions", ())))


def canonicalize(name: str) -> str:
    """PEP 503 name normalisation (what `packaging.utils.canonicalize_name` does), without
    importing `packaging.utils`, which pulls in `packaging.tags` and costs `check` ~15 ms."""
    return re.sub(r"[-_.]+", "-", name).lower()
