"""Findings folded into blocks a person acts on: one root cause, its consequences, one fix.

A broken stack shows up as many findings with one origin: Keras 3 installed over TensorFlow 2.15
is one `keras-tf-version-skew`, and the three `missing-dependency` findings for what Keras 3 needs
vanish when Keras goes back to 2.15. Listing them side by side, each with its own install command,
buries the one that matters and invites fixes that make things worse. So every format shows blocks:

- the **root** is the finding that blocks the import most directly (`ROOT_ORDER`);
- its **consequences** are missing or conflicting requirements *of* a distribution the root is
  about (the root's fix changes that distribution, so they go away or are installed with it);
- findings whose fix is the same command are one block (h5py of the wrong architecture is both a
  `mixed-arch-binary` and a `wheel-tag-mismatch`, fixed by one reinstall);
- requirements missing for the same distribution are one block with one install command.

The fix of a block is the plan's: when the report carries the plan `keras-doctor fix` would run
(`extra["plan"]`, built by the same planner), its steps are shown and nothing else, so what `check`
prints is what `fix` runs. Without a plan (a saved-facts or foreign-folder target, no resolver at
hand) the block shows its root's own fix steps, de-duplicated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set

from packaging.utils import canonicalize_name

from keras_doctor.findings import Finding, FixStep, Report, Severity, StepKind

# What blocks `import tensorflow` / `import keras` most directly comes first: the wrong
# interpreter or a file hiding the package makes every other repair pointless; then files of the
# wrong build; then version pairings; a missing requirement last, since it is most often the
# echo of one of the above. Causes not listed rank between the pairings and the requirements.
ROOT_ORDER = (
    "wrong-interpreter", "rosetta-python", "externally-managed-python", "no-wheel-for-python",
    "no-wheel-for-platform", "cpu-lacks-avx", "msvc-runtime-missing", "macos-too-old",
    "shadowed-module", "tf-distributions-overlap", "mixed-arch-binary", "wheel-tag-mismatch",
    "broken-metadata", "duplicate-install", "deprecated-distribution", "numpy-abi-mismatch",
    "keras-tf-version-skew", "keras3-required", "metal-plugin-mismatch", "protobuf-mismatch",
    "ml-dtypes-mismatch",
)
ECHO_CAUSES = ("requirement-conflict", "missing-dependency")
# An interpreter that is not the one the environment was built for explains the files that do not
# fit it: under an x86_64 Python started by Rosetta, every arm64 extension is of the wrong
# architecture, the Apple Silicon-only plugin has no build, and TensorFlow lacks AVX; under a
# Python the packages were not built for, every compiled wheel carries the wrong tag. One fix (the
# right interpreter, in a new environment) repairs them all, so they are folded under it.
INTERPRETER_ROOTS = {
    "rosetta-python": ("no-wheel-for-platform", "cpu-lacks-avx", "mixed-arch-binary",
                       "wheel-tag-mismatch"),
    "no-wheel-for-python": ("no-wheel-for-python", "wheel-tag-mismatch"),
}
_RANK = {cause: index for index, cause in enumerate(ROOT_ORDER)}


def root_rank(finding: Finding) -> int:
    if finding.cause in ECHO_CAUSES:
        return len(ROOT_ORDER) + 1 + ECHO_CAUSES.index(finding.cause)
    return _RANK.get(finding.cause, len(ROOT_ORDER))


@dataclass
class Block:
    """One root cause and what it explains, with the single fix shown for all of them."""

    root: Finding
    same_fix: List[Finding] = field(default_factory=list)  # other findings the same fix repairs
    consequences: List[Finding] = field(default_factory=list)  # echoes of the root
    fix: List[FixStep] = field(default_factory=list)
    from_plan: bool = False  # the fix is the plan `keras-doctor fix` runs
    not_done: List[str] = field(default_factory=list)  # why the plan leaves a member to a person

    @property
    def findings(self) -> List[Finding]:
        return [self.root, *self.same_fix, *self.consequences]

    @property
    def causes(self) -> List[str]:
        return list(dict.fromkeys(f.cause for f in self.findings))

    @property
    def worst(self) -> Severity:
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def consequence_line(self) -> str:
        """"and 28 dependencies it needs are absent (six, wheel, …)": the folded findings."""
        if not self.consequences:
            return ""
        explained = [f for f in self.consequences if f.cause not in ECHO_CAUSES]
        echoes = [f for f in self.consequences if f.cause in ECHO_CAUSES]
        missing = [f for f in echoes if f.cause == "missing-dependency"]
        other = [f for f in echoes if f.cause != "missing-dependency"]
        requirers = list(dict.fromkeys(_text(f.evidence, "requirer") or "it" for f in echoes))
        requirer = requirers[0] if len(requirers) == 1 else "they"
        parts = []
        if missing:
            count = len(missing)
            noun = "dependency" if count == 1 else "dependencies"
            verb = "is" if count == 1 else "are"
            if len(requirers) == 1:
                parts.append(f"{count} {noun} {requirer} needs {verb} absent ({_names(missing)})")
            else:  # folded from several distributions: say whose each is
                by_requirer = [
                    f"{who}: {_names([f for f in missing if _text(f.evidence, 'requirer') == who])}"
                    for who in requirers
                    if any(_text(f.evidence, "requirer") == who for f in missing)]
                parts.append(f"{count} {noun} they need {verb} absent ({'; '.join(by_requirer)})")
        if other:
            noun = "requirement" if len(other) == 1 else "requirements"
            parts.append(f"{len(other)} other {noun} of {requirer} not met ({_names(other)})")
        if explained:  # what each finding is about, each package named once
            by_cause: Dict[str, List[str]] = {}
            seen: Set[str] = set()
            for finding in explained:
                names = sorted(subjects(finding)) or finding.title.split()[:1] or [finding.cause]
                fresh = [name for name in names if name not in seen]
                seen.update(fresh)
                if fresh:
                    by_cause.setdefault(finding.cause, []).extend(fresh)
            listing = "; ".join(f"{cause}: {_listed(names)}" for cause, names in by_cause.items())
            noun = "finding" if len(explained) == 1 else "findings"
            parts.append(f"{len(explained)} {noun} it explains ({listing})")
        return "and " + "; ".join(parts)


def _names(findings: Sequence[Finding], limit: int = 6) -> str:
    return _listed([_text(f.evidence, "required") or f.cause for f in findings], limit)


def _listed(names: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _text(evidence: Mapping[str, Any], key: str) -> Optional[str]:
    value = evidence.get(key) if isinstance(evidence, Mapping) else None
    return value if isinstance(value, str) and value else None


def subjects(finding: Finding) -> Set[str]:
    """The distributions a finding is about, as the planner reads them."""
    from keras_doctor.plan.packages import named_in

    try:
        return set(named_in(finding))
    except Exception:  # evidence of an unexpected shape: the finding simply names nothing
        return set()


def _fix_key(finding: Finding) -> Optional[tuple]:
    runnable = tuple(tuple(s.command) for s in finding.fix if s.command)
    return runnable or None


def build_blocks(report: Report) -> List[Block]:
    """The report's findings as blocks, worst and most fundamental first."""
    findings = sorted(report.findings, key=lambda f: (-f.severity.rank, root_rank(f)))
    roots = sorted(findings, key=lambda f: (root_rank(f), -f.severity.rank))
    blocks: List[Block] = []
    placed: Set[int] = set()

    for finding in roots:
        if id(finding) in placed:
            continue
        block = Block(finding)
        placed.add(id(finding))
        blocks.append(block)
        about = subjects(finding)
        key = _fix_key(finding)
        for other in roots:
            if id(other) in placed:
                continue
            requirer = _text(other.evidence, "requirer")
            echo = other.cause in ECHO_CAUSES and finding.cause not in ECHO_CAUSES \
                and requirer and canonicalize_name(requirer) in about
            if echo or other.cause in INTERPRETER_ROOTS.get(finding.cause, ()):
                block.consequences.append(other)
            elif key is not None and _fix_key(other) == key:
                block.same_fix.append(other)
            elif finding.cause == "missing-dependency" and other.cause == "missing-dependency" \
                    and requirer and requirer == _text(finding.evidence, "requirer"):
                block.consequences.append(other)
            else:
                continue
            placed.add(id(other))
    plan = _plan_of(report)
    for block in blocks:
        block.fix = _own_fix(block)
    if plan is not None:
        blocks = _attach_plan(blocks, plan)
    blocks.sort(key=lambda b: (-b.worst.rank, root_rank(b.root)))
    return blocks


