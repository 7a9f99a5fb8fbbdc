"""The verify driver: runs inside the *target* interpreter and proves, step by step, that it works.

This file is executed as source (`python -c <this file's text> <config JSON>`) by the target
interpreter, so it must stay stdlib-only, Python 3.7+ and import nothing from keras-doctor. It
imports the framework in its own process, never in the doctor's.

It reports through a line protocol on the process's original stdout: one JSON object per line
(`hello`, `start`, `end`, `done`). Everything else that writes to stdout (prints, progress bars)
is moved to stderr first, so the protocol stays clean. A crash or a hang leaves the last `start`
without its `end`: that is how the doctor names the step that died.
"""

import faulthandler
import json
import os
import sys
import time
import traceback

_EVENTS_FD = 1

# Smallest input side each application accepts with weights=None; the rest get DEFAULT_SIZE.
DEFAULT_SIZE = 64
MIN_SIZES = {"InceptionV3": 96, "InceptionResNetV2": 96, "Xception": 96}


def emit(event):
    sys.stderr.flush()
    os.write(_EVENTS_FD, (json.dumps(event, default=str) + "\n").encode("utf-8"))


class Skip(Exception):
    """A step that cannot run here; the message is the reason."""


class StepFailed(Exception):
    """A step that ran and found a problem without a Python exception of its own."""

    def __init__(self, message, data=None):
        Exception.__init__(self, message)
        self.data = data or {}


def stderr_offset():
    """How far stderr has been written: the doctor's slice of it for the step starting now."""
    sys.stderr.flush()
    try:
        return os.lseek(2, 0, os.SEEK_CUR)
    except OSError:  # not a file (a terminal or a pipe when run by hand)
        return None


def step(name, title, function, *args):
    """Run one step; return its data (a dict) or None when it did not succeed."""
    emit({"event": "start", "step": name, "title": title, "stderr_offset": stderr_offset()})
    started = time.perf_counter()
    end = {"event": "end", "step": name}
    data = None
    try:
        data = function(*args) or {}
        end.update(status="ok", data=data)
    except Skip as skip:
        end.update(status="skipped", reason=str(skip))
    except StepFailed as failed:
        end.update(status="failed", reason=str(failed), data=failed.data)
    except BaseException as exc:  # SystemExit, KeyboardInterrupt in an import: failures too
        end.update(status="failed", reason=f"{type(exc).__name__}: {exc}",
                   traceback=traceback.format_exc(), data=getattr(exc, "verify_data", {}))
    end["seconds"] = round(time.perf_counter() - started, 4)
    emit(end)
    return data if end["status"] == "ok" else None


def module_file(module):
    return getattr(module, "__file__", None)


# -- the import steps ------------------------------------------------------------------------------

def import_numpy(state):
    import numpy

    state["numpy"] = numpy
    return {"version": numpy.__version__, "file": module_file(numpy)}


def import_tensorflow(state):
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        raise Skip("tensorflow is not installed")
    import tensorflow as tf

    state["tf"] = tf
    data = {"version": tf.__version__, "file": module_file(tf)}
    try:
        data["build_info"] = dict(tf.sysconfig.get_build_info())
    except Exception as exc:
        data["build_info_error"] = f"{type(exc).__name__}: {exc}"
    return data


def import_keras(state):
    try:
        import keras
    except BaseException as exc:
        backend, source = configured_backend()
        exc.verify_data = {  # type: ignore[attr-defined]  # read back by `step`
            "configured_backend": backend, "backend_source": source}
        raise

    state["keras"] = keras
    data = {"version": getattr(keras, "__version__", None), "file": module_file(keras),
            "TF_USE_LEGACY_KERAS": os.environ.get("TF_USE_LEGACY_KERAS"),
            "KERAS_BACKEND": os.environ.get("KERAS_BACKEND")}
    backend = getattr(keras, "backend", None)
    data["backend"] = backend.backend() if backend and hasattr(backend, "backend") else None
    return data


