"""One set of output options for every command, a JSON Schema for the report, completion."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "checks"))

from factories import dist, mac_facts

from keras_doctor.cli import COMMANDS, build_parser

DOCTOR = [sys.executable, "-m", "keras_doctor"]
SCHEMA = json.loads((Path(__file__).parents[2] / "src" / "keras_doctor" / "render" /
                     "report.schema.json").read_text())
SHARED = {"--format", "--json", "-o", "--output", "-v", "--verbose", "-q", "--quiet",
          "--fail-on", "--no-color", "--color"}


def doctor(*args, **kwargs):
    return subprocess.run([*DOCTOR, *args], capture_output=True, text=True, timeout=120, **kwargs)


def _leaf_parsers():
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
                if nested:
                    for child, leaf in nested[0].choices.items():
                        yield f"{name} {child}", leaf
                elif name != "completion":
                    yield name, sub


def test_every_command_takes_the_same_output_options():
    seen = dict(_leaf_parsers())
    assert {"check", "fix", "recommend", "run", "causes", "facts", "db info", "db update",
            "verify", "explain"} <= set(seen)
    for name, parser in seen.items():
        options = {o for a in parser._actions for o in a.option_strings}
        assert options >= SHARED, (name, SHARED - options)


@pytest.fixture
def facts_file(tmp_path):
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
        dist("keras", "3.5.0", requires=["rich", "namex", "optree"])])
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts.to_dict()))
    return path


def test_the_json_report_follows_its_schema(facts_file):
    out = doctor("check", "--facts", str(facts_file), "--format", "json")
    report = json.loads(out.stdout)
    jsonschema.validate(report, SCHEMA)
    root = report["findings"][report["groups"][0]["root"]]
    assert root["cause"] == "keras-tf-version-skew"
    assert len(report["groups"][0]["consequences"]) == 3
    explained = doctor("explain", "--no-env", "--json",
                       input="ImportError: numpy.core.multiarray failed to import")
    jsonschema.validate(json.loads(explained.stdout), SCHEMA)


def test_the_schema_rejects_what_it_must(facts_file):
    report = json.loads(doctor("check", "--facts", str(facts_file), "--json").stdout)
    report["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA)


def test_output_to_a_file_quiet_and_fail_on(facts_file, tmp_path):
    page = tmp_path / "report.html"
    out = doctor("check", "--facts", str(facts_file), "--format", "html", "-o", str(page))
    assert out.returncode == 1 and out.stdout == ""
    assert page.read_text().startswith("<!DOCTYPE html>")
    quiet = doctor("check", "--facts", str(facts_file), "-q")
    # Keras 3 over TensorFlow 2.15: one block, the skew with the three absent needs of Keras 3
    assert quiet.stdout.count("\n") == 1
    assert quiet.stdout.startswith("1 error (and 3 consequences folded under it)")
    assert doctor("check", "--facts", str(facts_file), "-q", "--fail-on", "never").returncode == 0
    both = doctor("check", "--facts", str(facts_file), "-q", "-v")
    assert both.returncode == 2  # -q and -v exclude each other: a usage error


@pytest.mark.parametrize("argv", [
    ["recommend", "--platform", "macos-arm64", "--python-version", "3.12"],
    ["causes", "numpy-abi-mismatch"],
    ["causes"],
    ["db", "info"],
])
def test_commands_that_are_not_diagnoses_speak_every_format(argv, tmp_path):
    as_json = doctor(*argv, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    json.loads(as_json.stdout)
    markdown = doctor(*argv, "--format", "markdown").stdout
    assert markdown.startswith("#")
    page = doctor(*argv, "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    text = doctor(*argv, "--format", "text").stdout
    assert text and not text.startswith(("{", "[", "<"))


def test_recommend_markdown_is_a_table_and_text_keeps_its_columns():
    md = doctor("recommend", "--platform", "macos-arm64", "--python-version", "3.12",
                "--format", "markdown").stdout
    assert "| pin | why |" in md and "| `tensorflow==" in md
    text = doctor("recommend", "--platform", "macos-arm64", "--python-version", "3.12").stdout
    rows = [line for line in text.splitlines() if line.startswith("  ") and "pip install" not in
            line]
    assert all(len(line) <= 100 for line in rows), text
    column = rows[0].index(rows[0].split()[1])
    assert all(line[:column].strip() == "" or line[column - 2:column] == "  " for line in rows)


def test_fix_speaks_every_format(facts_file):
    out = doctor("fix", "--format", "markdown", "--python", sys.executable)
    assert out.returncode in (0, 1) and out.stdout.startswith("## keras-doctor fix")


@pytest.mark.skipif(not shutil.which("bash"), reason="bash is not installed")
def test_bash_completion_comes_from_the_parser(tmp_path):
    script = tmp_path / "keras-doctor.bash"
    script.write_text(doctor("completion", "bash").stdout)

    def complete(*words):
        line = " ".join(f"'{w}'" for w in words)
        program = (f"source {script}; COMP_WORDS=(keras-doctor {line}); "
                   f"COMP_CWORD={len(words)}; _keras_doctor; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        return subprocess.run(["bash", "-c", program], capture_output=True, text=True
                              ).stdout.split()

    assert set(COMMANDS) <= set(complete(""))
    assert "--format" in complete("check", "--fo")
    assert complete("fix", "--format", "") == ["text", "json", "markdown", "html"]
    assert complete("recommend", "--platform", "mac") == ["macos-arm64", "macos-x86_64"]
    assert "update" in complete("db", "")


def test_causes_renders_its_markdown_on_a_terminal_and_keeps_it_raw_on_a_pipe():
    from ptyterm import run_on_terminal

    code, screen = run_on_terminal([*DOCTOR, "causes", "numpy-abi-mismatch"], columns=100)
    assert code == 0 and "Why is this bad?" in screen
    assert "## Why" not in screen and "**Revealed by:**" not in screen
    piped = doctor("causes", "numpy-abi-mismatch").stdout
    assert "## Why is this bad?" in piped  # Markdown to paste, as written


def test_the_pip_markers_note_shows_only_for_another_platform_and_names_uv():
    from keras_doctor.cli.fix import _explain_limitation
    from keras_doctor.facts.choose import host_platform
    from keras_doctor.plan.model import Plan, PlanTarget
    from keras_doctor.plan.resolve import PIP_LIMITATION

    def plan_for(platform):
        plan = Plan(target=PlanTarget(python="/p", platform=platform, python_version="3.11"))
        plan.resolver, plan.resolver_limitation = "pip", PIP_LIMITATION
        _explain_limitation(plan)
        return plan.resolver_limitation

    assert plan_for(host_platform()) is None
    other = "windows-amd64" if host_platform() != "windows-amd64" else "linux-x86_64"
    note = plan_for(other)
    assert note.startswith(PIP_LIMITATION) and "keras-doctor[uv]" in note
