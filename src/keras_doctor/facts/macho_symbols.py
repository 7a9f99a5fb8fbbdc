"""What a Mach-O library links against, which symbols it needs, and which it provides.

tensorflow-metal declares no dependency on TensorFlow, so whether a plugin release can load against
a TensorFlow release is decided statically, without a Mac: every symbol the plugin binds to
TensorFlow's libraries must be among the symbols those libraries export (`macho_linkage`). The
knowledge builder runs this over real wheels. TensorFlow's libraries are hundreds of megabytes, so a
file is memory-mapped and only its load commands, symbol table and export trie are touched.
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass
from typing import Iterator, List, Optional, Set, Tuple

from keras_doctor.facts.binfmt import macho_arch

LC_SYMTAB, LC_DYSYMTAB, LC_ID_DYLIB, LC_RPATH = 0x2, 0xB, 0xD, 0x8000001C
LC_DYLD_INFO, LC_DYLD_INFO_ONLY, LC_DYLD_EXPORTS_TRIE = 0x22, 0x80000022, 0x80000033
# every command that takes a two-level namespace library ordinal, in the order they appear
DYLIB_COMMANDS = {0xC: "load", 0x80000018: "weak", 0x8000001F: "reexport", 0x20: "lazy",
                  0x80000023: "upward"}
MH_TWOLEVEL = 0x80
N_STAB, N_PEXT, N_TYPE, N_EXT, N_UNDF, N_WEAK_REF = 0xE0, 0x10, 0x0E, 0x01, 0x0, 0x40
SPECIAL_ORDINALS = (0, 0xFE, 0xFF)  # self, main executable, flat-namespace (dynamic) lookup


class MachOError(ValueError):
    """The file is not a Mach-O library with the wanted slice, or its tables are corrupt."""


@dataclass(frozen=True)
class Import:
    """An undefined external symbol and the library it is bound to (None: flat-namespace lookup)."""

    name: str  # Mach-O spelling, with the leading underscore
    library: Optional[str]  # install name, as the binary's load command spells it
    weak: bool  # a weak reference: a missing definition is NULL at run time, not a load failure


@dataclass(frozen=True)
class LoadCommands:
    """The parts of a Mach-O slice's load commands that linking depends on."""

    is64: bool
    flags: int
    dylibs: Tuple[Tuple[str, str], ...]  # (kind, install name) in ordinal order
    rpaths: Tuple[str, ...]
    install_name: Optional[str]  # LC_ID_DYLIB: the name other binaries link this one by
    symtab: Optional[Tuple[int, int, int, int]]  # symoff, nsyms, stroff, strsize
    dysymtab: Optional[Tuple[int, int, int, int]]  # iextdefsym, nextdefsym, iundefsym, nundefsym
    export_trie: Optional[Tuple[int, int]]  # offset, size


