"""Code older than the installed stack: Keras 2 code under Keras 3, TensorFlow 1 code under TF 2.

Keras 2 code under Keras 3: libraries written for `tf.keras`, and the TF_USE_LEGACY_KERAS switch.

From TensorFlow 2.16, `tf.keras` is Keras 3. Libraries written for Keras 2 (tensorflow-hub,
transformers' TF models, tensorflow-probability's layers, …) then need the separate tf_keras
distribution, at the TensorFlow minor, and often `TF_USE_LEGACY_KERAS` so `tf.keras` is tf_keras
too.
TensorFlow compares that variable's raw string with "true", "True" and "1" only: "yes" or "TRUE"
silently do nothing (see `compat_rules.LEGACY_KERAS_VALUES` for the source lines).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.checks.stack import declared_excludes, installed_version, knowledge_of, tensorflow
from keras_doctor.facts.model import Distribution
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.knowledge import compat_rules
from keras_doctor.remedies import install

_SWITCH = "TF_USE_LEGACY_KERAS"
_FIRST_SWITCH_TF = Version(compat_rules.FIRST_LEGACY_SWITCH_TF)
_FIRST_KERAS3_TF = Version(compat_rules.FIRST_KERAS3_TF)
_MEANT_AS_ON = {"1", "true", "yes", "on", "y", "t", "enable", "enabled"}


@check(name="legacy-keras", area="keras", causes=["keras3-legacy-code"],
       ok="Keras 2 code has what it needs to run (tf_keras and TF_USE_LEGACY_KERAS)")
def legacy_keras(ctx: CheckContext) -> Iterator[Finding]:
    tf = tensorflow(ctx)
    if tf is None or tf[1] < _FIRST_SWITCH_TF:
        raise SkipCheck("no TensorFlow with Keras 3 or the legacy Keras switch")
    tf_dist, tf_version = tf
    config = ctx.facts.config
    value: Optional[str] = config.env.get(_SWITCH) if config is not None else None
    switch_on = value in compat_rules.LEGACY_KERAS_VALUES
    tf_keras = installed_version(ctx, "tf-keras")

    def pin() -> str:  # asked only for a fix: it reads the tf-keras release table
        return _tf_keras_spec(ctx, tf_version)

    evidence = {"tensorflow": tf_dist.name, "tensorflow_version": str(tf_version),
                _SWITCH: value, "tf_keras_version": str(tf_keras[1]) if tf_keras else None,
                "accepted_values": list(compat_rules.LEGACY_KERAS_VALUES),
                "sources": compat_rules.LEGACY_KERAS_SOURCES}

    if value is not None and not switch_on and value.strip().lower() in _MEANT_AS_ON:
        yield finding(
            "keras3-legacy-code",
            f"{_SWITCH}={value!r} does nothing: TensorFlow only accepts true, True or 1",
            evidence=evidence, severity=Severity.WARNING,
            fix=[_switch_step()],
        )
    if switch_on and tf_keras is None:
        yield finding(
            "keras3-legacy-code",
            f"{_SWITCH}={value} routes tf.keras to tf_keras, which is not installed",
            explanation="With the switch on, every use of tf.keras imports tf_keras; without it, "
                        "TensorFlow warns and tf.keras fails to import.",
            evidence=evidence, severity=Severity.ERROR,
            fix=[install(ctx.facts, [pin()], description="Install tf_keras for this TensorFlow")],
        )
    if tf_keras is not None and (tf_keras[1].major, tf_keras[1].minor) != (tf_version.major,
                                                                           tf_version.minor):
        declared = tf_dist.canonical_name == "tensorflow" and declared_excludes(
            ctx, "tensorflow", tf_version, ["tf-keras"])
        if not declared:
            yield finding(
                "keras3-legacy-code",
                f"tf-keras {tf_keras[1]} does not match {tf_dist.name} {tf_version} (tf_keras is "
                "released for one TensorFlow minor each)",
                evidence=evidence,
                severity=Severity.ERROR if switch_on else Severity.WARNING,
                fix=[install(ctx.facts, [pin()], description="Install the tf_keras release for "
                                                              "this TensorFlow minor")],
            )
    keras = installed_version(ctx, "keras")
    if tf_version < _FIRST_KERAS3_TF or keras is None or keras[1].major < 3:
        return
    users = _legacy_users(ctx)
    blocked = [u for u in users if tf_keras is None or (
        u["needs"] == "legacy-switch" and config is not None and not switch_on)]
    if not blocked:
        return
    names = ", ".join(u["found"] for u in blocked)
    fix: List[FixStep] = []
    if tf_keras is None:
        fix.append(install(ctx.facts, [pin()], description="Install tf_keras (Keras 2) for this "
                                                            "TensorFlow"))
    if any(u["needs"] == "legacy-switch" for u in blocked) and not switch_on:
        fix.append(_switch_step())
    yield finding(
        "keras3-legacy-code",
        f"{names} {'needs' if len(blocked) == 1 else 'need'} Keras 2, but tf.keras is Keras "
        f"{keras[1]} under {tf_dist.name} {tf_version}",
        evidence={**evidence, "keras_version": str(keras[1]),
                  "libraries": [{k: u[k] for k in ("found", "needs", "symptom", "sources")}
                                for u in blocked]},
        severity=Severity.ERROR,
        fix=fix,
    )


def _legacy_users(ctx: CheckContext) -> List[Dict[str, Any]]:
    found = []
    for rule in compat_rules.LEGACY_KERAS_USERS:
        have = installed_version(ctx, rule["name"])
        if have and SpecifierSet(rule["versions"]).contains(have[1], prereleases=True):
            found.append({**rule, "found": f"{have[0].name} {have[1]}"})
    return found


def _tf_keras_spec(ctx: CheckContext, tf_version: Version) -> str:
    """An exact tf-keras pin for this TensorFlow minor when the knowledge base knows one."""
    prefix = f"{tf_version.major}.{tf_version.minor}"
    try:
        releases = knowledge_of(ctx).releases("tf-keras")
    except Exception:
        releases = []
    same_minor = [r for r in releases if (r.version.major, r.version.minor) ==
                  (tf_version.major, tf_version.minor) and not r.yanked]
    return f"tf-keras=={same_minor[-1].version}" if same_minor else f"tf-keras=={prefix}.*"


def _switch_step() -> FixStep:
    return FixStep(f"Set {_SWITCH}=1 before TensorFlow is first imported (in the shell, or with "
                   f"os.environ[\"{_SWITCH}\"] = \"1\" at the top of the program)",
                   StepKind.ENV, ("export", f"{_SWITCH}=1"))


# -- TensorFlow 1 code under TensorFlow 2 ----------------------------------------------------------

_SHOWN_NAMES = 4


def _tf2_with_scripts(ctx: CheckContext) -> Optional[Tuple[Any, Distribution, Version]]:
    """(config, TensorFlow, its version) when a TensorFlow 2 is installed and the working
    directory's scripts name `tf.` attributes; skips when there is nothing to look at."""
    config = ctx.facts.config
    if config is None:
        raise SkipCheck("no working directory was examined (a folder target)")
    tf = tensorflow(ctx)
    if tf is None:
        raise SkipCheck("no TensorFlow installed")
    tf_dist, tf_version = tf
    if tf_version.major < 2 or not config.tensorflow_names:
        return None
    return config, tf_dist, tf_version


