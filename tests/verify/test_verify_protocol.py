"""The driver protocol on real interpreters without any framework: oldest Python, unusable ones."""

from __future__ import annotations

import sys

import envs
import pytest
from verify_envs import steps_by_name

from keras_doctor.verify import DriverNotStarted, run_verify


def test_driver_runs_on_python37_and_stops_at_a_missing_numpy():
    report = run_verify(envs.require_python("3.7"), timeout=60)

    steps = steps_by_name(report)
    assert report.target["python_version"].startswith("3.7.")
    assert steps["python"]["status"] == "ok"
    assert steps["numpy"]["status"] == "failed"
    assert "No module named 'numpy'" in steps["numpy"]["reason"]
    for name in ("tensorflow", "keras", "applications", "devices", "model:VGG16"):
        assert steps[name]["status"] == "skipped", name
        assert steps[name]["reason"]
    assert report.findings and all(f.evidence["step"] == "numpy" for f in report.findings)


def test_every_step_is_reported_in_order_with_progress_events():
    seen = []
    report = run_verify(sys.executable, models=["MobileNetV2"], timeout=60,
                        progress=lambda kind, step: seen.append((kind, step.name)))

    names = [step["name"] for step in report.extra["steps"]]
    assert names[:3] == ["python", "numpy", "tensorflow"]
    assert names[-1] == "model:MobileNetV2"
    assert seen[0] == ("start", "python")
    assert [name for kind, name in seen if kind == "end"] == names


def test_an_interpreter_that_does_not_exist_is_an_error_of_the_caller(tmp_path):
    with pytest.raises(DriverNotStarted):
        run_verify(str(tmp_path / "no-such-python"), timeout=10)


def test_an_interpreter_too_old_for_the_driver_fails_at_startup():
    report = run_verify(envs.require_python("2.7"), timeout=30)

    steps = steps_by_name(report)
    assert steps["python"]["status"] == "failed"
    assert report.fails(report.findings[0].severity)
    assert report.findings[0].evidence["step"] == "python"
