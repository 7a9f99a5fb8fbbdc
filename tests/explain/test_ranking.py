"""explain's ranking and confidence: which cause comes first, and how sure it says it is.

A user reads the first cause and runs its fix. So the order is the product: a stronger witness
outranks a weaker one wherever it sits in the paste, equal witnesses go by which error came last
(the one the user saw), independent witnesses of one cause add up, and an environment's facts
confirm (less doubt), contradict (half the confidence) or add the finding behind the symptom.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
from compat_facts import KB, facts, real_dist

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import MAX_FINDINGS, explain, hypotheses
from keras_doctor.explain.hypothesis import Hypothesis

NUMPY = ("AttributeError: _ARRAY_API not found\n\nA module that was compiled using NumPy 1.x "
         "cannot be run in\nNumPy 2.1.3 as it may crash.")
PROTOBUF = ("TypeError: Descriptors cannot be created directly.\nIf this call came from a _pb2.py "
            "file, your generated code is out of date and must be regenerated with protoc >= "
            "3.19.0.")
ARCH = ("ImportError: dlopen(/Users/a/venv/lib/python3.11/site-packages/numpy/core/"
        "_multiarray_umath.cpython-311-darwin.so, 0x0002): tried: '/x.so' (mach-o file, but is an "
        "incompatible architecture (have 'x86_64', need 'arm64'))")
NO_MODULE = "ModuleNotFoundError: No module named 'tensorflow'"
ILLEGAL = "zsh: illegal hardware instruction  python train.py"


def ranked(text):
    return [(f.cause, f.confidence) for f in explain_text(text).findings]


def causes(text):
    return [f.cause for f in explain_text(text).findings]


# -- the text alone -------------------------------------------------------------------------------

def test_a_stronger_witness_ranks_first_wherever_it_is_in_the_paste():
    # the two recognised errors in that order; the learned ranker may complete them with a
    # guess of its own (a few per cent, shown last), which is not what this is about
    assert causes(ARCH + "\n" + NO_MODULE)[:2] == ["mixed-arch-binary", "missing-dependency"]
    assert causes(NO_MODULE + "\n" + ARCH)[:2] == ["mixed-arch-binary", "missing-dependency"]
    for text in (ARCH + "\n" + NO_MODULE, NO_MODULE + "\n" + ARCH):
        assert all(f.confidence < 0.05 for f in explain_text(text).findings[2:])


def test_equally_strong_witnesses_go_by_which_error_came_last():
    (first, a), (second, b) = ranked(NUMPY + "\n" + PROTOBUF)
    assert a == b
    assert (first, second) == ("protobuf-mismatch", "numpy-abi-mismatch")
    assert causes(PROTOBUF + "\n" + NUMPY)[:2] == ["numpy-abi-mismatch", "protobuf-mismatch"]


def test_one_symptom_with_two_causes_lists_both_most_likely_first():
    (rosetta, high), (avx, low) = ranked(ILLEGAL)
    assert (rosetta, avx) == ("rosetta-python", "cpu-lacks-avx")
    assert 1 > high > low > 0


def test_leaving_out_a_reports_thread_drops_only_the_signatures_it_taught():
    """How explain is measured on a report its knowledge was not written from: the signatures
    learned from that thread go, every other witness of the text still answers."""
    # tensorflow/models#10025: TensorFlow 2.x code under a TensorFlow without `__internal__`
    text = "AttributeError: module 'tensorflow._api.v1.compat.v2' has no attribute '__internal__'"
    own_thread = frozenset({"https://github.com/tensorflow/models/issues/10025"})
    (every, *_) = hypotheses(text)[1]
    (without, *_) = hypotheses(text, without_sources=own_thread)[1]
    assert every.cause == without.cause == "keras-tf-version-skew"
    assert "keras-tf-internal" in every.signatures  # the signature that thread taught
    # CPython's own "has no attribute" message, which no report taught, still names the cause
    assert without.signatures == ["module-attribute"]
    assert not own_thread & set(without.sources)
    assert without.score < every.score


def test_the_confidence_shown_is_the_calibrated_probability_of_the_evidence():
    from keras_doctor.explain import calibrate, ranker

    cleaned, hyps = hypotheses(ARCH)
    (finding, *_) = explain_text(ARCH).findings
    # a recognised message: the model fitted to how often recognised top answers with such
    # evidence (and the ranker's probability of them) were right out of repository
    trained = ranker.model()
    (cause, p), *_ = ranker.rerank(cleaned.text, cleaned.clues, hyps, trained)
    assert cause == hyps[0].cause
    shown = ranker.shown_for_recognised(hyps[0], calibrate.calibrated(hyps)[0],
                                        trained["isotonic"], hyps, p)
    # then corrected by how recognised answers held on reports met before any tuning on them
    shown = ranker.met_fresh(shown, ranker.fresh_kind(hyps, cause), trained["isotonic"])
    assert finding.confidence == round(shown, 3)
    assert 0.5 < finding.confidence < 1


def test_a_later_candidate_never_shows_more_confidence_than_an_earlier_one():
    for text in (NUMPY, PROTOBUF, ARCH, NO_MODULE, ILLEGAL, NUMPY + "\n" + PROTOBUF):
        shown = [f.confidence for f in explain_text(text).findings]
        assert shown == sorted(shown, reverse=True), text


def test_without_a_model_the_hand_scores_are_shown(monkeypatch):
    from keras_doctor.explain import calibrate

    monkeypatch.setattr(calibrate, "model", lambda path=None: None)
    _, hyps = hypotheses(ARCH)
    assert calibrate.calibrated(hyps) == [h.score for h in hyps]


@pytest.mark.parametrize(("weights", "score"), [
    ([], 0.0), ([0.5], 0.5), ([0.5, 0.5], 0.75), ([0.2, 0.5], 0.6), ([0.9, 0.9], 0.99),
    ([0.999], 0.99),
])
def test_independent_witnesses_combine_and_never_reach_certainty(weights, score):
    assert Hypothesis("numpy-abi-mismatch", weights=list(weights)).score == pytest.approx(score)


def test_no_more_than_the_most_likely_causes_are_shown():
    everything = "\n".join([NO_MODULE, ILLEGAL, NUMPY, PROTOBUF, ARCH])
    shown = ranked(everything)
    assert len(shown) == MAX_FINDINGS
    confidences = [c for _, c in shown]
    assert confidences == sorted(confidences, reverse=True)
    # The weakest of the six candidates is the one left out.
    _, hyps = hypotheses(everything)
    assert len(hyps) == MAX_FINDINGS + 1
    assert hyps[-1].cause not in [c for c, _ in shown]


@pytest.mark.parametrize("scores, error, expected", [
    # every confident candidate, up to five
    ([0.9, 0.5, 0.3, 0.2, 0.16, 0.15], True, [0.9, 0.5, 0.3, 0.2, 0.16]),
    # three confident ones: the weak ones stay hidden
    ([0.9, 0.5, 0.3, 0.1, 0.05], True, [0.9, 0.5, 0.3]),
    # fewer than three: weak ones fill up to three, never one under 1 %
    ([0.9, 0.1, 0.05, 0.02], True, [0.9, 0.1, 0.05]),
    ([0.9, 0.1, 0.005], True, [0.9, 0.1]),
    # an error where every candidate is under 1 %: the three likeliest, never nothing
    ([0.009, 0.008, 0.007, 0.006], True, [0.009, 0.008, 0.007]),
    # text that is no error is answered with nothing rather than with guesses under 1 %
    ([0.009, 0.008], False, []),
])
def test_which_candidates_are_shown(scores, error, expected):
    from keras_doctor.explain.engine import shown_candidates

    candidates = [(Hypothesis(f"cause-{i}"), s) for i, s in enumerate(scores)]
    assert [s for _, s in shown_candidates(candidates, error)] == expected


def test_text_that_matches_nothing_gives_no_cause():
    report = explain_text("Epoch 1/10 - loss: 0.69 - accuracy: 0.51")
    assert report.findings == [] and report.extra["unrecognised"]


# -- with the environment's facts -----------------------------------------------------------------

def bare(name, version, platform="linux-x86_64"):
    return real_dist(name, version, platform, requires=[])


def text_confidence(text, cause):
    return dict(ranked(text))[cause]


def test_a_check_that_finds_the_cause_confirms_it_with_a_quarter_of_the_doubt():
    env = facts([bare("tensorflow", "2.15.1"), bare("numpy", "2.1.3")])
    first = explain(NUMPY, env, KB).findings[0]
    alone = text_confidence(NUMPY, "numpy-abi-mismatch")
    assert first.cause == "numpy-abi-mismatch" and first.check == "explain+numpy-abi"
    assert 1 - first.confidence == pytest.approx((1 - alone) / 4, abs=1e-3)
    assert first.fix[0].command[-1] == "numpy<2"  # the check's exact fix, not the text's guess


def test_a_check_that_clears_the_cause_halves_its_confidence():
    env = facts([bare("tensorflow", "2.18.0"), bare("numpy", "2.1.3")])
    (first,) = [f for f in explain(NUMPY, env, KB).findings if f.cause == "numpy-abi-mismatch"]
    alone = text_confidence(NUMPY, "numpy-abi-mismatch")
    assert first.confidence == pytest.approx(alone / 2, abs=1e-3)
    assert "numpy-abi" in first.evidence["contradicted_by"]


def test_facts_can_reverse_the_order_of_the_text():
    # From the text alone numpy comes first (the later of two equal witnesses); the facts confirm
    # protobuf 4 under TensorFlow 2.9 and clear numpy 1.23, so protobuf must come first.
    text = PROTOBUF + "\n" + NUMPY
    assert causes(text)[0] == "numpy-abi-mismatch"
    env = facts([bare("tensorflow", "2.9.0"), bare("numpy", "1.23.5"), bare("protobuf", "4.21.12")],
                python="3.10")
    order = [f.cause for f in explain(text, env, KB).findings]
    assert order.index("protobuf-mismatch") < order.index("numpy-abi-mismatch")


def test_a_missing_module_is_not_contradicted_by_an_environment_that_looks_complete():
    """Requirements all met is no evidence against it; the module being absent is evidence for."""
    env = facts([bare("numpy", "2.1.3")])
    (first,) = [f for f in explain(NO_MODULE, env, KB).findings if f.cause == "missing-dependency"]
    assert first.confidence > text_confidence(NO_MODULE, "missing-dependency")


def test_a_missing_module_the_environment_has_points_at_another_interpreter():
    env = facts([bare("tensorflow", "2.18.0"), bare("numpy", "2.1.3")])
    found = explain(NO_MODULE, env, KB).findings
    assert found[0].cause == "wrong-interpreter"
    (missing,) = [f for f in found if f.cause == "missing-dependency"]
    assert missing.confidence < text_confidence(NO_MODULE, "missing-dependency")


def test_an_error_finding_behind_the_symptom_joins_the_list():
    # "illegal instruction" and an Intel interpreter under Rosetta on an Apple Silicon Mac.
    env = facts([bare("tensorflow", "2.16.2", "macos-x86_64")], platform="macos-x86_64",
                os_version="14.4")
    env.platform.apple_silicon = True
    env.platform.rosetta_translated = True
    found = explain(ILLEGAL, env, KB).findings
    assert found[0].cause == "rosetta-python"
    assert found[0].check.startswith("explain+")
    assert found[0].confidence > text_confidence(ILLEGAL, "rosetta-python")


def test_every_finding_quotes_the_text_that_matched():
    for text in (NUMPY, PROTOBUF, ARCH, NO_MODULE, ILLEGAL):
        for f in explain_text(text).findings:
            assert f.evidence["matched"] and f.evidence["matched"].strip() in text, f.cause


def test_a_long_match_is_quoted_from_its_start_cut_to_a_readable_length():
    from keras_doctor.explain.match import MAX_EXCERPT

    # pip's "from versions:" list runs to hundreds of characters (tensorflow/tensorflow#35061)
    versions = ", ".join(f"1.{minor}.{patch}" for minor in range(13, 15) for patch in range(3))
    versions += ", " + ", ".join(f"2.{minor}.{patch}" for minor in range(17) for patch in range(4))
    line = ("ERROR: Could not find a version that satisfies the requirement tensorflow==2.99.0 "
            f"(from versions: {versions})")
    quoted = [f.evidence["matched"] for f in explain_text(line).findings]
    assert len(line) > MAX_EXCERPT
    assert any(len(q) == MAX_EXCERPT and line.find(q) >= 0 for q in quoted)
    assert all(len(q) <= MAX_EXCERPT for q in quoted)
    short = explain_text(NO_MODULE).findings[0].evidence["matched"]
    assert short in NO_MODULE and len(short) < MAX_EXCERPT


def test_a_confidence_is_a_probability_with_facts_or_without():
    envs = [None, facts([bare("numpy", "2.1.3")]),
            facts([bare("tensorflow", "2.15.1"), bare("numpy", "2.1.3")]),
            facts([bare("tensorflow", "2.9.0"), bare("protobuf", "4.21.12")], python="3.10")]
    for env in envs:
        for text in (NUMPY, PROTOBUF, ARCH, NO_MODULE, ILLEGAL):
            for f in explain(text, env, KB).findings:
                assert 0 < f.confidence <= 1, (f.cause, f.confidence)


def test_explain_with_facts_says_what_the_checks_found():
    from keras_doctor.checks.registry import run_checks

    env = facts([bare("tensorflow", "2.15.1"), bare("numpy", "2.1.3")])
    checks = run_checks(env, lambda: KB)
    report = explain(NUMPY, env, KB)
    assert report.extra["checks"] == {"findings": len(checks.findings),
                                      "passed": len(checks.passed),
                                      "skipped": len(checks.skipped)}
    assert report.target["platform"] == "linux-x86_64"


def test_a_runner_up_a_signature_names_is_listed_however_low_the_calibration_puts_it(monkeypatch):
    from keras_doctor.explain import calibrate, ranker

    monkeypatch.setattr(ranker, "model", lambda path=None: None)
    document = {"features": list(calibrate.FEATURES), "weights": [0.0, 1.0] + [0.0] * 6,
                "isotonic": {"first": [[1.0, 0.9]], "rest": [[1.0, 0.004]]}}
    monkeypatch.setattr(calibrate, "model", lambda path=None: document)
    (first, high), (second, low) = ranked(ILLEGAL)[:2]
    assert (first, second) == ("rosetta-python", "cpu-lacks-avx")
    assert high == 0.9 and low == 0.004


def test_the_cause_of_a_second_error_shows_about_as_sure_as_alone_never_surer():
    """In a paste of two errors, each with its own witness, the second error's cause is shown as
    that error's top answer would be (not as a runner-up of the first error, which a sharp map
    puts under 1 % and hides), without the doubt its own paste alone would not have had."""
    alone = dict(ranked(NO_MODULE))["missing-dependency"]
    for text in (ARCH + "\n" + NO_MODULE, NO_MODULE + "\n" + ARCH):
        (first, top), (second, shown) = ranked(text)[:2]
        assert (first, second) == ("mixed-arch-binary", "missing-dependency")
        assert alone / 2 <= shown <= alone
        assert shown <= top


def test_a_paste_of_one_error_keeps_its_runners_up_where_they_were():
    from keras_doctor.explain import calibrate

    _, hyps = hypotheses(ILLEGAL)
    assert calibrate.errors(hyps) == [0, 0]  # one witness, `illegal hardware instruction`
    (_, top), (avx, shown) = ranked(ILLEGAL)
    assert avx == "cpu-lacks-avx"
    assert shown == calibrate.calibrated(hyps)[1] < top
