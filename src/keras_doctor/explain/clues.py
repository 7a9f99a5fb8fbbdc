"""Read the whole paste, not only its last line: what the traceback's frames and banners reveal.

A frame path says more than the message: `/Users/…/miniforge3/envs/tf/lib/python3.9/site-packages`
is a macOS conda-forge Python 3.9; `C:\\Users\\…\\AppData\\Local\\Programs\\Python\\Python311` is a
python.org Windows install; `/usr/local/lib/python3.10/dist-packages` with `/content/` is Colab;
`keras/src/backend/…` is Keras 3 while `keras/engine/…` is Keras 2. The package whose code made the
failing call (the last site-packages frame outside the frameworks) and the modules being imported
along the way tell whose code met the error. This module only reads; `weigh` turns what it read
into evidence for and against each cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from keras_doctor.explain import lazyre, shapes
from keras_doctor.explain.text import site_package_of

_MACOS = lazyre.compile(
    # (a Mac's home folders; not Windows' C:/Users/, as a traceback prints a script started so)
    r"(?<![A-Za-z]:)/Users/|/opt/homebrew/|/Library/Frameworks/Python\.framework|"
    r"/private/var/folders/|"
    r"\.dylib\b|\bdarwin\b|macosx_\d+_\d+|zsh: |Abort trap: 6|"
    # macOS's strsignal appends the signal's number ("Segmentation fault: 11", "Killed: 9"),
    # glibc's does not (Libc/string/FreeBSD/strsignal.c in apple-oss-distributions)
    r"\b(?:Illegal instruction|Segmentation fault|Bus error|Killed|Trace/BPT trap): \d+\b|"
    r"EXC_BAD_(?:ACCESS|INSTRUCTION)|EXC_CRASH|"
    # LLVM's C++ runtime, the one macOS ships, names itself when it aborts
    # (libcxxabi/src/cxa_default_handlers.cpp); Linux's libstdc++ says "terminate called"
    r"libc\+\+abi: |"
    r"MacBook|Apple M\d|Apple Silicon|\bmacOS\b"
)
_WINDOWS = lazyre.compile(
    r"[A-Za-z]:\\|[A-Za-z]:/Users/|\\AppData\\|\\Anaconda3\\|\\site-packages\\|\.dll\b|\.pyd\b|"
    r"WinError|win_amd64|"
    r"PS [A-Z]:\\|cmd\.exe|"
    # NTSTATUS crash codes as exit codes (ntstatus.h: access violation, illegal instruction)
    # and faulthandler's Windows-only "Windows fatal exception"
    r"0xC000000[5D]\b|-107374(?:1819|1795)\b|Windows fatal exception"
)
_LINUX = lazyre.compile(
    # (/usr/local/lib/pythonX.Y/site-packages is Intel Homebrew's on a Mac as much as a Docker
    # image's on Linux; Debian's pip writes dist-packages there)
    r"/home/|/usr/local/lib/python[\d.]*/dist-packages|/usr/lib/python|/opt/conda/|"
    r"\.so(?:\.\d+)*\b|manylinux|"
    r"/content/|/kaggle/|linux-gnu|GLIBC|"
    # glibc's signal names as bash prints a dumped core ("Aborted" is SIGABRT on glibc; macOS
    # says "Abort trap: 6")
    r"(?:Segmentation fault|Illegal instruction|Aborted|Bus error) \(core dumped\)"
)
_COLAB = lazyre.compile(r"/content/|google\.colab|/usr/local/lib/python3\.\d+/dist-packages")
_KAGGLE = lazyre.compile(r"/kaggle/|/opt/conda/lib/python3\.\d+/site-packages/kaggle")
_INSTALLERS: Tuple[Tuple[str, re.Pattern[str]], ...] = (
    ("miniforge", lazyre.compile(r"(?i)[/\\](?:miniforge3?|mambaforge)[/\\]")),
    ("anaconda", lazyre.compile(r"(?i)[/\\](?:anaconda3?|miniconda3?|opt/conda)[/\\]")),
    ("homebrew", lazyre.compile(r"/opt/homebrew/|/usr/local/Cellar/|/usr/local/opt/python")),
    ("pyenv", lazyre.compile(r"[/\\]\.pyenv[/\\]")),
    ("python.org", lazyre.compile(r"/Library/Frameworks/Python\.framework|\\Programs\\Python\\")),
    ("microsoft-store", lazyre.compile(r"WindowsApps|PythonSoftwareFoundation\.Python")),
    ("colab", _COLAB),
    ("virtualenv", lazyre.compile(r"[/\\](?:\.?venv|env|\.virtualenvs)[/\\](?:lib|Lib)[/\\]")),
    ("system", lazyre.compile(r"/usr/lib/python3(?:\.\d+)?/|/usr/lib64/python")),
)
_PYTHON_VERSION = lazyre.compile(
    r"(?i)[/\\]python(?P<a>[23])\.?(?P<b>\d{1,2})[/\\]|[/\\]Python(?P<c>[23])(?P<d>\d{1,2})[/\\]"
    r"|Python (?P<e>3)\.(?P<f>\d{1,2})\.\d+"
)
_NOTEBOOK = lazyre.compile(
    r"Cell In\s*\[\d*\]|<ipython-input-\d+|ipykernel|Traceback \(most recent call last\)\n"
    r"\s*(?:Cell|<ipython)|-{3,}> ?\d+ |/tmp/ipykernel_\d+|IPython/core/interactiveshell|"
    # a cell's install: IPython's `!` shell escape and the `%pip` / `%conda` magics
    r"(?m:^[ \t]*(?:! ?(?:pip3?|conda)|%pip|%conda) install\b)"
)
# The import statements a traceback's source lines show: the dotted module and, after
# `from … import`, the first name imported (which may itself be a submodule, or `*`).
IMPORT_STATEMENT = lazyre.compile(
    r"^[ \t>\-\d]*(?:from ([\w.]+) import \(?\s*(\w+|\*)|import ([\w.]+))", re.M
)

# The package folders that identify a Keras generation in a frame path.
_KERAS3 = lazyre.compile(
    r"keras[/\\]src[/\\](?:backend[/\\]|ops[/\\]|trainers[/\\]|layers[/\\]core[/\\]|"
    r"models[/\\]functional|saving[/\\]saving_lib|utils[/\\]traceback_utils)"
    r"|keras[/\\]api[/\\](?!_v)|keras\.src\.(?:ops|backend|trainers)"
)
_KERAS2_SRC = lazyre.compile(r"keras[/\\]src[/\\]engine[/\\]")  # Keras 2.13-2.15
_KERAS2 = lazyre.compile(r"keras[/\\]engine[/\\]|keras[/\\]layers[/\\]core\.py|tf_keras[/\\]")
_TF_KERAS = lazyre.compile(
    r"tensorflow[/\\]python[/\\]keras[/\\]|tensorflow_core[/\\]python[/\\]keras"
)

# What marks an error, a failed install or a fatal signal: text with none of them has no error.
_EXCEPTION = lazyre.compile(
    r"^(?:[\w.]+\.)?(?:[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Failure|Warning)|"
    r"ModuleNotFoundError|Traceback \(most recent call last\))(?::|$)|"
    # exceptions not named like errors: the iterator protocol's, pip's and packaging's
    # (`pip._internal.exceptions.UnsupportedWheel: …`, `InvalidVersion: …`), pkg_resources'
    r"^(?:[\w.]+\.)?(?:StopIteration|StopAsyncIteration|(?:Invalid|Unsupported|Bad)[A-Z]\w*|"
    r"DistributionNotFound|VersionConflict|ContextualVersionConflict)(?::|$)|"
    # native code's own fatal lines (numpy's `FATAL: module compiled as …`)
    r"^(?:FATAL|Fatal error|fatal error)\b",
    re.MULTILINE,
)
# An exception named inside a sentence or a quote ("`AttributeError: ...` when loading"), and the
# failures the loader, the importer and the network print without an exception's name.
_EXCEPTION_INLINE = lazyre.compile(
    r"(?<![A-Za-z0-9_.])(?P<type>(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception)|Exception)(?::[ \t]*"
    r"(?P<message>[^\n`\"\u201d]*))?"
)
_FAILURE_WORDS = lazyre.compile(
    r"(?i)\b(?:failed|failure|cannot|can ?not|could not|unable to|not found|no module named|"
    # protobuf's text format parser ('Message type "%s" has no field named "%s".',
    # python/google/protobuf/text_format.py)
    r"has no attribute|has no field named|incompatible|not compatible|not supported|"
    r"crash(?:ed|es)?|abort(?:ed)?|errors|"
    # how people title a failure they did not paste: "Issue with …", "only supports …"
    r"(?:issue|problem) with|no module|only supports|not (?:getting )?imported|"
    r"(?:can't|cannot|couldn't|could not|unable to) (?:import|load|install|find|open)|"
    r"(?:does not|doesn'?t|don'?t|not) work(?:ing)?|"
    # a failure retold in words: "it complains that…", "can't support it", "does not support
    # python 3.7", "doesn't seem to be compatible", "causes issues"
    r"complain(?:s|ed|ing)?|(?:does not|doesn'?t|can'?t|cannot|won'?t) support|"
    r"(?:doesn'?t|does not|isn'?t|is not|aren'?t|are not|not) (?:seem to be |be )?compatible|"
    r"causes? (?:issues|problems|errors)|(?:doesn'?t|does not|don'?t|do not) exist|"
    r"can'?t seem to (?:import|load|install|find|open)|"
    # the dynamic loader's words: dyld's "Library not loaded", a title's "missing file X.h"
    r"library not loaded|missing (?:file|library|shared library))\b|"
    r"_FAILED\b|SSLError"
)
_INSTALL_FAILURE = lazyre.compile(
    r"^ERROR: |^error: |Could not find a version|No matching distribution|"
    r"is not a supported wheel on this|has requirement \S+, but you have|"
    r"Failed building wheel|subprocess-exited-with-error|ResolutionImpossible|"
    r"PackagesNotFoundError|UnsatisfiableError|× |╰─> |but you have \S+ \S+ which is incompatible|"
    r"No solution found when resolving|Because .* we can conclude|"
    # pip's UnsupportedPythonVersion ("Package %r requires a different Python: %s not in %r"),
    # often pasted without its head
    r"requires a different Python: \d",
    re.MULTILINE,
)
_SIGNAL = lazyre.compile(
    r"(?i)segmentation fault|SIGSEGV|SIGABRT|SIGILL|SIGBUS|SIGKILL|abort trap|bus error|"
    # "killed" alone is how shells and users report a kill; "killed off" is prose for removed
    r"illegal (?:hardware )?instruction|core dumped|Fatal Python error|\bkilled\b(?! off\b)|"
    r"kernel (?:appears to have )?died|Kernel Restarting|exit code -?\d{2,}|"
    r"terminate called after throwing|libc\+\+abi: terminating|^F\d{4} |^F tensorflow/|"
    r"Check failed:|"
    # the condition of a failed glog CHECK, pasted without its "Check failed:" head
    r"\b[A-Za-z_]\w*(?:(?:\.|->)\w+)+ [!=]= nullptr\b|"
    # TensorFlow's cpu_feature_guard says which instructions the CPU lacks, then aborts the
    # process (tensorflow/core/platform/cpu_feature_guard.cc)
    r"compiled to use \S+ instructions, but these aren'?t available on your machine|"
    r"process finished with exit code (?!0\b)|zsh: |exited with code (?!0\b)|"
    # faulthandler's report of a crash in native code (Windows says "fatal exception")
    r"Windows fatal exception|access violation|0xC0000005|0xC000001D|The Kernel crashed"
)
# An interactive bash prints "Killed" where the cursor is, after what the program left on its
# line (a progress bar): `loss: 2.1034Killed` (bash's jobs.c, notify_of_job_status)
_KILLED_AT_THE_CURSOR = lazyre.compile(r"(?m)(?<=\S)Killed(?::[ \t]*9)?$")
_LAST_EXCEPTION = lazyre.compile(
    r"^(?P<type>(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit|Failure))(?:: (?P<message>.*))?$",
    re.MULTILINE,
)
_ARM64 = lazyre.compile(r"(?i)\barm64\b|\baarch64\b|Apple (?:M\d|Silicon)|"
                        r"\bM[1-4] (?:Mac|Pro|Max|Air|chip)|MacBook (?:Air|Pro) M\d|"
                        # the Mac named before its chip ("Mac M1", "MacBook M2")
                        r"\bMac(?:Book)? M[1-5]\b|"
                        r"\bon (?:an? )?M[1-4]\b|\barmv7l?\b|Raspberry Pi|"
                        # the index Raspberry Pi OS configures for pip (/etc/pip.conf), which pip
                        # names in "Looking in indexes: …"
                        r"piwheels\.org")
# not `on win32` nor `'win32'`: CPython's banner and sys.platform say win32 on 64-bit Windows too
_32BIT = lazyre.compile(r"(?i)\b32[- ]?bit\b|(?<!on )(?<!['\"])\bwin32\b(?!['\"])|\bi[36]86\b")
_INFRA = ("importlib", "_pydev", "pydev", "runpy", "IPython", "ipykernel", "<frozen", "site.py")
FRAMEWORKS = {
    "keras", "tensorflow", "tf_keras", "keras_core", "tensorflow_core", "IPython", "ipykernel",
    "six", "importlib_metadata", "numpy", "h5py", "google", "absl", "keras_applications",
    "keras_preprocessing",
}


@dataclass
class Clues:
    """What the paste reveals beside its error line. Empty fields mean "not shown"."""

    platform: str = ""  # "macos" | "linux" | "windows"
    installer: str = ""  # see _INSTALLERS
    python_version: str = ""  # "3.11"
    keras_generation: str = ""  # "keras3" | "keras2" | "tf.keras"
    notebook: bool = False
    colab: bool = False
    library: str = ""  # the third-party package whose code made the failing call
    imports: List[str] = field(default_factory=list)  # modules imported along the traceback
    frames: List[str] = field(default_factory=list)
    exception_type: str = ""
    exception_message: str = ""
    kind: str = ""  # "exception" | "install" | "signal" | "" (no error in the text)
    machine: str = ""  # "arm64" | "32-bit" when the paste names a machine few wheels are built for
    keras_stated: str = ""  # the one Keras release the paste says is installed

    def as_evidence(self) -> Dict[str, object]:
        shown = {
            "platform": self.platform,
            "installer": self.installer,
            "python": self.python_version,
            "keras_generation": self.keras_generation,
            "notebook": self.notebook or None,
            "colab": self.colab or None,
            "failing_package": self.library,
            "machine": self.machine,
            "imports": self.imports[-5:],
        }
        return {k: v for k, v in shown.items() if v}


HEAD, TAIL = 8_000, 32_000  # what a clue can come from: banners at the top, the error at the end


def read(text: str, frames: List[str]) -> Clues:
    clues = Clues(frames=list(frames))
    if len(text) > HEAD + TAIL:  # a long log: its middle is training output, not clues
        text = text[:HEAD] + "\n" + text[-TAIL:]
    paths = "\n".join(frames) or text
    clues.platform = _platform(text, paths)
    for name, pattern in _INSTALLERS:
        if pattern.search(paths):
            clues.installer = name
            break
    match = _PYTHON_VERSION.search(paths) or _PYTHON_VERSION.search(text)
    if match:
        major = match.group("a") or match.group("c") or match.group("e")
        minor = match.group("b") or match.group("d") or match.group("f")
        clues.python_version = f"{major}.{minor}"
    clues.keras_generation = _keras_generation(text)
    clues.keras_stated = stated_keras_version(text) or ""
    clues.notebook = bool(_NOTEBOOK.search(text))
    clues.colab = bool(_COLAB.search(text))
    clues.library = failing_package(frames)
    clues.imports = [m.group(1) or m.group(3) for m in IMPORT_STATEMENT.finditer(text)][-12:]
    matches = list(_LAST_EXCEPTION.finditer(text)) or list(_EXCEPTION_INLINE.finditer(text))
    last = matches[-1] if matches else None
    if last is not None:
        clues.exception_type = last.group("type").rsplit(".", 1)[-1]
        clues.exception_message = (last.group("message") or "").strip()[:500]
    clues.kind = error_kind(text)
    if _ARM64.search(text):
        clues.machine = "arm64"
    elif _32BIT.search(text):
        clues.machine = "32-bit"
    return clues


def error_kind(text: str) -> str:
    """'exception', 'install', 'signal', or '' when the text shows no error at all."""
    if _SIGNAL.search(text) or shapes.CRASH.search(text) or (
            "Killed" in text and _KILLED_AT_THE_CURSOR.search(text)):
        return "signal"
    if _INSTALL_FAILURE.search(text) or shapes.SOLVER.search(text):
        return "install"
    if _EXCEPTION.search(text) or re.search(r"^\w*Error\b|^E\d{4} |\berror\b", text, re.M | re.I):
        return "exception"
    if _INSTALL_IN_WORDS.search(text):  # an install that failed, told rather than pasted
        return "install"
    if _EXCEPTION_INLINE.search(text) or _FAILURE_WORDS.search(text):
        return "exception"
    return shapes.kind(text)  # frames alone, a failure in a title's words


# A failed install in a report's own words (no installer output pasted): the installer named with
# a failure ("pip install mediapipe not working", "pip cannot find the package"), or installing
# itself failing ("unable to install X", "installation fails")
_INSTALL_IN_WORDS = lazyre.compile(
    r"(?i)\b(?:can'?t|cannot|can not|couldn'?t|could not|unable to|fail(?:s|ed)? to|"
    r"not able to|won'?t) (?:be )?(?:pip[- ])?install(?:ed)?\b|"
    # (within the clause, and not about an import that followed)
    r"\b(?:pip3?|conda|mamba|poetry|uv(?: pip)?) (?:add|install)\b(?:(?!import)[^\n.,;]){0,100}?"
    r"\b(?:not work(?:ing|s)?|fail(?:s|ed|ing)?|doesn'?t work|does not work|errors?)\b|"
    r"\bpip3?\b[^\n]{0,60}?\b(?:can'?t|cannot|can not|couldn'?t|could not|unable to) "
    r"(?:find|found)\b|"
    r"\binstall(?:ation)? (?:fails|failed|failing|errors?|not working|doesn'?t work)\b|"
    # no build published for the machine or the Python, in the words of a report asking for one
    # ("binaries are not available for Python 3.8", "no wheels for apple silicon", "did not
    # publish macOS x86_64 binaries")
    r"\b(?:binar(?:y|ies)|wheels?)\b[^\n.]{0,40}?\b(?:(?:is|are) not available|"
    r"(?:is|are) not (?:on|published)|(?:was|were)n'?t published)\b|"
    r"\bno (?:\w+ )?(?:wheels?|binar(?:y|ies)) (?:for|on)\b|"
    r"\b(?:did not|didn'?t|does not|doesn'?t) (?:publish|ship|provide) [^\n.]{0,40}?"
    r"\b(?:binar(?:y|ies)|wheels?)\b"
)


def failing_package(frames: List[str]) -> str:
    """The third-party package whose code called into the frameworks when the error happened:
    from the innermost frame out, past the frameworks' own frames; '' when that caller is the
    user's code."""
    for path in reversed(frames):
        if any(marker in path for marker in _INFRA):
            continue
        package = site_package_of(path)
        if package in FRAMEWORKS:
            continue
        return package.split(".")[0] if package else ""
    return ""


