"""Regular expressions compiled the first time they are used, not when their module is imported.

The doctor runs in a fresh process for each paste, and explain's modules hold about 130
module-level patterns, one for each shape of error, banner or install line they know; a paste
shows a few of those shapes. Compiling every pattern at import was about 20 ms of a 150 ms
`explain --no-env`, 93 of the 130 never used on a typical traceback: the largest share of its
start-up after the interpreter's own.

`lazyre.compile` takes what `re.compile` takes. Its pattern compiles on the first call of any of
the compiled pattern's methods or attributes (search, match, fullmatch, finditer, findall, sub,
subn, split, flags, groupindex, groups, ...), and each one is then kept on the object, bound to
the compiled pattern, so later calls cost what they cost on a `re.Pattern`. `.pattern` is the
source text without compiling, so patterns built from other patterns' text stay lazy.

It is not a `re.Pattern` (the type checker is told it is, as it behaves as one): give it to
`re.search(...)`, `re.sub(...)` or `re.compile(...)` and they refuse it, and `isinstance(...,
re.Pattern)` is false. Call its own methods, or `compiled()` for the real pattern.
"""

from __future__ import annotations

import re
from typing import Any, Pattern, Union, cast


class LazyPattern:
    """A regular expression that `re.compile`s itself on its first use."""

    def __init__(self, pattern: Union[str, bytes], flags: int = 0) -> None:
        self.pattern = pattern
        self._flags_given = flags
        self._compiled: Any = None

    def compiled(self) -> Pattern[Any]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self._flags_given)
        return cast("Pattern[Any]", self._compiled)

    def __getattr__(self, name: str) -> Any:
        # Only reached for what the object does not hold yet: the compiled pattern's methods and
        # attributes are copied here on first use, so the next look-up never comes back.
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self.compiled(), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazyre.compile({self.pattern!r}, {self._flags_given!r})"


def compile(pattern: str, flags: int = 0) -> Pattern[str]:
    """`re.compile(pattern, flags)`, compiled on first use (see the module's docstring)."""
    return cast("Pattern[str]", LazyPattern(pattern, flags))
