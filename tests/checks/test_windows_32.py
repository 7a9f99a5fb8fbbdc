"""32-bit Windows as a stated platform (`--platform windows-32`), on real win32 and win_amd64
trees that pip lays out with `--platform … --target`: the checks judge its binaries and wheel tags,
the resolvers and the printed install commands name its tags, and a 64-bit tree stated as 32-bit
(or the reverse) is found out."""

from __future__ import annotations

import subprocess
import sys

import envs
import pytest
from packaging.version import Version

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts.collect import collect_path
from keras_doctor.knowledge.releases import Release, Wheel
from keras_doctor.plan.resolve import pip_platform_tags, resolve
from keras_doctor.remedies import install

PIN = "wrapt==1.16.0"  # one small native member, with win32 and win_amd64 wheels


def tree(platform_tag: str):
    return envs.unpacked_wheel(PIN, platform_tag, "3.11")


def causes(site, platform: str) -> set:
    facts = collect_path(str(site), platform, "3.11")
    return {f.cause for f in run_checks(facts).findings}


def test_a_win32_tree_checks_clean_as_windows_32_and_is_found_out_as_64_bit():
    site = tree("win32")
    facts = collect_path(str(site), "windows-32", "3.11")
    assert facts.platform.system == "Windows" and facts.interpreter.running_arch == "i386"
    (pyd,) = [b for b in facts.binaries if b.path.endswith(".pyd")]
    assert (pyd.format, pyd.archs) == ("pe", ["i386"])
    assert not causes(site, "windows-32") & {"mixed-arch-binary", "wheel-tag-mismatch"}
    assert {"mixed-arch-binary", "wheel-tag-mismatch"} <= causes(site, "windows-amd64")


def test_a_win_amd64_tree_stated_as_32_bit_is_found_out():
    site = tree("win_amd64")
    assert not causes(site, "windows-amd64") & {"mixed-arch-binary", "wheel-tag-mismatch"}
    assert {"mixed-arch-binary", "wheel-tag-mismatch"} <= causes(site, "windows-32")


def test_a_release_table_answers_for_32_bit_windows_by_its_win32_wheels():
    both = Release("wrapt", Version("1.16.0"), None, None,
                   (Wheel("cp311-cp311-win32", (), None), Wheel("cp311-cp311-win_amd64", (), None)))
    assert both.wheel_for("windows-32", "3.11").tag == "cp311-cp311-win32"
    assert both.wheel_for("windows-amd64", "3.11").tag == "cp311-cp311-win_amd64"
    only_64 = Release("tensorflow", both.version, None, None,
                      (Wheel("cp311-cp311-win_amd64", (), None),))
    assert only_64.wheel_for("windows-32", "3.11") is None


def test_the_printed_install_for_a_32_bit_folder_lays_out_its_win32_wheel(tmp_path):
    (tmp_path / "site").mkdir()
    facts = collect_path(str(tmp_path / "site"), "windows-32", "3.11")
    step = install(facts, [PIN])
    assert step.command[step.command.index("--platform") + 1] == "win32"
    argv = [sys.executable if a == "python" else a for a in step.command]
    subprocess.run(argv, check=True, capture_output=True, timeout=300, env=envs._builder_env())
    (pyd,) = (tmp_path / "site").rglob("*.pyd")
    assert pyd.name.endswith("win32.pyd")
    assert pip_platform_tags("windows-32") == ["win32"]


@pytest.mark.slow
@pytest.mark.parametrize("prefer", ["uv", "pip"])
def test_both_resolvers_resolve_for_32_bit_windows(prefer):
    found = resolve([PIN], "windows-32", "3.11", prefer=prefer)
    assert found.ok, found.error
    assert found.pins == {"wrapt": "1.16.0"}
    # TensorFlow has never published a win32 wheel: no resolver may pretend otherwise
    assert not resolve(["tensorflow==2.10.0"], "windows-32", "3.10", prefer=prefer).ok
