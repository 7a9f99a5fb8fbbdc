"""The shadow fix renames a file that hides a package, never the installed package's own code.

`cannot import name 'VGG16' from 'keras.applications' (…/site-packages/keras/applications/
__init__.py)` names the real package's file: the import found Keras and missed the name. Renaming
that file, as a fix for the "local file hides the package" candidate, would break the installation.
A stray `keras.py` at the top of site-packages, or a file in the user's project, does hide it.
"""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text

SITE = "/opt/homebrew/lib/python3.11/site-packages"


def _shadow(path: str):
    text = ("Traceback (most recent call last):\n"
            '  File "train.py", line 1, in <module>\n'
            "    from keras.applications import VGG16\n"
            f"ImportError: cannot import name 'VGG16' from 'keras.applications' ({path})")
    found = [f for f in explain_text(text).findings if f.cause == "shadowed-module"]
    assert found, "the shadow stays a candidate: the same message is printed by one"
    return found[0]


def test_the_installed_packages_own_file_is_never_renamed():
    finding = _shadow(f"{SITE}/keras/applications/__init__.py")
    step = finding.fix[0]
    assert step.target is None
    assert "site-packages" not in step.description + finding.title
    assert "keras.py or keras/" in step.description


@pytest.mark.parametrize("path", [
    "/Users/ada/proj/keras/applications/__init__.py",  # a project folder named keras
    f"{SITE}/keras.py",  # a stray module file at the top of site-packages
    f"{SITE}/mylib/keras/applications/__init__.py",  # vendored inside another package
])
def test_a_file_outside_the_installed_package_is_the_one_to_rename(path):
    step = _shadow(path).fix[0]
    assert step.target == path


CIRCULAR_IN_A_LOCAL_PACKAGE = (
    "Traceback (most recent call last):\n  File \"/home/ada/proj/train.py\", line 1, in <module>\n"
    "    import keras\n  File \"/home/ada/proj/keras/__init__.py\", line 2, in <module>\n"
    "    from keras import layers\n"
    "ImportError: cannot import name 'layers' from partially initialized module 'keras' (most "
    "likely due to a circular import) (/home/ada/proj/keras/__init__.py)\n")


def test_a_local_package_folder_named_like_the_module_is_the_shadow():
    """CPython names the file of the partially initialised module: a `keras/__init__.py` of
    the user's own is the folder `keras`, found before the installed one, and nothing else: no
    other knowledge proposes a cause, so the model's fill-ins stay far below it."""
    findings = explain_text(CIRCULAR_IN_A_LOCAL_PACKAGE).findings
    assert findings[0].cause == "shadowed-module"
    assert findings[0].confidence >= 0.85  # among the surest answers, as the maps show them
    assert all(f.evidence.get("signatures") == ["ranker"] and f.confidence < 0.1
               for f in findings[1:])
    assert findings[0].evidence["path"] == "/home/ada/proj/keras/__init__.py"


def test_a_local_file_found_keeps_its_weight_though_the_frames_run_the_installed_package():
    """The frames passing through site-packages/keras halve a shadow guessed without a file;
    one whose local file is in sight stays as sure."""
    from keras_doctor.explain import clues

    read = clues.read("", ["/home/ada/proj/train.py",
                           "/usr/lib/python3.10/site-packages/keras/__init__.py"])
    with_file = {"module": "keras", "path": "/home/ada/proj/keras.py"}
    assert clues.weigh("shadowed-module", 0.92, read, with_file) == (0.92, None)
    assert clues.weigh("shadowed-module", 0.92, read, {"module": "keras"}) == (
        0.46, "the frames run the installed keras package")


# asrt-speechrecognition#210 (Keras 2.4, whose keras.backend is one file, not the folder that held
# tensorflow_backend.py until 2.3)
NOT_A_PACKAGE = ("ModuleNotFoundError: No module named 'keras.backend.tensorflow_backend'; "
                 "'{}' is not a package")


def test_a_file_named_like_the_package_hides_it():
    text = NOT_A_PACKAGE.format("keras").replace("keras.backend.tensorflow_backend", "keras.models")
    assert explain_text(text).findings[0].cause == "shadowed-module"


def test_the_packages_own_module_that_is_not_a_folder_hides_nothing():
    findings = explain_text(NOT_A_PACKAGE.format("keras.backend")).findings
    assert findings[0].cause == "keras-api-moved"
    assert "shadowed-module" not in [f.cause for f in findings[:3]]
