"""`fix --facts FILE` and `fix --path DIR`: dry-run plans for what `check` reads; never applied."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
from compat_facts import facts, real_dist

DOCTOR = [sys.executable, "-m", "keras_doctor"]


def doctor(*args):
    return subprocess.run([*DOCTOR, *args], capture_output=True, text=True, timeout=120)


def saved(tmp_path, *pairs, python="3.11"):
    f = facts([real_dist(n, v, "macos-arm64", python) for n, v in pairs],
              platform="macos-arm64", python=python, os_version="14.4")
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(f.to_dict()))
    return path


HEALTHY_212 = (("tensorflow-macos", "2.12.0"), ("tensorflow-metal", "0.8.0"))


def test_fix_plans_for_saved_facts_of_a_mac(tmp_path):
    path = saved(tmp_path, *HEALTHY_212)
    proc = doctor("fix", "--facts", str(path), "--json")
    plan = json.loads(proc.stdout)
    assert plan["target"]["platform"] == "macos-arm64" and plan["status"] == "ok"
    # tensorflow-macos 2.12 stays: it is not mapped to a tensorflow release with no arm64 wheel
    assert not any("tensorflow==" in r for r in plan["requirements"])


def test_fix_with_facts_refuses_to_apply_and_says_why(tmp_path):
    path = saved(tmp_path, *HEALTHY_212)
    proc = doctor("fix", "--facts", str(path), "--apply", "--yes")
    assert proc.returncode == 2
    assert "live interpreter" in proc.stderr


def test_fix_plans_for_a_folder_and_refuses_to_apply_it(tmp_path):
    site = tmp_path / "site-packages"
    site.mkdir()
    proc = doctor("fix", "--path", str(site), "--platform", "macos-arm64",
                  "--python-version", "3.11", "--json")
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["target"]["platform"] == "macos-arm64"
    applied = doctor("fix", "--path", str(site), "--platform", "macos-arm64",
                     "--python-version", "3.11", "--apply", "--yes")
    assert applied.returncode == 2 and "live interpreter" in applied.stderr


def test_fix_path_needs_its_platform():
    proc = doctor("fix", "--path", ".", "--json")
    assert proc.returncode == 2 and "--platform" in proc.stderr
