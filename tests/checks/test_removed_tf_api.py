"""TensorFlow 2 code calling a name a later TensorFlow 2 removed: the table read from the wheels,
the check on both sides of the release that removed the name, and explain on both sides of the
TensorFlow 1 / TensorFlow 2 line.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from factories import dist, mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.explain import explain_text, tf1
from keras_doctor.facts.model import ConfigFacts, ScriptName
from keras_doctor.facts.scripts import tensorflow_names

CAUSE = "code-uses-removed-tensorflow-api"
SCRIPT = """import tensorflow as tf
est = tf.estimator.DNNClassifier(hidden_units=[10], feature_columns=[])
devices = tf.config.experimental_list_devices()
x = tf.nn.relu(tf.constant([1.0]))
"""


def _knowledge():
    from keras_doctor import knowledge

    return knowledge.load()


def _findings(tf_version, names):
    facts = mac_facts(distributions=[dist("tensorflow", tf_version)])
    facts = replace(facts, config=replace(facts.config or ConfigFacts(), tensorflow_names=names))
    return [f for f in run_checks(facts, _knowledge).findings if f.cause == CAUSE]


def test_the_table_knows_estimator_left_in_2_16_and_keeps_what_stayed():
    assert tf1.removed_in_tf2("tensorflow", "estimator") == {"last_seen": "2.15.1",
                                                             "gone_in": "2.16.1"}
    assert tf1.removed_in_tf2("tensorflow", "constant") is None
    assert tf1.removed_in_tf2("tensorflow", "placeholder") is None  # 1.x only: the other cause


@pytest.mark.parametrize(("installed", "expected"), [
    ("2.16.2", {"tf.estimator", "tf.config.experimental_list_devices"}),
    ("2.15.1", {"tf.config.experimental_list_devices"}),  # estimator is still there
    ("2.0.0", set()),  # experimental_list_devices too
])
def test_check_names_what_the_installed_tensorflow_removed(tmp_path, installed, expected):
    (tmp_path / "train.py").write_text(SCRIPT)
    found = _findings(installed, tensorflow_names(str(tmp_path)))
    names = {n.split(" ")[0] for f in found for n in f.evidence["removed_names"]}
    assert names == expected


def test_check_pins_a_release_that_still_has_the_names():
    names = [ScriptName(path="/w/train.py", line=2, name="estimator.Estimator")]
    (found,) = _findings("2.17.0", names)
    assert any(step.command and "tensorflow<=2.15.1" in step.command for step in found.fix)


@pytest.mark.parametrize("error", [
    "AttributeError: module 'tensorflow' has no attribute 'estimator'",
    "ImportError: cannot import name 'estimator' from 'tensorflow' "
    "(/opt/venv/lib/python3.11/site-packages/tensorflow/__init__.py)",
    "AttributeError: module 'tensorflow._api.v2.config' has no attribute "
    "'experimental_list_devices'",
])
def test_explain_names_the_removal(error):
    finding = explain_text(error + "\n").findings[0]
    assert finding.cause == CAUSE
    assert finding.evidence["last_seen"].startswith("tensorflow 2.")


@pytest.mark.parametrize(("error", "cause"), [
    ("AttributeError: module 'tensorflow' has no attribute 'placeholder'", "tf1-api-under-tf2"),
    ("AttributeError: module 'tensorflow' has no attribute 'contrib'", "tf1-api-under-tf2"),
])
def test_tensorflow_1_names_stay_their_own_cause(error, cause):
    causes = [f.cause for f in explain_text(error + "\n").findings]
    assert causes[0] == cause and CAUSE not in causes
