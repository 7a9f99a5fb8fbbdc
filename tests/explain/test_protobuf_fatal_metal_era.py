"""A protobuf abort on a Mac blames the Metal plugin only where a plugin can be installed.

libprotobuf's FATAL check aborts a process that holds two protobufs; on a Mac the second one is
usually tensorflow-metal's. But the plugin exists only from June 2021: its wheels on PyPI are
tagged `macosx_11_0` at the oldest (pip installs none on Catalina, 10.15), built for CPython 3.8
and later, and Apple's table pairs the first one with TensorFlow 2.5. A paste that states an
older macOS, Python or TensorFlow rules the plugin out, and leaves protobuf itself."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import hypotheses

# tensorflow/tensorflow#33746: TensorFlow 2.0.0 from PyPI on Catalina, fixed by reinstalling
# tensorflow and protobuf
CATALINA = corpus.case("tf-33746-catalina-protobuf-descriptor-fatal")["text"]
# tensorflow/tensorflow#64507: TensorFlow 2.16.1 with tensorflow-metal on Sonoma (M1)
SONOMA = corpus.case("tf-64507-metal-protobuf-fatal-tf216")["text"]


def _causes(text: str):
    return [h.cause for h in hypotheses(text)[1]]


def _top(text: str):
    return hypotheses(text)[1][0]


def test_a_macos_older_than_every_metal_wheel_leaves_protobuf():
    top = _top(CATALINA + "\nmacOS Catalina 10.15.1")
    assert top.cause == "protobuf-mismatch"
    assert top.evidence["macos"] == "10.15"
    assert top.evidence["metal_wheels_need"] == "macOS 11.0"


def test_big_sur_can_hold_the_first_plugin():
    # tensorflow-metal 0.1.0 (2021-06-07) has macosx_11_0_arm64 and _x86_64 wheels
    assert _causes(CATALINA + "\nmacOS Big Sur 11.4")[0] == "metal-plugin-mismatch"


def test_a_tensorflow_before_the_first_pairing_leaves_protobuf():
    top = _top("tensorflow==2.0.0\n" + CATALINA)
    assert top.cause == "protobuf-mismatch"
    assert (top.evidence["tensorflow"], top.evidence["first_tensorflow_with_metal"]) == (
        "2.0.0", "2.5")
    assert _causes("tensorflow==2.5.0\n" + CATALINA)[0] == "metal-plugin-mismatch"


def test_a_python_no_plugin_was_built_for_leaves_protobuf():
    frame = ('\n  File "/Users/me/anaconda3/lib/python{}/site-packages/tensorflow/__init__.py", '
             'line 98, in <module>')
    top = _top(CATALINA + frame.format("3.7"))
    assert top.cause == "protobuf-mismatch"
    assert top.evidence["python"] == "3.7"
    assert _causes(CATALINA + frame.format("3.8"))[0] == "metal-plugin-mismatch"


def test_the_plugin_era_keeps_the_plugin_first():
    for stated in ("\nmacOS Sonoma 14.4, M1", "\ntensorflow==2.16.1"):
        assert _causes(SONOMA + stated)[0] == "metal-plugin-mismatch"
