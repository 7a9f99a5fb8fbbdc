"""The environment a fix changes, seen through the one reader of environments: `facts/`.

`fix` must snapshot exactly what `check` saw, so it asks the target interpreter the same probe
(`facts.collect.run_probe`) and reads its site-packages with the same reader
(`facts.distributions.scan`: `.dist-info` and `.egg-info` alike). All paths here are real paths
(links resolved once, when the target is read), because the snapshot and the restore compare and
write paths, and a path that changes meaning between the two is how files end up elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from keras_doctor.facts import collect, distributions, interpreter
from keras_doctor.facts.model import Distribution, Leftover


class TargetUnreadable(RuntimeError):
    """The target interpreter cannot be examined, so nothing may be changed in it."""


@dataclass
class Target:
    python: str
    prefix: str  # real path: the environment; nothing outside it is ever written
    site_dirs: List[str]  # real paths of the folders the installers write into
    externally_managed: Optional[str] = None

    @property
    def roots(self) -> List[str]:
        return [*self.site_dirs, self.prefix]


def read_target(python: str) -> Target:
    try:
        answer = collect.run_probe(python)
        facts = interpreter.from_probe(answer, {})
    except (collect.TargetError, KeyError, TypeError) as exc:
        raise TargetUnreadable(str(exc)) from exc
    site_dirs = [os.path.realpath(d) for d in distributions.unique_site_dirs(facts.site_packages)]
    return Target(python=python, prefix=os.path.realpath(facts.prefix or ""),
                  site_dirs=site_dirs, externally_managed=facts.externally_managed)


def installed(site_dirs: List[str], notes: Optional[List[str]] = None,
              ) -> Tuple[List[Distribution], List[Leftover]]:
    """Every distribution in `site_dirs`; what could be read only in part is added to `notes`."""
    return distributions.scan(site_dirs, notes)


def versions(dists: List[Distribution]) -> Dict[str, List[str]]:
    """{canonical name: [versions]}: a list, because a broken environment can hold two."""
    table: Dict[str, List[str]] = {}
    for dist in dists:
        table.setdefault(dist.canonical_name, []).append(dist.version)
    return {name: sorted(vs) for name, vs in sorted(table.items())}


def inside(path: str, roots: List[str]) -> bool:
    """Whether `path` lies lexically inside one of `roots` (all absolute and normalised)."""
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def real_parent_inside(path: str, roots: List[str]) -> bool:
    """Whether `path`'s folder, links resolved, is still inside `roots`: writing there is safe."""
    return inside(os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path)),
                  roots)
