"""The knowledge-based checks on facts of real combinations: one problem, one finding each."""

from __future__ import annotations

import json
import shutil

import pytest
from compat_facts import KB, facts, real_dist

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts.model import WeightsFile
from keras_doctor.knowledge import KnowledgeBase, KnowledgeError, paths


def run(f, loader=lambda: KB):
    return run_checks(f, loader)


def found(f, cause):
    return [x for x in run(f).findings if x.cause == cause]


def stack(tf, tf_version, *others, platform="linux-x86_64", python="3.11"):
    return [real_dist(tf, tf_version, platform, python),
            *(real_dist(n, v, platform, python) for n, v in others)]


# -- numpy, protobuf, Keras skew: undeclared only ------------------------------------------------

def test_numpy_2_with_tf_2_14_is_reported_although_tf_declares_no_cap():
    f = facts(stack("tensorflow", "2.14.0", ("numpy", "2.1.3"), ("keras", "2.14.0")))
    (x,) = found(f, "numpy-abi-mismatch")
    assert x.check == "numpy-abi"
    assert x.evidence["declared"] == [">=1.23.5"]
    assert x.evidence["runtime"] == "<2" and x.evidence["built_against"] == 1
    assert x.fix[0].command[-1] in ("numpy<2,>=1.23.5", "numpy>=1.23.5,<2")


def test_numpy_2_with_tf_2_15_1_is_reported_once_by_the_requirements_check():
    f = facts(stack("tensorflow", "2.15.1", ("numpy", "2.1.3"), ("keras", "2.15.0")))
    (x,) = found(f, "numpy-abi-mismatch")
    assert x.check == "requirements"


def test_keras_2_7_with_tf_2_6_0_is_skew_that_tf_2_6_0_metadata_allows():
    f = facts(stack("tensorflow", "2.6.0", ("keras", "2.7.0"), ("numpy", "1.19.5"),
                    python="3.9"), python="3.9")
    (x,) = found(f, "keras-tf-version-skew")
    assert x.check == "keras-tf-skew"
    assert x.evidence["declared"] == ["keras~=2.6"]
    assert x.fix[0].command[-1] == "keras==2.6.*"


def test_keras_3_on_tf_2_15_is_one_finding_from_the_declared_requirement():
    f = facts(stack("tensorflow", "2.15.1", ("keras", "3.3.3"), ("numpy", "1.26.4")))
    assert [x.check for x in found(f, "keras-tf-version-skew")] == ["requirements"]


def test_protobuf_4_with_tf_2_9_0_breaks_although_it_declares_only_a_floor():
    f = facts(stack("tensorflow", "2.9.0", ("protobuf", "4.21.12"), ("keras", "2.9.0"),
                    ("numpy", "1.23.5"), python="3.10"), python="3.10")
    (x,) = found(f, "protobuf-mismatch")
    assert x.check == "stack-ranges"
    assert x.evidence["needed"] == "protobuf<3.20"
    assert "curated rule" in x.evidence["decided_by"]


def test_ml_dtypes_from_the_wheel_when_installed_metadata_is_silent():
    tf = real_dist("tensorflow", "2.15.1", requires=[])  # metadata stripped (e.g. a conda build)
    f = facts([tf, real_dist("ml-dtypes", "0.5.1"), real_dist("keras", "2.15.0")])
    (x,) = found(f, "ml-dtypes-mismatch")
    assert x.evidence["needed"] == "ml-dtypes~=0.3.1"
    assert x.evidence["decided_by"].startswith("knowledge base: Requires-Dist of the tensorflow")


# -- Keras 3 and legacy code ----------------------------------------------------------------------

def test_tensorflow_hub_under_keras_3_needs_tf_keras_and_the_switch():
    f = facts(stack("tensorflow", "2.16.2", ("keras", "3.3.3"), ("numpy", "1.26.4"),
                    ("tensorflow-hub", "0.16.1")))
    (x,) = found(f, "keras3-legacy-code")
    assert x.evidence["libraries"][0]["found"] == "tensorflow-hub 0.16.1"
    assert [s.command for s in x.fix] == [
        ("/home/ada/venv/bin/python", "-m", "pip", "install", "tf-keras==2.16.0"),
        ("export", "TF_USE_LEGACY_KERAS=1")]


@pytest.mark.parametrize("transformers, needs_keras_2", [("4.57.1", True), ("5.0.0", False)])
def test_transformers_needs_keras_2_until_5_dropped_its_tensorflow_models(transformers,
                                                                          needs_keras_2):
    f = facts(stack("tensorflow", "2.16.2", ("keras", "3.3.3"), ("numpy", "1.26.4"),
                    ("transformers", transformers)))
    libraries = [lib["found"] for x in found(f, "keras3-legacy-code")
                 for lib in x.evidence.get("libraries", ())]
    assert (f"transformers {transformers}" in libraries) == needs_keras_2


