"""One answer to "does this tensorflow-metal release load with this TensorFlow?", and from where.

The check and `recommend` both need it and must agree. Sources, strongest first: verdicts computed
from the real wheels' binaries (knowledge base, `--deep` build), public reports
(`compat_rules.METAL_REPORTS`), then Apple's version table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from keras_doctor.knowledge.compat_rules import METAL_REPORTS

# What decided a verdict, in words a person reads after "known from" (`basis` is the key).
BASIS_WORDS = {
    "verdicts": "the plugin's binaries, checked against what this TensorFlow build exports",
    "reports": "public reports of importing TensorFlow with this plugin",
    "apple_table": "Apple's version table (tensorflow-metal's PyPI description)",
    "none": "no source pairs them",
}


@dataclass(frozen=True)
class MetalVerdict:
    loads: Optional[bool]  # None: no source says
    basis: str  # "verdicts" | "reports" | "apple_table" | "none"
    detail: Optional[str] = None  # the table row, or the report's symptom
    sources: tuple = ()


def metal_verdict(kb: Any, tf_version: str, metal_version: str) -> MetalVerdict:
    pairing = kb.metal_for_tf(tf_version)
    if metal_version in pairing.loads:
        return MetalVerdict(True, "verdicts")
    if metal_version in pairing.fails:
        return MetalVerdict(False, "verdicts")
    for report in METAL_REPORTS:
        if SpecifierSet(report["tensorflow"]).contains(tf_version) and \
                SpecifierSet(report["metal"]).contains(metal_version):
            return MetalVerdict(report["loads"], "reports", report["symptom"],
                                tuple(report["sources"]))
    if pairing.table_metal is not None:
        # The table names one plugin per TensorFlow minor: an older plugin lacks what that
        # TensorFlow needs; a newer one is simply not covered by the table.
        table, mine = Version(pairing.table_metal), Version(metal_version)
        loads = None if mine > table else mine == table
        return MetalVerdict(loads, "apple_table", pairing.table_row)
    return MetalVerdict(None, "none")


def tensorflow_for_metal(kb: Any, metal_version: str, platform: str, python: str,
                         builds: Tuple[str, ...] = ("tensorflow",)
                         ) -> Optional[Tuple[str, Version]]:
    """(build, version) of the newest TensorFlow release with a wheel for `platform` and Python
    "X.Y" that a source says this tensorflow-metal loads with, among `builds` (on equal versions
    the later build wins); None when there is none, or when this tensorflow-metal release has no
    wheel for the platform's architecture (from 1.0.1 on, Apple ships arm64 only)."""
    arch = platform.rsplit("-", 1)[-1]
    release_facts = kb.metal_release(metal_version) or {}
    if arch not in release_facts.get("archs", (arch,)):
        return None
    found: List[Tuple[Version, int, str]] = []
    for rank, build in enumerate(builds):
        for release in kb.releases(build):
            if release.yanked or release.wheel_for(platform, python) is None:
                continue
            if metal_verdict(kb, str(release.version), metal_version).loads:
                found.append((release.version, rank, build))
    if not found:
        return None
    version, _, build = max(found)
    return build, version


def loading_metals(kb: Any, tf_version: str, python_tag: Optional[str] = None) -> List[str]:
    """Metal releases (newest first) that a source says load with this TensorFlow build, and that
    have a wheel for `python_tag` ("cp311") when one is given."""
    releases = kb.file("metal.json")["releases"]
    out = []
    for version in sorted(releases, key=Version, reverse=True):
        if python_tag and python_tag not in releases[version].get("pythons", ()):
            continue
        if "arm64" not in releases[version].get("archs", ("arm64",)):
            continue
        if metal_verdict(kb, tf_version, version).loads:
            out.append(version)
    return out


def preferred_metals(kb: Any, tf_version: str, python_tag: Optional[str] = None,
                     keep: Optional[str] = None) -> List[str]:
    """`loading_metals` in the order a fix should pick them: the installed release when it loads
    (a working plugin stays), then Apple's pairing for this TensorFlow minor when a source says it
    loads (preferred over a release that only a static link check covers), then newest first."""
    found = loading_metals(kb, tf_version, python_tag)
    table = kb.metal_for_tf(tf_version).table_metal
    first = [v for v in (keep, table) if v is not None and v in found]
    return list(dict.fromkeys(first + found))
