"""TensorFlow 1 code in the working directory under an installed TensorFlow 2: facts, check,
explain.

The facts reader records which TensorFlow names the directory's scripts and notebooks use (real
files in a temporary folder); the check says which of them only TensorFlow 1 has, with the
installed TensorFlow on both sides of 2.0; explain's answer is confirmed by it.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from factories import dist, mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.explain import explain_text
from keras_doctor.facts.config import read_config
from keras_doctor.facts.model import ConfigFacts, Facts, ScriptName
from keras_doctor.facts.scripts import tensorflow_names

TF1_SCRIPT = """import tensorflow as tf
from tensorflow.contrib import slim
from keras import backend as K

x = tf.placeholder(tf.float32, [None, 10])
opt = tf.train.AdamOptimizer(0.01)
sess = tf.compat.v1.Session()
K.set_session(sess)
y = tf.nn.relu(x)
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(TF1_SCRIPT)
    notebook = {"cells": [{"cell_type": "code", "source": ["sess = tf.Session()\n"]}]}
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "modern.py").write_text("import tensorflow as tf\nm = tf.keras.Sequential()\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "old.py").write_text("tf.placeholder(tf.float32)\n")
    return tmp_path


def test_the_reader_records_each_name_once_at_its_first_line(project):
    found = {(s.path.rsplit("/", 1)[-1], s.name): s.line for s in tensorflow_names(str(project))}
    assert found[("train.py", "placeholder")] == 5
    assert found[("train.py", "train.AdamOptimizer")] == 6
    assert found[("train.py", "contrib")] == 2
    assert found[("train.py", "keras.backend.set_session")] == 8
    assert ("train.py", "Session") not in found  # tf.compat.v1.Session is TF 2's own copy
    assert ("explore.ipynb", "Session") in found
    assert ("modern.py", "keras") in found
    assert not any(path == "old.py" for path, _ in found)  # subfolders are not read


def test_config_facts_carry_the_names_and_read_back(project):
    config = read_config({}, None, [], str(project))
    assert any(s.name == "placeholder" for s in config.tensorflow_names)
    facts = mac_facts(distributions=[dist("tensorflow", "2.16.2")])
    facts = replace(facts, config=replace(facts.config, tensorflow_names=config.tensorflow_names))
    again = Facts.from_dict(json.loads(json.dumps(facts.to_dict())))
    assert again.config.tensorflow_names == config.tensorflow_names


def _facts(tf_version, names):
    facts = mac_facts(distributions=[dist("tensorflow", tf_version)])
    return replace(facts, config=replace(facts.config or ConfigFacts(), tensorflow_names=names))


def _tf1_findings(facts):
    return [f for f in run_checks(facts, _knowledge).findings if f.cause == "tf1-api-under-tf2"]


def _knowledge():
    from keras_doctor import knowledge

    return knowledge.load()


def test_tensorflow_2_with_tf1_names_in_a_script_is_found(project):
    facts = _facts("2.16.2", tensorflow_names(str(project)))
    found = {f.evidence["script"].rsplit("/", 1)[-1]: f for f in _tf1_findings(facts)}
    assert set(found) == {"train.py", "explore.ipynb"}
    names = found["train.py"].evidence["tensorflow_1_names"]
    assert "tf.placeholder (line 5)" in names and "tf.train.AdamOptimizer (line 6)" in names
    assert "tf.contrib (line 2)" in names and "tf.keras.backend.set_session (line 8)" in names
    assert not any("nn.relu" in n or "compat" in n for n in names)
    assert "tensorflow 2.16.2" in found["train.py"].title


def test_tensorflow_1_with_the_same_scripts_finds_nothing(project):
    assert _tf1_findings(_facts("1.15.5", tensorflow_names(str(project)))) == []


def test_a_folder_target_has_no_working_directory_to_read():
    facts = replace(mac_facts(distributions=[dist("tensorflow", "2.16.2")]), config=None)
    report = run_checks(facts, _knowledge)
    assert any(s.check == "tf1-code" for s in report.skipped)


def test_explain_is_confirmed_by_the_script_that_will_fail():
    names = [ScriptName(path="/Users/ada/proj/train.py", line=5, name="placeholder")]
    report = explain_text("AttributeError: module 'tensorflow' has no attribute 'placeholder'",
                          _facts("2.16.2", names))
    first = report.findings[0]
    assert first.cause == "tf1-api-under-tf2"
    assert first.check == "explain+tf1-code"
    assert first.evidence["script"] == "/Users/ada/proj/train.py"


def test_each_check_of_scripts_says_why_it_skips():
    without_tf = replace(mac_facts(distributions=[dist("keras", "3.5.0")]), config=ConfigFacts())
    skipped = {s.check: s.reason for s in run_checks(without_tf, _knowledge).skipped}
    assert skipped["tf1-code"] == "no TensorFlow installed"
    folder = replace(mac_facts(distributions=[dist("tensorflow", "2.16.2")]), config=None)
    skipped = {s.check: s.reason for s in run_checks(folder, _knowledge).skipped}
    assert skipped["tf1-code"] == "no working directory was examined (a folder target)"


def test_a_tensorflow_1_only_subpackage_is_found_by_its_dotted_name():
    names = [ScriptName(path="/Users/ada/proj/old.py", line=2, name="examples"),
             ScriptName(path="/Users/ada/proj/old.py", line=2, name="examples.tutorials"),
             ScriptName(path="/Users/ada/proj/old.py", line=3, name="nn"),
             ScriptName(path="/Users/ada/proj/old.py", line=3, name="nn.rnn_cell"),
             ScriptName(path="/Users/ada/proj/old.py", line=4, name="io"),
             ScriptName(path="/Users/ada/proj/old.py", line=4, name="io.gfile")]
    (found,) = _tf1_findings(_facts("2.16.2", names))
    assert found.evidence["tensorflow_1_names"] == ["tf.examples.tutorials (line 2)",
                                                    "tf.nn.rnn_cell (line 3)"]
