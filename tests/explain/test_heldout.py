"""The held-out reports: well-formed, held out by the fixed rule, and a floor under today's score.

Only aggregates are printed (`pytest -s` shows them), never a report: the held-out part measures
generalisation only while no one writing knowledge reads it. The floors are what explain scores
today; raise them as it improves, never lower them to make a change pass.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import heldout_score
import split

from keras_doctor import causes

MIN_REPORTS = 192
MIN_REPOSITORIES = 150
# The second pass, collected later by the same rule (heldout/README.md). Its shape is checked
# here like the first pass's; only the benchmark scores it.
MIN_SECOND_PASS_REPORTS = 59
MIN_SECOND_PASS_REPOSITORIES = 56
MIN_REPORTS_PER_PASS = {"first pass": MIN_REPORTS, "second pass": MIN_SECOND_PASS_REPORTS}
# Floors a few reports below what text-only explain scores on the first pass today (80.2 %,
# 88.5 % and 4 of 192 answered nothing on 28 November, afternoon), so a real regression fails and
# one report's change of answer does not.
FLOOR_TOP1 = 0.77
FLOOR_TOP3 = 0.85
CEILING_ANSWERED_NOTHING = 0.04


@pytest.mark.parametrize("held_out_pass", sorted(heldout_score.PASSES))
def test_heldout_file_is_well_formed(held_out_pass):
    """Failures name a line number or an id only, never a report's text, source or notes."""
    cases = heldout_score.load(heldout_score.PASSES[held_out_pass])
    assert len(cases) >= MIN_REPORTS_PER_PASS[held_out_pass]
    problems = []
    for number, case in enumerate(cases, 1):
        where = f"{held_out_pass} line {number}"
        if set(case) != heldout_score.FIELDS:
            problems.append(f"{where}: fields {sorted(set(case) ^ heldout_score.FIELDS)}")
            continue
        if not case["text"].strip() or not case["notes"].strip() or not case["id"].strip():
            problems.append(f"{where}: empty text, notes or id")
        cause = case["cause"]
        if not (cause in causes.CATALOG or cause in heldout_score.PLANNED_CAUSES
                or (cause.startswith("other:") and len(cause) > len("other:"))):
            problems.append(f"{where}: cause {cause!r} is neither catalogued, planned nor other:")
        if case["platform"] not in heldout_score.PLATFORMS:
            problems.append(f"{where}: platform {case['platform']!r}")
        if not isinstance(case["year"], int) or not 2015 <= case["year"] <= 2026:
            problems.append(f"{where}: year {case['year']!r}")
    assert not problems, "\n".join(problems)
    assert len({case["id"] for case in cases}) == len(cases), "duplicate ids"
    assert len({case["source_url"] for case in cases}) == len(cases), "a thread counted twice"


@pytest.mark.parametrize("held_out_pass", sorted(heldout_score.PASSES))
def test_every_report_is_held_out_by_the_fixed_rule(held_out_pass):
    tuning = heldout_score.tuning_repositories()
    problems = []
    for number, case in enumerate(heldout_score.load(heldout_score.PASSES[held_out_pass]), 1):
        where = f"{held_out_pass} line {number}"
        repo = split.repository(case["source_url"])
        if repo != case["repo"]:
            problems.append(f"{where}: repo field does not match its source_url")
        if not split.is_held_out_repository(repo):
            problems.append(f"{where}: its repository is not held out by split.py")
        if repo in tuning:
            problems.append(f"{where}: its repository also appears in the tuning corpus")
    assert not problems, "\n".join(problems)


# Repositories renamed or moved on GitHub (the old name redirects to the new one): split.py hashes
# each name apart, so one repository can sit on both sides under its two names. Collectors skip
# such threads; this holds the held-out side to it for the renames met so far.
RENAMED = {
    "rstudio/keras": "rstudio/keras3",
    "255bits/hypergan": "hypergan/hypergan",
    "uber/horovod": "horovod/horovod",
    "google/mediapipe": "google-ai-edge/mediapipe",
    "jhfjhfj1/autokeras": "keras-team/autokeras",
    "keras-team/keras-nlp": "keras-team/keras-hub",
    "hanxiao/bert-as-service": "jina-ai/clip-as-service",
    "google/jax": "jax-ml/jax",
}


@pytest.mark.parametrize("held_out_pass", sorted(heldout_score.PASSES))
def test_no_report_is_held_out_under_an_old_name_of_a_tuning_repository(held_out_pass):
    tuning = heldout_score.tuning_repositories()
    names = {old: new for old, new in RENAMED.items() if new in tuning or old in tuning}
    names.update({new: old for old, new in names.items()})
    clashes = sum(1 for case in heldout_score.load(heldout_score.PASSES[held_out_pass])
                  if split.repository(case["source_url"]) in names)
    assert clashes == 0  # a count only: held-out reports are never printed


