"""The real-report corpus and its fixed split, shared by the accuracy test and the benchmark."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Dict, List

CASES = Path(__file__).parent / "corpus" / "cases.jsonl"


def load() -> List[Dict[str, str]]:
    with CASES.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def case(case_id: str) -> Dict[str, str]:
    """The corpus report with this id (KeyError when there is none)."""
    found = next((row for row in load() if row["id"] == case_id), None)
    if found is None:
        raise KeyError(case_id)
    return found


def held_out(case_id: str) -> bool:
    """A fifth of the cases, chosen by a hash of the id, that signature work never tunes against."""
    return int(hashlib.sha1(case_id.encode()).hexdigest(), 16) % 5 == 0
