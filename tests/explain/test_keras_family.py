"""The Keras import-error family told apart by what the paste itself shows.

Real package output (tests/explain/real_output/, how each was made is in its README) and real
tuning reports (tests/explain/corpus/), each decision with both of its sides.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import explain_text, resolve
from keras_doctor.explain.engine import explain, hypotheses

REAL_OUTPUT = Path(__file__).parent / "real_output"
ALREADY_EXISTS = ("tensorflow.python.framework.errors_impl.AlreadyExistsError: Another metric "
                  "with the same name already exists.")


def causes(text):
    return [f.cause for f in explain(text).findings]


def hand(text):
    return [h.cause for h in hypotheses(text)[1]]


def case(case_id):
    return next(c for c in corpus.load() if c["id"] == case_id)


# -- Keras 3 without its backend --------------------------------------------------------------


def test_keras3_importing_its_default_backend_is_the_backend_not_a_dependency():
    text = (REAL_OUTPUT / "keras-3.15.1-import-without-tensorflow.txt").read_text()
    (first, second, *_) = explain(text).findings
    assert (first.cause, second.cause) == ("keras-backend-unavailable", "missing-dependency")
    assert first.evidence["backend"] == "tensorflow"
    assert "keras/src/tree/optree_impl.py" in first.evidence["imported_by"]
    commands = [step.command for step in first.fix if step.command]
    assert commands and commands[0][-1] == "tensorflow"  # install the backend it asked for
    assert not any("KERAS_BACKEND=tensorflow" in " ".join(c) for c in commands)


def test_keras2_without_tensorflow_is_a_missing_dependency():
    """Keras 2.13-2.15 keep their code under keras/src/ too, but TensorFlow is no backend they
    chose: the frames are Keras 2's (keras/src/applications, no keras/src/backend/ package)."""
    text = (REAL_OUTPUT / "keras-2.15.0-import-without-tensorflow.txt").read_text()
    found = causes(text)
    assert found[0] == "missing-dependency"
    assert "keras-backend-unavailable" not in found


def test_the_users_own_import_of_tensorflow_is_no_backend_question():
    text = ("Traceback (most recent call last):\n  File \"/home/user/train.py\", line 1, in "
            "<module>\n    import tensorflow as tf\nModuleNotFoundError: No module named "
            "'tensorflow'")
    assert "keras-backend-unavailable" not in hand(text)


# -- AlreadyExistsError: two Keras copies, which two ------------------------------------------


@pytest.mark.parametrize("case_id", ["tf-52937-keras27-tf26-alreadyexists",
                                     "handson-ml2-501-alreadyexists-keras27-windows"])
def test_already_exists_with_nothing_stated_leads_with_the_skew(case_id):
    assert causes(case(case_id)["text"])[0] == "keras-tf-version-skew"


def test_already_exists_keeps_the_overlap_as_the_other_mechanism():
    """The reporter's keras-nightly is not in the paste: the skew leads, and the second
    mechanism that registers the metrics twice is a candidate, not a guess of the ranker."""
    found = hand(case("scenic-216-alreadyexists-keras-nightly")["text"])
    assert found[:2] == ["keras-tf-version-skew", "keras-distributions-overlap"]


@pytest.mark.parametrize("stated, expected", [
    # TensorFlow 2.5's own metadata requires keras-nightly: a keras beside it shares keras/
    ("tensorflow==2.5.0\nkeras==2.6.0", "keras-distributions-overlap"),
    ("keras-nightly==2.5.0.dev2021032900\nkeras==2.4.3", "keras-distributions-overlap"),
    # a pair of one minor leaves no skew to register two copies
    ("tensorflow==2.6.2\nkeras==2.6.0", "keras-distributions-overlap"),
    # keras 2.7 under TensorFlow 2.6 (whose keras~=2.6 let pip install it)
    ("tensorflow==2.6.0\nkeras==2.7.0", "keras-tf-version-skew"),
    ("tensorflow-gpu    2.7.0\nkeras             2.8.0", "keras-tf-version-skew"),
    # pip 1-9's `pip list` rows
    ("tensorflow (2.6.0)\nKeras (2.7.0)", "keras-tf-version-skew"),
    ("tensorflow-gpu (2.5.0)\nKeras (2.6.0)", "keras-distributions-overlap"),
])
def test_already_exists_is_decided_by_the_versions_the_paste_states(stated, expected):
    found = causes(f"{stated}\n{ALREADY_EXISTS}")
    assert found[0] == expected
    assert {"keras-tf-version-skew", "keras-distributions-overlap"} <= set(found[:3])


