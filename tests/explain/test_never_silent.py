"""Never silent: an exception, a failed install or a fatal signal always gets ranked candidates,
however it is pasted (inside a sentence, in quotes, as a title); text with no error gets none.

The fallback is tested directly (signatures would otherwise answer first), then end to end."""

from __future__ import annotations

import pytest

from keras_doctor.explain import clues, explain_text, fallback, text


def guessed(paste: str) -> list:
    cleaned = text.clean(paste)
    return [cause for cause, _, _ in fallback.candidates(cleaned.text,
                                                         clues.read(cleaned.text, cleaned.frames))]


@pytest.mark.parametrize(("paste", "kind"), [
    ("`AttributeError: 'Foo' object has no attribute 'bar'` when calling fit", "exception"),
    ("Exception: something went wrong while building the model", "exception"),
    ("> RuntimeError: it broke", "exception"),
    ("Symbol not found: _SomeFunction in my REPL", "exception"),
    ("SSL: CERTIFICATE_VERIFY_FAILED", "exception"),
    ("cannot import name 'Thing' from 'pkg.module'", "exception"),
    ("my script errors when it is named code.py", "exception"),
    ("pkg-1.0-cp35-cp35m-win_amd64.whl is not a supported wheel on this\nplatform.", "install"),
    ("tool 0.1 has requirement numpy~=1.19.2, but you have numpy 1.21.0.", "install"),
    ("zsh: illegal hardware instruction  python", "signal"),
    ("The TensorFlow library was compiled to use AVX2 instructions, but these aren't available "
     "on your machine.", "signal"),
    # failures titled rather than pasted
    ('Issue with "from keras.optimizers import Adam"', "exception"),
    ("'No module names Tensorflow' Windows", "exception"),
    ("Keras 3 only supports V3 `.keras` files and legacy H5", "exception"),
    ("Lab 1 notebook can't import tensorflow module", "exception"),
    # no build for the machine or the Python, in a report's words
    ("It seems that tensorflow 1.15.2 binaries are not available for Python 3.8", "install"),
    ("no wheels for apple silicon (macos-arm64)", "install"),
    ("TensorFlow 2.17 did not publish macOS x86_64 binaries to PyPI", "install"),
])
def test_an_error_in_any_form_is_an_error(paste, kind):
    assert clues.error_kind(paste) == kind


@pytest.mark.parametrize("paste", [
    "Epoch 1/10 - loss: 0.69 - accuracy: 0.51",
    "Successfully installed keras-3.3.3 tensorflow-2.16.1",
    "How do I use a pretrained ResNet50 with my own classes?",
    "The build is not available yet, the docs say",
    "Wheels for Python 3.12 are available now, thanks!",
])
def test_text_without_an_error_stays_without_one(paste):
    assert clues.error_kind(paste) == ""
    assert explain_text(paste).findings == []


def test_an_exception_named_inside_a_sentence_is_read_as_the_exception():
    read = clues.read("loading fails with \"KeyError: 'weights'\" on every run", [])
    assert (read.exception_type, read.exception_message) == ("KeyError", "'weights'")


@pytest.mark.parametrize(("paste", "first"), [
    # the loader's words decide, whatever exception carried them
    ("ImportError: dlopen(/x/_mod.so, 2): no suitable image found. Did find: /x/_mod.so: "
     "mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64')",
     "mixed-arch-binary"),
    ("ImportError: dlopen(/x/_mod.so, 2): Symbol not found: _someNewApi\n"
     "  Referenced from: /x/_mod.so\n  Expected in: /usr/lib/libSystem.B.dylib",
     "macos-too-old"),
    ("NotFoundError: dlopen(/x/libmetal_plugin.dylib, 6): Symbol not found: _TF_Foo",
     "metal-plugin-mismatch"),
    ("ImportError: DLL load failed while importing _native: The specified module could not be "
     "found.", "msvc-runtime-missing"),
    ("Exception: URL fetch failure on https://example.org/weights.h5: None -- [SSL: "
     "CERTIFICATE_VERIFY_FAILED]", "weights-download-ssl"),
    ("OSError: Unable to open file (truncated file: eof = 100, stored_eof = 900)",
     "weights-cache-corrupt"),
    ("RuntimeError: module compiled against API version 0xe but this version of numpy is 0xd",
     "numpy-abi-mismatch"),
    ("zsh: illegal hardware instruction  python3 train.py", "rosetta-python"),
    ("Illegal instruction (core dumped)\n/home/u/venv/lib/python3.8/site-packages",
     "cpu-lacks-avx"),
    ("pkg-1.0-cp35-cp35m-win_amd64.whl is not a supported wheel on this platform.",
     "no-wheel-for-python"),
    ("tool 0.1 has requirement numpy~=1.19.2, but you have numpy 1.21.0.",
     "requirement-conflict"),
])
def test_the_fallback_goes_by_the_mechanism_the_words_name(paste, first):
    found = guessed(paste)
    assert found and found[0] == first, found


