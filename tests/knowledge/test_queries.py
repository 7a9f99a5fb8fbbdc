"""The questions checks ask, answered from the shipped data (facts verified against real wheels)."""

from __future__ import annotations

import pytest

from keras_doctor.knowledge import load


@pytest.fixture(scope="module")
def kb():
    return load()


def test_tf_215_on_apple_silicon_is_a_shim_that_requires_tensorflow_macos(kb):
    requires = kb.requires_for("tensorflow", "2.15.0", "macos-arm64", "3.11")
    assert any(r.startswith("tensorflow-macos ==2.15.0") for r in requires)
    linux = kb.requires_for("tensorflow", "2.15.0", "linux-x86_64", "3.11")
    assert not any(r.startswith("tensorflow-macos") for r in linux)
    assert any(r.replace(" ", "").startswith("keras(<2.16") for r in linux)


def test_no_tensorflow_arm64_mac_wheel_before_213(kb):
    assert kb.wheel_for("tensorflow", "2.12.0", "macos-arm64", "3.10") is None
    assert kb.wheel_for("tensorflow-macos", "2.12.0", "macos-arm64", "3.10") is not None


def test_wheel_choice_follows_python_and_platform(kb):
    wheel = kb.wheel_for("tensorflow", "2.16.2", "linux-x86_64", "3.11")
    assert "cp311" in wheel.python_tags and any("x86_64" in p for p in wheel.platform_tags)
    assert kb.wheel_for("tensorflow", "2.16.2", "macos-arm64", "3.13") is None
    assert kb.wheel_for("tensorflow", "2.16.2", "windows-amd64", "3.11") is not None


def test_newest_metal_release_for_python_313_does_not_exist(kb):
    assert kb.newest_release("tensorflow-metal", "macos-arm64", "3.13") is None
    assert str(kb.newest_release("tensorflow-metal", "macos-arm64", "3.11").version) == "1.2.0"


def test_metal_has_no_intel_build_after_100(kb):
    assert "x86_64" in kb.metal_release("1.0.0")["archs"]
    assert kb.metal_release("1.1.0")["archs"] == ["arm64"]


def test_numpy_abi_of_tensorflow_builds(kb):
    for version in ("2.10.0", "2.14.0", "2.17.0"):
        abi = kb.tf_numpy_abi(version)
        assert abi.built_against == 1 and abi.allows("2.1.3") is False and abi.allows("1.26.4")
    assert "<2" not in kb.tf_numpy_abi("2.14.0").declared  # declared no cap: pip allows numpy 2
    assert kb.tf_numpy_abi("2.18.0").built_against == 2
    assert kb.tf_numpy_abi("2.18.0").allows("2.0.2")


def test_metal_pairing_from_apple_table(kb):
    pairing = kb.metal_for_tf("2.13.1")
    assert pairing.table_metal == "1.0.0" and pairing.table_row.startswith("|v2.13")
    assert kb.metal_for_tf("1.15.0").table_metal is None


def test_metal_pairing_trusts_the_binaries_where_apple_table_is_wrong(kb):
    pairing = kb.metal_for_tf("2.18.1")
    assert pairing.table_metal == "1.1.0"  # Apple's table says so…
    assert "1.1.0" in pairing.fails and pairing.loads == ("1.2.0",)  # …the binaries disagree
    assert (pairing.trusted, pairing.basis) == ("1.2.0", "verdicts")


def test_metal_pairing_keeps_apple_pick_when_it_links(kb):
    pairing = kb.metal_for_tf("2.16.2")
    assert "1.2.0" in pairing.loads and pairing.trusted == pairing.table_metal == "1.1.0"


def test_no_metal_release_links_with_tf_220(kb):
    pairing = kb.metal_for_tf("2.20.0")
    assert pairing.loads == () and "1.2.0" in pairing.fails and pairing.trusted is None
    detail = next(p for p in kb.file("metal.json")["verdicts"]["pairs"]
                  if p["tensorflow_version"] == "2.20.0" and p["metal"] == "1.2.0")
    assert "@rpath/_pywrap_tensorflow_internal.so" in detail["libraries_not_found"]


