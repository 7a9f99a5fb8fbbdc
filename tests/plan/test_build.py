"""Findings in, ordered steps out: which steps, in which order, resolving which causes."""

from __future__ import annotations

import pytest

from keras_doctor.checks.registry import finding
from keras_doctor.facts.model import (
    Distribution,
    Facts,
    InterpreterFacts,
    PlatformFacts,
    Target,
)
from keras_doctor.findings import Report
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.interpreters import Interpreter
from keras_doctor.plan.model import PlanStatus, StepKind
from keras_doctor.plan.resolve import Resolution

PY = "/env/bin/python"


def facts_with(installed: dict, platform: str = "linux-x86_64", pip: bool = False) -> Facts:
    dists = [Distribution(name=n, canonical_name=n, version=v, location="/env/site",
                          metadata_dir=f"/env/site/{n}-{v}.dist-info")
             for n, v in installed.items()]
    return Facts(
        target=Target(mode="python", platform=platform, python_version="3.11.7", path=PY),
        platform=PlatformFacts(system="Linux", machine="x86_64"),
        interpreter=InterpreterFacts(version="3.11.7", executable=PY, prefix="/env",
                                     installers={"pip": "24.0"} if pip else {}),
        distributions=dists,
    )


class FakeResolver:
    def __init__(self, pins=None, error=None):
        self.pins, self.error, self.calls = pins or {}, error, []

    def __call__(self, requirements, platform, python_version, **options):
        self.calls.append((list(requirements), platform, python_version, options))
        if self.error:
            return Resolution(False, "uv", error=self.error)
        return Resolution(True, "uv", dict(self.pins))


def report_of(*findings) -> Report:
    return Report(command="check", findings=list(findings))


def numpy_finding():
    return finding("numpy-abi-mismatch", "tensorflow 2.15.1 requires numpy<2",
                   evidence={"requirer": "tensorflow", "requirer_version": "2.15.1",
                             "required": "numpy", "installed_version": "2.1.3"})


def test_numpy_forced_onto_tf_215_resolves_and_installs_only_what_differs():
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3", "six": "1.16.0"})
    resolver = FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4", "six": "1.16.0"})
    plan = build_plan(facts, report_of(numpy_finding()), resolver=resolver, uv="/bin/uv")
    assert plan.status is PlanStatus.OK
    (step,) = plan.steps
    assert step.kind is StepKind.INSTALL
    assert step.argv == ["/bin/uv", "pip", "install", "--python", PY, "--no-deps", "numpy==1.26.4"]
    assert step.resolves == ["numpy-abi-mismatch"]
    assert plan.to_dict()["target"]["installer"] == "uv"  # what --json says runs the steps
    requirements, platform, python, options = resolver.calls[0]
    assert requirements == ["tensorflow==2.15.1", "numpy<2"]
    assert (platform, python) == ("linux-x86_64", "3.11")
    assert options["preferences"]["numpy"] == "2.1.3"


def test_environment_with_pip_and_no_uv_at_hand_is_changed_with_its_own_pip():
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"}, pip=True)
    plan = build_plan(facts, report_of(numpy_finding()),
                      resolver=FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"}),
                      uv="")
    assert plan.steps[0].argv[:4] == [PY, "-m", "pip", "install"]
    assert plan.to_dict()["target"]["installer"] == "pip"


def test_uv_at_hand_changes_an_environment_even_when_it_has_pip():
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"}, pip=True)
    plan = build_plan(facts, report_of(numpy_finding()),
                      resolver=FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"}),
                      uv="/bin/uv")
    assert plan.steps[0].argv[:5] == ["/bin/uv", "pip", "install", "--python", PY]


def test_an_environment_without_pip_or_uv_is_changed_by_this_pip_through_its_python_option():
    import sys

    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"}, pip=False)
    plan = build_plan(facts, report_of(numpy_finding()),
                      resolver=FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"}),
                      uv="")
    assert plan.steps[0].argv[:6] == [sys.executable, "-m", "pip", "--python", PY, "install"]


