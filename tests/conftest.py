"""Shared test set-up: every test gets a temporary HOME, so nothing touches the user's files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import envs

_ISOLATED_VARS = (
    "KERAS_BACKEND", "KERAS_HOME", "TF_USE_LEGACY_KERAS", "PYTHONPATH", "PYTHONHOME",
    "VIRTUAL_ENV", "CONDA_PREFIX", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
    "PIP_CACHE_DIR",
)


@pytest.fixture(autouse=True, scope="session")
def environment_build_progress(pytestconfig):
    """Show each test environment build on the terminal as it happens: a cold run downloads
    gigabytes, and a silent terminal for minutes looks like a hang."""
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    terminal = pytestconfig.pluginmanager.getplugin("terminalreporter")
    if capture is None or terminal is None:
        yield
        return

    def show(line: str) -> None:
        with capture.global_and_fixture_disabled():
            terminal.write_line(line)

    envs.progress = show
    yield
    envs.progress = envs._to_stderr


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    for var in _ISOLATED_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("UV_CACHE_DIR", envs.UV_CACHE_DIR)
    return home
