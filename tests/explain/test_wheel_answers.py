"""How the wheel causes are weighed when the paste shows the machine: a machine is a clue for the
platform, never a second witness, and an answer that rests on it says which machine it read."""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import hypotheses

PLATFORM, PYTHON = "no-wheel-for-platform", "no-wheel-for-python"
PIP = ("ERROR: Could not find a version that satisfies the requirement frobnitz==1.0 "
       "(from versions: none)\nERROR: No matching distribution found for frobnitz==1.0")
UV = ("  × No solution found when resolving dependencies:\n  ╰─▶ Because frobnitz==1.0 has no "
      "wheels with a matching Python ABI tag and you require frobnitz==1.0, we can conclude "
      "that your requirements are unsatisfiable.")
MACHINE = "MacBook Air M2 (arm64), macOS 14\n"


def by_cause(text: str) -> dict:
    return {h.cause: h for h in hypotheses(text)[1]}


def test_a_message_that_only_blames_the_python_gains_the_platform_when_the_machine_is_named():
    assert set(by_cause(UV)) == {PYTHON}
    found = by_cause(MACHINE + UV)
    assert set(found) == {PYTHON, PLATFORM}
    platform = found[PLATFORM]
    assert "arm64" in platform.mechanism  # the answer says which machine it read
    assert platform.signatures == found[PYTHON].signatures  # the same message stands behind both
    assert platform.excerpt == found[PYTHON].excerpt
    assert platform.sources == found[PYTHON].sources
    report = explain_text(MACHINE + UV)
    assert [f.cause for f in report.findings].count(PLATFORM) == 1


REQUIRES_PYTHON = ("ERROR: Package 'tensorflow' requires a different Python: 3.13.0 not in "
                   "'>=3.9,<3.13'")


def test_pip_naming_the_python_it_refused_gains_no_platform_from_the_machine():
    from keras_doctor.explain.engine import Examined

    mac = Examined(python="3.13", platform="macos", machine="arm64")
    for found in (by_cause(MACHINE + REQUIRES_PYTHON),
                  {h.cause: h for h in hypotheses(REQUIRES_PYTHON, environment=mac)[1]}):
        assert set(found) == {PYTHON}
        assert found[PYTHON].evidence["requires_python"] == ">=3.9,<3.13"
    assert explain_text(MACHINE + REQUIRES_PYTHON).findings[0].cause == PYTHON
    assert PLATFORM in by_cause(MACHINE + UV)  # where the message does not name it, it may


def test_the_machine_is_not_a_second_witness_for_a_cause_the_message_already_proposed():
    without, named = by_cause(PIP), by_cause(MACHINE + PIP)
    assert set(without) == set(named) == {PYTHON, PLATFORM}
    for cause in (PYTHON, PLATFORM):
        assert named[cause].mechanism  # each says how pip's message leads to it
        assert named[cause].weights == without[cause].weights
        assert named[cause].mechanism == without[cause].mechanism
        assert named[cause].signatures == without[cause].signatures


OLD_PIP = ("$ /home/me/venv/bin/python -m pip install tensorflow==2.9.0\n"
           "ERROR: Could not find a version that satisfies the requirement tensorflow==2.9.0 "
           "(from versions: none)\nERROR: No matching distribution found for tensorflow==2.9.0\n"
           "WARNING: You are using pip version {pip}; however, version 22.3 is available.\n")


@pytest.mark.parametrize("pip, too_old", [("19.2.3", True), ("19.3", False), ("22.1", False)])
def test_a_pip_older_than_the_wheels_tags_is_named_on_its_side_of_the_edge(pip, too_old):
    # TensorFlow 2.9's Linux wheels are manylinux2014, which pip understands from 19.3
    found = by_cause(OLD_PIP.format(pip=pip))
    assert ("pip-too-old-for-platform-tags" in found) is too_old
    if too_old:
        old = found["pip-too-old-for-platform-tags"]
        assert hypotheses(OLD_PIP.format(pip=pip))[1][0].cause == old.cause  # and first
        assert (old.evidence["pip_shown"], old.evidence["needs_pip"]) == (pip, "19.3")
        # it rests on pip's own message, and quotes it
        assert old.signatures == found[PYTHON].signatures and old.signatures
        assert "No matching distribution found for tensorflow==2.9.0" in old.excerpt


def test_the_answer_says_whether_the_paste_or_the_environment_showed_the_machine():
    from keras_doctor.explain.engine import Examined

    from_paste = by_cause(MACHINE + UV)[PLATFORM].mechanism
    mac = Examined(python="3.13", platform="macos", machine="arm64")
    from_environment = {h.cause: h for h in hypotheses(UV, environment=mac)[1]}[PLATFORM]
    assert "the paste names an arm64 machine" in from_paste
    assert "the environment examined is an arm64 machine" in from_environment.mechanism
    # the paste's own machine wins over the environment's (it may come from another machine)
    intel = Examined(python="3.13", platform="macos", machine="x86_64")
    named = {h.cause: h for h in hypotheses(MACHINE + UV, environment=intel)[1]}
    assert "the paste names an arm64 machine" in named[PLATFORM].mechanism


