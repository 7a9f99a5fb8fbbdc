"""Which interpreter a new environment is built from: native, new enough, with wheels, newest.

The Python running these tests is a virtualenv whose base interpreter is a real CPython, so both
kinds are asked for real. Interpreters this machine does not have (another CPU, other versions)
are small executables that answer the question an interpreter is asked, as such a Python would:
which interpreters exist is a live fact of the machine, and what matters here is the choice.
"""

from __future__ import annotations

import glob
import json
import os
import platform
import sys
from pathlib import Path

import pytest

from keras_doctor.plan.interpreters import (
    Interpreter,
    candidate_paths,
    describe,
    find_interpreter,
    install_advice,
    native_interpreters,
)

MACHINE = platform.machine().lower()
HERE = {"x86_64": "linux-x86_64", "amd64": "linux-x86_64", "aarch64": "linux-aarch64",
        "arm64": "linux-aarch64"}.get(MACHINE)
pytestmark = pytest.mark.skipif(sys.platform != "linux" or HERE is None,
                                reason="the real interpreters here are asked as a Linux machine's")


def base_python() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def answering(folder: Path, name: str, version: str, machine: str = MACHINE,
              in_venv: bool = False, output: str = "") -> str:
    """An executable that answers as a Python `version` on `machine` would."""
    answer = output or json.dumps({"version": version, "machine": machine,
                                   "executable": str(folder / name), "in_venv": in_venv})
    path = folder / name
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{answer}\nEOF\n")
    path.chmod(0o755)
    return str(path)


def test_a_real_base_interpreter_says_its_version_and_cpu():
    found = describe(base_python())
    assert found == Interpreter(base_python(), platform.python_version(), MACHINE)
    assert found.minor == f"{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="the tests run outside a virtualenv")
def test_a_virtualenvs_interpreter_is_no_base_for_a_new_environment():
    assert describe(sys.executable) is None


def test_what_cannot_answer_is_no_interpreter(tmp_path):
    assert describe(str(tmp_path / "missing")) is None
    assert describe(answering(tmp_path, "garbled", "", output="Python 3.11.4")) is None
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho '{\"version\": \"3.11.4\"}'\nexit 1\n")
    failing.chmod(0o755)
    assert describe(str(failing)) is None
    assert describe(answering(tmp_path, "venv", "3.11.4", in_venv=True)) is None


def test_an_interpreter_that_hangs_is_given_up(tmp_path):
    hung = tmp_path / "hung"
    hung.write_text("#!/bin/sh\nsleep 5\n")
    hung.chmod(0o755)
    assert describe(str(hung), timeout=0.2) is None


