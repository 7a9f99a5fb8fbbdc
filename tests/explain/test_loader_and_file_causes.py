"""Five causes named from what the loader, HDF5, pip and the add-ons themselves print.

A missing native library, an HDF5 library of another release, an add-on built for another
TensorFlow, a model file whose bytes are wrong, and a Windows path past 260 characters. Each test
also keeps the nearby cause first on its own text: the wrong architecture, the old macOS, the old
glibc, the Visual C++ runtime, the Metal plugin, Keras's download cache, another Keras format.
"""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import hypotheses


def causes(text):
    return [f.cause for f in explain_text(text).findings]


def top(text):
    findings = explain_text(text).findings
    return findings[0] if findings else None


# -- hdf5-library-mismatch --------------------------------------------------------------------


def test_hdf5_version_check_names_the_two_releases():
    finding = top("Warning! ***HDF5 library version mismatched error***\n"
                  "Headers are 1.10.4, library is 1.10.5\nAbort trap: 6")
    assert finding.cause == "hdf5-library-mismatch"


def test_h5py_own_warning_is_the_same_cause():
    text = ("UserWarning: h5py is running against HDF5 1.14.2 when it was built against 1.12.2, "
            "this may cause problems")
    assert causes(text)[0] == "hdf5-library-mismatch"


def test_an_h5py_that_cannot_build_is_not_a_library_mismatch():
    text = ("error: Unable to load dependency HDF5, make sure HDF5 is installed properly\n"
            "ERROR: Failed building wheel for h5py")
    assert "hdf5-library-mismatch" not in causes(text)[:1]


# -- native-runtime-library-missing -----------------------------------------------------------


def test_a_cuda_library_the_loader_cannot_open():
    finding = top("ImportError: libcudnn.so.8: cannot open shared object file: "
                  "No such file or directory")
    assert finding.cause == "native-runtime-library-missing"
    assert finding.evidence["library"] == "libcudnn.so.8"
    commands = [" ".join(step.command or ()) for step in finding.fix]
    assert any("tensorflow[and-cuda]" in command for command in commands)


def test_libomp_not_loaded_on_a_mac_points_at_the_openmp_runtime():
    finding = top("ImportError: dlopen(/Users/a/venv/lib/python3.11/site-packages/xgboost/lib/"
                  "libxgboost.dylib, 0x0006): Library not loaded: @rpath/libomp.dylib\n"
                  "  Referenced from: /Users/a/venv/lib/python3.11/site-packages/xgboost/lib/"
                  "libxgboost.dylib\n  Reason: tried: '/opt/homebrew/opt/libomp/lib/libomp.dylib'"
                  " (no such file)")
    assert finding.cause == "native-runtime-library-missing"
    assert "brew install libomp" in finding.fix[0].description


def test_dyld_4_quoting_the_library_reads_the_same_library():
    """macOS 12's dyld quotes the path (zkmkarlsruhe/ofxTensorFlow2#36); the library read is the
    path, not its quotes, and the loader's missing library is still what is shown."""
    for quote in ("'", ""):
        text = (f"dyld[66435]: Library not loaded: {quote}@rpath/libomp.dylib{quote}\n"
                f"  Referenced from: {quote}/Applications/example.app/Contents/MacOS/example"
                f"{quote}\n  Reason: tried: '/usr/local/lib/libomp.dylib' (no such file)\n")
        finding = top(text)
        assert finding.cause == "native-runtime-library-missing"
        assert finding.evidence["library"] == "@rpath/libomp.dylib"


def test_a_missing_library_read_as_a_missing_distribution_names_the_library_not_a_package():
    """The generic loader signature's reading (a distribution not installed) has no module to
    install: its fix names the library the loader asked for, never a default package."""
    findings = explain_text("dyld[66435]: Library not loaded: '@rpath/libfoo.2.dylib'\n"
                            "  Reason: tried: '/usr/lib/libfoo.2.dylib' (no such file)\n").findings
    missing = next(f for f in findings if f.cause == "missing-dependency")
    steps = " ".join(step.description for step in missing.fix)
    assert "@rpath/libfoo.2.dylib" in steps
    assert "h5py" not in steps


