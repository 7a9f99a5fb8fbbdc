"""The header reader against real binaries from PyPI wheels, hand-made bad files and a real tree."""

from __future__ import annotations

import json
import os
import random
import struct
import time
from pathlib import Path

import envs
import pytest

from keras_doctor.facts import binfmt
from keras_doctor.facts.binfmt import Header, canonical_arch, parse_header, read_header

BINARIES = Path(__file__).parent.parent / "data" / "binaries"

# Expected values checked against `file(1)` (formats, archs) and the wheels' own tags.
EXPECTED = {
    "macho-arm64.so": Header("mach-o", ("arm64",), False, 64, {"arm64": "11.0"}),
    "macho-arm64-symbols.so": Header("mach-o", ("arm64",), False, 64, {"arm64": "11.0"}),
    "macho-x86_64.so": Header("mach-o", ("x86_64",), False, 64, {"x86_64": "10.9"}),
    "macho-universal2.so": Header(
        "mach-o", ("x86_64", "arm64"), True, 64, {"x86_64": "10.9", "arm64": "11.0"}
    ),
    "macho-fat-arm64-only.dylib": Header("mach-o", ("arm64",), True, 64, {"arm64": "11.0"}),
    # the wheel is tagged macosx_12_0_arm64, its library says 14.0
    "macho-minos-newer-than-tag.so": Header("mach-o", ("arm64",), False, 64, {"arm64": "14.0"}),
    "elf-x86_64.so": Header("elf", ("x86_64",), False, 64),
    "elf-aarch64.so": Header("elf", ("arm64",), False, 64),
    "elf-i686.so": Header("elf", ("i386",), False, 32),
    "pe-amd64.pyd": Header("pe", ("x86_64",), False, 64),
    "pe-win32.pyd": Header("pe", ("i386",), False, 32),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_binary_headers(name):
    assert read_header(BINARIES / name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parsing_whole_bytes_matches_reading_the_file(name):
    assert parse_header((BINARIES / name).read_bytes()) == EXPECTED[name]


def test_every_fixture_is_small_and_has_a_recorded_origin():
    manifest = json.loads((BINARIES / "fixtures.json").read_text())
    assert set(manifest) == set(EXPECTED)
    for name, origin in manifest.items():
        assert origin["member"] and origin["wheel"].endswith(".whl")
        assert (BINARIES / name).stat().st_size == max(end for _, end in origin["kept"])
    assert sum(p.stat().st_size for p in BINARIES.iterdir()) < 300_000


def _count_reads(monkeypatch) -> list:
    calls = []
    real_read = os.read

    def counting_read(fd, n):
        calls.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(binfmt.os, "read", counting_read)
    return calls


def test_a_thin_binary_costs_one_small_read(monkeypatch):
    calls = _count_reads(monkeypatch)
    for name in ("macho-arm64.so", "elf-x86_64.so", "pe-amd64.pyd"):
        calls.clear()
        read_header(BINARIES / name)
        assert calls == [binfmt.HEAD_SIZE]


def test_a_fat_binary_costs_one_more_read_per_slice(monkeypatch):
    calls = _count_reads(monkeypatch)
    read_header(BINARIES / "macho-universal2.so")
    assert len(calls) == 3


@pytest.mark.parametrize("name", ["macho-arm64-symbols.so", "macho-universal2.so"])
def test_load_commands_past_a_short_first_read_are_fetched_and_nothing_beyond(name):
    """A header costs a few reads near the start of each slice, never the library's body
    (hundreds of MB for TensorFlow): one first read of a slice, then the rest of its load
    commands up to where they end."""
    whole = (BINARIES / name).read_bytes()
    reads = []

    def read_at(offset: int, length: int) -> bytes:
        reads.append((offset, offset + length))
        return whole[offset : offset + length]

    assert parse_header(whole[:64], read_at, len(whole)) == EXPECTED[name]
    first_reads, load_commands = _slices(whole)
    for start, end in reads:
        assert (start, end) in first_reads or any(
            low <= start and end <= high for low, high in load_commands), (start, end)


def _slices(whole: bytes) -> tuple:
    """The reads a header may need, from the file's own tables: a fat file's architecture table
    and the first read of each slice, and any part of each slice's load commands."""
    first_reads, starts = set(), [0]
    if whole[:4] == b"\xca\xfe\xba\xbe":
        (count,) = struct.unpack_from(">I", whole, 4)
        starts = [struct.unpack_from(">I", whole, 8 + 20 * i + 8)[0] for i in range(count)]
        first_reads = {(0, 8 + 20 * count)} | {(s, s + binfmt.HEAD_SIZE) for s in starts}
    load_commands = [(s, s + 32 + struct.unpack_from("<I", whole, s + 20)[0]) for s in starts]
    return first_reads, load_commands


def _thin_macho(commands: list, cputype: int = 0x0100000C, subtype: int = 0) -> bytes:
    body = b"".join(commands)
    header = (0xFEEDFACF, cputype, subtype, 6, len(commands), len(body), 0, 0)
    return struct.pack("<8I", *header) + body


def _build_version(platform: int, minos: int) -> bytes:
    return struct.pack("<IIIIII", 0x32, 24, platform, minos, minos, 0)


def test_load_commands_past_the_first_read_are_fetched(tmp_path):
    padding = struct.pack("<II", 0x19, 6000) + bytes(5992)
    path = tmp_path / "big.dylib"
    path.write_bytes(_thin_macho([padding, _build_version(1, 0x000D0301)]) + bytes(100))
    assert read_header(path).min_macos == {"arm64": "13.3.1"}


def test_only_the_macos_build_version_counts():
    catalyst_then_macos = _thin_macho(
        [_build_version(6, 0x000E0000), _build_version(1, 0x000B0000)]
    )
    assert parse_header(catalyst_then_macos).min_macos == {"arm64": "11.0"}
    ios_only = _thin_macho([_build_version(2, 0x000E0000)])
    assert parse_header(ios_only) == Header("mach-o", ("arm64",), False, 64)


def test_arm64e_and_unknown_cpu_names():
    assert parse_header(_thin_macho([], subtype=0x80000002)).archs == ("arm64e",)
    assert parse_header(_thin_macho([], cputype=0x01000007, subtype=8)).archs == ("x86_64h",)
    assert parse_header(_thin_macho([], cputype=0x01000007, subtype=3)).archs == ("x86_64",)
    assert parse_header(_thin_macho([], cputype=99)).archs == ("unknown-99",)


def test_fat_magic_64_is_read(tmp_path):
    thin = (BINARIES / "macho-arm64.so").read_bytes()
    table = struct.pack(">II", 0xCAFEBABF, 1) + struct.pack(">iiQQII", 0x0100000C, 0, 4096,
                                                             len(thin), 12, 0)
    path = tmp_path / "fat64.so"
    path.write_bytes(table + bytes(4096 - len(table)) + thin)
    assert read_header(path) == Header("mach-o", ("arm64",), True, 64, {"arm64": "11.0"})


def _elf(elf_class: int, encoding: int, machine: int) -> bytes:
    ident = b"\x7fELF" + bytes([elf_class, encoding, 1]) + bytes(9)
    return ident + struct.pack("<H" if encoding == 1 else ">H", 3) + struct.pack(
        "<H" if encoding == 1 else ">H", machine
    ) + bytes(44)


@pytest.mark.parametrize(
    ("elf_class", "encoding", "machine", "arch"),
    [(2, 1, 21, "ppc64le"), (2, 2, 21, "ppc64"), (2, 2, 22, "s390x"), (2, 1, 243, "riscv64"),
     (1, 1, 40, "arm"), (2, 1, 9999, "unknown-9999")],
)
def test_elf_machines_and_byte_orders(elf_class, encoding, machine, arch):
    assert parse_header(_elf(elf_class, encoding, machine)).archs == (arch,)


@pytest.mark.parametrize("machine, arch", [
    (0xAA64, "arm64"), (0xA641, "arm64ec"),
    (0x5064, "unknown-20580"),  # IMAGE_FILE_MACHINE_RISCV64: named by its number, not dropped
])
def test_pe_machines(machine, arch):
    data = bytearray((BINARIES / "pe-amd64.pyd").read_bytes())
    (lfanew,) = struct.unpack_from("<I", data, 0x3C)
    struct.pack_into("<H", data, lfanew + 4, machine)
    assert parse_header(bytes(data)) == Header("pe", (arch,), False, 64)


JAVA_CLASS = bytes.fromhex("cafebabe00000034001d0a000600") + bytes(200)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (JAVA_CLASS, "Java class"),
        ((BINARIES / "macho-arm64.so").read_bytes()[:12], "truncated"),
        ((BINARIES / "macho-arm64.so").read_bytes()[:600], "truncated"),
        ((BINARIES / "macho-universal2.so").read_bytes()[:200], "offset"),
        ((BINARIES / "elf-x86_64.so").read_bytes()[:10], "truncated"),
        (b"\x7fELF\x09\x09" + bytes(30), "corrupt ELF"),
        (b"MZ" + bytes(100), "without a PE header"),
        (b"#!/usr/bin/env python3\n", "not a Mach-O, ELF or PE"),
        (bytes.fromhex("cafebabe00000000"), "0 architectures"),
    ],
)
def test_bad_content_is_a_result_not_an_exception(data, message):
    header = parse_header(data)
    assert header.format == "unknown"
    assert header.archs == ()
    assert message in (header.error or "")


