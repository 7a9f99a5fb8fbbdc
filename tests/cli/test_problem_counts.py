"""The summary counts what a person sees — one problem per root-cause block, at the worst severity
the block holds — and says how many findings are folded under them, in every format; the exit code
follows the same severity."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
from ptyterm import run_on_terminal

sys.path.insert(0, str(Path(__file__).parents[1] / "checks"))

from factories import dist, mac_facts

DOCTOR = [sys.executable, "-m", "keras_doctor"]
SCHEMA = json.loads((Path(__file__).parents[2] / "src" / "keras_doctor" / "render" /
                     "report.schema.json").read_text())


def _facts(tmp_path, keras_needs):
    """Keras 3.5 over TensorFlow 2.15: the pair runs (a warning-level skew), unless what Keras 3
    needs is absent: then the skew is an error itself, with the absences folded under it."""
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
        dist("keras", "3.5.0", requires=keras_needs)])
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts.to_dict()))
    return str(path)


def _run(*args):
    import subprocess

    return subprocess.run([*DOCTOR, *args], capture_output=True, text=True, timeout=120)


def test_a_skew_holding_missing_requirements_is_one_error_on_the_terminal(tmp_path):
    facts = _facts(tmp_path, ["rich", "namex", "optree"])
    code, screen = run_on_terminal([*DOCTOR, "check", "--facts", facts], columns=100)
    assert code == 1, screen
    problems = [line for line in screen.splitlines() if line.startswith(("    ✗ ", "    ! "))]
    assert len(problems) == 1 and problems[0].startswith("    ✗ "), screen  # the block's worst
    assert "keras-tf-version-skew:" in screen
    assert "and 3 dependencies keras needs are absent (rich, namex, optree)" in screen
    summary = " ".join(screen.split()).split("keras-doctor itself")[-1]
    assert "1 error (and 3 consequences folded under it) in " in summary, screen
    assert "3 errors" not in summary and "warning" not in summary
    # --fail-on follows the block
    assert _run("check", "--facts", facts, "-q", "--fail-on", "error").returncode == 1


def test_a_warning_root_alone_stays_a_warning_and_passes_fail_on_error(tmp_path):
    facts = _facts(tmp_path, [])
    code, screen = run_on_terminal([*DOCTOR, "check", "--facts", facts], columns=100)
    assert code == 0, screen
    assert "    ! " in screen and "    ✗ " not in screen
    assert "1 warning in " in " ".join(screen.split()) and "folded" not in screen
    assert _run("check", "--facts", facts, "-q", "--fail-on", "warning").returncode == 1


def test_markdown_counts_blocks_and_folds_consequences_into_one_line(tmp_path):
    facts = _facts(tmp_path, ["rich", "namex", "optree"])
    markdown = _run("check", "--facts", facts, "--format", "markdown").stdout
    result = next(line for line in markdown.splitlines() if line.startswith("**Result:**"))
    assert result.startswith("**Result:** 1 error (and 3 consequences folded under it) in ")
    heading = next(line for line in markdown.splitlines() if line.startswith("#### "))
    assert heading.startswith("#### ❌ ") and "keras 3.5.0" in heading.lower()
    assert "`keras-tf-version-skew` (error)" in markdown
    bullets = [line for line in markdown.splitlines() if line.startswith("- ")
               and "keras" in line and "absent" in line]
    assert bullets == ["- and 3 dependencies keras needs are absent (rich, namex, optree)"]
    assert "missing-dependency" not in markdown.split("<details>")[0]


@pytest.mark.parametrize("needs, problems, folded, severity", [
    (["rich", "namex", "optree"], {"errors": 1, "warnings": 0, "infos": 0}, 3, "error"),
    ([], {"errors": 0, "warnings": 1, "infos": 0}, 0, "warning"),
])
def test_json_counts_problems_and_keeps_every_finding(tmp_path, needs, problems, folded,
                                                      severity):
    report = json.loads(_run("check", "--facts", _facts(tmp_path, needs), "--json").stdout)
    jsonschema.validate(report, SCHEMA)
    summary = report["summary"]
    assert summary["problems"] == problems and summary["folded"] == folded
    assert summary["errors"] + summary["warnings"] + summary["infos"] == \
        sum(problems.values()) + folded == len(report["findings"])
    (group,) = report["groups"]
    assert group["severity"] == severity
    assert report["findings"][group["root"]]["severity"] == severity

