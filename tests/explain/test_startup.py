"""explain's start-up: a recognised traceback, explained from its text, loads only what it needs.

`explain --no-env` is a one-shot command whose cost is mostly start-up; each module below was
once imported on that path and cost more than the explanation itself. The test fails when one
comes back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keras_doctor

NOT_NEEDED = (
    "keras_doctor.facts.model",  # the facts snapshot's dataclasses: no facts with --no-env
    "keras_doctor.render.groups",  # blocks of a check report, and packaging.tags behind them
    "keras_doctor.plan.model",  # a fix plan's steps: fix commands are broken without them
    "keras_doctor.explain.fallback",  # priors for what nothing recognised
    "keras_doctor.explain.messages",  # the atlas, for what no strong signature explains
    "keras_doctor.explain.refine",  # facts confirming or ruling out the text's causes
    "keras_doctor.explain.wheels",  # the release tables' reader, for a wheel pip did not find
    "packaging.tags",  # its import starts logging, platform and subprocess: 30 ms
    "rich",
)
ARCH = ("ImportError: dlopen(/Users/a/venv/lib/python3.11/site-packages/numpy/core/"
        "_multiarray_umath.cpython-311-darwin.so, 0x0002): tried: '/Users/a/x.so' (mach-o file, "
        "but is an incompatible architecture (have 'x86_64', need 'arm64'))")
PROGRAM = """
import io, json, sys, contextlib
from keras_doctor.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(["explain", sys.argv[1], "--no-env", "--json"])
print(json.dumps({"modules": sorted(sys.modules), "report": json.loads(out.getvalue())}))
"""
# The terminal report, its fix commands broken into lines by `plan.show.broken_command`
TERMINAL_PROGRAM = """
import io, json, sys, contextlib
from keras_doctor.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(["explain", sys.argv[1], "--no-env"])
print(json.dumps({"modules": sorted(sys.modules), "report": out.getvalue()}))
"""
# what a report on the terminal does not need either, for a paste that states no version
NOT_NEEDED_ON_THE_TERMINAL = (
    "packaging.version",  # no version to compare
    "difflib",  # close names, for a Keras name that is not found
)


def _explained(program: str, error) -> dict:
    """The program run on the error in a fresh interpreter that imports this keras_doctor."""
    this_source = str(Path(keras_doctor.__file__).resolve().parent.parent)
    result = subprocess.run([sys.executable, "-c", program, str(error)], capture_output=True,
                            text=True, check=True, env={**os.environ, "PYTHONPATH": this_source})
    return json.loads(result.stdout)


def test_a_recognised_traceback_loads_nothing_it_does_not_need(tmp_path):
    error = tmp_path / "error.txt"
    error.write_text(ARCH, encoding="utf-8")
    answer = _explained(PROGRAM, error)
    assert answer["report"]["findings"][0]["cause"] == "mixed-arch-binary"
    loaded = set(answer["modules"])
    assert not loaded & set(NOT_NEEDED), sorted(loaded & set(NOT_NEEDED))


def test_a_recognised_traceback_on_the_terminal_loads_nothing_it_does_not_need(tmp_path):
    error = tmp_path / "error.txt"
    error.write_text(ARCH, encoding="utf-8")
    answer = _explained(TERMINAL_PROGRAM, error)
    assert "mixed-arch-binary" in answer["report"]
    assert "python -m pip install" in answer["report"]
    loaded = set(answer["modules"])
    unneeded = set(NOT_NEEDED) | set(NOT_NEEDED_ON_THE_TERMINAL)
    assert not loaded & unneeded, sorted(loaded & unneeded)


def test_an_unrecognised_error_still_gets_the_fallback(tmp_path):
    """The other side: laziness must not lose the fallback where it is needed."""
    error = tmp_path / "error.txt"
    error.write_text("RuntimeError: the frobnicator wobbled", encoding="utf-8")
    answer = _explained(PROGRAM, error)
    assert answer["report"]["findings"]
    assert "keras_doctor.explain.fallback" in answer["modules"]
