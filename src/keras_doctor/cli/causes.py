"""`keras-doctor causes [ID]`: the cause catalog, and the long explanation of one cause."""

from __future__ import annotations

import argparse
import os
import re
import sys

from keras_doctor.cli.common import output_format, write_output
from keras_doctor.cli.helpformat import HelpFormatter


def add_parser(subparsers) -> None:
    from keras_doctor.cli.common import output_parent

    parser = subparsers.add_parser(
        "causes", formatter_class=HelpFormatter,
        help="list the cause IDs, or explain one",
        parents=[output_parent(fail_on=False)],
        description="List every cause ID keras-doctor reports, or print the long explanation of "
                    "one (like `ruff rule`). Cause IDs are stable: use them in scripts and CI.",
    )
    parser.add_argument("id", nargs="?", help="a cause ID, e.g. mixed-arch-binary")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from keras_doctor import causes
    from keras_doctor.cli import UsageError

    if args.id:
        cause = causes.get(args.id)
        if cause is None:
            import difflib

            close = difflib.get_close_matches(args.id, list(causes.CATALOG), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UsageError(f"unknown cause {args.id!r}{hint}; `keras-doctor causes` lists them")
        write_output(args, _one(cause, output_format(args), args))
        return 0
    fmt = output_format(args)
    if fmt in ("json", "markdown", "html"):
        from keras_doctor.render.document import document

        rows = list(causes.CATALOG.values())
        markdown = "\n".join(["## keras-doctor causes", "", "| cause | area | meaning |",
                              "|---|---|---|"] + [f"| `{c.id}` | {causes.AREAS[c.area]} | "
                                                  f"{c.summary.replace('|', '/')} |" for c in rows])
        write_output(args, document(fmt, title="keras-doctor causes", lines=_catalog_lines(),
                                    data=[_as_dict(c) for c in rows], markdown=markdown))
        return 0
    write_output(args, "\n".join(_catalog_lines()) + "\n")
    return 0


def _catalog_lines() -> list:
    from keras_doctor import causes

    width = max(len(c) for c in causes.CATALOG)
    lines = []
    for area, title in causes.AREAS.items():
        rows = [c for c in causes.CATALOG.values() if c.area == area]
        if not rows:
            continue
        lines.append(title)
        lines += [f"  {cause.id:<{width}}  {cause.summary}" for cause in rows]
        lines.append("")
    lines.append("`keras-doctor causes ID` explains one.")
    return lines


def long_markdown(cause) -> str:
    """The long explanation as Markdown: what `causes ID` shows, rendered or not."""
    from keras_doctor import causes

    return (f"# {cause.id}\n\n*{cause.severity.value}, {causes.AREAS[cause.area]}*\n\n"
            f"{sentence(cause.summary)}.\n\n"
            f"**Revealed by:** {cause.revealed_by}\n\n{cause.explanation}\n")


def sentence(summary: str) -> str:
    """A summary as a sentence: capitalised, unless it starts with a name (numpy, pip, …)."""
    first = summary.split(" ", 1)[0]
    articles = {"a", "an", "the", "two", "one", "no", "some", "something", "downloading",
                "weights", "keras-doctor's", "part", "saved", "installed"}
    return summary[0].upper() + summary[1:] if first in articles else summary


def _one(cause, fmt: str, args: argparse.Namespace) -> str:
    from keras_doctor.render.document import document

    text = long_markdown(cause)
    if fmt == "terminal":
        on_terminal = sys.stdout.isatty() and not getattr(args, "output", None)
        return terminal_markdown(text, args) if on_terminal else text
    return document(fmt, title=f"keras-doctor causes {cause.id}", lines=text.splitlines(),
                    data=_as_dict(cause), markdown=text, html_body=_html(text))


def terminal_markdown(text: str, args: argparse.Namespace) -> str:
    """Markdown rendered for a terminal by rich (headings, emphasis, code), plain when piped."""
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    wanted = getattr(args, "color", None)
    to_file = bool(getattr(args, "output", None))
    tty = sys.stdout.isatty() and not to_file
    buffer = io.StringIO()
    width = min(Console().width, 100) if tty else 100
    console = Console(file=buffer, width=width, force_terminal=tty if wanted is None else wanted,
                      no_color=wanted is False or (wanted is None and not tty)
                      or "NO_COLOR" in os.environ, highlight=False)
    console.print(Markdown(text))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _html(text: str) -> str:
    """The long explanation as HTML: headings, paragraphs, code spans, fenced code."""
    from keras_doctor.render.htmlfmt import prose

    out = []
    for block in text.split("\n\n"):
        stripped = block.strip()
        if stripped.startswith("#"):
            level = min(len(stripped) - len(stripped.lstrip("#")) + 1, 4)
            out.append(f"<h{level}>{prose(stripped.lstrip('#').strip())}</h{level}>")
        elif stripped:
            para = prose(stripped)
            para = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", para)
            para = re.sub(r"(?<!\*)\*([^*]+)\*(?!\*)", r"<em>\1</em>", para)
            out.append(f"<p>{para}</p>")
    return "\n".join(out) + "\n"


def _as_dict(cause) -> dict:
    return {"id": cause.id, "area": cause.area, "severity": cause.severity.value,
            "summary": cause.summary, "revealed_by": cause.revealed_by,
            "explanation": cause.explanation, "retired": cause.retired}
