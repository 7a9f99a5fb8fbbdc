"""What `keras-doctor recommend` answers, as a user reads it (and as --json prints it)."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement

from keras_doctor.knowledge import load
from keras_doctor.plan.recommend import recommend

KB = load()


@pytest.mark.parametrize("platform", ["macos-arm64", "linux-x86_64"])
def test_a_recommendation_pins_tensorflow_its_keras_and_numpy(platform):
    rec = recommend(platform, "3.11", KB)
    names = [Requirement(r).name for r in rec.requirements]
    assert names[0] == "tensorflow"
    assert "keras" in names and "numpy" in names
    assert all(str(Requirement(r).specifier).startswith("==") for r in rec.requirements)
    assert rec.reasons["keras"].startswith("newest keras inside tensorflow ")


def test_a_full_python_version_is_answered_for_its_minor():
    full, minor = recommend("macos-arm64", "3.11.7", KB), recommend("macos-arm64", "3.11", KB)
    assert full.python_version == "3.11"
    assert full.requirements == minor.requirements


def test_legacy_keras_on_keras_3_tensorflow_says_how_to_switch_it_on():
    rec = recommend("linux-x86_64", "3.11", KB, legacy_keras=True)
    assert any(r.startswith("tf-keras==") for r in rec.requirements)
    assert rec.reasons["tf-keras"].endswith("set TF_USE_LEGACY_KERAS=1")


def test_the_json_answer_carries_the_reasons():
    rec = recommend("macos-arm64", "3.11", KB)
    data = rec.to_dict()
    assert data["reasons"] == rec.reasons and data["reasons"]
    assert data["requirements"] == list(rec.requirements) and data["ok"] is True


def test_a_mac_recommendation_says_why_the_metal_plugin_is_pinned():
    rec = recommend("macos-arm64", "3.11", KB)
    metal = [r for r in rec.requirements if r.startswith("tensorflow-metal==")]
    assert metal
    assert rec.reasons["tensorflow-metal"].startswith("loads with tensorflow ")
    assert rec.reasons["tensorflow-metal"].endswith("it declares no TensorFlow dependency, so it "
                                                    "must be pinned")


def test_the_json_answer_has_exactly_its_documented_keys():
    data = recommend("linux-x86_64", "3.11", KB).to_dict()
    assert set(data) == {"platform", "python_version", "ok", "requirements", "reasons",
                         "problem", "alternative", "notes"}
    assert (data["platform"], data["python_version"]) == ("linux-x86_64", "3.11")


def test_the_numpy_pin_is_one_the_tensorflow_build_can_load():
    rec = recommend("linux-x86_64", "3.11", KB)
    tf = next(r for r in rec.requirements if r.startswith("tensorflow=="))
    numpy = next(r for r in rec.requirements if r.startswith("numpy=="))
    abi = KB.tf_numpy_abi(tf.split("==")[1])
    assert abi is not None and abi.runtime
    from packaging.specifiers import SpecifierSet

    assert SpecifierSet(abi.runtime).contains(numpy.split("==")[1])
    assert "numpy" in rec.reasons
