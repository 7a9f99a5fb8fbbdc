"""`keras-doctor run`: run a program unchanged and, if it fails, explain why after its traceback.

    keras-doctor run -- python train.py --epochs 3
    keras-doctor run train.py --epochs 3          (a .py file runs with `python3` from PATH)

The program's standard output and error pass through live; standard error is also kept in a bounded
buffer (its head and its tail) for `explain`. The exit code is the program's own, so `run` can wrap
any command in a script or CI job. A program killed by a signal leaves no traceback (SIGILL is how a
missing AVX or Rosetta shows), so the signal itself is explained.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from keras_doctor.cli.common import add_output_options
from keras_doctor.cli.helpformat import HelpFormatter

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 1024 * 1024


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a program; if it fails, explain the error after its traceback",
        description="Run PROGRAM with its arguments, passing its output through unchanged. When it "
        "fails, explain its standard error (cause, evidence, fix) and exit with the "
        "program's exit code.",
        epilog="examples:\n  keras-doctor run -- python train.py\n  keras-doctor run train.py "
        "--epochs 3\n  keras-doctor run --no-env -- pytest tests/",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter for a .py PROGRAM, and whose facts refine the answer",
    )
    parser.add_argument("--no-env", action="store_true", help="explain from the error text alone")
    add_output_options(parser, fail_on=False)
    parser.add_argument(
        "program",
        nargs=argparse.REMAINDER,
        metavar="PROGRAM [ARGS]",
        help="the command to run (put it after --)",
    )
    parser.set_defaults(run=run)


class TeeBuffer:
    """Keeps the first HEAD_BYTES and the last TAIL_BYTES of a stream, whatever its length."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES):
        self.head, self.tail_limit = bytearray(), tail
        self.head_limit = head
        self.tail = bytearray()
        self.skipped = 0

    def write(self, chunk: bytes) -> None:
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        self.tail += chunk
        if len(self.tail) > 2 * self.tail_limit:
            cut = len(self.tail) - self.tail_limit
            self.skipped += cut
            del self.tail[:cut]

    def text(self) -> str:
        tail = self.tail[-self.tail_limit :]
        self.skipped += len(self.tail) - len(tail)
        gap = b"\n[...]\n" if self.skipped else b""
        return (bytes(self.head) + gap + bytes(tail)).decode("utf-8", errors="replace")


def command_line(program: List[str], python: Optional[str]) -> List[str]:
    import shutil

    from keras_doctor.cli import UsageError

    if program and program[0] == "--":
        program = program[1:]
    if not program:
        raise UsageError("nothing to run: keras-doctor run -- python train.py")
    if program[0].endswith(".py"):
        interpreter = python or shutil.which("python3") or shutil.which("python") or sys.executable
        return [interpreter, *program]
    return program


def pump(stream, sink, buffer: TeeBuffer) -> None:
    for chunk in iter(lambda: stream.read1(65536), b""):
        sink.write(chunk)
        sink.flush()
        buffer.write(chunk)


def _terminal_for_stderr():
    """(leader, follower) of a pseudo-terminal standing in for our stderr when stderr is a real
    terminal: the program then sees a terminal (colour, progress bars, its own line editing) as
    if run directly, while every byte it writes there is still read for the explanation. Raw
    mode, so bytes pass unchanged; the window size is copied so wrapping stays right."""
    if os.name == "nt" or not sys.stderr.isatty():
        return None
    try:
        import fcntl
        import pty
        import termios
        import tty

        leader, follower = pty.openpty()
        tty.setraw(follower)
        try:
            size = fcntl.ioctl(sys.stderr.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
            fcntl.ioctl(follower, termios.TIOCSWINSZ, size)
        except OSError:
            pass
        return leader, follower
    except OSError:  # no pty available: a pipe still passes the output through
        return None


def pump_terminal(leader: int, sink, buffer: TeeBuffer) -> None:
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        sink.write(chunk)
        sink.flush()
        buffer.write(chunk)
    os.close(leader)


def run(args: argparse.Namespace) -> int:
    import subprocess
    import threading

    from keras_doctor.cli import UsageError

    argv = command_line(args.program, args.python)
    buffer = TeeBuffer()
    terminal = _terminal_for_stderr()
    try:
        child = subprocess.Popen(argv, stderr=terminal[1] if terminal else subprocess.PIPE)
    except OSError as exc:
        if terminal:
            os.close(terminal[0])
            os.close(terminal[1])
        raise UsageError(f"cannot run {argv[0]}: {exc.strerror or exc}") from exc
    if terminal:
        os.close(terminal[1])  # the child holds it now; reading ends when the child closes it
        reader = threading.Thread(target=pump_terminal,
                                  args=(terminal[0], sys.stderr.buffer, buffer), daemon=True)
    else:
        reader = threading.Thread(
            target=pump, args=(child.stderr, sys.stderr.buffer, buffer), daemon=True
        )
    reader.start()
    try:
        code = child.wait()
    except KeyboardInterrupt:
        code = child.wait()
    reader.join(timeout=5)
    if code == 0:
        return 0
    text = buffer.text()
    if code < 0:
        text += "\n" + signal_note(-code)
    elif code >= 0xC0000000:  # Windows ends a crashed process with its NTSTATUS as exit code
        text += f"\nkeras-doctor run: the program exited with code {code} (0x{code:08X})"
    explain_failure(text, argv, args)
    return 128 - code if code < 0 else code


def signal_note(number: int) -> str:
    import signal

    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return f"keras-doctor run: the program was killed by {name}"


def explain_failure(text: str, argv: List[str], args: argparse.Namespace) -> None:
    from keras_doctor.cli.common import output_format
    from keras_doctor.explain import explain_text
    from keras_doctor.render import render

    facts = None if args.no_env else _facts_for(argv, args.python)
    report = explain_text(text, facts)
    report.extra["program"] = argv
    print("", file=sys.stderr)
    if not report.findings:
        print(
            "keras-doctor: the program failed; no known cause matches its error output",
            file=sys.stderr,
        )
        return
    if getattr(args, "output", None):
        from keras_doctor.cli.common import emit

        emit(report, args)
        return
    if getattr(args, "quiet", False) and output_format(args) == "terminal":
        from keras_doctor.render import view

        print(view.summary_line(report), file=sys.stderr)
        return
    render(report, output_format(args), verbose=args.verbose, color=args.color, file=sys.stderr)


def _facts_for(argv: List[str], python: Optional[str]):
    """Facts of the interpreter that ran the program when it is a Python, else of this one."""
    import shutil

    from keras_doctor.facts import collect

    interpreter = python or (argv[0] if "python" in argv[0].rsplit("/", 1)[-1] else None)
    try:
        if interpreter:
            return collect.collect_python(shutil.which(interpreter) or interpreter)
        return collect.collect_running()
    except Exception as exc:  # the explanation still works from the text alone
        print(
            f"keras-doctor: facts not collected ({exc}); explaining from the text alone",
            file=sys.stderr,
        )
        return None
