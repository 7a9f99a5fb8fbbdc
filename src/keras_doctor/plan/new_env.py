"""The plan when the interpreter itself is the problem, or a fresh environment is asked for.

An x86_64 Python under Rosetta, a Python with no TensorFlow wheels, a system Python that forbids
installs: no change in place helps, so the plan builds a new environment from the best interpreter
on the machine. Best means native to the machine (arm64 on Apple Silicon, whatever the broken
interpreter runs as), and able to keep the user's TensorFlow release; failing that, the newest
Python with a working set. When there is none, the plan says which Python to install.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from keras_doctor.facts.model import Facts
from keras_doctor.findings import Finding
from keras_doctor.plan import files, packages
from keras_doctor.plan.installers import install_argv, new_venv_argv
from keras_doctor.plan.installers import pin as make_pin
from keras_doctor.plan.installers import venv_python as venv_python_of
from keras_doctor.plan.interpreters import Interpreter, InterpreterFinder, install_advice
from keras_doctor.plan.model import Plan, PlannedStep, PlanStatus, PlanTarget, SkippedStep, StepKind
from keras_doctor.plan.recommend import has_wheel, recommend_for
from keras_doctor.plan.resolution import Resolver, resolve_into

# Python versions worth advising, newest first, when no interpreter on the machine fits.
CANDIDATE_MINORS = ("3.13", "3.12", "3.11", "3.10", "3.9")


def native_platform(facts: Facts) -> str:
    """The machine's own platform: an Intel Python on an Apple Silicon Mac runs translated, but
    the environment that replaces it must be arm64."""
    if facts.platform.system == "Darwin" and facts.platform.apple_silicon:
        return "macos-arm64"
    return facts.target.platform



def new_environment(plan: Plan, facts: Facts, findings: List[Finding], wrong: List[Finding],
                     dest: Optional[str], knowledge: Any, resolver: Resolver, uv: Optional[str],
                     interpreter_finder: InterpreterFinder) -> Plan:
    platform = native_platform(facts)
    reasons = "; ".join(f.title for f in wrong) or "a fresh environment was asked for"
    anchored = recommend_for(facts, knowledge, platform=platform)

    def keeps_installed(minor: str) -> bool:
        """The installed TensorFlow, at its version, resolves there: the least surprising base."""
        kept = recommend_for(facts, knowledge, python_version=minor, platform=platform)
        return (bool(anchored.requirements) and kept.tensorflow == anchored.tensorflow
                and kept.requirements[:1] == anchored.requirements[:1] and not kept.lacks_metal
                and has_wheel(knowledge, anchored, platform, minor)
                and resolver(anchored.requirements, platform, minor, uv=uv).ok)

    checked: Dict[str, bool] = {}

    def has_wheels(minor: str) -> bool:
        if minor not in checked:
            rec = recommend_for(facts, knowledge, python_version=minor, platform=platform)
            checked[minor] = bool(rec.requirements) and not rec.lacks_metal and resolver(
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
        cause = wrong[0].cause if wrong else "no-wheel-for-python"
        plan.skipped.append(SkippedStep(cause, "install a suitable Python first",
                                        install_advice(platform, minors)))
        return plan
    if not dest:
        # The steps are shown for a folder nobody asked for, so they are never carried out: the
        # person reruns with --new-venv, this folder or another.
        suggested = suggested_destination(facts, base.minor, platform)
        if suggested is None:
            plan.status = PlanStatus.REFUSED
            plan.reason = (f"{reasons}. This environment cannot be repaired in place: build a new "
                           f"one from {base.executable} (Python {base.version}) with --new-venv "
                           "PATH")
            return plan
        plan = _build(plan, facts, findings, wrong, suggested, base, knowledge, resolver, uv,
                      platform)
        if plan.ok:
            plan.status = PlanStatus.REFUSED
            plan.reason = (f"{reasons}. This environment cannot be repaired in place: the steps "
                           f"build a new one at {suggested} from {base.executable} (Python "
                           f"{base.version}); run again with --new-venv {suggested} (or another "
                           "new folder) to carry them out")
        return plan
    dest = os.path.abspath(dest)
    if os.path.exists(dest) and os.listdir(dest):
        plan.status = PlanStatus.REFUSED
        plan.reason = f"{dest} already exists and is not empty; choose a new folder"
        return plan
    return _build(plan, facts, findings, wrong, dest, base, knowledge, resolver, uv, platform)


def suggested_destination(facts: Facts, minor: str, platform: str) -> Optional[str]:
    """A new folder for the replacement environment, named for what differs: beside the broken
    virtual environment, else `.venv` in the working directory (never inside a system prefix)."""
    interp = facts.interpreter
    if platform != facts.target.platform:
        suffix = platform.partition("-")[2]  # the CPU: "arm64" of "macos-arm64"
    elif minor != ".".join(interp.version.split(".")[:2]):
        suffix = f"py{minor}"
    else:
        suffix = "new"
    if (interp.in_venv or interp.kind == "venv") and interp.prefix:
        candidates = [f"{interp.prefix.rstrip('/')}-{suffix}"]
    elif interp.cwd:
        candidates = [os.path.join(interp.cwd, ".venv"),
                      os.path.join(interp.cwd, f".venv-{suffix}")]
    else:
        return None
    candidates += [f"{candidates[-1]}-{n}" for n in range(2, 10)]
    return next((c for c in candidates if not os.path.exists(c)), None)


def _build(plan: Plan, facts: Facts, findings: List[Finding], wrong: List[Finding], dest: str,
           base: Interpreter, knowledge: Any, resolver: Resolver, uv: Optional[str],
           platform: str) -> Plan:
    plan.target = PlanTarget(python=plan.target.python, platform=platform,
                             python_version=base.minor, prefix=dest,
                             installer="uv" if uv else "pip")
    rec = recommend_for(facts, knowledge, python_version=base.minor, platform=platform)
    if not resolve_into(plan, rec.requirements, facts, resolver, uv, python_version=base.minor,
                         platform=platform):
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
