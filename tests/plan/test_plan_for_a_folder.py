"""A plan for a bare site-packages folder is shown as pip would do it there, never applied."""

from __future__ import annotations

from test_build import FakeResolver, numpy_finding, report_of

from keras_doctor.facts.model import Distribution, Facts, InterpreterFacts, PlatformFacts, Target
from keras_doctor.plan.build import build_plan
from keras_doctor.plan.model import PlanStatus, StepKind

FOLDER = "/Users/ada/tf/lib/python/site-packages"


def folder_facts(installed: dict) -> Facts:
    return Facts(
        target=Target(mode="path", platform="macos-arm64", python_version="3.11", path=FOLDER),
        platform=PlatformFacts(system="Darwin", machine="arm64", os_version="14.4"),
        interpreter=InterpreterFacts(version="3.11.0"),
        distributions=[Distribution(name=n, canonical_name=n, version=v, location=FOLDER,
                                    metadata_dir=f"{FOLDER}/{n}-{v}.dist-info")
                       for n, v in installed.items()],
    )


def test_a_folders_plan_installs_with_pips_target_layout_for_its_platform_and_python():
    facts = folder_facts({"tensorflow": "2.15.1", "numpy": "2.1.3"})
    plan = build_plan(facts, report_of(numpy_finding()),
                      resolver=FakeResolver({"tensorflow": "2.15.1", "numpy": "1.26.4"}),
                      uv="")
    assert plan.status is PlanStatus.REFUSED
    assert plan.reason.startswith(f"{FOLDER} is a folder, not an interpreter's environment")
    (step,) = plan.steps
    assert step.kind is StepKind.INSTALL
    assert step.argv == ["python", "-m", "pip", "install", "--no-deps", "--upgrade",
                         "--only-binary=:all:", "--platform", "macosx_14_0_arm64",
                         "--python-version", "3.11", "--implementation", "cp",
                         "--target", FOLDER, "numpy==1.26.4"]


def test_a_folders_plan_removes_by_deleting_files_it_names():
    facts = folder_facts({"tensorflow": "2.21.0", "tensorflow-cpu": "2.21.0", "numpy": "2.1.3"})
    from keras_doctor.checks.registry import finding

    overlap = finding("tf-distributions-overlap", "tensorflow and tensorflow-cpu overlap",
                      evidence={"owners": [{"name": "tensorflow", "version": "2.21.0"},
                                           {"name": "tensorflow-cpu", "version": "2.21.0"}]})
    plan = build_plan(facts, report_of(overlap),
                      resolver=FakeResolver({"tensorflow": "2.21.0", "numpy": "2.1.3"}), uv="")
    removals = [s for s in plan.steps if s.kind is StepKind.UNINSTALL]
    assert removals and all(s.argv is None for s in removals)
    assert all(s.summary.endswith(f"(delete their files and .dist-info folders from {FOLDER})")
               for s in removals)
