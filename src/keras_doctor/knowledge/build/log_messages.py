"""Build the log atlas: the start-up lines TensorFlow and tensorflow-metal print that are no error.

    python -m keras_doctor.knowledge.build.log_messages --site-packages DIR [--site-packages DIR …]

Every TensorFlow user meets "This TensorFlow binary is optimized to use available CPU
instructions…", "oneDNN custom operations are on", "Unable to register cuDNN factory", "Metal
device set to: Apple M1" and pastes them as if they were the error. explain must say plainly
that nothing failed, and how to silence them, but only for lines the packages really print at a
level that is not a failure. So each line here is a log call site of TensorFlow's (or XLA's, TSL's,
the Metal plugin's) C++ source, with the file it is in and the level of its `LOG(…)` call (or
"print" for a plain write to stdout, which no log level hides) as that file states, and this
script reads the native libraries of real installed releases (`--site-packages`: a
site-packages folder holding `tensorflow-X.dist-info` and/or `tensorflow_metal-X.dist-info`) and
keeps the call sites whose message text is in them, with the releases that contain it. A call
site no sampled binary contains is left out, so the atlas never claims a message the packages do
not print. Output: `data/log_messages.json`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from keras_doctor.knowledge import paths
from keras_doctor.knowledge.build.output import write_json

TF = "https://github.com/tensorflow/tensorflow/blob/master/"
XLA = "https://github.com/openxla/xla/blob/main/"
# the release whose source still holds call sites since moved or reworded
TF_2_9 = "https://github.com/tensorflow/tensorflow/blob/v2.9.3/"

# (id, package, level, message text as compiled into the binary, source file of the call site,
# what it means). Levels: I (INFO), W (WARNING), E (ERROR, printed although nothing failed), print.
CALL_SITES: Tuple[Tuple[str, str, str, str, str, str], ...] = (
    ("cpu-feature-guard", "tensorflow", "I",
     "This TensorFlow binary is optimized",
     TF + "tensorflow/core/platform/cpu_feature_guard.cc",
     "The build uses some CPU instructions (AVX2, FMA…) in its hot paths only; a build from source "
     "could use them everywhere. It runs correctly as it is."),
    ("cpu-feature-guard-instructions", "tensorflow", "I",
     "To enable the following instructions:",
     TF + "tensorflow/core/platform/cpu_feature_guard.cc",
     "The second line of the CPU feature notice above."),
    ("cpu-feature-guard-old", "tensorflow", "I",
     # the binary streams the rest apart; "Your" left out, as pastes that quote the line
     # from its second word (`our CPU supports …`) still hold the rest
     "CPU supports instructions that this TensorFlow",
     TF + "tensorflow/core/platform/cpu_feature_guard.cc",
     "Older releases' wording of the CPU feature notice: the CPU could run a faster build."),
    ("onednn-on", "tensorflow", "I", "oneDNN custom operations are on",
     TF + "tensorflow/core/util/port.cc",
     "TensorFlow uses Intel's oneDNN kernels on this CPU; results may differ in the last bits "
     "from another order of floating-point operations. TF_ENABLE_ONEDNN_OPTS=0 turns them off."),
    ("no-cuda-drivers", "tensorflow", "I",
     "Could not find cuda drivers on your machine, GPU will not be used",
     XLA + "xla/tsl/cuda/cudart_stub.cc",
     "A CUDA build of TensorFlow on a machine without an NVIDIA driver runs on the CPU."),
    ("register-cudnn", "tensorflow", "E", "Unable to register cuDNN factory",
     XLA + "xla/stream_executor/cuda/cuda_dnn.cc",
     "Two parts of TensorFlow (or TensorFlow and JAX/XLA) each register the CUDA library; the "
     "second registration is refused and the first is used. Printed at ERROR level, harmless."),
    ("register-cufft", "tensorflow", "E", "Unable to register cuFFT factory",
     XLA + "xla/stream_executor/cuda/cuda_fft.cc",
     "The same double registration, for cuFFT: harmless."),
    ("register-cublas", "tensorflow", "E", "Unable to register cuBLAS factory",
     XLA + "xla/stream_executor/cuda/cuda_blas.cc",
     "The same double registration, for cuBLAS: harmless."),
    ("register-twice", "tensorflow", "E",
     "Attempting to register factory for plugin",
     XLA + "xla/stream_executor/plugin_registry.cc",
     "The rest of the double-registration line above: harmless."),
    ("numa-negative", "tensorflow", "I", "successful NUMA node read from SysFS had negative value",
     XLA + "xla/stream_executor/cuda/cuda_executor.cc",
     "The kernel reports no NUMA node for the GPU (common on desktops, WSL and VMs); TensorFlow "
     "uses node zero."),
    ("numa-unknown", "tensorflow", "I", "Could not identify NUMA node of platform",
     TF + "tensorflow/core/common_runtime/pluggable_device/pluggable_device_factory.cc",
     "The device (a GPU, or Apple's Metal device) has no NUMA node; TensorFlow uses node 0."),
    ("plugin-optimizer", "tensorflow", "I", "Plugin optimizer for device_type",
     TF + "tensorflow/core/grappler/optimizers/custom_graph_optimizer_registry.cc",
     "A pluggable device (tensorflow-metal's GPU) registered its graph optimizer: the plugin "
     "loaded."),
    ("device-created", "tensorflow", "I", "Created TensorFlow device (",
     TF + "tensorflow/core/common_runtime/pluggable_device/pluggable_device_factory.cc",
     "TensorFlow created a device (the Metal GPU, a CUDA GPU): the device works."),
    ("mlir-passes", "tensorflow", "I", "None of the MLIR Optimization Passes are enabled",
     TF + "tensorflow/compiler/mlir/mlir_graph_optimization_pass.cc",
     "An optional graph optimisation is off, as it is by default."),
    ("mlir-crash-reproducer", "tensorflow", "I", "disabling MLIR crash reproducer",
     TF + "tensorflow/compiler/mlir/tensorflow/utils/dump_mlir_util.cc",
     "A debugging aid of the compiler is off, as it is by default."),
    ("xla-compiled", "tensorflow", "I", "Compiled cluster using XLA",
     TF + "tensorflow/compiler/jit/xla_compilation_cache.cc",
     "XLA compiled part of the model (jit_compile or autoclustering): it works."),
    ("xla-service", "tensorflow", "I", "initialized for platform",
     XLA + "xla/service/service.cc",
     "XLA's compiler service started for a device."),
    ("cudnn-loaded", "tensorflow", "I", "Loaded cuDNN version",
     XLA + "xla/stream_executor/cuda/cuda_dnn.cc",
     "cuDNN loaded: the GPU is in use."),
    ("cudart-stub-ignore", "tensorflow", "I",
     "Ignore above cudart dlerror if you do not have a GPU set up on your machine",
     TF_2_9 + "tensorflow/stream_executor/cuda/cudart_stub.cc",
     "TensorFlow's own note on the line before it: the CUDA runtime library it tried to open is "
     "not there, which matters only for running on an NVIDIA GPU. Without one set up, TensorFlow "
     "runs on the CPU and nothing failed."),
    ("tf-trt-not-found", "tensorflow", "W", "Could not find TensorRT",
     TF + "tensorflow/compiler/tf2tensorrt/utils/py_utils.cc",
     "TensorFlow looked for NVIDIA's TensorRT libraries, which only TF-TRT model conversion "
     "uses. Training and inference run without them."),
    ("tensorrt-dlopen", "tensorflow", "W", "Cannot dlopen some TensorRT libraries",
     TF_2_9 + "tensorflow/compiler/tf2tensorrt/utils/py_utils.cc",
     "The same TensorRT check in older releases, after the libnvinfer lines above it: only "
     "TF-TRT conversion needs those libraries."),
    ("absl-before-init", "tensorflow", "W",
     "All log messages before absl::InitializeLog() is called are written to STDERR",
     "https://github.com/abseil/abseil-cpp/blob/master/absl/log/internal/globals.cc",
     "Abseil's logging notice at the first log line."),
    ("metal-device", "tensorflow-metal", "print", "Metal device set to:",
     "metal_plugin/src/device/metal_device.cc (in tensorflow-plugins/libmetal_plugin.dylib)",
     "tensorflow-metal found the Mac's GPU and will use it: the plugin works."),
    ("metal-system-memory", "tensorflow-metal", "print", "systemMemory:",
     "tensorflow-plugins/libmetal_plugin.dylib",
     "The memory tensorflow-metal sees on the Mac: informational."),
    ("metal-max-cache", "tensorflow-metal", "print", "maxCacheSize:",
     "tensorflow-plugins/libmetal_plugin.dylib",
     "The cache size tensorflow-metal chose: informational."),
)
_DIST_INFO = re.compile(r"^(?P<name>tensorflow(?:_cpu|_macos|_intel|_metal)?)-(?P<version>[\w.]+)"
                        r"\.dist-info$")
_NATIVE = re.compile(r"\.(?:so(?:\.\d+)*|dylib|pyd|dll)$")
MIN_NATIVE_BYTES = 256 * 1024  # stubs and tiny helpers hold no log call sites


def installed_releases(site_packages: Path) -> Iterator[Tuple[str, str, List[Path]]]:
    """(package, version, its native libraries) for each TensorFlow-family distribution there."""
    for info in sorted(site_packages.glob("*.dist-info")):
        match = _DIST_INFO.match(info.name)
        record = info / "RECORD"
        if match is None or not record.is_file():
            continue
        package = "tensorflow-metal" if match["name"].endswith("metal") else "tensorflow"
        libraries = []
        for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
            relative = line.split(",", 1)[0]
            path = site_packages / relative
            if _NATIVE.search(relative) and path.is_file() and \
                    path.stat().st_size >= MIN_NATIVE_BYTES:
                libraries.append(path)
        yield package, match["version"], libraries


def build(site_packages: Sequence[Path], previous: Optional[Dict[str, Any]] = None
          ) -> Dict[str, object]:
    """The atlas of the call sites found in these releases; with `previous` (an atlas built
    before), also every release it recorded, so releases can be added without reinstalling the
    ones already read."""
    found: Dict[str, Dict[str, List[str]]] = {}
    sources: List[str] = list((previous or {}).get("sources", ()))
    for message in (previous or {}).get("messages", ()):
        for package, versions in message.get("found_in", {}).items():
            found.setdefault(message["id"], {}).setdefault(package, []).extend(versions)
    for folder in site_packages:
        for package, version, libraries in installed_releases(folder):
            texts = [site for site in CALL_SITES if site[1] == package]
            if not texts or not libraries:
                continue
            sources.append(f"installed {package} {version} ({len(libraries)} native libraries)")
            for library in libraries:
                data = library.read_bytes()
                for site in texts:
                    if site[3].encode() in data:
                        versions = found.setdefault(site[0], {}).setdefault(package, [])
                        if version not in versions:
                            versions.append(version)
    messages = []
    for site_id, package, level, text, source, means in CALL_SITES:
        if site_id not in found:
            continue  # no sampled binary prints it: not claimed
        messages.append({"id": site_id, "package": package, "level": level, "text": text,
                         "source": source, "means": means,
                         "found_in": {p: sorted(v, key=_version_key)
                                      for p, v in found[site_id].items()}})
    return {"method": (__doc__ or "").split("\n\n")[2].strip(), "sources": sorted(set(sources)),
            "levels": {"I": "INFO", "W": "WARNING", "E": "ERROR (nothing failed)",
                       "print": "written to the terminal directly, whatever the log level"},
            "messages": messages}


def _version_key(version: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_doctor.knowledge.build.log_messages",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--site-packages", type=Path, action="append", required=True,
                        help="a site-packages folder with TensorFlow and/or tensorflow-metal "
                             "installed (repeat for more releases)")
    parser.add_argument("--out", type=Path, default=paths.EMBEDDED_DIR)
    parser.add_argument("--keep-existing", action="store_true",
                        help="keep the releases the atlas in --out already records and add these")
    args = parser.parse_args(argv)
    previous = None
    if args.keep_existing and (args.out / "log_messages.json").is_file():
        import json

        previous = json.loads((args.out / "log_messages.json").read_text(encoding="utf-8"))
    document = build(args.site_packages, previous)
    path = write_json(args.out, "log_messages.json", document)
    from keras_doctor.knowledge.build import write_manifest

    write_manifest(args.out)
    messages, sources = document["messages"], document["sources"]
    assert isinstance(messages, list) and isinstance(sources, list)
    print(f"wrote {path} ({len(messages)} call sites found in {len(sources)} releases)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