def test_a_wrong_architecture_is_still_mixed_arch():
    text = ("ImportError: dlopen(/Users/a/site-packages/tensorflow/python/_pywrap_tensorflow_"
            "internal.so, 0x0006): tried: '/Users/a/site-packages/tensorflow/python/_pywrap_"
            "tensorflow_internal.so' (mach-o file, but is an incompatible architecture (have "
            "'x86_64', need 'arm64'))")
    assert causes(text)[0] == "mixed-arch-binary"


def test_an_old_glibc_is_still_glibc():
    text = ("ImportError: /lib64/libc.so.6: version `GLIBC_2.28' not found (required by "
            "/usr/lib/python3.8/site-packages/jaxlib/xla_extension.so)")
    assert causes(text)[0] == "glibc-too-old"


@pytest.mark.parametrize("line, needs", [
    # tensorflow/tensorflow#29392: CentOS 7's libstdc++ lacks the C++ ABI version of the wheel
    ("ImportError: /lib64/libstdc++.so.6: version `CXXABI_1.3.8' not found (required by "
     "/home/pjh/.local/lib/python3.7/site-packages/tensorflow/python/"
     "_pywrap_tensorflow_internal.so)", "CXXABI_1.3.8"),
    # RealScout/deep-learning-images#6: Anaconda's older libstdc++ first, pasted with straight
    # quotes
    ("ImportError: /usr/local/bin/../lib/libstdc++.so.6: version 'CXXABI_1.3.8' not found "
     "(required by /usr/local/lib/python3.5/site-packages/tensorflow/python/_pywrap_tensorflow.so)",
     "CXXABI_1.3.8"),
    ("ImportError: /usr/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.29' not found",
     "GLIBCXX_3.4.29"),
])
def test_every_symbol_version_the_loader_names_is_an_old_system_library(line, needs):
    from keras_doctor.explain import explain_text

    found = explain_text(line).findings[0]
    assert (found.cause, found.evidence["needs"]) == ("glibc-too-old", needs)
    assert found.confidence >= 0.8


def test_a_version_of_something_else_not_found_is_no_symbol_version():
    assert "glibc-too-old" not in causes("ERROR: version 'CUDA_11.2' not found in the registry")


def test_the_linker_naming_a_glibc_symbol_version_is_an_old_glibc():
    # prepkg/tensorflow-lite-raspberrypi#2: linking C++ code against a TensorFlow Lite library
    # built on a newer Raspberry Pi OS; GNU ld names the versioned symbols the system's libc lacks
    from keras_doctor.explain import explain_text

    text = ("/usr/bin/ld: //usr/local/lib/libtensorflow-lite.so: undefined reference to "
            "`log@GLIBC_2.29'\ncollect2: error: ld returned 1 exit status")
    found = explain_text(text).findings[0]
    assert (found.cause, found.evidence["needs"]) == ("glibc-too-old", "GLIBC_2.29")
    assert found.evidence["path"] == "//usr/local/lib/libtensorflow-lite.so"
    # a symbol the user's own code lacks is no library's version
    assert "glibc-too-old" not in causes("main.cpp:(.text+0x1f): undefined reference to `run'")


def test_a_windows_dll_is_still_the_visual_cpp_runtime():
    text = ("ImportError: DLL load failed while importing _pywrap_tensorflow_internal: "
            "The specified module could not be found.")
    first = explain_text(text).findings[0]
    # read by the DLL-load step, which keeps Windows's reason, not guessed from the words
    assert (first.cause, first.evidence["reason"]) == (
        "msvc-runtime-missing", "The specified module could not be found.")
    assert "windows-dll-load-failed" in first.evidence["signatures"]
    bare = explain_text("ModuleNotFoundError: No module named '_pywrap_tensorflow_internal'")
    assert "reason" not in bare.findings[0].evidence


