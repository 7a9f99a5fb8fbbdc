"""Facts refine the text: a check that finds the cause puts its exact evidence and fix first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
import scenarios

from keras_doctor.explain import explain_text
from keras_doctor.facts.collect import collect_path


def dyld_error(so: Path) -> str:
    """The message macOS 12+ dyld prints for a Mach-O file without the process's slice."""
    return (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 1, in <module>\n'
        "    import h5py\n"
        f"ImportError: dlopen({so}, 0x0002): tried: '{so}' (mach-o file, but is an incompatible "
        "architecture (have 'x86_64', need 'arm64'))"
    )


@pytest.mark.slow
def test_a_mixed_arch_finding_with_its_owner_ranks_first():
    site = Path(scenarios.mac_arm64_tree_with_x86_h5py())
    so = next(site.glob("h5py/_errors*.so"))
    facts = collect_path(str(site), "macos-arm64", "3.11")
    report = explain_text(dyld_error(so), facts)
    first = report.findings[0]
    assert first.cause == "mixed-arch-binary"
    assert first.check.startswith("explain+")  # confirmed by the binary-architectures check
    assert first.evidence["owner"] == "h5py"
    assert first.confidence > 0.95
    assert any("h5py==3.11.0" in arg for arg in first.fix[0].command)
    assert first.evidence["from_error_text"]["need"] == "arm64"


@pytest.mark.slow
def test_a_cause_the_facts_rule_out_is_demoted():
    site = Path(scenarios.mac_arm64_tree())  # every binary is arm64
    facts = collect_path(str(site), "macos-arm64", "3.11")
    so = next(site.glob("h5py/_errors*.so"))
    text_only = explain_text(dyld_error(so)).findings[0]
    refined = explain_text(dyld_error(so), facts).findings[0]
    assert refined.cause == text_only.cause == "mixed-arch-binary"
    assert refined.confidence < text_only.confidence
    assert refined.evidence["contradicted_by"] == ["binary-architectures"]


def _no_module(module: str, notebook: bool = False) -> str:
    if notebook:
        return (
            "ModuleNotFoundError                       Traceback (most recent call last)\n"
            f"Cell In[2], line 1\n----> 1 import {module}\n\n"
            f"ModuleNotFoundError: No module named '{module}'"
        )
    return (
        'Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
        f"    import {module}\nModuleNotFoundError: No module named '{module}'"
    )


@pytest.mark.slow
def test_no_module_that_the_examined_environment_has_means_another_interpreter_ran_it():
    site = Path(scenarios.mac_arm64_tree())  # has h5py, not tensorflow
    facts = collect_path(str(site), "macos-arm64", "3.11")
    text_only = explain_text(_no_module("h5py")).findings
    assert text_only[0].cause == "missing-dependency"
    refined = explain_text(_no_module("h5py"), facts).findings
    assert refined[0].cause == "wrong-interpreter"
    assert refined[0].evidence["installed_here"].startswith("h5py ")
    in_notebook = explain_text(_no_module("h5py", notebook=True), facts).findings
    assert in_notebook[0].cause in ("wrong-interpreter", "kernel-not-restarted")
    assert {"wrong-interpreter", "kernel-not-restarted"} <= {f.cause for f in in_notebook[:3]}


@pytest.mark.slow
def test_no_module_that_the_examined_environment_lacks_is_confirmed_missing():
    site = Path(scenarios.mac_arm64_tree())
    facts = collect_path(str(site), "macos-arm64", "3.11")
    text_only = explain_text(_no_module("tensorflow")).findings[0]
    refined = explain_text(_no_module("tensorflow"), facts).findings[0]
    assert refined.cause == "missing-dependency"
    assert refined.confidence > text_only.confidence