@pytest.mark.parametrize("tfmot", ["0.7.4.dev0", "0.8.0"])  # a real pre-release, a release
def test_a_pre_release_of_a_keras_2_library_needs_keras_2_like_its_releases(tfmot):
    f = facts(stack("tensorflow", "2.16.2", ("keras", "3.3.3"), ("numpy", "1.26.4"),
                    ("tf-keras", "2.16.0"), ("tensorflow-model-optimization", tfmot)))
    (x,) = found(f, "keras3-legacy-code")
    assert x.title == (f"tensorflow-model-optimization {tfmot} needs Keras 2, but tf.keras is "
                       "Keras 3.3.3 under tensorflow 2.16.2")
    assert [s.command for s in x.fix] == [("export", "TF_USE_LEGACY_KERAS=1")]


def test_tensorflow_hub_with_tf_keras_and_the_switch_on_is_fine():
    dists = stack("tensorflow", "2.16.2", ("keras", "3.3.3"), ("numpy", "1.26.4"),
                  ("tensorflow-hub", "0.16.1"), ("tf-keras", "2.16.0"))
    assert found(facts(dists, env={"TF_USE_LEGACY_KERAS": "1"}), "keras3-legacy-code") == []


@pytest.mark.parametrize("value", ["yes", "TRUE", "on"])
def test_a_switch_value_tensorflow_ignores_is_called_out(value):
    dists = stack("tensorflow", "2.16.2", ("keras", "3.3.3"), ("numpy", "1.26.4"),
                  ("tf-keras", "2.16.0"))
    (x,) = found(facts(dists, env={"TF_USE_LEGACY_KERAS": value}), "keras3-legacy-code")
    assert "does nothing" in x.title and x.severity.value == "warning"
    assert x.fix[0].command == ("export", "TF_USE_LEGACY_KERAS=1")
    # Which values TensorFlow accepts is tested against its behaviour in test_boundaries.py and
    # against a real wheel's source there.


def test_the_switch_without_tf_keras_is_an_error():
    dists = stack("tensorflow", "2.17.0", ("keras", "3.5.0"), ("numpy", "1.26.4"))
    (x,) = found(facts(dists, env={"TF_USE_LEGACY_KERAS": "true"}), "keras3-legacy-code")
    assert x.severity.value == "error"
    assert x.fix[0].command[-1] == "tf-keras==2.17.0"


def test_tf_keras_of_another_minor_than_tensorflow_cpu_is_reported():
    # tf-keras requires `tensorflow`, so with tensorflow-cpu its metadata cannot flag the skew
    dists = stack("tensorflow-cpu", "2.18.0", ("keras", "3.5.0"), ("numpy", "1.26.4"),
                  ("tf-keras", "2.16.0"))
    titles = [x.title for x in found(facts(dists, env={"TF_USE_LEGACY_KERAS": "1"}),
                                     "keras3-legacy-code")]
    assert any("tf-keras 2.16.0 does not match tensorflow-cpu 2.18.0" in t for t in titles)


def test_keras_2_with_the_jax_backend_needs_keras_3():
    f = facts([real_dist("keras", "2.15.0"), real_dist("jax", "0.4.30")],
              env={"KERAS_BACKEND": "jax"})
    (x,) = found(f, "keras3-required")
    assert x.evidence["needs"][0]["needed_by"] == "the jax backend (set by KERAS_BACKEND)"


# -- wheels, distributions, pip -------------------------------------------------------------------

def test_python_3_13_with_a_tensorflow_without_cp313_wheels():
    f = facts(stack("tensorflow", "2.19.0", ("keras", "3.10.0"), ("numpy", "2.1.3"),
                    python="3.12"), python="3.13")
    (x,) = found(f, "no-wheel-for-python")
    assert x.evidence["pythons_with_wheels_here"] == ["3.9", "3.10", "3.11", "3.12"]
    assert x.evidence["newest_release_for_this_target"] == "2.21.0"


@pytest.mark.parametrize("distro_version", [None, "22.04"])
def test_tensorflow_macos_copied_to_linux_has_no_wheel_for_the_platform(distro_version):
    # A Linux probe records the distribution's release as os_version: never a macOS release.
    f = facts([real_dist("tensorflow-macos", "2.15.0", "macos-arm64")], os_version=distro_version)
    (x,) = found(f, "no-wheel-for-platform")
    assert x.evidence["os_version"] is None
    assert x.evidence["distribution"] == "tensorflow-macos"
    assert x.evidence["platform_tags"] == ["macosx_12_0_arm64"]
    assert x.title == "tensorflow-macos 2.15.0 has no wheel for linux-x86_64"
    (step,) = x.fix  # no release of it installs here, on any Python: only another distribution
    assert step.kind.value == "manual" and step.description == (
        "Use the distribution that ships wheels for this platform (`keras-doctor recommend` "
        "names it)")


