"""The machine a paste shows, read once, and the releases pip lists from source archives.

pip refusing a named wheel, or finding no release, is settled by the wheel's tags or the release
tables read against the machine and the Python the paste shows. Three readings used to go wrong:

- a 32-bit machine (a Raspberry Pi's armv7l) was taken as refusing every wheel by platform, even a
  32-bit armv7l wheel it takes, whose Python tag is then what pip refused;
- an ARM machine was weighed twice, once by the wheel decision and once more by a prior that few
  wheels are built for ARM, which overturned the decision;
- a release with a source archive alone (tensorflow-gpu 2.12.0) is in pip's "from versions: …"
  on every machine, yet the list was matched against wheels only.
"""

from __future__ import annotations

import pytest

from keras_doctor.explain import wheels
from keras_doctor.explain.engine import hypotheses

PLATFORM, PYTHON = "no-wheel-for-platform", "no-wheel-for-python"


def _ranked(text: str) -> list:
    return [h.cause for h in hypotheses(text)[1]]


def _refused(wheel: str) -> str:
    return f"ERROR: {wheel} is not a supported wheel on this platform.\n"


ARMV7L_CP37 = _refused("tensorflow-2.2.0-cp37-cp37m-linux_armv7l.whl")


def test_a_32_bit_wheel_on_a_32_bit_machine_with_another_python_is_the_python():
    text = ("my raspberry pi runs armv7l with a fresh Raspbian\npython version: 3.9.2\n"
            + ARMV7L_CP37)
    ranked = _ranked(text)
    assert ranked[:2] == [PYTHON, PLATFORM], ranked


def test_a_64_bit_wheel_on_a_32_bit_machine_is_still_the_platform():
    text = ("my raspberry pi runs armv7l\npython version: 3.7.3\n"
            + _refused("tensorflow-2.9.0-cp37-none-linux_aarch64.whl"))
    assert _ranked(text)[0] == PLATFORM
    # and a 32-bit Windows Python meeting a 64-bit wheel, whatever Python it shows
    windows = ("C:\\Users\\ada> py -3.9-32 -m pip install x.whl\n"
               + _refused("tensorflow-2.5.0-cp39-cp39-win_amd64.whl"))
    assert _ranked(windows)[0] == PLATFORM


@pytest.mark.parametrize("wheel", ["x-1.0-cp37-cp37m-linux_armv7l.whl",
                                   "x-1.0-cp37-cp37m-manylinux1_i686.whl",
                                   "x-1.0-cp37-cp37m-win32.whl"])
def test_the_32_bit_wheels_are_read_by_their_platform_tag(wheel):
    text = "32-bit Python 3.9\n" + _refused(wheel)
    assert _ranked(text)[0] == PYTHON


def test_the_32_bit_word_inside_the_wheel_name_alone_tells_no_machine():
    # only the wheel's own name says armv7l: nothing shows the interpreter is 32-bit
    assert _ranked("python version: 3.7.3\n" + ARMV7L_CP37)[0] == PLATFORM


AARCH64_CP39 = _refused("tensorflow-2.9.0-cp39-none-linux_aarch64.whl")


def test_an_arm_board_that_takes_the_wheels_platform_tag_leaves_the_python():
    # pinto0309/Tensorflow-bin#54's shape: the prompt names the board, the wheel is aarch64
    text = ("My Raspberry Pi 4 runs the aarch64 Raspberry Pi OS\n"
            "(env) pi@raspberrypi:~/project $ pip install x.whl\n" + AARCH64_CP39)
    ranked = _ranked(text)
    assert ranked[:2] == [PYTHON, PLATFORM], ranked
    found = next(h for h in hypotheses(text)[1] if h.cause == PYTHON)
    assert not found.against and found.factor == 1, found


def test_an_arm_machine_the_decision_did_not_read_still_leans_to_the_platform():
    # no Python, no machine the wheel decision reads from the text outside the wheel name:
    # the prior that few wheels are built for ARM stands
    text = "on my arm64 board\n" + _refused("tensorflow-2.9.0-cp39-none-any_weird.whl")
    ranked = _ranked(text)
    assert ranked[0] == PLATFORM
    weakened = next(h for h in hypotheses(text)[1] if h.cause == PYTHON)
    assert weakened.against == ["the paste names an arm64 machine, which few wheels support"]


@pytest.mark.parametrize(("said", "python"), [
    ("my python version is 3.9.2", "3.9"),
    ("Python version is 3.11", "3.11"),
    ("Python version: 3.8.5", "3.8"),
])
def test_the_python_version_stated_in_prose(said, python):
    assert wheels.read_python(said) == python


