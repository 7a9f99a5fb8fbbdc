"""What a resolve step may consult about the error: its text, its frames, and the installed Keras.

Shared by `resolve` and the import steps in `resolve_imports`, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from keras_doctor.explain import lazyre
from keras_doctor.explain.clues import Clues
from keras_doctor.explain.names import NameResolver

# What a step concludes: (cause ID, weight, evidence).
Outcome = Tuple[str, float, Dict[str, Any]]

_KERAS3 = lazyre.compile(
    r"keras[/\\]api[/\\](?!_v\d)|keras\._tf_keras|keras[/\\]src[/\\]backend|"
    r"[Kk]eras 3\b|keras 3\.\d|TFSMLayer|keras\.src\.legacy"
)

@dataclass
class Context:
    text: str
    frames: List[str]
    names: NameResolver
    always_present: Dict[str, List[str]]
    clues: Clues  # the paste read once (platform, machine, installer, ...) for every step
    keras3_known: Optional[bool] = None  # from the facts (installed keras), when there are facts
    python_version: str = ""  # the Python the traceback's paths show ("3.8"), if any

    @property
    def keras3(self) -> bool:
        if self.keras3_known is not None:
            return self.keras3_known
        return bool(_KERAS3.search(self.text))

    @property
    def keras2_only(self) -> bool:
        """No Keras 3 can have run: the traceback's Python is one no Keras 3 release supports
        (so what Keras 3 removed cannot be why a name is missing)."""
        if self.keras3_known:
            return False
        from keras_doctor.explain.clues import keras3_installable

        return bool(self.python_version) and not keras3_installable(self.python_version)

    def library(self) -> str:
        """The third-party package whose code ran the failing statement ('' for user code)."""
        from keras_doctor.explain.clues import failing_package

        return failing_package(self.frames)
