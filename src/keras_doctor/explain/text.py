"""Turn whatever the user pasted into text the signatures can read, in bounded time.

Real pastes carry terminal colour codes, typographic quotes from chat apps, Jupyter's `---->`
frames, thousands of TensorFlow log lines and sometimes megabytes of training output. The error
that matters is almost always at the end, with a few banners (numpy's, TensorFlow's CPU guard)
earlier, so a huge input keeps its head and its tail. Informational TensorFlow log lines are
dropped: they match nothing useful and would make every pattern scan them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, List

from keras_doctor.explain import lazyre

# What a huge paste keeps: banners at the top, the error and what follows it at the end. Every
# signature scans what is kept, so the window sets the cost of a megabyte log (5 MB in < 0.5 s).
HEAD_CHARS = 32 * 1024
TAIL_CHARS = 160 * 1024
MAX_LINE = 4000

_ANSI = lazyre.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
# TensorFlow / absl log lines at INFO or WARNING level ("I0000 00:00:…", "W tensorflow/…",
# "2024-01-01 12:00:00.000: I tensorflow/…"). F (fatal) and E lines are kept: the CPU guard is one.
_LOG_NOISE = lazyre.compile(
    r"^(?:[IW]\d{4} [\d:.]+ +\d+ \S+\] |[IW] (?:tensorflow|external|third_party)/"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] )"
)
# Start-up lines printed without a log prefix, or at ERROR level though nothing failed: the
# message atlas of `explain.logs` decides (read only for lines these words make likely).
_MAYBE_INFORMATIONAL = lazyre.compile(
    r"Metal device set to|systemMemory:|maxCacheSize:|register cu|binary is optimized|"
    r"To enable the following instructions|oneDNN custom|NUMA node|register factory|cuda drivers|"
    r"CPU supports instructions|Ignore above cudart|find TensorRT|dlopen some TensorRT|"
    r"^(?:WARNING|INFO):(?:tensorflow|absl):"
)
MAX_INFORMATIONAL = 40
# The examples issue templates print beside their questions, left in every report that did not
# edit them: "OS Platform and Distribution (e.g., Linux Ubuntu 16.04):" and "Mobile device (e.g.
# iPhone 8, Pixel 2, Samsung Galaxy)" (tensorflow/tensorflow .github/ISSUE_TEMPLATE/*.md until
# 2022, copied by many projects), "Python version and type(eg. Anaconda Python, Stock Python as in
# Mac, or homebrew installed Python etc)" (tensorflow/addons' bug template), "Platform
# information (e.g. Ubuntu Linux 20.04)" and "OS architecture (e.g. amd64)" (pyenv's). They name
# a system and a machine the reporter never said they had; an example the reporter rewrote stays.
_TEMPLATE_EXAMPLES = lazyre.compile(
    r"\((?:e\.g\.,? Linux Ubuntu 16\.04|e\.g\. iPhone 8, Pixel 2, Samsung Galaxy|"
    r"eg\. Anaconda Python, Stock Python as in Mac, or homebrew installed Python etc|"
    r"e\.g\. Ubuntu Linux \d\d\.04|e\.g\. amd64)\)")
_SITE = lazyre.compile(r"[/\\](?:site|dist)-packages[/\\]+(?P<package>[\w.\-]+)")
_FRAME_PATH = lazyre.compile(
    r"File \"(?P<quoted>[^\"\n]{1,500})\", line \d+"  # CPython
    r"|^\[?(?P<jupyter>(?:~|[A-Za-z]:|/)[^\s\]]{0,500}\.py)\]?(?:\([^)\n]*\))?:?\d* in "  # IPython
    r"|File (?P<ipy8>(?:~|[A-Za-z]:|/)[^\s:]{0,500}\.py):\d+",  # IPython 8: File ~/x.py:12
    re.MULTILINE,
)


@dataclass
class Cleaned:
    """The pasted text made matchable, plus what was done to it."""

    text: str
    original_chars: int
    truncated: bool = False
    dropped_log_lines: int = 0
    frames: List[str] = field(default_factory=list)  # file paths of traceback frames, in order
    informational: List[Any] = field(default_factory=list)  # `logs.LogLine`s dropped as no error
    failing_log_lines: int = 0  # INFO / WARNING log lines that name a failure
    failing_lines: List[str] = field(default_factory=list)  # the first MAX_INFORMATIONAL of them
    clues: Any = None  # what the traceback reveals beside its error (`clues.Clues`), once read


def clean(raw: str) -> Cleaned:
    original = len(raw)
    truncated = False
    if original > HEAD_CHARS + TAIL_CHARS:
        raw = raw[:HEAD_CHARS] + "\n[…]\n" + raw[-TAIL_CHARS:]
        truncated = True
    raw = _ANSI.sub("", raw) if "\x1b" in raw else raw
    raw = _plain_quotes(raw)
    raw = _TEMPLATE_EXAMPLES.sub("", raw) if "e.g" in raw or "eg." in raw else raw
    kept: List[str] = []
    dropped = 0
    informational: List[Any] = []
    failing = 0
    failing_lines: List[str] = []
    for line in unwrapped(raw.split("\n")):
        noise = _LOG_NOISE.match(line)
        if noise or _MAYBE_INFORMATIONAL.search(line):
            from keras_doctor.explain import logs

            known = logs.read(line[:MAX_LINE])
            if known is not None:
                dropped += 1
                if len(informational) < MAX_INFORMATIONAL:
                    informational.append(known)
                continue
            if noise:
                dropped += 1
                failing += 1
                if len(failing_lines) < MAX_INFORMATIONAL:
                    failing_lines.append(line[:MAX_LINE])
                continue
        kept.append(line[:MAX_LINE] if len(line) > MAX_LINE else line)
    text = "\n".join(kept).strip("\n")
    cleaned = Cleaned(text, original, truncated, dropped, frame_paths(text))
    cleaned.informational = informational
    cleaned.failing_log_lines = failing
    cleaned.failing_lines = failing_lines
    return cleaned


# A terminal window (or a console's copy) breaks every line longer than its width at that width,
# mid-word as often as not: `.../python/metric` then `s/__init__.py"`, `undefined s` then
# `ymbol: _ZN…` (a 92-column copy, tensorflow/text#551). Such a paste has no line longer than the
# width, several exactly as long, and most of those cut a word. Tables Keras prints (a model
# summary) pad their rows to one width too, but end them with spaces or a rule of one character.
_MIN_WIDTH = 60
_MIN_WRAPPED = 3
_RULE = lazyre.compile(r"^(.)\1+$")


def unwrapped(lines: List[str]) -> List[str]:
    """The paste's lines with those a terminal broke at its width joined again, else unchanged."""
    width = max((len(line) for line in lines), default=0)
    if width < _MIN_WIDTH or len(lines) < _MIN_WRAPPED + 1:
        return lines
    at_width = [i for i, line in enumerate(lines[:-1])
                if len(line) == width and not _RULE.match(line) and lines[i + 1].strip()]
    cut_words = [i for i in at_width if not lines[i][-1].isspace()
                 and not lines[i + 1][0].isspace()]
    if len(at_width) < _MIN_WRAPPED or 2 * len(cut_words) < len(at_width):
        return lines
    out: List[str] = []
    joined = set(at_width)
    for i, line in enumerate(lines):
        if out and i - 1 in joined:
            out[-1] += line
        else:
            out.append(line)
    return out


def _plain_quotes(raw: str) -> str:
    """Typographic quotes as ASCII ones, no carriage returns: str.replace per character, which
    runs in C, where a translate table looks every character up (a tenth of a second on 5 MB)."""
    if "\r" in raw:
        raw = raw.replace("\r", "")
    if raw.isascii():
        return raw
    for typographic, plain in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'),
                               ("\u201d", '"')):
        if typographic in raw:
            raw = raw.replace(typographic, plain)
    return raw


def frame_paths(text: str) -> List[str]:
    paths = []
    for match in _FRAME_PATH.finditer(text):
        path = match.group("quoted") or match.group("jupyter") or match.group("ipy8")
        if path:
            paths.append(path)
    return paths


def site_package_of(path: str) -> str:
    """The top-level folder under site-packages that `path` lives in, or '' outside them."""
    match = _SITE.search(path)
    return match.group("package") if match else ""
