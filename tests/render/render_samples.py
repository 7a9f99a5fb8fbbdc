"""Reports shaped like real ones: catalogued causes, evidence as the checks record it, real argv.

Built through `checks.registry.finding`, so an explanation defaults from the catalog exactly as in a
real run and a cause ID that left the catalog fails here first.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Dict, Optional

from keras_doctor.checks.registry import finding
from keras_doctor.findings import FixStep, Passed, Report, Severity, Skipped, StepKind

SNAPSHOTS = Path(__file__).parent / "snapshots"


def assert_snapshot(name: str, text: str) -> None:
    """Compare with the reviewed output in snapshots/; KERAS_DOCTOR_UPDATE_SNAPSHOTS=1 rewrites it
    (then read the diff before committing: a snapshot is only as good as its review)."""
    path = SNAPSHOTS / name
    if os.environ.get("KERAS_DOCTOR_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}: run with KERAS_DOCTOR_UPDATE_SNAPSHOTS=1 and review"
    assert text == path.read_text(encoding="utf-8")


VENV = "/Users/ana/ml/.venv"
PYTHON = f"{VENV}/bin/python"
SITE = f"{VENV}/lib/python3.11/site-packages"

TARGET = {"mode": "python", "platform": "macos-arm64", "python_version": "3.11.7", "path": PYTHON}


def mixed_arch():
    return finding(
        "mixed-arch-binary",
        "numpy 1.26.4 has an x86_64 extension; this Python is arm64",
        evidence={
            "path": f"{SITE}/numpy/core/_multiarray_umath.cpython-311-darwin.so",
            "archs": ["x86_64"],
            "owner": "numpy",
            "interpreter_arch": "arm64",
        },
        fix=[
            FixStep(
                "Reinstall numpy from an arm64 wheel, bypassing the cache",
                StepKind.RUN,
                (PYTHON, "-m", "pip", "install", "--force-reinstall", "--no-cache-dir",
                 "numpy==1.26.4"),
            )
        ],
    )


def overlap():
    return finding(
        "tf-distributions-overlap",
        "tensorflow and tensorflow-macos both installed files into tensorflow/",
        evidence={
            "folder": f"{SITE}/tensorflow",
            "owners": ["tensorflow 2.16.2", "tensorflow-macos 2.15.0"],
            "shared_files": 1423,
        },
        fix=[
            FixStep(
                "Uninstall both TensorFlow distributions",
                StepKind.RUN,
                (PYTHON, "-m", "pip", "uninstall", "-y", "tensorflow", "tensorflow-macos"),
                destructive=True,
            ),
            FixStep(
                "Install tensorflow alone (it ships the arm64 build since 2.15.1)",
                StepKind.RUN,
                (PYTHON, "-m", "pip", "install", "tensorflow==2.16.2"),
            ),
        ],
    )


def backend():
    return finding(
        "keras-backend-unavailable",
        'KERAS_BACKEND is "jax", but jax is not installed',
        evidence={"KERAS_BACKEND": "jax", "keras_json": "/Users/ana/.keras/keras.json"},
        severity=Severity.WARNING,
        fix=[
            FixStep("Use the TensorFlow backend in this shell", StepKind.ENV,
                    ("export KERAS_BACKEND=tensorflow",)),
            FixStep("Or set \"backend\": \"tensorflow\" in keras.json", StepKind.EDIT,
                    target="/Users/ana/.keras/keras.json"),
        ],
    )


def leftovers():
    return finding(
        "duplicate-install",
        "An interrupted pip run left 2 folders behind",
        evidence={"leftovers": [f"{SITE}/~umpy", f"{SITE}/~umpy-1.26.4.dist-info"]},
        fix=[FixStep("Delete the leftover folder", StepKind.EDIT, target=f"{SITE}/~umpy",
                     destructive=True)],
    )


# Explanations pinned for snapshots (a real run takes them from the catalog, whose wording changes).
FIXED_EXPLANATIONS = {
    "mixed-arch-binary": "a native extension or library was built for another CPU architecture "
    "than the interpreter",
    "tf-distributions-overlap": "two TensorFlow distributions share one tensorflow/ folder",
    "duplicate-install": "the same package installed twice, or leftovers of an interrupted "
    "uninstall",
    "keras-backend-unavailable": "a Keras backend is named that is not installed",
}


def check_report(explanations: Optional[Dict[str, str]] = None) -> Report:
    report = Report(
        command="check",
        findings=[mixed_arch(), overlap(), backend(), leftovers()],
        passed=[
            Passed("interpreter-arch", "platform", "the interpreter is native arm64"),
            Passed("shadowed-modules", "environment", "no local module hides keras or tensorflow"),
            Passed("keras-json", "keras", "~/.keras/keras.json is valid"),
        ],
        skipped=[Skipped("cpu-avx", "platform", "the CPU flags are not known for this target")],
        target=dict(TARGET),
    )
    report.findings = [replace(f, check=CHECK_NAMES[f.cause]) for f in report.findings]
    if explanations:
        report.findings = [
            replace(f, explanation=explanations.get(f.cause, f.explanation))
            for f in report.findings
        ]
    return report


CHECK_NAMES = {
    "mixed-arch-binary": "binary-archs",
    "tf-distributions-overlap": "tf-overlap",
    "keras-backend-unavailable": "keras-backend",
    "duplicate-install": "leftovers",
}


def explain_report() -> Report:
    """Two candidate causes for one error text, given least likely first to test the ranking."""
    numpy_abi = finding(
        "numpy-abi-mismatch",
        "numpy 2.1.3 is installed, but TensorFlow 2.15.1 was built against numpy 1.x",
        evidence={"matched": "A module that was compiled using NumPy 1.x cannot be run in NumPy 2"},
        fix=[FixStep("Install a numpy 1.x", StepKind.RUN,
                     (PYTHON, "-m", "pip", "install", "numpy<2"))],
    )
    return Report(
        command="explain",
        findings=[replace(mixed_arch(), confidence=0.15), replace(numpy_abi, confidence=0.82)],
    )


def verify_report() -> Report:
    return Report(
        command="verify",
        findings=[
            replace(
                finding(
                    "weights-download-ssl",
                    "Downloading VGG16 weights failed: CERTIFICATE_VERIFY_FAILED",
                    evidence={"model": "VGG16", "error": "ssl.SSLCertVerificationError"},
                    fix=[FixStep("Run \"Install Certificates.command\" from the python.org folder",
                                 StepKind.MANUAL)],
                ),
                check="verify",
            )
        ],
        target=dict(TARGET),
        extra={
            "steps": [
                {"name": "import tensorflow", "status": "passed", "seconds": 2.43,
                 "data": {"tensorflow": "2.16.2", "devices": ["CPU:0", "GPU:0"]}, "reason": None},
                {"name": "VGG16", "status": "failed", "seconds": 0.81, "data": {},
                 "reason": "ssl.SSLCertVerificationError: certificate verify failed"},
                {"name": "ResNet50", "status": "skipped", "seconds": None, "data": {},
                 "reason": "weights not requested"},
            ]
        },
    )
