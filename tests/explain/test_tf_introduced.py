"""A TensorFlow name missing that a later release added: the installed TensorFlow is too old.

`tf.compat.v1` arrived in TensorFlow 1.13 (before it `tf.compat` is the module
`tensorflow.python.util.compat`, in 1.12 the generated `tensorflow._api.v1.compat`, neither with
`v1`), and no release since removed it, so "module '…compat' has no attribute 'v1'" can only mean
a TensorFlow older than 1.13: never a dependency too new. The table is read from the wheels
(`knowledge.build.tf_api`, `introduced`); a name every release has, or one a TensorFlow 2 module
path says is present, is not blamed on an old TensorFlow.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import explain_text, tf1
from keras_doctor.explain.engine import hypotheses
from keras_doctor.knowledge.build.tf_api import introduced

TOO_OLD = "package-too-old-for-api"


def causes_of(text: str) -> list:
    return [h.cause for h in hypotheses(text)[1]]


def test_introduced_keeps_names_added_later_and_never_removed():
    read = {"tensorflow.compat": {"1.11.0": {"as_bytes", "tf_export"},
                                  "1.12.0": {"as_bytes", "forward_compatible"},
                                  "1.13.1": {"as_bytes", "forward_compatible", "v1", "gone"},
                                  "2.0.0": {"as_bytes", "forward_compatible", "v1"}}}
    assert introduced(read) == {"tensorflow.compat": {
        "1.12.0": {"absent_in": "1.11.0", "names": ["forward_compatible"]},
        "1.13.1": {"absent_in": "1.12.0", "names": ["v1"]}}}


def test_introduced_leaves_out_a_namespace_the_newest_release_lacks():
    # tf.keras.backend is read only up to 2.5: its names moved to the keras wheel, not away
    read = {"tensorflow.keras.backend": {"1.13.1": {"clear_session"},
                                         "2.4.4": {"clear_session", "is_keras_tensor"}},
            "tensorflow": {"1.13.1": {"constant"}, "2.21.0": {"constant", "function"}}}
    assert introduced(read) == {"tensorflow": {
        "2.21.0": {"absent_in": "1.13.1", "names": ["function"]}}}


def test_the_table_dates_tf_compat_v1_to_1_13_from_the_wheels():
    data = tf1.load()
    assert data["sampled"]["compat_only"] == ["1.11.0", "1.12.0"]
    assert data["wheels"]["1.12.0"] == "tensorflow-1.12.0-cp27-cp27mu-manylinux1_x86_64.whl"
    assert tf1.introduced("tensorflow.compat", "v1") == {"first_seen": "1.13.1",
                                                         "absent_in": "1.12.0"}
    assert tf1.introduced("tensorflow.compat", "v2") == {"first_seen": "1.14.0",
                                                         "absent_in": "1.13.1"}
    # in every release read: not a name a release added
    assert tf1.introduced("tensorflow.compat", "as_bytes") is None
    assert "tensorflow.keras.backend" not in data["introduced"]


@pytest.mark.parametrize("module, expected", [
    ("tensorflow.python.util.compat", "1.13.1"),  # tf.compat up to 1.11
    ("tensorflow._api.v1.compat", "1.13.1"),  # tf.compat in 1.12
    ("tensorflow.compat", "1.13.1"),
    ("tensorflow._api.v2.compat", None),  # a TensorFlow 2: it has tf.compat.v1
])
def test_the_module_the_error_names_decides_whether_the_release_can_predate_the_name(
    module, expected,
):
    found = tf1.introduced(module, "v1")
    assert (found or {}).get("first_seen") == expected


@pytest.mark.parametrize("case_id", ["gpt2-simple-250-compat-v1-old-tf",
                                     "gpt2-simple-110-compat-v1-windows-old-tf"])
def test_real_reports_of_compat_v1_missing_name_a_tensorflow_too_old(case_id):
    text = corpus.case(case_id)["text"]
    assert causes_of(text)[:1] == [TOO_OLD]
    finding = explain_text(text).findings[0]
    assert finding.cause == TOO_OLD
    assert finding.evidence["name"] == "tf.compat.v1"
    assert finding.evidence["first_release"] == "tensorflow 1.13.1"
    assert finding.evidence["absent_in"] == "tensorflow 1.12.0"


def test_the_fix_upgrades_tensorflow_to_the_release_that_added_the_name():
    text = corpus.case("gpt2-simple-250-compat-v1-old-tf")["text"]
    finding = explain_text(text).findings[0]
    assert finding.fix is not None
    assert "Upgrade tensorflow to a release that has `tf.compat.v1` (first: tensorflow 1.13.1)" in [
        step.description for step in finding.fix]


@pytest.mark.parametrize("text, cause", [
    # a name every tf.compat has: not an old TensorFlow (what it is, nothing in the line says)
    ("AttributeError: module 'tensorflow._api.v1.compat' has no attribute 'as_bytes'",
     "dependency-too-new"),
    # tf.compat.v1 missing under a TensorFlow 2 module path: not an old TensorFlow either
    ("AttributeError: module 'tensorflow._api.v2.compat' has no attribute 'v1'",
     "dependency-too-new"),
    # keras 2.6+ on an older TensorFlow 2: the skew keeps its answer
    ("AttributeError: module 'tensorflow.compat.v2' has no attribute '__internal__'",
     "keras-tf-version-skew"),
    # TF1 code under TF2 keeps its answer
    ("AttributeError: module 'tensorflow' has no attribute 'placeholder'", "tf1-api-under-tf2"),
])
def test_look_alikes_keep_their_answers(text, cause):
    assert causes_of(text)[:1] == [cause]


# tensorflow/tensorflow#45954 (TF 1.15, `rasa init` reaching tf.config.list_physical_devices), the
# traceback's first frame and its error line: https://github.com/tensorflow/tensorflow/issues/45954
RASA_ON_TF115 = (
    "Traceback (most recent call last):\n"
    '  File "c:\\users\\gwinivac\\.conda\\envs\\chatboty\\lib\\runpy.py", line 193, '
    "in _run_module_as_main\n"
    '    "__main__", mod_spec)\n'
    "AttributeError: module 'tensorflow._api.v1.config' has no attribute 'list_physical_devices'\n"
)
# the same error raised inside an installed standalone Keras (a frame added to the report above)
KERAS_FRAME = ('  File "c:\\users\\gwinivac\\.conda\\envs\\chatboty\\lib\\site-packages\\keras'
               '\\backend\\tensorflow_backend.py", line 506, in _get_available_gpus\n'
               "    devices = tf.config.list_physical_devices()\n")


def test_a_tf2_name_missing_from_a_tensorflow_1_is_a_tensorflow_too_old():
    finding = explain_text(RASA_ON_TF115).findings[0]
    assert finding.cause == TOO_OLD
    assert finding.evidence["name"] == "tf.config.list_physical_devices"
    assert finding.evidence["first_release"] == "tensorflow 2.2.3"  # 2.1 is not sampled
    assert finding.evidence["absent_in"] == "tensorflow 2.0.0"


def test_keras_own_frames_asking_for_a_newer_tensorflow_name_is_the_pair_skewing():
    # the same line raised inside the installed standalone Keras: that Keras was released for a
    # newer TensorFlow than the one beside it
    at = RASA_ON_TF115.index("AttributeError")
    text = RASA_ON_TF115[:at] + KERAS_FRAME + RASA_ON_TF115[at:]
    assert causes_of(text)[:2] == ["keras-tf-version-skew", TOO_OLD]
    assert causes_of(RASA_ON_TF115)[:1] == [TOO_OLD]


# TensorFlow's internals old code imports, dated by the wheels' file lists (`internals_introduced`):
# `tensorflow/python/keras/` first ships in 1.4, its `engine/` and `ops/collective_ops.py` in 1.9,
# and every release read since has them, up to today's.


def test_internals_are_the_packages_and_modules_import_finds_without_tests():
    from keras_doctor.knowledge.build.tf_api import _internals

    members = {"tensorflow/__init__.py", "tensorflow/python/__init__.py",
               "tensorflow/python/ops/__init__.py", "tensorflow/python/ops/collective_ops.py",
               "tensorflow/python/ops/collective_ops_test.py",
               "tensorflow/python/ops/_private.py",
               "tensorflow/python/kernel_tests/__init__.py",
               "tensorflow/python/ops/tests/__init__.py",
               "tensorflow/python/ops/libtf.so",
               "tensorflow/python/keras/layers/preprocessing/image_preprocessing.py",
               "tensorflow/python/keras/layers/preprocessing/deep/too_deep.py",
               "tensorflow/core/ops.py"}
    assert _internals(members, "tensorflow") == {
        "tensorflow.python", "tensorflow.python.ops", "tensorflow.python.ops.collective_ops",
        "tensorflow.python.kernel_tests",
        "tensorflow.python.keras.layers.preprocessing.image_preprocessing"}


def test_internals_introduced_dates_modules_that_came_and_stayed():
    from keras_doctor.knowledge.build.tf_api import internals_introduced

    read = {"1.3.0": {"tensorflow.python.ops"},
            "1.4.0": {"tensorflow.python.ops", "tensorflow.python.keras",
                      "tensorflow.python.keras.layers", "tensorflow.python.keras._impl"},
            "1.9.0": {"tensorflow.python.ops", "tensorflow.python.keras",
                      "tensorflow.python.keras.layers", "tensorflow.python.keras.engine"},
            "1.10.0": {"tensorflow.python.ops", "tensorflow.python.keras",
                       "tensorflow.python.keras.layers", "tensorflow.python.keras.engine",
                       "tensorflow.python.keras.saving"},
            "2.0.0": {"tensorflow.python.ops", "tensorflow.python.keras",
                      "tensorflow.python.keras.layers", "tensorflow.python.keras.engine"}}
    # layers came with its parent (left to it); _impl and saving left again; ops was always there
    assert internals_introduced(read) == {
        "1.4.0": {"absent_in": "1.3.0", "modules": ["tensorflow.python.keras"]},
        "1.9.0": {"absent_in": "1.4.0", "modules": ["tensorflow.python.keras.engine"]}}


def test_the_shipped_table_dates_tensorflow_python_keras_and_its_engine():
    assert tf1.internal_introduced("tensorflow.python.keras") == {
        "first_seen": "1.4.0", "absent_in": "1.3.0"}
    assert tf1.internal_introduced("tensorflow.python.keras.engine") == {
        "first_seen": "1.9.0", "absent_in": "1.8.0"}
    # a module (a .py file) as well as a package: tensorflow/python/ops/collective_ops.py
    assert tf1.internal_introduced("tensorflow.python.ops.collective_ops") == {
        "first_seen": "1.9.0", "absent_in": "1.8.0"}
    assert tf1.internal_introduced("tensorflow.python.data.experimental") == {
        "first_seen": "1.12.0", "absent_in": "1.11.0"}
    # Python names the first missing part: its parent was there, which dates nothing below it
    assert tf1.internal_introduced("tensorflow.python.keras.engine.training") is None
    assert tf1.internal_introduced("tensorflow.python.keras.preprocessing") is None
    # TF 1.15-2.1 lay the package out as tensorflow_core
    assert tf1.internal_introduced("tensorflow_core.python.keras.engine")["first_seen"] == "1.9.0"
    # every release read has tensorflow.python.ops: nothing to date
    assert tf1.internal_introduced("tensorflow.python.ops") is None
    assert tf1.internal_introduced("tensorflow.python.keras_engine") is None


def test_tensorflow_python_keras_engine_missing_is_a_tensorflow_older_than_1_9():
    # CODAIT/deep-histopath#40 (tuning corpus): TensorFlow 1.8.0 installed
    text = corpus.case("deep-histopath-40-tf18-no-python-keras-engine")["text"]
    result = explain_text(text)
    top = result.findings[0]
    assert top.cause == TOO_OLD
    assert (top.evidence["first_release"], top.evidence["absent_in"]) == (
        "tensorflow 1.9.0", "tensorflow 1.8.0")
    assert top.evidence["pin"] == "tensorflow>=1.9.0"
    # the evidence names where the table was read: the wheels, on the index
    assert top.evidence["source"] == (
        "https://pypi.org/project/tensorflow/ (the wheels named in `wheels`)")


def test_a_child_of_a_dated_internal_is_not_dated_by_it():
    # googlecolab/colabtools#2623 (tuning corpus): Colab's TensorFlow 2.8 has
    # tensorflow.python.keras (every release since 1.4) but no longer its preprocessing package
    text = corpus.case("colabtools-2623-tf28-no-python-keras-preprocessing")["text"]
    assert "No module named 'tensorflow.python.keras.preprocessing'" in text
    assert TOO_OLD not in causes_of(text)[:1]


PYTHON_KERAS_MISSING = ("Traceback (most recent call last):\n"
                        '  File "train.py", line 3, in <module>\n'
                        "    from tensorflow.python.keras.layers import Dense\n"
                        "ModuleNotFoundError: No module named 'tensorflow.python.keras'\n")


def test_tensorflow_python_keras_missing_is_a_tensorflow_older_than_1_4():
    assert causes_of(PYTHON_KERAS_MISSING)[0] == TOO_OLD
    assert explain_text(PYTHON_KERAS_MISSING).findings[0].evidence["first_release"] == (
        "tensorflow 1.4.0")


def test_keras_own_frames_asking_for_a_newer_internal_is_the_pair_skewing():
    text = ("Traceback (most recent call last):\n"
            '  File "/home/ada/env/lib/python3.6/site-packages/keras/__init__.py", line 3, in '
            "<module>\n    from tensorflow.python.keras.engine import base_layer\n"
            "ModuleNotFoundError: No module named 'tensorflow.python.keras.engine'\n")
    assert causes_of(text)[:2] == ["keras-tf-version-skew", TOO_OLD]


def test_other_internals_a_keras_asks_for_stay_the_pair_skewing():
    # tensorflow.python.trackable came in a 2.x; Keras 2.11+ imports it, a Keras for a newer
    # TensorFlow than the one installed: Keras's own frames asking make it the pair skewing
    assert tf1.internal_introduced("tensorflow.python.trackable") == {
        "first_seen": "2.12.0", "absent_in": "2.9.3"}
    text = ('  File "/home/ada/venv/lib/python3.9/site-packages/keras/dtensor/lazy_variable.py", '
            "line 26, in <module>\n    from tensorflow.python.trackable import base as trackable\n"
            "ModuleNotFoundError: No module named 'tensorflow.python.trackable'\n")
    assert causes_of(text)[0] == "keras-tf-version-skew"


def test_an_internal_every_release_has_is_not_blamed_on_an_old_tensorflow():
    # the other side: tensorflow.python.ops is in every release read, so its absence says the
    # TensorFlow laid out is not a whole one (or another release's internals), not an old one
    text = ("Traceback (most recent call last):\n"
            '  File "train.py", line 3, in <module>\n'
            "    from tensorflow.python.ops.nn_ops import relu\n"
            "ModuleNotFoundError: No module named 'tensorflow.python.ops'\n")
    assert TOO_OLD not in causes_of(text)[:1]


def test_other_internals_the_users_code_asks_for_are_a_tensorflow_too_old():
    # tensorflow/benchmarks#263 (tuning corpus): tf_cnn_benchmarks from master imports
    # tensorflow.python.data.experimental, first in 1.12, under an older TensorFlow
    text = corpus.case("tf-benchmarks-263-no-module-data-experimental-old-tf")["text"]
    top = explain_text(text).findings[0]
    assert top.cause == TOO_OLD
    assert (top.evidence["first_release"], top.evidence["absent_in"], top.evidence["pin"]) == (
        "tensorflow 1.12.0", "tensorflow 1.11.0", "tensorflow>=1.12.0")


COLLECTIVE_OPS = ("Traceback (most recent call last):\n"
                  '  File "allreduce.py", line 28, in <module>\n'
                  "    from tensorflow.python.ops import collective_ops\n"
                  "ImportError: cannot import name 'collective_ops' from 'tensorflow.python.ops' "
                  "(/home/ada/env/lib/python3.6/site-packages/tensorflow/python/ops/__init__.py)\n")


def test_a_dated_module_imported_by_name_from_its_package_is_a_tensorflow_too_old():
    result = explain_text(COLLECTIVE_OPS)
    top = result.findings[0]
    assert top.cause == TOO_OLD
    assert top.evidence["module"] == "tensorflow.python.ops.collective_ops"
    assert top.evidence["first_release"] == "tensorflow 1.9.0"
    assert top.fix is not None
    assert [s.description for s in top.fix][-1] == (
        "Upgrade tensorflow to a release that has `collective_ops` (first: tensorflow 1.9.0)")


def test_the_fix_for_a_missing_internal_names_the_module():
    top = explain_text(PYTHON_KERAS_MISSING).findings[0]
    assert top.fix is not None
    assert [s.description for s in top.fix][-1] == (
        "Upgrade tensorflow to a release that has `tensorflow.python.keras` "
        "(first: tensorflow 1.4.0)")


def test_python_2s_cannot_import_name_reads_the_module_from_the_import_line():
    # tensorflow/benchmarks#202 (tuning corpus): "ImportError: cannot import name
    # 'collective_ops'", TensorFlow 1.7 on Windows; the import line names the package
    text = corpus.case("tf-benchmarks-202-tf17-no-collective-ops-windows")["text"]
    top = explain_text(text).findings[0]
    assert (top.cause, top.evidence["first_release"]) == (TOO_OLD, "tensorflow 1.9.0")


def test_a_module_every_release_has_imported_by_name_is_not_an_old_tensorflow():
    # the other side: tensorflow/python/ops/nn_ops.py is in every release read
    text = COLLECTIVE_OPS.replace("collective_ops", "nn_ops")
    assert tf1.internal_introduced("tensorflow.python.ops.nn_ops") is None
    assert causes_of(text)[:1] == ["keras-tf-version-skew"]


def test_keras_own_frames_importing_a_dated_module_by_name_is_the_pair_skewing():
    text = COLLECTIVE_OPS.replace(
        '"allreduce.py", line 28',
        '"/home/ada/env/lib/python3.6/site-packages/keras/distribute/allreduce.py", line 28')
    assert causes_of(text)[:2] == ["keras-tf-version-skew", TOO_OLD]


def test_a_bare_line_naming_a_dated_internal_outside_tf_keras_stays_the_pair_skewing():
    # no frames: since 2.6 the importer of TensorFlow's internals is most often the Keras wheel,
    # built for a newer TensorFlow; the same line with the user's own frame is a TensorFlow too old
    bare = ("ImportError: cannot import name 'collective_ops' from 'tensorflow.python.ops' "
            "(/home/ada/env/lib/python3.6/site-packages/tensorflow/python/ops/__init__.py)")
    assert causes_of(bare)[:1] == ["keras-tf-version-skew"]
    assert causes_of(COLLECTIVE_OPS)[:1] == [TOO_OLD]
    # tf.keras's own internals need no frames: code written against TensorFlow imports them
    engine = "ModuleNotFoundError: No module named 'tensorflow.python.keras.engine'"
    assert causes_of(engine)[:1] == [TOO_OLD]
