"""`%load_ext keras_doctor`: diagnose TensorFlow/Keras errors where they happen.

In a notebook, an ImportError, AttributeError, OSError… raised from TensorFlow, Keras or numpy is
answered with the diagnosis first — one summary line, the causes with their fixes — and the
traceback folded under it (the error itself stays the cell's error output, in one line). Fixes are
written for the notebook: `%pip install …` (which installs into the kernel's environment, where
`!pip` may not), and every change to installed packages ends with "restart the kernel", since a
running kernel keeps the modules it already imported. The output carries HTML and a real text
version, so `jupyter console` and other text frontends read the same diagnosis.
In terminal IPython the traceback comes first as usual, preceded by a one-line summary and
followed by the diagnosis as text. Other errors are left alone. The kernel's own environment
refines the answer (its facts are read without importing the framework); if that fails, the text
alone still explains.
"""

from __future__ import annotations

import contextlib
import re
import sys
import traceback
from typing import Any, List, Optional

EXCEPTIONS = (
    ImportError,
    AttributeError,
    OSError,
    RuntimeError,
    ValueError,
    TypeError,
    SystemError,
)
_PACKAGE_FOLDER = re.compile(
    r"[/\\](?:tensorflow|tensorflow_core|keras|tf_keras|numpy|h5py|ml_dtypes|jax|"
    r"tensorflow_hub|tensorflow-plugins)[/\\]|google[/\\]protobuf"
)
_NAMED = re.compile(
    r"\b(?:tensorflow|keras|numpy|NumPy|protobuf|ml_dtypes|h5py|KerasTensor|_pywrap_tensorflow)"
)
# A frame's file is judged by its package folders only: a project or a virtualenv called
# `keras-env` or `keras_project` says nothing about where the error came from.
_FRAME_FILE = re.compile(r'File "[^"\n]*"')


def relevant(text: str) -> bool:
    """Whether an error comes from (or names) the stack keras-doctor knows about."""
    return bool(_PACKAGE_FOLDER.search(text) or _NAMED.search(_FRAME_FILE.sub("File", text)))


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
    if facts is not None and facts.interpreter.kind == "conda":
        # which packages conda installed here: their fixes are written `%conda install`
        report.extra["conda_installed"] = sorted(
            d.canonical_name for d in facts.distributions if (d.installer or "") == "conda")
    return report if report.findings else None


def _in_notebook(shell: Any) -> bool:
    return type(shell).__name__ == "ZMQInteractiveShell"  # the kernel's shell, any frontend


RESTART = ("Restart the kernel (Kernel → Restart) after changing installed packages: a running "
           "kernel keeps the modules it already imported")
_DROP = {"--disable-pip-version-check"}
_UV_TO_PIP = {"--reinstall": "--force-reinstall", "--no-cache": "--no-cache-dir"}


def notebook_command(argv: Any) -> Optional[List[str]]:
    """`%pip install …` for a pip or uv command that changes the kernel's environment, else None.

    `%pip` always targets the kernel's own interpreter, so the interpreter path and uv's
    `--python PATH` are dropped; a uv-only option is translated to pip's."""
    args = [str(a) for a in argv or ()]
    if "pip" not in args:
        return None
    rest = args[args.index("pip") + 1:]
    if rest[:2] == ["--python", rest[1] if len(rest) > 1 else ""]:
        rest = rest[2:]
    if not rest or rest[0] not in ("install", "uninstall"):
        return None
    out: List[str] = []
    skip = False
    for arg in rest:
        if skip:
            skip = False
            continue
        if arg == "--python":
            skip = True
            continue
        if arg in _DROP:
            continue
        out.append(_UV_TO_PIP.get(arg, arg))
    if out[0] == "uninstall" and "-y" not in out:
        out.insert(1, "-y")
    return ["%pip", *out]


def for_notebook(report: Any, conda: bool = False) -> Any:
    """The report with its fixes written for a notebook cell, then a kernel restart: `%pip`, or in
    a conda environment `%conda install` for an install of packages conda itself installed there
    (pip over a conda package leaves conda's records wrong, and conda's next change undoes it)."""
    from dataclasses import replace

    from keras_doctor.findings import FixStep, StepKind

    by_conda = set(report.extra.get("conda_installed") or ()) if conda else set()
    findings = []
    for finding in report.findings:
        steps, changed = [], False
        for step in finding.fix:
            magic = notebook_command(step.command) if step.kind is StepKind.RUN else None
            if magic is not None:
                changed = True
                magic = conda_command(magic, by_conda) or magic
                steps.append(replace(step, command=tuple(magic)))
            else:
                steps.append(step)
        if changed:
            note = RESTART
            if conda:
                note += " (this kernel runs in a conda environment: change what conda " \
                        "installed with `%conda install`, what pip installed with `%pip`)"
            steps.append(FixStep(note, StepKind.MANUAL))
        findings.append(replace(finding, fix=tuple(steps)))
    return replace(report, findings=findings)


