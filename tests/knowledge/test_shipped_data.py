"""Invariants of the data files shipped in the package (what the builder must always produce)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from packaging.tags import parse_tag
from packaging.version import Version

from keras_doctor.knowledge import KnowledgeBase, paths
from keras_doctor.knowledge.build.releases import PROJECTS


@pytest.fixture(scope="module")
def kb():
    return KnowledgeBase(paths.EMBEDDED_DIR)


def test_manifest_matches_the_files(kb):
    for relative, entry in kb.manifest["files"].items():
        data = (paths.EMBEDDED_DIR / relative).read_bytes()
        assert len(data) == entry["bytes"] and hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_every_file_says_when_and_where_from(kb):
    for relative in kb.manifest["files"]:
        document = json.loads((paths.EMBEDDED_DIR / relative).read_text())
        assert document["generated_at"].endswith("Z"), relative
        assert document["sources"], relative


def test_shipped_data_stays_small(kb):
    total = sum(f["bytes"] for f in kb.manifest["files"].values())
    assert total < 3_000_000
    assert kb.manifest["files"]["releases/tensorflow.json"]["bytes"] < 400_000


def test_every_project_has_a_release_table(kb):
    assert set(kb.projects()) == set(PROJECTS)


@pytest.mark.parametrize(
    "project",
    ["tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel", "tensorflow-cpu-aws"],
)
def test_every_tensorflow_release_has_platforms_and_python_tags(kb, project):
    releases = kb.releases(project)
    assert releases
    for release in releases:
        if not release.wheels:
            assert release.sdist or release.yanked, release.version
            continue
        assert release.platform_tags and release.python_tags, release.version
        for wheel in release.wheels:
            assert parse_tag(wheel.tag)
        covered = [
            i for group in _raw(kb, project, release.version)["requires"] for i in group["wheels"]
        ]
        assert sorted(covered) == list(range(len(release.wheels))), release.version


def test_only_final_releases_and_the_stated_cut(kb):
    for project in kb.projects():
        document = kb.file(f"releases/{project}.json")
        for version, record in document["releases"].items():
            assert not Version(version).is_prerelease, (project, version)
            if document["since"] and record["uploaded"]:
                assert record["uploaded"] >= document["since"][:10], (project, version)


def test_known_tensorflow_releases_are_present(kb):
    versions = {str(r.version) for r in kb.releases("tensorflow")}
    assert {"1.15.0", "2.12.0", "2.15.1", "2.16.1", "2.16.2", "2.18.0"} <= versions
    assert "2.16.0" not in versions  # never released


def test_every_atlas_version_parses_and_has_vgg16_where_expected(kb):
    atlas = kb.atlas
    for version in atlas.sampled("keras"):
        parsed = Version(version)
        assert atlas.modules(version), version
        assert atlas.lookup("keras.applications.vgg16", "VGG16", version) is not False, version
        if parsed < Version("2.4") or parsed >= Version("2.9"):
            assert atlas.lookup("keras.applications", "VGG16", version) is True, version
        if Version("2.6") <= parsed < Version("3"):
            assert atlas.lookup("keras.api._v2.keras.applications", "VGG16", version), version
    for version in atlas.sampled("tf-keras"):
        assert atlas.lookup("tf_keras.applications", "VGG16", version) is True, version


def test_the_modules_of_a_keras_release_are_those_it_shipped(kb):
    """Keras 3 dropped `keras.estimator` and the `keras.api._v2` tree that tf.keras 2.x loads, and
    added `keras.ops`; a release between two samples is read from its minor's sample."""
    atlas = kb.atlas
    keras2, keras3 = set(atlas.modules("2.15.0")), set(atlas.modules("3.3.3"))
    assert {"keras.layers", "keras.estimator", "keras.api._v2.keras"} <= keras2
    assert {"keras.layers", "keras.ops"} <= keras3
    assert not {"keras.ops"} & keras2 and not {"keras.estimator", "keras.api._v2.keras"} & keras3
    assert set(atlas.modules("3.3.0")) == keras3
    assert "tf_keras.api._v2.keras" in atlas.modules("2.15.1", root="tf_keras")
    assert not any(m.startswith("keras.") for m in atlas.modules("2.15.1", root="tf_keras"))
    assert atlas.modules("1.2.2") == []  # never sampled: no answer rather than a guess


def test_metal_table_is_not_empty_and_names_real_releases(kb):
    metal = kb.file("metal.json")
    assert len(metal["apple_table"]) >= 10
    for row in metal["apple_table"]:
        assert row["metal"] in metal["releases"], row
        assert row["tensorflow_minors"]
    assert "2.5" in metal["apple_table"][0]["tensorflow_minors"]


def test_metal_verdicts_cover_every_plugin_and_arm64_tensorflow_build(kb):
    metal = kb.file("metal.json")
    pairs = metal["verdicts"]["pairs"]
    plugins = {p["metal"] for p in pairs}
    arm64 = {v for v, r in metal["releases"].items() if "arm64" in r["archs"]}
    assert plugins == arm64
    builds = {(p["tensorflow_project"], p["tensorflow_version"]) for p in pairs}
    assert ("tensorflow-macos", "2.12.0") in builds and ("tensorflow", "2.16.2") in builds
    assert ("tensorflow", "2.14.0") not in builds  # an arm64 shim without binaries
    assert len(pairs) == len(plugins) * len(builds)
    for disagreement in metal["disagreements"]:
        assert disagreement["kind"] and disagreement["metal"] in plugins
    assert metal["trust"].startswith("Checks trust `verdicts`")


def test_weights_hashes_are_hex_of_the_right_length(kb):
    files = kb.file("weights.json")["files"]
    assert len(files) >= 50
    for entry in files:
        if entry["file_hash"] is not None:
            assert re.fullmatch(r"[0-9a-f]{32}|[0-9a-f]{64}", entry["file_hash"]), entry
        assert entry["file_name"].endswith((".h5", ".keras", ".json")), entry
    apps = {a for e in files for a in e["applications"]}
    assert {"VGG16", "ResNet50", "InceptionV3", "Xception", "DenseNet121", "EfficientNetB0"} <= apps


def test_every_curated_removal_is_confirmed_by_the_atlas(kb):
    for entry in kb.file("keras3_removed.json")["removed"]:
        assert entry["last_seen"] and entry["gone_from"], entry  # existed once, gone since
        assert Version(entry["gone_from"]) <= Version("3.0.5"), entry
        assert entry["source"].startswith("https://"), entry


def test_declared_numpy_agrees_with_the_curated_abi_rules(kb):
    declared = kb.file("numpy_abi.json")["declared"]
    assert declared["first_release_admitting_numpy_2"] == "2.18.0"  # the first numpy-2 build
    uncapped = declared["numpy_1_builds_admitting_numpy_2"]
    assert {"2.9.0", "2.10.0", "2.11.0", "2.14.0"} <= set(uncapped)
    assert not {"2.12.0", "2.13.0", "2.15.0", "2.16.1", "2.17.0"} & set(uncapped)
    for version in uncapped:
        assert kb.tf_numpy_abi(version).built_against == 1


def test_numpy_abi_rules_cite_their_sources(kb):
    document = kb.file("numpy_abi.json")
    assert any("tensorflow/releases/tag/v2.18.0" in s for s in document["sources"])


def _raw(kb, project, version):
    return kb.file(f"releases/{project}.json")["releases"][str(version)]
