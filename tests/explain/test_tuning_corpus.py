"""The tuning corpus: well-formed, and never from a repository the fixed split holds out.

A tuning report from a held-out repository would let knowledge be written from the very threads
the held-out figure is measured on; `split.py`'s rule is checked for every report, so adding one
from the wrong side fails here before any tuning reads it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus
import split

from keras_doctor import causes

FIELDS = {"id", "source_url", "text", "cause", "notes"}


def test_no_tuning_report_comes_from_a_held_out_repository():
    wrong_side = [case["id"] for case in corpus.load() if split.is_held_out(case["source_url"])]
    assert not wrong_side, f"tuning reports from held-out repositories: {wrong_side}"


def test_the_rule_would_catch_a_held_out_thread():
    # the check above is only as good as the rule it calls: a held-out repository is caught
    assert split.is_held_out("https://github.com/qubvel/segmentation_models/issues/1")
    assert not split.is_held_out("https://github.com/tensorflow/tensorflow/issues/1")


def test_tuning_reports_are_well_formed():
    cases = corpus.load()
    problems = []
    for case in cases:
        if set(case) != FIELDS:
            problems.append(f"{case.get('id')}: fields {sorted(set(case) ^ FIELDS)}")
            continue
        if case["cause"] not in causes.CATALOG:
            problems.append(f"{case['id']}: unknown cause {case['cause']!r}")
        if not case["text"].strip() or not case["notes"].strip():
            problems.append(f"{case['id']}: empty text or notes")
        if not case["source_url"].startswith("https://"):
            problems.append(f"{case['id']}: source is not a URL")
    assert not problems, "\n".join(problems)
    assert len({c["id"] for c in cases}) == len(cases), "duplicate ids"
