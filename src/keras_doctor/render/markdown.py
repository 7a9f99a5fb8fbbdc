"""The Markdown report: pasted into a GitHub issue or a forum post as it stands.

A heading per area, each problem with its cause ID in code, commands in fenced `sh` blocks (so they
copy cleanly), and the evidence folded in `<details>` as exact JSON: a maintainer reading the issue
gets all of it, the reader of the thread is not buried in it. Text from the environment is escaped,
so a path with `_` or `<` in it renders as written.
"""

from __future__ import annotations

import json
import re
from typing import Any, List, Mapping

from keras_doctor.findings import Finding, Report
from keras_doctor.render import steps as run_steps
from keras_doctor.render import view
from keras_doctor.render.shell import is_windows_target

SYMBOLS = {"passed": "✅", "error": "❌", "warning": "⚠️", "info": "ℹ️", "skipped": "⏭️"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def to_markdown(report: Report, *, verbose: bool = False) -> str:
    out: List[str] = [f"## keras-doctor {report.command}", ""]
    target = view.describe_target(report.target)
    if target:
        out += [f"**Target:** {escape(target)}  ", f"**Result:** {_summary(report)}", ""]
    else:
        out += [f"**Result:** {_summary(report)}", ""]
    out += _steps(report, verbose)
    windows = is_windows_target(report.target)
    if view.is_ranked(report):
        for rank, finding in enumerate(view.ranked(report.findings), start=1):
            out += _finding(finding, "###", windows, rank=rank)
    else:
        areas = view.group_by_area(report)
        for area in areas:
            if area.blocks:
                out += [f"### {SYMBOLS[area.status]} {escape(area.title)}", ""]
                for block in area.blocks:
                    out += _block(block, windows)
        healthy = [area.title for area in areas if area.healthy]
        if healthy:
            out += [f"{SYMBOLS['passed']} No problems in: {escape(', '.join(healthy))}", ""]
    out += _checks_list("Passed checks", [(p.check, p.message) for p in report.passed], "passed")
    out += _checks_list("Skipped checks", [(s.check, s.reason) for s in report.skipped], "skipped")
    return "\n".join(out).rstrip("\n") + "\n"


def escape(text: str) -> str:
    """Backslash-escape Markdown punctuation, so text from the environment renders literally."""
    return _SPECIAL.sub(r"\\\1", text)


def prose(text: str) -> str:
    """Escape text but keep its `code spans`: catalog texts and check messages use them."""
    out, position = [], 0
    for match in _CODE_SPAN.finditer(text):
        out += [escape(text[position:match.start()]), match.group(0)]
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def code_span(text: str) -> str:
    ticks = "`" * (_longest_backtick_run(text) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{padding}{text}{padding}{ticks}"


def fence(body: str, info: str = "") -> List[str]:
    ticks = "`" * max(3, _longest_backtick_run(body) + 1)
    return [f"{ticks}{info}", body, ticks]


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _summary(report: Report) -> str:
    placeholder = "\x00"
    line = escape(view.summary_line(report, code=placeholder))
    return line.replace(placeholder, code_span(view.next_hint(report)))


def _finding(finding: Finding, heading: str, windows: bool, rank: Any = None,
             fix: bool = True, shown: Any = None) -> List[str]:
    """`shown`: the severity of the block the finding roots, when it holds worse than itself."""
    severity = (shown or finding.severity).value
    prefix = f"{rank}. {view.percent(finding.confidence)} " if rank is not None else ""
    out = [
        f"{heading} {prefix}{SYMBOLS[severity]} {prose(finding.title)}",
        "",
        f"{code_span(finding.cause)} ({severity}): {prose(finding.explanation)}",
        "",
    ]
    if finding.fix and fix:
        out += ["**Fix:**", "", *_fix_steps(finding.fix, windows)]
    if finding.evidence:
        out += _details("Evidence", fence(_json(finding.evidence), "json"))
    return out


def _block(block: Any, windows: bool) -> List[str]:
    """A root cause as a finding, what it explains listed under it, then the block's one fix."""
    root = block.root
    out = _finding(root, "####", windows, fix=False, shown=block.worst)
    folded = [f"- also {code_span(f.cause)}: {prose(f.title)}" for f in block.same_fix]
    if block.consequences:  # one line, as on the terminal: the evidence is in the JSON
        folded.append(f"- {prose(block.consequence_line())}")
    if folded:
        out += [*folded, ""]
    if block.fix:
        heading = ("**Fix (the steps `keras-doctor fix` runs):**" if block.from_plan
                   else "**Fix:**")
        out += [heading, "", *_fix_steps(block.fix, windows)]
    for reason in block.not_done:
        out += [f"*Not done by `keras-doctor fix`:* {escape(reason)}", ""]
    return out


def _fix_steps(fix: Any, windows: bool) -> List[str]:
    out: List[str] = []
    for number, step in enumerate(fix, start=1):
        mark = "**destructive:** " if step.destructive else ""
        out.append(f"{number}. {mark}{prose(step.description)}")
        code = view.step_code(step, windows=windows)
        target = view.step_target(step)
        if code:
            shell = "bat" if windows else "sh"
            out += [""] + ["   " + line for line in fence(code, shell)]
        elif target:
            out[-1] += f" — {code_span(target)}"
        out.append("")
    return out


def _steps(report: Report, verbose: bool) -> List[str]:
    steps = run_steps.report_steps(report)
    if not steps:
        return []
    title = "Verification steps" if report.command == "verify" else "Steps"
    out = [f"### {title}", "", "| | step | time | note |", "|---|---|---|---|"]
    for step in steps:
        status = run_steps.step_status(step)
        note = str(step.get("reason") or "")
        cells = [SYMBOLS.get(status, ""), run_steps.step_name(step),
                 run_steps.seconds_text(step.get("seconds")), note]
        out.append("| " + " | ".join(escape(cell).replace("\n", " ") for cell in cells) + " |")
    out.append("")
    data = {run_steps.step_name(s): s.get("data") for s in steps if s.get("data")}
    if data and verbose:
        out += _details("Step data", fence(_json(data), "json"))
    return out


def _checks_list(title: str, rows: List[Any], status: str) -> List[str]:
    if not rows:
        return []
    body = [f"- {SYMBOLS[status]} {code_span(check)}: {prose(text)}" for check, text in rows]
    return _details(f"{title} ({len(rows)})", body)


def _details(summary: str, body: List[str]) -> List[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
