"""Titles and fix steps per cause, filled in with what the error text (and the facts) revealed.

Steps are exact argv lists whenever the fix is a command: the interpreter that failed (from the
facts, else `python`) runs pip, so the fix lands in the environment that broke. Versions come from
the facts' installed distributions when known (a `tf-keras` at TensorFlow's minor, the protobuf
range TensorFlow declares) and are left open otherwise.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional

from keras_doctor.explain.fixkit import (
    DISTRIBUTION_OF,
    Evidence,
    declared,
    installed,
    manual,
    minor,
    one,
    pip,
    ran_in_an_emulated_container,
    run_step,
    shadow_path,
    tf_version,
)
from keras_doctor.findings import FixStep, StepKind

# -- per cause -------------------------------------------------------------------------------------


def _declared_range(e: Evidence, facts: Any) -> List[FixStep]:
    """pip named the range a distribution declares: installing inside it is the minimal fix."""
    requirement = one(e, "requirement")
    requirer = one(e, "requirer")
    if not requirement:
        return []
    return [
        run_step(
            f"Install {requirement.split('<')[0].split('>')[0].split('=')[0].split('~')[0]} inside "
            f"the range {requirer or 'the requirer'} declares",
            pip(facts, requirement),
        ),
        _other_side(e, requirer),
    ]


def _other_side(e: Evidence, requirer: str) -> FixStep:
    if requirer and one(e, "requirer_is_newer"):  # the requirer wants a newer one than installed
        return manual(f"Or install the {requirer} release made for the installed "
                      f"{one(e, 'installed') or 'version'}")
    if requirer:
        return manual(f"Or upgrade {requirer.split(' ')[0]} to a release that accepts the "
                      "installed one")
    return manual("Or upgrade the package that declares this range")


def _conflict(e: Evidence, facts: Any) -> List[FixStep]:
    declared_fix = _declared_range(e, facts)
    if declared_fix:
        return declared_fix
    if one(e, "installer") == "npm":  # a JavaScript tree (TensorFlow.js): pip has no say
        found, peer = one(e, "found"), one(e, "peer")
        wanted = f" ({peer} is wanted where {found} is installed)" if found and peer else ""
        return [manual(f"Install releases whose peer ranges agree{wanted}: pin the package npm "
                       "found to the range the peer names, or pick the dependent's release built "
                       "for the one installed; `npm install --legacy-peer-deps` only skips the "
                       "check")]
    return [
        run_step("List every broken requirement", [*pip(facts)[:-1], "check"]),
        manual("Install the versions the listed requirements ask for, or use a fresh virtual "
               "environment and install everything in one command so the resolver sees it all"),
    ]


def _tf1(e: Evidence, facts: Any) -> List[FixStep]:
    package = one(e, "package")
    if one(e, "colab_magic"):  # Colab's `%tensorflow_version 1.x`, which now only raises
        return [manual("Delete the `%tensorflow_version 1.x` line: Colab has TensorFlow 2 alone, "
                       "and the magic no longer switches"),
                manual("Then run the TensorFlow 1 code on TensorFlow 2's copy of the 1.x API "
                       "(`import tensorflow.compat.v1 as tf` then `tf.disable_v2_behavior()`), "
                       "or port it (`tf_upgrade_v2 --infile old.py --outfile new.py`)")]
    if package:  # tensorflow.contrib, tensorflow.examples.tutorials: no TensorFlow 2 copy
        first = manual(f"{package} has no TensorFlow 2 copy: replace what the code takes from it "
                       "(tf.contrib.slim → the tf-slim package, tf.contrib.layers/rnn → tf.keras, "
                       "MNIST tutorials → tf.keras.datasets.mnist), or port the code")
    elif one(e, "replacement"):
        first = manual(f"Use {one(e, 'replacement')}, or run the whole script on TensorFlow 2's "
                       "copy of the 1.x API: `import tensorflow.compat.v1 as tf` then "
                       "`tf.disable_v2_behavior()`")
    else:  # graph code meeting eager execution
        first = manual("Call tf.compat.v1.disable_eager_execution() (or, with `import "
                       "tensorflow.compat.v1 as tf`, tf.disable_v2_behavior()) before building "
                       "the graph")
    return [first,
            manual("Or port the code to TensorFlow 2 (`tf_upgrade_v2 --infile old.py --outfile "
                   "new.py` rewrites most names)"),
            manual("Or run it with TensorFlow 1.15 (pip install 'tensorflow<2'), which has wheels "
                   "for CPython 3.6 and 3.7 only (x86_64; none for Apple Silicon): a Python 3.7 "
                   "environment")]


def _too_new(e: Evidence, facts: Any) -> List[FixStep]:
    module = one(e, "module") or ""
    if one(e, "gone_in") and one(e, "replacement"):  # a TensorFlow 0.x name 1.0 took away
        return [manual(f"Replace `{one(e, 'name')}` with `{one(e, 'replacement')}` in the code: "
                       f"{one(e, 'gone_in')} renamed it, and no later release has the old name"),
                manual(f"Or run the code as written under {one(e, 'last_with')}, whose wheels "
                       "only Python 3.5 and older install")]
    if e.get("numpy_1_20_under_tf_2_4"):
        return [run_step("Install numpy 1.19, the range TensorFlow <= 2.4 declares",
                         pip(facts, "numpy<1.20")),
                manual("Or upgrade TensorFlow to 2.5 or later, which supports numpy 1.20+")]
    if module == "numpy" and one(e, "removed_in") == "NumPy 1.24":
        return [run_step(f"Install numpy 1.23, the last release with np.{one(e, 'name')}",
                         pip(facts, "numpy<1.24")),
                manual(f"Or replace np.{one(e, 'name')} by the builtin {one(e, 'name')} in the "
                       "code (or upgrade the package whose code uses it)")]
    message = one(e, "message")
    if (module == "numpy" and one(e, "removed_in") == "NumPy 2.0") or (
            not module and "NumPy 2" in message):
        name = f"np.{one(e, 'name')}" if one(e, "name") else "the alias"
        return [run_step(f"Install numpy 1.26, the last release with {name}",
                         pip(facts, "numpy<2")),
                manual(f"Or replace {name} as numpy's message says (numpy 2.0 migration guide), "
                       "or upgrade the package whose code uses it")]
    if not module and re.search(r"`np\.\w+`|\bnumpy\b", message):  # an alias numpy 1.24 removed
        return [run_step("Install numpy 1.23, the last release with the builtin aliases "
                         "(np.object, np.bool…)", pip(facts, "numpy<1.24")),
                manual("Or replace the alias by the builtin (object, bool…) in the code, or "
                       "upgrade the package whose code uses it")]
    text = one(e, "matched")
    if "decode" in text or module.startswith("h5py") or not module:
        return [run_step("Install h5py 2.10, the last release that returns bytes attributes",
                         pip(facts, "h5py<3")),
                manual("Or upgrade Keras / TensorFlow to a release that supports h5py 3 "
                       "(TensorFlow 2.5+)")]
    return [manual(f"Install the last release of {module.split('.')[0]} that still has "
                   f"`{one(e, 'name') or module}`, or upgrade the code that uses it")]


def _glibc(e: Evidence, facts: Any) -> List[FixStep]:
    needs = one(e, "needs")
    if needs.startswith("GLIBCXX"):
        return [manual(f"Put a newer libstdc++ ahead of the system one (it needs {needs}): in a "
                       "conda environment `conda install -c conda-forge libstdcxx-ng`"),
                manual("Or install an older release of the package built for this system")]
    return [manual("Install an older release whose wheels support this glibc"
                   + (f" (this one needs {needs})" if needs else "")
                   + ", or run in a newer OS image or container")]


def _openmp(e: Evidence, facts: Any) -> List[FixStep]:
    return [manual("Install the packages from one channel so they share one OpenMP runtime "
                   "(all conda-forge, or all pip in a fresh virtualenv); find the copies with "
                   "`keras-doctor check`"),
            manual("Only as a stopgap: export KMP_DUPLICATE_LIB_OK=TRUE (results may be wrong)")]


def _keras_overlap(e: Evidence, facts: Any) -> List[FixStep]:
    return [run_step("Uninstall every distribution that owns keras/",
                     [*pip(facts)[:-1], "uninstall", "-y", "keras", "keras-nightly"], True),
            manual("Then install the one Keras release that matches TensorFlow "
                   "(`keras-doctor recommend` names it)")]


def _kernel(e: Evidence, facts: Any) -> List[FixStep]:
    return [manual("Restart the kernel (Jupyter: Kernel > Restart; Colab: Runtime > Restart "
                   "session) and run the cells again"),
            manual("Install from the notebook with `%pip install …` so it goes into the kernel's "
                   "own environment")]


def _wrong_interpreter(e: Evidence, facts: Any) -> List[FixStep]:
    module = one(e, "module").split(".")[0]
    package = DISTRIBUTION_OF.get(module, module) if module else "the package"
    return [manual("Print the interpreter that runs the code (`import sys; "
                   "print(sys.executable)` in the script or the notebook) and install with that "
                   f"interpreter: `<that python> -m pip install {package}`"),
            manual("In a notebook, install with `%pip install …` (it targets the kernel's own "
                   "environment), or register this environment as a kernel and select it")]


def _pip_too_old(e: Evidence, facts: Any) -> List[FixStep]:
    return [run_step("Upgrade pip in the environment that installs",
                     pip(facts, "--upgrade", "pip")),
            manual("Then run the install again")]


def _tf_overlap(e: Evidence, facts: Any) -> List[FixStep]:
    return [manual("Uninstall every TensorFlow distribution that shares the tensorflow/ folder "
                   "(tensorflow, tensorflow-macos, tensorflow-cpu, tensorflow-intel, tf-nightly: "
                   "`pip list | grep -i tensorflow` shows them), until `import tensorflow` "
                   "fails"),
            manual("Then install exactly one of them")]


def _numpy(e: Evidence, facts: Any) -> List[FixStep]:
    tf = tf_version(facts)
    if e.get("numpy_1_20_under_tf_2_4"):
        return [
            run_step("Install numpy 1.19, the range TensorFlow <= 2.4 declares",
                     pip(facts, "numpy<1.20")),
            manual("Or upgrade TensorFlow to 2.5 or later, which supports numpy 1.20+"),
        ]
    numpy_version = one(e, "numpy_version") or (installed(facts, "numpy") or "")
    if e.get("numpy_is_newer") or numpy_version.startswith("2"):
        return [
            run_step(
                "Install a NumPy 1.x, the ABI this TensorFlow was built against",
                pip(facts, "numpy<2"),
            ),
            manual(
                "Or upgrade TensorFlow to 2.18 or later, the first built against NumPy 2"
                + (f" (installed: {tf})" if tf else "")
            ),
        ]
    return [
        run_step(
            "Upgrade numpy to the ABI the extension was built against",
            pip(facts, "--upgrade", "numpy"),
        )
    ]


def _range_fix(dist: str, default: str) -> Callable[[Evidence, Any], List[FixStep]]:
    def fix(e: Evidence, facts: Any) -> List[FixStep]:
        spec = declared(facts, "tensorflow", dist) or default
        return [run_step(f"Install the {dist} range TensorFlow declares", pip(facts, spec))]

    return fix


def _protobuf(e: Evidence, facts: Any) -> List[FixStep]:
    range_ = declared(facts, "tensorflow", "protobuf")
    if range_:
        return [run_step("Install the protobuf range TensorFlow declares", pip(facts, range_))]
    if "Descriptors" in one(e, "matched"):
        return [
            run_step(
                "Install a protobuf runtime that still accepts this generated code",
                pip(facts, "protobuf>=3.20.3,<3.21"),
            )
        ]
    return [
        run_step(
            "Upgrade protobuf to a runtime new enough for TensorFlow's generated code",
            pip(facts, "--upgrade", "protobuf>=3.20.3,<5"),
        )
    ]


def _mixed_arch(e: Evidence, facts: Any) -> List[FixStep]:
    owner = _owner(e, facts)
    steps = []
    if owner:
        version = installed(facts, owner)
        pin = f"{owner}=={version}" if version else owner
        steps.append(
            run_step(
                f"Reinstall {owner} from a wheel for this machine's architecture",
                pip(facts, "--no-cache-dir", "--force-reinstall", "--no-deps", pin),
            )
        )
    steps.append(
        manual(
            "If several packages are affected, rebuild the environment with a native "
            "interpreter (`python -c 'import platform; print(platform.machine())'` "
            "must print the machine's architecture)"
        )
    )
    return steps


def _owner(e: Evidence, facts: Any) -> Optional[str]:
    path = one(e, "path")
    for binary in getattr(facts, "binaries", None) or ():
        if path and binary.owner and (binary.path == path or path.endswith(binary.path)):
            return str(binary.owner)
    match = re.search(r"[/\\](?:site|dist)-packages[/\\](\w+)", path)
    return match.group(1).replace("_", "-") if match else None


def _legacy(e: Evidence, facts: Any) -> List[FixStep]:
    tf_minor = minor(tf_version(facts))
    spec = f"tf-keras~={tf_minor}.0" if tf_minor else "tf-keras"
    return [
        run_step("Install tf-keras (Keras 2) at TensorFlow's minor version", pip(facts, spec)),
        FixStep(
            "Route tf.keras to it before TensorFlow is imported",
            StepKind.ENV,
            command=("export", "TF_USE_LEGACY_KERAS=1"),
        ),
        manual("Or port the code to Keras 3"),
    ]


def _removed(e: Evidence, facts: Any) -> List[FixStep]:
    name = one(e, "name") or one(e, "module")
    replacement = one(e, "replacement")
    if not name:  # proposed by reports like this one: nothing names what Keras 3 removed
        return _legacy(e, facts)
    text = (
        f"Replace `{name}` with {replacement}"
        if replacement
        else f"Stop using `{name}` (no Keras 3 replacement)"
    )
    return [FixStep(text, StepKind.EDIT), *_legacy(e, facts)[:2]]


def _moved(e: Evidence, facts: Any) -> List[FixStep]:
    name, moved_to, closest = one(e, "name"), one(e, "moved_to"), one(e, "closest")
    if moved_to:
        return [FixStep(f"Import `{name}` from `{moved_to}`", StepKind.EDIT)]
    if closest:
        return [FixStep(f"Did you mean `{closest}`? Fix the name in the import", StepKind.EDIT)]
    return [
        FixStep(
            "Import the name from Keras's public API (keras.layers, keras.models, "
            "keras.utils …), not from a private module",
            StepKind.EDIT,
        )
    ]


def _too_old(e: Evidence, facts: Any) -> List[FixStep]:
    installed = one(e, "installed")
    if installed and not one(e, "name"):  # a module the installed release of a package lacks
        distribution = DISTRIBUTION_OF.get(installed, installed)
        return [run_step(f"Upgrade {distribution} to a release that has `{one(e, 'module')}`",
                         pip(facts, "--upgrade", distribution))]
    first = one(e, "first_release")
    package = "keras" if first.startswith("keras") else "tensorflow"
    missing = one(e, "name") or one(e, "module")
    if not missing:  # proposed by reports like this one: nothing names what is missing
        return [manual("Upgrade the package whose name the error says is missing to its latest "
                       "release (the package the failing line imports from), then run again")]
    since = f" (first: {first})" if first else ""
    return [run_step(f"Upgrade {package} to a release that has `{missing}`{since}",
                     pip(facts, "--upgrade", package))]


def _backend(e: Evidence, facts: Any) -> List[FixStep]:
    backend = (one(e, "backend") or one(e, "module")).lower()
    steps = []
    if one(e, "accepted"):  # Keras 1-2.2's assert: the configured name is none it ships
        return [FixStep(f"Name a backend this Keras ships ({one(e, 'accepted')}) in KERAS_BACKEND "
                        "or the \"backend\" key of ~/.keras/keras.json",
                        StepKind.ENV, command=("export", "KERAS_BACKEND=tensorflow")),
                manual("For another backend (MXNet), install the Keras build that ships it "
                       "(keras-mxnet) in place of keras")]
    if backend in ("theano", "cntk"):
        # Keras 2.0-2.3 told to use a backend that is not installed (both long unmaintained)
        return [FixStep("Point Keras at TensorFlow: set \"backend\": \"tensorflow\" in "
                        "~/.keras/keras.json, or export KERAS_BACKEND=tensorflow",
                        StepKind.ENV, command=("export", "KERAS_BACKEND=tensorflow")),
                manual(f"Or install the {backend} backend the configuration names")]
    if backend in ("jax", "torch"):
        steps.append(run_step(f"Install the {backend} backend", pip(facts, backend)))
    if backend == "tensorflow" and not one(e, "use_backend"):
        # Keras 3 on its default backend, with no TensorFlow installed
        return [run_step("Install the tensorflow backend", pip(facts, "tensorflow")),
                manual("Or, if JAX or PyTorch is installed, let Keras use it: set "
                       "KERAS_BACKEND=jax (or torch) before importing keras, or the \"backend\" "
                       "key of ~/.keras/keras.json")]
    # Keras 2.0-2.3 told to use TensorFlow where Theano or CNTK is the backend installed
    target = one(e, "use_backend") or "tensorflow"
    steps.append(
        FixStep(
            ("Or point" if steps else "Point") + " Keras at an installed backend" + (
                f" (or set \"backend\": \"{target}\" in ~/.keras/keras.json)"
                if target != "tensorflow" else ""),
            StepKind.ENV,
            command=("export", f"KERAS_BACKEND={target}"),
        )
    )
    return steps


def _missing(e: Evidence, facts: Any) -> List[FixStep]:
    module = one(e, "module")
    if one(e, "op") and one(e, "distribution"):  # an add-on's op, registered once it is imported
        distribution = one(e, "distribution")
        return [run_step(f"Install {distribution}, whose library registers the op `{one(e, 'op')}`"
                         f" (its release for the installed TensorFlow's minor)",
                         pip(facts, distribution)),
                manual(f"`import {module}` before loading the model: its ops are registered "
                       "only when it is imported")]
    if one(e, "requires_distribution"):  # what the installed wheel declares and lacks
        required = one(e, "requires_distribution")
        how = (f" (`poetry add {required}` in the Poetry project)"
               if one(e, "installer") == "poetry" else "")
        return [run_step(f"Install {required}{how}, which the installed wheel requires on this "
                         "platform and the installer left out", pip(facts, required))]
    if not module:  # a loader's missing library, or a guess that named nothing
        library = one(e, "library")
        if library:
            return [manual(f"Install what provides {library} (the package that ships it, or the "
                           "system library), or put its folder on the loader's search path")]
        return [manual(_catalog_fix("missing-dependency"))]
    dist = (
        DISTRIBUTION_OF.get(module)
        or DISTRIBUTION_OF.get(module.split(".")[0])
        or module.split(".")[0]
    )
    return [run_step(f"Install {dist}", pip(facts, dist))]


def _shadowed(e: Evidence, facts: Any) -> List[FixStep]:
    path, module = shadow_path(e), one(e, "module") or "keras"
    top = module.split(".")[0]
    target = path or f"{top}.py or {top}/ (in the script's folder or the working directory)"
    return [
        FixStep(
            f"Rename {target} (and delete its __pycache__ entry)",
            StepKind.EDIT,
            target=path or None,
            destructive=True,
        )
    ]


def _ssl(e: Evidence, facts: Any) -> List[FixStep]:
    version = getattr(getattr(facts, "interpreter", None), "version", None)
    py_minor = minor(version)
    steps = []
    if py_minor:
        steps.append(
            run_step(
                "Install the certificate bundle of the python.org installer (macOS)",
                [f"/Applications/Python {py_minor}/Install Certificates.command"],
            )
        )
    steps.append(
        FixStep(
            "Or point OpenSSL at certifi's bundle",
            StepKind.ENV,
            command=("export", "SSL_CERT_FILE=$(python -m certifi)"),
        )
    )
    return steps


def _cache(e: Evidence, facts: Any) -> List[FixStep]:
    hub = one(e, "hub_module_dir")
    if hub:
        return [
            FixStep(f"Delete {hub}; TF-Hub downloads the module again", StepKind.EDIT,
                    target=hub, destructive=True),
            manual("Set TFHUB_CACHE_DIR to a folder the system does not clean (for example "
                   "~/.cache/tfhub_modules), so that TF-Hub's cache outlives the temp folder"),
        ]
    url = one(e, "url")
    name = url.rsplit("/", 1)[-1] if url else "the truncated .h5 file"
    return [
        FixStep(
            f"Delete ~/.keras/models/{name}; Keras downloads it again",
            StepKind.EDIT,
            target=f"~/.keras/models/{name}" if url else "~/.keras/models",
            destructive=True,
        )
    ]


def _network(e: Evidence, facts: Any) -> List[FixStep]:
    host = one(e, "host")
    url = one(e, "url") or one(e, "download")
    target = url or (f"https://{host}/" if host else "https://pypi.org/simple/")
    return [
        run_step("Check that the host answers from this machine", ["curl", "-I", target]),
        manual("Behind a proxy, set HTTPS_PROXY=http://host:port (or pass pip --proxy); on a "
               "hosted notebook, turn its internet access on; offline, download the file "
               "elsewhere and install or copy it locally"),
    ]


def _no_avx(e: Evidence, facts: Any) -> List[FixStep]:
    """An emulator reported the crash, or a Mac's report says it ran in a container: the process
    is an x86-64 Linux one in a container, which no CPU upgrade or macOS Python changes; an arm64
    image runs natively."""
    if ran_in_an_emulated_container(e):
        return [manual(
            "Run the container as linux/arm64 (`docker run --platform linux/arm64 …`, or an arm64 "
            "base image): x86-64 images run under QEMU or Rosetta, which have no AVX, while "
            "`tensorflow` has Linux aarch64 wheels from 2.10")]
    return [manual(MANUAL["cpu-lacks-avx"])]


def _native_library(e: Evidence, facts: Any) -> List[FixStep]:
    library = one(e, "library")
    if e.get("gpu_library"):
        return [run_step("On Linux, let pip install the CUDA libraries TensorFlow was built with "
                         "(TensorFlow >= 2.14)", pip(facts, "tensorflow[and-cuda]")),
                manual(f"Otherwise install the CUDA/cuDNN release that provides {library} (the "
                       "TensorFlow build table names it) and put its lib folder on "
                       "LD_LIBRARY_PATH; without a GPU this warning can be ignored")]
    if "omp" in library:
        return [manual(f"Install the OpenMP runtime {library} expects: `brew install libomp` "
                       "(Homebrew) or `conda install -c conda-forge llvm-openmp`")]
    if one(e, "binding") == ".NET":
        return [manual("Add the native TensorFlow library the binding loads: the "
                       "SciSharp.TensorFlow.Redist package beside TensorFlow.NET, or libtensorflow "
                       "from TensorFlow's C library downloads next to the program (TensorFlowSharp)"
                       ", built for this system and for the process's architecture (x64, not Any "
                       "CPU)"),
                manual("On Windows, if the DLL is there, install the Microsoft Visual C++ "
                       "Redistributable it depends on")]
    if re.fullmatch(r"(?:lib)?tensorflow(?:\.(?:so|dylib|dll)[.\d]*)?", library):
        # TensorFlow's C library, which a binding (Haskell, Go, Rust, C) links: no system
        # package ships it
        return [manual("Install TensorFlow's C library (libtensorflow, from tensorflow.org/install"
                       "/lang_c) in a folder the linker and loader search (/usr/local/lib, then "
                       "ldconfig), or pass that folder to the build (--extra-lib-dirs for Cabal)")]
    return [manual(f"Install the system package that provides {library or 'the missing library'}"
                   " (or put the folder that holds it on the loader's search path)")]


_ADD_ON_DISTRIBUTION = {"tensorflow_text": "tensorflow-text",
                        "tensorflow_decision_forests": "tensorflow-decision-forests",
                        "tensorflow_io": "tensorflow-io", "tensorflow_addons": "tensorflow-addons"}


def _tf_extension(e: Evidence, facts: Any) -> List[FixStep]:
    if one(e, "built_for") and one(e, "found"):  # Horovod, which builds itself as it installs
        return [run_step(f"Rebuild Horovod against the installed {one(e, 'framework')} "
                         f"{one(e, 'found')} (it was built for {one(e, 'built_for')}), reusing no "
                         "cached build", pip(facts, "--no-cache-dir", "--force-reinstall",
                                             "--no-deps", "horovod")),
                manual(f"Or install the {one(e, 'framework')} release it was built for, "
                       f"{one(e, 'built_for')}")]
    add_on = _ADD_ON_DISTRIBUTION.get(one(e, "package"), one(e, "package") or "the add-on")
    tf_minor = minor(tf_version(facts))
    steps: List[FixStep] = []
    if tf_minor and add_on in ("tensorflow-text", "tensorflow-decision-forests"):
        steps.append(run_step(f"Install the {add_on} release of TensorFlow's minor",
                              pip(facts, f"{add_on}~={tf_minor}.0")))
    steps.append(manual(f"Install the {add_on} release built for the installed TensorFlow, or the "
                        "TensorFlow it was built for; installing both in one pip command lets the "
                        "resolver pair them"))
    return steps
def _pinned(e: Evidence, facts: Any) -> List[FixStep]:
    project = one(e, "project") or one(e, "requirement").split("=")[0]
    nearest = e.get("nearest_published") or []
    if one(e, "published_later"):
        advice = (f"It is published now ({one(e, 'published_later')}): install it again, or pin "
                  "the release pip listed")
    elif nearest:
        advice = f"Pin a release that exists, e.g. the nearest: {', '.join(nearest)}"
    else:
        advice = "Pin a release that exists, or relax the pin"
    return [run_step("List the releases the index has for this machine",
                     [*pip(facts)[:-1], "index", "versions", project]), manual(advice)]


def _informational(e: Evidence, facts: Any) -> List[FixStep]:
    steps = []
    level = one(e, "TF_CPP_MIN_LOG_LEVEL")
    if level:
        steps.append(FixStep("Nothing to fix; to hide these lines, set "
                             f"TF_CPP_MIN_LOG_LEVEL={level} before TensorFlow is imported",
                             StepKind.ENV,
                             command=("export", f"TF_CPP_MIN_LOG_LEVEL={level}")))
    category = one(e, "category")
    if category:  # a Python warning: the warnings filter hides one category, nothing else
        steps.append(FixStep(f"Nothing to fix; to hide this {category}, set "
                             f"PYTHONWARNINGS=ignore::{category} (or run python -W "
                             f"ignore::{category})", StepKind.ENV,
                             command=("export", f"PYTHONWARNINGS=ignore::{category}")))
    if e.get("not_hidden_by_log_level"):
        steps.append(manual("tensorflow-metal's lines (Metal device set to …) are written "
                            "directly: no log level hides them, and they mean the GPU is used"))
    steps.append(manual("If the program failed, paste the end of its output (the traceback); "
                        "`keras-doctor check` examines the environment itself"))
    return steps


def _removed_tf(e: Evidence, facts: Any) -> List[FixStep]:
    pin = one(e, "pin")
    steps = [run_step(f"Install a TensorFlow that still has {one(e, 'name')}", pip(facts, pin))
             ] if pin else []
    replacement = one(e, "replacement")
    steps.append(manual(f"Or use {replacement} instead" if replacement else
                        "Or port the code to the replacement the TensorFlow release notes name"))
    return steps


def _model_format(e: Evidence, facts: Any) -> List[FixStep]:
    if one(e, "builtin_code") or one(e, "op"):  # TensorFlow Lite's interpreter, not Keras
        op = f" (`{one(e, 'op')}` version {one(e, 'op_version')})" if one(e, "op") else ""
        return [manual(f"The model needs a newer TensorFlow Lite runtime than this one{op}: "
                       "upgrade the runtime (tflite-runtime, the app's TensorFlow Lite "
                       "dependency or plugin) to the TensorFlow release that converted the model, "
                       "or convert it again with the TensorFlow release the runtime matches")]
    return [manual(MANUAL["model-format-incompatible"])]


STEPS: Dict[str, Callable[[Evidence, Any], List[FixStep]]] = {
    "numpy-abi-mismatch": _numpy,
    "protobuf-mismatch": _protobuf,
    "ml-dtypes-mismatch": _range_fix("ml-dtypes", "ml-dtypes"),
    "mixed-arch-binary": _mixed_arch,
    "keras3-legacy-code": _legacy,
    "keras3-removed-api": _removed,
    "keras-api-moved": _moved,
    "package-too-old-for-api": _too_old,
    "keras-backend-unavailable": _backend,
    "missing-dependency": _missing,
    "shadowed-module": _shadowed,
    "weights-download-ssl": _ssl,
    "weights-cache-corrupt": _cache,
    "requirement-conflict": _conflict,
    "dependency-too-new": _too_new,
    "tf1-api-under-tf2": _tf1,
    "glibc-too-old": _glibc,
    "openmp-duplicate-runtime": _openmp,
    "keras-distributions-overlap": _keras_overlap,
    "kernel-not-restarted": _kernel,
    "wrong-interpreter": _wrong_interpreter,
    "pip-too-old-for-platform-tags": _pip_too_old,
    "tf-distributions-overlap": _tf_overlap,
    "network-unreachable": _network,
    "native-runtime-library-missing": _native_library,
    "cpu-lacks-avx": _no_avx,
    "extension-built-against-another-tensorflow": _tf_extension,
    "pinned-release-unavailable": _pinned,
    "code-uses-removed-tensorflow-api": _removed_tf,
    "informational-message-not-an-error": _informational,
    "model-format-incompatible": _model_format,
}

MANUAL = {
    "rosetta-python": "Create a new environment with a native arm64 Python (python.org universal2, "
    "/opt/homebrew, Miniforge arm64 or `uv python install`) and reinstall there",
    "cpu-lacks-avx": "Run on a CPU with AVX, or use a TensorFlow build compiled without AVX; on an "
    "Apple Silicon Mac use a native arm64 Python instead",
    "macos-too-old": "Install an older release of the named package whose binaries support this "
    "macOS, or upgrade macOS",
    "no-wheel-for-python": "Use a Python version the release ships wheels for (a new virtual "
    "environment with that version)",
    "no-wheel-for-platform": "Use a 64-bit Python on a platform the release ships wheels for",
    "msvc-runtime-missing": "Install the latest Microsoft Visual C++ Redistributable (x64): "
    "https://aka.ms/vs/17/release/vc_redist.x64.exe",
    "metal-plugin-mismatch": "Install the tensorflow-metal release that matches the installed "
    "TensorFlow (Apple's table), or uninstall tensorflow-metal",
    "keras-tf-version-skew": "Install the Keras 2 release matching TensorFlow's minor "
    "(keras~=2.15.0 for TensorFlow 2.15), or import from tensorflow.keras",
    "weights-model-mismatch": "Use include_top=False with your own head, or the default input "
    "shape and 1000 classes",
    "model-format-incompatible": "Load the file with the Keras that wrote it (tf-keras for Keras 2 "
    "files), or wrap a SavedModel with keras.layers.TFSMLayer",
    "externally-managed-python": "Create a virtual environment (python3 -m venv .venv) and "
    "install there",
    "hdf5-library-mismatch": "Install h5py and HDF5 from one source: `conda install -c conda-forge "
    "h5py hdf5` in a conda environment, or `pip install --force-reinstall h5py` (the wheel bundles "
    "its own HDF5) with no LD_LIBRARY_PATH / DYLD_LIBRARY_PATH entry pointing at another libhdf5",
    "downloaded-weights-file-corrupt": "Check the file's size and first bytes (a Git LFS pointer "
    "starts `version https://git-lfs`, an HTML page `<`); fetch it again (`git lfs pull` in the "
    "clone, or the direct download link) and load it again",
    "windows-long-path-limit": "Enable Windows Long Path support (LongPathsEnabled = 1 under "
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem, as administrator), then run pip "
    "again; or create the environment in a short folder such as C:\\venvs\\tf",
}


def steps(cause: str, evidence: Evidence, facts: Any = None) -> List[FixStep]:
    if evidence.get("requirer") and evidence.get("requirement"):  # pip named the violated range
        return _declared_range(evidence, facts)
    build = STEPS.get(cause)
    if build is not None:
        return build(evidence, facts)
    if cause == "keras-tf-version-skew":
        tf_minor = minor(tf_version(facts))
        if tf_minor and tf_minor.startswith("2.") and int(tf_minor.split(".")[1]) <= 15:
            return [
                run_step(
                    "Install the Keras release of TensorFlow's minor",
                    pip(facts, f"keras~={tf_minor}.0"),
                )
            ]
    if cause == "externally-managed-python":
        return [
            run_step("Create a virtual environment", ["python3", "-m", "venv", ".venv"]),
            manual("Activate it (source .venv/bin/activate) and install there"),
        ]
    text = MANUAL.get(cause) or _catalog_fix(cause)
    return [manual(text)] if text else []


def _catalog_fix(cause: str) -> str:
    """The "How to fix it" of the cause's `keras-doctor causes` text: every cause explain can
    name comes with a fix, even one no step above builds from the evidence."""
    from keras_doctor import causes

    known = causes.CATALOG.get(cause)
    if known is None or "## How to fix it" not in known.explanation:
        return ""
    return " ".join(known.explanation.split("## How to fix it", 1)[1].split())
