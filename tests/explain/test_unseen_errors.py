"""Errors the corpus never showed, answered from what the packages and the traceback say.

Each case is a message a package prints (pip's resolver, CPython's circular-import error, the
glibc loader, LLVM's OpenMP runtime, Colab's restart warning) or a Keras import whose verdict
depends on the release history read from real wheels. Both sides of each boundary are tested.
"""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.clues import read
from keras_doctor.explain.text import clean


def causes(text):
    return [f.cause for f in explain_text(text).findings]


def test_vgg16_is_never_answered_with_upgrade_keras():
    """VGG16 is in the first and the newest Keras: the import failed for another reason."""
    found = causes(
        "ImportError: cannot import name 'VGG16' from 'keras.applications' "
        "(/Users/a/miniforge3/envs/tf/lib/python3.9/site-packages/keras/applications/__init__.py)"
    )
    assert "package-too-old-for-api" not in found
    assert found[0] == "keras-api-moved"  # keras 2.6-2.8 have it only in keras.applications.vgg16
    assert "shadowed-module" in found[:3]


def test_vgg16_verdict_names_where_it_lives_in_the_releases_without_it():
    report = explain_text("ImportError: cannot import name 'VGG16' from 'keras.applications'")
    evidence = report.findings[0].evidence
    assert evidence["absent_in"] == "keras 2.6.0 … 2.8.0"
    assert evidence["moved_to"] == "keras.applications.vgg16"


def test_a_name_added_later_is_still_too_old():
    """The other side: EfficientNetV2 appeared in keras 2.8, so an older Keras lacks it."""
    found = causes("ImportError: cannot import name 'EfficientNetV2B0' from 'keras.applications'")
    assert found[0] == "package-too-old-for-api"


@pytest.mark.parametrize(
    ("required", "expected"),
    [
        ("numpy<1.24,>=1.22", "numpy-abi-mismatch"),
        ("protobuf<3.20,>=3.9.2", "protobuf-mismatch"),
        ("keras<2.14,>=2.13.1", "keras-tf-version-skew"),
        ("wrapt<1.15,>=1.11.0", "requirement-conflict"),
    ],
)
def test_pip_resolver_line_names_the_violated_range(required, expected):
    name = required.split("<")[0]
    text = (
        "ERROR: pip's dependency resolver does not currently take into account all the packages "
        "that are installed. This behaviour is the source of the following dependency conflicts.\n"
        f"tensorflow 2.12.0 requires {required}, but you have {name} 9.9.9 which is incompatible."
    )
    report = explain_text(text)
    top = report.findings[0]
    # pip's line alone: the range violated is what it shows, the package's own cause second;
    # NumPy 2 under a NumPy 1 range certainly breaks every extension, so it stays first
    if expected in ("numpy-abi-mismatch", "requirement-conflict"):
        assert top.cause == expected
    else:
        assert [f.cause for f in report.findings[:2]] == ["requirement-conflict", expected]
        assert top.evidence["nothing_raised"] is True
    assert top.evidence["requirement"] == required
    assert any(required in " ".join(step.command or ()) for step in top.fix)
    # the same line with the failure it brought: that failure's cause first
    raised = explain_text(text + "\nTraceback (most recent call last):\n  File \"train.py\", "
                          "line 1, in <module>\n    import tensorflow as tf\nImportError: boom")
    assert raised.findings[0].cause == expected
    assert "nothing_raised" not in raised.findings[0].evidence


def test_pip_resolver_numpy_older_than_range_is_not_called_newer():
    text = "tensorflow 2.18.0 requires numpy<2.1.0,>=1.26.0, but you have numpy 1.23.5 which is " \
           "incompatible."
    found = explain_text(text).findings
    # nothing imported TensorFlow: the range violated is what the paste shows, the import
    # failure an older numpy brings is what comes next
    assert [f.cause for f in found][:2] == ["requirement-conflict", "numpy-abi-mismatch"]
    assert found[0].evidence["numpy_is_newer"] is False
    assert found[0].evidence["numpy_is_older"] is True
    # voxel51/eta#51: pip 10's wording of the same line, pasted on its own
    pip_10 = ("`tensorflow 1.7.0 has requirement numpy>=1.13.3, but you'll have numpy 1.13.1 "
              "which is incompatible.`")
    assert explain_text(pip_10).findings[0].cause == "requirement-conflict"
    # google/trax#1079: the same line cut before the installed version; the range is there
    cut = ("ERROR: kfac 0.2.3 has requirement tensorflow-probability==0.8, but you'll have "
           "tensorfl")
    first = explain_text(cut).findings[0]
    assert (first.cause, first.evidence["requirement"]) == (
        "requirement-conflict", "tensorflow-probability==0.8")
    whole = explain_text(cut + "ow-probability 0.7.0 which is incompatible.").findings[0]
    assert whole.evidence["installed"] == "tensorflow-probability 0.7.0"
    # with the import failure the older numpy brings, that failure is the answer
    imported = (text + "\nRuntimeError: module compiled against API version 0x10 but this version "
                "of numpy is 0xf\nImportError: numpy.core.multiarray failed to import")
    assert explain_text(imported).findings[0].cause == "numpy-abi-mismatch"
    # inside the range's lower bound it is not older
    newer = text.replace("1.23.5", "2.1.3")
    assert "numpy_is_older" not in explain_text(newer).findings[0].evidence