# The interactive interpreter's banner ends with `sys.platform` ("[GCC 11.4.0] on linux",
# "[Clang 10.0.0 ] :: Anaconda, Inc. on darwin", "[MSC v.1929 64 bit (AMD64)] on win32";
# Python 2 says "linux2"): the interpreter that ran says which system it runs on.
_BANNER_PLATFORM = lazyre.compile(r"\](?: ::[^\n\]]*?)? on (?P<os>darwin|linux2?|win32|cygwin)\b")
_BANNER_OS = {"darwin": "macos", "linux": "linux", "linux2": "linux", "win32": "windows",
              "cygwin": "windows"}


def banner_platform(text: str) -> str:
    """The platform the paste's interpreter banner states, or ''."""
    found = list(_BANNER_PLATFORM.finditer(text))
    return _BANNER_OS[found[-1].group("os")] if found else ""


# TensorFlow's issue templates ask for the system in one field: "OS Platform and Distribution
# (e.g., Linux Ubuntu 16.04):" (tensorflow/.github/ISSUE_TEMPLATE/00-bug-issue.md, until 2022) and
# "### OS platform and distribution" (the issue forms since, 00-bug-issue.yml); many projects
# copied them. The reporter's answer names the system; the template's own example does not.
_TEMPLATE_OS = lazyre.compile(
    r"(?im)^[ \t*-]*OS Platform and Distribution(?: \(e\.g\.,? [^)\n]*\))?[ \t]*:[ \t]*"
    r"(?P<inline>[^\n]*)|^#{1,6}[ \t]*OS platform and distribution[ \t]*\n\s*(?P<form>[^\n]+)")
