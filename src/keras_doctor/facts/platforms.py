"""Platform names a target can be stated as (`--platform`), with the OS and CPU they mean.

Apart from `facts.model` so that building the command line (every command's `--platform` choices)
does not create the facts snapshot's dataclasses: `explain --no-env` never needs them.
"""

from __future__ import annotations

from typing import Dict, Tuple

PLATFORMS: Dict[str, Tuple[str, str]] = {
    "macos-arm64": ("Darwin", "arm64"),
    "macos-x86_64": ("Darwin", "x86_64"),
    "linux-x86_64": ("Linux", "x86_64"),
    "linux-aarch64": ("Linux", "arm64"),
    "windows-amd64": ("Windows", "x86_64"),
    # 32-bit Python on Windows (python.org's "-32" installers): its own win32 wheels, and no
    # TensorFlow at all (TensorFlow publishes win_amd64 wheels only)
    "windows-32": ("Windows", "i386"),
}
