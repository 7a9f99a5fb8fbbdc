"""`--help` is the first thing a new user reads: in a 100-column window no line may run past the
edge (the terminal would break it mid-word), and no word (`keras-doctor`, an option) is split."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from keras_doctor.cli import COMMANDS

COLUMNS = 100


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)],
                         ids=lambda c: c[0] if c else "keras-doctor")
def test_help_fits_a_100_column_window_and_splits_no_word(command):
    out = subprocess.run([sys.executable, "-m", "keras_doctor", *command, "--help"],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "COLUMNS": str(COLUMNS)})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    too_long = [line for line in lines if len(line) > COLUMNS]
    assert too_long == [], "\n".join(too_long)
    assert not [line for line in lines if line.rstrip().endswith("keras-")], out.stdout
    assert out.stdout.count("\n\n") >= 1  # paragraphs and examples keep their blank lines
