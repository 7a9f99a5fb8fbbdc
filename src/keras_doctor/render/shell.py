"""Fix commands as lines a person can paste into the shell of the machine being fixed.

A fix step carries an argv, never a shell string; only here does it become text. POSIX shells get
`shlex.join`. Windows shells do not understand single quotes (cmd passes them through literally, so
pip would see `'numpy<2'`), and both cmd and PowerShell treat `<`, `>`, `|` and `&` as operators, so
there every argument that holds one of those, or a space, goes in double quotes.
"""

from __future__ import annotations

import re
import shlex
import sys
from typing import Any, Mapping, Sequence

from keras_doctor.plan.show import broken_command

__all__ = ["broken_command", "is_windows_target", "shell_line"]

_WINDOWS_NEEDS_QUOTES = re.compile(r"[\s\"&|<>^()%!;,'`$@{}]")


def shell_line(argv: Sequence[Any], *, windows: bool = False) -> str:
    args = [str(arg) for arg in argv]
    if not windows:
        return shlex.join(args)
    return " ".join(_windows_quote(arg) for arg in args)


def is_windows_target(target: Mapping[str, Any]) -> bool:
    """Commands are for the target's platform; without one, for the machine rendering the report."""
    platform = target.get("platform") if target else None
    if platform:
        return str(platform).startswith("windows")
    return sys.platform == "win32"


def _windows_quote(arg: str) -> str:
    """Quote like the C runtime parses argv: backslashes double only before a quote."""
    if arg and not _WINDOWS_NEEDS_QUOTES.search(arg):
        return arg
    out, backslashes = [], 0
    for char in arg:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            out.append("\\" * (2 * backslashes + 1) + '"')
        else:
            out.append("\\" * backslashes + char)
        backslashes = 0
    out.append("\\" * (2 * backslashes))
    return '"' + "".join(out) + '"'
