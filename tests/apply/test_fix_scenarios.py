"""Break real environments the way users do, then `fix --apply --yes` must repair them.

For each scenario: `check` finds the cause, the fix applies as planned, `verify` is green, the
environment holds exactly the versions the plan named, and a second `check` no longer finds it.
"""

from __future__ import annotations

import json

import envs
import pytest
from apply_helpers import python_of

from keras_doctor.checks.registry import run_checks
from keras_doctor.cli import main
from keras_doctor.facts.collect import collect_python
from keras_doctor.verify import run_verify

TF215 = ["tensorflow-cpu==2.15.1"]
TF221 = ["tensorflow==2.21.0"]


def broken_env(tmp_path, name, steps):
    return python_of(envs.copy_tree(envs.venv(name, steps), tmp_path / "env"))


def causes(python):
    return {f.cause for f in run_checks(collect_python(python)).findings}


def installed(python):
    return {d.canonical_name: d.version for d in collect_python(python).distributions}


def fix(python, capsys, *extra):
    capsys.readouterr()
    code = main(["fix", "--python", python, "--apply", "--yes", "--json", *extra])
    result = json.loads(capsys.readouterr().out)
    return code, result["plan"], result["outcome"]


def assert_holds_the_plan(python, plan):
    now = installed(python)
    for step in plan["steps"]:
        if step["kind"] == "uninstall":
            for name in step["names"]:
                if not any(name in s["names"] for s in plan["steps"] if s["kind"] == "install"):
                    assert name not in now, f"{name} should have been uninstalled"
        for pin in step["pins"]:
            name, version = pin.split("==")
            assert now.get(name) == version, f"{name}: {now.get(name)} instead of {version}"


@pytest.mark.slow
@pytest.mark.parametrize("name, steps, cause, wanted", [
    ("fix-numpy2-tf215", [TF215, ["--no-deps", "numpy==2.1.3"]], "numpy-abi-mismatch",
     ("numpy", "1.")),
    ("fix-keras3-tf215", [TF215, ["--no-deps", "keras==3.5.0"]], "keras-tf-version-skew",
     ("keras", "2.15.")),
    ("fix-protobuf-tf215", [TF215, ["--no-deps", "protobuf==3.19.6"]], "protobuf-mismatch",
     ("protobuf", "4.")),
])
def test_a_forced_version_is_put_back_in_range(tmp_path, capsys, name, steps, cause, wanted):
    python = broken_env(tmp_path, name, steps)
    assert cause in causes(python)

    code, plan, outcome = fix(python, capsys)

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0 and outcome["verify_passed"] is True
    assert cause in plan["resolves"]
    assert_holds_the_plan(python, plan)
    assert installed(python)[wanted[0]].startswith(wanted[1])
    assert cause not in causes(python)


@pytest.mark.slow
def test_tensorflow_and_tensorflow_cpu_together_leave_exactly_one(tmp_path, capsys):
    python = python_of(envs.copy_tree(envs.venv("fix-tf-and-tf-cpu", [TF221],
                                                hollow_over=["tensorflow-cpu==2.21.0"]),
                                      tmp_path / "env"))
    assert "tf-distributions-overlap" in causes(python)

    code, plan, outcome = fix(python, capsys)

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0
    assert_holds_the_plan(python, plan)
    now = installed(python)
    assert [n for n in ("tensorflow", "tensorflow-cpu") if n in now] == ["tensorflow"]
    assert "tf-distributions-overlap" not in causes(python)


@pytest.mark.slow
def test_missing_keras_backend_gets_advice_that_works(tmp_path, capsys, monkeypatch):
    python = broken_env(tmp_path, "fix-healthy-tf221", [TF221])
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert "keras-backend-unavailable" in causes(python)

    code, plan, outcome = fix(python, capsys)

    (advice,) = [s for s in plan["steps"] if s["kind"] == "set-env"]
    assert advice["shell_line"] == "export KERAS_BACKEND=tensorflow"
    assert outcome["status"] == "nothing-to-do"  # advice is shown, never written for the user
    assert code == 0
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")  # what the user does with the advice
    assert "keras-backend-unavailable" not in causes(python)
    report = run_verify(python, models=())
    assert not [f for f in report.findings if f.severity.value == "error"], report.findings


@pytest.mark.slow
def test_shadowing_keras_py_is_renamed_with_consent(tmp_path, capsys, monkeypatch):
    python = broken_env(tmp_path, "fix-healthy-tf221", [TF221])
    work = tmp_path / "project"
    work.mkdir()
    (work / "keras.py").write_text("print('my first model')\n")
    monkeypatch.chdir(work)
    assert "shadowed-module" in causes(python)

    code, plan, outcome = fix(python, capsys)

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0
    assert [(s["kind"], s["resolves"]) for s in plan["steps"]] == [
        ("rename", ["shadowed-module"])]
    assert not (work / "keras.py").exists()
    assert (work / "keras.py.shadowing-keras").read_text() == "print('my first model')\n"
    assert "shadowed-module" not in causes(python)


