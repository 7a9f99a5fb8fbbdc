"""Faults that must end in a clean refusal or an exact restore, never in a write outside the
environment, a crash, or a transaction that later commands trip over. Each runs on a tiny real
environment (a uv venv with a real wheel installed), in seconds.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tiny

from keras_doctor.apply import engine, journal, pending_transactions, snapshot, store
from keras_doctor.apply.environment import read_target
from keras_doctor.cli import main
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

DRIVER = str(Path(__file__).with_name("driver.py"))


def plan_of(env: Path, *steps: PlannedStep) -> Plan:
    return Plan(target=PlanTarget(python=str(tiny.python_of(env)), platform="linux-x86_64",
                                  python_version="3.11"), steps=list(steps))


def script_step(code: str, *args: str, names=(tiny.NAME,)) -> PlannedStep:
    """A step whose 'installer' is a Python script: it does to the environment what we say."""
    return PlannedStep(StepKind.INSTALL, "test step", argv=[sys.executable, "-c", code, *args],
                       names=list(names))


def upgrade_step(env: Path, wheels: Path, installer: str = "uv") -> PlannedStep:
    return PlannedStep(StepKind.INSTALL, "upgrade tinypkg",
                       argv=tiny.install_argv(installer, env, wheels, "2.0"), names=[tiny.NAME],
                       pins=[f"{tiny.NAME}==2.0"])


FAIL = script_step("raise SystemExit(1)")


def run_driver(plan: Plan, tmp_path: Path, **popen) -> subprocess.CompletedProcess:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan.to_dict()))
    return subprocess.run([sys.executable, DRIVER, str(plan_file)], capture_output=True,
                          text=True, timeout=120, **popen)


def without_dac_override() -> list:
    """A command prefix that makes permission bits bind even for root (no CAP_DAC_OVERRIDE)."""
    if os.geteuid() != 0:
        return []
    if not Path("/usr/bin/setpriv").exists():
        pytest.skip("running as root without setpriv: permissions cannot be made to bind")
    return ["/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


# -- transaction IDs ------------------------------------------------------------------------------

def looks_like_a_transaction(folder: Path) -> None:
    for name in ("stash", "removed"):
        (folder / name).mkdir(parents=True)
        (folder / name / "precious").write_text("keep me")
    journal.Journal(folder / store.JOURNAL_FILE).write(journal.BEGIN, plan=None, python=None,
                                                       accepted=[])


@pytest.mark.parametrize("action", ["--rollback", "--resume"])
def test_an_id_that_is_not_one_of_this_doctors_transactions_is_refused_and_nothing_is_touched(
        tmp_path, capsys, action):
    victim = tmp_path / "victim"
    looks_like_a_transaction(victim)
    store.transactions_dir().mkdir(parents=True)
    (store.transactions_dir() / "20250101T000000-0000000a").symlink_to(victim)
    before = tiny.tree_state(tmp_path)
    relative = os.path.relpath(victim, store.transactions_dir())
    for bad in (relative, str(victim), "..", "20250101T000000-0000000a",
                "20250101T000000-deadbeef", "x" * 5000, "20250101T000000-deadbeef/../.."):
        assert main(["fix", action, bad]) == 2, bad
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and ("not a transaction ID" in err
                                                        or "no transaction" in err), err
        assert tiny.tree_state(tmp_path) == before, bad
    assert engine.rollback(victim).status == "refused"
    assert engine.resume(victim).status == "refused"
    assert tiny.tree_state(tmp_path) == before


def test_rollback_for_another_interpreter_than_the_transactions_is_refused(tmp_path, capsys):
    folder = store.new_transaction_dir()
    journal.Journal(folder / store.JOURNAL_FILE).write(
        journal.BEGIN, plan=None, python=str(tmp_path / "a" / "bin" / "python"), accepted=[])
    (tmp_path / "b" / "bin").mkdir(parents=True)

    assert main(["fix", "--rollback", folder.name, "--python",
                 str(tmp_path / "b" / "bin" / "python")]) == 2
    assert "not " + str(tmp_path / "b") in capsys.readouterr().err
    assert pending_transactions()[0].id == folder.name  # untouched, still to be finished


# -- what restore must put back, and what it must remove ------------------------------------------

MESS = r"""
import os, shutil, sys
site = sys.argv[1]
pkg = os.path.join(site, "tinypkg")
os.remove(os.path.join(pkg, "sub1", "mod1.py"))                      # half removed
shutil.rmtree(os.path.join(pkg, "sub2"))
open(os.path.join(pkg, "sub0", "unlisted.py"), "w").write("x")      # in no RECORD
os.makedirs(os.path.join(pkg, "sub9", "deeper"))                     # a new folder
open(os.path.join(pkg, "sub9", "deeper", "x.py"), "w").write("x")
os.remove(os.path.join(pkg, "__init__.py"))                        # replaced, the way
open(os.path.join(pkg, "__init__.py"), "w").write("broken = 1")      # installers replace
os.makedirs(os.path.join(site, "~inypkg", "sub0"))                    # pip's stash folder
open(os.path.join(site, "~inypkg", "sub0", "mod0.py"), "w").write("x")
os.makedirs(os.path.join(site, ".tmpAbC123"))                        # an installer's temp dir
os.makedirs(os.path.join(site, "tinypkg-2.0.dist-info"))              # no RECORD yet
open(os.path.join(site, "tinypkg-2.0.dist-info", "METADATA"), "w").write(
    "Metadata-Version: 2.1\nName: tinypkg\nVersion: 2.0\n")
