"""Write a facts document for each held-out report whose thread states its environment.

    python tests/explain/heldout/build_facts.py

`environments.jsonl` holds, per held-out report, only what its thread states: the platform, the
Python version, Apple Silicon and Rosetta where the thread says so, the OS release, glibc, and the
versions of the packages it names (`stated` quotes where each comes from). This script turns each
line into a facts document (`facts/<id>.json`) with the project's own facts model, the same format
`keras-doctor facts` writes, so the scorer can measure `explain` with the environment at hand.

The documents are minimal on purpose. A distribution's Requires-Dist comes from the release
knowledge (real package metadata) for the wheel an installer picks on that platform and Python,
kept only where it names another stated package: listing a requirement on a package the thread
never mentions would make the checks report it missing, which the thread does not say. Everything
the thread does not state stays unknown, and `errors` says so, as a live collection does for what
it could not read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from keras_doctor.facts.collect import stated_marker_environment
from keras_doctor.facts.model import (
    PLATFORMS,
    Distribution,
    Facts,
    InterpreterFacts,
    PlatformFacts,
    Target,
)
from keras_doctor.knowledge import load as load_knowledge

HERE = Path(__file__).parent
ENVIRONMENTS = HERE / "environments.jsonl"
FACTS_DIR = HERE / "facts"
UNSTATED = (
    "stated from the report's thread, not collected: packages, binaries and settings the thread "
    "does not name are unknown"
)


def load_environments(path: Path = ENVIRONMENTS) -> List[Dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def build(environment: Dict[str, Any], knowledge: Any) -> Facts:
    platform = environment["platform"]
    system, arch = PLATFORMS[platform]
    python = environment["python"]
    full = python if python.count(".") >= 2 else python + ".0"
    site = f"/stated/{environment['id']}/site-packages"
    packages: Dict[str, str] = environment.get("packages", {})
    stated_names = {canonicalize_name(name) for name in packages}
    markers = stated_marker_environment(system, arch, full)
    distributions = [
        Distribution(
            name=name,
            canonical_name=canonicalize_name(name),
            version=version,
            location=site,
            metadata_dir=f"{site}/{name.replace('-', '_')}-{version}.dist-info",
            requires_dist=_stated_requirements(
                knowledge, name, version, platform, python, stated_names, markers
            ),
        )
        for name, version in packages.items()
    ]
    return Facts(
        target=Target(mode="path", platform=platform, python_version=python, path=site),
        platform=PlatformFacts(
            system=system,
            machine=arch,
            os_version=environment.get("os_version"),
            apple_silicon=environment.get("apple_silicon"),
            rosetta_translated=environment.get("rosetta"),
            libc=environment.get("libc"),
        ),
        interpreter=InterpreterFacts(
            version=full,
            running_arch=arch,
            sys_path=[site],
            site_packages=[site],
            marker_environment=markers,
        ),
        distributions=distributions,
        errors=[UNSTATED],
    )


def _stated_requirements(
    knowledge: Any,
    name: str,
    version: str,
    platform: str,
    python: str,
    stated: set,
    markers: Dict[str, str],
) -> List[str]:
    project = canonicalize_name(name)
    if project not in knowledge.projects():
        return []  # no release metadata for it: its requirements stay unknown
    declared = knowledge.requires_for(project, version, platform, python) or []
    kept = []
    for line in declared:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) not in stated:
            continue
        if requirement.marker and not requirement.marker.evaluate(dict(markers, extra="")):
            continue
        kept.append(line)
    return kept


def main() -> int:
    knowledge = load_knowledge()
    FACTS_DIR.mkdir(exist_ok=True)
    environments = load_environments()
    for environment in environments:
        facts = build(environment, knowledge)
        document = facts.to_dict()
        Facts.from_dict(document)  # refuse to write what `check --facts` would refuse to read
        target = FACTS_DIR / f"{environment['id']}.json"
        target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(environments)} facts documents to {FACTS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
