"""`recommend --python ENV` on a real environment keeps the TensorFlow build installed there."""

from __future__ import annotations

import json
import subprocess
import sys

import envs
import pytest

pytestmark = pytest.mark.slow


def test_recommend_for_a_tensorflow_cpu_environment_names_tensorflow_cpu():
    # The same environment test_compat_real.py breaks with numpy 2 (shared cache).
    env = envs.venv("tf215-numpy2", [["tensorflow-cpu==2.15.1"], ["--no-deps", "numpy==2.1.3"]])
    proc = subprocess.run([sys.executable, "-m", "keras_doctor", "recommend", "--python",
                           str(envs.venv_python(env)), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    pins = json.loads(proc.stdout)["requirements"]
    assert pins[0].startswith("tensorflow-cpu==")  # `tensorflow==` here would overlap its files
    assert not any(p.startswith("tensorflow==") for p in pins)
