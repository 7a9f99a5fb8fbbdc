"""What the examined environment tells about the machine that a paste often does not show.

Read straight from the facts snapshot, for the decisions the text alone leaves open: which wheel
pip could find (`engine`), and which look-alike causes the environment cannot have produced
(`refine`). Apart from both so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Examined:
    """What the examined environment tells about the machine that a paste often does not show:
    its Python ("3.9"), platform ("macos" | "linux" | "windows"), which kind of Mac ("arm64",
    "x86_64") or ARM Linux ("aarch64"), and the pip installed. The wheel decisions need exactly
    these."""

    python: str = ""
    platform: str = ""
    machine: str = ""
    pip: str = ""


_SYSTEMS = {"Darwin": "macos", "Linux": "linux", "Windows": "windows"}


def examined(facts: Any) -> Examined:
    interpreter, platform = facts.interpreter, facts.platform
    python = ".".join(interpreter.version.split(".")[:2])
    system = _SYSTEMS.get(platform.system, "")
    machine = interpreter.running_arch or platform.machine
    pip = interpreter.installers.get("pip") or next(
        (str(dist.version) for dist in facts.distributions if dist.canonical_name == "pip"), "")
    arm = machine in ("arm64", "aarch64")
    shown = {"macos": "arm64" if arm else "x86_64", "linux": "aarch64" if arm else ""}
    return Examined(python=python, platform=system,
                    machine=shown.get(system, "") if machine else "", pip=pip)
