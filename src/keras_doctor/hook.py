"""`import keras_doctor.hook`: explain TensorFlow/Keras errors of a plain script as it dies.

Put the import first in a script (or in `sitecustomize.py`): an uncaught exception raised from
TensorFlow, Keras or numpy prints its normal traceback, then the diagnosis on standard error.
The previous `sys.excepthook` still runs first, so other tools that hook exceptions keep working.
"""

from __future__ import annotations

import sys
from typing import Any

_previous = sys.excepthook


def _excepthook(etype: type, value: BaseException, tb: Any) -> None:
    _previous(etype, value, tb)
    if issubclass(etype, (KeyboardInterrupt, SystemExit)):
        return
    try:
        from keras_doctor.ipython import diagnose
        from keras_doctor.render import render

        report = diagnose(etype, value, tb)
        if report is not None:
            print("", file=sys.stderr)
            render(report, "terminal", file=sys.stderr)
    except Exception as exc:  # the user's traceback is already out; the diagnosis is a bonus
        print(
            f"keras-doctor: could not diagnose this error ({type(exc).__name__}: {exc})",
            file=sys.stderr,
        )


def install() -> None:
    if sys.excepthook is not _excepthook:
        global _previous
        _previous = sys.excepthook
        sys.excepthook = _excepthook


install()
