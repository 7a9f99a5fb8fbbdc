"""The engine's promises checked inside the test process, in milliseconds: steps are small Python
commands and file operations, so no environment is built.

What a user meets here: a Ctrl-C between two steps leaves a journal that `--resume` finishes
without running a finished step again; the progress lines name the step that failed and why; a new
virtualenv a failed fix made is removed again (and a folder the user had made is left as it was); a
stopped installer is killed on a Mac too, where no /proc shows whose it is; the crash-test hook that
the kill tests rely on stops the process exactly at the record it names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from keras_doctor.apply import engine, journal, location, steps, store
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and process groups")


def plan_of(*planned: PlannedStep) -> Plan:
    return Plan(target=PlanTarget(python=sys.executable, platform="linux-x86_64",
                                  python_version="3.11"), steps=list(planned))


def counting_step(counter: Path, label: str) -> PlannedStep:
    """A step that notes each time it runs (and changes no distribution: no snapshot needed)."""
    code = f"open({str(counter)!r}, 'a').write({label!r} + '\\n')"
    return PlannedStep(StepKind.INSTALL, f"step {label}", argv=[sys.executable, "-c", code],
                       names=[])


def failing_step(message: str) -> PlannedStep:
    code = f"import sys; sys.stderr.write({message!r}); raise SystemExit(7)"
    return PlannedStep(StepKind.INSTALL, "a step that fails", argv=[sys.executable, "-c", code],
                       names=[])


def records_of(transaction: str) -> list:
    return list(journal.read_records(store.transactions_dir() / transaction / store.JOURNAL_FILE))


# -- Ctrl-C between steps, then --resume ----------------------------------------------------------

def interrupted_after_first_step(tmp_path: Path) -> Path:
    counter = tmp_path / "ran"
    plan = plan_of(counting_step(counter, "first"), counting_step(counter, "second"),
                   counting_step(counter, "third"))

    def ctrl_c_after_the_first(event, position, total, step, detail):
        if event == "done" and position == 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.apply_plan(plan, progress=ctrl_c_after_the_first)
    assert counter.read_text().split() == ["first"]
    (pending,) = store.pending_transactions()
    assert pending.state == "interrupted" and (pending.steps_done, pending.steps_total) == (1, 3)
    return pending.path


def test_resume_after_ctrl_c_between_steps_runs_only_the_steps_not_done(tmp_path):
    folder = interrupted_after_first_step(tmp_path)

    outcome = engine.resume(folder)

    assert outcome.status == "applied", outcome.message
    assert (tmp_path / "ran").read_text().split() == ["first", "second", "third"]
    done = [r["index"] for r in records_of(folder.name) if r["event"] == journal.STEP_DONE]
    assert done == [0, 1, 2]
    assert store.pending_transactions() == []
    assert engine.resume(folder).status == "refused"  # finished: nothing left to resume


def test_resume_redoes_nothing_when_the_last_step_was_done(tmp_path):
    counter = tmp_path / "ran"
    plan = plan_of(counting_step(counter, "only"))

    def ctrl_c_when_done(event, position, total, step, detail):
        if event == "done":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.apply_plan(plan, progress=ctrl_c_when_done)
    (pending,) = store.pending_transactions()

    outcome = engine.resume(pending.path)

    assert outcome.status == "applied", outcome.message
    assert counter.read_text().split() == ["only"]


def test_rollback_of_a_finished_transaction_is_refused_and_names_it(tmp_path):
    outcome = engine.apply_plan(plan_of(counting_step(tmp_path / "ran", "only")))
    assert outcome.status == "applied"
    folder = store.transactions_dir() / outcome.transaction

    again = engine.rollback(folder)

    assert again.status == "refused" and "already finished" in again.message
    assert again.transaction == outcome.transaction  # --json names what was refused


# -- what the user is told as the steps run --------------------------------------------------------

def test_progress_names_each_step_and_the_failed_steps_own_message(tmp_path):
    first = counting_step(tmp_path / "ran", "first")
    failing = failing_step("No space left on device")
    told = []

    outcome = engine.apply_plan(plan_of(first, failing),
                                progress=lambda *event: told.append(event))

    assert outcome.status == "rolled-back" and outcome.failed_step == 2
    assert [(event, position, total, step) for event, position, total, step, _ in told] == [
        ("start", 0, 2, first), ("done", 0, 2, first), ("start", 1, 2, failing),
        ("failed", 1, 2, failing)]
    assert "No space left on device" in told[-1][4]
    assert "No space left on device" in outcome.message


def test_a_fix_without_verify_does_not_claim_one_passed(tmp_path):
    outcome = engine.apply_plan(plan_of(counting_step(tmp_path / "ran", "only")))
    assert outcome.status == "applied" and outcome.verify_passed is None
    assert outcome.message == "every step ran"
    verified = engine.apply_plan(plan_of(counting_step(tmp_path / "ran", "again")),
                                 verify=lambda python: (True, "ok"))
    assert verified.message == "every step ran and verify passed"


# -- a new virtualenv made by a fix that then failed ----------------------------------------------

def new_venv_step(dest: Path) -> PlannedStep:
    code = ("import os, sys; os.makedirs(sys.argv[1], exist_ok=True); "
            "open(os.path.join(sys.argv[1], 'pyvenv.cfg'), 'w').write('home = x\\n')")
    return PlannedStep(StepKind.NEW_VENV, f"create a virtualenv at {dest}",
                       argv=[sys.executable, "-c", code, str(dest)], dest=str(dest))


def test_a_new_venv_made_by_a_failed_fix_is_removed(tmp_path):
    dest = tmp_path / "fresh-env"

    outcome = engine.apply_plan(plan_of(new_venv_step(dest), failing_step("resolver failed")))

    assert outcome.status == "rolled-back", outcome.message
    assert not dest.exists()


def test_an_empty_folder_the_user_made_for_the_new_venv_is_left_as_it_was(tmp_path):
    dest = tmp_path / "fresh-env"
    dest.mkdir()

    outcome = engine.apply_plan(plan_of(new_venv_step(dest), failing_step("resolver failed")))

    assert outcome.status == "rolled-back", outcome.message
    assert dest.is_dir() and list(dest.iterdir()) == []


def test_rollback_never_follows_a_link_left_where_the_new_venv_was_to_be(tmp_path):
    """The fix's new virtualenv is now a link to a folder of the user's: rollback removes nothing
    through it, and says it could not remove the venv instead of stopping half-way."""
    theirs = tmp_path / "my-project"
    theirs.mkdir()
    (theirs / "model.keras").write_text("weights")
    dest = tmp_path / "fresh-env"
    link = PlannedStep(StepKind.NEW_VENV, f"create a virtualenv at {dest}", dest=str(dest),
                       argv=[sys.executable, "-c", "import os, sys; os.symlink(*sys.argv[1:])",
                             str(theirs), str(dest)])

    outcome = engine.apply_plan(plan_of(link, failing_step("resolver failed")))

    assert outcome.status == "rollback-failed", outcome.message
    assert outcome.problems == [f"{dest} could not be removed"]
    assert (theirs / "model.keras").read_text() == "weights" and dest.is_symlink()


def test_rollback_leaves_a_folder_the_user_already_had_at_the_new_venvs_place(tmp_path):
    dest = tmp_path / "fresh-env"
    dest.mkdir()
    (dest / "train.py").write_text("model.fit()")

    outcome = engine.apply_plan(plan_of(new_venv_step(dest), failing_step("resolver failed")))

    assert outcome.status == "rolled-back", outcome.message
    assert (dest / "train.py").read_text() == "model.fit()"


def test_a_plan_that_names_no_interpreter_is_refused_before_anything(tmp_path):
    counter = tmp_path / "ran"
    step = dataclasses.replace(counting_step(counter, "first"), names=["numpy"])
    plan = plan_of(step)
    plan.target = dataclasses.replace(plan.target, python=None)

    outcome = engine.apply_plan(plan)

    assert (outcome.status, outcome.message) == ("refused",
                                                 "the plan names no interpreter to change")
    assert not counter.exists() and not store.transactions_dir().exists()


def test_a_plan_the_resolver_could_not_make_is_refused_with_its_reason_and_nothing_recorded(
        tmp_path):
    from keras_doctor.plan.model import PlanStatus

    counter = tmp_path / "ran"
    plan = plan_of(counting_step(counter, "first"))
    plan.status, plan.reason = PlanStatus.UNRESOLVABLE, "numpy<2 conflicts with tensorflow 2.18"
    outcome = engine.apply_plan(plan)
    assert (outcome.status, outcome.message) == ("refused",
                                                 "numpy<2 conflicts with tensorflow 2.18")
    plan.reason = None
    assert engine.apply_plan(plan).message == "the plan is unresolvable"
    assert not counter.exists() and not store.transactions_dir().exists()


def test_a_step_the_user_declined_is_journaled_as_declined_and_never_run(tmp_path):
    counter = tmp_path / "ran"
    risky = dataclasses.replace(counting_step(counter, "risky"), destructive=True)
    outcome = engine.apply_plan(plan_of(counting_step(counter, "first"), risky),
                                confirm=lambda step: False)
    assert outcome.status == "applied" and outcome.declined == [2]
    assert counter.read_text().split() == ["first"]
    skipped = [r for r in records_of(outcome.transaction) if r["event"] == journal.STEP_SKIPPED]
    assert [(r["index"], r["reason"]) for r in skipped] == [(1, "declined")]


def test_a_delete_step_without_a_path_fails_cleanly_and_changes_nothing(tmp_path):
    counter = tmp_path / "ran"
    plan = plan_of(counting_step(counter, "first"),
                   PlannedStep(StepKind.DELETE_FILE, "delete a file", destructive=True))

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back" and outcome.failed_step == 2, outcome.message
    assert "without a path" in outcome.message


def test_a_rename_step_without_a_destination_fails_and_leaves_the_file(tmp_path):
    shadow = tmp_path / "keras.py"
    shadow.write_text("print('mine')\n")
    plan = plan_of(PlannedStep(StepKind.RENAME, "rename keras.py", path=str(shadow),
                               destructive=True))

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back" and outcome.failed_step == 1, outcome.message
    assert "rename step without path and destination" in outcome.message
    assert shadow.read_text() == "print('mine')\n"
    assert steps.run(plan.steps[0], 0, tmp_path, {}) == steps.StepResult(
        False, "rename step without path and destination")


def test_advice_between_runnable_steps_is_shown_not_run_and_the_rest_still_runs(tmp_path):
    counter = tmp_path / "ran"
    advice = PlannedStep(StepKind.SET_ENV, "export TF_USE_LEGACY_KERAS=1",
                         shell_line="export TF_USE_LEGACY_KERAS=1")

    outcome = engine.apply_plan(plan_of(counting_step(counter, "first"), advice,
                                        counting_step(counter, "third")))

    assert outcome.status == "applied", outcome.message
    assert counter.read_text().split() == ["first", "third"]
    (begin,) = [r for r in records_of(outcome.transaction) if r["event"] == journal.BEGIN]
    assert begin["accepted"] == [0, 2]


@pytest.mark.parametrize("finish", [engine.resume, engine.rollback])
def test_a_folder_that_is_no_transaction_is_refused_naming_it(tmp_path, finish):
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")

    outcome = finish(mine)

    assert outcome.status == "refused"
    assert outcome.message == f"{mine} is not a transaction of this keras-doctor"
    assert (mine / "notes.txt").read_text() == "keep"


def test_a_rollback_stopped_half_way_is_finished_by_rollback_never_resumed(tmp_path):
    """Killed after the journal's rollback-start: resuming forward would run steps on a half
    restored environment, so resume refuses and tells the user the command that finishes it."""
    folder = interrupted_after_first_step(tmp_path)
    journal.Journal(folder / store.JOURNAL_FILE).write(journal.ROLLBACK_START, reason="requested")

    refused = engine.resume(folder)

    assert refused.status == "refused" and refused.transaction == folder.name
    assert "a rollback of this transaction was started" in refused.message
    assert refused.message.endswith("finish it with --rollback")
    assert (tmp_path / "ran").read_text().split() == ["first"]  # nothing ran again
    assert engine.rollback(folder).status == "rolled-back"
    assert store.pending_transactions() == []


# -- an installer that outlived the fix that started it --------------------------------------------

@contextlib.contextmanager
def orphan_installer(transaction: str, session: bool = True) -> Iterator[subprocess.Popen]:
    """A process group like the one an installer runs in, marked as the transaction's own; killed
    and reaped when the test ends, whatever it did to it. `session=False`: a group of its own in
    the test's session, as a shell's job control makes one."""
    env = {**os.environ, steps.TRANSACTION_VAR: transaction}
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env,
                               **({"start_new_session": True} if session
                                  else {"preexec_fn": os.setpgrp}))
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_an_orphaned_installer_is_killed_where_no_proc_shows_its_environment(monkeypatch):
    real_isdir = os.path.isdir
    # macOS: no /proc, so the group's members and their environments cannot be read.
    monkeypatch.setattr(os.path, "isdir", lambda p: False if p == "/proc" else real_isdir(p))
    with orphan_installer("20260101T000000-0123abcd") as installer:
        steps.stop_orphan(installer.pid, "20260101T000000-0123abcd", patience=1)
        assert installer.wait(timeout=5) == -signal.SIGKILL


def test_an_orphaned_installer_is_found_by_its_process_group_not_its_session():
    with orphan_installer("20260101T000000-0123abcd", session=False) as installer:
        assert os.getpgid(installer.pid) == installer.pid != os.getsid(installer.pid)
        steps.stop_orphan(installer.pid, "20260101T000000-0123abcd", patience=1)
        assert installer.wait(timeout=5) == -signal.SIGKILL


def test_stopping_an_orphaned_installer_waits_only_until_it_is_gone(monkeypatch):
    naps = []
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: naps.append(seconds) or real_sleep(seconds))
    with orphan_installer("20260101T000000-0123abcd") as installer:
        steps.stop_orphan(installer.pid, "20260101T000000-0123abcd", patience=30)
        assert installer.wait(timeout=5) == -signal.SIGKILL
    # Gone within a few naps; a rollback does not sit out the whole patience.
    assert sum(naps) < 5, f"waited {sum(naps):.1f} s for a group that was gone"


def test_a_process_group_of_another_program_is_left_alone():
    # another transaction's marker
    with orphan_installer("20260101T000000-ffffffff") as stranger:
        steps.stop_orphan(stranger.pid, "20260101T000000-0123abcd", patience=1)
        assert stranger.poll() is None


real_sleep = time.sleep


def test_stopping_an_orphaned_installer_waits_while_its_group_still_runs(monkeypatch):
    """A member can take a moment to die (a large process unmapping its memory): rollback must
    not start restoring while it still runs, nor wait past its patience for one that never dies."""
    killed, looks = [], []

    def live_members(pgid):  # as the OS answers where no /proc is: "the group exists"
        looks.append(pgid)
        return [-1] if len(looks) <= 3 else []

    monkeypatch.setattr(steps, "_live_members", live_members)
    monkeypatch.setattr(steps, "_kill_group_of", killed.append)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    steps.stop_orphan(4242, "20260101T000000-0123abcd", patience=30)
    assert killed == [4242] and len(looks) == 4  # asked again until the group was gone

    looks.clear()
    monkeypatch.setattr(steps, "_live_members", lambda pgid: looks.append(pgid) or [-1])
    monkeypatch.setattr(time, "sleep", lambda seconds: real_sleep(0.01))
    started = time.monotonic()
    steps.stop_orphan(4242, "20260101T000000-0123abcd", patience=0.2)
    assert 0.2 <= time.monotonic() - started < 5 and len(looks) > 2


def test_on_windows_an_orphaned_installer_is_ended_without_looking_for_its_group(monkeypatch):
    with orphan_installer("20260101T000000-0123abcd") as installer:
        monkeypatch.setattr(os, "name", "nt")
        try:
            steps.stop_orphan(installer.pid, "20260101T000000-0123abcd", patience=1)
        finally:
            monkeypatch.undo()
        assert installer.wait(timeout=5) == -signal.SIGTERM  # what TerminateProcess stands for


# -- the crash-test hook the kill tests rely on ----------------------------------------------------

class Stopped(Exception):
    """What the handler of a fix's signals raises in these tests."""


