"""Whether the installed TensorFlow builds exist for this platform and Python, and whether they are
the right distribution here at all (tensorflow-macos, tensorflow-gpu), and whether pip can see them.

An environment can hold a build that no installer would pick for it: a tree laid out for another
Python, a venv whose interpreter was upgraded in place, tensorflow-macos copied to Linux. The
knowledge base's wheel tables say which releases have wheels for which (platform, Python), chosen
with `packaging.tags` exactly as an installer would.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.checks.stack import (
    declared_requirements,
    installed_version,
    knowledge_of,
    python_minor,
    tensorflow,
)
from keras_doctor.facts.model import Facts
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.knowledge import compat_rules
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.knowledge.releases import tag_platforms
from keras_doctor.remedies import install, new_environment, uninstall

PYTHONS = ("3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
# Installed distributions that are useless without a TensorFlow build.
_NEEDS_TENSORFLOW = ("tf-keras", "tensorflow-metal", "tensorflow-hub", "tensorflow-addons")


def os_version(facts: Facts) -> Optional[str]:
    return facts.platform.os_version if facts.platform.system == "Darwin" else None


@check(name="installed-wheels", area="platform",
       causes=["no-wheel-for-python", "no-wheel-for-platform"],
       ok="The installed TensorFlow has wheels for this platform and Python")
def installed_wheels(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    platform, python = facts.target.platform, python_minor(facts)
    present = [n for n in ctx.installed.first if n in TF_FAMILY]
    if all(installed_wheel_fits(ctx.installed.get(n).wheel_tags, platform, python)
           for n in present) and (present or not _needs_tensorflow(ctx)):
        return
    kb = knowledge_of(ctx)
    known = set(kb.projects())
    builds = [d for n, d in ctx.installed.first.items() if n in TF_FAMILY and n in known]
    for dist in builds:
        if installed_wheel_fits(dist.wheel_tags, platform, python):
            continue  # the wheel in place was built for this target: no table needed
        release = kb.release(dist.canonical_name, dist.version)
        if release is None or release.wheel_for(platform, python, os_version(facts)):
            continue
        yield _missing_wheel(ctx, kb, release, dist.name)
    if builds or tensorflow(ctx) is not None:
        return
    needing = _needs_tensorflow(ctx)
    if needing and kb.newest_release("tensorflow", platform, python, os_version(facts)) is None:
        release = kb.releases("tensorflow")[-1]
        yield _missing_wheel(ctx, kb, release, "tensorflow",
                             needed_by=[f"{d.name} {v}" for d, v in needing])


def _needs_tensorflow(ctx: CheckContext) -> List[Any]:
    """Installed distributions that are useless without a TensorFlow build."""
    needing = [installed_version(ctx, n) for n in _NEEDS_TENSORFLOW]
    needing = [n for n in needing if n is not None]
    keras = installed_version(ctx, "keras")
    if keras is not None and keras[1].major < 3:
        needing.append(keras)
    return needing


def installed_wheel_fits(wheel_tags: List[str], platform: str, python: str) -> bool:
    """Whether the WHEEL file of an installed distribution names a tag for this target: a cheap
    answer from the facts alone (the macOS version is the binaries check's business)."""
    from packaging.tags import parse_tag

    cp = "cp" + python.replace(".", "")
    for text in wheel_tags:
        try:
            parsed = parse_tag(text)
        except ValueError:
            continue
        for tag in parsed:
            python_ok = tag.interpreter in (cp, "py3", f"py{cp[2:]}") or (
                tag.abi == "abi3" and tag.interpreter.startswith("cp3")
                and int(tag.interpreter[3:] or 0) <= int(cp[3:]))
            platform_ok = tag.platform == "any" or platform in tag_platforms(tag.platform)
            if python_ok and platform_ok:
                return True
    return False


def _missing_wheel(ctx: CheckContext, kb: Any, release: Any, name: str,
                   needed_by: Optional[List[str]] = None) -> Finding:
    facts = ctx.facts
    platform, python = facts.target.platform, python_minor(facts)
    other_pythons = [p for p in PYTHONS if release.wheel_for(platform, p, os_version(facts))]
    evidence = {"distribution": name, "version": str(release.version), "platform": platform,
                "python": python, "os_version": os_version(facts),
                "pythons_with_wheels_here": other_pythons,
                "platform_tags": release.platform_tags, "python_tags": release.python_tags,
                "needed_by": needed_by, "decided_by": f"knowledge base: releases/"
                                                      f"{release.project}.json"}
    newest = kb.newest_release(release.project, platform, python, os_version(facts))
    evidence["newest_release_for_this_target"] = str(newest.version) if newest else None
    fix: List[FixStep] = []
    if newest is not None:
        fix.append(install(facts, [f"{name}=={newest.version}"],
                           description=f"Install {name} {newest.version}, the newest release with "
                                       f"a wheel for {platform} and Python {python}"))
    if other_pythons:
        cause = "no-wheel-for-python"
        title = (f"{name} {release.version} has no wheel for Python {python} on {platform} "
                 f"(it has for {', '.join(other_pythons)})")
        usable = _with_metal(ctx, kb, str(release.version), other_pythons)
        if usable:
            fix.append(new_environment(facts, f"Or use Python {usable[-1]}"
                                       + (" (it has tensorflow-metal wheels too)"
                                          if usable != other_pythons else "")))
    else:
        cause = "no-wheel-for-platform"
        title = f"{name} {release.version} has no wheel for {platform}"
        if os_version(facts):
            title += f" (macOS {os_version(facts)})"
        fix.append(FixStep("Use the distribution that ships wheels for this platform "
                           "(`keras-doctor recommend` names it)", StepKind.MANUAL))
    return finding(cause, title, evidence=evidence, fix=fix)


@check(name="deprecated-distributions", area="packages", causes=["deprecated-distribution"],
       ok="No obsolete TensorFlow distribution is installed")
def deprecated_distributions(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    seen = set()  # the first matching rule per distribution decides
    for rule in compat_rules.DEPRECATED:
        have = installed_version(ctx, rule["name"])
        if have is None or (rule["platforms"] and facts.target.platform not in rule["platforms"]):
            continue
        if not SpecifierSet(rule["versions"]).contains(have[1], prereleases=True):
            continue
        if rule["name"] in seen:
            continue
        seen.add(rule["name"])
        if declared_requirements(ctx, rule["name"], ("tensorflow",)):
            continue  # a `tensorflow` shim (2.13-2.15.0 on macOS arm64) installed it on purpose
        dist, version = have
        replacement = _replacement(ctx, knowledge_of(ctx), rule["replacement"], version)
        if replacement:
            fix = [uninstall(facts, [dist.name]),
                   install(facts, [f"{rule['replacement']}=={replacement}"],
                           description=f"Install {rule['replacement']} {replacement} instead")]
        else:
            fix = [FixStep(f"Nothing to do now: `{rule['replacement']}` {version} has no wheel "
                           f"for {facts.target.platform}, and a newer release changes what this "
                           f"environment uses ({_era(ctx, version)}). To move on, with the "
                           "tensorflow-metal and Keras that go with it, run "
                           "`keras-doctor fix --upgrade`", StepKind.MANUAL)]
        yield finding(
            "deprecated-distribution",
            f"{dist.name} {version} is obsolete on {facts.target.platform}: {rule['why']}",
            evidence={"distribution": dist.name, "version": str(version),
                      "replacement": rule["replacement"], "replacement_version": replacement,
                      "sources": rule["sources"]},
            severity=Severity(rule["severity"]),
            fix=fix,
        )


def _replacement(ctx: CheckContext, kb: Any, project: str, version: Version) -> Optional[str]:
    """The same release of the replacement, when it has a wheel here; else None.

    A deprecation notice never changes versions as a side effect: another TensorFlow release
    means another Keras, numpy and tensorflow-metal (tensorflow-macos 2.12 with metal 0.8 moved to
    TensorFlow 2.21 leaves the plugin unloadable and Keras 2 code under Keras 3). Moving on is an
    upgrade of the whole set, which `fix --upgrade` plans.
    """
    facts = ctx.facts
    same = kb.release(project, str(version))
    if same is not None and same.wheel_for(facts.target.platform, python_minor(facts),
                                           os_version(facts)):
        return str(same.version)
    return None


def _with_metal(ctx: CheckContext, kb: Any, tf_version: str,
                pythons: List[str]) -> List[str]:
    """The Pythons among `pythons` that keep what the environment uses: with tensorflow-metal
    installed, only those a metal release that loads with this TensorFlow has a wheel for."""
    if installed_version(ctx, "tensorflow-metal") is None or \
            ctx.facts.target.platform != "macos-arm64":
        return pythons
    from keras_doctor.knowledge.metal_pairs import loading_metals

    return [p for p in pythons if loading_metals(kb, tf_version, "cp" + p.replace(".", ""))]


def _era(ctx: CheckContext, version: Version) -> str:
    metal = installed_version(ctx, "tensorflow-metal")
    keras = "Keras 2" if version < Version(compat_rules.FIRST_KERAS3_TF) else "Keras 3"
    return keras + (f", tensorflow-metal {metal[1]}" if metal else "")


@check(name="pip-platform-tags", area="platform", causes=["pip-too-old-for-platform-tags"],
       ok="pip understands the platform tags of the wheels this platform needs")
def pip_platform_tags(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    pip = facts.interpreter.installers.get("pip")
    if not pip or pip == "unknown":
        raise SkipCheck("pip's version is not known for this target")
    try:
        pip_version = Version(pip)
    except ValueError:
        raise SkipCheck(f"unreadable pip version {pip!r}") from None
    unmet = [rule for rule in compat_rules.PIP_TAG_SUPPORT
             if facts.target.platform in rule["platforms"] and pip_version < Version(rule["pip"])
             and _applies(rule, facts)]
    if not unmet:
        return
    needed = max(Version(r["pip"]) for r in unmet)
    yield finding(
        "pip-too-old-for-platform-tags",
        f"pip {pip} cannot see {', '.join(r['tags'] for r in unmet)} wheels; "
        f"pip {needed} or later can",
        evidence={"pip": pip, "platform": facts.target.platform, "os_version": os_version(facts),
                  "unmet": [{"tags": r["tags"], "first_pip": r["pip"], "source": r["source"]}
                            for r in unmet]},
        fix=[install(facts, [f"pip>={needed}"], description="Upgrade pip in this environment")],
    )


def _applies(rule: Dict[str, Any], facts: Facts) -> bool:
    """macOS 11 tags matter on arm64 (every arm64 wheel has them) or on macOS 11 and later."""
    if not rule["tags"].startswith("macosx_11"):
        return True
    if facts.target.platform == "macos-arm64":
        return True
    version = os_version(facts)  # a valid version when known (facts are validated)
    return version is not None and Version(version).major >= 11