def test_native_interpreters_are_newest_first_and_at_least_the_oldest_asked(tmp_path):
    paths = [answering(tmp_path, "py39", "3.9.18"), answering(tmp_path, "py312", "3.12.1"),
             answering(tmp_path, "py38", "3.8.18"), answering(tmp_path, "py310", "3.10.13"),
             answering(tmp_path, "py3100", "3.10.0"), base_python()]
    found = [i.version for i in native_interpreters(HERE, paths)]
    assert found == sorted(found, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    assert found[0] == "3.12.1" and "3.8.18" not in found and "3.9.18" in found
    assert platform.python_version() in found
    assert [i.version for i in native_interpreters(HERE, paths, oldest="3.10")][-2:] == [
        "3.10.13", "3.10.0"]
    assert [i.version for i in native_interpreters(HERE, paths, oldest="3.12")] == ["3.12.1"]


def test_an_interpreter_of_another_cpu_is_never_native(tmp_path):
    other = "aarch64" if HERE == "linux-x86_64" else "x86_64"
    paths = [answering(tmp_path, "emulated", "3.13.0", machine=other), base_python()]
    assert [i.executable for i in native_interpreters(HERE, paths)] == [base_python()]
    assert native_interpreters("macos-arm64", [base_python()]) == []
    assert native_interpreters("no-such-platform", paths) == []


def test_macs_report_their_cpu_by_the_names_macs_use(tmp_path):
    arm = answering(tmp_path, "arm", "3.11.7", machine="arm64")
    intel = answering(tmp_path, "intel", "3.11.7", machine="x86_64")
    assert [i.executable for i in native_interpreters("macos-arm64", [arm, intel])] == [arm]
    assert [i.executable for i in native_interpreters("macos-x86_64", [arm, intel])] == [intel]
    assert [i.executable for i in native_interpreters("linux-aarch64", [arm, intel])] == [arm]


def test_one_interpreter_reached_by_two_paths_counts_once(tmp_path):
    link = tmp_path / "python3"
    link.symlink_to(base_python())
    found = native_interpreters(HERE, [str(link), base_python()])
    assert len(found) == 1


def test_the_newest_interpreter_with_wheels_wins_asking_once_per_version(tmp_path):
    paths = [answering(tmp_path, "py313", "3.13.0"), answering(tmp_path, "py312", "3.12.1"),
             answering(tmp_path, "py312b", "3.12.0"), answering(tmp_path, "py311", "3.11.4")]
    asked = []

    def has_wheels(minor: str) -> bool:
        asked.append(minor)
        return minor in ("3.12", "3.11")

    found = find_interpreter(HERE, has_wheels, paths)
    assert found is not None and found.version == "3.12.1"
    assert asked == ["3.13", "3.12"]
    assert find_interpreter(HERE, lambda minor: False, paths) is None


def test_interpreters_in_the_usual_places_are_candidates(tmp_path, monkeypatch):
    home = Path.home()  # the test's own temporary HOME
    pyenv = home / ".pyenv" / "versions" / "3.10.4" / "bin"
    uv_managed = home / ".local/share/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin"
    shims = home / ".pyenv" / "shims"
    for folder in (pyenv, uv_managed, shims):
        folder.mkdir(parents=True)
    wanted = [answering(pyenv, "python3", "3.10.4"), answering(uv_managed, "python3", "3.12.1")]
    answering(shims, "python3", "3.10.4")
    (pyenv / "python3-config").write_text("")
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    found = candidate_paths()
    assert set(wanted) <= set(found)
    assert not any("shims" in path or path.endswith("-config") for path in found)
    assert len({os.path.realpath(path) for path in found}) == len(found)


def test_interpreters_on_path_under_their_usual_names_are_candidates(tmp_path, monkeypatch):
    shell_bin = tmp_path / "bin"
    shell_bin.mkdir()
    wanted = [answering(shell_bin, "python3", "3.11.4"),
              answering(shell_bin, "python3.9", "3.9.18"),
              answering(shell_bin, "python3.14", "3.14.0")]
    older = answering(shell_bin, "python3.8", "3.8.18")  # older than any TensorFlow wheel's
    monkeypatch.setenv("PATH", str(shell_bin))
    found = candidate_paths()
    assert set(wanted) <= set(found) and older not in found


def test_interpreters_in_the_machine_wide_places_are_candidates_without_being_on_path(
        tmp_path, monkeypatch):
    root = tmp_path / "root"
    places = {"opt/homebrew/bin": "python3.12", "usr/local/bin": "python3.10",
              "Library/Frameworks/Python.framework/Versions/3.11/bin": "python3",
              "usr/bin": "python3.9"}
    wanted = []
    for folder, name in places.items():
        (root / folder).mkdir(parents=True)
        wanted.append(answering(root / folder, name, "3.11.9"))
    answering(root / "usr/bin", "python3.9-config", "3.9.18")  # a build helper, no interpreter
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert sorted(candidate_paths(str(root))) == sorted(wanted)


@pytest.mark.skipif(not [p for p in glob.glob("/usr/bin/python3.*") if not p.endswith("-config")],
                    reason="this machine has no versioned system Python in /usr/bin")
def test_this_machines_system_python_is_a_candidate_without_being_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    system = {os.path.realpath(p) for p in glob.glob("/usr/bin/python3.*")
              if not p.endswith("-config") and os.access(p, os.X_OK)}
    assert system <= {os.path.realpath(p) for p in candidate_paths()}


def test_advice_names_the_python_to_install_and_on_a_mac_the_installer():
    assert install_advice("linux-x86_64", ["3.10", "3.11"]) == [
        "uv python install 3.11   (then rerun with --new-venv PATH)"]
    assert install_advice("macos-arm64", ["3.11", "3.12"]) == [
        "uv python install 3.12   (then rerun with --new-venv PATH)",
        "or the python.org universal2 installer for Python 3.12, or arm64 Homebrew "
        "(/opt/homebrew/bin/brew install python@3.12); not an Intel (/usr/local) Homebrew or "
        "Miniconda"]
    assert install_advice("macos-arm64", []) == [
        "Install a Python version that TensorFlow publishes wheels for"]


def test_without_paths_the_usual_places_are_searched():
    assert native_interpreters(HERE) == native_interpreters(HERE, candidate_paths())