@pytest.mark.parametrize("text", [
    # Windows's own dialog spells the runtime's DLLs in capitals
    "The code execution cannot proceed because VCRUNTIME140_1.dll was not found.",
    "The program can't start because MSVCP140.dll is missing from your computer.",
    # boy1dr/SpleeterGui#6, in French: "the Vcruntime dll missing"
    "Au premier lancement la dll Vcruntime manquée.",
])
def test_the_visual_cpp_runtime_named_in_any_case(text):
    assert causes(text)[0] == "msvc-runtime-missing"


# Windows error 1114 as each display language words it (boy1dr/SpleeterGui#52 is the Dutch one;
# the others as Python and PyTorch users paste them)
@pytest.mark.parametrize("words", [
    "A dynamic link library (DLL) initialization routine failed.",
    "Een initialisatieroutine van de dynamic link library (DLL-bestand) is mislukt.",
    "Eine DLL-Initialisierungsroutine ist fehlgeschlagen.",
    "Une routine d'initialisation d'une bibliothèque de liens dynamiques (DLL) a échoué.",
    "Error en una rutina de inicialización de biblioteca de vínculos dinámicos (DLL).",
    "Uma rotina de inicialização da biblioteca de vínculo dinâmico (DLL) falhou.",
    "Произошел сбой в программе инициализации библиотеки динамической компоновки (DLL).",
    "动态链接库(DLL)初始化例程失败。",
    "動態連結程式庫 (DLL) 初始化例行程序失敗。",  # Sinotrade/Shioaji#124
    "ダイナミック リンク ライブラリ (DLL) 初期化ルーチンの実行に失敗しました。",
])
def test_a_dll_whose_start_up_failed_is_the_cpu_in_any_language(words):
    text = f"ImportError: DLL load failed: {words}\nFailed to load the native TensorFlow runtime."
    assert causes(text)[:2] == ["cpu-lacks-avx", "msvc-runtime-missing"]
    found = hypotheses(text)[1]
    assert found[0].evidence["reason"] == words
    assert found[0].weights == [0.6] and found[1].weights == [0.5]  # the runtime stays close


def test_the_numbered_error_is_the_same_in_every_language():
    text = ("ImportError: DLL load failed while importing _pywrap_tensorflow_internal:\n"
            "[WinError 1114] Une erreur inconnue")
    assert causes(text)[0] == "cpu-lacks-avx"
    # a library Windows could not find is not one whose start-up failed
    assert causes(text.replace("1114", "126"))[0] == "msvc-runtime-missing"


# -- extension-built-against-another-tensorflow -----------------------------------------------


def test_an_add_on_op_library_missing_tensorflow_symbols():
    finding = top(
        "tensorflow.python.framework.errors_impl.NotFoundError: /usr/local/lib/python3.10/"
        "dist-packages/tensorflow_text/python/ops/_regex_split_ops.so: undefined symbol: "
        "_ZN10tensorflow6StatusC1ENS_5error4CodeESt17basic_string_viewIcSt11char_traitsIcEE"
    )
    assert finding.cause == "extension-built-against-another-tensorflow"
    assert finding.evidence["package"] == "tensorflow_text"


def test_decision_forests_own_warning_and_its_ops_failing_to_load_are_the_add_on_cause():
    """tensorflow/decision-forests#195: TF-DF says which TensorFlow it was built for and that
    its custom ops failed to load; that is an add-on built for another TensorFlow, not two
    declared ranges in conflict (no resolver said so)."""
    finding = top(
        "WARNING:root:TensorFlow Decision Forests 1.0.1 is compatible with the following "
        "TensorFlow Versions: ['2.10.0']. However, TensorFlow 2.10.1 was detected. This can "
        "cause issues with the TF API and symbols in the custom C++ ops.\n"
        "WARNING:root:Failure to load the training.so custom c++ tensorflow ops. This error is "
        "likely caused the version of TensorFlow and TensorFlow Decision Forests are not "
        "compatible.")
    assert finding.cause == "extension-built-against-another-tensorflow"


def test_addons_own_range_warning():
    text = ("UserWarning: Tensorflow Addons supports using Python ops for all Tensorflow versions "
            "above or equal to 2.12.0 and strictly below 2.15.0 (nightly versions are not "
            "supported).\n The versions of TensorFlow you are currently using is 2.16.1 and is "
            "not supported.")
    assert causes(text)[0] == "extension-built-against-another-tensorflow"


