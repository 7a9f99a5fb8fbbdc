"""`keras-doctor verify`: prove an environment works by running it, in a process of its own."""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from keras_doctor.cli.helpformat import HelpFormatter

EXAMPLES = """\
examples:
  keras-doctor verify                              the environment check would examine
  keras-doctor verify --python ./venv/bin/python --models ResNet50,EfficientNetB0
  keras-doctor verify --weights                    also load cached ImageNet weights
  keras-doctor verify --timeout 60 --json | jq '.extra.steps[] | [.name, .status]'
"""


def add_parser(subparsers) -> None:
    from keras_doctor.cli.common import add_output_options

    parser = subparsers.add_parser(
        "verify", help="import and run TensorFlow/Keras in a separate process, step by step",
        description="Prove the environment works: import numpy, TensorFlow and Keras, run a small "
                    "op on each device, build keras.applications models and run a forward pass, "
                    "all in a separate process of the target interpreter. A crash or a hang is "
                    "reported with the step it happened in. ~/.keras is left as it was.",
        epilog=EXAMPLES, formatter_class=HelpFormatter,
    )
    group = parser.add_argument_group("verification")
    group.add_argument("--python", metavar="PATH",
                       help="verify another interpreter, e.g. ./venv/bin/python")
    group.add_argument("--models", metavar="NAMES", default="VGG16,ResNet50,MobileNetV2",
                       help="keras.applications to build and run, comma-separated "
                            "(default: VGG16,ResNet50,MobileNetV2; empty for none)")
    group.add_argument("--timeout", metavar="S", type=float, default=300.0,
                       help="stop the run after S seconds and report the step it was in "
                            "(default: 300)")
    group.add_argument("--weights", action="store_true",
                       help="also load each model's cached ImageNet weights, after checking "
                            "them against Keras's known hash")
    group.add_argument("--download", action="store_true",
                       help="with --weights: download weights that are not cached")
    add_output_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from keras_doctor.cli import UsageError
    from keras_doctor.cli.common import default_choice, emit, output_format
    from keras_doctor.verify import DriverNotStarted, run_verify

    models = [name.strip() for name in (args.models or "").split(",") if name.strip()]
    bad = [name for name in models if not name.isidentifier()]
    if bad:
        raise UsageError(f"--models: not a model name: {', '.join(bad)}")
    if not args.timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.download and not args.weights:
        raise UsageError("--download goes with --weights")
    python = args.python or default_choice(args).python or sys.executable
    if args.python and os.sep not in python:
        python = shutil.which(python) or python  # a name on PATH, such as python3.11
    if args.python and not (os.path.isfile(python) and os.access(python, os.X_OK)):
        raise UsageError(f"--python: {args.python} is not an executable file")
    with _progress(output_format(args)) as progress:
        try:
            report = run_verify(python, models=models, timeout=args.timeout,
                                weights=args.weights, download=args.download, progress=progress)
        except DriverNotStarted as exc:
            raise UsageError(str(exc)) from exc
    chosen = getattr(args, "target_choice", None)
    if chosen is not None:
        report.target = {**report.target, "chosen": chosen.reason}
    return emit(report, args)


def _progress(fmt: str):
    """Live steps on a terminal; plain lines (to stderr) when the output is a file or a pipe."""
    import contextlib

    from keras_doctor.verify import progress

    if fmt != "terminal":
        return contextlib.nullcontext(None)
    if sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
        return progress.live_progress(sys.stderr)
    return progress.plain_progress(sys.stderr)
