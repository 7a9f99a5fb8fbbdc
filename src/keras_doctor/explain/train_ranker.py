"""Train explain's ranker on the tuning corpus, out of repository; never on held-out reports.

    python -m keras_doctor.explain.train_ranker [--repo DIR] [--out DIR] [--report-only]

Each tuning report is explained the way a held-out one is met: its fold of repositories without
every signature any of those repositories taught (`train_calibration.explained_out_of_repository`).
The ranker (`explain.ranker`) is a multinomial logistic model over the causes, fitted by full-batch
gradient descent (Adam) with L2 regularisation, in pure Python. A feature is only learnt when
reports from at least `MIN_REPOSITORIES` repositories show it, so no thread's wording (a path,
a project's name) becomes evidence.

Cross-validation holds out one fold of repositories at a time (model fitted on the other four,
its features counted on those four alone) and prints top-1, top-3 and the reliability table of
the top answer's shown confidence. The shown confidence is the model's probability through a
monotone step map (isotonic, `train_calibration.isotonic`) fitted to how often answers so scored
were right out of fold. The model ships only when it ranks better than the hand evidence on that
cross-validation: top-1 no worse, top-3 better.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from keras_doctor.explain import calibrate, lookalike, ranker
from keras_doctor.explain import train_calibration as tc
from keras_doctor.knowledge import paths

MIN_REPOSITORIES = 3
L2 = 0.3  # on the per-cause weights; the shared hand-evidence weights get a tenth of it
STEPS = 250
RATE = 0.05
# Pseudo-answers at the overall rate added to each step of the confidence maps: the maps are
# fitted on ~230 answers per fold, and with the calibration model's 6 a step of a dozen answers
# swung the reliability of its bucket by 30 points from one retraining to the next.
MAP_SHRINK = 12.0
# The share of real reports whose cause the catalog has no ID for. The tuning corpus leaves such
# reports out (its README), so without them the maps would promise what unseen reports, which
# include them, do not deliver. Estimated from the catalog's own history: 12 of the 296 tuning
# reports were collected when the catalog had no ID for their cause yet (their cause was added
# with them or later) - a lower bound, as the reports left out are not counted.
UNKNOWN_CAUSE_SHARE = 0.04
# How much a guess on a familiar error counts in the top guess's map. Out of repository, the model
# answers two kinds of tuning report: errors no knowledge recognises even with every signature
# (novel ones, as every error the model answers on an unseen report is) and errors a signature
# does recognise, left out only because its sources are threads of the report's own fold. The
# second kind repeats messages of other folds' reports, which the model learnt from; its guesses
# were right three times in four out of fold, the novel ones less than half the time. On an unseen
# report such a familiar message is recognised (its signature is there), so it is never guessed:
# the top guess's map is fitted to novel errors alone.
FAMILIAR_GUESS_WEIGHT = 0.0
# Novel errors are few (a tenth of the tuning reports): each step of the top guess's map holds at
# least this many of them, so the map says how often a guess is right, not which few were.
MIN_GUESS_STEP = 10.0
# The recognised top answer's logistic model has five weights fitted to ~280 answers, a score
# out of fold: the regularisation keeps a feature few answers show (the atlas alone) from a
# weight that claims certainty.
RECOGNISED_L2 = 1.0


class Example:
    """One report: its features, the hand evidence per cause, its confirmed cause, its group."""

    def __init__(self, report: Dict[str, str], fold: int, group: str, features: Set[str],
                 ranked: Sequence[Any], keep_hand: bool = False, novel: bool = True) -> None:
        self.id = report["id"]
        self.cause = report["cause"]
        self.fold = fold
        self.group = group
        self.features = features
        self.ranked = list(ranked)
        self.hand = [h.cause for h in ranked]
        self.keep_hand = keep_hand
        # no knowledge recognises the message even with every signature (`FAMILIAR_GUESS_WEIGHT`)
        self.novel = novel
        # a report of a collection pass whose answers, met before any tuning on it, correct the
        # maps (`fresh_correction`): it trains the ranker, but does not shape the maps it corrects
        self.corrects = False
        self.unwitnessed: FrozenSet[str] = frozenset()  # `ranker.unwitnessed` of its text
        # an error explain lists candidates for (never none), and the causes the paste's
        # platform or signal rules out for the model (`visible`)
        self.is_error = True
        self.ruled_out: Set[str] = set()


def examples(repo: Path) -> List[Example]:
    from keras_doctor.explain.engine import hypotheses

    split = tc.split_module(repo)
    reports = tc.tuning_reports(repo)
    sources = tc.signature_sources()
    correcting = {str(row["id"]) for row in fresh_answers(repo)}
    out = []
    for fold in range(tc.FOLDS):
        inside = [r for r in reports if tc.fold_of(tc.group_of(r["source"], split)) == fold]
        groups = {tc.group_of(r["source"], split) for r in inside}
        without = frozenset(s for s in sources  # the protocol of explained_out_of_repository
                            if tc.is_thread(s) and tc.group_of(s, split) in groups)
        for report in inside:
            cleaned, ranked = hypotheses(report["text"], without_sources=without)
            clues = cleaned.clues
            if not clues.kind and not ranked:
                continue  # no error and no start-up log line: explain says so, ranks nothing
            _, with_everything = hypotheses(report["text"])
            out.append(Example(report, fold, tc.group_of(report["source"], split),
                               ranker.report_features(cleaned.text, clues, ranked), ranked,
                               ranker.own_code_only(clues),
                               novel=not ranker.recognised(with_everything)))
            out[-1].corrects = report["id"] in correcting
            out[-1].unwitnessed = ranker.unwitnessed(cleaned.text, clues)
            out[-1].is_error = bool(clues.kind)
            out[-1].ruled_out = ruled_out(cleaned.text, clues)
    return out


def ruled_out(text: str, clues: Any) -> Set[str]:
    """The catalog's causes the paste's platform or signal rules out (as explain reads them)."""
    from keras_doctor import causes
    from keras_doctor.explain import clues as clues_module

    return {cause for cause in causes.CATALOG if clues_module.ruled_out(cause, clues, text)}


def vocabulary(data: Sequence[Example]) -> Set[str]:
    seen: Dict[str, Set[str]] = {}
    for example in data:
        for feature in example.features:
            seen.setdefault(feature, set()).add(example.group)
    return {f for f, groups in seen.items() if len(groups) >= MIN_REPOSITORIES}


def fit(data: Sequence[Example], l2: float = L2) -> Dict[str, Any]:
    """Multinomial logistic regression: per-cause bias and feature weights, shared weights on
    the hand evidence of each cause; Adam on the mean log-loss plus L2."""
    causes = sorted({e.cause for e in data})
    index = {c: i for i, c in enumerate(causes)}
    vocab = sorted(vocabulary(data))
    feature_index = {f: i for i, f in enumerate(vocab)}
    k, n = len(causes), len(data)
    npair = len(ranker.PAIR_FEATURES)
    rows = [[feature_index[f] for f in e.features if f in feature_index] for e in data]
    pairs = [[ranker.pair_features(c, e.ranked) for c in causes] for e in data]
    labels = [index.get(e.cause, -1) for e in data]
    bias = [0.0] * k
    weights = [[0.0] * k for _ in vocab]
    shared = [0.0] * npair
    state: Dict[str, List[Any]] = {}

    def adam(name: str, params: List[float], grads: List[float], step: int) -> None:
        m, v = state.setdefault(name, [[0.0] * len(params), [0.0] * len(params)])
        for i, g in enumerate(grads):
            if g == 0.0 and m[i] == 0.0:
                continue
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            mh = m[i] / (1 - 0.9 ** step)
            vh = v[i] / (1 - 0.999 ** step)
            params[i] -= RATE * mh / (math.sqrt(vh) + 1e-8)

    for step in range(1, STEPS + 1):
        g_bias = [0.0] * k
        g_weights: Dict[int, List[float]] = {}
        g_shared = [0.0] * npair
        for row, pair, label in zip(rows, pairs, labels):
            logits = list(bias)
            for f in row:
                logits = [a + b for a, b in zip(logits, weights[f])]
            for c in range(k):
                logits[c] += sum(v * w for v, w in zip(pair[c], shared))
            top = max(logits)
            exp = [math.exp(z - top) for z in logits]
            total = sum(exp)
            delta = [e / total for e in exp]
            if label >= 0:
                delta[label] -= 1.0
            delta = [d / n for d in delta]
            g_bias = [a + b for a, b in zip(g_bias, delta)]
            for f in row:
                current = g_weights.get(f)
                g_weights[f] = delta if current is None else [a + b for a, b in
                                                              zip(current, delta)]
            for c in range(k):
                if delta[c]:
                    for j, value in enumerate(pair[c]):
                        g_shared[j] += delta[c] * value
        for f, w in enumerate(weights):
            grad = g_weights.get(f)
            grad = [l2 * x / n for x in w] if grad is None else [
                g + l2 * x / n for g, x in zip(grad, w)]
            adam(f"w{f}", w, grad, step)
        adam("bias", bias, g_bias, step)
        adam("shared", shared, [g + l2 / 10 * x / n for g, x in zip(g_shared, shared)], step)
    sparse: Dict[str, Dict[str, float]] = {}
    for name, values in zip(vocab, weights):
        kept = {causes[c]: round(x, 3) for c, x in enumerate(values) if abs(x) >= 0.005}
        if kept:
            sparse[name] = kept
    return {"causes": causes, "bias": {c: round(b, 4) for c, b in zip(causes, bias)},
            "weights": sparse, "pair": [round(x, 4) for x in shared],
            "pair_features": list(ranker.PAIR_FEATURES)}


def ranked_by(model: Dict[str, Any], example: Example) -> List[Tuple[str, float]]:
    return ranker.ordered(example.ranked,
                          ranker.scores(example.features, example.ranked, model),
                          example.keep_hand, platform_of(example.features), example.unwitnessed)


def platform_of(features: Set[str]) -> str:
    """The platform the paste's paths showed, as `ranker.report_features` recorded it."""
    return next((f.split(":", 1)[1] for f in features if f.startswith("platform:")), "")