def conda_command(magic: List[str], by_conda: Any) -> Optional[List[str]]:
    """`%conda install -y SPEC…` for a `%pip install` of packages that conda installed here (each
    requirement kept as written: conda reads `numpy<2.0.0,>=1.23.5` and `numpy==1.26.4` alike, and
    its solver decides the dependencies pip's `--no-deps` held back); None when any of them came
    from pip, or the command is more than a plain install."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    if magic[:2] != ["%pip", "install"]:
        return None
    options = [arg for arg in magic[2:] if arg.startswith("-")]
    specs = [arg for arg in magic[2:] if not arg.startswith("-")]
    if not specs or any(o not in ("--no-deps", "--upgrade", "-U") for o in options):
        return None  # a forced reinstall, another index…: no plain conda counterpart
    try:
        names = {canonicalize_name(Requirement(spec).name) for spec in specs}
    except InvalidRequirement:
        return None
    if not names <= set(by_conda):
        return None
    return ["%conda", "install", "-y", *specs]


def summary(report: Any) -> str:
    """One line for the top of the output: the most likely cause and its first command."""
    from keras_doctor.render import view

    top = view.ordered(report)[0]
    chance = f" ({view.percent(top.confidence)})" if top.confidence is not None else ""
    line = f"keras-doctor: most likely {top.cause}{chance} — {top.title}"
    command = next((view.step_code(s) for s in top.fix if view.step_code(s)), None)
    if command:
        line += f". Fix: {command}"
        if command.startswith(("%pip", "%conda")):
            line += ", then restart the kernel"
    return line


def show(report: Any, shell: Any, traceback_text: str = "") -> None:
    """Display the diagnosis: HTML with a text version for every frontend; in a terminal, text."""
    from keras_doctor.render import render, render_to_string

    if not _in_notebook(shell):
        render(report, "terminal", file=sys.stdout)
        return
    import html

    from IPython.display import display

    from keras_doctor.render.htmlfmt import PRE_STYLE, to_html

    report = for_notebook(report, conda=_conda_kernel())
    line = summary(report)
    text = f"{line}\n\n{render_to_string(report, 'terminal', width=100)}"
    fragment = (f'<div style="font-weight: 600; margin: .2em 0 .4em">{html.escape(line)}</div>'
                + to_html(report))
    if traceback_text:
        text += f"\n{traceback_text}"
        fragment += ("<details><summary style=\"cursor: pointer; opacity: .7\">Traceback"
                     f"</summary><pre style=\"{PRE_STYLE}\">{html.escape(traceback_text)}"
                     "</pre></details>")
    display({"text/plain": text, "text/html": fragment}, raw=True)


def _conda_kernel() -> bool:
    """Whether the kernel's interpreter lives in a conda environment: its prefix holds
    `conda-meta/` (as facts read it), whether or not the kernel was started with it activated."""
    import os

    return os.path.isdir(os.path.join(sys.prefix, "conda-meta")) or (
        bool(os.environ.get("CONDA_PREFIX")) and sys.prefix == os.environ.get("CONDA_PREFIX"))


def _handler(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Optional[int] = None
) -> None:
    try:
        report = diagnose(etype, value, tb)
    except Exception as exc:  # never let the diagnosis hide the user's own error
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        print(
            f"keras-doctor: could not diagnose this error ({type(exc).__name__}: {exc})",
            file=sys.stderr,
        )
        return None
    if report is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    if _in_notebook(shell):
        full = "".join(traceback.format_exception(etype, value, tb))
        try:
            show(report, shell, full)
        except Exception as exc:  # the traceback must still reach the user in full
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            print(f"keras-doctor: could not show the diagnosis ({exc})", file=sys.stderr)
            return None
        # The cell still fails with its own error, in one line: the full traceback is above.
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, exception_only=True)
        return None
    with contextlib.suppress(Exception):  # a summary is a courtesy; the rest still follows
        print(summary(report) + " (details below the traceback)")
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    try:
        show(report, shell)
    except Exception as exc:
        print(f"keras-doctor: could not show the diagnosis ({exc})", file=sys.stderr)
    return None


def load_ipython_extension(ipython: Any) -> None:
    ipython.set_custom_exc(EXCEPTIONS, _handler)


def unload_ipython_extension(ipython: Any) -> None:
    ipython.set_custom_exc((), None)
