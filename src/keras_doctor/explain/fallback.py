"""Candidates for an error no signature recognised: never leave a real error unanswered.

A text with an exception, a failed install or a fatal signal always gets ranked candidates, judged
from what the error's kind, its exception type and message and the traceback's clues make likely.
Their confidence is low on purpose (these are priors, not recognitions), so the percentage shown
still means what it says. A text with no error at all gets none: `engine` says so instead.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

from keras_doctor.explain import lazyre, resolvers, shapes, tf1
from keras_doctor.explain.clues import Clues, shows_kill_or_allocation_failure
from keras_doctor.explain.resolve_imports import FRAMEWORKS as _FRAMEWORKS
from keras_doctor.explain.resolve_imports import INSTALLED_ELSEWHERE as _INSTALLED_ELSEWHERE

Outcome = Tuple[str, float, Dict[str, Any]]

_NO_MODULE = lazyre.compile(r"No module named '?(?P<module>[\w.]+)'?")
_NO_ATTRIBUTE = lazyre.compile(r"module '(?P<module>[\w.]+)' has no attribute '(?P<name>\w+)'")
_CANNOT_IMPORT = lazyre.compile(r"cannot import name '(?P<name>\w+)' from '(?P<module>[\w.]+)'")
_OBJECT_ATTRIBUTE = lazyre.compile(r"'(?P<type>\w+)' object has no attribute '(?P<name>\w+)'")
_KERAS_OBJECTS = {"Sequential", "Functional", "Model", "Layer", "KerasTensor", "Dense",
                  "InputLayer", "Optimizer", "Adam", "KerasLayer"}
_BUILTIN_TYPES = {"str", "bytes", "NoneType", "int", "float", "list", "dict", "tuple", "set",
                  "function", "module", "type", "object"}
_KERAS3_NAMED = lazyre.compile(r"(?i)\bKeras 3\b|keras>=3|keras 3\.\d")
_NATIVE_LOAD = lazyre.compile(
    r"(?i)undefined symbol|Library not loaded|image not found|cannot open shared object|"
    r"DLL load failed|failed to load the native TensorFlow runtime|dlopen|\.so: |"
    r"Symbol not found|wrong ELF class|incompatible architecture|not a valid Win32"
)
# the loader naming a library it did not find (glibc's dlopen, dyld, TensorFlow's own loader)
_LIBRARY_NOT_FOUND = lazyre.compile(
    r"cannot open shared object file|Library not loaded|image not found|"
    r"Could not load dynamic library"
)
# dyld's words: only macOS prints them, and a missing symbol there is most often a binary built
# for a newer macOS than the one running it
_DYLD = lazyre.compile(r"Symbol not found|Library not loaded|\bdyld\b|mach-o")
_ARCHITECTURE = lazyre.compile(
    r"(?i)incompatible architecture|wrong architecture|mach-o file, but is|wrong ELF class|"
    r"not a valid Win32 application|Exec format error"
)
_METAL = lazyre.compile(r"(?i)metal_plugin|libmetal|tensorflow[-_]metal|pluggable_device")
# OpenMP runtimes by their files and their own message prefixes (LLVM/Intel: "OMP: Info #…",
# KMP_* settings; GNU: libgomp), and packages whose wheels or conda builds bring one each
_OPENMP_RUNTIME = lazyre.compile(r"libiomp5|libomp\.(?:dylib|so)|libgomp|\bKMP_[A-Z_]+|"
                                 r"intel-openmp|\bOMP: (?:Info|Warning|Error) #|llvm-openmp")
_OPENMP_USER = lazyre.compile(r"\b(?:import|from) (torch|lightgbm|xgboost|faiss|catboost)\b")
_ILLEGAL_INSTRUCTION = lazyre.compile(r"(?i)illegal (?:hardware )?instruction|SIGILL|exit code 132")
# A process's own fault, as the shells (glibc's and macOS's strsignal), CPython's faulthandler,
# the C++ runtimes, TensorFlow's CHECK and Windows name it: the signal that killed it is its own
_FAULT = lazyre.compile(
    r"(?i)segmentation fault|SIGSEGV|SIGABRT|SIGBUS|abort trap|\baborted\b|bus error|"
    r"core dumped|Fatal Python error|libc\+\+abi: terminating|access violation|0xC0000005|"
    r"Check failed:|terminate called after throwing an instance of '(?!std::bad_alloc)"
)
_WINDOWS_DLL = lazyre.compile(r"(?i)DLL load failed|\.dll\b|\.pyd\b|WinError 126|not a valid Win32")
# a native module compiled against another NumPy than the one that imports it
_NUMPY_BUILD = lazyre.compile(
    r"(?i)compiled (?:against|using) (?:API version|NumPy)|NumPy 1\.x cannot be run in|"
    r"numpy\.core\.multiarray failed to import|_ARRAY_API not found|numpy\.dtype size changed"
)
# a certificate the download could not verify (an unreachable host is not one)
_NETWORK = lazyre.compile(r"CERTIFICATE_VERIFY_FAILED|SSLError|SSLCertVerification|\[SSL[:\]]")
_TRUNCATED_FILE = lazyre.compile(r"(?i)truncated file|file signature not found|unable to open file|"
                                 r"bad marshal data|unexpected end of data|not a zip file")
# Loading a saved model, or rebuilding one from its stored config (`from_config`): an error there is
# most often a file written by another Keras than the one reading it.
_LOAD_MODEL = lazyre.compile(r"load_model|load_weights|model_from_(?:json|config|yaml)|saving_api|"
                             r"hdf5_format|\.h5\b|\bfrom_config\b")
# A loader refusing a file by its format (keras/src/saving/saving_api.py of Keras 3, whatever the
# line wrapping left of it)
_FILE_FORMAT = lazyre.compile(
    r"File format not supported|legacy SavedModel format|only supports V3"
)
_CORE = {"tensorflow", "keras", "numpy", "tf_keras", "jax", "torch", "h5py", "scipy"}


def candidates(text: str, clues: Clues) -> List[Outcome]:
    if clues.kind not in ("signal", "install", "exception"):
        return []
    verdict = resolvers.shows_conflict_verdict(text)
    if clues.kind == "signal":
        out = _signal(clues, text)
    elif clues.kind == "install":
        out = _install(text, clues, verdict)
    else:
        out = _exception(text, clues)
    if verdict:
        return out
    # two declared ranges that cannot both hold is a verdict a tool prints in its own words
    # (`resolvers`); without one in the paste, a conflict is no prior of any failure
    return [outcome for outcome in out if outcome[0] != "requirement-conflict"]


def _signal(clues: Clues, text: str = "") -> List[Outcome]:
    if _ILLEGAL_INSTRUCTION.search(text) or shapes.ILLEGAL_INSTRUCTION.search(text):
        # an instruction the CPU does not have: on a Mac, an x86 build under Rosetta (which has
        # no AVX); elsewhere a CPU without AVX
        # (zsh's words count only where nothing else names the system: zsh runs on Linux too)
        if clues.platform == "macos" or (not clues.platform and re.search(r"zsh: ", text)):
            return [("rosetta-python", 0.45, {}), ("mixed-arch-binary", 0.25, {}),
                    ("cpu-lacks-avx", 0.2, {})]
        return [("cpu-lacks-avx", 0.45, {}), ("rosetta-python", 0.2, {}),
                ("numpy-abi-mismatch", 0.2, {})]
    if not _FAULT.search(text) and shows_kill_or_allocation_failure(text):
        # SIGKILL ("Killed", "Killed: 9", exit status 137) is sent from outside the process,
        # never raised by its own code as a fault is; with no fault beside it, what sends it
        # is the kernel's out-of-memory killer (or a container's memory limit)
        return [("out-of-memory", 0.5, {}), *_generic_crash(clues)]
    if _OPENMP_RUNTIME.search(text) or len(set(_OPENMP_USER.findall(text))) >= 2:
        # a crash where an OpenMP runtime speaks (libomp, libiomp5, 'OMP: …') or two packages
        # that each bring their own (torch, LightGBM, XGBoost, MKL's intel-openmp) were imported
        return [("openmp-duplicate-runtime", 0.45, {}),
                *([("metal-plugin-mismatch", 0.25, {})] if clues.platform == "macos" else []),
                ("numpy-abi-mismatch", 0.2, {})]
    if clues.platform == "macos":
        # what dies inside a process on a Mac without a word of its own: the Metal plugin calling
        # a TensorFlow it was not built against, a second OpenMP runtime, a native module reading
        # NumPy's structures as another NumPy lays them out. A binary of the wrong architecture
        # never runs (dyld refuses it: `incompatible architecture`) and Rosetta's missing AVX
        # is an illegal instruction, so neither is a segfault's or an abort's cause.
        return [("metal-plugin-mismatch", 0.45 if _METAL.search(text) else 0.35, {}),
                ("openmp-duplicate-runtime", 0.3, {}), ("numpy-abi-mismatch", 0.25, {})]
    return _generic_crash(clues)


def _generic_crash(clues: Clues) -> List[Outcome]:
    out: List[Outcome] = [
        ("numpy-abi-mismatch", 0.3, {}),
        ("openmp-duplicate-runtime", 0.25, {}),
        ("cpu-lacks-avx", 0.25, {}),
    ]
    if clues.platform == "windows":
        out.append(("msvc-runtime-missing", 0.25, {}))
    return out


def _install(text: str, clues: Clues, verdict: bool) -> List[Outcome]:
    """`verdict`: the paste holds a resolver's or checker's conflict verdict (`resolvers`)."""
    if re.search(r"is not a supported wheel", text):
        return [("no-wheel-for-python", 0.4, {}), ("no-wheel-for-platform", 0.4, {}),
                ("pip-too-old-for-platform-tags", 0.2, {})]
    if re.search(r"has requirement \S+, but you have|but you have \S+ \S+ which is", text):
        return [("requirement-conflict", 0.5, {}), ("dependency-too-new", 0.3, {})]
    if re.search(r"Permission denied|\[Errno 13\]|Access is denied|\[WinError 5\]", text):
        # pip writing into an interpreter's site-packages the user may not change: a system or
        # distribution Python, which wants a virtual environment
        return [("externally-managed-python", 0.45, {}), ("wrong-interpreter", 0.25, {})]
    if re.search(r"(?i)python_requires|requires-python|python_version|cp3\d+", text):
        return [("no-wheel-for-python", 0.45, {}), ("requirement-conflict", 0.3, {})]
    if re.search(r"(?i)failed building wheel|subprocess-exited-with-error|setup\.py|"
                 r"metadata-generation-failed|legacy-install-failure|building wheel", text):
        return [("no-wheel-for-python", 0.4, {}), ("no-wheel-for-platform", 0.35, {})]
    if verdict:
        return [("requirement-conflict", 0.4, {}), ("no-wheel-for-python", 0.3, {})]
    # no resolver's verdict: what is left of an install that failed is finding, or building, a
    # distribution this interpreter and machine can take; on a machine few projects build wheels
    # for (Apple Silicon before its wheels came, ARM boards, 32-bit: the release tables), the
    # machine first
    if clues.machine:
        return [("no-wheel-for-platform", 0.35, {}), ("no-wheel-for-python", 0.3, {})]
    return [("no-wheel-for-python", 0.35, {}), ("no-wheel-for-platform", 0.3, {})]


def _exception(text: str, clues: Clues) -> List[Outcome]:
    message = clues.exception_message
    evidence: Dict[str, Any] = {"exception": f"{clues.exception_type}: {message}"[:300]}
    for outcomes in (_by_mechanism(text, clues, evidence),
                     [] if clues.exception_type or clues.frames else _told_in_words(text)):
        if outcomes:
            return outcomes
    if clues.exception_type in ("ModuleNotFoundError", "ImportError"):
        found = _NO_MODULE.search(message) or _NO_MODULE.search(text)
        module = found.group("module") if found else ""
        if not found and clues.exception_type == "ModuleNotFoundError":
            # the message was cut off (a notebook's header line and the marked statement are
            # all that was pasted): CPython raises ModuleNotFoundError only for a module not
            # found, so the failing `import X` names it
            module = _failing_import(text)
        if module:
            evidence["module"] = module
            if module in _FRAMEWORKS and (clues.notebook or _INSTALLED_ELSEWHERE.search(text)):
                # the framework the user works with, missing where a notebook or another
                # environment runs the code: installed into another interpreter than this one
                out: List[Outcome] = [("wrong-interpreter", 0.5, evidence),
                                      ("missing-dependency", 0.4, evidence)]
                if clues.notebook:
                    out.append(("kernel-not-restarted", 0.3, evidence))
                return out
            out = [("missing-dependency", 0.5, evidence)]
            if module.split(".")[0] in _CORE or clues.notebook:
                out += [("wrong-interpreter", 0.35, evidence)]
            if clues.notebook:
                out += [("kernel-not-restarted", 0.3, evidence)]
            return out
        if _NATIVE_LOAD.search(text):
            return [("mixed-arch-binary", 0.3, evidence), (_native_runtime(text), 0.3, evidence),
                    ("numpy-abi-mismatch", 0.25, evidence)]
        found = _CANNOT_IMPORT.search(text)
        if found:
            evidence.update(module=found.group("module"), name=found.group("name"))
            if found.group("module").startswith("tensorflow") and "keras" in text.lower():
                return [("keras-tf-version-skew", 0.4, evidence),
                        ("requirement-conflict", 0.3, evidence),
                        ("package-too-old-for-api", 0.25, evidence)]
        return [("requirement-conflict", 0.35, evidence), ("dependency-too-new", 0.3, evidence),
                ("package-too-old-for-api", 0.25, evidence)]
    found = _NO_ATTRIBUTE.search(text)
    if found:
        module, name = found.group("module"), found.group("name")
        evidence.update(module=module, name=name)
        top = module.split(".")[0]
        if "_tf_keras" in module or (top == "keras" and clues.keras_generation == "keras3"):
            return [("keras3-legacy-code", 0.4, evidence), ("keras-api-moved", 0.3, evidence),
                    ("keras-tf-version-skew", 0.25, evidence)]
        if top == "tensorflow" and "keras" in text.lower():
            # Keras reaching into a TensorFlow that is not the one it was released with
            return [("keras-tf-version-skew", 0.4, evidence),
                    ("dependency-too-new", 0.3, evidence), ("shadowed-module", 0.2, evidence)]
        return [("dependency-too-new", 0.35, evidence), ("requirement-conflict", 0.3, evidence),
                ("shadowed-module", 0.25, evidence)]
    if _FILE_FORMAT.search(text):  # Keras 3 names itself refusing a file: the file is the cause
        return [("model-format-incompatible", 0.45, evidence),
                ("keras3-legacy-code", 0.25, evidence)]
    if _KERAS3_NAMED.search(text):
        return [("keras3-legacy-code", 0.45, evidence), ("keras-tf-version-skew", 0.25, evidence)]
    found = _OBJECT_ATTRIBUTE.search(text)
    if found and found.group("type") not in _BUILTIN_TYPES:  # a str or a None: anyone's code
        # code written for another release of the library whose object it holds
        evidence.update(name=found.group("name"))
        if found.group("type") in _KERAS_OBJECTS or clues.keras_generation == "keras3":
            return [("keras3-legacy-code", 0.35, evidence),
                    ("keras-tf-version-skew", 0.25, evidence),
                    ("dependency-too-new", 0.25, evidence)]
        return [("dependency-too-new", 0.35, evidence), ("requirement-conflict", 0.25, evidence)]
    if _LOAD_MODEL.search(text):
        return [
            ("model-format-incompatible", 0.4, evidence),
            ("keras3-legacy-code", 0.25, evidence),
        ]
    if clues.keras_generation == "keras3" or "keras" in text:
        if clues.keras_generation == "keras3":
            return [
                ("keras3-legacy-code", 0.35, evidence),
                ("keras-tf-version-skew", 0.2, evidence),
            ]
        return [
            ("keras-tf-version-skew", 0.3, evidence),
            ("keras3-legacy-code", 0.25, evidence),
        ]
    if _NATIVE_LOAD.search(text):
        return [("mixed-arch-binary", 0.3, evidence), (_native_runtime(text), 0.25, evidence)]
    # nothing names the mechanism: code and an installed package of different releases, the
    # package older than the code or newer (a conflict between declared ranges is a resolver's
    # verdict, and counts only where the paste prints one: `candidates`)
    return [("package-too-old-for-api", 0.25, evidence), ("dependency-too-new", 0.2, evidence),
            ("requirement-conflict", 0.2, evidence)]


# A failure told in words, with no error pasted, names its subject more than its mechanism: a
# machine or a Python TensorFlow publishes no build for (its pip page asks for a 64-bit Python;
# each release has wheels for a few Python minors), NumPy 2 under a TensorFlow built against
# NumPy 1 (2.18 was the first built against NumPy 2), h5py 3 under a Keras that reads model files
# with h5py 2's API (TensorFlow 2.4 pinned h5py~=2.10).
_WORDS_32_BIT = lazyre.compile(r"(?i)\b32[- ]?bit\b|\bx86\b(?![-_]64)|\bwin32\b")
_WORDS_NUMPY_2 = lazyre.compile(r"(?i)\bnumpy(?:'s)?\b[^\n.]{0,40}?\b2(?:\.x\b|\.\d)")
_WORDS_H5PY_3 = lazyre.compile(r"(?i)\bh5py\b[^\n.]{0,20}?\b3\.\d")
# TensorFlow's compiled add-ons each publish the TensorFlow release every one of theirs was built
# for (tensorflow/io's "TensorFlow Version Compatibility" table, tensorflow/text's, Addons'): a
# compatibility asked about in words is that pairing.
_WORDS_ADDON_COMPATIBLE = lazyre.compile(
    r"(?i)\b(?:tensorflow[-_ ](?:io|text|addons|decision[-_ ]forests|recommenders)|tfio|tfa)\b"
    r"[^\n]{0,160}?\bcompatib"
)
# A TensorFlow module only TensorFlow 1 had, named in the words (`tf1.tf1_only_module`:
# tensorflow.contrib and its kin, read from the releases that ship them)
_WORDS_MODULE = lazyre.compile(r"\b(?:tensorflow|tf)(?:\.\w+)+")
_WORDS_PYTHON = lazyre.compile(r"(?i)\bpython (?:version )?[23]\.\d{1,2}\b|\bpython version\b")


def _told_in_words(text: str) -> List[Outcome]:
    """What a failure told in words is about, as its subject says (`_WORDS_*`)."""
    evidence: Dict[str, Any] = {"told_in_words": True}
    if _WORDS_32_BIT.search(text):
        return [("no-wheel-for-platform", 0.4, evidence), ("no-wheel-for-python", 0.3, evidence)]
    if _WORDS_NUMPY_2.search(text):
        return [("numpy-abi-mismatch", 0.4, evidence), ("dependency-too-new", 0.3, evidence)]
    if _WORDS_H5PY_3.search(text):
        return [("dependency-too-new", 0.4, evidence), ("hdf5-library-mismatch", 0.2, evidence)]
    if any(tf1.tf1_only_module("tensorflow." + m.group(0).split(".", 1)[1])
           for m in _WORDS_MODULE.finditer(text)):
        return [("tf1-api-under-tf2", 0.4, evidence),
                ("code-uses-removed-tensorflow-api", 0.25, evidence)]
    if _WORDS_ADDON_COMPATIBLE.search(text):
        return [("extension-built-against-another-tensorflow", 0.4, evidence),
                ("package-too-old-for-api", 0.25, evidence)]
    if _WORDS_PYTHON.search(text):
        return [("no-wheel-for-python", 0.4, evidence), ("no-wheel-for-platform", 0.25, evidence)]
    return []


def _native_runtime(text: str) -> str:
    """A binary the loader could not complete: a library it could not find at all (glibc's
    `cannot open shared object file`, dyld's `Library not loaded`, TensorFlow's `Could not load
    dynamic library`) is missing; else (`undefined symbol`) two builds that do not fit, which
    only a resolver's verdict in the paste makes a declared conflict (`candidates`)."""
    if _LIBRARY_NOT_FOUND.search(text):
        return "native-runtime-library-missing"
    return "requirement-conflict"


