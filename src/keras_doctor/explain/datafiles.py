"""The knowledge files explain reads itself, each parsed once per process.

Explain reads a few tables (the TF1 API, the add-ons' ops, pip's platform tags) directly rather
than through `keras_doctor.knowledge`, whose loader compares copies and costs more to import than
an explanation. A missing or unreadable file reads as empty: the explanation then rests on what
the rest of the knowledge says.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Dict

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
DATA = KNOWLEDGE / "data"


@cache
def read(path: Path) -> Dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def first_source(document: Dict[str, Any], path: Path) -> str:
    """The first source a data file cites, which an answer's evidence names; the file itself
    (`knowledge/data/tf1_api.json`) when it cites none or could not be read."""
    sources = document.get("sources") or [path.relative_to(KNOWLEDGE.parent).as_posix()]
    return str(sources[0])
