"""Re-rank the candidate causes with what transfers between reports, not what one thread said.

The hand-set evidence (signatures, the message atlas, the fallback's priors) proposes causes and
weighs them; it ranks the errors it was written from well and new ones less well, because a
signature's weight says how sure its author was, not how often that wording meant that cause on
other people's machines. This model learns the second from the tuning reports, each explained
without the knowledge its own repository taught (`train_ranker`): a multinomial logistic model
over the causes, scoring each from

- what the paste shows, the same way for every cause: the error's kind and exception type, the
  platform, installer and Python the paths reveal, the Keras generation of the frames, whose
  package made the failing call, a notebook, and the words of the error's last lines (only words
  seen in reports from several repositories, so no thread's own wording is learnt);
- which causes the hand-set evidence proposed, and which knowledge proposed each;
- the hand score of the cause itself, its rank, and whether a fallback prior or the atlas alone
  proposed it (weights shared by every cause).

Inference is a few dictionary look-ups and a softmax in pure Python over data shipped in
`knowledge/data/ranker.json`; without that file, explain keeps the hand ranking.

The softmax spreads over every candidate of the paste, so in a paste of several errors, each
recognised by its own witness (a dlopen refusing an x86_64 binary, `illegal hardware
instruction`, `No module named`), the causes of the errors below the first share what the first
leaves, and a cause its own message names as surely as if it were pasted alone fell under 1 % and
was hidden. Which error is the report's cause is the top answer's doubt, and stays so; but a
candidate that heads an error of its own (`calibrate.errors`: no witness shared with a candidate
above it) is shown with the confidence it would have as that error's top answer (`own_error`):
its confidence calibrated among its own error's candidates, the model's probability of it
renormalised without the causes the other errors' witnesses name, through the same recognised
model and fresh-pass correction as any top answer - then held below the candidates above it.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from keras_doctor.explain import calibrate, lazyre, lookalike
from keras_doctor.explain.calibrate import FALLBACK, is_fallback, mapped, only_fallback
from keras_doctor.explain.text import site_package_of

__all__ = ["mapped", "model", "report_features", "rerank", "scores"]

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "ranker.json"
# What the model alone may claim: it generalises from reports like this one, it did not recognise
# the message, so it never shows the certainty of a recognition (the cap costs at most a few
# points of calibration in the top step, where out-of-fold answers were right ~85-90 %).
MAX_UNRECOGNISED = 0.79
NOTHING_FAILED = "informational-message-not-an-error"
WITHIN_STEP = 0.04  # how much a recognised confidence rises across one step of its map
SHOWN_AT_LEAST = 3  # candidates a recognised message is completed to
TAIL_LINES = 12  # the error's own lines: where its words are
_WORD = lazyre.compile(r"[a-z][a-z0-9_]{2,30}")
PAIR_FEATURES = (
    "hand_logit",  # log-odds of the hand score (0 when the hand evidence did not propose it)
    "hand_proposed",
    "hand_first",
    "hand_second",
    "hand_fallback_only",
    "hand_atlas_only",
    "hand_weakened",
)


def report_features(text: str, clues: Any, ranked: Sequence[Any]) -> Set[str]:
    """What the paste shows, as named binary features (the same for every cause)."""
    out = {f"kind:{clues.kind or 'none'}"}
    if clues.exception_type:
        out.add(f"exc:{clues.exception_type.lower()}")
    for name, value in (("platform", clues.platform), ("installer", clues.installer),
                        ("keras", clues.keras_generation), ("machine", clues.machine),
                        ("library", clues.library)):
        if value:
            out.add(f"{name}:{value.lower()}")
    if clues.python_version:
        out.add(f"python:{clues.python_version}")
    if clues.notebook or clues.colab:
        out.add("notebook")
    if clues.frames:
        out.add("traceback")
        if not clues.library:
            out.add("caller:user")  # the failing call was made in the user's own code
        out.update(f"in:{package.split('.')[0].lower()}"
                   for package in map(site_package_of, clues.frames) if package)
    for module in clues.imports[-4:]:
        out.add(f"imports:{module.split('.')[0].lower()}")
    for hyp in ranked[:3]:
        out.add(f"proposed:{hyp.cause}")
    for hyp in ranked:
        for signature in hyp.signatures:
            out.add("via:" + (signature.split(":")[0] if signature.startswith(FALLBACK)
                              else signature))
    out.update(f"word:{w}" for w in words(text))
    return out


def words(text: str) -> Set[str]:
    lines = [line for line in text.splitlines() if line.strip()][-TAIL_LINES:]
    return set(_WORD.findall("\n".join(lines).lower()))


def pair_features(cause: str, ranked: Sequence[Any]) -> List[float]:
    """The hand evidence for one cause, the same weights for every cause."""
    for rank, hyp in enumerate(ranked):
        if hyp.cause != cause:
            continue
        score = max(0.005, hyp.score)  # never above 0.99 (`Hypothesis.score`)
        signatures = list(hyp.signatures)
        return [
            math.log(score / (1 - score)),
            1.0,
            float(rank == 0),
            float(rank == 1),
            float(only_fallback(signatures)),
            float(bool(signatures) and all(s == "message-atlas" for s in signatures)),
            float(bool(hyp.against)),
        ]
    return [0.0] * len(PAIR_FEATURES)


def scores(features: Iterable[str], ranked: Sequence[Any], model: Dict[str, Any]
           ) -> Dict[str, float]:
    """The model's probability of each cause it knows (and of each cause the hand evidence
    proposed that it does not)."""
    named: Sequence[str] = model["causes"]
    known = set(named)
    causes = list(named) + [h.cause for h in ranked if h.cause not in known]
    logits = {c: float(model["bias"].get(c, 0.0)) for c in causes}
    weights = model["weights"]
    for feature in features:
        row = weights.get(feature)
        if row:
            for cause, w in _row_items(row, named):
                logits[cause] += w
    shared = model["pair"]
    for cause in causes:
        logits[cause] += sum(v * w for v, w in zip(pair_features(cause, ranked), shared))
    top = max(logits.values())
    exp = {c: math.exp(z - top) for c, z in logits.items()}
    total = sum(exp.values())
    return {c: e / total for c, e in exp.items()}


def packed_weights(weights: Dict[str, Dict[str, float]], causes: Sequence[str]
                   ) -> Dict[str, List[float]]:
    """Each feature's row as one flat list, the cause's position in `causes` then its weight,
    pair after pair: the file names every cause once, not once per feature (it grows with the
    features the tuning reports share), and one list per row, not one per pair, halves the time
    the file takes to parse."""
    position = {cause: i for i, cause in enumerate(causes)}
    return {feature: [x for cause, w in row.items() for x in (position[cause], w)]
            for feature, row in weights.items()}


def _row_items(row: Any, causes: Sequence[str]) -> Iterable[Tuple[str, float]]:
    """A feature's (cause, weight) pairs, from a packed row or one keyed by cause (training's
    models and files written before the packing). Read where they are used, for the few features a
    paste has, rather than every row rebuilt as a dictionary when the file loads."""
    if isinstance(row, dict):
        return row.items()
    return ((causes[i], w) for i, w in zip(row[::2], row[1::2]))


def _packed_rows_are_sound(weights: Dict[str, Any], causes: Sequence[str]) -> bool:
    count = len(causes)
    for row in weights.values():
        if isinstance(row, dict):
            continue
        places = row[::2]
        if (len(row) % 2 or not set(map(type, places)) <= {int}
                or not set(map(type, row[1::2])) <= {int, float}
                or (places and not 0 <= min(places) <= max(places) < count)):
            return False
    return True


@lru_cache(maxsize=2)
def model(path: Optional[str] = None) -> Optional[Dict[str, Any]]:
    try:
        document = json.loads(Path(path or DATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if tuple(document.get("pair_features", ())) != PAIR_FEATURES:
        return None  # trained on another feature set: keep the hand ranking
    try:
        if not _packed_rows_are_sound(document["weights"], document["causes"]):
            return None  # a damaged file: keep the hand ranking
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return dict(document)


def confidence(p: float, rank: int, steps: Dict[str, Any]) -> float:
    """The confidence shown for the model's probability `p` of an answer at `rank`."""
    mapped_p = mapped(p, steps.get("first" if rank == 0 else "rest") or [])
    return min(MAX_UNRECOGNISED, mapped_p)


