"""Fixtures for the transaction engine: private copies of real uv environments, and fingerprints.

A fingerprint is what "identical after rollback" means: every distribution with its version, and
the sha256 of every file that the touched distributions' RECORDs list.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Dict, Iterable, Tuple

import envs
import pytest

from keras_doctor.apply.inventory import probe, read_site

OFFLINE_ENV = {
    "UV_OFFLINE": "1",
    "PIP_NO_INDEX": "1",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
}

SMALL_STEPS = [["numpy==1.26.4", "six==1.16.0", "protobuf==4.25.3"]]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "doctor-data"
    monkeypatch.setenv("KERAS_DOCTOR_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def small_env(tmp_path) -> Path:
    """A writable copy of a real venv holding numpy 1.26.4, six and protobuf 4.25.3."""
    # Building the numpy 2 venv too puts its wheel in uv's cache, so later installs work offline.
    envs.venv("apply-numpy2", [["numpy==2.1.3"]])
    cached = envs.venv("apply-small", SMALL_STEPS)
    return envs.copy_tree(cached, tmp_path / "env")


def python_of(env: Path) -> str:
    return str(envs.venv_python(env))


def fingerprint(python: str, names: Iterable[str]) -> Tuple[Dict[str, str], Dict[str, str]]:
    """({name: version} of every distribution, {path: sha256} of every file of `names`)."""
    target = probe(python)
    dists = read_site(target.site_dirs)
    wanted = set(names)
    hashes = {}
    for dist in dists:
        if dist.name not in wanted:
            continue
        for path in dist.files:
            if os.path.isfile(path):
                hashes[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return {d.name: d.version for d in dists}, hashes
