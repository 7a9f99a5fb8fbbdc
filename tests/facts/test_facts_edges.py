"""Facts at their edges: a reader that fails, what is measured only on request, what a target
says about itself, and the small readers' corner cases (an empty shebang, a kernel.json that is a
list, a requirement with a URL, a script that is not UTF-8, an unreadable RECORD).

Each is something a user meets: a broken environment must still be diagnosed and its facts still
saved and loaded; `check` must not spend seconds measuring caches it was not asked to; saved
facts must say which interpreter they describe, by an absolute path, and when they were taken.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from pathlib import Path

import pytest

from keras_doctor import __version__ as keras_doctor_version
from keras_doctor.facts import (
    binaries,
    caches,
    choose,
    collect,
    config,
    distributions,
    interpreter,
    scripts,
    shadowing,
)
from keras_doctor.facts import probe as probe_module
from keras_doctor.facts.model import Facts, version_problem

BINARIES = Path(__file__).parent.parent / "data" / "binaries"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- a reader that fails -----------------------------------------------------------------------

@pytest.mark.parametrize("module, reader, what, field, empty", [
    (distributions, "scan", "installed distributions", "distributions", []),
    (binaries, "scan", "binaries", "binaries", []),
    (shadowing, "find_shadows", "sys.path", "shadows", []),
    (config, "read_config", "configuration", "config", None),
    (caches, "read_caches", "caches", "caches", None),
])
def test_a_reader_that_fails_becomes_an_error_and_the_facts_still_save_and_load(
        monkeypatch, module, reader, what, field, empty):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(module, reader, broken)
    facts = collect.facts_from_probe(probe_module.probe(), "running", sys.executable)

    assert f"could not read {what}: RuntimeError: boom" in facts.errors
    assert getattr(facts, field) == empty
    assert Facts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


@pytest.mark.parametrize("module, what, field", [
    (distributions, "installed distributions", "distributions"),
    (binaries, "binaries", "binaries"),
])
def test_a_reader_that_fails_on_a_folder_becomes_an_error_too(tmp_path, monkeypatch, module,
                                                               what, field):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(module, "scan", broken)
    facts = collect.collect_path(str(tmp_path), "macos-arm64", "3.11")

    assert facts.errors == [f"could not read {what}: RuntimeError: boom"]
    assert getattr(facts, field) == []
    assert Facts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


# -- measured only on request ------------------------------------------------------------------

def test_cache_sizes_are_measured_only_when_asked(tmp_path):
    answer = probe_module.probe()
    answer["env"] = {**answer.get("env", {}), "UV_CACHE_DIR": str(tmp_path / "uv")}
    write(tmp_path / "uv" / "wheels" / "a.whl", "x" * 1000)

    def uv_dir(facts: Facts):
        return next(d for d in facts.caches.dirs if d.tool == "uv")

    plain = uv_dir(collect.facts_from_probe(answer, "running"))
    assert plain.exists and (plain.size_bytes, plain.size_complete) == (None, False)
    measured = uv_dir(collect.facts_from_probe(answer, "running", measure_cache_sizes=True))
    assert (measured.size_bytes, measured.size_complete) == (1000, True)
    # `keras-doctor facts` without --full-cache-size: a budget spent before the first folder
    cut = uv_dir(collect.facts_from_probe(answer, "running", measure_cache_sizes=True,
                                          size_budget=0.0))
    assert cut.size_complete is False and cut.size_bytes < 1000


def test_another_interpreters_caches_are_measured_when_asked(tmp_path, monkeypatch):
    """`--python` goes through collect_python: the request to measure reaches the facts read
    from that interpreter's answer, as it does for the running one."""
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv"))  # the probed child inherits it
    write(tmp_path / "uv" / "wheels" / "a.whl", "x" * 1000)
    facts = collect.collect_python(sys.executable, measure_cache_sizes=True)
    uv = next(d for d in facts.caches.dirs if d.tool == "uv")
    assert (uv.path, uv.size_bytes, uv.size_complete) == (str(tmp_path / "uv"), 1000, True)


