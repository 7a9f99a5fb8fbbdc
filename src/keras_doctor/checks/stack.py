"""What the knowledge-based checks share: the TensorFlow build, its declared needs, the knowledge.

The `requirements` check already reports every conflict the installed metadata *declares*. The
checks built on the knowledge base add what metadata does not say, so before reporting they ask
`declared_excludes`: "does an installed distribution already declare that this version is wrong?"
If it does, that finding exists already and they stay silent: one problem, one finding.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from packaging.requirements import Requirement
from packaging.version import Version

from keras_doctor.checks.installed import parse_version
from keras_doctor.checks.registry import CheckContext, SkipCheck
from keras_doctor.facts.model import Distribution, Facts
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.requirements import applicable, target_environment

# Distributions whose requirements the `requirements` check turns into stack-specific causes.
STACK_REQUIRERS = TF_FAMILY | {"tf-keras"}


def knowledge_of(ctx: CheckContext) -> Any:
    """The knowledge base, or SkipCheck when this build has none (never a crashed check)."""
    try:
        return ctx.knowledge
    except SkipCheck:
        raise
    except Exception as exc:  # KnowledgeError and anything a damaged data folder raises
        raise SkipCheck(f"the knowledge base could not be read: {exc}") from exc


def python_minor(facts: Facts) -> str:
    """"3.11" for the target's Python, whatever precision the facts state it with."""
    return ".".join(facts.target.python_version.split(".")[:2])


def minor_of(version: Version) -> Tuple[int, int]:
    return (version.major, version.minor)


def tensorflow(ctx: CheckContext) -> Optional[Tuple[Distribution, Version]]:
    """The TensorFlow build that `import tensorflow` loads: the real one, not a shim.

    When a shim (`tensorflow` 2.13-2.15.0 on macOS arm64) and the build it pulls in are both
    present, the build with code (the one whose RECORD lists `tensorflow/__init__.py`) wins.
    """
    found: List[Tuple[Distribution, Version]] = []
    for dist in ctx.installed.tensorflow():
        version = parse_version(dist.version)
        if version is not None:
            found.append((dist, version))
    if not found:
        return None
    with_code = [(d, v) for d, v in found if d.files is None or _has_package(d)]
    return (with_code or found)[0]


def _has_package(dist: Distribution) -> bool:
    return any(f.replace("\\", "/") == "tensorflow/__init__.py" for f in dist.files or ())


def declared_requirements(
    ctx: CheckContext, dependency: str, requirers: Iterable[str] = STACK_REQUIRERS,
) -> List[Tuple[Distribution, Requirement]]:
    """Requirements on `dependency` that installed `requirers` declare and whose markers apply."""
    environment = target_environment(ctx.facts.interpreter.marker_environment)
    out: List[Tuple[Distribution, Requirement]] = []
    for name in requirers:
        dist = ctx.installed.get(name)
        if dist is not None:
            out.extend((dist, req) for req in applicable(dist.requires_dist, environment,
                                                          only=dependency))
    return out


def declared_excludes(ctx: CheckContext, dependency: str, version: Version,
                      requirers: Iterable[str] = STACK_REQUIRERS) -> bool:
    """True when an installed distribution declares a range that excludes `version`: the
    `requirements` check reports that conflict already."""
    return any(req.specifier and not req.specifier.contains(version, prereleases=True)
               for _, req in declared_requirements(ctx, dependency, requirers))


def numpy_runtime(kb: Any, project: str, version: Version) -> Optional[Dict[str, Any]]:
    """The numpy ABI rule for a TensorFlow build, read from numpy_abi.json alone.

    `kb.tf_numpy_abi` also parses the whole release table to quote the declared requirement; the
    checks have the installed metadata for that, and `check` must not pay for the table.
    """
    from packaging.specifiers import SpecifierSet

    data = kb.file("numpy_abi.json")
    for rule in data["rules"]:
        if project in rule["projects"] and SpecifierSet(rule["versions"]).contains(version):
            return {**rule, "sources": data["sources"]}
    return None


def installed_version(ctx: CheckContext, name: str) -> Optional[Tuple[Distribution, Version]]:
    dist = ctx.installed.get(name)
    version = parse_version(dist.version) if dist else None
    return (dist, version) if dist is not None and version is not None else None
