"""`recommend` for every platform and Python 3.9-3.13, checked against the knowledge base itself."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from compat_facts import KB
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from keras_doctor.facts.collect import stated_marker_environment
from keras_doctor.facts.model import PLATFORMS
from keras_doctor.knowledge.metal_pairs import loading_metals, metal_verdict
from keras_doctor.plan.recommend import recommend

PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
TARGETS = [(p, py) for p in PLATFORMS for py in PYTHONS]


def pins(rec):
    return dict(r.split("==") for r in rec.requirements)


def declared(project, version, platform, python, environment, seen=()):
    """What the wheel an installer picks there requires, read from the knowledge base's copy of
    its Requires-Dist; a shim's exact pin (tensorflow 2.13-2.15 on a Mac installs
    tensorflow-macos==same) is followed to the build's own requirements."""
    found = []
    for text in KB.requires_for(project, version, platform, python) or ():
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate(environment):
            continue
        found.append(req)
        pinned = [str(s.version) for s in req.specifier if s.operator == "=="]
        name = canonicalize_name(req.name)
        if name.startswith("tensorflow") and pinned == [version] and name not in seen:
            found += declared(name, version, platform, python, environment, (*seen, project))
    return found


@pytest.mark.parametrize(("platform", "python"), TARGETS)
@pytest.mark.parametrize("legacy", [False, True])
def test_every_pin_has_a_wheel_there_and_fits_what_tensorflow_requires(platform, python, legacy):
    rec = recommend(platform, python, KB, legacy_keras=legacy)
    if not rec.ok:
        assert rec.problem and rec.requirements == []
        assert KB.newest_release("tensorflow", platform, python) is None
        return
    chosen = pins(rec)
    for name, version in chosen.items():
        release = KB.release(name, version)
        assert release is not None and not release.yanked, (name, version)
        if name == "tensorflow-metal":
            assert "cp" + python.replace(".", "") in KB.metal_release(version)["pythons"]
        else:
            assert release.wheel_for(platform, python) is not None, (name, version)
        assert name in rec.reasons
    tf = chosen["tensorflow"]
    chosen_version = KB.release("tensorflow", tf).version
    newer = [r for r in KB.releases("tensorflow") if r.version > chosen_version
             and not r.yanked and r.wheel_for(platform, python) is not None]
    if "tensorflow-metal" in chosen:  # the newest TensorFlow that some plugin loads with
        tag = "cp" + python.replace(".", "")
        assert [str(r.version) for r in newer if loading_metals(KB, str(r.version), tag)] == []
    elif not legacy:  # nothing held it back: the newest TensorFlow with a wheel there
        assert newer == []
    system, arch = PLATFORMS[platform]
    environment = dict(stated_marker_environment(system, arch, f"{python}.0"), extra="")
    requirements = declared("tensorflow", tf, platform, python, environment)
    assert requirements, (tf, platform, python)
    for req in requirements:
        name = canonicalize_name(req.name)
        if name in chosen:
            assert req.specifier.contains(chosen[name], prereleases=True), (req, chosen[name])
    abi = KB.tf_numpy_abi(tf)
    assert abi is not None and abi.allows(chosen["numpy"]), (tf, chosen["numpy"])
    if legacy and KB.release("tensorflow", tf).version.minor >= 15:
        assert chosen["tf-keras"].split(".")[:2] == tf.split(".")[:2]
    if "tensorflow-metal" in chosen:
        assert platform == "macos-arm64"
        assert metal_verdict(KB, tf, chosen["tensorflow-metal"]).loads is True


def test_metal_is_recommended_only_where_a_plugin_loads_with_the_chosen_tensorflow():
    rec = recommend("macos-arm64", "3.11", KB)
    assert "tensorflow-metal" in pins(rec)
    assert "tensorflow-metal" not in pins(recommend("macos-arm64", "3.11", KB, metal=False))
    assert "tensorflow-metal" not in pins(recommend("linux-x86_64", "3.11", KB))


def test_metal_on_python_3_13_has_no_good_set_and_names_the_python_to_use():
    rec = recommend("macos-arm64", "3.13", KB, metal=True)
    assert not rec.ok
    assert rec.problem == "No tensorflow-metal pairing has wheels for Python 3.13 on macos-arm64"
    assert rec.alternative.startswith("Use Python 3.1") and "tensorflow-metal==" in rec.alternative
    auto = recommend("macos-arm64", "3.13", KB)
    assert auto.ok and "tensorflow-metal" not in pins(auto)
    assert "left out" in auto.reasons["tensorflow-metal"]


def test_intel_mac_on_python_3_13_gets_the_last_intel_release_on_an_older_python():
    rec = recommend("macos-x86_64", "3.13", KB)
    assert not rec.ok
    assert "tensorflow==2.16.2" in rec.alternative
    assert any("Intel-Mac" in n for n in rec.notes)


def test_metal_asked_for_off_apple_silicon_is_refused():
    rec = recommend("linux-x86_64", "3.11", KB, metal=True)
    assert not rec.ok and "Apple Silicon" in rec.problem


def test_the_command_line_prints_json_and_exits_by_outcome():
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "keras_doctor", "recommend", *args],
                              capture_output=True, text=True, timeout=60)

    ok = cli("--platform", "linux-x86_64", "--python-version", "3.11", "--json")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["ok"] and data["requirements"][0].startswith("tensorflow==")
    assert all(Requirement(r).specifier for r in data["requirements"])
    bad = cli("--platform", "macos-arm64", "--python-version", "3.13", "--metal")
    assert bad.returncode == 1 and "Best alternative: Use Python 3.1" in bad.stdout
    usage = cli("--platform", "macos-arm64", "--python-version", "three")
    assert usage.returncode == 2 and "3.11" in usage.stderr