@pytest.mark.parametrize(("paste", "name", "module"), [
    # yu4u/age-gender-estimation#135: Python 3.6's ImportError names no module, quoted in prose
    ("I'm getting : \"cannot import name 'EfficientNetB0'\"  error from this line of the code: "
     "\"from tensorflow.keras.applications import EfficientNetB0\".\nTensorflow version: 1.13",
     "EfficientNetB0", "tensorflow.keras.applications"),
    # Python 2's wording, without quotes
    ("    from keras.layers.core import Dense, Merge\nImportError: cannot import name Merge",
     "Merge", "keras.layers.core"),
])
def test_a_name_python_did_not_say_where_from_is_read_anywhere_in_the_line(paste, name, module):
    top = explain_text(paste).findings[0]
    assert top.evidence["name"] == name and top.evidence["module"] == module, top.evidence


def test_a_name_from_a_circular_import_is_not_read_as_a_name_missing():
    found = explain_text("ImportError: cannot import name 'Sequential' from partially initialized "
                         "module 'keras' (most likely due to a circular import)").findings
    assert found[0].cause == "shadowed-module"
    assert "keras-api-moved" not in [f.cause for f in found[:2]]


def test_requirement_not_installed_is_a_missing_dependency():
    found = causes("tensorflow 2.5.0 requires keras-nightly~=2.5.0.dev, which is not installed.")
    assert found[0] == "missing-dependency"


@pytest.mark.parametrize("module", ["requests", "random", "tensorflow", "cv2"])
def test_circular_import_through_a_local_file_of_any_name(module):
    text = (
        "Traceback (most recent call last):\n"
        f'  File "/home/ada/project/{module}.py", line 1, in <module>\n'
        f"    import {module}\n"
        f"AttributeError: partially initialized module '{module}' has no attribute 'get' "
        "(most likely due to a circular import)"
    )
    report = explain_text(text)
    assert report.findings[0].cause == "shadowed-module"
    assert report.findings[0].evidence["path"].endswith(f"{module}.py")


def test_circular_import_inside_an_installed_package_is_not_blamed_on_a_file_with_certainty():
    text = (
        '  File "/usr/lib/python3.10/site-packages/keras/__init__.py", line 3, in <module>\n'
        "ImportError: cannot import name 'x' from partially initialized module 'keras' "
        "(most likely due to a circular import) (/usr/lib/python3.10/site-packages/keras/"
        "__init__.py)"
    )
    findings = explain_text(text).findings
    with_local_file = explain_text(
        text.replace("/usr/lib/python3.10/site-packages/keras/__init__.py", "/home/a/keras.py")
    ).findings
    assert findings[0].confidence < with_local_file[0].confidence
    assert {"keras-distributions-overlap", "shadowed-module"} <= {f.cause for f in findings}


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("ImportError: /lib64/libc.so.6: version `GLIBC_2.28' not found (required by /home/u/"
         "venv/lib/python3.9/site-packages/tensorflow/libtensorflow_framework.so.2)",
         "glibc-too-old"),
        ("OMP: Error #15: Initializing libiomp5.dylib, but found libomp.dylib already "
         "initialized.\nOMP: Hint This means that multiple copies of the OpenMP runtime have been "
         "linked into the program.", "openmp-duplicate-runtime"),
        ('  File "/usr/local/lib/python3.7/site-packages/keras/engine/saving.py", line 1004, in '
         "load_weights_from_hdf5_group\n    original_keras_version = f.attrs['keras_version']"
         ".decode('utf8')\nAttributeError: 'str' object has no attribute 'decode'",
         "dependency-too-new"),
        ("keras                    2.6.0\nkeras-nightly            2.7.0.dev2021090807\n"
         "tensorflow               2.6.0", "keras-distributions-overlap"),
        ("WARNING: The following packages were previously imported in this runtime:\n  [numpy]\n"
         "You must restart the runtime in order to use newly installed versions.",
         "kernel-not-restarted"),
    ],
)
def test_new_causes_are_recognised(text, cause):
    assert causes(text)[0] == cause


