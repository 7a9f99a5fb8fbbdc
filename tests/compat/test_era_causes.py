"""The right cause for each Keras/TensorFlow mismatch, and era-aware advice, on real metadata.

Each distribution carries the Requires-Dist its real wheel declares (from the knowledge base), so
each test states a combination users really have. Both sides of every boundary are tested: the
cause must change exactly where the declared range or the release era changes.
"""

from __future__ import annotations

import pytest
from compat_facts import KB, facts, real_dist
from packaging.requirements import Requirement

from keras_doctor.checks.registry import run_checks
from keras_doctor.findings import Severity


def findings(f, cause=None):
    found = run_checks(f, lambda: KB).findings
    return [x for x in found if cause is None or x.cause == cause]


def mac(*pairs, python="3.11", env=None):
    return facts([real_dist(n, v, "macos-arm64", python) for n, v in pairs],
                 platform="macos-arm64", python=python, os_version="14.4", env=env)


def linux(*pairs, env=None):
    return facts([real_dist(n, v) for n, v in pairs], env=env)


# -- Keras/TF skew: which way to move, not "needs Keras 3" -----------------------------------------

def test_keras_2_13_over_tensorflow_macos_2_12_is_a_skew_that_moves_keras_down():
    f = mac(("tensorflow-macos", "2.12.0"), ("keras", "2.13.1"), ("tensorflow-metal", "0.8.0"))
    assert not findings(f, "keras3-required")
    (skew,) = findings(f, "keras-tf-version-skew")
    assert skew.severity is Severity.ERROR
    assert skew.evidence["direction"] == "newer" and skew.evidence["to"] == "keras==2.12.*"
    assert "install keras==2.12.*" in skew.title
    assert skew.fix[0].command[-1] == "keras==2.12.*"


def test_the_matching_keras_over_tensorflow_macos_2_12_is_no_finding():
    f = mac(("tensorflow-macos", "2.12.0"), ("keras", "2.12.0"), ("tensorflow-metal", "0.8.0"))
    assert not findings(f, "keras-tf-version-skew") and not findings(f, "keras3-required")


def test_keras_2_15_over_tensorflow_2_13_1_is_a_skew_not_keras3_required():
    f = linux(("tensorflow", "2.13.1"), ("keras", "2.15.0"))
    assert not findings(f, "keras3-required")
    (skew,) = findings(f, "keras-tf-version-skew")
    assert skew.severity is Severity.ERROR
    assert skew.evidence["direction"] == "newer"
    assert skew.evidence["to"] == "keras<2.14,>=2.13.1"  # 2.13.0 is outside what 2.13.1 declares


def test_keras_2_over_tensorflow_2_16_still_needs_keras_3():
    f = linux(("tensorflow", "2.16.2"), ("keras", "2.15.0"))
    (needs,) = findings(f, "keras3-required")
    assert needs.severity is Severity.ERROR
    assert not findings(f, "keras-tf-version-skew")


def keras_3_with_its_requirements(version: str):
    """Keras 3 and a distribution for each requirement its wheel declares (as pip installs it)."""
    keras = real_dist("keras", version)
    names = sorted({Requirement(r).name for r in keras.requires_dist
                    if Requirement(r).marker is None})
    assert {"rich", "optree", "namex"} <= set(names)
    return [("keras", version)] + [(n, "1.0") for n in names if n != "keras"]


def test_keras_3_over_tensorflow_2_15_runs_so_it_is_a_warning_naming_the_conflict():
    f = linux(("tensorflow", "2.15.1"), *keras_3_with_its_requirements("3.5.0"))
    (skew,) = findings(f, "keras-tf-version-skew")
    assert skew.severity is Severity.WARNING
    assert "requires keras" in skew.evidence["declared_conflict"]
    assert skew.evidence["declared_conflict"] in skew.title
    assert "imports and runs" in skew.title


def test_keras_3_over_tensorflow_2_15_without_its_own_requirements_does_not_run():
    """Keras 3 without rich/optree/namex fails on import: the skew is the error to fix, and moving
    keras to 2.15 ends the missing requirements too."""
    pairs = [p for p in keras_3_with_its_requirements("3.5.0") if p[0] != "optree"]
    f = linux(("tensorflow", "2.15.1"), *pairs)
    (skew,) = findings(f, "keras-tf-version-skew")
    assert skew.severity is Severity.ERROR
    assert not skew.evidence["imports_and_runs"]
    assert "imports and runs" not in skew.title and "install keras==2.15.*" in skew.title


def test_keras_3_over_tensorflow_2_14_does_not_run_so_it_stays_an_error():
    f = linux(("tensorflow", "2.14.1"), ("keras", "3.5.0"))
    (skew,) = findings(f, "keras-tf-version-skew")
    assert skew.severity is Severity.ERROR


def test_a_tf_keras_for_another_tensorflow_says_install_the_matching_tf_keras():
    f = linux(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("tf-keras", "2.17.0"))
    assert not findings(f, "requirement-conflict")
    (skew,) = findings(f, "keras-tf-version-skew")
    assert skew.evidence["move"] == "tf-keras" and skew.evidence["to"] == "tf-keras==2.16.*"
    assert skew.fix[0].command[-1] == "tf-keras==2.16.*"
    assert skew.severity is Severity.WARNING  # tf.keras is Keras 3 until the switch is set


