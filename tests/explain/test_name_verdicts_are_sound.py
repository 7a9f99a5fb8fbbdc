"""Every verdict the Keras name resolver gives names a catalog cause at a probability's weight.

The engine drops a cause the catalog lacks without a word, and a weight above 1 breaks the score's
arithmetic: either bug in one branch of `NameResolver.resolve` loses an answer silently. The sweep
covers the names its own tables document (removed in Keras 3, moved, introduced later, present in
every release), typos of real names and names no Keras has, under every kind of install the
resolver tells apart (none known, Keras 2 before and after each name, Keras 3, tf.keras reached
from a third-party library, a module the error shows imported).
"""

from __future__ import annotations

import itertools

from keras_doctor import causes
from keras_doctor.explain import catalog
from keras_doctor.explain.names import NameResolver

MODULES = ["keras", "keras.layers", "keras.models", "keras.optimizers", "keras.applications",
           "keras.utils", "keras.preprocessing.image", "keras.preprocessing.sequence",
           "keras.engine", "keras.engine.topology", "keras.layers.experimental",
           "keras.layers.experimental.preprocessing", "keras.wrappers.scikit_learn",
           "tensorflow.keras.layers", "tensorflow.keras.optimizers", "keras.src.engine",
           "keras._tf_keras.keras.layers", "tensorflow.python.keras.layers"]
NAMES = ["Dense", "Dens", "LSTM", "Adam", "adam", "EfficientNetB0", "EfficientNetV2S",
         "ConvNeXtTiny", "pad_sequences", "img_to_array", "load_img", "to_categorical", "Layer",
         "Sequential",
         "RandomFlip", "Rescaling", "KerasClassifier", "get_source_inputs", "Wrapper",
         "LocallyConnected2D", "ThisNameNoKerasHas", None]
INSTALLS = [None, "2.4.3", "3.0.5"]


def test_every_name_verdict_is_a_catalog_cause_at_a_probability():
    table = catalog.load().keras_names
    documented = table["removed_in_keras3"] + table["moved"]
    names = NAMES + [e["name"] for e in documented if e.get("name")]
    wrong, seen = [], set()
    for version in INSTALLS:
        resolver = NameResolver(table, None, version)
        for module, name, keras3, library, exists in itertools.product(
                MODULES, names, (False, True), ("", "transformers"), (False, True)):
            for verdict in resolver.resolve(module, name, keras3=keras3, library=library,
                                            module_exists=exists):
                seen.add(verdict.cause)
                if verdict.cause not in causes.CATALOG or not 0 < verdict.weight <= 1:
                    wrong.append((verdict.cause, verdict.weight, module, name, version))
    assert len(seen) >= 5  # the sweep reaches the resolver's many answers
    assert wrong == []
