"""How each kind of step result the driver reports becomes a finding (no interpreter needed).

The step results below are what the driver sends for real failures (the texts are the errors
Keras, TensorFlow and Python print); the slow suite produces the same results from real
environments. Here every branch is pinned: which cause, which evidence, which fix.
"""

from __future__ import annotations

from keras_doctor import causes
from keras_doctor.facts.model import Facts, InterpreterFacts, PlatformFacts, Target
from keras_doctor.findings import StepKind
from keras_doctor.verify.findings import EVIDENCE_LINES, step_findings
from keras_doctor.verify.runner import StepResult

NO_FACTS = lambda: None  # noqa: E731


def one(step, facts=NO_FACTS, timeout=60.0, python="/env/bin/python"):
    (found,) = step_findings(step, facts, timeout, python)
    return found


def long_output(lines=100):
    return "\n".join(f"line {i}" for i in range(lines)) + "\n"


def test_a_step_that_passed_or_was_skipped_is_no_finding():
    assert step_findings(StepResult("numpy", "import numpy", "ok"), NO_FACTS, 60) == []
    assert step_findings(StepResult("keras", "import keras", "skipped"), NO_FACTS, 60) == []


def test_a_hang_names_the_step_the_limit_and_the_last_output():
    found = one(StepResult("tensorflow", "import tensorflow", "timeout", stderr=long_output()),
                timeout=4)
    assert found.cause == "verify-timeout"
    assert found.explanation == causes.CATALOG["verify-timeout"].summary
    assert found.title == "import tensorflow did not finish within 4 s and was stopped"
    assert found.evidence["step"] == "tensorflow" and found.evidence["timeout_seconds"] == 4
    assert found.evidence["output"] == [f"line {i}" for i in range(100 - EVIDENCE_LINES, 100)]
    assert found.check == "verify:tensorflow"


def test_a_crash_names_its_signal_or_its_exit_status():
    sigill = one(StepResult("tensorflow", "import tensorflow", "crashed",
                            data={"returncode": -4}, stderr="Fatal Python error: Illegal\n"))
    assert sigill.cause == "verify-crashed" and sigill.evidence["signal"] == "SIGILL"
    assert sigill.evidence["returncode"] == -4
    assert sigill.title == "Python crashed with SIGILL during import tensorflow"
    status = one(StepResult("tensorflow", "import tensorflow", "crashed",
                            data={"returncode": 3}))
    assert status.evidence["signal"] is None
    assert status.title == "Python crashed with exit status 3 during import tensorflow"


def test_only_sigill_is_blamed_on_the_cpu():
    no_avx = Facts(target=Target(mode="python", platform="linux-x86_64", python_version="3.11"),
                   platform=PlatformFacts(system="Linux", machine="x86_64", cpu_flags=["sse2"]),
                   interpreter=InterpreterFacts(version="3.11.7", running_arch="x86_64"))
    segv = one(StepResult("tensorflow", "import tensorflow", "crashed", data={"returncode": -11}),
               facts=lambda: no_avx)
    assert segv.cause == "verify-crashed" and segv.evidence["signal"] == "SIGSEGV"
    ill = one(StepResult("tensorflow", "import tensorflow", "crashed", data={"returncode": -4}),
              facts=lambda: no_avx)
    assert ill.cause == "cpu-lacks-avx"
    # facts that do not say which architecture the interpreter runs: the machine's decides
    unstated = Facts(target=no_avx.target, platform=no_avx.platform,
                     interpreter=InterpreterFacts(version="3.11.7", running_arch=None))
    assert one(StepResult("tensorflow", "import tensorflow", "crashed", data={"returncode": -4}),
               facts=lambda: unstated).cause == "cpu-lacks-avx"


def test_sigill_from_an_intel_python_on_apple_silicon_is_blamed_on_rosetta():
    """Rosetta lacks AVX: an x86_64 Python on an M-series Mac dies of SIGILL importing an x86
    TensorFlow, whether or not the facts caught the process translated; an arm64 Python there
    crashing is not Rosetta's doing."""
    def mac(running_arch, translated=None):
        return Facts(target=Target(mode="python", platform="macos-arm64", python_version="3.11"),
                     platform=PlatformFacts(system="Darwin", machine=running_arch,
                                            apple_silicon=True, rosetta_translated=translated),
                     interpreter=InterpreterFacts(version="3.11.7", running_arch=running_arch))

    def crash(facts):
        return one(StepResult("tensorflow", "import tensorflow", "crashed",
                              data={"returncode": -4}), facts=lambda: facts).cause

    assert crash(mac("x86_64")) == "rosetta-python"
    assert crash(mac("x86_64", translated=True)) == "rosetta-python"
    assert crash(mac("arm64", translated=False)) == "verify-crashed"


