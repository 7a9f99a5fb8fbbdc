"""How a paste names the Mac it ran on, and the architecture of the Python that ran there.

Two questions read the same words and must not be confused. Is the *Mac* an Apple Silicon one?
Then a SIGILL is an Intel Python under Rosetta, not a CPU without AVX, and Apple's
tensorflow-macos wheels exist for it. Is the *Python* an arm64 one? Then pip wants
`macosx_*_arm64` wheels. An Intel Python under Rosetta answers them differently: a crash report's
"X86-64 (Translated)" or a `VirtualApple` CPU names an Apple Silicon Mac and an x86_64 Python at
once. So the words are written here once, by what they name, and each question combines the ones
it needs (`resolve` for the Mac, `wheels` for the Python's wheels).
"""

from __future__ import annotations

from keras_doctor.explain import lazyre

# Apple's chips by name (M1 to M5, November 2020 to 2025).
_CHIP = r"\bM[1-5]\b|Apple Silicon|Apple M\d"
# An arm64 interpreter: Homebrew's Apple Silicon prefix, conda-forge's arm64 installers and
# channel, or the architecture itself.
_ARM64_PYTHON = r"/opt/homebrew/|miniforge|mambaforge|osx-arm64|\barm64\b"
# Rosetta's own words for a translated process: the CPU it shows (`VirtualApple`), the kernel
# (`RELEASE_ARM64`), a crash report's "Code Type" or Activity Monitor's "Kind".
_TRANSLATED = r"VirtualApple|RELEASE_ARM64|\b(?:X86-64 \(Translated\)|ARM-64 \(Native\))"

# The Mac is an Apple Silicon one.
APPLE_SILICON_MAC = lazyre.compile(f"{_CHIP}|{_ARM64_PYTHON}|{_TRANSLATED}")
# The Python pip runs on a Mac is (nearly always, as its owner installed it) an arm64 one: the
# chip named, in any case ("m1 mac"), or an arm64 interpreter.
ARM64_PYTHON = lazyre.compile(f"(?i){_CHIP}|{_ARM64_PYTHON}")
# An arm64 interpreter by its path, channel or architecture (the chip alone does not say: an
# Intel Python runs on it under Rosetta).
ARM64_PYTHON_SHOWN = lazyre.compile(_ARM64_PYTHON)
# An Intel (x86_64) Python on a Mac: Intel Homebrew's /usr/local, the x86 Anaconda installer, an
# osx-64 conda channel, or the interpreter's own architecture, or Rosetta translating it.
X86_PYTHON = lazyre.compile(
    r"/usr/local/(?:bin/python|Cellar/python|opt/python|lib/python)|/(?:ana|mini)conda3?/|"
    r"osx-64\b|\bx86_64\b|\bi386\b|Rosetta|VirtualApple|X86-64 \(Translated\)"
)
# Loosely, for the wheels a Mac's Python wants: the word Intel anywhere, an x86_64 tag or channel,
# Intel Homebrew's Cellar.
INTEL_NAMED = lazyre.compile(r"(?i)\bIntel\b|(?<![A-Za-z0-9])x86_64\b|osx-64|/usr/local/Cellar/")
# The Mac itself is an Intel one (no Rosetta on it): its processor named, a Mac of 2011 or
# before, a macOS older than 11 (Big Sur, the first that ran on Apple Silicon) by number or name.
_INTEL_MAC = lazyre.compile(
    r"(?i)\bIntel(?:\(R\))? (?:Core|Xeon|Pentium|Celeron)|\bCore ?2 Duo\b|\bIntel Mac\b|"
    r"\bMac(?:Book|Book Pro|Book Air|Pro| ?mini)?\b[^\n]{0,40}\b(?:20(?:0\d|1[01])|Intel)\b|"
    r"\b(?:mac ?OS(?: X)?|OS X)[ :]*10\.(?!16\b)\d+|"
    r"\b(?:Catalina|Mojave|High Sierra|El Capitan|Yosemite|Mavericks)\b"
)


def intel_mac_named(text: str) -> str:
    """The words by which the paste names its Mac an Intel one, with nothing of Apple Silicon
    in it; '' otherwise."""
    intel = _INTEL_MAC.search(text)
    return intel.group(0) if intel and not APPLE_SILICON_MAC.search(text) else ""
