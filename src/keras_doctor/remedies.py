"""Exact fix commands for a target: how to run its installer, as argv lists.

Every fix names the interpreter it acts on (`<python> -m pip …`, never a bare `pip` that may belong
to another environment), falls back to `uv pip --python` where the environment has no pip, and for a
folder checked with `--path` installs for the stated platform with `--target`. Names and versions
come from parsed metadata (`packaging`), never from free text.
"""

from __future__ import annotations

from typing import List, Sequence

from keras_doctor.facts.model import Facts
from keras_doctor.findings import FixStep, StepKind

# A `--platform` tag for each stated platform; pip widens it to the older compatible tags itself.
PIP_PLATFORM_TAGS = {
    "macos-arm64": "macosx_14_0_arm64",
    "macos-x86_64": "macosx_14_0_x86_64",
    "linux-x86_64": "manylinux_2_28_x86_64",
    "linux-aarch64": "manylinux_2_28_aarch64",
    "windows-amd64": "win_amd64",
    "windows-32": "win32",
}


def python_of(facts: Facts) -> str:
    return facts.interpreter.executable or "python"


def installer_prefix(facts: Facts) -> List[str]:
    exe = python_of(facts)
    if "pip" not in facts.interpreter.installers and "uv" in facts.interpreter.installers:
        return ["uv", "pip"]
    return [exe, "-m", "pip"]


def _uv_python(facts: Facts, prefix: List[str]) -> List[str]:
    return ["--python", python_of(facts)] if prefix[0] == "uv" else []


def install(facts: Facts, specs: Sequence[str], *, reinstall: bool = False,
            no_deps: bool = False, no_cache: bool = False, description: str = "") -> FixStep:
    if facts.target.mode == "path" or (facts.target.mode == "facts" and facts.config is None):
        argv = ["python", "-m", "pip", "install", "--upgrade", "--only-binary=:all:",
                "--platform", PIP_PLATFORM_TAGS.get(facts.target.platform, facts.target.platform),
                "--python-version", ".".join(facts.target.python_version.split(".")[:2]),
                "--implementation", "cp", "--target", facts.target.path or "DIR"]
    else:
        prefix = installer_prefix(facts)
        argv = [*prefix, "install", *_uv_python(facts, prefix)]
    if reinstall:
        argv.append("--force-reinstall")
    if no_deps:
        argv.append("--no-deps")
    if no_cache:
        argv.append("--no-cache" if argv[0] == "uv" else "--no-cache-dir")
    argv.extend(specs)
    text = description or f"Install {', '.join(specs)}"
    if argv[0] != "uv" and facts.target.mode != "path" and not has_installer(facts):
        text += (f" (this environment has no pip: first run `{python_of(facts)} -m ensurepip`, "
                 "or run `keras-doctor fix`, which installs into it from outside, with uv or "
                 "its own pip)")
    return FixStep(text, StepKind.RUN, tuple(argv))


def has_installer(facts: Facts) -> bool:
    """Whether the target can run the printed install: its own pip, or uv on its PATH. Facts
    saved before installers were recorded count as having one (nothing to warn about)."""
    found = facts.interpreter.installers
    return "pip" in found or "uv" in found or facts.config is None


def uninstall(facts: Facts, names: Sequence[str], description: str = "") -> FixStep:
    text = description or f"Uninstall {', '.join(names)}"
    if facts.target.mode == "path" or facts.config is None:
        return FixStep(
            text + f" (delete their files and .dist-info folders from {facts.target.path})",
            StepKind.EDIT, target=facts.target.path, destructive=True,
        )
    prefix = installer_prefix(facts)
    argv = [*prefix, "uninstall", *_uv_python(facts, prefix)]
    if prefix[0] != "uv":
        argv.append("-y")
    argv.extend(names)
    return FixStep(text, StepKind.RUN, tuple(argv), destructive=True)


def new_environment(facts: Facts, reason: str) -> FixStep:
    return FixStep(
        f"{reason}: create a fresh virtual environment with a suitable interpreter and install "
        "there (`keras-doctor fix --new-venv PATH` does it for you)",
        StepKind.MANUAL,
    )


def purge_cache(facts: Facts, tool: str, pattern: str, description: str = "") -> FixStep:
    """Delete cached wheels with the installer that keeps them: `pip cache remove PATTERN` (the
    name as the wheel files spell it: pip matches `PATTERN-*.whl`) or `uv cache clean NAME`."""
    if tool == "uv":
        argv: tuple = ("uv", "cache", "clean", pattern)
    else:
        argv = (python_of(facts), "-m", "pip", "cache", "remove", pattern)
    return FixStep(description or f"Remove {pattern} from the {tool} cache", StepKind.RUN, argv,
                   destructive=True)
