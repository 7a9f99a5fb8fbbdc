"""What a resolve step made of a match is the evidence the user reads, not the raw group.

pip's post-install check prints one line per violated range, `{name} {version} requires
{requirement}, but you have {dep_name} {dep_version} which is incompatible.`
(pip/_internal/commands/install.py, `_warn_about_conflicts`). The resolve step reads the last such
line into a requirer with its version, the range and the installed version, and the fix names
that requirer; a signature's raw groups (every line's requirer, without the version) must not
replace it, or the fix names the range of one line and the requirer of another.
"""

from __future__ import annotations

import corpus
import pytest

from keras_doctor.explain import explain_text

PIP_CONFLICT = ("{name} {version} requires {requirement}, but you have {dep_name} {dep_version} "
                "which is incompatible.")
PIP_HEADER = ("ERROR: pip's dependency resolver does not currently take into account all the "
              "packages that are installed. This behaviour is the source of the following "
              "dependency conflicts.")


def first_steps(text):
    top = explain_text(text).findings[0]
    return top.cause, top.evidence["requirer"], [step.description for step in top.fix[:2]]


def test_a_real_report_names_the_requirer_of_the_range_it_installs():
    """gensim's numpy line comes first, tensorflow-intel's tensorboard range last: the fix
    installs the tensorboard range, which tensorflow-intel 2.13.1 declares."""
    text = corpus.case("keras-21162-tensorflow-intel-213-numpy2-keras3")["text"]
    assert first_steps(text) == (
        "requirement-conflict", "tensorflow-intel 2.13.1",
        ["Install tensorboard inside the range tensorflow-intel 2.13.1 declares",
         "Or upgrade tensorflow-intel to a release that accepts the installed one"])


def test_one_line_keeps_its_requirer_and_version():
    text = PIP_HEADER + "\n" + PIP_CONFLICT.format(
        name="tensorflow", version="2.13.0", requirement="typing-extensions<4.6.0,>=3.6.6",
        dep_name="typing-extensions", dep_version="4.8.0")
    assert first_steps(text) == (
        "requirement-conflict", "tensorflow 2.13.0",
        ["Install typing-extensions inside the range tensorflow 2.13.0 declares",
         "Or upgrade tensorflow to a release that accepts the installed one"])


def test_two_requirers_the_fix_and_its_requirer_come_from_one_line():
    """The other side: with two lines the requirer read is the one whose range the fix installs
    (the last line's), whichever requirer the first line names."""
    lines = [PIP_CONFLICT.format(name="tensorflow-text", version="2.12.1",
                                 requirement="tensorflow<2.13,>=2.12.0", dep_name="tensorflow",
                                 dep_version="2.15.0"),
             PIP_CONFLICT.format(name="keras-nlp", version="0.6.0",
                                 requirement="tensorflow-text<2.16", dep_name="tensorflow-text",
                                 dep_version="2.16.1")]
    report = explain_text("\n".join([PIP_HEADER, *lines])).findings[0]
    assert (report.evidence["requirer"], report.evidence["requirement"]) == (
        "keras-nlp 0.6.0", "tensorflow-text<2.16")
    assert report.fix[0].description == ("Install tensorflow-text inside the range keras-nlp "
                                         "0.6.0 declares")


# setuptools' pkg_resources says the same in its own words (VersionConflict's template), as
# `setup.py install` prints it and as an entry point raises it
SETUPTOOLS = [
    "error: tensorflow 2.12.0rc0 is installed but tensorflow<2.7.0,>=2.4.0 is required by "
    "{'tfaip'}",
    "pkg_resources.ContextualVersionConflict: (tensorflow 2.12.0rc0 "
    "(/usr/local/lib/python3.8/dist-packages), Requirement.parse('tensorflow<2.7.0,>=2.4.0'), "
    "{'tfaip'})",
]


@pytest.mark.parametrize("paste", SETUPTOOLS)
def test_setuptools_version_conflict_is_read_like_pips_check(paste):
    top = explain_text(paste).findings[0]
    assert top.cause == "requirement-conflict"
    assert top.evidence["requirer"] == "tfaip"
    assert top.evidence["requirement"] == "tensorflow<2.7.0,>=2.4.0"
    assert top.fix[0].command[-1] == "tensorflow<2.7.0,>=2.4.0"


def test_a_setuptools_conflict_over_numpy_2_names_numpy_as_pips_does():
    """The same decision as pip's line (`checks.distributions.conflict_cause`): the package whose
    range is broken names the cause."""
    paste = "error: numpy 2.0.1 is installed but numpy<2.0.0,>=1.23.5 is required by {'tensorflow'}"
    assert explain_text(paste).findings[0].cause == "numpy-abi-mismatch"
    # VersionConflict without its context names no requirer: only the range is known broken
    without_the_by = paste.split(" by ")[0]
    assert explain_text(without_the_by).findings[0].cause == "requirement-conflict"