def test_no_thread_or_id_is_counted_in_two_passes():
    """A later pass adds threads the earlier ones lack; it never scores one of them again."""
    seen_sources, seen_ids, problems = {}, {}, []
    for held_out_pass, path in heldout_score.PASSES.items():
        for number, case in enumerate(heldout_score.load(path), 1):
            source = case["source_url"].rstrip("/").lower()
            for seen, key, what in ((seen_sources, source, "thread"), (seen_ids, case["id"], "id")):
                if key in seen and seen[key][0] != held_out_pass:
                    problems.append(f"{held_out_pass} line {number}: its {what} is also in "
                                    f"{seen[key][0]} line {seen[key][1]}")
                seen.setdefault(key, (held_out_pass, number))
    assert not problems, "\n".join(problems)


def test_the_second_pass_draws_on_many_repositories():
    """One repository's habits must not dominate a small pass: at most two reports from any."""
    cases = heldout_score.load(heldout_score.SECOND_PASS_CASES)
    per_repository = Counter(case["repo"] for case in cases)
    assert len(per_repository) >= MIN_SECOND_PASS_REPOSITORIES
    assert max(per_repository.values()) <= 2, "a repository contributes more than two reports"


def test_the_rule_is_the_one_fixed_before_tuning():
    """Guards the split itself: both sides of it, and the repositories it had seen."""
    assert not split.is_held_out_repository("tensorflow/tensorflow")  # seen at the split
    assert not split.is_held_out_repository(None)  # not a GitHub thread
    assert split.repository("https://github.com/Foo/Bar.git/issues/1") == "foo/bar"
    held = [r for r in ("qubvel/segmentation_models", "deezer/spleeter", "rasahq/rasa")]
    assert all(split.is_held_out_repository(r) for r in held)
    assert not split.is_held_out_repository("serengil/deepface")  # hashes odd: may tune


@functools.lru_cache(maxsize=1)
def _scores() -> heldout_score.Scores:
    # The first pass only: the floors below were set on it. The second pass is scored by the
    # benchmark alone, so no test result over it can steer a change.
    return heldout_score.score(heldout_score.load(heldout_score.HELDOUT_CASES))


def test_heldout_score_does_not_fall():
    scores = _scores()
    summary = heldout_score.render(scores, confusion=False)
    print("\n" + summary)
    assert scores.repositories >= MIN_REPOSITORIES, summary
    assert scores.top1_rate >= FLOOR_TOP1, summary
    assert scores.top3_rate >= FLOOR_TOP3, summary
    assert scores.nothing / scores.total <= CEILING_ANSWERED_NOTHING, summary


def test_the_printed_figures_never_show_a_report():
    """What the scorer prints is read by people writing knowledge: no id, source, text or note."""
    printed = heldout_score.render(_scores(), confusion=True)
    leaks = []
    for number, case in enumerate(heldout_score.load(), 1):
        if case["id"] in printed or case["source_url"] in printed or case["repo"] in printed:
            leaks.append(f"line {number}: id, source or repository")
        for line in (case["text"] + "\n" + case["notes"]).splitlines():
            if len(line.strip()) >= 24 and line.strip() in printed:
                leaks.append(f"line {number}: a line of its text or notes")
                break
    assert not leaks, "\n".join(leaks)
    assert "confusion" in printed and "reliability" in printed  # the check ran on the full output


MIN_REPORTS_WITH_FACTS = 40


def test_facts_documents_belong_to_held_out_reports_and_match_their_statements():
    """Each document is valid facts, for a held-out report, and exactly what the script builds
    from `environments.jsonl` (so neither can drift from the other)."""
    sys.path.insert(0, str(Path(__file__).parent / "heldout"))
    import json

    import build_facts

    from keras_doctor.facts.model import Facts
    from keras_doctor.knowledge import load as load_knowledge

    ids = {case["id"] for case in heldout_score.load_all()}
    environments = build_facts.load_environments()
    documents = sorted(heldout_score.HELDOUT_FACTS.glob("*.json"))
    assert len(environments) >= MIN_REPORTS_WITH_FACTS
    assert {e["id"] for e in environments} == {d.stem for d in documents}
    assert {d.stem for d in documents} <= ids, "a facts document for a report that is not held out"
    knowledge = load_knowledge()
    for environment in environments:
        assert environment["stated"].strip(), environment["id"]
        document = heldout_score.HELDOUT_FACTS / f"{environment['id']}.json"
        written = json.loads(document.read_text(encoding="utf-8"))
        Facts.from_dict(written)
        assert written == build_facts.build(environment, knowledge).to_dict(), environment["id"]


def test_the_environment_figures_are_aggregates_only():
    # The first pass only, like the floors: the benchmark alone scores the later passes.
    scores = heldout_score.score_with_environment(heldout_score.load())
    printed = heldout_score.render_with_environment(scores)
    print("\n" + printed)
    assert scores.total >= MIN_REPORTS_WITH_FACTS
    assert all(case["id"] not in printed for case in heldout_score.load())
    assert "with facts" in printed and "text only" in printed


def test_an_other_label_names_a_cause_only_once_the_catalog_has_exactly_that_id():
    catalogued = next(iter(causes.CATALOG))
    assert heldout_score.expected_cause(f"other:{catalogued}") == catalogued
    assert heldout_score.expected_cause("other:no-such-cause-yet") == "other:no-such-cause-yet"
    assert heldout_score.expected_cause(catalogued) == catalogued
    assert heldout_score.expected_cause("other:") == "other:"