_STATED_OS = (
    ("macos", lazyre.compile(r"(?i)\bmac|\bos ?x\b|darwin|"
                             r"\b(?:big sur|monterey|ventura|sonoma|sequoia|catalina|mojave)\b")),
    ("windows", lazyre.compile(r"(?i)\bwin(?:dows|\d+)?\b")),
    ("linux", lazyre.compile(r"(?i)linux|ubuntu|debian|cent ?os|fedora|red ?hat|rhel|\barch\b|"
                             r"manjaro|kali|raspbian|raspberry|mint|suse|alpine|rocky|jetson|\bwsl")),
)


def template_platform(text: str) -> str:
    """The system the reporter named in an issue template's OS field, or '' (unanswered, or
    naming more than one)."""
    for found in _TEMPLATE_OS.finditer(text):
        answer = found.group("inline") if found.group("inline") is not None else found.group("form")
        named = [name for name, words in _STATED_OS if words.search(answer or "")]
        if len(named) == 1:
            return named[0]
    return ""


def _platform(text: str, paths: str) -> str:
    """The interpreter's banner first, then the traceback's paths, then the reporter's answer to
    an issue template's OS field, then the words of the whole paste."""
    stated = banner_platform(text) or (_counted(paths) if paths != text else "")
    return stated or template_platform(text) or _counted(text)


