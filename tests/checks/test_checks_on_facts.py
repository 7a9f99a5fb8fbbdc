"""Checks are pure functions of facts: any platform's facts can be built here and diagnosed."""

from __future__ import annotations

import json

import pytest
from factories import binary, dist, mac_facts

from keras_doctor.checks.registry import all_checks, check, run_checks
from keras_doctor.facts.model import Facts, KerasConfig


def causes(facts):
    return sorted({f.cause for f in run_checks(facts).findings})


def by_cause(facts, cause):
    return [f for f in run_checks(facts).findings if f.cause == cause]


def test_a_healthy_native_mac_environment_has_no_findings():
    facts = mac_facts(distributions=[dist("numpy", "1.26.4")],
                      binaries=[binary("numpy/core/_multiarray_umath.so", ["arm64"], "numpy")])
    assert causes(facts) == []


def test_x86_64_only_python_under_rosetta_is_reported_with_a_new_environment_fix():
    facts = mac_facts(machine="x86_64", translated=True, exe_archs=("x86_64",))
    (found,) = by_cause(facts, "rosetta-python")
    assert found.evidence["executable_archs"] == ["x86_64"]
    assert found.evidence["sysctl.proc_translated"] == 1
    assert "x86_64-only" in found.title


@pytest.mark.parametrize("archs, says", [
    ([["arm64"], ["arm64"], ["x86_64", "arm64"]], "2 packages here are arm64 builds"),
    ([["x86_64"], ["x86_64", "arm64"]], "Every native package in this environment is x86_64"),
    ([["x86_64", "arm64"]], "This environment's python is the x86_64 interpreter"),
])
def test_the_new_environment_step_says_what_the_packages_under_rosetta_are(archs, says):
    binaries = [binary(f"pkg{i}/m.so", a, f"pkg{i}") for i, a in enumerate(archs)]
    facts = mac_facts(machine="x86_64", translated=True, exe_archs=("x86_64",),
                      binaries=binaries)
    (found,) = by_cause(facts, "rosetta-python")
    assert found.fix[1].description.startswith(says)


def test_universal2_python_started_as_x86_64_is_told_to_run_natively():
    facts = mac_facts(machine="x86_64", translated=True, exe_archs=("x86_64", "arm64"))
    (found,) = by_cause(facts, "rosetta-python")
    assert found.fix[0].command == ("arch", "-arm64", "/Users/ada/venv/bin/python")


def test_x86_tensorflow_without_avx_under_rosetta():
    facts = mac_facts(machine="x86_64", translated=True, exe_archs=("x86_64",),
                      distributions=[dist("tensorflow", "2.15.0")], cpu_flags=["sse4_2"])
    (found,) = by_cause(facts, "cpu-lacks-avx")
    assert found.evidence["version"] == "2.15.0"
    assert "emulated" in found.title


def test_avx_present_is_fine():
    facts = mac_facts(machine="x86_64", translated=False, exe_archs=("x86_64",),
                      distributions=[dist("tensorflow", "2.15.0")], cpu_flags=["avx", "avx2"])
    assert by_cause(facts, "cpu-lacks-avx") == []


def test_universal2_binary_with_the_running_slice_is_fine_but_x86_only_is_not():
    facts = mac_facts(
        distributions=[dist("numpy", "1.26.4"), dist("h5py", "3.11.0")],
        binaries=[binary("numpy/a.so", ["x86_64", "arm64"], "numpy"),
                  binary("h5py/b.so", ["x86_64"], "h5py"),
                  binary("h5py/c.so", ["x86_64"], "h5py")],
    )
    (found,) = by_cause(facts, "mixed-arch-binary")
    assert found.evidence["owner"] == "h5py"
    assert [f["path"].rsplit("/", 1)[1] for f in found.evidence["files"]] == ["b.so", "c.so"]
    assert "--force-reinstall" in found.fix[0].command
    assert "h5py==3.11.0" in found.fix[0].command
    assert found.fix[0].description.startswith("Reinstall h5py from an arm64 wheel, ")


def test_linux_binary_in_a_mac_environment_is_a_mixed_binary():
    facts = mac_facts(distributions=[dist("grpcio", "1.64.1")],
                      binaries=[binary("grpc/x.so", ["x86_64"], "grpcio", fmt="elf")])
    (found,) = by_cause(facts, "mixed-arch-binary")
    assert found.evidence["files"][0]["why"] == "a Linux binary"


