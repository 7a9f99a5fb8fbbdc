"""The confidence model is trained the way held-out reports are met: out of repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keras_doctor.explain import calibrate
from keras_doctor.explain import train_calibration as tc
from keras_doctor.explain.hypothesis import Hypothesis

REPO = Path(__file__).resolve().parents[2]
ELF = ("ImportError: /home/u/venv/lib/python3.8/site-packages/talib/_ta_lib.so: "
       "wrong ELF class: ELFCLASS32")


def _signatures(explained):
    return {sig for _, _, ranked in explained for h in ranked for sig in h.signatures}


def test_a_sibling_thread_of_the_same_repository_cannot_teach_its_report():
    """elf-wrong-class cites ta-lib-python issue 273: a report from *another* thread of that
    repository must be explained without it (leaving out only its own thread would keep it)."""
    split = tc.split_module(REPO)
    sibling = {"id": "x", "text": ELF, "cause": "mixed-arch-binary",
               "source": "https://github.com/TA-Lib/ta-lib-python/issues/9999"}
    stranger = dict(sibling, id="y", source="https://github.com/someone/elsewhere/issues/1")
    assert "elf-wrong-class" not in _signatures(tc.explained_out_of_repository([sibling], split))
    assert "elf-wrong-class" in _signatures(tc.explained_out_of_repository([stranger], split))


def test_the_strict_figure_also_leaves_out_a_signature_first_met_in_the_folds_threads():
    """missing-module cites CPython's importlib for its wording and was first met (`seen_in`) in
    datlife/jetson-car issue 5: the usual protocol keeps it for that repository's reports (an
    unseen report meets CPython's message too), the strict one drops it for them and only them."""
    split = tc.split_module(REPO)
    sibling = {"id": "x", "text": "ModuleNotFoundError: No module named 'keras'",
               "cause": "missing-dependency",
               "source": "https://github.com/datlife/jetson-car/issues/9999"}
    stranger = dict(sibling, id="y", source="https://github.com/someone/elsewhere/issues/1")
    assert "missing-module" in _signatures(tc.explained_out_of_repository([sibling], split))
    assert "missing-module" not in _signatures(
        tc.explained_out_of_repository([sibling], split, counting_seen_in=True))
    assert "missing-module" in _signatures(
        tc.explained_out_of_repository([stranger], split, counting_seen_in=True))


def test_folds_group_reports_by_repository_not_by_thread():
    split = tc.split_module(REPO)
    one = tc.group_of("https://github.com/Keras-Team/keras/issues/1", split)
    other = tc.group_of("https://github.com/keras-team/keras/pull/2", split)
    assert one == other == "keras-team/keras"
    assert tc.fold_of(one) == tc.fold_of(other)
    assert tc.group_of("https://stackoverflow.com/q/1", split) == "https://stackoverflow.com/q/1"


def test_the_step_map_is_monotone_and_shrinks_small_steps_toward_the_overall_rate():
    pairs = [(0.1, 0), (0.2, 0), (0.3, 1), (0.4, 0), (0.9, 1), (0.95, 1)]
    steps = tc.isotonic(pairs)
    rates = [rate for _, rate in steps]
    assert rates == sorted(rates)
    assert rates[0] > 0 and rates[-1] < 1  # two right answers never make a certainty
    assert steps[-1][0] == 1.0
    assert calibrate.mapped(0.05, steps) == rates[0] and calibrate.mapped(0.99, steps) == rates[-1]


def test_newton_fit_recovers_a_separating_direction():
    data = [([1.0, x, 0, 0, 0, 0, 0, 0], int(x > 0), str(i), 0, 0)
            for i, x in enumerate([-2, -1.5, -1, -0.5, -0.2, 0.3, 0.6, 1, 1.5, 2, 0.1, -0.1])]
    weights = tc.fit(data)
    assert weights[1] > 0.5
    assert calibrate.probability([1.0, 2, 0, 0, 0, 0, 0, 0], weights) > 0.8


