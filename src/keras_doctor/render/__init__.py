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

        write_document(out, jsonfmt.dumps(report))
    elif fmt == "markdown":
        from keras_doctor.render import markdown

        write_document(out, markdown.to_markdown(report, verbose=verbose))
    elif fmt == "html":
        from keras_doctor.render import htmlfmt

        write_document(out, htmlfmt.to_page(report, verbose=verbose))
    else:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")


def write_document(file: IO[str], text: str) -> None:
    """Write a JSON/Markdown/HTML document as UTF-8, even to a stream set up for another encoding
    (a Windows console, a C locale): a document is bytes for another program, not screen text."""
    encoding = (getattr(file, "encoding", None) or "utf-8").lower().replace("_", "-")
    binary = getattr(file, "buffer", None)
    if encoding in ("utf-8", "utf8") or binary is None:
        file.write(text)
        return
    file.flush()
    binary.write(text.encode("utf-8"))
    binary.flush()


def render_to_string(report: Report, fmt: str, **kwargs: Any) -> str:
    """The same output as `render`, returned as a string (never coloured unless `color=True`)."""
    buffer = io.StringIO()
    kwargs.setdefault("color", False)  # a string is not a terminal, whatever FORCE_COLOR says
    render(report, fmt, file=buffer, **kwargs)
    return buffer.getvalue()
