"""Release tables as objects: which wheels a release has, and which one an installer would pick.

Checks ask questions like "does TF 2.15.0 have a wheel for macOS arm64 and Python 3.12, and what
does that wheel require?". The answer depends on the wheel, not the release (TF's macOS arm64
wheels of 2.13–2.15.0 are shims with other requirements than the Linux ones), so the selection
mirrors an installer's: the target's supported tags in priority order, built with `packaging.tags`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from packaging.version import Version

# keras-doctor's platform names (facts.model.PLATFORMS) → how their wheel platform tags look.
_MAC_ARCH = {"macos-arm64": "arm64", "macos-x86_64": "x86_64"}
_LINUX_ARCH = {"linux-x86_64": "x86_64", "linux-aarch64": "aarch64"}
NEWEST_MACOS = (26, 0)  # tags are generated down from here when the OS version is not known
NEWEST_GLIBC_MINOR = 42


@dataclass(frozen=True)
class Wheel:
    tag: str  # "cp311-cp311-macosx_12_0_arm64" as in the file name
    requires_dist: Tuple[str, ...]
    requires_python: Optional[str]  # its own, else its release's (`release_from_json` fills it)
    yanked: bool = False

    @property
    def tags(self) -> frozenset:
        from packaging.tags import parse_tag

        return parse_tag(self.tag)

    @property
    def python_tags(self) -> List[str]:
        return sorted({t.interpreter for t in self.tags})

    @property
    def platform_tags(self) -> List[str]:
        return sorted({t.platform for t in self.tags})


@dataclass(frozen=True)
class Release:
    project: str
    version: Version
    uploaded: Optional[str]
    requires_python: Optional[str]
    wheels: Tuple[Wheel, ...]
    sdist: bool = False
    yanked: Any = False  # False, True, or the yank reason
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def python_tags(self) -> List[str]:
        return sorted({p for w in self.wheels for p in w.python_tags})

    @property
    def platform_tags(self) -> List[str]:
        return sorted({p for w in self.wheels for p in w.platform_tags})

    def wheel_for(
        self, platform: str, python: str, os_version: Optional[str] = None
    ) -> Optional[Wheel]:
        """The wheel an installer picks on `platform` ("macos-arm64", …) with Python `python`."""
        ranking = {
            tag: rank for rank, tag in enumerate(supported_tags(platform, python, os_version))
        }
        best: Optional[Tuple[int, Wheel]] = None
        for wheel in self.wheels:
            if not python_allows(wheel.requires_python, python):
                continue
            ranks = [ranking[t] for t in wheel.tags if t in ranking]
            if ranks and (best is None or min(ranks) < best[0]):
                best = (min(ranks), wheel)
        return best[1] if best else None


def release_from_json(project: str, version: str, data: Dict[str, Any]) -> Release:
    requires: Dict[int, Tuple[str, ...]] = {}
    for group in data.get("requires", ()):
        for index in group["wheels"]:
            requires[index] = tuple(group["requires_dist"])
    yanked = set(data.get("yanked_wheels", ()))
    odd_python = data.get("requires_python_by_wheel", {})
    wheels = tuple(
        Wheel(
            tag,
            requires.get(i, ()),
            odd_python.get(str(i), data.get("requires_python")),
            bool(data.get("yanked")) or i in yanked,
        )
        for i, tag in enumerate(data.get("wheels", ()))
    )
    return Release(
        project,
        Version(version),
        data.get("uploaded"),
        data.get("requires_python"),
        wheels,
        bool(data.get("sdist")),
        data.get("yanked", False),
    )


@lru_cache(maxsize=64)
def supported_tags(
    platform: str, python: str, os_version: Optional[str] = None
) -> Tuple[Any, ...]:
    """Tags CPython `python` on `platform` accepts, best first (like `packaging.tags.sys_tags`)."""
    from packaging import tags

    version = tuple(int(p) for p in python.split(".")[:2])
    platforms = list(_platform_tags(platform, os_version))
    return (
        *tags.cpython_tags(version, platforms=platforms),
        *tags.compatible_tags(version, f"cp{version[0]}{version[1]}", platforms),
    )


def _platform_tags(platform: str, os_version: Optional[str]) -> Sequence[str]:
    if platform in _MAC_ARCH:
        parts = [int(p) for p in (os_version or "").split(".") if p.isdigit()]
        mac = ([*parts, 0])[:2] if parts else list(NEWEST_MACOS)
        from packaging.tags import mac_platforms

        return list(mac_platforms((mac[0], mac[1]), _MAC_ARCH[platform]))
    if platform in _LINUX_ARCH:
        arch = _LINUX_ARCH[platform]
        many = [f"manylinux_2_{minor}_{arch}" for minor in range(NEWEST_GLIBC_MINOR, 16, -1)]
        legacy = {
            "manylinux_2_17": "manylinux2014",
            "manylinux_2_12": "manylinux2010",
            "manylinux_2_5": "manylinux1",
        }
        out = []
        for tag in many:
            out.append(tag)
            prefix = tag[: -len(arch) - 1]
            if prefix in legacy:
                out.append(f"{legacy[prefix]}_{arch}")
        if arch == "x86_64":
            out += [f"manylinux_2_{m}_{arch}" for m in range(16, 4, -1)]
            out += [f"manylinux2010_{arch}", f"manylinux1_{arch}"]
        return [*out, f"linux_{arch}"]
    if platform == "windows-amd64":
        return ["win_amd64"]
    if platform == "windows-32":
        return ["win32"]
    raise ValueError(f"unknown platform {platform!r}")


# The platforms a wheel's platform tag is read for: keras-doctor's (facts.platforms.PLATFORMS) and
# the 32-bit Windows that error reports show.
TAG_PLATFORMS = ("macos-arm64", "macos-x86_64", "linux-x86_64", "linux-aarch64", "windows-amd64",
                 "windows-32")
# The binary formats of a macOS platform tag each Mac's interpreter accepts, as pip matches them
# (`packaging.tags._mac_binary_formats` on macOS 10.4 and later): an arm64 Python takes arm64 and
# universal2; an x86_64 one also the fat formats that hold x86_64 code ("intel" = i386 + x86_64,
# "fat64" = x86_64 + ppc64, "fat3" = i386 + ppc + x86_64, and the older "universal"), and
# universal2. "fat32" (i386 + ppc) and "fat" hold no 64-bit Intel code: no Mac of today takes them.
_MAC_FORMATS = {"macos-arm64": frozenset({"arm64", "universal2"}),
                "macos-x86_64": frozenset({"x86_64", "intel", "fat64", "fat3", "universal2",
                                           "universal"})}
_WINDOWS = {"win_amd64": "windows-amd64", "win32": "windows-32"}


@lru_cache(maxsize=512)
def tag_platforms(platform_tag: str) -> FrozenSet[str]:
    """The platforms (`TAG_PLATFORMS`) whose interpreters install a wheel of this platform tag
    ("macosx_10_9_universal2", "manylinux2014_aarch64", "win32", "any"): the one reading of a
    wheel's platform tag, for the checks, the plan and explain. The OS release a tag needs
    (macOS 11, glibc 2.28) is not read here: `supported_tags` judges it for a known target."""
    if platform_tag == "any":
        return frozenset(TAG_PLATFORMS)
    if platform_tag.startswith("macosx_"):
        parts = platform_tag.split("_", 3)  # macosx_<major>_<minor>_<format>
        if len(parts) != 4 or not (parts[1].isdigit() and parts[2].isdigit()):
            return frozenset()
        version, binary_format = (int(parts[1]), int(parts[2])), parts[3]
        if version < (10, 4):
            return frozenset()  # older than any binary format pip matches
        # arm64 code exists from macOS 11 on; a universal2 tag of 10.x installs on arm64 too
        return frozenset(p for p, formats in _MAC_FORMATS.items() if binary_format in formats
                         and (binary_format != "arm64" or version >= (11, 0)))
    if platform_tag.startswith(("manylinux", "musllinux", "linux_")):
        arch = {"x86_64": "linux-x86_64", "aarch64": "linux-aarch64"}
        return frozenset(p for suffix, p in arch.items() if platform_tag.endswith("_" + suffix))
    return frozenset({_WINDOWS[platform_tag]}) if platform_tag in _WINDOWS else frozenset()


def python_allows(requires_python: Optional[str], python: str) -> bool:
    """Whether a `Requires-Python` (">=3.7", none, or one no installer can parse) admits a
    Python ("3.9"), as pip judges it."""
    if not requires_python:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return True  # installers ignore an unparseable Requires-Python too
    return spec.contains(python, prereleases=True)  # PEP 440 pads "3.11" to 3.11.0 itself
