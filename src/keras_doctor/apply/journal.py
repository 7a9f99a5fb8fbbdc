"""The write-ahead journal of one transaction: what was about to happen, and what did.

Each record is one JSON line, flushed and fsync'd before the action it announces, so a run stopped
at any instant (Ctrl-C, kill -9, power loss) leaves enough on disk to finish or undo the job:
a `step-start` without its `step-done` means "maybe happened", and rollback is written to cope with
both outcomes. A torn last line (power lost mid-write) is ignored on reading.

Test hook: with `KERAS_DOCTOR_TEST_KILL=after:K` (or `before:K`) in its environment, a process
kills itself with SIGKILL right after (or just before) writing its K-th record, and with it its
whole process group if it leads one (`after:K:INT`, `after:K:TERM`: sends itself SIGINT or SIGTERM
instead, as a user would); the crash-consistency test uses it to stop a real `fix --apply` at every
journal boundary.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

BEGIN = "begin"
SNAPSHOT = "snapshot"
STEP_START = "step-start"
STEP_DONE = "step-done"
STEP_FAILED = "step-failed"
STEP_SKIPPED = "step-skipped"
STEP_PROCESS = "step-process"  # the installer's pid (and process group), once it started
VERIFY_START = "verify-start"
VERIFY = "verify"
RESTARTED = "restarted"  # resume restored the snapshot: the steps run again from the first
ROLLBACK_START = "rollback-start"
ROLLED_BACK = "rolled-back"
COMMITTED = "committed"


class Journal:
    def __init__(self, path: Path):
        self.path = path

    def write(self, event: str, **data: Any) -> Dict[str, Any]:
        record = {"event": event, "time": time.time(), **data}
        line = (json.dumps(record) + "\n").encode()  # the event first, as written
        _records_written[0] += 1
        _test_kill("before")
        fd = os.open(str(self.path), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            if os.write(fd, line) != len(line):
                raise OSError(f"short write to {self.path}")
            os.fsync(fd)
        finally:
            os.close(fd)
        _test_kill("after")
        return record

    def records(self) -> List[Dict[str, Any]]:
        return list(read_records(self.path))


def read_records(path: Path) -> Iterator[Dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line torn by a crash mid-write
        if isinstance(record, dict) and "event" in record:
            yield record


def state(records: List[Dict[str, Any]]) -> str:
    """`committed`, `rolled-back`, `rollback-failed`, or `interrupted` (still needs a decision)."""
    for record in reversed(records):
        event = record["event"]
        if event == COMMITTED:
            return "committed"
        if event == ROLLED_BACK:
            return "rolled-back" if record.get("ok") else "rollback-failed"
    return "interrupted"


def steps_done(records: List[Dict[str, Any]]) -> Dict[int, Dict[str, Any]]:
    return {r["index"]: r for r in records if r["event"] == STEP_DONE}


def steps_started(records: List[Dict[str, Any]]) -> Dict[int, Dict[str, Any]]:
    return {r["index"]: r for r in records if r["event"] == STEP_START}


def current_attempt(records: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The records since the last restart (all of them if there was none)."""
    starts = [i for i, r in enumerate(records) if r["event"] == RESTARTED]
    return records[starts[-1] + 1:] if starts else records


def first(records: List[Dict[str, Any]], event: str) -> Optional[Dict[str, Any]]:
    return next((r for r in records if r["event"] == event), None)


_records_written = [0]
# `after:K:INT`, `after:K:TERM`: what Ctrl-C and `kill` send; anything else is SIGKILL.
_GENTLE_SIGNALS = {"INT": signal.SIGINT, "TERM": signal.SIGTERM}


def _test_kill(moment: str) -> None:
    wanted = os.environ.get("KERAS_DOCTOR_TEST_KILL")
    if not wanted:
        return
    parts = wanted.split(":")
    if parts[:2] != [moment, str(_records_written[0])]:
        return
    gentle = _GENTLE_SIGNALS.get(parts[2]) if len(parts) > 2 else None
    if gentle is not None:  # as a user would: this process alone, its handlers run
        os.kill(os.getpid(), gentle)
        return
    if os.name != "nt":  # pragma: no mutate
        # The whole group, as `kill -9 -PGID` stops a fix and whatever it started, only when this
        # process leads it (the tests start a fix in a session of its own): a process inside
        # someone else's group, a test runner's worker say, kills itself and never its parents.
        if os.getpgid(0) == os.getpid():  # pragma: no mutate
            os.killpg(os.getpid(), signal.SIGKILL)  # pragma: no mutate
        os.kill(os.getpid(), signal.SIGKILL)  # pragma: no mutate
    os._exit(137)  # pragma: no mutate
