"""Every version boundary the checks know, tested on both sides of its edge.

An off-by-one at an edge (`>` for `>=`, 2.17 for 2.18) silently moves thousands of real
environments from one verdict to the other, so each edge below is pinned by the last release that
must get one answer and the first release that must get the other. Distributions are stated with
`requires=[]` where the point is the knowledge base's rule rather than the installed metadata
(whose own conflicts the `requirements` check reports instead).
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest
from compat_facts import KB, facts, real_dist

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts.config import environment_of
from keras_doctor.facts.model import Binary, ConfigFacts, KernelSpec, PathTool
from keras_doctor.knowledge.metal_pairs import metal_verdict


def causes(f):
    return [x.cause for x in run_checks(f, lambda: KB).findings]


def found(f, cause):
    return [x for x in run_checks(f, lambda: KB).findings if x.cause == cause]


def bare(name, version, platform="linux-x86_64", python="3.11"):
    """`name` as installed, its metadata declaring nothing: the knowledge base alone decides."""
    return real_dist(name, version, platform, python, requires=[])


# -- the first TensorFlow built against numpy 2: 2.18.0 ------------------------------------------

@pytest.mark.parametrize("tf", ["2.17.0", "2.17.1"])
def test_numpy_2_breaks_the_last_numpy_1_builds(tf):
    (x,) = found(facts([bare("tensorflow", tf), bare("numpy", "2.0.0")]), "numpy-abi-mismatch")
    assert x.evidence["built_against"] == 1 and x.evidence["runtime"] == "<2"
    assert x.fix[0].command[-1] == "numpy<2"


@pytest.mark.parametrize("tf", ["2.18.0", "2.18.1", "2.19.0"])
def test_numpy_2_loads_from_the_first_numpy_2_build_on(tf):
    assert found(facts([bare("tensorflow", tf), bare("numpy", "2.0.0")]),
                 "numpy-abi-mismatch") == []


def test_the_numpy_2_builds_still_load_numpy_1_26_and_not_1_25():
    assert found(facts([bare("tensorflow", "2.18.0"), bare("numpy", "1.26.0")]),
                 "numpy-abi-mismatch") == []
    (x,) = found(facts([bare("tensorflow", "2.18.0"), bare("numpy", "1.25.2")]),
                 "numpy-abi-mismatch")
    assert x.evidence["built_against"] == 2


def test_a_numpy_2_release_candidate_under_a_numpy_1_build_is_found_even_when_allowed():
    # TensorFlow 2.14.0 declares numpy>=1.23.5 with no upper bound: a pre-release of numpy 2 (a
    # user who ran `pip install --pre numpy`) satisfies that range, so only the ABI rule catches it.
    f = facts([real_dist("tensorflow", "2.14.0"), bare("numpy", "2.1.0rc1")])
    (x,) = found(f, "numpy-abi-mismatch")
    assert x.evidence["numpy_version"] == "2.1.0rc1" and x.evidence["runtime"] == "<2"
    assert "requirement-conflict" not in causes(f)


def test_a_numpy_1_build_accepts_the_last_numpy_1():
    assert found(facts([bare("tensorflow", "2.17.1"), bare("numpy", "1.26.4")]),
                 "numpy-abi-mismatch") == []


def test_the_knowledge_base_puts_the_numpy_edge_between_2_17_1_and_2_18_0():
    assert KB.tf_numpy_abi("2.17.1").built_against == 1
    assert KB.tf_numpy_abi("2.17.1").allows("2.0.0") is False
    assert KB.tf_numpy_abi("2.18.0").built_against == 2
    assert KB.tf_numpy_abi("2.18.0").allows("2.0.0") is True


# -- Keras 3 is tf.keras from TensorFlow 2.16 (2.16.1, the first 2.16 release) --------------------

def test_keras_2_under_the_first_keras_3_tensorflow_needs_keras_3():
    (x,) = found(facts([bare("tensorflow", "2.16.1"), bare("keras", "2.15.0")]),
                 "keras3-required")
    assert x.evidence["needs"][0]["needed_by"] == "tensorflow 2.16.1"
    assert x.fix[0].command[-1] == "keras>=3"


def test_keras_2_under_the_last_keras_2_tensorflow_is_its_own_keras():
    f = facts([bare("tensorflow", "2.15.1"), bare("keras", "2.15.0")])
    assert found(f, "keras3-required") == [] and found(f, "keras-tf-version-skew") == []


def test_the_keras_minor_must_match_tensorflow_up_to_2_15_and_not_from_2_16():
    (x,) = found(facts([bare("tensorflow", "2.15.1"), bare("keras", "2.14.0")]),
                 "keras-tf-version-skew")
    assert x.fix[0].command[-1] == "keras==2.15.*"
    assert found(facts([bare("tensorflow", "2.16.1"), bare("keras", "3.0.0")]),
                 "keras-tf-version-skew") == []


def test_keras_is_its_own_distribution_from_tensorflow_2_6_only():
    # Before 2.6 tf.keras lived inside TensorFlow: a `keras` beside it is not tf.keras.
    assert found(facts([bare("tensorflow", "2.5.3"), bare("keras", "2.7.0")], python="3.9"),
                 "keras-tf-version-skew") == []
    (x,) = found(facts([bare("tensorflow", "2.6.0"), bare("keras", "2.7.0")], python="3.9"),
                 "keras-tf-version-skew")
    assert x.fix[0].command[-1] == "keras==2.6.*"


def test_keras_3_for_a_backend_names_the_first_keras_3_tensorflow_when_tensorflow_is_older():
    f = facts([bare("tensorflow", "2.15.1"), bare("keras", "2.15.0")],
              env={"KERAS_BACKEND": "jax"})
    (x,) = found(f, "keras3-required")
    assert x.fix[0].command[-2:] == ("tensorflow>=2.16", "keras>=3")
    newer = facts([bare("tensorflow", "2.16.1"), bare("keras", "2.15.0")],
                  env={"KERAS_BACKEND": "jax"})
    (y,) = found(newer, "keras3-required")
    assert y.fix[0].command[-1] == "keras>=3" and "tensorflow>=2.16" not in y.fix[0].command


# -- TF_USE_LEGACY_KERAS: TensorFlow compares the raw string with exactly "true", "True", "1" ------

def legacy_stack(value, tf="2.16.2", tf_keras="2.16.0"):
    dists = [bare("tensorflow", tf), bare("keras", "3.3.3"), bare("tensorflow-hub", "0.16.1")]
    if tf_keras:
        dists.append(bare("tf-keras", tf_keras))
    return facts(dists, env={} if value is None else {"TF_USE_LEGACY_KERAS": value})


@pytest.mark.parametrize("value", ["true", "True", "1"])
def test_the_values_tensorflow_accepts_turn_the_switch_on(value):
    assert found(legacy_stack(value), "keras3-legacy-code") == []


@pytest.mark.parametrize("value", ["TRUE", "yes", "on", "t", " 1", "1 ", "True\n", "enabled"])
def test_values_meant_as_on_that_tensorflow_ignores_are_called_out(value):
    found_here = found(legacy_stack(value), "keras3-legacy-code")
    ignored = [x for x in found_here if "does nothing" in x.title]
    assert len(ignored) == 1 and ignored[0].severity.value == "warning"
    assert ignored[0].fix[0].command == ("export", "TF_USE_LEGACY_KERAS=1")
    # ... and the library that needs the switch is still blocked, because the switch is off.
    assert any("tensorflow-hub 0.16.1 needs Keras 2" in x.title for x in found_here)


@pytest.mark.parametrize("value", [None, "0", "false", "False", ""])
def test_values_meant_as_off_are_off_without_a_warning(value):
    found_here = found(legacy_stack(value), "keras3-legacy-code")
    assert [x.title for x in found_here if "does nothing" in x.title] == []
    (blocked,) = found_here
    assert blocked.severity.value == "error"
    assert blocked.fix[-1].command == ("export", "TF_USE_LEGACY_KERAS=1")


def test_the_switch_exists_from_tensorflow_2_15_only():
    # Before 2.15 TensorFlow never reads the variable: no finding, even without tf_keras.
    before = facts([bare("tensorflow", "2.14.1"), bare("keras", "2.14.0")],
                   env={"TF_USE_LEGACY_KERAS": "1"})
    assert found(before, "keras3-legacy-code") == []
    first = facts([bare("tensorflow", "2.15.0"), bare("keras", "2.15.0")],
                  env={"TF_USE_LEGACY_KERAS": "1"})
    (x,) = found(first, "keras3-legacy-code")
    assert x.severity.value == "error" and x.fix[0].command[-1].startswith("tf-keras==2.15.")


@pytest.mark.slow
def test_the_accepted_values_are_the_ones_in_a_real_tensorflow_wheel():
    """Read the comparison out of TensorFlow's own source in a real environment."""
    import envs

    env = envs.venv("healthy-tf", [["tensorflow==2.21.0"]])
    (loader,) = env.glob("lib/python3*/site-packages/tensorflow/python/util/lazy_loader.py")
    tree = ast.parse(loader.read_text())
    tuples = [node.comparators[0] for node in ast.walk(tree) if isinstance(node, ast.Compare)
              and "TF_USE_LEGACY_KERAS" in ast.unparse(node.left)
              and isinstance(node.ops[0], ast.In)]
    assert tuples, f"no TF_USE_LEGACY_KERAS comparison in {loader}"
    accepted = set(ast.literal_eval(tuples[0]))
    for value in accepted:
        assert found(legacy_stack(value), "keras3-legacy-code") == [], value
    for value in ("TRUE", "yes", "on"):
        assert value not in accepted
        assert found(legacy_stack(value), "keras3-legacy-code"), value


