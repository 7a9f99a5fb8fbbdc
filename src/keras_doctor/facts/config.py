"""Read the configuration that steers Keras and the installers: variables, keras.json, PATH,
kernels.

Keras 3 picks its backend from `KERAS_BACKEND`, else from `$KERAS_HOME/keras.json` (default
`~/.keras/keras.json`); `pip` and `python` first on PATH, and the interpreters Jupyter kernels
start, tell whether installs land where the code runs.
"""

from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional

from keras_doctor.facts.bounded_read import (
    CONFIG_LIMIT,
    loads_json,
    read_regular_file,
    read_regular_head,
)
from keras_doctor.facts.model import ConfigFacts, KerasConfig, KernelSpec, PathTool

_SETTINGS = (
    "KERAS_BACKEND", "KERAS_HOME", "TF_USE_LEGACY_KERAS", "PYTHONPATH", "PYTHONHOME",
    "PYTHONNOUSERSITE", "VIRTUAL_ENV", "CONDA_PREFIX", "TF_CPP_MIN_LOG_LEVEL",
    "TF_ENABLE_ONEDNN_OPTS", "CUDA_VISIBLE_DEVICES", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE", "PIP_REQUIRE_VIRTUALENV",
)
# how pip and urllib reach the index and the download hosts (credentials are never kept)
PROXY_URL_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy",
                  "all_proxy", "PIP_PROXY", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")
CONFIG_VARS = (*_SETTINGS, *PROXY_URL_VARS, "NO_PROXY", "no_proxy")
PATH_TOOLS = ("python", "python3", "pip", "pip3", "jupyter", "uv")


def without_credentials(value: str) -> str:
    """A proxy or index URL with its user and password replaced: facts are shared in reports."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    host_part, slash, path = rest.partition("/")
    if "@" in host_part:
        host_part = "***@" + host_part.rsplit("@", 1)[1]
    return f"{scheme}{sep}{host_part}{slash}{path}"


def config_env(env: Dict[str, str]) -> Dict[str, str]:
    return {k: without_credentials(env[k]) if k in PROXY_URL_VARS else env[k]
            for k in CONFIG_VARS if k in env}


def keras_home(env: Dict[str, str]) -> str:
    if env.get("KERAS_HOME"):
        return env["KERAS_HOME"]
    return os.path.join(env.get("HOME") or os.path.expanduser("~"), ".keras")


def read_keras_json(home: str) -> KerasConfig:
    path = os.path.join(home, "keras.json")
    try:
        raw = read_regular_file(path, CONFIG_LIMIT)
    except FileNotFoundError:
        return KerasConfig(path=path, exists=False)
    except OSError as exc:
        if not os.path.lexists(path):
            return KerasConfig(path=path, exists=False)
        return KerasConfig(path=path, exists=True, error=f"unreadable: {exc.strerror or exc}")
    try:
        content = loads_json(raw.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is one
        return KerasConfig(path=path, exists=True, error=f"invalid JSON: {exc}")
    if not isinstance(content, dict):
        return KerasConfig(path=path, exists=True, error="invalid: not a JSON object")
    return KerasConfig(path=path, exists=True, content=content)


def shebang_interpreter(path: str) -> Optional[str]:
    """The interpreter a console script starts: `#!`, or pip's `exec` trampoline for long paths."""
    try:
        head = read_regular_head(path, 512).decode("utf-8", "replace")
    except OSError:
        return None
    if not head.startswith("#!"):
        return None
    lines = head.splitlines()
    first = lines[0][2:].strip()
    if first in ("/bin/sh", "/bin/bash") and len(lines) > 1 and "exec" in lines[1]:
        parts = lines[1].split('"')
        return parts[1] if len(parts) > 2 else None
    interpreter = first.split()[0] if first else None
    if interpreter and interpreter.endswith("/env") and len(first.split()) > 1:
        return first.split()[1]
    return interpreter


def _which_all(name: str, path_var: str) -> Optional[str]:
    suffixes = (".exe", ".bat", ".cmd", "") if sys.platform == "win32" else ("",)
    for folder in path_var.split(os.pathsep):
        if not folder:
            continue
        for suffix in suffixes:
            candidate = os.path.join(folder, name + suffix)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def path_tools(path_var: str) -> List[PathTool]:
    tools = []
    for name in PATH_TOOLS:
        found = _which_all(name, path_var)
        if found:
            script = name.startswith(("pip", "jupyter"))
            interpreter = shebang_interpreter(found) if script else None
            tools.append(PathTool(name=name, path=found, interpreter=interpreter,
                                  environment=environment_of(interpreter if script else found)))
    return tools


