"""explain's start-up: a recognised traceback, explained from its text, loads only what it needs.

`explain --no-env` is a one-shot command whose cost is mostly start-up; each module below was
once imported on that path and cost more than the explanation itself. The test fails when one
comes back.
"""

from __future__ import annotations

import json
import subprocess
import sys

NOT_NEEDED = (
    "keras_doctor.facts.model",  # the facts snapshot's dataclasses: no facts with --no-env
    "keras_doctor.render.groups",  # blocks of a check report, and packaging.tags behind them
    "keras_doctor.plan.model",
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


def test_a_recognised_traceback_loads_nothing_it_does_not_need(tmp_path):
    error = tmp_path / "error.txt"
    error.write_text(ARCH, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", PROGRAM, str(error)], capture_output=True,
                            text=True, check=True)
    answer = json.loads(result.stdout)
    assert answer["report"]["findings"][0]["cause"] == "mixed-arch-binary"
    loaded = set(answer["modules"])
    assert not loaded & set(NOT_NEEDED), sorted(loaded & set(NOT_NEEDED))


def test_an_unrecognised_error_still_gets_the_fallback(tmp_path):
    """The other side: laziness must not lose the fallback where it is needed."""
    error = tmp_path / "error.txt"
    error.write_text("RuntimeError: the frobnicator wobbled", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", PROGRAM, str(error)], capture_output=True,
                            text=True, check=True)
    answer = json.loads(result.stdout)
    assert answer["report"]["findings"]
    assert "keras_doctor.explain.fallback" in answer["modules"]
