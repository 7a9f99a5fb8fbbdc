"""Which CPU (and which macOS) a native library was built for, read from its header alone.

`check` reads the header of every `.so`/`.dylib`/`.pyd` in an environment (hundreds to thousands
of files) inside a budget of a few tens of milliseconds, so this reader does one open and one small
read per file in the common case, and never loads a library or parses more than its load commands.
Bad content (truncated, empty, a Java class file that shares the fat Mach-O magic) is a result with
an `error`, never an exception: one odd file must not stop a diagnosis. Crafted content is bounded
too: no more load commands, command bytes or fat slices than any real linker writes, slices that
lie inside the file and apart from each other, so no header costs more than a few reads.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

HEAD_SIZE = 4096
# Far above real libraries (TensorFlow's largest: ~100 commands in ~20 kB) and cheap to walk.
_MAX_LOAD_COMMANDS = 8192
_MAX_LOAD_COMMANDS_SIZE = 2 << 20
_MAX_FAT_ARCHS = 20  # a Java class file's version word reads as >= 45 "archs"

ReadAt = Callable[[int, int], bytes]
# O_NONBLOCK: a FIFO named like a library must not hang the scan (no effect on regular files)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True)
class Header:
    format: str  # "mach-o" | "elf" | "pe" | "unknown"
    archs: Tuple[str, ...] = ()  # every slice, in file order
    fat: bool = False
    bits: Optional[int] = None  # None for a fat file whose slices differ
    min_macos: Dict[str, str] = field(default_factory=dict)  # arch -> "X.Y[.Z]", Mach-O only
    error: Optional[str] = None


class _Bad(Exception):
    """Content that is not what its magic promised; becomes `Header.error`."""


_ALIASES = {
    "aarch64": "arm64", "arm64": "arm64", "arm64e": "arm64e", "aarch64_be": "arm64",
    "amd64": "x86_64", "x86_64": "x86_64", "x64": "x86_64", "x86-64": "x86_64",
    "x86_64h": "x86_64h",
    "i386": "i386", "i486": "i386", "i586": "i386", "i686": "i386", "x86": "i386", "win32": "i386",
    "arm": "arm", "armv6l": "arm", "armv7l": "arm", "armv7": "arm", "armv8l": "arm",
    "ppc64le": "ppc64le", "ppc64": "ppc64", "powerpc64le": "ppc64le", "powerpc64": "ppc64",
    "s390x": "s390x", "riscv64": "riscv64", "loongarch64": "loongarch64",
}


def canonical_arch(name: str) -> str:
    """The canonical CPU name for what uname, `platform.machine()` or a tool calls it."""
    key = name.strip().lower()
    return _ALIASES.get(key, key or "unknown")


def read_header(path: str | os.PathLike[str]) -> Header:
    """The header of the binary at `path`; unreadable files give a Header with `error` set."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in a path read from a RECORD
        return Header("unknown", error=f"cannot open: {getattr(exc, 'strerror', None) or exc}")
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, HEAD_SIZE)

        def read_at(offset: int, length: int) -> bytes:
            if offset >= size:
                return b""
            os.lseek(fd, offset, os.SEEK_SET)
            return os.read(fd, length)

        return parse_header(data, read_at, size)
    except OSError as exc:
        return Header("unknown", error=f"cannot read: {exc.strerror or exc}")
    except (ValueError, OverflowError) as exc:  # one odd file must never end the whole scan
        return Header("unknown", error=f"cannot read: {type(exc).__name__}: {exc}")
    finally:
        os.close(fd)


