"""How right and how fast `keras-doctor explain` is: held-out accuracy, calibration, and timing.

    python benchmarks/bench_explain.py [--runs 15] [--no-timing] [--no-accuracy] [--tuning]

Accuracy is measured on the held-out reports only (tests/explain/heldout/: repositories that no
tuning report and no signature cites, split by the rule fixed in tests/explain/split.py), with the
text alone, as `keras-doctor explain --no-env` sees it. It prints top-1, top-3, answered-nothing, a
reliability table (the top answer's shown confidence against how often such answers are right) and
cause-level confusion counts - aggregates only, never a report, so printing them does not leak the
held-out part into the knowledge. It prints them for each pass of held-out reports on its own (the
second pass was collected after the first pass's aggregates had guided tuning, so it shows whether
that tuning generalised) and for all passes together.

`--tuning` adds the tuning corpus measured the same way held-out reports are met: its reports
grouped by repository into five folds, each fold explained without every signature that cites any
of its repositories and ranked by a ranker fitted on the other folds
(`keras_doctor.explain.train_ranker.evaluate`), with the reliability table of the confidence shown:
on the tuning reports, and with twins of them whose cause the catalog lacks (as some unseen
reports have) at `train_ranker.UNKNOWN_CAUSE_SHARE`. A strict line also leaves out, with a fold,
the signatures first met in its threads (`seen_in`: their wording is the file that prints the
message, but the cause they point to may have been settled there): a lower bound on the figure.

The timing target is < 0.15 s for `keras-doctor explain FILE --no-env` (process start to exit) on a
typical traceback; the 5 MB log shows the cost of the bounded clean-up. Prints medians.

Like an installed package (pip and uv compile bytecode at install), the runs use cached bytecode:
PYTHONDONTWRITEBYTECODE is dropped for them, so a machine that sets it globally does not measure
the compiler instead of keras-doctor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXPLAIN_TESTS = Path(__file__).resolve().parent.parent / "tests" / "explain"
CORPUS = EXPLAIN_TESTS / "corpus" / "cases.jsonl"
TYPICAL = "tf-90245-numpy2-windows"  # a 10-frame Windows traceback with the NumPy 2 banner
TARGET_SECONDS = 0.15


def typical_traceback() -> str:
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == TYPICAL:
            return case["text"]
    raise SystemExit(f"corpus case {TYPICAL} not found")


def time_cli(path: Path, runs: int) -> list:
    argv = [sys.executable, "-m", "keras_doctor", "explain", str(path), "--no-env", "--json"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, capture_output=True, check=False, env=env)  # warm caches, write bytecode
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-timing", action="store_true", help="only the held-out accuracy")
    parser.add_argument("--no-accuracy", action="store_true", help="only the timing")
    parser.add_argument("--tuning", action="store_true",
                        help="also the tuning corpus, leave-repository-out")
    args = parser.parse_args()
    if args.tuning:
        print(tuning_out_of_repository())
        print()
        print(tuning_with_facts())
        print()
    if not args.no_accuracy:
        print(heldout_accuracy())
    if not args.no_timing:
        if not args.no_accuracy:
            print()
        timing(args.runs)
    return 0


def heldout_accuracy() -> str:
    sys.path.insert(0, str(EXPLAIN_TESTS))
    import heldout_score

    return (heldout_score.render_passes() + "\n\n"
            + heldout_score.render_with_environment(heldout_score.score_with_environment()))


def tuning_out_of_repository() -> str:
    """The tuning corpus scored the way held-out reports are met: each fold of repositories
    explained without the signatures its repositories taught, ranked by a ranker (and shown at
    a confidence mapped) fitted on the other folds - what explain shows, not the hand order."""
    from keras_doctor.explain import train_ranker

    recognised_kind = train_ranker.KINDS[0]
    repo = EXPLAIN_TESTS.parent.parent
    data = train_ranker.examples(repo)
    total = len(train_ranker.tc.tuning_reports(repo))
    share = train_ranker.UNKNOWN_CAUSE_SHARE
    checked = train_ranker.evaluate(data, total, unknown_share=share)
    shown, hand = checked["ranker"], checked["hand"]
    simulated = checked["with_unknown_causes"]
    lines = [
        f"tuning reports, leave-repository-out ({train_ranker.tc.FOLDS} folds): {total} from "
        f"{len({e.group for e in data})} repositories",
        f"top-1             {shown['top1']:6.1%}   (hand order alone {hand['top1']:6.1%})",
        f"top-3             {shown['top3']:6.1%}   (hand order alone {hand['top3']:6.1%})",
        f"answered nothing  {shown['answered_nothing']:4d} / {total}",
    ]
    # the signatures first met in a fold's threads (`seen_in`) stay in above: their wording
    # cites the file that prints it; which cause they point to may owe something to those threads
    loose = train_ranker.tc.out_of_repository_accuracy(repo)
    strict = train_ranker.tc.out_of_repository_accuracy(repo, counting_seen_in=True)
    lines.append("hand order with the signatures first met in the fold's threads left out too "
                 f"(a lower bound): top-1 {strict['top1'] / total:6.1%} (else "
                 f"{loose['top1'] / total:.1%}), top-3 {strict['top3'] / total:6.1%} (else "
                 f"{loose['top3'] / total:.1%}), answered nothing {strict['answered_nothing']}")
    lines.append("reliability of the top answer's shown confidence (out of fold):")
    for row in shown["reliability_of_top_answer"]:
        lines.append(f"  shown {row['bucket']:>8}  n={row['n']:3d}  mean shown "
                     f"{row['mean_confidence']:5.1%}  right {row['right']:5.1%}")
    lines.append(f"worst gap in buckets of {train_ranker.tc.MIN_BUCKET} or more: "
                 f"{shown['worst_gap_in_buckets_of_10_or_more']:.1%}   Brier of the top answer "
                 f"{shown['brier_of_top_answer']:.4f}")
    lines.append(f"the same with each report's twin whose cause the catalog lacks, at {share:.0%} "
                 "of reports (as unseen reports come):")
    for row in simulated["reliability_of_top_answer"]:
        lines.append(f"  shown {row['bucket']:>8}  n={row['n']:5.1f}  mean shown "
                     f"{row['mean_confidence']:5.1%}  right {row['right']:5.1%}")
    lines.append(f"worst gap in buckets of {train_ranker.tc.MIN_BUCKET} or more: "
                 f"{simulated['worst_gap_in_buckets_of_10_or_more']:.1%}   Brier of the top "
                 f"answer {simulated['brier_of_top_answer']:.4f}")
    lines.append("by the kind of top answer (a guess on a familiar error - one a signature left "
                 "out with its fold recognises - happens only in cross-validation):")
    for kind, figures in checked["by_kind"].items():
        lines.append(f"  {kind}: {figures['reports']} reports, top-1 {figures['top1']:.1%}, "
                     f"Brier of the top answer {figures['brier_of_top_answer']:.4f}")
        for row in figures["reliability_of_top_answer"]:
            lines.append(f"    shown {row['bucket']:>8}  n={row['n']:3d}  mean shown "
                         f"{row['mean_confidence']:5.1%}  right {row['right']:5.1%}")
    unseen = checked["as_unseen_reports_meet_it"]
    lines.append("as unseen reports meet it (recognised answers, guesses on novel errors, the "
                 f"twins at {share:.0%}):")
    for row in unseen["reliability_of_top_answer"]:
        lines.append(f"  shown {row['bucket']:>8}  n={row['n']:5.1f}  mean shown "
                     f"{row['mean_confidence']:5.1%}  right {row['right']:5.1%}")
    lines.append(f"worst gap in buckets of {train_ranker.tc.MIN_BUCKET} or more: "
                 f"{unseen['worst_gap_in_buckets_of_10_or_more']:.1%}   Brier of the top answer "
                 f"{unseen['brier_of_top_answer']:.4f}")
    stepped = checked["recognised_by_steps"]
    lines.append("the same, a recognised top answer shown through the step map over its hand "
                 "score instead of the logistic model over its evidence:")
    for row in stepped["as_unseen_reports_meet_it"]["reliability_of_top_answer"]:
        lines.append(f"  shown {row['bucket']:>8}  n={row['n']:5.1f}  mean shown "
                     f"{row['mean_confidence']:5.1%}  right {row['right']:5.1%}")
    for name, figures in (("recognised top answers", stepped["by_kind"][recognised_kind]),
                          ("as unseen reports meet it", stepped["as_unseen_reports_meet_it"])):
        lines.append(f"  {name}: worst gap in buckets of {train_ranker.tc.MIN_BUCKET} or more "
                     f"{figures['worst_gap_in_buckets_of_10_or_more']:.1%}, Brier of the top "
                     f"answer {figures['brier_of_top_answer']:.4f}")
    fresh = train_ranker.fresh_answers(repo)
    if fresh:
        chosen, mixed = train_ranker.fresh_choice(fresh, checked["answers"])
        lines.append(f"how the top answer is met on new reports, chosen by repository over the "
                     f"tuning answers and the passes' ({mixed['answers']} answers, "
                     f"{mixed['repositories']} repositories): {mixed['chosen']}"
                     + (f" at shrink {mixed['chosen_shrink']:g}" if mixed["chosen_shrink"]
                        is not None else "")
                     + "; Brier of the top answer (worst gap in buckets of "
                     f"{train_ranker.tc.MIN_BUCKET} or more) as shown "
                     f"{mixed['as_shown']['brier_of_top_answer']:.4f} "
                     f"({mixed['as_shown']['worst_gap_in_buckets_of_10_or_more']:.1%}), through "
                     f"the monotone map {mixed['mapped']['brier_of_top_answer']:.4f} "
                     f"({mixed['mapped']['worst_gap_in_buckets_of_10_or_more']:.1%}), corrected "
                     "per kind at each shrink "
                     + ", ".join(f"{k} {v['brier_of_top_answer']:.4f} "
                                 f"({v['worst_gap_in_buckets_of_10_or_more']:.1%})"
                                 for k, v in mixed["corrected"].items()))
        for name in ("as_shown", "mapped"):
            lines.append(f"  {name.replace('_', ' ')}, out of repository:")
            for row in mixed[name]["reliability_of_top_answer"]:
                lines.append(f"    shown {row['bucket']:>8}  n={row['n']:3d}  mean shown "
                             f"{row['mean_confidence']:5.1%}  right {row['right']:5.1%}")
        passes = train_ranker.fresh_cross_validated(fresh, str(chosen["method"]),
                                                    float(chosen.get("shrink", 6.0)))
        lines.append(f"collection passes met before any tuning on them ({passes['answers']} "
                     f"answers, {passes['repositories']} repositories), the top answer as the "
                     f"maps gave it then, and met as chosen ({passes['method']}, fitted on the "
                     "other repositories' pass answers):")
        for name in ("as_shown", "corrected"):
            figures = passes[name]
            lines.append(f"  {name.replace('_', ' ')}: worst gap in buckets of "
                         f"{train_ranker.tc.MIN_BUCKET} or more "
                         f"{figures['worst_gap_in_buckets_of_10_or_more']:.1%}, Brier of the top "
                         f"answer {figures['brier_of_top_answer']:.4f}")
            for row in figures["reliability_of_top_answer"]:
                lines.append(f"    shown {row['bucket']:>8}  n={row['n']:3d}  mean shown "
                             f"{row['mean_confidence']:5.1%}  right {row['right']:5.1%}")
    return "\n".join(lines)


def tuning_with_facts() -> str:
    """The tuning reports whose threads state their environment (`corpus/environments.jsonl`),
    explained from the text alone and with facts built from those statements
    (`tests/explain/tuning_facts.py`, the same kind of facts as the held-out reports' documents),
    each without the signatures its fold of repositories taught. The ranker is the shipped one,
    which was trained on these reports too: the signatures left out are what makes the text
    alone miss here."""
    sys.path.insert(0, str(EXPLAIN_TESTS))
    import tuning_facts

    counts = {"text_top1": 0, "facts_top1": 0, "text_top3": 0, "facts_top3": 0, "changed": 0}
    n = 0
    for _, report, text_all, facts_all in tuning_facts.answers_with_and_without_facts(
            EXPLAIN_TESTS.parent.parent):
        n += 1
        text_only, with_facts = text_all[:3], facts_all[:3]
        counts["text_top1"] += text_only[:1] == [report["cause"]]
        counts["facts_top1"] += with_facts[:1] == [report["cause"]]
        counts["text_top3"] += report["cause"] in text_only
        counts["facts_top3"] += report["cause"] in with_facts
        counts["changed"] += text_only[:1] != with_facts[:1]
    return "\n".join([
        f"with the environment ({n} tuning reports whose threads state it; facts built from "
        "those statements; leave-repository-out signatures):",
        f"  top-1  text only {counts['text_top1']:4d} / {n}   with facts "
        f"{counts['facts_top1']:4d} / {n}",
        f"  top-3  text only {counts['text_top3']:4d} / {n}   with facts "
        f"{counts['facts_top3']:4d} / {n}",
        f"  top answer changed by the facts: {counts['changed']}",
    ])


def timing(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        typical = Path(tmp, "error.txt")
        typical.write_text(typical_traceback(), encoding="utf-8")
        cli = statistics.median(time_cli(typical, runs))
        noise = "epoch 3/100 - 12s - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.6931\n"
        big = Path(tmp, "big.log")
        big.write_text(noise * (5_000_000 // len(noise)) + typical_traceback(), encoding="utf-8")
        big_cli = statistics.median(time_cli(big, max(3, runs // 3)))
    baseline = statistics.median(_python_start(runs))
    print(f"python start-up                      {baseline * 1000:7.1f} ms")
    print(f"explain --no-env, typical traceback  {cli * 1000:7.1f} ms   (target < "
          f"{TARGET_SECONDS * 1000:.0f} ms: {'ok' if cli < TARGET_SECONDS else 'SLOW'})")
    print(f"explain --no-env, 5 MB log           {big_cli * 1000:7.1f} ms")


def _python_start(runs: int) -> list:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=False)
        times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    sys.exit(main())
