"""Model files, weights and Keras's own configuration, read by what the packages print.

- TensorFlow 1's `Assign` refusing a value of another shape is Keras 2.0-2.2 setting a weight
  trained for another configuration (`weights-model-mismatch`); the same shape words for any
  other op are the model's own layers disagreeing, not weights.
- Keras's weights hosts answering 404 for a file name an application built: a configuration no
  weights were trained for (`weights-model-mismatch`); a 404 elsewhere says nothing of Keras's
  configurations.
- `~/.keras/keras.json` that is not JSON, read by Keras at import (`keras-config-invalid`); the
  JSON decoder's message for any other file is not Keras's configuration.
- Keras's deserializer meeting a layer class (`Unknown layer: Merge`) or an argument (`Keyword
  argument not understood: data_format`) the running Keras does not know: a file written by other
  code or another Keras (`model-format-incompatible`); an unknown loss function is the code's.
- CPython's `bad marshal data` while Keras loads a Lambda layer's bytecode: a model saved under
  another Python (`model-format-incompatible`); the same words importing a module are a `.pyc`.

Reports come from the tuning corpus (by id), explained without the signatures their own thread
taught; the other texts are what the packages print (file named beside each).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import hypotheses

# keras/backend/__init__.py of Keras 1.x-2.0 reading ~/.keras/keras.json, on Python 3
KERAS_JSON_PY3 = (
    'Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n    import keras\n'
    '  File "/usr/local/lib/python3.6/site-packages/keras/__init__.py", line 3, in <module>\n'
    "    from . import backend\n"
    '  File "/usr/local/lib/python3.6/site-packages/keras/backend/__init__.py", line 29, in '
    "<module>\n    _config = json.load(open(_config_path))\n"
    '  File "/usr/lib/python3.6/json/__init__.py", line 299, in load\n'
    "    parse_constant=parse_constant, object_pairs_hook=object_pairs_hook, **kw)\n"
    "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 5 "
    "column 1 (char 98)\n")
# a script reading its own configuration file
OTHER_JSON = (
    'Traceback (most recent call last):\n  File "train.py", line 5, in <module>\n'
    "    cfg = json.load(open('config.json'))\n"
    "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n")
# keras/utils/generic_utils.py func_load (Keras 2.3), unmarshalling a Lambda layer's code
LAMBDA_MARSHAL = (
    'Traceback (most recent call last):\n  File "predict.py", line 4, in <module>\n'
    "    model = load_model('model.h5')\n"
    '  File "/home/u/venv/lib/python3.8/site-packages/keras/utils/generic_utils.py", line 228, '
    "in func_load\n    code = marshal.loads(raw_code)\n"
    "ValueError: bad marshal data (unknown type code)\n")
# CPython's importer (importlib._bootstrap_external) reading a damaged .pyc
PYC_MARSHAL = (
    'Traceback (most recent call last):\n  File "app.py", line 1, in <module>\n'
    "    import tensorflow as tf\n"
    '  File "<frozen importlib._bootstrap_external>", line 1043, in get_code\n'
    "ValueError: bad marshal data (unknown type code)\n")
# keras/utils/data_utils.py get_file, for a MobileNet size the weights host does not serve
NOT_SERVED = (
    "Downloading data from https://storage.googleapis.com/tensorflow/keras-applications/"
    "mobilenet/mobilenet_1_0_200_tf_no_top.h5\nException: URL fetch failure on https://storage."
    "googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_200_tf_no_top.h5: 404 "
    "-- Not Found\n")
# the same 404 from a third-party project's release (a moved or deleted file)
OTHER_HOST_404 = (
    "Exception: URL fetch failure on https://github.com/someone/face-models/releases/download/v2.0/"
    "face_notop.h5: 404 -- Not Found\n")
# TensorFlow 1's shape check for an op of the model itself, beside words about weights
MODEL_OWN_SHAPES = (
    "I load the pretrained weights, then add my head:\nValueError: Dimension 1 in both shapes "
    "must be equal, but are 64 and 32. Shapes are [?,64] and [?,32]. for 'concatenate_1/concat' "
    "(op: 'ConcatV2') with input shapes: [?,64], [?,32], [].\n")

# keras/engine/saving.py load_model then keras/utils/generic_utils.py (Keras 2.2): a Keras 1 layer
KERAS1_LAYER = (
    'Traceback (most recent call last):\n  File "test.py", line 12, in <module>\n'
    "    model = load_model('retina_unet.h5')\n"
    '  File "/usr/lib/python3.6/site-packages/keras/utils/generic_utils.py", line 138, in '
    "deserialize_keras_object\n    ': ' + class_name)\nValueError: Unknown layer: Merge\n")
# a custom loss the code did not pass to load_model: a function, not a layer of a file's Keras
UNKNOWN_LOSS = "ValueError: Unknown loss function: focal_loss\n"

RECOGNISED: List[Tuple[str, str, str]] = [
    ("weights-model-mismatch", "layer-weight-shape",
     "case:zf-unet-8-one-channel-model-rgb-weights"),
    ("weights-model-mismatch", "layer-weight-shape",
     "case:cnn-finetune-44-resnet101-one-channel-weights"),
    ("weights-model-mismatch", "keras-weights-not-served", NOT_SERVED),
    ("weights-model-mismatch", "keras-weights-not-served",
     "case:keras-applications-92-mobilenet-200-404"),
    ("keras-config-invalid", "keras-json-not-json", KERAS_JSON_PY3),
    ("keras-config-invalid", "keras-json-not-json", "case:keras-4153-keras-json-expecting-object"),
    ("keras-config-invalid", "keras-json-not-json", "case:keras-5295-keras-json-smart-quote"),
    ("model-format-incompatible", "keras-deserializer-unknown-class", KERAS1_LAYER),
    ("model-format-incompatible", "keras-deserializer-unknown-class",
     "case:retina-unet-55-unknown-layer-merge-keras1-model"),
    ("model-format-incompatible", "keras-deserializer-unknown-class",
     "case:keras-10075-colab-h5-data-format-kwarg"),
    ("model-format-incompatible", "lambda-marshalled-by-another-python", LAMBDA_MARSHAL),
    ("model-format-incompatible", "lambda-marshalled-by-another-python",
     "case:keras-7440-bad-marshal-py27-to-py34-title"),
]


def _text_and_leave_out(item: str) -> Tuple[str, frozenset]:
    if not item.startswith("case:"):
        return item, frozenset()
    case_id = item[len("case:"):]
    case = next(c for c in corpus.load() if c["id"] == case_id)
    return case["text"], frozenset({case["source_url"]})


@pytest.mark.parametrize(("expected", "signature", "item"), RECOGNISED)
def test_what_the_package_prints_names_the_cause(expected, signature, item):
    text, own_thread = _text_and_leave_out(item)
    ranked = hypotheses(text, without_sources=own_thread)[1]
    assert [h.cause for h in ranked][:1] == [expected], [h.cause for h in ranked][:3]
    assert signature in ranked[0].signatures


@pytest.mark.parametrize(("paste", "signature"), [
    (OTHER_JSON, "keras-json-not-json"),
    (PYC_MARSHAL, "lambda-marshalled-by-another-python"),
    (OTHER_HOST_404, "keras-weights-not-served"),
    (MODEL_OWN_SHAPES, "layer-weight-shape"),
    (UNKNOWN_LOSS, "keras-deserializer-unknown-class"),
])
def test_the_same_words_from_elsewhere_are_not_that_cause(paste, signature):
    ranked = hypotheses(paste)[1]
    assert all(signature not in h.signatures for h in ranked), [(h.cause, h.signatures)
                                                               for h in ranked]


def test_a_keras_json_finding_says_which_file_to_fix():
    finding = explain_text(KERAS_JSON_PY3).findings[0]
    assert finding.cause == "keras-config-invalid"
    assert "keras.json" in finding.title or "keras.json" in " ".join(
        str(step) for step in finding.fix)


def test_a_truncated_cached_weights_file_is_recognised_by_hdf5s_own_words():
    """keras-team/keras#6221: VGG16's weights cut short in ~/.keras: HDF5's "Truncated file"
    line names the cache (read with the sizes it states), not a guess from the exception."""
    first = explain_text(corpus.case("keras-6221-vgg16-truncated-h5")["text"]).findings[0]
    assert first.cause == "weights-cache-corrupt"
    assert first.evidence["signatures"] == ["h5-truncated"]
    assert (first.evidence["eof"], first.evidence["stored_eof"]) == ("21463040", "58889256")


def test_hdf5s_signature_not_found_is_surer_a_bad_download_when_the_user_names_the_file():
    """keras-team/keras#19164: h5py's "file signature not found" for a file the user's own
    `load_model("…h5")` opened is a download gone wrong more surely than for a file nobody named
    (it may be a file of another format, or Keras's cache)."""
    error = "OSError: Unable to open file (file signature not found)\n"
    named = hypotheses('model = load_model("C:/Users/shahn/Desktop/model.h5")\n' + error)[1][0]
    unnamed = hypotheses("model = build()\n" + error)[1][0]
    assert named.cause == unnamed.cause == "downloaded-weights-file-corrupt"
    assert named.score > unnamed.score


# -- a TensorFlow Lite runtime older than the converter --------------------------------------------


@pytest.mark.parametrize("line", [
    # tensorflow#47857, Coral's apt tflite_runtime on Raspbian
    "ValueError: Op builtin_code out of range: 132. Are you using old TFLite binary with newer "
    "model?Registration failed.",
    "java.lang.IllegalArgumentException: Internal error: Cannot create interpreter: Didn't find op "
    "for builtin opcode 'FULLY_CONNECTED' version '9'. An older version of this builtin might be "
    "supported. Are you using an old TFLite binary with a newer model?",
])
def test_a_tflite_model_newer_than_its_runtime_asks_for_a_newer_runtime(line):
    finding = explain_text(line).findings[0]
    assert finding.cause == "model-format-incompatible"
    assert "newer TensorFlow Lite runtime" in finding.fix[0].description
    assert "tflite-model-newer-than-runtime" in finding.evidence["signatures"]


def test_a_keras_file_keras_cannot_load_keeps_the_keras_fix():
    line = ("ValueError: File format not supported: filepath=saved_model. Keras 3 only supports "
            "V3 `.keras` files and legacy H5 format files (`.h5` extension).")
    finding = explain_text(line).findings[0]
    assert finding.cause == "model-format-incompatible"
    fix = finding.fix[0].description
    assert "TensorFlow Lite" not in fix and "TFSMLayer" in fix


@pytest.mark.parametrize("text", [
    # keras-team/keras#2352: Keras 1.0's layer_from_config reading a JSON saved before 1.0
    "  File \"/home/m/anaconda2/lib/python2.7/site-packages/keras/utils/layer_utils.py\", line 24, "
    "in layer_from_config\n    class_name = config['class_name']\nKeyError: 'class_name'",
    # iamaaditya/VQA_Demo#2, told in words
    "hi I am unable to load the model from json string. I am using keras 1.0.1 version.\n"
    "I am getting KeyError: class_name",
])
def test_a_saved_architecture_without_class_names_is_another_keras_file(text):
    assert explain_text(text).findings[0].cause == "model-format-incompatible"


def test_a_class_name_key_of_ones_own_dict_is_no_keras_file():
    assert "keras-config-without-class-name" not in [
        s for f in explain_text("KeyError: 'class_names'").findings
        for s in f.evidence.get("signatures", [])]
