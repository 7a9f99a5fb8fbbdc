"""The terminal report, in the manner of `flutter doctor`: one line per area, problems spelled out.

A person reads this first, so every problem carries its title, a short explanation with its cause ID
(`keras-doctor causes ID` prints the long one) and its fix as steps: shell lines that can be copied
as they stand, environment lines exactly as typed, and instructions for the rest, with destructive
steps marked. `-v` adds what passed, what was skipped and why, and the evidence behind each finding.
"""

from __future__ import annotations

import re
import shlex
from typing import IO, Any, List, Mapping, Optional

from keras_doctor.findings import Finding, FixStep, Report, StepKind
from keras_doctor.render import steps as run_steps
from keras_doctor.render import view
from keras_doctor.render.evidence import evidence_lines
from keras_doctor.render.shell import broken_command, is_windows_target
from keras_doctor.render.styled import (
    Lines,
    Segment,
    output_encoding,
    output_width,
    wants_color,
    write,
)

FINDING_INDENT = 4  # under an area header
TEXT_INDENT = 6  # passed and skipped lines continue here
MAX_NAME_COLUMN = 32  # width cap of the step-name column of a verify table


def render(
    report: Report,
    file: IO[str],
    *,
    verbose: bool = False,
    color: Optional[bool] = None,
    width: Optional[int] = None,
) -> None:
    lines = build(
        report, verbose=verbose, width=output_width(file, width), encoding=output_encoding(file),
        on_terminal=_is_terminal(file),
    )
    write(lines, file, wants_color(file, color))


def _is_terminal(file: IO[str]) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def build(
    report: Report, *, verbose: bool = False, width: int = 100, encoding: str = "utf-8",
    on_terminal: bool = False,
) -> Lines:
    lines = Lines(width, encoding, on_terminal=on_terminal)
    windows = is_windows_target(report.target)
    _header(lines, report)
    _steps(lines, report, verbose)
    if view.is_ranked(report):
        _ranked(lines, report, verbose, windows)
    else:
        areas = view.group_by_area(report)
        healthy = [area for area in areas if area.healthy]
        for area in areas:
            if area.healthy and not verbose:
                continue
            rows_before = len(lines.rows)
            _area(lines, area, verbose, windows)
            if len(lines.rows) - rows_before > 1:  # an area with details stands apart from the next
                lines.blank()
        if healthy and not verbose:
            _healthy_line(lines, healthy)
    lines.blank()
    _summary(lines, report, on_terminal)
    return lines


def _healthy_line(lines: Lines, areas: List[view.AreaView]) -> None:
    """Areas where nothing is wrong, on one line: `-v` lists each with what it checked."""
    passed = sum(len(area.passed) for area in areas)
    skipped = sum(len(area.skipped) for area in areas)
    status = "passed" if passed or not skipped else "skipped"
    counts = [f"{passed} passed"] if passed else []
    if skipped:
        counts.append(f"{skipped} skipped")
    lines.wrapped(
        ", ".join(area.title for area in areas),
        indent=0,
        lead=[(f"[{lines.symbol(status)}] ", status)],
        hang=4,
        style="heading",
    )
    if counts:
        tail = f"  {', '.join(counts)}"
        if sum(len(text) for text, _ in lines.rows[-1]) + len(tail) <= lines.width:
            lines.rows[-1].append((tail, "dim"))
        else:  # past the window's edge it would break mid-word: on a row of its own
            lines.add((tail.strip(), "dim"), indent=4)


def _header(lines: Lines, report: Report) -> None:
    target = view.describe_target(report.target)
    title = f"keras-doctor {report.command}"
    if lines.on_terminal and len(title) + 3 + len(target) > lines.width:
        lines.wrapped(target, indent=0, lead=[(title, "heading"), (" — ", "")], hang=2)
    else:
        lines.add((title, "heading"), (f" — {target}" if target else "", ""))
    environment = view.environment_line(report.target)
    if environment:
        lines.wrapped(environment, indent=2, style="dim")
    lines.blank()


