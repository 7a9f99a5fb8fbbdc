"""Let the environment's facts confirm, contradict or extend what the error text suggests.

The registered checks run on the facts snapshot. A check finding of a hypothesis's cause confirms
it: its confidence rises and the check's exact evidence and fix (the binary, its owner, the version
to install) replace the text's guesses. A check that examined a cause and found nothing contradicts
it: its confidence drops. Error findings of causes that commonly produce the text's symptoms (an
Intel interpreter behind "illegal instruction", two TensorFlows sharing one folder behind an import
error) join the list, ranked by the hypothesis they explain.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from keras_doctor.explain.calibrate import only_guessed
from keras_doctor.explain.fixkit import IMPORTED_AS as _IMPORTED_AS
from keras_doctor.explain.hypothesis import to_finding
from keras_doctor.explain.resolve_imports import installed_under_the_kernel
from keras_doctor.findings import Finding, Report, Severity

CONFIRM = 0.25  # a confirmed hypothesis keeps a quarter of its remaining doubt
CONTRADICT = 0.5
# A local file or folder that hides the package and that the traceback runs through: the error
# came from it, whatever the message says.
SHADOW_IN_TRACEBACK = 0.9
# What a hypothesis read from the text that can tie it to one check finding.
_CLUE_KEYS = ("path", "module", "name", "backend", "symbol")
# Causes about the code, the files it loads or the failing process's own settings: a check of the
# environment that finds nothing does not contradict them (it cannot see the user's code, the
# model file, the network, or an environment variable set only for the program).
NOT_CONTRADICTED_BY_FACTS = {
    "keras3-legacy-code",
    "keras3-removed-api",
    "keras-api-moved",
    "package-too-old-for-api",
    "weights-model-mismatch",
    "model-format-incompatible",
    "weights-download-ssl",
    "missing-dependency",
    "keras-backend-unavailable",
    "tf1-api-under-tf2",
    "network-unreachable",
    "informational-message-not-an-error",
    "code-uses-removed-tensorflow-api",
    # A failed install: the checks examine what is installed, not the release pip was asked for
    # (a check of the installed wheels that finds nothing, often because nothing is installed,
    # says nothing about a wheel pip could not find).
    "no-wheel-for-python",
    "no-wheel-for-platform",
    "pinned-release-unavailable",
}
# The signature of a cause the facts themselves witness: the module the error could not import is
# installed in the environment examined.
INSTALLED_HERE = "facts:installed-here"
RELATED = {
    "cpu-lacks-avx": ("rosetta-python",),
    "mixed-arch-binary": ("rosetta-python", "stale-wheel-cache"),
    "rosetta-python": ("mixed-arch-binary", "cpu-lacks-avx"),
    "numpy-abi-mismatch": ("requirement-conflict", "duplicate-install"),
    "protobuf-mismatch": ("requirement-conflict",),
    "ml-dtypes-mismatch": ("requirement-conflict",),
    "keras-tf-version-skew": ("requirement-conflict", "tf-distributions-overlap"),
    "missing-dependency": (
        "wrong-interpreter",
        "broken-metadata",
        "requirement-conflict",
        "keras-tf-version-skew",
        "keras3-required",
    ),
    "keras-api-moved": ("shadowed-module", "keras-tf-version-skew"),
    "keras3-removed-api": ("shadowed-module", "keras3-legacy-code"),
    "package-too-old-for-api": ("shadowed-module", "tf-distributions-overlap"),
    "metal-plugin-mismatch": ("macos-too-old",),
    "macos-too-old": ("metal-plugin-mismatch",),
    "msvc-runtime-missing": ("cpu-lacks-avx",),
    "no-wheel-for-python": ("no-wheel-for-platform", "pip-too-old-for-platform-tags"),
    "no-wheel-for-platform": ("pip-too-old-for-platform-tags", "rosetta-python"),
    "weights-cache-corrupt": ("weights-download-ssl",),
}

Scored = List[Tuple[Any, float]]


def installed_modules(facts: Any) -> Dict[str, Any]:
    """Top-level import name → the distribution that provides it, in the examined environment."""
    provided: Dict[str, Any] = {}
    for dist in facts.distributions:
        names = {top for top in map(_top_level, dist.files or ())
                 if (top.isidentifier() and not top.startswith("_")) or top.startswith("_pywrap")}
        if not names:  # no RECORD (facts stated, not read): the name it is imported by
            names = {_IMPORTED_AS.get(dist.canonical_name, dist.canonical_name.replace("-", "_"))}
        for name in names:
            provided.setdefault(name, dist)
    return provided


def _top_level(record_path: str) -> str:
    """The import name a RECORD path installs: `h5py/_errors.so` → h5py, `six.py` → six."""
    return record_path.replace("\\", "/").partition("/")[0].removesuffix(".py")


def missing_but_installed(scored: Scored, facts: Any, notebook: bool,
                          installed_in_session: bool = False) -> Scored:
    """`No module named X` while the examined environment has X: another interpreter (or a kernel
    started before the install) ran the code, not a missing package. Without X, it is confirmed.

    In a notebook, a kernel started before the install needs the install to have happened while
    it ran: the paste shows it (`installed_in_session`: a `%pip install` cell, the restart hint
    IPython and Colab print after one), or Colab's single interpreter leaves no other. Otherwise
    the kernel is most often another interpreter than the one the package went into (the
    environment examined), the commonest notebook import failure."""
    provided = installed_modules(facts)
    if not provided:
        return scored
    from keras_doctor.explain.hypothesis import Hypothesis

    out: Scored = []
    added: List[Tuple[Any, float]] = []
    for hyp, score in scored:
        module = hyp.evidence.get("module") if isinstance(hyp, Hypothesis) else None
        if hyp.cause != "missing-dependency" or not isinstance(module, str):
            out.append((hyp, score))
            continue
        top = module.split(".")[0]
        dist = provided.get(top)
        if dist is not None and module != top and dist.files is None:
            # the package is there and no files list says whether it has that module (a stated
            # environment): a module a release lacks is no sign of another interpreter
            out.append((hyp, score))
            continue
        if dist is None:
            hyp.evidence["not_installed_in"] = facts.interpreter.executable
            out.append((hyp, 1 - (1 - score) * 0.6))
            continue
        owner = f"{dist.name} {dist.version}"
        hyp.evidence["installed_here"] = owner
        out.append((hyp, score * 0.3))
        evidence = {"module": top, "installed_here": owner,
                    "examined": facts.interpreter.executable}
        weights = ((("wrong-interpreter", 0.6), ("kernel-not-restarted", 0.7))
                   if notebook and installed_in_session else
                   (("wrong-interpreter", 0.7), ("kernel-not-restarted", 0.45)) if notebook else
                   (("wrong-interpreter", 0.8), ("kernel-not-restarted", 0.25)))
        for cause, weight in weights:
            other = Hypothesis(cause, weights=[weight], evidence=dict(evidence),
                               signatures=[INSTALLED_HERE], mechanism=_INSTALLED_HERE)
            added.append((other, weight))
    # the text's own guess of the same cause is confirmed, not repeated
    for other, weight in added:
        for i, (hyp, score) in enumerate(out):
            if hyp.cause == other.cause and not isinstance(hyp, Finding):
                if only_guessed(list(hyp.signatures)):  # the facts are the first real witness
                    out[i] = (other, max(score, weight))
                else:
                    hyp.evidence.update(other.evidence)
                    hyp.signatures.append(INSTALLED_HERE)
                    out[i] = (hyp, max(1 - (1 - score) * CONFIRM, weight))
                break
        else:
            out.append((other, weight))
    return out


_INSTALLED_HERE = (
    "The environment examined has this module installed, yet the code could not import it: the "
    "code ran under another interpreter (another venv, conda env or Jupyter kernel), or in a "
    "kernel started before the install."
)


_TENSORFLOWS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos",
                "tensorflow-intel", "tf-nightly")


def tensorflow_generation(scored: Scored, facts: Any) -> Scored:
    """TensorFlow 1 code under TensorFlow 2 needs a TensorFlow 2: the installed one confirms the
    text's guess (>= 2) or rules it out (1.x, where the name exists and the cause is elsewhere).
    No TensorFlow in the examined environment says nothing: the code ran elsewhere. Only a
    reading of the text confirms or rules out: a candidate the ranker guessed from the kind of
    error, with no TensorFlow 1 name of the paste behind it (`_unanchored_guess`), is not made
    likelier by the TensorFlow 2 every such environment has."""
    from packaging.version import InvalidVersion, Version

    from keras_doctor.explain.hypothesis import Hypothesis

    installed = None
    for dist in facts.distributions:
        if dist.canonical_name in _TENSORFLOWS:
            try:
                installed = (dist.name, Version(str(dist.version)))
            except InvalidVersion:
                continue
            break
    if installed is None:
        return scored
    out: Scored = []
    ruled_out = 0.0
    for hyp, score in scored:
        if hyp.cause != "tf1-api-under-tf2" or isinstance(hyp, Finding) or _unanchored_guess(hyp):
            out.append((hyp, score))
            continue
        name, version = installed
        if version.major >= 2:
            hyp.evidence["installed_here"] = f"{name} {version}"
            out.append((hyp, 1 - (1 - score) * CONFIRM))
        else:
            hyp.evidence["contradicted_by"] = [f"{name} {version} is installed: it has the "
                                               "TensorFlow 1 API"]
            out.append((hyp, score * 0.2))
            ruled_out = max(ruled_out, score)
    if ruled_out:
        # the installed TensorFlow has the name, yet the code did not find it: the code ran
        # under another interpreter (with a TensorFlow 2), or imported a local file named like
        # the package
        name, version = installed
        evidence = {"installed_here": f"{name} {version}",
                    "examined": facts.interpreter.executable}
        for cause, weight in (("wrong-interpreter", ruled_out * 0.5),
                              ("shadowed-module", ruled_out * 0.4)):
            known = [i for i, (h, _) in enumerate(out) if h.cause == cause]
            if known:
                h, previous = out[known[0]]
                out[known[0]] = (h, max(previous, weight))
            else:
                out.append((Hypothesis(cause, weights=[weight], evidence=dict(evidence),
                                       signatures=[INSTALLED_HERE],
                                       mechanism=_HAS_THE_NAME), weight))
        out.sort(key=lambda pair: -pair[1])
    return out


_HAS_THE_NAME = (
    "The TensorFlow installed in the environment examined has this TensorFlow 1 name, yet the "
    "code did not find it: the code ran under another interpreter (with a TensorFlow 2), or "
    "imported a local file or folder named like the package."
)


_WHEEL_CAUSES = ("no-wheel-for-python", "no-wheel-for-platform")
# The examined system and machine, as the release tables name platforms (`wheels.PLATFORMS`).
_PLATFORM_OF = {("macos", "x86_64"): "macos-x86_64", ("macos", "arm64"): "macos-arm64",
                ("linux", "x86_64"): "linux-x86_64", ("linux", "aarch64"): "linux-aarch64",
                ("windows", "x86_64"): "windows-amd64", ("windows", "i386"): "windows-32"}


def named_wheel_decided(scored: Scored, facts: Any) -> Scored:
    """pip refusing a named wheel ("X.whl is not a supported wheel on this platform") rejects
    its Python tag or its platform tag; the paste rarely shows which Python ran, the examined
    interpreter does. Its Python against the wheel's interpreter and ABI tags, its system and
    machine against the platform tags, decide between the two wheel causes when exactly one
    side fails."""
    from keras_doctor.explain.examined import examined

    tags = next((h.evidence.get("wheel_tags") for h, _ in scored if not isinstance(h, Finding)
                 and h.cause in _WHEEL_CAUSES and h.evidence.get("wheel_tags")), None)
    if not isinstance(tags, list):
        return scored
    here = examined(facts)
    machine = here.machine or ("x86_64" if here.platform == "windows" else "")
    python_fits = _python_fits(tags, here.python)
    platform_fits = _platform_fits(tags, here.platform, machine)
    if python_fits is None or platform_fits is None or python_fits == platform_fits:
        return scored
    decided = "no-wheel-for-platform" if python_fits else "no-wheel-for-python"
    top = max(score for h, score in scored if h.cause in _WHEEL_CAUSES)
    out: Scored = []
    for hyp, score in scored:
        if hyp.cause == decided and not isinstance(hyp, Finding):
            hyp.evidence["examined"] = (f"Python {here.python} on {here.platform} {machine}"
                                        .strip())
            out.append((hyp, 1 - (1 - top) * CONFIRM))
        elif hyp.cause in _WHEEL_CAUSES and not isinstance(hyp, Finding):
            out.append((hyp, min(score, top) * CONTRADICT))
        else:
            out.append((hyp, score))
    return sorted(out, key=lambda pair: -pair[1])


def _parsed(tags: List[str]) -> List[Any]:
    from packaging.tags import parse_tag

    parsed: List[Any] = []
    for text in tags:
        try:
            parsed.extend(parse_tag(str(text)))
        except ValueError:  # not a tag: nothing to judge by
            continue
    return parsed


def _python_fits(tags: List[str], python: str) -> Optional[bool]:
    """Whether the Python examined ("3.9") accepts the wheel's interpreter and ABI tags (a `py3`
    tag, its own `cpXY`, or a `cpXY`-`abi3` at or below it); None when unknown."""
    major, _, minor = python.partition(".")
    parsed = _parsed(tags)
    if not (major.isdigit() and minor.isdigit()) or not parsed:
        return None
    mine = (int(major), int(minor))
    for tag in parsed:
        if tag.interpreter.startswith("py"):
            if tag.interpreter[2:3] in ("", major):
                return True
            continue
        digits = tag.interpreter[2:]
        if not tag.interpreter.startswith("cp") or not digits.isdigit():
            return None  # another implementation's tags: not judged here
        wheel = (int(digits[0]), int(digits[1:] or 0))
        if wheel == mine or (tag.abi == "abi3" and wheel[0] == mine[0] and wheel <= mine):
            return True
    return False


def _platform_fits(tags: List[str], platform: str, machine: str) -> Optional[bool]:
    """Whether the examined system and machine accept one of the wheel's platform tags, read the
    way the wheel decision reads them (`knowledge.releases.tag_platforms`); None when unknown."""
    from keras_doctor.knowledge.releases import tag_platforms

    here = _PLATFORM_OF.get((platform, machine))
    parsed = _parsed(tags)
    if here is None or not parsed:
        return None
    return any(here in tag_platforms(tag.platform) for tag in parsed)


def with_facts(
    scored: Scored, facts: Any, knowledge: Any, report: Report, notebook: bool = False,
    frames: Sequence[str] = (), text: str = "", colab: bool = False,
) -> Scored:
    from_text = max((score for _, score in scored), default=0.0)
    scored = missing_but_installed(scored, facts, notebook,
                                   colab or installed_under_the_kernel(text))
    scored = tensorflow_generation(scored, facts)
    scored = named_wheel_decided(scored, facts)
    checks = _run_checks(facts, knowledge, report)
    if checks is None:
        return sorted(scored, key=lambda pair: -pair[1])
    by_cause: Dict[str, List[Finding]] = {}
    for f in checks.findings:
        by_cause.setdefault(f.cause, []).append(f)
    cleared = _cleared_causes(checks)
    out: Scored = []
    used = set()
    by_relation = set()  # listed only as related to another candidate (`RELATED`)
    for hyp, score in scored:
        confirmed = by_cause.get(hyp.cause)
        if confirmed and hyp.cause == "missing-dependency" and not isinstance(hyp, Finding):
            confirmed = _about_module(confirmed, hyp.evidence.get("module"))
        if confirmed and _unanchored_guess(hyp):
            # a candidate the text only guessed, with nothing in it (a path, a module, a name)
            # to tie it to what the check found: the environment has that problem, but nothing
            # says this error comes from it
            out.append((hyp, score))
        elif confirmed:
            used.add(hyp.cause)
            best = _closest_finding(hyp, confirmed)
            out.append((_merge(hyp, best, facts), 1 - (1 - score) * CONFIRM))
        elif (hyp.cause in cleared and hyp.cause not in NOT_CONTRADICTED_BY_FACTS
              and INSTALLED_HERE not in hyp.signatures):
            # (a check of the shell's python and pip that finds them agreeing cannot see which
            # interpreter ran the code; the module installed here, yet not found, is the witness)
            hyp.evidence["contradicted_by"] = sorted(cleared[hyp.cause])
            out.append((hyp, score * CONTRADICT))
        else:
            out.append((hyp, score))
    for hyp, score in list(out):
        for related in RELATED.get(hyp.cause, ()):
            for f in by_cause.get(related, ()):
                if related in used or f.severity is not Severity.ERROR:
                    continue
                # the environment proves a cause that produces this symptom, while the text's
                # cause was not confirmed by any check: the proven one comes first
                proven = hyp.cause not in used
                weight = min(0.99, score + 0.01) if proven else max(0.35, score * 0.8)
                listed = [i for i, (h, _) in enumerate(out) if h.cause == related]
                if listed:
                    # the text already named it, unconfirmed (a guess with nothing to tie it to
                    # the finding): one candidate, at the higher of the two confidences (still
                    # open to what anchors it below: the traceback running through a shadow)
                    i = listed[0]
                    out[i] = (out[i][0], max(out[i][1], weight))
                    continue
                used.add(related)
                by_relation.add(related)
                out.append((replace(f, check=f"{f.check} (facts)"), weight))
    out = _keras_calls_tensorflow_1(out, by_cause)
    for f in by_cause.get("shadowed-module", ()):
        if ("shadowed-module" not in used or "shadowed-module" in by_relation) and \
                _raised_inside(f, frames):
            # the traceback runs through the very file or folder that hides the package
            used.add("shadowed-module")
            # (the text's first reading, if it had any: bare frames name no error)
            found = _merge(scored[0][0], f, facts) if scored else f
            # (first, and surer than the text alone made its own answer)
            surest = max([from_text, *(score for _, score in out)])
            # the text's own guess of a shadow (no anchor, so not confirmed above) is this one
            out = [(h, s) for h, s in out if h.cause != "shadowed-module"]
            out.append((found, max(SHADOW_IN_TRACEBACK, min(0.99, surest + 0.01))))
    out = look_alikes_decided(out, facts, checks, scored)
    out.sort(key=lambda pair: -pair[1])
    return [
        (h if not isinstance(h, Finding) else replace(h, confidence=round(s, 3)), s) for h, s in out
    ]


def _keras_calls_tensorflow_1(out: Scored, by_cause: Dict[str, List[Finding]]) -> Scored:
    """A TensorFlow 1 name missing under TensorFlow 2, while the environment has a multi-backend
    Keras (2.2.5 or older) that supports TensorFlow 1 only: that Keras's TensorFlow backend calls
    those names (`tf.get_default_graph`, `tf.Session`, `tf.placeholder`) on import and for every
    model, so the installed Keras, not only the code, needs TensorFlow 1: the skew comes first."""
    skews = [f for f in by_cause.get("keras-tf-version-skew", ())
             if f.evidence.get("tf1_only_keras")]
    if not skews or not out:
        return out
    top_hyp, top = max(out, key=lambda pair: pair[1])
    if top_hyp.cause != "tf1-api-under-tf2":
        return out
    # the skew takes the first place, the TensorFlow 1 reading follows it just below
    out = [(h, s * 0.98 if h is top_hyp else s) for h, s in out]
    listed = [i for i, (h, _) in enumerate(out) if h.cause == "keras-tf-version-skew"]
    if listed:
        out[listed[0]] = (out[listed[0]][0], top)
        return out
    return [*out, (replace(skews[0], check=f"{skews[0].check} (facts)"), top)]


def look_alikes_decided(out: Scored, facts: Any, checks: Report, text_scored: Scored) -> Scored:
    """The causes one message stands for (`lookalike`) are kept among the first answers from the
    text; the facts remove those the environment cannot have produced. A candidate only guessed
    for the message (a look-alike or the ranker's proposal, no witness in the text) leaves the
    list; one the text's own words named is contradicted (its confidence halves, the reason
    shown), and the likeliest of its look-alikes the facts leave standing takes its place: the
    message means one of them, and the facts ruled this one out. A look-alike the facts do not
    rule out stays where the text put it."""
    from keras_doctor.explain.lookalike import LOOK_ALIKES

    kept: Scored = []
    ruled: Dict[str, float] = {}  # cause ruled out → the confidence the text gave it
    for hyp, score in out:
        reason = "" if isinstance(hyp, Finding) else ruled_out(hyp.cause, facts, checks,
                                                               text_scored)
        if not reason:
            kept.append((hyp, score))
            continue
        ruled[hyp.cause] = max(ruled.get(hyp.cause, 0.0), score)
        if not only_guessed(list(hyp.signatures)):
            against = hyp.evidence.setdefault("contradicted_by", [])
            if reason not in against:
                against.append(reason)
                score *= CONTRADICT
            kept.append((hyp, score))
    for cause, score in ruled.items():
        standing = [i for other in LOOK_ALIKES.get(cause, ()) if other not in ruled
                    for i, (h, _) in enumerate(kept) if h.cause == other]
        if standing:
            i = standing[0]
            kept[i] = (kept[i][0], max(kept[i][1], score))
            kept = [(h, min(s, kept[i][1] * 0.99)) if h.cause == cause else (h, s)
                    for h, s in kept]
    return kept


_NATIVE_ARM = ("arm64", "aarch64")


def ruled_out(cause: str, facts: Any, checks: Report,
              scored: Sequence[Tuple[Any, float]] = ()) -> str:
    """Why the examined environment cannot have produced `cause` ('' when it can):

    - a cause of one operating system elsewhere (Rosetta on Linux, the Visual C++ runtime on a
      Mac: `clues.excluded_on`, the same table the paste's own platform is judged by);
    - an x86_64 build without AVX on an arm64 or aarch64 interpreter, which runs no x86 code;
    - Rosetta on an Intel Mac, or under an interpreter that runs as arm64 (native);
    - a pip too old for the wheels' platform tags when the examined pip knows every tag
      `pip_tags.json` lists (a pip that old is not the one installed);
    - Keras not matching TensorFlow when the installed pair is of one release line
      (`_one_release_line`), and no check found an error of that cause;
    - a Keras too old for a name when the symbol atlas, read at the installed Keras version,
      has the name in that very release (it moved; the release is not too old), unless the
      text's evidence dates the name's first release after the installed one."""
    from keras_doctor.explain.clues import excluded_on
    from keras_doctor.explain.examined import examined

    here = examined(facts)
    if excluded_on(cause, here.platform):
        return f"the environment examined runs {here.platform}, where this cause cannot occur"
    if cause == "cpu-lacks-avx" and here.machine in _NATIVE_ARM:
        return (f"the interpreter examined runs as {here.machine}: it loads no x86_64 build, "
                "so no AVX instruction")
    if cause == "rosetta-python" and here.platform == "macos":
        if facts.platform.apple_silicon is False:
            return "the Mac examined has an Intel processor: there is no Rosetta"
        if here.machine == "arm64" and not facts.platform.rosetta_translated:
            return "the interpreter examined runs natively as arm64, not under Rosetta"
    if cause == "pip-too-old-for-platform-tags" and here.pip:
        newest = _newest_tag_pip()
        if newest and _at_least(here.pip, newest):
            return (f"pip {here.pip}, the one examined, knows every platform tag wheels carry "
                    f"(the newest it needs is {newest})")
    if cause == "keras-tf-version-skew":
        pair = _one_release_line(facts, checks)
        if pair:
            return f"the installed {pair} are of one release line"
    if cause == "package-too-old-for-api" and not any(
            not isinstance(hyp, Finding) and hyp.evidence.get("first_release")
            for hyp, _ in scored):
        # (a release table that dates the name at the imported path after the installed
        # release says too old, wherever else that release keeps it)
        for hyp, _ in scored:
            atlas = getattr(hyp, "evidence", {}).get("atlas") if not isinstance(
                hyp, Finding) else None
            installed = getattr(hyp, "evidence", {}).get("keras_version")
            if isinstance(atlas, dict) and installed and atlas.get("where") and \
                    atlas.get("checked_against") == f"keras {installed}":
                return (f"keras {installed}, the one installed, has the name (in "
                        f"{atlas['where'][0]}): it is not too old for it")
    return ""


def _newest_tag_pip() -> str:
    """The first pip that knows every platform tag and machine in `pip_tags.json`: from it on, no
    wheel is skipped for a tag pip cannot read."""
    from packaging.version import Version

    from keras_doctor.explain.wheels import pip_tags

    table = pip_tags()
    firsts = [entry["first_pip"] for key in ("tags", "machines") for entry in table.get(key, ())]
    return str(max(firsts, key=Version)) if firsts else ""


def _at_least(version: str, floor: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) >= Version(floor)
    except InvalidVersion:
        return False


def _one_release_line(facts: Any, checks: Report) -> str:
    """'keras K with tensorflow T' when the installed pair is of one release line, else ''.

    Keras 2.6-2.15 are each built for the TensorFlow of their own minor; TensorFlow 2.16 and
    later declare Keras 3 (`compat_rules`). Before TensorFlow 2.6 the pairing rules are older
    and looser, so nothing is decided there. A check that found the pair skewed (an error, not
    the warning of a tf-keras nothing routes `tf.keras` to) decides against."""
    from packaging.version import InvalidVersion, Version

    from keras_doctor.knowledge import compat_rules

    versions: Dict[str, Version] = {}
    for dist in facts.distributions:
        kind = ("tensorflow" if dist.canonical_name in _TENSORFLOWS
                else "keras" if dist.canonical_name == "keras" else "")
        if kind and kind not in versions:
            try:
                versions[kind] = Version(str(dist.version))
            except InvalidVersion:
                return ""
    keras, tensorflow = versions.get("keras"), versions.get("tensorflow")
    if keras is None or tensorflow is None or any(
            f.cause == "keras-tf-version-skew" and f.severity is Severity.ERROR
            for f in checks.findings):
        return ""
    split, keras3 = Version(compat_rules.FIRST_SPLIT_KERAS_TF), Version(
        compat_rules.FIRST_KERAS3_TF)
    same = ((split <= tensorflow < keras3 and keras.major == 2
             and keras.release[:2] == tensorflow.release[:2])
            or (tensorflow >= keras3 and keras.major >= 3))
    return f"keras {keras} with tensorflow {tensorflow}" if same else ""


def _run_checks(facts: Any, knowledge: Any, report: Report):
    from keras_doctor.checks.registry import run_checks

    loader = (lambda: knowledge) if knowledge is not None else _knowledge_loader()
    try:
        checks = run_checks(facts, loader)
    except Exception as exc:  # the explanation must survive a broken check set
        report.extra["checks"] = f"not run: {type(exc).__name__}: {exc}"
        return None
    report.extra["checks"] = {
        "findings": len(checks.findings),
        "passed": len(checks.passed),
        "skipped": len(checks.skipped),
    }
    return checks


def _knowledge_loader():
    def load():
        from keras_doctor import knowledge

        return knowledge.load()

    return load


def _cleared_causes(checks: Report) -> Dict[str, set]:
    """Causes that a check looked for and did not find, with the checks that cleared them."""
    from keras_doctor.checks.registry import REGISTRY

    declared = {c.name: c.causes for c in REGISTRY}
    found = {f.cause for f in checks.findings}
    cleared: Dict[str, set] = {}
    for passed in checks.passed:
        for cause in declared.get(passed.check, ()):
            if cause not in found:
                cleared.setdefault(cause, set()).add(passed.check)
    return cleared


def _about_module(findings: List[Finding], module: Any) -> List[Finding]:
    """Only a check finding about the very module the error names confirms that it is missing."""
    if not isinstance(module, str):
        return []
    top = module.split(".")[0].replace("_", "-").lower()
    return [f for f in findings if str(f.evidence.get("required")).lower().replace("_", "-")
            in (top, module.lower())]


def _raised_inside(shadow: Finding, frames: Sequence[str]) -> bool:
    path = shadow.evidence.get("path")
    if not isinstance(path, str) or not path:
        return False
    path = path.replace("\\", "/").rstrip("/")
    return any(frame.replace("\\", "/") == path or frame.replace("\\", "/").startswith(path + "/")
               for frame in frames)


def _unanchored_guess(hyp: Any) -> bool:
    if isinstance(hyp, Finding) or not only_guessed(list(getattr(hyp, "signatures", []))):
        return False
    return not any(isinstance(hyp.evidence.get(key), (str, list)) and hyp.evidence.get(key)
                   for key in _CLUE_KEYS)


def _closest_finding(hyp: Any, findings: List[Finding]) -> Finding:
    """Of several check findings of one cause (one per owner, say), the one the text points at."""
    import json

    clues: List[str] = []
    for key in _CLUE_KEYS:
        value = hyp.evidence.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > 2:
                clues.extend({item, item.rsplit("/", 1)[-1]})
    for finding in findings:
        blob = json.dumps(finding.evidence, default=str)
        if any(clue in blob for clue in clues):
            return finding
    return findings[0]


def _merge(hyp: Any, confirmed: Finding, facts: Any) -> Finding:
    text_finding = to_finding(hyp, 0.0, facts)
    evidence = dict(confirmed.evidence)
    evidence["confirmed_by"] = confirmed.check
    evidence["from_error_text"] = {
        k: v for k, v in text_finding.evidence.items() if k not in ("learned_from",)
    }
    return replace(
        confirmed,
        evidence=evidence,
        fix=tuple(confirmed.fix) or text_finding.fix,
        check=f"explain+{confirmed.check}",
    )