def test_a_cache_measured_past_its_time_budget_is_marked_incomplete(tmp_path):
    for index in range(20):
        write(tmp_path / "uv" / f"d{index}" / "f", "x" * 10)
    env = {"HOME": str(tmp_path), "UV_CACHE_DIR": str(tmp_path / "uv")}

    found = caches.read_caches(env, "Linux", str(tmp_path / ".keras"), measure_sizes=True,
                               size_budget=0.0)

    uv = next(d for d in found.dirs if d.tool == "uv")
    assert uv.size_complete is False and uv.size_bytes < 200


# -- what a target says about itself -----------------------------------------------------------

def test_facts_of_another_interpreter_name_it_by_its_absolute_path(monkeypatch):
    folder, name = os.path.split(sys.executable)
    monkeypatch.chdir(folder)

    facts = collect.collect_python(os.path.join(".", name))

    assert (facts.target.mode, facts.target.path) == ("python", sys.executable)
    assert TIMESTAMP.fullmatch(facts.collected_at or "")


def test_facts_of_a_folder_say_when_they_were_taken(tmp_path):
    facts = collect.collect_path(str(tmp_path), "linux-x86_64", "3.11")

    assert TIMESTAMP.fullmatch(facts.collected_at or "")
    assert facts.doctor_version == keras_doctor_version  # and by which keras-doctor


def test_facts_of_a_folder_say_what_could_be_read_only_in_part(tmp_path):
    info = write(tmp_path / "numpy-2.1.3.dist-info" / "METADATA",
                 "Metadata-Version: 2.1\nName: numpy\nVersion: 2.1.3\n").parent
    (info / "RECORD").mkdir()  # where the list of installed files should be

    facts = collect.collect_path(str(tmp_path), "macos-arm64", "3.12")

    assert [d.name for d in facts.distributions] == ["numpy"]
    assert facts.errors == [f"could not read {info / 'RECORD'}: RECORD is a folder, "
                            "not a regular file"]


# -- which interpreter a bare `check` examines ---------------------------------------------------

def test_the_reasons_for_the_chosen_interpreter_read_as_sentences(tmp_path):
    venv = tmp_path / "project-venv"
    write(venv / "bin" / "python", "")
    choice = choose.default_target({"VIRTUAL_ENV": str(venv)}, running_prefix=sys.prefix)
    assert choice.reason == "the active virtualenv ($VIRTUAL_ENV)"
    tool = tmp_path / "tools" / "keras-doctor"
    write(tool / "uv-receipt.toml", "[tool]\n")
    user_python = str(tmp_path / "usr" / "bin" / "python3")
    choice = choose.default_target({}, running_prefix=str(tool), which=lambda name: user_python)
    assert choice.reason == ("the python3 on PATH (keras-doctor runs from its own uv tool "
                             "environment; --python chooses another)")


def test_without_an_active_environment_the_running_python_is_examined_and_says_why(tmp_path):
    choice = choose.default_target({}, running_prefix=str(tmp_path), which=lambda name: None)
    assert (choice.python, choice.source) == (None, "running")
    assert choice.reason == "the Python running keras-doctor (no virtualenv is active)"


def test_a_tool_environment_whose_only_python3_is_its_own_examines_itself_and_says_so(tmp_path):
    tool = tmp_path / "pipx" / "venvs" / "keras-doctor"
    own = write(tool / "bin" / "python3", "")
    choice = choose.default_target({}, running_prefix=str(tool), which=lambda name: str(own))
    assert (choice.python, choice.source) == (None, "running")
    assert choice.reason == ("the Python running keras-doctor: its own pipx environment, as no "
                             "other python3 is on PATH")