def without_its_cause(example: Example) -> Example:
    """The report as explain meets it when the catalog has no ID for its cause: the candidates
    of that cause gone (and what they added to the features), every answer wrong. Real reports
    come with such causes; the tuning corpus leaves them out, so they are simulated."""
    twin = copy.copy(example)
    gone = [h for h in example.ranked if h.cause == example.cause]
    twin.ranked = [h for h in example.ranked if h.cause != example.cause]
    twin.hand = [h.cause for h in twin.ranked]
    kept_via = {s for h in twin.ranked for s in h.signatures}
    twin.features = {f for f in example.features if not f.startswith("proposed:")} | {
        f"proposed:{h.cause}" for h in twin.ranked[:3]}
    for hyp in gone:
        for signature in hyp.signatures:
            if signature not in kept_via and not str(signature).startswith(ranker.FALLBACK):
                twin.features.discard(f"via:{signature}")
    twin.id = f"{example.id}#without-its-cause"
    twin.cause = ""
    twin.novel = True  # no knowledge names its cause
    return twin


def _ranked_without(model: Dict[str, Any], twin: Example, cause: str
                    ) -> List[Tuple[str, float]]:
    probabilities = ranker.scores(twin.features, twin.ranked, model)
    probabilities.pop(cause, None)
    total = sum(probabilities.values()) or 1.0
    return ranker.ordered(twin.ranked, {c: p / total for c, p in probabilities.items()},
                          twin.keep_hand, platform_of(twin.features), twin.unwitnessed)