def resolve_tf_keras(state):
    """Which Keras `tf.keras` is: Keras 3, or Keras 2 (tf_keras) if TF_USE_LEGACY_KERAS says so."""
    tf = state["tf"]
    legacy = os.environ.get("TF_USE_LEGACY_KERAS")
    try:
        tf_keras = tf.keras
        module = getattr(tf_keras, "__name__", None)  # resolving it is what fails, when it fails
    except Exception as exc:
        exc.verify_data = {  # type: ignore[attr-defined]  # read back by `step`
            "TF_USE_LEGACY_KERAS": legacy, "tensorflow_version": tf.__version__}
        raise
    # TF 2.15's tf.keras (keras.api._v2.keras) has no version: its distribution's package has.
    package = sys.modules.get(str(module).split(".")[0])
    version = getattr(tf_keras, "__version__", None) or getattr(package, "__version__", None) or ""
    return {"module": module, "version": version or None, "TF_USE_LEGACY_KERAS": legacy,
            "major": int(version.split(".")[0]) if version[:1].isdigit() else None}


def import_applications(state):
    import keras.applications

    state["applications"] = keras.applications
    return {"file": module_file(keras.applications)}


# -- devices ---------------------------------------------------------------------------------------

def check_devices(state):
    """List the devices of the backend in use and run one small op on each."""
    np = state["numpy"]
    matrix = np.ones((8, 8), dtype="float32")
    tf, keras = state.get("tf"), state.get("keras")
    backend = None
    if keras is not None and hasattr(keras, "backend") and hasattr(keras.backend, "backend"):
        backend = keras.backend.backend()
    if backend in (None, "tensorflow") and tf is not None:
        devices = [(d.name.replace("physical_device:", ""), d.device_type, d.name)
                   for d in tf.config.list_physical_devices()]

        def run(device):
            with tf.device(device):
                value = tf.linalg.matmul(tf.constant(matrix), tf.constant(matrix))
            return float(value.numpy()[0, 0])
    elif backend == "jax":
        import jax

        devices = [(d, d.platform, str(d)) for d in jax.devices()]

        def run(device):
            value = jax.device_put(matrix, device)
            return float((value @ value).block_until_ready()[0, 0])
    elif backend == "torch":
        import torch

        names = ["cpu"]
        if torch.cuda.is_available():
            names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            names.append("mps")
        devices = [(n, n.split(":")[0], n) for n in names]

        def run(device):
            value = torch.from_numpy(matrix).to(device)
            return float((value @ value).cpu()[0, 0])
    else:
        raise Skip(f"no device listing for the {backend!r} backend")

    listed, broken = [], []
    for handle, kind, name in devices:
        started = time.perf_counter()
        entry = {"name": name, "type": kind}
        try:
            entry["op_ok"] = run(handle) == 8.0
        except Exception as exc:
            entry["op_ok"] = False
            entry["error"] = f"{type(exc).__name__}: {exc}"
        entry["seconds"] = round(time.perf_counter() - started, 4)
        listed.append(entry)
        if not entry["op_ok"]:
            broken.append(name)
    data = {"backend": backend or "tensorflow", "devices": listed}
    if broken:
        raise StepFailed("a small op failed on " + ", ".join(broken), data)
    return data


# -- applications ----------------------------------------------------------------------------------

def to_numpy(state, value):
    ops = getattr(state["keras"], "ops", None)
    if ops is not None and hasattr(ops, "convert_to_numpy"):
        return ops.convert_to_numpy(value)
    return value.numpy()