def test_tensorflow_missing_its_own_symbols_is_two_builds_mixed():
    text = ("ImportError: /usr/lib/python3/site-packages/tensorflow/python/_pywrap_tensorflow_"
            "internal.so: undefined symbol: _ZN10tensorflow8internal21CheckOpMessageBuilder9"
            "NewStringB5cxx11Ev")
    assert causes(text)[0] == "tf-distributions-overlap"


@pytest.mark.parametrize("built, found", [("2.3.0", "2.4.1"), ("2.14.0", "2.12.0")])
def test_horovod_built_against_another_tensorflow_is_rebuilt_without_its_cache(built, found):
    """horovod/common/exceptions.py: Horovod records the framework release it compiled against
    and refuses another; the message's own advice is the fix, both ways of the mismatch."""
    finding = top(
        "horovod.common.exceptions.HorovodVersionMismatchError: Framework tensorflow installed "
        f"with version {built} but found version {found}.\n             This can result in "
        "unexpected behavior including runtime errors.")
    assert finding.cause == "extension-built-against-another-tensorflow"
    rebuild, other_way = finding.fix[:2]
    assert {"--no-cache-dir", "horovod"} <= set(rebuild.command)
    assert found in rebuild.description and built in other_way.description


def test_the_metal_plugin_is_still_the_metal_plugin():
    text = ("tensorflow.python.framework.errors_impl.NotFoundError: dlopen(/Users/a/miniforge3/"
            "lib/python3.10/site-packages/tensorflow-plugins/libmetal_plugin.dylib, 0x0006): "
            "Symbol not found: _TF_AssignUpdateVariable\n  Referenced from: /Users/a/miniforge3/"
            "lib/python3.10/site-packages/tensorflow-plugins/libmetal_plugin.dylib")
    assert causes(text)[0] == "metal-plugin-mismatch"


# -- downloaded-weights-file-corrupt vs the cache and other formats ---------------------------


def test_a_file_the_user_loads_without_hdf5_signature():
    text = ("    model = load_model('final_model.h5')\n"
            "OSError: Unable to open file (file signature not found)")
    assert causes(text)[0] == "downloaded-weights-file-corrupt"


def test_the_same_error_in_keras_own_cache_is_the_cache():
    text = ("Downloading data from https://storage.googleapis.com/tensorflow/keras-applications/"
            "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5\n"
            "  File \"/home/a/.keras/models/vgg16_weights_tf_dim_ordering_tf_kernels.h5\"\n"
            "OSError: Unable to open file (truncated file: eof = 33554432, sblock->base_addr = 0,"
            " stored_eof = 553467096)")
    assert causes(text)[0] == "weights-cache-corrupt"


def test_a_truncated_file_given_by_path_is_the_download():
    text = ("    model.load_weights('weights/best.hdf5')\n"
            "OSError: Unable to open file (truncated file: eof = 1048576, sblock->base_addr = 0, "
            "stored_eof = 94000000)")
    found = causes(text)
    assert found[0] == "downloaded-weights-file-corrupt"
    assert "weights-cache-corrupt" in found[:3]


def test_a_git_lfs_pointer_in_the_paste():
    text = ("$ cat model.h5\nversion https://git-lfs.github.com/spec/v1\n"
            "oid sha256:4d7a2146\nsize 133\n"
            "OSError: Unable to open file (file signature not found)")
    assert causes(text)[0] == "downloaded-weights-file-corrupt"


def test_a_keras_file_that_is_not_a_zip():
    text = ("  File \"/home/a/venv/lib/python3.11/site-packages/keras/src/saving/saving_lib.py\", "
            "line 242, in load_model\n    with zipfile.ZipFile(filepath, \"r\") as zf:\n"
            "zipfile.BadZipFile: File is not a zip file")
    assert causes(text)[0] == "downloaded-weights-file-corrupt"


