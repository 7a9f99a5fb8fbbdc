"""`keras-doctor facts`: save what `check` knows about an environment, to diagnose it anywhere."""

from __future__ import annotations

import argparse
import json
import sys

from keras_doctor.cli.common import add_target_options


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "facts", help="print the facts snapshot of an environment as JSON",
        description="Print everything keras-doctor reads about an environment as one JSON "
                    "document (schema in docs/facts-schema.md). Save it on one machine and run "
                    "`keras-doctor check --facts FILE` on any other.",
    )
    add_target_options(parser, facts_file=False)
    parser.add_argument("--hash-weights", action="store_true",
                        help="also sha256 every cached Keras weights file (slow for large files)")
    parser.add_argument("--full-cache-size", action="store_true",
                        help="measure the pip/uv caches completely (default: stop after 1 s)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(run=run, facts=None)


def run(args: argparse.Namespace) -> int:
    from keras_doctor.cli import UsageError
    from keras_doctor.cli.common import collect_target

    options = {}
    if args.python or not args.path:
        options = {"hash_weights": args.hash_weights, "measure_cache_sizes": True,
                   "size_budget": None if args.full_cache_size else 1.0}
    facts = collect_target(args, **options)
    text = json.dumps(facts.to_dict(), indent=1, ensure_ascii=False)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    else:
        sys.stdout.write(text + "\n")
    return 0
