"""What every output format agrees on: how a report is grouped, counted, ranked and summarised.

The terminal, Markdown and HTML renderers differ in markup only. Deciding which area a finding
belongs to, what "14 checks" means, how an explain report is ranked or how a fix step reads as a
shell line happens here, once, so the formats can never disagree about the facts they show.
Nothing here imports `rich`: the JSON path and the notebook path stay light.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

from keras_doctor.causes import AREAS, CATALOG
from keras_doctor.findings import Finding, FixStep, Passed, Report, Severity, Skipped, StepKind

if TYPE_CHECKING:
    from keras_doctor.render.groups import Block

OTHER_AREA = "other"
VERIFY_AREA = "verify"

SEVERITY_WORDS = {
    Severity.ERROR: ("error", "errors"),
    Severity.WARNING: ("warning", "warnings"),
    Severity.INFO: ("note", "notes"),
}


@dataclass
class AreaView:
    """One area of a check report: its findings (worst first), passes and skips."""

    key: str
    title: str
    findings: List[Finding] = field(default_factory=list)
    passed: List[Passed] = field(default_factory=list)
    skipped: List[Skipped] = field(default_factory=list)
    blocks: List[Block] = field(default_factory=list)  # root causes shown in this area
    failed_steps: int = 0  # verify steps of this area that failed, crashed or timed out

    @property
    def worst(self) -> Optional[Severity]:
        if not self.findings:
            return Severity.ERROR if self.failed_steps else None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    @property
    def status(self) -> str:
        """`error`, `warning`, `info`, `passed` or `skipped`: what the area's header shows."""
        worst = self.worst
        if worst is not None:
            return worst.value
        return "passed" if self.passed or not self.skipped else "skipped"

    @property
    def healthy(self) -> bool:
        return self.worst is None

    @property
    def folded(self) -> List[Finding]:
        """Findings of this area shown under a root cause in another area."""
        shown = {id(f) for block in self.blocks for f in block.findings}
        return [f for f in self.findings if id(f) not in shown]


def _groups() -> Any:
    """render.groups, imported when a view needs blocks (the JSON of a ranked report never
    does, and it pulls in packaging and the plan's models)."""
    from keras_doctor.render import groups

    return groups


def _steps() -> Any:
    from keras_doctor.render import steps

    return steps


def _shell_line(*args: Any, **kwargs: Any) -> str:
    from keras_doctor.render.shell import shell_line

    return shell_line(*args, **kwargs)


def area_of(finding: Finding) -> str:
    cause = CATALOG.get(finding.cause)
    return cause.area if cause is not None else OTHER_AREA


def area_title(key: str) -> str:
    if key in AREAS:
        return AREAS[key]
    return "Other" if key == OTHER_AREA else key.replace("-", " ").replace("_", " ").capitalize()


def group_by_area(report: Report) -> List[AreaView]:
    """Areas with problems first (worst first), then the healthy ones, each group in catalog order
    (unknown areas after, in order of appearance); empty areas omitted. Each area holds the blocks
    (root cause, consequences, one fix) whose root belongs to it."""
    views: Dict[str, AreaView] = {}

    def view(key: str) -> AreaView:
        if key not in views:
            views[key] = AreaView(key, area_title(key))
        return views[key]

    for finding in by_severity(report.findings):
        view(area_of(finding)).findings.append(finding)
    for passed in report.passed:
        view(passed.area or OTHER_AREA).passed.append(passed)
    for skipped in report.skipped:
        view(skipped.area or OTHER_AREA).skipped.append(skipped)
    for block in _groups().build_blocks(report):
        view(area_of(block.root)).blocks.append(block)
    failed = sum(1 for step in _steps().report_steps(report)
                 if _steps().step_status(step) == "failed")
    if failed:
        view(VERIFY_AREA).failed_steps = failed
    order = {key: index for index, key in enumerate(AREAS)}
    return sorted(views.values(), key=lambda v: (
        -(v.worst.rank + 1 if v.worst is not None else 0), order.get(v.key, len(order))))


def by_severity(findings: Sequence[Finding]) -> List[Finding]:
    """Worst first; equal severities keep the order the checks produced them in."""
    return sorted(findings, key=lambda f: -f.severity.rank)


def ranked(findings: Sequence[Finding]) -> List[Finding]:
    """Explain order: highest confidence first, findings without a confidence last, ties stable."""
    return sorted(findings, key=lambda f: -(f.confidence if f.confidence is not None else -1.0))


def is_ranked(report: Report) -> bool:
    return report.command == "explain"


def ordered(report: Report) -> List[Finding]:
    """The order every format lists findings in: most likely first for explain, else worst first."""
    return ranked(report.findings) if is_ranked(report) else by_severity(report.findings)


