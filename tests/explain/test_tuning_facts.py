"""With the environment a thread states: facts confirm or rule out what the text suggests.

The facts here are what a thread states (`tuning_facts`: versions and platform, no installed-files
list), the shape of a facts document built from a report. Each direction bites: the facts confirm
a cause the text alone could only guess, and rule out one the text would otherwise name."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tuning_facts

from keras_doctor.explain import explain_text
from keras_doctor.facts.model import Facts

CORPUS = Path(__file__).parent / "corpus" / "cases.jsonl"
NO_TENSORFLOW = ("Traceback (most recent call last):\n  File \"/Users/a/proj/train.py\", line 1, "
                 "in <module>\n    import tensorflow as tf\nModuleNotFoundError: No module named "
                 "'tensorflow'")
NO_KERAS_ENGINE = ("Traceback (most recent call last):\n  File \"/Users/a/proj/train.py\", line 1, "
                   "in <module>\n    from keras.engine import data_adapter\nModuleNotFoundError: "
                   "No module named 'keras.engine'")
CANNOT_IMPORT_DENSE = ("Traceback (most recent call last):\n  File \"/Users/a/proj/train.py\", "
                       "line 2, in <module>\n    from keras.layers import Dense\nImportError: "
                       "cannot import name 'Dense' from 'keras.layers'")


def stated(installed, platform="macos-arm64", python="3.11") -> Facts:
    return tuning_facts.build({"platform": platform, "python": python, "installed": installed})


def causes(text, facts=None):
    return [f.cause for f in explain_text(text, facts).findings]


@pytest.mark.parametrize("distribution", ["tensorflow", "tensorflow-macos", "tf-nightly"])
def test_no_module_the_stated_environment_has_is_another_interpreter(distribution):
    # every TensorFlow build installs `tensorflow`, whatever its distribution is called
    assert causes(NO_TENSORFLOW)[0] == "missing-dependency"
    found = causes(NO_TENSORFLOW, stated({distribution: "2.12.0"}))
    assert found[0] == "wrong-interpreter"
    assert found.count("wrong-interpreter") == 1  # the text's own guess is confirmed, not repeated


def test_no_module_the_stated_environment_lacks_stays_missing():
    facts = stated({"numpy": "1.26.4"})
    text_only = explain_text(NO_TENSORFLOW).findings[0]
    refined = explain_text(NO_TENSORFLOW, facts).findings[0]
    assert refined.cause == text_only.cause == "missing-dependency"
    assert refined.confidence > text_only.confidence


def test_a_module_missing_from_an_installed_package_is_not_another_interpreter():
    # keras 2.13 is there and has no keras.engine: no sign that another interpreter ran the code
    found = causes(NO_KERAS_ENGINE, stated({"keras": "2.13.1", "tensorflow": "2.13.0"}))
    assert found[0] != "wrong-interpreter"
    assert "wrong-interpreter" not in found[:1]


def test_keras_3_beside_tensorflow_2_15_turns_an_import_error_into_the_skew():
    assert causes(CANNOT_IMPORT_DENSE)[0] != "keras-tf-version-skew"
    assert causes(CANNOT_IMPORT_DENSE, stated({"keras": "3.1.1", "tensorflow": "2.15.0"}))[0] \
        == "keras-tf-version-skew"
    # the same error beside a Keras of TensorFlow's own minor: the skew is ruled out
    assert "keras-tf-version-skew" not in causes(
        CANNOT_IMPORT_DENSE, stated({"keras": "2.15.0", "tensorflow": "2.15.0"}))


def test_tensorflow_1_code_is_ruled_out_by_a_stated_tensorflow_1():
    text = "AttributeError: module 'tensorflow' has no attribute 'Session'"
    assert causes(text)[0] == "tf1-api-under-tf2"
    assert causes(text, stated({"tensorflow": "2.0.0"}, "linux-x86_64", "3.7"))[0] \
        == "tf1-api-under-tf2"
    assert causes(text, stated({"tensorflow": "1.15.0"}, "linux-x86_64", "3.7"))[0] \
        != "tf1-api-under-tf2"


def test_the_stated_environments_belong_to_tuning_reports_and_never_lower_the_score():
    """Text only against with facts on the tuning reports whose threads state their versions
    (`pytest -s` prints the figures)."""
    reports = {json.loads(line)["id"]: json.loads(line)
               for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()}
    environments = tuning_facts.load_environments()
    assert len(environments) >= 10
    text_top1 = facts_top1 = text_top3 = facts_top3 = 0
    for environment in environments:
        report = reports[environment["id"]]  # every environment is a tuning report's
        assert environment["stated"].strip()
        facts = tuning_facts.build(environment)
        assert Facts.from_dict(facts.to_dict()).to_dict() == facts.to_dict()
        text_only, with_facts = (list(found[:3]) for found in
                                 tuning_facts.answers(report["text"], environment))
        text_top1 += text_only[:1] == [report["cause"]]
        facts_top1 += with_facts[:1] == [report["cause"]]
        text_top3 += report["cause"] in text_only
        facts_top3 += report["cause"] in with_facts
    print(f"\n{len(environments)} tuning reports with stated environments: top-1 text only "
          f"{text_top1}, with facts {facts_top1}; top-3 {text_top3} / {facts_top3}")
    assert facts_top1 >= text_top1 and facts_top3 >= text_top3


NO_DISTRIBUTION = ("$ pip install tensorflow\nERROR: Could not find a version that satisfies the "
                   "requirement tensorflow (from versions: none)\nERROR: No matching distribution "
                   "found for tensorflow")
NO_DISTRIBUTION_PINNED = ("ERROR: Could not find a version that satisfies the requirement "
                          "tensorflow==2.2.0\nERROR: No matching distribution found for "
                          "tensorflow==2.2.0")


def test_the_examined_machine_decides_which_wheel_pip_could_not_find():
    """pip's "no matching distribution" names neither the Python nor the machine; the facts do.
    No tensorflow release before 2.13 has a macOS arm64 wheel (tensorflow-macos did)."""
    # the paste alone: an Apple Silicon Mac (no wheel before 2.13) and a Python newer than
    # 2.2.0's wheels both fit; the tables lean to the first without settling it
    assert causes(NO_DISTRIBUTION_PINNED)[:2] == ["no-wheel-for-platform", "no-wheel-for-python"]
    on_m1 = explain_text(NO_DISTRIBUTION_PINNED, stated({}, "macos-arm64", "3.9")).findings
    assert on_m1[0].cause == "no-wheel-for-platform"
    # the same pin on an Intel Mac with a Python 2.2.0 has wheels for: not the platform
    on_intel = causes(NO_DISTRIBUTION_PINNED, stated({}, "macos-x86_64", "3.7"))
    assert on_intel[0] != "no-wheel-for-platform"


def test_a_python_newer_than_every_release_is_confirmed_not_halved_by_an_empty_environment():
    """The installed-wheels check finds nothing where nothing is installed: that clears no cause
    of a failed install (it used to halve both wheel causes, so facts never changed the answer)."""
    text_only = explain_text(NO_DISTRIBUTION).findings[0]
    on_313 = explain_text(NO_DISTRIBUTION, stated({}, "windows-amd64", "3.13")).findings[0]
    assert text_only.cause == on_313.cause == "no-wheel-for-python"
    assert on_313.confidence >= text_only.confidence
    assert "contradicted_by" not in on_313.evidence


def test_the_pip_installed_decides_when_the_paste_shows_none():
    from keras_doctor.explain import wheels

    # TensorFlow 2.16.1's Linux wheels are manylinux2014 (and PEP 600) tags: pip 19.3 knows them
    text = NO_DISTRIBUTION_PINNED.replace("2.2.0", "2.16.1")
    assert wheels.pip_too_old(text, "3.11", "", "linux") is None
    old = wheels.pip_too_old(text, "3.11", "", "linux", pip_installed="19.2")
    assert old is not None and old[1]["pip_installed"] == "19.2"
    assert wheels.pip_too_old(text, "3.11", "", "linux", pip_installed="19.3") is None
    assert wheels.pip_too_old(text, "3.11", "", "linux", pip_installed="24.0") is None


def test_a_cause_the_facts_prove_is_listed_once():
    facts = stated({"keras": "2.7.0", "tensorflow": "2.6.0"}, "linux-x86_64", "3.9")
    found = causes(CANNOT_IMPORT_DENSE, facts)
    assert found[0] == "keras-tf-version-skew"
    assert len(found) == len(set(found))


def test_an_old_pip_in_the_examined_environment_explains_the_missing_wheel():
    text = NO_DISTRIBUTION_PINNED.replace("2.2.0", "2.16.1")
    assert "pip-too-old-for-platform-tags" not in causes(text)
    assert causes(text, stated({"pip": "19.2"}, "linux-x86_64", "3.11"))[0] \
        == "pip-too-old-for-platform-tags"
    assert "pip-too-old-for-platform-tags" not in causes(
        text, stated({"pip": "24.0"}, "linux-x86_64", "3.11"))


@pytest.mark.parametrize("machine, too_old", [("arm64", True), ("x86_64", False)])
def test_the_examined_mac_decides_whether_its_pip_is_too_old_for_the_wheels(machine, too_old):
    # pip 20.2 cannot read macOS 11 arm64 tags (20.3 can); TensorFlow 2.16.1's Intel Mac wheels
    # carry a 10.15 tag it reads: only on Apple Silicon is the pip the cause
    from keras_doctor.explain.engine import Examined, hypotheses

    text = ("ERROR: Could not find a version that satisfies the requirement tensorflow==2.16.1 "
            "(from versions: none)\nERROR: No matching distribution found for tensorflow==2.16.1")
    environment = Examined(python="3.11", platform="macos", machine=machine, pip="20.2.4")
    first = hypotheses(text, environment=environment)[1][0]
    assert (first.cause == "pip-too-old-for-platform-tags") is too_old
    if too_old:
        assert first.evidence["needs_pip"] == "20.3"


def _rank(found, cause):
    return found.index(cause) + 1 if cause in found else len(found) + 99


@pytest.mark.parametrize("leave_repository_out", [False, True])
def test_facts_never_lower_the_confirmed_cause_of_any_stated_environment(leave_repository_out):
    """Facts must never make a right text-only answer wrong: on every tuning report whose thread
    states its environment, the confirmed cause ranks no lower with the facts than from the text
    alone, with the shipped knowledge and, as the benchmark measures it, without the signatures
    the report's fold of repositories taught (where the text alone misses most)."""
    repo = Path(__file__).resolve().parent.parent.parent
    worse = []
    for environment, report, text_only, with_facts in tuning_facts.answers_with_and_without_facts(
            repo, leave_repository_out):
        if _rank(with_facts, report["cause"]) > _rank(text_only, report["cause"]):
            worse.append((environment["id"], report["cause"], text_only[:3], with_facts[:3]))
    assert not worse


