"""The examined interpreter is named by its absolute path in every header and in the commands a
report prints, however it was given: a relative `--python ./venv/bin/python` means nothing once the
report is read elsewhere, or the printed command is run from another directory."""

from __future__ import annotations

import json
import subprocess
import sys

import envs
from ptyterm import run_on_terminal

DOCTOR = [sys.executable, "-m", "keras_doctor"]
ERROR = "ImportError: numpy.core.multiarray failed to import\n"


def test_explain_and_check_name_a_relatively_given_interpreter_by_its_absolute_path(tmp_path):
    python, _ = envs.bare_venv(tmp_path / "project" / ".venv")
    log = tmp_path / "project" / "error.txt"
    log.write_text(ERROR)
    relative = "./.venv/bin/python"
    for argv in (["explain", "error.txt", "--python", relative], ["check", "--python", relative]):
        _, screen = run_on_terminal([*DOCTOR, *argv], columns=100, cwd=str(tmp_path / "project"))
        header = " ".join(screen.split("\n\n")[0].split())  # wrapped at spaces on the terminal
        assert header.startswith(f"keras-doctor {argv[0]} — Python 3."), screen
        assert f" at {python} (" in header, screen  # absolute, the virtualenv's own path
        assert " at ./" not in header
        assert "given with --python; neither TensorFlow nor Keras is installed here" in header
    out = subprocess.run([*DOCTOR, "explain", "error.txt", "--python", relative, "--json"],
                         capture_output=True, text=True, cwd=tmp_path / "project", timeout=120)
    target = json.loads(out.stdout)["target"]
    assert target["path"] == str(python) and target["chosen"] == "--python"
    assert target["frameworks"] == {"tensorflow": None, "keras": None}