# -- protobuf and ml-dtypes ranges ----------------------------------------------------------------

@pytest.mark.parametrize(("protobuf", "broken"), [("3.19.6", False), ("3.20.0", True),
                                                  ("4.21.12", True)])
def test_tensorflow_before_2_10_needs_protobuf_below_3_20(protobuf, broken):
    f = facts([bare("tensorflow", "2.9.0"), bare("protobuf", protobuf)], python="3.10")
    hits = found(f, "protobuf-mismatch")
    assert len(hits) == int(broken)
    if broken:
        assert hits[0].evidence["needed"] == "protobuf<3.20"
        assert hits[0].fix[0].command[-1] == "protobuf<3.20"


def test_the_curated_protobuf_rule_decides_only_where_the_wheel_states_no_cap():
    # 2.9.0's wheel declares protobuf>=3.9.2 only: the curated rule decides.
    (old,) = found(facts([bare("tensorflow", "2.9.0"), bare("protobuf", "3.20.3")],
                         python="3.10"), "protobuf-mismatch")
    assert old.evidence["decided_by"].startswith("curated rule")
    # 2.10.0's wheel caps protobuf itself: its Requires-Dist (from the knowledge base) decides.
    (new,) = found(facts([bare("tensorflow", "2.10.0"), bare("protobuf", "3.20.3")],
                         python="3.10"), "protobuf-mismatch")
    assert new.evidence["decided_by"].startswith("knowledge base")
    assert found(facts([bare("tensorflow", "2.10.0"), bare("protobuf", "3.19.6")],
                       python="3.10"), "protobuf-mismatch") == []


