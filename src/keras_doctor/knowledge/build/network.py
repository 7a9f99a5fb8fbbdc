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
import re
import ssl
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

DEFAULT_INDEX = "https://pypi.org/simple"


def pip_config_files(environ: Mapping[str, str], platform: str = sys.platform) -> List[Path]:
    """pip's configuration files in the order pip loads them, each overriding the ones before, as
    pip's own code lays them out (pip/_internal/configuration.py `get_configuration_files` and
    `iter_config_files`, the folders from pip/_internal/utils/appdirs.py):

    - global: Linux `$XDG_CONFIG_DIRS/pip/pip.conf` (default /etc/xdg) then `/etc/pip.conf`; macOS
      `<Homebrew prefix>/share/pip/pip.conf` under a Homebrew Python, then
      `/Library/Application Support/pip/pip.conf`; Windows `C:\\ProgramData\\pip\\pip.ini`;
    - user, unless `$PIP_CONFIG_FILE` names an existing file: the legacy `~/.pip/pip.conf`
      (`~\\pip\\pip.ini` on Windows), then the new one, which wins: Linux
      `$XDG_CONFIG_HOME/pip/pip.conf` (default ~/.config); macOS
      `~/Library/Application Support/pip/pip.conf` when that folder exists, else
      `~/.config/pip/pip.conf`; Windows `%APPDATA%\\pip\\pip.ini`;
    - site: the active virtualenv's `pip.conf` (`pip.ini`), as its pip reads `sys.prefix`;
    - `$PIP_CONFIG_FILE`.

    `platform` is `sys.platform` of the machine; the folders come from `environ` and the disk."""
    windows = platform == "win32"
    name = "pip.ini" if windows else "pip.conf"
    home = Path((environ.get("USERPROFILE") if windows else environ.get("HOME"))
                or os.path.expanduser("~"))
    files: List[Path] = []
    if windows:
        common = environ.get("PROGRAMDATA") or environ.get("ALLUSERSPROFILE")
        if common:
            files.append(Path(common) / "pip" / name)
    elif platform == "darwin":
        brew = _homebrew_prefix(sys.base_prefix)
        if brew:
            files.append(Path(brew) / "share" / "pip" / name)
        files.append(Path("/Library/Application Support/pip") / name)
    else:
        dirs = environ.get("XDG_CONFIG_DIRS", "").strip() or "/etc/xdg"
        files += [Path(d) / "pip" / name for d in dirs.split(os.pathsep) if d]
        files.append(Path("/etc") / name)
    chosen = environ.get("PIP_CONFIG_FILE")
    if not (chosen and os.path.exists(chosen)):  # pip skips the user's files then
        files.append(home / ("pip" if windows else ".pip") / name)
        if windows:
            appdata = environ.get("APPDATA")
            if appdata:
                files.append(Path(appdata) / "pip" / name)
        elif platform == "darwin":
            support = home / "Library" / "Application Support" / "pip"
            files.append((support if support.is_dir() else home / ".config" / "pip") / name)
        else:
            config_home = environ.get("XDG_CONFIG_HOME", "").strip() or str(home / ".config")
            files.append(Path(config_home) / "pip" / name)
    venv = environ.get("VIRTUAL_ENV")
    if venv:
        files.append(Path(venv) / name)
    if chosen and chosen != os.devnull:
        files.append(Path(chosen))
    return files


def _homebrew_prefix(base_prefix: str) -> Optional[str]:
    """The Homebrew prefix of a Homebrew Python (`/opt/homebrew/opt/python@3.12/Frameworks/...`),
    whose pip also reads `<prefix>/share/pip/pip.conf`."""
    found = re.fullmatch(r"(?P<prefix>.+)/opt/python[^/]*/Frameworks/Python\.framework/Versions/"
                         r"[^/]+", base_prefix)
    return found["prefix"] if found else None


def pip_config(environ: Mapping[str, str], platform: str = sys.platform) -> Dict[str, str]:
    """`index-url`, `cert` and `proxy` as pip would read them from its files ([global], then
    [install] and [download], which pip also consults for these)."""
    if environ.get("PIP_CONFIG_FILE") == os.devnull:
        return {}
    values: Dict[str, str] = {}
    for path in pip_config_files(environ, platform):
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

