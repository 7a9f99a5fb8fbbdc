"""Distribution checks: overlapping files, duplicates, broken metadata, unmet requirements.

Requirements are evaluated with `packaging` markers for the *target* (a macOS tree checked on Linux
gets macOS markers), which is how this finds at least what `pip check` finds for any platform.
Version conflicts on the packages TensorFlow is most sensitive to get their own cause IDs, so the
fix can be specific.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from keras_doctor.checks.installed import parse_version
from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.facts.model import Distribution
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.knowledge import compat_rules
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.remedies import install, uninstall
from keras_doctor.requirements import applicable, target_environment


@check(name="file-owners", area="packages",
       causes=["tf-distributions-overlap", "keras-distributions-overlap"],
       ok="No file is owned by two distributions")
def file_owners(ctx: CheckContext) -> Iterator[Finding]:
    # One owner per path and folder; a second owner is only recorded when it happens, because
    # this runs over every installed file (17,000 in a TensorFlow environment).
    first_owner: Dict[Tuple[str, str], Distribution] = {}
    groups: Dict[Tuple[str, ...], List[str]] = {}
    members: Dict[Tuple[str, ...], List[Distribution]] = {}
    shared: Dict[Tuple[str, str], List[Distribution]] = {}
    for dist in ctx.facts.distributions:
        location = dist.location
        for rel in dist.files or ():
            key = (location, rel)
            owner = first_owner.setdefault(key, dist)
            # Console scripts: TF 2.15 and tensorboard both install a `tensorboard` script that
            # runs the same code; packages are what break. pip records scripts outside
            # site-packages (../../bin/x); `uv pip install --target` records them as bin/x.
            if owner is not dist and "__pycache__" not in rel and not _is_script(rel):
                shared.setdefault(key, [owner]).append(dist)
    for (_location, rel), owners in shared.items():
        group = tuple(sorted(f"{d.canonical_name}=={d.version}" for d in owners))
        groups.setdefault(group, []).append(rel.replace("\\", "/"))
        members[group] = owners
    for group_key, files in sorted(groups.items()):
        dists = members[group_key]
        names = [d.name for d in dists]
        tops = sorted({f.split("/", 1)[0] for f in files})
        tf = [d for d in dists if d.canonical_name in TF_FAMILY]
        cause = "tf-distributions-overlap"
        if "keras" in tops and len(tf) < 2:
            cause = "keras-distributions-overlap"
            title = (f"{' and '.join(f'{d.name} {d.version}' for d in dists)} both install the "
                     f"keras/ package ({len(files)} shared files)")
            explanation = ("keras and keras-nightly (which TensorFlow 2.5-2.6 and tf-nightly pull "
                           "in) are different distributions of the same `keras/` package: the "
                           "second install overwrote the first, so Keras's modules mix releases.")
            fix = [uninstall(ctx.facts, names, "Uninstall every distribution that owns keras/"),
                   FixStep("Then install the one Keras release that matches TensorFlow "
                           "(`keras-doctor recommend` names it)", StepKind.MANUAL)]
        elif len(tf) >= 2:
            keep = _preferred_tensorflow(tf)
            title = (f"{' and '.join(f'{d.name} {d.version}' for d in dists)} are installed "
                     f"together and overwrite each other's {', '.join(tops[:3])} files")
            explanation = ("These are alternative builds of TensorFlow that all install the same "
                           "`tensorflow/` package; pip does not see them as conflicting, so the "
                           "second one overwrote the first: versions mix, and uninstalling either "
                           "removes files the other needs.")
            fix = [uninstall(ctx.facts, names, "Uninstall every TensorFlow build that shares "
                                                "these files"),
                   install(ctx.facts, [f"{keep.name}=={keep.version}"], no_cache=True,
                           description=f"Install exactly one: {keep.name} {keep.version}")]
        else:
            title = (f"{' and '.join(f'{d.name} {d.version}' for d in dists)} both install "
                     f"{len(files)} of the same files ({', '.join(tops[:3])})")
            explanation = ("Two distributions own the same files: whichever was installed last "
                           "won, and uninstalling one breaks the other.")
            fix = [uninstall(ctx.facts, names),
                   FixStep(f"Then install the one you need ({' or '.join(names)})",
                           StepKind.MANUAL)]
        yield finding(
            cause, title, explanation=explanation,
            evidence={"owners": [{"name": d.name, "version": d.version,
                                  "metadata": d.metadata_dir} for d in dists],
                      "shared_file_count": len(files), "shared_top_level": tops,
                      "examples": sorted(files)[:5]},
            fix=fix,
        )


def _is_script(rel: str) -> bool:
    parts = rel.replace("\\", "/").split("/")
    return parts[0] == ".." or (len(parts) == 2 and parts[0] in ("bin", "Scripts"))


def _preferred_tensorflow(dists: List[Distribution]) -> Distribution:
    """The build at the highest readable version among those installed; at a tie, the plain
    `tensorflow` distribution."""
    def key(d: Distribution) -> Tuple[Version, bool]:
        return (parse_version(d.version) or Version("0"), d.canonical_name == "tensorflow")

    return max(dists, key=key)


@check(name="duplicates", area="packages", causes=["duplicate-install"],
       ok="Each distribution is installed once, with no leftovers of interrupted uninstalls")
def duplicates(ctx: CheckContext) -> Iterator[Finding]:
    for name, copies in sorted(ctx.installed.copies.items()):
        if len(copies) < 2:
            continue
        first = copies[0]
        yield finding(
            "duplicate-install",
            f"{first.name} is installed {len(copies)} times "
            f"({', '.join(c.version for c in copies)}); Python imports {first.version} from "
            f"{first.location}",
            evidence={"name": name, "copies": [{"version": c.version, "metadata": c.metadata_dir,
                                                "location": c.location} for c in copies]},
            fix=[uninstall(ctx.facts, [first.name],
                           f"Uninstall {first.name} until no copy is left (once per copy)"),
                 install(ctx.facts, [f"{first.name}=={first.version}"],
                         description=f"Install {first.name} once")],
        )
    for leftover in ctx.facts.leftovers:
        yield finding(
            "duplicate-install",
            f"Leftover of an interrupted install or uninstall: {leftover.path}",
            evidence={"path": leftover.path, "location": leftover.location},
            fix=[FixStep(f"Delete the folder {leftover.path}", StepKind.EDIT,
                         target=leftover.path, destructive=True)],
        )


@check(name="metadata", area="packages", causes=["broken-metadata"],
       ok="Every distribution's metadata is readable")
def metadata(ctx: CheckContext) -> Iterator[Finding]:
    for dist in ctx.facts.distributions:
        if dist.error is None:
            continue
        fix = [install(ctx.facts, [f"{dist.name}=={dist.version}"], reinstall=True, no_deps=True)
               if parse_version(dist.version) else
               FixStep(f"Remove the broken folder {dist.metadata_dir}", StepKind.EDIT,
                       target=dist.metadata_dir, destructive=True)]
        yield finding(
            "broken-metadata", f"{dist.metadata_dir}: {dist.error}",
            evidence={"metadata": dist.metadata_dir, "name": dist.name, "version": dist.version,
                      "error": dist.error},
            fix=fix,
        )


# Conflicts on these requirements of a TensorFlow build have a specific cause and fix.
_SPECIFIC_CAUSES = {"numpy": "numpy-abi-mismatch", "protobuf": "protobuf-mismatch",
                    "ml-dtypes": "ml-dtypes-mismatch"}
# Compiled add-ons that pin the TensorFlow they were built for in their own requirements (read in
# the wheels: tensorflow-text 2.15.0 `tensorflow (<2.16,>=2.15.0)`, tensorflow-decision-forests
# 1.8.1 `tensorflow ~=2.15.0`): outside the pin their op libraries miss TensorFlow's C++ symbols.
COMPILED_ADD_ONS = frozenset({"tensorflow-text", "tensorflow-decision-forests"})
# Keras 3 runs on TensorFlow from 2.15 as its own backend: `import tensorflow`, `import keras`,
# building and running a model all work although TensorFlow 2.15 declares keras<2.16.
_FIRST_TF_KERAS3_RUNS_ON = Version(compat_rules.FIRST_KERAS3_BACKEND_TF).release[:2]


def conflict_cause(requirer: str, required: str, installed_version: Optional[Version],
                   specifier: Optional[SpecifierSet] = None) -> str:
    """The cause of a declared conflict. A Keras/TensorFlow mismatch is `keras3-required` only
    when the requirement admits nothing but Keras 3; any other Keras/TF mismatch (Keras 2.13 over
    TensorFlow 2.12, keras 2.15 over TensorFlow 2.13, a tf-keras for another TensorFlow minor) is
    a version skew that one side must move to end."""
    if requirer in TF_FAMILY or requirer == "tf-keras":
        if required in _SPECIFIC_CAUSES:
            return _SPECIFIC_CAUSES[required]
        if required in ("keras", "tf-keras"):
            keras2 = installed_version is not None and installed_version.major < 3
            if keras2 and requirer in TF_FAMILY and required == "keras" and \
                    _admits_only_keras3(specifier):
                return "keras3-required"
            return "keras-tf-version-skew"
        if requirer == "tf-keras" and required in TF_FAMILY:
            return "keras-tf-version-skew"
    if requirer in COMPILED_ADD_ONS and required in TF_FAMILY:
        return "extension-built-against-another-tensorflow"
    return "requirement-conflict"


def _admits_only_keras3(specifier: Optional[SpecifierSet]) -> bool:
    if specifier is None:
        return True  # callers without the requirement keep the old answer
    return any(specifier.contains(Version(f"3.{minor}.0")) for minor in range(40))


@check(name="requirements", area="packages",
       causes=["missing-dependency", "requirement-conflict", "numpy-abi-mismatch",
               "protobuf-mismatch", "ml-dtypes-mismatch", "keras-tf-version-skew",
               "keras3-required", "extension-built-against-another-tensorflow",
               "tensorflow-macos-fork-not-recognised"],
       ok="Every requirement of every installed distribution is met")
def requirements(ctx: CheckContext) -> Iterator[Finding]:
    """Each requirement against what is installed. A stated environment (target mode `facts`: a
    report's or a person's list of versions) names what it names; that a distribution is absent
    from it proves nothing, so such a requirement is neither a missing dependency nor met, and
    when nothing else is found the check is skipped rather than passed."""
    facts = ctx.facts
    stated = facts.target.mode == "facts"
    environment = target_environment(facts.interpreter.marker_environment)
    inst = ctx.installed
    unknown = 0
    found_any = False
    for dist in inst.first.values():
        for req in applicable(dist.requires_dist, environment):
            name = canonicalize_name(req.name)
            have = inst.get(name)
            evidence = {"requirer": dist.name, "requirer_version": dist.version,
                        "requirement": str(req), "required": req.name}
            fork = inst.get("tensorflow-macos") if name == "tensorflow" else None
            if have is None and fork is not None:
                found_any = True
                yield _fork_not_recognised(ctx, dist, req, fork, evidence)
                continue
            if have is None and stated:
                unknown += 1
                continue
            if have is None:
                found_any = True
                yield finding(
                    "missing-dependency",
                    f"{dist.name} {dist.version} requires {req}, which is not installed",
                    evidence=evidence,
                    fix=[install(facts, [_spec(req)])],
                )
                continue
            version = parse_version(have.version)
            if version is None or not req.specifier or req.specifier.contains(version,
                                                                              prereleases=True):
                continue
            evidence["installed_version"] = have.version
            cause = conflict_cause(dist.canonical_name, name, version, req.specifier)
            found_any = True
            if cause == "keras-tf-version-skew":
                yield _keras_skew(ctx, dist, req, have, version, evidence)
                continue
            yield finding(
                cause,
                f"{dist.name} {dist.version} requires {req.name}{req.specifier}, but "
                f"{have.name} {have.version} is installed",
                evidence=evidence,
                fix=[install(facts, [_spec(req)],
                             description=f"Install {req.name} inside the range {dist.name} "
                                         "requires")],
            )
    if unknown and not found_any:
        raise SkipCheck(f"a stated environment: {unknown} requirement(s) name distributions it "
                        "does not state, so whether they are installed is not known")


def _keras_skew(ctx: CheckContext, requirer: Distribution, req: Requirement, have: Distribution,
                version: Version, evidence: Dict[str, Any]) -> Finding:
    """A Keras/TensorFlow mismatch TensorFlow or tf-keras declares: which side moves, and how
    bad it is. The Keras side moves (TensorFlow is the heavy, platform-specific build the user
    chose); it is a warning where the pair still imports and runs: Keras 3 standalone over
    TensorFlow 2.15+, or a tf-keras nobody routes `tf.keras` to, and only while the Keras side
    has every requirement of its own (Keras 3 without rich or optree does not import)."""
    facts = ctx.facts
    tf_version: Optional[Version]
    if requirer.canonical_name == "tf-keras":
        tf_version = version
        keras_dist, keras_version = requirer, parse_version(requirer.version)
        moving = "tf-keras"
        switch = (facts.config.env.get("TF_USE_LEGACY_KERAS")
                  if facts.config is not None else None)
        runs = switch not in compat_rules.LEGACY_KERAS_VALUES
        tf_name = f"{have.name} {have.version}"
    else:
        tf_version = parse_version(requirer.version)
        keras_dist, keras_version = have, version
        moving = canonicalize_name(have.name)
        runs = (version.major >= 3 and tf_version is not None
                and (tf_version.major, tf_version.minor) >= _FIRST_TF_KERAS3_RUNS_ON)
        tf_name = f"{requirer.name} {requirer.version}"
    runs = runs and _requirements_present(ctx, keras_dist)
    wanted = f"{moving}=={tf_version.major}.{tf_version.minor}.*" if tf_version else moving
    if moving == "keras" and not req.specifier.contains(Version(
            f"{tf_version.major}.{tf_version.minor}.0") if tf_version else version):
        wanted = f"keras{req.specifier}"  # TF 2.16+: a Keras 3 floor, not a matching minor
    direction = ("newer" if keras_version is not None and tf_version is not None
                 and (keras_version.major, keras_version.minor)
                 > (tf_version.major, tf_version.minor) else "older")
    declared = f"{requirer.name} {requirer.version} requires {req.name}{req.specifier}"
    title = (f"{keras_dist.name} {keras_dist.version} is {direction} than {tf_name} "
             f"supports ({declared}): install {wanted}")
    if runs:
        title = (f"{declared}, but {have.name} {have.version} is installed; the pair imports "
                 f"and runs, but against a declared conflict: install {wanted} to end it")
    return finding(
        "keras-tf-version-skew", title,
        evidence={**evidence, "move": moving, "to": wanted, "direction": direction,
                  "declared_conflict": declared, "imports_and_runs": runs},
        severity=Severity.WARNING if runs else None,
        fix=[install(facts, [wanted], description=f"Install the {moving} release for "
                                                  f"{tf_name}")],
    )


def _requirements_present(ctx: CheckContext, dist: Distribution) -> bool:
    environment = target_environment(ctx.facts.interpreter.marker_environment)
    return all(ctx.installed.get(canonicalize_name(req.name)) is not None
               for req in applicable(dist.requires_dist, environment))


def _spec(req: Requirement) -> str:
    return f"{req.name}{req.specifier}"


# tensorflow 2.13-2.15 for macOS arm64 is a shim that requires tensorflow-macos of its release
FIRST_TENSORFLOW_SHIM = Version("2.13")


def _fork_not_recognised(ctx: CheckContext, dist: Distribution, req: Requirement,
                         fork: Distribution, evidence: Dict[str, Any]) -> Finding:
    """A requirement on `tensorflow` while Apple's fork provides the module under another name:
    the code runs, but pip (and pkg_resources) see the requirement unmet."""
    facts = ctx.facts
    fork_version = parse_version(fork.version)
    evidence = {**evidence, "tensorflow_macos": fork.version}
    fix = []
    if fork_version is not None and fork_version >= FIRST_TENSORFLOW_SHIM and \
            fork_version < Version("2.16"):
        shim = f"tensorflow=={fork.version}"
        fix.append(install(facts, [shim], description=f"Install the tensorflow {fork.version} "
                           "shim, which requires this tensorflow-macos, so the name is met"))
    fix.append(FixStep(f"Or install {dist.name} with --no-deps: its `import tensorflow` already "
                       f"works through tensorflow-macos {fork.version}", StepKind.MANUAL))
    return finding(
        "tensorflow-macos-fork-not-recognised",
        f"{dist.name} {dist.version} requires {req}, but this Mac has Apple's tensorflow-macos "
        f"{fork.version}, which provides the module under another distribution name",
        evidence=evidence, fix=fix)
