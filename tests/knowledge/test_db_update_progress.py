"""`db update` as a person sees it: a live spinner with the step it is on, on a real terminal;
on a pipe, plain lines a log keeps (no spinner frames, no cursor control)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))
from ptyterm import run_on_terminal

sys.path.insert(0, str(Path(__file__).parent))
from kb_helpers import EmptyIndex, serve

DOCTOR = [sys.executable, "-m", "keras_doctor"]
SPINNER = set("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")  # rich's default "dots" spinner
pytestmark = pytest.mark.slow  # each waits several seconds on a deliberately slow index


class _SlowEmptyIndex(EmptyIndex):
    """Slow enough that the update runs for a while before it fails cleanly."""

    delay = 0.15


@pytest.fixture
def slow_index(tmp_path):
    server = serve(_SlowEmptyIndex)
    env = {**os.environ, "KERAS_DOCTOR_INDEX_URL":
           f"http://127.0.0.1:{server.server_address[1]}/simple",
           "KERAS_DOCTOR_BUILD_CACHE": str(tmp_path / "build-cache"),
           "KERAS_DOCTOR_DATA_DIR": str(tmp_path / "user-knowledge")}
    for name in ("NO_COLOR", "FORCE_COLOR", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
                 "http_proxy"):
        env.pop(name, None)
    yield env
    server.shutdown()


def test_a_terminal_sees_a_spinner_naming_the_step(slow_index, tmp_path):
    code, screen = run_on_terminal([*DOCTOR, "db", "update", "--jobs", "2"], columns=100,
                                   env=slow_index, timeout=120)
    assert code == 3, screen
    assert SPINNER & set(screen), screen  # frames were drawn
    assert "Updating the knowledge base" in screen
    assert "db update failed, the previous data stays in use" in screen
    assert not (tmp_path / "user-knowledge").exists()


def test_a_pipe_gets_plain_progress_lines_and_no_spinner(slow_index):
    out = subprocess.run([*DOCTOR, "db", "update", "--jobs", "2"], env=slow_index,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 3
    assert not SPINNER & set(out.stderr + out.stdout)
    assert "\x1b[" not in out.stderr and "\r" not in out.stderr  # nothing redraws in a log
    progress = [line for line in out.stderr.splitlines() if line.startswith("[knowledge]")]
    assert progress, out.stderr  # the steps are there, one line each
    assert "db update failed, the previous data stays in use" in out.stderr