def _counted(source: str) -> str:
    scores = {
        "macos": len(_MACOS.findall(source)),
        "windows": len(_WINDOWS.findall(source)),
        "linux": len(_LINUX.findall(source)),
    }
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else ""


def _keras_generation(text: str) -> str:
    if _KERAS3.search(text):
        return "keras3"
    if _KERAS2_SRC.search(text) or _KERAS2.search(text):
        return "keras2"
    if _TF_KERAS.search(text):
        return "tf.keras"
    return ""


# -- evidence for and against causes --------------------------------------------------------------

_ONLY_ON = {
    "rosetta-python": "macos",
    "macos-too-old": "macos",
    "metal-plugin-mismatch": "macos",
    # tensorflow-macos publishes macOS wheels only (its release table)
    "tensorflow-macos-fork-not-recognised": "macos",
    "msvc-runtime-missing": "windows",
    "glibc-too-old": "linux",
}
_WHEEL_CAUSES = {"no-wheel-for-python", "no-wheel-for-platform"}
_KERAS3_CAUSES = {"keras3-removed-api", "keras3-legacy-code", "keras-backend-unavailable"}
# causes only Keras 3 has (Keras 2.0-2.3 could miss a backend as well)
_KERAS3_ONLY = {"keras3-removed-api", "keras3-legacy-code"}


