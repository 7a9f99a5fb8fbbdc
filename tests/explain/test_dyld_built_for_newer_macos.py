"""dyld names the macOS a binary was built for only when that macOS is newer than the running one.

dyld 2 (macOS ≤ 11) appends " (which was built for Mac OS X 12.0)" to a "Symbol not found" when
the image's minimum OS exceeds its own (src/ImageLoaderMachOCompressed.cpp); dyld 4 (macOS 12+)
appends " (built for macOS 13.0 which is newer than running OS)" to a missing symbol or library
(dyld/Loader.cpp, Loader::tooNewErrorAddendum). Either note alone proves the OS too old, whatever
package printed it and whatever thread taught a signature."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import hypotheses

# simonsobs/pixell#141, "pixell MacOS builds do not work on MacOS 10.14 and 10.13" (the OpenMP
# runtime bundled in the macOS wheel was built for 10.15)
PIXELL = (
    "ImportError: dlopen(/Users/nab/.local/lib/python3.7/site-packages/pixell/"
    "sharp.cpython-37m-darwin.so, 2): Symbol not found: _aligned_alloc\n"
    " Referenced from: /Users/nab/.local/lib/python3.7/site-packages/pixell/.dylibs/"
    "libgomp.1.dylib (which was built for Mac OS X 10.15)"
)
# dyld 4's own format: "Symbol not found: %s\n  Referenced from: <%s> %s%s\n  Expected in:     <%s>
# %s", the addendum " (built for %s %s which is newer than running OS)" (dyld/Loader.cpp)
DYLD4 = (
    "ImportError: dlopen(/opt/homebrew/lib/python3.11/site-packages/foo/_core.cpython-311-darwin"
    ".so, 0x0002): Symbol not found: _OBJC_CLASS_$_MTLResidencySetDescriptor\n"
    "  Referenced from: <4C4C4400-5555-3144-A1A2-0F3C2F2E9A11> /opt/homebrew/lib/python3.11/"
    "site-packages/foo/_core.cpython-311-darwin.so (built for macOS 15.0 which is newer than "
    "running OS)\n"
    "  Expected in:     <8C3C5A0B-2B8F-3E5D-9F61-0D5C8A8C2B11> /System/Library/Frameworks/"
    "Metal.framework/Versions/A/Metal"
)
# the same failure without the note, which dyld leaves out when the binary's minimum OS is not
# newer than the running one
WITHOUT_NOTE = (
    "ImportError: dlopen(/Users/nab/.local/lib/python3.7/site-packages/pixell/"
    "sharp.cpython-37m-darwin.so, 2): Symbol not found: _aligned_alloc\n"
    " Referenced from: /Users/nab/.local/lib/python3.7/site-packages/pixell/.dylibs/"
    "libgomp.1.dylib\n Expected in: flat namespace"
)


def _first(text: str, without: frozenset = frozenset()):
    return hypotheses(text, without_sources=without)[1][0]


def test_dyld_2_note_names_the_macos_the_binary_needs():
    top = _first(PIXELL)
    assert top.cause == "macos-too-old"
    assert top.evidence["built_for"] == "10.15"
    assert "dyld-image-built-for-newer-macos" in top.signatures


def test_dyld_4_note_names_the_macos_the_binary_needs():
    top = _first(DYLD4)
    assert top.cause == "macos-too-old"
    assert top.evidence["built_for"] == "15.0"
    assert "dyld-image-built-for-newer-macos" in top.signatures


def test_without_the_note_the_symbol_alone_is_not_this_proof():
    ranked = hypotheses(WITHOUT_NOTE)[1]
    assert all("dyld-image-built-for-newer-macos" not in h.signatures for h in ranked)


def test_a_metal_plugin_built_for_a_newer_macos_is_known_without_its_own_thread():
    # tensorflow/tensorflow#53309: tensorflow-metal's plugin, "(which was built for Mac OS X 12.0)",
    # misses an MPSGraph class on macOS 11; the plugin's signature cites this very thread
    case = dict(corpus.case("tf-53309-metal-built-for-macos12"))
    own_thread = frozenset({case["source_url"]})
    top = _first(case["text"], own_thread)
    assert top.cause == case["cause"] == "macos-too-old"
    assert top.evidence["built_for"] == "12.0"


def test_a_missing_tensorflow_symbol_keeps_the_plugin_mismatch_first():
    # a plugin that misses a TensorFlow C API symbol was built for another TensorFlow: the note
    # makes the OS a runner-up, not the answer
    text = (
        "tensorflow.python.framework.errors_impl.NotFoundError: dlopen(/Users/me/miniforge3/lib/"
        "python3.9/site-packages/tensorflow-plugins/libmetal_plugin.dylib, 6): Symbol not found: "
        "_TF_AssignUpdateVariable\n  Referenced from: /Users/me/miniforge3/lib/python3.9/"
        "site-packages/tensorflow-plugins/libmetal_plugin.dylib (which was built for Mac OS X "
        "12.0)\n  Expected in: flat namespace"
    )
    ranked = [h.cause for h in hypotheses(text)[1]]
    assert ranked[0] == "metal-plugin-mismatch"
    assert "macos-too-old" in ranked[:3]


def test_a_paste_of_two_refused_loads_quotes_the_first_symbol():
    """A notebook run twice prints dyld's refusal twice, here for two symbols: the evidence is
    the first symbol dyld named (the one the weight was decided on), not a list."""
    second = PIXELL.replace("_aligned_alloc", "_posix_memalign")
    found = _first(PIXELL + "\n" + second)
    assert found.cause == "macos-too-old"
    assert found.evidence["symbol"] == "_aligned_alloc"
    assert found.evidence["built_for"] == "10.15"
