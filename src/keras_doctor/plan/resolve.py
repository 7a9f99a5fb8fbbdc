"""Resolve a requirement set for the target platform and Python before anything is changed.

A fix that installs versions nobody resolved together can leave an environment worse than it was,
so the plan is only built from a set a resolver accepted for the *target*: uv's
`pip compile --python-platform`, which evaluates environment markers for that platform, else pip's
`install --dry-run --report` with platform tags, which evaluates markers against the machine it runs
on (a limitation the plan states). A set that does not resolve is a result with the resolver's own
message, never an exception.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from keras_doctor.checks.binaries import linux_platforms
from keras_doctor.plan.installers import find_uv

# Facts platform names (facts.model.PLATFORMS) -> uv's --python-platform target triple.
UV_PLATFORMS = {
    "macos-arm64": "aarch64-apple-darwin",
    "macos-x86_64": "x86_64-apple-darwin",
    "linux-x86_64": "x86_64-unknown-linux-gnu",
    "linux-aarch64": "aarch64-unknown-linux-gnu",
    "windows-amd64": "x86_64-pc-windows-msvc",
    "windows-32": "i686-pc-windows-msvc",
}

PIP_LIMITATION = (
    "resolved with pip (uv is not available): pip matches wheels for the target's platform tags "
    "but evaluates environment markers for the machine it runs on, so dependencies that only "
    "apply on another OS or CPU may be missing or extra"
)


@dataclass
class Resolution:
    ok: bool
    resolver: str  # "uv" | "pip"
    pins: Dict[str, str] = field(default_factory=dict)  # canonical name -> exact version
    limitation: Optional[str] = None
    error: Optional[str] = None
    seconds: float = 0.0
    argv: List[str] = field(default_factory=list)


def resolve(
    requirements: Sequence[str],
    platform: str,
    python_version: str,
    *,
    macos_version: Optional[str] = None,
    prefer: str = "uv",
    uv: Optional[str] = None,
    pip_python: Optional[str] = None,
    preferences: Optional[Dict[str, str]] = None,
    timeout: float = 300,
) -> Resolution:
    """Resolve `requirements` (PEP 508 strings) for `platform` (a facts platform name), Python X.Y.

    `preferences` ({name: installed version}) are kept wherever the set allows, so a fix changes
    no more than it must (uv only). `pip_python` is an interpreter with pip for the fallback
    (default: the running one).
    """
    reqs = [str(Requirement(r)) for r in requirements]  # InvalidRequirement for bad input
    major_minor = ".".join(python_version.split(".")[:2])
    uv = uv or (find_uv() if prefer == "uv" else None)
    if uv:
        return _resolve_uv(uv, reqs, platform, major_minor, macos_version, timeout,
                           preferences or {})
    return _resolve_pip(reqs, platform, major_minor, pip_python, macos_version, timeout)


def uv_compile_argv(uv: str, platform: str, python_version: str) -> List[str]:
    if platform not in UV_PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {sorted(UV_PLATFORMS)}")
    return [uv, "pip", "compile", "-", "--python-platform", UV_PLATFORMS[platform],
            "--python-version", python_version, "--no-header", "--no-annotate", "--quiet"]


def _resolve_uv(uv: str, reqs: List[str], platform: str, python_version: str,
                macos_version: Optional[str], timeout: float,
                preferences: Dict[str, str]) -> Resolution:
    argv = uv_compile_argv(uv, platform, python_version)
    env = dict(os.environ)
    if macos_version and platform.startswith("macos"):
        env["MACOSX_DEPLOYMENT_TARGET"] = ".".join(macos_version.split(".")[:2])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="keras-doctor-resolve-") as scratch:
        output = os.path.join(scratch, "pins.txt")
        if preferences:
            # uv prefers the versions already in its output file: the installed ones, here.
            with open(output, "w") as fh:
                fh.writelines(f"{pin}\n" for pin in _valid_pins(preferences))
            argv = [*argv, "--output-file", output]
        proc = _run(argv, "\n".join(reqs) + "\n", env, timeout)
        if proc is not None and proc.returncode == 0 and preferences:
            with open(output) as fh:
                proc.stdout = fh.read()
    elapsed = time.perf_counter() - started
    if proc is None:
        return Resolution(False, "uv", error=f"uv did not finish within {timeout:.0f} s",
                          seconds=elapsed, argv=argv)
    if proc.returncode != 0:
        return Resolution(False, "uv", error=_uv_message(proc.stderr), seconds=elapsed, argv=argv)
    try:
        pins = parse_pins(proc.stdout.splitlines())
    except ValueError as exc:
        return Resolution(False, "uv", error=str(exc), seconds=elapsed, argv=argv)
    return Resolution(True, "uv", pins, seconds=elapsed, argv=argv)


def parse_pins(lines: Sequence[str]) -> Dict[str, str]:
    """`name==version` lines (what `uv pip compile` prints) -> {canonical name: version}."""
    pins: Dict[str, str] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            req = Requirement(line)
            (spec,) = req.specifier
            if spec.operator != "==":
                raise ValueError(line)
            pins[canonicalize_name(req.name)] = str(Version(spec.version))
        except (InvalidRequirement, InvalidVersion, ValueError) as exc:
            raise ValueError(f"unexpected line in the resolver's output: {line!r}") from exc
    return pins


def _valid_pins(preferences: Dict[str, str]) -> List[str]:
    pins = []
    for name, version in sorted(preferences.items()):
        try:
            pins.append(f"{canonicalize_name(Requirement(name).name)}=={Version(version)}")
        except (InvalidRequirement, InvalidVersion):
            continue
    return pins


def pip_platform_tags(platform: str, macos_version: Optional[str] = None) -> List[str]:
    if platform.startswith("macos"):
        major = int((macos_version or "14").split(".")[0])
        arch = "arm64" if platform.endswith("arm64") else "x86_64"
        # pip widens a macOS tag to every older release of the same architecture.
        return [f"macosx_{max(major, 11)}_0_{arch}"] + (
            ["macosx_10_16_x86_64"] if arch == "x86_64" else [])
    if platform.startswith("linux"):
        # The tags wheel-tags accepts for a Linux target whose glibc is not known.
        return linux_platforms(None, "aarch64" if platform.endswith("aarch64") else "x86_64")
    if platform == "windows-amd64":
        return ["win_amd64"]
    if platform == "windows-32":
        return ["win32"]
    raise ValueError(f"unknown platform {platform!r}")


def _resolve_pip(reqs: List[str], platform: str, python_version: str, pip_python: Optional[str],
                 macos_version: Optional[str], timeout: float) -> Resolution:
    argv = [pip_python or sys.executable, "-m", "pip", "install", "--dry-run", "--report", "-",
            "--quiet", "--disable-pip-version-check", "--only-binary=:all:", "--ignore-installed",
            "--python-version", python_version, "--implementation", "cp"]
    for tag in pip_platform_tags(platform, macos_version):
        argv += ["--platform", tag]
    argv += reqs
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="keras-doctor-resolve-") as scratch:
        # Older pips accept platform options only with --target; --dry-run writes nothing there.
        proc = _run([*argv, "--target", scratch], None, dict(os.environ), timeout)
    elapsed = time.perf_counter() - started
    if proc is None:
        return Resolution(False, "pip", limitation=PIP_LIMITATION,
                          error=f"pip did not finish within {timeout:.0f} s", seconds=elapsed,
                          argv=argv)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("ERROR")] or lines[-5:]
        return Resolution(False, "pip", limitation=PIP_LIMITATION,
                          error="\n".join(errors) or f"pip exited with {proc.returncode}",
                          seconds=elapsed, argv=argv)
    try:
        report = json.loads(proc.stdout)
        pins = {str(canonicalize_name(item["metadata"]["name"])):
                str(Version(item["metadata"]["version"])) for item in report["install"]}
    except (ValueError, KeyError, TypeError) as exc:
        return Resolution(False, "pip", limitation=PIP_LIMITATION,
                          error=f"unreadable pip report: {exc}", seconds=elapsed, argv=argv)
    return Resolution(True, "pip", pins, limitation=PIP_LIMITATION, seconds=elapsed, argv=argv)


def _run(argv: List[str], stdin: Optional[str], env: Dict[str, str],
         timeout: float) -> Optional[subprocess.CompletedProcess[str]]:
    """The finished process; None when it ran out of time."""
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env,
                              timeout=timeout,
                              stdin=None if stdin is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None
    except OSError as exc:
        return subprocess.CompletedProcess(argv, 127, "", f"cannot run {argv[0]}: {exc}")


def _uv_message(stderr: str) -> str:
    text = stderr.strip()
    if text.startswith("error: "):
        text = text[len("error: "):]
    return text or "uv reported no solution"