@pytest.mark.parametrize("text, stated", [
    ("tensorflow (1.4.0)\ntensorflow-tensorboard (0.4.0rc3)", "1.4.0"),
    ("tensorflow-gpu (1.8.0)", "1.8.0"),
    ("tensorflow-tensorboard (0.4.0)", None),  # another distribution
    ("tensorflow (1.4.0)\ntensorflow==1.5.0", None),  # two releases stated: neither is sure
    ("I upgraded tensorflow (finally) to 2.4.0", None),
])
def test_the_tensorflow_release_stated_in_pips_old_list_rows(text, stated):
    from keras_doctor.explain.clues import stated_tensorflow_version

    assert stated_tensorflow_version(text) == stated


def test_tensorflow_2_5_is_decided_by_its_release_metadata():
    (first, *_) = explain(f"tensorflow==2.5.0\n{ALREADY_EXISTS}").findings
    assert "keras-nightly~=2.5.0.dev" in first.evidence["overlap_shown_by"]
    assert causes(f"tensorflow==2.4.1\n{ALREADY_EXISTS}")[0] == "keras-tf-version-skew"


@pytest.mark.parametrize("tf, keras, skewed", [
    ("2.5.0", "2.6.0", None),  # before the split: tf.keras lived inside TensorFlow
    ("2.6.0", "2.6.0", False),
    ("2.6.0", "2.7.0", True),
    ("2.15.1", "2.15.0", False),
    ("2.15.0", "2.14.0", True),
    ("2.16.1", "2.15.0", None),  # Keras 3 from here: another question
    ("2.10.0", "3.1.1", None),
    ("2.10.0", None, None),
])
def test_a_stated_pair_is_skewed_only_where_keras_follows_tensorflows_minor(tf, keras, skewed):
    assert resolve._stated_pair_skewed(tf, keras) is skewed


# -- moved within Keras 2, or a Keras too old ---------------------------------------------------


@pytest.mark.parametrize("text, moved_to", [
    ("AttributeError: module 'keras.backend' has no attribute 'image_dim_ordering'", None),
    ("ImportError: cannot import name 'relu6' from 'keras.applications.mobilenet'",
     "keras.activations"),
])
def test_a_name_gone_within_keras2_names_the_code_older_than_keras_before_keras3(text, moved_to):
    """image_dim_ordering is in the sampled Keras 2.0-2.1 and gone from 2.2 on, long before Keras
    3: whether or not it moved, the code was written for an older Keras than the one installed
    (a release that still has it runs the code as written), which Keras 3 did not remove."""
    (first, second, third) = hypotheses(text)[1]
    assert (first.cause, second.cause) == ("keras-api-moved", "dependency-too-new")
    assert third.cause == "keras3-removed-api" and third.score < second.score
    assert {h.evidence["last_release_with_it"] for h in (first, second, third)} == {"keras 2.1.6"}
    assert first.evidence.get("moved_to") == moved_to


def test_the_last_release_with_a_name_is_the_newest_sampled_one_that_has_it():
    """keras.layers.merge is in every sampled Keras 2.0.9-2.8.0, gone after: 2.8.0 is named."""
    (first, *_) = hypotheses("ImportError: cannot import name 'merge' from 'keras.layers'")[1]
    assert first.evidence["last_release_with_it"] == "keras 2.8.0"


@pytest.mark.parametrize("moved, keras3, removed_weight", [
    (True, False, 0.25), (True, True, 0.35), (False, False, 0.35), (False, True, 0.45)])
def test_a_keras3_known_to_run_makes_its_removal_likelier_but_never_first(moved, keras3,
                                                                          removed_weight):
    from keras_doctor.explain.names import NameResolver

    atlas = {"versions_with": ["2.0.9", "2.1.6"], **({"where": ["keras.layers"]} if moved else {})}
    verdicts = NameResolver._gone_within_keras2(atlas, {}, keras3, "keras3-removed-api")
    assert [v.cause for v in verdicts] == ["keras-api-moved", "dependency-too-new",
                                           "keras3-removed-api"]
    assert verdicts[2].weight == removed_weight < verdicts[0].weight


def test_a_name_no_sampled_keras_has_may_be_older_than_the_keras_installed():
    """Keras 1's `Merge` (sterling239/audio-emotion-recognition): no sampled Keras 2 has it, so
    code written for a Keras older than the sample is as likely as a name that moved."""
    text = ('  File "models.py", line 11, in <module>\n'
            "    from keras.layers.core import Dense, Dropout, Activation, Merge\n"
            "ImportError: cannot import name Merge")
    assert hand(text) == ["keras-api-moved", "dependency-too-new"]
    # a name every Keras has, missing, says something else
    assert "dependency-too-new" not in hand(
        "AttributeError: module 'keras.layers' has no attribute 'Dense'")


