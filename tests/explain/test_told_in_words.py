"""A failure told in words, with no error pasted, is still a failure, guessed from its subject."""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text, fallback
from keras_doctor.explain.clues import error_kind, read
from keras_doctor.explain.text import clean


def guesses(text: str) -> list:
    cleaned = clean(text)
    return [cause for cause, *_ in fallback.candidates(cleaned.text, read(cleaned.text,
                                                                            cleaned.frames))]


@pytest.mark.parametrize("text", [
    "It complains that the requirements for Tensorflow 2.4 is numpy 1.19.2 or greater",
    "checking that tensorflow doesnt work with 32bit systems",
    "Numpy's version has been already upgraded to 2.x, but now tensorflow can't support it.",
    "tried the installation with 2.0 , which also does not support python 3.7.",
    "The latest tfio version 0.36.0 doesn't seem to be compatible with TensorFlow 2.16.1",
    "h5py==3.0.0 causes issues with keras model",
])
def test_a_failure_told_in_words_is_a_failure(text):
    assert error_kind(text) == "exception"
    assert explain_text(text).findings


@pytest.mark.parametrize("text", [
    "Here is my environment: tensorflow 2.15.0 and keras 2.15.0 on a 64-bit Ubuntu.",
    "The model trains fine and the loss goes down; how do I save it?",
])
def test_words_without_a_failure_are_no_error(text):
    assert error_kind(text) == ""


@pytest.mark.parametrize("text, first", [
    # tensorflow/tensorflow#21550, #19998: TensorFlow's pip page asks for a 64-bit Python
    ("Really a waste of time. checking that tensorflow doesnt work with 32bit systems",
     "no-wheel-for-platform"),
    ("Can i install tensorflow for python x86 with pip? it does not work", "no-wheel-for-platform"),
    # tensorflow/tensorflow#72888: TensorFlow 2.18 was the first built against NumPy 2
    ("Numpy's version has been already upgraded to 2.x, but now tensorflow can't support it.",
     "numpy-abi-mismatch"),
    # qurator-spk/sbb_textline_detection#50: TensorFlow 2.4 pinned h5py~=2.10
    ("h5py==3.0.0 causes issues with keras model", "dependency-too-new"),
    ("I can't install it: the installer complains that my python version isn't 3.8",
     "no-wheel-for-python"),
    # tensorflow/io#1972: the add-ons publish which TensorFlow each release was built for
    # googlecolab/colabtools#1093: a module only TensorFlow 1 had, named in the words
    ("Google Colab says that the tensorflow.contrib module doesn't exist.", "tf1-api-under-tf2"),
    ("my tf.contrib.layers code does not work on Colab", "tf1-api-under-tf2"),
    ("can we please have a Tensorflow I/O release? tensorflow-io 0.36.0 doesn't seem to be "
     "compatible with Tensorflow 2.16.1", "extension-built-against-another-tensorflow"),
])
def test_the_subject_of_a_failure_told_in_words_is_the_first_guess(text, first):
    assert guesses(text)[0] == first


def test_a_module_tensorflow_2_has_is_no_tensorflow_1_code():
    assert "tf1-api-under-tf2" not in guesses("tensorflow.keras.layers doesn't exist in my install")


def test_numpy_1_is_no_numpy_2_and_x86_64_is_no_32_bit_machine():
    assert "numpy-abi-mismatch" not in guesses("numpy 1.19.2 doesn't work with tensorflow")
    assert "no-wheel-for-platform" not in guesses(
        "tensorflow doesn't work on my x86_64 machine with numpy 1.26")[:1]


def test_a_traceback_is_read_by_its_frames_not_by_the_python_its_paths_name():
    # fawkes#131, cut before its exception: `python3.7` in a site-packages path is no Python
    # version told in words, and load_model's frames say what was being done
    text = ("Traceback (most recent call last):\n"
            '  File "/home/dl5/conda/envs/tf2.0/lib/python3.7/site-packages/keras/engine/'
            'saving.py", line 584, in load_model\n'
            "    model = _deserialize_model(h5dict, custom_objects, compile)\n"
            "It does not work")
    assert "no-wheel-for-python" not in guesses(text)
