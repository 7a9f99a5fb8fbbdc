"""With the environment, the causes one message stands for are decided by what the facts show.

The text alone cannot tell them apart (`explain/lookalike.py`), so it lists them together. The
facts must help, never hide: a look-alike the facts do not rule out stays among the first three;
one they rule out leaves (or, named by the text's own words, drops below the look-alike left
standing). Each case is real report text from the tuning corpus, judged against facts on both
sides of the boundary that decides."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tuning_facts

from keras_doctor.explain import explain_text

CASES = {json.loads(line)["id"]: json.loads(line) for line in (
    Path(__file__).parent / "corpus" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()}


def stated(installed, platform="macos-arm64", python="3.11", **machine):
    return tuning_facts.build({"platform": platform, "python": python, "installed": installed,
                               **machine})


def causes(text, facts=None):
    return [f.cause for f in explain_text(text, facts).findings]


SIGILL_ON_A_MAC = CASES["tf-44999-m1-zsh-illegal"]["text"]  # "zsh: illegal hardware instruction"


def test_an_intel_mac_rules_out_rosetta_and_leaves_the_cpu_without_avx_first():
    assert causes(SIGILL_ON_A_MAC)[:2] == ["rosetta-python", "cpu-lacks-avx"]
    intel = stated({"tensorflow": "2.4.1"}, "macos-x86_64", "3.8", apple_silicon=False)
    found = explain_text(SIGILL_ON_A_MAC, intel).findings
    assert found[0].cause == "cpu-lacks-avx"
    rosetta = next(f for f in found if f.cause == "rosetta-python")
    assert "Intel processor" in " ".join(rosetta.evidence["contradicted_by"])


def test_an_apple_silicon_mac_running_the_interpreter_under_rosetta_confirms_it():
    translated = stated({"tensorflow": "2.4.1"}, "macos-x86_64", "3.8", apple_silicon=True,
                        rosetta_translated=True)
    assert causes(SIGILL_ON_A_MAC, translated)[:2] == ["rosetta-python", "cpu-lacks-avx"]


def test_a_mac_whose_hardware_the_facts_do_not_show_keeps_both_look_alikes():
    unknown = stated({"tensorflow": "2.4.1"}, "macos-x86_64", "3.8")
    assert causes(SIGILL_ON_A_MAC, unknown)[:2] == ["rosetta-python", "cpu-lacks-avx"]


def test_a_native_arm64_interpreter_runs_no_x86_code_so_no_avx_is_missing():
    from keras_doctor.explain.refine import ruled_out
    from keras_doctor.findings import Report

    native = stated({"tensorflow-macos": "2.9.0"}, "macos-arm64", "3.9", apple_silicon=True)
    assert ruled_out("cpu-lacks-avx", native, Report(command="check"))
    assert ruled_out("rosetta-python", native, Report(command="check"))
    intel_linux = stated({"tensorflow": "2.4.1"}, "linux-x86_64", "3.8")
    assert not ruled_out("cpu-lacks-avx", intel_linux, Report(command="check"))
    assert ruled_out("rosetta-python", intel_linux, Report(command="check"))  # not a Mac


MOVED_NAME = CASES["fawkes-166-keras29-img-to-array"]["text"]  # img_to_array, gone in keras 2.9


@pytest.mark.parametrize("keras, tensorflow, skew_listed", [
    ("2.9.0", "2.9.1", False),  # one release line: the skew is ruled out
    ("2.15.0", "2.15.0", False),
    ("3.3.3", "2.16.2", False),  # TensorFlow 2.16+ is Keras 3's
    ("2.4.3", "2.5.0", True),  # before TensorFlow 2.6 the pairing is not decided here
    ("2.9.0", "2.8.0", True),  # another minor: the skew itself
])
def test_the_installed_keras_and_tensorflow_decide_whether_the_skew_stays(keras, tensorflow,
                                                                           skew_listed):
    assert "keras-tf-version-skew" in causes(MOVED_NAME)[:3]
    facts = stated({"keras": keras, "tensorflow": tensorflow}, "linux-x86_64", "3.9")
    assert ("keras-tf-version-skew" in causes(MOVED_NAME, facts)[:3]) is skew_listed


def test_a_skewed_pair_the_facts_show_comes_first():
    facts = stated({"keras": "2.7.0", "tensorflow": "2.6.0"}, "linux-x86_64", "3.9")
    assert causes(MOVED_NAME, facts)[:2] == ["keras-tf-version-skew", "keras-api-moved"]


SEQUENCE = CASES["keras-10249-conda-keras205-no-sequence"]["text"]  # keras.utils.Sequence


@pytest.mark.parametrize("keras, tensorflow, too_old", [
    ("2.0.5", "1.2.0", True),  # the paste's own Keras, which has no Sequence yet
    ("2.9.0", "2.9.1", False),  # the installed Keras has keras.utils.Sequence: not too old
])
def test_a_keras_that_has_the_name_is_not_too_old_for_it(keras, tensorflow, too_old):
    facts = stated({"keras": keras, "tensorflow": tensorflow}, "linux-x86_64", "3.6")
    assert ("package-too-old-for-api" in causes(SEQUENCE, facts)) is too_old


def test_the_atlas_at_the_installed_keras_rules_out_too_old_even_as_a_look_alike():
    from keras_doctor.explain.hypothesis import Hypothesis
    from keras_doctor.explain.refine import ruled_out
    from keras_doctor.findings import Report

    facts = stated({"keras": "2.9.0", "tensorflow": "2.9.1"}, "linux-x86_64", "3.9")
    moved = Hypothesis("keras-api-moved", evidence={
        "keras_version": "2.9.0", "atlas": {"checked_against": "keras 2.9.0",
                                            "where": ["keras.utils.Sequence"]}})
    assert ruled_out("package-too-old-for-api", facts, Report(command="check"), [(moved, 0.9)])
    # an atlas read at another release than the installed one decides nothing here
    moved.evidence["atlas"]["checked_against"] = "keras 3.6.0"
    assert not ruled_out("package-too-old-for-api", facts, Report(command="check"),
                         [(moved, 0.9)])


NO_CV2 = "ModuleNotFoundError: No module named 'cv2'"


def test_a_module_the_environment_lacks_keeps_the_other_interpreter_among_the_answers():
    # the facts confirm it is missing here; that the code ran here is still unknown
    found = causes(NO_CV2, stated({"numpy": "1.26.4"}))
    assert found[0] == "missing-dependency"
    assert {"wrong-interpreter", "kernel-not-restarted"} <= set(found[:3])


def test_a_module_the_environment_has_puts_the_other_interpreter_first():
    found = causes(NO_CV2, stated({"opencv-python": "4.9.0.80"}))
    assert found[0] == "wrong-interpreter"
    assert "missing-dependency" in found[:3]