def test_a_name_gone_within_keras2_under_a_stated_keras3_is_what_keras3_lacks():
    text = ("Keras version: 3.3.3\n"
            "AttributeError: module 'keras.backend' has no attribute 'image_dim_ordering'")
    assert hand(text) == ["keras3-removed-api"]


@pytest.mark.parametrize("stated, listed", [("2.3.1", False), ("3.3.3", True)])
def test_a_guess_never_names_keras3_under_a_keras2_the_paste_states(stated, listed):
    """An error no knowledge recognises, from a paste that states its Keras: Keras 3's causes are
    guesses only where a Keras 3 may have run."""
    text = (f"My keras version is {stated} and tensorflow version is 2.16.1.\n"
            "ValueError: Cannot use 'map/while/strided_slice_2' as input to 'map/while/ones' "
            "because 'map/while/strided_slice_2' is in a while loop.")
    guessed = hand(text)
    assert guessed  # an error is never answered with nothing
    assert ("keras3-legacy-code" in guessed) is listed


@pytest.mark.parametrize("output, moved_to", [
    ("keras-2.12.0-engine-layer-attribute.txt", "keras.layers"),
    ("keras-2.12.0-base-layer-inputspec.txt", "keras.layers"),
])
def test_a_name_its_module_outlived_moved_within_keras2(output, moved_to):
    """keras.engine exports Layer up to 2.4 and stays importable up to 2.12 without it: the Keras
    that imported the module is one the name had left, so upgrading Keras cannot bring it back."""
    (first, *_) = explain((REAL_OUTPUT / output).read_text()).findings
    assert first.cause == "keras-api-moved"
    assert first.evidence["moved_to"] == moved_to
    assert first.evidence["last_release_with_it"].startswith("keras 2.")
    assert "package-too-old-for-api" not in causes((REAL_OUTPUT / output).read_text())[:1]


def _left(module: str, name: str):
    from keras_doctor import knowledge
    from keras_doctor.explain import catalog
    from keras_doctor.explain.names import NameResolver

    kb = knowledge.load()
    resolver = NameResolver(catalog.load().keras_names, kb, None)
    return resolver._left_within_keras2(module, name, list(kb.atlas.versions_with(module, name)))


def test_a_name_as_old_as_its_module_that_left_it_moved():
    """keras.engine.base_layer begins at 2.2 in the sample (2.0 and 2.1 have no such file) with
    InputSpec in it, and keeps going to 2.12 without it after 2.8: the name left the module."""
    assert _left("keras.engine.base_layer", "InputSpec") == {
        "last_release_with_it": "keras 2.8.0", "module_without_it": "keras 2.9.0 … 2.12.0",
        "moved_to": "keras.layers"}


def test_a_name_younger_than_its_module_is_not_said_to_have_left_it():
    """keras.layers has PeepholeLSTMCell in 2.6-2.8 only, and existed since 2.0: a Keras without
    it may be older than the name as well as newer, so nothing is said of a move."""
    assert _left("keras.layers", "PeepholeLSTMCell") is None


def test_a_name_that_ends_with_its_module_is_still_judged_by_its_history():
    """keras.engine.topology and its get_source_inputs end together in the sampled history
    (2.2.5 … 2.4.3): nothing says the name left a module that lived on, so the move rule stays
    out of it."""
    text = ("ImportError: cannot import name 'get_source_inputs' from 'keras.engine.topology' "
            "(/usr/local/lib/python3.10/dist-packages/keras/engine/topology.py)")
    (first, *_) = explain(text).findings
    assert "last_release_with_it" not in first.evidence
    assert first.cause == "package-too-old-for-api"


def test_a_module_keras2_dropped_under_a_library_moved_not_removed_by_keras3():
    """keras_vggface imports keras.engine.topology: gone after keras 2.4 while keras.engine lived
    on to 2.12, so the import broke within Keras 2 (the thread's fix imports get_source_inputs
    from keras.utils), not with Keras 3."""
    (first, *_) = hypotheses(case("keras-vggface-91-keras-engine-topology-py311")["text"])[1]
    assert first.cause == "keras-api-moved"
    assert first.evidence["last_release_with_it"] == "keras 2.4.3"


