"""Details of findings that users act on: which build is kept, which plugin is named, which
binary is blamed, what the report says it examined."""

from __future__ import annotations

import sys
from pathlib import Path

from compat_facts import KB, facts, real_dist

from keras_doctor.checks.registry import run_checks

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
from factories import binary, mac_facts


def found(f, cause):
    return [x for x in run_checks(f, lambda: KB).findings if x.cause == cause]


def sharing(*builds):
    """TensorFlow builds installed over each other: they share the `tensorflow/` files."""
    dists = []
    for name, version in builds:
        d = real_dist(name, version, requires=[])
        d.files = ["tensorflow/__init__.py", "tensorflow/python/__init__.py"]
        dists.append(d)
    return facts(dists)


def test_of_two_builds_at_one_version_the_plain_tensorflow_is_kept():
    (x,) = found(sharing(("tensorflow-cpu", "2.21.0"), ("tensorflow", "2.21.0")),
                 "tf-distributions-overlap")
    assert x.fix[1].command[-1] == "tensorflow==2.21.0"
    assert x.fix[0].destructive


def test_of_two_builds_the_newer_one_is_kept_whatever_its_name():
    (x,) = found(sharing(("tensorflow", "2.20.0"), ("tensorflow-cpu", "2.21.0")),
                 "tf-distributions-overlap")
    assert x.fix[1].command[-1] == "tensorflow-cpu==2.21.0"


def mac(*dists):
    return facts([real_dist(n, v, "macos-arm64", requires=[]) for n, v in dists],
                 platform="macos-arm64", os_version="14.4")


def test_a_metal_plugin_that_cannot_load_says_so_and_why():
    (x,) = found(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "0.8.0")),
                 "metal-plugin-mismatch")
    assert x.title == "tensorflow-metal 0.8.0 cannot load with tensorflow 2.16.2"
    assert x.evidence["decided_by"] == "verdicts" and x.evidence["how"]
    assert "detail" in x.evidence and "apple_table_row" in x.evidence
    # Apple's pick for 2.16 (1.1.0), since the binaries confirm it links; 1.2.0 links too.
    assert x.evidence["loads_with_this_tensorflow"][:2] == ["1.1.0", "1.2.0"]
    assert x.fix[0].command[-1] == "tensorflow-metal==1.1.0" and "--no-deps" in x.fix[0].command


def test_a_file_whose_format_is_unknown_is_never_called_the_wrong_architecture():
    f = mac_facts(binaries=[binary("h5py/_errors.so", [], "h5py", fmt="unknown"),
                            binary("numpy/_core.so", ["x86_64"], "numpy")])
    hits = found(f, "mixed-arch-binary")
    assert [h.evidence["owner"] for h in hits] == ["numpy"]


def test_a_linux_binary_on_a_mac_is_named_as_such():
    f = mac_facts(binaries=[binary("numpy/_core.so", ["arm64"], "numpy", fmt="elf")])
    (x,) = found(f, "mixed-arch-binary")
    assert x.evidence["owner"] == "numpy"


def test_the_report_says_what_it_examined():
    f = facts([], platform="macos-arm64", os_version="14.4")
    report = run_checks(f, lambda: KB)
    assert report.target["platform"] == "macos-arm64"
    assert report.target["path"] == "/home/ada/venv/bin/python"
    assert report.command == "check"


def test_with_a_shim_and_its_build_installed_the_build_with_code_is_judged():
    # tensorflow 2.15.0 on an Apple Silicon Mac is metadata pulling in tensorflow-macos, which
    # holds the code; the Keras pairing is judged against the build Python imports.
    shim = real_dist("tensorflow", "2.15.0", "macos-arm64", requires=[])
    shim.files = ["tensorflow-2.15.0.dist-info/METADATA", "tensorflow-2.15.0.dist-info/RECORD"]
    build = real_dist("tensorflow-macos", "2.15.0", "macos-arm64", requires=[])
    build.files = ["tensorflow/__init__.py", "tensorflow/python/__init__.py"]
    keras = real_dist("keras", "2.14.0", "macos-arm64", requires=[])
    f = facts([shim, build, keras], platform="macos-arm64", os_version="14.4")
    (x,) = found(f, "keras-tf-version-skew")
    assert x.evidence["tensorflow"] == "tensorflow-macos"
