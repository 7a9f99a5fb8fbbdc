"""`%load_ext keras_doctor`: diagnose TensorFlow/Keras errors right under their traceback.

In a notebook or IPython session, an ImportError, AttributeError, OSError… raised from TensorFlow,
Keras or numpy first shows its normal traceback, then the diagnosis: HTML in a notebook, text in a
terminal. Other errors are left alone. The kernel's own environment refines the answer (its facts
are read without importing the framework); if that fails, the text alone still explains.
"""

from __future__ import annotations

import re
import sys
import traceback
from typing import Any, Optional

EXCEPTIONS = (
    ImportError,
    AttributeError,
    OSError,
    RuntimeError,
    ValueError,
    TypeError,
    SystemError,
)
_RELEVANT = re.compile(
    r"[/\\](?:tensorflow|tensorflow_core|keras|tf_keras|numpy|h5py|ml_dtypes|jax|"
    r"tensorflow_hub|tensorflow-plugins)[/\\]|google[/\\]protobuf|"
    r"\b(?:tensorflow|keras|numpy|NumPy|protobuf|ml_dtypes|h5py|KerasTensor|_pywrap_tensorflow)"
)


def relevant(text: str) -> bool:
    """Whether an error comes from (or names) the stack keras-doctor knows about."""
    return bool(_RELEVANT.search(text))


def diagnose(etype: type, value: BaseException, tb: Any, with_facts: bool = True):
    """The report for an exception, or None when it is not a TensorFlow/Keras/numpy error."""
    text = "".join(traceback.format_exception(etype, value, tb))
    if not relevant(text):
        return None
    from keras_doctor.explain import explain_text

    facts = None
    if with_facts:
        try:
            from keras_doctor.facts.collect import collect_running

            facts = collect_running()
        except Exception:  # a diagnosis from the text alone beats none
            facts = None
    report = explain_text(text, facts)
    return report if report.findings else None


def _in_notebook(shell: Any) -> bool:
    return type(shell).__name__ == "ZMQInteractiveShell" or "ipykernel" in sys.modules


def show(report: Any, shell: Any) -> None:
    import io

    from keras_doctor.render import render

    if _in_notebook(shell):
        from IPython.display import HTML, display

        buffer = io.StringIO()
        render(report, "html", file=buffer)
        display(HTML(buffer.getvalue()))
    else:
        render(report, "terminal", file=sys.stdout)


def _handler(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Optional[int] = None
) -> None:
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    try:
        report = diagnose(etype, value, tb)
        if report is not None:
            show(report, shell)
    except Exception as exc:  # never let the diagnosis hide the user's own error
        print(
            f"keras-doctor: could not diagnose this error ({type(exc).__name__}: {exc})",
            file=sys.stderr,
        )
    return None


def load_ipython_extension(ipython: Any) -> None:
    ipython.set_custom_exc(EXCEPTIONS, _handler)


def unload_ipython_extension(ipython: Any) -> None:
    ipython.set_custom_exc((), None)
