"""An op the process has not registered names the add-on that registers it, read from its wheels.

`Op type not registered 'CaseFoldUTF8' in binary running on …` (OpRegistry::LookUp) is printed when
a SavedModel uses an op no loaded library registered. tensorflow-text registers `CaseFoldUTF8` only
when `tensorflow_text` is imported, so the fix is to install it and import it before loading.
Which add-on registers which op is read from the add-ons' wheels (`knowledge.build.custom_ops`).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "knowledge"))
import corpus
from kb_helpers import BUILD_CACHE

from keras_doctor.explain import custom_ops, explain_text
from keras_doctor.knowledge.build.custom_ops import build_custom_ops, ops_in, wrapper_name
from keras_doctor.knowledge.build.fetch import Fetcher

NOT_REGISTERED = ("FileNotFoundError: Op type not registered '{}' in binary running on "
                  "c231cf5b24fe. Make sure the Op and Kernel are registered in the binary running "
                  "in this process.")


@pytest.mark.parametrize("op, wrapper", [
    ("CaseFoldUTF8", "case_fold_utf8"),  # an upper-case run ends at the string's end
    ("NormalizeUTF8WithOffsetsMap", "normalize_utf8_with_offsets_map"),  # ...or before a word
    ("SentencepieceOp", "sentencepiece_op"),
    ("RougeL", "rouge_l"),
    ("Addons>GatherTree", "addons_gather_tree"),  # the namespace's `>` read as `_`, not doubled
    ("IO>AudioDecodeWAV", "io_audio_decode_wav"),
])
def test_wrapper_names_follow_tensorflows_generator(op, wrapper):
    assert wrapper_name(op) == wrapper


def test_ops_are_the_librarys_strings_its_python_calls_less_tensorflows_own():
    library = (b"\x00CaseFoldUTF8\x00NormalizeUTF8\x00Addons>Gelu\x00ExpandDims\x00Array\x00"
               b"BATCH\x00UnusedHelperName\x00N10tensorflow12CaseFoldUTF8E\x00")
    python = ("x = gen_normalize_ops.case_fold_utf8(t)\n"
              "y = gen_normalize_ops.normalize_utf8(t)\n"
              "z = tf.expand_dims(t)\n"
              "w = thing.array(t)\n")
    assert ops_in([library], python, core={"ExpandDims"}) == {
        "CaseFoldUTF8", "NormalizeUTF8", "Addons>Gelu"}
    # the same without the core list: ExpandDims passes the call test, the core list removes it
    assert "ExpandDims" in ops_in([library], python)
    # an op called by its own name on an op library's handle, not on any object
    handle = b"\x00SimpleMLShowModel\x00HasField\x00"
    assert ops_in([handle], "training_op.SimpleMLShowModel(m)\nconfig.HasField('x')\n") == {
        "SimpleMLShowModel"}


def test_the_shipped_table_names_the_add_on_of_each_op():
    assert custom_ops.registered_by("CaseFoldUTF8") == {
        "distribution": "tensorflow-text", "module": "tensorflow_text",
        "releases": "0.1.0 … 2.21.1"}
    assert custom_ops.registered_by("SimpleMLCreateModelResource")["distribution"] == (
        "tensorflow-decision-forests")
    # one release read: named alone (TensorFlow Addons 0.11.2 registers it, later ones do not)
    assert custom_ops.registered_by("Addons>ImageProjectiveTransformV2") == {
        "distribution": "tensorflow-addons", "module": "tensorflow_addons", "releases": "0.11.2"}
    assert custom_ops.registered_by("IO>AudioDecodeWAV")["distribution"] == "tensorflow-io"
    # registered by two add-ons' wheels (struct2tensor, tensorflow-io 0.3.0): the first by name
    assert custom_ops.registered_by("ParquetDataset")["distribution"] == "struct2tensor"
    # TensorFlow's own ops are not an add-on's
    for core in ("ExpandDims", "AsString", "ReadFile", "ImageProjectiveTransformV2"):
        assert custom_ops.registered_by(core) is None


def test_a_tensorflow_text_op_missing_is_tensorflow_text_to_install_and_import():
    # tensorflow/hub#705 (tuning corpus): the BERT preprocessing model uses CaseFoldUTF8
    text = corpus.case("tf-hub-705-bert-preprocess-casefoldutf8-needs-tensorflow-text")["text"]
    top = explain_text(text).findings[0]
    assert top.cause == "missing-dependency"
    assert (top.evidence["op"], top.evidence["distribution"], top.evidence["module"]) == (
        "CaseFoldUTF8", "tensorflow-text", "tensorflow_text")
    assert top.evidence["registered_by"] == "tensorflow-text 0.1.0 … 2.21.1 (read)"
    assert top.evidence["source"] == (
        "https://pypi.org/project/<add-on>/ (the wheels of the releases read)")
    assert top.fix is not None
    steps = [s.description for s in top.fix]
    assert steps[-2:] == [
        "Install tensorflow-text, whose library registers the op `CaseFoldUTF8` (its release for "
        "the installed TensorFlow's minor)",
        "`import tensorflow_text` before loading the model: its ops are registered only when it "
        "is imported"]


def test_an_addons_op_names_tensorflow_addons():
    top = explain_text(NOT_REGISTERED.format("Addons>ImageProjectiveTransformV2")).findings[0]
    assert (top.cause, top.evidence["distribution"]) == ("missing-dependency",
                                                         "tensorflow-addons")


def test_an_op_no_add_on_registers_is_a_graph_from_a_newer_tensorflow():
    # the other side: DisableCopyOnRead is TensorFlow's own (2.14), no add-on's; a graph saved
    # by a newer TensorFlow names it under an older one
    assert custom_ops.registered_by("DisableCopyOnRead") is None
    result = explain_text(NOT_REGISTERED.format("DisableCopyOnRead"))
    assert [f.cause for f in result.findings][:2] == ["model-format-incompatible",
                                                      "missing-dependency"]
    assert "distribution" not in result.findings[0].evidence


@pytest.mark.slow
def test_the_op_table_read_from_the_wheels_matches_the_shipped_one():
    """tensorflow-text's rows of the table are what its wheels say: rebuilt, they are the same."""
    with ThreadPoolExecutor(4) as pool:
        built = build_custom_ops(Fetcher(BUILD_CACHE, progress=lambda *a: None), pool,
                                 {"tensorflow-text": "tensorflow_text"})
    shipped = custom_ops.load()
    assert built["add_ons"]["tensorflow-text"] == shipped["add_ons"]["tensorflow-text"]
    assert built["ops"] == {op: {"tensorflow-text": by["tensorflow-text"]}
                            for op, by in shipped["ops"].items() if "tensorflow-text" in by}
    assert built["ops"]["CaseFoldUTF8"] == {"tensorflow-text": ["0.1.0", "2.8.2", "2.21.1"]}


def test_an_unreadable_op_table_names_no_add_on(monkeypatch):
    # a missing or corrupt data file reads as empty (datafiles.read): no add-on, no crash
    monkeypatch.setattr(custom_ops, "load", lambda: {})
    assert custom_ops.registered_by("CaseFoldUTF8") is None
    assert custom_ops.source() == "knowledge/data/custom_ops.json"
