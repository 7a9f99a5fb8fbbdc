"""Score text-only `explain` on the held-out reports, printing aggregates only.

The held-out reports (`heldout/cases.jsonl`) come from repositories that no tuning report and no
signature cites (see `split.py`). They measure generalisation only while nobody writing knowledge
reads them, so everything this module returns or prints is an aggregate: top-1, top-3,
answered-nothing, a reliability table of shown confidence against observed accuracy, and
cause-level confusion counts. It never returns or prints a report's text, id or source.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).parent))
import split

HELDOUT_CASES = Path(__file__).parent / "heldout" / "cases.jsonl"
# A second, later batch collected by the same rule after the first pass's aggregates had guided
# tuning (heldout/README.md): scored apart, so it shows whether that tuning generalised.
SECOND_PASS_CASES = Path(__file__).parent / "heldout" / "second_pass.jsonl"
# Every held-out file, each scored on its own and all together by the benchmark.
PASSES = {"first pass": HELDOUT_CASES, "second pass": SECOND_PASS_CASES}
# Facts documents, one per held-out report whose thread states its environment (heldout/README.md).
HELDOUT_FACTS = Path(__file__).parent / "heldout" / "facts"
TUNING_CASES = Path(__file__).parent / "corpus" / "cases.jsonl"

FIELDS = {"id", "source_url", "text", "cause", "notes", "repo", "platform", "year"}
PLATFORMS = {"macos", "linux", "windows", "unknown"}
# Causes real reports show that the catalog did not have when the held-out part was collected.
# A report labelled with one of them counts as a miss until explain can name it.
PLANNED_CAUSES = {
    "glibc-too-old",
    "openmp-duplicate-runtime",
    "dependency-too-new",
    "keras-distributions-overlap",
    "kernel-not-restarted",
}
NOTHING = "(nothing)"
OTHER = "other:"


def expected_cause(label: str) -> str:
    """The cause a report's label names, as the catalog stands now.

    A report whose cause the catalog lacked when it was collected is labelled `other:<id>`, with
    the ID such a cause would take. Once the catalog has a cause with exactly that ID, the label
    names it; until then the report counts as a miss. The rule is generic: no label is rewritten.
    """
    from keras_doctor import causes

    if label.startswith(OTHER) and label[len(OTHER):] in causes.CATALOG:
        return label[len(OTHER):]
    return label
BUCKETS = tuple((low / 10, (low + 1) / 10) for low in range(10))


def load(path: Path = HELDOUT_CASES) -> List[Dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_all() -> List[Dict]:
    """The reports of every pass, in order."""
    return [case for path in PASSES.values() for case in load(path)]


def tuning_repositories() -> set:
    repos = set()
    for case in load(TUNING_CASES):
        repo = split.repository(case["source_url"])
        if repo:
            repos.add(repo)
    return repos


@dataclass
class Scores:
    total: int = 0
    top1: int = 0
    top3: int = 0
    nothing: int = 0
    # (low, high) -> [answers shown with top-1 confidence in [low, high), of which right]
    reliability: Dict[Tuple[float, float], List[int]] = field(default_factory=dict)
    confusion: Counter = field(default_factory=Counter)  # (expected, top-1) -> count
    repositories: int = 0
    macos: int = 0

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def _bucket(confidence: float) -> Tuple[float, float]:
    index = min(int(confidence * 10), 9)
    return BUCKETS[max(index, 0)]


def score(cases: Optional[List[Dict]] = None) -> Scores:
    """Run `explain` on each report with no environment (the `--no-env` path) and tally."""
    from keras_doctor.explain import explain_text

    cases = load() if cases is None else cases
    scores = Scores(total=len(cases))
    scores.reliability = {bucket: [0, 0] for bucket in BUCKETS}
    for case in cases:
        findings = explain_text(case["text"]).findings
        expected = expected_cause(case["cause"])
        top = findings[0].cause if findings else NOTHING
        scores.confusion[(expected, top)] += 1
        if not findings:
            scores.nothing += 1
            continue
        right = top == expected
        scores.top1 += right
        scores.top3 += expected in [f.cause for f in findings[:3]]
        shown = findings[0].confidence if findings[0].confidence is not None else 0.0
        tally = scores.reliability[_bucket(shown)]
        tally[0] += 1
        tally[1] += right
    scores.repositories = len({case["repo"] for case in cases})
    scores.macos = sum(case["platform"] == "macos" for case in cases)
    return scores


def render(scores: Scores, confusion: bool = True, label: str = "held-out") -> str:
    lines = [
        f"{label} reports: {scores.total} from {scores.repositories} repositories "
        f"({scores.macos / scores.total:.0%} on macOS)" if scores.total else f"{label}: no reports",
        f"top-1             {scores.top1:4d} / {scores.total}  {scores.top1_rate:6.1%}",
        f"top-3             {scores.top3:4d} / {scores.total}  {scores.top3_rate:6.1%}",
        f"answered nothing  {scores.nothing:4d} / {scores.total}",
        "",
        "reliability of the top-1 confidence (answers shown in each bucket, observed accuracy):",
    ]
    for (low, high), (shown, right) in scores.reliability.items():
        if not shown:
            continue
        observed = right / shown
        gap = observed - (low + high) / 2
        lines.append(
            f"  {low:4.0%}-{high:4.0%}  shown {shown:4d}  right {right:4d}"
            f"  observed {observed:6.1%}  ({gap * 100:+5.1f} points from the bucket's middle)"
        )
    if confusion:
        lines += ["", "cause-level confusion (expected -> top-1: count), misses only:"]
        misses = [(pair, n) for pair, n in scores.confusion.items() if pair[0] != pair[1]]
        for (expected, got), count in sorted(misses, key=lambda item: (-item[1], item[0])):
            lines.append(f"  {expected} -> {got}: {count}")
        hits = Counter()
        for (expected, got), count in scores.confusion.items():
            if expected == got:
                hits[expected] += count
        lines += ["", "right at top-1, per cause:"]
        for cause, count in sorted(hits.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {cause}: {count}")
    return "\n".join(lines)


@dataclass
class EnvironmentScores:
    """The same reports scored twice: from the text alone, and with their stated environment."""

    total: int = 0
    text_top1: int = 0
    text_top3: int = 0
    env_top1: int = 0
    env_top3: int = 0


def load_facts_documents(cases: List[Dict], directory: Path = HELDOUT_FACTS) -> Dict[str, object]:
    """Facts for the held-out reports that have a document, keyed by report id."""
    from keras_doctor.facts.model import Facts

    documents = {}
    for case in cases:
        path = directory / f"{case['id']}.json"
        if path.is_file():
            documents[case["id"]] = Facts.from_dict(json.loads(path.read_text(encoding="utf-8")))
    return documents


def score_with_environment(cases: Optional[List[Dict]] = None) -> EnvironmentScores:
    """Top-1 and top-3 with and without the facts, on the reports that have facts.

    By default every pass's reports: a later pass's facts documents are scored beside the first's.
    """
    from keras_doctor.explain import explain_text

    cases = load_all() if cases is None else cases
    documents = load_facts_documents(cases)
    scores = EnvironmentScores()
    for case in cases:
        facts = documents.get(case["id"])
        if facts is None:
            continue
        scores.total += 1
        expected = expected_cause(case["cause"])
        text_only = [f.cause for f in explain_text(case["text"]).findings[:3]]
        with_env = [f.cause for f in explain_text(case["text"], facts).findings[:3]]
        scores.text_top1 += bool(text_only) and text_only[0] == expected
        scores.text_top3 += expected in text_only
        scores.env_top1 += bool(with_env) and with_env[0] == expected
        scores.env_top3 += expected in with_env
    return scores


def render_passes() -> str:
    """Each pass on its own, then all passes together, with the same aggregates."""
    blocks = []
    for name, path in PASSES.items():
        blocks.append(render(score(load(path)), label=f"held-out, {name},"))
    blocks.append(render(score(load_all()), label="held-out, all passes together,"))
    return "\n\n".join(blocks)


def render_with_environment(scores: EnvironmentScores) -> str:
    if not scores.total:
        return "with the environment: no held-out report has a facts document"
    n = scores.total

    def rate(hits: int) -> str:
        return f"{hits:4d} / {n}  {hits / n:6.1%}"

    return "\n".join([
        f"with the environment ({n} held-out reports whose threads state it; facts built from "
        "those statements):",
        f"  top-1  text only {rate(scores.text_top1)}   with facts {rate(scores.env_top1)}",
        f"  top-3  text only {rate(scores.text_top3)}   with facts {rate(scores.env_top3)}",
    ])
