"""The engine's edges, met in-process on a tiny real environment: what a user is told when fix
refuses, how a run stopped inside a file step is resumed, what rollback says when it cannot
restore exactly, and that an installer cannot outlive the fix on Linux.

Each of these is a promise `fix` makes that the subprocess kill tests reach only from outside
(where a broken line of the engine still looks like a crash of the process).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sys
from pathlib import Path

import pytest
import tiny

from keras_doctor.apply import engine, journal, location, steps, store
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX virtualenv layout and signals")


def plan_for(python: str, *planned: PlannedStep) -> Plan:
    return Plan(target=PlanTarget(python=python, platform="linux-x86_64", python_version="3.11"),
                steps=list(planned))


def script_step(code: str, *args: str, summary: str = "installer stand-in") -> PlannedStep:
    """A step standing in for an installer that touches tinypkg: a Python script."""
    return PlannedStep(StepKind.INSTALL, summary, argv=[sys.executable, "-c", code, *args],
                       names=[tiny.NAME])


def records_of(folder: Path) -> list:
    return list(journal.read_records(folder / store.JOURNAL_FILE))


# -- refusals a user reads ------------------------------------------------------------------------

def test_an_interpreter_that_cannot_be_examined_is_refused_with_the_reason(tmp_path):
    missing = tmp_path / "gone" / "bin" / "python"

    outcome = engine.apply_plan(plan_for(str(missing), script_step("pass")))

    assert outcome.status == "refused"
    assert str(missing) in outcome.message  # which interpreter, and why, not an empty line
    assert not store.transactions_dir().exists() or \
        list(store.transactions_dir().iterdir()) == []  # refused before anything was recorded


def test_no_room_for_the_snapshot_is_a_refusal_that_leaves_nothing_pending(tiny_env):
    """The disk fills while the snapshot is stashed: the transaction is closed as "nothing was
    changed", the environment is as it was, and the next fix is not blocked by a stale journal."""
    before = tiny.tree_state(tiny_env)
    plan = plan_for(str(tiny.python_of(tiny_env)), script_step("pass"))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
    resource.setrlimit(resource.RLIMIT_FSIZE, (3000, hard))  # the journal fits, the manifest not
    try:
        outcome = engine.apply_plan(plan)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)

    assert outcome.status == "refused", outcome.message
    assert outcome.message.startswith("nothing was changed: snapshot failed:"), outcome.message
    assert tiny.tree_state(tiny_env) == before
    assert store.pending_transactions() == []
    folder = store.transactions_dir() / outcome.transaction
    assert journal.state(records_of(folder)) == "rolled-back"
    assert not (folder / "stash").exists()  # the partial stash is not kept
    assert engine.apply_plan(plan).status == "applied"


def test_rolling_back_a_run_that_stopped_before_its_first_record_just_closes_it():
    folder = store.new_transaction_dir()
    (folder / store.JOURNAL_FILE).write_text('{"event": "beg')  # torn by a kill mid-write

    outcome = engine.rollback(folder)

    assert (outcome.status, outcome.transaction) == ("rolled-back", folder.name)
    assert "before it changed anything" in outcome.message
    assert (folder / store.FINISHED_FILE).exists()
    assert not location.may_have_pending()  # later commands no longer warn about it


# -- resume after a stop inside a file step -------------------------------------------------------

def stopped_at_the_start_of_step(plan: Plan, position: int) -> Path:
    def ctrl_c(event, at, total, step, detail):
        if event == "start" and at == position:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.apply_plan(plan, progress=ctrl_c)
    (pending,) = store.pending_transactions()
    return pending.path


@pytest.mark.parametrize("took_effect", [False, True])
def test_resume_finishes_a_delete_step_whether_or_not_it_took_effect(tmp_path, took_effect):
    """Killed between the journal's step-start and step-done: the file may or may not have been
    moved aside. Resume must see which, and never fail on a file it already moved."""
    weights = tmp_path / "vgg16.h5"
    weights.write_bytes(b"\x89HDF\r\n\x1a\n corrupt")
    after = tmp_path / "ran"
    plan = plan_for(sys.executable,
                    PlannedStep(StepKind.DELETE_FILE, "delete the corrupt weights",
                                path=str(weights), destructive=True),
                    PlannedStep(StepKind.INSTALL, "a later step", names=[],
                                argv=[sys.executable, "-c", f"open({str(after)!r}, 'w')"]))
    folder = stopped_at_the_start_of_step(plan, 0)
    (started,) = [r for r in records_of(folder) if r["event"] == journal.STEP_START]
    if took_effect:  # the move happened, the kill came before step-done was written
        os.makedirs(os.path.dirname(started["keep_as"]))
        shutil.move(str(weights), started["keep_as"])

    outcome = engine.resume(folder)

    assert outcome.status == "applied", outcome.message
    assert not weights.exists() and after.exists()
    done = [r for r in records_of(folder) if r["event"] == journal.STEP_DONE and r["index"] == 0]
    assert [bool(r.get("resumed")) for r in done] == [took_effect]