def test_an_unknown_failure_keeps_its_error_and_the_end_of_its_traceback():
    # A message no signature knows (explain is consulted first; see the test below).
    traceback = long_output() + "frobnicator 7f3a refused to initialise\n"
    found = one(StepResult("tensorflow", "import tensorflow", "failed",
                           reason="frobnicator 7f3a refused to initialise", traceback=traceback))
    assert found.cause == "verify-step-failed"
    assert found.title == "import tensorflow failed: frobnicator 7f3a refused to initialise"
    assert found.evidence["traceback"][-1] == "frobnicator 7f3a refused to initialise"
    assert len(found.evidence["traceback"]) == EVIDENCE_LINES
    assert found.evidence["error"] == "frobnicator 7f3a refused to initialise"


def test_a_cause_only_the_learned_ranker_guesses_never_replaces_the_step_s_own_error():
    """A real traceback shape: the error raised inside a package's __init__, unknown to every
    signature. explain's ranker may still propose causes for it; they are guesses, not findings."""
    traceback = ("Traceback (most recent call last):\n"
                 '  File "/home/ada/lib/tensorflow/__init__.py", line 1, in <module>\n'
                 "    raise RuntimeError('frobnicator 7f3a refused to initialise')\n"
                 "RuntimeError: frobnicator 7f3a refused to initialise\n")
    found = one(StepResult("tensorflow", "import tensorflow", "failed",
                           reason="RuntimeError: frobnicator 7f3a refused to initialise",
                           traceback=traceback))
    assert found.cause == "verify-step-failed"
    assert "frobnicator 7f3a" in found.title


def test_a_failure_without_a_traceback_quotes_its_last_output_line():
    found = one(StepResult("devices", "list devices", "failed", reason="no devices listed",
                           stderr="starting\nfrobnicator: no device 7f3a\n\n"))
    assert found.title == "list devices failed: no devices listed (frobnicator: no device 7f3a)"
    assert found.evidence["output"] == ["starting", "frobnicator: no device 7f3a"]


def test_a_known_error_text_is_explained_like_explain_does():
    numpy2 = ("AttributeError: _ARRAY_API not found\n\nA module that was compiled using NumPy 1.x "
              "cannot be run in\nNumPy 2.1.3 as it may crash.")
    found = one(StepResult("tensorflow", "import tensorflow", "failed",
                           reason="AttributeError: _ARRAY_API not found", stderr=numpy2))
    assert found.cause == "numpy-abi-mismatch"
    assert found.check == "verify:tensorflow" and found.evidence["step"] == "tensorflow"


def keras_step(backend, reason, source="KERAS_BACKEND"):
    return StepResult("keras", "import keras", "failed", reason=reason,
                      data={"configured_backend": backend, "backend_source": source})


def test_a_configured_backend_that_is_not_installed():
    found = one(keras_step("jax", "ModuleNotFoundError: No module named 'jax'"))
    assert found.cause == "keras-backend-unavailable"
    assert found.title == ("Keras is set to the 'jax' backend (by KERAS_BACKEND), which is not "
                           "installed (jax)")
    assert found.evidence["backend"] == "jax" and found.evidence["set_by"] == "KERAS_BACKEND"
    (fix,) = found.fix  # what to do about it, not only what is wrong
    assert fix.description.startswith("Install jax, or point Keras at an installed backend")
    assert fix.kind is StepKind.MANUAL  # advice a user follows, nothing fix would run


def test_a_configured_backend_keras_does_not_know():
    found = one(keras_step("thenao", "ValueError: Unable to import backend : thenao"))
    assert found.cause == "keras-backend-unavailable"
    assert found.title.endswith("which is not a backend Keras knows")
    unknown = one(keras_step("mxnet", "ValueError: invalid backend name mxnet", "keras.json"))
    assert unknown.cause == "keras-backend-unavailable" and "(by keras.json)" in unknown.title
    assert unknown.fix[0].description.startswith("Install the backend, or point Keras at")


def test_a_keras_import_error_unrelated_to_the_backend_is_not_blamed_on_it():
    found = one(keras_step("jax", "ImportError: cannot import name 'frobnicate' from 'keras.src'"))
    assert found.cause != "keras-backend-unavailable"


def legacy_step(value, reason="ModuleNotFoundError: No module named 'tf_keras'", tf="2.16.1"):
    return StepResult("tf.keras", "resolve tf.keras", "failed", reason=reason,
                      data={"TF_USE_LEGACY_KERAS": value, "tensorflow_version": tf})


def test_the_legacy_switch_without_tf_keras_installs_tf_keras_at_tensorflows_minor():
    found = one(legacy_step("1"))
    assert found.cause == "missing-dependency"
    assert found.evidence["requirement"] == "tf-keras~=2.16.0"
    assert found.evidence["TF_USE_LEGACY_KERAS"] == "1"  # the setting to look for, by its name
    assert found.fix[0].command == ("/env/bin/python", "-m", "pip", "install", "tf-keras~=2.16.0")
    assert found.fix[1].command == ("unset", "TF_USE_LEGACY_KERAS")
    assert found.title.startswith("TF_USE_LEGACY_KERAS=1 sends tf.keras to tf_keras")
    assert found.evidence["error"] == legacy_step("1").reason  # the import error, kept


