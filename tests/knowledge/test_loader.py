"""Which copy `load` picks, and that a check pays only for the files it reads."""

from __future__ import annotations

import json

import pytest
from kb_helpers import copy_data

from keras_doctor import knowledge
from keras_doctor.knowledge import KnowledgeBase, KnowledgeError, load, paths


def test_embedded_copy_is_used_when_the_user_has_none(user_data_dir):
    kb = load()
    assert kb.origin == "embedded" and kb.directory == paths.EMBEDDED_DIR
    assert kb.age_days >= 0


def test_newer_user_copy_wins_over_the_embedded_one(user_data_dir):
    copy_data(user_data_dir, "2099-01-01T00:00:00Z")
    kb = load()
    assert kb.origin == "user" and kb.directory == user_data_dir


def test_older_user_copy_loses_to_the_embedded_one(user_data_dir):
    copy_data(user_data_dir, "2001-01-01T00:00:00Z")
    assert load().origin == "embedded"


def test_unreadable_user_copy_is_ignored(user_data_dir):
    user_data_dir.mkdir()
    (user_data_dir / "manifest.json").write_text("{not json")
    assert load().origin == "embedded"


def test_user_copy_missing_a_file_is_ignored(user_data_dir):
    copy_data(user_data_dir, "2099-01-01T00:00:00Z")
    (user_data_dir / "atlas.json").unlink()
    assert load().origin == "embedded"


def test_user_copy_of_another_format_is_ignored(user_data_dir):
    copy_data(user_data_dir, "2099-01-01T00:00:00Z")
    manifest = json.loads((user_data_dir / "manifest.json").read_text())
    manifest["format"] = 999
    (user_data_dir / "manifest.json").write_text(json.dumps(manifest))
    assert load().origin == "embedded"


def test_user_copy_whose_manifest_lists_no_files_is_ignored(user_data_dir):
    copy_data(user_data_dir, "2099-01-01T00:00:00Z")
    manifest = json.loads((user_data_dir / "manifest.json").read_text())
    del manifest["files"]
    (user_data_dir / "manifest.json").write_text(json.dumps(manifest))
    assert load().origin == "embedded"
    with pytest.raises(KnowledgeError, match="lists no data files"):
        KnowledgeBase(user_data_dir)


def test_default_user_dir_is_the_platform_cache_dir(monkeypatch, isolated_home):
    monkeypatch.delenv("KERAS_DOCTOR_DATA_DIR", raising=False)
    folder = paths.user_data_dir()
    assert str(folder).startswith(str(isolated_home))
    assert folder.parts[-2:] == ("keras-doctor", "knowledge")


def test_folder_without_manifest_is_refused(tmp_path):
    with pytest.raises(KnowledgeError):
        KnowledgeBase(tmp_path)


def test_release_table_loads_without_the_atlas(user_data_dir):
    kb = load()
    kb.releases("tensorflow")
    assert set(kb._files) == {"releases/tensorflow.json"}
    kb.atlas.lookup("keras.applications", "VGG16", "3.3.3")
    assert "atlas.json" in kb._files


def test_module_docstring_documents_every_query_method():
    documented = knowledge.__doc__
    for name in (
        "releases",
        "release",
        "requires_for",
        "wheel_for",
        "newest_release",
        "tf_numpy_abi",
        "metal_for_tf",
        "metal_release",
        "atlas.lookup",
        "atlas.where",
        "atlas.closest",
        "keras3_removed",
        "weights",
        "age_days",
    ):
        assert f".{name}" in documented, name
        assert hasattr(KnowledgeBase, name.split(".")[0]), name
