"""Which facts may reorder explain's answer: a check finding ties to the error only through
something the error shows (a frame inside the shadowing folder, a path or module the text names)."""

from __future__ import annotations

from keras_doctor.explain.hypothesis import Hypothesis
from keras_doctor.explain.refine import _raised_inside, _unanchored_guess
from keras_doctor.findings import Finding, Severity


def shadow(path):
    return Finding(cause="shadowed-module", severity=Severity.ERROR, title="t", explanation="",
                   evidence={"path": path})


def test_a_traceback_through_the_shadowing_folder_ties_the_error_to_it():
    folder = "/home/ada/project/tensorflow"
    assert _raised_inside(shadow(folder), ["/home/ada/project/tensorflow/__init__.py"])
    assert _raised_inside(shadow(folder + "/"), ["/home/ada/project/tensorflow/__init__.py"])
    assert _raised_inside(shadow("C:\\ada\\keras.py"), ["C:\\ada\\keras.py"])
    assert not _raised_inside(shadow(folder), ["/home/ada/project/tensorflow_addons/x.py"])
    assert not _raised_inside(shadow(folder), [])
    assert not _raised_inside(shadow(""), ["/x.py"])


def test_only_a_guess_with_nothing_from_the_text_is_left_unconfirmed():
    def hyp(signatures, **evidence):
        return Hypothesis("metal-plugin-mismatch", weights=[0.1], evidence=evidence,
                          signatures=signatures, mechanism="")

    assert _unanchored_guess(hyp(["ranker"]))
    assert _unanchored_guess(hyp(["fallback:exception"], module=""))
    assert not _unanchored_guess(hyp(["ranker"], module="tensorflow"))
    assert not _unanchored_guess(hyp(["ranker"], path=["/x/libmetal_plugin.dylib"]))
    assert not _unanchored_guess(hyp(["dyld-arch"]))
    assert not _unanchored_guess(shadow("/x"))
