"""The HTML fragment for notebooks: escaped, balanced, self-contained, and accepted by IPython."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import render_samples as samples

from keras_doctor.findings import FixStep, Passed, Report, StepKind
from keras_doctor.render import render_to_string
from keras_doctor.render.htmlfmt import to_html

HOSTILE = "<script>alert('x')</script>"
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}


class TagBalance(HTMLParser):
    """Records every tag, and fails on a closing tag that does not match the open one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list = []
        self.tags: list = []
        self.attributes: list = []
        self.text: list = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parsed(text: str) -> TagBalance:
    parser = TagBalance()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    return parser


def hostile_report() -> Report:
    report = samples.verify_report()
    report.target = {**report.target, "path": f"/tmp/{HOSTILE}/bin/python"}
    finding = replace(
        samples.mixed_arch(),
        title=f"extension {HOSTILE} is x86_64",
        explanation=f'a "quoted" & <b>bold</b> {HOSTILE}',
        evidence={"path": f"/site/{HOSTILE}.so", "archs": ["x86_64"], "owner": "numpy"},
        fix=(
            FixStep(f"Reinstall {HOSTILE}", StepKind.RUN, ("pip", "install", HOSTILE)),
            FixStep("Delete it", StepKind.EDIT, target=f"/site/{HOSTILE}", destructive=True),
        ),
    )
    report.findings.append(finding)
    report.passed.append(Passed(HOSTILE, "platform", HOSTILE))
    report.extra["steps"][1]["reason"] = HOSTILE
    return report


def test_hostile_text_is_escaped_everywhere():
    text = render_to_string(hostile_report(), "html", verbose=True)
    assert "<script" not in text.lower()
    assert "<b>" not in text
    parser = parsed(text)
    assert "script" not in parser.tags and "b" not in parser.tags
    visible = "".join(parser.text)
    # page title, target, title, explanation, evidence, fix, edit target, passed check and message,
    # step reason
    assert visible.count(HOSTILE) == 10
    assert 'a "quoted" & <b>bold</b>' in visible


def test_a_self_contained_fragment():
    text = to_html(samples.check_report(), verbose=True)
    assert text.startswith('<div class="keras-doctor-report"')
    parser = parsed(text)
    outside_world = {"html", "head", "body", "script", "link", "style", "img", "iframe"}
    assert not outside_world & set(parser.tags)
    assert not {"src", "href"} & set(parser.attributes)
    assert not re.search(r"https?://|url\(", text)


def test_findings_fixes_and_evidence_are_all_there():
    text = render_to_string(samples.check_report(), "html")
    assert text.count('<div class="finding ') == 4
    assert "<strong style=\"color: #d32f2f\">destructive:</strong> Uninstall both" in text
    command = html.escape(
        f"{samples.PYTHON} -m pip uninstall -y tensorflow tensorflow-macos", quote=True
    )
    words = " ".join(f'<span style="white-space: nowrap">{w}</span>' for w in command.split(" "))
    assert f"<code>{words}</code></pre>" in text
    evidence = re.findall(r"Evidence</summary><pre[^>]*><code>(.*?)</code></pre>", text, re.S)
    assert json.loads(html.unescape(evidence[0])) == dict(samples.mixed_arch().evidence)
    assert "Passed checks (3)" in text and "Skipped checks (1)" in text
    assert "2 errors, 2 warnings in 7 checks (1 skipped)" in text


def test_explain_shows_rank_and_confidence():
    text = render_to_string(samples.explain_report(), "html")
    first = text.index("1. 82% numpy 2.1.3 is installed")
    second = text.index("2. 15% numpy 1.26.4 has an x86_64 extension")
    assert first < second


def test_empty_report():
    text = render_to_string(Report("check"), "html")
    parsed(text)
    assert "No problems found." in text


def test_ipython_displays_it_as_is():
    from IPython.display import HTML

    text = to_html(samples.check_report())
    assert HTML(text)._repr_html_() == text
