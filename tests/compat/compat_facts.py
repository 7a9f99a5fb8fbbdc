"""Facts of any platform and Python, built in code, for the checks that consult the knowledge base.

Only what a live machine would answer is made up here (platform, interpreter, variables); the
distributions carry the Requires-Dist their real wheels declare, copied from the knowledge base so a
test states a real combination, never an invented one.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from packaging.utils import canonicalize_name

from keras_doctor.facts.collect import stated_marker_environment
from keras_doctor.facts.model import (
    PLATFORMS,
    CacheFacts,
    ConfigFacts,
    Distribution,
    Facts,
    InterpreterFacts,
    KerasConfig,
    PlatformFacts,
    Target,
    WeightsFile,
)
from keras_doctor.knowledge import load

KB = load()
SITE = "/home/ada/venv/lib/python3/site-packages"


def real_dist(name: str, version: str, platform: str = "linux-x86_64", python: str = "3.11",
              requires: Optional[List[str]] = None,
              wheel_tags: Sequence[str] = ()) -> Distribution:
    """A distribution whose Requires-Dist is what the real wheel for this target declares."""
    if requires is None:
        project = canonicalize_name(name)
        known = KB.requires_for(project, version, platform, python) \
            if project in KB.projects() else None
        requires = list(known or [])
    return Distribution(name=name, canonical_name=canonicalize_name(name), version=version,
                        location=SITE,
                        metadata_dir=f"{SITE}/{name.replace('-', '_')}-{version}.dist-info",
                        requires_dist=requires, files=None, wheel_tags=list(wheel_tags))


def facts(dists: Sequence[Distribution], platform: str = "linux-x86_64", python: str = "3.11",
          env: Optional[Dict[str, str]] = None, pip: Optional[str] = "24.0",
          os_version: Optional[str] = None, kind: str = "venv", base_kind: str = "pyenv",
          ssl: Optional[dict] = None, weights: Sequence[WeightsFile] = ()) -> Facts:
    system, arch = PLATFORMS[platform]
    full = f"{python}.4"
    return Facts(
        target=Target(mode="running", platform=platform, python_version=full,
                      path="/home/ada/venv/bin/python"),
        platform=PlatformFacts(system=system, machine=arch, os_version=os_version,
                               apple_silicon=(platform == "macos-arm64") if system == "Darwin"
                               else None),
        interpreter=InterpreterFacts(
            version=full, executable="/home/ada/venv/bin/python", running_arch=arch,
            kind=kind, base_kind=base_kind, sys_path=["", SITE], site_packages=[SITE],
            marker_environment=stated_marker_environment(system, arch, full),
            installers={"pip": pip} if pip else {},
            ssl=ssl if ssl is not None else {"cafile": "/etc/ssl/cert.pem", "cafile_exists": True,
                                             "capath_exists": False,
                                             "openssl_cafile": "/etc/ssl/cert.pem",
                                             "openssl_cafile_exists": True},
        ),
        distributions=list(dists),
        config=ConfigFacts(env=dict(env or {}),
                           keras_json=KerasConfig(path="/home/ada/.keras/keras.json",
                                                  exists=False)),
        caches=CacheFacts(keras_home="/home/ada/.keras", weights=list(weights)),
    )
