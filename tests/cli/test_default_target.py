"""A bare `keras-doctor check` examines the environment the user means, and says which and why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import envs
import pytest

from keras_doctor.facts.choose import default_target, tool_environment

ROOT = Path(__file__).parents[2]


def _venv_dir(tmp_path: Path, name: str) -> Path:
    prefix = tmp_path / name
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python").write_text("")
    return prefix


def test_an_active_virtualenv_is_the_target(tmp_path):
    venv = _venv_dir(tmp_path, "project-venv")
    choice = default_target({"VIRTUAL_ENV": str(venv)}, running_prefix=sys.prefix)
    assert choice.python == str(venv / "bin" / "python") and choice.source == "virtualenv"
    assert "$VIRTUAL_ENV" in choice.reason


def test_a_conda_env_is_the_target_when_no_virtualenv_is_active(tmp_path):
    conda = _venv_dir(tmp_path, "conda-env")
    choice = default_target({"CONDA_PREFIX": str(conda)}, running_prefix=sys.prefix)
    assert choice.source == "conda" and choice.python == str(conda / "bin" / "python")
    assert choice.reason == "the active conda environment ($CONDA_PREFIX)"


def test_the_virtualenv_running_keras_doctor_is_examined_in_process():
    choice = default_target({"VIRTUAL_ENV": sys.prefix}, running_prefix=sys.prefix)
    assert choice.python is None and choice.source == "running"


def test_from_a_tool_environment_the_python3_on_path_is_the_target(tmp_path):
    tool = _venv_dir(tmp_path, "tools/keras-doctor")
    (tool / "uv-receipt.toml").write_text("[tool]\n")
    user_python = str(tmp_path / "usr" / "bin" / "python3")
    choice = default_target({}, running_prefix=str(tool), which=lambda name: user_python)
    assert choice.python == user_python and choice.source == "path"
    assert "uv tool" in choice.reason
    assert tool_environment(str(tmp_path / "x" / "pipx" / "venvs" / "keras-doctor")) == "pipx"
    # outside a tool environment, keras-doctor examines the interpreter it is installed in,
    # and says why (the report's first line)
    only_python = str(tmp_path / "usr" / "bin" / "python")  # no python3 on PATH, as on Windows
    choice = default_target({}, running_prefix=str(tool),
                            which=lambda name: only_python if name == "python" else None)
    assert choice.python == only_python and choice.source == "path"
    plain = default_target({}, running_prefix=str(tmp_path), which=lambda n: user_python)
    assert plain.python is None and plain.source == "running"
    assert "no virtualenv is active" in plain.reason


@pytest.mark.slow
def test_uv_tool_install_then_check_examines_the_python3_on_path(tmp_path):
    """Installed as a tool, keras-doctor checks the user's python3, not its own interpreter."""
    tools, bin_dir = tmp_path / "tools", tmp_path / "bin"
    env = dict(os.environ, UV_TOOL_DIR=str(tools), UV_TOOL_BIN_DIR=str(bin_dir))
    subprocess.run([envs.uv_executable(), "tool", "install", "-q", "--python", sys.executable,
                    "--from", str(ROOT), "keras-doctor"], check=True, env=env, timeout=600)
    envs.install_instrumented_runtime(envs.venv_python(tools / "keras-doctor"))
    user_env = envs.venv("numpy-only", [["numpy==2.1.3"]])  # what the user runs code with
    env["PATH"] = os.pathsep.join([str(bin_dir), str(user_env / "bin"), "/usr/bin", "/bin"])
    env.pop("VIRTUAL_ENV", None)
    out = subprocess.run([str(bin_dir / "keras-doctor"), "check", "--json"], env=env,
                         capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout)
    assert report["target"]["path"] == str(user_env / "bin" / "python3")
    assert "the python3 on PATH" in report["target"]["chosen"]
    assert report["target"]["frameworks"] == {"tensorflow": None, "keras": None}
    text = subprocess.run([str(bin_dir / "keras-doctor"), "check"], env=env,
                          capture_output=True, text=True, timeout=120).stdout
    header = " ".join(" ".join(text.split("\n\n")[0].splitlines()).split())
    assert "neither TensorFlow nor Keras is installed here" in header
    assert "neither TensorFlow nor Keras is installed in" in text.splitlines()[-1]


def test_a_virtualenv_is_the_target_even_when_the_running_prefix_is_gone(tmp_path):
    venv = _venv_dir(tmp_path, "project-venv")
    choice = default_target({"VIRTUAL_ENV": str(venv)}, running_prefix=str(tmp_path / "gone"))
    assert choice.source == "virtualenv" and choice.python == str(venv / "bin" / "python")


def test_a_windows_virtualenv_names_its_scripts_python(tmp_path):
    from keras_doctor.facts.choose import env_python

    venv = tmp_path / "venv"
    assert env_python(str(venv), windows=True) == venv / "Scripts" / "python.exe"
    (venv / "python.exe").parent.mkdir(parents=True)
    (venv / "python.exe").write_text("")  # a conda prefix keeps python.exe at its root
    assert env_python(str(venv), windows=True) == venv / "python.exe"
    assert env_python(str(venv), windows=False) == venv / "bin" / "python"
