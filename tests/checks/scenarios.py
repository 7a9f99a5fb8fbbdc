"""The real environments the check tests diagnose, built from PyPI wheels and cached (envs.py).

Kept in one place so the benchmark and other test folders reuse the same cached builds.
"""

from __future__ import annotations

import envs

TF = "2.21.0"
MAC_ARM64 = "macosx_12_0_arm64"
MAC_X86 = "macosx_10_15_x86_64"
# Small real macOS packages with native code, pinned so the expected files stay put.
MAC_PACKAGES = ["numpy==1.26.4", "h5py==3.11.0", "grpcio==1.64.1", "ml-dtypes==0.3.2",
                "tensorflow-metal==1.1.0"]


def healthy_tf():
    return envs.venv("healthy-tf", [[f"tensorflow=={TF}"], ["pip"]])


def tf_and_tf_cpu():
    # tensorflow-cpu installed over tensorflow; its files are read, uninstalled and restored, never
    # imported, so that second gigabyte is laid over hollow (envs.venv's hollow_over).
    return envs.venv("tf-and-tf-cpu", [[f"tensorflow=={TF}"]],
                     hollow_over=[f"tensorflow-cpu=={TF}"])


def mac_arm64_tree():
    return envs.target_tree("mac-arm64", MAC_PACKAGES, MAC_ARM64, "3.11")


def mac_arm64_tree_with_x86_h5py():
    return envs.target_tree("mac-arm64-x86-h5py", MAC_PACKAGES, MAC_ARM64, "3.11",
                            extra_trees=[(MAC_X86, ["h5py==3.11.0"])])


def mac_x86_tree():
    return envs.target_tree("mac-x86", ["numpy==1.26.4", "h5py==3.11.0", "grpcio==1.64.1"],
                            MAC_X86, "3.11")


# Broken on purpose, the way users break environments: a version forced past the resolver.
def tf215_numpy2():
    return envs.venv("tf215-numpy2", [["tensorflow-cpu==2.15.1"], ["--no-deps", "numpy==2.1.3"]])


def tf215_keras3():
    # The same environment as the CLI and fix tests of Keras 3 over TF 2.15: built once.
    return envs.venv("tf215-keras3", [["tensorflow-cpu==2.15.1"], ["--no-deps", "keras==3.5.0"]])


def tf215_protobuf319():
    return envs.venv("tf215-protobuf319",
                     [["tensorflow-cpu==2.15.1"], ["--no-deps", "protobuf==3.19.6"]])
