"""Recognise a message because a package prints it, even if no report ever showed it.

`knowledge/data/messages.json` (built from real wheels by `knowledge.build.messages`) lists what
TensorFlow, Keras, numpy, pip, h5py, protobuf, ml-dtypes, tensorflow-metal, tensorflow-hub, jax and
torch can print, with the file and the sampled releases that print each message.
`knowledge/message_causes.json` is the curated, sourced map from who printed a message (package,
file, wording) to the cause that usually makes it print, with the mechanism.

Matching is bounded: each message is indexed by the longest word of its longest literal part, so a
paste's error lines are compared only with the few messages that share a word with them, and a
template is compiled into a pattern only when its literal part already occurs in the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Tuple

from keras_doctor.explain import lazyre

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "messages.json"
CAUSES = Path(__file__).resolve().parent.parent / "knowledge" / "message_causes.json"
MAX_LINES = 60
_WORD = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_]{4,}")
_ERROR_LINE = lazyre.compile(
    r"^\s*(?:[\w.]+(?:Error|Exception|Warning|Exit|Failure)|E\d{4}|F\d{4}|[EF] [\w/.]+|"
    r"ERROR|error|WARNING|OMP|dyld|zsh|\S+\.(?:py|cc|h):\d+)\b"
)


@dataclass(frozen=True)
class Printed:
    """One message of the atlas that the paste contains, and who prints it."""

    template: str
    kind: str
    file: str
    releases: Dict[str, List[str]]  # package → sampled releases that print it

    def describe(self) -> str:
        parts = []
        for package, versions in self.releases.items():
            span = versions[0] if len(versions) == 1 else f"{versions[0]} … {versions[-1]}"
            parts.append(f"{package} {span}")
        return f"{', '.join(parts)} ({self.file})"


@dataclass
class Atlas:
    hole: str
    packages: List[str]
    versions: Dict[str, List[str]]
    kinds: List[str]
    files: List[str]
    rows: List[List[Any]]
    by_word: Dict[str, List[int]] = field(default_factory=dict)
    compiled: Dict[int, Optional[Pattern[str]]] = field(default_factory=dict)

    def printed(self, index: int) -> Printed:
        template, kind, file_index, where = self.rows[index][1:5]
        releases: Dict[str, List[str]] = {}
        for part in where.split(";"):
            package_index, _, spans = part.partition(":")
            package = self.packages[int(package_index)]
            sample = self.versions.get(package, [])
            releases[package] = [sample[i] for i in parse_spans(spans) if i < len(sample)]
        return Printed(template, self.kinds[kind], self.files[file_index], releases)

    def pattern(self, index: int) -> Optional[Pattern[str]]:
        if index not in self.compiled:
            template = bare(self.rows[index][1])
            pieces = template.split(self.hole)
            parts = [re.escape(p) for p in pieces]
            if len(parts) > 1 and _CLOSING.match(pieces[-1]):
                # a message cut inside its last hole (an issue title stops at ~250 characters)
                # loses only the bracket or stop that closes it
                parts[-1] = f"(?:{parts[-1]})?"
            elif pieces[-1].endswith("."):
                parts[-1] = re.escape(pieces[-1][:-1]) + r"\.?"  # pasted without its full stop
            try:
                self.compiled[index] = re.compile(r".{0,300}?".join(parts))
            except re.error:
                self.compiled[index] = None
        return self.compiled[index]


_CLOSING = lazyre.compile(r"^[)\]}>'\"`.]{1,3}$")


def parse_spans(text: str) -> List[int]:
    """ "0-3,7" → [0, 1, 2, 3, 7], the span format of `knowledge.atlas` (not imported here: the
    knowledge package costs more to import than a whole explanation)."""
    out: List[int] = []
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def literal_of(template: str, hole: str) -> str:
    """The longest literal part of a template, as a paste keeps it: without Markdown's backticks
    (an issue renders `load_img` as code and drops them) and without its closing full stop."""
    return bare(max(template.split(hole), key=len).strip()).rstrip(".")


def bare(text: str) -> str:
    """Text without backticks, which Markdown reads as code marks: a message printed with
    "`pydot` failed to call GraphViz" is pasted into an issue as "pydot failed …" as often."""
    return text.replace("`", "")


@cache
def load(path: Optional[str] = None) -> Optional[Atlas]:
    try:
        document = json.loads(Path(path or DATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    atlas = Atlas(document["hole"], document["packages"], document["versions"],
                  document["kinds"], document["files"], document["messages"])
    for index, row in enumerate(atlas.rows):
        atlas.by_word.setdefault(row[0], []).append(index)
    return atlas


def error_lines(text: str) -> List[str]:
    """The lines of a paste that can hold a message: error lines and the paste's last lines."""
    lines = text.splitlines()
    picked = [line for line in lines if _ERROR_LINE.match(line)]
    tail = [line for line in lines[-12:] if line.strip() and not line.lstrip().startswith("File ")]
    seen = dict.fromkeys(picked[-MAX_LINES:] + tail)
    return [bare(re.sub(r"\s+", " ", line).strip()) for line in seen]


def find(text: str, atlas: Optional[Atlas] = None) -> List[Tuple[Printed, str]]:
    """(message, the line it was found in) for every atlas message the paste's error lines hold,
    most specific (longest literal text) first."""
    atlas = atlas or load()
    if atlas is None:
        return []
    hits: Dict[int, str] = {}
    for line in error_lines(text):
        for word in set(_WORD.findall(line)):
            for index in atlas.by_word.get(word, ()):
                if index in hits:
                    continue
                if literal_of(atlas.rows[index][1], atlas.hole) not in line:
                    continue
                pattern = atlas.pattern(index)
                template = atlas.rows[index][1]
                if pattern is not None and pattern.search(line) and _covers(template, atlas.hole,
                                                                            line):
                    hits[index] = line
    ranked = sorted(hits, key=lambda i: -len(literal_of(atlas.rows[i][1], atlas.hole)))
    return [(atlas.printed(i), hits[i]) for i in ranked[:6]]