def parse_header(data: bytes, read_at: Optional[ReadAt] = None,
                 size: Optional[int] = None) -> Header:
    """The header described by `data`, the first bytes of a file (or all of it).

    `read_at(offset, length)` fetches more of the file when the load commands or a fat slice lie
    past `data`; without it, `data` is taken to be the whole file. `size` is the file's length
    (without it, unknown when `read_at` is given).
    """
    if read_at is None:
        read_at = lambda offset, length: data[offset : offset + length]  # noqa: E731
        size = len(data) if size is None else size
    magic = data[:4]
    try:
        if magic in _MACHO_MAGICS:
            arch, bits, minos = _macho_slice(data, read_at, 0)
            return Header("mach-o", (arch,), False, bits, {arch: minos} if minos else {})
        if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
            return _fat(data, read_at, size)
        if magic == b"\x7fELF":
            return _elf(data)
        if data[:2] == b"MZ":
            return _pe(data, read_at)
    except _Bad as exc:
        return Header("unknown", error=str(exc))
    except struct.error:
        return Header("unknown", error="truncated header")
    if not data:
        return Header("unknown", error="empty file")
    return Header("unknown", error=f"not a Mach-O, ELF or PE file (starts with {data[:4].hex()})")


# -- Mach-O ---------------------------------------------------------------------------------------

_MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce": (">", 32), b"\xce\xfa\xed\xfe": ("<", 32),
    b"\xfe\xed\xfa\xcf": (">", 64), b"\xcf\xfa\xed\xfe": ("<", 64),
}
_ABI64, _ABI64_32 = 0x01000000, 0x02000000
_MACHO_CPUS = {7: "i386", 7 | _ABI64: "x86_64", 12: "arm", 12 | _ABI64: "arm64",
               12 | _ABI64_32: "arm64_32", 18: "ppc", 18 | _ABI64: "ppc64"}
LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION, PLATFORM_MACOS = 0x24, 0x32, 1


def macho_arch(cputype: int, cpusubtype: int) -> str:
    name = _MACHO_CPUS.get(cputype & 0xFFFFFFFF, f"unknown-{cputype}")
    subtype = cpusubtype & 0x00FFFFFF
    if name == "arm64" and subtype == 2:
        return "arm64e"
    if name == "x86_64" and subtype == 8:
        return "x86_64h"
    return name


def _version(packed: int) -> str:
    major, minor, patch = packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF
    return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"


def _macho_slice(head: bytes, read_at: ReadAt, offset: int) -> Tuple[str, int, Optional[str]]:
    """Architecture, word size and minimum macOS of the thin Mach-O starting at `head`."""
    if head[:4] not in _MACHO_MAGICS:
        raise _Bad(f"no Mach-O header at offset {offset}")
    endian, bits = _MACHO_MAGICS[head[:4]]
    cputype, cpusubtype, _, ncmds, sizeofcmds = struct.unpack_from(endian + "5I", head, 4)
    start = 28 if bits == 32 else 32
    if sizeofcmds > _MAX_LOAD_COMMANDS_SIZE:
        raise _Bad(f"implausible Mach-O load commands size {sizeofcmds}")
    if ncmds > _MAX_LOAD_COMMANDS or ncmds * 8 > sizeofcmds:
        raise _Bad(f"implausible Mach-O load command count {ncmds} ({sizeofcmds} bytes)")
    end = start + sizeofcmds
    cursor, minos = start, None
    for _ in range(ncmds):
        if cursor + 8 > len(head) and len(head) < end:
            head = head + read_at(offset + len(head), end - len(head))
        if cursor + 8 > min(end, len(head)):
            raise _Bad("Mach-O load commands are truncated")
        cmd, cmdsize = struct.unpack_from(endian + "II", head, cursor)
        if cmdsize < 8 or cursor + cmdsize > end:
            raise _Bad("Mach-O load commands are corrupt")
        if cmd in (LC_BUILD_VERSION, LC_VERSION_MIN_MACOSX) and cursor + 16 > len(head):
            head = head + read_at(offset + len(head), end - len(head))
        if cmd == LC_BUILD_VERSION:
            platform, packed = struct.unpack_from(endian + "II", head, cursor + 8)
            if platform == PLATFORM_MACOS:
                minos = _version(packed)
                break
        elif cmd == LC_VERSION_MIN_MACOSX:
            minos = _version(struct.unpack_from(endian + "I", head, cursor + 8)[0])
            break
        cursor += cmdsize
    return macho_arch(cputype, cpusubtype), bits, minos


