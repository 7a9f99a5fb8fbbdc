"""Fuzz the Mach-O, ELF and PE header reader with structured and raw bytes.

Whatever a file holds, the reader gives a Header (an error exactly when the format is unknown),
reads a bounded number of bytes, and agrees with itself whether it is given the bytes or the file.
"""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from keras_doctor.facts import binfmt
from keras_doctor.facts.binfmt import parse_header, read_header

MAGICS = [b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf",
          b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\x7fELF", b"MZ", b""]
u32 = st.one_of(st.integers(0, 64), st.integers(0, 2**32 - 1), st.sampled_from([
    0x19, 0x32, 0x24, 24, 16, 8, 0, 2**31, 2**32 - 1]))
u64 = st.one_of(u32, st.integers(0, 2**64 - 1), st.sampled_from([2**63, 2**64 - 1]))


def load_command(cmd: int, size: int, body: bytes) -> bytes:
    return struct.pack("<II", cmd, size) + body


commands = st.lists(st.builds(load_command, st.sampled_from([0x19, 0x32, 0x24, 0x0C, 7]),
                              u32, st.binary(max_size=24)), max_size=12)


@st.composite
def thin_macho(draw):
    body = b"".join(draw(commands))
    ncmds = draw(st.one_of(st.just(len(body) // 8), u32))
    sizeofcmds = draw(st.one_of(st.just(len(body)), u32))
    header = struct.pack("<8I", 0xFEEDFACF, draw(st.sampled_from([0x0100000C, 0x01000007, 7, 12,
                                                                   draw(u32)])),
                         draw(u32), 6, ncmds, sizeofcmds, 0, 0)
    return header + body + draw(st.binary(max_size=64))


@st.composite
def fat_macho(draw):
    is64 = draw(st.booleans())
    slices = draw(st.lists(st.tuples(u64 if is64 else u32, u64 if is64 else u32), min_size=0,
                           max_size=22))
    table = struct.pack(">II", 0xCAFEBABF if is64 else 0xCAFEBABE,
                        draw(st.one_of(st.just(len(slices)), u32)))
    for offset, size in slices:
        if is64:
            table += struct.pack(">iiQQII", 0x0100000C, 0, offset, size, 12, 0)
        else:
            table += struct.pack(">iiIII", 0x0100000C, 0, offset, size, 12)
    image = draw(thin_macho())
    return table + bytes(draw(st.integers(0, 64))) + image


binary = st.one_of(
    st.builds(lambda m, rest: m + rest, st.sampled_from(MAGICS), st.binary(max_size=400)),
    thin_macho(), fat_macho(),
)


def _well_formed(header) -> None:
    assert header.format in ("mach-o", "elf", "pe", "unknown")
    assert (header.error is None) == (header.format != "unknown")
    assert all(isinstance(a, str) and a for a in header.archs)
    assert set(header.min_macos) <= set(header.archs)


@given(binary)
def test_any_bytes_give_a_header_or_an_error(data):
    _well_formed(parse_header(data))


@given(binary)
def test_reading_the_file_agrees_with_parsing_its_bytes_and_reads_little(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lib.so"
        path.write_bytes(data)
        read = []
        real_read = binfmt.os.read

        def counting(fd, n):
            read.append(n)
            return real_read(fd, n)

        binfmt.os.read = counting
        try:
            from_file = read_header(path)
        finally:
            binfmt.os.read = real_read
        _well_formed(from_file)
        assert from_file == parse_header(data)
        # A bounded number of reads: the head, the fat table, and per slice its head and commands.
        assert len(read) <= 2 + 3 * binfmt._MAX_FAT_ARCHS
