"""`No module named 'keras.src…'`: which Keras ran, read off what its private tree lacks.

Keras 2.13 moved its code under `keras/src`; Keras 3 keeps `keras/src` with other modules in it.
So `keras.src` missing means a Keras <= 2.12 (code, or an unpickled object, from a newer one);
`keras.src.engine` missing means Keras 3 runs code written for 2.13-2.15's private tree; and
`keras.src.legacy` missing means a Keras 2.13-2.15 runs code that needs Keras 3. Each decision is
tested from every side, and the table it reads is checked against real wheels (slow).
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Dict, Set

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import hypotheses

TABLE = json.loads((Path(__file__).parents[2] / "src" / "keras_doctor" / "knowledge"
                    / "signatures.json").read_text("utf-8"))["keras_names"]["private_tree"]

# CPython's message for an import inside a library on the traceback's last line
LIBRARY = (
    "Traceback (most recent call last):\n"
    '  File "/home/me/venv/lib/python3.11/site-packages/somelib/model.py", line 3, in <module>\n'
    "    from {module} import something\n"
    "ModuleNotFoundError: No module named '{module}'"
)


@pytest.mark.parametrize(("module", "expected"), [
    ("keras.src", "package-too-old-for-api"),
    ("keras.src.saving", "package-too-old-for-api"),  # CPython names the first missing package
    ("keras.src.engine", "keras3-legacy-code"),
    ("keras.src.preprocessing", "keras3-legacy-code"),
    ("keras.src.legacy", "keras3-required"),
    ("keras.src.ops", "keras3-required"),
])
def test_what_the_tree_lacks_says_which_keras_ran(module, expected):
    missing = "keras.src" if module == "keras.src.saving" else module
    text = LIBRARY.format(module=module).replace(f"'{module}'", f"'{missing}'")
    ranked = [h.cause for h in hypotheses(text)[1]]
    assert ranked[:1] == [expected], ranked[:3]


def test_a_pickled_object_from_a_newer_keras_is_a_model_the_installed_one_cannot_load():
    text = ("model = joblib.load('model.pkl')\n"
            "ModuleNotFoundError: No module named 'keras.src'")
    ranked = [h.cause for h in hypotheses(text)[1]]
    assert ranked[:1] == ["model-format-incompatible"], ranked[:3]


def test_a_module_both_generations_have_is_left_to_the_other_rules():
    # keras.src.saving exists in 2.13-2.15 and in Keras 3: its absence proves nothing here
    assert "saving" not in TABLE["keras2_only"] + TABLE["keras3_only"]


@pytest.mark.parametrize("case_id", [
    "keras-18878-joblib-model-keras-src-on-keras26",
    "keras-tcn-280-keras-src-saving-on-tf212",
    "vit-keras-44-keras-src-engine-kaggle-keras3",
    "classification-models-3d-26-keras-src-legacy-on-keras214",
])
def test_real_reports(case_id):
    case = next(c for c in corpus.load() if c["id"] == case_id)
    ranked = [h.cause for h in hypotheses(case["text"], without_sources=frozenset(
        {case["source_url"]}))[1]]
    assert ranked[:1] == [case["cause"]], ranked[:3]


def _tree(path: Path) -> Set[str]:
    out = set()
    for name in zipfile.ZipFile(path).namelist():
        if name.startswith("keras/src/"):
            part = name.split("/")[2].removesuffix(".py")
            if part and part != "__init__":
                out.add(part)
    return out


@pytest.mark.slow
def test_the_table_matches_the_keras_src_trees_of_real_wheels():
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from envs import REAL_HOME

    from keras_doctor.knowledge.build.fetch import Fetcher
    from keras_doctor.knowledge.build.messages import PACKAGES, _wheel_for

    keras = next(p for p in PACKAGES if p.distribution == "keras")
    fetcher = Fetcher(REAL_HOME / ".cache" / "keras-doctor" / "build-cache",
                      progress=lambda message: None)
    trees: Dict[str, Set[str]] = {}
    for version in ("2.12.0", "2.13.1", "2.15.0", "3.0.5", "3.15.1"):
        wheel = _wheel_for(fetcher, keras, version)
        assert wheel is not None, version
        trees[version] = _tree(fetcher.download(wheel["url"]))
    assert trees["2.12.0"] == set()  # no private tree before 2.13
    keras2 = trees["2.13.1"] & trees["2.15.0"]
    keras3 = trees["3.0.5"] & trees["3.15.1"]
    assert set(TABLE["keras2_only"]) <= keras2 - trees["3.0.5"] - trees["3.15.1"]
    assert set(TABLE["keras3_only"]) <= keras3 - trees["2.13.1"] - trees["2.15.0"]
