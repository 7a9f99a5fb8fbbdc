"""Binary checks: every native file must be loadable by the interpreter's architecture.

A universal2 file that contains the running slice is fine; a file of another OS's format or
without the running slice is reported with its path and the distribution that installed it, because
the import error it causes names neither.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.facts.model import Binary, Facts
from keras_doctor.findings import Finding, FixStep, StepKind
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.remedies import install

KNOWLEDGE_JUDGED = TF_FAMILY | {"tensorflow-metal"}
EXPECTED_FORMAT = {"Darwin": "mach-o", "Linux": "elf", "Windows": "pe"}
FORMAT_OS = {"mach-o": "macOS", "elf": "Linux", "pe": "Windows"}
# What a target whose own release is not known is taken to run: today's common newest ones.
NEWEST_GLIBC = (2, 39)
NEWEST_MACOS = (15, 0)
WINDOWS_PLATFORMS = {"x86_64": "win_amd64", "arm64": "win_arm64", "i386": "win32"}


def offending(binary: Binary, system: str, arch: str) -> str:
    """Why this binary cannot load here, or '' when it can."""
    expected = EXPECTED_FORMAT.get(system)
    if binary.format == "unknown" or expected is None:
        return ""
    if binary.format != expected:
        return f"a {FORMAT_OS[binary.format]} binary"
    if arch not in binary.archs:
        return f"built for {'+'.join(binary.archs) or 'an unknown CPU'}, not {arch}"
    return ""


def newer_macos_needed(binary: Binary, arch: str, os_version: Optional[str]) -> Optional[str]:
    """The macOS release `binary` needs for `arch` when it is newer than `os_version`, the one
    the Mac runs; None when it is not, or when either release cannot be read."""
    from packaging.version import InvalidVersion, Version

    needed = binary.min_macos.get(arch)
    if not needed or not os_version:
        return None
    try:
        return needed if Version(needed) > Version(os_version) else None
    except InvalidVersion:
        return None


@check(name="binary-architectures", area="platform", causes=["mixed-arch-binary"],
       ok="Every native binary matches the interpreter's architecture")
def binary_architectures(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    arch = facts.interpreter.running_arch
    if not arch or arch == "unknown":
        raise SkipCheck("the interpreter's architecture is not known")
    bad: Dict[object, List[Dict[str, Any]]] = {}
    for binary in facts.binaries:
        why = offending(binary, facts.platform.system, arch)
        if why:
            bad.setdefault(binary.owner, []).append(
                {"path": binary.path, "format": binary.format, "archs": binary.archs, "why": why}
            )
    for owner, files in sorted(bad.items(), key=lambda kv: str(kv[0])):
        dist = ctx.installed.get(owner) if owner else None
        built_for = "/".join(sorted({a for f in files for a in f["archs"]})) or "an unknown CPU"
        if dist is not None:
            title = (f"{dist.name} {dist.version} has {len(files)} binar"
                     f"{'y' if len(files) == 1 else 'ies'} built for {built_for}, "
                     f"but the interpreter runs {arch}")
            fix = [install(facts, [f"{dist.name}=={dist.version}"], reinstall=True, no_deps=True,
                           no_cache=True,
                           description=f"Reinstall {dist.name} from {_a(arch)} {arch} wheel, "
                                       "bypassing "
                                       "the cache that may hold the wrong build")]
        else:
            title = (f"{len(files)} binar{'y' if len(files) == 1 else 'ies'} that no "
                     f"distribution owns {'is' if len(files) == 1 else 'are'} built for "
                     f"{built_for}, not {arch}")
            fix = [FixStep("Delete these files or reinstall whatever copied them in",
                           StepKind.EDIT, target=files[0]["path"], destructive=True)]
        yield finding(
            "mixed-arch-binary", title,
            evidence={"owner": owner, "version": dist.version if dist else None,
                      "interpreter_arch": arch, "files": files[:25], "file_count": len(files)},
            fix=fix,
        )


def _version_tuple(text: Optional[str], default: Tuple[int, int]) -> Tuple[int, int]:
    """(major, minor) of the version that ends `text` ("glibc 2.35", "14.4"), else `default`."""
    words = text.split() if text else []
    parts = [int(p) for p in words[-1].split(".")[:2] if p.isdigit()] if words else []
    return (parts[0], parts[1]) if len(parts) == 2 else default


def linux_platforms(libc: Optional[str], arch: str) -> List[str]:
    """manylinux/musllinux/linux platform tags for a glibc version, newest first (PEP 600)."""
    machine = {"arm64": "aarch64"}.get(arch, arch)
    if libc and libc.startswith("musl"):
        minor = _version_tuple(libc, (1, 2))[1]
        return [f"musllinux_1_{m}_{machine}" for m in range(minor, -1, -1)] + [f"linux_{machine}"]
    glibc = _version_tuple(libc, NEWEST_GLIBC)
    tags = [f"manylinux_2_{m}_{machine}" for m in range(glibc[1], 4, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags += [f"{name}_{machine}" for m, name in legacy.items() if glibc[1] >= m]
    return [*tags, f"linux_{machine}"]


def supported_tags(facts: Facts) -> Set[Any]:
    """The wheel tags an installer would accept for this target, computed from the facts."""
    from packaging import tags

    interp = facts.interpreter
    # Validated facts start with "3.11" at least ("3.13t", "3.14.0a1+" read as 3.13, 3.14).
    major, minor = re.findall(r"\d+", interp.version)[:2]
    version = (int(major), int(minor))
    arch = interp.running_arch or "x86_64"
    system = facts.platform.system
    if system == "Darwin":
        macos = _version_tuple(facts.platform.os_version, NEWEST_MACOS)
        platforms = list(tags.mac_platforms(macos, arch))
    elif system == "Linux":
        platforms = linux_platforms(facts.platform.libc, arch)
    elif system == "Windows" and arch in WINDOWS_PLATFORMS:
        platforms = [WINDOWS_PLATFORMS[arch]]
    else:
        return set()
    abi = f"cp{version[0]}{version[1]}"
    if interp.ext_suffix and f"cpython-{version[0]}{version[1]}t" in interp.ext_suffix:
        abi += "t"  # a free-threaded build
    supported = set(tags.cpython_tags(version, [abi], platforms))
    supported.update(tags.compatible_tags(version, f"cp{version[0]}{version[1]}", platforms))
    return supported


def glibc_needed(tagged: Any, facts: Facts) -> Optional[str]:
    """`glibc 2.X` when only the system's glibc keeps these manylinux tags out, else None."""
    from dataclasses import replace

    libc = facts.platform.libc
    if facts.platform.system != "Linux" or libc is None or not libc.startswith("glibc"):
        return None
    needed = [int(t.platform.split("_")[2]) for t in tagged
              if t.platform.startswith("manylinux_2_") and t.platform.split("_")[2].isdigit()]
    needed += [{"manylinux2014": 17, "manylinux2010": 12, "manylinux1": 5}[t.platform.split("_")[0]]
               for t in tagged if t.platform.split("_")[0] in ("manylinux2014", "manylinux2010",
                                                              "manylinux1")]
    if not needed:
        return None
    newer = replace(facts, platform=replace(facts.platform, libc="glibc 2.99"))
    if tagged.isdisjoint(supported_tags(newer)):
        return None  # something besides glibc (the Python version, the CPU) does not fit either
    return f"glibc 2.{min(needed)}"