def _before_keras3(version: str) -> bool:
    """Whether a stated Keras release (`stated_keras_version`: always three numbers) is a Keras 2
    (or 1)."""
    from packaging.version import Version

    return bool(version) and Version(version).major < 3


def excluded_on(cause: str, platform: str) -> bool:
    """Whether a paste from `platform` ("" when unknown) excludes the cause outright (a Metal
    plugin on Linux, the Visual C++ runtime on a Mac, Rosetta anywhere but a Mac)."""
    only_on = _ONLY_ON.get(cause)
    return bool(only_on and platform and platform != only_on)


def ruled_out_by_platform(cause: str, clues: Clues) -> bool:
    """Whether the paste's platform excludes the cause: nothing learned from other reports may
    propose it here."""
    return excluded_on(cause, clues.platform)


# The kernel's out-of-memory killer sends SIGKILL, which no process catches and which dumps no
# core, and an allocator that runs out says so: without a kill or an allocation failure in the
# paste (a segfault, an abort, a dead kernel), nothing learned from other reports may blame memory.
# What the shells, the kernel and the allocators print is read once, by the `killed-out-of-memory`
# signature (knowledge/signatures.json, each wording with the file that prints it); a report may
# also say it in its own words, which no program prints and which alone are only a hint.
MEMORY_SIGNATURE = "killed-out-of-memory"
_MEMORY_IN_WORDS = lazyre.compile(
    r"(?i)\bkilled\b(?! off\b)|\bsignal 9\b|\bout of (?:RAM|memory)\b|\bOOM\b|"
    r"\bmemory ?error\b|\bbad_alloc\b|\bResourceExhausted|\bfailed to allocate\b"
)


