"""Read one member of a remote wheel by HTTP range requests, never downloading the whole file.

A wheel is a zip archive: its table of contents (the central directory) sits at the end. Like pip's
`lazy_wheel`, `RemoteZip` is a seekable file object that fetches only the byte ranges `zipfile` asks
for: the tail (end-of-central-directory record), the central directory, then the one member wanted.
Three requests for a 500 MB TensorFlow wheel instead of 500 MB, and usually two: `.dist-info/`
comes last, so its directory entries are already in the tail. The index here serves no PEP 658
`.metadata` files, which would have made this unnecessary.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import List, Optional, Tuple

from keras_doctor.knowledge.build.fetch import Fetcher

TAIL_BYTES = 64 * 1024
LOCAL_HEADER_SLACK = 1024  # a member's local extra field may be longer than its central one


class RemoteZip(io.RawIOBase):
    """A read-only, seekable view of a remote file that fetches missing byte ranges on demand."""

    def __init__(self, fetcher: Fetcher, url: str, size: int):
        super().__init__()
        self.fetcher = fetcher
        self.url = url
        self.size = size
        self.position = 0
        self.segments: List[Tuple[int, bytes]] = []  # (start, data), kept sorted, not overlapping
        self.ensure(max(0, size - TAIL_BYTES), size)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def read(self, n: Optional[int] = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self.position + n)
        if end <= self.position:
            return b""
        self.ensure(self.position, end)
        data = self._assemble(self.position, end)
        self.position = end
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def ensure(self, start: int, end: int) -> None:
        """Make bytes [start, end) local with at most one request."""
        missing = self._missing(start, end)
        if not missing:
            return
        lo, hi = missing[0][0], missing[-1][1]
        self._add(lo, self.fetcher.get_range(self.url, lo, hi - 1))

    def _missing(self, start: int, end: int) -> List[Tuple[int, int]]:
        gaps, cursor = [], start
        for seg_start, data in self.segments:
            seg_end = seg_start + len(data)
            if seg_end <= cursor:
                continue
            if seg_start >= end:
                break
            if seg_start > cursor:
                gaps.append((cursor, seg_start))
            cursor = max(cursor, seg_end)
        if cursor < end:
            gaps.append((cursor, end))
        return gaps

    def _add(self, start: int, data: bytes) -> None:
        merged: List[Tuple[int, bytes]] = []
        for seg_start, seg in sorted([*self.segments, (start, data)], key=lambda s: s[0]):
            if merged and seg_start <= merged[-1][0] + len(merged[-1][1]):
                last_start, last = merged[-1]
                overhang = seg_start + len(seg) - (last_start + len(last))
                if overhang > 0:
                    merged[-1] = (last_start, last + seg[len(seg) - overhang :])
            else:
                merged.append((seg_start, seg))
        self.segments = merged

    def _assemble(self, start: int, end: int) -> bytes:
        for seg_start, data in self.segments:
            if seg_start <= start and seg_start + len(data) >= end:
                return data[start - seg_start : end - seg_start]
        raise AssertionError("range not local after ensure()")


def read_member(fetcher: Fetcher, url: str, size: int, suffix: str) -> Tuple[str, bytes]:
    """(name, content) of the first member whose name ends with `suffix` (".dist-info/METADATA")."""
    remote = RemoteZip(fetcher, url, size)
    found = _member_from_tail(remote, suffix)
    if found is not None:
        return found
    with zipfile.ZipFile(remote) as archive:  # type: ignore[arg-type]
        info = _find(archive, suffix)
        if info is None:
            raise KeyError(f"{url}: no member ending in {suffix}")
        return info.filename, read_whole(remote, archive, info)


def read_whole(remote: RemoteZip, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One member of an archive opened on `remote`, its bytes fetched in one request rather than
    in zipfile's small reads (its local header and data, with room for a longer local extra)."""
    end = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    remote.ensure(info.header_offset,
                  min(remote.size, end + info.compress_size + LOCAL_HEADER_SLACK))
    return archive.read(info)


def _member_from_tail(remote: RemoteZip, suffix: str) -> Optional[Tuple[str, bytes]]:
    """The member, found among the central-directory entries inside the first tail request.

    Wheels write `.dist-info/` last, so its entries close the central directory: reading only
    the tail and the member saves fetching a TensorFlow wheel's megabyte-long directory. Any
    doubt (zip64, no match in the tail, a local header or CRC that disagrees) returns None and
    the caller reads the whole directory with `zipfile`.
    """
    tail_start, tail = remote.segments[-1]
    eocd = tail.rfind(b"PK\x05\x06")
    if eocd < 0 or len(tail) - eocd < 22:
        return None
    cd_size, cd_offset = struct.unpack_from("<LL", tail, eocd + 12)
    if cd_offset == 0xFFFFFFFF or cd_offset >= tail_start or cd_offset + cd_size > remote.size:
        return None  # zip64, or the whole directory is in the tail already
    at = tail.rfind(b"PK\x01\x02", 0, eocd)
    while at >= 0:
        entry = _central_entry(tail, at, eocd, suffix)
        if entry is not None:
            return _verified_member(remote, *entry)
        at = tail.rfind(b"PK\x01\x02", 0, at)
    return None


def _central_entry(
    tail: bytes, at: int, end: int, suffix: str
) -> Optional[Tuple[str, int, int, int, int]]:
    """(name, method, crc, compressed size, local header offset) of a matching entry at `at`."""
    if at + 46 > end:
        return None
    (method, crc, compressed, _size, name_len, extra_len, comment_len, offset) = (
        struct.unpack_from("<H4xLLLHHH8xL", tail, at + 10))
    name_bytes = tail[at + 46 : at + 46 + name_len]
    if at + 46 + name_len + extra_len + comment_len > end or compressed == 0xFFFFFFFF:
        return None
    name = name_bytes.decode("utf-8", "replace")
    if not name.endswith(suffix) or name.count("/") != suffix.count("/"):
        return None
    return name, method, crc, compressed, offset


def _verified_member(remote: RemoteZip, name: str, method: int, crc: int, compressed: int,
                     offset: int) -> Optional[Tuple[str, bytes]]:
    encoded = name.encode()
    stop = min(remote.size, offset + 30 + len(encoded) + compressed + LOCAL_HEADER_SLACK)
    remote.ensure(offset, stop)
    remote.seek(offset)
    header = remote.read(30)
    if header[:4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    if remote.read(name_len) != encoded:
        return None
    remote.seek(offset + 30 + name_len + extra_len)
    raw = remote.read(compressed)
    if method == zipfile.ZIP_DEFLATED:
        data = zlib.decompressobj(-15).decompress(raw)
    elif method == zipfile.ZIP_STORED:
        data = raw
    else:
        return None
    return (name, data) if zlib.crc32(data) == crc else None


def read_metadata(fetcher: Fetcher, url: str, size: int) -> bytes:
    """A wheel's `*.dist-info/METADATA`, cached by URL (wheel URLs are content-addressed)."""
    return fetcher.memo(
        "metadata", url, lambda: read_member(fetcher, url, size, ".dist-info/METADATA")[1]
    )


def _find(archive: zipfile.ZipFile, suffix: str) -> Optional[zipfile.ZipInfo]:
    for info in archive.infolist():
        name = info.filename
        if name.endswith(suffix) and name.count("/") == suffix.count("/"):
            return info
    return None
