"""Two decisions the paste's own words settle: which interpreter ran, and which CPU it ran on.

An import that works in a terminal and fails in a notebook or IDE is another interpreter, not a
missing package; a plain "No module named" is still a missing package. An illegal instruction on a
Mac is an Intel Python under Rosetta (surer when the paths show an Intel Python: /usr/local,
the x86 Anaconda); on Linux it is a CPU without AVX.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from keras_doctor.explain.engine import hypotheses


def ranked(text: str) -> list:
    return [h.cause for h in hypotheses(text)[1]]


@pytest.mark.parametrize("text", [
    "Unable to import tensorflow in jupyter (yet able to import tensorflow in python and ipython)",
    "tensorflow is getting imported on my python3 on cmd but not in Jupyter.",
    "Though I work well with python3 in terminal, but get\n"
    "`ImportError: no module named 'tensorflow'`\nin jupyter notebook.",
    "import keras works in the terminal, but in PyCharm I get ModuleNotFoundError: No module "
    "named 'keras'",
])
def test_works_in_one_place_fails_in_the_notebook_is_another_interpreter(text):
    assert ranked(text)[0] == "wrong-interpreter"


@pytest.mark.parametrize("text", [
    "ModuleNotFoundError: No module named 'h5py'",
    "ImportError: no module named 'h5py'",
    "I restarted the notebook kernel but training still fails:\n"
    "ValueError: Shapes (None, 1) and (None, 10) are incompatible",
])
def test_without_two_places_it_is_not_another_interpreter(text):
    assert "wrong-interpreter" not in ranked(text)[:1]


def test_lowercase_no_module_named_is_recognised():
    assert ranked("ImportError: no module named 'h5py'")[0] == "missing-dependency"


@pytest.mark.parametrize("text", [
    "[1]    4242 illegal hardware instruction  /usr/local/bin/python3 train.py",
    '  File "/Users/ada/anaconda3/lib/python3.9/site-packages/tensorflow/__init__.py", line 41\n'
    "Process finished with exit code 132 (interrupted by signal 4: SIGILL)",
])
def test_an_illegal_instruction_from_an_intel_python_on_a_mac_is_rosetta(text):
    found = hypotheses(text)[1]
    assert found[0].cause == "rosetta-python" and "intel_python" in found[0].evidence
    assert found[0].score > next(h.score for h in found if h.cause == "cpu-lacks-avx") + 0.4


def test_an_illegal_instruction_from_an_arm64_python_on_a_mac_is_still_rosetta_but_less_sure():
    arm = hypotheses("zsh: illegal hardware instruction  /opt/homebrew/bin/python3 train.py")[1]
    intel = hypotheses("zsh: illegal hardware instruction  /usr/local/bin/python3 train.py")[1]
    assert arm[0].cause == intel[0].cause == "rosetta-python"
    assert arm[0].score < intel[0].score


@pytest.mark.parametrize("text", [
    "Illegal instruction (core dumped)",
    "Process finished with exit code 132 (interrupted by signal 4: SIGILL)",
    '  File "/home/ada/venv/lib/python3.10/site-packages/tensorflow/__init__.py", line 41\n'
    "Illegal instruction (core dumped)",
])
def test_an_illegal_instruction_elsewhere_is_a_cpu_without_avx(text):
    assert ranked(text)[0] == "cpu-lacks-avx"


def test_pip_saying_the_missing_package_is_installed_is_another_interpreter():
    paste = ("$ pip install tensorflow\nRequirement already satisfied: tensorflow in "
             "/usr/local/lib/python3.9/site-packages (2.13.0)\n$ python3 train.py\n"
             "ModuleNotFoundError: No module named 'tensorflow'")
    assert ranked(paste)[0] == "wrong-interpreter"
    hub = ("!pip install tensorflow_hub\nRequirement already satisfied: tensorflow-hub in "
           "/usr/local/lib/python3.10/dist-packages (0.16.1)\n"
           "ModuleNotFoundError: No module named 'tensorflow_hub'")
    assert ranked(hub)[:2] == ["wrong-interpreter", "kernel-not-restarted"]


def test_pip_saying_another_package_is_installed_leaves_the_missing_one_missing():
    paste = ("Requirement already satisfied: numpy in ./venv/lib/python3.11/site-packages "
             "(1.26.4)\nModuleNotFoundError: No module named 'h5py'")
    assert ranked(paste)[0] == "missing-dependency"


def test_the_machine_examined_is_the_one_the_interpreter_runs_as():
    """What explain takes from the environment for the wheel decisions: the interpreter's running
    architecture (an Intel Python under Rosetta on an Apple Silicon Mac is an x86_64 machine to
    pip), else the platform's, else nothing rather than a guess."""
    from dataclasses import replace

    from keras_doctor.explain.engine import examined

    sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
    from factories import mac_facts

    rosetta = mac_facts(machine="arm64")
    rosetta.interpreter.running_arch = "x86_64"
    assert examined(rosetta).machine == "x86_64"
    assert (examined(rosetta).python, examined(rosetta).platform) == ("3.11", "macos")
    unknown_arch = mac_facts(machine="arm64")
    unknown_arch.interpreter.running_arch = None
    assert examined(unknown_arch).machine == "arm64"
    unknown_arch.platform.machine = ""
    assert examined(unknown_arch).machine == ""  # not "x86_64" by default
    linux_arm = mac_facts(machine="aarch64")
    linux_arm.platform = replace(linux_arm.platform, system="Linux")
    assert (examined(linux_arm).platform, examined(linux_arm).machine) == ("linux", "aarch64")
    linux_arm.interpreter.running_arch = "x86_64"
    assert examined(linux_arm).machine == ""  # an ordinary Linux PC: pip's default platform