def test_tensorflow_macos_2_15_1_is_metadata_only():
    f = facts([real_dist("tensorflow-macos", "2.15.1", "macos-arm64")], platform="macos-arm64",
              os_version="14.4")
    (x,) = found(f, "deprecated-distribution")
    assert x.severity.value == "error" and "metadata only" in x.title
    assert x.evidence["replacement_version"] == "2.15.1"


def test_tensorflow_gpu_is_deprecated_everywhere():
    f = facts([real_dist("tensorflow-gpu", "2.10.1", requires=[])], python="3.10")
    (x,) = found(f, "deprecated-distribution")
    assert x.evidence["replacement"] == "tensorflow"


def test_old_pip_on_apple_silicon_cannot_see_macos_11_wheels():
    f = facts([], platform="macos-arm64", pip="20.2.4", os_version="14.4")
    (x,) = found(f, "pip-too-old-for-platform-tags")
    assert x.fix[0].command[-1] == "pip>=20.3"
    assert found(facts([], platform="macos-arm64", pip="20.3"),
                 "pip-too-old-for-platform-tags") == []


# -- tensorflow-metal -----------------------------------------------------------------------------

def mac(*dists, python="3.11", platform="macos-arm64"):
    return facts([real_dist(n, v, platform, python) for n, v in dists], platform=platform,
                 python=python, os_version="14.4")


def test_metal_1_1_0_with_tf_2_18_fails_whatever_apples_table_says():
    (x,) = found(mac(("tensorflow", "2.18.1"), ("tensorflow-metal", "1.1.0")),
                 "metal-plugin-mismatch")
    assert x.evidence["decided_by"] in ("verdicts", "reports")
    assert "2.18" in x.evidence["apple_table_row"]
    # The plugin that loads with this TensorFlow, not a downgrade of TensorFlow.
    assert x.fix[0].command[-1] == "tensorflow-metal==1.2.0"


def test_metal_1_1_0_with_tf_2_17_is_fine():
    assert found(mac(("tensorflow", "2.17.1"), ("tensorflow-metal", "1.1.0")),
                 "metal-plugin-mismatch") == []


def test_metal_on_python_3_12_without_a_cp312_build():
    (x,) = found(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "1.1.0"), python="3.12"),
                 "no-wheel-for-python")
    assert x.check == "metal-plugin" and x.evidence["newest_metal_for_this_python"] == "1.2.0"


def test_metal_on_an_intel_mac():
    (x,) = found(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "1.1.0"),
                     platform="macos-x86_64"), "no-wheel-for-platform")
    assert x.check == "metal-plugin"


# -- weights and certificates ---------------------------------------------------------------------

def weights_file(name, size, signature, sha256=None):
    return WeightsFile(name=name, path=f"/home/ada/.keras/models/{name}", size_bytes=size,
                       hdf5_signature=signature, sha256=sha256)


def test_a_known_weights_file_without_the_hdf5_signature_is_corrupt_and_never_deleted():
    entry = KB.weights("VGG16")[0]
    (x,) = found(facts([], weights=[weights_file(entry.file_name, 4096, False)]),
                 "weights-cache-corrupt")
    assert x.evidence["known_file"] and x.evidence["module"] == "vgg16"
    assert x.fix[0].destructive and x.fix[0].command == ("rm", x.evidence["path"])


def test_a_hash_mismatch_is_corrupt_and_a_match_is_not():
    entry = KB.weight_file(next(e["file_name"] for e in KB.file("weights.json")["files"]
                                if len(e.get("file_hash") or "") == 64))
    bad = weights_file(entry.file_name, 10_000, True, sha256="0" * 64)
    good = weights_file(entry.file_name, 10_000, True, sha256=entry.file_hash)
    assert len(found(facts([], weights=[bad]), "weights-cache-corrupt")) == 1
    assert found(facts([], weights=[good]), "weights-cache-corrupt") == []


def test_a_file_keras_knows_only_by_md5_is_not_judged_by_the_sha256_of_the_facts():
    md5 = next(e for e in KB.file("weights.json")["files"]
               if len(e.get("file_hash") or "") == 32)
    whole = weights_file(md5["file_name"], 10_000, True, sha256="0" * 64)
    assert found(facts([], weights=[whole]), "weights-cache-corrupt") == []


def test_python_org_mac_python_without_certificates():
    ssl = {"cafile": None, "capath": None, "cafile_exists": False, "capath_exists": False,
           "openssl_cafile": "/Library/Frameworks/Python.framework/Versions/3.12/etc/openssl/"
                             "cert.pem", "openssl_cafile_exists": False}
    f = facts([real_dist("keras", "3.3.3", "macos-arm64", "3.12")], platform="macos-arm64",
              python="3.12", base_kind="python.org", ssl=ssl)
    (x,) = found(f, "weights-download-ssl")
    assert x.fix[0].command == ("open", "/Applications/Python 3.12/Install Certificates.command")


