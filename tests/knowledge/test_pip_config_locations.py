"""`db update` reads the pip.conf files pip reads, on macOS and Windows too, in pip's order.

Which folders those are is decided by what OS pip runs on: that answer (`sys.platform`, and on
Windows the shell-folder query platformdirs makes) is the only thing faked here. Everything else is
real: pip's own code, imported from this environment (`pip/_internal/configuration.py`,
`pip/_internal/utils/appdirs.py` and its vendored platformdirs classes for macOS and Windows), lists
its files and loads them; real pip.conf files are written at every one of those places that lives
under the temporary home, and keras-doctor must name the same files in the same order and end with
the `index-url` pip itself ends with.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from pip._internal import configuration
from pip._internal.utils import appdirs
from pip._vendor.platformdirs import macos, unix, windows

from keras_doctor.knowledge.build.network import pip_config, pip_config_files


class _PlatformdirsAs:
    """platformdirs' module functions (what pip's appdirs.py calls), answered for another OS by
    platformdirs' own class for it: the import-time choice of OS is what is replaced."""

    def __init__(self, cls):
        self.cls = cls

    def user_data_dir(self, appname=None, appauthor=None, version=None, roaming=False):
        return self.cls(appname, appauthor, version, roaming=roaming).user_data_dir

    def site_data_dir(self, appname=None, appauthor=None, version=None, multipath=False):
        return self.cls(appname, appauthor, version, multipath=multipath).site_data_dir

    def user_config_dir(self, appname=None, appauthor=None, version=None, roaming=False):
        return self.cls(appname, appauthor, version, roaming=roaming).user_config_dir

    def site_config_dir(self, appname=None, appauthor=None, version=None, multipath=False):
        return self.cls(appname, appauthor, version, multipath=multipath).site_config_dir

    def user_cache_dir(self, appname=None, appauthor=None, version=None):
        return self.cls(appname, appauthor, version).user_cache_dir


def _pip_as_on(platform: str, venv: Path, monkeypatch) -> None:
    """Make pip's own configuration code believe it runs on `platform` (and in `venv`)."""
    cls = {"darwin": macos.MacOS, "win32": windows.Windows, "linux": unix.Unix}[platform]
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "prefix", str(venv))  # the site file of the pip that runs
    monkeypatch.setattr(appdirs, "_appdirs", _PlatformdirsAs(cls))
    monkeypatch.setattr(configuration, "WINDOWS", platform == "win32")
    monkeypatch.setattr(configuration, "CONFIG_BASENAME",
                        "pip.ini" if platform == "win32" else "pip.conf")
    # Windows asks the shell for its folders; here its documented environment variables answer.
    monkeypatch.setattr(windows, "_resolve_win_folder", windows.get_win_folder_from_env_vars)


def _pips_files():
    return [path for _, paths in configuration.Configuration(isolated=False).iter_config_files()
            for path in paths]


def _pips_index_url():
    config = configuration.Configuration(isolated=False)
    config.load()
    try:
        return config.get_value("global.index-url")
    except configuration.ConfigurationError:
        return None


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A home, a virtualenv and the Windows profile folders, all under tmp_path."""
    home = tmp_path / "home"
    venv = tmp_path / "venv"
    for folder in (home, venv, tmp_path / "AppData" / "Roaming", tmp_path / "ProgramData"):
        folder.mkdir(parents=True)
    environ = {"HOME": str(home), "USERPROFILE": str(home), "VIRTUAL_ENV": str(venv),
               "APPDATA": str(tmp_path / "AppData" / "Roaming"),
               "ALLUSERSPROFILE": str(tmp_path / "ProgramData"),
               "PROGRAMDATA": str(tmp_path / "ProgramData")}
    for key in list(os.environ):
        if key.startswith(("PIP_", "XDG_")) or key in ("VIRTUAL_ENV",):
            monkeypatch.delenv(key, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    return tmp_path, environ


def _write_everywhere(files, tmp_path):
    """A real pip.conf (pip.ini) at each place under tmp_path, each naming its own index."""
    written = []
    for number, path in enumerate(files):
        path = Path(path)
        if tmp_path in path.parents:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"[global]\nindex-url = https://index{number}.example/simple\n")
            written.append(path)
    return written


@pytest.mark.parametrize("platform", ["darwin", "win32", "linux"])
@pytest.mark.parametrize("application_support", [False, True])
def test_the_files_and_their_order_are_pips_own(machine, monkeypatch, platform,
                                                 application_support):
    tmp_path, environ = machine
    if application_support:  # macOS: pip reads ~/Library/Application Support/pip if it exists
        (tmp_path / "home" / "Library" / "Application Support" / "pip").mkdir(parents=True)
    ours = [str(p) for p in pip_config_files(environ, platform)]
    _pip_as_on(platform, tmp_path / "venv", monkeypatch)
    pips = _pips_files()
    assert ours == pips
    if platform == "darwin":
        assert ("/Library/Application Support/pip/pip.conf") in ours
        user = str(tmp_path / "home" / ("Library/Application Support" if application_support
                                        else ".config") / "pip" / "pip.conf")
        assert ours.index(user) > ours.index(str(tmp_path / "home" / ".pip" / "pip.conf"))
    if platform == "win32":
        assert ours[0] == str(tmp_path / "ProgramData" / "pip" / "pip.ini")
        assert ours[1:3] == [str(tmp_path / "home" / "pip" / "pip.ini"),
                             str(tmp_path / "AppData" / "Roaming" / "pip" / "pip.ini")]


@pytest.mark.parametrize("platform", ["darwin", "win32", "linux"])
def test_real_files_give_the_index_pip_itself_ends_with(machine, monkeypatch, platform):
    tmp_path, environ = machine
    files = pip_config_files(environ, platform)
    written = _write_everywhere(files, tmp_path)
    assert len(written) >= 3  # user legacy, user new, site (and global on Windows)
    # remove the winning file one at a time: each time the next one down must win, for both
    while written:
        ours = pip_config(environ, platform).get("index-url")
        with monkeypatch.context() as inner:
            _pip_as_on(platform, tmp_path / "venv", inner)
            assert ours == _pips_index_url(), [str(p) for p in written]
        written.pop().unlink()
    assert pip_config(environ, platform).get("index-url") is None


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_pip_config_file_replaces_the_users_files_as_in_pip(machine, monkeypatch, platform):
    tmp_path, environ = machine
    _write_everywhere(pip_config_files(environ, platform), tmp_path)
    chosen = tmp_path / "chosen.conf"
    chosen.write_text("[install]\nindex-url = https://chosen.example/simple\n")
    environ = {**environ, "PIP_CONFIG_FILE": str(chosen)}
    monkeypatch.setenv("PIP_CONFIG_FILE", str(chosen))
    ours = [str(p) for p in pip_config_files(environ, platform)]
    assert str(tmp_path / "home" / ("pip" if platform == "win32" else ".pip")) not in \
        " ".join(ours)
    _pip_as_on(platform, tmp_path / "venv", monkeypatch)
    assert ours == _pips_files()
    assert pip_config(environ, platform)["index-url"] == "https://chosen.example/simple"
