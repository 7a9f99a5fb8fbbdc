"""The whole-suite mutation score sees what slow tests reach only through processes they start.

A tiny project, instrumented by the real mutmut, whose only test of `greeting` is a slow one that
runs the project's command line in a child process (from the checkout's own `src`, as the editable
install puts it on `sys.path`): the fast suite misses `greeting`'s mutants, and the whole suite
kills them only if the child runs the instrumented copy with the mutant switched on and the calls
it makes reach the map of which slow test calls what. A function nothing calls keeps its mutants
alive, so the score cannot rise by itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

PYPROJECT = """
[tool.mutmut]
source_paths = ["src"]
only_mutate = ["src/tiny/words.py"]
pytest_add_cli_args = ["-m", "not slow", "-p", "no:cacheprovider", "-q"]

[tool.pytest.ini_options]
markers = ["slow: runs the command line"]
"""

WORDS = '''
def greeting(name):
    return "hello, " + name


def forgotten(number):
    return number * 3 + 1


def double(number):
    return number * 2
'''

MAIN = '''
import sys

from tiny.words import greeting

print(greeting(sys.argv[1]))
'''

TESTS = '''
import os
import subprocess
import sys

import pytest

from tiny.words import double


def test_double():
    assert double(2) == 4


@pytest.mark.slow
def test_greets_on_the_command_line():
    env = dict(os.environ, PYTHONPATH=os.environ["TINY_CHECKOUT_SRC"])
    out = subprocess.run([sys.executable, "-m", "tiny", "world"], env=env,
                         capture_output=True, text=True)
    assert out.stdout == "hello, world\\n", out.stderr
'''


@pytest.mark.slow
@pytest.mark.skipif(sys.version_info < (3, 11) or os.name == "nt",
                    reason="mutmut forks, and the sampler reads pyproject with tomllib")
def test_whole_suite_kills_a_mutant_only_a_child_process_reaches(tmp_path):
    pytest.importorskip("mutmut", reason="install '.[mutation]'")
    project = tmp_path / "tiny"
    (project / "src" / "tiny").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "src" / "tiny" / "__init__.py").write_text("")
    (project / "src" / "tiny" / "words.py").write_text(WORDS)
    (project / "src" / "tiny" / "__main__.py").write_text(MAIN)
    (project / "tests" / "test_words.py").write_text(TESTS)
    for tool in ("mutation_sample.py", "mutation_children.py"):
        shutil.copy(HERE / tool, project / "tests" / tool)
    env = {name: value for name, value in os.environ.items()  # not those of a run around this
           if not name.startswith(("KERAS_DOCTOR_MUTA", "KERAS_DOCTOR_CHECKOUT_SRC",
                                   "MUTANT_UNDER_TEST"))}
    env["TINY_CHECKOUT_SRC"] = str(project / "src")
    out = subprocess.run([sys.executable, "tests/mutation_sample.py", "--count", "100",
                          "--seed", "1", "--jobs", "1", "--whole"], cwd=project, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    survivors = re.findall(r"^  \S+\.(x_\w+?__mutmut_\d+): .*slow tests: ([a-z ]+)$",
                           out.stdout, re.MULTILINE)
    by_function: dict = {}
    for name, verdict in survivors:
        by_function.setdefault(name.split("__mutmut_")[0], set()).add(verdict)
    assert by_function, out.stdout
    # the fast suite never calls greeting; the slow test reaches it only in its child process
    assert by_function["x_greeting"] == {"killed"}, out.stdout
    # nothing calls forgotten: no test may judge it, so its mutants survive the whole suite
    assert by_function["x_forgotten"] == {"no slow test"}, out.stdout
    assert "x_double" not in by_function, out.stdout  # the fast suite kills those
    greeting = sum(1 for name, _ in survivors if name.startswith("x_greeting"))
    assert (f"judged only through processes the slow tests start: {greeting} of the "
            f"{len(survivors)} mutants the fast suite missed ({greeting} caught)") in out.stdout
    recorded = json.loads((project / "mutants" / "slow-tests-by-function.json").read_text())
    slow_test = "tests/test_words.py::test_greets_on_the_command_line"
    assert recorded["calls"]["tiny.words.x_greeting"] == [slow_test]
    assert "tiny.words.x_greeting" not in recorded["in_process"]  # seen in the child alone
    fast = re.search(r"fast suite: (\d+)/(\d+)", out.stdout)
    whole = re.search(r"whole suite: (\d+)/(\d+)", out.stdout)
    assert fast and whole, out.stdout
    assert int(whole[1]) == int(fast[1]) + greeting
    assert int(whole[1]) < int(whole[2])  # forgotten's mutants
