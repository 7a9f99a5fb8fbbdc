"""Apple's tensorflow-macos provides the `tensorflow` module under another distribution name:
a requirement on `tensorflow` is unmet by name although the module imports. Both sides: the
same words without the fork stay the causes they were, and the check sees it only with the fork.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
from factories import dist, mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.explain import explain_text
from keras_doctor.findings import StepKind

FORK = "tensorflow-macos-fork-not-recognised"
PKG_RESOURCES = ("pkg_resources.DistributionNotFound: The 'tensorflow>=2.8' distribution was not "
                 "found and is required by keras-nlp\n")
PIP_CHECK = ("tensorflow-text 2.9.0 requires tensorflow<2.10,>=2.9.0, which is not installed.\n")
PIP_INSTALL = ("Collecting tensorflow<2.10,>=2.9.0\n  Using cached tensorflow-2.9.0-cp38-cp38-"
               "macosx_10_14_x86_64.whl (228.5 MB)\n")
WITH_FORK = ("Requirement already satisfied: tensorflow-macos in "
             "./venv/lib/python3.8/site-packages\n")


@pytest.mark.parametrize("paste", [PKG_RESOURCES, PIP_CHECK, PIP_INSTALL])
def test_a_requirement_on_tensorflow_beside_tensorflow_macos_is_the_fork(paste):
    assert explain_text(WITH_FORK + paste).findings[0].cause == FORK


@pytest.mark.parametrize(("paste", "cause"), [(PIP_CHECK, "missing-dependency")])
def test_the_same_words_without_the_fork_stay_what_they_were(paste, cause):
    causes = [f.cause for f in explain_text(paste).findings]
    assert causes[0] == cause and FORK not in causes


def test_no_arm64_tensorflow_without_the_fork_is_a_wheel_question():
    text = ("ERROR: Could not find a version that satisfies the requirement tensorflow (from "
            "versions: none)\nERROR: No matching distribution found for tensorflow\n")
    assert FORK not in [f.cause for f in explain_text(text).findings]


@pytest.mark.parametrize(("paste", "asked_by_user_only"), [
    # pip's resolver: no requirer named when the user asked (the paste above)
    ("ERROR: Could not find a version that satisfies the requirement tensorflow==2.5.0 (from "
     "versions: none)\n", True),
    # a requirements file is the user's own request (the legacy resolver names the file)
    ("ERROR: Could not find a version that satisfies the requirement tensorflow==1.15 (from -r "
     "requirements.txt (line 3)) (from versions: none)\n", True),
    # a package asked for it: pip names the package, which the fork's cause needs
    ("ERROR: Could not find a version that satisfies the requirement tensorflow<2.10,>=2.9.0; "
     'platform_machine != "arm64" (from tensorflow-text) (from versions: none)\n', False),
    (PKG_RESOURCES, False),
    (PIP_CHECK, False),
    # another distribution than tensorflow itself
    ("ERROR: Could not find a version that satisfies the requirement tensorflow-text (from "
     "versions: none)\n", False),
])
def test_the_fork_needs_a_package_that_asked_for_tensorflow(paste, asked_by_user_only):
    from keras_doctor.explain import clues

    assert clues.only_the_user_asked_for_tensorflow(paste) is asked_by_user_only
    assert clues.ruled_out_by_signal(FORK, paste) is asked_by_user_only


def test_a_package_asking_for_tensorflow_pip_cannot_find_keeps_the_fork_among_the_answers():
    text = ("ERROR: Could not find a version that satisfies the requirement tensorflow<2.10,"
            ">=2.9.0 (from tensorflow-text) (from versions: none)\nERROR: No matching "
            "distribution found for tensorflow<2.10,>=2.9.0\n")
    assert FORK in [f.cause for f in explain_text(WITH_FORK + text).findings][:3]


def _facts(*names_versions, requires=("tensorflow>=2.8",)):
    dists = [dist(name, version) for name, version in names_versions]
    dists.append(dist("keras-nlp", "0.4.1", requires=list(requires)))
    return mac_facts(distributions=dists)


def by_cause(facts, cause):
    return [f for f in run_checks(facts).findings if f.cause == cause]


def test_check_names_the_fork_instead_of_a_missing_tensorflow():
    facts = _facts(("tensorflow-macos", "2.9.2"))
    (found,) = by_cause(facts, FORK)
    assert found.evidence["requirer"] == "keras-nlp"
    assert not [f for f in by_cause(facts, "missing-dependency")
                if f.evidence.get("required") == "tensorflow"]
    assert any("--no-deps" in step.description for step in found.fix)


def test_check_offers_the_shim_only_where_tensorflow_has_one():
    shim = by_cause(_facts(("tensorflow-macos", "2.14.1")), FORK)[0]
    assert any(step.command and "tensorflow==2.14.1" in step.command for step in shim.fix)
    old = by_cause(_facts(("tensorflow-macos", "2.12.0")), FORK)[0]
    assert not any(step.command and any("tensorflow==" in a for a in step.command)
                   for step in old.fix)


def test_without_the_fork_a_missing_tensorflow_stays_missing():
    facts = _facts(("numpy", "1.26.4"))
    assert not by_cause(facts, FORK)
    assert [f for f in by_cause(facts, "missing-dependency")
            if f.evidence.get("required") == "tensorflow"]


def test_with_tensorflow_itself_installed_nothing_is_reported():
    facts = _facts(("tensorflow-macos", "2.14.1"), ("tensorflow", "2.14.1"))
    assert not by_cause(facts, FORK)


@pytest.mark.parametrize(("fork", "shim"), [("2.12.0", False), ("2.13.0", True),
                                            ("2.15.1", True), ("2.16.2", False)])
def test_the_shim_step_says_why_installing_tensorflow_meets_the_name(fork, shim):
    (found,) = by_cause(_facts(("tensorflow-macos", fork)), FORK)
    offered = [step for step in found.fix if step.command]
    (by_hand,) = [step for step in found.fix if not step.command]
    assert by_hand.kind is StepKind.MANUAL and "--no-deps" in by_hand.description
    if not shim:
        assert offered == []
        return
    (step,) = offered
    assert step.command[-1] == f"tensorflow=={fork}"
    assert step.description == (f"Install the tensorflow {fork} shim, which requires this "
                                "tensorflow-macos, so the name is met")