def recalibrated(p: float, steps: Sequence[Sequence[float]]) -> float:
    """A recognised message's confidence `p` through the step map fitted to how often recognised
    top answers so scored were right out of repository, rising a little inside each step (at
    most halfway to the next), so weaker evidence never shows as sure as stronger."""
    lower = 0.0
    for i, (upper, rate) in enumerate(steps):
        if p <= upper or i == len(steps) - 1:
            following = steps[i + 1][1] if i + 1 < len(steps) else min(0.99, rate + 0.04)
            rise = min(WITHIN_STEP, (following - rate) / 2)
            fraction = min(1.0, max(0.0, (p - lower) / max(1e-9, upper - lower)))
            return min(0.99, float(rate) + rise * fraction)
        lower = float(upper)
    return p


RECOGNISED_FEATURES = (
    "bias",
    "hand_logit",  # log-odds of the hand score of the answer
    "shared_witness",  # a witness of the answer also stands behind another candidate
    "model_logit",  # log-odds of the model's probability of the answer
    "atlas_only",  # the message atlas alone named it
)


def _logit(p: float) -> float:
    p = min(0.995, max(0.005, p))
    return math.log(p / (1 - p))


def recognised_features(hyp: Any, ranked: Sequence[Any], p: float) -> List[float]:
    """The evidence behind a recognised top answer that says how often it is right: how strong
    its witnesses are, whether one of them also witnesses a runner-up (a generic message whose
    cause a resolve step had to pick, `No module named`, pip's `No matching distribution`), and
    whether the model, trained on reports of other repositories, agrees."""
    signatures = set(hyp.signatures)
    others = {s for h in ranked if h is not hyp for s in h.signatures}
    return [
        1.0,
        _logit(hyp.score),
        float(bool(signatures & others)),
        _logit(p),
        float(bool(signatures) and signatures == {"message-atlas"}),
    ]


