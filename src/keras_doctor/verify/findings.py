"""From step results to findings: a failed step is explained, a crash is named, a hang is located.

A failed step's own output and traceback go through `explain` (the same signatures the `explain`
command uses), so verify and explain can never disagree about one error. When explain is not
available or recognises nothing, the step still becomes a finding of its own. Facts about the
target are read only when a step went wrong: a healthy run pays nothing for them.
"""

from __future__ import annotations

import signal
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional

from keras_doctor import causes
from keras_doctor.findings import Finding, FixStep, StepKind
from keras_doctor.knowledge.compat_rules import LEGACY_KERAS_VALUES
from keras_doctor.verify.runner import StepResult

FactsSource = Callable[[], Optional[Any]]  # returns the target's Facts, or None when unknown

EVIDENCE_LINES = 40  # lines of a traceback or of stderr kept in a finding's evidence
BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy",
                   "openvino": "openvino"}


def step_findings(step: StepResult, facts: FactsSource, timeout: float,
                  python: str = "python") -> List[Finding]:
    if step.status == "failed":
        return _failed(step, facts, python)
    if step.status == "crashed":
        return [_crashed(step, facts)]
    if step.status == "timeout":
        return [_finding(
            "verify-timeout", f"{step.title} did not finish within {timeout:g} s and was stopped",
            step, {"timeout_seconds": timeout, "output": _tail(step.stderr)},
        )]
    return []


def _failed(step: StepResult, facts: FactsSource, python: str) -> List[Finding]:
    cached = step.data.get("file") if step.name.startswith("weights:") else None
    if isinstance(cached, dict) and cached.get("path") and not cached.get("downloaded"):
        return [_corrupt_weights(step, cached)]
    structured = _backend_unavailable(step) or _legacy_keras_missing(step, python)
    if structured is not None:
        return [structured]
    text = "\n".join(part for part in (step.stderr, step.traceback or step.reason) if part)
    explained = explain_adapter(text, facts)
    if explained:
        return [_stamp(found, step) for found in explained]
    detail = step.reason or "see the output"
    last_output = next((line.strip() for line in reversed(_tail(step.stderr)) if line.strip()), "")
    if step.traceback is None and last_output:  # no traceback of its own: the output says why
        detail = f"{detail} ({last_output})"
    return [_finding(
        "verify-step-failed", f"{step.title} failed: {detail}", step,
        {"error": step.reason, "traceback": _tail(step.traceback or ""),
         "output": _tail(step.stderr), "data": step.data},
    )]


def explain_adapter(text: str, facts: FactsSource) -> List[Finding]:
    """Findings from `keras_doctor.explain.explain_text`, or none when it is missing or fails."""
    if not text.strip():
        return []
    try:
        from keras_doctor.explain import explain_text  # type: ignore[attr-defined]
    except ImportError:
        return []
    try:
        report = explain_text(text, facts())
    except Exception:  # explain is advisory here: its failure must not hide the step's failure
        return []
    # explain's guesses (no known message matched: its fallback priors, or a cause only the
    # learned ranker proposes) never stand in for the step's own error: `verify-step-failed` then
    # reports what failed, in the program's words
    return [f for f in report.findings
            if f.cause in causes.CATALOG and not _only_guessed(f)]


def _only_guessed(found: Finding) -> bool:
    from keras_doctor.explain.calibrate import only_guessed

    return only_guessed(found.evidence.get("signatures") or [])


def _backend_unavailable(step: StepResult) -> Optional[Finding]:
    """`import keras` failed because the backend it was told to use is missing or unknown."""
    backend = step.data.get("configured_backend")
    if step.name != "keras" or not backend:
        return None
    reason = step.reason or ""
    module = BACKEND_MODULES.get(str(backend))
    if module and f"No module named '{module}'" in reason:
        problem = f"is not installed ({module})"
    elif "Unable to import backend" in reason or (module is None and "backend" in reason):
        problem = "is not a backend Keras knows"
    else:
        return None
    source = step.data.get("backend_source")
    fix = FixStep(f"Install {module or 'the backend'}, or point Keras at an installed backend "
                  f"(KERAS_BACKEND, or the \"backend\" key of keras.json)", StepKind.MANUAL)
    return _finding("keras-backend-unavailable",
                    f"Keras is set to the {backend!r} backend (by {source}), which {problem}",
                    step, {"backend": backend, "set_by": source, "error": reason}, fix=(fix,))


