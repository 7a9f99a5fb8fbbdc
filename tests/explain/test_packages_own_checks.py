"""Packages that check their own installation as they import, and say what is wrong.

- deepface and retinaface (serengil/deepface, serengil/retinaface: commons/package_utils.py,
  `validate_for_keras3`) try `import tf_keras` when TensorFlow is 2.16 or newer and raise
  `ValueError: You have tensorflow X and this requires tf-keras package`. It is a ValueError with
  no `No module named` in it: without its own signature explain fell back to what bare
  ValueErrors most often meant and told the user to install an unrelated package.
- numpy (numpy/core/__init__.py, 1.16 on) checks that its multiarray and umath modules are the
  wrappers its own release ships; an older numpy's extensions in their place raise "Something is
  wrong with the numpy installation. While importing we detected an older version of numpy in
  [path]": two installs mixed in one folder, which numpy itself says to uninstall until none is
  left. Not an extension built against another NumPy (whose banner names API versions).
"""

from __future__ import annotations

import corpus

from keras_doctor.explain import explain_text


def _commands(finding):
    return " ".join(" ".join(step.command or ()) for step in finding.fix)


def test_deepface_check_names_tf_keras_as_the_missing_distribution():
    text = corpus.case("heygenclone-26-tf216-needs-tf-keras")["text"]
    finding = explain_text(text).findings[0]
    assert finding.cause == "missing-dependency"
    assert finding.evidence["module"] == "tf-keras"
    assert finding.confidence >= 0.5
    assert "tf-keras" in _commands(finding) and "h5py" not in _commands(finding)


def test_transformers_keras3_refusal_stays_legacy_code():
    # transformers (modeling_tf_utils.py) refuses Keras 3 itself: Keras 2 code meeting Keras 3,
    # with tf-keras named as the way out
    text = ("ValueError: Your currently installed version of Keras is Keras 3, but this is not yet "
            "supported in Transformers. Please install the backwards-compatible tf-keras package "
            "with `pip install tf-keras`.")
    assert explain_text(text).findings[0].cause == "keras3-legacy-code"


# numpy's message as numpy formats it: the path is `sys.modules['numpy'].__path__`, a list
NUMPY_OLDER_COPY = (
    "ImportError: Something is wrong with the numpy installation. While importing we detected an "
    "older version of numpy in ['/usr/local/lib/python3.6/dist-packages/numpy']. One method of "
    "fixing this is to repeatedly uninstall numpy until none is found, then reinstall this "
    "version."
)


def test_numpy_finding_an_older_copy_of_itself_is_a_duplicate_install():
    finding = explain_text(NUMPY_OLDER_COPY).findings[0]
    assert finding.cause == "duplicate-install"
    assert finding.confidence >= 0.5


def test_numpy_api_banner_stays_an_abi_mismatch():
    # the other side: numpy's import_array() check in an extension built against another NumPy
    text = ("RuntimeError: module compiled against API version 0xe but this version of numpy is "
            "0xd\nImportError: numpy.core.multiarray failed to import")
    assert explain_text(text).findings[0].cause == "numpy-abi-mismatch"
