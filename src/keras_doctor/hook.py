"""`import keras_doctor.hook`: explain TensorFlow/Keras errors of a plain script as it dies.

Put the import first in a script (or in `sitecustomize.py`): an uncaught exception raised from
TensorFlow, Keras or numpy prints a one-line summary of the most likely cause, its normal
traceback, then the diagnosis on standard error.
The previous `sys.excepthook` still runs first, so other tools that hook exceptions keep working.
"""

from __future__ import annotations

import sys
from typing import Any, Type

_previous = sys.excepthook


def _excepthook(etype: Type[BaseException], value: BaseException, tb: Any) -> None:
    if issubclass(etype, (KeyboardInterrupt, SystemExit)):
        _previous(etype, value, tb)
        return
    report, problem = None, None
    try:
        from keras_doctor.ipython import diagnose

        report = diagnose(etype, value, tb)
    except Exception as exc:  # the user's traceback comes first of all; the diagnosis is a bonus
        problem = exc
    if report is not None:
        try:
            from keras_doctor.ipython import summary

            print(summary(report) + " (details below the traceback)", file=sys.stderr)
        except Exception:  # the summary line is a courtesy
            pass
    _previous(etype, value, tb)
    if problem is not None:
        print(f"keras-doctor: could not diagnose this error ({type(problem).__name__}: "
              f"{problem})", file=sys.stderr)
        return
    if report is not None:
        try:
            from keras_doctor.render import render

            print("", file=sys.stderr)
            render(report, "terminal", file=sys.stderr)
        except Exception as exc:
            print(f"keras-doctor: could not show the diagnosis ({exc})", file=sys.stderr)


def install() -> None:
    if sys.excepthook is not _excepthook:
        global _previous
        _previous = sys.excepthook
        sys.excepthook = _excepthook


install()
