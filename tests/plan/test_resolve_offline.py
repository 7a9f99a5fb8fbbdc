"""The target's platform, Python and macOS release reach the resolver, checked offline in seconds.

uv and pip really resolve here, against a folder of tiny wheels whose metadata holds exactly one
question each: a dependency only on one OS and CPU, a release that needs a newer Python, a wheel
for a newer macOS. A plan resolved for the wrong target installs what does not run there, so each
boundary is tested from both sides. (tests/plan/test_resolve.py resolves TensorFlow from PyPI.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement
from tiny_wheels import write_wheel

from keras_doctor.plan.installers import find_uv
from keras_doctor.plan.resolve import (
    PIP_LIMITATION,
    UV_PLATFORMS,
    pip_platform_tags,
    resolve,
    uv_compile_argv,
)

ONLY_ON = {  # facts platform -> the package its marker pulls in there and nowhere else
    "macos-arm64": ("kd-mac-arm", 'sys_platform == "darwin" and platform_machine == "arm64"'),
    "macos-x86_64": ("kd-mac-intel", 'sys_platform == "darwin" and platform_machine == "x86_64"'),
    "linux-x86_64": ("kd-linux-intel", 'sys_platform == "linux" and platform_machine == "x86_64"'),
    "linux-aarch64": ("kd-linux-arm",
                      'sys_platform == "linux" and platform_machine == "aarch64"'),
    "windows-amd64": ("kd-windows",
                      'sys_platform == "win32" and platform_machine == "AMD64"'),
    # 32-bit Windows: what `platform.machine()` says under a native 32-bit Windows
    "windows-32": ("kd-windows-32", 'sys_platform == "win32" and platform_machine == "x86"'),
}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    write_wheel(folder, "kd-app", "1.0",
                ["kd-lib>=1"] + [f"{name}; {marker}" for name, marker in ONLY_ON.values()])
    for name, _ in ONLY_ON.values():
        write_wheel(folder, name, "1.0")
    for version in ("1.0", "2.0"):
        write_wheel(folder, "kd-lib", version)
    write_wheel(folder, "kd-needs-new-lib", "1.0", ["kd-lib>=2"])
    write_wheel(folder, "kd-modern", "1.0", requires_python=">=3.9")
    write_wheel(folder, "kd-modern", "2.0", requires_python=">=3.12")
    for version, macos in (("0.9", "11_0"), ("1.0", "14_0")):
        write_wheel(folder, "kd-native", version, tag=f"py3-none-macosx_{macos}_arm64")
        write_wheel(folder, "kd-native", version, tag=f"py3-none-macosx_{macos}_x86_64")
    write_wheel(folder, "kd-native", "1.0", tag="py3-none-manylinux_2_28_x86_64")
    write_wheel(folder, "kd-native", "1.0", tag="py3-none-win_amd64")
    return folder


@pytest.fixture
def offline(wheels, monkeypatch, tmp_path) -> Path:
    """uv and pip see only the tiny wheels, and no deployment target leaks in from outside."""
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_FIND_LINKS", str(wheels))
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.delenv("MACOSX_DEPLOYMENT_TARGET", raising=False)
    return wheels


@pytest.fixture(scope="module")
def uv() -> str:
    found = find_uv()
    if not found:
        pytest.skip("uv is not installed beside the tests (pip install -e '.[test]' brings it)")
    return found


def platform_packages(pins) -> set:
    return set(pins) & {name for name, _ in ONLY_ON.values()}


@pytest.mark.parametrize("platform", sorted(UV_PLATFORMS))
def test_uv_resolves_the_markers_of_the_target_platform_not_this_machine(offline, uv, platform):
    result = resolve(["kd-app"], platform, "3.11", uv=uv)
    assert result.ok, result.error
    assert (result.resolver, result.limitation, result.error) == ("uv", None, None)
    assert platform_packages(result.pins) == {ONLY_ON[platform][0]}
    assert result.pins["kd-app"] == "1.0" and result.pins["kd-lib"] == "2.0"
    assert result.argv[result.argv.index("--python-platform") + 1] == UV_PLATFORMS[platform]
    assert result.seconds > 0


@pytest.mark.parametrize("python, expected", [("3.11.9", "1.0"), ("3.12", "2.0")])
def test_uv_resolves_for_the_targets_python_not_this_one(offline, uv, python, expected):
    result = resolve(["kd-modern"], "linux-x86_64", python, uv=uv)
    assert result.ok, result.error
    assert result.pins == {"kd-modern": expected}
    assert result.argv[result.argv.index("--python-version") + 1] == python[:4]


@pytest.mark.parametrize("platform", ["macos-arm64", "macos-x86_64"])
@pytest.mark.parametrize("macos, expected", [("13.6.1", "0.9"), ("14.2", "1.0"), ("15", "1.0")])
def test_uv_picks_wheels_the_targets_macos_release_can_load(offline, uv, platform, macos,
                                                             expected):
    result = resolve(["kd-native"], platform, "3.11", macos_version=macos, uv=uv)
    assert result.ok, result.error
    assert result.pins == {"kd-native": expected}


def test_a_macos_release_does_not_change_a_linux_resolution(offline, uv):
    result = resolve(["kd-native"], "linux-x86_64", "3.11", macos_version="10.9", uv=uv)
    assert result.ok, result.error
    assert result.pins == {"kd-native": "1.0"}


def test_installed_versions_are_kept_where_the_set_allows(offline, uv):
    kept = resolve(["kd-app"], "linux-x86_64", "3.11", uv=uv, preferences={"kd-lib": "1.0"})
    assert kept.ok, kept.error
    assert kept.pins["kd-lib"] == "1.0"
    assert kept.pins == {"kd-app": "1.0", "kd-lib": "1.0", "kd-linux-intel": "1.0"}


def test_every_requirement_of_the_set_reaches_the_resolver(offline, uv):
    both = resolve(["kd-needs-new-lib", "kd-modern"], "linux-x86_64", "3.12", uv=uv)
    assert both.ok, both.error
    assert both.pins == {"kd-needs-new-lib": "1.0", "kd-lib": "2.0", "kd-modern": "2.0"}
    clash = resolve(["kd-needs-new-lib", "kd-lib<2"], "linux-x86_64", "3.12", uv=uv)
    assert not clash.ok and "kd-lib" in clash.error
    assert clash.argv[0] == uv and clash.seconds > 0  # how it was asked and how long it took


def test_resolving_with_installed_versions_leaves_nothing_in_the_working_directory(
        offline, uv, tmp_path, monkeypatch):
    here = tmp_path / "project"
    here.mkdir()
    monkeypatch.chdir(here)
    result = resolve(["kd-app"], "linux-x86_64", "3.11", uv=uv, preferences={"kd-lib": "1.0"})
    assert result.ok, result.error
    assert list(here.iterdir()) == []


def test_an_installed_version_outside_the_set_is_replaced(offline, uv):
    result = resolve(["kd-needs-new-lib"], "linux-x86_64", "3.11", uv=uv,
                     preferences={"kd-lib": "1.0"})
    assert result.ok, result.error
    assert result.pins == {"kd-needs-new-lib": "1.0", "kd-lib": "2.0"}


def test_unreadable_installed_versions_are_ignored_not_fatal(offline, uv):
    result = resolve(["kd-app"], "linux-x86_64", "3.11", uv=uv,
                     preferences={"kd-lib": "1.0", "not a name!": "1.0", "kd-app": "unknown"})
    assert result.ok, result.error
    assert result.pins["kd-lib"] == "1.0"


def test_a_set_that_cannot_resolve_is_a_result_with_uvs_reason(offline, uv):
    result = resolve(["kd-lib>=3"], "linux-x86_64", "3.11", uv=uv)
    assert not result.ok and result.pins == {}
    assert result.resolver == "uv" and result.argv[:3] == [uv, "pip", "compile"]
    assert "kd-lib" in result.error
    assert not result.error.startswith("error:")  # the reason, without uv's prefix


def test_a_resolver_that_cannot_start_is_a_result_not_an_exception(offline, tmp_path):
    missing = str(tmp_path / "no-uv-here")
    result = resolve(["kd-lib"], "linux-x86_64", "3.11", uv=missing)
    assert not result.ok
    assert result.error.startswith(f"cannot run {missing}")


def test_a_resolver_that_runs_out_of_time_is_a_result(offline, tmp_path):
    slow = tmp_path / "slow-uv"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    result = resolve(["kd-lib"], "linux-x86_64", "3.11", uv=str(slow), timeout=0.2)
    assert not result.ok and result.resolver == "uv"
    assert result.error == "uv did not finish within 0 s"
    assert result.seconds < 5


def test_bad_requirements_and_platforms_are_refused_before_anything_runs(uv):
    with pytest.raises(InvalidRequirement):
        resolve(["kd lib ==="], "linux-x86_64", "3.11", uv=uv)
    with pytest.raises(ValueError, match="unknown platform 'solaris'"):
        resolve(["kd-lib"], "solaris", "3.11", uv=uv)
    with pytest.raises(ValueError, match="expected one of"):
        uv_compile_argv(uv, "macos", "3.11")


# pip: the fallback when uv is not at hand. Its platform tags pick the wheels; its markers are
# evaluated for the machine it runs on, which the result states as its limitation.

def pip_resolve(requirements, platform, **options):
    return resolve(requirements, platform, "3.11", prefer="pip", pip_python=sys.executable,
                   **options)


@pytest.mark.parametrize("macos, expected", [("13.6", "0.9"), ("14.1", "1.0")])
def test_pip_picks_wheels_for_the_targets_macos_release(offline, macos, expected):
    result = pip_resolve(["kd-native"], "macos-arm64", macos_version=macos)
    assert result.ok, result.error
    assert (result.resolver, result.limitation) == ("pip", PIP_LIMITATION)
    assert result.pins == {"kd-native": expected}
    assert result.argv[:3] == [sys.executable, "-m", "pip"]  # how it was asked, for the plan
    assert result.argv[result.argv.index("--platform") + 1].endswith("_arm64")


def test_pip_finds_the_platforms_wheel_but_evaluates_markers_for_this_machine(offline):
    result = pip_resolve(["kd-app", "kd-native"], "windows-amd64")
    assert result.ok, result.error
    assert result.pins["kd-native"] == "1.0"  # the win_amd64 wheel: its tag reached pip
    assert "kd-windows" not in result.pins  # the marker uv gets right and pip cannot
    assert result.limitation == PIP_LIMITATION


def test_pip_that_finds_no_solution_reports_its_error_lines(offline):
    result = pip_resolve(["kd-lib>=3"], "linux-x86_64")
    assert not result.ok and result.resolver == "pip"
    assert result.argv[:3] == [sys.executable, "-m", "pip"]
    assert result.limitation == PIP_LIMITATION
    assert result.error.startswith("ERROR") and "kd-lib" in result.error
    assert all(line.startswith("ERROR") for line in result.error.splitlines())


def test_a_failing_pip_is_quoted_by_its_error_lines_else_by_its_last_lines(tmp_path):
    def failing(name, stderr):
        python = tmp_path / name
        python.write_text(f"#!/bin/sh\ncat >&2 <<'EOF'\n{stderr}\nEOF\nexit 1\n")
        python.chmod(0o755)
        return resolve(["kd-lib"], "linux-x86_64", "3.11", prefer="pip", pip_python=str(python))

    noisy = failing("noisy", "WARNING: a retry\nERROR: No matching distribution found for kd-lib"
                             "\n  hint: look elsewhere")
    assert noisy.error == "ERROR: No matching distribution found for kd-lib"
    plain = failing("plain", "\n".join(f"line {n}" for n in range(1, 8)))
    assert plain.error == "line 3\nline 4\nline 5\nline 6\nline 7"


def test_pip_that_cannot_start_says_so(offline, tmp_path):
    result = resolve(["kd-lib"], "linux-x86_64", "3.11", prefer="pip",
                     pip_python=str(tmp_path / "no-python"))
    assert not result.ok and result.resolver == "pip"
    assert "cannot run" in result.error


def test_pip_that_runs_out_of_time_is_a_result(offline, tmp_path):
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    result = resolve(["kd-lib"], "linux-x86_64", "3.11", prefer="pip", pip_python=str(slow),
                     timeout=0.2)
    assert not result.ok
    assert result.error == "pip did not finish within 0 s"
    assert (result.resolver, result.limitation) == ("pip", PIP_LIMITATION)


def test_pip_whose_report_is_unreadable_is_a_result(offline, tmp_path):
    garbled = tmp_path / "garbled-python"
    garbled.write_text("#!/bin/sh\necho '{\"install\": [{\"metadata\": {}}]}'\n")
    garbled.chmod(0o755)
    result = resolve(["kd-lib"], "linux-x86_64", "3.11", prefer="pip", pip_python=str(garbled))
    assert not result.ok
    assert (result.resolver, result.limitation) == ("pip", PIP_LIMITATION)
    assert result.error.startswith("unreadable pip report")


def test_pip_platform_tags_cover_each_platform_and_macos_floor():
    assert pip_platform_tags("macos-arm64", "14.5") == ["macosx_14_0_arm64"]
    assert pip_platform_tags("macos-arm64") == ["macosx_14_0_arm64"]
    # Big Sur is the oldest tag pip needs; Intel Macs also load the 10.16 tag of early builds.
    assert pip_platform_tags("macos-x86_64", "10.15") == ["macosx_11_0_x86_64",
                                                         "macosx_10_16_x86_64"]
    linux = pip_platform_tags("linux-aarch64")
    assert "manylinux_2_17_aarch64" in linux and "manylinux2014_aarch64" in linux
    assert linux[-1] == "linux_aarch64" and not any("x86_64" in tag for tag in linux)
    # after the PEP 600 names, the legacy ones (PEP 599, 571, 513) as wheel file names spell them
    assert linux[-4:-1] == ["manylinux2014_aarch64", "manylinux2010_aarch64",
                            "manylinux1_aarch64"]
    assert "manylinux_2_28_x86_64" in pip_platform_tags("linux-x86_64")
    assert pip_platform_tags("windows-amd64") == ["win_amd64"]
    with pytest.raises(ValueError, match="unknown platform"):
        pip_platform_tags("windows-arm64")


def test_uv_is_found_by_itself_when_preferred(offline, uv):
    result = resolve(["kd-lib"], "linux-x86_64", "3.11")
    assert result.ok, result.error
    assert result.resolver == "uv" and result.argv[0] == uv


def test_every_failed_resolution_says_how_it_was_asked_and_how_long_it_took(offline, tmp_path):
    garbled = tmp_path / "garbled-python"
    garbled.write_text("#!/bin/sh\necho 'not json'\n")
    garbled.chmod(0o755)
    unreadable = resolve(["kd-lib"], "linux-x86_64", "3.11", prefer="pip",
                         pip_python=str(garbled))
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    late = resolve(["kd-lib"], "linux-x86_64", "3.11", prefer="pip", pip_python=str(slow),
                   timeout=0.2)
    for result, python in ((unreadable, garbled), (late, slow)):
        assert not result.ok
        assert result.argv[:3] == [str(python), "-m", "pip"]
        assert 0 < result.seconds < 5


def test_uv_output_that_is_not_pins_is_a_result_that_quotes_it(tmp_path):
    odd = tmp_path / "odd-uv"
    odd.write_text("#!/bin/sh\ncat >/dev/null\necho 'kd-lib>=1'\n")
    odd.chmod(0o755)
    result = resolve(["kd-lib"], "linux-x86_64", "3.11", uv=str(odd))
    assert not result.ok and result.resolver == "uv"
    assert result.error == "unexpected line in the resolver's output: 'kd-lib>=1'"