open(os.path.join(site, "tinypkg.libs"), "w").write("half a library")
raise SystemExit(3)
"""


def test_restore_removes_every_file_the_snapshot_lacks_and_puts_back_every_one_it_has(
        tiny_env):
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, script_step(MESS, str(site))))

    assert outcome.status == "rolled-back", outcome.message
    assert tiny.tree_state(tiny_env) == before
    assert tiny.record_violations(site) == []
    assert pending_transactions() == []


def test_restore_is_idempotent_and_converges_from_any_half_restored_tree(tiny_env, tmp_path):
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)
    target = read_target(str(tiny.python_of(tiny_env)))
    folder = tmp_path / "transaction"
    folder.mkdir()
    manifest = snapshot.take(snapshot.survey(target, [tiny.NAME]), folder)
    subprocess.run([sys.executable, "-c", MESS, str(site)])
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / tiny.NAME / "sub0").rename(tmp_path / "moved-away")
    (site / tiny.NAME / "sub0").symlink_to(outside)  # a folder turned into a link out of the env

    assert snapshot.restore(manifest, folder) == []
    assert tiny.tree_state(tiny_env) == before
    assert list(outside.iterdir()) == []  # nothing was written through the link
    assert snapshot.restore(manifest, folder) == []  # again: nothing to do, nothing breaks
    assert tiny.tree_state(tiny_env) == before


def test_a_package_folder_turned_into_a_link_is_replaced_not_written_through(tiny_env, tmp_path):
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)
    outside = tmp_path / "outside"
    outside.mkdir()
    relink = ("import os, shutil, sys; site, outside = sys.argv[1:]\n"
              "shutil.rmtree(os.path.join(site, 'tinypkg'))\n"
              "os.symlink(outside, os.path.join(site, 'tinypkg'))\nraise SystemExit(1)\n")

    outcome = engine.apply_plan(plan_of(tiny_env, script_step(relink, str(site), str(outside))))

    assert outcome.status == "rolled-back", outcome.message
    assert list(outside.iterdir()) == []
    assert not (site / tiny.NAME).is_symlink()
    assert tiny.tree_state(tiny_env) == before


def test_a_package_folder_linked_outside_the_environment_is_refused_before_anything(
        tiny_env, tmp_path):
    site = tiny.site_packages(tiny_env)
    outside = tmp_path / "elsewhere"
    (site / tiny.NAME).rename(outside)
    (site / tiny.NAME).symlink_to(outside)
    before = tiny.tree_state(tmp_path)

    outcome = engine.apply_plan(plan_of(tiny_env, FAIL))

    assert outcome.status == "refused"
    assert outcome.message == (f"nothing was changed: {site / tiny.NAME} is a link to {outside}, "
                               "outside the environment; the doctor will not change files there")
    assert tiny.tree_state(tmp_path) == before
    assert not store.transactions_dir().exists() or pending_transactions() == []


@pytest.mark.parametrize("hostile", ["../../../../../../../tmp/kd-escape.txt",
                                     "/tmp/kd-escape.txt"])
def test_a_record_naming_paths_outside_the_environment_is_refused(tiny_env, hostile):
    site = tiny.site_packages(tiny_env)
    record = site / f"{tiny.NAME}-1.0.dist-info" / "RECORD"
    tiny.rewrite(record, record.read_text() + f"{hostile},,\n")
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, FAIL))

    assert outcome.status == "refused", outcome.message
    assert "outside the environment" in outcome.message
    assert tiny.tree_state(tiny_env) == before
    assert pending_transactions() == []


def test_a_record_line_longer_than_the_csv_field_limit_never_crashes_fix(tiny_env):
    site = tiny.site_packages(tiny_env)
    record = site / f"{tiny.NAME}-1.0.dist-info" / "RECORD"
    tiny.rewrite(record, record.read_text() + '"' + "a" * 200_000 + '",,\n')
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, FAIL))  # raises nothing

    assert outcome.status == "refused" and "RECORD" in outcome.message, outcome.message
    assert tiny.tree_state(tiny_env) == before
    assert pending_transactions() == []


# -- permissions and full disks: refusals that leave nothing to finish ----------------------------

def test_an_unreadable_folder_in_a_touched_package_is_refused_before_anything_changes(
        tiny_env, tmp_path):
    prefix = without_dac_override()
    site = tiny.site_packages(tiny_env)
    locked = site / tiny.NAME / "sub1"
    before = tiny.tree_state(tiny_env)
    locked.chmod(0)
    try:
        proc = _run_driver_as(prefix, plan_of(tiny_env, script_step(MESS, str(site))), tmp_path)
    finally:
        locked.chmod(0o755)
    outcome = json.loads(proc.stdout.splitlines()[-1])
    assert outcome["status"] == "refused", outcome
    assert "cannot be read" in outcome["message"] and str(locked) in outcome["message"]
    assert tiny.tree_state(tiny_env) == before
    assert pending_transactions() == []


def _run_driver_as(prefix: list, plan: Plan, tmp_path: Path,
                   **popen) -> subprocess.CompletedProcess:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan.to_dict()))
    return subprocess.run([*prefix, sys.executable, DRIVER, str(plan_file)], capture_output=True,
                          text=True, timeout=120, **popen)


def test_a_read_only_site_packages_is_refused_and_leaves_nothing_pending(tiny_env, tmp_path):
    prefix = without_dac_override()
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)
    site.chmod(0o555)
    try:
        proc = _run_driver_as(prefix, plan_of(tiny_env, script_step(MESS, str(site))), tmp_path)
    finally:
        site.chmod(0o755)
    outcome = json.loads(proc.stdout.splitlines()[-1])
    assert outcome["status"] == "refused" and "read-only" in outcome["message"], outcome
    assert tiny.tree_state(tiny_env) == before
    assert pending_transactions() == []
    assert main(["fix", "--rollback"]) == 2  # "no interrupted fix": nothing is stuck


def test_a_read_only_site_packages_the_fix_does_not_change_is_no_reason_to_refuse(
        tiny_env, tmp_path, monkeypatch):
    # A venv made with --system-site-packages also sees its base interpreter's site-packages,
    # which is read-only for most users; nothing the plan touches lives there.
    from keras_doctor.apply import environment

    system_site = tmp_path / "base" / "site-packages"
    system_site.mkdir(parents=True)
    real_read = environment.read_target

    def with_system_site(python: str) -> environment.Target:
        target = real_read(python)
        target.site_dirs.append(str(system_site))
        return target

    real_access = os.access
    monkeypatch.setattr(engine, "read_target", with_system_site)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path) == str(
        system_site) and mode & os.W_OK else real_access(path, mode, **kw))
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, script_step(MESS, str(tiny.site_packages(
        tiny_env)))))

    assert outcome.status == "rolled-back", outcome.message
    assert tiny.tree_state(tiny_env) == before


def _limit_file_size(limit: int):
    def limit_it() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_it


@pytest.mark.parametrize("room", [16, 2000])  # no room for the first record / for the snapshot
def test_no_room_for_the_journal_or_snapshot_is_a_refusal_that_leaves_nothing_pending(
        tiny_env, tiny_wheels, tmp_path, room):
    before = tiny.tree_state(tiny_env)
    plan = plan_of(tiny_env, upgrade_step(tiny_env, tiny_wheels))

    proc = run_driver(plan, tmp_path, preexec_fn=_limit_file_size(room))

    outcome = json.loads(proc.stdout.splitlines()[-1])
    assert outcome["status"] == "refused" and "nothing was changed" in outcome["message"], outcome
    assert tiny.tree_state(tiny_env) == before
    assert pending_transactions() == []
    if room < 100:  # the journal could not even be begun: its folder is gone again
        assert list(store.transactions_dir().iterdir()) == []
    assert engine.apply_plan(plan).status == "applied"  # and nothing stops the next fix


# -- one fix at a time, and no installer outliving its fix ----------------------------------------

HOLD = r"""
import os, pathlib, sys, time
ready, release = sys.argv[1:3]
pathlib.Path(ready).write_text(str(os.getpid()))
while os.path.exists(release):
    time.sleep(0.02)
