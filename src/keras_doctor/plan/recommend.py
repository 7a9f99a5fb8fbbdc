"""The one seam between the plan and the knowledge base: which requirement set to resolve.

`keras_doctor.knowledge.recommend` is the authority on "which versions go together here"; when it
is present it decides. Until then (or when it has no answer) the plan anchors on what is installed:
the TensorFlow build the user chose, at its version, with the constraints its own metadata lacks
taken from the knowledge base (numpy ABI, the tensorflow-metal pairing, which no resolver can know
because tensorflow-metal declares no TensorFlow dependency). Every string returned here is built
from parsed names and versions, never copied from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from packaging.version import InvalidVersion, Version

from keras_doctor.facts.model import Facts
from keras_doctor.plan.installers import valid_name

TF_FAMILY = frozenset({
    "tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel",
    "tensorflow-cpu-aws", "tensorflow-aarch64", "tensorflow-rocm", "intel-tensorflow",
    "tf-nightly", "tf-nightly-cpu", "tf-nightly-macos", "tf-nightly-intel", "tf-nightly-gpu",
})
# Builds that are only shims or obsolete on a platform: replaced by plain `tensorflow` there.
_OBSOLETE = {"macos-arm64": {"tensorflow-macos"}, "macos-x86_64": {"tensorflow-macos"}}
_FIRST_NUMPY2_TF = Version("2.18")  # causes.py, numpy-abi-mismatch: TF <= 2.17 is a NumPy 1 build


@dataclass
class Recommendation:
    requirements: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # why each constraint is there, for the plan
    tensorflow: Optional[str] = None  # the TF distribution the set keeps (canonical name)


def recommend_for(facts: Facts, knowledge: Any = None, python_version: Optional[str] = None,
                  want_metal: Optional[bool] = None,
                  platform: Optional[str] = None) -> Recommendation:
    """The requirement set to resolve here, or for a new environment on `python_version`.

    In place, the installed TensorFlow build and version are kept: a fix repairs, it does not
    upgrade. A new environment keeps them too when that release has a wheel there, else takes the
    newest working set from `keras_doctor.recommend`. `platform` overrides the facts' own (a
    native environment for an interpreter that runs translated).
    """
    platform = platform or facts.target.platform
    anchored = _anchored_on_installed(facts, knowledge, python_version, want_metal, platform)
    if python_version is None:
        return anchored
    if anchored.requirements and has_wheel(knowledge, anchored, platform, python_version):
        return anchored
    newest = _from_recommend_module(facts, knowledge, python_version, want_metal, platform)
    return newest if newest is not None else anchored


def _from_recommend_module(facts: Facts, knowledge: Any, python_version: str,
                           want_metal: Optional[bool], platform: str) -> Optional[Recommendation]:
    if knowledge is None:
        return None
    try:
        from keras_doctor.recommend import recommend
    except ImportError:
        return None
    if want_metal is None and platform == "macos-arm64":
        want_metal = None if "tensorflow-metal" in installed_versions(facts) else False
    result = _safe(lambda: recommend(platform, python_version, knowledge,
                                     metal=want_metal))
    if result is None or not result.ok or not result.requirements:
        return None
    notes = [f"{name}: {why}" for name, why in result.reasons.items()]
    return Recommendation(list(result.requirements), notes + list(result.notes), "tensorflow")


def has_wheel(knowledge: Any, rec: Recommendation, platform: str, python_version: str) -> bool:
    """False only when the knowledge base knows the anchored release has no wheel there."""
    if knowledge is None or rec.tensorflow is None:
        return True  # unknown here: the resolver decides
    anchor = next(r for r in rec.requirements if r.startswith(f"{rec.tensorflow}=="))
    version = anchor.split("==", 1)[1]
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
                           want_metal: Optional[bool], platform: str) -> Recommendation:
    rec = Recommendation()
    installed = installed_versions(facts)
    python = python_version or ".".join(facts.interpreter.version.split(".")[:2])
    family = {n: v for n, v in installed.items() if n in TF_FAMILY}
    if family:
        keep_name = _kept_build(family, platform)
        version = max(family.values())
        rec.tensorflow = keep_name
        rec.requirements.append(f"{keep_name}=={version}")
        rec.notes.append(f"{keep_name} {version}: the TensorFlow build already installed")
    elif knowledge is not None:
        newest = _safe(lambda: knowledge.newest_release("tensorflow", platform, python))
        if newest is None:
            return rec
        version = newest.version
        rec.tensorflow = "tensorflow"
        rec.requirements.append(f"tensorflow=={version}")
        rec.notes.append(f"tensorflow {version}: the newest release with a wheel for {platform}, "
                         f"Python {python}")
    else:
        return rec
    numpy_cap = _numpy_cap(str(version), knowledge)
    if numpy_cap:
        rec.requirements.append(f"numpy{numpy_cap}")
        rec.notes.append(f"numpy{numpy_cap}: TensorFlow {version} is a NumPy 1 build")
    metal_wanted = "tensorflow-metal" in installed if want_metal is None else want_metal
    if metal_wanted and platform == "macos-arm64":
        metal = _loading_metal(knowledge, str(version), python) if knowledge else None
        if metal is not None:
            rec.requirements.append(f"tensorflow-metal=={Version(metal)}")
            rec.notes.append(f"tensorflow-metal {metal}: the knowledge base says it loads with "
                             f"TensorFlow {version}; no resolver can tell, as it declares no "
                             "TensorFlow dependency")
        else:
            rec.notes.append(f"tensorflow-metal: no release is known to load with TensorFlow "
                             f"{version}; it is left out")
    return rec


def _loading_metal(knowledge: Any, tf_version: str, python: str) -> Optional[str]:
    """The newest metal release that loads with this TF (the metal check's own answer)."""
    def ask() -> Optional[str]:
        from keras_doctor.knowledge.metal_pairs import loading_metals

        found = loading_metals(knowledge, tf_version, "cp" + python.replace(".", ""))
        return found[0] if found else None

    found = _safe(ask)
    if found is None:
        pairing = _safe(lambda: knowledge.metal_for_tf(tf_version))
        found = pairing.trusted if pairing is not None else None
    return found


def _kept_build(family: Dict[str, Version], platform: str) -> str:
    obsolete = _OBSOLETE.get(platform, set())
    newest = max(family.values())
    candidates = [n for n, v in family.items() if v == newest]
    if "tensorflow" in candidates or any(n in obsolete for n in candidates):
        return "tensorflow"
    return sorted(candidates)[0]


def _numpy_cap(tf_version: str, knowledge: Any) -> Optional[str]:
    abi = _safe(lambda: knowledge.tf_numpy_abi(tf_version)) if knowledge is not None else None
    if abi is not None and abi.runtime:
        return str(abi.runtime).replace(" ", "")
    return "<2" if Version(tf_version) < _FIRST_NUMPY2_TF else None


def _safe(call):
    try:
        return call()
    except Exception:  # a knowledge base without the file asked for: answer unknown
        return None