def test_atlas_answers_per_version(kb):
    atlas = kb.atlas
    v2 = "keras.applications.efficientnet_v2"
    assert atlas.lookup(v2, "EfficientNetV2B0", "2.8.0") is True
    assert atlas.has_module(v2, "2.7.0") is False
    # keras 2.6-2.8's own keras/applications/__init__.py is empty: tf.keras's generated view has it
    assert atlas.lookup("keras.applications", "EfficientNetV2B0", "2.8.0") is False
    assert atlas.lookup("keras.api._v2.keras.applications", "EfficientNetV2B0", "2.8.0") is True
    assert atlas.lookup("keras.preprocessing.image", "ImageDataGenerator", "3.3.3") is False
    assert atlas.lookup("keras.preprocessing.image", "ImageDataGenerator", "2.15.0") is True
    assert "keras._tf_keras.keras.preprocessing.image" in atlas.where("ImageDataGenerator", "3.3.3")
    assert atlas.closest("keras.applications", "Resnet50", "3.3.3")[0] == "ResNet50"
    assert "MobileNetV2" in atlas.closest("keras.applications", "MobilenetV2", "3.3.3")
    assert "VGG16" in atlas.closest("keras.applications", "VGG61", "3.3.3")
    assert atlas.lookup("keras.applications", "VGG16", "9.0.0") is None  # never sampled
    assert atlas.lookup("keras.applications", "VGG16", "3.3.1") is True  # between equal samples
    assert atlas.has_module("keras.applications.regnet", "2.15.0") is True
    assert atlas.has_module("keras.applications.regnet", "3.0.5") is False


def test_modules_the_atlas_does_not_list(kb):
    atlas = kb.atlas
    assert atlas.closest("keras.no_such_module", "Dense", "3.3.3") == []  # nothing to suggest
    assert atlas.has_module("keras.no_such_module", "3.3.3") is False
    assert atlas.lookup("keras.no_such_module", "X", "3.3.3") is False
    assert atlas.has_module("keras.no_such.deeper", "3.3.3") is False
    # keras 2.9 has keras/estimator/, a folder the atlas did not read: unknown, not absent
    assert atlas.has_module("keras.estimator", "2.9.0") is None
    assert atlas.has_module("tensorflow.keras", "3.3.3") is None  # not a Keras distribution


def test_tensorflow_keras_resolves_to_the_keras_tensorflow_loads(kb):
    from keras_doctor.knowledge.atlas import tf_keras_module

    image = "tensorflow.keras.preprocessing.image"
    keras3 = tf_keras_module(image, "3.3.3")
    assert keras3 == "keras._tf_keras.keras.preprocessing.image"
    assert kb.atlas.lookup(keras3, "ImageDataGenerator", "3.3.3") is True  # kept for tf.keras
    keras2 = tf_keras_module(image, "2.15.0")
    assert kb.atlas.lookup(keras2, "ImageDataGenerator", "2.15.0") is True
    legacy = tf_keras_module("tensorflow.keras.applications", "2.16.0", legacy=True)
    assert kb.atlas.lookup(legacy, "VGG16", "2.16.0") is True
    assert tf_keras_module("tensorflow.keras.layers", "2.4.3") is None  # TF's bundled copy
    assert tf_keras_module("keras.layers", "3.3.3") is None


def test_private_keras_src_paths_are_unknown_not_absent(kb):
    assert kb.atlas.has_module("keras.src.engine.training", "3.3.3") is None


def test_keras_24_forwarding_modules_are_unknown_not_absent(kb):
    assert kb.atlas.lookup("keras.preprocessing.image", "ImageDataGenerator", "2.4.3") is None


def test_keras3_legacy_optimizers_import_but_are_stubs(kb):
    assert kb.atlas.lookup("keras.optimizers.legacy", "Adam", "3.3.3") is True
    assert kb.atlas.is_stub("keras.optimizers.legacy", "Adam", "3.3.3") is True
    assert kb.atlas.is_stub("keras.optimizers.legacy", "Adam", "2.15.0") is False
    assert kb.atlas.is_stub("keras.no_such_module", "Adam", "3.3.3") is False


def test_a_release_past_the_first_sample_is_answered_from_that_samples_minor(kb):
    """keras 2.2.5 samples its minor and tf-keras 2.14.1 is the first sample: a later patch of
    their minor lists their names, not the next minor's, nor none."""
    atlas = kb.atlas
    assert "symbolic" in atlas.names("keras.backend", "2.3.1")  # new in keras 2.3
    assert "symbolic" not in atlas.names("keras.backend", "2.2.9")
    assert atlas.names("keras.backend", "2.2.9") == atlas.names("keras.backend", "2.2.5")
    assert atlas.names("keras.backend", "2.5.0") is None  # keras 2.5 was never sampled
    # a patch between two samples that disagree is unknown; between two that agree, answered
    assert atlas.lookup("keras.backend", "symbolic", "2.2.9") is None
    assert atlas.lookup("keras.layers", "JaxLayer", "3.1.1") is False  # new in keras 3.2
    assert atlas.lookup("keras.layers", "JaxLayer", "3.3.1") is True
    tf_keras = atlas.names("tf_keras.applications", "2.14.1")
    assert tf_keras and atlas.names("tf_keras.applications", "2.14.3") == tf_keras


