"""The Markdown report, read back by a CommonMark parser as GitHub would render an issue."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import replace

import render_samples as samples
from markdown_it import MarkdownIt  # a dependency of rich, so always present with keras-doctor

from keras_doctor.findings import FixStep, Report, StepKind
from keras_doctor.render import render_to_string

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markdown(report: Report, **kwargs) -> str:
    return render_to_string(report, "markdown", **kwargs)


def tokens(text: str):
    return PARSER.parse(text)


def headings(text: str):
    found, parsed = [], tokens(text)
    for index, token in enumerate(parsed):
        if token.type == "heading_open":
            found.append((token.tag, parsed[index + 1].content))
    return found


def test_headings_per_area_then_finding():
    assert headings(markdown(samples.check_report())) == [
        ("h2", "keras-doctor check"),
        ("h3", "❌ Platform and architecture"),
        ("h4", "❌ numpy 1.26.4 has an x86\\_64 extension; this Python is arm64"),
        ("h3", "❌ Package stack"),
        ("h4", "❌ tensorflow and tensorflow-macos both installed files into tensorflow/"),
        ("h4", "⚠️ An interrupted pip run left 2 folders behind"),
        ("h3", "⚠️ Keras"),
        ("h4", '⚠️ KERAS\\_BACKEND is "jax", but jax is not installed'),
    ]


def test_commands_are_fenced_shell_blocks_that_split_back_into_argv():
    fences = [t for t in tokens(markdown(samples.check_report())) if t.type == "fence"]
    shell = [t.content.strip() for t in fences if t.info == "sh"]
    assert [shlex.split(line) for line in shell] == [
        [samples.PYTHON, "-m", "pip", "install", "--force-reinstall", "--no-cache-dir",
         "numpy==1.26.4"],
        [samples.PYTHON, "-m", "pip", "uninstall", "-y", "tensorflow", "tensorflow-macos"],
        [samples.PYTHON, "-m", "pip", "install", "tensorflow==2.16.2"],
        ["export", "KERAS_BACKEND=tensorflow"],
    ]


def test_a_command_with_backticks_cannot_close_its_fence():
    step = FixStep("Odd", StepKind.RUN, ("echo", "```", "`x`"))
    report = Report("check", findings=[replace(samples.mixed_arch(), fix=(step,))])
    (fence,) = [t for t in tokens(markdown(report)) if t.type == "fence" and t.info == "sh"]
    assert shlex.split(fence.content) == ["echo", "```", "`x`"]


def test_evidence_is_exact_json_in_a_details_block():
    text = markdown(samples.check_report())
    blocks = re.findall(
        r"<details>\n<summary>Evidence</summary>\n\n```json\n(.*?)\n```\n\n</details>", text, re.S
    )
    shown = [json.loads(block) for block in blocks]
    evidence = {f.cause: dict(f.evidence) for f in samples.check_report().findings}
    assert shown == [
        evidence[cause] for cause in (
            "mixed-arch-binary", "tf-distributions-overlap", "duplicate-install",
            "keras-backend-unavailable",
        )
    ]


def test_destructive_steps_are_marked():
    text = markdown(samples.check_report())
    assert "1. **destructive:** Uninstall both TensorFlow distributions" in text
    assert "2. Install tensorflow alone" in text


def test_text_from_the_environment_renders_literally():
    hostile = replace(
        samples.mixed_arch(),
        title="<script>alert(1)</script> in ~/a_b*c*/~d",
        explanation="see `keras.src` and [link](http://x) | pipe",
    )
    html = PARSER.render(markdown(Report("check", findings=[hostile])))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in ~/a_b*c*/~d" in html
    assert "<code>keras.src</code>" in html
    assert "<a " not in html
    assert "<s>" not in html and "<em>" not in html


def test_passed_and_skipped_checks_are_folded_away():
    text = markdown(samples.check_report())
    assert "<details>\n<summary>Passed checks (3)</summary>\n\n- ✅ `interpreter-arch`:" in text
    assert "<summary>Skipped checks (1)</summary>\n\n- ⏭️ `cpu-avx`: the CPU flags" in text


def test_summary_and_empty_report():
    text = markdown(samples.check_report())
    assert (
        "**Result:** 2 errors, 2 warnings in 7 checks (1 skipped) — next: "
        "`keras-doctor fix --python /Users/ana/ml/.venv/bin/python` shows the repair"
    ) in text
    assert markdown(Report("check")) == (
        "## keras-doctor check\n\n**Result:** No problems found.\n"
    )


def test_explain_findings_are_ranked_with_confidence():
    found = headings(markdown(samples.explain_report()))
    assert [text for tag, text in found if tag == "h3"] == [
        "1. 82% ❌ numpy 2.1.3 is installed, but TensorFlow 2.15.1 was built against numpy 1.x",
        "2. 15% ❌ numpy 1.26.4 has an x86\\_64 extension; this Python is arm64",
    ]


def test_verify_steps_are_a_table():
    html = PARSER.render(markdown(samples.verify_report()))
    assert "<table>" in html
    assert "<td>VGG16</td>" in html
    assert "ssl.SSLCertVerificationError: certificate verify failed" in html