# An import statement as a traceback shows it (IPython marks the failing one `---->  6 import
# x`), or as a report quotes it (`import x`, in Markdown's backticks or emphasis)
_IMPORT_STATEMENT = lazyre.compile(
    r"(?m)^[ \t_`*>]*(?P<marked>-+>\s*\d+\s+)?(?:import|from)\s+(?P<module>[\w.]+)"
)


def _failing_import(text: str) -> str:
    """The top-level module the failing import statement names: the statement IPython marks,
    else the last one shown; '' for a submodule (`from keras.engine import …` fails for the
    submodule as often as for the package, which other steps judge) or none."""
    found = list(_IMPORT_STATEMENT.finditer(text))
    marked = [m for m in found if m.group("marked")]
    module = (marked or found)[-1].group("module") if found else ""
    return "" if "." in module else module


def _by_mechanism(text: str, clues: Clues, evidence: Dict[str, Any]) -> List[Outcome]:
    """What the failure's own words say happened, whatever exception carried them: a download,
    a truncated file, a native module built against another NumPy, a loader that could not
    resolve a binary on macOS or Windows."""
    if _NETWORK.search(text):
        return [("weights-download-ssl", 0.4, evidence), ("weights-cache-corrupt", 0.25, evidence)]
    if _TRUNCATED_FILE.search(text):
        return [("weights-cache-corrupt", 0.4, evidence),
                ("model-format-incompatible", 0.3, evidence)]
    if _NUMPY_BUILD.search(text):
        return [("numpy-abi-mismatch", 0.45, evidence), ("requirement-conflict", 0.25, evidence)]
    if _ARCHITECTURE.search(text):
        return [("mixed-arch-binary", 0.45, evidence), ("rosetta-python", 0.25, evidence),
                ("no-wheel-for-platform", 0.2, evidence)]
    if _DYLD.search(text) or (clues.platform == "macos" and _NATIVE_LOAD.search(text)):
        if _METAL.search(text):  # the plugin's binary against another TensorFlow's symbols
            return [("metal-plugin-mismatch", 0.45, evidence), ("macos-too-old", 0.25, evidence),
                    ("mixed-arch-binary", 0.2, evidence)]
        if "Symbol not found" in text:
            return [("macos-too-old", 0.35, evidence), ("mixed-arch-binary", 0.25, evidence),
                    ("requirement-conflict", 0.2, evidence)]
        return [("mixed-arch-binary", 0.3, evidence), ("macos-too-old", 0.25, evidence),
                ("missing-dependency", 0.2, evidence)]
    if _WINDOWS_DLL.search(text):
        return [("msvc-runtime-missing", 0.35, evidence), ("cpu-lacks-avx", 0.3, evidence),
                ("requirement-conflict", 0.2, evidence)]
    return []
