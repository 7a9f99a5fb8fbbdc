"""The message atlas: what packages can print, read from their wheels, and recognised in a paste.

The extraction is tested on source written here in each style packages use (f-strings, `%`,
`.format`, a message built before the raise, warnings, loggers, C `PyErr_Format`, strings in a
binary); the shipped atlas is tested for coverage and size; recognition is tested on messages the
packages print that no signature was written for.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from keras_doctor.explain import explain_text, messages
from keras_doctor.knowledge.build.messages import HOLE, PACKAGES, Package, messages_of

PY = Package("demo", ("demo",), ("1.0",))


def extracted(path: str, source: str, package: Package = PY):
    return {template for _, template in messages_of(path, source.encode(), package)}


def test_python_raise_sites_in_every_templating_style():
    source = textwrap.dedent('''
        import logging, warnings
        logger = logging.getLogger(__name__)
        def f(x, name):
            if x:
                raise ValueError(f"Layer {name} expects 2 inputs, but it received {x} tensors")
            raise ImportError("numpy %s is required, found %s" % (1, 2))
        def g(name):
            msg = "Could not interpret optimizer identifier: "
            msg += str(name)
            raise TypeError(msg)
        def h(v):
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.")
            logger.error("Failed to load the plugin {}: {}".format(v, v))
            raise RuntimeError("plain " + v + " suffix of a message")
    ''')
    found = extracted("demo/x.py", source)
    assert f"Layer {HOLE} expects 2 inputs, but it received {HOLE} tensors" in found
    assert f"numpy {HOLE} is required, found {HOLE}" in found
    assert f"Could not interpret optimizer identifier: {HOLE}" in found
    assert "The `lr` argument is deprecated, use `learning_rate` instead." in found
    assert f"Failed to load the plugin {HOLE}: {HOLE}" in found
    assert f"plain {HOLE} suffix of a message" in found


def test_c_errors_and_binary_strings():
    header = ('if (NPY_VERSION != PyArray_GetNDArrayCVersion()) {\n'
              '  PyErr_Format(PyExc_RuntimeError, "module compiled against "\n'
              '      "ABI version 0x%x but this version of numpy is 0x%x", \\\n'
              '      (int) NPY_VERSION, (int) PyArray_GetNDArrayCVersion());')
    assert (f"module compiled against ABI version 0x{HOLE} but this version of numpy is 0x{HOLE}"
            in extracted("demo/api.h", header))
    binary = (b"\x00\x01garbage\x00The TensorFlow library was compiled to use AVX instructions, "
              b"but these aren't available on your machine.\x00_ZN10tensorflow4OpKernelD2Ev\x00"
              b"Enable the use of AVX instructions when it is not needed at all\x00")
    found = extracted("demo/lib.so", binary.decode("latin-1"))
    assert any("aren't available on your machine" in t for t in found)
    assert not any("_ZN10" in t or t.startswith("Enable") for t in found)


def test_the_shipped_atlas_covers_every_package_compactly():
    path = messages.DATA
    assert path.stat().st_size < 1_500_000
    document = json.loads(path.read_text(encoding="utf-8"))
    wanted = {"tensorflow", "keras", "tf-keras", "numpy", "pip", "h5py", "protobuf", "ml-dtypes",
              "tensorflow-metal", "tensorflow-hub", "jax", "torch"}
    assert wanted <= set(document["packages"]) == {p.distribution for p in PACKAGES}
    printed = {document["packages"][int(part.split(":")[0])]
               for row in document["messages"] for part in row[4].split(";")}
    assert wanted <= printed
    assert all(len(v) >= 2 for v in document["versions"].values())  # across versions


@pytest.mark.parametrize(
    ("line", "package", "cause"),
    [
        ("2024-03-01 10:00:00.000000: E tensorflow/core/framework/op_kernel.cc:1] Error while "
         "registering FusedBatchMatMulV2 kernel", "tensorflow-metal", "metal-plugin-mismatch"),
        ("ImportError: Could not import tensorflow. Do not import tensorflow from its source "
         "directory; change directory to outside the TensorFlow source tree, and relaunch your "
         "Python interpreter from there.", "tensorflow", "shadowed-module"),
        ("F external/local_tsl/tsl/platform/cpu_feature_guard.cc:42] The TensorFlow library was "
         "compiled to use AVX instructions, but these aren't available on your machine.",
         "tensorflow", "cpu-lacks-avx"),
    ],
)
def test_a_message_the_package_prints_is_recognised_without_a_signature(line, package, cause):
    found = messages.find(line)
    assert found and package in found[0][0].releases
    report = explain_text(line)
    assert report.findings[0].cause == cause
    assert package in report.findings[0].evidence["printed_by"]
    matched = report.findings[0].evidence["matched"]
    assert matched and matched in line  # the line it recognised, quoted


def test_informational_start_up_lines_explain_nothing():
    line = ("I tensorflow/core/platform/cpu_feature_guard.cc:182] This TensorFlow binary is "
            "optimized to use available CPU instructions in performance-critical operations.")
    assert messages.causes_of(line) == []


@pytest.mark.parametrize("line", [
    "AttributeError: module 'keras' has no attribute 'applications'",
    "ImportError: cannot import name 'VGG16' from 'keras.applications'",
])
def test_python_s_own_messages_name_no_printer(line):
    """CPython's generic messages, re-raised by many packages, must not be pinned on one."""
    assert messages.find(line) == []


