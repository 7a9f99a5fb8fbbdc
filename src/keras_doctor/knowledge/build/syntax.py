"""Python source to an AST, one parse at a time, for the builders that read wheels in threads.

CPython up to 3.11.7 (and 3.12.0) can fail `ast.parse` with "SystemError: AST constructor
recursion depth mismatch" when several threads parse at once: the depth counter it checks is
left unbalanced on an error path (python/cpython#106905, fixed in 3.11.8 and 3.12.1). The builders
parse TensorFlow's and Keras's sources from a thread pool, so on those interpreters a rebuild
failed now and then. Parsing holds the GIL anyway; one lock costs nothing measurable.
"""

from __future__ import annotations

import ast
import threading
from typing import Union

_ONE_AT_A_TIME = threading.Lock()


def parse(source: Union[str, bytes]) -> ast.Module:
    """`ast.parse(source)`, never concurrently with another parse through this function."""
    with _ONE_AT_A_TIME:
        return ast.parse(source)