def recognised_model(steps: Dict[str, Any]) -> Optional[List[float]]:
    """The weights of the recognised top answer's logistic model, if `steps` holds one."""
    fitted = steps.get("recognised")
    if isinstance(fitted, dict) and tuple(fitted.get("features", ())) == RECOGNISED_FEATURES:
        return [float(w) for w in fitted["weights"]]
    return None


def shown_for_recognised(hyp: Any, confidence: float, steps: Dict[str, Any],
                         ranked: Sequence[Any] = (), p: float = 0.0) -> float:
    """The confidence shown for a recognised top answer. With a logistic model over
    `recognised_features` (fitted out of repository, `train_ranker`): its probability, kept off
    certainty either way. Otherwise the calibration model's `confidence` through the step map
    fitted to recognised top answers, a hit of the message atlas alone (it names who prints a
    message more surely than why) never shown more sure than a guess may."""
    weights = recognised_model(steps)
    if weights is not None:
        probability = calibrate.probability(recognised_features(hyp, ranked, p), weights)
        return min(0.99, max(0.01, probability))
    fitted = steps.get("recognised")
    shown = recalibrated(confidence, fitted if isinstance(fitted, list) else [])
    signatures = list(hyp.signatures)
    if signatures and all(s == "message-atlas" for s in signatures):
        shown = min(shown, MAX_UNRECOGNISED)
    return shown