Answered = Tuple[Example, List[Tuple[str, float]], Dict[str, float], float]


def cross_validate(data: Sequence[Example], l2: float = L2,
                   unknown_share: float = 0.0) -> Dict[str, List[Tuple[str, float]]]:
    """Each report ranked by a model fitted on the other folds of repositories (with
    `unknown_share`, also its twin without its cause, under the id `without_its_cause` gives)."""
    out: Dict[str, List[Tuple[str, float]]] = {}
    for fold in range(tc.FOLDS):
        model = fit([e for e in data if e.fold != fold], l2)
        for example in data:
            if example.fold == fold:
                out[example.id] = ranked_by(model, example)
                if unknown_share:
                    twin = without_its_cause(example)
                    out[twin.id] = _ranked_without(model, twin, example.cause)
    return out


def _calibration_per_fold(data: Sequence[Example]) -> Dict[int, Dict[str, Any]]:
    """The calibration model (`train_calibration`, the kind shipped) fitted on the other folds:
    the hand confidences the maps are fitted to are then out of fold too, not read off a model
    that saw the report."""
    shipped = calibrate.model()
    learned = shipped is not None and list(shipped["weights"]) != list(tc.IDENTITY)
    out = {}
    for fold in range(tc.FOLDS):
        rows = tc.examples([({"id": e.id, "cause": e.cause}, e.fold, e.ranked)
                            for e in data if e.fold != fold])
        weights, steps = tc.train(rows, learned)
        out[fold] = {"weights": weights, "isotonic": steps}
    return out


def answered(data: Sequence[Example], predicted: Dict[str, List[Tuple[str, float]]],
             unknown_share: float = 0.0, out_of_fold: bool = True) -> List[Answered]:
    """(example, the order explain shows, hand confidence per cause, weight) for every report,
    and with `unknown_share` for its twin whose cause the catalog lacks, weighted so such twins
    make up that share of what is answered."""
    calibration = _calibration_per_fold(data) if out_of_fold else {}
    twin_weight = unknown_share / (1 - unknown_share) if unknown_share else 0.0
    out: List[Answered] = []
    for example in data:
        trained = calibration.get(example.fold)
        pairs = [(example, 1.0)]
        if twin_weight:
            pairs.append((without_its_cause(example), twin_weight))
        for one, weight in pairs:
            hand = dict(zip(one.hand, calibrate.calibrated(one.ranked, trained)))
            out.append((one, predicted[one.id], hand, weight))
    return out


def _by_model(example: Example, cause: str) -> bool:
    """Whether explain shows the model's confidence for this answer (not the calibration
    model's): every answer to an unrecognised error, and the candidates the model added."""
    return not ranker.recognised(example.ranked) or cause not in example.hand


