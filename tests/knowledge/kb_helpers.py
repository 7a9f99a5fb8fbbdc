"""Helpers for the knowledge tests: the builder cache they share, and aged copies of the data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import envs

from keras_doctor.knowledge import paths

# Real index responses and wheels the builder fetched, kept across runs like the test environments.
BUILD_CACHE = envs.CACHE_ROOT / "knowledge-build"


def copy_data(dst: Path, generated_at: str) -> Path:
    """A copy of the embedded data whose manifest says it was generated at `generated_at`."""
    shutil.copytree(paths.EMBEDDED_DIR, dst)
    manifest_path = dst / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["generated_at"] = generated_at
    manifest_path.write_text(json.dumps(manifest))
    return dst
