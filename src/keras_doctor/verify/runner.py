"""Run the driver in the target interpreter and turn its event stream into step results.

The driver runs in its own process group so a hang can be cut cleanly (every thread and child it
started dies with it). Its events arrive on stdout, one JSON line each; its stderr goes to a file,
and the file's size at each event marks which part of stderr belongs to which step, so a failing
or crashing step carries its own output (warnings, banners, faulthandler's stack) as evidence.
It writes no bytecode: importing a package from an environment installed without it (uv's default)
would otherwise leave `__pycache__` folders there, and verify only looks, even inside a fix,
whose rollback restores the snapshot exactly.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

DRIVER = Path(__file__).with_name("driver.py")
STARTUP_STEP = "python"  # the pseudo-step that lasts until the interpreter says hello
STDERR_LIMIT = 20_000  # characters of a step's stderr kept as evidence


@dataclass
class StepResult:
    """One step as reported: `status` is ok, failed, skipped, crashed, timeout or running."""

    name: str
    title: str
    status: str = "running"
    seconds: float = 0.0
    data: Dict[str, Any] = field(default_factory=dict)
    reason: Optional[str] = None
    traceback: Optional[str] = None
    stderr: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "title": self.title, "status": self.status,
                "seconds": round(self.seconds, 3), "data": self.data, "reason": self.reason}


@dataclass
class DriverRun:
    """Everything one driver run produced."""

    steps: List[StepResult]
    hello: Dict[str, Any]
    returncode: Optional[int]  # None when the run was killed at the timeout
    timed_out: bool
    seconds: float
    stderr_tail: str


Progress = Callable[[str, StepResult], None]  # ("start" | "end", step)


class DriverNotStarted(OSError):
    """The target interpreter could not be started at all (missing, not executable)."""


def run_driver(python: str, config: Dict[str, Any], timeout: float,
               progress: Optional[Progress] = None) -> DriverRun:
    """Run all steps in one process of `python`; never raises for what happens inside it."""
    started = time.perf_counter()
    handle, stderr_path = tempfile.mkstemp(prefix="keras-doctor-verify-", suffix=".log")
    os.close(handle)
    # The child appends through its own handle; reading through another never moves its offset.
    try:
        with open(stderr_path, "ab") as stderr_sink, open(stderr_path, "rb") as stderr_file:
            try:
                proc = subprocess.Popen(
                    [python, "-c", DRIVER.read_text(encoding="utf-8"), json.dumps(config)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_sink,
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, **_own_process_group(),
                )
            except OSError as exc:
                raise DriverNotStarted(f"cannot run {python}: {exc.strerror or exc}") from exc
            events: queue.Queue = queue.Queue()
            reader = threading.Thread(target=_read_lines, args=(proc.stdout, events), daemon=True)
            reader.start()
            try:
                steps, hello, timed_out = _follow(proc, events, stderr_file,
                                                  started + timeout, progress)
            finally:
                if proc.poll() is None:
                    _kill_group(proc)  # a timeout, or the doctor itself was interrupted
            returncode = None if timed_out else proc.returncode
            reader.join(1.0)
            tail = _stderr_slice(stderr_file, max(0, _size(stderr_file) - STDERR_LIMIT))
    finally:
        os.unlink(stderr_path)
    return DriverRun(steps, hello, returncode, timed_out, time.perf_counter() - started, tail)


def _follow(proc, events: queue.Queue, stderr_file, deadline: float,
            progress: Optional[Progress]):
    startup = StepResult(STARTUP_STEP, "start the interpreter")
    current: Optional[StepResult] = startup
    current_started, current_offset = time.perf_counter(), 0
    steps: List[StepResult] = [startup]
    hello: Dict[str, Any] = {}
    if progress:
        progress("start", startup)
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            if current is not None:
                current.status, current.seconds = "timeout", time.perf_counter() - current_started
                current.stderr = _stderr_slice(stderr_file, current_offset)
                if progress:
                    progress("end", current)
            return steps, hello, True
        try:
            line = events.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            continue
        if line is None:  # end of stream: the driver exited (or crashed)
            break
        event = _parse(line)
        kind = event.get("event")
        if kind == "done":
            break
        if kind == "hello" and current is not None and current.name == STARTUP_STEP:
            hello = event
            current.status, current.seconds = "ok", time.perf_counter() - current_started
            current.data = {k: v for k, v in event.items() if k != "event"}
            if progress:
                progress("end", current)
            current = None
        elif kind == "start":
            current = StepResult(str(event.get("step")), str(event.get("title", event.get("step"))))
            # The driver's own offset: by the time this line is read, the step may have written.
            offset = event.get("stderr_offset")
            current_offset = offset if isinstance(offset, int) else _size(stderr_file)
            current_started = time.perf_counter()
            steps.append(current)
            if progress:
                progress("start", current)
        elif kind == "end" and current is not None:
            current.status = str(event.get("status", "failed"))
            current.seconds = float(event.get("seconds", time.perf_counter() - current_started))
            current.data = event.get("data") or {}
            current.reason, current.traceback = event.get("reason"), event.get("traceback")
            if current.status != "ok":
                current.stderr = _stderr_slice(stderr_file, current_offset)
            if progress:
                progress("end", current)
            current = None
    try:
        returncode = proc.wait(timeout=max(0.1, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:  # finished its steps (or closed stdout) but will not exit
        returncode = None
    if current is not None:  # the process ended inside a step: a crash or an early exit
        current.seconds = time.perf_counter() - current_started
        current.data = {"returncode": returncode}
        if returncode is None:
            current.status = "timeout"
        elif returncode < 0:
            current.status = "crashed"
        else:
            current.status = "failed"
            current.reason = f"the interpreter exited with status {returncode}"
        current.stderr = _stderr_slice(stderr_file, current_offset)
        if progress:
            progress("end", current)
    return steps, hello, False


def _read_lines(stream, events: queue.Queue) -> None:
    try:
        for raw in iter(stream.readline, b""):
            events.put(raw.decode("utf-8", "replace"))
    finally:
        events.put(None)


def _parse(line: str) -> Dict[str, Any]:
    try:
        event = json.loads(line)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _size(handle) -> int:
    return os.fstat(handle.fileno()).st_size


def _stderr_slice(handle, offset: int) -> str:
    handle.seek(offset)
    return handle.read().decode("utf-8", "replace")[-STDERR_LIMIT:]


def _own_process_group() -> Dict[str, Any]:
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    return {"start_new_session": True}


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the driver and everything it started; it may be stuck in native code."""
    try:
        if sys.platform == "win32":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
