"""What a user is promised around a rollback, on a tiny real environment and in-process steps.

A restored fix frees its stash (a TensorFlow snapshot weighs gigabytes) and its journal says why it
rolled back; a lost stash copy is reported and the file in the environment is left alone, never
deleted; a file that a new distribution shares with one the fix never touched stays; a
distribution whose RECORD is missing or points outside the environment is refused before
anything changes, with a message that says which, and a file that vanishes between the survey and
the snapshot ends the fix with nothing changed and nothing left pending; several files put aside
in one fix all come back; an installer's failure is shown even when it prints bytes that are not
UTF-8; and the commands that finish an interrupted fix name what they refuse.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest
import tiny

from keras_doctor.apply import engine, journal, snapshot, store
from keras_doctor.apply.environment import Target, read_target
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX virtualenv layout")


def plan_for(env: Path, *planned: PlannedStep) -> Plan:
    return Plan(target=PlanTarget(python=str(tiny.python_of(env)), platform="linux-x86_64",
                                  python_version="3.11"), steps=list(planned))


def script_step(code: str, names=(tiny.NAME,)) -> PlannedStep:
    return PlannedStep(StepKind.INSTALL, "test step", argv=[sys.executable, "-c", code],
                       names=list(names))


def failing(code: str = "") -> PlannedStep:
    return script_step(code + "\nraise SystemExit(1)\n")


def journal_of(outcome: engine.Outcome) -> list:
    folder = store.transactions_dir() / str(outcome.transaction)
    return journal.read_records(folder / store.JOURNAL_FILE)


# -- after a rollback ------------------------------------------------------------------------------

def test_a_rolled_back_fix_frees_its_stash_and_says_it_was_the_failed_step(tiny_env):
    outcome = engine.apply_plan(plan_for(tiny_env, failing()))

    assert outcome.status == "rolled-back", outcome.message
    assert outcome.message.endswith("\nthe environment was restored to its snapshot")
    folder = store.transactions_dir() / str(outcome.transaction)
    assert not (folder / snapshot.STASH).exists(), "the spent stash was kept"
    assert (folder / store.FINISHED_FILE).exists()
    (start,) = [r for r in journal_of(outcome) if r["event"] == journal.ROLLBACK_START]
    assert start["reason"] == "step 1 failed"


def test_a_fix_whose_verify_fails_journals_that_as_the_reason_it_rolled_back(tiny_env):
    outcome = engine.apply_plan(plan_for(tiny_env, script_step("pass")),
                                verify=lambda python: (False, "import failed"))

    assert outcome.status == "rolled-back" and outcome.verify_passed is False
    (start,) = [r for r in journal_of(outcome) if r["event"] == journal.ROLLBACK_START]
    assert start["reason"] == "verify failed"


def test_a_lost_stash_copy_is_reported_and_the_file_in_the_environment_left_alone(tiny_env,
                                                                                 tmp_path):
    site = tiny.site_packages(tiny_env)
    kept_file = site / tiny.NAME / "__init__.py"
    content = kept_file.read_bytes()
    found = snapshot.survey(read_target(str(tiny.python_of(tiny_env))), [tiny.NAME])
    folder = tmp_path / "transaction"
    folder.mkdir()
    manifest = snapshot.take(found, folder)
    (folder / snapshot.STASH / manifest["files"][str(kept_file)]["stash"]).unlink()

    problems = snapshot.restore(manifest, folder)

    assert problems == [f"{kept_file}: its stashed copy is missing"]
    assert kept_file.read_bytes() == content, "restore deleted a file it could not put back"


def test_a_file_a_new_distribution_shares_with_an_untouched_one_stays(tiny_env):
    site = tiny.site_packages(tiny_env)
    tool = tiny_env / "bin" / "shared-tool"
    tool.write_text("#!/bin/sh\n")
    bystander = site / "bystander-1.0.dist-info"
    bystander.mkdir()
    (bystander / "METADATA").write_text("Metadata-Version: 2.1\nName: bystander\nVersion: 1.0\n")
    (bystander / "RECORD").write_text(
        "../../../bin/shared-tool,,\nbystander-1.0.dist-info/RECORD,,\n")
    # The failed step installs a new distribution that lists the same script.
    code = (f"import os; d = {str(site / 'newcomer-1.0.dist-info')!r}; os.mkdir(d); "
            "open(os.path.join(d, 'METADATA'), 'w').write("
            "'Metadata-Version: 2.1\\nName: newcomer\\nVersion: 1.0\\n'); "
            "open(os.path.join(d, 'RECORD'), 'w').write("
            "'../../../bin/shared-tool,,\\nnewcomer-1.0.dist-info/RECORD,,\\n')")

    outcome = engine.apply_plan(plan_for(tiny_env, failing(code)))

    assert outcome.status == "rolled-back", outcome.message
    assert not (site / "newcomer-1.0.dist-info").exists()
    assert tool.read_text() == "#!/bin/sh\n", "the untouched distribution lost its script"


# -- refusals before anything changes --------------------------------------------------------------

def record_of(env: Path) -> Path:
    return tiny.site_packages(env) / f"{tiny.NAME}-1.0.dist-info" / "RECORD"


def test_a_touched_distribution_without_record_is_refused_saying_so(tiny_env):
    record_of(tiny_env).unlink()

    outcome = engine.apply_plan(plan_for(tiny_env, failing()))

    assert outcome.status == "refused"
    assert f"{tiny.NAME} 1.0 has no readable file list (no RECORD in " in outcome.message
    assert store.pending_transactions() == []


@pytest.mark.parametrize("listed", ["../../../../../../../../etc/hostname", "../../.."],
                         ids=["outside", "the-environment-itself"])
def test_a_record_naming_a_path_outside_the_environment_is_refused_as_such(tiny_env, listed):
    record = record_of(tiny_env)
    tiny.rewrite(record, record.read_text() + f"{listed},,\n")

    outcome = engine.apply_plan(plan_for(tiny_env, failing()))

    assert outcome.status == "refused"
    assert "its RECORD names" in outcome.message
    assert "the doctor will not change files there" in outcome.message


# -- file steps, failures --------------------------------------------------------------------------

def test_two_files_put_aside_in_one_fix_are_both_removed(tmp_path):
    first, second = tmp_path / "keras.py", tmp_path / "tensorflow.py"
    first.write_text("# shadows keras\n")
    second.write_text("# shadows tensorflow\n")
    plan = Plan(target=PlanTarget(python=sys.executable, platform="linux-x86_64",
                                  python_version="3.11"),
                steps=[PlannedStep(StepKind.DELETE_FILE, f"remove {p.name}", path=str(p),
                                   names=[]) for p in (first, second)])

    outcome = engine.apply_plan(plan)

    assert outcome.status == "applied", outcome.message
    assert not first.exists() and not second.exists()


def test_a_file_that_cannot_be_put_aside_fails_its_step_naming_it_and_brings_back_the_first(
        tmp_path):
    first, gone = tmp_path / "keras.py", tmp_path / "tensorflow.py"
    first.write_text("# shadows keras\n")  # the second was deleted by hand after the plan
    plan = Plan(target=PlanTarget(python=sys.executable, platform="linux-x86_64",
                                  python_version="3.11"),
                steps=[PlannedStep(StepKind.DELETE_FILE, f"remove {p.name}", path=str(p),
                                   names=[]) for p in (first, gone)])

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back" and outcome.failed_step == 2, outcome.message
    assert outcome.message.startswith(f"step 2 (remove tensorflow.py) failed: cannot remove "
                                      f"{gone}: [Errno 2] No such file or directory")
    assert first.read_text() == "# shadows keras\n"
    assert store.pending_transactions() == []  # restored: the missing file is no rollback failure


def test_an_installer_failing_with_bytes_that_are_not_utf8_is_still_quoted(tmp_path):
    code = "import sys; sys.stdout.buffer.write(b'caf\\xe9 not found\\n'); sys.exit(3)"
    plan = Plan(target=PlanTarget(python=sys.executable, platform="linux-x86_64",
                                  python_version="3.11"),
                steps=[script_step(code, names=[])])

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back" and outcome.failed_step == 1
    assert "caf\ufffd not found" in outcome.message


# -- finishing an interrupted fix ------------------------------------------------------------------

def test_rollback_of_a_folder_that_is_no_transaction_names_it(tmp_path):
    outcome = engine.rollback(tmp_path)

    assert outcome.status == "refused"
    assert outcome.message == f"{tmp_path} is not a transaction of this keras-doctor"


def test_resume_of_a_run_stopped_before_its_snapshot_names_the_transaction(tiny_env):
    folder = store.new_transaction_dir()
    plan = plan_for(tiny_env, failing())
    journal.Journal(folder / store.JOURNAL_FILE).write(
        journal.BEGIN, plan=plan.to_dict(), python=plan.target.python, accepted=[0], declined=[],
        new_venv=None, pid=os.getpid(), prefix=str(tiny_env))

    outcome = engine.resume(folder)

    assert outcome.status == "refused" and outcome.transaction == folder.name
    assert "before its snapshot was complete" in outcome.message


def test_a_site_folder_outside_the_prefix_is_watched_when_no_other_is_the_environments(tmp_path):
    # Debian's python3: prefix /usr, but pip installs into /usr/local/lib/python3.x/dist-packages.
    prefix, site = tmp_path / "usr", tmp_path / "local" / "dist-packages"
    prefix.mkdir()
    site.mkdir(parents=True)
    (site / "six.py").write_text("")
    target = Target(python=str(prefix / "bin" / "python3"), prefix=str(prefix),
                             site_dirs=[str(site)])

    found = snapshot.survey(target, ["keras"])  # a new distribution: nothing of it installed yet

    assert found.listings == {str(site): ["six.py"]}, "an install there would not be undone"


def test_progress_tells_each_step_and_the_failure_with_its_reason(tmp_path):
    told = []
    plan = Plan(target=PlanTarget(python=sys.executable, platform="linux-x86_64",
                                  python_version="3.11"),
                steps=[script_step("pass", names=[]),
                       script_step("print('no space left'); raise SystemExit(1)", names=[])])

    engine.apply_plan(plan, progress=lambda event, position, total, step, detail:
                      told.append((event, position, total, detail)))

    assert told == [("start", 0, 2, ""), ("done", 0, 2, ""), ("start", 1, 2, ""),
                    ("failed", 1, 2, told[-1][3])]
    assert "no space left" in told[-1][3]


def test_pending_fixes_are_listed_past_finished_ones(tmp_path):
    root = store.transactions_dir()
    names = ["20260101T000000-0123abcd", "20260102T000000-0123abcd", "20260103T000000-0123abcd",
             "20260104T000000-0123abcd"]
    for name in names:
        (root / name).mkdir(parents=True)
    # killed before its first record; killed after its last (committed, not yet marked finished)
    (root / names[0] / store.JOURNAL_FILE).write_text("")
    for name in names[1:]:
        journal.Journal(root / name / store.JOURNAL_FILE).write(
            journal.BEGIN, plan={"steps": []}, python=sys.executable, accepted=[], declined=[])
    journal.Journal(root / names[1] / store.JOURNAL_FILE).write(journal.COMMITTED)
    store.mark_finished(root / names[2])

    assert [p.id for p in store.pending_transactions()] == [names[3]]


def test_rollback_of_a_named_interpreter_finishes_the_fix_that_changed_it(tmp_path, capsys):
    from keras_doctor.cli import main

    folder = store.transactions_dir() / "20260101T000000-0123abcd"
    folder.mkdir(parents=True)
    plan = Plan(target=PlanTarget(python=sys.executable, platform="linux-x86_64",
                                  python_version="3.11"), steps=[script_step("pass", names=[])])
    journal.Journal(folder / store.JOURNAL_FILE).write(
        journal.BEGIN, plan=plan.to_dict(), python=sys.executable, accepted=[0], declined=[])

    assert main(["fix", "--rollback", "--python", str(tmp_path / "python")]) == 2
    assert f"changed {sys.executable}, not" in capsys.readouterr().err
    assert main(["fix", "--rollback", "--python", sys.executable]) == 0, capsys.readouterr().err
    assert store.pending_transactions() == []


def test_a_file_that_vanishes_before_the_snapshot_is_taken_ends_the_fix_unchanged(
        tiny_env, monkeypatch):
    # Between the survey and the snapshot another process removes a file (an uninstall).
    vanishing = tiny.site_packages(tiny_env) / tiny.NAME / "data" / "table.txt"
    real_new_transaction_dir = store.new_transaction_dir

    def new_transaction_dir():
        vanishing.unlink()
        return real_new_transaction_dir()

    monkeypatch.setattr(store, "new_transaction_dir", new_transaction_dir)
    ran = tiny_env / "ran"

    outcome = engine.apply_plan(plan_for(tiny_env, script_step(f"open({str(ran)!r}, 'w')")))

    assert outcome.status == "refused" and not ran.exists()
    assert outcome.message.startswith(
        f"nothing was changed: snapshot failed: cannot keep {vanishing}")
    records = list(journal_of(outcome))
    assert [r["event"] for r in records] == [journal.BEGIN, journal.ROLLED_BACK]
    assert records[-1]["ok"] is True and records[-1]["reason"] == outcome.message
    folder = store.transactions_dir() / str(outcome.transaction)
    assert not (folder / snapshot.STASH).exists()
    assert store.pending_transactions() == []


@pytest.mark.parametrize("stash_elsewhere", [False, True], ids=["linked", "copied"])
def test_a_file_replaced_by_a_link_before_the_snapshot_is_taken_ends_the_fix_unchanged(
        tiny_env, tmp_path, monkeypatch, stash_elsewhere):
    # Between the survey and the snapshot a file becomes a link to one outside the environment:
    # the snapshot must not take hold of that file (rollback would then write it back as if it
    # were the environment's own), whether it hard-links or, on another file system, copies.
    if stash_elsewhere:
        def no_hard_links(*args, **kwargs):
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(os, "link", no_hard_links)
    replaced = tiny.site_packages(tiny_env) / tiny.NAME / "data" / "table.txt"
    outside = tmp_path / "outside.txt"
    outside.write_text("not the environment's")
    real_new_transaction_dir = store.new_transaction_dir

    def new_transaction_dir():
        replaced.unlink()
        replaced.symlink_to(outside)
        return real_new_transaction_dir()

    monkeypatch.setattr(store, "new_transaction_dir", new_transaction_dir)
    ran = tiny_env / "ran"

    outcome = engine.apply_plan(plan_for(tiny_env, script_step(f"open({str(ran)!r}, 'w')")))

    assert outcome.status == "refused" and not ran.exists()
    assert outcome.message == (f"nothing was changed: snapshot failed: cannot keep {replaced}: "
                               "it is no longer a regular file (changed since the survey)")
    assert outside.stat().st_nlink == 1, "the snapshot kept a hard link to a file outside"
    assert replaced.is_symlink() and store.pending_transactions() == []


# -- where transactions are kept, and what they record -------------------------------------------

def test_transactions_are_kept_under_xdg_data_home_else_under_the_home_folder(tmp_path,
                                                                           monkeypatch):
    from keras_doctor.apply import location

    monkeypatch.delenv("KERAS_DOCTOR_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert location.data_dir() == str(tmp_path / "xdg" / "keras-doctor")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert location.data_dir() == str(tmp_path / "home" / ".local" / "share" / "keras-doctor")


def test_a_requested_rollback_and_a_step_that_ran_are_journaled_as_such(tmp_path):
    folder = store.transactions_dir() / "20260101T000000-0123abcd"
    folder.mkdir(parents=True)
    log = journal.Journal(folder / store.JOURNAL_FILE)
    plan = Plan(target=PlanTarget(python=sys.executable, platform="linux-x86_64",
                                  python_version="3.11"), steps=[script_step("pass", names=[])])
    log.write(journal.BEGIN, plan=plan.to_dict(), python=sys.executable, accepted=[0],
              declined=[])

    assert engine.rollback(folder).status == "rolled-back"
    (start,) = [r for r in log.records() if r["event"] == journal.ROLLBACK_START]
    assert start["reason"] == "requested"
    applied = engine.apply_plan(plan)
    (done,) = [r for r in journal_of(applied) if r["event"] == journal.STEP_DONE]
    assert done["returncode"] == 0


def test_a_snapshot_of_another_format_is_not_restored_and_says_which_version_can(tmp_path):
    assert snapshot.restore({"format": snapshot.FORMAT - 1}, tmp_path) == [
        "this snapshot was written by another version of keras-doctor; restore it with that "
        "version"]
