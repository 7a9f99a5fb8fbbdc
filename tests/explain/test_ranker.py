"""The learned ranker: trained out of repository, features that transfer, hand order kept where
a message is recognised, and the model's own candidates shown as guesses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from keras_doctor.explain import explain_text, ranker
from keras_doctor.explain import train_ranker as tr
from keras_doctor.explain.engine import LEARNED_MECHANISM, hypotheses
from keras_doctor.explain.hypothesis import Hypothesis

ARCH = ("ImportError: dlopen(/Users/a/venv/lib/python3.11/site-packages/numpy/core/"
        "_multiarray_umath.cpython-311-darwin.so, 0x0002): tried: '/Users/a/x.so' (mach-o file, "
        "but is an incompatible architecture (have 'x86_64', need 'arm64'))")
REPOSITORY = Path(__file__).resolve().parents[2]
UNRECOGNISED = ("Traceback (most recent call last):\n  File \"/Users/a/proj/run.py\", line 3, in "
                "<module>\n    model.fit(x)\nRuntimeError: the frobnicator wobbled")


class _Example(tr.Example):
    def __init__(self, cause, group, features, fold=0):
        report = {"id": f"{group}-{cause}-{sorted(features)}", "cause": cause}
        super().__init__(report, fold, group, set(features), [])


def test_a_word_only_one_repository_used_is_never_learnt():
    data = [_Example("dependency-too-new", f"owner/r{i}", {"word:decode", "word:myproject"}
                     if i == 0 else {"word:decode"}) for i in range(4)]
    vocabulary = tr.vocabulary(data)
    assert "word:decode" in vocabulary
    assert "word:myproject" not in vocabulary


def test_the_fit_learns_which_cause_a_shared_feature_means():
    data = []
    for i in range(6):
        data.append(_Example("dependency-too-new", f"o/a{i}", {"word:decode", "kind:exception"}))
        data.append(_Example("wrong-interpreter", f"o/b{i}", {"word:jupyter", "kind:exception"}))
    model = tr.fit(data)
    decode = ranker.scores({"word:decode", "kind:exception"}, [], model)
    jupyter = ranker.scores({"word:jupyter", "kind:exception"}, [], model)
    assert max(decode, key=decode.get) == "dependency-too-new"
    assert max(jupyter, key=jupyter.get) == "wrong-interpreter"
    assert sum(decode.values()) == pytest.approx(1.0)


def test_a_recognised_message_keeps_its_hand_order_and_is_completed_to_three():
    recognised = [Hypothesis("mixed-arch-binary", weights=[0.9], signatures=["dyld-arch"]),
                  Hypothesis("rosetta-python", weights=[0.3], signatures=["dyld-arch"])]
    probabilities = {"rosetta-python": 0.6, "mixed-arch-binary": 0.3, "cpu-lacks-avx": 0.1}
    order = [c for c, _ in ranker.ordered(recognised, probabilities)]
    assert order == ["mixed-arch-binary", "rosetta-python", "cpu-lacks-avx"]
    guessed = [Hypothesis("requirement-conflict", weights=[0.3], signatures=["fallback:exception"])]
    assert ranker.ordered(guessed, probabilities)[0][0] == "rosetta-python"


@pytest.mark.parametrize(("platform", "rosetta_shown"), [
    ("", True), ("macos", True),  # an illegal instruction on a Mac may be Rosetta's
    ("linux", False),  # no Rosetta on Linux: the look-alike is not moved up
])
def test_the_pastes_platform_decides_which_look_alikes_join_the_first_answer(platform,
                                                                            rosetta_shown):
    probabilities = {"cpu-lacks-avx": 0.8, "missing-dependency": 0.1, "numpy-abi-mismatch": 0.05,
                     "rosetta-python": 0.01}
    # the message recognised (hand order), or an error only the model orders
    for signature in ("sigill", "fallback:exception"):
        sigill = [Hypothesis("cpu-lacks-avx", weights=[0.9], signatures=[signature])]
        order = [c for c, _ in ranker.ordered(sigill, probabilities, platform=platform)][:3]
        assert order[0] == "cpu-lacks-avx"
        assert ("rosetta-python" in order) is rosetta_shown


def test_an_unrecognised_error_gets_the_models_candidates_shown_as_guesses():
    _, hand = hypotheses(UNRECOGNISED)
    assert all(set(h.signatures) <= {"fallback:exception"} for h in hand)
    cleaned, _ = hypotheses(UNRECOGNISED)
    order = [c for c, _ in ranker.rerank(cleaned.text, cleaned.clues, hand)]
    # the model completes the hand's guesses with its own (shown if calibration puts them at 1 %
    # or more: `engine.shown_candidates`)
    assert len(order) >= 3 and set(order) - {h.cause for h in hand}
    findings = explain_text(UNRECOGNISED).findings
    assert findings and [f.cause for f in findings] == order[: len(findings)]
    assert all(f.confidence <= ranker.MAX_UNRECOGNISED for f in findings)
    learned = [f for f in explain_text("ValueError: the frobnicator wobbled").findings
               if f.evidence["signatures"] == ["ranker"]]
    assert learned
    for finding in learned:
        assert finding.explanation == LEARNED_MECHANISM and finding.fix
        # what the guess rests on, quoted: the error the model read
        assert finding.evidence["exception"] == "ValueError: the frobnicator wobbled"


def test_a_recognised_message_is_shown_more_sure_than_any_guess():
    (first, *_) = explain_text(ARCH).findings
    assert first.cause == "mixed-arch-binary"
    assert first.confidence > ranker.MAX_UNRECOGNISED


def test_without_a_shipped_ranker_explain_keeps_the_hand_order(monkeypatch):
    monkeypatch.setattr(ranker, "model", lambda path=None: None)
    _, hand = hypotheses(UNRECOGNISED)
    shown = [f.cause for f in explain_text(UNRECOGNISED).findings]
    # in the hand order; a candidate the calibration puts below 1 % is not shown
    assert shown and shown == [h.cause for h in hand][: len(shown)]


def test_the_shipped_ranker_was_chosen_out_of_repository_and_ranks_better_than_the_hand():
    document = json.loads(ranker.DATA.read_text(encoding="utf-8"))
    checked = document["cross_validated"]
    assert "grouped by repository" in checked["protocol"]
    assert checked["ranker"]["top1"] >= checked["hand"]["top1"]
    assert checked["ranker"]["top3"] > checked["hand"]["top3"]
    assert document["trained_on"]["reports"] >= 260
    assert tuple(document["pair_features"]) == ranker.PAIR_FEATURES
    steps = document["isotonic"]
    for name in ("first", "rest"):
        rates = [rate for _, rate in steps[name]]
        assert rates == sorted(rates) and all(0 < r < 1 for r in rates)
    weights = ranker.recognised_model(steps)
    if weights is None:  # the step map it is compared with won
        rates = [rate for _, rate in steps["recognised"]]
        assert rates == sorted(rates) and all(0 < r < 1 for r in rates)
    else:  # stronger evidence and the model's agreement raise it; a shared witness does not
        named = dict(zip(ranker.RECOGNISED_FEATURES, weights))
        assert named["hand_logit"] > 0 and named["model_logit"] > 0
        # (fitted below zero until the retraining on 1,416 reports put it at +0.018, noise beside
        # the evidence's 1.17: one line read by two signatures still counts as one witness)
        assert named["shared_witness"] < 0.05 * named["hand_logit"]
        assert tr.logistic_is_better(checked)


def test_a_weaker_recognised_confidence_never_shows_as_sure_as_a_stronger_one():
    steps = [[0.5, 0.4], [0.9, 0.6], [1.0, 0.9]]
    shown = [ranker.recalibrated(p, steps) for p in (0.1, 0.3, 0.5, 0.6, 0.8, 0.95, 1.0)]
    assert shown == sorted(shown) and len(set(shown)) == len(shown)
    assert 0.4 <= shown[0] < 0.6 and 0.6 <= shown[4] < 0.9  # each stays within its step's rise


def test_inference_is_pure_python():
    ranker.model.cache_clear()
    assert ranker.model() is not None
    assert not {"numpy", "scipy", "sklearn"} & set(sys.modules)


def test_a_report_without_its_cause_loses_that_cause_and_its_evidence():
    ranked = [Hypothesis("mixed-arch-binary", weights=[0.9], signatures=["dyld-arch"]),
              Hypothesis("rosetta-python", weights=[0.3], signatures=["shell-sigill"])]
    report = {"id": "r", "cause": "mixed-arch-binary"}
    example = tr.Example(report, 0, "o/r", {"proposed:mixed-arch-binary",
                                            "proposed:rosetta-python", "via:dyld-arch",
                                            "via:shell-sigill", "kind:exception"}, ranked)
    twin = tr.without_its_cause(example)
    assert twin.hand == ["rosetta-python"] and twin.cause == "" and twin.id != example.id
    assert twin.features == {"proposed:rosetta-python", "via:shell-sigill", "kind:exception"}
    assert example.hand == ["mixed-arch-binary", "rosetta-python"]  # the report is untouched


def test_the_top_guess_and_the_others_read_their_own_maps_and_a_guess_never_looks_sure():
    from keras_doctor.explain.ranker import MAX_UNRECOGNISED, confidence

    steps = {"first": [[1.0, 0.6]], "rest": [[1.0, 0.2]]}
    assert confidence(0.5, 0, steps) == 0.6
    assert confidence(0.5, 1, steps) == 0.2
    assert confidence(0.5, 0, {"first": [[1.0, 0.97]]}) == MAX_UNRECOGNISED


def test_a_recognised_confidence_above_every_step_stays_in_the_top_step_and_below_certainty():
    from keras_doctor.explain.ranker import recalibrated

    steps = [[0.5, 0.6], [0.9, 0.85]]
    top = recalibrated(0.999, steps)
    assert 0.85 <= top <= 0.99
    assert recalibrated(0.95, steps) <= top  # monotone above the last fitted score too
    assert recalibrated(0.4, steps) < recalibrated(0.6, steps) < top
    # a step where every recognised answer so scored was right still never shows certainty
    assert recalibrated(0.99, [[0.5, 0.6], [1.0, 1.0]]) == 0.99


def test_the_words_the_model_reads_are_those_of_the_errors_own_last_lines():
    preamble = ["$ python train.py --frobnicate", *(f"Epoch {i}/20 - loss: 0.5" for i in range(15))]
    text = "\n".join([*preamble, "", "RuntimeError: the plugin wobbled"])
    words = ranker.words(text)
    assert {"runtimeerror", "plugin", "wobbled"} <= words
    assert "frobnicate" not in words  # fifteen lines before the error: not the error's words
    assert "frobnicate" in ranker.words("\n".join([*preamble[:3], "RuntimeError: x"]))


def test_inside_a_step_a_recognised_confidence_rises_with_the_evidence_up_to_the_steps_rise():
    steps = [[0.5, 0.4], [1.0, 0.9]]
    bottom, middle, top = (ranker.recalibrated(p, steps) for p in (0.0, 0.25, 0.5))
    assert bottom == pytest.approx(0.4)
    assert middle == pytest.approx(0.4 + ranker.WITHIN_STEP / 2)
    assert top == pytest.approx(0.4 + ranker.WITHIN_STEP)  # the whole rise, still below 0.9
    # a next step close above caps the rise at halfway to it
    assert ranker.recalibrated(0.5, [[0.5, 0.4], [1.0, 0.42]]) == pytest.approx(0.41)


def test_a_guess_on_a_familiar_error_does_not_set_how_sure_guesses_look(monkeypatch):
    """Out of fold, the model also guesses errors a signature of the report's own fold would
    recognise; on an unseen report such an error is recognised, never guessed. The top guess's
    map comes from novel errors (here all wrong) and ignores the familiar ones (all right)."""
    rows = []
    for i in range(40):
        novel = i % 2 == 0
        example = tr.Example({"id": f"r{i}", "cause": "wrong-interpreter"}, i % 5, f"o/r{i}",
                             {"kind:exception"}, [], novel=novel)
        answer = "missing-dependency" if novel else "wrong-interpreter"
        rows.append((example, [(answer, 0.2 + i / 100)], {}, 1.0))
    first = tr.maps(rows)["first"]
    assert all(rate < 0.2 for _, rate in first)
    monkeypatch.setattr(tr, "FAMILIAR_GUESS_WEIGHT", 1.0)  # counted like novel ones: flattered
    assert max(rate for _, rate in tr.maps(rows)["first"]) > 0.4


def test_the_twin_of_a_familiar_report_is_novel():
    report = {"id": "r", "cause": "mixed-arch-binary"}
    example = tr.Example(report, 0, "o/r", {"kind:exception"},
                         [Hypothesis("mixed-arch-binary", weights=[0.9], signatures=["s"])],
                         novel=False)
    assert tr.without_its_cause(example).novel and not example.novel


def test_the_hand_evidence_the_model_weighs_tells_an_atlas_hit_and_a_weakened_cause_apart():
    index = {name: i for i, name in enumerate(ranker.PAIR_FEATURES)}
    atlas = Hypothesis("metal-plugin-mismatch", weights=[0.6], signatures=["message-atlas"])
    signed = Hypothesis("metal-plugin-mismatch", weights=[0.6],
                        signatures=["message-atlas", "metal-symbol"], against=["not on a Mac"])
    alone, backed = (ranker.pair_features("metal-plugin-mismatch", [h]) for h in (atlas, signed))
    assert (alone[index["hand_atlas_only"]], backed[index["hand_atlas_only"]]) == (1.0, 0.0)
    assert (alone[index["hand_weakened"]], backed[index["hand_weakened"]]) == (0.0, 1.0)
    assert ranker.pair_features("rosetta-python", [atlas]) == [0.0] * len(index)


def test_a_recognised_top_answer_the_atlas_alone_names_never_shows_surer_than_a_guess():
    steps = {"recognised": [[0.5, 0.7], [1.0, 0.95]]}
    atlas = Hypothesis("metal-plugin-mismatch", weights=[0.9], signatures=["message-atlas"])
    signed = Hypothesis("metal-plugin-mismatch", weights=[0.9], signatures=["metal-symbol"])
    assert ranker.shown_for_recognised(atlas, 0.9, steps) == ranker.MAX_UNRECOGNISED
    assert ranker.shown_for_recognised(signed, 0.9, steps) > ranker.MAX_UNRECOGNISED


def test_a_top_step_rises_halfway_to_a_step_above_it_and_never_to_certainty():
    assert ranker.recalibrated(1.0, [[0.5, 0.4], [1.0, 0.8]]) == pytest.approx(0.82)
    assert ranker.recalibrated(1.0, [[1.0, 0.99]]) == 0.99


def _recognised(weights):
    return {"recognised": {"features": list(ranker.RECOGNISED_FEATURES), "weights": weights}}


def test_a_witness_that_also_backs_a_runner_up_lowers_a_recognised_answers_confidence():
    """`No module named` stands behind a missing dependency and another interpreter alike: the
    answer it picked is less sure than one whose witness names it alone."""
    steps = _recognised([0.0, 1.0, -1.0, 0.0, 0.0])
    top = Hypothesis("missing-dependency", weights=[0.75], signatures=["missing-module"])
    shared = [top, Hypothesis("wrong-interpreter", weights=[0.3], signatures=["missing-module"])]
    alone = [top, Hypothesis("wrong-interpreter", weights=[0.3], signatures=["pip-satisfied"])]
    assert (ranker.recognised_features(top, shared, 0.5)[2],
            ranker.recognised_features(top, alone, 0.5)[2]) == (1.0, 0.0)
    lowered = ranker.shown_for_recognised(top, 0.9, steps, shared, 0.5)
    kept = ranker.shown_for_recognised(top, 0.9, steps, alone, 0.5)
    assert lowered < kept == pytest.approx(0.75, abs=0.01)


def test_the_models_agreement_raises_a_recognised_answers_confidence_and_its_doubt_lowers_it():
    steps = _recognised([0.0, 1.0, 0.0, 1.0, 0.0])
    top = Hypothesis("no-wheel-for-python", weights=[0.7], signatures=["no-matching-distribution"])
    doubted, neutral, agreed = (ranker.shown_for_recognised(top, 0.9, steps, [top], p)
                                for p in (0.1, 0.5, 0.95))
    assert doubted < 0.5 < neutral < agreed < 0.99


def test_a_recognised_answer_never_shows_certainty_either_way():
    top = Hypothesis("glibc-too-old", weights=[0.99], signatures=["glibc-version-not-found"])
    assert ranker.shown_for_recognised(top, 0.9, _recognised([30, 5, 0, 5, 0]), [top], 1.0) == 0.99
    assert ranker.shown_for_recognised(top, 0.9, _recognised([-30, 0, 0, 0, 0]), [top], 0.0) == 0.01


def test_a_recognised_model_of_other_features_is_ignored_for_the_step_map():
    """A model fitted on another feature set must not be read against these features."""
    top = Hypothesis("glibc-too-old", weights=[0.9], signatures=["glibc-version-not-found"])
    stale = {"recognised": {"features": ["bias", "hand_logit"], "weights": [5.0, 5.0]}}
    assert ranker.recognised_model(stale) is None
    assert ranker.shown_for_recognised(top, 0.8, stale, [top], 0.9) == 0.8


def test_the_recognised_model_learns_which_evidence_is_right_more_often():
    """Fitted on answers where a shared witness was wrong half the time and the model's agreement
    went with being right, the weights say so (and the step map they replace is kept)."""
    rows = []
    for i in range(80):
        shared = i % 2 == 0
        agreed = i % 4 < 2 if shared else i % 8 != 0
        right = (i % 4 == 0) if shared else agreed
        cause = "missing-dependency"
        top = Hypothesis(cause, weights=[0.75], signatures=["missing-module"])
        runner = Hypothesis("wrong-interpreter", weights=[0.3],
                            signatures=["missing-module" if shared else "pip-satisfied"])
        example = tr.Example({"id": f"r{i}", "cause": cause if right else "wrong-interpreter"},
                             i % 5, f"o/r{i}", {"kind:exception"}, [top, runner])
        rows.append((example, [(cause, 0.9 if agreed else 0.2)], {cause: 0.8}, 1.0))
    fitted = tr.maps(rows)
    weights = dict(zip(ranker.RECOGNISED_FEATURES, fitted["recognised"]["weights"]))
    assert weights["shared_witness"] < 0 < weights["model_logit"]
    assert fitted["recognised_steps"] and all(0 < r < 1 for _, r in fitted["recognised_steps"])


def test_the_logistic_model_ships_only_when_it_beats_the_step_map_on_gap_and_brier():
    def figures(gap, brier):
        return {"as_unseen_reports_meet_it": {"worst_gap_in_buckets_of_10_or_more": gap,
                                              "brier_of_top_answer": brier}}

    assert tr.logistic_is_better({**figures(0.08, 0.09), "recognised_by_steps": figures(0.2, 0.1)})
    assert not tr.logistic_is_better({**figures(0.08, 0.11),
                                      "recognised_by_steps": figures(0.2, 0.1)})
    assert not tr.logistic_is_better({**figures(0.21, 0.09),
                                      "recognised_by_steps": figures(0.2, 0.1)})

def test_above_the_last_fitted_score_a_recognised_confidence_rises_no_further():
    steps = [[0.5, 0.6], [0.9, 0.85]]
    assert ranker.recalibrated(0.999, steps) == pytest.approx(ranker.recalibrated(0.9, steps))


def test_the_model_reads_the_hand_candidates_and_a_colab_traceback_as_a_notebook():
    # a Colab runtime's paths, no notebook cell frame: still a notebook to the model
    colab = ('Traceback (most recent call last):\n  File "/usr/local/lib/python3.10/dist-packages/'
             'keras/src/saving/saving_api.py", line 1, in load_model\n'
             "ValueError: File format not supported")
    cleaned, ranked = hypotheses(colab)
    assert cleaned.clues.colab and not cleaned.clues.notebook
    features = ranker.report_features(cleaned.text, cleaned.clues, ranked)
    assert "notebook" in features and "notebook" in ranker.model()["weights"]
    assert {f"proposed:{h.cause}" for h in ranked[:3]} <= features
    # named as the model was trained: the exception and platform it weighs
    for feature in ("exc:valueerror", "platform:linux"):
        assert feature in features and feature in ranker.model()["weights"]
    assert all(isinstance(feature, str) for feature in features)


def pasted_features(text: str) -> set:
    """What the ranker reads from a paste, as explain hands it over."""
    cleaned, ranked = hypotheses(text)
    return ranker.report_features(cleaned.text, cleaned.clues, ranked)


def test_what_the_paste_shows_is_read_under_the_names_the_shipped_model_learnt():
    # a renamed feature would silently weigh nothing: every clue of a real-looking paste that is
    # not a word or a knowledge id is one the model has a weight for
    paste = ('Traceback (most recent call last):\n  File "/Users/ada/train.py", line 4, in '
             '<module>\n    model = tf.keras.models.load_model("m.h5")\n  File "/opt/anaconda3/'
             'envs/tf/lib/python3.9/site-packages/tensorflow/python/keras/saving/save.py", line '
             "206, in load_model\n    return hdf5_format.load_model_from_hdf5(filepath)\n"
             "ImportError: `load_model` requires h5py.\n")
    features = pasted_features(paste)
    clues = {f for f in features if f.split(":")[0] not in ("word", "via", "proposed")}
    assert {"keras:tf.keras", "platform:macos", "installer:anaconda", "python:3.9",
            "exc:importerror", "in:tensorflow", "traceback"} <= clues
    assert clues <= set(ranker.model()["weights"])


def test_the_recognised_answers_model_reads_whether_the_atlas_alone_named_it():
    atlas = Hypothesis("missing-dependency", weights=[0.7], signatures=["message-atlas"])
    signed = Hypothesis("missing-dependency", weights=[0.7], signatures=["missing-module"])
    named = dict(zip(ranker.RECOGNISED_FEATURES, ranker.recognised_features(atlas, [atlas], 0.5)))
    assert named["atlas_only"] == 1.0
    named = dict(zip(ranker.RECOGNISED_FEATURES, ranker.recognised_features(signed, [signed], 0.5)))
    assert named["atlas_only"] == 0.0


@pytest.mark.parametrize("message", ["short one", "something no knowledge recognises " * 12])
def test_a_cause_the_model_proposes_quotes_the_exception_it_was_proposed_for(message):
    # the one line of evidence such a guess has: the exception, whole, or its first 300 characters
    findings = explain_text(f"ValueError: {message}").findings
    learned = [f for f in findings if f.evidence["signatures"] == ["ranker"]]
    assert learned
    for finding in learned:
        assert finding.evidence["exception"] == f"ValueError: {message}"[:300]
        assert finding.explanation == LEARNED_MECHANISM


def _fresh(kind, shown, right, repository="o/r"):
    return {"id": f"{kind}-{shown}-{right}-{repository}", "repository": repository, "kind": kind,
            "shown": shown, "right": right}


def test_a_kind_right_less_often_on_fresh_reports_than_shown_is_shown_lower():
    # look-alikes shown at 0.95 and right half the time; recognised ones as right as shown
    rows = ([_fresh("look-alike", 0.95, i % 2) for i in range(20)]
            + [_fresh("recognised", 0.9, int(i % 10 != 0)) for i in range(20)])
    fitted = tr.fresh_correction(rows, shrink=0.0)
    steps = {"fresh": {"kinds": fitted}}
    assert ranker.met_fresh(0.95, "look-alike", steps) == pytest.approx(0.5)
    assert ranker.met_fresh(0.9, "recognised", steps) == pytest.approx(0.9)
    # a kind the passes never met keeps its confidence, as does every kind without a correction
    assert "guessed" not in fitted and ranker.met_fresh(0.4, "guessed", steps) == 0.4
    assert ranker.met_fresh(0.95, "look-alike", {}) == 0.95


def test_the_fresh_rate_is_shrunk_toward_what_was_shown_and_the_slope_kept_between_0_and_1():
    rows = [_fresh("guessed", 0.4, 0) for _ in range(6)]
    mean_shown, rate, slope = tr.fresh_correction(rows, shrink=6.0)["guessed"]
    # six answers and six pseudo-answers held as shown: half way, rate and slope alike
    assert mean_shown == pytest.approx(0.4) and rate == pytest.approx(0.2)
    assert slope == pytest.approx(0.5)
    assert tr.fresh_correction(rows, shrink=0.0)["guessed"][1:] == [0.0, 0.0]
    # confidence that ran against the outcome (higher shown, more often wrong) tells nothing
    rows = [_fresh("guessed", 0.3, 1), _fresh("guessed", 0.7, 0)] * 5
    assert tr.fresh_correction(rows, shrink=0.0)["guessed"][2] == 0.0
    # confidence that tracked the outcome more than fully keeps its spread, no more
    rows = [_fresh("recognised", 0.6, 0), _fresh("recognised", 0.7, 1)] * 5
    assert tr.fresh_correction(rows, shrink=0.0)["recognised"][2] == 1.0
    assert ranker.met_fresh(0.99, "recognised", {"fresh": {"kinds": {"recognised": [
        0.5, 0.9, 1.0]}}}) == 0.99  # never certainty


def test_the_way_of_meeting_new_reports_is_chosen_by_how_each_pass_was_met_fitted_without_it():
    # two passes whose recognised answers, shown at 0.95, were right 60 % of the time
    fresh = [{**_fresh("recognised", 0.95, int(i % 5 < 3), f"p/{i}"),
              "pass": "third" if i < 20 else "fourth"} for i in range(40)]
    # tuning answers that fell as short: the passes are believed as they are
    fell = [_fresh("recognised", 0.95, int(i % 5 < 3), f"t/{i}") for i in range(200)]
    chosen, table = tr.fresh_choice(fresh, fell)
    assert table["answers"] == 240 and table["fresh_answers"] == 40
    assert set(table["corrected"]) == {f"{s:g}" for s in tr.FRESH_SHRINKS}
    assert chosen["method"] != "none" and table["chosen"] == chosen["method"]
    assert table["as_shown"]["brier_of_top_answer"] > min(
        f["brier_of_top_answer"] for f in [table["mapped"], *table["corrected"].values()])
    # each pass is met by what was fitted on the other: a single pass leaves a correction
    # nothing to fit, and meets itself as shown
    alone = [dict(r, **{"pass": "third"}) for r in fresh]
    assert tr.fresh_choice(alone, [])[1]["corrected"]["0"] == tr.fresh_choice(alone, [])[1][
        "as_shown"]
    # a repository's own answers never correct it: the same repository, met in the pass and in
    # the tuning corpus, is left out of both together (names compared without case)
    one = [_fresh("recognised", 0.95, 0, "Same/Repo")]
    shown = tr.fresh_choice(one, [_fresh("recognised", 0.95, 0, "same/repo")])[1]
    assert shown["corrected"]["0"]["brier_of_top_answer"] == pytest.approx(0.9025)


def test_answers_that_held_as_shown_are_met_as_shown():
    # the pass and the tuning answers, shown at 0.95, were right 95 % of the time: nothing to
    # correct, and the simplest candidate wins what the others only tie
    held = [_fresh("recognised", 0.95, int(i % 20 != 0), f"t/{i}") for i in range(200)]
    fresh = [_fresh("recognised", 0.95, int(i % 20 != 0), f"p/{i}") for i in range(40)]
    chosen, table = tr.fresh_choice(fresh, held)
    assert chosen == {"method": "none"} and table["chosen"] == "none"
    assert ranker.met_fresh(0.95, "recognised", {"fresh": chosen}) == 0.95


def test_a_confidence_that_says_too_little_is_met_through_the_monotone_map():
    # answers shown at 0.3 were never right and those shown at 0.95 always: one map from the
    # confidence shown to the rate turns both into what they delivered; a per-kind line cannot
    rows = ([_fresh("recognised", 0.3, 0, f"t/{i}") for i in range(100)]
            + [_fresh("recognised", 0.95, 1, f"u/{i}") for i in range(100)])
    chosen, table = tr.fresh_choice(rows[:20] + rows[100:120], rows[20:100] + rows[120:])
    assert chosen["method"] == "map" and table["chosen"] == "map"
    assert ranker.met_fresh(0.3, "guessed", {"fresh": chosen}) < 0.1
    assert ranker.met_fresh(0.95, "look-alike", {"fresh": chosen}) > 0.95
    assert (table["mapped"]["worst_gap_in_buckets_of_10_or_more"]
            < table["as_shown"]["worst_gap_in_buckets_of_10_or_more"])


def test_a_candidate_that_widens_the_worst_bucket_gap_is_not_chosen_for_its_brier(monkeypatch):
    as_shown = {"brier_of_top_answer": 0.11, "worst_gap_in_buckets_of_10_or_more": 0.2}
    sharper = {"brier_of_top_answer": 0.10, "worst_gap_in_buckets_of_10_or_more": 0.3}
    assert not tr._no_wider_gap(sharper, as_shown) and tr._no_wider_gap(as_shown, as_shown)
    figures = iter([as_shown] + [sharper] * (len(tr.FRESH_SHRINKS) + 1))
    monkeypatch.setattr(tr.tc, "summary", lambda *_: next(figures))
    assert tr.fresh_choice([_fresh("recognised", 0.9, 1, "p/1")],
                           [_fresh("recognised", 0.9, 1, "t/1")])[0] == {"method": "none"}


def test_a_pass_record_gives_the_confidence_before_the_correction_its_commit_shipped(tmp_path):
    corpus = tmp_path / "tests" / "explain" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "fourth_pass_answers.jsonl").write_text(
        json.dumps({**_fresh("recognised", 0.83, 1), "uncorrected": 0.99}) + "\n"
        + json.dumps(_fresh("guessed", 0.4, 0)) + "\n", encoding="utf-8")
    assert [r["shown"] for r in tr.fresh_answers(tmp_path)] == [0.99, 0.4]


def test_the_kind_of_a_top_answer_is_what_the_collection_pass_record_calls_it():
    signed = Hypothesis("mixed-arch-binary", weights=[0.9], signatures=["dyld-arch"])
    generic = Hypothesis("missing-dependency", weights=[0.75], signatures=["missing-module"])
    guessed = Hypothesis("requirement-conflict", weights=[0.3], signatures=["fallback:exception"])
    assert ranker.fresh_kind([signed], "mixed-arch-binary") == "recognised"
    assert ranker.fresh_kind([generic], "missing-dependency") == "look-alike"
    assert ranker.fresh_kind([guessed], "wrong-interpreter") == "guessed"
    assert set(ranker.FRESH_KINDS) == {"recognised", "look-alike", "guessed"}


def test_explain_shows_the_top_answer_corrected_by_its_kind(monkeypatch):
    trained = dict(ranker.model())
    steps = dict(trained["isotonic"])
    steps.pop("fresh", None)
    monkeypatch.setattr(ranker, "model", lambda path=None: dict(trained, isotonic=steps))
    before = explain_text(ARCH).findings[0]
    steps["fresh"] = {"kinds": {"recognised": [0.9, 0.6, 1.0]}}
    after = explain_text(ARCH).findings[0]
    assert after.cause == before.cause == "mixed-arch-binary"
    assert after.confidence == pytest.approx(min(0.99, before.confidence - 0.3), abs=0.002)
    assert all(f.confidence <= after.confidence for f in explain_text(ARCH).findings)


def test_the_shipped_way_of_meeting_new_reports_is_the_one_chosen_by_repository():
    rows = tr.fresh_answers(REPOSITORY)
    assert rows and {r["kind"] for r in rows} <= set(ranker.FRESH_KINDS)
    document = json.loads(ranker.DATA.read_text(encoding="utf-8"))
    shipped = document["isotonic"]["fresh"]
    tried = document["cross_validated"]["fresh_choice"]
    assert tried["chosen"] == shipped["method"] and tried["fresh_answers"] == len(rows)
    # each pass met by what was fitted without it and its repositories, as the next one will be
    by_pass = document["cross_validated"]["fresh_by_pass"]
    assert {name: figures["answers"] for name, figures in by_pass.items()} == {
        name: sum(1 for r in rows if r["pass"] == name) for name in {r["pass"] for r in rows}}
    if shipped["method"] == "correction":
        assert shipped["kinds"] == tr.fresh_correction(rows, shipped["shrink"])
        assert tried["chosen_shrink"] == shipped["shrink"]
    figures = {"none": tried["as_shown"], "map": tried["mapped"],
               **{f"correction {k}": v for k, v in tried["corrected"].items()}}
    chosen = (figures["none"] if shipped["method"] == "none" else figures["map"]
              if shipped["method"] == "map" else figures[f"correction {shipped['shrink']:g}"])
    # of the candidates no worse in the worst bucket than as shown, the lowest Brier score
    eligible = [f for f in figures.values() if tr._no_wider_gap(f, tried["as_shown"])]
    assert chosen in eligible
    assert chosen["brier_of_top_answer"] == min(f["brier_of_top_answer"] for f in eligible)


# Top-1 of each collection pass with explain as the commit that first met it (corpus/README.md)
FIRST_MET = {"third": 40, "fourth": 22, "fifth": 32, "sixth": 51, "seventh": 33, "eighth": 33,
             "ninth": 39, "tenth": 18, "eleventh": 25,
             "twelfth": 13, "thirteenth": 22, "fourteenth": 24, "fifteenth": 16,
             "sixteenth": 13, "seventeenth": 11, "eighteenth": 19, "nineteenth": 16,
             "twentieth": 9, "twenty-first": 8, "twenty-second": 12, "twenty-third": 14,
             "twenty-fourth": 11, "twenty-fifth": 11, "twenty-sixth": 5,
             "twenty-seventh": 12, "twenty-eighth": 13, "twenty-ninth": 9,
             "thirtieth": 4, "thirty-first": 11, "thirty-second": 7, "thirty-third": 14,
             "thirty-fourth": 10, "thirty-fifth": 5, "thirty-sixth": 8,
             "thirty-seventh": 13, "thirty-eighth": 7,
             "thirty-ninth": 10, "fortieth": 8, "forty-first": 10,
             "forty-second": 6, "forty-third": 9}


def test_the_recorded_answers_are_those_of_the_passes_they_name():
    sys.path.insert(0, str(REPOSITORY / "tests" / "explain"))
    import fresh_pass

    answers = tr.fresh_answers(REPOSITORY)
    assert {r["pass"] for r in answers} == set(FIRST_MET)
    for name in FIRST_MET:
        rows = {r["id"] for r in answers if r["pass"] == name}
        ids = {c["id"] for c in fresh_pass.pass_cases(fresh_pass.pass_ids_file(name))}
        # a report answered with nothing has no row
        assert rows <= ids and len(rows) >= len(ids) - 5, name
    # each pass as a commit that met it before any tuning on it answered it (corpus/README.md:
    # top-1 at 4436849, 05b7c15, 31833f1, ba6759e, ..., 334b884, 0318e2c, 24cf7ac, 9b92929,
    # a258e82, 15dee11, 382cac5, 7688797, 684d9e2, c40d13d, 1462fae, 8ce723b, 0f77d9a, e8381d6,
    # a82ed40, 61b9b39), not as a later commit, tuned on it, would
    right = {name: sum(r["right"] for r in answers if r["pass"] == name) for name in FIRST_MET}
    assert right == FIRST_MET


def test_a_report_whose_fresh_answer_corrects_the_maps_does_not_shape_them():
    rows = []
    for i in range(40):
        example = tr.Example({"id": f"r{i}", "cause": "wrong-interpreter"}, i % 5, f"o/r{i}",
                             {"kind:exception"}, [])
        example.corrects = i % 2 == 1  # these were all answered right
        answer = "wrong-interpreter" if example.corrects else "missing-dependency"
        rows.append((example, [(answer, 0.2 + i / 100)], {}, 1.0))
    assert all(rate < 0.2 for _, rate in tr.maps(rows)["first"])
    for example, *_ in rows:
        example.corrects = False
    assert max(rate for _, rate in tr.maps(rows)["first"]) > 0.3


def test_the_model_blames_memory_only_where_the_paste_shows_a_kill_or_an_allocation_failure():
    from keras_doctor.explain import clues

    assert clues.ruled_out_by_signal("out-of-memory", "Segmentation fault (core dumped)")
    assert clues.ruled_out_by_signal("out-of-memory", "The kernel appears to have died.")
    assert clues.ruled_out_by_signal("out-of-memory", "The model was killed off by a refactoring")
    for shown in ('I run it and get the error "killed".', "exit code 137", "std::bad_alloc"):
        assert not clues.ruled_out_by_signal("out-of-memory", shown)
    assert not clues.ruled_out_by_signal("numpy-abi-mismatch", "Segmentation fault")
    # one reading: every line the memory signature reads lets the model blame memory too
    from keras_doctor.explain import catalog

    memory = next(s for s in catalog.load().signatures if s.id == clues.MEMORY_SIGNATURE)
    for printed in ("Killed: 9", "[1]    48213 killed     python train.py", "`Killed`",
                    "OSError: [Errno 12] Cannot allocate memory", "CUDA_ERROR_OUT_OF_MEMORY"):
        assert memory.cause == "out-of-memory" and not clues.ruled_out_by_signal(
            "out-of-memory", printed), printed
    causes = [f.cause for f in explain_text("Segmentation fault (core dumped)").findings]
    assert causes and "out-of-memory" not in causes


def test_the_training_scores_a_second_errors_cause_as_explain_shows_it():
    """The figures the maps are chosen by count what the user sees: a cause heading an error of
    its own is shown as that error's top answer in training as in explain."""
    from keras_doctor.explain import calibrate

    text = ARCH + "\nModuleNotFoundError: No module named 'tensorflow'"
    cleaned, hyps = hypotheses(text)
    trained = ranker.model()
    example = tr.Example({"id": "r", "cause": "missing-dependency"}, 0, "o/r",
                         ranker.report_features(cleaned.text, cleaned.clues, hyps), hyps)
    example.unwitnessed = ranker.unwitnessed(cleaned.text)
    example.ruled_out = tr.ruled_out(cleaned.text, cleaned.clues)
    hand = dict(zip(example.hand, calibrate.calibrated(hyps)))
    seen = tr.shown([(example, tr.ranked_by(trained, example), hand, 1.0)],
                    trained["isotonic"])["r"]
    first, second = explain_text(text).findings[:2]
    assert (first.cause, second.cause) == ("mixed-arch-binary", "missing-dependency")
    assert (round(seen[1][0], 3), seen[1][1]) == (second.confidence, 1)


