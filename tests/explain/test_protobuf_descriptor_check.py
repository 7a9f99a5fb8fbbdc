"""protobuf refuses descriptors not made by generated code, in each runtime's own words.

protobuf 3's C++ runtime (python/google/protobuf/pyext/message.cc, `_CheckCalledFromGeneratedFile`)
raises "Descriptors should not be created directly, but only retrieved from their parent."; 4.21
rewrote the same check as "Descriptors cannot be created directly" with the advice to regenerate
the _pb2 files. Both are generated code and runtime of two protobuf releases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import hypotheses


def test_protobuf_3_wording_names_the_generated_code_and_runtime_mismatch():
    # victordibia/handtracking#38: TensorFlow 1.9, object-detection protos and the protobuf runtime
    case = corpus.case("handtracking-38-tf19-protobuf-descriptors-parent")
    top = hypotheses(case["text"])[1][0]
    assert top.cause == case["cause"] == "protobuf-mismatch"
    assert "protobuf-runtime" in top.signatures


def test_protobuf_4_wording_keeps_its_answer():
    text = (
        "TypeError: Descriptors cannot be created directly.\n"
        "If this call came from a _pb2.py file, your generated code is out of date and must be "
        "regenerated with protoc >= 3.19.0."
    )
    top = hypotheses(text)[1][0]
    assert top.cause == "protobuf-mismatch"
    assert "protobuf-runtime" in top.signatures


def test_a_descriptor_word_alone_is_not_the_check():
    text = "AttributeError: 'NoneType' object has no attribute 'fields_by_name' (descriptors)"
    assert all("protobuf-runtime" not in h.signatures for h in hypotheses(text)[1])


# The other direction: a runtime older than the protoc that generated the _pb2 module refuses the
# descriptor arguments that protoc added later (protobuf python/google/protobuf/descriptor.py)
@pytest.mark.parametrize("paste", [
    "TypeError: __init__() got an unexpected keyword argument 'serialized_options'",
    "TypeError: __new__() got an unexpected keyword argument 'create_key'",
    "__init__() got an unexpected keyword argument 'syntax'",
    "KeyError: \"Couldn't find field google.protobuf.FileOptions.php_metadata_namespace\"",
])
def test_a_runtime_older_than_the_generated_code_is_upgraded(paste):
    top = explain_text(paste).findings[0]
    assert top.cause == "protobuf-mismatch" and top.confidence >= 0.8
    assert "--upgrade" in top.fix[0].command


@pytest.mark.parametrize("paste", [
    "TypeError: __init__() got an unexpected keyword argument 'input_shape'",  # a Keras layer
    "KeyError: \"Couldn't find field labels in row\"",
])
def test_other_unexpected_arguments_and_fields_are_not_protobufs(paste):
    assert "protobuf-runtime-older-than-generated-code" not in [
        s for h in hypotheses(paste)[1] for s in h.signatures]
