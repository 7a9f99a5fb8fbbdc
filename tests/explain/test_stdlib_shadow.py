"""A user's file named like a standard-library module, imported by a package instead of it.

CPython's own list (`sys.stdlib_module_names`) says which names those are. Both sides: the file
reached through an import from an installed package (or named as the script) is the cause; the
same name as the script run first, or the real standard library's own file, is not.
"""

from __future__ import annotations

import sys

import pytest

from keras_doctor.explain.engine import hypotheses

pytestmark = pytest.mark.skipif(not hasattr(sys, "stdlib_module_names"),
                                reason="CPython lists its standard library from 3.10")

SITE = "/home/ada/venv/lib/python3.10/site-packages"


def ranked(text: str) -> list:
    return [(h.cause, h.evidence) for h in hypotheses(text)[1]]


def test_a_local_random_py_imported_by_tensorflow_is_the_shadow():
    text = ("Traceback (most recent call last):\n"
            '  File "/home/ada/proj/train.py", line 1, in <module>\n    import tensorflow as tf\n'
            f'  File "{SITE}/tensorflow/python/__init__.py", line 42, in <module>\n'
            "    from tensorflow.python import data\n"
            '  File "/home/ada/proj/random.py", line 3, in <module>\n'
            "    x = random.randint(0, 9)\n"
            "AttributeError: module 'random' has no attribute 'randint'")
    (cause, evidence), *_ = ranked(text)
    assert cause == "shadowed-module"
    assert evidence["path"] == "/home/ada/proj/random.py"
    assert evidence["module"] == "random"


def test_the_fix_renames_the_shadowing_file_not_the_script():
    text = (f'  File "/home/ada/proj/train.py", line 1, in <module>\n'
            f'  File "{SITE}/tensorflow/python/__init__.py", line 42, in <module>\n'
            '  File "/home/ada/proj/random.py", line 3, in <module>\n'
            "AttributeError: module 'random' has no attribute 'randint'")
    from keras_doctor.explain import explain_text

    fix = explain_text(text).findings[0].fix[0]
    assert fix.target == "/home/ada/proj/random.py"


def test_a_script_named_like_a_standard_module_is_the_shadow():
    text = "`from tensorflow import keras` errors if it's in a file named `code.py`"
    assert ranked(text)[0][0] == "shadowed-module"


@pytest.mark.parametrize("text", [
    # the script itself, run first, named like the stdlib's test package: nothing imported it
    'Traceback (most recent call last):\n  File "/home/ada/proj/test.py", line 1, in <module>\n'
    "    import tensorflow as tf\nModuleNotFoundError: No module named 'tensorflow'",
    # the standard library's own copy.py, after a package frame
    f'  File "{SITE}/numpy/__init__.py", line 1, in <module>\n'
    '  File "/usr/lib/python3.10/copy.py", line 3, in <module>\nTypeError: boom',
    # a file named like no standard module
    "the error appears when the script is named `trainer.py`\nTypeError: boom",
    # a module of the user's own package (mypkg.signal), called back from Keras: not top-level
    '  File "/home/ada/proj/train.py", line 9, in <module>\n'
    f'  File "{SITE}/keras/src/trainers/trainer.py", line 3, in fit\n'
    '  File "/home/ada/proj/mypkg/signal.py", line 7, in on_epoch_end\nValueError: boom',
])
def test_no_shadow_without_a_local_standard_name_imported_by_a_package(text):
    assert "shadowed-module" not in [c for c, _ in ranked(text)][:1]


def test_a_script_named_after_a_stdlib_module_in_the_words_names_its_file():
    """tensorflow/tensorflow#40265's title: the user's `code.py` shadows the standard library's
    `code`, which TensorFlow's import reaches: the answer names the module and the file."""
    text = "`from tensorflow import keras` errors if it's in a file named `code.py`"
    first = hypotheses(text)[1][0]
    assert first.cause == "shadowed-module"
    assert first.evidence["module"] == "code"
    assert first.evidence["path"] == "code.py"