def test_a_switch_value_tensorflow_ignores_is_not_the_legacy_explanation():
    for value in ("yes", "TRUE", None):
        found = step_findings(legacy_step(value), NO_FACTS, 60, "/env/bin/python")
        assert all("sends tf.keras to tf_keras" not in f.title for f in found), value


def test_the_legacy_switch_is_blamed_for_import_errors_only():
    broken = legacy_step("1", reason="ImportError: cannot import name 'saving' from 'tf_keras'")
    assert one(broken).evidence["requirement"] == "tf-keras~=2.16.0"
    other = legacy_step("1", reason="AttributeError: module 'tf_keras' has no attribute 'x'")
    found = step_findings(other, NO_FACTS, 60, "/env/bin/python")
    assert all("sends tf.keras to tf_keras" not in f.title for f in found)


def test_the_legacy_switch_with_an_unknown_tensorflow_asks_for_any_tf_keras():
    assert one(legacy_step("true", tf="unknown")).evidence["requirement"] == "tf-keras"


def weights_step(**cached):
    return StepResult("weights:VGG16", "VGG16 with ImageNet weights", "failed",
                      reason="OSError: Unable to open file (file signature not found)",
                      data={"file": {"path": "/home/ada/.keras/models/vgg16.h5",
                                     "file": "vgg16.h5", **cached}})


def test_a_cached_weights_file_that_fails_is_deleted_for_a_fresh_download():
    found = one(weights_step(downloaded=False, hash_ok=False))
    assert found.cause == "weights-cache-corrupt"
    assert found.title == "Cached weights vgg16.h5 does not match Keras's known hash"
    (delete,) = found.fix
    assert delete.destructive and delete.target == "/home/ada/.keras/models/vgg16.h5"
    signature = one(weights_step(downloaded=False, hdf5_signature=False))
    assert signature.title == "Cached weights vgg16.h5 is not an HDF5 file"


def test_weights_downloaded_during_verify_are_not_blamed_on_the_cache():
    fresh = weights_step(downloaded=True, hash_ok=False)
    fresh.reason = "frobnicator 7f3a refused the weights"
    found = step_findings(fresh, NO_FACTS, 60)
    assert [f.cause for f in found] == ["verify-step-failed"]


def test_the_legacy_switch_fix_reads_as_two_choices_a_user_can_run():
    from keras_doctor.findings import StepKind

    install, unset = one(legacy_step("1")).fix
    assert (install.description, install.kind) == (
        "Install tf-keras~=2.16.0 (Keras 2 at TensorFlow's minor)", StepKind.RUN)
    assert (unset.description, unset.kind) == (
        "Or unset TF_USE_LEGACY_KERAS to use Keras 3 as tf.keras", StepKind.ENV)


def test_a_fix_names_plain_python_when_no_interpreter_is_given():
    (found,) = step_findings(legacy_step("1"), NO_FACTS, 60)
    assert found.fix[0].command == ("python", "-m", "pip", "install", "tf-keras~=2.16.0")


def test_a_backend_newer_than_the_installed_keras_is_one_it_does_not_know():
    # OpenVINO became a backend in Keras 3.8; earlier releases refuse the name with this message.
    found = one(keras_step("openvino", "ValueError: Unable to import backend : openvino"))
    assert found.cause == "keras-backend-unavailable"
    assert found.title == ("Keras is set to the 'openvino' backend (by KERAS_BACKEND), which is "
                           "not a backend Keras knows")


def test_an_unknown_failure_keeps_what_the_step_reported():
    found = one(StepResult("devices", "list devices", "failed", reason="no devices listed",
                           data={"devices": [], "gpu_expected": True}))
    assert found.evidence["data"] == {"devices": [], "gpu_expected": True}


def test_a_crash_by_a_signal_python_does_not_name_still_names_its_number():
    crash = one(StepResult("tensorflow", "import tensorflow", "crashed",
                           data={"returncode": -200}))
    assert crash.cause == "verify-crashed" and crash.evidence["signal"] == "signal 200"
    assert crash.title == "Python crashed with signal 200 during import tensorflow"


def test_a_failure_with_only_its_reason_is_explained_from_that_reason():
    found = one(StepResult("keras", "import keras", "failed",
                           reason="ModuleNotFoundError: No module named 'h5py'"))
    assert found.cause == "missing-dependency"
    assert found.check == "verify:keras"


def test_a_failed_step_that_printed_nothing_is_told_by_its_reason_alone():
    silent = StepResult("keras", "import keras", "failed", reason="SystemExit: 3")
    found = one(silent)
    assert found.cause == "verify-step-failed"
    assert found.title == "import keras failed: SystemExit: 3"
