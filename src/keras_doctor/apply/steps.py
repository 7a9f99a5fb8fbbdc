"""Run one planned step, and undo the ones that change user files.

Commands run as argv lists with no shell and no terminal input; their output goes to a log in the
transaction folder. Renames and deletions are done here, in-process: a deleted file is moved into
the transaction folder, not removed, so rollback can bring it back. Undo functions read only what
the journal recorded *before* the step ran, and check the disk, because a crash may have stopped the
step before or after it took effect.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from keras_doctor.plan.model import PlannedStep, StepKind

REMOVED = "removed"


@dataclass
class StepResult:
    ok: bool
    message: str = ""
    returncode: Optional[int] = None


def intent(step: PlannedStep, index: int, folder: Path) -> Dict[str, Any]:
    """What the journal records before the step runs: enough to undo it whatever happens next."""
    if step.kind is StepKind.DELETE_FILE and step.path:
        return {"keep_as": str(folder / REMOVED / f"{index:03d}-{os.path.basename(step.path)}")}
    if step.kind is StepKind.NEW_VENV and step.dest:
        existed = os.path.lexists(step.dest)
        return {"dest_existed": existed and not _empty_dir(step.dest),
                "dest_was_empty_dir": existed and _empty_dir(step.dest)}
    return {}


def run(step: PlannedStep, index: int, folder: Path, recorded: Dict[str, Any],
        timeout: Optional[float] = None) -> StepResult:
    if step.kind is StepKind.RENAME:
        return _rename(step)
    if step.kind is StepKind.DELETE_FILE:
        return _keep_aside(step, recorded["keep_as"])
    if step.kind is StepKind.SET_ENV:
        return StepResult(True, "shown, not run")
    if not step.argv:
        return StepResult(False, f"step {index + 1} has no command")
    log = folder / f"step-{index + 1:02d}.log"
    with log.open("ab") as out:
        out.write(("$ " + " ".join(step.argv) + "\n").encode())
        out.flush()
        try:
            proc = subprocess.run(step.argv, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return StepResult(False, f"{step.argv[0]}: {exc}")
    if proc.returncode != 0:
        return StepResult(False, _tail(log), proc.returncode)
    return StepResult(True, returncode=0)


def undo(step: PlannedStep, recorded: Dict[str, Any]) -> Optional[str]:
    """Reverse a started step that changed user files; return a problem, or None when done."""
    if step.kind is StepKind.RENAME and step.path and step.dest:
        if os.path.lexists(step.dest) and not os.path.lexists(step.path):
            os.rename(step.dest, step.path)
        return None if os.path.lexists(step.path) else f"{step.path} is missing after rollback"
    if step.kind is StepKind.DELETE_FILE and step.path:
        kept = recorded.get("keep_as")
        if kept and os.path.lexists(kept) and not os.path.lexists(step.path):
            shutil.move(kept, step.path)
        return None if os.path.lexists(step.path) else f"{step.path} is missing after rollback"
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
        return os.path.lexists(step.dest) and not os.path.lexists(step.path)
    if step.kind is StepKind.DELETE_FILE and step.path:
        return not os.path.lexists(step.path) and os.path.lexists(recorded.get("keep_as", ""))
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


def _keep_aside(step: PlannedStep, keep_as: str) -> StepResult:
    if not step.path:
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
