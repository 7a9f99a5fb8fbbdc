"""Queries over the installed distributions that many checks share.

Python imports the first copy of a distribution on sys.path, so "the installed version" means the
first one found in sys.path order; the other copies are what `duplicate-install` reports.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from packaging.version import InvalidVersion, Version

from keras_doctor.facts.model import Distribution, Facts
from keras_doctor.knowledge.compat_rules import TF_FAMILY


class Installed:
    def __init__(self, facts: Facts):
        self.first: Dict[str, Distribution] = {}
        self.copies: Dict[str, List[Distribution]] = {}
        for dist in facts.distributions:
            self.copies.setdefault(dist.canonical_name, []).append(dist)
            if dist.error is None:
                self.first.setdefault(dist.canonical_name, dist)

    def get(self, name: str) -> Optional[Distribution]:
        return self.first.get(name)

    def version(self, name: str) -> Optional[Version]:
        dist = self.first.get(name)
        return parse_version(dist.version) if dist else None

    def tensorflow(self) -> List[Distribution]:
        """The TensorFlow distributions present (more than one is itself a problem)."""
        return [d for n, d in self.first.items() if n in TF_FAMILY]


def parse_version(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None