@pytest.mark.parametrize("name, signum", [("INT", signal.SIGINT), ("TERM", signal.SIGTERM)])
def test_the_kill_hook_interrupts_right_after_the_record_it_names(tmp_path, monkeypatch, name,
                                                                  signum):
    monkeypatch.setattr(journal, "_records_written", [0])
    monkeypatch.setenv("KERAS_DOCTOR_TEST_KILL", f"after:2:{name}")
    log = journal.Journal(tmp_path / "journal.jsonl")
    received = []

    def as_fix_handles_it(number, frame):  # Ctrl-C and SIGTERM both stop a fix's run
        received.append(number)
        raise Stopped  # not KeyboardInterrupt, which would stop the test runner itself

    # The handler `keras-doctor fix` has: a test runner may have replaced it. Installed before the
    # first record, so that a hook firing early fails this test instead of the test run.
    previous = signal.signal(signum, as_fix_handles_it)
    try:
        log.write(journal.BEGIN)
        with pytest.raises(Stopped):
            log.write(journal.STEP_START, index=0)
    finally:
        signal.signal(signum, previous)
    assert received == [signum]
    assert [r["event"] for r in log.records()] == [journal.BEGIN, journal.STEP_START]


def _hooked_writer(path: Path, kill: str) -> None:  # pragma: no cover (runs in a child)
    """Write five journal records under the crash-test hook; exit 0 if the hook never fired."""
    try:
        journal._records_written[0] = 0
        os.environ["KERAS_DOCTOR_TEST_KILL"] = kill
        log = journal.Journal(path)
        for index in range(5):
            log.write(journal.STEP_START, index=index)
    finally:
        os._exit(0)


