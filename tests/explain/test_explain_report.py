"""What explain's report says beyond its findings: no error in the paste, and what it read."""

from __future__ import annotations

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import NO_ERROR_MESSAGE

PIP_ON_ARM_LINUX = (
    "$ uname -m\naarch64\n$ pip install jaxlib==0.4.1\n"
    "ERROR: Could not find a version that satisfies the requirement jaxlib==0.4.1 "
    "(from versions: none)\nERROR: No matching distribution found for jaxlib==0.4.1")


def test_a_paste_without_an_error_says_so_and_points_to_check():
    report = explain_text("Epoch 1/10\n100/100 [====] - loss: 0.52 - accuracy: 0.81")
    assert report.findings == []
    assert report.extra["unrecognised"] is True
    assert report.extra["no_error"] == NO_ERROR_MESSAGE


def test_an_error_is_never_told_it_shows_no_error():
    report = explain_text('Traceback (most recent call last):\n  File "a.py", line 3, in '
                          "<module>\n    frob()\nZorkError: the zork is out of frobs")
    assert "no_error" not in report.extra
    assert report.findings  # the likeliest causes of an unknown error, never nothing


def test_the_report_keeps_what_it_read_from_the_paste():
    report = explain_text(PIP_ON_ARM_LINUX)
    assert report.extra["traceback"] == {"machine": "arm64"}
    assert report.extra["input"]["chars"] == len(PIP_ON_ARM_LINUX)


def test_the_report_counts_the_traceback_frames_it_read():
    text = ('Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
            '    import lib\n  File "/home/u/lib.py", line 2, in <module>\n    import h5py\n'
            "ModuleNotFoundError: No module named 'h5py'")
    assert explain_text(text).extra["input"]["frames"] == 2
