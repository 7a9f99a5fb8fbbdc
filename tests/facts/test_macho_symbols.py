"""Mach-O link tables and the static plugin-loads verdict, on real wheels and hand-built libraries.

The slow tests replay pairings whose outcome on a real Mac is on record: TensorFlow's import of the
tensorflow-metal plugin either works or fails with the dyld error named in `OBSERVED`.
"""

from __future__ import annotations

import dataclasses
import struct
import sys
from pathlib import Path

import envs
import pytest

from keras_doctor.facts.macho_linkage import check_linkage
from keras_doctor.facts.macho_symbols import (
    MachOError,
    MachOImage,
    read_dylibs,
    read_exported_symbols,
    read_imports,
    read_install_name,
    read_rpaths,
    read_undefined_symbols,
)

BINARIES = Path(__file__).parent.parent / "data" / "binaries"
WRAPT_EXPORTS = {
    "_PyInit__wrappers", "_WraptBoundFunctionWrapper_Type", "_WraptCallableObjectProxy_Type",
    "_WraptFunctionWrapperBase_Type", "_WraptFunctionWrapper_Type", "_WraptObjectProxy_Type",
    "_WraptPartialCallableObjectProxy_Type",
}


def test_linked_libraries_and_rpaths_of_a_real_tensorflow_io_library():
    path = BINARIES / "macho-minos-newer-than-tag.so"
    assert read_dylibs(path) == [
        "/usr/lib/libc++.1.dylib",
        "@rpath/libtensorflow_framework.2.dylib",
        "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation",
        "/System/Library/Frameworks/SystemConfiguration.framework/Versions/A/SystemConfiguration",
        "/System/Library/Frameworks/Security.framework/Versions/A/Security",
        "/usr/lib/libSystem.B.dylib",
        "/System/Library/Frameworks/Foundation.framework/Versions/C/Foundation",
        "/usr/lib/libobjc.A.dylib",
    ]
    rpaths = read_rpaths(path)
    assert len(rpaths) == 2 and all(r.startswith("@loader_path/") for r in rpaths)
    assert read_install_name(path).startswith("bazel-out/darwin_arm64-fastbuild/")


def test_a_fat_file_is_read_through_the_wanted_slice():
    assert read_dylibs(BINARIES / "macho-universal2.so", "x86_64") == ["/usr/lib/libSystem.B.dylib"]
    # without an architecture, the slice an Apple Silicon Mac loads
    assert read_dylibs(BINARIES / "macho-universal2.so") == read_dylibs(
        BINARIES / "macho-universal2.so", "arm64")
    assert read_install_name(BINARIES / "macho-fat-arm64-only.dylib") == (
        "/DLC/numpy/.dylibs/libgcc_s.1.1.dylib"
    )
    with pytest.raises(MachOError, match=r"no ppc64 slice \(has x86_64, arm64\)"):
        read_dylibs(BINARIES / "macho-universal2.so", "ppc64")


@pytest.mark.parametrize("read", [read_dylibs, read_rpaths, read_install_name, read_imports,
                                  read_undefined_symbols, read_exported_symbols])
def test_every_reader_reads_the_slice_asked_for_or_says_it_is_missing(read):
    """numpy's fat-but-arm64-only libgcc: asking for its x86_64 slice (what Rosetta loads) is an
    error naming the slices it has, never the arm64 slice's answer."""
    with pytest.raises(MachOError, match=r"no x86_64 slice \(has arm64\)"):
        read(BINARIES / "macho-fat-arm64-only.dylib", "x86_64")


def test_a_fat_file_with_no_slices_says_it_has_none(tmp_path):
    path = tmp_path / "libempty.dylib"
    path.write_bytes(struct.pack(">II", 0xCAFEBABE, 0) + bytes(4088))
    with pytest.raises(MachOError, match=r"no arm64 slice \(has none\)"):
        read_dylibs(path)


