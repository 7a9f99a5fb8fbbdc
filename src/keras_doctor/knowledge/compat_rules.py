"""Compatibility facts that no wheel's metadata states, each with the public document it comes from.

The release tables say what every wheel *declares*; the checks built on them must also know what
the packages do not declare: which libraries need `tf.keras` to be Keras 2, which TensorFlow builds
break on a protobuf their metadata allows, which distributions are obsolete on a platform, and from
which pip version an installer understands a wheel's platform tags. These tables are small and
hand-kept, so they live here as data with sources rather than inside the checks' code.

This is also the one place for TensorFlow's distribution family and its version boundaries: checks,
plan, `recommend` and verify read them from here, so an edge moves everywhere at once.
"""

from __future__ import annotations

from typing import Any, Dict, List

# The values of TF_USE_LEGACY_KERAS that make `tf.keras` resolve to the tf_keras distribution. TF
# compares the raw string: "yes", "TRUE", "on" or " 1" do nothing.
LEGACY_KERAS_VALUES = ("true", "True", "1")
LEGACY_KERAS_SOURCES = [
    "https://github.com/tensorflow/tensorflow/blob/r2.16/tensorflow/api_template.__init__.py "
    '(`_os.environ.get("TF_USE_LEGACY_KERAS", None) in ("true", "True", "1")`)',
    "https://github.com/tensorflow/tensorflow/blob/r2.15/tensorflow/python/util/lazy_loader.py",
    "https://keras.io/getting_started/#tensorflow--keras-2-backwards-compatibility",
]
FIRST_LEGACY_SWITCH_TF = "2.15"  # TF_USE_LEGACY_KERAS exists from this TensorFlow minor
FIRST_KERAS3_TF = "2.16"  # tf.keras is Keras 3 from here (2.16.1 is the first 2.16 release)
# The tf-keras distribution (Keras 2 as `tf_keras`) is released per TensorFlow minor from 2.15 on.
FIRST_TF_KERAS_TF = "2.15"
TF_KERAS_SOURCES = ["https://pypi.org/project/tf-keras/#history (first release 2.15.0)"]
# Keras 3 runs on TensorFlow from 2.15 as its own backend, although TensorFlow 2.15 declares
# keras<2.16 (so pip must be told to reinstall Keras 3 after it).
FIRST_KERAS3_BACKEND_TF = "2.15"
KERAS3_BACKEND_SOURCES = ["https://github.com/keras-team/keras#installation (\"if you install "
                          "TensorFlow 2.15, you should reinstall Keras 3 afterwards\")"]
# TensorFlow is a NumPy 1 build up to 2.17; 2.18 is the first built against NumPy 2.
FIRST_NUMPY2_TF = "2.18"
NUMPY2_SOURCES = ["https://github.com/tensorflow/tensorflow/releases/tag/v2.18.0 "
                  "(\"TensorFlow now supports and is compiled with NumPy 2.0 by default\")"]
# From 2.6 Keras ships as its own distribution (`keras`), versioned with TensorFlow's minor; before
# that `tf.keras` lived inside TensorFlow and the `keras` distribution was independent of it.
FIRST_SPLIT_KERAS_TF = "2.6"
SPLIT_KERAS_SOURCES = ["https://github.com/tensorflow/tensorflow/releases/tag/v2.6.0 "
                       "(\"Keras been split into a separate PIP package (keras)\")"]

# Before the split, the standalone `keras` distribution was multi-backend Keras (to 2.3.x) and then
# a redirect to `tf.keras` (2.4.x); each worked only with some TensorFlows, which its metadata does
# not declare: 2.2.x and older with TensorFlow 1 only, 2.3.x with 1.13-1.14 and 2.0, 2.4.x with
# TensorFlow 2.2 or later (its `keras/__init__.py` raises "Keras requires TensorFlow 2.2 or
# higher").
LAST_TF1_ONLY_KERAS = "2.2.5"
FIRST_REDIRECT_KERAS = "2.4.0"
REDIRECT_KERAS_NEEDS_TF = "2.2"
STANDALONE_KERAS_SOURCES = [
    "https://github.com/keras-team/keras/releases/tag/2.2.5 (\"the last release to only support "
    "TensorFlow 1\")",
    "https://github.com/keras-team/keras/releases/tag/2.3.0 (\"the first release of "
    "multi-backend Keras that supports TensorFlow 2.0\")",
    "https://github.com/keras-team/keras/releases/tag/2.4.0 (\"simply redirects to tf.keras\"; "
    "keras/__init__.py: \"Keras requires TensorFlow 2.2 or higher\")",
]

