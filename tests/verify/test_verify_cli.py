"""`keras-doctor verify` on the command line: exit codes, JSON output, plain progress lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def doctor(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "keras_doctor", "verify", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


@pytest.mark.parametrize("args, message", [
    (["--python", "/no/such/python"], "not an executable file"),
    (["--models", "VGG16,Res Net"], "not a model name"),
    (["--timeout", "0"], "--timeout"),
    (["--download"], "--download goes with --weights"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    proc = doctor(*args)

    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr.strip().splitlines()[-1]


@pytest.mark.slow
def test_json_report_and_exit_code_1_for_a_crash(numpy_only_python, fake_packages):
    fake_packages("tensorflow/__init__.py",
                  "import os, signal\nos.kill(os.getpid(), signal.SIGABRT)\n")

    proc = doctor("--python", numpy_only_python, "--json", "--models", "VGG16")

    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["command"] == "verify"
    assert [f["cause"] for f in report["findings"]] == ["verify-crashed"]
    assert report["findings"][0]["evidence"]["signal"] == "SIGABRT"
    statuses = {step["name"]: step["status"] for step in report["extra"]["steps"]}
    assert statuses == {"python": "ok", "numpy": "ok", "tensorflow": "crashed"}
    assert proc.stderr == ""  # no progress lines around JSON


@pytest.mark.slow
def test_plain_progress_lines_when_not_a_terminal(numpy_only_python):
    proc = doctor("--python", numpy_only_python, "--models", "")

    assert proc.returncode == 1, proc.stdout + proc.stderr  # numpy alone: no keras to import
    assert proc.stderr.splitlines()[:4] == [
        line for line in proc.stderr.splitlines()[:4] if line.split(" (")[0] in (
            "✓ start the interpreter", "✓ import numpy",
            "- import tensorflow: skipped, tensorflow is not installed",
            "✗ import keras")]
    assert "Verification steps" in proc.stdout


@pytest.mark.slow
def test_live_progress_on_a_terminal(numpy_only_python):
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "keras_doctor", "verify", "--python", numpy_only_python,
         "--models", ""], stdout=follower, stderr=follower, env=dict(os.environ, TERM="xterm"))
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)

    assert proc.wait(timeout=60) == 1
    text = output.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert "Verification steps" in text and "import keras" in text
