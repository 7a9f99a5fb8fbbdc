"""TensorFlow's C library loaded by programs that are not Python: .NET bindings, C++ programs."""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text


def causes(text: str) -> list:
    return [f.cause for f in explain_text(text).findings]


# SciSharp/TensorFlow.NET#253, on a Chinese Windows (CoreCLR's message, HRESULT 0x8007007E)
WINDOWS = ("The type initializer for 'Tensorflow.tf' threw an exception.\n\n"
           "DllNotFoundException: Unable to load DLL 'tensorflow' or one of its dependencies: "
           "找不到指定的模块。 (Exception from HRESULT: 0x8007007E)")
# lepeap/DeepMorphy#11, .NET 9 on an Apple Silicon Mac
MAC = ("Exception thrown: 'System.DllNotFoundException' in TensorFlowSharp.dll: 'Unable to load "
       "shared library 'libtensorflow' or one of its dependencies. In order to help diagnose "
       "loading problems, consider setting the DYLD_PRINT_LIBRARIES environment variable: \n"
       "dlopen(/Users/x/project/bin/Debug/net9.0/runtimes/osx-arm64/native/libtensorflow.dylib, "
       "0x0001): tried: '/Users/x/project/bin/Debug/net9.0/runtimes/osx-arm64/native/"
       "libtensorflow.dylib' (no such file)")
# MaruTama/tensorflow_for_unity#1: Mono names the library alone
MONO = ("DllNotFoundException: libtensorflow\n"
        "TensorFlow.TFCore.get_Version () (at <84fe2dcd3ba246c39b3de0e995570f79>:0)\n"
        "TensorFlowSharp.dll is in Assets\\Dlls")


@pytest.mark.parametrize(("text", "library", "runtime_too"), [
    (WINDOWS, "tensorflow", True),
    (MAC, "libtensorflow", False),  # a .NET assembly's .dll names no Windows
    (MONO, "libtensorflow", True),
])
def test_a_dotnet_binding_that_cannot_load_tensorflow_lacks_the_native_library(
        text, library, runtime_too):
    first, *rest = explain_text(text).findings
    assert (first.cause, first.evidence["library"], first.evidence["binding"]) == (
        "native-runtime-library-missing", library, ".NET")
    assert "SciSharp.TensorFlow.Redist" in first.fix[0].description
    assert ("msvc-runtime-missing" in [f.cause for f in rest]) is runtime_too


def test_a_dotnet_process_of_any_cpu_may_be_the_wrong_architecture():
    assert "mixed-arch-binary" in causes(
        "System.DllNotFoundException: libtensorflow\nThe project builds for Any CPU on my Mac")
    assert "mixed-arch-binary" not in causes(MONO)


def test_a_library_that_began_to_run_and_met_an_instruction_is_the_cpu():
    # SciSharp/TensorFlow.NET#539: a Westmere Xeon without AVX
    text = ("The program '[15552] TensorFlowNET.Examples.exe' has exited with code -1073741795 "
            "(0xc000001d) 'Illegal Instruction'.\n"
            " ---> System.DllNotFoundException: Unable to load DLL 'tensorflow'")
    assert causes(text)[:2] == ["cpu-lacks-avx", "native-runtime-library-missing"]


DYLD = ("dyld: Library not loaded: @rpath/libtensorflow_framework.2.dylib\n"
        "  Referenced from: {referrer}\n  Reason: image not found")


def test_a_program_of_ones_own_linking_tensorflows_library_misses_the_library():
    # tensorflow/tensorflow#34237: a C++ program built against a source build, run elsewhere
    first = explain_text(DYLD.format(referrer="/private/var/www/cpp/./main")).findings[0]
    assert first.cause == "native-runtime-library-missing"
    assert first.evidence["referenced_from"] == "/private/var/www/cpp/./main"


def test_tensorflows_own_extension_missing_its_framework_may_be_two_tensorflows():
    referrer = ("/Users/a/venv/lib/python3.9/site-packages/tensorflow/python/"
                "_pywrap_tensorflow_internal.so")
    from keras_doctor.explain.engine import hypotheses

    ranked = hypotheses(DYLD.format(referrer=referrer))[1]
    native = next(h for h in ranked if h.cause == "native-runtime-library-missing")
    assert "referenced_from" not in native.evidence
    assert "tf-distributions-overlap" in [h.cause for h in ranked]


def test_a_haskell_binding_that_cannot_link_tensorflows_c_library():
    # tensorflow/haskell#276: Cabal's configure step
    text = ("tensorflow         > Cabal-simple_mPHDZzAJ_3.0.1.0_ghc-8.8.4: Missing dependency on a "
            "foreign\ntensorflow         > library:\n"
            "tensorflow         > * Missing (or bad) C library: tensorflow\n")
    first = explain_text(text).findings[0]
    assert (first.cause, first.evidence["library"]) == ("native-runtime-library-missing",
                                                        "tensorflow")
    assert "libtensorflow" in first.fix[0].description
    # another C library keeps the system package's advice
    other = explain_text(text.replace("C library: tensorflow", "C library: z")).findings[0]
    assert "system package" in other.fix[0].description
