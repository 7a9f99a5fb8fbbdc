"""How much `keras-doctor fix` planning costs on top of the resolution it cannot avoid.

The budget: planning (resolution included) within 1.5x of `uv pip compile` alone for the same
requirement set on the same machine. Both are timed alternately, several rounds, medians compared.
Also shown: the whole dry run (facts + checks + plan), which is what a user waits for.

    python benchmarks/bench_plan.py                  # a real venv with numpy 2 forced onto TF 2.15
    python benchmarks/bench_plan.py --python PATH --rounds 7
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGET = 1.5


def default_python() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import envs

    env = envs.venv("bench-numpy2-tf215",
                    [["tensorflow-cpu==2.15.1"], ["--no-deps", "numpy==2.1.3"]])
    return str(envs.venv_python(env))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="the environment to plan for (default: a broken TF 2.15)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from keras_doctor.checks.registry import run_checks
    from keras_doctor.facts.collect import collect_python
    from keras_doctor.knowledge import load
    from keras_doctor.plan.build import build_plan
    from keras_doctor.plan.installers import find_uv
    from keras_doctor.plan.resolve import uv_compile_argv

    python = args.python or default_python()
    facts = collect_python(python)
    report = run_checks(facts, load)
    uv = find_uv()
    if uv is None:
        print("uv is not installed: the budget is defined against uv pip compile", file=sys.stderr)
        return 2

    plan_times, uv_times, dry_run_times = [], [], []
    plan = None
    for round_number in range(args.rounds + 1):  # round 0 warms the caches and is not counted
        started = time.perf_counter()
        plan = build_plan(facts, report, knowledge=load())
        plan_times.append(time.perf_counter() - started)

        argv = uv_compile_argv(uv, plan.target.platform, plan.target.python_version)
        started = time.perf_counter()
        subprocess.run(argv, input="\n".join(plan.requirements) + "\n", text=True,
                       capture_output=True, check=True)
        uv_times.append(time.perf_counter() - started)

        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "keras_doctor", "fix", "--python", python, "--json"],
                       capture_output=True)
        dry_run_times.append(time.perf_counter() - started)
        if round_number == 0:
            plan_times, uv_times, dry_run_times = [], [], []

    assert plan is not None
    plan_s, uv_s = statistics.median(plan_times), statistics.median(uv_times)
    ratio = plan_s / uv_s
    print(f"environment:        {python}")
    print(f"requirement set:    {' '.join(plan.requirements)} -> {len(plan.resolved)} pins")
    print(f"steps planned:      {len(plan.steps)} ({plan.status.value})")
    print(f"uv pip compile:     {uv_s:.3f} s (median of {args.rounds})")
    print(f"plan (resolution):  {plan_s:.3f} s")
    print(f"fix dry run (CLI):  {statistics.median(dry_run_times):.3f} s (facts + checks + plan)")
    print(f"ratio plan / uv:    {ratio:.2f}x (budget {BUDGET}x) -> "
          f"{'within budget' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
