"""One help layout for every command: prose wrapped to the terminal, examples kept as written.

argparse offers either wrapping everything (examples lose their columns) or nothing (a
description runs past a 100-column window and the terminal breaks it mid-word). Help is the
first thing a new user reads, so prose is wrapped at spaces — never inside `keras-doctor` or an
option's name — and indented lines or headings (`examples:`) are left as written.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import List


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: List[str] = []
        paragraph: List[str] = []

        def flush() -> None:
            if paragraph:
                out.append(textwrap.fill(" ".join(paragraph), width, initial_indent=indent,
                                         subsequent_indent=indent, break_on_hyphens=False,
                                         break_long_words=False))
                paragraph.clear()

        for line in text.splitlines():
            if not line.strip() or line[:1].isspace() or line.rstrip().endswith(":"):
                flush()
                out.append(indent + line)
            else:
                paragraph.append(line.strip())
        flush()
        return "\n".join(out)

    def _split_lines(self, text: str, width: int) -> List[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False,
                             break_long_words=False)