def test_the_same_dyld_failure_off_a_mac_words_is_not_blamed_on_macos_without_dyld():
    # a loader failure in a Linux traceback names no macOS cause first
    found = guessed("ImportError: libfoo.so.1: cannot open shared object file: No such file\n"
                    "  File \"/home/u/venv/lib/python3.10/site-packages/pkg/__init__.py\"")
    assert found and found[0] not in ("macos-too-old", "metal-plugin-mismatch")


@pytest.mark.parametrize("paste", [
    "`AttributeError: 'Foo' object has no attribute 'bar'` when calling fit",
    "Symbol not found: _SomeFunction in my REPL",
    "SSL: CERTIFICATE_VERIFY_FAILED",
    "my script errors when it is named code.py",
    "cannot import name 'Thing'",
])
def test_explain_answers_every_error_with_candidates(paste):
    report = explain_text(paste)
    assert report.findings, paste
    shown = [f.confidence for f in report.findings]
    assert shown == sorted(shown, reverse=True)


def test_a_message_several_packages_print_is_judged_by_its_words_not_its_first_printer():
    """NumPy's C-API banner is compiled into every extension built on NumPy's headers (ml-dtypes
    among them): a package-wide rule for one of its printers must not decide it."""
    from keras_doctor.explain import messages

    for line in ("ImportError: numpy.core.multiarray failed to import",
                 "ImportError: numpy.core.umath failed to import"):
        found = messages.causes_of(line)
        assert found and {cause for cause, *_ in found} == {"numpy-abi-mismatch"}, found


@pytest.mark.parametrize(("paste", "first"), [
    # Keras reaching into a TensorFlow it was not released with
    ("AttributeError: module 'tensorflow.compat.v2.__internal__' has no attribute 'tf2'\n"
     "  File \"/home/u/venv/lib/python3.8/site-packages/keras/__init__.py\"",
     "keras-tf-version-skew"),
    # Keras 3's tf.keras shim lacks what Keras 2 code reaches for
    ("AttributeError: module 'keras._tf_keras.keras.layers' has no attribute 'experimental'",
     "keras3-legacy-code"),
    ("AttributeError: module 'numpy' has no attribute 'float'", "dependency-too-new"),
    # a Keras object without the method older code calls on it
    ("AttributeError: 'Sequential' object has no attribute '_get_save_spec'",
     "keras3-legacy-code"),
    # a library's object without a method older code calls on it
    ("AttributeError: 'Dataset' object has no attribute 'value'", "dependency-too-new"),
    ("ValueError: Your currently installed version of Keras is Keras 3, which this library does "
     "not support yet.", "keras3-legacy-code"),
])
def test_an_attribute_error_is_judged_by_whose_attribute_is_missing(paste, first):
    found = guessed(paste)
    assert found and found[0] == first, found


NO_WHEEL = ("ERROR: Could not find a version that satisfies the requirement tensorflow "
            "(from versions: none)\nERROR: No matching distribution found for tensorflow")


def test_no_wheel_on_a_machine_few_wheels_support_is_the_platform_first():
    from keras_doctor.explain.engine import hypotheses

    _, plain = hypotheses(NO_WHEEL)
    _, arm = hypotheses("(venv) user@MacBook-Pro ~ % uname -m\narm64\n" + NO_WHEEL)
    assert plain[0].cause == "no-wheel-for-python"
    assert arm[0].cause == "no-wheel-for-platform"
    assert "no-wheel-for-python" in [h.cause for h in arm]
