"""explain with facts, in the fast suite: what the environment confirms, contradicts or adds.

The facts are built in code (tests/checks/factories.py: what a Mac's probe would report); the
checks and explain that run on them are the real ones. test_with_facts.py does the same on real
trees in the slow suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
from factories import SITE, binary, dist, mac_facts

from keras_doctor.explain import explain_text


def no_module(module: str) -> str:
    return ('Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
            f"    import {module}\nModuleNotFoundError: No module named '{module}'")


def dyld(relative: str) -> str:
    so = f"{SITE}/{relative}"
    return ('Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
            f"    import h5py\nImportError: dlopen({so}, 0x0002): tried: '{so}' (mach-o file, "
            "but is an incompatible architecture (have 'x86_64', need 'arm64'))")


@pytest.mark.parametrize("files, module", [
    (["h5py/__init__.py"], "h5py"),
    (["h5py\\__init__.py"], "h5py"),             # a RECORD written on Windows
    (["h5py/__init__.py"], "h5py.defs"),         # a submodule of an installed package
    (["six.py"], "six"),                         # a single-module distribution
])
def test_no_module_the_environment_has_means_another_interpreter_ran_the_code(files, module):
    facts = mac_facts(distributions=[dist("h5py" if "h5py" in module else "six", "1.16.0",
                                          files=files)])
    first, *rest = explain_text(no_module(module), facts).findings
    assert first.cause == "wrong-interpreter"
    assert first.evidence["installed_here"].endswith(" 1.16.0")
    assert first.evidence["signatures"] == ["facts:installed-here"]
    assert first.evidence["module"] == module.split(".")[0]
    assert first.evidence["examined"] == "/Users/ada/venv/bin/python"  # which interpreter has it
    missing = next(f for f in rest if f.cause == "missing-dependency")
    assert missing.confidence < first.confidence
    assert missing.evidence["installed_here"] == first.evidence["installed_here"]


def test_no_module_the_environment_lacks_is_confirmed_missing_there():
    facts = mac_facts(distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])])
    alone = explain_text(no_module("tensorflow")).findings[0]
    first = explain_text(no_module("tensorflow"), facts).findings[0]
    assert first.cause == "missing-dependency"
    assert first.confidence > alone.confidence
    assert first.evidence["not_installed_in"] == "/Users/ada/venv/bin/python"
    # the fix installs it with the environment's own interpreter, not whatever `python` is
    assert first.fix[0].command == ("/Users/ada/venv/bin/python", "-m", "pip", "install",
                                    "tensorflow")


def test_a_missing_module_a_package_requires_is_confirmed_by_that_requirement():
    facts = mac_facts(distributions=[dist("keras-app", "1.0", requires=["tf-keras>=2.16"],
                                          files=["keras_app/__init__.py"])])
    first = explain_text(no_module("tf_keras"), facts).findings[0]
    assert first.cause == "missing-dependency"
    assert first.check == "explain+requirements"
    assert first.evidence["required"] == "tf-keras"
    assert first.evidence["confirmed_by"] == "requirements"


def two_intel_binaries():
    """An arm64 Mac environment where numpy and h5py both hold an x86_64-only extension."""
    return mac_facts(
        distributions=[dist("numpy", "1.26.4", files=["numpy/__init__.py"]),
                       dist("h5py", "3.11.0", files=["h5py/__init__.py"])],
        binaries=[binary("numpy/core/_multiarray_umath.cpython-311-darwin.so", ["x86_64"],
                         "numpy"),
                  binary("h5py/_errors.cpython-311-darwin.so", ["x86_64"], "h5py")])


@pytest.mark.parametrize("named, owner", [
    ("numpy/core/_multiarray_umath.cpython-311-darwin.so", "numpy"),
    ("h5py/_errors.cpython-311-darwin.so", "h5py"),
])
def test_of_two_wrong_architecture_binaries_the_one_the_error_names_is_shown(named, owner):
    facts = two_intel_binaries()
    first = explain_text(dyld(named), facts).findings[0]
    assert first.cause == "mixed-arch-binary"
    assert first.check == "explain+binary-architectures"
    assert first.evidence["owner"] == owner
    assert first.evidence["confirmed_by"] == "binary-architectures"
    assert first.evidence["from_error_text"]["need"] == "arm64"


def test_an_error_finding_of_a_related_cause_joins_the_explanation():
    # "illegal instruction" on a Mac suggests Rosetta; an Intel binary in the environment is the
    # related error the facts add, ranked after the text's own causes.
    facts = mac_facts(
        distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])],
        binaries=[binary("h5py/_errors.cpython-311-darwin.so", ["x86_64"], "h5py")])
    text = no_module("tensorflow").replace(
        "ModuleNotFoundError: No module named 'tensorflow'",
        "zsh: illegal hardware instruction  python train.py")
    findings = explain_text(text, facts).findings
    joined = [f for f in findings if f.check == "binary-architectures (facts)"]
    assert [f.cause for f in joined] == ["mixed-arch-binary"]


NOTEBOOK_NO_H5PY = ("-" * 75 + "\nModuleNotFoundError                       Traceback (most "
                    "recent call last)\nCell In[1], line 1\n----> 1 import h5py\n\n"
                    "ModuleNotFoundError: No module named 'h5py'")


def test_in_a_notebook_that_installed_it_a_module_installed_here_is_a_kernel_started_before():
    # the install ran in the kernel's own session: the kernel may predate it
    facts = mac_facts(distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])])
    installed = "%pip install h5py\n" + NOTEBOOK_NO_H5PY
    in_notebook = {f.cause: f.confidence for f in explain_text(installed, facts).findings}
    in_terminal = {f.cause: f.confidence for f in explain_text(no_module("h5py"), facts).findings}
    assert next(iter(in_notebook)) == "kernel-not-restarted"
    assert next(iter(in_terminal)) == "wrong-interpreter"
    assert in_notebook["wrong-interpreter"] < in_terminal["wrong-interpreter"]
    assert in_terminal.get("kernel-not-restarted", 0.0) < in_notebook["kernel-not-restarted"] < 1
    # the text named it (the install in the session) and the facts confirm it: surer than
    # either witness alone, and shown at 90 % or more (the renderer rounds to whole percents)
    text_only = {f.cause: f.confidence for f in explain_text(installed).findings}
    assert in_notebook["kernel-not-restarted"] > text_only["kernel-not-restarted"]
    assert round(in_notebook["kernel-not-restarted"] * 100) >= 90


def test_in_a_notebook_with_no_install_shown_a_module_installed_here_is_another_interpreter():
    # the package went into the environment examined; the kernel is most often another one
    facts = mac_facts(distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])])
    found = [f.cause for f in explain_text(NOTEBOOK_NO_H5PY, facts).findings]
    assert found[:2] == ["wrong-interpreter", "kernel-not-restarted"]


def test_a_real_notebook_whose_terminal_has_tensorflow_is_another_interpreter():
    import json
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import tuning_facts

    report = next(json.loads(line) for line in (Path(__file__).parent / "corpus" / "cases.jsonl")
                  .read_text(encoding="utf-8").splitlines()
                  if '"tf-42367-jupyter-object-detection-no-tensorflow"' in line)
    facts = tuning_facts.build({"platform": "linux-x86_64", "python": "3.6",
                                "installed": {"tensorflow-gpu": "2.3.0"}})
    found = [f.cause for f in explain_text(report["text"], facts).findings]
    assert found[0] == "wrong-interpreter"
    assert "kernel-not-restarted" in found[:3]


def test_a_check_set_that_breaks_leaves_the_explanation_ranked_and_says_so(monkeypatch):
    from keras_doctor.checks import registry

    def broken(*args, **kwargs):
        raise RuntimeError("a check crashed")

    monkeypatch.setattr(registry, "run_checks", broken)
    facts = mac_facts(distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])])
    report = explain_text(no_module("h5py"), facts)
    assert report.extra["checks"] == "not run: RuntimeError: a check crashed"
    confidences = [f.confidence for f in report.findings]
    assert report.findings[0].cause == "wrong-interpreter"  # the facts still speak
    assert confidences == sorted(confidences, reverse=True)


def with_tensorflow():
    """A Mac environment with TensorFlow installed, its files listed as RECORD lists them."""
    return mac_facts(distributions=[dist("tensorflow", "2.16.2", files=["tensorflow/__init__.py"])])


SHADOWED = ('Traceback (most recent call last):\n  File "/Users/ada/proj/train.py", line 1, in '
            '<module>\n    import tensorflow as tf\n'
            '  File "/Users/ada/proj/tensorflow/__init__.py", line 2, in <module>\n'
            "    from .utils import helper\n"
            "ModuleNotFoundError: No module named 'tensorflow.utils'")


def test_a_traceback_through_the_folder_that_hides_the_package_names_that_folder_first():
    from keras_doctor.facts.model import Shadow

    facts = with_tensorflow()
    facts.shadows = [Shadow("tensorflow", "/Users/ada/proj/tensorflow", "", 0)]
    findings = explain_text(SHADOWED, facts).findings
    assert findings[0].cause == "shadowed-module"
    assert findings[0].evidence["path"] == "/Users/ada/proj/tensorflow"
    assert findings[0].confidence > explain_text(SHADOWED).findings[0].confidence
    assert [f.cause for f in findings].count("shadowed-module") == 1
    # the same folder, and a traceback that never enters it: nothing ties the error to it
    elsewhere = SHADOWED.replace("/Users/ada/proj/tensorflow/__init__.py",
                                 "/Users/ada/venv/lib/python3.11/site-packages/tensorflow/"
                                 "__init__.py")
    assert explain_text(elsewhere, facts).findings[0].cause != "shadowed-module"
    # the text named the shadow itself and the check confirmed it: still one answer, not two
    named = ('Traceback (most recent call last):\n  File "/Users/ada/proj/train.py", line 3, in '
             '<module>\n    import tensorflow as tf\n  File "/Users/ada/proj/tensorflow/'
             '__init__.py", line 1, in <module>\n    tf.keras\n'
             "AttributeError: module 'tensorflow' has no attribute 'keras'")
    causes = [f.cause for f in explain_text(named, facts).findings]
    assert causes[0] == "shadowed-module" and causes.count("shadowed-module") == 1


def test_a_windows_record_names_the_modules_a_distribution_installs():
    # opencv-contrib-python installs `cv2`, which its name does not say: only its RECORD does
    facts = mac_facts(distributions=[dist("opencv-contrib-python", "4.10.0.84",
                                          files=["cv2\\__init__.py", "cv2\\data\\x.xml"])])
    first = explain_text(no_module("cv2"), facts).findings[0]
    assert first.cause == "wrong-interpreter"
    assert first.evidence["installed_here"] == "opencv-contrib-python 4.10.0.84"
    assert first.evidence["module"] == "cv2"


def test_a_stated_environment_without_files_lists_does_not_call_a_missing_submodule_installed():
    from dataclasses import replace

    stated = replace(dist("h5py", "3.11.0"), files=None)  # which modules h5py has is unknown
    facts = mac_facts(distributions=[stated, dist("six", "1.16.0", files=["six.py"])])
    causes = [f.cause for f in explain_text(no_module("h5py.defs"), facts).findings]
    assert causes[0] == "missing-dependency" and "wrong-interpreter" not in causes[:1]


def test_a_related_error_beside_a_confirmed_cause_follows_it_as_a_likely_second():
    # An Intel Python under Rosetta (confirmed) and an arm64 binary it cannot load (the related
    # error the facts prove): both are real, the confirmed cause of the crash comes first
    facts = mac_facts(machine="x86_64", translated=True, exe_archs=("x86_64",),
                      distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])],
                      binaries=[binary("h5py/_errors.cpython-311-darwin.so", ["arm64"], "h5py")],
                      cpu_flags=["sse4_2", "avx"])
    findings = explain_text("zsh: illegal hardware instruction  python train.py", facts).findings
    (first, second, *_) = findings
    assert (first.cause, first.check) == ("rosetta-python", "explain+rosetta")
    assert (second.cause, second.check) == ("mixed-arch-binary", "binary-architectures (facts)")
    assert 0.6 < second.confidence < first.confidence


MOVED = ('Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
         "    from keras.engine.topology import Layer\n"
         "ModuleNotFoundError: No module named 'keras.engine.topology'")


@pytest.mark.parametrize("env, joins", [
    ({}, False),  # nothing routes tf.keras to tf_keras: the pair runs, a warning
    ({"TF_USE_LEGACY_KERAS": "1"}, True),  # tf.keras is that tf_keras: an error
])
def test_only_an_error_the_environment_proves_joins_the_answer_as_a_related_cause(env, joins):
    # keras.engine is gone from Keras 2.15 (the text's cause); tf-keras 2.14 declares it needs
    # TensorFlow 2.14, a mismatch that RELATED ties to a moved Keras API
    facts = mac_facts(env=env, distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"],
             files=["tensorflow/__init__.py"]),
        dist("keras", "2.15.0", files=["keras/__init__.py"]),
        dist("tf-keras", "2.14.1", requires=["tensorflow<2.15,>=2.14"],
             files=["tf_keras/__init__.py"])])
    report = explain_text(MOVED, facts)
    assert report.extra["checks"]["findings"] == 1  # the skew, found either way
    causes = [f.cause for f in report.findings]
    assert "keras-api-moved" in causes
    assert ("keras-tf-version-skew" in causes) is joins


def test_a_missing_submodule_is_confirmed_by_the_requirement_on_its_package():
    # tf-keras imports tensorflow.python; no TensorFlow is installed (a `tensorflow` folder left
    # without its package makes Python look inside it): tf-keras's unmet requirement is the cause
    text = ('Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
            "    import tf_keras\n"
            f'  File "{SITE}/tf_keras/__init__.py", line 3, in <module>\n'
            "    from tensorflow.python import tf2\n"
            "ModuleNotFoundError: No module named 'tensorflow.python'")
    facts = mac_facts(distributions=[dist("tf-keras", "2.15.1",
                                          requires=["tensorflow<2.16,>=2.15"],
                                          files=["tf_keras/__init__.py"])])
    first = explain_text(text, facts).findings[0]
    assert (first.cause, first.check) == ("missing-dependency", "explain+requirements")
    assert first.evidence["required"] == "tensorflow"
    assert first.confidence > explain_text(text).findings[0].confidence


@pytest.mark.parametrize("where, before, first", [
    ("train.py", "", "wrong-interpreter"),
    ("/var/folders/x/T/ipykernel_4711/3017.py", "", "wrong-interpreter"),  # a notebook cell
    ("/var/folders/x/T/ipykernel_4711/3017.py", "%pip install h5py\n", "kernel-not-restarted"),
    ("/var/folders/x/T/ipykernel_4711/3017.py", "%micromamba install h5py\n",
     "kernel-not-restarted"),
    # zsh's prompt, no IPython magic: the text and the facts read it with one reader
    ("/var/folders/x/T/ipykernel_4711/3017.py", "% pip install h5py\n", "wrong-interpreter"),
])
def test_the_facts_name_each_cause_once_whatever_the_text_guessed(where, before, first):
    facts = mac_facts(distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])])
    text = before + no_module("h5py").replace('"train.py"', f'"{where}"')
    causes = [f.cause for f in explain_text(text, facts).findings]
    assert causes[0] == first
    assert len(causes) == len(set(causes))


def test_the_facts_leave_every_candidate_about_something_else_as_it_was():
    from keras_doctor.explain.hypothesis import Hypothesis
    from keras_doctor.explain.refine import missing_but_installed

    facts = mac_facts(distributions=[dist("h5py", "3.11.0", files=["h5py/__init__.py"])])
    scored = [(Hypothesis("rosetta-python", evidence={"module": "h5py"}), 0.8),
              (Hypothesis("cpu-lacks-avx"), 0.4),
              (Hypothesis("missing-dependency", evidence={"module": "h5py"}), 0.3)]
    refined = missing_but_installed(scored, facts, notebook=False)
    assert refined[:2] == scored[:2]
    assert [h.cause for h, _ in refined[2:]] == ["missing-dependency", "wrong-interpreter",
                                                 "kernel-not-restarted"]


def test_a_traceback_cut_before_its_error_through_the_folder_that_hides_the_package():
    # the paste stops before the exception line; its frames still run through the local folder
    from keras_doctor.facts.model import Shadow

    facts = with_tensorflow()
    facts.shadows = [Shadow("tensorflow", "/Users/ada/proj/tensorflow", "", 0)]
    cut = SHADOWED.rsplit("\n", 1)[0]
    findings = explain_text(cut, facts).findings
    assert findings[0].cause == "shadowed-module"
    assert findings[0].evidence["path"] == "/Users/ada/proj/tensorflow"
    causes = [f.cause for f in findings]
    assert causes.count("shadowed-module") == 1  # the text's own guess of it is that finding
    assert findings[0].check == "explain+shadowing"  # the check's finding, with the text's clues
    assert findings[0].evidence["from_error_text"]


@pytest.mark.parametrize("installed, files, module", [
    # a single-module distribution: its RECORD lists `typing_extensions.py`, no folder
    ("typing-extensions", ["typing_extensions.py"], "typing_extensions"),
    # a distribution whose import name is in neither its name nor any table: only RECORD says it
    ("tf-models-official", ["official/__init__.py", "official/nlp/__init__.py"],
     "official.nlp"),
])
def test_the_record_says_which_modules_a_distribution_installs(installed, files, module):
    facts = mac_facts(distributions=[dist(installed, "4.12.2", files=files)])
    first = explain_text(no_module(module), facts).findings[0]
    assert first.cause == "wrong-interpreter"
    assert first.evidence["installed_here"] == f"{installed} 4.12.2"
    # what the user reads: why a module installed here points at another interpreter
    assert "ran under another interpreter" in first.explanation


def test_a_stated_distribution_without_its_record_is_imported_by_its_name():
    from dataclasses import replace

    stated = replace(dist("tensorflow-hub", "0.16.1"), files=None)  # no RECORD to read
    facts = mac_facts(distributions=[stated])
    first = explain_text(no_module("tensorflow_hub"), facts).findings[0]
    assert (first.cause, first.evidence["installed_here"]) == ("wrong-interpreter",
                                                               "tensorflow-hub 0.16.1")
    # and a module no distribution of the stated environment is imported as: missing there
    first = explain_text(no_module("tensorflow_text"), facts).findings[0]
    assert first.cause == "missing-dependency"


# A real report: two Pythons, TensorFlow installed into the other one (tuning corpus,
# tf-5478-two-pythons-installed-into-27)
TWO_PYTHONS = ("i installed two version of python 2.7 and 3.5\ntensorflow installs in python2.7\n\n"
               "my default python version is 3.5 \nso if I type: python\nPython 3.5.3 (default, "
               "Dec  7 2017, 09:41:57) \n[GCC 4.8.2 20140120 (Red Hat 4.8.2-16)] on linux\n"
               'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n'
               "ImportError: No module named 'tensorflow'")


def test_the_module_installed_here_confirms_the_other_interpreter_the_text_names():
    # the shell's python and pip agree (the interpreters check passes): that cannot clear an
    # interpreter the check never saw, so the facts only make the text's answer surer
    facts = with_tensorflow()
    alone = explain_text(TWO_PYTHONS).findings[0]
    report = explain_text(TWO_PYTHONS, facts)
    first = report.findings[0]
    assert alone.cause == first.cause == "wrong-interpreter"
    assert alone.confidence < first.confidence < 1
    assert first.evidence["installed_here"] == "tensorflow 2.16.2"
    assert "contradicted_by" not in first.evidence
    assert [f.cause for f in report.findings].count("wrong-interpreter") == 1
    # beside it, the missing package the text also considered is now the unlikely one
    missing = next(f for f in report.findings if f.cause == "missing-dependency")
    assert missing.confidence < explain_text(TWO_PYTHONS).findings[1].confidence


TF1_SESSION = ('Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
               "    sess = tf.Session()\n"
               "AttributeError: module 'tensorflow' has no attribute 'Session'")


def test_tensorflow_1_code_is_confirmed_by_a_tensorflow_2_installed_here():
    alone = explain_text(TF1_SESSION).findings[0]
    facts = with_tensorflow()
    first = explain_text(TF1_SESSION, facts).findings[0]
    assert alone.cause == first.cause == "tf1-api-under-tf2"
    assert alone.confidence < first.confidence < 1  # surer, never certain
    assert first.evidence["installed_here"] == "tensorflow 2.16.2"


def test_under_tensorflow_1_the_code_ran_elsewhere_or_imported_a_local_tensorflow():
    facts = mac_facts(distributions=[dist("tensorflow", "1.15.0",
                                          files=["tensorflow/__init__.py"])])
    findings = explain_text(TF1_SESSION, facts).findings
    causes = [f.cause for f in findings]
    assert causes[:2] == ["wrong-interpreter", "shadowed-module"]
    tf1 = findings[causes.index("tf1-api-under-tf2")]
    assert tf1.evidence["contradicted_by"] == ["tensorflow 1.15.0 is installed: it has the "
                                               "TensorFlow 1 API"]
    assert len(causes) == len(set(causes))


def test_a_binary_the_error_reaches_by_another_route_is_still_the_one_shown():
    # the paste reaches the environment through another folder (a symlinked project folder, a
    # moved venv): the file's name, not its whole path, ties the error to one of two findings
    facts = two_intel_binaries()
    elsewhere = dyld("h5py/_errors.cpython-311-darwin.so").replace(
        SITE, "/Volumes/Work/ada/venv/lib/python3.11/site-packages")
    first = explain_text(elsewhere, facts).findings[0]
    assert (first.cause, first.evidence["owner"]) == ("mixed-arch-binary", "h5py")


def test_bare_frames_through_the_folder_that_hides_the_package_name_that_folder():
    # only the frame lines were copied: no error the text could name, yet the folder that hides
    # TensorFlow is where it ran
    from keras_doctor.facts.model import Shadow

    facts = with_tensorflow()
    facts.shadows = [Shadow("tensorflow", "/Users/ada/proj/tensorflow", "", 0)]
    frames = ('  File "/Users/ada/proj/tensorflow/__init__.py", line 2, in <module>\n'
              "    from .utils import helper\n")
    found = explain_text(frames, facts).findings[0]  # frames alone are an error: runners-up follow
    assert found.cause == "shadowed-module" and "shadowing" in found.check
    assert found.evidence["path"] == "/Users/ada/proj/tensorflow"
    assert found.confidence >= 0.9


def test_an_error_elsewhere_in_the_environment_follows_the_confirmed_cause():
    # TensorFlow is missing (tf-keras requires it: confirmed); h5py 3.11 beside numpy 2 is a real
    # conflict the facts prove too, related to a missing module, but not what this error is
    text = ('Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
            "    import tf_keras\n"
            f'  File "{SITE}/tf_keras/__init__.py", line 3, in <module>\n'
            "    from tensorflow.python import tf2\n"
            "ModuleNotFoundError: No module named 'tensorflow.python'")
    facts = mac_facts(distributions=[
        dist("tf-keras", "2.15.1", requires=["tensorflow<2.16,>=2.15"],
             files=["tf_keras/__init__.py"]),
        dist("numpy", "2.0.1", files=["numpy/__init__.py"]),
        dist("h5py", "3.11.0", requires=["numpy<2,>=1.17.3"], files=["h5py/__init__.py"])])
    first, second, *_ = explain_text(text, facts).findings
    assert (first.cause, first.check) == ("missing-dependency", "explain+requirements")
    assert (second.cause, second.check) == ("requirement-conflict", "requirements (facts)")
    assert second.confidence < first.confidence


def test_the_texts_guess_of_a_shadow_is_the_folder_the_traceback_runs_through_listed_once():
    # nothing in the message names a shadow (the model only guesses one); the traceback runs
    # through the local folder that hides TensorFlow: one answer, the folder's
    from keras_doctor.facts.model import Shadow

    text = SHADOWED.replace("ModuleNotFoundError: No module named 'tensorflow.utils'",
                            "AttributeError: 'NoneType' object has no attribute 'compile'")
    facts = with_tensorflow()
    facts.shadows = [Shadow("tensorflow", "/Users/ada/proj/tensorflow", "", 0)]
    findings = explain_text(text, facts).findings
    causes = [f.cause for f in findings]
    assert causes[0] == "shadowed-module" and causes.count("shadowed-module") == 1
    assert findings[0].evidence["path"] == "/Users/ada/proj/tensorflow"


def test_a_missing_module_is_confirmed_only_by_a_finding_about_that_module():
    # tf-keras needs TensorFlow, which is missing (the requirements check's finding): it confirms
    # "No module named 'tensorflow'", not the missing h5py of another error
    facts = mac_facts(distributions=[
        dist("tf-keras", "2.15.1", requires=["tensorflow<2.16,>=2.15"],
             files=["tf_keras/__init__.py"])])
    tensorflow = explain_text(no_module("tensorflow"), facts).findings[0]
    assert (tensorflow.cause, tensorflow.check) == ("missing-dependency", "explain+requirements")
    h5py = explain_text(no_module("h5py"), facts).findings[0]
    assert (h5py.cause, h5py.check) == ("missing-dependency", "explain")
    assert h5py.evidence["module"] == "h5py" and "confirmed_by" not in h5py.evidence
    assert h5py.confidence < tensorflow.confidence