# The kinds of top answer whose confidence a collection pass, met before any tuning on it,
# corrects (`train_ranker.fresh_correction`): a message a signature or the atlas recognised, one
# whose cause has look-alikes (the same words stand for several causes, `lookalike`), and a
# guess on an error no knowledge recognised.
FRESH_KINDS = ("recognised", "look-alike", "guessed")


def fresh_kind(ranked: Sequence[Any], top: str) -> str:
    """Which of FRESH_KINDS the top answer `top` to the hand candidates `ranked` is."""
    if not recognised(ranked):
        return FRESH_KINDS[2]
    return FRESH_KINDS[1] if lookalike.LOOK_ALIKES.get(top) else FRESH_KINDS[0]


def met_fresh(confidence: float, kind: str, steps: Dict[str, Any]) -> float:
    """The top answer's `confidence`, as the maps fitted out of repository give it, met the way
    `train_ranker.fresh_choice` chose by repository: as it is; through one monotone map from the
    confidence shown to how often answers so shown were right (on the tuning corpus out of
    repository and on collection passes met before any tuning on them); or corrected by how
    answers of its kind held on those passes - moved to the rate they were right at, by as much
    of their spread as held there."""
    fresh = steps.get("fresh") or {}
    if fresh.get("map"):
        return min(0.99, max(0.01, recalibrated(confidence, fresh["map"])))
    fitted = fresh.get("kinds", {}).get(kind)
    if not fitted:
        return confidence
    mean_shown, rate, slope = (float(v) for v in fitted)
    return min(0.99, max(0.01, rate + slope * (confidence - mean_shown)))


def own_error(hyp: Any, ranked: Sequence[Any], probabilities: Dict[str, float],
              hand_confidence: float, steps: Dict[str, Any]) -> Optional[float]:
    """The confidence of a recognised candidate below the top answer that heads an error of its
    own (`calibrate.errors`), as that error's top answer: its calibrated `hand_confidence`
    (`calibrate.calibrated` calibrates it among its own error's candidates) and the model's
    probability of it without the causes the paste's other errors name. None when it reads the
    top answer's error or a later candidate's error."""
    heads = calibrate.errors(ranked)
    index = next((i for i, h in enumerate(ranked) if h is hyp), 0)
    if index == 0 or heads[index] != index:
        return None
    group = [h for h, head in zip(ranked, heads) if head == index]
    elsewhere = sum(probabilities.get(h.cause, 0.0) for h, head in zip(ranked, heads)
                    if head != index)
    p = min(1.0, probabilities.get(hyp.cause, 0.0) / max(1e-9, 1.0 - elsewhere))
    shown = shown_for_recognised(hyp, hand_confidence, steps, group, p)
    return met_fresh(shown, fresh_kind(group, hyp.cause), steps)


def recognised(ranked: Sequence[Any]) -> bool:
    """Whether knowledge recognised the message (a signature or the atlas, not a fallback prior):
    then the hand order stands - its author read the mechanism, and cross-validation finds the
    model no better there - and the model only adds candidates."""
    return bool(ranked) and not is_fallback(ranked[0])


def own_code_only(clues: Any) -> bool:
    """A traceback raised in the user's own code with no installed package among its frames:
    the model learnt from errors of the frameworks and has no basis there, so the hand order
    stands (the model still completes it)."""
    return bool(clues.frames) and not any(site_package_of(f) for f in clues.frames)


def unwitnessed(text: str, clues: Any = None) -> FrozenSet[str]:
    """The causes nothing learned may propose for this paste: those whose mechanism is a verdict
    a tool prints in its own words, which the paste lacks (a requirement conflict without a
    resolver's or checker's verdict, `resolvers`; a pip too old for the wheels' tags, which only
    the wheel tables' verdict names; nothing failed at all beside a raised exception or an op
    kernel's logged failure, failures whatever start-up lines stand beside them). The
    words the model weighs ("version", "requires", "incompatible") are printed by much else."""
    from keras_doctor.explain import resolvers

    failed = clues is not None and (bool(clues.exception_type) or bool(
        _OP_KERNEL_FAILED.search(clues.exception_message)))
    return _PIP_TOO_OLD | (_NOTHING_FAILED if failed else frozenset()) | (
        frozenset() if resolvers.shows_conflict_verdict(text) else _CONFLICT)


