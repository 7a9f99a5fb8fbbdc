"""The steps a plan makes of findings that are not about packages, and how a plan is shown.

A step the engine runs on the user's files must be marked destructive (so `fix` asks first), name
the cause it resolves (so the report can say what was fixed) and carry the exact path; a finding
only a person can fix must keep the check's own advice.
"""

from __future__ import annotations

import os
import subprocess
import sys

import envs

from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.plan.files import file_steps, set_env
from keras_doctor.plan.model import (
    Plan,
    PlannedStep,
    PlanStatus,
    PlanTarget,
    SkippedStep,
)
from keras_doctor.plan.model import StepKind as PlanKind
from keras_doctor.plan.show import plan_lines


def finding(cause, title="t", fix=(), **evidence):
    return Finding(cause=cause, severity=Severity.ERROR, title=title, explanation="",
                   evidence=evidence, fix=tuple(fix))


def steps_for(f, installed=frozenset()):
    return file_steps(f, installed=set(installed), installer="pip", has_pip=True,
                      python="/env/bin/python", uv=None)


def test_a_corrupt_weights_file_is_moved_aside_after_asking():
    (step,), skipped = steps_for(finding("weights-cache-corrupt",
                                         path="/home/ada/.keras/models/vgg16.h5"))
    assert skipped == []
    assert step.kind is PlanKind.DELETE_FILE and step.destructive
    assert step.path == "/home/ada/.keras/models/vgg16.h5"
    assert step.resolves == ["weights-cache-corrupt"]
    assert step.summary == ("Remove the corrupt weights file /home/ada/.keras/models/vgg16.h5 "
                            "(Keras downloads it again on next use)")


def test_a_shadowing_file_is_renamed_after_asking_and_never_overwritten_in_place():
    (step,), _ = steps_for(finding("shadowed-module", path="/home/ada/project/keras.py",
                                   name="keras"))
    assert step.kind is PlanKind.RENAME and step.destructive
    assert (step.path, step.dest) == ("/home/ada/project/keras.py",
                                      "/home/ada/project/keras.py.shadowing-keras")
    assert step.resolves == ["shadowed-module"]


def test_a_compiled_module_that_shadows_is_named_by_its_module_not_its_file():
    (step,), _ = steps_for(finding("shadowed-module", name="numpy",
                                   path="/home/ada/project/numpy.cpython-311-darwin.so"))
    assert step.dest == "/home/ada/project/numpy.cpython-311-darwin.so.shadowing-numpy"
    assert step.summary == ("Rename /home/ada/project/numpy.cpython-311-darwin.so, which hides "
                            "the real `numpy`, to numpy.cpython-311-darwin.so.shadowing-numpy")
    (unnamed,), _ = steps_for(finding("shadowed-module", path="/home/ada/project/keras.py"))
    assert unnamed.dest == "/home/ada/project/keras.py.shadowing-keras"


def test_a_leftover_of_an_interrupted_install_is_moved_aside():
    (step,), _ = steps_for(finding("duplicate-install", path="/env/site-packages/~umpy"))
    assert step.kind is PlanKind.DELETE_FILE and step.destructive
    assert step.resolves == ["duplicate-install"]
    assert step.path == os.path.abspath("/env/site-packages/~umpy")


def test_a_stale_cached_wheel_is_purged_with_the_installer_that_cached_it():
    (step,), _ = steps_for(finding("stale-wheel-cache", name="h5py", tool="pip"))
    assert step.kind is PlanKind.PURGE_CACHE and step.destructive
    assert step.names == ["h5py"] and step.resolves == ["stale-wheel-cache"]
    assert step.argv[-1] == "h5py" and "cache" in step.argv
    assert step.summary == "Remove h5py from the pip cache"


