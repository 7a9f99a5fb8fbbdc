"""The command line: one module per subcommand, each with `add_parser(subparsers)` and `run(args)`.

Subcommand modules keep their imports inside `run`, so building the parser costs nothing and
`check --json` never pays for what another command needs. Exit codes are the same everywhere:
0 nothing at or above `--fail-on`, 1 problems found, 2 usage error or bad input, 3 the doctor
failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import List, Optional

from keras_doctor.cli.helpformat import HelpFormatter
from keras_doctor.version import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_DOCTOR_FAILED = 0, 1, 2, 3

# Order is the order of `keras-doctor --help`.
COMMANDS = ("check", "explain", "run", "verify", "fix", "recommend", "report", "facts", "causes",
            "db", "completion")


class UsageError(Exception):
    """Bad input from the user: reported in one line with exit code 2."""


def build_parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that subcommand is imported and built (start-up matters:
    building all nine costs more than `check` spends reading a TensorFlow environment)."""
    parser = argparse.ArgumentParser(
        prog="keras-doctor",
        description=(
            "Diagnose and repair broken Keras / TensorFlow installations without importing them.\n"
            "Start with `keras-doctor check`; paste an error into `keras-doctor explain`."
        ),
        epilog=(
            "exit codes: 0 healthy, 1 problems found, 2 usage error or bad input, "
            "3 keras-doctor itself failed.\n"
            "Run `keras-doctor COMMAND --help` for each command's options."
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"keras-doctor {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f"keras_doctor.cli.{name.replace('-', '_')}")
        except ImportError:
            continue  # a command whose module is not part of this build
        module.add_parser(subparsers)
    return parser


def _chosen_command(argv: List[str]) -> Optional[str]:
    """The subcommand named on the command line, when it is a known one (else build them all)."""
    for arg in argv:
        if arg in ("-h", "--help", "--version"):
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _print_undecodable_names_as_escapes() -> None:
    """A Linux path may hold bytes that are not UTF-8; Python keeps each as a lone surrogate,
    which a strict stream refuses to print (the whole report lost, exit 3) and a C-locale stream
    prints as raw bytes (a JSON document no reader accepts). Write them as `\\udcff` escapes:
    valid JSON that reads back to the same path, and legible on a terminal."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) in ("strict", "surrogateescape"):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")


def main(argv: Optional[List[str]] = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    _print_undecodable_names_as_escapes()
    parser = build_parser(_chosen_command(arguments))
    args = parser.parse_args(arguments)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    _warn_pending_transactions(args)
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"keras-doctor: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("keras-doctor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the doctor itself failed: say so in one line, details on request
        if os.environ.get("KERAS_DOCTOR_DEBUG"):
            raise
        print(
            f"keras-doctor: internal error: {type(exc).__name__}: {exc}\n"
            "  (set KERAS_DOCTOR_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_DOCTOR_FAILED


def _warn_pending_transactions(args: argparse.Namespace) -> None:
    """An interrupted `fix --apply` leaves a journal; every command says so until it is finished."""
    if getattr(args, "command", None) == "fix":
        return
    try:
        from keras_doctor.apply.location import may_have_pending

        if not may_have_pending():
            return
        from keras_doctor.apply import pending_transactions

        pending = pending_transactions()
    except Exception:  # a warning must never stop the command the user asked for
        return
    if pending:
        print(
            f"keras-doctor: warning: {len(pending)} interrupted fix left changes half-applied; "
            "run `keras-doctor fix --rollback` (or `--resume`) to finish it",
            file=sys.stderr,
        )
