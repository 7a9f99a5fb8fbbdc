"""The test-environment cache itself: where it lives, what it says while building, what it shares.

A newcomer's first run downloads gigabytes; these keep that run affordable and visible.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import envs
import pytest


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(envs, "CACHE_ROOT", tmp_path / "cache")
    monkeypatch.setattr(envs, "progress", lambda line: None)
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


def test_a_wheel_laid_over_an_environment_replaces_files_as_an_installer_would(tmp_path):
    env = tmp_path / "env"
    site, scripts = env / "lib" / "python3.11" / "site-packages", env / "bin"
    (site / "pkg").mkdir(parents=True)
    scripts.mkdir()
    cached = tmp_path / "uv-cache-file"  # what uv hard-linked the first build's file from
    cached.write_text("first build")
    os.link(cached, site / "pkg" / "shared.py")
    (site / "pkg" / "first_only.py").write_text("kept")
    (scripts / "tool").write_text("first build's script")
    wheel = tmp_path / "unpacked"
    (wheel / "pkg").mkdir(parents=True)
    (wheel / "pkg" / "shared.py").write_text("second build")
    (wheel / "bin").mkdir()
    (wheel / "bin" / "tool").write_text("second build's script")
    (wheel / "second-1.0.dist-info").mkdir()
    (wheel / "second-1.0.dist-info" / "RECORD").write_text(
        "pkg/shared.py,sha256=x,12\n../../bin/tool,sha256=y,22\nsecond-1.0.dist-info/RECORD,,\n")

    envs.overlay_files(wheel, site, scripts)

    assert (site / "pkg" / "shared.py").read_text() == "second build"
    assert cached.read_text() == "first build"  # replaced by a new link, never written through
    assert (site / "pkg" / "first_only.py").read_text() == "kept"
    assert (scripts / "tool").read_text() == "second build's script"
    assert not (site / "bin").exists()
    record = (site / "second-1.0.dist-info" / "RECORD").read_text().splitlines()
    assert record[1] == "../../../bin/tool,sha256=y,22"  # where it is, from site-packages
    assert (site / record[1].split(",")[0]).resolve() == (scripts / "tool").resolve()
    assert (wheel / "second-1.0.dist-info" / "RECORD").read_text().count("../../bin/") == 1


BINARIES = Path(__file__).parent / "data" / "binaries"


def test_a_hollow_file_keeps_its_size_and_what_the_readers_read_and_costs_no_disk(tmp_path):
    from keras_doctor.facts.binfmt import read_header
    from keras_doctor.facts.macho_symbols import (
        read_dylibs,
        read_exported_symbols,
        read_undefined_symbols,
    )

    site = tmp_path / "site-packages"
    (site / "pkg-1.0.dist-info").mkdir(parents=True)
    (site / "pkg-1.0.dist-info" / "METADATA").write_text("Name: pkg\nVersion: 1.0\n")
    (site / "pkg").mkdir()
    (site / "pkg" / "big.py").write_bytes(b"x = 1\n" * 200_000)
    for name in ("macho-arm64-symbols.so", "macho-universal2.so"):
        original = site / "pkg" / name
        original.write_bytes((BINARIES / name).read_bytes())
    whole = tmp_path / "whole"
    envs.copy_tree(site, whole)  # hard links: hollowing must leave these intact

    envs.hollow_tree(site, symbols=True)

    assert (site / "pkg-1.0.dist-info" / "METADATA").read_text() == "Name: pkg\nVersion: 1.0\n"
    big = site / "pkg" / "big.py"
    assert big.stat().st_size == 1_200_000 and big.stat().st_blocks == 0
    assert (whole / "pkg" / "big.py").read_bytes() == b"x = 1\n" * 200_000
    for name in ("macho-arm64-symbols.so", "macho-universal2.so"):
        hollow, kept = site / "pkg" / name, whole / "pkg" / name
        assert hollow.stat().st_size == kept.stat().st_size
        assert read_header(hollow) == read_header(kept)
        assert read_dylibs(hollow, "x86_64" if "universal" in name else "arm64") == \
            read_dylibs(kept, "x86_64" if "universal" in name else "arm64")
    symbols = site / "pkg" / "macho-arm64-symbols.so"
    assert read_exported_symbols(symbols) == read_exported_symbols(
        whole / symbols.relative_to(site))
    assert read_undefined_symbols(symbols) == read_undefined_symbols(
        whole / symbols.relative_to(site))


@pytest.mark.slow
def test_check_reads_a_hollow_real_macos_tree_exactly_as_the_whole_one(tmp_path):
    """The Mac suite's trees are hollow: the facts check collects from one must not change."""
    import dataclasses
    import json

    from keras_doctor.facts.collect import collect_path
    from keras_doctor.facts.macho_symbols import read_exported_symbols

    def facts(site):
        data = dataclasses.asdict(collect_path(str(site), "macos-arm64", "3.11"))
        data.pop("collected_at")
        return json.loads(json.dumps(data, default=str).replace(str(site), "SITE"))

    pins = ["numpy==1.26.4", "h5py==3.11.0", "grpcio==1.64.1"]  # shared with the check tests
    whole = envs.compose_tree(tmp_path / "whole", [
        envs.unpacked_wheel(pin, "macosx_12_0_arm64", "3.11") for pin in pins])
    headers = envs.copy_tree(whole, tmp_path / "headers")
    envs.hollow_tree(headers, symbols=False)
    symbols = envs.copy_tree(whole, tmp_path / "symbols")
    envs.hollow_tree(symbols, symbols=True)
    assert len(facts(whole)["binaries"]) > 20
    assert facts(headers) == facts(whole) == facts(symbols)
    for library in sorted(whole.rglob("*.so"))[:10]:
        assert read_exported_symbols(symbols / library.relative_to(whole)) == \
            read_exported_symbols(library)