@pytest.mark.slow
def test_a_real_wheel_yields_the_messages_its_code_raises():
    """tensorflow-hub 0.16.1 from the index, read statically (a 100 kB wheel)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent))
    from envs import REAL_HOME

    from keras_doctor.knowledge.build.fetch import Fetcher
    from keras_doctor.knowledge.build.messages import read_release

    hub = next(p for p in PACKAGES if p.distribution == "tensorflow-hub")
    cache = REAL_HOME / ".cache" / "keras-doctor" / "build-cache"
    fetcher = Fetcher(cache, progress=lambda message: None)
    source, found = read_release(fetcher, hub, "0.16.1", [])
    assert source == "tensorflow_hub-0.16.1-py2.py3-none-any.whl"
    templates = {template for _, template in found}
    assert any(t.startswith("Can only generate a valid config for `hub.KerasLayer(handle, ...)`")
               for t in templates)
    assert all(path.startswith("tensorflow_hub/") for path in found.values())


def test_a_message_cut_inside_its_last_hole_is_still_recognised():
    """An issue title stops at ~250 characters: Keras 3's Sequential refusing a tf_hub layer,
    cut inside its `(of type …)`, loses only the closing bracket, and is still the message
    keras/src/models/sequential.py prints."""
    cases = Path(__file__).parent / "corpus" / "cases.jsonl"
    text = next(json.loads(line)["text"] for line in cases.read_text().splitlines()
                if '"tf-deep-learning-668-hub-keraslayer-keras3"' in line)
    found = messages.find(text)
    assert found and found[0][0].file == "keras/src/models/sequential.py"


def test_a_one_hole_message_cut_inside_its_hole_is_still_recognised():
    """The bracket closing a message's only hole is as optional as after its last of many:
    Keras's message, cut where a title stops, is still Keras's."""
    cut = ("ValueError: Array inputs to associative_scan must have the same first dimension. "
           "(saw: [3, 4]")
    found = messages.find(cut)
    assert found and found[0][0].file == "keras/src/backend/numpy/core.py"


def test_only_a_closing_mark_after_the_last_hole_may_be_cut():
    atlas = messages.load()
    rows = {row[1]: index for index, row in enumerate(atlas.rows)}
    cut = ("Invalid `floatx` configuration. Expected one of {'float16'}. Received: floatx=float8")
    index = rows["Invalid `floatx` configuration. Expected one of …. Received: floatx=…"]
    # (its last part is the hole itself; patterns read lines as `find` gives them, backticks off)
    assert atlas.pattern(index).search(messages.bare(cut))
    worded = next(t for t in rows if t.endswith("has no defined output shape.") and "…" in t)
    assert not atlas.pattern(rows[worded]).search(
        'The layer "dense" has never been called and thus has no defined output')


def test_c_literals_join_across_continuations_and_macros():
    """The C compiler joins adjacent literals whatever separates them: whitespace, the
    backslash-newline of a multi-line macro, or a macro that expands to a literal — the way
    numpy's `__multiarray_api.h` writes its ABI and C-API banners."""
    header = ('  PyErr_Format(PyExc_RuntimeError, "module compiled against "\\\n'
              '         "ABI version 0x%x but this version of numpy is 0x%x", \\\n'
              '         (int) NPY_VERSION, (int) PyArray_GetNDArrayCVersion());\n'
              '  PyErr_Format(PyExc_RuntimeError,\n'
              '         "module was compiled against NumPy C-API version 0x%x "\n'
              '         "(NumPy " NPY_FEATURE_VERSION_STRING ") "\n'
              '         "but the running NumPy has C-API version 0x%x.", a, b);\n'
              '  PyErr_Format(PyExc_ValueError, "array of %" NPY_INTP_FMT " items is too large'
              ' to \\\ncopy here", n);\n'
              '  PyErr_Format(PyExc_TypeError, "argument %s must be an array", name, "unused");')
    found = extracted("demo/api.h", header)
    assert (f"module compiled against ABI version 0x{HOLE} but this version of numpy is 0x{HOLE}"
            in found)
    assert (f"module was compiled against NumPy C-API version 0x{HOLE} (NumPy {HOLE}) but the "
            f"running NumPy has C-API version 0x{HOLE}." in found)
    assert f"array of {HOLE} items is too large to copy here" in found
    # a literal among the call's later arguments is an argument, not more message
    assert f"argument {HOLE} must be an array" in found
    assert not any("unused" in template for template in found)


