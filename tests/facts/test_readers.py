"""The facts readers on real files: metadata, sys.path entries, keras.json, caches, kernels."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from keras_doctor.facts import (
    binaries,
    bounded_read,
    caches,
    collect,
    config,
    distributions,
    interpreter,
    shadowing,
)
from keras_doctor.facts import probe as probe_module
from keras_doctor.facts.model import KerasConfig

BINARIES = Path(__file__).parent.parent / "data" / "binaries"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def dist_info(site: Path, name: str, version: str, metadata: str = "", record: str = "") -> Path:
    folder = site / f"{name}-{version}.dist-info"
    write(folder / "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                               f"{metadata}\nLong description body: ignored\n")
    write(folder / "RECORD", record)
    write(folder / "INSTALLER", "pip\n")
    return folder


def test_dist_info_fields_folded_headers_and_the_body_ignored(tmp_path):
    dist_info(tmp_path, "tensorflow_cpu", "2.21.0",
              "Classifier: X\nRequires-Dist: numpy>=1.26.0\nRequires-Dist: h5py>=3.11.0;\n"
              " extra == 'and-cuda'\nRequires-Python: >=3.10\nRequires-Dist: keras>=3.12.0\n"
              "\nA README quoting another METADATA:\nName: numpy\nRequires-Dist: scipy\n",
              'tensorflow/__init__.py,sha256=x,10\n"tensorflow/odd,name.py",sha256=y,5\n'
              "tensorflow/unquoted,odd,name.py,sha256=z,3\n")  # a writer that does not quote
    (dist,), leftovers = distributions.scan([str(tmp_path)])
    assert (dist.name, dist.canonical_name, dist.version) == ("tensorflow_cpu", "tensorflow-cpu",
                                                              "2.21.0")
    assert dist.requires_dist == ["numpy>=1.26.0", "h5py>=3.11.0; extra == 'and-cuda'",
                                  "keras>=3.12.0"]
    assert dist.requires_python == ">=3.10"
    assert dist.files == ["tensorflow/__init__.py", "tensorflow/odd,name.py",
                          "tensorflow/unquoted,odd,name.py"]
    assert dist.installer == "pip" and leftovers == []


def test_unreadable_metadata_is_recorded_not_raised(tmp_path):
    (tmp_path / "numpy-1.26.4.dist-info").mkdir()
    write(tmp_path / "broken-1.0.dist-info" / "METADATA", "Metadata-Version: 2.1\n")
    found = {d.name: d for d in distributions.scan([str(tmp_path)])[0]}
    assert found["numpy"].error == "METADATA is missing or unreadable"
    assert (found["numpy"].version, found["numpy"].location, found["numpy"].metadata_kind) == (
        "1.26.4", str(tmp_path), "dist-info")  # where to uninstall it from, and how it was made
    assert found["broken"].error == "METADATA has no Name or Version"


def test_metadata_in_latin1_is_read_and_metadata_too_large_says_so(tmp_path, monkeypatch):
    """Old sdists wrote PKG-INFO in Latin-1 (an author's name); a METADATA past the size limit
    is named for what it is, not as an unreadable file."""
    folder = tmp_path / "oldlib-1.2.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_bytes(b"Metadata-Version: 1.1\nName: oldlib\nVersion: 1.2\n"
                                      b"Author: Jos\xe9 Mar\xeda\n")
    (dist,), _ = distributions.scan([str(tmp_path)])
    assert (dist.name, dist.version, dist.error) == ("oldlib", "1.2", None)
    monkeypatch.setattr(distributions, "METADATA_LIMIT", 40)
    (dist,), _ = distributions.scan([str(tmp_path)])
    assert (dist.version, dist.error) == ("1.2", "METADATA is larger than 40 bytes")


def test_egg_info_requires_txt_sections_become_requirements(tmp_path):
    egg = tmp_path / "oldpkg-0.9-py3.11.egg-info"
    write(egg / "PKG-INFO", "Metadata-Version: 1.2\nName: oldpkg\nVersion: 0.9\n"
                            "Requires-Python: >=3.6\n")
    write(egg / "requires.txt", "six\nrequests[socks]\n\n"
                                "[:python_version < \"3.8\"]\nimportlib-metadata\n\n"
                                "[gpu]\ncupy\n\n"
                                "[tf:sys_platform == \"darwin\"]\ntensorflow-macos\n")
    write(egg / "installed-files.txt", "../oldpkg/__init__.py\n../oldpkg/_ext.so\n")
    (dist,), _ = distributions.scan([str(tmp_path)])
    assert (dist.metadata_kind, dist.requires_python) == ("egg-info", ">=3.6")
    assert dist.requires_dist == [
        "six", "requests[socks]", 'importlib-metadata; (python_version < "3.8")',
        'cupy; extra == "gpu"',
        'tensorflow-macos; (sys_platform == "darwin") and extra == "tf"']
    assert dist.files == ["oldpkg/__init__.py", "oldpkg/_ext.so"]


def test_leftovers_of_interrupted_uninstalls_and_site_dirs_reached_twice(tmp_path):
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    dist_info(site, "numpy", "2.1.3")
    (site / "~umpy").mkdir()
    (tmp_path / "lib64").symlink_to(tmp_path / "lib")
    twice = [str(site), str(tmp_path / "lib64" / "python3.11" / "site-packages")]
    dists, leftovers = distributions.scan(twice)
    assert [d.name for d in dists] == ["numpy"]
    assert [Path(left.path).name for left in leftovers] == ["~umpy"]


def test_shadowing_only_before_site_packages_and_only_real_modules(tmp_path):
    cwd, site, late = tmp_path / "proj", tmp_path / "site", tmp_path / "late"
    write(cwd / "keras.py", "")
    (cwd / "google").mkdir()  # a folder without __init__ is a namespace portion: it hides nothing
    write(cwd / "numpy" / "__init__.py", "")
    write(cwd / "h5py" / "__init__.pyc", "")  # a package shipped compiled, without its sources
    write(late / "tensorflow.py", "")
    site.mkdir()
    found = shadowing.find_shadows(["", str(site), str(late)], [str(site)], str(cwd))
    assert sorted((s.name, s.path, s.position) for s in found) == [
        ("h5py", str(cwd / "h5py"), 0), ("keras", str(cwd / "keras.py"), 0),
        ("numpy", str(cwd / "numpy"), 0)]


def test_keras_json_states(tmp_path):
    home = tmp_path / ".keras"
    assert config.read_keras_json(str(home)).exists is False
    write(home / "keras.json", '{"backend": "jax", "floatx": "float32"}')
    assert config.read_keras_json(str(home)).content["backend"] == "jax"
    write(home / "keras.json", '{"backend": "jax",}')
    invalid = config.read_keras_json(str(home))
    assert invalid.error.startswith("invalid JSON") and invalid.path == str(home / "keras.json")
    write(home / "keras.json", "[1]")
    assert config.read_keras_json(str(home)) == KerasConfig(
        path=str(home / "keras.json"), exists=True, error="invalid: not a JSON object")
    not_a_folder = write(tmp_path / "file" / ".keras", "")  # ~/.keras is a file: no keras.json
    assert config.read_keras_json(str(not_a_folder)) == KerasConfig(
        path=str(not_a_folder / "keras.json"), exists=False)


def test_a_shebang_with_a_byte_that_is_not_utf8_still_names_its_interpreter(tmp_path):
    script = tmp_path / "pip"
    script.write_bytes(b"#!/Users/j\xe9r\xf4me/venv/bin/python\nimport pip\n")  # Latin-1 home
    assert config.shebang_interpreter(str(script)) == "/Users/j\ufffdr\ufffdme/venv/bin/python"


@pytest.mark.parametrize("script, expected", [
    ("#!/opt/venv/bin/python\nimport pip\n", "/opt/venv/bin/python"),
    ("#!/usr/bin/env python3.11\n", "python3.11"),
    ("#!/bin/sh\n'''exec' \"/Users/a b/venv/bin/python\" \"$0\" \"$@\"\n' '''\n",
     "/Users/a b/venv/bin/python"),
    ("#!/bin/bash\n'''exec' \"/Users/a b/venv/bin/python\" \"$0\" \"$@\"\n' '''\n",
     "/Users/a b/venv/bin/python"),
    ("not a script", None),
    ("#!/bin/sh\n", "/bin/sh"),  # a shell script of one line
    # a Python script whose second line happens to exec something is not a shell trampoline
    ("#!/opt/venv/bin/python\nexec(open(\"setup.py\").read())\n", "/opt/venv/bin/python"),
])
def test_shebang_interpreters(tmp_path, script, expected):
    assert config.shebang_interpreter(str(write(tmp_path / "pip", script))) == expected


def test_kernel_specs_and_their_interpreters(tmp_path):
    home = tmp_path / "home"
    spec = home / ".local" / "share" / "jupyter" / "kernels" / "tf" / "kernel.json"
    write(spec, json.dumps({"argv": ["/gone/bin/python", "-m", "ipykernel_launcher"]}))
    live = home / ".local" / "share" / "jupyter" / "kernels" / "ok" / "kernel.json"
    write(live, json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher"]}))
    relative = home / ".local" / "share" / "jupyter" / "kernels" / "rel" / "kernel.json"
    write(relative, json.dumps({"argv": ["python", "-m", "ipykernel_launcher"]}))
    found = {k.name: k for k in config.kernel_specs({"HOME": str(home)}, None)}
    assert (found["tf"].argv0, found["tf"].argv0_exists) == ("/gone/bin/python", False)
    assert (found["ok"].argv0, found["ok"].argv0_exists) == (sys.executable, True)
    assert (found["rel"].argv0, found["rel"].argv0_exists) == ("python", None)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX executables on PATH")
def test_a_python_on_path_that_is_a_shim_script_is_not_read_as_a_script(tmp_path):
    """pyenv's `python` is a bash script: the interpreter it runs is decided at run time, so
    only pip's and jupyter's shebangs name an interpreter."""
    shims = tmp_path / "shims"
    for name, text in (("python", "#!/usr/bin/env bash\nexec pyenv exec python \"$@\"\n"),
                       ("pip", "#!/opt/venv/bin/python\nimport pip\n"),
                       ("jupyter", "#!/opt/lab/bin/python3\nimport jupyter_core\n")):
        write(shims / name, text).chmod(0o755)
    tools = {t.name: t for t in config.path_tools(str(shims))}
    assert (tools["python"].interpreter, tools["pip"].interpreter) == (None, "/opt/venv/bin/python")
    assert tools["jupyter"].interpreter == "/opt/lab/bin/python3"


def test_kernels_are_taken_in_jupyters_order_jupyter_path_then_its_data_dir(tmp_path):
    """A kernel name found twice is the one Jupyter starts: $JUPYTER_PATH first, then
    $JUPYTER_DATA_DIR, before the default user folders."""
    home = tmp_path / "home"

    def kernel(folder: Path, python: str) -> None:
        write(folder / "kernels" / "tf" / "kernel.json",
              json.dumps({"argv": [python, "-m", "ipykernel_launcher"]}))

    kernel(home / ".local" / "share" / "jupyter", "/default/bin/python")
    kernel(tmp_path / "data", "/data-dir/bin/python")
    env = {"HOME": str(home), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    assert [k.argv0 for k in config.kernel_specs(env, None)] == ["/data-dir/bin/python"]
    kernel(tmp_path / "extra", "/jupyter-path/bin/python")
    env["JUPYTER_PATH"] = str(tmp_path / "extra")
    assert [k.argv0 for k in config.kernel_specs(env, None)] == ["/jupyter-path/bin/python"]


def test_a_proxy_user_name_that_is_an_email_address_loses_the_password_too():
    assert config.without_credentials("http://ana@corp.com:s3cret@proxy.corp:8080/") == (
        "http://***@proxy.corp:8080/")


def test_settings_are_kept_as_written_and_only_urls_lose_their_credentials():
    env = config.config_env({"KERAS_HOME": r"C:\Users\ana\OneDrive - ana@corp.com\keras",
                             "PYTHONPATH": "src@2024/lib", "HOME": "/h",
                             "HTTPS_PROXY": "http://ana:s3cret@proxy.corp:8080"})
    assert env == {"KERAS_HOME": r"C:\Users\ana\OneDrive - ana@corp.com\keras",
                   "PYTHONPATH": "src@2024/lib", "HTTPS_PROXY": "http://***@proxy.corp:8080"}


def test_an_interpreter_belongs_to_its_venv_folder_else_to_its_real_binary(tmp_path):
    venv = tmp_path / "venv"
    write(venv / "pyvenv.cfg", "home = /usr/bin\n")
    write(venv / "bin" / "python", "")
    (tmp_path / "link").symlink_to(venv)
    assert config.environment_of(str(tmp_path / "link" / "bin" / "python")) == str(venv)
    write(tmp_path / "plain" / "bin" / "python", "")
    (tmp_path / "python-link").symlink_to(tmp_path / "plain" / "bin" / "python")
    assert config.environment_of(str(tmp_path / "python-link")) == str(
        tmp_path / "plain" / "bin" / "python")
    assert config.environment_of(None) is None


def test_hashing_a_large_weights_file_holds_a_small_part_of_it_in_memory(tmp_path):
    """Keras' cached weights run to gigabytes (VGG19: 550 MB): hashing one reads it a block at a
    time, so memory stays far below the file's size."""
    import tracemalloc

    models = tmp_path / ".keras" / "models"
    models.mkdir(parents=True)
    whole = caches.HDF5_SIGNATURE + os.urandom(16 << 20)
    (models / "vgg19_weights.h5").write_bytes(whole)
    del whole
    tracemalloc.start()
    try:
        found = caches.read_caches({"HOME": str(tmp_path)}, "Linux", str(tmp_path / ".keras"),
                                   hash_weights=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (weights,) = found.weights
    assert weights.sha256 == hashlib.sha256((models / "vgg19_weights.h5").read_bytes()).hexdigest()
    assert peak < 4 << 20, peak


def test_weights_files_signature_and_sizes_only_on_request(tmp_path):
    models = tmp_path / ".keras" / "models"
    models.mkdir(parents=True)
    (models / "good.h5").write_bytes(caches.HDF5_SIGNATURE + b"\0" * 100)
    (models / "bad.h5").write_bytes(b"<html>404</html>")
    env = {"HOME": str(tmp_path), "UV_CACHE_DIR": str(tmp_path / "uv")}
    (tmp_path / "uv").mkdir()
    (tmp_path / "uv" / "f").write_bytes(b"x" * 1000)
    facts = caches.read_caches(env, "Linux", str(tmp_path / ".keras"))
    assert {(w.name, w.hdf5_signature, w.size_bytes) for w in facts.weights} == {
        ("good.h5", True, 108), ("bad.h5", False, 16)}
    uv = next(d for d in facts.dirs if d.tool == "uv")
    assert uv.exists and uv.size_bytes is None
    assert all(w.sha256 is None for w in facts.weights)  # hashing costs seconds: only on request
    measured = caches.read_caches(env, "Linux", str(tmp_path / ".keras"), measure_sizes=True,
                                  hash_weights=True)
    uv = next(d for d in measured.dirs if d.tool == "uv")
    assert (uv.size_bytes, uv.size_complete) == (1000, True)
    assert {w.name: w.sha256 for w in measured.weights} == {
        name: hashlib.sha256((models / name).read_bytes()).hexdigest()
        for name in ("good.h5", "bad.h5")}


@pytest.mark.parametrize("prefix, kind", [
    ("/opt/homebrew/Cellar/python@3.11/3.11.9/Frameworks/Python.framework/Versions/3.11",
     "homebrew"),
    ("/Library/Frameworks/Python.framework/Versions/3.11", "python.org"),
    ("/Users/a/.pyenv/versions/3.11.7", "pyenv"),
    ("/usr/local/opt/python@3.11/Frameworks/Python.framework/Versions/3.11",
     "homebrew"),  # Homebrew's opt link on an Intel Mac, not the system's /usr
    ("C:\\Users\\a\\.pyenv\\pyenv-win\\versions\\3.11.7", "pyenv"),
    ("/Users/a/.local/share/uv/python/cpython-3.12.4-macos-aarch64-none", "uv"),
    ("/home/a/.local/share/uv/tools/keras-doctor", "uv"),
    ("/usr/local/Cellar/python@3.11/3.11.9/Frameworks/Python.framework/Versions/3.11",
     "homebrew"),  # Homebrew on an Intel Mac
    ("/usr", "system"),
    ("/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12", "homebrew"),
    ("/System/Library/Frameworks/Python.framework/Versions/2.7", "system"),  # macOS <= 12.3
    ("/Library/Developer/CommandLineTools/Library/Frameworks/Python3.framework/Versions/3.9",
     "system"),
])
def test_install_kinds(prefix, kind):
    assert interpreter.install_kind(prefix) == kind


def test_externally_managed_marker_applies_outside_venvs_only(tmp_path):
    (tmp_path / "EXTERNALLY-MANAGED").write_text("[externally-managed]\n")
    assert interpreter.externally_managed_marker(str(tmp_path), in_venv=False)
    assert interpreter.externally_managed_marker(str(tmp_path), in_venv=True) is None
    # A venv made from Debian's python3: its base is managed, the venv itself is the user's.
    base, venv = tmp_path / "usr", tmp_path / "venv"
    probe = {"version": "3.11.2", "prefix": str(venv), "base_prefix": str(base),
             "stdlib": str(tmp_path), "sys_path": []}
    assert interpreter.from_probe(probe, {}).externally_managed is None
    system = {**probe, "prefix": str(base)}
    assert interpreter.from_probe(system, {}).externally_managed == str(
        tmp_path / "EXTERNALLY-MANAGED")
    assert interpreter.from_probe(system, {}).implementation == "cpython"  # not in old probes


def test_probe_is_not_fooled_by_stdlib_names_in_the_working_directory(tmp_path):
    for name in ("json", "platform", "sysconfig", "ssl"):
        write(tmp_path / f"{name}.py", "raise SystemExit('shadowed stdlib module imported')\n")
    proc = subprocess.run([sys.executable, "-c", collect.probe_source()], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["sys_path"][0] == "" and data["cwd"] == str(tmp_path)
    assert data["version"] == ".".join(map(str, sys.version_info[:3]))


def test_stated_target_has_markers_for_that_platform(tmp_path):
    facts = collect.collect_path(str(tmp_path), "macos-arm64", "3.12")
    assert facts.interpreter.marker_environment["sys_platform"] == "darwin"
    assert facts.interpreter.marker_environment["platform_machine"] == "arm64"
    assert facts.interpreter.version == "3.12.0" and facts.config is None


def test_running_interpreter_facts_are_complete(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    facts = collect.collect_running()
    assert facts.interpreter.executable == sys.executable
    assert (facts.target.mode, facts.target.path) == ("running", sys.executable)
    # the doctor's own script folder gives way to the working directory; the rest is as is
    assert facts.interpreter.sys_path == ["", *probe_module.probe()["sys_path"][1:]]
    assert any(d.canonical_name == "packaging" for d in facts.distributions)
    assert facts.config is not None and facts.caches is not None
    assert os.path.isabs(facts.config.keras_json.path)


def test_ssl_facts_equal_what_the_ssl_module_answers(tmp_path, monkeypatch):
    import ssl

    from keras_doctor.facts.probe import _ssl_paths

    bundle = tmp_path / "bundle.pem"
    bundle.write_text("")
    for env in ({}, {"SSL_CERT_FILE": str(bundle)}, {"SSL_CERT_FILE": str(tmp_path / "gone")}):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        expected = ssl.get_default_verify_paths()
        found = _ssl_paths()
        assert (found["cafile"], found["capath"], found["openssl_cafile"],
                found["openssl_capath"]) == (expected.cafile, expected.capath,
                                             expected.openssl_cafile, expected.openssl_capath)


def test_the_macos_and_windows_cache_folders_are_where_pip_and_uv_keep_them():
    mac = caches.read_caches({"HOME": "/Users/a"}, "Darwin", "/Users/a/.keras")
    assert [(d.tool, d.path) for d in mac.dirs] == [
        ("pip", "/Users/a/Library/Caches/pip"), ("uv", "/Users/a/.cache/uv")]
    windows = caches.read_caches({"HOME": "C:/Users/a"}, "Windows", "C:/Users/a/.keras")
    assert [d.path for d in windows.dirs] == [os.path.join("C:/Users/a", "pip", "Cache"),
                                              os.path.join("C:/Users/a", "uv", "cache")]
    assert caches.uv_cache_dir({}, "Windows") == os.path.join(os.path.expanduser("~"), "uv",
                                                              "cache")


def test_kernels_of_windows_and_of_a_home_taken_from_the_account(tmp_path):
    dirs = config.kernel_dirs({"APPDATA": "C:/Users/a/AppData/Roaming"}, None)
    assert os.path.join("C:/Users/a/AppData/Roaming", "jupyter", "kernels") in dirs
    assert os.path.join(os.path.expanduser("~"), ".local", "share", "jupyter", "kernels") in dirs


def test_wheel_tags_are_read_from_the_wheel_file(tmp_path):
    folder = dist_info(tmp_path, "native", "1.0")
    write(folder / "WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
                            "Tag: cp311-cp311-macosx_11_0_arm64\n"
                            "Tag: cp311-cp311-macosx_12_0_arm64\n")
    (dist,), _ = distributions.scan([str(tmp_path)])
    assert dist.wheel_tags == ["cp311-cp311-macosx_11_0_arm64", "cp311-cp311-macosx_12_0_arm64"]


def test_an_egg_info_without_a_readable_pkg_info_says_which_and_why(tmp_path):
    write(tmp_path / "empty-1.0-py3.11.egg-info" / "requires.txt", "six\n")
    (tmp_path / "folder-2.0-py3.11.egg-info" / "PKG-INFO").mkdir(parents=True)
    found = {d.name: d for d in distributions.scan([str(tmp_path)])[0]}
    assert found["empty"].error == "PKG-INFO is missing or unreadable"
    assert (found["empty"].version, found["empty"].metadata_kind) == ("1.0", "egg-info")
    assert found["empty"].location == str(tmp_path)  # where to uninstall it from
    assert found["folder"].error == "PKG-INFO is a folder, not a regular file"
    assert (found["folder"].version, found["folder"].metadata_kind) == ("2.0", "egg-info")
    assert found["folder"].location == str(tmp_path)  # where to uninstall it from


def test_a_binary_that_cannot_be_read_is_listed_with_why_and_its_owner(tmp_path):
    dist_info(tmp_path, "native", "1.0", record="native/_core.so,,\n")
    write(tmp_path / "native" / "_core.so", "")
    # in a folder no RECORD lists (vendored by hand): found by walking, owned by nobody
    write(tmp_path / "vendored" / "_half.so", "").write_bytes(b"\xcf\xfa\xed\xfe" + bytes(8))
    dists, _ = distributions.scan([str(tmp_path)])
    found = {os.path.basename(b.path): b for b in binaries.scan([str(tmp_path)], dists)}
    assert (found["_core.so"].format, found["_core.so"].error) == ("unknown", "empty file")
    assert found["_core.so"].owner == "native" and found["_core.so"].location == str(tmp_path)
    assert (found["_half.so"].error, found["_half.so"].owner) == ("truncated header", None)


def test_the_executable_header_of_a_real_interpreter_and_of_a_script(tmp_path):
    """A real interpreter's binary names its format and CPU slices; a launcher script (a shim,
    as pyenv writes) has neither, so no architecture claim is made from it."""
    fmt, archs = interpreter.executable_header(sys.executable)
    expected = {"linux": "elf", "darwin": "mach-o", "win32": "pe"}[sys.platform]
    assert fmt == expected and archs
    shim = write(tmp_path / "python", "#!/bin/sh\nexec python3.11 \"$@\"\n")
    assert interpreter.executable_header(str(shim)) == (None, None)
    assert interpreter.executable_header(None) == (None, None)


def test_an_unreadable_site_folder_does_not_hide_the_binaries_of_the_next(tmp_path):
    site = tmp_path / "site"
    (site / "pkg").mkdir(parents=True)
    shutil.copy(BINARIES / "elf-x86_64.so", site / "pkg" / "_native.so")
    found = binaries.scan([str(tmp_path / "missing"), str(site)], [])
    assert [(Path(b.path).name, b.format) for b in found] == [("_native.so", "elf")]


def test_a_binary_belongs_to_the_innermost_site_folder_that_holds_it(tmp_path):
    """A virtualenv inside a project whose own folder is on sys.path: its binaries belong to
    the virtualenv's site-packages, not to the project."""
    outer = tmp_path / "project"
    inner = outer / ".venv" / "lib" / "python3.11" / "site-packages"
    (inner / "pkg").mkdir(parents=True)
    shutil.copy(BINARIES / "elf-x86_64.so", inner / "pkg" / "_native.so")
    for order in ([str(outer), str(inner)], [str(inner), str(outer)]):
        found = binaries.scan(order, [])
        assert {b.location for b in found if b.path.endswith("_native.so")} == {str(inner)}


def test_a_folder_linked_back_into_itself_is_walked_once(tmp_path):
    """A hand-copied package holding a symlink to its parent (as some build trees do) would
    make a walk that follows links list its binaries again at every depth until its budget ran
    out; links are not followed, so each binary is listed once and nothing is cut short."""
    site = tmp_path / "site"
    (site / "vendored").mkdir(parents=True)
    shutil.copy(BINARIES / "elf-x86_64.so", site / "vendored" / "_native.so")
    (site / "vendored" / "again").symlink_to(site / "vendored", target_is_directory=True)
    notes: list = []
    found = binaries.scan([str(site)], [], notes)
    assert [b.path for b in found] == [str(site / "vendored" / "_native.so")]
    assert notes == []


def test_a_walk_cut_short_anywhere_says_so(tmp_path, monkeypatch):
    """Whatever the limit, and wherever in the folders it runs out, the scan either lists every
    binary of the folders no RECORD lists or says it stopped: never fewer binaries in silence."""
    site = tmp_path / "site"
    for rel in ("copied/a.txt", "copied/b.txt", "copied/sub/_a.so", "vendored/_b.so",
                "vendored/c.txt"):
        write(site / rel, "")
    everything = {str(site / "copied" / "sub" / "_a.so"), str(site / "vendored" / "_b.so")}
    outcomes = set()
    for limit in range(1, 10):
        monkeypatch.setattr(binaries, "MAX_WALKED_ENTRIES", limit)
        notes: list = []
        found = {b.path for b in binaries.scan([str(site)], [], notes)}
        stopped = any("stopped looking for binaries" in note for note in notes)
        assert found == everything or stopped, (limit, found, notes)
        outcomes.add(stopped)
    assert outcomes == {True, False}  # both sides of the limit were reached


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_reading_the_head_of_a_fifo_is_refused_saying_why(tmp_path):
    fifo = tmp_path / "python"
    os.mkfifo(fifo)
    with pytest.raises(OSError) as refused:
        bounded_read.read_regular_head(str(fifo), 512)
    assert (refused.value.strerror, refused.value.filename) == ("a FIFO, not a regular file",
                                                                str(fifo))


@pytest.mark.parametrize("read", [bounded_read.read_regular_head, bounded_read.read_regular_file])
def test_reading_a_path_with_a_nul_byte_is_an_os_error_saying_why(tmp_path, read):
    named = str(tmp_path / "lib\0.so")  # a RECORD line can name anything
    with pytest.raises(OSError) as refused:
        read(named, 512)
    assert (refused.value.strerror, refused.value.filename) == ("embedded null byte", named)
    assert refused.value.errno == errno.EINVAL  # like any other path the OS refuses


@pytest.mark.parametrize("mode, reason", [
    (stat.S_IFIFO, "a FIFO, not a regular file"),
    (stat.S_IFCHR, "a device, not a regular file"),
    (stat.S_IFBLK, "a device, not a regular file"),
    (stat.S_IFSOCK, "a socket, not a regular file"),
    (stat.S_IFDIR, "a folder, not a regular file"),
    (0o160000, "not a regular file"),  # S_IFWHT: a whiteout of a macOS union mount
])
def test_every_kind_of_file_that_is_not_regular_is_refused_by_name(mode, reason):
    with pytest.raises(bounded_read.NotRegularFile) as refused:
        bounded_read._check_regular("/site/pkg-1.0.dist-info/METADATA", mode | 0o644)
    assert (refused.value.strerror, refused.value.filename) == (
        reason, "/site/pkg-1.0.dist-info/METADATA")
    bounded_read._check_regular("/site/pkg-1.0.dist-info/METADATA", stat.S_IFREG | 0o644)


@pytest.mark.skipif(not os.path.isfile("/proc/self/status"), reason="Linux /proc")
def test_a_file_longer_than_its_stated_size_is_still_held_to_the_limit():
    """/proc files (and a file that grows while it is read) state a size of 0: the limit is
    enforced on the bytes actually read, and the refusal names the file."""
    with pytest.raises(bounded_read.FileTooLarge) as refused:
        bounded_read.read_regular_file("/proc/self/status", 16)
    assert (refused.value.strerror, refused.value.filename) == ("larger than 16 bytes",
                                                                "/proc/self/status")
    assert b"Name:" in bounded_read.read_regular_file("/proc/self/status", 1 << 20)


@pytest.mark.parametrize("system, env, user_folder", [
    ("Linux", {}, "{home}/.local/share/jupyter"),
    ("Linux", {"XDG_DATA_HOME": "/xdg"}, "/xdg/jupyter"),
    ("Darwin", {"XDG_DATA_HOME": "/xdg"}, "{home}/Library/Jupyter"),
    ("Windows", {"APPDATA": "/appdata"}, "/appdata/jupyter"),
    ("Windows", {}, "{home}/.jupyter/data"),
    ("Linux", {"JUPYTER_DATA_DIR": "/data"}, "/data"),
    ("Darwin", {"JUPYTER_DATA_DIR": "/data"}, "/data"),
])
def test_the_user_kernels_folder_is_the_one_jupyter_uses_on_that_system(system, env, user_folder):
    """jupyter_core's `jupyter_data_dir`: one user folder, and $JUPYTER_DATA_DIR replaces it, so a
    kernel in another OS's folder or in the default one beside a set data dir never starts."""
    home = "/home/ada"
    dirs = config.kernel_dirs({"HOME": home, **env}, "/env", system)
    user = os.path.join(user_folder.format(home=home), "kernels")
    assert dirs == [user, os.path.join("/env", "share", "jupyter", "kernels"),
                    "/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels"]


def test_a_kernel_beside_a_set_jupyter_data_dir_is_not_one_jupyter_starts(tmp_path):
    home = tmp_path / "home"
    write(home / ".local" / "share" / "jupyter" / "kernels" / "old" / "kernel.json",
          json.dumps({"argv": ["/old/bin/python", "-m", "ipykernel_launcher"]}))
    env = {"HOME": str(home)}
    assert [k.name for k in config.kernel_specs(env, None, system="Linux")] == ["old"]
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "data")
    assert config.kernel_specs(env, None, system="Linux") == []
    assert config.read_config(env, None, system="Linux").kernel_specs == []
    assert config.read_config(env, None).kernel_specs == []  # whatever the OS


def test_a_kernel_in_another_systems_user_folder_is_not_one_jupyter_starts(tmp_path):
    """~/.local/share/jupyter is Linux's folder: Jupyter on macOS never looks there, so a kernel
    left there (a dotfiles copy from a Linux box) is not listed for a Mac."""
    home = tmp_path / "home"
    write(home / ".local" / "share" / "jupyter" / "kernels" / "linux" / "kernel.json",
          json.dumps({"argv": ["/old/bin/python", "-m", "ipykernel_launcher"]}))
    write(home / "Library" / "Jupyter" / "kernels" / "mac" / "kernel.json",
          json.dumps({"argv": ["/new/bin/python", "-m", "ipykernel_launcher"]}))
    env = {"HOME": str(home)}
    assert [k.name for k in config.read_config(env, None, system="Darwin").kernel_specs] == ["mac"]
    assert [k.name for k in config.read_config(env, None, system="Linux").kernel_specs] == [
        "linux"]
