"""The steps of a verify (or fix) run, as `report.extra["steps"]` carries them.

Steps arrive as plain dictionaries (`name`, `title`, `status`, `seconds`, `data`, `reason`) from a
driver running in another interpreter, so their status words vary: every format maps them to
passed, failed or skipped here, the same way.
"""

from __future__ import annotations

from typing import Any, List, Mapping

from keras_doctor.findings import Report

STEP_STATUS_OK = frozenset({"ok", "passed", "pass", "success", "succeeded", "done", "applied"})
# A step still "running" when the report was written never finished: the run was cut short.
STEP_STATUS_FAILED = frozenset(
    {"failed", "fail", "error", "timeout", "crashed", "died", "killed", "running"}
)
STEP_STATUS_SKIPPED = frozenset({"skipped", "skip", "not-run", "not_run"})


def report_steps(report: Report) -> List[Mapping[str, Any]]:
    steps = report.extra.get("steps") if isinstance(report.extra, Mapping) else None
    if not isinstance(steps, list):
        return []
    return [step for step in steps if isinstance(step, Mapping)]


def step_name(step: Mapping[str, Any]) -> str:
    return str(step.get("title") or step.get("name") or "?")


def step_status(step: Mapping[str, Any]) -> str:
    """Normalise a step's status to `passed`, `failed`, `skipped` or `info`."""
    status = str(step.get("status", "")).lower()
    if status in STEP_STATUS_OK:
        return "passed"
    if status in STEP_STATUS_FAILED:
        return "failed"
    if status in STEP_STATUS_SKIPPED:
        return "skipped"
    return "info"


def seconds_text(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return ""
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"
