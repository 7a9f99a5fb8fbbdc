"""Mutation score of the core logic on a reproducible sample of mutants (a developer tool).

    .venv/bin/python tests/mutation_sample.py --count 300 --seed 13 [--jobs 2]
    .venv/bin/python tests/mutation_sample.py --count 300 --seed 13 --only src/keras_doctor/apply
    .venv/bin/python tests/mutation_sample.py --count 300 --seed 13 --whole

mutmut (configured in pyproject.toml: which modules, which tests) generates every mutant; running
all of them takes hours on a laptop, so this runs a stratified random sample: each mutated source
file contributes in proportion to its number of mutants, drawn with a fixed seed from the sorted
mutant names, so the same seed on the same code gives the same sample. It prints the score
(killed / sampled; a mutant no test covers counts as surviving) per file and in all, and the names
of the survivors, for `mutmut show NAME`. `--only PATH` runs and scores the part of that same
sample that falls in the given files or folders: the per-file figures are those a full run with the
same seed and count gives, in a fraction of the time (a larger --count samples those files more).

`--whole` also measures the whole suite: mutmut judges a mutant by the fast suite only, so each
sampled mutant the fast suite misses is run again against the slow tests that call the mutated
function. Which slow tests call which function is measured once by running the slow tests on the
instrumented copy (mutmut's own "stats" mode, minutes with a warm environment cache) and kept in
`mutants/`. Many slow tests reach keras-doctor only in a process of their own (the command line end
to end, `fix` interrupted and rolled back, copies of this checkout installed elsewhere): a one-line
`.pth` startup hook (tests/mutation_children.py; put into this interpreter's site-packages, inert
outside these runs) makes such a process run the instrumented copy, so the mutant under test is
switched on there too, and record the functions it calls under the test that started it. A slow
test that fails without any mutant is never used as a judge. To keep it affordable each mutant
gets the quickest of those tests that fit in `--slow-budget` seconds, so the whole-suite score is
a lower bound; the run says how many mutants were judged only through processes the slow tests
start. `--slow-tests` narrows the slow tests (to develop with; the score then counts only theirs).
The fast and whole-suite scores are printed side by side.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import mutation_children as children  # beside this file

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


def function_of(name: str) -> str:
    """The mutated function as mutmut's trampoline records it: `module.x_func`, `module.xǁC·m`."""
    return name.rsplit("__mutmut_", 1)[0]


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


SLOW_CALLS = ROOT / "mutants" / "slow-tests-by-function.json"
WHOLE_RESULTS = ROOT / "mutants" / "whole-suite-results.json"

# Run inside mutants/: the instrumented copy of src/ comes first on sys.path, for the tests.
_PYTEST_IN_MUTANTS = """
import json, os, sys
sys.path.insert(0, "src")
import pytest
args, record = json.loads(sys.argv[1]), sys.argv[2]
plugins = []
if record:
    from mutmut.mutation.trampoline import set_mutant_under_test
    from mutmut.state import state

    # mutmut records this process's calls; a process a test starts records its own into the file
    # the calls variable names (tests/mutation_children.py), one file per test. mutmut's recording
    # there would look for a mutmut configuration in that process's folder and fail, so the
    # children do not inherit the "stats" mutant: the startup hook records instead.
    set_mutant_under_test("stats")
    del os.environ["MUTANT_UNDER_TEST"]
    calls, passed, seconds, children = {}, set(), {}, {}
    folder = os.environ.pop("KERAS_DOCTOR_MUTATION_CALLS_DIR")

    class SlowCalls:
        def pytest_runtest_protocol(self, item, nextitem):
            children[item.nodeid] = os.path.join(folder, f"{len(children)}.calls")
            os.environ["KERAS_DOCTOR_MUTATION_CALLS"] = children[item.nodeid]

        def pytest_runtest_logreport(self, report):
            seconds[report.nodeid] = seconds.get(report.nodeid, 0.0) + report.duration
            if report.when == "call" and report.passed:
                passed.add(report.nodeid)

        def pytest_runtest_teardown(self, item, nextitem):
            for function in state()._stats:
                calls.setdefault(function, []).append(item.nodeid)
            state()._stats.clear()

    plugins.append(SlowCalls())
code = pytest.main(args, plugins=plugins)
if record:
    os.environ.pop("KERAS_DOCTOR_MUTATION_CALLS", None)
    in_children = {}
    for test, path in children.items():
        if os.path.exists(path):
            for function in sorted(set(open(path).read().split())):
                in_children.setdefault(function, []).append(test)
    with open(record, "w") as fh:
        json.dump({"calls": calls, "child_calls": in_children, "passed": sorted(passed),
                   "seconds": seconds}, fh)
sys.exit(int(code))
"""


