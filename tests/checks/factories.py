"""Facts for any platform, built in code: what a Mac's sysctl answers or a Linux probe would give.

Only the live OS answers are made up here (that is what facts are for); the check code that runs on
them is the real one.
"""

from __future__ import annotations

from typing import List, Optional

from packaging.utils import canonicalize_name

from keras_doctor.facts.collect import stated_marker_environment
from keras_doctor.facts.model import (
    Binary,
    ConfigFacts,
    Distribution,
    Facts,
    InterpreterFacts,
    KerasConfig,
    PlatformFacts,
    Target,
)

SITE = "/Users/ada/venv/lib/python3.11/site-packages"


def dist(name: str, version: str, requires: Optional[List[str]] = None,
         files: Optional[List[str]] = None, location: str = SITE) -> Distribution:
    folder = f"{location}/{name.replace('-', '_')}-{version}.dist-info"
    return Distribution(name=name, canonical_name=canonicalize_name(name), version=version,
                        location=location, metadata_dir=folder, requires_dist=requires or [],
                        files=files if files is not None else [])


def mac_facts(*, machine: str = "arm64", translated: bool = False, os_version: str = "14.4",
              exe_archs=("arm64",), distributions=(), binaries=(), cpu_flags=None,
              env=None, keras_json=None) -> Facts:
    system = "Darwin"
    return Facts(
        target=Target(mode="running", platform=f"macos-{machine}", python_version="3.11.7",
                      path="/Users/ada/venv/bin/python"),
        platform=PlatformFacts(system=system, machine=machine, os_version=os_version,
                               apple_silicon=True, rosetta_translated=translated,
                               cpu_flags=cpu_flags if cpu_flags is not None else []),
        interpreter=InterpreterFacts(
            version="3.11.7", executable="/Users/ada/venv/bin/python",
            executable_format="mach-o", executable_archs=list(exe_archs), running_arch=machine,
            kind="venv", base_kind="homebrew", sys_path=["", SITE], site_packages=[SITE],
            marker_environment=stated_marker_environment(system, machine, "3.11.7"),
            installers={"pip": "24.0"},
        ),
        distributions=list(distributions),
        binaries=list(binaries),
        config=ConfigFacts(env=dict(env or {}),
                           keras_json=keras_json or KerasConfig(path="/Users/ada/.keras/keras.json",
                                                                exists=False)),
    )


def binary(path: str, archs, owner: Optional[str], fmt: str = "mach-o", min_macos=None) -> Binary:
    return Binary(path=f"{SITE}/{path}", location=SITE, format=fmt, archs=list(archs),
                  min_macos=dict(min_macos or {}), owner=owner)
