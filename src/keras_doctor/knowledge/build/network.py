"""Reach the package index the way pip does on this machine: its index, its proxy, its certificates.

Behind a corporate proxy or a private mirror, pip works because it is configured (environment
variables, pip.conf); `db update` must work in the same place with the same settings, without the
user configuring a second tool. Precedence, highest first:

- index: `KERAS_DOCTOR_INDEX_URL`, `PIP_INDEX_URL`, pip.conf `index-url`, then PyPI;
- certificates: `PIP_CERT`, pip.conf `cert`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`, then the
  system's (which `SSL_CERT_FILE` / `SSL_CERT_DIR` already steer);
- proxy: `HTTPS_PROXY` / `HTTP_PROXY` (either case), else `PIP_PROXY` / pip.conf `proxy`; hosts in
  `NO_PROXY` go direct.

pip.conf is read from the files pip reads, in its order ($PIP_CONFIG_FILE last wins, as in pip).
"""

from __future__ import annotations

import base64
import configparser
import os
import ssl
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

DEFAULT_INDEX = "https://pypi.org/simple"


def pip_config_files(environ: Mapping[str, str]) -> List[Path]:
    """pip's configuration files, lowest precedence first (global, user, site, $PIP_CONFIG_FILE)."""
    home = Path(environ.get("HOME") or os.path.expanduser("~"))
    files: List[Path] = []
    if sys.platform == "win32":
        program_data = environ.get("PROGRAMDATA")
        if program_data:
            files.append(Path(program_data) / "pip" / "pip.ini")
        appdata = environ.get("APPDATA")
        if appdata:
            files.append(Path(appdata) / "pip" / "pip.ini")
        files.append(home / "pip" / "pip.ini")
    else:
        dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        files += [Path(d) / "pip" / "pip.conf" for d in dirs.split(os.pathsep) if d]
        files.append(Path("/etc/pip.conf"))
        files.append(home / ".pip" / "pip.conf")
        if sys.platform == "darwin":
            files.append(home / "Library" / "Application Support" / "pip" / "pip.conf")
        config_home = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
        files.append(Path(config_home) / "pip" / "pip.conf")
    venv = environ.get("VIRTUAL_ENV")
    if venv:
        files.append(Path(venv) / ("pip.ini" if sys.platform == "win32" else "pip.conf"))
    chosen = environ.get("PIP_CONFIG_FILE")
    if chosen and chosen != os.devnull:
        files.append(Path(chosen))
    return files


def pip_config(environ: Mapping[str, str]) -> Dict[str, str]:
    """`index-url`, `cert` and `proxy` as pip would read them from its files ([global], then
    [install] and [download], which pip also consults for these)."""
    if environ.get("PIP_CONFIG_FILE") == os.devnull:
        return {}
    values: Dict[str, str] = {}
    for path in pip_config_files(environ):
        parser = configparser.RawConfigParser()
        try:
            if not parser.read(path, encoding="utf-8"):
                continue
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue  # pip itself would refuse it; the defaults stand
        for section in ("global", "download", "install"):
            if parser.has_section(section):
                for key in ("index-url", "cert", "proxy"):
                    if parser.has_option(section, key):
                        values[key] = parser.get(section, key).strip()
    return values


@dataclass
class Network:
    """Where the index is and how to reach it from here."""

    index_url: str = DEFAULT_INDEX
    cafile: Optional[str] = None
    proxies: Dict[str, str] = field(default_factory=dict)  # scheme -> proxy URL
    proxy_source: str = ""  # which setting named the proxy, for error messages
    no_proxy: str = ""

    def proxy_for(self, scheme: str, host: str) -> Optional[urllib.parse.SplitResult]:
        proxy = self.proxies.get(scheme)
        if not proxy or _bypassed(host, self.no_proxy):
            return None
        if "://" not in proxy:
            proxy = "http://" + proxy
        return urllib.parse.urlsplit(proxy)

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile) if self.cafile else \
            ssl.create_default_context()


def settings(environ: Mapping[str, str] = os.environ) -> Network:
    config = pip_config(environ)
    index = (environ.get("KERAS_DOCTOR_INDEX_URL") or environ.get("PIP_INDEX_URL")
             or config.get("index-url") or DEFAULT_INDEX)
    cafile = (environ.get("PIP_CERT") or config.get("cert") or environ.get("REQUESTS_CA_BUNDLE")
              or environ.get("CURL_CA_BUNDLE") or None)
    proxies, source = _environment_proxies(environ)
    pip_proxy = environ.get("PIP_PROXY") or config.get("proxy")
    if not proxies and pip_proxy:
        proxies = {"http": pip_proxy, "https": pip_proxy}
        source = "PIP_PROXY" if environ.get("PIP_PROXY") else "pip.conf proxy"
    no_proxy = environ.get("NO_PROXY") or environ.get("no_proxy") or ""
    return Network(index.rstrip("/"), cafile, proxies, source, no_proxy)


def _environment_proxies(environ: Mapping[str, str]) -> Tuple[Dict[str, str], str]:
    proxies: Dict[str, str] = {}
    source = ""
    for scheme in ("https", "http"):
        for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
            if environ.get(name):
                proxies[scheme] = environ[name]
                source = source or name
                break
    everything = environ.get("ALL_PROXY") or environ.get("all_proxy")
    if "https" not in proxies and everything:
        proxies["https"] = everything
        source = source or "ALL_PROXY"
    return proxies, source


def _bypassed(host: str, no_proxy: str) -> bool:
    """NO_PROXY as curl and pip read it: `*`, host names, domain suffixes, optional ports."""
    if not no_proxy:
        return False
    if no_proxy.strip() == "*":
        return True
    name = host.split(":")[0].lower().strip("[]")
    for entry in no_proxy.replace(" ", "").split(","):
        entry = entry.lower().split(":")[0].lstrip(".").lstrip("*.")
        if entry and (name == entry or name.endswith("." + entry)):
            return True
    return False


def proxy_authorization(proxy: urllib.parse.SplitResult) -> Dict[str, str]:
    if proxy.username is None:
        return {}
    user = urllib.parse.unquote(proxy.username)
    password = urllib.parse.unquote(proxy.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Proxy-Authorization": f"Basic {token}"}


def shown(proxy: urllib.parse.SplitResult) -> str:
    """A proxy URL fit for a message: never its password."""
    host = proxy.hostname or ""
    port = f":{proxy.port}" if proxy.port else ""
    return f"{proxy.scheme}://{host}{port}"

