"""Facts saved on one machine read back the same on another, and a bad input says what is wrong.

"Save facts on a Mac, diagnose anywhere" holds only if every value a reader produces fits the
schema it is read back under: a broken dist-info, an egg-info, a cache, an interpreter's SSL paths.
And the readers that face an interpreter or a file the user named must refuse clearly: an
interpreter that hangs is given up, one that fails is reported by its last error line, a facts file
too large, not UTF-8 or not JSON is named as such.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
import time
from pathlib import Path

import pytest

from keras_doctor.facts import bounded_read, caches, collect, config, distributions
from keras_doctor.facts.model import Facts, FactsFormatError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def mixed_site(site: Path) -> Path:
    """Every shape of installed metadata: good and broken dist-info, egg-info folder and file."""
    write(site / "good-1.0.dist-info" / "METADATA",
          "Metadata-Version: 2.1\nName: good\nVersion: 1.0\nRequires-Dist: six\n")
    write(site / "good-1.0.dist-info" / "RECORD",
          "good/__init__.py,sha256=x,1\n\"good/a,b.py\",,\ngood-1.0.dist-info/RECORD,,\n")
    write(site / "noversion-2.0.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: noversion\n")
    egg = site / "legacy-3.0-py3.11.egg-info"
    write(egg / "PKG-INFO", "Metadata-Version: 1.0\nName: legacy\nVersion: 3.0\n")
    write(egg / "requires.txt", "numpy\n[gpu]\ncupy\n")
    write(egg / "installed-files.txt", "../legacy/__init__.py\nPKG-INFO\n")
    write(site / "oldversionless-4.0-py3.11.egg-info" / "PKG-INFO",
          "Metadata-Version: 1.0\nName: oldversionless\n")
    write(site / "single-5.0-py3.11.egg-info",
          "Metadata-Version: 1.0\nName: single\nVersion: 5.0\n")
    return site


def test_every_shape_of_installed_metadata_reads_back_from_saved_facts(tmp_path):
    site = mixed_site(tmp_path / "site")
    facts = collect.collect_path(str(site), "macos-arm64", "3.11")
    saved = tmp_path / "facts.json"
    saved.write_text(json.dumps(facts.to_dict()))

    again = collect.load_facts(str(saved))

    assert again == facts
    by_name = {d.name: d for d in again.distributions}
    assert by_name["good"].metadata_kind == "dist-info" and by_name["good"].error is None
    assert by_name["good"].files == ["good/__init__.py", "good/a,b.py",
                                     "good-1.0.dist-info/RECORD"]
    assert by_name["noversion"].metadata_kind == "dist-info"
    assert by_name["noversion"].error == "METADATA has no Name or Version"
    assert by_name["noversion"].location == str(site)
    assert by_name["legacy"].metadata_kind == "egg-info"
    assert by_name["legacy"].requires_dist == ["numpy", 'cupy; extra == "gpu"']
    assert distributions.installed_files(by_name["legacy"]) == [
        str(site / "legacy" / "__init__.py"),
        str(site / "legacy-3.0-py3.11.egg-info" / "PKG-INFO")]
    assert by_name["oldversionless"].metadata_kind == "egg-info"
    assert by_name["oldversionless"].error == "PKG-INFO has no Name or Version"
    assert by_name["oldversionless"].location == str(site)
    assert by_name["single"].version == "5.0" and by_name["single"].files is None


def test_facts_read_from_stdin_equal_the_file(tmp_path, monkeypatch):
    facts = collect.collect_path(str(mixed_site(tmp_path / "site")), "linux-x86_64", "3.12")
    document = json.dumps(facts.to_dict()).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(document)))
    assert collect.load_facts("-") == facts


@pytest.mark.parametrize(("content", "said"), [
    (b"\xff\xfe{}", "is not UTF-8 text (byte 0)"),
    (b"{\"schema_version\": 1,", "is not valid JSON"),
    (b"[1, 2]", "is not a keras-doctor facts document"),
    (b"{\"schema_version\": 0}", "schema_version 0 is not supported"),
])
def test_a_file_that_is_not_facts_is_refused_saying_why(tmp_path, content, said):
    path = tmp_path / "facts.json"
    path.write_bytes(content)
    with pytest.raises(collect.TargetError) as caught:
        collect.load_facts(str(path))
    assert str(caught.value).startswith(f"{path}") and said in str(caught.value)


def test_a_facts_file_larger_than_any_snapshot_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "FACTS_FILE_LIMIT", 3 << 20)
    path = tmp_path / "facts.json"
    path.write_text(" " * ((3 << 20) + 1))
    with pytest.raises(collect.TargetError, match="larger than 3 MB: not a facts file"):
        collect.load_facts(str(path))
    monkeypatch.setattr(collect, "FACTS_FILE_LIMIT", 1000)
    path.write_text(json.dumps({"schema_version": 0}).ljust(1000))  # at the limit: read
    with pytest.raises(collect.TargetError, match="schema_version 0"):
        collect.load_facts(str(path))


@pytest.mark.parametrize("path", ["/no/such/facts.json", "facts\0.json"])
def test_a_facts_path_that_cannot_be_opened_is_a_clear_error(path):
    with pytest.raises(collect.TargetError, match="cannot read facts file"):
        collect.load_facts(path)


@pytest.mark.parametrize(("where", "value", "said"), [
    ("target", [], "facts.target: expected an object, got a list"),
    ("target", 3, "facts.target: expected an object, got the number 3"),
    ("target", True, "facts.target: expected an object, got true/false"),
    ("target", "macos", "facts.target: expected an object, got a string"),
    ("distributions", {"a": 1}, "facts.distributions: expected a list, got an object"),
    ("interpreter.marker_environment", ["3.11"],
     "facts.interpreter.marker_environment: expected an object, got a list"),
])
def test_a_wrong_value_is_named_with_the_json_type_found(tmp_path, where, value, said):
    document = collect.collect_path(str(tmp_path), "macos-arm64", "3.11").to_dict()
    *parents, last = where.split(".")
    node = document
    for key in parents:
        node = node[key]
    node[last] = value
    with pytest.raises(FactsFormatError) as caught:
        Facts.from_dict(document)
    assert said in str(caught.value)


# -- the interpreter being probed ----------------------------------------------------------------

def fake_python(tmp_path: Path, script: str) -> str:
    path = tmp_path / "python"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the interpreter")
def test_an_interpreter_that_hangs_is_given_up_at_the_probe_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "PROBE_TIMEOUT", 1.0)
    python = fake_python(tmp_path, "exec sleep 60\n")
    started = time.monotonic()
    with pytest.raises(collect.TargetError, match="did not answer within 1 s"):
        collect.run_probe(python)
    assert time.monotonic() - started < 30  # not the minute the interpreter would take


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the interpreter")
def test_an_interpreter_that_fails_is_reported_by_its_last_error_line(tmp_path):
    python = fake_python(tmp_path, "echo 'Fatal Python error: init_fs_encoding' >&2\n"
                                   "echo \"ModuleNotFoundError: No module named 'encodings'\" >&2\n"
                                   "exit 1\n")
    with pytest.raises(collect.TargetError) as caught:
        collect.run_probe(python)
    message = str(caught.value)
    assert "(exit 1): ModuleNotFoundError: No module named 'encodings'" in message
    assert "init_fs_encoding" not in message


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the interpreter")
def test_an_interpreter_whose_error_is_not_utf8_is_still_reported(tmp_path):
    python = fake_python(tmp_path, "printf 'dyld: Library not loaded: /Users/j\\351r\\364me' >&2\n"
                                   "exit 134\n")  # a Latin-1 home folder name
    with pytest.raises(collect.TargetError) as caught:
        collect.run_probe(python)
    assert "(exit 134): dyld: Library not loaded: /Users/j\ufffdr\ufffdme" in str(caught.value)


def test_running_the_probe_leaves_no_pipe_open():
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(3):
            collect._run_bounded([sys.executable, "-c", "print(1)"], 30.0, 1000)
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX file descriptors")
def test_the_probe_never_reads_the_users_terminal():
    """An interpreter wrapper that prompts (pyenv offering to install a version, a conda hook)
    must see no input at all, not wait on or swallow what the user types: its stdin is the null
    device even when keras-doctor's own stdin is a terminal or a pipe."""
    read_end, write_end = os.pipe()
    saved = os.dup(0)
    try:
        os.dup2(read_end, 0)  # keras-doctor's stdin: a pipe nobody closes, like a terminal
        code = "import os; print(os.path.samestat(os.fstat(0), os.stat(os.devnull)))"
        returncode, stdout, _ = collect._run_bounded([sys.executable, "-c", code], 30.0, 1000)
    finally:
        os.dup2(saved, 0)
        for fd in (saved, read_end, write_end):
            os.close(fd)
    assert (returncode, stdout.strip()) == (0, b"True")


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the interpreter")
def test_an_interpreter_that_fails_silently_says_so(tmp_path):
    with pytest.raises(collect.TargetError, match=r"\(exit 3\): no output"):
        collect.run_probe(fake_python(tmp_path, "exit 3\n"))