def test_unrelated_decode_error_is_not_h5py():
    """The other side: a str.decode error in code that loads no model is not blamed on h5py;
    the bare message, in a Keras paste, is h5py 3 under an old Keras, less surely than with the
    loader's frames."""
    unrelated = ('  File "/home/ada/app/parse.py", line 12, in read_token\n'
                 "    return token.decode('utf-8')\n"
                 "AttributeError: 'str' object has no attribute 'decode'")
    assert "dependency-too-new" not in causes(unrelated)[:1]
    bare = "AttributeError: 'str' object has no attribute 'decode'"
    loading = ('  File "/usr/lib/python3.7/site-packages/keras/engine/saving.py", line 224, in '
               "_deserialize_model\n    model_config = json.loads(model_config.decode('utf-8'))\n"
               + bare)
    assert causes(bare)[0] == causes(loading)[0] == "dependency-too-new"
    assert (explain_text(bare).findings[0].confidence
            < explain_text(loading).findings[0].confidence)


def test_keras_applications_attribute_in_keras_2_6_to_2_12_is_not_a_local_file():
    found = causes("AttributeError: module 'keras' has no attribute 'applications'")
    assert found[0] == "keras-api-moved"
    assert "shadowed-module" in found  # still a candidate, second


def test_keras_attribute_bound_in_every_release_points_at_a_local_file():
    found = causes("AttributeError: module 'keras' has no attribute 'Sequential'")
    assert found[0] == "shadowed-module"


def test_initializers_are_known_in_keras_2_6_to_2_12():
    """keras.initializers binds its names with globals().update(...): the atlas must see them."""
    from keras_doctor import knowledge

    atlas = knowledge.load().atlas
    for version in ("2.6.0", "2.8.0", "2.12.0"):
        assert atlas.lookup("keras.initializers", "HeNormal", version) is True
        assert atlas.lookup("keras.initializers", "he_normal", version) is True
    assert atlas.lookup("keras.initializers", "HeNormal", "2.3.1") is False


def test_traceback_clues():
    text = (
        "Traceback (most recent call last):\n"
        '  File "/Users/ada/miniforge3/envs/tf/lib/python3.10/site-packages/deepface/'
        'DeepFace.py", line 12, in <module>\n'
        "    from keras.engine import training\n"
        '  File "/Users/ada/miniforge3/envs/tf/lib/python3.10/site-packages/keras/src/backend/'
        'config.py", line 3, in <module>\n'
        "ModuleNotFoundError: No module named 'keras.engine'"
    )
    cleaned = clean(text)
    clues = read(cleaned.text, cleaned.frames)
    assert (clues.platform, clues.installer, clues.python_version) == ("macos", "miniforge", "3.10")
    assert clues.keras_generation == "keras3"
    assert clues.library == "deepface"
    assert "keras.engine" in clues.imports
    assert clues.kind == "exception"


def test_the_import_statements_a_traceback_shows_in_order():
    from keras_doctor.explain.clues import IMPORT_STATEMENT

    source = ("----> 1 from keras.layers import *\n"
              "      2 import tensorflow.compat.v1 as tf\n"
              "  3 from keras_applications.imagenet_utils import (\n      _obtain_input_shape)\n"
              "    result = from_config(x)  # not a statement\n")
    assert [m.groups() for m in IMPORT_STATEMENT.finditer(source)] == [
        ("keras.layers", "*", None),
        (None, None, "tensorflow.compat.v1"),
        ("keras_applications.imagenet_utils", "_obtain_input_shape", None),
    ]
    assert read(source, []).imports == [
        "keras.layers", "tensorflow.compat.v1", "keras_applications.imagenet_utils"]


