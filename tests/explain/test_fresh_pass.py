"""The collection passes `fresh_pass.py` scores: each id list names corpus reports that may tune.

A pass's figure is only honest if its ids are the reports collected in that pass, none of them
from a held-out repository and none counted twice across passes; `--pass NAME` must find the list
it names and refuse a name it does not know, so a typo cannot silently score the third pass.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fresh_pass
import split

PLATFORMS = {"linux", "macos", "windows", "unknown"}


def test_the_third_pass_is_still_the_default_list():
    assert fresh_pass.pass_ids_file("third") == fresh_pass.THIRD_PASS


def test_an_unknown_pass_name_is_refused_with_the_known_ones():
    with pytest.raises(SystemExit) as refused:
        fresh_pass.pass_ids_file("fifth-that-does-not-exist")
    assert "third" in str(refused.value) and "fourth" in str(refused.value)


PASSES = ["third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
          "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
          "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty-first",
          "twenty-second", "twenty-third"]


@pytest.mark.parametrize("name", PASSES)
def test_every_report_of_a_pass_is_in_the_corpus_and_may_tune(name):
    cases = fresh_pass.pass_cases(fresh_pass.pass_ids_file(name))
    assert cases
    for case in cases:
        assert not split.is_held_out(case["source_url"]), case["id"]
        assert case["platform"] in PLATFORMS, case["id"]


def test_no_report_is_counted_in_two_passes():
    seen = {}
    for name in PASSES:
        for case in fresh_pass.pass_cases(fresh_pass.pass_ids_file(name)):
            assert case["id"] not in seen, (case["id"], seen.get(case["id"]), name)
            seen[case["id"]] = name


def test_a_pass_lists_each_report_once():
    for name in PASSES:
        lines = [line.split("\t")[0] for line in
                 fresh_pass.pass_ids_file(name).read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
        assert len(lines) == len(set(lines)), name
