"""Fix commands as shell lines: POSIX lines split back into the argv, Windows lines need no `'`."""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import replace

import pytest
import render_samples as samples

from keras_doctor.findings import FixStep, Report, StepKind
from keras_doctor.render import render_to_string
from keras_doctor.render.shell import is_windows_target, shell_line

ARGV = ["/Users/ana/My Projects/.venv/bin/python", "-m", "pip", "install", "numpy<2", "it's", ""]


def test_posix_lines_split_back_into_the_argv():
    assert shlex.split(shell_line(ARGV)) == ARGV


@pytest.mark.parametrize(
    "arg", ["C:\\Program Files\\Python311\\python.exe", 'say "hi"', "ends in\\", "a\\\\\"b c", ""]
)
def test_windows_quoting_matches_the_c_runtime_rules_of_list2cmdline(arg):
    """subprocess.list2cmdline is the stdlib's inverse of the MS C runtime's argv parsing."""
    assert shell_line([arg], windows=True) == subprocess.list2cmdline([arg])


def test_windows_quotes_what_cmd_and_powershell_take_for_operators():
    line = shell_line(["python", "-m", "pip", "install", "numpy<2", "tensorflow>=2.16,<2.17"],
                      windows=True)
    assert line == 'python -m pip install "numpy<2" "tensorflow>=2.16,<2.17"'


def test_the_target_platform_decides():
    assert is_windows_target({"platform": "windows-amd64"})
    assert not is_windows_target({"platform": "macos-arm64"})


def test_reports_for_windows_targets_show_windows_lines():
    step = FixStep("Install a numpy 1.x", StepKind.RUN,
                   ("C:\\Users\\ana\\venv\\Scripts\\python.exe", "-m", "pip", "install", "numpy<2"))
    report = Report("check", findings=[replace(samples.mixed_arch(), fix=(step,))],
                    target={"mode": "running", "platform": "windows-amd64",
                            "python_version": "3.11.7"})
    expected = 'C:\\Users\\ana\\venv\\Scripts\\python.exe -m pip install "numpy<2"'
    assert f"\n             {expected}\n" in render_to_string(report, "terminal")
    assert f"   ```bat\n   {expected}\n   ```" in render_to_string(report, "markdown")
    assert "&quot;numpy&lt;2&quot;" in render_to_string(report, "html")
