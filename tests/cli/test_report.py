"""`keras-doctor report`: a bug report that is complete, private and fits a GitHub comment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ptyterm import run_on_terminal

sys.path.insert(0, str(Path(__file__).parents[1] / "checks"))

from factories import dist, mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.findings import Finding, Severity
from keras_doctor.render.bundle import LIMIT, bundle, scrub

WORDS = {"/Users/ana": "~", "anas-mbp": "<host>", "ana": "<user>"}


def _facts():
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
        dist("keras", "3.5.0", requires=["rich"]), dist("numpy", "1.26.4")])
    facts.interpreter.executable = "/Users/ana/ml/.venv/bin/python"
    return facts


def test_the_bundle_holds_versions_findings_and_no_private_names():
    facts = _facts()
    report = run_checks(facts)
    report.findings.append(Finding("facts-incomplete", Severity.INFO,
                                   "could not read /Users/ana/.keras on anas-mbp.local as ana",
                                   "part of the environment could not be read"))
    text = bundle(report, facts, None, {"generated_at": "2026-11-01T00:00:00Z",
                                        "origin": "embedded"}, words=WORDS)
    assert "| tensorflow | 2.15.1 |" in text and "| keras | 3.5.0 |" in text
    assert "**keras-doctor:**" in text and "2026-11-01T00:00:00Z" in text
    assert "macos-arm64" in text and "keras-tf-version-skew" in text
    assert "/Users/ana" not in text and "anas-mbp" not in text
    import re

    assert not re.search(r"(?<![A-Za-z0-9_])ana(?![A-Za-z0-9_])", text)
    assert "`~/ml/.venv/bin/python`" in text and "<host>.local as <user>" in text
    assert scrub("banana and ana", WORDS) == "banana and <user>"  # whole words only


def test_the_bundle_fits_a_github_comment_however_much_there_is():
    facts = _facts()
    report = run_checks(facts)
    for number in range(400):
        report.findings.append(Finding(
            "missing-dependency", Severity.ERROR, f"pkg{number} requires dep{number}",
            "a required distribution is not installed",
            {"requirer": f"pkg{number}", "required": f"dep{number}", "noise": "x" * 400}))
    text = bundle(report, facts, None, None, words=WORDS)
    assert len(text) <= LIMIT
    assert "| tensorflow | 2.15.1 |" in text  # the versions survive any cut


def test_it_is_shown_before_it_is_saved(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(_facts().to_dict()))
    env = dict(os.environ)
    code, screen = run_on_terminal(
        [sys.executable, "-c", "import os, sys; os.chdir(sys.argv[1]); "
         "from keras_doctor.cli import main; sys.argv[1:] = ['report', '--facts', sys.argv[2], "
         "'--no-verify']; sys.exit(main(sys.argv[1:]))", str(tmp_path), str(path)],
        env=env, answer="y\n")
    saved = tmp_path / "keras-doctor-report.md"
    assert code == 0, screen
    assert screen.index("## Packages") < screen.index("Save this report")
    assert saved.exists() and "| keras | 3.5.0 |" in saved.read_text()


def test_report_as_a_page(tmp_path):
    import subprocess

    path = tmp_path / "facts.json"
    path.write_text(json.dumps(_facts().to_dict()))
    out = subprocess.run([sys.executable, "-m", "keras_doctor", "report", "--facts", str(path),
                          "--no-verify", "--html", "-o", str(tmp_path / "r.html")],
                         capture_output=True, text=True, timeout=120)
    page = (tmp_path / "r.html").read_text()
    assert out.returncode == 0 and page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page and "| keras | 3.5.0 |" in page