@pytest.mark.parametrize(
    ("path", "platform", "installer"),
    [
        (r"C:\Users\ada\AppData\Local\Programs\Python\Python311\Lib\site-packages\keras\x.py",
         "windows", "python.org"),
        ("/usr/local/lib/python3.10/dist-packages/keras/x.py", "linux", "colab"),
        ("/home/ada/.pyenv/versions/3.9.7/lib/python3.9/site-packages/keras/x.py", "linux",
         "pyenv"),
        ("/opt/homebrew/lib/python3.11/site-packages/keras/x.py", "macos", "homebrew"),
        ("/home/ada/anaconda3/lib/python3.8/site-packages/keras/x.py", "linux", "anaconda"),
    ],
)
def test_path_styles_tell_platform_and_installer(path, platform, installer):
    text = f'Traceback (most recent call last):\n  File "{path}", line 1, in <module>\nValueError: '
    cleaned = clean(text)
    clues = read(cleaned.text, cleaned.frames)
    assert (clues.platform, clues.installer) == (platform, installer)


def test_platform_in_the_frames_weakens_a_cause_of_another_platform():
    windows = (
        'File "C:\\Users\\a\\venv\\Lib\\site-packages\\tensorflow\\python\\x.py", line 2\n'
        "Symbol not found: _OBJC_CLASS_$_MTLDevice"
    )
    mac = windows.replace("C:\\Users\\a\\venv\\Lib", "/Users/a/venv/lib/python3.11")
    win_report = explain_text(windows).findings
    mac_report = explain_text(mac).findings
    assert win_report[0].confidence < mac_report[0].confidence
    assert "weakened_by" in win_report[0].evidence


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("AttributeError: module 'tensorflow' has no attribute 'Session'", "tf1-api-under-tf2"),
        ('  File "/usr/lib/python3.7/site-packages/keras/backend/tensorflow_backend.py", line 68\n'
         "AttributeError: module 'tensorflow' has no attribute 'get_default_graph'",
         "keras-tf-version-skew"),
        ("ValueError: numpy.ndarray size changed, may indicate binary incompatibility. Expected 88 "
         "from C header, got 80 from PyObject", "numpy-abi-mismatch"),
        # numpy 1.20 changed what TensorFlow <= 2.4's Python code relies on: no binary at fault
        ("NotImplementedError: Cannot convert a symbolic Tensor (lstm/strided_slice:0) to a numpy "
         "array.", "dependency-too-new"),
        ("AttributeError: 'KerasTensor' object has no attribute 'node'", "keras3-legacy-code"),
    ],
)
def test_well_known_messages_without_a_report_in_the_corpus(text, cause):
    assert causes(text)[0] == cause


def test_tensorflow_1_name_under_keras_2_3_is_version_skew_but_in_user_code_tf1_code():
    """Both sides: the same missing tf.get_default_graph, called by Keras <= 2.3 or by user code."""
    user = causes("AttributeError: module 'tensorflow' has no attribute 'get_default_graph'")
    assert user[0] == "tf1-api-under-tf2" and "keras-tf-version-skew" in user


def test_symbolic_tensor_fix_pins_the_numpy_tensorflow_2_4_declares():
    top = explain_text("NotImplementedError: Cannot convert a symbolic Tensor (x:0) to a numpy "
                       "array.").findings[0]
    assert top.fix[0].command[-1] == "numpy<1.20"


def test_frames_inside_the_installed_package_rule_out_a_local_file_of_its_name():
    bare = "AttributeError: module 'tensorflow' has no attribute 'keras'"
    assert causes(bare)[0] == "shadowed-module"
    framed = ('  File "/Users/a/venv/lib/python3.6/site-packages/tensorflow/python/platform/'
              'app.py", line 43, in run\n    sys.exit(main(sys.argv[:1] + flags_passthrough))\n'
              + bare)
    found = explain_text(framed).findings
    assert found[0].cause == "package-too-old-for-api"
    shadow = next(f for f in found if f.cause == "shadowed-module")
    assert "installed tensorflow" in shadow.evidence["weakened_by"][0]


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("Numpy version error compiled with API 0x10 installed 0xf", "numpy-abi-mismatch"),
        ("[libprotobuf FATAL google/protobuf/message_lite.cc:353] CHECK failed: target + size == "
         "res:\nlibc++abi: terminating due to uncaught exception of type "
         "google::protobuf::FatalException", "metal-plugin-mismatch"),
        ("tensorflow.python.framework.errors_impl.NotFoundError: /usr/lib/python3.10/"
         "site-packages/tensorflow_text/python/ops/_regex_split_ops.so: undefined symbol: "
         "_ZN10tensorflow6Status",
         "extension-built-against-another-tensorflow"),
    ],
)
def test_native_library_messages_name_the_library_that_mismatches(text, cause):
    assert causes(text)[0] == cause


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("ModuleNotFoundError: No module named 'tensorflow'", "missing-dependency"),
        ("I installed TensorFlow with pip but the Jupyter notebook says\n"
         "ModuleNotFoundError: No module named 'tensorflow'", "wrong-interpreter"),
    ],
)
def test_a_missing_framework_the_user_installed_is_another_interpreter(text, first):
    assert causes(text)[0] == first


