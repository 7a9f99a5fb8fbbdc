"""Writing the builder's data files: one compact, time-stamped JSON document each.

Apart from the driver (`__init__.py`) so that every part of the builder can write and read back its
files without importing the driver that calls it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_json(out_dir: Path, relative: str, document: Dict[str, Any]) -> Path:
    """Write one compact data file, stamped with `generated_at`."""
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = {"generated_at": now_iso(), **document}
    path.write_text(
        json.dumps(stamped, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path


def read_previous(path: Path) -> Optional[Dict[str, Any]]:
    """An earlier version of a data file in the output folder, to build on incrementally."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
