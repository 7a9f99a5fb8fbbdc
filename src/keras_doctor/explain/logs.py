"""TensorFlow's and tensorflow-metal's start-up lines, recognised so that they are never the error.

"This TensorFlow binary is optimized…", "oneDNN custom operations are on", "Unable to register
cuDNN factory", "Metal device set to: Apple M1": every TensorFlow user meets them, and many paste
them as the problem. `knowledge/data/log_messages.json` (built by
`python -m keras_doctor.knowledge.build.log_messages` from the native libraries of real releases)
lists the log call sites that print them, with their level and what they mean. A line is
informational when it is one of them (whatever its level: the cuDNN registration line is logged at
ERROR although nothing failed), or any other line TensorFlow logged at INFO or WARNING whose words
name no failure. Read here, in the text cleaner, so that a paste holding only such lines is
answered "nothing is wrong", and a paste with a real failure beside them is judged by the failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from keras_doctor.explain import lazyre

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "log_messages.json"
# TensorFlow's and absl's log prefixes: "2024-01-01 12:00:00.000000: I tensorflow/…/x.cc:12] ",
# "I0000 00:00:1700000000.1 12345 x.cc:12] ", "W tensorflow/…] "
_PREFIX = lazyre.compile(
    r"^\s*(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: (?P<a>[IWEF]) [^\]\n]*\] ?"
    r"|(?P<b>[IWEF])\d{4} [\d:.]+ +\d+ [^\]\n]*\] ?"
    r"|(?P<c>[IWEF]) (?:tensorflow|external|third_party|xla|tsl)/[^\]\n]*\] ?"
    # TensorFlow's Python logger (tf_logging: "WARNING:tensorflow:From …: … is deprecated")
    r"|(?P<d>[IW])(?:NFO|ARNING):(?:tensorflow|absl):)"
)
# The atlas's notes that a GPU library TensorFlow could not open matters only with a GPU
ONLY_WITH_A_GPU = frozenset({"cudart-stub-ignore", "tf-trt-not-found", "tensorrt-dlopen"})
# words of a failure, in a log line no call site of the atlas explains
_FAILING = lazyre.compile(r"(?i)\b(?:fail(?:ed|ure)?|error|exception|could not|cannot|unable|"
                          r"not found|invalid|abort|crash|out of memory|OOM)\b")


@dataclass(frozen=True)
class LogLine:
    message_id: str  # the call site's id, or "" for an unlisted INFO / WARNING line
    level: str  # I, W, E, F or "print"
    text: str  # the line as pasted (without its prefix)


@cache
def atlas() -> Tuple[Dict[str, Any], ...]:
    try:
        document = json.loads(DATA.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(document.get("messages", ()))


def message(message_id: str) -> Optional[Dict[str, Any]]:
    return next((m for m in atlas() if m["id"] == message_id), None)


def read(line: str) -> Optional[LogLine]:
    """The informational log line `line` is, or None when it is anything else (including a log
    line at ERROR or FATAL level that the atlas does not list, or one that names a failure)."""
    prefix = _PREFIX.match(line)
    level = (prefix.group("a") or prefix.group("b") or prefix.group("c") or prefix.group("d")
             ) if prefix else ""
    body = line[prefix.end():] if prefix else line
    for known in atlas():
        if known["text"] in body:
            return LogLine(known["id"], level or known["level"], body.strip())
    if level in ("I", "W") and not _FAILING.search(body):
        return LogLine("", level, body.strip())
    return None


def failing_log_line(line: str) -> bool:
    """An INFO / WARNING log line whose words name a failure (TensorFlow logs `OP_REQUIRES failed`
    at WARNING before raising): dropped from the text like every log line, but never "nothing
    is wrong"."""
    prefix = _PREFIX.match(line)
    if not prefix or (prefix.group("a") or prefix.group("b") or prefix.group("c")) not in "IW":
        return False
    return read(line) is None
