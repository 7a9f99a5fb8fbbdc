"""Helpers shared by the engine tests (a module of its own: every test folder has a conftest).

A fingerprint is what "identical after rollback" means: every distribution with its version, and
the sha256 of every file that the touched distributions' RECORDs list.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Dict, Iterable, Tuple

import envs

from keras_doctor.apply.environment import installed, read_target
from keras_doctor.facts.distributions import installed_files
from keras_doctor.plan.installers import find_uv, install_argv, uninstall_argv
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

OFFLINE_ENV = {
    "UV_OFFLINE": "1",
    "PIP_NO_INDEX": "1",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
}

SMALL_STEPS = [["numpy==1.26.4", "six==1.16.0", "protobuf==4.25.3"]]


def python_of(env: Path) -> str:
    return str(envs.venv_python(env))


def fingerprint(python: str, names: Iterable[str]) -> Tuple[Dict[str, str], Dict[str, str]]:
    """({name: version} of every distribution, {path: sha256} of every file of `names`)."""
    target = read_target(python)
    dists, _ = installed(target.site_dirs)
    wanted = set(names)
    hashes = {}
    for dist in dists:
        if dist.canonical_name not in wanted:
            continue
        for path in installed_files(dist) or ():
            if os.path.isfile(path):
                hashes[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return {d.canonical_name: d.version for d in dists}, hashes


TOUCHED = ["numpy", "six", "protobuf"]


def make_plan(python: str, *steps: PlannedStep) -> Plan:
    return Plan(target=PlanTarget(python=python, platform="linux-x86_64", python_version="3.11"),
                steps=list(steps))


def install(python: str, *pins: str) -> PlannedStep:
    names = [p.split("==")[0] for p in pins]
    return PlannedStep(StepKind.INSTALL, f"install {' '.join(pins)}",
                       argv=install_argv("uv", python, pins, find_uv()), names=names,
                       pins=list(pins))


def uninstall(python: str, *names: str) -> PlannedStep:
    return PlannedStep(StepKind.UNINSTALL, f"uninstall {' '.join(names)}",
                       argv=uninstall_argv("uv", python, names, find_uv()), names=list(names),
                       destructive=True)