@pytest.mark.parametrize("on_sys_path", [True, False])
def test_the_binaries_of_the_user_site_are_read_when_the_interpreter_imports_from_it(
        tmp_path, on_sys_path):
    """`pip install --user` puts native libraries in the user site, which the interpreter
    imports from unless `-s` or PYTHONNOUSERSITE keeps it off sys.path."""
    user_site = tmp_path / "user-site"
    (user_site / "native").mkdir(parents=True)
    library = user_site / "native" / "_speedups.cpython-311-darwin.so"
    library.write_bytes((BINARIES / "macho-x86_64.so").read_bytes())
    answer = probe_module.probe()
    answer["user_site"] = str(user_site)
    if on_sys_path:
        answer["sys_path"] = [*answer["sys_path"], str(user_site)]
    facts = collect.facts_from_probe(answer, "running", sys.executable)

    assert facts.interpreter.user_site == str(user_site)
    found = [b for b in facts.binaries if b.path == str(library)]
    assert [b.archs for b in found] == ([["x86_64"]] if on_sys_path else [])


def test_a_virtualenv_with_only_python3_is_examined_through_it(tmp_path):
    venv = tmp_path / "venv"
    write(venv / "bin" / "python3", "")
    assert choose.env_python(str(venv), windows=False) == venv / "bin" / "python3"
    write(venv / "bin" / "python", "")
    assert choose.env_python(str(venv), windows=False) == venv / "bin" / "python"


def test_the_marker_environment_comes_from_the_probe():
    answer = probe_module.probe()
    facts = interpreter.from_probe(answer, {})
    assert facts.marker_environment == answer["marker_environment"]
    assert facts.marker_environment["python_version"] == "{}.{}".format(*sys.version_info[:2])


def test_the_implementation_and_platform_tag_come_from_the_probe():
    answer = {**probe_module.probe(), "implementation": "pypy", "platform_tag": "macosx-11.0-arm64"}
    facts = interpreter.from_probe(answer, {})
    assert (facts.implementation, facts.platform_tag) == ("pypy", "macosx-11.0-arm64")


def test_the_extension_suffix_and_word_size_are_the_interpreters_own():
    """A free-threaded build (`cpython-313t`) loads only extensions built for it, a 32-bit one
    only 32-bit ones: the suffix and word size are kept as the probe read them."""
    import sysconfig

    facts = interpreter.from_probe(probe_module.probe(), {})
    assert facts.ext_suffix == sysconfig.get_config_var("EXT_SUFFIX")
    assert facts.bits == (64 if sys.maxsize > 2**32 else 32)


@pytest.mark.parametrize("with_cfg", [True, False])
def test_a_prefix_with_pyvenv_cfg_is_a_virtualenv_even_when_it_is_its_own_base(tmp_path,
                                                                              with_cfg):
    """Old virtualenv releases (< 20) left sys.base_prefix equal to sys.prefix; the pyvenv.cfg
    that every virtualenv has is what tells it apart from the interpreter it was made from."""
    if with_cfg:
        write(tmp_path / "pyvenv.cfg", "home = /usr/bin\n")
    answer = {"version": "3.11.7", "prefix": str(tmp_path), "base_prefix": str(tmp_path)}
    facts = interpreter.from_probe(answer, {})
    assert (facts.in_venv, facts.kind == "venv") == (with_cfg, with_cfg)


def test_a_uv_tool_environment_is_known_by_its_folder_without_a_receipt(tmp_path):
    assert choose.tool_environment(str(tmp_path / "uv" / "tools" / "keras-doctor")) == "uv tool"
    assert choose.tool_environment(str(tmp_path / "uv" / "python" / "cpython-3.12")) is None


@pytest.mark.parametrize("machine, system, platform", [
    ("aarch64", "Linux", "linux-aarch64"), ("arm64", "Darwin", "macos-arm64"),
    ("AMD64", "Windows", "windows-amd64"), ("x86_64", "Linux", "linux-x86_64"),
])
def test_the_host_platform_names_an_arm_linux_machine_as_its_facts_would(
        monkeypatch, machine, system, platform):
    import platform as platform_module

    monkeypatch.setattr(platform_module, "machine", lambda: machine)
    monkeypatch.setattr(platform_module, "system", lambda: system)
    assert choose.host_platform() == platform


@pytest.mark.parametrize("prefix, kind", [
    ("/Users/a/Library/Application Support/uv/python/cpython-3.12.4-macos-aarch64-none", "uv"),
    ("/opt/uv/python/cpython-3.11.9-linux-x86_64-gnu", "uv"),  # UV_PYTHON_INSTALL_DIR=/opt/uv
])
def test_uv_managed_pythons_outside_the_default_folder(prefix, kind):
    assert interpreter.install_kind(prefix) == kind


