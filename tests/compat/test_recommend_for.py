"""What `fix` asks the resolver for: the installed build kept in place, or a new working set.

A fix repairs, it does not upgrade: the TensorFlow build and version installed stay, with the
numpy and metal plugin they need from the knowledge base. A new environment (another Python) or
`--upgrade` takes the newest working set, keeping the build the user chose.
"""

from __future__ import annotations

from compat_facts import KB, facts, real_dist

from keras_doctor.plan.recommend import recommend, recommend_for


def bare(name, version, platform="linux-x86_64", python="3.11"):
    return real_dist(name, version, platform, python, requires=[])


def mac(*dists, python="3.11"):
    return facts([bare(n, v, "macos-arm64", python) for n, v in dists], platform="macos-arm64",
                 python=python, os_version="14.4")


def test_a_numpy_1_build_is_kept_with_numpy_below_2():
    rec = recommend_for(facts([bare("tensorflow", "2.15.1"), bare("numpy", "2.1.3")]), KB)
    assert rec.requirements == ["tensorflow==2.15.1", "numpy<2"]
    assert rec.tensorflow == "tensorflow"
    assert rec.reasons["numpy"] == "TensorFlow 2.15.1 is a NumPy 1 build"
    assert rec.reasons["tensorflow"] == "the TensorFlow build already installed"


def test_a_numpy_2_build_is_kept_with_the_numpy_range_it_loads():
    rec = recommend_for(facts([bare("tensorflow", "2.18.0"), bare("numpy", "1.25.2")]), KB)
    assert rec.requirements == ["tensorflow==2.18.0", "numpy>=1.26"]


def test_the_installed_build_is_kept_not_swapped_for_plain_tensorflow():
    rec = recommend_for(facts([bare("tensorflow-cpu", "2.15.1")]), KB)
    assert rec.requirements[0] == "tensorflow-cpu==2.15.1" and rec.tensorflow == "tensorflow-cpu"


def test_an_upgrade_keeps_the_build_and_takes_its_newest_working_release():
    rec = recommend_for(facts([bare("tensorflow-cpu", "2.15.1")]), KB, upgrade=True)
    newest = KB.newest_release("tensorflow-cpu", "linux-x86_64", "3.11")
    assert rec.requirements[0] == f"tensorflow-cpu=={newest.version}"


def test_a_metal_plugin_in_use_is_pinned_to_one_that_loads_with_the_kept_tensorflow():
    rec = recommend_for(mac(("tensorflow", "2.18.1"), ("tensorflow-metal", "1.1.0")), KB)
    assert "tensorflow-metal==1.2.0" in rec.requirements and not rec.lacks_metal
    none = recommend_for(mac(("tensorflow", "2.20.0"), ("tensorflow-metal", "1.2.0")), KB)
    assert none.lacks_metal and not any(r.startswith("tensorflow-metal") for r in
                                        none.requirements)
    assert none.reasons["tensorflow-metal"].startswith("left out")


def test_a_new_environment_on_a_python_the_kept_release_lacks_gets_the_newest_set():
    here = facts([bare("tensorflow", "2.15.1"), bare("numpy", "1.26.4")])
    assert recommend_for(here, KB).python_version == "3.11"  # in place: the environment's own
    same = recommend_for(here, KB, python_version="3.11")
    assert same.requirements[0] == "tensorflow==2.15.1"  # it has cp311 wheels: kept
    newer = recommend_for(here, KB, python_version="3.12")
    newest = KB.newest_release("tensorflow", "linux-x86_64", "3.12")
    assert newer.requirements[0] == f"tensorflow=={newest.version}"  # 2.15.1 has no cp312
    assert (same.python_version, newer.python_version) == ("3.11", "3.12")


def test_the_other_python_offered_is_the_newest_that_works():
    refused = recommend("macos-arm64", "3.13", KB, metal=True)
    assert refused.alternative.startswith("Use Python 3.12 in a new virtual environment: ")
    auto = recommend("macos-arm64", "3.13", KB)
    assert auto.alternative.startswith("Python 3.12: tensorflow==")
    assert "for the GPU use Python 3.12" in auto.reasons["tensorflow-metal"]


def test_legacy_keras_on_keras_3_tensorflow_names_the_switch():
    rec = recommend("linux-x86_64", "3.11", KB, legacy_keras=True)
    assert "TF_USE_LEGACY_KERAS=1" in rec.reasons["tf-keras"]
    tf_keras = next(r for r in rec.requirements if r.startswith("tf-keras=="))
    tf = next(r for r in rec.requirements if r.startswith("tensorflow=="))
    assert tf_keras.split("==")[1].split(".")[:2] == tf.split("==")[1].split(".")[:2]


def test_without_a_knowledge_base_the_first_numpy_2_tensorflow_still_decides_the_numpy_pin():
    # A build without its data (fix falls back on what is installed): TensorFlow 2.17 is the last
    # NumPy 1 build, 2.18 the first built against NumPy 2.
    last = recommend_for(facts([bare("tensorflow", "2.17.1"), bare("numpy", "2.1.3")]), None)
    assert last.requirements == ["tensorflow==2.17.1", "numpy<2"]
    assert last.reasons["numpy"] == "TensorFlow 2.17.1 is a NumPy 1 build"
    first = recommend_for(facts([bare("tensorflow", "2.18.0"), bare("numpy", "2.1.3")]), None)
    assert first.requirements == ["tensorflow==2.18.0"] and "numpy" not in first.reasons
