"""Messy input is the normal case: colour codes, notebook frames, log noise, chains, megabytes."""

from __future__ import annotations

import gc
import time

from keras_doctor.explain import explain_text
from keras_doctor.explain.text import clean

ARCH = (
    "ImportError: dlopen(/Users/a/venv/lib/python3.11/site-packages/numpy/core/"
    "_multiarray_umath.cpython-311-darwin.so, 0x0002): tried: '/Users/a/venv/lib/python3.11/"
    "site-packages/numpy/core/_multiarray_umath.cpython-311-darwin.so' (mach-o file, but is an "
    "incompatible architecture (have 'x86_64', need 'arm64'))"
)


def test_ansi_colour_codes_are_ignored():
    coloured = "\x1b[0;31mImportError\x1b[0m: " + ARCH.split(": ", 1)[1].replace(
        "have", "\x1b[1mhave\x1b[0m"
    )
    finding = explain_text(coloured).findings[0]
    assert finding.cause == "mixed-arch-binary"
    assert finding.evidence["have"] == "x86_64" and finding.evidence["need"] == "arm64"


def test_extracts_the_architectures_and_the_file():
    finding = explain_text(ARCH).findings[0]
    assert finding.evidence["path"].endswith("_multiarray_umath.cpython-311-darwin.so")
    assert finding.fix[0].command[-1] == "numpy"  # reinstall the package owning the file


INFO_LINE = (
    "I0000 00:00:1700000000.000000  1234 cpu_feature_guard.cc:210] This TensorFlow binary is "
    "optimized to use available CPU instructions"
)
WARNING_LINE = (
    "2024-05-01 10:00:00.000000: W tensorflow/core/util/port.cc:113] oneDNN custom operations "
    "are on."
)
FATAL_AVX_LINE = (
    "2018-01-17 08:21:49.120154: F tensorflow/core/platform/cpu_feature_guard.cc:35] The "
    "TensorFlow library was compiled to use AVX2 instructions, but these aren't available on your "
    "machine."
)


def test_tensorflow_log_noise_is_dropped_but_fatal_lines_kept():
    text = "\n".join(
        [INFO_LINE] * 500 + [WARNING_LINE] * 500 + [FATAL_AVX_LINE, "Aborted (core dumped)"]
    )
    cleaned = clean(text)
    assert cleaned.dropped_log_lines == 1000
    assert explain_text(text).findings[0].cause == "cpu-lacks-avx"


def test_jupyter_traceback_with_arrows_and_windows_paths():
    text = r"""---------------------------------------------------------------------------
ModuleNotFoundError                       Traceback (most recent call last)
File ~\anaconda3\envs\tf\lib\site-packages\tensorflow\__init__.py:37
---> 37 from tensorflow.python.tools import module_util as _module_util
File C:\Users\me\project\keras.py:3
----> 3 from keras.models import Sequential
ModuleNotFoundError: No module named 'keras.models'; 'keras' is not a package"""
    finding = explain_text(text).findings[0]
    assert finding.cause == "shadowed-module"


def test_chained_exceptions_keep_the_root_cause():
    text = f"""Traceback (most recent call last):
  File "/opt/venv/lib/python3.11/site-packages/tensorflow/python/pywrap_tensorflow.py", line 73
    from tensorflow.python._pywrap_tensorflow_internal import *
{ARCH}

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "train.py", line 1, in <module>
    import tensorflow as tf
ImportError: Traceback (most recent call last):

Failed to load the native TensorFlow runtime."""
    assert explain_text(text).findings[0].cause == "mixed-arch-binary"


def test_typographic_quotes_from_chat_apps():
    text = (
        "ImportError: cannot import name \u2018builder\u2019 from "
        "\u2018google.protobuf.internal\u2019"
    )
    assert explain_text(text).findings[0].cause == "protobuf-mismatch"


def test_unrecognised_text_gives_no_finding():
    report = explain_text("hello, world: everything is fine")
    assert report.findings == [] and report.extra["unrecognised"]


def _seconds(text):
    # The collector's pauses grow with everything else the process holds (a whole suite, a
    # coverage tool): they are not the work this text costs, which is what these ratios judge.
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        report = explain_text(text)
        return time.perf_counter() - started, report
    finally:
        gc.enable()


