"""A requirement conflict is a verdict an installer prints, in its own words.

`requirement-conflict` means that two declared ranges cannot both hold: a resolver proved that no
set of releases satisfies them, or a checker found an installed release outside a range another
installed distribution (or an add-on's own import-time check) declares. Each tool that finds this
says so in a fixed grammar, read here from its source. Words that merely sound like it ("conflict",
"incompatible", "requires", "version") are printed by much else: pip's backtracking notice ("pip is
looking at multiple versions of X to determine which version is compatible with other
requirements", `resolution/resolvelib/reporter.py`, which ends as often in a missing wheel), its
warning on every install run as root ("… broken permissions and conflicting behaviour with the
system package manager", `cli/req_command.py`), Keras' shape errors ("Shapes … are incompatible"),
a report's prose. So nothing but a verdict in a tool's own grammar lets a guess (the fallback
priors, the learned ranker, the message atlas) blame a conflict; the signatures that read those
verdicts decide which conflict it is.
"""

from __future__ import annotations

from keras_doctor.explain import lazyre

# Each alternative is quoted from the tool that prints it:
CONFLICT_VERDICT = lazyre.compile(
    # pip >= 20.3, src/pip/_internal/resolution/resolvelib/factory.py (get_installation_error):
    # "Cannot install {info} because these package versions have conflicting dependencies.",
    # "The conflict is caused by:", "ResolutionImpossible: for help visit …"
    r"because these package versions have conflicting dependencies|"
    r"The conflict is caused by:|\bResolutionImpossible\b|"
    # pip's post-install check, src/pip/_internal/commands/install.py (_warn_about_conflicts):
    # "{name} {version} requires {requirement}, but {you} have {dep_name} {dep_version} which is
    # incompatible." (`you'll` from the legacy resolver; pip 10-20.2 wrote "has requirement"),
    # after "This behaviour is the source of the following dependency conflicts."
    r"\bbut you(?:'ll)? have \S+ \S+ which is incompatible|"
    r"source of the following dependency conflicts|"
    # `pip check`, src/pip/_internal/commands/check.py: "%s %s has requirement %s, but you have
    # %s %s."
    r"\bhas requirement \S+, but you(?:'ll)? have \S+ \S+|"
    # pip's isolated build, src/pip/_internal/distributions/sdist.py: "Some build dependencies
    # for {req} conflict with {backend}: {conflicts}."
    r"Some build dependencies for \S+ conflict with|"
    # pip-tools (piptools/exceptions.py, NoCandidateFound and IncompatibleRequirements), which
    # pipenv's lock vendors ("pipenv.exceptions.ResolutionFailure … Your dependencies could not
    # be resolved"): the merged range of every dependent
    r"Could not find a version that matches \S|"
    r"There are incompatible versions in the resolved dependencies|\bResolutionFailure\b|"
    # uv, crates/uv-resolver/src/error.rs ("No solution found when resolving dependencies") and
    # its PubGrub report (crates/uv-resolver/src/pubgrub/report.rs: "… we can conclude that your
    # requirements are unsatisfiable", "… are incompatible")
    r"No solution found when resolving dependencies|your requirements are unsatisfiable|"
    r"we can conclude that [^\n]{1,300}? (?:are|is) incompatible|"
    # Poetry, src/poetry/mixology/failure.py ("… version solving failed.") and
    # src/poetry/puzzle/exceptions.py (SolverProblemError)
    r"version solving failed|\bSolverProblemError\b|"
    # conda's classic solver, conda/exceptions.py (UnsatisfiableError: "The following
    # specifications were found to be incompatible with each other:") and conda/resolve.py
    # ("Found conflicts! Looking for incompatible packages."); conda-libmamba-solver,
    # conda_libmamba_solver/exceptions.py (LibMambaUnsatisfiableError) and libsolv's problem
    # lines ("package X requires Y, but none of the providers can be installed", "conflicting
    # requests")
    # (not its UnsatisfiableError for the system's virtual packages: "… incompatible with your
    # system: … __glibc", a glibc too old; conda 4.6 and older said "… found to be in conflict")
    r"incompatible with each other|were found to be in conflict|Found conflicts!|"
    r"none of the providers can be installed|\bconflicting requests\b|"
    # pipdeptree's warning (pipdeptree/_validate.py, render_conflicts_text: "Warning!!! Possibly
    # conflicting dependencies found:", then " - b [required: >=2.3.0, installed: 1.9.1]")
    r"Possibly conflicting dependencies found|"
    # setuptools' pkg_resources at run time (VersionConflict, ContextualVersionConflict:
    # "(numpy 1.16.0 (/path), Requirement.parse('numpy>=1.17'))")
    r"\b(?:Contextual)?VersionConflict\b|"
    # add-ons checking the TensorFlow they import (tensorflow_probability/python/__init__.py
    # and its siblings, _ensure_tf_install: "This version of TensorFlow Probability requires
    # TensorFlow version >= 2.10; Detected an installation of version 2.9.0."), transformers'
    # require_version (src/transformers/utils/versions.py: "{requirement} is required for a
    # normal functioning of this module, but found {pkg}=={got_ver}.") and jax's own check of
    # jaxlib (jax/version.py, _check_jaxlib_version: "jaxlib is version {}, but this version of
    # jax requires version >= {}.")
    r"requires TensorFlow version >= ?\S+; Detected an installation of version|"
    r"is required for a normal functioning of this module, but found|"
    r"but this version of jax requires version"
)


# A literal that every match of each alternative above contains (the alternative's own words,
# outside any optional part): a paste holding none of them holds no verdict, and a substring test
# costs far less than the pattern tried at every position of a long log.
VERDICT_WORDS = (
    "conflicting dependencies", "The conflict is caused by:", "ResolutionImpossible",
    "which is incompatible", "source of the following dependency conflicts", "has requirement ",
    "Some build dependencies for ", "Could not find a version that matches ",
    "There are incompatible versions in the resolved dependencies", "ResolutionFailure",
    "No solution found when resolving dependencies", "your requirements are unsatisfiable",
    "we can conclude that ", "version solving failed", "SolverProblemError",
    "incompatible with each other", "were found to be in conflict", "Found conflicts!",
    "none of the providers can be installed", "conflicting requests",
    "Possibly conflicting dependencies found", "VersionConflict",
    "; Detected an installation of version",
    "is required for a normal functioning of this module, but found",
    "but this version of jax requires version",
)


def shows_conflict_verdict(text: str) -> bool:
    """Whether an installer, resolver or import-time version check in the paste says that two
    declared ranges cannot both hold."""
    return any(word in text for word in VERDICT_WORDS) and bool(CONFLICT_VERDICT.search(text))
