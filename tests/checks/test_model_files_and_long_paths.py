"""Model files in the working directory judged by their bytes, and Windows' Long Path setting.

The files are written as the tools that make them write them: a `.keras` archive by `zipfile`, an
HDF5 superblock laid out from the HDF5 File Format Specification, a Git LFS pointer in the format
of the LFS specification, an HTML page. The registry is the one live OS answer faked here.
"""

from __future__ import annotations

import contextlib
import struct
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from factories import mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts import config, scripts, windows
from keras_doctor.facts.hdf5 import SIGNATURE

LFS_POINTER = (b"version https://git-lfs.github.com/spec/v1\n"
               b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
               b"size 133476216\n")


def hdf5_file(path, declared, actual):
    undefined = (1 << 64) - 1
    head = (SIGNATURE + bytes([2, 8, 8, 0]) + struct.pack("<QQQQ", 0, undefined, declared, 96)
            + b"\0" * 4)
    path.write_bytes(head + b"\0" * (actual - len(head)))


def keras_file(path, truncate_to=None):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", b"\0" * 4096)
    if truncate_to is not None:
        path.write_bytes(path.read_bytes()[:truncate_to])


def findings_for(folder, cause="downloaded-weights-file-corrupt"):
    facts = mac_facts()
    files = scripts.model_files(str(folder))
    facts = replace(facts, config=replace(facts.config, model_files=files))
    return [f for f in run_checks(facts).findings if f.cause == cause]


def test_whole_files_are_fine(tmp_path):
    hdf5_file(tmp_path / "weights.h5", 8192, 8192)
    keras_file(tmp_path / "model.keras")
    assert [m.content for m in scripts.model_files(str(tmp_path))] == ["zip", "hdf5"]
    assert findings_for(tmp_path) == []


def test_a_git_lfs_pointer_named_like_the_model(tmp_path):
    (tmp_path / "unet.h5").write_bytes(LFS_POINTER)
    (found,) = findings_for(tmp_path)
    assert found.evidence["content"] == "git-lfs-pointer"
    assert "git-lfs" in found.title


def test_an_empty_file_named_like_the_model(tmp_path):
    (tmp_path / "resnet50.h5").write_bytes(b"")  # a download that never started
    (found,) = findings_for(tmp_path)
    assert (found.evidence["content"], found.evidence["size_bytes"]) == ("empty", 0)
    assert found.title.endswith("is empty (a download that never started)")


def test_an_html_page_saved_as_hdf5(tmp_path):
    (tmp_path / "model.hdf5").write_text("\n<!DOCTYPE html><html><head><title>Google Drive"
                                         "</title></head></html>")
    (found,) = findings_for(tmp_path)
    assert found.evidence["content"] == "html"


def test_files_named_like_a_model_that_are_another_format(tmp_path):
    (tmp_path / "weights.h5").write_bytes(b"\x80\x04\x95\x1a\x00\x00\x00")  # a pickle
    keras_file(tmp_path / "model.h5")
    hdf5_file(tmp_path / "model.keras", 8192, 8192)
    found = {Path(f.evidence["path"]).name: f for f in findings_for(tmp_path)}
    assert {name: (f.evidence["content"], f.title.removeprefix(f.evidence["path"] + " "))
            for name, f in found.items()} == {
        "weights.h5": ("other", "is not an HDF5 file (it starts with neither an HDF5 signature "
                                "nor a zip header)"),
        "model.h5": ("zip", "is not an HDF5 file (it starts with a zip header)"),
        "model.keras": ("hdf5", "is not a zip archive (it starts with an HDF5 signature)"),
    }


def test_an_hdf5_file_shorter_than_its_superblock_says(tmp_path):
    hdf5_file(tmp_path / "best.weights.h5", 1_000_000, 65_536)
    (found,) = findings_for(tmp_path)
    assert found.evidence["declared_bytes"] == 1_000_000


def test_a_keras_archive_cut_before_its_end_record(tmp_path):
    keras_file(tmp_path / "model.keras", truncate_to=300)
    (found,) = findings_for(tmp_path)
    assert "no end record" in found.title


def test_a_folder_named_like_a_model_does_not_hide_the_files_after_it(tmp_path):
    (tmp_path / "checkpoint.h5").mkdir()  # a SavedModel folder given the wrong suffix
    (tmp_path / "weights.h5").write_bytes(LFS_POINTER)
    assert [Path(m.path).name for m in scripts.model_files(str(tmp_path))] == ["weights.h5"]


def test_only_the_working_directory_itself_is_read(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "unet.h5").write_bytes(LFS_POINTER)
    (tmp_path / "notes.txt").write_bytes(LFS_POINTER)
    assert scripts.model_files(str(tmp_path)) == []


# -- Windows Long Path support ----------------------------------------------------------------


def windows_facts(enabled):
    facts = mac_facts()
    platform = replace(facts.platform, system="Windows", machine="x86_64", os_version="10.0.19045",
                       apple_silicon=None)
    return replace(facts, platform=platform, target=replace(facts.target, platform="windows-amd64"),
                   config=replace(facts.config, long_paths_enabled=enabled))


def long_path_findings(facts):
    return [f for f in run_checks(facts).findings if f.cause == "windows-long-path-limit"]


def test_long_paths_off_is_found():
    (found,) = long_path_findings(windows_facts(False))
    assert "LongPathsEnabled" in found.fix[0].description


def test_long_paths_on_is_fine():
    assert long_path_findings(windows_facts(True)) == []


def test_the_check_does_not_apply_off_windows():
    report = run_checks(mac_facts())
    assert not [f for f in report.findings if f.cause == "windows-long-path-limit"]
    assert "windows-long-paths" in {s.check for s in report.skipped}


def test_the_registry_value_as_read():
    assert windows.long_paths_enabled("Windows", read=lambda: 1) is True
    assert windows.long_paths_enabled("Windows", read=lambda: 0) is False
    assert windows.long_paths_enabled("Linux", read=lambda: 1) is None  # never asked off Windows

    def denied():
        raise PermissionError("access denied")

    assert windows.long_paths_enabled("Windows", read=denied) is None


class _Registry:
    """winreg as far as the Long Path reader uses it: HKLM's FileSystem key and its values."""

    HKEY_LOCAL_MACHINE = "HKLM"

    def __init__(self, values, key_error=None):
        self.values, self.key_error, self.asked = values, key_error, []

    @contextlib.contextmanager
    def OpenKey(self, root, path):  # winreg's name
        self.asked.append((root, path))
        if self.key_error:
            raise self.key_error
        yield path

    def QueryValueEx(self, key, name):  # winreg's name
        if name not in self.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self.values[name], 4  # REG_DWORD


@pytest.mark.parametrize(("values", "denied", "enabled"), [
    ({"LongPathsEnabled": 1}, False, True),
    ({"LongPathsEnabled": 0}, False, False),
    ({}, False, False),  # never set: Windows' default, off
    ({}, True, None),
])
def test_long_paths_read_from_the_registry_of_this_machine(monkeypatch, tmp_path, values, denied,
                                                          enabled):
    registry = _Registry(values, PermissionError(13, "Access is denied") if denied else None)
    monkeypatch.setitem(sys.modules, "winreg", registry)
    assert windows.long_paths_enabled("Windows") is enabled
    assert registry.asked == [("HKLM", r"SYSTEM\CurrentControlSet\Control\FileSystem")]
    facts = config.read_config({"HOME": str(tmp_path)}, None, system="Windows")
    assert facts.long_paths_enabled is enabled
