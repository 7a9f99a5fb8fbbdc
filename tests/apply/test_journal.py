"""The journal and the transaction store: what survives a crash, and what counts as pending."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time

import pytest

from keras_doctor.apply import journal, pending_transactions, store
from keras_doctor.plan.model import Plan, PlanTarget


def begun(steps: int = 2, names=()):
    folder = store.new_transaction_dir()
    plan = Plan(PlanTarget(python="/env/bin/python", platform="linux-x86_64",
                           python_version="3.11"))
    data = plan.to_dict()
    data["steps"] = [{"kind": "install", "summary": f"s{i}", "names": list(names),
                      "argv": ["true"]} for i in range(steps)]
    log = journal.Journal(folder / store.JOURNAL_FILE)
    log.write(journal.BEGIN, plan=data, python="/env/bin/python", accepted=list(range(steps)))
    return folder, log


def test_a_journal_without_a_final_record_is_pending_and_counts_its_steps():
    folder, log = begun()
    log.write(journal.STEP_START, index=0)
    log.write(journal.STEP_DONE, index=0)
    log.write(journal.STEP_START, index=1)
    (pending,) = pending_transactions()
    assert (pending.id, pending.state, pending.steps_done, pending.steps_total) == (
        folder.name, "interrupted", 1, 2)
    assert pending.started == log.records()[0]["time"]  # when the fix began, for the listing
    assert pending.python == "/env/bin/python"
    assert store.find_transaction(None) == folder


def test_the_journal_is_readable_by_its_owner_alone():
    """It holds the plan, the environment's paths and the installers' messages."""
    folder, _log = begun()
    assert (folder / store.JOURNAL_FILE).stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_torn_last_line_is_ignored():
    folder, log = begun()
    with open(folder / store.JOURNAL_FILE, "a") as fh:
        fh.write('{"event": "step-do')  # power lost mid-write
    records = log.records()
    assert [r["event"] for r in records] == [journal.BEGIN]
    assert journal.state(records) == "interrupted"


def test_finished_transactions_are_not_pending_and_free_their_stash():
    folder, log = begun()
    (folder / "stash").mkdir()
    (folder / "stash" / "0000000").write_text("old file")
    log.write(journal.COMMITTED)
    store.mark_finished(folder)
    assert pending_transactions() == []
    assert not (folder / "stash").exists()
    assert (folder / store.JOURNAL_FILE).exists()


def test_a_failed_rollback_stays_pending():
    _folder, log = begun()
    log.write(journal.ROLLED_BACK, ok=False, problems=["x: content differs"])
    (pending,) = pending_transactions()
    assert pending.state == "rollback-failed"


def test_a_transaction_held_by_a_live_process_is_running_not_interrupted():
    folder, _log = begun()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path\n"
        "from keras_doctor.apply.store import TransactionLock\n"
        "lock = TransactionLock(Path(sys.argv[1])); lock.acquire(wait=True)\n"
        "print('held', flush=True); time.sleep(60)\n"), str(folder)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert pending_transactions() == []
        (running,) = pending_transactions(include_running=True)
        assert running.state == "running"
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 5
    while not pending_transactions() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p.state for p in pending_transactions()] == ["interrupted"]


def test_resume_refuses_a_run_that_stopped_before_its_snapshot_was_complete():
    from keras_doctor.apply import engine

    folder, _log = begun(steps=1, names=["numpy"])
    outcome = engine.resume(folder)
    assert outcome.status == "refused"
    assert outcome.message == ("the run stopped before its snapshot was complete, so nothing was "
                               "changed: finish it with --rollback, then run the fix again")
    assert engine.rollback(folder).status == "rolled-back"
    assert pending_transactions() == []


def test_a_last_line_of_bytes_that_are_not_text_leaves_the_records_before_it(tmp_path):
    path = tmp_path / "journal.jsonl"
    log = journal.Journal(path)
    log.write(journal.BEGIN, python="/Users/José/venv/bin/python")
    with open(path, "ab") as fh:
        fh.write(b'{"event": "step-st\xff\xfe\x00\x00')  # what a disk losing power can leave

    (record,) = journal.read_records(path)

    assert record["python"] == "/Users/José/venv/bin/python"


# -- Windows: locks through msvcrt (the OS call is faked; the logic around it is the real one) ----

class Msvcrt:
    """msvcrt.locking as Windows answers it: OSError while another open file holds the byte; the
    OS frees the byte when its holder's file is closed."""

    LK_NBLCK = 2

    def __init__(self):
        self.holders = {}  # file identity -> the descriptor holding it
        self.tries = 0

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        assert (mode, nbytes) == (self.LK_NBLCK, 1)
        self.tries += 1
        identity = os.fstat(fd).st_ino
        holder = self.holders.get(identity)
        if holder not in (None, fd) and self._still_holds(holder, identity):
            raise OSError(errno.EACCES, "Permission denied")
        self.holders[identity] = fd

    @staticmethod
    def _still_holds(fd: int, identity: int) -> bool:
        try:
            return os.fstat(fd).st_ino == identity
        except OSError:
            return False


@pytest.fixture
def windows(monkeypatch) -> Msvcrt:
    fake = Msvcrt()
    monkeypatch.setattr(store, "fcntl", None)
    monkeypatch.setattr(store, "msvcrt", fake)
    return fake


def test_on_windows_a_held_transaction_is_refused_at_once_or_waited_for_in_short_naps(
        windows, monkeypatch):
    folder = store.new_transaction_dir()
    holder = store.TransactionLock(folder)
    assert holder.acquire()
    waiting = store.TransactionLock(folder)
    assert waiting.acquire() is False

    naps = []

    def nap(seconds):  # the other process finishes while this one waits
        naps.append(seconds)
        holder.release()

    monkeypatch.setattr(time, "sleep", nap)
    assert waiting.acquire(wait=True) is True
    assert len(naps) == 1 and naps[0] < 0.5, naps
    assert (folder / store.LOCK_FILE).read_text() == str(os.getpid())
    waiting.release()


def test_on_windows_one_fix_at_a_time_per_environment(windows, tmp_path):
    first = store.EnvironmentLock(str(tmp_path / "env"))
    assert first.acquire()
    assert store.EnvironmentLock(str(tmp_path / "env")).acquire() is False
    other = store.EnvironmentLock(str(tmp_path / "other-env"))
    assert other.acquire()  # another environment is not held up
    first.release()
    second = store.EnvironmentLock(str(tmp_path / "env"))
    assert second.acquire()
    assert len(list((store.data_dir() / "locks").glob("*.lock"))) == 2
    for lock in (other, second):
        lock.release()
