"""The cause catalog: the stable IDs every finding names, with their long explanations.

Cause IDs are a public interface, like a linter's rule codes: scripts, CI configs and ignore lists
depend on them. Never rename or reuse one; add new IDs freely and mark retired ones as retired.
A cause is not a check: one cause can be reported by a `check`, by an `explain` signature and by a
`verify` step, so the catalog lives here, once, and `keras-doctor causes ID` prints from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from keras_doctor.findings import Severity

AREAS = {
    "platform": "Platform and architecture",
    "packages": "Package stack",
    "keras": "Keras",
    "weights": "Models and weights",
    "environment": "Environment",
    "verify": "Verification",
    "doctor": "keras-doctor itself",
}


@dataclass(frozen=True)
class Cause:
    id: str
    area: str
    severity: Severity
    summary: str
    revealed_by: str
    explanation: str
    retired: bool = False


def _c(
    id: str, area: str, severity: str, summary: str, revealed_by: str, explanation: str
) -> Cause:
    return Cause(id, area, Severity(severity), summary, revealed_by, explanation.strip())


_CAUSES = [
    # -- Platform and architecture -------------------------------------------------------------
    _c(
        "rosetta-python", "platform", "error",
        "an x86_64 interpreter runs on an Apple Silicon Mac (under Rosetta 2)",
        "`sysctl.proc_translated` = 1, or `hw.optional.arm64` = 1 with an x86_64 executable header",
        """
## Why is this bad?
An Intel (x86_64) Python runs on Apple Silicon through Rosetta 2 translation. Everything it installs
is x86_64 too: TensorFlow's Intel builds use AVX instructions that Rosetta does not emulate on most
macOS versions ("illegal instruction", or the process just dies), tensorflow-metal has no Intel
build after 1.0.0, and every native wheel is slower than it should be. The usual origin is an Intel
Homebrew under `/usr/local`, an Intel Miniconda/Anaconda installer, or a terminal set to "Open using
Rosetta".

## How to fix it
Use a native arm64 interpreter (python.org universal2 installer, arm64 Homebrew under
`/opt/homebrew`, Miniforge arm64, or `uv python install`) and build a fresh virtual environment with
it. An environment cannot be converted in place: every native extension in it is x86_64.
""",
    ),
    _c(
        "cpu-lacks-avx", "platform", "error",
        "an x86 TensorFlow build needs AVX that the CPU or emulator does not provide "
        "(\"illegal instruction\")",
        "CPU flags (`/proc/cpuinfo`, `sysctl machdep.cpu`), translation state, TF build platform",
        """
## Why is this bad?
Official x86_64 TensorFlow wheels since 1.6 are compiled with AVX (and later builds assume more).
A CPU without AVX, an emulator (Rosetta 2, which Apple documents as not translating AVX, AVX2 or
AVX512, and which gained AVX2 only in macOS 15; qemu without AVX), or a virtual machine that hides
the flag makes the first TensorFlow instruction that uses it kill the process with
SIGILL: `Illegal instruction (core dumped)`, `zsh: illegal hardware instruction`, or a Jupyter
kernel that "died" with no traceback.

## How to fix it
On an Apple Silicon Mac, use a native arm64 Python and the arm64 TensorFlow build; in a Docker
container there (an amd64 image run by QEMU or Rosetta, which print `qemu: uncaught target signal`
or `rosetta error:`), use an arm64 image (`--platform linux/arm64`): `tensorflow` has Linux aarch64
wheels from 2.10. Elsewhere, run on a CPU with AVX, or use a TensorFlow build compiled without AVX
(community builds, or building from source); upgrading TensorFlow does not help.
""",
    ),
    _c(
        "mixed-arch-binary", "platform", "error",
        "a native extension or library was built for another CPU architecture than the interpreter",
        "Mach-O / ELF / PE headers of every `.so`/`.dylib`/`.pyd` vs the interpreter's own header",
        """
## Why is this bad?
A compiled module can only be loaded by a process of its own architecture. Importing it fails with
`incompatible architecture (have 'x86_64', need 'arm64')`, `mach-o file, but is an incompatible
architecture`, `wrong ELF class` or `cannot open shared object file`, usually from deep inside an
import chain, far from the real cause. It happens when an environment is copied between machines,
when pip ran once under Rosetta and once natively, or when a wheel cache holds a build for the other
architecture. Universal2 ("fat") files that contain the interpreter's slice are fine.

## How to fix it
Reinstall each named distribution from a wheel for this architecture, bypassing the cache
(`--no-cache-dir --force-reinstall`), or rebuild the environment with a native interpreter.
""",
    ),
    _c(
        "wheel-tag-mismatch", "platform", "error",
        "an installed wheel was built for another Python version or platform than this interpreter",
        "the `Tag:` lines of each distribution's WHEEL file vs the target's supported tags",
        """
## Why is this bad?
A wheel is tagged with the Python versions, ABIs and platforms it was built for (`cp311`,
`macosx_11_0_arm64`, `manylinux_2_17_x86_64`). One that matches none of this interpreter's tags
got there by copying an environment, by `pip install --target` for another platform, or by an
interpreter upgraded in place: its compiled modules fail to import (`No module named
'numpy.core._multiarray_umath'`, `undefined symbol`). `pip check` reports it as "is not supported on
this platform".

## How to fix it
Reinstall the distribution so the installer picks the wheel for this interpreter.
""",
    ),
    _c(
        "macos-too-old", "platform", "error",
        "a binary needs a newer macOS than the running one",
        "Mach-O `LC_BUILD_VERSION` minos vs the OS version",
        """
## Why is this bad?
Every Mach-O binary records the oldest macOS it was built for. Loading it on an older system fails
with `Symbol not found` or `was built for newer macOS version (14.0) than being linked (12.0)`, even
when the wheel's own tag promised an older system.

## How to fix it
Install an older release of the named distribution whose binaries support this macOS, or upgrade
macOS.
""",
    ),
    _c(
        "no-wheel-for-python", "platform", "error",
        "no release of the wanted package has a wheel for this Python version",
        "knowledge base: wheel tags per release vs interpreter version",
        """
