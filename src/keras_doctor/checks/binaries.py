"""Binary checks: every native file must be loadable by the interpreter's architecture.

A universal2 file that contains the running slice is fine; a file of another OS's format or
without the running slice is reported with its path and the distribution that installed it, because
the import error it causes names neither.
"""

from __future__ import annotations

from typing import Dict, Iterator, List

from keras_doctor.checks.registry import SkipCheck, check, finding
from keras_doctor.facts.model import Binary
from keras_doctor.findings import Finding, FixStep, StepKind
from keras_doctor.remedies import install

EXPECTED_FORMAT = {"Darwin": "mach-o", "Linux": "elf", "Windows": "pe"}
FORMAT_OS = {"mach-o": "macOS", "elf": "Linux", "pe": "Windows"}


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


@check(name="binary-architectures", area="platform", causes=["mixed-arch-binary"],
       ok="Every native binary matches the interpreter's architecture")
def binary_architectures(ctx) -> Iterator[Finding]:
    facts = ctx.facts
    arch = facts.interpreter.running_arch
    if not arch or arch == "unknown":
        raise SkipCheck("the interpreter's architecture is not known")
    bad: Dict[object, List[dict]] = {}
    for binary in facts.binaries:
        why = offending(binary, facts.platform.system, arch)
        if why:
            bad.setdefault(binary.owner, []).append(
                {"path": binary.path, "format": binary.format, "archs": binary.archs, "why": why}
            )
    for owner, files in sorted(bad.items(), key=lambda kv: str(kv[0])):
        dist = ctx.installed.get(owner) if owner else None
        found = sorted({a for f in files for a in f["archs"]})
        if dist is not None:
            title = (f"{dist.name} {dist.version} has {len(files)} binar"
                     f"{'y' if len(files) == 1 else 'ies'} built for {'/'.join(found)}, "
                     f"but the interpreter runs {arch}")
            fix = [install(facts, [f"{dist.name}=={dist.version}"], reinstall=True, no_deps=True,
                           no_cache=True,
                           description=f"Reinstall {dist.name} from a {arch} wheel, bypassing "
                                       "the cache that may hold the wrong build")]
        else:
            title = (f"{len(files)} binar{'y' if len(files) == 1 else 'ies'} that no "
                     f"distribution owns {'is' if len(files) == 1 else 'are'} built for "
                     f"{'/'.join(found)}, not {arch}")
            fix = [FixStep("Delete these files or reinstall whatever copied them in",
                           StepKind.EDIT, target=files[0]["path"], destructive=True)]
        yield finding(
            "mixed-arch-binary", title,
            evidence={"owner": owner, "version": dist.version if dist else None,
                      "interpreter_arch": arch, "files": files[:25], "file_count": len(files)},
            fix=fix,
        )