@pytest.mark.parametrize(("ml_dtypes", "broken"), [("0.3.0", True), ("0.3.1", False),
                                                   ("0.3.2", False), ("0.4.0", True)])
def test_tensorflow_2_15_needs_ml_dtypes_compatible_with_0_3_1(ml_dtypes, broken):
    f = facts([bare("tensorflow", "2.15.1"), bare("ml-dtypes", ml_dtypes)])
    hits = found(f, "ml-dtypes-mismatch")
    assert len(hits) == int(broken)
    if broken:
        assert hits[0].evidence["needed"] == "ml-dtypes~=0.3.1"


def test_a_range_the_installed_metadata_declares_is_left_to_the_requirements_check():
    # tensorflow 2.15.1's own metadata says ml-dtypes~=0.3.1: one finding, from `requirements`.
    f = facts([real_dist("tensorflow", "2.15.1"), bare("ml-dtypes", "0.4.0")])
    assert [x.check for x in found(f, "ml-dtypes-mismatch")] == ["requirements"]


# -- tensorflow-metal pairings --------------------------------------------------------------------

def mac(*dists, python="3.11"):
    return facts([bare(n, v, "macos-arm64", python) for n, v in dists], platform="macos-arm64",
                 python=python, os_version="14.4")


@pytest.mark.parametrize(("tf", "metal", "loads"), [
    ("2.17.1", "1.1.0", True), ("2.18.0", "1.1.0", False),  # the plugin stops at TF 2.18
    ("2.18.0", "1.2.0", True), ("2.16.2", "1.2.0", True), ("2.16.2", "0.8.0", False),
])
def test_metal_pairings_on_both_sides_of_each_edge(tf, metal, loads):
    assert metal_verdict(KB, tf, metal).loads is loads
    hits = found(mac(("tensorflow", tf), ("tensorflow-metal", metal)), "metal-plugin-mismatch")
    assert len(hits) == (0 if loads else 1), [h.title for h in hits]
    if not loads:
        assert hits[0].severity.value == "error"
        pin = hits[0].fix[0].command[-1]
        assert pin.startswith("tensorflow-metal==")
        assert metal_verdict(KB, tf, pin.split("==")[1]).loads is True