def test_what_is_not_an_interpreter_is_refused_before_running_it(tmp_path):
    with pytest.raises(collect.TargetError, match="no interpreter at"):
        collect.run_probe(str(tmp_path / "missing"))
    with pytest.raises(collect.TargetError, match="not an executable interpreter"):
        collect.run_probe(str(tmp_path))
    plain = write(tmp_path / "python.txt", "print(1)\n")
    with pytest.raises(collect.TargetError, match="not an executable interpreter"):
        collect.run_probe(str(plain))


def probe_answer(**changes):
    answer = {"version": "3.11.7", "prefix": "/p", "base_prefix": "/p", "sys_path": []}
    answer.update(changes)
    return answer


@pytest.mark.parametrize(("answer", "said"), [
    (probe_answer(env={"PATH": 1}), "'env' is not an object of strings"),
    (probe_answer(marker_environment={"python_version": ["3", "11"]}),
     "'marker_environment' is not an object of strings"),
    (probe_answer(cpu={"cpu_flags": "avx"}), "'cpu.cpu_flags' is not a list of strings"),
    (probe_answer(cpu={"apple_silicon": "yes"}), "'cpu.apple_silicon' is not true or false"),
    (probe_answer(bits=True), "'bits' is not an integer"),
    (probe_answer(ssl={"cafile": ["a"]}), "'ssl' holds nested values"),
])
def test_a_probe_answer_of_the_wrong_shape_names_the_value(answer, said):
    assert collect.probe_answer_problem(answer) == said


