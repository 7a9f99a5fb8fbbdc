"""Every answer the resolvers and the fallback give reaches the user, at the weight it means.

The engine keeps only causes the catalog has (`keras-doctor causes ID`): a resolver or a fallback
branch that names a cause by a misspelt ID is silently dropped, and the user gets the next
candidate, or nothing, without any error. A weight outside (0, 1] breaks the score's arithmetic
(`Hypothesis.score` multiplies the complements), and a fallback prior above a guess's weight makes
an unrecognised error look recognised. Both are checked on every report of the tuning corpus, which
reaches nearly every branch, and on the real texts below for the branches it does not.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor import causes
from keras_doctor.explain import clues, engine, fallback, text

GUESS_AT_MOST = 0.5  # a fallback prior is a guess: never the weight of a recognised message


@pytest.fixture(scope="module")
def resolved() -> List[Tuple[str, str, str, float]]:
    """(report id, signature id, cause, weight) for every outcome a resolver gave on the corpus."""
    seen: List[Tuple[str, str, str, float]] = []
    real_resolve = engine.resolve
    report_id = ""

    def recording(signature_match, ctx):
        outcomes = real_resolve(signature_match, ctx)
        seen.extend((report_id, signature_match.signature.id, cause, weight)
                    for cause, weight, _ in outcomes)
        return outcomes

    engine.resolve = recording
    try:
        for row in corpus.load():
            report_id = row["id"]
            engine.hypotheses(row["text"])
    finally:
        engine.resolve = real_resolve
    return seen


def test_the_corpus_reaches_the_resolvers(resolved):
    assert len(resolved) > 400  # the check below cannot pass by seeing nothing
    assert len({signature for _, signature, _, _ in resolved}) > 50


def test_every_resolver_answer_names_a_catalog_cause(resolved):
    unknown = sorted({(cause, signature, report) for report, signature, cause, _ in resolved
                      if cause not in causes.CATALOG})
    assert unknown == []


def test_every_resolver_weight_is_a_probability(resolved):
    outside = sorted({(weight, cause, signature, report)
                      for report, signature, cause, weight in resolved if not 0 < weight <= 1})
    assert outside == []


def guesses(paste: str) -> list:
    cleaned = text.clean(paste)
    return fallback.candidates(cleaned.text, clues.read(cleaned.text, cleaned.frames))


def test_every_fallback_guess_names_a_catalog_cause_at_a_guess_weight():
    rows = corpus.load()
    guessed = [(row["id"], cause, weight) for row in rows for cause, weight, _ in
               guesses(row["text"])]
    assert len({cause for _, cause, _ in guessed}) > 15
    assert [g for g in guessed if g[1] not in causes.CATALOG] == []
    assert [g for g in guessed if not 0 < g[2] <= GUESS_AT_MOST] == []


# Fallback branches no corpus report reaches, on the words the tools themselves print
@pytest.mark.parametrize("paste", [
    # pip into a system Python it may not write (pip's own OSError line)
    "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: "
    "'/usr/lib/python3/dist-packages/numpy'\nConsider using the `--user` option or check the "
    "permissions.",
    # pip refusing a project for its Python (pip's "requires a different Python")
    "ERROR: Package 'keras' requires a different Python: 3.8.10 not in '>=3.9'",
    # a process killed by the loader's abort on Windows and Linux (no message of its own)
    "Process finished with exit code -1073741819 (0xC0000005)\n"
    "C:\\Users\\ada\\miniconda3\\envs\\tf\\lib\\site-packages\\tensorflow\\__init__.py",
    "OMP: Error #15: Initializing libiomp5.so, but found libiomp5.so already initialized.\n"
    "Aborted (core dumped)",
    # a module only the user's code imports
    "ModuleNotFoundError: No module named 'mylocalhelpers'",
])
def test_fallback_branches_the_corpus_misses_still_answer_catalog_causes(paste):
    found = guesses(paste)
    assert found
    assert all(cause in causes.CATALOG and 0 < weight <= GUESS_AT_MOST
               for cause, weight, _ in found)


def test_a_guess_for_a_failed_import_names_the_module_and_the_name():
    """The fallback's evidence is what the user reads beside a guess: which import failed."""
    paste = corpus.case("pixellib-130-batchnorm-tensorflow-python-keras")["text"]
    found = guesses(paste)
    assert found[0][0] == "keras-tf-version-skew"  # a TensorFlow module, a Keras name
    assert all(evidence["module"] == "tensorflow.python.keras.layers"
               and evidence["name"] == "BatchNormalization" for _, _, evidence in found)
    # the other side: a module outside TensorFlow is no Keras-TensorFlow skew
    assert guesses("ImportError: cannot import name 'Thing' from 'pkg.module'")[0][0] != (
        "keras-tf-version-skew")
