"""No wheel for this Python, or for this platform? The release tables decide, not a guess.

pip says the same thing for both ("Could not find a version that satisfies the requirement
tensorflow (from versions: none)"). What tells them apart is in the paste and in the index: the
Python the paths or the prompt show (`lib/python3.13/`, `Python 3.8.17`), the machine (an Apple
Silicon Mac, Windows, 32-bit), the versions pip did offer (`from versions: 2.13.0rc0, …, 2.13.0`
is exactly what an arm64 Mac gets of tensorflow), and the release table of the requirement
(`knowledge/data/releases/<project>.json`, generated from the index): which wheels the requested
releases publish. If no requested release has a wheel for the platform, the platform is the cause;
if the platform has wheels but none for this Python, the Python is. The tables cover the projects
installed beside TensorFlow whose wheels reached Apple Silicon late (tensorflow-addons,
tensorflow-io, …), since "(from versions: none)" for them on an M1 is the platform just as often.
A TensorFlow release the paste shows installed dates it and, with no Python shown, tells the
Pythons its interpreter can be (those its wheels for the machine install on). Read directly (the
knowledge package costs more to import than an explanation), only for the project a paste names,
only when a wheel is missing.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from keras_doctor.explain import datafiles, lazyre, macs

RELEASES = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "releases"
PLATFORMS = ("macos-arm64", "macos-x86_64", "linux-x86_64", "linux-aarch64", "windows-amd64",
             "windows-32")
PYTHONS = tuple(f"3.{minor}" for minor in range(5, 15))
# Pythons weighed only when the paste shows them: TensorFlow 2.2+ ships no wheel for them, and an
# unknown Python is far more often a new one than these.
OLD_PYTHONS = ("2.7", "3.4")
_REQUIREMENT = lazyre.compile(
    r"(?:satisfies the requirement|No matching distribution found for) "
    r"(?P<requirement>[A-Za-z0-9][\w.\-\[\]]*(?:\s*[=<>!~]=?\s*[\w.*]+(?:,\s*[=<>!~]=?\s*[\w.*]+)*)?)"
    # a dependency's requirement names the distribution that declared it, "tensorflow (from
    # magenta)" (pip's resolvelib/factory.py, _report_single_requirement_conflict: req_disp), or
    # the requirements file and line it came from, "(from -r requirements.txt (line 10))"
    r"(?: \(from (?!versions:)(?:[^()\n]|\([^()\n]*\))*\))?"
    r"(?: \(from versions: (?P<offered>[^)\n]*)\))?"
)
# Where a paste shows a Python's version, each form with the kind of witness it is. Three say which
# interpreter ran or installed: pip's `--version` line names the Python it belongs to ("pip 23.0
# from …/site-packages/pip (python 3.8)": pip/_internal/utils/misc.py, get_pip_version),
# CPython's banner ("Python 3.10.12 (main, …)") the one that runs, and an interpreter's folders
# carry theirs (lib/python3.10/, Windows' Python310\ and, from python.org's 32-bit installer,
# Python310-32\). The others state it.
_PYTHON_FORMS: Tuple[Tuple[str, str], ...] = (
    ("pip", r"\bpip \d[\w.]* from \S+ \(python {v}\)"),
    ("banner", r"(?m:^)Python {v}\.\d+\S* \("),
    ("folder", r"[/\\]python{v}[/\\]"),
    ("folder", r"[/\\]Python{mm}(?:-32)?[/\\]"),
    ("named", r"\bPython ?{v}(?:\.\d+)?\b"),
    ("named", r"\bpython{v}\b"),
    ("named", r"\bpy(?:thon)?@?{v}\b"),
    ("tag", r"\bcp{mm}\b"),
    # issue templates ("Python version: 3.8.5", "### Python version\n\n3.9"), prose ("my python
    # version is 3.9.2"), uv's "Using CPython 3.13.0", the Microsoft Store's
    # "PythonSoftwareFoundation.Python.3.12_…" folder
    ("stated", r"\bPython version\b(?: is)?[:\s#*`]{{0,12}}{v}\b"),
    ("stated", r"CPython ?{v}\b"),
    ("stated", r"\bPython\.{v}_"),
    # "python: 3.12.0" in a report's environment list, conda's "python=3.8"
    ("stated", r"\bpython ?[:=]=? ?{v}\b"),
    # pyenv's and python.org's installs keep the version in the folder
    # (~/.pyenv/versions/3.10.4/, Python.framework/Versions/3.9/), the Windows launcher takes it
    # as an option (`py -3.10 -m pip`)
    ("folder", r"[/\\]\.pyenv[/\\]versions[/\\]{v}\b"),
    ("folder", r"Python\.framework[/\\]Versions[/\\]{v}\b"),
    ("stated", r"(?<![\w-])py -{v}\b"),
)
_PYTHON = lazyre.compile("(?i)" + "|".join(
    form.format(v=rf"(?P<major{i}>[23])\.(?P<minor{i}>\d{{1,2}})",
                mm=rf"(?P<major{i}>[23])(?P<minor{i}>\d{{1,2}})")
    for i, (_, form) in enumerate(_PYTHON_FORMS)))
# the witnesses of the interpreter itself (its pip, its banner, its folders)
INTERPRETER_WITNESSES = ("pip", "banner", "folder")


def python_mentions(text: str) -> List[Tuple[str, str]]:
    """(kind, "X.Y") for each Python version the text shows, in order: the one reader of a
    paste's Pythons (`_PYTHON_FORMS` names the kinds)."""
    out = []
    for match in _PYTHON.finditer(text):
        for i, (kind, _) in enumerate(_PYTHON_FORMS):
            major = match.group(f"major{i}")
            if major:
                out.append((kind, f"{major}.{match.group(f'minor{i}')}"))
                break
    return out


# How a Mac is named in a paste, in any case: the system ("macOS 14", "mac os", "OS X", "osx",
# CPython's platform.platform() "macOS-14.4-arm64-arm-64bit"), the machine (a MacBook, "my mac",
# Apple's chips M1-M5 with their Pro/Max/Ultra names), its releases by name, a Mac's paths (not
# Windows' C:/Users/, as a traceback prints it for a script started with forward slashes)
_MAC = lazyre.compile(r"(?<![A-Za-z]:)/Users/|/opt/homebrew/|Python\.framework|"
                      r"(?i:(?<![-\w])mac ?os(?: ?x)?(?!\w)(?!-[A-Za-z]))|"
                      r"(?i:(?<![-\w])mac(?![-\w])(?! ?address))|(?i:\bmacbook|\bimac\b|\bosx\b)|"
                      r"\bMBP\b|\bM[1-5]\b|(?i:\bm[1-5] ?(?:pro|max|ultra|chip)\b)|\b[Dd]arwin\b|"
                      r"(?<![-\w])OS ?X\b|(?i:apple silicon)|"
                      r"Big Sur|Monterey|Ventura|Sonoma|Sequoia|Catalina|\bmacosx_")
_WINDOWS = lazyre.compile(r"[A-Za-z]:\\|[A-Za-z]:/Users/|\\AppData\\|\bWindows\b|\bwin_amd64\b|"
                          r"\bwin32\b|PS [A-Z]:\\|"
                          r"\bcmd\.exe\b|\\Scripts\\pip|(?i:\bwindows ?(?:7|8|8\.1|10|11)\b)|"
                          # pip's upgrade notice names the interpreter as Windows runs it
                          r"\bpython\.exe -m pip\b|\bpip(?:3(?:\.\d+)?)?\.exe\b|"
                          # the Python launcher for Windows (PEP 397): `py -3.10 -m pip`
                          r"(?<![\w-])py -[23]\.\d{1,2}\b")
_LINUX = lazyre.compile(r"(?i)/home/|\bUbuntu\b|\bDebian\b|\bLinux\b|/usr/lib/python3|manylinux|"
                        r"\bCentOS\b|\bFedora\b|/content/|piwheels\.org|\bWSL2?\b|"
                        # Google Colab's runtimes are Linux x86_64 VMs; pip there also looks in
                        # Colab's own index ("https://us-python.pkg.dev/colab-wheels/public/simple/")
                        r"\bcolab(?:oratory)?\b|colab-wheels|"
                        # boards that run Linux (Raspberry Pi OS, NVIDIA's JetPack) named alone
                        r"Raspberry ?Pi|\bJetson\b")