"""


def wait_for(path: Path, timeout: float = 60) -> None:
    """Until `path` holds something: the writer creates it, then writes (seen empty between)."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.stat().st_size):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_a_second_fix_on_the_same_environment_is_refused_while_the_first_runs(
        tiny_env, tmp_path):
    ready, release = tmp_path / "ready", tmp_path / "release"
    release.write_text("")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_of(tiny_env, script_step(HOLD, str(ready),
                                                                  str(release))).to_dict()))
    first = subprocess.Popen([sys.executable, DRIVER, str(plan_file)], stdout=subprocess.PIPE,
                             text=True)
    try:
        wait_for(ready)
        second = engine.apply_plan(plan_of(tiny_env, FAIL))
        assert second.status == "refused" and "another keras-doctor fix" in second.message
        assert len(pending_transactions(include_running=True)) == 1  # the second began nothing
    finally:
        release.unlink()
        out, _ = first.communicate(timeout=60)
    assert json.loads(out.splitlines()[-1])["status"] == "applied"


ORPHAN = r"""
import os, pathlib, subprocess, sys, time
site, ready = sys.argv[1:3]
writer = ("import os, sys, time\n"
          "for i in range(3000):\n"
          "    open(os.path.join(sys.argv[1], 'tinypkg', 'late-%d.py' % i), 'w').write('x')\n"
          "    time.sleep(0.01)\n")
child = subprocess.Popen([sys.executable, "-c", writer, site])  # same process group
pathlib.Path(ready + ".part").write_text(str(child.pid))
os.replace(ready + ".part", ready)  # whole, so the test never reads it half written
time.sleep(600)
"""


