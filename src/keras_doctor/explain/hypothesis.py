"""A cause the error text points at, with the weight of each witness, and the finding it becomes.

Apart from the engine that ranks hypotheses, so that `refine` (which merges a hypothesis with a
check's finding) and the engine share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from keras_doctor import causes
from keras_doctor.explain import fixes, titles
from keras_doctor.findings import Finding


@dataclass
class Hypothesis:
    cause: str
    weights: List[float] = field(default_factory=list)
    evidence: Dict[str, Any] = field(default_factory=dict)
    signatures: List[str] = field(default_factory=list)
    position: int = 0
    mechanism: str = ""
    sources: List[str] = field(default_factory=list)
    excerpt: str = ""
    factor: float = 1.0  # what the traceback's clues say against (<1) this cause
    against: List[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        remaining = 1.0
        for weight in self.weights:
            remaining *= 1.0 - weight
        return min(0.99, (1.0 - remaining) * self.factor)


def to_finding(hyp: Hypothesis, confidence: float, facts: Any = None) -> Finding:
    cause = causes.CATALOG[hyp.cause]
    evidence = dict(hyp.evidence)
    evidence["matched"] = hyp.excerpt
    evidence["signatures"] = list(dict.fromkeys(hyp.signatures))
    evidence["learned_from"] = hyp.sources[:4]
    if hyp.against:
        evidence["weakened_by"] = list(hyp.against)
    return Finding(
        cause=hyp.cause,
        severity=cause.severity,
        title=titles.title(hyp.cause, hyp.evidence),
        explanation=hyp.mechanism or cause.summary,
        evidence=evidence,
        fix=tuple(fixes.steps(hyp.cause, hyp.evidence, facts)),
        check="explain",
        confidence=confidence,
    )
