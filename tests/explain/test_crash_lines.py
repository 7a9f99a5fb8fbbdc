"""What a failure looks like when a program, not Python, reports it: the shells' signal lines,
CPython's faulthandler, macOS crash reports, notebooks' dead kernels, IDEs' exit codes, Windows'
NTSTATUS codes, the installers' failures, TensorFlow's and absl's fatal log lines, C++'s
terminate handlers. Each wording is copied from the program that prints it (the source is named
beside it), and each must get candidates that fit that kind of failure: an illegal instruction is
a missing AVX or Rosetta; a SIGKILL is memory, not a package; a segmentation fault is a native
binary, never a cause the platform rules out. A text with no error gets the one "no error" line.
Both sides of the command line: a quoted crash line is explained, a mistyped file name is not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from keras_doctor.explain import clues, explain_text

# -- SIGILL: an instruction the CPU (or Rosetta) does not have ---------------------------------
ILLEGAL_INSTRUCTION_LINUX = [
    # bash's job report with glibc's strsignal (sysdeps/generic/siglist.h) and a dumped core
    "Illegal instruction (core dumped)",
    # CPython Modules/faulthandler.c, then the frames
    'Fatal Python error: Illegal instruction\n\nCurrent thread 0x00007f3a (most recent call '
    'first):\n  File "/home/u/venv/lib/python3.8/site-packages/tensorflow/python/pywrap_'
    'tensorflow.py", line 64 in <module>',
    # PyCharm / IntelliJ's run console: exit code 128 + 4
    "Process finished with exit code 132 (interrupted by signal 4: SIGILL)",
    # Windows: STATUS_ILLEGAL_INSTRUCTION (ntstatus.h) as a signed and an unsigned exit code
    "Process finished with exit code -1073741795 (0xC000001D)",
    # what `keras-doctor run` appends when a Windows program ends with that NTSTATUS
    "keras-doctor run: the program exited with code 3221225501 (0xC000001D)",
    # tensorflow/core/platform/cpu_feature_guard.cc, logged at FATAL then abort()
    "2021-03-01 10:00:00.000000: F tensorflow/core/platform/cpu_feature_guard.cc:37] The "
    "TensorFlow library was compiled to use AVX instructions, but these aren't available on "
    "your machine.\nAborted (core dumped)",
]
ILLEGAL_INSTRUCTION_MAC = [
    "zsh: illegal hardware instruction  python train.py",  # zsh Src/signames2.awk
    "Illegal instruction: 4",  # bash with macOS's strsignal, which appends the number
    # a macOS crash report (~/Library/Logs/DiagnosticReports/*.ips, "Exception Type")
    "Exception Type:        EXC_BAD_INSTRUCTION (SIGILL)\nException Codes:       "
    "0x0000000000000001, 0x0000000000000000\nCrashed Thread:        0",
]


# TensorFlow's issue template's OS field (tensorflow/.github/ISSUE_TEMPLATE/00-bug-issue.md) and
# its issue form's heading (00-bug-issue.yml): the answer names the system, the example does not
_TEMPLATE = "- OS Platform and Distribution (e.g., Linux Ubuntu 16.04): {}\n"
_FORM = "### OS platform and distribution\n\n{}\n"


@pytest.mark.parametrize("field, answer, platform", [
    (_TEMPLATE, "KALI LINUX", "linux"),  # tensorflow/tensorflow#44701
    (_TEMPLATE, "Raspbian 10", "linux"),
    (_TEMPLATE, "macOS 12.1 intel", "macos"),
    (_TEMPLATE, "Windows 10 pro", "windows"),
    (_FORM, "macos 13.5.1", "macos"),  # google-ai-edge/LiteRT#147
    (_TEMPLATE, "", ""),  # unanswered: the example's "Linux Ubuntu" is not the reporter's
    (_TEMPLATE, "Windows 10 and WSL Ubuntu", ""),  # two systems named: neither
])
def test_an_issue_templates_os_field_names_the_platform(field, answer, platform):
    assert clues.template_platform(field.format(answer)) == platform


def test_a_zsh_illegal_instruction_on_a_linux_named_in_the_template_is_a_missing_avx():
    """zsh prints "illegal hardware instruction" on Linux as on a Mac: the reporter's answer to
    the OS field (tensorflow/tensorflow#44701, an Intel i5-480M under Kali) rules out Rosetta."""
    crash = ">>> import tensorflow as tf\n[1]    3760 illegal hardware instruction  python3\n"
    on_kali = [f.cause for f in explain_text(_TEMPLATE.format("KALI LINUX") + crash).findings]
    on_a_mac = [f.cause for f in explain_text(_TEMPLATE.format("macOS 12.3 M1") + crash).findings]
    assert (on_kali[:1], "rosetta-python" in on_kali) == (["cpu-lacks-avx"], False)
    assert on_a_mac[:2] == ["rosetta-python", "cpu-lacks-avx"]


@pytest.mark.parametrize("paste", ILLEGAL_INSTRUCTION_LINUX)
def test_an_illegal_instruction_off_a_mac_is_a_missing_avx_first(paste):
    found = [f.cause for f in explain_text(paste).findings]
    assert found and found[0] == "cpu-lacks-avx", found


@pytest.mark.parametrize("paste", ILLEGAL_INSTRUCTION_MAC)
def test_an_illegal_instruction_in_a_macs_words_is_rosetta_first_and_avx_next(paste):
    found = [f.cause for f in explain_text(paste).findings]
    assert found[:1] == ["rosetta-python"], found
    assert "cpu-lacks-avx" in found[:3], found


# -- SIGKILL and failed allocations: memory, not a package -------------------------------------
OUT_OF_MEMORY = [
    "Killed",  # bash, glibc's strsignal
    "Epoch 3/50\n 812/1875 [===========>..................] - ETA: 41s - loss: 0.31\nKilled",
    "Killed: 9",  # bash on macOS (Libc strsignal appends the number)
    "zsh: killed     python train.py",  # zsh
    "[1]    48213 killed     python train.py",  # zsh's job table
    "Process finished with exit code 137 (interrupted by signal 9: SIGKILL)",  # IntelliJ
    "keras-doctor run: the program was killed by SIGKILL",  # what `run` appends
    # the kernel's own line (mm/oom_kill.c), as dmesg shows it
    "[12345.678901] Out of memory: Killed process 4242 (python) total-vm:31000000kB",
    # libstdc++'s verbose terminate handler (libsupc++/vterminate.cc)
    "terminate called after throwing an instance of 'std::bad_alloc'\n  what():  "
    "std::bad_alloc\nAborted (core dumped)",
    "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    x = "
    "np.zeros((100000, 100000))\nMemoryError",  # CPython Objects/exceptions.c
    # numpy/_core/_exceptions.py (_ArrayMemoryError)
    "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 74.5 GiB for an array with "
    "shape (100000, 100000) and data type float64",
    # TensorFlow's allocator (common_runtime/bfc_allocator.cc, framework/op_kernel.cc)
    "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor "
    "with shape[256,512,28,28] and type float on /job:localhost/replica:0/task:0/device:GPU:0",
    # CUDA's driver API error name, as TensorFlow's stream executor logs it (cuda_driver.cc)
    "E tensorflow/stream_executor/cuda/cuda_driver.cc:1002] failed to allocate 3.77G (4045406208 "
    "bytes) from device: CUDA_ERROR_OUT_OF_MEMORY",
    # the C library's strerror(ENOMEM), raised by os.fork / mmap through CPython's OSError
    "OSError: [Errno 12] Cannot allocate memory",
    # reports quoting the shell's word (tuning corpus: neural-style#131, tf-pose-estimation#674)
    'I run it on an image and I get the error "killed".\nNo error code just "killed".',
    "`[2021-02-12 03:31:37,319] [train] [INFO] Training Started.`\n`Killed`\n\nThe process is "
    "killed like this with no other error messages.",
]


@pytest.mark.parametrize("paste", OUT_OF_MEMORY)
def test_a_process_killed_or_out_of_memory_blames_memory_not_a_package(paste):
    findings = explain_text(paste).findings
    assert findings and findings[0].cause == "out-of-memory", [f.cause for f in findings]
    assert findings[0].fix
    # recognised by what the shell or the allocator prints, not guessed by the learned ranker
    assert "killed-out-of-memory" in findings[0].evidence.get("signatures", []), findings[0]
    # any package cause listed after it is a distant second, not a rival
    assert all(f.confidence < 0.2 for f in findings[1:]), [(f.cause, f.confidence)
                                                           for f in findings]


@pytest.mark.parametrize("paste", [
    "The model was killed off by a refactoring; here is the new training loop",
    # a quoted word that merely contains it is no shell line
    'ValueError: unknown option "skilled" for the trainer',
    "Epoch 1/10 - loss: 0.69 - accuracy: 0.51",
])
def test_the_word_killed_in_prose_or_no_error_is_not_a_kill(paste):
    causes = [f.cause for f in explain_text(paste).findings]
    assert "out-of-memory" not in causes


# -- SIGSEGV, SIGABRT, SIGBUS and the crashes that report no signal ----------------------------
NATIVE = {
    "numpy-abi-mismatch", "metal-plugin-mismatch", "mixed-arch-binary",
    "openmp-duplicate-runtime", "cpu-lacks-avx", "rosetta-python", "msvc-runtime-missing",
    "hdf5-library-mismatch", "protobuf-mismatch", "ml-dtypes-mismatch",
    "extension-built-against-another-tensorflow", "macos-too-old", "glibc-too-old",
    "native-runtime-library-missing", "tf-distributions-overlap", "requirement-conflict",
}
CRASHES = [
    # (text, the platform its wording belongs to)
    ("Segmentation fault (core dumped)", "linux"),  # bash + glibc
    ("Aborted (core dumped)", "linux"),
    ("Bus error (core dumped)", "linux"),
    ("Segmentation fault: 11", "macos"),  # bash + macOS strsignal
    ("Abort trap: 6", "macos"),
    ("Bus error: 10", "macos"),
    ("zsh: segmentation fault  python train.py", "macos"),
    ("Exception Type:  EXC_BAD_ACCESS (SIGSEGV)\nException Codes: KERN_INVALID_ADDRESS at "
     "0x0000000000000010", "macos"),
    ("Exception Type:  EXC_CRASH (SIGABRT)", "macos"),
    # LLVM libcxxabi's default terminate handler: the C++ runtime macOS ships
    ("libc++abi: terminating due to uncaught exception of type std::runtime_error: failed",
     "macos"),
    ("Process finished with exit code -1073741819 (0xC0000005)", "windows"),  # access violation
    ("Windows fatal exception: access violation\n\nCurrent thread 0x000021a0 (most recent call "
     "first):", "windows"),  # faulthandler on Windows
    ('Fatal Python error: Segmentation fault\n\nCurrent thread 0x00007f (most recent call '
     'first):\n  File "/home/u/venv/lib/python3.10/site-packages/tensorflow/python/framework/'
     'ops.py", line 3 in _create_c_op', "linux"),
    ("Process finished with exit code 134 (interrupted by signal 6: SIGABRT)", ""),
    ("Process finished with exit code 139 (interrupted by signal 11: SIGSEGV)", ""),
    ("Fatal Python error: Aborted", ""),
    ("The kernel appears to have died. It will restart automatically.", ""),  # Jupyter
    ("Kernel Restarting\nThe kernel for Untitled.ipynb appears to have died. It will restart "
     "automatically.", ""),
    ("terminate called after throwing an instance of 'std::runtime_error'\n  what():  "
     "failed\nAborted (core dumped)", "linux"),
    # TensorFlow's and absl's FATAL lines (severity letter F, then abort)
    ("2023-01-01 00:00:00.000000: F tensorflow/core/framework/tensor_shape.cc:45] Check "
     "failed: NDIMS == dims() (2 vs. 3)", ""),
    ("F0301 10:00:00.000000 12345 some_file.cc:42] Check failed: x == y (1 vs. 2)", ""),
]


@pytest.mark.parametrize(("paste", "platform"), CRASHES)
def test_a_native_crash_gets_native_causes_the_platform_allows(paste, platform):
    read = clues.read(paste, [])
    assert read.kind == "signal"
    assert read.platform == platform
    findings = explain_text(paste).findings
    assert findings and all(f.fix for f in findings), paste
    assert findings[0].cause in NATIVE, [f.cause for f in findings]
    for finding in findings:
        assert not clues.ruled_out_by_platform(finding.cause, read), (finding.cause, platform)
    assert "out-of-memory" not in [f.cause for f in findings]


# -- failed installs ----------------------------------------------------------------------------
INSTALLS = [
    # pip's subprocess errors (pip/_internal/exceptions.py: InstallationSubprocessError)
    ("  error: subprocess-exited-with-error\n  \n  × Building wheel for h5py (pyproject.toml) "
     "did not run successfully.\n  │ exit code: 1", {"no-wheel-for-python",
                                                      "no-wheel-for-platform"}),
    ("Failed building wheel for h5py", {"no-wheel-for-python", "no-wheel-for-platform"}),
    ("ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: "
     "'/usr/lib/python3/dist-packages/numpy'", {"externally-managed-python"}),
    # pip's UnsupportedPythonVersion, pasted without its "ERROR: Package" head
    ("'stellargraph' requires a different Python: 3.9.7 not in '<3.9.0,>=3.6.0'",
     {"no-wheel-for-python"}),
    # conda/exceptions.py
    ("UnsatisfiableError: The following specifications were found to be incompatible with "
     "each other:", {"requirement-conflict", "no-wheel-for-python"}),
    ("PackagesNotFoundError: The following packages are not available from current channels:"
     "\n\n  - tensorflow==2.4", {"no-wheel-for-platform", "no-wheel-for-python",
                                 "pinned-release-unavailable"}),
]


@pytest.mark.parametrize(("paste", "first"), INSTALLS)
def test_a_failed_install_gets_an_install_cause_first(paste, first):
    assert clues.error_kind(paste) == "install"
    findings = explain_text(paste).findings
    assert findings and findings[0].cause in first, [f.cause for f in findings]


# -- no error -------------------------------------------------------------------------------------
@pytest.mark.parametrize("paste", [
    "Epoch 1/10\n1875/1875 [==============================] - 3s 1ms/step - loss: 0.29",
    "Successfully installed keras-3.3.3 tensorflow-2.16.1",
    "Process finished with exit code 0",
])
def test_text_without_an_error_gets_the_one_no_error_line(paste):
    report = explain_text(paste)
    assert report.findings == []
    assert "keras-doctor check" in report.extra["no_error"]


# -- the command line: a quoted crash line is text, a mistyped name is a file --------------------
def doctor(*args, cwd):
    return subprocess.run([sys.executable, "-m", "keras_doctor", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize(("paste", "first"), [
    ("Segmentation fault (core dumped)", None),
    ("Illegal instruction (core dumped)", "cpu-lacks-avx"),
    ("Killed", "out-of-memory"),
    ("Failed building wheel for h5py", None),
])
def test_a_quoted_crash_line_is_explained_not_opened(tmp_path, paste, first):
    result = doctor("explain", paste, "--no-env", "--json", cwd=tmp_path)
    assert "cannot read" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert findings
    if first:
        assert findings[0]["cause"] == first


@pytest.mark.parametrize("name", ["erorr.txt", "my log.txt", "error.txt", "crash.log",
                                  "logs/Segmentation fault"])
def test_a_mistyped_file_name_still_cannot_be_read(tmp_path, name):
    result = doctor("explain", name, "--no-env", cwd=tmp_path)
    assert result.returncode == 2 and f"cannot read {name}" in result.stderr


# -- a crash while an OpenMP runtime speaks, or while two packages that bring one are imported --
# LLVM's / Intel's OpenMP message catalog (openmp/runtime/src/i18n/en_US.txt), then the shell's
# report of the crash; the same crash with the Metal plugin in sight and no runtime speaking
OMP_INFO = ("OMP: Info #276: omp_set_nested routine deprecated, please use "
            "omp_set_max_active_levels instead.\n")
MAC_SEGFAULT = "zsh: segmentation fault  python train.py"


@pytest.mark.parametrize("paste", [
    OMP_INFO + MAC_SEGFAULT,
    OMP_INFO + "Segmentation fault (core dumped)",
    "import torch\nimport lightgbm as lgb\n" + MAC_SEGFAULT,
])
def test_a_crash_where_an_openmp_runtime_speaks_is_two_runtimes_first(paste):
    found = [f.cause for f in explain_text(paste).findings]
    assert found[:1] == ["openmp-duplicate-runtime"], found


@pytest.mark.parametrize("paste", [
    "import tensorflow as tf  # tensorflow-metal 1.1.0\n" + MAC_SEGFAULT,
    # one package with a runtime is no second runtime; an illegal instruction is the CPU's
    "import torch\nimport tensorflow as tf\n" + MAC_SEGFAULT,
    OMP_INFO + "zsh: illegal hardware instruction  python train.py",
])
def test_without_a_runtime_speaking_or_two_of_them_it_is_not_openmp_first(paste):
    found = [f.cause for f in explain_text(paste).findings]
    assert found[:1] != ["openmp-duplicate-runtime"], found


# -- a crash's causes stand together ------------------------------------------------------------
# A segfault or an abort says nothing of why; on a Mac three causes die that way inside the
# process (the Metal plugin calling a TensorFlow it was not built against, a second OpenMP
# runtime, a native module built against another NumPy). A binary of another architecture never
# runs (dyld refuses it) and Rosetta's missing AVX is SIGILL: neither is offered for a segfault.
MAC_CRASHES = [
    "Segmentation fault: 11",
    "zsh: segmentation fault  python train.py",
    "Abort trap: 6",
    "Bus error: 10",
    "Exception Type:  EXC_BAD_ACCESS (SIGSEGV)\nException Codes: KERN_INVALID_ADDRESS at "
    "0x0000000000000010",
]
MAC_CRASH_CAUSES = {"metal-plugin-mismatch", "openmp-duplicate-runtime", "numpy-abi-mismatch"}


@pytest.mark.parametrize("paste", MAC_CRASHES)
def test_a_mac_crash_without_a_word_of_its_own_lists_every_cause_that_dies_that_way(paste):
    causes = [f.cause for f in explain_text(paste).findings]
    assert set(causes[:3]) == MAC_CRASH_CAUSES, causes
    assert "mixed-arch-binary" not in causes and "rosetta-python" not in causes


def test_a_mac_crash_in_the_metal_plugin_puts_the_plugin_first():
    paste = ("zsh: segmentation fault  python train.py\n"
             "Binary Images: /Users/me/venv/lib/python3.11/site-packages/tensorflow-plugins/"
             "libmetal_plugin.dylib")
    findings = explain_text(paste).findings
    assert findings[0].cause == "metal-plugin-mismatch"
    assert {f.cause for f in findings[:3]} == MAC_CRASH_CAUSES


def test_a_linux_segfault_lists_its_causes_and_never_the_mac_plugin():
    causes = [f.cause for f in explain_text("Segmentation fault (core dumped)").findings]
    assert {"numpy-abi-mismatch", "openmp-duplicate-runtime"} <= set(causes[:3]), causes
    assert "metal-plugin-mismatch" not in causes



def test_the_openmp_crash_prior_keeps_the_other_crash_causes_after_it():
    # the prior a crash falls back on when no signature speaks: OpenMP's runtime named in the
    # paste leads, the platform's other crash causes follow, never a wrong architecture
    from keras_doctor.explain import fallback

    paste = ("OMP: Info #276: omp_set_nested routine deprecated\n"
             "zsh: segmentation fault  python a.py")
    causes = [cause for cause, _, _ in fallback.candidates(paste, clues.read(paste, []))]
    assert causes[0] == "openmp-duplicate-runtime"
    assert set(causes) == MAC_CRASH_CAUSES, causes


# macOS's crash report names the crashed process's code type: `X86-64 (Translated)` under
# Rosetta, `ARM-64 (Native)` otherwise (the Apple Silicon chapter of the iOS Crash Dump Analysis
# book, github.com/faisalmemon/ios-crash-dump-analysis-book)
CRASH_REPORT = (
    "Process:               Python [4242]\n"
    "Path:                  /Library/Frameworks/Python.framework/Versions/3.9/Resources/"
    "Python.app/Contents/MacOS/Python\n"
    "Code Type:             {code_type}\n"
    "OS Version:            macOS 12.1 (21C52)\n"
    "Exception Type:        {exception}\n"
)


@pytest.mark.parametrize("exception", ["EXC_BAD_ACCESS (SIGSEGV)", "EXC_CRASH (SIGABRT)",
                                       "EXC_BAD_INSTRUCTION (SIGILL)"])
def test_a_crash_report_of_a_translated_process_is_rosetta(exception):
    translated = CRASH_REPORT.format(code_type="X86-64 (Translated)", exception=exception)
    assert causes_of(translated)[0] == "rosetta-python"
    if "SIGILL" not in exception:  # a native process's segfault or abort is no translation
        native = CRASH_REPORT.format(code_type="ARM-64 (Native)", exception=exception)
        assert "rosetta-python" not in causes_of(native)


def causes_of(paste):
    return [f.cause for f in explain_text(paste).findings]


def test_a_macs_illegal_instruction_says_first_how_to_tell_it_from_its_look_alike():
    found = explain_text("zsh: illegal hardware instruction  python train.py").findings
    assert [f.cause for f in found] == ["rosetta-python", "cpu-lacks-avx"]
    assert found[0].fix[0].description.startswith("First tell it from `cpu-lacks-avx`: ")
    # the look-alike keeps its own fix: one question, asked once
    assert not found[1].fix[0].description.startswith("First tell it from")


def test_an_intel_macs_illegal_instruction_is_its_cpu_with_rosetta_the_runner_up():
    from keras_doctor.explain.engine import hypotheses

    paste = "On my MacBook Pro (Mid 2010), Intel Core 2 Duo\nIllegal instruction: 4\n"
    found = hypotheses(paste)[1]
    assert [(h.cause, h.evidence.get("intel_mac")) for h in found[:2]] == [
        ("cpu-lacks-avx", "MacBook Pro (Mid 2010), Intel"), ("rosetta-python", None)]


@pytest.mark.parametrize("paste", [
    "PyBfloat16_Type.tp_base != nullptr",
    "2021-01-10 20:37:09.859081: F tensorflow/python/lib/core/bfloat16.cc:714] Check failed: "
    "PyBfloat16_Type.tp_base != nullptr \nAborted (core dumped)",
])
def test_tensorflows_bfloat16_check_is_the_numpy_it_could_not_load(paste):
    """TensorFlow 1.5-2.4 (python/lib/core/bfloat16.cc) aborts on its check that bfloat16 got
    numpy's generic type as its base, which is set only once numpy's C API loaded."""
    from keras_doctor.explain.engine import hypotheses

    assert clues.error_kind(paste) == "signal"  # a glog CHECK aborts, with or without its head
    # recognised, not the generic crash guess (which also starts with numpy)
    assert "tf-bfloat16-without-numpy" in hypotheses(paste)[1][0].signatures
    finding = explain_text(paste).findings[0]
    assert finding.cause == "numpy-abi-mismatch" and finding.confidence > 0.5