@check(name="wheel-tags", area="platform", causes=["wheel-tag-mismatch", "glibc-too-old"],
       ok="Every installed wheel is tagged for this interpreter and platform")
def wheel_tags(ctx: CheckContext) -> Iterator[Finding]:
    from packaging.tags import parse_tag

    facts = ctx.facts
    if (facts.interpreter.implementation or "cpython") != "cpython":
        raise SkipCheck("wheel tags are checked for CPython only")
    supported = supported_tags(facts)
    if not supported:
        raise SkipCheck(f"no wheel tags are known for {facts.platform.system}")
    for dist in ctx.installed.first.values():
        # TensorFlow builds and tensorflow-metal are judged by `installed-wheels` and
        # `metal-plugin`, which know which release *has* a wheel for this Python; reinstalling
        # the same version, the fix here, cannot help them.
        if not dist.wheel_tags or dist.canonical_name in KNOWLEDGE_JUDGED:
            continue
        try:
            tagged = frozenset().union(*(parse_tag(t) for t in dist.wheel_tags))
        except ValueError:
            continue
        if tagged.isdisjoint(supported):
            shown = sorted(str(t) for t in tagged)
            needs = glibc_needed(tagged, facts)
            if needs:
                yield finding(
                    "glibc-too-old",
                    f"{dist.name} {dist.version} is built for {needs} or later, but this system "
                    f"has {facts.platform.libc}",
                    evidence={"name": dist.name, "version": dist.version, "wheel_tags": shown,
                              "needs": needs, "system": facts.platform.libc},
                    fix=[FixStep(f"Install a release of {dist.name} with a wheel for "
                                 f"{facts.platform.libc} (an older one, or its manylinux2014 "
                                 "build), or run in a newer OS image or container",
                                 StepKind.MANUAL)],
                )
                continue
            yield finding(
                "wheel-tag-mismatch",
                f"{dist.name} {dist.version} is a wheel for {', '.join(shown[:2])}"
                f"{' …' if len(shown) > 2 else ''}, which this Python "
                f"{_stated_version(facts)} on {facts.target.platform} cannot use",
                evidence={"name": dist.name, "version": dist.version, "wheel_tags": shown,
                          "python": facts.interpreter.version, "platform": facts.target.platform},
                fix=[install(facts, [f"{dist.name}=={dist.version}"], reinstall=True,
                             no_deps=True, no_cache=True,
                             description=f"Reinstall {dist.name} from the wheel for this "
                                         "interpreter")],
            )


def _a(word: str) -> str:
    """The article a reader says before `word`: an arm64, an x86_64, a universal2."""
    return "an" if word[:1].lower() in "aeiox" else "a"


def _stated_version(facts: Facts) -> str:
    """The Python version as the report's header states it (the target's): "3.11" for a folder
    checked with --python-version 3.11, not the "3.11.0" markers need."""
    return str(facts.target.python_version or facts.interpreter.version)
