"""explain's patterns compile on first use (`lazyre`), and must answer as `re.compile`'s would.

`explain` runs once per paste in a fresh process, and compiling every module-level pattern at
import was most of its start-up. A lazy pattern that answered differently from the compiled one
would change answers silently; one never compiled until a rare paste met it would hide a broken
expression until a user's paste did; and a module that went back to compiling at import would
quietly take the start-up back. Each test below fails on one of those.
"""

from __future__ import annotations

import copy
import gc
import importlib
import json
import os
import pickle
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import keras_doctor
import keras_doctor.explain
from keras_doctor.explain import catalog, lazyre

SOURCE = r"(?P<package>[a-z_]+)-(?P<version>\d+(?:\.\d+)*)"
FLAGS = re.IGNORECASE | re.MULTILINE
TEXT = "Installed Keras-2.15.0 and numpy-1.26.4\nthen tensorflow-2.16.1 failed"


@pytest.mark.parametrize(
    "use",
    [
        lambda p: p.search(TEXT).groupdict(),
        lambda p: p.search(TEXT, 20).span(),
        lambda p: p.match(TEXT) is None,
        lambda p: p.match(TEXT, 10).group(0),
        lambda p: p.fullmatch("numpy-1.26.4").groups(),
        lambda p: [m.span() for m in p.finditer(TEXT)],
        lambda p: p.findall(TEXT),
        lambda p: p.sub(r"\g<package>==\g<version>", TEXT),
        lambda p: p.sub(lambda m: m.group("package").upper(), TEXT, count=1),
        lambda p: p.subn("X", TEXT),
        lambda p: p.split(TEXT),
        lambda p: p.flags,
        lambda p: dict(p.groupindex),
        lambda p: p.groups,
        lambda p: p.pattern,
    ],
)
def test_a_lazy_pattern_answers_as_the_compiled_one(use):
    assert use(lazyre.compile(SOURCE, FLAGS)) == use(re.compile(SOURCE, FLAGS))


def test_a_lazy_pattern_compiles_once_on_first_use_and_its_text_composes_without_compiling():
    first = lazyre.compile(r"Illegal instruction")
    both = lazyre.compile(first.pattern + r"|illegal hardware instruction")
    assert first._compiled is None
    assert both.search("zsh: illegal hardware instruction  python")
    assert first._compiled is None
    assert first.search("Illegal instruction (core dumped)")
    assert first.compiled() is first.compiled()
    assert first.compiled() == re.compile(r"Illegal instruction")


def test_a_private_name_is_never_looked_up_on_the_pattern():
    lazy = lazyre.LazyPattern(r"No module named '(\w+)'")
    with pytest.raises(AttributeError, match=r"^_state$"):
        lazy._state  # noqa: B018 - the look-up is the test
    assert lazy._compiled is None  # a private name does not compile the pattern
    # copy and pickle look up protocol names on an object whose __init__ never ran: answering
    # them from a pattern not yet compiled would recurse
    twin = copy.copy(lazy)
    assert twin.search("No module named 'keras'").group(1) == "keras"
    revived = pickle.loads(pickle.dumps(lazy))
    assert revived.pattern == lazy.pattern and revived.match("No module named 'tf'")


def test_every_pattern_in_explain_compiles():
    """A broken expression no longer fails the import: it would wait for the paste that needs it.
    Every lazy pattern any explain module holds, anywhere, and every signature's, is compiled
    here instead."""
    for module in pkgutil.iter_modules(keras_doctor.explain.__path__):
        importlib.import_module(f"keras_doctor.explain.{module.name}")
    for signature in catalog.load().signatures:
        made = signature.patterns
        assert made.any and all(p.pattern for p in made.any + made.all + made.none), signature.id
    patterns = [o for o in gc.get_objects() if isinstance(o, lazyre.LazyPattern)]
    assert len(patterns) > 150 + len(catalog.load().signatures)
    for pattern in patterns:
        assert isinstance(pattern.compiled(), re.Pattern), pattern


COUNT_COMPILES = """
import json, re, sys
compiled_by_the_doctor = []
re_compile = re.compile
def counting(*args, **kwargs):
    if sys._getframe(1).f_globals.get("__name__", "").startswith("keras_doctor"):
        compiled_by_the_doctor.append(str(args[0])[:60])
    return re_compile(*args, **kwargs)
re.compile = counting
import keras_doctor.cli.explain, keras_doctor.explain.engine
print(json.dumps(compiled_by_the_doctor))
"""


def test_importing_explain_compiles_almost_nothing():
    """Importing the engine compiled 128 patterns before they became lazy; a paste uses a few."""
    this_source = str(Path(keras_doctor.__file__).resolve().parent.parent)
    result = subprocess.run([sys.executable, "-c", COUNT_COMPILES], capture_output=True,
                            text=True, check=True, env={**os.environ, "PYTHONPATH": this_source})
    compiled = json.loads(result.stdout)
    assert len(compiled) < 10, compiled
