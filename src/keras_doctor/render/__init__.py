"""Renderers: one report, four ways to show it: terminal, JSON, Markdown (issues), HTML (notebooks).

Renderers know findings and the cause catalog, never how facts were read. Each format lives in its
own module, imported only when asked for, so `--json` never loads `rich` and a notebook's HTML
never pays for the terminal's colour machinery.
"""

from __future__ import annotations

import io
import sys
from typing import IO, Any, Optional

from keras_doctor.findings import Report

FORMATS = ("terminal", "json", "markdown", "html")


def render(
    report: Report,
    fmt: str,
    *,
    verbose: bool = False,
    color: Optional[bool] = None,
    file: Optional[IO[str]] = None,
    width: Optional[int] = None,
) -> None:
    """Write `report` to `file` (standard output by default) in format `fmt`.

    `color` applies to the terminal format only: None decides by TTY and NO_COLOR, True forces
    colour, False forbids it. `width` overrides the terminal wrap width (tests, fixed-width logs).
    """
    out = file if file is not None else sys.stdout
    if fmt == "terminal":
        from keras_doctor.render import terminal

        terminal.render(report, out, verbose=verbose, color=color, width=width)
    elif fmt == "json":
        from keras_doctor.render import jsonfmt

        jsonfmt.render(report, out)
    elif fmt == "markdown":
        from keras_doctor.render import markdown

        markdown.render(report, out, verbose=verbose)
    elif fmt == "html":
        from keras_doctor.render import htmlfmt

        htmlfmt.render(report, out, verbose=verbose)
    else:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")


def render_to_string(report: Report, fmt: str, **kwargs: Any) -> str:
    """The same output as `render`, returned as a string (never coloured unless `color=True`)."""
    buffer = io.StringIO()
    kwargs.setdefault("color", False)  # a string is not a terminal, whatever FORCE_COLOR says
    render(report, fmt, file=buffer, **kwargs)
    return buffer.getvalue()