def test_an_unresolvable_set_is_reported_with_the_reason_and_no_steps():
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"})
    plan = build_plan(facts, report_of(numpy_finding()),
                      resolver=FakeResolver(error="because tensorflow==2.15.1 depends on numpy<2"),
                      uv="/bin/uv")
    assert plan.status is PlanStatus.UNRESOLVABLE
    assert "numpy<2" in plan.reason
    assert plan.steps == []


def two_tensorflow_builds_plan():
    """tensorflow and tensorflow-cpu 2.21.0 over each other, planned with uv."""
    facts = facts_with({"tensorflow": "2.21.0", "tensorflow-cpu": "2.21.0", "numpy": "2.1.3"})
    overlap = finding("tf-distributions-overlap", "tensorflow and tensorflow-cpu overlap",
                      evidence={"owners": [{"name": "tensorflow", "version": "2.21.0"},
                                           {"name": "tensorflow_cpu", "version": "2.21.0"}]})
    return build_plan(facts, report_of(overlap), uv="/bin/uv",
                      resolver=FakeResolver({"tensorflow": "2.21.0", "numpy": "2.1.3"}))


def test_two_tensorflow_builds_are_both_removed_and_one_installed_cleanly():
    plan = two_tensorflow_builds_plan()
    uninstall, install = plan.steps
    assert uninstall.kind is StepKind.UNINSTALL and uninstall.destructive
    assert uninstall.names == ["tensorflow-cpu", "tensorflow"]
    assert install.pins == ["tensorflow==2.21.0"]
    assert plan.touched_names == ["tensorflow-cpu", "tensorflow"]


def test_file_findings_become_rename_and_advice(tmp_path):
    facts = facts_with({"tensorflow": "2.21.0", "keras": "3.12.0"})
    shadow = finding("shadowed-module", "keras.py hides keras",
                     evidence={"name": "keras", "path": str(tmp_path / "keras.py")})
    backend = finding("keras-backend-unavailable", "KERAS_BACKEND=jax but jax is missing",
                      evidence={"backend": "jax", "set_by": "KERAS_BACKEND"})
    avx = finding("cpu-lacks-avx", "no AVX")
    plan = build_plan(facts, report_of(shadow, backend, avx), resolver=FakeResolver(),
                      uv="/bin/uv")
    rename, env = plan.steps
    assert rename.kind is StepKind.RENAME and rename.destructive
    assert rename.dest == str(tmp_path / "keras.py.shadowing-keras")
    assert env.kind is StepKind.SET_ENV
    assert env.shell_line == "export KERAS_BACKEND=tensorflow"
    assert [s.cause for s in plan.skipped] == ["cpu-lacks-avx"]
    assert plan.requirements == []  # nothing about packages: no resolution at all
    proxy = finding("network-unreachable", "HTTPS_PROXY cannot be used")
    two = build_plan(facts, report_of(avx, proxy), resolver=FakeResolver(), uv="/bin/uv")
    assert [s.cause for s in two.skipped] == ["cpu-lacks-avx", "network-unreachable"]


def test_wrong_interpreter_without_a_suitable_one_says_what_to_install():
    facts = facts_with({"tensorflow": "2.16.2"}, platform="macos-arm64")
    rosetta = finding("rosetta-python", "x86_64 Python under Rosetta")
    plan = build_plan(facts, report_of(rosetta), resolver=FakeResolver({"tensorflow": "2.16.2"}),
                      uv="/bin/uv", interpreter_finder=lambda platform, has_wheels: None)
    assert plan.status is PlanStatus.REFUSED
    assert "native to macos-arm64" in plan.reason
    assert "uv python install" in plan.skipped[0].advice[0]
    assert plan.skipped[0].cause == "rosetta-python"  # the finding it answers, not another


