"""keras-doctor verify: prove that an environment works by using it, in a process of its own.

Static checks say what should work; verify shows what does. The target interpreter runs a small
stdlib-only driver (`driver.py`) that imports numpy, TensorFlow and Keras, lists the devices and
runs an op on each, then builds a few `keras.applications` and runs them; the doctor follows its
steps, cuts it at the timeout, and turns whatever went wrong into findings. The doctor itself never
imports the framework. `fix` calls `run_verify` after it has applied a plan.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Optional, Sequence

from keras_doctor.facts.model import PLATFORMS
from keras_doctor.findings import Finding, Passed, Report, Skipped
from keras_doctor.verify.findings import step_findings
from keras_doctor.verify.home_guard import keras_home_preserved
from keras_doctor.verify.runner import DriverNotStarted, DriverRun, Progress, run_driver

DEFAULT_MODELS = ("VGG16", "ResNet50", "MobileNetV2")
AREA = "verify"

__all__ = ["DEFAULT_MODELS", "DriverNotStarted", "run_verify"]


def run_verify(
    python: Optional[str] = None,
    models: Sequence[str] = DEFAULT_MODELS,
    timeout: float = 300.0,
    weights: bool = False,
    download: bool = False,
    progress: Optional[Progress] = None,
    facts: Any = None,
) -> Report:
    """Verify the environment of `python` (default: the running interpreter) and report on it.

    `progress(kind, step)` is called with "start" and "end" for each step as it happens. `facts`
    (the target's `Facts`) is read only if a step goes wrong, and collected then if not given.
    Raises `DriverNotStarted` when `python` cannot be run at all.
    """
    python = python or sys.executable
    config = {"models": list(models), "weights": weights, "download": download}
    with keras_home_preserved():
        run = run_driver(python, config, timeout, progress)
    return build_report(python, run, timeout, _FactsOnDemand(python, facts))


def build_report(python: str, run: DriverRun, timeout: float, facts: Any) -> Report:
    report = Report(command="verify", target=_target(python, run.hello))
    found: Dict[tuple, Finding] = {}
    for step in run.steps:
        check = f"verify:{step.name}"
        if step.status == "ok":
            report.passed.append(Passed(check, AREA, f"{step.title} ({step.seconds:.2f} s)"))
        elif step.status == "skipped":
            report.skipped.append(Skipped(check, AREA, step.reason or "skipped"))
        for finding in step_findings(step, facts, timeout, python):
            found.setdefault((finding.cause, finding.title), finding)
    report.findings = sorted(found.values(), key=lambda f: -f.severity.rank)
    report.extra["steps"] = [step.to_dict() for step in run.steps]
    report.extra["seconds"] = round(run.seconds, 3)
    report.extra["returncode"] = run.returncode
    if run.timed_out:
        report.extra["timed_out_after"] = timeout
    return report


def _target(python: str, hello: Dict[str, Any]) -> Dict[str, Any]:
    target: Dict[str, Any] = {"mode": "python", "path": python}
    if hello:
        target["python_version"] = hello.get("python")
        system = {"darwin": "Darwin", "linux": "Linux", "win32": "Windows"}.get(
            str(hello.get("platform")), str(hello.get("platform")))
        machine = {"aarch64": "arm64", "amd64": "x86_64", "AMD64": "x86_64"}.get(
            str(hello.get("machine")), str(hello.get("machine")))
        target["platform"] = next(
            (name for name, pair in PLATFORMS.items() if pair == (system, machine)),
            f"{system.lower()}-{machine}")
    return target


class _FactsOnDemand:
    """The target's facts, collected on the first call (only a failed step ever makes one)."""

    def __init__(self, python: str, facts: Any):
        self._python, self._facts, self._tried = python, facts, facts is not None

    def __call__(self) -> Any:
        if not self._tried:
            self._tried = True
            try:
                from keras_doctor.facts.collect import collect_python

                self._facts = collect_python(self._python)
            except Exception:  # facts only sharpen a diagnosis; verify stands without them
                self._facts = None
        return self._facts
