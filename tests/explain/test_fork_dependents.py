"""A dependent asking for the distribution `tensorflow` where Apple's fork is TensorFlow.

Each tool that reports the requirement unmet has its own words (pip's resolver and its
collection of a dependency, pipdeptree, pkg_resources); on an Apple Silicon Mac, where
`tensorflow` had no arm64 wheel before 2.13 (the release table), they are the fork not
recognised. Both sides: the same words with no fork and no Apple Silicon in sight stay the causes
they were, and pip's search for `tensorflow` that no dependent asked for stays a wheel question.
A dependent's range with no arm64 release, and no fork in the paste, is the platform first: pip
found no wheel for the machine whether or not a fork sits beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import resolvers, wheels
from keras_doctor.explain.engine import explain

FORK = "tensorflow-macos-fork-not-recognised"


def causes(text):
    return [f.cause for f in explain(text).findings]


def test_the_first_arm64_tensorflow_wheel_is_2_13():
    # what the Apple Silicon signatures rest on
    releases = wheels.table("tensorflow")
    arm64 = [v for v, (tags, _) in releases.items()
             if any("macosx" in t and t.endswith("arm64") for t in tags)]
    assert "2.13.0" in arm64 and "2.12.0" not in arm64 and "2.5.0" not in arm64


def test_pips_conflict_over_tensorflow_on_an_m1_is_the_fork():
    # magenta's releases all depend on `tensorflow`; the reporter's M1 has only Apple's build
    report = corpus.case("magenta-1867-m1-apple-tf-conflict")["text"]
    assert causes(report)[0] == FORK
    # the other side: pip's own lines of that report, with no Mac in sight, are a conflict
    pip_lines = report[report.index("The conflict is caused by:"):]
    assert causes(pip_lines)[0] == "requirement-conflict"


DEPENDENT = ("ERROR: Could not find a version that satisfies the requirement tensorflow "
             "(from tf-models-official) (from versions: none)\n"
             "ERROR: No matching distribution found for tensorflow\n")
OWN_REQUEST = ("ERROR: Could not find a version that satisfies the requirement tensorflow "
               "(from versions: none)\nERROR: No matching distribution found for tensorflow\n")
APPLE_SILICON = "MacBook Air M2, macOS 13.4\n"


def test_a_dependent_asking_for_tensorflow_on_apple_silicon_is_the_fork():
    found = causes(APPLE_SILICON + DEPENDENT)
    assert found[0] == FORK and "no-wheel-for-platform" in found[:3]


def test_tensorflow_asked_for_by_the_user_on_apple_silicon_is_the_wheel():
    found = causes(APPLE_SILICON + OWN_REQUEST)
    assert found[0] == "no-wheel-for-platform" and FORK not in found


def test_a_dependent_asking_for_tensorflow_elsewhere_is_the_wheel():
    # with no platform in sight the wheel comes first; the fork may follow as a late guess, as
    # it was on magenta-2047 (these very pip lines, the Apple M1 only in the thread's words)
    assert causes(DEPENDENT)[0] == "no-wheel-for-python"
    assert FORK not in causes(DEPENDENT)[:2]
    assert "Apple" not in corpus.case("magenta-2047-needs-tensorflow-has-tensorflow-macos")["text"]
    # on a platform the paste shows is not a Mac, Apple's fork (macOS wheels only) is no answer
    windows = "C:\\Users\\me> pip install tf-models-official\n"
    assert FORK not in causes(windows + DEPENDENT)


# pipdeptree renders a requirement nothing installs as `installed: ?`, under its warning
# (pipdeptree/_validate.py, render_conflicts_text)
PIPDEPTREE = ("Warning!!! Possibly conflicting dependencies found:\n"
              "* tensorflow-text==2.10.0\n"
              " - tensorflow [required: >=2.10.0,<2.11, installed: ?]\n")


def test_pipdeptree_missing_tensorflow_beside_the_fork_is_the_fork():
    assert resolvers.shows_conflict_verdict(PIPDEPTREE)
    assert causes(PIPDEPTREE + "tensorflow-macos==2.10.0\n")[0] == FORK
    assert causes(PIPDEPTREE + "Apple M1 Pro\n")[0] == FORK


def test_pipdeptree_missing_tensorflow_alone_is_a_missing_dependency():
    found = causes(PIPDEPTREE)
    assert found[0] == "missing-dependency" and FORK not in found


# setuptools' pkg_resources (DistributionNotFound.report)
PKG_RESOURCES = ("pkg_resources.DistributionNotFound: The 'tensorflow>=2.4' distribution was not "
                 "found and is required by tensorflow-hub\n")


def test_a_distribution_pkg_resources_did_not_find_is_missing():
    found = causes(PKG_RESOURCES)
    assert found[0] == "missing-dependency" and FORK not in found
    assert causes(PKG_RESOURCES + "on my MacBook Pro M1\n")[0] == FORK


def test_pip_collecting_a_dependents_range_beside_the_fork_is_the_fork():
    collecting = ("I have tensorflow-macos 2.10 and tensorflow-metal.\n"
                  "Collecting tensorflow<2.11,>=2.10.0 (from tensorflow-text)\n")
    assert causes(collecting)[0] == FORK
    # a bare `Collecting tensorflow` is the user's own request: no dependent to blame
    assert FORK not in causes("I have tensorflow-macos 2.10.\nCollecting tensorflow\n")


def test_pip_pulling_tensorflow_beside_the_fork_in_a_real_report():
    report = corpus.case("tf-text-654-pip-pulls-tensorflow-beside-tensorflow-macos")["text"]
    assert causes(report)[0] == FORK


def _dependent_asks(requirement):
    return (f"ERROR: Could not find a version that satisfies the requirement {requirement} "
            "(from tf-models-official) (from versions: none)\n"
            f"ERROR: No matching distribution found for {requirement}\n")


def test_a_dependents_range_without_arm64_wheels_and_no_fork_shown_is_the_platform():
    """tf-models-official 2.10 asks for tensorflow>=2.10.0,<2.11 on an M2 and the paste shows no
    fork: no release in that range has a macOS arm64 wheel, so pip found none for this machine
    whether or not a fork sits beside it; the fork stays the runner-up."""
    releases = wheels.table("tensorflow")
    in_range = [tags for v, (tags, _) in releases.items() if v.startswith("2.10.")]
    assert in_range and not any(plat == "macos-arm64" for tags in in_range
                                for plat, _ in wheels.wheel_pairs(tags))
    found = causes(APPLE_SILICON + _dependent_asks("tensorflow<2.11,>=2.10.0"))
    assert found[:2] == ["no-wheel-for-platform", FORK]


def test_the_same_range_beside_a_fork_the_paste_shows_is_the_fork():
    # the other side: `pip list` shows Apple's fork installed, which the dependent does not
    # recognise by name
    shown = "tensorflow-macos            2.10.0\ntensorflow-metal            0.6.0\n"
    found = causes(APPLE_SILICON + shown + _dependent_asks("tensorflow<2.11,>=2.10.0"))
    assert found[0] == FORK


def test_a_dependents_range_with_arm64_wheels_keeps_the_fork_first():
    # a bare `tensorflow` reaches 2.13.0 and later, which ship arm64 wheels: the range alone
    # does not say the machine got none, and the dependent reading stands
    assert any(plat == "macos-arm64"
               for plat, _ in wheels.wheel_pairs(wheels.table("tensorflow")["2.13.0"][0]))
    assert causes(APPLE_SILICON + _dependent_asks("tensorflow>=2.10.0"))[0] == FORK


# importlib.metadata's own words as a package asks for a distribution's version: Python >= 3.10
# "No package metadata was found for NAME", 3.8 and 3.9 the name alone
_VERSION_CALL = ('  File "{root}/lib/python3.10/site-packages/keras_nlp/__init__.py", line 3, in '
                 '<module>\n    version = importlib.metadata.version("tensorflow")\n')


def test_metadata_missing_for_tensorflow_on_apple_silicon_is_the_fork():
    for message in ("No package metadata was found for tensorflow", "tensorflow"):
        text = (_VERSION_CALL.format(root="/opt/homebrew/lib")
                + f"importlib.metadata.PackageNotFoundError: {message}\n")
        assert causes(text)[:2] == [FORK, "missing-dependency"]


def test_metadata_missing_elsewhere_or_for_another_name_is_a_missing_distribution():
    linux = (_VERSION_CALL.format(root="/home/ada/venv")
             + "importlib.metadata.PackageNotFoundError: tensorflow\n")
    assert causes(linux)[0] == "missing-dependency"
    assert FORK not in causes(linux)
    text_on_a_mac = (_VERSION_CALL.format(root="/opt/homebrew/lib") + "importlib.metadata."
                     "PackageNotFoundError: No package metadata was found for tensorflow-text\n")
    found = explain(text_on_a_mac).findings
    assert found[0].cause == "missing-dependency"
    assert found[0].evidence["module"] == "tensorflow-text"
    assert FORK not in [f.cause for f in found]
