"""What explain takes from the environment examined when the paste does not show it: the Python,
the system, the machine and the pip that decide between the wheel causes."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
from factories import dist, mac_facts

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import Examined, examined, hypotheses

PIP_TOO_OLD = "pip-too-old-for-platform-tags"
# pip's own lines when it finds no wheel it can install, and the notice it prints of its version
NO_DISTRIBUTION = ("ERROR: Could not find a version that satisfies the requirement {pin} "
                   "(from versions: none)\nERROR: No matching distribution found for {pin}\n")
PIP_NOTICE = "WARNING: You are using pip version {pip}; however, version 22.3 is available.\n"


def test_a_system_the_wheel_tables_do_not_know_is_no_platform_and_no_machine():
    facts = mac_facts(machine="x86_64")
    facts.platform = replace(facts.platform, system="FreeBSD")
    seen = examined(facts)
    assert (seen.platform, seen.machine, seen.python) == ("", "", "3.11")


@pytest.mark.parametrize("installers, pip_dists, pip", [
    ({"pip": "20.2.4"}, [], "20.2.4"),  # the pip that installs into it
    ({}, ["20.2.4"], "20.2.4"),  # else its installed distribution
    ({"pip": "20.2.4"}, ["24.0"], "20.2.4"),
    ({}, [], ""),  # no pip at all: nothing to decide with, not a guess
])
def test_the_pip_examined_is_the_installer_else_the_installed_distribution(installers,
                                                                          pip_dists, pip):
    facts = mac_facts(distributions=[dist("pip", version) for version in pip_dists])
    facts.interpreter.installers = dict(installers)
    assert examined(facts).pip == pip


@pytest.mark.parametrize("pip, too_old", [("20.2.4", True), ("20.3", False)])
def test_an_apple_silicon_macs_own_pip_too_old_for_its_wheels_is_named_first(pip, too_old):
    # TensorFlow 2.16.1 has only macOS 12 arm64 wheels for an Apple Silicon Mac: pip reads
    # their tags from 20.3 on; the paste shows neither the pip nor the machine, the facts do
    facts = mac_facts(machine="arm64")
    facts.interpreter.installers = {"pip": pip}
    findings = explain_text(NO_DISTRIBUTION.format(pin="tensorflow==2.16.1"), facts).findings
    assert (findings[0].cause == PIP_TOO_OLD) is too_old
    if too_old:  # the error's reading and the check of the installed pip agree, and say why
        first = findings[0]
        assert first.check == "explain+pip-platform-tags"
        read = first.evidence["from_error_text"]
        assert (read["pip_installed"], read["needs_pip"], read["platform_read"]) == (
            pip, "20.3", "macos-arm64")
    assert PIP_TOO_OLD not in [f.cause for f in findings[1:]]


@pytest.mark.parametrize("python, blamed", [("3.9", True), ("3.11", False)])
def test_a_pip_too_old_is_blamed_only_where_the_release_has_a_wheel_for_that_python(python,
                                                                                  blamed):
    # TensorFlow 2.9.0's manylinux2014 wheels need pip 19.3; they exist for CPython 3.7-3.10, so
    # on the environment's Python 3.11 no pip would have found one: the Python is the cause
    paste = NO_DISTRIBUTION.format(pin="tensorflow==2.9.0") + PIP_NOTICE.format(pip="19.2.3")
    ranked = hypotheses(paste, environment=Examined(python=python, platform="linux"))[1]
    causes = [h.cause for h in ranked]
    assert (causes[0] == PIP_TOO_OLD) is blamed
    assert (PIP_TOO_OLD in causes) is blamed
    if not blamed:
        assert causes[0] == "no-wheel-for-python"