def _area(lines: Lines, area: view.AreaView, verbose: bool, windows: bool) -> None:
    counts = []
    if area.passed:
        counts.append(f"{len(area.passed)} passed")
    if area.skipped:
        counts.append(f"{len(area.skipped)} skipped")
    lines.add(
        (f"[{lines.symbol(area.status)}] ", area.status),
        (area.title, "heading"),
        (f"  {', '.join(counts)}" if counts else "", "dim"),
    )
    for block in area.blocks:
        _block(lines, block, verbose, windows)
    folded = area.folded
    if folded:
        lines.wrapped(
            f"{view.plural(len(folded), 'finding', 'findings')} of this area "
            f"{'is' if len(folded) == 1 else 'are'} folded under the root cause that explains "
            f"{'it' if len(folded) == 1 else 'them'}",
            indent=FINDING_INDENT, lead=[(f"{lines.symbol(area.status)} ", area.status)],
            hang=TEXT_INDENT, style="dim",
        )
    if verbose:
        for passed in area.passed:
            lead = [(f"{lines.symbol('passed')} ", "passed"), (f"{passed.check}: ", "dim")]
            lines.wrapped(passed.message, indent=FINDING_INDENT, lead=lead, hang=TEXT_INDENT)
        for skipped in area.skipped:
            lead = [(f"{lines.symbol('skipped')} ", "skipped"), (f"{skipped.check}: ", "dim")]
            lines.wrapped(
                f"skipped, {skipped.reason}", indent=FINDING_INDENT, lead=lead, hang=TEXT_INDENT,
                style="dim",
            )


def _ranked(lines: Lines, report: Report, verbose: bool, windows: bool) -> None:
    findings = view.ranked(report.findings)
    if not findings:
        return
    lines.add(("Possible causes, most likely first:", "heading"))
    lines.blank()
    rank_width = len(str(len(findings)))
    for rank, finding in enumerate(findings, start=1):
        lead = [(f"{rank:>{rank_width}}. {view.percent(finding.confidence):>4} ", "heading")]
        _finding(lines, finding, verbose, windows, indent=2, lead=lead)
        lines.blank()


def _finding(
    lines: Lines,
    finding: Finding,
    verbose: bool,
    windows: bool,
    indent: int = FINDING_INDENT,
    lead: Optional[List[Segment]] = None,
) -> None:
    """Title line, then explanation, evidence and fix aligned under the title's text."""
    status = finding.severity.value
    lead = [*(lead or []), (f"{lines.symbol(status)} ", status)]
    body = indent + sum(len(text) for text, _ in lead)
    lines.wrapped(finding.title, indent=indent, lead=lead, hang=body, style="heading")
    lines.wrapped(
        finding.explanation or "", indent=body, lead=[(f"{finding.cause}: ", "cause")], hang=body
    )
    if verbose and finding.evidence:
        _evidence(lines, finding.evidence, body)
    if finding.fix:
        lines.add(("Fix:", "heading"), indent=body)
        number_width = len(str(len(finding.fix)))
        for number, step in enumerate(finding.fix, start=1):
            _fix_step(lines, step, f"{number:>{number_width}}. ", body + 2, windows)


def _block(lines: Lines, block: Any, verbose: bool, windows: bool) -> None:
    """The root cause as a finding; what it explains folded under it; then the one fix."""
    root = block.root
    status = block.worst.value
    lead = [(f"{lines.symbol(status)} ", status)]
    body = FINDING_INDENT + 2
    lines.wrapped(root.title, indent=FINDING_INDENT, lead=lead, hang=body, style="heading")
    lines.wrapped(root.explanation or "", indent=body, lead=[(f"{root.cause}: ", "cause")],
                  hang=body)
    if verbose and root.evidence:
        _evidence(lines, root.evidence, body)
    for other in block.same_fix:
        lines.wrapped(other.title, indent=body,
                      lead=[("also ", "dim"), (f"{other.cause}: ", "cause")], hang=body + 2)
    if block.consequences:
        if verbose:
            for other in block.consequences:
                lines.wrapped(other.title, indent=body,
                              lead=[("and ", "dim"), (f"{other.cause}: ", "cause")], hang=body + 2)
        else:
            lines.wrapped(block.consequence_line(), indent=body, hang=body + 2, style="dim")
    if block.fix:
        heading = "Fix (the steps `keras-doctor fix` runs):" if block.from_plan else "Fix:"
        lines.add((heading, "heading"), indent=body)
        number_width = len(str(len(block.fix)))
        for number, step in enumerate(block.fix, start=1):
            _fix_step(lines, step, f"{number:>{number_width}}. ", body + 2, windows)
    elif block.from_plan:
        lines.wrapped("Fixed by the steps above.", indent=body, style="dim")
    for reason in block.not_done:
        lines.wrapped(reason, indent=body, lead=[("Not done by `keras-doctor fix`: ", "dim")],
                      hang=body + 2)


