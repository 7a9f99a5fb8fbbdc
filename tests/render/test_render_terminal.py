"""The terminal report as a person reads it in a log: exact plain text, no colour codes."""

from __future__ import annotations

import io
import shlex
import textwrap
from dataclasses import replace

import render_samples as samples
from render_samples import assert_snapshot

from keras_doctor.findings import Finding, FixStep, Passed, Report, Severity, StepKind
from keras_doctor.render import render, render_to_string


def plain(report: Report, **kwargs) -> str:
    return render_to_string(report, "terminal", color=False, **kwargs)


def test_check_report_shows_areas_problems_and_fixes_in_plain_text():
    report = samples.check_report(explanations=samples.FIXED_EXPLANATIONS)
    assert_snapshot("check.txt", plain(report, width=88))


def test_verbose_adds_passed_skipped_and_evidence():
    report = samples.check_report(explanations=samples.FIXED_EXPLANATIONS)
    text = plain(report, verbose=True, width=88)
    assert_snapshot("check-verbose.txt", text)
    assert "        owners: tensorflow 2.16.2, tensorflow-macos 2.15.0\n" in text
    assert "    ✓ shadowed-modules: no local module hides keras or tensorflow\n" in text
    assert "    – cpu-avx: skipped, the CPU flags are not known for this target\n" in text
    assert "Evidence:" not in plain(report)
    assert "interpreter-arch" not in plain(report)
    assert "cpu-avx" not in plain(report)


def test_empty_report_says_no_problems_found():
    assert plain(Report("check")) == "keras-doctor check\n\nNo problems found.\n"
    report = Report(
        "check",
        passed=[Passed("interpreter-arch", "platform", "native arm64")],
        target=dict(samples.TARGET),
    )
    assert plain(report).splitlines()[-3:] == [
        "[✓] Platform and architecture  1 passed",
        "",
        "No problems found in 1 check.",
    ]


def test_explain_ranks_by_confidence_and_shows_percentages():
    text = plain(samples.explain_report(), width=100)
    lines = text.splitlines()
    assert lines[:4] == ["keras-doctor explain", "", "Possible causes, most likely first:", ""]
    assert lines[4] == (
        "  1.  82% ✗ numpy 2.1.3 is installed, but TensorFlow 2.15.1 was built against numpy 1.x"
    )
    second = [line for line in lines if line.startswith("  2. ")]
    assert second == ["  2.  15% ✗ numpy 1.26.4 has an x86_64 extension; this Python is arm64"]
    assert lines[-1] == (
        "2 possible causes, most likely first — run `keras-doctor causes numpy-abi-mismatch` for "
        "details"
    )


def test_explain_without_a_match():
    assert plain(Report("explain")).splitlines()[-1] == "No known cause matches this error."


def test_verify_shows_the_steps_table_before_the_findings():
    text = plain(samples.verify_report(), width=100)
    assert text.startswith(
        textwrap.dedent(
            """\
            keras-doctor verify — Python 3.11.7 at /Users/ana/ml/.venv/bin/python (macos-arm64)

            Verification steps
              ✓ import tensorflow    2.4 s
              ✗ VGG16                0.8 s  ssl.SSLCertVerificationError: certificate verify failed
              – ResNet50                    weights not requested

            [✗] Models and weights
            """
        )
    )
    assert text.endswith(
        "1 error; 1 of 3 steps failed — run `keras-doctor causes weights-download-ssl` for details"
        "\n"
    )
    verbose = plain(samples.verify_report(), verbose=True)
    assert "  ✓ import tensorflow    2.4 s\n      tensorflow: 2.16.2\n" in verbose


def test_run_steps_are_copy_pasteable_shell_lines():
    argv = ("/Users/ana/My Projects/.venv/bin/python", "-m", "pip", "install", "numpy<2", "it's")
    report = Report("check", findings=[replace(samples.mixed_arch(), fix=(
        FixStep("Install a numpy 1.x", StepKind.RUN, argv),
    ))])
    lines = plain(report).splitlines()
    command_line = lines[lines.index("        1. Install a numpy 1.x:") + 1]
    assert command_line.startswith(" " * 13)
    assert shlex.split(command_line) == list(argv)


def test_long_lists_in_evidence_are_cut_with_a_count():
    files = [f"/site-packages/tensorflow/file{n}.py" for n in range(20)]
    report = Report("check", findings=[replace(samples.overlap(), evidence={"files": files})])
    text = plain(report, verbose=True)
    assert "        files (20):\n          - /site-packages/tensorflow/file0.py\n" in text
    assert "/file5.py\n          … and 14 more\n" in text
    assert "file6.py" not in text


def test_finding_of_an_unknown_cause_is_still_shown():
    unknown = Finding("future-cause", Severity.INFO, "Something new", "explained")
    text = plain(Report("check", findings=[unknown]))
    assert "[i] Other\n    i Something new\n      future-cause: explained\n" in text
    assert text.endswith("1 note — run `keras-doctor causes future-cause` for details\n")


