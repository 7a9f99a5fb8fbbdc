"""Helpers for the knowledge tests: the builder cache they share, aged copies of the data, and an
index that lists nothing."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from pathlib import Path

import envs

from keras_doctor.knowledge import paths

# Real index responses and wheels the builder fetched, kept across runs like the test environments.
BUILD_CACHE = envs.CACHE_ROOT / "knowledge-build"


def copy_data(dst: Path, generated_at: str) -> Path:
    """A copy of the embedded data whose manifest says it was generated at `generated_at`."""
    shutil.copytree(paths.EMBEDDED_DIR, dst)
    manifest_path = dst / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["generated_at"] = generated_at
    manifest_path.write_text(json.dumps(manifest))
    return dst


class EmptyIndex(http.server.BaseHTTPRequestHandler):
    """An index that answers, after `delay` seconds, but lists no files: a truncated or wrong
    mirror. `db update` refuses the snapshot it would make (it lost its releases)."""

    delay = 0.0

    def do_GET(self):
        time.sleep(self.delay)
        body = json.dumps({"meta": {"api-version": "1.0"}, "name": "x", "files": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(handler) -> http.server.ThreadingHTTPServer:
    """`handler` on a free port of the loopback, in a daemon thread; call `shutdown()` after."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
