"""HDF5's refusal of a file, recognised by the message atlas, is judged by where the file lives.

`Unable to open file (file signature not found)` is HDF5's (H5Fsuper.c, in h5py's bundled
libhdf5): the file is not HDF5 at all. Where the signature that reads this line is not known, the
atlas recognises it; it answers as the signature's resolve step does, from the rest of the paste:
a file in Keras's download cache is the cache's, one the code names (`load_model("x.h5")`) a
download or clone that went wrong, and with neither clue the download leads and a file of another
format comes next.
"""

from __future__ import annotations

import corpus
import pytest

from keras_doctor.explain import messages

REFUSED = "OSError: Unable to open file (file signature not found)"
USERS = ('Traceback (most recent call last):\n  File "train.py", line 4, in <module>\n'
         '    weights = h5py.File("data/weights.hdf5", "r")\n')
CACHE = ("Downloading data from https://storage.googleapis.com/tensorflow/keras-applications/"
         "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5\n")


def atlas(text):
    return [cause for cause, *_ in messages.causes_of(text)]


@pytest.mark.parametrize("case_id", ["keras-19164-h5-signature-not-found-user-file",
                                     "santosnet-5-sample-model-h5-not-downloaded"])
def test_a_real_report_loading_its_own_file_is_a_bad_download(case_id):
    report = corpus.case(case_id)
    assert report["cause"] == "downloaded-weights-file-corrupt"
    assert atlas(report["text"]) == ["downloaded-weights-file-corrupt",
                                     "model-format-incompatible", "weights-cache-corrupt"]


def test_a_file_the_code_opens_is_a_bad_download():
    assert atlas(USERS + REFUSED) == ["downloaded-weights-file-corrupt",
                                      "model-format-incompatible", "weights-cache-corrupt"]


def test_a_file_keras_downloaded_into_its_cache_is_the_cache():
    """The other side: the same line after Keras's own download."""
    assert atlas(CACHE + REFUSED) == ["weights-cache-corrupt"]


def test_the_first_answer_keeps_the_atlas_weight():
    (first, weight, *_), *_ = messages.causes_of(USERS + REFUSED)
    assert (first, weight) == ("downloaded-weights-file-corrupt", 0.55)


def test_a_message_without_a_resolve_step_keeps_its_one_cause():
    """A rule with no resolve step answers its own cause alone (numpy's 1.x/2.x banner)."""
    text = ("A module that was compiled using NumPy 1.x cannot be run in\nNumPy 2.0.0 as it may "
            "crash. To support both 1.x and 2.x\nversions of NumPy, modules must be compiled "
            "with NumPy 2.0.")
    assert [(cause, weight) for cause, weight, *_ in messages.causes_of(text)] == [
        ("numpy-abi-mismatch", 0.85)] * 3  # the banner's three lines, each recognised
