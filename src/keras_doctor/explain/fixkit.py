"""Building blocks of fix steps: the failing interpreter, what is installed, what is declared.

A fix runs pip with the interpreter that failed (from the facts, else `python`) so it lands in the
environment that broke, and pins versions from the facts when they are known: the installed
TensorFlow's minor for tf-keras, the range TensorFlow declares for protobuf or ml-dtypes.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional

from keras_doctor.explain import lazyre
from keras_doctor.findings import FixStep, StepKind

Evidence = Dict[str, Any]
# Distributions imported by another name than their own, for facts without an installed-files
# list (a stated environment): every TensorFlow build installs `tensorflow`, keras-nightly
# installs `keras`.
IMPORTED_AS = {
    **{name: "tensorflow" for name in ("tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos",
                                       "tensorflow-intel", "tensorflow-aarch64", "tf-nightly",
                                       "tf-nightly-cpu", "tf-nightly-gpu")},
    "keras-nightly": "keras", "tf-keras": "tf_keras", "protobuf": "google", "pillow": "PIL",
    "pyyaml": "yaml", "absl-py": "absl", "grpcio": "grpc", "opencv-python": "cv2",
    "opencv-python-headless": "cv2", "scikit-learn": "sklearn", "ml-dtypes": "ml_dtypes",
    "opt-einsum": "opt_einsum",
}
# The distribution to install for an import name that is not its own, the first named above
# (opencv-python for cv2); TensorFlow and Keras builds install under their own import name.
DISTRIBUTION_OF: Dict[str, str] = {"google.protobuf": "protobuf"}
for _distribution, _module in IMPORTED_AS.items():
    if _module not in ("tensorflow", "keras"):
        DISTRIBUTION_OF.setdefault(_module, _distribution)


_INSTALLED_PACKAGE = lazyre.compile(r"[/\\](?:site|dist)-packages[/\\](?P<top>[\w.-]+)[/\\]")


def shadow_path(evidence: Evidence) -> str:
    """The path of the file that hides the package, or "" when the path the error names is the
    installed package's own code (`site-packages/keras/applications/__init__.py`, where an import
    found the real package but not the name): renaming that would break the installation."""
    path = one(evidence, "path")
    installed = _INSTALLED_PACKAGE.search(path)
    top = one(evidence, "module").split(".")[0]
    if installed and top and installed.group("top") == top:
        return ""
    return path


def one(evidence: Mapping[str, Any], key: str) -> str:
    value = evidence.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value) if value else ""


def ran_in_an_emulated_container(evidence: Mapping[str, Any]) -> bool:
    """Whether resolve read the crash as an x86-64 Linux container's under emulation: the
    emulator's own line ("emulator_says") or a Mac's report of a container ("container_says")."""
    return bool(one(evidence, "emulator_says") or one(evidence, "container_says"))


def python_of(facts: Any) -> str:
    interpreter = getattr(facts, "interpreter", None)
    return getattr(interpreter, "executable", None) or "python"


def pip(facts: Any, *args: str) -> List[str]:
    return [python_of(facts), "-m", "pip", "install", *args]


def installed(facts: Any, name: str) -> Optional[str]:
    for dist in getattr(facts, "distributions", None) or ():
        if dist.canonical_name == name:
            return dist.version
    return None


def declared(facts: Any, requirer: str, name: str) -> Optional[str]:
    """The requirement string `requirer` declares for `name` (e.g. 'protobuf>=3.20.3,<5')."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    for dist in getattr(facts, "distributions", None) or ():
        if dist.canonical_name != requirer:
            continue
        for line in dist.requires_dist:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if canonicalize_name(req.name) == name and not req.marker:
                return f"{name}{req.specifier}" if str(req.specifier) else name
    return None


def minor(version: Optional[str]) -> Optional[str]:
    match = re.match(r"(\d+)\.(\d+)", version or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def tf_version(facts: Any) -> Optional[str]:
    for name in ("tensorflow", "tensorflow-macos", "tensorflow-cpu", "tensorflow-intel"):
        version = installed(facts, name)
        if version:
            return version
    return None


def manual(description: str) -> FixStep:
    return FixStep(description, StepKind.MANUAL)


def run_step(description: str, argv: List[str], destructive: bool = False) -> FixStep:
    return FixStep(description, StepKind.RUN, command=tuple(argv), destructive=destructive)
