"""Causal grouping: one root cause per block, its echoes folded under it, one fix."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "checks"))

from factories import dist, mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.findings import Finding, FixStep, Report, Severity, StepKind
from keras_doctor.render import render_to_string
from keras_doctor.render.groups import build_blocks

PY = "/Users/ana/ml/.venv/bin/python"


def missing(requirer: str, required: str) -> Finding:
    return Finding("missing-dependency", Severity.ERROR,
                   f"{requirer} 2.18.0 requires {required}, which is not installed",
                   "a required distribution is not installed",
                   {"requirer": requirer, "requirer_version": "2.18.0", "requirement": required,
                    "required": required},
                   (FixStep(f"Install {required}", StepKind.RUN,
                            (PY, "-m", "pip", "install", required)),), check="requirements")


def test_keras3_over_tf215_is_one_block_rooted_in_the_skew():
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
        dist("keras", "3.5.0", requires=["rich", "namex", "optree"])])
    report = run_checks(facts)
    (block,) = build_blocks(report)
    assert block.root.cause == "keras-tf-version-skew"
    assert sorted(f.evidence["required"] for f in block.consequences) == ["namex", "optree",
                                                                          "rich"]
    assert len(block.fix) == 1  # the root's fix; not also three installs of Keras 3's needs
    text = render_to_string(report, "terminal", width=100)
    assert "and 3 dependencies keras needs are absent (rich, namex, optree)" in text
    assert "missing-dependency" not in text  # folded: named in -v only


def test_twenty_eight_missing_requirements_of_one_distribution_are_one_install():
    names = [f"dep{i}" for i in range(28)]
    report = Report("check", findings=[missing("tensorflow", n) for n in names])
    (block,) = build_blocks(report)
    assert len(block.consequences) == 27 and len(block.fix) == 1
    assert list(block.fix[0].command) == [PY, "-m", "pip", "install", *names]
    text = render_to_string(report, "terminal", width=100)
    assert "and 27 dependencies tensorflow needs are absent (dep1, dep2" in text
    assert text.count("pip install") == 1


def test_findings_with_the_same_fix_are_one_block_with_the_command_once():
    step = FixStep("Reinstall h5py", StepKind.RUN, (PY, "-m", "pip", "install", "h5py==3.11.0"))
    arch = Finding("mixed-arch-binary", Severity.ERROR, "h5py is x86_64", "…",
                   {"owner": "h5py"}, (step,))
    tags = Finding("wheel-tag-mismatch", Severity.ERROR, "h5py wheel is x86_64", "…",
                   {"name": "h5py"}, (FixStep("Reinstall h5py for this interpreter",
                                              StepKind.RUN, step.command),))
    report = Report("check", findings=[tags, arch])
    (block,) = build_blocks(report)
    assert block.root is arch and block.same_fix == [tags]
    assert render_to_string(report, "terminal").count("h5py==3.11.0") == 1


def test_an_unrelated_missing_requirement_stays_its_own_block_after_the_root():
    # Keras 3 over TensorFlow 2.14 fails at import (an error); over 2.15 it runs (a warning).
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.14.1", requires=["keras<2.15,>=2.14.0"]), dist("keras", "3.5.0"),
        dist("pandas", "2.2.0", requires=["pytz"])])
    blocks = build_blocks(run_checks(facts))
    assert [b.root.cause for b in blocks] == ["keras-tf-version-skew", "missing-dependency"]


def test_the_plan_in_the_report_replaces_the_findings_own_commands():
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
        dist("keras", "3.5.0", requires=["rich"])])
    report = run_checks(facts)
    argv = ["uv", "pip", "install", "--python", PY, "--no-deps", "keras==2.15.0"]
    report.extra["plan"] = {
        "target": {"python": PY, "platform": "macos-arm64", "python_version": "3.11"},
        "status": "ok",
        "steps": [{"kind": "install", "summary": "Install keras 2.15.0", "argv": argv,
                   "resolves": ["keras-tf-version-skew", "missing-dependency"],
                   "names": ["keras"], "pins": ["keras==2.15.0"]}],
    }
    (block,) = build_blocks(report)
    assert block.from_plan and [list(s.command or ()) for s in block.fix] == [argv]
    text = render_to_string(report, "terminal", width=120)
    assert "Fix (the steps `keras-doctor fix` runs):" in text
    assert "keras<2.16" not in text.split("Fix (")[1]
    markdown = render_to_string(report, "markdown")
    assert "**Fix (the steps `keras-doctor fix` runs):**" in markdown  # one bold heading
    assert "**:**" not in markdown


def test_no_check_passes_while_its_cause_is_reported_by_another():
    facts = mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["numpy<2.0.0,>=1.23.5"]), dist("numpy", "2.1.3")])
    report = run_checks(facts)
    reported = {f.cause for f in report.findings}
    assert "numpy-abi-mismatch" in reported
    from keras_doctor.checks.registry import all_checks

    watched = {c.name: set(c.causes) for c in all_checks()}
    assert not [p.check for p in report.passed if watched[p.check] & reported]
    assert "numpy-abi" not in [p.check for p in report.passed]


def test_healthy_areas_collapse_to_one_line_unless_verbose():
    facts = mac_facts(distributions=[dist("tensorflow", "2.14.1", requires=["keras<2.15"]),
                                     dist("keras", "3.5.0")])  # an error: 2.14 cannot run Keras 3
    report = run_checks(facts)
    short = render_to_string(report, "terminal", width=120)
    healthy = [line for line in short.splitlines() if line.startswith("[✓]")]
    assert len(healthy) == 1 and "Keras" in healthy[0] and "Environment" in healthy[0]
    assert short.index("[✗]") < short.index("[✓]")  # problems first
    verbose = render_to_string(report, "terminal", width=120, verbose=True)
    assert len([line for line in verbose.splitlines() if line.startswith("[✓]")]) > 1


def test_verify_area_fails_with_a_failed_step_even_without_a_finding():
    from keras_doctor.findings import Passed

    report = Report("verify", passed=[Passed("import-tensorflow", "verify", "imported"),
                                      Passed("devices", "verify", "listed")],
                    extra={"steps": [{"name": "import tensorflow", "status": "failed",
                                      "seconds": 1.0, "reason": "ImportError"},
                                     {"name": "devices", "status": "ok", "seconds": 0.1}]})
    text = render_to_string(report, "terminal", width=100)
    assert "[✗] Verification" in text and "[✓] Verification" not in text
    assert text.rstrip().endswith("1 of 2 steps failed.")


def test_what_the_wrong_interpreter_explains_is_folded_under_it():
    """Under an x86_64 Python started by Rosetta every arm64 extension is of the wrong
    architecture: one block, the interpreter, whose fix (a native Python) repairs them all."""
    def arch(owner):
        return Finding("mixed-arch-binary", Severity.ERROR,
                       f"{owner} 1.0 has 1 binary built for arm64, but the interpreter runs x86_64",
                       "…", {"owner": owner},
                       (FixStep(f"Reinstall {owner}", StepKind.RUN,
                                (PY, "-m", "pip", "install", f"{owner}==1.0")),))

    rosetta = Finding("rosetta-python", Severity.ERROR, "An x86_64-only Python runs under Rosetta",
                      "…", {}, (FixStep("Install a native arm64 Python", StepKind.MANUAL),))
    avx = Finding("cpu-lacks-avx", Severity.ERROR, "tensorflow 2.16.2 needs AVX", "…",
                  {"distribution": "tensorflow"}, ())
    report = Report("check", findings=[arch("numpy"), avx, arch("h5py"), rosetta])
    (block,) = build_blocks(report)
    assert block.root is rosetta and len(block.consequences) == 3
    assert [s.description for s in block.fix] == ["Install a native arm64 Python"]
    text = render_to_string(report, "terminal", width=100)
    assert "and 3 findings it explains (cpu-lacks-avx: tensorflow; mixed-arch-binary: numpy, " \
           "h5py)" in " ".join(text.split())
    assert "pip install" not in text  # reinstalling for the wrong interpreter fixes nothing
    # without the wrong interpreter, a wrong-architecture package is its own problem
    alone = build_blocks(Report("check", findings=[arch("numpy"), arch("h5py")]))
    assert [b.root.cause for b in alone] == ["mixed-arch-binary", "mixed-arch-binary"]


def test_a_block_is_as_severe_as_the_worst_finding_it_holds():
    """A warning-level root with error-level consequences is an error block (and sorts first)."""
    skew = Finding("keras-tf-version-skew", Severity.WARNING,
                   "tensorflow 2.15.1 requires keras<2.16, but keras 3.5.0 is installed",
                   "keras and tensorflow versions do not match",
                   {"requirer": "tensorflow", "requirer_version": "2.15.1", "required": "keras",
                    "installed_version": "3.5.0", "move": "keras", "to": "keras==2.15.*"},
                   (FixStep("Install keras 2.15", StepKind.RUN,
                            (PY, "-m", "pip", "install", "keras==2.15.*")),), check="requirements")
    needs = [missing("keras", n) for n in ("rich", "namex")]
    (block,) = build_blocks(Report("check", findings=[skew, *needs]))
    assert block.root is skew and block.worst is Severity.ERROR
    (alone,) = build_blocks(Report("check", findings=[skew]))
    assert alone.worst is Severity.WARNING