def test_a_multi_line_message_is_kept_whole_and_line_by_line():
    """numpy 2's banner is a dedented f-string over several lines; a pasted traceback keeps its
    line breaks, and the matcher compares lines."""
    source = textwrap.dedent('''
        import textwrap
        def __getattr__(name):
            msg = textwrap.dedent(f"""
                A module that was compiled using NumPy 1.x cannot be run in
                NumPy {name} as it may crash. To support both 1.x and 2.x
                versions of NumPy, modules must be compiled with NumPy 2.0.
                """)
            raise ImportError(msg)
        def one_line():
            raise ValueError("a single line message that stays whole".strip())
    ''')
    found = extracted("demo/_multiarray_umath.py", source)
    assert "A module that was compiled using NumPy 1.x cannot be run in" in found
    assert f"NumPy {HOLE} as it may crash. To support both 1.x and 2.x" in found
    assert any(t.startswith("A module that was compiled using NumPy 1.x cannot be run in NumPy")
               for t in found)
    assert "a single line message that stays whole" in found
    assert len([t for t in found if "single line" in t]) == 1


def _report(case_id: str) -> str:
    cases = Path(__file__).parent / "corpus" / "cases.jsonl"
    return next(json.loads(line)["text"] for line in cases.read_text().splitlines()
                if f'"{case_id}"' in line)


@pytest.mark.parametrize(("case_id", "package", "file", "cause"), [
    # numpy 2's Python shim for numpy.core._multiarray_umath prints the banner
    ("spyder-23561-numpy202-banner", "numpy", "_multiarray_umath.py", "numpy-abi-mismatch"),
    # numpy 1.x's import_array (a header every extension compiles in) prints the C-API banner
    ("tf-23071-numpy-api-0xc-0xa", "numpy", "__multiarray_api.h", "numpy-abi-mismatch"),
    ("magenta-2033-m1-numpy-api-0xf-0xe", "numpy", "__multiarray_api.h", "numpy-abi-mismatch"),
    # protobuf 4.21's upb `_message` refuses descriptors made by _pb2 files from an older protoc
    ("tfodcourse-122-protobuf-4-descriptors", "protobuf", "_message", "protobuf-mismatch"),
])
def test_the_atlas_alone_recognises_banners_of_real_reports(case_id, package, file, cause):
    text = _report(case_id)
    found = messages.find(text)
    printers = [printed for printed, _ in found if package in printed.releases]
    assert any(file in printed.file for printed in printers)
    assert cause in [c for c, *_ in messages.causes_of(text)]


