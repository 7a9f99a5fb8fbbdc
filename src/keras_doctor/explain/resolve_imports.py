"""Resolve steps for import failures: missing modules, missing names, stray files.

`No module named`, `cannot import name`, `module has no attribute` and truncated tracebacks whose
last statement is an import all come down to the same questions: is it a Keras name (then its
history decides, see `names`), a backend Keras was told to use, a dependency that is not
installed, a package whose versions disagree (protobuf, ml-dtypes, numpy, TensorFlow internals),
or a local file named like the package?
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence

from keras_doctor.explain import clues as clues_module
from keras_doctor.explain import lazyre, tf1
from keras_doctor.explain.context import Context, Outcome
from keras_doctor.explain.fixkit import IMPORTED_AS
from keras_doctor.explain.match import SignatureMatch
from keras_doctor.explain.names import is_keras_module
from keras_doctor.explain.text import site_package_of

# Backends Keras imports because it was told to (KERAS_BACKEND or keras.json): Keras 3's JAX,
# PyTorch and OpenVINO, and Keras 2.0-2.3's Theano and CNTK (keras/backend/__init__.py prints
# "Using Theano backend." and imports theano_backend, which imports theano).
BACKENDS = {"jax", "jaxlib", "torch", "openvino", "theano", "cntk"}
DEPENDENCIES = {
    "h5py",
    "absl",
    "google.protobuf",
    "google",
    "wrapt",
    "opt_einsum",
    "ml_dtypes",
    "gast",
    "astunparse",
    "termcolor",
    "flatbuffers",
    "keras",
    "tf_keras",
    "tensorboard",
    "namex",
    "optree",
    "tensorflow_estimator",
    "packaging",
    "six",
    "typing_extensions",
    "scipy",
    "PIL",
    "yaml",
    "requests",
    "tensorflow_io_gcs_filesystem",
    "libclang",
    "grpc",
}


# The frameworks a user works with directly: missing where a notebook or another environment runs
# the code, they were installed into another interpreter (a library's absence is its own).
FRAMEWORKS = ("tensorflow", "keras")


# Aliases of builtins that NumPy 1.20 deprecated and 1.24 removed (np.object, np.bool…): code
# written for an older numpy, under a newer one (release notes of 1.24.0, "Expired deprecations").
NUMPY_1_24_REMOVED = {"object", "bool", "int", "float", "complex", "str", "long", "unicode",
                      "typeDict"}
# Aliases NumPy 2.0 removed (np.float_, np.NaN…): a NumPy 2 under code or builds made for NumPy 1
# (numpy_2_0_migration_guide).
NUMPY_2_REMOVED = {"float_", "complex_", "NaN", "Inf", "string_", "unicode_", "cast", "product",
                   "cumproduct", "sometrue", "alltrue", "round_", "asfarray", "find_common_type",
                   "in1d", "row_stack", "trapz", "msort", "deprecate", "safe_eval", "NINF",
                   "PINF", "NZERO", "PZERO", "Infinity", "infty", "longfloat", "singlecomplex",
                   "cfloat", "longcomplex", "clongfloat", "mat", "recfromcsv", "recfromtxt"}
NUMPY_REMOVED_ALIASES = NUMPY_1_24_REMOVED | NUMPY_2_REMOVED


def numpy_alias_removed(name: str, removed_in: str) -> List[Outcome]:
    """An alias numpy removed (np.object in 1.24, np.float_ in 2.0), still used by Python code
    written for an older numpy: the dependency is newer than the code, whichever numpy it is. A
    C extension built against another NumPy says so in other words (its ABI banner)."""
    requirement = "numpy<1.24" if removed_in == "NumPy 1.24" else "numpy<2"
    evidence = {"module": "numpy", "name": name, "removed_in": removed_in,
                "requirement": requirement, "numpy_is_newer": True}
    return [("dependency-too-new", 0.8, evidence), ("numpy-abi-mismatch", 0.35, evidence)]


# NumPy 1.16 merged multiarray and umath into one extension, and the `_import_array()` its C-API
# header generates for every extension built against it imports that module by name
# (numpy/core/code_generators/generate_numpy_api.py at v1.16.0:
# https://github.com/numpy/numpy/blob/v1.16.0/numpy/core/code_generators/generate_numpy_api.py ;
# NumPy 2's header falls back to it when `numpy._core` is absent: the same file at v2.0.0, under
# numpy/_core/code_generators/).
# Under a numpy older than 1.16 the module does not exist: numpy is installed, older than the
# extension's build. NumPy's own import failing prints its banner first (numpy/core/__init__.py):
# then numpy's own files are broken, not another extension's ABI.
NUMPY_CAPI_MODULE = "numpy.core._multiarray_umath"
NUMPY_CAPI_SOURCE = ("https://github.com/numpy/numpy/blob/v1.16.0/numpy/core/code_generators/"
                     "generate_numpy_api.py")
_NUMPY_OWN_IMPORT_FAILED = lazyre.compile(
    r"Importing the (?:numpy C-extensions|multiarray numpy extension module) failed", re.IGNORECASE)


def _not_a_package(found: SignatureMatch) -> str:
    """The module Python names in "No module named 'a.b.c'; 'a.b' is not a package": a file
    found where the import needed a folder. A top-level one ('keras') is a local file hiding the
    package; a dotted one ('keras.backend') is the installed package's own module, so the package
    imported and lays the name out as a module - keras.backend was a folder holding
    tensorflow_backend.py until Keras 2.4 made it one file - and nothing is hidden."""
    named = re.search(r"'([\w.]+)' is not a package", found.first("not_package"))
    return named.group(1) if named else ""


def absolute_name(module: str, ctx: Context) -> str:
    """The full name of a module Python 2 named from below the last package it found.

    `import tensorflow.contrib.slim` under a TensorFlow without tf.contrib makes Python 2 say
    "No module named contrib.slim" (Python 3 quotes the full 'tensorflow.contrib'), so the name
    alone reads as a project called contrib. Only an unquoted name can be Python 2's; it is read
    as the import the traceback shows that ends in it, else as TensorFlow 1's own package when
    `tensorflow.<name>` is one (the pasted message often comes without its traceback)."""
    if not re.search(r"No module named " + re.escape(module) + r"(?![\w.'\"])", ctx.text):
        return module
    for statement in clues_module.IMPORT_STATEMENT.finditer(ctx.text):
        package, first, imported = statement.groups()
        for dotted in filter(None, (imported, package, package and f"{package}.{first}")):
            if dotted.endswith("." + module):
                return dotted
    if tf1.tf1_only_module("tensorflow." + module):
        return "tensorflow." + module
    return module


def missing_module(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    out: List[Outcome] = []
    for named in found.groups.get("module", ())[-2:]:
        module = absolute_name(named, ctx)
        top = module.split(".")[0]
        if module == NUMPY_CAPI_MODULE and not _NUMPY_OWN_IMPORT_FAILED.search(ctx.text):
            # an extension built against numpy >= 1.16 imported under an older numpy
            capi = {"module": module, "numpy_is_newer": False, "source": NUMPY_CAPI_SOURCE}
            out += [("numpy-abi-mismatch", 0.85, capi), ("missing-dependency", 0.3, capi)]
        elif found.first("not_package") and "." not in _not_a_package(found):
            out.append(("shadowed-module", 0.85, {"module": top}))
        elif module != top and (local := local_copy(ctx.frames, top)):
            # the traceback runs the package itself from a folder outside site-packages: a local
            # `tensorflow/` (or `keras.py`) found first on sys.path, which lacks the submodule.
            # Nothing is missing from an install, so no missing-dependency is proposed (the facts
            # would read an installed package as another interpreter's)
            out.append(("shadowed-module", 0.88, {"module": top, "path": local}))
        elif module == top and keras3_imports_backend(ctx, top):
            # Keras 3's own modules import the backend its configuration names (TensorFlow by
            # default) as `import keras` runs: that backend is what is missing, and installing it
            # or choosing one that is installed are the two fixes
            backend: Dict[str, Any] = {"backend": top, "imported_by": calling_path(ctx.frames),
                                       "source": KERAS3_BACKEND_SOURCE}
            out += [("keras-backend-unavailable", 0.85, backend),
                    ("missing-dependency", 0.5, {"module": module})]
        elif top in BACKENDS:
            if re.search(r"keras|KERAS_BACKEND", ctx.text):
                out.append(("keras-backend-unavailable", 0.8, {"backend": top}))
            else:
                out.append(("missing-dependency", 0.55, {"module": module}))
        elif tf1_code := tf1_module(module):  # tensorflow.contrib, tensorflow.examples.tutorials
            out.extend(_under_a_named_tf1(ctx, module) or tf1_code)
        elif introduced := dated_internal(ctx, module):
            # code written against TensorFlow's internals, which a release added and kept
            out.extend(introduced_tf_internals(ctx, module, introduced))
        elif private_tree(ctx, module):
            out.extend(private_tree(ctx, module))
        elif older := _submodule_before_the_sample(ctx, module):
            # `No module named 'tensorflow.keras'` under a TensorFlow 1.5 the paste names
            out.extend(older)
        elif is_keras_module(module) and "." in module:
            out.extend(names(ctx, module, None))
        elif module.startswith("tensorflow.python.") and not module.startswith(
            "tensorflow.python.keras"
        ):  # TensorFlow's internals as another release lays them out: a Keras for another TF
            out.append(("keras-tf-version-skew", 0.7, {"module": module}))
        elif module == "_pywrap_tensorflow_internal":
            out.append(("msvc-runtime-missing", 0.55, {"module": module}))
        elif module == top and (shim := _macos_shim_without_its_code(ctx)):
            # a resolver that read another wheel's metadata installed the macOS arm64 `tensorflow`
            # wheel without the distribution it requires there, which holds the code
            out += [("missing-dependency", 0.85, {"module": module, **shim}),
                    ("wrong-interpreter", 0.35, {"module": module})]
        elif pip_says := _pip_says_installed(ctx.text, top):
            # pip, in the same paste, says the package is there: the pip that ran belongs to
            # another interpreter than the one that raised (or to a kernel started before it)
            evidence: Dict[str, Any] = {"module": module, "pip_says": pip_says}
            notebook = bool(re.search(r"Cell In|ipython-input|ipykernel|\bColab|!pip|%pip",
                                      ctx.text))
            where_pip, where_run = _installed_in(ctx.text, top), _site_roots(ctx.frames)
            same_interpreter = bool(where_pip and where_run and where_pip in where_run)
            if not (where_pip and where_run) and kernels_own_install(ctx.text, top):
                # `%pip` / `%conda` run the kernel's own interpreter (IPython's packaging
                # magics), as Colab's single Python runs `!pip`: same interpreter, kernel older
                evidence.update(installed_by="the notebook kernel's own pip")
                same_interpreter = notebook = True
            elif same_interpreter:
                evidence.update(pip_installed_into=where_pip)
            if same_interpreter:
                # pip installed it into the very environment that raised: it ran before the
                # install (a kernel not restarted), not in another interpreter
                out += [("kernel-not-restarted", 0.8 if notebook else 0.55, evidence),
                        ("wrong-interpreter", 0.4, evidence), ("missing-dependency", 0.3, evidence)]
                continue
            if where_pip and where_run:
                evidence.update(pip_installed_into=where_pip, traceback_runs_in=sorted(where_run))
            strong = bool(where_pip and where_run)  # two different environments, both shown
            out += [("wrong-interpreter", 0.92 if strong else 0.85, evidence),
                    ("kernel-not-restarted", 0.5 if notebook and not strong else 0.2, evidence),
                    ("missing-dependency", 0.3, evidence)]
        elif shown := interpreters_shown(ctx.text, ctx.frames):
            # the paste shows two interpreters (two Pythons, two `sys.executable`s, an install
            # in one conda environment and the run in another): the module was installed for
            # the other one
            evidence = {"module": module, "interpreters_shown": shown}
            out += [("wrong-interpreter", 0.88, evidence), ("missing-dependency", 0.35, evidence)]
        elif module != top and installed_in_session(ctx.text, top):
            # a notebook cell installed (another release of) the package whose submodule is now
            # missing: the kernel still holds the modules it imported before, mixed with the new
            # files on disk
            evidence = {"module": module, "installed_in_session": True}
            out += [("kernel-not-restarted", 0.8, evidence), ("missing-dependency", 0.3, evidence)]
        elif module == top and kernels_own_install(ctx.text, top) and (
            command := install_command(ctx.text, top)
        ):
            # the kernel's own pip installed it (IPython's %pip, Colab's !pip), and no failure of
            # an install is shown: the kernel started before the install
            evidence = {"module": module, "installed_with": command}
            out += [("kernel-not-restarted", 0.8, evidence),
                    ("wrong-interpreter", 0.45, evidence), ("missing-dependency", 0.3, evidence)]
        elif module == top and not installed_in_session(ctx.text, top) and (
            command := install_command(ctx.text, top)
        ):
            # the paste installs the module's own distribution from a shell and shows no failure
            # of that install: it is installed, for the interpreter that pip or conda belongs to
            # (a notebook's `!pip` cell is left to the facts: the kernel's or another's)
            evidence = {"module": module, "installed_with": command}
            out += [("wrong-interpreter", 0.8, evidence), ("kernel-not-restarted", 0.2, evidence),
                    ("missing-dependency", 0.4, evidence)]
        elif top == "tensorflow" and _KERAS2_TF_BACKEND.search(ctx.text) and (
            other := _OTHER_KERAS2_BACKEND.search(ctx.text)
        ):
            # Keras 2.0-2.3 imports the backend keras.json or KERAS_BACKEND names, TensorFlow by
            # default ("Using TensorFlow backend."); a user of Theano or CNTK without TensorFlow
            # meets TensorFlow's import: the backend setting is what is wrong
            evidence = {"module": module, "backend": "tensorflow",
                        "use_backend": other.group(0).lower(),
                        "source": "keras/backend/__init__.py (Keras 2.0-2.3)"}
            out += [("keras-backend-unavailable", 0.8, evidence),
                    ("missing-dependency", 0.5, evidence)]
        elif module != top and (submodule := _submodule_missing(ctx, module, top)):
            out += submodule
        elif calling_package(ctx.frames) not in ("", top):
            # an installed package imports it: the interpreter that ran is the one that has that
            # package, so this one lacks its dependency (not another interpreter's fault)
            evidence = {"module": module, "imported_by": calling_package(ctx.frames)}
            out += [("missing-dependency", 0.75, evidence), ("wrong-interpreter", 0.35, evidence)]
        elif top in FRAMEWORKS and module == top and INSTALLED_ELSEWHERE.search(
            ctx.text
        ):
            # The framework the user works with, missing where a notebook or another environment
            # runs the code: it was installed, into another interpreter than the one running.
            evidence = {"module": module}
            out += [("wrong-interpreter", 0.75, evidence), ("missing-dependency", 0.55, evidence)]
            if re.search(r"Cell In|ipython-input|ipykernel|\bColab", ctx.text):
                out.append(("kernel-not-restarted", 0.35, evidence))
        elif module == top and (interpreter := _run_as_module(ctx.text, module)):
            # `python -m X` names the interpreter that looked: X is not installed for it, and
            # a paste that speaks of installing X installed it for another one
            evidence = {"module": module, "interpreter": interpreter}
            if INSTALLED_ELSEWHERE.search(ctx.text):
                out += [("wrong-interpreter", 0.75, evidence),
                        ("missing-dependency", 0.55, evidence)]
            else:
                out += [("missing-dependency", 0.65, evidence),
                        ("wrong-interpreter", 0.5, evidence)]
        elif module in DEPENDENCIES or top in DEPENDENCIES or top in ("tensorflow", "numpy"):
            out.append(("missing-dependency", 0.75, {"module": module}))
    return out


# `python -m X` for an X the interpreter cannot find: CPython prints the interpreter's own path
# before runpy's message ("/usr/bin/python: No module named tf2onnx", Modules/main.c,
# pymain_run_module), with no traceback
_RUN_AS_MODULE = lazyre.compile(
    r"(?m)^[ \t>$\"'`]*(?P<interpreter>[^\s\"'`]*python[\w.]*(?:\.exe)?): No module named "
    r"(?P<module>[\w.]+)[\"'`.]*[ \t]*$")


def _run_as_module(text: str, module: str) -> str:
    """The interpreter `python -m <module>` ran, when its message is in the paste; else ''."""
    found = next((m for m in _RUN_AS_MODULE.finditer(text) if m.group("module") == module), None)
    return found.group("interpreter") if found else ""


# Import names under which several distributions install their modules side by side (PEP 420
# namespace packages: protobuf, google-auth and google-api-core all install under `google`): the
# parent imports while the distribution of the child is absent.
NAMESPACE_PACKAGES = {"google"}


def _submodule_missing(ctx: Context, module: str, top: str) -> List[Outcome]:
    """`No module named 'a.b'` of a package `a` that is installed. CPython imports the parent
    first and names it when it is the one missing (`_find_and_load_unlocked` in
    https://github.com/python/cpython/blob/v3.12.0/Lib/importlib/_bootstrap.py), so `a` imported
    here: nothing is missing from this interpreter, the release of `a` installed lacks `a.b`.
    Imported by another installed package, that package was written for another release of `a`
    (a requirement between the two unmet); imported by the user's code, the code was. A
    TensorFlow module every sampled release has (`tensorflow.compat`, the release tables)
    missing says the TensorFlow installed is older than all of them. [] when the parent is a
    namespace package, TensorFlow's or numpy's own dependency, or a TensorFlow module the tables
    do not show in every release (`tensorflow.python` missing is a `tensorflow/` folder left
    without its package, which Python reads as a namespace: see `missing_module`)."""
    if top in NAMESPACE_PACKAGES or top in DEPENDENCIES or top == "numpy":
        return []
    importer = calling_package(ctx.frames)
    if importer == top:  # the package's own code lacks one of its modules: not a version choice
        return []
    older = top == "tensorflow" and tf1.in_every_release("tensorflow", module.split(".")[1])
    if top == "tensorflow" and not older:
        return []
    evidence: Dict[str, Any] = {"module": module, "installed": top}
    if older:
        evidence["in_every_release_since"] = f"tensorflow {tf1.sampled().split(' ')[0]}"
    if importer:
        evidence["imported_by"] = importer
        if older:  # the importer needs a newer TensorFlow than the one installed
            return [("requirement-conflict", 0.75, evidence),
                    ("package-too-old-for-api", 0.4, evidence),
                    ("missing-dependency", 0.25, evidence)]
        return [("requirement-conflict", 0.6, evidence), ("dependency-too-new", 0.5, evidence),
                ("missing-dependency", 0.25, evidence)]
    if older:
        return [("package-too-old-for-api", 0.7, evidence),
                ("missing-dependency", 0.25, evidence)]
    return [("package-too-old-for-api", 0.55, evidence), ("dependency-too-new", 0.4, evidence),
            ("missing-dependency", 0.25, evidence)]


# The backends Keras 3 can be configured to run on (keras/src/backend/config.py: KERAS_BACKEND or
# the "backend" key of keras.json, "tensorflow" when neither says), each imported by Keras's own
# modules under keras/src/ when `import keras` runs (keras/src/backend/__init__.py, and
# tree/optree_impl.py or utils/module_utils.py for TensorFlow).
KERAS3_BACKENDS = {"tensorflow", "jax", "torch", "openvino"}
KERAS3_BACKEND_SOURCE = ("keras/src/backend/config.py and keras/src/backend/__init__.py "
                         "(Keras 3): the configured backend, TensorFlow by default, is imported "
                         "at `import keras`")
_KERAS_SRC = lazyre.compile(r"[/\\]keras[/\\]src[/\\]")


def calling_path(frames: List[str]) -> str:
    """The innermost frame that is not the import machinery ('' without frames)."""
    for path in reversed(frames):
        if not any(marker in path for marker in ("importlib", "<frozen", "_pydev", "pydev")):
            return path
    return ""


def keras3_imports_backend(ctx: Context, top: str) -> bool:
    """Whether Keras 3's own code (keras/src/…, with the paste showing Keras 3) is what failed to
    import `top`, one of the backends it can be configured to use. Keras 2.13-2.15 also keep
    their code under keras/src/, but TensorFlow is their dependency, not a chosen backend."""
    return (top in KERAS3_BACKENDS and ctx.keras3
            and bool(_KERAS_SRC.search(calling_path(ctx.frames))))


# Keras 2.0-2.3's TensorFlow backend module, and the other backends it could have been told to use
_KERAS2_TF_BACKEND = lazyre.compile(r"keras[/\\]backend[/\\]tensorflow_backend\.py|"
                                    r"Using TensorFlow backend")
_OTHER_KERAS2_BACKEND = lazyre.compile(r"(?i)\btheano\b|\bcntk\b")


_UNPICKLING = lazyre.compile(r"(?i)\bjoblib\b|\bpickle|unpickl|\bload_model\b|\bdill\b")


def private_tree(ctx: Context, module: str) -> List[Outcome]:
    """`No module named 'keras.src…'`: which Keras ran, read off what its private tree lacks
    (the `private_tree` table, from the keras/src trees of real wheels)."""
    tree = ctx.names.table.get("private_tree") or {}
    package = tree.get("package", "keras.src")
    if not (module == package or module.startswith(package + ".")):
        return []
    evidence: Dict[str, Any] = {"module": module, "source": tree.get("source")}
    if module == package:  # no keras/src at all: a Keras older than the tree
        evidence["first_release"] = f"keras {tree.get('since')}"
        if _UNPICKLING.search(ctx.text):  # an object saved under a newer Keras, loaded here
            return [("model-format-incompatible", 0.75, evidence),
                    ("package-too-old-for-api", 0.45, evidence)]
        return [("package-too-old-for-api", 0.8, evidence),
                ("model-format-incompatible", 0.3, evidence)]
    top = module[len(package) + 1:].split(".")[0]
    if top in tree.get("keras2_only", ()):  # the tree is there, without Keras 2's part: Keras 3
        evidence["only_in"] = "keras 2.13 … 2.15"
        return [("keras3-legacy-code", 0.8, evidence), ("keras-api-moved", 0.3, evidence)]
    if top in tree.get("keras3_only", ()):  # the tree is there, without Keras 3's part
        evidence["only_in"] = "keras 3"
        return [("keras3-required", 0.8, evidence), ("package-too-old-for-api", 0.35, evidence)]
    return []


_SITE_ROOT = lazyre.compile(r"(?i)(?P<root>[^\s\"'(]+?[/\\](?:site|dist)-packages)(?=[/\\\s)]|$)")


def _installed_in(text: str, top: str) -> str:
    """The site-packages pip named in "Requirement already satisfied: <top> in <path>"."""
    for name in {top, top.replace("_", "-")}:
        found = re.search(rf"(?im)Requirement already satisfied: {re.escape(name)}(?![\w.-])"
                          rf"[^\n]*? in (?P<path>\S+)", text)
        if found:
            root = _SITE_ROOT.search(found.group("path"))
            return _normal(root.group("root")) if root else ""
    return ""


def _site_roots(frames: List[str]) -> set:
    """The site-packages folders the traceback's frames run from."""
    roots = set()
    for frame in frames:
        found = _SITE_ROOT.search(frame)
        if found:
            roots.add(_normal(found.group("root")))
    return roots


def _normal(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").lower()


def distributions_of(top: str) -> set:
    """The distribution names that install import name `top` (`tensorflow-gpu` and
    `tensorflow-macos` install `tensorflow`), as pip and conda print them."""
    names = {top, top.replace("_", "-")}
    names |= {dist for dist, module in IMPORTED_AS.items() if module == top}
    return names


# Poetry resolves one set of dependencies for every platform from a release's published metadata
# (its maintainer on python-poetry/poetry#8271: "tensorflow's metadata does not express that
# dependency"), while TensorFlow 2.13-2.15's macOS arm64 `tensorflow` wheels declare
# `tensorflow-macos` and some of the release's other wheels do not (the release table, read from
# each wheel's METADATA, shows it): resolved from those, an Apple Silicon Mac gets the `tensorflow`
# shim without `tensorflow-macos` under it.
_POETRY = lazyre.compile(r"\bpoetry\b", re.IGNORECASE)
_TF_NAMED = lazyre.compile(
    r"(?i)\btensorflow(?:[ \t]*(?:==|@|v(?:ersion)?:?)?[ \t]*)(\d+\.\d+(?:\.\d+)?)\b")


def _macos_shim_without_its_code(ctx: Context) -> Dict[str, str]:
    """`No module named 'tensorflow'` after Poetry installed a TensorFlow release whose macOS
    arm64 wheels require a distribution the other wheels do not, on a Mac the paste shows is
    arm64: that distribution (`tensorflow-macos==2.13.0`) and where the requirement is declared,
    or {}."""
    if not _POETRY.search(ctx.text):
        return {}
    clues = ctx.clues
    if clues.platform != "macos" or clues.machine != "arm64":
        return {}
    for version in dict.fromkeys(m.group(1) for m in _TF_NAMED.finditer(ctx.text)):
        required = _macos_arm64_only_requirement(version)
        if required:
            return {"requires_distribution": required, "installer": "poetry",
                    "declared_by": f"tensorflow {version}'s macosx arm64 wheels (Requires-Dist)"}
    return {}


def _macos_arm64_only_requirement(version: str) -> str:
    """The requirement (`tensorflow-macos==2.13.0`) every macOS arm64 wheel of TensorFlow
    `version` declares for Darwin arm64 and the metadata of some other wheel of the release lacks
    (what a resolver reading that wheel's metadata never installs), or ''."""
    from packaging.markers import default_environment
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        from keras_doctor import knowledge

        release = knowledge.load().release("tensorflow", version)
    except Exception:  # no release table at hand: it says nothing
        return ""
    if release is None:
        return ""
    mac_arm: Dict[str, str] = {key: str(value) for key, value in default_environment().items()}
    mac_arm.update(platform_system="Darwin", platform_machine="arm64", sys_platform="darwin")

    def for_mac_arm(wheel: Any) -> set:
        found = set()
        for line in wheel.requires_dist:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is not None and requirement.marker.evaluate(mac_arm):
                found.add(f"{requirement.name}{requirement.specifier}")
        return found

    mac = [w for w in release.wheels if "macosx" in w.tag and w.tag.endswith("arm64")]
    others = [w for w in release.wheels if w not in mac]
    if not mac or not others:
        return ""
    shared = set.intersection(*(for_mac_arm(w) for w in mac))
    everywhere = set.intersection(*(for_mac_arm(w) for w in others))
    # declared by the Mac's wheels, missing from the metadata of some other wheel of the release
    only_some = sorted(r for r in shared - everywhere if r.startswith("tensorflow-macos"))
    return only_some[0] if only_some else ""


def _pip_says_installed(text: str, top: str) -> str:
    """pip or conda, in the paste, show the module's distribution installed: pip's
    "Requirement already satisfied: <distribution>", its "Successfully installed" line listing
    `<distribution>-<version>`, `pip show`'s "Name: <distribution>", or a row of `pip list` /
    `conda list` (name, then version). The line that says so, or ''."""
    for name in sorted(distributions_of(top)):
        word = re.escape(name)
        for pattern in (rf"(?im)Requirement already satisfied: {word}(?![\w.-])[^\n]*",
                        rf"(?im)^\s*Successfully installed [^\n]*?(?<![\w.-]){word}-\d[^\n]*",
                        rf"(?im)^Name: {word}\s*$",
                        rf"(?im)^{word}[ \t]+\d+\.\d+[\w.+-]*(?:[ \t][^\n]*)?$"):
            found = re.search(pattern, text)
            if found:
                return found.group(0).strip()[:200]
    return ""


# Where installed packages live (site-packages, Debian's dist-packages) or frozen ones load from
_INSTALLED_PLACE = lazyre.compile(r"(?i)[/\\](?:site|dist)-packages[/\\]|<frozen")

# The packages people import and never ship in their own folders: a frame running one of them from
# outside site-packages runs a local copy (a `tensorflow/` folder, a `keras.py` script), which the
# script's folder (sys.path[0]) or the working directory puts before the installed package
# (https://docs.python.org/3/library/sys_path_init.html).
SHADOWABLE = ("tensorflow", "keras", "numpy", "tf_keras", "h5py")


def local_copy(frames: List[str], top: str) -> str:
    """The frame path that runs package `top` from outside site-packages (`…/tensorflow/
    __init__.py`, `…/keras.py`), or ''."""
    if top not in SHADOWABLE:
        return ""
    for frame in frames:
        if site_package_of(frame) or _INSTALLED_PLACE.search(frame):
            continue
        parts = re.split(r"[/\\]+", frame)
        if parts[-1] == f"{top}.py" or parts[-2:] == [top, "__init__.py"]:
            return frame
    return ""


# A frozen application unpacks its packages outside site-packages too (PyInstaller's _MEIxxxxxx
# folder, a macOS .app bundle), as does an embedded interpreter's zip.
_BUNDLED = lazyre.compile(r"(?i)[/\\]_MEI\d+[/\\]|\.app[/\\]Contents[/\\]|\.zip[/\\]")


def local_tree(path: str, top: str) -> bool:
    """Whether `path` is a module file inside a folder named `top` outside every place installed
    packages live: a local copy of the package."""
    if site_package_of(path) or _INSTALLED_PLACE.search(path) or _BUNDLED.search(path):
        return False
    return top in re.split(r"[/\\]+", path)[:-1]


_PIP_LOCATION = lazyre.compile(r"(?im)^\s*Requirement already satisfied: [^\n]*? in (?P<path>\S+)")
# `print(sys.executable)` and `sys.executable` in the REPL print the interpreter's path
_EXECUTABLE = lazyre.compile(r"(?im)(?:^|[\s'\"])"
                             r"(?P<path>(?:[A-Za-z]:|~)?(?:[/\\]{1,2}[^\s'\"/\\]+)+"
                             r"[/\\]{1,2}python(?:[23](?:\.\d+)?)?(?:w)?(?:\.exe)?)(?=['\"\s]|$)")
# a conda prompt: "(tf) C:\Users\me>pip install …", "(base) me@host:~$ jupyter notebook"
_CONDA_PROMPT = lazyre.compile(r"(?m)^\((?P<env>[\w.-]+)\)\s+[^\n]*?[$#>%]\s*(?P<command>[^\n]+)$")
_INSTALL_COMMAND = lazyre.compile(r"^(?:pip3?|conda|mamba|python3?(?:\.\d+)? -m pip) install\b")
_RUN_COMMAND = lazyre.compile(r"^(?:python[\d.]*|jupyter|ipython\d?|spyder)\b")


def interpreters_shown(text: str, frames: List[str]) -> List[str]:
    """The two (or more) interpreters the paste shows, described, or [] when it shows one:
    different Python versions (pip's own, the banner's, the paths'), different
    `sys.executable` paths, or an install in one conda environment and a run in another."""
    from keras_doctor.explain.wheels import python_mentions

    # pip's own version line and the banner, anywhere; an interpreter's folders where code ran
    # (the frames) or where pip says the package is (not every path a report quotes)
    versions = {v for kind, v in python_mentions(text) if kind in ("pip", "banner")}
    located = "\n".join([*frames, *(m.group("path") for m in _PIP_LOCATION.finditer(text))])
    versions |= {v for kind, v in python_mentions(located) if kind == "folder"}
    if len(versions) > 1:
        return [f"Python {v}" for v in sorted(versions)]
    if "sys.executable" in text:
        executables = {_normal(m.group("path")).replace("//", "/")
                       for m in _EXECUTABLE.finditer(text)}
        if len(executables) > 1:
            return sorted(executables)
    installed_in, ran_in = set(), set()
    for prompt in _CONDA_PROMPT.finditer(text):
        command = prompt.group("command").strip()
        if _INSTALL_COMMAND.match(command):
            installed_in.add(prompt.group("env"))
        elif _RUN_COMMAND.match(command):
            ran_in.add(prompt.group("env"))
    if installed_in and ran_in and not installed_in & ran_in:
        return [f"installed in ({env})" for env in sorted(installed_in)] + [
            f"run in ({env})" for env in sorted(ran_in)]
    return []


# IPython's packaging magics run the installer for the kernel's own interpreter
# (IPython/core/magics/packaging.py: `%pip` is `sys.executable -m pip`, `%conda`, `%mamba` and
# `%micromamba` install into `sys.prefix`, `%uv pip install` targets `sys.executable`). IPython
# reads the magic's name right after the `%` (core/inputtransformer2.py, `_tr_magic`:
# `content.partition(" ")`), so `% pip install …` is no magic: it is zsh's prompt. Colab runs one
# Python, so its `!pip` is the kernel's too.
_MAGIC_INSTALL = r"%(?:pip|conda|mamba|micromamba|uv pip)\s+install\b"
# IPython's `!` runs the rest of the line in a shell (`_tr_system`): whichever pip PATH finds
_SHELL_ESCAPE_INSTALL = r"!\s*(?:pip3?|conda|mamba|python3? -m pip|uv pip)\s+install\b"
KERNELS_OWN_INSTALL = lazyre.compile(rf"(?im)^\s*{_MAGIC_INSTALL}(?P<args>[^\n]*)")
# What IPython's packaging magics print after an install (packaging.py: "Note: you may need to
# restart the kernel to use updated packages.") and Colab's warning and button after one that
# replaced an imported package ("You must restart the runtime in order to use newly installed
# versions.", "RESTART RUNTIME")
RESTART_HINT = lazyre.compile(r"(?i)restart the (?:kernel|runtime) to use|"
                              r"You must restart the runtime|RESTART RUNTIME")
_COLAB_WORDS = lazyre.compile(r"google\.colab|/content/|\bColab(?:oratory)?\b")


def installed_under_the_kernel(text: str) -> bool:
    """Whether the paste shows an install made while the notebook kernel ran: the kernel's own
    installer (`KERNELS_OWN_INSTALL`) or the restart hint printed after one."""
    return bool(KERNELS_OWN_INSTALL.search(text) or RESTART_HINT.search(text))


def kernels_own_install(text: str, top: str) -> bool:
    """Whether the paste shows the kernel's own pip installing the distribution of `top`."""
    pattern = _SESSION_INSTALL if _COLAB_WORDS.search(text) else KERNELS_OWN_INSTALL
    return _installs(pattern, text, {name.lower() for name in distributions_of(top)})


def _installs(pattern: re.Pattern, text: str, names: set) -> bool:
    """Whether an install line `pattern` finds names one of `names` among its arguments."""
    for found in pattern.finditer(text):
        for word in re.findall(r"[A-Za-z0-9][\w.-]*", found.group("args")):
            if re.split(r"[=<>!~\[]", word)[0].lower() in names:
                return True
    return False


# A notebook's own install commands: IPython's `!` shell escape and its packaging magics
_SESSION_INSTALL = lazyre.compile(
    rf"(?im)^\s*(?:{_MAGIC_INSTALL}|{_SHELL_ESCAPE_INSTALL})(?P<args>[^\n]*)")


# A version the running session reports: what `print(x.__version__)` printed on the next line, or
# the report's words for it ("it shows 1.13.1", "still prints 2.12.0")
_RUNNING_VERSION = lazyre.compile(
    r"__version__\)?[ \t]*\n[ \t>]*['\"]?(?P<printed>\d+\.\d+(?:\.\d+)?(?:[-.]?[a-z]+\d*)?)\b|"
    r"(?i:\b(?:shows?|prints?|says|returns|gives|outputs?)\b)[ \t:]*(?:version )?['\"]?"
    r"(?P<told>\d+\.\d+(?:\.\d+)?(?:[-.]?[a-z]+\d*)?)\b")


def version_the_kernel_still_runs(text: str) -> Dict[str, str]:
    """{distribution, installed, running} when the paste shows a notebook cell installing one
    release of a distribution (`!pip install tensorflow==2.0.0-alpha0`) and the session reporting
    another release as the one it runs: the kernel imported the package before the install and
    still holds it. {} otherwise."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    pins: Dict[str, Version] = {}
    for found in _SESSION_INSTALL.finditer(text):
        for word in found.group("args").split():
            try:
                requirement = Requirement(word)
                (spec,) = requirement.specifier
                if spec.operator == "==":
                    pins[requirement.name] = Version(spec.version)
            except (InvalidRequirement, InvalidVersion, ValueError):
                continue
    if len(pins) != 1:  # which package a printed version belongs to is then unclear
        return {}
    (name, installed), = pins.items()
    for seen in _RUNNING_VERSION.finditer(text):
        try:
            running = Version(seen.group("printed") or seen.group("told"))
        except InvalidVersion:
            continue
        if running != installed:
            return {"distribution": name, "installed": str(installed), "running": str(running)}
    return {}


# An install command typed at a shell, a conda prompt or a notebook cell (`!pip`, `%pip`)
_INSTALL_COMMAND_LINE = lazyre.compile(
    r"(?im)(?:^|[$>%#!]\s*)(?:pip3?|python3?(?:\.\d+)? -m pip|py -m pip|conda|mamba) install\b"
    r"(?P<args>[^\n]*)")
# How pip and conda say an install failed (then nothing was installed)
_INSTALL_FAILED = lazyre.compile(r"(?m)^ERROR: |Could not find a version|No matching distribution|"
                                 r"subprocess-exited-with-error|Failed building wheel|"
                                 r"PackagesNotFoundError|ResolutionImpossible|UnsatisfiableError")


def install_command(text: str, top: str) -> str:
    """The install command of the paste that names the distribution of import name `top`
    (`pip install opencv-python` for cv2), when no failure of an install is shown; else ''."""
    if _INSTALL_FAILED.search(text):
        return ""
    names = {name.lower() for name in distributions_of(top)}
    for found in _INSTALL_COMMAND_LINE.finditer(text):
        for word in re.findall(r"[A-Za-z0-9][\w.-]*", found.group("args")):
            if re.split(r"[=<>!~\[]", word)[0].lower() in names:
                return found.group(0).strip()[:200]
    return ""


def installed_in_session(text: str, top: str) -> bool:
    """Whether the paste shows a notebook cell installing the distribution of import name `top`
    (`!pip install tensorflow==1.6.0`, `%pip install -U keras`)."""
    return _installs(_SESSION_INSTALL, text, {top, top.replace("_", "-")})


INSTALLED_ELSEWHERE = lazyre.compile(
    r"(?i)jupyter|notebook|ipython|ipykernel|Cell In|spyder|pycharm|anaconda prompt|"
    r"conda (?:install|activate|create|env)|(?:pip|conda) (?:install|list|show)|"
    r"\binstall(?:ed|ing)\b|\banaconda\b|"
    r"in the terminal|virtual environment"
)


def import_name(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    module, name, path = found.last("module"), found.last("name"), found.last("path")
    if not module and name:  # Python < 3.8 does not say from where: the import line does
        statement = re.search(rf"from ([\w.]+) import [^\n]*\b{re.escape(name)}\b", ctx.text)
        module = statement.group(1) if statement else ""
    top = module.split(".")[0]
    if path and not site_package_of(path) and re.search(rf"[/\\]{re.escape(top)}\.py$", path):
        return [("shadowed-module", 0.9, {"module": top, "path": path})]
    if path and top in SHADOWABLE and local_tree(path, top):
        # CPython names the file of the module it imported from: one inside a `tensorflow/` tree
        # outside every site-packages is a copy (a source checkout, a build's output) that the
        # working directory put before the installed package
        return [("shadowed-module", 0.85, {"module": top, "path": path})]
    if path == "unknown location" and top in ("keras", "tensorflow", "numpy"):
        # a package without __init__.py: a folder of that name in the working directory, or what
        # uninstalling one of two distributions that shared the folder leaves behind
        return [("shadowed-module", 0.55, {"module": top, "path": path}),
                *_half_uninstalled(top, 0.45)]
    if module.startswith("google.protobuf"):
        return [("protobuf-mismatch", 0.8, {"name": name, "module": module})]
    if module.startswith("ml_dtypes"):
        return [("ml-dtypes-mismatch", 0.8, {"name": name})]
    if module == "numpy" and name in NUMPY_REMOVED_ALIASES:  # from numpy import float_
        return numpy_alias_removed(name, "NumPy 1.24" if name in NUMPY_1_24_REMOVED
                                   else "NumPy 2.0")
    if module.startswith("numpy"):
        return [("numpy-abi-mismatch", 0.5, {"name": name, "module": module})]
    if tf1.removed_in_tf2(module, name):  # from tensorflow(.compat.v1) import estimator
        return removed_tf2_name(module, name)
    submodule = f"{module}.{name}"  # from tensorflow.python.ops import collective_ops
    if introduced := dated_internal(ctx, submodule):  # a module a release added and kept
        return introduced_tf_internals(ctx, submodule, introduced)
    if (
        module.startswith("tensorflow.python") and not module.startswith("tensorflow.python.keras")
    ) or module.startswith("tensorflow.compat."):
        both = full_tensorflows_listed(ctx.text)
        if len(both) > 1:
            # two complete TensorFlow builds listed as installed write one tensorflow/ folder:
            # its modules come from whichever wrote each file last
            evidence = {"name": name, "module": module, "distributions": both}
            return [("tf-distributions-overlap", 0.8, evidence),
                    ("keras-tf-version-skew", 0.45, evidence)]
        return [("keras-tf-version-skew", 0.7, {"name": name, "module": module})]
    if tf1.attribute(module, name) == "tf1":  # from keras.backend import set_session
        return _tf1_name(ctx, module, name)
    skew = _tf_private_keras_from_a_package(ctx, module, name)
    if skew:
        return skew
    if is_keras_module(module):
        return names(ctx, module, name, module_exists=True,
                     imported_before=imported_before(ctx.text, module, name))
    return []


def imported_before(text: str, module: str, name: Optional[str]) -> List[str]:
    """The names a `from module import a, b, name` statement lists before the one that failed.
    Python binds them in order and stops at the first it cannot find (`import_from` in
    CPython's ceval), so those names were found: the installed module has them."""
    if not (module and name):
        return []
    statement = re.search(rf"from {re.escape(module)} import \(?([\w ,]*?)\b{re.escape(name)}\b",
                          text)
    if not statement:
        return []
    listed = [part.split(" as ")[0].strip() for part in statement.group(1).split(",")]
    return [n for n in listed if n.isidentifier()]


def _tf_private_keras_from_a_package(ctx: Context, module: str, name: Optional[str]
                                     ) -> List[Outcome]:
    """`tensorflow.python.keras` is TensorFlow's private copy of Keras, laid out anew in every
    TensorFlow minor. When the code reaching into it is an installed package (the standalone
    keras, efficientnet, segmentation_models…), that package was released against another
    TensorFlow than the one installed: a version skew, not a name the user imported from the
    wrong module (which is what the same line raised by the user's own code means). Keras 2's
    own frames missing a Keras name say the same of the Keras installed."""
    caller = calling_package(ctx.frames)
    if module.startswith("tensorflow.python.keras"):
        if not caller or caller in ("tensorflow", "tensorflow_core"):
            return []
        evidence = {"module": module, "name": name, "called_from": caller}
        return [("keras-tf-version-skew", 0.75, evidence), ("keras-api-moved", 0.4, evidence)]
    if caller == "keras" and module.split(".")[0] == "keras" and not ctx.keras3:
        # Keras 2's own code missing a name of its own modules (keras 2.4 re-exports
        # tensorflow.python.keras, later ones call TensorFlow's internals): the Keras installed
        # was built for another TensorFlow, or two Keras distributions share its folder
        evidence = {"module": module, "name": name, "called_from": "keras"}
        return [("keras-tf-version-skew", 0.7, evidence),
                ("keras-distributions-overlap", 0.4, evidence),
                ("keras-api-moved", 0.3, evidence)]
    return []


def calling_package(frames: List[str]) -> str:
    """The installed package of the innermost frame that is not the import machinery: the code
    that ran the failing import or attribute access ('' for the user's own code)."""
    return site_package_of(calling_path(frames)).split(".")[0]


# Distributions that each ship a complete `tensorflow/` package and declare none of the others
# (their wheels' Requires-Dist in the release tables): two of them installed write the same
# folder. The platform distributions a `tensorflow` wheel itself requires (tensorflow-intel on
# Windows, tensorflow-macos on arm64 Macs for 2.13-2.15, tensorflow-cpu-aws on Linux arm64) are
# installed beside it on purpose and are left out.
FULL_TENSORFLOWS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly",
                    "tf-nightly-cpu", "tf-nightly-gpu")


def full_tensorflows_listed(text: str) -> List[str]:
    """The complete TensorFlow distributions the paste lists with a version, one per line as
    `pip list`, `pip freeze` or a "name: version" list print them."""
    listed = []
    for dist in FULL_TENSORFLOWS:
        row = rf"(?im)^[ \t>|*-]*{re.escape(dist)}[ \t]*(?:==|:|[ \t])[ \t]*\d+\.\d+"
        if re.search(row, text):
            listed.append(dist)
    return listed


_SHARED_FOLDER = {"tensorflow": "tf-distributions-overlap", "keras": "keras-distributions-overlap"}


def _half_uninstalled(top: str, weight: float) -> List[Outcome]:
    cause = _SHARED_FOLDER.get(top)
    return [(cause, weight, {"module": top})] if cause else []


def module_attribute(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    module, name = found.last("module"), found.last("name")
    lazy = ctx.names.table.get("not_bound_by_import", {})
    if module == lazy.get("module") and name in lazy.get("names", ()):
        evidence = {"module": module, "name": name, "moved_to": f"{module}.{name}",
                    "not_bound_in": lazy.get("releases"), "source": lazy.get("source")}
        return [("keras-api-moved", 0.6, evidence), ("shadowed-module", 0.45, {"module": module})]
    if module == "tensorflow" and name == "keras":  # tf.keras joined TensorFlow's core in 1.4
        evidence = {"name": "tf.keras", "first_release": "tensorflow 1.4",
                    "source": "https://github.com/tensorflow/tensorflow/releases/tag/v1.4.0"}
        # today a local tensorflow.py is likelier than a TensorFlow older than 2017's 1.4;
        # frames inside the installed tensorflow rule the local file out (clues.weigh)
        return [("shadowed-module", 0.6, {"module": module, "missing": name}),
                ("package-too-old-for-api", 0.5, evidence)]
    if tf1.namespace_of(module) == "tensorflow.keras" and name == "__version__":
        return [("code-uses-removed-tensorflow-api", 0.85, _TF_KERAS_VERSION),
                ("keras-api-moved", 0.35, {"module": module, "name": name})]
    if taken := tf1.taken_away_at_1_0(module, name):
        # `tf.pack` (0.x; `tf.stack` from 1.0 on): the TensorFlow is newer than the code
        return [("dependency-too-new", 0.85, {"module": module, **taken}),
                ("tf1-api-under-tf2", 0.3, {"module": module, **taken})]
    if tf1.attribute(module, name) == "tf1":
        return _tf1_name(ctx, module, name)
    if tf1.removed_in_tf2(module, name):
        return removed_tf2_name(module, name)
    if tf1.introduced(module, name):
        return introduced_tf_name(ctx, module, name)
    if tf1.namespace_of(module) == "tensorflow.compat.v1" and tf1.attribute(
        "tensorflow", name
    ) == "tf1":  # only tf.contrib: every other TF1 name lives on in tf.compat.v1
        return _tf1_name(ctx, "tensorflow", name)
    if name in ctx.always_present.get(module, ()) or tf1.in_every_release(module, name):
        top = tf1.namespace_of(module) if module in ("tf", "tensorflow_core") else module
        if installed_in_session(ctx.text, top):
            # a name every release has, missing right after a notebook installed another
            # release of the package: the kernel still holds modules of the one it imported
            # before, now mixed with the new files (Colab: "You must restart the runtime")
            evidence = {"module": top, "missing": name, "installed_in_session": True}
            return [("kernel-not-restarted", 0.85, evidence),
                    ("shadowed-module", 0.5, {"module": top, "missing": name})]
        if older := _named_before_the_sample(ctx, top, name):
            return older
        return [("shadowed-module", 0.8, {"module": top, "missing": name}),
                *_half_uninstalled(top, 0.4)]
    if module == "ml_dtypes":
        return [("ml-dtypes-mismatch", 0.85, {"name": name})]
    if module == "numpy" and name in NUMPY_REMOVED_ALIASES:
        return numpy_alias_removed(name, "NumPy 1.24" if name in NUMPY_1_24_REMOVED
                                   else "NumPy 2.0")
    if "compat.v2" in module or "__internal__" in module:
        return [("keras-tf-version-skew", 0.8, {"module": module, "name": name})]
    skew = _tf_private_keras_from_a_package(ctx, module, name)
    if skew:
        return skew
    if is_keras_module(module):
        return names(ctx, module, name, module_exists=True)
    return _tensorflow_named_before_the_sample(ctx, module, name)


def _tensorflow_named_before_the_sample(ctx: Context, module: str, name: str) -> List[Outcome]:
    """Any name of a TensorFlow module (`tensorflow.python.platform.flags`) missing where every
    TensorFlow the paste names is older than the releases the API table read: code for a later
    release meets one that predates the name (`_named_before_the_sample`)."""
    namespace = tf1.namespace_of(module)
    if namespace != "tensorflow" and not namespace.startswith("tensorflow."):
        return []
    return _named_before_the_sample(ctx, "tensorflow",
                                    f"{namespace[len('tensorflow.'):]}.{name}".lstrip("."))


def _submodule_before_the_sample(ctx: Context, module: str) -> List[Outcome]:
    """`tensorflow.X…` missing where X is a top-level name of every release the API table read
    (1.13.1 on), under a TensorFlow the paste names older than all of them: that release, not
    the module, is what the table cannot vouch for (`_named_before_the_sample`)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "tensorflow" or not tf1.in_every_release("tensorflow",
                                                                              parts[1]):
        return []
    return _named_before_the_sample(ctx, "tensorflow", parts[1])


# tf.keras is the keras wheel's generated API (keras/api/_v2/keras/__init__.py): keras 2.12.0's
# binds `from keras import __version__`, 2.13.1's (and 2.14, 2.15) no longer does, so install
# checks printing tf.keras.__version__ fail from TensorFlow 2.13 on; keras.__version__ still works
_TF_KERAS_VERSION = {
    "name": "tf.keras.__version__", "last_seen": "tensorflow 2.12 (keras 2.12.0)",
    "gone_in": "tensorflow 2.13 (keras 2.13.1)", "pin": "tensorflow<2.13",
    "replacement": "keras.__version__ (import keras)",
    "source": "keras 2.12.0 and 2.13.1 wheels, keras/api/_v2/keras/__init__.py ('from keras "
              "import __version__' in 2.12.0 only)"}


def _all_older(versions: List[str], bound: str) -> bool:
    """Whether there is a version and every one is older than `bound` (not when one is no
    version at all)."""
    from packaging.version import InvalidVersion, Version

    try:
        return bool(versions) and all(Version(v) < Version(bound) for v in versions)
    except InvalidVersion:
        return False


def _named_before_the_sample(ctx: Context, top: str, name: str) -> List[Outcome]:
    """A top-level TensorFlow name every sampled release has (1.13.1 on) is missing, and every
    TensorFlow the paste names is older than the sample: the table cannot vouch for that release,
    and a release older than the name is likelier than a module that is not TensorFlow."""
    earliest = tf1.earliest_sampled()
    named = clues_module.named_tensorflow_versions(ctx.text)
    if top != "tensorflow" or not earliest or not _all_older(named, earliest):
        return []
    evidence = {"name": f"tf.{name}", "module": top, "tensorflow_named": ", ".join(named),
                "first_release": f"tensorflow {earliest} at the latest",
                "pin": f"tensorflow>={earliest}", "source": tf1.source()}
    return [("package-too-old-for-api", 0.75, evidence),
            ("shadowed-module", 0.5, {"module": top, "missing": name})]


_OLD_STANDALONE_KERAS = lazyre.compile(
    r"keras[/\\]backend[/\\]tensorflow_backend|keras[/\\]engine[/\\](?:topology|training)\.py|"
    r"Using TensorFlow backend"
)


def _tf1_name(ctx: Context, module: str, name: str) -> List[Outcome]:
    """A name only TensorFlow 1 has (read from the wheels): TF 1 code under TensorFlow 2."""
    namespace = tf1.namespace_of(module)
    public = "tf" + namespace[len("tensorflow"):] if namespace.startswith("tensorflow") else module
    evidence = {"name": f"{public}.{name}", "module": module,
                "replacement": f"tf.compat.v1{public[2:]}.{name}",
                "only_in": f"tensorflow {tf1.sampled()} (sampled), no 2.x",
                "source": tf1.source()}
    if namespace == "tensorflow.keras.backend":
        evidence["replacement"] = f"tf.compat.v1.keras.backend.{name}"
    package = tf1.tf1_only_module(f"{namespace}.{name}")
    if package:  # tf.contrib: no tf.compat.v1 copy
        del evidence["replacement"]
        evidence["package"] = package
    if older := _tensorflow_named_before_the_sample(ctx, module, name):
        return older  # a TensorFlow 1 name missing under a TensorFlow 1 older than the name
    if _OLD_STANDALONE_KERAS.search(ctx.text):
        # standalone Keras <= 2.3 itself calls the TF1 API: that Keras predates TensorFlow 2
        return [("keras-tf-version-skew", 0.85, evidence), ("tf1-api-under-tf2", 0.6, evidence)]
    return [("tf1-api-under-tf2", 0.9, evidence), ("keras-tf-version-skew", 0.3, evidence)]


def removed_tf2_name(module: str, name: str) -> List[Outcome]:
    """A name an earlier TensorFlow 2 had and a later one removed (read from the wheels)."""
    found = tf1.removed_in_tf2(module, name) or {}
    namespace = tf1.namespace_of(module)
    public = "tf" + namespace[len("tensorflow"):] + "." + name
    evidence = {"name": public, "module": module, "last_seen": f"tensorflow {found['last_seen']}",
                "gone_in": f"tensorflow {found['gone_in']}",
                "pin": f"tensorflow<={found['last_seen']}", "source": tf1.source()}
    return [("code-uses-removed-tensorflow-api", 0.88, evidence),
            ("keras-tf-version-skew", 0.25, evidence)]


def introduced_tf_name(ctx: Context, module: str, name: str) -> List[Outcome]:
    """A name a TensorFlow release added and none since removed (read from the wheels): the
    installed TensorFlow predates it. When Keras's own frames ask for it, that Keras was released
    for a newer TensorFlow than the one installed: the pair skews."""
    found = tf1.introduced(module, name) or {}
    public = "tf" + tf1.namespace_of(module)[len("tensorflow"):] + "." + name
    evidence = {"name": public, "module": module,
                "first_release": f"tensorflow {found['first_seen']}",
                "absent_in": f"tensorflow {found['absent_in']}",
                "pin": f"tensorflow>={found['first_seen']}", "source": tf1.source()}
    return _tensorflow_older_than_it(ctx, evidence)


def _tensorflow_older_than_it(ctx: Context, evidence: Dict[str, Any]) -> List[Outcome]:
    """What TensorFlow added in a release and kept is missing: the installed TensorFlow
    predates it, or, when Keras's own frames ask for it, that Keras was released for a newer
    TensorFlow than the one installed."""
    if calling_package(ctx.frames) in ("keras", "tf_keras"):
        return [("keras-tf-version-skew", 0.85, {**evidence, "called_from": "keras"}),
                ("package-too-old-for-api", 0.5, evidence)]
    return [("package-too-old-for-api", 0.88, evidence)]


def dated_internal(ctx: Context, module: str) -> Optional[Dict[str, str]]:
    """The release that added `module`, a TensorFlow internal none since removed, when the paste
    can tell who imported it: tf.keras's own internals are imported by code written against
    TensorFlow itself; any other needs the frames. Since 2.6 Keras lives in its own wheel and
    imports TensorFlow's internals (`tensorflow.python.framework.type_spec_registry`), so a bare
    line naming one is most often that Keras, built for a newer TensorFlow: the pair skewing,
    which the caller's rule for undated internals says."""
    introduced = tf1.internal_introduced(module)
    if introduced and (calling_path(ctx.frames)
                       or tf1.namespace_of(module).startswith("tensorflow.python.keras")):
        return introduced
    return None


def introduced_tf_internals(ctx: Context, module: str, found: Dict[str, str]) -> List[Outcome]:
    """A TensorFlow internal module a release added and none since removed (read from the
    wheels' file lists), imported by code written for that release or later."""
    evidence = {"module": module,
                "first_release": f"tensorflow {found['first_seen']}",
                "absent_in": f"tensorflow {found['absent_in']}",
                "pin": f"tensorflow>={found['first_seen']}", "source": tf1.source()}
    return _tensorflow_older_than_it(ctx, evidence)


def tf1_module(module: str) -> List[Outcome]:
    package = tf1.tf1_only_module(module)
    if package is None:
        return []
    evidence = {"module": module, "package": package,
                "only_in": f"tensorflow {tf1.sampled()} (sampled), no 2.x", "source": tf1.source()}
    return [("tf1-api-under-tf2", 0.9, evidence)]


def _under_a_named_tf1(ctx: Context, module: str) -> List[Outcome]:
    """A TensorFlow 1 package's module (`tensorflow.contrib.rnn.python.ops.core_rnn_cell`)
    missing where every TensorFlow the paste names is a 1.x or older: the package is there, so
    not TensorFlow 2, but this module is not in that release. Before the releases the table read
    (1.13.1) a module the code needs is likelier newer than the release; within them, code
    written for an earlier 1.x, whose module later moved, is."""
    package = tf1.tf1_only_module(module)
    if tf1.namespace_of(module) == package:
        return []  # the package itself missing is a TensorFlow without it, whatever is named
    named = clues_module.named_tensorflow_versions(ctx.text)
    earliest = tf1.earliest_sampled()
    if not earliest or not _all_older(named, "2"):
        return []
    before_the_sample = _all_older(named, earliest)
    evidence = {"module": module, "package": package,
                "tensorflow_named": ", ".join(named), "source": tf1.source()}
    older, newer = ("package-too-old-for-api", 0.7), ("dependency-too-new", 0.45)
    if not before_the_sample:
        older, newer = (older[0], 0.45), (newer[0], 0.6)
    return [(*older, evidence), (*newer, evidence)]


_FINAL_ERROR = lazyre.compile(r"^\w+(?:Error|Exception): \S", re.MULTILINE)


def import_statement(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """Only for tracebacks cut before their error line: otherwise that line is the evidence. The
    failing frame's source line names what was imported (`from keras.engine import training`) or,
    for an AttributeError, the tf.keras path it reached (`tf.keras.layers.experimental.X`)."""
    if _FINAL_ERROR.search(ctx.text):
        return []
    module = found.last("module") or found.last("module_only")
    name = found.last("name") if found.last("module") else None
    if module.startswith("tf."):  # `tf.keras.layers.X` on the failing line: the module as imported
        module = "tensorflow." + module[len("tf."):]
    return [(c, w * 0.8, e) for c, w, e in names(ctx, module, name)] if module else []


def shadow_file(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    paths = [p for p in found.groups.get("path", ()) if not site_package_of(p)]
    if found.groups.get("path") and not paths:
        return []
    evidence = {"module": found.first("module")}
    if paths:
        evidence["path"] = paths[0]
    return [("shadowed-module", found.signature.weight, evidence)]


def names(ctx: Context, module: str, name: Optional[str], module_exists: bool = False,
          imported_before: Sequence[str] = ()) -> List[Outcome]:
    verdicts = ctx.names.resolve(module, name, keras3=ctx.keras3, library=ctx.library(),
                                 keras2_only=ctx.keras2_only,
                                 module_exists=module_exists, imported_before=imported_before)
    return [(v.cause, v.weight, v.evidence) for v in verdicts]


# What transformers calls each framework in "{0} requires the PyTorch library but it was not found
# in your environment" (file_utils.py, later utils/import_utils.py), as the import name
TRANSFORMERS_LIBRARIES = {"PyTorch": "torch", "TensorFlow": "tensorflow", "Flax": "flax"}
# transformers disables a framework installed in a release older than it supports and then says
# it was not found (utils/import_utils.py, is_torch_available: "Disabling PyTorch because PyTorch
# >= 2.4 is required but found 2.3.0"): the framework is there, too old for it
_TRANSFORMERS_DISABLED = lazyre.compile(
    r"Disabling (?P<library>PyTorch|TensorFlow|Flax) because \w+ >= ?(?P<minimum>\d[\w.]*) is "
    r"required but found (?P<found>\d[\w.+]*)")
# transformers looks TensorFlow up by the names of the distributions that install it
# (importlib.metadata.version over its candidate list); tensorflow-macos joined that list in 4.x
# (https://github.com/huggingface/transformers/blob/v4.30.0/src/transformers/utils/import_utils.py),
# so before it, Apple's fork was "not found" while `import tensorflow` worked
TRANSFORMERS_TF_CANDIDATES_SOURCE = (
    "https://github.com/huggingface/transformers/blob/v4.30.0/src/transformers/utils/"
    "import_utils.py (the `candidates` distributions is_tf_available looks up)")


def optional_package(found: SignatureMatch, ctx: Context) -> List[Outcome]:
    """A library's own message that an optional package it imports is absent. The library is
    installed and ran here, so the package is missing from this interpreter (not installed into
    another one); transformers also says so of a framework it disabled for being too old, and of
    Apple's TensorFlow fork, whose distribution name its older releases did not know."""
    library = found.last("library")
    module = TRANSFORMERS_LIBRARIES.get(library, "") if library else found.last("module")
    evidence: Dict[str, Any] = {"module": module, "required_by": found.last("symbol")}
    disabled = _TRANSFORMERS_DISABLED.search(ctx.text)
    if library and disabled and disabled.group("library") == library:
        evidence.update(requirement=f"{module}>={disabled.group('minimum')}",
                        installed=f"{module} {disabled.group('found')}")
        return [("requirement-conflict", 0.85, evidence), ("missing-dependency", 0.3, evidence)]
    if module == "tensorflow" and ctx.clues.platform == "macos":
        fork = {**evidence, "source": TRANSFORMERS_TF_CANDIDATES_SOURCE}
        return [("tensorflow-macos-fork-not-recognised", 0.8, fork),
                ("missing-dependency", 0.5, evidence)]
    return [("missing-dependency", found.signature.weight, evidence)]
