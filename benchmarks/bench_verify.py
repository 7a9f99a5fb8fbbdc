"""What `keras-doctor verify` costs over a hand-written script that does the same work.

Both run on one real TensorFlow + Keras 3 virtualenv (tests/envs.py builds and caches it), in one
go, alternating round by round so a busy machine slows both alike:
  * the script: one `python -c` that imports numpy, tensorflow, keras and keras.applications, lists
    the devices and runs a small op on each, then builds VGG16, ResNet50 and MobileNetV2 with
    weights=None at 64x64 and runs a forward pass on random data — what verify does, without
    reporting;
  * `keras-doctor verify --json` from the project's virtualenv, pointed at the env with --python.
Both wall-clock and CPU time (user + system, of the process and everything it waited for) are
reported: on a shared machine the wall clock of a multi-second TensorFlow run swings by ±50%
from other load, while CPU time stays within a few percent, so the CPU ratio is the one asserted.
The goal is verify <= 1.2x the script; `--assert-ratio R` exits 1 when the CPU ratio exceeds R.

    python benchmarks/bench_verify.py [--repeat 5] [--assert-ratio 1.2]
"""

from __future__ import annotations  # noqa: I001 (common puts tests/ on sys.path for envs)

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from common import print_table

import envs

MODELS = ("VGG16", "ResNet50", "MobileNetV2")
SCRIPT = f"""\
import numpy as np
import tensorflow as tf
import keras
import keras.applications
for device in tf.config.list_physical_devices():
    with tf.device(device.name.replace("physical_device:", "")):
        tf.linalg.matmul(tf.ones((8, 8)), tf.ones((8, 8))).numpy()
for name in {MODELS!r}:
    model = getattr(keras.applications, name)(weights=None, input_shape=(64, 64, 3))
    batch = np.random.RandomState(0).rand(1, 64, 64, 3).astype("float32")
    keras.ops.convert_to_numpy(model(batch, training=False))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--assert-ratio", type=float, default=None)
    args = parser.parse_args()

    python = str(envs.venv_python(envs.venv("verify-healthy", [["tensorflow-cpu", "keras"]],
                                                compile_bytecode=True)))
    doctor = str(Path(sys.executable).with_name("keras-doctor"))
    home = Path(tempfile.mkdtemp(prefix="kd-bench-verify-"))
    env = dict(os.environ, HOME=str(home))
    commands = {
        "hand-written script": [python, "-c", SCRIPT],
        "keras-doctor verify": [doctor, "verify", "--python", python, "--json",
                                "--models", ",".join(MODELS)],
    }
    try:
        wall: Dict[str, List[float]] = {name: [] for name in commands}
        cpu: Dict[str, List[float]] = {name: [] for name in commands}
        for round_number in range(args.repeat + 1):  # round 0 warms the file cache
            for name, argv in commands.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      env=env)
                elapsed = time.perf_counter() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if proc.returncode != 0:
                    raise SystemExit(f"{name} failed ({proc.returncode}):\n"
                                     f"{proc.stderr.decode(errors='replace')[-2000:]}")
                if round_number:
                    wall[name].append(elapsed)
                    cpu[name].append(after.ru_utime - before.ru_utime
                                     + after.ru_stime - before.ru_stime)
        print(f"environment: {python}\n\nwall clock")
        wall_medians = print_table(list(wall.items()), baseline="hand-written script")
        print("\nCPU time (user + system)")
        cpu_medians = print_table(list(cpu.items()), baseline="hand-written script")
        for label, medians in (("wall", wall_medians), ("CPU", cpu_medians)):
            ratio = medians["keras-doctor verify"] / medians["hand-written script"]
            print(f"\nverify / script ({label}) = {ratio:.3f} "
                  f"(overhead {100 * (ratio - 1):+.1f}%)", end="")
        print()
        cpu_ratio = cpu_medians["keras-doctor verify"] / cpu_medians["hand-written script"]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.assert_ratio is not None and cpu_ratio > args.assert_ratio:
        print(f"FAIL: CPU ratio {cpu_ratio:.3f} > {args.assert_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
