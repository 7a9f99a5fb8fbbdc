"""Checks of the causes that real error reports showed and the catalog lacked.

glibc too old for a wheel, two OpenMP runtimes, a dependency too new for an old release, and two
distributions of the `keras/` package. Each is tested on both sides of its boundary.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from factories import binary, dist, mac_facts

from keras_doctor.checks.registry import run_checks


def by_cause(facts, cause):
    return [f for f in run_checks(facts).findings if f.cause == cause]


def linux_facts(libc: str, distributions):
    facts = mac_facts(distributions=distributions)
    platform = replace(facts.platform, system="Linux", machine="x86_64", libc=libc,
                       os_version=None, apple_silicon=None)
    interpreter = replace(facts.interpreter, running_arch="x86_64", executable_format="elf",
                          executable_archs=["x86_64"])
    return replace(facts, platform=platform, interpreter=interpreter,
                   target=replace(facts.target, platform="linux-x86_64"))


def _wheel(tag: str):
    d = dist("h5py", "3.14.0")
    d.wheel_tags = [tag]
    return d


def test_manylinux_2_28_wheel_on_glibc_2_17_is_glibc_too_old():
    facts = linux_facts("glibc 2.17", [_wheel("cp311-cp311-manylinux_2_28_x86_64")])
    (found,) = by_cause(facts, "glibc-too-old")
    assert found.evidence["needs"] == "glibc 2.28"
    assert not by_cause(facts, "wheel-tag-mismatch")  # one cause, not two


def test_same_wheel_on_glibc_2_28_is_fine():
    facts = linux_facts("glibc 2.28", [_wheel("cp311-cp311-manylinux_2_28_x86_64")])
    assert not by_cause(facts, "glibc-too-old")
    assert not by_cause(facts, "wheel-tag-mismatch")


def test_wrong_python_and_new_glibc_is_a_tag_mismatch_not_glibc():
    facts = linux_facts("glibc 2.17", [_wheel("cp39-cp39-manylinux_2_28_x86_64")])
    assert not by_cause(facts, "glibc-too-old")
    assert by_cause(facts, "wheel-tag-mismatch")


def test_two_openmp_runtimes_from_two_distributions():
    facts = mac_facts(binaries=[
        binary("torch/lib/libomp.dylib", ["arm64"], "torch"),
        binary("sklearn/.dylibs/libomp.dylib", ["arm64"], "scikit-learn"),
    ])
    (found,) = by_cause(facts, "openmp-duplicate-runtime")
    assert set(found.evidence["runtimes"]) == {"torch", "scikit-learn"}


def test_one_openmp_runtime_and_gnu_openmp_coexist():
    facts = mac_facts(binaries=[
        binary("torch/lib/libomp.dylib", ["arm64"], "torch"),
        binary("xgboost/lib/libgomp.so.1", ["arm64"], "xgboost"),
    ])
    assert not by_cause(facts, "openmp-duplicate-runtime")


def test_h5py_3_with_keras_2_4_is_too_new_and_with_keras_2_6_is_fine():
    old = mac_facts(distributions=[dist("keras", "2.4.3"), dist("h5py", "3.1.0")])
    (found,) = by_cause(old, "dependency-too-new")
    assert found.fix[0].command[-1] == "h5py<3"
    assert not by_cause(mac_facts(distributions=[dist("keras", "2.4.3"), dist("h5py", "2.10.0")]),
                        "dependency-too-new")
    assert not by_cause(mac_facts(distributions=[dist("keras", "2.6.0"), dist("h5py", "3.1.0")]),
                        "dependency-too-new")


def test_keras_and_keras_nightly_sharing_keras_folder():
    files = ["keras/__init__.py", "keras/engine/training.py"]
    facts = mac_facts(distributions=[dist("keras", "2.6.0", files=files),
                                     dist("keras-nightly", "2.7.0.dev2021090807", files=files)])
    (found,) = by_cause(facts, "keras-distributions-overlap")
    assert {o["name"] for o in found.evidence["owners"]} == {"keras", "keras-nightly"}
    assert not by_cause(facts, "tf-distributions-overlap")


def test_two_tensorflow_builds_stay_tf_distributions_overlap():
    files = ["tensorflow/__init__.py"]
    facts = mac_facts(distributions=[dist("tensorflow", "2.16.2", files=files),
                                     dist("tensorflow-macos", "2.15.0", files=files)])
    assert by_cause(facts, "tf-distributions-overlap")
    assert not by_cause(facts, "keras-distributions-overlap")


def test_a_manylinux_wheel_on_musl_is_a_wrong_wheel_not_an_old_glibc():
    # No glibc release helps on Alpine: the wheel itself is the wrong one.
    facts = linux_facts("musl 1.2.4", [_wheel("cp311-cp311-manylinux_2_28_x86_64")])
    assert not by_cause(facts, "glibc-too-old")
    (found,) = by_cause(facts, "wheel-tag-mismatch")
    assert found.evidence["name"] == "h5py"


def test_a_linux_target_whose_glibc_is_unknown_is_not_told_its_glibc_is_too_old():
    facts = linux_facts(None, [_wheel("cp311-cp311-manylinux_2_41_x86_64")])
    assert not by_cause(facts, "glibc-too-old")
    assert by_cause(facts, "wheel-tag-mismatch")
    assert not by_cause(linux_facts(None, [_wheel("cp311-cp311-manylinux_2_39_x86_64")]),
                        "wheel-tag-mismatch")


def test_keras_3_below_tensorflows_keras_floor_is_a_skew_not_keras_3_required():
    def causes(keras):
        facts = mac_facts(distributions=[dist("tensorflow", "2.17.0", requires=["keras>=3.2.0"]),
                                         dist("keras", keras)])
        return {f.cause for f in run_checks(facts).findings} & {"keras3-required",
                                                                "keras-tf-version-skew"}
    assert causes("3.1.0") == {"keras-tf-version-skew"}  # Keras 3 already: only the minor moves
    assert causes("2.15.0") == {"keras3-required"}
    assert causes("3.2.0") == set()


def test_a_manylinux2014_wheel_on_an_older_glibc_names_the_glibc_it_needs():
    facts = linux_facts("glibc 2.12", [_wheel("cp311-cp311-manylinux2014_x86_64")])
    (found,) = by_cause(facts, "glibc-too-old")
    assert found.evidence["needs"] == "glibc 2.17"
    assert not by_cause(linux_facts("glibc 2.17", [_wheel("cp311-cp311-manylinux2014_x86_64")]),
                        "glibc-too-old")
    (old,) = by_cause(linux_facts("glibc 2.5", [_wheel("cp311-cp311-manylinux2010_x86_64")]),
                      "glibc-too-old")
    assert old.evidence["needs"] == "glibc 2.12"


def test_a_keras_skew_under_a_tensorflow_of_unparseable_version_names_it_as_installed():
    facts = mac_facts(distributions=[dist("tensorflow", "custom-build",
                                          requires=["keras>=3.2.0"]), dist("keras", "3.1.0")])
    (found,) = by_cause(facts, "keras-tf-version-skew")
    assert found.title == ("keras 3.1.0 is older than tensorflow custom-build supports "
                           "(tensorflow custom-build requires keras>=3.2.0): install keras>=3.2.0")
    assert found.fix[0].command[-1] == "keras>=3.2.0"


def test_a_keras_3_library_is_named_unless_its_own_metadata_already_says_it():
    def keras3_needs(hub_requires):
        facts = mac_facts(distributions=[
            dist("tensorflow", "2.16.1", requires=["keras>=3.0.0"]), dist("keras", "2.15.0"),
            dist("keras-hub", "0.18.1", requires=hub_requires)])
        return [[n["needed_by"] for n in f.evidence.get("needs") or [{"needed_by": f.check}]]
                for f in by_cause(facts, "keras3-required")]
    # TensorFlow's declared need is the requirements check's; keras-hub declares nothing.
    assert keras3_needs([]) == [["requirements"], ["keras-hub 0.18.1"]]
    assert keras3_needs(["keras>=3.5"]) == [["requirements"]]  # its own conflict, reported once


@pytest.mark.parametrize(("tag", "glibc"), [("manylinux2014", 17), ("manylinux2010", 12),
                                            ("manylinux1", 5)])
def test_each_legacy_manylinux_tag_needs_its_own_glibc_and_no_newer(tag, glibc):
    wheel = _wheel(f"cp311-cp311-{tag}_x86_64")
    (found,) = by_cause(linux_facts(f"glibc 2.{glibc - 1}", [wheel]), "glibc-too-old")
    assert found.evidence["needs"] == f"glibc 2.{glibc}"
    fine = linux_facts(f"glibc 2.{glibc}", [wheel])
    assert not by_cause(fine, "glibc-too-old") and not by_cause(fine, "wheel-tag-mismatch")


def test_only_a_compiled_add_on_is_built_against_another_tensorflow():
    from packaging.version import Version

    from keras_doctor.checks.distributions import conflict_cause

    assert conflict_cause("tensorflow-text", "tensorflow", Version("2.15.1")) == \
        "extension-built-against-another-tensorflow"
    assert conflict_cause("keras-nlp", "tensorflow", Version("2.5.0")) == "requirement-conflict"
