"""Which interpreter started under Rosetta is "merely started wrong": the majority of its
environment's Mach-O binaries must be arm64, so a half-and-half environment is judged as it runs."""

from __future__ import annotations

from keras_doctor.facts.model import Binary, Facts, InterpreterFacts, PlatformFacts, Target
from keras_doctor.facts.native import native_view, started_under_rosetta


def universal2_under_rosetta(arm64: int, x86_64: int) -> Facts:
    binaries = [Binary(path=f"/s/a{i}.so", location="/s", format="mach-o", archs=["arm64"])
                for i in range(arm64)]
    binaries += [Binary(path=f"/s/x{i}.so", location="/s", format="mach-o", archs=["x86_64"])
                 for i in range(x86_64)]
    return Facts(target=Target(mode="python", platform="macos-x86_64", python_version="3.11"),
                 platform=PlatformFacts(system="Darwin", machine="x86_64", apple_silicon=True,
                                        rosetta_translated=True),
                 interpreter=InterpreterFacts(version="3.11.7", running_arch="x86_64",
                                              executable_archs=["x86_64", "arm64"]),
                 binaries=binaries)


def test_most_binaries_arm64_means_started_under_rosetta_and_judged_as_arm64():
    facts = universal2_under_rosetta(arm64=3, x86_64=2)
    assert started_under_rosetta(facts)
    native = native_view(facts)
    assert native.target.platform == "macos-arm64"
    assert (native.platform.machine, native.platform.rosetta_translated) == ("arm64", False)
    assert native.interpreter.running_arch == "arm64"
    assert native.interpreter.marker_environment["platform_machine"] == "arm64"


def test_half_or_fewer_arm64_binaries_is_an_x86_64_environment_judged_as_it_runs():
    for arm64, x86_64 in ((2, 2), (1, 3), (0, 1)):
        facts = universal2_under_rosetta(arm64, x86_64)
        assert not started_under_rosetta(facts), (arm64, x86_64)
        assert native_view(facts) is facts


def test_no_binaries_yet_counts_as_arm64():
    assert started_under_rosetta(universal2_under_rosetta(0, 0))