def test_a_wheel_cached_by_uv_is_purged_by_uv_and_without_uv_left_to_the_user():
    stale = finding("stale-wheel-cache", name="h5py", tool="uv")
    (step,), _ = file_steps(stale, installed=set(), installer="uv", has_pip=True,
                            python="/env/bin/python", uv="/bin/uv")
    assert step.argv == ["/bin/uv", "cache", "clean", "h5py"]
    assert step.summary == "Remove h5py from the uv cache"
    # pip's cache command never touches uv's cache: no step that would claim a fix it cannot make.
    steps, (skip,) = steps_for(stale)
    assert steps == [] and skip.cause == "stale-wheel-cache"
    assert skip.reason.endswith("uv is not at hand to clean its cache (uv cache clean h5py)")


def test_a_wheel_of_unnamed_origin_is_looked_for_in_the_installers_cache():
    stale = finding("stale-wheel-cache", name="h5py")
    (by_uv,), _ = file_steps(stale, installed=set(), installer="uv", has_pip=True,
                             python="/env/bin/python", uv="/bin/uv")
    assert by_uv.argv == ["/bin/uv", "cache", "clean", "h5py"]
    (by_pip,), _ = steps_for(stale)
    assert by_pip.argv == ["/env/bin/python", "-m", "pip", "cache", "remove", "h5py"]
    assert by_pip.summary == "Remove h5py from the pip cache"


def test_pips_cache_is_cleaned_by_the_targets_pip_else_by_this_pip_acting_for_the_target(
        tmp_path):
    stale = finding("stale-wheel-cache", name="h5py", tool="pip")
    (own,), _ = file_steps(stale, installed=set(), installer="uv", has_pip=True,
                           python="/env/bin/python", uv="/bin/uv")
    assert own.argv == ["/env/bin/python", "-m", "pip", "cache", "remove", "h5py"]
    python, _ = envs.bare_venv(tmp_path / "env")  # made without pip, as uv makes environments
    (step,), _ = file_steps(stale, installed=set(), installer="uv", has_pip=False,
                            python=str(python), uv="/bin/uv")
    assert step.argv == [sys.executable, "-m", "pip", "--python", str(python), "cache", "remove",
                         "h5py"]
    wheels = tmp_path / "pip-cache" / "wheels" / "3f" / "a2"
    wheels.mkdir(parents=True)
    for wheel in ("h5py-3.10.0-cp311-cp311-macosx_11_0_arm64.whl",
                  "numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl"):
        (wheels / wheel).write_bytes(b"")
    proc = subprocess.run(step.argv, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PIP_CACHE_DIR": str(tmp_path / "pip-cache")})
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in wheels.iterdir()] == ["numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl"]


def test_a_cached_wheel_name_that_could_be_an_option_is_refused():
    steps, (skip,) = steps_for(finding("stale-wheel-cache", name="--index-url=http://evil"))
    assert steps == [] and "not a valid name" in skip.reason


def test_a_missing_backend_points_keras_at_an_installed_one():
    (step,), _ = steps_for(finding("keras-backend-unavailable", backend="tensorflow",
                                   installed_backends=["torch"]), installed={"jax"})
    assert step.kind is PlanKind.SET_ENV
    assert step.shell_line == "export KERAS_BACKEND=torch"  # what the check saw wins
    assert step.summary.startswith("Point Keras at an installed backend (torch) instead of "
                                   "'tensorflow'")
    assert step.resolves == ["keras-backend-unavailable"]
    (from_tf,), _ = steps_for(finding("keras-backend-unavailable", backend="jax"),
                              installed={"tensorflow-cpu"})
    assert from_tf.shell_line == "export KERAS_BACKEND=tensorflow"
    none, (skip,) = steps_for(finding("keras-backend-unavailable", backend="jax",
                                      installed_backends=[]))
    assert none == [] and skip.reason.endswith("no Keras backend is installed")


def test_legacy_keras_code_gets_the_switch_with_tensorflows_exact_value():
    (step,), _ = steps_for(finding("keras3-legacy-code"))
    assert step.shell_line == "export TF_USE_LEGACY_KERAS=1"
    assert step.resolves == ["keras3-legacy-code"]
    assert step.summary == ("Route tf.keras to tf-keras (Keras 2) before TensorFlow is imported: "
                            "add this line to your shell profile yourself")