# An op kernel's own failure, as OP_REQUIRES logs it before the op returns its status
# (tensorflow/core/framework/op_requires.h: "OP_REQUIRES failed at <file>:<line> : <status>").
# Not any status in a log line: "Error occurred when finalizing GeneratorDataset iterator:
# FAILED_PRECONDITION: …" is printed at a clean exit.
_OP_KERNEL_FAILED = lazyre.compile(r"\bOP_REQUIRES failed at\b")


_CONFLICT = frozenset({"requirement-conflict"})
# A pip too old for the wheels' platform tags is a verdict of the wheel tables on the pip the
# paste or the environment shows (`wheels.pip_too_old`): where they decide it, the hand evidence
# proposes it; pip's "No matching distribution" alone never shows which pip ran.
_PIP_TOO_OLD = frozenset({"pip-too-old-for-platform-tags"})
_NOTHING_FAILED = frozenset({NOTHING_FAILED})


def ordered(ranked: Sequence[Any], probabilities: Dict[str, float], keep_hand: bool = False,
            platform: str = "", unwitnessed: FrozenSet[str] = frozenset()
            ) -> List[Tuple[str, float]]:
    """(cause, probability) in the order explain shows them: a recognised message (or, with
    `keep_hand`, any) keeps the hand order, filled up to SHOWN_AT_LEAST candidates with the
    model's likeliest others; an error no knowledge recognised is ordered by the model. Either
    way the first answer's look-alikes (`lookalike`: causes the same message stands for) are
    kept among the first answers (with facts too: `refine` removes those the facts rule out)."""
    proposed = {h.cause for h in ranked}
    by_model = [c for c, _ in sorted(probabilities.items(), key=lambda kv: -kv[1])
                if c in proposed or c not in unwitnessed]
    if ranked and ranked[0].cause == NOTHING_FAILED:
        # TensorFlow's own start-up lines or a Python warning, recognised as such (the log
        # atlas, read from the native libraries' call sites; CPython's warnings format): no
        # failure to find another cause of, so the model completes nothing
        return [(h.cause, probabilities.get(h.cause, 0.0)) for h in ranked]
    if keep_hand or recognised(ranked):
        # the hand evidence decided between its candidates (a resolve step, the symbol atlas):
        # the first answer's likeliest look-alike is kept in the first three, the others only
        # fill the places the hand evidence left, before the model's others
        order = [h.cause for h in ranked]
        fill = lookalike.wanted(order[0], platform) if order else []
        if fill and fill[0] not in order[:lookalike.SHOWN]:
            order = [c for c in order if c != fill[0]]
            order.insert(min(len(order), lookalike.SHOWN - 1), fill[0])
        known = set(order)
        order += [c for c in dict.fromkeys([*fill, *by_model]) if c not in known][
            : max(0, SHOWN_AT_LEAST - len(order))]
        return [(c, probabilities.get(c, 0.0)) for c in order]
    order_ = [(c, probabilities.get(c, 0.0)) for c in by_model]
    return lookalike.with_look_alikes(order_, platform, probabilities,
                                      lookalike.crash_causes(ranked))


def rerank(text: str, clues: Any, ranked: Sequence[Any],
           trained: Optional[Dict[str, Any]] = None) -> List[Tuple[str, float]]:
    """(cause, probability) in the order to show; empty without a model or an error."""
    trained = trained if trained is not None else model()
    if trained is None or not clues.kind:
        return []
    return ordered(ranked, scores(report_features(text, clues, ranked), ranked, trained),
                   own_code_only(clues), clues.platform, unwitnessed(text, clues))