def test_a_pass_is_met_by_what_was_fitted_without_it_and_without_its_repositories():
    def rows(repository, right, n=30, **extra):
        return [{"id": f"{repository}-{i}", "repository": repository, "kind": "recognised",
                 "shown": 0.9, "right": right, **extra} for i in range(n)]

    # the held pass's repository was always wrong at 0.9, also in the tuning corpus; every other
    # repository always right: fitted without it, nothing says 0.9 is too sure
    fresh = rows("o/x", 0, **{"pass": "a"}) + rows("o/y", 1, **{"pass": "b"})
    tuning = rows("O/X", 0) + rows("o/z", 1)
    figures = tr.fresh_by_pass(fresh, tuning)
    held = figures["a"]
    assert (held["answers"], held["repositories"]) == (30, 1)
    assert held["none"]["brier_of_top_answer"] == pytest.approx(0.81)
    for method in ("correction", "map"):
        (bucket,) = held[method]["reliability_of_top_answer"]
        assert bucket["mean_confidence"] >= 0.9 and bucket["right"] == 0.0
    # the pass whose repositories were right is met by fits that include the wrong one
    (bucket,) = figures["b"]["map"]["reliability_of_top_answer"]
    assert bucket["mean_confidence"] < 0.9


def test_a_frame_in_a_module_file_of_site_packages_names_the_module():
    """`six.py` sits in site-packages as a file, not a folder (old Keras and TensorFlow raised
    through `six.reraise`): the traceback runs in `six`, as one in `tensorflow/…` runs in
    tensorflow."""
    text = ('Traceback (most recent call last):\n'
            '  File "/home/ada/train.py", line 9, in <module>\n    model.fit(x, y)\n'
            '  File "/usr/local/lib/python3.6/site-packages/tensorflow/python/keras/engine/'
            'training.py", line 108, in _method_wrapper\n    return method(self, *args, **kwargs)\n'
            '  File "/usr/local/lib/python3.6/site-packages/six.py", line 693, in reraise\n'
            '    raise value\nValueError: Shapes (None, 1) and (None, 10) are incompatible\n')
    features = pasted_features(text)
    assert {f for f in features if f.startswith("in:")} == {"in:tensorflow", "in:six"}


