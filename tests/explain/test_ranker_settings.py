"""The choice of the ranker's training settings by the collection passes
(benchmarks/ranker_settings.py): a pass's repositories never train the model that answers it,
and the decision rule keeps the shipped setting unless another is clearly better."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from keras_doctor.explain import train_ranker as tr

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "ranker_settings.py"
_spec = importlib.util.spec_from_file_location("ranker_settings", SCRIPT)
assert _spec and _spec.loader
settings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(settings)

SHIPPED = (0.3, 3, 250)


class _Example(tr.Example):
    def __init__(self, report_id, cause, group, features):
        super().__init__({"id": report_id, "cause": cause}, 0, group, set(features), [])


def test_a_pass_is_answered_by_a_model_its_repositories_did_not_train(monkeypatch):
    # the held repository says "decode" means the interpreter; three others say a too-new
    # dependency: only a model fitted without the held repository gets the pass's report right
    data = [_Example("pass-report", "dependency-too-new", "o/held", {"word:decode"})]
    data += [_Example(f"held-{i}", "wrong-interpreter", "o/held", {"word:decode"})
             for i in range(12)]
    data += [_Example(f"other-{i}", "dependency-too-new", f"o/r{i % 3}", {"word:decode"})
             for i in range(6)]
    data += [_Example(f"pad-{i}", "wrong-interpreter", f"o/r{i % 3}", {"word:jupyter"})
             for i in range(6)]
    monkeypatch.setattr(settings, "_DATA", data)
    monkeypatch.setattr(settings, "_PASSES", {"p": ["pass-report", "never-an-example"]})
    monkeypatch.setattr(settings, "pass_groups", lambda ids: {"o/held"})
    setting, name, reports, top1, top3, _ = settings.score((SHIPPED, "p"))
    assert (setting, name, reports, top1, top3) == (SHIPPED, "p", 2, 1, 1)
    assert (tr.MIN_REPOSITORIES, tr.STEPS) == (3, 250)  # the module's settings restored


def test_a_pass_reports_repository_is_read_from_its_source():
    assert settings.pass_groups(["tfa-470-activation-ops-undefined-symbol-tf2-beta"]) == {
        "tensorflow/addons"}


def test_another_setting_wins_only_with_1_percent_more_right_first_and_no_fewer_in_three():
    reports = 430  # 1 % is 4.3 reports
    assert settings.chosen({SHIPPED: (300, 350), (0.1, 3, 250): (304, 360)}, reports,
                           SHIPPED) == SHIPPED
    assert settings.chosen({SHIPPED: (300, 350), (0.1, 3, 250): (305, 350)}, reports,
                           SHIPPED) == (0.1, 3, 250)
    assert settings.chosen({SHIPPED: (300, 350), (0.1, 3, 250): (305, 349)}, reports,
                           SHIPPED) == SHIPPED


def test_among_winners_the_most_right_first_wins_and_a_tie_goes_to_the_nearer_setting():
    totals = {SHIPPED: (300, 350), (3.0, 5, 250): (306, 350), (0.1, 3, 250): (306, 351),
              (1.0, 2, 250): (305, 360)}
    assert settings.chosen(totals, 430, SHIPPED) == (0.1, 3, 250)
    totals[(3.0, 5, 250)] = (307, 350)
    assert settings.chosen(totals, 430, SHIPPED) == (3.0, 5, 250)