def test_the_release_table_decides_and_says_by_how_much():
    # a real report (tuning corpus, facial-animation-4-tensorflow-cpu-m1): tensorflow-cpu never
    # published a wheel for a Mac, and pip on one finds none
    paste = ("ERROR: Could not find a version that satisfies the requirement tensorflow-cpu "
             "(from versions: none)\nERROR: No matching distribution found for tensorflow-cpu")
    first, second = explain_text(paste).findings[:2]
    assert (first.cause, second.cause) == (PLATFORM, PYTHON)
    assert first.evidence["decided_by"] == second.evidence["decided_by"] \
        == "knowledge/data/releases/tensorflow-cpu.json"
    share = first.evidence["share_of_candidates"]  # of the machines it can come from
    assert 0.7 <= share <= 1 and share == round(share, 2)  # read as a whole percentage


def _case(case_id):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    import corpus

    return corpus.case(case_id)["text"]


def test_tensorflow_io_on_an_m1_is_decided_by_the_table_not_leaned():
    """tensorflow/io#1757 (an M1 on Ventura, `tensorflow-io` from versions: none): a paste that
    names only Apple Silicon is judged on that machine alone, where the table decides."""
    from keras_doctor.explain.engine import _WHEEL_MECHANISM, WHEEL_DECISIVE

    first = explain_text(_case("tfio-1757-m1-ventura-no-tensorflow-io")).findings[0]
    assert first.cause == "no-wheel-for-platform"
    assert first.evidence["share_of_candidates"] >= WHEEL_DECISIVE
    assert first.explanation == _WHEEL_MECHANISM["no-wheel-for-platform"]


def test_a_pip_too_old_answer_names_the_requirement_it_read():
    # tensorflow/tensorflow#35061: pip 9's list stops at 1.14 for `tensorflow~=1.15.0`
    first = explain_text(_case("tf-35061-pip-too-old-list-stops-at-1-14")).findings[0]
    assert first.cause == "pip-too-old-for-platform-tags"
    assert first.evidence["requirement"] == "tensorflow~=1.15.0"


def test_a_32_bit_linux_is_not_read_as_32_bit_windows():
    """ml-security#53: `uname -a` shows an i686 Kali: a 32-bit machine, but not Windows, whose
    32-bit wheels are another question."""
    first = explain_text(_case("ml-security-53-tf-none-on-i686")).findings[0]
    assert first.cause == "no-wheel-for-platform"
    assert first.evidence["platform_read"] == "other"


@pytest.mark.parametrize(("requirement", "considered"), [
    ("tensorflow==2.4.1", "tensorflow 2.4.1"), ("tensorflow>=2.4,<2.6", "tensorflow")])
def test_a_32_bit_python_on_windows_names_the_release_it_judged(requirement, considered):
    """TensorFlow 2.4.1 ships a win_amd64 wheel for Python 3.8, and pip on Windows with Python
    3.8 found none: the interpreter is a 32-bit one. A pin names the release judged; a range,
    only the project."""
    text = ("C:\\Users\\ada>python --version\nPython 3.8.10\n\nC:\\Users\\ada>pip install "
            f"{requirement}\nERROR: Could not find a version that satisfies the requirement "
            f"{requirement} (from versions: none)\nERROR: No matching distribution found for "
            f"{requirement}\n")
    first = explain_text(text).findings[0]
    assert first.cause == "no-wheel-for-platform"
    assert first.evidence["platform_read"] == "windows-32"
    assert first.evidence["releases_considered"] == considered


def test_a_manylinux2010_wheel_refused_by_pip_18_is_pip_first_the_platform_second():
    """manylinux2010 tags came with pip 19.0 (PEP 571): pip 18.1 refuses TensorFlow 2.4.0's
    cp38 manylinux2010 wheel on a Python 3.8 it fits, so the pip comes first; on Linux (no
    Apple Silicon wheel in sight) the runner-up is the platform, not Rosetta."""
    text = ("$ pip --version\npip 18.1 from /home/ada/venv/lib/python3.8/site-packages/pip "
            "(python 3.8)\n$ pip install tensorflow-2.4.0-cp38-cp38-manylinux2010_x86_64.whl\n"
            "ERROR: tensorflow-2.4.0-cp38-cp38-manylinux2010_x86_64.whl is not a supported wheel "
            "on this platform.\n")
    assert [h.cause for h in hypotheses(text)[1]][:2] == [
        "pip-too-old-for-platform-tags", "no-wheel-for-platform"]