def test_five_megabytes_of_log_cost_no_more_than_linear_time():
    noise = "epoch 1/100 - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.6931 (((((((((((((((((\n"
    text = noise * (5_000_000 // len(noise)) + ARCH
    elapsed, report = _seconds(text)
    assert report.findings[0].cause == "mixed-arch-binary"
    assert report.extra["input"]["truncated"]
    # The peer, measured in this run: the same error under a fifth of the noise. Linear work gives
    # a ratio near 5; anything quadratic in the input gives 25.
    fifth, _ = _seconds(noise * (1_000_000 // len(noise)) + ARCH)
    assert elapsed < 12 * fifth + 0.05, (elapsed, fifth)


def test_one_pathological_megabyte_line_costs_what_a_plain_one_does():
    pathological, _ = _seconds("cannot import name '" + "a" * 1_000_000 + "\n" + ARCH)
    # The peer: a line as long that no pattern starts to match.
    plain, _ = _seconds("\x00" * 1_000_020 + "\n" + ARCH)
    assert pathological < 10 * plain + 0.05, (pathological, plain)


def test_the_numpy_fix_follows_which_side_is_newer():
    numpy2 = "AttributeError: _ARRAY_API not found\n\nA module that was compiled using NumPy 1.x"
    old = "RuntimeError: module compiled against API version 0xc but this version of numpy is 0xa"
    assert explain_text(numpy2).findings[0].fix[0].command[-1] == "numpy<2"
    assert explain_text(old).findings[0].fix[0].command[-2:] == ("--upgrade", "numpy")


# tensorflow/text#551: a traceback copied from a 92-column terminal, every longer line broken at
# the width (mid-word: `.../metric` + `s/__init__.py`, `undefined s` + `ymbol`)
TRACEBACK = (
    "  File \"/home/pouramini/miniconda3/lib/python3.7/site-packages/tensorflow_text/python/"
    "metrics/__init__.py\", line 20, in <module>\n"
    "    from tensorflow_text.python.metrics.text_similarity_metric_ops import *\n"
    "  File \"/home/pouramini/miniconda3/lib/python3.7/site-packages/tensorflow_core/python/"
    "framework/load_library.py\", line 57, in load_op_library\n"
    "    lib_handle = py_tf.TF_LoadLibrary(library_filename)\n"
    "tensorflow.python.framework.errors_impl.NotFoundError: /home/pouramini/miniconda3/lib/python"
    "3.7/site-packages/tensorflow_text/python/metrics/_text_similarity_metric_ops.so: undefined "
    "symbol: _ZN10tensorflow8OpKernel11TraceStringEPNS_15OpKernelContextEb\n"
)


def terminal(text, width):
    """What a terminal of `width` columns shows: each line cut into pieces of that width."""
    return "\n".join(line[i:i + width] for line in text.split("\n")
                     for i in range(0, max(len(line), 1), width))


def test_lines_a_terminal_broke_at_its_width_are_joined_again():
    wrapped = terminal(TRACEBACK, 92)
    assert "undefined s\nymbol" in wrapped and wrapped.count("\n") > TRACEBACK.count("\n") + 3
    cleaned = clean(wrapped)
    assert cleaned.text == TRACEBACK.strip("\n")
    assert ("/home/pouramini/miniconda3/lib/python3.7/site-packages/tensorflow_text/python/"
            "metrics/__init__.py") in cleaned.frames
    assert explain_text(wrapped).findings[0].cause == "extension-built-against-another-tensorflow"


# Keras 2's model.summary(): every row padded to one width, rules of one character
SUMMARY = (
    "Model: \"sequential\"\n"
    "_________________________________________________________________\n"
    "Layer (type)                 Output Shape              Param #   \n"
    "=================================================================\n"
    "dense (Dense)                (None, 64)                50240     \n"
    "_________________________________________________________________\n"
    "dense_1 (Dense)              (None, 10)                650       \n"
    "=================================================================\n"
    "Total params: 50,890\n"
)


def test_a_table_padded_to_one_width_is_left_as_it_is():
    assert clean(SUMMARY).text == SUMMARY.strip("\n")
    # fewer than three lines at the width: a long line or two beside short ones is just long
    two = terminal(TRACEBACK.split("\n")[0] + "\n" + TRACEBACK.split("\n")[2], 92)
    assert two.count("\n") == 3
    assert clean(two).text == two
    # under sixty columns no terminal is that narrow: lines of one short width stay
    narrow = terminal(TRACEBACK, 40)
    assert clean(narrow).text == narrow.strip("\n")


def test_a_windows_path_pasted_with_its_backslashes_escaped_still_names_its_package():
    # a traceback copied out of a JSON log or a repr doubles every backslash: the frame is still
    # the installed keras's own, which makes a missing TensorFlow internal the pair skewing
    from keras_doctor.explain.text import site_package_of

    escaped = "C:\\\\venv\\\\lib\\\\site-packages\\\\keras\\\\dtensor\\\\lazy_variable.py"
    assert site_package_of(escaped) == "keras"
    assert site_package_of("C:\\venv\\lib\\site-packages\\keras\\dtensor\\lazy_variable.py") == (
        "keras")
    assert site_package_of("C:\\\\Users\\\\ada\\\\project\\\\train.py") == ""
    text = (f'  File "{escaped}", line 26, in <module>\n'
            "    from tensorflow.python.trackable import base as trackable\n"
            "ModuleNotFoundError: No module named 'tensorflow.python.trackable'\n")
    assert explain_text(text).findings[0].cause == "keras-tf-version-skew"


def test_an_exception_glued_to_chinese_prose_is_read_as_an_error():
    # PURE#62: "运行代码时RuntimeError: module compiled against API version 0xe …" — Chinese has no
    # spaces between words, so the exception's name follows a CJK letter (a \w to Python's re)
    from keras_doctor.explain import clues

    text = ("您好，我安装了numpy1.19.5，运行代码时RuntimeError: module compiled against API "
            "version 0xe but this version of numpy is 0xd。")
    assert clues.error_kind(text) == "exception"
    # the other side: a name inside an English word is not an exception's
    assert clues.error_kind("see the docs of myRuntimeError handling") == ""
