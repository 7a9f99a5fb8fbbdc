"""One reading of a wheel's platform tag, for checks and explain both, with `packaging.tags` as
the oracle wherever it decides (the tags pip accepts on each Mac, on glibc Linux, on Windows)."""

from __future__ import annotations

import pytest
from packaging.tags import mac_platforms

from keras_doctor.checks.wheels import installed_wheel_fits
from keras_doctor.explain import wheels
from keras_doctor.facts.platforms import PLATFORMS
from keras_doctor.knowledge.releases import TAG_PLATFORMS, tag_platforms

MACS = {"macos-arm64": "arm64", "macos-x86_64": "x86_64"}
# Every binary format packaging knows, and the fat ones it does not take on a 64-bit Mac.
FORMATS = ("arm64", "x86_64", "universal2", "universal", "intel", "fat64", "fat3", "fat32", "fat",
           "i386", "ppc", "ppc64", "arm64e")


def pip_takes_on(tag: str) -> set:
    """The Macs whose pip (packaging.tags on the newest macOS) accepts this platform tag."""
    return {platform for platform, arch in MACS.items()
            if tag in set(mac_platforms((15, 0), arch))}


@pytest.mark.parametrize("version", ["10_4", "10_6", "10_9", "10_16", "11_0", "12_0", "14_0"])
@pytest.mark.parametrize("binary_format", FORMATS)
def test_a_mac_tag_installs_where_packaging_says_pip_takes_it(version, binary_format):
    tag = f"macosx_{version}_{binary_format}"
    assert tag_platforms(tag) == pip_takes_on(tag)


@pytest.mark.parametrize("tag", ["macosx_10_3_x86_64", "macosx_10_3_universal", "macosx_1_x86_64",
                                 "macosx_x_y_arm64"])
def test_a_mac_tag_older_than_pip_reads_or_malformed_installs_nowhere(tag):
    assert tag_platforms(tag) == frozenset() == pip_takes_on(tag)


@pytest.mark.parametrize(("tag", "platforms"), [
    ("any", set(TAG_PLATFORMS)),
    ("manylinux2014_aarch64", {"linux-aarch64"}),
    ("manylinux_2_28_aarch64", {"linux-aarch64"}),
    ("manylinux_2_17_x86_64", {"linux-x86_64"}),
    ("manylinux1_x86_64", {"linux-x86_64"}),
    ("linux_x86_64", {"linux-x86_64"}),  # a wheel built here: pip takes it on its own machine
    ("musllinux_1_2_x86_64", {"linux-x86_64"}),
    ("musllinux_1_1_aarch64", {"linux-aarch64"}),
    ("manylinux2014_i686", set()),
    ("linux_armv7l", set()),
    ("manylinux_2_17_ppc64le", set()),
    ("win_amd64", {"windows-amd64"}),
    ("win32", {"windows-32"}),
    ("win_arm64", set()),
])
def test_linux_and_windows_tags_install_on_their_cpu_only(tag, platforms):
    assert tag_platforms(tag) == platforms


def test_explain_and_the_checks_weigh_the_same_platforms():
    assert set(wheels.PLATFORMS) == set(TAG_PLATFORMS)
    assert set(PLATFORMS) <= set(TAG_PLATFORMS)


@pytest.mark.parametrize(("tag", "platform", "fits"), [
    ("cp311-cp311-macosx_10_9_fat64", "macos-x86_64", True),  # the old suffix list refused it
    ("cp311-cp311-macosx_10_6_fat3", "macos-x86_64", True),
    ("cp311-cp311-macosx_10_6_fat32", "macos-x86_64", False),  # i386 + ppc: no x86_64 code
    ("cp311-cp311-macosx_10_9_universal2", "macos-arm64", True),
    ("cp311-cp311-macosx_10_9_intel", "macos-arm64", False),
    ("cp311-cp311-manylinux2014_aarch64", "linux-x86_64", False),
    ("cp311-cp311-manylinux2014_aarch64", "linux-aarch64", True),
    ("cp311-cp311-win32", "windows-amd64", False),
])
def test_the_installed_wheels_check_reads_tags_the_same_way(tag, platform, fits):
    assert installed_wheel_fits([tag], platform, "3.11") is fits