def percent(confidence: Optional[float]) -> str:
    """A likelihood as a person reads it; short of certainty it never rounds up to 100 %."""
    if confidence is None:
        return "?"
    shown = round(max(0.0, min(1.0, confidence)) * 100)
    return f"{min(shown, 99) if confidence < 1.0 else 100}%"


# -- counts and the summary line -------------------------------------------------------------------


def checks_run(report: Report) -> int:
    """Checks that ran: those that passed plus each distinct check that reported a finding."""
    reporting = {f.check for f in report.findings if f.check}
    return len({p.check for p in report.passed} | reporting)


def summary_counts(report: Report) -> Dict[str, Any]:
    """Finding-level counts (what scripts have always read) and what a person is shown: the
    problems (one per root-cause block, by the block's worst severity) and how many findings are
    folded under them."""
    counts = report.counts()
    problems = problem_counts(report)
    return {
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
        "checks_run": checks_run(report),
        "passed": len(report.passed),
        "skipped": len(report.skipped),
        "problems": {"errors": problems["error"], "warnings": problems["warning"],
                     "infos": problems["info"]},
        "folded": len(report.findings) - sum(problems.values()),
    }


def problem_counts(report: Report) -> Dict[str, int]:
    """Problems by severity: each root-cause block counts once, at the worst severity of what it
    holds (a warning-level root with errors folded under it is an error); explain's possible
    causes are not grouped, so each counts once."""
    counts = {severity.value: 0 for severity in Severity}
    if is_ranked(report):
        for finding in report.findings:
            counts[finding.severity.value] += 1
    else:
        for block in _groups().build_blocks(report):
            counts[block.worst.value] += 1
    return counts


def folded_count(report: Report) -> int:
    """Findings folded under a root cause, so not counted as problems of their own."""
    return 0 if is_ranked(report) else len(report.findings) - len(_groups().build_blocks(report))


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def severity_phrase(report: Report) -> str:
    """'2 errors, 1 warning (and 24 consequences folded under them)': the problems a person is
    shown, one per root-cause block, and how many findings are folded under them; '' when there
    are no findings."""
    counts = problem_counts(report)
    parts = [
        plural(counts[severity.value], *SEVERITY_WORDS[severity])
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[severity.value]
    ]
    phrase = ", ".join(parts)
    folded = folded_count(report)
    if folded:
        blocks = _groups().build_blocks(report)
        word = ("consequence", "consequences") if not any(b.same_fix for b in blocks) \
            else ("related finding", "related findings")
        under = "it" if sum(counts.values()) == 1 else "them"
        phrase += f" (and {plural(folded, *word)} folded under {under})"
    return phrase


def causes_hint(report: Report) -> str:
    if is_ranked(report):
        ids = [f.cause for f in ranked(report.findings)]
    else:
        ids = [block.root.cause for block in _groups().build_blocks(report)]
    if not ids:
        return ""
    return f"keras-doctor causes {ids[0]}"


def _confirmed_fix_hint(report: Report) -> str:
    """`keras-doctor fix --python …` when explain's most likely cause was confirmed on the
    environment's facts by a check, so `fix` on that environment finds it and repairs it."""
    top = ranked(report.findings)[0] if report.findings else None
    if top is None or not top.evidence.get("confirmed_by"):
        return ""
    if not any(step.kind is not StepKind.MANUAL for step in top.fix):
        return ""
    command = _groups().plan_command(report)
    return _shell_line(command) if command else ""


def fix_hint(report: Report) -> str:
    """`keras-doctor fix --python …` when a fix exists for this report's target, else ''."""
    if is_ranked(report) or report.command not in ("check", "verify", "report"):
        return ""
    command = _groups().plan_command(report)
    if command is None or not _groups().has_fix(report, _groups().build_blocks(report)):
        return ""
    return _shell_line(command)


def next_hint(report: Report) -> str:
    """The one command the summary names: the fix's dry run when there is one, else the root
    cause's long explanation."""
    return fix_hint(report) or causes_hint(report)


def next_phrase(report: Report, code: str) -> str:
    fix = fix_hint(report)
    if fix:
        return f"next: {code.format(fix)} shows the repair (a dry run; add --apply to carry it out)"
    hint = causes_hint(report)
    return f"run {code.format(hint)} for details" if hint else ""