def test_a_conda_prefix_is_known_by_its_conda_meta_folder(tmp_path):
    (tmp_path / "conda-meta").mkdir()
    assert interpreter.install_kind(str(tmp_path)) == "conda"


# -- small readers' corner cases -----------------------------------------------------------------

@pytest.mark.parametrize("script, expected", [
    ("#!\n", None),
    ("#!   \nimport sys\n", None),
    ("#!/usr/bin/env\n", "/usr/bin/env"),
])
def test_shebangs_that_name_no_program(tmp_path, script, expected):
    assert config.shebang_interpreter(str(write(tmp_path / "tool", script))) == expected


def test_a_kernel_json_that_cannot_be_read_is_noted_saying_why_in_words(tmp_path):
    home = tmp_path / "home"
    (home / ".local" / "share" / "jupyter" / "kernels" / "odd" / "kernel.json").mkdir(
        parents=True)
    notes: list = []

    assert config.kernel_specs({"HOME": str(home)}, None, notes) == []
    assert len(notes) == 1 and notes[0].endswith("kernel.json): a folder, not a regular file")


@pytest.mark.parametrize("system, problem", [
    ("Darwin", "platform.os_version: '14.x' is not a valid version"),
    ("Linux", None),  # only macOS's version is compared (with the wheels' macosx_14_0 tags)
])
def test_a_macos_version_no_check_can_compare_is_named(tmp_path, system, problem):
    facts = collect.collect_path(str(tmp_path), "linux-x86_64", "3.11")
    facts.platform = dataclasses.replace(facts.platform, system=system, os_version="14.x")
    assert version_problem(facts) == problem


def test_what_the_probe_could_not_read_about_the_cpu_is_an_error_of_the_facts():
    answer = {**probe_module.probe(), "cpu": {"error": "sysctl: unknown oid 'hw.optional.arm64'"}}

    facts = collect.facts_from_probe(answer, "running", sys.executable)

    assert "could not read CPU facts: sysctl: unknown oid 'hw.optional.arm64'" in facts.errors


def test_the_scripts_read_are_those_of_the_targets_working_directory(tmp_path):
    write(tmp_path / "train.py", "import tensorflow as tf\nsess = tf.Session()\n")
    answer = {**probe_module.probe(), "cwd": str(tmp_path)}

    facts = collect.facts_from_probe(answer, "running", sys.executable)

    assert [(Path(n.path).name, n.line, n.name) for n in facts.config.tensorflow_names] == [
        ("train.py", 2, "Session")]


def test_the_kernels_read_are_those_jupyter_uses_on_the_targets_system(tmp_path):
    for folder, name in ((".local/share/jupyter", "linux"), ("Library/Jupyter", "mac")):
        write(tmp_path / folder / "kernels" / name / "kernel.json", json.dumps({"argv": ["py"]}))
    answer = {**probe_module.probe(), "system": "Darwin", "env": {"HOME": str(tmp_path)}}

    facts = collect.facts_from_probe(answer, "python", sys.executable)

    names = [k.name for k in facts.config.kernel_specs]
    assert "mac" in names and "linux" not in names


def test_a_probe_answer_with_only_the_required_fields_says_unknown_for_the_rest(tmp_path):
    answer = {"version": "3.11.7", "prefix": str(tmp_path), "base_prefix": str(tmp_path),
              "sys_path": [], "cwd": str(tmp_path)}

    facts = collect.facts_from_probe(answer, "python", "/opt/odd/bin/python")

    assert (facts.platform.system, facts.platform.machine) == ("unknown", "unknown")
    assert facts.target.platform == "unknown-unknown"
    assert Facts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


def test_an_egg_info_without_requires_txt_requires_nothing(tmp_path):
    write(tmp_path / "oldpkg-0.9-py3.11.egg-info" / "PKG-INFO",
          "Metadata-Version: 1.2\nName: oldpkg\nVersion: 0.9\n")

    (dist,) = distributions.scan([str(tmp_path)])[0]

    assert (dist.requires_dist, dist.error) == ([], None)