def maps(rows: Sequence[Answered]) -> Dict[str, Any]:
    """What turns a score into the confidence shown, fitted to how often answers so scored were
    right out of fold: step maps "first" and "rest" for the model's probability of a guess;
    "recognised", a logistic model over a recognised message's top answer's evidence
    (`ranker.recognised_features`); and "recognised_steps", the step map it replaced (the
    calibration model's confidence to the rate, `ranker.recalibrated`), kept to compare. Each
    step map is shrunk toward its own rate, the top answer's rates cross-fitted over the folds
    (`train_calibration.crossfit_isotonic`). The top guess's map counts guesses on familiar
    errors at `FAMILIAR_GUESS_WEIGHT`."""
    first: List[Tuple[float, int, float, int]] = []
    rest: List[Tuple[float, int, float, int]] = []
    recognised: List[Tuple[float, int, float, int]] = []
    evidence: List[Tuple[List[float], int, float]] = []
    for example, order, hand, weight in rows:
        if example.corrects:
            continue  # once tuned on, a pass's reports are no longer met fresh
        fold = example.fold
        by_cause = {h.cause: h for h in example.ranked}
        for rank, (cause, p) in enumerate(order[:3]):
            right = int(cause == example.cause)
            if _by_model(example, cause) and rank == 0:
                counted = weight * (1.0 if example.novel else FAMILIAR_GUESS_WEIGHT)
                if counted > 0:
                    first.append((p, right, counted, fold))
            elif _by_model(example, cause):
                rest.append((p, right, weight, fold))
            elif rank == 0:
                recognised.append((hand[cause], right, weight, fold))
                evidence.append((ranker.recognised_features(by_cause[cause], example.ranked, p),
                                 right, weight))
    # the top answer's maps are cross-fitted (what the confidence shown promises); the runners-up
    # keep the plain map, whose lowest steps keep an answer the model all but excludes unshown
    out = {"first": tc.crossfit_isotonic(first, MAP_SHRINK, MIN_GUESS_STEP),
           "rest": tc.isotonic([p[:3] for p in rest], MAP_SHRINK),
           "recognised": {"features": list(ranker.RECOGNISED_FEATURES),
                          "weights": tc.fit_weighted(
                              evidence, RECOGNISED_L2, len(ranker.RECOGNISED_FEATURES))},
           "recognised_steps": tc.crossfit_isotonic(recognised, MAP_SHRINK)}
    return out


def shown(rows: Sequence[Answered], steps: Dict[str, Any], logistic: bool = True
          ) -> Dict[str, List[Tuple[float, int, float]]]:
    """Per report, the (confidence explain would show, right?, weight) of the first three
    answers the user sees (a later one never above an earlier one): the candidates explain
    lists (`visible`), confidences as explain gives them. Answers the hand evidence recognised
    show the confidence of the "recognised" logistic model (or, not `logistic`, the calibration
    model's confidence through the "recognised_steps" map), as explain shows them."""
    from keras_doctor.explain import engine

    view = dict(steps, recognised=steps["recognised" if logistic else "recognised_steps"])
    out: Dict[str, List[Tuple[float, int, float]]] = {}
    for example, order, hand, weight in rows:
        by_cause = {h.cause: h for h in example.ranked}
        crash = lookalike.crash_causes(example.ranked)
        order = visible(example, order)
        probabilities = dict(order)
        scored, ceiling = [], 0.99
        for rank, (cause, p) in enumerate(order[:engine.MAX_FINDINGS]):
            own = (None if rank == 0 or _by_model(example, cause)
                   or by_cause[cause].score >= example.ranked[0].score  # tied: as the top
                   else ranker.own_error(by_cause[cause], example.ranked, probabilities,
                                         hand[cause], view))
            confidence = (ranker.confidence(p, rank, view) if _by_model(example, cause)
                          else ranker.shown_for_recognised(by_cause[cause], hand[cause], view,
                                                           example.ranked, p)
                          if rank == 0 else min(ceiling, hand[cause] if own is None else own))
            if rank and (lookalike.is_look_alike(cause, order[0][0]) or cause in crash):
                confidence = max(confidence, lookalike.SHOWN_AT_LEAST)
            ceiling = min(ceiling, confidence)
            scored.append((by_cause.get(cause) or _proposed_by_model(cause), ceiling))
        out[example.id] = [(confidence, int(hyp.cause == example.cause), weight)
                           for hyp, confidence in engine.shown_candidates(
                               scored, example.is_error)[:3]]
    return out


def visible(example: Example, order: Sequence[Tuple[str, float]]) -> List[Tuple[str, float]]:
    """The model's order as explain lists it: causes of the catalog only, and of those the
    hand evidence did not propose, none the paste's platform or signal rules out (`engine`)."""
    from keras_doctor import causes

    proposed = set(example.hand)
    return [(c, p) for c, p in order if c in causes.CATALOG
            and (c in proposed or c not in example.ruled_out)]


