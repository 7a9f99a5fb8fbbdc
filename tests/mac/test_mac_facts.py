"""The Mac suite, fast: every state's saved facts give the same causes and the same plan.

data/mac_states.json holds the facts `check --path` read from each real tree of the slow suite
(trimmed to what the checks read; save_facts.py proves the trim changes no finding) and every
answer uv gave the planner for it. Here the planner gets those answers back: a question it did not
ask when the data was saved fails the test, so a change in what the planner asks is seen at once.
The laid-out re-check of each plan is the slow suite's (test_mac_scenarios.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

import pytest
from mac_plan import finder, planned_set, serious
from mac_states import SCENARIOS, Scenario

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts.model import Facts
from keras_doctor.knowledge import load
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.model import PlanStatus
from keras_doctor.plan.recommend import installed_versions
from keras_doctor.plan.resolve import Resolution

DATA = json.loads((Path(__file__).parent / "data" / "mac_states.json").read_text())
STATES = {state["name"]: state for state in DATA["states"]}
KB = load()


def saved_facts(name: str) -> Facts:
    state = STATES[name]
    data = dict(state["facts"])
    data["distributions"] = [DATA["distributions"][key] for key in state["distributions"]]
    return Facts.from_dict(data)


def replay(answers: Dict[str, dict]):
    def resolver(requirements, platform, python_version, **options):
        key = json.dumps([list(requirements), platform, python_version])
        assert key in answers, f"the planner asks something new: {key} (run save_facts.py)"
        answer = answers[key]
        return Resolution(answer["ok"], "uv", dict(answer["pins"]), error=answer["error"])
    return resolver


def test_every_state_of_the_slow_suite_is_saved():
    assert sorted(STATES) == sorted(s.name for s in SCENARIOS)


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_mac_state_from_saved_facts(s: Scenario):
    facts = saved_facts(s.name)
    report = run_checks(facts, lambda: KB)
    assert serious(report) == sorted(s.causes), [f.title for f in report.findings]
    plan = build_plan(facts, report, knowledge=KB, resolver=replay(STATES[s.name]["answers"]),
                      uv="/usr/bin/uv", new_venv="/Users/ada/tf-new" if s.kind == "new-env"
                      else None, interpreter_finder=finder(s.machine_pythons))
    pins = {n: str(v) for n, v in installed_versions(facts).items()}
    after = planned_set(plan, pins)
    if s.kind == "new-env":
        assert plan.status is PlanStatus.OK and plan.target.platform == "macos-arm64"
        assert ("tensorflow-metal" in after) == ("tensorflow-metal" in pins)
        return
    changed = {n: after.get(n) for n in set(pins) | set(after) if pins.get(n) != after.get(n)}
    assert set(changed) == set(s.changes), changed
    for name, version in s.changes.items():
        if version != "*":
            assert changed[name] == version, (name, changed[name])
    if s.kind == "advice":
        assert not plan.steps and "arch -arm64" in " ".join(plan.skipped[0].advice)
