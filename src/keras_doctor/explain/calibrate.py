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

A paste can hold several errors, each with its own witness (a dlopen refusing an x86_64 binary,
then `illegal hardware instruction`, then NumPy's `_ARRAY_API not found`). The "rest" map says how
often a runner-up among readings of ONE error is right, and its features (rank, lead over the
top answer) make every candidate below the top look like such a runner-up; under it, the second
error's cause, which its own witness names as surely as if it were pasted alone, shows under 1 %
and is hidden. So candidates are grouped into errors by their witnesses (`errors`: candidates one
signature stands behind are readings of one message; a guess stands with the top answer), and a
candidate of another error than the top answer's is calibrated among its own error's candidates:
its first as a top answer, the others as its runners-up. The top answer's error keeps the whole
paste as its context, so a paste of one error, and the top answer of any paste, read as before;
which of the errors is the report's cause stays the top answer's doubt, and a later candidate
never shows more than an earlier one.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set

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


def witnesses(hyp: Any) -> Set[str]:
    """What recognised the candidate in the text: its signatures, the atlas included, not the
    guesses (a fallback prior, the learned ranker), which recognise nothing; and the line they
    read, where the text shows it (two signatures reading dyld's one `Library not loaded` line,
    each for its own cause, read one message)."""
    found = {str(s) for s in hyp.signatures
             if not (str(s).startswith(FALLBACK) or str(s) == LEARNED)}
    if found and hyp.excerpt:
        found.add(f"{hyp.position}:{hyp.excerpt}")
    return found


def errors(ranked: Sequence[Any]) -> List[int]:
    """For each candidate, the index of the first candidate of the error it reads: candidates
    that share a witness read one message (a resolve step picking among the causes of `No module
    named`, `illegal hardware instruction` standing for Rosetta and a CPU without AVX), and a
    candidate nothing recognised stands with the top answer."""
    head = list(range(len(ranked)))

    def root(i: int) -> int:
        while head[i] != i:
            i = head[i]
        return i

    seen: Dict[str, int] = {}
    for i, hyp in enumerate(ranked):
        found = witnesses(hyp)
        if not found:
            head[root(i)] = root(0)
        for witness in found:
            if witness in seen:
                a, b = sorted((root(i), root(seen[witness])))
                head[b] = a
            else:
                seen[witness] = i
    return [root(i) for i in range(len(ranked))]


def calibrated(ranked: Sequence[Any], trained: Optional[Dict[str, Any]] = None) -> List[float]:
    """Confidences for hypotheses in their ranked order (raw scores without a model).

    The hand-set evidence ranks (cross-validation found it ranks as well as the model); the model
    (the shipped one, or `trained`, one fitted on other folds when training the ranker's maps)
    says how sure to be. A candidate of another error than the top answer's is calibrated among
    its own error's candidates (`errors`). A later candidate never shows more confidence than an
    earlier one."""
    trained = trained if trained is not None else model()
    if trained is None:
        return [h.score for h in ranked]
    heads = errors(ranked)
    own = {head: _calibrated([h for h, of in zip(ranked, heads) if of == head], trained)
           for head in set(heads) if head != 0}
    whole = _calibrated(ranked, trained)
    out: List[float] = []
    for i, head in enumerate(heads):
        tied = ranked[i].score >= ranked[0].score  # as sure as the top answer, whatever its error
        p = whole[i] if head == 0 or tied else own[head][heads[:i].count(head)]
        out.append(min(p, out[-1]) if out else p)
    return out


def _calibrated(ranked: Sequence[Any], trained: Dict[str, Any]) -> List[float]:
    scores = [h.score for h in ranked]
    weights = trained["weights"]
    maps = trained.get("isotonic") or {}
    out: List[float] = []
    for i, h in enumerate(ranked):
        # equally strong evidence shows equal confidence, whichever came last in the paste (a
        # learned model, which weighs the rank itself, would otherwise split the tie)
        if out and h.score >= scores[0]:
            out.append(out[0])
            continue
        p = probability(features(h, i, scores), weights)
        steps = maps.get("first" if i == 0 else "rest")
        p = min(0.99, mapped(p, steps) if steps else p)
        out.append(round(min(p, out[-1]) if out else p, 3))
    return out
