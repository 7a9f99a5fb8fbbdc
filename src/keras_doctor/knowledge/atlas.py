"""The Keras symbol atlas: which public names each Keras module has, in which releases.

Built statically from real wheels (`knowledge/build/atlas.py`), for a sample of keras 2.x, every
Keras 3 minor and tf-keras. Stored compactly: one interned name list, and per module the spans of
sampled versions where each name exists. Queried per (module, name, version), for "where does this
name live in that version" and for the closest name to a typo.

A version that was not sampled is answered from its sampled neighbours when they agree (and share
its major.minor when only one exists); otherwise the answer is None: unknown, never a guess.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from typing import Any, Dict, List, Optional, Sequence, Tuple

from packaging.version import Version

# Top-level import name → the distribution whose versions index it.
ROOTS = {"keras": "keras", "tf_keras": "tf-keras"}


def parse_spans(text: str) -> List[int]:
    """ "0-3,7" → [0, 1, 2, 3, 7]."""
    out: List[int] = []
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def format_spans(indexes: Sequence[int]) -> str:
    spans: List[str] = []
    run: List[int] = []
    for i in sorted(set(indexes)):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            spans.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [i]
    if run:
        spans.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(spans)


class Atlas:
    def __init__(self, data: Dict[str, Any]):
        self.data = data
        self.versions: Dict[str, List[Version]] = {
            dist: [Version(v) for v in versions] for dist, versions in data["versions"].items()
        }
        self._names: List[str] = data["names"]
        self._modules: Dict[str, Dict[str, Any]] = data["modules"]
        self._present: Dict[str, frozenset] = {
            module: frozenset(parse_spans(entry["in"])) for module, entry in self._modules.items()
        }
        self._decoded: Dict[str, Dict[str, frozenset]] = {}
        # Answers asked again and again by one explanation (and by every report of a batch):
        # computed once from the data above, which never changes after loading.
        self._sampled: Dict[str, List[str]] = {
            dist: [str(v) for v in versions] for dist, versions in self.versions.items()
        }
        self._holders: Dict[str, Dict[str, List[str]]] = {}  # root -> name -> modules that have it
        self._names_at: Dict[Tuple[str, int], List[str]] = {}

    # -- questions -------------------------------------------------------------------------------

    def sampled(self, distribution: str) -> List[str]:
        return list(self._sampled.get(distribution, ()))

    def has_module(self, module: str, version: str) -> Optional[bool]:
        """Can `module` be imported in this version? None when the atlas cannot tell."""
        return self._answer(module, version, lambda i: self._module_at(module, i))

    def lookup(self, module: str, name: str, version: str) -> Optional[bool]:
        """Does `from module import name` work in this version? None when the atlas cannot tell."""
        unresolved = self._unresolved(module)

        def present(i: int) -> Optional[bool]:
            listed = self._module_at(module, i)
            if not listed:
                return listed
            found = i in self._decode(module).get(name, frozenset())
            # a star import the wheel cannot show (Keras 2.4's `from tensorflow.keras.utils import
            # *`) hides only absences: what the module binds itself, or its submodules, imports
            return True if found else (None if i in unresolved else False)

        return self._answer(module, version, present)

    def _module_at(self, module: str, index: int) -> Optional[bool]:
        """Is `module` listed at sample `index`? When not: absent if its parent module lacks the
        name, else unknown (old Keras source trees are read only under common public prefixes)."""
        if index in self._present.get(module, ()):
            return True
        parent, _, child = module.rpartition(".")
        if not parent:
            return False
        if index not in self._present.get(parent, ()):
            return None if self._module_at(parent, index) is None else False
        if index in self._unresolved(parent) or index in self._decode(parent).get(child, ()):
            return None  # the parent has that name: a module we did not read, or an attribute
        return False

    def is_stub(self, module: str, name: str, version: str) -> Optional[bool]:
        """True when the name imports but is a placeholder that raises on use (Keras 3 legacy)."""
        stubs = {
            self._names[i]: frozenset(parse_spans(s))
            for i, s in self._modules.get(module, {}).get("stubs", ())
        }
        return self._answer(module, version, lambda i: i in stubs.get(name, frozenset()))

    def names(self, module: str, version: str) -> Optional[List[str]]:
        index = self._sample_index(module, version)
        if index is None or index in self._unresolved(module):
            return None
        names = self._names_at.get((module, index))
        if names is None:
            names = sorted(n for n, where in self._decode(module).items() if index in where)
            self._names_at[module, index] = names
        return list(names)

    def modules(self, version: str, root: str = "keras") -> List[str]:
        index = self._sample_index(root, version)
        if index is None:
            return []
        return sorted(m for m in self._modules if _root(m) == root and index in self._present[m])

    def where(self, name: str, version: str, root: str = "keras") -> List[str]:
        """Every module of `root` that exports `name` in `version` (shortest paths first)."""
        index = self._sample_index(root, version)
        if index is None:
            return []
        found = [
            m
            for m in self._modules_holding(name, root)
            if index in self._decode(m)[name]
        ]
        return sorted(found, key=lambda m: (m.count("."), m))

    def closest(self, module: str, name: str, version: str, n: int = 3) -> List[str]:
        """Names of `module` in `version` that look like `name` (typos: `Resnet50` → ResNet50)."""
        names = self.names(module, version) or []
        same_letters = [c for c in names if c.lower() == name.lower()]
        if same_letters:  # `Resnet50` → ResNet50 (the class) before resnet50 (the module)
            return sorted(
                same_letters,
                key=lambda c: (
                    c[:1].isupper() != name[:1].isupper(),
                    -difflib.SequenceMatcher(None, c, name).ratio(),
                ),
            )
        return difflib.get_close_matches(name, names, n=n, cutoff=0.6)

    def versions_with(self, module: str, name: str) -> List[str]:
        """The sampled versions whose `module` exports `name` (for "needs keras >= X")."""
        dist = ROOTS.get(_root(module))
        where = self._decode(module).get(name, frozenset()) if module in self._modules else ()
        return [str(self.versions[dist][i]) for i in sorted(where)] if dist else []

    # -- internals -------------------------------------------------------------------------------

    def _locate(self, module: str, version: str) -> Optional[Tuple[List[Version], Version, int]]:
        """The sampled versions of the module's distribution, the wanted one, and where it falls."""
        dist = ROOTS.get(_root(module))
        if dist is None or dist not in self.versions:
            return None
        samples = self.versions[dist]
        wanted = Version(version)
        return samples, wanted, bisect_left(samples, wanted)

    def _answer(self, module: str, version: str, present) -> Optional[bool]:  # type: ignore[no-untyped-def]
        located = self._locate(module, version)
        if located is None:
            return None
        samples, wanted, at = located
        if at < len(samples) and samples[at] == wanted:
            return present(at)
        neighbours = [i for i in (at - 1, at) if 0 <= i < len(samples)]
        same_minor = [i for i in neighbours if samples[i].release[:2] == wanted.release[:2]]
        if len(neighbours) == 2 and same_minor:
            answers = {present(i) for i in neighbours}
            return answers.pop() if len(answers) == 1 else None
        if len(same_minor) == 1:
            return present(same_minor[0])
        return None

    def _sample_index(self, module: str, version: str) -> Optional[int]:
        located = self._locate(module, version)
        if located is None:
            return None
        samples, wanted, at = located
        if at < len(samples) and samples[at] == wanted:
            return at
        below = at - 1
        if below >= 0 and samples[below].release[:2] == wanted.release[:2]:
            return below
        if at < len(samples) and samples[at].release[:2] == wanted.release[:2]:
            return at
        return None

    def _decode(self, module: str) -> Dict[str, frozenset]:
        decoded = self._decoded.get(module)
        if decoded is None:
            entry = self._modules.get(module, {})
            decoded = {
                self._names[i]: frozenset(parse_spans(spans)) for i, spans in entry.get("names", ())
            }
            self._decoded[module] = decoded
        return decoded

    def _modules_holding(self, name: str, root: str) -> List[str]:
        """Every module of `root` that exports `name` in some sampled version (an index over the
        root's modules, built on its first question: `where` would otherwise decode and scan
        every module of the root each time)."""
        holders = self._holders.get(root)
        if holders is None:
            holders = self._holders[root] = {}
            for module in self._modules:
                if _root(module) == root:
                    for held in self._decode(module):
                        holders.setdefault(held, []).append(module)
        return holders.get(name, [])

    def _unresolved(self, module: str) -> frozenset:
        entry = self._modules.get(module)
        if entry is None:
            return frozenset()
        return frozenset(parse_spans(entry.get("unresolved", "")))