def test_keras3_removals_are_curated_with_sources(kb):
    entry = kb.keras3_removed("keras.preprocessing.image", "ImageDataGenerator")
    assert entry["source"].startswith("https://")
    assert (entry["last_seen"], entry["gone_from"]) == ("2.15.0", "3.0.5")
    legacy = kb.keras3_removed("keras.optimizers.legacy", "Adam")
    assert legacy["gone_from"] == "3.0.5"  # the module still imports, made of raising stubs
    whole = kb.keras3_removed("keras.layers.experimental.preprocessing", "RandomFlip")
    assert whole["module"] == "keras.layers.experimental.preprocessing"
    assert kb.keras3_removed("keras.layers", "Dense") is None


def test_weights_of_an_application(kb):
    files = {w.file_name: w for w in kb.weights("ResNet50")}
    top = files["resnet50_weights_tf_dim_ordering_tf_kernels.h5"]
    assert len(top.file_hash) == 32
    assert kb.weight_file("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5").file_hash
    assert all(w.file_hash is None for w in kb.weights("MobileNet"))


@pytest.mark.parametrize("platform, tag, installable", [
    ("linux-x86_64", "manylinux2014_x86_64", True),      # the legacy alias of manylinux_2_17
    ("linux-x86_64", "manylinux_2_12_x86_64", True),     # older glibc baselines, x86_64 only
    ("linux-x86_64", "manylinux1_x86_64", True),
    ("linux-x86_64", "manylinux_2_5_x86_64", True),       # manylinux1 in PEP 600's spelling
    ("linux-x86_64", "manylinux_2_4_x86_64", False),      # older than any manylinux baseline
    ("linux-aarch64", "manylinux2014_aarch64", True),
    ("linux-aarch64", "manylinux_2_12_aarch64", False),  # aarch64 wheels start at glibc 2.17
    ("linux-x86_64", "manylinux2014_aarch64", False),
    ("macos-arm64", "macosx_11_0_arm64", True),
    ("macos-arm64", "macosx_11_0_x86_64", False),
])
def test_an_installer_takes_a_wheel_only_for_tags_its_platform_accepts(platform, tag,
                                                                      installable):
    from keras_doctor.knowledge.releases import release_from_json

    release = release_from_json("demo", "1.0", {"wheels": [f"cp311-cp311-{tag}"]})
    assert (release.wheel_for(platform, "3.11") is not None) is installable


def test_a_wheels_own_requires_python_overrides_the_releases():
    from keras_doctor.knowledge.releases import release_from_json

    release = release_from_json("demo", "1.0", {
        "wheels": ["py3-none-any", "cp38-cp38-manylinux2014_x86_64"],
        "requires_python": ">=3.8", "requires_python_by_wheel": {"0": ">=3.12"}})
    assert release.wheel_for("linux-x86_64", "3.11") is None  # the cp38 build is not for 3.11
    assert release.wheel_for("linux-x86_64", "3.12").tag == "py3-none-any"
    assert release.wheel_for("linux-x86_64", "3.8").tag.startswith("cp38")


@pytest.mark.parametrize("keras, root", [
    ("2.5.0", None),  # TensorFlow 2.5 still used its bundled copy
    ("2.6.0", "keras.api._v2.keras"),  # the first split-out keras
    ("2.15.0", "keras.api._v2.keras"),
    ("3.0.0", "keras._tf_keras.keras"),  # the first Keras 3
])
def test_tensorflow_keras_is_the_keras_tensorflow_loads_on_both_sides_of_each_edge(keras, root):
    from keras_doctor.knowledge.atlas import tf_keras_module

    found = tf_keras_module("tensorflow.keras.layers", keras)
    assert found == (f"{root}.layers" if root else None)
    assert tf_keras_module("tensorflow.keras", keras) == root


@pytest.mark.parametrize("typed, meant", [("xCeption", "xception"), ("XCeption", "Xception")])
def test_a_case_typo_prefers_the_name_with_the_same_first_letter_case(kb, typed, meant):
    found = kb.atlas.closest("keras.applications", typed, "3.3.3")
    assert found[0] == meant and set(found) == {"xception", "Xception"}


def test_a_pre_release_python_meets_the_requires_python_of_its_release():
    from keras_doctor.knowledge.releases import python_allows

    # as installers judge a 3.14 release candidate
    assert python_allows(">=3.9", "3.14.0rc1") is True
    assert python_allows(">=3.15", "3.14.0rc1") is False


def test_releases_are_read_once_per_project_however_it_is_spelled(kb):
    assert kb.releases("tensorflow") is kb.releases("TensorFlow")
    assert kb.releases("tensorflow-metal") is kb.releases("tensorflow_metal")


