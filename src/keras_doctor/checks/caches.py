"""Wheels the installers built here and will install again: their binaries must load on this
interpreter.

pip and uv pick a cached built wheel by its file name's tags alone (facts/built_wheels.py cites
where), so a wheel whose tags this interpreter supports is the one the next `pip install` uses,
whatever its binaries were built for. A wheel whose tags it does not support is never picked here
and is left alone, as is every cached wheel whose binaries load: purging a cache costs a rebuild.
The fix is the installer's own cache command, which deletes every cached wheel of that name (the
finding lists them), never anything outside the cache.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from packaging.utils import canonicalize_name

from keras_doctor.checks.binaries import newer_macos_needed, offending, supported_tags
from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.facts.model import Binary, CachedWheel, Facts
from keras_doctor.findings import Finding
from keras_doctor.remedies import purge_cache


def picked_here(wheel: CachedWheel, supported: Any) -> bool:
    """Whether an installer for this interpreter would reuse `wheel` (its tags, as pip reads
    them from the file name)."""
    from packaging.tags import parse_tag

    try:
        return not parse_tag(wheel.tags).isdisjoint(supported)
    except ValueError:
        return False


def unloadable(binary: Binary, facts: Facts, arch: str) -> str:
    """Why this binary from a cached wheel cannot load on this interpreter, or ''."""
    why = offending(binary, facts.platform.system, arch)
    if why:
        return why
    have = facts.platform.os_version if facts.platform.system == "Darwin" else None
    needs = newer_macos_needed(binary, arch, have)
    if needs:
        return f"built for macOS {needs} or later, not {have}"
    return ""


@check(name="built-wheel-cache", area="environment", causes=["stale-wheel-cache"],
       ok="No wheel in the pip or uv cache that would be reused here has binaries this "
          "interpreter cannot load")
def built_wheel_cache(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    caches = facts.caches
    if caches is None or caches.built_wheels is None:
        raise SkipCheck("the installer caches were not read for this target")
    arch = facts.interpreter.running_arch
    if not arch or arch == "unknown":
        raise SkipCheck("the interpreter's architecture is not known")
    supported = supported_tags(facts)
    if not supported:
        raise SkipCheck(f"no wheel tags are known for {facts.platform.system}")
    # pip's `cache remove NAME` deletes the files named NAME-*.whl, spelled as in the file name;
    # uv's `cache clean NAME` every entry of the project, however its files spell it.
    cached: Dict[Tuple[str, str], List[str]] = {}
    stale: Dict[Tuple[str, str], List[Dict[str, Any]]] = {}
    for wheel in caches.built_wheels:
        key = (wheel.tool, wheel.name if wheel.tool == "pip" else canonicalize_name(wheel.name))
        cached.setdefault(key, []).append(wheel.path)
        if not picked_here(wheel, supported):
            continue
        bad = [{"member": b.path, "format": b.format, "archs": b.archs, "min_macos": b.min_macos,
                "why": why} for b in wheel.binaries if (why := unloadable(b, facts, arch))]
        if bad:
            stale.setdefault(key, []).append({"path": wheel.path, "version": wheel.version,
                                              "tags": wheel.tags, "binaries": bad})
    for (tool, pattern), wheels in sorted(stale.items()):
        yield _stale(facts, tool, pattern, wheels, cached[(tool, pattern)], arch)


def _stale(facts: Facts, tool: str, pattern: str, wheels: List[Dict[str, Any]],
           removes: List[str], arch: str) -> Finding:
    name = str(canonicalize_name(pattern))
    first = wheels[0]["binaries"][0]
    versions = ", ".join(sorted({w["version"] for w in wheels}))
    title = (f"{tool}'s cache holds {'a' if len(wheels) == 1 else len(wheels)} {name} {versions} "
             f"wheel{'s' if len(wheels) > 1 else ''} built here that {tool} would install again, "
             f"but {first['member']} is {first['why']}")
    command = "pip cache remove" if tool == "pip" else "uv cache clean"
    deletes = (f"every cached wheel named {pattern}-*.whl" if tool == "pip"
               else f"every uv cache entry of {name}")
    evidence = {"name": name, "tool": tool, "pattern": pattern, "interpreter_arch": arch,
                "os_version": facts.platform.os_version, "wheels": wheels,
                "removes": sorted(removes)}
    return finding(
        "stale-wheel-cache", title, evidence=evidence,
        fix=[purge_cache(facts, tool, pattern,
                         description=f"Delete {deletes} ({command} {pattern}): "
                                     f"{', '.join(sorted(removes))}")],
    )

