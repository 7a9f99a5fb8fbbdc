"""`db update` reaches the index the way pip does here: pip's index, certificates and proxy."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from keras_doctor.knowledge.build.fetch import Fetcher, ProxyUnreachable
from keras_doctor.knowledge.build.network import settings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list] = []

    def do_GET(self):
        type(self).seen.append(self.path)
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    handler = type("Recorder", (_Handler,), {"seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, handler
    httpd.shutdown()


def test_pip_conf_and_pip_variables_choose_the_index_and_certificates(tmp_path, monkeypatch):
    conf = Path(os.environ["HOME"]) / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[global]\nindex-url = https://mirror.example/simple/\n"
                    "cert = /etc/corp-ca.pem\nproxy = http://corp-proxy:3128\n")
    env = {"HOME": os.environ["HOME"]}
    net = settings(env)
    assert net.index_url == "https://mirror.example/simple"
    assert net.cafile == "/etc/corp-ca.pem"
    assert net.proxy_for("https", "pypi.org").netloc == "corp-proxy:3128"
    net = settings({**env, "PIP_INDEX_URL": "https://other.example/simple", "PIP_CERT": "/x.pem",
                    "HTTPS_PROXY": "http://envproxy:8080", "NO_PROXY": ".example,localhost"})
    assert (net.index_url, net.cafile) == ("https://other.example/simple", "/x.pem")
    assert net.proxy_for("https", "pypi.org").netloc == "envproxy:8080"
    assert net.proxy_for("https", "other.example") is None  # NO_PROXY domain suffix
    assert net.proxy_for("https", "files.other.example:443") is None
    assert settings({**env, "KERAS_DOCTOR_INDEX_URL": "https://kd/simple"}).index_url == \
        "https://kd/simple"
    assert settings({**env, "PIP_CONFIG_FILE": os.devnull}).index_url == "https://pypi.org/simple"


def test_a_certificate_bundle_that_does_not_exist_fails_like_pip_would(tmp_path):
    net = settings({"HOME": str(tmp_path), "PIP_CERT": str(tmp_path / "missing.pem")})
    with pytest.raises(OSError):
        net.ssl_context()


def test_requests_go_through_the_proxy_unless_no_proxy_names_the_host(tmp_path, server):
    httpd, _handler = server
    port = httpd.server_address[1]
    url = f"http://index.invalid:{port}/simple/numpy/"
    proxied = Fetcher(tmp_path, network=settings({"HOME": str(tmp_path),
                                                 "HTTP_PROXY": f"http://127.0.0.1:{port}"}))
    assert json.loads(proxied.request(url)) == {"path": url}  # the proxy got the absolute URL
    direct = Fetcher(tmp_path, network=settings({
        "HOME": str(tmp_path), "HTTP_PROXY": f"http://127.0.0.1:{closed_port()}",
        "NO_PROXY": "localhost,127.0.0.1"}))
    assert json.loads(direct.request(f"http://127.0.0.1:{port}/simple/x/")) == \
        {"path": "/simple/x/"}


def test_a_dead_proxy_fails_at_once_with_its_name(tmp_path):
    port = closed_port()
    fetcher = Fetcher(tmp_path, network=settings({"HOME": str(tmp_path),
                                                  "HTTPS_PROXY": f"http://127.0.0.1:{port}"}))
    started = time.monotonic()
    with pytest.raises(ProxyUnreachable, match=rf"proxy http://127.0.0.1:{port} \(from "
                                               r"HTTPS_PROXY\) refuses connections"):
        fetcher.request("https://pypi.org/simple/numpy/")
    assert time.monotonic() - started < 5  # no retry loop against a closed port


def test_db_update_behind_a_dead_proxy_says_so_and_keeps_the_data(tmp_path):
    port = closed_port()
    env = dict(os.environ, HTTPS_PROXY=f"http://127.0.0.1:{port}", NO_PROXY="",
               XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("KERAS_DOCTOR_INDEX_URL", None)
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "keras_doctor", "db", "update"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 3
    assert f"proxy http://127.0.0.1:{port} (from HTTPS_PROXY) refuses connections" in out.stderr
    assert "the previous data stays in use" in out.stderr
    assert time.monotonic() - started < 60
