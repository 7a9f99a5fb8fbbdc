"""Which versions go together: the newest working set on a target, or the set to resolve here.

A resolver cannot answer this alone: tensorflow-metal declares no TensorFlow dependency, several
TensorFlow releases do not declare the numpy ABI they need, and whether a release has a wheel for a
(platform, Python) is a question of tags. So both answers are built from the knowledge base:

- `recommend(platform, python)` — for `keras-doctor recommend` and a new environment: the newest
  TensorFlow with a wheel there (and, for Metal, a plugin release that a source says loads with
  it), then Keras, tf_keras and numpy inside what that exact wheel requires, each pinned with its
  reason.
- `recommend_for(facts)` — for `fix`: anchored on what is installed, because a fix repairs, it
  does not upgrade: the TensorFlow build the user chose, at its version, with the constraints its
  own metadata lacks (numpy ABI, the tensorflow-metal pairing). A new environment keeps that
  anchor when the release has a wheel there, else takes `recommend`'s newest set.

Every string returned is built from parsed names and versions, never copied from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from keras_doctor.facts.collect import stated_marker_environment
from keras_doctor.facts.model import PLATFORMS, Facts
from keras_doctor.knowledge.compat_rules import (
    DEPRECATED,
    FIRST_KERAS3_TF,
    FIRST_NUMPY2_TF,
    FIRST_TF_KERAS_TF,
    TF_FAMILY,
)
from keras_doctor.knowledge.metal_pairs import (
    BASIS_WORDS,
    metal_verdict,
    preferred_metals,
    tensorflow_for_metal,
)
from keras_doctor.plan.installers import valid_name
from keras_doctor.requirements import target_environment, wheel_requirements

PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
_FIRST_KERAS3 = Version(FIRST_KERAS3_TF)
_FIRST_TF_KERAS = Version(FIRST_TF_KERAS_TF)
_FIRST_NUMPY2_TF = Version(FIRST_NUMPY2_TF)
# TensorFlow builds `recommend` can name the newest release of (both have release tables).
_KNOWN_BUILDS = ("tensorflow", "tensorflow-cpu")
_NOTES = {
    "windows-amd64": "GPU support on native Windows ended with TensorFlow 2.10; later releases run "
                     "on the CPU there (use WSL2 for a GPU).",
    "macos-x86_64": "TensorFlow 2.16 is the last release with Intel-Mac wheels, and "
                    "tensorflow-metal 1.0.0 the last Intel-Mac plugin.",
}


@dataclass
class Recommendation:
    """A requirement set with the reason for each pin; `ok` False says why there is none."""

    platform: str
    python_version: str
    requirements: List[str] = field(default_factory=list)
    reasons: Dict[str, str] = field(default_factory=dict)  # distribution name → why it is pinned
    ok: bool = True
    problem: Optional[str] = None
    alternative: Optional[str] = None
    notes: List[str] = field(default_factory=list)
    tensorflow: Optional[str] = None  # the TensorFlow distribution the set keeps (canonical name)
    # The environment uses tensorflow-metal but no release loads with this set on this Python:
    # such a set is no home for it (a new environment must keep its GPU).
    lacks_metal: bool = False

    def to_dict(self) -> Dict[str, Any]:
        return {"platform": self.platform, "python_version": self.python_version,
                "ok": self.ok, "requirements": list(self.requirements),
                "reasons": dict(self.reasons), "problem": self.problem,
                "alternative": self.alternative, "notes": list(self.notes)}


def recommend(platform: str, python_version: str, knowledge: Any = None,
              legacy_keras: bool = False, metal: Optional[bool] = None,
              build: str = "tensorflow") -> Recommendation:
    """The newest working set for `platform` ("macos-arm64", …) and Python "X.Y".

    `build` is the TensorFlow distribution to recommend: an environment that has tensorflow-cpu
    keeps it (installing `tensorflow` beside it makes two builds own the same files).
    """
    if knowledge is None:
        from keras_doctor.knowledge import load

        knowledge = load()
    python = ".".join(python_version.split(".")[:2])
    if build != "tensorflow" and build not in (_safe(knowledge.projects) or []):
        build = "tensorflow"
    rec = Recommendation(platform, python, notes=[_NOTES[platform]] if platform in _NOTES else [],
                         tensorflow=build)
    want_metal = platform == "macos-arm64" if metal is None else metal
    if want_metal and platform != "macos-arm64":
        rec.ok = False
        rec.problem = "tensorflow-metal exists only for Apple Silicon Macs (macos-arm64)"
        rec.alternative = "Drop --metal: TensorFlow runs on the CPU here"
        return rec
    chosen = _choose(knowledge, platform, python, legacy_keras, want_metal, build)
    if chosen is None and build != "tensorflow":
        rec.tensorflow, build = "tensorflow", "tensorflow"
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
                rec.alternative = f"Python {better[0]}: {' '.join(better[1])}"
    if chosen is None:
        rec.ok = False
        what = "tensorflow-metal pairing" if want_metal else "TensorFlow release"
        rec.problem = f"No {what} has wheels for Python {python} on {platform}" + (
            " together with tf_keras" if legacy_keras else "")
        better = _other_python(knowledge, platform, python, legacy_keras, want_metal)
        if better:
            rec.alternative = (f"Use Python {better[0]} in a new virtual environment: "
                               f"{' '.join(better[1])}")
        return rec
    rec.requirements, reasons = chosen
    rec.reasons = {**reasons, **rec.reasons}
    return rec


def _other_python(kb: Any, platform: str, python: str, legacy: bool,
                  metal: bool) -> Optional[Tuple[str, List[str]]]:
    """(python, pins) for the newest other Python where the wanted set exists."""
    for other in sorted(PYTHONS, key=lambda p: -int(p.split(".")[1])):
        if other == python:
            continue
        found = _choose(kb, platform, other, legacy, metal)
        if found is not None:
            return other, found[0]
    return None


def _choose(kb: Any, platform: str, python: str, legacy: bool, metal: bool,
            build: str = "tensorflow") -> Optional[Tuple[List[str], Dict[str, str]]]:
    """(pins, reasons) for the newest TensorFlow that satisfies everything asked, or None."""
    tag = "cp" + python.replace(".", "")
    for release in reversed(kb.releases(build)):
        if release.yanked or release.wheel_for(platform, python) is None:
            continue
        version = str(release.version)
        requires = _effective_requires(kb, version, platform, python, build)
        pins: List[str] = [f"{build}=={version}"]
        reasons = {build: f"newest release with a wheel for {platform} and Python {python}"
                   + (" (the TensorFlow build already installed)" if build != "tensorflow"
                      else "")}
        metals = preferred_metals(kb, version, tag) if metal else []
        if metal and not metals:
            continue
        if metals:
            verdict = metal_verdict(kb, version, metals[0])
            pins.append(f"tensorflow-metal=={metals[0]}")
            reasons[build] += " that a tensorflow-metal release loads with"
            reasons["tensorflow-metal"] = (f"loads with tensorflow {version} (known from "
                                           f"{BASIS_WORDS[verdict.basis]}); it declares no "
                                           "TensorFlow dependency, so it must be pinned")
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
        numpy_cap = _numpy_cap(version, kb)
        if numpy_cap:
            numpy_spec &= SpecifierSet(numpy_cap)
        numpy = _newest(kb, "numpy", numpy_spec, platform, python)
        if numpy is None:
            continue
        pins.append(f"numpy=={numpy}")
        reasons["numpy"] = (f"newest numpy with a wheel here inside {numpy_spec} (tensorflow "
                            f"{version}'s requirement and the numpy ABI it was built against)")
        return pins, reasons
    return None


def _effective_requires(kb: Any, version: str, platform: str, python: str,
                        build: str) -> List[Requirement]:
    """Requirements of the wheel an installer picks, following a shim to the build it installs."""
    system, arch = PLATFORMS[platform]
    environment = target_environment(stated_marker_environment(system, arch, f"{python}.0"))
    return [req for _, req in wheel_requirements(kb, build, version, platform, python,
                                                 environment)]


def _spec(requires: List[Requirement], name: str) -> SpecifierSet:
    """Every requirement on `name` (a canonical name) together."""
    spec = SpecifierSet()
    for req in requires:
        if canonicalize_name(req.name) == name:
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


def recommend_for(facts: Facts, knowledge: Any = None, python_version: Optional[str] = None,
                  platform: Optional[str] = None, upgrade: bool = False,
                  propose_tensorflow: bool = True) -> Recommendation:
    """The requirement set to resolve here, or for a new environment on `python_version`.

    In place, the installed TensorFlow build and version are kept: a fix repairs, it does not
    upgrade (`upgrade` asks for the newest working set instead, keeping the build the user chose
    and the GPU plugin they use). A new environment keeps them too when that release has a wheel
    there, else takes the newest working set from `recommend`. `platform` overrides the facts'
    own (a native environment for an interpreter that runs translated). `propose_tensorflow`
    False (an in-place repair) never adds a TensorFlow the environment does not have: a plan that
    installs one to mend a numpy pin changes what no finding asked to change.
    """
    platform = platform or facts.target.platform
    if upgrade:
        python = python_version or facts.interpreter.version  # recommend reads its minor
        newest = _newest_set(facts, knowledge, python, platform)
        if newest is not None:
            return newest
    anchored = _anchored_on_installed(facts, knowledge, python_version, platform,
                                      propose_tensorflow)
    if python_version is None:
        return anchored
    if anchored.requirements and not anchored.lacks_metal and \
            has_wheel(knowledge, anchored, platform, python_version):
        return anchored
    newest = _newest_set(facts, knowledge, python_version, platform)
    return newest if newest is not None else anchored


def _newest_set(facts: Facts, knowledge: Any, python_version: str,
                platform: str) -> Optional[Recommendation]:
    if knowledge is None:
        return None
    installed = installed_versions(facts)
    # An environment that uses the GPU plugin needs a Python and a TensorFlow it has wheels and a
    # pairing for; one that does not use it is not given one.
    want_metal = platform == "macos-arm64" and "tensorflow-metal" in installed
    build = installed_build(installed, platform)
    result = _safe(lambda: recommend(platform, python_version, knowledge, metal=want_metal,
                                     legacy_keras="tf-keras" in installed, build=build))
    return result if result is not None and result.ok else None  # an ok set always has pins


def installed_build(installed: Dict[str, Version], platform: str) -> str:
    """The TensorFlow distribution a new set should keep: the one installed (tensorflow-cpu stays
    tensorflow-cpu), unless it is a shim or obsolete here."""
    family = {n: v for n, v in installed.items() if n in TF_FAMILY}
    if not family:
        return "tensorflow"
    kept = _kept_build(family, platform)
    return kept if kept in _KNOWN_BUILDS else "tensorflow"


def has_wheel(knowledge: Any, rec: Recommendation, platform: str, python_version: str) -> bool:
    """False only when the knowledge base knows the anchored release has no wheel there."""
    if knowledge is None or rec.tensorflow is None:
        return True  # unknown here: the resolver decides
    anchor = next(r for r in rec.requirements if r.startswith(f"{rec.tensorflow}=="))
    version = anchor.removeprefix(f"{rec.tensorflow}==")
    found = _safe(lambda: knowledge.wheel_for(rec.tensorflow, version, platform, python_version))
    return found is not None or _safe(lambda: knowledge.release(rec.tensorflow, version)) is None


def installed_versions(facts: Facts) -> Dict[str, Version]:
    """{canonical name: version} of the first readable copy of each distribution."""
    found: Dict[str, Version] = {}
    for dist in facts.distributions:
        if dist.error is not None or dist.canonical_name in found:
            continue
        try:
            found[valid_name(dist.name)] = Version(dist.version)
        except (InvalidVersion, ValueError):
            continue  # a name or version that does not parse never reaches a command line
    return found


def _anchored_on_installed(facts: Facts, knowledge: Any, python_version: Optional[str],
                           platform: str, propose_tensorflow: bool) -> Recommendation:
    installed = installed_versions(facts)
    python = python_version or ".".join(facts.interpreter.version.split(".")[:2])
    rec = Recommendation(platform, python)
    family = {n: v for n, v in installed.items() if n in TF_FAMILY}
    if family:
        keep_name = _kept_build(family, platform)
        version = max(family.values())
        rec.tensorflow = keep_name
        rec.requirements.append(f"{keep_name}=={version}")
        rec.reasons[keep_name] = "the TensorFlow build already installed"
    elif knowledge is not None and propose_tensorflow:
        lone = installed.get("tensorflow-metal") if platform == "macos-arm64" else None
        # `tensorflow` has arm64 wheels from 2.13 on, tensorflow-macos before
        paired = _safe(lambda: tensorflow_for_metal(
            knowledge, str(lone), platform, python,
            builds=("tensorflow-macos", "tensorflow"))) if lone else None
        if paired is not None:
            rec.tensorflow, version = paired
            rec.reasons[rec.tensorflow] = (f"newest release with a wheel for {platform} and Python "
                                           f"{python} that the installed tensorflow-metal {lone} "
                                           "loads with")
        else:
            newest = _safe(lambda: knowledge.newest_release("tensorflow", platform, python))
            if newest is None:
                return rec
            rec.tensorflow, version = "tensorflow", newest.version
            rec.reasons["tensorflow"] = (f"newest release with a wheel for {platform} and "
                                         f"Python {python}")
        rec.requirements.append(f"{rec.tensorflow}=={version}")
    else:
        return rec
    numpy_cap = _numpy_cap(str(version), knowledge)
    if numpy_cap:
        rec.requirements.append(f"numpy{numpy_cap}")
        rec.reasons["numpy"] = f"TensorFlow {version} is a NumPy 1 build"
    if "tensorflow-metal" in installed and platform == "macos-arm64":
        metal = _loading_metal(knowledge, str(version), python, installed.get("tensorflow-metal"))
        if metal is not None:
            rec.requirements.append(f"tensorflow-metal=={Version(metal)}")
            rec.reasons["tensorflow-metal"] = (f"the knowledge base says it loads with TensorFlow "
                                               f"{version}; no resolver can tell, as it declares "
                                               "no TensorFlow dependency")
        else:
            rec.lacks_metal = True
            rec.reasons["tensorflow-metal"] = (f"left out: no release is known to load with "
                                               f"TensorFlow {version} on Python {python}")
    return rec


def _loading_metal(knowledge: Any, tf_version: str, python: str,
                   installed: Optional[Version] = None) -> Optional[str]:
    """The metal release to pin with this TF: the installed one when a source says it loads (a
    working plugin stays), else Apple's pairing when it loads, else the newest that loads; None
    when none does or no knowledge base says."""
    found = _safe(lambda: preferred_metals(knowledge, tf_version, "cp" + python.replace(".", ""),
                                           keep=str(installed) if installed is not None else None))
    return found[0] if found else None


def _kept_build(family: Dict[str, Version], platform: str) -> str:
    """The TensorFlow distribution to keep: the installed one, unless it is a shim or empty here
    (compat_rules.DEPRECATED at warning or error: tensorflow-macos 2.15.1 installs nothing,
    2.16 only pulls in `tensorflow`). tensorflow-macos up to 2.15.0 is the real build of its era
    and stays: `tensorflow` has no macOS arm64 wheel before 2.13."""
    newest = max(family.values())
    candidates = [n for n, v in family.items() if v == newest]
    if any(_replaced_here(n, newest, platform) for n in candidates):
        return "tensorflow"
    return min(candidates)  # `tensorflow` itself, when installed, sorts before every other build


def _replaced_here(name: str, version: Version, platform: str) -> bool:
    for rule in DEPRECATED:
        if rule["name"] != name or (rule["platforms"] and platform not in rule["platforms"]):
            continue
        if SpecifierSet(rule["versions"]).contains(version, prereleases=True):
            return rule["severity"] in ("warning", "error") and rule["replacement"] == "tensorflow"
    return False


def _numpy_cap(tf_version: str, knowledge: Any) -> Optional[str]:
    abi = _safe(lambda: knowledge.tf_numpy_abi(tf_version))  # None without a knowledge base
    if abi is not None and abi.runtime:
        return str(abi.runtime)
    return "<2" if Version(tf_version) < _FIRST_NUMPY2_TF else None


_T = TypeVar("_T")


def _safe(call: Callable[[], _T]) -> Optional[_T]:
    try:
        return call()
    except Exception:  # a knowledge base without the file asked for: answer unknown
        return None
