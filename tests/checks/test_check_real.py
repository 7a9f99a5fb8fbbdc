"""`keras-doctor check` on real environments: uv-built virtualenvs and macOS trees from PyPI wheels.

Each test runs the real command line in a subprocess, as a user would, and asserts the exact causes,
files and owners.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import envs
import pytest
import scenarios

pytestmark = pytest.mark.slow


def doctor(*args, cwd=None, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, "-m", "keras_doctor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    return proc


def exit_code_for(report):
    """What `check` must exit with: 1 when a finding is at or above the default --fail-on error."""
    return 1 if any(f["severity"] == "error" for f in report["findings"]) else 0


def check_json(*args, **kw):
    proc = doctor("check", "--json", *args, **kw)
    report = json.loads(proc.stdout)
    assert proc.returncode == exit_code_for(report), proc.stderr
    return proc.returncode, report


def causes(report):
    return sorted({f["cause"] for f in report["findings"]})


def test_healthy_tensorflow_and_keras_3_env_is_clean(tmp_path):
    py = envs.venv_python(scenarios.healthy_tf())
    code, report = check_json("--python", str(py), cwd=tmp_path)
    assert report["findings"] == [], report["findings"]
    assert code == 0
    assert report["summary"]["passed"] >= 10


def test_tensorflow_and_tensorflow_cpu_installed_together(tmp_path):
    py = envs.venv_python(scenarios.tf_and_tf_cpu())
    code, report = check_json("--python", str(py), cwd=tmp_path)
    assert code == 1
    (overlap,) = [f for f in report["findings"] if f["cause"] == "tf-distributions-overlap"]
    # The wheel of tensorflow-cpu names itself tensorflow_cpu in its metadata.
    assert [o["name"] for o in overlap["evidence"]["owners"]] == ["tensorflow", "tensorflow_cpu"]
    assert "tensorflow" in overlap["evidence"]["shared_top_level"]
    assert overlap["evidence"]["shared_file_count"] > 1000
    uninstall, reinstall = overlap["fix"]
    assert uninstall["destructive"] and uninstall["command"][0] == str(py)
    assert uninstall["command"][1:] == ["-m", "pip", "uninstall", "-y", "tensorflow",
                                        "tensorflow_cpu"]
    # Exactly one build comes back: the plain tensorflow, at the version that was installed.
    assert not reinstall["destructive"]
    assert reinstall["command"][1:4] == ["-m", "pip", "install"]
    assert reinstall["command"][-1] == f"tensorflow=={scenarios.TF}"


def test_a_keras_py_in_the_working_directory_shadows_keras(tmp_path):
    (tmp_path / "keras.py").write_text("print('my first model')\n")
    py = envs.venv_python(scenarios.healthy_tf())
    code, report = check_json("--python", str(py), cwd=tmp_path)
    (shadow,) = [f for f in report["findings"] if f["cause"] == "shadowed-module"]
    assert shadow["evidence"]["path"] == str(tmp_path / "keras.py")
    assert shadow["evidence"]["hidden_distribution"] == "keras"
    assert shadow["severity"] == "error" and code == 1


def test_keras_backend_jax_without_jax(tmp_path):
    py = envs.venv_python(scenarios.healthy_tf())
    code, report = check_json("--python", str(py), cwd=tmp_path,
                              env_extra={"KERAS_BACKEND": "jax"})
    assert code == 1
    assert causes(report) == ["keras-backend-unavailable"]
    assert report["findings"][0]["evidence"]["installed_backends"] == ["tensorflow"]


def test_clean_macos_arm64_tree_checked_from_linux():
    tree = scenarios.mac_arm64_tree()
    _, report = check_json("--path", str(tree), "--platform", "macos-arm64",
                           "--python-version", "3.11")
    assert "mixed-arch-binary" not in causes(report)
    assert report["target"]["platform"] == "macos-arm64"


def test_x86_64_package_mixed_into_an_arm64_tree():
    tree = scenarios.mac_arm64_tree_with_x86_h5py()
    code, report = check_json("--path", str(tree), "--platform", "macos-arm64",
                              "--python-version", "3.11")
    mixed = [f for f in report["findings"] if f["cause"] == "mixed-arch-binary"]
    assert [f["evidence"]["owner"] for f in mixed] == ["h5py"]
    files = {Path(f["path"]).relative_to(tree).as_posix() for f in mixed[0]["evidence"]["files"]}
    on_disk = {p.relative_to(tree).as_posix() for p in (tree / "h5py").rglob("*")
               if p.suffix in (".so", ".dylib")}
    assert files and files <= on_disk
    assert mixed[0]["evidence"]["file_count"] == len(on_disk)
    assert all(f["archs"] == ["x86_64"] for f in mixed[0]["evidence"]["files"])
    assert code == 1


def test_x86_64_tree_checked_as_macos_arm64():
    tree = scenarios.mac_x86_tree()
    _, report = check_json("--path", str(tree), "--platform", "macos-arm64",
                              "--python-version", "3.11")
    owners = sorted(f["evidence"]["owner"] for f in report["findings"]
                    if f["cause"] == "mixed-arch-binary")
    # grpcio's wheel for this tag is universal2: it holds an arm64 slice, so it loads fine.
    assert owners == ["h5py", "numpy"]
    from keras_doctor.facts.binfmt import read_header

    grpc = next((tree / "grpc").rglob("*.so"))
    assert read_header(str(grpc)).archs == ("x86_64", "arm64")
    # The same tree is right for an Intel Mac.
    _, intel = check_json("--path", str(tree), "--platform", "macos-x86_64",
                          "--python-version", "3.11")
    assert "mixed-arch-binary" not in causes(intel)


def test_facts_saved_and_diagnosed_elsewhere_give_the_same_findings(tmp_path):
    py = envs.venv_python(scenarios.tf_and_tf_cpu())
    saved = doctor("facts", "--python", str(py), cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    (tmp_path / "facts.json").write_text(saved.stdout)
    _, direct = check_json("--python", str(py), cwd=tmp_path)
    _, replayed = check_json("--facts", str(tmp_path / "facts.json"))
    assert [f["title"] for f in replayed["findings"]] == [f["title"] for f in direct["findings"]]


@pytest.mark.parametrize("version", ["3.7", "3.9", "3.13"])
def test_the_probe_runs_on_old_and_new_pythons(version, tmp_path):
    exe = Path(envs.require_python(version))
    saved = doctor("facts", "--python", str(exe), cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    facts = json.loads(saved.stdout)
    assert facts["interpreter"]["version"].startswith(version)
    assert facts["interpreter"]["running_arch"] in ("x86_64", "arm64")


@pytest.mark.parametrize("version", ["3.9", "3.13"])
def test_keras_doctor_itself_runs_on_the_oldest_and_newest_supported_python(version, tmp_path):
    envs.require_instrumentable_python(version)
    repo = Path(__file__).resolve().parents[2]
    env = tmp_path / f"py{version}"
    uv = envs.uv_executable()
    interpreter = envs.require_python(version)
    subprocess.run([uv, "venv", "-q", "--python", interpreter, str(env)], check=True,
                   capture_output=True, text=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(envs.venv_python(env)), str(repo)],
                   check=True, capture_output=True, timeout=600)
    envs.install_instrumented_runtime(envs.venv_python(env))
    proc = subprocess.run([str(env / "bin" / "keras-doctor"), "check", "--json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stdout)
    assert proc.returncode == exit_code_for(report), proc.stderr
    assert report["target"]["python_version"].startswith(version)
    assert "check-crashed" not in causes(report), report["findings"]
    terminal = subprocess.run([str(env / "bin" / "keras-doctor"), "check", "--no-color"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert terminal.returncode == proc.returncode and "keras-doctor check" in terminal.stdout