def test_a_mac_binary_of_no_cpu_the_reader_knows_is_said_to_be_for_an_unknown_cpu():
    facts = mac_facts(distributions=[dist("h5py", "3.11.0")],
                      binaries=[binary("h5py/b.so", [], "h5py"), binary("h5py/c.so", [], None)])
    loose, owned = by_cause(facts, "mixed-arch-binary")  # by owner, "None" first
    assert owned.title == ("h5py 3.11.0 has 1 binary built for an unknown CPU, but the "
                           "interpreter runs arm64")
    assert owned.evidence["files"][0]["why"] == "built for an unknown CPU, not arm64"
    assert loose.title == ("1 binary that no distribution owns is built for an unknown CPU, "
                           "not arm64")


def test_binary_needing_newer_macos():
    facts = mac_facts(os_version="13.6", distributions=[dist("tensorflow-io-gcs-filesystem",
                                                             "0.37.1")],
                      binaries=[binary("tensorflow_io_gcs_filesystem/core/python/ops/x.so",
                                       ["arm64"], "tensorflow-io-gcs-filesystem",
                                       min_macos={"arm64": "14.0"})])
    (found,) = by_cause(facts, "macos-too-old")
    assert "needs macOS 14.0" in found.title and "13.6" in found.title


def test_requirement_markers_are_evaluated_for_the_target_platform():
    # tensorflow's macOS arm64 wheel requires tensorflow-macos only on Darwin arm64.
    shim = dist("tensorflow", "2.13.0", requires=[
        'tensorflow-macos==2.13.0; platform_system == "Darwin" and platform_machine == "arm64"',
        'tensorflow-intel==2.13.0; platform_system == "Windows"',
    ])
    (found,) = by_cause(mac_facts(distributions=[shim]), "missing-dependency")
    assert found.evidence["required"] == "tensorflow-macos"


def test_numpy_conflict_of_tensorflow_gets_its_own_cause():
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["numpy<2.0.0,>=1.23.5"]), dist("numpy", "2.1.3")])
    (found,) = by_cause(facts, "numpy-abi-mismatch")
    assert found.evidence["installed_version"] == "2.1.3"
    assert found.fix[0].command[-1] == "numpy<2.0.0,>=1.23.5"


def test_keras_3_on_tensorflow_2_15_is_version_skew_and_keras_2_on_2_16_needs_keras_3():
    skew = mac_facts(distributions=[dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
                                    dist("keras", "3.3.3")])
    assert "keras-tf-version-skew" in causes(skew)
    old = mac_facts(distributions=[dist("tensorflow", "2.16.2", requires=["keras>=3.0.0"]),
                                   dist("keras", "2.15.0")])
    assert "keras3-required" in causes(old)


def test_extras_only_requirements_are_not_required():
    facts = mac_facts(distributions=[dist("keras", "3.3.3", requires=['jax; extra == "jax"']),
                                     dist("tensorflow", "2.16.2")])
    assert causes(facts) == []


def test_two_tensorflow_builds_sharing_files():
    files = ["tensorflow/__init__.py", "tensorflow/python/x.so"]
    facts = mac_facts(distributions=[dist("tensorflow", "2.16.2", files=files),
                                     dist("tensorflow-macos", "2.15.0", files=files)])
    (found,) = by_cause(facts, "tf-distributions-overlap")
    assert {o["name"] for o in found.evidence["owners"]} == {"tensorflow", "tensorflow-macos"}
    assert found.fix[0].destructive
    assert found.fix[1].command[-1] == "tensorflow==2.16.2"


def test_same_project_twice():
    facts = mac_facts(distributions=[dist("numpy", "1.26.4"),
                                     dist("numpy", "2.1.3", location="/Users/ada/.local/site")])
    (found,) = by_cause(facts, "duplicate-install")
    assert "installed 2 times" in found.title


def test_backend_set_to_jax_without_jax():
    facts = mac_facts(env={"KERAS_BACKEND": "jax"},
                      distributions=[dist("keras", "3.5.0"), dist("tensorflow", "2.17.0")])
    (found,) = by_cause(facts, "keras-backend-unavailable")
    assert found.evidence["set_by"] == "KERAS_BACKEND"
    assert found.fix[0].command == ("export", "KERAS_BACKEND=tensorflow")