def _fork(body) -> int:
    child = os.fork()
    if child == 0:  # pragma: no cover (the child process)
        try:
            body()
        finally:
            os._exit(0)
    return child


def test_the_kill_hook_kills_its_whole_process_group_before_the_record_it_names(tmp_path):
    path = tmp_path / "journal.jsonl"
    reader, writer = os.pipe()

    def fix() -> None:  # pragma: no cover (the child process)
        os.setpgid(0, 0)  # leads its group, as a fix the tests start in a session of its own
        _fork(lambda: time.sleep(60))  # what it started: holds the pipe open while it lives
        _hooked_writer(path, "before:3")

    child = _fork(fix)
    os.close(writer)
    _, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert [r["index"] for r in journal.read_records(path)] == [0, 1]
    # The pipe ends only when every process holding it is gone: the fix's own child died too.
    try:
        ended, _, _ = select.select([reader], [], [], 10)
        assert ended and os.read(reader, 1) == b"", "what the fix started outlived it"
    finally:
        os.close(reader)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child, signal.SIGKILL)


def test_the_kill_hook_in_a_process_that_leads_no_group_kills_it_alone(tmp_path):
    path = tmp_path / "journal.jsonl"

    def runner() -> None:  # pragma: no cover (a test runner, whose worker meets the hook)
        os.setpgid(0, 0)  # its own group, so that a hook killing the group cannot end pytest
        worker = _fork(lambda: _hooked_writer(path, "after:2"))
        _, status = os.waitpid(worker, 0)
        os._exit(3 if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL else 4)

    _, status = os.waitpid(_fork(runner), 0)
    assert os.WIFEXITED(status), "the hook killed the process that started the worker"
    assert os.WEXITSTATUS(status) == 3, "the worker was not killed by the hook"
    assert [r["index"] for r in journal.read_records(path)] == [0, 1]