class MachOImage:
    """One slice of a (possibly fat) Mach-O file, memory-mapped; use as a context manager."""

    def __init__(self, path: str | os.PathLike[str], arch: str = "arm64") -> None:
        self.path = os.fspath(path)
        with open(self.path, "rb") as file:
            try:
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError as exc:  # an empty file
                raise MachOError(f"{self.path}: {exc}") from exc
        try:
            self._base = self._slice_offset(arch)
            self.commands = self._load_commands()
        except (struct.error, IndexError, ValueError) as exc:
            self._map.close()
            raise exc if isinstance(exc, MachOError) else MachOError(f"{self.path}: {exc}") from exc

    def close(self) -> None:
        self._map.close()

    def __enter__(self) -> MachOImage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _slice_offset(self, arch: str) -> int:
        magic = self._map[:4]
        if magic not in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
            return 0
        entry = 32 if magic[3] == 0xBF else 20
        (nfat,) = struct.unpack_from(">I", self._map, 4)
        found = []
        for index in range(min(nfat, 20)):
            at = 8 + index * entry
            found.append(macho_arch(*struct.unpack_from(">II", self._map, at)))
            if found[-1] == arch:
                return int(struct.unpack_from(">Q" if entry == 32 else ">I", self._map, at + 8)[0])
        raise MachOError(f"{self.path}: no {arch} slice (has {', '.join(found) or 'none'})")

    def _load_commands(self) -> LoadCommands:
        data, base = self._map, self._base
        magic = data[base : base + 4]
        if magic not in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
            raise MachOError(f"{self.path}: not a little-endian Mach-O file")
        ncmds, sizeofcmds, flags = struct.unpack_from("<3I", data, base + 16)
        cursor = base + (32 if magic[0] == 0xCF else 28)
        end = cursor + sizeofcmds
        dylibs, rpaths = [], []
        install_name = symtab = dysymtab = trie = None
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", data, cursor)
            if size < 8 or cursor + size > end:
                raise MachOError(f"{self.path}: corrupt load commands")
            if cmd in DYLIB_COMMANDS:
                dylibs.append((DYLIB_COMMANDS[cmd], self._string_in_command(cursor, size)))
            elif cmd == LC_ID_DYLIB:
                install_name = self._string_in_command(cursor, size)
            elif cmd == LC_RPATH:
                rpaths.append(self._string_in_command(cursor, size))
            elif cmd == LC_SYMTAB:
                symtab = struct.unpack_from("<4I", data, cursor + 8)
            elif cmd == LC_DYSYMTAB:
                dysymtab = struct.unpack_from("<4I", data, cursor + 16)
            elif cmd in (LC_DYLD_INFO, LC_DYLD_INFO_ONLY):
                trie = struct.unpack_from("<2I", data, cursor + 40)
            elif cmd == LC_DYLD_EXPORTS_TRIE:
                trie = struct.unpack_from("<2I", data, cursor + 8)
            cursor += size
        return LoadCommands(magic[0] == 0xCF, flags, tuple(dylibs), tuple(rpaths), install_name,
                            symtab, dysymtab, trie if trie and trie[1] else None)

    def _string_in_command(self, cursor: int, size: int) -> str:
        (offset,) = struct.unpack_from("<I", self._map, cursor + 8)
        return _text(self._map[cursor + offset : cursor + size].partition(b"\0")[0])

    def symbols(self, first: int, count: int) -> Iterator[Tuple[str, int, int]]:
        """(name, n_type, n_desc) of symbol table entries first..first+count, stabs skipped."""
        if self.commands.symtab is None:
            return
        symoff, nsyms, stroff, strsize = self.commands.symtab
        entry = struct.Struct("<IBBHQ" if self.commands.is64 else "<IBBHI")
        count = max(0, min(count, nsyms - first))
        start = self._base + symoff + first * entry.size
        self._require(start, count * entry.size, "symbol table")
        strings = self._base + stroff
        self._require(strings, strsize, "string table")
        table = self._map[start : start + count * entry.size]
        for strx, n_type, _, n_desc, _ in entry.iter_unpack(table):
            if n_type & N_STAB or strx >= strsize:
                continue
            end = self._map.find(b"\0", strings + strx, strings + strsize)
            name = self._map[strings + strx : end if end >= 0 else strings + strsize]
            yield _text(name), n_type, n_desc

    def _require(self, start: int, size: int, what: str) -> None:
        if start + size > len(self._map):
            raise MachOError(f"{self.path}: the {what} lies past the end of the file")

    def imports(self) -> List[Import]:
        commands = self.commands
        first, count = _undefined_range(commands)
        twolevel = bool(commands.flags & MH_TWOLEVEL)
        imports = []
        for name, n_type, n_desc in self.symbols(first, count):
            if n_type & N_TYPE == N_UNDF:  # always external: linkers refuse a local undefined
                ordinal = n_desc >> 8
                library = None
                if twolevel and ordinal not in SPECIAL_ORDINALS and ordinal <= len(commands.dylibs):
                    library = commands.dylibs[ordinal - 1][1]
                imports.append(Import(name, library, bool(n_desc & N_WEAK_REF)))
        return imports

    def exports(self) -> Set[str]:
        if self.commands.export_trie is not None:
            offset, size = self.commands.export_trie
            start = self._base + offset
            self._require(start, size, "export trie")
            try:
                return _walk_trie(self._map[start : start + size])
            except (IndexError, ValueError) as exc:
                raise MachOError(f"{self.path}: corrupt export trie") from exc
        first, count = _defined_range(self.commands)
        return {
            name for name, n_type, _ in self.symbols(first, count)
            if n_type & N_TYPE != N_UNDF and n_type & N_EXT and not n_type & N_PEXT
        }


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _undefined_range(commands: LoadCommands) -> Tuple[int, int]:
    """(first, count) of the undefined external symbols; without LC_DYSYMTAB, the whole table."""
    if commands.dysymtab is not None:
        return commands.dysymtab[2:4]
    return _whole_table(commands)


