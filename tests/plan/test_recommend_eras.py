"""What the planner keeps or recommends for each era of TensorFlow on a Mac, and the reasons a user
reads beside each pin: tensorflow-macos 2.5-2.12 with its metal plugin, the 2.13-2.15 shims, and
today's tensorflow with tensorflow-metal. Every version comes from the knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from keras_doctor.plan.recommend import installed_build, recommend, recommend_for

sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
from compat_facts import KB, facts, real_dist


def mac(*pairs, python="3.11"):
    return facts([real_dist(n, v, "macos-arm64", python, requires=[]) for n, v in pairs],
                 platform="macos-arm64", python=python, os_version="14.4")


def pins(rec):
    return dict(r.split("==", 1) for r in rec.requirements if "==" in r)


# -- recommend_for, in place: the installed era is kept, with what its metadata lacks ------------

def test_tensorflow_macos_2_9_keeps_its_build_numpy_1_and_its_working_metal_plugin():
    rec = recommend_for(mac(("tensorflow-macos", "2.9.2"), ("tensorflow-metal", "0.5.0"),
                            python="3.10"), KB)
    assert rec.requirements == ["tensorflow-macos==2.9.2", "numpy<2", "tensorflow-metal==0.5.0"]
    assert rec.tensorflow == "tensorflow-macos" and not rec.lacks_metal
    assert rec.reasons["tensorflow-metal"] == (
        "the knowledge base says it loads with TensorFlow 2.9.2; no resolver can tell, as it "
        "declares no TensorFlow dependency")


def test_tensorflow_macos_2_12_keeps_the_metal_0_8_that_loads_with_it():
    rec = recommend_for(mac(("tensorflow-macos", "2.12.0"), ("tensorflow-metal", "0.8.0")), KB)
    assert rec.requirements == ["tensorflow-macos==2.12.0", "numpy<2", "tensorflow-metal==0.8.0"]


def test_a_2_14_shim_and_its_build_are_kept_as_plain_tensorflow():
    rec = recommend_for(mac(("tensorflow", "2.14.1"), ("tensorflow-macos", "2.14.1"),
                            ("tensorflow-metal", "1.1.0")), KB)
    assert rec.requirements == ["tensorflow==2.14.1", "numpy<2", "tensorflow-metal==1.1.0"]
    assert rec.tensorflow == "tensorflow"


def test_tensorflow_macos_2_15_1_which_installs_nothing_becomes_tensorflow_2_15_1():
    rec = recommend_for(mac(("tensorflow-macos", "2.15.1"), ("tensorflow-metal", "1.1.0")), KB)
    assert rec.requirements == ["tensorflow==2.15.1", "numpy<2", "tensorflow-metal==1.1.0"]


def test_a_pre_release_is_judged_by_the_era_of_its_release():
    # A 2.16 pre-release of tensorflow-macos is a shim like 2.16 itself: plain tensorflow is
    # kept; a 2.15.0 pre-release is still the real build of its era.
    shim = recommend_for(mac(("tensorflow-macos", "2.16.1rc0")), KB)
    assert shim.tensorflow == "tensorflow"
    assert shim.requirements[0] == "tensorflow==2.16.1rc0"
    real = recommend_for(mac(("tensorflow-macos", "2.15.0rc1")), KB)
    assert real.tensorflow == "tensorflow-macos"
    assert real.requirements[0] == "tensorflow-macos==2.15.0rc1"


def test_an_installed_metal_that_loads_stays_although_apple_pairs_another():
    assert KB.metal_for_tf("2.16.2").table_metal == "1.1.0"
    rec = recommend_for(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "1.2.0")), KB)
    assert "tensorflow-metal==1.2.0" in rec.requirements
    swapped = recommend_for(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "0.5.0")), KB)
    assert "tensorflow-metal==1.1.0" in swapped.requirements  # 0.5.0 does not load: Apple's


def test_todays_tensorflow_on_a_mac_keeps_its_version_and_the_numpy_2_range_it_loads():
    rec = recommend_for(mac(("tensorflow", "2.18.1"), ("tensorflow-metal", "1.2.0")), KB)
    assert rec.requirements == ["tensorflow==2.18.1", "numpy>=1.26", "tensorflow-metal==1.2.0"]


@pytest.mark.parametrize("era", [
    [("tensorflow-macos", "2.12.0"), ("tensorflow-metal", "0.8.0")],
    [("tensorflow", "2.14.1"), ("tensorflow-macos", "2.14.1"), ("tensorflow-metal", "1.1.0")],
    [("tensorflow", "2.18.1"), ("tensorflow-metal", "1.2.0")],
])
def test_an_upgrade_from_any_era_is_todays_tensorflow_with_a_metal_plugin_that_loads(era):
    rec = recommend_for(mac(*era), KB, upgrade=True)
    chosen = pins(rec)
    assert rec.requirements[0].startswith("tensorflow==") and "tensorflow-macos" not in chosen
    newest = recommend("macos-arm64", "3.11", KB, metal=True)
    assert rec.requirements == newest.requirements
    from keras_doctor.knowledge.metal_pairs import metal_verdict

    assert metal_verdict(KB, chosen["tensorflow"], chosen["tensorflow-metal"]).loads


# -- installed_build: which TensorFlow distribution a new set keeps ------------------------------

@pytest.mark.parametrize(("installed", "platform", "kept"), [
    ({}, "linux-x86_64", "tensorflow"),
    ({"tensorflow-cpu": "2.15.1"}, "linux-x86_64", "tensorflow-cpu"),
    ({"tensorflow": "2.21.0"}, "linux-x86_64", "tensorflow"),
    # tensorflow-macos has no release after 2.16 to recommend: the new set is plain tensorflow.
    ({"tensorflow-macos": "2.12.0"}, "macos-arm64", "tensorflow"),
    ({"tensorflow": "2.14.1", "tensorflow-macos": "2.14.1"}, "macos-arm64", "tensorflow"),
    ({"tensorflow-macos": "2.15.1"}, "macos-arm64", "tensorflow"),
])
def test_a_new_set_keeps_the_installed_build_only_where_it_is_one_to_recommend(
        installed, platform, kept):
    assert installed_build({n: Version(v) for n, v in installed.items()}, platform) == kept


# -- recommend: the reasons beside each pin ------------------------------------------------------

def test_the_keras_reason_quotes_the_range_the_chosen_tensorflow_declares():
    rec = recommend("linux-x86_64", "3.11", KB)
    tf = pins(rec)["tensorflow"]
    declared = [Requirement(r) for r in KB.requires_for("tensorflow", tf, "linux-x86_64", "3.11")]
    (keras,) = [r for r in declared if r.name == "keras"]
    assert str(keras.specifier)  # today's TensorFlow states a Keras range
    assert rec.reasons["keras"] == f"newest keras inside tensorflow {tf}'s requirement " \
                                   f"{keras.specifier}"
    assert keras.specifier.contains(pins(rec)["keras"])


def test_tf_keras_needs_the_legacy_switch_from_the_first_keras_3_tensorflow_on_not_before():
    # TensorFlow 2.15 (the newest tensorflow-cpu-aws) still ships Keras 2 as tf.keras; 2.16 and
    # later need TF_USE_LEGACY_KERAS=1 for tf_keras to be used.
    keras2 = recommend("linux-aarch64", "3.11", KB, legacy_keras=True, build="tensorflow-cpu-aws")
    assert pins(keras2)["tensorflow-cpu-aws"] == "2.15.1"
    assert pins(keras2)["tf-keras"].startswith("2.15.")
    assert keras2.reasons["tf-keras"] == "Keras 2 as tf_keras (tf.keras is Keras 2 already)"
    keras3 = recommend("linux-x86_64", "3.11", KB, legacy_keras=True)
    assert Version(pins(keras3)["tensorflow"]) >= Version("2.16")
    assert keras3.reasons["tf-keras"].endswith("set TF_USE_LEGACY_KERAS=1")


def test_the_tensorflow_reason_says_when_it_is_the_installed_build_kept():
    cpu = recommend("linux-x86_64", "3.11", KB, build="tensorflow-cpu")
    assert cpu.reasons["tensorflow-cpu"] == ("newest release with a wheel for linux-x86_64 and "
                                             "Python 3.11 (the TensorFlow build already "
                                             "installed)")
    plain = recommend("linux-x86_64", "3.11", KB)
    assert plain.reasons["tensorflow"] == ("newest release with a wheel for linux-x86_64 and "
                                           "Python 3.11")


def test_the_tensorflow_reason_on_apple_silicon_says_a_metal_plugin_loads_with_it():
    rec = recommend("macos-arm64", "3.11", KB)
    assert rec.reasons["tensorflow"] == ("newest release with a wheel for macos-arm64 and Python "
                                         "3.11 that a tensorflow-metal release loads with")
    cpu_only = recommend("macos-arm64", "3.11", KB, metal=False)
    assert "tensorflow-metal" not in cpu_only.reasons["tensorflow"]


@pytest.mark.parametrize(("legacy", "problem"), [
    (False, "No TensorFlow release has wheels for Python 3.14 on linux-x86_64"),
    (True, "No TensorFlow release has wheels for Python 3.14 on linux-x86_64 together with "
           "tf_keras"),
])
def test_a_python_without_tensorflow_wheels_says_so_and_names_the_whole_set_for_another(
        legacy, problem):
    rec = recommend("linux-x86_64", "3.14", KB, legacy_keras=legacy)
    assert not rec.ok and rec.requirements == [] and rec.problem == problem
    other = recommend("linux-x86_64", "3.13", KB, legacy_keras=legacy)
    assert rec.alternative == ("Use Python 3.13 in a new virtual environment: "
                               + " ".join(other.requirements))


def test_a_build_with_no_wheel_here_gives_way_to_plain_tensorflow():
    # tensorflow-cpu has no Linux arm64 wheels: the set there is plain tensorflow.
    rec = recommend("linux-aarch64", "3.11", KB, build="tensorflow-cpu")
    assert rec.ok and rec.tensorflow == "tensorflow"
    assert rec.requirements == recommend("linux-aarch64", "3.11", KB).requirements
    # on Apple Silicon the plain tensorflow it gives way to keeps its metal plugin
    mac = recommend("macos-arm64", "3.11", KB, build="tensorflow-cpu", metal=True)
    assert mac.ok and mac.tensorflow == "tensorflow"
    assert mac.requirements == recommend("macos-arm64", "3.11", KB, metal=True).requirements
    assert any(r.startswith("tensorflow-metal==") for r in mac.requirements)
    legacy = recommend("linux-aarch64", "3.11", KB, build="tensorflow-cpu", legacy_keras=True)
    assert legacy.requirements == recommend("linux-aarch64", "3.11", KB,
                                            legacy_keras=True).requirements
    assert any(r.startswith("tf-keras==") for r in legacy.requirements)


def test_with_no_tensorflow_installed_the_newest_with_a_wheel_here_is_proposed():
    for platform, python in (("linux-x86_64", "3.12"), ("macos-x86_64", "3.11")):
        env = facts([real_dist("keras", "3.5.0", platform, python, requires=[])],
                    platform=platform, python=python)
        rec = recommend_for(env, KB)
        newest = KB.newest_release("tensorflow", platform, python).version
        assert rec.requirements[0] == f"tensorflow=={newest}"
        assert rec.reasons["tensorflow"] == (f"newest release with a wheel for {platform} and "
                                             f"Python {python}")
        assert recommend_for(env, KB, propose_tensorflow=False).requirements == []


def test_a_build_the_knowledge_base_has_no_table_for_gets_plain_tensorflow():
    rec = recommend("linux-x86_64", "3.11", KB, build="tensorflow-directml")
    assert rec.ok and rec.tensorflow == "tensorflow"
    assert rec.requirements == recommend("linux-x86_64", "3.11", KB).requirements


def test_metal_asked_for_off_apple_silicon_is_refused_with_the_way_out():
    rec = recommend("linux-x86_64", "3.11", KB, metal=True)
    assert not rec.ok and rec.requirements == []
    assert rec.problem == "tensorflow-metal exists only for Apple Silicon Macs (macos-arm64)"
    assert rec.alternative == "Drop --metal: TensorFlow runs on the CPU here"
