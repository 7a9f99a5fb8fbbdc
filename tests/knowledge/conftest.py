"""Fixtures for knowledge tests: a user data folder of their own for every test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def user_data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "user-knowledge"
    monkeypatch.setenv("KERAS_DOCTOR_DATA_DIR", str(folder))
    return folder