def test_random_bytes_never_raise():
    rng = random.Random(1234)
    magics = [b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\x7fELF", b"MZ", b""]
    for _ in range(3000):
        data = rng.choice(magics) + rng.randbytes(rng.randrange(0, 300))
        header = parse_header(data)
        assert header.format in ("mach-o", "elf", "pe", "unknown")
        assert (header.error is None) == (header.format != "unknown")


def test_unreadable_paths_give_an_error(tmp_path):
    assert "cannot open" in read_header(tmp_path / "missing.so").error
    assert read_header(tmp_path).error  # a directory


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_named_like_a_library_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.so")
    assert read_header(tmp_path / "pipe.so").format == "unknown"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("aarch64", "arm64"), ("arm64", "arm64"), ("ARM64", "arm64"), ("AMD64", "x86_64"),
     ("x86_64", "x86_64"), ("i686", "i386"), ("x86", "i386"), ("armv7l", "arm"),
     ("ppc64le", "ppc64le"), ("s390x", "s390x"), ("arm64e", "arm64e"), ("sparc64", "sparc64"),
     ("", "unknown")],
)
def test_canonical_arch(name, canonical):
    assert canonical_arch(name) == canonical


@pytest.mark.slow
def test_every_binary_of_a_real_macos_arm64_tensorflow_tree():
    site = envs.target_tree(
        "macos-arm64-tf", ["tensorflow==2.16.2", "tensorflow-metal==1.2.0"],
        "macosx_12_0_arm64", "3.11", hollow="symbols",  # the Mach-O symbol tests' tree
    )
    paths = [
        os.path.join(folder, name)
        for folder, _, names in os.walk(site)
        for name in names
        if name.endswith((".so", ".dylib"))
    ]
    started = time.perf_counter()
    headers = [read_header(path) for path in paths]
    elapsed = time.perf_counter() - started
    assert len(paths) > 50
    assert all(h.format == "mach-o" and "arm64" in h.archs and h.error is None for h in headers)
    assert all(h.min_macos.get("arm64") for h in headers)
    # The header reader looks at the first pages only. Its peer, measured now on the same files
    # (warm in the page cache from the run above): reading every byte of them.
    started = time.perf_counter()
    total = 0
    for path in paths:
        with open(path, "rb") as whole:
            total += len(whole.read())
    everything = time.perf_counter() - started
    print(f"\n{len(paths)} headers in {elapsed * 1000:.1f} ms; all {total >> 20} MB in "
          f"{everything * 1000:.1f} ms")
    assert elapsed < everything / 2, (elapsed, everything)


