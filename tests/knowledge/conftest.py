"""Fixtures for knowledge tests: a user data folder of their own for every test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def user_data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "user-knowledge"
    monkeypatch.setenv("KERAS_DOCTOR_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _installer_tags_computed_afresh():
    """The tags an installer accepts are cached per process; each test computes those it relies
    on itself, so a test of wheel choice exercises the tag generation it depends on."""
    from keras_doctor.knowledge.releases import supported_tags

    supported_tags.cache_clear()
