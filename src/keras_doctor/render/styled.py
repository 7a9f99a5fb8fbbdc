"""Styled lines for the terminal: built once, written as plain text or through `rich` in colour.

The terminal renderer describes its output as lines of (text, style) segments and wraps prose
itself, so the coloured and the plain output hold exactly the same characters: a log reads like the
screen.
`rich` is imported only when colour is actually wanted, and only `Text` objects reach it: text from
the environment (paths, error messages) is never parsed as rich markup.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from typing import IO, List, Optional, Tuple

Segment = Tuple[str, str]  # (text, style name); style "" is unstyled
DEFAULT_WIDTH = 100  # prose width when the output is not a terminal (logs, CI, pipes)
MIN_WIDTH = 40

STYLES = {
    "passed": "green",
    "error": "bold red",
    "warning": "yellow",
    "info": "cyan",
    "skipped": "dim",
    "heading": "bold",
    "cause": "magenta",
    "code": "bold",
    "dim": "dim",
    "destructive": "bold red",
}

PLAIN_SYMBOLS = {"passed": "✓", "warning": "!", "error": "✗", "info": "i", "skipped": "–"}
SYMBOL_SAMPLE = "✓✗–—…"
ASCII_SYMBOLS = {"passed": "+", "warning": "!", "error": "x", "info": "i", "skipped": "-"}


class Lines:
    """An output being built: each line a list of segments."""

    def __init__(self, width: int, encoding: str = "utf-8", on_terminal: bool = False):
        self.width = max(MIN_WIDTH, width)
        self.encoding = encoding
        # A person reads it in a window of `width` columns: what does not fit is broken at spaces
        # (commands with a shell continuation); in a log, each stays one line to grep and copy.
        self.on_terminal = on_terminal
        self.unicode = _can_encode(SYMBOL_SAMPLE, encoding)
        self.rows: List[List[Segment]] = []

    def symbol(self, status: str) -> str:
        return (PLAIN_SYMBOLS if self.unicode else ASCII_SYMBOLS).get(status, "?")

    def text(self, text: str) -> str:
        """The text as the output can encode it: ASCII stand-ins for our punctuation, `?` for the
        rest (a path with an accent on a C-locale console must not end the report in a crash)."""
        if self.unicode:
            return text
        text = text.replace("—", "-").replace("…", "...").replace("–", "-")
        return text.encode(self.encoding, "replace").decode(self.encoding)

    def add(self, *segments: Segment, indent: int = 0) -> None:
        row: List[Segment] = [(" " * indent, "")] if indent else []
        row.extend((self.text(text), style) for text, style in segments if text)
        self.rows.append(row)

    def blank(self) -> None:
        if self.rows and self.rows[-1]:
            self.rows.append([])

    def wrapped(
        self, text: str, *, indent: int, style: str = "", lead: Optional[List[Segment]] = None,
        hang: Optional[int] = None,
    ) -> None:
        """Prose wrapped to the width; `lead` segments start the first line, later lines hang."""
        lead = [(self.text(t), s) for t, s in (lead or [])]
        first = indent + sum(len(t) for t, _ in lead)
        hang = first if hang is None else hang
        paragraphs = self.text(text).splitlines() or [""]
        for number, paragraph in enumerate(paragraphs):
            start = first if number == 0 else hang
            chunks = textwrap.wrap(
                paragraph,
                max(self.width, start + 20),
                initial_indent=" " * start,
                subsequent_indent=" " * hang,
                break_long_words=False,
                break_on_hyphens=False,
            ) or [" " * start]
            chunks = _keep_long_words_attached(chunks, hang)
            for index, chunk in enumerate(chunks):
                if number == 0 and index == 0:
                    self.rows.append([(" " * indent, ""), *lead, (chunk[start:], style)])
                else:
                    self.rows.append([(chunk[:hang], ""), (chunk[hang:], style)])

    def plain(self) -> str:
        return "".join("".join(text for text, _ in row).rstrip() + "\n" for row in self.rows)


def _keep_long_words_attached(chunks: List[str], hang: int) -> List[str]:
    """A path longer than the line stays beside its label ("path: /very/long/…"), not below it."""
    out: List[str] = []
    for chunk in chunks:
        word = chunk[hang:]
        if out and word and " " not in word and len(chunk) > len(out[-1]) and _is_label(out[-1]):
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(chunk)
    return out


def _is_label(line: str) -> bool:
    """"path:", "- path:", "-": a line that only announces the word that follows."""
    words = line.split()
    return len(words) == 1 or (len(words) <= 3 and line.rstrip().endswith(":"))


# -- deciding and writing -------------------------------------------------------------------------


def wants_color(file: IO[str], color: Optional[bool]) -> bool:
    """`color` forces either way; otherwise colour only on a terminal, never with NO_COLOR set.

    FORCE_COLOR (non-empty) asks for colour where no terminal is seen (CI logs that render ANSI);
    NO_COLOR still wins over it.
    """
    if color is not None:
        return color
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") in ("dumb", "unknown"):
        return False
    isatty = getattr(file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def output_width(file: IO[str], explicit: Optional[int]) -> int:
    if explicit:
        return explicit
    isatty = getattr(file, "isatty", None)
    try:
        on_terminal = bool(isatty and isatty())
    except (OSError, ValueError):
        on_terminal = False
    if not on_terminal:
        return DEFAULT_WIDTH
    return min(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns - 1, 120)


def output_encoding(file: IO[str]) -> str:
    encoding = getattr(file, "encoding", None) or "utf-8"
    return encoding if _can_encode("", encoding) else "utf-8"


def _can_encode(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def write(lines: Lines, file: IO[str], color: bool) -> None:
    if not color:
        file.write(lines.plain())
        return
    from rich.console import Console
    from rich.text import Text

    # rich finds no colours on TERM=dumb; colour reaching this point was asked for, so give it some.
    console = Console(
        file=file,
        force_terminal=True,
        force_jupyter=False,
        no_color=False,
        color_system="standard" if os.environ.get("TERM") in ("dumb", "unknown") else "auto",
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        width=lines.width + 1,
    )
    for row in lines.rows:
        text = Text(no_wrap=True, end="\n")
        for segment, style in row:
            text.append(segment, style=STYLES.get(style, "") or None)
        text.rstrip()
        console.print(text)

