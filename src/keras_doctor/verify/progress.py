"""Show verify's steps while they run: a live list in a terminal, plain lines anywhere else.

Steps take seconds (importing TensorFlow alone takes several), so a silent wait looks like a hang.
Progress is an observer of the run (`run_verify(progress=...)`), never part of it; rich is imported
only here, only for a terminal.
"""

from __future__ import annotations

import contextlib
import time
from typing import IO, Any, Dict, Iterator, List

from keras_doctor.verify.runner import Progress, StepResult

SYMBOLS = {"ok": "✓", "failed": "✗", "crashed": "✗", "timeout": "✗", "skipped": "-"}
ASCII_SYMBOLS = {"ok": "ok", "failed": "FAIL", "crashed": "CRASH", "timeout": "TIMEOUT",
                 "skipped": "skip"}


def step_line(step: StepResult, unicode: bool = True) -> str:
    symbol = (SYMBOLS if unicode else ASCII_SYMBOLS).get(step.status, "?")
    line = f"{symbol} {step.title} ({step.seconds:.2f} s)"
    if step.status == "skipped" and step.reason:
        line = f"{symbol} {step.title}: skipped, {step.reason}"
    elif step.status != "ok" and step.reason:
        line += f": {step.reason}"
    elif step.status in ("crashed", "timeout"):
        line += f": {step.status}"
    return line


@contextlib.contextmanager
def plain_progress(file: IO[str]) -> Iterator[Progress]:
    """One line per finished step, flushed at once (logs, CI, pipes)."""
    unicode = _can_encode(file)

    def show(kind: str, step: StepResult) -> None:
        if kind == "end":
            print(step_line(step, unicode), file=file, flush=True)

    yield show


@contextlib.contextmanager
def live_progress(file: IO[str]) -> Iterator[Progress]:
    """A live list with a spinner on the running step; it clears itself when the run ends."""
    from rich.console import Console, Group
    from rich.live import Live
    from rich.spinner import Spinner
    from rich.text import Text

    done: List[str] = []
    running: Dict[str, float] = {}
    titles: Dict[str, str] = {}

    class View:
        def __rich__(self) -> Group:
            rows: List[Any] = [Text(line) for line in done]
            for name, started in running.items():
                label = f" {titles[name]} ({time.perf_counter() - started:.1f} s)"
                rows.append(Spinner("dots", text=label))
            return Group(*rows)

    def show(kind: str, step: StepResult) -> None:
        if kind == "start":
            running[step.name], titles[step.name] = time.perf_counter(), step.title
        else:
            running.pop(step.name, None)
            done.append(step_line(step))

    with Live(View(), console=Console(file=file), refresh_per_second=8, transient=True):
        yield show


def _can_encode(file: IO[str]) -> bool:
    try:
        "✓✗".encode(getattr(file, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
