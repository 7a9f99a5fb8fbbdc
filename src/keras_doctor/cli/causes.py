"""`keras-doctor causes [ID]`: the cause catalog, and the long explanation of one cause."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "causes", help="list the cause IDs, or explain one",
        description="List every cause ID keras-doctor reports, or print the long explanation of "
                    "one (like `ruff rule`). Cause IDs are stable: use them in scripts and CI.",
    )
    parser.add_argument("id", nargs="?", help="a cause ID, e.g. mixed-arch-binary")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from keras_doctor import causes
    from keras_doctor.cli import UsageError

    if args.id:
        cause = causes.get(args.id)
        if cause is None:
            import difflib

            close = difflib.get_close_matches(args.id, list(causes.CATALOG), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UsageError(f"unknown cause {args.id!r}{hint}; `keras-doctor causes` lists them")
        if args.json:
            print(json.dumps(_as_dict(cause), indent=2))
        else:
            sys.stdout.write(
                f"{cause.id}  [{cause.severity.value}, {causes.AREAS[cause.area]}]\n\n"
                f"{cause.summary[0].upper()}{cause.summary[1:]}.\n\n"
                f"Revealed by: {cause.revealed_by}\n\n{cause.explanation}\n"
            )
        return 0
    if args.json:
        print(json.dumps([_as_dict(c) for c in causes.CATALOG.values()], indent=2))
        return 0
    width = max(len(c) for c in causes.CATALOG)
    for area, title in causes.AREAS.items():
        rows = [c for c in causes.CATALOG.values() if c.area == area]
        if not rows:
            continue
        print(title)
        for cause in rows:
            print(f"  {cause.id:<{width}}  {cause.summary}")
        print()
    print("`keras-doctor causes ID` explains one.")
    return 0


def _as_dict(cause) -> dict:
    return {"id": cause.id, "area": cause.area, "severity": cause.severity.value,
            "summary": cause.summary, "revealed_by": cause.revealed_by,
            "explanation": cause.explanation, "retired": cause.retired}