def summary_line(report: Report, *, code: str = "`{}`") -> str:
    """The closing line: "2 errors, 1 warning in 14 checks — run `keras-doctor causes ID` …"."""
    problems = severity_phrase(report)
    if is_ranked(report):
        if not problems:
            return "No known cause matches this error."
        count = plural(len(report.findings), "possible cause", "possible causes")
        if len(report.findings) > 1:
            count += ", most likely first"
        fix = _confirmed_fix_hint(report)
        if fix:
            return (f"{count} — next: {code.format(fix)} shows the repair (a dry run; add --apply "
                    f"to carry it out); {code.format(causes_hint(report))} for details")
        return f"{count} — run {code.format(causes_hint(report))} for details"
    steps = _steps().report_steps(report)
    scope, failed = "", 0
    if steps:
        failed = sum(1 for step in steps if _steps().step_status(step) == "failed")
        scope = f"{failed} of {plural(len(steps), 'step', 'steps')} failed"
    elif checks_run(report) or report.skipped:
        scope = plural(checks_run(report), "check", "checks")
        if report.skipped:
            scope += f" ({len(report.skipped)} skipped)"
    if not problems:
        if steps:
            return f"{scope}." if failed else "No problems found; no step failed."
        if nothing_installed(report.target):
            where = report.target.get("path") or "this environment"
            return (f"No problems found in {scope or 'the checks'}, but neither TensorFlow nor "
                    f"Keras is installed in {where}: check the interpreter you run your code "
                    "with (--python PATH).")
        return f"No problems found in {scope}." if scope else "No problems found."
    if scope:
        problems += f"; {scope}" if steps else f" in {scope}"
    if nothing_installed(report.target):
        problems += (" — and neither TensorFlow nor Keras is installed in "
                     f"{report.target.get('path') or 'this environment'}")
    return f"{problems} — {next_phrase(report, code)}"


# -- the target ------------------------------------------------------------------------------------


def describe_target(target: Mapping[str, Any]) -> str:
    """"Python 3.11.7 at /venv/bin/python (macos-arm64)"; '' when the report has no target."""
    if not target:
        return ""
    version = target.get("python_version")
    where = target.get("path") or target.get("executable")
    platform = target.get("platform")
    mode = target.get("mode")
    python = f"Python {version}" if version else "Python"
    if mode == "path":
        text = f"site-packages at {where} for {python}" if where else f"a folder for {python}"
    else:
        text = f"{python} at {where}" if where else python
    if platform:
        text += f" ({platform})"
    if mode == "facts":
        text += ", from saved facts"
    return text


def frameworks_phrase(target: Mapping[str, Any]) -> str:
    """"TensorFlow 2.15.1 (tensorflow-cpu) and Keras 3.5.0", or a plain statement that they are
    not installed; '' when the report does not say."""
    frameworks = target.get("frameworks") if target else None
    if not isinstance(frameworks, Mapping):
        return ""
    shown = []
    for key, label in (("tensorflow", "TensorFlow"), ("keras", "Keras")):
        item = frameworks.get(key)
        if isinstance(item, Mapping) and item.get("version"):
            name = item.get("name")
            plain = key if key == "tensorflow" else "keras"
            extra = f" ({name})" if name and name != plain else ""
            shown.append(f"{label} {item['version']}{extra}")
    if not shown:
        return "neither TensorFlow nor Keras is installed here"
    if len(shown) == 1:
        missing = "Keras" if shown[0].startswith("TensorFlow") else "TensorFlow"
        return f"{shown[0]}; {missing} is not installed"
    return " and ".join(shown)


def environment_line(target: Mapping[str, Any]) -> str:
    """Second header line: how the target was chosen, and what it holds of TensorFlow and Keras."""
    if not target:
        return ""
    parts = []
    chosen = target.get("chosen")
    if isinstance(chosen, str) and chosen:
        parts.append(f"examined {chosen}" if chosen != "--python" else "given with --python")
    held = frameworks_phrase(target)
    if held:
        parts.append(held)
    return "; ".join(parts)


def nothing_installed(target: Mapping[str, Any]) -> bool:
    frameworks = target.get("frameworks") if target else None
    return isinstance(frameworks, Mapping) and not any(frameworks.values())


# -- fix steps -------------------------------------------------------------------------------------


def step_code(step: FixStep, *, windows: bool = False) -> Optional[str]:
    """The exact line to copy for RUN and ENV steps; None for steps a person carries out."""
    if not step.command:
        return None
    if step.kind is StepKind.RUN:
        return _shell_line(step.command, windows=windows)
    if step.kind is StepKind.ENV:
        return " ".join(str(part) for part in step.command)
    return None


def step_target(step: FixStep) -> Optional[str]:
    """The file an EDIT or MANUAL step is about (RUN/ENV steps show their command instead)."""
    if step.kind in (StepKind.EDIT, StepKind.MANUAL):
        return step.target
    return None
