"""What the probe reports about a real interpreter, checked against what that interpreter says.

The interpreter is a virtualenv made with `python -m venv --without-pip` (offline, a fraction of a
second); the truth each fact is compared with comes from the interpreter itself or from
`packaging`, never from keras-doctor's own code.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest
from packaging.markers import default_environment

from keras_doctor.facts import collect
from keras_doctor.facts.model import PLATFORMS

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX virtualenv layout")


@pytest.fixture
def fresh_venv(tmp_path):
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    return env


def asked(python, code):
    return json.loads(subprocess.run([str(python), "-c", f"import json, sys, site; {code}"],
                                     capture_output=True, text=True, check=True).stdout)


def test_a_virtualenv_is_described_as_its_interpreter_describes_itself(fresh_venv, tmp_path,
                                                                       monkeypatch):
    python = fresh_venv / "bin" / "python"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    truth = asked(python, "print(json.dumps({'prefix': sys.prefix, 'base': sys.base_prefix, "
                          "'user_site': site.ENABLE_USER_SITE, 'version': "
                          "'.'.join(map(str, sys.version_info[:3]))}))")

    facts = collect.collect_python(str(python))

    interp = facts.interpreter
    assert interp.version == truth["version"]
    assert interp.prefix == truth["prefix"] and interp.base_prefix == truth["base"]
    assert interp.in_venv is True and interp.kind == "venv"
    assert interp.user_site_enabled is truth["user_site"] is False  # a venv hides user site
    assert interp.cwd == str(work)
    assert interp.executable_format == ("elf" if sys.platform.startswith("linux") else "mach-o")
    assert interp.running_arch in interp.executable_archs
    assert interp.externally_managed is None  # never inside a virtualenv
    assert facts.errors == []


def test_a_conda_prefix_is_told_from_a_virtualenv(fresh_venv):
    (fresh_venv / "conda-meta").mkdir()
    facts = collect.collect_python(str(fresh_venv / "bin" / "python"))
    assert facts.interpreter.kind == "conda"


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_a_stated_target_has_every_marker_a_real_interpreter_has(name):
    system, arch = PLATFORMS[name]
    stated = collect.stated_marker_environment(system, arch, "3.11.4")
    assert set(stated) == set(default_environment())
    assert stated["python_version"] == "3.11" and stated["python_full_version"] == "3.11.4"
    expected_machine = {"macos-arm64": "arm64", "macos-x86_64": "x86_64",
                        "linux-x86_64": "x86_64", "linux-aarch64": "aarch64",
                        "windows-amd64": "AMD64", "windows-arm64": "ARM64"}
    if name in expected_machine:
        assert stated["platform_machine"] == expected_machine[name]


@pytest.mark.parametrize("arch, machine", [("x86_64", "AMD64"), ("arm64", "ARM64")])
def test_windows_names_its_machine_in_capitals(arch, machine):
    """`platform.machine()` on Windows says AMD64 / ARM64, and requirement markers compare with
    exactly that (`platform_machine == "ARM64"`)."""
    assert collect.stated_marker_environment("Windows", arch, "3.12.1")["platform_machine"] == \
        machine


def test_the_stated_target_of_this_machine_agrees_with_this_interpreter():
    here = default_environment()
    if (platform.system(), here["platform_machine"]) != ("Linux", "x86_64"):
        pytest.skip("the comparison is written for Linux x86_64")
    stated = collect.stated_marker_environment("Linux", "x86_64", platform.python_version())
    for key in ("os_name", "platform_machine", "platform_system", "sys_platform",
                "implementation_name", "platform_python_implementation", "python_version"):
        assert stated[key] == here[key], key


def test_the_base_interpreter_is_not_called_a_virtualenv():
    base = os.path.join(sys.base_prefix, "bin", "python3")
    interp = collect.collect_python(base).interpreter
    assert interp.in_venv is False and interp.kind == interp.base_kind != "venv"
    assert interp.prefix == interp.base_prefix == sys.base_prefix


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="Linux /proc")
def test_cpu_flags_and_os_are_what_the_kernel_and_os_release_say(fresh_venv):
    facts = collect.collect_python(str(fresh_venv / "bin" / "python"))
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next(line for line in cpuinfo if line.startswith("flags")).split(":")[1].split()
    for flag in ("avx", "avx2", "fma", "sse4_2"):
        assert (flag in facts.platform.cpu_flags) is (flag in flags), flag
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as release:
            pretty = next((line.split("=", 1)[1].strip().strip('"') for line in release
                           if line.startswith("PRETTY_NAME=")), None)
        assert facts.platform.os_version == pretty


def test_a_facts_file_of_the_wrong_shape_names_the_field_at_fault(tmp_path):
    from keras_doctor.facts.model import Facts

    data = collect.collect_path(str(tmp_path), "linux-x86_64", "3.11").to_dict()
    data["distributions"] = [{"name": "a", "canonical_name": "a", "version": 3,
                              "location": "/x", "metadata_dir": "/x/a"}]
    with pytest.raises(Exception) as raised:
        Facts.from_dict(data)
    assert "facts.distributions[0].version" in str(raised.value)
    assert "expected a string" in str(raised.value)
