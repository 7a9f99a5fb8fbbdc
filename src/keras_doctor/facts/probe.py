"""What only the target interpreter itself can tell: its paths, version, markers and CPU view.

This module is also a script: `keras-doctor --python PATH` runs its source under that interpreter
(`PATH -c <source>`) and reads one JSON document from stdout. So it imports nothing outside the
standard library, never imports from site-packages, and runs on Python 3.7+ (no walrus, no
`list[str]` at run time). Everything else (metadata, binaries, caches) the doctor reads statically
in its own process, the way pipdeptree inspects another interpreter.

Rosetta translation is a property of a process, so it is read here, in the target's own process,
through `sysctlbyname` — never by spawning `sysctl`, which could run under another architecture.
"""

import sys

_ORIGINAL_SYS_PATH = list(sys.path)
if __name__ == "__main__":
    # Run with -c, the working directory is first on sys.path: a user's json.py or platform.py there
    # must not replace the standard library modules this probe needs.
    sys.path[:] = [p for p in sys.path if p not in ("", ".")]

import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402

MYPY = False
if MYPY:  # names for the type comments below; the probe itself never imports typing
    from typing import Any, Dict, Optional, Union  # noqa: F401

ENV_VARS = (
    "KERAS_BACKEND", "KERAS_HOME", "TF_USE_LEGACY_KERAS", "PYTHONPATH", "PYTHONHOME",
    "PYTHONNOUSERSITE", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "PATH", "HOME",
    "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "CUDA_VISIBLE_DEVICES", "SSL_CERT_FILE",
    "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "PIP_CACHE_DIR", "UV_CACHE_DIR", "XDG_CACHE_HOME",
    "LOCALAPPDATA", "APPDATA", "PIP_REQUIRE_VIRTUALENV", "JUPYTER_PATH", "JUPYTER_DATA_DIR",
)

# CPU features that decide whether a TensorFlow build can run at all.
CPU_FLAGS = ("avx", "avx2", "fma", "avx512f", "sse4_1", "sse4_2", "f16c")


_DARWIN_FLAG_SYSCTLS = (
    ("avx", "hw.optional.avx1_0"), ("avx2", "hw.optional.avx2_0"),
    ("avx512f", "hw.optional.avx512f"), ("fma", "hw.optional.fma"),
    ("sse4_1", "hw.optional.sse4_1"), ("sse4_2", "hw.optional.sse4_2"),
    ("f16c", "hw.optional.f16c"),
)


def _sysctl(name, kind):
    # type: (str, str) -> Union[int, str, None]
    """Read one sysctl of this process with sysctlbyname; None when absent (e.g. on Intel Macs)."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.dylib", use_errno=True)
    if kind == "int":
        value = ctypes.c_int(0)
        size = ctypes.c_size_t(ctypes.sizeof(value))
        if libc.sysctlbyname(name.encode(), ctypes.byref(value), ctypes.byref(size), None, 0):
            return None
        return value.value
    size = ctypes.c_size_t(0)
    if libc.sysctlbyname(name.encode(), None, ctypes.byref(size), None, 0) or not size.value:
        return None
    buf = ctypes.create_string_buffer(size.value)
    if libc.sysctlbyname(name.encode(), buf, ctypes.byref(size), None, 0):
        return None
    return buf.value.decode("utf-8", "replace")


def _darwin_cpu():
    # type: () -> Dict[str, Any]
    info = {}  # type: Dict[str, Any]
    try:
        arm64 = _sysctl("hw.optional.arm64", "int")
        translated = _sysctl("sysctl.proc_translated", "int")
        info["apple_silicon"] = bool(arm64) if arm64 is not None else False
        info["rosetta_translated"] = bool(translated) if translated is not None else False
        info["cpu_brand"] = _sysctl("machdep.cpu.brand_string", "str")
        info["os_version"] = _sysctl("kern.osproductversion", "str") or platform.mac_ver()[0]
        # Apple's advice for code that may run under Rosetta: ask hw.optional.* in-process. Rosetta
        # answers for the CPU it emulates (no AVX before macOS 15, AVX2 from macOS 15 on).
        flags = set()
        for flag, name in _DARWIN_FLAG_SYSCTLS:
            if _sysctl(name, "int"):
                flags.add(flag)
        features = " ".join(
            str(found) for found in (_sysctl("machdep.cpu.features", "str"),
                                     _sysctl("machdep.cpu.leaf7_features", "str")) if found
        ).lower().replace(".", "_").split()
        flags.update(f for f in features if f in CPU_FLAGS)
        if flags or platform.machine() == "x86_64":
            info["cpu_flags"] = sorted(flags)
        elif platform.machine() == "arm64":
            info["cpu_flags"] = []  # native arm64: the x86 flags do not apply
    except Exception as exc:  # a probe never fails for a missing sysctl
        info["error"] = f"sysctl: {exc}"
    return info


def _linux_cpu():
    # type: () -> Dict[str, Any]
    info = {}  # type: Dict[str, Any]
    try:
        with open("/proc/cpuinfo") as handle:
            block = handle.read(65536).split("\n\n", 1)[0]
        for line in block.splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("flags", "Features"):
                flags = set(value.split())
                info["cpu_flags"] = sorted(f for f in flags if f in CPU_FLAGS)
            elif key in ("model name", "Hardware") and "cpu_brand" not in info:
                info["cpu_brand"] = value.strip()
    except OSError as exc:
        info["error"] = f"/proc/cpuinfo: {exc}"
    try:
        with open("/etc/os-release") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    info["os_version"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return info


def _windows_cpu():
    # type: () -> Dict[str, Any]
    info = {"os_version": platform.version()}  # type: Dict[str, Any]
    try:
        import ctypes

        present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
        flags = []
        for flag, number in (("avx", 39), ("avx2", 40), ("avx512f", 41)):
            if present(number):
                flags.append(flag)
        info["cpu_flags"] = flags
    except Exception as exc:
        info["error"] = f"IsProcessorFeaturePresent: {exc}"
    return info


def _libc():
    # type: () -> Optional[str]
    """glibc's version from confstr: `platform.libc_ver()` reads the whole interpreter binary."""
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or None
    except (AttributeError, ValueError, OSError):
        return None


