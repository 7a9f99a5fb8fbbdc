"""Saved facts give the same findings on any machine: checks are pure functions of the snapshot.

Facts are collected from a real set-up that trips the checks most tempted to look at files (a dead
Jupyter kernel, `pip` and `python` from different environments, a local `keras.py`), then every
path in the document is moved under a root that does not exist, and the moved document is
diagnosed. A check that stats, opens or resolves a path on the diagnosing machine sees nothing
there and answers differently.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from keras_doctor import knowledge
from keras_doctor.checks.registry import run_checks
from keras_doctor.facts import collect
from keras_doctor.facts.model import Facts

NOWHERE = "/nonexistent-replay-root"


def moved(value: Any) -> Any:
    """Every absolute path in a facts document, moved under NOWHERE."""
    if isinstance(value, dict):
        return {key: moved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [moved(item) for item in value]
    if isinstance(value, str) and value.startswith("/"):
        return NOWHERE + value
    return value


def diagnosis(facts: Facts) -> str:
    report = run_checks(facts, knowledge.load)
    outcome = {
        "findings": [(f.cause, f.check, f.title, f.evidence, [s.command for s in f.fix])
                     for f in report.findings],
        "passed": sorted(p.check for p in report.passed),
        "skipped": sorted((s.check, s.reason) for s in report.skipped),
    }
    return json.dumps(outcome, sort_keys=True, default=str)


@pytest.fixture
def tempting_setup(tmp_path, isolated_home, monkeypatch):
    """A shell and a working directory where the environment checks have something to say."""
    other = tmp_path / "other-venv"
    (other / "bin").mkdir(parents=True)
    (other / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (other / "bin" / "python").write_text("")
    shell_bin = tmp_path / "bin"
    shell_bin.mkdir()
    (shell_bin / "python3").symlink_to(sys.executable)
    pip = shell_bin / "pip"
    pip.write_text(f"#!{other / 'bin' / 'python'}\nimport pip\n")
    pip.chmod(0o755)
    kernels = isolated_home / ".local" / "share" / "jupyter" / "kernels"
    for name, argv0 in (("dead", "/gone/bin/python"), ("alive", sys.executable)):
        (kernels / name).mkdir(parents=True)
        (kernels / name / "kernel.json").write_text(json.dumps({"argv": [argv0, "-m", "x"]}))
    work = tmp_path / "work"
    work.mkdir()
    (work / "keras.py").write_text("")
    monkeypatch.setenv("PATH", str(shell_bin))
    monkeypatch.chdir(work)


@pytest.mark.skipif(os.name == "nt", reason="POSIX paths and shebangs")
def test_saved_facts_diagnose_the_same_where_none_of_their_paths_exist(tempting_setup):
    facts = collect.collect_running()
    here = diagnosis(facts)
    wrong_interpreter = [f for f in json.loads(here)["findings"] if f[0] == "wrong-interpreter"]
    # the dead kernel, pip beside another python, and a shell python that is not this one
    assert len(wrong_interpreter) == 3, here
    assert "shadowed-module" in here

    elsewhere = Facts.from_dict(moved(json.loads(json.dumps(facts.to_dict()))))
    assert not Path(NOWHERE).exists()
    assert elsewhere.interpreter.executable.startswith(NOWHERE)
    assert diagnosis(elsewhere).replace(NOWHERE, "") == here


def test_windows_facts_get_windows_paths_wherever_they_are_diagnosed():
    """The paths in a fix follow the diagnosed machine's rules, not the reader's."""
    from factories import mac_facts

    from keras_doctor.facts.model import Shadow

    facts = mac_facts()
    facts.platform.system = "Windows"
    facts.interpreter.externally_managed = "C:\\Python311\\Lib\\EXTERNALLY-MANAGED"
    facts.interpreter.executable = "C:\\Python311\\python.exe"
    facts.shadows = [Shadow("keras", "C:\\Users\\ada\\work\\keras.py", "", 0)]
    report = run_checks(facts, knowledge.load)
    (shadowed,) = [f for f in report.findings if f.cause == "shadowed-module"]
    assert shadowed.fix[0].command == ("mv", "C:\\Users\\ada\\work\\keras.py",
                                       "C:\\Users\\ada\\work\\keras.py.shadowing-keras")
    assert "C:\\Users\\ada\\work\\__pycache__" in shadowed.fix[1].description
    (managed,) = [f for f in report.findings if f.cause == "externally-managed-python"]
    assert managed.fix[0].command[-1] == "~\\.venvs\\keras"


def test_posix_facts_keep_posix_paths():
    """The other side: a Mac's or a Linux machine's facts never get Windows separators."""
    from factories import mac_facts

    from keras_doctor.facts.model import Shadow

    facts = mac_facts()
    facts.interpreter.externally_managed = "/usr/lib/python3.11/EXTERNALLY-MANAGED"
    facts.interpreter.executable = "/usr/bin/python3"
    facts.shadows = [Shadow("keras", "/home/ada/work/keras.py", "", 0)]
    report = run_checks(facts, knowledge.load)
    (shadowed,) = [f for f in report.findings if f.cause == "shadowed-module"]
    assert shadowed.fix[0].command == ("mv", "/home/ada/work/keras.py",
                                       "/home/ada/work/keras.py.shadowing-keras")
    assert "/home/ada/work/__pycache__ named keras.*.pyc" in shadowed.fix[1].description
    (managed,) = [f for f in report.findings if f.cause == "externally-managed-python"]
    assert managed.fix[0].command == ("/usr/bin/python3", "-m", "venv", "~/.venvs/keras")
