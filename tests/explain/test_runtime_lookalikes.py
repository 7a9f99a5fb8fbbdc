"""Run-time look-alikes decided by what the failing import itself prints.

- `No module named 'numpy.core._multiarray_umath'` without numpy's own "Importing the multiarray
  numpy extension module failed" banner: an extension whose C-API header (NumPy >= 1.16's
  generated `_import_array()`) imports that module by name, under a numpy older than 1.16 that
  lacks it. numpy is installed and too old for the build, not missing. With numpy's banner it is
  numpy's own import that failed, and the answer stays what it was.
- `No module named 'tensorflow'` after Poetry installed a TensorFlow whose macOS arm64 wheels
  declare `tensorflow-macos` and some other wheels' metadata does not, on an arm64 Mac: the
  distribution holding the code was left out.
- A name missing from TensorFlow's private modules with two complete TensorFlow builds listed as
  installed (stable and nightly): both wrote the one tensorflow/ folder.

Both sides are real text: reports of the tuning corpus (and the same text on another platform or
release), numpy 1.16's own banner (numpy/core/__init__.py at v1.16.0).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import explain, hypotheses


def ranked(text: str) -> List[str]:
    return [h.cause for h in hypotheses(text)[1]]


def case_text(case_id: str) -> str:
    return next(c for c in corpus.load() if c["id"] == case_id)["text"]


# numpy 1.16's own import failing: numpy/core/__init__.py raises this banner around the original
# error (https://github.com/numpy/numpy/blob/v1.16.0/numpy/core/__init__.py)
NUMPY_OWN_IMPORT_FAILED = '''Traceback (most recent call last):
  File "train.py", line 1, in <module>
    import numpy as np
  File "/home/user/venv/lib/python3.7/site-packages/numpy/__init__.py", line 142, in <module>
    from . import core
  File "/home/user/venv/lib/python3.7/site-packages/numpy/core/__init__.py", line 47, in <module>
    raise ImportError(msg)
ImportError:

IMPORTANT: PLEASE READ THIS FOR ADVICE ON HOW TO SOLVE THIS ISSUE!

Importing the multiarray numpy extension module failed.  Most
likely you are trying to import a failed build of numpy.
Here is how to proceed:
- If you're working with a numpy git repository, try `git clean -xdf`
  (removes all files not under version control) and rebuild numpy.
- If you are simply trying to use the numpy version that you have installed:
  your installation is broken - please reinstall numpy.

Original error was: No module named 'numpy.core._multiarray_umath'
'''


def test_the_merged_core_module_missing_under_an_extension_is_a_numpy_older_than_its_build():
    # aarch64 TensorFlow built against numpy 1.16 under Home Assistant's numpy 1.15.4
    text = case_text("tf-on-arm-47-aarch64-numpy-too-old")
    assert ranked(text) == ["numpy-abi-mismatch", "missing-dependency"]
    top = explain(text).findings[0]
    assert top.cause == "numpy-abi-mismatch"
    assert top.evidence["numpy_is_newer"] is False
    assert top.evidence["module"] == "numpy.core._multiarray_umath"
    assert top.fix[0].command == ("python", "-m", "pip", "install", "--upgrade", "numpy")


def test_numpys_own_banner_around_the_same_module_is_not_another_extensions_abi():
    assert ranked(NUMPY_OWN_IMPORT_FAILED) == ["missing-dependency"]
    top = explain(NUMPY_OWN_IMPORT_FAILED).findings[0]
    assert top.cause == "missing-dependency"
    assert top.fix[-1].command == ("python", "-m", "pip", "install", "numpy")


def test_numpy_itself_missing_stays_a_missing_dependency():
    text = ("Traceback (most recent call last):\n  File \"train.py\", line 1, in <module>\n"
            "    import numpy as np\nModuleNotFoundError: No module named 'numpy'\n")
    assert ranked(text) == ["missing-dependency"]


# - `No module named 'tensorflow'` after Poetry installed TensorFlow 2.13-2.15 on an arm64 Mac: the
#   release's macOS arm64 wheels declare `tensorflow-macos` and some of its other wheels do not
#   (their METADATA, in the release table), and Poetry resolves from one set of metadata for
#   every platform, so the shim is installed without the distribution that holds the code. On
#   another platform, another release, or with pip (which reads the chosen wheel's own
#   metadata), the answer stays.

POETRY_REPORT = "tf-61477-poetry-tf213-metadata-no-macos-dep"


def test_poetry_on_an_arm64_mac_leaves_out_what_only_the_macs_wheel_requires():
    top = explain(case_text(POETRY_REPORT)).findings[0]
    assert top.cause == "missing-dependency"
    assert top.evidence["requires_distribution"] == "tensorflow-macos==2.13.0"
    assert top.fix[-1].command == ("python", "-m", "pip", "install", "tensorflow-macos==2.13.0")
    assert "poetry add tensorflow-macos==2.13.0" in top.fix[-1].description


def test_the_required_distribution_is_read_from_the_release_tables_wheels():
    from keras_doctor.explain.resolve_imports import _macos_arm64_only_requirement

    # 2.12 has no tensorflow-macos requirement; 2.16 dropped it; 2.13-2.15's Mac wheels declare it
    assert _macos_arm64_only_requirement("2.12.0") == ""
    assert _macos_arm64_only_requirement("2.13.0") == "tensorflow-macos==2.13.0"
    assert _macos_arm64_only_requirement("2.15.0") == "tensorflow-macos==2.15.0"
    assert _macos_arm64_only_requirement("2.16.1") == ""


def test_the_same_report_on_linux_or_an_intel_mac_keeps_its_answer():
    text = case_text(POETRY_REPORT)
    for platform in ("Linux-5.15.0-91-generic-x86_64-with-glibc2.35",
                     "macOS-13.3-x86_64-i386-64bit"):
        other = text.replace("macOS-13.3-arm64-arm-64bit", platform)
        assert other != text
        assert explain(other).findings[0].cause == "wrong-interpreter"


def test_a_release_whose_wheels_agree_keeps_its_answer():
    text = case_text(POETRY_REPORT).replace("2.13.0", "2.16.1")
    assert explain(text).findings[0].cause == "wrong-interpreter"


def test_pip_on_an_arm64_mac_is_not_poetrys_metadata():
    text = ("After `pip install tensorflow==2.13.0` on macOS-13.3-arm64-arm-64bit (M2), "
            "importing fails:\n\n```\n>>> import tensorflow\nTraceback (most recent call last):\n"
            "  File \"<stdin>\", line 1, in <module>\n"
            "ModuleNotFoundError: No module named 'tensorflow'\n```\n")
    top = explain(text).findings[0]
    assert "requires_distribution" not in top.evidence
    assert top.cause == "wrong-interpreter"

# - A name missing from TensorFlow's own private modules, with two complete TensorFlow builds
#   listed as installed (stable and nightly, tensorflow and tensorflow-gpu): both wrote the one
#   tensorflow/ folder. One build listed, or tensorflow beside the platform distribution its own
#   wheel requires (tensorflow-intel on Windows), is no overlap.

OVERLAP_REPORT = "tfp-860-stable-and-nightly-side-by-side"


def test_stable_and_nightly_listed_together_are_two_builds_in_one_folder():
    top = explain(case_text(OVERLAP_REPORT)).findings[0]
    assert top.cause == "tf-distributions-overlap"
    assert top.evidence["distributions"] == ["tensorflow", "tf-nightly"]


def test_one_build_listed_keeps_the_version_skew():
    text = case_text(OVERLAP_REPORT).replace("tf-nightly: 2.2.0.dev20200401", "")
    assert explain(text).findings[0].cause == "keras-tf-version-skew"


def test_tensorflow_beside_the_distribution_its_wheel_requires_is_no_overlap():
    text = case_text(OVERLAP_REPORT).replace("tf-nightly: 2.2.0.dev20200401",
                                             "tensorflow-intel: 2.1.0")
    assert explain(text).findings[0].cause == "keras-tf-version-skew"
