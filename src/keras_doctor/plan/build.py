"""Build the plan of `keras-doctor fix` from a check report: findings in, ordered steps out.

The order is always the same: interpreter problems first (they make every in-place change
pointless, so the plan becomes a new environment), then packages (one resolution for the whole
set, before anything changes), then files, variables and caches. The checks' own `fix` steps are
advice for people; the plan is rebuilt here from validated data, so nothing read from the
environment reaches a command line unparsed.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.facts.model import Facts
from keras_doctor.findings import Finding, Report
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.plan import files, packages
from keras_doctor.plan.installers import choose_installer, find_uv
from keras_doctor.plan.installers import pin as make_pin
from keras_doctor.plan.interpreters import find_interpreter
from keras_doctor.plan.model import Plan, PlanStatus, PlanTarget
from keras_doctor.plan.new_env import new_environment
from keras_doctor.plan.recommend import installed_versions, recommend_for
from keras_doctor.plan.resolution import Resolver, resolve_into
from keras_doctor.plan.resolve import resolve
from keras_doctor.requirements import applicable, target_environment

# Causes whose fix is another interpreter: nothing done in place can help.
INTERPRETER_CAUSES = ("rosetta-python", "no-wheel-for-python", "externally-managed-python")


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
        plan = new_environment(plan, facts, findings, wrong, new_venv, knowledge, resolver, uv,
                               interpreter_finder)
    elif package_findings:
        installed = installed_versions(facts)
        rec = recommend_for(facts, knowledge)
        requirements = (rec.requirements + _requirers(package_findings, installed)
                        + _dependents(facts, package_findings, installed))
        if resolve_into(plan, requirements, facts, resolver, uv):
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


def _requirers(findings: List[Finding], installed: Dict[str, Version]) -> List[str]:
    """Installed distributions the findings are about, so that their needs count too.

    One to reinstall as it is (wrong architecture, broken metadata) is pinned at its version; one
    whose requirement is broken joins unpinned, its installed version preferred: the resolver
    keeps it when it fits and moves it when only another release fits with TensorFlow.
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
            extra.append(requirer)
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


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])