def test_the_top_answer_and_the_others_use_their_own_maps(monkeypatch):
    document = {"features": list(calibrate.FEATURES), "weights": tc.IDENTITY,
                "isotonic": {"first": [[1.0, 0.7]], "rest": [[1.0, 0.1]]}}
    monkeypatch.setattr(calibrate, "model", lambda path=None: document)
    hyps = [Hypothesis("numpy-abi-mismatch", weights=[0.9]),
            Hypothesis("protobuf-mismatch", weights=[0.5])]
    assert calibrate.calibrated(hyps) == [0.7, 0.1]
    # equally strong evidence: the runner-up is as likely as the top answer
    hyps[1].weights = [0.9]
    assert calibrate.calibrated(hyps) == [0.7, 0.7]


def test_the_shipped_model_was_chosen_out_of_repository_and_beats_the_raw_scores():
    document = json.loads(calibrate.DATA.read_text(encoding="utf-8"))
    checked = document["cross_validated"]
    assert "grouped by repository" in checked["protocol"]
    learned = document["weights"] != tc.IDENTITY
    chosen = checked["model"] if learned else checked["mapped_hand"]
    for rival in ("hand", "previous"):
        if rival in checked:
            assert (chosen["worst_gap_in_buckets_of_10_or_more"]
                    < checked[rival]["worst_gap_in_buckets_of_10_or_more"])
            assert chosen["brier_of_top_answer"] <= checked[rival]["brier_of_top_answer"]
    assert document["trained_on"]["reports"] >= 200


@pytest.mark.parametrize("rank", [0, 1])
def test_the_shipped_maps_never_claim_certainty(rank):
    document = calibrate.model()
    assert document is not None
    steps = document["isotonic"]["first" if rank == 0 else "rest"]
    assert all(0 < rate < 1 for _, rate in steps)
    rates = [rate for _, rate in steps]
    assert rates == sorted(rates)


def test_a_cross_fitted_map_promises_no_more_than_its_steps_gave_on_other_folds():
    import random

    # scores that say nothing about being right (80 % are): PAV still finds a top step that
    # promises more; the cross-fitted map, whose steps failed to transfer, says ~80 % everywhere
    rng = random.Random(0)
    noise = [(rng.random(), int(rng.random() < 0.8), 1.0, fold)
             for fold in range(5) for _ in range(60)]
    assert tc.isotonic([p[:3] for p in noise])[-1][1] > 0.86
    assert all(abs(rate - 0.8) < 0.04 for _, rate in tc.crossfit_isotonic(noise))
    # scores that do say it keep their steps
    telling = [(x, int(rng.random() < x), 1.0, fold)
               for fold in range(5) for x in [rng.random() for _ in range(60)]]
    crossed = tc.crossfit_isotonic(telling)
    assert crossed[0][1] < 0.3 and crossed[-1][1] > 0.8


def test_weighted_pairs_count_by_their_weight():
    light = tc.isotonic([(0.4, 1, 1.0), (0.6, 0, 0.25)], shrink=0.0)
    assert light == [[1.0, 0.8]]


def test_the_step_map_reads_the_first_step_that_reaches_the_score_and_tops_out_at_the_last():
    from keras_doctor.explain.calibrate import mapped

    steps = [[0.3, 0.1], [0.7, 0.5], [0.9, 0.8]]
    assert mapped(0.3, steps) == 0.1  # a step's upper score belongs to it
    assert mapped(0.31, steps) == 0.5
    assert mapped(0.99, steps) == 0.8  # above every fitted score: the top step's rate
    assert mapped(0.42, []) == 0.42  # no map fitted: the score itself


def test_a_later_candidate_never_shows_more_than_an_earlier_one_whatever_the_maps_say(monkeypatch):
    document = {"features": list(calibrate.FEATURES), "weights": tc.IDENTITY,
                "isotonic": {"first": [[1.0, 0.3]], "rest": [[1.0, 0.6]]}}
    monkeypatch.setattr(calibrate, "model", lambda path=None: document)
    hyps = [Hypothesis("numpy-abi-mismatch", weights=[0.9]),
            Hypothesis("protobuf-mismatch", weights=[0.5])]
    assert calibrate.calibrated(hyps) == [0.3, 0.3]


