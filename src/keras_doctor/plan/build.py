"""Build the plan of `keras-doctor fix` from a check report: findings in, ordered steps out.

The order is always the same: interpreter problems first (they make every in-place change
pointless, so the plan becomes a new environment), then packages (one resolution for the whole
set, before anything changes), then files, variables and caches. The checks' own `fix` steps are
advice for people; the plan is rebuilt here from validated data, so nothing read from the
environment reaches a command line unparsed.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.facts.model import Facts
from keras_doctor.facts.native import native_view, started_under_rosetta
from keras_doctor.findings import Finding, Report, Severity
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.plan import files, packages
from keras_doctor.plan.installers import choose_installer, find_uv
from keras_doctor.plan.installers import pin as make_pin
from keras_doctor.plan.interpreters import InterpreterFinder, find_interpreter
from keras_doctor.plan.model import Plan, PlannedStep, PlanStatus, PlanTarget, StepKind
from keras_doctor.plan.new_env import new_environment
from keras_doctor.plan.recommend import installed_versions, recommend_for
from keras_doctor.plan.resolution import Resolver, resolve_into
from keras_doctor.plan.resolve import pip_platform_tags, resolve
from keras_doctor.requirements import applicable, target_environment

# Causes whose fix is another interpreter: nothing done in place can help.
INTERPRETER_CAUSES = ("rosetta-python", "no-wheel-for-python", "externally-managed-python")


def build_plan(facts: Facts, report: Report, *, knowledge: Any = None,
               new_venv: Optional[str] = None, resolver: Resolver = resolve,
               uv: Optional[str] = None,
               interpreter_finder: InterpreterFinder = find_interpreter,
               upgrade: bool = False) -> Plan:
    """The plan for `facts` and the findings `check` made of them.

    Only findings at warning or error change packages: an informational one (tensorflow-macos
    2.12, the last release of its era) is advice, and a plan that acted on it would trade a
    working environment for another. `upgrade` asks for the newest working set instead of the
    installed TensorFlow, keeping the build and the GPU plugin the environment uses.
    """
    uv = uv if uv is not None else find_uv()
    observed, facts = facts, native_view(facts)
    interp = facts.interpreter
    installer = choose_installer("pip" in interp.installers, uv)
    python = interp.executable or ""
    target = PlanTarget(python=interp.executable, platform=facts.target.platform,
                        python_version=_minor(interp.version),
                        prefix=interp.prefix or facts.target.path,
                        externally_managed=interp.externally_managed, installer=installer)
    plan = Plan(target=target)
    findings = list(report.findings)
    package_findings = [f for f in findings if f.cause in packages.PACKAGE_CAUSES
                        and (upgrade or f.severity is not Severity.INFO)]
    translated = started_under_rosetta(observed)
    wrong = [f for f in findings if f.cause in INTERPRETER_CAUSES
             and (f.cause != "externally-managed-python" or package_findings)
             and not (f.cause == "rosetta-python" and translated)]
    if translated:
        # A universal2 interpreter started as x86_64 over an arm64 environment: one step, taken
        # by the person who starts it. Nothing in the environment changes.
        plan.skipped += [files.skipped(f, "start the interpreter natively; the environment "
                                          "itself is arm64 and stays as it is")
                         for f in findings if f.cause == "rosetta-python"]
    installed = installed_versions(facts)
    backend = _backend_to_install(findings, installed)
    if wrong or new_venv:
        plan = new_environment(plan, facts, findings, wrong, new_venv, knowledge, resolver, uv,
                               interpreter_finder)
    elif package_findings or upgrade or backend:
        # In place, only `upgrade` may bring a TensorFlow the environment does not have, or a
        # GPU plugin installed without one: that finding asks for the TensorFlow it loads with.
        # (An installed TensorFlow is kept whatever may be proposed.)
        metal_mismatch = any(f.cause == "metal-plugin-mismatch" for f in package_findings)
        rec = recommend_for(facts, knowledge, upgrade=upgrade,
                            propose_tensorflow=upgrade or metal_mismatch)
        dependents = _dependents(facts, package_findings, installed)
        held = _requirers(package_findings, installed, hold=True)
        loose = _requirers(package_findings, installed)
        attempts = [rec.requirements + held + _not_named(dependents, held)]
        if loose != held:
            attempts.append(rec.requirements + loose + _not_named(dependents, loose))
        if backend is not None:
            # Keras 3 with no backend at all: the one it is set to, at the newest release that
            # works with the installed Keras (the resolver picks it; Keras stays).
            attempts = [[*a, *_not_named([backend, f"keras=={installed['keras']}"], a)]
                        for a in attempts]
            package_findings += [f for f in findings if f.cause == "keras-backend-unavailable"]
        if not attempts[0]:
            plan.skipped += [files.skipped(f, "no TensorFlow is installed and the finding names no "
                                              "installed distribution to repair in place; "
                                              "`keras-doctor fix --upgrade` or `--new-venv` "
                                              "proposes a working set")
                             for f in package_findings]
        elif _resolve_first(plan, attempts, facts, resolver, uv):
            plan.steps += packages.package_steps(package_findings, installed, plan.resolved,
                                                 installer=installer, python=python, uv=uv,
                                                 kept_tensorflow=rec.tensorflow)
            covered = {c for s in plan.steps for c in s.resolves}
            plan.skipped += [files.skipped(f, "the resolved set changes nothing for it")
                             for f in package_findings if f.cause not in covered]
    if plan.ok:
        _add_file_steps(plan, set(installed), findings, installer, "pip" in interp.installers,
                        python, uv)
    plan.resolves = sorted({c for s in plan.steps for c in s.resolves})
    if plan.ok and not interp.executable and plan.steps:
        plan.steps = [_for_folder(step, facts) for step in plan.steps]
        plan.status = PlanStatus.REFUSED
        plan.reason = (f"{facts.target.path} is a folder, not an interpreter's environment: the "
                       "plan is shown, never applied (use --python to fix an environment)")
    return plan


def _for_folder(step: PlannedStep, facts: Facts) -> PlannedStep:
    """A step as it would be done to a bare site-packages folder: pip's --target layout for the
    folder's platform and Python, and uninstalls as the files to delete (pip cannot uninstall
    from a --target folder)."""
    from dataclasses import replace

    folder = facts.target.path or "DIR"
    if step.kind is StepKind.INSTALL:
        argv = ["python", "-m", "pip", "install", "--no-deps", "--upgrade", "--only-binary=:all:"]
        for tag in pip_platform_tags(facts.target.platform, facts.platform.os_version):
            argv += ["--platform", tag]
        argv += ["--python-version", _minor(facts.target.python_version), "--implementation",
                 "cp", "--target", folder, *step.pins]
        return replace(step, argv=argv)
    if step.kind is StepKind.UNINSTALL:
        return replace(step, argv=None, summary=step.summary + f" (delete their files and "
                                                              f".dist-info folders from {folder})")
    return step


def _backend_to_install(findings: List[Finding], installed: Dict[str, Version]) -> Optional[str]:
    """The backend Keras 3 is set to, when no backend at all is installed: installing it is the
    finding's fix (with another backend installed, pointing Keras at it is, a file step)."""
    for finding in findings:
        backend = finding.evidence.get("backend")
        if finding.cause == "keras-backend-unavailable" and "keras" in installed \
                and finding.evidence.get("installed_backends") == [] \
                and backend in files.KNOWN_BACKENDS and not set(installed) & TF_FAMILY:
            return str(backend)
    return None


