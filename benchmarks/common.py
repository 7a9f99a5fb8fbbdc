"""Shared benchmark helpers: time whole commands as a user runs them; report medians and ratios.

Each command runs once to warm the file cache, then `repeat` times; the median is reported, because
one slow run on a shared machine says nothing about the tool.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import envs  # noqa: E402  (the test suite's cached real environments, re-exported)

__all__ = ["REPO", "envs", "median_ms", "print_table", "time_command"]


def time_command(argv: Sequence[str], repeat: int, env: Optional[Dict[str, str]] = None,
                 cwd: Optional[str] = None, ok_codes=(0, 1)) -> List[float]:
    run_env = dict(os.environ)
    run_env.update(env or {})
    times = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        proc = subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=run_env, cwd=cwd)
        elapsed = time.perf_counter() - start
        if proc.returncode not in ok_codes:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n"
                             f"{proc.stderr.decode(errors='replace')[-2000:]}")
        if i:
            times.append(elapsed)
    return times


def median_ms(times: List[float]) -> float:
    return statistics.median(times) * 1000


def print_table(rows: List[tuple], baseline: str) -> Dict[str, float]:
    medians = {name: median_ms(times) for name, times in rows}
    base = medians[baseline]
    width = max(len(name) for name, _ in rows)
    print(f"{'command':<{width}}  {'median':>9}  {'min':>9}  {'vs ' + baseline:>16}")
    for name, times in rows:
        print(f"{name:<{width}}  {medians[name]:>7.1f}ms  {min(times) * 1000:>7.1f}ms  "
              f"{medians[name] / base:>15.2f}x")
    return medians
