"""The plan as plain text: what a dry run prints and what `--apply` shows before asking.

Plain lines only (no colour, no layout library): a plan is copied into issues and terminals alike,
and every command appears exactly as it will run, quoted for a POSIX shell.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from typing import TYPE_CHECKING, Any, List, Optional, Sequence

if TYPE_CHECKING:  # imported where a plan is shown: `explain` breaks its fix commands here too
    from keras_doctor.plan.model import Plan, PlannedStep

COMMAND_PREFIX = "       $ "
CONTINUATION_INDENT = 4  # continuation lines of a broken command, past its first line


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
            # Continuation lines start under the text: past a step's number, else two further in.
            body = line.lstrip()
            number = re.match(r"\d+\. ", body)
            hang = " " * (len(line) - len(body) + (len(number.group()) if number else 2))
            out += textwrap.wrap(line, width, subsequent_indent=hang, break_long_words=False,
                                 break_on_hyphens=False) or [line]
    return out


def _plan_lines(plan: Plan) -> List[str]:
    from keras_doctor.plan.model import PlanStatus, StepKind

    target = plan.target
    where = target.python or target.prefix
    if any(s.kind is StepKind.NEW_VENV for s in plan.steps):
        where = f"{target.python}: a new environment at {target.prefix}"
    lines = [f"Fix plan for {where} ({target.platform}, Python {target.python_version})"]
    if plan.status is not PlanStatus.OK:
        lines.append(f"  Plan {plan.status.value}: nothing will be changed.")
        lines += _indent(plan.reason or "", "    ")
    if plan.requirements:
        lines.append(f"  Resolved with {plan.resolver} for {target.platform}: "
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
    from keras_doctor.plan.model import StepKind

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


def broken_command(argv: Sequence[Any], width: int) -> List[str]:
    """A POSIX shell line broken between words into lines of at most `width` characters (a word
    longer than that stands alone), each but the last ending in ` \\`: pasted into a shell, the
    backslash-newline joins them into the command `shell_line` gives. Never inside a word or a
    quoted argument. (cmd and PowerShell continue lines differently: Windows lines are not
    broken.)"""
    words = [shlex.quote(str(arg)) for arg in argv]
    if not words:
        return []
    lines: List[str] = []
    current = words[0]
    for index, word in enumerate(words[1:], start=2):
        room = width - (0 if index == len(words) else 2)  # the last word needs no " \\"
        if len(current) + 1 + len(word) <= room:
            current += " " + word
        else:
            lines.append(current + " \\")
            current = " " * CONTINUATION_INDENT + word
    lines.append(current)
    return lines