def _own_fix(block: Block) -> List[FixStep]:
    """The root's fix, plus what its same-fix partners add; missing requirements of one
    distribution become a single install command."""
    steps: List[FixStep] = []
    seen: Set[Any] = set()
    for finding in [block.root, *block.same_fix]:
        for step in finding.fix:
            key = tuple(step.command) if step.command else step
            if key not in seen:
                seen.add(key)
                steps.append(step)
    if block.root.cause == "missing-dependency" and block.consequences:
        merged = _merged_install([block.root, *block.consequences])
        if merged is not None:
            return [merged]
    return steps


def _merged_install(findings: Sequence[Finding]) -> Optional[FixStep]:
    """One install of every missing requirement, when each finding's fix is one install that
    differs from the others only in what it installs (its last argument)."""
    commands = []
    for finding in findings:
        runs = [s for s in finding.fix if s.kind is StepKind.RUN and s.command]
        if len(runs) != 1:
            return None
        commands.append(list(runs[0].command or ()))
    head = commands[0][:-1]
    if any(command[:-1] != head for command in commands):
        return None
    specs = list(dict.fromkeys(command[-1] for command in commands))
    requirer = _text(findings[0].evidence, "requirer") or "the installed packages"
    return FixStep(f"Install what {requirer} needs", StepKind.RUN, tuple(head + specs))