def build_model(state, name):
    """Build one application with random weights at a small size and run a forward pass."""
    np, applications = state["numpy"], state["applications"]
    constructor = getattr(applications, name, None)
    if constructor is None:
        raise StepFailed(f"keras.applications has no {name}", {"model": name})
    size = MIN_SIZES.get(name, DEFAULT_SIZE)
    started = time.perf_counter()
    model = constructor(weights=None, input_shape=(size, size, 3))
    built = time.perf_counter()
    batch = np.random.RandomState(0).rand(1, size, size, 3).astype("float32")
    output = to_numpy(state, model(batch, training=False))
    data = {"input_shape": [1, size, size, 3], "output_shape": list(output.shape),
            "parameters": int(model.count_params()),
            "build_seconds": round(built - started, 4),
            "forward_seconds": round(time.perf_counter() - built, 4)}
    if not np.isfinite(output).all():
        raise StepFailed(f"the forward pass of {name} gave NaN or infinite values", data)
    return data


# -- cached ImageNet weights -----------------------------------------------------------------------

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class NotCached(Exception):
    """Keras asked for a weights file that is not in the cache (and downloads are off)."""


def keras_cache_base(cache_dir):
    """Where Keras's `get_file` caches: KERAS_HOME or ~/.keras, /tmp/.keras if not writable."""
    base = os.path.expanduser(cache_dir or os.environ.get("KERAS_HOME") or "~/.keras")
    if not os.access(base, os.W_OK):
        import tempfile

        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return base


def checked_cache_reader(original, download, seen):
    """A stand-in for Keras's `get_file` that checks the cached file against Keras's own hash.

    Keras deletes a cached file whose hash does not match (it re-downloads, fails, and cleans up),
    which destroys the evidence; this reader hashes it first and never downloads unless asked.
    """
    import hashlib

    def get_file(fname=None, origin=None, *args, **kwargs):
        expected = kwargs.get("file_hash") or kwargs.get("md5_hash")
        algorithm = kwargs.get("hash_algorithm", "auto")
        if kwargs.get("md5_hash") and not kwargs.get("file_hash"):
            algorithm = "md5"
        name = fname or os.path.basename(origin or "")
        path = os.path.join(keras_cache_base(kwargs.get("cache_dir")),
                            kwargs.get("cache_subdir", "datasets"), name)
        record = {"file": name, "path": path, "expected_hash": expected}
        seen.append(record)
        if not os.path.exists(path):
            if download:
                record["downloaded"] = True
                return original(fname, origin, *args, **kwargs)
            raise NotCached(path)
        record["size_bytes"] = os.path.getsize(path)
        hasher = hashlib.md5()
        if algorithm == "sha256" or (algorithm == "auto" and expected and len(expected) == 64):
            hasher = hashlib.sha256()
        with open(path, "rb") as handle:
            head = handle.read(8)
            record["hdf5_signature"] = head == HDF5_SIGNATURE
            if expected:
                hasher.update(head)
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    hasher.update(chunk)
        if expected:
            record["actual_hash"] = hasher.hexdigest()
            record["hash_ok"] = record["actual_hash"] == expected
            if not record["hash_ok"]:
                raise StepFailed(f"{path} does not match Keras's hash for it", {"file": record})
        return path

    return get_file


def patched_get_file(module, replacement):
    """Point the application module's `get_file` (and its utils module's) at `replacement`."""
    targets = [value for value in list(vars(module).values())
               if type(value) is type(sys) and hasattr(value, "get_file")]
    if "get_file" in vars(module):
        targets.append(module)
    originals = [(target, target.get_file) for target in targets]
    for target in targets:
        target.get_file = replacement(target.get_file)
    return originals


