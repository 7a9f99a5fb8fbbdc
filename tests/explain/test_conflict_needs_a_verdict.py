"""A requirement conflict is answered only where a tool's own verdict says so.

Real pip output (tests/explain/real_output/, how each was made is in its README) and real tuning
reports (tests/explain/corpus/): the verdicts pip prints make `requirement-conflict`; words that
only sound like one (pip's warning on every install run as root, its backtracking notice) and
errors no knowledge recognises do not, whether the guess comes from the fallback priors, the
message atlas or the learned ranker.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import explain_text, messages, ranker, resolvers, wheels
from keras_doctor.explain.engine import explain, hypotheses

REAL_OUTPUT = Path(__file__).parent / "real_output"


def real(name):
    return (REAL_OUTPUT / name).read_text(encoding="utf-8")


def causes(text):
    return [f.cause for f in explain(text).findings]


def hand(text):
    return [h.cause for h in hypotheses(text)[1]]


# pip's backtracking notice (src/pip/_internal/resolution/resolvelib/reporter.py): printed while
# the resolver tries older releases, which ends in a missing wheel as often as in a conflict
BACKTRACKING = ("INFO: pip is looking at multiple versions of tensorflow to determine which "
                "version is compatible with other requirements. This could take a while.")


@pytest.mark.parametrize("name", ["pip-26.3-resolution-impossible.txt",
                                  "pip-26.3-installed-outside-a-range.txt",
                                  "pip-26.3-check.txt"])
def test_pips_own_verdicts_are_a_conflict(name):
    text = real(name)
    assert resolvers.shows_conflict_verdict(text)
    assert causes(text)[0] == "requirement-conflict"


@pytest.mark.parametrize("words", [real("pip-26.3-root-warning.txt"), BACKTRACKING,
                                   "ValueError: Shapes (None, 1) and (None, 10) are incompatible"])
def test_words_of_conflict_outside_a_verdict_are_none(words):
    assert not resolvers.shows_conflict_verdict(words)


def test_the_root_warning_is_no_conflict_in_the_message_atlas():
    # pip prints it on every install as root outside a virtual environment (Docker, Colab):
    # "… broken permissions and conflicting behaviour with the system package manager"
    warning = real("pip-26.3-root-warning.txt")
    assert "requirement-conflict" not in [c for c, *_ in messages.causes_of(warning)]
    conflict = real("pip-26.3-resolution-impossible.txt")
    assert "requirement-conflict" in [c for c, *_ in messages.causes_of(conflict)]


def test_an_unrecognised_error_after_a_root_install_is_not_a_conflict():
    report = corpus.case("tf-2370-tensorflow-py-in-cwd-variable")["text"]
    pasted = real("pip-26.3-root-warning.txt") + "\n" + report
    assert "requirement-conflict" not in causes(pasted)


@pytest.mark.parametrize("case_id", ["tf-2370-tensorflow-py-in-cwd-variable",
                                     "keras-6076-merge-from-keras-engine",
                                     "tf-15082-tf-estimator-before-tf13"])
def test_an_error_nothing_recognises_is_no_conflict_without_a_verdict(case_id):
    # each a Python error of code and package of different releases (or a local file), with no
    # installer in sight: once the fallback's first guess and the ranker's sink
    text = corpus.case(case_id)["text"]
    assert "requirement-conflict" not in hand(text)
    assert "requirement-conflict" not in causes(text)
    # the other side: the same error after pip's verdict that a range is violated
    after_pip = real("pip-26.3-installed-outside-a-range.txt") + "\n" + text
    assert "requirement-conflict" in causes(after_pip)[:3]


def test_an_install_failure_without_a_verdict_is_a_missing_distribution():
    failed = "ERROR: Exception:\nTraceback (most recent call last):\n  pip._vendor.x\nOSError: boom"
    assert hand(failed)[:2] == ["no-wheel-for-python", "no-wheel-for-platform"]
    assert hand(real("pip-26.3-check.txt").replace("alpha 1.0 has", "ERROR: alpha 1.0 has"))[0] \
        == "requirement-conflict"


def test_the_ranker_proposes_a_conflict_only_with_a_verdict():
    class Proposed:
        def __init__(self, cause):
            self.cause, self.signatures, self.score, self.against = cause, ["fallback:x"], 0.3, []

    probabilities = {"requirement-conflict": 0.6, "dependency-too-new": 0.3, "shadowed-module": 0.1}
    guessed = [Proposed("dependency-too-new")]
    unwitnessed = ranker.unwitnessed("AttributeError: 'module' object has no attribute 'Variable'")
    assert unwitnessed == {"requirement-conflict", "pip-too-old-for-platform-tags"}
    order = [c for c, _ in ranker.ordered(guessed, probabilities, unwitnessed=unwitnessed)]
    assert "requirement-conflict" not in order
    witnessed = ranker.unwitnessed(real("pip-26.3-installed-outside-a-range.txt"))
    assert witnessed == {"pip-too-old-for-platform-tags"}
    assert ranker.ordered(guessed, probabilities, unwitnessed=witnessed)[0][0] == \
        "requirement-conflict"
    # a conflict the hand evidence itself proposed is never taken away
    proposed = [Proposed("requirement-conflict")]
    assert ranker.ordered(proposed, probabilities, unwitnessed=unwitnessed)[0][0] == \
        "requirement-conflict"


# -- pip's versions skipped for their Python: only the failing requirement's count -------------


def test_versions_skipped_for_python_that_are_the_failing_requirements_count():
    text = real("pip-26.3-ignored-python-this-project.txt")
    assert wheels.python_skip_counts(text) is True
    found = hypotheses(text)[1]
    assert found[0].cause == "no-wheel-for-python" and "requires-python" in found[0].signatures


def test_versions_skipped_for_python_of_another_project_do_not_count():
    # pip keeps one set of skipped versions for the whole run and names no project: scipy's
    # releases, listed before tensorflow failed (TensorFlow 1.7.1's wheels are for 2.7-3.6,
    # which SciPy's `>=3.7,<3.10` does not admit)
    text = real("pip-26.3-ignored-python-another-project.txt")
    assert wheels.python_skip_counts(text) is False
    assert all("requires-python" not in h.signatures for h in hypotheses(text)[1])


def test_a_real_report_of_versions_another_project_skipped():
    text = corpus.case("magenta-2047-needs-tensorflow-has-tensorflow-macos")["text"]
    assert wheels.python_skip_counts(text) is False
    assert all("requires-python" not in h.signatures for h in hypotheses(text)[1])


def test_a_dependencys_requirement_names_its_dependent():
    # "tensorflow (from magenta) (from versions: none)": the list pip offered is still read
    text = ("ERROR: Could not find a version that satisfies the requirement tensorflow==2.9.0 "
            "(from magenta) (from versions: 2.12.0, 2.13.0)")
    found = wheels._REQUIREMENT.search(text)
    assert found.group("requirement") == "tensorflow==2.9.0"
    assert found.group("offered") == "2.12.0, 2.13.0"


# -- conda's virtual package for the system's glibc --------------------------------------------

# conda's classic solver on a Linux whose glibc is older than a package's build needs
# (conda/exceptions.py, UnsatisfiableError for the system's virtual packages)
CONDA_GLIBC = ("UnsatisfiableError: The following specifications were found to be incompatible "
               "with your system:\n\n  - feature:/linux-64::__glibc==2.12=0\n"
               "  - feature:|@/linux-64::__glibc==2.12=0\n"
               "  - tensorflow -> __glibc[version='>=2.17']\n\nYour installed version is: 2.12\n")


def test_condas_glibc_virtual_package_is_the_system_glibc():
    assert causes(CONDA_GLIBC)[0] == "glibc-too-old"
    assert not resolvers.shows_conflict_verdict(CONDA_GLIBC)  # the system, not two packages
    # the other side: the same solver finding two specifications incompatible with each other
    each_other = CONDA_GLIBC.replace("with your system", "with each other").replace(
        "__glibc", "python").replace("feature:/linux-64::", "")
    assert causes(each_other)[0] != "glibc-too-old"


def test_the_loaders_glibc_version_as_a_title_retypes_it():
    report = corpus.case("conda-forge-tf-feedstock-11-glibc-217-title")["text"]
    assert causes(report)[0] == "glibc-too-old"
    assert "glibc-too-old" not in hand("GLIBCXX is fine, libcudnn.so.8 not found")


# -- an install that failed, told in words -------------------------------------------------------


@pytest.mark.parametrize("case_id", ["mediapipe-2120-apple-silicon-pip",
                                     "mediapipe-3629-m1-pip-not-found"])
def test_a_failed_install_on_apple_silicon_told_in_words_is_the_machine(case_id):
    text = corpus.case(case_id)["text"]
    assert hand(text)[0] == "no-wheel-for-platform"
    assert causes(text)[0] == "no-wheel-for-platform"


def test_a_failed_install_told_in_words_elsewhere_is_a_wheel_question():
    found = hand("pip install mediapipe not working on my laptop")
    assert found[:2] == ["no-wheel-for-python", "no-wheel-for-platform"]
    # the other side: an import that failed after an install is no install failure
    assert hand("I did pip install tensorflow, but import tensorflow not working")[0] not in (
        "no-wheel-for-python", "no-wheel-for-platform")


def _branches(pattern):
    """The top-level alternatives of a regular expression's source."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def test_every_verdict_wording_holds_a_word_the_quick_test_looks_for():
    """The substring test before the pattern skips no verdict: each alternative's source holds
    one of the words as plain text (and none of the words is a pattern of its own)."""
    branches = _branches(resolvers.CONFLICT_VERDICT.pattern)
    assert len(branches) == 25  # a new wording needs its word too
    special = set("\\.^$*+?{}[]()|")
    assert [w for w in resolvers.VERDICT_WORDS if special & set(w)] == []
    assert [b for b in branches if not any(w in b for w in resolvers.VERDICT_WORDS)] == []


