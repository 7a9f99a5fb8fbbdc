"""A process the kernel killed, as bash prints it and as reports tell it.

SIGKILL is sent from outside a process, never raised by its own code as a fault is (a segfault is
SIGSEGV, an abort SIGABRT, a missing instruction SIGILL); with no fault beside it, the sender is
the kernel's out-of-memory killer. bash prints the signal's description (glibc's `Killed`) where
the cursor is: a script's job as `train.sh: line 3:  2910 Killed   python train.py`, a terminal's
right after what the program left on its line, such as a Keras progress bar, which ends no line
until its epoch ends (bash's jobs.c, notify_of_job_status; Keras's Progbar.update). The two bash
job lines below were printed by bash 5.2 running a script whose Python sent itself SIGKILL
(SIGSEGV).
"""

from __future__ import annotations

import corpus
import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.clues import error_kind
from keras_doctor.explain.engine import hypotheses

SCRIPT_JOB = "train.sh: line 2:  5150 Killed                  python3 train.py --epochs 3\n"
TERMINAL = "loss: 2.1034 - accuracy: 0.2031Killed\n"
SCRIPT_SEGFAULT = "train.sh: line 2:  5188 Segmentation fault      python3 train.py --epochs 3\n"
PROGRESS = ("Epoch 1/10\n  94/1875 [>.............................] - ETA: 5:12 - loss: 2.1034 - "
            "accuracy: 0.2031")


def top(text):
    first = explain_text(text).findings[0]
    return first.cause, first.evidence.get("signatures")


@pytest.mark.parametrize("text", [SCRIPT_JOB, TERMINAL, PROGRESS + "Killed\n"])
def test_what_bash_prints_for_a_killed_job_is_the_memory_killer(text):
    assert top(text) == ("out-of-memory", ["killed-out-of-memory"])


def test_killed_at_the_cursor_is_read_as_a_signal_not_an_exception():
    """A progress line ending in bash's `Killed` is a process the kernel ended: no word boundary
    sets it apart (`0.2031Killed`), only where it sits, and a lowercase glued word is not it."""
    assert error_kind(TERMINAL) == "signal"
    assert error_kind(PROGRESS + "Killed\n") == "signal"
    assert error_kind("loss: 2.1034 - accuracy: 0.2031killed\n") == ""


def test_a_segfaulting_job_is_not_the_memory_killer():
    """The other side: bash's same line for SIGSEGV is the process's own fault."""
    assert top(SCRIPT_SEGFAULT)[0] != "out-of-memory"


@pytest.mark.parametrize("text", ["loss: 2.1034 - accuracy: 0.2031killed\n",
                                  "I Killed the other jobs first\n",
                                  PROGRESS + "\nSegmentation fault (core dumped)\n"])
def test_killed_inside_words_or_lowercase_glued_is_not_bash(text):
    """bash prints glibc's capitalised description after the last character of the line; a word
    merely containing it, or a glued lowercase one, is nobody's signal line."""
    found = hypotheses(text)[1]
    assert "killed-out-of-memory" not in [s for h in found for s in h.signatures]


@pytest.mark.parametrize("case_id", ["tf-models-1882-killed-step-800",
                                     "attentionwalk-6-killed-60000-nodes",
                                     "superpoint-111-killed-out-of-ram",
                                     "sketchmodeling-5-killed-docker-memory"])
def test_a_report_telling_of_a_kill_guesses_memory_first(case_id):
    """No line a shell prints, only the report's words: the guess for a kill without a fault is
    the memory killer, in the hand order the ranker starts from."""
    report = corpus.case(case_id)
    assert report["cause"] == "out-of-memory"
    ranked = hypotheses(report["text"])[1]
    assert (ranked[0].cause, ranked[0].signatures) == ("out-of-memory", ["fallback:signal"])


def test_a_kill_told_beside_a_segfault_is_not_guessed_as_memory():
    """The other side: a fault in the paste is the process's own signal, whatever else was
    killed."""
    text = ("python train.py\nSegmentation fault (core dumped)\nI killed every other process "
            "and tried again, same result.")
    assert hypotheses(text)[1][0].cause != "out-of-memory"


# A signal's number in an exit status: a shell and a container report 128 + 9, Python's
# subprocess -9 (a negative return code is the signal that killed the child), and launchers
# print it as they got it. gemma-tuner#19 (the maintainer: "Exit code -9 is SIGKILL ... macOS
# under memory pressure").
@pytest.mark.parametrize("text", [
    "❌ Training failed with exit code -9\nCheck the logs for detailed error information\n",
    "subprocess.CalledProcessError: Command '['python', 'train.py']' returned non-zero exit "
    "status -9.\n",
    "trainer_1  | Epoch 1/10\ntrainer_1 exited with code 137\n",
    "Process finished with exit code 137 (interrupted by signal 9: SIGKILL)\n",
    "make: *** [train] Error 137\nexit status 137\n",
])
def test_a_kills_number_in_an_exit_status_is_the_memory_killer(text):
    assert top(text) == ("out-of-memory", ["killed-out-of-memory"])


@pytest.mark.parametrize("text", [
    "Training failed with exit code -11\n",
    "subprocess.CalledProcessError: Command '['python', 'train.py']' returned non-zero exit "
    "status 1.\n",
    "trainer_1 exited with code 1\n",
    "Process finished with exit code 139 (interrupted by signal 11: SIGSEGV)\n",
    "exit code -90\n",
    "exit status 1370\n",
])
def test_another_number_in_an_exit_status_is_no_kill(text):
    found = hypotheses(text)[1]
    assert "killed-out-of-memory" not in [s for h in found for s in h.signatures]