def test_without_step_maps_the_models_own_probability_is_shown_short_of_certainty(monkeypatch):
    document = {"features": list(calibrate.FEATURES), "weights": tc.IDENTITY}
    monkeypatch.setattr(calibrate, "model", lambda path=None: document)
    strong, weak = calibrate.calibrated([Hypothesis("numpy-abi-mismatch", weights=[0.999]),
                                         Hypothesis("protobuf-mismatch", weights=[0.2])])
    assert strong == 0.99 and 0 < weak < 0.5


def test_a_candidates_lead_is_over_the_runner_up_and_a_lone_one_leads_by_its_whole_score():
    from keras_doctor.explain.calibrate import FEATURES, features

    lead = FEATURES.index("lead")
    alone = Hypothesis("numpy-abi-mismatch", weights=[0.8])
    assert features(alone, 0, [alone.score])[lead] == pytest.approx(0.8)
    runner_up = Hypothesis("protobuf-mismatch", weights=[0.6])
    scores = [alone.score, runner_up.score]
    assert features(alone, 0, scores)[lead] == pytest.approx(0.2)
    assert features(runner_up, 1, scores)[lead] == pytest.approx(-0.2)


def test_witnesses_count_each_distinct_signature_up_to_three():
    """The model sees one, two or "three or more" witnesses: a fourth signature (or the same one
    matched twice) adds nothing it was trained to weigh."""
    from keras_doctor.explain.calibrate import FEATURES, features

    witnesses = FEATURES.index("witnesses")

    def counted(*signatures):
        return features(Hypothesis("numpy-abi-mismatch", weights=[0.8],
                                   signatures=list(signatures)), 0, [0.8])[witnesses]

    assert counted("a") == 1.0
    assert counted("a", "a") == 1.0
    assert counted("a", "b", "c") == 3.0
    assert counted("a", "b", "c", "d") == 3.0
    assert counted("a", "b", "c", "d", "e") == 3.0


def test_a_candidate_only_the_message_atlas_proposed_is_told_apart_from_a_signatures():
    from keras_doctor.explain.calibrate import FEATURES, features

    atlas_only = FEATURES.index("from_message_atlas_only")
    atlas = Hypothesis("metal-plugin-mismatch", weights=[0.6], signatures=["message-atlas"])
    both = Hypothesis("metal-plugin-mismatch", weights=[0.6],
                      signatures=["message-atlas", "metal-symbol"])
    assert features(atlas, 0, [0.6])[atlas_only] == 1.0
    assert features(both, 0, [0.6])[atlas_only] == 0.0


def test_a_step_with_fewer_answers_than_asked_is_pooled_with_its_neighbour():
    # PAV alone splits these twelve answers into steps of one or two
    pairs = [(i / 12, label) for i, label in enumerate([0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1])]
    assert len(tc.isotonic(pairs, 0)) > 2
    steps = tc.isotonic(pairs, 0, min_weight=5)
    rates = [rate for _, rate in steps]
    assert rates == sorted(rates) and steps[-1][0] == 1.0
    uppers = [0.0] + [upper for upper, _ in steps]
    sizes = [sum(1 for p, _ in pairs if low < p <= high or (low == 0 and p == 0))
             for low, high in zip(uppers, uppers[1:])]
    assert min(sizes) >= 5 and sum(sizes) == len(pairs)
    assert tc.isotonic(pairs, 0, min_weight=100) == [[1.0, round(7 / 12, 3)]]
    assert tc.isotonic([(0.5, 1, 0.0)], 0) == []  # answers of no weight are no answers


