"""Every reader survives hostile input: one clear line and exit 2, or a note, never a hang.

Each test here is one fault found by feeding crafted files to the real command line: before the
readers were bounded, each of them hung, crashed (exit 3), or silently dropped a whole reader so
that a real finding disappeared and `check` exited 0.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from keras_doctor.facts import binfmt, collect, config, distributions
from keras_doctor.facts.binfmt import parse_header, read_header
from keras_doctor.facts.model import Facts

BINARIES = Path(__file__).parent.parent / "data" / "binaries"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")


def doctor(*args, env=None, timeout=60):
    merged = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "keras_doctor", *args], capture_output=True,
                          text=True, timeout=timeout, env=merged)


def in_process(*args) -> subprocess.CompletedProcess:
    """The command line run inside this process, as `doctor` runs it in a child: faster, and a
    change to the readers that breaks a refusal is seen by mutation testing too."""
    from keras_doctor.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def one_line_error(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("keras-doctor: error:"), lines
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def dist_info(site: Path, name: str, version: str, requires: str = "", record: str = "") -> Path:
    folder = site / f"{name}-{version}.dist-info"
    write(folder / "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                               f"{requires}\n")
    write(folder / "RECORD", record)
    return folder


def conflicting_site(site: Path) -> Path:
    """A site folder whose one real problem (`a` needs b>=2, b 1.0 is installed) is an error."""
    dist_info(site, "a", "1.0", "Requires-Dist: b>=2")
    dist_info(site, "b", "1.0")
    return site


def causes(report: dict) -> list:
    return sorted(f["cause"] for f in report["findings"])


# -- RECORD ----------------------------------------------------------------------------------------

LONG_PATH = "x" * 200_000  # past csv.field_size_limit (131072)


@pytest.mark.parametrize("line", [f'"{LONG_PATH}",sha256=x,1', f"{LONG_PATH},sha256=x,1",
                                  f'"{LONG_PATH}'])
def test_a_record_line_past_the_csv_field_limit_loses_that_line_only(tmp_path, line):
    folder = dist_info(tmp_path, "a", "1.0",
                       record=f'a/__init__.py,,\n{line}\n"a/odd,name.py",sha256=y,5\n')
    notes: list = []
    (dist,), _ = distributions.scan([str(tmp_path)], notes)
    assert dist.error is None and dist.files[0] == "a/__init__.py"
    assert dist.files[-1] == "a/odd,name.py"
    if line.startswith('"'):
        assert notes == [f"could not read every line of {folder / 'RECORD'}: line 2 "
                         "(field larger than field limit (131072))"]


def test_a_record_with_many_unreadable_lines_names_three_and_counts_the_rest(tmp_path):
    hostile = "\n".join(f'"{LONG_PATH}",sha256=x,1' for _ in range(5))
    folder = dist_info(tmp_path, "a", "1.0", record=f"a/__init__.py,,\n{hostile}\n")
    notes: list = []
    (dist,), _ = distributions.scan([str(tmp_path)], notes)
    assert dist.files == ["a/__init__.py"]
    limit = "(field larger than field limit (131072))"
    assert notes == [f"could not read every line of {folder / 'RECORD'}: line 2 {limit}, "
                     f"line 3 {limit}, line 4 {limit} and 2 more"]


def test_check_python_keeps_every_distribution_when_one_record_is_hostile(tmp_path):
    site = conflicting_site(tmp_path / "site")
    dist_info(site, "c", "1.0", record=f'"{LONG_PATH}",sha256=x,1\n')
    proc = doctor("check", "--python", sys.executable, "--json", env={"PYTHONPATH": str(site)})
    assert proc.returncode == 1, proc.stderr  # was 0: every distribution silently dropped
    report = json.loads(proc.stdout)
    assert "requirement-conflict" in causes(report)
    notes = [f["title"] for f in report["findings"] if f["cause"] == "facts-incomplete"]
    assert any("c-1.0.dist-info" in note and "line 1" in note for note in notes), notes


def test_check_path_with_a_hostile_record_is_not_an_internal_error(tmp_path):
    site = conflicting_site(tmp_path)
    dist_info(site, "c", "1.0", record=f'"{LONG_PATH}",sha256=x,1\n')
    proc = doctor("check", "--path", str(site), "--platform", "linux-x86_64",
                  "--python-version", "3.11", "--json")
    assert proc.returncode == 1, proc.stderr  # was 3: the csv error escaped
    assert "requirement-conflict" in causes(json.loads(proc.stdout))


def test_one_distribution_that_crashes_its_reader_is_marked_broken_not_all_lost(tmp_path,
                                                                                 monkeypatch):
    conflicting_site(tmp_path)
    dist_info(tmp_path, "c", "1.0")
    real = distributions.read_record

    def crashing(path, notes=None):
        if "c-1.0" in path:
            raise MemoryError("crafted")
        return real(path, notes)

    monkeypatch.setattr(distributions, "read_record", crashing)
    found = {d.name: d for d in distributions.scan([str(tmp_path)])[0]}
    assert found["a"].error is None and found["b"].error is None
    assert "MemoryError: crafted" in found["c"].error


def test_a_version_that_is_not_pep440_is_broken_metadata_not_an_absent_package(tmp_path):
    dist_info(tmp_path, "tensorflow", "2.15.x")
    proc = doctor("check", "--path", str(tmp_path), "--platform", "linux-x86_64",
                  "--python-version", "3.11", "--json")
    report = json.loads(proc.stdout)
    broken = [f for f in report["findings"] if f["cause"] == "broken-metadata"]
    assert broken and "'2.15.x' is not a valid version" in broken[0]["title"]


def test_a_metadata_of_a_million_folded_lines_is_read_in_linear_time(tmp_path):
    folder = dist_info(tmp_path, "a", "1.0")
    head = "Name: a\nVersion: 1.0\nRequires-Dist: b\n"
    (folder / "METADATA").write_text(head + " c\n" * 1_000_000)
    started = time.monotonic()
    (dist,), _ = distributions.scan([str(tmp_path)])
    assert time.monotonic() - started < 15  # was minutes: each folded line copied the value
    assert len(dist.requires_dist[0]) == 1 + 2 * 1_000_000


def test_binary_scans_stop_at_their_limits_and_say_so(tmp_path, monkeypatch):
    from keras_doctor.facts import binaries

    native = (BINARIES / "macho-x86_64.so").read_bytes()
    (tmp_path / "pkg").mkdir()
    for index in range(5):
        (tmp_path / "pkg" / f"n{index}.so").write_bytes(native)
    record = "".join(f"pkg/n{index}.so,,\n" for index in range(5))
    record += "".join(f"gone/{index}.so,,\n" for index in range(50))
    dist_info(tmp_path, "pkg", "1.0", record=record)
    (tmp_path / "unowned" / "deep").mkdir(parents=True)
    for index in range(30):
        (tmp_path / "unowned" / "deep" / f"f{index}.txt").write_text("")
    monkeypatch.setattr(binaries, "MAX_BINARIES", 20)
    monkeypatch.setattr(binaries, "MAX_WALKED_ENTRIES", 10)
    facts = collect.collect_path(str(tmp_path), "macos-arm64", "3.11")
    assert len(facts.binaries) == 5  # the real ones come first and are kept
    assert any("first 20 of 55 binaries" in e for e in facts.errors), facts.errors
    assert any("after 10 entries" in e for e in facts.errors), facts.errors


# -- files that are not regular files --------------------------------------------------------------


@needs_fifo
def test_keras_json_as_a_fifo_does_not_block_check(tmp_path):
    home = tmp_path / "home"
    (home / ".keras").mkdir(parents=True)
    os.mkfifo(home / ".keras" / "keras.json")
    started = time.monotonic()
    proc = doctor("check", "--json", env={"HOME": str(home)}, timeout=60)
    assert time.monotonic() - started < 30
    report = json.loads(proc.stdout)
    invalid = [f for f in report["findings"] if f["cause"] == "keras-config-invalid"]
    assert invalid and "a FIFO, not a regular file" in invalid[0]["title"]


@needs_fifo
def test_config_and_metadata_fifos_and_devices_are_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "keras.json")
    fifo = config.read_keras_json(str(tmp_path))
    assert fifo.error == "unreadable: a FIFO, not a regular file"
    assert fifo.path == str(tmp_path / "keras.json")  # the finding names the file
    device_home = tmp_path / "dev"
    device_home.mkdir()
    os.symlink("/dev/zero", device_home / "keras.json")  # endless: must not be read to the end
    device = config.read_keras_json(str(device_home))
    assert device.error == "unreadable: a device, not a regular file"
    folder = dist_info(tmp_path / "site", "a", "1.0")
    (folder / "METADATA").unlink()
    os.mkfifo(folder / "METADATA")
    os.mkfifo(dist_info(tmp_path / "site", "b", "1.0") / "WHEEL")
    notes: list = []
    found = {d.name: d for d in distributions.scan([str(tmp_path / "site")], notes)[0]}
    assert found["a"].error == "METADATA is a FIFO, not a regular file"
    assert found["b"].error is None and found["b"].wheel_tags == []
    assert notes and "WHEEL is a FIFO" in notes[0]


def test_a_huge_keras_json_is_refused_not_read_into_memory(tmp_path):
    with open(tmp_path / "keras.json", "wb") as handle:
        handle.truncate(2 << 30)  # sparse: 2 GB that cost no disk
    assert "larger than" in config.read_keras_json(str(tmp_path)).error


# -- Jupyter kernels ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    '{"argv": {"0": "python"}}', '{"argv": "python"}', '{"argv": [1, 2]}', "[1, 2]", "{bad",
    "[" * 100_000, b"\xff\xfe{}", '{"display_name": "no argv"}',
])
def test_one_malformed_kernel_is_left_out_and_noted_the_rest_kept(tmp_path, content):
    kernels = tmp_path / "jupyter" / "kernels"
    write(kernels / "good" / "kernel.json", json.dumps({"argv": ["/venv/bin/python", "-m"]}))
    bad = kernels / "bad" / "kernel.json"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    notes: list = []
    found = config.read_config({"HOME": str(tmp_path), "JUPYTER_PATH": str(tmp_path / "jupyter")},
                               None, notes)
    assert [(k.name, k.argv0) for k in found.kernel_specs] == [("good", "/venv/bin/python")]
    assert len(notes) == 1 and "Jupyter kernel 'bad'" in notes[0] and str(bad) in notes[0]


def test_a_malformed_kernel_reaches_the_report_as_facts_incomplete(tmp_path):
    write(tmp_path / ".local" / "share" / "jupyter" / "kernels" / "bad" / "kernel.json",
          '{"argv": {"0": "python"}}')
    proc = doctor("check", "--json", env={"HOME": str(tmp_path)})
    report = json.loads(proc.stdout)
    titles = [f["title"] for f in report["findings"] if f["cause"] == "facts-incomplete"]
    assert any("Jupyter kernel 'bad'" in t for t in titles), titles
    assert not any("configuration" in t for t in titles)  # the reader itself survived


# -- facts files ----------------------------------------------------------------------------------


def saved_facts(tmp_path: Path) -> dict:
    """A real snapshot (of a folder whose one problem is an error) to spoil in each test."""
    site = conflicting_site(tmp_path / "site")
    facts = collect.collect_path(str(site), "macos-arm64", "3.11")
    return facts.to_dict()


def check_facts(tmp_path: Path, document) -> subprocess.CompletedProcess:
    path = tmp_path / "facts.json"
    if isinstance(document, bytes):
        path.write_bytes(document)
    else:
        path.write_text(document if isinstance(document, str) else json.dumps(document))
    return in_process("check", "--facts", str(path))


def test_the_unspoilt_snapshot_gives_its_finding(tmp_path):
    assert check_facts(tmp_path, saved_facts(tmp_path)).returncode == 1


def test_facts_that_are_not_utf8_or_nested_too_deep_are_bad_input(tmp_path):
    assert "not UTF-8" in one_line_error(check_facts(tmp_path, b'{"schema_version": 1\xff}'))
    deep = '{"schema_version": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert "nested deeper" in one_line_error(check_facts(tmp_path, deep))
    shallow_but_deep = '{"schema_version": 1, "x": ' + "[" * 500 + "]" * 500 + "}"
    assert "nested deeper" in one_line_error(check_facts(tmp_path, shallow_but_deep))


def _spoil(document: dict, where: str, value) -> dict:
    spoilt = json.loads(json.dumps(document))
    *parents, last = where.split(".")
    node = spoilt
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return spoilt


@pytest.mark.parametrize(("where", "value", "said"), [
    ("distributions.0.version", 5, "distributions[0].version: expected a string"),
    ("distributions.0.requires_dist", "b>=2", "distributions[0].requires_dist: expected a list"),
    ("distributions.0.requires_dist", [["b>=2"]], "requires_dist[0]: expected a string"),
    ("distributions.0.name", None, "distributions[0].name: expected a string, got null"),
    ("platform.system", [], "platform.system: expected a string, got a list"),
    ("interpreter.marker_environment", {"python_version": 3.11}, "expected a string"),
    ("interpreter.bits", True, "interpreter.bits: expected an integer"),
    ("binaries", {}, "binaries: expected a list"),
    ("target", "macos", "target: expected an object"),
    ("distributions.1", 7, "distributions[1]: expected an object"),
    ("target.mode", "0", "target.mode: '0' is not one of running, python, path, facts"),
    ("distributions.0.metadata_kind", "wheel", "distributions[0].metadata_kind: 'wheel'"),
    ("interpreter.executable_format", "wasm",
     "interpreter.executable_format: 'wasm' is not one of mach-o, elf, pe, unknown"),
    ("target", None, "target: expected an object, got null"),
])
def test_facts_of_the_wrong_shape_are_bad_input_naming_the_field(tmp_path, where, value, said):
    assert said in one_line_error(check_facts(tmp_path, _spoil(saved_facts(tmp_path), where,
                                                               value)))


def test_facts_missing_a_required_field_are_bad_input_naming_it(tmp_path):
    document = saved_facts(tmp_path)
    del document["distributions"][0]["version"]
    line = one_line_error(check_facts(tmp_path, document))
    assert "distributions[0]: missing 'version'" in line, line


@pytest.mark.parametrize(("where", "value"), [
    ("distributions.1.version", "1.0-final-really"),  # b: the conflict would vanish, exit 0
    ("distributions.0.version", ""),
    ("interpreter.version", "3.9999"),
    ("target.python_version", "eleven"),
])
def test_facts_with_a_bad_version_are_bad_input_not_a_hidden_finding(tmp_path, where, value):
    line = one_line_error(check_facts(tmp_path, _spoil(saved_facts(tmp_path), where, value)))
    field = where.replace(".1.", "[1].").replace(".0.", "[0].")
    assert f": {field}: {value!r} is not" in line, line


def test_a_binary_format_outside_the_vocabulary_is_bad_input_not_a_crashed_check(tmp_path):
    document = saved_facts(tmp_path)
    document["binaries"] = [{"path": "/s/a.so", "location": "/s", "format": "0",
                             "archs": ["x86_64"]}]
    line = one_line_error(check_facts(tmp_path, document))  # was exit 1: check-crashed
    assert "binaries[0].format: '0' is not one of mach-o, elf, pe, unknown" in line


def test_a_snapshot_of_a_live_interpreter_reads_back_under_the_strict_schema():
    facts = collect.collect_running()
    assert Facts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


# -- the probe answer and stated versions ---------------------------------------------------------


@pytest.mark.parametrize(("answer", "said"), [
    ([1, 2], "not a JSON object"),
    ({"version": "3.11.7", "prefix": "/p", "base_prefix": "/p", "sys_path": 5},
     "'sys_path' is not a list of strings"),
    ({"version": "3.11.7", "prefix": "/p", "base_prefix": "/p", "sys_path": [],
      "cpu": "fast"}, "'cpu' is not an object"),
    ({"version": "3.11.7", "prefix": "/p", "base_prefix": "/p", "sys_path": [],
      "cpu": {"cpu_flags": "avx"}}, "'cpu.cpu_flags' is not a list of strings"),
    ({"version": "3.11.7", "prefix": ["/p"], "base_prefix": "/p", "sys_path": []},
     "'prefix' is not a string"),
    ({"version": "3.11.7", "prefix": "/p", "base_prefix": "/p", "sys_path": [],
      "env": {"PATH": 1}}, "'env' is not an object of strings"),
    ({"version": "99", "prefix": "/p", "base_prefix": "/p", "sys_path": []}, "'99'"),
    ({"prefix": "/p", "base_prefix": "/p", "sys_path": []}, "no 'version'"),
])
def test_a_python_that_prints_json_of_the_wrong_shape_is_bad_input(tmp_path, answer, said):
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(answer)}\nEOF\n")
    fake.chmod(0o755)
    line = one_line_error(in_process("check", "--python", str(fake)))
    assert "unexpected probe answer" in line and said in line


@pytest.mark.parametrize("version", ["3.999", "3.99999", "4.0", "3.11.7.1", "1.0", "3.-1"])
def test_absurd_stated_python_versions_are_refused_at_once(tmp_path, version):
    started = time.monotonic()
    line = one_line_error(in_process("check", "--path", str(conflicting_site(tmp_path)),
                                     "--platform", "macos-arm64", "--python-version", version))
    assert "--python-version" in line and time.monotonic() - started < 20


@pytest.mark.parametrize("printed", [b"Python 3.11.7", b"\xff\xfe{}"])
def test_a_python_that_prints_no_json_is_refused_by_name(tmp_path, printed):
    fake = tmp_path / "python"
    fake.write_bytes(b"#!/bin/sh\nprintf '" + b"".join(b"\\%03o" % c for c in printed)
                     + b"'\n")
    fake.chmod(0o755)
    with pytest.raises(collect.TargetError) as caught:
        collect.run_probe(str(fake))
    assert str(caught.value) == f"{fake} is not a Python interpreter keras-doctor can read"


def test_a_python_that_prints_without_end_is_stopped_at_the_output_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "PROBE_OUTPUT_LIMIT", 1 << 20)
    monkeypatch.setattr(collect, "PROBE_TIMEOUT", 30.0)
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nhead -c 3000000 /dev/zero\nexec sleep 60\n")
    fake.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(collect.TargetError, match=r"printed more than 1 MB: not a Python "
                                                  r"interpreter keras-doctor can read$"):
        collect.run_probe(str(fake))  # was: held every byte until the timeout
    assert time.monotonic() - started < 20


def test_a_python_whose_background_child_holds_the_output_open_is_read_at_once(tmp_path):
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(collect.run_probe(sys.executable)))
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\n(sleep 40 &)\ncat '{answer}'\n")
    fake.chmod(0o755)
    before = set(threading.enumerate())
    started = time.monotonic()
    assert collect.run_probe(str(fake))["sys_path"]  # was: waited for the background child
    assert time.monotonic() - started < 15
    # what still waits on the child's pipe must not hold keras-doctor open when it exits
    assert all(thread.daemon for thread in set(threading.enumerate()) - before)


def test_a_python_whose_error_line_is_huge_is_reported_in_one_short_line(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nhead -c 100000 /dev/zero | tr '\\0' x >&2\nexit 1\n")
    fake.chmod(0o755)
    line = one_line_error(in_process("check", "--python", str(fake)))
    assert "exit 1" in line and len(line) < 600


@pytest.mark.parametrize("version", ["3.999", "3.99999", "4.0"])
def test_recommend_refuses_absurd_python_versions_at_once(version):
    started = time.monotonic()
    line = one_line_error(in_process("recommend", "--platform", "macos-arm64",
                                     "--python-version", version))
    assert "--python-version" in line and time.monotonic() - started < 20


@pytest.mark.parametrize("version", ["3.7", "3.13", "3.11.7", "2.7"])
def test_plausible_stated_python_versions_are_accepted(tmp_path, version):
    facts = collect.collect_path(str(tmp_path), "macos-arm64", version)
    assert facts.target.python_version == version


# -- crafted binaries -----------------------------------------------------------------------------


def _thin(ncmds: int, sizeofcmds: int, body: bytes = b"") -> bytes:
    return struct.pack("<8I", 0xFEEDFACF, 0x0100000C, 0, 6, ncmds, sizeofcmds, 0, 0) + body


def test_millions_of_load_commands_are_refused_before_walking_them(tmp_path, monkeypatch):
    commands = struct.pack("<II", 0x19, 8) * 2_000_000  # 16 MB of valid 8-byte commands
    path = tmp_path / "many.so"
    path.write_bytes(_thin(2_000_000, len(commands), commands))
    calls = []
    real_read = os.read
    monkeypatch.setattr(binfmt.os, "read", lambda fd, n: calls.append(n) or real_read(fd, n))
    header = read_header(path)
    assert header.format == "unknown" and "implausible" in header.error
    assert sum(calls) <= binfmt.HEAD_SIZE  # nothing past the first read


def test_a_load_command_count_the_command_bytes_cannot_hold_is_refused():
    assert "implausible" in parse_header(_thin(5000, 64, bytes(64))).error


def _fat(slices, is64=False, total=1 << 16):
    entry = ">iiQQII" if is64 else ">iiIII"
    table = struct.pack(">II", 0xCAFEBABF if is64 else 0xCAFEBABE, len(slices))
    for offset, size in slices:
        table += struct.pack(entry, 0x0100000C, 0, offset, size, 12, *([0] if is64 else []))
    return table, total


def test_fat_slices_that_all_point_at_one_image_are_refused(tmp_path):
    thin = (BINARIES / "macho-arm64.so").read_bytes()
    table, _ = _fat([(4096, len(thin))] * 20)
    path = tmp_path / "same.so"
    path.write_bytes(table + bytes(4096 - len(table)) + thin)
    header = read_header(path)
    assert header.format == "unknown" and "overlap" in header.error


@pytest.mark.parametrize("offset", [1 << 63, (1 << 64) - 1, 1 << 40])
def test_a_fat_offset_past_the_file_is_a_note_on_that_binary(tmp_path, offset):
    table, _ = _fat([(offset, 4096)], is64=True)
    path = tmp_path / "far.so"
    path.write_bytes(table + bytes(200))
    header = read_header(path)  # was OverflowError from lseek
    assert header.format == "unknown" and "past the end of the file" in header.error


def test_a_crafted_binary_does_not_hide_a_real_mixed_architecture_error(tmp_path):
    site = tmp_path / "site"
    package = site / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "native.so").write_bytes((BINARIES / "macho-x86_64.so").read_bytes())
    table, _ = _fat([(1 << 63, 4096)], is64=True)
    (package / "crafted.so").write_bytes(table + bytes(200))
    many = struct.pack("<II", 0x19, 8) * 100_000
    (package / "many.so").write_bytes(_thin(100_000, len(many), many))
    started = time.monotonic()
    proc = doctor("check", "--path", str(site), "--platform", "macos-arm64", "--python-version",
                  "3.11", "--json")
    assert time.monotonic() - started < 30
    assert proc.returncode == 1, proc.stderr  # was 0: OverflowError dropped every binary fact
    report = json.loads(proc.stdout)
    assert "mixed-arch-binary" in causes(report)
    assert not any("could not read binaries" in f["title"] for f in report["findings"])


def test_a_record_path_with_a_nul_byte_does_not_drop_the_binaries(tmp_path):
    site = tmp_path
    (site / "pkg").mkdir()
    (site / "pkg" / "native.so").write_bytes((BINARIES / "macho-x86_64.so").read_bytes())
    dist_info(site, "pkg", "1.0", record="pkg/native.so,,\npkg/a\0b.so,,\n")
    facts = collect.collect_path(str(site), "macos-arm64", "3.11")
    assert [b.archs for b in facts.binaries] == [["x86_64"]] and facts.errors == []


def test_a_sys_path_entry_with_a_nul_byte_loses_nothing_else(tmp_path):
    conflicting_site(tmp_path / "site")
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cwd" / "keras.py").write_text("")
    answer = collect.run_probe(sys.executable)
    rest = [entry for entry in answer["sys_path"] if entry not in ("", ".")]
    answer["sys_path"] = ["bad\0entry", "", str(tmp_path / "site"), *rest]
    answer["cwd"] = str(tmp_path / "cwd")
    facts = collect.facts_from_probe(answer, "python", sys.executable)
    assert {"a", "b"} <= {d.name for d in facts.distributions}, facts.errors
    assert [s.name for s in facts.shadows] == ["keras"], facts.errors


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux names can hold non-UTF-8 bytes")
def test_a_folder_name_that_is_not_utf8_is_reported_and_round_trips(tmp_path):
    folder = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"bad\xffname"))
    os.mkdir(folder)
    Path(folder, "keras.py").write_text("")
    strict = {"PYTHONPATH": folder, "PYTHONIOENCODING": "utf-8:strict"}  # a en_US.UTF-8 shell
    shown = subprocess.run([sys.executable, "-m", "keras_doctor", "check", "--python",
                            sys.executable, "--json"], cwd=folder, capture_output=True,
                           timeout=60, env={**os.environ, **strict})
    assert shown.returncode in (0, 1), shown.stderr[-500:]  # was 3: UnicodeEncodeError
    report = json.loads(shown.stdout.decode("utf-8"))
    shadows = [f for f in report["findings"] if f["cause"] == "shadowed-module"]
    assert shadows and shadows[0]["evidence"]["path"] == os.path.join(folder, "keras.py")
    saved = tmp_path / "facts.json"
    written = subprocess.run([sys.executable, "-m", "keras_doctor", "facts", "--python",
                              sys.executable, "-o", str(saved)], cwd=folder, capture_output=True,
                             timeout=60, env={**os.environ, **strict})
    assert written.returncode == 0, written.stderr[-500:]  # was 3
    again = json.loads(doctor("check", "--facts", str(saved), "--json").stdout)
    assert {f["evidence"]["path"] for f in again["findings"]
            if f["cause"] == "shadowed-module"} == {os.path.join(folder, "keras.py")}
