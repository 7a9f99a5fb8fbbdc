"""The explain pipeline: clean the text, match signatures, resolve details, weigh, rank, report.

Several signatures can point at one cause (their weights combine like independent witnesses:
1 − Π(1 − w)), and one error can fit several causes (all are reported, most likely first). With a
facts snapshot, the registered checks confirm or contradict the text's hypotheses (`refine`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from keras_doctor import causes
from keras_doctor.explain import calibrate, lazyre, lookalike, match, shapes, text

# Imported where needed, not here: the message atlas (for what no strong signature explains), the
# fallback priors (for what nothing recognised) and refine (with facts) each cost start-up time
# that a typical traceback, explained from its text, never needs.
from keras_doctor.explain import catalog as catalog_module
from keras_doctor.explain import clues as clues_module
from keras_doctor.explain import resolve_imports as imports_module
from keras_doctor.explain.examined import Examined, examined
from keras_doctor.explain.fixkit import manual, ran_in_an_emulated_container
from keras_doctor.explain.hypothesis import Hypothesis, to_finding
from keras_doctor.explain.names import NameResolver
from keras_doctor.explain.resolve import Context, resolve
from keras_doctor.findings import Finding, Report

MAX_FINDINGS = 5
# When a resolve step turns a generic message into a specific cause, this says how it decided.
RESOLVED_MECHANISM = {
    "keras3-removed-api": "The name existed in Keras 2 and Keras 3 removed it; the error comes "
    "from the code's own import.",
    "keras3-legacy-code": "The failing code was written for Keras 2 (through tf.keras or a "
    "third-party library) and runs under Keras 3, which no longer has the name.",
    "keras-api-moved": "The name lives in another module of the installed Keras (or was "
    "misspelt); private paths such as keras.engine and keras.src change between releases.",
    "package-too-old-for-api": "The name appeared in a later release than the one installed.",
    "dependency-too-new": "The installed release of the package is newer than the code that uses "
    "it and no longer has what the code relies on: a name it removed or renamed, a behaviour it "
    "changed.",
    "tf1-api-under-tf2": "TensorFlow 1.x has this name (or module) and no TensorFlow 2 release "
    "does, as their wheels' public API shows: code written for TensorFlow 1 runs under "
    "TensorFlow 2, which keeps it only under tf.compat.v1 (tf.contrib not at all).",
    "shadowed-module": "A local file or folder named like the package is imported instead of it.",
    "keras-distributions-overlap": "Two distributions (keras and keras-nightly, or a nightly "
    "TensorFlow's Keras) write the same `keras/` folder, so its modules come from two releases.",
    "keras-backend-unavailable": "Keras imports the backend KERAS_BACKEND or keras.json names "
    "(Keras 3 at `import keras`, Keras 2.0-2.3 in keras/backend/__init__.py), and that backend is "
    "not installed.",
    "missing-dependency": "A module the code (or one of its packages) imports is not installed.",
    "rosetta-python": "The crash was reported by a macOS shell: on an Apple Silicon Mac, an Intel "
    "Python under Rosetta runs x86 TensorFlow builds whose AVX instructions Rosetta does not "
    "emulate.",
    "cpu-lacks-avx": "Windows reports the DLL's initialisation failing, which is how a CPU without "
    "AVX shows there.",
}
MIN_CONFIDENCE = 0.15
MIN_SHOWN = 0.01
STRONG_SIGNATURE = 0.85
FALLBACK_MECHANISM = (
    "No known message matched; these are the causes that most often produce this kind of error "
    "(judged from its exception, the packages in the traceback and the platform), least certain "
    "first-hand knowledge: check them in order."
)
LEARNED_MECHANISM = (
    "No known message names this cause; reports that look like this one (the same kind of "
    "error and exception, the same packages and platform, the same words) most often had it."
)
NO_ERROR_MESSAGE = (
    "This text shows no error (no exception, failed install or crash): to diagnose the "
    "environment itself, run `keras-doctor check`."
)


def hypotheses(
    raw: str,
    knowledge: Any = None,
    keras_version: Optional[str] = None,
    without_sources: FrozenSet[str] = frozenset(),
    environment: Optional[Examined] = None,
    without_seen_in: FrozenSet[str] = frozenset(),
) -> tuple:
    """(cleaned text, hypotheses ranked most likely first) for `raw`, from the text alone.

    `without_sources` leaves out the signatures learned from those reports: how explain would
    have answered a report before its own thread taught a signature (used to calibrate);
    `without_seen_in` also leaves out those first met in these threads (a strict lower bound).
    `environment` (the examined machine) completes what the paste does not show for the
    decisions between the wheel causes: a paste of pip's "no matching distribution" rarely
    names the Python, the platform or the pip that ran, and those decide the cause."""
    cleaned = text.clean(raw)
    cat = catalog_module.load()
    read = clues_module.read(cleaned.text, cleaned.frames)
    logged = ""
    readable = cleaned.text  # what the signatures read
    if not read.kind and cleaned.failing_lines:
        # nothing but TensorFlow's log lines that name a failure (`W …] OP_REQUIRES failed at
        # …`, `W …] Could not load dynamic library …`, logged before it raises or as it goes
        # on): dropped from the text like every log line, they are the error shown, and the
        # signatures read them as they read any error
        logged = "\n".join(cleaned.failing_lines)
        readable = cleaned.text + "\n" + logged
        read = replace(read, kind="exception", exception_message=(
            read.exception_message or cleaned.failing_lines[-1].strip()[:500]))
    if keras_version is None:  # no facts: the release the paste itself says is installed
        keras_version = clues_module.stated_keras_version(cleaned.text)
    ctx = Context(
        text=readable,
        frames=cleaned.frames,
        names=NameResolver(cat.keras_names, knowledge, keras_version),
        always_present=cat.keras_names.get("always_present", {}),
        clues=read,
        keras3_known=_is_keras3(keras_version),
        python_version=read.python_version,
    )
    found: Dict[str, Hypothesis] = {}
    machine_read = _completed(read, environment)  # what the paste shows, else the environment
    for signature_match in match.run(cat, readable):
        signature = signature_match.signature
        if without_sources and without_sources.intersection(signature.sources):
            continue
        if without_seen_in and without_seen_in.intersection(signature.seen_in):
            continue
        for cause_id, weight, extra in resolve(signature_match, ctx):
            if cause_id not in causes.CATALOG:
                continue
            hyp = found.setdefault(cause_id, Hypothesis(cause_id))
            hyp.weights.append(weight)
            # what the resolve step made of a match (pip's requirer with its version) replaces
            # the raw group of the same name; an earlier signature's evidence still stands
            read_here = {key: values[0] if len(values) == 1 else values
                         for key, values in signature_match.groups.items() if values}
            read_here.update({key: value for key, value in extra.items()
                              if value not in (None, "", [], {})})
            for key, value in read_here.items():
                hyp.evidence.setdefault(key, value)
            hyp.signatures.append(signature.id)
            if weight >= max(hyp.weights):
                hyp.mechanism = (
                    signature.mechanism
                    if cause_id == signature.cause
                    else RESOLVED_MECHANISM.get(cause_id, signature.mechanism)
                )
                hyp.excerpt = signature_match.excerpt
            hyp.position = max(hyp.position, signature_match.last_position)
            hyp.sources.extend(s for s in signature.sources if s not in hyp.sources)
    # The message atlas answers what the signatures could not; loading it costs more than the
    # rest of an explanation, so a paste a strong signature already explains does not pay for it.
    strong = any(h.score >= STRONG_SIGNATURE for h in found.values())
    for cause_id, weight, extra, mechanism, source in (
        [] if strong else _atlas_causes(readable)
    ):
        if cause_id not in causes.CATALOG:
            continue
        known = cause_id in found
        hyp = found.setdefault(cause_id, Hypothesis(cause_id))
        for key, value in extra.items():
            hyp.evidence.setdefault(key, value)
        if known:  # the same line already recognised by a signature: one witness, not two
            continue
        hyp.weights.append(weight)
        hyp.signatures.append("message-atlas")
        hyp.mechanism = mechanism
        hyp.excerpt = str(extra["message"])  # the atlas always quotes the line it recognised
        hyp.sources.append(source)
    # pip's "no matching distribution" fits both wheel causes: the paste's machine decides;
    # pip's "requires a different Python: 3.13.0 not in '<3.13'" has already named the Python
    if ("no-wheel-for-python" in found and "no-wheel-for-platform" not in found
            and not found["no-wheel-for-python"].evidence.get("requires_python")
            and machine_read.machine in ("arm64", "32-bit")):
        sibling = found["no-wheel-for-python"]
        hyp = found.setdefault("no-wheel-for-platform", Hypothesis("no-wheel-for-platform"))
        hyp.weights.append(min(sibling.weights))
        hyp.signatures.extend(sibling.signatures)
        where = "the paste names" if read.machine else "the environment examined is"
        hyp.mechanism = (f"pip found no wheel, and {where} an {machine_read.machine} machine: "
                         "the releases asked for publish no wheel for it.")
        hyp.excerpt = sibling.excerpt
        hyp.position = sibling.position
        hyp.sources.extend(sibling.sources)
    if "no-wheel-for-python" not in found and "no-wheel-for-platform" not in found:
        _only_a_yanked_release_fit(found, cleaned.text, machine_read)
    if ("no-wheel-for-python" in found or "no-wheel-for-platform" in found) and (
        "rosetta-python" not in found  # an Intel Python on an Apple Silicon Mac: resolve saw it
    ):
        _wheel_tables_decide(found, cleaned.text, machine_read)
    if "no-wheel-for-python" in found or "no-wheel-for-platform" in found:
        # a pip older than the wheels' tags hides them on any machine, Apple Silicon too
        _pip_too_old_decides(found, cleaned.text, machine_read,
                             environment.pip if environment else "")
        _macos_too_old_decides(found, cleaned.text, machine_read)
        _pinned_release_decides(found, cleaned.text)
        _dependent_of_the_fork_decides(found, cleaned.text)
        if "tf1-api-under-tf2" in found:
            _tf1_install_blocked(found, cleaned.text)
    # TensorFlow's CPU notice of an x86 build is a start-up line the cleaner set aside: on an
    # Apple Silicon Mac it says the TensorFlow there runs under Rosetta 2
    set_aside = "\n".join(line.text for line in cleaned.informational)
    if not found and not read.kind and read.machine == "arm64" and (
        x86 := shapes.intel_python(set_aside)
    ):  # nothing failed, but the paste shows why things will
        found["rosetta-python"] = _intel_python_on_apple_silicon(x86)
    if not found and (stale := imports_module.version_the_kernel_still_runs(cleaned.text)):
        found["kernel-not-restarted"] = _kernel_still_runs(stale)
    if not found and cleaned.informational and not cleaned.failing_log_lines and (
        _only_called_an_error(read, cleaned)
    ):  # "Error is: <a start-up log line>": the user's word for the line, nothing raised
        found[INFORMATIONAL] = _informational(cleaned.informational)
    if not found:
        window = (cleaned.text + "\n" + logged if logged else cleaned.text)[-clues_module.TAIL :]
        from keras_doctor.explain import fallback

        intel = (shapes.intel_python(cleaned.text + "\n" + set_aside)
                 if read.machine == "arm64" else "")
        if intel:  # the paste names Apple Silicon and shows the Python running there is Intel
            found["rosetta-python"] = _intel_python_on_apple_silicon(intel)
        for cause_id, weight, extra in fallback.candidates(window, read):
            # a guess, like the ranker's, never proposes what the paste rules out (Keras 3's
            # causes under a Keras 2 it states, Rosetta on Linux)
            if cause_id in found or clues_module.ruled_out(cause_id, read, cleaned.text):
                continue
            hyp = found.setdefault(cause_id, Hypothesis(cause_id))
            hyp.weights.append(weight)
            hyp.evidence.update({k: v for k, v in extra.items() if v})
            hyp.signatures.append(f"{calibrate.FALLBACK}{read.kind}")
            hyp.mechanism = FALLBACK_MECHANISM
            hyp.excerpt = read.exception_message or read.kind
    if not found and not read.kind and cleaned.informational and not cleaned.failing_log_lines:
        found[INFORMATIONAL] = _informational(cleaned.informational)
    if found and INFORMATIONAL not in found:
        _a_clean_exit_decides(found, cleaned)
    if "native-runtime-library-missing" in found and INFORMATIONAL not in found:
        _a_gpu_note_decides(found, cleaned)
    warned = None if found or read.kind else _PYTHON_WARNING.search(cleaned.text)
    if warned:
        found[INFORMATIONAL] = _python_warning(warned)
    for hyp in found.values():
        adjusted, reason = clues_module.weigh(hyp.cause, 1.0, read, hyp.evidence)
        hyp.factor = adjusted
        if reason:
            hyp.against.append(reason)
    ranked = sorted(found.values(), key=lambda h: (-h.score, -h.position))
    cleaned.clues = read
    return cleaned, ranked


INFORMATIONAL = "informational-message-not-an-error"


# A run that ended by itself with status 0, as the tool that ran it reports the end: JetBrains'
# run console ("Process finished with exit code 0", ProcessTerminatedListener with
# ExecutionBundle's finished.with.exit.code.text.message), a container's log ("exited with code
# 0"). With no traceback and no fault in the paste, what it logged before were warnings.
_EXITED_CLEANLY = lazyre.compile(
    r"(?m)^Process finished with exit code 0[ \t]*$|\bexited with code 0\b")
_RAISED = lazyre.compile(r"(?m)Traceback \(most recent call last\)|^\w*(?:Error|Exception)\b:")
RUNNER_UP_BESIDE_A_CLEAN_EXIT = 0.5


def _a_clean_exit_decides(found: Dict[str, Hypothesis], cleaned: Any) -> None:
    """The paste shows the program ending with status 0 and nothing raised or killed: the lines
    a signature recognised (a CUDA library TensorFlow could not load, say) were logged by a run
    that went on, so nothing failed comes first and they stay its runners-up."""
    exited = _EXITED_CLEANLY.search(cleaned.text)
    if exited is None or _RAISED.search(cleaned.text) or shapes.CRASH.search(cleaned.text):
        return
    hyp = (_informational(cleaned.informational) if cleaned.informational
           else Hypothesis(INFORMATIONAL, weights=[0.9], signatures=["clean-exit"]))
    end = exited.group(0).strip()
    hyp.evidence["exit"] = end
    hyp.mechanism = (f"Nothing failed: the run ended with status 0 ({end}); the lines logged "
                     "before it are warnings of a run that went on. "
                     + hyp.mechanism.removeprefix("Nothing failed: ")).strip()
    hyp.excerpt = hyp.excerpt or end
    hyp.position = max(hyp.position, exited.start())
    for other in found.values():
        other.weights = [min(max(other.weights), RUNNER_UP_BESIDE_A_CLEAN_EXIT)]
    found[INFORMATIONAL] = hyp


# The paste's own words name an NVIDIA GPU, its drivers or CUDA: the library missing was meant
_MEANS_A_GPU = lazyre.compile(r"(?i)\b(?:GPUs?|CUDA|cuDNN|NVIDIA|GeForce|RTX|GTX|Quadro|Tesla)\b")
_LIBRARY_NOT_LOADED = lazyre.compile(r"Could not load dynamic library|dlerror|LD_LIBRARY_PATH")
RUNNER_UP_BESIDE_A_GPU_NOTE = 0.5
# how the tool that ran the program reports its end, whatever the status (`_EXITED_CLEANLY`)
_RUN_ENDED = lazyre.compile(r"Process finished with exit code|\bexited with code")


def _a_gpu_note_decides(found: Dict[str, Hypothesis], cleaned: Any) -> None:
    """TensorFlow follows the GPU library it could not open with a note that the library matters
    only with a GPU ("Ignore above cudart dlerror if you do not have a GPU set up", TF-TRT's
    "Could not find TensorRT"). With nothing raised and nothing recognised but libraries the
    loader could not open, the paste's own words decide: naming a GPU, CUDA or cuDNN, the
    missing library is the answer and nothing failed its runner-up; naming none, the other way
    round."""
    from keras_doctor.explain import logs

    notes = [line for line in cleaned.informational if line.message_id in logs.ONLY_WITH_A_GPU]
    if (not notes or not all(hyp.evidence.get("library") for hyp in found.values())
            or _RAISED.search(cleaned.text) or shapes.CRASH.search(cleaned.text)
            or _RUN_ENDED.search(cleaned.text)):  # an end with status 0 decided already
        return
    prose = "\n".join(line for line in cleaned.text.splitlines()
                      if not _LIBRARY_NOT_LOADED.search(line))
    hyp = _informational(cleaned.informational)
    meant = _MEANS_A_GPU.search(prose)
    hyp.evidence["gpu_named"] = meant.group(0) if meant else ""
    if meant:
        hyp.weights = [RUNNER_UP_BESIDE_A_GPU_NOTE]
    else:
        for other in found.values():
            other.weights = [min(max(other.weights), RUNNER_UP_BESIDE_A_GPU_NOTE)]
    found[INFORMATIONAL] = hyp


# CPython's warnings module: "path.py:87: UserWarning: message", then the source line; the
# program goes on (Lib/warnings.py, formatwarning)
_PYTHON_WARNING = lazyre.compile(
    r"(?m)^\S+\.py:\d+: (?P<category>\w*Warning): (?P<message>(?![^\n]*\bnp\.)[^\n]{1,300})"
)  # not numpy's alias warnings: the release that removes the alias is the failure to come


def _python_warning(match: Any) -> Hypothesis:
    """Nothing failed: the paste is a warning Python printed, and the program went on."""
    hyp = Hypothesis(INFORMATIONAL, weights=[0.85], signatures=["python-warning"])
    hyp.evidence["lines"] = [match.group(0)[:200]]
    hyp.evidence["category"] = match.group("category")
    hyp.mechanism = (f"Nothing failed: Python printed a {match.group('category')} (file:line: "
                     "category: message) and the program went on. It asks for a change before "
                     "a later release; `python -W ignore::" + match.group("category") +
                     "` hides it.")
    hyp.excerpt = match.group(0)[:300]
    hyp.sources.append("https://github.com/python/cpython/blob/main/Lib/warnings.py "
                       "(formatwarning)")
    return hyp


def _kernel_still_runs(stale: Dict[str, str]) -> Hypothesis:
    """A notebook cell installed one release and the session reports another: the kernel imported
    the package before the install and keeps the modules it holds until it restarts."""
    hyp = Hypothesis("kernel-not-restarted", weights=[0.7],
                     signatures=["kernel-runs-another-release"])
    hyp.evidence.update(stale)
    hyp.mechanism = (f"A notebook cell installed {stale['distribution']} {stale['installed']}, and "
                     f"the session reports {stale['running']}: the kernel imported it before the "
                     "install and runs the modules it already holds until it restarts.")
    hyp.excerpt = (f"{stale['distribution']} {stale['installed']} installed, "
                   f"{stale['running']} running")
    return hyp


INTEL_PYTHON_WEIGHT = 0.55  # the state that makes TensorFlow fail there, not a failure seen


def _intel_python_on_apple_silicon(line: str) -> Hypothesis:
    """No message recognised, but the paste names an Apple Silicon Mac and shows, in a tool's own
    output, that the Python there is x86_64: it runs under Rosetta 2, where x86 TensorFlow builds
    fail (no AVX) and Apple's arm64 wheels do not install."""
    hyp = Hypothesis("rosetta-python", weights=[INTEL_PYTHON_WEIGHT],
                     signatures=["intel-python-on-apple-silicon"])
    hyp.evidence["interpreter_shown_as"] = line
    hyp.mechanism = ("The paste names an Apple Silicon Mac, and a tool's output in it shows the "
                     f"Python there is x86_64 ({line}): it runs under Rosetta 2.")
    hyp.excerpt = line
    hyp.sources.append("https://github.com/pypa/packaging/blob/main/src/packaging/tags.py "
                       "(_mac_binary_formats); https://github.com/python/cpython/blob/main/Lib/"
                       "platform.py (platform)")
    return hyp


