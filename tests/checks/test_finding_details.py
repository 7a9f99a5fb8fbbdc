"""What a user reads and runs from a finding: its words, its evidence, the fix it proposes.

Each test builds the facts of one situation and reads the finding the way the terminal shows it:
the title, the keys of the evidence, each fix step's kind, command and target. A check that finds
the right cause but names the wrong file to edit or the wrong release to install still misleads.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace

import pytest
from factories import dist, mac_facts

from keras_doctor import checks as checks_package
from keras_doctor.checks import registry
from keras_doctor.checks.registry import SkipCheck, run_checks
from keras_doctor.facts.model import Facts, InterpreterFacts, KerasConfig, PlatformFacts, Target
from keras_doctor.findings import StepKind
from keras_doctor.knowledge import load
from keras_doctor.knowledge.metal_pairs import metal_verdict

KB = load()


def found(facts, cause):
    return [f for f in run_checks(facts, lambda: KB).findings if f.cause == cause]


def on_python(facts: Facts, version: str) -> Facts:
    return replace(facts, target=replace(facts.target, python_version=version),
                   interpreter=replace(facts.interpreter, version=version))


def linux_facts() -> Facts:
    return Facts(
        target=Target(mode="running", platform="linux-x86_64", python_version="3.11.7",
                      path="/env/bin/python"),
        platform=PlatformFacts(system="Linux", machine="x86_64", libc="glibc 2.35"),
        interpreter=InterpreterFacts(version="3.11.7", executable="/env/bin/python",
                                     running_arch="x86_64"),
    )


def test_a_backend_set_in_keras_json_is_fixed_by_editing_that_file():
    config = KerasConfig(path="/Users/ada/.keras/keras.json", exists=True,
                         content={"backend": "jax"})
    facts = mac_facts(keras_json=config,
                      distributions=[dist("keras", "3.5.0"), dist("tensorflow", "2.17.0")])
    (finding,) = found(facts, "keras-backend-unavailable")
    edit = finding.fix[0]
    assert edit.kind is StepKind.EDIT
    assert edit.target == finding.evidence["set_by"]
    assert edit.description == f'Set "backend": "tensorflow" in {finding.evidence["set_by"]}'
    assert "keras.json" in edit.target


def test_with_no_backend_installed_installing_one_is_the_fix_not_an_alternative():
    config = KerasConfig(path="/Users/ada/.keras/keras.json", exists=True,
                         content={"backend": "jax"})
    alone = mac_facts(keras_json=config, distributions=[dist("keras", "3.5.0")])
    (finding,) = found(alone, "keras-backend-unavailable")
    assert [step.description for step in finding.fix] == [
        "Install the jax backend in this environment"]
    beside = mac_facts(keras_json=config,
                       distributions=[dist("keras", "3.5.0"), dist("tensorflow", "2.17.0")])
    (finding,) = found(beside, "keras-backend-unavailable")
    assert finding.fix[1].description == "Or install the jax backend in this environment"


def test_a_metal_plugin_apple_does_not_list_is_a_warning_that_says_so():
    facts = on_python(mac_facts(distributions=[dist("tensorflow", "2.11.1"),
                                               dist("tensorflow-metal", "0.7.1")]), "3.10.13")
    (finding,) = found(facts, "metal-plugin-mismatch")
    assert finding.title == ("tensorflow-metal 0.7.1 is not in Apple's table for TensorFlow 2.11 "
                             "(it names 0.7.0); no source says whether it loads")
    assert finding.severity.value == "warning"
    assert finding.evidence["decided_by"] == "apple_table" and "sources" in finding.evidence


def test_a_metal_plugin_older_than_apples_pairing_is_named_with_the_pairing():
    # An Intel Mac of 2021: TensorFlow 2.5.1 with the first tensorflow-metal, which Apple's table
    # replaced with 0.1.2 for it.
    facts = mac_facts(machine="x86_64", exe_archs=("x86_64",), os_version="12.3",
                      distributions=[dist("tensorflow", "2.5.1"),
                                     dist("tensorflow-metal", "0.1.0")])
    (finding,) = found(facts, "metal-plugin-mismatch")
    assert finding.title == ("tensorflow-metal 0.1.0 is older than the release Apple pairs with "
                             "TensorFlow 2.5 (0.1.2)")
    assert finding.evidence["decided_by"] == "apple_table"
    assert finding.fix[-1].description == "Or uninstall tensorflow-metal and run on the CPU"
    assert finding.fix[-1].command[-3:] == ("uninstall", "-y", "tensorflow-metal")


def test_the_metal_offered_has_a_wheel_for_this_python():
    # Apple's table pairs TensorFlow 2.16 with metal 1.1.0, which has no Python 3.12 wheel.
    facts = on_python(mac_facts(distributions=[dist("tensorflow", "2.16.2"),
                                               dist("tensorflow-metal", "0.5.0")]), "3.12.4")
    (finding,) = found(facts, "metal-plugin-mismatch")
    assert finding.fix[0].command[-1] == "tensorflow-metal==1.2.0"
    assert "cp312" in KB.file("metal.json")["releases"]["1.2.0"]["pythons"]


def test_a_keras_2_older_than_tensorflow_supports_says_older():
    facts = mac_facts(distributions=[dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
                                     dist("keras", "2.13.1")])
    (finding,) = found(facts, "keras-tf-version-skew")
    assert finding.title.startswith("keras 2.13.1 is older than tensorflow 2.15.1 supports")
    assert finding.evidence["direction"] == "older"


def test_keras_pointed_at_a_missing_backend_by_the_variable_gets_the_line_to_change():
    facts = mac_facts(env={"KERAS_BACKEND": "jax"},
                      distributions=[dist("keras", "3.5.0"), dist("tensorflow", "2.17.0")])
    (finding,) = found(facts, "keras-backend-unavailable")
    assert finding.fix[0].description == "Use the installed tensorflow backend"
    assert finding.fix[0].command == ("export", "KERAS_BACKEND=tensorflow")


def newest_tensorflow_loading(metal: str, python: str) -> list:
    """Every TensorFlow with a macOS arm64 wheel for `python` that `metal` is known to load with."""
    return [str(r.version) for r in KB.releases("tensorflow")
            if not r.yanked and r.wheel_for("macos-arm64", python)
            and metal_verdict(KB, str(r.version), metal).loads]


def test_a_metal_plugin_too_old_for_tensorflow_offers_the_tensorflow_it_loads_with():
    facts = on_python(mac_facts(distributions=[dist("tensorflow", "2.20.0"),
                                               dist("tensorflow-metal", "0.7.0")]), "3.10.13")
    (finding,) = found(facts, "metal-plugin-mismatch")
    assert finding.title == "tensorflow-metal 0.7.0 cannot load with tensorflow 2.20.0"
    install, remove = finding.fix
    loading = newest_tensorflow_loading("0.7.0", "3.10")
    assert loading, "the knowledge base knows a TensorFlow that tensorflow-metal 0.7.0 loads with"
    assert install.command[-1] == f"tensorflow=={loading[-1]}"
    assert install.description == ("Install the newest TensorFlow that tensorflow-metal 0.7.0 "
                                   "loads with")
    assert remove.command[-3:] == ("uninstall", "-y", "tensorflow-metal")


def test_mac_only_checks_say_why_they_skip_on_linux():
    report = run_checks(linux_facts(), lambda: KB)
    skipped = {s.check: s.reason for s in report.skipped}
    assert skipped["rosetta"] == "not a Mac"
    assert skipped["macos-version"] == "not a Mac"


def test_a_release_without_a_wheel_names_the_python_it_was_looked_up_for():
    facts = on_python(mac_facts(distributions=[dist("tensorflow", "2.15.1")]), "3.12.1")
    (finding,) = found(facts, "no-wheel-for-python")
    assert finding.evidence["python"] == "3.12"
    assert finding.evidence["platform"] == "macos-arm64"
    assert "3.11" in finding.evidence["pythons_with_wheels_here"]


@pytest.mark.parametrize("script", ["../bin/tensorboard", "../../bin/tensorboard",
                                    "bin/tensorboard"])
def test_a_console_script_two_packages_install_is_not_an_overlap(script):
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", files=[script, "tensorflow/x.py"]),
        dist("tensorboard", "2.15.2", files=[script, "tensorboard/y.py"])])
    assert found(facts, "tf-distributions-overlap") == []


def test_a_crashed_check_shows_where_it_crashed():
    def deepest(depth):
        if depth:
            return deepest(depth - 1)
        raise KeyError("python_tags")

    def crashes_deep(ctx):
        deepest(10)  # a crash far below the check, as in a knowledge query
        yield from ()

    crashing = registry.Check("crashes-deep", "doctor", ("check-crashed",), "never", crashes_deep)
    (crash,) = run_checks(linux_facts(), lambda: KB, checks=[crashing]).findings
    assert crash.title == "Check crashes-deep crashed: KeyError: 'python_tags'"
    assert crash.evidence["traceback"][-1] == "KeyError: 'python_tags'"
    assert 'raise KeyError("python_tags")' in "\n".join(crash.evidence["traceback"])
    assert not any(set(line.strip()) <= {"^", "~"} for line in crash.evidence["traceback"])


def test_what_the_facts_could_not_read_is_a_finding_in_its_own_words():
    facts = linux_facts()
    facts.errors = ["could not run /env/bin/python: permission denied"]
    report = run_checks(facts, lambda: KB, checks=[])
    (incomplete,) = report.findings
    assert incomplete.cause == "facts-incomplete" and incomplete.check == "facts"
    assert incomplete.title == "could not run /env/bin/python: permission denied"
    assert incomplete.evidence == {"error": "could not run /env/bin/python: permission denied"}


def test_every_area_module_registers_its_checks(monkeypatch):
    monkeypatch.setattr(registry, "REGISTRY", [])
    for name in checks_package.AREA_MODULES:
        monkeypatch.delitem(sys.modules, f"keras_doctor.checks.{name}", raising=False)
    checks_package.load_all()
    areas = {c.function.__module__.rsplit(".", 1)[-1] for c in registry.REGISTRY}
    assert areas == set(checks_package.AREA_MODULES)
    importlib.invalidate_caches()


def test_a_check_that_skips_is_listed_with_its_reason_not_as_passed():
    def skips(ctx):
        raise SkipCheck("nothing to look at")
        yield  # pragma: no cover

    skipping = registry.Check("skips-here", "doctor", ("check-crashed",), "never", skips)
    report = run_checks(linux_facts(), lambda: KB, checks=[skipping])
    assert [(s.check, s.reason) for s in report.skipped] == [("skips-here", "nothing to look at")]
    assert report.passed == [] and report.findings == []


def test_a_chosen_check_that_found_nothing_is_not_passed_beside_another_reporting_its_cause():
    def reports(ctx):
        yield registry.finding("numpy-abi-mismatch", "numpy 2 under a NumPy 1 build")

    def finds_nothing(ctx):
        return iter(())

    reporter = registry.Check("reports-it", "packages", ("numpy-abi-mismatch",), "fine", reports)
    watcher = registry.Check("watches-it", "packages", ("numpy-abi-mismatch",), "fine",
                             finds_nothing)
    other = registry.Check("watches-else", "packages", ("protobuf-mismatch",), "fine",
                           finds_nothing)
    report = run_checks(linux_facts(), lambda: KB, checks=[reporter, watcher, other])
    assert [f.check for f in report.findings] == ["reports-it"]
    assert [p.check for p in report.passed] == ["watches-else"]


def test_a_registered_check_reports_under_its_own_name_and_area(monkeypatch):
    monkeypatch.setattr(registry, "REGISTRY", [])

    @registry.check(name="sees-nothing", area="platform", causes=["cpu-lacks-avx"],
                    ok="nothing to see")
    def sees_nothing(ctx):
        return iter(())

    @registry.check(name="skips", area="packages", causes=["numpy-abi-mismatch"], ok="never")
    def skips(ctx):
        raise SkipCheck("no numpy here")

    report = run_checks(mac_facts(), checks=registry.REGISTRY)
    assert [(p.check, p.area, p.message) for p in report.passed] == [
        ("sees-nothing", "platform", "nothing to see")]
    assert [(s.check, s.area) for s in report.skipped] == [("skips", "packages")]
    assert registry.REGISTRY[0].causes == ("cpu-lacks-avx",)
    with pytest.raises(ValueError, match="unknown cause 'no-such-cause'"):
        registry.check(name="bad", area="platform", causes=["no-such-cause"], ok="")
