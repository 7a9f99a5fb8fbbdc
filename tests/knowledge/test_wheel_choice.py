"""Which wheel an installer takes, from the shipped release tables: the macOS each wheel needs at
least (both sides of each minimum), the best tag among several, yanked releases, Requires-Python."""

from __future__ import annotations

import pytest

from keras_doctor.knowledge import load
from keras_doctor.knowledge.queries import KnowledgeQueries
from keras_doctor.knowledge.releases import release_from_json

KB = load()


@pytest.mark.parametrize("project, version, platform, python, below, at", [
    # TensorFlow's arm64 wheels (2.13 on) and tensorflow-macos 2.12 are macosx_12_0
    ("tensorflow", "2.16.2", "macos-arm64", "3.11", "11.7", "12.0"),
    ("tensorflow-macos", "2.12.0", "macos-arm64", "3.10", "11.7", "12.0"),
    # tensorflow-macos up to 2.9 runs on Big Sur
    ("tensorflow-macos", "2.9.0", "macos-arm64", "3.10", "10.15", "11.0"),
    # TensorFlow's Intel Mac wheels of 2.16 need Catalina
    ("tensorflow", "2.16.2", "macos-x86_64", "3.11", "10.14", "10.15"),
])
def test_a_mac_wheel_installs_from_its_minimum_macos_and_not_below(project, version, platform,
                                                                  python, below, at):
    assert KB.wheel_for(project, version, platform, python, below) is None
    wheel = KB.wheel_for(project, version, platform, python, at)
    assert wheel is not None and KB.wheel_for(project, version, platform, python, "15.3") == wheel
    assert KB.requires_for(project, version, platform, python, below) is None
    assert KB.requires_for(project, version, platform, python, at) == list(wheel.requires_dist)


def test_a_macos_version_without_a_minor_is_its_dot_zero_release():
    assert KB.wheel_for("tensorflow", "2.16.2", "macos-arm64", "3.11", "12") is not None
    assert KB.wheel_for("tensorflow", "2.16.2", "macos-arm64", "3.11", "11") is None
    # a patch release is its minor's: Catalina 10.15.7 takes the 10.15 wheel, Mojave's does not
    assert KB.wheel_for("tensorflow", "2.16.2", "macos-x86_64", "3.11", "10.15.7") is not None
    assert KB.wheel_for("tensorflow", "2.16.2", "macos-x86_64", "3.11", "10.14.6") is None


def test_an_unknown_macos_version_takes_the_wheel_a_current_mac_would():
    assert KB.wheel_for("tensorflow", "2.16.2", "macos-arm64", "3.11") is not None
    assert KB.wheel_for("tensorflow", "2.16.2", "macos-arm64", "3.11", "") is not None


@pytest.mark.parametrize("os_version, newest", [
    ("11.7", "2.9.2"),  # Big Sur: the last tensorflow-macos built for macOS 11
    ("12.0", "2.16.2"),
])
def test_the_newest_release_a_mac_can_install_depends_on_its_macos(os_version, newest):
    found = KB.newest_release("tensorflow-macos", "macos-arm64", "3.10", os_version)
    assert str(found.version) == newest


def test_the_newest_tensorflow_for_an_intel_mac_stops_where_its_wheels_do():
    assert str(KB.newest_release("tensorflow", "macos-x86_64", "3.10", "10.15").version) == \
        "2.16.2"
    assert str(KB.newest_release("tensorflow", "macos-x86_64", "3.10", "10.14").version) == \
        "2.11.1"
    assert KB.newest_release("tensorflow", "macos-arm64", "3.10", "11.7") is None


class _Tables(KnowledgeQueries):
    """The knowledge base's queries over release tables given here."""

    def __init__(self, releases):
        super().__init__()
        self.tables = {"releases/demo.json": {"releases": releases}}

    def file(self, relative):
        return self.tables[relative]