_PREFIX = lazyre.compile(
    r"^(?:.*?\] |(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Warning|Exit|Failure)\w*: |"
    r"(?:ERROR|WARNING|error|warning): |"
    # what Python's warnings module prints before the message (warnings.formatwarning:
    # "{filename}:{lineno}: {category}: ")
    r"\S+\.py:\d+: (?:[\w.]+\.)?[A-Z]\w*Warning: )"
)
MIN_COVERAGE = 0.5
_REPR = lazyre.compile(r"<[^<>\n]{1,300}>")
# A literal this long is one package's sentence wherever it appears: what fills its holes (an
# object's repr, a path, a config) may be longer than the sentence itself.
SPECIFIC_LITERAL = 60


def _covers(template: str, hole: str, line: str) -> bool:
    """Whether the template's own words make up at least half of the line's message (or a long
    sentence of its own): a generic template ("cannot import name … from …") re-raised by some
    package says nothing about who printed a specific line."""
    if generic(template):
        return False
    # an object's repr in a hole (`<tf.Variable 'x:0' shape=(…) dtype=float32>`) is the
    # arguments' text, not words of another message
    message = _REPR.sub("", _PREFIX.sub("", line, count=1))
    literal = sum(c.isalnum() for c in template)
    return literal >= min(SPECIFIC_LITERAL,
                          MIN_COVERAGE * max(1, sum(c.isalnum() for c in message)))


# -- from who printed it to the cause ------------------------------------------------------------


def generic(template: str) -> bool:
    """CPython's own messages, re-raised by packages with their own arguments, name no printer."""
    return any(pattern.search(template) for pattern in _generic_patterns())


@cache
def _generic_patterns() -> Tuple[Pattern[str], ...]:
    document = json.loads(CAUSES.read_text(encoding="utf-8"))
    return tuple(re.compile(p) for p in document.get("generic_templates", ()))


@dataclass(frozen=True)
class Rule:
    package: str
    cause: Optional[str]  # None: an informational message that explains nothing
    weight: float
    file: Optional[str]  # patterns, compiled when a message of the package needs them
    message: Optional[str]
    mechanism: str
    source: str
    # a resolve step that decides among the causes from the rest of the paste (`resolve`)
    resolve: Optional[str] = None
    # what the message itself names for the fix (the module Keras failed to import)
    evidence: Tuple[Tuple[str, str], ...] = ()

    def applies(self, printed: Printed) -> bool:
        if self.package != "*" and self.package not in printed.releases:
            return False
        if self.file is not None and not _compiled(self.file).search(printed.file):
            return False
        return self.message is None or bool(_compiled(self.message).search(printed.template))


@cache
def _compiled(pattern: str) -> Pattern[str]:
    return re.compile(pattern)


@cache
def rules(path: Optional[str] = None) -> Tuple[Rule, ...]:
    document = json.loads(Path(path or CAUSES).read_text(encoding="utf-8"))
    out = []
    for raw in document["rules"]:
        out.append(Rule(
            package=raw["package"],
            cause=raw.get("cause"),
            weight=float(raw.get("weight", 0.0)),
            file=raw.get("file"),
            message=raw.get("message"),
            mechanism=raw.get("mechanism", ""),
            source=raw["source"],
            resolve=raw.get("resolve"),
            evidence=tuple(raw.get("evidence", {}).items()),
        ))
    return tuple(out)


def causes_of(text: str) -> List[Tuple[str, float, Dict[str, Any], str, str]]:
    """(cause, weight, evidence, mechanism, source) for each message of the paste a package
    prints, by the first curated rule that applies to it."""
    out = []
    for printed, line in find(text):
        rule = _deciding_rule(printed)
        if rule is not None and rule.cause is not None:
            evidence = {"printed_by": printed.describe(), "message": line[:300],
                        **dict(rule.evidence)}
            for cause, weight in _resolved(rule, line, text):
                out.append((cause, weight, evidence, rule.mechanism, rule.source))
    return out


def _resolved(rule: Rule, line: str, text: str) -> List[Tuple[str, float]]:
    """The rule's cause, or, for a rule with a resolve step, the causes that step reads from the
    paste (HDF5's refusal of a file is judged by where the file lives, as the signature that
    reads the same line judges it), at the atlas's weight for the first."""
    if rule.resolve != "h5-file":
        return [(rule.cause or "", rule.weight)]
    from keras_doctor.explain.resolve import hdf5_file_causes

    decided = hdf5_file_causes(line, text, rule.weight)
    scale = rule.weight / max(w for _, w in decided)
    return [(cause, round(w * scale, 3)) for cause, w in decided]


def _deciding_rule(printed: Printed) -> Optional[Rule]:
    """The first rule about the message's own words or file, else the first about a package
    that prints it: a message several packages print (NumPy's C-API banner is compiled into
    every extension that includes NumPy's headers) is judged by what it says, not by which of
    its printers a package-wide rule happens to name first."""
    applicable = [rule for rule in rules() if rule.applies(printed)]
    # the file that prints it and its words together say more than either alone: Keras 3's
    # loader refusing a SavedModel says "Keras 3" too, yet the file format is the cause
    both = [rule for rule in applicable if rule.message is not None and rule.file is not None]
    specific = [rule for rule in applicable if rule.message is not None or rule.file is not None]
    chosen = both or specific or applicable
    return chosen[0] if chosen else None
