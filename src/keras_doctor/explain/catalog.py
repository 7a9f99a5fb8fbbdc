"""The signature catalog: `knowledge/signatures.json`, loaded and compiled once per process.

Signatures are data (with the reports they were learned from), so this module only reads them.
Compiling every pattern up front would cost more than the whole explanation, so a signature's
patterns are made the first time its plain-text `hints` occur in an input, and each is compiled
when it is first searched (`lazyre`): a signature whose `none` pattern matches, or whose `all`
pattern does not, never compiles the rest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Optional, Pattern, Sequence, Tuple

from keras_doctor.explain import lazyre

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "signatures.json"


@dataclass(frozen=True)
class Patterns:
    any: Tuple[Pattern[str], ...]
    all: Tuple[Pattern[str], ...]
    none: Tuple[Pattern[str], ...]


@dataclass(frozen=True)
class Signature:
    id: str
    cause: str
    weight: float
    hints: Tuple[str, ...]
    raw: Dict[str, Any]
    resolve: Optional[str]
    mechanism: str
    sources: Tuple[str, ...]
    # report threads the message was met in, not learnt from (its wording cites the file that
    # prints it): a strict measurement leaves these out with their repositories too
    seen_in: Tuple[str, ...] = ()

    def applies_to(self, text: str) -> bool:
        return not self.hints or any(hint in text for hint in self.hints)

    @property
    def patterns(self) -> Patterns:
        return _patterns(self.id, self.raw)


@cache
def _patterns_cached(
    key: str, flags: int, any_: Tuple[str, ...], all_: Tuple[str, ...], none: Tuple[str, ...]
) -> Patterns:
    return Patterns(_compile(any_, flags), _compile(all_, flags), _compile(none, flags))


def _patterns(key: str, raw: Dict[str, Any]) -> Patterns:
    flags = re.IGNORECASE if raw.get("ignore_case") else 0
    return _patterns_cached(
        key, flags, tuple(raw["any"]), tuple(raw.get("all", ())), tuple(raw.get("none", ()))
    )


@dataclass(frozen=True)
class Catalog:
    signatures: Tuple[Signature, ...]
    keras_names: Dict[str, Any]


def _compile(patterns: Sequence[str], flags: int) -> Tuple[Pattern[str], ...]:
    return tuple(lazyre.compile(p, flags | re.MULTILINE) for p in patterns)


@cache
def load(path: Optional[str] = None) -> Catalog:
    document = json.loads(Path(path or DATA).read_text(encoding="utf-8"))
    signatures = []
    for raw in document["signatures"]:
        signatures.append(
            Signature(
                id=raw["id"],
                cause=raw["cause"],
                weight=float(raw["weight"]),
                hints=tuple(raw.get("hints", ())),
                raw=raw,
                resolve=raw.get("resolve"),
                mechanism=raw.get("mechanism", ""),
                sources=tuple(raw.get("sources", ())),
                seen_in=tuple(raw.get("seen_in", ())),
            )
        )
    return Catalog(tuple(signatures), document.get("keras_names", {}))