# Every distribution that installs the `tensorflow` import package: builds per platform or vendor,
# nightlies, and the 2.13–2.15 shims (`tensorflow` on macOS arm64 requires `tensorflow-macos`, on
# Windows `tensorflow-intel`). Two of them in one environment overwrite each other's files.
TF_FAMILY = frozenset({
    "tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel",
    "tensorflow-cpu-aws", "tensorflow-aarch64", "tensorflow-rocm", "intel-tensorflow",
    "tf-nightly", "tf-nightly-cpu", "tf-nightly-macos", "tf-nightly-intel", "tf-nightly-gpu",
})
# The builds a TensorFlow shim wheel (2.13–2.15 `tensorflow` on macOS arm64, Windows, Linux aarch64)
# installs in its place: the real requirements are theirs.
TF_SHIM_TARGETS = frozenset({"tensorflow-macos", "tensorflow-intel", "tensorflow-cpu-aws"})
TF_FAMILY_SOURCES = [
    "https://pypi.org/project/tensorflow-macos/2.15.1/ (no files but metadata)",
    "https://github.com/tensorflow/tensorflow/releases/tag/v2.13.0 (macOS arm64 wheels of "
    "`tensorflow` itself)",
]

# Installed libraries that only work when `tf.keras` is Keras 2. `needs` says what makes them work
# under TensorFlow >= 2.16: "tf-keras" = the tf_keras distribution must be installed (the library
# imports it itself); "legacy-switch" = tf_keras installed *and* TF_USE_LEGACY_KERAS set, because
# the library uses `tf.keras` and mixes its layers with the user's.
LEGACY_KERAS_USERS: List[Dict[str, Any]] = [
    {
        "name": "tensorflow-hub",
        "versions": ">=0",
        "needs": "legacy-switch",
        "symptom": "ValueError: Only instances of `keras.Layer` can be added to a Sequential model "
        "(hub.KerasLayer is a tf_keras layer)",
        "sources": [
            "https://github.com/tensorflow/tensorflow/issues/63849",
            "https://github.com/tensorflow/hub/issues/920",
        ],
    },
    {
        "name": "transformers",
        # 5.0 dropped its TensorFlow models: the 5.0.0 wheel has no modeling_tf_* module and no
        # tensorflow or tf-keras extra (deprecated in huggingface/transformers#38758)
        "versions": "<5",
        "needs": "tf-keras",
        "symptom": "ValueError: Your currently installed version of Keras is Keras 3, but this is "
        "not yet supported in Transformers",
        "sources": [
            "https://github.com/huggingface/transformers/issues/27377",
            "https://github.com/huggingface/transformers/issues/36410",
            "https://github.com/huggingface/transformers/pull/38758",
            "https://pypi.org/project/transformers/5.0.0/ (the wheel's file list and metadata)",
        ],
    },
    {
        "name": "tensorflow-probability",
        "versions": ">=0",
        "needs": "tf-keras",
        "symptom": "tfp.layers needs Keras 2: install tensorflow-probability[tf] (tf_keras)",
        "sources": [
            "https://github.com/tensorflow/probability/releases/tag/v0.24.0",
            "https://github.com/tensorflow/probability/issues/1795",
        ],
    },
    {
        "name": "tensorflow-model-optimization",
        "versions": ">=0",
        "needs": "legacy-switch",
        "symptom": "import tensorflow_model_optimization fails under Keras 3",
        "sources": ["https://github.com/tensorflow/model-optimization/issues/1119"],
    },
    {
        "name": "tensorflow-addons",
        "versions": ">=0",
        "needs": "legacy-switch",
        "symptom": "end of life in May 2024; never ported to Keras 3",
        "sources": [
            "https://github.com/tensorflow/addons/issues/2807",
            "https://github.com/tensorflow/addons/pull/2870",
        ],
    },
]

# Libraries that need Keras 3 without (always) declaring it.
KERAS3_USERS: List[Dict[str, Any]] = [
    {"name": "keras-hub", "versions": ">=0", "sources": ["https://keras.io/keras_hub/"]},
    {"name": "keras-rs", "versions": ">=0", "sources": ["https://keras.io/keras_rs/"]},
]
# Keras 2 (2.6-2.15) ignores KERAS_BACKEND: a jax or torch backend needs Keras 3.
KERAS3_BACKENDS = ("jax", "torch", "numpy", "openvino")
KERAS3_BACKEND_SOURCES = ["https://keras.io/getting_started/#configuring-your-backend"]

# Runtime needs of TensorFlow builds beyond what their wheels declare. First match wins per
# (dependency, TF version). TF 2.5-2.9.0 declare `protobuf>=3.9.2` with no cap, but their
# generated code fails under protobuf 4 ("Descriptors cannot be created directly"); later patch
# releases of the same minors (2.6.5, 2.7.3, 2.8.2, 2.9.1) pin `protobuf<3.20`.
UNDECLARED_RUNTIME: List[Dict[str, Any]] = [
    {
        "dependency": "protobuf",
        "tensorflow": "<2.10",
        "runtime": "<3.20",
        "symptom": "TypeError: Descriptors cannot be created directly",
        "sources": [
            "https://github.com/tensorflow/tensorflow/releases/tag/v2.9.1 (pins protobuf<3.20)",
            "https://github.com/protocolbuffers/protobuf/issues/10051",
        ],
    },
]