def _legacy_keras_missing(step: StepResult, python: str) -> Optional[Finding]:
    """TF_USE_LEGACY_KERAS routes `tf.keras` to tf_keras, and resolving it failed on import."""
    legacy = step.data.get("TF_USE_LEGACY_KERAS")
    if step.name != "tf.keras" or legacy not in LEGACY_KERAS_VALUES:
        return None
    if not step.reason or not any(error in step.reason
                                  for error in ("ImportError", "ModuleNotFoundError")):
        return None
    from packaging.version import InvalidVersion, Version

    try:
        release = Version(str(step.data.get("tensorflow_version"))).release
        requirement = f"tf-keras~={release[0]}.{release[1]}.0"
    except (InvalidVersion, IndexError):
        requirement = "tf-keras"
    fixes = (FixStep(f"Install {requirement} (Keras 2 at TensorFlow's minor)", StepKind.RUN,
                     command=(python, "-m", "pip", "install", requirement)),
             FixStep("Or unset TF_USE_LEGACY_KERAS to use Keras 3 as tf.keras", StepKind.ENV,
                     command=("unset", "TF_USE_LEGACY_KERAS")))
    title = f"TF_USE_LEGACY_KERAS={legacy} sends tf.keras to tf_keras, which does not import"
    evidence = {"TF_USE_LEGACY_KERAS": legacy, "requirement": requirement, "error": step.reason}
    return _finding("missing-dependency", title, step, evidence, fix=fixes)


def _corrupt_weights(step: StepResult, cached: Dict[str, Any]) -> Finding:
    path = str(cached["path"])
    if cached.get("hash_ok") is False:
        problem = "does not match Keras's known hash"
    elif cached.get("hdf5_signature") is False:
        problem = "is not an HDF5 file"
    else:
        problem = f"cannot be loaded ({step.reason})"
    delete = FixStep(f"Delete {path}; Keras downloads it again on next use", StepKind.EDIT,
                     target=path, destructive=True)
    return _finding("weights-cache-corrupt", f"Cached weights {cached.get('file')} {problem}",
                    step, {**cached, "error": step.reason}, fix=(delete,))


def _crashed(step: StepResult, facts: FactsSource) -> Finding:
    returncode = step.data.get("returncode")
    name = _signal_name(returncode)
    how = f"with {name}" if name else f"with exit status {returncode}"
    evidence = {"returncode": returncode, "signal": name, "output": _tail(step.stderr)}
    cause = _likely_crash_cause(name, facts) or "verify-crashed"
    return _finding(cause, f"Python crashed {how} during {step.title}", step, evidence)


def _likely_crash_cause(signal_name: Optional[str], facts: FactsSource) -> Optional[str]:
    """SIGILL from TensorFlow is, nearly always, an x86 build on a CPU (or emulator) without AVX."""
    if signal_name != "SIGILL":
        return None
    known = facts()
    if known is None:
        return None
    platform, interpreter = known.platform, known.interpreter
    if platform.rosetta_translated or (
        platform.apple_silicon and interpreter.running_arch == "x86_64"
    ):
        return "rosetta-python"
    flags = platform.cpu_flags
    arch = interpreter.running_arch or platform.machine
    if arch == "x86_64" and flags is not None and "avx" not in flags:
        return "cpu-lacks-avx"
    return None


def _signal_name(returncode: Any) -> Optional[str]:
    if not isinstance(returncode, int) or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _finding(cause_id: str, title: str, step: StepResult, evidence: Dict[str, Any],
             fix: tuple = ()) -> Finding:
    cause = causes.CATALOG[cause_id]
    return Finding(cause=cause_id, severity=cause.severity, title=title,
                   explanation=cause.summary, evidence={"step": step.name, **evidence},
                   fix=fix, check=f"verify:{step.name}")


def _stamp(found: Finding, step: StepResult) -> Finding:
    return replace(found, check=f"verify:{step.name}",
                   evidence={"step": step.name, **dict(found.evidence)})


def _tail(text: str) -> List[str]:
    return text.rstrip().splitlines()[-EVIDENCE_LINES:]
