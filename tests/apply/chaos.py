"""Kill a real fix at chosen moments, then prove that rollback and resume converge.

A kill point is either a journal boundary (the documented hook `KERAS_DOCTOR_TEST_KILL=after:K`
or `before:K` makes the fix SIGKILL its own process group around its K-th journal record), or a
moment inside the installer's run: the installer is started under strace, which stops it with
SIGSTOP at its K-th call of one file-changing syscall (`unlinkat`, `rename`, `mkdir`, `linkat`,
`openat`…); when the harness sees it stopped, it SIGKILLs the fix's process group and the
installer's. Both are deterministic: the same K stops the same installer at the same operation.

After the kill, on a fresh copy each time, either `fix --rollback` must exit 0 and leave the
environment exactly as before (every entry, every byte), or `resume` must finish the plan so that
the environment holds what an uninterrupted run leaves (same distributions, every file equal to its
RECORD hash, the same top-level entries).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import tiny

from keras_doctor.apply import engine, journal, pending_transactions, store
from keras_doctor.cli import main
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

DRIVER = str(Path(__file__).with_name("driver.py"))
STRACE = shutil.which("strace")


@dataclass(frozen=True)
class KillPoint:
    label: str
    journal: Optional[str] = None  # KERAS_DOCTOR_TEST_KILL value ("after:3", "before:5:INT")
    syscall: Optional[str] = None  # stop the installer at its `nth` call of this syscall
    nth: int = 0
    signal_name: str = "KILL"  # KILL: both process groups; INT, TERM: the fix alone, as a user


@dataclass
class Scenario:
    """A cached environment, the installer command that changes it, and the verify code."""

    cached: Path
    installer_argv: Callable[[Path], List[str]]  # env -> argv
    names: List[str]
    verify_code: str


# Runs the installer as it is, or, while CHAOS_STOP=SYSCALL:N is set (only in the run the harness
# kills, never in the resume that follows), under strace, which stops it at that call.
_WRAPPER = (
    "import os, sys\n"
    "argv = sys.argv[2:]\n"
    "stop = os.environ.pop('CHAOS_STOP', '')\n"
    "if stop:\n"
    "    name, nth = stop.split(':')\n"
    "    argv = [sys.argv[1], '-f', '-qq', '-o', os.devnull, '-e', 'trace=' + name,\n"
    "            '-e', 'inject=%s:signal=SIGSTOP:when=%s' % (name, nth)] + argv\n"
    "os.execv(argv[0], argv)\n"
)


def plan_for(scenario: Scenario, env: Path) -> Plan:
    argv = [sys.executable, "-c", _WRAPPER, STRACE or "strace", *scenario.installer_argv(env)]
    step = PlannedStep(StepKind.INSTALL, "install", argv=argv, names=list(scenario.names))
    return Plan(target=PlanTarget(python=str(tiny.python_of(env)), platform="linux-x86_64",
                                  python_version="3.11"), steps=[step])


def count_syscalls(scenario: Scenario, workdir: Path, syscalls: List[str]) -> Dict[str, int]:
    """How often the installer calls each syscall in an uninterrupted run (on a fresh copy)."""
    assert STRACE
    env = tiny.copy_env(scenario.cached, workdir / "count-env")
    log = workdir / "strace.log"
    subprocess.run([STRACE, "-f", "-qq", "-o", str(log), "-e", "trace=" + ",".join(syscalls),
                    *scenario.installer_argv(env)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=tiny.offline_env())
    counts = dict.fromkeys(syscalls, 0)
    for line in log.read_text().splitlines():
        name = line.split(None, 1)[-1].split("(", 1)[0]
        if name in counts:
            counts[name] += 1
    shutil.rmtree(env)
    return counts


def spread(total: int, wanted: int) -> List[int]:
    """`wanted` call numbers spread evenly over 1..total (all of them if there are fewer)."""
    if total <= wanted:
        return list(range(1, total + 1))
    return sorted({1 + (total - 1) * i // (wanted - 1) for i in range(wanted)})


def run_and_kill(scenario: Scenario, env: Path, point: KillPoint, data: Path) -> str:
    """Run the fix on `env` and kill it at `point`; "killed", or "finished" if it never came."""
    plan_file = data.parent / f"{data.name}-plan.json"
    plan_file.write_text(json.dumps(plan_for(scenario, env).to_dict()))
    child_env = tiny.offline_env()
    child_env["KERAS_DOCTOR_DATA_DIR"] = str(data)
    child_env.pop("KERAS_DOCTOR_TEST_KILL", None)
    child_env.pop("CHAOS_STOP", None)
    if point.journal:
        suffix = "" if point.signal_name == "KILL" else f":{point.signal_name}"
        child_env["KERAS_DOCTOR_TEST_KILL"] = point.journal + suffix
    if point.syscall:
        child_env["CHAOS_STOP"] = f"{point.syscall}:{point.nth}"
    fix = subprocess.Popen([sys.executable, DRIVER, str(plan_file), scenario.verify_code],
                           start_new_session=True, env=child_env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        if point.syscall:
            return _kill_when_installer_stops(fix, data, point.signal_name)
        fix.wait(timeout=300)
        if point.signal_name == "KILL":
            return "killed" if fix.returncode == -signal.SIGKILL else "finished"
        installer = _installer_pid(data)
        assert installer is None or _gone(installer), "the installer outlived its fix"
        return "killed" if fix.returncode != 0 else "finished"
    finally:
        _reap(fix, data)


def _reap(fix: subprocess.Popen[bytes], data: Path) -> None:
    """Kill whatever a failed run left behind (a fix that did not stop, an installer strace
    stopped): a stopped uv holds its cache's lock, and every later test would wait on it."""
    for group in (fix.pid, _installer_pid(data)):
        if group is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        fix.wait(timeout=10)


