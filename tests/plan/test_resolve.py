"""Resolution for the target platform, with uv (markers evaluated for the target) and pip."""

from __future__ import annotations

import sys

import pytest

from keras_doctor.plan.resolve import PIP_LIMITATION, parse_pins, resolve


def test_parse_pins_reads_compile_output():
    pins = parse_pins(["numpy==1.26.4", "", "# comment", "Keras==2.15.0  # via tensorflow",
                       "typing_extensions==4.12.2"])
    assert pins == {"numpy": "1.26.4", "keras": "2.15.0", "typing-extensions": "4.12.2"}


def test_parse_pins_rejects_anything_but_exact_pins():
    with pytest.raises(ValueError):
        parse_pins(["numpy>=1.26"])


@pytest.mark.slow
def test_uv_evaluates_markers_for_the_target_platform():
    # On Windows, tensorflow 2.11-2.18 pulls in tensorflow-intel (a platform_system marker).
    windows = resolve(["tensorflow==2.15.1"], "windows-amd64", "3.11")
    linux = resolve(["tensorflow==2.15.1"], "linux-x86_64", "3.11")
    assert windows.ok and linux.ok, (windows.error, linux.error)
    assert windows.resolver == "uv" and windows.limitation is None
    assert windows.pins["tensorflow-intel"] == "2.15.1"
    assert "tensorflow-intel" not in linux.pins
    assert linux.pins["tensorflow"] == "2.15.1"
    assert linux.pins["numpy"].startswith("1.")


@pytest.mark.slow
def test_an_impossible_set_reports_the_resolvers_reason():
    result = resolve(["tensorflow==2.15.1", "numpy>=2"], "macos-arm64", "3.11")
    assert not result.ok
    assert "numpy" in result.error and "tensorflow" in result.error


@pytest.mark.slow
def test_installed_versions_are_kept_when_the_set_allows_them():
    result = resolve(["tensorflow==2.15.1"], "linux-x86_64", "3.11",
                     preferences={"protobuf": "4.25.3", "numpy": "2.1.3", "six": "1.16.0"})
    assert result.ok, result.error
    assert result.pins["protobuf"] == "4.25.3"
    assert result.pins["six"] == "1.16.0"
    assert result.pins["numpy"].startswith("1.")  # 2.1.3 is outside TensorFlow's range


@pytest.mark.slow
def test_pip_fallback_states_its_marker_limitation():
    # The test environment itself has pip (it is in the [test] extra).
    result = resolve(["six==1.16.0"], "linux-x86_64", "3.11", prefer="pip",
                     pip_python=sys.executable)
    assert result.ok, result.error
    assert result.resolver == "pip"
    assert result.limitation == PIP_LIMITATION
    assert result.pins == {"six": "1.16.0"}