# -- the plan's steps ------------------------------------------------------------------------------


def _plan_of(report: Report) -> Any:
    data = report.extra.get("plan") if isinstance(report.extra, Mapping) else None
    if not isinstance(data, Mapping):
        return None
    from keras_doctor.plan.model import Plan

    try:
        plan = Plan.from_dict(data)
    except (KeyError, ValueError, TypeError):
        return None
    # Refused with steps: a folder's plan, or a new environment in a folder not named yet; the
    # steps are still the commands to run.
    shown = plan.status.value == "refused" and plan.steps
    return plan if plan.ok or shown else None


def plan_step_as_fix(step: Any) -> FixStep:
    """A planned step as a fix step of a finding: the same argv, the same consent flag."""
    from keras_doctor.plan.model import StepKind as PlanKind

    if step.argv:
        return FixStep(_short(step.summary), StepKind.RUN, tuple(step.argv),
                       destructive=step.destructive)
    if step.kind is PlanKind.SET_ENV and step.shell_line:
        return FixStep(step.summary, StepKind.ENV, (step.shell_line,))
    if step.kind is PlanKind.RENAME:
        return FixStep(step.summary, StepKind.EDIT, target=step.path,
                       destructive=step.destructive)
    return FixStep(step.summary, StepKind.EDIT if step.path else StepKind.MANUAL,
                   target=step.path, destructive=step.destructive)


def _short(summary: str, shown: int = 4) -> str:
    """"Install the resolved versions: a, b, c, d and 25 more": the command lists them all."""
    head, sep, items = summary.partition(": ")
    parts = items.split(", ") if sep else []
    if len(parts) <= shown + 1:
        return summary
    return f"{head}: {', '.join(parts[:shown])} and {len(parts) - shown} more"


