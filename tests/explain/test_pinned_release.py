"""A pin the index does not have is its own cause, told apart from a missing wheel by the tables.

pip prints "Could not find a version that satisfies the requirement X==V (from versions: …)" both
when V exists without a wheel for this machine and when V is not on the index at all. The release
tables (`knowledge/data/releases`) and pip's own list decide; the real reports below are both
sides of that line.
"""

from __future__ import annotations

import re

import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import PINNED_LATER_MECHANISM, PINNED_MECHANISM
from keras_doctor.explain.wheels import unpublished


def first(text: str) -> str:
    return explain_text(text).findings[0].cause


def not_found(requirement: str, versions: str = "") -> str:
    listed = f" (from versions: {versions})" if versions else ""
    return ("ERROR: Could not find a version that satisfies the requirement "
            f"{requirement}{listed}\nERROR: No matching distribution found for {requirement}\n")


@pytest.mark.parametrize("requirement, nearest", [
    ("keras==2.5.0", "2.4.3"),  # Keras 2.5 only ever had release candidates
    ("tensorflow==2.16.0", "2.15.1"),  # 2.16.1 was the first final 2.16
    ("tensorflow-macos==2.3.0", "2.5.0"),  # tensorflow-macos starts at 2.5.0
    ("tensorflow==1.15.1", "1.15.0"),
])
def test_a_release_no_platform_ever_had_is_pinned_release_unavailable(requirement, nearest):
    report = explain_text(not_found(requirement, "2.8.0, 2.9.0"))
    assert report.findings[0].cause == "pinned-release-unavailable"
    assert nearest in report.findings[0].evidence["nearest_published"]
    assert not unpublished(not_found(requirement.replace(requirement.split("==")[1], nearest)))


@pytest.mark.parametrize("requirement", ["tensorflow==2.3.0", "keras==2.4.3", "tensorflow==1.5"])
def test_a_release_that_exists_stays_a_wheel_question(requirement):
    # 1.5 is 1.5.0 to pip: a pin without its trailing zero is not a release that is missing
    text = not_found(requirement, "2.8.0, 2.9.0")
    assert unpublished(text) is None
    assert first(text) in ("no-wheel-for-python", "no-wheel-for-platform")


def test_a_pre_release_pin_is_not_judged_the_tables_keep_finals_only():
    assert unpublished(not_found("tensorflow==2.2.0rc4", "1.15.4, 2.0.1")) is None


def test_a_release_only_a_newer_pip_can_read_is_not_late():
    # 1.15.0 came four months after 1.14.0 with manylinux2010 wheels, which pip < 19 cannot read:
    # on Linux its list stops at 1.14.0 although 1.15.0 is published
    text = "/home/ada/venv/lib/python3.6/site-packages\n" + not_found(
        "tensorflow==1.15.0", "1.13.1, 1.13.2, 1.14.0")
    assert unpublished(text) is None
    assert unpublished(text.replace("/home/ada", "C:\\Users\\ada")) is not None


def test_a_range_is_not_a_pin():
    assert unpublished(not_found("tensorflow~=1.15.0", "1.13.1, 1.14.0")) is None


# -- real reports (tensorflow/tensorflow and downstream repositories that may tune) --------------

# tensorflow/tensorflow#61984: tensorflow 2.14.0 for Apple Silicon required tensorflow-macos
# 2.14.0 before it was uploaded; pip's list shows the machine got every earlier release.
NOT_YET = (
    'ERROR: Could not find a version that satisfies the requirement tensorflow-macos==2.14.0; '
    'platform_system == "Darwin" and platform_machine == "arm64" (from tensorflow) (from versions:'
    ' 2.12.0, 2.13.0rc0, 2.13.0rc1, 2.13.0rc2, 2.13.0, 2.14.0rc0, 2.14.0rc1)\n'
    'ERROR: No matching distribution found for tensorflow-macos==2.14.0; platform_system == '
    '"Darwin" and platform_machine == "arm64"\n')
WHEEL_CP311 = ("  Using cached tensorflow-2.14.0-cp311-cp311-macosx_12_0_arm64.whl.metadata "
               "(3.3 kB)\n")


def test_a_release_published_after_pip_looked_is_pinned_release_unavailable():
    report = explain_text(WHEEL_CP311 + NOT_YET)
    assert report.findings[0].cause == "pinned-release-unavailable"
    assert report.findings[0].evidence["published_later"] == "2023-09-27"
    assert report.findings[0].explanation == PINNED_LATER_MECHANISM
    assert "index_as_of" not in report.findings[0].evidence


def test_a_release_never_published_says_so_and_when_the_table_looked():
    found = explain_text(not_found("tensorflow==2.16.0", "2.8.0, 2.9.0")).findings[0]
    assert found.cause == "pinned-release-unavailable"
    assert found.explanation == PINNED_MECHANISM
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", found.evidence["index_as_of"])


def test_the_same_list_on_a_python_the_release_has_no_wheel_for_is_not_late():
    # tensorflow-macos 2.14.0 has no cp38 wheel, though 2.12.0 and 2.13.0 have: on Python 3.8
    # pip would not have listed it even once published
    text = WHEEL_CP311.replace("cp311", "cp38") + NOT_YET
    assert unpublished(text) is None


