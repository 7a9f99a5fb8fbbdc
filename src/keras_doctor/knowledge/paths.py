"""Where knowledge lives: the embedded copy, the user's refreshed copy, and the builder's cache.

Kept apart from the loader so `db update`, the builder and the tests agree on one answer, and so the
platform rules (XDG on Linux, ~/Library/Caches on macOS, LOCALAPPDATA on Windows) live in one place.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

EMBEDDED_DIR = Path(__file__).parent / "data"


def user_cache_root() -> Path:
    """The platform's per-user cache folder for keras-doctor."""
    home = Path(os.environ.get("HOME") or Path.home())
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "keras-doctor"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "keras-doctor" / "Cache"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else home / ".cache") / "keras-doctor"


def user_data_dir() -> Path:
    """Where `db update` puts a refreshed snapshot ($KERAS_DOCTOR_DATA_DIR overrides)."""
    override = os.environ.get("KERAS_DOCTOR_DATA_DIR")
    return Path(override) if override else user_cache_root() / "knowledge"


def build_cache_dir() -> Path:
    """The builder's HTTP and wheel cache ($KERAS_DOCTOR_BUILD_CACHE overrides)."""
    override = os.environ.get("KERAS_DOCTOR_BUILD_CACHE")
    return Path(override) if override else user_cache_root() / "build-cache"
