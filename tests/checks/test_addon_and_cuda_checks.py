"""An add-on built for another TensorFlow, and TensorFlow's CUDA wheels half installed.

The requirement lines are copied from the real wheels' METADATA: tensorflow-text 2.15.0 and
tensorflow-addons 0.23.0 (manylinux2014 x86_64, cp311), tensorflow 2.16.2 (its `and-cuda` extra).
Each boundary is tested on both sides.
"""

from __future__ import annotations

from dataclasses import replace

from factories import dist, mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts.collect import stated_marker_environment

TF_TEXT_2_15 = [
    "tensorflow-hub (>=0.13.0)",
    'tensorflow (<2.16,>=2.15.0) ; platform_machine != "arm64" or platform_system != "Darwin"',
    'tensorflow-macos (<2.16,>=2.15.0) ; platform_machine == "arm64" and platform_system == '
    '"Darwin"',
    "tensorflow-cpu (<2.14,>=2.13.0) ; extra == 'tensorflow_cpu'",
]
TF_ADDONS_0_23 = [
    "packaging",
    "typeguard (<3.0.0,>=2.7)",
    "tensorflow (<2.16.0,>=2.13.0) ; extra == 'tensorflow'",
    "tensorflow-cpu (<2.16.0,>=2.13.0) ; extra == 'tensorflow-cpu'",
    "tensorflow-gpu (<2.16.0,>=2.13.0) ; extra == 'tensorflow-gpu'",
]
TF_2_16_AND_CUDA = {
    "nvidia-cublas-cu12": "12.3.4.1", "nvidia-cuda-cupti-cu12": "12.3.101",
    "nvidia-cuda-nvcc-cu12": "12.3.107", "nvidia-cuda-nvrtc-cu12": "12.3.107",
    "nvidia-cuda-runtime-cu12": "12.3.101", "nvidia-cudnn-cu12": "8.9.7.29",
    "nvidia-cufft-cu12": "11.0.12.1", "nvidia-curand-cu12": "10.3.4.107",
    "nvidia-cusolver-cu12": "11.5.4.101", "nvidia-cusparse-cu12": "12.2.0.103",
    "nvidia-nccl-cu12": "2.19.3", "nvidia-nvjitlink-cu12": "12.3.101",
}


def by_cause(facts, cause):
    return [f for f in run_checks(facts).findings if f.cause == cause]


def linux(distributions):
    facts = mac_facts(distributions=distributions)
    platform = replace(facts.platform, system="Linux", machine="x86_64", libc="glibc 2.35",
                       os_version=None, apple_silicon=None)
    interpreter = replace(facts.interpreter, running_arch="x86_64", executable_format="elf",
                          executable_archs=["x86_64"],
                          marker_environment=stated_marker_environment("Linux", "x86_64",
                                                                       "3.11.7"))
    return replace(facts, platform=platform, interpreter=interpreter,
                   target=replace(facts.target, platform="linux-x86_64"))


def tensorflow(version="2.16.2"):
    requires = ["numpy <2.0.0,>=1.23.5 ; python_version <= \"3.11\""] + [
        f"{name} =={pin} ; extra == 'and-cuda'" for name, pin in TF_2_16_AND_CUDA.items()]
    return dist("tensorflow", version, requires)


def nvidia(overrides=None, without=()):
    pins = {**TF_2_16_AND_CUDA, **(overrides or {})}
    return [dist(name, pin) for name, pin in pins.items() if name not in without]


def _numpy():
    return dist("numpy", "1.26.4")


# -- tensorflow-text pins TensorFlow's minor in its base requirements --------------------------


def test_tensorflow_text_for_another_minor_is_this_cause_not_a_generic_conflict():
    facts = linux([dist("tensorflow-text", "2.15.0", TF_TEXT_2_15), tensorflow("2.16.2"),
                   _numpy(), dist("tensorflow-hub", "0.16.1")])
    (found,) = by_cause(facts, "extension-built-against-another-tensorflow")
    assert found.evidence["requirer"] == "tensorflow-text"
    assert not [f for f in by_cause(facts, "requirement-conflict")
                if f.evidence.get("requirer") == "tensorflow-text"]


def test_tensorflow_text_of_the_same_minor_is_fine():
    facts = linux([dist("tensorflow-text", "2.15.0", TF_TEXT_2_15), tensorflow("2.15.1"),
                   _numpy(), dist("tensorflow-hub", "0.16.1")])
    assert not by_cause(facts, "extension-built-against-another-tensorflow")


# -- tensorflow-addons declares its range only under its `tensorflow` extra -------------------


def test_addons_outside_the_range_its_extra_declares():
    facts = linux([dist("tensorflow-addons", "0.23.0", TF_ADDONS_0_23), tensorflow("2.16.2"),
                   _numpy(), dist("packaging", "24.0"), dist("typeguard", "2.13.3")])
    (found,) = by_cause(facts, "extension-built-against-another-tensorflow")
    assert found.evidence["supported_tensorflow"] == "<2.16.0,>=2.13.0"
    assert "tensorflow<2.16.0,>=2.13.0" in found.fix[0].command


def test_addons_inside_the_range_is_fine():
    facts = linux([dist("tensorflow-addons", "0.23.0", TF_ADDONS_0_23), tensorflow("2.15.1"),
                   _numpy(), dist("packaging", "24.0"), dist("typeguard", "2.13.3")])
    assert not by_cause(facts, "extension-built-against-another-tensorflow")


# -- tensorflow[and-cuda] ---------------------------------------------------------------------


def test_a_cpu_only_tensorflow_needs_no_cuda_wheels():
    assert not by_cause(linux([tensorflow(), _numpy()]), "native-runtime-library-missing")


def test_every_cuda_wheel_at_its_pin_is_fine():
    assert not by_cause(linux([tensorflow(), _numpy(), *nvidia()]),
                        "native-runtime-library-missing")


def test_a_missing_cudnn_wheel_is_named():
    facts = linux([tensorflow(), _numpy(), *nvidia(without={"nvidia-cudnn-cu12"})])
    (found,) = by_cause(facts, "native-runtime-library-missing")
    assert found.evidence["problems"] == ["nvidia-cudnn-cu12 is missing"]
    assert "tensorflow[and-cuda]==2.16.2" in found.fix[0].command


def test_a_cudnn_of_another_release_is_named():
    facts = linux([tensorflow(), _numpy(), *nvidia({"nvidia-cudnn-cu12": "9.1.0.70"})])
    (found,) = by_cause(facts, "native-runtime-library-missing")
    assert found.evidence["problems"] == [
        "nvidia-cudnn-cu12 9.1.0.70 (TensorFlow wants ==8.9.7.29)"]
