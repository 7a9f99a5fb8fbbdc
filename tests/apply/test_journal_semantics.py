"""What `fix --apply` promises, on a real virtualenv small enough for the fast suite.

The environment is made by `python -m venv --without-pip` (a fraction of a second, offline) and
holds two distributions laid out as an installer lays them out (package files, a dist-info folder
with METADATA, INSTALLER and a RECORD listing every file). Plan steps are real commands run by the
engine: an "upgrade" that replaces one distribution with a new version, a step that fails, a step
that kills the process applying the plan. Whatever the implementation, these must hold:

- nothing runs before its journal record is on disk (and fsync'd);
- a failed step, a failed verify and a verify that crashes all restore every file, byte for byte
  and mode for mode, and remove what the failed run added;
- a run killed mid-plan is finished later by `rollback` (same result) or by `resume` (which does
  not redo a step the journal says is done);
- distributions the plan did not touch are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import envs
import pytest

from keras_doctor.apply import engine, journal, store
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX virtualenv layout")

OLD_FILES = {
    "demo_pkg/__init__.py": b"VERSION = '1.0'\n",
    "demo_pkg/core.py": b"def answer():\n    return 42\n",
    "demo_pkg/data/weights.bin": bytes(range(256)) * 64,
}
OTHER_FILES = {"other/__init__.py": b"NAME = 'other'\n"}


def _record(site: Path, files: dict, dist_info: str) -> None:
    lines = []
    for rel, content in files.items():
        if content is None:
            lines.append(f"{rel},,")
            continue
        digest = hashlib.sha256(content).hexdigest()
        lines.append(f"{rel},sha256={digest},{len(content)}")
    for name in ("METADATA", "INSTALLER"):
        lines.append(f"{dist_info}/{name},,")
    lines.append(f"{dist_info}/RECORD,,")
    (site / dist_info / "RECORD").write_text("\n".join(lines) + "\n")


def lay_out(site: Path, name: str, version: str, files: dict) -> None:
    """Install `files` as distribution `name` the way an installer does."""
    for rel, content in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:  # a symlink, as some wheels' unpacked libraries are
            path.symlink_to("core.py")
        else:
            path.write_bytes(content)
    dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
    (site / dist_info).mkdir()
    (site / dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (site / dist_info / "INSTALLER").write_text("pip\n")
    _record(site, files, dist_info)


@pytest.fixture
def tiny_env(tmp_path):
    env = tmp_path / "env"
    python, site = envs.bare_venv(env)
    # An untouched distribution read before the touched one, and one read after it.
    lay_out(site, "aardvark", "0.1", {"aardvark.py": b"A = 1\n"})
    lay_out(site, "demo-pkg", "1.0", {**OLD_FILES, "demo_pkg/libdemo.so": None})
    (site / "demo_pkg" / "core.py").chmod(0o640)  # a mode rollback must bring back too
    lay_out(site, "other", "2.0", OTHER_FILES)
    return python, site


def tree(site: Path) -> dict:
    """{relative path: (sha256, mode)} of every file under site-packages, bytecode aside."""
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_symlink():
            out[path.relative_to(site).as_posix()] = ("symlink", os.readlink(path))
        elif path.is_file() and "__pycache__" not in path.parts:
            out[path.relative_to(site).as_posix()] = (
                hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode & 0o7777)
    return out


UPGRADE = """
import os, shutil, sys
site, seen, counter = sys.argv[1], sys.argv[2], sys.argv[3]
journal = os.environ.get("JOURNAL_GLOB_ROOT")
# What the journal says at the moment this step runs (write-ahead: its step-start is there).
found = []
for root, _, names in os.walk(journal):
    found += [os.path.join(root, n) for n in names if n == "journal.jsonl"]
