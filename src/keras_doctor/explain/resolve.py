"""Refine a signature match into causes using the details it extracted.

Some messages name their cause outright (`_ARRAY_API not found`); others need a second look at
what they captured: whether a SIGILL came from a macOS shell (Rosetta) or elsewhere (no AVX), which
tag of an unsupported wheel is wrong, whether a missing module is a Keras backend, a dependency or a
local file, and what happened to a missing Keras name. Each step returns (cause, weight, evidence);
an empty list drops the match (a `cannot import name` from an unrelated package, say).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Tuple

from keras_doctor.explain import lazyre, macs
from keras_doctor.explain import resolve_imports as imports
from keras_doctor.explain.context import Context, Outcome
from keras_doctor.explain.match import SignatureMatch
from keras_doctor.explain.text import site_package_of

_MACOS = lazyre.compile(
    r"illegal hardware instruction|Illegal instruction: 4|zsh: |/Users/|\.dylib|"
    r"darwin|macOS|Mac ?OS|MacBook|Apple (?:M\d|Silicon)|\bM[1-4]\b|Rosetta|/Applications/|"
    r"/opt/homebrew/|osx-(?:64|arm64)\b|\biMac\b|Mac ?mini|\b[Mm]ac\b(?! address)|\bMacOS\b|"
    # macOS strsignal appends the number ("Abort trap: 6"); the CPU under Rosetta is VirtualApple
    r"\b(?:Abort trap|Segmentation fault|Bus error|Trace/BPT trap): \d+|VirtualApple|RELEASE_ARM64|"
    # the system by its other names: `uname -s`, OS X, python.org's framework build, and the
    # releases by name from Big Sur on (the first to run on Apple Silicon; the older names are
    # Intel Macs, `macs.intel_mac_named`)
    r"\bDarwin\b|\bOS ?X\b|Python\.framework|\bMBP\b|"
    r"\b(?:Big Sur|Monterey|Ventura|Sonoma|Sequoia|Tahoe)\b"
)
# An ARM machine TensorFlow's own wheels reached late (macOS arm64 at 2.13): an Apple Silicon Mac,
# a MacBook Air or Pro (most in use are), or Linux aarch64.
_ARM_MACHINE = lazyre.compile(
    r"\bM[1-5]\b|arm64|Apple Silicon|Apple M\d|MacBook[- ](?:Air|Pro)|aarch64"
)
_THIRTY_TWO_BIT = lazyre.compile(
    r"(?i)python3?\d*-32\b|32-bit|32 bit|\bi[36]86\b|armv7l|win32\.whl"
)
# the platform tags of 32-bit builds: Raspberry Pi OS's armv7l, x86's i686, Windows' win32
_THIRTY_TWO_BIT_TAG = lazyre.compile(r"(?:_armv[67]l|_i686|\bwin32)$")
_PY_MENTION = lazyre.compile(
    r"(?i)python ?(?P<major>[23])\.(?P<minor>\d{1,2})|python(?P<m2>[23])(?P<n2>\d{1,2})\b"
)
def resolve(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    step = STEPS.get(found.signature.resolve or "")
    base: Outcome = (found.signature.cause, found.signature.weight, {})
    return step(found, ctx) if step else [base]


def _arch(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    out: List[Outcome] = [("mixed-arch-binary", found.signature.weight, {})]
    need, have = found.first("need"), found.first("have")
    if need.startswith(("x86_64", "i386")) and have.startswith("arm64"):
        out.append(("rosetta-python", 0.55, {"interpreter_arch": need}))
    return out


def _link_arch(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """Apple's linker names the architecture it builds for and the one the skipped file was built
    for. Two architectures are a library of the other one; the same architecture twice is a file
    of another platform (iOS against macOS), which no cause here covers; a file that is no Mach-O
    at all (ld64 prints its first bytes as an "unsupported file format") is a build for another
    system. Building for x86_64 against an arm64 file on a Mac is a process of the Intel side —
    an x86_64 Python building an extension under Rosetta links it against arm64 Homebrew."""
    need, have = found.first("need"), found.first("have")
    evidence: Dict[str, Any] = {"linking_for": need}
    if have:
        evidence["file_built_for"] = have
    if found.first("path"):
        evidence["path"] = found.first("path")
    if have == "unsupported":
        evidence["file_built_for"] = "no Mach-O (an unsupported file format)"
        return [("mixed-arch-binary", 0.7, evidence)]
    if have and need and have == need:
        return []
    out: List[Outcome] = [("mixed-arch-binary", found.signature.weight, evidence)]
    if need.startswith(("x86_64", "i386")) and have.startswith("arm64"):
        out.append(("rosetta-python", 0.4, {"building_for": need}))
    return out


def _conda_not_arm64(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """conda found no osx-arm64-only package: the conda that ran solves for another subdir. An
    Intel conda under Rosetta is the usual one; a conda other than the arm64 Miniforge the
    instructions install, first on PATH, is the same state reached through PATH."""
    evidence = {"package": found.first("package")}
    return [(found.signature.cause, found.signature.weight, evidence),
            ("wrong-interpreter", 0.5, evidence)]


# macOS's strsignal appends the signal's number ("Illegal instruction: 4"), glibc's does not; a
# shell reports "(core dumped)" only when the kernel wrote a core, which macOS does not by default
# (`ulimit -c` is 0 there), while Linux distributions collect them.
_MAC_SIGNAL_WORDS = lazyre.compile(
    r"\b(?:Illegal instruction|Abort trap|Segmentation fault): \d+\b"
)
_CORE_DUMPED = lazyre.compile(r"\(core dumped\)")
# Linux by name (a distribution, the kernel, a Linux path): zsh's wording is the shell's, not the
# system's, so beside these and no other word of a Mac the crash happened on Linux (a Linux
# container on a Mac included: its x86 emulation lacks AVX as a CPU without it does)
_LINUX_NAMED = lazyre.compile(r"(?i)\b(?:Ubuntu|Debian|Kali|Fedora|CentOS|Red ?Hat|RHEL|Arch Linux|"
                              r"Manjaro|openSUSE|Raspbian|Linux)\b")
_ZSH_WORDS = lazyre.compile(r"illegal hardware instruction|zsh: ")


# A Linux process emulated on another machine: QEMU's user-mode emulation reports the signal that
# killed it in its own words (linux-user/signal.c, `dump_core_and_abort`: "qemu: uncaught target
# signal %d (%s) - %s"; https://gitlab.com/qemu-project/qemu/-/blob/master/linux-user/signal.c),
# Docker Desktop's Rosetta for Linux prefixes its failures "rosetta error:", and
# `--platform linux/amd64` asks Docker for an x86-64 image on any host, and Docker warns when it
# runs one on an arm64 host unasked (moby/moby daemon/create.go: "The requested image's platform
# (%s) does not match the detected host platform (%s) and no specific platform was requested").
# On an Apple Silicon Mac such a process is Linux under an emulator that has no AVX either: no
# macOS Python to replace.
EMULATED_LINUX = lazyre.compile(
    r"\bqemu: uncaught target signal\b|^rosetta error: |--platform[= ]linux/(?:amd64|x86_64)\b|"
    r"requested image's platform \(linux/(?:amd64|x86_64)\) does not match the detected host "
    r"platform \(linux/arm64",
    re.MULTILINE)
# A report that says the program ran in a container, with no emulator line: on a Mac, Docker
# Desktop runs Linux; an x86-64 image there is emulated as above, an arm64 one never meets an
# AVX instruction at all. Weaker than the emulator's own words: Rosetta stays the runner-up.
_IN_A_CONTAINER = lazyre.compile(r"(?i)\bdocker\b|\bcontainers?\b|\bpodman\b")


def _on_a_mac(ctx: Context) -> bool:
    """Whether the crash happened on a Mac. What the interpreter and the kernel say decides
    before the words around them: the interpreter's banner names its platform ("on linux"), the
    signal's wording is macOS's or Linux's, and only then do the paths and the shell count —
    zsh prints "illegal hardware instruction" on Linux as on a Mac."""
    from keras_doctor.explain.clues import banner_platform

    stated = banner_platform(ctx.text)
    if stated:
        return stated == "macos"
    if _MAC_SIGNAL_WORDS.search(ctx.text):
        return True
    apple_silicon = bool(macs.APPLE_SILICON_MAC.search(ctx.text))
    platform = ctx.clues.platform
    if not apple_silicon and (platform in ("linux", "windows") or _CORE_DUMPED.search(ctx.text)):
        return False
    beyond_the_shell = bool(_MACOS.search(_ZSH_WORDS.sub("", ctx.text))) or platform == "macos"
    if not apple_silicon and not beyond_the_shell and _LINUX_NAMED.search(ctx.text):
        return False
    return bool(_MACOS.search(ctx.text)) or platform == "macos"


def _sigill(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """A Mac that meets an instruction it cannot run is, nearly always, an Apple Silicon Mac
    running an Intel Python under Rosetta (every Intel Mac since 2011 has AVX; Rosetta does not
    translate it): the paths or the prompt say Mac, and those of an Intel Python make it surer."""
    scale = found.signature.weight / 0.8  # a dead kernel is weaker evidence than a SIGILL
    # an emulator's own report puts the crash in Linux before any word of the Mac counts
    emulated = EMULATED_LINUX.search(ctx.text)
    if not emulated and _on_a_mac(ctx):
        evidence: Dict[str, Any] = {"shell_says": found.excerpt}
        intel = macs.intel_mac_named(ctx.text)
        if intel:
            evidence["intel_mac"] = intel
            return [("cpu-lacks-avx", 0.8 * scale, evidence), ("rosetta-python", 0.35 * scale, {})]
        x86 = macs.X86_PYTHON.search(ctx.text)
        if x86 and not macs.ARM64_PYTHON_SHOWN.search(ctx.text):
            evidence["intel_python"] = x86.group(0)
            return [("rosetta-python", 0.9 * scale, evidence), ("cpu-lacks-avx", 0.35 * scale, {})]
        container = _IN_A_CONTAINER.search(ctx.text)
        if container:
            return [("cpu-lacks-avx", 0.8 * scale, {"container_says": container.group(0)}),
                    ("rosetta-python", 0.45 * scale, evidence)]
        return [("rosetta-python", 0.8 * scale, evidence), ("cpu-lacks-avx", 0.45 * scale, {})]
    if emulated:
        return [("cpu-lacks-avx", min(0.95, 0.82 * scale), {"emulator_says": emulated.group(0)})]
    return [("cpu-lacks-avx", min(0.95, 0.82 * scale), {})]


def _metal(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """A plugin that misses a TensorFlow symbol was built for another TensorFlow; one that misses a
    macOS framework symbol and says it was built for a newer macOS needs that macOS."""
    symbol, built_for = found.first("symbol"), found.first("built_for")
    tf_symbol = symbol.startswith(("_TF_", "__ZN10tensorflow", "@rpath/_pywrap"))
    if built_for and not tf_symbol:
        evidence = {"built_for": built_for, "symbol": symbol}
        return [("macos-too-old", 0.85, evidence), ("metal-plugin-mismatch", 0.4, {})]
    return [("metal-plugin-mismatch", found.signature.weight, {})]


# tensorflow-metal by its names (the distribution, its library, the words people use for it)
# dyld naming a framework symbol of a newer macOS than the one running the plugin
# (dyld 2's and dyld 4's words: see _built_for_newer_macos)
_BUILT_FOR_NEWER_MACOS = lazyre.compile(r"\(which was built for Mac OS X [\d.]+\)|"
                                        r"built for macOS [\d.]+ which is newer than running OS")
_METAL_PLUGIN = lazyre.compile(r"(?i)tensorflow[-_]metal|libmetal_plugin|\bmetal\b")


def _plugin_load(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """An error raised while TensorFlow loads site-packages/tensorflow-plugins/ is a device
    plugin built against another TensorFlow: tensorflow-metal on a Mac (or where the paste names
    it), another pluggable device elsewhere (an extension built against another TensorFlow)."""
    if _BUILT_FOR_NEWER_MACOS.search(ctx.text) and not re.search(r"\b_TF_\w+", ctx.text):
        return []  # dyld says why the plugin failed to load: a newer macOS (`_metal` reads it)
    library = found.first("library")
    evidence: Dict[str, Any] = {"loading": "site-packages/tensorflow-plugins"}
    if library:
        evidence["library"] = library
    platform = ctx.clues.platform
    weight = found.signature.weight
    if _METAL_PLUGIN.search(library or ctx.text):
        return [("metal-plugin-mismatch", weight, evidence)]
    if platform == "macos":  # tensorflow-metal is the plugin Macs have, not the only one
        return [("metal-plugin-mismatch", weight, evidence),
                ("extension-built-against-another-tensorflow", 0.3, evidence)]
    if platform:
        return [("extension-built-against-another-tensorflow", weight, evidence)]
    # no system shown: tensorflow-metal is the plugin most installs have, the others follow
    return [("metal-plugin-mismatch", 0.6, evidence),
            ("extension-built-against-another-tensorflow", 0.5, evidence)]


def _built_for_newer_macos(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """dyld names the macOS a binary was built for only when it is newer than the running one
    (dyld 2's "(which was built for Mac OS X 12.0)", dyld 4's "(built for macOS 13.0 which is
    newer than running OS)"): that macOS is too old, whichever symbol or library was missing. A
    missing TensorFlow symbol also says the binary was built for another TensorFlow: then the
    OS is one cause of two, and the plugin's own signature weighs the other."""
    symbol, built_for = found.first("symbol"), found.first("built_for")
    evidence = {"built_for": built_for, "symbol": symbol} if symbol else {"built_for": built_for}
    if symbol.startswith(("_TF_", "__ZN10tensorflow", "@rpath/_pywrap")):
        return [("macos-too-old", 0.5, evidence)]
    return [("macos-too-old", found.signature.weight, evidence)]


