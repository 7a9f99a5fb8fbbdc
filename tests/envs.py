"""Real test environments, built once and cached: uv virtualenvs and foreign site-packages trees.

Every environment is described by a spec (Python version + ordered install steps). Its folder name
is a hash of the spec, so a changed spec builds a new environment and an unchanged one is reused
across runs (only the first run needs the network; uv hard-links from its cache after that).
A failed build leaves nothing behind that looks finished: the marker file is written last.

The cache lives in $KERAS_DOCTOR_TEST_CACHE, else $XDG_CACHE_HOME/keras-doctor-tests, else
~/.cache/keras-doctor-tests of the real user, read before any test swaps HOME for a temporary one.
uv's and pip's caches follow XDG_CACHE_HOME the same way, as uv and pip themselves do.

Each wheel is unpacked once (`unpacked_wheel`) and every foreign site-packages tree is composed from
those folders by hard links, so two trees holding one TensorFlow cost its gigabyte once; a tree
whose tests read only metadata and binary headers (or symbol tables) is hollow, a few megabytes
(`hollow_tree`). Each build prints one line when it starts and one with its size and time when it
ends (`progress`).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from keras_doctor.facts.binaries import is_binary_name
from keras_doctor.facts.binfmt import HEAD_SIZE

REAL_HOME = Path(os.environ.get("HOME", str(Path.home())))
CACHE_HOME = Path(os.environ.get("XDG_CACHE_HOME") or str(REAL_HOME / ".cache"))
CACHE_ROOT = Path(os.environ.get("KERAS_DOCTOR_TEST_CACHE", str(CACHE_HOME / "keras-doctor-tests")))
UV_CACHE_DIR = os.environ.get("UV_CACHE_DIR", str(CACHE_HOME / "uv"))
PIP_CACHE_DIR = os.environ.get("PIP_CACHE_DIR", str(CACHE_HOME / "pip"))
_DONE = ".keras-doctor-fixture-complete"


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# Where build progress goes; tests/conftest.py points it at pytest's terminal, past the capture.
progress: Callable[[str], None] = _to_stderr


class EnvBuildError(RuntimeError):
    pass


def uv_executable() -> str:
    found = shutil.which("uv")
    if found:
        return found
    candidate = Path(sys.executable).with_name("uv")
    if candidate.exists():
        return str(candidate)
    raise EnvBuildError("uv is not installed: pip install uv (it is in the [test] extra)")


def _builder_env() -> dict:
    env = dict(os.environ)
    env["HOME"] = str(REAL_HOME)
    env["UV_CACHE_DIR"] = UV_CACHE_DIR
    env["PIP_CACHE_DIR"] = PIP_CACHE_DIR
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    return env


def _run(argv: Sequence[str], log: Path) -> None:
    with log.open("a") as out:
        out.write("$ " + " ".join(argv) + "\n")
        out.flush()
        proc = subprocess.run(list(argv), stdout=out, stderr=subprocess.STDOUT, env=_builder_env())
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise EnvBuildError(f"command failed ({proc.returncode}): {' '.join(argv)}\n{tail}")


def _cached(kind: str, name: str, spec: dict, build) -> Path:
    # Keyed by the spec alone: tests in different folders that ask for the same environment under
    # different names share one build. The names are recorded beside it, for people reading the
    # cache.
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    root = CACHE_ROOT / kind / digest
    _log_use(root)
    if (root / _DONE).exists():
        _remember_name(root, name)
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(str(root) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / _DONE).exists():
            return root
        if root.exists():
            shutil.rmtree(root)
        _require_free_disk(root.parent)
        root.mkdir()
        log = root / "build.log"
        progress(f"keras-doctor tests: building {kind}/{name} in {root} …")
        started = time.monotonic()
        try:
            build(root, log)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            progress(f"keras-doctor tests: building {kind}/{name} failed (see the test's error)")
            raise
        (root / "spec.json").write_text(json.dumps(spec, indent=2))
        (root / _DONE).write_text("")
        progress(f"keras-doctor tests: built {kind}/{name}: {_megabytes(root):.0f} MB of new "
                 f"files in {time.monotonic() - started:.0f} s")
    _remember_name(root, name)
    return root


# Below this much free space a build could fill the disk halfway, and every later test would fail
# for that one reason: stop the run at once instead, saying so.
MIN_FREE_GB = float(os.environ.get("KERAS_DOCTOR_TEST_MIN_FREE_GB", "3"))


def _require_free_disk(folder: Path) -> None:
    free = shutil.disk_usage(folder).free / 1e9
    if free < MIN_FREE_GB:
        import pytest

        pytest.exit(f"only {free:.1f} GB free where the test environments are cached ({folder}); "
                    f"a build needs at least {MIN_FREE_GB:.0f} GB (KERAS_DOCTOR_TEST_MIN_FREE_GB). "
                    "Free some space or point KERAS_DOCTOR_TEST_CACHE elsewhere.", returncode=3)


def _log_use(root: Path) -> None:
    """With $KERAS_DOCTOR_TEST_CACHE_LOG set, note each cache entry a run uses: `du -shc` over
    them is what that run needs on disk (hard links counted once)."""
    log = os.environ.get("KERAS_DOCTOR_TEST_CACHE_LOG")
    if log:
        with open(log, "a") as out:
            out.write(f"{root}\n")


def _megabytes(root: Path) -> float:
    """Disk taken by the files only this build holds (hard links into shared caches and the holes
    of hollow files cost nothing)."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                info = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if info.st_nlink == 1:
                total += info.st_blocks * 512
    return total / 1e6