def test_a_savedmodel_folder_under_keras3_is_still_another_format():
    text = ("ValueError: File format not supported: filepath=saved_model_dir. Keras 3 only "
            "supports V3 `.keras` files and legacy H5 format files (`.h5` extension).")
    assert causes(text)[0] == "model-format-incompatible"


# -- windows-long-path-limit ------------------------------------------------------------------


def test_pips_long_path_hint():
    text = ("ERROR: Could not install packages due to an OSError: [Errno 2] No such file or "
            "directory: 'C:\\\\Users\\\\a\\\\x'\nHINT: This error might have occurred since this "
            "system does not have Windows Long Path support enabled. You can find information on"
            " how to enable this at https://pip.pypa.io/warnings/enable-long-paths")
    assert causes(text)[0] == "windows-long-path-limit"


def test_the_path_length_decides_without_the_hint():
    deep = "\\\\".join(
        ["C:", "Users", "someone", "Documents", "projects", "emotion-recognition", "venv", "Lib",
         "site-packages", "tensorflow", "include", "external", "llvm-project", "mlir",
         "_virtual_includes",
         "BufferizableOpInterfaceIncGen", "mlir", "Dialect", "Linalg", "ComprehensiveBufferize",
         "BufferizableOpInterface.cpp.inc"])
    shallow = "C:\\\\Users\\\\a\\\\data\\\\train.csv"
    message = "ERROR: Could not install packages due to an OSError: [Errno 2] No such file or " \
              "directory: '{}'"
    long_one, short_one = top(message.format(deep)), top(message.format(shallow))
    assert long_one.cause == "windows-long-path-limit"
    assert long_one.evidence["path_length"] > 240
    assert short_one is None or short_one.cause != "windows-long-path-limit" or \
        short_one.confidence < long_one.confidence


# -- a device plugin TensorFlow loads from site-packages/tensorflow-plugins -------------------
# tensorflow/__init__.py (from api_template.__init__.py, TensorFlow 2.21) and
# python/framework/load_library.py as CPython prints their frames
PLUGIN_LOAD = (
    "Traceback (most recent call last):\n"
    '  File "<string>", line 1, in <module>\n'
    '  File "{site}/tensorflow/__init__.py", line 439, in <module>\n'
    "    _ll.load_library(_plugin_dir)\n"
    '  File "{site}/tensorflow/python/framework/load_library.py", line 151, in load_library\n'
    "    py_tf.TF_LoadLibrary(lib)\n"
)


def test_a_failure_loading_tensorflow_plugins_is_the_plugin_the_system_has():
    mac = PLUGIN_LOAD.format(site="/Users/me/venv/lib/python3.11/site-packages")
    linux = PLUGIN_LOAD.format(site="/home/me/venv/lib/python3.11/site-packages")
    assert causes(mac)[:2] == ["metal-plugin-mismatch",
                               "extension-built-against-another-tensorflow"]
    assert causes(linux)[0] == "extension-built-against-another-tensorflow"
    assert "metal-plugin-mismatch" not in causes(linux)
    # the same frames anywhere import TensorFlow without loading a plugin: the plugin step does not
    # claim them (the learnt ranker may still guess an extension from load_library's frame, which
    # loads custom-op libraries too, but only as a guess)
    plain = linux.replace("_ll.load_library(_plugin_dir)", "from tensorflow.python import pywrap")
    assert not any("tensorflow-plugin-load-frame" in h.signatures for h in hypotheses(plain)[1])
    assert all(f.confidence < 0.5 for f in explain_text(plain).findings
               if f.cause == "extension-built-against-another-tensorflow")


def test_the_tuning_report_cut_inside_the_plugin_load_names_the_metal_plugin():
    import corpus

    report = next(c for c in corpus.load() if c["id"] == "tf-81987-metal-plugin-tf218")
    assert causes(report["text"])[0] == "metal-plugin-mismatch"


