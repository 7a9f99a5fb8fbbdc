"""Two plans a person used to be left without a command for: an environment only a new one can
replace (its folder is chosen and named), and tensorflow-metal installed without TensorFlow (the
TensorFlow it loads with is installed)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from keras_doctor.knowledge.metal_pairs import metal_verdict, tensorflow_for_metal
from keras_doctor.plan.interpreters import Interpreter
from keras_doctor.plan.model import PlanStatus, StepKind
from keras_doctor.plan.new_env import suggested_destination

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
from compat_facts import KB
from test_eras import EchoResolver, checked, mac

from keras_doctor.plan.build import build_plan
from keras_doctor.plan.recommend import installed_versions


def with_interpreter(f, **changes):
    return dataclasses.replace(f, interpreter=dataclasses.replace(f.interpreter, **changes))


# -- where the new environment goes ------------------------------------------------------------

def test_a_broken_venv_gets_a_sibling_named_for_what_differs(tmp_path):
    venv = str(tmp_path / "tf")
    f = with_interpreter(mac(), kind="venv", prefix=venv, version="3.13.1")
    assert suggested_destination(f, "3.11", "macos-arm64") == f"{venv}-py3.11"
    assert suggested_destination(f, "3.13", "macos-arm64") == f"{venv}-new"
    assert suggested_destination(f, "3.13", "linux-x86_64") == f"{venv}-x86_64"
    (tmp_path / "tf-py3.11").mkdir()
    (tmp_path / "tf-py3.11-2").mkdir()
    assert suggested_destination(f, "3.11", "macos-arm64") == f"{venv}-py3.11-3"


def test_a_venv_is_known_by_its_kind_or_by_the_interpreter_saying_so(tmp_path):
    venv = str(tmp_path / "tf")
    f = with_interpreter(mac(), kind="homebrew", in_venv=True, prefix=venv, cwd=None)
    assert suggested_destination(f, "3.11", "macos-arm64") == f"{venv}-new"


def test_a_system_or_conda_interpreter_gets_a_venv_in_the_working_directory(tmp_path):
    f = with_interpreter(mac(), kind="homebrew", in_venv=False, prefix="/opt/homebrew",
                         cwd=str(tmp_path), version="3.13.0")
    assert suggested_destination(f, "3.11", "macos-arm64") == str(tmp_path / ".venv")
    (tmp_path / ".venv").mkdir()
    assert suggested_destination(f, "3.11", "macos-arm64") == str(tmp_path / ".venv-py3.11")


def test_without_a_venv_or_a_working_directory_no_folder_is_made_up():
    f = with_interpreter(mac(), kind="system", in_venv=False, prefix="/usr", cwd=None)
    assert suggested_destination(f, "3.11", "macos-arm64") is None


def test_without_new_venv_the_new_environment_is_shown_and_never_applied(tmp_path):
    f = mac(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("tensorflow-metal", "1.1.0"),
            ("numpy", "1.26.4"), ("ml-dtypes", "0.3.2"))
    f = dataclasses.replace(
        f, target=dataclasses.replace(f.target, python_version="3.13.1"),
        interpreter=dataclasses.replace(f.interpreter, version="3.13.1", kind="venv",
                                        prefix=str(tmp_path / "tf")))
    report = checked(f)
    base = Interpreter("/opt/homebrew/bin/python3.11", "3.11.9", "arm64")
    plan = build_plan(f, report, knowledge=KB, resolver=EchoResolver(installed_versions(f)),
                      uv="/bin/uv", interpreter_finder=lambda platform, ok: base)
    dest = str(tmp_path / "tf-py3.11")
    assert plan.status is PlanStatus.REFUSED
    assert [s.kind for s in plan.steps] == [StepKind.NEW_VENV, StepKind.INSTALL]
    assert plan.steps[0].dest == dest and f"--new-venv {dest}" in plan.reason
    given = build_plan(f, report, knowledge=KB, resolver=EchoResolver(installed_versions(f)),
                       uv="/bin/uv", interpreter_finder=lambda platform, ok: base, new_venv=dest)
    assert given.ok and [s.argv for s in given.steps] == [s.argv for s in plan.steps]


BUILDS = ("tensorflow-macos", "tensorflow")  # as the planner asks: each era's build


# -- tensorflow-metal without TensorFlow ---------------------------------------------------------

@pytest.mark.parametrize("metal, python, build", [
    ("0.5.0", "3.10", "tensorflow-macos"),  # no arm64 `tensorflow` wheel before 2.13
    ("1.1.0", "3.11", "tensorflow"),
    ("1.2.0", "3.12", "tensorflow"),
])
def test_the_tensorflow_for_a_lone_metal_is_the_newest_it_loads_with(metal, python, build):
    chosen, version = tensorflow_for_metal(KB, metal, "macos-arm64", python, BUILDS)
    assert chosen == build
    assert metal_verdict(KB, str(version), metal).loads
    newer = [r.version for b in ("tensorflow", "tensorflow-macos") for r in KB.releases(b)
             if r.version > version and not r.yanked
             and r.wheel_for("macos-arm64", python) is not None]
    assert newer, "the boundary is tested from both sides"
    assert not any(metal_verdict(KB, str(v), metal).loads for v in newer)


def test_no_tensorflow_is_invented_for_a_metal_no_release_loads_with():
    assert tensorflow_for_metal(KB, "1.1.0", "macos-arm64", "3.7", BUILDS) is None  # no arm64 wheel
    assert tensorflow_for_metal(KB, "9.9.9", "macos-arm64", "3.11", BUILDS) is None  # no verdict


@pytest.mark.parametrize("metal, intel_pairs",
                         [("1.0.0", True), ("1.0.1", False), ("1.1.0", False)])
def test_a_metal_release_without_an_intel_wheel_pairs_with_no_intel_tensorflow(metal, intel_pairs):
    # 1.0.0 is the last tensorflow-metal with an x86_64 wheel; the arm64 answer exists for all three
    assert tensorflow_for_metal(KB, metal, "macos-arm64", "3.10", BUILDS) is not None
    paired = tensorflow_for_metal(KB, metal, "macos-x86_64", "3.10", BUILDS)
    assert (paired is not None) == intel_pairs


def lone_metal_plan(metal, python):
    f = mac(("tensorflow-metal", metal), ("numpy", "1.23.5"), python=python)
    report = checked(f)
    plan = build_plan(f, report, knowledge=KB, resolver=EchoResolver(installed_versions(f)),
                      uv="/bin/uv", interpreter_finder=lambda platform, ok: None)
    return plan, report


def test_a_lone_metal_gets_the_tensorflow_it_loads_with_and_keeps_itself():
    plan, report = lone_metal_plan("1.1.0", "3.11")
    assert "metal-plugin-mismatch" in {x.cause for x in report.findings}
    install = next(s for s in plan.steps if s.kind is StepKind.INSTALL)
    assert "tensorflow==2.17.1" in install.pins
    assert not any(p.startswith("tensorflow-metal") for p in install.pins)
    assert "metal-plugin-mismatch" in install.resolves
    assert not [s for s in plan.skipped if s.cause == "metal-plugin-mismatch"]


def test_the_tensorflow_chosen_for_a_lone_metal_says_why():
    from keras_doctor.plan.recommend import recommend_for

    rec = recommend_for(mac(("tensorflow-metal", "1.1.0"), ("numpy", "1.23.5"), python="3.11"), KB)
    assert rec.tensorflow == "tensorflow"
    assert rec.reasons["tensorflow"] == ("newest release with a wheel for macos-arm64 and Python "
                                         "3.11 that the installed tensorflow-metal 1.1.0 loads "
                                         "with")


def test_a_lone_metal_of_the_tensorflow_macos_era_gets_tensorflow_macos():
    plan, _ = lone_metal_plan("0.5.0", "3.10")
    pins = [p for s in plan.steps for p in s.pins]
    assert "tensorflow-macos==2.10.0" in pins
    assert not any(p.startswith("tensorflow==") for p in pins)


def test_a_numpy_finding_without_tensorflow_or_metal_brings_no_tensorflow():
    """The other side: in place, only a lone GPU plugin asks for a TensorFlow."""
    f = mac(("numpy", "2.1.3"), ("keras", "2.15.0"))
    plan = build_plan(f, checked(f), knowledge=KB, resolver=EchoResolver(installed_versions(f)),
                      uv="/bin/uv", interpreter_finder=lambda platform, ok: None)
    assert not any(p.startswith(("tensorflow==", "tensorflow-macos==")) for s in plan.steps
                   for p in s.pins)