def test_a_weight_file_no_application_downloads_is_known_by_its_module():
    """`decode_predictions` downloads imagenet_class_index.json: a file of imagenet_utils, which no
    application (an upper-case model function) names."""
    from keras_doctor.knowledge.queries import KnowledgeQueries

    class Weights(KnowledgeQueries):
        def file(self, relative):
            return {"files": [{"module": "imagenet_utils", "applications": [],
                               "file_name": "imagenet_class_index.json",
                               "file_hash": "c2c37ea517e94d9795004a39431a14cb",
                               "url": "https://storage.googleapis.com/download.tensorflow.org/"
                                      "data/imagenet_class_index.json",
                               "keras_versions": ["keras 2.15.0", "keras 3.12.0"]},
                              {"module": "vgg16", "applications": ["VGG16"],
                               "file_name": "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
                               "file_hash": "64373286793e3c8b2b4e3219cbf3544b", "url": None}]}

    index = Weights().weight_file("imagenet_class_index.json")
    assert (index.application, index.module) == ("", "imagenet_utils")
    assert index.url == "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
    assert index.keras_versions == ("keras 2.15.0", "keras 3.12.0")
    assert Weights().weight_file("vgg16_weights_tf_dim_ordering_tf_kernels.h5").application == \
        "VGG16"
    assert Weights().weight_file("resnet50_weights.h5") is None


def test_the_plugin_a_tensorflow_links_with_is_the_newest_by_version_not_by_text():
    from keras_doctor.knowledge.queries import KnowledgeQueries

    class Tables(KnowledgeQueries):
        def file(self, relative):
            pairs = [{"tensorflow_version": "9.1.0", "metal": m, "loads": True}
                     for m in ("0.10.0", "0.9.0")]
            return {"apple_table": [], "verdicts": {"pairs": pairs}}

    pairing = Tables().metal_for_tf("9.1.0")
    assert pairing.loads == ("0.9.0", "0.10.0")
    assert (pairing.trusted, pairing.basis) == ("0.10.0", "verdicts")


@pytest.mark.parametrize(("module", "name", "expected"), [
    # Keras 2.4.3's keras/utils/__init__.py is one `from tensorflow.keras.utils import *`; its
    # submodules (keras/utils/np_utils.py) import all the same, whatever TensorFlow forwards
    ("keras.utils", "np_utils", True),
    ("keras.utils", "to_categorical", None),  # TensorFlow's side: unknown, never absent
    ("keras.utils", "no_such_name", None),
    # keras/layers/__init__.py binds `from . import convolutional` after its star import
    ("keras.layers", "convolutional", True),
    ("keras.layers", "Dense", None),
])
def test_a_keras_24_forwarding_module_still_has_what_it_binds_itself(kb, module, name, expected):
    assert kb.atlas.lookup(module, name, "2.4.3") is expected


@pytest.mark.parametrize(("version", "expected"), [
    ("2.6.0", False), ("2.7.0", False), ("2.8.0", False), ("2.9.0", True)])
def test_keras_26_to_28_utils_exports_no_names_only_submodules(kb, version, expected):
    """Keras 2.6-2.8's keras/utils/__init__.py is a licence header and nothing else: with
    tensorflow-cpu 2.8.4 and keras 2.8.0 installed, `from keras.utils import to_categorical`
    raises "ImportError: cannot import name 'to_categorical' from 'keras.utils'", while
    `from keras.utils import np_utils` (a submodule) imports. Keras 2.9 filled the package."""
    assert kb.atlas.lookup("keras.utils", "to_categorical", version) is expected
    assert kb.atlas.lookup("keras.utils", "np_utils", version) is True


def test_a_name_typed_with_the_wrong_case_suggests_the_one_whose_first_letter_matches(kb):
    """`Resnet50` is the class ResNet50, `resNet50` the module resnet50: same letters, and the
    first letter's case tells a class from a module."""
    assert kb.atlas.closest("keras.applications", "Resnet50", "3.3.3") == ["ResNet50", "resnet50"]
    assert kb.atlas.closest("keras.applications", "resNet50", "3.3.3") == ["resnet50", "ResNet50"]


def test_the_multi_backend_keras_of_2017_and_2018_is_sampled(kb):
    """Keras 2.0 and 2.1 (their last patches, 2.0.9 and 2.1.6) are in the atlas: the layer
    `Merge` that 2.2 removed, and `normalize_data_format`, which 2.2 moved from conv_utils to the
    backend, are told by the releases that had them, not guessed from 2.2.5 on."""
    atlas = kb.atlas
    assert atlas.sampled("keras")[:3] == ["2.0.9", "2.1.6", "2.2.5"]
    assert list(atlas.versions_with("keras.layers", "Merge")) == ["2.0.9", "2.1.6"]
    assert "normalize_data_format" not in atlas.names("keras.backend", "2.1.6")
    assert "normalize_data_format" in atlas.names("keras.backend", "2.2.5")
    assert "normalize_data_format" in atlas.names("keras.utils.conv_utils", "2.1.6")
