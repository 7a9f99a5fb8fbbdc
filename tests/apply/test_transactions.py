"""The transaction engine on real uv environments: a failure mid-plan restores identical bytes."""

from __future__ import annotations

import os

import envs
import pytest
from apply_helpers import (
    OFFLINE_ENV,
    SMALL_STEPS,
    TOUCHED,
    fingerprint,
    install,
    make_plan,
    python_of,
    uninstall,
)

from keras_doctor.apply import engine, pending_transactions, store
from keras_doctor.plan.model import PlannedStep, StepKind


@pytest.mark.slow
def test_installer_failing_mid_plan_restores_every_file_offline(small_env, tmp_path, monkeypatch):
    python = python_of(small_env)
    shadow = tmp_path / "work" / "keras.py"
    shadow.parent.mkdir()
    shadow.write_text("print('mine')\n")
    before = fingerprint(python, TOUCHED)
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)  # uv installs from its cache; the rollback needs nothing
    plan = make_plan(
        python,
        install(python, "numpy==2.1.3"),
        uninstall(python, "six"),
        PlannedStep(StepKind.RENAME, "rename keras.py", path=str(shadow),
                    dest=str(shadow) + ".shadowing-keras", destructive=True),
        install(python, "protobuf==0.0.404"),  # no such release: the installer fails here
    )

    events = []
    outcome = engine.apply_plan(plan, progress=lambda event, i, *_: events.append((event, i)))

    assert outcome.status == "rolled-back", outcome.message
    assert outcome.failed_step == 4
    assert events[:6] == [("start", 0), ("done", 0), ("start", 1), ("done", 1), ("start", 2),
                          ("done", 2)]
    assert fingerprint(python, TOUCHED) == before
    assert shadow.read_text() == "print('mine')\n"
    assert not os.path.exists(str(shadow) + ".shadowing-keras")
    assert pending_transactions() == []
    cached = python_of(envs.venv("apply-small", SMALL_STEPS))
    assert fingerprint(cached, TOUCHED)[1] == {
        p.replace(str(small_env), str(envs.venv("apply-small", SMALL_STEPS))): h
        for p, h in before[1].items()}


@pytest.mark.slow
def test_steps_that_succeed_change_the_environment_and_commit(small_env, monkeypatch):
    python = python_of(small_env)
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)
    seen = []
    outcome = engine.apply_plan(
        make_plan(python, install(python, "numpy==2.1.3"), uninstall(python, "six")),
        verify=lambda py: (True, "fine"),
        progress=lambda event, i, total, step, detail: seen.append((event, i, total)),
    )
    assert outcome.status == "applied", outcome.message
    versions, _ = fingerprint(python, TOUCHED)
    assert versions["numpy"] == "2.1.3"
    assert "six" not in versions
    assert seen == [("start", 0, 2), ("done", 0, 2), ("start", 1, 2), ("done", 1, 2)]
    assert pending_transactions() == []


@pytest.mark.slow
def test_failed_verify_rolls_back(small_env, monkeypatch):
    python = python_of(small_env)
    before = fingerprint(python, TOUCHED)
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)
    outcome = engine.apply_plan(make_plan(python, install(python, "numpy==2.1.3")),
                                verify=lambda py: (False, "import numpy failed"))
    assert outcome.status == "rolled-back"
    assert outcome.verify_passed is False
    assert fingerprint(python, TOUCHED) == before


def test_declined_destructive_steps_are_not_run(tmp_path):
    shadow = tmp_path / "keras.py"
    shadow.write_text("x = 1\n")
    plan = make_plan(None, PlannedStep(StepKind.RENAME, "rename", path=str(shadow),
                                       dest=str(shadow) + ".bak", destructive=True))
    outcome = engine.apply_plan(plan, confirm=lambda step: False)
    assert outcome.status == "nothing-to-do"
    assert outcome.declined == [1]
    assert shadow.exists()


