"""The check registry: every check declares its area and the causes it can report.

A check is a pure function of a `CheckContext` (the facts, plus the knowledge base when a check asks
for it) that yields findings. It raises `SkipCheck(reason)` when the facts it needs are not known
for this target. One crashing check becomes a `check-crashed` finding; the others still run.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

from keras_doctor import causes
from keras_doctor.facts.model import Facts, to_plain
from keras_doctor.facts.native import native_view
from keras_doctor.findings import Finding, FixStep, Passed, Report, Severity, Skipped


class SkipCheck(Exception):
    """Raised by a check whose facts are not known for this target."""


class CheckContext:
    """What a check may read: the facts, and (loaded on first use) the knowledge base."""

    def __init__(self, facts: Facts, knowledge_loader: Optional[Callable[[], Any]] = None):
        self.observed = facts  # as collected; `facts` is what the environment is judged as
        self.facts = native_view(facts)
        self._knowledge_loader = knowledge_loader
        self._knowledge: Any = None
        self._installed: Any = None

    @property
    def installed(self) -> Any:
        """The first copy of each distribution on sys.path (`checks.installed.Installed`)."""
        if self._installed is None:
            from keras_doctor.checks.installed import Installed

            self._installed = Installed(self.facts)
        return self._installed

    @property
    def knowledge(self) -> Any:
        if self._knowledge is None:
            if self._knowledge_loader is None:
                raise SkipCheck("no knowledge base loaded")
            self._knowledge = self._knowledge_loader()
        return self._knowledge


CheckFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    area: str
    causes: Sequence[str]
    ok_message: str
    function: CheckFunction


REGISTRY: list[Check] = []


def check(
    *, name: str, area: str, causes: Sequence[str], ok: str
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check. `ok` is what `-v` shows when it finds nothing."""
    from keras_doctor import causes as catalog

    for cause_id in causes:
        if cause_id not in catalog.CATALOG:
            raise ValueError(f"check {name!r} names unknown cause {cause_id!r}")

    def register(function: CheckFunction) -> CheckFunction:
        REGISTRY.append(Check(name, area, tuple(causes), ok, function))
        return function

    return register


def finding(
    cause_id: str,
    title: str,
    *,
    evidence: Optional[Dict[str, Any]] = None,
    fix: Sequence[FixStep] = (),
    explanation: Optional[str] = None,
    severity: Optional[Severity] = None,
) -> Finding:
    """A finding for a catalogued cause; severity and explanation default to the catalog's."""
    cause = causes.CATALOG[cause_id]
    return Finding(
        cause=cause_id,
        severity=severity or cause.severity,
        title=title,
        explanation=explanation if explanation is not None else cause.summary,
        evidence=evidence or {},
        fix=tuple(fix),
    )


def all_checks() -> list[Check]:
    """Every registered check, in the order of `AREA_MODULES`, then as each module defines them.

    Not in registration order: which module is imported first depends on the command (explain
    imports one area before the rest), and a report's order must not.
    """
    from keras_doctor.checks import AREA_MODULES, load_all

    load_all()
    area = {f"keras_doctor.checks.{name}": index for index, name in enumerate(AREA_MODULES)}
    return sorted(REGISTRY, key=lambda chk: area.get(chk.function.__module__, len(area)))


def run_checks(
    facts: Facts,
    knowledge_loader: Optional[Callable[[], Any]] = None,
    checks: Optional[Sequence[Check]] = None,
) -> Report:
    report = Report(command="check", target=to_plain(facts.target))
    ctx = CheckContext(facts, knowledge_loader)
    chosen = list(checks) if checks is not None else all_checks()
    for chk in chosen:
        try:
            found = [_stamp(f, chk.name) for f in chk.function(ctx)]
        except SkipCheck as skip:
            report.skipped.append(Skipped(chk.name, chk.area, str(skip)))
            continue
        except Exception as exc:  # a crashing check is a result, never the end of the run
            report.findings.append(
                _stamp(
                    finding(
                        "check-crashed",
                        f"Check {chk.name} crashed: {type(exc).__name__}: {exc}",
                        evidence={
                            "check": chk.name,
                            "traceback": _innermost_lines(traceback.format_exc()),
                        },
                    ),
                    chk.name,
                )
            )
            continue
        if found:
            report.findings.extend(found)
        else:
            report.passed.append(Passed(chk.name, chk.area, chk.ok_message))
    for error in facts.errors:
        report.findings.append(
            _stamp(finding("facts-incomplete", error, evidence={"error": error}), "facts")
        )
    report.findings.sort(key=lambda f: -f.severity.rank)
    _no_pass_beside_its_cause(report, chosen)
    return report


def _no_pass_beside_its_cause(report: Report, checks: Sequence[Check]) -> None:
    """One truth per cause: a check that found nothing is not shown as passed while another check
    reports a cause it watches (numpy-abi must not show ✓ beside a numpy-abi-mismatch)."""
    reported = {f.cause for f in report.findings}
    watches = {c.name: set(c.causes) for c in checks}
    report.passed = [p for p in report.passed if not watches.get(p.check, set()) & reported]


def _innermost_lines(formatted: str, count: int = 6) -> List[str]:
    """The last lines of a traceback, where the crash happened, without the caret lines that
    only underline the line above."""
    return [line for line in formatted.splitlines() if line.strip(" ^~")][-count:]


def _stamp(f: Finding, check_name: str) -> Finding:
    if f.check:
        return f
    from dataclasses import replace

    return replace(f, check=check_name)
