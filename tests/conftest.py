"""Shared test set-up: every test gets a temporary HOME, so nothing touches the user's files."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import envs

# A suite started in the background by a non-interactive shell (`pytest &`, `nohup`) inherits
# SIGINT ignored, and every `fix` a test interrupts with Ctrl-C would inherit it too and never stop.
# Python's own handler here makes each child start with the default disposition again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

_ISOLATED_VARS = (
    "KERAS_BACKEND", "KERAS_HOME", "TF_USE_LEGACY_KERAS", "PYTHONPATH", "PYTHONHOME",
    "VIRTUAL_ENV", "CONDA_PREFIX", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
    "PIP_CACHE_DIR",
)


@pytest.fixture(autouse=True, scope="session")
def environment_build_progress(pytestconfig):
    """Show each test environment build on the terminal as it happens: a cold run downloads
    gigabytes, and a silent terminal for minutes looks like a hang."""
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    terminal = pytestconfig.pluginmanager.getplugin("terminalreporter")
    if capture is None or terminal is None:
        yield
        return

    # A pytest-xdist worker's own stdout, where its terminal writes, goes nowhere; its stderr is
    # the run's: the line goes there, with the worker's name.
    worker = getattr(pytestconfig, "workerinput", {}).get("workerid")

    def show(line: str) -> None:
        with capture.global_and_fixture_disabled():
            if worker is None:
                terminal.write_line(line)
            else:
                sys.stderr.write(f"[{worker}] {line}\n")
                sys.stderr.flush()

    envs.progress = show
    yield
    envs.progress = envs._to_stderr


_SCRATCH_PREFIX = "keras-doctor-tests-tmp-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def scratch_tmpdir():
    """The TMPDIR of every process a test starts, deleted when the run ends.

    uv and pip leave their temporary folders behind when a test kills them mid-install (the fix
    tests do, on purpose), 100+ MB each; Chromium leaves profiles. Pointing TMPDIR at one folder
    per run and removing it at the end leaves nothing behind. Folders of earlier runs that were
    killed themselves (their process is gone) are removed at the start; other live runs' are not.
    """
    system_tmp = Path(tempfile.gettempdir())
    for stale in system_tmp.glob(_SCRATCH_PREFIX + "*"):
        pid = stale.name[len(_SCRATCH_PREFIX):]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    scratch = system_tmp / f"{_SCRATCH_PREFIX}{os.getpid()}"
    scratch.mkdir(exist_ok=True)
    yield scratch
    shutil.rmtree(scratch, ignore_errors=True)


_OUTCOMES = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_OUTCOMES, {})[report.when] = report.outcome
    return report


@pytest.fixture(autouse=True)
def isolated_home(request, tmp_path_factory, monkeypatch, scratch_tmpdir):
    """A fresh HOME per test. A passing test's is deleted when it ends, as its tmp_path is (the
    retention policy in pyproject.toml covers tmp_path alone): a run with one failure would
    otherwise keep a home folder for every test that ran."""
    home = tmp_path_factory.mktemp("home")
    for var in ("TMPDIR", "TMP", "TEMP"):
        monkeypatch.setenv(var, str(scratch_tmpdir))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    for var in _ISOLATED_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("UV_CACHE_DIR", envs.UV_CACHE_DIR)
    yield home
    outcomes = request.node.stash.get(_OUTCOMES, {})
    if outcomes.get("call") in ("passed", "skipped") or outcomes.get("setup") == "skipped":
        shutil.rmtree(home, ignore_errors=True)


# Keras writes its config to /tmp/.keras when the HOME it is given is not writable (or does not
# exist): a test that forgets to create the HOME it passes leaves that folder behind for good.
_KERAS_FALLBACK = Path(os.environ.get("KERAS_DOCTOR_TEST_KERAS_FALLBACK", "/tmp/.keras"))
_fallback_existed = _KERAS_FALLBACK.exists()


def pytest_sessionfinish(session, exitstatus):
    # Under pytest-xdist the run's verdict is the controller's, which ends after every worker: a
    # worker's would be lost, and it would remove what another worker's test had left mid-run.
    if hasattr(session.config, "workerinput"):
        return
    if not _fallback_existed and _KERAS_FALLBACK.exists():
        shutil.rmtree(_KERAS_FALLBACK, ignore_errors=True)
        sys.stderr.write(f"\nerror: a test left Keras's fallback folder {_KERAS_FALLBACK} behind "
                         "(a HOME it passed did not exist); removed\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