def test_wrong_interpreter_with_new_venv_builds_a_fresh_native_environment(tmp_path):
    facts = facts_with({"tensorflow": "2.16.2"}, platform="macos-x86_64")  # runs translated
    facts.platform = PlatformFacts(system="Darwin", machine="x86_64", apple_silicon=True,
                                   rosetta_translated=True)
    rosetta = finding("rosetta-python", "x86_64 Python under Rosetta")
    native = Interpreter("/opt/homebrew/bin/python3.12", "3.12.4", "arm64")
    seen = []

    def finder(platform, has_wheels):
        seen.append((platform, has_wheels("3.12")))
        return native

    resolver = FakeResolver({"tensorflow": "2.16.2", "numpy": "1.26.4"})
    dest = tmp_path / "fresh"
    plan = build_plan(facts, report_of(rosetta), resolver=resolver, uv="/bin/uv",
                      interpreter_finder=finder, new_venv=str(dest))
    assert plan.status is PlanStatus.OK, plan.reason
    assert seen == [("macos-arm64", True)]
    create, install = plan.steps
    assert create.argv == ["/bin/uv", "venv", "--python", native.executable, str(dest)]
    assert install.argv[:5] == ["/bin/uv", "pip", "install", "--python", str(dest / "bin/python")]
    assert install.pins == ["numpy==1.26.4", "tensorflow==2.16.2"]
    assert (plan.target.platform, plan.target.python_version) == ("macos-arm64", "3.12")
    assert [call[1:3] for call in resolver.calls] == [("macos-arm64", "3.12")] * 2


@pytest.mark.slow
def test_a_mismatched_metal_plugin_is_pinned_from_the_knowledge_base():
    import envs

    from keras_doctor.checks.registry import run_checks
    from keras_doctor.facts.collect import collect_path
    from keras_doctor.knowledge import load
    from keras_doctor.knowledge.metal_pairs import loading_metals

    # Field reports and the binaries agree: metal 1.1.0 cannot load with TensorFlow 2.18. (The same
    # TensorFlow wheel as the other 2.18 trees, so the test cache holds it once.)
    site = envs.target_tree("plan-mac-tf218-metal110",
                            ["tensorflow==2.18.1", "tensorflow-metal==1.1.0"],
                            "macosx_12_0_arm64", "3.11", hollow="symbols")
    facts = collect_path(str(site), "macos-arm64", "3.11")
    report = run_checks(facts, load)
    assert "metal-plugin-mismatch" in {f.cause for f in report.findings}
    kb = load()
    loads = loading_metals(kb, "2.18.1", "cp311")[0]

    plan = build_plan(facts, report, knowledge=kb)

    assert f"tensorflow-metal=={loads}" in plan.requirements
    assert plan.resolver == "uv" and plan.resolved["tensorflow-metal"] == loads
    (install,) = [s for s in plan.steps if s.kind is StepKind.INSTALL]
    assert f"tensorflow-metal=={loads}" in install.pins
    assert "metal-plugin-mismatch" in install.resolves
    assert "tensorflow-intel" not in plan.resolved  # markers evaluated for macOS, not this host
    assert plan.status is PlanStatus.REFUSED  # a folder is planned for, never changed


def test_a_distribution_name_that_could_pass_for_an_option_never_reaches_a_command():
    facts = facts_with({"tensorflow": "2.21.0", "tensorflow-cpu": "2.21.0",
                        "--target=/tmp/x": "1.0"})
    overlap = finding("tf-distributions-overlap", "overlap",
                      evidence={"owners": [{"name": "tensorflow"}, {"name": "tensorflow-cpu"},
                                           {"name": "--target=/tmp/x"}]})
    plan = build_plan(facts, report_of(overlap), uv="/bin/uv",
                      resolver=FakeResolver({"tensorflow": "2.21.0"}))
    argvs = [a for s in plan.steps for a in s.argv or []]
    assert not [a for a in argvs if "target" in a]