@pytest.mark.parametrize("text", [
    "ERROR: Cannot install a and b because these package versions have conflicting "
    "dependencies.",
    "tensorflow 2.13.0 requires numpy<=1.24.3,>=1.22, but you have numpy 2.1.3 which is "
    "incompatible.",
    "ImportError: This version of TensorFlow Probability requires TensorFlow version >= 2.10; "
    "Detected an installation of version 2.9.0. Please upgrade TensorFlow to proceed.",
    "pkg_resources.ContextualVersionConflict: (numpy 1.16.0 (/x), Requirement.parse("
    "'numpy>=1.17'), {'scipy'})",
])
def test_the_quick_test_and_the_pattern_agree_on_verdicts(text):
    assert resolvers.shows_conflict_verdict(text) is True
    assert resolvers.shows_conflict_verdict(text.replace("a", "\u0430")) is bool(
        resolvers.CONFLICT_VERDICT.search(text.replace("a", "\u0430")))


def test_the_quick_test_agrees_with_the_pattern_on_every_real_report():
    texts = [row["text"] for row in corpus.load()]
    texts += [real(path.name) for path in sorted(REAL_OUTPUT.glob("*.txt"))]
    assert [resolvers.shows_conflict_verdict(t) for t in texts] == [
        bool(resolvers.CONFLICT_VERDICT.search(t)) for t in texts]


