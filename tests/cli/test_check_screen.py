"""What a person sees from `check` on the real broken environments: the root cause and the one
command that fixes it in the first screen, and that command is the one `fix` runs."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import envs
import pytest
from ptyterm import command_rows_under_fix, commands_under_fix, run_on_terminal

sys.path.insert(0, str(Path(__file__).parents[1] / "checks"))  # scenarios.py

DOCTOR = [sys.executable, "-m", "keras_doctor"]
TF215 = ["tensorflow-cpu==2.15.1"]
SCREEN = 30  # rows of the terminal (100 × 30) the output must make its point in


def _fix_plan(python: Path) -> dict:
    out = subprocess.run([*DOCTOR, "fix", "--python", str(python), "--json"],
                         capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("name, steps, root", [
    ("keras3-over-tf215", [TF215, ["--no-deps", "keras==3.5.0"]], "keras-tf-version-skew"),
    ("numpy2-over-tf215", [TF215, ["--no-deps", "numpy==2.1.3"]], "numpy-abi-mismatch"),
])
def test_the_root_cause_and_the_fix_commands_fill_the_first_screen(name, steps, root):
    python = envs.venv_python(envs.venv(name, steps))
    plan = _fix_plan(python)  # resolves online once; check then answers from the same cache
    commands = [shlex.join(step["argv"]) for step in plan["steps"] if step["argv"]]
    assert commands, plan

    code, screen = run_on_terminal([*DOCTOR, "check", "--python", str(python)], columns=100)

    lines = screen.splitlines()
    assert code == 1
    first = "\n".join(lines[:SCREEN])
    assert f"{root}:" in first
    # the root cause is the first problem shown, before any missing-dependency
    problem_lines = [line for line in lines if line.startswith("    ✗ ")]
    assert problem_lines and lines.index(problem_lines[0]) < SCREEN
    causes_in_order = [line.split(":")[0].strip() for line in lines
                       if line.strip().split(":")[0] in (root, "missing-dependency")]
    assert causes_in_order[0] == root
    # the commands shown are exactly the plan's, each once, and nothing else is to be installed
    shown = commands_under_fix("\n".join(lines[:SCREEN]))
    for command in commands:
        assert shown.count(command) == 1, (command, screen)
    installs = [line for line in commands_under_fix(screen) if " install " in line]
    assert len(installs) == len(commands), screen
    # The closing line names the command; a long path (a cache under /home/runner/.cache, say)
    # wraps it onto a shell continuation line, so the words are compared, not the layout.
    closing = " ".join(" ".join(lines[-3:]).replace("`", "").replace("\\", " ").split())
    assert f"keras-doctor fix --python {python}" in closing


@pytest.mark.slow
def test_check_json_carries_the_plan_fix_would_run():
    python = envs.venv_python(envs.venv("keras3-over-tf215", [TF215, ["--no-deps",
                                                                      "keras==3.5.0"]]))
    plan = _fix_plan(python)
    out = subprocess.run([*DOCTOR, "check", "--python", str(python), "--json"],
                         capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout)
    assert [s["argv"] for s in report["extra"]["plan"]["steps"]] == \
        [s["argv"] for s in plan["steps"]]


def _rows_before(screen: str, needle: str, columns: int = 100) -> int:
    """Terminal rows printed before the line holding `needle` (long lines take several rows)."""
    rows = 0
    for line in screen.splitlines():
        if needle in line:
            return rows
        rows += max(1, -(-len(line) // columns))
    raise AssertionError(f"{needle!r} not on the screen:\n{screen}")


def _broken_environments():
    import scenarios

    return [
        ("keras3-over-tf215", lambda: ["--python", str(envs.venv_python(envs.venv(
            "keras3-over-tf215", [TF215, ["--no-deps", "keras==3.5.0"]])))]),
        ("numpy2-over-tf215", lambda: ["--python", str(envs.venv_python(envs.venv(
            "numpy2-over-tf215", [TF215, ["--no-deps", "numpy==2.1.3"]])))]),
        ("tf-and-tf-cpu", lambda: ["--python", str(envs.venv_python(
            scenarios.tf_and_tf_cpu()))]),
        # Keras 3 alone: no backend at all, so the one it is set to is installed.
        ("keras3-without-a-backend", lambda: ["--python", str(envs.venv_python(envs.venv(
            "explain-keras3", [["keras==3.6.0"]])))]),
        ("mac-arm64-tree", lambda: ["--path", str(scenarios.mac_arm64_tree()), "--platform",
                                    "macos-arm64", "--python-version", "3.11"]),
        ("mac-arm64-x86-h5py", lambda: ["--path", str(scenarios.mac_arm64_tree_with_x86_h5py()),
                                        "--platform", "macos-arm64", "--python-version", "3.11"]),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name, target", _broken_environments(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_every_broken_environment_shows_its_root_cause_and_a_command_in_the_first_screen(
        name, target):
    # `check` resolves offline; `fix` resolves online once, as a person's first `fix` would.
    subprocess.run([*DOCTOR, "fix", *target(), "--json"], capture_output=True, timeout=600)
    code, screen = run_on_terminal([*DOCTOR, "check", *target()], columns=100, rows=SCREEN)
    assert code == 1, screen
    first_problem = next(line for line in screen.splitlines() if line.startswith("    ✗ ")
                         or line.startswith("    ! "))
    assert _rows_before(screen, first_problem) < 10
    root = next(line for line in screen.splitlines()
                if line.startswith("      ") and line.split(":")[0].strip().islower()
                and "-" in line.split(":")[0] and " " not in line.split(":")[0].strip())
    assert _rows_before(screen, root) < 12, screen  # the root cause's ID, under its title
    commands = command_rows_under_fix(screen)
    assert commands, screen
    last_row = commands[0][-1]
    assert _rows_before(screen, last_row) < SCREEN, screen  # the whole first command
    flat = " ".join(screen.replace("`", "").split())
    if "--path" in target():  # too long for the sentence: below it, broken between words
        assert "next: the command below shows the repair" in flat
        assert f"keras-doctor fix --path {target()[1]} \\ --platform macos-arm64" in flat
    else:
        assert f"next: keras-doctor fix --python {target()[1]} shows the repair" in flat


@pytest.mark.slow
def test_metal_mismatch_with_its_dependencies_absent_is_one_block_with_one_fix_on_screen():
    """A Mac tree holding only TensorFlow 2.18 and tensorflow-metal 1.1.0 (every dependency
    absent): the plugin that cannot load is the root, the ~24 absent dependencies of both are
    folded under it, and the one install the plan runs is its fix, all in the first screen."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "mac"))
    import wheelhouse

    site = wheelhouse.tree("tf-2.18-metal-1.1-deps-absent",
                           {"tensorflow": "2.18.1", "tensorflow-metal": "1.1.0"}, "arm64", "3.11")
    target = ["--path", str(site), "--platform", "macos-arm64", "--python-version", "3.11"]
    # check resolves offline only (uv's cache or nothing); on a first run nothing has put these
    # packages' metadata there yet, so resolve once online, as a user's `fix` dry run does
    planned = subprocess.run([*DOCTOR, "fix", *target, "--json"], capture_output=True,
                             text=True, timeout=600)
    assert json.loads(planned.stdout)["steps"], planned.stdout[-2000:]
    code, screen = run_on_terminal([*DOCTOR, "check", *target], columns=100, rows=SCREEN)
    assert code == 1, screen
    problems = [line for line in screen.splitlines() if line.startswith("    ✗ ")
                or line.startswith("    ! ")]
    assert len(problems) == 1, screen  # one block, not one per absent dependency
    assert "tensorflow-metal 1.1.0" in problems[0]
    assert _rows_before(screen, "metal-plugin-mismatch:") < 10
    assert "missing-dependency:" not in screen
    assert "Fixed by the steps above" not in screen
    assert "dependencies they need are absent (tensorflow-metal: " in screen
    assert "tensorflow: absl-py" in " ".join(screen.split())
    installs = [line for line in commands_under_fix(screen) if " install " in line]
    assert len(installs) == 1, screen
    assert "tensorflow-metal==1.2.0" in installs[0] and "absl-py==" in installs[0]
    (rows,) = command_rows_under_fix(screen)
    assert _rows_before(screen, rows[-1]) < SCREEN, screen  # all 38 pins in the first screen
    # the summary counts the one block it shows, not its 25 findings
    summary = " ".join(screen.split()).split("keras-doctor itself")[-1]
    assert "1 error (and 24 consequences folded under it) in " in summary, screen
    assert "25 errors" not in screen