def _remember_name(root: Path, name: str) -> None:
    names_file = root / "names.txt"
    try:
        names = set(names_file.read_text().split()) if names_file.exists() else set()
        if name not in names:
            names_file.write_text("\n".join(sorted(names | {name})) + "\n")
    except OSError:
        pass


def venv(
    name: str,
    steps: Sequence[Sequence[str]],
    python: str = "3.11",
    compile_bytecode: bool = False,
    seed: bool = False,
    hollow_over: Sequence[str] = (),
) -> Path:
    """A real virtualenv at `<cache>/venvs/<spec hash>/env`, built by `uv venv` + `uv pip install`.

    Each step is the argument list of one `uv pip install` (so `["--no-deps", "numpy==2.1.3"]`
    forces a version past the resolver, the way users break environments). Returns the venv folder.

    Bytecode is written only with `compile_bytecode=True`: it is the one part of a venv uv cannot
    hard-link from its cache (~80 MB per TensorFlow venv), and most environments are only read by
    the doctor, never imported. Ask for it where a test imports the patient under a timeout
    (verify); elsewhere Python writes what an import needs, once, on first use.

    `hollow_over` lays more real wheels (`name==version`, built for this machine) over the installed
    packages afterwards, file by file, the way `uv pip install --no-deps` of a second build of the
    same package overwrites the first one's files: for an environment whose tests read only that
    build's metadata and headers, or uninstall it, never import it (`hollow_tree`).
    """
    spec = {"python": python, "steps": [list(s) for s in steps], "compile": compile_bytecode,
            "seed": seed}
    if hollow_over:
        spec["hollow_over"] = list(hollow_over)

    def build(root: Path, log: Path) -> None:
        uv = uv_executable()
        env_dir = root / "env"
        argv = [uv, "venv", "-q", "--python", python, str(env_dir)]
        if seed:
            argv.insert(3, "--seed")
        _run(argv, log)
        py = venv_python(env_dir)
        for step in steps:
            argv = [uv, "pip", "install", "-q", "--python", str(py)]
            if compile_bytecode:
                argv.append("--compile-bytecode")
            _run(argv + list(step), log)
        site = find_site_packages(env_dir)
        for pin in hollow_over:
            assert site is not None
            first, *older = host_platform_tags()
            overlay_files(unpacked_wheel(pin, first, python, older, hollow="headers"), site,
                          venv_python(env_dir).parent)

    return _cached("venvs", name, spec, build) / "env"


