"""Tiny real wheels, written in milliseconds, for resolving offline.

A resolver run against PyPI takes seconds to minutes and needs the network; the same resolver run
against a folder of a few wheels whose metadata says exactly what a test needs (markers for one OS
or CPU, a Requires-Python, a macOS platform tag) shows in well under a second that the target's
platform, Python and macOS release reach the resolver.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path
from typing import Optional, Sequence


def write_wheel(folder: Path, name: str, version: str, requires: Sequence[str] = (),
                tag: str = "py3-none-any", requires_python: Optional[str] = None) -> Path:
    """A valid wheel of `name` `version` (with a RECORD of hashes), in `folder`."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    files = {
        f"{dist}/__init__.py": "",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": ("Wheel-Version: 1.0\nGenerator: keras-doctor-tests\n"
                          f"Root-Is-Purelib: {'true' if tag.endswith('-any') else 'false'}\n"
                          f"Tag: {tag}\n"),
    }
    record = []
    path = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
            record.append(f"{member},sha256={digest.rstrip(b'=').decode()},{len(text)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path