def slow_pytest_args(selection: Sequence[str] = ()) -> List[str]:
    """mutmut's pytest options (pyproject) with the slow tests selected instead of the fast
    (`selection`: test files or node ids to narrow them to, or none for all)."""
    import tomllib  # Python 3.11+, which mutmut itself needs

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    args = list(config.get("pytest_add_cli_args", []))
    if "-m" in args:
        del args[args.index("-m"):args.index("-m") + 2]
    return ["--rootdir=.", "--tb=line", "-m", "slow", *args, *selection]


def children_environment(mutant: str) -> Dict[str, str]:
    """The test run's environment: the mutant, and what makes the Python processes its tests
    start run the instrumented copy too (tests/mutation_children.py; the startup line is put into
    this interpreter's site-packages, where it does nothing without these variables)."""
    import sysconfig

    children.install_pth(sysconfig.get_paths()["purelib"])
    return dict(os.environ, MUTANT_UNDER_TEST=mutant,
                **{children.HOOK: str(Path(children.__file__).resolve()),
                   children.MUTANTS_SRC: str(ROOT / "mutants" / "src"),
                   children.CHECKOUT_SRC: str(ROOT / "src")})


def run_in_mutants(args: List[str], mutant: str, record: str = "",
                   timeout: Optional[float] = None) -> int:
    env = children_environment(mutant)
    with tempfile.TemporaryDirectory(prefix="child-calls-", dir=ROOT / "mutants") as folder:
        env["KERAS_DOCTOR_MUTATION_CALLS_DIR"] = folder
        try:
            proc = subprocess.run([sys.executable, "-c", _PYTEST_IN_MUTANTS, json.dumps(args),
                                   record], cwd=ROOT / "mutants", env=env, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return -1
    return proc.returncode


def slow_calls(selection: Sequence[str] = ()) -> Dict[str, Dict]:
    """{"calls": {mutated function: the slow tests that call it, in their own process or in one
    they start, and pass without a mutant, quickest first}, "in_process": the same from the test
    process alone, "seconds": {test: its time without a mutant}}, measured once (per
    `selection`)."""
    path = slow_calls_file(selection)
    if not path.exists():
        print("measuring which slow tests call which function (once; minutes with a warm "
              "environment cache)...", flush=True)
        started = time.monotonic()
        raw = path.with_suffix(".raw.json")
        run_in_mutants(slow_pytest_args(selection), "stats", record=str(raw))
        if not raw.exists():
            raise SystemExit("the slow tests did not run on the instrumented copy; run "
                             "`pytest -m slow` inside mutants/ to see why")
        data = json.loads(raw.read_text())
        passed = set(data["passed"])
        seconds = data["seconds"]

        def passing(by_function: Dict[str, List[str]]) -> Dict[str, List[str]]:
            found = {function: sorted(set(tests) & passed, key=lambda t: (seconds[t], t))
                     for function, tests in by_function.items()}
            return {function: tests for function, tests in found.items() if tests}

        in_process = passing(data["calls"])
        merged = defaultdict(list, {function: list(tests) for function, tests in
                                    data["calls"].items()})
        for function, tests in data["child_calls"].items():
            merged[function].extend(tests)
        path.write_text(json.dumps({"calls": passing(merged), "in_process": in_process,
                                    "seconds": seconds}, indent=1, sort_keys=True))
        raw.unlink()
        print(f"  {len(passed)} slow tests passed, in {time.monotonic() - started:.0f} s; "
              f"{len(data['child_calls'])} functions ran in processes they started",
              flush=True)
    return json.loads(path.read_text())


def slow_calls_file(selection: Sequence[str]) -> Path:
    if not selection:
        return SLOW_CALLS
    digest = hashlib.sha256("\0".join(selection).encode()).hexdigest()[:12]
    return SLOW_CALLS.with_name(f"{SLOW_CALLS.stem}-{digest}.json")


def within_budget(tests: List[str], seconds: Dict[str, float], budget: float) -> List[str]:
    """The quickest of `tests` (they come sorted by their time without a mutant) that fit in
    `budget` seconds; always at least one."""
    chosen: List[str] = []
    spent = 0.0
    for test in tests:
        if chosen and spent + seconds[test] > budget:
            break
        chosen.append(test)
        spent += seconds[test]
    return chosen


def whole_suite(missed: List[str], jobs: int, budget: float,
                selection: Sequence[str] = ()) -> Dict[str, str]:
    """{mutant: "killed" | "timeout" | "survived" | "no slow test"} for mutants the fast suite
    missed, judged by the slow tests that call the mutated function (in their process or one they
    start), quickest first, as many as fit in `budget` seconds of their normal time (saved, so
    reruns resume). A run that takes five times its tests' normal time (and at least a minute) is
    a hang, caught, as mutmut counts it."""
    recorded = slow_calls(selection)
    calls, in_process, seconds = recorded["calls"], recorded["in_process"], recorded["seconds"]
    results = whole_results_file(selection)
    done: Dict[str, str] = json.loads(results.read_text()) if results.exists() else {}

    def judge(name: str) -> str:
        tests = within_budget(calls.get(function_of(name), []), seconds, budget)
        if not tests:
            return "no slow test"
        normal = sum(seconds[test] for test in tests)
        code = run_in_mutants(["-x", "-q", *slow_pytest_args(), *tests], name,
                              timeout=max(60.0, 5 * normal + 30))
        return "timeout" if code == -1 else "survived" if code in (0, 5) else "killed"

    todo = [name for name in missed if name not in done]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for count, (name, verdict) in enumerate(zip(todo, pool.map(judge, todo)), 1):
            done[name] = verdict
            results.write_text(json.dumps(done, indent=1, sort_keys=True))
            print(f"  slow tests on {count}/{len(todo)}: {name}: {verdict}", flush=True)
    through_children = [name for name in missed if function_of(name) in calls
                        and function_of(name) not in in_process]
    caught = [name for name in through_children if done[name] in {"killed", "timeout"}]
    print(f"judged only through processes the slow tests start: {len(through_children)} of the "
          f"{len(missed)} mutants the fast suite missed ({len(caught)} caught)", flush=True)
    return {name: done[name] for name in missed}


def whole_results_file(selection: Sequence[str]) -> Path:
    return WHOLE_RESULTS.with_name(slow_calls_file(selection).name.replace(
        SLOW_CALLS.stem, WHOLE_RESULTS.stem))


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
    parser.add_argument("--whole", action="store_true",
                        help="also run the slow tests that call the mutated function on every "
                             "sampled mutant the fast suite misses, and print both scores")
    parser.add_argument("--slow-budget", type=float, default=120, metavar="SECONDS",
                        help="with --whole: per mutant, the quickest slow tests that call it, as "
                             "many as take this long without a mutant (default 120)")
    parser.add_argument("--slow-tests", nargs="+", metavar="TEST", default=[],
                        help="with --whole: only these slow test files or node ids (to develop "
                             "with; the whole-suite score then counts only what they catch)")
    parser.add_argument("--reuse-fast", action="store_true",
                        help="with --whole: score the fast suite from mutmut's saved results "
                             "instead of running the sample again")
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
    if not args.report_only and not args.reuse_fast:
        for start in range(0, len(chosen), 50):  # keeps each command line short
            mutmut("run", "--max-children", str(args.jobs), *chosen[start:start + 50])
            print(f"  ran {min(start + 50, len(chosen))}/{len(chosen)}", flush=True)
    result = statuses()
    fast = {name: result.get(name, "not checked") for name in chosen}
    missed = [name for name in chosen if fast[name] not in KILLED]
    slow = (whole_suite(missed, args.jobs, args.slow_budget, args.slow_tests)
            if args.whole and not args.report_only else {})
    saved_results = whole_results_file(args.slow_tests)
    if args.whole and args.report_only and saved_results.exists():
        saved = json.loads(saved_results.read_text())
        slow = {name: saved[name] for name in missed if name in saved}
    per_module: Dict[str, Counter] = defaultdict(Counter)
    for name in chosen:
        counts = per_module[module_of(name)]
        counts["sampled"] += 1
        counts["fast"] += fast[name] in KILLED
        counts["whole"] += fast[name] in KILLED or slow.get(name) in {"killed", "timeout"}
    total = Counter()
    for counts in per_module.values():
        total.update(counts)
    whole = bool(slow) or args.whole
    print(f"  {'module':55} {'fast suite':>16}" + (f" {'whole suite':>16}" if whole else ""))
    for module, counts in sorted(per_module.items()):
        print(f"  {module:55} {score(counts['fast'], counts['sampled'])}"
              + (f" {score(counts['whole'], counts['sampled'])}" if whole else ""))
    print(f"mutation score, fast suite: {total['fast']}/{total['sampled']} = "
          f"{100 * total['fast'] / total['sampled']:.1f} %")
    if whole:
        print(f"mutation score, whole suite: {total['whole']}/{total['sampled']} = "
              f"{100 * total['whole'] / total['sampled']:.1f} %"
              + (f" (slow tests judging: only {' '.join(args.slow_tests)})"
                 if args.slow_tests else ""))
    if missed:
        print("survivors (mutmut show NAME):")
        for name in missed:
            verdict = f"; slow tests: {slow[name]}" if name in slow else ""
            print(f"  {name}: {fast[name]}{verdict}")
    return 0


def score(caught: int, sampled: int) -> str:
    return f"{caught:4}/{sampled:<4} {100 * caught / sampled:5.1f} %"


if __name__ == "__main__":
    raise SystemExit(main())