def host_platform_tags() -> List[str]:
    """The wheel platform tags this machine accepts, most specific first, as pip needs them for
    `--platform` (it does not widen manylinux_2_36 down to a manylinux_2_27 wheel by itself)."""
    from packaging.tags import sys_tags

    platforms = list(dict.fromkeys(tag.platform for tag in sys_tags()))
    return [p for p in platforms if not p.startswith("linux_")] or platforms


def overlay_files(source: Path, site: Path, scripts: Path) -> None:
    """Hard-link every file of an unpacked wheel into `site`, replacing files of the same name,
    keeping the rest: what installing a wheel over another does. The scripts pip wrote for
    `--target` into `bin/` go to the environment's `scripts` folder, and the RECORD names them there
    as an installer into that environment would. A replaced file is unlinked first, so the uv cache
    it was linked from stays whole."""
    pip_scripts = "../../bin/"  # how `pip install --target` records them
    for folder, _dirs, files in os.walk(source):
        rel = Path(folder).relative_to(source)
        into = scripts.joinpath(*rel.parts[1:]) if rel.parts[:1] == ("bin",) else site / rel
        into.mkdir(parents=True, exist_ok=True)
        for name in files:
            target = into / name
            if target.exists() or target.is_symlink():
                target.unlink()
            if name == "RECORD" and rel.name.endswith(".dist-info"):
                here = os.path.relpath(scripts, site).replace(os.sep, "/") + "/"
                lines = Path(folder, name).read_text().splitlines(keepends=True)
                target.write_text("".join(here + line[len(pip_scripts):]
                                          if line.startswith(pip_scripts) else line
                                          for line in lines))
            else:
                os.link(os.path.join(folder, name), target)


def bare_venv(dest: Path) -> Tuple[Path, Path]:
    """A virtualenv without pip at `dest` (offline, in a fraction of a second): python, purelib."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(dest)], check=True)
    python = dest / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return python, Path(purelib)


def venv_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@functools.cache
def instrumented_runtime() -> Tuple[str, ...]:
    """What an installation of this checkout's keras-doctor needs beyond its own dependencies:
    nothing, unless the tests run on mutation testing's instrumented copy (mutmut's `mutants/`
    folder, see CONTRIBUTING.md), whose modules import mutmut's trampoline. Then mutmut itself,
    at the version running here; the trampoline imports nothing else of it, so it is installed
    without its dependencies. The copy installed elsewhere then imports, and a mutant named in
    MUTANT_UNDER_TEST switches on in it too."""
    import importlib.metadata

    import keras_doctor

    package = Path(keras_doctor.__file__).parent
    if not any("from mutmut." in path.read_text(encoding="utf-8")
               for path in package.rglob("*.py")):
        return ()
    return (f"mutmut=={importlib.metadata.version('mutmut')}",)


def install_instrumented_runtime(python: Path) -> None:
    """Give an interpreter that runs this checkout's keras-doctor what `instrumented_runtime`
    says it needs (nothing, outside mutation testing)."""
    needed = instrumented_runtime()
    if needed:
        subprocess.run([uv_executable(), "pip", "install", "-q", "--no-deps", "--python",
                        str(python), *needed], check=True, env=_builder_env(), timeout=600)
        # and the startup line through which a whole-suite mutation run learns what it calls
        # (inert without that run's variables; tests/mutation_children.py)
        import mutation_children

        purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                                  "print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        mutation_children.install_pth(purelib)


def require_instrumentable_python(version: str) -> None:
    """Skip, saying why, a test that would run this checkout's keras-doctor on a Python that
    mutmut (3.10 and later) does not support, when the checkout is mutmut's instrumented copy."""
    import pytest

    if instrumented_runtime() and tuple(map(int, version.split("."))) < (3, 10):
        pytest.skip(f"mutation testing's instrumented copy imports mutmut, which Python "
                    f"{version} cannot run")


