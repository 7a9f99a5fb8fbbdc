"""Causes that print the same words stay together: when the text names one, its look-alikes are
listed right after it, and the first of them shown says which command tells them apart.

Each group is the same message from one program (CPython's importer, pip's finder, the kernel's
SIGILL, Keras' import error), so the text alone cannot decide; a bug this catches is a learned
ranker that pushes the other cause of the same message out of the first three in favour of a
cause the text does not name."""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text, lookalike

NO_WHEEL = ("ERROR: Could not find a version that satisfies the requirement tensorflow (from "
            "versions: none)\nERROR: No matching distribution found for tensorflow")


@pytest.mark.parametrize(("paste", "together"), [
    # CPython's importer: missing here, another interpreter's, a kernel started before the install
    ("ModuleNotFoundError: No module named 'cv2'",
     {"missing-dependency", "wrong-interpreter", "kernel-not-restarted"}),
    ("Traceback (most recent call last):\n  Cell In[3], line 1\n----> 1 import tensorflow\n"
     "ModuleNotFoundError: No module named 'tensorflow'",
     {"missing-dependency", "wrong-interpreter", "kernel-not-restarted"}),
    # pip's finder: no wheel for this Python or for this machine
    (NO_WHEEL, {"no-wheel-for-python", "no-wheel-for-platform"}),
    ("(venv) user@MacBook-Pro ~ % uname -m\narm64\n" + NO_WHEEL,
     {"no-wheel-for-python", "no-wheel-for-platform"}),
    # the kernel's SIGILL in a Mac's words: Rosetta or a CPU without AVX
    ("zsh: illegal hardware instruction  python train.py", {"rosetta-python", "cpu-lacks-avx"}),
    # a Keras name from the wrong module, or a Keras for another TensorFlow
    ('Traceback (most recent call last):\n  File "a.py", line 1, in <module>\nImportError: '
     "cannot import name 'Adam' from 'keras.optimizers'",
     {"keras-api-moved", "keras-tf-version-skew"}),
    # recognised by the symbol atlas: its likeliest look-alike still comes within three
    ("ImportError: cannot import name 'save_img' from 'keras.preprocessing.image'",
     {"keras-api-moved", "keras-tf-version-skew"}),
])
def test_the_causes_of_one_message_are_listed_together_and_told_apart(paste, together):
    findings = explain_text(paste).findings
    first_three = [f.cause for f in findings[:3]]
    assert set(first_three) >= together, first_three
    first = findings[0]
    assert first.fix[0].description.startswith("First tell it from"), first.fix[0]
    assert first.evidence["told_apart_by"]
    # said once: the look-alikes after it keep their own fix first
    assert all(not f.fix[0].description.startswith("First tell it from")
               for f in findings[1:] if f.cause in together)
    # shown at what a look-alike of a first answer was worth out of repository, in order
    shown = [f.confidence for f in findings]
    assert shown == sorted(shown, reverse=True)
    assert all(f.confidence >= lookalike.SHOWN_AT_LEAST for f in findings
               if f.cause in together)


def test_an_illegal_instruction_off_a_mac_is_not_told_apart_from_rosetta():
    findings = explain_text("Illegal instruction (core dumped)").findings
    assert findings[0].cause == "cpu-lacks-avx"
    assert "rosetta-python" not in [f.cause for f in findings]
    assert "told_apart_by" not in findings[0].evidence


def test_a_look_alike_moves_ahead_of_a_cause_the_message_does_not_stand_for():
    order = [("keras-tf-version-skew", 0.7), ("requirement-conflict", 0.2),
             ("model-format-incompatible", 0.05), ("keras-api-moved", 0.01)]
    moved = lookalike.with_look_alikes(order)
    assert [c for c, _ in moved] == ["keras-tf-version-skew", "keras-api-moved",
                                     "requirement-conflict", "model-format-incompatible"]
    assert dict(moved) == dict(order)  # the probabilities are kept, only the order changes


def test_a_look_alike_the_model_left_out_is_added_with_its_probability():
    moved = lookalike.with_look_alikes([("no-wheel-for-python", 0.9), ("other", 0.1)],
                                       probabilities={"no-wheel-for-platform": 0.02})
    assert moved[1] == ("no-wheel-for-platform", 0.02)


