"""The wheels checks at their edges: the macOS version a replacement's wheel needs, the Keras era a
message names, and the fix a user reads for a TensorFlow with no wheel for this Python.

The distributions carry what their real wheels declare (tests/compat/compat_facts.py); only the
machine (platform, macOS version, Python) is stated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from keras_doctor.checks.registry import run_checks

sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
from compat_facts import KB, facts, real_dist


def mac(*pairs, python="3.11", macos="14.4"):
    return facts([real_dist(n, v, "macos-arm64", python) for n, v in pairs],
                 platform="macos-arm64", python=python, os_version=macos)


def found(f, cause):
    return [x for x in run_checks(f, lambda: KB).findings if x.cause == cause]


@pytest.mark.parametrize(("macos", "replaced"), [("11.7", False), ("12.0", True)])
def test_an_empty_tensorflow_macos_is_replaced_only_where_tensorflow_has_a_wheel_for_that_macos(
        macos, replaced):
    # tensorflow 2.15.1's macOS arm64 wheel is tagged macosx_12_0: on macOS 11 no installer picks
    # it, so the only honest advice there is the upgrade, not a swap that cannot install.
    (x,) = found(mac(("tensorflow-macos", "2.15.1"), macos=macos), "deprecated-distribution")
    descriptions = [s.description for s in x.fix]
    if replaced:
        assert descriptions == ["Uninstall tensorflow-macos", "Install tensorflow 2.15.1 instead"]
        assert x.evidence["replacement_version"] == "2.15.1"
    else:
        (only,) = descriptions
        assert only.startswith("Nothing to do now: `tensorflow` 2.15.1 has no wheel for "
                               "macos-arm64")
        assert x.evidence["replacement_version"] is None


@pytest.mark.parametrize(("installed", "era"), [
    ([("tensorflow-macos", "2.15.1")], "(Keras 2)"),
    ([("tensorflow-macos", "2.15.1"), ("tensorflow-metal", "1.1.0")],
     "(Keras 2, tensorflow-metal 1.1.0)"),
    ([("tensorflow-macos", "2.16.2")], "(Keras 3)"),
])
def test_the_message_without_a_replacement_names_the_keras_era_the_environment_is_in(
        installed, era):
    (x,) = found(mac(*installed, macos="11.7"), "deprecated-distribution")
    (step,) = x.fix
    assert f"changes what this environment uses {era}" in step.description
    assert step.description.endswith("run `keras-doctor fix --upgrade`")


def test_a_tensorflow_without_a_wheel_for_this_python_offers_the_newest_release_that_has_one():
    f = mac(("tensorflow", "2.16.2"), python="3.13")
    (x,) = [y for y in found(f, "no-wheel-for-python") if y.check == "installed-wheels"]
    newest = KB.newest_release("tensorflow", "macos-arm64", "3.13")
    install, other_python = x.fix
    assert install.description == (f"Install tensorflow {newest.version}, the newest release "
                                   "with a wheel for macos-arm64 and Python 3.13")
    assert install.command[-1] == f"tensorflow=={newest.version}"
    assert other_python.description.startswith("Or use Python 3.12")
    assert x.evidence["os_version"] == "14.4"  # the macOS the wheel tables were read for
    linux = facts([real_dist("tensorflow", "2.16.2")], python="3.13")
    (y,) = found(linux, "no-wheel-for-python")
    assert y.evidence["os_version"] is None
