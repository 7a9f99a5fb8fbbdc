"""The documentation keeps up with the code: every cause in the README, its commands in CI."""

from __future__ import annotations

from pathlib import Path

from keras_doctor import causes

ROOT = Path(__file__).resolve().parent.parent


def test_every_cause_is_in_the_readme_catalog():
    readme = (ROOT / "README.md").read_text()
    missing = [c for c in causes.CATALOG if f"| `{c}` |" not in readme]
    assert missing == []


def test_every_cause_in_the_public_catalog_exists_here():
    shared = ROOT.parent / "shared" / "causes.md"
    if not shared.exists():
        return  # only the team's checkout has the public catalog beside it
    import re

    public = set(re.findall(r"^\| `([a-z0-9-]+)` \|", shared.read_text(), re.M))
    assert public and public <= set(causes.CATALOG)


def test_ci_runs_the_readme_test_command_word_for_word():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert command in readme
    assert "pytest" in command


def test_every_cause_explains_why_and_how_to_fix():
    for cause in causes.CATALOG.values():
        assert "## Why is this bad?" in cause.explanation, cause.id
        assert "## How to fix it" in cause.explanation, cause.id