open(seen, "w").write(open(found[0]).read() if found else "")
open(counter, "a").write("ran\\n")
# Idempotent, like an installer: run again, it converges on version 2.0.
shutil.rmtree(os.path.join(site, "demo_pkg"), ignore_errors=True)
shutil.rmtree(os.path.join(site, "demo_pkg-1.0.dist-info"), ignore_errors=True)
shutil.rmtree(os.path.join(site, "demo_pkg-2.0.dist-info"), ignore_errors=True)
os.makedirs(os.path.join(site, "demo_pkg"))
open(os.path.join(site, "demo_pkg", "__init__.py"), "w").write("VERSION = '2.0'\\n")
open(os.path.join(site, "demo_pkg", "new_in_2.py"), "w").write("NEW = True\\n")
info = os.path.join(site, "demo_pkg-2.0.dist-info")
os.makedirs(info)
open(os.path.join(info, "METADATA"), "w").write(
    "Metadata-Version: 2.1\\nName: demo-pkg\\nVersion: 2.0\\n")
open(os.path.join(info, "RECORD"), "w").write(
    "demo_pkg/__init__.py,,\\ndemo_pkg/new_in_2.py,,\\ndemo-pkg-2.0.dist-info/RECORD,,\\n")
killed_once = counter + ".killed"
# ...and pull in a new dependency the plan did not name.
os.makedirs(os.path.join(site, "newdep"), exist_ok=True)
open(os.path.join(site, "newdep", "__init__.py"), "w").write("")
newdep = os.path.join(site, "newdep-1.0.dist-info")
os.makedirs(newdep, exist_ok=True)
open(os.path.join(newdep, "METADATA"), "w").write(
    "Metadata-Version: 2.1\\nName: newdep\\nVersion: 1.0\\n")
open(os.path.join(newdep, "RECORD"), "w").write(
    "newdep/__init__.py,,\\nnewdep-1.0.dist-info/METADATA,,\\nnewdep-1.0.dist-info/RECORD,,\\n")
if len(sys.argv) > 4 and sys.argv[4] == "then-kill-the-doctor" and not os.path.exists(killed_once):
    import signal
    open(killed_once, "w").close()
    os.kill(os.getppid(), signal.SIGKILL)
