"""`keras-doctor db info` / `db update`: output, exit codes, and a failed update harms nothing."""

from __future__ import annotations

import http.server
import json
import threading

import pytest
from kb_helpers import BUILD_CACHE, EmptyIndex, copy_data, serve

from keras_doctor.cli import main
from keras_doctor.knowledge import load, paths


def test_info_names_the_loaded_copy(user_data_dir, capsys):
    assert main(["db", "info"]) == 0
    out = capsys.readouterr()
    assert "embedded copy" in out.out and str(paths.EMBEDDED_DIR) in out.out
    assert "releases/tensorflow.json" in out.out and "not present" in out.out
    assert "warning" not in out.err


def test_info_json(user_data_dir, capsys):
    copy_data(user_data_dir, "2099-01-01T00:00:00Z")
    assert main(["db", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["loaded"]["origin"] == "user" and info["loaded"]["path"] == str(user_data_dir)
    assert info["loaded"]["bytes"] > 100_000 and "atlas.json" in info["loaded"]["files"]
    assert {c["origin"] for c in info["copies"]} == {"embedded", "user"}


def test_info_warns_when_the_data_is_older_than_180_days(
    user_data_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(paths, "EMBEDDED_DIR", copy_data(tmp_path / "old", "2020-01-01T00:00:00Z"))
    assert main(["db", "info"]) == 0
    err = capsys.readouterr().err
    assert "days old" in err and "keras-doctor db update" in err


def test_info_without_any_data_is_a_doctor_failure(user_data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(paths, "EMBEDDED_DIR", tmp_path / "missing")
    assert main(["db", "info"]) == 3
    assert "no knowledge base" in capsys.readouterr().err


def test_db_without_a_subcommand_is_a_usage_error(capsys):
    assert main(["db"]) == 2


class _NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def dead_index(monkeypatch, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    monkeypatch.setenv(
        "KERAS_DOCTOR_INDEX_URL", f"http://127.0.0.1:{server.server_address[1]}/simple"
    )
    monkeypatch.setenv("KERAS_DOCTOR_BUILD_CACHE", str(tmp_path / "build-cache"))
    yield
    server.shutdown()


def test_failed_update_keeps_the_previous_data(user_data_dir, dead_index, capsys):
    copy_data(user_data_dir, "2099-01-01T00:00:00Z")
    before = {p.name: p.stat().st_mtime_ns for p in user_data_dir.iterdir()}
    assert main(["db", "update"]) == 3
    assert "previous data stays in use" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in user_data_dir.iterdir()} == before
    assert [p.name for p in user_data_dir.parent.iterdir() if p.name.startswith(".")] == []
    assert load().origin == "user"


@pytest.fixture
def empty_index(monkeypatch, tmp_path):
    server = serve(EmptyIndex)
    monkeypatch.setenv("KERAS_DOCTOR_INDEX_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setenv("KERAS_DOCTOR_BUILD_CACHE", str(tmp_path / "build-cache"))
    yield
    server.shutdown()


def test_update_refuses_a_snapshot_that_lost_releases(user_data_dir, empty_index):
    from keras_doctor.knowledge.build.update import UpdateError, update

    with pytest.raises(UpdateError, match="releases"):
        update(parts=("releases",), progress=lambda _: None)
    assert not user_data_dir.exists() and load().origin == "embedded"


def test_update_from_an_index_without_files_fails_cleanly(user_data_dir, empty_index, capsys):
    assert main(["db", "update"]) == 3
    assert "previous data stays in use" in capsys.readouterr().err
    assert not user_data_dir.exists()
    assert [p.name for p in user_data_dir.parent.iterdir() if p.name.startswith(".")] == []


def test_failed_first_update_leaves_no_user_copy(user_data_dir, dead_index):
    assert main(["db", "update"]) == 3
    assert not user_data_dir.exists() and load().origin == "embedded"


@pytest.mark.slow
def test_update_installs_a_fresh_snapshot_that_load_prefers(user_data_dir, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_DOCTOR_BUILD_CACHE", str(BUILD_CACHE))
    assert main(["db", "update"]) == 0
    assert str(user_data_dir) in capsys.readouterr().out
    kb = load()
    assert kb.origin == "user" and kb.directory == user_data_dir
    assert kb.releases("tensorflow") and kb.atlas.sampled("keras")
    assert kb.generated_at > load_embedded_time()


def load_embedded_time():
    from keras_doctor.knowledge import KnowledgeBase

    return KnowledgeBase(paths.EMBEDDED_DIR).generated_at
