"""Turn the evidence behind each candidate into a confidence that means what it says.

The hand-set signature weights rank causes well but are not probabilities: a 0.95 from one
signature and a 0.95 from two weaker witnesses, or a fallback guess, are not equally often right. A
small logistic model over the evidence (its combined weight, how many witnesses, where the witness
came from, whether the traceback weakened it, its lead over the runner-up) scores each candidate
(or the hand score itself, when cross-validation found the model no better), and monotone step
maps (isotonic; one for the top answer, one for the others), fitted to how often candidates so
scored were right on reports of repositories the knowledge was not written from, turn that score
into the probability shown. The model is data (`knowledge/data/calibration.json`),
trained by `python -m keras_doctor.explain.train_calibration` on the tuning corpus only (never
on held-out reports); inference is a dot product and a logistic, in pure Python.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "calibration.json"
FEATURES = (
    "bias",
    "logit_score",
    "witnesses",
    "from_fallback",
    "from_message_atlas_only",
    "weakened",
    "first",
    "lead",
)


# The signatures of candidates no knowledge recognised: a fallback prior (`fallback:<kind>`) and a
# cause only the learned ranker proposes. Everything else names a signature, the atlas or a check.
FALLBACK = "fallback:"
LEARNED = "ranker"


def only_fallback(signatures: Sequence[str]) -> bool:
    return bool(signatures) and all(str(s).startswith(FALLBACK) for s in signatures)


def only_guessed(signatures: Sequence[str]) -> bool:
    """Nothing but guesses stand behind a candidate: fallback priors or the ranker's own."""
    return bool(signatures) and all(str(s).startswith(FALLBACK) or str(s) == LEARNED
                                    for s in signatures)


def is_fallback(hyp: Any) -> bool:
    return only_fallback(list(hyp.signatures))


def features(hyp: Any, rank: int, scores: Sequence[float]) -> List[float]:
    """The evidence of one hypothesis (`hypothesis.Hypothesis`) ranked `rank` among `scores`."""
    score = max(0.005, hyp.score)  # never above 0.99 (`Hypothesis.score`)
    signatures = list(hyp.signatures)
    fallback = is_fallback(hyp)
    atlas_only = bool(signatures) and all(s == "message-atlas" for s in signatures)
    others = [s for i, s in enumerate(scores) if i != rank]
    lead = score - (max(others) if others else 0.0)
    return [
        1.0,
        math.log(score / (1 - score)),
        float(min(len(set(signatures)), 3)),
        float(fallback),
        float(atlas_only),
        float(bool(hyp.against)),
        float(rank == 0),
        lead,
    ]


@cache
def model(path: Optional[str] = None) -> Optional[Dict[str, Any]]:
    try:
        document = json.loads(Path(path or DATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if tuple(document.get("features", ())) != FEATURES:
        return None  # trained on another feature set: fall back to the raw scores
    return document


def probability(values: Sequence[float], weights: Sequence[float]) -> float:
    z = sum(v * w for v, w in zip(values, weights))
    z = max(-30.0, min(30.0, z))
    return 1.0 / (1.0 + math.exp(-z))


def mapped(p: float, steps: Sequence[Sequence[float]]) -> float:
    """The isotonic map: the observed rate of the first step whose upper score reaches `p`."""
    for upper, rate in steps:
        if p <= upper:
            return float(rate)
    return float(steps[-1][1]) if steps else p


def calibrated(ranked: Sequence[Any], trained: Optional[Dict[str, Any]] = None) -> List[float]:
    """Confidences for hypotheses in their ranked order (raw scores without a model).

    The hand-set evidence ranks (cross-validation found it ranks as well as the model); the model
    (the shipped one, or `trained`, one fitted on other folds when training the ranker's maps)
    says how sure to be. A later candidate never shows more confidence than an earlier one."""
    trained = trained if trained is not None else model()
    scores = [h.score for h in ranked]
    if trained is None:
        return scores
    weights = trained["weights"]
    maps = trained.get("isotonic") or {}
    out: List[float] = []
    for i, h in enumerate(ranked):
        # equally strong evidence shows equal confidence, whichever came last in the paste (a
        # learned model, which weighs the rank itself, would otherwise split the tie)
        tied = i > 0 and h.score >= scores[0]
        if tied and out:
            out.append(out[0])
            continue
        p = probability(features(h, i, scores), weights)
        steps = maps.get("first" if i == 0 else "rest")
        p = min(0.99, mapped(p, steps) if steps else p)
        out.append(round(min(p, out[-1]) if out else p, 3))
    return out
