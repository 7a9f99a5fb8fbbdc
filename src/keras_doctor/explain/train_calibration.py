"""Train explain's confidence model on the tuning corpus, never on held-out reports.

    python -m keras_doctor.explain.train_calibration [--repo DIR] [--out DIR] [--report-only]

Reads the tuning reports only — `tests/explain/corpus/cases.jsonl` of a checkout — never the
held-out ones. Held-out reports come from repositories no signature was written from, so the
tuning reports are explained the same way: they are grouped by repository
(`tests/explain/split.py`'s `repository`) into five folds, and each fold's reports are explained
without every signature whose sources cite *any* thread of *any* repository in that fold (not just
the report's own thread: reports from one repository are near copies of each other, and a model
that sees a sibling thread's signature learns to trust memory). For every candidate cause explain
then proposes from the text alone, the example is its evidence (`explain.calibrate.features`) and
the label whether it is the report's confirmed cause.

The model is a logistic regression (L2-regularised, fitted by Newton's method) followed by a
monotone step map (isotonic regression, pooled-adjacent-violators, each step shrunk toward the
overall rate) from its score to the observed rate. Cross-validation holds out one fold of
repositories at a time (model and map fitted on the other four), and prints the reliability of the
top answer's shown confidence in 10-point buckets — what a user sees — beside the hand scores' and
the previously shipped model's, plus top-1/top-3/answered-nothing. The model ships only when its
cross-validated reliability beats both; of the logistic model and the mapped hand score, the
logistic model is the candidate only when it beats the mapped hand score on both the worst
bucket gap and the Brier score (either alone moves with the noise of a few hundred reports from
one retraining to the next); otherwise the mapped hand score is (explain keeps ranking by the
hand-set evidence; the model sets the confidence shown).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from keras_doctor.explain import calibrate
from keras_doctor.knowledge import paths

# features, label, report id, rank by hand scores, fold
Example = Tuple[List[float], int, str, int, int]
L2 = 1.0
NEWTON_STEPS = 25
SHRINK = 6.0  # pseudo-candidates at the overall rate added to every isotonic step
FOLDS = 5
BUCKETS = tuple((low / 10, (low + 1) / 10) for low in range(10))
MIN_BUCKET = 10  # a bucket's gap counts once it holds this many answers


def split_module(repo: Path) -> ModuleType:
    """`tests/explain/split.py` of the checkout: the one rule that says which repository a report
    comes from."""
    path = repo / "tests" / "explain" / "split.py"
    spec = importlib.util.spec_from_file_location("explain_split", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tuning_reports(repo: Path) -> List[Dict[str, str]]:
    """The real tuning reports (`mechanism_variants.json` holds wordings the signatures were
    written to match, which say nothing about unseen errors)."""
    reports = []
    with (repo / "tests" / "explain" / "corpus" / "cases.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                case = json.loads(line)
                reports.append({"id": case["id"], "text": case["text"], "cause": case["cause"],
                                "source": case["source_url"]})
    return reports


def group_of(source: str, split: ModuleType) -> str:
    """A report's repository; a thread outside GitHub is its own group."""
    return str(split.repository(source) or source)


_THREAD = re.compile(r"https?://github\.com/[^/]+/[^/]+/(?:issues|pull|discussions)/\d+")


def is_thread(source: str) -> bool:
    """Whether a signature source is a report thread (an issue, pull request or discussion).
    A repository's code, release notes or setup.py cited for a message's wording is a document,
    not a report: leaving a fold's repositories out does not remove what cites their code."""
    return bool(_THREAD.match(source)) or not source.startswith("https://github.com/")


def fold_of(group: str, folds: int = FOLDS) -> int:
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % folds


def signature_sources() -> List[str]:
    from keras_doctor.explain import catalog

    return sorted({source for sig in catalog.load().signatures for source in sig.sources})


def signature_threads_seen_in() -> List[str]:
    """The report threads signatures were first met in (`seen_in`), not learnt from."""
    from keras_doctor.explain import catalog

    return sorted({thread for sig in catalog.load().signatures for thread in sig.seen_in})