def test_imports_of_a_python_extension_are_flat_lookups_except_libsystem():
    imports = read_imports(BINARIES / "macho-arm64-symbols.so")
    assert len(imports) == 106
    bound = {i.name: i.library for i in imports if i.library is not None}
    libsystem = "/usr/lib/libSystem.B.dylib"
    assert bound == dict.fromkeys(["___stack_chk_fail", "___stack_chk_guard", "dyld_stub_binder"],
                                  libsystem)
    names = read_undefined_symbols(BINARIES / "macho-arm64-symbols.so")
    assert {"_PyArg_ParseTupleAndKeywords", "_PyDict_New"} <= names
    assert not any(i.weak for i in imports)


def test_exports_from_the_trie_match_the_symbol_table():
    path = BINARIES / "macho-arm64-symbols.so"
    assert read_exported_symbols(path) == WRAPT_EXPORTS
    with MachOImage(path) as image:
        image.commands = dataclasses.replace(image.commands, export_trie=None)
        assert image.exports() == WRAPT_EXPORTS


@pytest.mark.parametrize(
    ("name", "message"),
    [("macho-arm64.so", "symbol table lies past the end"),
     ("elf-aarch64.so", "not a little-endian")],
)
def test_missing_tables_and_other_formats_raise_macho_error(name, message):
    with pytest.raises(MachOError, match=message):
        read_imports(BINARIES / name)


@pytest.mark.parametrize("length", [122, 123, 124])
def test_a_trie_node_at_offset_128_is_read_through_its_two_byte_offset(tmp_path, length):
    """ULEB128 on both sides of a byte boundary: a long mangled C++ name puts the first leaf at
    offset 127, 128 (0x80 0x01: the first byte alone would read as 0) or 129."""
    name = "_" + "Z" * (length - 1)
    lib = _macho(tmp_path / "libcxx.dylib", exports=[name])
    assert read_exported_symbols(lib) == {name}


def test_a_symbol_table_offset_past_4_gb_is_past_the_end_not_before_the_start(tmp_path):
    lib = bytearray(_macho(tmp_path / "libhuge.dylib", imports=[("_free", 1, False)],
                           dylibs=[(0xC, "/usr/lib/libSystem.B.dylib")]).read_bytes())
    at = lib.find(struct.pack("<II", 0x2, 24))  # LC_SYMTAB: symoff, nsyms, stroff, strsize
    struct.pack_into("<I", lib, at + 8, 0xFFFFFF00)
    (tmp_path / "libhuge.dylib").write_bytes(bytes(lib))
    with pytest.raises(MachOError, match="the symbol table lies past the end of the file"):
        read_imports(tmp_path / "libhuge.dylib")


@pytest.mark.parametrize("child", [0, 100])  # back to the root; past the trie's 11 bytes
def test_an_export_trie_whose_edge_leads_back_or_out_is_corrupt(tmp_path, child):
    data = bytearray(_macho(tmp_path / "libodd.dylib", exports=["_a"]).read_bytes())
    struct.pack_into("BB", data, len(data) - 4 - 2, 0x80 | child, 0)  # the edge's ULEB128 offset
    (tmp_path / "libodd.dylib").write_bytes(bytes(data))
    with pytest.raises(MachOError, match=r"libodd\.dylib: corrupt export trie$"):
        read_exported_symbols(tmp_path / "libodd.dylib")


def test_empty_file_raises_macho_error(tmp_path):
    (tmp_path / "empty.dylib").write_bytes(b"")
    with pytest.raises(MachOError):
        read_dylibs(tmp_path / "empty.dylib")


# -- hand-built libraries for the linkage rules ---------------------------------------------------

LOAD, WEAK, REEXPORT, FLAT = 0xC, 0x80000018, 0x8000001F, 0xFF


def _with_string(cmd: int, fields: tuple, text: str) -> bytes:
    """A load command whose fields are followed by a NUL-terminated string, padded to 8 bytes."""
    body = struct.pack(f"<{len(fields)}I", *fields) + text.encode() + b"\0"
    body += bytes(-(len(body) + 8) % 8)
    return struct.pack("<II", cmd, len(body) + 8) + body


