"""`keras-doctor facts`: save what `check` knows about an environment, to diagnose it anywhere."""

from __future__ import annotations

import argparse
import json

from keras_doctor.cli.common import add_target_options
from keras_doctor.cli.helpformat import HelpFormatter


def add_parser(subparsers) -> None:
    from keras_doctor.cli.common import output_parent

    parser = subparsers.add_parser(
        "facts", formatter_class=HelpFormatter,
        help="print the facts snapshot of an environment as JSON",
        parents=[output_parent(fail_on=False)],
        description="Print everything keras-doctor reads about an environment as one JSON "
                    "document (schema in docs/facts-schema.md). Save it on one machine and run "
                    "`keras-doctor check --facts FILE` on any other.",
    )
    add_target_options(parser, facts_file=False)
    parser.add_argument("--hash-weights", action="store_true",
                        help="also sha256 every cached Keras weights file (slow for large files)")
    parser.add_argument("--full-cache-size", action="store_true",
                        help="measure the pip/uv caches completely (default: stop after 1 s)")
    parser.set_defaults(run=run, facts=None)


def run(args: argparse.Namespace) -> int:
    from keras_doctor.cli.common import collect_target, output_format, write_output

    options = {}
    if args.python or not args.path:
        options = {"hash_weights": args.hash_weights, "measure_cache_sizes": True,
                   "size_budget": None if args.full_cache_size else 1.0}
    facts = collect_target(args, **options)
    data = facts.to_dict()
    fmt = output_format(args)
    if fmt in ("terminal", "json"):  # facts are a JSON document whatever the reader
        write_output(args, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return 0
    from keras_doctor.render.document import document

    text = json.dumps(data, indent=1, ensure_ascii=False)
    markdown = ("## keras-doctor facts\n\n<details>\n<summary>facts (JSON)</summary>\n\n"
                f"```json\n{text}\n```\n\n</details>\n")
    write_output(args, document(fmt, title="keras-doctor facts", lines=text.splitlines(),
                                data=data, markdown=markdown))
    return 0
