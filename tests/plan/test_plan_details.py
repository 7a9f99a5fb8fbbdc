"""The details of a plan a user runs or reads: exact commands, what is held, why one is skipped."""

from __future__ import annotations

from test_build import (
    PY,
    FakeResolver,
    facts_with,
    numpy_finding,
    report_of,
    two_tensorflow_builds_plan,
)

from keras_doctor.checks.registry import finding
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.installers import install_argv
from keras_doctor.plan.model import PlanStatus, StepKind


def test_a_reinstall_bypasses_the_cache_with_each_installers_own_flags():
    assert install_argv("uv", PY, ["h5py==3.11.0"], "/bin/uv", reinstall=True) == [
        "/bin/uv", "pip", "install", "--python", PY, "--no-deps", "--reinstall", "--no-cache",
        "h5py==3.11.0"]
    assert install_argv("pip", PY, ["h5py==3.11.0"], None, reinstall=True) == [
        PY, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check",
        "--force-reinstall", "--no-cache-dir", "h5py==3.11.0"]


def test_the_resolver_is_asked_with_the_uv_the_plan_was_given():
    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"})
    resolver = FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"})
    build_plan(facts, report_of(numpy_finding()), resolver=resolver, uv="/opt/uv/bin/uv")
    assert {call[3]["uv"] for call in resolver.calls} == {"/opt/uv/bin/uv"}


def test_a_binary_of_the_wrong_architecture_is_reinstalled_at_its_own_version():
    facts = facts_with({"tensorflow": "2.15.1", "h5py": "3.11.0", "numpy": "1.26.4"})
    wrong = finding("mixed-arch-binary", "h5py's _errors.so is x86_64",
                    evidence={"owner": "h5py", "path": "/env/site/h5py/_errors.so"})
    resolver = FakeResolver({"tensorflow": "2.15.1", "h5py": "3.11.0", "numpy": "1.26.4"})
    plan = build_plan(facts, report_of(wrong), resolver=resolver, uv="/bin/uv")
    requirements = resolver.calls[0][0]
    assert "h5py==3.11.0" in requirements
    assert plan.status is PlanStatus.OK
    reinstall = [s for s in plan.steps if "h5py==3.11.0" in (s.argv or [])]
    assert reinstall and reinstall[0].kind is StepKind.INSTALL
    assert "--reinstall" in reinstall[0].argv
    assert reinstall[0].summary == "Reinstall, bypassing the cache: h5py==3.11.0"
    assert reinstall[0].names == ["h5py"]  # what the snapshot keeps for a rollback
    assert reinstall[0].pins == ["h5py==3.11.0"]
    assert reinstall[0].argv[:5] == ["/bin/uv", "pip", "install", "--python", PY]
    assert reinstall[0].resolves == ["mixed-arch-binary"]  # what the plan and report say


def test_a_wrong_binary_and_a_broken_requirement_both_hold_their_distributions():
    facts = facts_with({"tensorflow": "2.15.1", "h5py": "3.11.0", "numpy": "2.1.3",
                        "scipy": "1.13.0"})
    wrong = finding("mixed-arch-binary", "h5py's _errors.so is x86_64",
                    evidence={"owner": "h5py", "path": "/env/site/h5py/_errors.so"})
    conflict = finding("requirement-conflict", "scipy 1.13.0 requires numpy<2.3",
                       evidence={"requirer": "scipy", "required": "numpy",
                                 "installed_version": "2.1.3"})
    resolver = FakeResolver({"tensorflow": "2.15.1", "h5py": "3.11.0", "numpy": "1.26.4",
                             "scipy": "1.13.0"})
    build_plan(facts, report_of(wrong, conflict), resolver=resolver, uv="/bin/uv")
    assert {"h5py==3.11.0", "scipy==1.13.0"} <= set(resolver.calls[0][0])


def test_with_nothing_installed_to_anchor_on_the_finding_is_skipped_with_what_to_run():
    facts = facts_with({"six": "1.16.0"})
    orphan = finding("numpy-abi-mismatch", "tensorflow 2.15.1 requires numpy<2",
                     evidence={"requirer": "tensorflow", "requirer_version": "2.15.1",
                               "required": "numpy", "installed_version": "2.1.3"})
    plan = build_plan(facts, report_of(orphan), resolver=FakeResolver({}), uv="/bin/uv")
    assert plan.steps == []
    (skipped,) = plan.skipped
    assert skipped.reason == (
        "tensorflow 2.15.1 requires numpy<2: no TensorFlow is installed and the finding names no "
        "installed distribution to repair in place; `keras-doctor fix --upgrade` or `--new-venv` "
        "proposes a working set")