@pytest.mark.parametrize(("have", "newer"), [("3.1.1", True), ("2.12.0", False)])
def test_pips_conflict_line_says_which_side_of_the_range_is_installed(have, newer):
    """keras-team/keras#19390: TensorFlow 2.13.1 wants keras<2.14,>=2.13.1 and pip left keras
    3.1.1, above the range (the fix lowers keras); a keras below it is the other side."""
    line = ("ERROR: pip's dependency resolver does not currently take into account all the "
            "packages that are installed. This behaviour is the source of the following "
            "dependency conflicts.\ntensorflow 2.13.1 requires keras<2.14,>=2.13.1, but you have "
            f"keras {have} which is incompatible.\n")
    found = {h.cause: h for h in hypotheses(line)[1]}
    assert found["requirement-conflict"].evidence["installed"] == f"keras {have}"
    assert found["requirement-conflict"].evidence["installed_is_newer"] is newer


def test_versions_skipped_for_python_outside_the_requested_range_do_not_count():
    # pip's lines as pip 26.3 prints them (real_output/): the releases it skipped for the Python
    # (2.16.1, 2.17.0) are not the `tensorflow==2.9.0` asked for, so the Python is not what kept
    # pip from it
    text = ("ERROR: Ignored the following versions that require a different python version: "
            "2.16.1 Requires-Python >=3.9; 2.17.0 Requires-Python >=3.9\n"
            "ERROR: Could not find a version that satisfies the requirement tensorflow==2.9.0 "
            "(from versions: 2.12.0, 2.13.0)\n"
            "ERROR: No matching distribution found for tensorflow==2.9.0\n")
    assert wheels.python_skip_counts(text) is False
    # the other side: 2.16.1 asked for, and skipped for a Python its wheels declare
    assert wheels.python_skip_counts(text.replace("2.9.0", "2.16.1")) is True


# -- npm's resolver, for TensorFlow.js ------------------------------------------------------------

NPM_ERESOLVE = (
    "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE could not resolve\nnpm ERR! \n"
    "npm ERR! While resolving: @tensorflow/tfjs-backend-webgpu@0.0.1-alpha.20\n"
    "npm ERR! Found: @tensorflow/tfjs-core@4.8.0\n"
    "npm ERR! node_modules/@tensorflow/tfjs-core\n"
    'npm ERR!   peer @tensorflow/tfjs-core@"4.5.0" from @tensorflow/tfjs-backend-cpu@4.5.0\n'
)


@pytest.mark.parametrize("paste", [
    NPM_ERESOLVE,  # tfjs#7784, npm 9
    NPM_ERESOLVE.replace("npm ERR!", "npm error"),  # npm 10 words its prefix so
    "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\n",
])
def test_npms_peer_conflict_is_a_requirement_conflict_fixed_with_npm(paste):
    finding = explain_text(paste).findings[0]
    assert finding.cause == "requirement-conflict"
    fix = " ".join(step.description for step in finding.fix)
    assert "peer" in fix and "pip" not in fix


def test_npms_conflict_names_what_was_found_and_what_the_peer_wants():
    finding = explain_text(NPM_ERESOLVE).findings[0]
    assert finding.evidence["found"] == "@tensorflow/tfjs-core@4.8.0"
    assert finding.evidence["peer"] == '@tensorflow/tfjs-core@"4.5.0"'
    assert '@tensorflow/tfjs-core@"4.5.0" is wanted where @tensorflow/tfjs-core@4.8.0' in (
        finding.fix[0].description)