@pytest.mark.parametrize("case_id", ["keras-18593-mrcnn-keras-engine",
                                     "classification-models-3d-16-keras-engine"])
def test_a_module_gone_with_the_move_to_keras_src_stays_keras3_legacy_code(case_id):
    """keras.engine itself (Mask R-CNN's `import keras.engine`, a library's `from keras.engine
    import training`) was importable up to 2.12 and left with the 2.13 move to keras/src that
    Keras 3 finished: a library written for Keras 2 under the Keras of today."""
    assert hand(case(case_id)["text"])[0] == "keras3-legacy-code"


# -- a name only Keras 3 has, missing: Keras 3 is required ---------------------------------------


def test_a_name_first_in_keras3_missing_where_no_keras3_ran_needs_keras3():
    """keras_hub imports `keras.ops`, which the symbol atlas shows from the first Keras 3 on and in
    no Keras 2: the keras 2.10 pip left installed is a Keras 2, not an old Keras 3."""
    (first, second, *_) = hypotheses(case("keras-20446-keras-hub-with-keras210")["text"])[1]
    assert (first.cause, second.cause) == ("keras3-required", "package-too-old-for-api")
    assert first.evidence["first_release"] == "keras 3.0.5"


@pytest.mark.parametrize("installed, needs_keras3", [
    ("2.15.0", True),  # any Keras 2: only Keras 3 has it
    ("3.0.5", False),  # a Keras 3 has it: something else hid it, never "install Keras 3"
])
def test_a_keras3_name_is_judged_by_the_keras_installed(installed, needs_keras3):
    found = hand_with("ImportError: cannot import name 'ops' from 'keras'", installed)
    assert (found[:1] == ["keras3-required"]) is needs_keras3


@pytest.mark.parametrize("name, installed, expected", [
    # RMSNormalization came with Keras 3.9: a Keras 3.5 is too old, a Keras 2 needs Keras 3
    ("RMSNormalization", "3.5.0", "package-too-old-for-api"),
    ("RMSNormalization", "2.15.0", "keras3-required"),
    # a name Keras 2 already had is no Keras 3 question either side
    ("EfficientNetV2B0", "2.6.0", "package-too-old-for-api"),
])
def test_a_name_a_later_keras3_added_is_too_old_only_under_an_older_keras3(name, installed,
                                                                            expected):
    module = "keras.layers" if name == "RMSNormalization" else "keras.applications"
    text = f"ImportError: cannot import name '{name}' from '{module}'"
    assert hand_with(text, installed)[0] == expected


def test_a_name_a_later_keras3_added_with_no_release_stated_leads_with_too_old():
    text = "ImportError: cannot import name 'RMSNormalization' from 'keras.layers'"
    assert hand(text)[:2] == ["package-too-old-for-api", "keras3-required"]


def hand_with(text, keras_version):
    return [h.cause for h in hypotheses(text, keras_version=keras_version)[1]]


# -- a name Keras 3 removed: the user's own code, or a library's ---------------------------------


@pytest.mark.parametrize("case_id", ["keras-20830-tf-keras-locallyconnected1d",
                                     "hls4ml-1077-locallyconnected1d-keras3",
                                     "tf-64349-keras3-layers-experimental"])
def test_a_removed_name_the_users_code_reaches_through_tf_keras_is_the_removal(case_id):
    """From TensorFlow 2.16 `tf.keras` is Keras 3's `keras._tf_keras`, which keeps Keras 2 names
    such as ImageDataGenerator: a name missing even there is one Keras 3 removed, and the user's
    own code (no library between it and Keras) is what meets it."""
    found = hand(case(case_id)["text"])
    assert found[0] == "keras3-removed-api"


@pytest.mark.parametrize("case_id", ["autokeras-1904-layers-experimental"])
def test_a_removed_name_a_library_reaches_stays_legacy_code(case_id):
    """The other side: autokeras' own module imports tf.keras.layers.experimental, code the user
    ports only by running the library under tf-keras."""
    assert hand(case(case_id)["text"])[0] == "keras3-legacy-code"


def test_tf_keras_keeps_image_data_generator_so_the_removal_is_read_from_the_atlas():
    from keras_doctor import knowledge

    atlas = knowledge.load().atlas
    keras3 = [v for v in atlas.sampled("keras") if v.startswith("3.")]
    assert "keras._tf_keras.keras.preprocessing.image" in atlas.where("ImageDataGenerator",
                                                                      keras3[-1])
    assert "keras3-removed-api" in hand(
        "AttributeError: module 'keras._tf_keras.keras.layers' has no attribute "
        "'LocallyConnected2D'")[:1]