def _only_called_an_error(read: Any, cleaned: Any) -> bool:
    """The paste's only sign of an error is a word ("Error is", "got this error") beside start-up
    log lines: no exception raised, no traceback, no failed install or signal."""
    return read.kind in ("", "exception") and not read.exception_type and not cleaned.frames


def _completed(read: Any, environment: Optional[Examined]) -> Any:
    """The paste's clues, with the examined environment's Python, platform and machine where the
    paste shows none (the paste's own win: it may come from another machine)."""
    if environment is None:
        return read
    return replace(read, python_version=read.python_version or environment.python,
                   platform=read.platform or environment.platform,
                   machine=read.machine or environment.machine)


def _informational(lines: List[Any]) -> Hypothesis:
    """Nothing failed: the paste holds only start-up lines TensorFlow (or tensorflow-metal) logs
    as information. Says what each known line means and which ones a log level hides."""
    from keras_doctor.explain import logs

    hyp = Hypothesis(INFORMATIONAL, weights=[0.9], signatures=["log-atlas"])
    meanings: List[str] = []
    levels = sorted({line.level for line in lines})
    for line in lines:
        known = logs.message(line.message_id) if line.message_id else None
        if known is not None and known["means"] not in meanings:
            meanings.append(known["means"])
            hyp.sources.append(known["source"])
    hyp.evidence["lines"] = [f"{line.level} {line.text[:160]}" for line in lines[:8]]
    hyp.evidence["levels"] = levels
    hideable = [level for level in levels if level in ("I", "W", "E")]
    if hideable:
        # TensorFlow's C++ log threshold: 1 hides INFO, 2 also WARNING, 3 also ERROR
        hyp.evidence["TF_CPP_MIN_LOG_LEVEL"] = str({"I": 1, "W": 2, "E": 3}[max(
            hideable, key="IWE".index)])
    if "print" in levels:
        hyp.evidence["not_hidden_by_log_level"] = "tensorflow-metal writes its lines directly"
    hyp.mechanism = ("Nothing failed: these are log lines TensorFlow prints at start-up "
                     f"(levels {', '.join(levels)}), not errors. " + " ".join(meanings[:5]))
    hyp.excerpt = lines[0].text[:300]
    return hyp