def test_weights_are_hashed_only_when_asked(tmp_path):
    write(tmp_path / "keras" / "models" / "resnet50_weights.h5", "\x89HDF\r\n\x1a\n")
    answer = probe_module.probe()
    answer["env"] = {**answer.get("env", {}), "KERAS_HOME": str(tmp_path / "keras")}

    plain = collect.facts_from_probe(answer, "running")
    hashed = collect.facts_from_probe(answer, "running", hash_weights=True)

    assert [w.sha256 for w in plain.caches.weights] == [None]
    assert [len(w.sha256 or "") for w in hashed.caches.weights] == [64]


def test_a_conda_record_that_cannot_be_read_is_a_note_of_the_configuration(tmp_path):
    write(tmp_path / "conda-meta" / "h5py-3.11.0-py311_0.json", "{not json")
    notes: list = []

    found = config.read_config({"HOME": str(tmp_path)}, str(tmp_path), notes, system="Linux")

    assert found.conda_hdf5 == []
    assert [note.split(":")[0] for note in notes] == [
        f"could not read {tmp_path / 'conda-meta' / 'h5py-3.11.0-py311_0.json'}"]


@pytest.mark.parametrize("folder, reader", [("numpy-1.26.4.dist-info", "read_dist_info"),
                                            ("oldpkg-0.9-py3.11.egg-info", "read_egg_info")])
def test_metadata_that_fails_to_read_in_an_unforeseen_way_is_one_broken_distribution(
        tmp_path, monkeypatch, folder, reader):
    (tmp_path / folder).mkdir()
    write(tmp_path / "h5py-3.11.0.dist-info" / "METADATA" if reader == "read_egg_info" else
          tmp_path / "h5py-3.11.0.egg-info", "Metadata-Version: 2.1\nName: h5py\nVersion: 3.11.0\n")
    real = getattr(distributions, reader)

    def fails_on_one(path, *args):
        if path.endswith(folder):
            raise RuntimeError("boom")
        return real(path, *args)

    monkeypatch.setattr(distributions, reader, fails_on_one)
    found = {d.name: d for d in distributions.scan([str(tmp_path)])[0]}

    broken = found[folder.split("-")[0]]
    assert (broken.error, broken.metadata_kind, broken.location) == (
        "unreadable metadata: RuntimeError: boom", folder.rsplit(".", 1)[1], str(tmp_path))
    assert found["h5py"].error is None  # the others are read as they are


def test_keras_reads_its_folder_from_keras_home_else_from_the_home_folder():
    assert config.keras_home({"HOME": "/home/ada"}) == os.path.join("/home/ada", ".keras")
    assert config.keras_home({"HOME": "/home/ada", "KERAS_HOME": "/data/keras"}) == "/data/keras"


def test_an_egg_info_with_a_version_no_check_can_compare_says_so(tmp_path):
    write(tmp_path / "oldpkg-2.x-py3.11.egg-info" / "PKG-INFO",
          "Metadata-Version: 1.2\nName: oldpkg\nVersion: 2.x\n")

    (dist,) = distributions.scan([str(tmp_path)])[0]

    assert dist.error == "PKG-INFO Version '2.x' is not a valid version (PEP 440)"


def test_a_sys_path_entry_with_a_nul_byte_does_not_hide_the_folders_after_it(tmp_path):
    assert distributions.unique_site_dirs([str(tmp_path / "bad\0dir"), str(tmp_path)]) == [
        str(tmp_path)]


def test_a_kernel_json_that_is_not_an_object_is_noted_as_such(tmp_path):
    home = tmp_path / "home"
    write(home / ".local" / "share" / "jupyter" / "kernels" / "odd" / "kernel.json", "[]")
    notes: list = []

    assert config.kernel_specs({"HOME": str(home)}, None, notes) == []
    assert len(notes) == 1 and notes[0].endswith("kernel.json): not a JSON object")


