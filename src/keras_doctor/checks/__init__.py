"""Checks: pure functions of a facts snapshot, one module per area, each registered with its causes.

Importing a module registers its checks; `load_all` imports every area once.
"""

from __future__ import annotations

import importlib

AREA_MODULES = (
    "platform",
    "binaries",
    "distributions",
    "environment",
    "compat",
    "legacy_keras",
    "metal",
    "wheels",
    "weights",
    "caches",
    "runtimes",
    "network",
    "addons",
)



def load_all() -> None:
    for name in AREA_MODULES:
        importlib.import_module(f"keras_doctor.checks.{name}")  # a lookup once imported
