"""Version compatibility the installed metadata does not declare: Keras vs TensorFlow, numpy ABI,
protobuf and ml-dtypes ranges, and the age of the knowledge base that decides them.

Every check here first asks whether an installed distribution already declares the conflict (then
the `requirements` check has reported it, with the same cause) and only reports what is left: TF
2.6.0 allowing keras 2.7, TF 2.14.0 declaring no numpy cap although it is a NumPy 1 build, TF 2.9.0
accepting protobuf 4, metadata stripped by a conda build, and so on.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.checks.environment import configured_backend
from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.checks.stack import (
    declared_excludes,
    declared_requirements,
    installed_version,
    knowledge_of,
    minor_of,
    numpy_runtime,
    python_minor,
    tensorflow,
)
from keras_doctor.facts.model import Distribution
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.knowledge import compat_rules
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.remedies import install
from keras_doctor.requirements import target_environment, wheel_requirements

_FIRST_SKEW_TF = Version(compat_rules.FIRST_SPLIT_KERAS_TF)
_FIRST_KERAS3_TF = Version(compat_rules.FIRST_KERAS3_TF)


@check(name="keras-tf-skew", area="packages", causes=["keras-tf-version-skew"],
       ok="Keras matches the TensorFlow minor it runs with")
def keras_tf_skew(ctx: CheckContext) -> Iterator[Finding]:
    tf = tensorflow(ctx)
    keras = installed_version(ctx, "keras")
    if tf is None or keras is None:
        raise SkipCheck("TensorFlow and Keras are not both installed")
    tf_dist, tf_version = tf
    keras_version = keras[1]
    if tf_version < _FIRST_SKEW_TF:
        yield from _standalone_keras_skew(ctx, tf_dist, tf_version, keras_version)
        return
    if tf_version >= _FIRST_KERAS3_TF:
        return
    if keras_version.major == 2 and minor_of(keras_version) == minor_of(tf_version):
        return
    if declared_excludes(ctx, "keras", keras_version, TF_FAMILY):
        return  # the requirements check reports this one from TensorFlow's own metadata
    wanted = f"keras=={tf_version.major}.{tf_version.minor}.*"
    declared = [str(r) for _, r in declared_requirements(ctx, "keras", TF_FAMILY)]
    yield finding(
        "keras-tf-version-skew",
        f"keras {keras_version} runs with {tf_dist.name} {tf_version}, which needs keras "
        f"{tf_version.major}.{tf_version.minor}",
        explanation=(f"Standalone Keras 2 releases are built for one TensorFlow minor each; "
                     f"{tf_dist.name} {tf_version} imports `keras` as its tf.keras, so keras "
                     f"{keras_version} breaks at import or at the first model. The installed "
                     "metadata does not forbid this pairing, so pip allowed it."),
        evidence={"tensorflow": tf_dist.name, "tensorflow_version": str(tf_version),
                  "keras_version": str(keras_version), "declared": declared or None,
                  "decided_by": "TensorFlow minor = Keras minor (Keras 2.6-2.15)"},
        fix=[install(ctx.facts, [wanted], description=f"Install the keras release for "
                                                       f"TensorFlow {tf_version.major}."
                                                       f"{tf_version.minor}")],
    )


def _standalone_keras_skew(ctx: CheckContext, tf_dist: Distribution, tf_version: Version,
                           keras_version: Version) -> Iterator[Finding]:
    """A TensorFlow before the split, with a standalone `keras` that does not run on it
    (`compat_rules.STANDALONE_KERAS_SOURCES`): a TensorFlow-1-only multi-backend Keras under
    TensorFlow 2, or a tf.keras redirect (2.4) under a TensorFlow older than 2.2."""
    if keras_version.major >= 3:
        return  # Keras 3 against an old TensorFlow is the keras3 checks' finding
    tf1_only = keras_version <= Version(compat_rules.LAST_TF1_ONLY_KERAS)
    if tf1_only and tf_version.major >= 2:
        why, wanted = ("supports TensorFlow 1 only (multi-backend Keras 2.2.5 and older)",
                       "keras>=2.3.1")
    elif (Version(compat_rules.FIRST_REDIRECT_KERAS) <= keras_version < _FIRST_SKEW_TF
          and tf_version < Version(compat_rules.REDIRECT_KERAS_NEEDS_TF)):
        why, wanted = (f"redirects to tf.keras and needs TensorFlow "
                       f"{compat_rules.REDIRECT_KERAS_NEEDS_TF} or later", "keras<2.4")
    else:
        return
    yield finding(
        "keras-tf-version-skew",
        f"keras {keras_version} runs with {tf_dist.name} {tf_version}: this Keras {why}",
        explanation=("Before TensorFlow 2.6 the standalone `keras` distribution was released "
                     "apart from TensorFlow and its metadata names no TensorFlow, so pip "
                     "installs any Keras beside any TensorFlow; this pair does not run together."),
        evidence={"tensorflow": tf_dist.name, "tensorflow_version": str(tf_version),
                  "keras_version": str(keras_version),
                  # its TensorFlow backend calls TensorFlow 1 names (tf.get_default_graph, ...)
                  "tf1_only_keras": tf1_only or None,
                  "decided_by": "standalone Keras release notes",
                  "sources": compat_rules.STANDALONE_KERAS_SOURCES},
        fix=[install(ctx.facts, [wanted], description=f"Install a keras that runs on "
                                                      f"{tf_dist.name} {tf_version}"),
             FixStep("Or import Keras from TensorFlow (`from tensorflow import keras`), which "
                     "always matches it", StepKind.MANUAL)],
    )


@check(name="keras3-required", area="packages", causes=["keras3-required"],
       ok="Nothing installed needs a newer Keras than the one installed")
def keras3_required(ctx: CheckContext) -> Iterator[Finding]:
    keras = installed_version(ctx, "keras")
    if keras is None or keras[1].major >= 3:
        return
    keras_version = keras[1]
    needs: List[Dict[str, Any]] = []
    tf = tensorflow(ctx)
    if tf is not None and tf[1] >= _FIRST_KERAS3_TF and \
            not declared_excludes(ctx, "keras", keras_version, TF_FAMILY):
        needs.append({"needed_by": f"{tf[0].name} {tf[1]}",
                      "why": "TensorFlow 2.16 and later use Keras 3 as tf.keras"})
    for rule in compat_rules.KERAS3_USERS:
        user = installed_version(ctx, rule["name"])
        if user and SpecifierSet(rule["versions"]).contains(user[1], prereleases=True) and \
                not declared_excludes(ctx, "keras", keras_version, [rule["name"]]):
            needs.append({"needed_by": f"{user[0].name} {user[1]}", "why": "written for Keras 3",
                          "sources": rule["sources"]})
    backend = configured_backend(ctx)
    if backend and backend[0] in compat_rules.KERAS3_BACKENDS:
        needs.append({"needed_by": f"the {backend[0]} backend (set by {backend[1]})",
                      "why": "Keras 2 runs on TensorFlow only and ignores the backend setting",
                      "sources": compat_rules.KERAS3_BACKEND_SOURCES})
    if not needs:
        return
    specs = ["keras>=3"]
    if tf is not None and tf[1] < _FIRST_KERAS3_TF:
        specs.insert(0, f"{tf[0].name}>={compat_rules.FIRST_KERAS3_TF}")
    yield finding(
        "keras3-required",
        f"keras {keras_version} is installed, but {needs[0]['needed_by']} needs Keras 3",
        evidence={"keras_version": str(keras_version), "needs": needs},
        fix=[install(ctx.facts, specs, description="Install Keras 3"
                     + (" with a TensorFlow that uses it" if len(specs) > 1 else ""))],
    )


@check(name="numpy-abi", area="packages", causes=["numpy-abi-mismatch"],
       ok="numpy matches the ABI the installed TensorFlow was built against")
def numpy_abi(ctx: CheckContext) -> Iterator[Finding]:
    tf = tensorflow(ctx)
    numpy = installed_version(ctx, "numpy")
    if tf is None or numpy is None:
        raise SkipCheck("TensorFlow and numpy are not both installed")
    if declared_excludes(ctx, "numpy", numpy[1]):
        return
    abi = numpy_runtime(knowledge_of(ctx), tf[0].canonical_name, tf[1])
    if abi is None or not abi["runtime"] or \
            SpecifierSet(abi["runtime"]).contains(numpy[1], prereleases=True):
        return
    declared = [str(r.specifier) for _, r in declared_requirements(ctx, "numpy") if r.specifier]
    wanted = SpecifierSet(abi["runtime"])
    for spec in declared:
        wanted &= SpecifierSet(spec)
    yield finding(
        "numpy-abi-mismatch",
        f"numpy {numpy[1]} cannot load {tf[0].name} {tf[1]}, a NumPy {abi['built_against']} "
        f"build (needs numpy{abi['runtime']}); its metadata does not say so",
        evidence={"tensorflow": tf[0].name, "tensorflow_version": str(tf[1]),
                  "numpy_version": str(numpy[1]), "built_against": abi["built_against"],
                  "runtime": abi["runtime"], "declared": declared or None,
                  "decided_by": "knowledge base numpy_abi.json", "sources": abi["sources"]},
        fix=[install(ctx.facts, [f"numpy{wanted}"],
                     description=f"Install a numpy that {tf[0].name} {tf[1]} can load"),
             FixStep("Or upgrade TensorFlow to 2.18 or later, the first NumPy 2 build",
                     StepKind.MANUAL)],
    )


@check(name="stack-ranges", area="packages", causes=["protobuf-mismatch", "ml-dtypes-mismatch"],
       ok="protobuf and ml-dtypes are inside the ranges TensorFlow needs")
def stack_ranges(ctx: CheckContext) -> Iterator[Finding]:
    tf = tensorflow(ctx)
    if tf is None:
        raise SkipCheck("TensorFlow is not installed")
    pairs = (("protobuf", "protobuf-mismatch"), ("ml-dtypes", "ml-dtypes-mismatch"))
    for dependency, cause in pairs:
        have = installed_version(ctx, dependency)
        if have is None or declared_excludes(ctx, dependency, have[1]):
            continue  # a declared conflict is the requirements check's finding
        silent = not declared_requirements(ctx, dependency)
        for spec, source in _undeclared_needs(ctx, tf, dependency, silent):
            if spec.contains(have[1], prereleases=True):
                continue
            yield finding(
                cause,
                f"{dependency} {have[1]} is outside the range {tf[0].name} {tf[1]} needs "
                f"({dependency}{spec}), which its installed metadata does not state",
                evidence={"tensorflow": tf[0].name, "tensorflow_version": str(tf[1]),
                          "installed_version": str(have[1]), "needed": f"{dependency}{spec}",
                          "declared": [str(r) for _, r in declared_requirements(ctx, dependency)]
                          or None,
                          "decided_by": source},
                fix=[install(ctx.facts, [f"{dependency}{spec}"])],
            )
            break


def _undeclared_needs(ctx: CheckContext, tf: Tuple[Distribution, Version], dependency: str,
                      metadata_silent: bool) -> Iterator[Tuple[SpecifierSet, str]]:
    """(specifier, where it comes from) for `dependency`: from the knowledge base's copy of the
    wheel metadata when the installed metadata is silent (following a shim to the build it
    installs), then from the curated rules of what TensorFlow needs beyond what it declares."""
    if metadata_silent:
        yield from _wheel_needs(ctx, tf, dependency)
    for rule in compat_rules.UNDECLARED_RUNTIME:
        if rule["dependency"] == dependency and SpecifierSet(rule["tensorflow"]).contains(tf[1]):
            yield SpecifierSet(rule["runtime"]), (f"curated rule ({rule['symptom']}): "
                                                  f"{'; '.join(rule['sources'])}")


def _wheel_needs(ctx: CheckContext, tf: Tuple[Distribution, Version],
                 dependency: str) -> Iterator[Tuple[SpecifierSet, str]]:
    kb = knowledge_of(ctx)
    environment = target_environment(ctx.facts.interpreter.marker_environment)
    wanted = canonicalize_name(dependency)
    for project, req in wheel_requirements(kb, tf[0].canonical_name, str(tf[1]),
                                           ctx.facts.target.platform, python_minor(ctx.facts),
                                           environment):
        if canonicalize_name(req.name) == wanted and req.specifier:
            yield req.specifier, f"knowledge base: Requires-Dist of the {project} {tf[1]} wheel"


@check(name="knowledge-age", area="doctor", causes=["knowledge-stale"],
       ok="The knowledge base is recent")
def knowledge_age(ctx: CheckContext) -> Iterator[Finding]:
    kb = knowledge_of(ctx)
    from keras_doctor.knowledge import STALE_AFTER_DAYS

    age = kb.age_days
    if age <= STALE_AFTER_DAYS:
        return
    yield finding(
        "knowledge-stale",
        f"keras-doctor's knowledge of releases is {int(age)} days old",
        evidence={"age_days": round(age, 1), "generated_at": kb.manifest.get("generated_at"),
                  "origin": kb.origin, "directory": str(kb.directory)},
        fix=[FixStep("Refresh it", StepKind.RUN, ("keras-doctor", "db", "update"))],
        severity=Severity.INFO,
    )