# -- what a package prints is no thread's wording: every fold keeps it ---------------------------


def _without_every_thread():
    import re

    from keras_doctor.explain import train_calibration as tc

    # every report thread any signature cites: a GitHub issue, pull request or discussion, or the
    # page a tuning report was copied from (a package's file or a release's metadata is none)
    reports = {c["source_url"] for c in corpus.load()}
    thread = re.compile(r"https?://github\.com/[^/]+/[^/]+/(?:issues|pull|discussions)/\d+")
    return frozenset(s for s in tc.signature_sources() if thread.match(s) or s in reports)


@pytest.mark.parametrize("case_id, expected", [
    # Keras 2.4's keras/__init__.py raises "Keras requires TensorFlow 2.2 or higher"
    ("imageai-563-keras-requires-tf22", "keras-tf-version-skew"),
    # CPython's traceback prints the failing frame's import line: keras.engine, gone since 2.13
    ("keras-18593-mrcnn-keras-engine", "keras3-legacy-code"),
    ("classification-models-3d-16-keras-engine", "keras3-legacy-code"),
])
def test_a_message_the_package_or_python_prints_is_known_without_any_thread(case_id, expected):
    ranked = hypotheses(case(case_id)["text"], without_sources=_without_every_thread())[1]
    assert ranked[0].cause == expected


# -- keras.json: a file Keras refuses at import ---------------------------------------------------


@pytest.mark.parametrize("case_id", ["keras-4153-keras-json-expecting-object",
                                     "keras-5295-keras-json-smart-quote"])
def test_the_json_decoders_error_at_import_keras_is_the_config_file(case_id):
    """CPython's JSON decoder, raised while Keras 1 reads ~/.keras/keras.json at import (its
    frame, or the import the reporter names): the configuration file, whichever fold."""
    ranked = hypotheses(case(case_id)["text"], without_sources=_without_every_thread())[1]
    assert ranked[0].cause == "keras-config-invalid"


def test_keras3_refusing_a_setting_of_keras_json_is_the_config_file():
    text = (REAL_OUTPUT / "keras-3.15.1-keras-json-floatx.txt").read_text()
    (first, *_) = explain(text).findings
    assert first.cause == "keras-config-invalid"
    assert "keras-backend-unavailable" not in causes(text)[:1]


def _python_says(script, tmp_path):
    """What CPython itself prints for `script` (a real run, not a copy)."""
    import subprocess

    path = tmp_path / "train.py"
    path.write_text(script)
    (tmp_path / "data.json").write_text('{"epochs": 3,}')
    run = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert "JSONDecodeError" in run.stderr
    return run.stderr


@pytest.mark.parametrize("script", [
    # the program's own data file: no Keras anywhere
    "import json\nsettings = json.load(open('data.json'))\n",
    # a model's JSON read back (Keras' model_from_json calls json.loads on it)
    "import json\n\ndef model_from_json(text):\n    return json.loads(text)\n\n"
    "model = model_from_json(open('data.json').read())\n",
])
def test_a_json_error_outside_keras_json_is_not_the_config_file(script, tmp_path):
    assert "keras-config-invalid" not in hand(_python_says(script, tmp_path))


def test_a_models_json_read_back_is_not_the_config_file_even_beside_import_keras(tmp_path):
    output = _python_says("import json\n\ndef model_from_json(text):\n    return json.loads(text)"
                          "\n\nmodel = model_from_json(open('data.json').read())\n", tmp_path)
    assert "keras-config-invalid" in hand(f"after import keras the model read fails:\n{output}"
                                          .replace("model_from_json", "read_config"))
    assert "keras-config-invalid" not in hand(f"after import keras the model read fails:\n{output}")


# -- a traceback cut before its AttributeError: the failing line's tf.keras path ------------------


def test_a_cut_traceback_whose_library_line_reaches_a_removed_tf_keras_path_is_legacy_code():
    """The Object Detection API's own module subclasses tf.keras.layers.experimental.
    SyncBatchNormalization (IPython's `---->` line; the paste ends before the message):
    keras.layers.experimental is gone from Keras 3, and a library's code met it."""
    ranked = hypotheses(case("tf-models-13495-layers-experimental")["text"],
                        without_sources=_without_every_thread())[1]
    assert [h.cause for h in ranked[:2]] == ["keras3-legacy-code", "keras3-removed-api"]
    assert ranked[0].evidence["module"] == (
        "tensorflow.keras.layers.experimental.SyncBatchNormalization")