def test_a_learned_model_that_weighs_the_rank_does_not_split_equally_strong_evidence(monkeypatch):
    weights = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.0]  # "first" and "lead" count
    document = {"features": list(calibrate.FEATURES), "weights": weights,
                "isotonic": {"first": [[0.95, 0.6], [1.0, 0.9]], "rest": [[1.0, 0.2]]}}
    monkeypatch.setattr(calibrate, "model", lambda path=None: document)
    tied = [Hypothesis("numpy-abi-mismatch", weights=[0.9]),
            Hypothesis("protobuf-mismatch", weights=[0.9])]
    first, second = calibrate.calibrated(tied)
    assert first == second == 0.9
    tied[1].weights = [0.6]
    assert calibrate.calibrated(tied)[1] == 0.2


def test_answers_shown_at_one_score_are_one_step_whatever_their_outcomes():
    """Scores tie often (a signature's weight, a map's step): ordered by outcome within a tie,
    PAV had made the wrong answers one step and the right ones the next, both at that score,
    and a lookup there met only the first - 3 % for answers right 60 % of the time."""
    tied = [(0.95, int(i % 5 < 3)) for i in range(200)]
    assert tc.isotonic(tied, 0) == [[1.0, 0.6]]
    assert calibrate.mapped(0.95, tc.isotonic(tied, 0)) == 0.6
    assert tc.recalibration(tied) == [[1.0, 0.6]]
    # a higher score that did better still makes a step of its own
    steps = tc.isotonic(tied + [(0.99, 1)] * 50, 0)
    assert steps == [[0.95, 0.6], [1.0, 0.999]]


def test_a_step_never_rounds_to_a_certainty_either_way():
    assert tc.isotonic([(0.1, 0)] * 50, 0) == [[1.0, 0.001]]
    assert tc.isotonic([(0.9, 1)] * 50, 0) == [[1.0, 0.999]]


def _errors_document():
    # the "rest" map makes any runner-up all but impossible, as a sharp map does
    return {"features": list(calibrate.FEATURES), "weights": tc.IDENTITY,
            "isotonic": {"first": [[1.0, 0.9]], "rest": [[1.0, 0.004]]}}


def test_candidates_one_witness_stands_behind_read_one_error_and_guesses_stand_with_the_top():
    arch = Hypothesis("mixed-arch-binary", weights=[0.92],
                      signatures=["dyld-incompatible-architecture"])
    rosetta = Hypothesis("rosetta-python", weights=[0.8], signatures=["sigill"])
    module = Hypothesis("missing-dependency", weights=[0.75], signatures=["missing-module"])
    avx = Hypothesis("cpu-lacks-avx", weights=[0.45], signatures=["sigill"])
    guess = Hypothesis("wrong-interpreter", weights=[0.3], signatures=["fallback:import"])
    learned = Hypothesis("kernel-not-restarted", weights=[0.2], signatures=[calibrate.LEARNED])
    assert calibrate.errors([arch, rosetta, module, avx, guess, learned]) == [0, 1, 2, 1, 0, 0]
    # a witness shared with a later candidate joins the two errors it stands behind
    both = Hypothesis("numpy-abi-mismatch", weights=[0.3],
                      signatures=["missing-module", "dyld-incompatible-architecture"])
    assert calibrate.errors([arch, module, both]) == [0, 0, 0]
    assert calibrate.errors([]) == []


def test_two_signatures_reading_one_line_read_one_error():
    """dyld's one `Library not loaded` line, read by two signatures for two causes: one message,
    so the second is the first's runner-up, not the top answer of an error of its own."""
    line = "Library not loaded: @rpath/libomp.dylib"
    native = Hypothesis("native-runtime-library-missing", weights=[0.85],
                        signatures=["shared-object-not-found"], excerpt=line, position=136)
    missing = Hypothesis("missing-dependency", weights=[0.5],
                         signatures=["native-library-not-found"], excerpt=line, position=136)
    elsewhere = Hypothesis("missing-dependency", weights=[0.5],
                           signatures=["native-library-not-found"], excerpt=line, position=900)
    unread = Hypothesis("missing-dependency", weights=[0.5],
                        signatures=["native-library-not-found"])
    assert calibrate.errors([native, missing]) == [0, 0]
    # the same words further down are another error; no line shown, no line shared
    assert calibrate.errors([native, elsewhere]) == [0, 1]
    assert calibrate.errors([native, unread]) == [0, 1]


