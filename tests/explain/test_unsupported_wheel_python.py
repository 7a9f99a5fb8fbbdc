"""pip refusing a wheel file: the Python the paste shows outside the wheel's name decides.

`<name>-<ver>-cp36-cp36m-macosx_10_11_x86_64.whl is not a supported wheel on this platform` says
which tags the wheel has, not which interpreter refused it. A Python shown elsewhere (a prompt,
a path, "my mac is cp39") that the wheel's tag does not cover makes it the Python; one it covers
leaves the platform (another architecture of the same OS), as when nothing is shown.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import hypotheses

WHEEL = ("ERROR: tensorflow-2.4.1-cp36-cp36m-macosx_10_11_x86_64.whl is not a supported wheel "
         "on this platform.")


def _ranked(text: str) -> list:
    return [h.cause for h in hypotheses(text)[1]]


def test_a_python_shown_outside_the_wheel_name_that_its_tag_lacks_is_the_cause():
    for shown in ("$ python3 --version\nPython 3.9.1\n", "the supported wheel for my mac is cp39\n",
                  "  File \"/Users/me/venv/lib/python3.9/site-packages/pip/__init__.py\"\n"):
        ranked = _ranked(shown + WHEEL)
        assert ranked[0] == "no-wheel-for-python", (shown, ranked[:3])
        assert "no-wheel-for-platform" in ranked[:3]


def test_the_wheel_name_alone_or_its_own_python_leaves_the_platform_first():
    for shown in ("", "$ python3 --version\nPython 3.6.8\n"):
        ranked = _ranked(shown + WHEEL)
        assert ranked[0] == "no-wheel-for-platform", (shown, ranked[:3])
        assert "no-wheel-for-python" in ranked[:3]


NONE_FOUND = ("ERROR: Could not find a version that satisfies the requirement tensorflow "
              "(from versions: none)\nERROR: No matching distribution found for tensorflow\n"
              "os: windows 10\nversion python:{python}")


def test_a_python_and_a_windows_in_a_reports_environment_list_are_read():
    from keras_doctor.explain import wheels

    newer = wheels.decide(NONE_FOUND.format(python="3.12.0"))
    assert newer is not None and newer[0] == "no-wheel-for-python"
    assert (newer[2]["python_read"], newer[2]["platform_read"]) == ("3.12", "windows-amd64")
    assert wheels.read_python("conda create -n tf python=3.8") == "3.8"
    assert wheels.read_python("a pythonic=3.2 API") is None
    assert wheels.read_machine("sliding windows 3 wide") != ["windows-amd64"]
    # pip's upgrade notice names the interpreter as Windows runs it
    notice = "[notice] To update, run: python.exe -m pip install --upgrade pip"
    assert wheels.read_machine(notice) == ["windows-amd64"]
    assert wheels.read_machine(notice.replace("python.exe", "python3")) != ["windows-amd64"]


# apple/tensorflow_macos#53 (tuning corpus): the arm64 numpy its installer bundles, refused. pip's
# upgrade notice (pip/_internal/self_outdated_check.py of pip 20.x) names the pip that refused
# it; pip learnt macOS 11 and arm64 tags in 20.3 (knowledge/pip_tags.json)
ARM64_WHEEL = ("ERROR: numpy-1.18.5-cp38-cp38-macosx_11_0_arm64.whl is not a supported wheel on "
               "this platform.")


def _notice(pip: str) -> str:
    return (f"WARNING: You are using pip version {pip}; however, version 21.0.1 is available.\n"
            "You should consider upgrading via the '/Users/me/venv/bin/python -m pip install "
            "--upgrade pip' command.\n")


def test_an_arm64_wheel_refused_by_a_pip_older_than_its_tags_is_the_pip():
    ranked = _ranked(_notice("20.2.4") + ARM64_WHEEL)
    assert ranked[:2] == ["pip-too-old-for-platform-tags", "rosetta-python"]
    top = hypotheses(_notice("20.2.4") + ARM64_WHEEL)[1][0]
    assert (top.evidence["pip_shown"], top.evidence["needs_pip"]) == ("20.2.4", "20.3")


def test_an_arm64_wheel_refused_by_a_pip_that_knows_its_tags_is_an_intel_python():
    for text in (_notice("20.3") + ARM64_WHEEL, ARM64_WHEEL):
        ranked = _ranked(text)
        assert ranked[0] == "rosetta-python"
        assert "pip-too-old-for-platform-tags" not in ranked


def test_an_arm64_wheel_for_another_python_is_the_python_before_rosetta_or_the_pip():
    """pip compares the Python tag whatever the machine or its own version: cp38 on 3.9 is refused
    by every pip on every Mac."""
    for text in ("$ python3 --version\nPython 3.9.1\n" + ARM64_WHEEL,
                 "$ python3 --version\nPython 3.9.1\n" + _notice("20.2.4") + ARM64_WHEEL):
        ranked = _ranked(text)
        assert ranked[0] == "no-wheel-for-python", ranked
        assert "rosetta-python" in ranked[:3] and "pip-too-old-for-platform-tags" not in ranked


def test_an_arm64_wheel_for_the_python_shown_stays_an_intel_python():
    assert _ranked("$ python3 --version\nPython 3.8.6\n" + ARM64_WHEEL)[0] == "rosetta-python"


def _corpus(case_id: str) -> dict:
    return dict(corpus.case(case_id))


def test_a_machine_shown_that_takes_the_wheels_platform_tag_leaves_its_python_tag():
    # tensorflow/tensorflow#9722 (tuning corpus): a Windows prompt, a cp35 win_amd64 wheel refused;
    # the thread: Python 3.6, TensorFlow 1.1 published Windows wheels for 3.5 only
    case = _corpus("tf-9722-cp35-wheel-on-py36-windows")
    ranked = [h.cause for h in hypotheses(case["text"],
                                          without_sources=frozenset({case["source_url"]}))[1]]
    assert ranked[:2] == ["no-wheel-for-python", "no-wheel-for-platform"]


def test_a_machine_and_a_python_that_both_take_the_wheel_leave_the_hidden_architecture():
    # tensorflow/tensorflow#30158 (tuning corpus): Windows 10 and Python 3.5.1, both of which the
    # cp35 win_amd64 wheel takes; the thread: a 32-bit Python
    case = _corpus("tf-30158-32-bit-python-windows")
    assert _ranked(case["text"])[0] == case["cause"] == "no-wheel-for-platform"


def test_a_machine_shown_that_no_platform_tag_takes_is_the_platform():
    from keras_doctor.explain.resolve import _machine_fits_wheel

    tags = ["cp36-cp36m-macosx_10_11_x86_64"]
    assert _machine_fits_wheel("C:\\Users\\ada> pip install x.whl", tags) == (False,
                                                                             "windows-amd64")
    assert _machine_fits_wheel("an Intel Mac", tags) == (True, "macos-x86_64")
    assert _machine_fits_wheel("", tags) is None  # nothing shown
    assert _machine_fits_wheel("on my mac", tags) is None  # an Intel Mac takes it, an M1 not
    assert _ranked("C:\\Users\\ada> pip install t.whl\n" + WHEEL)[0] == "no-wheel-for-platform"