def environment_of(executable: Optional[str]) -> Optional[str]:
    """The environment an interpreter path belongs to: its venv folder, else the real binary."""
    if not executable:
        return None
    folder = os.path.dirname(os.path.dirname(executable))
    if os.path.isfile(os.path.join(folder, "pyvenv.cfg")):
        return os.path.realpath(folder)
    return os.path.realpath(executable)


def kernel_dirs(env: Dict[str, str], prefix: Optional[str], system: str = "") -> List[str]:
    """The folders Jupyter takes kernels from, in its order (`jupyter --paths`, data): every
    $JUPYTER_PATH entry, the user's data folder, the environment's, the system's. The user's is
    one folder, as jupyter_core's `jupyter_data_dir` picks it: $JUPYTER_DATA_DIR when set, else
    ~/Library/Jupyter on macOS, %APPDATA%\\jupyter on Windows, $XDG_DATA_HOME/jupyter (default
    ~/.local/share/jupyter) elsewhere. With `system` unknown ("") every OS's user folder is
    searched. (JUPYTER_PLATFORM_DIRS=1, which moves it to platformdirs' folder, is not read.)"""
    home = env.get("HOME") or os.path.expanduser("~")
    dirs = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    linux_like = os.path.join(env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share"),
                              "jupyter")
    mac = os.path.join(home, "Library", "Jupyter")
    windows = os.path.join(env["APPDATA"], "jupyter") if env.get("APPDATA") else \
        os.path.join(home, ".jupyter", "data")
    if env.get("JUPYTER_DATA_DIR"):
        dirs.append(env["JUPYTER_DATA_DIR"])
    elif system == "Darwin":
        dirs.append(mac)
    elif system == "Windows":
        dirs.append(windows)
    elif system:
        dirs.append(linux_like)
    else:
        dirs += [linux_like, mac] + ([windows] if env.get("APPDATA") else [])
    if prefix:
        dirs.append(os.path.join(prefix, "share", "jupyter"))
    dirs += ["/usr/local/share/jupyter", "/usr/share/jupyter"]
    return [os.path.join(d, "kernels") for d in dirs]


def kernel_argv0(path: str) -> Optional[str]:
    """The program a kernel.json starts; ValueError (or OSError) saying why it cannot be read.

    Jupyter requires `argv` to be a non-empty list of strings; anything else it refuses to start.
    """
    spec = loads_json(read_regular_file(path, CONFIG_LIMIT).decode("utf-8"))
    if not isinstance(spec, dict):
        raise ValueError("not a JSON object")
    argv = spec.get("argv")
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise ValueError("`argv` is not a non-empty list of strings")
    return argv[0] or None


def kernel_specs(env: Dict[str, str], prefix: Optional[str],
                 notes: Optional[List[str]] = None, system: str = "") -> List[KernelSpec]:
    """Jupyter kernels, first of each name; one that cannot be read is left out and noted."""
    specs = []
    seen = set()
    for folder in kernel_dirs(env, prefix, system):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name, "kernel.json")
            if name in seen or not os.path.lexists(path):
                continue
            seen.add(name)
            try:
                argv0 = kernel_argv0(path)
            except FileNotFoundError:
                continue  # a dangling link: Jupyter does not list it either
            except (OSError, ValueError) as exc:
                if notes is not None:
                    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                    notes.append(f"could not read Jupyter kernel {name!r} ({path}): {reason}")
                continue
            exists = os.path.exists(argv0) if argv0 and os.path.isabs(argv0) else None
            specs.append(KernelSpec(name=name, path=path, argv0=argv0, argv0_exists=exists))
    return specs


def read_config(env: Dict[str, str], prefix: Optional[str],
                notes: Optional[List[str]] = None, cwd: Optional[str] = None,
                system: str = "") -> ConfigFacts:
    """The configuration facts; what could be read only in part is added to `notes`. `cwd`: the
    working directory whose scripts' TensorFlow names and model files are read (`facts.scripts`);
    `system`: the OS, whose settings that decide installs are read (`facts.windows`)."""
    from keras_doctor.facts.conda import hdf5_records
    from keras_doctor.facts.scripts import model_files, tensorflow_names
    from keras_doctor.facts.windows import long_paths_enabled

    return ConfigFacts(
        env=config_env(env),
        keras_json=read_keras_json(keras_home(env)),
        path_tools=path_tools(env.get("PATH", "")),
        kernel_specs=kernel_specs(env, prefix, notes, system),
        tensorflow_names=tensorflow_names(cwd),
        model_files=model_files(cwd),
        long_paths_enabled=long_paths_enabled(system),
        conda_hdf5=hdf5_records(prefix, notes),
    )