_NUMPY_2 = lazyre.compile(
    r"compiled using NumPy 1\.x|_ARRAY_API not found|removed in the NumPy 2\.0|"
    r"Unable to convert function return value|Cannot convert a symbolic Tensor"
)


# What only a NumPy C extension built against another NumPy prints (the ABI banner, the C-API
# numbers, the failed import of the core module): with none of it in the paste, a removed alias is
# Python code older than its numpy, not a binary.
_NUMPY_ABI_WORDS = lazyre.compile(
    r"compiled using NumPy 1\.x|_ARRAY_API not found|failed to import|compiled against (?:ABI|API)"
    r"|size changed, may indicate binary incompatibility|Unable to convert function return value"
)


def _numpy(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """Which side is newer decides the fix: NumPy 2 under a NumPy-1 build, or a numpy too old.

    `np.float_ was removed in the NumPy 2.0 release` is numpy's own module `__getattr__` refusing
    an alias old Python code still uses: the dependency is newer than the code (the fix is the
    same side, numpy<2, but no binary is at fault) unless the paste also shows the ABI banner."""
    alias = found.first("removed_alias")
    if alias and not _NUMPY_ABI_WORDS.search(ctx.text):
        from keras_doctor.explain.resolve_imports import numpy_alias_removed

        return numpy_alias_removed(alias, "NumPy 2.0")
    version = found.first("numpy_version") or _version_in(ctx.text)
    evidence: Dict[str, Any]
    if _NUMPY_2.search(ctx.text) or version.startswith("2"):
        evidence = {"numpy_is_newer": True}
    elif version.startswith("1"):
        evidence = {"numpy_is_newer": False}
    else:
        evidence = {}  # the text does not say which side is newer: claim neither
    if version:
        evidence["numpy_version"] = version
    if "symbolic Tensor" in found.excerpt:
        # numpy 1.20 changed Python-level behaviour that TensorFlow <= 2.4's own code relies on
        # (its setup.py pins numpy~=1.19.2): a dependency newer than the code, no binary at fault
        evidence["numpy_1_20_under_tf_2_4"] = True
        return [("dependency-too-new", found.signature.weight, evidence),
                ("numpy-abi-mismatch", 0.4, {})]
    return [("numpy-abi-mismatch", found.signature.weight, evidence)]


_NUMPY_VERSION = lazyre.compile(r"\bnum[pP]y[ =v]+(\d+\.\d+(?:\.\d+)?)", re.IGNORECASE)


def _version_in(text: str) -> str:
    """A numpy version the text names ("NumPy 2.1.3", "numpy==1.26.4"), or ''."""
    match = _NUMPY_VERSION.search(text)
    return match.group(1) if match else ""


def _uv_tags(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    evidence = {k: found.first(k) for k in ("package", "python", "requires_python", "mismatch")}
    # every tag uv named as the one no wheel matched, in the order the signature read them: the
    # interpreter's (a Python ABI, implementation or version tag) or the machine's
    tags = found.groups.get("mismatch", [])
    interpreter = any(tag.startswith("Python") for tag in tags)
    machine = any(not tag.startswith("Python") for tag in tags)
    if interpreter and machine:
        # older releases lack this Python's wheels, newer ones this machine's: both hold
        return [("no-wheel-for-python", 0.75, evidence), ("no-wheel-for-platform", 0.7, evidence)]
    if machine:
        return [("no-wheel-for-platform", 0.85, evidence)]
    if found.first("ignored") and not (found.first("package") or found.first("mismatch")):
        # pip's list of every version the run skipped for its Python, whichever project it
        # was (`wheels.python_skip_counts`): it counts only for the requirement that failed
        from keras_doctor.explain import wheels

        counts = wheels.python_skip_counts(ctx.text)
        if counts is False:
            return []  # another project's versions: pip's other lines say why this one failed
        if counts is None:
            return [("no-wheel-for-python", 0.6, evidence)]
    return [("no-wheel-for-python", found.signature.weight, evidence)]


_APPLICATION_WEIGHTS = lazyre.compile(
    r"\.keras[/\\]models|keras[/\\](?:src[/\\])?applications|keras_applications|"
    r"Downloading data from|weights='imagenet'|_weights_tf_dim_ordering"
)


# A file the user names: `load_model("model.h5")`, `load_weights(path)`, `h5py.File("x.hdf5")`
_USER_FILE = lazyre.compile(
    r"""(?:load_model|load_weights|h5py\.File|File)\(\s*(?:filepath\s*=\s*)?(?:r?["'][^"'\n]*|"""
    r"""[A-Za-z_][\w.]*(?:path|file|name|weights|model)\w*)""",
    re.IGNORECASE,
)


def _h5_file(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    return [(cause, weight, {}) for cause, weight in
            hdf5_file_causes(found.excerpt, ctx.text, found.signature.weight)]


def hdf5_file_causes(message: str, text: str, weight: float) -> List[Tuple[str, float]]:
    """A bad HDF5 file in Keras's download cache is the cache's; one the user names by path is a
    download (or clone) that went wrong; `file signature not found` is also a file of another
    format given to the HDF5 loader. `message` is HDF5's line, `weight` what a cached file's
    hash mismatch weighs; the paste's other lines say where the file lives."""
    cached = bool(_APPLICATION_WEIGHTS.search(text))
    users = not cached and bool(_USER_FILE.search(text))
    if cached and "signature not found" in message:
        return [("weights-cache-corrupt", 0.75)]
    if cached or "hash does not match" in message:
        return [("weights-cache-corrupt", weight)]
    if "signature not found" in message:
        return [("downloaded-weights-file-corrupt", 0.75 if users else 0.6),
                ("model-format-incompatible", 0.45), ("weights-cache-corrupt", 0.3)]
    if users:  # truncated, and the user gave the path
        return [("downloaded-weights-file-corrupt", 0.8), ("weights-cache-corrupt", 0.4)]
    return [("weights-cache-corrupt", 0.7), ("downloaded-weights-file-corrupt", 0.55),
            ("model-format-incompatible", 0.25)]


# TF-Hub keeps each module it downloads in `<cache>/<sha1 of the handle>/`, the cache being
# TFHUB_CACHE_DIR or, unset, `<the system's temp folder>/tfhub_modules`, and counts a module folder
# with anything left in it as downloaded (tensorflow_hub/resolver.py, `tfhub_cache_dir` and
# `atomic_download`'s `check_module_exists`: `Exists(module_dir) and ListDirectory(module_dir)`:
# https://github.com/tensorflow/hub/blob/0aa83c19da8431a92d66aeec7a24b55b34c14197/tensorflow_hub/resolver.py).
# A temp-folder cleaner that deletes old files but leaves their folders, or a download cut short,
# leaves a module folder TF-Hub never fetches again and TensorFlow's loader finds no
# saved_model.pb in: the cache, not the model's format.
_HUB_MODULE_DIR = lazyre.compile(r"^\s*(?P<dir>.*?tfhub_modules[/\\][0-9a-f]{40})")


def _savedmodel_folder(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """A SavedModel folder without its saved_model.pb: inside TF-Hub's module cache, an
    incomplete cached download; elsewhere, what the signature says."""
    # every line that says it: a traceback may show the loader's own `raise` line first
    for path in found.groups.get("path", []):
        hub = _HUB_MODULE_DIR.search(path)
        if hub is not None:
            return [("weights-cache-corrupt", 0.8, {"hub_module_dir": hub.group("dir")}),
                    (found.signature.cause, 0.3, {})]
    return [(found.signature.cause, found.signature.weight, {})]


def _no_wheel(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    evidence = {"requirement": found.first("requirement")}
    if re.match(r"tensorflow[-_](?:macos|metal)", evidence["requirement"], re.IGNORECASE):
        intel = macs.intel_mac_named(ctx.text)
        if intel:  # no Rosetta on an Intel Mac
            evidence["intel_mac"] = intel
            return [("no-wheel-for-platform", 0.75, evidence),
                    ("no-wheel-for-python", 0.35, evidence)]
        if _MACOS.search(ctx.text):  # Apple's wheels are arm64 (metal > 1.0): an Intel Python
            return [("rosetta-python", 0.6, evidence), ("no-wheel-for-platform", 0.55, evidence)]
        return [("no-wheel-for-platform", 0.75, evidence), ("no-wheel-for-python", 0.35, evidence)]
    if re.match(r"tensorflow(?:[-_](?:cpu|gpu))?(?:[=<>~!]|$)", evidence["requirement"]) and (
        _ARM_MACHINE.search(ctx.text)
    ):  # TensorFlow shipped no macOS arm64 wheels before 2.13 (Apple's tensorflow-macos did)
        return [("no-wheel-for-platform", 0.8, evidence), ("no-wheel-for-python", 0.45, evidence)]
    if "is not a supported wheel" in ctx.text:  # the wheel's own tags say more: see _wheel_tags
        return [("no-wheel-for-python", 0.3, evidence), ("no-wheel-for-platform", 0.3, evidence)]
    from keras_doctor.explain import wheels

    if (_THIRTY_TWO_BIT.search(ctx.text) or _ARM_BOARD.search(ctx.text)
            or wheels.ANDROID.search(ctx.text)):
        return [("no-wheel-for-platform", 0.7, evidence), ("no-wheel-for-python", 0.4, evidence)]
    return [("no-wheel-for-python", 0.7, evidence), ("no-wheel-for-platform", 0.3, evidence)]


# A single-board ARM computer, few wheels are built for: named, or the index Raspberry Pi OS
# configures for pip (piwheels.org, in pip's "Looking in indexes: …")
_ARM_BOARD = lazyre.compile(r"(?i)piwheels\.org|Raspberry ?Pi|\bJetson\b")


def _wheel_tags(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    wheel = found.first("wheel")
    evidence: Dict[str, Any] = {"wheel": wheel}
    wheel_pythons = set()
    try:
        _, _, _, tags = parse_wheel_filename(wheel)
        wheel_pythons = {t.interpreter for t in tags}
        evidence["wheel_tags"] = sorted(str(t) for t in tags)
    except InvalidWheelFilename:
        pass
    mentioned = set()
    for m in _PY_MENTION.finditer(ctx.text):
        major, minor = m.group("major") or m.group("m2"), m.group("minor") or m.group("n2")
        mentioned.add(f"cp{major}{minor}")
    from keras_doctor.explain import wheels

    # the Python the paste shows outside wheel names (a path, a prompt, "my mac is cp39"): a
    # wheel's own name tells its tags, not the interpreter's
    outside_wheel_names = wheels.without_wheel_names(ctx.text)
    shown = wheels.read_python(outside_wheel_names)
    if shown:
        mentioned.add("cp" + shown.replace(".", ""))
    if not wheel:
        return _unnamed_wheel(evidence, mentioned)
    if _THIRTY_TWO_BIT.search(outside_wheel_names) and not any(
            _THIRTY_TWO_BIT_TAG.search(tag) for tag in evidence.get("wheel_tags", ())):
        # a 32-bit interpreter takes no 64-bit wheel; a 32-bit wheel (armv7l, i686, win32) it
        # takes by platform, so its Python tag is what pip refused
        return [("no-wheel-for-platform", 0.8, evidence)]
    arm64_mac = any("macosx" in t and "arm64" in t for t in evidence.get("wheel_tags", ()))
    if (
        mentioned
        and wheel_pythons
        and not (mentioned & wheel_pythons)
        and not any(p.startswith("py") for p in wheel_pythons)
    ):
        # pip matches the Python tag whatever the pip or the machine: another Python refuses it
        evidence["python_mentioned"] = sorted(mentioned)
        return [("no-wheel-for-python", 0.8, evidence),
                ("rosetta-python" if arm64_mac else "no-wheel-for-platform", 0.3, evidence)]
    older_mac = wheels.mac_older_than_wheel(outside_wheel_names, evidence.get("wheel_tags", ()))
    if older_mac:
        # a wheel for a newer macOS than the Mac the paste shows: pip refuses the platform tag
        evidence.update(older_mac)
        return [("macos-too-old", 0.85, evidence), ("no-wheel-for-platform", 0.35, evidence)]
    too_old = _pip_older_than_tags(ctx.text, evidence.get("wheel_tags", ()))
    if too_old:
        # pip skips a tag it does not know (knowledge/pip_tags.json): before 20.3 it refuses
        # macosx_11_0_arm64 on a native arm64 Python too
        evidence.update(too_old)
        return [("pip-too-old-for-platform-tags", 0.9, evidence),
                ("rosetta-python" if arm64_mac else "no-wheel-for-platform", 0.4, evidence)]
    if wheels.pip_in_a_container_build(ctx.text) and not any(
            "linux" in str(t).split("-")[-1] for t in evidence.get("wheel_tags", ())):
        # pip in a Docker build runs on Linux, whatever the host: a macOS or Windows wheel has
        # no tag it accepts there (a Mac's arm64 wheel too, on an Apple Silicon host)
        evidence["platform_read"] = "linux (a container build)"
        return [("no-wheel-for-platform", 0.85, evidence),
                ("rosetta-python" if arm64_mac else "no-wheel-for-python", 0.3, evidence)]
    if arm64_mac:
        # pip on a Mac refusing an arm64 wheel: the interpreter is not arm64 (Intel, under Rosetta)
        return [("rosetta-python", 0.75, evidence), ("no-wheel-for-platform", 0.5, evidence)]
    fits = _machine_fits_wheel(ctx.text, evidence.get("wheel_tags", ()))
    if fits is not None and not mentioned and wheel_pythons and not any(
            p.startswith("py") for p in wheel_pythons):
        evidence["platform_read"] = fits[1]
        if fits[0]:
            # pip refuses a wheel when no tag fits: the machine the paste shows takes its
            # platform tag, so the Python tag it was refused by is the interpreter's (a 32-bit
            # build the paste does not show stays the runner-up)
            return [("no-wheel-for-python", 0.7, evidence),
                    ("no-wheel-for-platform", 0.4, evidence)]
        return [("no-wheel-for-platform", 0.75, evidence), ("no-wheel-for-python", 0.35, evidence)]
    return [("no-wheel-for-platform", 0.6, evidence), ("no-wheel-for-python", 0.4, evidence)]


def _unnamed_wheel(evidence: Dict[str, Any], mentioned: set) -> List[Outcome]:
    """pip's refusal retold without the file ("the 'not a supported wheel on this platform'
    message"): no tag to read. Two Pythons named around it are the wheel's and the
    interpreter's; otherwise the Python tag, which refuses a wheel more often than the platform
    does, leads by a little."""
    del evidence["wheel"]
    if len(mentioned) >= 2:
        evidence["python_mentioned"] = sorted(mentioned)
        return [("no-wheel-for-python", 0.7, evidence), ("no-wheel-for-platform", 0.4, evidence)]
    return [("no-wheel-for-python", 0.55, evidence), ("no-wheel-for-platform", 0.5, evidence)]


def _machine_fits_wheel(text: str, tags: Any) -> Optional[Tuple[bool, str]]:
    """(whether every platform the paste shows takes one of the wheel's platform tags, those
    platforms), read the way the wheel decision reads them; None when the paste shows no
    platform or some platforms it may be from take the wheel and some do not."""
    from keras_doctor.explain import wheels
    from keras_doctor.knowledge.releases import tag_platforms

    shown = wheels.read_machine(wheels.without_wheel_names(text))
    taken: set = set()
    for tag in tags:
        taken |= tag_platforms(str(tag).split("-")[-1])
    if not taken or len(shown) == len(wheels.PLATFORMS):
        return None
    fitting = [p for p in shown if p in taken]
    if fitting and len(fitting) < len(shown):
        return None
    return bool(fitting), ", ".join(shown)


def _pip_older_than_tags(text: str, tags: Any) -> Dict[str, str]:
    """{pip_shown, needs_pip} when the pip the paste shows (`pip -V`, its upgrade notice) is older
    than the first pip that knows any platform tag of the wheel, else {}."""
    from packaging.version import InvalidVersion, Version

    from keras_doctor.explain import wheels

    shown = wheels.pip_version_shown(text)
    if not shown or not tags:
        return {}
    needed = min(Version(wheels.first_pip_for_tags(tag)) for tag in tags)
    try:
        if Version(shown) < needed:
            return {"pip_shown": shown, "needs_pip": str(needed)}
    except InvalidVersion:
        pass
    return {}


# Windows error 1114, ERROR_DLL_INIT_FAILED ("A dynamic link library (DLL) initialization routine
# failed."), as Windows words it in each display language (FormatMessage; Microsoft's System
# Error Codes 1000-1299 page): a library's start-up code failed, which for TensorFlow's is nearly
# always a CPU without the AVX it was built for (Traditional Chinese as Sinotrade/Shioaji#124
# pastes it). The numbered "[WinError 1114]" is not translated
_DLL_INIT_FAILED = lazyre.compile(
    r"initialization routine failed|WinError 1114\b|DLL-Initialisierungsroutine"
    r"|routine d'initialisation d'une biblioth|rutina de inicializaci[oó]n de biblioteca"
    r"|rotina de inicializa[cç][aã]o da biblioteca|initialisatieroutine van de dynamic link"
    r"|программе инициализации библиотеки|初始化例程失败|初始化例行程序失敗"
    r"|初期化ルーチンの実行に失敗",
    re.IGNORECASE)


def _dll_load(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """Windows's reason decides (the signature's `reason` group is already the evidence); when
    Python put it on the next line, the text around it does."""
    reason = found.first("reason")
    if _DLL_INIT_FAILED.search(reason) or (not reason and _DLL_INIT_FAILED.search(ctx.text)):
        return [("cpu-lacks-avx", 0.6, {}), ("msvc-runtime-missing", 0.5, {})]
    return [("msvc-runtime-missing", found.signature.weight, {})]


def _glibc(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """GLIBCXX is libstdc++ (a newer one can sit beside the system's, in conda); GLIBC is the OS."""
    version = found.first("symbol_version")
    evidence = {"needs": version, "path": found.first("path")}
    return [("glibc-too-old", found.signature.weight, evidence)]


def _pip_conflict(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """The package whose declared range is violated names the cause, as `check` decides it."""
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    from keras_doctor.checks.distributions import conflict_cause

    requirer, required = found.last("requirer"), found.last("required")
    if not (requirer and required):
        return [("requirement-conflict", 0.7, {"conflicting": found.first("conflicting")})]
    try:
        have: Optional[Version] = Version(found.last("have"))
    except InvalidVersion:
        have = None
    evidence: Dict[str, Any] = {
        "requirer": f"{requirer} {found.last('requirer_version')}".strip(),
        "requirement": f"{required}{found.last('specifier').strip()}",
        "installed": f"{found.last('have_name')} {found.last('have')}",
    }
    cause = conflict_cause(canonicalize_name(requirer), canonicalize_name(required), have)
    if have is not None:
        evidence["installed_is_newer"] = _above_range(have, found.last("specifier"))
        if cause == "numpy-abi-mismatch":
            evidence["numpy_is_newer"] = evidence["installed_is_newer"]
    if cause == "numpy-abi-mismatch" and _same_numpy_abi_newer(have, found.last("specifier")) \
            and not _NUMPY_ABI_WORDS.search(ctx.text):
        # NumPy 1.x is ABI backward compatible: an extension built against an older 1.x runs on
        # a newer 1.x; only 2.0 broke the ABI, and an older numpy lacks the newer C-API. A numpy
        # above the range on the same side of 2.0 breaks no binary: pip's line (printed after
        # it installed anyway) is a declared range, and what a newer 1.x can break is Python
        # code using what it removed (np.object in 1.24), a dependency too new for the code.
        evidence["same_numpy_abi"] = True
        return [("requirement-conflict", 0.82, evidence), ("dependency-too-new", 0.45, evidence)]
    if cause == "numpy-abi-mismatch" and have is not None and not _NUMPY_ABI_WORDS.search(
            ctx.text) and _below_range(have, found.last("specifier")):
        # a numpy older than the range: an extension built against the newer C-API would fail
        # at import, but nothing in the paste imported it; what it shows is the range violated
        evidence["numpy_is_older"] = True
        return [("requirement-conflict", 0.82, evidence), ("numpy-abi-mismatch", 0.5, evidence)]
    if cause not in ("requirement-conflict", "numpy-abi-mismatch") and not (
            ctx.frames or ctx.clues.exception_type):
        # pip's line alone, with nothing that raised: what the paste shows is the range pip
        # found violated (after installing anyway), not yet the failure it may bring. NumPy 2
        # under a NumPy 1 range is the one that certainly fails: no extension built against
        # NumPy 1 loads under NumPy 2 (numpy.org/doc/stable/dev/depending_on_numpy.html)
        evidence["nothing_raised"] = True
        return [("requirement-conflict", 0.82, evidence), (cause, 0.5, evidence)]
    out: List[Outcome] = [(cause, 0.82, evidence)]
    if cause != "requirement-conflict":
        out.append(("requirement-conflict", 0.5, evidence))
    return out


def _merged_specifier(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """pip-tools' "Could not find a version that matches X<merged specifier>": the specifier is
    every dependent's range at once; one that no version can satisfy (an `==` pin outside
    another range, a lower bound above an upper one) is dependents in conflict, whatever the
    index holds."""
    from packaging.requirements import InvalidRequirement, Requirement

    text = found.first("requirement")
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return [("requirement-conflict", 0.5, {"requirement": text})]
    evidence: Dict[str, Any] = {"requirement": text}
    if _self_contradictory(requirement.specifier):
        evidence["no_version_satisfies_every_range"] = str(requirement.specifier)
        return [("requirement-conflict", 0.9, evidence)]
    return [("requirement-conflict", 0.6, evidence), ("no-wheel-for-python", 0.35, evidence)]


def _self_contradictory(specifier: Any) -> bool:
    """No version at all can satisfy the specifier (packaging's own containment test on the
    versions it names, and its bounds)."""
    from packaging.version import InvalidVersion, Version

    items = list(specifier)
    pins = [i.version for i in items if i.operator in ("==", "===") and "*" not in i.version]
    if pins:
        return not any(specifier.contains(v, prereleases=True) for v in pins)
    try:
        lows = [(Version(i.version), i.operator == ">") for i in items
                if i.operator in (">", ">=", "~=")]
        highs = [(Version(i.version), i.operator == "<") for i in items
                 if i.operator in ("<", "<=")]
    except InvalidVersion:
        return False
    if not (lows and highs):
        return False
    low, low_strict = max(lows)
    high, high_strict = min(highs, key=lambda h: (h[0], not h[1]))
    return low > high or (low == high and (low_strict or high_strict))


# The distributions whose import-time check prints "This version of <name> requires TensorFlow
# version >= …" (each package's _ensure_tf_install), by the name it prints
_ADDON_DISTRIBUTIONS = {"TensorFlow Probability": "tensorflow-probability",
                        "TF Agents": "tf-agents", "TensorFlow Addons": "tensorflow-addons",
                        "TensorFlow Datasets": "tensorflow-datasets", "TF-GAN": "tensorflow-gan"}


def _addon_tf_minimum(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """An add-on's own check refused the TensorFlow installed as older than it needs: the range
    it declares, named for the fix."""
    package, required = found.first("package").strip(), found.first("required")
    evidence = {"requirement": f"tensorflow>={required}",
                "requirer": _ADDON_DISTRIBUTIONS.get(package, package),
                "installed": f"tensorflow {found.first('present')}", "requirer_is_newer": True}
    return [("requirement-conflict", found.signature.weight, evidence)]


def _library_minimum(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """A library's own check refused an installed dependency: the requirement it states, the
    release installed, and the library (the check names it, else the frames that ran it)."""
    package = found.first("package")
    evidence = {"requirement": f"{package}>={found.first('required')}"}
    if found.first("present"):
        evidence["installed"] = f"{package} {found.first('present')}"
    requirer = found.first("requirer").strip() or ctx.library()
    if requirer:
        evidence["requirer"] = requirer
    if re.search(rf"(?i)\b{re.escape(package)} is not installed", ctx.text):
        # the same check, reached with no release of it at all (scikeras: "TensorFlow is not
        # installed. SciKeras requires TensorFlow >= 2.4.0.")
        return [("missing-dependency", found.signature.weight, evidence),
                ("requirement-conflict", 0.4, evidence)]
    return [("requirement-conflict", found.signature.weight, evidence)]


def _same_numpy_abi_newer(have: Any, specifier: str) -> bool:
    """The installed numpy is above the declared range, and both are NumPy 1.x (numpy's own
    rule, https://numpy.org/doc/stable/dev/depending_on_numpy.html: binaries built against an
    older 1.x run on a newer 1.x; 2.0 broke the ABI)."""
    return have is not None and have.major == 1 and _above_range(have, specifier)


def _bounds(specifier: str) -> List[Tuple[str, Any]]:
    """(operator, version) of each clause of a requirement's specifier, in a fixed order; a clause
    whose version is no single version (a wildcard pin, `==1.24.*`) and an unreadable specifier
    give none."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        spec = SpecifierSet(specifier.strip())
    except InvalidSpecifier:
        return []
    out = []
    for item in sorted(spec, key=str):
        try:
            out.append((item.operator, Version(item.version)))
        except InvalidVersion:
            continue
    return out


def _below_range(have: Any, specifier: str) -> bool:
    """Whether `have` is older than a lower bound of the specifier (`>=`, `>`, `~=`, `==`)."""
    return any(have < bound or (operator == ">" and have == bound)
               for operator, bound in _bounds(specifier)
               if operator in (">=", ">", "~=", "=="))


def _above_range(have: Any, specifier: str) -> bool:
    uppers = [bound for operator, bound in _bounds(specifier)
              if operator in ("<", "<=") or (operator == "~=" and len(bound.release) > 1)]
    return bool(uppers) and all(have >= upper for upper in uppers)


_STDLIB_DIRS = lazyre.compile(
    r"[/\\](?:lib|Lib)[/\\]python\d?\.?\d*[/\\](?!site-packages|dist-packages)"
    r"|[/\\]Lib[/\\](?!site-packages)"
)


def _circular(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """A local file named like the module (in the frames or the message) is the usual culprit."""
    module = found.last("module")
    top = module.split(".")[0]
    candidates = [found.last("path"), *ctx.frames]
    for path in candidates:
        if not path or site_package_of(path) or _STDLIB_DIRS.search(path):
            continue
        base = re.split(r"[/\\]", path.rstrip("/\\"))
        name = base[-1][:-3] if base[-1].endswith(".py") else base[-1]
        if name == "__init__" and len(base) > 1:
            name = base[-2]
        if name == top:
            return [("shadowed-module", 0.92, {"module": top, "path": path})]
    # no local file of that name in sight: a package's own modules disagree, or a file named like
    # one of its dependencies hides it
    local = [p for p in ctx.frames if p and not site_package_of(p) and not _STDLIB_DIRS.search(p)]
    evidence: Dict[str, Any] = {"module": top}
    if local:
        evidence["local_files"] = local[-3:]
    if top in ("keras", "tensorflow", "tf_keras"):
        overlap = "keras-distributions-overlap" if top == "keras" else "tf-distributions-overlap"
        return [("shadowed-module", 0.55, evidence), (overlap, 0.4, evidence),
                ("keras-tf-version-skew", 0.3, evidence)]
    return [("shadowed-module", 0.6, evidence)]


def _stdlib_shadow(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """A file of the user's named like a standard-library module (CPython's own list,
    `sys.stdlib_module_names`), reached through an import from an installed package, or named in
    the text as the script's name: the package imported the user's file instead."""
    import sys

    stdlib = set(getattr(sys, "stdlib_module_names", ()))
    named = [n for n in found.groups.get("named", ()) if n in stdlib]
    if named:
        return [("shadowed-module", 0.7, {"module": named[-1], "path": f"{named[-1]}.py"})]
    seen_package = False
    script_folder = _folder(ctx.frames[0]) if ctx.frames else ""
    for path in ctx.frames:
        if site_package_of(path):
            seen_package = True
            continue
        base = re.split(r"[/\\]", path)[-1]
        module = base[:-3] if base.endswith(".py") else ""
        # only a top-level module shadows: one in the script's own folder (sys.path[0])
        if (seen_package and module in stdlib and module not in ("__init__", "__main__")
                and not _STDLIB_DIRS.search(path) and _folder(path) == script_folder):
            return [("shadowed-module", found.signature.weight,
                     {"module": module, "path": path})]
    return []


def _folder(path: str) -> str:
    return re.split(r"[/\\][^/\\]*$", path)[0] if re.search(r"[/\\]", path) else ""


def _protobuf_fatal(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """On a Mac, the other native library in the process is usually the Metal plugin, unless
    the paste shows a Mac, a Python or a TensorFlow no tensorflow-metal release was made for:
    then the plugin cannot be in the process, and the second protobuf is another package's."""
    if _MACOS.search(ctx.text) or "libc++abi" in ctx.text or "metal" in ctx.text.lower():
        ruled_out = metal_plugin_ruled_out(ctx.text, ctx.python_version)
        if ruled_out:
            return [("protobuf-mismatch", found.signature.weight, ruled_out)]
        return [("metal-plugin-mismatch", 0.75, {}), ("protobuf-mismatch", 0.4, {})]
    return [("protobuf-mismatch", found.signature.weight, {})]


def metal_plugin_ruled_out(text: str, python: str) -> Dict[str, Any]:
    """Why tensorflow-metal cannot be installed where the paste ran ({} when nothing says so),
    read from its release table (metal.json, from PyPI): no wheel of any release installs on the
    macOS the paste states (the oldest are tagged `macosx_11_0`), none is built for its Python,
    or the TensorFlow it states predates the first release Apple's table pairs with a plugin
    (2.5, June 2021)."""
    from packaging.version import InvalidVersion, Version

    from keras_doctor import knowledge
    from keras_doctor.explain.clues import stated_tensorflow_version
    from keras_doctor.explain.wheels import macos_version_shown, oldest_macos

    data = knowledge.load().file("metal.json")
    releases = data["releases"].values()
    macos = macos_version_shown(text)
    if macos is not None:
        from packaging.tags import mac_platforms

        tags = {tag for release in releases for tag in release["platforms"]}
        if not any(tags.intersection(mac_platforms(macos, arch)) for arch in ("arm64", "x86_64")):
            return {"macos": ".".join(map(str, macos)),
                    "metal_wheels_need": "macOS " + oldest_macos(tags)}
    pythons = {tag for release in releases for tag in release["pythons"]}
    if python and "cp" + python.replace(".", "") not in pythons:
        return {"python": python, "metal_wheels_for": sorted(pythons, key=lambda t: (len(t), t))}
    tf = stated_tensorflow_version(text)
    first = min((Version(m) for row in data["apple_table"] for m in row["tensorflow_minors"]),
                default=None)
    try:
        if tf and first is not None and Version(tf) < first:
            return {"tensorflow": tf, "first_tensorflow_with_metal": str(first)}
    except InvalidVersion:
        pass
    return {}


_CUDA_LIBRARY = lazyre.compile(
    r"lib(?:cuda|cudart|cudnn|cublas|cublasLt|cufft|curand|cusolver|cusparse|nccl|nvinfer|"
    r"nvrtc|cupti|nvJitLink)\b"
)


def _native_library(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """The loader names the library it could not find: a CUDA library, an OpenMP runtime or a
    system library is not installed (or not on the search path). TensorFlow's own
    libtensorflow_framework missing is a broken or half-removed TensorFlow instead."""
    library = found.first("library")
    evidence: Dict[str, Any] = {"library": library}
    if found.first("reason"):
        evidence["reason"] = found.first("reason")
    if _CUDA_LIBRARY.search(library):
        evidence["gpu_library"] = True
    if _HDF5_LIBRARY.search(library):
        # h5py (PyTables, netCDF4, OpenCV) links the soname of the HDF5 it was built against
        # (libhdf5.so.103, libhdf5.103.dylib); another HDF5 release installed has another one
        return [("hdf5-library-mismatch", 0.8, evidence),
                ("native-runtime-library-missing", 0.55, evidence)]
    if found.first("binding"):
        # a .NET binding's P/Invoke: the native TensorFlow library is a package of its own
        # (SciSharp.TensorFlow.Redist) or a download beside the program; on Windows the library
        # may be there while a dependency of it (the Visual C++ runtime) is not, and an "Any CPU"
        # or 32-bit process cannot load a 64-bit library at all
        evidence["binding"] = ".NET"
        if _NO_AVX.search(ctx.text):
            # the library was there and began to run: TensorFlow's build needs AVX (Windows
            # names the fault STATUS_ILLEGAL_INSTRUCTION, 0xC000001D)
            return [("cpu-lacks-avx", found.signature.weight, evidence),
                    ("native-runtime-library-missing", 0.45, evidence)]
        out: List[Outcome] = [("native-runtime-library-missing", found.signature.weight,
                               evidence)]
        if _WINDOWS_LOAD.search(ctx.text):
            out.append(("msvc-runtime-missing", 0.45, evidence))
        if _DOTNET_32_BIT.search(ctx.text):
            out.append(("mixed-arch-binary", 0.4, evidence))
        return out
    if "tensorflow_framework" in library or "_pywrap_tensorflow" in library:
        referrer = _REFERENCED_FROM.search(ctx.text)
        if referrer and not site_package_of(referrer.group(1)):
            # a program of the user's own links TensorFlow's C/C++ library: no Python package
            # is half-installed, the library is not where the program looks
            evidence["referenced_from"] = referrer.group(1)
            return [("native-runtime-library-missing", found.signature.weight, evidence)]
        return [("native-runtime-library-missing", 0.45, evidence),
                ("tf-distributions-overlap", 0.4, {})]
    return [("native-runtime-library-missing", found.signature.weight, evidence)]


_NO_AVX = lazyre.compile(r"(?i)illegal instruction|0xC000001D|\bAVX\b")
# (not ".dll": a .NET assembly is one on every system)
_WINDOWS_LOAD = lazyre.compile(r"(?i)0x8007007E|\bWindows\b|\b[A-Z]:\\|\w\\\w")
_DOTNET_32_BIT = lazyre.compile(r"(?i)\bAny ?CPU\b|\bx86\b(?![-_]64)|\b32[- ]?bit\b|BadImageFormat")
_REFERENCED_FROM = lazyre.compile(r"Referenced from: <?[\w-]*>? ?'?([^\s'\n]{1,300})")


_HDF5_LIBRARY = lazyre.compile(
    r"(?i)\blibhdf5(?:_serial|_hl|_cpp|_openmpi|_mpich)*[.\d]*\.(?:so|dylib)|\bhdf5(?:_hl)?\.dll"
)
_TF_CORE = lazyre.compile(r"^(?:tensorflow|tensorflow_core|tf_keras|keras)$")


def _tf_extension(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """An op library of an add-on (tensorflow_text, tensorflow_addons, tensorflow_io, a custom op)
    built for another TensorFlow; TensorFlow's own library missing its own symbols is two
    TensorFlow builds mixed in one folder."""
    library, symbol = found.first("library"), found.first("symbol")
    package = site_package_of(library)
    evidence: Dict[str, Any] = {"library": library, "symbol": symbol}
    if package:
        evidence["package"] = package
    if package and _TF_CORE.match(package):
        return [("tf-distributions-overlap", 0.55, evidence),
                ("extension-built-against-another-tensorflow", 0.45, evidence)]
    return [("extension-built-against-another-tensorflow", found.signature.weight, evidence)]


_WINDOWS_MAX_PATH = 260


def _long_path(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """pip adds its Long Path hint only when the file name passes 260 characters; a report that
    lacks the hint (older pip) is judged by the same length, counted as Windows counts it (a
    repr doubles each backslash)."""
    if "WinError 206" in found.excerpt:
        return [("windows-long-path-limit", 0.85, {})]
    path = found.first("path").replace("\\\\", "\\")
    evidence: Dict[str, Any] = {"path_length": len(path)}
    if len(path) >= _WINDOWS_MAX_PATH - 20:  # reports often cut the path short
        return [("windows-long-path-limit", 0.85, evidence)]
    if re.search(r"(?i)site-packages\\tensorflow\w*\\include|\\Local\\Packages\\PythonSoftware",
                 path):
        return [("windows-long-path-limit", 0.7, evidence)]
    return [("windows-long-path-limit", 0.4, evidence)]


# A nightly distribution named in the paste: keras-nightly writes the same `keras/` folder as
# keras, and tf-nightly depends on keras-nightly (https://pypi.org/project/keras-nightly/)
_NIGHTLY_KERAS = lazyre.compile(r"(?i)\b(?:keras|tf)[-_]nightly\b")


def _metric_registered_twice(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """TensorFlow's monitoring registry refuses a second metric of one name, and two copies of
    Keras in one process register the same `/tensorflow/api/keras/…` metrics. Two mechanisms load
    two copies: a standalone keras of another minor than TensorFlow's (keras 2.7 under
    TensorFlow 2.6), or two distributions writing one `keras/` folder, whose files then come from
    two releases (keras with keras-nightly, which TensorFlow 2.5 itself requires). What the
    paste states decides between them: a nightly named, a TensorFlow whose own requirements (the
    release table) install keras-nightly, or a TensorFlow and a keras of the same minor (no skew
    left to explain it) say overlap; a keras of another minor than the stated TensorFlow says
    skew. Without any of it the skew, the commoner of the two, leads."""
    from keras_doctor.explain.clues import stated_keras_version, stated_tensorflow_version

    evidence: Dict[str, Any] = {}
    tf, keras = stated_tensorflow_version(ctx.text), stated_keras_version(ctx.text)
    if tf:
        evidence["tensorflow_version"] = tf
    if keras:
        evidence["keras_version"] = keras
    overlap_shown = ""
    nightly = _NIGHTLY_KERAS.search(ctx.text)
    if nightly:
        overlap_shown = f"the paste names {nightly.group(0)}"
    elif tf and (requirement := _tf_requires_keras_nightly(tf)):
        overlap_shown = f"tensorflow {tf} requires {requirement} (its release metadata)"
    pair = _stated_pair_skewed(tf, keras)
    if pair is False and not overlap_shown:
        overlap_shown = f"keras {keras} is the Keras of tensorflow {tf}"
    if overlap_shown:
        evidence["overlap_shown_by"] = overlap_shown
        return [("keras-distributions-overlap", 0.85, evidence),
                ("keras-tf-version-skew", 0.4, evidence)]
    if pair:
        evidence["decided_by"] = "TensorFlow minor = Keras minor (Keras 2.6-2.15)"
        return [("keras-tf-version-skew", 0.92, evidence),
                ("keras-distributions-overlap", 0.3, evidence)]
    return [("keras-tf-version-skew", found.signature.weight, evidence),
            ("keras-distributions-overlap", 0.4, evidence)]


def _tf_requires_keras_nightly(version: str) -> str:
    """The keras-nightly requirement the TensorFlow release declares (2.5 does), or ''."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        from keras_doctor import knowledge

        release = knowledge.load().release("tensorflow", version)
    except Exception:  # no release table at hand: the table says nothing
        return ""
    for wheel in release.wheels if release else ():
        for line in wheel.requires_dist:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.name.lower() == "keras-nightly":
                return f"keras-nightly{requirement.specifier}"
    return ""


def _stated_pair_skewed(tf: Optional[str], keras: Optional[str]) -> Optional[bool]:
    """Whether the stated TensorFlow 2.6-2.15 and keras 2.x are of different minors (each
    standalone Keras 2 is built for one TensorFlow minor); None when the paste does not state
    such a pair."""
    from packaging.version import InvalidVersion, Version

    from keras_doctor.knowledge import compat_rules

    if not (tf and keras):
        return None
    try:
        tf_version, keras_version = Version(tf), Version(keras)
    except InvalidVersion:
        return None
    split = Version(compat_rules.FIRST_SPLIT_KERAS_TF)
    if not (split <= tf_version < Version(compat_rules.FIRST_KERAS3_TF)) or (
            keras_version.major != 2):
        return None
    return keras_version.release[:2] != tf_version.release[:2]


def _op_not_registered(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """An op no loaded library registered: an add-on's (read from its wheels) means that add-on
    is not installed, or not imported before the model was loaded. An op no add-on read
    registers is TensorFlow's own from a newer release than the one loading the graph, or an
    add-on's the table lacks: the first leads, the second follows."""
    from keras_doctor.explain import custom_ops

    op = found.first("op")
    owner = custom_ops.registered_by(op)
    if owner is None:
        return [("model-format-incompatible", 0.5, {"op": op}),
                ("missing-dependency", 0.35, {"op": op})]
    evidence = {"op": op, "module": owner["module"], "distribution": owner["distribution"],
                "registered_by": f"{owner['distribution']} {owner['releases']} (read)",
                "source": custom_ops.source()}
    return [("missing-dependency", 0.9, evidence), ("model-format-incompatible", 0.2, evidence)]


STEPS: Dict[str, Callable[[SignatureMatch, Context], List[Outcome]]] = {
    "metric-registered-twice": _metric_registered_twice,
    "protobuf-fatal": _protobuf_fatal,
    "stdlib-shadow": _stdlib_shadow,
    "glibc": _glibc,
    "pip-conflict": _pip_conflict,
    "merged-specifier": _merged_specifier,
    "addon-tf-minimum": _addon_tf_minimum,
    "library-minimum": _library_minimum,
    "circular": _circular,
    "arch": _arch,
    "link-arch": _link_arch,
    "conda-not-arm64": _conda_not_arm64,
    "sigill": _sigill,
    "plugin-load": _plugin_load,
    "no-wheel": _no_wheel,
    "wheel-tags": _wheel_tags,
    "dll-load": _dll_load,
    "missing-module": imports.missing_module,
    "optional-package": imports.optional_package,
    "import-name": imports.import_name,
    "module-attribute": imports.module_attribute,
    "import-statement": imports.import_statement,
    "shadow-file": imports.shadow_file,
    "uv-tags": _uv_tags,
    "metal": _metal,
    "built-for-newer-macos": _built_for_newer_macos,
    "numpy": _numpy,
    "h5-file": _h5_file,
    "savedmodel-folder": _savedmodel_folder,
    "native-library": _native_library,
    "tf-extension": _tf_extension,
    "long-path": _long_path,
    "op-not-registered": _op_not_registered,
}
