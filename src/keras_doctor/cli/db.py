"""`keras-doctor db info|update`: what knowledge the checks use, and refreshing it.

`info` says which copy is loaded (embedded in the package, or the user's refreshed copy), how old it
is, and how big. `update` rebuilds a snapshot from the package index into the user cache dir: into
a temporary folder first, moved in only when complete, so a failed or interrupted update (offline,
index down) leaves the previous data in place and `check` never waits on the network.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any, Dict, List

from keras_doctor.cli.common import output_format, output_parent, working, write_output
from keras_doctor.cli.helpformat import HelpFormatter


def add_parser(subparsers) -> None:  # type: ignore[no-untyped-def]
    parser = subparsers.add_parser(
        "db", formatter_class=HelpFormatter,
        help="show or refresh the knowledge base (release tables, symbol atlas, weights hashes)",
        description="Show which knowledge base the checks use, or fetch a fresh one from PyPI.",
    )
    commands = parser.add_subparsers(dest="db_command", metavar="{info,update}")
    info = commands.add_parser("info", help="what is loaded, from where, how old, how big",
                               parents=[output_parent(fail_on=False)])
    info.set_defaults(run=run)
    update = commands.add_parser(
        "update", help="fetch a fresh snapshot into the user cache dir (needs the network; "
                       "uses pip's index, proxy and certificates)",
        parents=[output_parent(fail_on=False)],
    )
    update.add_argument(
        "--full",
        action="store_true",
        help="also rebuild the Keras symbol atlas and weights table (downloads "
        "~60 MB of Keras wheels)",
    )
    update.add_argument("--jobs", type=int, default=8, help="concurrent requests (default 8)")
    update.set_defaults(run=run)
    parser.set_defaults(run=_usage(parser))


def _usage(parser: argparse.ArgumentParser):  # type: ignore[no-untyped-def]
    def show(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return show


def run(args: argparse.Namespace) -> int:
    if args.db_command == "update":
        return _update(args)
    return _info(args)


def describe() -> Dict[str, Any]:
    """Every copy `load` considers, and which one it picks."""
    from keras_doctor.knowledge import (
        STALE_AFTER_DAYS,
        KnowledgeError,
        candidates,
        load,
        read_manifest,
    )

    copies = []
    for origin, folder in candidates():
        manifest = read_manifest(folder)
        copies.append(
            {
                "origin": origin,
                "path": str(folder),
                "present": manifest is not None,
                "generated_at": manifest.get("generated_at") if manifest else None,
                "bytes": sum(f["bytes"] for f in manifest.get("files", {}).values())
                if manifest
                else 0,
            }
        )
    try:
        kb = load()
    except KnowledgeError as exc:
        return {"loaded": None, "error": str(exc), "copies": copies}
    files = kb.manifest.get("files", {})
    return {
        "loaded": {
            "origin": kb.origin,
            "path": str(kb.directory),
            "generated_at": kb.manifest["generated_at"],
            "age_days": round(kb.age_days, 1),
            "stale": kb.age_days > STALE_AFTER_DAYS,
            "bytes": sum(f["bytes"] for f in files.values()),
            "files": {
                name: {"bytes": f["bytes"], "generated_at": f.get("generated_at")}
                for name, f in sorted(files.items())
            },
        },
        "stale_after_days": STALE_AFTER_DAYS,
        "copies": copies,
    }


def _info(args: argparse.Namespace) -> int:
    info = describe()
    loaded = info["loaded"]
    fmt = output_format(args)
    if loaded is None and fmt != "json":
        print(f"keras-doctor: no knowledge base could be loaded: {info['error']}", file=sys.stderr)
        return 3
    lines = []
    if loaded is not None:
        lines.append(f"knowledge base: {loaded['origin']} copy at {loaded['path']}")
        lines.append(f"generated:      {loaded['generated_at']} ({loaded['age_days']:.0f} days "
                     "ago)")
        lines.append(f"size:           {loaded['bytes'] / 1e6:.2f} MB in {len(loaded['files'])} "
                     "files")
        for name, f in loaded["files"].items():
            lines.append(f"  {name:<34} {f['bytes'] / 1e3:>8.1f} kB  {f['generated_at'] or ''}")
        for copy in info["copies"]:
            if copy["path"] != loaded["path"]:
                state = f"generated {copy['generated_at']}" if copy["present"] else "not present"
                lines.append(f"other copy:     {copy['origin']} at {copy['path']} ({state})")
    from keras_doctor.render.document import document

    write_output(args, document(fmt.replace("terminal", "text"), title="keras-doctor db info",
                                lines=lines, data=info, quiet=args.quiet,
                                quiet_line=lines[1] if len(lines) > 1 else ""))
    if loaded is not None and loaded["stale"]:
        print(
            f"warning: the knowledge base is {loaded['age_days']:.0f} days old (more than "
            f"{info['stale_after_days']}); run `keras-doctor db update`",
            file=sys.stderr,
        )
    return 0 if loaded else 3


def _update(args: argparse.Namespace) -> int:
    result = _run_builder(["--jobs", str(max(1, args.jobs))] + (["--full"] if args.full else []))
    if not result.get("ok"):
        print(
            f"keras-doctor: db update failed, the previous data stays in use: {result['error']}",
            file=sys.stderr,
        )
        return 3
    del result["ok"]
    from keras_doctor.render.document import document

    line = (f"updated {result['path']}: generated {result['generated_at']}, "
            f"{result['bytes'] / 1e6:.2f} MB, {result['seconds']:.0f} s")
    write_output(args, document(output_format(args).replace("terminal", "text"),
                                title="keras-doctor db update", lines=[line], data=result))
    return 0


def _run_builder(arguments: List[str]) -> Dict[str, Any]:
    """Run the builder as its own program, relaying its progress, and read how it ended.

    The diagnosing process never imports the builder; this also keeps its threads and sockets out
    of the CLI's process."""
    command = [sys.executable, "-m", "keras_doctor.knowledge.build.update", *arguments]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          bufsize=1) as process:
        assert process.stderr is not None and process.stdout is not None
        with working("Updating the knowledge base") as show:
            for line in process.stderr:
                show(line)
        output = process.stdout.read()
    try:
        return dict(json.loads(output.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {"ok": False, "error": f"the builder exited with status {process.returncode} "
                                      "and no result"}
