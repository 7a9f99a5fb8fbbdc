"""Build the plan of `keras-doctor fix` from a check report: findings in, ordered steps out.

The order is always the same: interpreter problems first (they make every in-place change
pointless, so the plan becomes a new environment), then packages (one resolution for the whole
set, before anything changes), then files, variables and caches. The checks' own `fix` steps are
advice for people; the plan is rebuilt here from validated data, so nothing read from the
environment reaches a command line unparsed.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.facts.model import Facts
from keras_doctor.findings import Finding, Report
from keras_doctor.plan import files, packages
from keras_doctor.plan.installers import choose_installer, find_uv, install_argv, new_venv_argv
from keras_doctor.plan.installers import pin as make_pin
from keras_doctor.plan.installers import venv_python as venv_python_of
from keras_doctor.plan.interpreters import find_interpreter, install_advice
from keras_doctor.plan.model import Plan, PlannedStep, PlanStatus, PlanTarget, SkippedStep, StepKind
from keras_doctor.plan.recommend import (
    TF_FAMILY,
    has_wheel,
    installed_versions,
    recommend_for,
)
from keras_doctor.plan.resolve import Resolution, resolve

# Causes whose fix is another interpreter: nothing done in place can help.
INTERPRETER_CAUSES = ("rosetta-python", "no-wheel-for-python", "externally-managed-python")
Resolver = Callable[..., Resolution]
# Python versions worth advising, newest first, when no interpreter on the machine fits.
CANDIDATE_MINORS = ("3.13", "3.12", "3.11", "3.10", "3.9")


def build_plan(facts: Facts, report: Report, *, knowledge: Any = None,
               new_venv: Optional[str] = None, resolver: Resolver = resolve,
               uv: Optional[str] = None, interpreter_finder=find_interpreter) -> Plan:
    uv = uv if uv is not None else find_uv()
    interp = facts.interpreter
    installer = choose_installer("pip" in interp.installers, uv)
    python = interp.executable or ""
    target = PlanTarget(python=interp.executable, platform=facts.target.platform,
                        python_version=_minor(interp.version),
                        prefix=interp.prefix or facts.target.path,
                        externally_managed=interp.externally_managed, installer=installer)
    plan = Plan(target=target)
    findings = list(report.findings)
    package_findings = [f for f in findings if f.cause in packages.PACKAGE_CAUSES]
    wrong = [f for f in findings if f.cause in INTERPRETER_CAUSES
             and (f.cause != "externally-managed-python" or package_findings)]
    if wrong or new_venv:
        plan = _new_environment(plan, facts, findings, wrong, new_venv, knowledge, resolver, uv,
                                interpreter_finder)
    elif package_findings:
        installed = installed_versions(facts)
        rec = recommend_for(facts, knowledge)
        requirements = (rec.requirements + _requirers(package_findings, installed)
                        + _dependents(facts, package_findings, installed))
        if _resolve_into(plan, requirements, facts, resolver, uv):
            plan.steps += packages.package_steps(package_findings, installed, plan.resolved,
                                                 installer=installer, python=python, uv=uv,
                                                 kept_tensorflow=rec.tensorflow)
            covered = {c for s in plan.steps for c in s.resolves}
            plan.skipped += [files.skipped(f, "the resolved set changes nothing for it")
                             for f in package_findings if f.cause not in covered]
    if plan.ok:
        _add_file_steps(plan, facts, findings, installer, python, uv)
    plan.resolves = sorted({c for s in plan.steps for c in s.resolves})
    if plan.ok and not interp.executable and plan.steps:
        plan.status = PlanStatus.REFUSED
        plan.reason = (f"{facts.target.path} is a folder, not an interpreter's environment: the "
                       "plan is shown, never applied (use --python to fix an environment)")
    return plan


def _add_file_steps(plan: Plan, facts: Facts, findings: List[Finding], installer: str,
                    python: str, uv: Optional[str]) -> None:
    installed_names = set(installed_versions(facts))
    for finding in findings:
        if finding.cause in packages.PACKAGE_CAUSES or finding.cause in INTERPRETER_CAUSES:
            continue
        steps, skipped = files.file_steps(finding, installed=installed_names,
                                          installer=installer, python=python, uv=uv)
        plan.steps += [s for s in steps if s not in plan.steps]
        plan.skipped += skipped


def _new_environment(plan: Plan, facts: Facts, findings: List[Finding], wrong: List[Finding],
                     dest: Optional[str], knowledge: Any, resolver: Resolver, uv: Optional[str],
                     interpreter_finder) -> Plan:
    platform = facts.target.platform
    reasons = "; ".join(f.title for f in wrong) or "a fresh environment was asked for"
    anchored = recommend_for(facts, knowledge)

    def keeps_installed(minor: str) -> bool:
        """The installed TensorFlow, at its version, resolves there: the least surprising base."""
        return (bool(anchored.requirements)
                and has_wheel(knowledge, anchored, platform, minor)
                and resolver(anchored.requirements, platform, minor, uv=uv).ok)

    checked: Dict[str, bool] = {}

    def has_wheels(minor: str) -> bool:
        if minor not in checked:
            rec = recommend_for(facts, knowledge, python_version=minor)
            checked[minor] = bool(rec.requirements) and resolver(
                rec.requirements, platform, minor, uv=uv).ok
        return checked[minor]

    base = interpreter_finder(platform, keeps_installed) if anchored.requirements else None
    base = base or interpreter_finder(platform, has_wheels)
    if base is None:
        plan.status = PlanStatus.REFUSED
        plan.reason = (f"{reasons}. No interpreter on this machine is native to {platform} and "
                       "has TensorFlow wheels")
        newest = next((m for m in CANDIDATE_MINORS if has_wheels(m)), None)
        minors = [newest] if newest else []
        plan.skipped.append(SkippedStep("no-wheel-for-python", "install a suitable Python first",
                                        install_advice(platform, minors)))
        return plan
    if not dest:
        plan.status = PlanStatus.REFUSED
        plan.reason = (f"{reasons}. This environment cannot be repaired in place: build a new one "
                       f"from {base.executable} (Python {base.version}) with --new-venv PATH")
        return plan
    dest = os.path.abspath(dest)
    if os.path.exists(dest) and os.listdir(dest):
        plan.status = PlanStatus.REFUSED
        plan.reason = f"{dest} already exists and is not empty; choose a new folder"
        return plan
    plan.target = PlanTarget(python=plan.target.python, platform=platform,
                             python_version=base.minor, prefix=dest,
                             installer="uv" if uv else "pip")
    rec = recommend_for(facts, knowledge, python_version=base.minor)
    if not _resolve_into(plan, rec.requirements, facts, resolver, uv, python_version=base.minor):
        return plan
    new_python = venv_python_of(dest)
    pins = [make_pin(n, v) for n, v in sorted(plan.resolved.items())]
    resolves = sorted({f.cause for f in wrong})
    plan.steps = [
        PlannedStep(StepKind.NEW_VENV, f"Create a new environment at {dest} from "
                    f"{base.executable} (Python {base.version}, {base.machine})",
                    argv=new_venv_argv(uv, base.executable, dest), resolves=resolves, dest=dest),
        PlannedStep(StepKind.INSTALL, f"Install the resolved set ({len(pins)} distributions) "
                    "into it", argv=install_argv("uv" if uv else "pip", new_python, pins, uv),
                    resolves=resolves, names=sorted(plan.resolved), pins=pins),
    ]
    plan.skipped += [files.skipped(f, "fixed by the new environment, not in place")
                     for f in findings if f.cause in packages.PACKAGE_CAUSES]
    return plan


def _resolve_into(plan: Plan, requirements: List[str], facts: Facts, resolver: Resolver,
                  uv: Optional[str], python_version: Optional[str] = None) -> bool:
    plan.requirements = list(dict.fromkeys(requirements))
    if not plan.requirements:
        plan.status = PlanStatus.UNRESOLVABLE
        plan.reason = ("no requirement set to resolve: no TensorFlow is installed and the "
                       "knowledge base has no recommendation for this platform")
        return False
    in_place = python_version is None
    result = resolver(plan.requirements, facts.target.platform,
                      python_version or plan.target.python_version,
                      macos_version=facts.platform.os_version
                      if facts.target.platform.startswith("macos") else None, uv=uv,
                      preferences={n: str(v) for n, v in installed_versions(facts).items()}
                      if in_place else None,
                      pip_python=facts.interpreter.executable
                      if "pip" in facts.interpreter.installers else None)
    plan.resolver, plan.resolver_limitation = result.resolver, result.limitation
    if not result.ok:
        plan.status = PlanStatus.UNRESOLVABLE
        plan.reason = result.error
        return False
    plan.resolved = dict(sorted(result.pins.items()))
    return True


def _requirers(findings: List[Finding], installed: Dict[str, Version]) -> List[str]:
    """Installed distributions a finding is about, kept at their version so their needs count."""
    extra = []
    to_change = {n for f in findings if f.cause not in ("mixed-arch-binary", "broken-metadata")
                 for n in packages.named_in(f)}
    for finding in findings:
        names = packages.named_in(finding)
        raw = finding.evidence.get("requirer")
        requirer = canonicalize_name(raw) if isinstance(raw, str) else None
        if requirer:
            names.add(requirer)
        for name in sorted(names):
            if name in TF_FAMILY or name not in installed:
                continue
            if finding.cause in ("mixed-arch-binary", "broken-metadata") or (
                    name == requirer and name not in to_change):
                extra.append(make_pin(name, str(installed[name])))
    return extra


def _dependents(facts: Facts, findings: List[Finding], installed: Dict[str, Version]) -> List[str]:
    """Installed distributions that depend on a name the fix may change, unpinned.

    Resolved with the installed versions as preferences, they keep their version when it fits and
    move when it cannot: a fix that repairs TensorFlow must not silently break the user's other
    packages (nor succeed only by ignoring them).
    """
    changing = {n for f in findings for n in packages.named_in(f)}
    environment = dict(facts.interpreter.marker_environment, extra="")
    found = []
    for dist in facts.distributions:
        name = canonicalize_name(dist.name)
        if name not in installed or name in TF_FAMILY or name in changing:
            continue
        for text in dist.requires_dist:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if canonicalize_name(req.name) not in changing:
                continue
            if req.marker is None or not environment or req.marker.evaluate(environment):
                found.append(name)
                break
    return sorted(set(found))


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])