def shows_kill_or_allocation_failure(text: str) -> bool:
    """Whether the paste shows a kill or a failed allocation: a line the memory signature reads,
    or the report's own words for one ("the process gets killed", "out of memory")."""
    from keras_doctor.explain import catalog, match

    signature = next((s for s in catalog.load().signatures if s.id == MEMORY_SIGNATURE), None)
    if signature is not None and match.matches(signature, text):
        return True
    return bool(_MEMORY_IN_WORDS.search(text))


# pip's resolver names the distribution that asked for a requirement it cannot satisfy ("the
# requirement tensorflow<2.9,>=2.8 (from tensorflow-text) (from versions: none)") and nothing more
# when the user asked for it (pip/_internal/resolution/resolvelib/factory.py,
# `_report_single_requirement_conflict`: `req_disp = f"{req} (from {parent.name})"` only with a
# parent; the legacy resolver's "(from -r requirements.txt (line N))" is the user's file);
# pkg_resources says "is required by", `pip check` "X requires tensorflow". The tensorflow-macos
# fork's cause is a package asking for the distribution `tensorflow`: a paste where only the user
# asked for it does not show it.
FORK = "tensorflow-macos-fork-not-recognised"
_UNSATISFIED_TENSORFLOW = lazyre.compile(
    r"satisfies the requirement tensorflow(?![\w.-])[^\n]*?\(from versions:")
