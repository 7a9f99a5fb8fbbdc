"""Whether a Mach-O plugin can load next to a set of libraries, decided from their tables alone.

dyld refuses a library in three ways, each predicted here from files (no Mac needed):
- a dependency linked as `@rpath/…` that no loaded image provides under that install name and no
  rpath of the plugin finds: "Library not loaded: @rpath/_pywrap_tensorflow_internal.so";
- a symbol bound (two-level namespace) to a library that does not export it: "Symbol not found:
  __ZN3tsl8internal10LogMessageC1EPKcii … Expected in: …/_pywrap_tensorflow_internal.so";
- a flat-namespace lookup no loaded image satisfies: "symbol not found in flat namespace '_TF_…'".
System libraries cannot be read off a Mac, so dependencies by absolute path are taken as present,
and a flat lookup counts against the providers only when its name says it is theirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from keras_doctor.facts.macho_symbols import MachOImage

RELATIVE_PREFIXES = ("@rpath/", "@loader_path/", "@executable_path/")


@dataclass(frozen=True)
class LinkCheck:
    client: str
    libraries_not_found: Tuple[str, ...]  # install names dyld would fail to find
    bound: int  # imports bound (two-level) to one of the providers
    flat: int  # flat-namespace imports whose names say they come from the providers
    missing: Tuple[str, ...]  # of those, the ones the providers do not export (weak ones excused)
    unresolved_flat: Tuple[str, ...]  # other flat lookups no provider exports (system ones, likely)

    @property
    def loads(self) -> bool:
        return not self.libraries_not_found and not self.missing

    @property
    def resolved_fraction(self) -> float:
        checked = self.bound + self.flat
        return (checked - len(self.missing)) / checked if checked else 1.0


class _Provider:
    def __init__(self, path: str, arch: str) -> None:
        self.path = os.path.realpath(path)
        with MachOImage(path, arch) as image:
            self.install_name = image.commands.install_name
            self.reexports = [name for kind, name in image.commands.dylibs if kind == "reexport"]
            self.own_exports = image.exports()


def check_linkage(
    client: str | os.PathLike[str],
    providers: Iterable[str | os.PathLike[str]],
    arch: str = "arm64",
    flat_prefixes: Sequence[str] = (),
) -> LinkCheck:
    """Check `client` (a plugin) against the libraries that will be loaded before it.

    `flat_prefixes`: names of flat-namespace imports expected from the providers (for TensorFlow:
    "_TF_", "_TFE_", "__ZN10tensorflow", "__ZN3tsl"); other flat imports that no provider exports
    are reported in `unresolved_flat` but do not fail the check.
    """
    loaded = [_Provider(os.fspath(path), arch) for path in providers]
    by_name = {p.install_name: p for p in loaded if p.install_name}
    by_path = {p.path: p for p in loaded}
    with MachOImage(client, arch) as image:
        dylibs, rpaths = image.commands.dylibs, image.commands.rpaths
        imports = image.imports()
    client_dir = os.path.dirname(os.path.realpath(client))

    found: Dict[str, _Provider] = {}
    not_found: List[str] = []
    for kind, name in dylibs:
        provider = _locate(name, client_dir, rpaths, by_name, by_path)
        if provider is not None:
            found[name] = provider
        elif name.startswith(RELATIVE_PREFIXES) and kind != "weak":
            not_found.append(name)

    exports = {p.path: _exports(p, by_name) for p in loaded}
    everything: Set[str] = set().union(*exports.values())
    bound = flat = 0
    missing: List[str] = []
    unresolved: List[str] = []
    for imported in imports:
        if imported.library is not None:
            provider = found.get(imported.library)
            if provider is None:
                continue
            bound += 1
            if imported.name not in exports[provider.path] and not imported.weak:
                missing.append(imported.name)
        elif imported.name.startswith(tuple(flat_prefixes)):
            flat += 1
            if imported.name not in everything and not imported.weak:
                missing.append(imported.name)
        elif imported.name not in everything:
            unresolved.append(imported.name)
    return LinkCheck(os.fspath(client), tuple(not_found), bound, flat, tuple(sorted(missing)),
                     tuple(sorted(unresolved)))


def _locate(
    name: str, client_dir: str, rpaths: Sequence[str], by_name: Dict[str, _Provider],
    by_path: Dict[str, _Provider],
) -> Optional[_Provider]:
    """The provider dyld would use for `name`: an image already loaded under that install name, or
    the file an rpath (relative to the client) leads to."""
    if name in by_name:
        return by_name[name]
    if name.startswith("@rpath/"):
        candidates = [os.path.join(_expand(rpath, client_dir), name[len("@rpath/"):])
                      for rpath in rpaths]
    elif name.startswith("@loader_path/"):
        candidates = [os.path.join(client_dir, name[len("@loader_path/"):])]
    else:
        candidates = [name]
    for candidate in candidates:
        provider = by_path.get(os.path.realpath(candidate))
        if provider is not None:
            return provider
    return None


def _expand(rpath: str, client_dir: str) -> str:
    if rpath.startswith("@loader_path"):
        return client_dir + rpath[len("@loader_path"):]
    return rpath


def _exports(provider: _Provider, by_name: Dict[str, _Provider]) -> Set[str]:
    """What a provider exports, with the exports of the libraries it re-exports whole."""
    names = set(provider.own_exports)
    for reexported in provider.reexports:
        inner = by_name.get(reexported)
        if inner is not None and inner is not provider:
            names |= inner.own_exports
    return names