def test_backend_from_keras_json_and_invalid_keras_json():
    good = KerasConfig(path="/h/.keras/keras.json", exists=True, content={"backend": "torch"})
    facts = mac_facts(keras_json=good, distributions=[dist("keras", "3.5.0")])
    (found,) = by_cause(facts, "keras-backend-unavailable")
    assert found.evidence["set_by"] == "/h/.keras/keras.json"
    bad = KerasConfig(path="/h/.keras/keras.json", exists=True, error="invalid JSON: x")
    assert by_cause(mac_facts(keras_json=bad), "keras-config-invalid")


def test_facts_survive_a_json_round_trip_and_give_the_same_findings():
    facts = mac_facts(machine="x86_64", translated=True, exe_archs=("x86_64",),
                      distributions=[dist("h5py", "3.11.0")],
                      binaries=[binary("h5py/b.so", ["x86_64"], "h5py")])
    again = Facts.from_dict(json.loads(json.dumps(facts.to_dict())))
    assert again == facts
    assert causes(again) == causes(facts) == ["rosetta-python"]


def test_a_crashing_check_is_a_finding_and_the_others_still_run():
    @check(name="boom", area="doctor", causes=["check-crashed"], ok="never")
    def boom(ctx):
        raise RuntimeError("kaboom")

    from keras_doctor.checks import registry

    crashing = registry.REGISTRY.pop()
    checks = [crashing] + [c for c in all_checks() if c.name == "rosetta"]  # one after the crash
    report = run_checks(mac_facts(machine="x86_64", translated=True, exe_archs=("x86_64",)),
                        checks=checks)
    assert sorted(f.cause for f in report.findings) == ["check-crashed", "rosetta-python"]
    crashed = next(f for f in report.findings if f.cause == "check-crashed")
    assert crashed.title == "Check boom crashed: RuntimeError: kaboom"
    assert crashed.check == "boom" and crashed.evidence["check"] == "boom"


def test_every_check_reports_only_catalogued_causes():
    from keras_doctor import causes as catalog

    for chk in all_checks():
        assert chk.causes and all(c in catalog.CATALOG for c in chk.causes), chk.name


@pytest.mark.parametrize("bad", [{"schema_version": 99}, {"schema_version": 1, "target": 3}])
def test_unreadable_facts_are_rejected_with_a_reason(bad):
    from keras_doctor.facts.model import FactsFormatError

    with pytest.raises(FactsFormatError):
        Facts.from_dict(bad)


@pytest.mark.parametrize("script", [
    "../../../bin/tensorboard",  # pip, into an environment: outside site-packages
    "bin/tensorboard",  # uv pip install --target
    "Scripts/tensorboard.exe",  # the same on Windows
])
def test_a_shared_console_script_is_not_an_overlap(script):
    # TF 2.15 and tensorboard both install a tensorboard script; it runs the same code either way.
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", files=[script, "tensorflow/x.py"]),
        dist("tensorboard", "2.15.2", files=[script, "tensorboard/y.py"])])
    assert [f for f in run_checks(facts).findings if f.cause.endswith("overlap")] == []


def test_a_wheel_for_another_python_or_platform_is_reported_like_pip_check_does():
    wrong_python = dist("numpy", "2.1.3")
    wrong_python.wheel_tags = ["cp312-cp312-macosx_14_0_arm64"]
    linux = dist("h5py", "3.11.0")
    linux.wheel_tags = ["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"]
    fine = [dist("ml-dtypes", "0.3.2"), dist("six", "1.16.0"), dist("grpcio", "1.64.1")]
    fine[0].wheel_tags = ["cp311-cp311-macosx_10_9_universal2"]
    fine[1].wheel_tags = ["py2-none-any", "py3-none-any"]
    fine[2].wheel_tags = ["cp311-cp311-macosx_10_10_universal2"]
    found = by_cause(mac_facts(distributions=[wrong_python, linux, *fine]), "wheel-tag-mismatch")
    assert sorted(f.evidence["name"] for f in found) == ["h5py", "numpy"]


def test_a_wheel_for_a_newer_macos_than_the_running_one_is_a_mismatch():
    new = dist("grpcio", "1.76.0")
    new.wheel_tags = ["cp311-cp311-macosx_12_0_arm64"]
    assert by_cause(mac_facts(os_version="11.7", distributions=[new]), "wheel-tag-mismatch")
    assert not by_cause(mac_facts(os_version="14.4", distributions=[new]), "wheel-tag-mismatch")


def test_tensorflow_built_for_another_python_is_left_to_the_knowledge_checks():
    tf = dist("tensorflow", "2.16.2")
    tf.wheel_tags = ["cp312-cp312-macosx_12_0_arm64"]
    assert by_cause(mac_facts(distributions=[tf]), "wheel-tag-mismatch") == []


