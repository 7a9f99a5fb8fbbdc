"""Reading one member of a remote wheel by range requests: against a local server, then PyPI."""

from __future__ import annotations

import http.server
import io
import os
import threading
import zipfile
from pathlib import Path

import pytest
from kb_helpers import BUILD_CACHE

from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.lazy_wheel import read_member, read_metadata


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves one file, honouring `Range: bytes=a-b` like the index's file host."""

    payload = b""

    def do_GET(self):
        header = self.headers.get("Range", "")
        if header.startswith("bytes="):
            start, end = (int(x) for x in header[6:].split("-"))
            body = self.payload[start : end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(self.payload)}")
        else:
            body = self.payload
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _wheel_bytes(metadata_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    metadata = ("pkg-1.0.dist-info/METADATA", b"Name: pkg\nRequires-Dist: numpy<2\n")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if metadata_first:  # not how wheels are written: its directory entry is far from the end
            archive.writestr(*metadata)
        for i in range(3000):  # a central directory larger than the first tail request
            archive.writestr(f"pkg/module_{i:04d}_with_a_long_name.so", os.urandom(2000),
                             compress_type=zipfile.ZIP_STORED)
        if not metadata_first:
            archive.writestr(*metadata)
        archive.writestr("pkg-1.0.dist-info/RECORD", b"r" * 200_000)
    return buffer.getvalue()


@pytest.fixture
def serve():
    servers = []

    def start(payload: bytes):
        _RangeHandler.payload = payload
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/pkg-1.0-py3-none-any.whl", len(payload)

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def served_wheel(serve):
    return serve(_wheel_bytes())


def test_reads_metadata_with_two_requests_when_dist_info_comes_last(served_wheel, tmp_path):
    url, size = served_wheel
    fetcher = Fetcher(tmp_path, progress=lambda _: None)
    name, data = read_member(fetcher, url, size, ".dist-info/METADATA")
    assert name == "pkg-1.0.dist-info/METADATA"
    assert data == b"Name: pkg\nRequires-Dist: numpy<2\n"
    assert fetcher.requests == 2  # the tail, then the member
    assert fetcher.bytes_received < size / 20


def test_reads_the_whole_directory_when_the_entry_is_not_in_the_tail(serve, tmp_path):
    url, size = serve(_wheel_bytes(metadata_first=True))
    fetcher = Fetcher(tmp_path, progress=lambda _: None)
    _, data = read_member(fetcher, url, size, ".dist-info/METADATA")
    assert data == b"Name: pkg\nRequires-Dist: numpy<2\n"
    assert fetcher.requests == 3  # the tail, the rest of the directory, the member
    assert fetcher.bytes_received < size / 2


def test_metadata_is_cached_by_url(served_wheel, tmp_path):
    url, size = served_wheel
    fetcher = Fetcher(tmp_path, progress=lambda _: None)
    first = read_metadata(fetcher, url, size)
    requests = fetcher.requests
    assert read_metadata(fetcher, url, size) == first and fetcher.requests == requests


def test_missing_member_is_an_error(served_wheel, tmp_path):
    url, size = served_wheel
    with pytest.raises(KeyError):
        read_member(Fetcher(tmp_path, progress=lambda _: None), url, size, ".dist-info/WHEEL")


@pytest.mark.slow
def test_range_read_metadata_equals_the_metadata_of_the_whole_wheel(tmp_path):
    """A real TensorFlow wheel (hundreds of MB): range reads against one full download, once."""
    cached = Fetcher(BUILD_CACHE, progress=lambda _: None)
    index = cached.simple_index("tensorflow-metal")
    wheel = next(
        f
        for f in index["files"]
        if f["filename"] == "tensorflow_metal-1.2.0-cp311-cp311-macosx_12_0_arm64.whl"
    )
    fresh = Fetcher(tmp_path, progress=lambda _: None)  # no cache: really reads ranges
    ranged = read_metadata(fresh, wheel["url"], wheel["size"])
    assert fresh.bytes_received < wheel["size"] / 4
    with zipfile.ZipFile(Path(cached.download(wheel["url"]))) as archive:
        whole = archive.read("tensorflow_metal-1.2.0.dist-info/METADATA")
    assert ranged == whole
    assert b"|tensorflow  |tensorflow-metal|" in ranged