def test_output_that_cannot_encode_symbols_falls_back_to_ascii():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    report = samples.check_report()
    report.findings = [replace(f, explanation="plain") for f in report.findings]
    accented = "numpy in ~/Développement/模型 is x86_64"
    report.findings[0] = replace(report.findings[0], title=accented)
    render(report, "terminal", file=out, color=False)
    out.flush()
    text = raw.getvalue().decode("ascii")
    assert "[x] Platform and architecture" in text
    assert "    x numpy in ~/D?veloppement/?? is x86_64\n" in text
    assert "    ! An interrupted pip run left 2 folders behind" in text
    assert "(1 skipped) - next: `keras-doctor fix --python /Users/ana/ml/.venv/bin/python`" in text


def test_text_from_the_environment_is_never_rich_markup():
    hostile = replace(samples.mixed_arch(), title="[bold red]not markup[/] :thumbs_up:")
    for color in (False, True):
        text = render_to_string(Report("check", findings=[hostile]), "terminal", color=color)
        assert "[bold red]not markup[/] :thumbs_up:" in text


def test_a_path_longer_than_the_line_stays_beside_its_label():
    long_path = "/root/.cache/trees/mac-arm64/site-packages/h5py/.dylibs/" + "x" * 80 + ".dylib"
    evidence = {"files": [{"path": long_path, "archs": ["x86_64"]}], "path": long_path}
    report = Report("check", findings=[replace(samples.mixed_arch(), evidence=evidence)])
    lines = plain(report, verbose=True, width=80).splitlines()
    assert f"          - path: {long_path}" in lines
    assert f"        path: {long_path}" in lines


def test_verify_status_words_map_to_three_symbols():
    statuses = ["ok", "failed", "crashed", "timeout", "running", "skipped", "something-new"]
    steps = [
        {"name": f"step-{status}", "title": f"{status} step", "status": status, "seconds": 1.0}
        for status in statuses
    ]
    text = plain(Report("verify", extra={"steps": steps}))
    marks = [line[2] for line in text.splitlines() if line.startswith("  ") and "step" in line]
    assert marks == ["✓", "✗", "✗", "✗", "✗", "–", "i"]
    assert "  ✓ ok step" in text  # the title, not the machine name
    assert text.splitlines()[-1] == "4 of 7 steps failed."
    passing = Report("verify", extra={"steps": steps[:1]})
    assert plain(passing).splitlines()[-1] == "No problems found; no step failed."


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_summary_wraps_at_spaces_on_a_terminal_and_stays_one_line_in_a_log():
    """A 100-column terminal broke the long summary mid-word ("shows th|e repair"); a person
    gets it wrapped at spaces, a log or a pipe keeps one greppable line."""
    report = Report("check", findings=[samples.overlap()],
                    target={"mode": "python",
                            "path": "/home/ada/" + "deep/" * 12 + "bin/python",
                            "python_version": "3.11.7", "platform": "linux-x86_64"})
    screen = _Terminal()
    render(report, "terminal", file=screen, color=False, width=100)
    summary = screen.getvalue().split("\n\n")[-1].splitlines()
    assert len(summary) > 1 and all(len(line) <= 100 for line in summary), summary
    # the command is too long for one row: below the sentence, broken between words
    assert "next: the command below shows the repair" in " ".join(summary)
    assert summary[-2:] == ["  keras-doctor fix --python \\",
                            "      /home/ada/" + "deep/" * 12 + "bin/python"]
    shorter = replace(report, target={**report.target, "path": "/home/ada/tf/bin/python"})
    screen = _Terminal()
    render(shorter, "terminal", file=screen, color=False, width=100)
    assert "next: `keras-doctor fix --python /home/ada/tf/bin/python` shows" in \
        " ".join(screen.getvalue().split("\n\n")[-1].split())  # fits: kept in the sentence
    logged = plain(report, width=100).rstrip("\n").splitlines()[-1]
    assert logged.startswith("1 error") and "add --apply to carry it out" in logged


def test_explain_names_the_fix_command_only_when_the_environment_confirmed_the_cause():
    """The summary points at the repair when a check confirmed the top cause on the target (so
    `fix` finds and repairs it there); a cause read from the text alone only names its details."""
    report = samples.explain_report()
    top = max(report.findings, key=lambda f: f.confidence)
    confirmed = replace(top, evidence={**top.evidence, "confirmed_by": "stack-ranges"})
    target = {"mode": "python", "path": "/home/ada/tf215/bin/python",
              "python_version": "3.11.7", "platform": "linux-x86_64"}
    with_env = replace(report, findings=[confirmed], target=target)
    assert plain(with_env, width=100).splitlines()[-1] == (
        "1 possible cause — next: `keras-doctor fix --python /home/ada/tf215/bin/python` shows the "
        "repair (a dry run; add --apply to carry it out); `keras-doctor causes "
        "numpy-abi-mismatch` for details")
    text_only = replace(report, findings=[top], target=target)
    assert "keras-doctor fix" not in plain(text_only, width=100).splitlines()[-1]
    no_target = replace(report, findings=[confirmed])
    assert "keras-doctor fix" not in plain(no_target, width=100).splitlines()[-1]


def test_a_likelihood_short_of_certainty_never_shows_as_100_percent():
    from keras_doctor.render.view import percent

    assert [percent(c) for c in (0.994, 0.995, 0.9999, 1.0, 0.0, None)] == \
        ["99%", "99%", "99%", "100%", "0%", "?"]