def test_what_only_a_person_can_do_keeps_the_checks_advice():
    advice = FixStep("Install a native arm64 Python", StepKind.MANUAL)
    run = FixStep("Reinstall", StepKind.RUN, ("uv", "pip", "install", "a b"))
    colon = FixStep("Then check it runs natively:", StepKind.RUN, ("python3", "-c", "1"))
    steps, (skip,) = steps_for(finding("rosetta-python", title="Intel Python under Rosetta",
                                       fix=[advice, run, colon]))
    assert steps == []
    assert skip.cause == "rosetta-python"
    assert skip.reason == "Intel Python under Rosetta: only a person can do this"
    assert skip.advice == ["Install a native arm64 Python", "Reinstall: uv pip install 'a b'",
                           "Then check it runs natively: python3 -c 1"]


def test_an_environment_variable_is_shown_quoted_and_never_written():
    step = set_env("KERAS_BACKEND", "my backend", ["keras-backend-unavailable"], "why")
    assert step.kind is PlanKind.SET_ENV and not step.runnable
    assert step.shell_line == "export KERAS_BACKEND='my backend'"
    assert step.resolves == ["keras-backend-unavailable"]


def test_a_plan_is_shown_with_its_resolution_steps_and_what_it_leaves_undone():
    plan = Plan(
        PlanTarget(python="/env/bin/python", platform="linux-x86_64", python_version="3.11"),
        steps=[PlannedStep(PlanKind.INSTALL, "Install numpy<2", argv=["uv", "pip", "install",
                                                                       "numpy<2"],
                           resolves=["numpy-abi-mismatch"]),
               PlannedStep(PlanKind.RENAME, "Rename keras.py", destructive=True,
                           path="/p/keras.py", dest="/p/keras.py.shadowing-keras")],
        skipped=[SkippedStep("rosetta-python", "Intel Python: only a person can do this",
                             ["Install a native arm64 Python"])],
        requirements=["tensorflow==2.15.1", "numpy<2"], resolver="uv",
        resolved={"tensorflow": "2.15.1", "numpy": "1.26.4", "six": "1.16.0"})
    lines = plan_lines(plan)
    assert lines[0] == "Fix plan for /env/bin/python (linux-x86_64, Python 3.11)"
    assert ("  Resolved with uv for linux-x86_64: tensorflow==2.15.1, numpy<2 -> 3 "
            "distributions") in lines
    assert "  1. Install numpy<2" in lines and "       $ uv pip install 'numpy<2'" in lines
    assert "       resolves: numpy-abi-mismatch" in lines
    assert "  2. Rename keras.py [asks first]" in lines
    assert "       /p/keras.py -> /p/keras.py.shadowing-keras" in lines
    assert "  - not done (rosetta-python): Intel Python: only a person can do this" in lines
    assert "      Install a native arm64 Python" in lines


def test_a_plan_resolved_by_pip_states_what_pip_cannot_know():
    plan = Plan(PlanTarget(python="/env/bin/python", platform="macos-arm64", python_version="3.11"),
                requirements=["numpy<2"], resolver="pip", resolved={"numpy": "1.26.4"},
                resolver_limitation="markers are evaluated for this machine")
    lines = plan_lines(plan)
    assert lines[1:3] == ["  Resolved with pip for macos-arm64: numpy<2 -> 1 distributions",
                          "  Note: markers are evaluated for this machine"]


def test_a_plan_that_cannot_be_resolved_says_nothing_will_change():
    plan = Plan(PlanTarget(python="/env/bin/python", platform="linux-x86_64",
                           python_version="3.11"),
                status=PlanStatus.UNRESOLVABLE, reason="no numpy fits\nbecause of X")
    lines = plan_lines(plan)
    assert "  Plan unresolvable: nothing will be changed." in lines
    assert lines[-2:] == ["    no numpy fits", "    because of X"]
    empty = plan_lines(Plan(PlanTarget(python="/env/bin/python", platform="linux-x86_64",
                                       python_version="3.11")))
    assert empty[-1] == "  Nothing to fix automatically."
