"""How long `keras-doctor check --json` takes next to its peers, measured in one run on one env.

The environment is a real TensorFlow 2.21 + Keras 3 virtualenv (tests/envs.py builds and caches it).
keras-doctor is measured two ways, both as users run it:
  * from its own virtualenv, pointed at the environment with `--python` (the probe costs one extra
    interpreter start), and
  * installed inside the environment itself.
Peers: `pip check`, `uv pip check`, and `python -c "import tensorflow"` (what forum advice runs),
plus a yardstick: floor_scan.py, the least a static check that imports packaging can do.
Every side runs with its bytecode compiled, as pip leaves an install.
The goal is check <= 0.35x pip check; `--assert-ratio R` exits 1 when the in-env ratio exceeds R.

    python benchmarks/bench_check.py [--repeat 15] [--assert-ratio 0.35]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, envs, print_table, time_command


def compiled(env: Path) -> None:
    """Bytecode for every module of the environment, as `pip install` writes it: new files in the
    copy's own folders, the hard-linked sources untouched. Some packages ship files no Python 3
    compiles (templates, old tests), so a failure to compile one is not an error."""
    python = str(envs.venv_python(env))
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0",
                    str(envs.find_site_packages(env))], stdout=subprocess.DEVNULL, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--assert-ratio", type=float, default=None)
    parser.add_argument("--skip-import", action="store_true", help="do not time import tensorflow")
    args = parser.parse_args()

    env_dir = envs.venv("healthy-tf", [["tensorflow-cpu==2.21.0"], ["pip"]])
    py = str(envs.venv_python(env_dir))
    uv = envs.uv_executable()
    work = Path(tempfile.mkdtemp(prefix="kd-bench-"))
    try:
        doctor_env = work / "doctor"
        subprocess.run([uv, "venv", "-q", "--python", py, str(doctor_env)], check=True)
        subprocess.run([uv, "pip", "install", "-q", "--compile-bytecode", "--python",
                        str(doctor_env / "bin" / "python"), str(REPO)], check=True)
        inside = envs.copy_tree(env_dir, work / "tf-with-doctor")
        subprocess.run([uv, "pip", "install", "-q", "--compile-bytecode", "--no-deps", "--python",
                        str(inside / "bin" / "python"), str(REPO)], check=True)
        # the peers run in a private copy compiled as pip leaves an install (the cached
        # environment is built by uv, which writes no bytecode, and a shell may forbid writing it)
        target = envs.copy_tree(env_dir, work / "tf")
        for env in (target, inside):
            compiled(env)
        py = str(envs.venv_python(target))
        counts = subprocess.run([py, "-c", "import sys, pathlib; p = pathlib.Path(sys.argv[1]);"
                                 "print(len(list(p.glob('*.dist-info'))),"
                                 "len([f for f in p.rglob('*.so*')]))",
                                 str(envs.find_site_packages(env_dir))],
                                capture_output=True, text=True, check=True).stdout.split()
        print(f"environment: {env_dir} ({counts[0]} distributions, {counts[1]} native binaries)")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
              f"{args.repeat} runs each after one warm-up\n")
        home = work / "home"
        home.mkdir()
        run_env = {"HOME": str(home)}
        rows = [
            ("keras-doctor check --json (in env)",
             time_command([str(inside / "bin" / "python"), "-m", "keras_doctor", "check", "--json"],
                          args.repeat, run_env, cwd=str(work))),
            ("keras-doctor check --json --python",
             time_command([str(doctor_env / "bin" / "keras-doctor"), "check", "--json",
                           "--python", py], args.repeat, run_env, cwd=str(work))),
            ("floor: packaging + reading the files",
             time_command([py, str(REPO / "benchmarks" / "floor_scan.py"),
                           str(envs.find_site_packages(target))], args.repeat, run_env)),
            ("pip check", time_command([py, "-m", "pip", "check"], args.repeat, run_env)),
            ("uv pip check", time_command([uv, "pip", "check", "--python", py], args.repeat,
                                          run_env)),
        ]
        if not args.skip_import:
            rows.append(("python -c 'import tensorflow'",
                         time_command([py, "-c", "import tensorflow"], max(3, args.repeat // 5),
                                      {**run_env, "TF_CPP_MIN_LOG_LEVEL": "3"})))
        print()
        medians = print_table(rows, "pip check")
        ratio = medians["keras-doctor check --json (in env)"] / medians["pip check"]
        floor = medians["floor: packaging + reading the files"] / medians["pip check"]
        print(f"\ncheck (in env) / pip check = {ratio:.2f}  (goal <= 0.35; the floor of any "
              f"tool that imports packaging and reads these files is {floor:.2f} here)")
        if args.assert_ratio is not None and ratio > args.assert_ratio:
            print(f"FAIL: ratio {ratio:.2f} > {args.assert_ratio}")
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