def test_no_tensorflow_wheel_on_an_apple_silicon_mac_is_the_platform():
    text = ("(venv) ada@Adas-MacBook-Air ml % pip install tensorflow\nERROR: Could not find a "
            "version that satisfies the requirement tensorflow\nERROR: No matching distribution "
            "found for tensorflow")
    assert causes(text)[0] == "no-wheel-for-platform"
    assert causes(text.replace("Adas-MacBook-Air", "host"))[0] == "no-wheel-for-python"


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("ImportError: cannot import name 'keras' from 'tensorflow' (unknown location)",
         "tf-distributions-overlap"),
        ("ImportError: libcudart.so.11.0: cannot open shared object file: No such file or "
         "directory", "missing-dependency"),
    ],
)
def test_half_uninstalled_packages_and_missing_native_libraries(text, cause):
    assert cause in causes(text)[:2]


# pip's resolver lines from real reports (hangul-recognition#40: pip < 20.3's post-install
# check; wifite2#156: pip >= 20.3's resolver): a numpy above TensorFlow's range on the same side
# of NumPy 2.0 breaks no binary (1.x is ABI backward compatible), so the conflict is the finding
_NUMPY_1X_ABOVE_RANGE = [
    "tensorflow 1.10.0 has requirement numpy<=1.14.5,>=1.13.3, but you'll have numpy 1.15.0 "
    "which is incompatible.",
    "ERROR: pip's dependency resolver does not currently take into account all the packages "
    "that are installed. This behaviour is the source of the following dependency conflicts.\n"
    "tensorflow 2.12.0 requires numpy<1.24,>=1.22, but you have numpy 1.24.0 which is "
    "incompatible.",
]


@pytest.mark.parametrize("text", _NUMPY_1X_ABOVE_RANGE)
def test_numpy_1x_above_the_range_is_a_requirement_conflict_not_an_abi_break(text):
    report = explain_text(text)
    found = [f.cause for f in report.findings]
    assert found[0] == "requirement-conflict"
    assert "numpy-abi-mismatch" not in found[:2]
    assert report.findings[0].evidence["same_numpy_abi"] is True


@pytest.mark.parametrize("have", ["2.0.0", "2.1.3"])
def test_numpy_2_above_a_numpy_1_range_is_still_the_abi_break(have):
    """The other side of the boundary: NumPy 2 under a range below 2.0 is the ABI break."""
    text = ("tensorflow 2.12.0 requires numpy<1.24,>=1.22, but you have numpy " + have +
            " which is incompatible.")
    assert causes(text)[0] == "numpy-abi-mismatch"


def test_numpy_1x_above_the_range_with_the_abi_banner_is_the_abi_break():
    """NumPy's own import error beside the resolver line: a binary did fail."""
    text = (_NUMPY_1X_ABOVE_RANGE[1] + "\nRuntimeError: module compiled against API version "
            "0x10 but this version of numpy is 0xf\nImportError: numpy.core.multiarray failed "
            "to import")
    assert causes(text)[0] == "numpy-abi-mismatch"


# pip-tools' NoCandidateFound (piptools/exceptions.py), as pipenv's lock printed it in real
# reports (ml-class#40, keras#11193, pipenv#1716) and pip-compile in a blog's urllib3 upgrade
@pytest.mark.parametrize("text", [
    "[pipenv.exceptions.ResolutionFailure]: Warning: Your dependencies could not be resolved. "
    "You likely have a mismatch in your sub-dependencies.\n"
    "ERROR: ERROR: Could not find a version that matches keras-applications==1.0.2,>=1.0.6",
    "Could not find a version that matches keras-applications==1.0.4,>=1.0.5",
    "Could not find a version that matches html5lib!=1.0b1,!=1.0b2,!=1.0b3,!=1.0b4,!=1.0b5,"
    "!=1.0b6,!=1.0b7,!=1.0b8,==1.0b8,>=0.99999999pre",
    "Could not find a version that matches\nurllib3<1.24,<1.25,<2.0,>=1.20,>=1.21.1,>=1.24.2,"
    ">=1.8",
])
def test_a_merged_specifier_no_version_satisfies_is_a_requirement_conflict(text):
    report = explain_text(text)
    top = report.findings[0]
    assert top.cause == "requirement-conflict"
    assert "no_version_satisfies_every_range" in top.evidence


