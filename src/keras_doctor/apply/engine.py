"""Apply a plan as a transaction: snapshot, journal, steps one by one, verify, or roll back.

The promise is "never leave the user worse off". So nothing changes before the snapshot of every
touched distribution is on disk; every step is announced in the fsync'd journal before it runs; a
failed step or a failed verify restores the snapshot at once, offline; and a run that dies half-way
leaves a journal that `rollback()` or `resume()` (in a later process) finishes.

Everything that can refuse does so before the journal's first record: the target is read, the
environment locked (one fix at a time per environment) and the snapshot surveyed first, and a
journal that cannot be begun is removed again. So a refusal never leaves a transaction that later
commands would have to finish.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from keras_doctor.apply import journal, snapshot, steps, store
from keras_doctor.apply.environment import Target, TargetUnreadable, read_target
from keras_doctor.plan.model import Plan, PlannedStep, StepKind

Confirm = Callable[[PlannedStep], bool]
Verify = Callable[[str], Tuple[bool, str]]  # python -> (passed, summary)
Progress = Callable[[str, int, int, PlannedStep, str], None]  # event, index, total, step, detail


@dataclass
class Outcome:
    status: str  # applied | rolled-back | rollback-failed | refused | nothing-to-do | interrupted
    message: str = ""
    transaction: Optional[str] = None
    failed_step: Optional[int] = None  # 1-based
    verify_passed: Optional[bool] = None
    problems: List[str] = field(default_factory=list)
    declined: List[int] = field(default_factory=list)  # 1-based indices of steps the user refused

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "nothing-to-do")

    def to_dict(self) -> Dict[str, Any]:
        return dict(self.__dict__)


def apply_plan(plan: Plan, *, confirm: Optional[Confirm] = None, verify: Optional[Verify] = None,
               progress: Optional[Progress] = None,
               step_timeout: Optional[float] = None) -> Outcome:
    if not plan.ok:
        return Outcome("refused", plan.reason or f"the plan is {plan.status.value}")
    accepted, declined = [], []
    for index, step in enumerate(plan.steps):
        if not step.runnable:
            continue
        if step.destructive and confirm is not None and not confirm(step):
            declined.append(index)
        else:
            accepted.append(index)
    if not accepted:
        return Outcome("nothing-to-do", "no step to run", declined=[i + 1 for i in declined])
    new_venv = _new_venv_dest(plan)
    python = plan.target.python
    target: Optional[Target] = None
    found: Optional[snapshot.Survey] = None
    env_lock: Optional[store.EnvironmentLock] = None
    try:
        if new_venv is None and plan.touched_names:
            if not python:
                return Outcome("refused", "the plan names no interpreter to change")
            try:
                target = read_target(python)
            except TargetUnreadable as exc:
                return Outcome("refused", str(exc))
            if target.externally_managed:
                return Outcome("refused", f"{python} is externally managed "
                               f"({target.externally_managed}); the doctor does not change it in "
                               "place: use --new-venv PATH")
            env_lock = store.EnvironmentLock(target.prefix)
            try:
                locked = env_lock.acquire()
            except OSError as exc:
                return Outcome("refused", f"cannot lock {target.prefix}: {exc}")
            if not locked:
                env_lock = None
                return Outcome("refused", f"another keras-doctor fix (or an installer it started) "
                               f"is changing {target.prefix}; nothing was changed: wait for it, "
                               "or finish it with `keras-doctor fix --rollback`")
            try:
                found = snapshot.survey(target, plan.touched_names)
            except (snapshot.SnapshotError, OSError) as exc:
                return Outcome("refused", f"nothing was changed: {exc}")
        began = _begin(plan, python, accepted, declined, new_venv, target)
        if isinstance(began, Outcome):
            return began
        folder, log, lock = began
        try:
            if found is not None:
                try:
                    snapshot.take(found, folder)
                except (snapshot.SnapshotError, OSError) as exc:
                    return _abandon(folder, log, f"nothing was changed: snapshot failed: {exc}")
                log.write(journal.SNAPSHOT, manifest=snapshot.MANIFEST)
            with _terminate_as_interrupt():
                outcome = _run_from(plan, accepted, 0, folder, log, verify, progress,
                                    step_timeout, env_lock=env_lock)
            outcome.declined = [i + 1 for i in declined]
            return outcome
        finally:  # after Ctrl-C or a crash the journal stays, for --rollback or --resume
            lock.release()
    finally:
        if env_lock is not None:
            env_lock.release()


def _begin(plan: Plan, python: Optional[str], accepted: List[int], declined: List[int],
           new_venv: Optional[str], target: Optional[Target]
           ) -> Any:
    """A new transaction folder with its first record, or a refusal that leaves nothing behind."""
    folder: Optional[Path] = None
    try:
        folder = store.new_transaction_dir()
        lock = store.TransactionLock(folder)
        lock.acquire()  # a folder made just now: nobody else knows it
        log = journal.Journal(folder / store.JOURNAL_FILE)
        log.write(journal.BEGIN, plan=plan.to_dict(), python=python, accepted=accepted,
                  declined=declined, new_venv=new_venv, prefix=target.prefix if target else None)
        for index in declined:
            log.write(journal.STEP_SKIPPED, index=index, reason="declined")
    except OSError as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)  # nothing was changed: nothing to finish
        return Outcome("refused", f"nothing was changed: cannot record the transaction in "
                       f"{store.transactions_dir()}: {exc.strerror or exc}")
    return folder, log, lock


def _abandon(folder: Path, log: journal.Journal, message: str) -> Outcome:
    """End a transaction that changed nothing; if even that cannot be written, remove it."""
    try:
        log.write(journal.ROLLED_BACK, ok=True, reason=message)
        store.mark_finished(folder)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
    return Outcome("refused", message, folder.name)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a fix the way Ctrl-C does: the installer is killed, the journal is kept."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def resume(folder: Path, *, verify: Optional[Verify] = None, progress: Optional[Progress] = None,
           step_timeout: Optional[float] = None) -> Outcome:
    """Finish an interrupted transaction: redo the step that was cut short, then the rest.

    An installer stopped half-way leaves a state that no installer reliably continues from (uv
    killed mid-uninstall leaves a dist-info without RECORD, which the next install cannot remove,
    so two versions would stay listed): then the snapshot is restored first and every step runs
    again, from the state the plan was made for."""
    if not store.is_transaction_folder(folder):
        return Outcome("refused", f"{folder} is not a transaction of this keras-doctor")
    with store.TransactionLock(folder), _environment_of(folder) as env_lock:
        log = journal.Journal(folder / store.JOURNAL_FILE)
        records = log.records()
        begin = journal.first(records, journal.BEGIN)
        if begin is None or journal.state(records) != "interrupted":
            return Outcome("refused", f"{folder.name} has nothing to resume", folder.name)
        if any(r["event"] == journal.ROLLBACK_START for r in records):
            return Outcome("refused", "a rollback of this transaction was started; finish it with "
                           "--rollback", folder.name)
        plan = Plan.from_dict(begin["plan"])
        if plan.touched_names and not begin.get("new_venv") and \
                journal.first(records, journal.SNAPSHOT) is None:
            return Outcome("refused", "the run stopped before its snapshot was complete, so "
                           "nothing was changed: finish it with --rollback, then run the fix "
                           "again", folder.name)
        attempt = journal.current_attempt(records)
        done = journal.steps_done(attempt)
        started = journal.steps_started(attempt)
        cut_short = [i for i in started if i not in done and plan.steps[i].kind not in _IN_PROCESS]
        position = 0
        if cut_short and journal.first(records, journal.SNAPSHOT) is not None:
            problems = _undo_and_restore(folder, plan, records)
            if problems:
                return Outcome("refused", "cannot resume: restoring the snapshot before running "
                               "the steps again left problems (finish with --rollback):\n"
                               + "\n".join(problems), folder.name, problems=problems)
            log.write(journal.RESTARTED, cut_short=cut_short)
        else:
            for position, index in enumerate(begin["accepted"]):  # noqa: B007 (used below)
                if index in done:
                    continue
                recorded = started.get(index, {})
                if recorded and steps.already_done(plan.steps[index], recorded):
                    log.write(journal.STEP_DONE, index=index, resumed=True)
                    continue
                break
            else:
                position = len(begin["accepted"])
        with _terminate_as_interrupt():
            return _run_from(plan, begin["accepted"], position, folder, log, verify, progress,
                             step_timeout, env_lock=env_lock)


def rollback(folder: Path, progress: Optional[Progress] = None) -> Outcome:
    """Restore the snapshot and undo file steps; offline, and safe to run again if interrupted."""
    if not store.is_transaction_folder(folder):
        return Outcome("refused", f"{folder} is not a transaction of this keras-doctor")
    with store.TransactionLock(folder), _environment_of(folder):
        log = journal.Journal(folder / store.JOURNAL_FILE)
        records = log.records()
        if journal.state(records) in ("committed", "rolled-back"):
            return Outcome("refused", f"{folder.name} is already finished", folder.name)
        if journal.first(records, journal.BEGIN) is None:  # stopped before anything changed
            store.mark_finished(folder)
            return Outcome("rolled-back", "the run stopped before it changed anything",
                           folder.name)
        return _rollback(folder, log, records, reason="requested")


@contextmanager
def _environment_of(folder: Path) -> Iterator[Optional[store.EnvironmentLock]]:
    """Lock the transaction's environment for a rollback or resume.

    Called with the transaction's own lock held, so the fix that wrote the journal is gone; an
    installer it started may not be (killed with keras-doctor alone, not its process group). That
    group is killed and reaped before anything is restored under it. A lock still held after that
    belongs to another fix of the same environment: this one waits a little, then refuses.
    """
    records = list(journal.read_records(folder / store.JOURNAL_FILE))
    begin = journal.first(records, journal.BEGIN) or {}
    launched = [r for r in records if r["event"] == journal.STEP_PROCESS]
    if launched:
        steps.stop_orphan(launched[-1]["pid"], folder.name)
    prefix = begin.get("prefix")
    if not prefix or not os.path.isdir(prefix):
        yield None
        return
    lock = store.EnvironmentLock(prefix)
    deadline = time.monotonic() + 10
    while not lock.acquire():
        if time.monotonic() > deadline:
            raise store.TransactionBusy(
                f"another process is changing {prefix} (a keras-doctor fix, or an installer still "
                "running); nothing was restored: try again when it has finished")
        time.sleep(0.1)
    try:
        yield lock
    finally:
        lock.release()


def _run_from(plan: Plan, accepted: List[int], position: int, folder: Path, log: journal.Journal,
              verify: Optional[Verify], progress: Optional[Progress],
              step_timeout: Optional[float],
              env_lock: Optional[store.EnvironmentLock] = None) -> Outcome:
    total = len(accepted)
    for position_now in range(position, total):
        index = accepted[position_now]
        step = plan.steps[index]
        recorded = steps.intent(step, index, folder)
        log.write(journal.STEP_START, index=index, **recorded)
        _tell(progress, "start", position_now, total, step)
        def started(pid: int, index: int = index) -> None:
            log.write(journal.STEP_PROCESS, index=index, pid=pid)

        result = steps.run(
            step, index, folder, recorded, step_timeout, started=started,
            inherit=[env_lock.fd] if env_lock is not None and env_lock.fd is not None else [])
        if not result.ok:
            log.write(journal.STEP_FAILED, index=index, returncode=result.returncode,
                      message=result.message[-2000:])
            _tell(progress, "failed", position_now, total, step, result.message)
            outcome = _rollback(folder, log, log.records(), reason=f"step {index + 1} failed")
            outcome.failed_step = index + 1
            outcome.message = f"step {index + 1} ({step.summary}) failed: {result.message}\n" + \
                outcome.message
            return outcome
        log.write(journal.STEP_DONE, index=index, returncode=result.returncode)
        _tell(progress, "done", position_now, total, step)
    checked = _new_venv_python(plan) or plan.target.python
    if verify is not None and checked:
        log.write(journal.VERIFY_START)
        try:
            passed, summary = verify(checked)
        except Exception as exc:  # a verify that cannot run proves nothing: treat it as failed
            passed, summary = False, f"verify could not run: {type(exc).__name__}: {exc}"
        log.write(journal.VERIFY, ok=passed, summary=summary[-4000:])
        if not passed:
            outcome = _rollback(folder, log, log.records(), reason="verify failed")
            outcome.verify_passed = False
            outcome.message = f"verify failed after the plan ran: {summary}\n" + outcome.message
            return outcome
    log.write(journal.COMMITTED)
    store.mark_finished(folder)
    return Outcome("applied", "every step ran" + (" and verify passed" if verify else ""),
                   folder.name, verify_passed=True if verify else None)


# Steps the engine does itself, each in one rename: never left half-done.
_IN_PROCESS = (StepKind.RENAME, StepKind.DELETE_FILE, StepKind.SET_ENV)


def _undo_and_restore(folder: Path, plan: Optional[Plan],
                      records: List[Dict[str, Any]]) -> List[str]:
    problems: List[str] = []
    if plan is not None:
        started = journal.steps_started(records)
        for index in sorted(started, reverse=True):
            problem = steps.undo(plan.steps[index], started[index])
            if problem:
                problems.append(problem)
    if journal.first(records, journal.SNAPSHOT) is not None:
        problems.extend(snapshot.restore(snapshot.load(folder), folder))
    return problems


def _rollback(folder: Path, log: journal.Journal, records: List[Dict[str, Any]],
              reason: str) -> Outcome:
    log.write(journal.ROLLBACK_START, reason=reason)
    begin = journal.first(records, journal.BEGIN) or {}
    plan = Plan.from_dict(begin["plan"]) if begin.get("plan") else None
    problems = _undo_and_restore(folder, plan, records)
    log.write(journal.ROLLED_BACK, ok=not problems, problems=problems)
    if not problems:
        store.mark_finished(folder)
    if problems:
        return Outcome("rollback-failed", "rollback left problems:\n" + "\n".join(problems),
                       folder.name, problems=problems)
    return Outcome("rolled-back", "the environment was restored to its snapshot", folder.name)


def _new_venv_dest(plan: Plan) -> Optional[str]:
    for step in plan.steps:
        if step.kind is StepKind.NEW_VENV:
            return step.dest
    return None


def _new_venv_python(plan: Plan) -> Optional[str]:
    from keras_doctor.plan.installers import venv_python

    dest = _new_venv_dest(plan)
    return venv_python(dest) if dest else None


def _tell(progress: Optional[Progress], event: str, position: int, total: int, step: PlannedStep,
          detail: str = "") -> None:
    if progress is not None:
        progress(event, position, total, step, detail)
