"""Which TensorFlow names the scripts and notebooks in the working directory use.

TensorFlow 1 code (`tf.placeholder`, `tf.Session`, `tf.contrib`, Keras' `get_session`) fails under
any TensorFlow 2; `check` can say so before it runs, and `explain` can confirm it, when it knows
what the user's code calls. Only the working directory's own files are read, not its subfolders:
`*.py` and `*.ipynb`, at most MAX_FILES of them, each up to MAX_BYTES, and each name is recorded
once per file (its first line). These are raw observations; which names only TensorFlow 1 has is
the knowledge base's to say, in the check.
"""

from __future__ import annotations

import os
import re
from typing import List, Optional

from keras_doctor.facts.model import ScriptName

MAX_FILES = 200
MAX_BYTES = 1_000_000
MAX_NAMES = 400
_SUFFIXES = (".py", ".ipynb")
# tf.X / tensorflow.X (and X.Y for the API's modules: tf.train.AdamOptimizer), not tf.compat.v1.X,
# which is TensorFlow 2's own copy of the 1.x API.
_ATTRIBUTE = re.compile(
    r"(?<![\w.])(?:tf|tensorflow)\.(?!compat\b)([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?"
)
_IMPORT = re.compile(r"(?:from|import)\s+tensorflow\.(contrib|examples\.tutorials)\b")
_KERAS_SESSION = re.compile(r"(?<![\w.])(?:K|backend)\.(get_session|set_session)\b")


def tensorflow_names(folder: Optional[str]) -> List[ScriptName]:
    if not folder:
        return []
    try:
        entries = sorted(e for e in os.listdir(folder) if e.endswith(_SUFFIXES))
    except (OSError, ValueError):
        return []
    found: List[ScriptName] = []
    for entry in entries[:MAX_FILES]:
        path = os.path.join(folder, entry)
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > MAX_BYTES:
                continue
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except (OSError, ValueError):
            continue
        found.extend(_names_in(path, text))
        if len(found) >= MAX_NAMES:
            return found[:MAX_NAMES]
    return found


def _names_in(path: str, text: str) -> List[ScriptName]:
    seen = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "tf" not in line and "tensorflow" not in line and "session" not in line:
            continue
        for match in _ATTRIBUTE.finditer(line):
            first, second = match.group(1), match.group(2)
            for name in (first, f"{first}.{second}" if second else None):
                if name and name not in seen:
                    seen[name] = number
        for match in _IMPORT.finditer(line):
            seen.setdefault(match.group(1), number)
        for match in _KERAS_SESSION.finditer(line):
            seen.setdefault(f"keras.backend.{match.group(1)}", number)
    return [ScriptName(path=path, line=line, name=name) for name, line in seen.items()]
