"""An issue template's own examples are not the reporter's words.

TensorFlow's template asks "OS Platform and Distribution (e.g., Linux Ubuntu 16.04):", the Addons
template "Python version and type(eg. Anaconda Python, Stock Python as in Mac, …)": a report that
left them as they were names Linux and a Mac it never ran on. The lines below are the templates'
own, verbatim (tensorflow/tensorflow and tensorflow/addons .github/ISSUE_TEMPLATE, pyenv's bug
template). tests/explain/test_wheel_decision.py follows tensorflow/addons#222 through the wheel
decision it changes.
"""

from __future__ import annotations

import pytest

from keras_doctor.explain import wheels
from keras_doctor.explain.text import clean

TEMPLATE_LINES = [
    ("- OS Platform and Distribution (e.g., Linux Ubuntu 16.04):", "(e.g., Linux Ubuntu 16.04)"),
    ("- Mobile device (e.g. iPhone 8, Pixel 2, Samsung Galaxy) if the issue happens on mobile "
     "device:", "(e.g. iPhone 8, Pixel 2, Samsung Galaxy)"),
    ("- Python version and type(eg. Anaconda Python, Stock Python as in Mac, or homebrew "
     "installed Python etc):",
     "(eg. Anaconda Python, Stock Python as in Mac, or homebrew installed Python etc)"),
    ("- [ ] Platform information (e.g. Ubuntu Linux 20.04):", "(e.g. Ubuntu Linux 20.04)"),
    ("- [ ] OS architecture (e.g. amd64):", "(e.g. amd64)"),
]


@pytest.mark.parametrize("line, example", TEMPLATE_LINES)
def test_a_templates_own_example_is_dropped_and_its_question_kept(line, example):
    assert clean(line + " 3.6.4").text == line.replace(example, "") + " 3.6.4"


def test_an_example_the_reporter_rewrote_is_their_answer_and_stays():
    line = "- OS Platform and Distribution (e.g., Apple Macbook M1 air):"
    assert clean(line).text == line
    assert wheels.read_machine(clean(line + "\n" + _PIP).text) == ["macos-arm64"]


_PIP = ("ERROR: Could not find a version that satisfies the requirement tensorflow-addons (from "
        "versions: none)\nERROR: No matching distribution found for tensorflow-addons")
