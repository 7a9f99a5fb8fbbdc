"""Run the signature catalog over cleaned text and collect what each match extracted.

A signature fires when one of its `any` patterns matches, every `all` pattern matches and no `none`
pattern does. Named groups become evidence (deduplicated, in order of appearance); the position of
the last match is kept because the last error in a paste is usually the one the user saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from keras_doctor.explain.catalog import Catalog, Signature

MAX_MATCHES_PER_PATTERN = 25
MAX_VALUES_PER_GROUP = 8
MAX_EXCERPT = 500  # characters of the matched text a finding quotes (pip's lists run longer)


@dataclass
class SignatureMatch:
    signature: Signature
    groups: Dict[str, List[str]] = field(default_factory=dict)
    last_position: int = 0
    excerpt: str = ""

    def first(self, name: str) -> str:
        values = self.groups.get(name)
        return values[0] if values else ""

    def last(self, name: str) -> str:
        values = self.groups.get(name)
        return values[-1] if values else ""


def run(catalog: Catalog, text: str) -> List[SignatureMatch]:
    matches = []
    for signature in catalog.signatures:
        found = _match(signature, text)
        if found is not None:
            matches.append(found)
    return matches


def matches(signature: Signature, text: str) -> bool:
    """Whether the signature fires on the text."""
    return _match(signature, text) is not None


def _match(signature: Signature, text: str) -> Optional[SignatureMatch]:
    if not signature.applies_to(text):
        return None
    patterns = signature.patterns
    if any(p.search(text) for p in patterns.none):
        return None
    if not all(p.search(text) for p in patterns.all):
        return None
    result = SignatureMatch(signature)
    hit = False
    for pattern in patterns.any:
        for count, m in enumerate(pattern.finditer(text)):
            if count >= MAX_MATCHES_PER_PATTERN:
                break
            hit = True
            if m.end() >= result.last_position:
                result.last_position = m.end()
                result.excerpt = m.group(0)[:MAX_EXCERPT]
            for name, value in m.groupdict().items():
                if value is None:
                    continue
                value = value.strip()
                values = result.groups.setdefault(name, [])
                if value and value not in values and len(values) < MAX_VALUES_PER_GROUP:
                    values.append(value)
    return result if hit else None