@check(name="tf1-code", area="keras", causes=["tf1-api-under-tf2"],
       ok="no script in the working directory uses a TensorFlow 1 name TensorFlow 2 lacks")
def tf1_code(ctx: CheckContext) -> Iterator[Finding]:
    """A script or notebook in the working directory calls names only TensorFlow 1.x has
    (`knowledge/data/tf1_api.json`, read from the wheels) while a TensorFlow 2 is installed: it
    fails with `module 'tensorflow' has no attribute …` as soon as it runs."""
    scripts = _tf2_with_scripts(ctx)
    if scripts is None:
        return
    config, tf_dist, tf_version = scripts
    try:
        table = ctx.knowledge.file("tf1_api.json")
    except Exception as exc:  # a knowledge copy from before the table existed
        raise SkipCheck(f"no TensorFlow 1 API table in the knowledge base ({exc})") from exc
    by_file: Dict[str, List[str]] = {}
    for use in config.tensorflow_names:
        head = use.name.split(".", 1)[0]
        if "." in use.name and head != "keras" and _tf1_only(table, head):
            continue  # tf.contrib.layers: tf.contrib is reported already
        if _tf1_only(table, use.name):
            by_file.setdefault(use.path, []).append(f"tf.{use.name} (line {use.line})")
    for path, names in sorted(by_file.items()):
        shown = ", ".join(names[:_SHOWN_NAMES]) + (f", … ({len(names)} names)"
                                                   if len(names) > _SHOWN_NAMES else "")
        yield finding(
            "tf1-api-under-tf2",
            f"{path.replace(chr(92), '/').rsplit('/', 1)[-1]} uses TensorFlow 1 names that "
            f"{tf_dist.name} {tf_version} does not have",
            evidence={"script": path, "tensorflow_1_names": names,
                      "installed": f"{tf_dist.name} {tf_version}",
                      "only_in": "tensorflow 1.x (knowledge/data/tf1_api.json)", "shown": shown},
            fix=[FixStep("Use TensorFlow 2's copy of the 1.x API in the script: `import "
                         "tensorflow.compat.v1 as tf` then `tf.disable_v2_behavior()` "
                         "(tf.contrib has no copy)", StepKind.MANUAL, target=path),
                 FixStep("Or port it to TensorFlow 2: `tf_upgrade_v2 --infile OLD --outfile NEW`",
                         StepKind.MANUAL, target=path)],
        )


