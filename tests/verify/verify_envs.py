"""Specs of the environments verify is tested on, and small helpers to read its reports."""

from __future__ import annotations

from pathlib import Path

import envs

HEALTHY = [["tensorflow==2.21.0", "keras"]]  # the newest TensorFlow with its Keras 3
NUMPY2_ON_TF215 = [["tensorflow-cpu==2.15.1"], ["--no-deps", "numpy==2.1.3"]]
JAX_ONLY = [["jax[cpu]", "keras"]]
KERAS2_TF215 = [["tensorflow-cpu==2.15.1", "numpy<2"]]  # the last TF whose tf.keras is Keras 2
NUMPY_ONLY = [["numpy"]]


def python_of(env_dir: Path) -> str:
    return str(envs.venv_python(env_dir))


def steps_by_name(report) -> dict:
    return {step["name"]: step for step in report.extra["steps"]}


def causes_of(report) -> list:
    return [finding.cause for finding in report.findings]