def _kill_when_installer_stops(fix: subprocess.Popen[bytes], data: Path,
                               signal_name: str) -> str:
    deadline = time.monotonic() + 300
    installer: Optional[int] = None
    while time.monotonic() < deadline:
        if fix.poll() is not None:
            return "finished"
        if installer is None:
            installer = _installer_pid(data)
        elif _stopped_member(installer):
            if signal_name == "KILL":
                for group in (fix.pid, installer):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(group, signal.SIGKILL)
            else:  # Ctrl-C or SIGTERM to the fix alone: it must stop its installer itself
                os.kill(fix.pid, getattr(signal, "SIG" + signal_name))
            fix.wait(timeout=60)
            assert _gone(installer), "the installer outlived its fix"
            return "killed"
        time.sleep(0.005)
    fix.kill()
    raise AssertionError("the installer never stopped and the fix never finished")


def _installer_pid(data: Path) -> Optional[int]:
    for folder in (data / "transactions").glob("*"):
        for record in journal.read_records(folder / store.JOURNAL_FILE):
            if record["event"] == journal.STEP_PROCESS:
                return int(record["pid"])
    return None


def _gone(pgid: int, grace: float = 5.0) -> bool:
    """Whether the group has no running process left, allowing for SIGKILL's delivery."""
    deadline = time.monotonic() + grace
    while _live_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _live_members(pgid: int) -> List[int]:
    """Processes of the group that still run (zombies waiting for a reaper do not)."""
    return [pid for pid, state in _members(pgid) if state not in ("Z", "X")]


def _members(pgid: int) -> List[Tuple[int, str]]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            found.append((int(entry), fields[0]))
    return found


def _stopped_member(pgid: int) -> bool:
    # the installer under strace (strace, exec'd by the wrapper, leads the group)
    return any(state in ("T", "t") and pid != pgid for pid, state in _members(pgid))


# -- what "converged" means -----------------------------------------------------------------------

def site_state(env: Path) -> Tuple[List[str], List[str], List[str]]:
    """(distributions, top-level entries, RECORD violations), caches left out: pip can rewrite a
    `.pyc` after hashing it (numpy's distutils/conv_template), in a run nobody interrupted."""
    site = tiny.site_packages(env)
    dists = sorted(p.name for p in site.glob("*.dist-info"))
    entries = sorted(p.name for p in site.iterdir() if p.name != "__pycache__")
    return dists, entries, tiny.record_violations(site, bytecode=False)


def finish_with_rollback(env: Path, before: Dict[str, str]) -> str:
    """`fix --rollback` after the kill; returns what happened, asserts the environment."""
    pending = pending_transactions()
    if pending:
        assert main(["fix", "--rollback"]) == 0
        assert pending_transactions() == []
        assert tiny.tree_state(env) == before, (
            "rollback did not restore the snapshot exactly: " + tiny.tree_difference(
                before, tiny.tree_state(env)))
        return "rolled back"
    return "nothing pending"


def finish_with_resume(env: Path, scenario: Scenario, before: Dict[str, str],
                       after: Tuple[List[str], List[str], List[str]]) -> str:
    pending = pending_transactions()
    if not pending:
        return "nothing pending"
    (transaction,) = pending

    def verify(python: str) -> Tuple[bool, str]:
        proc = subprocess.run([python, "-B", "-c", scenario.verify_code], capture_output=True,
                              text=True)
        return proc.returncode == 0, proc.stderr[-300:]

    outcome = engine.resume(transaction.path, verify=verify)
    if outcome.status == "applied":
        assert site_state(env) == after, "resume did not converge to the planned state"
        return "resumed"
    assert outcome.status in ("refused", "rolled-back"), outcome.message
    if outcome.status == "refused":  # stopped before its snapshot, or during a rollback
        assert engine.rollback(transaction.path).status == "rolled-back"
    assert tiny.tree_state(env) == before
    return "rolled back instead"


def ended_state(env: Path, before: Dict[str, str],
                after: Tuple[List[str], List[str], List[str]]) -> str:
    """With nothing pending, the run had finished: committed or rolled back, nothing between."""
    if tiny.tree_state(env) == before:
        return "before"
    assert site_state(env) == after, "a finished run left neither the old nor the new state"
    return "after"
