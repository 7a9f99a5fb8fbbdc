"""Real environments for verify: built once with uv from PyPI wheels, cached between runs.

Verify imports the patient under a timeout, so these carry their bytecode from the build: a first
import that compiles all of TensorFlow on a busy machine must not look like a hang.
"""

from __future__ import annotations

from pathlib import Path

import envs
import pytest
from verify_envs import (
    HEALTHY,
    JAX_ONLY,
    KERAS2_TF215,
    NUMPY2_ON_TF215,
    NUMPY_ONLY,
    python_of,
)


@pytest.fixture(scope="session")
def healthy_python() -> str:
    return python_of(envs.venv("verify-healthy", HEALTHY, compile_bytecode=True))


@pytest.fixture(scope="session")
def numpy2_tf215_python() -> str:
    return python_of(envs.venv("verify-numpy2-tf215", NUMPY2_ON_TF215, compile_bytecode=True))


@pytest.fixture(scope="session")
def keras2_python() -> str:
    return python_of(envs.venv("verify-tf215-keras2", KERAS2_TF215, compile_bytecode=True))


@pytest.fixture(scope="session")
def jax_python() -> str:
    return python_of(envs.venv("verify-jax", JAX_ONLY, compile_bytecode=True))


@pytest.fixture(scope="session")
def numpy_only_python() -> str:
    """An environment with numpy and no framework: the base for fake, misbehaving frameworks."""
    return python_of(envs.venv("verify-numpy-only", NUMPY_ONLY, compile_bytecode=True))


@pytest.fixture
def fake_packages(tmp_path, monkeypatch):
    """A folder on PYTHONPATH where a test writes modules that shadow the real ones."""
    folder = tmp_path / "fake-packages"
    folder.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(folder))

    def write(relative: str, source: str) -> Path:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        return path

    return write