def test_two_signatures_reading_one_loader_line_are_not_both_sure():
    from keras_doctor.explain import explain_text

    text = ("ImportError: dlopen(/Users/a/venv/lib/python3.11/site-packages/xgboost/lib/"
            "libxgboost.dylib, 6): Library not loaded: @rpath/libomp.dylib\n"
            "  Referenced from: /Users/a/venv/lib/python3.11/site-packages/xgboost/lib/"
            "libxgboost.dylib\n  Reason: image not found\n")
    shown = [(f.cause, f.confidence) for f in explain_text(text).findings]
    assert shown[0][0] == "native-runtime-library-missing"
    assert shown[1][0] == "missing-dependency"
    assert shown[1][1] < 0.5


def test_the_cause_of_another_error_in_the_paste_is_calibrated_as_that_errors_top_answer(
        monkeypatch):
    monkeypatch.setattr(calibrate, "model", lambda path=None: _errors_document())
    arch = Hypothesis("mixed-arch-binary", weights=[0.92],
                      signatures=["dyld-incompatible-architecture"])
    rosetta = Hypothesis("rosetta-python", weights=[0.8], signatures=["sigill"])
    avx = Hypothesis("cpu-lacks-avx", weights=[0.45], signatures=["sigill"])
    # two errors: Rosetta heads its own (the top answer's map), its look-alike stays its runner-up
    assert calibrate.calibrated([arch, rosetta, avx]) == [0.9, 0.9, 0.004]
    # one error, as before: the runner-up one witness shares with the top answer
    assert calibrate.calibrated([rosetta, avx]) == [0.9, 0.004]
    # a guess below a recognised answer is a reading of the top answer's error
    guess = Hypothesis("wrong-interpreter", weights=[0.5], signatures=["fallback:import"])
    assert calibrate.calibrated([arch, guess]) == [0.9, 0.004]


def test_another_errors_cause_never_shows_more_than_the_candidates_above_it(monkeypatch):
    document = _errors_document()
    document["isotonic"] = {"first": [[0.9, 0.5], [1.0, 0.95]], "rest": [[1.0, 0.004]]}
    monkeypatch.setattr(calibrate, "model", lambda path=None: document)
    weak = Hypothesis("mixed-arch-binary", weights=[0.85],
                      signatures=["dyld-incompatible-architecture"])
    runner_up = Hypothesis("rosetta-python", weights=[0.5],
                           signatures=["dyld-incompatible-architecture"])
    strong_elsewhere = Hypothesis("numpy-abi-mismatch", weights=[0.8], signatures=["numpy2-abi"])
    # alone, the NumPy error's cause would show 0.5; below a runner-up at 0.004 it shows 0.004
    assert calibrate.calibrated([strong_elsewhere]) == [0.5]
    assert calibrate.calibrated([weak, strong_elsewhere]) == [0.5, 0.5]
    assert calibrate.calibrated([weak, runner_up, strong_elsewhere]) == [0.5, 0.004, 0.004]


def test_without_a_model_the_hand_scores_show_to_three_decimals(monkeypatch):
    """With no calibration model at hand the hand scores are shown as they are, rounded as
    every confidence is (pip finding no tensorflow for Python 3.12: 0.611857 shows 0.612)."""
    import sys

    from keras_doctor.explain import explain_text, ranker
    from keras_doctor.explain.engine import hypotheses

    sys.path.insert(0, str(Path(__file__).parent))
    import corpus

    monkeypatch.setattr(calibrate, "model", lambda path=None: None)
    monkeypatch.setattr(ranker, "model", lambda path=None: None)
    text = corpus.case("tf-62054-py312-no-wheel")["text"]
    hand = [h.score for h in hypotheses(text)[1]]
    shown = [f.confidence for f in explain_text(text).findings]
    assert hand[:2] == [pytest.approx(0.611857, abs=1e-6), pytest.approx(0.588143, abs=1e-6)]
    assert shown[:2] == [0.612, 0.588]