def test_a_requirement_with_a_url_is_read_whole(tmp_path):
    info = tmp_path / "app-1.0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: app\nVersion: 1.0\n"
          "Requires-Dist: tf-keras @ https://example.org/tf_keras-2.15.0-py3-none-any.whl\n")

    dist = distributions.read_dist_info(str(info), str(tmp_path))

    assert dist.requires_dist == [
        "tf-keras @ https://example.org/tf_keras-2.15.0-py3-none-any.whl"]


def test_an_unreadable_record_is_noted_and_lists_nothing(tmp_path):
    info = tmp_path / "app-1.0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: app\nVersion: 1.0\n")
    (info / "RECORD").mkdir()  # what a broken copy leaves: a folder where the file was
    notes: list = []

    dist = distributions.read_dist_info(str(info), str(tmp_path), notes)

    assert dist.files is None
    assert any(n.startswith(f"could not read {info / 'RECORD'}: RECORD is") for n in notes)


def test_a_script_that_is_not_utf8_is_still_read_for_tensorflow_names(tmp_path):
    (tmp_path / "train.py").write_bytes(
        b"# r\xe9sum\xe9 of the 2019 model\nimport tensorflow as tf\nx = tf.placeholder(1)\n")

    found = scripts.tensorflow_names(str(tmp_path))

    assert [(Path(n.path).name, n.name) for n in found] == [("train.py", "placeholder")]


def test_a_compiled_module_in_the_working_directory_is_named_as_the_shadow(tmp_path):
    module = tmp_path / "tensorflow.cpython-311-x86_64-linux-gnu.so"
    module.write_bytes(b"\x7fELF")

    (shadow,) = shadowing.find_shadows([""], [], str(tmp_path))

    assert (shadow.name, shadow.path, shadow.position) == ("tensorflow", str(module), 0)


def test_a_dist_info_without_metadata_is_kept_as_a_broken_dist_info(tmp_path):
    (tmp_path / "numpy-1.26.4.dist-info").mkdir()

    (dist,) = distributions.scan([str(tmp_path)])[0]

    assert (dist.name, dist.version, dist.metadata_kind) == ("numpy", "1.26.4", "dist-info")
    assert dist.error == "METADATA is missing or unreadable"


def test_a_broken_metadata_folder_without_a_version_in_its_name_says_unknown(tmp_path):
    (tmp_path / "keras.dist-info").mkdir()  # a hand-made or half-deleted folder

    (dist,) = distributions.scan([str(tmp_path)])[0]

    assert (dist.name, dist.version) == ("keras", "unknown")


def test_metadata_that_starts_with_a_folded_line_is_still_read(tmp_path):
    """A continuation line before any field continues nothing: it is skipped, not a crash that
    would turn the distribution into a broken one."""
    info = write(tmp_path / "h5py-3.11.0.dist-info" / "METADATA",
                 " stray\nMetadata-Version: 2.1\nName: h5py\nVersion: 3.11.0\n").parent

    dist = distributions.read_dist_info(str(info), str(tmp_path))

    assert (dist.name, dist.version, dist.error) == ("h5py", "3.11.0", None)


@pytest.mark.parametrize("direct_url, editable", [
    ('{"dir_info": {"editable": true}, "url": "file:///src/demo"}', True),  # pip: json.dumps
    ('{"url":"file:///src/demo","dir_info":{"editable":true}}', True),  # uv: compact
    ('{"dir_info": {"editable": false}, "url": "file:///src/demo"}', False),
    ('{"dir_info": {}, "url": "file:///src/demo"}', False),  # `pip install ./demo`
    ('{"archive_info": {}, "url": "https://example.org/demo-1.0.tar.gz"}', False),
    ('{"dir_info": {"editable": tr', False),  # cut short
    ('["dir_info", "editable"]', False),
    ('{"dir_info": ["editable"]}', False),
])
def test_editable_installs_are_known_from_direct_url_json(tmp_path, direct_url, editable):
    info = write(tmp_path / "demo-1.0.dist-info" / "METADATA",
                 "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n").parent
    write(info / "direct_url.json", direct_url)

    dist = distributions.read_dist_info(str(info), str(tmp_path))

    assert (dist.editable, dist.error) == (editable, None)
