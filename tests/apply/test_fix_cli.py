"""`keras-doctor fix` on the command line: dry run by default, JSON plan, exit codes."""

from __future__ import annotations

import json

import pytest
from apply_helpers import python_of

from keras_doctor.apply import store
from keras_doctor.cli import main


@pytest.mark.slow
def test_dry_run_of_a_healthy_environment_changes_nothing_and_exits_0(small_env, capsys):
    python = python_of(small_env)
    assert main(["fix", "--python", python, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["status"] == "ok" and plan["steps"] == []
    assert not store.transactions_dir().exists()


@pytest.mark.slow
def test_dry_run_shows_the_rename_it_would_ask_about(small_env, tmp_path, monkeypatch, capsys):
    python = python_of(small_env)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "numpy.py").write_text("x = 1\n")
    assert main(["fix", "--python", python]) == 1
    out = capsys.readouterr().out
    assert "numpy.py.shadowing-numpy" in out and "[asks first]" in out
    assert "Dry run: nothing was changed" in out
    assert (tmp_path / "numpy.py").exists()


def test_rollback_and_resume_exclude_each_other(capsys):
    assert main(["fix", "--rollback", "--resume"]) == 2
    assert "exclude each other" in capsys.readouterr().err


def test_rollback_with_nothing_pending_is_a_usage_error(capsys):
    assert main(["fix", "--rollback"]) == 2
    assert "no interrupted fix" in capsys.readouterr().err
