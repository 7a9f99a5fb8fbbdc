"""stale-wheel-cache on real caches: wheels pip and uv really built and laid out, and real macOS
wheels from PyPI placed where pip keeps the wheels it builds.

The stale wheel is what a universal2 Python builds under Rosetta or with `ARCHFLAGS="-arch x86_64"`:
a `universal2` file name around a binary with one slice. It is made from the real x86_64 wheel by
renaming it, exactly as that build names it; its binary is PyPI's, byte for byte.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import envs
import pytest
from factories import mac_facts

from keras_doctor.checks.caches import built_wheel_cache, unloadable
from keras_doctor.checks.registry import CheckContext, SkipCheck, run_checks
from keras_doctor.facts import built_wheels
from keras_doctor.facts.caches import read_caches
from keras_doctor.facts.model import Facts, PlatformFacts
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.model import StepKind

PIN = "wrapt==1.16.0"  # a judged package with one small native member
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
CP = f"cp{sys.version_info.major}{sys.version_info.minor}"


def _env(**more: str) -> dict:
    env = envs._builder_env()
    env.update(more)
    return env


def built_by(tool: str) -> Path:
    """The cache folder of `tool` after it built wrapt from its sdist (real layout), built once."""
    spec = {"tool": tool, "pin": PIN, "python": sys.version}

    def build(root: Path, log: Path) -> None:
        target = str(root / "target")
        if tool == "pip":
            argv = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-binary",
                    "wrapt", "--disable-pip-version-check", "--target", target, PIN]
            env = _env(PIP_CACHE_DIR=str(root / "cache"))
        else:
            argv = [envs.uv_executable(), "pip", "install", "-q", "--no-deps", "--no-binary",
                    "wrapt", "--python", sys.executable, "--target", target, PIN]
            env = _env(UV_CACHE_DIR=str(root / "cache"))
        with log.open("a") as out:
            subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=env, check=True,
                           timeout=600)
        shutil.rmtree(target)

    return envs._cached("built-wheel-caches", f"{tool}-{PIN}", spec, build) / "cache"


UNIVERSAL2_PIN = "wrapt==1.17.2"  # the first wrapt with a universal2 wheel


def mac_wheel(platform_tag: str, pin: str = PIN) -> Path:
    """The real PyPI wheel of `pin` for a Mac, downloaded once."""
    spec = {"pin": pin, "platform": platform_tag, "python": "3.11"}

    def build(root: Path, log: Path) -> None:
        envs._run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                   "--only-binary=:all:", "--platform", platform_tag, "--python-version", "3.11",
                   "--implementation", "cp", "-d", str(root / "wheels"), pin], log)

    (wheel,) = (envs._cached("downloaded-wheels", f"{pin}-{platform_tag}", spec, build)
                / "wheels").glob("*.whl")
    return wheel


def retagged(wheel: Path, platform_tag: str, folder: Path) -> Path:
    """`wheel` with its file name and WHEEL tag naming `platform_tag` instead; members unchanged."""
    name, version, python, abi, _ = wheel.stem.split("-")
    dest = folder / f"{name}-{version}-{python}-{abi}-{platform_tag}.whl"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".dist-info/WHEEL"):
                data = b"".join(line if not line.startswith(b"Tag:") else
                                f"Tag: {python}-{abi}-{platform_tag}\n".encode()
                                for line in data.splitlines(keepends=True))
            out.writestr(info, data)
    return dest


def pip_cache(home: Path) -> Path:
    """Where pip keeps its cache on a Mac (the Mac tests' facts say Darwin)."""
    return home / "Library" / "Caches" / "pip"


def pip_slot(home: Path, key: str = "3f") -> Path:
    """A folder where pip keeps one sdist's built wheels (wheels/ab/cd/ef/<rest of the hash>)."""
    return pip_cache(home) / "wheels" / key / "a2" / "9c" / ("0" * 50)


def caches_of(home: Path, system: str = "Darwin"):
    return read_caches({"HOME": str(home)}, system, str(home / ".keras"))


def stale_findings(facts: Facts):
    return list(built_wheel_cache(CheckContext(facts, None)))


def linux_facts(home: Path, arch: str = "x86_64") -> Facts:
    facts = mac_facts(machine="arm64")
    facts.target.platform = f"linux-{'x86_64' if arch == 'x86_64' else 'aarch64'}"
    facts.platform = PlatformFacts(system="Linux", machine=arch, libc="glibc 2.36")
    facts.interpreter.version = facts.target.python_version = f"{PY}.0"
    facts.interpreter.running_arch = arch
    facts.caches = caches_of(home, "Linux")
    return facts


# -- the facts: real caches as pip and uv lay them out ---------------------------------------------

@pytest.mark.parametrize("tool", ["pip", "uv"])
def test_the_wheels_an_installer_built_are_listed_with_their_binaries_cpu(tool, tmp_path):
    cache = built_by(tool)
    shutil.copytree(cache, tmp_path / ".cache" / tool, symlinks=True)
    facts = caches_of(tmp_path, "Linux")
    (wheel,) = facts.built_wheels
    assert wheel.tool == tool and wheel.name == "wrapt" and wheel.version == "1.16.0"
    assert wheel.tags == f"{CP}-{CP}-linux_x86_64"
    assert os.path.dirname(wheel.path).startswith(str(tmp_path / ".cache" / tool))
    (member,) = wheel.binaries
    assert member.path.startswith("wrapt/_wrappers.") and member.path.endswith(".so")
    assert (member.format, member.archs, member.error) == ("elf", ["x86_64"], None)
    assert facts.built_wheels_complete


def test_a_fat_binary_is_read_inside_the_zip_slice_by_slice(tmp_path):
    slot = pip_slot(tmp_path)
    slot.mkdir(parents=True)
    shutil.copy(mac_wheel("macosx_10_9_universal2", UNIVERSAL2_PIN), slot)
    shutil.copy(mac_wheel("macosx_10_9_x86_64"), slot)
    by_tags = {w.tags: w.binaries for w in caches_of(tmp_path).built_wheels}
    (fat,) = by_tags["cp311-cp311-macosx_10_9_universal2"]
    assert sorted(fat.archs) == ["arm64", "x86_64"] and fat.error is None
    assert fat.min_macos["arm64"] == "11.0"
    (thin,) = by_tags["cp311-cp311-macosx_10_9_x86_64"]
    assert (thin.archs, thin.min_macos) == (["x86_64"], {"x86_64": "10.9"})


def test_only_the_judged_packages_and_only_wheels_are_read(tmp_path):
    slot = pip_slot(tmp_path)
    retagged(mac_wheel("macosx_10_9_x86_64"), "macosx_10_9_x86_64", slot)
    shutil.copy(slot / "wrapt-1.16.0-cp311-cp311-macosx_10_9_x86_64.whl",
                slot / "markupsafe-2.1.5-cp311-cp311-macosx_10_9_x86_64.whl")
    (slot / "origin.json").write_text("{}")
    (slot / "not-a-wheel.whl").write_text("")
    assert [w.name for w in caches_of(tmp_path).built_wheels] == ["wrapt"]


def test_a_corrupt_cached_wheel_is_a_fact_with_its_error_not_a_crash(tmp_path):
    slot = pip_slot(tmp_path)
    slot.mkdir(parents=True)
    (slot / "h5py-3.11.0-cp311-cp311-macosx_11_0_arm64.whl").write_bytes(b"PK\x03\x04 cut")
    (wheel,) = caches_of(tmp_path).built_wheels
    assert wheel.error and wheel.error.startswith("cannot read the wheel")
    assert wheel.binaries == []


def test_the_listing_is_bounded_newest_first_and_says_when_cut(tmp_path, monkeypatch):
    x86 = mac_wheel("macosx_10_9_x86_64")
    for index in range(3):
        slot = pip_slot(tmp_path, f"{index:02d}")
        slot.mkdir(parents=True)
        copy = slot / f"wrapt-1.16.{index}-cp311-cp311-macosx_10_9_x86_64.whl"
        shutil.copy(x86, copy)
        os.utime(copy, (1_700_000_000 + index, 1_700_000_000 + index))
    monkeypatch.setattr(built_wheels, "MAX_WHEELS", 2)
    facts = caches_of(tmp_path)
    assert [w.version for w in facts.built_wheels] == ["1.16.2", "1.16.1"]
    assert not facts.built_wheels_complete
    monkeypatch.setattr(built_wheels, "MAX_WHEELS", 3)
    assert caches_of(tmp_path).built_wheels_complete


# -- the check -------------------------------------------------------------------------------------

def test_a_wheel_pip_built_here_that_loads_here_is_no_finding(tmp_path):
    shutil.copytree(built_by("pip"), tmp_path / ".cache" / "pip")
    facts = linux_facts(tmp_path)
    assert facts.caches.built_wheels  # read, and judged fine
    assert stale_findings(facts) == []


def test_a_wheel_this_interpreter_cannot_pick_is_left_alone_whatever_its_binary(tmp_path):
    """The x86_64 wheel of an Intel Mac in the cache of an arm64 Mac: pip never picks it."""
    slot = pip_slot(tmp_path)
    slot.mkdir(parents=True)
    shutil.copy(mac_wheel("macosx_10_9_x86_64"), slot)
    facts = mac_facts(machine="arm64")
    facts.caches = caches_of(tmp_path)
    assert stale_findings(facts) == []
    shutil.copytree(built_by("pip"), tmp_path / "linux" / ".cache" / "pip")
    assert stale_findings(linux_facts(tmp_path / "linux", "aarch64")) == []


def test_a_universal2_wheel_holding_only_x86_64_is_stale_on_arm64_only(tmp_path):
    wheel = retagged(mac_wheel("macosx_10_9_x86_64"), "macosx_10_9_universal2", pip_slot(tmp_path))
    arm = mac_facts(machine="arm64")
    arm.caches = caches_of(tmp_path)
    (stale,) = stale_findings(arm)
    assert stale.cause == "stale-wheel-cache"
    assert stale.evidence["removes"] == [str(wheel)]
    assert [w["path"] for w in stale.evidence["wheels"]] == [str(wheel)]
    assert stale.evidence["wheels"][0]["binaries"][0]["why"] == "built for x86_64, not arm64"
    assert "wrapt/_wrappers.cpython-311-darwin.so is built for x86_64, not arm64" in stale.title
    (fix,) = stale.fix
    assert fix.command == ("/Users/ada/venv/bin/python", "-m", "pip", "cache", "remove", "wrapt")
    assert str(wheel) in fix.description and fix.destructive
    intel = mac_facts(machine="x86_64", exe_archs=("x86_64",))
    intel.caches = arm.caches
    assert stale_findings(intel) == []  # the slice it runs is there


@pytest.mark.parametrize("machine", ["arm64", "x86_64"])
def test_real_builds_for_this_mac_are_no_finding(tmp_path, machine):
    """PyPI's universal2 wheel on either Mac, and its arm64 wheel."""
    slot = pip_slot(tmp_path)
    slot.mkdir(parents=True)
    shutil.copy(mac_wheel("macosx_10_9_universal2", UNIVERSAL2_PIN), slot)
    shutil.copy(mac_wheel("macosx_11_0_arm64"), slot)
    facts = mac_facts(machine=machine, exe_archs=(machine,))
    facts.caches = caches_of(tmp_path)
    assert len(facts.caches.built_wheels) == 2 and stale_findings(facts) == []


@pytest.mark.parametrize(("os_version", "why"), [
    ("10.8", "built for macOS 10.9 or later, not 10.8"), ("10.9", ""), ("10.15", "")])
def test_a_binary_for_a_newer_macos_than_this_one_is_unloadable(tmp_path, os_version, why):
    slot = pip_slot(tmp_path)
    slot.mkdir(parents=True)
    shutil.copy(mac_wheel("macosx_10_9_x86_64"), slot)
    facts = mac_facts(machine="x86_64", exe_archs=("x86_64",), os_version=os_version)
    (binary,) = caches_of(tmp_path).built_wheels[0].binaries
    assert unloadable(binary, facts, "x86_64") == why


def test_a_stale_wheel_uv_built_is_cleaned_by_uv(tmp_path):
    shutil.copytree(built_by("uv"), tmp_path / ".cache" / "uv", symlinks=True)
    (real,) = caches_of(tmp_path, "Linux").built_wheels
    # the same cache on an arm64 Linux whose files carry an x86_64 wheel under its tag
    stale = retagged(Path(real.path), "linux_aarch64", Path(real.path).parent)
    facts = linux_facts(tmp_path, "aarch64")
    (finding,) = stale_findings(facts)
    assert finding.evidence["tool"] == "uv"
    assert finding.evidence["removes"] == sorted([real.path, str(stale)])
    assert finding.fix[0].command == ("uv", "cache", "clean", "wrapt")


def test_without_cache_facts_the_check_says_why_it_did_not_run():
    facts = mac_facts()
    with pytest.raises(SkipCheck):
        stale_findings(facts)
    report = run_checks(facts)
    assert any(s.check == "built-wheel-cache" for s in report.skipped)


def test_saved_facts_with_cached_wheels_round_trip(tmp_path):
    retagged(mac_wheel("macosx_10_9_x86_64"), "macosx_10_9_universal2", pip_slot(tmp_path))
    facts = mac_facts(machine="arm64")
    facts.caches = caches_of(tmp_path)
    again = Facts.from_dict(facts.to_dict())
    assert again.caches == facts.caches
    assert [f.title for f in stale_findings(again)] == [f.title for f in stale_findings(facts)]
    bad = facts.to_dict()
    bad["caches"]["built_wheels"][0]["binaries"][0]["format"] = "coff"
    with pytest.raises(ValueError, match=r"caches.built_wheels\[0\].binaries\[0\].format"):
        Facts.from_dict(bad)


# -- the plan --------------------------------------------------------------------------------------

def test_the_plan_deletes_exactly_the_listed_cached_wheels_with_pips_own_command(tmp_path):
    wheel = retagged(mac_wheel("macosx_10_9_x86_64"), "macosx_10_9_universal2", pip_slot(tmp_path))
    keep = pip_slot(tmp_path, "77") / "numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl"
    keep.parent.mkdir(parents=True)
    keep.write_bytes(b"")
    facts = mac_facts(machine="arm64")
    facts.caches = caches_of(tmp_path)
    report = run_checks(facts)
    plan = build_plan(facts, report, uv="")
    (purge,) = [s for s in plan.steps if s.kind is StepKind.PURGE_CACHE]
    assert purge.summary == f"Remove wrapt from the pip cache: deletes its built wheels {wheel}"
    assert purge.argv[-3:] == ["cache", "remove", "wrapt"] and purge.destructive
    # what pip's command deletes is exactly what the plan says (this machine's pip, same cache)
    argv = [sys.executable, "-m", "pip", "cache", "remove", "wrapt"]
    subprocess.run(argv, check=True, capture_output=True, timeout=120,
                   env={**os.environ, "PIP_CACHE_DIR": str(pip_cache(tmp_path))})
    assert not wheel.exists() and keep.exists()


def test_a_name_pip_files_with_underscores_is_asked_for_as_the_files_spell_it(tmp_path):
    """`pip cache remove ml-dtypes` matches `ml-dtypes*.whl`, which no wheel file is named."""
    from keras_doctor.findings import Finding, Severity
    from keras_doctor.plan.files import file_steps

    slot = pip_slot(tmp_path)
    slot.mkdir(parents=True)
    cached = slot / "ml_dtypes-0.3.2-cp311-cp311-macosx_10_9_universal2.whl"
    cached.write_bytes(b"")
    stale = Finding(cause="stale-wheel-cache", title="t", severity=Severity.WARNING,
                    explanation="", evidence={"name": "ml-dtypes", "tool": "pip"})
    (step,), _ = file_steps(stale, installed=set(), installer="pip", has_pip=True,
                            python=sys.executable, uv=None)
    assert step.argv[-1] == "ml_dtypes"
    env = {**os.environ, "PIP_CACHE_DIR": str(pip_cache(tmp_path))}
    hyphen = [sys.executable, "-m", "pip", "cache", "remove", "ml-dtypes"]
    subprocess.run(hyphen, capture_output=True, timeout=120, env=env)
    assert cached.exists()  # the canonical name deletes nothing
    subprocess.run(step.argv, check=True, capture_output=True, timeout=120, env=env)
    assert not cached.exists()
    named = dataclasses.replace(stale, evidence={**stale.evidence, "pattern": "--evil"})
    steps, (skip,) = file_steps(named, installed=set(), installer="pip", has_pip=True,
                                python=sys.executable, uv=None)
    assert steps == [] and "not a valid name" in skip.reason