def _defined_range(commands: LoadCommands) -> Tuple[int, int]:
    """(first, count) of the defined external symbols; without LC_DYSYMTAB, the whole table."""
    if commands.dysymtab is not None:
        return commands.dysymtab[0:2]
    return _whole_table(commands)


def _whole_table(commands: LoadCommands) -> Tuple[int, int]:
    return 0, commands.symtab[1] if commands.symtab else 0


def _uleb(data: bytes, at: int) -> Tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _walk_trie(trie: bytes) -> Set[str]:
    """Every name with a terminal node in a dyld export trie (re-exports included). A trie that
    is not one (a node outside it, a cycle) raises IndexError or ValueError."""
    names: Set[str] = set()
    stack, visited = [(0, b"")], set()
    while stack:
        node, prefix = stack.pop()
        if node in visited:
            raise ValueError  # a cycle; exports() says which file
        visited.add(node)
        terminal_size, at = _uleb(trie, node)
        if terminal_size:
            names.add(_text(prefix))
        at += terminal_size
        children = trie[at]
        at += 1
        for _ in range(children):
            end = trie.index(b"\0", at)
            edge = trie[at:end]
            child, at = _uleb(trie, end + 1)
            stack.append((child, prefix + edge))
    return names


# -- one-call helpers -----------------------------------------------------------------------------


def read_dylibs(path: str | os.PathLike[str], arch: str = "arm64") -> List[str]:
    """Install names of the libraries the `arch` slice links, in load (ordinal) order."""
    with MachOImage(path, arch) as image:
        return [name for _, name in image.commands.dylibs]


def read_rpaths(path: str | os.PathLike[str], arch: str = "arm64") -> List[str]:
    """The LC_RPATH entries that `@rpath/` install names are searched in, in order."""
    with MachOImage(path, arch) as image:
        return list(image.commands.rpaths)


def read_install_name(path: str | os.PathLike[str], arch: str = "arm64") -> Optional[str]:
    """The library's own install name (LC_ID_DYLIB); None for a bundle."""
    with MachOImage(path, arch) as image:
        return image.commands.install_name


def read_imports(path: str | os.PathLike[str], arch: str = "arm64") -> List[Import]:
    """Every undefined external symbol, with the library its two-level namespace ordinal names."""
    with MachOImage(path, arch) as image:
        return image.imports()


def read_undefined_symbols(path: str | os.PathLike[str], arch: str = "arm64") -> Set[str]:
    """Names of the undefined external symbols (Mach-O spelling, with the leading underscore)."""
    return {imported.name for imported in read_imports(path, arch)}


def read_exported_symbols(path: str | os.PathLike[str], arch: str = "arm64") -> Set[str]:
    """Names the library exports: its export trie, else its defined external symbols.

    Symbols of libraries it re-exports whole (LC_REEXPORT_DYLIB) are not included.
    """
    with MachOImage(path, arch) as image:
        return image.exports()