def test_a_hollow_wheel_is_cached_apart_from_the_whole_one(cache, monkeypatch):
    def fake_pip(argv, log):
        target = Path(argv[argv.index("--target") + 1])
        (target / "pkg").mkdir(parents=True)
        (target / "pkg" / "module.py").write_text("x = 1\n")

    monkeypatch.setattr(envs, "_run", fake_pip)
    whole = envs.unpacked_wheel("pkg==1.0", "macosx_12_0_arm64", "3.11")
    hollow = envs.unpacked_wheel("pkg==1.0", "macosx_12_0_arm64", "3.11", hollow="headers")
    assert whole != hollow
    assert (whole / "pkg" / "module.py").read_text() == "x = 1\n"
    assert (hollow / "pkg" / "module.py").read_bytes() == b"\0" * 6


def test_bytecode_is_compiled_only_in_venvs_that_ask_for_it(cache, monkeypatch):
    commands = []
    monkeypatch.setattr(envs, "_run", lambda argv, log: commands.append(list(argv)))
    envs.venv("plain", [["numpy==2.1.3"]])
    envs.venv("compiled", [["numpy==2.1.3"]], compile_bytecode=True)
    installs = [argv for argv in commands if "install" in argv]
    assert ["--compile-bytecode" in argv for argv in installs] == [False, True]


def test_a_run_leaves_nothing_in_tmpdir_not_even_what_a_killed_installer_left(tmp_path):
    """A process a test starts (uv killed mid-install, say) writes into TMPDIR; the run's TMPDIR
    is its own and is gone when the run ends."""
    tests = Path(__file__).parent
    seen = tmp_path / "seen.txt"
    (tmp_path / "test_leaves_a_folder.py").write_text(
        "import os, subprocess, tempfile\n"
        "def test_left_behind():\n"
        "    subprocess.run(['sh', '-c', 'mkdir -p \"$TMPDIR/.tmpLeft\" && echo x > "
        "\"$TMPDIR/.tmpLeft/f\"'], check=True)\n"
        f"    open({str(seen)!r}, 'w').write(os.environ['TMPDIR'])\n"
        "    assert os.environ['TMPDIR'] != tempfile.gettempdir()\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "inner"), str(tmp_path / "test_leaves_a_folder.py")],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tests)}, capture_output=True,
        text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    scratch = Path(seen.read_text())
    assert scratch.name.startswith("keras-doctor-tests-tmp-")
    assert not scratch.exists()


def _inner_run(tmp_path: Path, test_source: str, workers: str, **env: str):
    """pytest with this suite's conftest on one test file, in one process (`-n 0`) or in
    pytest-xdist workers (`-n 2`), as README's and CONTRIBUTING's commands run it."""
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(test_source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider",
         "-n", workers, "--basetemp", str(tmp_path / "inner"), str(test_file)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent), **env},
        capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("workers", ["0", "2"])
@pytest.mark.parametrize("leaves_it", [True, False])
def test_keras_fallback_folder_left_by_a_test_fails_the_run_once_in_one_process_or_many(
        tmp_path, workers, leaves_it):
    """Keras writes to its fallback folder when the HOME it is given does not exist; a test that
    leaves it fails the run, and the folder goes. Under pytest-xdist the check must be the
    controller's, after every worker: a worker's verdict would not fail the run."""
    fallback = tmp_path / "fallback-keras"
    proc = _inner_run(
        tmp_path,
        "import os\n"
        "def test_a():\n"
        f"    {'os.mkdir(' + repr(str(fallback)) + ')' if leaves_it else 'pass'}\n"
        "def test_b():\n"
        "    pass\n",
        workers, KERAS_DOCTOR_TEST_KERAS_FALLBACK=str(fallback))
    output = proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout, output[-2000:]
    assert proc.returncode == (1 if leaves_it else 0), output[-2000:]
    assert output.count("a test left Keras's fallback folder") == (1 if leaves_it else 0)
    assert not fallback.exists()


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_builds_progress_reaches_the_terminal_from_one_process_or_many(tmp_path, workers):
    """A cold run builds for minutes: its progress lines must show past pytest's capture, and
    from a pytest-xdist worker too, whose own stdout goes nowhere."""
    proc = _inner_run(
        tmp_path,
        "import envs\n"
        "def test_build():\n"
        "    envs.progress('keras-doctor tests: building venv/x')\n",
        workers)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    shown = [line for line in (proc.stdout + proc.stderr).splitlines()
             if line.endswith("keras-doctor tests: building venv/x")]
    assert len(shown) == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    worker = "" if workers == "0" else r"\[gw[01]\] "
    assert re.fullmatch(worker + "keras-doctor tests: building venv/x", shown[0])