WHEEL_DECISIVE = 0.7  # share of the candidate machines the tables must agree on to decide
_WHEEL_MECHANISM = {
    "no-wheel-for-platform": "pip found no wheel, and the release table shows that the releases "
    "asked for publish none for the platform the paste shows (for any Python).",
    "no-wheel-for-python": "pip found no wheel, and the release table shows that the releases "
    "asked for publish wheels for this platform, but none for the Python the paste shows.",
}
# the same when the tables only lean: the paste leaves both readings open
_WHEEL_LEAN_MECHANISM = {
    "no-wheel-for-platform": "pip found no wheel; of the machines and Pythons the paste can be "
    "from, most that the release table shows without a wheel are platforms the releases asked "
    "for do not publish for, the rest Pythons they do not: the paste does not settle which.",
    "no-wheel-for-python": "pip found no wheel; of the machines and Pythons the paste can be "
    "from, most that the release table shows without a wheel are Pythons the releases asked for "
    "do not publish for, the rest platforms they do not: the paste does not settle which.",
}


def _wheel_tables_decide(found: Dict[str, Hypothesis], text_: str, read: Any) -> None:
    """pip's "no matching distribution" fits both wheel causes; when the requirement's release
    table settles which one for every platform and Python the paste can be from, it decides.
    When the tables only lean (a share of the candidates below `WHEEL_DECISIVE`), the lean still
    orders the two causes, at weights as close as the share: the tables know more than the resolve
    step's fixed reading (Python first), and a paste they leave near even is shown near even."""
    from keras_doctor.explain import wheels

    decision = wheels.decide(text_, read.python_version, read.machine, read.platform)
    if decision is None or decision[1] <= 0.5:
        return  # the tables are even: the resolve step's reading of the paste stands
    cause, probability, evidence = decision
    if probability < WHEEL_DECISIVE and _platform_read_first(found):
        return  # a lean yields to a machine the resolve step read (Apple Silicon, 32-bit, a board)
    other = "no-wheel-for-python" if cause == "no-wheel-for-platform" else "no-wheel-for-platform"
    known = found.get(cause) or found.get(other)
    evidence = {**evidence, "share_of_candidates": round(probability, 2)}
    for cause_id, weight in ((cause, 0.3 + 0.6 * probability), (other, 0.9 - 0.6 * probability)):
        hyp = found.setdefault(cause_id, Hypothesis(cause_id))
        hyp.weights = [weight]
        hyp.evidence.update(evidence)
        if cause_id == cause:
            hyp.mechanism = (_WHEEL_MECHANISM if probability >= WHEEL_DECISIVE
                             else _WHEEL_LEAN_MECHANISM)[cause]
        if known is not None and hyp is not known:
            hyp.signatures = hyp.signatures or list(known.signatures)
            hyp.excerpt = hyp.excerpt or known.excerpt
            hyp.position = max(hyp.position, known.position)
            hyp.sources.extend(s for s in known.sources if s not in hyp.sources)
        if evidence["decided_by"] not in hyp.sources:  # the sibling copied it from `known`
            hyp.sources.append(evidence["decided_by"])