def test_a_removal_is_done_with_the_installer_the_plan_chose():
    uninstall = two_tensorflow_builds_plan().steps[0]
    assert uninstall.argv == ["/bin/uv", "pip", "uninstall", "--python", PY, "tensorflow-cpu",
                              "tensorflow"]
    assert uninstall.summary == "Uninstall tensorflow-cpu 2.21.0, tensorflow 2.21.0"


def test_a_metal_plugin_no_release_of_which_loads_is_removed_by_name_and_version():
    facts = facts_with({"tensorflow": "2.21.0", "tensorflow-metal": "1.1.0", "numpy": "2.1.3"},
                       platform="macos-arm64")
    mismatch = finding("metal-plugin-mismatch", "tensorflow-metal 1.1.0 cannot load",
                       evidence={"metal_version": "1.1.0", "tensorflow_version": "2.21.0"})
    plan = build_plan(facts, report_of(mismatch), uv="/bin/uv",
                      resolver=FakeResolver({"tensorflow": "2.21.0", "numpy": "2.1.3"}))
    removal = [s for s in plan.steps if s.kind is StepKind.UNINSTALL]
    assert [s.names for s in removal] == [["tensorflow-metal"]]
    assert removal[0].summary == "Uninstall tensorflow-metal 1.1.0"


def test_both_steps_of_a_new_environment_say_which_finding_they_resolve(tmp_path):
    from keras_doctor.facts.model import PlatformFacts
    from keras_doctor.plan.interpreters import Interpreter

    facts = facts_with({"tensorflow": "2.16.2"}, platform="macos-x86_64")
    facts.platform = PlatformFacts(system="Darwin", machine="x86_64", apple_silicon=True,
                                   rosetta_translated=True)
    native = Interpreter("/opt/homebrew/bin/python3.12", "3.12.4", "arm64")
    plan = build_plan(facts, report_of(finding("rosetta-python", "x86_64 Python under Rosetta")),
                      resolver=FakeResolver({"tensorflow": "2.16.2", "numpy": "1.26.4"}),
                      uv="/bin/uv", interpreter_finder=lambda platform, has_wheels: native,
                      new_venv=str(tmp_path / "fresh"))
    create, install = plan.steps
    assert create.resolves == install.resolves == ["rosetta-python"]
    assert install.summary == "Install the resolved set (2 distributions) into it"


def test_the_resolver_is_given_the_environments_own_pip_only_when_it_has_one():
    for has_pip, expected in ((True, PY), (False, None)):
        resolver = FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"})
        facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"}, pip=has_pip)
        build_plan(facts, report_of(numpy_finding()), resolver=resolver, uv="/bin/uv")
        assert resolver.calls[0][3]["pip_python"] == expected


def test_no_suitable_interpreter_on_a_mac_names_the_python_and_the_installers_to_use():
    from keras_doctor.facts.model import PlatformFacts

    facts = facts_with({"tensorflow": "2.16.2"}, platform="macos-x86_64")
    facts.platform = PlatformFacts(system="Darwin", machine="x86_64", apple_silicon=True,
                                   rosetta_translated=True)
    plan = build_plan(facts, report_of(finding("rosetta-python", "x86_64 Python under Rosetta")),
                      resolver=FakeResolver({"tensorflow": "2.16.2"}), uv="/bin/uv",
                      interpreter_finder=lambda platform, has_wheels: None, new_venv="/tmp/x")
    advice = plan.skipped[0].advice
    assert advice[0].startswith("uv python install 3.")
    assert "python.org universal2 installer" in advice[1] and "/opt/homebrew" in advice[1]