def explained_out_of_repository(
    reports: Sequence[Dict[str, str]], split: ModuleType, folds: int = FOLDS,
    counting_seen_in: bool = False,
) -> List[Tuple[Dict[str, str], int, list]]:
    """(report, fold, ranked hypotheses) with each fold's reports explained without the
    signatures that cite any repository of that fold. `counting_seen_in` also leaves out the
    signatures first met in a thread of the fold (`seen_in`): their wording is the file that
    prints the message, so an unseen report meets them, but which cause they point to may have
    been settled on those threads - the strict figure bounds how much that flatters."""
    from keras_doctor.explain.engine import hypotheses

    sources = signature_sources()
    seen = signature_threads_seen_in() if counting_seen_in else []
    out = []
    for fold in range(folds):
        inside = [r for r in reports if fold_of(group_of(r["source"], split), folds) == fold]
        groups = {group_of(r["source"], split) for r in inside}
        without = frozenset(s for s in sources
                            if is_thread(s) and group_of(s, split) in groups)
        without_seen = frozenset(s for s in seen if group_of(s, split) in groups)
        for report in inside:
            _, ranked = hypotheses(report["text"], without_sources=without,
                                   without_seen_in=without_seen)
            out.append((report, fold, ranked))
    return out


def examples(explained: Sequence[Tuple[Dict[str, str], int, list]]) -> List[Example]:
    out: List[Example] = []
    for report, fold, ranked in explained:
        scores = [h.score for h in ranked]
        for rank, hyp in enumerate(ranked[:6]):
            label = int(hyp.cause == report["cause"])
            out.append((calibrate.features(hyp, rank, scores), label, report["id"], rank, fold))
    return out


def out_of_repository_accuracy(repo: Path, counting_seen_in: bool = False) -> Dict[str, Any]:
    """Top-1, top-3 and answered-nothing of the hand order on the tuning corpus, each fold of
    repositories explained without the signatures its repositories taught (and, with
    `counting_seen_in`, those first met in its threads): the tuning corpus measured the way
    held-out reports are met (aggregates only)."""
    split = split_module(repo)
    reports = tuning_reports(repo)
    explained = explained_out_of_repository(reports, split, counting_seen_in=counting_seen_in)
    ranked_causes = [([h.cause for h in ranked], r["cause"]) for r, _, ranked in explained]
    return {
        "reports": len(reports),
        "repositories": len({group_of(r["source"], split) for r in reports}),
        "top1": sum(1 for causes, cause in ranked_causes if causes[:1] == [cause]),
        "top3": sum(1 for causes, cause in ranked_causes if cause in causes[:3]),
        "answered_nothing": sum(1 for causes, _ in ranked_causes if not causes),
    }


# -- fitting ---------------------------------------------------------------------------------------

def fit(data: Sequence[Example]) -> List[float]:
    """L2-regularised logistic regression (bias unpenalised) by Newton's method."""
    return fit_weighted([(values, label, 1.0) for values, label, *_ in data])


