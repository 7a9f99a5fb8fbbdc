"""Run one planned step, and undo the ones that change user files.

Commands run as argv lists with no shell and no terminal input; their output goes to a log in the
transaction folder. An installer runs in a process group of its own, so that it can be stopped
whole: when keras-doctor is interrupted (Ctrl-C, SIGTERM) it kills the group before anything else
happens, and on Linux the kernel kills the installer if keras-doctor dies (a rollback in a later
process kills a group that is still running, see `stop_orphan`).

Renames and deletions are done here, in-process: a deleted file is moved into
the transaction folder, not removed, so rollback can bring it back. Undo functions read only what
the journal recorded *before* the step ran, and check the disk, because a crash may have stopped the
step before or after it took effect.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from keras_doctor.plan.model import PlannedStep, StepKind

REMOVED = "removed"
TRANSACTION_VAR = "KERAS_DOCTOR_TRANSACTION"  # marks the installers a transaction started


@dataclass
class StepResult:
    ok: bool
    message: str = ""
    returncode: Optional[int] = None


def intent(step: PlannedStep, index: int, folder: Path) -> Dict[str, Any]:
    """What the journal records before the step runs: enough to undo it whatever happens next."""
    if step.kind is StepKind.DELETE_FILE and step.path:
        return {"keep_as": str(folder / REMOVED / f"{index:03d}-{os.path.basename(step.path)}"),
                "existed": os.path.lexists(step.path)}
    if step.kind is StepKind.RENAME and step.path:
        return {"existed": os.path.lexists(step.path)}
    if step.kind is StepKind.NEW_VENV and step.dest:
        empty = _empty_dir(step.dest)
        return {"dest_existed": os.path.lexists(step.dest) and not empty,
                "dest_was_empty_dir": empty}
    return {}


def run(step: PlannedStep, index: int, folder: Path, recorded: Dict[str, Any],
        timeout: Optional[float] = None, started: Optional[Callable[[int], None]] = None,
        inherit: Sequence[int] = ()) -> StepResult:
    """Run one step. `started(pid)` is told the installer's pid as soon as it runs; `inherit` are
    file descriptors the installer keeps open (the environment lock: held while it lives)."""
    if step.kind is StepKind.RENAME:
        return _rename(step)
    if step.kind is StepKind.DELETE_FILE:
        return _keep_aside(step, recorded.get("keep_as"))
    if not step.argv:
        return StepResult(False, f"step {index + 1} has no command")
    log = folder / f"step-{index + 1:02d}.log"
    with log.open("ab") as out:
        out.write(("$ " + " ".join(step.argv) + "\n").encode())
        out.flush()
        try:
            proc = _start(step.argv, out, inherit, folder.name)
        except OSError as exc:
            return StepResult(False, f"{step.argv[0]}: {exc}")
        try:
            if started is not None:
                started(proc.pid)
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            return StepResult(False, f"{step.argv[0]}: did not finish within {timeout:.0f} s")
        except BaseException:  # Ctrl-C, SIGTERM: the installer must not outlive the decision
            kill_group(proc)
            raise
    if returncode != 0:
        return StepResult(False, _tail(log), returncode)
    return StepResult(True, returncode=0)


def _start(argv: Sequence[str], out: Any, inherit: Sequence[int],
           transaction: str) -> subprocess.Popen[bytes]:
    options: Dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": out,
                               "stderr": subprocess.STDOUT,
                               # the installer imports itself from the target (pip does): its
                               # own bytecode would land beside what the plan changes, outside the
                               # snapshot; what it installs it still compiles (py_compile)
                               "env": {**os.environ, TRANSACTION_VAR: transaction,
                                       "PYTHONDONTWRITEBYTECODE": "1"}}
    if os.name == "nt":
        options["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    else:
        options["start_new_session"] = True
        options["pass_fds"] = tuple(inherit)
        if sys.platform.startswith("linux"):
            options["preexec_fn"] = _die_with_parent(os.getpid())
    return subprocess.Popen(list(argv), **options)


def _die_with_parent(parent: int) -> Callable[[], None]:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def arm() -> None:  # runs in the child, between fork and exec
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(1)

    return arm


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the installer and everything it started, and reap it."""
    _kill_group_of(proc.pid)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)