# What `tensorflow.keras` is, per TensorFlow's lazy loader (tensorflow/python/util/lazy_loader.py,
# KerasLazyLoader, and tensorflow/api_template.__init__.py of r2.6-r2.21): TF 2.6-2.15 load
# keras.api._v2.keras from the keras 2.x distribution; TF 2.16+ load keras._tf_keras.keras from
# Keras 3, or tf_keras.api._v2.keras when TF_USE_LEGACY_KERAS selects tf_keras.
TF_KERAS_ROOTS = {"keras2": "keras.api._v2.keras", "keras3": "keras._tf_keras.keras",
                  "tf_keras": "tf_keras.api._v2.keras"}


def tf_keras_module(module: str, keras_version: str, legacy: bool = False) -> Optional[str]:
    """The atlas module behind `tensorflow.keras…` for the Keras that TensorFlow will load:
    `keras_version` is the installed keras (or tf-keras when `legacy`). None when TensorFlow
    uses its own bundled copy (keras < 2.6), which the atlas does not cover."""
    if module != "tensorflow.keras" and not module.startswith("tensorflow.keras."):
        return None
    rest = module[len("tensorflow.keras"):]
    release = Version(keras_version).release
    if legacy:
        root = TF_KERAS_ROOTS["tf_keras"]
    elif release >= (3, 0):
        root = TF_KERAS_ROOTS["keras3"]
    elif release >= (2, 6):
        root = TF_KERAS_ROOTS["keras2"]
    else:
        return None
    return root + rest


def _root(module: str) -> str:
    return module.split(".", 1)[0]

