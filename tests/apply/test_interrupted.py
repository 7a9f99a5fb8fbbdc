"""A run killed with SIGKILL mid-plan leaves a journal that a later process rolls back or resumes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from apply_helpers import (
    OFFLINE_ENV,
    TOUCHED,
    fingerprint,
    install,
    make_plan,
    python_of,
    uninstall,
)

from keras_doctor.apply import engine, pending_transactions
from keras_doctor.plan.model import PlannedStep, StepKind

# Blocks on a fifo while `gate` exists, after saying so: the kill lands inside this step, always.
_BLOCKER = (
    "import os, pathlib, sys\n"
    "ready, fifo, gate = sys.argv[1:]\n"
    "if os.path.exists(gate):\n"
    "    pathlib.Path(ready).write_text('ready')\n"
    "    open(fifo).read()\n"
)
_DRIVER = (
    "import json, sys\n"
    "from keras_doctor.apply.engine import apply_plan\n"
    "from keras_doctor.plan.model import Plan\n"
    "apply_plan(Plan.from_dict(json.load(open(sys.argv[1]))))\n"
)


def start_and_kill(plan, tmp_path):
    """Run `plan` in another process and SIGKILL its whole process group inside the last step."""
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan.to_dict()))
    proc = subprocess.Popen([sys.executable, "-c", _DRIVER, str(plan_file)],
                            start_new_session=True, env=dict(os.environ))
    ready = tmp_path / "ready"
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert proc.poll() is None, "the apply process ended before reaching the blocking step"
        assert time.monotonic() < deadline, "the blocking step was never reached"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def hanging_step(tmp_path, names):
    """A step that reports it has started, then hangs until the test kills the whole run."""
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "gate").write_text("")
    return PlannedStep(
        StepKind.INSTALL, "a step that hangs",
        argv=[sys.executable, "-c", _BLOCKER, str(tmp_path / "ready"), str(tmp_path / "fifo"),
              str(tmp_path / "gate")],
        names=list(names))


def interrupted_plan(python, tmp_path):
    shadow = tmp_path / "keras.py"
    shadow.write_text("print('mine')\n")
    return shadow, make_plan(
        python,
        install(python, "numpy==2.1.3"),
        uninstall(python, "six"),
        PlannedStep(StepKind.RENAME, "rename keras.py", path=str(shadow),
                    dest=str(shadow) + ".shadowing-keras", destructive=True),
        hanging_step(tmp_path, ["protobuf"]),
    )


@pytest.mark.slow
def test_sigkill_mid_plan_then_offline_rollback_restores_identical_files(
        small_env, tmp_path, monkeypatch):
    python = python_of(small_env)
    before = fingerprint(python, TOUCHED)
    shadow, plan = interrupted_plan(python, tmp_path)
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)

    start_and_kill(plan, tmp_path)

    changed = fingerprint(python, TOUCHED)
    assert changed[0]["numpy"] == "2.1.3" and "six" not in changed[0]  # the kill came mid-plan
    (pending,) = pending_transactions()
    assert pending.state == "interrupted"
    assert (pending.steps_done, pending.steps_total) == (3, 4)

    def no_process(*args, **kwargs):
        raise AssertionError(f"rollback started a process: {args[0] if args else kwargs}")

    monkeypatch.setattr(subprocess, "Popen", no_process)  # no installer, no download: files only
    outcome = engine.rollback(pending.path)
    monkeypatch.undo()

    assert outcome.status == "rolled-back", outcome.message
    assert fingerprint(python, TOUCHED) == before
    assert shadow.read_text() == "print('mine')\n"
    assert pending_transactions() == []


@pytest.mark.slow
def test_sigkill_mid_plan_then_resume_finishes_the_plan(small_env, tmp_path, monkeypatch):
    python = python_of(small_env)
    shadow, plan = interrupted_plan(python, tmp_path)
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)
    start_and_kill(plan, tmp_path)
    (tmp_path / "gate").unlink()  # the step that hung now completes

    (pending,) = pending_transactions()
    outcome = engine.resume(pending.path, verify=lambda py: (True, "ok"))

    assert outcome.status == "applied", outcome.message
    versions, _ = fingerprint(python, TOUCHED)
    assert versions["numpy"] == "2.1.3" and "six" not in versions
    assert not shadow.exists()
    assert pending_transactions() == []


@pytest.mark.slow
def test_cli_refuses_a_new_fix_until_rollback_finishes_the_old_one(
        small_env, tmp_path, monkeypatch, capsys):
    from keras_doctor.cli import main

    python = python_of(small_env)
    before = fingerprint(python, TOUCHED)
    _shadow, plan = interrupted_plan(python, tmp_path)
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)
    start_and_kill(plan, tmp_path)

    assert main(["fix", "--python", python, "--apply", "--yes"]) == 2
    assert "not finished" in capsys.readouterr().err
    assert main(["fix", "--rollback"]) == 0
    assert "rolled-back" in capsys.readouterr().out
    assert fingerprint(python, TOUCHED) == before
    assert main(["fix", "--rollback"]) == 2  # nothing left to finish


@pytest.mark.slow
def test_sigkill_during_a_real_tensorflow_fix_then_offline_rollback(tmp_path, monkeypatch):
    import envs

    from keras_doctor.checks.registry import run_checks
    from keras_doctor.facts.collect import collect_python
    from keras_doctor.plan.build import build_plan

    cached = envs.venv("fix-tf-and-tf-cpu", [["tensorflow==2.21.0"]],
                       hollow_over=["tensorflow-cpu==2.21.0"])
    python = python_of(envs.copy_tree(cached, tmp_path / "env"))
    facts = collect_python(python)
    plan = build_plan(facts, run_checks(facts))
    touched = plan.touched_names
    before = fingerprint(python, touched)
    plan.steps.append(hanging_step(tmp_path, []))  # killed after the real uninstall and install
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)

    start_and_kill(plan, tmp_path)

    assert "tensorflow-cpu" not in fingerprint(python, touched)[0]  # the kill came mid-plan
    (pending,) = pending_transactions()
    assert engine.rollback(pending.path).status == "rolled-back"
    assert fingerprint(python, touched) == before