_YANKED_MECHANISM = (
    "pip installed a yanked release, which it does only when no release that is not yanked "
    "fits the requirement here; the release table shows which is missing: "
)


def _only_a_yanked_release_fit(found: Dict[str, Hypothesis], text_: str, read: Any) -> None:
    """pip installed a yanked release of a project with a release table for an unpinned
    requirement: nothing else had a wheel for this machine and Python, so the tables weigh the
    two wheel causes as for "(from versions: none)" (the import that then fails is its
    consequence)."""
    if "is a yanked version" not in text_:  # the release tables are read only for pip's warning
        return
    from keras_doctor.explain import wheels

    decision = wheels.only_yanked_fit(text_, read.python_version, read.machine, read.platform)
    if decision is None or decision[1] <= 0.5:
        return
    cause, probability, evidence = decision
    other = "no-wheel-for-python" if cause == "no-wheel-for-platform" else "no-wheel-for-platform"
    evidence = {**evidence, "share_of_candidates": round(probability, 2)}
    for cause_id, weight in ((cause, 0.3 + 0.6 * probability), (other, 0.9 - 0.6 * probability)):
        hyp = found.setdefault(cause_id, Hypothesis(cause_id))
        hyp.weights = [weight]
        hyp.evidence.update(evidence)
        hyp.signatures.append("yanked-release-installed")
        hyp.mechanism = _YANKED_MECHANISM + (
            "no release publishes a wheel for this platform." if cause_id == "no-wheel-for-platform"
            else "releases publish wheels for this platform, none for this Python.")
        hyp.sources.append(evidence["decided_by"])


