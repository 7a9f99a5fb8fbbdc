"""Era-correct, minimal plans on real metadata: what is asked of the resolver, and what changes.

The facts carry the Requires-Dist of the real wheels (from the knowledge base); the resolver is a
stand-in that records the requirement set and answers with the installed versions overridden by
what the test says a real resolver returns (the real resolution is in tests/mac/). Each test
names the bug it catches.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from keras_doctor.checks.registry import run_checks
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.model import PlanStatus, StepKind
from keras_doctor.plan.recommend import TF_FAMILY, installed_versions
from keras_doctor.plan.resolve import Resolution

sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
from compat_facts import KB, facts, real_dist


class EchoResolver:
    """Pins every `name==version` asked for; everything else stays as installed."""

    def __init__(self, installed):
        self.installed = {n: str(v) for n, v in installed.items()}
        self.calls = []

    def __call__(self, requirements, platform, python_version, **options):
        self.calls.append(list(requirements))
        asked = {r.split("==", 1)[0] for r in requirements}
        # A resolver keeps no TensorFlow build it was not asked for.
        pins = {n: v for n, v in self.installed.items() if n not in TF_FAMILY or n in asked}
        for req in requirements:
            if "==" in req:
                name, version = req.split("==", 1)
                pins[name] = version
        return Resolution(True, "uv", pins)


def mac(*pairs, python="3.11"):
    return facts([real_dist(n, v, "macos-arm64", python) for n, v in pairs],
                 platform="macos-arm64", python=python, os_version="14.4")


def checked(f):
    """The report without missing-dependency findings: these facts carry the TensorFlow stack,
    not every dependency of it (the full sets are in tests/mac/)."""
    report = run_checks(f, lambda: KB)
    report.findings = [x for x in report.findings if x.cause != "missing-dependency"]
    return report


def plan_for(f, **options):
    report = checked(f)
    resolver = EchoResolver(installed_versions(f))
    plan = build_plan(f, report, knowledge=KB, resolver=resolver, uv="/bin/uv",
                      interpreter_finder=lambda platform, has_wheels: None, **options)
    return plan, resolver, report


def changed(plan):
    return {n for s in plan.steps if s.kind in (StepKind.INSTALL, StepKind.UNINSTALL)
            for n in s.names}


TFM_212 = [("tensorflow-macos", "2.12.0"), ("keras", "2.12.0"), ("tensorflow-metal", "0.8.0"),
           ("numpy", "1.23.5")]


def test_a_healthy_tensorflow_macos_2_12_plan_is_empty_not_unresolvable():
    # Bug caught: tensorflow-macos mapped to `tensorflow==2.12.0`, which has no arm64 wheel.
    plan, resolver, _ = plan_for(mac(*TFM_212))
    assert plan.status is PlanStatus.OK and not plan.steps and not plan.skipped
    assert resolver.calls == []


def test_tensorflow_macos_2_12_with_metal_0_5_keeps_its_build_and_gets_apples_metal():
    f = mac(("tensorflow-macos", "2.12.0"), ("keras", "2.12.0"), ("tensorflow-metal", "0.5.0"),
            ("numpy", "1.23.5"), python="3.10")
    plan, resolver, _ = plan_for(f)
    (asked,) = resolver.calls
    assert "tensorflow-macos==2.12.0" in asked and not any(
        r.startswith("tensorflow==") for r in asked)
    assert "tensorflow-metal==0.8.0" in asked  # Apple's pairing, not the newest that links
    assert changed(plan) == {"tensorflow-metal"}


def test_keras_2_13_over_tensorflow_macos_2_12_moves_keras_only():
    f = mac(("tensorflow-macos", "2.12.0"), ("keras", "2.13.1"), ("tensorflow-metal", "0.8.0"),
            ("numpy", "1.23.5"))
    report = checked(f)
    assert {x.cause for x in report.findings} >= {"keras-tf-version-skew"}
    assert "keras3-required" not in {x.cause for x in report.findings}
    installed = installed_versions(f)
    resolver = EchoResolver(installed)
    resolver.installed["keras"] = "2.12.0"  # what uv picks for tensorflow-macos 2.12's range
    plan = build_plan(f, report, knowledge=KB, resolver=resolver, uv="/bin/uv")
    (asked,) = resolver.calls
    assert "tensorflow-metal==0.8.0" in asked  # the working plugin stays
    assert changed(plan) == {"keras"}


def test_a_working_metal_stays_while_something_else_is_repaired():
    # Bug caught: metal 1.1.0 swapped for 1.2.0 while repairing numpy.
    f = mac(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("tensorflow-metal", "1.1.0"),
            ("numpy", "2.1.3"), ("ml-dtypes", "0.3.2"))
    _, resolver, _ = plan_for(f)
    (asked,) = resolver.calls
    assert "tensorflow-metal==1.1.0" in asked and "tensorflow==2.16.2" in asked


def test_tensorflow_macos_2_15_1_which_installs_nothing_is_replaced_by_tensorflow_2_15_1():
    plan, resolver, _ = plan_for(mac(("tensorflow-macos", "2.15.1")))
    (asked,) = resolver.calls
    assert asked[0] == "tensorflow==2.15.1"
    (uninstall,) = [s for s in plan.steps if s.kind is StepKind.UNINSTALL]
    assert uninstall.names == ["tensorflow-macos"]


def test_the_tensorflow_shim_of_2_15_0_and_its_build_are_left_alone():
    f = mac(("tensorflow", "2.15.0"), ("tensorflow-macos", "2.15.0"), ("keras", "2.15.0"),
            ("tensorflow-metal", "1.1.0"), ("numpy", "1.26.4"), ("ml-dtypes", "0.2.0"))
    plan, _, report = plan_for(f)
    assert not [x for x in report.findings if x.severity.rank >= 2]
    assert not plan.steps


def test_deprecated_tensorflow_macos_2_12_gets_no_newer_tensorflow_without_upgrade():
    plan, resolver, _ = plan_for(mac(*TFM_212))
    assert not any("2.21" in " ".join(c) for c in resolver.calls)
    assert not plan.steps


def test_upgrade_plans_the_newest_set_with_metal_and_leaves_tensorflow_macos():
    plan, resolver, _ = plan_for(mac(*TFM_212), upgrade=True)
    (asked,) = resolver.calls
    tf = next(r for r in asked if r.startswith("tensorflow=="))
    metal = next(r for r in asked if r.startswith("tensorflow-metal=="))
    from keras_doctor.knowledge.metal_pairs import metal_verdict

    assert metal_verdict(KB, tf.split("==")[1], metal.split("==")[1]).loads
    (uninstall,) = [s for s in plan.steps if s.kind is StepKind.UNINSTALL]
    assert uninstall.names == ["tensorflow-macos"]


def test_new_interpreter_advice_for_a_metal_environment_is_a_python_with_metal_wheels():
    # Bug caught: "install Python 3.13" for an environment whose finding is "tensorflow-metal has
    # no 3.13 build".
    f = mac(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("tensorflow-metal", "1.1.0"),
            ("numpy", "1.26.4"), ("ml-dtypes", "0.3.2"))
    f = dataclasses.replace(
        f, target=dataclasses.replace(f.target, python_version="3.13.1"),
        interpreter=dataclasses.replace(f.interpreter, version="3.13.1"))
    plan, _, report = plan_for(f)
    assert "no-wheel-for-python" in {x.cause for x in report.findings}
    assert plan.status is PlanStatus.REFUSED
    advice = " ".join(a for s in plan.skipped for a in s.advice)
    assert "3.13" not in advice
    assert "python install 3.12" in advice


def test_without_metal_the_newest_python_is_advised():
    f = mac(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("numpy", "1.26.4"),
            ("ml-dtypes", "0.3.2"))
    f = dataclasses.replace(
        f, target=dataclasses.replace(f.target, python_version="3.14.0"),
        interpreter=dataclasses.replace(f.interpreter, version="3.14.0"))
    plan, _, _ = plan_for(f)
    advice = " ".join(a for s in plan.skipped for a in s.advice)
    assert "python install 3.13" in advice


# -- Rosetta: a universal2 interpreter started as x86_64, and AVX by the binaries' architecture ---

def rosetta_facts(exe_archs, binary_archs, cpu_flags=()):
    """An Apple Silicon Mac, an interpreter running as x86_64 under Rosetta, TF 2.16.2 whose 16
    binaries have `binary_archs`."""
    f = mac(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("numpy", "1.26.4"),
            ("ml-dtypes", "0.3.2"))
    from keras_doctor.facts.model import Binary

    binaries = [Binary(path=f"/site/tensorflow/lib{i}.so", location="/site", format="mach-o",
                       archs=list(binary_archs), owner="tensorflow") for i in range(16)]
    x86 = f.interpreter.marker_environment | {"platform_machine": "x86_64"}
    return dataclasses.replace(
        f, binaries=binaries,
        target=dataclasses.replace(f.target, platform="macos-x86_64"),
        platform=dataclasses.replace(f.platform, machine="x86_64", rosetta_translated=True,
                                     apple_silicon=True, cpu_flags=list(cpu_flags)),
        interpreter=dataclasses.replace(f.interpreter, running_arch="x86_64",
                                        executable_archs=list(exe_archs),
                                        marker_environment=x86))


def test_a_universal2_python_started_under_rosetta_is_one_finding_with_one_step():
    f = rosetta_facts(["x86_64", "arm64"], ["arm64"])
    report = checked(f)
    assert [x.cause for x in report.findings if x.severity.rank >= 2] == ["rosetta-python"]
    (rosetta,) = [x for x in report.findings if x.cause == "rosetta-python"]
    assert [s.command[:2] for s in rosetta.fix] == [("arch", "-arm64")]
    plan, resolver, _ = plan_for(f)
    assert plan.status is PlanStatus.OK and not plan.steps and resolver.calls == []
    (step,) = plan.skipped
    assert "arch -arm64" in " ".join(step.advice) and "::" not in " ".join(step.advice)
    assert step.reason.endswith(": start the interpreter natively; the environment itself is "
                                "arm64 and stays as it is")


def test_an_x86_64_only_python_over_arm64_binaries_needs_a_new_environment_not_avx():
    f = rosetta_facts(["x86_64"], ["arm64"])
    causes = {x.cause for x in checked(f).findings}
    assert "rosetta-python" in causes and "mixed-arch-binary" in causes
    assert "cpu-lacks-avx" not in causes  # an arm64 TensorFlow is not "an x86_64 build"
    plan, _, _ = plan_for(f)
    assert plan.status is PlanStatus.REFUSED  # a new environment from a native interpreter


def test_an_x86_64_tensorflow_under_rosetta_without_avx_is_reported():
    f = rosetta_facts(["x86_64"], ["x86_64"])
    (avx,) = [x for x in checked(f).findings if x.cause == "cpu-lacks-avx"]
    assert avx.evidence["binary_archs"] == ["x86_64"]
    assert not [x for x in checked(rosetta_facts(["x86_64"], ["x86_64"], ["avx", "avx2"])).findings
                if x.cause == "cpu-lacks-avx"]


def test_a_universal2_python_over_an_x86_64_environment_is_judged_as_x86_64():
    causes = {x.cause for x in checked(rosetta_facts(["x86_64", "arm64"], ["x86_64"])).findings}
    assert "rosetta-python" in causes and "mixed-arch-binary" not in causes


# -- TensorFlow 2.5-2.8: no tree can be laid out from wheels (its numpy has no arm64 wheel) -------

@pytest.mark.parametrize("tf,keras,metal,numpy", [("2.5.0", None, "0.1.2", "1.19.5"),
                                                  ("2.8.0", "2.8.0", "0.4.0", "1.21.6")])
def test_the_first_tensorflow_macos_releases_with_apples_metal_are_left_alone(tf, keras, metal,
                                                                             numpy):
    pairs = [("tensorflow-macos", tf), ("tensorflow-metal", metal), ("numpy", numpy)]
    if keras:
        pairs.append(("keras", keras))
    plan, resolver, report = plan_for(mac(*pairs, python="3.9"))
    assert plan.status is PlanStatus.OK and not plan.steps and resolver.calls == []
    assert [x.cause for x in report.findings if x.severity.rank >= 2] == []


def test_a_metal_that_cannot_link_with_tensorflow_macos_2_8_is_replaced_by_apples_0_4():
    # metal 0.8.0 does not link against 2.8.0 (verdicts); 0.1.2-0.6.0 all do, 0.4.0 is Apple's.
    f = mac(("tensorflow-macos", "2.8.0"), ("keras", "2.8.0"), ("tensorflow-metal", "0.8.0"),
            ("numpy", "1.21.6"), python="3.9")
    plan, resolver, report = plan_for(f)
    assert "metal-plugin-mismatch" in {x.cause for x in report.findings}
    (asked,) = resolver.calls
    assert "tensorflow-macos==2.8.0" in asked and "tensorflow-metal==0.4.0" in asked
    assert changed(plan) == {"tensorflow-metal"}


def test_a_universal2_python_started_under_rosetta_with_no_binaries_yet_is_one_step_too():
    f = dataclasses.replace(rosetta_facts(["x86_64", "arm64"], ["arm64"]), binaries=[])
    plan, resolver, report = plan_for(f)
    assert [x.cause for x in report.findings if x.severity.rank >= 2] == ["rosetta-python"]
    assert not plan.steps and len(plan.skipped) == 1 and resolver.calls == []