def test_the_same_tf_keras_mismatch_is_an_error_once_tf_keras_is_routed_to():
    f = linux(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("tf-keras", "2.17.0"),
              env={"TF_USE_LEGACY_KERAS": "1"})
    (skew,) = findings(f, "keras-tf-version-skew")
    assert skew.severity is Severity.ERROR


def test_a_matching_tf_keras_is_no_finding():
    f = linux(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("tf-keras", "2.16.0"))
    assert not findings(f, "keras-tf-version-skew")


# -- deprecated-distribution: never advise leaving the era as a side effect ------------------------

def test_tensorflow_macos_2_12_with_metal_0_8_is_not_told_to_move_to_a_newer_tensorflow():
    f = mac(("tensorflow-macos", "2.12.0"), ("keras", "2.12.0"), ("tensorflow-metal", "0.8.0"))
    (old,) = findings(f, "deprecated-distribution")
    assert old.severity is Severity.INFO
    assert old.evidence["replacement_version"] is None
    assert all(step.command is None for step in old.fix)
    assert "--upgrade" in old.fix[0].description


@pytest.mark.parametrize("metal", [None, "1.1.0"])
def test_tensorflow_macos_2_14_names_the_same_tensorflow_release(metal):
    pairs = [("tensorflow-macos", "2.14.0"), ("keras", "2.14.0")]
    if metal:
        pairs.append(("tensorflow-metal", metal))
    (old,) = findings(mac(*pairs), "deprecated-distribution")
    assert old.evidence["replacement_version"] == "2.14.0"  # the same release has a wheel


def test_tensorflow_macos_2_15_1_which_installs_nothing_is_replaced_by_the_same_release():
    (old,) = findings(mac(("tensorflow-macos", "2.15.1")), "deprecated-distribution")
    assert old.severity is Severity.ERROR
    assert old.evidence["replacement_version"] == "2.15.1"


# -- metal: Apple's pairing where it loads --------------------------------------------------------

def test_metal_0_5_with_tensorflow_macos_2_12_is_told_apples_0_8_not_the_newest():
    f = mac(("tensorflow-macos", "2.12.0"), ("keras", "2.12.0"), ("tensorflow-metal", "0.5.0"))
    (bad,) = findings(f, "metal-plugin-mismatch")
    assert bad.evidence["loads_with_this_tensorflow"][0] == "0.8.0"
    assert bad.fix[0].command[-1] == "tensorflow-metal==0.8.0"


# -- recommend honours the installed TensorFlow build --------------------------------------------

def test_recommend_for_an_environment_with_tensorflow_cpu_recommends_tensorflow_cpu():
    from packaging.version import Version

    from keras_doctor.plan.recommend import installed_build, recommend

    build = installed_build({"tensorflow-cpu": Version("2.15.1")}, "linux-x86_64")
    assert build == "tensorflow-cpu"
    rec = recommend("linux-x86_64", "3.11", KB, build=build)
    assert rec.requirements[0].startswith("tensorflow-cpu==")
    assert not any(r.startswith("tensorflow==") for r in rec.requirements)
    assert recommend("linux-x86_64", "3.11", KB).requirements[0].startswith("tensorflow==")


def test_an_obsolete_build_is_not_carried_into_a_recommendation():
    from packaging.version import Version

    from keras_doctor.plan.recommend import installed_build

    assert installed_build({"tensorflow-macos": Version("2.16.2"),
                            "tensorflow": Version("2.16.2")}, "macos-arm64") == "tensorflow"
    assert installed_build({}, "macos-arm64") == "tensorflow"


def test_a_python_advised_for_a_metal_environment_has_metal_wheels():
    # TF 2.16.2 has wheels for 3.9-3.12; metal releases that load with it, for 3.9-3.12 too.
    f = mac(("tensorflow", "2.16.2"), ("keras", "3.5.0"), ("tensorflow-metal", "1.1.0"),
            python="3.13")
    advice = [s.description for x in findings(f, "no-wheel-for-python") for s in x.fix]
    assert any("Python 3.12" in a for a in advice)
    assert not any("3.13" in a and "Or use" in a for a in advice)


def test_no_python_is_advised_when_none_keeps_the_metal_plugin():
    # TF 2.21 has a 3.13 wheel; no tensorflow-metal has one, and none loads with 2.21 anyway.
    with_metal = mac(("tensorflow", "2.21.0"), ("tensorflow-metal", "1.2.0"), python="3.14")
    without = mac(("tensorflow", "2.21.0"), python="3.14")
    said = [s.description for x in findings(with_metal, "no-wheel-for-python") for s in x.fix]
    plain = [s.description for x in findings(without, "no-wheel-for-python") for s in x.fix]
    assert any("Or use Python 3.13" in a for a in plain)
    assert not any("Or use Python" in a for a in said)
