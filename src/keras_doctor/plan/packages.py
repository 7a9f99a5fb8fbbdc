"""Package steps: from the resolved set and what is installed, the uninstalls and installs to run.

The resolver's answer is the whole consistent set for the target; the steps change only what
differs from it. Obsolete or conflicting TensorFlow builds are uninstalled first (when several own
the same files, the kept one is reinstalled too: its files were overwritten). Installs run with
`--no-deps`: the set was resolved as a whole, so nothing outside it may move. Each step names the
finding causes it resolves, found by the distribution names those findings' evidence mentions.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Set

from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.findings import Finding
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.plan.installers import install_argv, pin, uninstall_argv
from keras_doctor.plan.model import PlannedStep, StepKind

PACKAGE_CAUSES = frozenset({
    "numpy-abi-mismatch", "protobuf-mismatch", "ml-dtypes-mismatch", "keras-tf-version-skew",
    "keras3-required", "requirement-conflict", "missing-dependency", "tf-distributions-overlap",
    "metal-plugin-mismatch", "deprecated-distribution", "mixed-arch-binary", "broken-metadata",
})
# The distribution each cause is about, when its evidence does not name it.
_CAUSE_NAMES = {"numpy-abi-mismatch": {"numpy"}, "protobuf-mismatch": {"protobuf"},
                "ml-dtypes-mismatch": {"ml-dtypes"}, "keras-tf-version-skew": {"keras", "tf-keras"},
                "keras3-required": {"keras"}, "metal-plugin-mismatch": {"tensorflow-metal"}}


def named_in(finding: Finding) -> Set[str]:
    """Canonical distribution names a finding is about (its evidence, and its cause)."""
    names = set(_CAUSE_NAMES.get(finding.cause, ()))
    if finding.cause == "keras-backend-unavailable" and _strings(finding.evidence, ("backend",)):
        names.add(canonicalize_name(finding.evidence["backend"]))  # the backend to install
    for value in _strings(finding.evidence, ("name", "required", "owner", "distribution")):
        names.add(canonicalize_name(value))
    for owner in finding.evidence.get("owners", ()) or ():
        if isinstance(owner, dict) and isinstance(owner.get("name"), str):
            names.add(canonicalize_name(owner["name"]))
    return names


def package_steps(findings: List[Finding], installed: Dict[str, Version], pins: Dict[str, str],
                  *, installer: str, python: str, uv: Optional[str],
                  kept_tensorflow: Optional[str]) -> List[PlannedStep]:
    by_name: Dict[str, Set[str]] = {}
    for finding in findings:
        requirer = finding.evidence.get("requirer")
        extra = {canonicalize_name(requirer)} if isinstance(requirer, str) else set()
        for name in named_in(finding) | extra:
            by_name.setdefault(name, set()).add(finding.cause)
    if not set(installed) & TF_FAMILY:
        # tensorflow-metal alone: the TensorFlow the plan brings is what loads it.
        for finding in findings:
            if finding.cause == "metal-plugin-mismatch":
                for name in TF_FAMILY & set(pins):
                    by_name.setdefault(name, set()).add(finding.cause)
    overlap = any(f.cause == "tf-distributions-overlap"
                  and len(named_in(f) & TF_FAMILY) > 1 for f in findings)
    reinstall = {n for f in findings if f.cause in ("mixed-arch-binary", "broken-metadata")
                 for n in named_in(f) if n in pins}

    remove = sorted(n for n in installed if n in TF_FAMILY and n not in pins)
    if "tensorflow-metal" in installed and "tensorflow-metal" not in pins and any(
            f.cause == "metal-plugin-mismatch" for f in findings):
        remove.append("tensorflow-metal")  # no release loads with this TensorFlow: run on CPU
    if overlap and kept_tensorflow in installed:
        remove.append(kept_tensorflow)  # its files were overwritten: reinstall it cleanly
    changes = {n: v for n, v in pins.items()
               if installed.get(n) != Version(v) or n in remove}
    steps = []
    if remove:
        causes = _causes(by_name, remove) or ["tf-distributions-overlap"]
        steps.append(PlannedStep(
            StepKind.UNINSTALL, "Uninstall " + ", ".join(f"{n} {installed[n]}" for n in remove),
            argv=uninstall_argv(installer, python, remove, uv), destructive=True,
            resolves=causes, names=list(remove)))
    plain = sorted(n for n in changes if n not in reinstall)
    if plain:
        pins_list = [pin(n, changes[n]) for n in plain]
        steps.append(PlannedStep(
            StepKind.INSTALL, "Install the resolved versions: " + ", ".join(
                _change(n, changes[n], installed) for n in plain),
            argv=install_argv(installer, python, pins_list, uv),
            resolves=_causes(by_name, plain), names=plain, pins=pins_list))
    if reinstall:
        names = sorted(reinstall)
        pins_list = [pin(n, pins[n]) for n in names]
        steps.append(PlannedStep(
            StepKind.INSTALL, "Reinstall, bypassing the cache: " + ", ".join(pins_list),
            argv=install_argv(installer, python, pins_list, uv, reinstall=True),
            resolves=_causes(by_name, names), names=names, pins=pins_list))
    return steps


def _causes(by_name: Dict[str, Set[str]], names: Iterable[str]) -> List[str]:
    return sorted({c for n in names for c in by_name.get(n, ())})


def _change(name: str, version: str, installed: Dict[str, Version]) -> str:
    if name not in installed:
        return f"{name} {version} (new)"
    if installed[name] == Version(version):
        return f"{name} {version} (again, cleanly)"
    return f"{name} {installed[name]} -> {version}"


def _strings(evidence: Any, keys: Iterable[str]) -> List[str]:
    return [evidence[k] for k in keys if isinstance(evidence.get(k), str) and evidence[k]]