def _platform_read_first(found: Dict[str, Hypothesis]) -> bool:
    """Whether the resolve step put the platform before the Python: it does so only on a machine
    it read in the paste; its reading with none is the Python first."""
    platform, python = found.get("no-wheel-for-platform"), found.get("no-wheel-for-python")
    return platform is not None and (python is None or platform.score > python.score)


PINNED_MECHANISM = (
    "pip found no release matching the pinned version, and the release table shows the index "
    "never had that release for any platform or Python (it was never published, or it was "
    "deleted): no interpreter or machine can install it."
)
PINNED_LATER_MECHANISM = (
    "pip's list shows this machine got every release up to one well before the pinned version, "
    "and the release table shows the pinned version has a wheel for it with the same tags: it "
    "was not published yet when pip looked (its upload came later)."
)
NO_WHEEL_BESIDE_UNPUBLISHED = 0.45  # what a wheel cause keeps when the pin itself does not exist


def _pinned_release_decides(found: Dict[str, Hypothesis], text_: str) -> None:
    """pip's "no matching distribution" for `X==V`: when V is in no platform's list of releases,
    the pin is the cause, whatever the Python or the machine."""
    from keras_doctor.explain import wheels

    evidence = wheels.unpublished(text_)
    if evidence is None:
        return
    hyp = found.setdefault("pinned-release-unavailable", Hypothesis("pinned-release-unavailable"))
    hyp.weights = [0.95]
    hyp.evidence.update(evidence)
    hyp.mechanism = PINNED_LATER_MECHANISM if "published_later" in evidence else PINNED_MECHANISM
    # the wheel causes read the very pip lines the pin is decided on: their witnesses are the
    # pin's, and beside a release that was not there they keep only a runner-up's weight
    for cause in ("no-wheel-for-python", "no-wheel-for-platform"):
        wheel = found.get(cause)
        if wheel is None:
            continue
        hyp.signatures.extend(s for s in wheel.signatures if s not in hyp.signatures)
        hyp.excerpt = hyp.excerpt or wheel.excerpt
        hyp.position = max(hyp.position, wheel.position)
        hyp.sources.extend(s for s in wheel.sources if s not in hyp.sources)
        wheel.weights = [min(max(wheel.weights), NO_WHEEL_BESIDE_UNPUBLISHED)]
    hyp.sources.append(evidence["decided_by"])


