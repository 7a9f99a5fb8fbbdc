"""A crash during verify is a finding, never a pass: real signals, in the fast suite.

The slow suite proves this on a real numpy from PyPI. Here the interpreter is a virtualenv made with
`python -m venv --without-pip` (offline, a fraction of a second) and the packages on PYTHONPATH are
stand-ins whose import kills the driver's process with a real signal, the way a TensorFlow build
for a CPU with AVX dies with SIGILL on one without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from verify_envs import causes_of, steps_by_name

from keras_doctor.facts.model import Facts, InterpreterFacts, PlatformFacts, Target
from keras_doctor.findings import Severity
from keras_doctor.verify import run_verify

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")

KILL_ON_IMPORT = "import os, signal\nos.kill(os.getpid(), signal.{signal})\n"
NUMPY_STAND_IN = "__version__ = '1.26.4'\n"


@pytest.fixture
def bare_python(tmp_path):
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    return str(env / "bin" / "python")


@pytest.fixture
def crashing_tensorflow(fake_packages):
    fake_packages("numpy/__init__.py", NUMPY_STAND_IN)
    fake_packages("tensorflow/__init__.py", KILL_ON_IMPORT.format(signal="SIGILL"))


def test_sigill_while_importing_tensorflow_is_a_crash_of_that_step(bare_python,
                                                                   crashing_tensorflow):
    report = run_verify(bare_python, timeout=60)

    steps = steps_by_name(report)
    assert steps["numpy"]["status"] == "ok"
    assert steps["tensorflow"]["status"] == "crashed"
    (crash,) = report.findings
    assert crash.cause == "verify-crashed"
    assert crash.evidence["signal"] == "SIGILL" and crash.evidence["step"] == "tensorflow"
    assert crash.severity is Severity.ERROR
    assert report.fails(Severity.ERROR)


@pytest.mark.parametrize("signal_name", ["SIGSEGV", "SIGABRT", "SIGBUS"])
def test_any_fatal_signal_at_startup_is_a_crash_before_any_step(bare_python, fake_packages,
                                                                 signal_name):
    fake_packages("sitecustomize.py", KILL_ON_IMPORT.format(signal=signal_name))

    report = run_verify(bare_python, timeout=60)

    steps = steps_by_name(report)
    assert list(steps) == ["python"]
    assert steps["python"]["status"] == "crashed"
    assert report.findings[0].evidence["signal"] == signal_name
    assert report.fails(Severity.ERROR)


def test_sigill_on_a_cpu_without_avx_is_named_from_the_facts(bare_python, crashing_tensorflow):
    no_avx = Facts(
        target=Target(mode="python", platform="linux-x86_64", python_version="3.11",
                      path=bare_python),
        platform=PlatformFacts(system="Linux", machine="x86_64", cpu_flags=["sse4_2", "ssse3"]),
        interpreter=InterpreterFacts(version="3.11.7", running_arch="x86_64"),
    )
    with_avx = Facts(
        target=no_avx.target,
        platform=PlatformFacts(system="Linux", machine="x86_64", cpu_flags=["sse4_2", "avx"]),
        interpreter=no_avx.interpreter,
    )

    assert causes_of(run_verify(bare_python, timeout=60, facts=no_avx)) == ["cpu-lacks-avx"]
    assert causes_of(run_verify(bare_python, timeout=60, facts=with_avx)) == ["verify-crashed"]


def test_sigill_under_rosetta_names_the_translated_interpreter(bare_python, crashing_tensorflow):
    translated = Facts(
        target=Target(mode="python", platform="macos-x86_64", python_version="3.11"),
        platform=PlatformFacts(system="Darwin", machine="arm64", apple_silicon=True,
                               rosetta_translated=True),
        interpreter=InterpreterFacts(version="3.11.7", running_arch="x86_64"),
    )
    assert causes_of(run_verify(bare_python, timeout=60, facts=translated)) == ["rosetta-python"]


def test_the_command_line_exits_1_on_a_crash(bare_python, crashing_tensorflow, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "keras_doctor", "verify", "--python",
                           bare_python, "--json"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["cause"] for f in report["findings"]] == ["verify-crashed"]
