"""Top-1 accuracy of text-only `explain` on real error reports (the `--no-env` path).

Run with `pytest -s` to see the confusion list; on failure it is part of the assertion message.
"""

from __future__ import annotations

import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor import causes
from keras_doctor.explain import explain_text

MIN_ACCURACY = 0.85


def _top1(case):
    return _top1_of(case["text"])


@cache
def _top1_of(text):
    """Explain's first cause for `text`: the accuracy and the reachability tests judge the same
    answers of every report, computed once per run (a cause ID: nothing a test could alter)."""
    report = explain_text(text)
    return report.findings[0].cause if report.findings else None


def _score(cases):
    misses = []
    for case in cases:
        got = _top1(case)
        if got != case["cause"]:
            misses.append(f"  {case['cause']} -> {got}  ({case['id']})")
    return len(cases) - len(misses), len(cases), misses


def test_corpus_is_well_formed():
    cases = corpus.load()
    assert len(cases) >= 60
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert set(case) == {"id", "source_url", "text", "cause", "notes"}, case["id"]
        assert case["cause"] in causes.CATALOG, case["id"]
        assert case["source_url"].startswith("https://"), case["id"]
        assert case["text"].strip(), case["id"]


@pytest.mark.parametrize("split", ["train", "held-out"])
def test_top1_accuracy(split):
    cases = [c for c in corpus.load() if corpus.held_out(c["id"]) == (split == "held-out")]
    right, total, misses = _score(cases)
    accuracy = right / total
    report = f"{split}: {right}/{total} = {accuracy:.1%}\n" + ("\n".join(misses) or "  (no misses)")
    print("\n" + report)
    assert accuracy >= MIN_ACCURACY, report


# Causes of reports added to the corpus after the signatures were written, which explain did not
# yet name first for any of them when they were added (measured, not tuned). Every other cause of
# the corpus must stay reachable; a cause leaves this set once explain names it.
# pip-too-old-for-platform-tags: one report so far (Big Sur wheel tags), titled without pip's words
# keras-distributions-overlap: one report so far, a title with only the error a Keras of another
# TensorFlow also raises (AlreadyExistsError); nothing in it names the second distribution
# keras-config-invalid, out-of-memory, tf-distributions-overlap: reports of a third collection pass,
# measured before any tuning on them - a hand-edited keras.json read as Keras/TensorFlow skew, a
# bare "Killed" and pip's resolver lines for tensorflow beside tensorflow-gpu; duplicate-install:
# an eighth-pass report, scored before any tuning on it (an empty tensorflow/ folder an
# uninstall left, ray-project/ray#9819); wheel-tag-mismatch: one eleventh-pass report, not scored
# or tuned on when added (a cp36 community wheel under Python 3.7, tensorflow/tensorflow#21472)
NOT_YET_REACHED = frozenset({"kernel-not-restarted", "pip-too-old-for-platform-tags",
                             "keras-distributions-overlap", "keras-config-invalid",
                             "out-of-memory", "tf-distributions-overlap", "duplicate-install",
                             "wheel-tag-mismatch"})


def test_every_cause_of_the_corpus_is_reachable():
    """Each cause in the corpus is the top answer for at least one of its reports."""
    cases = corpus.load()
    reached = Counter(c["cause"] for c in cases if _top1(c) == c["cause"])
    missing = sorted({c["cause"] for c in cases} - set(reached) - NOT_YET_REACHED)
    assert not missing, missing