def test_a_build_version_that_straddles_the_first_read_is_fetched_whole(tmp_path):
    # The command's first 8 bytes end exactly where the first read ends; its version lies past it.
    padding = struct.pack("<II", 0x19, binfmt.HEAD_SIZE - 32 - 8) + bytes(binfmt.HEAD_SIZE - 48)
    path = tmp_path / "straddle.dylib"
    path.write_bytes(_thin_macho([padding, _build_version(1, 0x000E0000)]))
    assert read_header(path).min_macos == {"arm64": "14.0"}


@pytest.mark.parametrize("past_the_first_read, reads", [(0, 1), (1, 2)])
def test_a_build_version_inside_the_first_read_costs_no_second(tmp_path, monkeypatch,
                                                               past_the_first_read, reads):
    """Both sides of the edge: the version's last byte is the first read's last, or one past."""
    filler = binfmt.HEAD_SIZE - 32 - 16 + past_the_first_read
    padding = struct.pack("<II", 0x19, filler) + bytes(filler - 8)
    path = tmp_path / "edge.dylib"
    path.write_bytes(_thin_macho([padding, _build_version(1, 0x000E0200)]))
    calls = _count_reads(monkeypatch)
    assert read_header(path).min_macos == {"arm64": "14.2"}
    assert len(calls) == reads


