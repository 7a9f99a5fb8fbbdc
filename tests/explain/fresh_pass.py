"""Score `explain` on the reports of one collection pass, at any commit, as it ships.

A collection pass adds reports that no knowledge was written from; scored before anything is tuned
on them, they give a second honest figure beside the held-out one. This script keeps that figure
reproducible after the reports start tuning: it reads the ids of a pass (one `id<TAB>platform`
line each: `corpus/<name>_pass.tsv` for `--pass <name>`, `corpus/third_pass.tsv` by default),
takes those reports from `corpus/cases.jsonl`, and runs text-only `explain` (the
`keras-doctor explain --no-env` path) on each, printing top-1, top-3, answered-nothing, the
reliability of the shown confidence and the cause-level misses.

    python tests/explain/fresh_pass.py                  # explain as it is in this checkout
    python tests/explain/fresh_pass.py --at 4436849     # explain as it was at that commit
    python tests/explain/fresh_pass.py --pass fourth --at 05b7c15   # the fourth pass's reports

`--at` exports that commit's `src/` with `git archive` into a temporary folder and scores with it,
while the reports and ids always come from this checkout - so the figure recorded for a pass can be
checked again after the pass has landed and explain has moved on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402
import split  # noqa: E402

PASSES = HERE / "corpus"
THIRD_PASS = PASSES / "third_pass.tsv"
REPOSITORY_ROOT = HERE.parent.parent


def pass_ids_file(name: str) -> Path:
    """The id list of the pass called `name` (`third`, `fourth`, ...): `corpus/<name>_pass.tsv`."""
    ids_file = PASSES / f"{name}_pass.tsv"
    if not ids_file.is_file():
        known = sorted(path.name.removesuffix("_pass.tsv") for path in PASSES.glob("*_pass.tsv"))
        raise SystemExit(f"no pass called {name!r}: {ids_file} does not exist "
                         f"(passes: {', '.join(known) or 'none'})")
    return ids_file


def pass_cases(ids_file: Path) -> List[Dict]:
    """The pass's reports from the corpus, with the repository and platform the scorer tallies."""
    platforms = {}
    for line in ids_file.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, platform = line.split("\t")
            platforms[case_id] = platform
    by_id = {case["id"]: case for case in corpus.load()}
    missing = sorted(set(platforms) - set(by_id))
    if missing:
        raise SystemExit(f"ids not in {corpus.CASES.name}: {', '.join(missing)}")
    cases = []
    for case_id, platform in platforms.items():
        case = dict(by_id[case_id])
        case["repo"] = split.repository(case["source_url"]) or case["source_url"].split("/")[2]
        case["platform"] = platform
        cases.append(case)
    return cases


def report(ids_file: Path) -> str:
    import heldout_score

    cases = pass_cases(ids_file)
    scores = heldout_score.score(cases)
    import keras_doctor.explain

    where = Path(keras_doctor.explain.__file__).resolve().parents[2]
    lines = heldout_score.render(scores).splitlines()
    lines[0] = (f"{ids_file.name}: {scores.total} reports from {scores.repositories} sources "
                f"({scores.macos / scores.total:.0%} on macOS), explain from {where}")
    return "\n".join(lines)


def _export_source(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPOSITORY_ROOT), "archive", commit, "src"],
                             check=True, capture_output=True).stdout
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(into)
    return into / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="?", type=Path, default=None,
                        help="the pass's id<TAB>platform list (default: corpus/third_pass.tsv)")
    parser.add_argument("--pass", dest="pass_name", metavar="NAME",
                        help="score the pass listed in corpus/NAME_pass.tsv (e.g. fourth)")
    parser.add_argument("--at", metavar="COMMIT", help="score explain as it was at this commit")
    args = parser.parse_args()
    if args.ids is not None and args.pass_name is not None:
        parser.error("give either an ids file or --pass, not both")
    if args.ids is None:
        args.ids = pass_ids_file(args.pass_name) if args.pass_name else THIRD_PASS
    if args.at is None:
        print(report(args.ids))
        return 0
    with tempfile.TemporaryDirectory(prefix="fresh-pass-") as folder:
        source = _export_source(args.at, Path(folder))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(source)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        print(f"explain at {args.at}")
        sys.stdout.flush()
        command = [sys.executable, str(Path(__file__).resolve()), str(args.ids.resolve())]
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