@pytest.mark.parametrize("answer", [
    probe_answer(env={"PATH": "/bin"}, cpu={"cpu_flags": ["avx"], "apple_silicon": False},
                 bits=64, ssl={"cafile": None, "capath": "/etc/ssl"}),
    probe_answer(env={}, cpu={}, ssl={}),
])
def test_a_probe_answer_of_the_right_shape_is_accepted(answer):
    assert collect.probe_answer_problem(answer) is None


def test_the_system_and_cpu_the_interpreter_reports_name_the_platform(tmp_path):
    cpu = {"apple_silicon": True, "rosetta_translated": False, "cpu_brand": "Apple M2",
           "os_version": "14.4.1", "cpu_flags": ["neon"]}
    answer = probe_answer(prefix=str(tmp_path), base_prefix=str(tmp_path), system="Darwin",
                          machine="arm64", release="23.4.0", cpu=cpu)
    facts = collect.facts_from_probe(answer, "python", "/p/bin/python")
    assert (facts.platform.system, facts.platform.machine) == ("Darwin", "arm64")
    assert {key: getattr(facts.platform, key) for key in cpu} == cpu
    assert facts.target.platform == "macos-arm64" and facts.platform.release == "23.4.0"
    assert facts.binaries == [] and facts.errors == []


def test_the_ssl_paths_the_interpreter_reports_reach_the_facts(tmp_path):
    ssl = {"cafile": "/etc/ssl/cert.pem", "cafile_exists": False, "openssl": "OpenSSL 3.0.2"}
    answer = probe_answer(prefix=str(tmp_path), base_prefix=str(tmp_path), ssl=ssl)
    facts = collect.facts_from_probe(answer, "python", "/p/bin/python")
    assert facts.interpreter.ssl == ssl


# -- what the readers around the interpreter find ------------------------------------------------