# -- the minimum macOS of a binary ----------------------------------------------------------------

def mac_with_binary(os_version, needs):
    f = mac(("tensorflow", "2.16.2"))
    f.platform.os_version = os_version
    f.binaries = [Binary(path="/site/tensorflow/libtensorflow_framework.2.dylib",
                         location="/site", format="mach-o", archs=["arm64"],
                         min_macos={"arm64": needs}, owner="tensorflow")]
    return f


@pytest.mark.parametrize(("running", "needs", "too_old"), [
    ("11.7", "12.0", True), ("12.0", "12.0", False), ("12", "12.0", False),
    ("12.0.1", "12.0", False), ("13.6", "14.0", True), ("14.0", "14.0", False),
    ("10.15.7", "11.0", True),
])
def test_a_binary_needs_at_least_its_minimum_macos(running, needs, too_old):
    hits = found(mac_with_binary(running, needs), "macos-too-old")
    assert len(hits) == int(too_old)
    if too_old:
        assert hits[0].title == f"tensorflow 2.16.2 needs macOS {needs}; this Mac runs {running}"


@pytest.mark.parametrize(("os_version", "has_wheel"), [("11.7", False), ("12.0", True),
                                                       ("14.4", True)])
def test_tensorflow_2_16_wheels_need_macos_12_on_apple_silicon(os_version, has_wheel):
    wheel = KB.wheel_for("tensorflow", "2.16.2", "macos-arm64", "3.11", os_version)
    assert (wheel is not None) is has_wheel


# -- AVX ------------------------------------------------------------------------------------------

def x86(flags, machine_tf="tensorflow-cpu"):
    f = facts([bare(machine_tf, "2.16.2")])
    f.platform.cpu_flags = flags
    return f


def test_an_x86_64_cpu_without_avx_cannot_run_official_tensorflow():
    (x,) = found(x86(["sse4_2", "ssse3"]), "cpu-lacks-avx")
    assert x.evidence["distribution"] == "tensorflow-cpu"
    assert found(x86(["sse4_2", "avx"]), "cpu-lacks-avx") == []
    assert found(x86(["sse4_2", "avx", "avx2", "fma"]), "cpu-lacks-avx") == []


def test_without_known_cpu_flags_or_tensorflow_there_is_no_avx_verdict():
    report = run_checks(x86(None), lambda: KB)
    assert "avx" in {s.check for s in report.skipped}
    assert found(facts([]), "cpu-lacks-avx") == []


def test_avx_is_not_asked_of_an_arm64_build():
    f = mac(("tensorflow", "2.16.2"))
    f.platform.cpu_flags = []
    assert found(f, "cpu-lacks-avx") == []


# -- the wrong-interpreter check ------------------------------------------------------------------