def _dylib_command(cmd: int, name: str) -> bytes:
    return _with_string(cmd, (24, 2, 0x10000, 0x10000), name)


def _trie(names) -> bytes:
    """A root with one edge per name, offsets as two-byte ULEB128 (valid, if not minimal)."""
    root_size = 2 + sum(len(n) + 3 for n in names)
    root, leaves = bytes([0, len(names)]), b""
    for name in names:
        offset = root_size + len(leaves)
        root += _raw(name) + b"\0" + bytes([0x80 | (offset & 0x7F), offset >> 7])
        leaves += bytes([2, 0, 0, 0])  # terminal size 2: flags 0, address 0; no children
    return root + leaves


def _raw(name: str) -> bytes:
    """A symbol name's bytes; names that are not UTF-8 are given with surrogate escapes."""
    return name.encode("utf-8", "surrogateescape")


def _macho(path, install_name=None, dylibs=(), rpaths=(), imports=(), exports=(),
           cputype=0x0100000C, statics=()) -> Path:
    """imports: (name, ordinal, weak); exports: names, in both the trie and the symbol table;
    statics: names of local (file-scope) definitions, in the symbol table only.
    `cputype`: arm64 unless told (0x01000007: x86_64)."""
    commands = [_dylib_command(0xD, install_name)] if install_name else []
    commands += [_dylib_command(cmd, name) for cmd, name in dylibs]
    commands += [_with_string(0x8000001C, (12,), rpath) for rpath in rpaths]
    strings, symbols = b"\0", b""
    for name, ordinal, weak in imports:
        symbols += struct.pack("<IBBHQ", len(strings), 0x01, 0, ordinal << 8 | weak * 0x40, 0)
        strings += _raw(name) + b"\0"
    for name in exports:
        symbols += struct.pack("<IBBHQ", len(strings), 0x0F, 1, 0, 0x1000)
        strings += _raw(name) + b"\0"
    for name in statics:
        symbols += struct.pack("<IBBHQ", len(strings), 0x0E, 1, 0, 0x2000)  # N_SECT, not N_EXT
        strings += _raw(name) + b"\0"
    linkedit = 32 + sum(map(len, commands)) + 24 + 16
    trie = _trie(list(exports))
    stroff = linkedit + len(symbols)
    commands.append(struct.pack("<6I", 0x2, 24, linkedit, len(symbols) // 16, stroff, len(strings)))
    commands.append(struct.pack("<4I", 0x80000033, 16, stroff + len(strings), len(trie)))
    body = b"".join(commands)
    header = struct.pack("<8I", 0xFEEDFACF, cputype, 0, 6, len(commands), len(body), 0x80, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + body + symbols + strings + trie)
    return path


def test_hand_built_library_round_trips(tmp_path):
    lib = _macho(tmp_path / "lib.dylib", "@rpath/lib.dylib", [(LOAD, "/usr/lib/libSystem.B.dylib")],
                 ["@loader_path/x"], [("_malloc", 1, False), ("_opt", FLAT, True)], ["_a", "_ab"])
    assert read_install_name(lib) == "@rpath/lib.dylib"
    assert read_rpaths(lib) == ["@loader_path/x"]
    assert [(i.name, i.library, i.weak) for i in read_imports(lib)] == [
        ("_malloc", "/usr/lib/libSystem.B.dylib", False), ("_opt", None, True)
    ]
    assert read_exported_symbols(lib) == {"_a", "_ab"}


@pytest.fixture
def tf_like(tmp_path):
    inner = _macho(tmp_path / "tf/libinner.dylib", "@rpath/libinner.dylib", exports=["_inner"])
    outer = _macho(tmp_path / "tf/libtf.dylib", "@rpath/libtf.dylib",
                   [(REEXPORT, "@rpath/libinner.dylib")], exports=["_TF_A", "_TF_B"])
    plugin = _macho(
        tmp_path / "plugins/plugin.dylib", None,
        [(LOAD, "/usr/lib/libSystem.B.dylib"), (LOAD, "@rpath/libtf.dylib"),
         (WEAK, "@rpath/liboptional.dylib")],
        ["@loader_path/../nowhere"],
        [("_malloc", 1, False), ("_TF_A", 2, False), ("_inner", 2, False), ("_gone", 2, False),
         ("_weak_gone", 2, True), ("_TF_B", FLAT, False), ("_TF_C", FLAT, False),
         ("_objc_msgSend", FLAT, False)],
    )
    return plugin, [outer, inner]


def test_linkage_verdict_names_every_missing_symbol(tf_like):
    plugin, providers = tf_like
    result = check_linkage(plugin, providers, flat_prefixes=("_TF_",))
    assert result.client == str(plugin)
    assert result.libraries_not_found == ()
    assert (result.bound, result.flat) == (4, 2)
    assert result.missing == ("_TF_C", "_gone")
    assert result.unresolved_flat == ("_objc_msgSend",)
    assert not result.loads
    assert result.resolved_fraction == pytest.approx(4 / 6)


def test_a_provider_under_another_install_name_is_a_library_not_loaded(tf_like, tmp_path):
    plugin, _ = tf_like
    renamed = _macho(tmp_path / "tf2/libtf.dylib", "bazel-out/libtf_shared.dylib",
                     exports=["_TF_A"])
    result = check_linkage(plugin, [renamed])
    assert result.libraries_not_found == ("@rpath/libtf.dylib",)
    assert not result.loads


def test_an_rpath_of_the_plugin_can_find_the_provider(tmp_path):
    provider = _macho(tmp_path / "lib/libtf.dylib", "other-name", exports=["_TF_A"])
    plugin = _macho(tmp_path / "plugins/p.dylib", None, [(LOAD, "@rpath/libtf.dylib")],
                    ["@loader_path/../lib"], [("_TF_A", 1, False)])
    result = check_linkage(plugin, [provider])
    assert result.loads and result.bound == 1 and result.resolved_fraction == 1.0


def _universal(path: Path, *thin: Path, fat64: bool = False) -> Path:
    """A fat file of the thin libraries, each slice aligned to 4 KiB as lipo lays them out;
    `fat64`: the 64-bit table (`lipo -fat64`, for slices past 4 GiB)."""
    slices = [lib.read_bytes() for lib in thin]
    magic = 0xCAFEBABF if fat64 else 0xCAFEBABE
    table, body, offset = struct.pack(">II", magic, len(slices)), b"", 4096
    for data in slices:
        cputype, subtype = struct.unpack_from("<II", data, 4)
        table += (struct.pack(">IIQQII", cputype, subtype, offset, len(data), 12, 0) if fat64
                  else struct.pack(">IIIII", cputype, subtype, offset, len(data), 12))
        padded = data + bytes(-len(data) % 4096)
        body, offset = body + padded, offset + len(padded)
    path.write_bytes(table + bytes(4096 - len(table)) + body)
    return path


def test_a_universal_plugin_is_judged_by_the_slice_of_the_architecture_asked_for(tmp_path):
    """An Intel Mac (or Rosetta) loads the x86_64 slice, an Apple Silicon Mac the arm64 one: a
    plugin whose arm64 slice needs a symbol TensorFlow lacks still loads on Intel."""
    provider = _macho(tmp_path / "tf/libtf.dylib", "@rpath/libtf.dylib", exports=["_TF_A"])
    link = [(LOAD, "@rpath/libtf.dylib")]
    intel = _macho(tmp_path / "x86_64.dylib", None, link, ["@loader_path/tf"],
                   [("_TF_A", 1, False)], cputype=0x01000007)
    arm = _macho(tmp_path / "arm64.dylib", None, link, ["@loader_path/tf"],
                 [("_TF_A", 1, False), ("_TF_NEW", 1, False)])
    plugin = _universal(tmp_path / "plugin.dylib", intel, arm)
    assert read_undefined_symbols(plugin, "x86_64") == {"_TF_A"}
    assert read_undefined_symbols(plugin) == {"_TF_A", "_TF_NEW"}
    on_intel = check_linkage(plugin, [provider], arch="x86_64")
    assert (on_intel.loads, on_intel.missing) == (True, ())
    on_apple_silicon = check_linkage(plugin, [provider])
    assert (on_apple_silicon.loads, on_apple_silicon.missing) == (False, ("_TF_NEW",))


@pytest.mark.parametrize("read", [read_dylibs, read_rpaths, read_install_name, read_imports,
                                  read_undefined_symbols, read_exported_symbols])
def test_every_reader_reads_the_apple_silicon_slice_unless_told(tmp_path, read):
    intel = _macho(tmp_path / "x86_64.dylib", "@rpath/libintel.dylib",
                   [(LOAD, "/usr/lib/libSystem.B.dylib")], ["@loader_path/intel"],
                   [("_intel_only", 1, False)], ["_x"], cputype=0x01000007)
    arm = _macho(tmp_path / "arm64.dylib", "@rpath/libarm.dylib",
                 [(LOAD, "/usr/lib/libc++.1.dylib")], ["@loader_path/arm"],
                 [("_arm_only", 1, False)], ["_a"])
    universal = _universal(tmp_path / "lib.dylib", intel, arm)
    assert read(universal) == read(universal, "arm64") != read(universal, "x86_64")
    fat64 = _universal(tmp_path / "lib64.dylib", intel, arm, fat64=True)
    assert (read(fat64), read(fat64, "x86_64")) == (read(universal), read(universal, "x86_64"))


def test_an_export_trie_past_the_end_of_the_file_says_so(tmp_path):
    lib = bytearray(_macho(tmp_path / "libcut.dylib", exports=["_a"]).read_bytes())
    at = lib.find(struct.pack("<II", 0x80000033, 16))  # LC_DYLD_EXPORTS_TRIE: offset, size
    struct.pack_into("<I", lib, at + 8, len(lib))
    (tmp_path / "libcut.dylib").write_bytes(bytes(lib))
    with pytest.raises(MachOError, match="the export trie lies past the end of the file"):
        read_exported_symbols(tmp_path / "libcut.dylib")


def test_a_library_cut_inside_its_header_is_a_macho_error_naming_it(tmp_path):
    path = tmp_path / "libcut.dylib"
    path.write_bytes(_macho(tmp_path / "whole.dylib", exports=["_a"]).read_bytes()[:20])
    with pytest.raises(MachOError, match=r"libcut\.dylib: "):
        read_dylibs(path)


def test_debugging_symbols_of_an_unstripped_build_are_neither_imports_nor_exports(tmp_path):
    """A library built with -g keeps stabs (N_GSYM 0x20, N_FUN 0x24) in its symbol table; a
    global variable's stab has no section, as an import has none, but names no import."""
    lib = bytearray(_macho(tmp_path / "libdebug.dylib", imports=[("_free", 1, False)],
                           exports=["_a"], dylibs=[(LOAD, "/usr/lib/libSystem.B.dylib")],
                           statics=["_counter", "_helper"]).read_bytes())
    at = lib.find(struct.pack("<II", 0x2, 24))
    symoff, nsyms = struct.unpack_from("<II", lib, at + 8)
    for index, n_type in ((nsyms - 2, 0x20), (nsyms - 1, 0x24 | 0x01)):  # the two statics
        struct.pack_into("B", lib, symoff + 16 * index + 4, n_type)
    (tmp_path / "libdebug.dylib").write_bytes(bytes(lib))
    with MachOImage(tmp_path / "libdebug.dylib") as image:
        assert [i.name for i in image.imports()] == ["_free"]
        image.commands = dataclasses.replace(image.commands, export_trie=None)
        assert image.exports() == {"_a"}


def test_a_symbol_name_that_is_not_utf8_is_kept_byte_for_byte(tmp_path):
    """C++ compiled from Latin-1 source mangles its bytes into the name; such a symbol must
    still match the provider's export of the same bytes, not fail the whole check."""
    latin1 = b"__Z7caf\xe9v".decode("utf-8", "surrogateescape")
    provider = _macho(tmp_path / "libtf.dylib", "@rpath/libtf.dylib", exports=[latin1])
    plugin = _macho(tmp_path / "p.dylib", None, [(LOAD, "@rpath/libtf.dylib")],
                    ["@loader_path"], [(latin1, 1, False)])
    assert read_undefined_symbols(plugin) == {latin1}
    assert read_exported_symbols(provider) == {latin1}
    assert check_linkage(plugin, [provider]).loads


# -- real TensorFlow and tensorflow-metal wheels ---------------------------------------------------

TF_TREES = {  # TensorFlow version -> (tree name, requirements), laid out for macOS arm64
    "2.16.2": ("macos-arm64-tf", ["tensorflow==2.16.2", "tensorflow-metal==1.2.0"]),
    "2.18.1": ("macos-arm64-tf218", ["tensorflow==2.18.1"]),
    "2.19.0": ("macos-arm64-tf219", ["tensorflow==2.19.0"]),
    "2.20.0": ("macos-arm64-tf220", ["tensorflow==2.20.0"]),
}
METAL_TREES = {
    "1.2.0": ("macos-arm64-tf", ["tensorflow==2.16.2", "tensorflow-metal==1.2.0"]),
    "1.1.0": ("macos-arm64-metal110", ["tensorflow-metal==1.1.0"]),
}
TF_NAMES = ("_TF_", "_TFE_", "__ZN10tensorflow", "__ZN3tsl", "__ZN3xla", "__ZN6google8protobuf")
# Outcome of `import tensorflow` with the plugin installed on an M1 Mac (macOS 15.6.1, Python 3.10),
# from ShapeLayer/blog.jonghyeon.me, _posts/2025-09-11-tensorflow-metal-compatibilities.md (its
# 2.19.0 and 2.20.0 rows; 2.18.0 for 2.18.1, 2.16.0rc for 2.16.2 + 1.1.0); 2.16.2 + 1.2.0 is the
# pairing the tensorflow-metal 1.2.0 wheel's own table documents.
OBSERVED = [
    ("2.16.2", "1.2.0", None),
    ("2.16.2", "1.1.0", None),
    ("2.18.1", "1.1.0", "Symbol not found: __ZN3tsl8internal10LogMessageC1EPKcii"),
    ("2.19.0", "1.2.0", None),
    ("2.19.0", "1.1.0", "Symbol not found: __ZN3tsl8internal10LogMessageC1EPKcii"),
    ("2.20.0", "1.2.0", "Library not loaded: @rpath/_pywrap_tensorflow_internal.so"),
    ("2.20.0", "1.1.0", "Library not loaded: @rpath/_pywrap_tensorflow_internal.so"),
]


def _tree(spec) -> Path:
    # Only load commands and symbol tables are read: the trees keep those bytes alone (~60 % less).
    name, requirements = spec
    return envs.target_tree(name, requirements, "macosx_12_0_arm64", "3.11", hollow="symbols")


@pytest.mark.slow
@pytest.mark.parametrize(("tf", "metal", "error"), OBSERVED)
def test_static_verdict_matches_what_a_mac_reported(tf, metal, error):
    site = _tree(TF_TREES[tf])
    plugin = _tree(METAL_TREES[metal]) / "tensorflow-plugins" / "libmetal_plugin.dylib"
    libraries = sorted(p for p in (site / "tensorflow").rglob("*") if p.suffix in (".so", ".dylib"))
    result = check_linkage(plugin, libraries, flat_prefixes=TF_NAMES)
    undefined = read_undefined_symbols(plugin)
    print(f"\nTF {tf} + metal {metal}: {len(undefined)} undefined, {result.bound} bound to TF, "
          f"{result.flat} flat TF lookups, resolved {result.resolved_fraction:.1%}, "
          f"missing {list(result.missing)[:3]}, libraries not found {result.libraries_not_found}")
    assert result.loads == (error is None)
    if error and error.startswith("Symbol not found: "):
        assert error.split(": ")[1] in result.missing
    if error and error.startswith("Library not loaded: "):
        assert error.split(": ")[1] in result.libraries_not_found


@pytest.mark.slow
def test_plugin_binds_to_pywrap_and_exports_from_the_trie_match_the_symbol_table():
    site = _tree(TF_TREES["2.16.2"])
    plugin = site / "tensorflow-plugins" / "libmetal_plugin.dylib"
    assert "@rpath/_pywrap_tensorflow_internal.so" in read_dylibs(plugin)
    pywrap = site / "tensorflow" / "python" / "_pywrap_tensorflow_internal.so"
    assert read_install_name(pywrap) == "@rpath/_pywrap_tensorflow_internal.so"
    with MachOImage(site / "tensorflow" / "libtensorflow_framework.2.dylib") as image:
        assert len(image.exports()) > 10_000
    # The hollow TensorFlow tree keeps only the trie of a library that has one, so the two ways of
    # reading exports are compared on a whole real library: libhdf5 from the macOS h5py wheel.
    sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
    import scenarios

    (hdf5,) = (scenarios.mac_arm64_tree() / "h5py" / ".dylibs").glob("libhdf5.*.dylib")
    with MachOImage(hdf5) as image:
        from_trie = image.exports()
        image.commands = dataclasses.replace(image.commands, export_trie=None)
        assert image.exports() == from_trie and len(from_trie) > 3_000


def test_a_library_named_relative_to_its_client_is_found(tmp_path):
    provider = _macho(tmp_path / "lib/libtf.dylib", "other-name", exports=["_TF_A"])
    plugin = _macho(tmp_path / "plugins/p.dylib", None,
                    [(LOAD, "@loader_path/../lib/libtf.dylib")], [], [("_TF_A", 1, False)])
    result = check_linkage(plugin, [provider])
    assert result.loads and result.bound == 1 and result.libraries_not_found == ()


def test_exports_read_from_the_symbol_table_leave_out_what_the_library_imports(tmp_path):
    lib = _macho(tmp_path / "lib.dylib", "@rpath/lib.dylib", [(LOAD, "/usr/lib/libSystem.B.dylib")],
                 [], [("_malloc", 1, False), ("_free", 1, False)], ["_a", "_ab"],
                 statics=["_helper"])  # a static function: defined, never exported
    with MachOImage(lib) as image:  # an older linker's library: no export trie
        image.commands = dataclasses.replace(image.commands, export_trie=None)
        assert image.exports() == {"_a", "_ab"}


def test_a_32_bit_library_is_read_too(tmp_path):
    commands = (_dylib_command(0xD, "@rpath/libold.dylib")
                + _dylib_command(LOAD, "/usr/lib/libz.dylib"))
    header = struct.pack("<7I", 0xFEEDFACE, 7, 3, 6, 2, len(commands), 0)  # i386, 28 bytes
    lib = tmp_path / "libold.dylib"
    lib.write_bytes(header + commands)
    assert read_install_name(lib) == "@rpath/libold.dylib"
    assert read_dylibs(lib) == ["/usr/lib/libz.dylib"]


@pytest.mark.parametrize("size, readable", [(8, True), (4, False)])
def test_a_load_command_no_longer_than_its_own_header_is_skipped_a_shorter_one_is_corrupt(
        tmp_path, size, readable):
    bare = struct.pack("<II", 0x7F, size) + bytes(8 - size)  # a command of no payload
    commands = bare + _dylib_command(LOAD, "/usr/lib/libz.dylib")
    header = struct.pack("<7I", 0xFEEDFACE, 7, 3, 6, 2, len(commands), 0)
    lib = tmp_path / "lib.dylib"
    lib.write_bytes(header + commands)
    if readable:
        assert read_dylibs(lib) == ["/usr/lib/libz.dylib"]
    else:
        with pytest.raises(MachOError, match="corrupt load commands"):
            read_dylibs(lib)
