"""Real crashes and real hangs, in a real environment whose framework misbehaves on import.

The environment has numpy from PyPI; a `tensorflow` (or `sitecustomize`) on PYTHONPATH kills its
own process with a real signal, or sleeps. The doctor must name the signal and the step, and cut a
hang at the timeout together with every process the driver started.
"""

from __future__ import annotations

import os
import time

import pytest
from verify_envs import causes_of, steps_by_name

from keras_doctor.facts.model import Facts, InterpreterFacts, PlatformFacts, Target
from keras_doctor.findings import Severity
from keras_doctor.verify import run_verify

pytestmark = pytest.mark.slow

KILL_ON_IMPORT = "import os, signal\nos.kill(os.getpid(), signal.{signal})\n"


def test_sigill_while_importing_tensorflow_is_a_crash_in_that_step(numpy_only_python,
                                                                   fake_packages):
    fake_packages("tensorflow/__init__.py", KILL_ON_IMPORT.format(signal="SIGILL"))

    report = run_verify(numpy_only_python, timeout=60)

    steps = steps_by_name(report)
    assert steps["numpy"]["status"] == "ok"
    assert steps["tensorflow"]["status"] == "crashed"
    assert "keras" not in steps  # the process was dead before it got there
    (crash,) = report.findings
    assert crash.cause == "verify-crashed"  # this CPU has AVX and is not translated
    assert crash.evidence["signal"] == "SIGILL"
    assert crash.evidence["step"] == "tensorflow"
    assert "SIGILL" in crash.title and "import tensorflow" in crash.title
    assert any("Fatal Python error" in line for line in crash.evidence["output"])
    assert report.fails(Severity.ERROR)


def test_sigill_on_a_cpu_without_avx_names_the_cause_from_the_facts(numpy_only_python,
                                                                    fake_packages):
    fake_packages("tensorflow/__init__.py", KILL_ON_IMPORT.format(signal="SIGILL"))
    no_avx = Facts(
        target=Target(mode="python", platform="linux-x86_64", python_version="3.11",
                      path=numpy_only_python),
        platform=PlatformFacts(system="Linux", machine="x86_64", cpu_flags=["sse4_2", "ssse3"]),
        interpreter=InterpreterFacts(version="3.11.7", running_arch="x86_64"),
    )

    report = run_verify(numpy_only_python, timeout=60, facts=no_avx)

    assert causes_of(report) == ["cpu-lacks-avx"]
    assert report.findings[0].evidence["signal"] == "SIGILL"


def test_sigill_under_rosetta_names_the_translated_interpreter(numpy_only_python, fake_packages):
    fake_packages("tensorflow/__init__.py", KILL_ON_IMPORT.format(signal="SIGILL"))
    translated = Facts(
        target=Target(mode="python", platform="macos-x86_64", python_version="3.11"),
        platform=PlatformFacts(system="Darwin", machine="arm64", apple_silicon=True,
                               rosetta_translated=True),
        interpreter=InterpreterFacts(version="3.11.7", running_arch="x86_64"),
    )

    report = run_verify(numpy_only_python, timeout=60, facts=translated)

    assert causes_of(report) == ["rosetta-python"]


def test_sigsegv_at_interpreter_startup_is_a_crash_before_any_step(numpy_only_python,
                                                                   fake_packages):
    fake_packages("sitecustomize.py", KILL_ON_IMPORT.format(signal="SIGSEGV"))

    report = run_verify(numpy_only_python, timeout=60)

    steps = steps_by_name(report)
    assert list(steps) == ["python"]
    assert steps["python"]["status"] == "crashed"
    assert report.findings[0].evidence["signal"] == "SIGSEGV"
    assert report.findings[0].evidence["step"] == "python"


def test_a_hang_is_cut_at_the_timeout_with_everything_it_started(numpy_only_python,
                                                                 fake_packages, tmp_path,
                                                                 isolated_home):
    pid_file = tmp_path / "child.pid"
    fake_packages("tensorflow/__init__.py", (
        "import os, subprocess, time\n"
        "os.makedirs(os.path.expanduser('~/.keras'))\n"  # as Keras does on first import
        "open(os.path.expanduser('~/.keras/keras.json'), 'w').write('{}')\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    ))

    started = time.monotonic()
    report = run_verify(numpy_only_python, timeout=4)
    elapsed = time.monotonic() - started

    assert elapsed < 300 / 5  # cut at the timeout, nowhere near the 300 s the step would hang
    steps = steps_by_name(report)
    assert steps["numpy"]["status"] == "ok"
    assert steps["tensorflow"]["status"] == "timeout"
    (hang,) = report.findings
    assert hang.cause == "verify-timeout"
    assert hang.evidence["step"] == "tensorflow"
    assert report.extra["timed_out_after"] == 4
    assert _gone(int(pid_file.read_text()))
    assert not (isolated_home / ".keras").exists()  # restored even though the driver was killed


def test_an_unknown_exception_from_a_local_tensorflow_folder_is_traced_to_that_folder(
        numpy_only_python, fake_packages):
    """No signature knows the error, but the facts show why it happens: the `tensorflow` that
    imports is a folder on PYTHONPATH, ahead of site-packages, that no distribution installed. The
    finding is the step's, keeps the program's own error, and names the folder. (An unknown error
    with no such explanation stays `verify-step-failed`: tests/verify/test_step_findings.py.)"""
    folder = fake_packages("tensorflow/__init__.py",
                           "raise RuntimeError('frobnicator 7f3a refused to initialise')\n").parent

    report = run_verify(numpy_only_python, timeout=60)

    steps = steps_by_name(report)
    assert steps["tensorflow"]["status"] == "failed"
    assert steps["keras"]["status"] == "skipped"
    (failure,) = report.findings
    assert failure.cause == "shadowed-module"
    assert failure.evidence["step"] == "tensorflow" and failure.check == "verify:tensorflow"
    assert failure.evidence["path"] == str(folder)
    assert failure.evidence["confirmed_by"] == "shadowing"
    assert "frobnicator 7f3a" in failure.evidence["from_error_text"]["exception"]


def _gone(pid: int, wait: float = 5.0) -> bool:
    """True once `pid` no longer runs (a zombie awaiting its reaper counts as gone)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.1)
    return False
