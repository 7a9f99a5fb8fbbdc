"""Options and helpers shared by the subcommands: choosing the target, choosing the output.

Every command that looks at an environment accepts the same three ways to pick it (the running
interpreter, `--python PATH`, or `--path DIR --platform P --python-version X.Y`) plus
`--facts FILE`, and every command that reports accepts the same output and exit-code options.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any

from keras_doctor.facts.platforms import PLATFORMS


def add_target_options(parser: argparse.ArgumentParser, facts_file: bool = True) -> None:
    group = parser.add_argument_group(
        "target",
        "default: the active virtualenv, else the active conda env, else the python3 on PATH "
        "when keras-doctor runs from its own pipx or uv tool environment, else itself",
    )
    group.add_argument("--python", metavar="PATH",
                       help="examine another interpreter, e.g. ./venv/bin/python")
    group.add_argument("--path", metavar="DIR",
                       help="examine a site-packages folder built for another machine "
                            "(needs --platform and --python-version)")
    group.add_argument("--platform", choices=sorted(PLATFORMS), metavar="NAME",
                       help=f"the platform DIR was built for: {', '.join(PLATFORMS)}")
    group.add_argument("--python-version", metavar="X.Y",
                       help="the Python version DIR was built for")
    if facts_file:
        group.add_argument("--facts", metavar="FILE",
                           help="diagnose facts saved with `keras-doctor facts` (- for stdin)")


FORMATS = ("text", "json", "markdown", "html")


def _format_name(value: str) -> str:
    """`--format` value; `terminal` is the old name of `text` and still accepted."""
    value = value.strip().lower()
    if value == "terminal":
        return "text"
    if value not in FORMATS:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {value!r} (choose from {', '.join(FORMATS)})")
    return value


def add_output_options(parser: argparse.ArgumentParser, fail_on: bool = True) -> None:
    """The output options every command takes, the same everywhere (`output_parent`)."""
    group = parser.add_argument_group("output (the same for every command)")
    group.add_argument("--format", type=_format_name, metavar="{text,json,markdown,html}",
                       help="text for people (default), json for scripts, markdown for issues, "
                            "html for a page or a notebook")
    group.add_argument("--json", action="store_true", help="the same as --format json")
    group.add_argument("-o", "--output", metavar="FILE",
                       help="write the output to FILE instead of standard output")
    loudness = group.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true",
                          help="more: passed and skipped checks, evidence, step data")
    loudness.add_argument("-q", "--quiet", action="store_true",
                          help="less: only the summary line (text); the exit code says the rest")
    group.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                       help="lowest severity of a finding that makes the exit code 1 "
                            "(default: error; never: always 0 unless keras-doctor fails)"
                       if fail_on else "accepted for uniformity; this command's exit code is "
                                       "its own (see its description)")
    group.add_argument("--color", dest="color", action="store_true", default=None,
                       help="force colour")
    group.add_argument("--no-color", dest="color", action="store_false",
                       help="no colour (also when NO_COLOR is set or output is not a terminal)")


def output_parent(fail_on: bool = True) -> argparse.ArgumentParser:
    """A parent parser holding the output options: `parents=[output_parent()]`."""
    parent = argparse.ArgumentParser(add_help=False)
    add_output_options(parent, fail_on=fail_on)
    return parent


def collect_target(args: argparse.Namespace, **options: Any):
    """The facts for the target the options name; UsageError for bad input."""
    from keras_doctor.cli import UsageError
    from keras_doctor.facts import collect

    chosen = [name for name in ("python", "path", "facts") if getattr(args, name, None)]
    if len(chosen) > 1:
        raise UsageError(f"choose one target: --{' or --'.join(chosen)}")
    if (args.platform or args.python_version) and not args.path:
        raise UsageError("--platform and --python-version go with --path")
    try:
        if getattr(args, "facts", None):
            return collect.load_facts(args.facts)
        if args.python:
            return collect.collect_python(args.python, **options)
        if args.path:
            if not args.platform or not args.python_version:
                raise UsageError("--path needs --platform and --python-version")
            return collect.collect_path(args.path, args.platform, args.python_version)
        choice = default_choice(args)
        if choice.python:
            return collect.collect_python(choice.python, **options)
        return collect.collect_running(**options)
    except collect.TargetError as exc:
        raise UsageError(str(exc)) from exc


def default_choice(args: argparse.Namespace):
    """The environment a command without a target option examines (facts.choose), remembered on
    `args` so the report can say how it was chosen."""
    from keras_doctor.facts.choose import default_target

    choice = default_target()
    args.target_choice = choice
    return choice


FRAMEWORKS = {"tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-gpu",
                             "tensorflow-intel", "tensorflow-aarch64", "tf-nightly"),
              "keras": ("keras", "tf-keras")}


def describe_environment(report, facts, args: argparse.Namespace) -> None:
    """Add to the report's target how it was chosen and which TensorFlow and Keras it holds, so
    every format can say plainly when they are not there at all."""
    from packaging.utils import canonicalize_name

    target = dict(report.target)
    choice = getattr(args, "target_choice", None)
    if choice is not None:
        target["chosen"] = choice.reason
    elif getattr(args, "python", None):
        target["chosen"] = "--python"
    if facts is not None:
        installed = {str(canonicalize_name(d.name)): d.version for d in facts.distributions}
        target["frameworks"] = {
            key: next(({"name": n, "version": installed[n]} for n in names if n in installed),
                      None)
            for key, names in FRAMEWORKS.items()}
    report.target = target


def output_format(args: argparse.Namespace) -> str:
    """The renderer's name for the chosen format (`terminal` for text)."""
    if getattr(args, "json", False):
        return "json"
    chosen = getattr(args, "format", None) or "text"
    return "terminal" if chosen == "text" else chosen