def _fat(data: bytes, read_at: ReadAt, size: Optional[int]) -> Header:
    is64 = data[3] == 0xBF
    (nfat,) = struct.unpack_from(">I", data, 4)
    if not 0 < nfat <= _MAX_FAT_ARCHS:
        if data[:4] == b"\xca\xfe\xba\xbe" and nfat >= 45:
            raise _Bad("a Java class file, not a fat Mach-O")
        raise _Bad(f"not a fat Mach-O ({nfat} architectures claimed)")
    entry = 32 if is64 else 20
    table_end = 8 + nfat * entry
    table = data if table_end <= len(data) else read_at(0, table_end)
    slices = []
    for index in range(nfat):
        if is64:
            offset, length = struct.unpack_from(">QQ", table, 8 + index * entry + 8)
        else:
            offset, length = struct.unpack_from(">II", table, 8 + index * entry + 8)
        if offset < table_end:
            raise _Bad(f"fat Mach-O slice {index} overlaps the architecture table")
        if size is not None and offset + 28 > size:
            raise _Bad(f"fat Mach-O slice {index} starts at offset {offset}, past the end of the "
                       f"file ({size} bytes)")
        slices.append((offset, length, index))
    ordered = sorted(slices)
    for (offset, length, index), (next_offset, _, next_index) in zip(ordered, ordered[1:]):
        if offset + max(length, 1) > next_offset:
            raise _Bad(f"fat Mach-O slices {min(index, next_index)} and "
                       f"{max(index, next_index)} overlap")
    archs, bits, min_macos = [], set(), {}
    for offset, _, _ in slices:
        head = data[offset : offset + HEAD_SIZE]
        if len(head) < 32:  # the slice starts past (or too near the end of) the first read
            head = read_at(offset, HEAD_SIZE)
        arch, slice_bits, minos = _macho_slice(head, read_at, offset)
        archs.append(arch)
        bits.add(slice_bits)
        if minos:
            min_macos[arch] = minos
    return Header("mach-o", tuple(archs), True, bits.pop() if len(bits) == 1 else None, min_macos)


# -- ELF and PE -----------------------------------------------------------------------------------

_ELF_MACHINES = {3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390", 40: "arm",
                 62: "x86_64", 183: "arm64", 243: "riscv", 258: "loongarch64"}


def _elf(data: bytes) -> Header:
    if len(data) < 20:
        raise _Bad("truncated ELF header")
    elf_class, encoding = data[4], data[5]
    if elf_class not in (1, 2) or encoding not in (1, 2):
        raise _Bad(f"corrupt ELF identification (class {elf_class}, data {encoding})")
    bits = 32 if elf_class == 1 else 64
    (machine,) = struct.unpack_from("<H" if encoding == 1 else ">H", data, 18)
    arch = _ELF_MACHINES.get(machine, f"unknown-{machine}")
    if arch == "ppc64" and encoding == 1:
        arch = "ppc64le"
    elif arch in ("s390", "riscv") and bits == 64:
        arch += "x" if arch == "s390" else "64"
    return Header("elf", (arch,), False, bits)


_PE_MACHINES = {0x8664: "x86_64", 0x14C: "i386", 0xAA64: "arm64", 0x1C4: "arm", 0xA641: "arm64ec",
                0x200: "ia64"}


# The PE signature (4 bytes), the COFF header (20) and the optional header's magic (2).
_PE_HEAD = 26


def _pe(data: bytes, read_at: ReadAt) -> Header:
    if len(data) < 0x40:
        raise _Bad("truncated DOS header")
    (lfanew,) = struct.unpack_from("<I", data, 0x3C)
    pe = data[lfanew : lfanew + _PE_HEAD]
    if len(pe) < _PE_HEAD:
        pe = read_at(lfanew, _PE_HEAD)
    if pe[:4] != b"PE\0\0":
        raise _Bad("an MZ file without a PE header")
    if len(pe) < _PE_HEAD:
        raise _Bad("truncated PE header")
    (machine,) = struct.unpack_from("<H", pe, 4)
    (optional_magic,) = struct.unpack_from("<H", pe, 24)
    bits = {0x10B: 32, 0x20B: 64}.get(optional_magic)
    return Header("pe", (_PE_MACHINES.get(machine, f"unknown-{machine}"),), False, bits)
