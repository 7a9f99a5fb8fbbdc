"""Where transactions live, and which of them a crash left unfinished.

Each transaction is a folder under the user data dir (`$KERAS_DOCTOR_DATA_DIR`, else
`$XDG_DATA_HOME/keras-doctor`, else `~/.local/share/keras-doctor`) holding its journal, the snapshot
manifest, the stashed files and the installer logs. A live run holds an exclusive lock on its
folder, so `pending_transactions()` tells an interrupted run (lock free, no final record) from one
that is still going in another terminal. Any command can call it cheaply to warn the user.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, List, Optional

from keras_doctor.apply import journal, location

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # POSIX
    msvcrt = None  # type: ignore[assignment]

# What `new_transaction_dir` names a folder: the only names --rollback and --resume accept.
TRANSACTION_ID = re.compile(r"\A[0-9]{8}T[0-9]{6}-[0-9a-f]{8}\Z")

JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "lock"
FINISHED_FILE = location.FINISHED_FILE  # one stat skips a finished folder
# What a finished transaction no longer needs: the stashed files and the files moved aside.
_DISPOSABLE = ("stash", "removed")


def data_dir() -> Path:
    return Path(location.data_dir())


def transactions_dir() -> Path:
    return Path(location.transactions_dir())


def mark_finished(folder: Path) -> None:
    """Record that nothing is left to do; free the stash (committed or restored, it is spent)."""
    (folder / FINISHED_FILE).write_text("")
    for name in _DISPOSABLE:
        shutil.rmtree(folder / name, ignore_errors=True)


def new_transaction_dir() -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    folder = transactions_dir() / f"{stamp}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, mode=0o700)
    return folder


def _lock(fd: int, wait: bool) -> bool:
    """An exclusive lock on an open file (or, on POSIX, folder), released by the OS on death."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError:
            return False
        return True
    if msvcrt is not None:
        while True:
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                if not wait:
                    return False
                time.sleep(0.1)
    return True


class TransactionLock:
    """Held for as long as a process works on a transaction; released by the OS if it dies."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._handle: Optional[IO[Any]] = None

    def acquire(self, wait: bool = False) -> bool:
        handle = open(self.folder / LOCK_FILE, "a+")  # noqa: SIM115 (held across calls)
        if not _lock(handle.fileno(), wait):
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


class EnvironmentLock:
    """One fix at a time per environment, whichever data folder or user started it.

    On POSIX the lock is taken on the environment's own folder (no file is written anywhere), and
    the installer inherits it: while an installer started by a fix still runs, even after the fix
    was killed, the environment stays locked, so a rollback knows not to restore under it. Windows
    locks a file in the data folder named after the environment instead.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.fd: Optional[int] = None

    def acquire(self, wait: bool = False) -> bool:
        if fcntl is not None:
            fd = os.open(self.prefix, os.O_RDONLY)
        else:
            folder = data_dir() / "locks"
            folder.mkdir(parents=True, exist_ok=True)
            name = hashlib.sha256(os.path.normcase(self.prefix).encode()).hexdigest()[:16]
            fd = os.open(str(folder / f"{name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        if not _lock(fd, wait):
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class UnknownTransaction(ValueError):
    """A transaction ID that names no transaction of this keras-doctor: nothing is touched."""


def transaction_folder(transaction_id: str) -> Path:
    """The folder of `transaction_id`, which must be one that `new_transaction_dir` made here."""
    if not TRANSACTION_ID.match(transaction_id):
        raise UnknownTransaction(
            f"not a transaction ID: {transaction_id!r} (IDs look like 20250101T120000-1a2b3c4d; "
            "`keras-doctor fix --rollback` without an ID takes the latest)")
    folder = transactions_dir() / transaction_id
    if folder.is_symlink() or not folder.is_dir() or not (folder / JOURNAL_FILE).is_file():
        raise UnknownTransaction(f"no transaction {transaction_id} in {transactions_dir()}")
    return folder


def transaction_python(folder: Path) -> Optional[str]:
    """The interpreter whose environment the transaction changes, as its first record says."""
    begin = journal.first(list(journal.read_records(folder / JOURNAL_FILE)), journal.BEGIN)
    return (begin or {}).get("python")


def is_transaction_folder(folder: Path) -> bool:
    try:
        return transaction_folder(folder.name) == folder
    except UnknownTransaction:
        return False


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
    for folder in sorted(root.iterdir()):
        if not TRANSACTION_ID.match(folder.name) or folder.is_symlink() or not folder.is_dir():
            continue  # not made by new_transaction_dir: never read, locked or written
        if (folder / FINISHED_FILE).exists():
            continue
        records = list(journal.read_records(folder / JOURNAL_FILE))
        status = journal.state(records)
        if status in ("committed", "rolled-back") or journal.first(records, journal.BEGIN) is None:
            continue  # finished, or stopped before its first record: nothing was changed
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
    """The named transaction (UnknownTransaction if it is not one), or the latest pending one."""
    if transaction_id:
        return transaction_folder(transaction_id)
    pending = pending_transactions()  # one still running is not among them
    return pending[-1].path if pending else None
