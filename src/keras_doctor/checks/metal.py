"""tensorflow-metal against the TensorFlow it plugs into, and against the Mac and Python it runs on.

tensorflow-metal declares no dependency on TensorFlow, so no installer keeps the pair consistent;
a plugin built for another TensorFlow fails at import with a missing symbol or library. The pairing
comes from the knowledge base: what the binaries show (verdicts computed from the real wheels)
first, Apple's own table where there is no verdict. The evidence names which one decided.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from packaging.version import Version

from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.checks.stack import installed_version, knowledge_of, python_minor, tensorflow
from keras_doctor.facts.model import Distribution
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.remedies import install, uninstall


@check(name="metal-plugin", area="packages",
       causes=["metal-plugin-mismatch", "no-wheel-for-python", "no-wheel-for-platform"],
       ok="tensorflow-metal matches the installed TensorFlow, this Mac and this Python")
def metal_plugin(ctx: CheckContext) -> Iterator[Finding]:
    metal = installed_version(ctx, "tensorflow-metal")
    if metal is None:
        raise SkipCheck("tensorflow-metal is not installed")
    kb = knowledge_of(ctx)
    facts = ctx.facts
    metal_version = str(metal[1])
    release = kb.metal_release(metal_version) or {}
    python_tag = "cp" + python_minor(facts).replace(".", "")
    evidence = {"metal_version": metal_version, "platform": facts.target.platform,
                "python": python_minor(facts), "metal_pythons": release.get("pythons"),
                "metal_archs": release.get("archs")}
    archs = release.get("archs") or []
    wanted_arch = {"macos-arm64": "arm64", "macos-x86_64": "x86_64"}.get(facts.target.platform)
    if wanted_arch is None or (archs and wanted_arch not in archs and "universal2" not in archs):
        yield finding(
            "no-wheel-for-platform",
            f"tensorflow-metal {metal_version} has no build for {facts.target.platform}"
            + (f"; the last Intel-Mac release is {_newest_metal_for_arch(kb, 'x86_64')}"
               if wanted_arch == "x86_64" else ""),
            evidence=evidence,
            fix=[uninstall(facts, ["tensorflow-metal"], "Uninstall tensorflow-metal (Metal "
                                                         "acceleration needs an Apple Silicon Mac "
                                                         "and a native arm64 Python)")],
        )
        return
    if release.get("pythons") and python_tag not in release["pythons"]:
        newest = _newest_metal_python(kb, python_tag)
        yield finding(
            "no-wheel-for-python",
            f"tensorflow-metal {metal_version} has no build for Python {python_minor(facts)}"
            + ("" if newest else "; no tensorflow-metal release has one"),
            evidence={**evidence, "newest_metal_for_this_python": newest},
            fix=[FixStep(f"Use a Python that tensorflow-metal supports "
                         f"({', '.join(_pythons(release))}) in a new virtual environment",
                         StepKind.MANUAL)],
        )
    tf = tensorflow(ctx)
    if tf is None:
        yield finding(
            "metal-plugin-mismatch",
            f"tensorflow-metal {metal_version} is installed without TensorFlow, so it is never "
            "loaded",
            evidence=evidence, severity=Severity.WARNING,
            fix=[FixStep("Install the TensorFlow release it was built for (`keras-doctor "
                         "recommend` names one)", StepKind.MANUAL)],
        )
        return
    yield from _pairing(ctx, kb, tf, metal_version, evidence)


def _pairing(ctx: CheckContext, kb: Any, tf: Tuple[Distribution, Version], metal_version: str,
             evidence: Dict[str, Any]) -> Iterator[Finding]:
    from keras_doctor.knowledge.metal_pairs import (
        BASIS_WORDS,
        metal_verdict,
        preferred_metals,
        tensorflow_for_metal,
    )

    tf_dist, tf_version = tf
    verdict = metal_verdict(kb, str(tf_version), metal_version)
    if verdict.loads:
        return
    pairing = kb.metal_for_tf(str(tf_version))
    python_tag = "cp" + python_minor(ctx.facts).replace(".", "")
    better = preferred_metals(kb, str(tf_version), python_tag)
    if verdict.loads is False and verdict.basis in ("verdicts", "reports"):
        what = f"cannot load with {tf_dist.name} {tf_version}"
    elif verdict.loads is False:
        what = (f"is older than the release Apple pairs with TensorFlow {tf_version.major}."
                f"{tf_version.minor} ({pairing.table_metal})")
    elif verdict.basis == "apple_table":
        what = (f"is not in Apple's table for TensorFlow {tf_version.major}.{tf_version.minor} "
                f"(it names {pairing.table_metal}); no source says whether it loads")
    else:
        what = f"has no known pairing with {tf_dist.name} {tf_version}"
    evidence = {**evidence, "tensorflow": tf_dist.name, "tensorflow_version": str(tf_version),
                "decided_by": verdict.basis, "how": BASIS_WORDS[verdict.basis],
                "detail": verdict.detail, "sources": list(verdict.sources),
                "apple_table_row": pairing.table_row,
                "loads_with_this_tensorflow": better or None}
    fix: List[FixStep] = []
    if better:
        fix.append(install(ctx.facts, [f"tensorflow-metal=={better[0]}"], no_deps=True,
                           description=f"Install the tensorflow-metal release that loads with "
                                       f"{tf_dist.name} {tf_version}"))
    else:
        partner = tensorflow_for_metal(kb, metal_version, ctx.facts.target.platform,
                                       python_minor(ctx.facts))
        if partner:
            fix.append(install(ctx.facts, [f"{tf_dist.name}=={partner[1]}"],
                               description=f"Install the newest TensorFlow that tensorflow-metal "
                                           f"{metal_version} loads with"))
        fix.append(uninstall(ctx.facts, ["tensorflow-metal"],
                             "Or uninstall tensorflow-metal and run on the CPU"))
    yield finding(
        "metal-plugin-mismatch",
        f"tensorflow-metal {metal_version} {what}",
        evidence=evidence,
        severity=None if verdict.loads is False else Severity.WARNING,
        fix=fix,
    )


def _newest_metal_for_arch(kb: Any, arch: str) -> Optional[str]:
    data = kb.file("metal.json")["releases"]
    matching = [v for v, r in data.items() if arch in r["archs"]]
    return max(matching, key=_version_key) if matching else None


def _newest_metal_python(kb: Any, python_tag: str) -> Optional[str]:
    data = kb.file("metal.json")["releases"]
    matching = [v for v, r in data.items() if python_tag in r["pythons"]]
    return max(matching, key=_version_key) if matching else None


def _version_key(text: str) -> Version:
    return Version(text)


def _pythons(release: Dict[str, Any]) -> List[str]:
    return [f"{p[2]}.{p[3:]}" for p in release.get("pythons", ()) if p.startswith("cp")]
