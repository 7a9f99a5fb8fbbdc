"""A notebook whose kernel runs in a conda environment: fixes of what conda installed are written
`%conda install`, the rest `%pip`, and the restart note says which is which.

What is real and what is not. No conda can be installed here (none on PyPI or in Debian that
installs anything), so the environment is a real virtualenv laid out as conda lays one out:
`conda-meta/` with a `history` file and a package record for numpy, and numpy's `INSTALLER` saying
`conda`, as conda-build writes it. Everything else is real: the virtualenv's Python, numpy 2.1.3,
ipykernel, a kernelspec pointing at that interpreter, Jupyter's machinery starting it, and the
notebook executed cell by cell through nbconvert. The `%conda` magic itself is never run (it needs
conda); what is checked is the advice the diagnosis gives in that kernel.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import envs
import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")
if importlib.util.find_spec("ipykernel") is None:
    pytest.skip("ipykernel is not installed", allow_module_level=True)

from nbconvert.preprocessors import ExecutePreprocessor  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src"
NUMPY2 = ("import numpy\n"
          "raise ImportError('A module that was compiled using NumPy 1.x cannot be run in NumPy "
          "2.1.3 as it may crash. ... numpy.core.multiarray failed to import')")


def _conda_layout_env(root: Path, numpy_from_conda: bool) -> Path:
    """A virtualenv at root/envs/tf with ipykernel and numpy 2.1.3, given conda's layout."""
    env = root / "envs" / "tf"
    uv = envs.uv_executable()
    subprocess.run([uv, "venv", "-q", "--python", "3.11", str(env)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(env / "bin" / "python"),
                    "ipykernel", "numpy==2.1.3", "packaging", "rich"], check=True)
    envs.install_instrumented_runtime(env / "bin" / "python")  # it imports keras-doctor from SRC
    meta = env / "conda-meta"
    meta.mkdir()
    build = "py311h71ddf71_0"
    (meta / "history").write_text(
        "==> 2026-11-27 09:12:44 <==\n# cmd: conda create -n tf python=3.11 numpy=2.1.3\n"
        "# conda version: 24.9.2\n+conda-forge/linux-64::python-3.11.7-hab00c5b_1_cpython\n"
        f"+conda-forge/linux-64::numpy-2.1.3-{build}\n")
    (meta / f"numpy-2.1.3-{build}.json").write_text(json.dumps({
        "name": "numpy", "version": "2.1.3", "build": build, "build_number": 0,
        "channel": "https://conda.anaconda.org/conda-forge/linux-64",
        "requested_spec": "numpy=2.1.3",
        "files": ["lib/python3.11/site-packages/numpy/__init__.py"]}))
    if numpy_from_conda:
        installer = next((env / "lib").glob("python3.*/site-packages/numpy-2.1.3.dist-info")) \
            / "INSTALLER"
        installer.unlink()  # a hard link into uv's cache: replaced, never written through
        installer.write_text("conda\n")
    return env


def _kernel(root: Path, env: Path, monkeypatch) -> str:
    """A kernelspec for the environment's own interpreter, as `ipykernel install` writes one."""
    spec = root / "jupyter" / "kernels" / "conda-tf"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(env / "bin" / "python"), "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": "Python 3 (conda: tf)", "language": "python",
        "env": {"PYTHONPATH": str(SRC)}}))  # keras-doctor as %pip install keras-doctor puts it
    monkeypatch.setenv("JUPYTER_PATH", str(root / "jupyter"))
    for name in ("CONDA_PREFIX", "VIRTUAL_ENV"):  # a kernel started from Jupyter's own env
        monkeypatch.delenv(name, raising=False)
    return "conda-tf"


def _diagnosis(root: Path, kernel: str) -> dict:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(s) for s in
                      ("import sys; print(sys.prefix)", "%load_ext keras_doctor", NUMPY2)]
    ExecutePreprocessor(timeout=180, kernel_name=kernel, allow_errors=True).preprocess(
        notebook, {"metadata": {"path": str(root)}})
    prefix = notebook.cells[0].outputs[0]["text"].strip()
    assert prefix == str(root / "envs" / "tf"), prefix  # the conda-layout env ran the cells
    outputs = notebook.cells[2].outputs
    assert [o["output_type"] for o in outputs][::len(outputs) - 1] == ["display_data", "error"]
    return outputs[0]["data"]


@pytest.mark.slow
def test_a_package_conda_installed_is_fixed_with_conda_install(tmp_path, monkeypatch):
    env = _conda_layout_env(tmp_path, numpy_from_conda=True)
    data = _diagnosis(tmp_path, _kernel(tmp_path, env, monkeypatch))
    text, html = data["text/plain"], data["text/html"]
    assert "numpy-abi-mismatch" in text
    assert "%conda install -y 'numpy<2" in text, text
    assert "%pip install" not in text and "%pip install" not in html
    assert text.splitlines()[0].endswith(", then restart the kernel")
    assert "runs in a conda environment: change what conda installed with `%conda install`" \
        in " ".join(text.split())


@pytest.mark.slow
def test_a_package_pip_installed_in_a_conda_env_stays_pip(tmp_path, monkeypatch):
    env = _conda_layout_env(tmp_path, numpy_from_conda=False)
    data = _diagnosis(tmp_path, _kernel(tmp_path, env, monkeypatch))
    text = data["text/plain"]
    assert "%pip install 'numpy<2" in text and "%conda install" not in text.split("(this")[0]
    assert "runs in a conda environment" in " ".join(text.split())