def test_applicable_requirements_for_a_target():
    from keras_doctor.requirements import applicable, target_environment

    linux = target_environment({"sys_platform": "linux", "platform_system": "Linux",
                                "platform_machine": "x86_64", "python_version": "3.11",
                                "python_full_version": "3.11.7"})
    texts = ['numpy<2', 'tensorflow-intel==2.15.0; platform_system == "Windows"',
             'h5py; extra == "hdf"', "not a requirement !!", "Numpy_Financial>=1"]
    assert [str(r) for r in applicable(texts, linux)] == ["numpy<2", "Numpy_Financial>=1"]
    assert [str(r) for r in applicable(texts, linux, only="numpy")] == ["numpy<2"]
    # Facts that know no marker values accept every marker instead of failing on them.
    assert len(list(applicable(texts, {"extra": ""}))) == 4


def test_a_wheel_mismatch_states_the_python_version_as_the_header_does():
    wrong_python = dist("numpy", "2.1.3")
    wrong_python.wheel_tags = ["cp312-cp312-macosx_14_0_arm64"]
    facts = mac_facts(distributions=[wrong_python])
    facts.target.python_version, facts.interpreter.version = "3.11", "3.11.0"
    (found,) = by_cause(facts, "wheel-tag-mismatch")
    assert "this Python 3.11 on" in found.title
    facts.target.python_version = None  # nothing stated: the interpreter's own version
    (found,) = by_cause(facts, "wheel-tag-mismatch")
    assert "this Python 3.11.0 on" in found.title


def test_of_two_builds_at_the_same_version_the_plain_tensorflow_is_kept():
    files = ["tensorflow/__init__.py"]
    for order in ((0, 1), (1, 0)):
        both = [dist("tensorflow-macos", "2.15.0", files=files),
                dist("tensorflow", "2.15.0", files=files)]
        facts = mac_facts(distributions=[both[i] for i in order])
        (found,) = by_cause(facts, "tf-distributions-overlap")
        assert found.fix[1].command[-1] == "tensorflow==2.15.0"
        assert found.fix[1].description == "Install exactly one: tensorflow 2.15.0"


def test_a_build_whose_version_cannot_be_read_is_never_the_one_kept():
    files = ["tensorflow/__init__.py"]
    facts = mac_facts(distributions=[dist("tensorflow", "unknown", files=files),
                                     dist("tensorflow-macos", "2.12.0", files=files)])
    (found,) = by_cause(facts, "tf-distributions-overlap")
    assert found.fix[1].command[-1] == "tensorflow-macos==2.12.0"


# -- a stated environment (target mode "facts") proves nothing by what it leaves out -------------

def _stated(facts):
    facts.target.mode = "facts"
    return facts


def test_a_requirement_absent_from_a_read_environment_is_a_missing_dependency():
    facts = mac_facts(distributions=[dist("h5py", "3.11.0", requires=["numpy>=1.17.3"])])
    (found,) = by_cause(facts, "missing-dependency")
    assert found.evidence["required"] == "numpy"
    assert "requirements" not in [p.check for p in run_checks(facts).skipped]


def test_a_requirement_absent_from_a_stated_environment_is_not_known_missing():
    facts = _stated(mac_facts(distributions=[dist("h5py", "3.11.0",
                                                  requires=["numpy>=1.17.3"])]))
    report = run_checks(facts)
    assert [f for f in report.findings if f.cause == "missing-dependency"] == []
    # neither found nor cleared: a passed check would tell explain the cause is ruled out
    assert "requirements" not in [p.check for p in report.passed]
    (skipped,) = [s for s in report.skipped if s.check == "requirements"]
    assert "1 requirement(s)" in skipped.reason


def test_a_stated_environment_still_shows_a_conflict_between_what_it_states():
    facts = _stated(mac_facts(distributions=[
        dist("h5py", "3.11.0", requires=["numpy>=1.17.3", "cached-property"]),
        dist("numpy", "1.16.0")]))
    (found,) = by_cause(facts, "requirement-conflict")
    assert found.evidence["installed_version"] == "1.16.0"


def test_a_stated_environment_that_states_every_requirement_passes():
    facts = _stated(mac_facts(distributions=[
        dist("h5py", "3.11.0", requires=["numpy>=1.17.3"]), dist("numpy", "1.26.4")]))
    assert "requirements" in [p.check for p in run_checks(facts).passed]
