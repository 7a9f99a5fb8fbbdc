"""What the working directory holds: the TensorFlow names its scripts use, and its model files.

TensorFlow 1 code (`tf.placeholder`, `tf.Session`, `tf.contrib`, Keras' `get_session`) fails under
any TensorFlow 2; `check` can say so before it runs, and `explain` can confirm it, when it knows
what the user's code calls. Only the working directory's own files are read, not its subfolders:
`*.py` and `*.ipynb`, at most MAX_FILES of them, each up to MAX_BYTES, and each name is recorded
once per file (its first line). These are raw observations; which names only TensorFlow 1 has is
the knowledge base's to say, in the check.

The model and weights files beside them (`*.h5`, `*.hdf5`, `*.keras`, at most MAX_FILES) are
read the same way, only their first bytes (and a `.keras` zip's last ones): whether they are the
HDF5 file or zip archive their name says, or a Git LFS pointer, an HTML page or nothing, which is
what a clone without git-lfs or a download of a sharing page leaves behind.
"""

from __future__ import annotations

import os
import re
from typing import List, Optional, Tuple

from keras_doctor.facts import hdf5
from keras_doctor.facts.bounded_read import read_regular_head
from keras_doctor.facts.model import ModelFile, ScriptName

MAX_FILES = 200
MAX_BYTES = 1_000_000
MAX_NAMES = 400
_SUFFIXES = (".py", ".ipynb")
MODEL_SUFFIXES = (".h5", ".hdf5", ".keras")
ZIP_SIGNATURE = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"  # end of central directory, within the last 22 + 65535 bytes
_ZIP_TAIL = 22 + 65535
# tf.X / tensorflow.X (and X.Y for the API's modules: tf.train.AdamOptimizer), not tf.compat.v1.X,
# which is TensorFlow 2's own copy of the 1.x API.
_ATTRIBUTE = re.compile(
    r"(?<![\w.])(?:tf|tensorflow)\.(?!compat\b)([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?"
)
_IMPORT = re.compile(r"(?:from|import)\s+tensorflow\.(contrib|examples\.tutorials)\b")
_KERAS_SESSION = re.compile(r"(?<![\w.])(?:K|backend)\.(get_session|set_session)\b")


def _files(folder: Optional[str], suffixes: Tuple[str, ...]) -> List[str]:
    """The working directory's own files with these suffixes (not its subfolders), sorted."""
    if not folder:
        return []
    try:
        entries = sorted(e for e in os.listdir(folder) if e.endswith(suffixes))
    except (OSError, ValueError):
        return []
    return [os.path.join(folder, entry) for entry in entries[:MAX_FILES]]


def tensorflow_names(folder: Optional[str]) -> List[ScriptName]:
    found: List[ScriptName] = []
    for path in _files(folder, _SUFFIXES):
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


def model_files(folder: Optional[str]) -> List[ModelFile]:
    found: List[ModelFile] = []
    for path in _files(folder, MODEL_SUFFIXES):
        try:
            if not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            head = read_regular_head(path, max(hdf5.HEADER_BYTES, 512))
            complete = _zip_complete(path, size) if head.startswith(ZIP_SIGNATURE) else None
        except (OSError, ValueError):
            continue
        found.append(ModelFile(path=path, size_bytes=size, content=_content(head),
                               hdf5_end=hdf5.end_of_file(head), zip_complete=complete))
    return found


def _content(head: bytes) -> str:
    if not head:
        return "empty"
    if head.startswith(hdf5.SIGNATURE):
        return "hdf5"
    if head.startswith(ZIP_SIGNATURE):
        return "zip"
    if head.startswith(b"version https://git-lfs.github.com/spec/"):
        return "git-lfs-pointer"
    text = head.lstrip()[:64].lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head")):
        return "html"
    return "other"


def _zip_complete(path: str, size: int) -> bool:
    with open(path, "rb") as handle:
        handle.seek(max(0, size - _ZIP_TAIL))
        return ZIP_END in handle.read(_ZIP_TAIL)
