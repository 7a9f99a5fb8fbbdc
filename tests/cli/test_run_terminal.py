"""`keras-doctor run` hands the program the real terminal, and still explains its failure."""

from __future__ import annotations

import subprocess
import sys

from ptyterm import run_on_terminal

PROGRAM = (
    "import sys\n"
    "print('stderr is a terminal:', sys.stderr.isatty(), flush=True)\n"
    "sys.stderr.write('\\x1b[31mcoloured\\x1b[0m line\\n')\n"
    "raise ImportError('numpy.core.multiarray failed to import')\n"
)


def test_the_program_gets_a_terminal_and_its_error_is_explained(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    code, screen = run_on_terminal([sys.executable, "-m", "keras_doctor", "run", "--no-env",
                                    "--", sys.executable, str(script)])
    assert code == 1
    assert "stderr is a terminal: True" in screen
    assert "coloured line" in screen and "numpy.core.multiarray failed to import" in screen
    assert "numpy-abi-mismatch" in screen  # explained after the program's own output
    assert screen.index("failed to import") < screen.index("numpy-abi-mismatch")


def test_on_a_pipe_the_output_passes_through_unchanged(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    done = subprocess.run([sys.executable, "-m", "keras_doctor", "run", "--no-env", "--",
                           sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert "\x1b[31mcoloured\x1b[0m line\n" in done.stderr  # byte for byte
    assert "numpy-abi-mismatch" in done.stderr
