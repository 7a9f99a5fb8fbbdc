"""Causes explain used to confuse on reports it had never seen, decided by the evidence that
really tells them apart, from both sides.

Each decision is a pair of causes and the generic evidence between them (who printed the message,
which frames made the call, which release tables or tags rule one side out). Every pair is tested
on both sides: a text where each cause must win, so a rule that pushes one cause everywhere fails.
Reports come from the tuning corpus (by id) and are explained without the signatures their own
thread taught; the other texts are what the packages themselves print (their source is named).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import hypotheses

PIP_NO_MATCH = (
    "$ /home/me/venv/bin/python -m pip install tensorflow==2.9.0\n"
    "ERROR: Could not find a version that satisfies the requirement tensorflow==2.9.0 "
    "(from versions: none)\n"
    "ERROR: No matching distribution found for tensorflow==2.9.0\n"
    "WARNING: You are using pip version {pip}; however, version 22.3 is available.\n"
    "You should consider upgrading via the '/home/me/venv/lib/python{python}/bin/python -m pip "
    "install --upgrade pip' command."
)

# pip's "Requirement already satisfied" line, then CPython's traceback of the script that fails
PIP_SATISFIED = (
    "$ pip install tensorflow\n"
    "Requirement already satisfied: tensorflow in {pip_site} (2.15.0)\n"
    "$ python train.py\n"
    "Traceback (most recent call last):\n"
    '  File "/Users/me/project/train.py", line 1, in <module>\n'
    "    import tensorflow_hub as hub\n"
    '  File "{run_site}/tensorflow_hub/__init__.py", line 20, in <module>\n'
    "    import tensorflow as tf\n"
    "ModuleNotFoundError: No module named 'tensorflow'"
)

# IPython's header and marked line, the message cut off by the paste
NOTEBOOK_CUT = (
    "ModuleNotFoundError                       Traceback (most recent call last)\n"
    "<ipython-input-1-cdfb01024084> in <module>\n"
    "      1 import os\n"
    "----> 2 import {module}"
)

# pip's last line after an install, then CPython's traceback of the script
PIP_INSTALLED = (
    "Successfully installed absl-py-2.1.0 {installed} wrapt-1.14.1\n"
    "$ python3 train.py\n"
    "Traceback (most recent call last):\n"
    '  File "/home/me/project/train.py", line 1, in <module>\n'
    "    import tensorflow_hub as hub\n"
    '  File "/home/me/.local/lib/python3.10/site-packages/tensorflow_hub/__init__.py", line 20, '
    "in <module>\n"
    "    import tensorflow as tf\n"
    "ModuleNotFoundError: No module named 'tensorflow'"
)

# Keras 2.2's backend/__init__.py importing its default backend, TensorFlow
KERAS2_TF_BACKEND = (
    "Using TensorFlow backend.\n"
    "Traceback (most recent call last):\n"
    '  File "train.py", line 1, in <module>\n'
    "    import keras\n"
    '  File "/home/me/env/lib/python3.6/site-packages/keras/backend/__init__.py", line 89, in '
    "<module>\n"
    "    from .tensorflow_backend import *\n"
    '  File "/home/me/env/lib/python3.6/site-packages/keras/backend/tensorflow_backend.py", '
    "line 5, in <module>\n"
    "    import tensorflow as tf\n"
    "ModuleNotFoundError: No module named 'tensorflow'"
)

# pip finding no release of a requirement at all
MAC_ONLY = (
    "ERROR: Could not find a version that satisfies the requirement {requirement} "
    "(from versions: none)\n"
    "ERROR: No matching distribution found for {requirement}"
)

# what pip or conda show installed, then a package's import of tensorflow failing
SHOWN_INSTALLED = (
    "{shown}\n"
    "$ python3 detect.py\n"
    "Traceback (most recent call last):\n"
    '  File "/home/me/project/detect.py", line 1, in <module>\n'
    "    import tensorflow_hub as hub\n"
    '  File "/home/me/.local/lib/python3.10/site-packages/tensorflow_hub/__init__.py", line 20, '
    "in <module>\n"
    "    import tensorflow as tf\n"
    "ModuleNotFoundError: No module named 'tensorflow'"
)

# a name every TensorFlow has, missing from the module that was imported
NO_NAME_SCOPE = (
    "Traceback (most recent call last):\n"
    '  File "<stdin>", line 1, in <module>\n'
    "AttributeError: module 'tensorflow' has no attribute 'name_scope'"
)

# pair → [(expected cause, corpus id or the package's own message)]
PAIRS: Dict[str, List[Tuple[str, str]]] = {
    "dependency-too-new | numpy-abi-mismatch": [
        ("dependency-too-new", "case:tf-71587-np-object-tflite-model-maker"),
        ("dependency-too-new", "case:goes-3-np-object-numpy-1244"),
        # numpy/__init__.py __getattr__ (numpy 2.x): an alias NumPy 2.0 removed, used by old code
        ("dependency-too-new",
         "AttributeError: `np.float_` was removed in the NumPy 2.0 release. Use `np.float64` "
         "instead."),
        ("dependency-too-new", "AttributeError: module 'numpy' has no attribute 'float_'"),
        ("dependency-too-new",
         "ImportError: cannot import name 'NaN' from 'numpy' "
         "(/usr/lib/python3/site-packages/numpy/__init__.py)"),
        # numpy 1.24+'s FutureWarning for the expired alias, printed by the warnings module
        # with the location of TensorFlow 2.6's own use of it, before the traceback
        ("dependency-too-new", "case:tf-62479-np-object-tf26-gpu-windows"),
        ("numpy-abi-mismatch", "case:tf-90245-numpy2-windows"),
        ("numpy-abi-mismatch", "case:tf-23071-numpy-api-0xc-0xa"),
        # the same alias error after numpy's C-API banner: a NumPy 1 build under NumPy 2
        ("numpy-abi-mismatch",
         "A module that was compiled using NumPy 1.x cannot be run in\nNumPy 2.0.0 as it may "
         "crash. To support both 1.x and 2.x\nversions of NumPy, modules must be compiled with "
         "NumPy 2.0.\nAttributeError: _ARRAY_API not found\n"
         "AttributeError: `np.float_` was removed in the NumPy 2.0 release. Use `np.float64` "
         "instead."),
    ],
    "keras3-legacy-code | model-format-incompatible": [
        ("keras3-legacy-code", "case:hub-920-sequential-keraslayer"),
        ("keras3-legacy-code", "case:tf-63867-tflite-keras3-get-save-spec"),
        # keras/src/models/sequential.py (Keras 3) given a layer of another Keras
        ("keras3-legacy-code",
         "ValueError: Only instances of `keras.Layer` can be added to a Sequential model. "
         "Received: <tf_keras.src.layers.core.dense.Dense object at 0x7f0c2c1d5e50> (of type "
         "<class 'tf_keras.src.layers.core.dense.Dense'>)"),
        ("model-format-incompatible", "case:sleepecg-214-savedmodel-keras3"),
        ("model-format-incompatible", "case:scream-detection-2-keras3-legacy-model"),
        ("model-format-incompatible", "case:lstm-word-seg-28-savedmodel-keras3"),
        ("model-format-incompatible", "case:moltoxpred-1-keras3-pickled-model-ram-path"),
        ("model-format-incompatible", "case:keras-4774-keras112-vs-12-output-mask-type"),
    ],
    "keras-api-moved | keras-tf-version-skew": [
        ("keras-api-moved", "case:keras-yolo2-27-adam-keras27"),
        ("keras-api-moved", "case:tf-60746-load-img-keras-preprocessing-image"),
        ("keras-api-moved", "case:aima-1262-pad-sequences-moved"),
        ("keras-tf-version-skew", "case:keras-14632-colab-tf115-keras-generic-utils"),
        ("keras-tf-version-skew", "case:tf-48799-keras-newer-than-tf"),
        ("keras-tf-version-skew", "case:colabtools-2044-keras-internal-windows"),
        # TensorFlow's monitoring registry (tensorflow/core/lib/monitoring/gauge.h) when two
        # Keras copies register their metrics in one process
        ("keras-tf-version-skew",
         "tensorflow.python.framework.errors_impl.AlreadyExistsError: Another metric with the "
         "same name already exists."),
    ],
    "rosetta-python | cpu-lacks-avx": [
        ("rosetta-python", "case:tf-44999-m1-zsh-illegal"),
        ("rosetta-python", "case:tf-47041-rosetta-python-sigill"),
        ("cpu-lacks-avx", "case:tf-62342-celeron-no-avx"),
        ("cpu-lacks-avx", "case:tf-5949-dll-load-failed-illegal-instruction-code"),
        # a macOS no Apple Silicon runs: an Intel Mac, where nothing is translated
        ("cpu-lacks-avx", "case:tf-25822-high-sierra-xeon-illegal-instruction-4"),
    ],
    "pip-too-old-for-platform-tags | no-wheel-for-python": [
        # pip's own lines: TensorFlow 2.9's Linux wheels are manylinux2014 (pip 19.3+)
        ("pip-too-old-for-platform-tags", PIP_NO_MATCH.format(pip="19.0.3", python="3.8")),
        # the same with a pip that knows the tags, on a Python TensorFlow 2.9 has no wheel for
        ("no-wheel-for-python", PIP_NO_MATCH.format(pip="22.1", python="3.12")),
        ("no-wheel-for-python", "case:tf-62054-py312-no-wheel"),
    ],
    "wrong-interpreter | missing-dependency": [
        ("wrong-interpreter", "case:jupyter-notebook-3451-two-pythons"),
        ("wrong-interpreter", "case:tf-26429-venv-jupyter-no-tensorflow"),
        # pip's line names the environment it installed into; the traceback runs another
        ("wrong-interpreter", PIP_SATISFIED.format(
            pip_site="/opt/homebrew/lib/python3.11/site-packages",
            run_site="/Users/me/project/.venv/lib/python3.11/site-packages")),
        # an installed package (keras) imports the module: the interpreter that ran is the one
        # that has keras, and it lacks keras's dependency
        ("missing-dependency", "case:udacity-sdc-62-keras-env-without-tensorflow"),
        ("missing-dependency", "case:rl-car-12-keras-without-tensorflow"),
        ("missing-dependency", "case:helioml-35-binder-no-tensorflow"),
        # a notebook's traceback cut before its message: ModuleNotFoundError and the marked
        # `import tensorflow` name the framework, missing where the notebook runs
        ("wrong-interpreter", "case:tf-42367-jupyter-object-detection-no-tensorflow"),
        # a report quoting `import keras` and a bare ModuleNotFoundError from another prompt
        ("wrong-interpreter", "case:anaconda-issues-9818-notebook-base-env"),
        # the same cut traceback importing a library, not the framework the user installed
        ("missing-dependency", NOTEBOOK_CUT.format(module="h5py")),
        # pip's "Successfully installed" lists tensorflow; the script then does not find it
        ("wrong-interpreter", PIP_INSTALLED.format(installed="tensorflow-2.15.0")),
        # pip installed something else: the package importing tensorflow lacks its dependency
        ("missing-dependency", PIP_INSTALLED.format(installed="tensorflow-hub-0.16.1")),
        # `pip list` / `pip show` / `conda list` show a distribution that installs tensorflow
        ("wrong-interpreter", SHOWN_INSTALLED.format(
            shown="$ pip list\ntensorflow-gpu               2.10.0\nnumpy        1.23.5")),
        ("wrong-interpreter", SHOWN_INSTALLED.format(
            shown="$ pip show tensorflow-macos\nName: tensorflow-macos\nVersion: 2.12.0")),
        ("wrong-interpreter", SHOWN_INSTALLED.format(
            shown="# Name          Version    Build    Channel\n"
                  "tensorflow      2.12.0     mkl_py311h34a0fa1_0")),
        # rows of other distributions only: nothing says tensorflow was installed anywhere
        ("missing-dependency", SHOWN_INSTALLED.format(
            shown="$ pip list\ntensorflow-hub               0.16.1\n"
                  "tensorflow-estimator         2.15.0")),
    ],
    "no-wheel-for-python | no-wheel-for-platform": [
        # Apple's Mac-only packages: asked for with no machine shown, the paste is from a Mac,
        # where every release pip lists none of was built for some Pythons only
        ("no-wheel-for-python", "case:m1-ml-test-9-tensorflow-macos-no-matching-python"),
        ("no-wheel-for-python", MAC_ONLY.format(requirement="tensorflow-metal")),
        # a release no Intel Mac has (2.13.0 is arm64 only), or another OS shown
        ("no-wheel-for-platform", "case:samformer-2-tensorflow-macos-from-versions-none"),
        ("no-wheel-for-platform", "(venv) me@ubuntu:~$ pip install tensorflow-macos\n"
                                  + MAC_ONLY.format(requirement="tensorflow-macos")),
    ],
    "keras-backend-unavailable | missing-dependency": [
        # Keras 2.0-2.3 imports the TensorFlow backend (keras.json's default) for a Theano user
        ("keras-backend-unavailable", "case:keras-3794-theano-user-tensorflow-backend"),
        ("keras-backend-unavailable", "import theano\n" + KERAS2_TF_BACKEND),
        # no other backend in sight: TensorFlow is the backend wanted, and it is not installed
        ("missing-dependency", "case:udacity-sdc-62-keras-env-without-tensorflow"),
        ("missing-dependency", KERAS2_TF_BACKEND),
    ],
    "kernel-not-restarted | shadowed-module": [
        # a notebook cell installs another TensorFlow, then a name every release has is missing
        ("kernel-not-restarted", "case:colabtools-115-reinstall-without-restart"),
        ("kernel-not-restarted", "%pip install -U tensorflow==2.15.0\n" + NO_NAME_SCOPE),
        # no install in the session: a local tensorflow.py (or folder) hides the package
        ("shadowed-module", NO_NAME_SCOPE),
        # the cell installed another package, not the one whose name is missing
        ("shadowed-module", "!pip install numpy==1.26.4\n" + NO_NAME_SCOPE),
    ],
    "no-wheel-for-python | tf1-api-under-tf2": [
        ("tf1-api-under-tf2", "case:tf-40236-contrib-data-tf22-mac"),
        ("tf1-api-under-tf2", "case:tf-42981-tf-keras-backend-get-session"),
        ("tf1-api-under-tf2", "AttributeError: module 'tensorflow' has no attribute 'placeholder'"),
        ("no-wheel-for-python", "case:open-eye-detector-15-tf1131-on-py39"),
        ("no-wheel-for-python", "case:tf-40640-tf1153-windows-python"),
        # TensorFlow 1 code, then pip failing to install the 1.x release that would run it
        ("no-wheel-for-python",
         "AttributeError: module 'tensorflow' has no attribute 'placeholder'\n"
         "$ pip install tensorflow==1.15\n"
         "ERROR: Could not find a version that satisfies the requirement tensorflow==1.15 "
         "(from versions: 2.2.0, 2.2.1, 2.3.0, 2.3.1, 2.4.0)\n"
         "ERROR: No matching distribution found for tensorflow==1.15"),
    ],
}

def test_a_cut_notebook_traceback_is_judged_by_the_statement_it_marks():
    from keras_doctor.explain.fallback import _failing_import

    cut = NOTEBOOK_CUT.format(module="tensorflow as tf") + "\n      3 import numpy as np"
    assert _failing_import(cut) == "tensorflow"  # the marked line, not the last one shown
    assert _failing_import("---> 33 from keras.engine import training") == ""  # a submodule
    assert _failing_import("_`import keras`_\n**Error: ModuleNotFoundError**") == "keras"


def test_a_theano_user_is_told_to_point_keras_at_theano():
    from keras_doctor.explain.engine import explain

    finding = explain("import theano\n" + KERAS2_TF_BACKEND).findings[0]
    assert finding.cause == "keras-backend-unavailable"
    assert finding.fix[-1].command == ("export", "KERAS_BACKEND=theano")


def test_pip_installed_into_the_environment_that_raised_is_a_kernel_started_before():
    text = PIP_SATISFIED.format(pip_site="/usr/local/lib/python3.10/dist-packages",
                                run_site="/usr/local/lib/python3.10/dist-packages")
    ranked = [h.cause for h in hypotheses("!pip install tensorflow\n" + text)[1]]
    assert ranked[0] == "kernel-not-restarted", ranked[:3]


def _text_and_leave_out(item: str) -> Tuple[str, frozenset]:
    if not item.startswith("case:"):
        return item, frozenset()
    case_id = item[len("case:"):]
    case = next(c for c in corpus.load() if c["id"] == case_id)
    return case["text"], frozenset({case["source_url"]})


@pytest.mark.parametrize(("pair", "expected", "item"),
                         [(pair, cause, item) for pair, items in PAIRS.items()
                          for cause, item in items])
def test_each_side_of_the_pair_wins_its_own_text(pair, expected, item):
    text, own_thread = _text_and_leave_out(item)
    ranked = [h.cause for h in hypotheses(text, without_sources=own_thread)[1]]
    assert ranked[:1] == [expected], (pair, ranked[:3])


def test_every_pair_is_tested_from_both_sides():
    for pair, items in PAIRS.items():
        assert {cause for cause, _ in items} == set(pair.split(" | ")), pair


def test_a_title_naming_only_macos_11_leaves_both_wheel_causes_near_even():
    """tensorflow/tensorflow#47205's title names macOS 11 and nothing of the Mac or its Python:
    an Apple Silicon Mac (no TensorFlow wheel before 2.13) and an Intel Mac on Homebrew's Python
    3.9 (none before 2.5, the thread's cause) both fit, and so does a pip older than Big Sur's
    tags: none of them may be shown as settled."""
    text, own_thread = _text_and_leave_out("case:tf-47205-homebrew-python39-no-wheel")
    ranked = hypotheses(text, without_sources=own_thread)[1]
    assert {h.cause for h in ranked[:3]} == {"no-wheel-for-python", "no-wheel-for-platform",
                                             "pip-too-old-for-platform-tags"}
    assert ranked[0].score - ranked[2].score < 0.1
