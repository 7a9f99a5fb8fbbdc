"""How fast `keras-doctor explain` answers: the whole CLI on a typical traceback, and a 5 MB log.

    python benchmarks/bench_explain.py [--runs 15]

The target is < 0.15 s for `keras-doctor explain FILE --no-env` (process start to exit) on a
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

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "explain" / "corpus" / "cases.jsonl"
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        typical = Path(tmp, "error.txt")
        typical.write_text(typical_traceback(), encoding="utf-8")
        cli = statistics.median(time_cli(typical, args.runs))
        noise = "epoch 3/100 - 12s - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.6931\n"
        big = Path(tmp, "big.log")
        big.write_text(noise * (5_000_000 // len(noise)) + typical_traceback(), encoding="utf-8")
        big_cli = statistics.median(time_cli(big, max(3, args.runs // 3)))
    baseline = statistics.median(_python_start(args.runs))
    print(f"python start-up                      {baseline * 1000:7.1f} ms")
    print(f"explain --no-env, typical traceback  {cli * 1000:7.1f} ms   (target < "
          f"{TARGET_SECONDS * 1000:.0f} ms: {'ok' if cli < TARGET_SECONDS else 'SLOW'})")
    print(f"explain --no-env, 5 MB log           {big_cli * 1000:7.1f} ms")
    return 0


def _python_start(runs: int) -> list:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=False)
        times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    sys.exit(main())
