"""The facts as the environment will be once its interpreter is started natively.

A universal2 interpreter (it has an arm64 slice) started as x86_64 on Apple Silicon — a terminal
set to "Open using Rosetta", `arch -x86_64` — over an environment whose binaries are arm64 is not an
x86_64 environment: nothing in it is wrong except how it was started. Judged as x86_64, every arm64
binary, wheel tag and plugin would be reported "for an x86_64 interpreter", and following those
reinstalls would break a correct arm64 environment. So the checks (and the plan) judge the arm64
slice, and only the `rosetta` check reads the facts as observed and reports the one real step.
"""

from __future__ import annotations

import dataclasses

from keras_doctor.facts.collect import stated_marker_environment
from keras_doctor.facts.model import Facts


def started_under_rosetta(facts: Facts) -> bool:
    """A universal2 interpreter (it has an arm64 slice) started as x86_64 on Apple Silicon, in an
    environment whose binaries are arm64: nothing in it is wrong except how it was started."""
    interp = facts.interpreter
    if not (facts.platform.system == "Darwin" and facts.platform.apple_silicon
            and interp.running_arch == "x86_64" and "arm64" in (interp.executable_archs or [])):
        return False
    native = [b for b in facts.binaries if b.format == "mach-o" and b.archs]
    arm64 = [b for b in native if "arm64" in b.archs]
    return not native or len(arm64) * 2 > len(native)  # no binary says it is an x86_64 one


def native_view(facts: Facts) -> Facts:
    """The facts as the environment will be once its interpreter is started natively.

    For a universal2 interpreter merely started under Rosetta (`started_under_rosetta`), every
    other check judges the arm64 slice: otherwise each arm64 binary, wheel tag and plugin would be
    reported "for an x86_64 interpreter", and following those reinstalls breaks a correct arm64
    environment. The `rosetta` check reads the facts as observed and reports the one real step.
    """
    if not started_under_rosetta(facts):
        return facts
    interp = facts.interpreter
    markers = dict(interp.marker_environment)
    if markers:
        markers["platform_machine"] = "arm64"
    else:
        markers = stated_marker_environment("Darwin", "arm64", interp.version)
    return dataclasses.replace(
        facts,
        target=dataclasses.replace(facts.target, platform="macos-arm64"),
        platform=dataclasses.replace(facts.platform, machine="arm64", rosetta_translated=False),
        interpreter=dataclasses.replace(interp, running_arch="arm64",
                                        marker_environment=markers),
    )