def test_an_installer_that_outlives_a_killed_fix_is_stopped_before_rollback_restores(
        tiny_env, tmp_path):
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)
    ready = tmp_path / "ready"
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_of(tiny_env, script_step(ORPHAN, str(site),
                                                                  str(ready))).to_dict()))
    fix = subprocess.Popen([sys.executable, DRIVER, str(plan_file)], start_new_session=True)
    wait_for(ready)
    writer = int(ready.read_text())
    os.kill(fix.pid, signal.SIGKILL)  # keras-doctor alone, not its installer's group
    fix.wait()
    time.sleep(0.2)
    assert any(site.glob(f"{tiny.NAME}/late-*.py"))  # the writer is still at work

    (pending,) = pending_transactions()
    outcome = engine.rollback(pending.path)

    assert outcome.status == "rolled-back", outcome.message
    time.sleep(0.3)
    assert tiny.tree_state(tiny_env) == before  # and it stays so: nothing writes any more
    assert not alive(writer)


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its reaper does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_the_installer_and_leaves_a_journal_that_rolls_back(
        tiny_env, tmp_path, signum):
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)
    ready = tmp_path / "ready"
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_of(tiny_env, script_step(ORPHAN, str(site),
                                                                  str(ready))).to_dict()))
    fix = subprocess.Popen([sys.executable, DRIVER, str(plan_file)], start_new_session=True,
                           stderr=subprocess.PIPE)
    wait_for(ready)
    writer = int(ready.read_text())
    fix.send_signal(signum)
    fix.wait(timeout=60)
    time.sleep(0.2)
    assert not alive(writer)  # the installer's whole group is gone

    (pending,) = pending_transactions()
    assert pending.state == "interrupted"
    assert engine.rollback(pending.path).status == "rolled-back"
    assert tiny.tree_state(tiny_env) == before


HALF_UNINSTALL = r"""
import os, signal, sys
site, marker, *install = sys.argv[1:]
if not os.path.exists(marker):  # the first run: uv killed half-way through the uninstall
    open(marker, "w").close()
    info = os.path.join(site, "tinypkg-1.0.dist-info")
    os.remove(os.path.join(info, "RECORD"))
    os.remove(os.path.join(site, "tinypkg", "sub1", "mod1.py"))
    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)  # the fix's group
    os.killpg(0, signal.SIGKILL)
os.execv(install[0], install)
"""


def test_resume_after_an_installer_cut_short_starts_again_from_the_snapshot(
        tiny_env, tiny_wheels, tmp_path):
    site = tiny.site_packages(tiny_env)
    install = tiny.install_argv("uv", tiny_env, tiny_wheels, "2.0")
    plan = plan_of(tiny_env, script_step(HALF_UNINSTALL, str(site), str(tmp_path / "marker"),
                                         *install))
    killed = run_driver(plan, tmp_path, start_new_session=True, env=tiny.offline_env())
    assert killed.returncode == -signal.SIGKILL
    (pending,) = pending_transactions()

    outcome = engine.resume(pending.path)

    assert outcome.status == "applied", outcome.message
    # not a RECORD-less 1.0 beside 2.0, which no installer could remove any more
    assert sorted(p.name for p in site.glob("*.dist-info")) == ["tinypkg-2.0.dist-info"]
    assert tiny.record_violations(site) == []
    assert not (site / tiny.NAME / "legacy.py").exists()
