"""Platform checks: Rosetta, AVX, and binaries that need a newer macOS.

These decide whether anything can work at all, so they come first in every report.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

from packaging.version import InvalidVersion, Version

from keras_doctor.checks.binaries import newer_macos_needed
from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.facts.model import Facts
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.remedies import new_environment


def _live_mac(facts: Facts) -> None:
    if facts.platform.system != "Darwin":
        raise SkipCheck("not a Mac")
    if facts.platform.apple_silicon is None:
        raise SkipCheck("the Mac's hardware is not known for this target")


@check(name="rosetta", area="platform", causes=["rosetta-python"],
       ok="The interpreter runs natively")
def rosetta(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.observed
    _live_mac(facts)
    interp = facts.interpreter
    translated = bool(facts.platform.rosetta_translated)
    if not translated and not (facts.platform.apple_silicon and interp.running_arch == "x86_64"):
        return
    archs = interp.executable_archs or []
    evidence = {
        "executable": interp.executable,
        "executable_archs": archs,
        "running_arch": interp.running_arch,
        "sysctl.proc_translated": int(translated),
        "hw.optional.arm64": 1,
        "kind": interp.kind,
        "base_kind": interp.base_kind,
    }
    if "arm64" in archs:
        steps = [FixStep(
            "This interpreter is universal2 but was started as x86_64 (a terminal set to 'Open "
            "using Rosetta', or `arch -x86_64`). Start it natively:", StepKind.RUN,
            ("arch", "-arm64", interp.executable or "python3"),
        )]
        title = "The interpreter has an arm64 slice but runs as x86_64 under Rosetta 2"
    else:
        steps = [
            FixStep("Install a native arm64 Python: python.org's universal2 installer, Homebrew "
                    "under /opt/homebrew, Miniforge arm64, or `uv python install`",
                    StepKind.MANUAL),
            new_environment(facts, _what_the_packages_are(facts)),
        ]
        title = "An x86_64-only Python runs under Rosetta 2 on an Apple Silicon Mac"
    yield finding("rosetta-python", title, evidence=evidence, fix=steps)


def _what_the_packages_are(facts: Facts) -> str:
    """Why the environment cannot be kept, from the architecture of its native packages."""
    owners = {arch: sorted({b.owner or b.path for b in facts.binaries
                            if b.format == "mach-o" and b.archs == [arch]})
              for arch in ("arm64", "x86_64")}
    if owners["arm64"]:
        return (f"{len(owners['arm64'])} packages here are arm64 builds this x86_64 interpreter "
                "cannot load, and the environment's python is the x86_64 one")
    if owners["x86_64"]:
        return "Every native package in this environment is x86_64"
    return "This environment's python is the x86_64 interpreter"


@check(name="avx", area="platform", causes=["cpu-lacks-avx"],
       ok="The CPU provides what the installed TensorFlow build needs")
def avx(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    if facts.interpreter.running_arch != "x86_64":
        raise SkipCheck("AVX applies to x86_64 builds only")
    flags = facts.platform.cpu_flags
    if flags is None:
        raise SkipCheck("the CPU's features are not known for this target")
    tf = ctx.installed.tensorflow()
    if not tf or "avx" in flags:
        return
    dist = tf[0]
    archs = {a for b in facts.binaries if b.owner == dist.canonical_name for a in b.archs}
    if archs and "x86_64" not in archs:
        return  # not an x86_64 build: the binary-architectures check reports the real problem
    fix = [FixStep("Official x86_64 TensorFlow wheels need AVX; upgrading does not help",
                   StepKind.MANUAL)]
    if facts.platform.apple_silicon:
        fix = [FixStep("Use a native arm64 Python on this Mac; the arm64 TensorFlow build needs no "
                       "AVX", StepKind.MANUAL),
               new_environment(facts, "The x86_64 environment cannot be converted")]
    else:
        fix.append(FixStep("Run on a CPU (or VM configuration) that exposes AVX, or use a "
                           "TensorFlow build compiled without AVX", StepKind.MANUAL))
    yield finding(
        "cpu-lacks-avx",
        f"{dist.name} {dist.version} is an x86_64 build that needs AVX, which this "
        f"{'emulated ' if facts.platform.rosetta_translated else ''}CPU does not provide",
        evidence={"distribution": dist.name, "version": dist.version,
                  "binary_archs": sorted(archs) or None, "cpu_brand": facts.platform.cpu_brand,
                  "cpu_flags": flags,
                  "rosetta_translated": facts.platform.rosetta_translated},
        fix=fix,
    )


def _version(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@check(name="macos-version", area="platform", causes=["macos-too-old"],
       ok="Every binary supports this macOS version")
def macos_version(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    if facts.platform.system != "Darwin":
        raise SkipCheck("not a Mac")
    running = _version(facts.platform.os_version or "")
    if running is None:
        raise SkipCheck("the macOS version is not known for this target")
    arch = facts.interpreter.running_arch
    by_owner: Dict[Optional[str], Any] = {}
    for binary in facts.binaries:
        needed = newer_macos_needed(binary, arch or "", facts.platform.os_version)
        if needed:
            by_owner.setdefault(binary.owner, []).append((binary.path, needed))
    for owner, files in sorted(by_owner.items(), key=lambda kv: str(kv[0])):
        highest = max((n for _, n in files), key=lambda n: _version(n) or running)
        dist = ctx.installed.get(owner) if owner else None
        label = f"{dist.name} {dist.version}" if dist else "Unowned binaries"
        yield finding(
            "macos-too-old",
            f"{label} needs macOS {highest}; this Mac runs {facts.platform.os_version}",
            evidence={"owner": owner, "os_version": facts.platform.os_version, "arch": arch,
                      "files": [{"path": p, "min_macos": n} for p, n in files[:20]],
                      "file_count": len(files)},
            fix=[FixStep(f"Install an older release of {owner or 'the package'} built for macOS "
                         f"{facts.platform.os_version}, or upgrade macOS to {highest} or later",
                         StepKind.MANUAL)],
        )


@check(name="windows-long-paths", area="platform", causes=["windows-long-path-limit"],
       ok="Windows Long Path support is on (or this is not Windows)")
def windows_long_paths(ctx: CheckContext) -> Iterator[Finding]:
    """TensorFlow's wheels hold headers about 200 characters below site-packages; with Long Path
    support off, pip cannot create them once the environment's own path is longer than the rest
    of the 260 characters, so any install or upgrade of TensorFlow fails half-way."""
    config = ctx.facts.config
    if ctx.facts.platform.system != "Windows":
        raise SkipCheck("not Windows")
    if config is None or config.long_paths_enabled is None:
        raise SkipCheck("Long Path support not known for this target")
    if config.long_paths_enabled:
        return
    site = (ctx.facts.interpreter.site_packages or [""])[0]
    yield finding(
        "windows-long-path-limit",
        "Windows Long Path support is off: pip cannot write files whose path passes 260 "
        "characters, and TensorFlow's wheels hold such files",
        evidence={"LongPathsEnabled": 0, "site_packages": site,
                  "site_packages_length": len(site)},
        fix=[FixStep("As administrator, set LongPathsEnabled to 1 under HKLM\\SYSTEM\\"
                     "CurrentControlSet\\Control\\FileSystem (PowerShell: New-ItemProperty -Path "
                     "'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\FileSystem' -Name "
                     "LongPathsEnabled -Value 1 -PropertyType DWORD -Force), then run pip again",
                     StepKind.MANUAL),
             FixStep("Without administrator rights: create the environment in a short folder "
                     "such as C:\\venvs\\tf", StepKind.MANUAL)],
        severity=Severity.WARNING,  # it fails installs; an installed environment still runs
    )
