"""Record how explain, as it was at one commit, answered the reports of a collection pass.

A collection pass's reports were met by explain before anything was tuned on them: how often the
top answer it showed at each confidence was right there is how its confidence holds on reports
its knowledge was not written from - unlike the leave-repository-out simulation, which removes the
signatures a fold's threads taught but not the resolve steps, the message atlas's map or the
ranker's features, all written with the whole tuning corpus in view. The ranker's training
(`keras_doctor.explain.train_ranker`) reads this record to correct its confidence maps by kind of
answer; the record keeps, per report, only what that needs: the kind of the top answer (a
recognised message, one whose cause has look-alikes, or a guess on an error no knowledge
recognised), the confidence shown (and, as "uncorrected", the confidence before the correction by
earlier passes that the commit shipped, which a new correction is fitted to), and whether it was
right.

    cd tests/explain && python fresh_answers.py --pass NAME --at COMMIT \
        > corpus/NAME_pass_answers.jsonl

each pass with the commit that met it before any tuning on it (corpus/README.md tells each):
third 4436849 (the default pass), fourth 05b7c15, fifth 31833f1, sixth ba6759e, seventh 16fd9a3,
eighth 1925ff7, ninth 334b884, tenth and eleventh 0318e2c, twelfth 24cf7ac, thirteenth and
fourteenth 9b92929, fifteenth a258e82, sixteenth and seventeenth 15dee11, eighteenth to twentieth
382cac5, twenty-first 7688797, twenty-second and twenty-third 684d9e2 (collected as their round
ended, met by its last answers), twenty-fourth and twenty-fifth c40d13d, twenty-sixth and
twenty-seventh 1462fae (collected as their round ended), twenty-eighth and twenty-ninth
8ce723b, thirtieth and thirty-first 0f77d9a (collected as their round's rules ended),
thirty-second and thirty-third e8381d6, thirty-fourth and thirty-fifth a82ed40, thirty-sixth
to thirty-ninth 61b9b39, fortieth and forty-first 508ff09, forty-second and forty-third
1b132e8 (collected as their round's rules ended).

`--at` exports that commit's `src/` (as `fresh_pass.py --at` does) and answers with it; the
reports and ids come from this checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fresh_pass  # noqa: E402


def kind_of(ranked: list, top: str) -> str:
    """The kind of a top answer, as `train_ranker.fresh_kind` names it at inference."""
    from keras_doctor.explain import lookalike, ranker

    if not ranker.recognised(ranked):
        return "guessed"
    return "look-alike" if lookalike.LOOK_ALIKES.get(top) else "recognised"


def uncorrected_top(text: str) -> float:
    """The top answer's confidence as the maps fitted out of repository gave it, before the
    correction by earlier passes (`ranker.met_fresh`, where that commit has it): what a new
    correction or recalibration is fitted to and judged on."""
    from keras_doctor.explain import ranker
    from keras_doctor.explain.engine import explain

    corrected = getattr(ranker, "met_fresh", None)
    if corrected is None:
        findings = explain(text).findings
    else:
        ranker.met_fresh = lambda confidence, *_: confidence  # type: ignore[attr-defined]
        try:
            findings = explain(text).findings
        finally:
            ranker.met_fresh = corrected  # type: ignore[attr-defined]
    return round(findings[0].confidence, 3) if findings else 0.0


def answers(ids_file: Path) -> List[Dict]:
    from keras_doctor.explain.engine import explain, hypotheses

    out = []
    for case in fresh_pass.pass_cases(ids_file):
        findings = explain(case["text"]).findings
        if not findings:
            continue  # answered nothing: no confidence was shown
        _, ranked = hypotheses(case["text"])
        top = findings[0]
        out.append({"id": case["id"], "repository": case["repo"],
                    "kind": kind_of(ranked, top.cause), "shown": round(top.confidence, 3),
                    "uncorrected": uncorrected_top(case["text"]),
                    "right": int(top.cause == case["cause"])})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("ids", nargs="?", type=Path, default=None,
                        help="the pass's id<TAB>platform list (default: corpus/third_pass.tsv)")
    parser.add_argument("--pass", dest="pass_name", metavar="NAME",
                        help="the pass listed in corpus/NAME_pass.tsv (e.g. fourth)")
    parser.add_argument("--at", metavar="COMMIT",
                        help="answer with explain as it was at this commit")
    args = parser.parse_args()
    if args.ids is not None and args.pass_name is not None:
        parser.error("give either an ids file or --pass, not both")
    if args.ids is None:
        args.ids = (fresh_pass.pass_ids_file(args.pass_name) if args.pass_name
                    else fresh_pass.THIRD_PASS)
    if args.at is None:
        for row in answers(args.ids):
            print(json.dumps(row, separators=(",", ":")))
        return 0
    with tempfile.TemporaryDirectory(prefix="fresh-answers-") as folder:
        source = fresh_pass._export_source(args.at, Path(folder))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(source)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        command = [sys.executable, str(Path(__file__).resolve()), str(args.ids.resolve())]
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
