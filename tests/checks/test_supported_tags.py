"""Which wheels an installer would accept on the target, computed from facts (PEP 425/600/656).

wheel-tags and glibc-too-old judge every installed wheel against this set: a tag missing from it
is a false "wrong wheel" finding, an extra one hides a wheel that cannot load. Each glibc and musl
boundary is tested on both sides.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import pytest
from packaging.tags import Tag

from keras_doctor.checks.binaries import supported_tags
from keras_doctor.facts.model import Facts, InterpreterFacts, PlatformFacts, Target


def linux(libc: Optional[str], arch: str = "x86_64", python: str = "3.11.7") -> Facts:
    return Facts(
        target=Target(mode="running", platform=f"linux-{arch}", python_version=python,
                      path="/env/bin/python"),
        platform=PlatformFacts(system="Linux", machine=arch, libc=libc),
        interpreter=InterpreterFacts(version=python, executable="/env/bin/python",
                                     running_arch=arch),
    )


def accepts(facts: Facts, platform_tag: str, abi: str = "cp311") -> bool:
    return Tag("cp311", abi, platform_tag) in supported_tags(facts)


@pytest.mark.parametrize("glibc, newest_accepted", [("glibc 2.17", 17), ("glibc 2.28", 28),
                                                    ("glibc 2.35", 35)])
def test_a_glibc_accepts_manylinux_up_to_its_own_version(glibc, newest_accepted):
    facts = linux(glibc)
    assert accepts(facts, f"manylinux_2_{newest_accepted}_x86_64")
    assert not accepts(facts, f"manylinux_2_{newest_accepted + 1}_x86_64")
    assert accepts(facts, "manylinux_2_5_x86_64") and accepts(facts, "linux_x86_64")


def test_the_legacy_manylinux_names_follow_their_glibc():
    old = linux("glibc 2.12")
    assert accepts(old, "manylinux2010_x86_64") and accepts(old, "manylinux1_x86_64")
    assert not accepts(old, "manylinux2014_x86_64")
    current = linux("glibc 2.17")
    assert accepts(current, "manylinux2014_x86_64")
    ancient = linux("glibc 2.5")
    assert accepts(ancient, "manylinux1_x86_64") and not accepts(ancient, "manylinux2010_x86_64")


def test_a_stated_linux_target_gets_a_current_glibc():
    facts = linux(None)
    assert accepts(facts, "manylinux_2_39_x86_64")
    assert not accepts(facts, "manylinux_2_40_x86_64")


def test_musl_accepts_musllinux_up_to_its_version_and_no_manylinux():
    facts = linux("musl 1.1.24")
    assert accepts(facts, "musllinux_1_1_x86_64") and accepts(facts, "musllinux_1_0_x86_64")
    assert not accepts(facts, "musllinux_1_2_x86_64")
    assert not accepts(facts, "manylinux2014_x86_64")
    assert accepts(linux("musl 1.2.4"), "musllinux_1_2_x86_64")


def test_an_arm64_linux_uses_the_aarch64_tag_names():
    facts = linux("glibc 2.31", arch="arm64")
    assert accepts(facts, "manylinux_2_31_aarch64") and accepts(facts, "manylinux2014_aarch64")
    assert not any("arm64" in tag.platform or "x86_64" in tag.platform
                   for tag in supported_tags(facts))


def test_pure_python_and_abi3_wheels_are_accepted_other_pythons_are_not():
    facts = linux("glibc 2.35")
    tags = supported_tags(facts)
    assert Tag("py3", "none", "any") in tags
    assert Tag("cp39", "abi3", "manylinux_2_17_x86_64") in tags
    assert Tag("cp312", "cp312", "manylinux_2_17_x86_64") not in tags


def test_a_wheel_for_another_python_is_named_with_the_python_the_user_gave():
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.facts.model import Distribution

    wrong = Distribution(name="ml-dtypes", canonical_name="ml-dtypes", version="0.4.1",
                         location="/env/site", metadata_dir="/env/site/ml_dtypes-0.4.1.dist-info",
                         wheel_tags=["cp310-cp310-manylinux_2_17_x86_64"])
    running = replace(linux("glibc 2.35"), distributions=[wrong])
    folder = replace(running, target=replace(running.target, mode="path", python_version="3.11"))
    for facts, shown in ((running, "this Python 3.11.7 on linux-x86_64"),
                         (folder, "this Python 3.11 on linux-x86_64")):
        titles = [f.title for f in run_checks(facts).findings if f.cause == "wheel-tag-mismatch"]
        assert titles == ["ml-dtypes 0.4.1 is a wheel for cp310-cp310-manylinux_2_17_x86_64, "
                          f"which {shown} cannot use"]


def test_a_glibc_whose_version_could_not_be_read_is_taken_as_a_current_one():
    for libc in ("glibc", "glibc unknown"):
        facts = linux(libc)
        assert accepts(facts, "manylinux_2_39_x86_64")
        assert not accepts(facts, "manylinux_2_40_x86_64")


def windows(arch: str) -> Facts:
    return Facts(
        target=Target(mode="running", platform="windows-amd64", python_version="3.11.7",
                      path="C:/env/python.exe"),
        platform=PlatformFacts(system="Windows", machine=arch),
        interpreter=InterpreterFacts(version="3.11.7", executable="C:/env/python.exe",
                                     running_arch=arch),
    )


def test_windows_accepts_the_wheels_of_its_own_cpu_only():
    assert accepts(windows("x86_64"), "win_amd64")
    assert not accepts(windows("x86_64"), "win32")
    assert not accepts(windows("x86_64"), "manylinux_2_17_x86_64")
    assert accepts(windows("arm64"), "win_arm64") and not accepts(windows("arm64"), "win_amd64")
    assert Tag("py3", "none", "any") in supported_tags(windows("x86_64"))


def test_an_os_without_known_wheel_tags_accepts_none():
    facts = linux("glibc 2.35")
    freebsd = replace(facts, platform=replace(facts.platform, system="FreeBSD"))
    assert supported_tags(freebsd) == set()


def test_a_windows_cpu_without_known_wheels_accepts_none_rather_than_guessing():
    assert supported_tags(windows("riscv64")) == set()


def test_a_wheel_for_this_pythons_own_interpreter_with_no_abi_is_accepted():
    # cp312-none-any: accepted on the target's Python, whatever Python keras-doctor runs on.
    assert Tag("cp312", "none", "any") in supported_tags(linux("glibc 2.35", python="3.12.1"))
    assert Tag("cp312", "none", "any") not in supported_tags(linux("glibc 2.35", python="3.13.0"))


@pytest.mark.parametrize("python", ["3.9.18", "3.12.1", "3.13t"])
def test_the_pure_python_tags_follow_the_targets_python_not_keras_doctors(python):
    minor = int(python.split(".")[1].rstrip("t"))
    tags = supported_tags(linux("glibc 2.35", python=python))
    assert Tag(f"py3{minor}", "none", "any") in tags
    assert Tag(f"py3{minor + 1}", "none", "any") not in tags  # a newer Python's only
    assert Tag(f"cp3{minor}", f"cp3{minor}", "manylinux_2_17_x86_64") in tags


def mac(os_version: Optional[str]) -> Facts:
    return Facts(
        target=Target(mode="path", platform="macos-arm64", python_version="3.11",
                      path="/Users/ada/site-packages"),
        platform=PlatformFacts(system="Darwin", machine="arm64", os_version=os_version),
        interpreter=InterpreterFacts(version="3.11.7", running_arch="arm64"),
    )


@pytest.mark.parametrize("os_version", [None, "unknown"])
def test_a_mac_whose_release_is_not_known_is_taken_as_a_current_one(os_version):
    assert accepts(mac(os_version), "macosx_15_0_arm64")
    assert not accepts(mac(os_version), "macosx_16_0_arm64")


def test_a_mac_accepts_wheels_up_to_its_own_release():
    sonoma = mac("14.4.1")
    assert accepts(sonoma, "macosx_14_0_arm64") and accepts(sonoma, "macosx_11_0_arm64")
    assert not accepts(sonoma, "macosx_15_0_arm64")


def test_a_musl_whose_version_could_not_be_read_is_taken_as_musl_1_2():
    assert accepts(linux("musl"), "musllinux_1_2_x86_64")
    assert not accepts(linux("musl"), "musllinux_1_3_x86_64")


def test_a_free_threaded_python_takes_its_own_abi():
    facts = linux("glibc 2.35", python="3.13.1")
    threaded = replace(facts, interpreter=replace(facts.interpreter,
                                                  ext_suffix=".cpython-313t-x86_64-linux-gnu.so"))
    assert Tag("cp313", "cp313t", "manylinux_2_17_x86_64") in supported_tags(threaded)
    assert Tag("cp313", "cp313t", "manylinux_2_17_x86_64") not in supported_tags(facts)


def test_an_installed_wheel_for_a_platform_without_a_table_fits_only_when_pure():
    from keras_doctor.checks.wheels import installed_wheel_fits

    assert installed_wheel_fits(["py3-none-any"], "linux-riscv64", "3.11")
    assert not installed_wheel_fits(["cp311-cp311-linux_riscv64"], "linux-riscv64", "3.11")


def test_an_installed_abi3_wheel_fits_from_its_own_python_on_and_not_before():
    from keras_doctor.checks.wheels import installed_wheel_fits

    abi3 = ["cp312-abi3-manylinux_2_17_x86_64"]
    assert installed_wheel_fits(abi3, "linux-x86_64", "3.12")
    assert installed_wheel_fits(abi3, "linux-x86_64", "3.13")
    assert not installed_wheel_fits(abi3, "linux-x86_64", "3.11")


def test_an_installed_wheel_fits_only_a_platform_of_its_os_and_cpu():
    from keras_doctor.checks.wheels import installed_wheel_fits

    assert installed_wheel_fits(["cp311-cp311-macosx_11_0_arm64"], "macos-arm64", "3.11")
    assert installed_wheel_fits(["cp311-cp311-macosx_10_9_universal2"], "macos-arm64", "3.11")
    assert not installed_wheel_fits(["cp311-cp311-macosx_10_9_x86_64"], "macos-arm64", "3.11")
    assert not installed_wheel_fits(["cp311-cp311-manylinux_2_17_aarch64"], "macos-arm64", "3.11")
    assert not installed_wheel_fits(["cp311-cp311-win_arm64"], "linux-aarch64", "3.11")