def _attach_plan(blocks: List[Block], plan: Any) -> List[Block]:
    """Each block gets the plan steps that repair it; a block wholly repaired by the steps of one
    block above is folded into that block, so one fix is shown once, under one root."""
    ordered = sorted(blocks, key=lambda b: (-b.worst.rank, root_rank(b.root)))
    claimed: Set[int] = set()
    owner: Dict[int, Block] = {}
    folded: Set[int] = set()
    for block in ordered:
        causes = set(block.causes)
        about: Set[str] = set()
        for finding in block.findings:
            about |= subjects(finding)
            requirer = _text(finding.evidence, "requirer")
            if requirer:
                about.add(canonicalize_name(requirer))
        steps = []
        for index, step in enumerate(plan.steps):
            if index in claimed or not causes & set(step.resolves):
                continue
            if step.names and not about & set(step.names) and block.root.cause not in step.resolves:
                continue
            claimed.add(index)
            owner[index] = block
            steps.append(plan_step_as_fix(step))
        skipped = [s for s in plan.skipped if s.cause in causes]
        if steps:
            block.fix, block.from_plan = steps, True
            # A member repaired by the block's own step needs no "not done" note; the root does
            # when no step resolves its cause.
            resolved = {c for i in claimed for c in plan.steps[i].resolves}
            skipped = [s for s in skipped if s.cause == block.root.cause
                       and s.cause not in resolved]
        elif _resolved_elsewhere(block, plan):
            block.fix, block.from_plan = [], True
            fixers = {id(owner[i]): owner[i] for i in owner
                      if causes & set(plan.steps[i].resolves)}
            if len(fixers) == 1 and not skipped:
                host = next(iter(fixers.values()))
                host.consequences.extend(block.findings)
                folded.add(id(block))
                continue
        for item in skipped:
            block.not_done.append(item.reason)
    return [block for block in blocks if id(block) not in folded]


def _resolved_elsewhere(block: Block, plan: Any) -> bool:
    """Every cause of the block is repaired by the plan's steps (claimed by a block above)."""
    resolved = {c for step in plan.steps for c in step.resolves}
    return bool(block.causes) and set(block.causes) <= resolved


def plan_command(report: Report) -> Optional[List[str]]:
    """`keras-doctor fix …` for this report's target, when the target is one `fix` can act on."""
    target = report.target or {}
    mode = target.get("mode")
    path = target.get("path") or target.get("executable")
    if mode in ("python", "running") and path:
        return ["keras-doctor", "fix", "--python", str(path), *_new_venv_option(report)]
    platform, version = target.get("platform"), target.get("python_version")
    if mode == "path" and path and platform and version:
        return ["keras-doctor", "fix", "--path", str(path), "--platform", str(platform),
                "--python-version", str(version)]
    return None


def _new_venv_option(report: Report) -> List[str]:
    """`--new-venv DEST` when the plan builds a new environment: without it `fix` only shows it."""
    data = report.extra.get("plan") if isinstance(report.extra, Mapping) else None
    steps = data.get("steps") if isinstance(data, Mapping) else None
    for step in steps if isinstance(steps, list) else ():
        if isinstance(step, Mapping) and step.get("kind") == "new-venv" and step.get("dest"):
            return ["--new-venv", str(step["dest"])]
    return []


def has_fix(report: Report, blocks: Sequence[Block]) -> bool:
    """Whether `keras-doctor fix` has something to do: a plan with steps, or without a plan a
    finding whose fix is a command or a change to a file."""
    data = report.extra.get("plan") if isinstance(report.extra, Mapping) else None
    if isinstance(data, Mapping) and data.get("status") in ("ok", "refused"):
        return bool(data.get("steps"))
    return any(step.kind is not StepKind.MANUAL for block in blocks for step in block.fix)


def group_counts(blocks: Sequence[Block]) -> Dict[str, int]:
    return {"blocks": len(blocks), "findings": sum(len(b.findings) for b in blocks)}
