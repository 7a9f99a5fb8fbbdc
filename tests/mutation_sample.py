"""Mutation score of the core logic on a reproducible sample of mutants (a developer tool).

    .venv/bin/python tests/mutation_sample.py --count 300 --seed 13 [--jobs 2]
    .venv/bin/python tests/mutation_sample.py --count 300 --seed 13 --only src/keras_doctor/apply

mutmut (configured in pyproject.toml: which modules, which tests) generates every mutant; running
all of them takes hours on a laptop, so this runs a stratified random sample: each mutated source
file contributes in proportion to its number of mutants, drawn with a fixed seed from the sorted
mutant names, so the same seed on the same code gives the same sample. It prints the score
(killed / sampled; a mutant no test covers counts as surviving) per file and in all, and the names
of the survivors, for `mutmut show NAME`. `--only PATH` runs and scores the part of that same
sample that falls in the given files or folders: the per-file figures are those a full run with the
same seed and count gives, in a fraction of the time (a larger --count samples those files more).
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^\s*(?P<name>[\w.]+__mutmut_\d+): (?P<status>.+)$")
KILLED = {"killed", "timeout", "segfault"}  # a test run that failed, hung or crashed: caught


def mutmut(*args: str) -> str:
    exe = Path(sys.executable).with_name("mutmut")
    proc = subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args[:2])} failed:\n{proc.stdout[-3000:]}"
                         f"{proc.stderr[-3000:]}")
    return proc.stdout


def statuses() -> Dict[str, str]:
    found = {}
    for line in mutmut("results", "--all", "true").splitlines():
        match = LINE.match(line)
        if match:
            found[match["name"]] = match["status"].strip()
    return found


def module_of(name: str) -> str:
    return name.split(".x_", 1)[0].split(".xǁ", 1)[0]


def module_prefix(path: str) -> str:
    """`src/keras_doctor/apply` or `src/keras_doctor/facts/model.py` → its dotted module name."""
    relative = Path(path).resolve().relative_to(ROOT / "src")
    return ".".join(relative.with_suffix("").parts if relative.suffix == ".py" else relative.parts)


def within(name: str, prefixes: List[str]) -> bool:
    module = module_of(name)
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def sample(names: List[str], count: int, seed: int) -> List[str]:
    by_module: Dict[str, List[str]] = defaultdict(list)
    for name in sorted(names):
        by_module[module_of(name)].append(name)
    rng = random.Random(seed)
    chosen: List[str] = []
    total = len(names)
    for module in sorted(by_module):
        group = by_module[module]
        share = max(1, round(count * len(group) / total))
        chosen.extend(rng.sample(group, min(share, len(group))))
    return sorted(chosen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="mutants to run (default 300)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--jobs", type=int, default=2, help="mutants run in parallel")
    parser.add_argument("--report-only", action="store_true",
                        help="score the sample from mutmut's saved results, without running")
    parser.add_argument("--only", nargs="+", metavar="PATH", default=[],
                        help="run and score only the sampled mutants of these source files or "
                             "folders (e.g. src/keras_doctor/apply)")
    args = parser.parse_args()
    try:
        prefixes = [module_prefix(path) for path in args.only]
    except ValueError:
        parser.error(f"--only takes paths under {ROOT / 'src'}: {' '.join(args.only)}")

    if not (ROOT / "mutants").exists():
        print("generating mutants and measuring which tests cover what (minutes, once)...",
              flush=True)
        subprocess.run([str(Path(sys.executable).with_name("mutmut")), "run",
                        "--max-children", str(args.jobs), "nothing-matches-this-name"],
                       cwd=ROOT, capture_output=True)
    everything = statuses()
    if not everything:
        raise SystemExit("mutmut reported no mutants: run `mutmut run` once and read its output")
    chosen = sample(list(everything), args.count, args.seed)
    print(f"{len(everything)} mutants generated; sampled {len(chosen)} (seed {args.seed})",
          flush=True)
    if prefixes:
        chosen = [name for name in chosen if within(name, prefixes)]
        if not chosen:
            raise SystemExit(f"no sampled mutant in {' '.join(args.only)}: is it in "
                             "[tool.mutmut] only_mutate, or is --count too small?")
        print(f"  of which {len(chosen)} in {' '.join(args.only)}", flush=True)
    if not args.report_only:
        for start in range(0, len(chosen), 50):  # keeps each command line short
            mutmut("run", "--max-children", str(args.jobs), *chosen[start:start + 50])
            print(f"  ran {min(start + 50, len(chosen))}/{len(chosen)}", flush=True)
    result = statuses()
    per_module: Dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for name in chosen:
        status = result.get(name, "not checked")
        caught = status in KILLED
        per_module[module_of(name)]["caught" if caught else "missed"] += 1
        if not caught:
            survivors.append(f"{name}: {status}")
    caught = sum(c["caught"] for c in per_module.values())
    for module, counts in sorted(per_module.items()):
        n = counts["caught"] + counts["missed"]
        print(f"  {module:55} {counts['caught']:4}/{n:<4} {100 * counts['caught'] / n:5.1f} %")
    print(f"mutation score: {caught}/{len(chosen)} = {100 * caught / len(chosen):.1f} %")
    if survivors:
        print("survivors (mutmut show NAME):")
        print("\n".join(f"  {s}" for s in survivors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
