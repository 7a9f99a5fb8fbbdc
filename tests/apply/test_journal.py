"""The journal and the transaction store: what survives a crash, and what counts as pending."""

from __future__ import annotations

import subprocess
import sys
import time

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
    assert store.find_transaction(None) == folder


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
    assert outcome.status == "refused" and "snapshot" in outcome.message
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
