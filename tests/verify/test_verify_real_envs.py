"""verify on real environments from PyPI: healthy ones pass, broken ones fail at the right step."""

from __future__ import annotations

import pytest
from verify_envs import causes_of, steps_by_name

from keras_doctor.findings import Severity
from keras_doctor.verify import DEFAULT_MODELS, run_verify

pytestmark = pytest.mark.slow


def test_a_healthy_tensorflow_keras3_environment_verifies_green(healthy_python, isolated_home):
    report = run_verify(healthy_python, timeout=300)

    assert report.findings == []
    steps = steps_by_name(report)
    assert {name: step["status"] for name, step in steps.items()} == dict.fromkeys(
        ["python", "numpy", "tensorflow", "keras", "applications", "devices",
         "tf.keras", *(f"model:{model}" for model in DEFAULT_MODELS)], "ok")
    # PyPI's Linux `tensorflow` is the CUDA build (tensorflow-cpu is not): read from the patient,
    # and with no GPU here the devices below are the CPU alone, with no finding.
    assert steps["tensorflow"]["data"]["build_info"]["is_cuda_build"] is True
    keras = steps["keras"]["data"]
    assert keras["version"].startswith("3.") and keras["backend"] == "tensorflow"
    assert steps["tf.keras"]["data"]["major"] == 3
    assert [d["type"] for d in steps["devices"]["data"]["devices"]] == ["CPU"]
    assert steps["model:ResNet50"]["data"]["output_shape"] == [1, 1000]
    assert all(steps[name]["seconds"] > 0 for name in ("tensorflow", "model:VGG16"))
    # Importing Keras writes ~/.keras/keras.json; verify leaves no trace of itself.
    assert not (isolated_home / ".keras").exists()


def test_an_existing_keras_config_is_used_and_left_unchanged(healthy_python, isolated_home):
    config = isolated_home / ".keras" / "keras.json"
    config.parent.mkdir()
    config.write_text('{"backend": "tensorflow", "image_data_format": "channels_last"}')
    before = config.read_bytes()

    report = run_verify(healthy_python, models=["MobileNetV2"], timeout=300)

    assert report.findings == []
    assert config.read_bytes() == before


def test_numpy2_forced_onto_tf215_fails_at_the_tensorflow_import(numpy2_tf215_python):
    report = run_verify(numpy2_tf215_python, timeout=300)

    steps = steps_by_name(report)
    assert steps["numpy"]["status"] == "ok" and steps["numpy"]["data"]["version"] == "2.1.3"
    assert steps["tensorflow"]["status"] == "failed"
    assert steps["keras"]["status"] == "skipped"
    assert "numpy-abi-mismatch" in causes_of(report)
    assert all(f.evidence["step"] == "tensorflow" for f in report.findings)


def test_numpy2_forced_onto_tf215_fails_even_without_a_known_signature(numpy2_tf215_python):
    report = run_verify(numpy2_tf215_python, models=["VGG16"], timeout=300)

    steps = steps_by_name(report)
    assert steps["tensorflow"]["status"] == "failed"
    assert "numpy" in steps["tensorflow"]["reason"]
    assert report.fails(Severity.ERROR)
    assert steps["model:VGG16"]["status"] == "skipped"


def test_a_backend_that_is_not_installed_fails_the_keras_import(healthy_python, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")

    report = run_verify(healthy_python, models=["MobileNetV2"], timeout=300)

    steps = steps_by_name(report)
    assert steps["tensorflow"]["status"] == "ok"
    assert steps["keras"]["status"] == "failed"
    assert steps["model:MobileNetV2"]["status"] == "skipped"
    assert causes_of(report) == ["keras-backend-unavailable"]
    assert report.findings[0].evidence["backend"] == "jax"
    assert report.findings[0].evidence["set_by"] == "KERAS_BACKEND"


def test_a_backend_named_in_keras_json_is_found_too(healthy_python, isolated_home):
    config = isolated_home / ".keras" / "keras.json"
    config.parent.mkdir()
    config.write_text('{"backend": "torch"}')

    report = run_verify(healthy_python, models=[], timeout=300)

    assert causes_of(report) == ["keras-backend-unavailable"]
    assert report.findings[0].evidence["set_by"] == str(config)


def test_keras3_on_jax_without_tensorflow_verifies_green(jax_python, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")

    report = run_verify(jax_python, timeout=300)

    assert report.findings == []
    steps = steps_by_name(report)
    assert steps["tensorflow"]["status"] == "skipped"
    assert steps["tensorflow"]["reason"] == "tensorflow is not installed"
    assert steps["keras"]["data"]["backend"] == "jax"
    devices = steps["devices"]["data"]
    assert devices["backend"] == "jax" and devices["devices"][0]["op_ok"] is True
    assert all(steps[f"model:{model}"]["status"] == "ok" for model in DEFAULT_MODELS)


def test_tf215_with_its_keras2_verifies_green(keras2_python):
    report = run_verify(keras2_python, models=["ResNet50"], timeout=300)

    assert report.findings == []
    steps = steps_by_name(report)
    assert steps["keras"]["data"]["version"].startswith("2.15.")
    assert steps["tf.keras"]["data"]["major"] == 2
    assert steps["model:ResNet50"]["data"]["output_shape"] == [1, 1000]


def test_legacy_keras_asked_for_but_not_installed(healthy_python, monkeypatch):
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")

    report = run_verify(healthy_python, models=[], timeout=300)

    steps = steps_by_name(report)
    assert steps["keras"]["status"] == "ok"
    assert steps["tf.keras"]["status"] == "failed"
    assert causes_of(report) == ["missing-dependency"]
    tensorflow = steps["tensorflow"]["data"]["version"]
    expected = "tf-keras~=" + ".".join(tensorflow.split(".")[:2]) + ".0"
    assert report.findings[0].evidence["requirement"] == expected
    assert report.findings[0].fix[0].command == (healthy_python, "-m", "pip", "install", expected)