def test_a_long_command_breaks_between_words_and_fills_each_line():
    from keras_doctor.plan.show import CONTINUATION_INDENT, broken_command

    # "ab cd \" is exactly 7 characters: it fits a 7-column line, the next word does not.
    assert broken_command(["ab", "cd", "ef"], 7) == ["ab cd \\", " " * CONTINUATION_INDENT + "ef"]
    assert broken_command(["ab", "cd", "ef"], 8) == ["ab cd ef"]
    # "abcd ef" fits 8 columns, but not with the " \" it would need before "g"
    assert broken_command(["abcd", "ef", "g"], 8) == ["abcd \\", " " * CONTINUATION_INDENT + "ef g"]


def test_a_plan_printed_for_a_narrow_terminal_keeps_its_commands_runnable():
    import shlex

    from keras_doctor.plan.show import COMMAND_PREFIX, plan_lines

    facts = facts_with({"tensorflow": "2.15.1", "numpy": "2.1.3"})
    plan = build_plan(facts, report_of(numpy_finding()), uv="/bin/uv",
                      resolver=FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"}))
    lines = plan_lines(plan, width=40)
    assert all(len(line) <= 40 for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith(COMMAND_PREFIX))
    command = []
    for line in lines[start:]:
        assert line.startswith(COMMAND_PREFIX) or line.startswith(" " * len(COMMAND_PREFIX))
        command.append(line[len(COMMAND_PREFIX):].strip().rstrip("\\").strip())
        if not line.endswith("\\"):
            break
    assert shlex.split(" ".join(command)) == plan.steps[0].argv
    assert any("-> 2 distributions" in line for line in plan_lines(plan))


def test_with_neither_uv_nor_any_pip_that_can_reach_it_the_environments_pip_is_named(monkeypatch):
    from keras_doctor.plan import installers

    # Whether this process's pip can act on another interpreter is a live fact of the machine.
    monkeypatch.setattr(installers, "own_pip_can_target", lambda: False)
    assert installers.choose_installer(has_pip=False, uv=None) == "pip"
    assert installers.choose_installer(has_pip=True, uv=None) == "pip"
    assert installers.choose_installer(has_pip=False, uv="/bin/uv") == "uv"


def test_a_narrow_terminal_loses_and_reorders_no_word_and_aligns_each_step_under_its_text():
    from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget
    from keras_doctor.plan.show import plan_lines

    long = "Install the resolved versions: numpy 2.1.3 -> 1.26.4, protobuf 5.28.0 -> 4.25.3"
    steps = [PlannedStep(StepKind.SET_ENV, f"{long} ({n})") for n in range(1, 13)]
    steps[0] = PlannedStep(StepKind.INSTALL, long, argv=["/bin/uv", "pip", "install", "--python",
                                                         PY, "--no-deps", "numpy==1.26.4"])
    plan = Plan(PlanTarget(python=PY, platform="linux-x86_64", python_version="3.11"),
                steps=steps, requirements=["tensorflow==2.15.1", "numpy<2"], resolver="uv",
                resolved={"tensorflow": "2.15.1", "numpy": "1.26.4"})
    wide, narrow = plan_lines(plan), plan_lines(plan, width=40)
    assert all(len(line) <= 40 for line in narrow)
    assert [w for line in narrow for w in line.split() if w != "\\"] == \
        [w for line in wide for w in line.split()]
    first = narrow.index("  1. Install the resolved versions:")
    assert narrow[first + 1].startswith("     numpy")  # under "Install", past "  1. "
    twelfth = next(i for i, line in enumerate(narrow) if line.startswith("  12. "))
    assert narrow[twelfth + 1].startswith("      ") and narrow[twelfth + 1][6] != " "


def test_without_readable_pip_metadata_here_the_environments_own_pip_is_used(monkeypatch):
    import importlib.metadata

    from keras_doctor.plan import installers

    def no_pip(name):
        raise importlib.metadata.PackageNotFoundError(name)

    # Which pip sits beside keras-doctor is a live fact of this machine.
    monkeypatch.setattr(importlib.metadata, "version", no_pip)
    assert installers.own_pip_can_target() is False
    assert installers.choose_installer(has_pip=False, uv=None) == "pip"
    # pip learnt --python in 22.3.
    for pip, can in (("22.2.2", False), ("22.3", True)):
        monkeypatch.setattr(importlib.metadata, "version",
                            lambda name, pip=pip: pip if name == "pip" else "0")
        assert installers.own_pip_can_target() is can
