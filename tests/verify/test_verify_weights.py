"""Cached ImageNet weights: checked against Keras's own hash, loaded, and never deleted.

Downloads cannot work here, so the test writes the cache file itself in the real Keras format:
the model is built with weights=None in the target environment and its weights saved as the HDF5
layout Keras's published weight files use, under the name Keras looks for.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from verify_envs import causes_of, steps_by_name

from keras_doctor.verify import run_verify

pytestmark = pytest.mark.slow

MOBILENET_V2_TOP = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"
VGG16_TOP = "vgg16_weights_tf_dim_ordering_tf_kernels.h5"
SAVE_WEIGHTS = """\
import sys
import h5py
import keras
from keras.src.legacy.saving import legacy_h5_format

model = keras.applications.MobileNetV2(weights=None)
with h5py.File(sys.argv[1], "w") as handle:
    legacy_h5_format.save_weights_to_hdf5_group(handle, model)
"""


@pytest.fixture(scope="session")
def mobilenet_weights(healthy_python, tmp_path_factory):
    """Real-format MobileNetV2 weights (Keras publishes no hash for MobileNetV2's files)."""
    folder = tmp_path_factory.mktemp("weights")
    path = folder / MOBILENET_V2_TOP
    # A HOME that exists: Keras writes its config to /tmp/.keras when ~ is not writable.
    (folder / "home").mkdir()
    env = dict(os.environ, HOME=str(folder / "home"), TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([healthy_python, "-c", SAVE_WEIGHTS, str(path)], env=env, check=True,
                   capture_output=True)
    return path.read_bytes()


@pytest.fixture
def weights_cache(isolated_home):
    folder = isolated_home / ".keras" / "models"
    folder.mkdir(parents=True)
    return folder


def test_cached_weights_in_the_keras_format_load(healthy_python, mobilenet_weights,
                                                 weights_cache):
    (weights_cache / MOBILENET_V2_TOP).write_bytes(mobilenet_weights)

    report = run_verify(healthy_python, models=["MobileNetV2"], weights=True, timeout=300)

    assert report.findings == []
    weights = steps_by_name(report)["weights:MobileNetV2"]
    assert weights["status"] == "ok"
    assert weights["data"]["file"]["path"] == str(weights_cache / MOBILENET_V2_TOP)
    assert weights["data"]["include_top"] is True
    assert weights["data"]["output_shape"] == [1, 1000]
    assert not (weights_cache.parent / "keras.json").exists()


def test_a_truncated_weights_file_is_reported_and_kept(healthy_python, mobilenet_weights,
                                                        weights_cache):
    cached = weights_cache / MOBILENET_V2_TOP
    cached.write_bytes(mobilenet_weights[: len(mobilenet_weights) // 3])

    report = run_verify(healthy_python, models=["MobileNetV2"], weights=True, timeout=300)

    assert causes_of(report) == ["weights-cache-corrupt"]
    finding = report.findings[0]
    assert finding.evidence["path"] == str(cached)
    assert "truncated" in finding.evidence["error"]
    assert finding.fix[0].destructive and finding.fix[0].target == str(cached)
    assert cached.stat().st_size == len(mobilenet_weights) // 3  # the evidence is still there


def test_a_file_that_fails_keras_hash_is_reported_before_keras_can_delete_it(healthy_python,
                                                                             weights_cache):
    cached = weights_cache / VGG16_TOP
    cached.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 4096)

    report = run_verify(healthy_python, models=["VGG16"], weights=True, timeout=300)

    assert causes_of(report) == ["weights-cache-corrupt"]
    evidence = report.findings[0].evidence
    assert evidence["expected_hash"] == "64373286793e3c8b2b4e3219cbf3544b"  # vgg16.py's file_hash
    assert evidence["hash_ok"] is False and evidence["actual_hash"] != evidence["expected_hash"]
    assert cached.exists()


def test_weights_that_are_not_cached_are_skipped_not_downloaded(healthy_python, weights_cache):
    (weights_cache / "unrelated.h5").write_bytes(b"")

    report = run_verify(healthy_python, models=["MobileNetV2"], weights=True, timeout=300)

    assert report.findings == []
    weights = steps_by_name(report)["weights:MobileNetV2"]
    assert weights["status"] == "skipped"
    assert MOBILENET_V2_TOP in weights["reason"]
    assert sorted(p.name for p in weights_cache.iterdir()) == ["unrelated.h5"]


def test_keras2_weights_saved_by_keras2_load_through_its_own_get_file(keras2_python,
                                                                     weights_cache, tmp_path):
    cached = weights_cache / MOBILENET_V2_TOP
    (tmp_path / "maker").mkdir()  # else Keras falls back to /tmp/.keras and leaves it there
    env = dict(os.environ, HOME=str(tmp_path / "maker"), TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([keras2_python, "-c", "import sys, keras; keras.applications.MobileNetV2("
                    "weights=None).save_weights(sys.argv[1])", str(cached)],
                   env=env, check=True, capture_output=True)

    report = run_verify(keras2_python, models=["MobileNetV2"], weights=True, timeout=300)

    assert report.findings == []
    weights = steps_by_name(report)["weights:MobileNetV2"]
    assert weights["status"] == "ok" and weights["data"]["file"]["path"] == str(cached)
