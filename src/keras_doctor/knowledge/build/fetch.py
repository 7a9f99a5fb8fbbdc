"""HTTP for the knowledge builder: cached, retried, keep-alive, standard library only.

The builder reads thousands of small byte ranges from wheels on the package index. Opening a new TLS
connection per request (what `urllib.request.urlopen` does) would triple the build time, so each
worker thread keeps one `http.client` connection per host. Everything fetched is cached under the
builder cache: index pages for a day (or until `refresh`), wheel bytes forever (wheel URLs on the
index name their content hash, so they never change). The index, proxy and certificates are pip's
(`network.settings`), so the update works wherever pip does.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from keras_doctor.knowledge.build.network import (
    DEFAULT_INDEX,
    Network,
    proxy_authorization,
    settings,
    shown,
)

USER_AGENT = "keras-doctor-knowledge-builder (+https://pypi.org/project/keras-doctor/)"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
RETRIES = 5
INDEX_MAX_AGE = 24 * 3600  # seconds an index page is reused without `refresh`


class FetchError(RuntimeError):
    """A request that kept failing after every retry."""


class ProxyUnreachable(FetchError):
    """The configured proxy refuses connections: retrying cannot help, say so at once."""


__all__ = ["DEFAULT_INDEX", "FetchError", "Fetcher", "ProxyUnreachable"]


def progress_to_stderr(message: str) -> None:
    print(f"[knowledge] {message}", file=sys.stderr, flush=True)


class Fetcher:
    """One builder run's view of the network: a cache folder and per-thread connections."""

    def __init__(
        self,
        cache_dir: Path,
        refresh: bool = False,
        progress: Callable[[str], None] = progress_to_stderr,
        network: Optional[Network] = None,
    ):
        self.cache_dir = Path(cache_dir)
        self.network = network if network is not None else settings()
        self.refresh = refresh
        self._fetched_now: set = set()  # index pages already refreshed by this run
        self.progress = progress
        self.requests = 0
        self.bytes_received = 0
        self._local = threading.local()
        self._lock = threading.Lock()

    # -- cached helpers ----------------------------------------------------------------------------

    def get_json(self, url: str, accept: Optional[str] = None) -> Any:
        """An index document, cached for INDEX_MAX_AGE seconds (once per run with `refresh`)."""
        path = self._cache_path("index", url + (accept or ""), ".json")
        fresh_enough = not self.refresh and time.time() - _mtime(path) < INDEX_MAX_AGE
        if path.exists() and (path in self._fetched_now or fresh_enough):
            return json.loads(path.read_text(encoding="utf-8"))
        headers = {"Accept": accept} if accept else {}
        body = self.request(url, headers)
        data = json.loads(body)
        _atomic_write(path, body)
        self._fetched_now.add(path)
        return data

    def simple_index(self, project: str) -> Dict[str, Any]:
        """The PEP 691 JSON project page on pip's index ($KERAS_DOCTOR_INDEX_URL overrides it)."""
        return self.get_json(f"{self.network.index_url}/{project}/", SIMPLE_JSON)

    def download(self, url: str) -> Path:
        """A whole file (a wheel), cached forever: the index's file URLs are content-addressed."""
        name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
        path = self.cache_dir / "files" / hashlib.sha256(url.encode()).hexdigest()[:16] / name
        if not path.exists():
            self.progress(f"downloading {name}")
            _atomic_write(path, self.request(url))
        return path

    def memo(self, kind: str, key: str, produce: Callable[[], bytes]) -> bytes:
        """A value derived from immutable remote bytes (e.g. a wheel's METADATA), computed once."""
        path = self._cache_path(kind, key, ".bin")
        if path.exists():
            return path.read_bytes()
        value = produce()
        _atomic_write(path, value)
        return value

    def get_range(self, url: str, start: int, end: int) -> bytes:
        """Bytes `start..end` inclusive of a remote file."""
        body = self.request(url, {"Range": f"bytes={start}-{end}"}, expect_range=True)
        if len(body) != end - start + 1:
            raise FetchError(f"{url}: asked for {end - start + 1} bytes, got {len(body)}")
        return body

    # -- the wire ----------------------------------------------------------------------------------

    def request(
        self, url: str, headers: Optional[Dict[str, str]] = None, expect_range: bool = False
    ) -> bytes:
        last_error: Optional[BaseException] = None
        for attempt in range(RETRIES):
            try:
                status, body, location = self._once(url, headers or {})
            except ProxyUnreachable:
                raise
            except (OSError, http.client.HTTPException) as exc:
                last_error = exc
                self._drop_connection(url)
            else:
                if status in (301, 302, 303, 307, 308) and location:
                    url = urllib.parse.urljoin(url, location)
                    continue
                if (status == 200 and not expect_range) or (status == 206 and expect_range):
                    with self._lock:
                        self.requests += 1
                        self.bytes_received += len(body)
                    return body
                last_error = FetchError(f"HTTP {status} for {url}")
                if status < 500 and status != 429:
                    break
            time.sleep(min(8.0, 0.5 * 2**attempt))
        raise FetchError(f"{url}: {last_error}")

    def _once(self, url: str, headers: Dict[str, str]) -> Tuple[int, bytes, Optional[str]]:
        parts = urllib.parse.urlsplit(url)
        conn = self._connection(parts.scheme, parts.netloc)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        proxy = self.network.proxy_for(parts.scheme, parts.netloc)
        extra: Dict[str, str] = {}
        if proxy is not None and parts.scheme == "http":
            path = url  # a plain-HTTP proxy is asked for the absolute URL
            extra = proxy_authorization(proxy)
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, **extra, **headers})
        except ConnectionRefusedError as exc:
            if proxy is not None:
                self._drop_connection(url)
                source = self.network.proxy_source
                raise ProxyUnreachable(
                    f"the proxy {shown(proxy)} (from {source}) refuses connections ({exc}); "
                    "check the proxy setting, or list the index host in NO_PROXY") from exc
            raise
        response = conn.getresponse()
        body = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self._drop_connection(url)
        return response.status, body, response.getheader("Location")

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        pool: Dict[str, http.client.HTTPConnection] = self._local.__dict__.setdefault("pool", {})
        key = f"{scheme}://{netloc}"
        conn = pool.get(key)
        if conn is None:
            conn = pool[key] = self._open(scheme, netloc)
        return conn

    def _open(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        proxy = self.network.proxy_for(scheme, netloc)
        if scheme != "https":
            return http.client.HTTPConnection(proxy.netloc.rsplit("@", 1)[-1] if proxy else netloc,
                                              timeout=60)
        context = self.network.ssl_context()
        if proxy is None:
            return http.client.HTTPSConnection(netloc, timeout=60, context=context)
        conn = http.client.HTTPSConnection(proxy.hostname or "", proxy.port or 8080, timeout=60,
                                           context=context)
        host, _, port = netloc.partition(":")
        conn.set_tunnel(host, int(port) if port else 443, headers=proxy_authorization(proxy))
        return conn

    def _drop_connection(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        pool = self._local.__dict__.get("pool", {})
        conn = pool.pop(f"{parts.scheme}://{parts.netloc}", None)
        if conn is not None:
            conn.close()

    def _cache_path(self, kind: str, key: str, suffix: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.cache_dir / kind / digest[:2] / (digest + suffix)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