def test_the_same_line_in_the_users_own_cell_is_the_removal():
    text = case("tf-models-13495-layers-experimental")["text"]
    own = text[text.index("[/usr/local/lib"):].replace(
        "[/usr/local/lib/python3.10/dist-packages/object_detection/core/"
        "freezable_sync_batch_norm.py](https://localhost:8080/#) in <module>",
        "[<ipython-input-7-0d1f2e3a4b5c>](https://localhost:8080/#) in <cell line: 20>()")
    assert "object_detection" not in own
    assert hand("AttributeError                            Traceback (most recent call last)\n"
                + own)[0] == "keras3-removed-api"


def test_the_message_decides_when_the_traceback_is_whole():
    text = case("tf-models-13495-layers-experimental")["text"] + (
        "\n\nAttributeError: module 'keras._tf_keras.keras.layers' has no attribute "
        "'experimental'")
    ranked = hypotheses(text)[1]
    assert "keras-attribute-line" not in ranked[0].signatures
    assert ranked[0].cause == "keras3-legacy-code"


# -- a Keras helper no public API exports: Keras's own code of another release called it ----------


def test_a_missing_internal_helper_is_keras_code_of_another_release():
    """populate_dict_with_module_objects lives in keras.utils.generic_utils of Keras 2.6-2.12 and
    in no `keras.api._v2` tree: Keras's own modules call it, so its absence under the keras 2.4.3
    the paste states is code and module of two releases, not code too new for the Keras."""
    (first, second, *_) = hypotheses(case("deepface-246-populate-dict-keras243-tf25")["text"])[1]
    assert (first.cause, second.cause) == ("keras-tf-version-skew", "keras-distributions-overlap")
    assert first.evidence["internal_to"] == ["keras.utils.generic_utils"]


def test_a_missing_public_name_is_still_judged_by_its_history():
    """get_custom_objects sits in keras.utils.generic_utils too, but the api tree exports it: the
    user's code imports it, so the helper rule stays out."""
    text = ("keras==2.4.3\nAttributeError: module 'keras.utils.generic_utils' has no attribute "
            "'get_custom_objects'")
    (first, *_) = hypotheses(text)[1]
    assert "internal_to" not in first.evidence
    assert first.cause != "keras-tf-version-skew"


def test_a_submodule_no_api_exports_is_no_helper():
    """keras.utils.tf_utils is a module code imports by its path (the thread's fix imports it from
    keras.src.utils): moved, not a helper Keras called."""
    assert hand(case("tf-keras-220-tf-utils-moved-to-keras-src")["text"])[0] == "keras-api-moved"


# -- Keras 2's Theano and CNTK backends -----------------------------------------------------------


def test_a_traceback_cut_in_keras2s_backend_selector_after_using_theano_is_that_backend():
    """Keras 2.0-2.3 print "Using Theano backend." and import it in keras/backend/__init__.py: a
    traceback ending in that frame is the configured backend failing to import."""
    text = case("deepcreampy-46-using-theano-backend-no-theano")["text"]
    (first, *_) = hypotheses(text, without_sources=_without_every_thread())[1]
    assert first.cause == "keras-backend-unavailable"
    commands = [s.command for s in explain(text).findings[0].fix if s.command]
    assert ("export", "KERAS_BACKEND=tensorflow") in commands


THEANO_MISSING = ("Traceback (most recent call last):\n  File \"train.py\", line 1, in <module>\n"
                  "    import {module}\nModuleNotFoundError: No module named 'theano'")


@pytest.mark.parametrize("module, expected", [
    # Keras (its backend selector) asked for Theano: the backend setting is the question
    ("keras", "keras-backend-unavailable"),
    # the user's own `import theano`, no Keras in sight: Theano is simply not installed
    ("theano", "missing-dependency"),
])
def test_theano_missing_is_the_backend_only_where_keras_asked_for_it(module, expected):
    text = THEANO_MISSING.format(module=module)
    if module == "keras":
        text = "Using Theano backend.\n" + text
    assert hand(text)[0] == expected


def test_a_traceback_cut_in_keras2s_backend_selector_after_using_tensorflow_is_not_it():
    text = case("deepcreampy-46-using-theano-backend-no-theano")["text"].replace(
        "Using Theano backend.", "Using TensorFlow backend.")
    assert "keras-backend-unavailable" not in hand(text)[:1]


