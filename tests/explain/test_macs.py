"""The words that name a paste's Mac and its Python: the two questions kept apart."""

import pytest

from keras_doctor.explain import macs


@pytest.mark.parametrize("chip", ["M1", "M2", "M3", "M4", "M5"])
def test_every_apple_chip_names_an_apple_silicon_mac(chip):
    assert macs.APPLE_SILICON_MAC.search(f"MacBook Pro {chip}, macOS 15")
    assert macs.ARM64_PYTHON.search(f"on my {chip.lower()} mac")


@pytest.mark.parametrize("text", ["M0 mac", "M6 mac", "PM10", "M1A2 tank", "MM1"])
def test_what_is_no_apple_chip(text):
    assert not macs.APPLE_SILICON_MAC.search(text)
    assert not macs.ARM64_PYTHON.search(text)


def test_rosetta_names_the_mac_apple_silicon_and_the_python_intel():
    crash = "Code Type:             X86-64 (Translated)\nOS Version: macOS 13.4 (22F66)"
    assert macs.APPLE_SILICON_MAC.search(crash)
    assert not macs.ARM64_PYTHON.search(crash)  # pip of this Python wants x86_64 wheels
    assert not macs.ARM64_PYTHON_SHOWN.search(crash)
    assert macs.X86_PYTHON.search(crash)
    assert macs.APPLE_SILICON_MAC.search("machdep.cpu.brand_string: VirtualApple @ 2.50GHz")


def test_the_chip_alone_does_not_show_an_arm64_python():
    assert macs.ARM64_PYTHON.search("MacBook Air M2")
    assert not macs.ARM64_PYTHON_SHOWN.search("MacBook Air M2")
    for path in ("/opt/homebrew/bin/python3.11", "/Users/a/miniforge3/envs/tf/bin/python",
                 "conda-forge/osx-arm64", "platform macOS-14.4-arm64-arm-64bit"):
        assert macs.ARM64_PYTHON_SHOWN.search(path), path


@pytest.mark.parametrize("text, named", [
    ("Intel(R) Core(TM) i7-4770HQ", "Intel(R) Core"),
    ("MacBook Pro (Retina, 15-inch, Mid 2011)", "MacBook Pro (Retina, 15-inch, Mid 2011"),
    ("macOS 10.15.7", "macOS 10.15"),
    ("OS X 10.11", "OS X 10.11"),
    ("running Catalina", "Catalina"),
])
def test_an_intel_mac_is_named(text, named):
    assert macs.intel_mac_named(text) == named


@pytest.mark.parametrize("text", [
    "MacBook Pro 2012",  # only a year to 2011 is read as the Mac's
    "macOS 10.16",  # what an interpreter built with an older SDK is told on macOS 11 and later
    "macOS 11.2 Big Sur",
    "Intel(R) Core(TM) i7, tensorflow-macos on /opt/homebrew/bin/python3",  # arm64 shown: not Intel
    "MacBook Pro 2015 ... Apple M1 Max",
])
def test_no_intel_mac_is_named(text):
    assert macs.intel_mac_named(text) == ""


@pytest.mark.parametrize("text, intel", [
    ("intel mac", True),
    ("cp39-cp39-macosx_10_9_x86_64.whl", True),
    ("conda-forge/osx-64", True),
    ("/usr/local/Cellar/python@3.9", True),
    ("intelligence", False),
    ("amd64x86_64", False),
    ("osx-arm64", False),
])
def test_intel_named_loosely_for_the_wheels(text, intel):
    assert bool(macs.INTEL_NAMED.search(text)) is intel