## Why is this bad?
TensorFlow and its plugins publish wheels for a few Python versions per release, and only after a
delay for new Pythons. Without a wheel, pip reports `No matching distribution found for tensorflow`
or picks a years-old release.

## How to fix it
Use a Python version the release supports (a new virtual environment with that version).
""",
    ),
    _c(
        "no-wheel-for-platform", "platform", "error",
        "no wheel for this OS/architecture, so pip tries (and fails) a source build or finds "
        "nothing",
        "knowledge base wheel tags vs platform tags of the interpreter",
        """
## Why is this bad?
When no wheel matches the platform, pip either finds nothing or falls back to a source
distribution it cannot build.

## How to fix it
Pick the distribution that ships wheels for this platform (for example `tensorflow` rather than
`tensorflow-macos` on Apple Silicon since 2.13), or a release that has them.
""",
    ),
    _c(
        "pinned-release-unavailable", "platform", "error",
        "the pinned release is not on the package index (never published, not yet published, "
        "or removed), for any platform or Python",
        "the requirement and pip's `from versions:` list in the text, against the release tables",
        """
## Why is this bad?
pip prints `Could not find a version that satisfies the requirement X==V (from versions: …)` both
when release V exists but has no wheel for this Python or machine, and when V was never published
under that name (or was deleted): `keras==2.5.0` (Keras 2.5 only ever had release candidates),
`tensorflow-macos==2.3.0` (the first tensorflow-macos is 2.5.0), a version copied from another
project's numbering, or a typo; or V is so new that it is not uploaded yet (tensorflow 2.14.0 for
Apple Silicon required tensorflow-macos 2.14.0 before that was published). No interpreter, platform
or pip upgrade can install a release the index does not have; changing Python, as the message
seems to suggest, does not help.

## How to fix it
Pin a release that exists (`pip index versions X` lists them; `keras-doctor recommend` names a set
that works together), or relax the pin (`X~=2.15.0` or `X>=…,<…`). When the pin comes from an old
`requirements.txt` or tutorial, pick the nearest published release of the same major and minor.
""",
    ),
    _c(
        "pip-too-old-for-platform-tags", "platform", "warning",
        "the installer is too old to recognise the platform tags of the available wheels",
        "pip version vs platform",
        """
## Why is this bad?
pip before 20.3 does not recognise `macosx_11_0_arm64` wheels, and old pips do not know newer
manylinux tags, so they skip the right wheel and try to build from source.

## How to fix it
Upgrade pip inside the environment: `python -m pip install --upgrade pip`.
""",
    ),
    _c(
        "msvc-runtime-missing", "platform", "error",
        "Windows: the Microsoft C++ runtime that TensorFlow's DLLs need is missing",
        "presence of `msvcp140.dll` / `vcruntime140_1.dll`",
        """
## Why is this bad?
TensorFlow's Windows DLLs link against the Visual C++ runtime; without it, `DLL load failed while
importing _pywrap_tensorflow_internal`.

## How to fix it
Install the latest Microsoft Visual C++ Redistributable (x64).
""",
    ),
    _c(
        "glibc-too-old", "platform", "error",
        "a Linux binary needs a newer glibc (or libstdc++) than the system has",
        "the `manylinux_2_X` tag of installed wheels vs the system glibc; `GLIBC_2.X not found`",
        """
## Why is this bad?
Linux wheels are built against a glibc: a `manylinux_2_28` wheel needs glibc 2.28 or later, and
TensorFlow's own binaries also need a recent libstdc++ (`GLIBCXX_3.4.x`). On an older system
(CentOS 7 ships glibc 2.17, Ubuntu 18.04 glibc 2.27, many HPC clusters older still) the dynamic
loader refuses the library: ``version `GLIBC_2.28' not found``. pip normally avoids such wheels,
but a copied environment, `--platform` downloads, conda mixing, or an old pip that ignores the tags
install them anyway.

## How to fix it
Install a release whose wheels support this glibc (an older TensorFlow, or the `manylinux2014`
build), or run in a newer OS image / container; for `GLIBCXX` errors, a newer libstdc++ (conda's
`libstdcxx-ng`) ahead of the system one.
""",
    ),
    _c(
        "openmp-duplicate-runtime", "platform", "error",
        "two copies of the OpenMP runtime are loaded into one process",
        "more than one OpenMP runtime library (libiomp5, libomp) in the environment's binaries",
        """
## Why is this bad?
Intel's OpenMP runtime (`libiomp5`) and LLVM's (`libomp`) refuse to start when another copy has
already initialised in the same process: `OMP: Error #15: Initializing libiomp5.dylib, but found
libomp.dylib already initialized`, then an abort (or, on macOS, a silent kernel death). It happens
when packages from different builders each bring their own copy: conda's MKL numpy with pip's
torch, PyTorch with TensorFlow, xgboost or lightgbm with conda's llvm-openmp.

## How to fix it
Install the packages from one channel so they share one runtime (all conda-forge, or all pip in a
clean virtualenv). `KMP_DUPLICATE_LIB_OK=TRUE` only silences the check and can give wrong results.
""",
    ),
    _c(
        "native-runtime-library-missing", "platform", "error",
        "a native library that TensorFlow, jaxlib or torch loads at run time is not there "
        "(CUDA/cuDNN, libomp, a system library)",
        "TensorFlow's `and-cuda` NVIDIA distributions (absent, or outside the versions TensorFlow "
        "declares); the loader's `cannot open shared object file` / `Library not loaded`",
        """
## Why is this bad?
Some libraries are not in the wheel: TensorFlow's GPU builds open the CUDA runtime, cuBLAS, cuDNN
and friends with `dlopen` when they start (`Could not load dynamic library 'libcudart.so.11.0'`,
then the GPU is silently ignored), jaxlib and torch link them too, and some macOS wheels link
`@rpath/libomp.dylib` expecting Homebrew's or conda's copy. When the library is not on the loader's
path, or is another major version than the one the binary was built against (CUDA 12 installed,
`libcudart.so.11.0` wanted), the loader refuses: an `ImportError` naming the file, or a warning and
a CPU-only run. This is not a wrong architecture (`mixed-arch-binary`) and not Windows' Visual C++
runtime (`msvc-runtime-missing`): the file is simply not found.

