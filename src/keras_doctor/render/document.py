"""Output of the commands that are not diagnoses (`fix`, `recommend`, `causes`, `facts`, `db`) in
the same four formats as a report, so `--format`, `-o` and `-q` mean the same for every command.

Each command supplies its text lines (what a person reads), its data (what `--format json`
prints) and, where it has structure worth keeping, its own Markdown; HTML is the text inside a
complete self-contained page unless the command gives its own body.
"""

from __future__ import annotations

import html
import json
from typing import Any, List, Optional


def document(fmt: str, *, title: str, lines: List[str], data: Any,
             markdown: Optional[str] = None, html_body: Optional[str] = None,
             quiet_line: Optional[str] = None, quiet: bool = False) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt == "markdown":
        if markdown is not None:
            return markdown.rstrip("\n") + "\n"
        return f"## {title}\n\n```text\n" + "\n".join(lines) + "\n```\n"
    if fmt == "html":
        from keras_doctor.render.htmlfmt import PRE_STYLE, page

        body = html_body if html_body is not None else (
            f"<h2>{html.escape(title)}</h2>\n<pre style=\"{PRE_STYLE}\">"
            + html.escape("\n".join(lines)) + "</pre>\n")
        return page(title, body)
    if quiet and quiet_line is not None:
        return quiet_line.rstrip("\n") + "\n"
    return "\n".join(lines).rstrip("\n") + "\n"
