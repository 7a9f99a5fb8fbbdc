"""The signature catalog: `knowledge/signatures.json`, loaded and compiled once per process.

Signatures are data (with the reports they were learned from), so this module only reads and
compiles them. Compiling ~100 patterns costs a few milliseconds; it happens on first use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Optional, Pattern, Sequence, Tuple

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "signatures.json"


@dataclass(frozen=True)
class Signature:
    id: str
    cause: str
    weight: float
    any: Tuple[Pattern[str], ...]
    all: Tuple[Pattern[str], ...]
    none: Tuple[Pattern[str], ...]
    resolve: Optional[str]
    mechanism: str
    sources: Tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    signatures: Tuple[Signature, ...]
    keras_names: Dict[str, Any]


def _compile(patterns: Sequence[str], flags: int) -> Tuple[Pattern[str], ...]:
    return tuple(re.compile(p, flags | re.MULTILINE) for p in patterns)


@cache
def load(path: Optional[str] = None) -> Catalog:
    document = json.loads(Path(path or DATA).read_text(encoding="utf-8"))
    signatures = []
    for raw in document["signatures"]:
        flags = re.IGNORECASE if raw.get("ignore_case") else 0
        signatures.append(
            Signature(
                id=raw["id"],
                cause=raw["cause"],
                weight=float(raw["weight"]),
                any=_compile(raw["any"], flags),
                all=_compile(raw.get("all", ()), flags),
                none=_compile(raw.get("none", ()), flags),
                resolve=raw.get("resolve"),
                mechanism=raw.get("mechanism", ""),
                sources=tuple(raw.get("sources", ())),
            )
        )
    return Catalog(tuple(signatures), document.get("keras_names", {}))