def test_a_merged_specifier_some_version_satisfies_is_not_called_contradictory():
    report = explain_text("Could not find a version that matches tensorflow>=2.16,<2.17")
    assert report.findings[0].cause == "requirement-conflict"
    assert "no_version_satisfies_every_range" not in report.findings[0].evidence


@pytest.mark.parametrize(("specifier", "contradictory"), [
    (">=1.0,<1.0", True), (">=1.0,<=1.0", False), (">1.0,<=1.0", True), (">1.0,<1.1", False),
    ("==1.0.4,>=1.0.5", True), ("==1.0.5,>=1.0.5", False), ("==1.0.5,!=1.0.5", True),
    (">=1.24.2,<1.24", True), (">=1.22,<1.24", False),
])
def test_which_merged_specifiers_no_version_satisfies(specifier, contradictory):
    from packaging.specifiers import SpecifierSet

    from keras_doctor.explain.resolve import _self_contradictory

    assert _self_contradictory(SpecifierSet(specifier)) is contradictory


# The import-time check TensorFlow's add-ons share (_ensure_tf_install): real reports of TFP
# (probability#1854, Poisson_flow#6, probability#850) and the wording TF Addons, TF Datasets and
# TF Agents print from the same code
@pytest.mark.parametrize(("text", "requirement", "requirer"), [
    ("E   ImportError: This version of TensorFlow Probability requires TensorFlow version >= "
     "2.18; Detected an installation of version 2.16.2. Please upgrade TensorFlow to proceed.",
     "tensorflow>=2.18", "tensorflow-probability"),
    ("ImportError: This version of TensorFlow Probability requires TensorFlow version >= 2.10; "
     "Detected an installation of version 2.9.0. Please upgrade TensorFlow to proceed.",
     "tensorflow>=2.10", "tensorflow-probability"),
    ("ImportError: This version of TensorFlow Addons requires TensorFlow version >= 2.1.0; "
     "Detected an installation of version 1.15.0. Please upgrade TensorFlow to proceed.",
     "tensorflow>=2.1.0", "tensorflow-addons"),
    ("ImportError: This version of TensorFlow Datasets requires TensorFlow version >= 1.13.0; "
     "Detected an installation of version 1.12.0. Please upgrade TensorFlow to proceed.",
     "tensorflow>=1.13.0", "tensorflow-datasets"),
    ("ImportError: This version of TF Agents requires TensorFlow version >= 1.11.0; Detected "
     "an installation of version 1.10.0. Please upgrade TensorFlow to proceed.",
     "tensorflow>=1.11.0", "tf-agents"),
])
def test_an_add_on_refusing_an_older_tensorflow_is_a_requirement_conflict(text, requirement,
                                                                           requirer):
    top = explain_text(text).findings[0]
    assert top.cause == "requirement-conflict"
    assert (top.evidence["requirement"], top.evidence["requirer"]) == (requirement, requirer)
    assert any(requirement in " ".join(step.command or ()) for step in top.fix)
    assert any(f"the {requirer} release made for the installed" in step.description
               for step in top.fix)


def test_the_same_check_without_tensorflow_is_a_missing_dependency():
    """_ensure_tf_install's other branch: TensorFlow is not installed at all."""
    found = causes("    import tensorflow as tf\nModuleNotFoundError: No module named 'tensorflow'")
    assert found[0] != "requirement-conflict"


