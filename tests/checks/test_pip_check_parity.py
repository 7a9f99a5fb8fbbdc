"""check reports at least what `pip check` reports, on real broken environments.

Each line of `pip check` (a missing requirement, a version conflict, an unsupported wheel) must
have a finding that names the same distributions; check usually says more (the cause and the fix).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import envs
import pytest
import scenarios
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow

PIP_LINE = re.compile(
    r"^(?P<requirer>\S+) \S+ (?:has requirement (?P<conflict>[A-Za-z0-9._-]+)"
    r"|requires (?P<missing>[A-Za-z0-9._-]+), which is not installed"
    r"|is not supported on this platform)"
)


def pip_check(python) -> list:
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "check"],
                          capture_output=True, text=True, timeout=120)
    pairs = []
    for line in proc.stdout.splitlines():
        if line.startswith("No broken requirements found"):
            continue
        match = PIP_LINE.match(line)
        assert match, f"unexpected pip check line: {line}"
        required = match["conflict"] or match["missing"]
        pairs.append((canonicalize_name(match["requirer"]),
                      canonicalize_name(required) if required else None))
    return pairs


def doctor_pairs(python, tmp_path) -> set:
    proc = subprocess.run([sys.executable, "-m", "keras_doctor", "check", "--json", "--python",
                           str(python)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    findings = json.loads(proc.stdout)["findings"]
    assert proc.returncode == (1 if any(f["severity"] == "error" for f in findings) else 0), \
        proc.stderr
    pairs = set()
    for f in findings:
        ev = f["evidence"]
        if "requirer" in ev:
            pairs.add((canonicalize_name(ev["requirer"]), canonicalize_name(ev["required"])))
        if f["cause"] == "wheel-tag-mismatch":
            pairs.add((canonicalize_name(ev["name"]), None))
    return pairs


@pytest.mark.parametrize("scenario", ["tf215_numpy2", "tf215_keras3", "tf215_protobuf319",
                                      "tf_and_tf_cpu", "healthy_tf"])
def test_check_reports_everything_pip_check_reports(scenario, tmp_path):
    python = envs.venv_python(getattr(scenarios, scenario)())
    expected = pip_check(python)
    found = doctor_pairs(python, tmp_path)
    assert set(expected) <= found, (expected, found)
    if scenario.startswith("tf215"):
        assert expected, "the broken environment should make pip check complain too"
