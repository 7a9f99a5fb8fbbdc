"""What packages print about their own installation, and about files that are not what they seem.

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
- CPython's pickle (Modules/_pickle.c) names the first byte of a file that is no pickle:
  `invalid load key, '<'` is an HTML page saved under the model's name, `'v'` a Git LFS pointer.
  The texts here are what the real pickle prints for such files.
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


# -- pickle naming the first byte of a file that is no pickle -----------------------------------


def _unpickling_error(content: bytes) -> str:
    """The last line CPython's own pickle prints for a file with these first bytes."""
    import pickle

    try:
        pickle.loads(content)
    except pickle.UnpicklingError as error:
        return f"_pickle.UnpicklingError: {error}"
    raise AssertionError("the bytes unpickled")


def test_an_html_page_saved_as_the_model_is_a_bad_download():
    text = _unpickling_error(b"<!DOCTYPE html>\n<html><head><title>Sign in</title>")
    assert text.endswith("invalid load key, '<'.")
    finding = explain_text(text).findings[0]
    assert finding.cause == "downloaded-weights-file-corrupt"
    assert finding.evidence["first_byte"] == "<"


def test_a_git_lfs_pointer_saved_as_the_model_is_a_bad_download():
    text = _unpickling_error(b"version https://git-lfs.github.com/spec/v1\n"
                             b"oid sha256:4d7a2148\nsize 102502400\n")
    assert explain_text(text).findings[0].cause == "downloaded-weights-file-corrupt"


def test_another_first_byte_names_no_page_or_pointer():
    # the other side: a byte that starts neither an HTML page nor an LFS pointer (here an HDF5
    # file given to pickle) says only that the file is no pickle
    text = _unpickling_error(b"\x89HDF\r\n\x1a\n\x00\x00")
    assert "invalid load key" in text
    sure = [f.cause for f in explain_text(text).findings if (f.confidence or 0) >= 0.5]
    assert "downloaded-weights-file-corrupt" not in sure