# Resolvers that explain the conflict they proved: uv's own snapshot tests (astral-sh/uv) and uv
# output quoted in public projects; conda's UnsatisfiableError (conda/exceptions.py)
@pytest.mark.parametrize("text", [
    "error: Because black==24.1.1 depends on packaging>=22.0 and you require black==24.1.1, we "
    "can conclude that you require packaging>=22.0.\nAnd because you require packaging==0.0.1, "
    "we can conclude that your requirements are unsatisfiable.",
    "  × No solution found when resolving dependencies:\n  ╰─▶ Because torch==2.0.0 depends on "
    "numpy>=1.20 and you require torch==2.0.0,\n      numpy>=1.20 is required.\n      And "
    "because opencv-python==4.8.0 depends on numpy<1.20 and you require opencv-python==4.8.0,\n"
    "      we can conclude that your requirements are unsatisfiable.",
    "╰─▶ Because a==0.1.0 depends on c==0.1.0 and b==0.1.0 depends on c==0.2.0, we can conclude "
    "that a==0.1.0 and b==0.1.0 are incompatible.\n    And because you require a==0.1.0 and "
    "b==0.1.0, we can conclude that your requirements are unsatisfiable.",
    "UnsatisfiableError: The following specifications were found\nto be incompatible with each "
    "other:\n\nOutput in format: Requested package -> Available versions",
])
def test_a_resolver_explaining_two_ranges_that_meet_head_on_is_a_requirement_conflict(text):
    report = explain_text(text)
    assert report.findings[0].cause == "requirement-conflict"
    assert hypotheses_signatures(text)[0] == "resolver-conflict-explained"


@pytest.mark.parametrize("text", [
    # uv's snapshot tests: nothing to install, not two requirements in conflict
    "error: No solution found when resolving dependencies\n  cause: Because iniconfig was not "
    "found in the provided package locations and you require iniconfig, we can conclude that "
    "your requirements are unsatisfiable.",
    "Because only pfsmgraph-dataseq==0.0.0 is available and you require pfsmgraph-dataseq>=0.1, "
    "we can conclude that your requirements are unsatisfiable.",
])
def test_a_resolver_naming_a_missing_release_is_not_called_a_conflict(text):
    assert "resolver-conflict-explained" not in hypotheses_signatures(text)


def hypotheses_signatures(text):
    from keras_doctor.explain.engine import hypotheses

    return [s for h in hypotheses(text)[1] for s in h.signatures]


# hkust-vgd/shellnet#6: the code calls tf.py_function, first in a release after the 1.9.0 the
# reporter names; the wheels read for TensorFlow's API start at 1.13.1, where every release has it
_PY_FUNCTION = ("AttributeError: module 'tensorflow' has no attribute 'py_function',can you help "
                "me?")


@pytest.mark.parametrize(("named", "first"), [
    ("I use the tf=1.9.0,when i run the code train_cls.py, ", "package-too-old-for-api"),
    ("TensorFlow 1.12.3\n", "package-too-old-for-api"),
    ("tf 1.9 at first, now TF 1.12.3\n", "package-too-old-for-api"),
    # from the first release the wheels were read from on, a name every release has is missing
    # only when the module imported is not TensorFlow
    ("TensorFlow 1.13.1\n", "shadowed-module"),
    ("tensorflow==2.3.0\n", "shadowed-module"),
    ("", "shadowed-module"),
    # one named release the table read is enough to say the name should be there
    ("tf 1.9 at first, now TF 2.4.1\n", "shadowed-module"),
])
def test_a_top_level_name_of_every_sampled_release_under_an_older_tensorflow(named, first):
    found = explain_text(named + _PY_FUNCTION).findings
    assert found[0].cause == first
    other = {"package-too-old-for-api": "shadowed-module"}.get(first)
    if other:
        assert other in [f.cause for f in found[1:3]]
        evidence = found[0].evidence
        assert evidence["first_release"] == "tensorflow 1.13.1 at the latest"
        assert evidence["pin"] == "tensorflow>=1.13.1" and evidence["module"] == "tensorflow"
        assert evidence["tensorflow_named"] in ("1.9.0", "1.12.3", "1.12.3, 1.9")
        shadowing = next(f for f in found if f.cause == "shadowed-module")
        assert shadowing.evidence["module"] == "tensorflow"
        assert shadowing.evidence["missing"] == "py_function"
        assert "pypi.org/project/tensorflow" in evidence["source"]
        # the table cannot vouch for the release, so it is a likelier answer, not a certain one
        assert found[0].confidence < 0.9
        # Keras's releases decide nothing about TensorFlow's top level
        assert not found[0].fix[0].description.startswith("First tell it from")


@pytest.mark.parametrize(("text", "named"), [
    ("I use the tf=1.9.0,when i run", ["1.9.0"]),
    ("Tensorflow version: 1.13", ["1.13"]),
    ("tensorflow-gpu 1.12 and TF 2.4.1", ["1.12", "2.4.1"]),
    ("x = tf.py_function(f)", []),
    ("tensorflow_core/python/__init__.py", []),
])
def test_the_tensorflow_releases_a_paste_names_in_any_words(text, named):
    from keras_doctor.explain.clues import named_tensorflow_versions

    assert named_tensorflow_versions(text) == named