def test_protobuf_4_21_s_wording_is_printed_by_4_21_only():
    """4.21 said "cannot not be created"; later releases fixed the wording: both are in the
    atlas, each with the releases that print it."""
    line = "TypeError: Descriptors cannot not be created directly."
    found = messages.find(line)
    assert found and found[0][0].releases.get("protobuf") == ["4.21.12"]
    fixed = messages.find("TypeError: Descriptors cannot be created directly.")
    assert fixed and "4.21.12" not in fixed[0][0].releases.get("protobuf", [])


def test_numpy_s_endianness_check_is_not_an_abi_mismatch():
    """The same header prints "module compiled as little endian …": a look-alike of the ABI banner
    that says nothing about NumPy's version."""
    line = ("RuntimeError: FATAL: module compiled as little endian, but detected different "
            "endianness at runtime")
    assert messages.find(line)
    assert "numpy-abi-mismatch" not in [c for c, *_ in messages.causes_of(line)]


@pytest.mark.parametrize(("line", "cause"), [
    # the version checks: generated code from another protoc than the runtime accepts
    ("TypeError: Descriptors cannot be created directly.", "protobuf-mismatch"),
    ("TypeError: Descriptors cannot not be created directly.", "protobuf-mismatch"),
    # a parse error: the bytes or the file, not the versions (protobuf's C++ message module)
    ("google.protobuf.message.DecodeError: Error parsing message with type 'tensorflow.GraphDef'",
     None),
])
def test_protobuf_s_rule_names_only_its_version_checks(line, cause):
    """protobuf prints thousands of messages; only its version checks say the versions clash."""
    assert messages.find(line)
    assert [c for c, *_ in messages.causes_of(line)] == ([cause] if cause else [])


def test_c_warnings_are_read_with_their_message_one_argument_later():
    """PyErr_WarnFormat puts a stack level before its format and PyErr_WarnEx after its message
    (https://docs.python.org/3/c-api/exceptions.html#issuing-warnings). CPython's own check of an
    extension's C API (Objects/moduleobject.c, PyModule_Create2) as it is written; a WarnEx with a
    literal; numpy's DEPRECATE macro (numpy/_core/include/numpy/ndarrayobject.h), whose message is
    a parameter, gives nothing."""
    source = ('        err = PyErr_WarnFormat(PyExc_RuntimeWarning, 1,\n'
              '            "Python C API version mismatch for module %.100s: "\n'
              '            "This Python has API version %d, module %.100s has version %d.",\n'
              '             name,\n'
              '             PYTHON_API_VERSION, name, module_api_version);\n'
              '#define DEPRECATE(msg) PyErr_WarnEx(PyExc_DeprecationWarning,msg,1)\n'
              '    if (PyErr_WarnEx(PyExc_DeprecationWarning,\n'
              '            "a literal warning issued from C code", 1) < 0) {\n')
    found = extracted("demo/moduleobject.c", source)
    assert found == {
        f"Python C API version mismatch for module {HOLE}: This Python has API version {HOLE}, "
        f"module {HOLE} has version {HOLE}.",
        "a literal warning issued from C code",
    }


AVX_LINE = ("F external/local_tsl/tsl/platform/cpu_feature_guard.cc:42] The TensorFlow library was "
            "compiled to use AVX instructions, but these aren't available on your machine.")


