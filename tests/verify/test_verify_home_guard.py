"""The user's Keras folder is left exactly as it was found, whatever happened in between."""

from __future__ import annotations

import pytest

from keras_doctor.verify.home_guard import keras_home_preserved


def test_a_keras_folder_and_config_that_were_not_there_are_removed(isolated_home):
    with keras_home_preserved() as home:
        home.mkdir()
        (home / "keras.json").write_text('{"backend": "tensorflow"}')

    assert not (isolated_home / ".keras").exists()


def test_an_existing_config_gets_its_bytes_back(isolated_home):
    config = isolated_home / ".keras" / "keras.json"
    config.parent.mkdir()
    config.write_text('{"backend": "jax"}\n')

    with keras_home_preserved():
        config.write_text('{"backend": "tensorflow"}')

    assert config.read_text() == '{"backend": "jax"}\n'


def test_restored_even_when_the_run_raises(isolated_home):
    with pytest.raises(KeyboardInterrupt), keras_home_preserved() as home:
        home.mkdir()
        (home / "keras.json").write_text("{}")
        raise KeyboardInterrupt

    assert not (isolated_home / ".keras").exists()


def test_downloaded_weights_are_kept_with_their_folder(isolated_home):
    with keras_home_preserved() as home:
        (home / "models").mkdir(parents=True)
        (home / "keras.json").write_text("{}")
        (home / "models" / "vgg16.h5").write_bytes(b"\x89HDF")

    assert not (isolated_home / ".keras" / "keras.json").exists()
    assert (isolated_home / ".keras" / "models" / "vgg16.h5").exists()


def test_keras_home_is_guarded_as_well_as_the_default_folder(isolated_home, monkeypatch, tmp_path):
    custom = tmp_path / "custom-keras-home"
    monkeypatch.setenv("KERAS_HOME", str(custom))

    with keras_home_preserved() as home:
        assert home == custom
        custom.mkdir()
        (custom / "keras.json").write_text("{}")
        (isolated_home / ".keras").mkdir()

    assert not custom.exists()
    assert not (isolated_home / ".keras").exists()
