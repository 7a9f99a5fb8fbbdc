"""Fixtures for the transaction engine: a private data dir, private copies of real uv venvs."""

from __future__ import annotations

from pathlib import Path

import envs
import pytest
from apply_helpers import SMALL_STEPS


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "doctor-data"
    monkeypatch.setenv("KERAS_DOCTOR_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def small_env(tmp_path) -> Path:
    """A writable copy of a real venv holding numpy 1.26.4, six and protobuf 4.25.3."""
    # Building the numpy 2 venv too puts its wheel in uv's cache, so later installs work offline.
    envs.venv("apply-numpy2", [["numpy==2.1.3"]])
    cached = envs.venv("apply-small", SMALL_STEPS)
    return envs.copy_tree(cached, tmp_path / "env")


@pytest.fixture(scope="session")
def tiny_wheels(tmp_path_factory) -> Path:
    import tiny

    return tiny.wheels(tmp_path_factory.mktemp("tiny-wheels"))


@pytest.fixture(scope="session")
def tiny_cached(tmp_path_factory, tiny_wheels) -> Path:
    import tiny

    return tiny.make_env(tmp_path_factory.mktemp("tiny-cached") / "env", tiny_wheels)


@pytest.fixture
def tiny_env(tmp_path, tiny_cached) -> Path:
    """A private copy of a real uv venv holding tinypkg 1.0 (built in about a second, offline)."""
    import tiny

    return tiny.copy_env(tiny_cached, tmp_path / "env")
