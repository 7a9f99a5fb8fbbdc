"""What `keras-doctor fix` intends to do, as data: shown, saved in a journal, and replayed.

The same structure is printed by a dry run, written by `--json`, stored at the head of a transaction
journal and read back by `--resume`, so it round-trips through plain JSON. A step that the doctor
cannot or must not run (a Python to install, a variable for the user's profile) is still part of the
plan: as a `SkippedStep` with its reason, or as a step that `apply` shows instead of running.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

PLAN_FORMAT = 1  # bump on an incompatible change of the JSON below


class StepKind(str, enum.Enum):
    UNINSTALL = "uninstall"
    INSTALL = "install"
    RENAME = "rename"  # path -> dest, done by the engine itself (no shell, no argv)
    DELETE_FILE = "delete-file"  # moved into the transaction stash, so rollback can bring it back
    SET_ENV = "set-env"  # shown as `shell_line`, never written anywhere for the user
    PURGE_CACHE = "purge-cache"  # argv of the installer's own cache command; not reversible
    NEW_VENV = "new-venv"  # argv creating the environment at `dest`


class PlanStatus(str, enum.Enum):
    OK = "ok"
    UNRESOLVABLE = "unresolvable"  # the resolver found no consistent set: nothing is touched
    REFUSED = "refused"  # an in-place change the doctor must not make (externally managed, …)


# Kinds the engine runs; a SET_ENV step is advice and is only shown.
RUNNABLE_KINDS = frozenset(
    {StepKind.UNINSTALL, StepKind.INSTALL, StepKind.RENAME, StepKind.DELETE_FILE,
     StepKind.PURGE_CACHE, StepKind.NEW_VENV}
)


@dataclass(frozen=True)
class PlannedStep:
    """One step, tied to the finding causes it resolves.

    `names` are canonical distribution names the step changes (what a snapshot must cover);
    `pins` the exact `name==version` it installs.
    """

    kind: StepKind
    summary: str
    argv: Optional[List[str]] = None
    destructive: bool = False
    resolves: List[str] = field(default_factory=list)
    names: List[str] = field(default_factory=list)
    pins: List[str] = field(default_factory=list)
    path: Optional[str] = None
    dest: Optional[str] = None
    shell_line: Optional[str] = None

    @property
    def runnable(self) -> bool:
        return self.kind in RUNNABLE_KINDS

    def to_dict(self) -> Dict[str, Any]:
        return {
            "kind": self.kind.value,
            "summary": self.summary,
            "argv": list(self.argv) if self.argv is not None else None,
            "destructive": self.destructive,
            "resolves": list(self.resolves),
            "names": list(self.names),
            "pins": list(self.pins),
            "path": self.path,
            "dest": self.dest,
            "shell_line": self.shell_line,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlannedStep:
        argv = data.get("argv")
        return cls(
            kind=StepKind(data["kind"]),
            summary=data["summary"],
            argv=[str(a) for a in argv] if argv is not None else None,
            destructive=bool(data.get("destructive")),
            resolves=list(data.get("resolves", [])),
            names=list(data.get("names", [])),
            pins=list(data.get("pins", [])),
            path=data.get("path"),
            dest=data.get("dest"),
            shell_line=data.get("shell_line"),
        )


@dataclass(frozen=True)
class SkippedStep:
    """A fix the plan cannot carry out itself, with the reason and what a person should do."""

    cause: str
    reason: str
    advice: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return {"cause": self.cause, "reason": self.reason, "advice": list(self.advice)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SkippedStep:
        return cls(data["cause"], data.get("reason", ""), list(data.get("advice", [])))


@dataclass(frozen=True)
class PlanTarget:
    """The environment a plan is for, and the platform/Python its pins were resolved for."""

    python: Optional[str]
    platform: str
    python_version: str  # "X.Y"
    prefix: Optional[str] = None
    externally_managed: Optional[str] = None
    installer: Optional[str] = None  # "uv" | "pip"

    def to_dict(self) -> Dict[str, Any]:
        return {
            "python": self.python,
            "platform": self.platform,
            "python_version": self.python_version,
            "prefix": self.prefix,
            "externally_managed": self.externally_managed,
            "installer": self.installer,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanTarget:
        return cls(
            python=data.get("python"),
            platform=data["platform"],
            python_version=data["python_version"],
            prefix=data.get("prefix"),
            externally_managed=data.get("externally_managed"),
            installer=data.get("installer"),
        )


@dataclass
class Plan:
    target: PlanTarget
    status: PlanStatus = PlanStatus.OK
    reason: Optional[str] = None
    steps: List[PlannedStep] = field(default_factory=list)
    skipped: List[SkippedStep] = field(default_factory=list)
    requirements: List[str] = field(default_factory=list)  # what was asked of the resolver
    resolved: Dict[str, str] = field(default_factory=dict)  # canonical name -> exact version
    resolver: Optional[str] = None  # "uv" | "pip"
    resolver_limitation: Optional[str] = None
    resolves: List[str] = field(default_factory=list)  # cause IDs of the findings it fixes

    @property
    def ok(self) -> bool:
        return self.status is PlanStatus.OK

    @property
    def touched_names(self) -> List[str]:
        """Every distribution any step may change: what a snapshot must cover."""
        seen: Dict[str, None] = {}
        for step in self.steps:
            if step.kind in (StepKind.INSTALL, StepKind.UNINSTALL):
                for name in step.names:
                    seen.setdefault(name, None)
        return list(seen)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "target": self.target.to_dict(),
            "status": self.status.value,
            "reason": self.reason,
            "steps": [s.to_dict() for s in self.steps],
            "skipped": [s.to_dict() for s in self.skipped],
            "requirements": list(self.requirements),
            "resolved": dict(self.resolved),
            "resolver": self.resolver,
            "resolver_limitation": self.resolver_limitation,
            "resolves": list(self.resolves),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            target=PlanTarget.from_dict(data["target"]),
            status=PlanStatus(data.get("status", "ok")),
            reason=data.get("reason"),
            steps=[PlannedStep.from_dict(s) for s in data.get("steps", [])],
            skipped=[SkippedStep.from_dict(s) for s in data.get("skipped", [])],
            requirements=list(data.get("requirements", [])),
            resolved=dict(data.get("resolved", {})),
            resolver=data.get("resolver"),
            resolver_limitation=data.get("resolver_limitation"),
            resolves=list(data.get("resolves", [])),
        )
