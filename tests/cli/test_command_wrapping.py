"""Commands a person copies from a terminal: broken only between words, with a shell continuation,
so a pasted copy runs exactly the command `keras-doctor fix` runs — never a path or an option split
where the window happened to end."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from ptyterm import command_rows_under_fix, commands_under_fix, run_on_terminal

sys.path.insert(0, str(Path(__file__).parents[1] / "checks"))

from factories import dist, mac_facts

DOCTOR = [sys.executable, "-m", "keras_doctor"]
PYTHON = "/Users/ada/My Projects/transfer-learning/.venv/bin/python"


def _assert_copyable(rows, argv, columns):
    """Rows fit the window (the terminal never wraps them itself) unless a row is one word longer
    than the window, every row but the last ends in a continuation, and the shell reads the rows
    back as exactly `argv`."""
    too_wide = [row for row in rows if len(row) > columns]
    assert all(len(shlex.split(row.removesuffix(" \\"))) == 1 for row in too_wide), rows
    assert all(row.endswith(" \\") for row in rows[:-1]) and not rows[-1].endswith("\\"), rows
    assert shlex.split("\n".join(rows).replace("\\\n", "")) == list(argv), rows


@pytest.fixture
def facts_file(tmp_path):
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]), dist("keras", "3.5.0")])
    data = json.loads(json.dumps(facts.to_dict()).replace("/Users/ada/venv/bin/python", PYTHON))
    data["target"]["mode"] = "facts"
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize("columns", [80, 100])
def test_a_long_command_breaks_between_words_with_a_continuation(facts_file, columns):
    code, screen = run_on_terminal([*DOCTOR, "check", "--facts", facts_file], columns=columns)
    (rows,) = command_rows_under_fix(screen)
    assert len(rows) > 1, screen  # too long for the window: broken, not left to the terminal
    assert code == 0  # a warning: the pair runs
    _assert_copyable(rows, [PYTHON, "-m", "pip", "install", "keras==2.15.*"], columns)
    assert shlex.quote(PYTHON) in rows[0]  # the quoted path whole on one row
    assert all(len(line) <= columns for line in screen.splitlines()), screen


def test_on_a_pipe_a_command_stays_one_line(facts_file):
    out = subprocess.run([*DOCTOR, "check", "--facts", facts_file], capture_output=True,
                         text=True, timeout=120).stdout
    (rows,) = command_rows_under_fix(out)
    assert len(rows) == 1 and not rows[0].endswith("\\")
    assert shlex.split(rows[0]) == [PYTHON, "-m", "pip", "install", "keras==2.15.*"]


def _mac_tree_and_its_planned_commands():
    """`--path` options for the real macOS arm64 test tree, and the argv of each step `fix --json`
    plans for it."""
    import scenarios

    target = ["--path", str(scenarios.mac_arm64_tree()), "--platform", "macos-arm64",
              "--python-version", "3.11"]
    plan = json.loads(subprocess.run([*DOCTOR, "fix", *target, "--json"], capture_output=True,
                                     text=True, timeout=600).stdout)
    return target, [step["argv"] for step in plan["steps"] if step["argv"]]


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 100])
def test_the_long_path_install_of_a_mac_tree_copies_as_the_plan_runs_it(columns):
    target, planned = _mac_tree_and_its_planned_commands()
    assert planned and any(len(shlex.join(argv)) > columns for argv in planned)
    code, screen = run_on_terminal([*DOCTOR, "check", *target], columns=columns, rows=60)
    assert code == 1, screen
    shown = command_rows_under_fix(screen)
    assert len(shown) == len(planned), screen
    for rows, argv in zip(shown, planned):
        _assert_copyable(rows, argv, columns)
    assert [shlex.split(c) for c in commands_under_fix(screen)] == planned
    # the summary's command too: below the sentence, broken the same way
    tail = screen.rstrip().splitlines()
    start = next(i for i, line in enumerate(tail) if line.startswith("  keras-doctor fix"))
    _assert_copyable(tail[start:], ["keras-doctor", "fix", *target], columns)


def _plan_command_rows(screen: str):
    """The rows of each `$ command` line of a fix plan, continuations included."""
    commands, continued = [], False
    for line in screen.splitlines():
        if continued:
            commands[-1].append(line)
        elif line.startswith("       $ "):
            commands.append([line])
        else:
            continue
        continued = line.endswith(" \\")
    return commands


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 100])
def test_the_fix_plan_breaks_its_commands_the_same_way_on_a_terminal(columns):
    target, planned = _mac_tree_and_its_planned_commands()
    _, screen = run_on_terminal([*DOCTOR, "fix", *target], columns=columns, rows=60)
    shown = _plan_command_rows(screen)
    assert len(shown) == len(planned) and any(len(rows) > 1 for rows in shown), screen
    for rows, argv in zip(shown, planned):
        rows = [rows[0].replace("       $ ", "         ", 1), *rows[1:]]
        _assert_copyable(rows, argv, columns)
    too_wide = [line for line in screen.splitlines() if len(line) > columns
                and len(line.split()) > 1 and "/" not in line and "Resolving" not in line]
    assert not too_wide, too_wide  # prose wraps at spaces too (the spinner redraws one row)
    piped = subprocess.run([*DOCTOR, "fix", *target], capture_output=True, text=True,
                           timeout=600).stdout
    assert [shlex.split(rows[0].split("$ ", 1)[1]) for rows in _plan_command_rows(piped)] \
        == planned  # a pipe keeps one line per command
