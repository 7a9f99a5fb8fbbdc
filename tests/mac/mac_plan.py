"""What the Mac suite's slow and fast versions share: the findings that count, the machine's
interpreters, and the package set a plan leaves behind."""

from __future__ import annotations

from typing import Dict

from keras_doctor.findings import Severity
from keras_doctor.plan.interpreters import Interpreter
from keras_doctor.plan.model import StepKind


def serious(report):
    return sorted({f.cause for f in report.findings if f.severity.rank >= Severity.WARNING.rank})


def finder(pythons):
    """The machine's native interpreters: the real finder's contract, newest first."""
    def find(platform, has_wheels):
        for minor in sorted(pythons, key=lambda p: [int(x) for x in p.split(".")],
                            reverse=True):
            if has_wheels(minor):
                return Interpreter(f"/opt/homebrew/bin/python{minor}", f"{minor}.9", "arm64")
        return None
    return find


def planned_set(plan, pins: Dict[str, str]) -> Dict[str, str]:
    if any(s.kind is StepKind.NEW_VENV for s in plan.steps):
        return dict(plan.resolved)
    after = dict(pins)
    for step in plan.steps:
        if step.kind is StepKind.UNINSTALL:
            for name in step.names:
                after.pop(name, None)
        elif step.kind is StepKind.INSTALL:
            for pin in step.pins:
                name, version = pin.split("==", 1)
                after[name] = version
    return after