def test_the_weights_file_names_each_cause_once_and_reads_back_exactly(tmp_path):
    shipped = ranker.model()
    causes = shipped["causes"]
    on_disk = json.loads(Path(ranker.DATA).read_text(encoding="utf-8"))["weights"]
    assert shipped["weights"] == on_disk  # kept packed: decoded where a feature is scored
    # decoded here as the format says, not by the reader under test
    weights = {feature: {causes[i]: w for i, w in zip(row[::2], row[1::2])}
               for feature, row in on_disk.items()}
    packed = ranker.packed_weights(weights, causes)
    assert all(isinstance(i, int) for row in packed.values() for i in row[::2])
    assert packed == on_disk
    # a row is one flat list: place, weight, place, weight (one list per pair parsed slower)
    assert all(isinstance(x, (int, float)) for row in on_disk.values() for x in row)
    # rows keyed by cause (training's models, files written before the packing) score the same
    # as the packed rows, cause for cause
    cleaned, ranked = hypotheses(ARCH)
    features = ranker.report_features(cleaned.text, cleaned.clues, ranked)
    assert ranker.scores(features, ranked, dict(shipped, weights=weights)) == \
        ranker.scores(features, ranked, shipped)


@pytest.mark.parametrize("row", [
    ["one past the last cause", 0.5],  # a cause the file does not list
    [-1, 0.5],  # counted from the end by Python, a cause the file never meant
    [1.0, 0.5],  # a place that is not a whole number
    [1, 0.5, 2],  # a place without its weight
    [1, "0.5"],  # a weight that is not a number
    [[0, 0.5]],  # the pairs of an earlier packing
    "exc:valueerror",
    7,
])
def test_a_damaged_weights_row_keeps_the_hand_ranking(tmp_path, row):
    document = json.loads(Path(ranker.DATA).read_text(encoding="utf-8"))
    if row == ["one past the last cause", 0.5]:
        row = [len(document["causes"]), 0.5]
    document["weights"]["caller:user"] = row
    damaged = tmp_path / "ranker.json"
    damaged.write_text(json.dumps(document), encoding="utf-8")
    assert ranker.model(str(damaged)) is None
    document["weights"]["caller:user"] = [0, 0.5, 3, -1]
    sound = tmp_path / "sound.json"
    sound.write_text(json.dumps(document), encoding="utf-8")
    assert ranker.model(str(sound)) is not None


def test_a_cause_the_model_never_learnt_starts_from_no_bias():
    """A cause only the hand evidence proposed has no bias in the model: it starts level with a
    learnt cause whose bias is zero; only its hand evidence (the shared pair weights) moves it."""
    model = {"causes": ["wrong-interpreter"], "bias": {"wrong-interpreter": 0.0}, "weights": {},
             "pair": [0.0] * len(ranker.PAIR_FEATURES)}
    proposed = [Hypothesis("mixed-arch-binary", weights=[0.9], signatures=["dyld-arch"])]
    assert ranker.scores(set(), proposed, model) == {"wrong-interpreter": 0.5,
                                                      "mixed-arch-binary": 0.5}


def test_rerank_answers_with_the_model_it_is_given():
    cleaned, ranked = hypotheses(UNRECOGNISED)
    shipped = ranker.model()
    favoured = "keras-config-invalid"
    given = dict(shipped, bias={**shipped["bias"], favoured: 50.0})
    # the favoured cause takes nearly all the probability from what the paste proposed
    assert ranker.rerank(cleaned.text, cleaned.clues, ranked, given)[0][1] < 0.001
    assert ranker.rerank(cleaned.text, cleaned.clues, ranked)[0][1] > 0.01