def test_a_plugin_built_for_a_newer_macos_stays_the_macos():
    # dyld's own words say why the plugin did not load (tensorflow/tensorflow#53309's wording)
    text = (PLUGIN_LOAD.format(site="/Users/me/miniforge3/lib/python3.9/site-packages")
            + "tensorflow.python.framework.errors_impl.NotFoundError: dlopen(/Users/me/miniforge3/"
            "lib/python3.9/site-packages/tensorflow-plugins/libmetal_plugin.dylib, 6): Symbol not "
            "found: _OBJC_CLASS_$_MPSGraphCompilationDescriptor\n  Referenced from: /Users/me/"
            "miniforge3/lib/python3.9/site-packages/tensorflow-plugins/libmetal_plugin.dylib "
            "(which was built for Mac OS X 12.0)")
    assert causes(text)[0] == "macos-too-old"
    assert "extension-built-against-another-tensorflow" not in causes(text)


# -- TensorFlow 1.x's own check of the DLLs its Windows build links --------------------------
# tensorflow/python/platform/self_check.py (r1.15), preload_check: the error it raises
SELF_CHECK = (
    "ImportError: Could not find '{dll}'. TensorFlow requires that this DLL be installed in a "
    "directory that is named in your %PATH% environment variable.{rest}"
)


def test_the_self_check_naming_a_cuda_dll_is_the_cuda_library_not_the_visual_cpp_runtime():
    cudnn = SELF_CHECK.format(
        dll="cudnn64_7.dll",
        rest=" Note that installing cuDNN is a separate step from installing CUDA, and this DLL "
             "is often found in a different directory from the CUDA DLLs. You may install the "
             "necessary DLL by downloading cuDNN 7 from this URL: https://developer.nvidia.com/"
             "cudnn")
    assert causes(cudnn)[0] == "native-runtime-library-missing"
    msvcp = SELF_CHECK.format(
        dll="msvcp140.dll",
        rest=" You may install this DLL by downloading Visual C++ 2015 Redistributable Update 3 "
             "from this URL: https://www.microsoft.com/en-us/download/details.aspx?id=53587")
    assert causes(msvcp)[0] == "msvc-runtime-missing"


def test_a_paste_of_two_libraries_the_c_library_refuses_quotes_the_first():
    """The loader names the glibc version and the library that needed it (tensorflow/tensorflow
    #1324's line), once per refused load: the evidence is the first library, not a list."""
    first = ("ImportError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.17' not found "
             "(required by /usr/local/lib/python2.7/dist-packages/tensorflow/python/"
             "_pywrap_tensorflow.so)\n")
    second = first.replace("tensorflow/python/_pywrap_tensorflow.so", "h5py/_errors.so")
    found = explain_text(first + second).findings[0]
    assert found.cause == "glibc-too-old"
    assert found.evidence["needs"] == "GLIBC_2.17"
    assert found.evidence["path"] == ("/usr/local/lib/python2.7/dist-packages/tensorflow/python/"
                                      "_pywrap_tensorflow.so")


def _pip_could_not_install(path: str) -> str:
    # pip's words for a file it could not write (tensorflow/tensorflow#51841, Windows)
    return ("ERROR: Could not install packages due to an OSError: [Errno 2] No such file or "
            f"directory: '{path}'\n")


def test_a_short_path_into_tensorflows_headers_is_a_likely_long_path_limit():
    """The path pip quotes is often cut short: one past Windows' 260 characters is surest, one
    into TensorFlow's deep `include` tree (headers nested a dozen folders down) next, another
    short path least."""
    long_path = "C:\\Users\\ada\\" + "x" * 250 + "\\a.h"
    headers = ("C:\\Users\\ada\\venv\\Lib\\site-packages\\tensorflow\\include\\tsl\\platform\\"
               "status.h")
    other = "C:\\Users\\ada\\venv\\Lib\\site-packages\\keras\\src\\saving\\utils.py"
    scores = []
    for path in (long_path, headers, other):
        assert explain_text(_pip_could_not_install(path)).findings[0].cause == (
            "windows-long-path-limit")
        _, ranked = hypotheses(_pip_could_not_install(path))
        scores.append(ranked[0].score)
    # the evidence's weight, before the confidence maps (which may show the surest two alike): the
    # path says 0.85, 0.7 and 0.4; a header's name missing adds its own 0.6 to the first two
    assert [round(score, 2) for score in scores] == [0.94, 0.88, 0.4]