def load_weights(state, name, download):
    """Build one application with its cached ImageNet weights (top first, then no-top)."""
    np, applications = state["numpy"], state["applications"]
    constructor = getattr(applications, name, None)
    if constructor is None:
        raise StepFailed(f"keras.applications has no {name}", {"model": name})
    cache = os.path.join(keras_cache_base(None), "models")
    if not download and (not os.path.isdir(cache) or not os.listdir(cache)):
        raise Skip(f"the Keras weights cache {cache} is empty")
    module = sys.modules[constructor.__module__]
    seen = []  # type: list
    originals = patched_get_file(module, lambda f: checked_cache_reader(f, download, seen))
    if not originals:
        raise Skip(f"cannot find how {module.__name__} fetches its weights")
    try:
        for include_top in (True, False):
            kwargs = {"weights": "imagenet", "include_top": include_top}  # type: dict
            if not include_top:
                size = MIN_SIZES.get(name, DEFAULT_SIZE)
                kwargs["input_shape"] = (size, size, 3)
            try:
                model = constructor(**kwargs)
                break
            except NotCached:
                continue
        else:
            looked_for = ", ".join(record["path"] for record in seen)
            raise Skip(f"no cached ImageNet weights (looked for {looked_for})")
        shape = [1] + [int(side) for side in model.input_shape[1:]]
        output = to_numpy(state, model(np.random.RandomState(0).rand(*shape).astype("float32")))
    except Exception as exc:
        if seen and not isinstance(exc, (Skip, StepFailed)):
            exc.verify_data = {"file": seen[-1]}  # type: ignore[attr-defined]
        raise
    finally:
        for target, original in originals:
            target.get_file = original
    return {"file": seen[-1], "include_top": include_top, "input_shape": shape,
            "output_shape": list(output.shape), "finite": bool(np.isfinite(output).all())}


# -- the run ---------------------------------------------------------------------------------------

def configured_backend():
    """The backend Keras 3 will pick, and where that comes from: env, keras.json or default."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "KERAS_BACKEND"
    home = os.path.expanduser(os.environ.get("KERAS_HOME") or "~/.keras")
    config = os.path.join(home, "keras.json")
    try:
        with open(config) as handle:
            backend = json.load(handle).get("backend")
    except (OSError, ValueError, AttributeError):
        backend = None
    return (backend, config) if backend else ("tensorflow", "default")


def skip(name, title, reason):
    emit({"event": "start", "step": name, "title": title})
    emit({"event": "end", "step": name, "status": "skipped", "reason": reason, "seconds": 0.0})


def main():
    global _EVENTS_FD
    _EVENTS_FD = os.dup(1)
    os.dup2(2, 1)  # from here on, stdout writes (Python and C alike) land on stderr
    faulthandler.enable()  # a native crash prints the Python stack of the step that died
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    emit({"event": "hello", "python": ".".join(str(part) for part in sys.version_info[:3]),
          "executable": sys.executable, "platform": sys.platform,
          "machine": os.uname().machine if hasattr(os, "uname") else None, "pid": os.getpid()})
    state = {}  # type: dict
    plan = [("keras", "import keras", import_keras),
            ("applications", "import keras.applications", import_applications)]
    blocked = None
    if step("numpy", "import numpy", import_numpy, state) is None:
        blocked = "numpy did not import"
        skip("tensorflow", "import tensorflow", blocked)
    else:
        step("tensorflow", "import tensorflow", import_tensorflow, state)
        tf_broken = "tf" not in state and not _tensorflow_missing()
        if tf_broken and configured_backend()[0] == "tensorflow":
            blocked = "tensorflow did not import"
    for name, title, function in plan:
        if blocked:
            skip(name, title, blocked)
        elif step(name, title, function, state) is None:
            blocked = f"{title} failed"
    if "tf" in state and "keras" in state:
        step("tf.keras", "resolve tf.keras", resolve_tf_keras, state)
    if "numpy" in state and ("tf" in state or "keras" in state):
        step("devices", "devices", check_devices, state)
    else:
        skip("devices", "devices", blocked or "no framework imported")
    for model in config.get("models", []):
        title = f"{model} forward pass"
        if blocked:
            skip("model:" + model, title, blocked)
        else:
            step("model:" + model, title, build_model, state, model)
    for model in config.get("models", []) if config.get("weights") else []:
        title = f"{model} ImageNet weights"
        if blocked:
            skip("weights:" + model, title, blocked)
        else:
            download = bool(config.get("download"))
            step("weights:" + model, title, load_weights, state, model, download)
    emit({"event": "done"})


def _tensorflow_missing():
    import importlib.util

    return importlib.util.find_spec("tensorflow") is None


if __name__ == "__main__":
    main()
