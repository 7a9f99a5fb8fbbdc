"""Native runtimes that fight inside one process, and dependencies too new for the code using them.

Two packages that each bring their own OpenMP runtime (`libiomp5` from Intel/MKL builds, `libomp`
from LLVM builds) abort the process when both load: `OMP: Error #15`. And old releases that did not
cap a dependency break when pip installs today's version of it: Keras <= 2.4 calls `.decode()` on
h5py 3's `str` attributes while loading a model. Both are visible in the installed files and
versions before anything runs.
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from keras_doctor.checks.registry import CheckContext, check, finding
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.remedies import install

# The runtimes that refuse a second copy (LLVM's libomp is derived from Intel's and shares the
# check); GNU's libgomp is a separate runtime and coexists.
_OPENMP = re.compile(r"(?:^|[/\\])(?:lib)?(?P<runtime>iomp5(?:md)?|omp)(?:[.\-][\w.\-]*)?\."
                     r"(?:dylib|so|dll)(?:\.\d+)*$")

# (package, its releases, dependency, the releases too new for them, why, source)
TOO_NEW = (
    ("keras", "<2.5", "h5py", ">=3", "Keras <= 2.4 calls .decode('utf8') on HDF5 string "
     "attributes, which h5py 3 returns as str: loading any .h5 model fails",
     "https://docs.h5py.org/en/stable/whatsnew/3.0.html"),
    ("tensorflow", ">=1.13,<1.15", "gast", ">=0.3", "TensorFlow 1.13–1.14's autograph uses "
     "gast.Num/Str, which gast 0.3 removed (TensorFlow 1.15 pins gast==0.2.2)",
     "https://pypi.org/project/tensorflow/1.15.0/"),
)


@check(name="openmp-runtimes", area="platform", causes=["openmp-duplicate-runtime"],
       ok="At most one Intel/LLVM OpenMP runtime is installed")
def openmp_runtimes(ctx: CheckContext) -> Iterator[Finding]:
    copies: Dict[str, List[str]] = {}
    for binary in ctx.facts.binaries:
        if _OPENMP.search(binary.path):
            copies.setdefault(binary.owner or "(no distribution)", []).append(binary.path)
    if len(copies) < 2:
        return
    owners = sorted(copies)
    yield finding(
        "openmp-duplicate-runtime",
        f"{len(owners)} distributions each bring an OpenMP runtime ({', '.join(owners[:4])}): "
        "loading two of them into one process aborts it with OMP Error #15",
        evidence={"runtimes": {owner: paths[:3] for owner, paths in copies.items()}},
        fix=[FixStep("Install these packages from one channel so they share one runtime (all "
                     "conda-forge, or all pip in a fresh virtualenv)", StepKind.MANUAL),
             FixStep("Only as a stopgap: export KMP_DUPLICATE_LIB_OK=TRUE (results may be "
                     "wrong)", StepKind.MANUAL)],
        severity=Severity.WARNING,  # harmful only when both are loaded together
    )


@check(name="dependency-ceilings", area="packages", causes=["dependency-too-new"],
       ok="No dependency is newer than the old releases that use it can handle")
def dependency_ceilings(ctx: CheckContext) -> Iterator[Finding]:
    for package, releases, dependency, too_new, why, source in TOO_NEW:
        user, dep = ctx.installed.version(package), ctx.installed.version(dependency)
        if user is None or dep is None:
            continue
        if user not in SpecifierSet(releases) or dep not in SpecifierSet(too_new):
            continue
        ceiling = too_new.replace(">=", "<")
        yield finding(
            "dependency-too-new",
            f"{dependency} {dep} is too new for {package} {user}",
            evidence={"package": package, "version": str(user), "dependency": dependency,
                      "dependency_version": str(dep), "why": why, "source": source},
            fix=[install(ctx.facts, [f"{dependency}{ceiling}"],
                         description=f"Install {dependency}{ceiling}, the releases "
                                     f"{package} {user} works with")],
        )


def _conda_spec(spec: str) -> Optional[List[SpecifierSet]]:
    """A conda match spec's version part as PEP 440 specifier sets, any of which may hold
    (`|` separates alternatives): `>=1.14.3,<1.14.4.0a0` as is, `1.10.6.*` and `1.10.6` as
    `==`; None when it names no version or cannot be read."""
    parts = spec.split()
    if len(parts) < 2:
        return None
    try:
        return [SpecifierSet(alt if not alt[:1].isdigit() else f"=={alt}")
                for alt in parts[1].split("|") if alt]
    except InvalidSpecifier:
        return None


@check(name="conda-hdf5", area="packages", causes=["hdf5-library-mismatch"],
       ok="Every conda package built against HDF5 accepts the installed HDF5")
def conda_hdf5(ctx: CheckContext) -> Iterator[Finding]:
    """In a conda environment each package built against HDF5 declares the HDF5 releases its
    build accepts; an `hdf5` outside that range (installed or updated after it) is another
    library than the headers it was compiled with: HDF5's version check aborts the process."""
    config = ctx.facts.config
    records = config.conda_hdf5 if config is not None else []
    hdf5 = next((r for r in records if r.name == "hdf5"), None)
    if hdf5 is None:
        return
    try:
        installed = Version(hdf5.version)
    except InvalidVersion:
        return
    for record in records:
        wanted = [d for d in record.depends if d.split()[:1] == ["hdf5"]]
        accepted = _conda_spec(wanted[0]) if wanted else None
        if record is hdf5 or not accepted or any(
                spec.contains(installed, prereleases=True) for spec in accepted):
            continue
        yield finding(
            "hdf5-library-mismatch",
            f"conda's {record.name} {record.version} ({record.build}) was built for "
            f"{wanted[0]}, but hdf5 {hdf5.version} is installed: HDF5's version check aborts "
            f"the process that loads {record.name}",
            evidence={"package": f"{record.name} {record.version} {record.build}",
                      "depends": wanted[0], "hdf5": f"{hdf5.version} {hdf5.build}",
                      "records": [record.path, hdf5.path]},
            fix=[FixStep(f"conda install -c conda-forge {record.name} hdf5 (the solver installs "
                         "a matching pair)", StepKind.MANUAL)],
        )