def _fix_step(lines: Lines, step: FixStep, number: str, indent: int, windows: bool) -> None:
    code = view.step_code(step, windows=windows)
    target = view.step_target(step)
    description = step.description.rstrip()
    if (code or target) and description and description[-1] not in ".:!?":
        description += ":"
    lead = [(number, "")]
    if step.destructive:
        lead.append(("[destructive] ", "destructive"))
    lines.wrapped(description, indent=indent, lead=lead, hang=indent + len(number))
    start = indent + len(number) + 2
    if code and step.kind is StepKind.RUN and step.command and not windows \
            and lines.on_terminal and start + len(code) > lines.width:
        # The window would break it inside a word (a path, `--python-version`) and a pasted
        # copy would run something else: break it between words, with a shell continuation.
        for row in broken_command(step.command, lines.width - start):
            lines.add((row, "code"), indent=start)
    elif code:
        lines.add((code, "code"), indent=start)
    elif target:
        lines.add((target, "code"), indent=indent + len(number) + 2)


def _evidence(lines: Lines, evidence: Mapping[str, Any], indent: int) -> None:
    lines.add(("Evidence:", "dim"), indent=indent)
    for level, text in evidence_lines(evidence):
        start = indent + 2 + 2 * level
        lines.wrapped(text, indent=start, hang=start + 4)


def _steps(lines: Lines, report: Report, verbose: bool) -> None:
    steps = run_steps.report_steps(report)
    if not steps:
        return
    title = "Verification steps" if report.command == "verify" else "Steps"
    lines.add((title, "heading"))
    names = [run_steps.step_name(step) for step in steps]
    name_width = min(max(len(name) for name in names), MAX_NAME_COLUMN)
    for name, step in zip(names, steps):
        status = run_steps.step_status(step)
        status = "error" if status == "failed" else status
        seconds = "" if status == "skipped" else run_steps.seconds_text(step.get("seconds"))
        reason = step.get("reason")
        lead: List[Any] = [
            (f"{lines.symbol(status)} ", status),
            (f"{name:<{name_width}}  ", ""),
            (f"{seconds:>7}  ", "dim"),
        ]
        hang = 2 + 2 + name_width + 2 + 9
        style = "dim" if status == "skipped" else ("error" if status == "error" else "")
        text = str(reason) if reason else ""
        if len(name) > name_width:
            lines.add(*lead, indent=2)
            if text:
                lines.wrapped(text, indent=hang, style=style)
        else:
            lines.wrapped(text, indent=2, lead=lead, hang=hang, style=style)
        data = step.get("data")
        if verbose and isinstance(data, Mapping) and data:
            for level, entry in evidence_lines(data):
                start = 6 + 2 * level
                lines.wrapped(entry, indent=start, hang=start + 4, style="dim")
    lines.blank()


def _summary(lines: Lines, report: Report, on_terminal: bool = False) -> None:
    worst = report.worst()
    style = worst.value if worst is not None else "passed"
    if not on_terminal:
        lines.add((view.summary_line(report), style))  # one line: logs grep for it
        return
    # A person reads it: wrapped at spaces, never inside a word; a command stays whole on one
    # line, or, longer than the window, goes below the sentence, broken with a continuation.
    marked = view.summary_line(report, code="\x00{}\x01")
    below: List[str] = []

    def command(match: Any) -> str:
        text = match.group(1)
        if len(text) + 2 <= lines.width:
            return f"`{text}`".replace(" ", "\u00a0")  # no break inside it
        below.append(text)
        return "the command below"

    sentence = re.sub("\x00(.*?)\x01", command, marked)
    start = len(lines.rows)
    lines.wrapped(sentence + (":" if below else ""), indent=0, style=style)
    for row in lines.rows[start:]:
        row[:] = [(text.replace("\u00a0", " "), name) for text, name in row]
    for text in below:
        parts = [text] if is_windows_target(report.target) else \
            broken_command(shlex.split(text), lines.width - 2)
        for part in parts:
            lines.add((part, "code"), indent=2)
