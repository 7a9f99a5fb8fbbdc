"""Windows settings that decide whether an install can work: Long Path support.

Windows refuses paths longer than 260 characters unless `LongPathsEnabled` (a DWORD under
HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem, Windows 10 1607 and later) is 1; TensorFlow's
wheels hold C++ headers nested deep enough to pass that limit inside a user's virtual environment,
and pip then fails half-way through the install. The value is read from the registry of the
machine the doctor runs on (the target's, for every live target); elsewhere it is not known.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Optional

FILE_SYSTEM_KEY = r"SYSTEM\CurrentControlSet\Control\FileSystem"


def _read_registry() -> int:
    winreg: Any = importlib.import_module("winreg")  # Windows only
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, FILE_SYSTEM_KEY) as key:
            value, _ = winreg.QueryValueEx(key, "LongPathsEnabled")
    except FileNotFoundError:
        return 0  # no value: the default, off
    return int(value)


def long_paths_enabled(system: str, read: Callable[[], int] = _read_registry) -> Optional[bool]:
    """Whether Long Path support is on; None off Windows or when the registry cannot be read."""
    if system != "Windows":
        return None
    try:
        value = read()
    except (OSError, ImportError, ValueError, TypeError):
        return None
    return value == 1