@pytest.mark.parametrize("took_effect", [False, True])
def test_resume_finishes_a_rename_step_whether_or_not_it_took_effect(tmp_path, took_effect):
    shadow = tmp_path / "keras.py"
    shadow.write_text("print('my model')\n")
    kept = tmp_path / "keras_local.py"
    plan = plan_for(sys.executable,
                    PlannedStep(StepKind.RENAME, "rename keras.py", path=str(shadow),
                                dest=str(kept), destructive=True))
    folder = stopped_at_the_start_of_step(plan, 0)
    if took_effect:
        shadow.rename(kept)

    outcome = engine.resume(folder)

    assert outcome.status == "applied", outcome.message
    assert kept.read_text() == "print('my model')\n" and not shadow.exists()


def test_a_rename_whose_file_was_removed_by_hand_leaves_the_users_own_file_where_it_is(
        tmp_path):
    """The plan renames keras.py to keras_local.py; before the fix runs the user deletes keras.py
    and has a keras_local.py of their own. The rename fails, and its rollback neither moves the
    user's file to keras.py nor counts the long-gone keras.py as a rollback failure."""
    shadow, theirs = tmp_path / "keras.py", tmp_path / "keras_local.py"
    theirs.write_text("# the user's own\n")
    plan = plan_for(sys.executable,
                    PlannedStep(StepKind.RENAME, "rename keras.py", path=str(shadow),
                                dest=str(theirs), destructive=True))

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back" and outcome.failed_step == 1, outcome.message
    assert "already exists; not overwriting it" in outcome.message
    assert theirs.read_text() == "# the user's own\n" and not shadow.exists()
    assert store.pending_transactions() == []


def test_a_rename_whose_file_is_gone_fails_naming_it(tmp_path):
    shadow = tmp_path / "keras.py"
    plan = plan_for(sys.executable,
                    PlannedStep(StepKind.RENAME, "rename keras.py", path=str(shadow),
                                dest=str(tmp_path / "keras_local.py"), destructive=True))

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back" and outcome.failed_step == 1, outcome.message
    assert f"cannot rename {shadow}: [Errno 2]" in outcome.message


def test_resume_does_not_take_a_rename_whose_file_was_already_gone_for_done(tmp_path):
    """Stopped as the rename started, with keras.py already gone and a keras_local.py of the
    user's: that is not a rename that took effect, so resume runs it, and it fails."""
    shadow, theirs = tmp_path / "keras.py", tmp_path / "keras_local.py"
    theirs.write_text("# the user's own\n")
    plan = plan_for(sys.executable,
                    PlannedStep(StepKind.RENAME, "rename keras.py", path=str(shadow),
                                dest=str(theirs), destructive=True))
    folder = stopped_at_the_start_of_step(plan, 0)

    outcome = engine.resume(folder)

    assert outcome.status == "rolled-back" and outcome.failed_step == 1, outcome.message
    assert theirs.read_text() == "# the user's own\n" and not shadow.exists()


def test_resume_that_cannot_restore_the_snapshot_refuses_and_says_how_to_finish(tiny_env):
    """An installer cut short is redone from the snapshot; if the snapshot cannot be restored
    (its stash was damaged), resume must not run the steps on an unknown state."""
    module = tiny.site_packages(tiny_env) / tiny.NAME / "__init__.py"
    replace = ("import os, sys; os.remove(sys.argv[1]); "
               "open(sys.argv[1], 'w').write('half-installed')")
    plan = plan_for(str(tiny.python_of(tiny_env)), script_step(replace, str(module)),
                    script_step("pass", summary="second installer"))
    folder = stopped_at_the_start_of_step(plan, 1)
    shutil.rmtree(folder / "stash")

    outcome = engine.resume(folder)

    assert outcome.status == "refused"
    assert "finish with --rollback" in outcome.message and outcome.transaction == folder.name
    assert any("stashed copy is missing" in p for p in outcome.problems)
    assert all(p in outcome.message for p in outcome.problems)
    assert journal.state(records_of(folder)) == "interrupted"  # still pending, for --rollback