def venv_at(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return root


def with_tools(tools, kernels=(), executable=None, mode="running"):
    """Facts with these PATH tools and kernels, completed as the facts reader completes them."""
    f = facts([])
    f.target.mode = mode
    if executable:
        f.interpreter.executable = executable
        f.interpreter.environment = environment_of(executable)
    for tool in tools:
        script = tool.name.startswith(("pip", "jupyter"))
        tool.environment = environment_of(tool.interpreter if script else tool.path)
    for kernel in kernels:
        kernel.argv0_exists = os.path.exists(kernel.argv0) if os.path.isabs(kernel.argv0) else None
    f.config = ConfigFacts(env={}, keras_json=f.config.keras_json, path_tools=list(tools),
                           kernel_specs=list(kernels))
    return f


def test_pip_and_python_of_one_virtualenv_agree_whatever_their_names(tmp_path):
    env = venv_at(tmp_path / "env")
    f = with_tools([PathTool("python3", str(env / "bin/python3")),
                    PathTool("pip", str(env / "bin/pip"), str(env / "bin/python3.11"))],
                   executable=str(env / "bin/python"))
    assert found(f, "wrong-interpreter") == []


def test_pip_of_another_environment_than_python_is_reported(tmp_path):
    env, other = venv_at(tmp_path / "env"), venv_at(tmp_path / "other")
    f = with_tools([PathTool("python3", str(env / "bin/python3")),
                    PathTool("pip", str(other / "bin/pip"), str(other / "bin/python"))],
                   executable=str(env / "bin/python"))
    (x,) = found(f, "wrong-interpreter")
    assert x.evidence["pip_interpreter"] == str(other / "bin/python")
    assert x.evidence["python"] == str(env / "bin/python3")


def test_the_doctor_in_another_environment_than_the_shells_python_is_only_info(tmp_path):
    env, other = venv_at(tmp_path / "env"), venv_at(tmp_path / "other")
    f = with_tools([PathTool("python3", str(env / "bin/python3"))],
                   executable=str(other / "bin/python"))
    (x,) = found(f, "wrong-interpreter")
    assert x.severity.value == "info"
    assert x.fix[0].command == ("keras-doctor", "check", "--python", str(env / "bin/python3"))
    # Checking a named interpreter (not the running one) makes no claim about the shell's python.
    named = with_tools([PathTool("python3", str(env / "bin/python3"))],
                       executable=str(other / "bin/python"), mode="python")
    assert found(named, "wrong-interpreter") == []


def test_a_kernel_whose_interpreter_is_gone_is_reported_and_a_live_one_is_not(tmp_path):
    gone = str(tmp_path / "deleted-env" / "bin" / "python")
    f = with_tools([], kernels=[KernelSpec("old", str(tmp_path / "k1/kernel.json"), gone),
                                KernelSpec("live", str(tmp_path / "k2/kernel.json"),
                                           sys.executable)])
    (x,) = found(f, "wrong-interpreter")
    assert x.evidence["kernel"] == "old" and x.evidence["argv0"] == gone
    assert x.fix[0].destructive
    assert x.fix[0].command == ("jupyter", "kernelspec", "remove", "-y", "old")
    assert os.path.exists(sys.executable)


# -- the pip that understands a platform's wheel tags ---------------------------------------------

@pytest.mark.parametrize(("os_version", "reported"), [("10.15.7", False), ("11.0", True),
                                                      ("14.4", True), (None, False)])
def test_macos_11_tags_matter_to_an_intel_mac_from_macos_11_on(os_version, reported):
    f = facts([], platform="macos-x86_64", pip="20.2.4", os_version=os_version)
    assert len(found(f, "pip-too-old-for-platform-tags")) == int(reported)


def test_every_apple_silicon_mac_needs_pip_20_3():
    (x,) = found(facts([], platform="macos-arm64", pip="20.2.4", os_version="11.0"),
                 "pip-too-old-for-platform-tags")
    assert x.fix[0].command[-1] == "pip>=20.3"
    assert found(facts([], platform="macos-arm64", pip="20.3", os_version="11.0"),
                 "pip-too-old-for-platform-tags") == []


@pytest.mark.parametrize(("pip", "unmet"), [
    ("19.2.3", ["manylinux_2_x (PEP 600)", "manylinux2014"]),
    ("19.3", ["manylinux_2_x (PEP 600)"]), ("20.2.4", ["manylinux_2_x (PEP 600)"]),
    ("20.3", []),
])
def test_linux_wheel_tags_and_the_first_pip_that_reads_them(pip, unmet):
    hits = found(facts([], pip=pip), "pip-too-old-for-platform-tags")
    assert [u["tags"] for h in hits for u in h.evidence["unmet"]] == unmet
    if unmet:
        assert hits[0].fix[0].command[-1] == "pip>=20.3"