def _add_file_steps(plan: Plan, installed_names: Set[str], findings: List[Finding],
                    installer: str, has_pip: bool, python: str, uv: Optional[str]) -> None:
    covered = {c for step in plan.steps for c in step.resolves}
    for finding in findings:
        if finding.cause in packages.PACKAGE_CAUSES or finding.cause in INTERPRETER_CAUSES \
                or finding.severity is Severity.INFO or finding.cause in covered:
            continue
        steps, skipped = files.file_steps(finding, installed=installed_names,
                                          installer=installer, has_pip=has_pip, python=python,
                                          uv=uv)
        plan.steps += [s for s in steps if s not in plan.steps]
        plan.skipped += skipped


def _resolve_first(plan: Plan, attempts: List[List[str]], facts: Facts, resolver: Resolver,
                   uv: Optional[str]) -> bool:
    """Resolve the first requirement set that has a solution, most conservative first; the last
    set's failure is the one reported."""
    for requirements in attempts:
        plan.status, plan.reason = PlanStatus.OK, None
        if resolve_into(plan, requirements, facts, resolver, uv):
            return True
    return False


def _requirers(findings: List[Finding], installed: Dict[str, Version], *,
               hold: bool = False) -> List[str]:
    """Installed distributions the findings are about, so that their needs count too.

    One to reinstall as it is (wrong architecture, broken metadata) is pinned at its version. One
    whose requirement is broken is pinned at its version when `hold` (the first attempt: the
    distribution that violates its requirement moves into its range, it stays), else joins
    unpinned, its installed version preferred: the resolver keeps it when it fits and moves it
    when only another release fits with TensorFlow.
    """
    extra = []
    for finding in findings:
        if finding.cause in ("mixed-arch-binary", "broken-metadata"):
            extra += [make_pin(n, str(installed[n])) for n in sorted(packages.named_in(finding))
                      if n in installed and n not in TF_FAMILY]
            continue
        raw = finding.evidence.get("requirer")
        requirer = canonicalize_name(raw) if isinstance(raw, str) else None
        if requirer and requirer in installed and requirer not in TF_FAMILY:
            extra.append(make_pin(requirer, str(installed[requirer])) if hold else requirer)
    return list(dict.fromkeys(extra))


def _dependents(facts: Facts, findings: List[Finding], installed: Dict[str, Version]) -> List[str]:
    """Installed distributions that depend on a name the fix may change, unpinned.

    Resolved with the installed versions as preferences, they keep their version when it fits and
    move when it cannot: a fix that repairs TensorFlow must not silently break the user's other
    packages (nor succeed only by ignoring them).
    """
    changing = {n for f in findings for n in packages.named_in(f)}
    environment = target_environment(facts.interpreter.marker_environment)
    found = []
    for dist in facts.distributions:
        name = canonicalize_name(dist.name)
        if name not in installed or name in TF_FAMILY or name in changing:
            continue
        if any(canonicalize_name(req.name) in changing
               for req in applicable(dist.requires_dist, environment)):
            found.append(name)
    return sorted(set(found))


def _not_named(requirements: List[str], already: List[str]) -> List[str]:
    """`requirements` without those on a distribution `already` names (its pin says it all)."""
    named = {canonicalize_name(Requirement(r).name) for r in already}
    return [r for r in requirements if canonicalize_name(Requirement(r).name) not in named]


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])