"""


def upgrade_step(python, site, tmp_path, kill=False):
    script = tmp_path / "upgrade.py"
    script.write_text(textwrap.dedent(UPGRADE))
    argv = [str(python), str(script), str(site), str(tmp_path / "seen.jsonl"),
            str(tmp_path / "counter")]
    if kill:
        argv.append("then-kill-the-doctor")
    return PlannedStep(StepKind.INSTALL, "upgrade demo-pkg to 2.0", argv=argv,
                       names=["demo-pkg"], pins=["demo-pkg==2.0"])


def command_step(python, code, summary):
    return PlannedStep(StepKind.INSTALL, summary, argv=[str(python), "-c", code], names=[])


def plan_of(python, *steps):
    return Plan(target=PlanTarget(python=str(python), platform="linux-x86_64",
                                  python_version="3.11"), steps=list(steps))


@pytest.fixture(autouse=True)
def journal_root(monkeypatch, data_dir):
    monkeypatch.setenv("JOURNAL_GLOB_ROOT", str(data_dir))


def events(folder_name):
    folder = store.transactions_dir() / folder_name
    return [r["event"] for r in journal.read_records(folder / store.JOURNAL_FILE)]


# -- a failed step ------------------------------------------------------------------------------

def test_a_failed_step_restores_every_file_and_removes_what_the_run_added(tiny_env, tmp_path):
    python, site = tiny_env
    before = tree(site)
    plan = plan_of(python, upgrade_step(python, site, tmp_path),
                   command_step(python, "raise SystemExit(3)", "a step that fails"))

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back", outcome.message
    assert outcome.failed_step == 2
    assert tree(site) == before
    assert not (site / "demo_pkg" / "new_in_2.py").exists()
    assert not (site / "demo_pkg-2.0.dist-info").exists()
    assert not (site / "newdep").exists() and not (site / "newdep-1.0.dist-info").exists()
    assert os.readlink(site / "demo_pkg" / "libdemo.so") == "core.py"
    assert events(outcome.transaction) == [
        journal.BEGIN, journal.SNAPSHOT, journal.STEP_START, journal.STEP_PROCESS,
        journal.STEP_DONE, journal.STEP_START, journal.STEP_PROCESS, journal.STEP_FAILED,
        journal.ROLLBACK_START, journal.ROLLED_BACK]
    assert store.pending_transactions() == []


def test_the_journal_names_the_failed_step_and_its_exit_code(tiny_env, tmp_path):
    python, site = tiny_env
    plan = plan_of(python, upgrade_step(python, site, tmp_path),
                   command_step(python, "raise SystemExit(3)", "a step that fails"))
    outcome = engine.apply_plan(plan)
    records = list(journal.read_records(store.transactions_dir() / outcome.transaction /
                                        store.JOURNAL_FILE))
    (failed,) = [r for r in records if r["event"] == journal.STEP_FAILED]
    assert failed["index"] == 1 and failed["returncode"] == 3
    (rollback,) = [r for r in records if r["event"] == journal.ROLLBACK_START]
    assert rollback["reason"] == "step 2 failed"
    assert "step 2 (a step that fails) failed" in outcome.message


def test_a_step_that_hangs_is_stopped_at_the_step_timeout_and_rolled_back(tiny_env, tmp_path):
    python, site = tiny_env
    before = tree(site)
    plan = plan_of(python, upgrade_step(python, site, tmp_path),
                   command_step(python, "import time; time.sleep(120)", "a step that hangs"))

    outcome = engine.apply_plan(plan, step_timeout=1)

    assert outcome.status == "rolled-back" and outcome.failed_step == 2
    assert f"{python}: did not finish within 1 s" in outcome.message  # which program hung
    assert tree(site) == before


def test_each_step_starts_only_after_its_journal_record_is_on_disk(tiny_env, tmp_path):
    python, site = tiny_env
    outcome = engine.apply_plan(plan_of(python, upgrade_step(python, site, tmp_path)))
    assert outcome.status == "applied", outcome.message
    seen = [json.loads(line) for line in (tmp_path / "seen.jsonl").read_text().splitlines()]
    seen_events = [r["event"] for r in seen]
    assert seen_events[:3] == [journal.BEGIN, journal.SNAPSHOT, journal.STEP_START]
    # the installer's pid is recorded once it runs, so the step may or may not see that record
    assert seen_events[3:] in ([], [journal.STEP_PROCESS])
    assert seen[2]["index"] == 0
    assert events(outcome.transaction)[-1] == journal.COMMITTED
    assert (site / "demo_pkg" / "new_in_2.py").exists()  # a committed change stays


def test_every_journal_record_is_fsynced_before_the_write_returns(tmp_path, monkeypatch):
    path = tmp_path / "journal.jsonl"
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        real_fsync(fd)
        synced.append(len(path.read_bytes()))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "fdatasync", fsync, raising=False)
    log = journal.Journal(path)
    for index in range(3):
        log.write(journal.STEP_START, index=index)
        # The record just written is already in the file when the sync happens.
        assert synced and synced[-1] == len(path.read_bytes())
    assert len(synced) >= 3
    assert [r["index"] for r in log.records()] == [0, 1, 2]


def test_the_journal_state_follows_its_last_decisive_record(tmp_path):
    log = journal.Journal(tmp_path / "journal.jsonl")
    log.write(journal.BEGIN, accepted=[0])
    log.write(journal.STEP_START, index=0)
    assert journal.state(log.records()) == "interrupted"
    log.write(journal.ROLLBACK_START)
    assert journal.state(log.records()) == "interrupted"  # a rollback that has not finished
    log.write(journal.ROLLED_BACK, ok=False, problems=["x"])
    assert journal.state(log.records()) == "rollback-failed"
    log.write(journal.ROLLED_BACK, ok=True, problems=[])
    assert journal.state(log.records()) == "rolled-back"
    committed = journal.Journal(tmp_path / "other.jsonl")
    committed.write(journal.BEGIN)
    committed.write(journal.COMMITTED)
    assert journal.state(committed.records()) == "committed"


# -- verify -------------------------------------------------------------------------------------

@pytest.mark.parametrize("verdict", ["fails", "crashes"])
def test_a_failed_or_crashing_verify_is_never_counted_as_passed(tiny_env, tmp_path, verdict):
    python, site = tiny_env
    before = tree(site)

    def verify(_python):
        if verdict == "crashes":
            raise RuntimeError("the verify driver died with SIGSEGV")
        return False, "import demo_pkg failed"

    outcome = engine.apply_plan(plan_of(python, upgrade_step(python, site, tmp_path)),
                                verify=verify)

    assert outcome.status == "rolled-back", outcome.message
    assert outcome.verify_passed is False
    if verdict == "crashes":  # the user is told what went wrong, not just "failed"
        assert "verify could not run: RuntimeError: the verify driver died with SIGSEGV" in \
            outcome.message
    assert tree(site) == before
    records = journal.read_records(store.transactions_dir() / outcome.transaction /
                                   store.JOURNAL_FILE)
    (verified,) = [r for r in records if r["event"] == journal.VERIFY]
    assert verified["ok"] is False


def test_a_passing_verify_commits(tiny_env, tmp_path):
    python, site = tiny_env
    checked = []
    outcome = engine.apply_plan(plan_of(python, upgrade_step(python, site, tmp_path)),
                                verify=lambda p: (checked.append(p) or True, "all steps ok"))
    assert outcome.status == "applied" and outcome.verify_passed is True
    assert checked == [str(python)]
    assert events(outcome.transaction)[-2:] == [journal.VERIFY, journal.COMMITTED]


# -- a run killed mid-plan ----------------------------------------------------------------------

APPLY_IN_A_CHILD = """
import json, sys
from keras_doctor.apply import engine
from keras_doctor.plan.model import Plan
engine.apply_plan(Plan.from_dict(json.loads(sys.argv[1])))
"""


def killed_mid_plan(python, site, tmp_path):
    """Apply [upgrade (which then SIGKILLs the doctor), a final step] in a child process."""
    plan = plan_of(python, upgrade_step(python, site, tmp_path, kill=True),
                   command_step(python, "open(r'%s', 'w').write('x')" % (tmp_path / "last"),
                                "the last step"))
    child = subprocess.run([sys.executable, "-c", APPLY_IN_A_CHILD, json.dumps(plan.to_dict())],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    (pending,) = store.pending_transactions()
    assert pending.state == "interrupted"
    return store.transactions_dir() / pending.id


def test_rollback_after_a_kill_restores_every_file_and_is_final(tiny_env, tmp_path):
    python, site = tiny_env
    before = tree(site)
    folder = killed_mid_plan(python, site, tmp_path)
    assert (site / "demo_pkg" / "new_in_2.py").exists()  # the killed step did take effect

    outcome = engine.rollback(folder)

    assert outcome.status == "rolled-back", outcome.message
    assert tree(site) == before
    assert store.pending_transactions() == []
    again = engine.rollback(folder)
    assert again.status == "refused" and "already finished" in again.message
    assert tree(site) == before


def test_resume_after_a_kill_runs_only_what_is_left(tiny_env, tmp_path):
    python, site = tiny_env
    folder = killed_mid_plan(python, site, tmp_path)

    outcome = engine.resume(folder)

    assert outcome.status == "applied", outcome.message
    assert (tmp_path / "last").exists()
    # The upgrade's step-start had no step-done; resume may redo it (installers are idempotent)
    # but never twice, and never skip the last step.
    assert (tmp_path / "counter").read_text().count("ran") in (1, 2)
    assert (site / "demo_pkg-2.0.dist-info").is_dir()
    assert not (site / "demo_pkg-1.0.dist-info").exists()
    assert events(folder.name)[-1] == journal.COMMITTED
    assert store.pending_transactions() == []


# -- file steps ---------------------------------------------------------------------------------

def test_renamed_and_deleted_files_come_back_when_a_later_step_fails(tmp_path):
    work = tmp_path / "project"
    work.mkdir()
    (work / "keras.py").write_text("print('my first model')\n")
    weights = tmp_path / "models" / "vgg16.h5"
    weights.parent.mkdir()
    weights.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    before = {p: p.read_bytes() for p in (work / "keras.py", weights)}
    plan = plan_of(sys.executable,
                   PlannedStep(StepKind.RENAME, "rename keras.py", path=str(work / "keras.py"),
                               dest=str(work / "keras_local.py"), destructive=True),
                   PlannedStep(StepKind.DELETE_FILE, "delete the corrupt weights",
                               path=str(weights), destructive=True),
                   command_step(sys.executable, "raise SystemExit(1)", "a step that fails"))

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back", outcome.message
    assert {p: p.read_bytes() for p in before} == before
    assert not (work / "keras_local.py").exists()


def test_a_declined_destructive_step_is_not_run(tmp_path):
    work = tmp_path / "project"
    work.mkdir()
    (work / "keras.py").write_text("x = 1\n")
    rename = PlannedStep(StepKind.RENAME, "rename keras.py", path=str(work / "keras.py"),
                         dest=str(work / "keras_local.py"), destructive=True)
    outcome = engine.apply_plan(plan_of(sys.executable, rename), confirm=lambda step: False)
    assert outcome.status == "nothing-to-do" and outcome.declined == [1]
    assert (work / "keras.py").exists() and not (work / "keras_local.py").exists()


# -- what a finished or failed transaction leaves behind ------------------------------------------

def stash_of(transaction):
    return store.transactions_dir() / transaction / "stash"


def test_a_committed_fix_keeps_no_copies_of_the_old_files(tiny_env, tmp_path):
    python, site = tiny_env
    outcome = engine.apply_plan(plan_of(python, upgrade_step(python, site, tmp_path)))
    assert outcome.status == "applied"
    assert not stash_of(outcome.transaction).exists()  # the disk the snapshot used is given back


def test_verify_starts_only_after_the_journal_says_so(tiny_env, tmp_path):
    python, site = tiny_env
    seen = []

    def verify(_python):
        (folder,) = store.transactions_dir().iterdir()
        seen.extend(r["event"] for r in journal.read_records(folder / store.JOURNAL_FILE))
        return True, "ok"

    engine.apply_plan(plan_of(python, upgrade_step(python, site, tmp_path)), verify=verify)
    assert seen[-1] == journal.VERIFY_START  # a crash inside verify is known to the journal


def test_a_declined_step_is_journaled_as_declined_and_the_rest_runs(tiny_env, tmp_path):
    python, site = tiny_env
    work = tmp_path / "project"
    work.mkdir()
    (work / "keras.py").write_text("x = 1\n")
    rename = PlannedStep(StepKind.RENAME, "rename keras.py", path=str(work / "keras.py"),
                         dest=str(work / "keras_local.py"), destructive=True)
    plan = plan_of(python, rename, upgrade_step(python, site, tmp_path))
    outcome = engine.apply_plan(plan, confirm=lambda step: not step.destructive)
    assert outcome.status == "applied" and outcome.declined == [1]
    records = list(journal.read_records(store.transactions_dir() / outcome.transaction /
                                        store.JOURNAL_FILE))
    (begin,) = [r for r in records if r["event"] == journal.BEGIN]
    assert begin["declined"] == [0] and begin["accepted"] == [1]
    assert [r["index"] for r in records if r["event"] == journal.STEP_SKIPPED] == [0]
    assert (work / "keras.py").exists()


def test_a_rollback_that_cannot_restore_says_so_and_stays_pending(tiny_env, tmp_path):
    python, site = tiny_env
    folder = killed_mid_plan(python, site, tmp_path)
    (pending,) = store.pending_transactions()
    assert pending.python == str(python)  # which environment the unfinished fix was changing
    for kept in (folder / "stash").rglob("*"):  # the kept copies are lost (disk cleaned up)
        if kept.is_file():
            kept.unlink()

    outcome = engine.rollback(folder)

    assert outcome.status == "rollback-failed" and outcome.problems
    (still,) = store.pending_transactions()
    assert still.state == "rollback-failed"