def unpacked_wheel(pin: str, platform_tag: str, python_version: str,
                   more_tags: Sequence[str] = (), hollow: str = "") -> Path:
    """One real wheel (`name==version`) laid out alone for another platform, built once and cached.

    `pip install --no-deps --only-binary=:all: --platform TAG --python-version X.Y --target DIR`.
    Trees are composed from these folders by hard links (`compose_tree`), so every tree that holds
    this wheel shares its files. `more_tags` widens what pip accepts without changing the cache key.
    `hollow` ("headers" or "symbols", see `hollow_tree`) keeps only the bytes a test reads; it is
    part of the spec, so a hollow wheel never stands in for a whole one.
    """
    spec: dict = {"pin": pin, "platform": platform_tag, "python": python_version}
    if hollow:
        spec["hollow"] = HOLLOW_LAYOUTS[hollow]

    def build(root: Path, log: Path) -> None:
        argv = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--only-binary=:all:",
                "--no-compile", "--disable-pip-version-check", "--implementation", "cp",
                "--python-version", python_version, "--target", str(root / "site-packages")]
        for tag in (platform_tag, *more_tags):
            argv += ["--platform", tag]
        _run([*argv, pin], log)
        if hollow:
            hollow_tree(root / "site-packages", symbols=hollow == "symbols")

    return _cached("unpacked", pin, spec, build) / "site-packages"


# -- hollow trees ----------------------------------------------------------------------------------
# A macOS TensorFlow wheel unpacks to ~1 GB, and the tests that lay one out read only its metadata
# and its binaries' headers (check --path), or those plus the binaries' symbols (the Mach-O
# linkage tests). A hollow tree keeps every file's name and size but only those bytes: the rest of
# each file is a hole in a sparse file, which costs no disk and reads as zeros. tests/test_envs.py
# proves on a real wheel that check's facts and the symbol readers see no difference.

HEAD_BYTES = HEAD_SIZE  # what check reads first of every binary
_MACHO = {b"\xfe\xed\xfa\xce": (">", 28), b"\xce\xfa\xed\xfe": ("<", 28),
          b"\xfe\xed\xfa\xcf": (">", 32), b"\xcf\xfa\xed\xfe": ("<", 32)}
_FAT = {b"\xca\xfe\xba\xbe": 20, b"\xca\xfe\xba\xbf": 32}
_LC_SYMTAB, _LC_DYSYMTAB = 0x2, 0xB
# What each kind of hollow tree keeps, as named in the cache keys: a tree hollowed another way is
# never reused for it.
HOLLOW_LAYOUTS = {"headers": "headers",
                  "symbols": "symbols: export trie, and the table's undefined names where one is"}
_LC_DYLD_INFO, _LC_DYLD_INFO_ONLY, _LC_DYLD_EXPORTS_TRIE = 0x22, 0x80000022, 0x80000033


