"""Evidence as short `key: value` lines, for people reading a terminal or a log.

Evidence is arbitrary JSON-like data chosen by each check (a binary's path, archs and owner; the
distributions that own one folder; a traceback). Shown in full it can run to hundreds of lines, so
long lists show their first items and a count of the rest, long strings are cut with their length,
and deep nesting falls back to one compact JSON line. The JSON output always carries everything.
"""

from __future__ import annotations

import json
import re
from typing import Any, List, Mapping, Tuple

MAX_ITEMS = 6  # list items shown before "… and N more"
MAX_INLINE = 72  # a list of scalars joined on one line up to this many characters
MAX_STRING = 400  # longer strings are cut
MAX_DEPTH = 3  # deeper structures are shown as one JSON line

Line = Tuple[int, str]  # (indent level, text)
_LINE_OF_TEXT = re.compile(r"^\s|:\s|:$|,|\n")


def evidence_lines(evidence: Mapping[str, Any]) -> List[Line]:
    lines: List[Line] = []
    for key, value in evidence.items():
        _entry(lines, str(key), value, 0, 0)
    return lines


def scalar(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    if len(text) > MAX_STRING:
        return f"{text[:MAX_STRING]}… ({len(text)} characters)"
    return text


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (Mapping, list, tuple, set, frozenset))


def _entry(lines: List[Line], key: str, value: Any, level: int, depth: int) -> None:
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    if isinstance(value, str) and "\n" in value:
        _text_block(lines, key, value, level)
    elif _is_scalar(value):
        lines.append((level, f"{key}: {scalar(value)}"))
    elif depth >= MAX_DEPTH:
        lines.append((level, f"{key}: {_compact_json(value)}"))
    elif isinstance(value, Mapping):
        if not value:
            lines.append((level, f"{key}: {{}}"))
            return
        lines.append((level, f"{key}:"))
        for sub_key, sub_value in value.items():
            _entry(lines, str(sub_key), sub_value, level + 1, depth + 1)
    else:
        _sequence(lines, key, list(value), level, depth)


def _sequence(lines: List[Line], key: str, items: List[Any], level: int, depth: int) -> None:
    if not items:
        lines.append((level, f"{key}: (none)"))
        return
    if all(_is_scalar(item) and not _reads_as_a_line(item) for item in items):
        inline = ", ".join(scalar(item) for item in items)
        if len(items) <= MAX_ITEMS and len(inline) <= MAX_INLINE:
            lines.append((level, f"{key}: {inline}"))
            return
    lines.append((level, f"{key} ({len(items)}):" if len(items) > MAX_ITEMS else f"{key}:"))
    for item in items[:MAX_ITEMS]:
        _item(lines, item, level + 1, depth + 1)
    if len(items) > MAX_ITEMS:
        lines.append((level + 1, f"… and {len(items) - MAX_ITEMS} more"))


def _reads_as_a_line(item: Any) -> bool:
    """Lines of text (a traceback, log output) go one per line, never joined with commas."""
    return isinstance(item, str) and bool(_LINE_OF_TEXT.search(item))


def _item(lines: List[Line], item: Any, level: int, depth: int) -> None:
    """A list item: `- value`, or a mapping YAML-style with its first key on the dash line."""
    if isinstance(item, Mapping) and item and depth < MAX_DEPTH:
        nested: List[Line] = []
        for sub_key, sub_value in item.items():
            _entry(nested, str(sub_key), sub_value, 0, depth + 1)
        for index, (sub_level, text) in enumerate(nested):
            prefix = "- " if index == 0 else "  "
            lines.append((level + sub_level, prefix + text))
    elif _is_scalar(item):
        lines.append((level, f"- {scalar(item)}"))
    else:
        lines.append((level, f"- {_compact_json(item)}"))


def _text_block(lines: List[Line], key: str, text: str, level: int) -> None:
    rows = text.rstrip("\n").splitlines()
    lines.append((level, f"{key}:"))
    for row in rows[:MAX_ITEMS]:
        lines.append((level + 1, scalar(row)))
    if len(rows) > MAX_ITEMS:
        lines.append((level + 1, f"… and {len(rows) - MAX_ITEMS} more lines"))


def _compact_json(value: Any) -> str:
    return scalar(json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": ")))