def test_the_current_attempt_is_what_follows_the_last_restart(tmp_path):
    log = journal.Journal(tmp_path / "journal.jsonl")
    log.write(journal.BEGIN)
    log.write(journal.STEP_START, index=0)
    assert [r["event"] for r in journal.current_attempt(log.records())] == [
        journal.BEGIN, journal.STEP_START]
    log.write(journal.RESTARTED)
    log.write(journal.STEP_START, index=0)
    log.write(journal.STEP_DONE, index=0)
    log.write(journal.RESTARTED)
    log.write(journal.STEP_START, index=1)

    attempt = journal.current_attempt(log.records())

    assert [(r["event"], r["index"]) for r in attempt] == [(journal.STEP_START, 1)]
    assert journal.steps_done(attempt) == {}  # step 0 runs again after the second restart


# -- restore that cannot be exact ----------------------------------------------------------------

def test_a_file_written_in_place_after_the_snapshot_is_reported_not_claimed_restored(tiny_env):
    """The stash holds hard links; an installer that wrote into a file in place (not unlink and
    write, as installers do) changed the stashed copy too. Rollback must say so."""
    module = tiny.site_packages(tiny_env) / tiny.NAME / "__init__.py"
    in_place = "import sys; open(sys.argv[1], 'r+').write('# overwritten in place\\n')\n" \
               "raise SystemExit(1)"
    # Its own inode: writing in place must not change the cached environment the copy links to.
    tiny.rewrite(module, module.read_text())

    outcome = engine.apply_plan(plan_for(str(tiny.python_of(tiny_env)),
                                         script_step(in_place, str(module))))

    assert outcome.status == "rollback-failed", outcome.message
    assert f"{module}: content differs from the snapshot (sha256)" in outcome.problems
    assert [p.id for p in store.pending_transactions()] == [outcome.transaction]


# -- the installer process ------------------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_an_installer_asks_the_kernel_to_kill_it_if_the_fix_dies(tmp_path):
    report = tmp_path / "signal"
    code = ("import ctypes, sys; libc = ctypes.CDLL(None); value = ctypes.c_int(); "
            "libc.prctl(2, ctypes.byref(value), 0, 0, 0); "  # PR_GET_PDEATHSIG
            "open(sys.argv[1], 'w').write(str(value.value))")
    step = PlannedStep(StepKind.INSTALL, "report", argv=[sys.executable, "-c", code, str(report)],
                       names=[])

    result = steps.run(step, 0, tmp_path, {})

    assert result.ok, result.message
    assert int(report.read_text()) == signal.SIGKILL


def test_an_installer_writes_no_bytecode_of_its_own_into_the_target(tmp_path, monkeypatch):
    """pip run from the target imports itself from there: a pip installed without bytecode would
    leave its own `__pycache__` beside the distributions the plan changes, which a rollback does
    not restore. (pip compiles what it installs all the same: py_compile ignores the variable.)"""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    package = tmp_path / "site" / "installer_stand_in"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text("")
    code = "import sys; sys.path.insert(0, sys.argv[1]); import installer_stand_in.main"
    step = PlannedStep(StepKind.INSTALL, "install", names=[],
                       argv=[sys.executable, "-c", code, str(package.parent)])

    result = steps.run(step, 0, tmp_path, {})

    assert result.ok, result.message
    assert sorted(p.name for p in package.iterdir()) == ["__init__.py", "main.py"]


def test_the_delete_step_without_a_path_is_named_in_the_failure(tmp_path):
    plan = plan_for(sys.executable, PlannedStep(StepKind.DELETE_FILE, "delete a file",
                                                destructive=True))
    outcome = engine.apply_plan(plan)
    assert outcome.message.startswith("step 1 (delete a file) failed: delete step without a path\n")


def test_on_windows_transactions_live_in_local_app_data(monkeypatch, tmp_path):
    with monkeypatch.context() as windows:
        windows.delenv("KERAS_DOCTOR_DATA_DIR", raising=False)
        windows.delenv("XDG_DATA_HOME", raising=False)
        windows.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
        windows.setattr(os, "name", "nt")
        found = location.data_dir()
    assert found == os.path.join(str(tmp_path / "AppData" / "Local"), "keras-doctor")


def test_a_lock_not_taken_releases_nothing_and_the_holder_keeps_it():
    """`pending_transactions` probes every folder's lock: a probe that finds it held must leave
    it held, or a second fix could start on a transaction still running."""
    folder = store.new_transaction_dir()
    holder = store.TransactionLock(folder)
    assert holder.acquire()
    probe = store.TransactionLock(folder)
    assert not probe.acquire()
    probe.release()
    assert not store.TransactionLock(folder).acquire()  # still held
    holder.release()
    assert store.TransactionLock(folder).acquire()
