"""The documentation keeps up with the code: every cause in the README, its commands in CI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from keras_doctor import causes

ROOT = Path(__file__).resolve().parent.parent


def test_every_cause_is_in_the_readme_catalog():
    readme = (ROOT / "README.md").read_text()
    missing = [c for c in causes.CATALOG if f"| `{c}` |" not in readme]
    assert missing == []


def _public_catalog():
    """The public catalog of causes, kept in shared/causes.md beside a checkout (or above it)."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "causes.md"
        if candidate.is_file():
            return candidate
    return None


def test_every_cause_in_the_public_catalog_exists_here():
    shared = _public_catalog()
    if shared is None:
        # CI always has the catalog beside the clone; elsewhere say plainly what did not run.
        message = "no shared/causes.md beside or above this checkout"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    public = set(re.findall(r"^\| `([a-z0-9-]+)` \|", shared.read_text(), re.M))
    assert len(public) >= 10, f"{shared} lists almost no causes: is it the catalog?"
    unknown = sorted(public - set(causes.CATALOG))
    assert unknown == [], f"causes in {shared} that keras-doctor does not know: {unknown}"


def test_ci_runs_the_readme_test_command_word_for_word():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert command in readme
    assert "pytest" in command


@pytest.mark.parametrize("pytest_exit", [0, 1, 5])
def test_ci_ends_with_pytests_own_exit_code_so_no_tests_ran_fails(tmp_path, pytest_exit):
    """pytest's exit 5 ("no tests ran": a wrong marker, a path that moved) must fail CI like a
    failure does, never pass it. `.ci/run` runs in a copy of the checkout whose `python3` only
    records what it is asked and whose pytest ends with the given code."""
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", checkout / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_python = bin_dir / "python3"
    fake_python.write_text(
        "#!/bin/sh\n"
        'echo "$*" >> "$CALLS"\n'
        'case "$1 $2" in\n'
        '  "-m venv") mkdir -p "$3/bin" && cp "$0" "$3/bin/python" ;;\n'
        '  "-m pip") ;;\n'
        '  "-m pytest") exit "$PYTEST_EXIT" ;;\n'
        "  *) exit 99 ;;\n"
        "esac\n")
    fake_python.chmod(0o755)
    # as root with apt-get, .ci/run installs Chromium unless one is on the PATH
    (bin_dir / "chromium").write_text("#!/bin/sh\n")
    (bin_dir / "chromium").chmod(0o755)
    calls = tmp_path / "calls.txt"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "CALLS": str(calls), "PYTEST_EXIT": str(pytest_exit)}
    proc = subprocess.run(["bash", str(checkout / ".ci" / "run")], env=env, capture_output=True,
                          text=True, timeout=60)
    assert calls.read_text().splitlines() == ["-m venv .venv", "-m pip install -e .[test]",
                                              "-m pytest -n auto --dist loadfile"]
    assert proc.returncode == pytest_exit, proc.stderr


def test_every_cause_explains_why_and_how_to_fix():
    for cause in causes.CATALOG.values():
        assert "## Why is this bad?" in cause.explanation, cause.id
        assert "## How to fix it" in cause.explanation, cause.id


def _section(readme: str, title: str) -> str:
    start = readme.index(f"\n## {title}\n")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end != -1 else None]


def test_set_up_holds_exactly_the_two_commands_a_new_user_runs():
    """"Set up" is install+check and install test needs+run the suite; any other way to install
    (a tool install, shell completion) lives in a later section, or a newcomer runs it too."""
    setup = _section((ROOT / "README.md").read_text(), "Set up")
    blocks = re.findall(r"```sh\n(.*?)```", setup, re.S)
    commands = [line for block in blocks for line in block.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert len(commands) == 2, commands
    assert "keras-doctor check" in commands[0] and "pytest" in commands[1]
    # without uv beside it, `check` cannot resolve offline and shows other commands than `fix`
    assert "install '.[uv]'" in commands[0]
    assert "uv tool install" not in setup and "completion" not in setup


@pytest.fixture(scope="module")
def workspace():
    import readme_examples

    with readme_examples.Workspace() as ws:
        yield ws


@pytest.mark.slow
@pytest.mark.parametrize("name", ["check-uv", "check-pip", "explain", "fix-uv", "fix-pip",
                                  "recommend"])
def test_every_readme_example_is_what_keras_doctor_prints_today(workspace, name):
    """The examples are real output on a 100-column terminal, with uv at hand and installed with
    plain pip: `python tests/readme_examples.py` regenerates them when the renderer or the
    knowledge changes what a person sees."""
    import readme_examples

    shown = readme_examples.in_readme((ROOT / "README.md").read_text())
    assert set(shown) == set(readme_examples.examples(workspace))
    produced = readme_examples.examples(workspace)[name]()
    assert readme_examples.comparable(produced) == readme_examples.comparable(shown[name]), \
        produced


def test_the_readme_states_how_many_checks_check_runs():
    """The timing section says how much work `check` does; a new check must not leave it stale."""
    from keras_doctor.checks.registry import all_checks

    text = (ROOT / "README.md").read_text()
    assert f"runs {len(list(all_checks()))} checks" in text
