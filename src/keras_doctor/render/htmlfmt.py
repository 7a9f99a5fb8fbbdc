"""The HTML report: a full page for `--format html`, a fragment for Jupyter (`_repr_html_`).

`to_page` is a complete, self-contained document: `<meta charset="utf-8">` (so ✓ survives being
served without a charset header), a light and a dark palette chosen by the reader's system, no
scripts, no external stylesheets, fonts or images. `to_html` is the same report as a fragment for
notebooks, with inline styles that read on light and dark themes (colour on borders and symbols,
text inheriting the theme's colour). Every piece of text goes through `html.escape`, because paths,
package names and error messages come from the environment being examined; `code spans` in the
catalog's texts become `<code>`, and commands wrap only at spaces.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, List, Mapping, Optional

from keras_doctor.findings import Finding, FixStep, Report, Severity
from keras_doctor.render import steps as run_steps
from keras_doctor.render import view
from keras_doctor.render.shell import is_windows_target

COLORS = {
    "error": "#d32f2f", "warning": "#e08600", "info": "#1976d2", "passed": "#2e7d32",
    "skipped": "#808080",
}
SYMBOLS = {"passed": "✓", "warning": "!", "error": "✗", "info": "i", "skipped": "–"}

ROOT_STYLE = "font-family: system-ui, -apple-system, sans-serif; line-height: 1.45; max-width: 62em"
PRE_STYLE = (
    "margin: .3em 0; padding: .4em .6em; border-radius: 4px; white-space: pre-wrap; "
    "overflow-wrap: break-word; background: rgba(127,127,127,.12); font-size: 90%"
)
PAGE_CSS = """
:root { color-scheme: light dark; }
body { margin: 1.5em auto; padding: 0 1em; max-width: 64em; background: Canvas;
       color: CanvasText; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media (prefers-color-scheme: dark) { body { background: #1e1e1e; color: #e6e6e6; } }
@media (prefers-color-scheme: light) { body { background: #ffffff; color: #1f2328; } }
"""
DIM = "opacity: .7"
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def to_html(report: Report, *, verbose: bool = False) -> str:
    parts: List[str] = [f'<div class="keras-doctor-report" style="{ROOT_STYLE}">']
    parts.append(f"<div><strong>keras-doctor {_e(report.command)}</strong></div>")
    target = view.describe_target(report.target)
    if target:
        parts.append(f'<div style="{DIM}">{_e(target)}</div>')
    parts += _steps(report, verbose)
    windows = is_windows_target(report.target)
    if view.is_ranked(report):
        for rank, finding in enumerate(view.ranked(report.findings), start=1):
            parts += _finding(finding, windows, rank)
    else:
        for area in view.group_by_area(report):
            parts += _area(area, windows)
    parts += _checks("Passed checks", [(p.check, p.message) for p in report.passed], "passed")
    parts += _checks("Skipped checks", [(s.check, s.reason) for s in report.skipped], "skipped")
    worst = report.worst()
    color = COLORS[worst.value if worst is not None else "passed"]
    summary = _e(view.summary_line(report, code="\x00")).replace(
        "\x00", _code(view.next_hint(report))
    )
    parts.append(f'<p style="margin: .8em 0 0; font-weight: 600; color: {color}">{summary}</p>')
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def to_page(report: Report, *, verbose: bool = False) -> str:
    """The report as a complete HTML document."""
    title = f"keras-doctor {report.command}"
    target = view.describe_target(report.target)
    return page(f"{title} — {target}" if target else title, to_html(report, verbose=verbose))


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML document around `body` (already escaped HTML)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{_e(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
        f"{body}</body>\n</html>\n"
    )


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def prose(text: Any) -> str:
    """Escaped text whose `code spans` (catalog and check texts use them) become <code>."""
    out, position = [], 0
    raw = str(text)
    for match in _CODE_SPAN.finditer(raw):
        out += [_e(raw[position:match.start()]), f"<code>{_e(match.group(2))}</code>"]
        position = match.end()
    out.append(_e(raw[position:]))
    return "".join(out)


def _code(text: str) -> str:
    return f"<code>{_e(text)}</code>"


def _symbol(status: str) -> str:
    color = COLORS.get(status, "inherit")
    return f'<span style="color: {color}; font-weight: 700">{SYMBOLS.get(status, "?")}</span>'


def _area(area: view.AreaView, windows: bool) -> List[str]:
    counts = [f"{len(area.passed)} passed"] if area.passed else []
    if area.skipped:
        counts.append(f"{len(area.skipped)} skipped")
    suffix = ""
    if counts:
        suffix = f' <span style="{DIM}; font-weight: normal">{_e(", ".join(counts))}</span>'
    out = [
        f'<div style="margin: .8em 0 .2em; font-weight: 600">{_symbol(area.status)} '
        f"{_e(area.title)}{suffix}</div>"
    ]
    for block in area.blocks:
        out += _block(block, windows)
    return out


def _block(block: Any, windows: bool) -> List[str]:
    """A root cause with what it explains folded under it, and the block's one fix."""
    out = _finding(block.root, windows, fix=False, shown=block.worst)
    out.pop()  # reopen the finding's box: the block's lines belong inside it
    folded = [f"<li>also {_code(f.cause)}: {prose(f.title)}</li>" for f in block.same_fix]
    if block.consequences:  # one line, as on the terminal
        folded.append(f"<li>{_e(block.consequence_line())}</li>")
    if folded:
        items = "".join(folded)
        out.append(f'<ul style="margin: .2em 0; padding-left: 1.2em">{items}</ul>')
    if block.fix:
        label = ("Fix (the steps <code>keras-doctor fix</code> runs):" if block.from_plan
                 else "Fix:")
        out.append(f'<div style="margin-top: .3em"><strong>{label}</strong></div>')
        out.append('<ol style="margin: .2em 0; padding-left: 1.6em">')
        out += [_fix_step(step, windows) for step in block.fix]
        out.append("</ol>")
    for reason in block.not_done:
        out.append(f"<div><em>Not done by <code>keras-doctor fix</code>:</em> {_e(reason)}</div>")
    out.append("</div>")
    return out


def _finding(finding: Finding, windows: bool, rank: Optional[int] = None,
             fix: bool = True, shown: Optional[Severity] = None) -> List[str]:
    """`shown`: the severity of the block the finding roots, when it holds worse than itself."""
    severity = (shown or finding.severity).value
    box = f"border-left: 4px solid {COLORS[severity]}; padding: .2em .8em; margin: .4em 0 .4em .3em"
    rank_text = f"{rank}. {view.percent(finding.confidence)} " if rank is not None else ""
    out = [
        f'<div class="finding {_e(severity)}" style="{box}">',
        f"<div>{_symbol(severity)} <strong>{_e(rank_text)}{prose(finding.title)}</strong></div>",
        f"<div>{_code(finding.cause)}: {prose(finding.explanation)}</div>",
    ]
    if finding.fix and fix:
        out.append('<div style="margin-top: .3em"><strong>Fix:</strong></div>')
        out.append('<ol style="margin: .2em 0; padding-left: 1.6em">')
        out += [_fix_step(step, windows) for step in finding.fix]
        out.append("</ol>")
    if finding.evidence:
        out += _details("Evidence", _pre(_json(finding.evidence)))
    out.append("</div>")
    return out


def _fix_step(step: FixStep, windows: bool) -> str:
    mark = ""
    if step.destructive:
        mark = f'<strong style="color: {COLORS["error"]}">destructive:</strong> '
    body = f"{mark}{prose(step.description)}"
    code = view.step_code(step, windows=windows)
    target = view.step_target(step)
    if code:
        body += command_pre(code)
    elif target:
        body += f" — {_code(target)}"
    return f"<li>{body}</li>"


def _steps(report: Report, verbose: bool) -> List[str]:
    steps = run_steps.report_steps(report)
    if not steps:
        return []
    cell = "padding: .1em .6em .1em 0; text-align: left; vertical-align: top"
    out = ['<table style="border-collapse: collapse; margin: .6em 0">']
    for step in steps:
        status = run_steps.step_status(step)
        note = _e(step.get("reason") or "")
        data = step.get("data")
        if verbose and isinstance(data, Mapping) and data:
            note += "".join(_details("data", _pre(_json(data))))
        out.append(
            f'<tr><td style="{cell}">{_symbol(status)}</td>'
            f'<td style="{cell}">{_e(run_steps.step_name(step))}</td>'
            f'<td style="{cell}; {DIM}">{_e(run_steps.seconds_text(step.get("seconds")))}</td>'
            f'<td style="{cell}">{note}</td></tr>'
        )
    out.append("</table>")
    return out


def _checks(title: str, rows: List[Any], status: str) -> List[str]:
    if not rows:
        return []
    items = "".join(
        f"<li>{_symbol(status)} {_code(check)}: {_e(text)}</li>" for check, text in rows
    )
    listing = f'<ul style="margin: .2em 0; list-style: none; padding-left: .5em">{items}</ul>'
    return _details(f"{title} ({len(rows)})", listing)


def _details(summary: str, body: str) -> List[str]:
    summary_tag = f'<summary style="cursor: pointer; {DIM}">{_e(summary)}</summary>'
    return [f"<details>{summary_tag}{body}</details>"]


def command_pre(command: str) -> str:
    """A command that wraps only at its spaces: each word is kept whole (a path or an option
    broken at a hyphen reads as two arguments), and a word longer than the line scrolls inside
    the block instead of widening the page."""
    words = " ".join(f'<span style="white-space: nowrap">{_e(word)}</span>'
                     for word in command.split(" "))
    return (f'<pre class="command" style="{PRE_STYLE}; overflow-x: auto"><code>{words}</code>'
            "</pre>")


def _pre(text: str) -> str:
    return f'<pre style="{PRE_STYLE}"><code>{_e(text)}</code></pre>'


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