def test_two_kerases_registering_one_metric_is_known_without_any_thread():
    """TensorFlow's monitoring registry refusing Keras's metrics twice rests on documents (its
    sampler.h, the 2.6.2 release notes, TensorFlow 2.5's keras-nightly requirement): no fold of
    repositories loses it."""
    text = case("tf-52937-keras27-tf26-alreadyexists")["text"]
    (first, *_) = hypotheses(text, without_sources=_without_every_thread())[1]
    assert first.cause == "keras-tf-version-skew"
    assert "two-kerases-register-one-metric" in first.signatures


# -- names imported beside the missing one ----------------------------------------------------


def test_a_name_missing_beside_one_python_found_is_newer_than_the_installed_keras():
    """`from keras.preprocessing.image import load_img, save_img, …` stopped at save_img, so
    load_img was found; the sample's Keras 2.1.6 has load_img there and not save_img, which came
    with 2.2 (the thread: keras 2.1.6, "update to the latest Keras")."""
    report = case("keras-10176-save-img-keras-216")
    first = explain(report["text"]).findings[0]
    assert first.cause == "package-too-old-for-api"
    assert first.evidence["first_release"] == "keras 2.2.5"
    assert "2.1.6" not in first.evidence["atlas"]["versions_with"]


def test_every_sampled_keras_with_the_name_found_beside_it_having_it_predates_the_sample():
    """When no sampled Keras has the name found without the missing one, the Keras installed is
    older than every sampled release: the oldest sample is the release to upgrade to."""
    text = ("Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n"
            "    from keras.layers import Dense, Conv1D\n"
            "ImportError: cannot import name 'Conv1D' from 'keras.layers' "
            "(/usr/lib/python3.6/site-packages/keras/layers/__init__.py)")
    first = explain(text).findings[0]
    assert first.cause == "package-too-old-for-api"
    assert first.evidence["imported_before"] == ["Dense"]
    assert first.evidence["installed_older_than"] == "keras 2.0.9"


def test_the_same_name_missing_alone_keeps_its_gap_within_keras2():
    """Without a name found beside it, the Keras 2.9-2.12 gap of load_img's history stands."""
    assert causes(case("tf-60746-load-img-keras-preprocessing-image")["text"])[0] == (
        "keras-api-moved")


def test_a_found_name_that_some_release_without_the_missing_one_has_decides_nothing():
    """ImageDataGenerator is in keras.preprocessing.image in 2.9-2.12, where load_img is not:
    finding it does not place the install before the sample."""
    from keras_doctor.explain import catalog
    from keras_doctor.explain.names import NameResolver

    resolver = NameResolver(catalog.load().keras_names, None, None)
    found = [v.cause for v in resolver.resolve(
        "keras.preprocessing.image", "load_img", keras3=False, library="",
        module_exists=True, imported_before=["ImageDataGenerator"])]
    assert found[0] == "keras-api-moved"
    older = [v.cause for v in resolver.resolve(
        "keras.preprocessing.image", "save_img", keras3=False, library="",
        module_exists=True, imported_before=["load_img"])]
    assert older[0] == "package-too-old-for-api"


def test_the_names_before_the_failing_one_are_read_from_its_import_line():
    from keras_doctor.explain.resolve_imports import imported_before

    text = case("keras-10176-save-img-keras-216")["text"]
    assert imported_before(text, "keras.preprocessing.image", "save_img") == ["load_img"]
    assert imported_before(text, "keras.preprocessing.image", "load_img") == []
    assert imported_before("from keras.layers import (Dense as D, Conv2D, merge)",
                           "keras.layers", "merge") == ["Dense", "Conv2D"]


def test_a_registered_twice_answer_states_the_versions_it_decided_on():
    """A TensorFlow and a keras of other minors (2.6 with 2.7) are the skew, and the answer says
    which versions and which rule decided it; the same minors are the overlap."""
    skewed = explain(f"{ALREADY_EXISTS}\ntensorflow==2.6.0\nkeras==2.7.0\n").findings[0]
    assert skewed.cause == "keras-tf-version-skew"
    assert skewed.evidence["tensorflow_version"] == "2.6.0"
    assert skewed.evidence["keras_version"] == "2.7.0"
    assert skewed.evidence["decided_by"] == "TensorFlow minor = Keras minor (Keras 2.6-2.15)"
    paired = explain(f"{ALREADY_EXISTS}\ntensorflow==2.6.0\nkeras==2.6.0\n").findings[0]
    assert paired.cause == "keras-distributions-overlap"
    assert paired.evidence["overlap_shown_by"] == "keras 2.6.0 is the Keras of tensorflow 2.6.0"
    assert "decided_by" not in paired.evidence


