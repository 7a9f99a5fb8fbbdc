"""`keras-doctor explain`: paste an error, get its cause, the evidence and the fix."""

from __future__ import annotations

import argparse
import errno
import re
import sys

from keras_doctor.cli.common import add_output_options, add_target_options
from keras_doctor.cli.helpformat import HelpFormatter

EXAMPLES = """\
examples:
  keras-doctor explain error.txt
  keras-doctor explain "ImportError: cannot import name 'VGG16' from 'keras.applications'"
  pbpaste | keras-doctor explain                 macOS clipboard
  python train.py 2>&1 | keras-doctor explain --no-env
  keras-doctor explain log.txt --python ./venv/bin/python
  keras-doctor explain log.txt --facts facts.json --json
"""

MAX_INPUT_BYTES = 64 * 1024 * 1024  # read at most this much; the engine keeps head and tail


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain a pasted error: cause, evidence, fix",
        description="Read an error text (traceback, pip output, a log) from FILE or standard "
        "input and name its most likely causes, with the details the text reveals and "
        "the fix. By default the running environment's facts refine the answer; "
        "--no-env uses the text alone.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="a file holding the error text, or the text itself in quotes (default: standard "
        "input; - for standard input)",
    )
    add_target_options(parser)
    parser.add_argument(
        "--no-env",
        action="store_true",
        help="explain from the text alone, without looking at any environment",
    )
    add_output_options(parser)
    parser.set_defaults(run=run)


def read_input(path: str | None) -> str:
    from keras_doctor.cli import UsageError

    if path in (None, "-"):
        if path is None and sys.stdin.isatty():
            raise UsageError(
                "no error text: give a FILE or pipe the text in (pbpaste | keras-doctor explain)"
            )
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES)
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES)
        except OSError as exc:
            if looks_like_error_text(path, exc):
                return path
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text = decode(data)
    if not text.strip():
        raise UsageError("the error text is empty")
    return text


def looks_like_error_text(argument: str, failure: OSError) -> bool:
    """Whether FILE, which could not be opened, is the error text itself, pasted in quotes.

    Error lines have a space after a colon ("ImportError: cannot…") or span lines; a crash line
    has neither ("Segmentation fault (core dumped)", "Killed") but is still an error where a
    file name is not. A name with a file's suffix or a folder in it is a file name whatever its
    words ("error.txt", "logs/crash 2.log"), so a mistyped name still gets "cannot read NAME".
    Text too long to be a file name is text.
    """
    if failure.errno == errno.ENAMETOOLONG:
        return True
    if failure.errno != errno.ENOENT:
        return False
    if "\n" in argument or ": " in argument:
        return True
    from keras_doctor.explain.clues import error_kind

    return bool(error_kind(argument)) and not _FILE_NAME.search(argument)


# a suffix ("run.log", "error.txt") or a folder ("logs/x", "C:\\x"): what names a file
_FILE_NAME = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$|[/\\]")


def decode(data: bytes) -> str:
    """Bytes as pasted or redirected: UTF-8 usually, UTF-16 from PowerShell's `>` redirection."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def run(args: argparse.Namespace) -> int:
    from keras_doctor.cli import UsageError
    from keras_doctor.cli.common import collect_target, describe_environment, emit
    from keras_doctor.explain import explain_text

    text = read_input(args.file)
    facts = None
    if not args.no_env:
        facts = collect_target(args)
    elif any(getattr(args, name, None) for name in ("python", "path", "facts")):
        raise UsageError("--no-env explains from the text alone: drop --python/--path/--facts")
    report = explain_text(text, facts)
    if facts is not None:  # which interpreter was examined, how it was chosen, what it holds
        describe_environment(report, facts, args)
    if not report.findings:
        message = report.extra.get("no_error") or "keras-doctor: no known cause matches this text"
        print(message, file=sys.stderr)
    return emit(report, args)
