"""Hand-kept facts that no wheel states, each with the public document it comes from.

Everything else in the knowledge base is read from the index by the builder; what is here could not
be: which numpy ABI a TensorFlow build was compiled against (a wheel declares a requirement range,
not its build ABI, and several TF releases declare no numpy cap at all), and what Keras 3 removed
and what replaces it. The builder copies these tables into the data folder with their sources.
"""

from __future__ import annotations

from typing import Any, Dict

NUMPY_ABI: Dict[str, Any] = {
    "sources": [
        "https://github.com/tensorflow/tensorflow/releases/tag/v2.18.0 and RELEASE.md of "
        "https://github.com/tensorflow/tensorflow (Release 2.18.0: TensorFlow supports NumPy 2.0 "
        "and is built against it)",
        "https://numpy.org/doc/stable/dev/depending_on_numpy.html#numpy-2-abi-handling (extensions "
        "built against NumPy 1.x fail to import under NumPy 2; built against 2.x run on >=1.x)",
        "releases/tensorflow.json: what each release declares (summarised in `declared` by the "
        "builder)",
    ],
    "note": (
        "Rules, first match wins, per project and version range. `built_against` is the numpy "
        "major the project's C extensions were compiled with; `runtime` is the numpy range those "
        "binaries can import with, whatever the wheel declares: the wheel's own Requires-Dist may "
        "be looser (`declared`, computed by the builder from the release table, lists the numpy-1 "
        "builds whose requirement admits numpy 2, e.g. 2.7-2.11 and 2.14.0)."
    ),
    "rules": [
        {
            "projects": [
                "tensorflow",
                "tensorflow-cpu",
                "tensorflow-macos",
                "tensorflow-intel",
                "tensorflow-cpu-aws",
            ],
            "versions": "<2.18",
            "built_against": 1,
            "runtime": "<2",
        },
        {
            "projects": [
                "tensorflow",
                "tensorflow-cpu",
                "tensorflow-macos",
                "tensorflow-intel",
                "tensorflow-cpu-aws",
            ],
            "versions": ">=2.18",
            "built_against": 2,
            "runtime": ">=1.26",
        },
        {"projects": ["tf-keras"], "versions": ">=0", "built_against": None, "runtime": None},
    ],
}

_MIGRATION = "https://keras.io/guides/migrating_to_keras_3/"
_RELEASE_3_0 = "https://github.com/keras-team/keras/releases/tag/v3.0.0"

KERAS3_REMOVED: Dict[str, Any] = {
    "sources": [_MIGRATION, _RELEASE_3_0, "https://keras.io/api/"],
    "note": (
        "Names Keras 2 had that Keras 3 does not (some left during Keras 2 already), with what "
        "replaces them. `module`/`name` are as imported under Keras 2; `name` null means the whole "
        "module. `replacement` is code to write instead (null when there is none); `legacy` says "
        "how to keep Keras 2 names working (tf_keras). The builder adds `last_seen` / `gone_from`: "
        "the last sampled keras release that has the name and the first later one without it, "
        "from the symbol atlas (`gone_from` null: still importable, e.g. as a stub that raises)."
    ),
    "removed": [
        {
            "module": "keras.layers.experimental",
            "name": None,
            "replacement": "keras.layers (e.g. keras.layers.RandomFlip, keras.layers.Rescaling)",
            "source": _MIGRATION,
        },
        {
            "module": "keras.layers.experimental.preprocessing",
            "name": None,
            "replacement": "keras.layers (preprocessing layers are top-level layers)",
            "source": _MIGRATION,
        },
        {
            "module": "keras.preprocessing.image",
            "name": "ImageDataGenerator",
            "replacement": "keras.utils.image_dataset_from_directory + augmentation layers "
            "(keras.layers.RandomFlip, RandomRotation, …)",
            "source": _MIGRATION,
        },
        {
            "module": "keras.preprocessing.text",
            "name": "Tokenizer",
            "replacement": "keras.layers.TextVectorization",
            "source": _MIGRATION,
        },
        {
            "module": "keras.optimizers.legacy",
            "name": None,
            "replacement": "keras.optimizers (the Keras 3 optimizers)",
            "source": _MIGRATION,
        },
        {
            "module": "keras.applications.regnet",
            "name": None,
            "replacement": None,
            "source": _RELEASE_3_0,
        },
        {
            "module": "keras.applications.resnet_rs",
            "name": None,
            "replacement": None,
            "source": _RELEASE_3_0,
        },
        {
            "module": "keras.backend",
            "name": "get_session",
            "replacement": None,
            "source": _MIGRATION,
        },
        {
            "module": "keras.backend",
            "name": "set_session",
            "replacement": None,
            "source": _MIGRATION,
        },
        {
            "module": "keras.engine",
            "name": None,
            "replacement": "public names: keras.Model, keras.layers.Layer, keras.Input",
            "source": _MIGRATION,
        },
        {
            "module": "keras.utils",
            "name": "multi_gpu_model",
            "replacement": "tf.distribute.MirroredStrategy",
            "source": _MIGRATION,
        },
        {
            "module": "keras.wrappers.scikit_learn",
            "name": None,
            "replacement": "the scikeras package (keras.wrappers.SKLearnClassifier from Keras 3.5)",
            "source": "https://keras.io/api/utils/sklearn_wrappers/",
        },
    ],
    "legacy": "pip install tf_keras (matching the TensorFlow minor) and set TF_USE_LEGACY_KERAS=1",
}