@pytest.mark.parametrize("text", [
    # tensorflow/tensorflow#53709 (macOS, Python 3.9: 2.4.1 has no cp39 wheel)
    "ERROR: Could not find a version that satisfies the requirement tensorflow==2.4.1 (from "
    "versions: 2.5.0rc0, 2.5.0rc1, 2.5.0rc2, 2.5.0rc3, 2.5.0, 2.5.1, 2.5.2, 2.6.0rc0, 2.6.0rc1, "
    "2.6.0rc2, 2.6.0, 2.6.1, 2.6.2, 2.7.0rc0, 2.7.0rc1, 2.7.0, 2.8.0rc0)\nERROR: No matching "
    "distribution found for tensorflow==2.4.1",
    # schulter/EMOGI#9 (1.15.3 exists for Python ≤ 3.7; the reply: use Python 3.7)
    "ERROR: Could not find a version that satisfies the requirement tensorflow==1.15.3 (from "
    "versions: 2.5.0, 2.5.1, 2.5.2, 2.5.3, 2.6.0rc0, 2.6.0rc1, 2.6.0rc2, 2.6.0, 2.6.1, 2.6.2, "
    "2.6.3, 2.6.4, 2.7.0rc0, 2.7.0rc1, 2.7.0, 2.7.1, 2.7.2, 2.8.0rc0, 2.8.0rc1, 2.8.0, 2.8.1, "
    "2.9.0rc0, 2.9.0rc1, 2.9.0rc2, 2.9.0)\nERROR: No matching distribution found for "
    "tensorflow==1.15.3",
    # tensorflow/tensorflow#61873 (2.12.0 was out; the list stops at 2.11.0, the last for 3.7)
    "ERROR: Could not find a version that satisfies the requirement tensorflow==2.12.0 (from "
    "versions: 1.13.1, 1.13.2, 1.14.0, 1.15.0, 1.15.2, 1.15.3, 1.15.4, 1.15.5, 2.0.0, 2.0.1, "
    "2.0.2, 2.0.3, 2.0.4, 2.1.0, 2.1.1, 2.1.2, 2.1.3, 2.1.4, 2.2.0, 2.2.1, 2.2.2, 2.2.3, 2.3.0, "
    "2.3.1, 2.3.2, 2.3.3, 2.3.4, 2.4.0, 2.4.1, 2.4.2, 2.4.3, 2.4.4, 2.5.0, 2.5.1, 2.5.2, 2.5.3, "
    "2.6.0rc0, 2.6.0rc1, 2.6.0rc2, 2.6.0, 2.6.1, 2.6.2, 2.6.3, 2.6.4, 2.6.5, 2.7.0rc0, 2.7.0rc1, "
    "2.7.0, 2.7.1, 2.7.2, 2.7.3, 2.7.4, 2.8.0rc0, 2.8.0rc1, 2.8.0, 2.8.1, 2.8.2, 2.8.3, 2.8.4, "
    "2.9.0rc0, 2.9.0rc1, 2.9.0rc2, 2.9.0, 2.9.1, 2.9.2, 2.9.3, 2.10.0rc0, 2.10.0rc1, 2.10.0rc2, "
    "2.10.0rc3, 2.10.0, 2.10.1, 2.11.0rc0, 2.11.0rc1, 2.11.0rc2, 2.11.0)\nERROR: No matching "
    "distribution found for tensorflow==2.12.0",
    # kyleskom/NBA-Machine-Learning-Sports-Betting#225 (Colab; the fix: tensorflow==2.11.0)
    "ERROR: Could not find a version that satisfies the requirement tensorflow==2.6.0 (from "
    "versions: 2.8.0rc0, 2.8.0rc1, 2.8.0, 2.8.1, 2.8.2, 2.8.3, 2.8.4, 2.9.0rc0, 2.9.0rc1, "
    "2.9.0rc2, 2.9.0, 2.9.1, 2.9.2, 2.9.3, 2.10.0rc0, 2.10.0rc1, 2.10.0rc2, 2.10.0rc3, 2.10.0, "
    "2.10.1, 2.11.0rc0, 2.11.0rc1, 2.11.0rc2, 2.11.0, 2.11.1, 2.12.0rc0, 2.12.0rc1, 2.12.0)\n"
    "ERROR: No matching distribution found for tensorflow==2.6.0",
])
def test_real_reports_of_a_release_that_existed_are_not_pinned_release_unavailable(text):
    assert unpublished(text) is None
    assert first(text) != "pinned-release-unavailable"


@pytest.mark.parametrize("requirement", ["keras==2.5.0", "tensorflow-macos==2.3.0"])
def test_beside_a_pin_never_published_the_wheel_causes_are_weak_runners_up(requirement):
    from keras_doctor.explain.engine import hypotheses

    text = not_found(requirement, "2.8.0, 2.9.0")
    pinned, *wheel_causes = hypotheses(text)[1]
    assert pinned.cause == "pinned-release-unavailable"
    # the answer quotes pip's own line and names the witness that read it
    assert pinned.excerpt == f"No matching distribution found for {requirement}"
    assert pinned.signatures == ["no-matching-distribution"]
    project = requirement.split("==")[0]
    assert f"knowledge/data/releases/{project}.json" in pinned.sources  # the table that decided
    assert {h.cause for h in wheel_causes} == {"no-wheel-for-python", "no-wheel-for-platform"}
    assert all(h.score < 0.5 for h in wheel_causes)
