"""Train explain's confidence model on the tuning corpus, never on held-out reports.

    python -m keras_doctor.explain.train_calibration [--repo DIR] [--out DIR]

Reads the tuning reports only — `tests/explain/corpus/cases.jsonl` of a checkout — never the
held-out ones. Signatures were written from many of these reports, so those are explained as if
they were new: without the signatures whose sources cite their own thread (the other reports, and
`mechanism_variants.json`, were tuned against and would only teach the model to trust memory).
For every candidate cause explain then proposes from the text alone, the example is its evidence
(`explain.calibrate.features`) and the label whether it is the report's confirmed cause. A
logistic regression (L2-regularised, plain gradient descent) fitted to these is written to
`knowledge/data/calibration.json`, with its 5-fold cross-validated reliability table (grouped by
report, so no report is scored by a model that saw it) and top-1 beside the hand-set scores'.
The model is shipped only when cross-validation shows it better calibrated than the hand scores
(explain keeps ranking by the hand-set evidence; the model sets the confidence shown).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from keras_doctor.explain import calibrate
from keras_doctor.knowledge import paths

Example = Tuple[List[float], int, str, int]  # features, label, report id, rank by hand scores
L2 = 0.05
STEPS = 3000
RATE = 0.1
BUCKETS = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


def tuning_reports(repo: Path) -> List[Dict[str, str]]:
    folder = repo / "tests" / "explain"
    reports = []
    with (folder / "corpus" / "cases.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                case = json.loads(line)
                reports.append({"id": case["id"], "text": case["text"], "cause": case["cause"],
                                "source": case["source_url"]})
    variants = json.loads((folder / "mechanism_variants.json").read_text(encoding="utf-8"))
    for cause, texts in variants.items():
        for number, text in enumerate(texts):
            reports.append({"id": f"variant-{cause}-{number}", "text": text, "cause": cause,
                            "source": ""})
    return reports


def cited_sources() -> set:
    from keras_doctor.explain import catalog

    return {source for signature in catalog.load().signatures for source in signature.sources}


def examples(reports: Sequence[Dict[str, str]]) -> List[Example]:
    from keras_doctor.explain.engine import hypotheses

    out: List[Example] = []
    for report in reports:
        # as if the report were new: without the signatures its own thread taught
        _, ranked = hypotheses(report["text"], without_sources=frozenset({report["source"]}) - {""})
        scores = [h.score for h in ranked]
        for rank, hyp in enumerate(ranked[:6]):
            label = int(hyp.cause == report["cause"])
            out.append((calibrate.features(hyp, rank, scores), label, report["id"], rank))
    return out


def fit(data: Sequence[Example]) -> List[float]:
    weights = [0.0] * len(calibrate.FEATURES)
    weights[1] = 1.0  # start from "the hand score is the probability"
    n = max(1, len(data))
    for _ in range(STEPS):
        gradient = [0.0] * len(weights)
        for values, label, _, _ in data:
            error = calibrate.probability(values, weights) - label
            for i, v in enumerate(values):
                gradient[i] += error * v / n
        for i in range(len(weights)):
            penalty = L2 * weights[i] / n if i else 0.0
            weights[i] -= RATE * (gradient[i] + penalty)
    return [round(w, 4) for w in weights]


def fold_of(report_id: str, folds: int = 5) -> int:
    return int(hashlib.sha1(report_id.encode()).hexdigest(), 16) % folds


def cross_validate(data: Sequence[Example], folds: int = 5) -> Dict[str, object]:
    """Out-of-fold probabilities; top-1 and reliability of the model vs the hand scores."""
    predicted: List[Tuple[float, float, int, str, int]] = []  # model p, hand p, label, id, rank
    for fold in range(folds):
        train = [e for e in data if fold_of(e[2], folds) != fold]
        weights = fit(train)
        for values, label, report_id, rank in data:
            if fold_of(report_id, folds) == fold:
                hand = 1 / (1 + math.exp(-values[1]))
                predicted.append((calibrate.probability(values, weights), hand, label, report_id,
                                  rank))
    return {
        "model": _summary([(p, label, rid) for p, _, label, rid, _ in predicted]),
        "hand": _summary([(h, label, rid) for _, h, label, rid, _ in predicted]),
    }


def _summary(rows: Sequence[Tuple[float, int, str]]) -> Dict[str, object]:
    """Top-1 (by the given probabilities) and the reliability table, per confidence bucket."""
    by_report: Dict[str, List[Tuple[float, int]]] = {}
    for p, label, rid in rows:
        by_report.setdefault(rid, []).append((p, label))
    top1 = sum(1 for c in by_report.values() if max(c)[1] == 1)
    table = []
    for low, high in BUCKETS:
        inside = [(p, label) for p, label, _ in rows if low <= p < high]
        if inside:
            table.append({"bucket": f"{low:.0%}-{min(high, 1):.0%}", "n": len(inside),
                          "mean_confidence": round(sum(p for p, _ in inside) / len(inside), 3),
                          "right": round(sum(label for _, label in inside) / len(inside), 3)})
    gap = max((abs(r["mean_confidence"] - r["right"]) for r in table  # type: ignore[operator]
               if r["n"] >= 10), default=0.0)  # type: ignore[operator]
    return {"reports": len(by_report), "top1": round(top1 / max(1, len(by_report)), 3),
            "reliability": table, "worst_gap_in_buckets_of_10_or_more": round(gap, 3)}


def _write(path: Path, document: Dict[str, object]) -> Path:
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    path.write_text(json.dumps({"generated_at": stamp, **document}, separators=(",", ":"))
                    + "\n", encoding="utf-8")
    return path


def _refresh_manifest(out: Path) -> None:
    """The knowledge manifest lists every data file by hash; its writer lives with the builders."""
    import subprocess

    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from keras_doctor.knowledge.build import write_manifest; "
                    "write_manifest(Path(sys.argv[1]))", str(out)], check=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_doctor.explain.train_calibration",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[3])
    parser.add_argument("--out", type=Path, default=paths.EMBEDDED_DIR)
    args = parser.parse_args(argv)
    previous = args.out / "calibration.json"
    if previous.exists():
        previous.unlink()  # the features must come from the hand scores, not an older model
        calibrate.model.cache_clear()
    cited = cited_sources()
    # Only reports a signature was learned from can be explained "as if new" (without those
    # signatures); the others were tuned against and would teach the model to trust memory.
    reports = [r for r in tuning_reports(args.repo) if r["source"] in cited]
    data = examples(reports)
    checked = cross_validate(data)
    model, hand = checked["model"], checked["hand"]
    assert isinstance(model, dict) and isinstance(hand, dict)
    # The hand-set evidence keeps ranking (explain orders by it); the model must say how sure to
    # be better than the hand scores do.
    ships = (model["worst_gap_in_buckets_of_10_or_more"]
             < hand["worst_gap_in_buckets_of_10_or_more"])
    print(json.dumps(checked, indent=1), file=sys.stderr)
    if not ships:
        print("the model does not beat the hand scores out of fold: not shipped", file=sys.stderr)
        return 1
    weights = fit(data)
    path = _write(args.out / "calibration.json", {
        "method": "logistic regression over explain.calibrate.FEATURES, L2 "
                  f"{L2}, {STEPS} gradient steps; trained on the tuning corpus only",
        "trained_on": {"reports": len({e[2] for e in data}), "candidates": len(data),
                       "sources": ["tests/explain/corpus/cases.jsonl",
                                   "tests/explain/mechanism_variants.json"]},
        "sources": ["tests/explain/corpus/cases.jsonl (tuning reports only), explained without "
                    "the signatures their own threads taught"],
        "cross_validated": checked,
        "features": list(calibrate.FEATURES),
        "weights": weights,
    })
    _refresh_manifest(args.out)
    print(f"wrote {path}: weights {weights}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