def test_a_look_alike_the_facts_do_not_rule_out_stays_among_the_first_three():
    """The causes one message stands for (`lookalike`) that the text listed with its first answer
    stay among the first three with the facts, unless the facts rule them out (`ruled_out`): on
    every tuning report whose thread states its environment."""
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.explain import lookalike
    from keras_doctor.explain.refine import ruled_out

    reports = {json.loads(line)["id"]: json.loads(line)
               for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()}
    lost = []
    for environment in tuning_facts.load_environments():
        text = reports[environment["id"]]["text"]
        facts = tuning_facts.build(environment)
        text_only, with_facts = (list(found[:3]) for found in
                                 tuning_facts.answers(text, environment))
        checks = run_checks(facts, tuning_facts._knowledge)
        lost += [(environment["id"], cause) for cause in text_only[1:]
                 if lookalike.is_look_alike(cause, text_only[0]) and cause not in with_facts
                 and not ruled_out(cause, facts, checks)]
    assert not lost


@pytest.mark.parametrize("pip, ruled", [("19.2", False), ("20.2.4", False), ("20.3", True),
                                        ("24.0", True)])
def test_an_examined_pip_that_knows_every_platform_tag_rules_the_old_pip_out(pip, ruled):
    # pip 20.3 is the newest first release pip_tags.json lists (PEP 600 manylinux tags, macOS
    # 11 and arm64 tags): from it on no wheel is skipped for a tag pip cannot read, whatever
    # guess the text or the ranker makes
    from keras_doctor.explain.refine import ruled_out
    from keras_doctor.findings import Report

    reason = ruled_out("pip-too-old-for-platform-tags",
                       stated({"pip": pip}, "linux-x86_64", "3.11"), Report(command="check"))
    assert bool(reason) is ruled
    if ruled:
        assert f"pip {pip}" in reason and "20.3" in reason
