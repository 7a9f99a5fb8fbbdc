"""What `keras-doctor check --verbose` prints for each saved Mac state, word for word.

Users act on these words: the finding's title, its evidence, the fix commands, the skip reasons
and the summary line. data/check_reports/ holds the report of each of the 23 real macOS states of
the slow suite (their saved facts, data/mac_states.json), rendered at a fixed width; a change in
any check's wording, evidence or fix shows here as a diff to read. When the change is meant,
regenerate them and read the diff before committing:

    KERAS_DOCTOR_UPDATE_REPORTS=1 .venv/bin/python -m pytest tests/mac/test_check_words.py

The knowledge base's age is left out: it depends on the day the test runs, not on the facts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mac_states import SCENARIOS
from test_mac_facts import KB, saved_facts

from keras_doctor.checks.registry import all_checks, run_checks
from keras_doctor.render import render_to_string

REPORTS = Path(__file__).parent / "data" / "check_reports"
UPDATE = os.environ.get("KERAS_DOCTOR_UPDATE_REPORTS") == "1"


def rendered(name: str) -> str:
    checks = [chk for chk in all_checks() if chk.name != "knowledge-age"]
    report = run_checks(saved_facts(name), lambda: KB, checks=checks)
    return render_to_string(report, "terminal", verbose=True, width=100)


@pytest.mark.parametrize("name", [s.name for s in SCENARIOS])
def test_the_check_report_of_each_mac_state_reads_as_saved(name):
    saved = REPORTS / f"{name}.txt"
    text = rendered(name)
    if UPDATE:
        REPORTS.mkdir(exist_ok=True)
        saved.write_text(text)
    assert saved.exists(), f"no saved report for {name}: run with KERAS_DOCTOR_UPDATE_REPORTS=1"
    assert text == saved.read_text()


def test_every_saved_report_belongs_to_a_state():
    assert sorted(p.stem for p in REPORTS.glob("*.txt")) == sorted(s.name for s in SCENARIOS)