def test_a_numpy_outside_a_requirers_range_moves_alone_and_no_tensorflow_is_proposed():
    """No TensorFlow installed, contourpy 1.2.0 wants numpy<2 and numpy 2.1.3 is there: the plan
    moves numpy into contourpy's range and touches nothing else. The knowledge base is loaded, so
    a planner that anchored on the newest TensorFlow would put it into the resolver's input."""
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.knowledge import load

    facts = facts_with({"contourpy": "1.2.0", "numpy": "2.1.3"})
    facts.distributions[0].requires_dist = ["numpy<2.0,>=1.20"]
    report = run_checks(facts, load)
    assert [f.cause for f in report.findings if f.severity.value != "info"] == [
        "requirement-conflict"]
    resolver = FakeResolver({"contourpy": "1.2.0", "numpy": "1.26.4"})
    plan = build_plan(facts, report, knowledge=load(), resolver=resolver, uv="/bin/uv")

    assert plan.status is PlanStatus.OK
    (step,) = plan.steps
    assert step.pins == ["numpy==1.26.4"] and step.names == ["numpy"]
    assert step.resolves == ["requirement-conflict"]
    (call,) = resolver.calls
    requirements, _, _, options = call
    assert requirements == ["contourpy==1.2.0"]
    asked = " ".join(requirements + list(options["preferences"])).lower()
    assert "tensorflow" not in asked and "keras" not in asked


def test_a_requirer_that_cannot_stay_is_moved_in_a_second_resolution():
    """The requirer is held at its version first; only when that set has no solution does it
    join unpinned, its installed version a preference."""
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.knowledge import load

    facts = facts_with({"contourpy": "1.2.0", "numpy": "2.1.3"})
    facts.distributions[0].requires_dist = ["numpy<2.0,>=1.20"]
    report = run_checks(facts, load)

    class HeldFails(FakeResolver):
        def __call__(self, requirements, platform, python_version, **options):
            self.calls.append((list(requirements), platform, python_version, options))
            if "contourpy==1.2.0" in requirements:
                return Resolution(False, "uv", error="no solution")
            return Resolution(True, "uv", {"contourpy": "1.3.3", "numpy": "2.1.3"})

    resolver = HeldFails()
    plan = build_plan(facts, report, knowledge=load(), resolver=resolver, uv="/bin/uv")
    assert [c[0] for c in resolver.calls] == [["contourpy==1.2.0"], ["contourpy"]]
    assert plan.status is PlanStatus.OK and plan.reason is None
    (step,) = plan.steps
    assert step.pins == ["contourpy==1.3.3"]
    # moving the requirer is what resolves its conflict: the finding is not left as skipped
    assert step.resolves == ["requirement-conflict"] and plan.skipped == []


def test_without_tensorflow_a_finding_naming_nothing_to_repair_is_skipped_not_resolved():
    """Nothing installed to anchor on and nothing named to repair: the plan proposes no
    TensorFlow of its own and says which command would."""
    from keras_doctor.knowledge import load

    facts = facts_with({"protobuf": "5.28.0"})
    stray = finding("keras3-required", "Keras 3 is needed", evidence={})
    resolver = FakeResolver({"tensorflow": "2.21.0"})
    plan = build_plan(facts, report_of(stray), knowledge=load(), resolver=resolver, uv="/bin/uv")
    assert resolver.calls == [] and plan.steps == []
    assert plan.status is PlanStatus.OK
    (skipped,) = plan.skipped
    assert skipped.cause == "keras3-required" and "--upgrade" in skipped.reason


def test_the_shadowing_rename_check_prints_is_the_one_fix_carries_out(tmp_path):
    """Without a plan (no resolver at hand) check shows its own fix: it must name the same file."""
    from keras_doctor import knowledge
    from keras_doctor.checks.registry import run_checks
    from keras_doctor.facts.model import ConfigFacts, Shadow

    facts = facts_with({"tensorflow": "2.21.0", "keras": "3.12.0"})
    facts.config = ConfigFacts()
    local = str(tmp_path / "keras.py")
    facts.shadows = [Shadow("keras", local, "", 0)]
    (shadowed,) = [f for f in run_checks(facts, knowledge.load).findings
                   if f.cause == "shadowed-module"]
    (rename,) = build_plan(facts, report_of(shadowed), resolver=FakeResolver(), uv="/bin/uv").steps
    assert shadowed.fix[0].command == ("mv", local, rename.dest)
    assert shadowed.fix[0].description.startswith(rename.summary)