@pytest.mark.slow
def test_nothing_changes_without_consent_and_without_a_terminal(tmp_path, capsys, monkeypatch):
    python = broken_env(tmp_path, "fix-healthy-tf221", [TF221])
    work = tmp_path / "project"
    work.mkdir()
    (work / "keras.py").write_text("x = 1\n")
    monkeypatch.chdir(work)
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115
    code = main(["fix", "--python", python, "--apply"])
    assert code == 2
    assert (work / "keras.py").exists()


@pytest.mark.slow
def test_truncated_weights_file_is_removed(tmp_path, capsys, monkeypatch):
    python = broken_env(tmp_path, "fix-healthy-tf221", [TF221])
    models = tmp_path / "home" / ".keras" / "models"
    models.mkdir(parents=True)
    weights = models / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"
    weights.write_bytes(b"\x89HDF")  # a download cut off after four bytes
    monkeypatch.setenv("KERAS_HOME", str(models.parent))
    assert "weights-cache-corrupt" in causes(python)

    code, plan, outcome = fix(python, capsys)

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0
    assert [(s["kind"], s["path"]) for s in plan["steps"]] == [("delete-file", str(weights))]
    assert not weights.exists()
    assert "weights-cache-corrupt" not in causes(python)


@pytest.mark.slow
def test_new_venv_builds_a_verified_environment_and_leaves_the_current_one_alone(
        tmp_path, capsys):
    from apply_helpers import fingerprint

    python = broken_env(tmp_path, "fix-numpy2-tf215", [TF215, ["--no-deps", "numpy==2.1.3"]])
    before = fingerprint(python, ["numpy", "tensorflow-cpu"])
    fresh = tmp_path / "fresh"

    code, plan, outcome = fix(python, capsys, "--new-venv", str(fresh))

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0 and outcome["verify_passed"] is True
    assert [s["kind"] for s in plan["steps"]] == ["new-venv", "install"]
    new_python = python_of(fresh)
    assert_holds_the_plan(new_python, plan)
    assert installed(new_python)["tensorflow-cpu"] == "2.15.1"  # the user's TensorFlow, kept
    assert "numpy-abi-mismatch" not in causes(new_python)
    assert fingerprint(python, ["numpy", "tensorflow-cpu"]) == before


@pytest.mark.slow
def test_a_fix_for_tensorflow_does_not_break_another_package_that_needs_the_old_version(
        tmp_path, capsys):
    # opencv 4.12 needs numpy>=2, TensorFlow 2.15 needs numpy<2: both must end up satisfied.
    python = broken_env(tmp_path, "fix-numpy2-opencv",
                        [TF215, ["--no-deps", "numpy==2.1.3", "opencv-python-headless==4.12.0.88"]])
    assert "numpy-abi-mismatch" in causes(python)

    code, plan, outcome = fix(python, capsys)

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0
    assert "opencv-python-headless" in plan["requirements"]
    assert_holds_the_plan(python, plan)
    after = causes(python)
    assert "numpy-abi-mismatch" not in after and "requirement-conflict" not in after


@pytest.mark.slow
def test_a_package_that_needs_numpy_2_next_to_tf_215_moves_to_a_release_that_fits(
        tmp_path, capsys):
    python = broken_env(tmp_path, "fix-opencv-needs-numpy2",
                        [TF215, ["--no-deps", "opencv-python-headless==4.12.0.88"]])
    assert "requirement-conflict" in causes(python)

    code, plan, outcome = fix(python, capsys)

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0
    assert_holds_the_plan(python, plan)
    now = installed(python)
    assert now["numpy"].startswith("1.") and now["tensorflow-cpu"] == "2.15.1"
    assert now["opencv-python-headless"] != "4.12.0.88"
    assert "requirement-conflict" not in causes(python)


@pytest.mark.slow
def test_numpy_outside_contourpys_range_moves_alone_without_tensorflow(tmp_path, capsys):
    """No TensorFlow, no Keras: contourpy 1.2.0 with numpy 2.1.3 forced past its `numpy<2.0`.
    The repair is numpy alone, into contourpy's range; no TensorFlow is resolved or installed."""
    python = broken_env(tmp_path, "fix-numpy2-under-contourpy",
                        [["contourpy==1.2.0"], ["--no-deps", "numpy==2.1.3"]])
    before = installed(python)
    assert causes(python) == {"requirement-conflict"}

    code, plan, outcome = fix(python, capsys)

    assert outcome["status"] == "applied", outcome["message"]
    assert code == 0
    assert "tensorflow" not in " ".join(plan["requirements"] + list(plan["resolved"]))
    (step,) = plan["steps"]
    assert step["names"] == ["numpy"] and step["pins"][0].startswith("numpy==1.26.")
    assert_holds_the_plan(python, plan)
    now = installed(python)
    assert {n: v for n, v in now.items() if before.get(n) != v} == {"numpy": now["numpy"]}
    assert set(now) == set(before)
    assert "requirement-conflict" not in causes(python)
