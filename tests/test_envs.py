"""The test-environment cache itself: where it lives, what it says while building, what it shares.

A newcomer's first run downloads gigabytes; these keep that run affordable and visible.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import envs
import pytest


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(envs, "CACHE_ROOT", tmp_path / "cache")
    return tmp_path / "cache"


def test_the_cache_follows_xdg_cache_home_unless_told_where(tmp_path):
    def where(**env):
        base = {k: v for k, v in os.environ.items()
                if k not in ("XDG_CACHE_HOME", "KERAS_DOCTOR_TEST_CACHE", "UV_CACHE_DIR")}
        proc = subprocess.run(
            [sys.executable, "-c", "import envs; print(envs.CACHE_ROOT); print(envs.UV_CACHE_DIR)"],
            cwd=Path(__file__).parent, env={**base, "HOME": str(tmp_path), **env},
            capture_output=True, text=True, check=True)
        return proc.stdout.split()

    assert where() == [str(tmp_path / ".cache" / "keras-doctor-tests"),
                       str(tmp_path / ".cache" / "uv")]
    assert where(XDG_CACHE_HOME="/x") == ["/x/keras-doctor-tests", "/x/uv"]
    assert where(XDG_CACHE_HOME="/x", KERAS_DOCTOR_TEST_CACHE="/y")[0] == "/y"


def test_a_build_says_when_it_starts_and_what_it_cost_once(cache, monkeypatch):
    lines = []
    monkeypatch.setattr(envs, "progress", lines.append)

    def build(root, log):
        (root / "payload").write_bytes(b"x" * 2_000_000)

    first = envs._cached("venvs", "tiny", {"spec": 1}, build)
    again = envs._cached("venvs", "tiny", {"spec": 1}, build)
    assert first == again
    assert len(lines) == 2, lines
    assert lines[0].startswith("keras-doctor tests: building venvs/tiny in ")
    assert lines[1].startswith("keras-doctor tests: built venvs/tiny: 2 MB of new files in ")


def test_a_nearly_full_disk_stops_the_run_before_a_build_starts(cache, monkeypatch):
    monkeypatch.setattr(envs, "MIN_FREE_GB", 1e12)
    built = []
    with pytest.raises(pytest.exit.Exception, match="GB free where the test environments"):
        envs._cached("venvs", "big", {"spec": 2}, lambda root, log: built.append(root))
    assert built == []
    assert [p for p in (cache / "venvs").iterdir() if not p.name.endswith(".lock")] == []


def test_trees_share_files_by_hard_links_and_a_later_wheel_replaces_a_whole_package(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "pkg").mkdir(parents=True)
    (first / "pkg" / "removed_later.py").write_text("1")
    (first / "pkg" / "kept.py").write_text("first")
    (first / "alone.py").write_text("")
    (second / "pkg").mkdir(parents=True)
    (second / "pkg" / "kept.py").write_text("second")

    tree = envs.compose_tree(tmp_path / "tree", [first, second])

    assert sorted(p.name for p in tree.iterdir()) == ["alone.py", "pkg"]
    assert [p.name for p in (tree / "pkg").iterdir()] == ["kept.py"]  # as pip --target --upgrade
    assert (tree / "pkg" / "kept.py").read_text() == "second"
    assert os.stat(tree / "pkg" / "kept.py").st_ino == os.stat(second / "pkg" / "kept.py").st_ino
    assert os.stat(tree / "alone.py").st_ino == os.stat(first / "alone.py").st_ino