def _macho_ranges(read: Callable[[int, int], bytes], base: int,
                  symbols: bool) -> List[Tuple[int, int]]:
    """(offset, length) of the header and load commands of the Mach-O image at `base`, and with
    `symbols` what the symbol readers (facts/macho_symbols.py) read: the export trie, and the
    symbol table with its strings. Where a trie gives the exports, the table is read for the
    imports only, so only its undefined entries and their names are kept (a TensorFlow library's
    string table is mostly the names its trie already holds: three quarters of the tree)."""
    head = read(base, 32)
    if head[:4] not in _MACHO:
        return []
    order, header_size = _MACHO[head[:4]]
    ncmds, sizeofcmds = struct.unpack(order + "II", head[16:24])
    ranges = [(base, header_size + sizeofcmds)]
    if not symbols:
        return ranges
    commands, at = read(base + header_size, sizeofcmds), 0
    symtab = undefined = trie = None
    for _ in range(ncmds):
        if at + 8 > len(commands):
            break
        cmd, cmdsize = struct.unpack(order + "II", commands[at:at + 8])
        body = commands[at:at + max(cmdsize, 8)]
        if cmd == _LC_SYMTAB and len(body) >= 24:
            symtab = struct.unpack(order + "4I", body[8:24])
        elif cmd == _LC_DYSYMTAB and len(body) >= 32:
            undefined = struct.unpack(order + "2I", body[24:32])  # iundefsym, nundefsym
        elif cmd in (_LC_DYLD_INFO, _LC_DYLD_INFO_ONLY) and len(body) >= 48:
            trie = struct.unpack(order + "2I", body[40:48])
        elif cmd == _LC_DYLD_EXPORTS_TRIE and len(body) >= 16:
            trie = struct.unpack(order + "2I", body[8:16])
        if cmdsize < 8:
            break
        at += cmdsize
    if trie and trie[1]:
        ranges.append((base + trie[0], trie[1]))
    if symtab is None:
        return ranges
    symoff, nsyms, stroff, strsize = symtab
    entry = 16 if header_size == 32 else 12
    if not (trie and trie[1] and undefined):
        return [*ranges, (base + symoff, nsyms * entry), (base + stroff, strsize)]
    first, count = undefined
    table = read(base + symoff + first * entry, count * entry)
    ranges.append((base + symoff + first * entry, len(table)))
    for row in range(len(table) // entry):
        (strx,) = struct.unpack(order + "I", table[row * entry:row * entry + 4])
        if strx < strsize:
            ranges.append((base + stroff + strx, _string_length(read, base + stroff + strx,
                                                                 strsize - strx)))
    return ranges


def _string_length(read: Callable[[int, int], bytes], offset: int, limit: int) -> int:
    """Bytes of the NUL-terminated string at `offset` (its NUL included), at most `limit`."""
    length, chunk = 0, 256
    while length < limit:
        data = read(offset + length, min(chunk, limit - length))
        end = data.find(b"\0")
        if end >= 0 or not data:
            return length + (end + 1 if end >= 0 else 0)
        length += len(data)
        chunk *= 4
    return limit


def _binary_ranges(read: Callable[[int, int], bytes], symbols: bool) -> List[Tuple[int, int]]:
    ranges = [(0, HEAD_BYTES)]
    magic = read(0, 4)
    if magic in _FAT:
        entry = _FAT[magic]
        (count,) = struct.unpack(">I", read(4, 4))
        table = read(8, entry * min(count, 64))
        ranges.append((0, 8 + len(table)))
        for row in (table[i:i + entry] for i in range(0, len(table), entry)):
            offset = struct.unpack(">Q" if entry == 32 else ">I",
                                   row[8:16] if entry == 32 else row[8:12])[0]
            ranges += _macho_ranges(read, offset, symbols)
    else:
        ranges += _macho_ranges(read, 0, symbols)
    return ranges


def hollow_file(path: str, symbols: bool) -> None:
    """Rewrite `path` as a sparse file of the same size holding only what readers touch: for a
    binary its first bytes and Mach-O load commands (and with `symbols` its __LINKEDIT), for any
    other file nothing. A new file replaces the old, so a hard-linked original is left whole."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size

        def read(offset: int, length: int) -> bytes:
            handle.seek(offset)
            return handle.read(length)

        pieces = ([(offset, read(offset, length))
                   for offset, length in _binary_ranges(read, symbols) if offset < size]
                  if is_binary_name(os.path.basename(path)) else [])
    os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        for offset, data in pieces:
            os.pwrite(fd, data, offset)
        os.ftruncate(fd, size)
    finally:
        os.close(fd)


def hollow_tree(site: Path, symbols: bool) -> None:
    """Hollow every file of `site` outside its .dist-info folders (`hollow_file`)."""
    for folder, _dirs, files in os.walk(site):
        top = Path(folder).relative_to(site).parts[:1]
        if top and top[0].endswith((".dist-info", ".egg-info")):
            continue
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                hollow_file(path, symbols)



def compose_tree(dest: Path, folders: Sequence[Path]) -> Path:
    """Hard-link each unpacked folder into `dest`, in order. Like `pip install --target --upgrade`,
    a later folder's top-level entry replaces an earlier one of the same name as a whole."""
    dest.mkdir(parents=True, exist_ok=True)
    for source in folders:
        for entry in sorted(os.listdir(source)):
            target = dest / entry
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            if (source / entry).is_dir():
                shutil.copytree(source / entry, target, symlinks=True, copy_function=os.link)
            else:
                os.link(source / entry, target)
    return dest


def target_tree(
    name: str,
    requirements: Sequence[str],
    platform_tag: str,
    python_version: str = "3.11",
    extra_trees: Sequence[tuple] = (),
    hollow: str = "",
) -> Path:
    """A real site-packages folder for another platform, laid out by pip from real PyPI wheels.

    Each pinned requirement is one `unpacked_wheel`, hard-linked into the tree in order.
    `extra_trees` = [(platform_tag, [requirements])] adds more packages to the same folder for
    another platform: the way an x86_64 package gets mixed into an arm64 tree. `hollow` keeps of
    each wheel only the bytes a test reads (`unpacked_wheel`).
    """
    spec = {"requirements": list(requirements), "platform": platform_tag,
            "python": python_version, "extra": [[t, list(r)] for t, r in extra_trees],
            "layout": "hard-linked unpacked wheels"}
    if hollow:
        spec["hollow"] = HOLLOW_LAYOUTS[hollow]

    def build(root: Path, log: Path) -> None:
        folders = [unpacked_wheel(pin, tag, python_version, hollow=hollow)
                   for tag, reqs in [(platform_tag, requirements), *extra_trees] for pin in reqs]
        compose_tree(root / "site-packages", folders)

    return _cached("trees", name, spec, build) / "site-packages"


def copy_tree(src: Path, dst: Path) -> Path:
    """A private, writable copy of a cached environment for a test that breaks or fixes it.

    Hard links where possible (cheap, like uv); files a test rewrites must be replaced, not edited
    in place, or the cached original changes too: use `make_private(path)` before writing.
    """
    shutil.copytree(src, dst, symlinks=True, copy_function=os.link)
    return dst


def make_private(path: Path) -> None:
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)


