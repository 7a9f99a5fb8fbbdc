"""The names TensorFlow 1.0 took away: 0.x code under a later TensorFlow, not a TensorFlow too old.

`module 'tensorflow' has no attribute 'pack'` was read as a TensorFlow too old for the name (the
API table starts at 1.13.1 and knows nothing of 0.x). `knowledge.build.tf_renamed` reads the
0.12.1 and 1.0.0 wheels for the names public in one and not the other, and the replacement the
old release's deprecation or 1.0.0's release notes name.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from keras_doctor.explain import explain_text, tf1
from keras_doctor.knowledge.build import tf_renamed


def _first(text: str):
    return explain_text(text).findings[0]


@pytest.mark.parametrize(("name", "replacement"), [
    ("pack", "tf.stack"), ("mul", "tf.multiply"), ("histogram_summary", "tf.summary.histogram"),
    ("merge_all_summaries", "tf.summary.merge_all"),
])
def test_a_name_tensorflow_1_took_away_is_a_tensorflow_newer_than_the_code(name, replacement):
    first = _first(f"AttributeError: module 'tensorflow' has no attribute '{name}'")
    assert first.cause == "dependency-too-new"
    assert first.evidence["replacement"] == replacement
    assert (first.evidence["last_with"], first.evidence["gone_in"]) == ("tensorflow 0.12.1",
                                                                         "tensorflow 1.0.0")
    assert first.evidence["source"] == "tensorflow-0.12.1-cp35-cp35m-manylinux1_x86_64.whl"
    assert first.evidence["name"] == f"tf.{name}"
    # the mechanism of the cause it resolved to, not the generic missing-attribute one
    assert "newer than the code" in first.explanation
    assert replacement in first.fix[0].description


def test_a_tensorflow_submodule_naming_it_is_read_too():
    first = _first("AttributeError: module 'tensorflow.python.training.training' has no "
                   "attribute 'SummaryWriter'")
    assert first.cause == "dependency-too-new"
    assert first.evidence["replacement"] == "tf.summary.FileWriter"


@pytest.mark.parametrize("text", [
    # the new name missing is no TensorFlow newer than the code
    "AttributeError: module 'tensorflow' has no attribute 'stack'",
    # nor is another package's name of the same spelling
    "AttributeError: module 'numpy' has no attribute 'pack'",
])
def test_only_a_tensorflow_module_missing_an_old_name_is_read_so(text):
    assert all("gone_in" not in f.evidence for f in explain_text(text).findings)


def test_the_shipped_table_cites_the_wheels_and_the_notes_it_was_read_from():
    assert tf1.taken_away_at_1_0("tensorflow", "pack") is not None
    assert tf1.taken_away_at_1_0("keras", "pack") is None
    assert tf1.taken_away_at_1_0("tensorflow", "stack") is None
    import json

    document = json.loads(tf1.RENAMED.read_text(encoding="utf-8"))
    assert document["sources"] == ["tensorflow-0.12.1-cp35-cp35m-manylinux1_x86_64.whl",
                                   "tensorflow-1.0.0-cp35-cp35m-manylinux1_x86_64.whl",
                                   tf_renamed.NOTES_URL]
    said = {name: entry["said_by"] for name, entry in document["names"].items()}
    assert said["histogram_summary"] == "deprecation" and said["pack"] == "release notes"


def test_a_table_missing_or_bare_claims_nothing_it_does_not_say(tmp_path, monkeypatch):
    monkeypatch.setattr(tf1, "RENAMED", tmp_path / "absent.json")
    assert tf1.taken_away_at_1_0("tensorflow", "pack") is None
    bare = tmp_path / "tf_renamed.json"
    bare.write_text('{"sources": ["w.whl"], "names": {"pack": {"replacement": "tf.stack"}}}',
                    encoding="utf-8")
    monkeypatch.setattr(tf1, "RENAMED", bare)
    found = tf1.taken_away_at_1_0("tensorflow", "pack")
    # no release recorded: none named
    assert found is not None and (found["last_with"], found["gone_in"]) == ("tensorflow",
                                                                            "tensorflow")
    assert found["source"] == "w.whl"


# -- the builder's reading, on two small wheels laid out as 0.12.1 and 1.0.0 lay theirs out --


def _wheel(path: Path, files: dict) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, source in files.items():
            archive.writestr(f"tensorflow-{path.name.split('-')[1]}.data/purelib/{name}", source)
    return path


OLDER = {
    "tensorflow/python/__init__.py": "_allowed_symbols = ['Event']\n"
                                     "_allowed_symbols.extend(['mul', 'ghost'])\n",
    "tensorflow/python/ops/array_ops.py": '"""@@pack\n@@stack\n@@squeeze"""\n'
                                          "def pack(x): pass\ndef stack(x): pass\n"
                                          "def squeeze(x): pass\n",
    "tensorflow/python/ops/gen_math_ops.py": "def mul(x, y): pass\ndef multiply(x, y): pass\n",
    "tensorflow/python/ops/logging_ops.py": (
        '"""@@scalar_summary\n@@undocumented_later"""\n'
        "@deprecated('2016-11-30', 'Please switch to tf.summary.scalar. Note that ')\n"
        "def scalar_summary(tag, values): pass\n"
        "def undocumented_later(): pass\n"),
    "tensorflow/python/ops/logging_ops_test.py": '"""@@only_in_a_test"""\n'
                                                 "def only_in_a_test(): pass\n",
}
NEWER = {
    "tensorflow/python/__init__.py": "_allowed_symbols = ['Event']\n"
                                     # listed, defined nowhere
                                     "_allowed_symbols.extend(['mul'])\n",
    "tensorflow/python/ops/array_ops.py": '"""@@stack\n@@squeeze"""\n'
                                          "def stack(x): pass\ndef squeeze(x): pass\n",
    "tensorflow/python/ops/math_ops.py": '"""@@multiply"""\ndef multiply(x, y): pass\n',
    "tensorflow/python/summary/summary.py": '"""@@scalar"""\ndef scalar(name, t): pass\n',
}


def test_the_builder_reads_what_remove_undocumented_leaves_public(tmp_path):
    older = _wheel(tmp_path / "tensorflow-0.12.1-cp35-cp35m-manylinux1_x86_64.whl", OLDER)
    newer = _wheel(tmp_path / "tensorflow-1.0.0-cp35-cp35m-manylinux1_x86_64.whl", NEWER)
    before = tf_renamed.public_names(tf_renamed._python_sources(older))
    after = tf_renamed.public_names(tf_renamed._python_sources(newer))
    # listed but defined nowhere is not public; documented and defined is; tests are not read
    assert "ghost" not in before and "mul" in before and "mul" not in after
    assert {"pack", "stack", "scalar_summary"} <= before and "only_in_a_test" not in before
    document = tf_renamed.build(older, newer)
    assert document["names"] == {
        "mul": {"replacement": "tf.multiply", "said_by": "release notes"},
        "pack": {"replacement": "tf.stack", "said_by": "release notes"},
        "scalar_summary": {"replacement": "tf.summary.scalar", "said_by": "deprecation"},
    }  # undocumented_later has no replacement anywhere: left out
    assert (document["last_with"], document["gone_in"]) == ("0.12.1", "1.0.0")


def test_a_replacement_the_newer_release_lacks_is_not_offered(tmp_path):
    older = _wheel(tmp_path / "tensorflow-0.12.1-x.whl", OLDER)
    newer = _wheel(tmp_path / "tensorflow-1.0.0-x.whl",
                   {**NEWER, "tensorflow/python/ops/array_ops.py": '"""@@squeeze"""\n'
                                                                   "def squeeze(x): pass\n"})
    assert "pack" not in tf_renamed.build(older, newer)["names"]


def test_the_builder_refuses_what_is_not_a_wheel(tmp_path, capsys):
    text = tmp_path / "a.whl"
    text.write_text("not a zip")
    with pytest.raises(SystemExit):
        tf_renamed.main(["--older", str(text), "--newer", str(text), "--out", str(tmp_path)])
    assert "not a wheel" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tf_renamed.main(["--older", str(text), "--out", str(tmp_path)])
    assert "both --older and --newer" in capsys.readouterr().err


@pytest.mark.slow
def test_the_shipped_table_is_what_the_real_wheels_give():
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from envs import REAL_HOME

    from keras_doctor.knowledge.build.fetch import Fetcher

    fetcher = Fetcher(REAL_HOME / ".cache" / "keras-doctor" / "build-cache",
                      progress=lambda message: None)
    older, newer = tf_renamed.fetch_wheels(fetcher)
    import json

    shipped = json.loads(tf1.RENAMED.read_text(encoding="utf-8"))
    assert tf_renamed.build(older, newer)["names"] == shipped["names"]