# piwheels.org: the index Raspberry Pi OS configures for pip (its /etc/pip.conf), which pip
# names in "Looking in indexes: https://pypi.org/simple, https://www.piwheels.org/simple"
_LINUX_ARM = lazyre.compile(
    r"(?i)\baarch64\b|\barmv[78]l?\b|Raspberry|Jetson|\barm64\b|piwheels\.org"
)
# Android, where pip installs for the phone, not for the machine it runs on: Chaquopy's Gradle
# plugin (its coordinates `com.chaquo.python`, its "Chaquopy:" build lines) runs pip on the build
# machine for the app's Android ABIs, from Chaquopy's own repository of native packages beside PyPI
# (Chaquopy's docs, product/runtime/docs/sphinx/android.rst, "Requirements": "a large selection of
# packages with native components ... browse the repository"); Termux runs it on the phone
# (its prefix /data/data/com.termux/files/usr); PEP 738 names Android's wheel tags
# android_<api>_<abi>. PyPI's release tables hold no Android wheel of the TensorFlow stack; they
# do not hold Chaquopy's repository either, so for a Chaquopy build they decide nothing.
CHAQUOPY = lazyre.compile(r"(?i)\bchaquopy\b|\bcom\.chaquo\.python\b")
ANDROID = lazyre.compile(CHAQUOPY.pattern + r"|/data/data/com\.termux/|"
                         r"\btermux\b|\bandroid_\d+_(?:arm64_v8a|armeabi_v7a|x86_64|x86)\b",
                         re.IGNORECASE)
_THIRTY_TWO_BIT = lazyre.compile(
    # not `on win32` nor `'win32'`: CPython's banner and sys.platform say win32 on every Windows,
    # 64-bit too (its banner's compiler says "[MSC v.1928 64 bit (AMD64)]" there)
    r"(?i)\b32[- ]?bit\b|(?<!on )(?<!['\"])\bwin-?32\b(?!['\"])|python3?\d*-32\b|-3\.\d+-32\b|"
    # not an Intel Mac's platform.platform(), "macOS-10.16-x86_64-i386-64bit": its processor
    # field says i386 on every Intel Mac (CPython Lib/platform.py, uname().processor)
    r"\bi[36]86\b(?!-64bit)|\barmv7l\b"
)


