"""The newest set of TensorFlow, Keras, numpy (and tensorflow-metal) that works on a target.

A resolver cannot answer this alone: tensorflow-metal declares no TensorFlow dependency, several
TensorFlow releases do not declare the numpy ABI they need, and whether a release has a wheel for a
(platform, Python) is a question of tags. So the set is built from the knowledge base: the newest
TensorFlow with a wheel there (and, for Metal, a plugin release that a source says loads with it),
then Keras, tf_keras and numpy inside what that exact wheel requires, each pinned with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.requirements import target_environment, wheel_requirements

PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
_SHIMS = ("tensorflow-macos", "tensorflow-intel", "tensorflow-cpu-aws")
_FIRST_KERAS3 = Version("2.16")
_FIRST_TF_KERAS = Version("2.15")
_NOTES = {
    "windows-amd64": "GPU support on native Windows ended with TensorFlow 2.10; later releases run "
                     "on the CPU there (use WSL2 for a GPU).",
    "macos-x86_64": "TensorFlow 2.16 is the last release with Intel-Mac wheels, and "
                    "tensorflow-metal 1.0.0 the last Intel-Mac plugin.",
}


@dataclass
class Recommendation:
    platform: str
    python_version: str
    requirements: List[str] = field(default_factory=list)
    reasons: Dict[str, str] = field(default_factory=dict)
    ok: bool = True
    problem: Optional[str] = None
    alternative: Optional[str] = None
    notes: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return {"platform": self.platform, "python_version": self.python_version,
                "ok": self.ok, "requirements": list(self.requirements),
                "reasons": dict(self.reasons), "problem": self.problem,
                "alternative": self.alternative, "notes": list(self.notes)}


def recommend(platform: str, python_version: str, knowledge: Any = None,
              legacy_keras: bool = False, metal: Optional[bool] = None) -> Recommendation:
    """The newest working set for `platform` ("macos-arm64", …) and Python "X.Y"."""
    if knowledge is None:
        from keras_doctor.knowledge import load

        knowledge = load()
    python = ".".join(python_version.split(".")[:2])
    rec = Recommendation(platform, python, notes=[_NOTES[platform]] if platform in _NOTES else [])
    want_metal = platform == "macos-arm64" if metal is None else metal
    if want_metal and platform != "macos-arm64":
        rec.ok = False
        rec.problem = "tensorflow-metal exists only for Apple Silicon Macs (macos-arm64)"
        rec.alternative = "Drop --metal: TensorFlow runs on the CPU here"
        return rec
    chosen = _choose(knowledge, platform, python, legacy_keras, want_metal)
    if chosen is None and want_metal and metal is None:
        chosen = _choose(knowledge, platform, python, legacy_keras, False)
        if chosen is not None:
            better = _other_python(knowledge, platform, python, legacy_keras, True)
            rec.reasons["tensorflow-metal"] = (
                f"left out: no tensorflow-metal release is known to load with a TensorFlow that "
                f"has Python {python} wheels" + (f"; for the GPU use Python {better[0]}" if better
                                                 else ""))
            if better:
                rec.alternative = f"Python {better[0]}: {' '.join(better[1].requirements)}"
    if chosen is None:
        rec.ok = False
        what = "tensorflow-metal pairing" if want_metal else "TensorFlow release"
        rec.problem = f"No {what} has wheels for Python {python} on {platform}" + (
            " together with tf_keras" if legacy_keras else "")
        better = _other_python(knowledge, platform, python, legacy_keras, want_metal)
        if better:
            rec.alternative = (f"Use Python {better[0]} in a new virtual environment: "
                               f"{' '.join(better[1].requirements)}")
        return rec
    rec.requirements, reasons = chosen
    rec.reasons = {**reasons, **rec.reasons}
    return rec


def _other_python(kb: Any, platform: str, python: str, legacy: bool, metal: bool):
    """(python, Recommendation) for the newest other Python where the wanted set exists."""
    for other in sorted(PYTHONS, key=lambda p: (p != python, -int(p.split(".")[1]))):
        if other == python:
            continue
        found = _choose(kb, platform, other, legacy, metal)
        if found is not None:
            return other, Recommendation(platform, other, found[0], found[1])
    return None


def _choose(kb: Any, platform: str, python: str, legacy: bool, metal: bool):
    """(pins, reasons) for the newest TensorFlow that satisfies everything asked, or None."""
    from keras_doctor.knowledge.metal_pairs import loading_metals, metal_verdict

    tag = "cp" + python.replace(".", "")
    for release in reversed(kb.releases("tensorflow")):
        if release.yanked or release.wheel_for(platform, python) is None:
            continue
        version = str(release.version)
        requires = _effective_requires(kb, version, platform, python)
        pins: List[str] = [f"tensorflow=={version}"]
        reasons = {"tensorflow": f"newest release with a wheel for {platform} and Python {python}"}
        metals = loading_metals(kb, version, tag) if metal else []
        if metal and not metals:
            continue
        if metals:
            verdict = metal_verdict(kb, version, metals[0])
            pins.append(f"tensorflow-metal=={metals[0]}")
            reasons["tensorflow"] += " that a tensorflow-metal release loads with"
            reasons["tensorflow-metal"] = (f"loads with tensorflow {version} (decided by "
                                           f"{verdict.basis}); it declares no TensorFlow "
                                           "dependency, so it must be pinned")
        keras = _newest(kb, "keras", _spec(requires, "keras"), platform, python)
        if keras is None:
            continue
        pins.append(f"keras=={keras}")
        reasons["keras"] = f"newest keras inside tensorflow {version}'s requirement " \
                           f"{_spec(requires, 'keras') or '(none)'}"
        if legacy and release.version >= _FIRST_TF_KERAS:
            minor = f"=={release.version.major}.{release.version.minor}.*"
            tf_keras = _newest(kb, "tf-keras", SpecifierSet(minor), platform, python)
            if tf_keras is None:
                continue
            pins.append(f"tf-keras=={tf_keras}")
            reasons["tf-keras"] = (f"Keras 2 for legacy code, released for TensorFlow "
                                   f"{release.version.major}.{release.version.minor}; set "
                                   "TF_USE_LEGACY_KERAS=1" if release.version >= _FIRST_KERAS3
                                   else "Keras 2 as tf_keras (tf.keras is Keras 2 already)")
        numpy_spec = _spec(requires, "numpy")
        abi = kb.tf_numpy_abi(version)
        if abi is not None and abi.runtime:
            numpy_spec &= SpecifierSet(abi.runtime)
        numpy = _newest(kb, "numpy", numpy_spec, platform, python)
        if numpy is None:
            continue
        pins.append(f"numpy=={numpy}")
        reasons["numpy"] = (f"newest numpy with a wheel here inside {numpy_spec} (tensorflow "
                            f"{version}'s requirement and the numpy ABI it was built against)")
        return pins, reasons
    return None


def _effective_requires(kb: Any, version: str, platform: str, python: str) -> List[Requirement]:
    """Requirements of the wheel an installer picks, following a shim to the build it installs."""
    from keras_doctor.facts.collect import stated_marker_environment
    from keras_doctor.facts.model import PLATFORMS

    system, arch = PLATFORMS[platform]
    environment = target_environment(stated_marker_environment(system, arch, f"{python}.0"))
    return [req for _, req in wheel_requirements(kb, "tensorflow", version, platform, python,
                                                 environment)]


def _spec(requires: List[Requirement], name: str) -> SpecifierSet:
    spec = SpecifierSet()
    for req in requires:
        if canonicalize_name(req.name) == canonicalize_name(name):
            spec &= req.specifier
    return spec


def _newest(kb: Any, project: str, spec: SpecifierSet, platform: str,
            python: str) -> Optional[str]:
    for release in reversed(kb.releases(project)):
        if release.yanked or not spec.contains(release.version):
            continue
        if release.wheel_for(platform, python) is not None:
            return str(release.version)
    return None
