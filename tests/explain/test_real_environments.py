"""Real broken environments, real error text: `explain` must name the cause, with and without facts.

Each environment is built by `tests/envs.py` from PyPI wheels the way users break them (a forced
`--no-deps` install, a stray `keras.py`, a backend that is not installed); the error text is the
real standard error of importing the framework there, with a temporary HOME.
"""

from __future__ import annotations

import os
import subprocess

import envs
import pytest

from keras_doctor.explain import explain_text
from keras_doctor.facts.collect import collect_python
from keras_doctor.findings import Finding

pytestmark = pytest.mark.slow

TF215 = ["tensorflow-cpu==2.15.1"]


def python_of(name, steps) -> str:
    return str(envs.venv_python(envs.venv(name, steps)))


def stderr_of(python: str, code: str, cwd=None, **env) -> str:
    run_env = {**os.environ, **env}
    result = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, cwd=cwd, env=run_env, timeout=300
    )
    assert result.returncode != 0, result.stderr[-2000:]
    return result.stderr


def assert_explained(text: str, python: str, cause: str) -> Finding:
    text_only = explain_text(text)
    assert text_only.findings, text[-3000:]
    assert text_only.findings[0].cause == cause, (
        [(f.cause, f.confidence) for f in text_only.findings],
        text[-3000:],
    )
    with_facts = explain_text(text, collect_python(python))
    assert with_facts.findings[0].cause == cause, [
        (f.cause, f.confidence, f.check) for f in with_facts.findings
    ]
    return with_facts.findings[0]


def test_numpy2_forced_onto_tf215():
    python = python_of("tf215-numpy2", [TF215, ["--no-deps", "numpy==2.1.3"]])
    text = stderr_of(python, "import tensorflow")
    assert_explained(text, python, "numpy-abi-mismatch")
    finding = explain_text(text).findings[0]
    assert finding.evidence["numpy_version"] == "2.1.3"
    assert finding.fix[0].command[-1] == "numpy<2"


def test_protobuf_319_on_tf215():
    python = python_of("tf215-protobuf319", [TF215, ["--no-deps", "protobuf==3.19.6"]])
    text = stderr_of(python, "import tensorflow")
    assert_explained(text, python, "protobuf-mismatch")
    with_facts = explain_text(text, collect_python(python)).findings[0]
    assert any("protobuf" in arg and ">=" in arg for arg in with_facts.fix[0].command)


def test_keras_py_in_the_working_directory(tmp_path, monkeypatch):
    python = python_of("explain-keras3", [["keras==3.6.0"]])
    project = tmp_path / "project"
    project.mkdir()
    (project / "keras.py").write_text("from keras.models import Sequential\nmodel = Sequential()\n")
    text = stderr_of(python, "import keras", cwd=project)
    monkeypatch.chdir(project)  # the doctor runs where the user ran the program
    finding = assert_explained(text, python, "shadowed-module")
    assert finding.confidence > 0.9 and "explain+" in finding.check  # a check confirmed it


def test_keras_backend_jax_without_jax():
    python = python_of("explain-keras3", [["keras==3.6.0"]])
    text = stderr_of(python, "import keras", KERAS_BACKEND="jax")
    assert_explained(text, python, "keras-backend-unavailable")
    assert explain_text(text).findings[0].evidence.get("backend") == "jax"


KERAS2_CODE = [
    ("from keras.preprocessing.image import ImageDataGenerator", "keras3-removed-api"),
    # the user's own code (no library frame): the name Keras 3 removed, not a library of Keras 2's
    ("from tensorflow.keras.layers.experimental import preprocessing", "keras3-removed-api"),
    ("import keras; keras.applications.RegNetX002", "keras3-removed-api"),
    ("from keras.layers import Dens", "keras-api-moved"),
]


@pytest.mark.parametrize(("code", "cause"), KERAS2_CODE)
def test_keras2_code_under_keras3(code, cause):
    """TensorFlow with Keras 3 (the checks' healthy environment) running Keras 2 era code."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
    import scenarios

    python = str(envs.venv_python(scenarios.healthy_tf()))
    text = stderr_of(python, code)
    finding = explain_text(text, collect_python(python)).findings[0]
    assert finding.cause == cause, (finding.cause, text[-1500:])
    if cause == "keras-api-moved":
        assert finding.evidence["closest"] == "Dense"