## How to fix it
On Linux with TensorFlow >= 2.14 let pip bring the exact CUDA libraries: `pip install
'tensorflow[and-cuda]'` (it pins the NVIDIA wheels TensorFlow was built with). Otherwise install
the CUDA/cuDNN release the TensorFlow build table names for this version, or a TensorFlow built for
the CUDA you have, and put its `lib` folder on `LD_LIBRARY_PATH`. For `libomp.dylib` on a Mac:
`brew install libomp` (or `conda install llvm-openmp`). Without a GPU the CUDA warnings can be
ignored.
""",
    ),
    _c(
        "windows-long-path-limit", "platform", "error",
        "Windows: pip cannot write a file whose path exceeds 260 characters (Long Path support "
        "is off)",
        "the `LongPathsEnabled` registry value "
        "(HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem)",
        """
## Why is this bad?
Windows limits paths to 260 characters (MAX_PATH) unless Long Path support is enabled. TensorFlow's
wheels carry C++ headers nested deep under `tensorflow/include/external/…`; inside a virtual
environment in a user folder (or the Microsoft Store Python's `AppData\\Local\\Packages\\…` folder)
those paths pass 260 characters, and pip fails half-way with `OSError: [Errno 2] No such file or
directory` on a file it is creating. Recent pips add "HINT: This error might have occurred
since this system does not have Windows Long Path support enabled".

## How to fix it
Enable Long Path support (as administrator, once): set `LongPathsEnabled` to 1 under
`HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem` (PowerShell: `New-ItemProperty -Path
"HKLM:\\SYSTEM\\CurrentControlSet\\Control\\FileSystem" -Name LongPathsEnabled -Value 1
-PropertyType DWORD -Force`), then run pip again. Without administrator rights, create the
virtual environment in a short folder (`C:\\venvs\\tf`) and use a python.org Python rather than
the Store one.
""",
    ),
    # -- Package stack --------------------------------------------------------------------------
    _c(
        "tf-distributions-overlap", "packages", "error",
        "two distributions share installed files (TensorFlow families: tensorflow with "
        "tensorflow-macos, tensorflow-cpu, tensorflow-intel, tf-nightly…)",
        "installed files (RECORD) owned by more than one distribution",
        """
## Why is this bad?
`tensorflow`, `tensorflow-cpu`, `tensorflow-macos`, `tensorflow-intel`, `tensorflow-cpu-aws` and
`tf-nightly` are different distributions that all install the same `tensorflow/` package. pip sees
no conflict between them (`pip check` is silent), so installing a second one writes its files over
the first: the versions mix, and uninstalling either deletes files the other still needs. Imports
then fail in ways that name no package at all.

## How to fix it
Uninstall every distribution that owns the shared files, then install exactly one of them.
""",
    ),
    _c(
        "keras-distributions-overlap", "packages", "error",
        "two distributions install the same `keras/` package (keras with keras-nightly, or a "
        "nightly TensorFlow's Keras)",
        "installed files (RECORD) under `keras/` owned by more than one distribution",
        """
## Why is this bad?
`keras` and `keras-nightly` are different distributions of the same `keras/` package (TensorFlow
2.5–2.6 and `tf-nightly` depend on `keras-nightly`). pip sees no conflict, so the second install
writes its files over the first: Keras's modules come from two releases at once, `keras.__version__`
and the metadata disagree, and imports fail in ways that name no package
(`module 'keras' has no attribute …`, `cannot import name … from keras.src…`). Uninstalling one
deletes files the other still needs.

## How to fix it
Uninstall every distribution that owns `keras/` (keras, keras-nightly), then install the one
release that matches TensorFlow.
""",
    ),
    _c(
        "dependency-too-new", "packages", "error",
        "a dependency is newer than the old Keras / TensorFlow code that uses it (h5py 3 with "
        "Keras <= 2.4, …)",
        "installed versions of old Keras / TensorFlow and of the dependency",
        """
## Why is this bad?
Old releases did not pin an upper bound on some dependencies, so pip installs today's version,
which changed behaviour underneath them. The classic case: h5py 3.0 returns HDF5 string attributes
as `str` instead of `bytes`, and Keras <= 2.4 (and TensorFlow <= 2.3's Keras) calls
`.decode('utf8')` on them while loading a model: `'str' object has no attribute 'decode'`.
Others: gast 0.3+ under TensorFlow 1.x (`module 'gast' has no attribute 'Num'`), markupsafe 2.1
under old Jinja2 (`soft_unicode`), scipy 1.3+ under code that uses `scipy.misc.imread`.

## How to fix it
Install the dependency's last compatible release (`h5py<3` for Keras <= 2.4), or upgrade the old
package to a release that supports the new dependency.
""",
    ),
    _c(
        "metal-plugin-mismatch", "packages", "error",
        "the installed tensorflow-metal does not match the installed TensorFlow",
        "knowledge base table; plugin symbols vs TF exports",
        """
## Why is this bad?
tensorflow-metal declares no dependency on TensorFlow, so no resolver stops a mismatched pair. A
plugin built for another TensorFlow fails to load (`Symbol not found`, `Library not loaded:
@rpath/_pywrap_tensorflow_internal.so`) or loads and crashes.

## How to fix it
Install the tensorflow-metal release that matches the installed TensorFlow (Apple's table), or the
TensorFlow release that matches the plugin.
""",
    ),
    _c(
        "tensorflow-macos-fork-not-recognised", "packages", "error",
        "on a Mac, Apple's tensorflow-macos provides TensorFlow, but a package or tool asks for "
        "the distribution named `tensorflow`",
        "a distribution's Requires-Dist on `tensorflow` while only tensorflow-macos is installed; "
        "pip's and pkg_resources' words in the text",
        """
## Why is this bad?
From TensorFlow 2.5 to 2.12, TensorFlow for Apple Silicon (and Apple's Metal-era builds) was
published only as `tensorflow-macos`: it installs the `tensorflow` module, but its distribution has
another name. Packages that declare `tensorflow>=…` (tensorflow-text, tensorflow-hub's extras,
keras-nlp, tensorflow-recommenders, many research repositories) see that requirement unmet although
`import tensorflow` works: pip tries to install `tensorflow` beside it (no arm64 wheel before 2.13:
"No matching distribution found for tensorflow", or an x86 wheel that overwrites the fork's files),
`pip check` reports "requires tensorflow, which is not installed", pkg_resources-based entry
points raise `DistributionNotFound: The 'tensorflow' distribution was not found`, and a package
asking `importlib.metadata.version("tensorflow")` gets `PackageNotFoundError`.

## How to fix it
Install the package with `--no-deps` (its code imports `tensorflow`, which tensorflow-macos
provides), or move to TensorFlow ≥ 2.13, where `tensorflow` itself has macOS arm64 wheels (2.13–2.15
as a shim that pulls in tensorflow-macos of the same version, which satisfies both names).
""",
    ),
    _c(
        "keras-tf-version-skew", "packages", "error",
        "the installed Keras does not match the TensorFlow it runs with (a standalone Keras 2.x of "
        "another minor, or Keras 3 where TensorFlow needs Keras 2)",
        "installed versions vs knowledge base",
        """
## Why is this bad?
From TensorFlow 2.6 to 2.15, `keras` is a separate distribution that must have the same minor
version as TensorFlow. Another minor fails with errors like `cannot import name 'X' from
'keras.engine'` or protobuf descriptor errors.

## How to fix it
Install the Keras release that matches TensorFlow's minor (`keras~=2.15.0` for TensorFlow 2.15).
""",
    ),
    _c(
        "keras3-legacy-code", "keras", "warning",
        "Keras 2 code, or a dependency written for `tf.keras`, runs under Keras 3",
        "keras >= 3 with TF >= 2.16; `tf_keras` missing or `TF_USE_LEGACY_KERAS` unset",
        """
## Why is this bad?
TensorFlow 2.16 made Keras 3 the `tf.keras`. Code and libraries written for Keras 2
(tensorflow_hub, transformers' TF models, older tutorials) fail with errors about
`KerasTensor`s, missing `keras.engine`, or layers that are not Keras 3 layers.

## How to fix it
Install `tf-keras` at TensorFlow's minor and set `TF_USE_LEGACY_KERAS=1` (exactly `1`, `true` or
`True`) before TensorFlow is imported, or port the code to Keras 3.
""",
    ),
    _c(
        "tf1-api-under-tf2", "keras", "error",
        "TensorFlow 1 code (`tf.placeholder`, `tf.Session`, `tf.contrib`, …) runs under "
        "TensorFlow 2",
        "TensorFlow >= 2 installed; the missing name is one only TensorFlow 1.x exposes "
        "(`knowledge/data/tf1_api.json`, read from the wheels)",
        """
## Why is this bad?
TensorFlow 2.0 removed the graph-and-session API from its top level: `tf.placeholder`, `tf.Session`,
`tf.get_default_graph`, `tf.ConfigProto`, `tf.variable_scope`, `tf.app`, `tf.logging` and about
350 more names live on only under `tf.compat.v1`, and `tf.contrib` and
`tensorflow.examples.tutorials` are gone entirely. Keras' `backend.get_session` /
`set_session` went the same way. Code, tutorials and libraries written for TensorFlow 1 therefore
fail under any TensorFlow 2 with `module 'tensorflow' has no attribute 'placeholder'` or
`No module named 'tensorflow.contrib'`; nothing is wrong with the installation.

## How to fix it
Use the TensorFlow 1 API that TensorFlow 2 keeps: `import tensorflow.compat.v1 as tf` and
`tf.disable_v2_behavior()` (or `tf.compat.v1.X` name by name;
`tf.compat.v1.keras.backend.get_session` for Keras' session), or port the code to TensorFlow 2
(`tf_upgrade_v2` rewrites most of it). `tf.contrib` has no TensorFlow 2 copy: its parts moved to
separate projects (tf-slim, tensorflow-addons) or must be replaced. Installing TensorFlow 1.x
instead works only in an old Python: the last 1.x release, 1.15.5, publishes wheels for CPython
3.6 and 3.7 only (x86_64 Linux, Intel macOS, Windows; no Apple Silicon build).
""",
    ),
    _c(
        "code-uses-removed-tensorflow-api", "keras", "error",
        "TensorFlow 2 code calls a name a later TensorFlow 2 release removed (`tf.estimator` in "
        "2.16, `tf.config.experimental_list_devices`, …)",
        "`module 'tensorflow' has no attribute …` for a name earlier 2.x wheels have; the working "
        "directory's scripts against the installed TensorFlow",
        """
## Why is this bad?
TensorFlow 2 removes public names between minor releases too, not only at the 1 → 2 boundary
(`tf1-api-under-tf2`): `tf.estimator` is gone from 2.16 on, `tf.config.experimental_list_devices`
after 2.0, `tf.mixed_precision` as a top-level module after 2.6 (it lives in `tf.keras`). Code
written for the release that had the name fails with `module 'tensorflow' has no attribute …`
(or `cannot import name …`) under a newer one. keras-doctor reads which names each sampled
TensorFlow 2 wheel exposes, so it knows the last release that had the name.

## How to fix it
Install a TensorFlow that still has the name (`tensorflow<=` the last release shown), or port the
code to the replacement the release notes name (for `tf.estimator`, Keras models; for
`experimental_list_devices`, `tf.config.list_logical_devices`).
""",
    ),
    _c(
        "keras3-required", "packages", "error",
        "something needs Keras 3 but Keras 2 is installed",
        "installed versions, requirements of installed packages",
        """
## Why is this bad?
TensorFlow 2.16+ and recent libraries (keras-hub, keras-cv) require Keras 3; with Keras 2 installed
their imports fail or fall back to broken paths.

## How to fix it
Install Keras 3 (`keras>=3`), or pin the package that needs it to a Keras 2 era release.
""",
    ),
    _c(
        "keras3-removed-api", "keras", "error",
        "a name that Keras 3 removed",
        "symbol atlas for the installed Keras",
        """
## Why is this bad?
Keras 3 removed `keras.layers.experimental`, `ImageDataGenerator` and `Tokenizer` from
`keras.preprocessing`, `keras.optimizers.legacy` and more. Old code fails with `cannot import name`
or `has no attribute`.

## How to fix it
Use the Keras 3 replacement named in the finding, or run the code with tf-keras.
""",
    ),
    _c(
        "keras-api-moved", "keras", "error",
        "a name imported from the wrong module, or from a private path",
        "symbol atlas",
        """
## Why is this bad?
Names move between modules across releases, and private paths (`keras.src…`, `keras.engine…`,
`tensorflow.python.keras…`) change without notice.

## How to fix it
Import the name from the public module the finding names.
""",
    ),
    _c(
        "package-too-old-for-api", "keras", "error",
        "the name exists, but only in newer releases than the installed one",
        "symbol atlas per version",
        """
## Why is this bad?
The code was written for a newer release than the one installed (e.g. `EfficientNetV2B0` needs
keras >= 2.8).

## How to fix it
Upgrade to a release that has the name (the finding gives the first one).
""",
    ),
    _c(
        "keras-backend-unavailable", "keras", "error",
        "`KERAS_BACKEND` or `~/.keras/keras.json` names a backend that is not installed or not "
        "valid",
        "env vars, keras.json, installed distributions",
        """
## Why is this bad?
Keras 3 chooses its backend from `KERAS_BACKEND`, else from the `backend` key of
`$KERAS_HOME/keras.json` (default `~/.keras/keras.json`), else TensorFlow. When that names jax or
torch and they are not installed, `import keras` fails; a name Keras does not know fails too.

## How to fix it
Install the backend, or point Keras at an installed one (`KERAS_BACKEND=tensorflow`, or edit
keras.json).
""",
    ),
    _c(
        "keras-config-invalid", "keras", "warning",
        "`~/.keras/keras.json` is not valid JSON, or holds a setting Keras refuses",
        "parsing `$KERAS_HOME/keras.json`",
        """
## Why is this bad?
Keras reads its backend, float type and image data format from keras.json and silently falls back to
its defaults when the file is not valid JSON, so the settings you wrote there do not apply. Keras 1
and early Keras 2 read it without that fallback, so `import keras` fails with the JSON decoder's
error (`Expecting property name: line 1 column 2`); Keras 3 refuses a floatx, epsilon or
image_data_format it does not know ("Invalid `floatx` configuration").

## How to fix it
Fix the JSON syntax or the setting (or delete the file; Keras writes a fresh one on next import).
""",
    ),
    _c(
        "numpy-abi-mismatch", "packages", "error",
        "numpy is newer or older than the ABI TensorFlow (or another extension) was built against",
        "installed versions vs knowledge base",
        """
## Why is this bad?
Extensions compiled against NumPy 1.x cannot run with NumPy 2.x: `A module that was compiled using
NumPy 1.x cannot be run in NumPy 2.x`, then `_ARRAY_API not found` or `numpy.core.umath failed to
import`. TensorFlow before 2.18 is a NumPy 1 build; some releases do not declare the cap, so pip
installs NumPy 2 next to them without complaint.

## How to fix it
Install `numpy<2` for TensorFlow <= 2.17, or upgrade TensorFlow to 2.18 or later.
""",
    ),
    _c(
        "protobuf-mismatch", "packages", "error",
        "protobuf outside the range TensorFlow's generated code needs",
        "installed versions vs requirements",
        """
## Why is this bad?
TensorFlow's generated `_pb2` modules need a protobuf runtime in a given range: too old gives
`cannot import name 'builder' from 'google.protobuf.internal'`, too new or too old across a major
gives gencode/runtime version errors or `Descriptors cannot be created directly`.

## How to fix it
Install the protobuf range TensorFlow declares.
""",
    ),
    _c(
        "ml-dtypes-mismatch", "packages", "error",
        "ml-dtypes outside the range TensorFlow needs",
        "installed versions vs requirements",
        """
## Why is this bad?
TensorFlow registers its bfloat16 and float8 types through ml-dtypes; another release fails with
`module 'ml_dtypes' has no attribute 'float8_e4m3b11'` or similar.

## How to fix it
Install the ml-dtypes range TensorFlow declares.
""",
    ),
    _c(
        "missing-dependency", "packages", "error",
        "a required distribution is not installed",
        "requirements of installed distributions",
        """
## Why is this bad?
An installed distribution declares a requirement that is not installed in the environment (an
interrupted install, `--no-deps`, or a manual uninstall); the import fails when the missing module
is first needed.

## How to fix it
Install the missing distribution at the version the requirement names.
""",
    ),
    _c(
        "requirement-conflict", "packages", "error",
        "an installed distribution's version is outside what another installed distribution "
        "requires",
        "Requires-Dist of installed distributions, evaluated for the target platform",
        """
## Why is this bad?
The environment holds a version that another installed distribution declares it cannot work with
(what `pip check` reports). It is often harmless for a while, then breaks at import or at run time.

## How to fix it
Install a version inside the required range, or upgrade the distribution that requires it.
""",
    ),
    _c(
        "extension-built-against-another-tensorflow", "packages", "error",
        "a compiled TensorFlow add-on (tensorflow-text, tensorflow-addons, tensorflow-io, "
        "decision forests, custom ops) was built for another TensorFlow release",
        "the add-on's version vs the TensorFlow it declares or was built for (tensorflow-text's "
        "pin, tensorflow-addons' supported range)",
        """
## Why is this bad?
TensorFlow has no stable C++ ABI: an op library (`_*.so`) compiled against one TensorFlow release
calls C++ symbols by their mangled names (`_ZN10tensorflow8OpKernel…`), and the next release
renames or changes them. Loading the add-on under another TensorFlow then fails with `NotFoundError:
…/_text_similarity_metric_ops.so: undefined symbol: _ZN10tensorflow…`, or the add-on warns that it
supports only a range of TensorFlow versions and its ops misbehave. It happens when pip upgrades
TensorFlow alone (Colab does this often), or installs the add-on's newest release beside an older
TensorFlow.

## How to fix it
Install the add-on release built for the installed TensorFlow (tensorflow-text and
tensorflow-decision-forests share TensorFlow's minor: `tensorflow-text~=2.15.0` for TensorFlow
2.15; tensorflow-addons names its range in the warning), or move TensorFlow to the release the
add-on was built for. Installing both in one command lets the resolver pick a matching pair.
""",
    ),
    _c(
        "hdf5-library-mismatch", "packages", "error",
        "h5py (or another HDF5 user) runs with another HDF5 library than the one it was built "
        "against",
        "conda's `hdf5` record vs the HDF5 release h5py (or pytables) was built for",
        """
## Why is this bad?
HDF5 checks at start-up that the library a program loaded is the release whose headers it was
compiled with; when they differ it prints "Warning! ***HDF5 library version mismatched error***
… Headers are 1.10.4, library is 1.10.5" and aborts the process (`Abort trap`, a dead kernel), and
h5py warns "h5py is running against HDF5 X when it was built against Y". The usual origin is mixing
installers: a conda `hdf5` updated under a conda `h5py` built for the old one, a pip `h5py` or
`tables` beside conda's HDF5, or a Homebrew / system `libhdf5` found first through
`LD_LIBRARY_PATH` / `DYLD_LIBRARY_PATH`. Keras loads `.h5` files through h5py, so loading weights
is where it shows.

## How to fix it
Install h5py and HDF5 from one source: in a conda environment `conda install -c conda-forge h5py
hdf5` (the solver pairs them); in a virtualenv `pip install --force-reinstall h5py` (the wheel
bundles its own HDF5) and unset `LD_LIBRARY_PATH` / `DYLD_LIBRARY_PATH` entries that point at
another libhdf5. `HDF5_DISABLE_VERSION_CHECK` only silences the check; data may be corrupted.
""",
    ),
    _c(
        "duplicate-install", "packages", "warning",
        "the same package installed twice, or leftovers of an interrupted uninstall",
        "site-packages scan",
        """
## Why is this bad?
Two metadata folders for one project (two versions in one site-packages, or one in the user site
and one in the environment), or `~`-prefixed folders that pip left behind when an uninstall was
interrupted, make the version you import differ from the version pip reports, and make uninstalls
remove the wrong files.

## How to fix it
Remove the stale copy (uninstall until none is left, then install once), and delete leftover
`~…` folders.
""",
    ),
    _c(
        "broken-metadata", "packages", "warning",
        "a distribution's metadata is missing or unreadable",
        "dist-info scan",
        """
## Why is this bad?
Without readable metadata, pip can neither uninstall nor check the distribution, and tools that
read versions (including TensorFlow's own checks) fail.

## How to fix it
Reinstall the distribution with `--force-reinstall --no-deps`, or remove the broken folder.
""",
    ),
    _c(
        "stale-wheel-cache", "environment", "warning",
        "a locally built wheel in the pip or uv cache has binaries that do not match its tag or "
        "this "
        "interpreter",
        "headers of the binaries inside cached wheels vs their tags",
        """
## Why is this bad?
A wheel built once under Rosetta or with a wrong toolchain stays in the cache and is reinstalled
every time: the real reason behind "purge the pip cache" advice. pip and uv pick a cached wheel by
the tags in its file name and never look inside, so a `universal2` wheel whose binary holds only
x86_64 code is installed again on every arm64 run. `keras-doctor check` reads the binaries inside
the cached wheels this interpreter would pick and names the ones that cannot load here.

## How to fix it
Remove that cache entry (`pip cache remove NAME`, `uv cache clean NAME`). pip matches `NAME-*.whl`
as the file is spelled (`ml_dtypes`, not `ml-dtypes`); `keras-doctor fix` runs the right command
and lists the cached files it deletes first. Then reinstall the package if it is installed.
""",
    ),
    _c(
        "deprecated-distribution", "packages", "warning",
        "a distribution that is obsolete for this platform",
        "installed versions vs knowledge base",
        """
## Why is this bad?
`tensorflow-macos` is obsolete since TensorFlow 2.13, when `tensorflow` itself started to ship
arm64 macOS wheels; its last releases are shims.

## How to fix it
Replace it with the distribution that is current for this platform.
""",
    ),
    # -- Models and weights ---------------------------------------------------------------------
    _c(
        "weights-cache-corrupt", "weights", "error",
        "a cached weights file in `~/.keras/models` is truncated or does not match Keras's known "
        "hash, or a module in TF-Hub's cache (`tfhub_modules`) is incomplete",
        "file size, HDF5 signature, hash vs knowledge base; the module folder a SavedModel error "
        "names",
        """
## Why is this bad?
An interrupted download leaves a truncated file that fails with `OSError: Unable to open file
(truncated file…)` or `file signature not found`. On a hash mismatch Keras re-downloads and deletes
the file, so the evidence disappears at the next run.

TF-Hub keeps each downloaded module in a folder named after the handle's SHA-1, under
`TFHUB_CACHE_DIR` or, by default, the system's temp folder (`/tmp/tfhub_modules`,
`/var/folders/…/T/tfhub_modules`, `%TEMP%\\tfhub_modules`), and treats a folder with anything left
in it as downloaded. A temp-folder cleaner that removes old files but leaves folders, or a download
cut short, leaves a module TF-Hub never fetches again: `OSError: SavedModel file does not exist
at: …/tfhub_modules/<sha1>/{saved_model.pbtxt|saved_model.pb}`.

## How to fix it
Delete the named file; Keras downloads it again on next use. For TF-Hub, delete the module's folder
and point `TFHUB_CACHE_DIR` at a folder the system does not clean.
""",
    ),
    _c(
        "downloaded-weights-file-corrupt", "weights", "error",
        "a model or weights file given by path is not what its name says (a Git LFS pointer, an "
        "HTML page, a truncated download)",
        "the first bytes and size of the `.h5` / `.keras` files in the working directory",
        """
## Why is this bad?
`load_model("model.h5")` or `load_weights("weights.hdf5")` reads a file the user fetched: cloned
from a repository that keeps it in Git LFS without `git lfs` installed (a 130-byte text pointer
`version https://git-lfs.github.com/spec/v1`), downloaded with `wget` / `curl` from Google Drive or
a release page that answered with an HTML page, or cut off mid-download. HDF5 then finds no
signature (`OSError: Unable to open file (file signature not found)`) or a file shorter than its
superblock says (`truncated file`), and a `.keras` file is not a zip archive (`File is not a zip
file`). This is not Keras's own download cache (`weights-cache-corrupt`) and not a valid file of
another Keras format (`model-format-incompatible`): the bytes on disk are wrong.

## How to fix it
Look at the file: a few hundred bytes, or text starting with `version https://git-lfs` or `<html`,
is not the model. Fetch it again properly (`git lfs install && git lfs pull` in the clone; the
direct download link, not the sharing page; compare the size with the one published) and load it
again.
""",
    ),
    _c(
        "weights-download-ssl", "weights", "error",
        "downloading ImageNet weights fails on certificate verification",
        "interpreter's SSL default paths, certifi presence",
        """
## Why is this bad?
python.org installers on macOS ship without a CA bundle until "Install Certificates.command" runs;
weight downloads then fail with `CERTIFICATE_VERIFY_FAILED`.

## How to fix it
Run `/Applications/Python 3.X/Install Certificates.command`, or point `SSL_CERT_FILE` at certifi's
bundle.
""",
    ),
    _c(
        "weights-model-mismatch", "weights", "error",
        "weights that do not fit the model's configuration (`include_top`, input shape, classes)",
        "the error text; call arguments",
        """
## Why is this bad?
ImageNet weights exist for particular configurations: `include_top=True` needs 1000 classes and the
default input size; other shapes need `include_top=False`.

## How to fix it
Use `include_top=False` with a custom head, or the default input shape and classes.
""",
    ),
    _c(
        "model-format-incompatible", "weights", "error",
        "a saved model in a format the installed Keras cannot load",
        "error text, file signature",
        """
## Why is this bad?
Keras 3 loads `.keras` and `.h5` files but not TensorFlow SavedModel folders (use `TFSMLayer`), and
a file written by a newer Keras may not load in an older one.

## How to fix it
Load with the Keras that wrote the file (tf-keras for Keras 2 files), or convert the model.
""",
    ),
    # -- Environment ----------------------------------------------------------------------------
    _c(
        "shadowed-module", "environment", "error",
        "a local `keras.py`, `tensorflow.py`, `numpy.py` (or folder) hides the real package",
        "working directory and `sys.path` entries ahead of site-packages",
        """
## Why is this bad?
Python imports the first match on `sys.path`, and the script's folder (or the working directory)
comes first. A file named `keras.py` (often the user's own first experiment), `tensorflow.py` or
`numpy.py` hides the installed package: `module 'keras' has no attribute 'Sequential'`, `partially
initialized module`, or `cannot import name` errors that name your own file.

## How to fix it
Rename the file (and delete its `__pycache__` entry).
""",
    ),
    _c(
        "wrong-interpreter", "environment", "warning",
        "the shell, pip, and Jupyter kernel are not the same environment",
        "`sys.executable` vs `pip` on PATH vs kernel specs",
        """
## Why is this bad?
`pip install` went into one environment and `python` (or the notebook kernel) runs another, so
every install "succeeds" and nothing changes.

## How to fix it
Always install with `python -m pip` using the interpreter that runs the code, or register the
environment's kernel.
""",
    ),
    _c(
        "kernel-not-restarted", "environment", "warning",
        "a package was installed or changed under a running notebook kernel that was not restarted",
        "a notebook traceback after an install in the same session; Colab's restart warning",
        """
## Why is this bad?
A running Python process keeps the modules it already imported. `pip install` in a notebook cell
writes new files to disk, but the kernel still holds the old numpy / TensorFlow in memory (or caches
the fact that a module was missing), so the install seems to have no effect, or the old and new
versions mix: `No module named …` right after a successful install, NumPy ABI errors, `module has
no attribute …`. Colab prints "You must restart the runtime in order to use newly installed
versions"; `%pip` prints "you may need to restart the kernel".

## How to fix it
Restart the kernel (Jupyter: Kernel ▸ Restart; Colab: Runtime ▸ Restart session), then run the
cells again. Install with `%pip install …` so the package goes to the kernel's own environment.
""",
    ),
    _c(
        "externally-managed-python", "environment", "warning",
        "the interpreter is a system Python that forbids pip installs (PEP 668)",
        "`EXTERNALLY-MANAGED` marker file",
        """
## Why is this bad?
The operating system's package manager owns this Python; `pip install` refuses with
`externally-managed-environment`, and forcing it can break system tools.

## How to fix it
Create a virtual environment and install there.
""",
    ),
    _c(
        "network-unreachable", "environment", "error",
        "the package index or the download host cannot be reached (no network, DNS, a proxy or "
        "a firewall)",
        "pip's and urllib's connection errors in the text; malformed proxy settings in the "
        "environment or pip's configuration",
        """
## Why is this bad?
pip and Keras's `get_file` (weights, datasets) open a connection to the package index or the
download host. When the machine is offline, the name does not resolve (`Temporary failure in name
resolution`, `getaddrinfo failed`, `nodename nor servname provided`), a firewall drops the
connection (`[Errno 110] Connection timed out`, `[WinError 10060]`), or a proxy is required but not
configured (or configured wrongly), nothing is downloaded: pip retries five times (`Retrying
(Retry(total=4, …)) after connection broken by 'NewConnectionError(…)'`) and then reports that no
version satisfies the requirement, as if none existed; Keras raises `URL fetch failure on …: None
-- [Errno …]`. This is not a certificate problem (`weights-download-ssl`), and nothing in the
Python environment is broken.

## How to fix it
Check the connection to the host (`curl -I https://pypi.org/simple/` or the URL in the error).
Behind a proxy, set `HTTPS_PROXY` (and `HTTP_PROXY`) to `http://host:port`, or pass
`pip --proxy`; on a notebook service (Kaggle, a lab server), enable its internet access. Without
network, download the file elsewhere and install it with `pip install ./file.whl`, or put a weights
file in `~/.keras/models/`.
""",
    ),
    _c(
        "informational-message-not-an-error", "environment", "info",
        "the pasted lines are TensorFlow's start-up log messages, not an error: nothing failed",
        "the text: log lines TensorFlow or tensorflow-metal print at INFO / WARNING level (or at "
        "ERROR level though nothing failed), and no exception, failed install or crash",
        """
## Why is this bad?
It is not. TensorFlow logs what it finds at start-up, and the lines look alarming: "This TensorFlow
binary is optimized to use available CPU instructions…" (the build could use more of this CPU's
instructions), "oneDNN custom operations are on" (Intel's kernels, tiny numeric differences),
"Could not find cuda drivers on your machine, GPU will not be used" (a CUDA build on a machine
without NVIDIA), "Unable to register cuDNN factory … already been registered" (logged at ERROR
level, harmless), "Could not identify NUMA node" / "successful NUMA node read from SysFS had
negative value", "Plugin optimizer for device_type GPU is registered" and "Metal device set to:
Apple M1" (tensorflow-metal found the GPU: it works). Nothing failed. If the program did fail, the
error is elsewhere in the output, usually at its end: paste that part.

## How to fix it
Nothing to fix. To hide TensorFlow's C++ log lines, set `TF_CPP_MIN_LOG_LEVEL` before TensorFlow is
imported (`1` hides INFO, `2` also WARNING, `3` also ERROR); tensorflow-metal's "Metal device set
to" lines are written directly and no log level hides them. `keras-doctor check` examines the
environment itself.
""",
    ),
    _c(
        "out-of-memory", "environment", "error",
        "the operating system killed the process for using too much memory; no package is at "
        "fault",
        "the text: the shell's `Killed` (`Killed: 9` on macOS, `zsh: killed`), exit code 137 / "
        "SIGKILL, the kernel's `Out of memory: Killed process`, C++'s `std::bad_alloc`, Python's "
        "`MemoryError`, NumPy's `Unable to allocate`, TensorFlow's `OOM when allocating tensor`",
        """
## Why is this bad?
Nothing is wrong with the installation. The program asked for more memory than the machine (or the
container, or the GPU) had: Linux's out-of-memory killer then sends SIGKILL, which no program can
catch, so there is no traceback, only the shell's `Killed` (exit code 137, "interrupted by signal
9: SIGKILL" in an IDE, a notebook kernel that dies). macOS prints `Killed: 9`. An allocation that
fails inside the program is reported instead: C++'s `std::bad_alloc`, Python's `MemoryError`,
NumPy's `Unable to allocate … for an array`, TensorFlow's `ResourceExhaustedError: OOM when
allocating tensor` (GPU memory). A SIGKILL can also come from a user's `kill -9`, a job scheduler's
memory limit, or, on macOS, the kernel refusing a binary whose code signature is invalid.

## How to fix it
Use less memory at once: a smaller batch size, a smaller model or input size, data streamed with
`tf.data` or a generator instead of one array, `del` of arrays no longer needed; on a GPU, enable
memory growth (`tf.config.experimental.set_memory_growth`). Or run where there is more memory
(raise a container's or Colab's limit). `dmesg | grep -i "killed process"` on Linux confirms the
out-of-memory killer.
""",
    ),
    # -- Found by running it (keras-doctor verify) -----------------------------------------------
    _c(
        "verify-crashed", "verify", "error",
        "the interpreter died during a verify step (a signal such as SIGILL or SIGSEGV, or an "
        "exit)",
        "`keras-doctor verify`: the step that started and never ended, the process's exit status",
        """
## Why is this bad?
A native crash kills Python without a traceback: `Illegal instruction`, `Segmentation fault`,
`Bus error`, `Abort trap`, or a notebook kernel that "died". SIGILL usually means a binary uses CPU
instructions this machine (or its emulator) lacks; SIGSEGV, SIGBUS and SIGABRT usually mean native
libraries that do not belong together (a plugin built for another TensorFlow, mixed architectures,
two copies of one library). The step that was running names the import or operation that crashed.

## How to fix it
Run `keras-doctor check` for static causes first (architecture, plugin and version mismatches);
the finding's evidence holds the last output before the crash, including Python's own stack of
the crashing thread.
""",
    ),
    _c(
        "verify-timeout", "verify", "error",
        "a verify step did not finish within the time limit and was stopped",
        "`keras-doctor verify --timeout`: the step that was running when the limit was reached",
        """
## Why is this bad?
An import or operation that hangs usually waits on something that never comes: a device driver, a
lock held by another process, a network file system, or a download with no route. Under an emulator
or on a very slow disk, a first import can also simply take longer than the limit.

## How to fix it
Re-run with a larger `--timeout` to tell slow from stuck; if it is stuck, the named step is the
place to look (for example a GPU plugin that waits for its device).
""",
    ),
    _c(
        "verify-step-failed", "verify", "error",
        "a verify step raised an error that no known signature explains",
        "`keras-doctor verify`: the step's traceback",
        """
## Why is this bad?
The step (an import, a device operation, building a model) failed with an exception that
keras-doctor does not recognise, so the environment does not work for that step.

## How to fix it
Read the traceback in the evidence; `keras-doctor explain` on the same text may rank causes once
more is known, and `keras-doctor check` looks for static causes.
""",
    ),
    # -- The doctor itself ----------------------------------------------------------------------
    _c(
        "check-crashed", "doctor", "warning",
        "one of keras-doctor's own checks failed on these facts; the others still ran",
        "the check's traceback",
        """
## Why is this bad?
A check raised an exception, so that area of the environment was not diagnosed. This is a bug in
keras-doctor, not in your environment.

## How to fix it
Please report it with the output of `keras-doctor facts`.
""",
    ),
    _c(
        "knowledge-stale", "doctor", "info",
        "keras-doctor's knowledge of releases and compatibility is more than 180 days old",
        "the knowledge base's `generated_at` stamp",
        """
## Why is this bad?
Compatibility verdicts come from a snapshot of the package index: releases published after it
(a new TensorFlow, a new tensorflow-metal, wheels for a new Python) are unknown, so `check` may miss
a problem and `recommend` may not name the newest working set.

## How to fix it
Run `keras-doctor db update` to fetch a fresh snapshot.
""",
    ),
    _c(
        "facts-incomplete", "doctor", "info",
        "part of the environment could not be read, so some checks saw less than usual",
        "the reader's error",
        """
## Why is this bad?
A fact could not be collected (a permission error, a file that vanished while read). Checks that
depend on it report less than they could.

## How to fix it
Usually nothing; re-run, or run with permission to read the named path.
""",
    ),
]

CATALOG: dict[str, Cause] = {cause.id: cause for cause in _CAUSES}


def get(cause_id: str) -> Optional[Cause]:
    return CATALOG.get(cause_id)
