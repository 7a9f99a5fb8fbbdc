"""A library's own check of the versions it needs, read as the library prints it.

Downstream libraries check their dependencies when they are imported or their scripts start, and
word the refusal in their own way: sonnet 1's `_ensure_dependency_available_at_version` ("tensorflow
version 1.4.0 is installed, but Sonnet requires at least version 1.8.0.", or "Sonnet requires
tensorflow (minimum version 1.8.0) to be installed." when the import fails), keras-retinanet's
`assert_tf_version` / `check_tf_version` ("You are using tensorflow version 1.15.0. The minimum
required version is 2.3.0", with its blacklist in newer releases). The texts are those format
strings filled in as the libraries fill them.
"""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import hypotheses

SONNET_FRAMES = (
    "Traceback (most recent call last):\n"
    '  File "train.py", line 13, in <module>\n'
    "    import sonnet as snt\n"
    '  File "/home/u/envs/tf14/lib/python3.6/site-packages/sonnet/__init__.py", line 61, in '
    "_ensure_dependency_available_at_version\n"
    "    (package_name, pkg.__version__, min_version))\n"
)
RETINANET_FRAMES = (
    "Traceback (most recent call last):\n"
    '  File "/home/u/venv/lib/python3.7/site-packages/keras_retinanet/bin/train.py", line 514, '
    "in main\n    check_tf_version()\n"
    '  File "/home/u/venv/lib/python3.7/site-packages/keras_retinanet/utils/tf_version.py", '
    "line 54, in check_tf_version\n    assert_tf_version()\n"
)


def top(text):
    finding = explain_text(text).findings[0]
    return finding.cause, finding.evidence


def signatures(text):
    return [s for h in hypotheses(text)[1] for s in h.signatures]


def test_sonnet_refusing_the_installed_tensorflow():
    cause, evidence = top(SONNET_FRAMES + "SystemError: tensorflow version 1.4.0 is installed, "
                          "but Sonnet requires at least version 1.8.0.")
    assert cause == "requirement-conflict"
    assert evidence["requirement"] == "tensorflow>=1.8.0"
    assert evidence["installed"] == "tensorflow 1.4.0"
    assert evidence["requirer"] == "Sonnet"


@pytest.mark.parametrize(("text", "requirement", "installed"), [
    ("Using TensorFlow backend.\nYou are using tensorflow version 1.15.0. The minimum required "
     "version is 2.3.0\n", "tensorflow>=2.3.0", "tensorflow 1.15.0"),
    # a blacklisted release is refused although it is above the minimum
    ("You are using tensorflow version 2.0.0. The minimum required version is 1.14.0 "
     "(blacklisted: [(2, 0, 0), (2, 0, 1)]).", "tensorflow>=1.14.0", "tensorflow 2.0.0"),
    ("You are using keras version 2.0.8. The minimum required version is 2.2.4.",
     "keras>=2.2.4", "keras 2.0.8"),
])
def test_keras_retinanets_check_of_tensorflow_and_keras(text, requirement, installed):
    cause, evidence = top(text)
    assert cause == "requirement-conflict"
    assert (evidence["requirement"], evidence["installed"]) == (requirement, installed)
    assert "requirer" not in evidence  # nothing in the paste names the library


def test_the_frames_name_the_library_when_its_check_does_not():
    cause, evidence = top(RETINANET_FRAMES + "AssertionError: You are using tensorflow version "
                          "1.15.0. The minimum required version is 2.3.0")
    assert cause == "requirement-conflict"
    assert evidence["requirer"] == "keras_retinanet"


def test_a_dependency_that_does_not_import_at_all_is_missing():
    text = ("SystemError: Sonnet requires tensorflow (minimum version 1.8.0) to be installed. If "
            "using pip, run `pip install tensorflow` or `pip install tensorflow-gpu`")
    assert "library-dependency-not-installed" in signatures(text)
    assert top(text)[0] == "missing-dependency"


@pytest.mark.parametrize("text", [
    # a build tool's wording, not a package's check
    "The instructions here expect CMake 3.16 or newer, although the minimum required version is "
    "3.15.1.",
    "zEngine version 2.1 is too old. Application requires at least version 3.0.",
])
def test_other_minimum_version_wordings_are_not_a_librarys_check(text):
    assert "library-minimum-version-check" not in signatures(text)


# adriangb/scikeras#259: scikeras/__init__.py's TF_VERSION_ERR, for a TensorFlow 2.4 under a
# SciKeras that needs 2.7, and after "TensorFlow is not installed. " when there is none
@pytest.mark.parametrize(("text", "first"), [
    ("ImportError: SciKeras requires TensorFlow >= 2.7.0.", "requirement-conflict"),
    ("ImportError: TensorFlow is not installed. SciKeras requires TensorFlow >= 2.4.0.",
     "missing-dependency"),
])
def test_a_library_naming_the_tensorflow_it_requires(text, first):
    found = explain_text(text).findings[0]
    assert (found.cause, found.evidence["requirement"], found.evidence["requirer"]) == (
        first, "TensorFlow>=" + text.rsplit(">= ", 1)[1].rstrip("."), "SciKeras")
    assert "installed" not in found.evidence  # the check does not print the release it found


def test_a_release_required_in_prose_is_no_librarys_check():
    assert "library-requires-minimum-release" not in [
        s for f in explain_text("the docs say it requires tensorflow 2.7 or newer, it failed")
        .findings for s in f.evidence.get("signatures", [])]
