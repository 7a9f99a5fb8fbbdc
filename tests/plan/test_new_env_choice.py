"""Which interpreter a new environment is built from, and what goes into it.

The base is the newest native interpreter that keeps the installed TensorFlow release (the least
surprising environment), else the newest with any working set. The knowledge base decides what has
wheels where; the resolver stands in for uv and records what it was asked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from keras_doctor.checks.registry import finding
from keras_doctor.findings import Report
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.interpreters import Interpreter
from keras_doctor.plan.model import PlanStatus, StepKind
from keras_doctor.plan.recommend import recommend
from keras_doctor.plan.resolve import Resolution

sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
from compat_facts import KB, facts, real_dist

PY311 = Interpreter("/usr/bin/python3.11", "3.11.9", "x86_64")
PY312 = Interpreter("/usr/bin/python3.12", "3.12.7", "x86_64")
PY314 = Interpreter("/usr/bin/python3.14", "3.14.0", "x86_64")


class PinningResolver:
    """Answers every set with its `==` pins; with `wheels_only`, like uv it fails a set whose pin
    has no wheel for that Python (as the knowledge base records), else it finds one for all."""

    def __init__(self, wheels_only=False):
        self.calls, self.wheels_only = [], wheels_only

    def __call__(self, requirements, platform, python_version, **options):
        self.calls.append((list(requirements), python_version, options))
        pins = dict(r.split("==") for r in requirements if "==" in r)
        if self.wheels_only and any(KB.wheel_for(n, v, platform, python_version) is None
                                    for n, v in pins.items()):
            return Resolution(False, "uv", error="no wheel")
        return Resolution(True, "uv", pins)


def finder_over(*interpreters):
    """find_interpreter's choice over a fixed machine: the newest whose minor the predicate
    accepts. `find.platforms` records the platform each search was for."""
    def find(platform, accepts):
        find.platforms.append(platform)
        return next((i for i in interpreters if accepts(i.minor)), None)
    find.platforms = []
    return find


def tensorflow_2_15_env():
    return facts([real_dist("tensorflow", "2.15.1", requires=[]),
                  real_dist("numpy", "1.26.4", requires=[])])


def plan_new_env(f, machine, dest, wheels_only=False, uv="/bin/uv"):
    resolver = PinningResolver(wheels_only)
    report = Report(command="check", findings=[finding("no-wheel-for-python", "no wheel")])
    finder = finder_over(*machine)
    plan = build_plan(f, report, knowledge=KB, resolver=resolver, uv=uv,
                      interpreter_finder=finder, new_venv=str(dest))
    assert set(finder.platforms) == {f.target.platform}  # every search for the target's CPU
    return plan, resolver


def test_a_python_with_no_tensorflow_wheel_at_all_is_never_the_base(tmp_path):
    # Python 3.14 is the newest on the machine, but no TensorFlow release has a cp314 wheel: the
    # knowledge base says so even when a resolver would not be asked.
    assert KB.newest_release("tensorflow", "linux-x86_64", "3.14") is None
    plan, resolver = plan_new_env(tensorflow_2_15_env(), [PY314, PY311], tmp_path / "new")
    assert plan.status is PlanStatus.OK, plan.reason
    assert (plan.target.python_version, plan.target.installer) == ("3.11", "uv")
    create, install = plan.steps
    assert create.kind is StepKind.NEW_VENV and PY311.executable in create.argv
    assert create.dest == str(tmp_path / "new")  # what the journal records and a rollback removes
    assert "tensorflow==2.15.1" in install.pins  # the installed release, kept
    assert install.names == sorted(plan.resolved)  # what a rollback or a report names
    assert {options["uv"] for _, _, options in resolver.calls} == {"/bin/uv"}


def test_without_a_python_for_the_installed_release_the_newest_set_is_resolved_with_uv(tmp_path):
    plan, resolver = plan_new_env(tensorflow_2_15_env(), [PY312], tmp_path / "new")
    assert plan.status is PlanStatus.OK, plan.reason
    assert plan.target.python_version == "3.12"
    newest = KB.newest_release("tensorflow", "linux-x86_64", "3.12")
    assert f"tensorflow=={newest.version}" in plan.steps[1].pins
    assert resolver.calls and all(options.get("uv") == "/bin/uv"
                                  for _, _, options in resolver.calls)


def test_a_machine_without_a_usable_python_is_told_which_one_to_install(tmp_path):
    plan, _ = plan_new_env(tensorflow_2_15_env(), [PY314], tmp_path / "new", wheels_only=True)
    assert plan.status is PlanStatus.REFUSED and plan.steps == []
    (skip,) = plan.skipped
    assert (skip.cause, skip.reason) == ("no-wheel-for-python", "install a suitable Python first")
    assert skip.advice[0].startswith("uv python install 3.13")
    assert not (tmp_path / "new").exists()


def test_without_uv_the_new_environment_is_made_by_venv_and_filled_by_its_own_pip(tmp_path):
    dest = tmp_path / "new"
    plan, resolver = plan_new_env(tensorflow_2_15_env(), [PY311], dest, uv="")
    assert plan.status is PlanStatus.OK, plan.reason
    assert plan.target.installer == "pip"
    create, install = plan.steps
    assert create.argv == [PY311.executable, "-m", "venv", str(dest)]
    assert install.argv[:4] == [str(dest / "bin" / "python"), "-m", "pip", "install"]
    assert install.argv[-len(install.pins):] == install.pins
    assert {options["uv"] for _, _, options in resolver.calls} == {""}


def test_a_fresh_environment_asked_for_where_no_python_fits_says_which_to_install(tmp_path):
    # No finding blames the interpreter: --new-venv alone asked for a new environment.
    plan = build_plan(tensorflow_2_15_env(), Report(command="check", findings=[]), knowledge=KB,
                      resolver=PinningResolver(wheels_only=True), uv="/bin/uv",
                      interpreter_finder=finder_over(PY314), new_venv=str(tmp_path / "new"))
    assert plan.status is PlanStatus.REFUSED and plan.steps == []
    assert plan.reason.startswith("a fresh environment was asked for. No interpreter")
    (skip,) = plan.skipped
    assert (skip.cause, skip.reason) == ("no-wheel-for-python", "install a suitable Python first")


def test_a_folder_that_is_not_empty_is_never_made_the_new_environment(tmp_path):
    dest = tmp_path / "project"
    dest.mkdir()
    (dest / "train.py").write_text("import tensorflow\n")
    plan, _ = plan_new_env(tensorflow_2_15_env(), [PY311], dest)
    assert plan.status is PlanStatus.REFUSED and plan.steps == []
    assert plan.reason == f"{dest} already exists and is not empty; choose a new folder"
    assert (dest / "train.py").read_text() == "import tensorflow\n"


def test_a_new_environment_with_nothing_to_put_in_it_is_not_planned(tmp_path):
    # Nothing installed to keep and no knowledge base to pick a TensorFlow from.
    plan = build_plan(facts([real_dist("six", "1.16.0", requires=[])]),
                      Report(command="check", findings=[finding("no-wheel-for-python", "x")]),
                      resolver=PinningResolver(), uv="/bin/uv",
                      interpreter_finder=lambda platform, accepts: PY311,
                      new_venv=str(tmp_path / "new"))
    assert plan.status is PlanStatus.UNRESOLVABLE and plan.steps == []
    assert plan.reason == ("no requirement set to resolve: no finding names an installed "
                           "distribution to repair, and no TensorFlow is installed to anchor on")


def test_an_intel_python_on_apple_silicon_gets_a_native_environment_that_keeps_its_gpu(tmp_path):
    """An x86_64 Python under Rosetta over TensorFlow 2.20 and tensorflow-metal 1.2.0 (which does
    not load with 2.20): the native replacement is judged as arm64, where the plugin matters, so
    the base is the newest Python with a TensorFlow a metal release loads with, not Python 3.13,
    which keeps 2.20 but no metal plugin has a wheel for."""
    import dataclasses

    f = facts([real_dist("tensorflow", "2.20.0", "macos-x86_64", "3.12", requires=[]),
               real_dist("tensorflow-metal", "1.2.0", "macos-x86_64", "3.12", requires=[])],
              platform="macos-x86_64", python="3.12", os_version="14.4")
    f.platform = dataclasses.replace(f.platform, apple_silicon=True, rosetta_translated=True)
    arm313 = Interpreter("/opt/homebrew/bin/python3.13", "3.13.1", "arm64")
    arm312 = Interpreter("/opt/homebrew/bin/python3.12", "3.12.8", "arm64")
    report = Report(command="check", findings=[finding("rosetta-python", "x86_64 under Rosetta")])
    plan = build_plan(f, report, knowledge=KB, resolver=PinningResolver(wheels_only=True),
                      uv="/bin/uv", interpreter_finder=finder_over(arm313, arm312),
                      new_venv=str(tmp_path / "native"))
    assert plan.status is PlanStatus.OK, plan.reason
    assert (plan.target.platform, plan.target.python_version) == ("macos-arm64", "3.12")
    assert plan.resolved == dict(r.split("==") for r in recommend("macos-arm64", "3.12", KB,
                                                                  metal=True).requirements)
