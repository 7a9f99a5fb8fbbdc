"""Bad input gets one line and exit code 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def doctor(*args, cwd=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "keras_doctor", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, input=stdin)


def one_line_error(proc):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("keras-doctor")
    return lines[-1]


def test_missing_interpreter(tmp_path):
    assert "no interpreter" in one_line_error(doctor("check", "--python", str(tmp_path / "nope")))


def test_interpreter_that_does_not_run(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    fake.chmod(0o755)
    assert "exit 3" in one_line_error(doctor("check", "--python", str(fake)))


def test_not_a_python(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    assert "not a Python" in one_line_error(doctor("check", "--python", str(fake)))


def test_missing_path_and_unknown_platform(tmp_path):
    assert "no folder" in one_line_error(doctor("check", "--path", str(tmp_path / "x"),
                                                "--platform", "macos-arm64",
                                                "--python-version", "3.11"))
    proc = doctor("check", "--path", str(tmp_path), "--platform", "macos-m1",
                  "--python-version", "3.11")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
    assert "needs --platform" in one_line_error(doctor("check", "--path", str(tmp_path)))
    assert "3.11" in one_line_error(doctor("check", "--path", str(tmp_path), "--platform",
                                           "macos-arm64", "--python-version", "eleven"))


def test_unreadable_facts_files(tmp_path):
    assert "cannot read" in one_line_error(doctor("check", "--facts", str(tmp_path / "no.json")))
    (tmp_path / "bad.json").write_text("{not json")
    bad = doctor("check", "--facts", str(tmp_path / "bad.json"))
    assert "not valid JSON" in one_line_error(bad)
    (tmp_path / "old.json").write_text(json.dumps({"schema_version": 0}))
    assert "schema_version" in one_line_error(doctor("check", "--facts",
                                                     str(tmp_path / "old.json")))


def test_two_targets_at_once(tmp_path):
    assert "choose one" in one_line_error(doctor("check", "--python", sys.executable,
                                                 "--facts", "x.json"))


def test_causes_lists_and_explains():
    listing = doctor("causes")
    assert listing.returncode == 0 and "mixed-arch-binary" in listing.stdout
    one = doctor("causes", "rosetta-python")
    assert one.returncode == 0 and "## How to fix it" in one.stdout
    assert "did you mean rosetta-python" in one_line_error(doctor("causes", "rosetta-pyhton"))


def test_check_of_the_running_interpreter_works_and_exit_code_follows_fail_on(tmp_path):
    proc = doctor("check", "--json", cwd=tmp_path)
    report = json.loads(proc.stdout)
    assert proc.returncode == (1 if any(f["severity"] == "error" for f in report["findings"])
                               else 0), proc.stderr
    assert report["target"]["mode"] == "running"
    (tmp_path / "numpy.py").write_text("")
    shadowed = doctor("check", "--json", cwd=tmp_path)
    data = json.loads(shadowed.stdout)
    assert any(f["cause"] == "shadowed-module" for f in data["findings"])
    severities = {f["severity"] for f in data["findings"]}
    assert shadowed.returncode == (1 if "error" in severities else 0)
    strict = doctor("check", "--json", "--fail-on", "warning", cwd=tmp_path)
    assert strict.returncode == 1


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_facts_output_file_that_cannot_be_written(tmp_path):
    assert "cannot write" in one_line_error(doctor("facts", "-o", str(tmp_path / "no" / "f.json")))


def test_help_lists_every_command_and_an_unknown_one_is_a_usage_error():
    from keras_doctor.cli import COMMANDS

    top = doctor("--help")
    assert top.returncode == 0
    assert all(name in top.stdout for name in COMMANDS)
    typo = doctor("chek")
    assert typo.returncode == 2 and "invalid choice: 'chek'" in typo.stderr
    assert doctor().returncode == 2  # no command: the help, as a usage error


def test_an_interrupted_fix_is_noticed_by_every_command(tmp_path):
    data = tmp_path / "data"
    env = dict(os.environ, KERAS_DOCTOR_DATA_DIR=str(data))
    quiet = subprocess.run([sys.executable, "-m", "keras_doctor", "causes"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert "interrupted fix" not in quiet.stderr
    (data / "transactions" / "20260101T000000-deadbeef").mkdir(parents=True)
    (data / "transactions" / "20260101T000000-deadbeef" / "journal.jsonl").write_text(
        '{"event": "begin", "time": 1767225600.0, "python": "/x/python", '
        '"plan": {"steps": [{}]}}\n')
    noticed = subprocess.run([sys.executable, "-m", "keras_doctor", "causes"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert noticed.returncode == 0
    assert "interrupted fix" in noticed.stderr and "--rollback" in noticed.stderr
