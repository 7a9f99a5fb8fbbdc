"""The plan survives JSON: what a dry run prints is exactly what a journal replays."""

from __future__ import annotations

import json

from keras_doctor.plan.model import (
    Plan,
    PlannedStep,
    PlanStatus,
    PlanTarget,
    SkippedStep,
    StepKind,
)


def sample_plan() -> Plan:
    return Plan(
        target=PlanTarget(python="/env/bin/python", platform="macos-arm64", python_version="3.11",
                          prefix="/env", installer="uv",
                          externally_managed="/env/lib/python3.11/EXTERNALLY-MANAGED"),
        steps=[
            PlannedStep(StepKind.UNINSTALL, "Uninstall tensorflow-macos", argv=["uv", "pip",
                        "uninstall", "tensorflow-macos"], destructive=True,
                        resolves=["deprecated-distribution"], names=["tensorflow-macos"]),
            PlannedStep(StepKind.INSTALL, "Install", argv=["uv", "pip", "install", "numpy==1.26.4"],
                        resolves=["numpy-abi-mismatch"], names=["numpy"], pins=["numpy==1.26.4"]),
            PlannedStep(StepKind.RENAME, "Rename keras.py", destructive=True, path="/w/keras.py",
                        dest="/w/keras.py.shadowing-keras", resolves=["shadowed-module"]),
            PlannedStep(StepKind.SET_ENV, "Set", shell_line="export KERAS_BACKEND=tensorflow"),
        ],
        skipped=[SkippedStep("cpu-lacks-avx", "only a person can do this", ["use another CPU"])],
        requirements=["tensorflow==2.15.1", "numpy<2"],
        resolved={"numpy": "1.26.4", "tensorflow": "2.15.1"},
        resolver="pip",
        resolver_limitation="markers are evaluated for this machine",
        resolves=["deprecated-distribution", "numpy-abi-mismatch", "shadowed-module"],
    )


def test_plan_round_trips_through_json():
    plan = sample_plan()
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan
    assert again.steps[0].kind is StepKind.UNINSTALL
    assert again.status is PlanStatus.OK


def test_touched_names_cover_package_steps_only():
    assert sample_plan().touched_names == ["tensorflow-macos", "numpy"]


def test_set_env_is_shown_not_run():
    plan = sample_plan()
    assert [s.runnable for s in plan.steps] == [True, True, True, False]


def test_a_plan_that_changes_nothing_says_why_after_a_round_trip():
    for status in (PlanStatus.UNRESOLVABLE, PlanStatus.REFUSED):
        plan = Plan(target=sample_plan().target, status=status, reason="no numpy fits")
        again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
        assert (again.status, again.reason, again.ok) == (status, "no numpy fits", False)


def test_a_step_recorded_with_only_its_kind_and_summary_reads_back_complete():
    step = PlannedStep.from_dict({"kind": "set-env", "summary": "Set KERAS_BACKEND"})
    assert (step.argv, step.resolves, step.names, step.pins) == (None, [], [], [])
    assert not step.destructive and step.summary == "Set KERAS_BACKEND"
