"""Pairs explain confused on unseen reports, decided by what the mechanism itself prints.

- An old pip, or no wheel for this Python? pip's `from versions:` list is what the pip that ran
  could see: a list that stops exactly where a release's wheels switch to a platform tag an older
  pip cannot read (TensorFlow 1.14's manylinux1 → 1.15's manylinux2010) is an old pip.
- A Python 2.7 (or 3.4) the paste shows is weighed like any other Python: TensorFlow 2.2+ ships
  no wheel for it.
- HDF5 through the loader: h5py links the soname of the HDF5 it was built against, so another HDF5
  release is "not found" (`libhdf5.so.103`) or lacks a function (`Symbol not found: _H5…`).
- numpy 1.20 under TensorFlow <= 2.4 ("Cannot convert a symbolic Tensor"): Python code older than
  its dependency, not a binary built against another NumPy.
- Start-up lines called an error: TensorFlow's older CPU notice (in the 2.1 binaries), its Python
  logger's deprecation notices, "Error is: <the notice>".
- Rosetta: a Python built with an old SDK sees macOS 11+ as "10.16", which is no Intel-only Mac.
- tensorflow-macos named beside a package that requires `tensorflow`, in the reporter's words.

Each decision is tested from both sides; the reports are real (tuning corpus, explained without
the signatures their own thread taught).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import explain, hypotheses


def ranked(text: str, leave_out: frozenset = frozenset()) -> List[str]:
    return [h.cause for h in hypotheses(text, without_sources=leave_out)[1]]


def case(case_id: str):
    found = next(c for c in corpus.load() if c["id"] == case_id)
    return found["text"], frozenset({found["source_url"]})


# -- an old pip's view of the index ---------------------------------------------------------------

# what pip prints on a Python that has every release up to 2.15 (tensorflow 2.16 needs >= 3.9):
# a current pip on that Python, not an old one
CURRENT_PIP_LIST = (
    "ERROR: Could not find a version that satisfies the requirement tensorflow==2.16.1 (from "
    "versions: 2.2.0, 2.2.1, 2.2.2, 2.2.3, 2.3.0, 2.3.1, 2.3.2, 2.3.3, 2.3.4, 2.4.0, 2.4.1, 2.4.2, "
    "2.4.3, 2.4.4, 2.5.0, 2.5.1, 2.5.2, 2.5.3, 2.6.0, 2.6.1, 2.6.2, 2.6.3, 2.6.4, 2.6.5, 2.7.0, "
    "2.7.1, 2.7.2, 2.7.3, 2.7.4, 2.8.0, 2.8.1, 2.8.2, 2.8.3, 2.8.4, 2.9.0, 2.9.1, 2.9.2, 2.9.3, "
    "2.10.0, 2.10.1, 2.11.0, 2.11.1, 2.12.0, 2.12.1, 2.13.0, 2.13.1)\n"
    "ERROR: No matching distribution found for tensorflow==2.16.1"
)


def test_a_list_that_stops_where_newer_tags_begin_is_an_old_pip():
    text, own = case("tf-35061-pip-too-old-list-stops-at-1-14")
    assert ranked(text, own)[0] == "pip-too-old-for-platform-tags"


def test_a_list_a_current_pip_prints_on_an_older_python_is_the_python():
    causes = ranked(CURRENT_PIP_LIST)
    assert causes[0] == "no-wheel-for-python", causes[:3]
    assert "pip-too-old-for-platform-tags" not in causes


def test_an_old_pip_view_names_the_pip_it_needs():
    from keras_doctor.explain import wheels

    text, _ = case("tf-35061-pip-too-old-list-stops-at-1-14")
    probability, evidence = wheels.old_pip_view(text)
    assert probability >= 0.85
    assert evidence["needs_pip"] == "19.0"  # manylinux2010 (PEP 571)
    # what it read: Linux, the list pip printed; several Pythons see that list
    assert (evidence["platform_read"], evidence["offered"]) == ("linux-x86_64", "0.12.1 … 1.14.0")
    assert evidence["python_read"] == "unknown"
    assert wheels.old_pip_view(text, "3.6")[1]["python_read"] == "3.6"
    assert wheels.old_pip_view(text, "3.8") is None  # no TensorFlow 1 list for Python 3.8


def test_the_list_after_a_requirements_file_line_is_read():
    # pip names the file and line a requirement came from in nested parentheses, "(from -r
    # requirements.txt (line 10))", before the list it offered
    from keras_doctor.explain import wheels

    text, own = case("gpt-neo-142-tf240-list-stops-at-200b1-debian10")
    assert "(from -r requirements.txt (line 10)) (from versions: 1.13.0rc1" in text
    probability, evidence = wheels.old_pip_view(text)
    assert (probability, evidence["offered"], evidence["python_read"]) == (
        0.85, "1.13.1 … 1.14.0", "3.7")
    assert ranked(text, own)[0] == "pip-too-old-for-platform-tags"


# pip's own upgrade notice tells its version; Apple Silicon wheels (macosx_11_0_arm64) need 20.3
M1_PIP = (
    "(venv) me@MacBook-Air ~ % pip install tensorflow-macos\n"
    "ERROR: Could not find a version that satisfies the requirement tensorflow-macos (from "
    "versions: none)\nERROR: No matching distribution found for tensorflow-macos\n"
    "WARNING: You are using pip version {pip}; however, version 21.1.2 is available.\nApple M1"
)


def test_an_apple_silicon_pip_older_than_arm64_tags_is_the_pip():
    assert ranked(M1_PIP.format(pip="20.2.3"))[0] == "pip-too-old-for-platform-tags"


def test_an_apple_silicon_pip_that_knows_arm64_tags_is_not_the_pip():
    assert "pip-too-old-for-platform-tags" not in ranked(M1_PIP.format(pip="21.1.1"))


# -- Python 2.7 is a Python too -------------------------------------------------------------------

PY27_WINDOWS = (
    "C:\\Python27\\Scripts>pip install tensorflow==2.3.0\n"
    "Collecting tensorflow==2.3.0\n"
    "  Could not find a version that satisfies the requirement tensorflow==2.3.0 "
    "(from versions: )\n"
    "No matching distribution found for tensorflow==2.3.0"
)


def test_python_2_7_shown_is_no_wheel_for_python():
    from keras_doctor.explain import wheels

    assert wheels.read_python(PY27_WINDOWS) == "2.7"
    assert ranked(PY27_WINDOWS)[0] == "no-wheel-for-python"


def test_tags_of_python_2_wheels_are_python_2_7():
    from keras_doctor.explain import wheels

    assert ("linux-x86_64", "2.7") in wheels.wheel_pairs(["cp27-cp27mu-manylinux2010_x86_64"])
    assert ("linux-x86_64", "3.7") not in wheels.wheel_pairs(["cp27-cp27mu-manylinux2010_x86_64"])


def test_the_platform_wins_when_the_wheel_is_for_the_python_shown():
    text, own = case("tf-30158-32-bit-python-windows")
    assert ranked(text, own)[0] == "no-wheel-for-platform"


def test_the_python_wins_when_the_release_predates_it():
    text, own = case("tf-60512-tf23-on-python-3-9-macos")
    assert ranked(text, own)[0] == "no-wheel-for-python"


TEMPLATE = (
    "- OS Platform and Distribution: {os}\n- Python version: {python}\n"
    "ERROR: Could not find a version that satisfies the requirement tensorflow=={tf} (from "
    "versions: none)\nERROR: No matching distribution found for tensorflow=={tf}"
)


def test_an_issue_templates_python_version_is_read():
    from keras_doctor.explain import wheels

    assert wheels.read_python("- Python version: 3.8.5") == "3.8"
    assert wheels.read_python("### Python version\n\n3.9") == "3.9"
    assert wheels.read_python("Using CPython 3.13.0 interpreter at: /usr/bin/python3") == "3.13"
    assert wheels.read_python("TensorFlow version: 2.4") is None


def test_windows_with_a_wheel_for_its_python_is_a_32_bit_python():
    # tensorflow 2.2.0 ships cp38 win_amd64: a 64-bit Python 3.8 would have found it
    text = TEMPLATE.format(os="Windows 10", python="3.8.6", tf="2.2.0")
    assert ranked(text)[0] == "no-wheel-for-platform"


def test_windows_without_a_wheel_for_its_python_is_the_python():
    # tensorflow 2.1.0 has no cp38 wheel at all
    text = TEMPLATE.format(os="Windows 10", python="3.8.6", tf="2.1.0")
    assert ranked(text)[0] == "no-wheel-for-python"


def test_an_apple_silicon_mac_with_the_templates_python_is_the_platform():
    text = TEMPLATE.format(os="macOS Big Sur 11.2, MacBook Air M1", python="3.8.5", tf="2.2.0")
    assert ranked(text)[0] == "no-wheel-for-platform"


# -- HDF5 through the loader ----------------------------------------------------------------------

H5PY_SONAME = (
    "  File \"/home/me/miniconda3/lib/python3.8/site-packages/h5py/__init__.py\", line 25, in "
    "<module>\n    from . import _errors\n"
    "ImportError: libhdf5.so.103: cannot open shared object file: No such file or directory"
)
CUDNN_SONAME = ("ImportError: libcudnn.so.8: cannot open shared object file: No such file or "
                "directory")
H5_SYMBOL = (
    "ImportError: dlopen(/Users/me/miniconda3/lib/python3.9/site-packages/h5py/defs.cpython-39-"
    "darwin.so, 2): Symbol not found: _H5Pget_fapl_ros3\n"
    "  Referenced from: /Users/me/miniconda3/lib/python3.9/site-packages/h5py/defs.cpython-39-"
    "darwin.so\n  Expected in: /Users/me/miniconda3/lib/libhdf5.103.dylib"
)
H5_PROCEDURE = (
    '  File "h5py\\h5.pyx", line 1, in init h5py.h5\n'
    "ImportError: DLL load failed while importing defs: The specified procedure could not be "
    "found."
)


@pytest.mark.parametrize("text", [H5PY_SONAME, H5_SYMBOL, H5_PROCEDURE])
def test_another_hdf5_release_through_the_loader(text):
    assert ranked(text)[0] == "hdf5-library-mismatch"


def test_another_missing_library_stays_a_missing_library():
    causes = ranked(CUDNN_SONAME)
    assert causes[0] == "native-runtime-library-missing"
    assert "hdf5-library-mismatch" not in causes


# -- numpy 1.20 under old TensorFlow code ---------------------------------------------------------

@pytest.mark.parametrize("case_id", ["keras-14687-symbolic-tensor-numpy-1-20",
                                     "umtra-3-symbolic-tensor-needs-numpy-1-19"])
def test_symbolic_tensor_is_a_dependency_too_new(case_id):
    text, own = case(case_id)
    causes = ranked(text, own)
    assert causes[0] == "dependency-too-new", causes[:3]


def test_symbolic_tensor_fix_pins_the_numpy_tensorflow_declared():
    report = explain("NotImplementedError: Cannot convert a symbolic Tensor (lstm/strided_slice:0) "
                     "to a numpy array.")
    top = report.findings[0]
    assert top.cause == "dependency-too-new"
    assert "numpy<1.20" in " ".join(str(step) for step in top.fix)


def test_the_c_api_banner_stays_an_abi_mismatch():
    text = ("ValueError: numpy.ndarray size changed, may indicate binary incompatibility. Expected "
            "88 from C header, got 80 from PyObject")
    assert ranked(text)[0] == "numpy-abi-mismatch"


# -- start-up lines called an error ---------------------------------------------------------------

@pytest.mark.parametrize("case_id", ["tf-hub-897-cpu-guard-old-wording-called-error",
                                     "tensorboard-1865-cpu-guard-beside-a-result"])
def test_the_old_cpu_notice_is_no_error(case_id):
    text, own = case(case_id)
    assert ranked(text, own) == ["informational-message-not-an-error"]


def test_the_python_loggers_deprecation_notice_is_no_error():
    text = ("WARNING:tensorflow:From /home/me/x.py:3: is_gpu_available (from tensorflow.python."
            "framework.test_util) is deprecated and will be removed in a future version.\n"
            "Instructions for updating:\nUse `tf.config.list_physical_devices('GPU')` instead.")
    assert ranked(text) == ["informational-message-not-an-error"]


def test_a_python_warning_alone_is_no_error():
    text = ("/usr/local/lib/python3.10/dist-packages/keras/src/layers/core/dense.py:87: "
            "UserWarning: Do not pass an `input_shape`/`input_dim` argument to a layer.\n"
            "  super().__init__(activity_regularizer=activity_regularizer, **kwargs)")
    assert ranked(text) == ["informational-message-not-an-error"]


@pytest.mark.parametrize("line, category", [
    ("/usr/local/lib/python3.10/dist-packages/keras/src/layers/core/dense.py:87: UserWarning: "
     "Do not pass an `input_shape`/`input_dim` argument to a layer.", "UserWarning"),
    ("/opt/venv/lib/python3.7/site-packages/tensorflow/python/framework/dtypes.py:516: "
     "FutureWarning: Passing (type, 1) or '1type' as a synonym of type is deprecated; in a future "
     "version of numpy, it will be understood as (type, (1,)) / '(1,)type'.", "FutureWarning"),
])
def test_a_python_warning_is_quoted_and_the_answer_says_how_to_hide_its_category(line, category):
    (finding,) = explain(line + "\n  x = call()").findings
    (quoted,) = finding.evidence["lines"]  # the warning line (a long one cut short)
    assert line.startswith(quoted) and f"{category}: " in quoted
    assert line.startswith(finding.evidence["matched"].splitlines()[0])  # the line it read
    assert finding.evidence["category"] == category
    assert f"Python printed a {category}" in finding.explanation
    # what the user reads: how Python printed it, and that it is a notice, not a failure
    assert ("(file:line: category: message) and the program went on. It asks for a change "
            "before a later release") in finding.explanation
    assert f"-W ignore::{category}" in finding.explanation
    assert ("export", f"PYTHONWARNINGS=ignore::{category}") in [s.command for s in finding.fix]
    assert any("cpython" in s and "Lib/warnings.py" in s for s in finding.evidence["learned_from"])


def test_a_python_warning_beside_a_traceback_is_not_the_answer():
    text = ("/x/h5py/__init__.py:36: FutureWarning: Conversion of the second argument of "
            "issubdtype from `float` to `np.floating` is deprecated.\nTraceback (most recent "
            "call last):\n  File \"x.py\", line 1, in <module>\nValueError: bad value")
    assert "informational-message-not-an-error" not in ranked(text)


def test_a_raised_exception_beside_the_notice_is_judged_alone():
    text = ("Your CPU supports instructions that this TensorFlow binary was not compiled to use: "
            "AVX2 FMA\nTraceback (most recent call last):\n"
            "  File \"train.py\", line 1, in <module>\n    import h5py\n"
            "ModuleNotFoundError: No module named 'h5py'")
    assert "informational-message-not-an-error" not in ranked(text)


def test_a_failing_python_log_line_is_kept():
    text = "WARNING:tensorflow:Unable to restore custom object\nValueError: Unknown layer: Foo"
    cleaned, _ = hypotheses(text)
    assert "Unable to restore custom object" in cleaned.text


# -- Rosetta or no AVX ----------------------------------------------------------------------------

def test_macos_10_16_is_a_big_sur_seen_by_an_old_sdk_python():
    text = ("macOS 10.16\n$ python -c 'import tensorflow'\n"
            "zsh: illegal hardware instruction  python")
    assert ranked(text)[0] == "rosetta-python"


def test_the_cpu_rosetta_emulates_names_itself():
    text = ("Processor: VirtualApple @ 2.50GHz processor\n$ python -c 'import tensorflow'\n"
            "Illegal instruction")
    assert ranked(text)[0] == "rosetta-python"


def test_macos_strsignal_wording_is_a_mac_and_linux_wording_is_not():
    guard = ("The TensorFlow library was compiled to use AVX instructions, but these aren't "
             "available on your machine.\n")
    assert ranked(guard + "Abort trap: 6")[0] == "rosetta-python"
    assert ranked(guard + "Aborted (core dumped)")[0] == "cpu-lacks-avx"


def test_an_m1_running_an_intel_homebrew_python():
    text, own = case("tf-46044-m1-rosetta-homebrew-python-sigill")
    assert ranked(text, own)[0] == "rosetta-python"


def test_macos_10_15_is_an_intel_mac():
    text = ("macOS 10.15.7\n$ python -c 'import tensorflow'\n"
            "zsh: illegal hardware instruction  python")
    assert ranked(text)[0] == "cpu-lacks-avx"


# -- tensorflow-macos in the reporter's words -----------------------------------------------------

def test_a_package_requiring_tensorflow_beside_tensorflow_macos_is_the_fork():
    text = "tensorflow-hub requires tensorflow but I have tensorflow-macos installed"
    assert ranked(text)[0] == "tensorflow-macos-fork-not-recognised"


def test_an_add_on_said_not_to_work_with_tensorflow_macos_is_the_fork():
    assert ranked("tensorflow_text doesn't work with tensorflow-macos")[0] == (
        "tensorflow-macos-fork-not-recognised")
    assert "tensorflow-macos-fork-not-recognised" not in ranked(
        "tensorflow_text doesn't work with tensorflow-gpu")


def test_the_same_words_without_apples_fork_are_not_the_fork():
    text = "tensorflow-hub requires tensorflow but I have tensorflow-gpu installed"
    assert "tensorflow-macos-fork-not-recognised" not in ranked(text)


# -- conda's own words ---------------------------------

CONDA_NOT_FOR_THIS_PLATFORM = (
    "PackagesNotFoundError: The following packages are not available from current channels:\n\n"
    "  - tensorflow\n\nCurrent channels:\n\n  - https://repo.anaconda.com/pkgs/main/win-32\n"
    "  - https://repo.anaconda.com/pkgs/main/noarch"
)


@pytest.mark.parametrize("case_id", ["t81-558-84-conda-tensorflow-no-python-3-8-build-mac",
                                     "poni-5-conda-tensorflow-1-13-on-python-3-8"])
def test_conda_finding_builds_for_other_pythons_is_the_python(case_id):
    text, own = case(case_id)
    assert ranked(text, own)[0] == "no-wheel-for-python"


def test_conda_finding_no_build_in_this_platforms_channels_is_the_platform():
    assert ranked(CONDA_NOT_FOR_THIS_PLATFORM)[0] == "no-wheel-for-platform"


def test_apples_tensorflow_deps_missing_stays_rosetta():
    text = CONDA_NOT_FOR_THIS_PLATFORM.replace("- tensorflow\n", "- tensorflow-deps\n").replace(
        "win-32", "osx-64")
    causes = ranked(text)
    assert causes[0] == "rosetta-python", causes[:3]


# -- a crash where OpenMP runtimes meet -------------------------

def test_a_crash_where_an_openmp_runtime_speaks_is_openmp_first():
    text = ("OMP: Info #276: omp_set_nested routine deprecated, please use "
            "omp_set_max_active_levels instead.\nzsh: segmentation fault  python train.py")
    assert ranked(text)[0] == "openmp-duplicate-runtime"


def test_a_crash_after_importing_two_openmp_users_is_openmp_first():
    text = "import torch\nimport lightgbm\nzsh: segmentation fault  python train.py"
    assert ranked(text)[0] == "openmp-duplicate-runtime"


def test_a_bare_crash_on_a_mac_keeps_the_metal_prior():
    text = "/Users/me/train.py\nzsh: segmentation fault  python train.py"
    assert ranked(text)[0] != "openmp-duplicate-runtime"
