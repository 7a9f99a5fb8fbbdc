"""Real macOS site-packages states: the cause `check` names, the plan `fix` builds, and the proof.

Each state (mac_states.py, with its truth and evidence) is laid out from real PyPI wheels for macOS
arm64 or x86_64, read as `check --path` reads it (plus the interpreter facts a live Mac would
report, where the scenario is about the interpreter), checked, and planned for with the real
resolver (uv, for the Mac). Then the planned set is laid out as a tree of its own and checked
again: it must end with no finding at warning or error, and the plan must have changed exactly
what the truth says, nothing more.
"""

from __future__ import annotations

import dataclasses
from typing import Dict

import pytest
from mac_plan import finder, planned_set, serious
from mac_states import SCENARIOS, Scenario
from wheelhouse import BASES, base_pins, tree

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts.collect import collect_path, stated_marker_environment
from keras_doctor.facts.model import Facts
from keras_doctor.knowledge import load
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.model import PlanStatus

pytestmark = pytest.mark.slow

KB = load()
# Informational findings a finished plan may leave: the era notice for tensorflow-macos <= 2.12
# (kept on purpose: `tensorflow` has no arm64 wheel there) and the knowledge base's age.
ALLOWED_NOTES = {"deprecated-distribution", "knowledge-stale"}
PLATFORMS = {"arm64": "macos-arm64", "x86_64": "macos-x86_64"}


def scenario_pins(s: Scenario) -> Dict[str, str]:
    pins = {**base_pins(s.base), **s.forced}
    for name in s.removed:
        pins.pop(name)
    return pins


def facts_of(s: Scenario, site) -> Facts:
    base = BASES[s.base]
    facts = collect_path(str(site), PLATFORMS[base["arch"]], base["python"])
    if s.python:
        version = f"{s.python}.1"
        facts = dataclasses.replace(
            facts, target=dataclasses.replace(facts.target, python_version=s.python),
            interpreter=dataclasses.replace(
                facts.interpreter, version=version,
                marker_environment=stated_marker_environment("Darwin", base["arch"], version)))
    if s.interpreter or s.python:
        facts = live_mac(facts, s.interpreter)
    return facts


def live_mac(facts: Facts, interpreter) -> Facts:
    """The facts `keras-doctor facts` reports on an M1 with macOS 14 for this tree's venv."""
    translated = interpreter is not None
    arch = "x86_64" if translated else facts.interpreter.running_arch
    exe_archs = {"universal2-translated": ["x86_64", "arm64"],
                 "x86-translated": ["x86_64"]}.get(interpreter, [arch])
    markers = stated_marker_environment("Darwin", arch, facts.interpreter.version)
    return dataclasses.replace(
        facts,
        target=dataclasses.replace(facts.target, mode="python", platform=PLATFORMS[arch],
                                   path="/Users/ada/tf/bin/python"),
        platform=dataclasses.replace(facts.platform, machine=arch, os_version="14.4",
                                     apple_silicon=True, rosetta_translated=translated,
                                     cpu_flags=[] if translated else None),
        interpreter=dataclasses.replace(
            facts.interpreter, executable="/Users/ada/tf/bin/python", prefix="/Users/ada/tf",
            executable_format="mach-o", executable_archs=exe_archs, running_arch=arch,
            marker_environment=markers, installers={"pip": "24.0"}, kind="venv"))


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_mac_scenario(s: Scenario, tmp_path):
    base = BASES[s.base]
    pins = scenario_pins(s)
    site = tree(s.name, pins, base["arch"], base["python"])
    facts = facts_of(s, site)

    report = run_checks(facts, lambda: KB)
    assert serious(report) == sorted(s.causes), [f.title for f in report.findings]

    plan = build_plan(facts, report, knowledge=KB, new_venv=str(tmp_path / "new")
                      if s.kind == "new-env" else None,
                      interpreter_finder=finder(s.machine_pythons))
    assert plan.status is not PlanStatus.UNRESOLVABLE, plan.reason
    after = planned_set(plan, pins)
    arch, python = base["arch"], base["python"]
    if s.kind == "new-env":
        assert plan.status is PlanStatus.OK, plan.reason
        arch, python = "arm64", plan.target.python_version
        assert plan.target.platform == "macos-arm64"
        if "tensorflow-metal" in pins:
            assert "tensorflow-metal" in after, "a new environment keeps the GPU plugin"
        recheck = collect_path(str(tree(f"{s.name}-planned", after, arch, python)),
                               "macos-arm64", python)
    else:
        changed = {n: after.get(n) for n in set(pins) | set(after) if pins.get(n) != after.get(n)}
        assert set(changed) == set(s.changes), changed
        for name, version in s.changes.items():
            if version != "*":
                assert changed[name] == version, (name, changed[name])
        if s.kind == "advice":
            assert not plan.steps and len(plan.skipped) == 1
            assert "arch -arm64" in " ".join(plan.skipped[0].advice)
            recheck = collect_path(str(site), "macos-arm64", python)  # started natively
        else:
            recheck = collect_path(str(tree(f"{s.name}-planned", after, arch, python)),
                                   PLATFORMS[arch], python)
    again = run_checks(recheck, lambda: KB)
    assert serious(again) == [], [f.title for f in again.findings]
    assert {f.cause for f in again.findings} <= ALLOWED_NOTES


def test_upgrade_moves_the_tensorflow_macos_2_12_era_to_a_working_newest_set():
    """`fix --upgrade` is the one way out of an era: TensorFlow, metal and Keras move together,
    tensorflow-macos goes, and the result checks clean."""
    from keras_doctor.knowledge.metal_pairs import metal_verdict

    s = next(x for x in SCENARIOS if x.name == "tfm-2.12-healthy")
    pins = scenario_pins(s)
    facts = facts_of(s, tree(s.name, pins, "arm64", "3.11"))
    plan = build_plan(facts, run_checks(facts, lambda: KB), knowledge=KB, upgrade=True)
    assert plan.status is not PlanStatus.UNRESOLVABLE, plan.reason
    after = planned_set(plan, pins)
    assert "tensorflow-macos" not in after and "tensorflow" in after
    assert metal_verdict(KB, after["tensorflow"], after["tensorflow-metal"]).loads
    assert after["keras"].startswith("3.")
    again = run_checks(collect_path(str(tree("tfm-2.12-upgraded", after, "arm64", "3.11")),
                                    "macos-arm64", "3.11"), lambda: KB)
    assert serious(again) == [], [f.title for f in again.findings]
