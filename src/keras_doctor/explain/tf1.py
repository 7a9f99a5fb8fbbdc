"""Whether a TensorFlow name or module the error says is missing is TensorFlow 1 API.

`knowledge/data/tf1_api.json` (built from real wheels by `knowledge.build.tf_api`) lists, per
namespace (`tensorflow`, `tensorflow.train`, `tensorflow.keras.backend`, …), the names sampled
TensorFlow 1.x releases expose and no sampled 2.x does, the packages (`tensorflow.contrib`) only
1.x ships, and the internals (`tensorflow.python.keras.engine`,
`tensorflow.python.ops.collective_ops`) a release added for good. Read directly, like the message
atlas, because the knowledge package costs more to import than an explanation.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from keras_doctor.explain import datafiles, lazyre

DATA = datafiles.DATA / "tf1_api.json"
RENAMED = datafiles.DATA / "tf_renamed.json"
_API_TREE = lazyre.compile(r"\._api\.v[12](?=\.|$)")
_KERAS_BACKENDS = ("keras.backend", "tensorflow.keras.backend", "tensorflow.python.keras.backend",
                   "keras.api._v2.keras.backend", "keras._tf_keras.keras.backend",
                   "keras.src.backend", "tf_keras.backend")

# Up to TensorFlow 1.11 `tf.compat` is this module itself (`tensorflow/python/__init__.py` imports
# it as `compat`; 1.12 on generate `tensorflow._api.v1.compat`): what the table's `tf.compat`
# entries read for 1.11 (`knowledge.build.tf_api`, COMPAT_EARLIER).
_COMPAT_BEFORE_THE_API = "tensorflow.python.util.compat"


def load() -> Dict[str, Any]:
    return datafiles.read(DATA)


def namespace_of(module: str) -> str:
    """The namespace as the table names it: `tensorflow._api.v2.train` → `tensorflow.train`,
    `tensorflow_core` (TF 1.15–2.1) → `tensorflow`, `tf` → `tensorflow`, every Keras backend
    module → `tensorflow.keras.backend`."""
    if module in _KERAS_BACKENDS:
        return "tensorflow.keras.backend"
    top, dot, rest = module.partition(".")
    if top in ("tf", "tensorflow_core"):
        module = "tensorflow" + dot + rest
    if module == _COMPAT_BEFORE_THE_API:
        return "tensorflow.compat"
    return _API_TREE.sub("", module)


def attribute(module: str, name: str) -> Optional[str]:
    """"tf1" when only TensorFlow 1.x has `module.name`, "tf2" when TensorFlow 2 has it (top
    level only), "neither" when no sampled release has it at the top level, None when the table
    does not know the namespace (or its answer would be a guess)."""
    namespaces = load().get("namespaces", {})
    entry = namespaces.get(namespace_of(module))
    if entry is None:
        return None
    if name in entry.get("tf1_only", ()):
        return "tf1"
    if "tf2" in entry:
        return "tf2" if name in entry["tf2"] else "neither"
    return None


def in_every_release(module: str, name: str) -> bool:
    """Whether every sampled TensorFlow, 1.13 to today, has `tensorflow.name` at its top level:
    missing, the module imported as `tensorflow` is not (all of) TensorFlow."""
    if namespace_of(module) != "tensorflow":
        return False
    entry = load().get("namespaces", {}).get("tensorflow", {})
    return name in entry.get("every_release", ())


def tf1_only_module(module: str) -> Optional[str]:
    """The TensorFlow 1 package (`tensorflow.contrib`) `module` lies in, or None."""
    dotted = namespace_of(module)
    for package in load().get("tf1_only_packages", ()):
        if dotted == package or dotted.startswith(package + "."):
            return str(package)
    return None


# TensorFlow 2.x served these names from a dependency under both APIs (tensorflow-estimator: its
# `_v2` API is tf.estimator and tf.compat.v2.estimator, its `_v1` API tf.compat.v1.estimator), so
# the release that stopped requiring it lost them in tf.compat.v1 too: tensorflow 2.15.1 requires
# tensorflow-estimator, 2.16.1 does not (knowledge/data/releases/tensorflow.json, requires_dist).
_FROM_A_DROPPED_DEPENDENCY = {"estimator"}


def removed_in_tf2(module: str, name: str) -> Optional[Dict[str, str]]:
    """{"last_seen", "gone_in"} when a sampled TensorFlow 2.x had `module.name` and a later 2.x
    removed it (`tf.estimator`, gone in 2.16), else None. `tf.compat.v2` is the TensorFlow 2
    top level itself; `tf.compat.v1` lost only what a dropped dependency served it."""
    namespace = namespace_of(module)
    if namespace == "tensorflow.compat.v2" or (
        namespace == "tensorflow.compat.v1" and name in _FROM_A_DROPPED_DEPENDENCY
    ):
        namespace = "tensorflow"
    entry = load().get("tf2_removed", {}).get(namespace, {})
    found = entry.get(name)
    return dict(found) if found else None


def introduced(module: str, name: str) -> Optional[Dict[str, str]]:
    """{"first_seen", "absent_in"} when the earliest TensorFlow read lacks `module.name` and every
    sampled release from its first on has it (`tf.compat.v1`, added in 1.13): missing, the
    installed TensorFlow is older than the name, never newer. None otherwise."""
    groups = load().get("introduced", {}).get(namespace_of(module), {})
    found = next(({"first_seen": first, "absent_in": group["absent_in"]}
                  for first, group in groups.items() if name in group["names"]), None)
    if not found:
        return None
    from packaging.version import Version

    if "._api.v2" in module and Version(found["first_seen"]) < Version("2"):
        return None  # `tensorflow._api.v2.…` is a TensorFlow 2, not a release older than the name
    return found


def internal_introduced(module: str) -> Optional[Dict[str, str]]:
    """{"first_seen", "absent_in"} when `module` is a `tensorflow.python` package or module a
    TensorFlow release added and none since removed (`tensorflow.python.keras.engine`, first in
    1.9; `tensorflow.python.ops.collective_ops`, also 1.9): missing, the installed TensorFlow
    predates it. Only the module itself: Python names the first part of the path it could not
    find, so its parent was there, and a parent that came for good says nothing of a child that
    may have left (`tensorflow.python.keras.preprocessing`, gone in 2.8 while
    `tensorflow.python.keras` stayed)."""
    dotted = namespace_of(module)
    for first, group in load().get("internals_introduced", {}).items():
        if dotted in group["modules"]:
            return {"first_seen": first, "absent_in": group["absent_in"]}
    return None


def earliest_sampled() -> Optional[str]:
    """The oldest TensorFlow the table read (1.13.1): of a release before it, it knows nothing."""
    versions = load().get("sampled", {}).get("1.x", [])
    return versions[0] if versions else None


def sampled() -> str:
    """"1.13.1 … 1.15.5" — the TensorFlow 1 releases the table was read from."""
    versions = load().get("sampled", {}).get("1.x", [])
    return f"{versions[0]} … {versions[-1]}" if versions else ""


def source() -> str:
    return datafiles.first_source(load(), DATA)


def taken_away_at_1_0(module: str, name: str) -> Optional[Dict[str, str]]:
    """{"name", "replacement", "last_with", "gone_in", "source"} when `name` is one TensorFlow
    1.0 took away from a TensorFlow module (`tf.pack`, now `tf.stack`; read from the 0.12.1 and
    1.0.0 wheels by `knowledge.build.tf_renamed`): code written for 0.x, under a later
    TensorFlow. None otherwise."""
    if not namespace_of(module).startswith("tensorflow"):
        return None
    document = datafiles.read(RENAMED)
    found = document.get("names", {}).get(name)
    if not found:
        return None
    return {"name": f"tf.{name}", "replacement": str(found["replacement"]),
            "last_with": f"tensorflow {document.get('last_with', '')}".strip(),
            "gone_in": f"tensorflow {document.get('gone_in', '')}".strip(),
            "source": datafiles.first_source(document, RENAMED)}