# Distributions that are obsolete (or empty) on a platform, and what replaces them.
DEPRECATED: List[Dict[str, Any]] = [
    {
        "name": "tensorflow-macos",
        "versions": "==2.15.1",
        "platforms": ["macos-arm64"],
        "severity": "error",
        "replacement": "tensorflow",
        "why": "tensorflow-macos 2.15.1 is metadata only: it installs no TensorFlow code at all",
        "sources": [
            "https://pypi.org/project/tensorflow-macos/2.15.1/#files",
            "releases/tensorflow-macos.json (2.15.1 requires itself)",
        ],
    },
    {
        "name": "tensorflow-macos",
        "versions": ">=2.16",
        "platforms": ["macos-arm64"],
        "severity": "warning",
        "replacement": "tensorflow",
        "why": "tensorflow-macos 2.16 is a shim that installs `tensorflow`; no release after "
        "2.16.2",
        "sources": ["https://pypi.org/project/tensorflow-macos/#history"],
    },
    {
        "name": "tensorflow-macos",
        "versions": ">=2.13,<2.15.1",
        "platforms": ["macos-arm64"],
        "severity": "info",
        "replacement": "tensorflow",
        "why": "since 2.13 `tensorflow` is the distribution to install (up to 2.15.0 its arm64 "
        "wheel installs this same build; from 2.15.1 it is the build itself)",
        "sources": [
            "https://blog.tensorflow.org/2023/07/whats-new-in-tensorflow-213-and-keras-213.html",
            "releases/tensorflow.json (first macosx_12_0_arm64 wheel: 2.13.0; the 2.13-2.15.0 "
            "arm64 wheels require tensorflow-macos)",
        ],
    },
    {
        "name": "tensorflow-macos",
        "versions": "<2.13",
        "platforms": ["macos-arm64", "macos-x86_64"],
        "severity": "info",
        "replacement": "tensorflow",
        "why": "tensorflow-macos releases before 2.13 are unmaintained; newer TensorFlow is the "
        "plain `tensorflow` distribution",
        "sources": ["https://developer.apple.com/metal/tensorflow-plugin/"],
    },
    {
        "name": "tensorflow-gpu",
        "versions": ">=0",
        "platforms": None,
        "severity": "warning",
        "replacement": "tensorflow",
        "why": "tensorflow-gpu is deprecated (its last real release is 2.11; 2.12 only refuses to "
        "install); `tensorflow` includes GPU support",
        "sources": [
            "https://github.com/tensorflow/tensorflow/releases/tag/v2.12.0",
            "https://pypi.org/project/tensorflow-gpu/",
        ],
    },
]

# The first pip release that understands a family of wheel platform tags.
PIP_TAG_SUPPORT: List[Dict[str, Any]] = [
    {
        "platforms": ["macos-arm64", "macos-x86_64"],
        "tags": "macosx_11_0 and later",
        "pip": "20.3",
        "source": "https://pip.pypa.io/en/stable/news/#v20-3 (support for macOS Big Sur "
        "compatibility tags, #9138)",
    },
    {
        "platforms": ["linux-x86_64", "linux-aarch64"],
        "tags": "manylinux_2_x (PEP 600)",
        "pip": "20.3",
        "source": "https://pip.pypa.io/en/stable/news/#v20-3 (PEP 600 manylinux tags, #9077)",
    },
    {
        "platforms": ["linux-x86_64", "linux-aarch64"],
        "tags": "manylinux2014",
        "pip": "19.3",
        "source": "https://pip.pypa.io/en/stable/news/#v19-3 (manylinux2014 support, #7102)",
    },
]

# Public reports of tensorflow-metal pairings (outcome of `import tensorflow` with the plugin on
# an Apple Silicon Mac), where the knowledge base has no verdict computed from the binaries.
# Apple's table pairs TF 2.18 with metal 1.1.0 (a row whose features column reads "Fixes
# compatibility with 2.18+ TF versions"), yet 1.1.0 fails to load against 2.18. First match wins.
_BLOG = ("https://github.com/ShapeLayer/blog.jonghyeon.me/blob/main/_posts/"
         "2025-09-11-tensorflow-metal-compatibilities.md (M1, macOS 15.6.1, Python 3.10)")
METAL_REPORTS: List[Dict[str, Any]] = [
    {"tensorflow": ">=2.18,<2.20", "metal": "<=1.1.0", "loads": False,
     "symptom": "NotFoundError: dlopen(libmetal_plugin.dylib): Symbol not found: "
                "__ZN3tsl8internal10LogMessageC1EPKcii",
     "sources": ["https://github.com/tensorflow/tensorflow/issues/81987",
                 "https://github.com/tensorflow/tensorflow/issues/84167", _BLOG]},
    {"tensorflow": "==2.19.0", "metal": "==1.2.0", "loads": True,
     "symptom": None, "sources": [_BLOG]},
    {"tensorflow": ">=2.20", "metal": "<=1.2.0", "loads": False,
     "symptom": "Library not loaded: @rpath/_pywrap_tensorflow_internal.so",
     "sources": [_BLOG, "https://github.com/tensorflow/tensorflow/pull/126380 (tensorflow-metal "
                        "1.2.0 no longer loads with a stock TensorFlow)"]},
]
