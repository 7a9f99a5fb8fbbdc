"""Missing Keras names judged against the knowledge base's symbol atlas (built from real wheels)."""

from __future__ import annotations

from keras_doctor.explain import catalog
from keras_doctor.explain.names import NameResolver, fold_module


def resolver(keras_version=None):
    return NameResolver(catalog.load().keras_names, None, keras_version)


def causes(verdicts):
    return [v.cause for v in verdicts]


def test_tf_keras_paths_fold_into_keras():
    assert fold_module("tensorflow.keras.layers") == "keras.layers"
    assert fold_module("keras._tf_keras.keras.layers") == "keras.layers"
    assert fold_module("keras.layers") == "keras.layers"
    # the package itself, as `cannot import name 'X' from 'tensorflow.keras'` names it
    assert fold_module("tensorflow.keras") == "keras"
    assert fold_module("tensorflow.python.keras") == "keras"
    assert fold_module("tf_keras") == "keras"
    assert fold_module("tensorflow.kerasx") == "tensorflow.kerasx"


def test_a_typo_gets_the_closest_real_name():
    verdicts = resolver().resolve("keras.layers", "Dens", keras3=True, library="")
    assert causes(verdicts)[0] == "keras-api-moved"
    assert verdicts[0].evidence["closest"] == "Dense"


def test_a_name_newer_than_the_installed_keras():
    verdicts = resolver("2.9.0").resolve(
        "keras.layers", "GroupNormalization", keras3=False, library=""
    )
    assert causes(verdicts)[0] == "package-too-old-for-api"
    assert verdicts[0].evidence["first_release"].startswith("keras 2.")


def test_a_name_newer_than_the_installed_keras_names_the_first_release_that_has_it():
    verdicts = resolver("2.9.0").resolve(
        "keras.layers", "GroupNormalization", keras3=False, library=""
    )
    assert verdicts[0].evidence["first_release"] == "keras 2.11.0"


def test_a_keras_older_than_the_sample_lacking_a_name_every_sample_has_gets_a_bound():
    """keras.applications is in every sampled Keras (2.0.9 on) but not in Keras 1.0.8: the
    sample cannot tell when it came, only that 2.0.9 had it."""
    verdicts = resolver("1.0.8").resolve("keras", "applications", keras3=False, library="")
    assert causes(verdicts)[0] == "package-too-old-for-api"
    assert verdicts[0].evidence["first_release"] == "keras 2.0.9 at the latest"


def test_a_keras2_name_under_keras3_from_the_atlas():
    verdicts = resolver("3.6.0").resolve("keras.backend", "get_session", keras3=True, library="")
    assert causes(verdicts)[0] == "keras3-removed-api"
    assert verdicts[0].evidence["atlas"]["keras3_removed"]["name"] == "get_session"


def test_the_same_name_in_a_library_is_legacy_code():
    verdicts = resolver("3.6.0").resolve(
        "keras.preprocessing.image", "ImageDataGenerator", keras3=True, library="autokeras"
    )
    assert causes(verdicts)[0] == "keras3-legacy-code"
    assert verdicts[0].evidence["library"] == "autokeras"


def test_a_documented_move():
    verdicts = resolver().resolve(
        "keras.preprocessing.sequence", "pad_sequences", keras3=False, library=""
    )
    assert causes(verdicts)[0] == "keras-api-moved"
    assert verdicts[0].evidence["moved_to"] == "keras.utils"
