"""`keras-doctor fix`: show the plan that repairs an environment, and apply it safely when asked.

A dry run by default. `--apply` runs the plan as a transaction (snapshot, journal, steps, verify,
automatic rollback on failure); `--rollback` and `--resume` finish one that was interrupted;
`--new-venv PATH` builds a fresh environment and leaves the current one alone. Destructive steps ask
first on a terminal; without one, only `--yes` lets them run. Nothing here ever calls sudo.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional, Tuple

from keras_doctor.cli.common import output_format, write_output
from keras_doctor.cli.helpformat import HelpFormatter

EXAMPLES = """\
examples:
  keras-doctor fix                                 show what would be done (changes nothing)
  keras-doctor fix --python ./venv/bin/python --apply
  keras-doctor fix --apply --yes                   no questions (for scripts and CI)
  keras-doctor fix --new-venv ~/venvs/tf           a fresh environment, the current one untouched
  keras-doctor fix --rollback                      undo an interrupted fix, offline
  keras-doctor fix --json | jq '.steps[].argv'
  keras-doctor fix --facts mac-facts.json          plan for facts saved on another machine
  keras-doctor fix --path site-packages --platform macos-arm64 --python-version 3.11
  keras-doctor fix --upgrade                       move to the newest working set, not a repair
"""


def add_parser(subparsers) -> None:
    from keras_doctor.cli.common import output_parent

    parser = subparsers.add_parser(
        "fix", help="plan the repair of an environment; apply it with --apply",
        parents=[output_parent(fail_on=False)],
        description="Build an ordered plan from the findings of `check`: uninstall conflicting "
                    "builds, install a set resolved for this platform and Python, rename "
                    "shadowing files, remove corrupt weights, show variables to set. Dry run by "
                    "default; --apply runs it as a transaction that rolls back on any failure.",
        epilog=EXAMPLES, formatter_class=HelpFormatter,
    )
    from keras_doctor.cli.common import add_target_options

    add_target_options(parser)
    parser.add_argument("--upgrade", action="store_true",
                        help="plan the newest working set (TensorFlow, tensorflow-metal, Keras "
                             "together) instead of repairing the installed release")
    action = parser.add_argument_group("action (default: dry run)")
    action.add_argument("--apply", action="store_true", help="carry out the plan")
    action.add_argument("--yes", "-y", action="store_true",
                        help="consent to every destructive step without asking")
    action.add_argument("--new-venv", metavar="PATH",
                        help="build a fresh environment at PATH instead of changing this one")
    action.add_argument("--rollback", nargs="?", const="", metavar="ID",
                        help="restore the snapshot of an interrupted fix (the latest by default)")
    action.add_argument("--resume", nargs="?", const="", metavar="ID",
                        help="finish an interrupted fix (the latest by default)")
    action.add_argument("--models", metavar="NAMES", default="MobileNetV2",
                        help="keras.applications that verify builds after applying "
                             "(default: MobileNetV2; empty for none)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from keras_doctor.cli import UsageError

    bad = [m for m in (args.models or "").split(",") if m.strip() and not m.strip().isidentifier()]
    if bad:
        raise UsageError(f"--models: not a model name: {', '.join(bad)}")
    if args.rollback is not None or args.resume is not None:
        if args.rollback is not None and args.resume is not None:
            raise UsageError("--rollback and --resume exclude each other")
        return _finish_pending(args)
    from keras_doctor.apply import pending_transactions

    offline = _offline_target(args)
    if offline and (args.apply or args.new_venv):
        raise UsageError(f"{offline} gives a dry-run plan only: applying it needs a live "
                         "interpreter; run `keras-doctor fix --python PATH --apply` on the "
                         "machine that has the environment")
    pending = [p for p in pending_transactions() if p.state != "running"]
    if pending and args.apply:
        raise UsageError(f"an interrupted fix ({pending[-1].id}) is not finished: run "
                         "`keras-doctor fix --rollback` or `--resume` first")
    if pending:
        print(f"keras-doctor: warning: an interrupted fix ({pending[-1].id}) is not finished; "
              "`keras-doctor fix --rollback` restores it, `--resume` completes it",
              file=sys.stderr)
    plan = _build(args)
    if not args.apply:
        return _print_plan(plan, args)
    return _apply(plan, args)


def _offline_target(args: argparse.Namespace) -> Optional[str]:
    """The option naming a target no step can run in (saved facts, a bare folder), if any."""
    if getattr(args, "facts", None):
        return "--facts"
    if getattr(args, "path", None):
        return "--path"
    return None


def _build(args: argparse.Namespace):
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.cli.common import collect_target, knowledge_loader, working
    from keras_doctor.plan.build import build_plan

    facts = collect_target(args)
    loader = knowledge_loader()
    report = run_checks(facts, loader)
    with working(f"Resolving a consistent set for {facts.target.platform}, "
                 f"Python {facts.target.python_version}"):
        plan = build_plan(facts, report, knowledge=_knowledge(loader), new_venv=args.new_venv,
                          upgrade=args.upgrade)
    _explain_limitation(plan)
    return plan


def _explain_limitation(plan) -> None:
    """pip evaluates markers for the machine it runs on: a limitation only when the target is
    another platform, and then the remedy (uv) is named."""
    if plan.resolver != "pip" or not plan.resolver_limitation:
        return
    from keras_doctor.facts.choose import host_platform

    if plan.target.platform == host_platform():
        plan.resolver_limitation = None
        return
    plan.resolver_limitation += (
        "; uv answers exactly for the target: pip install 'keras-doctor[uv]', or install "
        "keras-doctor with `uv tool install keras-doctor`")


def _knowledge(loader) -> Any:
    try:
        return loader() if loader else None
    except Exception:  # no data in this build: the plan falls back on installed versions
        return None


def _print_plan(plan, args: argparse.Namespace) -> int:
    write_output(args, plan_document(plan, None, args))
    return 0 if plan.ok and not plan.steps and not plan.skipped else 1


def plan_document(plan, outcome, args: argparse.Namespace) -> str:
    """The plan (and, after --apply, its outcome) in the chosen format."""
    from keras_doctor.cli.common import output_format
    from keras_doctor.plan.show import plan_lines
    from keras_doctor.render.document import document

    lines = plan_lines(plan, _terminal_width(args)) if plan is not None else []
    chosen = getattr(args, "target_choice", None)
    if chosen is not None and lines:
        lines.insert(1, f"  (examined {chosen.reason})")
    if outcome is None and plan is not None and plan.ok and any(s.runnable for s in plan.steps):
        lines += ["", "Dry run: nothing was changed. Run again with --apply to carry it out."]
    if outcome is not None:
        lines += ["", f"{outcome.status}: {outcome.message}"]
        if outcome.transaction:
            lines.append(f"  transaction: {outcome.transaction}")
        if outcome.declined:
            lines.append(f"  declined steps: {', '.join(map(str, outcome.declined))}")
    if outcome is None and plan is not None:
        data: Any = plan.to_dict()
    else:
        data = {"plan": plan.to_dict() if plan else None,
                "outcome": outcome.to_dict() if outcome else None}
    quiet = lines[-1] if lines else ""
    return document(output_format(args).replace("terminal", "text"), title="keras-doctor fix",
                    lines=lines, data=data, markdown=_plan_markdown(plan, lines),
                    quiet_line=quiet, quiet=getattr(args, "quiet", False))


def _terminal_width(args: argparse.Namespace) -> Optional[int]:
    """The window's width when the plan is shown as text to a person on a terminal, else None
    (a pipe, a log, `-o FILE`: one line per command, to grep and copy)."""
    from keras_doctor.cli.common import output_format
    from keras_doctor.render.styled import output_width

    if output_format(args) != "terminal" or getattr(args, "output", None) not in (None, "-"):
        return None
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return output_width(sys.stdout, None)


def _plan_markdown(plan, lines) -> Optional[str]:
    if plan is None:
        return None
    import shlex

    out = ["## keras-doctor fix", "", f"**Target:** `{plan.target.python or plan.target.prefix}` "
           f"({plan.target.platform}, Python {plan.target.python_version})", ""]
    if plan.reason:
        out += [f"**Plan {plan.status.value}:** {plan.reason}", ""]
    for number, step in enumerate(plan.steps, 1):
        out.append(f"{number}. {step.summary}" + (" *(asks first)*" if step.destructive else ""))
        if step.argv:
            out += ["", "   ```sh", "   " + shlex.join(step.argv), "   ```"]
        elif step.shell_line:
            out += ["", "   ```sh", "   " + step.shell_line, "   ```"]
        out.append("")
    for skipped in plan.skipped:
        out.append(f"- not done ({skipped.cause}): {skipped.reason}")
    return "\n".join(out)


def _apply(plan, args: argparse.Namespace) -> int:
    from keras_doctor.apply import engine
    from keras_doctor.cli import UsageError
    from keras_doctor.cli.common import output_format
    from keras_doctor.plan.show import plan_lines

    if output_format(args) == "terminal" and not getattr(args, "output", None):
        print("\n".join(plan_lines(plan, _terminal_width(args))), flush=True)
    if not plan.ok:
        return _report(plan, None, args)
    destructive = [s for s in plan.steps if s.destructive and s.runnable]
    if destructive and not args.yes and not sys.stdin.isatty():
        raise UsageError(f"{len(destructive)} step(s) change or remove your files and no terminal "
                         "is attached to ask: rerun with --yes to consent")
    confirm = None if args.yes else _ask
    try:
        outcome = engine.apply_plan(plan, confirm=confirm, verify=_verifier(args),
                                    progress=_progress)
    except KeyboardInterrupt:
        print("keras-doctor: the fix was interrupted; its journal is kept: run `keras-doctor fix "
              "--rollback` to restore the environment, or `--resume` to finish", file=sys.stderr)
        raise
    return _report(plan, outcome, args)


def _finish_pending(args: argparse.Namespace) -> int:
    from keras_doctor.apply import engine, store
    from keras_doctor.cli import UsageError

    wanted = args.rollback if args.rollback is not None else args.resume
    try:
        folder = store.find_transaction(wanted or None)
    except store.UnknownTransaction as exc:
        raise UsageError(str(exc)) from exc
    if folder is None:
        raise UsageError("no interrupted fix to finish")
    if args.python and not _same_interpreter(args.python, store.transaction_python(folder)):
        raise UsageError(f"transaction {folder.name} changed "
                         f"{store.transaction_python(folder) or 'another environment'}, "
                         f"not {args.python}")
    try:
        if args.rollback is not None:
            outcome = engine.rollback(folder)
        else:
            outcome = engine.resume(folder, verify=_verifier(args),
                                    progress=_progress)
    except store.TransactionBusy as exc:
        raise UsageError(str(exc)) from exc
    wanted_status = "rolled-back" if args.rollback is not None else "applied"
    return _report(None, outcome, args, success=(wanted_status,))


def _same_interpreter(given: str, recorded: Optional[str]) -> bool:
    import os

    def where(path: str) -> str:  # a venv's python links to its base: resolve the folder only
        folder, name = os.path.split(os.path.abspath(path))
        return os.path.join(os.path.realpath(folder), name)

    return recorded is not None and where(given) == where(recorded)


def _report(plan, outcome, args: argparse.Namespace,
            success: Tuple[str, ...] = ("applied", "nothing-to-do")) -> int:
    ok = outcome is not None and outcome.status in success
    if output_format(args) == "terminal" and not getattr(args, "output", None):
        if outcome is not None:  # the plan itself was shown before it ran
            write_output(args, plan_document(None, outcome, args).lstrip("\n"))
    else:
        write_output(args, plan_document(plan, outcome, args))
    return 0 if ok else 1


def _verifier(args: argparse.Namespace):
    models = tuple(m.strip() for m in (args.models or "").split(",") if m.strip())

    def verify(python: str) -> Tuple[bool, str]:
        from keras_doctor.checks.registry import run_checks
        from keras_doctor.cli.common import knowledge_loader
        from keras_doctor.facts.collect import collect_python
        from keras_doctor.findings import Severity
        from keras_doctor.knowledge.compat_rules import TF_FAMILY
        from keras_doctor.verify import run_verify

        facts = collect_python(python)
        if not {d.canonical_name for d in facts.distributions} & (TF_FAMILY | {"keras"}):
            # Nothing to import or build a model with: an environment the repair left without
            # TensorFlow or Keras (as it found it) passes when `check` finds no error in it.
            static = run_checks(facts, knowledge_loader())
            failed = [f for f in static.findings if f.severity is Severity.ERROR]
            return (not failed, "; ".join(f"{f.cause}: {f.title}" for f in failed)
                    or "check passed (no TensorFlow or Keras to import)")
        report = run_verify(python, models=models)
        failed = [f for f in report.findings if f.severity is Severity.ERROR]
        return (not failed, "; ".join(f"{f.cause}: {f.title}" for f in failed) or "verify passed")

    return verify


def _ask(step) -> bool:
    answer = input(f"{step.summary}\n  Do this? [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _progress(event: str, position: int, total: int, step, detail: Optional[str]) -> None:
    if event == "start":
        print(f"[{position + 1}/{total}] {step.summary} …", file=sys.stderr, flush=True)
    elif event == "failed":
        print(f"[{position + 1}/{total}] failed: {(detail or '')[-500:]}", file=sys.stderr)