# -- the cheap "is anything pending?" that every command asks --------------------------------------

def test_finished_transactions_and_stray_files_mean_nothing_is_pending(data_dir):
    root = Path(location.transactions_dir())
    assert location.may_have_pending() is False  # never ran a fix: not even the folder exists
    finished = root / "20260101T000000-0123abcd"
    finished.mkdir(parents=True)
    (finished / location.FINISHED_FILE).write_text("")
    (root / ".DS_Store").write_bytes(b"\0")  # what Finder leaves in every folder it opens
    assert location.may_have_pending() is False
    (root / "20260101T000001-0123abce").mkdir()
    assert location.may_have_pending() is True


def test_an_interrupted_fix_is_announced_by_every_other_command(tmp_path, capsys):
    from keras_doctor.cli import main

    interrupted_after_first_step(tmp_path)
    main(["causes"])
    assert "1 interrupted fix left changes half-applied" in capsys.readouterr().err


def test_the_package_offers_its_pending_transactions_lazily():
    import keras_doctor.apply as apply

    assert apply.pending_transactions() == [] and apply.data_dir() == store.data_dir()
    with pytest.raises(AttributeError, match="no attribute 'snapshot_everything'"):
        apply.snapshot_everything  # noqa: B018


def test_an_installer_that_cannot_be_started_fails_its_step_naming_it(tmp_path):
    missing = str(tmp_path / "no-such-installer")
    step = PlannedStep(StepKind.INSTALL, "install with a missing tool", argv=[missing, "install"],
                       names=[])

    outcome = engine.apply_plan(plan_of(counting_step(tmp_path / "ran", "first"), step))

    assert outcome.status == "rolled-back" and outcome.failed_step == 2
    assert f"{missing}: [Errno 2]" in outcome.message


def test_a_fix_killed_after_its_commit_record_is_not_pending(tmp_path):
    outcome = engine.apply_plan(plan_of(counting_step(tmp_path / "ran", "only")))
    folder = store.transactions_dir() / outcome.transaction
    (folder / store.FINISHED_FILE).unlink()  # killed between the record and the marker
    assert store.pending_transactions(include_running=True) == []
    assert engine.rollback(folder).status == "refused"  # nothing to undo: it committed


def test_a_transaction_folder_without_a_journal_is_no_transaction(tmp_path):
    outcome = engine.apply_plan(plan_of(counting_step(tmp_path / "ran", "only")))
    folder = store.transactions_dir() / outcome.transaction
    assert store.transaction_folder(outcome.transaction) == folder
    (folder / store.JOURNAL_FILE).unlink()
    with pytest.raises(store.UnknownTransaction, match="no transaction"):
        store.transaction_folder(outcome.transaction)
