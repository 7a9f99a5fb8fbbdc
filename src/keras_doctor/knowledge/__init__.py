"""The knowledge base: facts about the TensorFlow/Keras stack, generated from the package index.

Checks never query the network: they read data files that `python -m keras_doctor.knowledge.build`
generated from real wheels (see build.py) and that ship inside the package, or a newer copy that
`keras-doctor db update` put in the user cache dir. `load()` picks whichever is newer. Every file is
read on first use only, so `check` pays for the release tables it asks about, never for the atlas.

Query API (stable; checks and `recommend` depend on it):

    kb = load()                                   # KnowledgeBase (KnowledgeError if none loads)
    kb.origin, kb.directory, kb.generated_at, kb.age_days, kb.stale, kb.manifest
    kb.projects()                                 # ["h5py", "keras", …, "tensorflow", …]
    kb.releases("tensorflow")                     # [Release] oldest first (final releases only)
    kb.release("tensorflow", "2.16.2")            # Release | None
    kb.requires_for("tensorflow", "2.15.0", "macos-arm64", "3.11")  # [Requires-Dist] | None
    kb.wheel_for("tensorflow", "2.15.0", "macos-arm64", "3.11")     # Wheel | None
    kb.newest_release("tensorflow", "macos-arm64", "3.13")          # Release | None
    kb.tf_numpy_abi("2.14.0")                     # NumpyAbi(built_against=1, runtime="<2") | None
    kb.metal_for_tf("2.16.2")                     # MetalPairing: table row, loads/fails, trusted
    kb.metal_release("1.1.0")                     # {"pythons", "platforms", "archs"} | None
    kb.atlas.lookup("keras.applications", "VGG16", "3.3.3")   # True | False | None (unknown)
    kb.atlas.where("ImageDataGenerator", "3.3.3")             # modules exporting it, shortest first
    kb.atlas.closest("keras.applications", "Resnet50", "3.3.3")  # ["ResNet50", "resnet50"]
    kb.atlas.has_module(module, version), .names(module, version), .modules(version),
    kb.atlas.is_stub(module, name, version), .versions_with(module, name), .sampled("keras")
    knowledge.atlas.tf_keras_module("tensorflow.keras.layers", "3.3.3")  # → "keras._tf_keras…"
    kb.keras3_removed("keras.preprocessing.image", "ImageDataGenerator")  # dict | None
    kb.weights("ResNet50")                        # [WeightFile(file_name, file_hash, url, …)]
    kb.weight_file("vgg16_weights_tf_dim_ordering_tf_kernels.h5")      # WeightFile | None
    kb.file("metal.json")                         # any data file's raw JSON, read once

`Release.wheels` holds `Wheel(tag, requires_dist, requires_python, yanked)`; `Release.python_tags`
and `Release.platform_tags` summarise them; `Release.wheel_for(platform, python, os_version)` picks
like an installer. Platforms are keras-doctor's names (`facts.model.PLATFORMS`). Versions are
strings. The data files and their shapes are described in each file's own `note`/`method`/`policy`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from keras_doctor.knowledge import paths
from keras_doctor.knowledge.queries import KnowledgeQueries

if TYPE_CHECKING:
    from datetime import datetime

MANIFEST = "manifest.json"
FORMAT = 1  # bump when a data file changes shape incompatibly; `load` skips copies of other formats
STALE_AFTER_DAYS = 180


class KnowledgeError(RuntimeError):
    """The data folder is missing, unreadable, or of a format this version cannot read."""


class KnowledgeBase(KnowledgeQueries):
    """One data folder, read lazily file by file."""

    def __init__(self, directory: Path, origin: str = "embedded"):
        self.directory = Path(directory)
        self.origin = origin  # "embedded" | "user"
        manifest = read_manifest(self.directory)
        if manifest is None:
            raise KnowledgeError(f"no readable {MANIFEST} in {self.directory}")
        if manifest.get("format") != FORMAT:
            raise KnowledgeError(
                f"{self.directory}: data format {manifest.get('format')!r}, "
                f"this keras-doctor reads {FORMAT}"
            )
        if not isinstance(manifest.get("files"), dict):
            raise KnowledgeError(f"{self.directory}: the {MANIFEST} lists no data files")
        self.manifest: Dict[str, Any] = manifest
        self._files: Dict[str, Any] = {}
        super().__init__()

    @property
    def generated_at(self) -> datetime:
        return parse_time(self.manifest["generated_at"])

    @property
    def age_days(self) -> float:
        from datetime import datetime, timezone

        return (datetime.now(timezone.utc) - self.generated_at).total_seconds() / 86400

    @property
    def stale(self) -> bool:
        return self.age_days > STALE_AFTER_DAYS

    def file(self, relative: str) -> Dict[str, Any]:
        """A data file's parsed JSON, read once."""
        data = self._files.get(relative)
        if data is None:
            path = self.directory / relative
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise KnowledgeError(f"cannot read {path}: {exc}") from exc
            self._files[relative] = data
        return data

    def has_file(self, relative: str) -> bool:
        return relative in self.manifest["files"]


def read_manifest(directory: Path) -> Optional[Dict[str, Any]]:
    try:
        return json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def parse_time(stamp: str) -> datetime:
    from datetime import datetime, timezone

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def candidates() -> List[tuple]:
    """(origin, folder) of every copy `load` considers, embedded first."""
    return [("embedded", paths.EMBEDDED_DIR), ("user", paths.user_data_dir())]


def load() -> KnowledgeBase:
    """The newest readable copy: the embedded data or the user's `db update` copy."""
    best: Optional[tuple] = None
    for origin, folder in candidates():
        manifest = read_manifest(folder)
        if not manifest or manifest.get("format") != FORMAT or "generated_at" not in manifest:
            continue
        files = manifest.get("files")
        if not isinstance(files, dict) or not all((folder / name).is_file() for name in files):
            continue  # a copy someone half-deleted: never let a check trip over it
        try:
            stamp = parse_time(manifest["generated_at"])
        except ValueError:
            continue
        if best is None or stamp > best[0]:
            best = (stamp, origin, folder)
    if best is None:
        raise KnowledgeError(
            "no knowledge data found (the package is incomplete); run `keras-doctor db update`"
        )
    return KnowledgeBase(best[2], best[1])


__all__ = [
    "STALE_AFTER_DAYS", "KnowledgeBase", "KnowledgeError", "candidates", "load", "read_manifest",
]