def test_a_freshly_loaded_atlas_compiles_the_patterns_it_matches_with():
    """Each `explain` process loads the atlas once and compiles a message's pattern the first
    time a line could hold it: an atlas nothing has used yet recognises the line too."""
    fresh = messages.load.__wrapped__()
    assert not fresh.compiled
    found = messages.find(AVX_LINE, fresh)
    assert found and "tensorflow" in found[0][0].releases
    assert fresh.compiled and None not in fresh.compiled.values()


def test_who_printed_a_message_names_one_release_or_the_span_sampled():
    printed = messages.Printed("No such layer: …", "raise", "keras/src/models/model.py",
                               {"keras": ["3.0.0"], "tf-keras": ["2.15.0", "2.16.0", "2.17.0"]})
    assert printed.describe() == ("keras 3.0.0, tf-keras 2.15.0 … 2.17.0 "
                                  "(keras/src/models/model.py)")


def test_a_template_covering_exactly_half_the_message_is_its_printer():
    """'At least half' of the message's letters and digits: 11 of 22 is enough, 11 of 23 not."""
    template = "No such layer: …"  # 11 letters of its own
    assert messages._covers(template, "…", "ValueError: No such layer: conv2d_12345")
    assert not messages._covers(template, "…", "ValueError: No such layer: conv2d_123456")


def test_a_tracebacks_frame_lines_are_not_read_as_messages():
    paste = ('Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
             "    import tensorflow as tf\n" + AVX_LINE + "\n")
    lines = messages.error_lines(paste)
    assert AVX_LINE in lines
    assert not any(line.startswith("File ") for line in lines)
    assert "import tensorflow as tf" in lines  # the source line stays: it may hold one


# -- messages as issues carry them -----------------------------------------------------------------


@pytest.mark.parametrize("line", [
    # keras-flask-deploy-webapp#20: Markdown took the backticks of `load_img`
    "ImportError: Could not import PIL.Image. The use of load_img requires PIL.",
    "ImportError: Could not import PIL.Image. The use of `load_img` requires PIL.",
    "ImportError: Could not import PIL.Image. The use of `load_img` requires PIL",  # no stop
])
def test_a_message_is_recognised_without_its_backticks_or_its_full_stop(line):
    found = messages.find(line)
    assert found and found[0][0].template.endswith("The use of `load_img` requires PIL.")
    assert messages.causes_of(line)[0][:3:2] == ("missing-dependency", {
        "printed_by": found[0][0].describe(), "message": messages.bare(line), "module": "PIL"})
    report = explain_text(line)
    assert report.findings[0].cause == "missing-dependency"
    assert report.findings[0].evidence["module"] == "PIL"
    assert report.findings[0].fix[0].command[-1] == "pillow"


def test_a_full_stop_is_optional_only_at_the_end_of_the_message():
    # a message cut before its last words is not the message
    assert messages.find("ImportError: Could not import PIL.Image. The use of load_img") == []


@pytest.mark.parametrize("line, evidence", [
    ("ImportError: Failed to import pydot. You must install pydot and graphviz for `pydotprint` "
     "to work.", {"module": "pydot"}),
    # DeepReinforcementLearning#27, without the final stop
    ("`pydot` failed to call GraphViz.Please install GraphViz (https://www.graphviz.org/) and "
     "ensure that its executables are in the $PATH", {"library": "Graphviz's `dot` program"}),
])
def test_plot_models_missing_pieces_are_named_for_the_fix(line, evidence):
    finding = explain_text(line).findings[0]
    assert finding.cause == "missing-dependency"
    for key, value in evidence.items():
        assert finding.evidence[key].startswith(value)


def test_cythons_binary_version_check_is_a_wheel_for_another_python():
    """Cython compiles the same check into every extension (numpy's, h5py's, TensorFlow's), so
    the message names no one package; the module it names was built for another Python."""
    line = ("RuntimeWarning: compiletime version 3.6 of module "
            "'tensorflow.python.framework.fast_tensor_util' does not match runtime version 3.7")
    assert explain_text(line).findings[0].cause == "wheel-tag-mismatch"

