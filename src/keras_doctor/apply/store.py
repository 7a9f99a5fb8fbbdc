"""Where transactions live, and which of them a crash left unfinished.

Each transaction is a folder under the user data dir (`$KERAS_DOCTOR_DATA_DIR`, else
`$XDG_DATA_HOME/keras-doctor`, else `~/.local/share/keras-doctor`) holding its journal, the snapshot
manifest, the stashed files and the installer logs. A live run holds an exclusive lock on its
folder, so `pending_transactions()` tells an interrupted run (lock free, no final record) from one
that is still going in another terminal. Any command can call it cheaply to warn the user.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, List, Optional

from keras_doctor.apply import journal, location

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a transaction is never reported as running
    fcntl = None  # type: ignore[assignment]

JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "lock"
FINISHED_FILE = location.FINISHED_FILE  # one stat skips a finished folder
# What a finished transaction no longer needs: the stashed files and the files moved aside.
_DISPOSABLE = ("stash", "removed")


def data_dir() -> Path:
    return Path(location.data_dir())


def transactions_dir() -> Path:
    return Path(location.transactions_dir())


def mark_finished(folder: Path, keep_stash: bool = False) -> None:
    """Record that nothing is left to do; free the stash (committed or restored, it is spent)."""
    (folder / FINISHED_FILE).write_text("")
    if not keep_stash:
        for name in _DISPOSABLE:
            shutil.rmtree(folder / name, ignore_errors=True)


def new_transaction_dir() -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    folder = transactions_dir() / f"{stamp}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, mode=0o700)
    return folder


class TransactionLock:
    """Held for as long as a process works on a transaction; released by the OS if it dies."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._handle: Optional[IO[Any]] = None

    def acquire(self, wait: bool = False) -> bool:
        handle = open(self.folder / LOCK_FILE, "a+")  # noqa: SIM115 (held across calls)
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except OSError:
                handle.close()
                return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> TransactionLock:
        if not self.acquire():
            raise TransactionBusy(f"another keras-doctor process is working on {self.folder}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class TransactionBusy(RuntimeError):
    pass


@dataclass(frozen=True)
class PendingTransaction:
    id: str
    path: Path
    python: Optional[str]
    started: Optional[float]
    state: str  # "interrupted" | "rollback-failed" | "running"
    steps_done: int
    steps_total: int


def pending_transactions(include_running: bool = False) -> List[PendingTransaction]:
    """Transactions that neither committed nor rolled back cleanly, oldest first."""
    root = transactions_dir()
    if not root.is_dir():
        return []
    pending = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if (folder / FINISHED_FILE).exists():
            continue
        records = list(journal.read_records(folder / JOURNAL_FILE))
        status = journal.state(records)
        if status in ("committed", "rolled-back"):
            continue
        lock = TransactionLock(folder)
        if lock.acquire():
            lock.release()
        else:
            if not include_running:
                continue
            status = "running"
        begin = journal.first(records, journal.BEGIN) or {}
        pending.append(PendingTransaction(
            id=folder.name,
            path=folder,
            python=begin.get("python"),
            started=begin.get("time"),
            state=status,
            steps_done=len(journal.steps_done(records)),
            steps_total=len((begin.get("plan") or {}).get("steps", [])),
        ))
    return pending


def find_transaction(transaction_id: Optional[str]) -> Optional[Path]:
    """The named transaction, or (no name) the most recent pending one."""
    if transaction_id:
        folder = transactions_dir() / transaction_id
        return folder if folder.is_dir() else None
    pending = [p for p in pending_transactions() if p.state != "running"]
    return pending[-1].path if pending else None