@cache
def _document(project: str) -> Optional[Dict[str, Any]]:
    """The project's release table as generated, read once; None without one."""
    try:
        return dict(json.loads((RELEASES / f"{project}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


@cache
def sdists(project: str) -> Dict[str, str]:
    """version → Requires-Python ('' for none) of the releases that publish a source archive.
    pip lists such a release in "from versions: …" on every machine whose Python it allows,
    wheel or not (tensorflow-gpu 2.12.0 is a source archive alone)."""
    data = _document(project) or {}
    return {version: str(record.get("requires_python") or "")
            for version, record in data.get("releases", {}).items() if record.get("sdist")}


@cache
def table(project: str) -> Optional[Dict[str, Tuple[List[str], str]]]:
    """version → (wheel tags, upload date) of the project's release table; None without one."""
    data = _document(project)
    if data is None:
        return None
    return {version: (list(record.get("wheels", ())), str(record.get("uploaded") or ""))
            for version, record in data.get("releases", {}).items()}


def _tag_pythons(interpreter: str, abi: str) -> FrozenSet[str]:
    match = re.fullmatch(r"(?:cp|py)([23])(\d*)", interpreter)
    if not match:
        return frozenset()
    major = match.group(1)
    known = [p for p in OLD_PYTHONS + PYTHONS if p.startswith(f"{major}.")]
    if not match.group(2):
        return frozenset(known)
    minor = int(match.group(2))
    if abi == "abi3" or interpreter.startswith("py"):
        return frozenset(p for p in known if int(p.split(".")[1]) >= minor)
    return frozenset({f"{major}.{minor}"})


def wheel_pairs(tags: List[str]) -> Set[Tuple[str, str]]:
    """(platform, python) pairs the wheels of one release install on."""
    from keras_doctor.knowledge.releases import tag_platforms

    pairs: Set[Tuple[str, str]] = set()
    for tag in tags:
        parts = tag.split("-")
        if len(parts) != 3:
            continue
        for interpreter in parts[0].split("."):
            for platform_tag in parts[2].split("."):
                for platform in tag_platforms(platform_tag):
                    for python in _tag_pythons(interpreter, parts[1]):
                        pairs.add((platform, python))
    return pairs


def read_machine(text: str, machine: str = "", platform: str = "") -> List[str]:
    """The platforms the paste can be from, most specific first; every platform when unknown.
    `machine` is what the paste (or the examined environment) shows: "arm64", "32-bit", or an
    Intel Mac's "x86_64" and an ARM Linux's "aarch64". The wheels pip chose say it first."""
    chosen = chosen_wheels(text)[1]
    if chosen:
        return chosen
    text = _CHOSEN_WHEEL.sub(" ", text)
    if ANDROID.search(text):
        # before the host's paths and Pythons a Chaquopy build shows: pip installs for the phone
        return ["android"]
    if _THIRTY_TWO_BIT.search(text) or machine == "32-bit":
        return ["windows-32"] if _WINDOWS.search(text) or platform == "windows" else ["other"]
    if _DOCKER_BUILD.search(text):
        # pip ran in the image, Linux, on the host's architecture unless the build says which
        if _LINUX_ARM.search(text) or macs.ARM64_PYTHON.search(text):
            return ["linux-aarch64"]
        if _X86_64.search(text):
            return ["linux-x86_64"]
        return ["linux-x86_64", "linux-aarch64"]
    if _MAC.search(text) or platform == "macos":
        if macs.ARM64_PYTHON.search(text) or machine == "arm64":
            return ["macos-arm64"]
        if macs.INTEL_NAMED.search(text) or machine == "x86_64":
            return ["macos-x86_64"]
        shown = macos_version_shown(text)
        if shown is not None and shown < (11, 0):
            # Apple Silicon Macs run macOS 11 and later only; a 10.x release (10.16 included,
            # what an interpreter built with an older SDK is told on 11+) is an Intel Python
            return ["macos-x86_64"]
        return ["macos-arm64", "macos-x86_64"]
    if _WINDOWS.search(text) or platform == "windows":
        return ["windows-amd64"]
    if _LINUX.search(text) or platform == "linux":
        return (["linux-aarch64"] if _LINUX_ARM.search(text) or machine == "aarch64"
                else ["linux-x86_64"])
    # no system named, but the machine as the system itself spells it: macOS's `uname -m` and
    # `platform.machine()` say arm64, Linux's say aarch64 (Windows on ARM: ARM64)
    if _BARE_ARM64.search(text):
        return ["macos-arm64"]
    if _BARE_AARCH64.search(text):
        return ["linux-aarch64"]
    return list(PLATFORMS)


# A Docker build's log: BuildKit's plain progress prints a step's output as "#<step> <seconds>
# <line>" (moby/buildkit util/progress/progressui/printer.go, textMux: `fmt.Fprintf(p.w, "#%d
# %s\n", v.index, ev)`, each event carrying its elapsed seconds). A build runs Linux, for the
# host's architecture unless `--platform` asks for another under emulation (containers share the
# host's kernel: docs.docker.com/build/building/multi-platform/): on an Apple Silicon Mac that is
# linux/arm64, so a build that shows no architecture is either Linux.
_DOCKER_BUILD = lazyre.compile(r"(?m)^#\d+ \d+\.\d+ ")
# A Dockerfile's instruction running pip ("RUN pip install …", "RUN python3 -m pip install …"):
# its output is the image's, Linux (docs.docker.com/reference/dockerfile/#run runs the command in
# a new layer of the image, on the image's own system)
_RUN_PIP = lazyre.compile(
    r"(?m)^[ \t]*RUN[ \t]+(?:python3?(?:\.\d+)?[ \t]+-m[ \t]+)?pip3?[ \t]+install\b")


def pip_in_a_container_build(text: str) -> bool:
    """Whether the paste shows pip running in a Docker build: a Dockerfile's `RUN pip install`
    or BuildKit's progress lines."""
    return bool(_RUN_PIP.search(text) or _DOCKER_BUILD.search(text))


_X86_64 = lazyre.compile(r"(?i)(?<![A-Za-z0-9])x86_64\b|\bamd64\b")
_BARE_ARM64 = lazyre.compile(r"(?<![\w-])arm64\b")
_BARE_AARCH64 = lazyre.compile(r"(?<![\w-])aarch64\b")


def read_python(text: str, shown: str = "") -> Optional[str]:
    chosen = chosen_wheels(text)[0]
    if chosen in OLD_PYTHONS + PYTHONS:
        return chosen
    for _, version in reversed(python_mentions(_CHOSEN_WHEEL.sub(" ", text))):
        if version in OLD_PYTHONS + PYTHONS:
            return version
    return shown if shown in OLD_PYTHONS + PYTHONS else None


# CPython feature releases (PEP 569, 596, 619, 664, 693, 719, 745 and their predecessors): a
# paste written before a Python existed cannot come from it.
PYTHON_RELEASED = {"2.7": "2010-07-03", "3.4": "2014-03-16", "3.5": "2015-09-13",
                   "3.6": "2016-12-23", "3.7": "2018-06-27", "3.8": "2019-10-14",
                   "3.9": "2020-10-05", "3.10": "2021-10-04", "3.11": "2022-10-24",
                   "3.12": "2023-10-02", "3.13": "2024-10-07", "3.14": "2025-10-07"}
HORIZON_DAYS = 365  # a report is taken to be written within a year of the newest release it names
# macOS releases by name and number (Apple's newsroom announcements of each release): a paste
# naming one was written after it came out
MACOS_RELEASED = {"big sur": "2020-11-12", "monterey": "2021-10-25", "ventura": "2022-10-24",
                  "sonoma": "2023-09-26", "sequoia": "2024-09-16", "tahoe": "2025-09-15"}
# the releases by name and version; those from 11 on are named by their major number alone
MACOS_NAMES = {"el capitan": (10, 11), "sierra": (10, 12), "high sierra": (10, 13),
               "mojave": (10, 14), "catalina": (10, 15), "big sur": (11, 0), "monterey": (12, 0),
               "ventura": (13, 0), "sonoma": (14, 0), "sequoia": (15, 0), "tahoe": (26, 0)}
MACOS_NUMBERS = {str(major): name for name, (major, _) in MACOS_NAMES.items() if major >= 11}
_MACOS_NAMED = lazyre.compile(r"(?i)\b(big sur|monterey|ventura|sonoma|sequoia|tahoe)\b|"
                              r"\bmac ?OS (?:version )?(11|12|13|14|15|26)(?:\.\d+)*\b")


# pip words an empty search `(from versions: none)` from 19.1 on (`_EMPTY_OFFER` below), released
# 2019-04-23 (pip's NEWS.rst, "19.1 (2019-04-23)"): a paste with that wording was written after it
_NONE_OFFERED = lazyre.compile(r"\(from versions: none\)")
NONE_OFFERED_SINCE = "2019-04-23"


def written_after(python: Optional[str], text: str) -> str:
    """The earliest date the paste can have been written: the release of the Python it shows,
    of the newest macOS it names, and of the first pip that words an empty search as it does;
    '' when it shows none of them."""
    bounds = [PYTHON_RELEASED.get(python or "", "")]
    if _NONE_OFFERED.search(text):
        bounds.append(NONE_OFFERED_SINCE)
    for match in _MACOS_NAMED.finditer(text):
        name = (match.group(1) or MACOS_NUMBERS[match.group(2)]).lower()
        bounds.append(MACOS_RELEASED[name])
    return max(bounds)


MAINSTREAM = ("macos-arm64", "macos-x86_64", "linux-x86_64", "windows-amd64")
APPLE_SILICON_SINCE = "2020-11-17"  # the first M1 Macs shipped (Apple, 10 November 2020 event)
# Pythons no Apple Silicon Mac runs natively: CPython's first arm64 macOS builds are 3.9.1 and
# 3.8.10 (universal2 installers; bpo-41100), and conda-forge's osx-arm64 Pythons start at 3.8. A
# paste that shows an Apple Silicon Mac and no Python is weighed over the Pythons it can have (a
# paste whose machine is unknown keeps the plain prior over every platform and Python).
BEFORE_APPLE_SILICON = ("3.5", "3.6", "3.7")
_WHEEL_FILE = lazyre.compile(r"\S+\.whl\b")
# The wheels pip chose for this interpreter: it downloads (or takes from its cache, or reads the
# metadata of) only a wheel whose tags the interpreter supports (pip/_internal/network/
# download.py "Downloading %s", operations/prepare.py "Using cached %s", "Obtaining dependency
# information for %s from %s"); pip before 20 logged the whole URL
_CHOSEN_WHEEL = lazyre.compile(
    r"(?m)^[ \t]*(?:Downloading|Using cached|Obtaining dependency information for \S+ from)"
    r"[ \t]+(?:\S*/)?(?P<wheel>[\w.+!-]+\.whl)\b"
)


def without_wheel_names(text: str) -> str:
    """The paste with the names of wheels pip did not choose blanked: a wheel named in an error
    (or a command) tells its own tags, not the machine's; one pip downloaded tells the machine's."""
    kept = [m.span("wheel") for m in _CHOSEN_WHEEL.finditer(text)]
    # a chosen wheel's name is the end of the file name (or of the URL pip < 20 logged) read here
    return _WHEEL_FILE.sub(lambda m: m.group(0) if any(
        m.start() <= start and end <= m.end() for start, end in kept) else " ", text)


def chosen_wheels(text: str) -> Tuple[Optional[str], List[str]]:
    """(the Python, the platforms) the wheels pip chose for this interpreter show: a cpXY wheel
    of ABI cpXY is that Python; a platform tag is that machine (`any` and abi3 tell nothing of
    their own)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    from keras_doctor.knowledge.releases import tag_platforms

    pythons: Set[str] = set()
    platforms: Optional[FrozenSet[str]] = None
    for match in _CHOSEN_WHEEL.finditer(text):
        try:
            tags = parse_wheel_filename(match.group("wheel"))[3]
        except InvalidWheelFilename:
            continue
        exact = {f"{t.interpreter[2]}.{t.interpreter[3:]}" for t in tags
                 if re.fullmatch(r"cp[23]\d+", t.interpreter) and t.abi.startswith(t.interpreter)}
        if len(exact) == 1:
            pythons |= exact
        fits = frozenset().union(*(tag_platforms(t.platform) for t in tags))
        if fits and len(fits) < len(PLATFORMS):
            platforms = fits if platforms is None else (platforms & fits or platforms)
    python = next(iter(pythons)) if len(pythons) == 1 else None
    return python, [p for p in PLATFORMS if platforms and p in platforms]


def decide(text: str, python_shown: str = "", machine: str = "", platform: str = ""
           ) -> Optional[Tuple[str, float, Dict[str, Any]]]:
    """(cause, probability, evidence) for the wheel pip could not find.

    The candidates are the (platform, Python) pairs the paste can come from: the platform and the
    Python it shows, else every mainstream one; with `from versions: …` listing releases, the pairs
    for which exactly those releases had a wheel. Pairs for which a requested release has a wheel
    are ruled out (pip would have found it), and with `from versions: none` so are those for which
    any release had one. Among the rest, the share whose platform has no wheel of the requested
    releases is the probability of `no-wheel-for-platform`. The index is read as it was when the
    paste was written, at every upload date in turn (each date counting alike): from the newest
    release it names to a year later, or, when it names none, all of them; with only the Pythons
    and Macs that existed then. None when the paste names no requirement with a release table,
    shows neither platform nor Python nor pip's list of versions, even an empty one (unless the
    project ships for only some platforms), or nothing is left. A platform the requested releases
    no longer serve (`_served_platforms`) is missing for the platform."""

    if _WHEEL_FILE.search(_CHOSEN_WHEEL.sub("", text)):  # a named wheel's own tags decide
        return None
    if CHAQUOPY.search(text):  # pip read Chaquopy's repository, which no table here describes
        return None
    asked = _requested(text)
    if asked is None:
        return None
    matches, requirement, project, releases = asked
    listed = next((m.group("offered") for m in matches if m.group("offered") is not None), None)
    offered = _offered(listed)
    about_machine = without_wheel_names(text)  # a wheel's name tells its own tags, not the machine
    platforms = read_machine(about_machine, machine, platform)
    if len(platforms) == len(PLATFORMS):
        # a project that publishes wheels for macOS alone (Apple's tensorflow-macos and
        # tensorflow-metal) is asked for by Macs: with no machine shown, the Macs are the
        # candidates
        shipped = {plat for tags, _ in releases.values() for plat, _ in _pairs(tags)}
        if shipped and all(plat.startswith("macos") for plat in shipped):
            platforms = sorted(shipped)
    python = read_python(about_machine, python_shown)
    if python in BEFORE_APPLE_SILICON and set(platforms) == {"macos-arm64", "macos-x86_64"}:
        # a Mac, either one: no arm64 build of this Python exists, so on Apple Silicon it runs as
        # an x86_64 one under Rosetta and pip wants the Intel Mac's wheels
        platforms = ["macos-x86_64"]
    # a TensorFlow shown installed, when TensorFlow is not what pip was asked for (its pin in a
    # requirements file reads like `pip freeze`'s)
    installed = (installed_tensorflow(about_machine, platforms)
                 if python is None and not _TENSORFLOW_ITSELF.fullmatch(project) else None)
    shown = len(platforms) < len(PLATFORMS) or python is not None or listed is not None
    named = _newest_named(releases, requirement, offered)
    cutoff = _year_after(named)
    shipped_for = {p for tags, uploaded in releases.values() if not cutoff or uploaded <= cutoff
                   for p, _ in _pairs(tags)}
    if not shown and shipped_for >= set(MAINSTREAM):
        return None  # nothing in the paste to weigh: the usual prior stands
    since = written_after(python, about_machine)
    pythons: List[Optional[str]] = [python]
    if installed:  # nor the TensorFlow it shows installed, whose wheels tell the Pythons it can be
        since = max(since, installed[0])
        pythons = list(installed[1])
    uploads = sorted({u for _, u in releases.values() if u})
    # from the newest release the paste names to a year later, each upload alike
    dates = [named] + [u for u in uploads if named < u <= cutoff] if cutoff else uploads
    if since:  # the paste cannot predate the Python or the macOS it shows
        dates = [d for d in dates if d >= since] or [max(cutoff, since) if cutoff else since]
        if installed and not cutoff and dates[0] != since:
            dates.insert(0, since)  # the index as it was when that TensorFlow came out
    votes = {"no-wheel-for-platform": 0.0, "no-wheel-for-python": 0.0}
    wanted: List[str] = []
    failing: Set[Tuple[str, str]] = set()
    for date in dates:
        counted = dict.fromkeys(votes, 0)
        wanted_then: List[str] = []
        failing_then: Set[Tuple[str, str]] = set()
        for one in pythons:
            counted_one, wanted_one, failing_one = _votes(
                releases, date, requirement, platforms, one, offered,
                listed is not None and not offered, sdists(project))
            for cause in counted:
                counted[cause] += counted_one[cause]
            wanted_then = wanted_one or wanted_then
            failing_then |= failing_one
        counted_total = sum(counted.values())
        if counted_total:
            wanted = wanted_then or wanted
            failing |= failing_then
            for cause in votes:
                votes[cause] += counted[cause] / counted_total
    total = sum(votes.values())
    if not total:
        return _windows_32_bit(releases, requirement, platforms, python, cutoff, project)
    cause = max(votes, key=lambda k: votes[k])
    evidence: Dict[str, Any] = {
        "requirement": str(requirement),
        "platform_read": _only({p for p, _ in failing}),
        "python_read": _only({py for _, py in failing}),
        "releases_considered": f"{project} {wanted[0]} … {wanted[-1]}" if len(wanted) > 1
        else f"{project} {wanted[0]}" if wanted else project,
        "decided_by": f"knowledge/data/releases/{project}.json",
    }
    if cutoff:
        evidence["index_read_from"] = dates[0]
        evidence["index_as_of"] = max(cutoff, since)
    if since:
        evidence["written_after"] = since
    return cause, votes[cause] / total, evidence


Releases = Dict[str, Tuple[List[str], str]]
# the TensorFlow distributions a `pip list` / `conda list` row or `pip freeze` pin can name
_TENSORFLOW_BUILDS = ("tensorflow-macos", "tensorflow")
_TENSORFLOW_ITSELF = lazyre.compile(r"tensorflow(?:-(?:gpu|cpu|macos|intel|aarch64|cpu-aws))?")


def installed_tensorflow(text: str, platforms: List[str]) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """(its upload date, the Pythons its wheels for these platforms install on) of the one
    TensorFlow release the paste shows installed, or None. The interpreter that has it installed
    runs one of those Pythons (tensorflow-macos 2.5.0: 3.8 or 3.9 on an M1), and the paste was
    written after it came out. Read only when pip missed a wheel and the paste shows no Python."""
    from keras_doctor.explain.clues import stated_tensorflow_version

    version = stated_tensorflow_version(text)
    if version is None:
        return None
    for project in _TENSORFLOW_BUILDS:
        record = (table(project) or {}).get(version)
        if not record or not record[1]:
            continue
        pythons = tuple(sorted({py for plat, py in _pairs(record[0]) if plat in platforms},
                               key=lambda v: tuple(int(p) for p in v.split("."))))
        if pythons:
            return record[1][:10], pythons
    return None


def _windows_32_bit(releases: Releases, requirement: Any, platforms: List[str],
                    python: Optional[str], cutoff: str, project: str
                    ) -> Optional[Tuple[str, float, Dict[str, Any]]]:
    """Windows and a Python the paste shows, and a requested release with a win_amd64 wheel for
    that Python, yet pip found none: the interpreter is not a 64-bit CPython (pip matches a
    32-bit one against win32 tags, which TensorFlow never published). Every pip knows
    win_amd64, so an old pip is no reason there."""
    if platforms != ["windows-amd64"] or python is None:
        return None
    wanted = [v for v, (_, uploaded) in releases.items()
              if (not cutoff or uploaded <= cutoff) and _contains(requirement, v)]
    if not any(("windows-amd64", python) in _pairs(releases[v][0]) for v in wanted):
        return None
    return "no-wheel-for-platform", 0.85, {
        "requirement": str(requirement), "platform_read": "windows-32", "python_read": python,
        "releases_considered": f"{project} {wanted[0]}" if len(wanted) == 1 else project,
        "why": f"{project} publishes a win_amd64 wheel for Python {python}: a 64-bit Python "
               "would have found it",
        "decided_by": f"knowledge/data/releases/{project}.json"}


def range_lacks_arm64_wheels(text: str) -> bool:
    """Whether the `tensorflow` range pip searched for has releases, none with a macOS arm64
    wheel (the release table: the first is 2.13.0)."""
    asked = _requested(text)
    if asked is None or asked[2] != "tensorflow":
        return False
    _, requirement, _, releases = asked
    wanted = [tags for version, (tags, _) in releases.items() if _contains(requirement, version)]
    return bool(wanted) and not any(platform == "macos-arm64" for tags in wanted
                                    for platform, _ in wheel_pairs(tags))


def _requested(text: str) -> Optional[Tuple[List[Any], Any, str, Releases]]:
    """(pip's requirement lines, the last requirement, its project, its release table), or None
    when the paste asks for nothing parseable or for a project without a table."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    matches = list(_REQUIREMENT.finditer(text))
    if not matches:
        return None
    try:
        requirement = Requirement(matches[-1].group("requirement").strip())
    except InvalidRequirement:
        return None
    project = str(canonicalize_name(requirement.name))
    releases = table(project)
    return (matches, requirement, project, releases) if releases else None


# pip's finder keeps, for the whole run, the reason it skipped each file for its Requires-Python
# ("{version} Requires-Python {specifier}": index/package_finder.py, LinkEvaluator.evaluate_link;
# the set belongs to the finder, not to one project, and the reason names no project), and prints
# all of them just before the requirement it could not satisfy
# (resolution/resolvelib/factory.py, _report_single_requirement_conflict: "Ignored the following
# versions that require a different python version: 1.6.2 Requires-Python >=3.7,<3.10; …").
_IGNORED_FOR_PYTHON = "Ignored the following versions that require a different python version:"
_IGNORED_VERSION = lazyre.compile(
    r"(?:^|;)\s*(?P<version>[^\s;]+) Requires-Python (?P<python>[^;\n]*)")


def _declares(requires_python: str, tags: List[str]) -> bool:
    """Whether a release whose wheels carry `tags` can be the one that declares
    `requires_python`: a project builds its wheels for Pythons its Requires-Python admits (pip
    would install them nowhere else), so a range that admits none of them is another project's
    (TensorFlow 1.7.1's cp27-cp36 wheels, and SciPy 1.7.1's `>=3.7,<3.10`)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    pythons = {python for _, python in _pairs(tags)}
    try:
        specifier = SpecifierSet(requires_python.strip().rstrip(")").strip())
    except InvalidSpecifier:
        return True
    return not pythons or any(specifier.contains(python, prereleases=True) for python in pythons)


def python_skip_counts(text: str) -> Optional[bool]:
    """Whether pip's "Ignored the following versions that require a different python version"
    speaks of the requirement it then could not satisfy: True when a version it lists is a
    release of that project (its release table, or a version beside those pip offered) that the
    requirement accepts; False when none is (the versions of another project pip looked at in the
    same run, or releases outside the requested range: the Python is not what kept pip from the
    release asked for); None when the paste cannot tell."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    at = text.rfind(_IGNORED_FOR_PYTHON)
    following = _REQUIREMENT.search(text, at) if at >= 0 else None
    if following is None:
        return None
    line = text[at + len(_IGNORED_FOR_PYTHON):following.start()].split("\n", 1)[0]
    skipped = {_normal(m.group("version")): m.group("python")
               for m in _IGNORED_VERSION.finditer(line)}
    try:
        requirement = Requirement(following.group("requirement").strip())
    except InvalidRequirement:
        return None
    if not skipped:
        return None
    wanted = {v for v in skipped if _contains(requirement, v)}
    if not wanted:
        return False
    releases = table(str(canonicalize_name(requirement.name)))
    if releases is not None:
        by_version = {_normal(v): tags for v, (tags, _) in releases.items()}
        return any(v in by_version and _declares(skipped[v], by_version[v]) for v in wanted)
    offered = {_normal(v) for v in _offered(following.group("offered"))}
    if offered:  # a version pip offered was not skipped for its Python: another project's
        return not wanted & offered
    return None


def _only(values: Set[str]) -> str:
    return next(iter(values)) if len(values) == 1 else "unknown"


def _votes(releases: Dict[str, Tuple[List[str], str]], date: str, requirement: Any,
           platforms: List[str], python: Optional[str], offered: List[str], none_offered: bool,
           sources: Dict[str, str]) -> Tuple[Dict[str, int], List[str], Set[Tuple[str, str]]]:
    """The vote of the (platform, Python) candidates on the index as it was at `date`."""
    from packaging.version import InvalidVersion, Version

    known = {v: tags for v, (tags, uploaded) in releases.items() if uploaded <= date}
    wanted = []
    for version in known:
        try:
            if requirement.specifier.contains(Version(version), prereleases=True):
                wanted.append(version)
        except InvalidVersion:
            continue
    votes = {"no-wheel-for-platform": 0, "no-wheel-for-python": 0}
    failing: Set[Tuple[str, str]] = set()
    if not wanted:
        return votes, wanted, failing
    if len(platforms) == len(PLATFORMS):
        platforms = list(MAINSTREAM)
    platforms = [p for p in platforms if p != "macos-arm64" or date >= APPLE_SILICON_SINCE]
    pythons = [python] if python else [p for p in PYTHONS if PYTHON_RELEASED[p] <= date]
    apple_silicon_shown = platforms == ["macos-arm64"]
    candidates = [(plat, py) for plat in platforms for py in pythons
                  if not apple_silicon_shown or python or py not in BEFORE_APPLE_SILICON]
    if offered:
        candidates = _pairs_offering(releases, offered, candidates, sources) or candidates
    wanted_pairs = set().union(*(_pairs(known[v]) for v in wanted))
    any_pairs = set().union(*(_pairs(tags) for tags in known.values())) if none_offered else set()
    served = _served_platforms(releases, wanted)
    for plat, py in candidates:
        if (plat, py) in wanted_pairs or (plat, py) in any_pairs:
            continue  # pip would have found a wheel: not where the paste comes from
        votes["no-wheel-for-python" if plat in served else "no-wheel-for-platform"] += 1
        failing.add((plat, py))
    return votes, wanted, failing


def _served_platforms(releases: Releases, wanted: List[str]) -> Set[str]:
    """The platforms the requested releases still serve: those with a wheel of a release uploaded
    within a year of the newest of them. A project that left a platform (tensorflow-gpu's last
    macOS wheel is 1.1.0, TensorFlow's last Intel Mac one 2.16.2) is missing there for the
    platform, though a long-gone Python would find one of its old releases."""
    from datetime import date, timedelta

    uploads = [releases[v][1] for v in wanted if releases[v][1]]
    if not uploads:
        return {p for v in wanted for p, _ in _pairs(releases[v][0])}
    since = (date.fromisoformat(max(uploads)[:10]) - timedelta(days=HORIZON_DAYS)).isoformat()
    return {p for v in wanted if (releases[v][1] or "") >= since for p, _ in _pairs(releases[v][0])}


def _pairs(tags: List[str]) -> FrozenSet[Tuple[str, str]]:
    return _pairs_cached(tuple(tags))


@cache
def _pairs_cached(tags: Tuple[str, ...]) -> FrozenSet[Tuple[str, str]]:
    return frozenset(wheel_pairs(list(tags)))


def _newest_named(releases: Dict[str, Tuple[List[str], str]], requirement: Any,
                  offered: List[str]) -> str:
    """The upload date of the newest release the paste names (pinned or offered), or ''."""
    named = [v for v in offered if v in releases]
    named += [spec.version for spec in requirement.specifier
              if spec.operator in ("==", "===", "~=") and spec.version in releases]
    return max((releases[v][1] for v in named if releases[v][1]), default="")


def _cutoff(releases: Dict[str, Tuple[List[str], str]], requirement: Any,
            offered: List[str]) -> str:
    """The latest date the index is read at: a year after the newest release the paste names,
    or ''."""
    return _year_after(_newest_named(releases, requirement, offered))


def _year_after(day: str) -> str:
    """HORIZON_DAYS after an ISO date, or '' for none."""
    from datetime import date, timedelta

    if not day:
        return ""
    return (date.fromisoformat(day[:10]) + timedelta(days=HORIZON_DAYS)).isoformat()


def _offered(text: Optional[str]) -> List[str]:
    if not text or text.strip() == "none":
        return []
    return [v.strip() for v in text.split(",") if v.strip()]


OFFER_SLACK_DAYS = 45  # releases a paste's `from versions:` list may have just missed


def _pairs_offering(releases: Dict[str, Tuple[List[str], str]], offered: List[str],
                    candidates: List[Tuple[str, str]], sources: Dict[str, str]
                    ) -> List[Tuple[str, str]]:
    """The candidate (platform, Python) pairs for which exactly the final releases pip offered
    had a wheel, on the index as it was when the newest of them came out: pip lists what the
    machine can install: the releases with a wheel for it, and those with a source archive
    whose Requires-Python allows its Python."""
    from datetime import date, timedelta

    from keras_doctor.knowledge.releases import python_allows

    finals = {v for v in offered if v in releases}
    if not finals:
        return []
    newest = max(releases[v][1] for v in finals)
    if not newest:
        return []
    then = (date.fromisoformat(newest[:10]) + timedelta(days=OFFER_SLACK_DAYS)).isoformat()
    pairs_of = {v: wheel_pairs(tags) for v, (tags, uploaded) in releases.items()
                if uploaded and uploaded <= then}
    out = []
    for pair in candidates:
        installable = {v for v, pairs in pairs_of.items() if pair in pairs}
        installable |= {v for v in pairs_of if v in sources
                        and python_allows(sources[v], pair[1])}
        if installable and finals <= installable and len(installable - finals) <= 1:
            out.append(pair)
    return out


# -- a pinned release the index never had --------------------------------------------------------


def _table_meta(project: str) -> Tuple[str, str]:
    """(the `since` cut, when the table was generated) of a project's release table."""
    data = _document(project) or {}
    return str(data.get("since") or ""), str(data.get("generated_at") or "")


_PINNED = lazyre.compile(
    r"(?:satisfies the requirement|No matching distribution found for) "
    r"(?P<requirement>[A-Za-z0-9][\w.\-\[\]]*\s*===?\s*[\w.*+!]+)(?:\s*;[^(\n]*)?"
    r"(?:\s*\(from (?!versions:)[^)\n]*\))*(?:\s*\(from versions: (?P<offered>[^)\n]*)\))?"
)
NOT_YET_DAYS = 45  # how much newer than every release pip listed the pin must be to be "not yet"


def unpublished(text: str) -> Optional[Dict[str, Any]]:
    """Evidence that the release pip was asked for (`X==V`, `X==V.*`) was not on the index when
    pip looked, or None. Two ways to know: V is in no platform's list of the release table at all
    (never published, or deleted), or pip's `from versions:` list shows the paste's machine got
    every release up to one well before V, V ships a wheel for that machine with the same
    platform tags, so pip would have listed V had it been published (it came out later). None
    when the paste pins nothing, the pin is a pre-release (the tables keep final releases only),
    or is older than what the table covers. pip words both exactly as a missing wheel."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    matches = list(_PINNED.finditer(text))
    if not matches:
        return None
    chosen = next((m for m in matches if m.group("offered") is not None), matches[-1])
    try:
        requirement = Requirement(chosen.group("requirement").replace(" ", ""))
    except InvalidRequirement:
        return None
    project = str(canonicalize_name(requirement.name))
    releases = table(project)
    if not releases:
        return None
    published = sorted(_versions(list(releases)))
    try:
        pinned = Version(next(iter(requirement.specifier)).version.rstrip(".*"))
    except (InvalidVersion, StopIteration):
        return None
    if pinned.is_prerelease or pinned.is_devrelease or not published:
        return None
    since, generated = _table_meta(project)
    if since and pinned < published[0]:
        return None  # older than the table reaches: it may well exist
    listed = chosen.group("offered")
    offered = _offered(listed)
    if any(requirement.specifier.contains(v, prereleases=True) for v in _versions(offered)):
        return None  # pip itself offered a matching release
    matching = [v for v in published if requirement.specifier.contains(v, prereleases=True)]
    evidence: Dict[str, Any] = {"requirement": str(requirement), "project": project}
    if matching:
        when = _not_yet_published(releases, str(matching[0]), offered, text)
        if when is None:
            return None  # the release exists: which wheel is missing is the wheel tables' question
        evidence["published_later"] = when
    else:
        lower = [str(v) for v in published if v < pinned][-2:]
        higher = [str(v) for v in published if v > pinned][:2]
        evidence["nearest_published"] = lower + higher
        if generated:
            evidence["index_as_of"] = generated[:10]
    evidence["decided_by"] = f"knowledge/data/releases/{project}.json"
    if offered:
        evidence["offered"] = f"{offered[0]} … {offered[-1]}" if len(offered) > 2 else listed
    return evidence


def _not_yet_published(releases: Dict[str, Tuple[List[str], str]], version: str,
                       offered: List[str], text: str) -> Optional[str]:
    """The upload date of `version` when pip's list shows it had not come out yet, else None."""
    from datetime import date, timedelta

    from keras_doctor.knowledge.releases import tag_platforms

    finals = [v for v in offered if v in releases and releases[v][1]]
    tags, uploaded = releases[version]
    if not finals or not uploaded:
        return None
    newest = max(finals, key=lambda v: releases[v][1])
    if any(v > _as_version(version) for v in _versions(finals)):
        return None
    horizon = date.fromisoformat(releases[newest][1][:10]) + timedelta(days=NOT_YET_DAYS)
    if date.fromisoformat(uploaded[:10]) <= horizon:
        return None
    platforms = read_machine(text)
    python = read_python(text)
    candidates = [(plat, py) for plat in platforms for py in ([python] if python else PYTHONS)
                  if all((plat, py) in _pairs(releases[v][0]) for v in finals)]
    pairs = _pairs(tags)
    if not candidates or not all(pair in pairs for pair in candidates):
        return None
    listed_tags = {t.split("-")[2] for v in finals for t in releases[v][0]}
    for platform in {plat for plat, _ in candidates}:
        own = {t.split("-")[2] for t in tags if platform in tag_platforms(t.split("-")[2])}
        if not own & listed_tags:
            return None  # only newer platform tags: a pip too old to read them, not a late one
    return uploaded


def _normal(value: str) -> str:
    """The version's normal form (`1.0` and `1.0.0` are one release), or the text as written."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(value))
    except InvalidVersion:
        return value


def _as_version(value: str) -> Any:
    from packaging.version import Version

    return Version(value)


def _versions(values: List[str]) -> List[Any]:
    from packaging.version import InvalidVersion, Version

    out = []
    for value in values:
        try:
            out.append(Version(value))
        except InvalidVersion:
            continue
    return out


# -- a pip too old for the wheels' platform tags --------------------------------------------------

PIP_TAGS = datafiles.KNOWLEDGE / "pip_tags.json"
_PIP_VERSION = lazyre.compile(
    r"You are using pip version (?P<a>\d+(?:\.\d+)+)|(?m:^\s*pip (?P<b>\d+(?:\.\d+)+) from )|"
    r"A new release of pip (?:is )?available: (?P<c>\d+(?:\.\d+)+) ->"
)


def pip_tags() -> Dict[str, Any]:
    return datafiles.read(PIP_TAGS)


# pip before 19.1 joins the versions it found into `(from versions: )`, empty when it found none;
# 19.1 and later print `(from versions: none)` (pip/_internal/index.py of the pip 19.0 and 19.1
# wheels, `_format_versions`)
_EMPTY_OFFER = lazyre.compile(r"\(from versions: ?\)")
EMPTY_OFFER_BEFORE = "19.1"


# pip prefixes its errors with "ERROR:" from 19.1 on (NEWS.rst, "19.1 (2019-04-23)": "Prefix
# warning and error messages in log output with `WARNING` and `ERROR`", pypa/pip#6298): a pasted
# pip log whose failure line has no prefix, beside pip's own progress lines and with no "ERROR:"
# anywhere, came from an older pip. A message quoted alone may have lost the prefix to the quoting
_PIP_FAILURE_LINE = lazyre.compile(
    r"(?m)^[ \t]*(?:Could not find a version that satisfies|No matching distribution found for)")
_PIP_PROGRESS_LINE = lazyre.compile(
    r"(?m)^[ \t]*(?:Collecting|Downloading|Using cached|Requirement already satisfied)\b")
UNPREFIXED_BEFORE = EMPTY_OFFER_BEFORE  # the same release changed both wordings


def unprefixed_pip_log(text: str) -> bool:
    """Whether the paste holds a pip log that words its failure as a pip before 19.1 does."""
    return bool(_PIP_FAILURE_LINE.search(text) and _PIP_PROGRESS_LINE.search(text)
                and "ERROR:" not in text)


def pip_version_shown(text: str) -> Optional[str]:
    """The version of the pip that ran, when the paste shows it (its upgrade notice, `pip -V`)."""
    match = _PIP_VERSION.search(text)
    return next((g for g in match.groups() if g), None) if match else None


def first_pip_for(platform_tag: str) -> str:
    """The first pip release that recognises a wheel's platform tag ('0' when every pip does)."""
    for entry in pip_tags().get("tags", ()):
        if re.search(entry["platform_tag"], platform_tag):
            return str(entry["first_pip"])
    return "0"


def pip_too_old(text: str, python_shown: str = "", machine: str = "", platform: str = "",
                pip_installed: str = "") -> Optional[Tuple[float, Dict[str, Any]]]:
    """(probability, evidence) that the pip which ran is too old for the platform tags of the
    wheels it was asked for: the pip the paste shows (else `pip_installed`, the examined
    environment's) is older than the first pip that knows any tag of any wheel the requested
    releases have for the paste's platform (release table), or the paste names a macOS an older
    pip misreads while the release has wheels for that Mac's Python. None when the paste shows
    neither, or a wheel the pip knows exists."""
    from packaging.version import InvalidVersion, Version

    from keras_doctor.knowledge.releases import tag_platforms

    asked = _requested(text)
    if asked is None:
        return None
    _, requirement, _, releases = asked
    shown = pip_version_shown(text)
    if shown is None:
        seen = old_pip_view(text, python_shown, machine, platform)
        if seen is not None:
            return seen
    machines = read_machine(text, machine, platform)
    platforms = [p for p in machines if p in MAINSTREAM]  # the platforms pip_tags.json covers
    if set(platforms) == {"macos-arm64", "macos-x86_64"}:
        platforms = ["macos-x86_64"]  # a Mac of unknown kind: weighed as Intel, arm64_too below
    if len(platforms) != 1:
        return None
    arm64_too = "macos-arm64" in machines  # a Mac of unknown kind: an M1 has no wheel at all
    python = read_python(text, python_shown)
    wanted = [v for v in releases if _contains(requirement, v)]
    wheels = [tag for version in wanted for tag in releases[version][0]
              if python is None or _for_python(tag, python)]
    for_platform = [tag for tag in wheels if any(
        platforms[0] in tag_platforms(t) for t in tag.split("-")[-1].split("."))]
    if not for_platform:
        return None  # no wheel for this platform at all: not the pip's fault
    needed = min(Version(first_pip_for_tags(tag)) for tag in for_platform)
    evidence: Dict[str, Any] = {"requirement": str(requirement), "platform_read": platforms[0],
                                "needs_pip": str(needed), "decided_by": str(PIP_TAGS.name)}
    if shown is None and _EMPTY_OFFER.search(text):
        if Version(EMPTY_OFFER_BEFORE) <= needed:  # every pip that prints it is older
            evidence["pip_older_than"] = EMPTY_OFFER_BEFORE
            return 0.92, evidence  # as sure as a pip version shown
        return None  # pip 19.0 printed it too, and knows these tags
    if shown is None and unprefixed_pip_log(text) and (
            Version(first_pip_for("manylinux2010_x86_64")) <= needed):
        evidence["pip_older_than"] = UNPREFIXED_BEFORE
        # every pip that words it so is older than tags new in 19.1 or later; of them, only the
        # four 19.0.x releases, current for three months of 2019, know manylinux2010
        return (0.92 if Version(UNPREFIXED_BEFORE) <= needed else 0.8), evidence
    if shown or pip_installed:
        try:
            if Version(shown or pip_installed) < needed:
                evidence["pip_shown" if shown else "pip_installed"] = shown or pip_installed
                return 0.92, evidence
        except InvalidVersion:
            pass
        return None  # the pip that ran knows these wheels' tags
    for entry in pip_tags().get("machines", ()):
        if entry["platform"] == "macos" and platforms[0] == "macos-x86_64" and re.search(
                entry["pattern"], text):
            evidence.update(needs_pip=entry["first_pip"], machine=entry["what"])
            if python is None or arm64_too:
                # a Python newer than the release's wheels, or an Apple Silicon Mac, explains
                # it as well: a candidate, not the answer
                return 0.6, evidence
            return 0.85, evidence
    return None


def old_pip_view(text: str, python_shown: str = "", machine: str = "", platform: str = ""
                 ) -> Optional[Tuple[float, Dict[str, Any]]]:
    """(probability, evidence) that pip's `from versions:` list is what a pip too old for the
    newer wheels' platform tags sees: for a (platform, Python) the paste can be from, the releases
    listed are exactly those with a wheel whose tag an older pip reads (manylinux1 before
    manylinux2010, say), while the releases asked for have wheels for it only with newer tags.
    A list that a current pip on another Python would print as well (TensorFlow's cp34 wheels
    stop where its manylinux1 wheels do) leaves it a candidate. None when nothing fits."""
    from packaging.version import Version

    asked = _requested(text)
    if asked is None:
        return None
    matches, requirement, _, releases = asked
    listed = next((m.group("offered") for m in matches if m.group("offered") is not None), None)
    finals = {v for v in _offered(listed) if v in releases}
    then = _cutoff(releases, requirement, sorted(finals))
    if not finals or not then:
        return None
    known = {v: tags for v, (tags, uploaded) in releases.items() if uploaded and uploaded <= then}
    about_machine = without_wheel_names(text)
    platforms = read_machine(about_machine, machine, platform)
    platforms = list(MAINSTREAM) if len(platforms) == len(PLATFORMS) else platforms
    python = read_python(about_machine, python_shown)
    pythons = [python] if python else [p for p in PYTHONS if PYTHON_RELEASED[p] <= then]
    old_pip: List[Tuple[str, str, Any]] = []
    current_pip = False
    for plat in platforms:
        for py in pythons:
            needs: Dict[str, Any] = {}
            for version, tags in known.items():
                firsts = [Version(first_pip_for_tags(tag)) for tag in tags
                          if (plat, py) in _pairs([tag])]
                if firsts:
                    needs[version] = min(firsts)
            if finals <= set(needs) and len(set(needs) - finals) <= 1:
                current_pip = True  # any pip on this (platform, Python) lists just these
                continue
            for threshold in sorted(set(needs.values())):
                visible = {v for v, need in needs.items() if need < threshold}
                hidden = set(needs) - visible
                if (finals <= visible and len(visible - finals) <= 1
                        and any(_contains(requirement, v) for v in hidden)
                        and not any(_contains(requirement, v) for v in visible)):
                    old_pip.append((plat, py, threshold))
                    break
    if not old_pip:
        return None
    evidence: Dict[str, Any] = {
        "requirement": str(requirement),
        "platform_read": _only({p for p, _, _ in old_pip}),
        "python_read": _only({py for _, py, _ in old_pip}),
        "needs_pip": str(min(t for _, _, t in old_pip)),
        "offered": f"{min(finals, key=_as_version)} … {max(finals, key=_as_version)}",
        "decided_by": PIP_TAGS.name,
    }
    return (0.6 if current_pip else 0.85), evidence


def first_pip_for_tags(tag: str) -> str:
    """The first pip that installs a wheel of this tag: the oldest that knows any of its
    platform tags."""
    from packaging.version import Version

    return str(min((Version(first_pip_for(t)) for t in tag.split("-")[-1].split(".")),
                   default=Version("0")))


def _for_python(tag: str, python: str) -> bool:
    interpreters, abi = tag.split("-")[:2]
    return any(python in _tag_pythons(one, abi) for one in interpreters.split("."))


def _contains(requirement: Any, version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return bool(requirement.specifier.contains(Version(version), prereleases=True))
    except InvalidVersion:
        return False


# -- a yanked release installed: nothing else fit ------------------------------------------------

# pip warns when it installs a yanked release ("The candidate selected for download or install is
# a yanked version: 'x' candidate (version V at …)": pip/_internal/resolution/resolvelib/
# resolver.py, and index/package_finder.py before it). It takes one only when every release that
# fits the requirement on this interpreter is yanked (PEP 592; resolvelib/factory.py,
# _iter_found_candidates: `if not all_yanked and ican.link.is_yanked: continue`; pip 21.2 and
# later only for a pin, `all_yanked and pinned`): for an unpinned requirement, no release that is
# not yanked had a wheel for this machine and Python, as pip's "(from versions: none)" says.
_YANKED_CHOSEN = lazyre.compile(
    r"The candidate selected for download or install is a yanked version: "
    r"'(?P<project>[A-Za-z0-9][\w.\-]*)' candidate \(version (?P<version>[^\s)]+)[^\n]*")


def only_yanked_fit(text: str, python_shown: str = "", machine: str = "", platform: str = ""
                    ) -> Optional[Tuple[str, float, Dict[str, Any]]]:
    """`decide`'s answer for a yanked release pip installed for an unpinned requirement: read as
    pip finding no release at all for this machine and Python. None without the warning, for a
    pin (pip takes the yanked release it names), or without a release table."""
    found = _YANKED_CHOSEN.search(text)
    if found is None:
        return None
    from packaging.utils import canonicalize_name

    project = str(canonicalize_name(found.group("project")))
    pin = re.compile(rf"(?i)\b{re.escape(found.group('project'))}\s*===?\s*\d")
    if table(project) is None or pin.search(text) or pin.search(text.replace("_", "-")):
        return None
    rest = text[:found.start()] + text[found.end():]  # its link names the yanked wheel's tags
    asked = (f"\nERROR: Could not find a version that satisfies the requirement {project} "
             "(from versions: none)\n")
    decision = decide(rest + asked, python_shown, machine, platform)
    if decision is None:
        return None
    cause, probability, evidence = decision
    evidence = {**evidence, "yanked_release_installed": f"{project} {found.group('version')}"}
    return cause, probability, evidence


# -- a Mac older than the wheels' macOS tags ------------------------------------------------------

# The macOS release a paste states: by number after the system's name ("macOS 10.14.6", "mac
# version:10.12.6", "OS X 10.10.5", "Mac 10.14.6", CPython's platform.platform()
# "macOS-10.14.6-x86_64-i386-64bit") or by Apple's name for it
_MACOS_VERSION = lazyre.compile(
    r"(?i)(?<![\w-])(?:mac ?os(?: ?x)?|os ?x|mac)(?: version)?[ \t]*[:=-]?[ \t]*"
    r"(?P<number>10\.\d{1,2}|(?:1[1-5]|2[6-9])(?:\.\d{1,2})?)(?:\.\d+)*\b(?!\.)|"
    r"(?P<name>\b(?:El Capitan|High Sierra|(?<!High )Sierra|Mojave|Catalina|Big Sur|Monterey|"
    r"Ventura|Sonoma|Sequoia|Tahoe)\b)"
)
# the macOS releases a Mac can run, oldest first, for reading which one pip's list was made on
_MACOS_STEPS = tuple([(10, minor) for minor in range(6, 16)] + [(major, 0) for major in
                                                                 range(11, 16)])


def macos_version_shown(text: str) -> Optional[Tuple[int, int]]:
    """The oldest macOS release the paste states (the Mac pip ran on, before any upgrade the
    report goes on to tell), or None."""
    found = []
    for match in _MACOS_VERSION.finditer(text):
        if match.group("name"):
            found.append(MACOS_NAMES[" ".join(match.group("name").lower().split())])
            continue
        parts = [int(p) for p in match.group("number").split(".")]
        found.append((parts[0], parts[1] if len(parts) > 1 else 0))
    return min(found) if found else None


# A macOS platform tag of the interpreter's own, as pip prints its supported tags
# (`pep425tags.supported_tags`: ('cp27', 'cp27m', 'macosx_10_10_x86_64'); `pip debug --verbose`:
# cp39-cp39-macosx_11_0_arm64): the newest is the macOS pip runs on
_SUPPORTED_MAC_TAG = lazyre.compile(
    r"(?:'|\bcp\d+-\w+-)macosx_(?P<major>\d+)_(?P<minor>\d+)_(?:x86_64|arm64|intel|universal2?)\b")


def mac_older_than_wheel(about_machine: str, tags: Any) -> Dict[str, str]:
    """{macos_shown, wheel_needs} when every platform tag of a refused wheel is a macOS one for
    Intel or both architectures and the Mac the paste shows (its stated release, else the newest
    macOS tag pip lists as its own) takes none of them, as pip judges it (`_mac_platform_tags`);
    {} otherwise."""
    platforms = {str(tag).split("-")[-1] for tag in tags}
    if not platforms or not all(p.startswith("macosx_") and not p.endswith("_arm64")
                                for p in platforms):
        return {}  # (an arm64 wheel: the CPU decides)
    shown = macos_version_shown(about_machine) or max(
        ((int(m.group("major")), int(m.group("minor")))
         for m in _SUPPORTED_MAC_TAG.finditer(about_machine)), default=None)
    if shown is None or platforms & _mac_platform_tags(shown, "x86_64"):
        return {}
    return {"macos_shown": ".".join(map(str, shown)),
            "wheel_needs": "macOS " + oldest_macos(platforms)}


def oldest_macos(platforms: Any) -> str:
    """The oldest macOS release ("10.11") among macOS platform tags (`macosx_10_11_x86_64`)."""
    major, minor = min(tuple(int(part) for part in p.split("_")[1:3]) for p in platforms)
    return f"{major}.{minor}"


def _installs_on_mac(tag: str, python: str, macos: Tuple[int, int], arch: str) -> bool:
    """Whether a wheel of this tag installs on CPython `python` on a Mac of this release and
    architecture: its Python tag fits and one of its platform tags is among those pip accepts
    there (pip takes them from `packaging.tags.mac_platforms`)."""
    parts = tag.split("-")
    if len(parts) != 3 or not any(python in _tag_pythons(one, parts[1])
                                  for one in parts[0].split(".")):
        return False
    accepted = _mac_platform_tags(macos, arch)
    return any(one in accepted or one == "any" for one in parts[2].split("."))


@cache
def _mac_platform_tags(macos: Tuple[int, int], arch: str) -> FrozenSet[str]:
    """The platform tags pip accepts on a Mac of this release and architecture, asked of
    `packaging` once per Mac rather than once per wheel tag."""
    from packaging.tags import mac_platforms

    return frozenset(mac_platforms(macos, arch))


def macos_too_old(text: str, python_shown: str = "", machine: str = "", platform: str = ""
                  ) -> Optional[Tuple[float, Dict[str, Any]]]:
    """(probability, evidence) that pip found no wheel because the Mac is older than the macOS
    release the wheels are tagged for (`macosx_10_13_x86_64` installs on 10.13 and later only):
    the releases asked for have wheels for the paste's Mac and Python, none for the macOS it
    states, or, with no macOS stated, pip's `from versions:` list is exactly the releases an
    older macOS gets while those asked for need a newer one. None when the paste shows no Mac, a
    requested wheel installs on the macOS shown, or nothing fits."""
    asked = _requested(text)
    if asked is None:
        return None
    matches, requirement, project, releases = asked
    about_machine = without_wheel_names(text)
    machines = read_machine(about_machine, machine, platform)
    if len(machines) == len(PLATFORMS) or not all(m.startswith("macos") for m in machines):
        return None
    shown = macos_version_shown(about_machine)
    listed = next((m.group("offered") for m in matches if m.group("offered") is not None), None)
    finals = {v for v in _offered(listed) if v in releases}
    if shown is None and not finals:
        return None
    cutoff = _cutoff(releases, requirement, sorted(finals))
    known = {v: tags for v, (tags, uploaded) in releases.items()
             if not cutoff or uploaded <= cutoff}
    wanted = [v for v in known if _contains(requirement, v)]
    python = read_python(about_machine, python_shown)
    pythons = [python] if python else [p for p in PYTHONS
                                        if not cutoff or PYTHON_RELEASED[p] <= cutoff]
    too_old: List[Tuple[str, str, Tuple[int, int]]] = []  # (platform, Python, macOS needed)
    for plat in machines:
        arch = "arm64" if plat == "macos-arm64" else "x86_64"
        steps = [s for s in _MACOS_STEPS if arch == "x86_64" or s >= (11, 0)]
        if shown is not None and arch == "arm64" and shown < (11, 0):
            continue  # no arm64 Mac runs a macOS older than 11
        for py in pythons:
            seen = {macos: {v for v, tags in known.items()
                            if any(_installs_on_mac(t, py, macos, arch) for t in tags)}
                    for macos in steps + ([shown] if shown else [])}
            needed = next((m for m in steps if any(v in seen[m] for v in wanted)), None)
            if needed is None:
                continue  # no requested wheel for this Mac and Python at all: not the macOS
            if shown is not None:
                if any(v in seen[shown] for v in wanted):
                    return None  # pip on the macOS shown finds a requested wheel
                too_old.append((plat, py, needed))
            elif any(finals <= seen[m] and len(seen[m] - finals) <= 1
                     for m in steps if m < needed):
                too_old.append((plat, py, needed))  # the list is what an older macOS sees
    if not too_old:
        return None
    evidence: Dict[str, Any] = {
        "requirement": str(requirement),
        "platform_read": _only({p for p, _, _ in too_old}),
        "python_read": _only({py for _, py, _ in too_old}),
        "needs_macos": ".".join(str(n) for n in min(m for _, _, m in too_old)),
        "decided_by": f"knowledge/data/releases/{project}.json",
    }
    if shown is not None:
        evidence["macos_read"] = ".".join(str(n) for n in shown)
    return (0.9 if python and shown else 0.75), evidence