def fit_weighted(data: Sequence[Tuple[Sequence[float], int, float]], l2: float = L2,
                 size: Optional[int] = None) -> List[float]:
    """The same over (features, label, weight) rows of `size` features (the first the bias)."""
    size = size or (len(data[0][0]) if data else len(calibrate.FEATURES))
    weights = [0.0] * size
    for _ in range(NEWTON_STEPS):
        gradient = [l2 * w if i else 0.0 for i, w in enumerate(weights)]
        hessian = [[(l2 if i == j and i else 0.0) for j in range(size)] for i in range(size)]
        for values, label, weight in data:
            p = calibrate.probability(values, weights)
            curvature = max(p * (1 - p), 1e-9) * weight
            for i, vi in enumerate(values):
                gradient[i] += (p - label) * vi * weight
                row = hessian[i]
                for j, vj in enumerate(values):
                    row[j] += curvature * vi * vj
        step = _solve(hessian, gradient)
        weights = [w - s for w, s in zip(weights, step)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return [round(w, 4) for w in weights]


def _solve(matrix: List[List[float]], vector: List[float]) -> List[float]:
    """Gaussian elimination with partial pivoting (the system is small and positive definite)."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            a[col][col] = 1e-12
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def isotonic(pairs: Sequence[Sequence[float]], shrink: float = SHRINK,
             min_weight: float = 0.0) -> List[List[float]]:
    """Monotone steps [upper score, rate] by pooled adjacent violators over (score, label) or
    (score, label, weight); each step's rate is shrunk toward the overall rate of these pairs
    by SHRINK pseudo-candidates, so a step of three candidates never claims 0 % or 100 %.
    A step holding less than `min_weight` is pooled with its neighbour: with few answers, PAV's
    steps follow chance more than the score."""
    weighted = [(float(p[0]), float(p[1]), float(p[2]) if len(p) > 2 else 1.0) for p in pairs
                if len(p) < 3 or float(p[2]) > 0]
    if not weighted:
        return []
    overall = sum(label * w for _, label, w in weighted) / sum(w for _, _, w in weighted)
    blocks: List[List[float]] = []  # [upper, positives, count]
    for p, label, weight in sorted(weighted):
        if blocks and blocks[-1][0] == p:  # one score, one rate: ties are never split by label
            blocks[-1][1] += label * weight
            blocks[-1][2] += weight
        else:
            blocks.append([p, label * weight, weight])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            upper, positives, count = blocks.pop()
            blocks[-1] = [upper, blocks[-1][1] + positives, blocks[-1][2] + count]
    while len(blocks) > 1 and min(b[2] for b in blocks) < min_weight:
        i = min(range(len(blocks)), key=lambda k: blocks[k][2])
        j = i + 1 if i + 1 < len(blocks) else i - 1  # pooled into the next step (the last: back)
        low, high = sorted((i, j))
        blocks[low:high + 1] = [[blocks[high][0], blocks[low][1] + blocks[high][1],
                                 blocks[low][2] + blocks[high][2]]]
    # rounded to what is shown, never to a certainty either way
    steps = [[round(upper, 4),
              min(0.999, max(0.001, round((positives + shrink * overall) / (count + shrink), 3)))]
             for upper, positives, count in blocks]
    steps[-1][0] = 1.0
    for previous, step in zip(steps, steps[1:]):  # shrinking unequal steps must not undo order
        step[1] = max(step[1], previous[1])
    return steps


Steps = Dict[str, List[List[float]]]


def crossfit_isotonic(pairs: Sequence[Sequence[float]], shrink: float = SHRINK,
                      min_weight: float = 0.0) -> List[List[float]]:
    """An isotonic map over (score, label, weight, fold) whose steps promise only what they
    proved worth on folds they were not fitted on. PAV picks the steps that separate its own
    answers best, so its extreme steps promise more than new reports give. Each fold's answers
    are mapped by the map fitted on the other folds; a weighted least-squares line from those
    out-of-fold confidences to how often they were right (its slope between 0, the steps tell
    nothing, and 1, they transfer as fitted) pulls every step of the map fitted on all folds
    toward the overall rate by as much as the steps failed to transfer. One slope, not a second
    map, so the correction does not overfit in turn."""
    folds = sorted({int(p[3]) for p in pairs})
    plain = isotonic([p[:3] for p in pairs], shrink, min_weight)
    if len(folds) < 2:
        return plain
    mapped_out_of_fold = []
    for fold in folds:
        steps = isotonic([p[:3] for p in pairs if int(p[3]) != fold], shrink, min_weight)
        mapped_out_of_fold += [(calibrate.mapped(float(p[0]), steps), float(p[1]), float(p[2]))
                               for p in pairs if int(p[3]) == fold]
    total = sum(w for _, _, w in mapped_out_of_fold)
    mean_x = sum(x * w for x, _, w in mapped_out_of_fold) / total
    mean_y = sum(y * w for _, y, w in mapped_out_of_fold) / total
    spread = sum(w * (x - mean_x) ** 2 for x, _, w in mapped_out_of_fold)
    slope = (sum(w * (x - mean_x) * (y - mean_y) for x, y, w in mapped_out_of_fold) / spread
             if spread > 1e-12 else 0.0)
    slope = min(1.0, max(0.0, slope))
    return [[upper, round(min(0.99, max(0.01, mean_y + slope * (rate - mean_x))), 3)]
            for upper, rate in plain]


# Each step of the map from the top answer's shown confidence to how often it was right holds at
# least this many answers: the map corrects how sure whole ranges of answers look, not which few
# answers of one range were wrong.
RECALIBRATION_STEP = 25.0


def recalibration(pairs: Sequence[Tuple[float, float]]) -> List[List[float]]:
    """A monotone step map (isotonic, each step of at least RECALIBRATION_STEP answers, shrunk
    by SHRINK toward the overall rate) from the top answer's shown confidence to how often
    answers so shown were right: fitted on top answers met out of repository, it turns a
    confidence the maps promise into what such answers delivered on reports of repositories
    the knowledge was not written from (`ranker.met_fresh` reads it)."""
    return isotonic([(float(p), float(right)) for p, right in pairs], SHRINK,
                    RECALIBRATION_STEP)


IDENTITY = [0.0, 1.0] + [0.0] * (len(calibrate.FEATURES) - 2)  # the hand score itself


def train(data: Sequence[Example], learned: bool = True) -> Tuple[List[float], Steps]:
    """The score (the logistic model, or the hand score itself when not `learned`), and one step
    map for the top answer and one for the runners-up (the top answer is what the confidence
    shown is judged by, and its rate differs from the others')."""
    weights = fit(data) if learned else list(IDENTITY)
    scored = [(calibrate.probability(v, weights), label, rank) for v, label, _, rank, _ in data]
    return weights, {
        "first": isotonic([(p, label) for p, label, rank in scored if rank == 0]),
        "rest": isotonic([(p, label) for p, label, rank in scored if rank > 0]),
    }


# -- measuring -------------------------------------------------------------------------------------

Shown = Dict[str, List[Tuple[float, int]]]


def shown(data: Sequence[Example], confidence: Callable[[Example], float]) -> Shown:
    """Per report, (confidence shown, right?) in rank order, a later never above an earlier."""
    by_report: Dict[str, List[Tuple[int, float, int]]] = {}
    for example in data:
        by_report.setdefault(example[2], []).append((example[3], confidence(example), example[1]))
    out = {}
    for report_id, rows in by_report.items():
        ordered, ceiling = [], 1.0
        for _, p, label in sorted(rows):
            ceiling = min(ceiling, min(0.99, p))
            ordered.append((ceiling, label))
        out[report_id] = ordered
    return out


def summary(per_report: Shown, reports: int) -> Dict[str, Any]:
    """Top-1, top-3, answered-nothing and the reliability of the top answer's shown confidence,
    as the benchmark measures them (a report with no candidate counts as answered nothing)."""
    top1 = sum(1 for rows in per_report.values() if rows and rows[0][1])
    top3 = sum(1 for rows in per_report.values() if any(label for _, label in rows[:3]))
    table: List[Dict[str, Any]] = []
    for low, high in BUCKETS:
        inside = [rows[0] for rows in per_report.values()
                  if rows and low <= rows[0][0] < high + (0.01 if high == 1 else 0)]
        if inside:
            table.append({"bucket": f"{low:.0%}-{high:.0%}", "n": len(inside),
                          "mean_confidence": round(sum(p for p, _ in inside) / len(inside), 3),
                          "right": round(sum(label for _, label in inside) / len(inside), 3)})
    gaps = [abs(float(r["mean_confidence"]) - float(r["right"]))
            for r in table if int(r["n"]) >= MIN_BUCKET]
    squared = [(p - label) ** 2 for rows in per_report.values() for p, label in rows[:1]]
    return {"reports": reports, "top1": round(top1 / max(1, reports), 3),
            "top3": round(top3 / max(1, reports), 3),
            "answered_nothing": reports - len([r for r in per_report.values() if r]),
            "reliability_of_top_answer": table,
            "worst_gap_in_buckets_of_10_or_more": round(max(gaps, default=0.0), 3),
            "brier_of_top_answer": round(sum(squared) / max(1, len(squared)), 4)}


def weighted_reliability(per_report: Dict[str, List[Tuple[float, int, float]]]
                         ) -> Dict[str, Any]:
    """The reliability table of the top answer's shown confidence, each report counted at its
    weight (rows of (shown, right?, weight))."""
    table: List[Dict[str, Any]] = []
    tops = [rows[0] for rows in per_report.values() if rows]
    for low, high in BUCKETS:
        inside = [t for t in tops if low <= t[0] < high + (0.01 if high == 1 else 0)]
        weight = sum(w for _, _, w in inside)
        if inside:
            table.append({"bucket": f"{low:.0%}-{high:.0%}", "n": round(weight, 1),
                          "mean_confidence": round(sum(p * w for p, _, w in inside) / weight, 3),
                          "right": round(sum(r * w for _, r, w in inside) / weight, 3)})
    gaps = [abs(float(r["mean_confidence"]) - float(r["right"]))
            for r in table if float(r["n"]) >= MIN_BUCKET]
    total = sum(w for _, _, w in tops)
    squared = sum(w * (p - right) ** 2 for p, right, w in tops)
    return {"reliability_of_top_answer": table,
            "worst_gap_in_buckets_of_10_or_more": round(max(gaps, default=0.0), 3),
            "brier_of_top_answer": round(squared / max(1e-9, total), 4)}


def cross_validate(data: Sequence[Example], reports: int,
                   previous: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Leave-repository-fold-out: each fold scored by maps (and a model) fitted on the others.
    "model" is the logistic model with its maps, "mapped_hand" the hand score with its maps,
    "hand" the raw hand score, "previous" the model shipped before."""

    def held_out_by(learned: bool) -> Callable[[Example], float]:
        fitted = {fold: train([e for e in data if e[4] != fold], learned) for fold in range(FOLDS)}

        def confidence(example: Example) -> float:
            weights, steps = fitted[example[4]]
            p = calibrate.probability(example[0], weights)
            return calibrate.mapped(p, steps["first" if example[3] == 0 else "rest"])

        return confidence

    def hand(example: Example) -> float:
        return 1 / (1 + math.exp(-example[0][1]))

    out: Dict[str, Any] = {"model": summary(shown(data, held_out_by(True)), reports),
           "mapped_hand": summary(shown(data, held_out_by(False)), reports),
           "hand": summary(shown(data, hand), reports)}
    # A previous model trained by this recipe was fitted on these very reports: scoring it on
    # them would judge it on its training data (the recipe's cross-validation above is its fair
    # figure). One trained another way is scored as it stands.
    if (previous and tuple(previous.get("features", ())) == calibrate.FEATURES
            and not previous.get("isotonic")):
        old_weights = previous["weights"]
        old_steps = previous.get("isotonic") or {}

        def old(example: Example) -> float:
            p = calibrate.probability(example[0], old_weights)
            steps = old_steps.get("first" if example[3] == 0 else "rest")
            return calibrate.mapped(p, steps) if steps else p

        out["previous"] = summary(shown(data, old), reports)
    return out


def _better(new: Dict[str, Any], old: Dict[str, Any]) -> bool:
    return (float(new["worst_gap_in_buckets_of_10_or_more"])
            < float(old["worst_gap_in_buckets_of_10_or_more"])
            and float(new["brier_of_top_answer"])
            <= float(old["brier_of_top_answer"]))


def _write(path: Path, document: Dict[str, Any]) -> Path:
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
    parser.add_argument("--report-only", action="store_true",
                        help="print the cross-validated figures; write nothing")
    args = parser.parse_args(argv)
    target = args.out / "calibration.json"
    try:
        previous = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    # the features come from the hand scores, which the shipped model does not touch
    split = split_module(args.repo)
    reports = tuning_reports(args.repo)
    data = examples(explained_out_of_repository(reports, split))
    checked = cross_validate(data, len(reports), previous)
    print(json.dumps(checked, indent=1), file=sys.stderr)
    if args.report_only:
        return 0
    # the logistic model if it beats the mapped hand score on the gap and on Brier (else the
    # simpler mapped hand score), if that beats the raw (and a differently trained shipped)
    # scores on both too
    learned = _better(checked["model"], checked["mapped_hand"])
    chosen = checked["model" if learned else "mapped_hand"]
    rivals = [checked[name] for name in ("hand", "previous") if name in checked]
    if not all(_better(chosen, rival) for rival in rivals):
        print("no candidate is better calibrated out of repository: not shipped", file=sys.stderr)
        return 1
    weights, steps = train(data, learned)
    path = _write(target, {
        "method": ("logistic regression over explain.calibrate.FEATURES (L2 "
                   f"{L2}, Newton's method)" if learned else
                   "the hand score (the logistic model cross-validated worse)")
        + f", then isotonic step maps (top answer, others) shrunk by {SHRINK} pseudo-candidates "
          "toward their overall rate; trained on the tuning corpus only",
        "trained_on": {"reports": len(reports), "candidates": len(data),
                       "repositories": len({group_of(r["source"], split) for r in reports}),
                       "sources": ["tests/explain/corpus/cases.jsonl"]},
        "sources": ["tests/explain/corpus/cases.jsonl (tuning reports only), each fold of "
                    "repositories explained without the signatures any of its repositories "
                    "taught"],
        "cross_validated": {"protocol": f"{FOLDS} folds grouped by repository", **checked},
        "features": list(calibrate.FEATURES),
        "weights": weights,
        "isotonic": steps,
    })
    _refresh_manifest(args.out)
    print(f"wrote {path}: weights {weights}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
