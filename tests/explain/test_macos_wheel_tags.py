"""A Mac older than the macOS its wheels are tagged for: pip finds "no matching distribution".

A wheel tagged `macosx_10_13_x86_64` installs on macOS 10.13 and later: pip accepts the platform
tags `packaging.tags.mac_platforms` lists for the running macOS, which stop at its own release. The
release tables keep each wheel's tag, so the macOS a paste states (or the one pip's `from
versions:` list was made on) decides against the Python and the platform. Each case checks the
table fact it rests on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import explain_text, wheels
from keras_doctor.explain.engine import hypotheses

# tensorflow/addons#704 (tuning corpus): Python 3.6.9 on macOS 10.12.6, `tensorflow-addons==0.6.0`,
# pip offering 0.3.1 only; the reporter upgraded to 10.15 and it installed.
ADDONS_ON_SIERRA = "tfa-704-macos-10-12-addons-060-not-found"


def causes(text: str) -> list:
    return [h.cause for h in hypotheses(text)[1][:2]]


def test_the_table_fact_addons_0_6_needs_high_sierra_0_3_1_did_not():
    tags_060 = wheels.table("tensorflow-addons")["0.6.0"][0]
    tags_031 = wheels.table("tensorflow-addons")["0.3.1"][0]
    assert "cp36-cp36m-macosx_10_13_x86_64" in tags_060
    assert "cp36-cp36m-macosx_10_7_x86_64" in tags_031


def test_a_mac_older_than_the_wheels_macos_is_the_macos():
    text = corpus.case(ADDONS_ON_SIERRA)["text"]
    assert wheels.macos_version_shown(text) == (10, 12)
    assert wheels.macos_too_old(text) == (0.9, {
        "requirement": "tensorflow-addons==0.6.0", "platform_read": "macos-x86_64",
        "python_read": "3.6", "needs_macos": "10.13", "macos_read": "10.12",
        "decided_by": "knowledge/data/releases/tensorflow-addons.json"})
    assert causes(text) == ["macos-too-old", "no-wheel-for-python"]


def test_without_the_macos_pips_list_is_what_an_older_mac_sees():
    # 0.3.1 alone is what pip lists for CPython 3.6 on macOS 10.7-10.12: 0.4.0 and later carry
    # macosx_10_13 tags
    text = corpus.case(ADDONS_ON_SIERRA)["text"].replace("mac version:10.12.6", "mac")
    assert wheels.macos_version_shown(text) is None
    decision = wheels.macos_too_old(text)
    assert decision is not None
    assert (decision[0], decision[1]["needs_macos"]) == (0.75, "10.13")
    assert causes(text) == ["macos-too-old", "no-wheel-for-python"]


def test_a_mac_new_enough_for_the_wheel_is_not_the_macos():
    text = corpus.case(ADDONS_ON_SIERRA)["text"].replace("mac version:10.12.6", "macOS 10.14.6")
    assert wheels.macos_too_old(text) is None
    assert causes(text) == ["no-wheel-for-python", "no-wheel-for-platform"]


def test_a_python_the_release_has_no_mac_wheel_for_is_not_the_macos():
    assert not any(tag.startswith("cp38") for tag in wheels.table("tensorflow-addons")["0.6.0"][0])
    text = corpus.case(ADDONS_ON_SIERRA)["text"].replace("python 3.6.9", "python 3.8.1")
    assert wheels.macos_too_old(text) is None
    assert causes(text) == ["no-wheel-for-python", "no-wheel-for-platform"]


def test_the_same_list_on_linux_is_not_the_macos():
    text = corpus.case(ADDONS_ON_SIERRA)["text"].replace("mac version:10.12.6", "Ubuntu 18.04")
    assert wheels.macos_too_old(text) is None
    assert "macos-too-old" not in causes(text)


@pytest.mark.parametrize(("text", "version"), [
    ("OS: Mac 10.14.6", (10, 14)),
    ("OS X 10.10.5", (10, 10)),
    ("platform: macOS-10.15.7-x86_64-i386-64bit", (10, 15)),
    ("on macOS 11 (Big Sur)", (11, 0)),
    ("macOS High Sierra", (10, 13)),
    ("macOS Sierra", (10, 12)),
    ("Mojave, then upgraded to macOS 14", (10, 14)),  # the Mac pip ran on: the older
    ("macOS arm64, Python 3.11", None),
    ("pip 10.0.1 on a mac", None),
])
def test_the_macos_a_paste_states(text, version):
    assert wheels.macos_version_shown(text) == version


# -- a wheel file refused because the Mac is older than its tag ------------------------------------

REFUSED = ("$ pip install {wheel}\n{wheel} is not a supported wheel on this platform.\n")


@pytest.mark.parametrize("wheel, about_the_mac, shown, needs", [
    # tensorflow#10085: pip's own supported tags stop at 10.10
    ("tensorflow-1.2.0rc0-cp27-cp27m-macosx_10_11_x86_64.whl",
     "$ python -c \"from pip import pep425tags;print(pep425tags.supported_tags)\"\n"
     "[('cp27', 'cp27m', 'macosx_10_10_x86_64'), ('cp27', 'cp27m', 'macosx_10_10_intel'), "
     "('cp27', 'cp27m', 'macosx_10_9_x86_64')]", "10.10", "macOS 10.11"),
    ("mediapipe-0.8.2-cp38-cp38-macosx_10_15_x86_64.whl", "Attempting to install on macOS 10.14.6",
     "10.14", "macOS 10.15"),
    ("tensorflow-2.3.1-cp37-cp37m-macosx_10_14_x86_64.whl", "I am on Mojave", "10.14", None),
    ("tensorflow-2.3.1-cp37-cp37m-macosx_10_14_x86_64.whl", "pip debug --verbose\n"
     "cp37-cp37m-macosx_10_13_x86_64\ncp37-cp37m-macosx_10_12_x86_64", "10.13", "macOS 10.14"),
])
def test_a_wheel_for_a_newer_macos_than_the_mac_shown_is_the_mac(wheel, about_the_mac, shown,
                                                                  needs):
    found = explain_text(REFUSED.format(wheel=wheel) + about_the_mac).findings[0]
    if needs is None:  # the Mac shown takes the wheel's tag: something else refused it
        assert found.cause != "macos-too-old"
        return
    assert found.cause == "macos-too-old"
    assert (found.evidence["macos_shown"], found.evidence["wheel_needs"]) == (shown, needs)


@pytest.mark.parametrize("wheel", [
    "tensorflow-2.16.1-cp311-cp311-macosx_12_0_arm64.whl",  # the CPU decides an arm64 wheel
    "tensorflow-2.16.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
])
def test_only_an_intel_or_universal_mac_wheel_is_judged_by_the_macos_release(wheel):
    text = REFUSED.format(wheel=wheel) + "macOS 10.15.7"
    assert explain_text(text).findings[0].cause != "macos-too-old"