def _tf1_only(table: Dict[str, Any], name: str) -> bool:
    """Whether `name` (relative to tensorflow: `placeholder`, `train.AdamOptimizer`,
    `keras.backend.get_session`, `contrib`) is a name only TensorFlow 1 has."""
    namespaces, packages = table["namespaces"], table["tf1_only_packages"]
    if name.startswith("keras.backend."):
        namespace, attribute = "tensorflow.keras.backend", name.rsplit(".", 1)[1]
    elif "." in name:
        first, _, attribute = name.partition(".")
        namespace = f"tensorflow.{first}"
        if namespace in packages or f"tensorflow.{name}" in packages:
            return True
    else:
        namespace, attribute = "tensorflow", name
    return attribute in namespaces.get(namespace, {}).get("tf1_only", ())



@check(name="removed-tf-api", area="keras", causes=["code-uses-removed-tensorflow-api"],
       ok="no script in the working directory uses a TensorFlow 2 name the installed one removed")
def removed_tf_api(ctx: CheckContext) -> Iterator[Finding]:
    """A script or notebook in the working directory calls a name an earlier TensorFlow 2 had and
    the installed one no longer has (`tf.estimator` under 2.16+), by the sampled wheels' API in
    `knowledge/data/tf1_api.json` (`tf2_removed`). Installed releases between the last sampled
    one with the name and the first without it are not judged."""
    scripts = _tf2_with_scripts(ctx)
    if scripts is None:
        return
    config, tf_dist, tf_version = scripts
    try:
        removed = ctx.knowledge.file("tf1_api.json").get("tf2_removed", {})
    except Exception as exc:  # a knowledge copy from before the table existed
        raise SkipCheck(f"no TensorFlow API table in the knowledge base ({exc})") from exc
    by_file: Dict[str, List[str]] = {}
    pins: List[Version] = []
    for use in config.tensorflow_names:
        parts = use.name.split(".")
        for depth in (1, 2):
            namespace = ".".join(["tensorflow", *parts[:depth - 1]])
            found = removed.get(namespace, {}).get(parts[depth - 1]) if len(parts) >= depth \
                else None
            if found and Version(tf_version.base_version) >= Version(found["gone_in"]):
                by_file.setdefault(use.path, []).append(
                    f"tf.{'.'.join(parts[:depth])} (line {use.line}; last in "
                    f"{found['last_seen']})")
                pins.append(Version(found["last_seen"]))
                break
    for path, names in sorted(by_file.items()):
        oldest = min(pins)
        yield finding(
            "code-uses-removed-tensorflow-api",
            f"{path.replace(chr(92), '/').rsplit('/', 1)[-1]} uses TensorFlow names that "
            f"{tf_dist.name} {tf_version} removed",
            evidence={"script": path, "removed_names": names,
                      "installed": f"{tf_dist.name} {tf_version}",
                      "source": "knowledge/data/tf1_api.json (tf2_removed)"},
            fix=[install(ctx.facts, [f"tensorflow<={oldest}"],
                         description="Install a TensorFlow that still has these names"),
                 FixStep("Or port the script to the replacements TensorFlow's release notes name",
                         StepKind.MANUAL, target=path)],
        )
