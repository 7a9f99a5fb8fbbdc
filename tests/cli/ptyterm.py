"""Run a command on a real pseudo-terminal of a given size and capture what a person would see.

A pipe is not a terminal: colour, progress bars, the wrap width and whether a child process gets
the terminal all change. These tests open a pty pair, size it like a person's window and read the
bytes the program writes there, exactly as a terminal emulator would receive them.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from typing import Dict, Optional, Sequence, Tuple

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r")


def run_on_terminal(argv: Sequence[str], *, columns: int = 100, rows: int = 40,
                    env: Optional[Dict[str, str]] = None, timeout: float = 120,
                    stdin_tty: bool = True, answer: Optional[str] = None,
                    cwd: Optional[str] = None, stderr_tty: bool = True) -> Tuple[int, str]:
    """(exit code, screen text without escape sequences) of `argv` run on a pty; `answer` is
    typed once the program asks something (a line ending in `? [Y/n] `)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environment = dict(os.environ if env is None else env)
    environment.setdefault("TERM", "xterm-256color")
    environment["COLUMNS"], environment["LINES"] = str(columns), str(rows)
    process = subprocess.Popen(
        list(argv), stdin=follower if stdin_tty else subprocess.DEVNULL, stdout=follower,
        stderr=follower if stderr_tty else subprocess.DEVNULL, env=environment, close_fds=True,
        start_new_session=True, cwd=cwd,
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # EIO: the child closed its side
                    break
                if not data:
                    break
                chunks.append(data)
                if answer is not None and b"] " in b"".join(chunks)[-200:]:
                    os.write(leader, answer.encode())
                    answer = None
            elif process.poll() is not None:
                break
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    raw = b"".join(chunks).decode("utf-8", "replace")
    return code, strip_ansi(raw)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def commands_under_fix(screen: str):
    """The shell lines printed under a `Fix` heading of `check` (indented deeper than the step),
    a command broken with ` \\` continuations joined as the shell joins it."""
    return [" ".join(row.strip().removesuffix(" \\") for row in rows)
            for rows in command_rows_under_fix(screen)]


def command_rows_under_fix(screen: str):
    """Each command under a `Fix` heading as the rows it takes on the screen."""
    commands, inside, continued = [], False, False
    for line in screen.splitlines():
        stripped = line.strip()
        if stripped.startswith("Fix"):
            inside = True
            continue
        if inside and not stripped:
            inside = False
        elif inside and continued:
            commands[-1].append(line)
            continued = stripped.endswith(" \\")
        elif inside and not stripped[:1].isdigit() and line.startswith(" " * 13):
            commands.append([line])
            continued = stripped.endswith(" \\")
    return commands