def find_site_packages(env_dir: Path) -> Optional[Path]:
    found = sorted(env_dir.glob("lib/python*/site-packages"))
    return found[0] if found else None


def find_python(version: str) -> Optional[str]:
    """An installed CPython `version` ("3.7"), wherever this machine keeps it.

    Asked of uv first (PATH and uv's own installs), then pyenv's versions folder ($PYENV_ROOT, else
    ~/.pyenv), then `python3.7` on PATH; finally uv is asked to install it (Python 3 only).
    """
    uv = uv_executable()
    found = subprocess.run([uv, "python", "find", "--no-project", version], capture_output=True,
                           text=True, env=_builder_env())
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.strip()
    pyenv = Path(os.environ.get("PYENV_ROOT", str(REAL_HOME / ".pyenv"))) / "versions"
    major = version.split(".")[0]
    candidates = sorted(pyenv.glob(f"{version}.*/bin/python{version}"),
                        key=lambda p: int(p.parts[-3].split(".")[2]) if
                        p.parts[-3].split(".")[2].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    on_path = shutil.which(f"python{version}")
    if on_path:
        return on_path
    if major == "3":
        installed = subprocess.run([uv, "python", "install", version], capture_output=True,
                                   text=True, env=_builder_env())
        if installed.returncode == 0:
            again = subprocess.run([uv, "python", "find", "--no-project", version],
                                   capture_output=True, text=True, env=_builder_env())
            if again.returncode == 0 and again.stdout.strip():
                return again.stdout.strip()
    return None


def require_python(version: str) -> str:
    """`find_python(version)`, or stop the test: a failure under CI (which must run every test),
    a skip that says how to get the interpreter elsewhere."""
    import pytest

    found = find_python(version)
    if found:
        return found
    message = (f"no Python {version} on this machine and uv could not install one; install it "
               f"(pyenv install {version}, or `uv python install {version}`) to run this test")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
