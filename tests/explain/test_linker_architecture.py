"""Apple's linker and loader name the two architectures of a refused file: the pair is the cause.

ld64 warns "ignoring file X, building for macOS-arm64 but attempting to link with file built for
macOS-x86_64" (src/ld/InputFiles.cpp since ld64-609; "file was built for x86_64 which is not the
architecture being linked (arm64)" and "missing required architecture arm64 in file" before it),
the linker of Xcode 15 "ignoring file '...': found architecture 'x86_64', required architecture
'arm64'", and dyld 4 "mach-o file, but is an incompatible architecture (have 'x86_64', need
'arm64e' or 'arm64')" (common/MachOFile.cpp, needed architectures joined by "' or '"). Two
architectures are a library of the other one; the same one twice is another platform (iOS
against macOS); `Undefined symbols for architecture arm64` alone is any missing symbol."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import hypotheses

SIGNATURE = "ld-ignoring-file-of-another-architecture"

# nasa/fprime#2623: the linker of Xcode 15 on an M1 Mac, CMake building for x86_64
XCODE15 = (
    "ld: warning: ignoring file 'lib/Darwin/libFw_Types.a[16](EnabledEnumAc.cpp.o)': found "
    "architecture 'arm64', required architecture 'x86_64'\n"
    "ld: warning: ignoring file 'lib/Darwin/libDrv_TcpServer.a[2](TcpServerComponentImpl.cpp.o)':"
    " found architecture 'arm64', required architecture 'x86_64'"
)
# heapwolf/socket#718: the same linker, the other direction
XCODE15_ARM64 = (
    "ld: warning: ignoring file '/Users/chicoxyzzy/dev/socket/test/build/ios-simulator/lib/"
    "libsocket-runtime.a[15](platform.o)': found architecture 'x86_64', required architecture "
    "'arm64'"
)
# ld64-253.3 src/ld/InputFiles.cpp#L414 and #L963: "ignoring file %s, %s" around "file was built
# for %s which is not the architecture being linked (%s): %s"
LD64_OLD = (
    "ld: warning: ignoring file /usr/local/lib/libtensorflow.dylib, file was built for x86_64 "
    "which is not the architecture being linked (arm64): /usr/local/lib/libtensorflow.dylib\n"
    "Undefined symbols for architecture arm64:\n"
    '  "_TF_Version", referenced from:\n'
    "      _main in hello_tf-bf3ad1.o\n"
    "ld: symbol(s) not found for architecture arm64"
)
# ld64-253.3 src/ld/InputFiles.cpp#L408: a universal file without the slice
LD64_FAT = (
    "ld: warning: ignoring file /usr/local/lib/libtensorflow.dylib, missing required "
    "architecture arm64 in file /usr/local/lib/libtensorflow.dylib (2 slices)"
)
# the same ld64 line about a file of the same architecture for another platform
OTHER_PLATFORM = (
    "ld: warning: ignoring file /Users/me/build/libfoo.a, building for iOS Simulator-arm64 but "
    "attempting to link with file built for iOS-arm64"
)
# a symbol missing with no file ignored: nothing says which architecture the library has
UNDEFINED_ONLY = (
    "Undefined symbols for architecture arm64:\n"
    '  "_TF_Version", referenced from:\n'
    "      _main in hello_tf-bf3ad1.o\n"
    "ld: symbol(s) not found for architecture arm64\n"
    "clang: error: linker command failed with exit code 1 (use -v to see invocation)"
)
# dyld 4 (dyld-1042.1 common/MachOFile.cpp#L2654 and #L2637)
DYLD4 = (
    "ImportError: dlopen(/opt/homebrew/lib/python3.11/site-packages/tensorflow/python/"
    "_pywrap_tensorflow_internal.so, 0x0002): tried: '/opt/homebrew/lib/python3.11/site-packages/"
    "tensorflow/python/_pywrap_tensorflow_internal.so' (mach-o file, but is an incompatible "
    "architecture (have 'x86_64', need 'arm64e' or 'arm64'))"
)
DYLD4_FAT = (
    "ImportError: dlopen(/Users/me/venv/lib/python3.9/site-packages/foo/_foo.so, 0x0002): tried: "
    "'/Users/me/venv/lib/python3.9/site-packages/foo/_foo.so' (fat file, but missing compatible "
    "architecture (have 'x86_64,i386', need 'arm64e' or 'arm64'))"
)


def _ranked(text: str):
    return hypotheses(text)[1]


def test_ld64_names_an_x86_64_library_linked_for_arm64():
    case = corpus.case("tf-62740-c-api-x86-dylib-on-arm64")
    ranked = _ranked(case["text"])
    assert ranked[0].cause == case["cause"] == "mixed-arch-binary"
    assert ranked[0].evidence["linking_for"] == "arm64"
    assert ranked[0].evidence["file_built_for"] == "x86_64"
    assert ranked[0].evidence["path"] == "/usr/local/lib/libtensorflow.dylib"
    assert SIGNATURE in ranked[0].signatures
    # an arm64 build is the native side of an Apple Silicon Mac: no Rosetta in it
    assert "rosetta-python" not in [h.cause for h in ranked]
    assert "macos-too-old" not in [h.cause for h in ranked]


def test_building_for_x86_64_against_an_arm64_library_makes_rosetta_the_runner_up():
    case = corpus.case("tf-build-82-go-link-arm64-lib-from-x86-toolchain")
    ranked = _ranked(case["text"])
    assert [h.cause for h in ranked[:2]] == ["mixed-arch-binary", "rosetta-python"]
    assert ranked[0].evidence["linking_for"] == "x86_64"
    assert ranked[0].evidence["file_built_for"] == "arm64"
    assert ranked[1].evidence["building_for"] == "x86_64"
    assert "macos-too-old" not in [h.cause for h in ranked]


def test_the_linker_of_xcode_15_says_found_and_required():
    top = _ranked(XCODE15)[0]
    assert top.cause == "mixed-arch-binary"
    assert top.evidence["linking_for"] == "x86_64"
    assert top.evidence["file_built_for"] == "arm64"
    assert top.evidence["path"] == "lib/Darwin/libFw_Types.a[16](EnabledEnumAc.cpp.o)"
    ranked = _ranked(XCODE15_ARM64)
    assert ranked[0].cause == "mixed-arch-binary"
    assert ranked[0].evidence["linking_for"] == "arm64"
    assert "rosetta-python" not in [h.cause for h in ranked]


def test_older_ld64_wordings_name_the_same_pair():
    top = _ranked(LD64_OLD)[0]
    assert top.cause == "mixed-arch-binary"
    assert (top.evidence["linking_for"], top.evidence["file_built_for"]) == ("arm64", "x86_64")
    fat = _ranked(LD64_FAT)[0]
    assert fat.cause == "mixed-arch-binary"
    assert fat.evidence["linking_for"] == "arm64"
    assert "file_built_for" not in fat.evidence


def test_the_same_architecture_for_another_platform_is_not_a_mixed_architecture():
    assert "mixed-arch-binary" not in [h.cause for h in _ranked(OTHER_PLATFORM)]


def test_an_undefined_symbol_alone_names_no_architecture_pair():
    ranked = _ranked(UNDEFINED_ONLY)
    assert all(SIGNATURE not in h.signatures for h in ranked)
    assert all(h.signatures != ["dyld-incompatible-architecture"] for h in ranked)


def test_a_library_built_for_a_newer_macos_stays_an_os_matter():
    # ekrich/stensorflow#26: the version warning of the same linker names no architecture
    case = corpus.case("stensorflow-26-libtensorflow-built-for-newer-macos")
    ranked = _ranked(case["text"])
    assert ranked[0].cause == case["cause"] == "macos-too-old"
    assert all(SIGNATURE not in h.signatures for h in ranked)


def test_dyld_4_lists_every_architecture_it_would_take():
    top = _ranked(DYLD4)[0]
    assert top.cause == "mixed-arch-binary"
    assert (top.evidence["have"], top.evidence["need"]) == ("x86_64", "arm64e")
    fat = _ranked(DYLD4_FAT)
    assert fat[0].cause == "mixed-arch-binary"
    assert (fat[0].evidence["have"], fat[0].evidence["need"]) == ("x86_64", "arm64e")
    assert "rosetta-python" not in [h.cause for h in fat]


def test_a_file_that_is_no_mach_o_is_a_build_for_another_system():
    # ld64-956.6 src/ld/InputFiles.cpp, extractFileInfo: an unknown file's first 16 bytes as an
    # "unsupported file format", here an ELF library (0x7F 'E' 'L' 'F') on a Mac
    text = (
        "ld: warning: ignoring file /Users/me/lib/libtensorflow.so, building for macOS-arm64 but "
        "attempting to link with file built for unknown-unsupported file format ( 0x7F 0x45 0x4C "
        "0x46 0x02 0x01 0x01 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 )"
    )
    top = _ranked(text)[0]
    assert top.cause == "mixed-arch-binary"
    assert top.evidence["file_built_for"] == "no Mach-O (an unsupported file format)"
