"""Decide what happened to a Keras name an error says is missing: removed, moved, newer, or a typo.

`cannot import name 'X' from 'keras.M'`, `module 'keras.M' has no attribute 'X'` and
`No module named 'keras.M'` all say the same thing. Which cause it is depends on the name's history:
removed by Keras 3 (`keras3-removed-api`, or `keras3-legacy-code` when the failing code lives in a
third-party library, which the user ports only by running it under tf-keras; the user's own code
meets the removal itself, through `tf.keras` too: from TensorFlow 2.16 `tf.keras` is Keras 3's
`keras._tf_keras`, which keeps some Keras 2 names, such as `preprocessing.image.ImageDataGenerator`,
so a name missing even there is one Keras 3 removed), moved to another module (`keras-api-moved`),
added in a later release (`package-too-old-for-api`), or misspelt (`keras-api-moved`, with the
closest real name). The knowledge base's symbol atlas answers when it is installed; otherwise a
small documented table shipped with the signatures does, so text-only mode never needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from keras_doctor.explain import lazyre

_TF_KERAS_PREFIXES = (
    "tensorflow.keras.",
    "tensorflow.python.keras.",
    "keras._tf_keras.keras.",
    "keras.api._v2.keras.",
    "keras.api._v1.keras.",
    "tf_keras.",
)
_PRIVATE = lazyre.compile(r"^keras\.(?:src|engine)(?:\.|$)|^tensorflow\.python\.keras")


@dataclass
class Verdict:
    cause: str
    weight: float
    evidence: Dict[str, Any] = field(default_factory=dict)


def fold_module(module: str) -> str:
    """`tensorflow.keras.layers` → `keras.layers`: the module as Keras names it, whether the code
    reached it through `tf.keras` or not (which Keras answered is the atlas's question)."""
    for prefix in _TF_KERAS_PREFIXES:
        if module == prefix[:-1]:
            return "keras"
        if module.startswith(prefix):
            return "keras." + module[len(prefix) :]
    if module == "keras._tf_keras":
        return "keras"
    return module


def is_keras_module(module: str) -> bool:
    return module.split(".")[0] in ("keras", "tf_keras") or module.startswith(
        ("tensorflow.keras", "tensorflow.python.keras")
    )


class NameResolver:
    """`knowledge` is a KnowledgeBase, or None to load the embedded one on first need.

    The documented table decides the common cases without loading anything (the atlas costs more
    than the rest of an explanation); the atlas is consulted for names the table does not know,
    and, when the installed Keras version is known (`keras_version`, from the facts), always."""

    def __init__(
        self, table: Dict[str, Any], knowledge: Any = None, keras_version: Optional[str] = None
    ):
        self.table = table
        self.knowledge = knowledge
        self.keras_version = keras_version
        self._introduced = [(lazyre.compile(e["pattern"]), e) for e in table.get("introduced", ())]

    def resolve(
        self, module: str, name: Optional[str], *, keras3: bool, library: str,
        module_exists: bool = False, keras2_only: bool = False,
        imported_before: Sequence[str] = (),
    ) -> List[Verdict]:
        """`module_exists`: the error itself shows `module` was imported (`module 'M' has no
        attribute 'X'`, `cannot import name 'X' from 'M'`), so a Keras without M did not run.
        `keras2_only`: no Keras 3 can have run (the traceback's Python predates every Keras 3),
        so a name Keras 3 removed went missing within Keras 2 (moved, or made private).
        `imported_before`: names the same `from M import …` listed before `name`, which Python
        found (it binds them in order): the installed `module` has them."""
        folded = fold_module(module)
        if name is None and "." in folded:  # `No module named 'keras.a.b'`: judge the last part
            folded, name = folded.rsplit(".", 1)
        full = f"{folded}.{name}" if name else folded
        keras3 = keras3 or module.startswith("keras._tf_keras")
        evidence: Dict[str, Any] = {"name": name, "module": module}
        if self.keras_version:
            evidence["keras_version"] = self.keras_version
            atlas = self._from_atlas(folded, name)
            if atlas:
                evidence["atlas"] = atlas
        introduced = self._introduced_in(name or folded.rsplit(".", 1)[-1])
        removed = self._entry("removed_in_keras3", folded, name, full)
        moved = self._entry("moved", folded, name, full)
        if introduced is not None and not self._installed_has(introduced):
            evidence.update(first_release=introduced["first"], source=introduced["source"])
            if removed is None:
                return [Verdict("package-too-old-for-api", 0.85, evidence)]
            if self.keras_version and not keras3:  # a Keras 2 older than the name
                return [Verdict("package-too-old-for-api", 0.85, evidence)]
            if not keras3:  # added in 2.x, removed in 3: which side the install is on decides
                return [
                    Verdict("package-too-old-for-api", 0.55, evidence),
                    Verdict("keras3-removed-api", 0.5, evidence),
                ]
        if (removed is not None and module_exists and not keras3 and name
                and removed.get("name") is None and removed.get("name_pattern") is None
                and folded != removed["module"].rsplit(".", 1)[0]):
            # a name missing inside a module Keras 3 dropped: that module imported, so a Keras 2
            # ran, one without the name
            history = self._history(folded, name)
            if history:
                evidence.update(in_sampled_releases=f"{history[0]} … {history[-1]}",
                                module_exists=True)
                removed_cause = "keras3-legacy-code" if library else "keras3-removed-api"
                left = self._left_within_keras2(folded, name, history)
                if left is not None:
                    # the module outlived the name: the Keras that imported it is one the name
                    # had already left (keras.engine.Layer: last in 2.4, keras.engine until 2.12)
                    evidence.update(left)
                    return [Verdict("keras-api-moved", 0.75, evidence),
                            Verdict(removed_cause, 0.3, evidence)]
                return [Verdict("package-too-old-for-api", 0.75, evidence),
                        Verdict(removed_cause, 0.3, evidence)]
        if removed is not None and not keras2_only:
            # the table speaks for the module it names; a part of it has its own history (when
            # a Keras 3 is known to have run, its migration guide's replacement answers it)
            gone = self._left_within_keras2(folded, name, self._history(folded, name)) if (
                not keras3 and name and removed.get("name") is None
                and removed.get("name_pattern") is None
                and full.startswith(removed["module"] + ".")
                and not any(e.get("module") == full for e in self.table.get(
                    "removed_in_keras3", ()))
            ) else None
            if gone is not None:
                # Keras 2 itself dropped it while its package lived on (keras.engine.topology
                # after 2.4, keras.engine until 2.12): Keras 3 is not what broke the import
                evidence.update(gone)
                return [Verdict("keras-api-moved", 0.75, evidence),
                        Verdict("keras3-legacy-code" if library
                                else "keras3-removed-api", 0.35, evidence)]
            evidence.update(replacement=removed.get("replacement"), source=removed.get("source"))
            if library:
                evidence["library"] = library
                return [
                    Verdict("keras3-legacy-code", 0.82, evidence),
                    Verdict("keras3-removed-api", 0.4, evidence),
                ]
            if moved is not None and not keras3:
                evidence.update(moved_to=moved["to"], since=moved.get("since"))
                return [
                    Verdict("keras-api-moved", 0.8, evidence),
                    Verdict("keras3-removed-api", 0.35, evidence),
                ]
            return [
                Verdict("keras3-removed-api", 0.85, evidence),
                Verdict("keras3-legacy-code", 0.35, evidence),
            ]
        if moved is not None:
            evidence.update(
                moved_to=moved["to"], since=moved.get("since"), source=moved.get("source")
            )
            return [Verdict("keras-api-moved", 0.8, evidence)]
        if _PRIVATE.match(module) or _PRIVATE.match(folded):
            engine = keras3 and re.match(r"keras\.(?:src\.)?engine", full)
            if not keras2_only and (library or engine):
                evidence["library"] = library
                return [
                    Verdict("keras3-legacy-code", 0.6, evidence),
                    Verdict("keras-api-moved", 0.45, evidence),
                ]
            return [Verdict("keras-api-moved", 0.6, evidence)]
        atlas = evidence.get("atlas") or self._from_atlas(folded, name)
        if atlas:
            evidence["atlas"] = atlas
            older = self._older_than_sample(folded, name, imported_before, atlas)
            if older:
                evidence.update(older)
                return [Verdict("package-too-old-for-api", 0.8, evidence),
                        Verdict("keras-distributions-overlap", 0.3, evidence)]
            if module_exists and atlas.get("internal_helper"):
                return self._internal_helper(atlas, evidence)
            verdict = self._atlas_verdict(atlas, evidence, keras3, bool(library))
            if verdict:
                return verdict
        closest = self._closest(name) if name else None
        if closest:
            evidence["closest"] = closest
            return [Verdict("keras-api-moved", 0.55, evidence)]
        # no sampled release (Keras 2.0 on) has the name there: a private one, or one older than
        # the sample (Keras 1's `Merge`, 0.x's `theano_utils`), which code older than the Keras
        # installed still imports
        return [Verdict("keras-api-moved", 0.3, evidence),
                Verdict("dependency-too-new", 0.25, evidence)]

    @staticmethod
    def _internal_helper(atlas: Dict[str, Any], evidence: Dict[str, Any]) -> List[Verdict]:
        """A name no public API tree of any sampled release exports (`keras.api._v2` of Keras
        2.6-2.15, the public modules of Keras 3), living only in Keras's implementation modules
        (`keras.utils.generic_utils.populate_dict_with_module_objects`): Keras's own code calls
        it, not the user's. The module imported and the helper is missing, so the code calling
        it and the module it called come from two releases: a Keras for another TensorFlow (the
        Keras 2.4 redirect under a TensorFlow whose Keras code expects another), or two
        distributions writing one `keras/` folder."""
        evidence["internal_to"] = atlas["internal_helper"]
        return [Verdict("keras-tf-version-skew", 0.7, evidence),
                Verdict("keras-distributions-overlap", 0.45, evidence),
                Verdict("package-too-old-for-api", 0.3, evidence)]

    def _atlas_verdict(
        self, atlas: Dict[str, Any], evidence: Dict[str, Any], keras3: bool, keras2_code: bool
    ) -> Optional[List[Verdict]]:
        from packaging.version import InvalidVersion, Version

        removed_cause = "keras3-legacy-code" if keras2_code else "keras3-removed-api"
        versions = atlas.get("versions_with") or []
        if versions:
            evidence["in_sampled_releases"] = f"{versions[0]} … {versions[-1]}"
            first, last = Version(versions[0]), Version(versions[-1])
            try:
                installed = Version(self.keras_version) if self.keras_version else None
            except InvalidVersion:
                installed = None
            gap = atlas.get("absent_in") or []
            only_keras3 = self._only_in_keras3(atlas, evidence, first, installed, keras3)
            if only_keras3:
                return only_keras3
            if installed is not None:
                if installed < first:
                    # in the oldest sample too: the name may be older than it, not newer
                    at_the_latest = " at the latest" if atlas.get("in_oldest") else ""
                    evidence["first_release"] = f"keras {first}{at_the_latest}"
                    return [Verdict("package-too-old-for-api", 0.8, evidence)]
                if last.major < 3 <= installed.major:
                    return [Verdict(removed_cause, 0.75, evidence)]
                if gap and Version(gap[0]) <= installed <= Version(gap[-1]):
                    return self._absent_between(atlas, evidence, 0.8)
                return None
            if atlas.get("in_oldest") and atlas.get("in_latest"):
                # in the first release and the newest: never "too old"; absent in between, or the
                # import failed for another reason (a local file, two Keras distributions mixing)
                if gap:
                    return self._absent_between(atlas, evidence, 0.6)
                return [
                    Verdict("shadowed-module", 0.45, evidence),
                    Verdict("keras-distributions-overlap", 0.35, evidence),
                    Verdict("keras-tf-version-skew", 0.3, evidence),
                ]
            if atlas.get("in_latest"):  # the newest Keras has it: the installed one is older
                evidence["first_release"] = f"keras {first}"
                return [Verdict("package-too-old-for-api", 0.6, evidence)]
            last_keras2 = atlas.get("last_keras2")
            if last.major < 3 and last_keras2 and last < Version(last_keras2):
                return self._gone_within_keras2(atlas, evidence, keras3, removed_cause)
            if last.major < 3:
                return [Verdict(removed_cause, 0.6 if keras3 else 0.5, evidence)]
            return None
        module_then, module_now = atlas.get("module_in_keras2"), atlas.get("module_in_latest")
        if module_then and module_now is False:
            return [Verdict(removed_cause, 0.65, evidence)]
        if module_now and module_then is False:
            evidence["first_release"] = "a later keras"
            return [Verdict("package-too-old-for-api", 0.55, evidence)]
        if atlas.get("where"):
            evidence["moved_to"] = atlas["where"][0]
            return [Verdict("keras-api-moved", 0.75, evidence)]
        if atlas.get("closest"):
            evidence["closest"] = atlas["closest"][0]
            return [Verdict("keras-api-moved", 0.65, evidence)]
        return None

    @staticmethod
    def _only_in_keras3(atlas: Dict[str, Any], evidence: Dict[str, Any], first: Any,
                        installed: Any, keras3: bool) -> Optional[List[Verdict]]:
        """A name no Keras 2 has (its first sampled release is a Keras 3), missing where no Keras 3
        is known to have run: the Keras installed is a Keras 2, and the code (or the package that
        imports it: keras-hub, keras-cv, keras-nlp) needs Keras 3, as the private tree says of
        `keras.src.ops` (`private_tree`). A name a later Keras 3 added may instead be missing from
        an older Keras 3: then the release is too old first."""
        if first.major < 3 or keras3 or (installed is not None and installed.major >= 3):
            return None
        evidence["first_release"] = f"keras {first}"
        came_with_keras3 = str(first) == str(atlas.get("first_keras3") or "")
        if installed is not None or came_with_keras3:
            weight = 0.8 if installed is not None else 0.65
            return [Verdict("keras3-required", weight, evidence),
                    Verdict("package-too-old-for-api", 0.4, evidence)]
        return [Verdict("package-too-old-for-api", 0.6, evidence),
                Verdict("keras3-required", 0.45, evidence)]

    def _older_than_sample(self, module: str, name: Optional[str], found: Sequence[str],
                           atlas: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """When names imported along with `name` were found and every sampled release whose
        `module` has them (the oldest sampled one among them) has `name` too, the installed
        release is none of the sampled ones; releases between two samples that agree are
        answered by them (the atlas's rule), so it is one older than the oldest sample: the
        name is newer than the installed Keras (`save_img` beside `load_img`, keras 2.1.6).
        A release whose module the atlas cannot read (Keras 2.4's re-export of `tf.keras`) is
        left out, as is the whole question when any sampled release with those names lacks
        `name` or the oldest sample lacks them."""
        if not (found and name and atlas.get("in_oldest")) or self.knowledge is None:
            return None
        try:
            kb = self.knowledge.atlas
            sample = kb.sampled(_distribution_of(module))
            with_found = [v for v in sample
                          if all(kb.lookup(module, n, v) is True for n in found)]
            if not sample or not with_found or with_found[0] != sample[0]:
                return None
            if any(kb.lookup(module, name, v) is not True for v in with_found):
                return None
        except Exception:  # an atlas of another format: no answer
            return None
        return {"imported_before": list(found),
                "first_release": f"keras {sample[0]} or earlier",
                "installed_older_than": f"keras {sample[0]}"}

    def _history(self, module: str, name: str) -> List[str]:
        """Sampled Keras releases whose `module` exports `name` (none without an atlas)."""
        try:
            kb = self.knowledge
            if kb is None:
                from keras_doctor import knowledge

                kb = self.knowledge = knowledge.load()
            return list(kb.atlas.versions_with(module, name))
        except Exception:  # no knowledge base in this build: no history
            return []

    def _left_within_keras2(self, module: str, name: str, history: List[str]
                            ) -> Optional[Dict[str, Any]]:
        """When the sampled history shows `name` (or a submodule of that name) in `module` from
        the oldest sampled Keras that has the module and gone while the module itself stays
        importable in later Keras 2 releases of the public layout (before 2.13 moved the code to
        keras/src, a move Keras 3 completed): where those releases export it instead. None when
        the history says anything else: a name added later is one an older Keras lacks, and a
        name gone only with the move to keras/src went with the reorganisation Keras 3 finished."""
        from packaging.version import Version

        try:
            if self.knowledge is None:  # (`_history` loaded it, when there is one)
                return None
            atlas = self.knowledge.atlas
            sample = atlas.sampled("keras")
            # the name as old as its module in the sample (keras.engine.base_layer begins at 2.2)
            first = next((v for v in sample if atlas.has_module(module, v)), None)
            if not sample or history[0] != first or history[-1] not in sample:
                return None
            private_since = Version(str(self.table.get("private_tree", {}).get("since", "2.13")))
            after = [v for v in sample[sample.index(history[-1]) + 1:]
                     if Version(v) < private_since and atlas.has_module(module, v)]
            if not after:
                return None
            where = [m for m in atlas.where(name, after[-1])
                     if "._v" not in m and not _PRIVATE.match(m)]
        except Exception:  # an atlas of another format: no answer
            return None
        found: Dict[str, Any] = {"last_release_with_it": f"keras {history[-1]}",
                                 "module_without_it": f"keras {after[0]} … {after[-1]}"}
        if where:
            found["moved_to"] = where[0]
        return found

    @staticmethod
    def _gone_within_keras2(
        atlas: Dict[str, Any], evidence: Dict[str, Any], keras3: bool, removed_cause: str
    ) -> List[Verdict]:
        """Gone before the last Keras 2 (keras.layers.merge after 2.8, keras.utils.np_utils after
        2.12): Keras 2 itself moved it, so Keras 3 is not what removed it. Where the newest Keras
        exports the name says where it went; either way the code was written for a Keras older
        than the one installed, which a release that still has the name runs as written."""
        evidence["last_release_with_it"] = f"keras {atlas['versions_with'][-1]}"
        if atlas.get("where"):
            evidence["moved_to"] = atlas["where"][0]
            return [Verdict("keras-api-moved", 0.75, evidence),
                    Verdict("dependency-too-new", 0.4, evidence),
                    Verdict(removed_cause, 0.35 if keras3 else 0.25, evidence)]
        return [Verdict("keras-api-moved", 0.6, evidence),
                Verdict("dependency-too-new", 0.5, evidence),
                Verdict(removed_cause, 0.45 if keras3 else 0.35, evidence)]

    @staticmethod
    def _absent_between(
        atlas: Dict[str, Any], evidence: Dict[str, Any], weight: float
    ) -> List[Verdict]:
        gap = atlas["absent_in"]
        evidence["absent_in"] = f"keras {gap[0]} … {gap[-1]}"
        if atlas.get("where_when_absent"):
            evidence["moved_to"] = atlas["where_when_absent"][0]
        return [
            Verdict("keras-api-moved", weight, evidence),
            Verdict("shadowed-module", 0.3, evidence),
            Verdict("keras-distributions-overlap", 0.25, evidence),
        ]

    def _installed_has(self, introduced: Dict[str, Any]) -> bool:
        """Whether the installed Keras (from the facts) is at least the release that added it."""
        from packaging.version import InvalidVersion, Version

        match = re.search(r"keras (\d[\w.]*)", introduced.get("first", ""))
        if not (match and self.keras_version):
            return False
        try:
            return Version(self.keras_version) >= Version(match.group(1))
        except InvalidVersion:
            return False

    # -- tables ------------------------------------------------------------------------------------

    def _entry(
        self, kind: str, module: str, name: Optional[str], full: str
    ) -> Optional[Dict[str, Any]]:
        for entry in self.table.get(kind, ()):
            if entry.get("name_pattern"):
                if module == entry["module"] and name and re.match(entry["name_pattern"], name):
                    return entry
            elif entry.get("name") is None:
                if full == entry["module"] or full.startswith(entry["module"] + "."):
                    return entry
            elif entry["name"] == name and module == entry["module"]:
                return entry
        return None

    def _introduced_in(self, name: str) -> Optional[Dict[str, Any]]:
        for pattern, entry in self._introduced:
            if pattern.match(name):
                return entry
        return None

    def _closest(self, name: str) -> Optional[str]:
        import difflib

        known = set(self.table.get("always_present", {}).get("keras", ()))
        for entry in self.table.get("removed_in_keras3", ()) + self.table.get("moved", ()):
            if entry.get("name"):
                known.add(entry["name"])
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        return close[0] if close and close[0] != name else None

    # -- knowledge base (pluggable) ----------------------------------------------------------------

    def _from_atlas(self, module: str, name: Optional[str]) -> Optional[Dict[str, Any]]:
        """What the knowledge base's symbol atlas says about `module.name`; None without one.

        Never fails the explanation: a missing data file or an unexpected answer is no answer."""
        if not name:
            return None
        try:
            kb = self.knowledge
            if kb is None:
                from keras_doctor import knowledge

                kb = self.knowledge = knowledge.load()
            atlas = kb.atlas
            version = self.keras_version or (atlas.sampled("keras") or [None])[-1]
            latest = (atlas.sampled("keras") or [None])[-1]
            keras2 = [v for v in atlas.sampled("keras") if v.startswith("2.")]
            submodule = f"{module}.{name}"
            versions_with = atlas.versions_with(module, name)
            root_sample = atlas.sampled(_distribution_of(module))
            gap = [
                v
                for v in root_sample
                if versions_with
                and v not in versions_with
                and root_sample.index(versions_with[0]) < root_sample.index(v)
                and root_sample.index(v) < root_sample.index(versions_with[-1])
            ] if versions_with and all(v in root_sample for v in versions_with) else []
            found: Dict[str, Any] = {
                "versions_with": versions_with,
                "in_latest": bool(latest and latest in versions_with),
                "module_in_keras2": atlas.has_module(submodule, keras2[-1]) if keras2 else None,
                "module_in_latest": atlas.has_module(submodule, latest) if latest else None,
                "where": atlas.where(name, version)[:5] if version else [],
                "closest": atlas.closest(module, name, version)[:3] if version else [],
                "checked_against": f"keras {version}" if version else None,
                "last_keras2": keras2[-1] if keras2 else None,
                "first_keras3": next((v for v in atlas.sampled("keras")
                                      if not v.startswith(("0.", "1.", "2."))), None),
                "in_oldest": bool(
                    root_sample and versions_with and versions_with[0] == root_sample[0]
                ),
                "absent_in": gap,
                "where_when_absent": [w for w in atlas.where(name, gap[0]) if "._v" not in w][:3]
                if gap
                else [],
            }
            internal = _internal_to(atlas, module, name, versions_with)
            if internal:
                found["internal_helper"] = internal
            removal = kb.keras3_removed(module, name)
            if removal:
                found["keras3_removed"] = removal
        except Exception:  # no knowledge base in this build, or another data format
            return None
        return {k: _plain(v) for k, v in found.items() if v not in (None, [], "")}


_PUBLIC_TREE = "keras.api._v2.keras"  # Keras 2.6-2.15's generated public API


def _internal_to(atlas: Any, module: str, name: str, versions_with: List[str]) -> List[str]:
    """The implementation modules that hold `name` when no sampled release that has it exports it
    publicly (its `keras.api._v2` tree in Keras 2.6-2.15; every module the atlas reads of Keras 3
    is public), judged only on releases with such a tree; [] otherwise, and for a submodule
    (`keras.utils.tf_utils`), which code imports by its path."""
    if any(not v.startswith(("0.", "1.", "2.")) for v in versions_with):
        return []  # a Keras 3 has it, and Keras 3's modules are all public
    holders: List[str] = []
    for version in [v for v in versions_with if atlas.has_module(_PUBLIC_TREE, v)]:
        where = atlas.where(name, version)
        if atlas.has_module(f"{module}.{name}", version) or any(
            m.startswith(_PUBLIC_TREE) for m in where
        ):
            return []
        holders += [m for m in where if m not in holders]
    return holders


def _distribution_of(module: str) -> str:
    return "tf-keras" if module.split(".")[0] == "tf_keras" else "keras"


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in list(value.items())[:20]}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in list(value)[:20]]
    to_dict = getattr(value, "to_dict", None)
    return _plain(to_dict()) if callable(to_dict) else str(value)