# jeffheaton/t81_558_deep_learning#168 (TensorFlow 2.13 on an M1), WeightWatcher#258: install
# checks printing tf.keras.__version__, which keras 2.13's generated tf.keras API stopped binding
def test_tf_keras_version_is_an_attribute_tensorflow_213_removed():
    top = explain_text("---> 12 print(f\"Keras Version: {tensorflow.keras.__version__}\")\n\n"
                       "AttributeError: module 'tensorflow.keras' has no attribute "
                       "'__version__'").findings[0]
    assert top.cause == "code-uses-removed-tensorflow-api"
    assert top.evidence["gone_in"].startswith("tensorflow 2.13")
    assert top.fix[0].command[-1] == "tensorflow<2.13"
    assert "keras.__version__" in top.fix[-1].description
    # the standalone package's own __version__ is in every release: not what was removed
    assert explain_text("AttributeError: module 'keras' has no attribute '__version__'"
                        ).findings[0].cause != "code-uses-removed-tensorflow-api"


@pytest.mark.parametrize(("named", "first"), [
    # yangsong's neurite#43, tensorflow/tensorflow#38187: tf.keras before the API table's releases
    ("Hi, I use tensorflow 1.4 with kears 2.1.3 and always get ", "package-too-old-for-api"),
    ("tensorflow 1.5.0\n", "package-too-old-for-api"),
    ("tensorflow==2.3.0\n", "keras-api-moved"),
    ("", "keras-api-moved"),
])
def test_a_tensorflow_submodule_under_a_release_older_than_the_table(named, first):
    found = explain_text(named + "ModuleNotFoundError: No module named 'tensorflow.keras'"
                         ).findings
    assert found[0].cause == first
    if first == "package-too-old-for-api":
        assert found[0].evidence["name"] == "tf.keras"



@pytest.mark.parametrize(("have", "specifier", "below"), [
    ("1.13.1", ">=1.13.3", True),
    ("1.13.3", ">=1.13.3", False),
    ("1.13.3", ">1.13.3", True),
    ("1.13.4", ">1.13.3", False),
    ("1.19.5", "~=1.21.0", True),
    ("1.21.6", "~=1.21.0", False),
    ("1.23.5", "==1.24.3", True),
    ("1.24.3", "==1.24.3", False),
    ("1.19.5", "==1.24.*", False),  # a wildcard pin names no single lower bound
    ("1.13.1", "==1.24.*,>=1.13.3", True),  # ... and hides no other bound
    ("1.19.5", "<2.0", False),  # an upper bound alone: never below
    ("1.19.5", "not a specifier", False),
])
def test_below_range_reads_only_lower_bounds(have, specifier, below):
    from packaging.version import Version

    from keras_doctor.explain import resolve

    assert resolve._below_range(Version(have), specifier) is below


@pytest.mark.parametrize("missing", ["keras.losses", "tensorflow"])
def test_only_a_tensorflow_submodule_is_judged_by_the_top_level_table(missing):
    # keras.losses is no TensorFlow module although tf.losses is a TensorFlow name; a missing
    # `tensorflow` itself has no submodule to judge
    found = explain_text(f"tensorflow 1.5.0\nModuleNotFoundError: No module named '{missing}'"
                         ).findings
    assert found
    assert all(f.evidence.get("name") not in ("tf.losses", "tf.") for f in found)
    assert found[0].cause != "package-too-old-for-api"


@pytest.mark.parametrize("module", ["keras", "numpy"])
def test_only_tensorflows_own_names_are_judged_by_its_api_table(module):
    # Keras's and NumPy's names every release has: an old TensorFlow named beside them says
    # nothing of them
    name = {"keras": "layers", "numpy": "array"}[module]
    found = explain_text(f"tensorflow 1.5.0\nAttributeError: module '{module}' has no attribute "
                         f"'{name}'").findings
    assert found[0].cause != "package-too-old-for-api"
    assert all(f.evidence.get("name") != f"tf.{name}" for f in found)


def test_pips_resolution_impossible_names_what_it_could_not_install_together():
    text = ("ERROR: Cannot install tensorflow==2.15.0 and keras==3.0.0 because these package "
            "versions have conflicting dependencies.")
    top = explain_text(text).findings[0]
    assert top.cause == "requirement-conflict"
    assert top.evidence["conflicting"] == "tensorflow==2.15.0 and keras==3.0.0"