def _saved_mac_states():
    sys.path.insert(0, str(Path(__file__).parents[1] / "mac"))
    from mac_states import SCENARIOS

    return [s.name for s in SCENARIOS]


@pytest.mark.slow
@pytest.mark.parametrize("name", _saved_mac_states())
def test_every_saved_mac_state_shows_its_root_cause_and_its_fix_in_the_first_screen(
        name, tmp_path):
    """The 23 macOS states of the slow suite, from their saved facts, in a 100 × 30 window: a
    broken one shows its first root cause (title, cause ID) and that block's fix, to its last
    row, before the window scrolls; a healthy one says so in a handful of rows."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "mac"))
    from test_mac_facts import saved_facts

    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(saved_facts(name).to_dict()))
    code, screen = run_on_terminal([*DOCTOR, "check", "--facts", str(facts)], columns=100,
                                   rows=SCREEN)
    lines = screen.splitlines()
    problems = [line for line in lines if line.startswith(("    ✗ ", "    ! ", "    i "))]
    if not problems:
        assert code == 0 and "No problems found" in screen and len(lines) < 12, screen
        return
    first = lines.index(problems[0])
    assert _rows_before(screen, problems[0]) < 8, screen
    from keras_doctor.causes import CATALOG

    cause = next(i for i, line in enumerate(lines[first + 1:], start=first + 1)
                 if line.strip().split(":")[0] in CATALOG)  # the root's cause ID
    assert cause - first <= 4, screen
    fix = next((i for i, line in enumerate(lines[first:], start=first)
                if line.strip().startswith("Fix")), None)
    assert fix is not None, screen
    block_end = next((i for i, line in enumerate(lines[fix + 1:], start=fix + 1)
                      if not line.startswith(" " * 8)), len(lines))
    assert _rows_before(screen, lines[block_end - 1]) < SCREEN, screen  # the whole fix shows
