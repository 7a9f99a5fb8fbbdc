"""`keras-doctor report`: a bug report to paste into a GitHub issue, private details removed.

Runs `check` (and a short `verify`: imports and devices, no models) on the target and writes one
Markdown document with every version that matters, keras-doctor's and its knowledge base's, the
platform, the findings and the verify steps; the home folder, user and host names replaced. On a
terminal it is shown first and saved only when confirmed; `-o FILE` saves it directly, `--html`
makes a self-contained page of the same content.
"""

from __future__ import annotations

import argparse
import sys

from keras_doctor.cli.common import add_target_options, output_parent
from keras_doctor.cli.helpformat import HelpFormatter

DEFAULT_FILE = "keras-doctor-report.md"
EXAMPLES = """\
examples:
  keras-doctor report                          show it, then save it as keras-doctor-report.md
  keras-doctor report -o issue.md --no-verify  save without running the interpreter
  keras-doctor report --html -o report.html    a page to attach or open in a browser
  keras-doctor report | pbcopy                 straight to the clipboard (macOS)
"""


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="a privacy-scrubbed bug report (Markdown) for a GitHub issue",
        description="Gather versions, platform, findings and verify steps into one Markdown "
                    "document under 60,000 characters (a GitHub comment holds 65,536), with the "
                    "home folder, user and host names replaced. Shown before it is saved.",
        epilog=EXAMPLES, formatter_class=HelpFormatter,
        parents=[output_parent(fail_on=False)],
    )
    add_target_options(parser)
    parser.add_argument("--html", action="store_true",
                        help="a self-contained HTML page instead of Markdown")
    parser.add_argument("--no-verify", action="store_true",
                        help="do not run the interpreter (verify imports and lists devices)")
    parser.add_argument("--yes", "-y", action="store_true",
                        help=f"save to {DEFAULT_FILE} without asking")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.cli.common import (
        collect_target,
        describe_environment,
        knowledge_loader,
        output_format,
        write_output,
    )
    from keras_doctor.render.bundle import bundle

    facts = collect_target(args)
    check = run_checks(facts, knowledge_loader())
    describe_environment(check, facts, args)
    verify = None
    if not args.no_verify and facts.interpreter.executable and facts.target.mode != "path":
        from keras_doctor.verify import run_verify

        verify = run_verify(facts.interpreter.executable, models=(), timeout=120.0, facts=facts)
    from keras_doctor.facts.identity import private_words

    text = bundle(check, facts, verify, _knowledge(), words=private_words())
    fmt = "html" if args.html else output_format(args)
    if fmt == "html":
        text = _page(text)
    elif fmt == "json":
        import json

        text = json.dumps({"markdown": text, "characters": len(text)}, indent=2) + "\n"
    if args.output:
        write_output(args, text)
        print(f"keras-doctor: saved the report ({len(text):,} characters) to {args.output}",
              file=sys.stderr)
        return 0
    sys.stdout.write(text)
    sys.stdout.flush()
    if sys.stdin.isatty() and sys.stdout.isatty():
        name = "keras-doctor-report.html" if fmt == "html" else DEFAULT_FILE
        answer = "y" if args.yes else input(
            f"\nSave this report ({len(text):,} characters) as {name}? [Y/n] ").strip().lower()
        if answer in ("", "y", "yes"):
            args.output = name
            write_output(args, text)
            print(f"saved {name}: paste it into the issue, or attach it", file=sys.stderr)
    return 0


def _knowledge():
    try:
        from keras_doctor.cli.db import describe

        loaded = describe().get("loaded")
        return loaded if isinstance(loaded, dict) else None
    except Exception:  # the report is still worth having without it
        return None


def _page(markdown: str) -> str:
    """The bundle as a page: its Markdown shown as written, readable without a converter."""
    import html

    from keras_doctor.render.htmlfmt import PRE_STYLE, page

    body = (f'<pre style="{PRE_STYLE}; white-space: pre-wrap">{html.escape(markdown)}</pre>\n')
    return page("keras-doctor report", body)