def test_a_version_that_is_not_the_pythons_is_not_read():
    assert wheels.read_python("the TensorFlow version is 2.9.2") is None


@pytest.mark.parametrize("shown", ["I am installing it on Google Colab",
                                   "Looking in indexes: https://pypi.org/simple, "
                                   "https://us-python.pkg.dev/colab-wheels/public/simple/"])
def test_colab_is_linux_x86_64(shown):
    assert wheels.read_machine(shown) == ["linux-x86_64"]


def test_a_mac_that_mentions_colab_is_still_the_mac():
    assert wheels.read_machine("it works on Colab but not on my M1 MacBook") == ["macos-arm64"]
    assert wheels.read_machine("a collaborator's script") == list(wheels.PLATFORMS)


GPU_115 = ("Looking in indexes: https://pypi.org/simple, "
           "https://us-python.pkg.dev/colab-wheels/public/simple/\n"
           "ERROR: Could not find a version that satisfies the requirement tensorflow-gpu==1.15 "
           "(from versions: {offered})\n"
           "ERROR: No matching distribution found for tensorflow-gpu==1.15")
FROM_28 = ("2.8.0rc0, 2.8.0rc1, 2.8.0, 2.8.1, 2.8.2, 2.8.3, 2.8.4, 2.9.0rc0, 2.9.0rc1, 2.9.0rc2, "
           "2.9.0, 2.9.1, 2.9.2, 2.9.3, 2.10.0rc0, 2.10.0rc1, 2.10.0rc2, 2.10.0rc3, 2.10.0, "
           "2.10.1, 2.11.0rc0, 2.11.0rc1, 2.11.0rc2, 2.11.0")


def test_a_release_with_a_source_archive_alone_is_listed_on_every_machine():
    # googlecolab/colabtools#3719's list (tuning corpus): tensorflow-gpu 2.12.0 has no wheel,
    # only the source archive that fails on purpose; pip lists it all the same
    assert wheels.sdists("tensorflow-gpu")["2.12.0"] == ""
    assert "2.11.0" not in wheels.sdists("tensorflow-gpu")
    decided = wheels.decide(GPU_115.format(offered=FROM_28 + ", 2.12.0"))
    assert decided is not None and decided[0] == PYTHON
    assert (decided[2]["python_read"], decided[2]["platform_read"]) == ("3.10", "linux-x86_64")
    # the same list without it reads the same Python: 2.12.0 was not yet out, or just missed
    decided = wheels.decide(GPU_115.format(offered=FROM_28))
    assert decided is not None and decided[2]["python_read"] == "3.10"


def test_a_list_a_source_archive_cannot_explain_still_reads_no_python():
    # a list that no single Python's wheels and archives give leaves the Python unread
    odd = "1.13.1, 2.12.0"
    decided = wheels.decide(GPU_115.format(offered=odd))
    assert decided is None or decided[2]["python_read"] == "unknown"


def test_a_source_archive_is_listed_only_for_the_pythons_it_allows():
    releases = {"1.0": ([], "2020-01-01"), "2.0": (["cp38-cp38-manylinux2014_x86_64"],
                                                   "2020-02-01")}
    pairs = [("linux-x86_64", "3.8"), ("linux-x86_64", "3.6")]
    # 1.0 is a source archive for Python 3.7 and later: 3.6 sees neither release
    assert wheels._pairs_offering(releases, ["1.0", "2.0"], pairs, {"1.0": ">=3.7"}) == [
        ("linux-x86_64", "3.8")]
    assert wheels._pairs_offering(releases, ["1.0", "2.0"], pairs, {}) == []
    from keras_doctor.knowledge.releases import python_allows

    assert python_allows("", "3.6") and python_allows("not a specifier", "3.6")
    assert python_allows(">=3.7", "3.7") and not python_allows(">3.7", "3.7")


def test_which_wheel_decisions_already_read_the_machine():
    from keras_doctor.explain.clues import _wheel_read_against_machine as read

    assert read({"platform_read": "linux-aarch64"}) and read({"python_mentioned": ["cp39"]})
    # a decision that could not tell the machine, or none at all, leaves the prior its say
    assert not read({"platform_read": "unknown"}) and not read({}) and not read(None)


def test_a_python_the_wheel_lacks_on_an_arm_mac_is_not_weighed_down_by_the_machine():
    text = ("On my M1 MacBook, python3 --version says Python 3.9.1\n"
            "ERROR: tensorflow-2.4.1-cp36-cp36m-macosx_10_11_x86_64.whl is not a supported wheel "
            "on this platform.")
    ranked = hypotheses(text)[1]
    python = ranked[0]
    assert python.cause == PYTHON
    assert not python.against and python.evidence["python_mentioned"] == ["cp39"]