def _kill_group_of(pid: int) -> None:
    try:
        if os.name == "nt":
            os.kill(pid, signal.SIGTERM)  # TerminateProcess
        else:
            os.killpg(pid, signal.SIGKILL)  # the group leader's pid is the group's id
    except (OSError, ValueError):
        pass  # already gone


def stop_orphan(pid: int, transaction: str, patience: float = 10.0) -> None:
    """Kill what is left of the process group of an installer that outlived the keras-doctor that
    started it, and give it `patience` seconds to go, so that nothing writes while a rollback
    restores. Where the OS shows processes' environments (/proc), a group whose processes do not
    carry our TRANSACTION_VAR (its id since reused by another program) is left alone."""
    if os.name == "nt":
        _kill_group_of(pid)
        return
    members = _live_members(pid)
    if not members:
        return
    marker = f"{TRANSACTION_VAR}={transaction}".encode()
    if members != [-1] and not any(marker in _environ(member) for member in members):
        return
    _kill_group_of(pid)
    deadline = time.monotonic() + patience
    while _live_members(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _live_members(pgid: int) -> List[int]:
    """The processes of a group that still run (zombies cannot write); [-1] when the OS says only
    that the group exists."""
    try:
        os.killpg(pgid, 0)
    except OSError:
        return []
    if not os.path.isdir("/proc"):
        return [-1]
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            members.append(int(entry))
    return members


def _environ(pid: int) -> List[bytes]:
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return fh.read().split(b"\0")
    except OSError:
        return []


def undo(step: PlannedStep, recorded: Dict[str, Any]) -> Optional[str]:
    """Reverse a started step that changed user files; return a problem, or None when done.

    A file that was already gone when its step started (removed by hand after the plan was made)
    was not touched by it: there is nothing to bring back, and its absence is no failure."""
    if step.kind is StepKind.RENAME and step.path and step.dest:
        if recorded.get("existed") is False:
            return None  # whatever is at dest was not moved there by this step
        if os.path.lexists(step.dest) and not os.path.lexists(step.path):
            os.rename(step.dest, step.path)
        return None if os.path.lexists(step.path) else f"{step.path} is missing after rollback"
    if step.kind is StepKind.DELETE_FILE and step.path:
        kept = recorded.get("keep_as")
        if kept and os.path.lexists(kept) and not os.path.lexists(step.path):
            shutil.move(kept, step.path)
        if os.path.lexists(step.path) or recorded.get("existed") is False:
            return None
        return f"{step.path} is missing after rollback"
    if step.kind is StepKind.NEW_VENV and step.dest and recorded.get("dest_existed") is False:
        shutil.rmtree(step.dest, ignore_errors=True)
        if os.path.lexists(step.dest):
            return f"{step.dest} could not be removed"
        if recorded.get("dest_was_empty_dir"):
            os.mkdir(step.dest)  # the empty folder the user made is left as it was
    return None


def already_done(step: PlannedStep, recorded: Dict[str, Any]) -> bool:
    """For `--resume`: did a started file step take effect before the run stopped?"""
    if step.kind is StepKind.RENAME and step.path and step.dest:
        return (recorded.get("existed") is not False and os.path.lexists(step.dest)
                and not os.path.lexists(step.path))
    if step.kind is StepKind.DELETE_FILE and step.path:
        return not os.path.lexists(step.path) and os.path.lexists(recorded["keep_as"])
    return False


def _empty_dir(path: str) -> bool:
    return os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path)


def _rename(step: PlannedStep) -> StepResult:
    if not step.path or not step.dest:
        return StepResult(False, "rename step without path and destination")
    if os.path.lexists(step.dest):
        return StepResult(False, f"{step.dest} already exists; not overwriting it")
    try:
        os.rename(step.path, step.dest)
    except OSError as exc:
        return StepResult(False, f"cannot rename {step.path}: {exc}")
    return StepResult(True)


def _keep_aside(step: PlannedStep, keep_as: Optional[str]) -> StepResult:
    if not step.path or not keep_as:  # `intent` names keep_as for every step with a path
        return StepResult(False, "delete step without a path")
    try:
        os.makedirs(os.path.dirname(keep_as), exist_ok=True)
        shutil.move(step.path, keep_as)
    except OSError as exc:
        return StepResult(False, f"cannot remove {step.path}: {exc}")
    return StepResult(True)


def _tail(log: Path, limit: int = 2000) -> str:
    text = log.read_text(errors="replace")
    return text[-limit:].strip()
