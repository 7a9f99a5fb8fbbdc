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