def test_a_fat_slice_inside_the_architecture_table_is_refused():
    table = struct.pack(">II", 0xCAFEBABE, 2)
    table += struct.pack(">iiIII", 0x0100000C, 0, 40, 4096, 12)  # inside the 48-byte table
    table += struct.pack(">iiIII", 0x01000007, 3, 8192, 4096, 12)
    header = parse_header(table + bytes(16000))
    assert header.format == "unknown" and "overlaps the architecture table" in header.error


def test_a_path_that_cannot_be_opened_says_why_in_plain_words(tmp_path):
    assert read_header(tmp_path / "missing.so").error == "cannot open: No such file or directory"
    assert read_header(str(tmp_path / "nul\0.so")).error == "cannot open: embedded null byte"


@pytest.mark.parametrize(("data", "error"), [
    ((BINARIES / "elf-x86_64.so").read_bytes()[:10], "truncated ELF header"),
    (b"MZ" + bytes(30), "truncated DOS header"),
    (_thin_macho([struct.pack("<II", 0x19, 4)]), "Mach-O load commands are corrupt"),
])
def test_a_truncated_or_corrupt_header_says_which_part_is_broken(data, error):
    assert parse_header(data).error == error


def test_a_fat_slice_whose_build_version_lies_past_the_first_read_is_fetched(tmp_path):
    padding = struct.pack("<II", 0x19, 6000) + bytes(5992)
    thin = _thin_macho([padding, _build_version(1, 0x000D0301)])
    table = struct.pack(">II", 0xCAFEBABE, 1) + struct.pack(">iiIII", 0x0100000C, 0, 4096,
                                                             len(thin), 12)
    path = tmp_path / "fat-big.dylib"
    path.write_bytes(table + bytes(4096 - len(table)) + thin)
    assert read_header(path) == Header("mach-o", ("arm64",), True, 64, {"arm64": "13.3.1"})


@pytest.mark.parametrize("name, first", [
    ("pe-amd64.pyd", 0x40),  # the DOS header alone: the PE header is fetched
    ("macho-universal2.so", 8),  # the fat magic and count alone: the table is fetched
])
def test_a_header_given_only_its_first_bytes_fetches_the_rest(name, first):
    whole = (BINARIES / name).read_bytes()

    def read_at(offset: int, length: int) -> bytes:
        return whole[offset:offset + length]

    assert parse_header(whole[:first], read_at, len(whole)) == EXPECTED[name]


def test_a_pe_header_cut_short_says_so():
    data = bytearray(0x40)
    data[:2] = b"MZ"
    struct.pack_into("<I", data, 0x3C, 0x40)
    assert parse_header(bytes(data) + b"PE\0\0" + bytes(10)).error == "truncated PE header"


def test_an_elf_header_needs_its_first_twenty_bytes_and_no_more():
    whole = (BINARIES / "elf-x86_64.so").read_bytes()
    assert parse_header(whole[:20]).archs == ("x86_64",)  # e_machine ends at byte 20
    assert parse_header(whole[:19]).error == "truncated ELF header"


@pytest.mark.skipif(os.name == "nt", reason="Windows refuses to open a folder at all")
def test_a_folder_named_like_a_library_is_a_result_saying_why(tmp_path):
    (tmp_path / "_native.so").mkdir()  # a build tree copied in by hand
    header = read_header(tmp_path / "_native.so")
    assert (header.format, header.archs, header.error) == (
        "unknown", (), "cannot read: Is a directory")


def test_the_minimum_macos_of_a_32_bit_library(tmp_path):
    """i386 and ppc libraries of the 10.x era: a 28-byte header, then LC_VERSION_MIN_MACOSX."""
    command = struct.pack("<4I", 0x24, 16, 0x000A0600, 0x000A0600)
    header = struct.pack("<7I", 0xFEEDFACE, 7, 3, 6, 1, len(command), 0)
    assert parse_header(header + command) == Header("mach-o", ("i386",), False, 32,
                                                    {"i386": "10.6"})


def test_a_pe_file_that_ends_right_after_the_optional_header_magic_is_read():
    """Both sides of the edge, on a real DLL's header cut where the read stops needing bytes."""
    real = (BINARIES / "pe-amd64.pyd").read_bytes()
    (lfanew,) = struct.unpack_from("<I", real, 0x3C)
    end = lfanew + 4 + 20 + 2  # signature, COFF header, optional header magic
    assert parse_header(real[:end]) == EXPECTED["pe-amd64.pyd"]
    assert parse_header(real[: end - 1]).error == "truncated PE header"
    assert parse_header(real[:64], lambda at, n: real[at : min(at + n, end)], end) == \
        EXPECTED["pe-amd64.pyd"]  # the PE header read on its own, past the first bytes
