"""Weights table: every Keras application's weight file names and `file_hash`, from real wheels.

Read statically (see `weights_static`) from the application modules of a few releases spanning the
layouts: `keras_applications` 1.0.8 (what Keras 2.2/2.3 used), keras 2.6 (`keras/applications`),
keras 2.15 (`keras/src/applications`) and the newest Keras 3. A check compares a file found in
~/.keras/models against this table before anything imports Keras, because Keras deletes a cached
file whose hash does not match, destroying the evidence.
"""

from __future__ import annotations

import ast
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple

from packaging.version import Version

from keras_doctor.knowledge.build import syntax
from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.releases import select_files
from keras_doctor.knowledge.build.weights_static import weight_calls

# (distribution, version or None for the newest, folder of the application modules)
SOURCES: List[Tuple[str, Optional[str], Tuple[str, ...]]] = [
    ("keras-applications", "1.0.8", ("keras_applications/",)),
    ("keras", "2.6.0", ("keras/applications/",)),
    ("keras", "2.15.0", ("keras/src/applications/",)),
    ("keras", None, ("keras/src/applications/",)),
]
NOT_WEIGHTS = {"imagenet_utils"}  # the class index JSON is not a weights file


def _wheel(
    fetcher: Fetcher, distribution: str, version: Optional[str]
) -> Tuple[str, Dict[str, Any]]:
    releases = select_files(fetcher.simple_index(distribution), None)
    chosen = (
        Version(version)
        if version
        else max(
            v for v, files in releases.items() if any(f["filename"].endswith(".whl") for f in files)
        )
    )
    wheel = next(f for f in releases[chosen] if f["filename"].endswith(".whl"))
    return str(chosen), wheel


def _read(
    fetcher: Fetcher, source: Tuple[str, Optional[str], Tuple[str, ...]]
) -> Tuple[str, List[Dict[str, Any]], List[str]]:
    distribution, version, folders = source
    version, wheel = _wheel(fetcher, distribution, version)
    label = f"{distribution}=={version}"
    calls, empty = [], []
    with zipfile.ZipFile(fetcher.download(wheel["url"])) as archive:
        for name in sorted(archive.namelist()):
            folder = next((f for f in folders if name.startswith(f)), None)
            if folder is None or "/" in name[len(folder) :] or not name.endswith(".py"):
                continue
            module = name[len(folder) : -3]
            if module.startswith("_") or module in NOT_WEIGHTS or module.endswith("_test"):
                continue
            code = archive.read(name)
            found = weight_calls(code)
            if not found:
                empty.append(module)
            publics = sorted(
                n.name
                for n in syntax.parse(code).body
                if isinstance(n, ast.FunctionDef) and n.name[:1].isupper()
            )
            for call in found:
                calls.append({**call, "module": module, "publics": publics})
    return label, calls, empty


def _applications(module: str, file_name: str, function: str, publics: List[str]) -> List[str]:
    """The public constructors a file belongs to: the longest whose name the file name contains."""
    squashed = re.sub(r"[^a-z0-9]", "", file_name.lower())
    matches = [p for p in publics if re.sub(r"[^a-z0-9]", "", p.lower()) in squashed]
    if matches:
        longest = max(len(m) for m in matches)
        return sorted(m for m in matches if len(m) == longest)
    return [function] if function[:1].isupper() else []


def build_weights(fetcher: Fetcher, pool: ThreadPoolExecutor) -> Dict[str, Any]:
    readings = list(pool.map(lambda s: _read(fetcher, s), SOURCES))
    merged: Dict[Tuple[str, Optional[str]], Dict[str, Any]] = {}
    for label, calls, _ in readings:
        for call in calls:
            key = (call["file_name"], call["file_hash"])
            entry = merged.setdefault(
                key,
                {
                    "module": call["module"],
                    "applications": _applications(
                        call["module"], call["file_name"], call["function"], call["publics"]
                    ),
                    "file_name": call["file_name"],
                    "file_hash": call["file_hash"],
                    "url": call["origin"],
                    "keras_versions": [],
                },
            )
            entry["keras_versions"].append(label)
    files = sorted(merged.values(), key=lambda e: (e["module"], e["file_name"]))
    return {
        "sources": [f"{label} wheel from https://pypi.org/simple/" for label, _, _ in readings],
        "method": (
            "Static evaluation of each application module's get_file(...) calls (see "
            "keras_doctor/knowledge/weights_static.py). file_hash is what Keras verifies: 32 hex "
            "digits = MD5, 64 = SHA-256 (keras.utils.get_file picks by length). A null file_hash "
            "means the module downloads without one (MobileNet, MobileNetV2); their file names are "
            "every combination the code can build (alpha x input size), which the weights host "
            "may not all serve. `not_evaluated`: modules with no get_file call of their own."
        ),
        "not_evaluated": {label: empty for label, _, empty in readings if empty},
        "files": files,
    }