def _proposed_by_model(cause: str) -> Any:
    from keras_doctor.explain.hypothesis import Hypothesis

    hyp = Hypothesis(cause)
    hyp.signatures.append(calibrate.LEARNED)
    return hyp


KINDS = ("recognised", "guessed, novel error", "guessed, familiar error")


def kind_of(example: Example, order: Sequence[Tuple[str, float]]) -> str:
    """Which confidence explain shows for the report's top answer: a recognised message's, or the
    model's guess on an error no knowledge recognises (novel, as on unseen reports) or on one a
    signature left out with its fold recognises (familiar: met only in cross-validation)."""
    if order and not _by_model(example, order[0][0]):
        return KINDS[0]
    return KINDS[1] if example.novel else KINDS[2]


def evaluate(data: Sequence[Example], reports: int, l2: float = L2,
             unknown_share: float = 0.0) -> Dict[str, Any]:
    """Cross-validated figures of the ranker (its maps fitted, per fold, on the other folds'
    out-of-fold answers) beside those of the hand ranking; with `unknown_share`, the maps are
    fitted with twins whose cause the catalog lacks, and "with_unknown_causes" is the
    reliability with those twins counted at that share. "recognised_by_steps" is the same with a
    recognised top answer shown through the step map instead of the logistic model."""
    predicted = cross_validate(data, l2, unknown_share)
    rows = answered(data, predicted, unknown_share)
    fitted = {fold: maps([r for r in rows if r[0].fold != fold]) for fold in range(tc.FOLDS)}
    kinds = {e.id: kind_of(e, predicted[e.id]) for e in data}

    def figures(logistic: bool) -> Dict[str, Any]:
        per_report: Dict[str, List[Tuple[float, int, float]]] = {}
        for fold in range(tc.FOLDS):
            per_report.update(shown([r for r in rows if r[0].fold == fold], fitted[fold],
                                    logistic))
        real = {i: [(c, r) for c, r, _ in v] for i, v in per_report.items() if "#" not in i}
        by_kind = {}
        for kind in KINDS:
            of_kind = {i: rows_ for i, rows_ in real.items() if kinds[i] == kind}
            by_kind[kind] = tc.summary(of_kind, len(of_kind))
        out: Dict[str, Any] = {"ranker": tc.summary(real, reports), "by_kind": by_kind}
        if logistic:
            # the top answers as unseen reports meet them: a guess on a familiar error happens
            # only in cross-validation (on an unseen report its signature recognises it)
            out["answers"] = [
                {"id": e.id, "repository": e.group, "shown": real[e.id][0][0],
                 "right": real[e.id][0][1],
                 "kind": ranker.fresh_kind(e.ranked, e.hand[0] if e.hand else "")}
                for e in data if real.get(e.id) and kinds[e.id] != KINDS[2]]
        if unknown_share:
            out["with_unknown_causes"] = {"share": unknown_share,
                                          **tc.weighted_reliability(per_report)}
            # what unseen reports meet: a familiar error's guess happens only in cross-validation
            # (on an unseen report its signature recognises it)
            out["as_unseen_reports_meet_it"] = {"share": unknown_share,
                                                **tc.weighted_reliability(
                {i: rows_ for i, rows_ in per_report.items()
                 if kinds.get(i.split("#")[0]) != KINDS[2] or "#" in i})}
        return out

    hand = {e.id: [(1.0, int(c == e.cause)) for c in e.hand[:3]] for e in data}
    return {**figures(True), "hand": tc.summary(hand, reports),
            "recognised_by_steps": figures(False), "predicted": predicted}


def logistic_is_better(checked: Dict[str, Any]) -> bool:
    """Whether the recognised top answer's logistic model beats the step map it replaced, out of
    repository, on both the worst bucket gap and the Brier score of the top answer as unseen
    reports meet it (either alone moves with the noise of a few hundred reports)."""
    key = "as_unseen_reports_meet_it" if "as_unseen_reports_meet_it" in checked else "ranker"
    new, old = checked[key], checked["recognised_by_steps"][key]
    return tc._better(new, old)


# Pseudo-answers shown as the maps show them, added to each kind's answers of a collection pass:
# a kind a pass met a dozen times moves only part of the way to the rate it was right at there.
# `fresh_choice` chooses among FRESH_SHRINKS by cross-validation by repository; FRESH_SHRINK is
# what the correction uses when nothing was chosen.
FRESH_SHRINK = 6.0
FRESH_SHRINKS = (0.0, 6.0, 12.0, 25.0, 50.0, 100.0, 200.0, 400.0)
# The ways the top answer's confidence may be met on new reports, `fresh_choice` picks one: as
# the maps give it, corrected per kind by the passes (at a shrink), or through one monotone map
# from the confidence shown to how often such answers were right (`train_calibration.recalibration`)
FRESH_METHODS = ("none", "correction", "map")