def test_externally_managed_interpreter_is_refused(tmp_path, monkeypatch):
    from keras_doctor.apply.environment import Target

    fake = Target(python="/usr/bin/python3", prefix="/usr", site_dirs=[],
                  externally_managed="/usr/lib/python3.11/EXTERNALLY-MANAGED")
    monkeypatch.setattr(engine, "read_target", lambda python: fake)
    plan = make_plan("/usr/bin/python3", PlannedStep(StepKind.INSTALL, "install", argv=["true"],
                                                      names=["six"]))
    outcome = engine.apply_plan(plan)
    assert outcome.status == "refused"
    assert outcome.message == ("/usr/bin/python3 is externally managed "
                               "(/usr/lib/python3.11/EXTERNALLY-MANAGED); the doctor does not "
                               "change it in place: use --new-venv PATH")
    assert not store.transactions_dir().exists()


@pytest.mark.slow
def test_a_real_tensorflow_plan_failing_at_its_last_step_restores_both_builds(
        tmp_path, monkeypatch):
    import time

    from keras_doctor.checks.registry import run_checks
    from keras_doctor.facts.collect import collect_python
    from keras_doctor.plan.build import build_plan

    cached = envs.venv("fix-tf-and-tf-cpu", [["tensorflow==2.21.0"]],
                       hollow_over=["tensorflow-cpu==2.21.0"])
    python = python_of(envs.copy_tree(cached, tmp_path / "env"))
    facts = collect_python(python)
    plan = build_plan(facts, run_checks(facts))
    assert [s.kind for s in plan.steps] == [StepKind.UNINSTALL, StepKind.INSTALL]
    touched = plan.touched_names
    before = fingerprint(python, touched)
    plan.steps.append(install(python, "six==0.0.404"))  # the installer fails after real changes
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)

    started = time.perf_counter()
    outcome = engine.apply_plan(plan)
    elapsed = time.perf_counter() - started

    assert outcome.status == "rolled-back", outcome.message
    assert outcome.failed_step == 3
    assert fingerprint(python, touched) == before
    print(f"\nsnapshot + 2 steps + rollback of {len(before[1])} files: {elapsed:.1f} s")


@pytest.mark.slow
def test_an_environment_with_its_own_pip_is_changed_and_restored_with_pip(tmp_path):
    from keras_doctor.plan.installers import install_argv as argv_for

    cached = envs.venv("apply-small-pip", SMALL_STEPS, seed=True)
    python = python_of(envs.copy_tree(cached, tmp_path / "env"))
    before = fingerprint(python, TOUCHED)
    plan = make_plan(
        python,
        PlannedStep(StepKind.INSTALL, "six", argv=argv_for("pip", python, ["six==1.17.0"], None),
                    names=["six"], pins=["six==1.17.0"]),
        PlannedStep(StepKind.INSTALL, "bad", argv=argv_for("pip", python, ["six==0.0.404"], None),
                    names=["six"]),
    )
    assert plan.steps[0].argv[:3] == [python, "-m", "pip"]

    outcome = engine.apply_plan(plan)

    assert outcome.status == "rolled-back" and outcome.failed_step == 2, outcome.message
    assert fingerprint(python, TOUCHED) == before


def test_a_real_externally_managed_interpreter_is_never_changed_in_place():
    import glob

    from keras_doctor.apply.environment import read_target

    managed = [p for p in sorted(glob.glob("/usr/bin/python3.*")) if not p.endswith("-config")
               and read_target(p).externally_managed]
    if not managed:
        pytest.skip("no externally managed (PEP 668) interpreter on this machine")
    plan = make_plan(managed[0], PlannedStep(StepKind.INSTALL, "install six",
                                             argv=["/bin/false"], names=["six"]))
    outcome = engine.apply_plan(plan)
    assert outcome.status == "refused" and "externally managed" in outcome.message
    assert not store.transactions_dir().exists()