# The signatures that read pip's search for `tensorflow` as a dependent's requirement beside
# Apple's fork (knowledge/signatures.json)
FORK_DEPENDENT_SIGNATURES = ("tensorflow-wanted-by-a-dependent-on-apple-silicon",
                             "tensorflow-name-unmet-beside-tensorflow-macos")


# The dependent signature that fires on an Apple Silicon Mac with no fork in the paste
FORK_UNSEEN_SIGNATURE = "tensorflow-wanted-by-a-dependent-on-apple-silicon"
FORK_UNSEEN_RUNNER_UP = 0.6  # what the fork keeps when the paste shows no fork, the wheel its range


def _dependent_of_the_fork_decides(found: Dict[str, Hypothesis], text_: str) -> None:
    """pip found no `tensorflow` because a dependent asked for that name where Apple's fork is
    TensorFlow: the missing wheel is the fork's consequence, so the wheel causes read from the
    same pip lines keep only a runner-up's weight (as beside an unpublished pin). Unless the
    paste shows no fork at all and no release in the dependent's range has an arm64 wheel (the
    release table): then pip found no wheel for this machine, whether or not a fork sits beside
    it, and the platform comes first with the fork its runner-up."""
    fork = found.get("tensorflow-macos-fork-not-recognised")
    if fork is None or not set(fork.signatures) & set(FORK_DEPENDENT_SIGNATURES):
        return
    from keras_doctor.explain import wheels

    if FORK_UNSEEN_SIGNATURE in fork.signatures and wheels.range_lacks_arm64_wheels(text_):
        platform = found.setdefault("no-wheel-for-platform", Hypothesis("no-wheel-for-platform"))
        platform.weights = [max(fork.weights)]
        platform.signatures = platform.signatures or list(fork.signatures)
        platform.excerpt = platform.excerpt or fork.excerpt
        platform.position = max(platform.position, fork.position)
        platform.evidence["releases_in_range_with_an_arm64_wheel"] = "none"
        platform.sources.append("knowledge/data/releases/tensorflow.json")
        fork.weights = [min(max(fork.weights), FORK_UNSEEN_RUNNER_UP)]
        python = found.get("no-wheel-for-python")
        if python is not None:
            python.weights = [min(max(python.weights), NO_WHEEL_BESIDE_UNPUBLISHED)]
        return
    for cause in ("no-wheel-for-python", "no-wheel-for-platform"):
        wheel = found.get(cause)
        if wheel is not None:
            wheel.weights = [min(max(wheel.weights), NO_WHEEL_BESIDE_UNPUBLISHED)]


TF1_BEHIND_A_FAILED_INSTALL = 0.6  # what the TF1-code cause keeps when installing 1.x failed