def test_keras_3_with_no_backend_at_all_gets_the_one_it_is_set_to_and_keeps_keras():
    """The check's fix, "install the tensorflow backend", is the plan's: the resolver is asked for
    tensorflow with the installed Keras pinned, and the install answers the finding."""
    facts = facts_with({"keras": "3.6.0", "numpy": "2.4.6"})
    backend = finding("keras-backend-unavailable", "set to tensorflow, not installed",
                      evidence={"backend": "tensorflow", "set_by": "the default",
                                "installed_backends": []})
    resolver = FakeResolver({"keras": "3.6.0", "numpy": "2.1.3", "tensorflow": "2.19.1"})
    plan = build_plan(facts, report_of(backend), resolver=resolver, uv="/bin/uv")
    asked = resolver.calls[0][0]
    assert "tensorflow" in asked and "keras==3.6.0" in asked
    (install,) = plan.steps
    assert install.kind is StepKind.INSTALL
    assert set(install.pins) == {"tensorflow==2.19.1", "numpy==2.1.3"}
    assert install.resolves == ["keras-backend-unavailable"]
    assert plan.skipped == [] and plan.resolves == ["keras-backend-unavailable"]


def test_keras_3_with_another_backend_installed_is_pointed_at_it_not_given_tensorflow():
    facts = facts_with({"keras": "3.6.0", "jax": "0.4.30"})
    backend = finding("keras-backend-unavailable", "set to tensorflow, not installed",
                      evidence={"backend": "tensorflow", "set_by": "the default",
                                "installed_backends": ["jax"]})
    resolver = FakeResolver()
    plan = build_plan(facts, report_of(backend), resolver=resolver, uv="/bin/uv")
    assert resolver.calls == []
    (env,) = plan.steps
    assert env.shell_line == "export KERAS_BACKEND=jax"


def test_a_backend_name_keras_does_not_know_installs_nothing():
    facts = facts_with({"keras": "3.6.0"})
    backend = finding("keras-backend-unavailable", "backend 'tensorfow' is not one Keras knows",
                      evidence={"backend": "tensorfow", "set_by": "KERAS_BACKEND"})
    resolver = FakeResolver()
    build_plan(facts, report_of(backend), resolver=resolver, uv="/bin/uv")
    assert resolver.calls == []


def test_a_stale_cached_wheel_is_purged_by_the_environments_own_pip():
    facts = facts_with({"tensorflow": "2.21.0", "h5py": "3.11.0"}, pip=True)
    stale = finding("stale-wheel-cache", "pip's cache holds a broken h5py wheel",
                    evidence={"name": "h5py", "tool": "pip"})
    plan = build_plan(facts, report_of(stale), resolver=FakeResolver(), uv="")
    (purge,) = plan.steps
    assert purge.kind is StepKind.PURGE_CACHE
    assert purge.argv == [PY, "-m", "pip", "cache", "remove", "h5py"]


def test_a_wheel_uv_cached_is_purged_by_the_uv_at_hand():
    facts = facts_with({"tensorflow": "2.21.0", "h5py": "3.11.0"}, pip=True)
    stale = finding("stale-wheel-cache", "uv's cache holds a broken h5py wheel",
                    evidence={"name": "h5py", "tool": "uv"})
    plan = build_plan(facts, report_of(stale), resolver=FakeResolver(), uv="/bin/uv")
    (purge,) = plan.steps
    assert purge.argv == ["/bin/uv", "cache", "clean", "h5py"]
    assert purge.summary == "Remove h5py from the uv cache"


