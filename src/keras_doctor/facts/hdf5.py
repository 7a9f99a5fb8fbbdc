"""How long an HDF5 file says it is: the end-of-file address in its superblock.

A weights download that is cut off keeps its first bytes, so the HDF5 signature alone cannot tell a
truncated file from a whole one; the superblock, written at the start, records where the file ends.
Comparing that with the size on disk finds the truncation without hashing hundreds of megabytes and
without importing h5py. Layout: the HDF5 File Format Specification, section II.A "Superblock"
(https://docs.hdfgroup.org/hdf5/develop/_f_m_t3.html), versions 0-3.
"""

from __future__ import annotations

from typing import Optional

SIGNATURE = b"\x89HDF\r\n\x1a\n"
HEADER_BYTES = 96  # enough for every superblock version with 8-byte addresses


def end_of_file(header: bytes) -> Optional[int]:
    """The byte length the superblock at the start of `header` declares, or None if unknown."""
    if len(header) < 16 or not header.startswith(SIGNATURE):
        return None
    version = header[8]
    if version in (0, 1):
        offsets = header[13]
        first = 24 if version == 0 else 28  # v1 adds the indexed-storage K and 2 reserved bytes
        base_at, eof_at = first, first + 2 * offsets  # base, free-space info, end of file
    elif version in (2, 3):
        offsets = header[9]
        base_at, eof_at = 12, 12 + 2 * offsets  # base, superblock extension, end of file
    else:
        return None
    if offsets not in (2, 4, 8) or len(header) < eof_at + offsets:
        return None
    base = int.from_bytes(header[base_at:base_at + offsets], "little")
    eof = int.from_bytes(header[eof_at:eof_at + offsets], "little")
    undefined = (1 << (8 * offsets)) - 1
    if eof == undefined or base == undefined:
        return None
    return base + eof
