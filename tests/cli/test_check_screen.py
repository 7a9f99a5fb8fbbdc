"""What a person sees from `check` on the real broken environments: the root cause and the one
command that fixes it in the first screen, and that command is the one `fix` runs."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import envs
import pytest
from ptyterm import run_on_terminal

DOCTOR = [sys.executable, "-m", "keras_doctor"]
TF215 = ["tensorflow-cpu==2.15.1"]
SCREEN = 40  # rows of the terminal the output must make its point in


def _fix_plan(python: Path) -> dict:
    out = subprocess.run([*DOCTOR, "fix", "--python", str(python), "--json"],
                         capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("name, steps, root", [
    ("keras3-over-tf215", [TF215, ["--no-deps", "keras==3.5.0"]], "keras-tf-version-skew"),
    ("numpy2-over-tf215", [TF215, ["--no-deps", "numpy==2.1.3"]], "numpy-abi-mismatch"),
])
def test_the_root_cause_and_the_fix_commands_fill_the_first_screen(name, steps, root):
    python = envs.venv_python(envs.venv(name, steps))
    plan = _fix_plan(python)  # resolves online once; check then answers from the same cache
    commands = [shlex.join(step["argv"]) for step in plan["steps"] if step["argv"]]
    assert commands, plan

    code, screen = run_on_terminal([*DOCTOR, "check", "--python", str(python)], columns=100)

    lines = screen.splitlines()
    assert code == 1
    first = "\n".join(lines[:SCREEN])
    assert f"{root}:" in first
    # the root cause is the first problem shown, before any missing-dependency
    problem_lines = [line for line in lines if line.startswith("    ✗ ")]
    assert problem_lines and lines.index(problem_lines[0]) < SCREEN
    causes_in_order = [line.split(":")[0].strip() for line in lines
                       if line.strip().split(":")[0] in (root, "missing-dependency")]
    assert causes_in_order[0] == root
    # the commands shown are exactly the plan's, each once, and nothing else is to be installed
    flat = " ".join(first.split())
    for command in commands:
        assert flat.count(command) == 1, (command, screen)
    installs = [line for line in lines if " install " in line and "next:" not in line]
    assert len(installs) == len(commands), screen
    assert f"next: keras-doctor fix --python {python}" in " ".join(lines[-3:]).replace("`", "")


@pytest.mark.slow
def test_check_json_carries_the_plan_fix_would_run():
    python = envs.venv_python(envs.venv("keras3-over-tf215", [TF215, ["--no-deps",
                                                                      "keras==3.5.0"]]))
    plan = _fix_plan(python)
    out = subprocess.run([*DOCTOR, "check", "--python", str(python), "--json"],
                         capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout)
    assert [s["argv"] for s in report["extra"]["plan"]["steps"]] == \
        [s["argv"] for s in plan["steps"]]