def fresh_answers(repo: Path) -> List[Dict[str, Any]]:
    """How explain answered the reports of each collection pass before any tuning on them
    (`tests/explain/corpus/*_answers.jsonl`, written by `tests/explain/fresh_answers.py`).
    "shown" is the top answer's confidence as the maps of that commit gave it, before the
    correction by earlier passes it shipped ("uncorrected" in the record, where it differs):
    a new correction replaces the old one, it does not stack on it."""
    rows: List[Dict[str, Any]] = []
    for path in sorted((repo / "tests" / "explain" / "corpus").glob("*_answers.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["shown"] = row.get("uncorrected", row["shown"])
                row["pass"] = path.name[:-len("_pass_answers.jsonl")]
                rows.append(row)
    return rows


def fresh_correction(rows: Sequence[Dict[str, Any]], shrink: float = FRESH_SHRINK
                     ) -> Dict[str, List[float]]:
    """Per kind of top answer (`ranker.FRESH_KINDS`), [mean shown, rate, slope]: the answers a
    collection pass met before any tuning were right at `rate` (shrunk toward the mean shown by
    `shrink` pseudo-answers), and a least-squares line from the confidence shown to right or
    wrong, its slope between 0 (the confidence told nothing within the kind) and 1 (it held as
    shown), says how much of the spread to keep. The leave-repository-out maps are fitted to
    reports whose resolve steps, atlas map and ranker features were written with them in view;
    a pass met before any tuning shows how much of that confidence holds on new reports."""
    out: Dict[str, List[float]] = {}
    for kind in ranker.FRESH_KINDS:
        pairs = [(float(r["shown"]), float(r["right"])) for r in rows if r["kind"] == kind]
        if not pairs:
            continue
        n = len(pairs)
        mean_x = sum(x for x, _ in pairs) / n
        mean_y = sum(y for _, y in pairs) / n
        spread = sum((x - mean_x) ** 2 for x, _ in pairs)
        slope = (sum((x - mean_x) * (y - mean_y) for x, y in pairs) / spread
                 if spread > 1e-12 else 0.0)
        rate = (n * mean_y + shrink * mean_x) / (n + shrink)
        # the pseudo-answers held as shown: a slope of 1
        slope = (n * min(1.0, max(0.0, slope)) + shrink) / (n + shrink)
        out[kind] = [round(mean_x, 4), round(rate, 4), round(min(1.0, max(0.0, slope)), 4)]
    return out


def fresh_steps(method: str, fresh: Sequence[Dict[str, Any]],
                everything: Sequence[Dict[str, Any]], shrink: float = FRESH_SHRINK
                ) -> Dict[str, Any]:
    """The "fresh" entry of the confidence maps for `method` (FRESH_METHODS): nothing, the
    correction per kind fitted on the passes' answers `fresh` at `shrink`, or the monotone map
    fitted on `everything` (the tuning answers out of repository and the passes')."""
    if method == "correction":
        return {"method": method, "shrink": shrink, "kinds": fresh_correction(fresh, shrink)}
    if method == "map":
        return {"method": method, "map": tc.recalibration(
            [(float(r["shown"]), float(r["right"])) for r in everything])}
    return {"method": "none"}


def fresh_cross_validated(rows: Sequence[Dict[str, Any]], method: str = "correction",
                          shrink: float = FRESH_SHRINK) -> Dict[str, Any]:
    """The reliability of the top answer on the collection passes as met ("as_shown") and as
    `method` fitted on the other repositories' answers of the passes gives it ("corrected"):
    the pass's own figure of the method."""
    as_shown = {f"{i}": [(float(r["shown"]), int(r["right"]))] for i, r in enumerate(rows)}
    return {"answers": len(rows), "repositories": len({r["repository"] for r in rows}),
            "method": method, "as_shown": tc.summary(as_shown, len(rows)),
            "corrected": tc.summary(_met_by_repository(rows, rows, method, shrink), len(rows))}


def _met_by_repository(rows: Sequence[Dict[str, Any]], fresh: Sequence[Dict[str, Any]],
                       method: str, shrink: float) -> Dict[str, List[Tuple[float, int]]]:
    """Each answer of `rows` as `method` meets it when fitted without its repository: the
    per-kind correction on the other repositories' answers among `fresh` (the passes'), the
    monotone map on the other repositories' `rows`. Keyed by position (a report of a pass is in
    the tuning corpus too)."""
    met: Dict[str, List[Tuple[float, int]]] = {}
    for repository in sorted({str(r["repository"]) for r in rows}):
        fitted = {"fresh": fresh_steps(
            method, [r for r in fresh if r["repository"] != repository],
            [r for r in rows if r["repository"] != repository], shrink)}
        for i, r in enumerate(rows):
            if r["repository"] == repository:
                met[f"{i}"] = [(ranker.met_fresh(float(r["shown"]), str(r["kind"]), fitted),
                                int(r["right"]))]
    return met


def _no_wider_gap(figures: Dict[str, Any], as_shown: Dict[str, Any]) -> bool:
    return (float(figures["worst_gap_in_buckets_of_10_or_more"])
            <= float(as_shown["worst_gap_in_buckets_of_10_or_more"]))


def fresh_choice(fresh: Sequence[Dict[str, Any]], tuning: Sequence[Dict[str, Any]]
                 ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """How the top answer's confidence is met on new reports, chosen as the next collection pass
    will meet it: each pass's answers are given the confidence each candidate gives them when
    fitted without that pass and without every answer of its repositories (the tuning corpus's
    out-of-repository answers included) - as shown ("none"), the per-kind correction of the
    passes at each shrink of FRESH_SHRINKS ("correction"), or one monotone map from the
    confidence shown to how often such answers were right ("map") - and, over the passes'
    answers so met, of the candidates whose worst bucket gap is no wider than as shown, the one
    with the lowest Brier score of the top answer wins (ties go to the simpler, in that order;
    the Brier score alone picked corrections that bought a few thousandths of it with a bucket
    30 points off). A cross-validation by repository that mixes the passes' answers with the
    tuning corpus's ranks the candidates by how they meet reports like those the knowledge was
    written from; the passes met in turn are what new reports look like (four passes of five had
    favoured the map there while the mixed choice kept a correction). Returns the
    "fresh" entry of the maps (`fresh_steps`) and the reliability table of each candidate."""
    rows = [{**r, "repository": str(r["repository"]).lower()} for r in [*fresh, *tuning]]
    fresh = rows[:len(fresh)]
    repositories = sorted({str(r["repository"]) for r in rows})

    def met_by_pass(method: str, shrink: float = FRESH_SHRINK) -> Dict[str, Any]:
        return tc.summary(_met_by_pass(rows, fresh, method, shrink), len(fresh))

    as_shown = tc.summary({f"{i}": [(float(r["shown"]), int(r["right"]))]
                           for i, r in enumerate(fresh)}, len(fresh))
    corrected = {f"{shrink:g}": met_by_pass("correction", shrink) for shrink in FRESH_SHRINKS}
    mapped = met_by_pass("map")
    candidates = [(as_shown, 0, "none", FRESH_SHRINK)]
    candidates += [(figures, 1, "correction", float(key)) for key, figures in corrected.items()]
    candidates.append((mapped, 2, "map", FRESH_SHRINK))
    _, _, method, shrink = min(
        (c for c in candidates if _no_wider_gap(c[0], as_shown)),
        key=lambda c: (c[0]["brier_of_top_answer"], c[1]))
    return fresh_steps(method, fresh, rows, shrink), {
        "answers": len(rows), "fresh_answers": len(fresh), "repositories": len(repositories),
        "scored_on": "each collection pass, fitted without it and its repositories",
        "chosen": method, "chosen_shrink": shrink if method == "correction" else None,
        "as_shown": as_shown, "corrected": corrected, "mapped": mapped}


def _met_by_pass(rows: Sequence[Dict[str, Any]], fresh: Sequence[Dict[str, Any]], method: str,
                 shrink: float) -> Dict[str, List[Tuple[float, int]]]:
    """Each answer of the passes (`fresh`, the first rows of `rows`) as `method` meets it when
    fitted without its pass and without every answer of that pass's repositories."""
    met: Dict[str, List[Tuple[float, int]]] = {}
    for name in sorted({str(r.get("pass", "")) for r in fresh}):
        held = [i for i, r in enumerate(fresh) if str(r.get("pass", "")) == name]
        away = {fresh[i]["repository"] for i in held}
        fitted = {"fresh": fresh_steps(
            method, [r for r in fresh if r["repository"] not in away],
            [r for r in rows if r["repository"] not in away], shrink)}
        for i in held:
            met[f"{i}"] = [(ranker.met_fresh(float(fresh[i]["shown"]), str(fresh[i]["kind"]),
                                             fitted), int(fresh[i]["right"]))]
    return met


def fresh_by_pass(fresh: Sequence[Dict[str, Any]], tuning: Sequence[Dict[str, Any]],
                  shrink: float = FRESH_SHRINK) -> Dict[str, Any]:
    """Each collection pass met as the next one will be, pass by pass: every way of meeting new
    reports (`fresh_choice`'s candidates, the correction at `shrink`) fitted without that pass
    and without every answer of its repositories (the tuning corpus's included), then scored on
    the pass."""
    rows = [{**r, "repository": str(r["repository"]).lower()} for r in [*fresh, *tuning]]
    fresh = rows[:len(fresh)]
    met = {method: _met_by_pass(rows, fresh, method, shrink) for method in FRESH_METHODS}
    out: Dict[str, Any] = {}
    for name in sorted({str(r.get("pass", "")) for r in fresh}):
        held = [f"{i}" for i, r in enumerate(fresh) if str(r.get("pass", "")) == name]
        figures: Dict[str, Any] = {"answers": len(held),
                                   "repositories": len({fresh[int(i)]["repository"]
                                                        for i in held})}
        for method in FRESH_METHODS:
            figures[method] = tc.summary({i: met[method][i] for i in held}, len(held))
        out[name] = figures
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_doctor.explain.train_ranker",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[3])
    parser.add_argument("--out", type=Path, default=paths.EMBEDDED_DIR)
    parser.add_argument("--report-only", action="store_true",
                        help="print the cross-validated figures; write nothing")
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--unknown-share", type=float, default=UNKNOWN_CAUSE_SHARE,
                        help="share of reports whose cause the catalog lacks (simulated)")
    args = parser.parse_args(argv)
    data = examples(args.repo)
    reports = len(tc.tuning_reports(args.repo))
    checked = evaluate(data, reports, args.l2, args.unknown_share)
    predicted = checked.pop("predicted")
    tuning_answers = checked.pop("answers")
    checked["recognised_by_steps"].pop("answers", None)
    print(json.dumps(checked, indent=1), file=sys.stderr)
    if args.report_only:
        return 0
    ranker_, hand = checked["ranker"], checked["hand"]
    if ranker_["top1"] < hand["top1"] or ranker_["top3"] <= hand["top3"]:
        print("the ranker does not rank better than the hand evidence out of repository (top-1 "
              "no worse, top-3 better): not shipped", file=sys.stderr)
        return 1
    logistic = logistic_is_better(checked)
    if not logistic:
        print("the recognised answers' logistic model does not beat their step map out of "
              "repository (gap and Brier): the step map ships", file=sys.stderr)
    steps = maps(answered(data, predicted, args.unknown_share, out_of_fold=False))
    steps["recognised"] = steps.pop("recognised_steps") if not logistic else steps["recognised"]
    steps.pop("recognised_steps", None)
    fresh = fresh_answers(args.repo)
    if fresh:
        chosen, checked["fresh_choice"] = fresh_choice(fresh, tuning_answers)
        steps["fresh"] = {"answers": len(fresh), **chosen}
        checked["fresh_pass"] = fresh_cross_validated(
            fresh, chosen["method"], float(chosen.get("shrink", FRESH_SHRINK)))
        checked["fresh_by_pass"] = fresh_by_pass(
            fresh, tuning_answers, float(chosen.get("shrink", FRESH_SHRINK)))
        print(json.dumps(checked["fresh_by_pass"], indent=1), file=sys.stderr)
        print(json.dumps(checked["fresh_choice"], indent=1), file=sys.stderr)
    model = fit(data, args.l2)
    target = args.out / "ranker.json"
    tc._write(target, {
        "method": ("multinomial logistic regression over explain.ranker's features (L2 "
                   f"{args.l2}, Adam, {STEPS} steps; features seen in reports of at least "
                   f"{MIN_REPOSITORIES} repositories), then isotonic step maps (top answer, "
                   "others, recognised top answer; each shrunk by "
                   f"{MAP_SHRINK} pseudo-answers toward its own rate) fitted to the out-of-fold "
                   "answers"
                   + (", the recognised top answer's by a logistic model over "
                      "explain.ranker.RECOGNISED_FEATURES (L2 "
                      f"{RECOGNISED_L2}) instead" if logistic else "")
                   + ", with twins of each report whose cause the catalog lacks at "
                   f"{args.unknown_share:.0%}"
                   + (f", the top answer's confidence then met as {steps['fresh']['method']!r} "
                      "(as the maps give it, corrected per kind by the collection passes, or "
                      "through one monotone map), chosen by repository over the tuning answers "
                      f"and {len(fresh)} answers of collection passes met before any tuning on "
                      "them" if fresh else "")
                   + "; trained on the tuning corpus only"),
        "trained_on": {"reports": reports, "examples": len(data),
                       "repositories": len({e.group for e in data}),
                       "sources": ["tests/explain/corpus/cases.jsonl"]},
        "sources": ["tests/explain/corpus/cases.jsonl (tuning reports only), each fold of "
                    "repositories explained without the signatures any of its repositories "
                    "taught"],
        "cross_validated": {"protocol": f"{tc.FOLDS} folds grouped by repository", **checked},
        **model,
        "weights": ranker.packed_weights(model["weights"], model["causes"]),
        "unknown_cause_share": args.unknown_share,
        "isotonic": steps,
    })
    tc._refresh_manifest(args.out)
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
