"""The commands a plan runs do what they say, on a real offline virtualenv; plans survive the
journal's round trip; the resolver is asked about the target's platform tags."""

from __future__ import annotations

import os
import subprocess

import envs
import pytest
from packaging.tags import mac_platforms

from keras_doctor.plan.installers import install_argv, purge_cache_argv, uninstall_argv
from keras_doctor.plan.model import Plan, PlannedStep, PlanStatus, PlanTarget, SkippedStep, StepKind
from keras_doctor.plan.resolve import pip_platform_tags

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX virtualenv layout")


@pytest.fixture
def venv_with_demo(tmp_path):
    env = tmp_path / "env"
    python, site = envs.bare_venv(env)
    (site / "demo").mkdir()
    (site / "demo" / "__init__.py").write_text("")
    info = site / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text("demo/__init__.py,,\ndemo-1.0.dist-info/METADATA,,\n"
                                 "demo-1.0.dist-info/INSTALLER,,\ndemo-1.0.dist-info/RECORD,,\n")
    return str(python), site


@pytest.mark.parametrize("installer", ["uv", "pip-python"])
def test_the_uninstall_command_removes_the_distribution_from_the_target(venv_with_demo,
                                                                        installer):
    python, site = venv_with_demo
    argv = uninstall_argv(installer, python, ["demo"], envs.uv_executable())
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "UV_OFFLINE": "1", "PIP_NO_INDEX": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (site / "demo-1.0.dist-info").exists() and not (site / "demo").exists()


def test_install_commands_install_exactly_the_pins_and_nothing_else():
    uv = install_argv("uv", "/env/bin/python", ["numpy==1.26.4"], "/bin/uv")
    assert uv == ["/bin/uv", "pip", "install", "--python", "/env/bin/python", "--no-deps",
                  "numpy==1.26.4"]
    own = install_argv("pip", "/env/bin/python", ["numpy==1.26.4"], None, reinstall=True)
    assert own[:3] == ["/env/bin/python", "-m", "pip"] and "--no-deps" in own
    assert "--force-reinstall" in own and own[-1] == "numpy==1.26.4"
    assert purge_cache_argv("uv", "/env/bin/python", "h5py", "/bin/uv") == [
        "/bin/uv", "cache", "clean", "h5py"]


def test_a_plan_survives_the_journals_round_trip():
    plan = Plan(PlanTarget(python="/env/bin/python", platform="macos-arm64",
                           python_version="3.11"),
                status=PlanStatus.OK,
                steps=[PlannedStep(StepKind.RENAME, "Rename keras.py", destructive=True,
                                   resolves=["shadowed-module"], path="/p/keras.py",
                                   dest="/p/keras.py.shadowing-keras"),
                       PlannedStep(StepKind.INSTALL, "Install", argv=["uv", "pip", "install"],
                                   names=["numpy"], pins=["numpy==1.26.4"])],
                skipped=[SkippedStep("rosetta-python", "only a person can do this",
                                     ["Install a native Python"]),
                         SkippedStep("cpu-lacks-avx", "", [])],
                requirements=["numpy<2"], resolved={"numpy": "1.26.4"}, resolver="uv")
    again = Plan.from_dict(plan.to_dict())
    assert again.to_dict() == plan.to_dict()
    assert again.skipped[1].reason == "" and again.steps[0].destructive is True
    assert again.touched_names == ["numpy"]


@pytest.mark.parametrize(("macos", "arch"), [("14.4", "arm64"), ("12.0", "arm64"),
                                             ("13.2", "x86_64")])
def test_the_resolver_sees_every_macos_wheel_a_mac_of_that_version_installs(macos, arch):
    tags = pip_platform_tags(f"macos-{arch}", macos)
    major = int(macos.split(".")[0])
    # pip widens each given macOS tag to every older release of the architecture, exactly as
    # packaging's mac_platforms lists them for that version.
    widened = {t for tag in tags for t in mac_platforms((int(tag.split("_")[1]), 0), arch)}
    assert set(mac_platforms((major, 0), arch)) <= widened
    assert f"macosx_{major}_0_{arch}" in tags


def test_apple_silicon_has_no_macos_older_than_11():
    assert pip_platform_tags("macos-arm64", "10.15") == ["macosx_11_0_arm64"]
    assert "macosx_10_16_x86_64" in pip_platform_tags("macos-x86_64", "10.15")


def test_linux_tags_follow_the_architecture():
    assert all(t.endswith("_aarch64") for t in pip_platform_tags("linux-aarch64"))
    assert all(t.endswith("_x86_64") for t in pip_platform_tags("linux-x86_64"))
    assert "manylinux_2_17_x86_64" in pip_platform_tags("linux-x86_64")
    with pytest.raises(ValueError):
        pip_platform_tags("solaris-sparc")


def executable(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_the_uv_beside_keras_doctor_comes_before_the_one_on_path(tmp_path, monkeypatch):
    import sys

    from keras_doctor.plan.installers import find_uv

    beside = executable(tmp_path / "tool" / "bin" / "uv")
    on_path = executable(tmp_path / "elsewhere" / "uv")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "tool" / "bin" / "python"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "tool"))
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    assert find_uv() == beside
    os.remove(beside)
    assert find_uv() == on_path
    os.chmod(on_path, 0o644)  # not executable: not a uv anyone can run
    assert find_uv() is None