def test_the_pip_and_uv_caches_are_named_by_their_tool(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    (tmp_path / "cache" / "pip").mkdir(parents=True)
    found = caches.read_caches(env, "Linux", str(tmp_path / ".keras"))
    assert [(d.tool, d.path, d.exists) for d in found.dirs] == [
        ("pip", str(tmp_path / "cache" / "pip"), True),
        ("uv", str(tmp_path / "cache" / "uv"), False)]


def test_a_cache_is_measured_whole_past_an_unreadable_or_vanished_folder(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    for index, size in enumerate((10, 20, 30)):
        write(root / f"d{index}" / "f", "x" * size)
    real_scandir = os.scandir

    def scandir(path):
        if str(path) == str(root / "d1"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert caches.tree_size(str(root), None) == (40, True)


def test_a_kernel_installed_in_the_environment_itself_is_found(tmp_path):
    prefix = tmp_path / "env"
    write(prefix / "share" / "jupyter" / "kernels" / "myenv" / "kernel.json",
          json.dumps({"argv": [str(prefix / "bin" / "python"), "-m", "ipykernel_launcher"]}))
    found = config.read_config({"HOME": str(tmp_path / "home")}, str(prefix))
    assert [(k.name, k.argv0, k.argv0_exists) for k in found.kernel_specs
            if k.name == "myenv"] == [("myenv", str(prefix / "bin" / "python"), False)]


def test_kernels_are_searched_where_jupyter_searches_them_system_folders_last(tmp_path):
    dirs = config.kernel_dirs({"HOME": str(tmp_path)}, "/env")
    assert dirs[:2] == [str(tmp_path / ".local" / "share" / "jupyter" / "kernels"),
                        str(tmp_path / "Library" / "Jupyter" / "kernels")]  # Linux, then macOS
    assert dirs[-3:] == ["/env/share/jupyter/kernels", "/usr/local/share/jupyter/kernels",
                         "/usr/share/jupyter/kernels"]  # `jupyter --paths`, data section


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows pip.exe is pip")
def test_a_windows_pip_exe_on_the_path_is_not_taken_for_pip(tmp_path):
    # WSL puts the Windows folders on PATH: their pip.exe is not this system's pip.
    windows = tmp_path / "mnt" / "c" / "Python311" / "Scripts"
    windows.mkdir(parents=True)
    (windows / "pip.exe").write_bytes(b"MZ")
    (windows / "pip.exe").chmod(0o755)
    tools = config.path_tools(str(windows))
    assert [tool.name for tool in tools if tool.name == "pip"] == []


def test_on_windows_pip_exe_is_pip(tmp_path, monkeypatch):
    """The other side: where the doctor runs on Windows, `pip.exe` is how pip is installed."""
    scripts = tmp_path / "Python311" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "pip.exe").write_bytes(b"MZ")
    (scripts / "pip.exe").chmod(0o755)
    monkeypatch.setattr(config.sys, "platform", "win32")
    tools = config.path_tools(str(scripts))
    assert [(tool.name, tool.path) for tool in tools if tool.name == "pip"] == [
        ("pip", str(scripts / "pip.exe"))]


# -- bounded reading -----------------------------------------------------------------------------

def test_json_as_deep_as_the_limit_is_read_and_one_deeper_is_refused():
    limit = bounded_read.JSON_DEPTH_LIMIT
    assert bounded_read.json_depth(bounded_read.loads_json("[" * limit + "]" * limit)) == limit
    with pytest.raises(ValueError, match=f"nested deeper than {limit}"):
        bounded_read.loads_json("[" * (limit + 1) + "]" * (limit + 1))
    assert bounded_read.json_depth(3) == 0 and bounded_read.json_depth({"a": 1}) == 1
    # the deep part behind a scalar still counts: a crafted document cannot hide its depth
    assert bounded_read.json_depth([[[[[0]]]], 1]) == 5
    assert bounded_read.json_depth({"deep": [[[0]]], "flat": "x"}) == 4


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="unix sockets")
def test_a_metadata_file_that_is_a_socket_is_named_as_one(tmp_path):
    path = tmp_path / "METADATA"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(bounded_read.NotRegularFile) as caught:
            bounded_read.read_regular_file(str(path), 1000)
    finally:
        server.close()
    assert caught.value.strerror == "a socket, not a regular file"
    assert caught.value.filename == str(path)


# -- what a shared report must not show ----------------------------------------------------------

def test_the_home_folder_user_and_host_are_hidden_longest_first(tmp_path, monkeypatch):
    from keras_doctor.facts import identity

    home = tmp_path / "Users" / "alice-smith"
    home.mkdir(parents=True)
    monkeypatch.setattr(identity.getpass, "getuser", lambda: "alice-smith")
    monkeypatch.setattr(identity.socket, "gethostname", lambda: "alices-mbp.local")
    words = identity.private_words({"HOME": str(home), "USER": "alice-smith"})
    assert words == {str(home): "~", "alices-mbp.local": "<host>", "alice-smith": "<user>",
                     "alices-mbp": "<host>"}
    assert list(words) == sorted(words, key=len, reverse=True)  # the home before the name in it


def test_a_home_written_with_a_trailing_slash_or_as_the_root_folder(tmp_path, monkeypatch):
    from keras_doctor.facts import identity

    monkeypatch.setattr(identity.getpass, "getuser", lambda: "root")
    monkeypatch.setattr(identity.socket, "gethostname", lambda: "localhost")
    home = tmp_path / "Users" / "ALEX"
    home.mkdir(parents=True)
    assert identity.private_words({"HOME": f"{home}/"}) == {str(home): "~"}
    assert identity.private_words({"HOME": "/"}) == {}  # hiding "/" would hide every path


def test_without_home_in_the_environment_the_accounts_home_is_hidden(monkeypatch):
    from keras_doctor.facts import identity

    monkeypatch.setattr(identity.getpass, "getuser", lambda: "root")
    monkeypatch.setattr(identity.socket, "gethostname", lambda: "localhost")
    home = os.path.expanduser("~")  # the tests' own temporary home
    assert identity.private_words({}) == {home: "~"}


@pytest.mark.parametrize("user, hidden", [("al", True), ("a", False)])
def test_a_two_letter_account_name_is_hidden_a_single_letter_is_not(tmp_path, monkeypatch, user,
                                                                    hidden):
    """A one-letter name would be replaced inside every word of a report; two letters already
    name a person (`al`, `jo`)."""
    from keras_doctor.facts import identity

    monkeypatch.setattr(identity.getpass, "getuser", lambda: user)
    monkeypatch.setattr(identity.socket, "gethostname", lambda: "localhost")
    words = identity.private_words({"HOME": str(tmp_path), "USER": user})
    assert (user in words) is hidden


def test_generic_account_names_are_words_left_alone(tmp_path, monkeypatch):
    from keras_doctor.facts import identity

    monkeypatch.setattr(identity.getpass, "getuser", lambda: "root")  # sudo -E keeps $USER
    monkeypatch.setattr(identity.socket, "gethostname", lambda: "localhost")
    assert identity.private_words({"HOME": str(tmp_path), "USER": "root"}) == {str(tmp_path): "~"}


def test_the_login_name_is_hidden_even_when_the_process_runs_as_another_user(tmp_path,
                                                                            monkeypatch):
    from keras_doctor.facts import identity

    monkeypatch.setattr(identity.getpass, "getuser", lambda: "root")  # under sudo -E
    monkeypatch.setattr(identity.socket, "gethostname", lambda: "localhost")
    words = identity.private_words({"HOME": str(tmp_path), "USER": "alice-smith",
                                    "USERNAME": "asmith"})
    assert words == {str(tmp_path): "~", "alice-smith": "<user>", "asmith": "<user>"}


def test_the_installers_an_environment_offers_are_read_from_its_distributions_and_path(tmp_path):
    """pip and uv installed in the environment give their versions; a uv found only on the PATH
    the interpreter sees still counts (the plan may use it), its version unknown."""
    site = tmp_path / "site"
    for name, version in (("pip", "24.0"), ("uv", "0.4.30"), ("six", "1.16.0")):
        write(site / f"{name}-{version}.dist-info" / "METADATA",
              f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    tools = tmp_path / "tools"
    write(tools / "uv", "#!/bin/sh\n")
    installed = probe_answer(prefix=str(tmp_path), base_prefix=str(tmp_path),
                             sys_path=[str(site)], env={"PATH": "/nowhere"})
    assert collect.facts_from_probe(installed, "python", "/p/bin/python").interpreter.installers \
        == {"pip": "24.0", "uv": "0.4.30"}
    on_path = probe_answer(prefix=str(tmp_path), base_prefix=str(tmp_path), sys_path=[],
                           env={"PATH": os.pathsep.join(["/nowhere", str(tools)])})
    assert collect.facts_from_probe(on_path, "python", "/p/bin/python").interpreter.installers \
        == {"uv": "unknown"}


def test_facts_say_when_they_were_collected(tmp_path):
    before = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    facts = collect.facts_from_probe(probe_answer(prefix=str(tmp_path), base_prefix=str(tmp_path)),
                                     "python", "/p/bin/python")
    after = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    assert before <= facts.collected_at <= after