def write_output(args: argparse.Namespace, text: str) -> None:
    """Write a finished document to `-o FILE` (atomically) or standard output."""
    from keras_doctor.cli import UsageError
    from keras_doctor.render import write_document

    path = getattr(args, "output", None)
    if not path or path == "-":
        write_document(sys.stdout, text)
        sys.stdout.flush()
        return
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        # backslashreplace: an undecodable name in a path becomes a \udcff escape, as on stdout
        with open(temporary, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def emit(report, args: argparse.Namespace) -> int:
    """Render the report as asked and return the exit code the `--fail-on` policy gives it."""
    from keras_doctor.render import render, render_to_string

    fmt = output_format(args)
    verbose = getattr(args, "verbose", False)
    if getattr(args, "quiet", False) and fmt == "terminal":
        from keras_doctor.render import view

        write_output(args, view.summary_line(report) + "\n")
    elif getattr(args, "output", None) and args.output != "-":
        write_output(args, render_to_string(report, fmt, verbose=verbose,
                                            color=False if args.color is None else args.color))
    else:
        render(report, fmt, verbose=verbose, color=getattr(args, "color", None), file=sys.stdout)
    return exit_code(report, args)


def exit_code(report, args: argparse.Namespace) -> int:
    from keras_doctor.findings import Severity

    chosen = getattr(args, "fail_on", "error") or "error"
    if chosen == "never":
        return 0
    return 1 if report.fails(Severity(chosen)) else 0


def knowledge_loader():
    """A loader for the knowledge base, imported only when a check first asks for it."""

    def load():
        from keras_doctor import knowledge

        return knowledge.load()

    return load


def attach_plan(report, facts, timeout: float = 20.0) -> None:
    """Put the plan `keras-doctor fix` would run into `report.extra["plan"]`, so `check` shows the
    same steps as `fix`: one planner for both. The resolver runs offline (uv answers from its cache
    or not at all), so `check` stays read-only, quick and network-free; without an offline answer
    the report simply carries no plan and names `keras-doctor fix` as the way to get one."""
    folder = facts.target.mode == "path"
    if not folder and (facts.target.mode not in ("running", "python")
                       or not facts.interpreter.executable):
        return
    if not report.findings:
        return
    from keras_doctor.plan.build import build_plan
    from keras_doctor.plan.resolve import Resolution, resolve

    def offline(*args: Any, **kwargs: Any) -> Resolution:
        if not kwargs.get("uv"):
            return Resolution(False, "pip", error="no offline resolver (uv) at hand")
        saved = os.environ.get("UV_OFFLINE")
        os.environ["UV_OFFLINE"] = "1"
        try:
            return resolve(*args, timeout=timeout, **kwargs)
        finally:
            if saved is None:
                os.environ.pop("UV_OFFLINE", None)
            else:
                os.environ["UV_OFFLINE"] = saved

    try:
        knowledge = knowledge_loader()()
    except Exception:  # no data in this build: the plan falls back on installed versions
        knowledge = None
    try:
        plan = build_plan(facts, report, knowledge=knowledge, resolver=offline)
    except Exception:  # a plan is a courtesy here; the diagnosis stands without it
        return
    put_plan(report, plan)


def put_plan(report, plan) -> None:
    """The plan's part of a check report: its steps when they are the commands to run, else why
    there is none (when a finding needed one)."""
    from keras_doctor.plan.packages import PACKAGE_CAUSES

    # A folder's plan, or a new environment's in a folder nobody named yet, is "refused" only in
    # that fix never applies it: its steps are the commands.
    shown = plan.ok or (plan.status.value == "refused" and bool(plan.steps))
    if not shown and any(f.cause in PACKAGE_CAUSES for f in report.findings):
        report.extra["plan_unavailable"] = plan.reason or "the plan could not be resolved offline"
        return
    if shown:
        report.extra["plan"] = plan.to_dict()


def on_terminal(stream=None) -> bool:
    stream = stream if stream is not None else sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


class working:
    """Progress for a long step: a live spinner with the latest message on a terminal (stderr),
    the messages as plain lines on a pipe or file, so logs keep them and nothing redraws there."""

    def __init__(self, title: str, stream=None):
        self.title = title
        self.stream = stream if stream is not None else sys.stderr
        self.status: Any = None

    def __enter__(self):
        if on_terminal(self.stream):
            from rich.console import Console

            console = Console(file=self.stream, highlight=False)
            self.status = console.status(f"{self.title} …")
            self.status.start()
        return self.show

    def show(self, message: str) -> None:
        message = message.rstrip("\n")
        if self.status is not None:
            from rich.text import Text

            self.status.update(Text(f"{self.title}: {message.removeprefix('[knowledge] ')}"))
        elif message:
            self.stream.write(message + "\n")
            self.stream.flush()

    def __exit__(self, *exc_info: Any) -> None:
        if self.status is not None:
            self.status.stop()