_REQUIRER = lazyre.compile(
    r"\(from (?!versions:|-r |-c )[^)\n]+\)|\bis required by\b|\brequires tensorflow(?![\w.-])",
    re.IGNORECASE)


def only_the_user_asked_for_tensorflow(text: str) -> bool:
    """Whether pip could not satisfy `tensorflow` the user asked for, and no line of the paste
    names a distribution that asked for it."""
    return bool(_UNSATISFIED_TENSORFLOW.search(text)) and not _REQUIRER.search(text)


def ruled_out(cause: str, clues: Clues, text: str) -> bool:
    """Whether what the paste shows excludes a cause that is only guessed or learnt from other
    reports: its platform (`ruled_out_by_platform`) or its signal (`ruled_out_by_signal`)."""
    return ruled_out_by_platform(cause, clues) or ruled_out_by_signal(cause, text)


def ruled_out_by_signal(cause: str, text: str) -> bool:
    """Whether what the paste shows rules out a cause only learnt from other reports proposes:
    no kill and no allocation failure, which the memory killer's cause (`out-of-memory`) needs;
    no distribution asking for `tensorflow`, which the tensorflow-macos fork's cause needs; or a
    Keras 2 the paste states is installed, where code written for Keras 2 and a name Keras 3
    removed cannot be the cause."""
    if cause == FORK:
        return only_the_user_asked_for_tensorflow(text)
    if cause in _KERAS3_ONLY:
        return _before_keras3(stated_keras_version(text) or "")
    return cause == "out-of-memory" and not shows_kill_or_allocation_failure(text)


def weigh(
    cause: str, score: float, clues: Clues, evidence: Optional[Dict[str, object]] = None
) -> Tuple[float, Optional[str]]:
    """The score adjusted by what the frames show, and the reason when it changed."""
    module = str((evidence or {}).get("module") or "").split(".")[0]
    local_file = (evidence or {}).get("path")
    if cause == "shadowed-module" and module and not local_file and any(
        site_package_of(f) == module for f in clues.frames
    ):
        return score * 0.5, f"the frames run the installed {module} package"
    if excluded_on(cause, clues.platform):
        return score * 0.4, f"the traceback's paths are {clues.platform}, not {_ONLY_ON[cause]}"
    if cause == "mixed-arch-binary" and clues.platform == "windows":
        return score * 0.6, "the traceback's paths are windows"
    if cause == "keras-backend-unavailable" and (evidence or {}).get("use_backend"):
        return score, None  # Keras 2.0-2.3 chose its backend the same way (keras.json)
    if cause in _KERAS3_CAUSES and clues.keras_generation in ("keras2", "tf.keras"):
        if cause == "keras3-legacy-code" and clues.keras_generation == "tf.keras":
            return score, None
        return score * 0.6, f"the frames run {clues.keras_generation} code, not Keras 3"
    if cause in _KERAS3_ONLY and _before_keras3(clues.keras_stated):
        return score * 0.6, f"the paste states Keras {clues.keras_stated}, not Keras 3"
    if cause in _KERAS3_CAUSES and clues.python_version and not keras3_installable(
        clues.python_version
    ):
        return score * 0.6, (f"the paths show Python {clues.python_version}, which no Keras 3 "
                             "supports")
    if cause in _WHEEL_CAUSES and clues.machine and not _wheel_read_against_machine(evidence):
        # pip found no wheel, and the paste names a machine few wheels are built for
        if cause == "no-wheel-for-platform":
            return score * 1.3, None
        return score * 0.6, f"the paste names an {clues.machine} machine, which few wheels support"
    if cause == "kernel-not-restarted" and not (clues.notebook or clues.colab):
        return score * 0.5, "no notebook in the traceback"
    return score, None


def _wheel_read_against_machine(evidence: Optional[Dict[str, object]]) -> bool:
    """Whether the wheel decision already weighed the machine the paste shows: a named wheel's
    tags read against it (`platform_read`) or against the Python it shows (`python_mentioned`).
    Weighing the machine again would count one clue twice."""
    evidence = evidence or {}
    return "python_mentioned" in evidence or evidence.get("platform_read") not in (
        None, "unknown")


