"""Moved or removed: a Keras name that fails to import is judged by the symbol atlas's history.

Gone before the last Keras 2 (keras.layers.merge after 2.8, keras.utils.vis_utils after 2.12): Keras
2 itself moved it, and the newest Keras names where it went — `keras-api-moved`, never "Keras 3
removed it". Present through Keras 2.15 and in no Keras 3 module — `keras3-removed-api`. Both sides
are tested with names the atlas itself classifies, so a wrong atlas reading fails here too.
"""

from __future__ import annotations

import pytest

from keras_doctor import knowledge
from keras_doctor.explain.engine import hypotheses


def ranked(text: str) -> list:
    return [(h.cause, h.evidence) for h in hypotheses(text)[1]]


@pytest.fixture(scope="module")
def atlas():
    return knowledge.load().atlas


def _keras(atlas, major: str) -> list:
    return [v for v in atlas.sampled("keras") if v.startswith(major)]


@pytest.mark.parametrize("module, name, now_in", [
    ("keras.layers.normalization", "BatchNormalization", "keras.layers"),
    ("keras.layers.merge", "Concatenate", "keras.layers"),
    ("keras.utils.vis_utils", "plot_model", "keras.utils"),
    ("keras.utils.data_utils", "get_file", "keras.utils"),
])
def test_a_name_keras_2_moved_is_moved_with_where_it_went(atlas, module, name, now_in):
    keras2, keras3 = _keras(atlas, "2."), _keras(atlas, "3.")
    history = atlas.versions_with(module, name)
    assert history and history[-1] in keras2[:-1]  # gone before the last Keras 2
    assert atlas.lookup(now_in, name, keras3[-1])  # and the newest Keras has it elsewhere
    (cause, evidence), *rest = ranked(f"ImportError: cannot import name '{name}' from '{module}'")
    assert cause == "keras-api-moved"
    assert evidence["moved_to"] == now_in
    assert "keras3-removed-api" in [c for c, _ in rest]  # still there, below


@pytest.mark.parametrize("module", ["keras.layers.merge", "keras.layers.core",
                                    "keras.layers.advanced_activations", "keras.utils.np_utils"])
def test_a_module_keras_2_moved_is_moved(module):
    causes = [c for c, _ in ranked(f"ModuleNotFoundError: No module named '{module}'")]
    assert causes[0] == "keras-api-moved"
    # below it, code written for an older Keras than the one installed, and Keras 3's removal
    assert set(causes[1:3]) == {"dependency-too-new", "keras3-removed-api"}


@pytest.mark.parametrize("name", ["ThresholdedReLU", "LocallyConnected2D", "DenseFeatures"])
def test_a_name_only_keras_3_dropped_is_removed(atlas, name):
    keras2, keras3 = _keras(atlas, "2."), _keras(atlas, "3.")
    assert atlas.lookup("keras.layers", name, keras2[-1])
    assert not any(atlas.lookup("keras.layers", name, v) for v in keras3)
    causes = [c for c, _ in ranked(f"ImportError: cannot import name '{name}' from "
                                   "'keras.layers'")]
    assert causes[0] == "keras3-removed-api"
    assert "keras-api-moved" not in causes[:1]


def test_keras_3_removals_the_migration_guide_lists_stay_removed():
    for text in ("ImportError: cannot import name 'ImageDataGenerator' from "
                 "'keras.preprocessing.image'",
                 "ModuleNotFoundError: No module named 'keras.preprocessing.text'",
                 "AttributeError: module 'keras.layers' has no attribute 'experimental'"):
        assert ranked(text)[0][0] == "keras3-removed-api", text


@pytest.mark.parametrize("module", ["keras.layers.experimental.preprocessing",
                                    "tensorflow.keras.layers.experimental.preprocessing"])
def test_a_name_missing_inside_a_module_keras_3_dropped_means_a_keras_2_too_old(module):
    """The module imported, so the Keras that ran is not Keras 3 (which has no such module): the
    name is newer than that Keras 2. The other side: the module itself missing is Keras 3."""
    inside = [c for c, _ in ranked(f"AttributeError: module '{module}' has no attribute "
                                   "'RandomRotation'")]
    assert inside[0] == "package-too-old-for-api"
    gone = [c for c, _ in ranked(f"ModuleNotFoundError: No module named '{module}'")]
    assert gone[0] in ("keras3-removed-api", "keras3-legacy-code")
    parent = module.rsplit(".", 2)[0]
    dropped = [c for c, _ in ranked(f"AttributeError: module '{parent}' has no attribute "
                                    "'experimental'")]
    assert dropped[0] in ("keras3-removed-api", "keras3-legacy-code")


@pytest.mark.parametrize(("retold", "message"), [
    ("Error: tensorflow has no attribute Session",
     "AttributeError: module 'tensorflow' has no attribute 'Session'"),
    ("module tensorflow has no attribute 'placeholder'",
     "AttributeError: module 'tensorflow' has no attribute 'placeholder'"),
    # vfa#17: numpy 1.24 removed np.bool; the title retells it bare
    ("module numpy has no attribute bool error",
     "AttributeError: module 'numpy' has no attribute 'bool'"),
    # mittagessen/kraken#410: the quoted part alone, inside a quote in prose
    ("(\"'numpy' has no attribute 'bool'\" => apparently it's bool_ now)",
     "AttributeError: module 'numpy' has no attribute 'bool'"),
])
def test_a_title_retelling_the_attribute_error_without_quotes_is_read_as_the_message(
        retold, message):
    from keras_doctor.explain.engine import hypotheses

    def read(text):
        return [(h.cause, h.signatures, h.evidence.get("name")) for h in hypotheses(text)[1]][:1]

    assert read(retold) == read(message)
    assert read(retold)[0][1] == ["module-attribute"]


def test_a_name_only_ending_like_the_package_is_not_retold_by_it():
    from keras_doctor.explain.engine import hypotheses

    found = hypotheses("my_tensorflow has no attribute Session")[1]
    assert "module-attribute" not in [s for h in found for s in h.signatures]
    # a class's attribute error names a type object, not a module
    found = hypotheses("AttributeError: type object 'numpy' has no attribute 'bool'")[1]
    assert "module-attribute" not in [s for h in found for s in h.signatures]


def test_an_alias_numpy_2_removed_says_which_release_removed_it():
    """numpy's own words (numpy/__init__.py, `__expired_attributes__`): the answer names the
    release as numpy spells it and the requirement that keeps the alias."""
    text = ("AttributeError: `np.float_` was removed in the NumPy 2.0 release. Use `np.float64` "
            "instead.\n")
    first = hypotheses(text)[1][0]
    assert first.cause == "dependency-too-new"
    assert first.evidence["removed_in"] == "NumPy 2.0"
    assert first.evidence["requirement"] == "numpy<2"
