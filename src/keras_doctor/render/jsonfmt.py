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

    findings = view.ordered(report)
    return {
        "report_version": REPORT_VERSION,
        "command": report.command,
        "doctor_version": __version__,
        "target": dict(report.target),
        "summary": view.summary_counts(report),
        "findings": [finding.to_dict() for finding in findings],
        "passed": [passed.to_dict() for passed in report.passed],
        "skipped": [skipped.to_dict() for skipped in report.skipped],
        "extra": dict(report.extra),
        "groups": _groups(report, findings),
        "next": view.next_hint(report) or None,
    }


def _groups(report: Report, findings: list) -> list:
    """The blocks every format shows (render/groups.py), by position in `findings`."""
    if view.is_ranked(report):
        return []
    from keras_doctor.render.groups import build_blocks

    position = {id(finding): index for index, finding in enumerate(findings)}
    return [{
        "root": position[id(block.root)],
        "severity": block.worst.value,
        "same_fix": [position[id(f)] for f in block.same_fix],
        "consequences": [position[id(f)] for f in block.consequences],
        "fix": [step.to_dict() for step in block.fix],
        "fix_is_plan": block.from_plan,
    } for block in build_blocks(report)]


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