def test_a_yanked_release_is_never_the_newest_to_install():
    tables = _Tables({"1.0": {"wheels": ["py3-none-any"]},
                      "2.0": {"wheels": ["py3-none-any"], "yanked": "broken"},
                      "1.5": {"wheels": ["cp311-cp311-win_amd64"]}})
    assert str(tables.newest_release("demo", "linux-x86_64", "3.11").version) == "1.0"
    assert str(tables.newest_release("demo", "windows-amd64", "3.11").version) == "1.5"
    assert tables.release("demo", "2.0").yanked == "broken"
    assert tables.release("demo", "2.0").wheels[0].yanked
    assert tables.release("demo", "not a version") is None


@pytest.mark.parametrize("tags", [
    ["py3-none-any", "cp311-cp311-manylinux_2_17_x86_64"],
    ["cp311-cp311-manylinux_2_17_x86_64", "py3-none-any"],
])
def test_an_installer_prefers_the_build_for_its_python_over_a_pure_wheel(tags):
    release = release_from_json("demo", "1.0", {"wheels": tags})
    assert release.wheel_for("linux-x86_64", "3.11").tag == "cp311-cp311-manylinux_2_17_x86_64"
    assert release.wheel_for("linux-x86_64", "3.12").tag == "py3-none-any"


@pytest.mark.parametrize("tags", [
    ["cp311-cp311-manylinux2014_x86_64", "cp311-cp311-manylinux_2_28_x86_64"],
    ["cp311-cp311-manylinux_2_28_x86_64", "cp311-cp311-manylinux2014_x86_64"],
])
def test_an_installer_prefers_the_newest_glibc_baseline_it_accepts(tags):
    release = release_from_json("demo", "1.0", {"wheels": tags})
    assert release.wheel_for("linux-x86_64", "3.11").tag == "cp311-cp311-manylinux_2_28_x86_64"


def test_requires_dist_belongs_to_the_wheels_that_state_it():
    release = release_from_json("demo", "1.0", {
        "wheels": ["cp311-cp311-macosx_12_0_arm64", "cp311-cp311-manylinux2014_x86_64"],
        "requires": [{"wheels": [0], "requires_dist": ["demo-macos ==1.0"]}],
        "yanked_wheels": [1], "uploaded": "2024-01-01", "sdist": True})
    assert release.wheel_for("macos-arm64", "3.11").requires_dist == ("demo-macos ==1.0",)
    linux = release.wheel_for("linux-x86_64", "3.11")
    assert linux.requires_dist == () and linux.yanked
    assert not release.wheels[0].yanked and not release.yanked
    assert release.sdist and release.uploaded == "2024-01-01"
    assert release.platform_tags == ["macosx_12_0_arm64", "manylinux2014_x86_64"]
    assert release.python_tags == ["cp311"]


def test_a_releases_requires_python_holds_for_each_of_its_wheels():
    release = release_from_json("demo", "1.0", {"wheels": ["py3-none-any"],
                                                "requires_python": ">=3.12"})
    assert release.wheel_for("linux-x86_64", "3.11") is None
    assert release.wheel_for("linux-x86_64", "3.12") is not None


def test_a_release_read_from_the_tables_knows_its_project():
    assert KB.release("tensorflow_macos", "2.12.0").project == "tensorflow-macos"


def test_an_unparseable_requires_python_does_not_hide_a_wheel():
    release = release_from_json("demo", "1.0", {"wheels": ["py3-none-any"],
                                                "requires_python": ">=3.7.*"})
    assert release.wheel_for("linux-x86_64", "3.11") is not None


def test_an_unknown_platform_is_an_error_not_a_silent_no():
    with pytest.raises(ValueError, match="unknown platform"):
        release_from_json("demo", "1.0", {"wheels": ["py3-none-any"]}).wheel_for(
            "solaris-sparc", "3.11")


def test_a_windows_wheel_installs_on_windows_only():
    release = release_from_json("demo", "1.0", {"wheels": ["cp311-cp311-win_amd64"]})
    assert release.wheel_for("windows-amd64", "3.11") is not None
    assert release.wheel_for("linux-x86_64", "3.11") is None