def test_one_tensorflow_build_sharing_files_with_another_project_is_not_reinstalled():
    """Only two TensorFlow builds over each other overwrite TensorFlow's files; a file shared with
    some other project is no reason to reinstall TensorFlow."""
    facts = facts_with({"tensorflow": "2.21.0", "tf-addon-x": "1.0", "numpy": "2.1.3"})
    overlap = finding("tf-distributions-overlap", "tensorflow and tf-addon-x overlap",
                      evidence={"owners": [{"name": "tensorflow", "version": "2.21.0"},
                                           {"name": "tf-addon-x", "version": "1.0"}]})
    plan = build_plan(facts, report_of(overlap), uv="/bin/uv",
                      resolver=FakeResolver({"tensorflow": "2.21.0", "tf-addon-x": "1.0",
                                             "numpy": "2.1.3"}))
    assert plan.steps == []
    assert "tensorflow" not in plan.touched_names


@pytest.mark.parametrize(("platform", "system", "os_version", "asked"), [
    ("macos-arm64", "Darwin", "14.4.1", "14.4.1"), ("linux-x86_64", "Linux", "22.04", None)])
def test_the_resolver_is_told_the_macos_release_of_a_mac_only(platform, system, os_version,
                                                              asked):
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"}, platform=platform)
    facts.platform = PlatformFacts(system=system, machine="x86_64", os_version=os_version)
    resolver = FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"})
    build_plan(facts, report_of(numpy_finding()), resolver=resolver, uv="/bin/uv")
    assert [options["macos_version"] for *_, options in resolver.calls] == [asked]


def test_a_python_that_forbids_installs_matters_only_when_packages_must_change(tmp_path):
    managed = finding("externally-managed-python", "this Python forbids pip installs")
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"})
    alone = build_plan(facts, report_of(managed), resolver=FakeResolver(), uv="/bin/uv",
                       interpreter_finder=lambda platform, accepts: None)
    assert alone.status is PlanStatus.OK and alone.steps == []
    with_numpy = build_plan(facts, report_of(managed, numpy_finding()), uv="/bin/uv",
                            resolver=FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"}),
                            interpreter_finder=lambda platform, accepts: None)
    assert with_numpy.status is PlanStatus.REFUSED and with_numpy.steps == []


def test_a_finding_that_only_mentions_a_path_never_deletes_it():
    facts = facts_with({"tensorflow": "2.21.0"})
    avx = finding("cpu-lacks-avx", "no AVX", evidence={"path": "/env/site/tensorflow/x.so"})
    plan = build_plan(facts, report_of(avx), resolver=FakeResolver(), uv="/bin/uv")
    assert plan.steps == [] and [s.cause for s in plan.skipped] == ["cpu-lacks-avx"]


def test_a_new_environment_plan_is_headed_with_where_it_will_be(tmp_path):
    from keras_doctor.plan.show import plan_lines

    facts = facts_with({"tensorflow": "2.16.2"})
    native = Interpreter("/usr/bin/python3.12", "3.12.4", "x86_64")
    dest = tmp_path / "fresh"
    plan = build_plan(facts, report_of(finding("no-wheel-for-python", "no wheel")),
                      resolver=FakeResolver({"tensorflow": "2.16.2", "numpy": "1.26.4"}),
                      uv="/bin/uv", interpreter_finder=lambda platform, accepts: native,
                      new_venv=str(dest))
    assert plan_lines(plan)[0] == (f"Fix plan for {PY}: a new environment at {dest} "
                                   "(linux-x86_64, Python 3.12)")


def test_the_plan_says_when_its_python_forbids_installs():
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"})
    facts.interpreter.externally_managed = "/usr/lib/python3.11/EXTERNALLY-MANAGED"
    plan = build_plan(facts, report_of(), resolver=FakeResolver(), uv="/bin/uv")
    assert plan.target.externally_managed == "/usr/lib/python3.11/EXTERNALLY-MANAGED"
