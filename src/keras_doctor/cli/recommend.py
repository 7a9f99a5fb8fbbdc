"""`keras-doctor recommend`: the newest TensorFlow/Keras/numpy (and tensorflow-metal) for a target.

Not a diagnosis, so not a Report: a short table of pins with the reason for each, or `--json`.
The target defaults to the Python running keras-doctor; `--python PATH` reads another interpreter's
platform and version; `--platform`/`--python-version` state them outright.
"""

from __future__ import annotations

import argparse
import sys

from keras_doctor.cli.helpformat import HelpFormatter
from keras_doctor.facts.model import PLATFORMS

EXAMPLES = """\
examples:
  keras-doctor recommend                                  for the Python running keras-doctor
  keras-doctor recommend --platform macos-arm64 --python-version 3.11
  keras-doctor recommend --python ./venv/bin/python --legacy-keras
  keras-doctor recommend --platform linux-x86_64 --python-version 3.12 --json
"""


def add_parser(subparsers) -> None:
    from keras_doctor.cli.common import output_parent

    parser = subparsers.add_parser(
        "recommend", help="the newest TensorFlow/Keras/numpy set that works on a target",
        parents=[output_parent(fail_on=False)],
        description="Name the newest set of tensorflow, keras, numpy (tf-keras for legacy code, "
                    "tensorflow-metal on Apple Silicon) with wheels for a platform and Python, "
                    "each pinned with its reason.",
        epilog=EXAMPLES, formatter_class=HelpFormatter,
    )
    parser.add_argument("--platform", choices=sorted(PLATFORMS), metavar="NAME",
                        help=f"target platform: {', '.join(PLATFORMS)}")
    parser.add_argument("--python-version", metavar="X.Y", help="target Python version")
    parser.add_argument("--python", metavar="PATH",
                        help="take platform and Python version from this interpreter")
    parser.add_argument("--legacy-keras", action="store_true",
                        help="also pin tf-keras (Keras 2) for code written for tf.keras")
    metal = parser.add_mutually_exclusive_group()
    metal.add_argument("--metal", dest="metal", action="store_true", default=None,
                       help="require tensorflow-metal (Apple Silicon GPU)")
    metal.add_argument("--no-metal", dest="metal", action="store_false",
                       help="leave tensorflow-metal out")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from keras_doctor.plan.recommend import recommend

    platform, python, build = _target(args)
    rec = recommend(platform, python, legacy_keras=args.legacy_keras, metal=args.metal,
                    build=build)
    from keras_doctor.cli.common import output_format, write_output
    from keras_doctor.render.document import document

    lines = _lines(rec)
    fmt = output_format(args).replace("terminal", "text")
    write_output(args, document(fmt, title=f"Recommended set for {rec.platform}, Python "
                                           f"{rec.python_version}",
                                lines=lines, data=rec.to_dict(), markdown=_markdown(rec),
                                quiet_line=" ".join(rec.requirements) or lines[-1],
                                quiet=args.quiet))
    return 0 if rec.ok else 1


def _target(args: argparse.Namespace) -> tuple:
    from keras_doctor.cli import UsageError

    if args.python and (args.platform or args.python_version):
        raise UsageError("choose --python or --platform/--python-version, not both")
    python = args.python_version
    if python is not None:
        from keras_doctor.facts.model import python_version_problem

        parts = python.split(".")
        if len(parts) < 2 or not all(p.isdigit() for p in parts) or python_version_problem(python):
            raise UsageError(f"--python-version must look like 3.11 (a Python 2 or 3 version), "
                             f"not {python!r}")
    if args.platform and python:
        return args.platform, python, "tensorflow"
    from keras_doctor.facts import collect
    from keras_doctor.plan.recommend import installed_build, installed_versions

    try:
        facts = collect.collect_python(args.python) if args.python else collect.collect_running()
    except collect.TargetError as exc:
        raise UsageError(str(exc)) from exc
    platform = args.platform or facts.target.platform
    # The TensorFlow build already installed stays: tensorflow-cpu gets tensorflow-cpu, or the
    # printed command would install a second build over the same files.
    build = installed_build(installed_versions(facts), platform)
    return platform, python or facts.target.python_version, build


def _rows(rec) -> list:
    rows = [(pin, rec.reasons.get(pin.split("==")[0], "")) for pin in rec.requirements]
    rows += [(name, reason) for name, reason in rec.reasons.items()
             if not any(p.startswith(name + "==") for p in rec.requirements)]
    return rows


def _lines(rec) -> list:
    """The table as lines: reasons wrap under their column instead of breaking the table."""
    import shutil
    import textwrap

    lines = [f"Recommended set for {rec.platform}, Python {rec.python_version}", ""]
    rows = _rows(rec)
    if rows:
        width = max(len(pin) for pin, _ in rows)
        columns = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
        room = max(30, min(columns, 120) - width - 4)
        for pin, reason in rows:
            wrapped = textwrap.wrap(reason, room) or [""]
            lines.append(f"  {pin.ljust(width)}  {wrapped[0]}")
            lines += [f"  {'':<{width}}  {more}" for more in wrapped[1:]]
    if rec.requirements:
        lines += ["", f"  pip install {' '.join(rec.requirements)}"]
    if rec.problem:
        lines += ["", f"No good set: {rec.problem}"]
    if rec.alternative:
        lines.append(f"Best alternative: {rec.alternative}")
    lines += [f"Note: {note}" for note in rec.notes]
    return lines


def _markdown(rec) -> str:
    out = [f"## Recommended set for {rec.platform}, Python {rec.python_version}", ""]
    rows = _rows(rec)
    if rows:
        out += ["| pin | why |", "|---|---|"]
        out += [f"| `{pin}` | {reason.replace('|', '/')} |" for pin, reason in rows]
    if rec.requirements:
        out += ["", "```sh", f"pip install {' '.join(rec.requirements)}", "```"]
    if rec.problem:
        out += ["", f"**No good set:** {rec.problem}"]
    if rec.alternative:
        out += ["", f"Best alternative: {rec.alternative}"]
    out += [f"\n*Note:* {note}" for note in rec.notes]
    return "\n".join(out)