# -- the knowledge base itself --------------------------------------------------------------------

def test_stale_knowledge_is_an_info_finding(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(paths.EMBEDDED_DIR, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["generated_at"] = "2020-01-01T00:00:00Z"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    old = KnowledgeBase(copy)
    (x,) = [y for y in run(facts([]), lambda: old).findings if y.cause == "knowledge-stale"]
    assert x.severity.value == "info" and x.fix[0].command == ("keras-doctor", "db", "update")
    assert found(facts([]), "knowledge-stale") == []


def test_without_knowledge_the_checks_skip_instead_of_crashing():
    def broken():
        raise KnowledgeError("no knowledge data found")

    cut = weights_file("vgg16_weights_tf_dim_ordering_tf_kernels.h5", 4096, False)
    report = run(facts(stack("tensorflow", "2.14.0", ("numpy", "2.1.3")), weights=[cut]), broken)
    assert not [x for x in report.findings if x.cause == "check-crashed"]
    assert "numpy-abi" in {s.check for s in report.skipped}
    # a cached weights file is still judged by its bytes, as a file no table knows
    (corrupt,) = [x for x in report.findings if x.cause == "weights-cache-corrupt"]
    assert corrupt.evidence["known_file"] is False and "application" not in corrupt.evidence


def test_a_weights_file_shorter_than_its_superblock_declares_is_truncated():
    short = WeightsFile(name="x.h5", path="/home/ada/.keras/models/x.h5", size_bytes=1000,
                        hdf5_signature=True, hdf5_end=4096)
    whole = WeightsFile(name="x.h5", path="/home/ada/.keras/models/x.h5", size_bytes=4096,
                        hdf5_signature=True, hdf5_end=4096)
    (x,) = found(facts([], weights=[short]), "weights-cache-corrupt")
    assert "1000 of the 4096 bytes" in x.title
    assert found(facts([], weights=[whole]), "weights-cache-corrupt") == []


def test_tensorflow_macos_pulled_in_by_the_tensorflow_2_14_shim_is_not_called_obsolete():
    f = mac(("tensorflow", "2.14.0"), ("tensorflow-macos", "2.14.0"))
    assert found(f, "deprecated-distribution") == []
    (x,) = found(mac(("tensorflow-macos", "2.14.0")), "deprecated-distribution")
    assert x.evidence["replacement_version"] == "2.14.0"


def test_the_last_intel_mac_metal_release_comes_from_the_data():
    (x,) = found(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "1.1.0"),
                     platform="macos-x86_64"), "no-wheel-for-platform")
    assert x.title.endswith("the last Intel-Mac release is 1.0.0")


def test_metal_pairings_are_decided_by_the_binaries_where_verdicts_exist():
    # Apple's table stops at metal 1.1.0; the shipped link verdicts show 1.2.0 loads on 2.16.2.
    assert found(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "1.2.0")),
                 "metal-plugin-mismatch") == []
    (older,) = found(mac(("tensorflow", "2.16.2"), ("tensorflow-metal", "0.8.0")),
                     "metal-plugin-mismatch")
    assert older.severity.value == "error" and older.evidence["decided_by"] == "verdicts"
    assert older.fix[0].command[-1].startswith("tensorflow-metal==")
    # The publicly reported failure: metal 1.1.0 cannot load with TF 2.18.
    (broken,) = found(mac(("tensorflow", "2.18.1"), ("tensorflow-metal", "1.1.0")),
                      "metal-plugin-mismatch")
    assert broken.severity.value == "error"
    assert broken.fix[0].command[-1] == "tensorflow-metal==1.2.0"


def test_keras_2_alone_on_a_python_no_tensorflow_has_wheels_for_says_what_it_needs():
    # Keras 2 is nothing without TensorFlow; Keras 3 runs on another backend.
    def missing(keras):
        return found(facts([real_dist("keras", keras, requires=[])], python="3.14"),
                     "no-wheel-for-python")
    (x,) = missing("2.15.0")
    assert x.evidence["distribution"] == "tensorflow"
    assert x.evidence["needed_by"] == ["keras 2.15.0"]
    assert missing("3.5.0") == []


def test_tf_keras_alone_on_a_python_no_tensorflow_has_wheels_for_says_what_it_needs():
    alone = facts([real_dist("tf-keras", "2.17.0", requires=[])], python="3.14")
    (x,) = found(alone, "no-wheel-for-python")
    assert x.evidence["distribution"] == "tensorflow"
    assert x.evidence["needed_by"] == ["tf-keras 2.17.0"]
