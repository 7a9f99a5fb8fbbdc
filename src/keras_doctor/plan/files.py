"""Steps for findings that are not about packages: files to move aside, variables, caches, advice.

Paths come from the facts snapshot (what the readers found on disk), and the plan only ever renames
or moves them aside, never rewrites them. Environment variables are shown as the exact shell line
for the user's shell and are never written into a profile. A finding only a person can fix becomes a
`SkippedStep` carrying the check's own advice.
"""

from __future__ import annotations

import os
import shlex
from typing import Any, List, Mapping, Optional, Set, Tuple

from keras_doctor.findings import Finding
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.plan.installers import choose_installer, purge_cache_argv, valid_name
from keras_doctor.plan.model import PlannedStep, SkippedStep, StepKind

KNOWN_BACKENDS = ("tensorflow", "jax", "torch")


def file_steps(finding: Finding, *, installed: Set[str], installer: str, has_pip: bool,
               python: str, uv: Optional[str]) -> Tuple[List[PlannedStep], List[SkippedStep]]:
    cause, evidence = finding.cause, finding.evidence
    path, name = _text(evidence, "path"), _text(evidence, "name")
    if cause == "shadowed-module" and path:
        path = os.path.abspath(path)
        name = name or os.path.splitext(os.path.basename(path))[0]
        dest = f"{path.rstrip(os.sep)}.shadowing-{name}"
        return [PlannedStep(StepKind.RENAME, f"Rename {path}, which hides the real `{name}`, to "
                            f"{os.path.basename(dest)}", destructive=True, resolves=[cause],
                            path=path, dest=dest)], []
    if cause == "weights-cache-corrupt" and path:
        path = os.path.abspath(path)
        return [PlannedStep(StepKind.DELETE_FILE, f"Remove the corrupt weights file {path} "
                            "(Keras downloads it again on next use)", destructive=True,
                            resolves=[cause], path=path)], []
    if cause == "duplicate-install" and path:
        path = os.path.abspath(path)
        return [PlannedStep(StepKind.DELETE_FILE, f"Remove {path}, left by an interrupted install",
                            destructive=True, resolves=[cause], path=path)], []
    if cause == "keras-backend-unavailable":
        return _backend_steps(finding, installed)
    if cause == "keras3-legacy-code":
        return [set_env("TF_USE_LEGACY_KERAS", "1", [cause],
                        "Route tf.keras to tf-keras (Keras 2) before TensorFlow is imported")], []
    if cause == "stale-wheel-cache" and name:
        return _purge_steps(finding, name, installer, has_pip, python, uv)
    return [], [skipped(finding, "only a person can do this")]


def _purge_steps(finding: Finding, name: str, installer: str, has_pip: bool, python: str,
                 uv: Optional[str]) -> Tuple[List[PlannedStep], List[SkippedStep]]:
    """The installer's own cache command, saying exactly which cached files it deletes.

    pip's `cache remove P` deletes the files matching `P-*.whl` (`P*.whl` when P holds a hyphen),
    case as written, under its `wheels/` folder (pip's commands/cache.py, `_find_wheels`); wheel
    files spell a name with underscores, so `ml-dtypes` must be asked for as `ml_dtypes`.
    """
    evidence = finding.evidence
    pattern = _text(evidence, "pattern")
    try:
        name = valid_name(name)
        if pattern is not None:
            valid_name(pattern)
    except ValueError:
        return [], [skipped(finding, "the cached wheel's name is not a valid name")]
    tool = "uv" if (_text(evidence, "tool") or installer) == "uv" else "pip"
    if tool == "uv" and not uv:
        return [], [skipped(finding, f"uv is not at hand to clean its cache (uv cache clean "
                                     f"{name})")]
    # pip's cache is the one the target's pip uses (its configuration may move it): the
    # target's pip, else this pip acting for the target's interpreter.
    cleaner = "uv" if tool == "uv" else choose_installer(has_pip, None)
    argument = name if tool == "uv" else (pattern or name.replace("-", "_"))
    summary = f"Remove {name} from the {tool} cache"
    removes = evidence.get("removes")
    if isinstance(removes, list) and removes and all(isinstance(p, str) for p in removes):
        deleted = ("its built wheels" if tool == "pip"
                   else "every entry of it, with its built wheels")
        summary += f": deletes {deleted} {', '.join(removes)}"
    return [PlannedStep(StepKind.PURGE_CACHE, summary,
                        argv=purge_cache_argv(cleaner, python, argument, uv),
                        destructive=True, resolves=[finding.cause], names=[name])], []


def set_env(name: str, value: str, resolves: List[str], why: str) -> PlannedStep:
    posix = f"export {name}={shlex.quote(value)}"
    line = f'$env:{name} = "{value}"' if os.name == "nt" else posix
    return PlannedStep(StepKind.SET_ENV, f"{why}: add this line to your shell profile yourself",
                       resolves=resolves, shell_line=line)


def skipped(finding: Finding, reason: str) -> SkippedStep:
    advice = []
    for step in finding.fix:
        line = step.description
        if step.command:
            line = line.rstrip(":") + ": " + " ".join(shlex.quote(str(a)) for a in step.command)
        advice.append(line)
    return SkippedStep(finding.cause, f"{finding.title}: {reason}", advice)


def _backend_steps(finding: Finding,
                   installed: Set[str]) -> Tuple[List[PlannedStep], List[SkippedStep]]:
    stated = finding.evidence.get("installed_backends")
    have = set(stated) if isinstance(stated, list) else set(installed)
    if installed & TF_FAMILY:
        have.add("tensorflow")
    usable = [b for b in KNOWN_BACKENDS if b in have]
    if not usable:
        return [], [skipped(finding, "no Keras backend is installed")]
    named = _text(finding.evidence, "backend")  # the check always names it
    step = set_env("KERAS_BACKEND", usable[0], [finding.cause],
                   f"Point Keras at an installed backend ({usable[0]}) instead of {named!r}")
    return [step], []


def _text(evidence: Mapping[str, Any], key: str) -> Optional[str]:
    value = evidence.get(key)
    return value if isinstance(value, str) and value else None
