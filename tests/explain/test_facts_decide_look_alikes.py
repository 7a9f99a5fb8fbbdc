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
    # the reasons the user reads name the machine the interpreter runs as
    no_avx = ruled_out("cpu-lacks-avx", native, Report(command="check"))
    assert "runs as arm64" in no_avx and "no AVX instruction" in no_avx
    assert "natively as arm64, not under Rosetta" in ruled_out("rosetta-python", native,
                                                              Report(command="check"))
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


REFUSED_WHEEL = CASES["tf-47365-no-cp39-wheel-tf241-mac"]["text"]  # a cp36 macosx x86_64 wheel


@pytest.mark.parametrize("platform, python, decided", [
    ("macos-x86_64", "3.9", "no-wheel-for-python"),  # the Mac fits the tag, Python 3.9 not cp36
    ("macos-arm64", "3.6", "no-wheel-for-platform"),  # cp36 fits, an arm64 Mac not x86_64
    ("linux-x86_64", "3.9", None),  # both tags fail: the facts do not decide which
    ("macos-x86_64", "3.6", None),  # both fit: pip refused it for another reason
])
def test_the_examined_interpreter_decides_which_tag_of_a_refused_wheel_failed(
        platform, python, decided):
    text_only = causes(REFUSED_WHEEL)
    assert set(text_only[:2]) == {"no-wheel-for-python", "no-wheel-for-platform"}
    found = causes(REFUSED_WHEEL, stated({}, platform, python))
    if decided is None:
        assert found[:2] == text_only[:2]
    else:
        assert found[0] == decided
        assert set(found[:2]) == {"no-wheel-for-python", "no-wheel-for-platform"}


@pytest.mark.parametrize("tags, python, fits", [
    (["cp36-abi3-manylinux2014_x86_64"], "3.11", True),  # the stable ABI from 3.6 on
    (["cp38-abi3-manylinux2014_x86_64"], "3.7", False),
    (["py3-none-any"], "3.12", True),
    (["py2-none-any"], "3.12", False),
    (["cp310-cp310-win_amd64"], "3.10", True),
    (["pp39-pypy39_pp73-manylinux2014_x86_64"], "3.9", None),  # PyPy's tags: not judged
])
def test_a_wheels_python_tags_against_the_examined_python(tags, python, fits):
    from keras_doctor.explain.refine import _python_fits

    assert _python_fits(tags, python) is fits


@pytest.mark.parametrize("tag, platform, machine, fits", [
    ("cp39-cp39-manylinux_2_17_x86_64", "linux", "x86_64", True),
    ("cp39-cp39-manylinux_2_17_aarch64", "linux", "x86_64", False),
    ("cp39-cp39-macosx_11_0_arm64", "macos", "arm64", True),
    ("cp39-cp39-macosx_11_0_arm64", "macos", "x86_64", False),
    ("cp39-cp39-macosx_10_9_universal2", "macos", "x86_64", True),
    ("cp39-cp39-macosx_10_9_universal", "macos", "arm64", False),  # i386, ppc, x86_64 only
    ("cp27-cp27m-macosx_10_6_intel", "macos", "x86_64", True),
    ("cp39-cp39-musllinux_1_1_x86_64", "linux", "x86_64", True),
    ("cp36-cp36m-win32", "windows", "x86_64", False),  # a 32-bit wheel, a 64-bit Python
])
def test_a_wheels_platform_tag_against_the_examined_machine(tag, platform, machine, fits):
    from keras_doctor.explain.refine import _platform_fits

    assert _platform_fits([tag], platform, machine) is fits


def test_a_cpu_the_thread_names_without_avx_and_a_local_file_are_stated_facts():
    facts = stated({"tensorflow": "1.12.0"}, "macos-x86_64", "3.6", apple_silicon=False,
                   cpu_avx=False, local_files=["numbers.py"])
    assert facts.platform.cpu_flags == []
    assert [(s.name, s.sys_path_entry) for s in facts.shadows] == [("numbers", "")]
    assert stated({}, "linux-x86_64", "3.10").platform.cpu_flags is None  # unknown
    # the avx check judges the stated CPU: an Intel Mac without AVX is that, not Rosetta
    sigill = CASES["tf-25822-high-sierra-xeon-illegal-instruction-4"]["text"]
    found = explain_text(sigill, facts).findings
    assert found[0].cause == "cpu-lacks-avx" and found[0].check.startswith("explain+")


@pytest.mark.parametrize("keras, tensorflow, skewed", [
    ("2.2.5", "2.0.0", True),  # the last TensorFlow-1-only multi-backend Keras under TF 2
    ("2.3.1", "2.0.0", False),  # 2.3 is the first that supports TensorFlow 2.0
    ("2.2.5", "1.15.0", False),
    ("2.4.3", "2.1.0", True),  # the tf.keras redirect needs TensorFlow 2.2
    ("2.4.3", "2.2.0", False),
    ("2.6.0", "2.5.0", False),  # before 2.6 a split-era keras beside it is not tf.keras
    ("3.3.3", "2.5.0", False),  # Keras 3 is the keras3 checks' finding
])
def test_a_standalone_keras_before_the_split_is_judged_by_its_release_notes(keras, tensorflow,
                                                                            skewed):
    from keras_doctor.checks.registry import run_checks

    facts = stated({"keras": keras, "tensorflow": tensorflow}, "linux-x86_64", "3.7")
    found = [f for f in run_checks(facts, tuning_facts._knowledge).findings
             if f.check == "keras-tf-skew"]
    assert bool(found) is skewed
    if skewed:  # what the user reads says which release note decides, and why pip allowed it
        skew = found[0]
        assert skew.evidence["sources"]
        assert skew.evidence["decided_by"] == "standalone Keras release notes"
        why = ("supports TensorFlow 1 only (multi-backend Keras 2.2.5 and older)"
               if keras == "2.2.5" else "redirects to tf.keras and needs TensorFlow 2.2 or later")
        assert skew.title == f"keras {keras} runs with tensorflow {tensorflow}: this Keras {why}"
        assert skew.explanation.startswith(
            "Before TensorFlow 2.6 the standalone `keras` distribution was released apart")
        assert skew.evidence["keras_version"] == keras
        # the fix: a keras that runs on it, or tf.keras, which always matches
        install, alternative = skew.fix
        wanted = "keras>=2.3.1" if keras == "2.2.5" else "keras<2.4"
        assert wanted in " ".join(install.command or ())
        assert install.description == f"Install a keras that runs on tensorflow {tensorflow}"
        assert "`from tensorflow import keras`" in alternative.description


TF1_NAME = CASES["circdeep-3-get-default-graph-keras21-tf21"]["text"]  # no get_default_graph


@pytest.mark.parametrize("keras, first", [
    ("2.1.0", "keras-tf-version-skew"),  # its TensorFlow backend calls tf.get_default_graph
    ("2.3.1", "tf1-api-under-tf2"),  # a Keras that supports TensorFlow 2: the code's own call
])
def test_a_tensorflow_1_only_keras_under_tensorflow_2_is_what_calls_the_tensorflow_1_name(
        keras, first):
    assert causes(TF1_NAME)[0] == "tf1-api-under-tf2"
    facts = stated({"keras": keras, "tensorflow": "2.1.0"}, "linux-x86_64", "3.7")
    found = causes(TF1_NAME, facts)
    assert found[0] == first
    if first == "keras-tf-version-skew":  # the code's own call stays the runner-up
        assert found[1] == "tf1-api-under-tf2"
