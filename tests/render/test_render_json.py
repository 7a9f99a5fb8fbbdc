"""The JSON report: its documented schema, a lossless round trip, a path that never loads rich."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import render_samples as samples

from keras_doctor import __version__
from keras_doctor.findings import Finding, Passed, Report
from keras_doctor.render import render, render_to_string

SRC = str(Path(__file__).resolve().parents[2] / "src")


def document(report: Report) -> dict:
    return json.loads(render_to_string(report, "json"))


def test_top_level_keys_in_documented_order():
    data = document(samples.check_report())
    assert list(data) == [
        "report_version", "command", "doctor_version", "target", "summary", "findings",
        "passed", "skipped", "extra", "groups", "next",
    ]
    assert data["report_version"] == 1
    assert data["command"] == "check"
    assert data["doctor_version"] == __version__
    assert data["target"] == samples.TARGET
    assert data["summary"] == {
        "errors": 2, "warnings": 2, "infos": 0, "checks_run": 7, "passed": 3, "skipped": 1,
        "problems": {"errors": 2, "warnings": 2, "infos": 0}, "folded": 0,
    }
    assert data["passed"][0] == {
        "check": "interpreter-arch",
        "area": "platform",
        "message": "the interpreter is native arm64",
    }
    assert data["skipped"] == [
        {"check": "cpu-avx", "area": "platform",
         "reason": "the CPU flags are not known for this target"},
    ]


def test_findings_round_trip_through_finding_from_dict():
    report = samples.check_report()
    data = document(report)
    assert [Finding.from_dict(f) for f in data["findings"]] == report.findings
    overlap = data["findings"][1]
    assert overlap["cause"] == "tf-distributions-overlap"
    assert overlap["evidence"]["owners"] == ["tensorflow 2.16.2", "tensorflow-macos 2.15.0"]
    assert overlap["fix"][0] == {
        "description": "Uninstall both TensorFlow distributions",
        "kind": "run",
        "command": [samples.PYTHON, "-m", "pip", "uninstall", "-y", "tensorflow",
                    "tensorflow-macos"],
        "target": None,
        "destructive": True,
    }


def test_findings_are_worst_first_and_explain_findings_most_likely_first():
    report = samples.check_report()
    report.findings.reverse()
    severities = [f["severity"] for f in document(report)["findings"]]
    assert severities == ["error", "error", "warning", "warning"]
    explained = document(samples.explain_report())["findings"]
    assert [(f["cause"], f["confidence"]) for f in explained] == [
        ("numpy-abi-mismatch", 0.82), ("mixed-arch-binary", 0.15),
    ]


def test_verify_steps_travel_in_extra():
    data = document(samples.verify_report())
    assert data["extra"]["steps"][1]["status"] == "failed"
    assert data["extra"]["steps"][0]["data"]["devices"] == ["CPU:0", "GPU:0"]


def test_output_is_deterministic_utf8_and_keeps_non_ascii():
    report = samples.check_report()
    report.passed.append(Passed("cwd", "environment", "no shadowing in ~/Développement ✓"))
    first = render_to_string(report, "json")
    assert first == render_to_string(report, "json")
    assert "~/Développement ✓" in first
    assert "\\u" not in first
    assert first.endswith("}\n")


def test_documents_are_utf8_even_on_a_stream_set_up_for_ascii():
    report = samples.check_report()
    report.passed.append(Passed("cwd", "environment", "no shadowing in ~/Développement"))
    for fmt in ("json", "markdown", "html"):
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="ascii")
        render(report, fmt, file=out)
        out.flush()
        assert raw.getvalue().decode("utf-8") == render_to_string(report, fmt), fmt


def test_odd_evidence_values_are_still_valid_json():
    report = Report("check", findings=[replace(samples.mixed_arch(), evidence={
        "path": Path("/opt/x.so"), "archs": {"x86_64", "arm64"}, "slices": ("x86_64",),
    })])
    evidence = document(report)["findings"][0]["evidence"]
    assert evidence == {"path": "/opt/x.so", "archs": ["arm64", "x86_64"], "slices": ["x86_64"]}


def test_json_markdown_and_html_paths_never_import_rich():
    script = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = [{SRC!r}, {str(Path(__file__).parent)!r}]
        import render_samples
        from keras_doctor.render import render, render_to_string
        for fmt in ("json", "markdown", "html"):
            render_to_string(render_samples.check_report(), fmt, verbose=True)
            render_to_string(render_samples.verify_report(), fmt, verbose=True)
            assert "rich" not in sys.modules, fmt
        render_to_string(render_samples.check_report(), "terminal", color=False)
        assert "rich" not in sys.modules, "plain terminal output"
        render_to_string(render_samples.check_report(), "terminal", color=True)
        assert "rich" in sys.modules, "the check itself must be able to fail"
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