def _tf1_install_blocked(found: Dict[str, Hypothesis], text_: str) -> None:
    """TensorFlow 1 code, and pip failing to install a TensorFlow 1.x to run it: the user already
    took the remedy for the code (run it on 1.x); what stops them now is the wheel pip could not
    find (TensorFlow 1.x has wheels only for CPython <= 3.7, none for Apple Silicon)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import Version

    from keras_doctor.explain import wheels

    for found_requirement in wheels._REQUIREMENT.finditer(text_):
        try:
            requirement = Requirement(found_requirement.group("requirement").strip())
        except InvalidRequirement:
            continue
        if not requirement.name.lower().replace("_", "-").startswith("tensorflow"):
            continue
        spec = requirement.specifier
        if spec.contains(Version("2.0.0")) or not any(  # (no specifier contains every release)
                spec.contains(Version(f"1.{minor}.0")) for minor in range(0, 16)):
            continue
        hyp = found["tf1-api-under-tf2"]
        hyp.weights = [min(max(hyp.weights), TF1_BEHIND_A_FAILED_INSTALL)]
        hyp.against.append(f"pip could not install {requirement}, the TensorFlow 1 release the "
                           "code needs: the missing wheel is what blocks it now")
        return


_PIP_MECHANISM = (
    "pip found no wheel, yet the release has wheels for this platform: their platform tags "
    "(manylinux2014, manylinux_2_17, macOS 11 and arm64 tags) are newer than the pip that ran, "
    "which skips every wheel whose tag it does not know."
)


def _pip_too_old_decides(found: Dict[str, Hypothesis], text_: str, read: Any,
                         pip_installed: str = "") -> None:
    """The pip the paste shows (or the one installed, or the macOS it names) against the first
    pip that knows the platform tags of the wheels asked for: a pip too old to see them finds
    "no distribution"."""
    from keras_doctor.explain import wheels

    decision = wheels.pip_too_old(text_, read.python_version, read.machine, read.platform,
                                  pip_installed)
    if decision is None:
        return
    _beside_the_wheel_causes(found, "pip-too-old-for-platform-tags", *decision, _PIP_MECHANISM)


def _beside_the_wheel_causes(found: Dict[str, Hypothesis], cause: str, weight: float,
                             evidence: Dict[str, Any], mechanism: str) -> Hypothesis:
    """`cause`, decided from the release tables for the pip lines the wheel causes were read
    from: it carries their signatures, excerpt and position, and the table it was decided by."""
    known = found.get("no-wheel-for-python") or found.get("no-wheel-for-platform")
    hyp = found.setdefault(cause, Hypothesis(cause))
    hyp.weights = [weight]
    hyp.evidence.update(evidence)
    hyp.mechanism = mechanism
    if known is not None:
        hyp.signatures = hyp.signatures or list(known.signatures)
        hyp.excerpt = hyp.excerpt or known.excerpt
        hyp.position = max(hyp.position, known.position)
    hyp.sources.append(f"knowledge/{evidence['decided_by']}")
    return hyp


_MACOS_MECHANISM = (
    "pip found no wheel, yet the release has wheels for this Mac and this Python: they are tagged "
    "for a newer macOS (macosx_10_13_x86_64 installs on macOS 10.13 and later), and pip skips "
    "every wheel whose macOS tag is newer than the Mac it runs on."
)


def _macos_too_old_decides(found: Dict[str, Hypothesis], text_: str, read: Any) -> None:
    """The macOS the paste states (or the one pip's `from versions:` list was made on) against
    the macOS the requested wheels are tagged for: a Mac older than every one of them finds "no
    distribution", and the wheel causes read from the same pip lines are its runners-up."""
    from keras_doctor.explain import wheels

    decision = wheels.macos_too_old(text_, read.python_version, read.machine, read.platform)
    if decision is None:
        return
    _beside_the_wheel_causes(found, "macos-too-old", *decision, _MACOS_MECHANISM)
    for cause in ("no-wheel-for-python", "no-wheel-for-platform"):
        wheel = found.get(cause)
        if wheel is not None:
            wheel.weights = [min(max(wheel.weights), NO_WHEEL_BESIDE_UNPUBLISHED)]


def explain(raw: str, facts: Any = None, knowledge: Any = None,
            without_sources: FrozenSet[str] = frozenset()) -> Report:
    """`without_sources` as in `hypotheses` (to measure explain on reports its knowledge was not
    written from)."""
    keras_version = _installed_keras(facts) if facts is not None else None
    environment = examined(facts) if facts is not None else None
    cleaned, ranked = hypotheses(raw, knowledge, keras_version, without_sources, environment)
    report = Report(command="explain")
    report.extra["input"] = {
        "chars": cleaned.original_chars,
        "truncated": cleaned.truncated,
        "log_lines_dropped": cleaned.dropped_log_lines,
        "frames": len(cleaned.frames),
    }
    read = cleaned.clues
    if read is not None:
        shown = read.as_evidence()
        if shown:
            report.extra["traceback"] = shown
    scored = _ranked_by_model(cleaned.text, read, ranked) or list(
        zip(ranked, calibrate.calibrated(ranked)))
    if facts is not None:
        from keras_doctor.facts.model import to_plain

        report.target = to_plain(facts.target)
        notebook = bool(read and (read.notebook or read.colab))
        from keras_doctor.explain import refine

        scored = refine.with_facts(scored, facts, knowledge, report, notebook,
                                   frames=cleaned.frames, text=cleaned.text,
                                   colab=bool(read and read.colab))
    scored = shown_candidates(scored, bool(read is not None and read.kind))
    report.findings = told_apart([
        h if isinstance(h, Finding) else to_finding(h, round(s, 3), facts) for h, s in scored
    ], with_step=facts is None, text=cleaned.text)
    if not report.findings:
        report.extra["unrecognised"] = True
        if read is not None and not read.kind:
            report.extra["no_error"] = NO_ERROR_MESSAGE
    return report


def told_apart(findings: List[Finding], with_step: bool = True,
               text: Optional[str] = None) -> List[Finding]:
    """Each finding shown beside a look-alike (a cause the same message stands for) with what
    tells them apart, and, `with_step`, that as the first step of the first of them: the text
    alone cannot decide between them. With the environment's facts its checks have looked
    already (they confirm or rule out each), so the fix keeps its own first step. Given the
    pasted `text`, only a group whose shared words it holds is told apart."""
    shown = [f.cause for f in findings]
    out: List[Finding] = []
    for finding in findings:
        how = lookalike.told_apart_by(finding.cause, shown, text)
        if how and finding.check == "explain":  # a check's finding: the facts already decided
            others = [c for c in shown if c != finding.cause
                      and lookalike.told_apart_by(c, [finding.cause], text)]
            fix = tuple(finding.fix)
            # the first of its look-alikes shown says it; the others keep their own fix. In an
            # emulated container the Mac's own `platform.machine()` check would mislead, so the
            # fix starts with its own step there.
            if with_step and not ran_in_an_emulated_container(finding.evidence) and not any(
                    lookalike.told_apart_by(f.cause, [finding.cause], text) for f in out):
                fix = (manual(f"First tell it from {lookalike.names(others)}: {how}"), *fix)
            finding = replace(finding, evidence={**finding.evidence, "told_apart_by": how},
                              fix=fix)
        out.append(finding)
    return out


def shown_candidates(scored: List[Tuple[Any, float]], is_error: bool) -> List[Tuple[Any, float]]:
    """The candidates explain shows, most likely first: every one of at least MIN_CONFIDENCE, up
    to MAX_FINDINGS."""
    kept = [(h, s) for h, s in scored if s >= MIN_CONFIDENCE]
    # never fewer than three candidates for an error: the second and third are where the answer
    # is when the first is wrong, and a low confidence already says how unsure they are (a
    # sharp calibration puts a runner-up a signature names below 1 %; it is still listed)
    kept += [(h, s) for h, s in scored if s < MIN_CONFIDENCE and (s >= MIN_SHOWN or (
        is_error and isinstance(h, Hypothesis) and h.signatures
        and not calibrate.only_guessed(h.signatures)))][: max(0, 3 - len(kept))]
    if not kept and is_error:  # an error is never answered with nothing
        kept = scored[:3]
    return kept[:MAX_FINDINGS]


def _ranked_by_model(text: str, read: Any, ranked: List[Hypothesis]
                     ) -> List[Tuple[Hypothesis, float]]:
    """The candidates in the learned ranker's order with their calibrated confidence (empty
    without a shipped model). A recognised message keeps the hand order and the confidence of
    the calibration model; the ranker, trained on reports of other repositories, orders what no
    knowledge recognised and proposes the candidates the hand evidence did not."""
    from keras_doctor.explain import ranker

    trained = ranker.model()
    if trained is None or read is None:
        return []
    order = ranker.rerank(text, read, ranked, trained)
    by_cause = {h.cause: h for h in ranked}
    hand = dict(zip([h.cause for h in ranked], calibrate.calibrated(ranked)))
    recognised = ranker.recognised(ranked)
    crash = lookalike.crash_causes(ranked)  # a crash's causes stand together, like look-alikes
    steps = trained.get("isotonic") or {}
    out: List[Tuple[Hypothesis, float]] = []
    floors: List[float] = []
    ceiling = 0.99
    order = [(cause, p) for cause, p in order if cause in causes.CATALOG and (
        cause in by_cause or not clues_module.ruled_out(cause, read, text))]
    for rank, (cause, p) in enumerate(order[:MAX_FINDINGS]):
        if recognised and cause in hand:
            # the top answer through the map fitted to recognised top answers; the others keep
            # their calibrated confidence below it (equal when their evidence is as strong), a
            # cause of another error in the paste the confidence it has as that error's top
            tied = by_cause[cause].score >= ranked[0].score  # the top answer is mapped anyway
            own = (ranker.own_error(by_cause[cause], ranked, dict(order), hand[cause], steps)
                   if rank and not tied else None)  # a cause of another error in the paste
            confidence = (ranker.shown_for_recognised(by_cause[cause], hand[cause], steps,
                                                      ranked, p)
                          if rank == 0 else ceiling if tied else
                          hand[cause] if own is None else own)
        else:
            confidence = ranker.confidence(p, rank, steps)
        if rank == 0:  # as answers of its kind held on reports met before any tuning on them
            confidence = ranker.met_fresh(confidence, ranker.fresh_kind(ranked, cause), steps)
        alike = bool(rank) and (lookalike.is_look_alike(cause, order[0][0]) or cause in crash)
        if alike:
            confidence = max(confidence, lookalike.SHOWN_AT_LEAST)
        ceiling = min(ceiling, confidence)
        floors.append(lookalike.SHOWN_AT_LEAST if alike else 0.0)
        out.append((by_cause.get(cause) or _learned(cause, read), round(ceiling, 3)))
    # a look-alike is shown at no less than its floor, and what is listed above it (the first
    # answer too, when the model's guess fell below it) at no less than the look-alike: the order
    # shown stays the order of the list
    floor = 0.0
    for i in range(len(out) - 1, -1, -1):
        floor = max(floor, floors[i])
        out[i] = (out[i][0], max(out[i][1], floor))
    return out


def _learned(cause: str, read: Any) -> Hypothesis:
    """A cause no knowledge named for this text, proposed by the ranker from its clues."""
    hyp = Hypothesis(cause)
    hyp.signatures.append(calibrate.LEARNED)
    hyp.mechanism = LEARNED_MECHANISM
    hyp.excerpt = read.exception_message or read.kind
    if read.exception_type:
        hyp.evidence["exception"] = f"{read.exception_type}: {read.exception_message}"[:300]
    return hyp


def _atlas_causes(text_: str) -> list:
    from keras_doctor.explain import messages

    return list(messages.causes_of(text_))


def _installed_keras(facts: Any) -> Optional[str]:
    for dist in facts.distributions:
        if dist.canonical_name == "keras":
            return str(dist.version)
    return None


def _is_keras3(version: Optional[str]) -> Optional[bool]:
    if not version:
        return None
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version).major >= 3
    except InvalidVersion:
        return None
