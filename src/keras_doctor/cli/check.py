"""`keras-doctor check`: diagnose an environment without importing TensorFlow, Keras or numpy."""

from __future__ import annotations

import argparse

from keras_doctor.cli.common import add_output_options, add_target_options
from keras_doctor.cli.helpformat import HelpFormatter

EXAMPLES = """\
examples:
  keras-doctor check                         the active virtualenv, conda env or python3
  keras-doctor check --python ./venv/bin/python
  keras-doctor check --path build/site-packages --platform macos-arm64 --python-version 3.11
  keras-doctor facts > facts.json; keras-doctor check --facts facts.json
  keras-doctor check --json | jq '.findings[].cause'
"""


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="diagnose an environment (read-only, imports nothing from it)",
        description="Diagnose a Python environment for Keras/TensorFlow breakage: platform and "
                    "Rosetta, binary architectures, package compatibility, shadowing files, Keras "
                    "configuration. Reads files only; never imports the framework.",
        epilog=EXAMPLES, formatter_class=HelpFormatter,
    )
    add_target_options(parser)
    add_output_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.cli.common import (
        attach_plan,
        collect_target,
        describe_environment,
        emit,
        knowledge_loader,
    )

    facts = collect_target(args)
    report = run_checks(facts, knowledge_loader())
    describe_environment(report, facts, args)
    attach_plan(report, facts)
    return emit(report, args)
