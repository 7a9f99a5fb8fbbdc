"""Cache folders, HDF5 lengths and installer records, each judged by an independent authority.

The cache folders are compared with what pip and uv themselves answer (`pip cache dir`,
`uv cache dir`) under the same environment; HDF5 superblocks are laid out byte by byte from the
HDF5 File Format Specification (section II.A); dist-info files are written as installers write them.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import envs
import pytest

from keras_doctor.facts import distributions as dist_reader
from keras_doctor.facts.caches import pip_cache_dir, tree_size, uv_cache_dir
from keras_doctor.facts.hdf5 import SIGNATURE, end_of_file

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="cache layout of Linux")


def tool_env(tmp_path, **extra):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), **extra}
    return env


def pip_says(env):
    return subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], env=env,
                          capture_output=True, text=True, check=True).stdout.strip()


def uv_says(env):
    return subprocess.run([envs.uv_executable(), "cache", "dir"], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.parametrize("extra", [{}, {"XDG_CACHE_HOME": "/x/cache"},
                                   {"PIP_CACHE_DIR": "/y/pip", "UV_CACHE_DIR": "/y/uv"}])
def test_cache_folders_are_where_pip_and_uv_put_them(tmp_path, extra):
    env = tool_env(tmp_path, **extra)
    assert pip_cache_dir(env, "Linux") == pip_says(env)
    assert uv_cache_dir(env, "Linux") == uv_says(env)


def test_the_size_of_a_cache_is_every_byte_or_says_it_is_partial(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one").write_bytes(b"x" * 1000)
    (tmp_path / "a" / "b" / "two").write_bytes(b"y" * 234)
    (tmp_path / "link").symlink_to(tmp_path / "a" / "one")  # not counted twice
    assert tree_size(str(tmp_path), None) == (1234, True)
    assert tree_size(str(tmp_path), 10.0) == (1234, True)
    total, complete = tree_size(str(tmp_path), -1.0)  # a budget already spent
    assert complete is False and total < 1234


# -- HDF5 superblocks ---------------------------------------------------------------------------

def superblock_v0(base, eof, offsets=8):
    """Version 0: signature, 8 version/size bytes, 2 B leaf K, 2 B internal K, 4 B flags, then the
    base, free-space, end-of-file and driver addresses."""
    head = SIGNATURE + bytes([0, 0, 0, 0, 0, offsets, 8, 0]) + struct.pack("<HHI", 4, 16, 0)
    fmt = {2: "<H", 4: "<I", 8: "<Q"}[offsets]
    undefined = (1 << (8 * offsets)) - 1
    return head + b"".join(struct.pack(fmt, v) for v in (base, undefined, eof, undefined))


def superblock_v2(base, eof):
    """Version 2: signature, version, offset and length sizes, flags, then base, extension and
    end-of-file addresses, the root object header address and a checksum."""
    undefined = (1 << 64) - 1
    return (SIGNATURE + bytes([2, 8, 8, 0]) + struct.pack("<QQQQ", base, undefined, eof, 96)
            + b"\0" * 4)


@pytest.mark.parametrize("offsets", [2, 4, 8])
def test_a_version_0_superblock_declares_its_length(offsets):
    assert end_of_file(superblock_v0(0, 4096, offsets) + b"\0" * 16) == 4096


def test_a_version_2_superblock_declares_its_length_after_its_base():
    assert end_of_file(superblock_v2(0, 169904)) == 169904
    assert end_of_file(superblock_v2(512, 1000)) == 1512  # a user block before the file


def test_what_is_not_a_whole_hdf5_superblock_has_no_length():
    whole = superblock_v2(0, 4096)
    assert end_of_file(b"PK\x03\x04" + whole[4:]) is None  # a zip, not HDF5
    assert end_of_file(whole[:20]) is None  # cut off before the end-of-file address
    assert end_of_file(whole[:12 + 3 * 8]) == 4096  # ends right after the end-of-file address
    assert end_of_file(whole[:12 + 3 * 8 - 1]) is None  # one byte of it missing
    assert end_of_file(superblock_v2(0, (1 << 64) - 1)) is None  # undefined address
    assert end_of_file(SIGNATURE + bytes([7]) + whole[9:]) is None  # unknown version


# -- dist-info as installers write it -----------------------------------------------------------

def test_wheel_tags_installer_and_editable_come_from_the_dist_info(tmp_path):
    info = tmp_path / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: "
                                "false\nTag: cp311-cp311-manylinux_2_17_x86_64\n"
                                "Tag: cp311-cp311-manylinux2014_x86_64\n")
    (info / "INSTALLER").write_text("uv\n")
    (info / "direct_url.json").write_text('{"url": "file:///src/demo", '
                                          '"dir_info": {"editable": true}}')
    found = dist_reader.read_dist_info(str(info), str(tmp_path))
    assert found.wheel_tags == ["cp311-cp311-manylinux_2_17_x86_64",
                                "cp311-cp311-manylinux2014_x86_64"]
    assert found.installer == "uv" and found.editable is True
    (info / "direct_url.json").unlink()
    plain = dist_reader.read_dist_info(str(info), str(tmp_path))
    assert plain.editable is False