@lru_cache(maxsize=16)
def keras3_installable(python: str) -> bool:
    """Whether any Keras 3 release declares support for this Python (`Requires-Python` of the
    releases in the knowledge base: Keras 3 needs 3.9 or newer); True when that is unknown."""
    try:
        from keras_doctor import knowledge

        keras3 = [r for r in knowledge.load().releases("keras") if r.version.major >= 3]
    except Exception:  # no knowledge at hand: the clue says nothing
        return True
    if not keras3:
        return True
    from keras_doctor.knowledge.releases import python_allows

    return any(python_allows(r.requires_python, python) for r in keras3)


# "The version of Keras is 2.0.5.", "Keras version: 2.3.1", "keras==2.2.4" (pip freeze), a
# "Keras   2.2.0" row of `pip list`, or of pip 1-9's `pip list` ("Keras (2.0.1)", its legacy
# format, quoted in a sentence too): the reporter stating the Keras that ran. Not "keras 2.6" in
# prose ("downgrade to keras 2.6"), which names a version wanted, not the one installed.
_STATED_KERAS = lazyre.compile(
    r"(?im)(?:version of keras (?:is|=)|keras version(?: is)?\s*[:=]?)\s*v?(?P<a>\d+\.\d+\.\d+)"
    r"|^\s*[-*]?\s*keras\s*==\s*(?P<b>\d+\.\d+\.\d+)\s*$"
    r"|^\s*[-*]?\s*keras {2,}(?P<c>\d+\.\d+\.\d+)\s*$"
    r"|\bkeras \((?P<d>\d+\.\d+\.\d+)\)"
)


def stated_keras_version(text: str) -> Optional[str]:
    """The one Keras release the paste says is installed, when it states exactly one."""
    found = {m.group("a") or m.group("b") or m.group("c") or m.group("d")
             for m in _STATED_KERAS.finditer(text)}
    return found.pop() if len(found) == 1 else None


# The TensorFlow the paste says is installed: `pip freeze`'s "tensorflow==2.5.0", a `pip list` /
# `conda list` row (pip 1-9's "tensorflow (1.4.0)" too), "TensorFlow version: 2.5.0", or a
# `tensorflow-2.5.0.dist-info` folder in a path (any build of the family: -gpu, -cpu, -macos…).
# Not "tensorflow 2.5" in prose.
_STATED_TF = lazyre.compile(
    r"(?im)tensorflow(?:[-_]\w+)? version(?: is)?\s*[:=]?\s*v?(?P<a>\d+\.\d+\.\d+)"
    r"|^\s*[-*]?\s*tensorflow(?:-(?:gpu|cpu|macos|intel|aarch64))?\s*==\s*(?P<b>\d+\.\d+\.\d+)\s*$"
    r"|^\s*[-*]?\s*tensorflow(?:-(?:gpu|cpu|macos|intel|aarch64))? {2,}(?P<c>\d+\.\d+\.\d+)(?:\s|$)"
    r"|[/\\]tensorflow(?:_(?:gpu|cpu|macos|intel|aarch64))?-(?P<d>\d+\.\d+\.\d+)\.dist-info\b"
    r"|\btensorflow(?:-(?:gpu|cpu|macos|intel|aarch64))? \((?P<e>\d+\.\d+\.\d+)\)"
)


# TensorFlow's release as people write it in their own words too: "tf=1.9.0", "TF 1.9",
# "Tensorflow version: 1.13", "tensorflow-gpu 1.12" (two or three parts)
_NAMED_TF = lazyre.compile(
    r"(?i)\b(?:tensorflow|tf)(?:[-_](?:gpu|cpu))?(?:\s+version)?\s*(?:is\s*|[:=]=?\s*|v)?"
    r"(?P<version>[0-2]\.\d{1,2}(?:\.\d{1,2})?)(?![\d.]*\d)")


def named_tensorflow_versions(text: str) -> List[str]:
    """Every TensorFlow release the paste names, formally or in prose ("I use tf=1.9.0")."""
    return sorted({m.group("version") for m in _NAMED_TF.finditer(text)})


def stated_tensorflow_version(text: str) -> Optional[str]:
    """The one TensorFlow release the paste says is installed, when it states exactly one."""
    found = {m.group("a") or m.group("b") or m.group("c") or m.group("d") or m.group("e")
             for m in _STATED_TF.finditer(text)}
    return found.pop() if len(found) == 1 else None
