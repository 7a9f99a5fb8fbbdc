"""What every part of keras-doctor reports: findings, passes and skipped checks.

`check`, `explain` and `verify` all end in the same structure, so one set of renderers, one
exit-code policy and one plan builder serve them all. A finding is data, never prose only: a stable
cause ID, the evidence that proves it, and the fix as exact steps a program could run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class StepKind(str, enum.Enum):
    RUN = "run"  # run `command` (an argv list)
    ENV = "env"  # set an environment variable: `command` is the shell line shown, never run for you
    EDIT = "edit"  # change a file (rename, delete, rewrite): `target` names it
    MANUAL = "manual"  # something only a person can do (install a Python, change a setting)


@dataclass(frozen=True)
class FixStep:
    """One step of a fix.

    `destructive` marks a step that removes or rewrites something of the user's (uninstall, delete,
    rename, purge): such a step is never applied without consent.
    """

    description: str
    kind: StepKind = StepKind.MANUAL
    command: Optional[Sequence[str]] = None
    target: Optional[str] = None
    destructive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "kind": self.kind.value,
            "command": list(self.command) if self.command is not None else None,
            "target": self.target,
            "destructive": self.destructive,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FixStep:
        command = data.get("command")
        return cls(
            description=data["description"],
            kind=StepKind(data.get("kind", "manual")),
            command=tuple(command) if command is not None else None,
            target=data.get("target"),
            destructive=bool(data.get("destructive", False)),
        )


@dataclass(frozen=True)
class Finding:
    """A problem, with its cause ID, the evidence that proves it, and how to fix it.

    `evidence` holds JSON-serialisable values only (paths, versions, architectures, owners).
    `confidence` is set by `explain`, where several causes can fit one error text.
    """

    cause: str
    severity: Severity
    title: str
    explanation: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    fix: Sequence[FixStep] = ()
    check: str = ""
    confidence: Optional[float] = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "cause": self.cause,
            "severity": self.severity.value,
            "title": self.title,
            "explanation": self.explanation,
            "evidence": dict(self.evidence),
            "fix": [step.to_dict() for step in self.fix],
            "check": self.check,
        }
        if self.confidence is not None:
            data["confidence"] = round(self.confidence, 3)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            cause=data["cause"],
            severity=Severity(data["severity"]),
            title=data["title"],
            explanation=data.get("explanation", ""),
            evidence=dict(data.get("evidence", {})),
            fix=tuple(FixStep.from_dict(step) for step in data.get("fix", ())),
            check=data.get("check", ""),
            confidence=data.get("confidence"),
        )


@dataclass(frozen=True)
class Passed:
    """A check that ran and found nothing wrong, with what it looked at (shown with `-v`)."""

    check: str
    area: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "area": self.area, "message": self.message}


@dataclass(frozen=True)
class Skipped:
    """A check that could not run on these facts, and why (a result with a reason, not an error)."""

    check: str
    area: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "area": self.area, "reason": self.reason}


@dataclass
class Report:
    """The outcome of one doctor run: what a renderer shows and what decides the exit code."""

    command: str
    findings: list[Finding] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    target: Mapping[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def worst(self) -> Optional[Severity]:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def fails(self, threshold: Severity) -> bool:
        return any(f.severity.rank >= threshold.rank for f in self.findings)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts
