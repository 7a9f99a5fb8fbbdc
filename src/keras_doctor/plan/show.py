"""The plan as plain text: what a dry run prints and what `--apply` shows before asking.

Plain lines only (no colour, no layout library): a plan is copied into issues and terminals alike,
and every command appears exactly as it will run, quoted for a POSIX shell.
"""

from __future__ import annotations

import shlex
import textwrap
from typing import List, Optional

from keras_doctor.plan.model import Plan, PlannedStep, PlanStatus, StepKind
from keras_doctor.render.shell import broken_command

COMMAND_PREFIX = "       $ "


def plan_lines(plan: Plan, width: Optional[int] = None) -> List[str]:
    """The plan as lines. With `width` (a person's terminal) every line fits it, broken at spaces
    only, a long command with a shell continuation so a pasted copy runs as planned; without (a
    pipe, a log, a file) each command stays on one line."""
    lines = _plan_lines(plan)
    if not width:
        return lines
    commands = {COMMAND_PREFIX + shlex.join(step.argv): list(step.argv)
                for step in plan.steps if step.argv}
    out: List[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        elif line in commands:
            rows = broken_command(commands[line], width - len(COMMAND_PREFIX))
            out += [COMMAND_PREFIX + rows[0]] + [" " * len(COMMAND_PREFIX) + r for r in rows[1:]]
        else:
            body = line.lstrip(" ")
            hang = " " * (len(line) - len(body) + (3 if body[:1].isdigit() else 2))
            out += textwrap.wrap(line, width, subsequent_indent=hang, break_long_words=False,
                                 break_on_hyphens=False) or [line]
    return out


def _plan_lines(plan: Plan) -> List[str]:
    target = plan.target
    where = target.python or target.prefix
    if any(s.kind is StepKind.NEW_VENV for s in plan.steps):
        where = f"{target.python}: a new environment at {target.prefix}"
    lines = [f"Fix plan for {where} ({target.platform}, Python {target.python_version})"]
    if plan.status is not PlanStatus.OK:
        lines.append(f"  Plan {plan.status.value}: nothing will be changed.")
        lines += _indent(plan.reason or "", "    ")
    if plan.requirements:
        lines.append(f"  Resolved with {plan.resolver or '?'} for {target.platform}: "
                     + ", ".join(plan.requirements)
                     + (f" -> {len(plan.resolved)} distributions" if plan.resolved else ""))
    if plan.resolver_limitation:
        lines.append(f"  Note: {plan.resolver_limitation}")
    if plan.ok and not plan.steps:
        lines.append("  Nothing to fix automatically.")
    for number, step in enumerate(plan.steps, 1):
        lines += step_lines(number, step)
    for skipped in plan.skipped:
        lines.append(f"  - not done ({skipped.cause}): {skipped.reason}")
        lines += [f"      {advice}" for advice in skipped.advice]
    return lines


def step_lines(number: int, step: PlannedStep) -> List[str]:
    flag = " [asks first]" if step.destructive else ""
    lines = [f"  {number}. {step.summary}{flag}"]
    if step.argv:
        lines.append(COMMAND_PREFIX + shlex.join(step.argv))
    elif step.kind is StepKind.RENAME:
        lines.append(f"       {step.path} -> {step.dest}")
    elif step.kind is StepKind.DELETE_FILE:
        lines.append(f"       {step.path} (moved into the transaction folder: rollback restores "
                     "it)")
    if step.shell_line:
        lines.append(f"       {step.shell_line}")
    if step.resolves:
        lines.append(f"       resolves: {', '.join(step.resolves)}")
    return lines


def _indent(text: str, prefix: str) -> List[str]:
    return [prefix + line for line in text.splitlines()]
