"""A tiny real environment for the fast suite: a uv venv and two releases of a small wheel.

The wheels are real wheel files (zip, METADATA, WHEEL, RECORD with hashes, a console script), built
here in milliseconds, so real installers (uv, and pip in the slow tests) install, upgrade and
uninstall them offline; release 2.0 adds files, a folder, a second top-level folder and a data file
outside site-packages, and drops one file: the shapes an upgrade has. The environment is built
once per session and copied (hard links) per test.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import envs

from keras_doctor.plan.installers import find_uv

NAME = "tinypkg"


def _files(version: str) -> Dict[str, bytes]:
    files = {
        f"{NAME}/__init__.py": f"__version__ = {version!r}\n\ndef main():\n    print(__version__)\n"
        .encode(),
        f"{NAME}/data/table.txt": (version * 1000).encode(),
    }
    for index in range(12):
        files[f"{NAME}/sub{index % 3}/mod{index}.py"] = f"VALUE = {index}  # {version}\n".encode()
    if version.startswith("1."):
        files[f"{NAME}/legacy.py"] = b"OLD = True\n"
    else:
        files[f"{NAME}/sub0/new_in_2.py"] = b"NEW = True\n"
        files[f"{NAME}/sub3/new_package.py"] = b"NEWER = True\n"
        files[f"{NAME}.libs/libtiny.so.2"] = os.urandom(4096)
        # installed into <prefix>/share/, outside site-packages: only its RECORD line says so
        files[f"{NAME}-{version}.data/data/share/{NAME}/notes.txt"] = b"release notes\n"
    return files


def build_wheel(folder: Path, version: str) -> Path:
    info = f"{NAME}-{version}.dist-info"
    files = dict(_files(version))
    files[f"{info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {version}\n"
                                 "Summary: a tiny test package\n").encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: keras-doctor-tests\n" \
                             b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = f"[console_scripts]\ntiny-cli = {NAME}:main\n".encode()
    rows = [[path, "sha256=" + _digest(data), str(len(data))] for path, data in files.items()]
    rows.append([f"{info}/RECORD", "", ""])
    record = io.StringIO()
    csv.writer(record, lineterminator="\n").writerows(rows)
    files[f"{info}/RECORD"] = record.getvalue().encode()
    wheel = folder / f"{NAME}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheels(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for version in ("1.0", "2.0"):
        build_wheel(folder, version)
    return folder


def make_env(folder: Path, wheel_dir: Path, seed_pip: bool = False) -> Path:
    """A real venv at `folder` with tinypkg 1.0 installed by uv (and pip inside, if asked)."""
    uv = _uv()
    argv = [uv, "venv", "-q", "--python", sys.executable, str(folder)]
    if seed_pip:
        argv.insert(3, "--seed")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True,
             "env": offline_env()}
    subprocess.run(argv, **quiet)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python_of(folder)), "--no-index",
                    "--find-links", str(wheel_dir), f"{NAME}==1.0"], **quiet)
    return folder


def offline_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update({"UV_OFFLINE": "1", "PIP_NO_INDEX": "1", "UV_NO_CACHE": "1"})
    return env


def python_of(env: Path) -> Path:
    return envs.venv_python(env)


def site_packages(env: Path) -> Path:
    found = envs.find_site_packages(env)
    assert found is not None
    return found


def install_argv(installer: str, env: Path, wheel_dir: Path, version: str) -> List[str]:
    python = str(python_of(env))
    if installer == "uv":
        return [_uv(), "pip", "install", "--python", python, "--no-index", "--find-links",
                str(wheel_dir), f"{NAME}=={version}"]
    return [python, "-m", "pip", "install", "--no-index", "--find-links", str(wheel_dir),
            "--disable-pip-version-check", f"{NAME}=={version}"]


def _uv() -> str:
    found: Optional[str] = find_uv()
    assert found, "uv is needed (it is in the [test] extra)"
    return found


def tree_state(root: Path) -> Dict[str, str]:
    """Every entry under `root`: folders, links with their target, files with their sha256."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                state[rel] = "link:" + os.readlink(path)
            elif os.path.isdir(path):
                state[rel] = "dir"
            else:
                state[rel] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
    return state


def tree_difference(before: Dict[str, str], after: Dict[str, str], shown: int = 8) -> str:
    """What differs between two `tree_state`s, a few entries of each kind, for a failure's
    message."""
    parts = []
    for label, names in (("added", sorted(after.keys() - before.keys())),
                         ("removed", sorted(before.keys() - after.keys())),
                         ("changed", sorted(k for k in before.keys() & after.keys()
                                            if before[k] != after[k]))):
        if names:
            parts.append(f"{label} {len(names)}: " + ", ".join(names[:shown]))
    return "; ".join(parts) or "no difference"


def record_violations(site: Path, bytecode: bool = True) -> List[str]:
    """Every file of every distribution whose content differs from its RECORD hash (or is gone);
    `bytecode=False` leaves out `.pyc` files, caches that pip itself may rewrite after hashing."""
    problems = []
    for info in sorted(site.glob("*.dist-info")):
        record = info / "RECORD"
        if not record.exists():
            problems.append(f"{info.name}: no RECORD")
            continue
        for row in csv.reader(record.read_text().splitlines()):
            if len(row) < 2 or not row[1] or (not bytecode and row[0].endswith(".pyc")):
                continue
            algorithm, _, expected = row[1].partition("=")
            path = os.path.normpath(site / row[0])
            try:
                data = Path(path).read_bytes()
            except OSError:
                problems.append(f"{row[0]}: missing")
                continue
            actual = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=")
            if actual.decode() != expected:
                problems.append(f"{row[0]}: differs from RECORD")
    return problems


def copy_env(cached: Path, dest: Path) -> Path:
    """A copy whose files are hard links to the cached ones: change one with `rewrite`, never by
    writing into it, or the cached environment changes too."""
    shutil.copytree(cached, dest, symlinks=True, copy_function=os.link)
    return dest


def rewrite(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text)
