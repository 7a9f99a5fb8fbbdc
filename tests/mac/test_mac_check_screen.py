"""What a person on a Mac sees first from `check`, for every broken state of the Mac suite: the
root cause, the commands that repair it, and the one `keras-doctor` command to run next.

`check` puts the plan `fix` would run into its report (cli.common.put_plan); here the plan is
built from each state's saved facts with the resolver's saved answers and the machine's stated
interpreters, exactly as `check` would on that Mac, and the report is rendered at 100 columns.
"""

from __future__ import annotations

import shlex

import pytest
from mac_plan import finder, serious
from mac_states import SCENARIOS, Scenario
from test_mac_facts import KB, STATES, replay, saved_facts

from keras_doctor.checks.registry import all_checks, run_checks
from keras_doctor.cli.common import put_plan
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.model import StepKind
from keras_doctor.render import render_to_string

COLUMNS, SCREEN = 100, 30
BROKEN = [s for s in SCENARIOS if s.causes]


def screen_of(s: Scenario):
    facts = saved_facts(s.name)
    checks = [chk for chk in all_checks() if chk.name != "knowledge-age"]
    report = run_checks(facts, lambda: KB, checks=checks)
    report.command = "check"
    plan = build_plan(facts, report, knowledge=KB, resolver=replay(STATES[s.name]["answers"]),
                      uv="/usr/bin/uv", interpreter_finder=finder(s.machine_pythons))
    put_plan(report, plan)
    return plan, render_to_string(report, "terminal", width=COLUMNS)


def rows_before(screen: str, needle: str) -> int:
    rows = 0
    for line in screen.splitlines():
        if needle in line:
            return rows
        rows += max(1, -(-len(line) // COLUMNS))
    raise AssertionError(f"{needle!r} not on the screen:\n{screen}")


@pytest.mark.parametrize("s", BROKEN, ids=[s.name for s in BROKEN])
def test_the_root_cause_and_its_repair_come_first(s: Scenario):
    plan, screen = screen_of(s)
    lines = screen.splitlines()
    first = next(line for line in lines if line.startswith(("    ✗ ", "    ! ")))
    assert rows_before(screen, first) < 10, screen
    roots = [c for c in s.causes if any(line.strip().startswith(f"{c}:") for line in lines)]
    assert roots and rows_before(screen, f"{roots[0]}:") < 12, screen
    # The first step's command; a bare folder's uninstall is a deletion, shown as its summary;
    # an interpreter started under Rosetta is restarted natively, by the person.
    commands = [shlex.join(step.argv) if step.argv else step.summary for step in plan.steps]
    shown = commands[0] if commands else next(
        line.strip() for line in lines if line.strip().startswith("arch -arm64 "))
    assert rows_before(screen, shown[:60]) < SCREEN, screen


@pytest.mark.parametrize("s", [s for s in BROKEN if s.kind == "new-env"],
                         ids=[s.name for s in BROKEN if s.kind == "new-env"])
def test_a_new_environment_is_planned_and_named_in_the_next_command(s: Scenario):
    """No change in place helps: `check` shows the new environment's two steps, and its closing
    line names the one command that builds it, with the folder the steps use."""
    plan, screen = screen_of(s)
    new = [step for step in plan.steps if step.kind is StepKind.NEW_VENV]
    assert len(new) == 1 and new[0].dest, plan.reason
    dest = new[0].dest
    assert dest.startswith("/Users/ada/tf-") and dest != "/Users/ada/tf"
    assert plan.status.value == "refused" and f"--new-venv {dest}" in (plan.reason or "")
    assert "Fix (the steps `keras-doctor fix` runs)" in screen
    assert f"next: `keras-doctor fix --python /Users/ada/tf/bin/python --new-venv {dest}`" \
        in screen.splitlines()[-1]


def test_python_3_13_gets_a_3_11_environment_that_keeps_the_gpu_plugin():
    s = next(x for x in SCENARIOS if x.name == "metal-env-on-python-3.13")
    plan, _ = screen_of(s)
    assert plan.target.python_version == "3.11" and plan.target.prefix == "/Users/ada/tf-py3.11"
    assert "tensorflow-metal==1.1.0" in plan.steps[1].pins
    assert "no-wheel-for-python" in plan.steps[0].resolves


def test_tensorflow_metal_alone_gets_the_tensorflow_it_loads_with():
    """`pip uninstall tensorflow` left the plugin: the plan installs the newest TensorFlow that
    tensorflow-metal 1.1.0 links against (2.17.1; 2.18 fails), keeps the plugin, and says the step
    answers the metal finding."""
    s = next(x for x in SCENARIOS if x.name == "metal-without-tensorflow")
    plan, screen = screen_of(s)
    install = next(step for step in plan.steps if step.kind is StepKind.INSTALL)
    assert "tensorflow==2.17.1" in install.pins
    assert not any(p.startswith("tensorflow-metal==") for p in install.pins)
    assert "metal-plugin-mismatch" in install.resolves
    assert not any(skip.cause == "metal-plugin-mismatch" for skip in plan.skipped)
    assert "next: `keras-doctor fix --path /Users/ada/tf/lib/python/site-packages" in screen


def test_a_healthy_state_is_given_no_plan_and_no_command():
    s = next(x for x in SCENARIOS if x.name == "tf-2.16-healthy")
    plan, screen = screen_of(s)
    assert not plan.steps and "keras-doctor fix" not in screen
    assert serious(run_checks(saved_facts(s.name), lambda: KB)) == []
