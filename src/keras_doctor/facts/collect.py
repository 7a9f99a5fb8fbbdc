"""Collect a facts snapshot for one target: the running interpreter, another one, or a folder.

All three paths end in the same `Facts`, so every check works the same on each. The target
interpreter is asked only for what it alone knows (the probe); everything else is read statically
here. Each reader is guarded: a failure becomes an entry in `facts.errors`, never a crash, because
the environments this runs on are broken by definition.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from keras_doctor.facts import binaries, caches, config, distributions, interpreter, shadowing
from keras_doctor.facts.bounded_read import JSON_DEPTH_LIMIT, loads_json
from keras_doctor.facts.model import (
    PLATFORMS,
    Distribution,
    Facts,
    InterpreterFacts,
    Leftover,
    PlatformFacts,
    Target,
    python_version_problem,
)
from keras_doctor.version import __version__

PROBE_TIMEOUT = 60.0
PROBE_OUTPUT_LIMIT = 64 << 20  # a real answer is a few kB
FACTS_FILE_LIMIT = 128 << 20  # a TensorFlow environment's snapshot is a few MB
# The schema nests 4 deep, plus keras.json's content (read up to JSON_DEPTH_LIMIT deep).
FACTS_DEPTH_LIMIT = JSON_DEPTH_LIMIT + 8
T = TypeVar("T")


class TargetError(Exception):
    """The target cannot be examined (no such interpreter, it does not run, bad folder)."""


def platform_name(system: str, arch: str) -> str:
    for name, (sys_name, cpu) in PLATFORMS.items():
        if sys_name == system and cpu == arch:
            return name
    return f"{system.lower()}-{arch}"


def _guarded(errors: List[str], what: str, default: T, read: Callable[[], T]) -> T:
    try:
        return read()
    except Exception as exc:  # a broken environment must still be diagnosed
        errors.append(f"could not read {what}: {type(exc).__name__}: {exc}")
        return default


def _installers(dists: List[Distribution], path_var: str) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for dist in dists:
        if dist.canonical_name in ("pip", "uv") and dist.canonical_name not in found:
            found[dist.canonical_name] = dist.version
    if "uv" not in found and any(
        os.path.isfile(os.path.join(d, "uv")) for d in path_var.split(os.pathsep) if d
    ):
        found["uv"] = "unknown"
    return found


def facts_from_probe(
    probe: Dict[str, Any],
    mode: str,
    path: Optional[str] = None,
    measure_cache_sizes: bool = False,
    size_budget: Optional[float] = None,
    hash_weights: bool = False,
) -> Facts:
    """The snapshot of the target the probe answered for. The pip and uv caches are measured only
    when `measure_cache_sizes`, for at most `size_budget` seconds each (None: to the end)."""
    errors: List[str] = []
    env: Dict[str, str] = probe.get("env") or {}
    cpu = probe.get("cpu") or {}
    if cpu.get("error"):
        errors.append(f"could not read CPU facts: {cpu['error']}")
    cwd = probe.get("cwd") or os.getcwd()
    sys_path = probe.get("sys_path") or []
    scan_dirs = [entry or cwd for entry in sys_path]
    nothing: Tuple[List[Distribution], List[Leftover]] = ([], [])
    dists, leftovers = _guarded(errors, "installed distributions", nothing,
                                lambda: distributions.scan(scan_dirs, errors))
    installers = _installers(dists, env.get("PATH", ""))
    interp: InterpreterFacts = interpreter.from_probe(probe, installers)
    arch = interp.running_arch or "unknown"
    system = probe.get("system") or "unknown"
    binary_dirs = list(interp.site_packages)
    if interp.user_site and interp.user_site in sys_path:
        binary_dirs.append(interp.user_site)
    binary_dirs = distributions.unique_site_dirs(binary_dirs)
    home = config.keras_home(env)
    return Facts(
        target=Target(mode=mode, platform=platform_name(system, arch),
                      python_version=interp.version, path=path),
        platform=PlatformFacts(
            system=system,
            machine=arch,
            release=probe.get("release"),
            os_version=cpu.get("os_version"),
            apple_silicon=cpu.get("apple_silicon"),
            rosetta_translated=cpu.get("rosetta_translated"),
            cpu_brand=cpu.get("cpu_brand"),
            cpu_flags=cpu.get("cpu_flags"),
            libc=probe.get("libc"),
        ),
        interpreter=interp,
        distributions=dists,
        leftovers=leftovers,
        binaries=_guarded(errors, "binaries", [],
                          lambda: binaries.scan(binary_dirs, dists, errors)),
        shadows=_guarded(errors, "sys.path", [], lambda: shadowing.find_shadows(
            sys_path, interp.site_packages, cwd)),
        config=_guarded(errors, "configuration", None, lambda: config.read_config(
            env, interp.prefix, errors, cwd, system)),
        caches=_guarded(errors, "caches", None, lambda: caches.read_caches(
            env, system, home, measure_cache_sizes, size_budget, hash_weights)),
        errors=errors,
        collected_at=_now(),
        doctor_version=__version__,
    )


def collect_running(**options: Any) -> Facts:
    """Facts of the interpreter running keras-doctor, probed in-process."""
    from keras_doctor.facts import probe as probe_module

    answer = probe_module.probe()
    # The doctor's own script folder is sys.path[0] here; a user's `python` would have the working
    # directory there instead, which is what shadowing must look at.
    answer["sys_path"] = ["", *answer["sys_path"][1:]]
    return facts_from_probe(answer, "running", sys.executable, **options)


def probe_source() -> str:
    return (Path(__file__).with_name("probe.py")).read_text(encoding="utf-8")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def run_probe(executable: str) -> Dict[str, Any]:
    import subprocess

    if not os.path.exists(executable):
        raise TargetError(f"no interpreter at {executable}")
    if os.path.isdir(executable) or not os.access(executable, os.X_OK):
        raise TargetError(f"{executable} is not an executable interpreter")
    try:
        returncode, stdout, stderr = _run_bounded([executable, "-c", probe_source()],
                                                  PROBE_TIMEOUT, PROBE_OUTPUT_LIMIT)
    except subprocess.TimeoutExpired as exc:
        raise TargetError(f"{executable} did not answer within {PROBE_TIMEOUT:.0f} s") from exc
    except OSError as exc:
        raise TargetError(f"{executable} does not run: {exc.strerror or exc}") from exc
    if len(stdout) > PROBE_OUTPUT_LIMIT:
        raise TargetError(f"{executable} printed more than {PROBE_OUTPUT_LIMIT >> 20} MB: "
                          "not a Python interpreter keras-doctor can read")
    if returncode != 0:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise TargetError(
            f"{executable} failed to run the probe (exit {returncode}): {tail[0][:300]}"
        )
    try:
        answer = loads_json(stdout.decode("utf-8"))
    except ValueError as exc:  # not UTF-8, not JSON, or nested past any real answer
        raise TargetError(
            f"{executable} is not a Python interpreter keras-doctor can read"
        ) from exc
    problem = probe_answer_problem(answer)
    if problem:
        raise TargetError(f"{executable} gave an unexpected probe answer: {problem}")
    checked: Dict[str, Any] = answer  # probe_answer_problem has checked its shape
    return checked


_STR, _INT, _BOOL, _STRS, _STR_MAP = "a string", "an integer", "true or false", \
    "a list of strings", "an object of strings"
# What facts_from_probe reads from the probe's answer, and the shape each value must have.
_PROBE_REQUIRED = {"version": _STR, "prefix": _STR, "base_prefix": _STR, "sys_path": _STRS}
_PROBE_OPTIONAL = {
    "implementation": _STR, "executable": _STR, "executable_realpath": _STR,
    "base_executable": _STR, "bits": _INT, "site_packages": _STRS, "user_site": _STR,
    "user_site_enabled": _BOOL, "cwd": _STR, "system": _STR, "release": _STR, "machine": _STR,
    "libc": _STR, "platform_tag": _STR, "ext_suffix": _STR, "stdlib": _STR,
    "marker_environment": _STR_MAP, "env": _STR_MAP, "cpu": "an object", "ssl": "an object",
}
_PROBE_CPU = {"apple_silicon": _BOOL, "rosetta_translated": _BOOL, "cpu_brand": _STR,
              "os_version": _STR, "cpu_flags": _STRS, "error": _STR}


def _has_shape(value: Any, shape: str) -> bool:
    if shape == _STR:
        return isinstance(value, str)
    if shape == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if shape == _BOOL:
        return isinstance(value, bool)
    if shape == _STRS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if shape == _STR_MAP:
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, dict)


def probe_answer_problem(answer: Any) -> Optional[str]:
    """Why `answer` is not what the probe prints (an interpreter that is not really Python, or a
    wrapper that prints something else), or None when every value has the shape it must have."""
    if not isinstance(answer, dict):
        return "not a JSON object"
    for key, shape in _PROBE_REQUIRED.items():
        if key not in answer:
            return f"no {key!r}"
        if not _has_shape(answer[key], shape):
            return f"{key!r} is not {shape}"
    for key, shape in _PROBE_OPTIONAL.items():
        if answer.get(key) is not None and not _has_shape(answer[key], shape):
            return f"{key!r} is not {shape}"
    for key, shape in _PROBE_CPU.items():
        value = (answer.get("cpu") or {}).get(key)
        if value is not None and not _has_shape(value, shape):
            return f"'cpu.{key}' is not {shape}"
    ssl = answer.get("ssl") or {}
    if any(isinstance(v, (list, dict)) for v in ssl.values()):
        return "'ssl' holds nested values"
    problem = python_version_problem(answer["version"])
    return f"'version': {problem}" if problem else None


def _run_bounded(argv: List[str], timeout: float, limit: int) -> Tuple[int, bytes, bytes]:
    """Run `argv` with no input and keep at most `limit` + 1 bytes of each output stream.

    An executable that prints without end is stopped once it passes the limit, instead of filling
    memory for the whole timeout; one that hangs is killed at the timeout (TimeoutExpired).
    """
    import subprocess
    import threading

    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    outputs = (bytearray(), bytearray())

    def drain(pipe: Any, kept: bytearray) -> None:
        while True:
            try:
                chunk = pipe.read1(1 << 16)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            kept.extend(chunk[: limit + 1 - len(kept)])
            if len(kept) > limit:
                proc.kill()
                return

    readers = [threading.Thread(target=drain, args=(pipe, kept), daemon=True)
               for pipe, kept in zip((proc.stdout, proc.stderr), outputs)]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    try:
        # A reader ends when the child closes its output, which it does as it exits: joining one
        # answers at once, where Popen.wait(timeout) polls with sleeps of up to 50 ms.
        while proc.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise subprocess.TimeoutExpired(argv, timeout)
            reading = [reader for reader in readers if reader.is_alive()]
            if not reading:
                proc.wait(remaining)
                break
            reading[0].join(min(remaining, 0.05))
        returncode = proc.wait()
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    finally:
        deadline = time.monotonic() + 2.0
        for reader, pipe in zip(readers, (proc.stdout, proc.stderr)):
            # A child's own children (a wrapper's background process) may hold the pipes open:
            # give them a moment, never their lifetime. Closing a pipe that a reader is blocked
            # on would wait for that reader, so such a pipe is left to the daemon thread.
            reader.join(max(0.0, deadline - time.monotonic()))
            if pipe is not None and not reader.is_alive():
                pipe.close()
    return returncode, bytes(outputs[0]), bytes(outputs[1])


def collect_python(executable: str, **options: Any) -> Facts:
    """Facts of another interpreter: it runs the stdlib-only probe; the rest is read here. The
    target's path is absolute (symlinks kept: a virtualenv's python is one), so reports and the
    commands they print name the same interpreter from any directory."""
    return facts_from_probe(run_probe(executable), "python", os.path.abspath(executable),
                            **options)


def collect_path(site_dir: str, platform: str, python_version: str) -> Facts:
    """Facts of a site-packages folder built for a stated platform and Python version."""
    if platform not in PLATFORMS:
        raise TargetError(
            f"unknown platform {platform!r}; choose one of: {', '.join(PLATFORMS)}"
        )
    if not os.path.isdir(site_dir):
        raise TargetError(f"no folder at {site_dir}")
    parts = python_version.split(".")
    if (len(parts) < 2 or not all(p.isdigit() for p in parts)
            or python_version_problem(python_version)):
        raise TargetError(f"--python-version must look like 3.11 (a Python 2 or 3 version), "
                          f"not {python_version!r}")
    system, arch = PLATFORMS[platform]
    site_dir = os.path.abspath(site_dir)
    errors: List[str] = []
    nothing: Tuple[List[Distribution], List[Leftover]] = ([], [])
    dists, leftovers = _guarded(errors, "installed distributions", nothing,
                                lambda: distributions.scan([site_dir], errors))
    full = python_version if len(parts) > 2 else python_version + ".0"
    markers = stated_marker_environment(system, arch, full)
    return Facts(
        target=Target(mode="path", platform=platform, python_version=python_version,
                      path=site_dir),
        platform=PlatformFacts(system=system, machine=arch),
        interpreter=InterpreterFacts(
            version=full,
            running_arch=arch,
            sys_path=[site_dir],
            site_packages=[site_dir],
            marker_environment=markers,
            installers={},
        ),
        distributions=dists,
        leftovers=leftovers,
        binaries=_guarded(errors, "binaries", [],
                          lambda: binaries.scan([site_dir], dists, errors)),
        errors=errors,
        collected_at=_now(),
        doctor_version=__version__,
    )


def stated_marker_environment(system: str, arch: str, version: str) -> Dict[str, str]:
    machine = {"Darwin": arch, "Linux": "aarch64" if arch == "arm64" else arch,
               "Windows": {"x86_64": "AMD64", "i386": "x86"}.get(arch, "ARM64")}[system]
    return {
        "implementation_name": "cpython",
        "implementation_version": version,
        "os_name": "nt" if system == "Windows" else "posix",
        "platform_machine": machine,
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": version,
        "platform_python_implementation": "CPython",
        "python_version": ".".join(version.split(".")[:2]),
        "sys_platform": {"Darwin": "darwin", "Linux": "linux", "Windows": "win32"}[system],
    }


def load_facts(path: str) -> Facts:
    """Read a facts file written by `keras-doctor facts` (`-` for stdin).

    The file may come from anywhere, so it is read up to a size no real snapshot reaches, must be
    UTF-8 JSON nested no deeper than the schema, and must match the schema value by value.
    A FIFO is allowed here (`--facts <(ssh mac keras-doctor facts)`): the user named it.
    """
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(FACTS_FILE_LIMIT + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(FACTS_FILE_LIMIT + 1)
    except OSError as exc:
        raise TargetError(f"cannot read facts file {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a NUL byte in the path
        raise TargetError(f"cannot read facts file {path!r}: {exc}") from exc
    if len(raw) > FACTS_FILE_LIMIT:
        raise TargetError(f"{path} is larger than {FACTS_FILE_LIMIT >> 20} MB: not a facts file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TargetError(f"{path} is not UTF-8 text (byte {exc.start}): not a facts file") from exc
    try:
        data = loads_json(text, FACTS_DEPTH_LIMIT)
    except ValueError as exc:
        raise TargetError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise TargetError(f"{path} is not a keras-doctor facts document")
    from keras_doctor.facts.model import FactsFormatError

    try:
        facts = Facts.from_dict(data)
    except FactsFormatError as exc:
        raise TargetError(f"{path}: {exc}") from exc
    return facts