def _marker_environment():
    # type: () -> Dict[str, str]
    impl = sys.implementation
    iver = f"{impl.version.major}.{impl.version.minor}.{impl.version.micro}"
    if impl.version.releaselevel != "final":
        iver += impl.version.releaselevel[0] + str(impl.version.serial)
    return {
        "implementation_name": impl.name,
        "implementation_version": iver,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def _ssl_paths():
    # type: () -> Dict[str, Any]
    """What `ssl.get_default_verify_paths()` answers, read from `_ssl` as that function does.

    The `ssl` module itself imports `socket` and more, which doubles the cost of this fact.
    """
    try:
        import _ssl

        env_cafile, openssl_cafile, env_capath, openssl_capath = _ssl.get_default_verify_paths()
        cafile_named = os.environ.get(env_cafile, openssl_cafile)
        capath_named = os.environ.get(env_capath, openssl_capath)
        cafile = cafile_named if cafile_named and os.path.isfile(cafile_named) else None
        capath = capath_named if capath_named and os.path.isdir(capath_named) else None
        return {
            "openssl_version": _ssl.OPENSSL_VERSION,
            "cafile": cafile,
            "capath": capath,
            "openssl_cafile": openssl_cafile,
            "openssl_capath": openssl_capath,
            "cafile_exists": cafile is not None,
            "capath_exists": capath is not None,
            "openssl_cafile_exists": os.path.isfile(openssl_cafile),
        }
    except Exception as exc:
        return {"error": str(exc)}


def probe():
    # type: () -> Dict[str, Any]
    """Everything the facts collector needs from this interpreter, as a JSON-able dict."""
    import site
    import sysconfig

    system = platform.system()
    if system == "Darwin":
        cpu = _darwin_cpu()
    elif system == "Linux":
        cpu = _linux_cpu()
    elif system == "Windows":
        cpu = _windows_cpu()
    else:
        cpu = {}
    try:
        site_packages = list(site.getsitepackages())
    except AttributeError:  # old virtualenv's site.py
        site_packages = []
    for key in ("purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path and path not in site_packages:
            site_packages.append(path)
    try:
        user_site = site.getusersitepackages()
    except AttributeError:
        user_site = None
    return {
        "probe_version": 1,
        "version": platform.python_version(),
        "implementation": sys.implementation.name,
        "executable": sys.executable,
        "executable_realpath": os.path.realpath(sys.executable) if sys.executable else None,
        "base_executable": getattr(sys, "_base_executable", None),
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "bits": 64 if sys.maxsize > 2**32 else 32,
        "sys_path": _ORIGINAL_SYS_PATH,
        "site_packages": site_packages,
        "user_site": user_site,
        "user_site_enabled": bool(getattr(site, "ENABLE_USER_SITE", False)),
        "cwd": os.getcwd(),
        "system": system,
        "release": platform.release(),
        "machine": platform.machine(),
        "libc": _libc() if system == "Linux" else None,
        "platform_tag": sysconfig.get_platform(),
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
        "stdlib": sysconfig.get_paths().get("stdlib"),
        "marker_environment": _marker_environment(),
        "cpu": cpu,
        "ssl": _ssl_paths(),
        "env": {k: os.environ[k] for k in ENV_VARS if k in os.environ},
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(probe()))
