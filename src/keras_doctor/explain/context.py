"""What a resolve step may consult about the error: its text, its frames, and the installed Keras.

Shared by `resolve` and the import steps in `resolve_imports`, so neither imports the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from keras_doctor.explain.names import NameResolver
from keras_doctor.explain.text import site_package_of

# What a step concludes: (cause ID, weight, evidence).
Outcome = Tuple[str, float, Dict[str, Any]]

_KERAS3 = re.compile(
    r"keras[/\\]api[/\\](?!_v\d)|keras\._tf_keras|keras[/\\]src[/\\]backend|"
    r"[Kk]eras 3\b|keras 3\.\d|TFSMLayer|keras\.src\.legacy"
)
_INFRA = ("importlib", "_pydev", "pydev", "runpy", "IPython", "ipykernel", "<frozen")
_FRAMEWORK_PACKAGES = {
    "keras",
    "tensorflow",
    "tf_keras",
    "keras_core",
    "six",
    "tensorflow_core",
    "IPython",
    "ipykernel",
    "importlib_metadata",
}


@dataclass
class Context:
    text: str
    frames: List[str]
    names: NameResolver
    always_present: Dict[str, List[str]]
    keras3_known: Optional[bool] = None  # from the facts (installed keras), when there are facts

    @property
    def keras3(self) -> bool:
        if self.keras3_known is not None:
            return self.keras3_known
        return bool(_KERAS3.search(self.text))

    def library(self) -> str:
        """The third-party package whose code ran the failing statement ('' for user code)."""
        for path in reversed(self.frames):
            if any(marker in path for marker in _INFRA):
                continue
            package = site_package_of(path)
            if package in _FRAMEWORK_PACKAGES:
                continue
            return package
        return ""
