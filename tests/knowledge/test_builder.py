"""The builder against the real package index (slow: network on the first run, cached after)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from kb_helpers import BUILD_CACHE
from packaging.version import Version

from keras_doctor.knowledge import KnowledgeBase, load, paths
from keras_doctor.knowledge.build import main
from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.metal import parse_apple_table
from keras_doctor.knowledge.build.releases import build_project


def quiet(_message: str) -> None:
    pass


def test_unknown_part_is_a_usage_error(tmp_path, capsys):
    assert main(["--only", "releases,bogus", "--out", str(tmp_path)]) == 2
    assert "bogus" in capsys.readouterr().err
    assert not (tmp_path / "manifest.json").exists()


def test_apple_table_rows_parse_ranges_and_keep_the_row_verbatim():
    rows = parse_apple_table(
        "|v2.5 |v0.1.2|12.0+|Pluggable device        |\n|v2.14-v2.18|v1.1.0|12.1+||\nnot a row\n"
    )
    assert rows[0]["tensorflow_minors"] == ["2.5"] and rows[0]["metal"] == "0.1.2"
    assert rows[1]["tensorflow_minors"] == ["2.14", "2.15", "2.16", "2.17", "2.18"]
    assert rows[1]["row"] == "|v2.14-v2.18|v1.1.0|12.1+||" and rows[1]["features"] is None


@pytest.mark.slow
def test_release_table_of_tf_keras_matches_the_shipped_one():
    with ThreadPoolExecutor(4) as pool:
        built = build_project(Fetcher(BUILD_CACHE, progress=quiet), pool, "tf-keras")
    shipped = load().file("releases/tf-keras.json")["releases"]
    assert len(built["releases"]) >= 10
    for version, record in shipped.items():
        assert built["releases"][version]["wheels"] == record["wheels"] == ["py3-none-any"]
        requires = built["releases"][version]["requires"][0]["requires_dist"]
        assert requires == record["requires"][0]["requires_dist"]
        # tf-keras pins its TensorFlow minor from 2.15.1; 2.14.1 and 2.15.0 declare nothing
        pins = any(r.startswith("tensorflow") for r in requires)
        assert pins == (Version(version) >= Version("2.15.1")), version


@pytest.mark.slow
def test_rebuild_on_top_of_previous_data_reads_no_wheel_again(tmp_path):
    previous = load().file("releases/tensorflow-metal.json")
    fetcher = Fetcher(tmp_path, progress=quiet)  # empty cache: every request really goes out
    with ThreadPoolExecutor(4) as pool:
        built = build_project(fetcher, pool, "tensorflow-metal", previous)
    assert fetcher.requests == 1  # the index page only
    assert built["releases"]["1.2.0"] == previous["releases"]["1.2.0"]


@pytest.mark.slow
def test_metal_part_builds_apple_table_from_the_real_wheel(tmp_path):
    assert main(["--only", "metal", "--out", str(tmp_path), "--cache", str(BUILD_CACHE)]) == 0
    built = KnowledgeBase(tmp_path)
    assert set(built.manifest["files"]) == {"metal.json"}
    metal = json.loads((tmp_path / "metal.json").read_text())
    shipped = json.loads((paths.EMBEDDED_DIR / "metal.json").read_text())
    assert metal["apple_table"] == shipped["apple_table"]
    assert metal["releases"]["1.0.0"]["archs"] == ["arm64", "x86_64"]
    assert "cp313" not in metal["releases"]["1.2.0"]["pythons"]


@pytest.mark.slow
def test_deep_verdict_of_one_pairing_metal_110_fails_on_tf_218(tmp_path):
    """Apple's table pairs TF 2.18 with metal 1.1.0; the binaries say it cannot load."""
    from keras_doctor.knowledge.build.metal_verdicts import (
        _arm64_wheel,
        unpack_plugin,
        unpack_tf_libraries,
        verdict,
    )

    fetcher = Fetcher(BUILD_CACHE, progress=quiet)

    def wheel(project, version):
        files = [
            f for f in fetcher.simple_index(project)["files"] if f"-{version}-" in f["filename"]
        ]
        return _arm64_wheel(files)

    plugin = unpack_plugin(fetcher, wheel("tensorflow-metal", "1.1.0"), tmp_path / "metal")
    libraries = unpack_tf_libraries(fetcher, wheel("tensorflow", "2.18.1"), tmp_path / "tf")
    result = verdict(plugin, libraries)
    assert result["loads"] is False
    # The one symbol metal 1.1.0 binds that TensorFlow 2.18 no longer exports.
    assert result["missing"] == ["__ZN3tsl8internal10LogMessageC1EPKcii"]
    assert result["missing_count"] == 1


@pytest.mark.slow
def test_tf1_table_read_from_the_wheels_matches_the_shipped_one():
    """The TensorFlow 1 API table is what the wheels say: rebuilt from them, it is the same."""
    from keras_doctor.knowledge.build.tf_api import build_tf1_api

    with ThreadPoolExecutor(4) as pool:
        built = build_tf1_api(Fetcher(BUILD_CACHE, progress=quiet), pool)
    shipped = load().file("tf1_api.json")
    assert built["namespaces"] == shipped["namespaces"]
    assert built["introduced"] == shipped["introduced"]
    assert built["introduced"]["tensorflow.compat"]["1.13.1"] == {"absent_in": "1.12.0",
                                                                  "names": ["v1"]}
    assert built["tf1_only_packages"] == shipped["tf1_only_packages"] == [
        "tensorflow.contrib", "tensorflow.examples.tutorials"]
    assert built["internals_introduced"] == shipped["internals_introduced"]
    # the file lists: 1.3.0 has no tensorflow/python/keras/, 1.4.0 has it; 1.8.0's has no engine/
    assert "tensorflow.python.keras" in built["internals_introduced"]["1.4.0"]["modules"]
    nine = built["internals_introduced"]["1.9.0"]
    assert nine["absent_in"] == "1.8.0"
    assert {"tensorflow.python.keras.engine", "tensorflow.python.ops.collective_ops"} <= set(
        nine["modules"])
    # engine's own modules came with it: left to the package, which Python names first
    assert "tensorflow.python.keras.engine.training" not in nine["modules"]
    top = built["namespaces"]["tensorflow"]
    assert {"placeholder", "Session", "contrib"} <= set(top["tf1_only"])
    assert "keras" in top["tf2"] and "keras" not in top["tf1_only"]
