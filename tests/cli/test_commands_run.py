"""Every command keras-doctor prints runs as printed, in the environment it names."""

from __future__ import annotations

import json
import subprocess
import sys

import envs
import pytest
from ptyterm import commands_under_fix, run_on_terminal

from keras_doctor.plan.installers import install_argv

DOCTOR = [sys.executable, "-m", "keras_doctor"]


@pytest.mark.slow
def test_the_commands_check_prints_repair_a_pipless_uv_environment(tmp_path):
    cached = envs.venv("keras3-over-tf215", [["tensorflow-cpu==2.15.1"],
                                             ["--no-deps", "keras==3.5.0"]])
    env = envs.copy_tree(cached, tmp_path / "env")
    python = str(envs.venv_python(env))
    assert not (env / "bin" / "pip").exists()  # made by uv: no pip inside
    subprocess.run([*DOCTOR, "fix", "--python", python, "--json"], capture_output=True,
                   timeout=600)  # resolves online once, so check finds the answer offline
    code, screen = run_on_terminal([*DOCTOR, "check", "--python", python], columns=100)
    assert code == 1
    commands = commands_under_fix(screen)
    assert commands, screen
    for command in commands:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (command, done.stderr)
    after = subprocess.run([*DOCTOR, "check", "--python", python, "--json"],
                           capture_output=True, text=True, timeout=120)
    report = json.loads(after.stdout)
    assert report["summary"]["errors"] == 0, report["findings"]


@pytest.mark.slow
def test_an_environment_without_pip_is_changed_by_this_pip_through_its_python_option(tmp_path):
    cached = envs.venv("numpy-only", [["numpy==2.1.3"]])
    env = envs.copy_tree(cached, tmp_path / "env")
    python = str(envs.venv_python(env))
    argv = install_argv("pip-python", python, ["six==1.16.0"], None)
    assert argv[:5] == [sys.executable, "-m", "pip", "--python", python]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600,
                          env={**envs._builder_env(), "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert done.returncode == 0, done.stderr
    assert subprocess.run([python, "-c", "import six"]).returncode == 0


@pytest.mark.slow
def test_fix_shows_progress_while_it_resolves_on_a_terminal_and_nothing_on_a_pipe():
    python = str(envs.venv_python(envs.venv("numpy2-over-tf215", [["tensorflow-cpu==2.15.1"],
                                                                  ["--no-deps", "numpy==2.1.3"]])))
    _, screen = run_on_terminal([*DOCTOR, "fix", "--python", python], columns=100)
    assert "Resolving a consistent set for linux-x86_64, Python 3.11" in screen
    piped = subprocess.run([*DOCTOR, "fix", "--python", python], capture_output=True, text=True,
                           timeout=600)
    assert "Resolving" not in piped.stderr and "Resolving" not in piped.stdout
    assert "Fix plan for" in piped.stdout
