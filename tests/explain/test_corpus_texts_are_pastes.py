"""A report's `text` holds only what its poster pasted, never what the thread said after it.

`explain` reads `text` exactly as a user would paste it, and the learned ranker learns from it. A
line such as "Maintainer: pin protobuf<4" or "Fixed by upgrading keras" carries the answer, so a
text that holds one scores better than a real paste ever could and teaches the ranker words no user
types. Such words belong in `notes`.

The rule reads lines, not words: real output is full of words like "solution", "workaround",
"fix", "note:" and "@rpath" (numpy's 2.0 banner, OpenMP's duplicate-library message, pip's notes,
dyld's install names), and a poster's own words about their own attempt ("I tried ...", "with
2.16.1 it works well", "Thanks") are part of what they posted. What a paste never holds is a line
that names another speaker or a later moment: a speaker label ("Maintainer:", "Reply:",
"Answer:", "Edit:", "Update:", "Solution:"), an outcome told after the fact ("Fixed by ...",
"Resolved in ..."), a narration of someone else's reply ("Reply reproduces with keras 2.0.5"),
or a line addressed to another participant ("@name ...").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

HERE = Path(__file__).parent
TUNING = HERE / "corpus" / "cases.jsonl"
HELD_OUT = (HERE / "heldout" / "cases.jsonl", HERE / "heldout" / "second_pass.jsonl")

# Each pattern matches at the start of a line (after Markdown emphasis or a quote marker).
_LEAD = r"^[ \t>*_#]*"
THREAD_PROSE: Dict[str, re.Pattern[str]] = {
    "speaker label": re.compile(
        _LEAD + r"(?:maintainer|reply|replies|answer|accepted answer|comment|edit|edited|update|"
        r"updated|solution|workaround|resolution|fix|follow-up|reporter|the reporter|"
        r"closed|closing)(?:\s*\d+)?(?:\s*\([^)\n]*\))?[*_ \t]*:", re.I | re.M),
    "outcome after the fact": re.compile(
        _LEAD + r"(?:fixed|solved|resolved|closed)\s+(?:by|in|via|as|with)\b", re.I | re.M),
    "someone else's reply": re.compile(
        _LEAD + r"(?:a |the |another )?(?:maintainer|reply|replies|commenter|reporter|"
        r"collaborator|contributor|member)s?\s+(?:says|said|confirms|confirmed|reproduces|"
        r"reproduced|suggests|suggested|notes|noted|explains|explained|answers|answered|"
        r"points|pointed|reports|reported|adds|added|writes|wrote)\b", re.I | re.M),
    "addressed to a participant": re.compile(_LEAD + r"@[A-Za-z0-9][A-Za-z0-9-]*(?=[\s,:])", re.M),
}

# Reports whose text matches a pattern yet is exactly what the poster pasted, with the reason.
POSTED_AS_IS: Dict[str, str] = {
    "tf-io-33-macos-1012-no-tensorflow-io-wheel":
        "the reporter's own opening line greets the maintainer before the pip output they pasted",
    "tensorflow-net-539-westmere-no-avx-illegal-instruction":
        "the reporter's own 'Update :' of the next day lists his CPU's instruction sets and the "
        "program he ran; it names no fix (the forty-third pass)",
}


def thread_prose(text: str) -> List[Tuple[str, str]]:
    """(pattern name, line) for each line of `text` that is thread prose rather than a paste."""
    found = []
    for line in text.splitlines():
        for name, pattern in THREAD_PROSE.items():
            if pattern.search(line):
                found.append((name, line))
                break
    return found


def _rows(path: Path) -> List[Dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def test_tuning_texts_hold_no_thread_prose():
    leaking = {row["id"]: thread_prose(row["text"]) for row in _rows(TUNING)
               if row["id"] not in POSTED_AS_IS and thread_prose(row["text"])}
    assert leaking == {}


def test_held_out_texts_hold_no_thread_prose():
    # Only a count is reported: held-out reports are never printed.
    count = sum(1 for path in HELD_OUT for row in _rows(path) if thread_prose(row["text"]))
    assert count == 0


def test_exemptions_still_match_and_exist():
    # An exemption that no longer matches (its text was cleaned) or names no report must leave.
    rows = {row["id"]: row for row in _rows(TUNING)}
    assert {case_id for case_id in POSTED_AS_IS if case_id in rows
            and thread_prose(rows[case_id]["text"])} == set(POSTED_AS_IS)


PASTE = (
    "Traceback (most recent call last):\n"
    '  File "train.py", line 3, in <module>\n'
    "    from keras.layers.core import Dense\n"
    "ModuleNotFoundError: No module named 'keras.layers.core'"
)


@pytest.mark.parametrize("tail, kind", [
    ("Maintainer: Keras 3 removed keras.layers.core; pin keras<3.", "speaker label"),
    ("**Maintainer (fchollet):** use keras.layers instead", "speaker label"),
    ("Reply: downgrading to keras 2.15 fixed it", "speaker label"),
    ("EDIT: solved by pip install tf-keras", "speaker label"),
    ("Update 2: it was the wrong interpreter", "speaker label"),
    ("Solution: pip install 'protobuf<4'", "speaker label"),
    ("> Answer: reinstall numpy<2", "speaker label"),
    ("Fixed by upgrading keras to 2.15.", "outcome after the fact"),
    ("Resolved in keras 2.2.5.", "outcome after the fact"),
    ("Reply reproduces with keras 2.0.5 and tensorflow 1.2.", "someone else's reply"),
    ("The maintainer confirmed the wheel is x86_64 only.", "someone else's reply"),
    ("@fchollet any idea what is going on?", "addressed to a participant"),
])
def test_thread_prose_after_a_paste_is_flagged(tail, kind):
    assert thread_prose(PASTE + "\n\n" + tail) == [(kind, tail)]


@pytest.mark.parametrize("line", [
    # Real output whose words look like thread prose.
    "note: If you believe this is a mistake, please contact your Python installation or OS "
    "distribution provider.",
    "If you are a user of the module, the easiest solution will be to",
    "OMP: Hint This means that multiple copies of the OpenMP runtime have been linked into the "
    "program. As an unsafe, unsupported, undocumented workaround you can set the environment "
    "variable KMP_DUPLICATE_LIB_OK=TRUE to allow the program to continue to execute",
    "If you cannot immediately regenerate your protos, some other possible workarounds are:",
    "    The user requested keras==2.10.0",
    "dyld[42212]: Library not loaded: @rpath/libomp.dylib",
    "@rpath/libtensorflow_framework.2.dylib",
    "pi@raspberrypi:~ $ sudo pip3 install --upgrade numpy",
    "root@d87518e6c38b:/# python3",
    "Fix user warning:",
    "Fixed-point arithmetic is not supported",
    "2022-01-30 13:35:36.930384: I tensorflow/core/common_runtime/process_util.cc:115] Creating "
    "new thread pool with default inter op setting: 8.",
    # A poster's own words about their own attempt are part of what they posted.
    "I tried every method I can find but it still throws:",
    "with tensorflow 2.16.1 it works well",
    "Solved the issue with CONDA_PREFIX adding the correct path into bash:",
    "Thanks for any help!",
])
def test_real_output_and_posters_own_words_are_not_flagged(line):
    assert thread_prose(PASTE + "\n" + line) == []