def test_the_platform_keeps_out_a_look_alike_it_excludes():
    order = [("cpu-lacks-avx", 0.9), ("numpy-abi-mismatch", 0.05), ("rosetta-python", 0.01)]
    assert lookalike.with_look_alikes(order, "linux") == order
    assert [c for c, _ in lookalike.with_look_alikes(order, "macos")][:2] == [
        "cpu-lacks-avx", "rosetta-python"]


def test_a_cause_without_look_alikes_keeps_the_order():
    order = [("weights-download-ssl", 0.8), ("weights-cache-corrupt", 0.1), ("x", 0.05)]
    assert lookalike.with_look_alikes(order) == order
    assert lookalike.told_apart_by("weights-download-ssl", ["weights-cache-corrupt"]) == ""


def test_every_look_alike_is_a_cataloged_cause_and_every_group_says_how_to_tell():
    from keras_doctor import causes

    for first, others in lookalike.LOOK_ALIKES.items():
        assert first in causes.CATALOG and set(others) <= set(causes.CATALOG)
        for other in others:
            assert lookalike.told_apart_by(first, [other]), (first, other)


def test_an_answer_reached_from_other_words_is_not_told_apart_by_the_shared_message():
    # tensorflow-text's op, loaded without tensorflow-text: `missing-dependency`, but nothing here
    # printed "No module named", so the step that tells that message's causes apart would mislead
    findings = explain_text(
        "tensorflow.python.framework.errors_impl.NotFoundError: Op type not registered "
        "'CaseFoldUTF8' in binary running on b2f4. Make sure the Op and Kernel are registered in "
        "the binary running in this process.").findings
    assert findings[0].cause == "missing-dependency"
    assert "told_apart_by" not in findings[0].evidence
    assert not any(f.fix[0].description.startswith("First tell it from") for f in findings)


@pytest.mark.parametrize(("cause", "other", "holding", "lacking"), [
    ("missing-dependency", "wrong-interpreter", "ModuleNotFoundError: No module named 'cv2'",
     "Op type not registered 'CaseFoldUTF8'"),
    ("no-wheel-for-python", "no-wheel-for-platform", "(from versions: none)",
     "ERROR: Failed building wheel for h5py"),
    ("no-wheel-for-platform", "no-wheel-for-python",
     "ERROR: No matching distribution found for tensorflow", "Illegal instruction"),
    ("keras-api-moved", "keras-tf-version-skew",
     "AttributeError: module 'keras.utils' has no attribute 'Sequence'",
     "ValueError: Unknown layer: Functional"),
    # TensorFlow's own top level, not Keras's: Keras's releases decide nothing there
    ("package-too-old-for-api", "keras-api-moved",
     "    from keras.layers.core import Dense, Merge\nImportError: cannot import name Merge",
     "AttributeError: module 'tensorflow' has no attribute 'py_function'"),
])
def test_a_group_is_told_apart_only_where_the_text_holds_its_shared_words(cause, other, holding,
                                                                           lacking):
    assert lookalike.told_apart_by(cause, [other], holding)
    assert lookalike.told_apart_by(cause, [other], lacking) == ""
    assert lookalike.told_apart_by(cause, [other]) == lookalike.told_apart_by(cause, [other],
                                                                               holding)


def test_a_crash_is_told_apart_whatever_it_printed():
    # a dead kernel prints no SIGILL words, yet Rosetta or AVX is still the question
    died = "The kernel appears to have died. It will restart automatically."
    assert lookalike.told_apart_by("cpu-lacks-avx", ["rosetta-python"], died)


def test_a_first_guess_below_its_look_alikes_floor_is_shown_at_it(monkeypatch):
    # the model's guess for an unrecognised error can fall under what a look-alike of it is
    # always shown at: the list must still read most likely first
    from keras_doctor.explain import ranker

    monkeypatch.setattr(ranker, "confidence", lambda p, rank, steps: 0.01)
    monkeypatch.setattr(ranker, "met_fresh", lambda confidence, kind, steps: confidence)
    found = explain_text("my script errors when it is named code.py").findings
    first = found[0]
    alike = [f for f in found[1:] if lookalike.is_look_alike(f.cause, first.cause)]
    assert alike, [f.cause for f in found]
    shown = [f.confidence for f in found]
    assert shown == sorted(shown, reverse=True)
    assert first.confidence == lookalike.SHOWN_AT_LEAST