def test_without_release_tables_a_stated_tensorflow_2_5_proves_no_overlap(monkeypatch):
    """TensorFlow 2.5 itself requires keras-nightly (its release metadata), so a paste stating
    it is the overlap; with no release table at hand nothing says so, and the commoner skew
    leads."""
    from keras_doctor import knowledge

    text = f"{ALREADY_EXISTS}\ntensorflow==2.5.0\n"
    told = explain(text).findings[0]
    assert told.cause == "keras-distributions-overlap"
    assert told.evidence["overlap_shown_by"].startswith("tensorflow 2.5.0 requires keras-nightly")

    def unavailable():
        raise OSError("no knowledge base")

    monkeypatch.setattr(knowledge, "load", unavailable)
    untold = explain(text).findings[0]
    assert untold.cause == "keras-tf-version-skew"
    assert "overlap_shown_by" not in untold.evidence


# keunwoochoi/kapre#73: a kapre layer into a standalone Keras model, "keras version 2.3.1" stated
_NOT_A_LAYER = ("TypeError: The added layer must be an instance of class Layer. Found "
                "<kapre.time_frequency.Melspectrogram object at 0x000001B7A4077400>\n")


@pytest.mark.parametrize(("stated", "keras2"), [
    ("I'm on Windows, with keras version 2.3.1 and TensorFlow version 2.2.0", True),
    ("keras==2.15.0", True),
    ("I have newest keras version installed `Keras (2.0.1)`", True),  # pip 1-9's `pip list`
    ("keras==3.3.3", False),
    ("", False),
])
def test_a_keras_2_the_paste_states_rules_out_what_only_keras_3_causes(stated, keras2):
    from keras_doctor.explain.clues import ruled_out_by_signal

    text = _NOT_A_LAYER + stated
    # the guesses for an error no knowledge recognises leave it out under a stated Keras 2 (and
    # make it only of a stated Keras 3: the error names no Keras generation of its own)
    legacy = next((h for h in hypotheses(text)[1] if h.cause == "keras3-legacy-code"), None)
    assert (legacy is None) is (keras2 or not stated)
    assert ruled_out_by_signal("keras3-legacy-code", text) is keras2
    assert ruled_out_by_signal("keras3-removed-api", text) is keras2
    # Keras 2.0-2.3 could be missing a backend too
    assert not ruled_out_by_signal("keras-backend-unavailable", text)


# -- Keras 1-2.2 asserting keras.json as it reads it -----------------------------------------------


def keras2_assert(source_line: str) -> str:
    return ("Traceback (most recent call last):\n"
            '  File "/home/ada/.virtualenvs/r/lib/python2.7/site-packages/keras/backend/'
            '__init__.py", line 36, in <module>\n'
            f"    {source_line}\nAssertionError")


def test_a_backend_keras_2_does_not_ship_fails_its_assert():
    # awslabs/keras-apache-mxnet#57: keras.json names mxnet, the Keras installed is keras
    finding = explain_text(keras2_assert("assert _backend in {'theano', 'tensorflow', 'cntk'}")
                           ).findings[0]
    assert finding.cause == "keras-backend-unavailable"
    assert finding.evidence["accepted"] == "{'theano', 'tensorflow', 'cntk'}"
    assert finding.fix[0].description.startswith("Name a backend this Keras ships")
    assert finding.fix[0].command == ("export", "KERAS_BACKEND=tensorflow")


@pytest.mark.parametrize("source_line", [
    "assert _floatx in {'float16', 'float32', 'float64'}",
    "assert _image_data_format in {'channels_last', 'channels_first'}",
    "assert _image_dim_ordering in {'tf', 'th'}",
    "assert isinstance(_epsilon, float)",
])
def test_a_keras_json_value_keras_2_refuses_is_the_configuration(source_line):
    assert explain_text(keras2_assert(source_line)).findings[0].cause == "keras-config-invalid"


def test_the_assert_line_without_its_failure_is_no_finding():
    text = keras2_assert("assert _backend in {'theano', 'tensorflow'}").replace(
        "AssertionError", "KeyboardInterrupt")
    assert "keras-backend-unavailable" not in [f.cause for f in explain_text(text).findings[:1]]


def test_a_backend_fix_without_another_step_is_no_alternative():
    finding = explain_text("ValueError: Invalid backend. Received: backend=mxnet").findings[0]
    assert finding.cause == "keras-backend-unavailable"
    assert finding.fix[0].description.startswith("Point Keras at an installed backend")
