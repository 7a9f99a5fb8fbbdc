"""The JSON report: the stable, versioned schema that scripts and CI read (docs/output.md).

Field order is fixed here, findings are exactly `Finding.to_dict()` (so `Finding.from_dict` reads
them back), and the output is UTF-8 with non-ASCII text kept as is. Bump REPORT_VERSION on any
change that could break a reader; adding a key is not such a change. This module must never import
`rich`: it is the fast path of `check --json`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
from typing import Any, Dict

from keras_doctor.findings import Report
from keras_doctor.render import view

REPORT_VERSION = 1


def to_document(report: Report) -> Dict[str, Any]:
    from keras_doctor.version import __version__

    return {
        "report_version": REPORT_VERSION,
        "command": report.command,
        "doctor_version": __version__,
        "target": dict(report.target),
        "summary": view.summary_counts(report),
        "findings": [finding.to_dict() for finding in view.ordered(report)],
        "passed": [passed.to_dict() for passed in report.passed],
        "skipped": [skipped.to_dict() for skipped in report.skipped],
        "extra": dict(report.extra),
    }


def dumps(report: Report) -> str:
    return json.dumps(to_document(report), indent=2, ensure_ascii=False, default=_plain) + "\n"


def _plain(value: Any) -> Any:
    """JSON for the odd value a producer left in evidence or extra (paths, sets, enums, tuples)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        to_dict = getattr(value, "to_dict", None)
        return to_dict() if callable(to_dict) else dataclasses.asdict(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
